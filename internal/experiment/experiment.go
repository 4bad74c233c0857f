// Package experiment is the pipeline shared by the example programs under
// examples/ and by the quality tests: read a CSV data set, split it into a
// training and a validation part, standardize the features with statistics
// of the training part, train a feedforward net with SGD, and score it on
// the validation part.
//
// # Tasks
//
// A Task says what the target column holds and so how the net ends and is
// trained. For Classification the target is an integer class label; the
// net ends in a Softmax and is trained with cross-entropy and scored by
// accuracy. For Regression the target is a real value; the net ends in a
// Linear layer with one output and is trained with mean squared error and
// scored by RMSE and R².
//
// For regression the target is standardized as well, with the mean and
// standard deviation of the training part (Data.TargetScaler), and the net
// is trained to predict the standardized value: targets such as the
// diabetes progression score, around 150 with a spread of 77, would
// otherwise need a learning rate small enough for the output bias to crawl
// to 150 while the other weights take steps of thousands. Everything
// reported is in the target's own units: the training and validation losses
// of the history (multiplied by the variance of the training targets), the
// metrics and the predictions.
//
// # Seeds
//
// One seed drives everything random, through three PCG streams derived from
// it: rand.NewPCG(seed, 1) draws the split, rand.NewPCG(seed, 2) the initial
// weights and rand.NewPCG(seed, 3) the order of the training batches. Each
// model trained on a Data gets fresh streams, so two models trained on the
// same Data see the same split, and the same seed gives the same output.
//
// # Programs
//
// Main holds the flag parsing and output of the example programs, so that
// each examples/<name>/main.go only names its data set and defaults.
package experiment

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"strings"

	"gonum.org/v1/gonum/mat"

	"github.com/mlpkit/mlp"
)

// Task is the kind of problem a data set poses. The zero value is
// Classification.
type Task int

const (
	// Classification predicts an integer class label, with a net that ends
	// in a Softmax, trained with cross-entropy.
	Classification Task = iota
	// Regression predicts one real value, with a net that ends in a Linear
	// layer with one output, trained with mean squared error on the
	// standardized target.
	Regression
)

// String returns "classification" or "regression".
func (t Task) String() string {
	switch t {
	case Classification:
		return "classification"
	case Regression:
		return "regression"
	}
	return fmt.Sprintf("Task(%d)", int(t))
}

// check returns an error wrapping mlp.ErrSetting unless t is a known task.
func (t Task) check() error {
	if t != Classification && t != Regression {
		return fmt.Errorf("%w: unknown task %d", mlp.ErrSetting, int(t))
	}
	return nil
}

// Streams of the PCG source derived from a seed, one per use.
const (
	splitStream   = 1
	initStream    = 2
	shuffleStream = 3
)

// Config describes one complete run of the pipeline: the data, the split and
// the model. Run reads it; it is not changed.
type Config struct {
	// Task says what the target holds; the zero value is Classification.
	Task Task
	// Data is the CSV input: a header row, then one row per sample, with
	// numeric features and the target: an integer class label, or a real
	// value for Regression.
	Data io.Reader
	// Target names the label column; "" means the last column.
	Target string
	// Seed drives the split, the initial weights and the batch order.
	Seed uint64
	// ValFraction is the fraction of samples held out for validation;
	// 0 means 0.2.
	ValFraction float64

	// Hidden lists the widths of the hidden layers, each followed by a
	// ReLU; empty means a single Linear layer (before the Softmax, for
	// Classification).
	Hidden []int
	// Epochs, Batch and LR are the number of epochs, the mini-batch size
	// and the SGD learning rate.
	Epochs, Batch int
	LR            float64

	// Log, when not nil, receives the trainer's epoch lines, every
	// LogEvery-th epoch and the last (0 means every epoch).
	Log      io.Writer
	LogEvery int
}

// Spec is a model and how to train it: the part of a Config that does not
// concern the data.
type Spec struct {
	Hidden        []int
	Epochs, Batch int
	LR            float64
	Log           io.Writer
	LogEvery      int
}

// Spec returns the model part of c.
func (c Config) Spec() Spec {
	return Spec{Hidden: c.Hidden, Epochs: c.Epochs, Batch: c.Batch, LR: c.LR, Log: c.Log, LogEvery: c.LogEvery}
}

