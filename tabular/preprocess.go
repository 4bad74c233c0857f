package tabular

import (
	"github.com/mlpkit/mlp"

	"fmt"
	"math"
	"slices"
	"strings"

	"gonum.org/v1/gonum/mat"
)

// PreprocessSettings are the settings of FitPreprocessor. The zero value
// gives the defaults.
type PreprocessSettings struct {
	// Impute is the statistic that fills missing cells of numeric columns;
	// the zero value is ImputeMean. Missing cells of categorical columns
	// are always filled with the most frequent category.
	Impute Imputation
}

// Preprocessor turns the feature columns of a Table into the matrix a
// network reads, with what it learnt from a training table:
//
//   - columns are matched by name, in any order, and put in the order of
//     the training table; other columns are ignored;
//   - a missing numeric cell is filled with the column's statistic
//     (PreprocessSettings.Impute), a missing categorical cell with the
//     column's most frequent category, both learnt from the training table;
//   - a numeric column is standardized, (x − mean) / std, with the mean and
//     population standard deviation of its filled training values, by a
//     mlp.StandardScaler;
//   - a categorical column becomes one 0/1 column per category seen in the
//     training table, in byte order. A category not seen in training gives
//     all zeros, as scikit-learn's OneHotEncoder(handle_unknown='ignore'):
//     the row is predicted from its other columns.
//
// A Preprocessor is not changed by its methods, which are safe for
// concurrent use.
type Preprocessor struct {
	cols   []prepColumn
	scaler *mlp.StandardScaler // over the numeric columns, in order; nil: no scaling
	na     []string            // missing-value markers besides the defaults
	// columnNA are the markers of one column only (Table.ColumnNA), of
	// the input columns and the targets.
	columnNA map[string][]string
	width    int // output columns
}

// prepColumn is what a Preprocessor learnt about one input column.
type prepColumn struct {
	name string
	kind ColumnKind
	// fill is the value of a missing numeric cell, or the index in
	// categories of the category filling a missing categorical cell. NaN
	// means no imputation: a missing cell is an error.
	fill float64
	// categories are the one-hot categories of a categorical column, in
	// byte order; index maps each to its position.
	categories []string
	index      map[string]int
	// scaled is the column's index among the numeric columns (the
	// scaler's), or -1.
	scaled int
	// na are the column's own markers, columnNA's.
	na []string
}

// ColumnInfo describes an input column of a Preprocessor or Pipeline.
type ColumnInfo struct {
	// Name is the column's name, which input columns are matched by.
	Name string
	// Kind is Numeric or Categorical.
	Kind ColumnKind
	// Categories are the one-hot categories of a Categorical column, in
	// output order; nil for a Numeric column.
	Categories []string
	// Fill is the text that replaces a missing cell ("" when a missing
	// cell is an error).
	Fill string
	// Mean and Std standardize a Numeric column: (x − Mean) / Std. They
	// are 0 and 1 when the column is not scaled.
	Mean, Std float64
}

