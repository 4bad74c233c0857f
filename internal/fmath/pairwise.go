package fmath

// PairwiseSum returns the sum of x in numpy's order (pairwise_sum of
// numpy/core/src/umath/loops_utils.h.src, which np.sum, np.mean and
// np.average use along a contiguous axis): fewer than 8 values are added
// in order; up to 128 are added into 8 interleaved partial sums, combined
// as ((r0+r1)+(r2+r3))+((r4+r5)+(r6+r7)), and the remainder added in order;
// more are split in two halves (the first a multiple of 8) summed
// recursively. Summing in numpy's order gives the bits numpy gives, so
// that ties and rounded figures come out as they do in scikit-learn. It
// allocates nothing.
func PairwiseSum(x []float64) float64 {
	n := len(x)
	switch {
	case n < 8:
		res := 0.0
		for _, v := range x {
			res += v
		}
		return res
	case n <= 128:
		var r [8]float64
		copy(r[:], x[:8])
		i := 8
		for ; i < n-n%8; i += 8 {
			for j := range r {
				r[j] += x[i+j]
			}
		}
		res := ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]))
		for ; i < n; i++ {
			res += x[i]
		}
		return res
	}
	n2 := n / 2
	n2 -= n2 % 8
	return PairwiseSum(x[:n2]) + PairwiseSum(x[n2:])
}