// Data is a data set split into a training and a validation part, both
// standardized with the per-feature statistics of the training part.
type Data struct {
	// Task is the task the data was read for.
	Task Task
	// Train and Val are the parts with scaled features. Their targets are
	// as read: class labels, or values in the target's own units.
	Train, Val *mlp.Dataset
	// Scaler holds the mean and standard deviation of each feature of the
	// training part, before scaling.
	Scaler *mlp.StandardScaler
	// TargetScaler, for Regression, holds the mean and standard deviation
	// of the training targets, with which Fit standardizes the targets it
	// trains on; nil for Classification.
	TargetScaler *mlp.StandardScaler
	// Seed is the seed the split was drawn with; Fit uses it for the
	// initial weights and the batch order.
	Seed uint64
}

// Features returns the number of input features.
func (d *Data) Features() int { return d.Train.Features() }

// Classes returns the number of classes, the largest label + 1, and 0 for
// Regression.
func (d *Data) Classes() int { return d.Train.Classes }

// Outputs returns the number of outputs of a model for d: the number of
// classes, or 1 for Regression.
func (d *Data) Outputs() int {
	if d.Task == Regression {
		return 1
	}
	return d.Classes()
}

// Prepare reads a labelled data set for Classification: it is
// Classification.Prepare.
func Prepare(r io.Reader, target string, seed uint64, valFraction float64) (*Data, error) {
	return Classification.Prepare(r, target, seed, valFraction)
}

// read reads a Dataset for task t from the CSV in r, with the target in the
// column named target, or in the last column when target is "".
func (t Task) read(r io.Reader, target string) (*mlp.Dataset, error) {
	cr := mlp.NewCSVReader(r)
	if target == "" {
		cr.TargetIndex = []int{-1}
	} else {
		cr.Targets = []string{target}
	}
	cr.Task = mlp.Classification
	if t == Regression {
		cr.Task = mlp.Regression
	}
	tab, err := cr.ReadAll()
	if err != nil {
		return nil, err
	}
	return tab.Dataset()
}

// Prepare reads a data set for task t from the CSV in r (with the target in
// the column named target, or in the last column when target is ""),
// splits it with mlp.Split drawing from rand.NewPCG(seed, 1), fits a
// StandardScaler on the features of the training part and applies it to
// both parts. For Regression it also fits Data.TargetScaler on the targets
// of the training part.
//
// Errors are those of reading and splitting the data, an error wrapping
// mlp.ErrData when a classification data set has fewer than two classes,
// and one wrapping mlp.ErrSetting for an unknown task.
func (t Task) Prepare(r io.Reader, target string, seed uint64, valFraction float64) (*Data, error) {
	if err := t.check(); err != nil {
		return nil, err
	}
	if r == nil {
		return nil, fmt.Errorf("%w: no CSV input", mlp.ErrData)
	}
	all, err := t.read(r, target)
	if err != nil {
		return nil, err
	}
	if t == Classification && all.Classes < 2 {
		return nil, fmt.Errorf("%w: the labels hold %d class; a classifier needs at least 2", mlp.ErrData, all.Classes)
	}
	if t == Classification && all.Classes > maxClasses {
		return nil, fmt.Errorf("%w: the largest label is %d; the examples handle at most %d classes", mlp.ErrData, all.Classes-1, maxClasses)
	}
	train, val, err := mlp.Split(all, mlp.SplitSettings{ValFraction: valFraction, Src: rand.NewPCG(seed, splitStream)})
	if err != nil {
		return nil, err
	}
	scaler := mlp.FitStandardScaler(train.X)
	if train, err = scaler.TransformDataset(train); err != nil {
		return nil, err
	}
	if val, err = scaler.TransformDataset(val); err != nil {
		return nil, err
	}
	d := &Data{Task: t, Train: train, Val: val, Scaler: scaler, Seed: seed}
	if t == Regression {
		d.TargetScaler = mlp.FitStandardScaler(train.Y.Values)
	}
	return d, nil
}

// Limits that keep a hostile data file or flag from making the programs
// allocate without bound: the class count (the largest label + 1) and the
// weights of one Linear layer (the cap of the saved-model format).
const (
	maxClasses      = 4096
	maxLayerWeights = 1 << 26
)

