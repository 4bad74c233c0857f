package mlp

import (
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// TestL2PenaltyGradient checks the penalised loss and its gradient against
// scikit-learn's formula and central differences.
func TestL2PenaltyGradient(t *testing.T) {
	src := rand.NewPCG(3, 1)
	l1, l2 := NewLinear(2, 3, src), NewLinear(3, 2, src)
	net, err := NewSequential(l1, &Tanh{}, l2, &Softmax{})
	if err != nil {
		t.Fatal(err)
	}
	weights := []Param{l1.Params()[0], l2.Params()[0]}
	x := mat.NewDense(4, 2, []float64{0.5, -1, 1.5, 0.2, -0.3, 0.8, 1, 1})
	y := Targets{Labels: []int{0, 1, 1, 0}}
	penLoss, penOpt, err := NewL2Penalty(&CrossEntropy{}, &SGD{}, weights, 0.7)
	if err != nil {
		t.Fatal(err)
	}
	pen := penLoss.(*l2Penalty)
	if penOpt.(penalizedOptimizer).p != pen {
		t.Fatal("the optimizer does not share the penalty of the loss")
	}
	loss := func() float64 {
		net.Forward(x)
		return backprop(net, pen, y, false)
	}
	var ss float64
	for _, w := range weights {
		for _, v := range w.Value.RawMatrix().Data {
			ss += v * v
		}
	}
	net.Forward(x)
	plain := backprop(net, &CrossEntropy{}, y, false)
	if got, want := loss(), plain+0.5*0.7*ss/4; math.Abs(got-want) > 1e-12 {
		t.Errorf("penalised loss %v, want %v", got, want)
	}
	loss()
	pen.addGrad()
	var grads [][]float64
	for _, p := range net.Params() {
		grads = append(grads, mat.DenseCopyOf(p.Grad).RawMatrix().Data)
	}
	const h, tol = 1e-6, 1e-6
	for i, p := range net.Params() {
		v, g := p.Value.RawMatrix().Data, grads[i]
		for k := range v {
			old := v[k]
			v[k] = old + h
			up := loss()
			v[k] = old - h
			down := loss()
			v[k] = old
			if fd := (up - down) / (2 * h); math.Abs(fd-g[k]) > tol {
				t.Errorf("%s%v[%d]: gradient %v, central difference %v", p.Name, len(v), k, g[k], fd)
			}
		}
	}
}
