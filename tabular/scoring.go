package tabular

import (
	"fmt"
	"slices"

	"gonum.org/v1/gonum/mat"

	"github.com/mlpkit/mlp"
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

// scoringFeed says how a named scoring's metric reads a model's
// predictions.
type scoringFeed int

const (
	// byLabel: the predicted classes, as scikit-learn's scorers that call
	// predict; a true label the model never saw is a class of its own,
	// never predicted.
	byLabel scoringFeed = iota
	// byProba: Prediction.Proba, as scikit-learn's scorers that call
	// predict_proba; every true label must be a class of the model.
	byProba
	// byBinaryProba: byProba for a model of two classes only, as
	// scikit-learn 1.2 refuses the name for more.
	byBinaryProba
	// byValue: the predicted values beside the targets (regression).
	byValue
)

// scorings are the names ScoringByName knows: scikit-learn 1.2's names of
// scorers (sklearn.metrics.get_scorer), each scored by the metric
// mlp.MetricByName returns for the name, the one place a name's formula
// lives; the table says only what predictions the metric reads. A metric
// of package mlp named by a scikit-learn scorer is added here as one line.
var scorings = map[string]scoringFeed{
	"accuracy":                    byLabel,
	"balanced_accuracy":           byLabel,
	"f1_macro":                    byLabel,
	"precision_macro":             byLabel,
	"recall_macro":                byLabel,
	"roc_auc":                     byBinaryProba,
	"roc_auc_ovr":                 byProba,
	"average_precision":           byBinaryProba,
	"neg_log_loss":                byProba,
	"r2":                          byValue,
	"neg_mean_squared_error":      byValue,
	"neg_root_mean_squared_error": byValue,
	"neg_mean_absolute_error":     byValue,
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
	feed, ok := scorings[name]
	if !ok {
		return 0, false
	}
	if feed == byValue {
		return Regression, true
	}
	return Classification, true
}

// ScoringByName returns the Scoring scikit-learn names name
// (sklearn.metrics.get_scorer), one of ScoringNames, computed by the
// metric mlp.MetricByName(name) on the model's predictions of the table:
//
//	accuracy, balanced_accuracy  from the predicted classes (accuracy is the classifier's Score)
//	f1_macro, precision_macro, recall_macro  from the predicted classes, over the classes among the true labels or the predictions
//	roc_auc, average_precision   from Prediction.Proba, for two classes only (scikit-learn 1.2 refuses more)
//	roc_auc_ovr                  from Prediction.Proba, one-vs-rest macro average (binary: roc_auc)
//	neg_log_loss                 −(log loss) of Prediction.Proba
//	r2                           R², averaged over the targets (the regressor's Score)
//	neg_mean_squared_error       −(mean squared error), averaged over the targets
//	neg_root_mean_squared_error  −RMSE, the RMSE of each target averaged over the targets (scikit-learn 1.2)
//	neg_mean_absolute_error      −(mean absolute error), averaged over the targets
//
// The metrics' own names that are not scikit-learn scorer names (rmse,
// mae, log_loss: smaller is better; macro_f1, macro_precision,
// macro_recall) are refused: a Scoring is larger-is-better, named as
// scikit-learn names it. The model must be a Predictor; a classifier's
// scoring of a regressor, or the reverse, is an error wrapping
// mlp.ErrSetting when scoring, as is roc_auc or average_precision of a
// model of more than two classes. A true label the classifier never saw
// counts as a mistake for the scorings of predicted classes (as in
// FittedMLP.Score) and is an error wrapping mlp.ErrData for those of
// probabilities (scikit-learn raises too). neg_log_loss gives a figure on
// rows that lack some class of the model, where scikit-learn 1.2's scorer
// raises (it takes the classes from the true labels). An undefined figure (the ROC AUC
// of rows of one class, the R² of one row) is an error wrapping
// mlp.ErrData (mlp.MetricValue). ScoringByName returns an error wrapping
// mlp.ErrSetting for a name it does not know, listing those it does.
func ScoringByName(name string) (Scoring, error) {
	feed, ok := scorings[name]
	if !ok {
		return nil, fmt.Errorf("%w: unknown scoring %s; want one of %s", mlp.ErrSetting, quote(name), listNames(ScoringNames()))
	}
	if _, err := mlp.MetricByName(name); err != nil {
		return nil, err // a name of the table that mlp lost: TestScoringNamesAreMetrics
	}
	return func(m Scorer, t *Table) (float64, error) {
		p, ok := m.(Predictor)
		if !ok {
			return 0, fmt.Errorf("%w: scoring %s: the model, a %T, does not predict tables (Predictor)", mlp.ErrSetting, name, m)
		}
		pred, y, err := scoredRows(p, t, feed, name)
		if err != nil {
			return 0, err
		}
		metric, err := mlp.MetricByName(name)
		if err != nil {
			return 0, err
		}
		v, err := mlp.MetricValue(metric, pred, y)
		if err != nil {
			return 0, fmt.Errorf("scoring %s: %w", name, err)
		}
		return v, nil
	}, nil
}

// scoredRows predicts the rows of t with p and returns what the metric of
// the scoring name, fed by feed, reads: the predictions and t's targets.
func scoredRows(p Predictor, t *Table, feed scoringFeed, name string) (*mat.Dense, mlp.Targets, error) {
	task, _ := ScoringTask(name)
	classes := p.Classes()
	if got := map[bool]Task{true: Classification, false: Regression}[classes != nil]; got != task {
		return nil, mlp.Targets{}, fmt.Errorf("%w: scoring %s is for %v; the model is a %v model", mlp.ErrSetting, name, task, got)
	}
	if feed == byBinaryProba && len(classes) != 2 {
		return nil, mlp.Targets{}, fmt.Errorf("%w: scoring %s is for two classes (as scikit-learn's); the model has %d: use roc_auc_ovr", mlp.ErrSetting, name, len(classes))
	}
	if t == nil || t.Rows() == 0 {
		return nil, mlp.Targets{}, fmt.Errorf("%w: scoring %s: the table has no rows", mlp.ErrData, name)
	}
	pred, err := p.Predict(t)
	if err != nil {
		return nil, mlp.Targets{}, err
	}
	if task == Regression {
		y, err := t.TargetValues()
		if err != nil {
			return nil, mlp.Targets{}, err
		}
		return pred.Values, mlp.Targets{Values: y}, nil
	}
	if len(t.Targets) != 1 {
		return nil, mlp.Targets{}, fmt.Errorf("%w: scoring %s: the table has %d target columns; a classifier is scored on one", mlp.ErrData, name, len(t.Targets))
	}
	pc, labels, names, err := classifiedRows(pred, classes, &t.Targets[0])
	if err != nil {
		return nil, mlp.Targets{}, err
	}
	if feed != byLabel {
		if len(names) > len(classes) {
			return nil, mlp.Targets{}, fmt.Errorf("%w: scoring %s: target column %s has label %s, not a class of the model; probabilities cannot score it", mlp.ErrData, name, quote(t.Targets[0].Name), quote(names[len(classes)]))
		}
		if pred.Proba == nil {
			return nil, mlp.Targets{}, fmt.Errorf("%w: scoring %s: the model gives no probabilities", mlp.ErrSetting, name)
		}
		return pred.Proba, mlp.Targets{Labels: labels}, nil
	}
	// The predicted classes one-hot, over the model's classes and the
	// true labels it does not know (at least two columns, so that one
	// column is never read as a probability of class 1).
	oneHot := mat.NewDense(len(pc), max(len(names), 2), nil)
	for i, k := range pc {
		oneHot.Set(i, k, 1)
	}
	return oneHot, mlp.Targets{Labels: labels}, nil
}
