package mlp

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// concurrentModel returns a loaded 20-64-32-5 model with a Dropout, in
// evaluation mode as Load leaves it, and inputs of 1, 3 and 64 rows.
func concurrentModel(t testing.TB) (*Sequential, []*mat.Dense) {
	t.Helper()
	src := rand.NewPCG(61, 62)
	d, err := NewDropout(0.3, src)
	if err != nil {
		t.Fatal(err)
	}
	m, err := NewSequential(NewLinear(20, 64, src), &ReLU{}, d, NewLinear(64, 32, src), &Tanh{}, NewLinear(32, 5, src), &Softmax{})
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := m.Save(&buf); err != nil {
		t.Fatal(err)
	}
	if m, err = Load(&buf); err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(63, 64))
	var xs []*mat.Dense
	for _, rows := range []int{1, 3, 64} {
		xs = append(xs, gradNormal(rng, rows, 20, 2))
	}
	return m, xs
}

// TestPredictConcurrent runs 16 goroutines predicting with one model at
// once, each cycling through batches of 1, 3 and 64 rows and through
// Predict, PredictInto (of whole batches and of one row), PredictProba and
// PredictClasses, and
// checks every answer bit for bit against a single-goroutine run. Under
// the race detector it also checks that prediction writes nothing shared.
func TestPredictConcurrent(t *testing.T) {
	m, xs := concurrentModel(t)
	want := make([]*mat.Dense, len(xs))
	wantClasses := make([][]int, len(xs))
	for i, x := range xs {
		var err error
		if want[i], err = m.Predict(x); err != nil {
			t.Fatal(err)
		}
		wantClasses[i] = Classify(want[i], nil)
	}
	const goroutines = 16
	calls := 2000
	if testing.Short() {
		calls = 200
	}
	var wg sync.WaitGroup
	errs := make(chan error, goroutines)
	for g := range goroutines {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs <- predictCalls(m, xs, want, wantClasses, g, calls)
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
}

// predictCalls makes calls predictions with m, cycling through the inputs
// xs and the prediction methods, and returns an error unless each answer
// equals want bit for bit.
func predictCalls(m *Sequential, xs, want []*mat.Dense, wantClasses [][]int, g, calls int) error {
	dsts := make([]*mat.Dense, len(xs))
	for i, x := range xs {
		r, _ := x.Dims()
		dsts[i] = mat.NewDense(r, m.OutputSize(), nil)
	}
	row := make([]float64, m.OutputSize())
	for c := range calls {
		i := (g + c) % len(xs)
		x := xs[i]
		var got *mat.Dense
		var err error
		switch method := (g + c/len(xs)) % 5; method {
		case 0:
			got, err = m.Predict(x)
		case 1:
			err, got = m.PredictInto(dsts[i], x), dsts[i]
		case 2:
			k := c % x.RawMatrix().Rows
			xk := x.RawRowView(k)
			if err = m.PredictInto(mat.NewDense(1, len(row), row), mat.NewDense(1, len(xk), xk)); err == nil && !equalBits(row, want[i].RawRowView(k)) {
				return fmt.Errorf("goroutine %d call %d: PredictInto of row %d of %d = %v, want %v", g, c, k, x.RawMatrix().Rows, row, want[i].RawRowView(k))
			}
			continue
		case 3:
			got, err = m.PredictProba(x)
		case 4:
			var classes []int
			classes, err = m.PredictClasses(x)
			if err == nil && !slices.Equal(classes, wantClasses[i]) {
				return fmt.Errorf("goroutine %d call %d: PredictClasses = %v, want %v", g, c, classes, wantClasses[i])
			}
			continue
		}
		if err != nil {
			return fmt.Errorf("goroutine %d call %d: %v", g, c, err)
		}
		if !equalBits(got.RawMatrix().Data, want[i].RawMatrix().Data) {
			return fmt.Errorf("goroutine %d call %d: %d rows differ from a single-goroutine run", g, c, x.RawMatrix().Rows)
		}
	}
	return nil
}

// equalBits reports whether a and b hold the same float64 bits.
func equalBits(a, b []float64) bool {
	if len(a) != len(b) {
		return false
	}
	for i, v := range a {
		if math.Float64bits(v) != math.Float64bits(b[i]) {
			return false
		}
	}
	return true
}

// TestPredictConcurrentUserLayer checks prediction from 16 goroutines with
// a model holding a user's layer that implements neither Predictor nor
// Cloner: it runs under the model's mutex, in evaluation mode, and every
// answer equals a single-goroutine run.
func TestPredictConcurrentUserLayer(t *testing.T) {
	probe := &modeProbe{training: true}
	src := rand.NewPCG(65, 66)
	m, err := NewSequential(NewLinear(4, 8, src), probe, &ReLU{}, NewLinear(8, 2, src))
	if err != nil {
		t.Fatal(err)
	}
	x := gradNormal(rand.New(rand.NewPCG(1, 2)), 7, 4, 1)
	want, err := m.Predict(x)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	var bad sync.Map
	for g := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 50 {
				got, err := m.Predict(x)
				if err != nil || !mat.Equal(got, want) {
					bad.Store(g, err)
				}
			}
		}()
	}
	wg.Wait()
	bad.Range(func(g, err any) bool {
		t.Errorf("goroutine %v: wrong prediction (error %v)", g, err)
		return true
	})
	if probe.sawTraining || !probe.training {
		t.Errorf("the user layer predicted in training mode %v and was left in training mode %v; want false, true", probe.sawTraining, probe.training)
	}
}

