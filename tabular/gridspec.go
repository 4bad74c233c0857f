package tabular

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/mlpkit/mlp"
)

// ParamGrid is scikit-learn's param_grid: a list of grids, each mapping a
// parameter name to the values to try. In JSON it is one object or a list
// of objects, each value a list: {"alpha": [1e-4, 1e-2]}.
type ParamGrid []map[string][]any

// Expand returns the parameter sets of g in the order of scikit-learn's
// ParameterGrid: grid after grid, and within a grid every combination of
// its values with the names in sorted order, the last name varying
// fastest; a grid without names gives one empty set. The sets share
// their values with g. It returns an error wrapping mlp.ErrSetting, naming
// the parameter, for a name with no values.
func (g ParamGrid) Expand() ([]map[string]any, error) {
	var sets []map[string]any
	for i, grid := range g {
		names := slices.Sorted(maps.Keys(grid))
		for _, n := range names {
			if len(grid[n]) == 0 {
				return nil, fmt.Errorf("%w: param_grid[%d]: parameter %s has no values; want a non-empty list", mlp.ErrSetting, i, quote(n))
			}
		}
		at := make([]int, len(names)) // the value of each name, an odometer
		for {
			set := make(map[string]any, len(names))
			for j, n := range names {
				set[n] = grid[n][at[j]]
			}
			sets = append(sets, set)
			j := len(names) - 1
			for ; j >= 0; j-- {
				if at[j]++; at[j] < len(grid[names[j]]) {
					break
				}
				at[j] = 0
			}
			if j < 0 {
				break
			}
		}
	}
	return sets, nil
}

// UnmarshalJSON reads one grid object or a list of them, numbers as
// json.Number. A value that is not a list is an error naming the
// parameter, as scikit-learn's ParameterGrid refuses it.
func (g *ParamGrid) UnmarshalJSON(b []byte) error {
	var raw []map[string]json.RawMessage
	if bytes.HasPrefix(bytes.TrimSpace(b), []byte("{")) {
		var one map[string]json.RawMessage
		if err := json.Unmarshal(b, &one); err != nil {
			return err
		}
		raw = []map[string]json.RawMessage{one}
	} else if err := json.Unmarshal(b, &raw); err != nil {
		return fmt.Errorf("want an object of parameter lists, or a list of such objects")
	}
	out := make(ParamGrid, len(raw))
	for i, grid := range raw {
		if grid == nil {
			return fmt.Errorf("grid %d is null; want an object of parameter lists", i)
		}
		out[i] = make(map[string][]any, len(grid))
		for _, name := range slices.Sorted(maps.Keys(grid)) {
			var v any
			if err := decodeNumbers(grid[name], &v); err != nil {
				return err
			}
			list, ok := v.([]any)
			if !ok {
				return fmt.Errorf("parameter %s: %s is not a list; a single value is a list of one, such as [%s]", quote(name), cut(grid[name]), cut(grid[name]))
			}
			out[i][name] = list
		}
	}
	*g = out
	return nil
}

// decodeNumbers decodes the JSON b into v with numbers as json.Number.
func decodeNumbers(b []byte, v any) error {
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	return d.Decode(v)
}

// cut returns the JSON text b in a message, cut to 60 bytes.
func cut(b []byte) string {
	s := string(bytes.TrimSpace(b))
	if len(s) > 60 {
		i := 57
		for i > 0 && !utf8.RuneStart(s[i]) {
			i--
		}
		s = s[:i] + "..."
	}
	return s
}

