package mlp_test

import (
	"errors"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/mlpkit/mlp"
	"gonum.org/v1/gonum/mat"
)

// dataColumnStats returns the mean and population standard deviation of
// column j of m.
func dataColumnStats(m mat.Matrix, j int) (mean, std float64) {
	r, _ := m.Dims()
	for i := range r {
		mean += m.At(i, j)
	}
	mean /= float64(r)
	for i := range r {
		d := m.At(i, j) - mean
		std += d * d
	}
	return mean, math.Sqrt(std / float64(r))
}

// dataScaledMatrix returns n samples of features with very different
// locations and scales: feature j is offset[j] + scale[j]·N(0, 1).
func dataScaledMatrix(n int, seed uint64) *mat.Dense {
	offsets := []float64{0, -3e-4, 5e4, 1e-3}
	scales := []float64{1, 1e-4, 2e3, 7}
	rng := rand.New(rand.NewPCG(seed, 1))
	x := mat.NewDense(n, len(scales), nil)
	for i := range n {
		for j := range scales {
			x.Set(i, j, offsets[j]+scales[j]*rng.NormFloat64())
		}
	}
	return x
}

func TestStandardScaler(t *testing.T) {
	const tol = 1e-12
	for _, tc := range []struct {
		name string
		x    mat.Matrix
	}{
		{"dense", dataScaledMatrix(200, 1)},
		{"transposed view", mat.DenseCopyOf(dataScaledMatrix(200, 2).T()).T()},
		{"small", mat.NewDense(2, 2, []float64{1, 10, 3, 30})},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := mat.DenseCopyOf(tc.x)
			s := mlp.FitStandardScaler(tc.x)
			z, err := s.Transform(tc.x)
			if err != nil {
				t.Fatal(err)
			}
			_, c := tc.x.Dims()
			if len(s.Mean) != c || len(s.Std) != c {
				t.Fatalf("scaler has %d means and %d stds for %d features", len(s.Mean), len(s.Std), c)
			}
			for j := range c {
				wantMean, wantStd := dataColumnStats(tc.x, j)
				if math.Abs(s.Mean[j]-wantMean) > tol*math.Max(1, math.Abs(wantMean)) || math.Abs(s.Std[j]-wantStd) > tol*wantStd {
					t.Errorf("feature %d: Mean, Std = %v, %v, want %v, %v", j, s.Mean[j], s.Std[j], wantMean, wantStd)
				}
				// Each feature is scaled by its own statistics: one mean and
				// std for all features would leave these far from 0 and 1.
				mean, std := dataColumnStats(z, j)
				if math.Abs(mean) > tol || math.Abs(std-1) > tol {
					t.Errorf("scaled feature %d: mean %g, std %v, want 0, 1 within %g", j, mean, std, tol)
				}
			}
			if !mat.Equal(tc.x, before) {
				t.Errorf("Transform changed its input")
			}
		})
	}
}

func TestStandardScalerConstantFeature(t *testing.T) {
	// 0.1 is not exact in binary, so a naive mean of a column of 0.1s
	// differs from 0.1 in the last bit and would scale the roundoff up.
	x := mat.NewDense(3, 3, []float64{
		0.1, 1, 5,
		0.1, 2, 5,
		0.1, 3, 5,
	})
	s := mlp.FitStandardScaler(x)
	if s.Std[0] != 1 || s.Std[2] != 1 || s.Mean[0] != 0.1 || s.Mean[2] != 5 {
		t.Errorf("constant features: Mean %v, Std %v, want Mean 0.1 and 5 and Std 1", s.Mean, s.Std)
	}
	z, err := s.Transform(x)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		for _, j := range []int{0, 2} {
			if v := z.At(i, j); v != 0 {
				t.Errorf("scaled constant feature (%d, %d) = %v, want 0", i, j, v)
			}
		}
	}
	if mean, std := dataColumnStats(z, 1); math.Abs(mean) > 1e-15 || math.Abs(std-1) > 1e-15 {
		t.Errorf("varying feature: mean %v, std %v, want 0, 1", mean, std)
	}
}

