package mlp

import (
	"encoding/json"
	"math"
	"testing"

	"github.com/mlpkit/mlp/internal/testkit"
)

// The vectors of testdata/sklearn are written by the generators beside
// them with scikit-learn 1.2.1. Floats are compared to within
// sklearnRelTol relative or sklearnAbsTol absolute, unless a test says
// why it needs another tolerance; indices, counts and text exactly.
const (
	sklearnRelTol = 1e-12
	sklearnAbsTol = 1e-14
)

// sklearnClose reports whether got agrees with scikit-learn's want to
// within sklearnRelTol relative or sklearnAbsTol absolute. NaN agrees
// only with NaN, and an infinity only with itself.
func sklearnClose(got, want float64) bool {
	if math.IsNaN(want) || math.IsNaN(got) {
		return math.IsNaN(want) && math.IsNaN(got)
	}
	if got == want {
		return true
	}
	d := math.Abs(got - want)
	return d <= sklearnAbsTol || d <= sklearnRelTol*math.Abs(want)
}

// readSklearnCases decodes the cases of testdata/sklearn/<file> into
// cases, failing the test unless there are at least min of them.
func readSklearnCases[C any](t *testing.T, file string, min int) []C {
	t.Helper()
	return testkit.SklearnCases[C](t, file, min)
}

// sklearnFloat is a float64 in the vectors, where NaN and the infinities
// are written as the strings "nan", "inf" and "-inf" (JSON has no literal
// for them).
type sklearnFloat float64

func (f *sklearnFloat) UnmarshalJSON(b []byte) error {
	switch string(b) {
	case `"nan"`, "NaN":
		*f = sklearnFloat(math.NaN())
	case `"inf"`, "Infinity":
		*f = sklearnFloat(math.Inf(1))
	case `"-inf"`, "-Infinity":
		*f = sklearnFloat(math.Inf(-1))
	default:
		var v float64
		if err := json.Unmarshal(b, &v); err != nil {
			return err
		}
		*f = sklearnFloat(v)
	}
	return nil
}

// sklearnFloats returns fs as float64s in a new slice.
func sklearnFloats(fs []sklearnFloat) []float64 {
	out := make([]float64, len(fs))
	for i, f := range fs {
		out[i] = float64(f)
	}
	return out
}
