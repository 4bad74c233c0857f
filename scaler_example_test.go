package mlp_test

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/mlpkit/mlp"
	"gonum.org/v1/gonum/mat"
)

// Read a data set, split it, and standardize both parts with statistics of
// the training part only: the validation part must not leak into training.
func ExampleStandardScaler() {
	// Height (m), weight (kg) and a class, one row per person.
	x := mat.NewDense(10, 2, []float64{
		1.50, 50, 1.62, 58, 1.68, 70, 1.75, 80, 1.80, 85,
		1.55, 52, 1.90, 95, 1.60, 54, 1.72, 75, 1.58, 57,
	})
	d, err := mlp.NewDataset(x, mlp.Targets{Labels: []int{0, 0, 1, 1, 1, 0, 1, 0, 1, 0}})
	if err != nil {
		fmt.Println(err)
		return
	}
	d.FeatureNames = []string{"height", "weight"}
	train, val, err := mlp.Split(d, mlp.SplitSettings{ValFraction: 0.2, Stratify: true, Src: rand.NewPCG(1, 1)})
	if err != nil {
		fmt.Println(err)
		return
	}
	scaler := mlp.FitStandardScaler(train.X) // training data only
	train, err = scaler.TransformDataset(train)
	if err != nil {
		fmt.Println(err)
		return
	}
	val, err = scaler.TransformDataset(val)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(d.FeatureNames, "classes:", d.Classes)
	fmt.Println("train", train.Len(), "val", val.Len())
	// The scaled training features have mean 0 and std 1; the validation
	// features are scaled by the same statistics, not their own, so theirs
	// differ.
	for j, name := range d.FeatureNames {
		tm, ts := exampleStats(train.X, j)
		vm, vs := exampleStats(val.X, j)
		fmt.Printf("%s: fitted mean %.2f std %.3f; scaled train mean %.2f std %.2f, val mean %.2f std %.2f\n",
			name, scaler.Mean[j], scaler.Std[j], tm, ts, vm, vs)
	}
	// Output:
	// [height weight] classes: 2
	// train 8 val 2
	// height: fitted mean 1.68 std 0.121; scaled train mean 0.00 std 1.00, val mean -0.21 std 0.83
	// weight: fitted mean 68.00 std 15.050; scaled train mean 0.00 std 1.00, val mean -0.13 std 0.93
}

// exampleStats returns the mean and population standard deviation of column
// j of m, rounded to 2 decimals.
func exampleStats(m mat.Matrix, j int) (mean, std float64) {
	r, _ := m.Dims()
	for i := range r {
		mean += m.At(i, j)
	}
	mean /= float64(r)
	for i := range r {
		std += (m.At(i, j) - mean) * (m.At(i, j) - mean)
	}
	std = math.Sqrt(std / float64(r))
	return math.Round(mean*100)/100 + 0, math.Round(std*100) / 100 // + 0 turns -0 into 0
}
