package experiment

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/mlpkit/mlp/internal/datasets"
	"github.com/mlpkit/mlp/mlpplot"
)

// Defaults are what an example program runs when no flag is given.
type Defaults struct {
	// Dataset names the embedded data set, such as "iris.csv", read when
	// -data is not given.
	Dataset string
	// About is one sentence printed under the usage line of -h.
	About string
	// Task says what the target column holds; the zero value is
	// Classification.
	Task Task

	// Seed, Hidden, Epochs, Batch and LR are the defaults of the flags of
	// the same names.
	Seed          uint64
	Hidden        []int
	Epochs, Batch int
	LR            float64

	// Baseline, when not nil, is a model trained on the same split before
	// the one the flags describe. -hidden and -epochs do not change it;
	// it is trained with -batch and -lr.
	Baseline *Baseline
}

// Baseline is a fixed model an example program trains first, for
// comparison.
type Baseline struct {
	Hidden []int
	Epochs int
}

// logEvery returns the logging cadence for a run of the given number of
// epochs: about ten lines, plus the last epoch.
func logEvery(epochs int) int { return max(1, epochs/10) }

// widths is a flag.Value holding comma-separated layer widths; the empty
// string means none.
type widths []int

func (w *widths) String() string {
	if w == nil {
		return ""
	}
	s := make([]string, len(*w))
	for i, v := range *w {
		s[i] = strconv.Itoa(v)
	}
	return strings.Join(s, ",")
}

func (w *widths) Set(s string) error {
	v, err := ParseWidths(s)
	if err != nil {
		return err
	}
	*w = v
	return nil
}

// ParseWidths parses comma-separated positive layer widths such as
// "128,64". The empty string (or one of spaces) gives no widths.
func ParseWidths(s string) ([]int, error) {
	if strings.TrimSpace(s) == "" {
		return nil, nil
	}
	var out []int
	for _, f := range strings.Split(s, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < 1 {
			return nil, fmt.Errorf("width %q is not a positive integer", strings.TrimSpace(f))
		}
		out = append(out, n)
	}
	return out, nil
}

