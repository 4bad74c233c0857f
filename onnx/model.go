package onnx

import (
	"fmt"
	"math"
	"strconv"

	"gonum.org/v1/gonum/mat"

	"github.com/mlpkit/mlp"
	"github.com/mlpkit/mlp/internal/guard"
	"github.com/mlpkit/mlp/tabular"
)

// Task names, the values of the mlp.task metadata entry.
const (
	Classification = "classification"
	Regression     = "regression"
)

// Keys of the metadata_props entries Export writes and Import reads. Each
// list is a JSON array of strings.
const (
	MetaColumns = "mlp.columns"
	MetaClasses = "mlp.classes"
	MetaTask    = "mlp.task"
	MetaTargets = "mlp.targets"
)

// Preprocess is the per-column preprocessing that runs in front of the net,
// in this order: missing values are imputed, then columns are scaled,
//
//	x_j ← Impute[j]            where x_j is NaN and Impute[j] is not NaN
//	x_j ← (x_j − Mean[j]) / Std[j]
//
// Export writes it as ONNX operators in front of the net (IsNaN and Where,
// then Sub and Div), and Import reads those operators back into it. A data
// pipeline fills it from what it learnt on its training data.
//
// Every non-nil slice has one entry per input column of the net.
type Preprocess struct {
	// Columns names the input columns. Nil means x0, x1, ….
	Columns []string

	// Impute is the value that replaces a missing (NaN) input in each
	// column, NaN for a column that is not imputed. Nil means no
	// imputation.
	Impute []float64

	// Mean and Std scale each column to (x − Mean)/Std. Nil Mean means 0,
	// nil Std means 1; both nil means no scaling. Entries must be finite,
	// and Std's nonzero.
	Mean, Std []float64

	// Categorical names the input columns that are categorical, one-hot
	// encoded by a data pipeline before the net. ONNX's ai.onnx domain
	// has no operator for that encoding here, so Export refuses a model
	// with categorical columns with an error naming them. Import never
	// sets it.
	Categorical []string
}

// Postprocess maps the outputs of a regression net back to the units of
// its targets, undoing the standardization the net was trained on:
//
//	y_j ← y_j · Std[j] + Mean[j]
//
// Export writes it as Mul and Add after the net, and Import reads those
// back into it. Every non-nil slice has one entry per output column; nil
// Std means 1, nil Mean 0. Entries must be finite, Std's nonzero.
type Postprocess struct {
	Mean, Std []float64
}

// Model is a net with what is needed to serve it: the names of its input
// columns and of its classes, its task, the preprocessing in front of it
// and, for a regressor, the scaling of its outputs. Export writes one;
// Import reads one.
type Model struct {
	// Net is the feedforward net.
	Net *mlp.Sequential

	// Preprocess runs in front of the net.
	Preprocess Preprocess

	// Postprocess runs after the net; only a regressor may have one.
	Postprocess Postprocess

	// Classes names the classes of a classifier, one per output column,
	// or two (negative and positive) for a net with one Sigmoid output.
	// Nil means "0", "1", ….
	Classes []string

	// Targets names what the net predicts: one name for a classifier (its
	// label column), one per output column for a regressor. Nil means
	// DefaultTargets: "y", or "y0", "y1", … for several outputs.
	Targets []string

	// Task is Classification or Regression. Empty means Classification
	// for a net ending in Softmax over several columns or Sigmoid over
	// one, and Regression otherwise.
	Task string

	// InputName and OutputName name the graph's input and output. Empty
	// means "input" and "output".
	InputName, OutputName string

	// Appended is set by Import: "Softmax" or "Sigmoid" when Import
	// appended that layer to a net that ended without one because classes
	// were given, empty otherwise.
	Appended string

	// Producer is set by Import: the producer_name and producer_version of
	// the file, for example "pytorch 1.13.0".
	Producer string
}

// DefaultClasses returns the class names of a classifier with k output
// columns when none are given: "0", …, "k-1", and "0", "1" for k = 1 (one
// Sigmoid output: negative and positive).
func DefaultClasses(k int) []string {
	if k == 1 {
		k = 2
	}
	c := make([]string, k)
	for i := range c {
		c[i] = strconv.Itoa(i)
	}
	return c
}

// DefaultTargets returns the target names of a model with n targets when
// none are given: tabular.DefaultTargetNames(n), "y" for one and "y0", …,
// "y<n-1>" for several, as scikit-learn and pandas name an unnamed target.
func DefaultTargets(n int) []string { return tabular.DefaultTargetNames(n) }

// targetCount returns the number of target names of a model of the task
// whose net has k outputs: 1 for a classifier, k for a regressor.
func targetCount(task string, k int) int {
	if task == Classification {
		return 1
	}
	return k
}

// DefaultColumns returns the column names used when none are given: x0,
// x1, …, x<n-1>.
func DefaultColumns(n int) []string {
	c := make([]string, n)
	for i := range c {
		c[i] = "x" + strconv.Itoa(i)
	}
	return c
}

// endsInProbabilities reports whether the last of layers, with k output
// columns, gives class probabilities: it implements mlp.ProbabilityOutput
// (Softmax, Sigmoid, or a user's layer that declares it) as a Softmax over
// several columns or a Sigmoid over one. A Sigmoid over several columns
// gives a probability per column (multi-label), which is not a choice of
// one class.
func endsInProbabilities(layers []mlp.Layer, k int) bool {
	switch lastKind(layers) {
	case mlp.SoftmaxProbabilities:
		return k > 1
	case mlp.SigmoidProbabilities:
		return k == 1
	}
	return false
}

