// Command iris trains a classifier of iris species (setosa, versicolor,
// virginica) from four flower measurements, on Fisher's iris data embedded
// in the module, whose last column holds the species names.
//
// It reads the table, splits it 80/20, standardizes each feature with the
// statistics of the training part and trains Linear(4->16), ReLU,
// Linear(16->3), Softmax with SGD (batch 16, learning rate 0.1) and
// cross-entropy for 200 epochs. It prints the training log, the validation
// accuracy, the classification report and the confusion matrix, labelled
// with the species names, and last the line
//
//	final val_loss=<loss> val_accuracy=<accuracy>
//
// Run with -h for the flags; -data runs the same program on another CSV
// file with the class labels (names or integers) in the last column, and
// -plot FILE.png draws the training history (losses and validation accuracy
// per epoch) to a PNG image. The exit status is 0 after a complete run, 1
// when the data cannot be read, training fails or the plot cannot be
// written (with a one-line message on stderr), and 2 for a bad flag.
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

const name = "iris"

var defaults = cli.Defaults{
	Dataset: "iris_species.csv",
	About:   "Trains the net the flags describe on Fisher's iris data.",
	Target:  "class label",
	Seed:    1,
	Hidden:  []int{16},
	Epochs:  200,
	Batch:   16,
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

	// Build the net and train it with SGD and cross-entropy.
	model, err := cli.Net(prep.Width(), flags.Hidden, len(classes.Classes), min(flags.Batch, train.Rows()), &mlp.Softmax{}, rand.NewPCG(flags.Seed, 2))
	if err != nil {
		return fail(err)
	}
	fmt.Fprintf(stdout, "\nmodel 1: %s; %d epochs, batch %d, lr %v\n", cli.Layers(model), flags.Epochs, flags.Batch, flags.LR)
	opt, err := mlp.NewSGD(model.Params(), mlp.SGDSettings{LR: flags.LR})
	if err != nil {
		return fail(err)
	}
	trainer, err := mlp.NewTrainer(model, &mlp.CrossEntropy{}, opt, mlp.TrainerSettings{
		Metrics: []mlp.Metric{&mlp.Accuracy{}},
		Hooks:   []mlp.Hook{&mlp.ProgressLogger{W: stdout, Every: max(1, flags.Epochs/10)}},
	})
	if err != nil {
		return fail(err)
	}
	trainLoader, valLoader, err := cli.Loaders(trainSet, valSet, flags.Batch, flags.Seed)
	if err != nil {
		return fail(err)
	}
	ctx := context.Background()
	history, err := trainer.Fit(ctx, trainLoader, valLoader, flags.Epochs)
	if err != nil {
		return fail(err)
	}

	// Evaluate on the validation part, from its raw rows, through the
	// pipeline that a program would save and load to predict.
	scores, err := trainer.Evaluate(ctx, valLoader)
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

	if err := cli.SavePlot(stdout, plot, history, name+": "+cli.Layers(model)); err != nil {
		return fail(err)
	}
	fmt.Fprintf(stdout, "final val_loss=%.4f val_accuracy=%.4f\n", scores.Loss, scores.Metrics["accuracy"])
	return 0
}
