package mlp

import "math"

// ClipGradNorm rescales the gradients of params so that their global L2
// norm is at most about maxNorm, as PyTorch's clip_grad_norm_ with norm
// type 2, and returns the norm before clipping:
//
//	total = sqrt(Σ g²) over every entry of every gradient
//	coef  = maxNorm / (total + 1e-6)
//	every gradient entry is multiplied by coef if coef < 1
//
// So gradients whose norm is below maxNorm are left unchanged, and larger
// ones end with norm maxNorm·total/(total+1e-6), just under maxNorm. As in
// PyTorch, the 1e-6 also scales a norm within 1e-6 below maxNorm by a factor
// just under 1.
//
// Parameters whose Grad is nil are skipped. A sum of squares that
// overflows is recomputed with scaling, so finite gradients give a finite
// norm. A NaN or Inf entry gives a NaN or +Inf total, which a caller should
// treat as divergence: with +Inf the gradients are multiplied by 0 (Inf
// entries become NaN), with NaN they are left as they are.
//
// ClipGradNorm panics with an error wrapping ErrSetting if maxNorm is not
// positive (zero, negative or NaN); +Inf never clips. It allocates nothing.
func ClipGradNorm(params []Param, maxNorm float64) float64 {
	if !(maxNorm > 0) {
		panic(misuse(ErrSetting, "ClipGradNorm", "maxNorm must be positive, got %v", maxNorm))
	}
	var ss float64
	for _, p := range params {
		for _, g := range gradData(p) {
			ss += float64(g * g)
		}
	}
	total := math.Sqrt(ss)
	if math.IsInf(total, 1) {
		total = scaledNorm(params)
	}
	if coef := maxNorm / (total + 1e-6); coef < 1 {
		for _, p := range params {
			g := gradData(p)
			for k := range g {
				g[k] *= coef
			}
		}
	}
	return total
}

// scaledNorm returns the L2 norm of all gradient entries computed as
// max·sqrt(Σ (g/max)²), which does not overflow for finite entries.
func scaledNorm(params []Param) float64 {
	var big float64
	for _, p := range params {
		for _, g := range gradData(p) {
			big = max(big, math.Abs(g))
		}
	}
	if math.IsInf(big, 1) || math.IsNaN(big) {
		return big
	}
	var ss float64
	for _, p := range params {
		for _, g := range gradData(p) {
			g /= big
			ss += float64(g * g)
		}
	}
	return big * math.Sqrt(ss)
}

// gradData returns the entries of p's gradient, or nil if it has none.
func gradData(p Param) []float64 {
	if p.Grad == nil {
		return nil
	}
	r := p.Grad.RawMatrix()
	return r.Data[:r.Rows*r.Cols]
}
