package mlp

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"

	"gonum.org/v1/gonum/mat"

	"github.com/mlpkit/mlp/internal/fmath"
)

// metricMakers maps each name MetricByName knows to a maker of a fresh
// metric: scikit-learn 1.2's scoring names and the metrics' own names.
var metricMakers = map[string]func() Metric{
	"accuracy":                    func() Metric { return &Accuracy{} },
	"balanced_accuracy":           func() Metric { return &BalancedAccuracy{} },
	"roc_auc":                     func() Metric { return &ROCAUC{} },
	"roc_auc_ovr":                 func() Metric { return &ROCAUC{} },
	"average_precision":           func() Metric { return &AveragePrecision{} },
	"log_loss":                    func() Metric { return &LogLoss{} },
	"neg_log_loss":                func() Metric { return &negated{&LogLoss{}} },
	"f1_macro":                    func() Metric { return &MacroAverage{Score: F1} },
	"precision_macro":             func() Metric { return &MacroAverage{Score: Precision} },
	"recall_macro":                func() Metric { return &MacroAverage{Score: Recall} },
	"macro_f1":                    func() Metric { return &MacroAverage{Score: F1} },
	"macro_precision":             func() Metric { return &MacroAverage{Score: Precision} },
	"macro_recall":                func() Metric { return &MacroAverage{Score: Recall} },
	"r2":                          func() Metric { return &R2{} },
	"rmse":                        func() Metric { return &RMSE{} },
	"mae":                         func() Metric { return &MAE{} },
	"neg_root_mean_squared_error": func() Metric { return &outputMean{root: true} },
	"neg_mean_squared_error":      func() Metric { return &outputMean{} },
	"neg_mean_absolute_error":     func() Metric { return &negated{&MAE{}} },
}

// MetricByName returns a new metric for a scoring name of scikit-learn 1.2
// (the scoring= strings of cross_validate and GridSearchCV) or a metric's
// own Name:
//
//	accuracy                     Accuracy (accuracy_score)
//	balanced_accuracy            BalancedAccuracy
//	roc_auc, roc_auc_ovr         ROCAUC: binary, or one-vs-rest macro for more classes
//	average_precision            AveragePrecision: binary, or one-vs-rest macro
//	neg_log_loss                 −LogLoss, named "neg_log_loss" (larger is better)
//	log_loss                     LogLoss (smaller is better)
//	f1_macro, macro_f1           MacroAverage{Score: F1}
//	precision_macro, macro_precision, recall_macro, macro_recall  likewise
//	r2                           R2
//	neg_root_mean_squared_error  −(the RMSE of each output, averaged over the outputs)
//	neg_mean_squared_error       −(the mean squared error of each output, averaged)
//	neg_mean_absolute_error      −MAE, named so
//	rmse, mae                    RMSE, MAE (smaller is better)
//
// A "neg_" metric's Value is the negated figure, exactly what scikit-learn's
// scorer of that name returns, and its Goal is Maximize; it reads the same
// targets and refuses the same models as the metric it negates. Two names
// of scikit-learn give a figure it would refuse: "roc_auc" on more than two
// classes (scikit-learn's "roc_auc" scorer raises; the library computes
// "roc_auc_ovr") and "average_precision" on more than two (scikit-learn 1.2
// raises; the library computes the one-vs-rest macro average, as 1.3 does).
// The two squared-error names average each output's figure with equal
// weights, as scikit-learn's multioutput="uniform_average": with several
// outputs "neg_root_mean_squared_error" is not −RMSE, which pools the
// outputs under the square root ("rmse" keeps that engine meaning). Each call returns a metric of its own, so that
// concurrent trainers may each have one; MetricValue scores one set of
// predictions with it. An unknown name returns an error wrapping
// ErrSetting that lists the known names (MetricNames).
func MetricByName(name string) (Metric, error) {
	if mk, ok := metricMakers[name]; ok {
		return mk(), nil
	}
	return nil, fmt.Errorf("%w: unknown metric %q; want one of %s", ErrSetting, name, strings.Join(MetricNames(), ", "))
}

