package tabular

import (
	"fmt"
	"slices"

	"gonum.org/v1/gonum/mat"

	"github.com/mlpkit/mlp"
)

// FittedMLP is what MLPClassifier.Fit and MLPRegressor.Fit return: the
// fitted Pipeline (raw table in, class names or values in the targets'
// units out) and how training went. Its methods do not change it and are
// safe for concurrent use.
type FittedMLP struct {
	pipeline *Pipeline
	targets  []string
	history  *mlp.History
	stop     Convergence
}

var _ Scorer = (*FittedMLP)(nil)

// newFittedMLP assembles the Pipeline of a trained net: the preprocessing,
// the net, and the class names (enc) or the target scaling (ts).
func newFittedMLP(t *Table, prep *Preprocessor, enc *LabelEncoder, ts *mlp.TargetScaler, run *mlpRun) (*FittedMLP, error) {
	targets := PipelineTargets{Names: t.TargetNames()}
	if enc != nil {
		targets.Classes = enc.Classes
	} else {
		targets.Scaler = &ts.StandardScaler
	}
	p, err := NewPipeline(prep, run.net, targets)
	if err != nil {
		return nil, err
	}
	p.prov = run.prov
	return &FittedMLP{pipeline: p, targets: t.TargetNames(), history: run.history, stop: run.stop}, nil
}

// Pipeline returns the fitted pipeline, which Save writes to one file that
// LoadPipeline reads in another program, with the Provenance the fit
// recorded (format version 3). A Pipeline is not changed by prediction.
func (f *FittedMLP) Pipeline() *Pipeline { return f.pipeline }

// Task returns Classification or Regression.
func (f *FittedMLP) Task() Task { return f.pipeline.Task() }

// Classes returns the class names in the order of the net's outputs (nil
// for a regressor), in a new slice: scikit-learn's classes_.
func (f *FittedMLP) Classes() []string { return f.pipeline.Classes() }

// Weights returns a copy of the trained net's weights and biases in
// scikit-learn's layout (coefs_ and intercepts_; see MLPWeights), which
// MLPSettings.InitialWeights takes to continue training.
func (f *FittedMLP) Weights() *MLPWeights { return weightsOf(f.pipeline.net) }

// Convergence returns how training ended: stopped by the Tol rule, or at
// MaxIter while still improving (where scikit-learn raises its
// ConvergenceWarning), with the numbers.
func (f *FittedMLP) Convergence() Convergence { return f.stop }

// Converged reports whether the Tol rule ended training before MaxIter:
// Convergence().Converged.
func (f *FittedMLP) Converged() bool { return f.stop.Converged }

// NIter returns the number of epochs trained, scikit-learn's n_iter_.
func (f *FittedMLP) NIter() int { return len(f.history.Epochs) }

// History returns a copy of the training history: per epoch, the training
// loss (with the L2 penalty, as scikit-learn's loss_curve_; for a regressor
// on the standardized targets) and, with EarlyStopping, the validation
// score under "val_accuracy" or "val_r2".
func (f *FittedMLP) History() *mlp.History {
	h := &mlp.History{MetricNames: append([]string(nil), f.history.MetricNames...), Epochs: make([]mlp.Epoch, len(f.history.Epochs))}
	for i, e := range f.history.Epochs {
		e.Metrics = append([]float64(nil), e.Metrics...)
		e.ValMetrics = append([]float64(nil), e.ValMetrics...)
		h.Epochs[i] = e
	}
	return h
}

// Predict returns the pipeline's predictions for the rows of t, whose
// columns are matched by name: Pipeline.Predict.
func (f *FittedMLP) Predict(t *Table) (*Prediction, error) { return f.pipeline.Predict(t) }

// Score returns scikit-learn's score on t: for a classifier the accuracy,
// the fraction of rows whose predicted class is the target's (a label the
// model never saw counts as a mistake); for a regressor R², averaged over
// the targets (r2_score's "uniform_average"). It returns an error wrapping
// mlp.ErrData when t lacks the target columns the model was trained on or has
// a missing target, and the errors of prediction.
func (f *FittedMLP) Score(t *Table) (float64, error) {
	if f.Task() == Classification {
		p, labels, names, err := f.classified(t)
		if err != nil {
			return 0, err
		}
		r, err := mlp.NewClassificationReport(p.Classes, labels, names)
		if err != nil {
			return 0, err
		}
		return r.Accuracy, nil
	}
	r, err := f.RegressionReport(t)
	if err != nil {
		return 0, err
	}
	return r.R2(), nil
}

// checkScored returns an error wrapping mlp.ErrData unless t has rows and the
// target columns of the model.
func (f *FittedMLP) checkScored(t *Table, want Task) error {
	switch {
	case f.Task() != want:
		return fmt.Errorf("%w: the model is a %v model, not %v", mlp.ErrSetting, f.Task(), want)
	case t == nil || t.Rows() == 0:
		return fmt.Errorf("%w: the table has no rows", mlp.ErrData)
	case !slices.Equal(t.TargetNames(), f.targets):
		return fmt.Errorf("%w: the table's target columns are %s; the model was trained on %s",
			mlp.ErrData, listNames(t.TargetNames()), listNames(f.targets))
	}
	return nil
}

