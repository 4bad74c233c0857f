package mlp

import "testing"

// TestMetricInputErrors checks that the metrics taking user slices refuse a
// class count they cannot hold, a label out of range and slices of
// different lengths.
func TestMetricInputErrors(t *testing.T) {
	checkErrorCases(t, []errorCase{
		{"2^31 classes", func(*testing.T) error { _, err := NewConfusion([]int{0}, []int{0}, 1<<31); return err },
			[]error{ErrSetting}, []string{"2147483648 classes"}},
		{"label out of range", func(*testing.T) error { _, err := NewConfusion([]int{0}, []int{3}, 2); return err },
			[]error{ErrData}, []string{"label 3 at index 0"}},
		{"lengths differ", func(*testing.T) error { _, err := AccuracyScore([]int{0, 1}, []int{0}); return err },
			[]error{ErrData}, []string{"2 predictions for 1 labels"}},
	})
}
