package mlp

import (
	"fmt"

	"gonum.org/v1/gonum/mat"
)

// FittedMLP is what MLPClassifier.Fit and MLPRegressor.Fit return: the
// trained net with everything between a raw table and a prediction, and how
// training went. Its methods do not change it and are safe for concurrent
// use.
type FittedMLP struct {
	task    Task
	targets []string
	prep    *Preprocessor
	enc     *LabelEncoder // classification
	ts      *TargetScaler // regression
	net     *Sequential
	history *History
}

var _ Scorer = (*FittedMLP)(nil)

func newFittedMLP(task Task, t *Table, prep *Preprocessor, enc *LabelEncoder, ts *TargetScaler, run *mlpRun) (*FittedMLP, error) {
	return &FittedMLP{
		task:    task,
		targets: t.TargetNames(),
		prep:    prep,
		enc:     enc,
		ts:      ts,
		net:     run.net,
		history: run.history,
	}, nil
}

// Task returns Classification or Regression.
func (f *FittedMLP) Task() Task { return f.task }

// Classes returns the class names in the order of the net's outputs (nil
// for a regressor), in a new slice: scikit-learn's classes_.
func (f *FittedMLP) Classes() []string {
	if f.enc == nil {
		return nil
	}
	return append([]string(nil), f.enc.Classes...)
}

// NIter returns the number of epochs trained, scikit-learn's n_iter_.
func (f *FittedMLP) NIter() int { return len(f.history.Epochs) }

// History returns a copy of the training history: per epoch, the training
// loss (with the L2 penalty, as scikit-learn's loss_curve_; for a regressor
// on the standardized targets) and, with EarlyStopping, the validation
// score under "val_accuracy" or "val_r2".
func (f *FittedMLP) History() *History {
	h := &History{MetricNames: append([]string(nil), f.history.MetricNames...), Epochs: make([]Epoch, len(f.history.Epochs))}
	for i, e := range f.history.Epochs {
		e.Metrics = append([]float64(nil), e.Metrics...)
		e.ValMetrics = append([]float64(nil), e.ValMetrics...)
		h.Epochs[i] = e
	}
	return h
}

// outputs returns the net's output for the feature columns of t: class
// probabilities (rows × classes), or predictions in the targets' units
// (rows × targets).
func (f *FittedMLP) outputs(t *Table) (*mat.Dense, error) {
	x, err := f.prep.Transform(t)
	if err != nil {
		return nil, err
	}
	out, err := f.net.PredictProba(x)
	if err != nil {
		return nil, err
	}
	if f.ts != nil {
		return f.ts.Inverse(out)
	}
	return out, nil
}

// PredictClasses returns the predicted class name of each row of t. Its
// errors are those of preprocessing t (a missing column, text in a numeric
// column), and one wrapping ErrSetting for a regressor.
func (f *FittedMLP) PredictClasses(t *Table) ([]string, error) {
	if f.enc == nil {
		return nil, fmt.Errorf("%w: PredictClasses: the model is a regressor; use PredictValues", ErrSetting)
	}
	p, err := f.outputs(t)
	if err != nil {
		return nil, err
	}
	idx := Classify(p, nil)
	out := make([]string, len(idx))
	for i, k := range idx {
		out[i] = f.enc.Classes[k]
	}
	return out, nil
}

// PredictValues returns the predictions of a regressor for the rows of t,
// rows × targets, in the targets' units. Its errors are those of
// PredictClasses, with ErrSetting for a classifier.
func (f *FittedMLP) PredictValues(t *Table) (*mat.Dense, error) {
	if f.ts == nil {
		return nil, fmt.Errorf("%w: PredictValues: the model is a classifier; use PredictClasses", ErrSetting)
	}
	return f.outputs(t)
}

// Score returns scikit-learn's score on t: for a classifier the accuracy,
// the fraction of rows whose predicted class is the target's (a label the
// model never saw counts as a mistake); for a regressor R², averaged over
// the targets (r2_score's "uniform_average"). It returns an error wrapping
// ErrData when t lacks the target columns the model was trained on or has
// a missing target, and the errors of prediction.
func (f *FittedMLP) Score(t *Table) (float64, error) {
	if t == nil || t.Rows() == 0 {
		return 0, fmt.Errorf("%w: Score: the table has no rows", ErrData)
	}
	if len(t.Targets) != len(f.targets) {
		return 0, fmt.Errorf("%w: Score: the table has %d target columns, the model was trained on %d (%s)",
			ErrData, len(t.Targets), len(f.targets), listNames(f.targets))
	}
	if f.enc != nil {
		pred, err := f.PredictClasses(t)
		if err != nil {
			return 0, err
		}
		right := 0
		for i, p := range pred {
			name, ok := labelText(&t.Targets[0], i)
			if !ok {
				return 0, fmt.Errorf("%w: Score: target column %s has no label in row %d (0-based)", ErrData, quote(t.Targets[0].Name), i)
			}
			if name == p {
				right++
			}
		}
		return float64(right) / float64(len(pred)), nil
	}
	pred, err := f.PredictValues(t)
	if err != nil {
		return 0, err
	}
	y, err := t.TargetValues()
	if err != nil {
		return 0, err
	}
	rep, err := NewRegressionReport(pred, y, f.targets)
	if err != nil {
		return 0, err
	}
	return rep.R2(), nil
}
