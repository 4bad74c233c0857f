package tabular

import (
	"context"
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"

	"github.com/mlpkit/mlp"
)

// MLPClassifier is a multi-layer perceptron classifier on the model of
// scikit-learn's MLPClassifier: its fields are MLPSettings, whose zero
// values are scikit-learn 1.2's defaults. Fit trains it on a Table in one
// call, preprocessing included:
//
//	clf := tabular.MLPClassifier{}              // hidden (100,), ReLU, Adam 1e-3, alpha 1e-4
//	model, err := clf.Fit(ctx, train)           // impute, one-hot, scale, train
//	acc, err := model.Score(test)               // accuracy
//	err = model.Pipeline().Save(f)              // one file, raw rows in, class names out
//
// For three classes or more the net ends in a Softmax over the classes and
// is trained with cross-entropy; for two it ends, as scikit-learn's, in one
// logistic output (a Sigmoid giving the probability of the second class)
// trained with binary cross-entropy, and its Pipeline gives the
// probabilities [1−p, p].
//
// An MLPClassifier is a value: Fit does not change it, and concurrent calls
// of Fit are safe (each builds its own net and random streams from Seed).
type MLPClassifier MLPSettings

// MLPRegressor is a multi-layer perceptron regressor on the model of
// scikit-learn's MLPRegressor, with MLPSettings as its fields. Fit trains
// it on a Table with one or several numeric target columns (multi-output
// regression), preprocessing included. The net ends in a Linear layer with
// one output per target and is trained with scikit-learn's squared_loss
// (half the mean squared error) on the standardized targets (an mlp.TargetScaler, which scikit-learn's MLPRegressor
// leaves to TransformedTargetRegressor); predictions and scores are in the
// targets' own units.
//
// An MLPRegressor is a value: Fit does not change it, and concurrent calls
// of Fit are safe.
type MLPRegressor MLPSettings

var (
	_ Estimator[*FittedMLP] = MLPClassifier{}
	_ Estimator[*FittedMLP] = MLPRegressor{}
)

// Fit preprocesses t's features (FitPreprocessor with c.Preprocess: match
// by name, impute, one-hot encode, standardize), numbers the classes of its
// one target column (FitLabelEncoder: text labels in byte order, numbers in
// numeric order) and trains the net as MLPSettings describes.
//
// It returns an error wrapping mlp.ErrSetting, naming the field, for a bad
// setting or a net over the size caps; one wrapping mlp.ErrData when t has no
// rows, does not have exactly one target column, the target is not class
// labels (InferTask with Classification: non-integer numbers, more than 20
// distinct integers), holds fewer than two classes, or the features cannot
// be preprocessed; the errors of mlp.Trainer.Fit (divergence, ctx.Err()).
func (c MLPClassifier) Fit(ctx context.Context, t *Table) (*FittedMLP, error) {
	d, err := MLPSettings(c).resolve("MLPClassifier")
	if err != nil {
		return nil, err
	}
	if err := checkTargets("MLPClassifier", t, 1); err != nil {
		return nil, err
	}
	target := &t.Targets[0]
	if _, _, err := InferTask(target, Classification); err != nil {
		return nil, fmt.Errorf("MLPClassifier: %w", err)
	}
	enc, err := FitLabelEncoder(target)
	if err != nil {
		return nil, err
	}
	if len(enc.Classes) < 2 {
		return nil, fmt.Errorf("%w: MLPClassifier: target column %s holds one class, %s; a classifier needs at least 2",
			mlp.ErrData, quote(target.Name), quote(enc.Classes[0]))
	}
	labels, err := enc.Transform(target)
	if err != nil {
		return nil, err
	}
	prep, x, err := fitFeatures(t, d.Preprocess)
	if err != nil {
		return nil, err
	}
	outputs, last, loss := len(enc.Classes), mlp.Layer(&mlp.Softmax{}), mlp.Loss(&mlp.CrossEntropy{})
	if outputs == 2 {
		outputs, last, loss = 1, &mlp.Sigmoid{}, &mlp.BinaryCrossEntropy{}
	}
	run, err := d.train(ctx, x, mlp.Targets{Labels: labels}, outputs, last, loss, &mlp.Accuracy{})
	if err != nil {
		return nil, err
	}
	return newFittedMLP(t, prep, enc, nil, run)
}

