package mlp

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"math"
	"math/rand/v2"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/mlpkit/mlp/internal/modelfile"
	"gonum.org/v1/gonum/mat"
)

// callNoPanic runs f and returns its error. A panic fails the test: every
// case of the reliability tests must come back as an error.
func callNoPanic(t *testing.T, f func() error) (err error) {
	t.Helper()
	defer func() {
		if r := recover(); r != nil {
			t.Fatalf("panicked instead of returning an error: %v", r)
		}
	}()
	return f()
}

// relModel returns Linear(2->3), ReLU, Linear(3->2), Softmax.
func relModel(t testing.TB) *Sequential {
	t.Helper()
	return testNet(t, 3, 2, 3, 2)
}

// relData returns 4 samples of 2 features with labels 0 and 1.
func relData(t testing.TB) *Dataset {
	t.Helper()
	d, err := NewDataset(mat.NewDense(4, 2, []float64{1, 2, 3, 4, 5, 6, 7, 8}), Targets{Labels: []int{0, 1, 0, 1}})
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// relRegression returns 3 samples of 2 features with one target column.
func relRegression(t testing.TB) *Dataset {
	t.Helper()
	d, err := NewDataset(mat.NewDense(3, 2, []float64{1, 2, 3, 4, 5, 6}), Targets{Values: mat.NewDense(3, 1, []float64{1, 2, 3})})
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// relTrainer returns a Trainer of m with CrossEntropy, SGD at 0.1 and s,
// failing the test if NewTrainer refuses it.
func relTrainer(t testing.TB, m *Sequential, s TrainerSettings) *Trainer {
	t.Helper()
	tr, err := NewTrainer(m, &CrossEntropy{}, mustSGD(t, m, SGDSettings{LR: 0.1}), s)
	if err != nil {
		t.Fatal(err)
	}
	return tr
}

// relNewTrainer calls NewTrainer for relModel with CrossEntropy, SGD at 0.1
// and s.
func relNewTrainer(t testing.TB, s TrainerSettings) error {
	m := relModel(t)
	_, err := NewTrainer(m, &CrossEntropy{}, mustSGD(t, m, SGDSettings{LR: 0.1}), s)
	return err
}

// relFit fits a Trainer of m with loss, SGD at 0.1 and s for one epoch over
// the data of train (and val when not nil), loaded in batches of 2.
func relFit(t testing.TB, m *Sequential, loss Loss, s TrainerSettings, train, val *Dataset) error {
	t.Helper()
	tr, err := NewTrainer(m, loss, mustSGD(t, m, SGDSettings{LR: 0.1}), s)
	if err != nil {
		return err
	}
	var vl *DataLoader
	if val != nil {
		vl = mustLoader(t, val, LoaderSettings{BatchSize: 2})
	}
	_, err = tr.Fit(context.Background(), mustLoader(t, train, LoaderSettings{BatchSize: 2}), vl, 1)
	return err
}

// relModelFile returns a model file of the given version with the layer
// count and layer bytes given, and the checksum of it all.
func relModelFile(version, layers uint32, body ...[]byte) []byte {
	le := binary.LittleEndian
	b := append([]byte(modelfile.Magic), le.AppendUint32(nil, version)...)
	b = le.AppendUint32(b, layers)
	for _, p := range body {
		b = append(b, p...)
	}
	return le.AppendUint32(b, crc32.ChecksumIEEE(b))
}

// relLinearHeader returns the kind tag and sizes of a Linear layer, without
// its weights.
func relLinearHeader(in, out uint32) []byte {
	le := binary.LittleEndian
	return le.AppendUint32(le.AppendUint32([]byte{kindLinear}, in), out)
}

// relSaved returns the model file of relModel.
func relSaved(t testing.TB) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := relModel(t).Save(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func relLoad(b []byte) error {
	m, err := Load(bytes.NewReader(b))
	if m != nil && err != nil {
		return fmt.Errorf("Load returned a model with its error %w", err)
	}
	return err
}

// relCustomLayer is a layer type of no format, the identity.
type relCustomLayer struct{}

func (relCustomLayer) Forward(x *mat.Dense) *mat.Dense  { return x }
func (relCustomLayer) Backward(g *mat.Dense) *mat.Dense { return g }
func (relCustomLayer) Dims() (in, out int)              { return 0, 0 }
func (relCustomLayer) String() string                   { return "Custom" }

// proba and classes call PredictProba and PredictClasses on one row of
// two features, for relPredict.
var (
	proba   = func(m *Sequential) error { _, err := m.PredictProba(mat.NewDense(1, 2, []float64{1, 2})); return err }
	classes = func(m *Sequential) error { _, err := m.PredictClasses(mat.NewDense(1, 2, []float64{1, 2})); return err }
)

// relPredict returns the error of NewSequential(layers...) or, if there is
// none, of predict with the model.
func relPredict(predict func(*Sequential) error, layers ...Layer) error {
	m, err := NewSequential(layers...)
	if err != nil {
		return err
	}
	return predict(m)
}

// relSource is a random source whose state cannot be copied.
type relSource struct{}

func (relSource) Uint64() uint64 { return 42 }

// relRate is a Schedule that always gives its value.
type relRate float64

func (r relRate) Rate(float64, int) float64 { return float64(r) }

// TestBadInputs feeds every exported entry point that takes user data,
// files or settings inputs it must refuse, and checks that each returns an
// error, never panics, matches the sentinels with errors.Is and names the
// place (line and column, row, layer, field, epoch) in its message.
func TestBadInputs(t *testing.T) {
	var nilDense *mat.Dense
	src := rand.NewPCG(5, 6)
	ctx := context.Background()
	x2 := func(rows ...[]float64) *mat.Dense {
		x := mat.NewDense(len(rows), len(rows[0]), nil)
		for i, r := range rows {
			x.SetRow(i, r)
		}
		return x
	}
	inf, nan := math.Inf(1), math.NaN()

	cases := []struct {
		name  string
		call  func(t *testing.T) error
		want  []error  // errors.Is must match each
		where []string // substrings of the message naming the place
	}{
		// NewDataset: the place is the row and column.
		{"dataset/nil X", func(*testing.T) error { _, err := NewDataset(nil, Targets{Labels: []int{0}}); return err },
			[]error{ErrData}, []string{"feature matrix is empty"}},
		{"dataset/labels and values", func(*testing.T) error {
			_, err := NewDataset(mat.NewDense(1, 1, nil), Targets{Labels: []int{0}, Values: mat.NewDense(1, 1, nil)})
			return err
		}, []error{ErrData}, []string{"both labels and values"}},
		{"dataset/no targets", func(*testing.T) error { _, err := NewDataset(mat.NewDense(1, 1, nil), Targets{}); return err },
			[]error{ErrData}, []string{"neither labels nor values"}},
		{"dataset/label count", func(*testing.T) error {
			_, err := NewDataset(mat.NewDense(2, 1, nil), Targets{Labels: []int{0, 1, 1}})
			return err
		}, []error{ErrData}, []string{"3 labels for 2 samples"}},
		{"dataset/negative label", func(*testing.T) error {
			_, err := NewDataset(mat.NewDense(2, 1, nil), Targets{Labels: []int{0, -3}})
			return err
		}, []error{ErrData}, []string{"label -3 of row 1"}},
		{"dataset/NaN feature", func(*testing.T) error {
			_, err := NewDataset(x2([]float64{1, 2}, []float64{nan, 3}), Targets{Labels: []int{0, 1}})
			return err
		}, []error{ErrData}, []string{"row 1, column 0"}},
		{"dataset/Inf target", func(*testing.T) error {
			_, err := NewDataset(mat.NewDense(2, 1, nil), Targets{Values: x2([]float64{1}, []float64{inf})})
			return err
		}, []error{ErrData}, []string{"target value +Inf at row 1, column 0"}},
		{"dataset/target rows", func(*testing.T) error {
			_, err := NewDataset(mat.NewDense(2, 1, nil), Targets{Values: mat.NewDense(3, 1, nil)})
			return err
		}, []error{ErrData}, []string{"3 target rows for 2 samples"}},

		// NewDataLoader, including Datasets built as literals.
		{"loader/negative batch size", func(t *testing.T) error {
			_, err := NewDataLoader(relData(t), LoaderSettings{BatchSize: -1})
			return err
		}, []error{ErrSetting}, []string{"batch size -1"}},
		{"loader/shuffle without source", func(t *testing.T) error {
			_, err := NewDataLoader(relData(t), LoaderSettings{Shuffle: true})
			return err
		}, []error{ErrSetting}, []string{"Shuffle needs a Src"}},
		{"loader/drop last leaves nothing", func(t *testing.T) error {
			_, err := NewDataLoader(relData(t), LoaderSettings{BatchSize: 5, DropLast: true})
			return err
		}, []error{ErrSetting}, []string{"DropLast with batch size 5 and 4 samples"}},
		{"loader/nil data set", func(*testing.T) error { _, err := NewDataLoader(nil, LoaderSettings{}); return err },
			[]error{ErrData}, []string{"data loader needs a non-empty data set"}},
		{"loader/literal with NaN", func(*testing.T) error {
			d := &Dataset{X: x2([]float64{1, nan}, []float64{2, 3}), Y: Targets{Labels: []int{0, 1}}, Classes: 2}
			_, err := NewDataLoader(d, LoaderSettings{})
			return err
		}, []error{ErrData}, []string{"row 0, column 1"}},
		{"loader/literal with a negative label", func(*testing.T) error {
			d := &Dataset{X: mat.NewDense(2, 2, nil), Y: Targets{Labels: []int{0, -2}}, Classes: 2}
			_, err := NewDataLoader(d, LoaderSettings{})
			return err
		}, []error{ErrData}, []string{"label -2 of row 1"}},
		{"loader/literal with mismatched targets", func(*testing.T) error {
			d := &Dataset{X: mat.NewDense(3, 2, nil), Y: Targets{Values: mat.NewDense(2, 1, nil)}}
			_, err := NewDataLoader(d, LoaderSettings{})
			return err
		}, []error{ErrData}, []string{"2 target rows for 3 samples"}},
		{"loader/literal with both targets", func(*testing.T) error {
			d := &Dataset{X: mat.NewDense(1, 2, nil), Y: Targets{Labels: []int{0}, Values: mat.NewDense(1, 1, nil)}}
			_, err := NewDataLoader(d, LoaderSettings{})
			return err
		}, []error{ErrData}, []string{"both labels and values"}},

		// Split.
		{"split/fraction 1", func(t *testing.T) error {
			_, _, err := Split(relData(t), SplitSettings{ValFraction: 1, Src: src})
			return err
		}, []error{ErrSetting}, []string{"ValFraction 1 is not in (0, 1)"}},
		{"split/fraction NaN", func(t *testing.T) error {
			_, _, err := Split(relData(t), SplitSettings{ValFraction: nan, Src: src})
			return err
		}, []error{ErrSetting}, []string{"ValFraction NaN"}},
		{"split/0.99 of 2 rows", func(t *testing.T) error {
			d, err := NewDataset(mat.NewDense(2, 1, nil), Targets{Labels: []int{0, 1}})
			if err != nil {
				t.Fatal(err)
			}
			_, _, err = Split(d, SplitSettings{ValFraction: 0.99, Src: src})
			return err
		}, []error{ErrData}, []string{"2 samples", "ValFraction 0.99"}},
		{"split/no source", func(t *testing.T) error { _, _, err := Split(relData(t), SplitSettings{}); return err },
			[]error{ErrSetting}, []string{"Split needs a Src"}},
		{"split/literal with short labels", func(*testing.T) error {
			d := &Dataset{X: mat.NewDense(4, 2, nil), Y: Targets{Labels: []int{1}}}
			_, _, err := Split(d, SplitSettings{ValFraction: 0.5, Src: src})
			return err
		}, []error{ErrData}, []string{"split: 1 labels for 4 samples"}},
		{"split/literal without targets", func(*testing.T) error {
			_, _, err := Split(&Dataset{X: mat.NewDense(4, 2, nil)}, SplitSettings{ValFraction: 0.5, Src: src})
			return err
		}, []error{ErrData}, []string{"split: targets have neither"}},
		{"split/stratified literal with a negative label", func(*testing.T) error {
			d := &Dataset{X: mat.NewDense(4, 2, nil), Y: Targets{Labels: []int{0, -1, 0, 1}}, Classes: 2}
			_, _, err := Split(d, SplitSettings{ValFraction: 0.5, Stratify: true, Src: src})
			return err
		}, []error{ErrData}, []string{"label -1 of row 1"}},

		// StandardScaler.
		{"scaler/transform nil", func(*testing.T) error {
			_, err := (&StandardScaler{Mean: []float64{0}, Std: []float64{1}}).Transform(nil)
			return err
		}, []error{ErrData}, []string{"nil matrix"}},
		{"scaler/transform typed nil", func(*testing.T) error {
			_, err := (&StandardScaler{Mean: []float64{0}, Std: []float64{1}}).Transform(nilDense)
			return err
		}, []error{ErrData}, []string{"nil matrix"}},
		{"scaler/transform wrong width", func(*testing.T) error {
			_, err := (&StandardScaler{Mean: []float64{0}, Std: []float64{1}}).Transform(mat.NewDense(2, 3, nil))
			return err
		}, []error{ErrData}, []string{"3 features", "fitted on 1"}},
		{"scaler/zero std", func(*testing.T) error {
			_, err := (&StandardScaler{Mean: []float64{0, 0}, Std: []float64{1, 0}}).Transform(mat.NewDense(2, 2, nil))
			return err
		}, []error{ErrSetting}, []string{"Std[1] = 0"}},
		{"scaler/dataset literal without targets", func(*testing.T) error {
			_, err := (&StandardScaler{Mean: []float64{0}, Std: []float64{1}}).TransformDataset(&Dataset{X: mat.NewDense(1, 1, nil)})
			return err
		}, []error{ErrData}, []string{"TransformDataset: targets have neither"}},

		// Sequential: construction, prediction, parameters, Clone.
		{"sequential/no layers", func(*testing.T) error { _, err := NewSequential(); return err },
			[]error{ErrShape}, []string{"no layers"}},
		{"sequential/nil layer", func(t *testing.T) error {
			_, err := NewSequential(NewLinear(2, 2, src), nil)
			return err
		}, []error{ErrShape}, []string{"layer 1 is nil"}},
		{"sequential/typed nil layer", func(*testing.T) error { _, err := NewSequential((*Linear)(nil)); return err },
			[]error{ErrShape}, []string{"layer 0 is nil"}},
		{"sequential/widths do not chain", func(*testing.T) error {
			_, err := NewSequential(NewLinear(2, 3, src), &ReLU{}, NewLinear(4, 2, src))
			return err
		}, []error{ErrShape}, []string{"layer 2 Linear(4->2) takes 4 inputs but layer 0 Linear(2->3) gives 3"}},
		{"sequential/only activations", func(*testing.T) error { _, err := NewSequential(&ReLU{}, &Softmax{}); return err },
			[]error{ErrShape}, []string{"no layer fixes the input width"}},
		{"predict/nil", func(t *testing.T) error { _, err := relModel(t).PredictProba(nil); return err },
			[]error{ErrData}, []string{"input is nil"}},
		{"predict/typed nil", func(t *testing.T) error { _, err := relModel(t).PredictProba(nilDense); return err },
			[]error{ErrData}, []string{"input is nil"}},
		{"predict/empty", func(t *testing.T) error { _, err := relModel(t).PredictProba(&mat.Dense{}); return err },
			[]error{ErrData}, []string{"input has 0 columns, the model takes 2"}},
		{"predict/wrong width", func(t *testing.T) error {
			_, err := relModel(t).PredictProba(mat.NewDense(3, 5, nil))
			return err
		}, []error{ErrData}, []string{"5 columns, the model takes 2"}},
		{"predict/NaN", func(t *testing.T) error {
			_, err := relModel(t).PredictProba(x2([]float64{1, 2}, []float64{nan, 3}))
			return err
		}, []error{ErrData}, []string{"row 1, column 0 is NaN"}},
		{"predict/classes typed nil", func(t *testing.T) error { _, err := relModel(t).PredictClasses(nilDense); return err },
			[]error{ErrData}, []string{"input is nil"}},
		{"predict/classes -Inf", func(t *testing.T) error {
			_, err := relModel(t).PredictClasses(x2([]float64{1, math.Inf(-1)}))
			return err
		}, []error{ErrData}, []string{"row 0, column 1 is -Inf"}},
		{"predict/nil model", func(*testing.T) error {
			var m *Sequential
			_, err := m.PredictProba(mat.NewDense(1, 2, nil))
			return err
		}, []error{ErrSetting}, []string{"model is nil"}},
		{"setlayer/nil", func(t *testing.T) error { return relModel(t).SetLayer(1, nil) },
			[]error{ErrShape}, []string{"SetLayer(1): layer 1 is nil"}},
		{"setlayer/another width", func(t *testing.T) error { return relModel(t).SetLayer(2, NewLinear(4, 2, src)) },
			[]error{ErrShape}, []string{"layer 2 Linear(4->2) takes 4 inputs but layer 0 Linear(2->3) gives 3"}},
		{"setlayer/index out of range", func(t *testing.T) error { return relModel(t).SetLayer(4, &ReLU{}) },
			[]error{ErrSetting}, []string{"index 4 out of range for a model of 4 layers"}},
		{"setlayer/layer of the model", func(t *testing.T) error {
			m := relModel(t)
			return m.SetLayer(2, m.Layers()[0])
		}, []error{ErrSetting}, []string{"layers 0 and 2 are the same Linear(2->3) instance"}},
		{"setlayer/nil model", func(*testing.T) error { var m *Sequential; return m.SetLayer(0, &ReLU{}) },
			[]error{ErrSetting}, []string{"model is nil"}},
		{"sequential/repeated ReLU", func(*testing.T) error {
			r := &ReLU{}
			_, err := NewSequential(NewLinear(2, 3, src), r, NewLinear(3, 3, src), r, NewLinear(3, 2, src))
			return err
		}, []error{ErrSetting}, []string{"layers 1 and 3 are the same ReLU instance"}},
		{"sequential/repeated Linear", func(*testing.T) error {
			l := NewLinear(3, 3, src)
			_, err := NewSequential(l, &ReLU{}, l)
			return err
		}, []error{ErrSetting}, []string{"layers 0 and 2 are the same Linear(3->3) instance"}},
		{"setparams/NaN weight", func(*testing.T) error {
			w := mat.NewDense(2, 3, nil)
			w.Set(1, 2, nan)
			return NewLinear(2, 3, src).SetParams(w, make([]float64, 3))
		}, []error{ErrData}, []string{"Linear(2->3).SetParams: weight W[1,2] is NaN"}},
		{"setparams/Inf bias", func(*testing.T) error {
			return NewLinear(2, 3, src).SetParams(mat.NewDense(2, 3, nil), []float64{0, inf, 0})
		}, []error{ErrData}, []string{"Linear(2->3).SetParams: bias b[1] is +Inf"}},
		{"predict/overflow", func(t *testing.T) error {
			m, err := NewSequential(NewLinear(2, 3, src), &ReLU{}, NewLinear(3, 2, src), &Softmax{})
			if err != nil {
				return err
			}
			_ = m.Layers()[0].(*Linear).SetParams(mat.NewDense(2, 3, []float64{1, 1, 1, 1, 1, 1}), make([]float64, 3))
			_, err = m.PredictProba(x2([]float64{1, 2}, []float64{1.7e308, 1.7e308}))
			return err
		}, []error{ErrData}, []string{"input row 1 is finite", "layer 0 Linear(2->3)"}},
		{"predict/proba of a regression model", func(t *testing.T) error {
			return relPredict(proba, NewLinear(2, 1, src))
		}, []error{ErrSetting}, []string{"ends in Linear(2->1), which does not give probabilities", "use Predict"}},
		{"predict/classes of one Softmax column", func(t *testing.T) error {
			return relPredict(classes, NewLinear(2, 1, src), &Softmax{})
		}, []error{ErrSetting}, []string{"PredictClasses: a Softmax over one column always outputs 1", "Sigmoid"}},
		{"predict/classes of one Linear column", func(t *testing.T) error {
			return relPredict(classes, NewLinear(2, 1, src))
		}, []error{ErrSetting}, []string{"PredictClasses: one output column is read as the probability of class 1, but the model ends in Linear(2->1)"}},
		{"predict/proba of one Softmax column", func(t *testing.T) error {
			return relPredict(proba, NewLinear(2, 1, src), &Softmax{})
		}, []error{ErrSetting}, []string{"PredictProba: a Softmax over one column always outputs 1"}},
		{"predict/row of the wrong width", func(t *testing.T) error {
			return relModel(t).PredictInto(mat.NewDense(1, 2, nil), x2([]float64{1, 2, 3}))
		}, []error{ErrData}, []string{"input has 3 columns, the model takes 2"}},
		{"predict/row NaN", func(t *testing.T) error {
			return relModel(t).PredictInto(mat.NewDense(1, 2, nil), x2([]float64{1, nan}))
		}, []error{ErrData}, []string{"input row 0, column 1 is NaN"}},
		{"predict/row destination", func(t *testing.T) error {
			return relModel(t).PredictInto(mat.NewDense(1, 3, nil), x2([]float64{1, 2}))
		}, []error{ErrShape}, []string{"destination is 1x3, want 1x2"}},
		{"predict/into destination", func(t *testing.T) error {
			return relModel(t).PredictInto(mat.NewDense(2, 2, nil), x2([]float64{1, 2}))
		}, []error{ErrShape}, []string{"destination is 2x2, want 1x2"}},
		{"setparams/nil weights", func(*testing.T) error { return NewLinear(2, 3, src).SetParams(nil, make([]float64, 3)) },
			[]error{ErrShape}, []string{"Linear(2->3).SetParams: weights are nil"}},
		{"setparams/typed nil weights", func(*testing.T) error {
			return NewLinear(2, 3, src).SetParams(nilDense, make([]float64, 3))
		}, []error{ErrShape}, []string{"Linear(2->3).SetParams: weights are nil"}},
		{"setparams/transposed weights", func(*testing.T) error {
			return NewLinear(2, 3, src).SetParams(mat.NewDense(3, 2, nil), make([]float64, 3))
		}, []error{ErrShape}, []string{"weights are 3x2, want 2x3"}},
		{"setparams/short bias", func(*testing.T) error {
			return NewLinear(2, 3, src).SetParams(mat.NewDense(2, 3, nil), make([]float64, 1))
		}, []error{ErrShape}, []string{"bias has 1 entries, want 3"}},
		{"clone/unknown layer type", func(*testing.T) error {
			m, err := NewSequential(NewLinear(2, 2, src), relCustomLayer{})
			if err != nil {
				return err
			}
			_, err = m.Clone()
			return err
		}, []error{ErrSetting}, []string{"layer 1 Custom is a mlp.relCustomLayer, which does not implement Cloner"}},
		{"clone/uncopyable random source", func(t *testing.T) error {
			d, err := NewDropout(0.5, relSource{})
			if err != nil {
				return err
			}
			m, err := NewSequential(NewLinear(2, 2, src), d)
			if err != nil {
				return err
			}
			_, err = m.Clone()
			return err
		}, []error{ErrSetting}, []string{"layer 1 Dropout(0.5)", "random source mlp.relSource cannot be copied"}},

		// Optimizer settings: the message names the field.
		{"sgd/LR 0", func(t *testing.T) error { _, err := NewSGD(relModel(t).Params(), SGDSettings{}); return err },
			[]error{ErrSetting}, []string{"SGDSettings.LR", "got 0"}},
		{"sgd/LR negative", func(t *testing.T) error { _, err := NewSGD(relModel(t).Params(), SGDSettings{LR: -1}); return err },
			[]error{ErrSetting}, []string{"SGDSettings.LR", "got -1"}},
		{"sgd/LR NaN", func(t *testing.T) error { _, err := NewSGD(relModel(t).Params(), SGDSettings{LR: nan}); return err },
			[]error{ErrSetting}, []string{"SGDSettings.LR", "got NaN"}},
		{"sgd/LR +Inf", func(t *testing.T) error { _, err := NewSGD(relModel(t).Params(), SGDSettings{LR: inf}); return err },
			[]error{ErrSetting}, []string{"SGDSettings.LR", "got +Inf"}},
		{"sgd/momentum 1", func(t *testing.T) error {
			_, err := NewSGD(relModel(t).Params(), SGDSettings{LR: 0.1, Momentum: 1})
			return err
		}, []error{ErrSetting}, []string{"SGDSettings.Momentum", "got 1"}},
		{"sgd/momentum negative", func(t *testing.T) error {
			_, err := NewSGD(relModel(t).Params(), SGDSettings{LR: 0.1, Momentum: -0.5})
			return err
		}, []error{ErrSetting}, []string{"SGDSettings.Momentum", "got -0.5"}},
		{"sgd/momentum NaN", func(t *testing.T) error {
			_, err := NewSGD(relModel(t).Params(), SGDSettings{LR: 0.1, Momentum: nan})
			return err
		}, []error{ErrSetting}, []string{"SGDSettings.Momentum", "got NaN"}},
		{"sgd/Nesterov without momentum", func(t *testing.T) error {
			_, err := NewSGD(relModel(t).Params(), SGDSettings{LR: 0.1, Nesterov: true})
			return err
		}, []error{ErrSetting}, []string{"SGDSettings.Nesterov"}},
		{"sgd/weight decay +Inf", func(t *testing.T) error {
			_, err := NewSGD(relModel(t).Params(), SGDSettings{LR: 0.1, WeightDecay: inf})
			return err
		}, []error{ErrSetting}, []string{"SGDSettings.WeightDecay", "got +Inf"}},
		{"sgd/parameter without gradient", func(*testing.T) error {
			_, err := NewSGD([]Param{{Name: "w", Value: mat.NewDense(1, 1, nil)}}, SGDSettings{LR: 0.1})
			return err
		}, []error{ErrSetting}, []string{"parameter 0 (w)"}},
		{"adam/LR NaN", func(t *testing.T) error { _, err := NewAdam(relModel(t).Params(), AdamSettings{LR: nan}); return err },
			[]error{ErrSetting}, []string{"AdamSettings.LR", "got NaN"}},
		{"adam/beta2 1", func(t *testing.T) error {
			_, err := NewAdam(relModel(t).Params(), AdamSettings{LR: 0.1, Betas: [2]float64{0.9, 1}})
			return err
		}, []error{ErrSetting}, []string{"AdamSettings.Betas[1]", "got 1"}},
		{"adam/beta1 NaN", func(t *testing.T) error {
			_, err := NewAdam(relModel(t).Params(), AdamSettings{LR: 0.1, Betas: [2]float64{nan, 0.999}})
			return err
		}, []error{ErrSetting}, []string{"AdamSettings.Betas[0]", "got NaN"}},
		{"adam/eps +Inf", func(t *testing.T) error {
			_, err := NewAdam(relModel(t).Params(), AdamSettings{LR: 0.1, Eps: inf})
			return err
		}, []error{ErrSetting}, []string{"AdamSettings.Eps", "got +Inf"}},
		{"adamw/weight decay negative", func(t *testing.T) error {
			_, err := NewAdamW(relModel(t).Params(), AdamSettings{LR: 0.1, WeightDecay: -1})
			return err
		}, []error{ErrSetting}, []string{"AdamSettings.WeightDecay", "got -1"}},
		{"adamw/LR +Inf", func(t *testing.T) error { _, err := NewAdamW(relModel(t).Params(), AdamSettings{LR: inf}); return err },
			[]error{ErrSetting}, []string{"AdamSettings.LR", "got +Inf"}},
		{"dropout/p 1", func(*testing.T) error { _, err := NewDropout(1, src); return err },
			[]error{ErrSetting}, []string{"NewDropout: probability 1"}},
		{"dropout/p NaN", func(*testing.T) error { _, err := NewDropout(nan, src); return err },
			[]error{ErrSetting}, []string{"NewDropout: probability NaN"}},
		{"dropout/nil source", func(*testing.T) error { _, err := NewDropout(0.5, nil); return err },
			[]error{ErrSetting}, []string{"NewDropout: nil random source"}},

		// Trainer settings.
		{"trainer/ClipNorm NaN", func(t *testing.T) error { return relNewTrainer(t, TrainerSettings{ClipNorm: nan}) },
			[]error{ErrSetting}, []string{"TrainerSettings.ClipNorm", "got NaN"}},
		{"trainer/ClipNorm negative", func(t *testing.T) error { return relNewTrainer(t, TrainerSettings{ClipNorm: -1}) },
			[]error{ErrSetting}, []string{"TrainerSettings.ClipNorm", "got -1"}},
		{"trainer/ClipNorm +Inf", func(t *testing.T) error { return relNewTrainer(t, TrainerSettings{ClipNorm: inf}) },
			[]error{ErrSetting}, []string{"TrainerSettings.ClipNorm", "got +Inf"}},
		{"trainer/ProgressLogger Every negative", func(t *testing.T) error {
			return relNewTrainer(t, TrainerSettings{Hooks: []Hook{&ProgressLogger{W: io.Discard, Every: -2}}})
		}, []error{ErrSetting}, []string{"ProgressLogger.Every", "got -2"}},
		{"trainer/ProgressLogger nil buffer", func(t *testing.T) error {
			var w *bytes.Buffer
			return relNewTrainer(t, TrainerSettings{Hooks: []Hook{&ProgressLogger{W: w}}})
		}, []error{ErrSetting}, []string{"ProgressLogger.W"}},
		{"trainer/StepDecay step 0", func(t *testing.T) error {
			return relNewTrainer(t, TrainerSettings{Schedule: StepDecay{Gamma: 0.5}})
		}, []error{ErrSetting}, []string{"StepDecay.Step", "got 0"}},
		{"trainer/ExponentialDecay gamma NaN", func(t *testing.T) error {
			return relNewTrainer(t, TrainerSettings{Schedule: ExponentialDecay{Gamma: nan}})
		}, []error{ErrSetting}, []string{"ExponentialDecay.Gamma", "got NaN"}},
		{"trainer/CosineAnnealing epochs 0", func(t *testing.T) error {
			return relNewTrainer(t, TrainerSettings{Schedule: CosineAnnealing{}})
		}, []error{ErrSetting}, []string{"CosineAnnealing.Epochs", "got 0"}},
		{"trainer/CosineAnnealing MinLR negative", func(t *testing.T) error {
			return relNewTrainer(t, TrainerSettings{Schedule: &CosineAnnealing{Epochs: 3, MinLR: -1}})
		}, []error{ErrSetting}, []string{"CosineAnnealing.MinLR", "got -1"}},
		{"trainer/nil *StepDecay", func(t *testing.T) error {
			return relNewTrainer(t, TrainerSettings{Schedule: (*StepDecay)(nil)})
		}, []error{ErrSetting}, []string{"TrainerSettings.Schedule"}},
		{"trainer/nil metric", func(t *testing.T) error {
			return relNewTrainer(t, TrainerSettings{Metrics: []Metric{&Accuracy{}, (*MacroAverage)(nil)}})
		}, []error{ErrSetting}, []string{"TrainerSettings.Metrics[1]"}},
		{"trainer/nil hook", func(t *testing.T) error {
			return relNewTrainer(t, TrainerSettings{Hooks: []Hook{&EarlyStopping{}, nil}})
		}, []error{ErrSetting}, []string{"TrainerSettings.Hooks[1]"}},
		{"trainer/nil HookFunc", func(t *testing.T) error {
			return relNewTrainer(t, TrainerSettings{Hooks: []Hook{HookFunc(nil)}})
		}, []error{ErrSetting}, []string{"TrainerSettings.Hooks[0]"}},
		{"trainer/nil model", func(t *testing.T) error {
			_, err := NewTrainer(nil, &CrossEntropy{}, mustSGD(t, relModel(t), SGDSettings{LR: 0.1}), TrainerSettings{})
			return err
		}, []error{ErrSetting}, []string{"NewTrainer: model"}},
		{"trainer/nil *CrossEntropy", func(t *testing.T) error {
			m := relModel(t)
			_, err := NewTrainer(m, (*CrossEntropy)(nil), mustSGD(t, m, SGDSettings{LR: 0.1}), TrainerSettings{})
			return err
		}, []error{ErrSetting}, []string{"NewTrainer: loss is nil"}},
		{"trainer/nil *Adam", func(t *testing.T) error {
			_, err := NewTrainer(relModel(t), &CrossEntropy{}, (*Adam)(nil), TrainerSettings{})
			return err
		}, []error{ErrSetting}, []string{"NewTrainer: optimizer is nil"}},

		// Fit and Evaluate: data that does not fit the model, loss or metrics.
		{"fit/negative epochs", func(t *testing.T) error {
			_, err := relTrainer(t, relModel(t), TrainerSettings{}).Fit(ctx, mustLoader(t, relData(t), LoaderSettings{}), nil, -1)
			return err
		}, []error{ErrSetting}, []string{"epochs must be >= 0, got -1"}},
		{"fit/nil context", func(t *testing.T) error {
			var noCtx context.Context
			_, err := relTrainer(t, relModel(t), TrainerSettings{}).Fit(noCtx, mustLoader(t, relData(t), LoaderSettings{}), nil, 1)
			return err
		}, []error{ErrSetting}, []string{"nil context"}},
		{"fit/nil loader", func(t *testing.T) error {
			_, err := relTrainer(t, relModel(t), TrainerSettings{}).Fit(ctx, nil, nil, 1)
			return err
		}, []error{ErrData}, []string{"training data source is nil"}},
		{"fit/zero DataLoader", func(t *testing.T) error {
			_, err := relTrainer(t, relModel(t), TrainerSettings{}).Fit(ctx, &DataLoader{}, nil, 1)
			return err
		}, []error{ErrData}, []string{"training loader was not made by NewDataLoader"}},
		{"fit/zero Trainer", func(t *testing.T) error {
			_, err := (&Trainer{}).Fit(ctx, mustLoader(t, relData(t), LoaderSettings{}), nil, 1)
			return err
		}, []error{ErrSetting}, []string{"NewTrainer"}},
		{"fit/wrong width", func(t *testing.T) error {
			return relFit(t, testNet(t, 1, 3, 2), &CrossEntropy{}, TrainerSettings{}, relData(t), nil)
		}, []error{ErrData}, []string{"training data has 2 features, the model takes 3"}},
		{"fit/validation of the wrong width", func(t *testing.T) error {
			val, err := NewDataset(mat.NewDense(2, 5, nil), Targets{Labels: []int{0, 1}})
			if err != nil {
				t.Fatal(err)
			}
			return relFit(t, relModel(t), &CrossEntropy{}, TrainerSettings{}, relData(t), val)
		}, []error{ErrData}, []string{"validation data has 5 features, the model takes 2"}},
		{"fit/label out of range", func(t *testing.T) error {
			d := relData(t)
			d.Y.Labels[2] = 5
			return relFit(t, relModel(t), &CrossEntropy{}, TrainerSettings{}, d, nil)
		}, []error{ErrData}, []string{"training label 5 of sample 2 is outside [0, 2)"}},
		{"fit/CrossEntropy with one output", func(t *testing.T) error {
			m, err := NewSequential(NewLinear(2, 1, src), &Sigmoid{})
			if err != nil {
				t.Fatal(err)
			}
			return relFit(t, m, &CrossEntropy{}, TrainerSettings{}, relData(t), nil)
		}, []error{ErrSetting}, []string{"CrossEntropy needs one column per class, but the model has one Sigmoid output", "BinaryCrossEntropy"}},
		{"fit/BinaryCrossEntropy with two outputs", func(t *testing.T) error {
			return relFit(t, relModel(t), &BinaryCrossEntropy{}, TrainerSettings{}, relData(t), nil)
		}, []error{ErrSetting}, []string{"BinaryCrossEntropy needs one output column (the probability of class 1), the model has 2", "CrossEntropy and a final Softmax"}},
		{"fit/labels with MSE", func(t *testing.T) error {
			return relFit(t, relModel(t), &MSE{}, TrainerSettings{}, relData(t), nil)
		}, []error{ErrData}, []string{"training data has class labels, but the loss and metrics read real-valued targets"}},
		{"fit/values with CrossEntropy", func(t *testing.T) error {
			return relFit(t, relModel(t), &CrossEntropy{}, TrainerSettings{}, relRegression(t), nil)
		}, []error{ErrData}, []string{"training data has real-valued targets, but the loss and metrics read class labels"}},
		{"fit/target columns", func(t *testing.T) error {
			return relFit(t, relModel(t), &MSE{}, TrainerSettings{}, relRegression(t), nil)
		}, []error{ErrData}, []string{"training data has 1 target columns, the model has 2 outputs"}},
		{"fit/regression metric on labels", func(t *testing.T) error {
			return relFit(t, relModel(t), &CrossEntropy{}, TrainerSettings{Metrics: []Metric{&RMSE{}}}, relData(t), relData(t))
		}, []error{ErrSetting}, []string{`metric "rmse" reads real values, but the loss or an earlier metric reads class labels`}},
		{"fit/classification metric on values", func(t *testing.T) error {
			return relFit(t, relModel(t), &MSE{}, TrainerSettings{Metrics: []Metric{&Accuracy{}}}, relRegression(t), relRegression(t))
		}, []error{ErrSetting}, []string{`metric "accuracy" reads class labels, but the loss or an earlier metric reads real values`}},
		{"fit/NaN written into the data after the loader was made", func(t *testing.T) error {
			d := relData(t)
			l := mustLoader(t, d, LoaderSettings{BatchSize: 2})
			d.X.Set(3, 1, nan)
			_, err := relTrainer(t, relModel(t), TrainerSettings{}).Fit(ctx, l, nil, 1)
			return err
		}, []error{ErrData}, []string{"training feature value NaN at row 3, column 1"}},
		{"fit/Inf written into the targets after the loader was made", func(t *testing.T) error {
			d := relRegression(t)
			l := mustLoader(t, d, LoaderSettings{BatchSize: 2})
			d.Y.Values.Set(1, 0, inf)
			m, err := NewSequential(NewLinear(2, 1, src))
			if err != nil {
				t.Fatal(err)
			}
			tr, err := NewTrainer(m, &MSE{}, mustSGD(t, m, SGDSettings{LR: 0.1}), TrainerSettings{})
			if err != nil {
				t.Fatal(err)
			}
			_, err = tr.Fit(ctx, l, nil, 1)
			return err
		}, []error{ErrData}, []string{"training target value +Inf at row 1, column 0"}},
		{"fit/layer replaced after NewTrainer", func(t *testing.T) error {
			m := relModel(t)
			tr := relTrainer(t, m, TrainerSettings{})
			if err := m.SetLayer(2, NewLinear(3, 2, src)); err != nil {
				return err
			}
			_, err := tr.Fit(ctx, mustLoader(t, relData(t), LoaderSettings{}), nil, 1)
			return err
		}, []error{ErrSetting}, []string{"layer 2 Linear(3->2) was replaced by Linear(3->2)", "make a new optimizer and Trainer"}},
		{"evaluate/layer replaced after NewTrainer", func(t *testing.T) error {
			m := relModel(t)
			tr := relTrainer(t, m, TrainerSettings{})
			if err := m.SetLayer(1, &Tanh{}); err != nil {
				return err
			}
			_, err := tr.Evaluate(ctx, mustLoader(t, relData(t), LoaderSettings{}))
			return err
		}, []error{ErrSetting}, []string{"layer 1 ReLU was replaced by Tanh"}},
		{"fit/CrossEntropy smoothing 1", func(t *testing.T) error {
			return relFit(t, relModel(t), &CrossEntropy{Smoothing: 1}, TrainerSettings{}, relData(t), nil)
		}, []error{ErrSetting}, []string{"CrossEntropy.Smoothing 1"}},
		{"fit/CrossEntropy weights of another class count", func(t *testing.T) error {
			return relFit(t, relModel(t), &CrossEntropy{Weights: []float64{1, 1, 1}}, TrainerSettings{}, relData(t), nil)
		}, []error{ErrSetting}, []string{"CrossEntropy.Weights has 3 class weights for a model with 2 outputs"}},
		{"fit/CrossEntropy weight NaN", func(t *testing.T) error {
			return relFit(t, relModel(t), &CrossEntropy{Weights: []float64{1, nan}}, TrainerSettings{}, relData(t), nil)
		}, []error{ErrSetting}, []string{"weight NaN of class 1"}},
		{"fit/schedule gives NaN", func(t *testing.T) error {
			return relFit(t, relModel(t), &CrossEntropy{}, TrainerSettings{Schedule: relRate(nan)}, relData(t), nil)
		}, []error{ErrSetting}, []string{"learning rate NaN for epoch 0"}},
		{"fit/schedule gives a negative rate", func(t *testing.T) error {
			return relFit(t, relModel(t), &CrossEntropy{}, TrainerSettings{Schedule: relRate(-1)}, relData(t), nil)
		}, []error{ErrSetting}, []string{"learning rate -1 for epoch 0"}},
		{"fit/EarlyStopping on a missing metric", func(t *testing.T) error {
			s := TrainerSettings{Metrics: []Metric{&Accuracy{}}, Hooks: []Hook{&EarlyStopping{Monitor: "val_f1"}}}
			return relFit(t, relModel(t), &CrossEntropy{}, s, relData(t), relData(t))
		}, []error{ErrSetting}, []string{`EarlyStopping monitors "val_f1"`}},
		{"fit/EarlyStopping on val_loss without validation", func(t *testing.T) error {
			return relFit(t, relModel(t), &CrossEntropy{}, TrainerSettings{Hooks: []Hook{&EarlyStopping{}}}, relData(t), nil)
		}, []error{ErrSetting}, []string{`EarlyStopping monitors "val_loss", which the history does not record`}},
		{"fit/EarlyStopping reused on a larger model", func(t *testing.T) error {
			es := &EarlyStopping{Monitor: "loss", RestoreBest: true}
			if err := relFit(t, testNet(t, 1, 2, 2), &CrossEntropy{}, TrainerSettings{Hooks: []Hook{es}}, relData(t), nil); err != nil {
				t.Fatal(err)
			}
			return relFit(t, relModel(t), &CrossEntropy{}, TrainerSettings{Hooks: []Hook{es}}, relData(t), nil)
		}, []error{ErrSetting}, []string{"EarlyStopping holds the best weights of a model of another shape"}},
		{"evaluate/wrong width", func(t *testing.T) error {
			d, err := NewDataset(mat.NewDense(2, 5, nil), Targets{Labels: []int{0, 1}})
			if err != nil {
				t.Fatal(err)
			}
			_, err = relTrainer(t, relModel(t), TrainerSettings{}).Evaluate(context.Background(), mustLoader(t, d, LoaderSettings{}))
			return err
		}, []error{ErrData}, []string{"evaluation data has 5 features, the model takes 2"}},
		{"evaluate/nil loader", func(t *testing.T) error {
			_, err := relTrainer(t, relModel(t), TrainerSettings{}).Evaluate(context.Background(), nil)
			return err
		}, []error{ErrData}, []string{"evaluation data source is nil"}},
		{"evaluate/zero Trainer", func(t *testing.T) error {
			_, err := (&Trainer{}).Evaluate(context.Background(), mustLoader(t, relData(t), LoaderSettings{}))
			return err
		}, []error{ErrSetting}, []string{"Evaluate"}},

		// Load: the place is the layer and the byte offset.
		{"load/garbage", func(*testing.T) error { return relLoad([]byte("garbage, not a model")) },
			[]error{ErrFormat}, []string{"bad magic", "byte 0"}},
		{"load/empty", func(*testing.T) error { return relLoad(nil) },
			[]error{ErrFormat}, []string{"empty input"}},
		{"load/nil reader", func(*testing.T) error { _, err := Load(nil); return err },
			[]error{ErrFormat}, []string{"nil io.Reader"}},
		{"load/truncated in the weights", func(t *testing.T) error { return relLoad(relSaved(t)[:40]) },
			[]error{ErrFormat}, []string{"unexpected end of file in layer 0 Linear(2->3) weight W[0,1]", "byte 40"}},
		{"load/flipped weight bit", func(t *testing.T) error {
			b := relSaved(t)
			b[30] ^= 1
			return relLoad(b)
		}, []error{ErrFormat}, []string{"checksum mismatch at byte"}},
		{"load/trailing bytes", func(t *testing.T) error { return relLoad(append(relSaved(t), 0)) },
			[]error{ErrFormat}, []string{"trailing bytes"}},
		{"load/version 2", func(*testing.T) error { return relLoad(relModelFile(2, 1, []byte{kindReLU})) },
			[]error{ErrFormat}, []string{"version 2"}},
		{"load/unknown layer kind", func(*testing.T) error { return relLoad(relModelFile(1, 1, []byte{99})) },
			[]error{ErrFormat}, []string{"layer 0: unknown layer kind 99 at byte 16"}},
		{"load/claims 2^25 weights and ends", func(*testing.T) error {
			return relLoad(relModelFile(1, 1, relLinearHeader(1<<12, 1<<13), make([]byte, 64)))
		}, []error{ErrFormat}, []string{"unexpected end of file in layer 0 Linear(4096->8192)"}},
		{"load/claims more weights than the cap", func(*testing.T) error {
			return relLoad(relModelFile(1, 1, relLinearHeader(1<<16, 1<<16)))
		}, []error{ErrFormat}, []string{"layer 0 Linear: claims 65536x65536 weights at byte 17"}},
		{"load/claims 4 billion layers", func(*testing.T) error { return relLoad(relModelFile(1, math.MaxUint32)) },
			[]error{ErrFormat}, []string{"4294967295 layers at byte 12"}},
		{"load/widths do not chain", func(*testing.T) error {
			le := binary.LittleEndian
			one := func(in, out uint32) []byte {
				b := relLinearHeader(in, out)
				for range in*out + out {
					b = le.AppendUint64(b, math.Float64bits(0.5))
				}
				return b
			}
			return relLoad(relModelFile(1, 2, one(2, 3), one(4, 1)))
		}, []error{ErrFormat}, []string{"layer 1 Linear(4->1) takes 4 inputs but follows layer 0"}},

		// Metrics that take user slices.
		{"confusion/2^31 classes", func(*testing.T) error { _, err := NewConfusionMatrix([]int{0}, []int{1 << 31}, nil); return err },
			[]error{ErrData}, []string{"label 2147483648 of sample 0"}},
		{"confusion/label out of range", func(*testing.T) error {
			_, err := NewConfusionMatrix([]int{0}, []int{3}, []string{"a", "b"})
			return err
		}, []error{ErrData}, []string{"label 3 of sample 0"}},
		{"accuracy score/lengths differ", func(*testing.T) error { _, err := AccuracyScore([]int{0, 1}, []int{0}); return err },
			[]error{ErrData}, []string{"2 predictions for 1 labels"}},
	}
	if len(cases) < 30 {
		t.Fatalf("only %d bad inputs", len(cases))
	}
	names := make(map[string]bool)
	for _, tc := range cases {
		if names[tc.name] {
			t.Fatalf("two cases named %q", tc.name)
		}
		names[tc.name] = true
		t.Run(tc.name, func(t *testing.T) {
			err := callNoPanic(t, func() error { return tc.call(t) })
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range tc.want {
				if !errors.Is(err, w) {
					t.Errorf("error %q does not match %q", err, w)
				}
			}
			for _, s := range tc.where {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("error %q does not say %q", err, s)
				}
			}
			if !strings.HasPrefix(err.Error(), "mlp: ") {
				t.Errorf("error %q does not start with \"mlp: \"", err)
			}
		})
	}
	t.Logf("%d bad inputs", len(cases))
}

// TestBadInputsAccepted checks inputs that look wrong but are valid: they
// must neither panic nor fail.
func TestBadInputsAccepted(t *testing.T) {
	src := rand.NewPCG(7, 8)
	for _, tc := range []struct {
		name string
		call func(t *testing.T) error
	}{
		{"loader batch size 0 means 32", func(t *testing.T) error {
			l, err := NewDataLoader(relData(t), LoaderSettings{})
			if err == nil && l.NumBatches() != 1 {
				err = fmt.Errorf("%d batches of 4 samples, want 1", l.NumBatches())
			}
			return err
		}},
		{"stratified split of a literal with Classes 0", func(*testing.T) error {
			d := &Dataset{X: mat.NewDense(4, 1, []float64{1, 2, 3, 4}), Y: Targets{Labels: []int{0, 1, 0, 1}}}
			_, _, err := Split(d, SplitSettings{ValFraction: 0.5, Stratify: true, Src: src})
			return err
		}},
		{"stratified split with label 2^31-1", func(*testing.T) error {
			d, err := NewDataset(mat.NewDense(4, 1, []float64{1, 2, 3, 4}), Targets{Labels: []int{0, 0, 2147483647, 2147483647}})
			if err != nil {
				return err
			}
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			_, _, err = Split(d, SplitSettings{ValFraction: 0.5, Stratify: true, Src: src})
			runtime.ReadMemStats(&after)
			if n := after.TotalAlloc - before.TotalAlloc; err == nil && n > 1<<20 {
				err = fmt.Errorf("split of 4 samples allocated %d bytes", n)
			}
			return err
		}},
		{"epochs 0", func(t *testing.T) error {
			h, err := relTrainer(t, relModel(t), TrainerSettings{}).Fit(context.Background(), mustLoader(t, relData(t), LoaderSettings{}), nil, 0)
			if err == nil && len(h.Epochs) != 0 {
				err = fmt.Errorf("%d epochs in the history", len(h.Epochs))
			}
			return err
		}},
		{"CosineAnnealing to zero", func(t *testing.T) error {
			s := TrainerSettings{Schedule: CosineAnnealing{Epochs: 1}}
			return relFit(t, relModel(t), &CrossEntropy{}, s, relData(t), nil)
		}},
		{"load of a huge claim allocates little", func(*testing.T) error {
			file := relModelFile(1, 1, relLinearHeader(1<<13, 1<<13), make([]byte, 100))
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			err := relLoad(file)
			runtime.ReadMemStats(&after)
			if n := after.TotalAlloc - before.TotalAlloc; n > 1<<20 {
				return fmt.Errorf("Load of %d bytes claiming 2^26 weights allocated %d bytes", len(file), n)
			}
			if !errors.Is(err, ErrFormat) {
				return fmt.Errorf("Load: %v, want ErrFormat", err)
			}
			return nil
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if err := callNoPanic(t, func() error { return tc.call(t) }); err != nil {
				t.Error(err)
			}
		})
	}
}

// relOptimizers are the optimizers every training guarantee is checked for.
var relOptimizers = []struct {
	name string
	make func(ps []Param, lr float64) (Optimizer, error)
	// divergentLR is a learning rate that makes training blow up.
	divergentLR float64
}{
	{"SGD", func(ps []Param, lr float64) (Optimizer, error) { return NewSGD(ps, SGDSettings{LR: lr}) }, 1e155},
	{"SGD+momentum", func(ps []Param, lr float64) (Optimizer, error) {
		return NewSGD(ps, SGDSettings{LR: lr, Momentum: 0.9})
	}, 1e155},
	{"Nesterov", func(ps []Param, lr float64) (Optimizer, error) {
		return NewSGD(ps, SGDSettings{LR: lr, Momentum: 0.9, Nesterov: true})
	}, 1e155},
	// Adam's step is about lr whatever the gradient, so only a learning
	// rate near the float64 range makes it overflow.
	{"Adam", func(ps []Param, lr float64) (Optimizer, error) { return NewAdam(ps, AdamSettings{LR: lr}) }, 1e300},
	{"AdamW", func(ps []Param, lr float64) (Optimizer, error) {
		return NewAdamW(ps, AdamSettings{LR: lr, WeightDecay: 0.01})
	}, 1e300},
}

// TestDivergenceEveryOptimizer trains with settings that blow up and
// checks, for every optimizer, that Fit stops with a *DivergenceError naming
// epoch and batch and what became non-finite, that the history holds the
// epochs completed before, and that the model holds the weights of the last
// finite step, as recorded after each step by a wrapping optimizer. Each
// optimizer is driven into a non-finite loss after finite steps, and those
// that can be into an update that overflows, which Fit rolls back.
func TestDivergenceEveryOptimizer(t *testing.T) {
	const batches = 6 // 60 samples in batches of 10
	type maker func(ps []Param, lr float64) (Optimizer, error)
	sgd := func(s SGDSettings) maker {
		return func(ps []Param, lr float64) (Optimizer, error) { s.LR = lr; return NewSGD(ps, s) }
	}
	adam := func(s AdamSettings, decoupled bool) maker {
		return func(ps []Param, lr float64) (Optimizer, error) {
			s.LR = lr
			if decoupled {
				return NewAdamW(ps, s)
			}
			return NewAdam(ps, s)
		}
	}
	for _, tc := range []struct {
		name  string
		make  maker
		lr    float64
		scale float64 // applied to the features
		what  string  // the start of DivergenceError.What
	}{
		{"SGD/loss", sgd(SGDSettings{}), 1e155, 1, "loss"},
		{"SGD/overflowing update", sgd(SGDSettings{}), 1e155, 1e200, "weights"},
		{"SGD+momentum/loss", sgd(SGDSettings{Momentum: 0.9}), 1e155, 1, "loss"},
		{"SGD+momentum/overflowing update", sgd(SGDSettings{Momentum: 0.9}), 1e155, 1e200, "weights"},
		{"Nesterov/loss", sgd(SGDSettings{Momentum: 0.9, Nesterov: true}), 1e155, 1, "loss"},
		{"Nesterov/overflowing update", sgd(SGDSettings{Momentum: 0.9, Nesterov: true}), 1e155, 1e200, "weights"},
		// Adam's step is about lr whatever the gradient, so only a
		// learning rate near the top of the float64 range blows it up.
		{"Adam/loss", adam(AdamSettings{}, false), 1e300, 1, "loss"},
		{"Adam/loss at 1e200", adam(AdamSettings{}, false), 1e200, 1, "loss"},
		{"AdamW/loss", adam(AdamSettings{WeightDecay: 0.01}, true), 1e300, 1, "loss"},
		// lr·WeightDecay = 1e310 overflows the decoupled decay factor.
		{"AdamW/overflowing decay", adam(AdamSettings{WeightDecay: 1e10}, true), 1e300, 1, "weights"},
		// Rates that take some epochs to blow up.
		{"SGD/after epochs", sgd(SGDSettings{}), 1e4, 1, "loss"},
		{"SGD+momentum/after epochs", sgd(SGDSettings{Momentum: 0.9}), 1e4, 1, "loss"},
		{"Nesterov/after epochs", sgd(SGDSettings{Momentum: 0.9, Nesterov: true}), 1e4, 1, "loss"},
		{"AdamW/after epochs", adam(AdamSettings{WeightDecay: 0.01}, true), 1e6, 1, "loss"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := blobs(60, 4, 3, 11)
			d.X.Scale(tc.scale, d.X)
			m := testNet(t, 11, 4, 8, 3)
			inner, err := tc.make(m.Params(), tc.lr)
			if err != nil {
				t.Fatal(err)
			}
			opt := &countingOptimizer{Optimizer: inner, params: m.Params()}
			tr, err := NewTrainer(m, &CrossEntropy{}, opt, TrainerSettings{})
			if err != nil {
				t.Fatal(err)
			}
			initial := snapshot(m.Params())
			l := mustLoader(t, d, LoaderSettings{BatchSize: 10, Shuffle: true, Src: rand.NewPCG(11, 3)})
			h, err := callNoPanicHistory(t, func() (*History, error) { return tr.Fit(context.Background(), l, nil, 50) })
			var de *DivergenceError
			if !errors.As(err, &de) || !errors.Is(err, ErrDiverged) {
				t.Fatalf("error %v, want a *DivergenceError", err)
			}
			t.Logf("diverged at epoch %d, batch %d after %d steps: %s", de.Epoch, de.Batch, opt.steps, de.What)
			if !strings.HasPrefix(de.What, tc.what) {
				t.Errorf("%s became non-finite, want %s", de.What, tc.what)
			}
			if want := fmt.Sprintf("epoch %d, batch %d: %s is not finite", de.Epoch, de.Batch, de.What); !strings.Contains(err.Error(), want) {
				t.Errorf("message %q does not say %q", err, want)
			}
			if len(h.Epochs) != de.Epoch {
				t.Errorf("history has %d epochs, want the %d completed before the divergence", len(h.Epochs), de.Epoch)
			}
			// The failing step was taken only when the weights it left
			// were what became non-finite; Fit then rolled it back.
			rolledBack := strings.HasPrefix(de.What, "weights")
			wantSteps := de.Epoch*batches + de.Batch
			if rolledBack {
				wantSteps++
			}
			if opt.steps != wantSteps {
				t.Errorf("%d optimizer steps, want %d for divergence at epoch %d, batch %d (%s)", opt.steps, wantSteps, de.Epoch, de.Batch, de.What)
			}
			kept := opt.steps
			if rolledBack {
				kept--
				if last := opt.all[len(opt.all)-1]; allFiniteWeights(last) {
					t.Fatal("the step Fit rolled back left finite weights")
				}
			} else if kept < 1 {
				t.Fatalf("the loss diverged before any step; the test needs a finite step to keep")
			}
			want := append([][][]float64{initial}, opt.all...)[kept]
			if !allFiniteWeights(want) {
				t.Fatalf("step %d, the one the model should hold, is not finite", kept)
			}
			if !sameWeights(snapshot(m.Params()), want) {
				t.Errorf("the model does not hold the weights after step %d, the last finite one", kept)
			}
		})
	}
}

func allFiniteWeights(ws [][]float64) bool {
	for _, w := range ws {
		if !allFinite(w) {
			return false
		}
	}
	return true
}

// callNoPanicHistory is callNoPanic for Fit.
func callNoPanicHistory(t *testing.T, f func() (*History, error)) (h *History, err error) {
	t.Helper()
	defer func() {
		if r := recover(); r != nil {
			t.Fatalf("panicked instead of returning an error: %v", r)
		}
	}()
	return f()
}

// TestCancelMidEpochEveryOptimizer cancels the context in the middle of the
// second epoch, after a given step, and checks for every optimizer that Fit
// returns context.Canceled with the history of the one completed epoch and
// the model at the last completed step.
func TestCancelMidEpochEveryOptimizer(t *testing.T) {
	const (
		batches     = 6 // 60 samples in batches of 10
		cancelAfter = batches + 2
	)
	for _, o := range relOptimizers {
		t.Run(o.name, func(t *testing.T) {
			run := func(ctx context.Context, cancel func()) (*History, *countingOptimizer, *Sequential, error) {
				m := testNet(t, 12, 4, 8, 3)
				inner, err := o.make(m.Params(), 0.01)
				if err != nil {
					t.Fatal(err)
				}
				opt := &countingOptimizer{Optimizer: inner, params: m.Params()}
				if cancel != nil {
					opt.onStep = func(step int) {
						if step == cancelAfter {
							cancel()
						}
					}
				}
				tr, err := NewTrainer(m, &CrossEntropy{}, opt, TrainerSettings{Metrics: []Metric{&Accuracy{}}})
				if err != nil {
					t.Fatal(err)
				}
				d := blobs(60, 4, 3, 12)
				train := mustLoader(t, d, LoaderSettings{BatchSize: 10, Shuffle: true, Src: rand.NewPCG(12, 3)})
				val := mustLoader(t, d, LoaderSettings{BatchSize: 25})
				h, err := callNoPanicHistory(t, func() (*History, error) { return tr.Fit(ctx, train, val, 5) })
				return h, opt, m, err
			}
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			h, opt, m, err := run(ctx, cancel)
			if !errors.Is(err, context.Canceled) {
				t.Fatalf("error %v, want context.Canceled", err)
			}
			if opt.steps != cancelAfter {
				t.Errorf("%d steps, want %d: training went on after the cancellation", opt.steps, cancelAfter)
			}
			if !sameWeights(snapshot(m.Params()), opt.after) {
				t.Error("the model does not hold the weights of the last completed step")
			}
			if len(h.Epochs) != 1 {
				t.Fatalf("history has %d epochs, want the 1 completed", len(h.Epochs))
			}
			// The completed epoch is the one an uninterrupted run records.
			ref, refOpt, _, err := run(context.Background(), nil)
			if err != nil {
				t.Fatal(err)
			}
			if got, want := h.Epochs[0], ref.Epochs[0]; got.Loss != want.Loss || got.ValLoss != want.ValLoss || got.ValMetrics[0] != want.ValMetrics[0] {
				t.Errorf("epoch 0 of the cancelled run %+v, uninterrupted %+v", got, want)
			}
			if !sameWeights(opt.after, refOpt.all[cancelAfter-1]) {
				t.Errorf("weights after step %d differ from the uninterrupted run's", cancelAfter)
			}
			if m.Training() {
				t.Error("Fit left the model in training mode")
			}
		})
	}
}

// TestCancelBeforeFit checks that a context cancelled before Fit stops it
// before the first step, with an empty history and unchanged weights.
func TestCancelBeforeFit(t *testing.T) {
	m := relModel(t)
	before := snapshot(m.Params())
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	h, err := callNoPanicHistory(t, func() (*History, error) {
		return relTrainer(t, m, TrainerSettings{}).Fit(ctx, mustLoader(t, relData(t), LoaderSettings{}), nil, 3)
	})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("error %v, want context.Canceled", err)
	}
	if len(h.Epochs) != 0 {
		t.Errorf("history has %d epochs, want none", len(h.Epochs))
	}
	if !sameWeights(before, snapshot(m.Params())) {
		t.Error("weights changed")
	}
}

