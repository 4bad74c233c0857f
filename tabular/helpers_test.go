package tabular

import (
	"errors"
	"strings"
	"testing"

	"github.com/mlpkit/mlp"
)

// goldenModelFile is the root package's golden version-1 model file,
// holding every layer kind.
const goldenModelFile = "../testdata/model_v1.mlp"

// pipelineVersion is the model file version of a Pipeline.
const pipelineVersion = 2

// TestNilReceivers checks that the methods of nil tabular values that take
// user data return an error wrapping ErrSetting naming them, rather than
// panic.
func TestNilReceivers(t *testing.T) {
	errs := []struct {
		name string
		f    func() error
	}{
		{"Preprocessor.Transform", func() error { _, err := (*Preprocessor)(nil).Transform(nil); return err }},
		{"LabelEncoder.Transform", func() error { _, err := (*LabelEncoder)(nil).Transform(nil); return err }},
	}
	for _, c := range errs {
		if err := c.f(); !errors.Is(err, mlp.ErrSetting) || !strings.Contains(err.Error(), c.name) {
			t.Errorf("%s: error %v, want one wrapping ErrSetting naming it", c.name, err)
		}
	}
	if w := (*Preprocessor)(nil).Width(); w != 0 {
		t.Errorf("nil Preprocessor.Width = %d, want 0", w)
	}
}