// TestPredictAllocs checks that PredictInto of a *mat.Dense, one row or a
// batch, into a destination of the right size allocates nothing in steady
// state.
func TestPredictAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector allocates")
	}
	m, xs := concurrentModel(t)
	row := mat.NewDense(1, m.OutputSize(), nil)
	x := xs[0].RawRowView(0)
	xv := mat.NewDense(1, len(x), x)
	if allocs := testing.AllocsPerRun(100, func() { _ = m.PredictInto(row, xv) }); allocs != 0 {
		t.Errorf("PredictInto of one row allocates %v times per call, want 0", allocs)
	}
	for _, x := range xs {
		r, _ := x.Dims()
		dst := mat.NewDense(r, m.OutputSize(), nil)
		if allocs := testing.AllocsPerRun(100, func() { _ = m.PredictInto(dst, x) }); allocs != 0 {
			t.Errorf("PredictInto of %d rows allocates %v times per call, want 0", r, allocs)
		}
	}
}

// TestPredictEvaluationMode checks that prediction runs a Dropout put into
// a loaded model in training mode as the identity: before, prediction
// switched layers only when the model itself was in training mode, so the
// predictions of such a model were random.
func TestPredictEvaluationMode(t *testing.T) {
	m, xs := concurrentModel(t)
	want, err := m.Predict(xs[2])
	if err != nil {
		t.Fatal(err)
	}
	d, err := NewDropout(0.5, rand.NewPCG(1, 1))
	if err != nil {
		t.Fatal(err)
	}
	if err := m.SetLayer(2, d); err != nil { // replaces the loaded Dropout
		t.Fatal(err)
	}
	d.SetTraining(true)
	for range 3 {
		got, err := m.Predict(xs[2])
		if err != nil {
			t.Fatal(err)
		}
		if !equalBits(got.RawMatrix().Data, want.RawMatrix().Data) {
			t.Fatal("a Dropout in training mode changed the predictions")
		}
	}
	if !d.Training() {
		t.Error("prediction changed the Dropout's mode")
	}
}

