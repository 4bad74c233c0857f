package mlpserve

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"

	"github.com/mlpkit/mlp/tabular"
)

// predictChunk is the most rows given to one PredictMaps call: the maps it
// takes are made for one chunk at a time, inside a prediction slot.
const predictChunk = 1024

// batch holds the decoded rows of a request compactly, 8 bytes a cell,
// until they are predicted: cell i·columns+j of vals is row i's value of
// column j, a number for a numeric column, the index of a category among
// the column's for a categorical one, NaN for a missing value; a cell
// whose value is a string the model reads itself (text in a numeric
// column, a category the model does not know) is in text instead.
type batch struct {
	cols int
	n    int
	vals []float64
	text map[int]string
}

func newBatch(cols int) *batch { return &batch{cols: cols} }

// addRow adds a row of missing values and returns its index.
func (b *batch) addRow() int {
	for range b.cols {
		b.vals = append(b.vals, math.NaN())
	}
	b.n++
	return b.n - 1
}

// set sets cell (i, j) to v, a value as cellValue returns it: nil, a
// float64 or a string. A string that is one of categorical column j's
// categories is kept as its index.
func (sv *served) set(b *batch, i, j int, v any) {
	c := i*b.cols + j
	switch v := v.(type) {
	case nil:
		b.vals[c] = math.NaN()
	case float64:
		b.vals[c] = v
	case string:
		if k, ok := sv.catIndex[j][v]; ok {
			b.vals[c] = float64(k)
			return
		}
		if b.text == nil {
			b.text = map[int]string{}
		}
		b.text[c] = v
	}
}

// rowMap writes row i of b into m, keyed by sv's column names, as
// PredictMaps takes it.
func (sv *served) rowMap(b *batch, i int, m map[string]any) {
	for j := range sv.cols {
		name := sv.cols[j].Name
		c := i*b.cols + j
		if s, ok := b.text[c]; ok {
			m[name] = s
			continue
		}
		switch v := b.vals[c]; {
		case math.IsNaN(v):
			m[name] = nil
		case sv.cats[j] != nil:
			m[name] = sv.cols[j].Categories[int(v)]
		default:
			m[name] = v
		}
	}
}

// predict predicts the rows of b with sv's model, predictChunk rows at a
// time, and returns the predictions of all of them, checked. An error of a
// chunk after the first names its rows in the request.
func (sv *served) predict(b *batch) (*tabular.Prediction, error) {
	maps := make([]map[string]any, min(b.n, predictChunk))
	for k := range maps {
		maps[k] = make(map[string]any, len(sv.cols))
	}
	var (
		all   tabular.Prediction
		data  []float64
		width int
		proba = true
	)
	for s := 0; s < b.n; s += predictChunk {
		e := min(s+predictChunk, b.n)
		rows := maps[:e-s]
		for i := s; i < e; i++ {
			sv.rowMap(b, i, rows[i-s])
		}
		p, err := sv.m.PredictMaps(rows)
		if err != nil {
			return nil, chunkError(err, s, e, b.n)
		}
		if err := sv.checkPrediction(p, e-s); err != nil {
			return nil, err
		}
		if s == 0 && e == b.n {
			return p, nil
		}
		m := p.Values
		if sv.qclasses != nil {
			all.Labels = append(all.Labels, p.Labels...)
			m = p.Proba
			proba = proba && m != nil
		}
		if m != nil {
			r, c := m.Dims()
			width = c
			for i := range r {
				data = append(data, m.RawRowView(i)...)
			}
		}
	}
	switch {
	case sv.qclasses == nil:
		all.Values = mat.NewDense(b.n, width, data)
	case proba:
		all.Proba = mat.NewDense(b.n, width, data)
	}
	return &all, nil
}

// chunkError returns err, of the prediction of rows s to e−1 of n, with
// the rows named in the request: a *tabular.RecordError is renumbered,
// another error names the rows it is about when they are not all of them.
func chunkError(err error, s, e, n int) error {
	if s == 0 && e == n {
		return err
	}
	if re, ok := err.(*tabular.RecordError); ok {
		c := *re
		c.Record += s
		return &c
	}
	return fmt.Errorf("rows %d to %d (0-based) of the request, predicted together: %w", s, e-1, err)
}
