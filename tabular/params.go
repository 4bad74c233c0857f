package tabular

import (
	"cmp"
	"encoding/json"
	"fmt"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/mlpkit/mlp"
)

// Parameterized is an estimator that gives its parameters by name, as
// scikit-learn's get_params: GridResult.Params holds them per candidate.
// The map is new on each call.
type Parameterized interface {
	Params() map[string]any
}

var (
	_ Parameterized = MLPClassifier{}
	_ Parameterized = MLPRegressor{}
)

// Params returns the classifier's settings by scikit-learn's parameter
// names, with the defaults filled in: hidden_layer_sizes ([]int),
// activation, solver ("adam"), impute (strings), alpha (0 for NoPenalty),
// learning_rate_init, beta_1, beta_2, epsilon, tol, validation_fraction
// (float64), batch_size ("auto" or an int), max_iter, n_iter_no_change
// (int), shuffle, early_stopping, warm_start (bool, true with
// WarmStart or InitialWeights), random_state (uint64, the Seed), and, when set,
// dtype ("float64" or "float32"), class_weight ("balanced" or a
// map[string]float64), early_stopping_monitor (MLPSettings.EarlyStoppingMonitor) and validation_rows
// (their number). Settings that are not valid are given as they are, a
// zero where the default would be. MLPSettings.WithParams reads the same
// names; Provenance.Settings records the same as text.
func (c MLPClassifier) Params() map[string]any { return MLPSettings(c).params() }

// Params returns the regressor's settings by scikit-learn's parameter
// names, as MLPClassifier.Params does.
func (r MLPRegressor) Params() map[string]any { return MLPSettings(r).params() }

// params returns s by scikit-learn's parameter names (MLPClassifier.Params).
func (s MLPSettings) params() map[string]any {
	d, err := s.resolve("MLPSettings")
	if err != nil {
		d = mlpDefaults{MLPSettings: s, hidden: s.HiddenLayerSizes}
	}
	return d.params()
}

// params returns the resolved settings by scikit-learn's parameter names.
func (d *mlpDefaults) params() map[string]any {
	var batch any = "auto"
	if d.BatchSize > 0 {
		batch = d.BatchSize
	}
	alpha := d.Alpha
	if alpha == NoPenalty {
		alpha = 0
	}
	p := map[string]any{
		"hidden_layer_sizes":  slices.Clone(d.hidden),
		"activation":          cmp.Or(d.Activation, "relu"),
		"solver":              "adam",
		"alpha":               alpha,
		"batch_size":          batch,
		"learning_rate_init":  d.LearningRateInit,
		"beta_1":              d.Beta1,
		"beta_2":              d.Beta2,
		"epsilon":             d.Epsilon,
		"max_iter":            d.MaxIter,
		"tol":                 d.Tol,
		"n_iter_no_change":    d.NIterNoChange,
		"shuffle":             !d.NoShuffle,
		"early_stopping":      d.EarlyStopping,
		"validation_fraction": d.ValidationFraction,
		"warm_start":          d.InitialWeights != nil || d.WarmStart != nil, // WarmStart sets InitialWeights
		"random_state":        d.Seed,
		"impute":              d.Preprocess.Impute.String(),
		"dtype":               d.DType.String(),
	}
	if d.ValidationRows != nil {
		p["validation_rows"] = len(d.ValidationRows)
	}
	if d.EarlyStoppingMonitor != "" {
		p["early_stopping_monitor"] = d.EarlyStoppingMonitor
	}
	switch {
	case d.BalancedClassWeight:
		p["class_weight"] = "balanced"
	case d.ClassWeight != nil:
		p["class_weight"] = maps.Clone(d.ClassWeight)
	}
	return p
}

// paramText writes a value of Params as Provenance.Settings records it:
// numbers in the shortest form that reads back, widths and class weights
// joined by commas.
func paramText(v any) string {
	switch v := v.(type) {
	case string:
		return v
	case bool:
		return strconv.FormatBool(v)
	case int:
		return strconv.Itoa(v)
	case uint64:
		return strconv.FormatUint(v, 10)
	case float64:
		return strconv.FormatFloat(v, 'g', -1, 64)
	case []int:
		s := make([]string, len(v))
		for i, h := range v {
			s[i] = strconv.Itoa(h)
		}
		return strings.Join(s, ",")
	case map[string]float64:
		keys := slices.Sorted(maps.Keys(v))
		parts := make([]string, len(keys))
		for i, k := range keys {
			parts[i] = k + "=" + paramText(v[k])
		}
		return strings.Join(parts, ",")
	}
	return fmt.Sprint(v)
}

