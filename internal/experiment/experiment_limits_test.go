package experiment

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/mlpkit/mlp"
)

// TestLimits checks that too many classes or a huge width is refused before anything
// of that size is allocated.
func TestLimits(t *testing.T) {
	var many strings.Builder
	many.WriteString("a,target\n")
	for i := range 4097 {
		fmt.Fprintf(&many, "%d,c%d\n", i, i)
	}
	_, err := Classification.Prepare(strings.NewReader(many.String()), "", 1, 0.2)
	if !errors.Is(err, mlp.ErrData) || !strings.Contains(err.Error(), "at most 4096 classes") {
		t.Errorf("4097 text labels: error %v, want ErrData naming the class limit", err)
	}
	_, err = Spec{Hidden: []int{1 << 20, 1 << 20}}.Build(30, 2, nil)
	if !errors.Is(err, mlp.ErrSetting) || !strings.Contains(err.Error(), "layer 1 would be Linear(1048576->1048576)") {
		t.Errorf("width 2^20: error %v, want ErrSetting naming layer 1", err)
	}
}
