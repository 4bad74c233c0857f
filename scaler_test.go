package mlp_test

import (
	"errors"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/mlpkit/mlp"
	"github.com/mlpkit/mlp/internal/testkit"
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

// TestStandardScalerErrors checks the input and scalers Transform refuses,
// with an error wrapping the sentinel, starting "mlp: " and saying what is
// wrong.
func TestStandardScalerErrors(t *testing.T) {
	x := mat.NewDense(2, 3, []float64{1, 2, 3, 4, 5, 6})
	var nilDense *mat.Dense
	one := &mlp.StandardScaler{Mean: []float64{0}, Std: []float64{1}}
	for _, tc := range []struct {
		name string
		s    *mlp.StandardScaler
		x    mat.Matrix
		want error
		says []string // substrings of the message
	}{
		{"too narrow", &mlp.StandardScaler{Mean: make([]float64, 4), Std: []float64{1, 1, 1, 1}}, x, mlp.ErrData, nil},
		{"too wide", &mlp.StandardScaler{Mean: make([]float64, 2), Std: []float64{1, 1}}, x, mlp.ErrData, nil},
		{"empty matrix", &mlp.StandardScaler{Mean: make([]float64, 3), Std: []float64{1, 1, 1}}, &mat.Dense{}, mlp.ErrData, nil},
		{"lengths differ", &mlp.StandardScaler{Mean: make([]float64, 3), Std: []float64{1, 1}}, x, mlp.ErrSetting, nil},
		{"zero std", &mlp.StandardScaler{Mean: make([]float64, 3), Std: []float64{1, 0, 1}}, x, mlp.ErrSetting, nil},
		{"NaN std", &mlp.StandardScaler{Mean: make([]float64, 3), Std: []float64{1, 1, math.NaN()}}, x, mlp.ErrSetting, nil},
		{"nil", one, nil, mlp.ErrData, []string{"nil matrix"}},
		{"typed nil", one, nilDense, mlp.ErrData, []string{"nil matrix"}},
		{"3 features for 1", one, mat.NewDense(2, 3, nil), mlp.ErrData, []string{"3 features", "fitted on 1"}},
		{"zero std of column 1", &mlp.StandardScaler{Mean: []float64{0, 0}, Std: []float64{1, 0}}, mat.NewDense(2, 2, nil), mlp.ErrSetting,
			[]string{"Std[1] = 0"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			z, err := tc.s.Transform(tc.x)
			if z != nil {
				t.Errorf("got a matrix with the error")
			}
			testkit.ErrorContains(t, err, tc.want, tc.says...)
			if !strings.HasPrefix(err.Error(), "mlp: ") {
				t.Errorf("error %q does not start with \"mlp: \"", err)
			}
		})
	}
}

// TestStandardScalerTransformDatasetErrors checks that TransformDataset
// refuses a Dataset literal without targets.
func TestStandardScalerTransformDatasetErrors(t *testing.T) {
	s := &mlp.StandardScaler{Mean: []float64{0}, Std: []float64{1}}
	d, err := s.TransformDataset(&mlp.Dataset{X: mat.NewDense(1, 1, nil)})
	if d != nil {
		t.Errorf("got a Dataset with the error")
	}
	testkit.ErrorContains(t, err, mlp.ErrData, "TransformDataset: targets have neither")
	if !strings.HasPrefix(err.Error(), "mlp: ") {
		t.Errorf("error %q does not start with \"mlp: \"", err)
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

// TestStandardScalerExtremeMagnitudes checks that the statistics of finite
// columns are finite and right to 1e-14 relative however large or small
// their values, where the plain sums overflow or underflow.
func TestStandardScalerExtremeMagnitudes(t *testing.T) {
	const tol = 1e-14
	max := math.MaxFloat64
	for _, tc := range []struct {
		name      string
		col       []float64
		mean, std float64
	}{
		// Plain sums give Std +Inf: the squares overflow.
		{"1e155 scale", []float64{1e155, 2e155, 3e155}, 2e155, math.Sqrt(2.0/3) * 1e155},
		// Plain sums give NaN: the sum overflows to +Inf.
		{"near MaxFloat64", []float64{1e308, 1e308, 9e307}, 29e307 / 3, math.Sqrt(2.0/9) * 1e307},
		{"±MaxFloat64", []float64{-max, max}, 0, max},
		{"MaxFloat64 and 0", []float64{max, 0, max, 0}, max / 2, max / 2},
		// Plain sums lose the squares to underflow (1e-320 is subnormal).
		{"1e-160 scale", []float64{1e-160, 3e-160}, 2e-160, 1e-160},
		// A standard deviation below the smallest normal number counts as
		// no spread: Std 1, as for a constant column.
		{"subnormal spread", []float64{1e-320, 3e-320}, 2e-320, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := mlp.FitStandardScaler(mat.NewDense(len(tc.col), 1, tc.col))
			for _, f := range []struct {
				what      string
				got, want float64
			}{{"Mean", s.Mean[0], tc.mean}, {"Std", s.Std[0], tc.std}} {
				if math.IsNaN(f.got) || math.IsInf(f.got, 0) || math.Abs(f.got-f.want) > tol*math.Abs(f.want) {
					t.Errorf("%s = %v, want %v (relative tolerance %v)", f.what, f.got, f.want, tol)
				}
			}
			z, err := s.Transform(mat.NewDense(len(tc.col), 1, tc.col))
			if err != nil {
				t.Fatalf("Transform of the data the scaler was fitted on: %v", err)
			}
			for i := range tc.col {
				if v := z.At(i, 0); math.IsNaN(v) || math.IsInf(v, 0) || math.Abs(v) > 2 {
					t.Errorf("Transform row %d = %v, want a finite value within 2 standard deviations", i, v)
				}
			}
		})
	}
}

// TestStandardScalerUnscaledBits checks that columns of ordinary magnitude
// get bit for bit the statistics of the plain two-pass formula.
func TestStandardScalerUnscaledBits(t *testing.T) {
	x := dataScaledMatrix(300, 4)
	s := mlp.FitStandardScaler(x)
	r, c := x.Dims()
	for j := range c {
		var sum float64
		for i := range r {
			sum += x.At(i, j)
		}
		mean := sum / float64(r)
		var res, ss float64
		for i := range r {
			res += x.At(i, j) - mean
		}
		mean += res / float64(r)
		for i := range r {
			d := x.At(i, j) - mean
			ss += d * d
		}
		std := math.Sqrt(ss / float64(r))
		if math.Float64bits(s.Mean[j]) != math.Float64bits(mean) || math.Float64bits(s.Std[j]) != math.Float64bits(std) {
			t.Errorf("column %d: Mean, Std = %v, %v, want the bits of %v, %v", j, s.Mean[j], s.Std[j], mean, std)
		}
	}
}

// TestStandardScalerTransformFields checks that Transform refuses a scaler
// whose fields no fit could give, naming the field and column, and input it
// cannot standardize, naming the row and column.
func TestStandardScalerTransformFields(t *testing.T) {
	x := mat.NewDense(2, 2, []float64{1, 2, 3, 4})
	sc := func(mean, std []float64) *mlp.StandardScaler { return &mlp.StandardScaler{Mean: mean, Std: std} }
	for _, tc := range []struct {
		name  string
		s     *mlp.StandardScaler
		x     mat.Matrix
		want  error
		where string
	}{
		{"nil scaler", nil, x, mlp.ErrSetting, "scaler is nil"},
		{"NaN mean", sc([]float64{0, math.NaN()}, []float64{1, 1}), x, mlp.ErrSetting, "Mean[1] = NaN"},
		{"+Inf mean", sc([]float64{math.Inf(1), 0}, []float64{1, 1}), x, mlp.ErrSetting, "Mean[0] = +Inf"},
		{"subnormal std", sc([]float64{0, 0}, []float64{1, 1e-310}), x, mlp.ErrSetting, "Std[1] = 1e-310"},
		{"negative std", sc([]float64{0, 0}, []float64{-1, 1}), x, mlp.ErrSetting, "Std[0] = -1"},
		{"+Inf std", sc([]float64{0, 0}, []float64{1, math.Inf(1)}), x, mlp.ErrSetting, "Std[1] = +Inf"},
		{"NaN input", sc([]float64{0, 0}, []float64{1, 1}), mat.NewDense(2, 2, []float64{1, 2, math.NaN(), 4}), mlp.ErrData, "row 1, column 0 is NaN"},
		{"overflowing result", sc([]float64{0, -1e308}, []float64{1, 1e-300}), mat.NewDense(1, 2, []float64{0, 1e308}), mlp.ErrData, "row 0, column 1"},
		{"-Inf mean", sc([]float64{0, math.Inf(-1)}, []float64{1, 1}), mat.NewDense(1, 2, nil), mlp.ErrSetting, "Mean[1] = -Inf"},
		{"smallest subnormal std", sc([]float64{0, 0}, []float64{1, 5e-324}), mat.NewDense(1, 2, nil), mlp.ErrSetting, "Std[1] = 5e-324"},
		{"std -2", sc([]float64{0, 0}, []float64{1, -2}), mat.NewDense(1, 2, nil), mlp.ErrSetting, "Std[1] = -2"},
		{"overflowing result of one column", sc([]float64{-1e308}, []float64{1e-300}), mat.NewDense(1, 1, []float64{1e308}), mlp.ErrData, "row 0, column 0"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			z, err := tc.s.Transform(tc.x)
			if z != nil {
				t.Errorf("got a matrix with the error")
			}
			testkit.ErrorContains(t, err, tc.want, tc.where)
		})
	}
	// Where x − Mean overflows but the standardized value does not, the
	// value is still computed: (1.5e308 − (−1.5e308)) / 1e308 = 3.
	z, err := sc([]float64{-1.5e308}, []float64{1e308}).Transform(mat.NewDense(1, 1, []float64{1.5e308}))
	if err != nil || math.Abs(z.At(0, 0)-3) > 1e-15 {
		t.Errorf("Transform = %v, %v, want 3 (tolerance 1e-15)", z, err)
	}
}