// ParamNames are the parameter names WithParams sets, sorted.
var paramNames = []string{
	"activation", "alpha", "batch_size", "beta_1", "beta_2", "class_weight", "dtype", "early_stopping", "early_stopping_monitor",
	"epsilon",
	"hidden_layer_sizes", "impute", "learning_rate_init", "max_iter", "n_iter_no_change", "random_state",
	"shuffle", "solver", "tol", "validation_fraction", "warm_start",
}

// WithParams returns s with the parameters p set, by scikit-learn's names
// as Params gives them (scikit-learn's set_params), p being as
// encoding/json decodes a JSON object (with or without
// json.Decoder.UseNumber) or holding Go values of Params' types:
//
//	hidden_layer_sizes   a list of widths ≥ 1 ([] for none), or one width
//	activation           "relu", "tanh", "logistic" or "identity"
//	solver               "adam", the only one
//	alpha                a number ≥ 0 (0 trains without a penalty: NoPenalty)
//	batch_size           "auto" or an integer ≥ 1
//	learning_rate_init, epsilon, tol   a number > 0
//	beta_1, beta_2, validation_fraction   a number in (0, 1)
//	max_iter, n_iter_no_change   an integer ≥ 1
//	shuffle, early_stopping      true or false
//	early_stopping_monitor  a name of EarlyStoppingMonitors, such as "val_balanced_accuracy"
//	random_state         an integer ≥ 0 (the Seed)
//	class_weight         "balanced", an object of class weights, or null
//	impute               "mean", "median" or "most_frequent"
//	dtype                "float64" or "float32" (MLPSettings.DType, PyTorch's names)
//	warm_start           false (neither WarmStart nor InitialWeights), or true where one is set
//
// It returns an error wrapping mlp.ErrSetting that names the parameter for
// a name it does not know (listing those it does) or a value of the wrong
// type or range. s is not changed.
func (s MLPSettings) WithParams(p map[string]any) (MLPSettings, error) {
	s.HiddenLayerSizes = slices.Clone(s.HiddenLayerSizes)
	s.ClassWeight = maps.Clone(s.ClassWeight)
	for _, name := range slices.Sorted(maps.Keys(p)) {
		if err := s.setParam(name, p[name]); err != nil {
			return MLPSettings{}, fmt.Errorf("%w: parameter %s: %v", mlp.ErrSetting, quote(name), err)
		}
	}
	return s, nil
}

// setParam sets the parameter name to v, or returns what is wrong.
func (s *MLPSettings) setParam(name string, v any) error {
	var err error
	switch name {
	case "hidden_layer_sizes":
		s.HiddenLayerSizes, err = widthsParam(v)
	case "activation":
		s.Activation, err = choiceParam(v, "relu", "tanh", "logistic", "identity")
	case "solver":
		_, err = choiceParam(v, "adam")
	case "impute":
		var m string
		if m, err = choiceParam(v, "mean", "median", "most_frequent"); err == nil {
			s.Preprocess.Impute = Imputation(slices.Index([]string{"mean", "median", "most_frequent"}, m))
		}
	case "dtype":
		var t string
		if t, err = choiceParam(v, "float64", "float32"); err == nil {
			s.DType = mlp.Float64
			if t == "float32" {
				s.DType = mlp.Float32
			}
		}
	case "alpha":
		if s.Alpha, err = floatParam(v, 0, math.Inf(1), true); err == nil && s.Alpha == 0 {
			s.Alpha = NoPenalty
		}
	case "batch_size":
		if v == "auto" {
			s.BatchSize = 0
		} else if s.BatchSize, err = intParam(v, 1); err != nil {
			err = fmt.Errorf(`%v, or "auto"`, err)
		}
	case "learning_rate_init":
		s.LearningRateInit, err = floatParam(v, 0, math.Inf(1), false)
	case "epsilon":
		s.Epsilon, err = floatParam(v, 0, math.Inf(1), false)
	case "tol":
		s.Tol, err = floatParam(v, 0, math.Inf(1), false)
	case "beta_1":
		s.Beta1, err = floatParam(v, 0, 1, false)
	case "beta_2":
		s.Beta2, err = floatParam(v, 0, 1, false)
	case "validation_fraction":
		s.ValidationFraction, err = floatParam(v, 0, 1, false)
	case "max_iter":
		s.MaxIter, err = intParam(v, 1)
	case "n_iter_no_change":
		s.NIterNoChange, err = intParam(v, 1)
	case "shuffle":
		var b bool
		b, err = boolParam(v)
		s.NoShuffle = !b
	case "early_stopping":
		s.EarlyStopping, err = boolParam(v)
	case "early_stopping_monitor":
		var names []string
		for _, t := range []Task{Classification, Regression} {
			names = append(names, EarlyStoppingMonitors(t)...)
		}
		slices.Sort(names)
		s.EarlyStoppingMonitor, err = choiceParam(v, slices.Compact(names)...)
	case "random_state":
		var n int
		if n, err = intParam(v, 0); err == nil {
			s.Seed = uint64(n)
		}
	case "class_weight":
		err = s.setClassWeight(v)
	case "warm_start":
		var b bool
		if b, err = boolParam(v); err == nil && b && s.InitialWeights == nil && s.WarmStart == nil {
			err = fmt.Errorf("true needs what to start from: set MLPSettings.WarmStart or InitialWeights")
		} else if !b {
			s.InitialWeights, s.WarmStart = nil, nil
		}
	default:
		return fmt.Errorf("not a parameter of MLPClassifier or MLPRegressor; the parameters are %s", strings.Join(paramNames, ", "))
	}
	return err
}

