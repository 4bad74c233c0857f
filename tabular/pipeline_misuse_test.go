package tabular

import (
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/mlpkit/mlp"
	"github.com/mlpkit/mlp/internal/testkit"
)

// TestPipelineNilOrEmpty calls every method of a nil and of a zero Pipeline
// that takes records or a writer: each returns an error wrapping ErrSetting
// that names the method, never a nil dereference.
func TestPipelineNilOrEmpty(t *testing.T) {
	tab := &Table{Features: []Column{{Name: "a", Values: []float64{1}}}}
	for _, p := range []*Pipeline{nil, {}} {
		for _, tc := range []struct {
			method string
			call   func() error
		}{
			{"Predict", func() error { _, err := p.Predict(tab); return err }},
			{"PredictRecords", func() error { _, err := p.PredictRecords([]string{"a"}, [][]string{{"1"}}); return err }},
			{"PredictMaps", func() error { _, err := p.PredictMaps([]map[string]any{{"a": 1.0}}); return err }},
			{"Save", func() error { return p.Save(io.Discard) }},
		} {
			err := testkit.NoPanic(t, tc.call)
			if !errors.Is(err, mlp.ErrSetting) || !strings.Contains(err.Error(), "Pipeline."+tc.method) {
				t.Errorf("%v pipeline: %s gives %v, want an error wrapping ErrSetting naming Pipeline.%s", p, tc.method, err, tc.method)
			}
		}
	}
}
