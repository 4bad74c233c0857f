package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"flag"
	"fmt"
	"io"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/mlpkit/mlp"
	"github.com/mlpkit/mlp/tabular"
)

func init() {
	register(&command{
		name:    "eval",
		args:    "-model MODEL -data FILE.csv [-na 'NA,?'] [-importance [-n-repeats 5] [-seed S] [-scoring NAME]]",
		summary: "score a model on a CSV file holding its target columns",
		setup:   setupEval,
	})
}

func setupEval(fs *flag.FlagSet) func(context.Context, *env) error {
	md := addModelData(fs, "to score, with a header row and the target columns")
	imp := addImportanceFlags(fs)
	return func(ctx context.Context, e *env) error {
		if err := imp.check(fs); err != nil {
			return err
		}
		p, f, err := md.open(e)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := imp.checkModel(p); err != nil {
			return err
		}
		in, err := imp.input(f)
		if err != nil {
			return fmt.Errorf("%s: %w", dataName(*md.data), err)
		}
		ev, dropped, err := evalCSV(ctx, p, in, rune(md.sep), md.na)
		if err != nil {
			return fmt.Errorf("%s: %w", dataName(*md.data), err)
		}
		if note := ev.unseenNote(); note != "" {
			fmt.Fprintf(e.stderr, "mlp eval: %s: %s\n", dataName(*md.data), note)
		}
		fmt.Fprintf(e.stdout, "data: %s: %d rows", dataName(*md.data), ev.rows)
		if dropped > 0 {
			fmt.Fprintf(e.stdout, " (%d more left out: missing target)", dropped)
		}
		fmt.Fprintln(e.stdout)
		ev.print(e.stdout, "")
		return imp.print(ctx, e.stdout, p, md)
	}
}

// evalCSV reads CSV records from r, chunkRows at a time, predicts them with
// p and scores the predictions against the records' target columns. A row
// whose target is missing is left out and counted in dropped. Target cells
// are read as CSVReader reads them, with the missing-value markers of the
// model and na.
func evalCSV(ctx context.Context, p *tabular.Pipeline, r io.Reader, comma rune, na []string) (ev *evaluation, dropped int, err error) {
	targets := p.Targets()
	if len(targets) == 0 {
		return nil, 0, fmt.Errorf("%w: the model names no target column to score against", mlp.ErrData)
	}
	ch, err := newCSVChunks(r, comma)
	if err != nil {
		return nil, 0, err
	}
	names := make([]string, len(ch.header))
	for j, h := range ch.header {
		names[j] = strings.TrimSpace(h)
	}
	pos := make([]int, len(targets))
	var absent []string
	for k, t := range targets {
		if pos[k] = slices.Index(names, t); pos[k] < 0 {
			absent = append(absent, t)
		}
	}
	switch len(absent) {
	case 0:
	case 1:
		return nil, 0, fmt.Errorf("line 1: %w: target column %q is not in the header, which has %s", tabular.ErrNoColumn, absent[0], listHeader(names))
	default:
		return nil, 0, fmt.Errorf("line 1: %w: target columns %s (%d of the model's %d) are not in the header, which has %s",
			tabular.ErrNoColumn, listHeader(absent), len(absent), len(targets), listHeader(names))
	}
	// The target cells of each chunk are read by a CSVReader, with a first
	// column numbering the records, so that they mean what they meant in
	// training; the rows it keeps are predicted.
	rowCol := "row"
	for slices.Contains(targets, rowCol) {
		rowCol += "_"
	}
	markers := append(p.NA(), na...)
	s := newScorer(p)
	var (
		buf   bytes.Buffer
		cells []string
		kept  [][]string
		lines []int
		start []int // the line of each record in buf
	)
	for {
		if err := ctx.Err(); err != nil {
			return nil, 0, err
		}
		more, err := ch.next()
		if err != nil {
			return nil, 0, err
		}
		if !more {
			break
		}
		buf.Reset()
		start = start[:0]
		cw := csv.NewWriter(&buf)
		cw.Write(append([]string{rowCol}, targets...))
		cw.Flush()
		line := 2
		for i, rec := range ch.recs {
			cells = append(cells[:0], strconv.Itoa(i))
			for _, j := range pos {
				cells = append(cells, rec[j])
			}
			at := buf.Len()
			cw.Write(cells)
			cw.Flush()
			start = append(start, line)
			line += bytes.Count(buf.Bytes()[at:], []byte{'\n'})
		}
		rd := tabular.NewCSVReader(bytes.NewReader(buf.Bytes()))
		rd.Targets = targets
		rd.Task = p.Task()
		rd.NA = markers
		rd.ColumnNA = p.ColumnNA()
		t, err := rd.ReadAll()
		if errors.Is(err, tabular.ErrEmptyInput) {
			dropped += len(ch.recs) // every target is missing
			continue
		}
		if err != nil {
			var pe *tabular.ParseError
			if errors.As(err, &pe) && pe.Line >= 2 {
				k := sort.SearchInts(start, pe.Line+1) - 1
				col := 0
				if pe.Column >= 2 && pe.Column-2 < len(targets) {
					col = pos[pe.Column-2] + 1
				}
				return nil, 0, &tabular.ParseError{Line: ch.lines[k], Column: col, Err: pe.Err}
			}
			return nil, 0, err
		}
		dropped += t.Dropped
		kept, lines = kept[:0], lines[:0]
		for _, v := range t.Features[0].Values {
			kept, lines = append(kept, ch.recs[int(v)]), append(lines, ch.lines[int(v)])
		}
		blankNA(kept, na)
		pred, err := p.PredictRecords(ch.header, kept)
		if err == nil {
			err = s.add(pred, t)
		}
		if err != nil {
			return nil, 0, recordError(err, lines)
		}
	}
	ev, err = s.evaluation()
	return ev, dropped, err
}

// listHeader lists header names for a message, at most 20 of them.
func listHeader(names []string) string {
	q := make([]string, 0, min(len(names), 20))
	for _, n := range names[:min(len(names), 20)] {
		q = append(q, strconv.Quote(n))
	}
	s := strings.Join(q, ", ")
	if len(names) > 20 {
		s += fmt.Sprintf(", ... %d more", len(names)-20)
	}
	return s
}

// blankNA replaces each cell of recs that is one of the markers na
// (trimmed) by "", which every reader takes for a missing cell.
func blankNA(recs [][]string, na []string) {
	if len(na) == 0 {
		return
	}
	for _, rec := range recs {
		for j, c := range rec {
			if slices.Contains(na, strings.TrimSpace(c)) {
				rec[j] = ""
			}
		}
	}
}
