package tabular

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"maps"
	"math"
	"reflect"
	"strings"
	"testing"
	"time"

	"gonum.org/v1/gonum/mat"

	"github.com/mlpkit/mlp"
	"github.com/mlpkit/mlp/internal/testkit"
)

// savedBytes returns the file Save writes for m's pipeline, with the
// provenance's date (the second the fit ended) left out.
func savedBytes(t *testing.T, m *FittedMLP) []byte {
	t.Helper()
	p := m.Pipeline()
	pv, _ := p.Provenance()
	pv.Created = time.Time{}
	var b bytes.Buffer
	if err := p.WithProvenance(pv).Save(&b); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// gridCandidates are four small classifiers for wine.
func gridCandidates() []Estimator[*FittedMLP] {
	var c []Estimator[*FittedMLP]
	for _, h := range [][]int{{4}, {8}} {
		for _, lr := range []float64{0.003, 0.03} {
			c = append(c, MLPClassifier{HiddenLayerSizes: h, LearningRateInit: lr, MaxIter: 12, BatchSize: 32, Seed: 2})
		}
	}
	return c
}

// GridSearch's BestModel is the best candidate fitted on the whole table,
// the same bits as calling its Fit; GridSearchJob and GridSearchGather give
// GridSearch's scores, ranks and refit bit for bit; NoRefit leaves
// BestModel nil; Params holds each candidate's parameters.
func TestGridSearchRefitAndJobs(t *testing.T) {
	tab := wineTable(t)
	ctx := context.Background()
	cands := gridCandidates()
	s := CVSettings{K: 3, Stratify: true, Shuffle: true, Seed: 9, Workers: 2}
	res, err := GridSearch(ctx, cands, tab, s)
	if err != nil {
		t.Fatal(err)
	}
	if res.BestModel == nil {
		t.Fatal("no BestModel")
	}
	direct, err := cands[res.Best].Fit(ctx, tab)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(savedBytes(t, res.BestModel), savedBytes(t, direct)) {
		t.Errorf("BestModel of candidate %d differs from its Fit on the whole table", res.Best)
	}
	if pv, _ := res.BestModel.Pipeline().Provenance(); pv.TrainingRows != tab.Rows() {
		t.Errorf("BestModel trained on %d rows, want all %d", pv.TrainingRows, tab.Rows())
	}
	if len(res.Params) != 4 || res.Params[1]["learning_rate_init"] != 0.03 || !reflect.DeepEqual(res.Params[2]["hidden_layer_sizes"], []int{8}) {
		t.Errorf("Params %v", res.Params)
	}

	n := GridSearchJobs(len(cands), s)
	if n != 12 {
		t.Fatalf("GridSearchJobs %d, want 12", n)
	}
	scores := make([][]float64, len(cands))
	for j := range n {
		sc, err := GridSearchJob(ctx, cands, tab, s, j)
		if err != nil {
			t.Fatal(err)
		}
		scores[j/3] = append(scores[j/3], sc)
	}
	gathered, err := GridSearchGather(ctx, cands, tab, s, scores)
	if err != nil {
		t.Fatal(err)
	}
	for c := range cands {
		for f, sc := range res.Results[c].Scores {
			if math.Float64bits(sc) != math.Float64bits(gathered.Results[c].Scores[f]) {
				t.Errorf("candidate %d fold %d: job score %v, GridSearch %v", c, f, gathered.Results[c].Scores[f], sc)
			}
		}
	}
	if !reflect.DeepEqual(gathered.Rank, res.Rank) || gathered.Best != res.Best {
		t.Errorf("gathered rank %v best %d, GridSearch %v %d", gathered.Rank, gathered.Best, res.Rank, res.Best)
	}
	if !bytes.Equal(savedBytes(t, gathered.BestModel), savedBytes(t, res.BestModel)) {
		t.Error("the gathered refit differs from GridSearch's")
	}

	s.NoRefit = true
	if res, err := GridSearch(ctx, cands[:1], tab, s); err != nil || res.BestModel != nil {
		t.Errorf("NoRefit: BestModel %v, %v; want nil", res.BestModel, err)
	}
	for _, j := range []int{-1, 12} {
		_, err := GridSearchJob(ctx, cands, tab, s, j)
		testkit.ErrorContains(t, err, mlp.ErrSetting, "outside [0, 12)")
	}
	_, err = GridSearchGather(ctx, cands, tab, s, scores[:3])
	testkit.ErrorContains(t, err, mlp.ErrSetting, "scores of 3 candidates for 4")
	scores[2] = scores[2][:2]
	_, err = GridSearchGather(ctx, cands, tab, s, scores)
	testkit.ErrorContains(t, err, mlp.ErrSetting, "2 scores of candidate 2 for 3 folds")
}

// A refit that fails is an error naming the candidate: a fold's rows
// train, the whole table does not.
func TestGridSearchRefitError(t *testing.T) {
	_, err := GridSearch(context.Background(), []Estimator[scriptedModel]{refitFails{}}, rowTable(6), CVSettings{K: 3})
	if err == nil || !strings.Contains(err.Error(), "refit of candidate 0 on all 6 rows: scripted refit failure") {
		t.Errorf("err %v", err)
	}
}

type refitFails struct{}

func (refitFails) Fit(_ context.Context, t *Table) (scriptedModel, error) {
	if t.Rows() == 6 {
		return scriptedModel{}, errors.New("scripted refit failure")
	}
	return scriptedModel{scores: []float64{1, 1, 1}}, nil
}

// fixedPredictor predicts given labels or values, whatever the table.
type fixedPredictor struct {
	classes []string
	labels  []string
	proba   *mat.Dense
	values  *mat.Dense
}

func (f fixedPredictor) Score(*Table) (float64, error) { return 0, nil }
func (f fixedPredictor) Classes() []string             { return f.classes }
func (f fixedPredictor) Predict(*Table) (*Prediction, error) {
	p := &Prediction{Labels: f.labels, Proba: f.proba, Values: f.values}
	for _, l := range f.labels {
		for i, c := range f.classes {
			if c == l {
				p.Classes = append(p.Classes, i)
			}
		}
	}
	return p, nil
}

// sklearnScoringCase is a case of testdata/sklearn/scoring.json, written
// by gen_scoring.py.
type sklearnScoringCase struct {
	Name    string             `json:"name"`
	Classes []string           `json:"classes"`
	Pred    json.RawMessage    `json:"pred"`
	Proba   [][]float64        `json:"proba"`
	True    json.RawMessage    `json:"true"`
	Scores  map[string]float64 `json:"scores"`
}

// The scorings of ScoringByName give scikit-learn 1.2.1's scorers of the
// same names (get_scorer) to 1e-12, relative: labels the model never saw
// count as mistakes and join f1_macro's classes, the probability scorers
// read a fitted model's predict_proba, several targets are averaged.
func TestScoringAsScikitLearn(t *testing.T) {
	var worst float64
	defer func() { t.Logf("largest relative difference from scikit-learn: %.3g", worst) }()
	for _, c := range testkit.SklearnCases[sklearnScoringCase](t, "scoring.json", 36) {
		t.Run(c.Name, func(t *testing.T) {
			var model fixedPredictor
			var tab Table
			if c.Classes != nil {
				var pred, truth []string
				json.Unmarshal(c.Pred, &pred)
				json.Unmarshal(c.True, &truth)
				model = fixedPredictor{classes: c.Classes, labels: pred}
				if c.Proba != nil {
					model.proba = mat.NewDense(len(c.Proba), len(c.Classes), nil)
					for i, row := range c.Proba {
						model.proba.SetRow(i, row)
					}
				}
				col := Column{Name: "y", Kind: Categorical}
				for _, l := range truth {
					k := -1
					for i, cat := range col.Categories {
						if cat == l {
							k = i
						}
					}
					if k < 0 {
						k = len(col.Categories)
						col.Categories = append(col.Categories, l)
					}
					col.Values = append(col.Values, float64(k))
				}
				tab.Targets = []Column{col}
			} else {
				var pred, truth [][]float64
				json.Unmarshal(c.Pred, &pred)
				json.Unmarshal(c.True, &truth)
				m := len(pred[0])
				model.values = mat.NewDense(len(pred), m, nil)
				for i, row := range pred {
					model.values.SetRow(i, row)
				}
				for j := range m {
					col := Column{Name: "y" + string(rune('0'+j)), Kind: Numeric}
					for _, row := range truth {
						col.Values = append(col.Values, row[j])
					}
					tab.Targets = append(tab.Targets, col)
				}
			}
			for name, want := range c.Scores {
				sc, err := ScoringByName(name)
				if err != nil {
					t.Fatal(err)
				}
				got, err := sc(model, &tab)
				if err != nil {
					t.Fatalf("%s: %v", name, err)
				}
				rel := math.Abs(got-want) / math.Max(1, math.Abs(want))
				worst = math.Max(worst, rel)
				if rel > 1e-12 {
					t.Errorf("%s = %v, scikit-learn %v", name, got, want)
				}
			}
		})
	}
}

// A scoring of the other task, an unknown name and a model that does not
// predict are errors that say so.
func TestScoringErrors(t *testing.T) {
	_, err := ScoringByName("roc_auc_typo")
	testkit.ErrorContains(t, err, mlp.ErrSetting, `unknown scoring "roc_auc_typo"`, "accuracy", "neg_mean_absolute_error")
	r2, _ := ScoringByName("r2")
	tab := Table{Targets: []Column{{Name: "y", Kind: Numeric, Values: []float64{1, 2}}}}
	_, err = r2(fixedPredictor{classes: []string{"a", "b"}, labels: []string{"a", "b"}}, &tab)
	testkit.ErrorContains(t, err, mlp.ErrSetting, "scoring r2 is for regression; the model is a classification model")
	_, err = r2(scriptedModel{}, &tab)
	testkit.ErrorContains(t, err, mlp.ErrSetting, "does not predict tables")
	// The probability scorings: roc_auc is binary, a label the model
	// never saw has no probability, and one class is undefined.
	three := fixedPredictor{classes: []string{"a", "b", "c"}, labels: []string{"a", "b"}, proba: mat.NewDense(2, 3, []float64{0.5, 0.3, 0.2, 0.1, 0.8, 0.1})}
	two := fixedPredictor{classes: []string{"a", "b"}, labels: []string{"a", "b"}, proba: mat.NewDense(2, 2, []float64{0.6, 0.4, 0.3, 0.7})}
	lab := func(labels ...string) *Table {
		return &Table{Targets: []Column{{Name: "y", Kind: Categorical, Categories: labels, Values: []float64{0, 1}}}}
	}
	auc, _ := ScoringByName("roc_auc")
	_, err = auc(three, lab("a", "b"))
	testkit.ErrorContains(t, err, mlp.ErrSetting, "scoring roc_auc is for two classes", "the model has 3: use roc_auc_ovr")
	ll, _ := ScoringByName("neg_log_loss")
	_, err = ll(two, lab("a", "z"))
	testkit.ErrorContains(t, err, mlp.ErrData, `scoring neg_log_loss: target column "y" has label "z", not a class of the model`)
	one := lab("a", "a")
	one.Targets[0].Values = []float64{0, 0}
	_, err = auc(two, one)
	testkit.ErrorContains(t, err, mlp.ErrData, "scoring roc_auc", "undefined")
	if v, err := ll(two, lab("a", "b")); err != nil || math.Abs(v-(math.Log(0.6)+math.Log(0.7))/2) > 1e-15 {
		t.Errorf("neg_log_loss = %v, %v; want %v", v, err, (math.Log(0.6)+math.Log(0.7))/2)
	}
	// CVSettings.Scoring replaces the model's Score.
	f1, _ := ScoringByName("f1_macro")
	wine := wineTable(t)
	cv, err := CrossValidate(context.Background(), smallMLP, wine, CVSettings{K: 3, Stratify: true, Scoring: f1})
	if err != nil {
		t.Fatal(err)
	}
	acc, err := CrossValidate(context.Background(), smallMLP, wine, CVSettings{K: 3, Stratify: true})
	if err != nil {
		t.Fatal(err)
	}
	if cv.Mean == acc.Mean || cv.Mean < 0.8 || cv.Mean > 1 {
		t.Errorf("f1_macro mean %v, accuracy mean %v: want a different figure in [0.8, 1]", cv.Mean, acc.Mean)
	}
}

// Params gives every setting by scikit-learn's name with the defaults
// filled in; WithParams reads them back; Provenance.Settings records the
// same as text (as it did before Params).
func TestParams(t *testing.T) {
	c := MLPClassifier{HiddenLayerSizes: []int{8, 4}, Alpha: NoPenalty, BatchSize: 16, ClassWeight: map[string]float64{"b": 0.5, "a": 2}, Seed: 7, NoShuffle: true}
	p := c.Params()
	want := map[string]any{
		"hidden_layer_sizes": []int{8, 4}, "activation": "relu", "solver": "adam", "alpha": 0.0, "batch_size": 16,
		"learning_rate_init": 0.001, "beta_1": 0.9, "beta_2": 0.999, "epsilon": 1e-8, "max_iter": 200, "tol": 1e-4,
		"n_iter_no_change": 10, "shuffle": false, "early_stopping": false, "validation_fraction": 0.1,
		"warm_start": false, "random_state": uint64(7), "impute": "mean", "class_weight": map[string]float64{"a": 2, "b": 0.5},
		"dtype": "float64",
	}
	if !reflect.DeepEqual(p, want) {
		t.Errorf("Params\n%v, want\n%v", p, want)
	}
	back, err := MLPSettings{}.WithParams(p)
	if err != nil {
		t.Fatal(err)
	}
	if again := MLPClassifier(back).Params(); !reflect.DeepEqual(again, p) {
		t.Errorf("WithParams(Params()) gives\n%v, want\n%v", again, p)
	}
	d, err := MLPSettings(c).resolve("MLPClassifier")
	if err != nil {
		t.Fatal(err)
	}
	text := map[string]string{
		"hidden_layer_sizes": "8,4", "activation": "relu", "solver": "adam", "alpha": "0", "batch_size": "16",
		"learning_rate_init": "0.001", "beta_1": "0.9", "beta_2": "0.999", "epsilon": "1e-08", "max_iter": "200",
		"tol": "0.0001", "n_iter_no_change": "10", "shuffle": "false", "early_stopping": "false",
		"validation_fraction": "0.1", "warm_start": "false", "random_state": "7", "impute": "mean", "class_weight": "a=2,b=0.5",
		"dtype": "float64",
	}
	if got := d.settingsText(); !maps.Equal(got, text) {
		t.Errorf("settingsText\n%v, want\n%v", got, text)
	}
	if p, err := (MLPSettings{}).WithParams(map[string]any{"dtype": "float32"}); err != nil || p.DType != mlp.Float32 {
		t.Errorf("WithParams dtype float32: %v, %v", p.DType, err)
	}
	if _, err := (MLPSettings{}).WithParams(map[string]any{"dtype": "float16"}); err == nil || !strings.Contains(err.Error(), "dtype") {
		t.Errorf("WithParams dtype float16: error %v, want one naming dtype", err)
	}
	if p := (MLPRegressor{BalancedClassWeight: true, BatchSize: -1}).Params(); p["class_weight"] != "balanced" || p["batch_size"] != "auto" || p["max_iter"] != 0 {
		t.Errorf("Params of invalid settings: %v; want them as given", p)
	}
	for _, c := range []struct {
		params map[string]any
		says   string
	}{
		{map[string]any{"momentum": 0.9}, `parameter "momentum": not a parameter`},
		{map[string]any{"alpha": -1.0}, `parameter "alpha": -1; want a number in [0, +Inf)`},
		{map[string]any{"alpha": "big"}, `parameter "alpha": "big"; want a number`},
		{map[string]any{"max_iter": json.Number("2.5")}, `parameter "max_iter": 2.5; want an integer ≥ 1`},
		{map[string]any{"hidden_layer_sizes": []any{json.Number("8"), json.Number("0")}}, `width 1: 0; want an integer ≥ 1`},
		{map[string]any{"activation": "softmax"}, `"softmax"; want "relu", "tanh", "logistic", "identity"`},
		{map[string]any{"solver": "sgd"}, `"sgd"; want "adam"`},
		{map[string]any{"batch_size": "big"}, `or "auto"`},
		{map[string]any{"class_weight": map[string]any{"a": -1.0}}, `class "a": -1`},
		{map[string]any{"shuffle": "yes"}, `"yes"; want true or false`},
		{map[string]any{"beta_1": 1.0}, `want a number in (0, 1)`},
	} {
		_, err := MLPSettings{}.WithParams(c.params)
		testkit.ErrorContains(t, err, mlp.ErrSetting, c.says)
	}
	s, err := MLPSettings{}.WithParams(map[string]any{"hidden_layer_sizes": json.Number("5"), "alpha": json.Number("0"), "batch_size": "auto",
		"shuffle": false, "random_state": json.Number("3"), "class_weight": "balanced", "impute": "median", "early_stopping": true})
	if err != nil || !reflect.DeepEqual(s.HiddenLayerSizes, []int{5}) || s.Alpha != NoPenalty || !s.NoShuffle || s.Seed != 3 ||
		!s.BalancedClassWeight || s.Preprocess.Impute != ImputeMedian || !s.EarlyStopping {
		t.Errorf("WithParams: %+v, %v", s, err)
	}
}

// Every name of ScoringByName is a name of mlp.MetricByName whose metric
// is larger-is-better and reads the task's targets, so that a name has
// one formula; the metrics' own names that scikit-learn does not use as
// scorers are refused.
func TestScoringNamesAreMetrics(t *testing.T) {
	for _, name := range ScoringNames() {
		m, err := mlp.MetricByName(name)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		task, _ := ScoringTask(name)
		want := map[Task]mlp.TargetKind{Classification: mlp.ClassLabels, Regression: mlp.RealValues}[task]
		if r, ok := m.(mlp.TargetReader); !ok || r.ReadsTargets() != want {
			t.Errorf("%s: task %v; the metric reads other targets", name, task)
		}
		if g, ok := m.(mlp.Goaler); !ok || g.Goal() != mlp.Maximize {
			t.Errorf("%s: the metric is not larger-is-better", name)
		}
	}
	for _, name := range []string{"rmse", "mae", "log_loss", "macro_f1", "macro_precision", "macro_recall"} {
		_, err := ScoringByName(name)
		testkit.ErrorContains(t, err, mlp.ErrSetting, "unknown scoring")
	}
}