// FitPreprocessor learns the preprocessing of t's feature columns from t,
// which should be the training part only: statistics taken from validation
// or test rows would leak them into training. It returns an error wrapping
// mlp.ErrData for a table with no rows or no feature column, or a column with no
// value to learn from (all missing), and one wrapping mlp.ErrSetting for an
// unknown Impute. It allocates the learnt statistics and, while fitting, a
// copy of the numeric columns.
func FitPreprocessor(t *Table, s PreprocessSettings) (*Preprocessor, error) {
	if s.Impute < ImputeMean || s.Impute > ImputeMostFrequent {
		return nil, fmt.Errorf("%w: PreprocessSettings.Impute = %v is not ImputeMean, ImputeMedian or ImputeMostFrequent", mlp.ErrSetting, s.Impute)
	}
	if t == nil || t.Rows() == 0 {
		return nil, fmt.Errorf("%w: FitPreprocessor: the table has no rows", mlp.ErrData)
	}
	if len(t.Features) == 0 {
		return nil, fmt.Errorf("%w: FitPreprocessor: the table has no feature column", mlp.ErrData)
	}
	rows := t.Rows()
	p := &Preprocessor{na: slices.Clone(t.NA), columnNA: cloneColumnNA(t.ColumnNA)}
	var numeric [][]float64
	for _, c := range t.Features {
		if err := c.check("FitPreprocessor: feature column"); err != nil {
			return nil, err
		}
		pc := prepColumn{name: c.Name, kind: c.Kind, scaled: -1}
		if c.Kind == Categorical {
			used := make([]int, len(c.Categories)) // position among the seen categories, -1 unseen
			counts := make([]int, len(c.Categories))
			for _, v := range c.Values {
				if !math.IsNaN(v) {
					counts[int(v)]++
				}
			}
			best := -1
			for k, n := range counts {
				used[k] = -1
				if n == 0 {
					continue
				}
				used[k] = len(pc.categories)
				pc.categories = append(pc.categories, c.Categories[k])
				if best < 0 || n > counts[best] {
					best = k
				}
			}
			if best < 0 {
				return nil, fmt.Errorf("%w: FitPreprocessor: column %s has no value in the training rows", mlp.ErrData, quote(c.Name))
			}
			pc.fill = float64(used[best])
			pc.index = indexOf(pc.categories)
			p.width += len(pc.categories)
		} else {
			fill, ok := impute(c.Values, s.Impute)
			if !ok {
				return nil, fmt.Errorf("%w: FitPreprocessor: column %s has no value in the training rows", mlp.ErrData, quote(c.Name))
			}
			pc.fill = fill
			pc.scaled = len(numeric)
			filled := make([]float64, rows)
			for i, v := range c.Values {
				if math.IsNaN(v) {
					v = fill
				}
				filled[i] = v
			}
			numeric = append(numeric, filled)
			p.width++
		}
		pc.na = p.columnNA[c.Name]
		p.cols = append(p.cols, pc)
	}
	if len(numeric) > 0 {
		x := mat.NewDense(rows, len(numeric), nil)
		for j, col := range numeric {
			x.SetCol(j, col)
		}
		p.scaler = mlp.FitStandardScaler(x)
		if err := p.scaler.Validate(); err != nil {
			return nil, fmt.Errorf("FitPreprocessor: %w", err)
		}
	}
	return p, nil
}

// indexOf returns a map from each name to its position.
func indexOf(names []string) map[string]int {
	m := make(map[string]int, len(names))
	for i, n := range names {
		m[n] = i
	}
	return m
}

// Width returns the number of columns Transform gives: one per numeric
// column and one per category of each categorical column.
func (p *Preprocessor) Width() int {
	if p == nil {
		return 0
	}
	return p.width
}

// Columns describes the input columns, in order, in new slices.
func (p *Preprocessor) Columns() []ColumnInfo {
	out := make([]ColumnInfo, len(p.cols))
	for j, c := range p.cols {
		ci := ColumnInfo{Name: c.name, Kind: c.kind, Categories: slices.Clone(c.categories), Std: 1}
		switch {
		case math.IsNaN(c.fill):
		case c.kind == Categorical:
			ci.Fill = c.categories[int(c.fill)]
		default:
			ci.Fill = formatNumber(c.fill)
		}
		if c.scaled >= 0 && p.scaler != nil {
			ci.Mean, ci.Std = p.scaler.Mean[c.scaled], p.scaler.Std[c.scaled]
		}
		out[j] = ci
	}
	return out
}

// OutputNames names the columns Transform gives, in a new slice: a numeric
// column's name, and "name=category" for each one-hot column.
func (p *Preprocessor) OutputNames() []string {
	names := make([]string, 0, p.width)
	for _, c := range p.cols {
		if c.kind == Categorical {
			for _, cat := range c.categories {
				names = append(names, c.name+"="+cat)
			}
			continue
		}
		names = append(names, c.name)
	}
	return names
}