// hostileCase is one input of TestHostileInputs: check returns nil when the
// library handles the input as it promises (a clear error, or the right
// number), and says what went wrong otherwise.
type hostileCase struct {
	category, name string
	check          func(t *testing.T) error
}

// wantErr returns nil if err wraps every one of sentinels and says every
// one of says, and an error describing the difference otherwise.
func wantErr(err error, sentinels []error, says ...string) error {
	if err == nil {
		return errors.New("no error")
	}
	for _, s := range sentinels {
		if !errors.Is(err, s) {
			return fmt.Errorf("error %q does not wrap %v", err, s)
		}
	}
	for _, s := range says {
		if !strings.Contains(err.Error(), s) {
			return fmt.Errorf("error %q does not say %q", err, s)
		}
	}
	return nil
}

// hostileCases are the bounded-resource, silent-NaN and crash cases of
// the model file, StandardScaler, ReLU and ModelLimits, in the categories
// of TestHostileInputs.
func hostileCases() []hostileCase {
	const (
		memory = "memory and time bounded by the input"
		wrong  = "no silent wrong numbers"
		crash  = "no crash where an error is promised"
	)
	reluFile := func(in, w, n, out uint32) []byte {
		body := [][]byte{linearBytes(in, w, make([]float64, in*w+w)...)}
		for range n {
			body = append(body, []byte{kindReLU})
		}
		return modelFile(1, n+2, append(body, linearBytes(w, out, make([]float64, w*out+out)...))...)
	}
	scaler := func(mean, std float64) error {
		_, err := (&StandardScaler{Mean: []float64{0, mean}, Std: []float64{1, std}}).Transform(mat.NewDense(1, 2, nil))
		return err
	}
	fitted := func(col []float64, mean, std float64) error {
		s := FitStandardScaler(mat.NewDense(len(col), 1, col))
		if !(math.Abs(s.Mean[0]-mean) <= 1e-14*math.Abs(mean)) || !(math.Abs(s.Std[0]-std) <= 1e-14*math.Abs(std)) {
			return fmt.Errorf("Mean, Std = %v, %v, want %v, %v (relative tolerance 1e-14)", s.Mean[0], s.Std[0], mean, std)
		}
		return nil
	}
	var nilBuf *bytes.Buffer
	var nilReader *bytes.Reader
	return []hostileCase{
		{memory, "load/1.5 MB file whose prediction of 64 rows needs 6.7 GB", func(*testing.T) error {
			_, err := Load(bytes.NewReader(reluFile(1, 65536, 200, 1)))
			return wantErr(err, []error{ErrFormat, ErrTooLarge}, "activation floats per input row")
		}},
		{memory, "load/65536 one-byte layers", func(*testing.T) error {
			body := [][]byte{linearBytes(2, 2, make([]float64, 6)...)}
			for len(body) < 1<<16 {
				body = append(body, []byte{kindReLU})
			}
			_, err := Load(bytes.NewReader(modelFile(1, 1<<16, body...)))
			return wantErr(err, []error{ErrFormat, ErrTooLarge}, "65536 layers")
		}},
		{memory, "load/a layer 65537 wide", func(*testing.T) error {
			_, err := Load(bytes.NewReader(modelFile(1, 1, linearBytes(65537, 1, make([]float64, 65538)...))))
			return wantErr(err, []error{ErrFormat, ErrTooLarge}, "65537 wide")
		}},
		{memory, "load/reader returning (0, nil) forever", func(*testing.T) error {
			_, err := Load(zeroReader{})
			return wantErr(err, []error{io.ErrNoProgress})
		}},
		{memory, "save/writer reporting a short write with a nil error", func(t *testing.T) error {
			return wantErr(relModel(t).Save(shortWriter{}), []error{io.ErrShortWrite}, "wrote 10 of")
		}},
		{memory, "checkmodelsize/-hidden 8192 x 8", func(*testing.T) error {
			return wantErr(ModelLimits{}.CheckWidths([]int{30, 8192, 8192, 8192, 8192, 8192, 8192, 8192, 8192, 2}),
				[]error{ErrTooLarge}, "parameters")
		}},
		{memory, "checkmodelsize/-hidden 16777216", func(*testing.T) error {
			return wantErr(ModelLimits{}.CheckWidths([]int{30, 16777216, 2}), []error{ErrTooLarge}, "16777216 wide")
		}},
		{wrong, "scaler/fit {1e155, 2e155, 3e155}", func(*testing.T) error {
			return fitted([]float64{1e155, 2e155, 3e155}, 2e155, math.Sqrt(2.0/3)*1e155)
		}},
		{wrong, "scaler/fit {1e308, 1e308, 9e307}", func(*testing.T) error {
			return fitted([]float64{1e308, 1e308, 9e307}, 29e307/3, math.Sqrt(2.0/9)*1e307)
		}},
		{wrong, "scaler/fit {-MaxFloat64, MaxFloat64}", func(*testing.T) error {
			return fitted([]float64{-math.MaxFloat64, math.MaxFloat64}, 0, math.MaxFloat64)
		}},
		{wrong, "scaler/fit {1e-160, 3e-160}", func(*testing.T) error {
			return fitted([]float64{1e-160, 3e-160}, 2e-160, 1e-160)
		}},
		{wrong, "scaler/transform with a NaN mean", func(*testing.T) error {
			return wantErr(scaler(math.NaN(), 1), []error{ErrSetting}, "Mean[1] = NaN")
		}},
		{wrong, "scaler/transform with an Inf mean", func(*testing.T) error {
			return wantErr(scaler(math.Inf(-1), 1), []error{ErrSetting}, "Mean[1] = -Inf")
		}},
		{wrong, "scaler/transform with a subnormal std", func(*testing.T) error {
			return wantErr(scaler(0, 5e-324), []error{ErrSetting}, "Std[1] = 5e-324")
		}},
		{wrong, "scaler/transform with a negative std", func(*testing.T) error {
			return wantErr(scaler(0, -2), []error{ErrSetting}, "Std[1] = -2")
		}},
		{wrong, "scaler/transform of a value that overflows", func(*testing.T) error {
			_, err := (&StandardScaler{Mean: []float64{-1e308}, Std: []float64{1e-300}}).Transform(mat.NewDense(1, 1, []float64{1e308}))
			return wantErr(err, []error{ErrData}, "row 0, column 0")
		}},
		{wrong, "relu/NaN in gives NaN out", func(*testing.T) error {
			y := (&ReLU{}).Forward(mat.NewDense(1, 3, []float64{math.NaN(), -1, 2}))
			if !math.IsNaN(y.At(0, 0)) || y.At(0, 1) != 0 || y.At(0, 2) != 2 {
				return fmt.Errorf("ReLU(NaN, -1, 2) = %v, want NaN, 0, 2", mat.Row(nil, 0, y))
			}
			return nil
		}},
		{wrong, "every layer/NaN in gives NaN out", func(*testing.T) error {
			d, err := NewDropout(0.5, rand.NewPCG(1, 2))
			if err != nil {
				return err
			}
			for _, l := range []Layer{NewLinear(3, 3, rand.NewPCG(1, 2)), &ReLU{}, &LeakyReLU{}, &Sigmoid{}, &Tanh{}, &GELU{}, &Softmax{}, d} {
				if y := l.Forward(mat.NewDense(1, 3, []float64{math.NaN(), 1, -1})); !math.IsNaN(y.At(0, 0)) {
					return fmt.Errorf("%v maps NaN to %v", l, y.At(0, 0))
				}
			}
			return nil
		}},
		{wrong, "relu/gradient passes at NaN", func(*testing.T) error {
			r := &ReLU{}
			r.Forward(mat.NewDense(1, 2, []float64{math.NaN(), -1}))
			g := r.Backward(mat.NewDense(1, 2, []float64{3, 4}))
			if g.At(0, 0) != 3 || g.At(0, 1) != 0 {
				return fmt.Errorf("gradient %v, want 3, 0 (PyTorch's threshold_backward)", mat.Row(nil, 0, g))
			}
			return nil
		}},
		{wrong, "fit/NaN written into the validation data mid-fit", func(t *testing.T) error {
			m := relModel(t)
			val := relData(t)
			tr := relTrainer(t, m, TrainerSettings{Hooks: []Hook{HookFunc(func(EpochEnd) (bool, error) {
				val.X.Set(1, 0, math.NaN())
				return false, nil
			})}})
			_, err := tr.Fit(context.Background(), mustLoader(t, relData(t), LoaderSettings{BatchSize: 2}),
				mustLoader(t, val, LoaderSettings{BatchSize: 2}), 3)
			return wantErr(err, []error{ErrData}, "epoch 1", "NaN")
		}},
		{crash, "save/nil writer", func(t *testing.T) error {
			return wantErr(callNoPanicErr(func() error { return relModel(t).Save(nil) }), []error{ErrSetting}, "nil io.Writer")
		}},
		{crash, "save/typed nil writer", func(t *testing.T) error {
			return wantErr(callNoPanicErr(func() error { return relModel(t).Save(nilBuf) }), []error{ErrSetting}, "nil io.Writer")
		}},
		{crash, "load/typed nil reader", func(*testing.T) error {
			return wantErr(callNoPanicErr(func() error { _, err := Load(nilReader); return err }), []error{ErrFormat}, "nil io.Reader")
		}},
		{crash, "scaler/nil StandardScaler", func(*testing.T) error {
			return wantErr(callNoPanicErr(func() error {
				_, err := (*StandardScaler)(nil).Transform(mat.NewDense(1, 1, nil))
				return err
			}), []error{ErrSetting}, "scaler is nil")
		}},
		{crash, "checkmodelsize/widths of MaxInt", func(*testing.T) error {
			return wantErr(callNoPanicErr(func() error { return ModelLimits{}.CheckWidths([]int{math.MaxInt, math.MaxInt}) }),
				[]error{ErrTooLarge})
		}},
	}
}

