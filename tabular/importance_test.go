package tabular

import (
	"context"
	"errors"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/mlpkit/mlp"
	"github.com/mlpkit/mlp/internal/testkit"
)

// importanceCase is one case of testdata/sklearn/importance.json, written
// by gen_importance.py with scikit-learn 1.2.1.
type importanceCase struct {
	Name             string           `json:"name"`
	Estimator        string           `json:"estimator"`
	HiddenLayerSizes []int            `json:"hidden_layer_sizes"`
	Activation       string           `json:"activation"`
	NRepeats         int              `json:"n_repeats"`
	Scoring          *string          `json:"scoring"`
	SampleWeight     []float64        `json:"sample_weight"`
	Columns          []string         `json:"columns"`
	Train            map[string][]any `json:"train"`
	Test             map[string][]any `json:"test"`
	Target           struct {
		Classes []string `json:"classes"`
		Train   []any    `json:"train"`
		Test    []any    `json:"test"`
		Mean    []float64
		Scale   []float64
	} `json:"target"`
	Coefs           [][][]float64 `json:"coefs"`
	Intercepts      [][]float64   `json:"intercepts"`
	Baseline        float64       `json:"baseline"`
	Orders          [][][]int     `json:"orders"`
	Importances     [][]float64   `json:"importances"`
	ImportancesMean []float64     `json:"importances_mean"`
	ImportancesStd  []float64     `json:"importances_std"`
}

// loadImportanceCases reads testdata/sklearn/importance.json.
func loadImportanceCases(t *testing.T) []importanceCase {
	t.Helper()
	return loadSklearnCases[importanceCase](t, "testdata/sklearn/importance.json")
}

// jsonColumn returns a column of JSON values (sklearnColumn): numbers (nil
// missing) make a Numeric column, texts a Categorical one.
func jsonColumn(name string, vals []any) Column {
	text := slices.ContainsFunc(vals, func(v any) bool { _, ok := v.(string); return ok })
	return sklearnColumn(name, text, vals)
}

// tables returns the case's training and test tables, target "y".
func (c *importanceCase) tables() (train, test *Table) {
	mk := func(cols map[string][]any, y []any) *Table {
		t := &Table{}
		for _, name := range c.Columns {
			if vals, ok := cols[name]; ok {
				t.Features = append(t.Features, jsonColumn(name, vals))
			}
		}
		t.Targets = []Column{jsonColumn("y", y)}
		return t
	}
	return mk(c.Train, c.Target.Train), mk(c.Test, c.Target.Test)
}

