package tabular

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/mlpkit/mlp"
	"github.com/mlpkit/mlp/internal/testkit"
)

// sklearnParamGridCase is a case of testdata/sklearn/paramgrid.json,
// written by gen_paramgrid.py.
type sklearnParamGridCase struct {
	Name      string          `json:"name"`
	ParamGrid json.RawMessage `json:"param_grid"`
	Expanded  json.RawMessage `json:"expanded"`
	Error     string          `json:"error"`
}

// ParamGrid.Expand gives scikit-learn 1.2.1's ParameterGrid: the same sets
// in the same order (sorted names, the last varying fastest, grid after
// grid), and refuses the grids it refuses.
func TestParamGridAsScikitLearn(t *testing.T) {
	for _, c := range testkit.SklearnCases[sklearnParamGridCase](t, "paramgrid.json", 14) {
		t.Run(c.Name, func(t *testing.T) {
			var g ParamGrid
			err := decodeNumbers(c.ParamGrid, &g)
			var sets []map[string]any
			if err == nil {
				sets, err = g.Expand()
			}
			if c.Error != "" {
				if err == nil {
					t.Fatalf("expanded to %v; scikit-learn refuses: %s", sets, c.Error)
				}
				if !strings.Contains(err.Error(), `parameter "alpha"`) {
					t.Errorf("error %q does not name the parameter", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var want []map[string]any
			if err := decodeNumbers(c.Expanded, &want); err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(sets, want) {
				t.Errorf("Expand\n%v\nscikit-learn\n%v", sets, want)
			}
		})
	}
}

const goodSpec = `{"estimator": "classifier", "target": "species",
 "params": {"max_iter": 5, "random_state": 1},
 "param_grid": [{"hidden_layer_sizes": [[4], [8, 4]], "alpha": [1e-4, 0]}, {"activation": ["tanh"]}],
 "cv": 3, "shuffle": true, "seed": 4, "scoring": "f1_macro", "refit": false,
 "sep": ";", "na": ["?"], "categorical": ["c"], "ignore": ["id"]}`

// ReadGridSpec reads every key; Candidates applies params then each set;
// CVSettings and CSVReader follow the keys.
func TestReadGridSpec(t *testing.T) {
	g, err := ReadGridSpec(strings.NewReader(goodSpec), "grid.json")
	if err != nil {
		t.Fatal(err)
	}
	cands, sets, err := g.Candidates(AutoTask)
	if err != nil {
		t.Fatal(err)
	}
	if len(cands) != 5 || len(sets) != 5 {
		t.Fatalf("%d candidates, %d sets; want 5", len(cands), len(sets))
	}
	c1, ok := cands[1].(MLPClassifier)
	if !ok || !reflect.DeepEqual(c1.HiddenLayerSizes, []int{8, 4}) || c1.Alpha != 1e-4 || c1.MaxIter != 5 || c1.Seed != 1 {
		t.Errorf("candidate 1: %+v", cands[1])
	}
	if c2 := cands[2].(MLPClassifier); c2.Alpha != NoPenalty || !reflect.DeepEqual(c2.HiddenLayerSizes, []int{4}) {
		t.Errorf("candidate 2: %+v", c2)
	}
	if c4 := cands[4].(MLPClassifier); c4.Activation != "tanh" || c4.HiddenLayerSizes != nil || c4.MaxIter != 5 {
		t.Errorf("candidate 4: %+v", c4)
	}
	s, err := g.CVSettings(AutoTask)
	if err != nil || s.K != 3 || !s.Stratify || !s.Shuffle || s.Seed != 4 || !s.NoRefit || s.Scoring == nil {
		t.Errorf("CVSettings %+v, %v", s, err)
	}
	rd := g.CSVReader(strings.NewReader(""))
	if rd.Comma != ';' || rd.Task != Classification || !reflect.DeepEqual(rd.Targets, []string{"species"}) ||
		!reflect.DeepEqual(rd.NA, []string{"?"}) || !reflect.DeepEqual(rd.Categorical, []string{"c"}) || !reflect.DeepEqual(rd.Ignore, []string{"id"}) {
		t.Errorf("CSVReader %+v", rd)
	}
	// Without an estimator, the task given decides, and stratify follows it.
	g, err = ReadGridSpec(strings.NewReader(`{"param_grid": {"alpha": [0.1]}}`), "g.json")
	if err != nil {
		t.Fatal(err)
	}
	cands, _, _ = g.Candidates(Regression)
	if _, ok := cands[0].(MLPRegressor); !ok {
		t.Errorf("candidate %T; want MLPRegressor", cands[0])
	}
	if s, _ := g.CVSettings(Regression); s.Stratify || s.K != 0 || s.NoRefit {
		t.Errorf("CVSettings %+v", s)
	}
	// The spec written back reads back the same.
	b, err := json.Marshal(g)
	if err != nil {
		t.Fatal(err)
	}
	if again, err := ReadGridSpec(bytes.NewReader(b), "again"); err != nil || !reflect.DeepEqual(again, g) {
		t.Errorf("%s reads back as %+v, %v", b, again, err)
	}
}

// Unknown keys, wrong types and values that cannot work are errors naming
// the file and the key.
func TestReadGridSpecErrors(t *testing.T) {
	for _, c := range []struct{ spec, says string }{
		{`{"param_grid": {}, "folds": 3}`, `unknown key "folds"; the keys are categorical, cv, estimator`},
		{`{"param_grid": {}, "cv": "five"}`, `key "cv": "five"; want an integer ≥ 2`},
		{`{"param_grid": {}, "cv": 1}`, `key "cv": 1; want an integer ≥ 2`},
		{`{"param_grid": {}, "seed": -1}`, `key "seed": -1; want an integer ≥ 0`},
		{`{"param_grid": {}, "shuffle": "yes"}`, `key "shuffle": "yes"; want true or false`},
		{`{"param_grid": {}, "estimator": "forest"}`, `key "estimator": "forest"; want "classifier" or "regressor"`},
		{`{"param_grid": {}, "sep": ";;"}`, `key "sep": ";;"; want one character`},
		{`{"param_grid": {}, "target": [""]}`, `key "target": [""]`},
		{`{"param_grid": {}, "scoring": "roc"}`, `key "scoring": "roc"; want a scoring name: accuracy, average_precision, balanced_accuracy, f1_macro`},
		{`{"param_grid": {}, "scoring": "r2", "estimator": "classifier"}`, `"r2" scores a regression model; the estimator is a classifier`},
		{`{"cv": 3}`, `no key "param_grid"`},
		{`{"param_grid": {"alpha": 0.1}}`, `key "param_grid": parameter "alpha": 0.1 is not a list; a single value is a list of one, such as [0.1]`},
		{`{"param_grid": {"alpha": []}}`, `key "param_grid": mlp: invalid setting: param_grid[0]: parameter "alpha" has no values`},
		{`{"param_grid": [{"alpha": [0.1]}, {"momentum": [0.9]}]}`, `key "param_grid": candidate 1: mlp: invalid setting: parameter "momentum": not a parameter`},
		{`{"param_grid": {"alpha": [0.1, -2]}}`, `candidate 1: mlp: invalid setting: parameter "alpha": -2; want a number in [0, +Inf)`},
		{`{"param_grid": {}, "params": {"max_iter": 0}}`, `key "params": mlp: invalid setting: parameter "max_iter": 0; want an integer ≥ 1`},
		{`{"param_grid": 3}`, `key "param_grid": want an object of parameter lists`},
		{`[1, 2]`, `not a JSON object`},
		{`{"param_grid": {}`, `not a JSON object`},
	} {
		_, err := ReadGridSpec(strings.NewReader(c.spec), "grid.json")
		testkit.ErrorContains(t, err, mlp.ErrSetting, "grid spec grid.json: ", c.says)
	}
	_, err := ReadGridSpec(strings.NewReader(`{"param_grid": {"a": ["`+strings.Repeat("x", maxSpecBytes)+`"]}}`), "big.json")
	testkit.ErrorContains(t, err, mlp.ErrSetting, "big.json: more than 1048576 bytes")
	g, _ := ReadGridSpec(strings.NewReader(`{"param_grid": {}, "scoring": "accuracy"}`), "g.json")
	_, err = g.CVSettings(Regression)
	testkit.ErrorContains(t, err, mlp.ErrSetting, `scoring "accuracy" scores a classification model; the target is regression`)
}