// zeroReader returns (0, nil) from every Read.
type zeroReader struct{}

func (zeroReader) Read([]byte) (int, error) { return 0, nil }

// shortWriter reports writing 10 bytes, with no error, whatever it is given.
type shortWriter struct{}

func (shortWriter) Write(p []byte) (int, error) { return min(len(p), 10), nil }

// callNoPanicErr runs f and returns its error, or the panic it raised as an
// error.
func callNoPanicErr(f func() error) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("panicked: %v", r)
		}
	}()
	return f()
}

// TestHostileInputs runs hostileCases, each with a time limit of 20 s (a
// Load that spins or a Save that hangs fails instead of stopping the
// tests), and logs how many of each category held.
func TestHostileInputs(t *testing.T) {
	type tally struct{ tried, held int }
	counts := map[string]*tally{}
	var order []string
	for _, tc := range hostileCases() {
		if counts[tc.category] == nil {
			counts[tc.category] = &tally{}
			order = append(order, tc.category)
		}
		c := counts[tc.category]
		c.tried++
		t.Run(tc.name, func(t *testing.T) {
			done := make(chan error, 1)
			go func() { done <- callNoPanicErr(func() error { return tc.check(t) }) }()
			select {
			case err := <-done:
				if err != nil {
					t.Fatal(err)
				}
				c.held++
			case <-time.After(20 * time.Second):
				t.Fatal("did not return within 20 s")
			}
		})
	}
	for _, cat := range order {
		c := counts[cat]
		t.Logf("%s: %d tried, %d held, %d failed", cat, c.tried, c.held, c.tried-c.held)
	}
}