// TestPredictOverflow checks that finite inputs whose outputs overflow are
// an error naming the row and the layer, through every prediction method.
func TestPredictOverflow(t *testing.T) {
	src := rand.NewPCG(1, 2)
	m, err := NewSequential(NewLinear(2, 3, src), &ReLU{}, NewLinear(3, 2, src), &Softmax{})
	if err != nil {
		t.Fatal(err)
	}
	w := mat.NewDense(2, 3, []float64{1, 1, 1, 1, 1, 1})
	if err := m.Layers()[0].(*Linear).SetParams(w, make([]float64, 3)); err != nil {
		t.Fatal(err)
	}
	x := mat.NewDense(3, 2, []float64{1, 2, 3, 4, 1.7e308, 1.7e308})
	for name, call := range map[string]func() error{
		"Predict":        func() error { _, err := m.Predict(x); return err },
		"PredictProba":   func() error { _, err := m.PredictProba(x); return err },
		"PredictClasses": func() error { _, err := m.PredictClasses(x); return err },
		"PredictInto":    func() error { return m.PredictInto(mat.NewDense(3, 2, nil), x) },
		"PredictInto/row": func() error {
			return m.PredictInto(mat.NewDense(1, 2, nil), mat.NewDense(1, 2, x.RawRowView(2)))
		},
	} {
		err := call()
		row := "row 2"
		if name == "PredictInto/row" {
			row = "row 0"
		}
		if !errors.Is(err, ErrData) || !strings.Contains(err.Error(), "input "+row+" is finite") || !strings.Contains(err.Error(), "layer 0 Linear(2->3)") {
			t.Errorf("%s: %v, want an error naming %s and layer 0", name, err, row)
		}
	}
}

// TestPredictWhileTraining checks the cheap detection of prediction that
// overlaps training of the same model: a prediction that finds a training
// call in progress panics with an error wrapping ErrMisuse.
func TestPredictWhileTraining(t *testing.T) {
	m, xs := concurrentModel(t)
	m.busy.Add(1) // as Forward, Backward, SetLayer and a Trainer's step do while they run
	err := panicError(func() { _, _ = m.Predict(xs[0]) })
	if !errors.Is(err, ErrMisuse) || !strings.Contains(err.Error(), "while it predicts") {
		t.Errorf("prediction during training: panic %v, want one wrapping ErrMisuse", err)
	}
	m.busy.Add(-1)
	if _, err := m.Predict(xs[0]); err != nil {
		t.Error(err)
	}
}

