// Package cli holds what the example programs under examples/ share and a
// user copying one of them would not need: flag parsing with the programs'
// exit statuses, opening the embedded data sets, and one-line errors.
package cli

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
)

// Defaults are the defaults of a program's flags.
type Defaults struct {
	// Dataset is the embedded CSV read when -data is not given, such as
	// "iris.csv"; About is printed under the usage line of -h.
	Dataset, About string
	// Target describes the target column in the usage of -data, such as
	// "class label".
	Target string

	Seed          uint64
	Hidden        []int
	Epochs, Batch int
	LR            float64
}

// Flags are the values of the flags the example programs share.
type Flags struct {
	Data          string // -data: a CSV file instead of the embedded data set
	Seed          uint64 // -seed: the split, the initial weights and the batch order
	Hidden        []int  // -hidden: widths of the hidden layers
	Epochs, Batch int    // -epochs, -batch
	LR            float64
	Plot          string // -plot: a PNG file for the training history
}

// Parse parses args (without the program name) for the program name with
// the defaults def. It returns the flags and -1, or an exit status to end
// with: 0 for -h, 2 for a bad flag or value, after printing the message and
// the usage to stderr, as flag.ExitOnError does.
func Parse(name string, def Defaults, args []string, stderr io.Writer) (Flags, int) {
	f := Flags{Hidden: slices.Clone(def.Hidden)}
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&f.Data, "data", "", "read the data set from this CSV `file` (header row, features, "+def.Target+" in the last column) instead of the embedded "+def.Dataset)
	fs.Uint64Var(&f.Seed, "seed", def.Seed, "random `seed` of the split, the initial weights and the batch order")
	fs.Var((*widths)(&f.Hidden), "hidden", "comma-separated `widths` of the hidden layers; \"\" for none")
	fs.IntVar(&f.Epochs, "epochs", def.Epochs, "number of training `epochs`")
	fs.IntVar(&f.Batch, "batch", def.Batch, "mini-batch `size`")
	fs.Float64Var(&f.LR, "lr", def.LR, "SGD learning `rate`")
	fs.StringVar(&f.Plot, "plot", "", "after training, draw the training and validation loss and the validation metrics of the last model per epoch to this PNG `file` (created before training)")
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: %s [flags]\n", name)
		if def.About != "" {
			fmt.Fprintln(stderr, def.About)
		}
		fmt.Fprintln(stderr, "flags:")
		fs.PrintDefaults()
	}
	usage := func(format string, a ...any) (Flags, int) {
		fmt.Fprintf(stderr, format+"\n", a...)
		fs.Usage()
		return f, 2
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return f, 0
		}
		return f, 2 // fs.Parse has printed the error and the usage
	}
	switch {
	case fs.NArg() > 0:
		return usage("unexpected argument %q", fs.Arg(0))
	case f.Epochs < 1:
		return usage("invalid value %d for flag -epochs: must be at least 1", f.Epochs)
	case f.Batch < 1:
		return usage("invalid value %d for flag -batch: must be at least 1", f.Batch)
	case !(f.LR > 0) || math.IsInf(f.LR, 1):
		return usage("invalid value %v for flag -lr: must be positive and finite", f.LR)
	}
	return f, -1
}

// widths is a flag.Value holding comma-separated layer widths.
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