// setClassWeight sets class_weight: "balanced", an object of weights, or
// nil.
func (s *MLPSettings) setClassWeight(v any) error {
	s.ClassWeight, s.BalancedClassWeight = nil, false
	switch w := v.(type) {
	case nil:
		return nil
	case string:
		if w != "balanced" {
			return fmt.Errorf(`%s; want "balanced", an object of class weights, or null`, quote(w))
		}
		s.BalancedClassWeight = true
		return nil
	case map[string]float64:
		s.ClassWeight = maps.Clone(w)
		return nil
	case map[string]any:
		s.ClassWeight = make(map[string]float64, len(w))
		for _, k := range slices.Sorted(maps.Keys(w)) {
			f, err := floatParam(w[k], 0, math.Inf(1), true)
			if err != nil {
				return fmt.Errorf("class %s: %v", quote(k), err)
			}
			s.ClassWeight[k] = f
		}
		return nil
	}
	return fmt.Errorf(`%s; want "balanced", an object of class weights, or null`, valueText(v))
}

// valueText writes a parameter's value in a message, as JSON where it can.
func valueText(v any) string {
	if b, err := json.Marshal(v); err == nil {
		return string(b)
	}
	return fmt.Sprint(v)
}

// number returns v as a float64 when it is a number: a json.Number, a
// float64 or an int.
func number(v any) (float64, bool) {
	switch n := v.(type) {
	case json.Number:
		f, err := n.Float64()
		return f, err == nil
	case float64:
		return n, true
	case int:
		return float64(n), true
	case uint64:
		return float64(n), true
	}
	return 0, false
}

// floatParam returns v as a number in (lo, hi), or [lo, hi) with closed.
func floatParam(v any, lo, hi float64, closed bool) (float64, error) {
	f, ok := number(v)
	if !ok || math.IsNaN(f) || f >= hi || f < lo || f == lo && !closed {
		open := "("
		if closed {
			open = "["
		}
		return 0, fmt.Errorf("%s; want a number in %s%v, %v)", valueText(v), open, lo, hi)
	}
	return f, nil
}

// intParam returns v as an integer ≥ lo.
func intParam(v any, lo int) (int, error) {
	f, ok := number(v)
	if !ok || f != math.Trunc(f) || f < float64(lo) || f > 1<<53 {
		return 0, fmt.Errorf("%s; want an integer ≥ %d", valueText(v), lo)
	}
	return int(f), nil
}

// boolParam returns v as a bool.
func boolParam(v any) (bool, error) {
	b, ok := v.(bool)
	if !ok {
		return false, fmt.Errorf("%s; want true or false", valueText(v))
	}
	return b, nil
}

// choiceParam returns v when it is one of the texts choices.
func choiceParam(v any, choices ...string) (string, error) {
	s, ok := v.(string)
	if !ok || !slices.Contains(choices, s) {
		return "", fmt.Errorf("%s; want %s", valueText(v), listNames(choices))
	}
	return s, nil
}

// widthsParam returns v as hidden layer widths: a list of integers ≥ 1, or
// one.
func widthsParam(v any) ([]int, error) {
	switch w := v.(type) {
	case []int:
		for _, h := range w {
			if h < 1 {
				return nil, fmt.Errorf("%s; want widths ≥ 1", valueText(v))
			}
		}
		return slices.Clone(w), nil
	case []any:
		out := make([]int, len(w))
		for i, h := range w {
			n, err := intParam(h, 1)
			if err != nil {
				return nil, fmt.Errorf("%s: width %d: %v", valueText(v), i, err)
			}
			out[i] = n
		}
		return out, nil
	}
	if _, ok := number(v); ok {
		n, err := intParam(v, 1)
		return []int{n}, err
	}
	return nil, fmt.Errorf("%s; want a list of widths such as [100] or [64, 32]", valueText(v))
}
