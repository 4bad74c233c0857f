package main

import (
	"cmp"
	"fmt"
	"io"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/mlpkit/mlp"
	"github.com/mlpkit/mlp/tabular"
	"gonum.org/v1/gonum/mat"
)

// chunkRows is the number of rows predicted in one call when a command
// predicts a file or a table: the library takes at most 2^20 rows a call,
// and memory stays bounded whatever the input's length.
const chunkRows = 4096

// maxReportWidth is the widest line of a printed report: a confusion
// matrix wider than this is summarised.
const maxReportWidth = 80

// evaluation is how a pipeline does on a table with its targets.
type evaluation struct {
	task tabular.Task
	rows int
	// loss is the mean cross-entropy (classification) or the mean squared
	// error over every target cell, in the targets' units (regression).
	loss float64
	// accuracy (classification); rmse, pooled over the targets, and r2,
	// averaged over them (regression).
	accuracy, rmse, r2 float64
	// report is the classification report and confusion matrix, or the
	// regression report, as printed.
	report string
}

// scorer gathers predictions and the true targets, a chunk of rows at a
// time, and scores them at the end. It keeps two integers a row for
// classification and 16 bytes a target cell for regression.
type scorer struct {
	p     *tabular.Pipeline
	index map[string]int // class name -> index
	rows  int

	pred, labels []int   // classification
	nll          float64 // the sum of the chunks' cross-entropy over their rows

	values, y []float64 // regression, row-major
}

func newScorer(p *tabular.Pipeline) *scorer {
	s := &scorer{p: p}
	if p.Task() == tabular.Classification {
		s.index = make(map[string]int)
		for k, c := range p.Classes() {
			s.index[c] = k
		}
	}
	return s
}

// add scores pred, the predictions of the rows of t, against t's target
// columns. A label that is not one of the model's classes is a
// *tabular.RecordError naming the row of t.
func (s *scorer) add(pred *tabular.Prediction, t *tabular.Table) error {
	n := t.Rows()
	if s.p.Task() == tabular.Regression {
		y, err := t.TargetValues()
		if err != nil {
			return err
		}
		for i := range n {
			s.values = append(s.values, pred.Values.RawRowView(i)...)
			s.y = append(s.y, y.RawRowView(i)...)
		}
		s.rows += n
		return nil
	}
	target := &t.Targets[0]
	labels := make([]int, n)
	for i := range labels {
		k, ok := s.index[target.Text(i)]
		if !ok {
			return &tabular.RecordError{Record: i, Column: target.Name, Err: fmt.Errorf("%w: class %q is not one of the model's %d classes",
				mlp.ErrData, target.Text(i), len(s.index))}
		}
		labels[i] = k
	}
	s.nll += (&mlp.CrossEntropy{}).Loss(pred.Proba, mlp.Targets{Labels: labels}) * float64(n)
	s.pred = append(s.pred, pred.Classes...)
	s.labels = append(s.labels, labels...)
	s.rows += n
	return nil
}

// evaluation returns the scores of the rows added.
func (s *scorer) evaluation() (*evaluation, error) {
	if s.rows == 0 {
		return nil, fmt.Errorf("%w: no rows with a target to score", mlp.ErrData)
	}
	p := s.p
	ev := &evaluation{task: p.Task(), rows: s.rows}
	if p.Task() == tabular.Regression {
		k := len(s.values) / s.rows
		pred, y := mat.NewDense(s.rows, k, s.values), mat.NewDense(s.rows, k, s.y)
		rep, err := mlp.NewRegressionReport(pred, y, p.Targets())
		if err != nil {
			return nil, err
		}
		ev.loss = (&mlp.MSE{}).Loss(pred, mlp.Targets{Values: y})
		// The RMSE metric scales its sums: finite wherever the RMSE is,
		// also when the mean squared error itself overflows.
		var rmse mlp.RMSE
		rmse.Update(pred, mlp.Targets{Values: y})
		ev.rmse = rmse.Value()
		ev.r2 = rep.R2()
		ev.report = rep.String()
		return ev, nil
	}
	classes := p.Classes()
	rep, err := mlp.NewClassificationReport(s.pred, s.labels, classes)
	if err != nil {
		return nil, err
	}
	cm, err := mlp.NewConfusionMatrix(s.pred, s.labels, classes)
	if err != nil {
		return nil, err
	}
	ev.loss = s.nll / float64(s.rows)
	ev.accuracy = rep.Accuracy
	ev.report = rep.String() + "\n" + confusionString(cm, maxReportWidth)
	return ev, nil
}

