package tabular

import "math"

// oneHot writes the one-hot code of category index k among n categories into
// dst[:n]: 1 at k and 0 elsewhere. An index outside [0, n) (a category not
// seen in training, coded -1) writes all zeros, as scikit-learn's
// OneHotEncoder(handle_unknown='ignore') does (docs/conventions.md). It
// allocates nothing.
func oneHot(dst []float64, k float64, n int) {
	clear(dst[:n])
	if k >= 0 && k < float64(n) && k == math.Trunc(k) {
		dst[int(k)] = 1
	}
}
