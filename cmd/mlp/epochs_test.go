package main

import "testing"

// TestSelectPatience checks the patience of the run that chooses the epoch
// count: a tenth of the cap, at least the training-loss rule's patience
// and at least 1.
func TestSelectPatience(t *testing.T) {
	for _, c := range []struct{ maxIter, n, want int }{
		{1000, 10, 100}, // the defaults: 100, twice the study's longest wait (docs/defaults.md)
		{300, 10, 30},
		{50, 10, 10},     // -n-iter-no-change's 10 beats 5
		{1000, 250, 250}, // a larger -n-iter-no-change
		{5, 0, 1},
	} {
		if got := selectPatience(c.maxIter, c.n); got != c.want {
			t.Errorf("selectPatience(%d, %d) = %d, want %d", c.maxIter, c.n, got, c.want)
		}
	}
}
