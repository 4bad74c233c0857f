package tabular

import (
	"context"
	"fmt"
	"math"
	"slices"

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
	return c.FitWeighted(ctx, t, nil)
}

// FitWeighted is Fit with a weight per row of t (nil for none), scikit-learn
// 1.7's fit(X, y, sample_weight): row i counts sampleWeight[i] times in
// the training loss, whose value on each mini-batch is
//
//	Σ_i s_i·l_i / Σ_i s_i + 0.5·Alpha·Σ‖W‖² / Σ_i s_i
//
// with s_i = sampleWeight[i]·ClassWeight[class of row i] over the batch's
// rows. With EarlyStopping the held-out rows keep their sample weights
// (not the class weights) in the validation loss; the validation score is
// unweighted. The weights are not changed or kept.
//
// Besides Fit's errors it returns one wrapping ErrData when sampleWeight
// does not hold one finite, non-negative weight per row, or the weights
// are all zero, and one wrapping ErrSetting for a ClassWeight key that is
// not a class of the target.
func (c MLPClassifier) FitWeighted(ctx context.Context, t *Table, sampleWeight []float64) (*FittedMLP, error) {
	d, err := MLPSettings(c).resolveWarm("MLPClassifier", Classification)
	if err != nil {
		return nil, err
	}
	if err := checkTargets("MLPClassifier", t, 1); err != nil {
		return nil, err
	}
	if err := checkSampleWeight("MLPClassifier", sampleWeight, t.Rows()); err != nil {
		return nil, err
	}
	target := &t.Targets[0]
	if _, _, err := InferTask(target, Classification); err != nil {
		return nil, fmt.Errorf("MLPClassifier: %w", err)
	}
	enc, labels, err := d.warmLabels(target)
	if err != nil {
		return nil, err
	}
	prep, x, err := d.warmFeatures(t)
	if err != nil {
		return nil, err
	}
	cw, err := d.classWeights(enc.Classes, labels)
	if err != nil {
		return nil, err
	}
	outputs, last, loss := len(enc.Classes), mlp.Layer(&mlp.Softmax{}), mlp.Loss(&mlp.CrossEntropy{})
	if outputs == 2 {
		outputs, last, loss = 1, &mlp.Sigmoid{}, &mlp.BinaryCrossEntropy{}
	}
	var monitor *mlp.Dataset
	if d.Monitor != nil {
		if monitor, err = monitorData(&d, d.Monitor, t.TargetNames(), prep, func(m *Table) (mlp.Targets, error) {
			l, err := enc.Transform(&m.Targets[0])
			return mlp.Targets{Labels: l}, err
		}); err != nil {
			return nil, err
		}
	}
	run, err := d.train(ctx, x, mlp.Targets{Labels: labels, Weights: sampleWeight}, cw, monitor, outputs, last, loss, &mlp.Accuracy{})
	if err != nil {
		return nil, err
	}
	run.classWeight = cw
	run.prov = newProvenance(&d, t, run)
	if sampleWeight != nil {
		run.prov.Settings["sample_weight"] = "given"
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
	return r.FitWeighted(ctx, t, nil)
}

// FitWeighted is Fit with a weight per row of t (nil for none), as
// MLPClassifier.FitWeighted describes: the training loss on each
// mini-batch is Σ_i s_i·l_i / Σ_i s_i + 0.5·Alpha·Σ‖W‖² / Σ_i s_i with l_i
// row i's squared error (halved, averaged over the targets). The target
// scaling is learnt unweighted. ClassWeight and BalancedClassWeight are
// errors for a regressor.
func (r MLPRegressor) FitWeighted(ctx context.Context, t *Table, sampleWeight []float64) (*FittedMLP, error) {
	d, err := MLPSettings(r).resolveWarm("MLPRegressor", Regression)
	if err != nil {
		return nil, err
	}
	if d.ClassWeight != nil || d.BalancedClassWeight {
		return nil, fmt.Errorf("%w: MLPRegressor.ClassWeight and BalancedClassWeight weigh classes; a regressor has none (give sample weights to FitWeighted)", mlp.ErrSetting)
	}
	if err := checkTargets("MLPRegressor", t, 0); err != nil {
		return nil, err
	}
	if err := checkSampleWeight("MLPRegressor", sampleWeight, t.Rows()); err != nil {
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
	ts, err := d.warmTargetScaler(y)
	if err != nil {
		return nil, err
	}
	ys, err := ts.Transform(y)
	if err != nil {
		return nil, err
	}
	prep, x, err := d.warmFeatures(t)
	if err != nil {
		return nil, err
	}
	var monitor *mlp.Dataset
	if d.Monitor != nil {
		if monitor, err = monitorData(&d, d.Monitor, t.TargetNames(), prep, func(m *Table) (mlp.Targets, error) {
			y, err := m.TargetValues()
			if err != nil {
				return mlp.Targets{}, err
			}
			ys, err := ts.Transform(y)
			return mlp.Targets{Values: ys}, err
		}); err != nil {
			return nil, err
		}
	}
	run, err := d.train(ctx, x, mlp.Targets{Values: ys, Weights: sampleWeight}, nil, monitor, len(t.Targets), nil, &squaredLoss{}, &mlp.R2{})
	if err != nil {
		return nil, err
	}
	run.prov = newProvenance(&d, t, run)
	if sampleWeight != nil {
		run.prov.Settings["sample_weight"] = "given"
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

// checkSampleWeight returns an error wrapping ErrData unless w is nil or
// holds n finite, non-negative weights with a positive sum.
func checkSampleWeight(estimator string, w []float64, n int) error {
	if w == nil {
		return nil
	}
	if len(w) != n {
		return fmt.Errorf("%w: %s.FitWeighted: %d sample weights for a table of %d rows", mlp.ErrData, estimator, len(w), n)
	}
	var sum float64
	for i, v := range w {
		if !(v >= 0) || math.IsInf(v, 1) {
			return fmt.Errorf("%w: %s.FitWeighted: sample weight %v of row %d (0-based) is not a finite number ≥ 0", mlp.ErrData, estimator, v, i)
		}
		sum += v
	}
	if !(sum > 0) || math.IsInf(sum, 1) {
		return fmt.Errorf("%w: %s.FitWeighted: the sample weights sum to %v; want a finite sum above 0", mlp.ErrData, estimator, sum)
	}
	return nil
}

// BalancedClassWeights returns the weight n/(k·n_c) of each class c in
// [0, k) for the n labels given, n_c of them equal to c:
// scikit-learn's compute_class_weight("balanced"), under which every class
// carries the same total weight n/k. It returns an error wrapping ErrData
// for k < 1, a label outside [0, k), or a class without rows (whose weight
// would be infinite).
func BalancedClassWeights(labels []int, k int) ([]float64, error) {
	if k < 1 {
		return nil, fmt.Errorf("%w: BalancedClassWeights: %d classes", mlp.ErrData, k)
	}
	count := make([]int, k)
	for i, l := range labels {
		if l < 0 || l >= k {
			return nil, fmt.Errorf("%w: BalancedClassWeights: label %d of row %d is outside [0, %d)", mlp.ErrData, l, i, k)
		}
		count[l]++
	}
	w := make([]float64, k)
	for c, n := range count {
		if n == 0 {
			return nil, fmt.Errorf("%w: BalancedClassWeights: class %d has no rows", mlp.ErrData, c)
		}
		w[c] = float64(len(labels)) / (float64(k) * float64(n))
	}
	return w, nil
}

// classWeights returns the weight of each class index for the class names
// given (nil when neither ClassWeight nor BalancedClassWeight is set), or
// an error wrapping ErrSetting for a ClassWeight key that names no class.
func (d *mlpDefaults) classWeights(classes []string, labels []int) ([]float64, error) {
	if d.BalancedClassWeight {
		return BalancedClassWeights(labels, len(classes))
	}
	if d.ClassWeight == nil {
		return nil, nil
	}
	index := make(map[string]int, len(classes))
	w := make([]float64, len(classes))
	for i, c := range classes {
		index[c] = i
		w[i] = 1
	}
	keys := make([]string, 0, len(d.ClassWeight))
	for name := range d.ClassWeight {
		keys = append(keys, name)
	}
	slices.Sort(keys)
	for _, name := range keys {
		i, ok := index[name]
		if !ok {
			return nil, fmt.Errorf("%w: %s.ClassWeight names class %s; the target's classes are %s", mlp.ErrSetting, d.name, quote(name), listNames(classes))
		}
		w[i] = d.ClassWeight[name]
	}
	return w, nil
}

// monitorData returns the rows of m preprocessed by prep, with the targets
// targets gives, or an error naming MLPSettings.Monitor when m lacks the
// training table's target columns, has no rows, or cannot be transformed.
func monitorData(d *mlpDefaults, m *Table, want []string, prep *Preprocessor, targets func(*Table) (mlp.Targets, error)) (*mlp.Dataset, error) {
	field := d.name + ".Monitor"
	switch {
	case m.Rows() == 0:
		return nil, fmt.Errorf("%w: %s has no rows", mlp.ErrData, field)
	case !slices.Equal(m.TargetNames(), want):
		return nil, fmt.Errorf("%w: %s has the target columns %s; the training table has %s", mlp.ErrData, field, listNames(m.TargetNames()), listNames(want))
	}
	x, err := prep.Transform(m)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", field, err)
	}
	y, err := targets(m)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", field, err)
	}
	ds, err := mlp.NewDataset(x, y)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", field, err)
	}
	return ds, nil
}