// evaluate predicts the rows of t with p, chunkRows at a time, and scores
// the predictions against t's target columns, which must be p's.
func evaluate(p *tabular.Pipeline, t *tabular.Table) (*evaluation, error) {
	s := newScorer(p)
	n := t.Rows()
	idx := make([]int, 0, chunkRows)
	for start := 0; start < n; start += chunkRows {
		idx = idx[:0]
		for i := start; i < min(n, start+chunkRows); i++ {
			idx = append(idx, i)
		}
		sub := t.Subset(idx)
		pred, err := p.Predict(sub)
		if err == nil {
			err = s.add(pred, sub)
		}
		if err != nil {
			return nil, shiftRecord(err, start)
		}
	}
	return s.evaluation()
}

// shiftRecord returns err with the record of a *tabular.RecordError
// counted from off, the first row of a chunk.
func shiftRecord(err error, off int) error {
	if re, ok := err.(*tabular.RecordError); ok {
		return &tabular.RecordError{Record: re.Record + off, Column: re.Column, Err: re.Err}
	}
	return err
}

// confusionString returns the confusion matrix as cm.String prints it when
// its lines are at most width characters long, and otherwise a summary: the
// samples on the diagonal and the ten most frequent confusions.
func confusionString(cm *mlp.ConfusionMatrix, width int) string {
	full := cm.String()
	if !slices.ContainsFunc(strings.Split(full, "\n"), func(l string) bool { return utf8.RuneCountInString(l) > width }) {
		return full
	}
	type pair struct{ t, p, n int }
	var wrong []pair
	names := cm.Classes()
	right, total := 0, 0
	for t := range names {
		for p := range names {
			n := cm.At(t, p)
			total += n
			if t == p {
				right += n
			} else if n > 0 {
				wrong = append(wrong, pair{t, p, n})
			}
		}
	}
	slices.SortFunc(wrong, func(a, b pair) int {
		return cmp.Or(cmp.Compare(b.n, a.n), cmp.Compare(a.t, b.t), cmp.Compare(a.p, b.p))
	})
	var b strings.Builder
	fmt.Fprintf(&b, "confusion matrix of %d classes, too wide to print:\n  %d of %d samples on the diagonal", len(names), right, total)
	if len(wrong) > 0 {
		b.WriteString("\nmost frequent confusions (true -> predicted: samples):")
	}
	for _, w := range wrong[:min(10, len(wrong))] {
		fmt.Fprintf(&b, "\n  %s -> %s: %d", cut(names[w.t], 30), cut(names[w.p], 30), w.n)
	}
	return b.String()
}

// cut returns s, cut to its first n characters (runes) with "..." when
// longer; it never cuts a character in two.
func cut(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	i := 0
	for range n {
		_, size := utf8.DecodeRuneInString(s[i:])
		i += size
	}
	return s[:i] + "..."
}

// print writes the report, then the final line: with prefix "val_",
// "final val_loss=... val_accuracy=..." or
// "final val_loss=... val_rmse=... val_r2=...".
func (ev *evaluation) print(w io.Writer, prefix string) {
	fmt.Fprint(w, ev.report)
	if len(ev.report) > 0 && ev.report[len(ev.report)-1] != '\n' {
		fmt.Fprintln(w)
	}
	if ev.task == tabular.Regression {
		fmt.Fprintf(w, "final %sloss=%.4f %srmse=%.4f %sr2=%.4f\n", prefix, ev.loss, prefix, ev.rmse, prefix, ev.r2)
		return
	}
	fmt.Fprintf(w, "final %sloss=%.4f %saccuracy=%.4f\n", prefix, ev.loss, prefix, ev.accuracy)
}
