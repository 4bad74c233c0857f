package mlp_test

import (
	"fmt"
	"math/rand/v2"

	"gonum.org/v1/gonum/mat"

	"github.com/mlpkit/mlp"
)

// optimExampleProblem returns a seeded 2-8-2 network and a batch of four
// points labelled by the sign of their first coordinate.
func optimExampleProblem() (*mlp.Sequential, *mat.Dense, mlp.Targets) {
	src := rand.NewPCG(1, 2)
	m, err := mlp.NewSequential(mlp.NewLinear(2, 8, src), &mlp.ReLU{}, mlp.NewLinear(8, 2, src), &mlp.Softmax{})
	if err != nil {
		panic(err)
	}
	x := mat.NewDense(4, 2, []float64{
		-1.0, 0.5,
		-0.5, -1.0,
		0.5, 1.0,
		1.0, -0.5,
	})
	return m, x, mlp.Targets{Labels: []int{0, 0, 1, 1}}
}

func ExampleAdam() {
	m, x, y := optimExampleProblem()
	// Betas and Eps left zero mean PyTorch's defaults (0.9, 0.999) and 1e-8.
	opt, err := mlp.NewAdam(m.Params(), mlp.AdamSettings{LR: 0.05})
	if err != nil {
		fmt.Println(err)
		return
	}
	for step := range 5 {
		m.Forward(x)
		loss := mlp.Backprop(m, &mlp.CrossEntropy{}, y)
		opt.Step()
		fmt.Printf("step %d: loss %.4f\n", step, loss) // the loss before the step
	}
	// Output:
	// step 0: loss 0.6761
	// step 1: loss 0.6169
	// step 2: loss 0.5568
	// step 3: loss 0.4872
	// step 4: loss 0.4145
}

func ExampleAdamW() {
	m, x, y := optimExampleProblem()
	// A zero WeightDecay means none: PyTorch's AdamW default of 0.01 is
	// set explicitly.
	opt, err := mlp.NewAdamW(m.Params(), mlp.AdamSettings{LR: 0.05, WeightDecay: 0.01})
	if err != nil {
		fmt.Println(err)
		return
	}
	for step := range 5 {
		m.Forward(x)
		loss := mlp.Backprop(m, &mlp.CrossEntropy{}, y)
		opt.Step()
		fmt.Printf("step %d: loss %.4f\n", step, loss) // the loss before the step
	}
	// Output:
	// step 0: loss 0.6761
	// step 1: loss 0.6170
	// step 2: loss 0.5570
	// step 3: loss 0.4875
	// step 4: loss 0.4150
}

func ExampleStepDecay() {
	// Halve the learning rate every 3 epochs, as PyTorch's StepLR.
	s := mlp.StepDecay{Step: 3, Gamma: 0.5}
	if err := s.Validate(); err != nil {
		fmt.Println(err)
		return
	}
	for epoch := range 7 {
		fmt.Printf("epoch %d: lr %g\n", epoch, s.Rate(0.1, epoch))
	}
	fmt.Println(mlp.StepDecay{Gamma: 0.5}.Validate())
	// Output:
	// epoch 0: lr 0.1
	// epoch 1: lr 0.1
	// epoch 2: lr 0.1
	// epoch 3: lr 0.05
	// epoch 4: lr 0.05
	// epoch 5: lr 0.05
	// epoch 6: lr 0.025
	// mlp: invalid setting: StepDecay.Step must be positive, got 0
}
