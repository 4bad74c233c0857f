package mlp_test

import (
	"testing"

	"github.com/mlpkit/mlp"
	"gonum.org/v1/gonum/mat"
)

// dataIDSet builds a data set of n samples and f >= 1 features whose
// feature 0 is the sample's index, so that batches can be traced back to
// samples. Classification targets are id % 3; regression targets are
// (10·id, −id).
func dataIDSet(t testing.TB, n, f int, regression bool) *mlp.Dataset {
	t.Helper()
	x := mat.NewDense(n, f, nil)
	for i := range n {
		x.Set(i, 0, float64(i))
		for j := 1; j < f; j++ {
			x.Set(i, j, float64(i*f+j)/7)
		}
	}
	var y mlp.Targets
	if regression {
		y.Values = mat.NewDense(n, 2, nil)
		for i := range n {
			y.Values.Set(i, 0, 10*float64(i))
			y.Values.Set(i, 1, -float64(i))
		}
	} else {
		y.Labels = make([]int, n)
		for i := range n {
			y.Labels[i] = i % 3
		}
	}
	d, err := mlp.NewDataset(x, y)
	if err != nil {
		t.Fatalf("NewDataset: %v", err)
	}
	return d
}

// dataEpoch runs one epoch of l (calling Reset first when reset is set) and
// returns the sample ids in the order seen and the batch sizes. It checks that
// each batch row's features and targets belong to the same sample of a data
// set built by dataIDSet.
func dataEpoch(t *testing.T, l *mlp.DataLoader, reset bool) (ids, sizes []int) {
	t.Helper()
	if reset {
		l.Reset()
	}
	d := l.Dataset()
	for l.Next() {
		b := l.Batch()
		r, c := b.X.Dims()
		if c != d.Features() {
			t.Fatalf("batch has %d columns, want %d", c, d.Features())
		}
		for i := range r {
			id := int(b.X.At(i, 0))
			if !mat.Equal(b.X.RowView(i), d.X.RowView(id)) {
				t.Fatalf("batch row %d = %v, want sample %d = %v", i, mat.Formatted(b.X.RowView(i).T()), id, mat.Formatted(d.X.RowView(id).T()))
			}
			if d.Y.Labels != nil {
				if len(b.Y.Labels) != r {
					t.Fatalf("batch has %d labels for %d rows", len(b.Y.Labels), r)
				}
				if b.Y.Labels[i] != d.Y.Labels[id] {
					t.Fatalf("label of batch row %d (sample %d) = %d, want %d", i, id, b.Y.Labels[i], d.Y.Labels[id])
				}
			} else {
				if !mat.Equal(b.Y.Values.RowView(i), d.Y.Values.RowView(id)) {
					t.Fatalf("values of batch row %d (sample %d) do not match", i, id)
				}
			}
			ids = append(ids, id)
		}
		sizes = append(sizes, r)
	}
	if l.Batch().X != nil {
		t.Errorf("Batch() after the end of the epoch has X set, want the zero Batch")
	}
	if len(sizes) != l.NumBatches() {
		t.Errorf("the epoch had %d batches, NumBatches() = %d", len(sizes), l.NumBatches())
	}
	return ids, sizes
}

// dataRowIDs returns column 0 of d.X as ints (a data set from dataIDSet).
func dataRowIDs(d *mlp.Dataset) []int {
	ids := make([]int, d.Len())
	for i := range ids {
		ids[i] = int(d.X.At(i, 0))
	}
	return ids
}
