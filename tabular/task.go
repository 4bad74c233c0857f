package tabular

import (
	"github.com/mlpkit/mlp"

	"fmt"
	"math"
)

// Task is what a model is asked to do with its targets.
type Task int

const (
	// AutoTask asks InferTask to decide from the target column.
	AutoTask Task = iota
	// Classification predicts one of a finite set of classes.
	Classification
	// Regression predicts real values.
	Regression
)

// String returns "auto", "classification" or "regression".
func (t Task) String() string {
	switch t {
	case AutoTask:
		return "auto"
	case Classification:
		return "classification"
	case Regression:
		return "regression"
	}
	return fmt.Sprintf("Task(%d)", int(t))
}

// MaxIntegerClasses is the most distinct integer values a numeric target
// may have for InferTask to read it as class labels.
const MaxIntegerClasses = 20

// InferTask decides whether the target column calls for classification or
// regression. It is the one rule the reader, the estimators and the
// command-line tool use:
//
//   - a Categorical column (text labels) classifies;
//   - a Numeric column with a non-integer value regresses;
//   - a Numeric column of integers with at most MaxIntegerClasses (20)
//     distinct values classifies;
//   - a Numeric column of integers with more distinct values regresses
//     when asked is AutoTask, and the note says so and how to override.
//
// asked is the task the caller asked for, AutoTask to infer it. Asking for
// Regression on a Numeric column always regresses. The errors, which wrap
// mlp.ErrData and name the column, are: Regression asked on text labels;
// Classification asked on a column with a non-integer value (naming it) or
// with more than MaxIntegerClasses distinct integers (giving the count; the
// labels are then much more likely a measurement than classes, and a
// column of text labels classifies whatever its count); more than
// mlp.MaxClasses text labels (which also matches mlp.ErrTooLarge); and a column with no non-missing cell. The note is
// one sentence naming the column and the reason for the task, for programs
// to show.
//
// Missing cells (NaN) are ignored. InferTask allocates a set of at most
// MaxIntegerClasses+1 values; it keeps no state and is safe for concurrent
// use.
func InferTask(target *Column, asked Task) (task Task, note string, err error) {
	if asked != AutoTask && asked != Classification && asked != Regression {
		return 0, "", fmt.Errorf("%w: task %v is not AutoTask, Classification or Regression", mlp.ErrSetting, asked)
	}
	name := quote(target.Name)
	if target.Kind == Categorical {
		if asked == Regression {
			return 0, "", fmt.Errorf("%w: target column %s holds text labels (such as %s); regression needs numbers",
				mlp.ErrData, name, quote(textLabel(target)))
		}
		if k := len(target.Categories); k > mlp.MaxClasses {
			return 0, "", overCap(fmt.Errorf("%w: target column %s has %d distinct labels; at most %d classes are supported",
				mlp.ErrData, name, k, mlp.MaxClasses))
		}
		return Classification, fmt.Sprintf("classification: target column %s holds text labels (%d classes)", name, len(target.Categories)), nil
	}
	seen := make(map[float64]struct{}, MaxIntegerClasses+1)
	present := false
	for i, v := range target.Values {
		if math.IsNaN(v) {
			continue
		}
		present = true
		if v != math.Trunc(v) || math.Abs(v) > maxExactInt {
			if asked == Classification {
				return 0, "", fmt.Errorf("%w: target column %s: value %v in row %d (0-based) is not an integer class label; classification needs integer or text labels",
					mlp.ErrData, name, v, i)
			}
			return Regression, fmt.Sprintf("regression: target column %s holds non-integer values (such as %v)", name, v), nil
		}
		if len(seen) <= MaxIntegerClasses {
			seen[v] = struct{}{}
		}
	}
	if !present {
		return 0, "", fmt.Errorf("%w: target column %s has no value", mlp.ErrData, name)
	}
	if asked == Regression {
		return Regression, fmt.Sprintf("regression: asked for target column %s", name), nil
	}
	if len(seen) <= MaxIntegerClasses {
		return Classification, fmt.Sprintf("classification: target column %s holds %d distinct integers", name, len(seen)), nil
	}
	distinct := countDistinct(target.Values)
	if asked == Classification {
		return 0, "", fmt.Errorf("%w: target column %s has %d distinct integer values, more than the %d classes an integer label column may have; is it the right target? (write the labels as text to classify them)",
			mlp.ErrData, name, distinct, MaxIntegerClasses)
	}
	return Regression, fmt.Sprintf("regression: target column %s holds %d distinct integers, more than %d; set the task to Regression to keep this without the note, or write the labels as text to classify",
		name, distinct, MaxIntegerClasses), nil
}

// countDistinct returns the number of distinct non-NaN values of v. It
// allocates a map of them.
func countDistinct(v []float64) int {
	set := make(map[float64]struct{})
	for _, x := range v {
		if !math.IsNaN(x) {
			set[x] = struct{}{}
		}
	}
	return len(set)
}

// textLabel returns a category of c that is not a number, the reason the
// column is text, or its first category if every one is a number.
func textLabel(c *Column) string {
	for _, cat := range c.Categories {
		if _, kind := classifyCell(cat); kind >= cellInf {
			return cat
		}
	}
	if len(c.Categories) == 0 {
		return ""
	}
	return c.Categories[0]
}