// GridSpec is a grid search written as a JSON file, the format the mlp
// command's grid reads (each worker of a cluster's batch system too):
//
//	{"estimator": "classifier", "target": ["species"],
//	 "params": {"max_iter": 50, "random_state": 1},
//	 "param_grid": {"hidden_layer_sizes": [[50], [100]], "alpha": [1e-4, 1e-2]},
//	 "cv": 5, "scoring": "accuracy"}
//
// The keys, all optional but param_grid:
//
//	estimator    "classifier" or "regressor"; by default the target decides (InferTask)
//	target       the target columns, a list or one name
//	params       parameters of every candidate (MLPSettings.WithParams)
//	param_grid   the parameters to try (ParamGrid), each combination one candidate
//	cv           the number of folds, at least 2 (default 5)
//	stratify     stratified folds (default true for a classifier, false for a regressor)
//	shuffle      shuffle the rows before the folds are cut (default false), with
//	seed         the seed of that shuffle (default 0; the candidates' own seed is random_state)
//	scoring      a name of ScoringNames (default: the estimator's Score, accuracy or r2)
//	refit        fit the best candidate on all rows (default true)
//	sep, na, categorical, ignore   how the CSV file is read (CSVReader's Comma, NA, Categorical, Ignore)
//
// The spec, with the data, determines every fit and score: two processes
// reading the same spec and data compute the same bits.
type GridSpec struct {
	Estimator   string         `json:"estimator,omitempty"`
	Target      []string       `json:"target,omitempty"`
	Params      map[string]any `json:"params,omitempty"`
	ParamGrid   ParamGrid      `json:"param_grid"`
	CV          int            `json:"cv,omitempty"`
	Stratify    *bool          `json:"stratify,omitempty"`
	Shuffle     bool           `json:"shuffle,omitempty"`
	Seed        uint64         `json:"seed,omitempty"`
	Scoring     string         `json:"scoring,omitempty"`
	Refit       *bool          `json:"refit,omitempty"`
	Sep         string         `json:"sep,omitempty"`
	NA          []string       `json:"na,omitempty"`
	Categorical []string       `json:"categorical,omitempty"`
	Ignore      []string       `json:"ignore,omitempty"`
}

// specKeys say what each key of a grid spec holds, for messages.
var specKeys = map[string]string{
	"estimator":   `"classifier" or "regressor"`,
	"target":      "a list of column names, or one name",
	"params":      "an object of parameters",
	"param_grid":  "an object of parameter lists, or a list of such objects",
	"cv":          "an integer ≥ 2",
	"stratify":    "true or false",
	"shuffle":     "true or false",
	"seed":        "an integer ≥ 0",
	"scoring":     "a scoring name: " + strings.Join(ScoringNames(), ", "),
	"refit":       "true or false",
	"sep":         "one character",
	"na":          "a list of texts",
	"categorical": "a list of column names",
	"ignore":      "a list of column names",
}

