// Command breastcancer trains classifiers of breast tumours (malignant 0,
// benign 1) from 30 measurements of cell nuclei, on the Wisconsin diagnostic
// data set embedded in the module.
//
// It splits the data 80/20 with seed 9, standardizes each feature with the
// statistics of the training part, then trains two models on that split
// with SGD (batch 50, learning rate 0.1) and cross-entropy: first a
// logistic-regression baseline, Linear(30->2) and Softmax, for 20 epochs,
// then the net the flags describe, by default Linear(30->16), ReLU,
// Linear(16->2), Softmax for 100 epochs. It prints the training log, the
// validation accuracy, classification report and confusion matrix of each
// model, and last the line
//
//	final val_loss=<loss> val_accuracy=<accuracy>
//
// for the second model. Run with -h for the flags; -data runs the same
// program on another CSV file with the class labels in the last column, and
// -plot FILE.png draws the training history of the second model (losses
// and validation accuracy per epoch) to a PNG image. The exit status is 0
// after a complete run, 1 when the data cannot be read, training fails or
// the plot cannot be written (with a one-line message on stderr), and 2 for
// a bad flag.
package main

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"os"

	"github.com/mlpkit/mlp"
	"github.com/mlpkit/mlp/examples/internal/cli"
	"github.com/mlpkit/mlp/tabular"
)

const name = "breastcancer"

var defaults = cli.Defaults{
	Dataset: "breast_cancer.csv",
	About:   "Trains a Linear+Softmax baseline for 20 epochs, then the net the flags describe, on the Wisconsin breast cancer data.",
	Target:  "class label",
	Seed:    9,
	Hidden:  []int{16},
	Epochs:  100,
	Batch:   50,
	LR:      0.1,
}

func main() { os.Exit(run(os.Args[1:], os.Stdout, os.Stderr)) }

func run(args []string, stdout, stderr io.Writer) int {
	flags, code := cli.Parse(name, defaults, args, stderr)
	if code >= 0 {
		return code
	}
	fail := func(err error) int { return cli.Fail(stderr, name, err) }
	plot, err := cli.CreatePlot(flags.Plot)
	if err != nil {
		return fail(err)
	}
	defer plot.Close() // nil without -plot; closed again after SavePlot, harmlessly

	// Read the table: numeric features, the class labels in the last column.
	table, source, err := cli.ReadTable(flags.Data, defaults.Dataset, tabular.Classification)
	if err != nil {
		return fail(err)
	}
	classes, err := tabular.FitLabelEncoder(&table.Targets[0])
	if err != nil {
		return fail(fmt.Errorf("%s: %w", source, err))
	}
	if len(classes.Classes) < 2 {
		return fail(fmt.Errorf("%s: the labels hold 1 class; a classifier needs at least 2", source))
	}

	// Split 80/20 and learn the scaling from the training part only.
	train, val, err := tabular.SplitTable(table, mlp.SplitSettings{ValFraction: 0.2, Src: rand.NewPCG(flags.Seed, 1)})
	if err != nil {
		return fail(fmt.Errorf("%s: %w", source, err))
	}
	prep, err := tabular.FitPreprocessor(train, tabular.PreprocessSettings{})
	if err != nil {
		return fail(err)
	}
	trainSet, err := cli.Encode(prep, classes, train)
	if err != nil {
		return fail(err)
	}
	valSet, err := cli.Encode(prep, classes, val)
	if err != nil {
		return fail(err)
	}
	fmt.Fprintf(stdout, "data: %s: %d samples, %d features, %d classes; %d training, %d validation (seed %d)\n",
		source, table.Rows(), prep.Width(), len(classes.Classes), train.Rows(), val.Rows(), flags.Seed)

	// Train a baseline with no hidden layer, then the net the flags
	// describe, each with SGD and cross-entropy; report both.
	var (
		model   *mlp.Sequential
		history *mlp.History
		scores  mlp.Scores
	)
	for k, m := range []struct {
		hidden []int
		epochs int
	}{{nil, 20}, {flags.Hidden, flags.Epochs}} {
		model, err = cli.Net(prep.Width(), m.hidden, len(classes.Classes), min(flags.Batch, train.Rows()), &mlp.Softmax{}, rand.NewPCG(flags.Seed, 2))
		if err != nil {
			return fail(err)
		}
		fmt.Fprintf(stdout, "\nmodel %d: %s; %d epochs, batch %d, lr %v\n", k+1, cli.Layers(model), m.epochs, flags.Batch, flags.LR)
		opt, err := mlp.NewSGD(model.Params(), mlp.SGDSettings{LR: flags.LR})
		if err != nil {
			return fail(err)
		}
		trainer, err := mlp.NewTrainer(model, &mlp.CrossEntropy{}, opt, mlp.TrainerSettings{
			Metrics: []mlp.Metric{&mlp.Accuracy{}},
			Hooks:   []mlp.Hook{&mlp.ProgressLogger{W: stdout, Every: max(1, m.epochs/10)}},
		})
		if err != nil {
			return fail(err)
		}
		trainLoader, valLoader, err := cli.Loaders(trainSet, valSet, flags.Batch, flags.Seed)
		if err != nil {
			return fail(err)
		}
		ctx := context.Background()
		history, err = trainer.Fit(ctx, trainLoader, valLoader, m.epochs)
		if err != nil {
			return fail(err)
		}

		// Evaluate on the validation part, from its raw rows, through the
		// pipeline that a program would save and load to predict.
		scores, err = trainer.Evaluate(ctx, valLoader)
		if err != nil {
			return fail(err)
		}
		pipeline, err := tabular.NewPipeline(prep, model, tabular.PipelineTargets{Names: table.TargetNames(), Classes: classes.Classes})
		if err != nil {
			return fail(err)
		}
		if err := cli.PrintClassification(stdout, pipeline, val, valSet.Y.Labels, scores.Loss); err != nil {
			return fail(err)
		}
	}

	if err := cli.SavePlot(stdout, plot, history, name+": "+cli.Layers(model)); err != nil {
		return fail(err)
	}
	fmt.Fprintf(stdout, "final val_loss=%.4f val_accuracy=%.4f\n", scores.Loss, scores.Metrics["accuracy"])
	return 0
}
