package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"io"
	"slices"
	"unicode/utf8"

	"github.com/mlpkit/mlp/internal/text"
	"github.com/mlpkit/mlp/tabular"
)

// importanceFlags are eval's -importance, -n-repeats, -seed and -scoring.
type importanceFlags struct {
	on      *bool
	repeats *int
	seed    *uint64
	scoring *string
	data    []byte // the -data file, read once for the score and once for the table
}

// addImportanceFlags registers the flags on fs.
func addImportanceFlags(fs *flag.FlagSet) *importanceFlags {
	return &importanceFlags{
		on:      fs.Bool("importance", false, "also print the permutation importance of each of the model's input columns: how much the score (accuracy or R²) drops when the column's values are shuffled among the rows, as scikit-learn's permutation_importance (the file is read into memory)"),
		repeats: fs.Int("n-repeats", 5, "with -importance, the `number` of shuffles of each column, at least 1"),
		seed:    fs.Uint64("seed", 0, "with -importance, the random `seed` of the shuffles"),
		scoring: fs.String("scoring", "", "with -importance, the score whose drop is measured, by scikit-learn's `name`: "+scoringNames()+" (default: the model's score, accuracy for a classifier, r2 for a regressor)"),
	}
}

// check returns a usage error for -n-repeats, -seed or -scoring without
// -importance, for a -n-repeats below 1 and for an unknown -scoring.
func (f *importanceFlags) check(fs *flag.FlagSet) error {
	given := map[string]bool{}
	fs.Visit(func(fl *flag.Flag) { given[fl.Name] = true })
	if _, ok := tabular.ScoringTask(*f.scoring); given["scoring"] && !ok {
		return usagef("invalid value %q for flag -scoring: want one of %s", *f.scoring, scoringNames())
	}
	for _, name := range []string{"n-repeats", "seed", "scoring"} {
		if given[name] && !*f.on {
			return usagef("-%s needs -importance", name)
		}
	}
	if *f.repeats < 1 || *f.repeats > 1<<20 {
		return usagef("invalid value %d for flag -n-repeats: must be 1 to %d", *f.repeats, 1<<20)
	}
	return nil
}

// checkModel returns a usage error when -scoring is for the other task
// than p's, before anything is printed.
func (f *importanceFlags) checkModel(p *tabular.Pipeline) error {
	_, err := scoringFor(*f.scoring, p.Task(), "flag -scoring")
	return err
}

// input returns r as it is without -importance; with it, r read whole
// into memory, to be read again for the importances.
func (f *importanceFlags) input(r io.Reader) (io.Reader, error) {
	if !*f.on {
		return r, nil
	}
	b, err := io.ReadAll(r)
	if err != nil {
		return nil, err
	}
	f.data = b
	return bytes.NewReader(b), nil
}

// print reads the -data file into a table of the model's input and target
// columns (the rows with a target, as the score counts them) and prints
// the permutation importance of each input column, by decreasing mean.
func (f *importanceFlags) print(ctx context.Context, w io.Writer, p *tabular.Pipeline, md *modelData) error {
	if !*f.on {
		return nil
	}
	rd := tabular.NewCSVReader(bytes.NewReader(f.data))
	rd.Comma = rune(md.sep)
	rd.Targets = p.Targets()
	rd.Task = p.Task()
	rd.NA = append(p.NA(), md.na...)
	rd.ColumnNA = p.ColumnNA()
	t, err := rd.ReadAll()
	if err != nil {
		return fmt.Errorf("%s: -importance: %w", dataName(*md.data), err)
	}
	var cols []string
	for _, c := range p.Columns() {
		cols = append(cols, c.Name)
	}
	t.Features = slices.DeleteFunc(t.Features, func(c tabular.Column) bool { return !slices.Contains(cols, c.Name) })
	score, err := scoringFor(*f.scoring, p.Task(), "flag -scoring")
	if err != nil {
		return err
	}
	s := tabular.PermutationSettings{NRepeats: *f.repeats, Seed: *f.seed}
	if *f.scoring != "" {
		if s.Scoring, err = tabular.ScoringByName(*f.scoring); err != nil {
			return err
		}
	}
	res, err := tabular.PermutationImportance(ctx, p, t, s)
	if err != nil {
		return fmt.Errorf("%s: -importance: %w", dataName(*md.data), err)
	}
	fmt.Fprintf(w, "\npermutation importance: the drop in %s when a column's values are shuffled among the %d rows (%d repeats, seed %d; %s=%.4f unshuffled):\n",
		score, t.Rows(), *f.repeats, *f.seed, score, res.Baseline)
	width := len("column")
	names := make([]string, len(res.Columns))
	for j, c := range res.Columns {
		names[j] = text.Cut(c, 40)
		width = max(width, utf8.RuneCountInString(names[j]))
	}
	fmt.Fprintf(w, "%s%*s %8s\n", pad("column", width), 9, "mean", "std")
	for _, j := range res.Ranked() {
		fmt.Fprintf(w, "%s %8.4f %8.4f\n", pad(names[j], width), res.ImportancesMean[j], res.ImportancesStd[j])
	}
	return nil
}

// pad returns s followed by spaces to width characters.
func pad(s string, width int) string {
	if n := utf8.RuneCountInString(s); n < width {
		return s + string(bytes.Repeat([]byte{' '}, width-n))
	}
	return s
}