// TestPredictConcurrentSplit checks concurrent predictions whose products
// are large enough for the kernel to split them between the cores (64 rows
// through 256->256: 2^22 multiply-adds), each through the split group of
// its own workspace: every answer equals a lone call bit for bit.
func TestPredictConcurrentSplit(t *testing.T) {
	src := rand.NewPCG(67, 68)
	m, err := NewSequential(NewLinear(256, 256, src), &ReLU{}, NewLinear(256, 256, src), &GELU{}, NewLinear(256, 4, src))
	if err != nil {
		t.Fatal(err)
	}
	x := gradNormal(rand.New(rand.NewPCG(3, 4)), 64, 256, 1)
	want, err := m.Predict(x)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	errs := make(chan error, 4)
	for g := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			dst := mat.NewDense(64, 4, nil)
			for c := range 20 {
				if err := m.PredictInto(dst, x); err != nil || !equalBits(dst.RawMatrix().Data, want.RawMatrix().Data) {
					errs <- fmt.Errorf("goroutine %d call %d: error %v or a result that differs from a lone call", g, c, err)
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

// predictModel returns a seeded 6-16-3 model ending in Softmax.
func predictModel(t *testing.T) *Sequential {
	t.Helper()
	src := rand.NewPCG(51, 52)
	m, err := NewSequential(NewLinear(6, 16, src), &ReLU{}, NewLinear(16, 3, src), &Softmax{})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// TestPredictErrors checks that the prediction methods return an error, not
// a panic, for input that does not fit (wrapping ErrData, naming the width
// or the row and column of a NaN or Inf), for a destination of the wrong
// shape (ErrShape), and for a model whose output they cannot read
// (ErrSetting).
func TestPredictErrors(t *testing.T) {
	bad := func(r, c, i, j int, v float64) *mat.Dense {
		x := mat.NewDense(r, c, nil)
		x.Set(i, j, v)
		return x
	}
	for _, tc := range []struct {
		name string
		x    mat.Matrix
		want []string
	}{
		{name: "narrow", x: mat.NewDense(3, 5, nil), want: []string{"5 columns", "takes 6"}},
		{name: "wide", x: mat.NewDense(3, 7, nil), want: []string{"7 columns", "takes 6"}},
		{name: "NaN", x: bad(4, 6, 2, 1, math.NaN()), want: []string{"row 2", "column 1", "NaN"}},
		{name: "+Inf", x: bad(4, 6, 3, 5, math.Inf(1)), want: []string{"row 3", "column 5", "+Inf"}},
		{name: "-Inf-first", x: bad(1, 6, 0, 0, math.Inf(-1)), want: []string{"row 0", "column 0", "-Inf"}},
		{name: "NaN-after-chunk", x: bad(600, 6, 599, 4, math.NaN()), want: []string{"row 599", "column 4"}},
		{name: "nil", x: nil, want: []string{"nil"}},
	} {
		for _, method := range []struct {
			name string
			call func(m *Sequential, x mat.Matrix) (any, error)
		}{
			{"PredictProba", func(m *Sequential, x mat.Matrix) (any, error) { return m.PredictProba(x) }},
			{"PredictClasses", func(m *Sequential, x mat.Matrix) (any, error) { return m.PredictClasses(x) }},
		} {
			t.Run(tc.name+"/"+method.name, func(t *testing.T) {
				m := predictModel(t)
				var err error
				if p := panicError(func() { _, err = method.call(m, tc.x) }); p != nil {
					t.Fatalf("panicked: %v", p)
				}
				if !errors.Is(err, ErrData) {
					t.Fatalf("error %v does not wrap ErrData", err)
				}
				for _, s := range tc.want {
					if !strings.Contains(err.Error(), s) {
						t.Errorf("error %q does not contain %q", err, s)
					}
				}
			})
		}
	}

	src := rand.NewPCG(5, 6)
	x2 := func(rows ...[]float64) *mat.Dense {
		x := mat.NewDense(len(rows), len(rows[0]), nil)
		for i, r := range rows {
			x.SetRow(i, r)
		}
		return x
	}
	var nilDense *mat.Dense
	nan := math.NaN()
	checkErrorCases(t, []errorCase{
		{"nil", func(t *testing.T) error { _, err := smallNet(t).PredictProba(nil); return err },
			[]error{ErrData}, []string{"input is nil"}},
		{"typed nil", func(t *testing.T) error { _, err := smallNet(t).PredictProba(nilDense); return err },
			[]error{ErrData}, []string{"input is nil"}},
		{"empty", func(t *testing.T) error { _, err := smallNet(t).PredictProba(&mat.Dense{}); return err },
			[]error{ErrData}, []string{"input has 0 columns, the model takes 2"}},
		{"wrong width", func(t *testing.T) error {
			_, err := smallNet(t).PredictProba(mat.NewDense(3, 5, nil))
			return err
		}, []error{ErrData}, []string{"5 columns, the model takes 2"}},
		{"NaN", func(t *testing.T) error {
			_, err := smallNet(t).PredictProba(x2([]float64{1, 2}, []float64{nan, 3}))
			return err
		}, []error{ErrData}, []string{"row 1, column 0 is NaN"}},
		{"classes typed nil", func(t *testing.T) error { _, err := smallNet(t).PredictClasses(nilDense); return err },
			[]error{ErrData}, []string{"input is nil"}},
		{"classes -Inf", func(t *testing.T) error {
			_, err := smallNet(t).PredictClasses(x2([]float64{1, math.Inf(-1)}))
			return err
		}, []error{ErrData}, []string{"row 0, column 1 is -Inf"}},
		{"nil model", func(*testing.T) error {
			var m *Sequential
			_, err := m.PredictProba(mat.NewDense(1, 2, nil))
			return err
		}, []error{ErrSetting}, []string{"model is nil"}},
		{"overflow", func(t *testing.T) error {
			m, err := NewSequential(NewLinear(2, 3, src), &ReLU{}, NewLinear(3, 2, src), &Softmax{})
			if err != nil {
				return err
			}
			_ = m.Layers()[0].(*Linear).SetParams(mat.NewDense(2, 3, []float64{1, 1, 1, 1, 1, 1}), make([]float64, 3))
			_, err = m.PredictProba(x2([]float64{1, 2}, []float64{1.7e308, 1.7e308}))
			return err
		}, []error{ErrData}, []string{"input row 1 is finite", "layer 0 Linear(2->3)"}},
		{"proba of a regression model", func(t *testing.T) error {
			return predictNew(probaOfRow, NewLinear(2, 1, src))
		}, []error{ErrSetting}, []string{"ends in Linear(2->1), which does not give probabilities", "use Predict"}},
		{"classes of one Softmax column", func(t *testing.T) error {
			return predictNew(classesOfRow, NewLinear(2, 1, src), &Softmax{})
		}, []error{ErrSetting}, []string{"PredictClasses: a Softmax over one column always outputs 1", "Sigmoid"}},
		{"classes of one Linear column", func(t *testing.T) error {
			return predictNew(classesOfRow, NewLinear(2, 1, src))
		}, []error{ErrSetting}, []string{"PredictClasses: one output column is read as the probability of class 1, but the model ends in Linear(2->1)"}},
		{"proba of one Softmax column", func(t *testing.T) error {
			return predictNew(probaOfRow, NewLinear(2, 1, src), &Softmax{})
		}, []error{ErrSetting}, []string{"PredictProba: a Softmax over one column always outputs 1"}},
		{"row of the wrong width", func(t *testing.T) error {
			return smallNet(t).PredictInto(mat.NewDense(1, 2, nil), mat.NewDense(1, 3, []float64{1, 2, 3}))
		}, []error{ErrData}, []string{"input has 3 columns, the model takes 2"}},
		{"row NaN", func(t *testing.T) error {
			return smallNet(t).PredictInto(mat.NewDense(1, 2, nil), mat.NewDense(1, 2, []float64{1, nan}))
		}, []error{ErrData}, []string{"input row 0, column 1 is NaN"}},
		{"row destination", func(t *testing.T) error {
			return smallNet(t).PredictInto(mat.NewDense(1, 3, nil), mat.NewDense(1, 2, []float64{1, 2}))
		}, []error{ErrShape}, []string{"destination is 1x3, want 1x2"}},
		{"into destination", func(t *testing.T) error {
			return smallNet(t).PredictInto(mat.NewDense(2, 2, nil), x2([]float64{1, 2}))
		}, []error{ErrShape}, []string{"destination is 2x2, want 1x2"}},
	})
}

// TestPredictMatchesForward checks PredictProba and PredictClasses against
// Forward run one row at a time, within 1e-14, for batches smaller than,
// equal to and larger than the internal chunk of 512 rows (1500 spans three
// chunks), and for an input that is not a *mat.Dense.
func TestPredictMatchesForward(t *testing.T) {
	for _, tc := range []struct {
		name      string
		rows      int
		transpose bool // pass the input as a mat.Transpose view
	}{
		{name: "1", rows: 1},
		{name: "511", rows: 511},
		{name: "512", rows: 512},
		{name: "1500", rows: 1500},
		{name: "1500/transpose-view", rows: 1500, transpose: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(53, uint64(tc.rows)))
			x := gradNormal(rng, tc.rows, 6, 2)
			var in mat.Matrix = x
			if tc.transpose {
				in = mat.DenseCopyOf(x.T()).T()
			}
			m := predictModel(t)
			proba, err := m.PredictProba(in)
			if err != nil {
				t.Fatal(err)
			}
			classes, err := m.PredictClasses(in)
			if err != nil {
				t.Fatal(err)
			}
			if r, c := proba.Dims(); r != tc.rows || c != 3 || len(classes) != tc.rows {
				t.Fatalf("PredictProba gave %dx%d and PredictClasses %d entries for %d rows", r, c, len(classes), tc.rows)
			}
			ref := predictModel(t)
			for i := range tc.rows {
				want := ref.Forward(mat.NewDense(1, 6, x.RawRowView(i)))
				best := 0
				for j := range 3 {
					if got := proba.At(i, j); math.Abs(got-want.At(0, j)) > 1e-14 {
						t.Fatalf("row %d column %d: PredictProba %.17g, Forward %.17g", i, j, got, want.At(0, j))
					}
					if want.At(0, j) > want.At(0, best) {
						best = j
					}
				}
				if classes[i] != best {
					t.Fatalf("row %d: PredictClasses %d, argmax of Forward %d", i, classes[i], best)
				}
			}
		})
	}
}

// modeProbe is an activation that keeps its input and records whether it
// was in training mode at its last Forward.
type modeProbe struct {
	training, sawTraining bool
	forwards              int
}

func (p *modeProbe) Forward(x *mat.Dense) *mat.Dense {
	p.sawTraining = p.training
	p.forwards++
	return x
}
func (p *modeProbe) Backward(g *mat.Dense) *mat.Dense { return g }
func (p *modeProbe) Params() []Param                  { return nil }
func (p *modeProbe) Dims() (in, out int)              { return 0, 0 }
func (p *modeProbe) String() string                   { return "modeProbe" }
func (p *modeProbe) SetTraining(training bool)        { p.training = training }

// TestPredictMode checks that prediction runs every layer in evaluation
// mode and leaves the model in the mode it found.
func TestPredictMode(t *testing.T) {
	for _, training := range []bool{true, false} {
		name := "eval"
		if training {
			name = "training"
		}
		t.Run(name, func(t *testing.T) {
			probe := &modeProbe{training: true}
			m, err := NewSequential(NewLinear(2, 3, rand.NewPCG(1, 1)), probe, &Softmax{})
			if err != nil {
				t.Fatal(err)
			}
			m.SetTraining(training)
			if probe.training != training {
				t.Fatalf("SetTraining(%v) did not reach the layer", training)
			}
			x := mat.NewDense(2, 2, []float64{1, 2, 3, 4})
			if _, err := m.PredictProba(x); err != nil {
				t.Fatal(err)
			}
			if _, err := m.PredictClasses(x); err != nil {
				t.Fatal(err)
			}
			if probe.forwards != 2 || probe.sawTraining {
				t.Errorf("prediction ran %d forwards, the last in training mode %v; want 2 in evaluation mode", probe.forwards, probe.sawTraining)
			}
			if m.Training() != training || probe.training != training {
				t.Errorf("after prediction the model is in training mode %v and the layer %v, want %v", m.Training(), probe.training, training)
			}
		})
	}
}

// probaOfRow and classesOfRow call PredictProba and PredictClasses on one
// row of two features, for predictNew.
var (
	probaOfRow   = func(m *Sequential) error { _, err := m.PredictProba(mat.NewDense(1, 2, []float64{1, 2})); return err }
	classesOfRow = func(m *Sequential) error { _, err := m.PredictClasses(mat.NewDense(1, 2, []float64{1, 2})); return err }
)

// predictNew returns the error of NewSequential(layers...) or, if there is
// none, of predict with the model.
func predictNew(predict func(*Sequential) error, layers ...Layer) error {
	m, err := NewSequential(layers...)
	if err != nil {
		return err
	}
	return predict(m)
}