// MetricNames returns the names MetricByName knows, sorted, in a new slice.
func MetricNames() []string {
	names := make([]string, 0, len(metricMakers))
	for n := range metricMakers {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

// negated is a metric whose value is the negation of another's, named as
// scikit-learn names such scorers ("neg_log_loss"): larger is better.
type negated struct{ m Metric }

var (
	_ Goaler          = (*negated)(nil)
	_ TargetReader    = (*negated)(nil)
	_ OutputValidator = (*negated)(nil)
	_ Validator       = (*negated)(nil)
)

func (n *negated) Name() string                      { return "neg_" + sklearnName(n.m.Name()) }
func (n *negated) Reset()                            { n.m.Reset() }
func (n *negated) Update(pred *mat.Dense, y Targets) { n.m.Update(pred, y) }
func (n *negated) Value() float64                    { return -n.m.Value() }
func (n *negated) Goal() Goal                        { return Maximize }

func (n *negated) ReadsTargets() TargetKind {
	if r, ok := n.m.(TargetReader); ok {
		return r.ReadsTargets()
	}
	return 0
}

func (n *negated) ValidateOutput(outputs int, last Layer) error {
	if v, ok := n.m.(OutputValidator); ok {
		return v.ValidateOutput(outputs, last)
	}
	return nil
}

func (n *negated) Validate() error {
	if v, ok := n.m.(Validator); ok {
		return v.Validate()
	}
	return nil
}

// outputMean is the negated mean over the output columns of each column's
// mean squared error (root false, "neg_mean_squared_error") or RMSE (root
// true, "neg_root_mean_squared_error"), as scikit-learn's scorers of those
// names average the outputs (multioutput="uniform_average"), summed in
// numpy's order. Each column is an RMSE metric, so that the figures keep
// its scaling; the columns are sized on the first Update after a Reset.
type outputMean struct {
	valueMetric
	root bool
	cols []RMSE
	buf  []float64
}

var (
	_ Goaler       = (*outputMean)(nil)
	_ TargetReader = (*outputMean)(nil)
)

func (m *outputMean) Name() string {
	if m.root {
		return "neg_root_mean_squared_error"
	}
	return "neg_mean_squared_error"
}

func (m *outputMean) Goal() Goal { return Maximize }
func (m *outputMean) Reset()     { m.cols = m.cols[:0] }

// Update adds the rows of one batch to each column's RMSE. It panics as
// RMSE.Update does, and with an error wrapping ErrShape when the number of
// columns differs from earlier batches since the last Reset.
func (m *outputMean) Update(pred *mat.Dense, y Targets) {
	name := m.Name()
	checkMetricValues(name, pred, y.Values)
	r, c := pred.Dims()
	if r == 0 || c == 0 {
		return
	}
	switch {
	case len(m.cols) == 0:
		m.cols = slices.Grow(m.cols[:0], c)[:c]
		for j := range m.cols {
			m.cols[j].Reset()
		}
	case len(m.cols) != c:
		shapePanic(name, "%d outputs after batches with %d", c, len(m.cols))
	}
	for j := range m.cols {
		m.cols[j].Update(pred.Slice(0, r, j, j+1).(*mat.Dense), Targets{Values: y.Values.Slice(0, r, j, j+1).(*mat.Dense)})
	}
}

// Value returns the negated mean over the columns, or NaN when no entry
// has been seen since the last Reset.
func (m *outputMean) Value() float64 {
	if len(m.cols) == 0 {
		return math.NaN()
	}
	m.buf = slices.Grow(m.buf[:0], len(m.cols))[:len(m.cols)]
	for j := range m.cols {
		v := m.cols[j].Value()
		if !m.root {
			v *= v
		}
		m.buf[j] = v
	}
	return -fmath.PairwiseSum(m.buf) / float64(len(m.buf))
}

// sklearnName returns scikit-learn's long name of a metric the library
// names short: "rmse" is root_mean_squared_error, "mae"
// mean_absolute_error.
func sklearnName(name string) string {
	switch name {
	case "rmse":
		return "root_mean_squared_error"
	case "mae":
		return "mean_absolute_error"
	}
	return name
}

// MetricValue returns m's figure over the rows of pred and y: it calls
// Reset, Update once, and Value, as a scorer of cross-validation needs. A
// panic of Update that wraps ErrMisuse (a label outside the classes pred
// can express, a prediction that is not a probability, sizes that do not
// fit) is returned as an error instead, wrapping ErrData or ErrShape as the
// panic did; any other panic is not recovered. A NaN figure (an undefined
// one, such as the ROC AUC of a set with one class) is returned with an
// error wrapping ErrData that names the metric. m must not be used
// concurrently elsewhere; MetricValue allocates what Update and Value do.
func MetricValue(m Metric, pred *mat.Dense, y Targets) (v float64, err error) {
	if isNil(m) {
		return 0, fmt.Errorf("%w: MetricValue: nil metric", ErrSetting)
	}
	if pred == nil {
		return 0, fmt.Errorf("%w: MetricValue: nil predictions", ErrData)
	}
	defer func() {
		if r := recover(); r != nil {
			e, ok := r.(error)
			if !ok || !errors.Is(e, ErrMisuse) {
				panic(r)
			}
			v, err = 0, fmt.Errorf("metric %q: %w", m.Name(), e)
		}
	}()
	m.Reset()
	m.Update(pred, y)
	if v = m.Value(); math.IsNaN(v) {
		return v, fmt.Errorf("%w: metric %q is undefined (NaN) on these %d rows", ErrData, m.Name(), pred.RawMatrix().Rows)
	}
	return v, nil
}