// Transform returns the preprocessed features of t, a new rows×Width
// matrix. t's feature columns are matched by name; its targets and columns
// the Preprocessor does not use are ignored. It returns an error wrapping
// mlp.ErrData for a nil or empty table, a missing column (naming it and listing
// t's columns), text in a column that was numeric in training (naming the
// column and the first such cell), and a missing cell where the
// Preprocessor has no imputation. It allocates the result and one slice of
// Width floats per input column kind translation.
func (p *Preprocessor) Transform(t *Table) (*mat.Dense, error) {
	if p == nil {
		return nil, fmt.Errorf("%w: Preprocessor.Transform: nil Preprocessor", mlp.ErrSetting)
	}
	if t == nil || t.Rows() == 0 {
		return nil, fmt.Errorf("%w: Preprocessor.Transform: the table has no rows", mlp.ErrData)
	}
	src, err := p.match(t)
	if err != nil {
		return nil, err
	}
	rows := t.Rows()
	out := mat.NewDense(rows, p.width, nil)
	raw := out.RawMatrix()
	vals := make([]float64, len(p.cols))
	for i := range rows {
		for j := range p.cols {
			vals[j] = src[j](i)
		}
		if err := p.encodeRow(raw.Data[i*raw.Stride:i*raw.Stride+p.width], vals, i); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// match finds p's columns in t and returns, for each, a function giving
// the value of row i in p's coding: the number, or the index among p's
// categories (-1 unseen); NaN for missing.
func (p *Preprocessor) match(t *Table) ([]func(int) float64, error) {
	src := make([]func(int) float64, len(p.cols))
	for j := range p.cols {
		pc := &p.cols[j]
		c := findColumn(t, pc.name)
		if c == nil {
			return nil, missingColumns(p.columnNames(), append(t.FeatureNames(), t.TargetNames()...), "the table")
		}
		if err := c.check("Preprocessor.Transform: column"); err != nil {
			return nil, err
		}
		switch {
		case pc.kind == Numeric && c.Kind == Numeric:
			src[j] = func(i int) float64 { return c.Values[i] }
		case pc.kind == Numeric:
			for _, v := range c.Values {
				if !math.IsNaN(v) {
					return nil, fmt.Errorf("%w: column %s was numeric in training but holds text such as %s",
						mlp.ErrData, quote(pc.name), quote(c.Categories[int(v)]))
				}
			}
			src[j] = func(int) float64 { return math.NaN() }
		default:
			// Translate the table's coding to the learnt categories once.
			var tr []float64
			if c.Kind == Categorical {
				tr = make([]float64, len(c.Categories))
				for k, cat := range c.Categories {
					tr[k] = pc.category(cat)
				}
				src[j] = func(i int) float64 {
					if v := c.Values[i]; !math.IsNaN(v) {
						return tr[int(v)]
					}
					return math.NaN()
				}
			} else {
				src[j] = func(i int) float64 {
					if v := c.Values[i]; !math.IsNaN(v) {
						return pc.category(formatNumber(v))
					}
					return math.NaN()
				}
			}
		}
	}
	return src, nil
}

// columnNames returns the names of p's input columns, in order.
func (p *Preprocessor) columnNames() []string {
	names := make([]string, len(p.cols))
	for j := range p.cols {
		names[j] = p.cols[j].name
	}
	return names
}

// category returns the index of cat among the learnt categories, or -1.
func (pc *prepColumn) category(cat string) float64 {
	if k, ok := pc.index[cat]; ok {
		return float64(k)
	}
	return -1
}

// findColumn returns the feature or target column of t named name, or nil.
func findColumn(t *Table, name string) *Column {
	for k := range t.Features {
		if t.Features[k].Name == name {
			return &t.Features[k]
		}
	}
	for k := range t.Targets {
		if t.Targets[k].Name == name {
			return &t.Targets[k]
		}
	}
	return nil
}

// encodeRow writes the preprocessed row of vals (one per input column, in
// p's coding, NaN missing) into dst, of length Width. row numbers the row
// (0-based) in errors. It allocates nothing unless it returns an error.
func (p *Preprocessor) encodeRow(dst, vals []float64, row int) error {
	off := 0
	for j := range p.cols {
		pc := &p.cols[j]
		v := vals[j]
		if math.IsNaN(v) {
			if math.IsNaN(pc.fill) {
				return fmt.Errorf("%w: row %d (0-based), column %s: missing value, and the model has no imputation for it", mlp.ErrData, row, quote(pc.name))
			}
			v = pc.fill
		}
		if pc.kind == Categorical {
			oneHot(dst[off:], v, len(pc.categories))
			off += len(pc.categories)
			continue
		}
		if p.scaler != nil && pc.scaled >= 0 {
			z, ok := p.scaler.Standardize(pc.scaled, v)
			if !ok {
				return fmt.Errorf("%w: row %d (0-based), column %s: %v is too far from the training mean %v to standardize",
					mlp.ErrData, row, quote(pc.name), v, p.scaler.Mean[pc.scaled])
			}
			v = z
		}
		dst[off] = v
		off++
	}
	return nil
}

// cellValue returns the value of a text cell for input column j in p's
// coding (see match): the parsed number or the category's index, -1 for an
// unseen category, NaN for a missing-value marker. It returns an error
// wrapping mlp.ErrData, naming the column, for text in a numeric column and for
// a number out of range or not finite.
func (p *Preprocessor) cellValue(j int, cell string) (float64, error) {
	pc := &p.cols[j]
	cell = strings.TrimSpace(cell)
	if isMissing(cell, p.na) || len(pc.na) > 0 && slices.Contains(pc.na, cell) {
		return math.NaN(), nil
	}
	if pc.kind == Categorical {
		return pc.textCategory(cell), nil
	}
	v, err := parseNumber(cell)
	if err != nil && isNAMarker(cell) {
		return 0, fmt.Errorf("%w, which looks like a missing-value marker that the training data did not hold in this column: give an empty cell instead, or add it to CSVReader.NA", err)
	}
	return v, err
}

// textCategory returns the index of a text cell (trimmed, not missing)
// among pc's categories, -1 if unseen. A cell that is not a category
// itself is looked up by the name the reader gives it in a text column: a
// boolean in any case as "True" or "False", a number by its shortest
// decimal form ("1.0" as "1").
func (pc *prepColumn) textCategory(cell string) float64 {
	if k, ok := pc.index[cell]; ok {
		return float64(k)
	}
	switch v, kind := classifyCell(cell); {
	case kind == cellBool:
		return pc.category(boolName(v == 1))
	case kind <= cellNegInt && !math.IsInf(v, 0):
		return pc.category(formatNumber(v))
	}
	return -1
}

// boolName returns "True" or "False", the names of the two categories of
// a boolean column.
func boolName(b bool) string {
	if b {
		return "True"
	}
	return "False"
}

// anyValue is cellValue for a value of a map record: a string is read as a
// cell, a float64 (as encoding/json gives numbers) or an integer as a
// number, nil as missing, and a bool, for a boolean column (of the
// categories False and True), as its category.
func (p *Preprocessor) anyValue(j int, v any) (float64, error) {
	pc := &p.cols[j]
	var x float64
	switch v := v.(type) {
	case nil:
		return math.NaN(), nil
	case string:
		return p.cellValue(j, v)
	case bool:
		if k := pc.category(boolName(v)); k >= 0 || pc.category(boolName(!v)) >= 0 {
			// A boolean column.
			return k, nil
		}
		return 0, fmt.Errorf("a value of type bool for a column that is not boolean; want a string, a float64 or nil")
	case float64:
		x = v
	case float32:
		x = float64(v)
	case int:
		x = float64(v)
	case int64:
		x = float64(v)
	case int32:
		x = float64(v)
	default:
		return 0, fmt.Errorf("a value of type %T; want a string, a float64 or nil", v)
	}
	if math.IsNaN(x) {
		return x, nil
	}
	if math.IsInf(x, 0) {
		return 0, fmt.Errorf("%w: %v", ErrNotFinite, x)
	}
	if pc.kind == Categorical {
		return pc.category(formatNumber(x)), nil
	}
	return x, nil
}
