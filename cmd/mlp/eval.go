package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"flag"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/mlpkit/mlp/tabular"
)

func init() {
	register(&command{
		name:    "eval",
		args:    "-model MODEL -data FILE.csv",
		summary: "score a model on a CSV file holding its target columns",
		setup:   setupEval,
	})
}

func setupEval(fs *flag.FlagSet) func(context.Context, *env) error {
	md := addModelData(fs, "to score, with a header row and the target columns")
	var na listFlag
	fs.Var(&na, "na", "comma-separated `texts` that mark a missing cell, besides \"\", NA, N/A, NaN, nan and null")
	return func(ctx context.Context, e *env) error {
		p, f, err := md.open(e)
		if err != nil {
			return err
		}
		defer f.Close()
		t, err := readForPipeline(f, p, rune(md.sep), na)
		if err != nil {
			return fmt.Errorf("%s: %w", dataName(*md.data), err)
		}
		ev, err := evaluate(p, t)
		if err != nil {
			return fmt.Errorf("%s: %w", dataName(*md.data), err)
		}
		fmt.Fprintf(e.stdout, "data: %s: %d rows", dataName(*md.data), t.Rows())
		if t.Dropped > 0 {
			fmt.Fprintf(e.stdout, " (%d more left out: missing target)", t.Dropped)
		}
		fmt.Fprintln(e.stdout)
		ev.print(e.stdout, "")
		return nil
	}
}

// readForPipeline reads a CSV table to score p on: p's targets as targets,
// p's categorical columns as categorical, and every other column that p
// does not read ignored.
func readForPipeline(r io.Reader, p *tabular.Pipeline, comma rune, na []string) (*tabular.Table, error) {
	// The header decides which columns to ignore, so the input is read
	// first, with the limits CSVReader applies.
	var buf bytes.Buffer
	lr := &lineLimiter{r: r, max: tabular.DefaultMaxLineBytes, line: 1}
	if _, err := io.Copy(&buf, io.LimitReader(lr, tabular.DefaultMaxBytes+1)); err != nil {
		return nil, err
	}
	if buf.Len() > tabular.DefaultMaxBytes {
		return nil, fmt.Errorf("%w: the input is longer than %d bytes", tabular.ErrLimit, tabular.DefaultMaxBytes)
	}
	cr := csv.NewReader(bytes.NewReader(buf.Bytes()))
	cr.Comma = comma
	header, err := cr.Read()
	if err != nil {
		header = nil // CSVReader reports it
	}
	keep := p.Targets()
	var categorical []string
	for _, c := range p.Columns() {
		keep = append(keep, c.Name)
		if c.Kind == tabular.Categorical {
			categorical = append(categorical, c.Name)
		}
	}
	var ignore []string
	for i, h := range header {
		if i == 0 {
			h = strings.TrimPrefix(h, "\uFEFF")
		}
		if h = strings.TrimSpace(h); !slices.Contains(keep, h) {
			ignore = append(ignore, h)
		}
	}
	rd := tabular.NewCSVReader(bytes.NewReader(buf.Bytes()))
	rd.Comma = comma
	rd.Targets = p.Targets()
	rd.Task = p.Task()
	rd.Categorical = categorical
	rd.Ignore = ignore
	rd.NA = na
	return rd.ReadAll()
}
