package mlp

import (
	"math"

	"github.com/mlpkit/mlp/internal/fmath"
	"gonum.org/v1/gonum/mat"
)

// checkMetricValues panics with an error wrapping ErrShape unless target has the
// shape of pred.
func checkMetricValues(name string, pred, target *mat.Dense) {
	r, c := pred.Dims()
	if target == nil {
		shapePanic(name, "no target values for %dx%d predictions", r, c)
	}
	tr, tc := target.Dims()
	if tr != r || tc != c {
		shapePanic(name, "%dx%d targets for %dx%d predictions", tr, tc, r, c)
	}
}

// Sums of squares and of absolute values are taken on the values scaled by
// a power of two, 2^-e, chosen from the largest magnitude seen, so that
// finite inputs give finite figures wherever the figure itself is a finite
// float64, as math.Hypot scales: e is 0 (no scaling, the bits of the plain
// formula) for magnitudes between 2^-400 and 2^400, where the squares of
// up to 2^200 values are summed without overflow or underflow, and
// otherwise the magnitude's binary exponent. Scaling by a power of two is
// exact, so the figures are those of the plain formula wherever it
// neither overflows nor underflows.

// scaleExp returns the exponent e of the scaling 2^-e for values or
// differences whose largest magnitude is 2·half (half is taken, rather
// than the magnitude, so that the difference of two finite numbers never
// overflows): 0 for 2·half in [2^-400, 2^400], for 0 and for NaN or ±Inf
// (whose sums are NaN or ±Inf however scaled), and otherwise the exponent
// that maps 2·half into [0.5, 1).
func scaleExp(half float64) int {
	if !(half < 0x1p-401 || half > 0x1p399) || half == 0 || math.IsInf(half, 0) {
		return 0
	}
	_, e := math.Frexp(half)
	return e + 1
}

// halfDiff returns |v/2 − t/2|, half the magnitude of v − t, which does
// not overflow for finite v and t.
func halfDiff(v, t float64) float64 { return math.Abs(float64(v/2) - float64(t/2)) }

// scaledDiff returns (v − t)·2^-e, without overflow for finite v and t
// when e > 0, and with the bits of v − t when e is 0.
func scaledDiff(v, t float64, e int) float64 {
	switch {
	case e == 0:
		return v - t
	case e < 0:
		return math.Ldexp(v-t, -e)
	}
	return math.Ldexp(float64(v/2)-float64(t/2), 1-e)
}

// rescale returns x, a sum taken at the scaling 2^-from raised to the
// power p (1 for sums of magnitudes, 2 for sums of squares), converted to
// the scaling 2^-to.
func rescale(x float64, from, to, p int) float64 {
	if from == to {
		return x
	}
	return math.Ldexp(x, p*(from-to))
}

// batchHalfDiff returns the largest half-magnitude of the differences
// pred − y over the entries of columns [j0, j1) of one batch.
func batchHalfDiff(pred, y *mat.Dense, j0, j1 int) float64 {
	r, _ := pred.Dims()
	var h float64
	for i := range r {
		pr, tr := pred.RawRowView(i), y.RawRowView(i)
		for j := j0; j < j1; j++ {
			h = max(h, halfDiff(pr[j], tr[j]))
		}
	}
	return h
}

// scaling is the power-of-two scaling 2^-e of a running sum, chosen from
// the largest half-magnitude h of the values summed so far (scaleExp).
// The zero value is the scaling of no value.
type scaling struct {
	h float64
	e int
}

// see records half-magnitudes up to h and returns the exponent before,
// from which sums taken so far are to be rescaled to s.e. The exponent
// only grows once a value other than 0 has been seen, so a rescaled sum
// loses only what is negligible beside the new values.
func (s *scaling) see(h float64) (old int) {
	old = s.e
	if h > s.h {
		s.h, s.e = h, scaleExp(h)
	}
	return old
}

// RMSE is the streaming root mean squared error over every entry of the
// predictions: sqrt(Σ(pred−y)² / (samples·outputs)), the square root of the
// mean squared error pooled over all outputs. With one output it equals
// scikit-learn's mean_squared_error(squared=False); with several it is the
// square root of mean_squared_error, not the mean of per-output RMSEs
// that scikit-learn's squared=False averages (RegressionReport gives
// those per output; see docs/conventions.md). It reads y.Values, which
// must have the shape of pred.
//
// The sum of squares is scaled by a power of two when the errors are
// beyond 2^±400 in magnitude, so that Value is finite whenever the RMSE is
// a finite float64 (targets near 1e300 included); it is +Inf only when the
// RMSE itself exceeds the largest float64.
//
// The zero value is ready to use; Update allocates nothing.
type RMSE struct {
	valueMetric
	sum float64 // Σ((pred−y)·2^-sc.e)²
	sc  scaling
	n   int
}

