package tabular_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"

	"github.com/mlpkit/mlp/tabular"
)

// A classifier with scikit-learn's defaults on a table with text labels,
// saved whole and loaded to predict raw rows.
func ExampleMLPClassifier() {
	var csv strings.Builder
	csv.WriteString("size,colour,fruit\n")
	rng := rand.New(rand.NewPCG(1, 1))
	for range 60 {
		s := rng.Float64()
		switch {
		case s < 0.33:
			fmt.Fprintf(&csv, "%.2f,green,lime\n", 3+s)
		case s < 0.66:
			fmt.Fprintf(&csv, "%.2f,yellow,lemon\n", 6+s)
		default:
			fmt.Fprintf(&csv, "%.2f,orange,orange\n", 8+s)
		}
	}
	r := tabular.NewCSVReader(strings.NewReader(csv.String()))
	r.Targets = []string{"fruit"}
	table, err := r.ReadAll()
	if err != nil {
		fmt.Println(err)
		return
	}
	model, err := tabular.MLPClassifier{HiddenLayerSizes: []int{8}, LearningRateInit: 0.05}.Fit(context.Background(), table)
	if err != nil {
		fmt.Println(err)
		return
	}
	acc, _ := model.Score(table)
	fmt.Printf("classes %v, training accuracy %.2f\n", model.Classes(), acc)

	var file strings.Builder
	if err := model.Pipeline().Save(&file); err != nil {
		fmt.Println(err)
		return
	}
	loaded, err := tabular.LoadPipeline(strings.NewReader(file.String()))
	if err != nil {
		fmt.Println(err)
		return
	}
	pred, err := loaded.PredictRecords([]string{"colour", "size"}, [][]string{{"yellow", "6.4"}, {"green", "3.1"}})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(pred.Labels)
	// Output:
	// classes [lemon lime orange], training accuracy 1.00
	// [lemon lime]
}

// Five-fold cross-validation, stratified by class, of two candidates, and
// the best refitted on every row.
func ExampleGridSearch() {
	var csv strings.Builder
	csv.WriteString("x,y,label\n")
	rng := rand.New(rand.NewPCG(2, 2))
	for range 100 {
		x, y := rng.Float64()*2-1, rng.Float64()*2-1
		label := "out"
		if x*x+y*y < 0.5 {
			label = "in"
		}
		fmt.Fprintf(&csv, "%.3f,%.3f,%s\n", x, y, label)
	}
	r := tabular.NewCSVReader(strings.NewReader(csv.String()))
	r.Targets = []string{"label"}
	table, err := r.ReadAll()
	if err != nil {
		fmt.Println(err)
		return
	}
	grid := []tabular.Estimator[*tabular.FittedMLP]{
		tabular.MLPClassifier{HiddenLayerSizes: []int{}, MaxIter: 50}, // a linear model cannot draw a circle
		tabular.MLPClassifier{HiddenLayerSizes: []int{16}, LearningRateInit: 0.02},
	}
	res, err := tabular.GridSearch(context.Background(), grid, table, tabular.CVSettings{K: 5, Stratify: true})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("best candidate %d; mean accuracy above 0.85: %v\n", res.Best, res.Results[res.Best].Mean > 0.85)
	fmt.Println("hidden_layer_sizes:", res.Params[res.Best]["hidden_layer_sizes"])
	// BestModel is the best candidate fitted on all 100 rows (refit).
	pred, err := res.BestModel.Predict(table)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("refit on", res.BestModel.Pipeline().Classes(), "predicts", len(pred.Labels), "rows")
	// Output:
	// best candidate 1; mean accuracy above 0.85: true
	// hidden_layer_sizes: [16]
	// refit on [in out] predicts 100 rows
}

// A warm start: a second fit continues from the weights of the first, as
// scikit-learn's warm_start=True does (History and the stopping rule start
// afresh).
func ExampleMLPSettings_initialWeights() {
	var csv strings.Builder
	csv.WriteString("x,y\n")
	rng := rand.New(rand.NewPCG(3, 3))
	for range 80 {
		x := rng.Float64()*4 - 2
		fmt.Fprintf(&csv, "%.3f,%.3f\n", x, x*x+0.1*rng.NormFloat64())
	}
	r := tabular.NewCSVReader(strings.NewReader(csv.String()))
	r.Targets = []string{"y"}
	table, err := r.ReadAll()
	if err != nil {
		fmt.Println(err)
		return
	}
	s := tabular.MLPSettings{HiddenLayerSizes: []int{16}, LearningRateInit: 0.01, MaxIter: 50, Tol: 1e-9}
	first, err := tabular.MLPRegressor(s).Fit(context.Background(), table)
	if err != nil {
		fmt.Println(err)
		return
	}
	s.InitialWeights = first.Weights() // coefs_ and intercepts_: 1×16 and 16×1
	second, err := tabular.MLPRegressor(s).Fit(context.Background(), table)
	if err != nil {
		fmt.Println(err)
		return
	}
	h1, h2 := first.History().Epochs, second.History().Epochs
	fmt.Printf("layers %d, first fit %d epochs, second %d\n", len(first.Weights().Coefs), len(h1), len(h2))
	fmt.Printf("the second fit starts where the first ended: %v\n", h2[0].Loss < h1[0].Loss/2)
	// Output:
	// layers 2, first fit 50 epochs, second 50
	// the second fit starts where the first ended: true
}
