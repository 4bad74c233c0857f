package mlp_test

import (
	"fmt"
	"math/rand/v2"

	"gonum.org/v1/gonum/mat"

	"github.com/mlpkit/mlp"
)

// A Linear layer computes X·W + b for a batch of rows, and its Backward
// gives the gradients of W and b and the gradient to pass on.
func ExampleLinear() {
	l := mlp.NewLinear(3, 2, rand.NewPCG(1, 2))
	w := mat.NewDense(3, 2, []float64{
		1, 0,
		0, 1,
		1, -1,
	})
	if err := l.SetParams(w, []float64{0.5, -0.5}); err != nil {
		fmt.Println(err)
		return
	}
	x := mat.NewDense(2, 3, []float64{
		1, 2, 3,
		-1, 0, 1,
	})
	y := l.Forward(x)
	fmt.Printf("%s\nY =\n%v\n", l, mat.Formatted(y))

	// Gradient of the sum of all outputs.
	g := mat.NewDense(2, 2, []float64{1, 1, 1, 1})
	dx := l.Backward(g)
	fmt.Printf("dX =\n%v\n", mat.Formatted(dx))
	fmt.Printf("db = %v\n", l.Params()[1].Grad.RawMatrix().Data)
	// Output:
	// Linear(3->2)
	// Y =
	// ⎡ 4.5  -1.5⎤
	// ⎣ 0.5  -1.5⎦
	// dX =
	// ⎡1  1  0⎤
	// ⎣1  1  0⎦
	// db = [2 2]
}

// A Sequential chains layers; the same seed gives the same weights and so
// the same predictions.
func ExampleSequential() {
	src := rand.NewPCG(1, 2)
	m, err := mlp.NewSequential(
		mlp.NewLinear(4, 8, src),
		&mlp.ReLU{},
		mlp.NewLinear(8, 3, src),
		&mlp.Softmax{},
	)
	if err != nil {
		fmt.Println(err)
		return
	}
	x := mat.NewDense(2, 4, []float64{
		5.1, 3.5, 1.4, 0.2,
		6.7, 3.0, 5.2, 2.3,
	})
	p := m.Forward(x)
	fmt.Printf("%d->%d\n", m.InputSize(), m.OutputSize())
	fmt.Printf("%.3f\n", mat.Formatted(p))
	classes, err := m.PredictClasses(x)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("classes:", classes)

	_, err = m.PredictClasses(mat.NewDense(1, 3, nil))
	fmt.Println(err)
	// Output:
	// 4->3
	// ⎡0.576  0.133  0.291⎤
	// ⎣0.371  0.102  0.527⎦
	// classes: [0 2]
	// mlp: invalid data: input has 3 columns, the model takes 4
}

// SGD updates the parameters it was given from the gradients Backprop
// leaves in them.
func ExampleSGD() {
	src := rand.NewPCG(3, 4)
	m, err := mlp.NewSequential(mlp.NewLinear(2, 2, src), &mlp.Softmax{})
	if err != nil {
		fmt.Println(err)
		return
	}
	opt, err := mlp.NewSGD(m.Params(), mlp.SGDSettings{LR: 0.5, Momentum: 0.9})
	if err != nil {
		fmt.Println(err)
		return
	}
	// Class 1 when x0 + x1 > 0.
	x := mat.NewDense(4, 2, []float64{
		1, 2,
		-1, -2,
		2, -1,
		-2, 1,
	})
	y := mlp.Targets{Labels: []int{1, 0, 1, 0}}
	crit := &mlp.CrossEntropy{}
	for step := range 6 {
		m.Forward(x)
		loss := mlp.Backprop(m, crit, y)
		opt.Step()
		fmt.Printf("step %d: loss %.4f\n", step, loss)
	}
	classes, err := m.PredictClasses(x)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("classes:", classes)

	_, err = mlp.NewSGD(m.Params(), mlp.SGDSettings{LR: 0.1, Momentum: 1})
	fmt.Println(err)
	// Output:
	// step 0: loss 0.5541
	// step 1: loss 0.2061
	// step 2: loss 0.0550
	// step 3: loss 0.0192
	// step 4: loss 0.0082
	// step 5: loss 0.0039
	// classes: [1 0 1 0]
	// mlp: invalid setting: SGDSettings.Momentum must be in [0, 1), got 1
}
