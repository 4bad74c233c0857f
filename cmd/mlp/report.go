package main

import (
	"fmt"
	"io"
	"math"

	"github.com/mlpkit/mlp"
	"github.com/mlpkit/mlp/tabular"
)

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

// evaluate predicts the rows of t with p and scores the predictions against
// t's target columns, which must be p's.
func evaluate(p *tabular.Pipeline, t *tabular.Table) (*evaluation, error) {
	if t.Rows() == 0 {
		return nil, fmt.Errorf("%w: no rows with a target to score", mlp.ErrData)
	}
	pred, err := p.Predict(t)
	if err != nil {
		return nil, err
	}
	ev := &evaluation{task: p.Task(), rows: t.Rows()}
	if p.Task() == tabular.Regression {
		y, err := t.TargetValues()
		if err != nil {
			return nil, err
		}
		rep, err := mlp.NewRegressionReport(pred.Values, y, p.Targets())
		if err != nil {
			return nil, err
		}
		ev.loss = (&mlp.MSE{}).Loss(pred.Values, mlp.Targets{Values: y})
		ev.rmse = math.Sqrt(ev.loss)
		ev.r2 = rep.R2()
		ev.report = rep.String()
		return ev, nil
	}
	classes := p.Classes()
	index := make(map[string]int, len(classes))
	for k, c := range classes {
		index[c] = k
	}
	target := &t.Targets[0]
	labels := make([]int, t.Rows())
	for i := range labels {
		k, ok := index[target.Text(i)]
		if !ok {
			return nil, fmt.Errorf("%w: target column %q, row %d (0-based): class %q is not one of the model's %d classes",
				mlp.ErrData, target.Name, i, target.Text(i), len(classes))
		}
		labels[i] = k
	}
	rep, err := mlp.NewClassificationReport(pred.Classes, labels, classes)
	if err != nil {
		return nil, err
	}
	cm, err := mlp.NewConfusionMatrix(pred.Classes, labels, classes)
	if err != nil {
		return nil, err
	}
	ev.loss = (&mlp.CrossEntropy{}).Loss(pred.Proba, mlp.Targets{Labels: labels})
	ev.accuracy = rep.Accuracy
	ev.report = rep.String() + "\n" + cm.String()
	return ev, nil
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
