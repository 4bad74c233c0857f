package mlp_test

import (
	"bytes"
	"fmt"
	"log"
	"math/rand/v2"

	"github.com/mlpkit/mlp"
	"gonum.org/v1/gonum/mat"
)

// ExampleSequential_Save saves a model to a buffer and loads it back: the
// loaded model predicts exactly what the original does.
func ExampleSequential_Save() {
	src := rand.NewPCG(1, 2)
	model, err := mlp.NewSequential(
		mlp.NewLinear(4, 8, src), &mlp.ReLU{},
		mlp.NewLinear(8, 3, src), &mlp.Softmax{})
	if err != nil {
		log.Fatal(err)
	}

	var file bytes.Buffer
	if err := model.Save(&file); err != nil {
		log.Fatal(err)
	}
	fmt.Println("file size:", file.Len(), "bytes")
	loaded, err := mlp.Load(&file)
	if err != nil {
		log.Fatal(err)
	}

	x := mat.NewDense(2, 4, []float64{
		5.1, 3.5, 1.4, 0.2,
		6.3, 3.3, 6.0, 2.5,
	})
	for _, m := range []*mlp.Sequential{model, loaded} {
		p, err := m.PredictProba(x)
		if err != nil {
			log.Fatal(err)
		}
		fmt.Printf("%.4f %.4f\n", mat.Row(nil, 0, p), mat.Row(nil, 1, p))
	}
	// Output:
	// file size: 576 bytes
	// [0.5756 0.1331 0.2913] [0.3189 0.0927 0.5883]
	// [0.5756 0.1331 0.2913] [0.3189 0.0927 0.5883]
}