// Build returns the classifier Linear(features->h1), ReLU, ...,
// Linear(hk->classes), Softmax for the hidden widths of s: it is
// BuildFor(Classification, features, classes, src).
func (s Spec) Build(features, classes int, src rand.Source) (*mlp.Sequential, error) {
	return s.BuildFor(Classification, features, classes, src)
}

// BuildFor returns the model Linear(features->h1), ReLU, ...,
// Linear(hk->outputs) for the hidden widths of s, followed by a Softmax for
// Classification, with the weights of the Linear layers drawn from src in
// layer order. It returns an error wrapping mlp.ErrSetting when a width,
// features or outputs is not positive, or the task is unknown.
func (s Spec) BuildFor(task Task, features, outputs int, src rand.Source) (*mlp.Sequential, error) {
	if err := task.check(); err != nil {
		return nil, err
	}
	if features < 1 || outputs < 1 {
		return nil, fmt.Errorf("%w: a model needs at least one feature and one output, got %d and %d", mlp.ErrSetting, features, outputs)
	}
	widths := append(append([]int{features}, s.Hidden...), outputs)
	for i := 0; i+1 < len(widths); i++ {
		if a, b := widths[i], widths[i+1]; b >= 1 && a > maxLayerWeights/b {
			return nil, fmt.Errorf("%w: layer %d would be Linear(%d->%d), more than %d weights", mlp.ErrSetting, i, a, b, maxLayerWeights)
		}
	}
	var layers []mlp.Layer
	in := features
	for i, h := range s.Hidden {
		if h < 1 {
			return nil, fmt.Errorf("%w: hidden layer %d has width %d; widths must be positive", mlp.ErrSetting, i, h)
		}
		layers = append(layers, mlp.NewLinear(in, h, src), &mlp.ReLU{})
		in = h
	}
	layers = append(layers, mlp.NewLinear(in, outputs, src))
	if task == Classification {
		layers = append(layers, &mlp.Softmax{})
	}
	return mlp.NewSequential(layers...)
}

// Describe returns the layers of m separated by commas, such as
// "Linear(30->16), ReLU, Linear(16->2), Softmax".
func Describe(m *mlp.Sequential) string {
	names := make([]string, len(m.Layers()))
	for i, l := range m.Layers() {
		names[i] = l.String()
	}
	return strings.Join(names, ", ")
}

// Result is the outcome of training one model.
type Result struct {
	// Model is the trained model. For Regression it predicts the
	// standardized target; PredValues holds its predictions in the
	// target's units.
	Model *mlp.Sequential
	// History holds the figures of every epoch. For Regression its losses
	// and metrics are in the target's units.
	History *mlp.History
	// ValLoss is the loss of the trained model over the whole validation
	// part: the cross-entropy, or for Regression the mean squared error in
	// the target's units.
	ValLoss float64
	// ValAccuracy is the validation accuracy; NaN for Regression.
	ValAccuracy float64
	// ValRMSE and ValR2 are the validation RMSE, in the target's units, and
	// R²; NaN for Classification.
	ValRMSE, ValR2 float64
	// Pred holds the predicted class of each validation sample, in the
	// order of Data.Val; nil for Regression.
	Pred []int
	// PredValues holds the predicted target of each validation sample, in
	// the order of Data.Val and in the target's units; nil for
	// Classification.
	PredValues *mat.Dense
	// Confusion counts the validation samples by true and predicted class;
	// nil for Regression.
	Confusion *mlp.Confusion
}