// Main runs an example program named name with the command-line arguments
// args (without the program name), writing results to stdout and messages
// to stderr, and returns the exit status:
//
//   - 0 after a complete run, whose last line on stdout is, for the last
//     model trained and with four decimals,
//     "final val_loss=<loss> val_accuracy=<accuracy>" for Classification or
//     "final val_loss=<mse> val_rmse=<rmse> val_r2=<r2>" for Regression,
//     where the mean squared error and the RMSE are in the target's units;
//   - 1 when the data cannot be read, training fails or the plot cannot be
//     written, with the one-line message "<name>: <error>" on stderr;
//   - 2 for a bad flag or flag value, after the message and the usage on
//     stderr, as flag.ExitOnError does (0 for -h).
//
// The flags are -data (a CSV file to use instead of the embedded data set),
// -seed, -hidden, -epochs, -batch, -lr and -plot (a PNG file to which the
// training history of the last model is drawn with mlpplot.SavePNG; its
// directory must exist before training starts).
func Main(name string, def Defaults, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	target := "integer class label"
	if def.Task == Regression {
		target = "real-valued target"
	}
	dataFile := fs.String("data", "", "read the data set from this CSV `file` (header row, numeric features, "+target+" in the last column) instead of the embedded "+def.Dataset)
	seed := fs.Uint64("seed", def.Seed, "random `seed` of the split, the initial weights and the batch order")
	hidden := widths(slices.Clone(def.Hidden))
	fs.Var(&hidden, "hidden", "comma-separated `widths` of the hidden layers; \"\" for none")
	epochs := fs.Int("epochs", def.Epochs, "number of training `epochs`")
	batch := fs.Int("batch", def.Batch, "mini-batch `size`")
	lr := fs.Float64("lr", def.LR, "SGD learning `rate`")
	plotFile := fs.String("plot", "", "after training, draw the training and validation loss and the validation metrics of the last model per epoch to this PNG `file`")
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: %s [flags]\n", name)
		if def.About != "" {
			fmt.Fprintln(stderr, def.About)
		}
		fmt.Fprintln(stderr, "flags:")
		fs.PrintDefaults()
	}
	usageError := func(format string, a ...any) int {
		fmt.Fprintf(stderr, format+"\n", a...)
		fs.Usage()
		return 2
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2 // fs.Parse has printed the error and the usage
	}
	switch {
	case fs.NArg() > 0:
		return usageError("unexpected argument %q", fs.Arg(0))
	case *epochs < 1:
		return usageError("invalid value %d for flag -epochs: must be at least 1", *epochs)
	case *batch < 1:
		return usageError("invalid value %d for flag -batch: must be at least 1", *batch)
	case !(*lr > 0) || math.IsInf(*lr, 1):
		return usageError("invalid value %v for flag -lr: must be positive and finite", *lr)
	}

	fail := func(err error) int {
		msg := strings.ReplaceAll(err.Error(), "\n", " ")
		fmt.Fprintf(stderr, "%s: %s\n", name, msg)
		return 1
	}
	if *plotFile != "" {
		// A directory that is missing is reported before training, not after.
		dir := filepath.Dir(*plotFile)
		if fi, err := os.Stat(dir); err != nil {
			return fail(fmt.Errorf("-plot: %w", err))
		} else if !fi.IsDir() {
			return fail(fmt.Errorf("-plot: %s is not a directory", dir))
		}
	}
	var (
		in     io.Reader
		source = def.Dataset
	)
	if *dataFile != "" {
		f, err := os.Open(*dataFile)
		if err != nil {
			return fail(err)
		}
		defer f.Close()
		in, source = f, *dataFile
	} else {
		r, err := datasets.Open(def.Dataset)
		if err != nil {
			return fail(err)
		}
		in = r
	}
	d, err := def.Task.Prepare(in, "", *seed, 0.2)
	if err != nil {
		return fail(fmt.Errorf("%s: %w", source, err))
	}
	kind := fmt.Sprintf("%d classes", d.Classes())
	if d.Task == Regression {
		kind = "a real-valued target"
	}
	fmt.Fprintf(stdout, "data: %s: %d samples, %d features, %s; %d training, %d validation (seed %d)\n",
		source, d.Train.Len()+d.Val.Len(), d.Features(), kind, d.Train.Len(), d.Val.Len(), *seed)
	if d.Task == Regression {
		fmt.Fprintf(stdout, "target: trained standardized with the training mean %.4g and standard deviation %.4g; losses (MSE) and metrics are in its units\n",
			d.TargetScaler.Mean[0], d.TargetScaler.Std[0])
	}

	var specs []Spec
	if b := def.Baseline; b != nil {
		specs = append(specs, Spec{Hidden: b.Hidden, Epochs: b.Epochs})
	}
	specs = append(specs, Spec{Hidden: hidden, Epochs: *epochs})
	ctx := context.Background()
	var last *Result
	for i := range specs {
		s := &specs[i]
		s.Batch, s.LR = *batch, *lr
		s.Log, s.LogEvery = stdout, logEvery(s.Epochs)
		// The same layers Fit builds, for the header line.
		model, err := s.BuildFor(d.Task, d.Features(), d.Outputs(), rand.NewPCG(*seed, initStream))
		if err != nil {
			return fail(err)
		}
		fmt.Fprintf(stdout, "\nmodel %d: %s; %d epochs, batch %d, lr %v\n", i+1, Describe(model), s.Epochs, s.Batch, s.LR)
		res, err := d.Fit(ctx, *s)
		if err != nil {
			return fail(err)
		}
		if d.Task == Regression {
			fmt.Fprintf(stdout, "validation: mse %.4f, rmse %.4f, r2 %.4f (%d samples)\n", res.ValLoss, res.ValRMSE, res.ValR2, d.Val.Len())
		} else {
			correct := 0
			for k, p := range res.Pred {
				if p == d.Val.Y.Labels[k] {
					correct++
				}
			}
			fmt.Fprintf(stdout, "validation: loss %.4f, accuracy %.4f (%d of %d)\n", res.ValLoss, res.ValAccuracy, correct, len(res.Pred))
			fmt.Fprintln(stdout, res.Confusion)
		}
		last = res
	}
	if *plotFile != "" {
		title := fmt.Sprintf("%s: %s", name, Describe(last.Model))
		if err := mlpplot.SavePNG(*plotFile, last.History, mlpplot.Settings{Title: title}); err != nil {
			return fail(err)
		}
		fmt.Fprintf(stdout, "plot: %s\n", *plotFile)
	}
	if d.Task == Regression {
		fmt.Fprintf(stdout, "final val_loss=%.4f val_rmse=%.4f val_r2=%.4f\n", last.ValLoss, last.ValRMSE, last.ValR2)
	} else {
		fmt.Fprintf(stdout, "final val_loss=%.4f val_accuracy=%.4f\n", last.ValLoss, last.ValAccuracy)
	}
	return 0
}
