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

func setupPredict(fs *flag.FlagSet) func(context.Context, *env) error {
	md := addModelData(fs, "to predict, with a header row")
	proba := fs.Bool("proba", false, "add one p_<class> column of probabilities per class (classifiers only)")
	return func(ctx context.Context, e *env) error {
		p, f, err := md.open(e)
		if err != nil {
			return err
		}
		defer f.Close()
		if *proba && p.Task() != tabular.Classification {
			return usagef("-proba is for classifiers; %s is a regressor, which predicts %s", *md.model, strings.Join(predictHeader(p, false), ", "))
		}
		out := bufio.NewWriter(e.stdout)
		if err := predictCSV(ctx, p, f, rune(md.sep), md.na, *proba, out); err != nil {
			return fmt.Errorf("%s: %w", dataName(*md.data), err)
		}
		return out.Flush()
	}
}

// predictCSV reads CSV records from r and writes their predictions as CSV
// to w, chunkRows records at a time. Cells that are one of na are missing,
// besides the model's own markers.
func predictCSV(ctx context.Context, p *tabular.Pipeline, r io.Reader, comma rune, na []string, proba bool, w io.Writer) error {
	ch, err := newCSVChunks(r, comma)
	if err != nil {
		return err
	}
	cw := csv.NewWriter(w)
	if err := cw.Write(predictHeader(p, proba)); err != nil {
		return err
	}
	var cells []string
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		more, err := ch.next()
		if err != nil {
			return err
		}
		if !more {
			break
		}
		blankNA(ch.recs, na)
		pred, err := p.PredictRecords(ch.header, ch.recs)
		if err != nil {
			return recordError(err, ch.lines)
		}
		for i := range ch.recs {
			cells = appendPrediction(cells[:0], p, pred, i, proba)
			if err := cw.Write(cells); err != nil {
				return err
			}
		}
	}
	cw.Flush()
	return cw.Error()
}

// csvChunks reads a CSV file's header row, then its records chunkRows at a
// time with the line each starts on, through a lineLimiter, so that memory
// stays bounded whatever the input.
type csvChunks struct {
	lr     *lineLimiter
	cr     *csv.Reader
	header []string
	recs   [][]string // the records of the chunk next read
	lines  []int      // the line of each of recs
	done   bool
}

// newCSVChunks reads the header row of r, without a byte order mark.
func newCSVChunks(r io.Reader, comma rune) (*csvChunks, error) {
	lr := &lineLimiter{r: r, max: tabular.DefaultMaxLineBytes, line: 1}
	cr := csv.NewReader(lr)
	cr.Comma = comma
	cr.FieldsPerRecord = 0 // every record as long as the header, or an error naming its line
	header, err := cr.Read()
	if err != nil {
		if err == io.EOF {
			return nil, errors.New("the file is empty: want a header row of column names")
		}
		return nil, csvError(err, lr)
	}
	if len(header) > 0 {
		header[0] = strings.TrimPrefix(header[0], "\uFEFF")
	}
	return &csvChunks{lr: lr, cr: cr, header: header}, nil
}

// next reads the next chunk of at most chunkRows records into c.recs and
// c.lines, and reports whether there is one.
func (c *csvChunks) next() (bool, error) {
	c.recs, c.lines = c.recs[:0], c.lines[:0]
	for !c.done && len(c.recs) < chunkRows {
		rec, err := c.cr.Read()
		if err == io.EOF {
			c.done = true
			break
		}
		if err != nil {
			return false, csvError(err, c.lr)
		}
		line, _ := c.cr.FieldPos(0)
		c.recs, c.lines = append(c.recs, rec), append(c.lines, line)
	}
	return len(c.recs) > 0, nil
}

// predictHeader returns the header of predict's output: for a classifier
// "prediction", then with proba "p_<class>" per class; for a regressor
// "prediction" when the net has one output, and otherwise one column per
// output, "prediction_<target>" after the model's target names (a model
// saved without names has tabular.DefaultTargetNames: y0, y1, ...).
func predictHeader(p *tabular.Pipeline, proba bool) []string {
	if p.Task() == tabular.Classification {
		h := []string{"prediction"}
		if proba {
			for _, c := range p.Classes() {
				h = append(h, "p_"+c)
			}
		}
		return h
	}
	outs := 1
	if net, err := p.Net(); err == nil {
		outs = net.OutputSize()
	}
	if outs == 1 {
		return []string{"prediction"}
	}
	targets := p.Targets()
	if len(targets) != outs {
		targets = tabular.DefaultTargetNames(outs)
	}
	h := make([]string, outs)
	for k := range h {
		h[k] = "prediction_" + targets[k]
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
			return fmt.Errorf("line %d, column %q: %w", lines[re.Record], re.Column, inFlagTerms{re.Err})
		}
		return fmt.Errorf("line %d: %w", lines[re.Record], inFlagTerms{re.Err})
	}
	return err
}

// inFlagTerms is an error whose message names the command's flags in
// place of the library's settings (flagTerms).
type inFlagTerms struct{ err error }

func (e inFlagTerms) Error() string { return flagTerms(e.err.Error()) }
func (e inFlagTerms) Unwrap() error { return e.err }

// csvError turns an error of encoding/csv into one naming the line; an
// error of the line limiter names it already.
func csvError(err error, lr *lineLimiter) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		if pe.Err == csv.ErrQuote && lr.quoted && lr.eof && pe.StartLine <= lr.openLine && lr.openLine <= pe.Line {
			// A quoted field left open runs to the end of the input,
			// where encoding/csv reports it: report its opening quote.
			return fmt.Errorf("line %d: %w: the quoted field that starts here is not closed before the end of the input (line %d)", lr.openLine, pe.Err, pe.Line)
		}
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
	quoted    bool // within quotes, counting every quote
	openLine  int  // the line of the quote that opened them
	eof       bool // r has returned io.EOF
}

func (l *lineLimiter) Read(p []byte) (int, error) {
	if l.err != nil {
		return 0, l.err
	}
	n, err := l.r.Read(p)
	l.eof = l.eof || err == io.EOF
	for i, b := range p[:n] {
		if b == '\n' {
			l.line, l.len = l.line+1, 0
			continue
		}
		if b == '"' {
			if l.quoted = !l.quoted; l.quoted {
				l.openLine = l.line
			}
		}
		if l.len++; l.len > l.max {
			l.err = fmt.Errorf("line %d: %w: longer than %d bytes", l.line, tabular.ErrLimit, l.max)
			return i, l.err
		}
	}
	return n, err
}
