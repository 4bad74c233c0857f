// Package experiment is the classification pipeline shared by the example
// programs under examples/ and by the quality tests: read a CSV data set,
// split it into a training and a validation part, standardize the features
// with statistics of the training part, train a feedforward classifier with
// SGD and cross-entropy, and score it on the validation part.
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
	"math/rand/v2"
	"strings"

	"github.com/mlpkit/mlp"
)

// Streams of the PCG source derived from a seed, one per use.
const (
	splitStream   = 1
	initStream    = 2
	shuffleStream = 3
)

// Config describes one complete run of the pipeline: the data, the split and
// the model. Run reads it; it is not changed.
type Config struct {
	// Data is the CSV input: a header row, then one row per sample, with
	// numeric features and an integer class label.
	Data io.Reader
	// Target names the label column; "" means the last column.
	Target string
	// Seed drives the split, the initial weights and the batch order.
	Seed uint64
	// ValFraction is the fraction of samples held out for validation;
	// 0 means 0.2.
	ValFraction float64

	// Hidden lists the widths of the hidden layers, each followed by a
	// ReLU; empty means a single Linear layer before the Softmax.
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
	// Train and Val are the scaled parts.
	Train, Val *mlp.Dataset
	// Scaler holds the mean and standard deviation of each feature of the
	// training part, before scaling.
	Scaler *mlp.StandardScaler
	// Seed is the seed the split was drawn with; Fit uses it for the
	// initial weights and the batch order.
	Seed uint64
}

// Features returns the number of input features.
func (d *Data) Features() int { return d.Train.Features() }

// Classes returns the number of classes, the largest label + 1.
func (d *Data) Classes() int { return d.Train.Classes }

// Prepare reads a labelled data set from the CSV in r (with the label in the
// column named target, or in the last column when target is ""), splits it
// with mlp.Split drawing from rand.NewPCG(seed, 1), fits a StandardScaler on
// the training part and applies it to both parts.
//
// Errors are those of reading and splitting the data, and an error wrapping
// mlp.ErrData when the data has fewer than two classes.
func Prepare(r io.Reader, target string, seed uint64, valFraction float64) (*Data, error) {
	if r == nil {
		return nil, fmt.Errorf("%w: no CSV input", mlp.ErrData)
	}
	cr := mlp.NewCSVReader(r)
	cr.Target = target
	all, err := cr.Read()
	if err != nil {
		return nil, err
	}
	if all.Classes < 2 {
		return nil, fmt.Errorf("%w: the labels hold %d class; a classifier needs at least 2", mlp.ErrData, all.Classes)
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
	return &Data{Train: train, Val: val, Scaler: scaler, Seed: seed}, nil
}

// Build returns the model Linear(features->h1), ReLU, ..., Linear(hk->classes),
// Softmax for the hidden widths of s, with the weights of the Linear layers
// drawn from src in layer order. It returns an error wrapping mlp.ErrSetting
// when a width, features or classes is not positive.
func (s Spec) Build(features, classes int, src rand.Source) (*mlp.Sequential, error) {
	if features < 1 || classes < 1 {
		return nil, fmt.Errorf("%w: a model needs at least one feature and one class, got %d and %d", mlp.ErrSetting, features, classes)
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
	layers = append(layers, mlp.NewLinear(in, classes, src), &mlp.Softmax{})
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
	// Model is the trained model.
	Model *mlp.Sequential
	// History holds the figures of every epoch.
	History *mlp.History
	// ValLoss and ValAccuracy are the cross-entropy and the accuracy of
	// the trained model over the whole validation part.
	ValLoss, ValAccuracy float64
	// Pred holds the predicted class of each validation sample, in the
	// order of Data.Val.
	Pred []int
	// Confusion counts the validation samples by true and predicted class.
	Confusion *mlp.Confusion
}

// Fit builds the model s describes for d, with initial weights drawn from
// rand.NewPCG(d.Seed, 2), and trains it for s.Epochs epochs with SGD at
// learning rate s.LR and cross-entropy, over mini-batches of s.Batch
// training samples shuffled each epoch by rand.NewPCG(d.Seed, 3). After each
// epoch the model is scored on every validation sample, in order; s.Log
// receives the trainer's epoch lines.
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
	model, err := s.Build(d.Features(), d.Classes(), rand.NewPCG(d.Seed, initStream))
	if err != nil {
		return nil, err
	}
	opt, err := mlp.NewSGD(model.Params(), mlp.SGDSettings{LR: s.LR})
	if err != nil {
		return nil, err
	}
	trainer, err := mlp.NewTrainer(model, &mlp.CrossEntropy{}, opt, mlp.TrainerSettings{
		Metrics:  []mlp.Metric{&mlp.Accuracy{}},
		Log:      s.Log,
		LogEvery: s.LogEvery,
	})
	if err != nil {
		return nil, err
	}
	trainLoader, err := mlp.NewDataLoader(d.Train, mlp.LoaderSettings{
		BatchSize: s.Batch,
		Shuffle:   true,
		Src:       rand.NewPCG(d.Seed, shuffleStream),
	})
	if err != nil {
		return nil, err
	}
	valLoader, err := mlp.NewDataLoader(d.Val, mlp.LoaderSettings{BatchSize: s.Batch})
	if err != nil {
		return nil, err
	}
	hist, err := trainer.Fit(ctx, trainLoader, valLoader, s.Epochs)
	if err != nil {
		return nil, err
	}
	scores, err := trainer.Evaluate(valLoader)
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
		Pred:        pred,
		Confusion:   conf,
	}, nil
}

// Run prepares the data c describes and trains the model it describes on
// it: Prepare followed by Data.Fit.
func Run(ctx context.Context, c Config) (*Result, error) {
	d, err := Prepare(c.Data, c.Target, c.Seed, c.ValFraction)
	if err != nil {
		return nil, err
	}
	return d.Fit(ctx, c.Spec())
}