// valueMetric supplies the capability every regression metric of the
// package shares: it reads real-valued targets.
type valueMetric struct{}

// ReadsTargets returns RealValues.
func (valueMetric) ReadsTargets() TargetKind { return RealValues }

// Goal returns Minimize.
func (*RMSE) Goal() Goal { return Minimize }

// Name returns "rmse".
func (*RMSE) Name() string { return "rmse" }

// Reset forgets every sample seen so far.
func (m *RMSE) Reset() { m.sum, m.sc, m.n = 0, scaling{}, 0 }

// Update adds the entries of one batch. It panics with an error wrapping
// ErrShape when y.Values is nil or its shape differs from pred's.
func (m *RMSE) Update(pred *mat.Dense, y Targets) {
	checkMetricValues("rmse", pred, y.Values)
	r, c := pred.Dims()
	if r == 0 || c == 0 {
		return
	}
	old := m.sc.see(batchHalfDiff(pred, y.Values, 0, c))
	m.sum = rescale(m.sum, old, m.sc.e, 2)
	for i := range r {
		pr := pred.RawRowView(i)
		tr := y.Values.RawRowView(i)
		for j, v := range pr {
			d := scaledDiff(v, tr[j], m.sc.e)
			m.sum += float64(d * d)
		}
	}
	m.n += r * c
}

// Value returns the RMSE since the last Reset, or NaN when no entry has been
// seen.
func (m *RMSE) Value() float64 {
	if m.n == 0 {
		return math.NaN()
	}
	return math.Ldexp(math.Sqrt(m.sum/float64(m.n)), m.sc.e)
}

// MAE is the streaming mean absolute error over every entry of the
// predictions: Σ|pred−y| / (samples·outputs), which equals scikit-learn's
// mean_absolute_error with multioutput="uniform_average" (docs/conventions.md). It reads y.Values,
// which must have the shape of pred. As RMSE, it is finite whenever the
// mean absolute error is a finite float64.
//
// The zero value is ready to use; Update allocates nothing.
type MAE struct {
	valueMetric
	sum float64 // Σ|pred−y|·2^-sc.e
	sc  scaling
	n   int
}

// Goal returns Minimize.
func (*MAE) Goal() Goal { return Minimize }

// Name returns "mae".
func (*MAE) Name() string { return "mae" }

// Reset forgets every sample seen so far.
func (m *MAE) Reset() { m.sum, m.sc, m.n = 0, scaling{}, 0 }

// Update adds the entries of one batch. It panics with an error wrapping
// ErrShape when y.Values is nil or its shape differs from pred's.
func (m *MAE) Update(pred *mat.Dense, y Targets) {
	checkMetricValues("mae", pred, y.Values)
	r, c := pred.Dims()
	if r == 0 || c == 0 {
		return
	}
	old := m.sc.see(batchHalfDiff(pred, y.Values, 0, c))
	m.sum = rescale(m.sum, old, m.sc.e, 1)
	for i := range r {
		pr := pred.RawRowView(i)
		tr := y.Values.RawRowView(i)
		for j, v := range pr {
			m.sum += math.Abs(scaledDiff(v, tr[j], m.sc.e))
		}
	}
	m.n += r * c
}

// Value returns the MAE since the last Reset, or NaN when no entry has been
// seen.
func (m *MAE) Value() float64 {
	if m.n == 0 {
		return math.NaN()
	}
	return math.Ldexp(m.sum/float64(m.n), m.sc.e)
}

// R2 is the streaming coefficient of determination, averaged over outputs as
// scikit-learn's r2_score with multioutput="uniform_average": for each
// output column j, R²ⱼ = 1 − SS_res/SS_tot with SS_res = Σ(yᵢⱼ − predᵢⱼ)² and
// SS_tot = Σ(yᵢⱼ − ȳⱼ)², and Value is the mean of R²ⱼ over the columns. A
// column with SS_tot = 0 scores 1 when it is predicted exactly and 0
// otherwise (scikit-learn's force_finite=True). It reads y.Values, which must
// have the shape of pred. See docs/conventions.md.
//
// Each batch's mean and SS_tot are taken in two passes, as scikit-learn
// takes them, about an origin shifted to the first target seen, and
// batches are combined by Chan, Golub and LeVeque's update, so that SS_tot
// stays accurate when the targets have a large offset from zero and
// whatever the batches. The sums
// are scaled by powers of two beyond 2^±400 (targets near 1e300 or
// 1e-300), so that Value is finite whenever R² is a finite float64.
//
// The zero value is ready to use. Update allocates only on the first batch
// after the zero value or when the number of outputs grows after a Reset.
type R2 struct {
	valueMetric
	n      int
	shift  []float64 // the origin of mean, per column, ·2^-ey
	mean   []float64 // mean of y − shift per column, ·2^-ey
	m2     []float64 // Σ(y − mean)² per column, ·2^-2ey
	ssRes  []float64 // Σ(y − pred)² per column, ·2^-2er
	sy, sr []scaling // the scalings of the targets and the residuals per column
	buf    []float64 // the R² of each column, for Value
}

