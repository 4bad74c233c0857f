package main

import (
	"context"
	"flag"
	"fmt"
	"math"
	"math/rand/v2"
	"time"

	"github.com/mlpkit/mlp"
	"github.com/mlpkit/mlp/tabular"
)

func init() {
	register(&command{
		name: "train",
		args: "-data FILE.csv -target COLUMN [-target COLUMN2 ...] [-task classify|regress] [-hidden 64,32] [-epochs N]\n" +
			"                 [-batch N] [-lr X] [-seed S] [-val 0.2] [-sep ';'] [-na 'NA,?'] [-categorical a,b] [-ignore id] -o MODEL",
		summary: "train a pipeline (preprocessing and network) on a CSV file and save it",
		setup:   setupTrain,
	})
}

// splitStream is the stream of the PCG source, seeded with -seed, that
// draws the -val split; the estimator draws its weights and batch order from
// other streams of the same seed.
const splitStream = 1 << 32

func setupTrain(fs *flag.FlagSet) func(context.Context, *env) error {
	data := fs.String("data", "", "the CSV `file` to train on, with a header row; - reads standard input (required)")
	var targets repeatedFlag
	fs.Var(&targets, "target", "a target `column`; repeat for several (multi-output regression) (required)")
	task := fs.String("task", "", "classify or regress; by default the target decides: text or at most 20 distinct integers classify")
	var hidden widthsFlag
	fs.Var(&hidden, "hidden", "comma-separated `widths` of the hidden layers, \"\" for none (default: the estimator's, 100)")
	epochs := fs.Int("epochs", 0, "the most training `epochs`, at least 1; training stops earlier when the loss stops improving (default: the estimator's, 200)")
	batch := fs.Int("batch", 0, "mini-batch `size`, at least 1 (default: the estimator's, min(200, rows))")
	lr := fs.Float64("lr", 0, "Adam's learning `rate`, positive (default: the estimator's, 0.001)")
	seed := fs.Uint64("seed", 0, "random `seed` of the validation split, the initial weights and the batch order")
	val := fs.Float64("val", 0.2, "the `fraction` of rows held out for the validation report and the final line, in (0, 1)")
	sep := sepFlag(',')
	fs.Var(&sep, "sep", "the field `delimiter`: one character, \\t for a tab")
	var na, categorical, ignore listFlag
	fs.Var(&na, "na", "comma-separated `texts` that mark a missing cell, besides pandas' defaults (\"\", NA, N/A, NaN, nan, null, NULL, #N/A, <NA>, ...)")
	fs.Var(&categorical, "categorical", "comma-separated `columns` to treat as categories even though they hold numbers")
	fs.Var(&ignore, "ignore", "comma-separated `columns` to leave out, such as an identifier")
	out := fs.String("o", "", "the model `file` to write (required)")

	return func(ctx context.Context, e *env) error {
		// A flag given 0 means 0, which no setting takes: only a flag left
		// out means the estimator's default.
		given := map[string]bool{}
		fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
		var asked tabular.Task
		switch {
		case *data == "":
			return usagef("-data is required")
		case len(targets) == 0:
			return usagef("-target is required")
		case *out == "":
			return usagef("-o is required")
		case *epochs < 0 || given["epochs"] && *epochs == 0:
			return usagef("invalid value %d for flag -epochs: must be at least 1", *epochs)
		case *batch < 0 || given["batch"] && *batch == 0:
			return usagef("invalid value %d for flag -batch: must be at least 1", *batch)
		case *lr < 0 || given["lr"] && *lr == 0 || math.IsNaN(*lr) || math.IsInf(*lr, 1):
			return usagef("invalid value %v for flag -lr: must be positive and finite", *lr)
		case !(*val > 0 && *val < 1):
			return usagef("invalid value %v for flag -val: must be in (0, 1)", *val)
		}
		switch *task {
		case "":
			asked = tabular.AutoTask
		case "classify", "classification":
			asked = tabular.Classification
		case "regress", "regression":
			asked = tabular.Regression
		default:
			return usagef("invalid value %q for flag -task: want classify or regress", *task)
		}
		if hidden.set {
			// Refuse a net that cannot fit before reading any data.
			if err := (mlp.ModelLimits{}).CheckWidths(append(append([]int{1}, hidden.widths...), 1)); err != nil {
				return usagef("invalid value %q for flag -hidden: %v", hidden.String(), err)
			}
		}
		// A model file that cannot be written is found before training.
		dst, err := output(*out, flagPath{"-data", *data})
		if err != nil {
			return err
		}

		f, err := openData(*data, e)
		if err != nil {
			return err
		}
		defer f.Close()
		in, rowNames, err := nameRowNames(f, rune(sep))
		if err != nil {
			return fmt.Errorf("%s: %w", dataName(*data), err)
		}
		rd := tabular.NewCSVReader(in)
		rd.Comma = rune(sep)
		rd.Targets = targets
		rd.Task = asked
		rd.Categorical = categorical
		rd.Ignore = ignore
		rd.NA = na
		t, err := rd.ReadAll()
		if err != nil {
			return fmt.Errorf("%s: %w", dataName(*data), err)
		}
		if rowNames != "" {
			note, err := dropRowNames(t, rowNames)
			if err != nil {
				return fmt.Errorf("%s: %w", dataName(*data), err)
			}
			if note != "" {
				fmt.Fprintf(e.stderr, "mlp train: %s: %s\n", dataName(*data), note)
			}
		}
		for _, note := range t.Notes {
			fmt.Fprintf(e.stderr, "mlp train: %s: %s\n", dataName(*data), flagTerms(note))
		}
		printKernel(e)
		w := e.stdout
		fmt.Fprintf(w, "data: %s: %d rows, %d feature columns, target %s: %s", dataName(*data), t.Rows(), len(t.Features), targets.String(), t.Task)
		if t.Dropped > 0 {
			fmt.Fprintf(w, " (%d rows left out: missing target)", t.Dropped)
		}
		fmt.Fprintln(w)
		if t.TaskNote != "" {
			fmt.Fprintf(w, "task: %s\n", flagTerms(t.TaskNote))
		}

		train, valid, err := tabular.SplitTable(t, mlp.SplitSettings{
			ValFraction: *val,
			Stratify:    t.Task == tabular.Classification,
			Src:         rand.NewPCG(*seed, splitStream),
		})
		if err != nil {
			return fmt.Errorf("%s: -val %v: %w", dataName(*data), *val, err)
		}
		fmt.Fprintf(w, "split: %d training rows, %d validation rows (seed %d)\n", train.Rows(), valid.Rows(), *seed)

		s := tabular.MLPSettings{
			BatchSize:        *batch,
			LearningRateInit: *lr,
			MaxIter:          *epochs,
			Seed:             *seed,
			Log:              w,
		}
		var pr *progress
		if e.terminal {
			// An epoch longer than 2 s gets a status line, erased by the
			// next epoch's log line.
			pr = newProgress(w, 2*time.Second, 500*time.Millisecond)
			s.Log = pr
		}
		if hidden.set {
			s.HiddenLayerSizes = append([]int{}, hidden.widths...)
		}
		var fitted *tabular.FittedMLP
		if t.Task == tabular.Classification {
			fitted, err = tabular.MLPClassifier(s).Fit(ctx, train)
		} else {
			fitted, err = tabular.MLPRegressor(s).Fit(ctx, train)
		}
		if pr != nil {
			pr.Stop()
		}
		if err != nil {
			return err
		}
		p := fitted.Pipeline()
		ev, err := evaluate(p, valid)
		if err != nil {
			return fmt.Errorf("validation: %w", err)
		}
		if err := dst.Write(p.Save); err != nil {
			return err
		}
		fmt.Fprintf(w, "\nvalidation (%d rows):\n", valid.Rows())
		fmt.Fprintf(w, "model: %s\n", *out)
		ev.print(w, "val_")
		return nil
	}
}
