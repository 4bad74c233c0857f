package experiment

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/mlpkit/mlp"
	"github.com/mlpkit/mlp/internal/datasets"
)

func prepareRegression(t *testing.T, seed uint64) *Data {
	t.Helper()
	r, err := datasets.Open("diabetes.csv")
	if err != nil {
		t.Fatal(err)
	}
	d, err := Regression.Prepare(r, "", seed, 0.2)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// Regression.Prepare scales the features as for classification, keeps the
// targets in their units and fits TargetScaler on the training targets.
func TestPrepareRegression(t *testing.T) {
	const seed = 3
	d := prepareRegression(t, seed)
	if d.Task != Regression || d.Classes() != 0 || d.Outputs() != 1 || d.Features() != 10 {
		t.Fatalf("task %v, %d classes, %d outputs, %d features; want regression, 0, 1, 10", d.Task, d.Classes(), d.Outputs(), d.Features())
	}
	r, _ := datasets.Open("diabetes.csv")
	all, err := Regression.read(r, "")
	if err != nil {
		t.Fatal(err)
	}
	rawTrain, rawVal, err := mlp.Split(all, mlp.SplitSettings{ValFraction: 0.2, Src: rand.NewPCG(seed, splitStream)})
	if err != nil {
		t.Fatal(err)
	}
	if !mat.Equal(rawTrain.Y.Values, d.Train.Y.Values) || !mat.Equal(rawVal.Y.Values, d.Val.Y.Values) {
		t.Fatal("the targets of Data are not those of the split, in their units")
	}
	const tol = 1e-9
	m, s := columnStats(rawTrain.Y.Values, 0)
	if ts := d.TargetScaler; math.Abs(ts.Mean[0]-m) > tol*m || math.Abs(ts.Std[0]-s) > tol*s {
		t.Errorf("TargetScaler mean %v, std %v; the training targets have %v, %v", ts.Mean[0], ts.Std[0], m, s)
	}
	if m, s := columnStats(d.Train.X, 0); math.Abs(m) > tol || math.Abs(s-1) > tol {
		t.Errorf("scaled training feature 0 has mean %g, std %g; want 0, 1", m, s)
	}
	if c := prepare(t, "iris.csv", 1); c.Task != Classification || c.TargetScaler != nil || c.Outputs() != 3 {
		t.Errorf("classification data: task %v, target scaler %v, %d outputs", c.Task, c.TargetScaler, c.Outputs())
	}
}

func TestTaskErrors(t *testing.T) {
	bad := Task(7)
	if _, err := bad.Prepare(strings.NewReader("a,b\n1,2\n3,4\n"), "", 1, 0); !errors.Is(err, mlp.ErrSetting) {
		t.Errorf("Prepare of an unknown task: error %v, want one matching ErrSetting", err)
	}
	if _, err := (Spec{}).BuildFor(bad, 3, 1, rand.NewPCG(1, 2)); !errors.Is(err, mlp.ErrSetting) {
		t.Errorf("BuildFor an unknown task: error %v, want one matching ErrSetting", err)
	}
	if _, err := (Spec{}).BuildFor(Regression, 3, 0, rand.NewPCG(1, 2)); !errors.Is(err, mlp.ErrSetting) {
		t.Errorf("BuildFor with no output: error %v, want one matching ErrSetting", err)
	}
	for task, want := range map[Task]string{Classification: "classification", Regression: "regression", bad: "Task(7)"} {
		if got := task.String(); got != want {
			t.Errorf("Task(%d).String() = %q, want %q", int(task), got, want)
		}
	}
	if _, err := Regression.Prepare(nil, "", 1, 0); !errors.Is(err, mlp.ErrData) {
		t.Errorf("nil reader: error %v, want one matching ErrData", err)
	}
}

func TestBuildForRegression(t *testing.T) {
	tests := []struct {
		hidden []int
		want   string
	}{
		{nil, "Linear(10->1)"},
		{[]int{16}, "Linear(10->16), ReLU, Linear(16->1)"},
		{[]int{8, 4}, "Linear(10->8), ReLU, Linear(8->4), ReLU, Linear(4->1)"},
	}
	for _, tt := range tests {
		m, err := Spec{Hidden: tt.hidden}.BuildFor(Regression, 10, 1, rand.NewPCG(1, 2))
		if err != nil {
			t.Fatal(err)
		}
		if got := Describe(m); got != tt.want {
			t.Errorf("hidden %v: got %s, want %s", tt.hidden, got, tt.want)
		}
	}
	// Build is BuildFor(Classification, ...): the same weights from the same source.
	a, _ := Spec{Hidden: []int{5}}.Build(4, 3, rand.NewPCG(1, 2))
	b, _ := Spec{Hidden: []int{5}}.BuildFor(Classification, 4, 3, rand.NewPCG(1, 2))
	if Describe(a) != Describe(b) || !mat.Equal(a.Params()[0].Value, b.Params()[0].Value) {
		t.Errorf("Build gives %s, BuildFor(Classification) %s", Describe(a), Describe(b))
	}
}

// The figures of a regression Result are in the target's units and agree
// with one another: the history's last validation loss and metrics, the
// final MSE, RMSE and R², and the predictions.
func TestFitRegressionUnits(t *testing.T) {
	d := prepareRegression(t, 2)
	s := Spec{Hidden: []int{8}, Epochs: 12, Batch: 32, LR: 0.01}
	res, err := d.Fit(context.Background(), s)
	if err != nil {
		t.Fatal(err)
	}
	if !math.IsNaN(res.ValAccuracy) || res.Pred != nil || res.Confusion != nil {
		t.Errorf("a regression result has classification figures: %v, %v, %v", res.ValAccuracy, res.Pred, res.Confusion)
	}
	near := func(what string, got, want, rel float64) {
		t.Helper()
		if !(math.Abs(got-want) <= rel*math.Abs(want)) {
			t.Errorf("%s: %v, want %v within %g", what, got, want, rel)
		}
	}
	// The MSE of the predictions in the target's units.
	var sum float64
	n := d.Val.Len()
	for i := range n {
		e := res.PredValues.At(i, 0) - d.Val.Y.Values.At(i, 0)
		sum += e * e
	}
	near("ValLoss against the predictions", res.ValLoss, sum/float64(n), 1e-12)
	near("ValRMSE²", res.ValRMSE*res.ValRMSE, res.ValLoss, 1e-12)

	last, _ := res.History.Last()
	near("last epoch's validation loss", last.ValLoss, res.ValLoss, 1e-9)
	rmse, err := res.History.Metric("val_rmse")
	if err != nil {
		t.Fatal(err)
	}
	r2, err := res.History.Metric("val_r2")
	if err != nil {
		t.Fatal(err)
	}
	near("last epoch's rmse", rmse[len(res.History.Epochs)-1], res.ValRMSE, 1e-9)
	near("last epoch's r2", r2[len(res.History.Epochs)-1], res.ValR2, 1e-9)
	if last.Loss < 100 {
		t.Errorf("training loss %v is not in the target's units (variance about %v)", last.Loss, d.TargetScaler.Std[0]*d.TargetScaler.Std[0])
	}

	// The model predicts the standardized target.
	p, err := res.Model.Predict(d.Val.X)
	if err != nil {
		t.Fatal(err)
	}
	near("standardized prediction", p.At(0, 0)*d.TargetScaler.Std[0]+d.TargetScaler.Mean[0], res.PredValues.At(0, 0), 1e-12)

	again, err := d.Fit(context.Background(), s)
	if err != nil {
		t.Fatal(err)
	}
	if again.ValLoss != res.ValLoss || !mat.Equal(again.PredValues, res.PredValues) {
		t.Error("two fits with one seed differ")
	}
}

// The epoch lines of a regression run are those of the trainer's log, with
// the losses of the history in the target's units.
func TestFitRegressionLog(t *testing.T) {
	d := prepareRegression(t, 1)
	var buf bytes.Buffer
	res, err := d.Fit(context.Background(), Spec{Epochs: 8, Batch: 32, LR: 0.01, Log: &buf, LogEvery: 3})
	if err != nil {
		t.Fatal(err)
	}
	var want strings.Builder
	for _, e := range res.History.Epochs {
		if e.Epoch%3 == 0 || e.Epoch == 7 {
			fmt.Fprintf(&want, "epoch=%3d | loss=%6.3f | val_loss=%6.3f | val_rmse=%6.3f | val_r2=%6.3f\n",
				e.Epoch, e.Loss, e.ValLoss, e.ValMetrics[0], e.ValMetrics[1])
		}
	}
	if got := buf.String(); got != want.String() {
		t.Errorf("log\n%s\nwant\n%s", got, want.String())
	}
}

// targetUnits hands its metric the predictions and targets in the target's
// units, batch by batch, whatever the batch size.
func TestTargetUnits(t *testing.T) {
	const mean, std = 150, 70
	pred := []float64{0.5, -1, 2, 0.1, 0}
	y := []float64{0.4, -1.2, 1.5, 0, 0.3}
	u := &targetUnits{m: &mlp.RMSE{}, mean: mean, std: std}
	var want float64
	for i := range pred {
		e := (pred[i]*std + mean) - (y[i]*std + mean)
		want += e * e
	}
	want = math.Sqrt(want / float64(len(pred)))
	for round := range 2 {
		u.Reset()
		for _, b := range [][2]int{{0, 3}, {3, 5}} { // batches of 3 and 2 rows
			n := b[1] - b[0]
			u.Update(mat.NewDense(n, 1, pred[b[0]:b[1]]), mlp.Targets{Values: mat.NewDense(n, 1, y[b[0]:b[1]])})
		}
		if got := u.Value(); math.Abs(got-want) > 1e-9*want {
			t.Errorf("round %d: RMSE %v, want %v", round, got, want)
		}
	}
	if u.Name() != "rmse" {
		t.Errorf("Name %q, want rmse", u.Name())
	}
	// The inputs are not changed.
	if pred[0] != 0.5 || y[0] != 0.4 {
		t.Error("Update changed its inputs")
	}
}
