package tabular

import (
	"github.com/mlpkit/mlp"

	"fmt"
	"math"
	"slices"
	"strconv"
)

// LabelEncoder maps class labels to class indices 0..k-1 and back, as
// scikit-learn's LabelEncoder does.
//
// The classes of a Numeric label column are its distinct values in numeric
// order, named by their shortest decimal form ("1", "2.5"): 1 and 1.0 are one
// class, and labels 1, 2, 3 are three classes named "1", "2", "3" with
// indices 0, 1, 2. The classes of a Categorical label column are its texts
// (trimmed of surrounding spaces) in byte order. A LabelEncoder is not
// changed by its methods, which are safe for concurrent use.
type LabelEncoder struct {
	// Classes names the classes; class i is Classes[i].
	Classes []string
}

// FitLabelEncoder returns a LabelEncoder whose classes are the distinct
// non-missing labels of c, ordered as LabelEncoder describes. Fit it on the
// whole table's target column, so that every part of a split or every fold
// numbers the classes alike. It returns an error wrapping mlp.ErrData, naming
// the column, if c has no label, a Numeric label that is not an integer of
// magnitude at most 2^53, or more than mlp.MaxClasses classes (an error that
// also matches mlp.ErrTooLarge). It allocates the class list.
func FitLabelEncoder(c *Column) (*LabelEncoder, error) {
	if c == nil {
		return nil, fmt.Errorf("%w: FitLabelEncoder: nil column", mlp.ErrData)
	}
	if err := c.check("label column"); err != nil {
		return nil, err
	}
	e := &LabelEncoder{}
	if c.Kind == Categorical {
		used := make([]bool, len(c.Categories))
		for _, v := range c.Values {
			if !math.IsNaN(v) {
				used[int(v)] = true
			}
		}
		for k, u := range used {
			if u {
				e.Classes = append(e.Classes, c.Categories[k])
			}
		}
	} else {
		var values []float64
		for i, v := range c.Values {
			if math.IsNaN(v) {
				continue
			}
			if v != math.Trunc(v) || math.Abs(v) > maxExactInt {
				return nil, fmt.Errorf("%w: label column %s: value %v in row %d (0-based) is not an integer class label",
					mlp.ErrData, quote(c.Name), v, i)
			}
			values = append(values, v)
		}
		slices.Sort(values)
		values = slices.Compact(values)
		e.Classes = make([]string, len(values))
		for i, v := range values {
			e.Classes[i] = formatNumber(v + 0) // -0 names class "0"
		}
	}
	if len(e.Classes) == 0 {
		return nil, fmt.Errorf("%w: label column %s has no label", mlp.ErrData, quote(c.Name))
	}
	if len(e.Classes) > mlp.MaxClasses {
		return nil, overCap(fmt.Errorf("%w: label column %s has %d classes; at most %d are supported", mlp.ErrData, quote(c.Name), len(e.Classes), mlp.MaxClasses))
	}
	return e, nil
}

// Transform returns the class index of each row of c, in a new slice. It
// returns an error wrapping mlp.ErrData, naming the column and the row, for a
// missing label or a label that is not one of the classes.
//
// A Categorical column is translated by its category codes, looking each
// category up once; a Numeric one by value (1 and 1.0 are one class, -0
// is class "0"). It allocates the result and a table of the classes.
func (e *LabelEncoder) Transform(c *Column) ([]int, error) {
	if e == nil {
		return nil, fmt.Errorf("%w: LabelEncoder.Transform: nil LabelEncoder", mlp.ErrSetting)
	}
	if c == nil {
		return nil, fmt.Errorf("%w: LabelEncoder.Transform: nil column", mlp.ErrData)
	}
	if err := c.check("label column"); err != nil {
		return nil, err
	}
	idx := make(map[string]int, len(e.Classes))
	for i, name := range e.Classes {
		idx[name] = i
	}
	// class returns the class index of a non-missing value of c, or -1.
	var class func(v float64) int
	if c.Kind == Categorical {
		byCode := make([]int, len(c.Categories))
		for k, cat := range c.Categories {
			byCode[k] = -1
			if i, ok := idx[cat]; ok {
				byCode[k] = i
			}
		}
		class = func(v float64) int { return byCode[int(v)] }
	} else {
		// A class name that a number is named by, read back as that
		// number: formatNumber's text reads back exactly.
		byValue := make(map[float64]int, len(e.Classes))
		for i, name := range e.Classes {
			if v, err := strconv.ParseFloat(name, 64); err == nil && formatNumber(v+0) == name {
				byValue[v] = i
			}
		}
		class = func(v float64) int {
			if i, ok := byValue[v]; ok { // -0 finds 0
				return i
			}
			return -1
		}
	}
	out := make([]int, len(c.Values))
	for i, v := range c.Values {
		if math.IsNaN(v) {
			return nil, fmt.Errorf("%w: label column %s: row %d (0-based) has no label", mlp.ErrData, quote(c.Name), i)
		}
		k := class(v)
		if k < 0 {
			name := formatNumber(v + 0)
			if c.Kind == Categorical {
				name = c.Categories[int(v)]
			}
			return nil, fmt.Errorf("%w: label column %s: label %s in row %d (0-based) is not one of the %d classes",
				mlp.ErrData, quote(c.Name), quote(name), i, len(e.Classes))
		}
		out[i] = k
	}
	return out, nil
}