// Goal returns Maximize.
func (*R2) Goal() Goal { return Maximize }

// Name returns "r2".
func (*R2) Name() string { return "r2" }

// Reset forgets every sample seen so far, keeping the per-column storage.
func (m *R2) Reset() {
	m.n = 0
	m.mean = m.mean[:0]
}

// Update adds the rows of one batch. It panics with an error wrapping
// ErrShape when y.Values is nil, when its shape differs from pred's, or when
// the number of columns differs from earlier batches since the last Reset.
func (m *R2) Update(pred *mat.Dense, y Targets) {
	checkMetricValues("r2", pred, y.Values)
	r, c := pred.Dims()
	if r == 0 {
		return
	}
	if m.n == 0 {
		m.mean = zeroedFloats(m.mean, c)
		m.shift = zeroedFloats(m.shift, c)
		m.m2 = zeroedFloats(m.m2, c)
		m.ssRes = zeroedFloats(m.ssRes, c)
		m.buf = zeroedFloats(m.buf, c)
		m.sy = zeroedScalings(m.sy, c)
		m.sr = zeroedScalings(m.sr, c)
	} else if len(m.mean) != c {
		shapePanic("r2", "%d outputs after batches with %d", c, len(m.mean))
	}
	yv := y.Values
	for j := range c {
		// The scalings of this column, from the batch's magnitudes.
		var hy float64
		for i := range r {
			hy = max(hy, math.Abs(float64(yv.At(i, j)/2)))
		}
		if old := m.sy[j].see(hy); old != m.sy[j].e && m.n > 0 {
			// SS_tot does not depend on the origin: take the rescaled
			// mean as the new one.
			m.shift[j] = rescale(m.shift[j]+m.mean[j], old, m.sy[j].e, 1)
			m.mean[j] = 0
			m.m2[j] = rescale(m.m2[j], old, m.sy[j].e, 2)
		}
		old := m.sr[j].see(batchHalfDiff(pred, yv, j, j+1))
		m.ssRes[j] = rescale(m.ssRes[j], old, m.sr[j].e, 2)
		ey, er := m.sy[j].e, m.sr[j].e
		at := func(i int) float64 { return math.Ldexp(yv.At(i, j), -ey) }
		if ey == 0 {
			at = func(i int) float64 { return yv.At(i, j) }
		}
		if m.n == 0 {
			m.shift[j] = at(0)
		}
		k := m.shift[j]
		var sum, ss, res float64
		for i := range r {
			sum += at(i) - k
		}
		mean := sum / float64(r)
		for i := range r {
			d := (at(i) - k) - mean
			ss += float64(d * d)
			e := scaledDiff(yv.At(i, j), pred.At(i, j), er)
			res += float64(e * e)
		}
		m.ssRes[j] += res
		if m.n == 0 {
			m.mean[j], m.m2[j] = mean, ss
			continue
		}
		// Chan, Golub and LeVeque's combination of two partial sums.
		na, nb := float64(m.n), float64(r)
		delta := mean - m.mean[j]
		m.mean[j] += float64(delta * nb / (na + nb))
		m.m2[j] += ss + float64(delta*delta*na*nb/(na+nb))
	}
	m.n += r
}

// zeroedFloats returns s with length n and every element zero, reusing its
// storage when the capacity suffices.
func zeroedFloats(s []float64, n int) []float64 {
	if cap(s) >= n {
		s = s[:n]
	} else {
		s = make([]float64, n)
	}
	clear(s)
	return s
}

// zeroedScalings is zeroedFloats for scalings.
func zeroedScalings(s []scaling, n int) []scaling {
	if cap(s) >= n {
		s = s[:n]
	} else {
		s = make([]scaling, n)
	}
	clear(s)
	return s
}

// Value returns the mean R² over output columns since the last Reset, or NaN
// when fewer than two samples have been seen (R² is not defined there, as in
// scikit-learn). It is -Inf only when an output's R² is below
// -math.MaxFloat64. It allocates nothing.
func (m *R2) Value() float64 {
	if m.n < 2 {
		return math.NaN()
	}
	for j := range m.mean {
		m.buf[j] = m.column(j)
	}
	return fmath.PairwiseSum(m.buf) / float64(len(m.buf))
}

// column returns the R² of output column j.
func (m *R2) column(j int) float64 {
	tot, res := m.m2[j], m.ssRes[j]
	switch {
	case tot != 0:
		return 1 - math.Ldexp(res/tot, 2*(m.sr[j].e-m.sy[j].e))
	case res == 0:
		return 1
	}
	return 0
}
