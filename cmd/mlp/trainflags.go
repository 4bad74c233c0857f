package main

import (
	"flag"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/mlpkit/mlp"
	"github.com/mlpkit/mlp/tabular"
)

// estimatorFlags are train's flags for the estimator's settings beyond
// -hidden, -epochs, -batch and -lr, and for weights.
type estimatorFlags struct {
	alpha, tol, validationFraction *float64
	activation, impute, weight     *string
	monitor                        *string
	earlyStopping, float32         *bool
	nIterNoChange                  *int
	classWeight                    classWeightFlag
}

// addEstimatorFlags registers the flags on fs.
func addEstimatorFlags(fs *flag.FlagSet) *estimatorFlags {
	f := &estimatorFlags{}
	f.alpha = fs.Float64("alpha", 0, "L2 penalty `strength`, ≥ 0; 0 trains without a penalty (default: the estimator's, 0.0001)")
	f.activation = fs.String("activation", "", "hidden layers' `function`: relu, tanh, logistic or identity (default: the estimator's, relu)")
	f.earlyStopping = fs.Bool("early-stopping", false, "hold out -validation-fraction of the training rows, stop when their score (accuracy or R², or the figure -monitor names) stops improving by -tol for -n-iter-no-change epochs, keep the best epoch's weights")
	f.monitor = addMonitorFlag(fs)
	f.validationFraction = fs.Float64("validation-fraction", 0, "the `fraction` of training rows -early-stopping holds out, in (0, 1) (default: the estimator's, 0.1)")
	f.nIterNoChange = fs.Int("n-iter-no-change", 0, "`epochs` without an improvement of -tol before training stops, at least 1 (default: the estimator's, 10)")
	f.tol = fs.Float64("tol", 0, "the smallest improvement of the loss (or with -early-stopping the validation score) that counts, positive (default: the estimator's, 0.0001)")
	f.impute = fs.String("impute", "", "how missing numeric cells are filled: mean, median or most_frequent (default: mean)")
	fs.Var(&f.classWeight, "class-weight", "weigh the training rows by class: balanced (n/(classes·count of the class)) or `class=weight,...` (classes left out weigh 1); classification only; the validation figures stay unweighted")
	f.float32 = fs.Bool("float32", false, "train in float32: mixed precision, float32 forward and backward passes with float64 master weights; the model file holds float64 weights and predicts in float64")
	f.weight = fs.String("weight", "", "a numeric `column` of per-row sample weights (finite, ≥ 0, no missing cell): they weigh the training loss and a line of weighted validation figures; the column is not a feature")
	return f
}

