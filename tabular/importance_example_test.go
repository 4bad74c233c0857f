package tabular_test

import (
	"context"
	"fmt"

	"github.com/mlpkit/mlp"
	"github.com/mlpkit/mlp/internal/datasets"
	"github.com/mlpkit/mlp/tabular"

	"math/rand/v2"
)

// irisParts returns the embedded iris table split 70/30, stratified.
func irisParts() (train, test *tabular.Table, err error) {
	f, err := datasets.Open("iris_species.csv")
	if err != nil {
		return nil, nil, err
	}
	r := tabular.NewCSVReader(f)
	r.Targets = []string{"species"}
	t, err := r.ReadAll()
	if err != nil {
		return nil, nil, err
	}
	return tabular.SplitTable(t, mlp.SplitSettings{ValFraction: 0.3, Stratify: true, Src: rand.NewPCG(1, 1)})
}

// The drop in accuracy on held-out rows when each column is shuffled, as
// scikit-learn's permutation_importance.
func ExamplePermutationImportance() {
	train, test, err := irisParts()
	if err != nil {
		fmt.Println(err)
		return
	}
	ctx := context.Background()
	model, err := tabular.MLPClassifier{HiddenLayerSizes: []int{10}, LearningRateInit: 0.01}.Fit(ctx, train)
	if err != nil {
		fmt.Println(err)
		return
	}
	res, err := tabular.PermutationImportance(ctx, model, test, tabular.PermutationSettings{NRepeats: 10, Seed: 1})
	if err != nil {
		fmt.Println(err)
		return
	}
	j := res.Ranked()[0]
	fmt.Printf("baseline accuracy %.2f; most important: %s (drop %.1f)\n", res.Baseline, res.Columns[j], res.ImportancesMean[j])
	// Output:
	// baseline accuracy 1.00; most important: petal_width_cm (drop 0.4)
}

// Training continued from a fitted pipeline, as scikit-learn's
// warm_start=True: the second fit starts where the first ended.
func ExampleMLPClassifier_warmStart() {
	train, _, err := irisParts()
	if err != nil {
		fmt.Println(err)
		return
	}
	ctx := context.Background()
	first, err := tabular.MLPClassifier{HiddenLayerSizes: []int{10}, MaxIter: 20}.Fit(ctx, train)
	if err != nil {
		fmt.Println(err)
		return
	}
	more, err := tabular.MLPClassifier{MaxIter: 20, WarmStart: first.Pipeline()}.Fit(ctx, train)
	if err != nil {
		fmt.Println(err)
		return
	}
	h1, h2 := first.History(), more.History()
	fmt.Printf("first fit: loss %.2f to %.2f; continued: %.2f to %.2f\n",
		h1.Epochs[0].Loss, h1.Epochs[19].Loss, h2.Epochs[0].Loss, h2.Epochs[19].Loss)
	// Output:
	// first fit: loss 1.67 to 1.50; continued: 1.49 to 1.33
}