// TestStandardScalerFitOnTrainOnly scales a validation part with the
// training statistics: the training part ends up at mean 0 and std 1, the
// validation part does not, and both match (x − train mean) / train std.
func TestStandardScalerFitOnTrainOnly(t *testing.T) {
	x := dataScaledMatrix(300, 3)
	labels := make([]int, 300)
	d, err := mlp.NewDataset(x, mlp.Targets{Labels: labels})
	if err != nil {
		t.Fatal(err)
	}
	train, val, err := mlp.Split(d, mlp.SplitSettings{Src: rand.NewPCG(4, 4)})
	if err != nil {
		t.Fatal(err)
	}
	s := mlp.FitStandardScaler(train.X)
	trainZ, err := s.TransformDataset(train)
	if err != nil {
		t.Fatal(err)
	}
	valZ, err := s.TransformDataset(val)
	if err != nil {
		t.Fatal(err)
	}
	valOff := 0.0
	for j := range d.Features() {
		mean, std := dataColumnStats(trainZ.X, j)
		if math.Abs(mean) > 1e-12 || math.Abs(std-1) > 1e-12 {
			t.Errorf("train feature %d: mean %g, std %v, want 0, 1", j, mean, std)
		}
		trainMean, trainStd := dataColumnStats(train.X, j)
		for i := range val.Len() {
			want := (val.X.At(i, j) - trainMean) / trainStd
			if got := valZ.X.At(i, j); math.Abs(got-want) > 1e-12*math.Max(1, math.Abs(want)) {
				t.Fatalf("val (%d, %d) = %v, want %v", i, j, got, want)
			}
		}
		mean, std = dataColumnStats(valZ.X, j)
		valOff = max(valOff, math.Abs(mean), math.Abs(std-1))
	}
	if valOff < 1e-3 {
		t.Errorf("validation statistics are within %g of 0 and 1: the scaler looks fitted on them", valOff)
	}
}

func TestStandardScalerTransformDataset(t *testing.T) {
	d := dataIDSet(t, 12, 3, false)
	d.FeatureNames = []string{"id", "b", "c"}
	xBefore := mat.DenseCopyOf(d.X)
	s := mlp.FitStandardScaler(d.X)
	got, err := s.TransformDataset(d)
	if err != nil {
		t.Fatal(err)
	}
	wantX, err := s.Transform(d.X)
	if err != nil {
		t.Fatal(err)
	}
	if !mat.Equal(got.X, wantX) {
		t.Errorf("X differs from Transform(d.X)")
	}
	if !slices.Equal(got.Y.Labels, d.Y.Labels) || got.Classes != d.Classes || !slices.Equal(got.FeatureNames, d.FeatureNames) {
		t.Errorf("targets, classes or names differ: %v %d %q", got.Y.Labels, got.Classes, got.FeatureNames)
	}
	got.Y.Labels[0] = 7
	got.FeatureNames[0] = "changed"
	if d.Y.Labels[0] == 7 || d.FeatureNames[0] == "changed" || !mat.Equal(d.X, xBefore) {
		t.Errorf("the new Dataset shares memory with the input")
	}

	r := dataIDSet(t, 5, 2, true)
	got, err = mlp.FitStandardScaler(r.X).TransformDataset(r)
	if err != nil {
		t.Fatal(err)
	}
	if !mat.Equal(got.Y.Values, r.Y.Values) || got.Y.Values == r.Y.Values || got.Y.Labels != nil {
		t.Errorf("regression targets are not an equal copy")
	}
}

func TestStandardScalerErrors(t *testing.T) {
	x := mat.NewDense(2, 3, []float64{1, 2, 3, 4, 5, 6})
	for _, tc := range []struct {
		name string
		s    *mlp.StandardScaler
		x    mat.Matrix
		want error
	}{
		{"too narrow", &mlp.StandardScaler{Mean: make([]float64, 4), Std: []float64{1, 1, 1, 1}}, x, mlp.ErrData},
		{"too wide", &mlp.StandardScaler{Mean: make([]float64, 2), Std: []float64{1, 1}}, x, mlp.ErrData},
		{"empty matrix", &mlp.StandardScaler{Mean: make([]float64, 3), Std: []float64{1, 1, 1}}, &mat.Dense{}, mlp.ErrData},
		{"lengths differ", &mlp.StandardScaler{Mean: make([]float64, 3), Std: []float64{1, 1}}, x, mlp.ErrSetting},
		{"zero std", &mlp.StandardScaler{Mean: make([]float64, 3), Std: []float64{1, 0, 1}}, x, mlp.ErrSetting},
		{"NaN std", &mlp.StandardScaler{Mean: make([]float64, 3), Std: []float64{1, 1, math.NaN()}}, x, mlp.ErrSetting},
	} {
		t.Run(tc.name, func(t *testing.T) {
			z, err := tc.s.Transform(tc.x)
			if z != nil {
				t.Errorf("got a matrix with the error")
			}
			dataErrorContains(t, err, tc.want)
		})
	}
}

func TestFitStandardScalerEmptyPanics(t *testing.T) {
	defer func() {
		r := recover()
		err, ok := r.(error)
		if !ok || !errors.Is(err, mlp.ErrShape) || !strings.HasPrefix(err.Error(), "mlp: ") {
			t.Errorf("recovered %v, want an error wrapping ErrShape", r)
		}
	}()
	mlp.FitStandardScaler(&mat.Dense{})
}