// ClassificationReport returns the classification report of a classifier
// on t: per-class precision, recall, F1 and support, named by the classes,
// with accuracy and the averages, the majority-class rate and the balanced
// accuracy, and the scores of the predicted probabilities (ROC AUC,
// average precision, log loss: mlp.ProbabilityScores). A true label the
// model never saw is added as a class of its own (with recall 0); its rows
// have no probability, so the probability scores are over the other rows
// (Probability.Rows says how many) and absent when there are none. Its
// errors are those of Score, and mlp.ErrSetting for a regressor.
func (f *FittedMLP) ClassificationReport(t *Table) (*mlp.ClassificationReport, error) {
	p, labels, names, err := f.classified(t)
	if err != nil {
		return nil, err
	}
	r, err := mlp.NewClassificationReport(p.Classes, labels, names)
	if err != nil {
		return nil, err
	}
	if r.Probability, err = knownProbability(p.Proba, labels); err != nil {
		return nil, err
	}
	return r, nil
}

// knownProbability returns the probability scores of the rows of proba
// whose label is one of its classes (below its number of columns), or nil
// when there is none.
func knownProbability(proba *mat.Dense, labels []int) (*mlp.ProbabilityScores, error) {
	_, k := proba.Dims()
	var known []int
	for i, l := range labels {
		if l < k {
			known = append(known, i)
		}
	}
	switch len(known) {
	case 0:
		return nil, nil
	case len(labels):
		return mlp.NewProbabilityScores(proba, labels)
	}
	sub, y := mat.NewDense(len(known), k, nil), make([]int, len(known))
	for r, i := range known {
		sub.SetRow(r, proba.RawRowView(i))
		y[r] = labels[i]
	}
	return mlp.NewProbabilityScores(sub, y)
}

// ConfusionMatrix returns the confusion matrix of a classifier on t,
// labelled with the class names as ClassificationReport names them.
func (f *FittedMLP) ConfusionMatrix(t *Table) (*mlp.ConfusionMatrix, error) {
	p, labels, names, err := f.classified(t)
	if err != nil {
		return nil, err
	}
	return mlp.NewConfusionMatrix(p.Classes, labels, names)
}

// classified returns the prediction of the rows of t, their true class
// indices and the class names these index: the model's classes, then the
// true labels of t the model does not know.
func (f *FittedMLP) classified(t *Table) (p *Prediction, labels []int, names []string, err error) {
	if err := f.checkScored(t, Classification); err != nil {
		return nil, nil, nil, err
	}
	p, err = f.pipeline.Predict(t)
	if err != nil {
		return nil, nil, nil, err
	}
	_, labels, names, err = classifiedRows(p, f.pipeline.Classes(), &t.Targets[0])
	if err != nil {
		return nil, nil, nil, err
	}
	return p, labels, names, nil
}

// classifiedRows returns the predicted and true class indices of the rows
// of p and target, and the class names they index: the model's classes,
// then the true labels of target the model does not know. A missing label
// is an error wrapping mlp.ErrData.
func classifiedRows(p *Prediction, classes []string, target *Column) (pred, labels []int, names []string, err error) {
	names = slices.Clone(classes)
	index := make(map[string]int, len(names))
	for i, n := range names {
		index[n] = i
	}
	labels = make([]int, len(p.Labels))
	for i := range labels {
		name, ok := labelText(target, i)
		if !ok {
			return nil, nil, nil, fmt.Errorf("%w: target column %s has no label in row %d (0-based)", mlp.ErrData, quote(target.Name), i)
		}
		k, ok := index[name]
		if !ok {
			if len(names) == mlp.MaxClasses {
				return nil, nil, nil, fmt.Errorf("%w: target column %s has more than %d distinct labels", mlp.ErrData, quote(target.Name), mlp.MaxClasses)
			}
			k = len(names)
			index[name] = k
			names = append(names, name)
		}
		labels[i] = k
	}
	return p.Classes, labels, names, nil
}

// RegressionReport returns RMSE, MAE and R² per target of a regressor on t,
// in the targets' units. Its errors are those of Score, and mlp.ErrSetting for
// a classifier.
func (f *FittedMLP) RegressionReport(t *Table) (*mlp.RegressionReport, error) {
	if err := f.checkScored(t, Regression); err != nil {
		return nil, err
	}
	p, err := f.pipeline.Predict(t)
	if err != nil {
		return nil, err
	}
	y, err := t.TargetValues()
	if err != nil {
		return nil, err
	}
	return mlp.NewRegressionReport(p.Values, y, f.targets)
}
