package main

import (
	"cmp"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/mlpkit/mlp"
	"github.com/mlpkit/mlp/internal/text"
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
	// cls is the classification report, for the figures beside accuracy
	// (the majority-class rate, the balanced accuracy, the probability
	// scores); nil for regression.
	cls *mlp.ClassificationReport
	// report is the classification report and confusion matrix, or the
	// regression report, as printed.
	report string
	// unseen counts the rows whose true class the model does not have
	// (classification); they are scored as wrong predictions, and the
	// loss is over the other rows. unseenClasses names those classes.
	unseen        int
	unseenClasses []string
}

// unseenNote says how the rows of classes the model never saw were
// scored, or is "" when there are none.
func (ev *evaluation) unseenNote() string {
	if ev.unseen == 0 {
		return ""
	}
	names := make([]string, 0, min(len(ev.unseenClasses), 5))
	for _, c := range ev.unseenClasses[:min(len(ev.unseenClasses), 5)] {
		names = append(names, strconv.Quote(text.Cut(c, 30)))
	}
	list := strings.Join(names, ", ")
	if len(ev.unseenClasses) > 5 {
		list += fmt.Sprintf(" and %d more", len(ev.unseenClasses)-5)
	}
	return fmt.Sprintf("%d of the %d rows have a class the model never saw (%s): they count as wrong predictions, and the loss, ROC AUC, average precision and log loss are over the other %d rows",
		ev.unseen, ev.rows, list, ev.rows-ev.unseen)
}

// scorer gathers predictions and the true targets, a chunk of rows at a
// time, and scores them at the end. It keeps two integers a row and, for
// the ROC AUC and average precision, which rank the whole set, the
// probabilities of the rows of known classes (8 bytes a class) for
// classification, and 16 bytes a target cell for regression.
type scorer struct {
	p     *tabular.Pipeline
	index map[string]int // class name -> index: the model's, then the unseen ones
	names []string       // the classes of index, by index
	rows  int

	pred, labels []int     // classification
	nll          float64   // the sum of the chunks' cross-entropy over their rows of known classes
	unseen       int       // rows whose class the model does not have
	proba        []float64 // the probabilities of the rows of known classes, row-major
	known        []int     // their labels

	values, y []float64 // regression, row-major
}

func newScorer(p *tabular.Pipeline) *scorer {
	s := &scorer{p: p}
	if p.Task() == tabular.Classification {
		s.index = make(map[string]int)
		s.names = p.Classes()
		for k, c := range s.names {
			s.index[c] = k
		}
	}
	return s
}

// add scores pred, the predictions of the rows of t, against t's target
// columns. A row whose label is not one of the model's classes is scored
// as a wrong prediction, as scikit-learn scores it, and left out of the
// loss.
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
	model := len(s.p.Classes())
	var known []int // rows of a class the model has
	for i := range labels {
		name := target.Text(i)
		k, ok := s.index[name]
		if !ok && (strings.EqualFold(name, "true") || strings.EqualFold(name, "false")) {
			// A boolean class, spelled otherwise in a chunk read as
			// text: the reader names the classes of a boolean column
			// True and False.
			name = strings.ToUpper(name[:1]) + strings.ToLower(name[1:])
			k, ok = s.index[name]
		}
		if !ok {
			if len(s.names) == mlp.MaxClasses {
				return &tabular.RecordError{Record: i, Column: target.Name, Err: fmt.Errorf("%w: class %q would be class %d, more than %d",
					mlp.ErrData, name, len(s.names)+1, mlp.MaxClasses)}
			}
			k = len(s.names)
			s.index[name] = k
			s.names = append(s.names, name)
		}
		labels[i] = k
		if k < model {
			known = append(known, i)
		}
	}
	s.unseen += n - len(known)
	for _, i := range known {
		s.proba = append(s.proba, pred.Proba.RawRowView(i)...)
		s.known = append(s.known, labels[i])
	}
	switch {
	case len(known) == n:
		s.nll += (&mlp.CrossEntropy{}).Loss(pred.Proba, mlp.Targets{Labels: labels}) * float64(n)
	case len(known) > 0:
		proba := mat.NewDense(len(known), model, nil)
		sub := make([]int, len(known))
		for r, i := range known {
			proba.SetRow(r, pred.Proba.RawRowView(i))
			sub[r] = labels[i]
		}
		s.nll += (&mlp.CrossEntropy{}).Loss(proba, mlp.Targets{Labels: sub}) * float64(len(known))
	}
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
	classes, pred, labels := s.names, s.pred, s.labels
	if s.unseen > 0 {
		// The classes the model never saw join the report, in the order
		// scikit-learn's unique_labels gives: numbers by value, text by
		// bytes.
		var order []int
		classes, order = sortClasses(s.names)
		pred, labels = make([]int, len(s.pred)), make([]int, len(s.labels))
		for i := range pred {
			pred[i], labels[i] = order[s.pred[i]], order[s.labels[i]]
		}
		ev.unseen = s.unseen
		ev.unseenClasses, _ = sortClasses(s.names[len(p.Classes()):])
	}
	rep, err := mlp.NewClassificationReport(pred, labels, classes)
	if err != nil {
		return nil, err
	}
	cm, err := mlp.NewConfusionMatrix(pred, labels, classes)
	if err != nil {
		return nil, err
	}
	if len(s.known) > 0 {
		rep.Probability, err = mlp.NewProbabilityScores(mat.NewDense(len(s.known), len(p.Classes()), s.proba), s.known)
		if err != nil {
			return nil, err
		}
	}
	ev.loss = s.nll / float64(s.rows-s.unseen) // NaN when every class is unseen
	ev.accuracy = rep.Accuracy
	ev.cls = rep
	ev.report = rep.String() + "\n" + confusionString(cm, maxReportWidth)
	return ev, nil
}

// sortClasses returns names sorted as scikit-learn sorts labels (by value
// when every name is a number, otherwise by bytes), and the new position
// of each name.
func sortClasses(names []string) (sorted []string, order []int) {
	idx := make([]int, len(names))
	vals := make([]float64, len(names))
	numeric := true
	for i, n := range names {
		idx[i] = i
		v, err := strconv.ParseFloat(n, 64)
		numeric = numeric && err == nil
		vals[i] = v
	}
	slices.SortStableFunc(idx, func(a, b int) int {
		if numeric {
			return cmp.Compare(vals[a], vals[b])
		}
		return strings.Compare(names[a], names[b])
	})
	sorted, order = make([]string, len(names)), make([]int, len(names))
	for to, from := range idx {
		sorted[to], order[from] = names[from], to
	}
	return sorted, order
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
		fmt.Fprintf(&b, "\n  %s -> %s: %d", text.Cut(names[w.t], 30), text.Cut(names[w.p], 30), w.n)
	}
	return b.String()
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
