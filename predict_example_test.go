package mlp_test

import (
	"fmt"
	"log"
	"math/rand/v2"
	"sync"

	"github.com/mlpkit/mlp"
	"gonum.org/v1/gonum/mat"
)

// One model serves several goroutines at once: each predicts into a buffer
// of its own, and PredictInto of a *mat.Dense allocates nothing.
func ExampleSequential_PredictInto() {
	src := rand.NewPCG(1, 2)
	model, err := mlp.NewSequential(
		mlp.NewLinear(4, 8, src), &mlp.ReLU{},
		mlp.NewLinear(8, 3, src), &mlp.Softmax{})
	if err != nil {
		log.Fatal(err)
	}
	rows := [][]float64{{5.1, 3.5, 1.4, 0.2}, {6.3, 3.3, 6.0, 2.5}, {5.8, 2.7, 4.1, 1.0}}
	probs := make([][]float64, len(rows))
	var wg sync.WaitGroup
	for i, x := range rows {
		wg.Add(1)
		go func() {
			defer wg.Done()
			probs[i] = make([]float64, model.OutputSize())
			dst := mat.NewDense(1, len(probs[i]), probs[i])
			if err := model.PredictInto(dst, mat.NewDense(1, len(x), x)); err != nil {
				log.Print(err)
			}
		}()
	}
	wg.Wait()
	for _, p := range probs {
		fmt.Printf("%.4f\n", p)
	}
	classes, err := model.PredictClasses(mat.NewDense(3, 4, []float64{
		5.1, 3.5, 1.4, 0.2,
		6.3, 3.3, 6.0, 2.5,
		5.8, 2.7, 4.1, 1.0,
	}))
	fmt.Println(model, classes, err)
	// Output:
	// [0.5756 0.1331 0.2913]
	// [0.3189 0.0927 0.5883]
	// [0.4759 0.1150 0.4091]
	// Sequential(Linear(4->8), ReLU, Linear(8->3), Softmax) [0 2 0] <nil>
}

// Predict reads a regression model's real-valued outputs; PredictProba
// refuses them, as they are not probabilities.
func ExampleSequential_Predict() {
	model, err := mlp.NewSequential(mlp.NewLinear(2, 1, rand.NewPCG(1, 2)))
	if err != nil {
		log.Fatal(err)
	}
	if err := model.Layers()[0].(*mlp.Linear).SetParams(mat.NewDense(2, 1, []float64{2, -1}), []float64{0.5}); err != nil {
		log.Fatal(err)
	}
	x := mat.NewDense(2, 2, []float64{1, 1, 3, 2})
	y, err := model.Predict(x)
	fmt.Println(mat.Formatted(y.T()), err)
	_, err = model.PredictProba(x)
	fmt.Println(err)
	// Output:
	// [1.5  4.5] <nil>
	// mlp: invalid setting: PredictProba: the model ends in Linear(2->1), which does not give probabilities (it does not implement ProbabilityOutput); use Predict for real-valued outputs or logits
}
