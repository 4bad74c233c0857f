package tabular

import (
	"context"
	"encoding/json"
	"math"
	"os"
	"slices"
	"strconv"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// trajectoryCase is one case of testdata/sklearn/trajectories.json, written
// by gen_trajectories.py with scikit-learn 1.2.1.
type trajectoryCase struct {
	Name             string      `json:"name"`
	Estimator        string      `json:"estimator"`
	HiddenLayerSizes []int       `json:"hidden_layer_sizes"`
	Activation       string      `json:"activation"`
	Alpha            float64     `json:"alpha"`
	LearningRateInit float64     `json:"learning_rate_init"`
	BatchSize        int         `json:"batch_size"`
	MaxIter          int         `json:"max_iter"`
	Tol              float64     `json:"tol"`
	NIterNoChange    int         `json:"n_iter_no_change"`
	EarlyStopping    bool        `json:"early_stopping"`
	ValidationRows   []int       `json:"validation_rows"`
	FeatureNames     []string    `json:"feature_names"`
	X                [][]float64 `json:"X"`
	Target           struct {
		Classes []string    `json:"classes"`
		Labels  []string    `json:"labels"`
		Columns []string    `json:"columns"`
		Values  [][]float64 `json:"values"`
	} `json:"target"`
	InitCoefs           [][][]float64 `json:"init_coefs"`
	InitIntercepts      [][]float64   `json:"init_intercepts"`
	LossCurve           []float64     `json:"loss_curve"`
	NIter               int           `json:"n_iter"`
	Coefs               [][][]float64 `json:"coefs"`
	Intercepts          [][]float64   `json:"intercepts"`
	ValidationScores    []float64     `json:"validation_scores"`
	BestValidationScore float64       `json:"best_validation_score"`
}

func loadTrajectories(t *testing.T) []trajectoryCase {
	t.Helper()
	return loadSklearnCases[trajectoryCase](t, "testdata/sklearn/trajectories.json")
}

// loadSklearnCases reads the cases of a vector file {"sklearn": version,
// "cases": [...]} and fails t unless the file is of scikit-learn 1.2.1 and
// holds some.
func loadSklearnCases[C any](t *testing.T, file string) []C {
	t.Helper()
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var v struct {
		Sklearn string `json:"sklearn"`
		Cases   []C    `json:"cases"`
	}
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatal(err)
	}
	if v.Sklearn != "1.2.1" || len(v.Cases) == 0 {
		t.Fatalf("%s: vectors of scikit-learn %q with %d cases; want 1.2.1 and some", file, v.Sklearn, len(v.Cases))
	}
	return v.Cases
}

// table returns the case's data as a Table: numeric features, and a class
// column or numeric target columns.
func (c *trajectoryCase) table() *Table {
	n := len(c.X)
	t := &Table{}
	for j, name := range c.FeatureNames {
		col := Column{Name: name, Kind: Numeric, Values: make([]float64, n)}
		for i := range n {
			col.Values[i] = c.X[i][j]
		}
		t.Features = append(t.Features, col)
	}
	if c.Estimator == "classifier" {
		cats := slices.Clone(c.Target.Classes)
		slices.Sort(cats)
		col := Column{Name: "class", Kind: Categorical, Categories: cats, Values: make([]float64, n)}
		for i, l := range c.Target.Labels {
			col.Values[i] = float64(slices.Index(cats, l))
		}
		t.Targets = []Column{col}
		return t
	}
	for j, name := range c.Target.Columns {
		col := Column{Name: name, Kind: Numeric, Values: make([]float64, n)}
		for i := range n {
			col.Values[i] = c.Target.Values[i][j]
		}
		t.Targets = append(t.Targets, col)
	}
	return t
}

func denseOf(rows [][]float64) *mat.Dense {
	m := mat.NewDense(len(rows), len(rows[0]), nil)
	for i, r := range rows {
		m.SetRow(i, r)
	}
	return m
}

// settings returns the MLPSettings of the case: scikit-learn's, with its
// initial weights, no shuffling and its batch size.
func (c *trajectoryCase) settings() MLPSettings {
	w := &MLPWeights{}
	for i := range c.InitCoefs {
		w.Coefs = append(w.Coefs, denseOf(c.InitCoefs[i]))
		w.Intercepts = append(w.Intercepts, c.InitIntercepts[i])
	}
	alpha := c.Alpha
	if alpha == 0 {
		alpha = NoPenalty
	}
	return MLPSettings{
		HiddenLayerSizes: c.HiddenLayerSizes,
		Activation:       c.Activation,
		Alpha:            alpha,
		BatchSize:        c.BatchSize,
		LearningRateInit: c.LearningRateInit,
		MaxIter:          c.MaxIter,
		Tol:              c.Tol,
		NIterNoChange:    c.NIterNoChange,
		NoShuffle:        true,
		EarlyStopping:    c.EarlyStopping,
		ValidationRows:   c.ValidationRows,
		InitialWeights:   w,
	}
}

