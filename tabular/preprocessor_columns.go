package tabular

import (
	"github.com/mlpkit/mlp"

	"fmt"
	"math"
	"slices"
	"strconv"
)

// NewPreprocessor returns the Preprocessor that cols describe, in the
// form Preprocessor.Columns gives: the inverse of Columns, for
// preprocessing learnt elsewhere (read from an ONNX graph, for example) or
// edited. For each column, in order:
//
//   - Name names it; names must be distinct.
//   - Kind is Numeric or Categorical.
//   - A Numeric column's Fill is the number that replaces a missing cell,
//     as text that strconv.ParseFloat reads ("" for none: a missing cell is
//     an error), and Mean and Std standardize it, (x − Mean) / Std. The
//     numeric columns are all scaled or none is: when every one has Mean 0
//     and Std 1 the Preprocessor has no scaler, which gives the same
//     values.
//   - A Categorical column's Categories are its one-hot categories, in
//     output order, distinct and at least one; Fill is one of them, or ""
//     for none.
//
// NewPreprocessor returns an error wrapping mlp.ErrSetting, naming the column,
// for an empty or repeated name, an unknown kind, a Fill that is not a
// finite number or not one of the categories, a categorical column without
// categories or with a repeated one, or a Mean that is not finite or a Std
// that is not positive and finite (as mlp.StandardScaler requires). It copies
// what it keeps of cols.
func NewPreprocessor(cols []ColumnInfo) (*Preprocessor, error) {
	if len(cols) == 0 {
		return nil, fmt.Errorf("%w: NewPreprocessor: no columns", mlp.ErrSetting)
	}
	p := &Preprocessor{}
	seen := make(map[string]bool, len(cols))
	scaled := false
	for j, c := range cols {
		where := fmt.Sprintf("NewPreprocessor: column %d %s", j, quote(c.Name))
		if c.Name == "" || seen[c.Name] {
			return nil, fmt.Errorf("%w: %s: the name is empty or repeats an earlier column's", mlp.ErrSetting, where)
		}
		seen[c.Name] = true
		pc := prepColumn{name: c.Name, kind: c.Kind, fill: math.NaN(), scaled: -1}
		switch c.Kind {
		case Categorical:
			if len(c.Categories) == 0 {
				return nil, fmt.Errorf("%w: %s has no category", mlp.ErrSetting, where)
			}
			pc.categories = slices.Clone(c.Categories)
			pc.index = indexOf(pc.categories)
			if len(pc.index) != len(pc.categories) {
				return nil, fmt.Errorf("%w: %s repeats a category", mlp.ErrSetting, where)
			}
			if c.Fill != "" {
				k, ok := pc.index[c.Fill]
				if !ok {
					return nil, fmt.Errorf("%w: %s: the fill %s is not one of its categories", mlp.ErrSetting, where, quote(c.Fill))
				}
				pc.fill = float64(k)
			}
			p.width += len(pc.categories)
		case Numeric:
			if c.Fill != "" {
				v, err := strconv.ParseFloat(c.Fill, 64)
				if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
					return nil, fmt.Errorf("%w: %s: the fill %s is not a finite number", mlp.ErrSetting, where, quote(c.Fill))
				}
				pc.fill = v
			}
			one := mlp.StandardScaler{Mean: []float64{c.Mean}, Std: []float64{c.Std}}
			if err := one.Validate(); err != nil {
				return nil, fmt.Errorf("%w: %s: Mean %v and Std %v; the mean must be finite and the std a finite number of at least 2.2e-308 (the smallest normal float64)",
					mlp.ErrSetting, where, c.Mean, c.Std)
			}
			scaled = scaled || c.Mean != 0 || c.Std != 1
			p.width++
		default:
			return nil, fmt.Errorf("%w: %s has kind %v, neither Numeric nor Categorical", mlp.ErrSetting, where, c.Kind)
		}
		p.cols = append(p.cols, pc)
	}
	if scaled {
		p.scaler = &mlp.StandardScaler{}
		for j, c := range cols {
			if c.Kind == Numeric {
				p.cols[j].scaled = len(p.scaler.Mean)
				p.scaler.Mean = append(p.scaler.Mean, c.Mean)
				p.scaler.Std = append(p.scaler.Std, c.Std)
			}
		}
	}
	return p, nil
}

// TargetScaler returns a copy of the standardization a regression
// pipeline's network outputs are read through (a prediction is
// output·Std[k] + Mean[k]), or nil when the outputs are in the targets'
// units already, and for classification.
func (p *Pipeline) TargetScaler() *mlp.StandardScaler {
	if p.yMean == nil {
		return nil
	}
	return &mlp.StandardScaler{Mean: slices.Clone(p.yMean), Std: slices.Clone(p.yStd)}
}
