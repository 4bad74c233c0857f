package tabular

import (
	"math"
	"slices"
	"strconv"
	"testing"
)

// The cases of testdata/sklearn/preprocess.json, written by
// gen_preprocess.py with scikit-learn 1.2.1.
type sklearnPreprocess struct {
	Imputer []struct {
		Name         string         `json:"name"`
		Values       []sklearnFloat `json:"values"`
		Mean         float64        `json:"mean"`
		Median       float64        `json:"median"`
		MostFrequent float64        `json:"most_frequent"`
	} `json:"imputer"`
	Tables []struct {
		Name    string `json:"name"`
		Impute  string `json:"impute"`
		Columns []struct {
			Name   string `json:"name"`
			Kind   string `json:"kind"`   // "numeric" or "text"
			Values []any  `json:"values"` // numbers, texts, nil for missing
		} `json:"columns"`
		Train      []int       `json:"train"`
		Other      []int       `json:"other"`
		Categories [][]string  `json:"categories"` // per column; nil for numeric
		Fills      []any       `json:"fills"`      // per column: the imputed number or text
		TrainOut   [][]float64 `json:"train_out"`
		OtherOut   [][]float64 `json:"other_out"`
	} `json:"tables"`
	Labels []struct {
		Name    string   `json:"name"`
		Values  []any    `json:"values"`
		Classes []string `json:"classes"`
		Codes   []int    `json:"codes"`
	} `json:"labels"`
}

func readSklearnPreprocess(t *testing.T) sklearnPreprocess {
	t.Helper()
	cases := readSklearnCases[sklearnPreprocess](t, "preprocess.json", 1)
	p := cases[0]
	if len(p.Imputer) < 60 || len(p.Tables) < 40 || len(p.Labels) < 30 {
		t.Fatalf("%d imputer, %d table and %d label cases; want at least 60, 40 and 30", len(p.Imputer), len(p.Tables), len(p.Labels))
	}
	return p
}

// sklearnClose reports whether got agrees with scikit-learn's want to
// within 1e-12 relative or 1e-14 absolute.
func sklearnClose(got, want float64) bool {
	if math.IsNaN(got) || math.IsNaN(want) {
		return math.IsNaN(got) && math.IsNaN(want)
	}
	d := math.Abs(got - want)
	return got == want || d <= 1e-14 || d <= 1e-12*math.Abs(want)
}

// sklearnColumn returns a Column holding values as the CSV reader would: numbers
// in a Numeric column, texts in a Categorical one with its categories in
// byte order; nil is a missing cell.
func sklearnColumn(name string, text bool, values []any) Column {
	c := Column{Name: name, Kind: Numeric, Values: make([]float64, len(values))}
	if text {
		c.Kind = Categorical
		for _, v := range values {
			if s, ok := v.(string); ok && !slices.Contains(c.Categories, s) {
				c.Categories = append(c.Categories, s)
			}
		}
		slices.Sort(c.Categories)
	}
	for i, v := range values {
		switch v := v.(type) {
		case nil:
			c.Values[i] = math.NaN()
		case string:
			c.Values[i] = float64(slices.Index(c.Categories, v))
		case float64:
			c.Values[i] = v
		}
	}
	return c
}

// impute gives SimpleImputer's statistics_: the mean, the median (the mean
// of the two middle values for an even count) and the most frequent value
// (the smallest on ties) of the values that are not missing.
func TestImputeAsScikitLearn(t *testing.T) {
	for _, c := range readSklearnPreprocess(t).Imputer {
		v := make([]float64, len(c.Values))
		for i, x := range c.Values {
			v[i] = float64(x)
		}
		for _, s := range []struct {
			s    Imputation
			want float64
		}{{ImputeMean, c.Mean}, {ImputeMedian, c.Median}, {ImputeMostFrequent, c.MostFrequent}} {
			got, ok := impute(v, s.s)
			if !ok || !sklearnClose(got, s.want) {
				t.Errorf("%s: %v of %v = %v, %v; scikit-learn %v", c.Name, s.s, v, got, ok, s.want)
			}
		}
	}
}

// FitPreprocessor and Transform give what scikit-learn's ColumnTransformer
// of SimpleImputer and StandardScaler (numeric columns) and
// SimpleImputer(strategy="most_frequent") and
// OneHotEncoder(handle_unknown="ignore") (text columns) give, fitted on
// the same training rows: the categories in the same order, the same
// fills, the same matrix for the training rows and for other rows, whose
// unseen categories give all zeros.
func TestPreprocessorAsScikitLearn(t *testing.T) {
	strategies := map[string]Imputation{"mean": ImputeMean, "median": ImputeMedian, "most_frequent": ImputeMostFrequent}
	for _, c := range readSklearnPreprocess(t).Tables {
		t.Run(c.Name, func(t *testing.T) {
			var tab Table
			for _, col := range c.Columns {
				tab.Features = append(tab.Features, sklearnColumn(col.Name, col.Kind == "text", col.Values))
			}
			train := tab.Subset(c.Train)
			p, err := FitPreprocessor(train, PreprocessSettings{Impute: strategies[c.Impute]})
			if err != nil {
				t.Fatal(err)
			}
			for j, info := range p.Columns() {
				switch fill := c.Fills[j].(type) {
				case string:
					if !slices.Equal(info.Categories, c.Categories[j]) {
						t.Errorf("column %s: categories %q, scikit-learn %q", info.Name, info.Categories, c.Categories[j])
					}
					if info.Fill != fill {
						t.Errorf("column %s: fill %q, scikit-learn %q", info.Name, info.Fill, fill)
					}
				case float64:
					if got, err := strconv.ParseFloat(info.Fill, 64); err != nil || !sklearnClose(got, fill) {
						t.Errorf("column %s: fill %q, scikit-learn %v", info.Name, info.Fill, fill)
					}
				}
			}
			for _, part := range []struct {
				name string
				rows []int
				want [][]float64
			}{{"training rows", c.Train, c.TrainOut}, {"other rows", c.Other, c.OtherOut}} {
				if len(part.rows) == 0 {
					continue
				}
				x, err := p.Transform(tab.Subset(part.rows))
				if err != nil {
					t.Fatal(err)
				}
				r, w := x.Dims()
				if r != len(part.want) || w != len(part.want[0]) {
					t.Fatalf("%s: %dx%d, scikit-learn %dx%d", part.name, r, w, len(part.want), len(part.want[0]))
				}
				for i, row := range part.want {
					for j, want := range row {
						if got := x.At(i, j); !sklearnClose(got, want) {
							t.Errorf("%s: [%d][%d] (%s) = %v, scikit-learn %v", part.name, i, j, p.OutputNames()[j], got, want)
						}
					}
				}
			}
		})
	}
}

// FitLabelEncoder orders and numbers classes as LabelEncoder does:
// numbers in numeric order, texts in code-point (UTF-8 byte) order.
func TestLabelEncoderAsScikitLearn(t *testing.T) {
	for _, c := range readSklearnPreprocess(t).Labels {
		_, text := c.Values[0].(string)
		col := sklearnColumn("y", text, c.Values)
		e, err := FitLabelEncoder(&col)
		if err != nil {
			t.Fatalf("%s: %v", c.Name, err)
		}
		if !slices.Equal(e.Classes, c.Classes) {
			t.Errorf("%s: classes %q, scikit-learn %q", c.Name, e.Classes, c.Classes)
		}
		codes, err := e.Transform(&col)
		if err != nil || !slices.Equal(codes, c.Codes) {
			t.Errorf("%s: codes %v, %v; scikit-learn %v", c.Name, codes, err, c.Codes)
		}
	}
}
