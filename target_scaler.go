package mlp

import (
	"fmt"

	"gonum.org/v1/gonum/mat"
)

// TargetScaler trains a regression net on standardized targets and brings
// everything it reports back to the targets' own units, as scikit-learn's
// TransformedTargetRegressor with a StandardScaler does: targets such as a
// price around 150,000 would otherwise need a learning rate small enough for
// the output bias to crawl there while the other weights take huge steps.
//
// Each target column j is standardized as (y − Mean[j]) / Std[j] with the
// mean and population standard deviation of the training targets (a
// constant column gets Std 1). TransformDataset standardizes the targets a net
// trains on; Inverse maps its predictions back; Loss and Metric wrap a
// criterion and a metric so that the values a Trainer reports (History,
// ProgressLogger, Evaluate) are in the targets' units while the gradient
// stays that of the standardized problem.
//
// The wrappers Loss and Metric return keep buffers and are not safe for
// concurrent use; the TargetScaler itself is not changed by its methods.
type TargetScaler struct {
	StandardScaler
}

// FitTargetScaler returns the TargetScaler of the targets y (rows ×
// outputs). It returns an error wrapping ErrData when y is nil or empty or
// holds NaN or Inf.
func FitTargetScaler(y *mat.Dense) (*TargetScaler, error) {
	if y == nil || y.IsEmpty() {
		return nil, fmt.Errorf("%w: FitTargetScaler: no targets", ErrData)
	}
	if err := checkFinite("target", y); err != nil {
		return nil, err
	}
	return &TargetScaler{*FitStandardScaler(y)}, nil
}

// TransformDataset returns a Dataset with the features and sample weights
// of d (shared, not copied) and its targets standardized, in a new matrix, as
// StandardScaler.TransformDataset standardizes the features. It returns an error wrapping
// ErrData when d has no real-valued targets or their columns differ from
// the scaler's.
func (s *TargetScaler) TransformDataset(d *Dataset) (*Dataset, error) {
	if d == nil || d.Y.Values == nil {
		return nil, fmt.Errorf("%w: TargetScaler.TransformDataset: the data set has no real-valued targets", ErrData)
	}
	y, err := s.Transform(d.Y.Values)
	if err != nil {
		return nil, err
	}
	out, err := NewDataset(d.X, Targets{Values: y, Weights: d.Y.Weights})
	if err != nil {
		return nil, err
	}
	out.FeatureNames = d.FeatureNames
	return out, nil
}

// Inverse returns pred·Std + Mean, column by column, in a new matrix: a
// net's standardized predictions in the targets' units. It returns an
// error wrapping ErrData when pred is nil or its columns differ from the
// scaler's, and one wrapping ErrSetting when the scaler's fields are not
// usable.
func (s *TargetScaler) Inverse(pred mat.Matrix) (*mat.Dense, error) {
	if isNil(pred) {
		return nil, fmt.Errorf("%w: TargetScaler.Inverse: nil matrix", ErrData)
	}
	if err := s.Validate(); err != nil {
		return nil, err
	}
	r, c := pred.Dims()
	if c != len(s.Mean) {
		return nil, fmt.Errorf("%w: TargetScaler.Inverse: %d columns, the scaler was fitted on %d targets", ErrData, c, len(s.Mean))
	}
	out := mat.NewDense(r, c, nil)
	s.inverseInto(out, pred)
	return out, nil
}

// inverseInto writes src·Std + Mean into dst, which has src's shape.
func (s *TargetScaler) inverseInto(dst *mat.Dense, src mat.Matrix) {
	r, c := src.Dims()
	for i := range r {
		row := dst.RawRowView(i)
		for j := range c {
			row[j] = float64(src.At(i, j)*s.Std[j]) + s.Mean[j]
		}
	}
}

// unscaled holds a buffer for the targets' units and maps a batch into it.
type unscaled struct {
	s       *TargetScaler
	pred, y mat.Dense
}

// batch returns pred and y in the targets' units, in the buffers of u.
// Targets without values (class labels) are passed through, so that the
// wrapped loss or metric gives its own error.
func (u *unscaled) batch(pred *mat.Dense, y Targets) (*mat.Dense, Targets) {
	if y.Values == nil {
		return pred, y
	}
	into := func(dst, src *mat.Dense) *mat.Dense {
		r, c := src.Dims()
		if c != len(u.s.Mean) {
			return src // the wrapped criterion reports the shape
		}
		if dr, dc := dst.Dims(); dr != r || dc != c {
			dst.Reset()
			dst.ReuseAs(r, c)
		}
		u.s.inverseInto(dst, src)
		return dst
	}
	return into(&u.pred, pred), Targets{Values: into(&u.y, y.Values), Weights: y.Weights}
}

// Loss returns a Loss whose gradient is l's on the standardized targets and
// whose value is l's in the targets' units: l.Loss(Inverse(pred),
// Inverse(y)). For MSE with one target that is the standardized loss times
// Std². Its buffers grow to the largest batch.
func (s *TargetScaler) Loss(l Loss) Loss {
	return &targetUnitsLoss{base: l, u: unscaled{s: s}}
}

// Metric returns a Metric that gives m the predictions and targets of each
// batch in the targets' units. It keeps m's Name and Goal.
func (s *TargetScaler) Metric(m Metric) Metric {
	t := &targetUnitsMetric{m: m, u: unscaled{s: s}}
	if g, ok := m.(Goaler); ok {
		return &targetUnitsGoalMetric{t, g}
	}
	return t
}

type targetUnitsLoss struct {
	base Loss
	u    unscaled
}

var (
	_ Loss          = (*targetUnitsLoss)(nil)
	_ TargetReader  = (*targetUnitsLoss)(nil)
	_ WeightReader  = (*targetUnitsLoss)(nil)
	_ BatchWeighter = (*targetUnitsLoss)(nil)
)

func (l *targetUnitsLoss) ReadsWeights() bool { return readsWeights(l.base) }

func (l *targetUnitsLoss) BatchWeight(y Targets) float64 { return batchWeight(l.base, y) }

func (l *targetUnitsLoss) Loss(pred *mat.Dense, y Targets) float64 {
	p, t := l.u.batch(pred, y)
	return l.base.Loss(p, t)
}

func (l *targetUnitsLoss) Grad(pred *mat.Dense, y Targets) *mat.Dense { return l.base.Grad(pred, y) }

func (l *targetUnitsLoss) ReadsTargets() TargetKind { return RealValues }

func (l *targetUnitsLoss) String() string { return describe(l.base) + " in target units" }

type targetUnitsMetric struct {
	m Metric
	u unscaled
}

var (
	_ Metric       = (*targetUnitsMetric)(nil)
	_ Goaler       = (*targetUnitsGoalMetric)(nil)
	_ TargetReader = (*targetUnitsMetric)(nil)
)

func (t *targetUnitsMetric) Name() string   { return t.m.Name() }
func (t *targetUnitsMetric) Reset()         { t.m.Reset() }
func (t *targetUnitsMetric) Value() float64 { return t.m.Value() }

func (t *targetUnitsMetric) Update(pred *mat.Dense, y Targets) {
	p, v := t.u.batch(pred, y)
	t.m.Update(p, v)
}

// targetUnitsGoalMetric is a targetUnitsMetric of a metric that says its
// Goal.
type targetUnitsGoalMetric struct {
	*targetUnitsMetric
	g Goaler
}

func (t *targetUnitsGoalMetric) Goal() Goal { return t.g.Goal() }

func (t *targetUnitsMetric) ReadsTargets() TargetKind { return RealValues }
