package experiment

import (
	"errors"
	"strings"
	"testing"

	"github.com/mlpkit/mlp"
)

// TestLimits checks that a huge label or width is refused before anything
// of that size is allocated.
func TestLimits(t *testing.T) {
	_, err := Classification.Prepare(strings.NewReader("a,target\n1,0\n2,2147483647\n3,1\n4,0\n5,1\n"), "", 1, 0.2)
	if !errors.Is(err, mlp.ErrData) || !strings.Contains(err.Error(), "at most 4096 classes") {
		t.Errorf("label 2147483647: error %v, want ErrData naming the class limit", err)
	}
	_, err = Spec{Hidden: []int{1 << 20, 1 << 20}}.Build(30, 2, nil)
	if !errors.Is(err, mlp.ErrSetting) || !strings.Contains(err.Error(), "layer 1 would be Linear(1048576->1048576)") {
		t.Errorf("width 2^20: error %v, want ErrSetting naming layer 1", err)
	}
}
