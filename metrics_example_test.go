package mlp_test

import (
	"fmt"

	"gonum.org/v1/gonum/mat"

	"github.com/mlpkit/mlp"
)

func ExampleConfusionMatrix() {
	labels := []int{0, 0, 0, 0, 1, 1, 1, 2, 2, 2}
	pred := []int{0, 0, 1, 2, 1, 1, 0, 2, 2, 1}
	cm, err := mlp.NewConfusionMatrix(pred, labels, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(cm)
	accuracy, err := mlp.AccuracyScore(pred, labels)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("accuracy %.3f\n", accuracy)
	for c := range cm.Classes() {
		fmt.Printf("class %d: precision %.3f recall %.3f f1 %.3f\n", c,
			cm.ClassScore(mlp.Precision, c), cm.ClassScore(mlp.Recall, c), cm.ClassScore(mlp.F1, c))
	}
	fmt.Printf("macro: precision %.3f recall %.3f f1 %.3f\n", cm.Macro(mlp.Precision), cm.Macro(mlp.Recall), cm.Macro(mlp.F1))
	// Output:
	// true\pred 0 1 2
	// 0         2 1 1
	// 1         1 2 0
	// 2         0 1 2
	// accuracy 0.600
	// class 0: precision 0.667 recall 0.500 f1 0.571
	// class 1: precision 0.500 recall 0.667 f1 0.571
	// class 2: precision 0.667 recall 0.667 f1 0.667
	// macro: precision 0.611 recall 0.611 f1 0.603
}

func ExampleAccuracy() {
	// Class probabilities of two batches, one row per sample.
	batches := []struct {
		pred   *mat.Dense
		labels []int
	}{
		{mat.NewDense(3, 2, []float64{
			0.9, 0.1,
			0.3, 0.7,
			0.6, 0.4,
		}), []int{0, 1, 1}},
		{mat.NewDense(2, 2, []float64{
			0.2, 0.8,
			0.5, 0.5, // a tie predicts the first class
		}), []int{1, 0}},
	}
	var acc mlp.Accuracy
	for _, b := range batches {
		acc.Update(b.pred, mlp.Targets{Labels: b.labels})
	}
	fmt.Printf("%s: %.2f\n", acc.Name(), acc.Value())

	acc.Reset()
	fmt.Printf("after Reset: %v\n", acc.Value())
	// Output:
	// accuracy: 0.80
	// after Reset: NaN
}