// apply checks the flags given and sets them in s; a bad value is a usage
// error naming the flag.
func (f *estimatorFlags) apply(given map[string]bool, s *tabular.MLPSettings) error {
	positive := func(name string, v float64) error {
		if !(v > 0) || math.IsInf(v, 1) {
			return usagef("invalid value %v for flag -%s: must be positive and finite", v, name)
		}
		return nil
	}
	if given["alpha"] {
		switch a := *f.alpha; {
		case !(a >= 0) || math.IsInf(a, 1):
			return usagef("invalid value %v for flag -alpha: must be a finite number ≥ 0", a)
		case a == 0:
			s.Alpha = tabular.NoPenalty
		default:
			s.Alpha = a
		}
	}
	if given["activation"] {
		switch *f.activation {
		case "relu", "tanh", "logistic", "identity":
			s.Activation = *f.activation
		default:
			return usagef("invalid value %q for flag -activation: want relu, tanh, logistic or identity", *f.activation)
		}
	}
	s.EarlyStopping = *f.earlyStopping
	if err := applyMonitor(given, *f.monitor, s); err != nil {
		return err
	}
	if *f.float32 {
		s.DType = mlp.Float32
	}
	if given["validation-fraction"] {
		if v := *f.validationFraction; !(v > 0 && v < 1) {
			return usagef("invalid value %v for flag -validation-fraction: must be in (0, 1)", v)
		}
		if !s.EarlyStopping {
			return usagef("-validation-fraction needs -early-stopping")
		}
		s.ValidationFraction = *f.validationFraction
	}
	if given["n-iter-no-change"] {
		if *f.nIterNoChange < 1 {
			return usagef("invalid value %d for flag -n-iter-no-change: must be at least 1", *f.nIterNoChange)
		}
		s.NIterNoChange = *f.nIterNoChange
	}
	if given["tol"] {
		if err := positive("tol", *f.tol); err != nil {
			return err
		}
		s.Tol = *f.tol
	}
	if given["impute"] {
		i := slices.IndexFunc([]tabular.Imputation{tabular.ImputeMean, tabular.ImputeMedian, tabular.ImputeMostFrequent},
			func(m tabular.Imputation) bool { return m.String() == *f.impute })
		if i < 0 {
			return usagef("invalid value %q for flag -impute: want mean, median or most_frequent", *f.impute)
		}
		s.Preprocess.Impute = tabular.Imputation(i)
	}
	if given["weight"] && strings.TrimSpace(*f.weight) == "" {
		return usagef("invalid value \"\" for flag -weight: want a column name")
	}
	s.BalancedClassWeight = f.classWeight.balanced
	if f.classWeight.weights != nil {
		s.ClassWeight = f.classWeight.weights
	}
	return nil
}

// classWeightFlag is -class-weight: "balanced", or class=weight pairs
// separated by commas.
type classWeightFlag struct {
	balanced bool
	weights  map[string]float64
	text     string
}

func (c *classWeightFlag) String() string { return c.text }

func (c *classWeightFlag) Set(s string) error {
	*c = classWeightFlag{text: s}
	if strings.TrimSpace(s) == "balanced" {
		c.balanced = true
		return nil
	}
	c.weights = map[string]float64{}
	for _, part := range strings.Split(s, ",") {
		name, w, ok := strings.Cut(part, "=")
		name = strings.TrimSpace(name)
		if !ok || name == "" {
			return fmt.Errorf("%q is not class=weight; want balanced or class=weight,...", part)
		}
		v, err := strconv.ParseFloat(strings.TrimSpace(w), 64)
		if err != nil || !(v >= 0) || math.IsInf(v, 1) {
			return fmt.Errorf("weight %q of class %q is not a finite number ≥ 0", strings.TrimSpace(w), name)
		}
		if _, dup := c.weights[name]; dup {
			return fmt.Errorf("class %q is given twice", name)
		}
		c.weights[name] = v
	}
	return nil
}

// takeWeights removes the column named name from t's features and returns
// its values, checking that each is a finite number ≥ 0.
func takeWeights(t *tabular.Table, name string) ([]float64, error) {
	i := slices.IndexFunc(t.Features, func(c tabular.Column) bool { return c.Name == name })
	if i < 0 {
		if slices.Contains(t.TargetNames(), name) {
			return nil, usagef("-weight %s is a -target column", name)
		}
		return nil, fmt.Errorf("-weight: no column %q among the features (is it in -ignore?)", name)
	}
	c := t.Features[i]
	if c.Kind != tabular.Numeric {
		return nil, fmt.Errorf("-weight: column %q is categorical (text, or named in -categorical); weights must be numbers", name)
	}
	w := append([]float64(nil), c.Values...)
	for r, v := range w {
		if math.IsNaN(v) {
			return nil, fmt.Errorf("-weight: column %q has a missing weight in data row %d (1-based, after the header)", name, r+1)
		}
		if v < 0 || math.IsInf(v, 0) {
			return nil, fmt.Errorf("-weight: column %q has weight %v in data row %d (1-based); want a finite number ≥ 0", name, v, r+1)
		}
	}
	t.Features = slices.Delete(t.Features, i, i+1)
	return w, nil
}
