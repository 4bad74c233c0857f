package cli

import (
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"strings"

	"github.com/mlpkit/mlp"
	"github.com/mlpkit/mlp/internal/datasets"
	"github.com/mlpkit/mlp/mlpplot"
	"github.com/mlpkit/mlp/tabular"
)

// Open returns the CSV file path, or the embedded data set named embedded
// when path is "", and the name to print for it. Close the reader when done.
func Open(path, embedded string) (io.ReadCloser, string, error) {
	if path == "" {
		r, err := datasets.Open(embedded)
		return io.NopCloser(r), embedded, err
	}
	f, err := os.Open(path)
	return f, path, err
}

// Fail prints err on one line to stderr as "<name>: <error>" and returns
// the exit status 1.
func Fail(stderr io.Writer, name string, err error) int {
	fmt.Fprintf(stderr, "%s: %s\n", name, strings.ReplaceAll(err.Error(), "\n", " "))
	return 1
}

// CreatePlot creates the -plot file path before training, so that a path
// that cannot be written is reported before any time is spent; nil when
// path is "". The caller writes the image into it and closes it.
func CreatePlot(path string) (*os.File, error) {
	if path == "" {
		return nil, nil
	}
	f, err := os.Create(path)
	if err != nil {
		return nil, fmt.Errorf("-plot: %w", err)
	}
	return f, nil
}

// Net returns the net Linear(features->h1), ReLU, ..., Linear(hk->outputs)
// followed by last when it is not nil, with the weights of the Linear
// layers drawn from src in layer order. Before allocating anything it
// returns the error of tabular.CheckTrainingSize for a net, or its buffers for
// batches of the given size, beyond the caps.
func Net(features int, hidden []int, outputs, batch int, last mlp.Layer, src rand.Source) (*mlp.Sequential, error) {
	widths := append(append([]int{features}, hidden...), outputs)
	if err := tabular.CheckTrainingSize(widths, batch); err != nil {
		return nil, err
	}
	var layers []mlp.Layer
	for i, w := range widths[1:] {
		layers = append(layers, mlp.NewLinear(widths[i], w, src))
		if i < len(hidden) {
			layers = append(layers, &mlp.ReLU{})
		}
	}
	if last != nil {
		layers = append(layers, last)
	}
	return mlp.NewSequential(layers...)
}

// Layers returns the layers of m as its String lists them, without the
// "Sequential(...)" around them: "Linear(4->16), ReLU, Linear(16->3), Softmax".
func Layers(m *mlp.Sequential) string {
	return strings.TrimSuffix(strings.TrimPrefix(m.String(), "Sequential("), ")")
}

// Encode returns the rows of t as a Dataset: the features through prep, the
// class indices of its one target column through classes.
func Encode(prep *tabular.Preprocessor, classes *tabular.LabelEncoder, t *tabular.Table) (*mlp.Dataset, error) {
	x, err := prep.Transform(t)
	if err != nil {
		return nil, err
	}
	y, err := classes.Transform(&t.Targets[0])
	if err != nil {
		return nil, err
	}
	return mlp.NewDataset(x, mlp.Targets{Labels: y})
}

// Values returns the rows of t as a Dataset for regression: the features
// through prep, the target columns as values.
func Values(prep *tabular.Preprocessor, t *tabular.Table) (*mlp.Dataset, error) {
	x, err := prep.Transform(t)
	if err != nil {
		return nil, err
	}
	y, err := t.TargetValues()
	if err != nil {
		return nil, err
	}
	return mlp.NewDataset(x, mlp.Targets{Values: y})
}

// ReadTable reads the CSV file path, or the embedded data set when path is
// "", with the target in the last column read for task, and returns the
// table and the name of its source. Errors about the data start with the
// source's name.
func ReadTable(path, embedded string, task tabular.Task) (*tabular.Table, string, error) {
	in, source, err := Open(path, embedded)
	if err != nil {
		return nil, source, err
	}
	defer in.Close()
	reader := tabular.NewCSVReader(in)
	reader.TargetIndex = []int{-1}
	reader.Task = task
	table, err := reader.ReadAll()
	if err != nil {
		return nil, source, fmt.Errorf("%s: %w", source, err)
	}
	return table, source, nil
}

// Loaders returns a loader of train in batches of the given size, shuffled
// each epoch by rand.NewPCG(seed, 3), and one of val in order.
func Loaders(train, val *mlp.Dataset, batch int, seed uint64) (trainL, valL *mlp.DataLoader, err error) {
	trainL, err = mlp.NewDataLoader(train, mlp.LoaderSettings{BatchSize: batch, Shuffle: true, Src: rand.NewPCG(seed, 3)})
	if err != nil {
		return nil, nil, err
	}
	valL, err = mlp.NewDataLoader(val, mlp.LoaderSettings{BatchSize: batch})
	return trainL, valL, err
}

// PrintClassification predicts the raw rows of val through pipeline and
// prints the validation loss and accuracy, the classification report and
// the confusion matrix, labelled with the class names; labels are val's
// true class indices.
func PrintClassification(w io.Writer, pipeline *tabular.Pipeline, val *tabular.Table, labels []int, loss float64) error {
	pred, err := pipeline.Predict(val)
	if err != nil {
		return err
	}
	report, err := mlp.NewClassificationReport(pred.Classes, labels, pipeline.Classes())
	if err != nil {
		return err
	}
	confusion, err := mlp.NewConfusionMatrix(pred.Classes, labels, pipeline.Classes())
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(w, "validation: loss %.4f, accuracy %.4f (%d samples)\n\n%s\n%s\n", loss, report.Accuracy, val.Rows(), report, confusion)
	return err
}

// SavePlot draws the history into the file CreatePlot made, closes it and
// names it on w; it does nothing when f is nil.
func SavePlot(w io.Writer, f *os.File, h *mlp.History, title string) error {
	if f == nil {
		return nil
	}
	err := mlpplot.WritePNG(f, h, mlpplot.Settings{Title: title})
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(w, "plot: %s\n", f.Name())
	return err
}