// lastKind returns what the last of layers declares through
// mlp.ProbabilityOutput, or 0.
func lastKind(layers []mlp.Layer) mlp.ProbabilityKind {
	if len(layers) == 0 {
		return 0
	}
	if p, ok := layers[len(layers)-1].(mlp.ProbabilityOutput); ok {
		return p.Probabilities()
	}
	return 0
}

// classCount returns the number of class names a classifier with k output
// columns has: k, or 2 for one output.
func ClassCount(k int) int {
	if k == 1 {
		return 2
	}
	return k
}

// Predict returns the model's output for the raw inputs x, in a new
// matrix: x is imputed and scaled as Preprocess says, run through
// Net.Predict, and the outputs scaled as Postprocess says. Each step
// runs the operations the exported graph runs (a subtraction and then a
// division, not a multiplication by 1/Std), so in float64 the scaled values
// have the same bits as in an ONNX runtime. NaN is allowed in x only in
// imputed columns.
//
// It returns an error wrapping mlp.ErrSetting if Preprocess or Postprocess
// does not fit the net, one wrapping mlp.ErrData if x is nil, does not
// have the net's input width or holds NaN or Inf left after imputation,
// and the errors of Net.Predict. It allocates a copy of x when there is
// preprocessing. It only reads m, so it is safe for concurrent use as
// Net.Predict is.
func (m *Model) Predict(x mat.Matrix) (*mat.Dense, error) {
	if m == nil || m.Net == nil {
		return nil, fmt.Errorf("%w: onnx: Predict: the model has no net", mlp.ErrSetting)
	}
	p, q := &m.Preprocess, &m.Postprocess
	if err := p.check(m.Net.InputSize()); err != nil {
		return nil, err
	}
	if err := q.check(m.Net.OutputSize()); err != nil {
		return nil, err
	}
	if p.Impute != nil || p.Mean != nil || p.Std != nil {
		if guard.IsNil(x) {
			return nil, fmt.Errorf("%w: onnx: Predict: input is nil", mlp.ErrData)
		}
		r, c := x.Dims()
		if n := m.Net.InputSize(); c != n {
			return nil, fmt.Errorf("%w: onnx: Predict: input has %d columns, the model takes %d", mlp.ErrData, c, n)
		}
		xd := mat.DenseCopyOf(x)
		raw := xd.RawMatrix()
		for i := 0; i < r; i++ {
			p.apply(raw.Data[i*raw.Stride : i*raw.Stride+c])
		}
		x = xd
	}
	y, err := m.Net.Predict(x)
	if err != nil || (q.Mean == nil && q.Std == nil) {
		return y, err
	}
	raw := y.RawMatrix()
	for i := 0; i < raw.Rows; i++ {
		row := raw.Data[i*raw.Stride : i*raw.Stride+raw.Cols]
		for j, v := range row {
			if q.Std != nil {
				v *= q.Std[j]
			}
			if q.Mean != nil {
				v += q.Mean[j]
			}
			row[j] = v
		}
	}
	return y, nil
}

// apply imputes and scales one row in place.
func (p *Preprocess) apply(row []float64) {
	for j, v := range row {
		if p.Impute != nil && math.IsNaN(v) {
			v = p.Impute[j] // NaN when the column is not imputed
		}
		if p.Mean != nil {
			v -= p.Mean[j]
		}
		if p.Std != nil {
			v /= p.Std[j]
		}
		row[j] = v
	}
}

// check returns an error wrapping mlp.ErrSetting unless every non-nil
// slice has n entries and Mean and Std are finite, Std nonzero.
func (p *Preprocess) check(n int) error {
	for _, s := range []struct {
		name string
		len  int
		nil  bool
	}{
		{"Columns", len(p.Columns), p.Columns == nil},
		{"Impute", len(p.Impute), p.Impute == nil},
		{"Mean", len(p.Mean), p.Mean == nil},
		{"Std", len(p.Std), p.Std == nil},
	} {
		if !s.nil && s.len != n {
			return fmt.Errorf("%w: onnx: Preprocess.%s has %d entries, the net takes %d columns", mlp.ErrSetting, s.name, s.len, n)
		}
	}
	for j, v := range p.Impute {
		if math.IsInf(v, 0) {
			return fmt.Errorf("%w: onnx: Preprocess.Impute[%d] is %v", mlp.ErrSetting, j, v)
		}
	}
	return checkScaling("Preprocess", p.Mean, p.Std)
}

// check returns an error wrapping mlp.ErrSetting unless every non-nil
// slice has k entries, finite, Std's nonzero.
func (q *Postprocess) check(k int) error {
	for _, s := range []struct {
		name string
		v    []float64
	}{{"Mean", q.Mean}, {"Std", q.Std}} {
		if s.v != nil && len(s.v) != k {
			return fmt.Errorf("%w: onnx: Postprocess.%s has %d entries, the net gives %d columns", mlp.ErrSetting, s.name, len(s.v), k)
		}
	}
	return checkScaling("Postprocess", q.Mean, q.Std)
}

// checkScaling returns an error wrapping mlp.ErrSetting, naming the field
// of what, unless mean and std are finite and std nonzero.
func checkScaling(what string, mean, std []float64) error {
	for j, v := range mean {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return fmt.Errorf("%w: onnx: %s.Mean[%d] is %v", mlp.ErrSetting, what, j, v)
		}
	}
	for j, v := range std {
		if math.IsNaN(v) || math.IsInf(v, 0) || v == 0 {
			return fmt.Errorf("%w: onnx: %s.Std[%d] is %v; it must be finite and nonzero", mlp.ErrSetting, what, j, v)
		}
	}
	return nil
}
