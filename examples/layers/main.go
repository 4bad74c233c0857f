// Command layers builds a 4→16→3 net by hand with package mlp and trains it
// with its own loop, one SGD step at a time, on four rows of iris.
package main

import (
	"fmt"
	"log"
	"math/rand/v2"

	"github.com/mlpkit/mlp"
	"gonum.org/v1/gonum/mat"
)

func main() {
	src := rand.NewPCG(1, 2) // every random draw comes from this seed
	model, err := mlp.NewSequential(
		mlp.NewLinear(4, 16, src), &mlp.ReLU{},
		mlp.NewLinear(16, 3, src), &mlp.Softmax{})
	if err != nil {
		log.Fatal(err)
	}
	opt, err := mlp.NewSGD(model.Params(), mlp.SGDSettings{LR: 0.1, Momentum: 0.9})
	if err != nil {
		log.Fatal(err)
	}
	loss := &mlp.CrossEntropy{}

	x := mat.NewDense(4, 4, []float64{5.1, 3.5, 1.4, 0.2, 7, 3.2, 4.7, 1.4, 6.3, 3.3, 6, 2.5, 4.9, 3, 1.4, 0.2})
	y := mlp.Targets{Labels: []int{0, 1, 2, 0}}
	for step := 0; step < 100; step++ {
		model.Forward(x)                  // output owned by the model, valid until the next Forward
		l := mlp.Backprop(model, loss, y) // the loss, and every parameter's gradient
		opt.Step()                        // one SGD update
		if step%25 == 0 {
			fmt.Printf("step %d: loss %.4f\n", step, l)
		}
	}
	classes, err := model.PredictClasses(x)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(model, classes)
}
