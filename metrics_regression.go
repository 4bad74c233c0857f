package mlp

import (
	"math"

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

// RMSE is the streaming root mean squared error over every entry of the
// predictions: sqrt(Σ(pred−y)² / (samples·outputs)), the square root of the
// mean squared error pooled over all outputs. With one output it equals
// scikit-learn's root_mean_squared_error; with several it is the square root
// of mean_squared_error, not the mean of per-output RMSEs. It reads
// y.Values, which must have the shape of pred.
//
// The zero value is ready to use; Update allocates nothing.
type RMSE struct {
	valueMetric
	sum float64
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
func (m *RMSE) Reset() { m.sum, m.n = 0, 0 }

// Update adds the entries of one batch. It panics with an error wrapping
// ErrShape when y.Values is nil or its shape differs from pred's.
func (m *RMSE) Update(pred *mat.Dense, y Targets) {
	checkMetricValues("rmse", pred, y.Values)
	r, c := pred.Dims()
	for i := range r {
		pr := pred.RawRowView(i)
		tr := y.Values.RawRowView(i)
		for j, v := range pr {
			e := v - tr[j]
			m.sum += float64(e * e)
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
	return math.Sqrt(m.sum / float64(m.n))
}

// MAE is the streaming mean absolute error over every entry of the
// predictions: Σ|pred−y| / (samples·outputs), which equals scikit-learn's
// mean_absolute_error with multioutput="uniform_average". It reads y.Values,
// which must have the shape of pred.
//
// The zero value is ready to use; Update allocates nothing.
type MAE struct {
	valueMetric
	sum float64
	n   int
}

// Goal returns Minimize.
func (*MAE) Goal() Goal { return Minimize }

// Name returns "mae".
func (*MAE) Name() string { return "mae" }

// Reset forgets every sample seen so far.
func (m *MAE) Reset() { m.sum, m.n = 0, 0 }

// Update adds the entries of one batch. It panics with an error wrapping
// ErrShape when y.Values is nil or its shape differs from pred's.
func (m *MAE) Update(pred *mat.Dense, y Targets) {
	checkMetricValues("mae", pred, y.Values)
	r, c := pred.Dims()
	for i := range r {
		pr := pred.RawRowView(i)
		tr := y.Values.RawRowView(i)
		for j, v := range pr {
			m.sum += math.Abs(v - tr[j])
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
	return m.sum / float64(m.n)
}

// R2 is the streaming coefficient of determination, averaged over outputs as
// scikit-learn's r2_score with multioutput="uniform_average": for each
// output column j, R²ⱼ = 1 − SS_res/SS_tot with SS_res = Σ(yᵢⱼ − predᵢⱼ)² and
// SS_tot = Σ(yᵢⱼ − ȳⱼ)², and Value is the mean of R²ⱼ over the columns. A
// column with SS_tot = 0 scores 1 when it is predicted exactly and 0
// otherwise (scikit-learn's force_finite=True). It reads y.Values, which must
// have the shape of pred.
//
// SS_tot is accumulated with Welford's update of the running mean, so it
// stays accurate when the targets have a large offset from zero.
//
// The zero value is ready to use. Update allocates only on the first batch
// after the zero value or when the number of outputs grows after a Reset.
type R2 struct {
	valueMetric
	n     int
	mean  []float64 // running mean of y per column
	m2    []float64 // Σ(y − mean)² per column
	ssRes []float64 // Σ(y − pred)² per column
}

// Goal returns Maximize.
func (*R2) Goal() Goal { return Maximize }

// Name returns "r2".
func (*R2) Name() string { return "r2" }

// Reset forgets every sample seen so far, keeping the per-column storage.
func (m *R2) Reset() {
	m.n = 0
	m.mean = m.mean[:0]
	m.m2 = m.m2[:0]
	m.ssRes = m.ssRes[:0]
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
		m.m2 = zeroedFloats(m.m2, c)
		m.ssRes = zeroedFloats(m.ssRes, c)
	} else if len(m.mean) != c {
		shapePanic("r2", "%d outputs after batches with %d", c, len(m.mean))
	}
	for i := range r {
		m.n++
		inv := 1 / float64(m.n)
		pr := pred.RawRowView(i)
		tr := y.Values.RawRowView(i)
		for j, v := range tr {
			d := v - m.mean[j]
			m.mean[j] += float64(d * inv)
			m.m2[j] += float64(d * (v - m.mean[j]))
			e := v - pr[j]
			m.ssRes[j] += float64(e * e)
		}
	}
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

// Value returns the mean R² over output columns since the last Reset, or NaN
// when fewer than two samples have been seen (R² is not defined there, as in
// scikit-learn).
func (m *R2) Value() float64 {
	if m.n < 2 {
		return math.NaN()
	}
	sum := 0.0
	for j, tot := range m.m2 {
		res := m.ssRes[j]
		switch {
		case tot != 0:
			sum += 1 - res/tot
		case res == 0:
			sum++
		}
	}
	return sum / float64(len(m.m2))
}
