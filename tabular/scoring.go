package tabular

import (
	"fmt"
	"slices"

	"gonum.org/v1/gonum/mat"

	"github.com/mlpkit/mlp"
	"github.com/mlpkit/mlp/internal/fmath"
)

// Scoring scores a fitted model on a table, higher being better, as a
// scikit-learn scorer scorer(estimator, X, y) does: CVSettings.Scoring
// takes one in place of the model's own Score. A Scoring is called from
// several goroutines at once, each with its own model and table.
type Scoring func(m Scorer, t *Table) (float64, error)

// Predictor is a fitted model that predicts the rows of a table, with its
// class names (nil for a regressor): what the scorings of ScoringByName
// read. FittedMLP and Pipeline are Predictors.
type Predictor interface {
	Predict(t *Table) (*Prediction, error)
	Classes() []string
}

var (
	_ Predictor = (*FittedMLP)(nil)
	_ Predictor = (*Pipeline)(nil)
)

// scoredRows are a model's predictions for the rows of a table beside the
// table's targets, what a named scoring reads.
type scoredRows struct {
	// Classification: the predicted and true class indices into names
	// (the model's classes, then the true labels it does not know), and
	// the probabilities, rows × model classes.
	pred, labels []int
	names        []string
	proba        *mat.Dense
	// Regression: the predictions and the targets, rows × targets.
	values, y *mat.Dense
}

// namedScoring is an entry of the scorings table: the task it applies to
// and how it scores.
type namedScoring struct {
	task  Task
	score func(r *scoredRows) (float64, error)
}

// scorings are the scorings ScoringByName knows, by scikit-learn's names
// (sklearn.metrics.get_scorer). A metric of package mlp is added here as
// one line: its name, its task, and the function of the predictions that
// gives it (negated where lower is better, as scikit-learn's neg_ names).
var scorings = map[string]namedScoring{
	"accuracy": {Classification, func(r *scoredRows) (float64, error) {
		return r.report(func(c *mlp.ClassificationReport) float64 { return c.Accuracy })
	}},
	"f1_macro": {Classification, func(r *scoredRows) (float64, error) {
		return r.report(func(c *mlp.ClassificationReport) float64 { return c.Macro.F1 })
	}},
	"r2": {Regression, func(r *scoredRows) (float64, error) {
		return r.outputs(func(o mlp.OutputScores) float64 { return o.R2 }, 1)
	}},
	"neg_mean_squared_error": {Regression, func(r *scoredRows) (float64, error) {
		return r.outputs(func(o mlp.OutputScores) float64 { return o.RMSE * o.RMSE }, -1)
	}},
	"neg_root_mean_squared_error": {Regression, func(r *scoredRows) (float64, error) {
		return r.outputs(func(o mlp.OutputScores) float64 { return o.RMSE }, -1)
	}},
	"neg_mean_absolute_error": {Regression, func(r *scoredRows) (float64, error) {
		return r.outputs(func(o mlp.OutputScores) float64 { return o.MAE }, -1)
	}},
}

// ScoringNames returns the names ScoringByName knows, sorted.
func ScoringNames() []string {
	names := make([]string, 0, len(scorings))
	for n := range scorings {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

// ScoringTask returns the task of the scoring named name (Classification
// or Regression), and false for a name ScoringByName does not know.
func ScoringTask(name string) (Task, bool) {
	s, ok := scorings[name]
	return s.task, ok
}

// ScoringByName returns the Scoring scikit-learn names name
// (sklearn.metrics.get_scorer), one of ScoringNames:
//
//	accuracy                     the fraction of rows classified right (the classifier's Score)
//	f1_macro                     the unweighted mean of the per-class F1 over the classes among the true labels or the predictions
//	r2                           R², averaged over the targets (the regressor's Score)
//	neg_mean_squared_error       −(mean squared error), averaged over the targets
//	neg_root_mean_squared_error  −RMSE, the RMSE of each target averaged over the targets (scikit-learn 1.2)
//	neg_mean_absolute_error      −(mean absolute error), averaged over the targets
//
// Each is computed by the metrics of package mlp (mlp.ClassificationReport,
// mlp.RegressionReport) from the model's predictions, so the model must be
// a Predictor; a classifier's scoring of a regressor, or the reverse, is an
// error wrapping mlp.ErrSetting when scoring. A true label the classifier
// never saw counts as a mistake, as in FittedMLP.Score. ScoringByName
// returns an error wrapping mlp.ErrSetting for a name it does not know,
// listing those it does.
func ScoringByName(name string) (Scoring, error) {
	ns, ok := scorings[name]
	if !ok {
		return nil, fmt.Errorf("%w: unknown scoring %s; want one of %s", mlp.ErrSetting, quote(name), listNames(ScoringNames()))
	}
	return func(m Scorer, t *Table) (float64, error) {
		p, ok := m.(Predictor)
		if !ok {
			return 0, fmt.Errorf("%w: scoring %s: the model, a %T, does not predict tables (Predictor)", mlp.ErrSetting, name, m)
		}
		r, err := newScoredRows(p, t, ns.task, name)
		if err != nil {
			return 0, err
		}
		return ns.score(r)
	}, nil
}

// newScoredRows predicts the rows of t with p and returns the predictions
// beside t's targets.
func newScoredRows(p Predictor, t *Table, task Task, name string) (*scoredRows, error) {
	classes := p.Classes()
	if got := map[bool]Task{true: Classification, false: Regression}[classes != nil]; got != task {
		return nil, fmt.Errorf("%w: scoring %s is for %v; the model is a %v model", mlp.ErrSetting, name, task, got)
	}
	if t == nil || t.Rows() == 0 {
		return nil, fmt.Errorf("%w: scoring %s: the table has no rows", mlp.ErrData, name)
	}
	pred, err := p.Predict(t)
	if err != nil {
		return nil, err
	}
	if task == Regression {
		y, err := t.TargetValues()
		if err != nil {
			return nil, err
		}
		return &scoredRows{values: pred.Values, y: y}, nil
	}
	if len(t.Targets) != 1 {
		return nil, fmt.Errorf("%w: scoring %s: the table has %d target columns; a classifier is scored on one", mlp.ErrData, name, len(t.Targets))
	}
	pc, labels, names, err := classifiedRows(pred, classes, &t.Targets[0])
	if err != nil {
		return nil, err
	}
	return &scoredRows{pred: pc, labels: labels, names: names, proba: pred.Proba}, nil
}

// report returns the figure f of the classification report of r.
func (r *scoredRows) report(f func(*mlp.ClassificationReport) float64) (float64, error) {
	c, err := mlp.NewClassificationReport(r.pred, r.labels, r.names)
	if err != nil {
		return 0, err
	}
	return f(c), nil
}

// outputs returns sign times the mean over the targets of the figure f of
// each target's scores (mlp.RegressionReport), summed in numpy's order as
// scikit-learn's multioutput="uniform_average".
func (r *scoredRows) outputs(f func(mlp.OutputScores) float64, sign float64) (float64, error) {
	rep, err := mlp.NewRegressionReport(r.values, r.y, nil)
	if err != nil {
		return 0, err
	}
	v := make([]float64, len(rep.Outputs))
	for j, o := range rep.Outputs {
		v[j] = f(o)
	}
	return sign * fmath.PairwiseSum(v) / float64(len(v)), nil
}