// trajectoryTol bounds |Go − scikit-learn| / max(1, |scikit-learn|) for
// every loss, validation score, weight and bias. Both sides compute the
// same operations in another order (NumPy's BLAS against this package's
// kernels, the loss from the logits against the clipped probabilities), so
// they agree to about 1e-13 after 80 epochs; 1e-9 leaves room for other
// CPUs' rounding.
const trajectoryTol = 1e-9

// TestSklearnTrajectories checks MLPClassifier and MLPRegressor against
// scikit-learn 1.2.1 started from the same weights, without shuffling, on
// one batch or several in table order: loss_curve_, n_iter_ (the tol rule), the final coefs_ and
// intercepts_ and, with early stopping on the same validation rows,
// validation_scores_ and the restored best weights.
func TestSklearnTrajectories(t *testing.T) {
	var worst float64
	for _, c := range loadTrajectories(t) {
		t.Run(c.Name, func(t *testing.T) { worst = math.Max(worst, checkTrajectory(t, &c, nil)) })
	}
	t.Logf("largest relative difference from scikit-learn: %.2g", worst)
}

// nearSklearn returns a check that fails t unless got is within tol of
// scikit-learn's want, relative to max(1, |want|), and keeps the largest
// relative difference in *worst.
func nearSklearn(t *testing.T, tol float64, worst *float64) func(what string, got, want float64) {
	return func(what string, got, want float64) {
		t.Helper()
		d := math.Abs(got-want) / math.Max(1, math.Abs(want))
		*worst = math.Max(*worst, d)
		if !(d <= tol) {
			t.Errorf("%s = %.17g, scikit-learn %.17g (relative difference %.2g)", what, got, want, d)
		}
	}
}

// checkTrajectory fits the estimator of c on its table, with sample
// weights sw when not nil, and checks n_iter_, the loss curve, the final
// weights and, with early stopping, the validation scores against c to
// trajectoryTol. It returns the largest relative difference it saw.
func checkTrajectory(t *testing.T, c *trajectoryCase, sw []float64) (worst float64) {
	t.Helper()
	near := nearSklearn(t, trajectoryTol, &worst)
	s := c.settings()
	var (
		m   *FittedMLP
		err error
	)
	switch {
	case c.Estimator == "classifier" && sw == nil:
		m, err = MLPClassifier(s).Fit(context.Background(), c.table())
	case c.Estimator == "classifier":
		m, err = MLPClassifier(s).FitWeighted(context.Background(), c.table(), sw)
	case sw == nil:
		m, err = MLPRegressor(s).Fit(context.Background(), c.table())
	default:
		m, err = MLPRegressor(s).FitWeighted(context.Background(), c.table(), sw)
	}
	if err != nil {
		t.Fatal(err)
	}
	if m.NIter() != c.NIter {
		t.Errorf("NIter = %d, scikit-learn's n_iter_ = %d", m.NIter(), c.NIter)
	}
	h := m.History()
	for e := range min(len(h.Epochs), len(c.LossCurve)) {
		near("loss of epoch "+strconv.Itoa(e), h.Epochs[e].Loss, c.LossCurve[e])
		if c.EarlyStopping {
			near("validation score of epoch "+strconv.Itoa(e), h.Epochs[e].ValMetrics[0], c.ValidationScores[e])
		}
	}
	w := m.Weights()
	if len(w.Coefs) != len(c.Coefs) {
		t.Fatalf("%d weight matrices, scikit-learn %d", len(w.Coefs), len(c.Coefs))
	}
	for l := range c.Coefs {
		for i, row := range c.Coefs[l] {
			for j, want := range row {
				near("coefs["+strconv.Itoa(l)+"]["+strconv.Itoa(i)+"]["+strconv.Itoa(j)+"]", w.Coefs[l].At(i, j), want)
			}
		}
		for j, want := range c.Intercepts[l] {
			near("intercepts["+strconv.Itoa(l)+"]["+strconv.Itoa(j)+"]", w.Intercepts[l][j], want)
		}
	}
	if c.EarlyStopping {
		best := math.Inf(-1)
		for _, e := range h.Epochs {
			best = math.Max(best, e.ValMetrics[0])
		}
		near("best validation score", best, c.BestValidationScore)
	}
	return worst
}