// ReadGridSpec reads a grid spec (GridSpec) from r, name naming it in
// errors. It returns an error wrapping mlp.ErrSetting that names the file
// and the key for a key it does not know (listing those it does), a value
// of the wrong type or range, a parameter MLPSettings.WithParams refuses
// (in params or in any set of param_grid), a scoring for the other task
// than estimator, or a missing param_grid.
func ReadGridSpec(r io.Reader, name string) (*GridSpec, error) {
	b, err := io.ReadAll(io.LimitReader(r, maxSpecBytes+1))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	bad := func(format string, args ...any) error {
		return fmt.Errorf("%w: grid spec %s: %s", mlp.ErrSetting, name, fmt.Sprintf(format, args...))
	}
	if len(b) > maxSpecBytes {
		return nil, bad("more than %d bytes", maxSpecBytes)
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(b, &raw); err != nil || raw == nil {
		return nil, bad("not a JSON object: %v", err)
	}
	g := &GridSpec{}
	fields := map[string]any{
		"estimator": &g.Estimator, "target": &g.Target, "params": &g.Params, "param_grid": &g.ParamGrid,
		"cv": &g.CV, "stratify": &g.Stratify, "shuffle": &g.Shuffle, "seed": &g.Seed, "scoring": &g.Scoring,
		"refit": &g.Refit, "sep": &g.Sep, "na": &g.NA, "categorical": &g.Categorical, "ignore": &g.Ignore,
	}
	for _, key := range slices.Sorted(maps.Keys(raw)) {
		f, ok := fields[key]
		if !ok {
			return nil, bad("unknown key %s; the keys are %s", quote(key), strings.Join(slices.Sorted(maps.Keys(specKeys)), ", "))
		}
		v := raw[key]
		if key == "target" && bytes.HasPrefix(bytes.TrimSpace(v), []byte(`"`)) {
			v = append(append([]byte("["), v...), ']')
		}
		if err := decodeNumbers(v, f); err != nil {
			if key == "param_grid" {
				return nil, bad("key %s: %v", quote(key), strings.TrimPrefix(err.Error(), "json: "))
			}
			return nil, bad("key %s: %s; want %s", quote(key), cut(raw[key]), specKeys[key])
		}
	}
	if err := g.check(); err != nil {
		return nil, bad("%v", err)
	}
	return g, nil
}

// maxSpecBytes caps a grid spec file.
const maxSpecBytes = 1 << 20

// check returns what is wrong with g, naming the key.
func (g *GridSpec) check() error {
	want := func(key string, v any) error {
		return fmt.Errorf("key %s: %s; want %s", quote(key), valueText(v), specKeys[key])
	}
	switch {
	case g.ParamGrid == nil:
		return fmt.Errorf("no key %q: the parameters to try, such as {\"alpha\": [0.0001, 0.01]}", "param_grid")
	case !slices.Contains([]string{"", "classifier", "regressor"}, g.Estimator):
		return want("estimator", g.Estimator)
	case g.CV < 0 || g.CV == 1:
		return want("cv", g.CV)
	case g.Sep != "" && utf8.RuneCountInString(g.Sep) != 1:
		return want("sep", g.Sep)
	}
	for _, t := range g.Target {
		if strings.TrimSpace(t) == "" {
			return want("target", g.Target)
		}
	}
	if g.Scoring != "" {
		task, ok := ScoringTask(g.Scoring)
		if !ok {
			return want("scoring", g.Scoring)
		}
		if g.Estimator != "" && task != g.task() {
			return fmt.Errorf("key \"scoring\": %s scores a %v model; the estimator is a %s", quote(g.Scoring), task, g.Estimator)
		}
	}
	base, err := MLPSettings{}.WithParams(g.Params)
	if err != nil {
		return fmt.Errorf("key \"params\": %v", err)
	}
	sets, err := g.ParamGrid.Expand()
	if err != nil {
		return fmt.Errorf("key \"param_grid\": %v", err)
	}
	for i, set := range sets {
		if _, err := base.WithParams(set); err != nil {
			return fmt.Errorf("key \"param_grid\": candidate %d: %v", i, err)
		}
	}
	return nil
}

// task returns the task estimator names, or AutoTask.
func (g *GridSpec) task() Task {
	switch g.Estimator {
	case "classifier":
		return Classification
	case "regressor":
		return Regression
	}
	return AutoTask
}

// CSVReader returns a CSVReader of r set as the spec says: its target
// columns, the task its estimator implies (AutoTask without one), and its
// sep, na, categorical and ignore keys.
func (g *GridSpec) CSVReader(r io.Reader) *CSVReader {
	rd := NewCSVReader(r)
	if g.Sep != "" {
		rd.Comma, _ = utf8.DecodeRuneInString(g.Sep)
	}
	rd.Targets = slices.Clone(g.Target)
	rd.Task = g.task()
	rd.NA = slices.Clone(g.NA)
	rd.Categorical = slices.Clone(g.Categorical)
	rd.Ignore = slices.Clone(g.Ignore)
	return rd
}

// Candidates returns the estimators of the spec, one per parameter set of
// ParamGrid.Expand in its order, each MLPSettings with params and then the
// set applied: MLPClassifiers for the estimator "classifier" (or, without
// one, for task Classification), MLPRegressors otherwise. It also returns
// the sets, scikit-learn's cv_results_["params"]. Its errors are those of
// the spec's check (ReadGridSpec), wrapping mlp.ErrSetting.
func (g *GridSpec) Candidates(task Task) ([]Estimator[*FittedMLP], []map[string]any, error) {
	if err := g.check(); err != nil {
		return nil, nil, fmt.Errorf("%w: grid spec: %v", mlp.ErrSetting, err)
	}
	if t := g.task(); t != AutoTask {
		task = t
	}
	base, _ := MLPSettings{}.WithParams(g.Params)
	sets, _ := g.ParamGrid.Expand()
	cands := make([]Estimator[*FittedMLP], len(sets))
	for i, set := range sets {
		s, _ := base.WithParams(set)
		if task == Classification {
			cands[i] = MLPClassifier(s)
		} else {
			cands[i] = MLPRegressor(s)
		}
	}
	return cands, sets, nil
}

// CVSettings returns the cross-validation the spec describes for a model
// of the given task (the estimator's, when the spec names one): cv folds,
// stratified by default for a classifier, the shuffle and its seed, the
// scoring (ScoringByName) and NoRefit for "refit": false.
func (g *GridSpec) CVSettings(task Task) (CVSettings, error) {
	if t := g.task(); t != AutoTask {
		task = t
	}
	s := CVSettings{K: g.CV, Stratify: task == Classification, Shuffle: g.Shuffle, Seed: g.Seed, NoRefit: g.Refit != nil && !*g.Refit}
	if g.Stratify != nil {
		s.Stratify = *g.Stratify
	}
	if g.Scoring != "" {
		sc, err := ScoringByName(g.Scoring)
		if err != nil {
			return CVSettings{}, err
		}
		if st, _ := ScoringTask(g.Scoring); st != task {
			return CVSettings{}, fmt.Errorf("%w: grid spec: scoring %s scores a %v model; the target is %v", mlp.ErrSetting, quote(g.Scoring), st, task)
		}
		s.Scoring = sc
	}
	return s, nil
}