// Fit builds the model s describes for d's task, with initial weights drawn
// from rand.NewPCG(d.Seed, 2), and trains it for s.Epochs epochs with SGD at
// learning rate s.LR, over mini-batches of s.Batch training samples
// shuffled each epoch by rand.NewPCG(d.Seed, 3). A classifier is trained
// with cross-entropy and scored by accuracy; a regression model is trained
// with mean squared error on the targets standardized with d.TargetScaler
// and scored by RMSE and R², as the package documentation describes. After
// each epoch the model is scored on every validation sample, in order; s.Log
// receives the trainer's epoch lines (for Regression with the losses in the
// target's units).
//
// Errors wrap mlp.ErrSetting for settings out of range, or are those of
// mlp.Trainer.Fit (divergence, ctx.Err()).
func (d *Data) Fit(ctx context.Context, s Spec) (*Result, error) {
	if s.Epochs < 1 {
		return nil, fmt.Errorf("%w: epochs must be at least 1, got %d", mlp.ErrSetting, s.Epochs)
	}
	if s.Batch < 1 {
		return nil, fmt.Errorf("%w: batch size must be at least 1, got %d", mlp.ErrSetting, s.Batch)
	}
	model, err := s.BuildFor(d.Task, d.Features(), d.Outputs(), rand.NewPCG(d.Seed, initStream))
	if err != nil {
		return nil, err
	}
	opt, err := mlp.NewSGD(model.Params(), mlp.SGDSettings{LR: s.LR})
	if err != nil {
		return nil, err
	}
	var (
		loss       mlp.Loss
		train, val = d.Train, d.Val
		settings   mlp.TrainerSettings
	)
	switch d.Task {
	case Classification:
		loss = &mlp.CrossEntropy{}
		settings.Metrics = []mlp.Metric{&mlp.Accuracy{}}
		if s.Log != nil {
			settings.Hooks = []mlp.Hook{&mlp.ProgressLogger{W: s.Log, Every: s.LogEvery}}
		}
	case Regression:
		loss = &mlp.MSE{}
		if train, err = d.standardizeTargets(d.Train); err != nil {
			return nil, err
		}
		if val, err = d.standardizeTargets(d.Val); err != nil {
			return nil, err
		}
		mean, std := d.TargetScaler.Mean[0], d.TargetScaler.Std[0]
		settings.Metrics = []mlp.Metric{
			&targetUnits{m: &mlp.RMSE{}, mean: mean, std: std},
			&targetUnits{m: &mlp.R2{}, mean: mean, std: std},
		}
		// ProgressLogger would log the loss of the standardized target.
		if s.Log != nil {
			settings.Hooks = []mlp.Hook{&epochLog{w: s.Log, every: s.LogEvery, variance: std * std}}
		}
	default:
		return nil, d.Task.check()
	}
	trainer, err := mlp.NewTrainer(model, loss, opt, settings)
	if err != nil {
		return nil, err
	}
	trainLoader, err := mlp.NewDataLoader(train, mlp.LoaderSettings{
		BatchSize: s.Batch,
		Shuffle:   true,
		Src:       rand.NewPCG(d.Seed, shuffleStream),
	})
	if err != nil {
		return nil, err
	}
	valLoader, err := mlp.NewDataLoader(val, mlp.LoaderSettings{BatchSize: s.Batch})
	if err != nil {
		return nil, err
	}
	hist, err := trainer.Fit(ctx, trainLoader, valLoader, s.Epochs)
	if err != nil {
		return nil, err
	}
	if d.Task == Regression {
		return d.scoreValues(model, hist)
	}
	return d.scoreClasses(trainer, valLoader, hist)
}

// scoreClasses returns the Result of a classifier trained by t, scored on
// the validation loader l.
func (d *Data) scoreClasses(t *mlp.Trainer, l *mlp.DataLoader, hist *mlp.History) (*Result, error) {
	model := t.Model()
	scores, err := t.Evaluate(context.Background(), l)
	if err != nil {
		return nil, err
	}
	pred, err := model.PredictClasses(d.Val.X)
	if err != nil {
		return nil, err
	}
	conf, err := mlp.NewConfusion(pred, d.Val.Y.Labels, d.Classes())
	if err != nil {
		return nil, err
	}
	acc, ok := scores.Metrics["accuracy"]
	if !ok {
		return nil, errors.New("experiment: the trainer reported no accuracy")
	}
	return &Result{
		Model:       model,
		History:     hist,
		ValLoss:     scores.Loss,
		ValAccuracy: acc,
		ValRMSE:     math.NaN(),
		ValR2:       math.NaN(),
		Pred:        pred,
		Confusion:   conf,
	}, nil
}

