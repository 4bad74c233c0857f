package mlp_test

import (
	"fmt"
	"math/rand/v2"

	"github.com/mlpkit/mlp"
	"gonum.org/v1/gonum/mat"
)

// An epoch over 10 samples in batches of 4 has two full batches and a
// smaller last one, so that every sample is seen once.
func ExampleDataLoader() {
	x := mat.NewDense(10, 2, nil)
	labels := make([]int, 10)
	for i := range 10 {
		x.Set(i, 0, float64(i))
		labels[i] = i % 2
	}
	d, err := mlp.NewDataset(x, mlp.Targets{Labels: labels})
	if err != nil {
		fmt.Println(err)
		return
	}
	l, err := mlp.NewDataLoader(d, mlp.LoaderSettings{BatchSize: 4, Shuffle: true, Src: rand.NewPCG(1, 2)})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(l.NumBatches(), "batches,", l.Len(), "samples")
	l.Reset()
	for i := 0; l.Next(); i++ {
		b := l.Batch()
		r, _ := b.X.Dims()
		fmt.Printf("batch %d: %d samples\n", i, r)
	}
	// Output:
	// 3 batches, 10 samples
	// batch 0: 4 samples
	// batch 1: 4 samples
	// batch 2: 2 samples
}