// pipeline returns scikit-learn's fitted pipeline rebuilt in Go: the
// Preprocessor fitted on the training table, the net with scikit-learn's
// weights, and its classes or target scaling.
func (c *importanceCase) pipeline(t *testing.T, train *Table) *Pipeline {
	t.Helper()
	prep, err := FitPreprocessor(train, PreprocessSettings{})
	if err != nil {
		t.Fatal(err)
	}
	w := &MLPWeights{}
	for i := range c.Coefs {
		w.Coefs = append(w.Coefs, denseOf(c.Coefs[i]))
		w.Intercepts = append(w.Intercepts, c.Intercepts[i])
	}
	d, err := MLPSettings{HiddenLayerSizes: c.HiddenLayerSizes, Activation: c.Activation, InitialWeights: w}.resolve("test")
	if err != nil {
		t.Fatal(err)
	}
	outputs := len(c.Intercepts[len(c.Intercepts)-1])
	targets := PipelineTargets{Names: []string{"y"}}
	var last mlp.Layer
	if c.Estimator == "classifier" {
		targets.Classes, last = c.Target.Classes, &mlp.Softmax{}
	} else {
		targets.Scaler = &mlp.StandardScaler{Mean: c.Target.Mean, Std: c.Target.Scale}
	}
	net, _, err := d.build(prep.Width(), outputs, 1, last)
	if err != nil {
		t.Fatal(err)
	}
	p, err := NewPipeline(prep, net, targets)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// weightedAccuracy returns a Scoring giving Σ w_i·[row i right] / Σ w_i,
// scikit-learn's accuracy_score with sample_weight: the rows of a permuted
// table are in t's order, so row i keeps its weight w[i].
func weightedAccuracy(w []float64) Scoring {
	return func(m Scorer, t *Table) (float64, error) {
		pred, err := m.(Predictor).Predict(t)
		if err != nil {
			return 0, err
		}
		var right, sum float64
		for i, l := range pred.Labels {
			if l == t.Targets[0].Text(i) {
				right += w[i]
			}
			sum += w[i]
		}
		return right / sum, nil
	}
}

// importanceTol bounds |Go − scikit-learn| / max(1, |scikit-learn|) for the
// scores and importances: the same pipeline, weights and rows on both
// sides, with sums taken in another order.
const importanceTol = 1e-12

// TestPermutationImportanceSklearn checks PermutationImportance against
// scikit-learn 1.2.1's permutation_importance of the same fitted pipeline
// on the same held-out rows, with the row orders scikit-learn drew: the
// baseline, every importance, their mean and standard deviation; a column
// the model does not read ("id") gets 0. One case scores by another
// scoring by name (neg_mean_absolute_error, ScoringByName), one weighs the
// rows (sample_weight, through a Scoring of its own).
func TestPermutationImportanceSklearn(t *testing.T) {
	var worst float64
	for _, c := range loadImportanceCases(t) {
		t.Run(c.Name, func(t *testing.T) {
			near := nearSklearn(t, importanceTol, &worst)
			train, test := c.tables()
			p := c.pipeline(t, train)
			s := PermutationSettings{NRepeats: c.NRepeats}
			if c.SampleWeight != nil {
				s.Scoring = weightedAccuracy(c.SampleWeight)
			}
			if c.Scoring != nil {
				var err error
				if s.Scoring, err = ScoringByName(*c.Scoring); err != nil {
					t.Fatal(err)
				}
			}
			res, err := permutationImportance(context.Background(), p, test, s,
				func(j, r, n int) []int { return c.Orders[j][r] })
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(res.Columns, c.Columns) {
				t.Fatalf("Columns = %q, want %q", res.Columns, c.Columns)
			}
			near("baseline", res.Baseline, c.Baseline)
			for j, name := range c.Columns {
				if len(res.Importances[j]) != c.NRepeats {
					t.Fatalf("%d importances of %s, want %d", len(res.Importances[j]), name, c.NRepeats)
				}
				for r, want := range c.Importances[j] {
					near(name+" repeat "+string(rune('0'+r)), res.Importances[j][r], want)
				}
				near(name+" mean", res.ImportancesMean[j], c.ImportancesMean[j])
				near(name+" std", res.ImportancesStd[j], c.ImportancesStd[j])
			}
			if j := slices.Index(res.Columns, "id"); res.ImportancesMean[j] != 0 || res.ImportancesStd[j] != 0 {
				t.Errorf("id, which the model does not read: mean %v std %v, want 0 and 0", res.ImportancesMean[j], res.ImportancesStd[j])
			}
		})
	}
	t.Logf("largest relative difference from scikit-learn: %.2g", worst)
}

// TestPermutationImportanceSeeded checks the public entry point: the same
// Seed gives the same importances whatever Workers is, another Seed other
// ones, the table is not changed, Ranked puts the strongest column first,
// and a FittedMLP and its Pipeline give the same figures.
func TestPermutationImportanceSeeded(t *testing.T) {
	c := loadImportanceCases(t)[1] // the regressor scored by R²
	train, test := c.tables()
	p := c.pipeline(t, train)
	before := slices.Clone(test.Features[1].Values)
	ctx := context.Background()
	one, err := PermutationImportance(ctx, p, test, PermutationSettings{Seed: 3, Workers: 1})
	if err != nil {
		t.Fatal(err)
	}
	four, err := PermutationImportance(ctx, &FittedMLP{pipeline: p, targets: p.Targets()}, test, PermutationSettings{Seed: 3, Workers: 4})
	if err != nil {
		t.Fatal(err)
	}
	other, err := PermutationImportance(ctx, p, test, PermutationSettings{Seed: 4, NRepeats: 7})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(test.Features[1].Values, before) {
		t.Error("the table was changed")
	}
	if len(one.Importances[0]) != 5 || len(other.Importances[0]) != 7 {
		t.Errorf("%d and %d repeats, want the default 5 and 7", len(one.Importances[0]), len(other.Importances[0]))
	}
	for j := range one.Columns {
		if !slices.Equal(one.Importances[j], four.Importances[j]) {
			t.Errorf("%s: Workers 1 gives %v, Workers 4 %v", one.Columns[j], one.Importances[j], four.Importances[j])
		}
	}
	if f0 := slices.Index(one.Columns, "f0"); slices.Equal(one.Importances[f0], other.Importances[f0][:5]) {
		t.Errorf("seeds 3 and 4 give the same importances of f0: %v", one.Importances[f0])
	}
	// scikit-learn ranks f0 (the strongest signal) first and id (unread)
	// at 0: the Go permutations differ, the ranking of these two does not.
	rank := one.Ranked()
	if one.Columns[rank[0]] != "f0" {
		t.Errorf("Ranked()[0] is %s (means %v), want f0", one.Columns[rank[0]], one.ImportancesMean)
	}
	if id := slices.Index(one.Columns, "id"); one.ImportancesMean[id] != 0 {
		t.Errorf("id: mean %v, want 0", one.ImportancesMean[id])
	}
	for j := range one.Columns {
		mean, std := 0.0, 0.0
		for _, x := range one.Importances[j] {
			mean += x / 5
		}
		for _, x := range one.Importances[j] {
			std += (x - mean) * (x - mean) / 5
		}
		if math.Abs(one.ImportancesMean[j]-mean) > 1e-12 || math.Abs(one.ImportancesStd[j]-math.Sqrt(std)) > 1e-12 {
			t.Errorf("%s: mean %v std %v; from the importances %v and %v", one.Columns[j], one.ImportancesMean[j], one.ImportancesStd[j], mean, math.Sqrt(std))
		}
	}
}

// TestPermutationImportanceErrors checks the errors of bad settings and
// data, and that a score's error names the column.
func TestPermutationImportanceErrors(t *testing.T) {
	c := loadImportanceCases(t)[0]
	train, test := c.tables()
	p := c.pipeline(t, train)
	ctx := context.Background()
	noTarget := *test
	noTarget.Targets = nil
	calls, boom := 0, errors.New("boom")
	failing := func(_ Scorer, t *Table) (float64, error) {
		if calls++; calls > 1 && &t.Features[2].Values[0] != &test.Features[2].Values[0] {
			return 0, boom
		}
		return 1, nil
	}
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	for _, tc := range []struct {
		name  string
		model Scorer
		t     *Table
		s     PermutationSettings
		ctx   context.Context
		is    error
		want  string
	}{
		{"nil model", nil, test, PermutationSettings{}, ctx, mlp.ErrSetting, "nil model"},
		{"nil pipeline", (*Pipeline)(nil), test, PermutationSettings{}, ctx, mlp.ErrSetting, "nil model"},
		{"nil model, a scoring", nil, test, PermutationSettings{Scoring: failing}, ctx, mlp.ErrSetting, "nil model"},
		{"negative repeats", p, test, PermutationSettings{NRepeats: -1}, ctx, mlp.ErrSetting, "NRepeats = -1"},
		{"too many repeats", p, test, PermutationSettings{NRepeats: 1<<20 + 1}, ctx, mlp.ErrSetting, "NRepeats"},
		{"negative workers", p, test, PermutationSettings{Workers: -2}, ctx, mlp.ErrSetting, "Workers = -2"},
		{"nil table", p, nil, PermutationSettings{}, ctx, mlp.ErrData, "no rows"},
		{"no features", p, &Table{Targets: test.Targets}, PermutationSettings{}, ctx, mlp.ErrData, "no feature column"},
		{"no target", p, &noTarget, PermutationSettings{}, ctx, mlp.ErrData, "baseline score"},
		{"cancelled", p, test, PermutationSettings{}, cancelled, context.Canceled, "canceled"},
		{"score fails", p, test, PermutationSettings{Scoring: failing, Workers: 1}, ctx, boom, `column "colour", repeat 0: boom`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := PermutationImportance(tc.ctx, tc.model, tc.t, tc.s)
			testkit.ErrorContains(t, err, tc.is, tc.want)
		})
	}
	if _, err := p.Score(&noTarget); err == nil || !strings.Contains(err.Error(), "target columns") {
		t.Errorf("Pipeline.Score without the target: %v", err)
	}
}
