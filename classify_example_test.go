package mlp_test

import (
	"fmt"

	"gonum.org/v1/gonum/mat"

	"github.com/mlpkit/mlp"
)

// Classify is the one rule by which a class is read from a model's output:
// one column is the probability of class 1, several are class scores.
func ExampleClassify() {
	sigmoid := mat.NewDense(3, 1, []float64{0.2, 0.5, 0.9})
	softmax := mat.NewDense(2, 3, []float64{
		0.1, 0.7, 0.2,
		0.4, 0.2, 0.4, // a tie goes to the first
	})
	fmt.Println(mlp.Classify(sigmoid, nil))
	fmt.Println(mlp.Classify(softmax, nil))
	// Output:
	// [0 0 1]
	// [1 0]
}

// With FromLogits, CrossEntropy reads the logits of a model that does not
// end in Softmax, as PyTorch's CrossEntropyLoss does, and computes the
// log-softmax itself: a confident mistake costs what it costs.
func ExampleCrossEntropy_fromLogits() {
	logits := mat.NewDense(1, 3, []float64{-431, 279, 427})
	y := mlp.Targets{Labels: []int{0}}
	fmt.Println((&mlp.CrossEntropy{FromLogits: true}).Loss(logits, y))
	// Output:
	// 858
}