// Fit preprocesses t's features as MLPClassifier.Fit does, standardizes its
// target columns (mlp.FitTargetScaler) and trains the net on them as
// MLPSettings describes.
//
// Its errors are those of MLPClassifier.Fit, except that t must have at
// least one target column, each numeric (text labels are an error naming
// the column).
func (r MLPRegressor) Fit(ctx context.Context, t *Table) (*FittedMLP, error) {
	d, err := MLPSettings(r).resolve("MLPRegressor")
	if err != nil {
		return nil, err
	}
	if err := checkTargets("MLPRegressor", t, 0); err != nil {
		return nil, err
	}
	for i := range t.Targets {
		if _, _, err := InferTask(&t.Targets[i], Regression); err != nil {
			return nil, fmt.Errorf("MLPRegressor: %w", err)
		}
	}
	y, err := t.TargetValues()
	if err != nil {
		return nil, err
	}
	ts, err := mlp.FitTargetScaler(y)
	if err != nil {
		return nil, err
	}
	ys, err := ts.Transform(y)
	if err != nil {
		return nil, err
	}
	prep, x, err := fitFeatures(t, d.Preprocess)
	if err != nil {
		return nil, err
	}
	run, err := d.train(ctx, x, mlp.Targets{Values: ys}, len(t.Targets), nil, &squaredLoss{}, &mlp.R2{})
	if err != nil {
		return nil, err
	}
	return newFittedMLP(t, prep, nil, ts, run)
}

// checkTargets returns an error wrapping mlp.ErrData unless t has rows and
// exactly want target columns (at least one when want is 0).
func checkTargets(estimator string, t *Table, want int) error {
	switch {
	case t == nil || t.Rows() == 0:
		return fmt.Errorf("%w: %s.Fit: the table has no rows", mlp.ErrData, estimator)
	case len(t.Targets) == 0:
		return fmt.Errorf("%w: %s.Fit: the table has no target column; name it with CSVReader.Targets", mlp.ErrData, estimator)
	case want > 0 && len(t.Targets) != want:
		return fmt.Errorf("%w: %s.Fit: the table has %d target columns (%s); a classifier takes one", mlp.ErrData, estimator, len(t.Targets), listNames(t.TargetNames()))
	}
	return nil
}

// targetClasses returns the class index of each row of t's one target
// column, for stratified folds.
func targetClasses(t *Table) ([]int, error) {
	if len(t.Targets) != 1 {
		return nil, fmt.Errorf("%w: stratifying needs one target column; the table has %d", mlp.ErrData, len(t.Targets))
	}
	if _, _, err := InferTask(&t.Targets[0], Classification); err != nil {
		return nil, err
	}
	enc, err := FitLabelEncoder(&t.Targets[0])
	if err != nil {
		return nil, err
	}
	return enc.Transform(&t.Targets[0])
}

// labelText returns the class name of row i of a label column, as
// LabelEncoder names classes, and false for a missing cell.
func labelText(c *Column, i int) (string, bool) {
	v := c.Values[i]
	switch {
	case math.IsNaN(v):
		return "", false
	case c.Kind == Categorical:
		return c.Categories[int(v)], true
	}
	return formatNumber(v + 0), true
}

// fitFeatures fits the preprocessing of t's features on t and returns it
// with t's features preprocessed, the matrix the net of an estimator
// trains on. Its errors are those of FitPreprocessor and
// Preprocessor.Transform.
func fitFeatures(t *Table, s PreprocessSettings) (*Preprocessor, *mat.Dense, error) {
	prep, err := FitPreprocessor(t, s)
	if err != nil {
		return nil, nil, err
	}
	x, err := prep.Transform(t)
	if err != nil {
		return nil, nil, err
	}
	return prep, x, nil
}
