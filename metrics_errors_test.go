package mlp

import "testing"

// TestMetricInputErrors checks that the metrics taking user slices refuse a
// class count they cannot hold, a label out of range and slices of
// different lengths.
func TestMetricInputErrors(t *testing.T) {
	checkErrorCases(t, []errorCase{
		{"label 2^31", func(*testing.T) error { _, err := NewConfusionMatrix([]int{0}, []int{1 << 31}, nil); return err },
			[]error{ErrData}, []string{"label 2147483648 of sample 0"}},
		{"label out of range", func(*testing.T) error {
			_, err := NewConfusionMatrix([]int{0}, []int{3}, []string{"a", "b"})
			return err
		}, []error{ErrData}, []string{"label 3 of sample 0"}},
		{"lengths differ", func(*testing.T) error { _, err := AccuracyScore([]int{0, 1}, []int{0}); return err },
			[]error{ErrData}, []string{"2 predictions for 1 labels"}},
	})
}
