package onnx_test

import (
	"bytes"
	"fmt"
	"log"
	"math/rand/v2"
	"os"

	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"

	"github.com/mlpkit/mlp"
	"github.com/mlpkit/mlp/onnx"
)

// Import a classifier that PyTorch exported with torch.onnx.export and
// predict with it in Go.
func ExampleImport() {
	f, err := os.Open("testdata/torch_softmax.onnx")
	if err != nil {
		log.Fatal(err)
	}
	defer f.Close()
	m, err := onnx.Import(f, nil)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(m.Net.Layers())
	fmt.Println(m.Task, m.Classes)
	fmt.Println(m.Preprocess.Columns)

	x := mat.NewDense(2, 4, []float64{
		5.1, 3.5, 1.4, 0.2,
		6.3, 3.3, 6.0, 2.5,
	})
	p, err := m.Predict(x)
	if err != nil {
		log.Fatal(err)
	}
	for i := 0; i < 2; i++ {
		row := p.RawRowView(i)
		fmt.Printf("%.3f %s\n", row, m.Classes[floats.MaxIdx(row)])
	}
	// Output:
	// [Linear(4->16) ReLU Linear(16->3) Softmax]
	// classification [setosa versicolor virginica]
	// [sepal_length sepal_width petal_length petal_width]
	// [1.000 0.000 0.000] setosa
	// [0.000 0.000 1.000] virginica
}

// Export a net with the scaling it was trained behind, for onnxruntime or
// any ONNX runtime, and read it back.
func ExampleExport() {
	src := rand.NewPCG(1, 2)
	net, err := mlp.NewSequential(mlp.NewLinear(2, 4, src), &mlp.ReLU{}, mlp.NewLinear(4, 2, src), &mlp.Softmax{})
	if err != nil {
		log.Fatal(err)
	}
	m := &onnx.Model{
		Net: net,
		Preprocess: onnx.Preprocess{
			Columns: []string{"height", "weight"},
			Mean:    []float64{170, 70},
			Std:     []float64{10, 15},
		},
		Classes: []string{"no", "yes"},
	}
	var buf bytes.Buffer
	if err := onnx.Export(&buf, m, nil); err != nil {
		log.Fatal(err)
	}

	back, err := onnx.Import(&buf, nil)
	if err != nil {
		log.Fatal(err)
	}
	x := mat.NewDense(1, 2, []float64{180, 95})
	p, _ := m.Predict(x)
	q, _ := back.Predict(x)
	fmt.Println(back.Preprocess.Columns, back.Classes, back.Task)
	fmt.Println("same predictions:", mat.Equal(p, q))
	// Output:
	// [height weight] [no yes] classification
	// same predictions: true
}
