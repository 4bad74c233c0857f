package main

import (
	"bufio"
	"context"
	"encoding/csv"
	"errors"
	"flag"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/mlpkit/mlp/tabular"
)

func init() {
	register(&command{
		name:    "predict",
		args:    "-model MODEL -data FILE.csv [-proba]",
		summary: "predict the rows of a CSV file, writing CSV to standard output",
		setup:   setupPredict,
	})
}

// predictChunk is the number of records predicted in one call: the output
// streams, and memory stays bounded whatever the file's length.
const predictChunk = 4096

func setupPredict(fs *flag.FlagSet) func(context.Context, *env) error {
	md := addModelData(fs, "to predict, with a header row")
	proba := fs.Bool("proba", false, "add one p_<class> column of probabilities per class (classifiers)")
	return func(ctx context.Context, e *env) error {
		p, f, err := md.open(e)
		if err != nil {
			return err
		}
		defer f.Close()
		out := bufio.NewWriter(e.stdout)
		if err := predictCSV(ctx, p, f, rune(md.sep), *proba, out); err != nil {
			return fmt.Errorf("%s: %w", dataName(*md.data), err)
		}
		return out.Flush()
	}
}

// predictCSV reads CSV records from r and writes their predictions as CSV
// to w, predictChunk records at a time.
func predictCSV(ctx context.Context, p *tabular.Pipeline, r io.Reader, comma rune, proba bool, w io.Writer) error {
	lr := &lineLimiter{r: r, max: tabular.DefaultMaxLineBytes, line: 1}
	cr := csv.NewReader(lr)
	cr.Comma = comma
	cr.FieldsPerRecord = 0 // every record as long as the header, or an error naming its line
	cr.ReuseRecord = false
	header, err := cr.Read()
	if err != nil {
		if err == io.EOF {
			return errors.New("the file is empty: want a header row of column names")
		}
		return csvError(err, lr)
	}
	if len(header) > 0 {
		header[0] = strings.TrimPrefix(header[0], "\uFEFF")
	}
	cw := csv.NewWriter(w)
	if err := cw.Write(predictHeader(p, proba)); err != nil {
		return err
	}
	var (
		recs  [][]string
		lines []int
		cells []string
		done  bool
	)
	for !done {
		if err := ctx.Err(); err != nil {
			return err
		}
		recs, lines = recs[:0], lines[:0]
		for len(recs) < predictChunk {
			rec, err := cr.Read()
			if err == io.EOF {
				done = true
				break
			}
			if err != nil {
				return csvError(err, lr)
			}
			line, _ := cr.FieldPos(0)
			recs, lines = append(recs, rec), append(lines, line)
		}
		if len(recs) == 0 {
			break
		}
		pred, err := p.PredictRecords(header, recs)
		if err != nil {
			return recordError(err, lines)
		}
		for i := range recs {
			cells = appendPrediction(cells[:0], p, pred, i, proba)
			if err := cw.Write(cells); err != nil {
				return err
			}
		}
	}
	cw.Flush()
	return cw.Error()
}

// predictHeader returns the header of predict's output: "prediction", or
// "prediction_<target>" per target when there are several, then with proba
// "p_<class>" per class.
func predictHeader(p *tabular.Pipeline, proba bool) []string {
	targets := p.Targets()
	var h []string
	if p.Task() == tabular.Regression && len(targets) > 1 {
		for _, t := range targets {
			h = append(h, "prediction_"+t)
		}
	} else {
		h = append(h, "prediction")
	}
	if proba && p.Task() == tabular.Classification {
		for _, c := range p.Classes() {
			h = append(h, "p_"+c)
		}
	}
	return h
}

// appendPrediction appends the output cells of row i of pred to cells.
func appendPrediction(cells []string, p *tabular.Pipeline, pred *tabular.Prediction, i int, proba bool) []string {
	if pred.Values != nil {
		_, c := pred.Values.Dims()
		for j := range c {
			cells = append(cells, formatFloat(pred.Values.At(i, j)))
		}
		return cells
	}
	cells = append(cells, pred.Labels[i])
	if proba {
		_, c := pred.Proba.Dims()
		for j := range c {
			cells = append(cells, formatFloat(pred.Proba.At(i, j)))
		}
	}
	return cells
}

// formatFloat writes v in the shortest form that reads back to v.
func formatFloat(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }

// recordError turns an error of PredictRecords about one of the records of
// a chunk into one naming the record's line and the column.
func recordError(err error, lines []int) error {
	var re *tabular.RecordError
	if errors.As(err, &re) && re.Record >= 0 && re.Record < len(lines) {
		if re.Column != "" {
			return fmt.Errorf("line %d, column %q: %w", lines[re.Record], re.Column, re.Err)
		}
		return fmt.Errorf("line %d: %w", lines[re.Record], re.Err)
	}
	return err
}

// csvError turns an error of encoding/csv or of the line limiter into one
// naming the line.
func csvError(err error, lr *lineLimiter) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return fmt.Errorf("line %d, field %d: %w", pe.Line, pe.Column, pe.Err)
	}
	return err
}

// lineLimiter passes the bytes of r through, failing once a line is longer
// than max bytes, so that a reader above it never holds more than one
// line of max bytes, whatever the input.
type lineLimiter struct {
	r         io.Reader
	max       int
	line, len int
	err       error
}

func (l *lineLimiter) Read(p []byte) (int, error) {
	if l.err != nil {
		return 0, l.err
	}
	n, err := l.r.Read(p)
	for i, b := range p[:n] {
		if b == '\n' {
			l.line, l.len = l.line+1, 0
			continue
		}
		if l.len++; l.len > l.max {
			l.err = fmt.Errorf("line %d: %w: longer than %d bytes", l.line, tabular.ErrLimit, l.max)
			return i, l.err
		}
	}
	return n, err
}