// scoreValues returns the Result of a regression model trained on
// standardized targets: its predictions, losses and metrics in the target's
// units. It converts the losses of hist in place.
func (d *Data) scoreValues(model *mlp.Sequential, hist *mlp.History) (*Result, error) {
	mean, std := d.TargetScaler.Mean[0], d.TargetScaler.Std[0]
	for i := range hist.Epochs {
		e := &hist.Epochs[i]
		e.Loss *= std * std
		e.ValLoss *= std * std
	}
	pred, err := model.Predict(d.Val.X)
	if err != nil {
		return nil, err
	}
	raw := pred.RawMatrix()
	for i, v := range raw.Data {
		raw.Data[i] = v*std + mean
	}
	var rmse mlp.RMSE
	var r2 mlp.R2
	rmse.Update(pred, d.Val.Y)
	r2.Update(pred, d.Val.Y)
	return &Result{
		Model:       model,
		History:     hist,
		ValLoss:     (&mlp.MSE{}).Loss(pred, d.Val.Y),
		ValAccuracy: math.NaN(),
		ValRMSE:     rmse.Value(),
		ValR2:       r2.Value(),
		PredValues:  pred,
	}, nil
}

// standardizeTargets returns a Dataset with the features of ds and its
// targets standardized with d.TargetScaler. The features are shared.
func (d *Data) standardizeTargets(ds *mlp.Dataset) (*mlp.Dataset, error) {
	y, err := d.TargetScaler.Transform(ds.Y.Values)
	if err != nil {
		return nil, err
	}
	out, err := mlp.NewDataset(ds.X, mlp.Targets{Values: y})
	if err != nil {
		return nil, err
	}
	out.FeatureNames = ds.FeatureNames
	return out, nil
}

// targetUnits is a Metric that maps standardized predictions and targets
// back to the target's units, v·std + mean, before m sees them. Update
// allocates only when a batch is larger than every earlier one.
type targetUnits struct {
	m         mlp.Metric
	mean, std float64
	pred, y   mat.Dense
}

func (u *targetUnits) Name() string   { return u.m.Name() }
func (u *targetUnits) Reset()         { u.m.Reset() }
func (u *targetUnits) Value() float64 { return u.m.Value() }

func (u *targetUnits) Update(pred *mat.Dense, y mlp.Targets) {
	if y.Values == nil {
		u.m.Update(pred, y) // m panics: there are no target values
		return
	}
	u.m.Update(u.unscale(&u.pred, pred), mlp.Targets{Values: u.unscale(&u.y, y.Values)})
}

// unscale writes src·std + mean into dst, resized to the shape of src,
// and returns dst.
func (u *targetUnits) unscale(dst, src *mat.Dense) *mat.Dense {
	r, c := src.Dims()
	if dr, dc := dst.Dims(); dr != r || dc != c {
		dst.Reset()
		dst.ReuseAs(r, c)
	}
	sm, dm := src.RawMatrix(), dst.RawMatrix()
	for i := range r {
		drow := dm.Data[i*dm.Stride : i*dm.Stride+c]
		for j, v := range sm.Data[i*sm.Stride : i*sm.Stride+c] {
			drow[j] = v*u.std + u.mean
		}
	}
	return dst
}

// epochLog writes the epoch lines of a regression run in the format of
// mlp.TrainerSettings.Log, with the training and validation losses
// multiplied by variance to bring them to the target's units.
type epochLog struct {
	w        io.Writer
	every    int
	variance float64
}

func (l *epochLog) AfterEpoch(e mlp.EpochEnd) (bool, error) {
	ep, ok := e.History.Last()
	if !ok || (l.every > 1 && ep.Epoch%l.every != 0 && !e.Last) {
		return false, nil
	}
	line := fmt.Sprintf("epoch=%3d | loss=%6.3f", ep.Epoch, ep.Loss*l.variance)
	if !math.IsNaN(ep.ValLoss) {
		line += fmt.Sprintf(" | val_loss=%6.3f", ep.ValLoss*l.variance)
	}
	for i, v := range ep.ValMetrics {
		line += fmt.Sprintf(" | val_%s=%6.3f", e.History.MetricNames[i], v)
	}
	fmt.Fprintln(l.w, line)
	return false, nil
}

// Run prepares the data c describes and trains the model it describes on
// it: Prepare followed by Data.Fit.
func Run(ctx context.Context, c Config) (*Result, error) {
	d, err := c.Task.Prepare(c.Data, c.Target, c.Seed, c.ValFraction)
	if err != nil {
		return nil, err
	}
	return d.Fit(ctx, c.Spec())
}
