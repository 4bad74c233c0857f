package mlp

import (
	"errors"
	"strings"
	"testing"
)

// TestOptimizerNoParams checks that the optimizers refuse an empty
// parameter list, as PyTorch does, instead of optimizing nothing.
func TestOptimizerNoParams(t *testing.T) {
	for name, f := range map[string]func() error{
		"NewSGD":   func() error { _, err := NewSGD(nil, SGDSettings{LR: 0.1}); return err },
		"NewAdam":  func() error { _, err := NewAdam(nil, AdamSettings{LR: 0.1}); return err },
		"NewAdamW": func() error { _, err := NewAdamW([]Param{}, AdamSettings{LR: 0.1}); return err },
	} {
		err := f()
		if !errors.Is(err, ErrSetting) || !strings.Contains(err.Error(), name+": no parameters to optimize") {
			t.Errorf("%s with no parameters: error %v, want ErrSetting naming it", name, err)
		}
	}
}
