package mlp_test

import (
	"encoding/csv"
	"errors"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/mlpkit/mlp"
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
		if got, want := l.BatchIndex(), len(sizes); got != want {
			t.Fatalf("BatchIndex() = %d, want %d", got, want)
		}
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
	return ids, sizes
}

func dataErrorContains(t *testing.T, err error, sentinel error, substrings ...string) {
	t.Helper()
	if err == nil {
		t.Fatalf("got no error, want one wrapping %v", sentinel)
	}
	if !errors.Is(err, sentinel) {
		t.Errorf("error %q does not match %v", err, sentinel)
	}
	for _, s := range substrings {
		if !strings.Contains(err.Error(), s) {
			t.Errorf("error %q does not contain %q", err, s)
		}
	}
}

func TestNewDatasetErrors(t *testing.T) {
	x := func() *mat.Dense { return mat.NewDense(3, 2, []float64{1, 2, 3, 4, 5, 6}) }
	withNaN := x()
	withNaN.Set(2, 1, math.NaN())
	withInf := x()
	withInf.Set(1, 0, math.Inf(1))
	negInf := mat.NewDense(3, 1, []float64{0, 1, math.Inf(-1)})
	for _, tc := range []struct {
		name string
		x    *mat.Dense
		y    mlp.Targets
		want []string
	}{
		{"nil features", nil, mlp.Targets{Labels: []int{0}}, []string{"no samples"}},
		{"no rows", &mat.Dense{}, mlp.Targets{Labels: []int{}}, []string{"no samples"}},
		{"fewer labels than rows", x(), mlp.Targets{Labels: []int{0, 1}}, []string{"2 labels for 3 samples"}},
		{"more labels than rows", x(), mlp.Targets{Labels: []int{0, 1, 0, 1}}, []string{"4 labels for 3 samples"}},
		{"value rows differ", x(), mlp.Targets{Values: mat.NewDense(2, 1, nil)}, []string{"2 target rows for 3 samples"}},
		{"both targets", x(), mlp.Targets{Labels: []int{0, 1, 0}, Values: mat.NewDense(3, 1, nil)}, []string{"both"}},
		{"no targets", x(), mlp.Targets{}, []string{"neither"}},
		{"NaN feature", withNaN, mlp.Targets{Labels: []int{0, 1, 0}}, []string{"NaN", "row 2, column 1 (0-based)"}},
		{"Inf feature", withInf, mlp.Targets{Labels: []int{0, 1, 0}}, []string{"+Inf", "row 1, column 0"}},
		{"-Inf target value", x(), mlp.Targets{Values: negInf}, []string{"target", "-Inf", "row 2, column 0"}},
		{"negative label", x(), mlp.Targets{Labels: []int{0, -1, 2}}, []string{"label -1 of row 1"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d, err := mlp.NewDataset(tc.x, tc.y)
			if d != nil {
				t.Errorf("got a Dataset with the error")
			}
			dataErrorContains(t, err, mlp.ErrData, tc.want...)
		})
	}
}

func TestNewDataset(t *testing.T) {
	x := mat.NewDense(4, 3, nil)
	for _, tc := range []struct {
		name        string
		y           mlp.Targets
		wantClasses int
	}{
		{"labels", mlp.Targets{Labels: []int{0, 4, 2, 0}}, 5},
		{"all zero labels", mlp.Targets{Labels: []int{0, 0, 0, 0}}, 1},
		{"regression", mlp.Targets{Values: mat.NewDense(4, 2, nil)}, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d, err := mlp.NewDataset(x, tc.y)
			if err != nil {
				t.Fatal(err)
			}
			if d.Classes != tc.wantClasses {
				t.Errorf("Classes = %d, want %d", d.Classes, tc.wantClasses)
			}
			if d.Len() != 4 || d.Features() != 3 {
				t.Errorf("Len, Features = %d, %d, want 4, 3", d.Len(), d.Features())
			}
			if d.X != x {
				t.Errorf("Dataset does not keep the caller's matrix")
			}
		})
	}
}

func TestNewDataLoaderErrors(t *testing.T) {
	d := dataIDSet(t, 10, 2, false)
	for _, tc := range []struct {
		name string
		d    *mlp.Dataset
		s    mlp.LoaderSettings
		want error
	}{
		{"negative batch size", d, mlp.LoaderSettings{BatchSize: -1}, mlp.ErrSetting},
		{"shuffle without source", d, mlp.LoaderSettings{Shuffle: true}, mlp.ErrSetting},
		{"drop last leaves nothing", d, mlp.LoaderSettings{BatchSize: 11, DropLast: true}, mlp.ErrSetting},
		{"nil data set", nil, mlp.LoaderSettings{}, mlp.ErrData},
		{"labels do not fit", &mlp.Dataset{X: d.X, Y: mlp.Targets{Labels: []int{1}}}, mlp.LoaderSettings{}, mlp.ErrData},
		{"no targets", &mlp.Dataset{X: d.X}, mlp.LoaderSettings{}, mlp.ErrData},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l, err := mlp.NewDataLoader(tc.d, tc.s)
			if l != nil {
				t.Errorf("got a loader with the error")
			}
			dataErrorContains(t, err, tc.want)
		})
	}
}

func TestDataLoaderBatchSizes(t *testing.T) {
	for _, tc := range []struct {
		name      string
		n         int
		s         mlp.LoaderSettings
		wantSizes []int
	}{
		{"last batch smaller", 10, mlp.LoaderSettings{BatchSize: 4}, []int{4, 4, 2}},
		{"last batch smaller shuffled", 10, mlp.LoaderSettings{BatchSize: 4, Shuffle: true, Src: rand.NewPCG(1, 2)}, []int{4, 4, 2}},
		{"drop last", 10, mlp.LoaderSettings{BatchSize: 4, DropLast: true}, []int{4, 4}},
		{"drop last shuffled", 10, mlp.LoaderSettings{BatchSize: 4, DropLast: true, Shuffle: true, Src: rand.NewPCG(1, 2)}, []int{4, 4}},
		{"exact fit", 8, mlp.LoaderSettings{BatchSize: 4}, []int{4, 4}},
		{"exact fit drop last", 8, mlp.LoaderSettings{BatchSize: 4, DropLast: true}, []int{4, 4}},
		{"batch larger than data", 3, mlp.LoaderSettings{BatchSize: 32}, []int{3}},
		{"default batch size", 70, mlp.LoaderSettings{}, []int{32, 32, 6}},
		{"batch size one", 3, mlp.LoaderSettings{BatchSize: 1}, []int{1, 1, 1}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l, err := mlp.NewDataLoader(dataIDSet(t, tc.n, 2, false), tc.s)
			if err != nil {
				t.Fatal(err)
			}
			wantLen := 0
			for _, s := range tc.wantSizes {
				wantLen += s
			}
			if l.Len() != wantLen || l.NumBatches() != len(tc.wantSizes) {
				t.Errorf("Len, NumBatches = %d, %d, want %d, %d", l.Len(), l.NumBatches(), wantLen, len(tc.wantSizes))
			}
			for epoch := range 2 {
				_, sizes := dataEpoch(t, l, true)
				if !slices.Equal(sizes, tc.wantSizes) {
					t.Errorf("epoch %d: batch sizes %v, want %v", epoch, sizes, tc.wantSizes)
				}
			}
		})
	}
}

func TestDataLoaderSeesEverySampleOnce(t *testing.T) {
	const n = 103
	for _, tc := range []struct {
		name       string
		regression bool
		s          mlp.LoaderSettings
	}{
		{"in order", false, mlp.LoaderSettings{BatchSize: 10}},
		{"shuffled", false, mlp.LoaderSettings{BatchSize: 10, Shuffle: true, Src: rand.NewPCG(3, 4)}},
		{"regression in order", true, mlp.LoaderSettings{BatchSize: 16}},
		{"regression shuffled", true, mlp.LoaderSettings{BatchSize: 16, Shuffle: true, Src: rand.NewPCG(5, 6)}},
		{"drop last shuffled", false, mlp.LoaderSettings{BatchSize: 10, DropLast: true, Shuffle: true, Src: rand.NewPCG(7, 8)}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l, err := mlp.NewDataLoader(dataIDSet(t, n, 3, tc.regression), tc.s)
			if err != nil {
				t.Fatal(err)
			}
			for epoch := range 3 {
				ids, _ := dataEpoch(t, l, true)
				if len(ids) != l.Len() {
					t.Fatalf("epoch %d: saw %d samples, Len() = %d", epoch, len(ids), l.Len())
				}
				seen := make([]int, n)
				for _, id := range ids {
					seen[id]++
				}
				for id, k := range seen {
					if k > 1 || (k == 0 && !tc.s.DropLast) {
						t.Fatalf("epoch %d: sample %d seen %d times", epoch, id, k)
					}
				}
			}
		})
	}
}

// TestDataLoaderEvaluationCoversAll guards against a loader that drops the
// last partial batch when DropLast is off: an evaluation pass must see every
// sample, in order.
func TestDataLoaderEvaluationCoversAll(t *testing.T) {
	for _, tc := range []struct {
		name      string
		n, batch  int
		wantLast  int
		wantCount int
	}{
		{"569 by 32", 569, 32, 25, 18},
		{"10 by 4", 10, 4, 2, 3},
		{"1 by 32", 1, 32, 1, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l, err := mlp.NewDataLoader(dataIDSet(t, tc.n, 2, false), mlp.LoaderSettings{BatchSize: tc.batch})
			if err != nil {
				t.Fatal(err)
			}
			ids, sizes := dataEpoch(t, l, true)
			want := make([]int, tc.n)
			for i := range want {
				want[i] = i
			}
			if !slices.Equal(ids, want) {
				t.Errorf("evaluation order %v, want 0..%d", ids, tc.n-1)
			}
			if len(sizes) != tc.wantCount || sizes[len(sizes)-1] != tc.wantLast {
				t.Errorf("batch sizes %v, want %d batches, the last of %d", sizes, tc.wantCount, tc.wantLast)
			}
		})
	}
}

func TestDataLoaderShuffleOrder(t *testing.T) {
	const n = 50
	newLoader := func(seed uint64) *mlp.DataLoader {
		l, err := mlp.NewDataLoader(dataIDSet(t, n, 2, false), mlp.LoaderSettings{BatchSize: 8, Shuffle: true, Src: rand.NewPCG(seed, 99)})
		if err != nil {
			t.Fatal(err)
		}
		return l
	}
	identity := make([]int, n)
	for i := range identity {
		identity[i] = i
	}

	a, b, other := newLoader(1), newLoader(1), newLoader(2)
	var prev []int
	for epoch := range 4 {
		ia, _ := dataEpoch(t, a, true)
		ib, _ := dataEpoch(t, b, true)
		iOther, _ := dataEpoch(t, other, true)
		if !slices.Equal(ia, ib) {
			t.Errorf("epoch %d: same seed gave different orders\n%v\n%v", epoch, ia, ib)
		}
		if slices.Equal(ia, iOther) {
			t.Errorf("epoch %d: different seeds gave the same order %v", epoch, ia)
		}
		if slices.Equal(ia, identity) {
			t.Errorf("epoch %d: shuffled order is the identity", epoch)
		}
		if slices.Equal(ia, prev) {
			t.Errorf("epoch %d: same order as the epoch before: %v", epoch, ia)
		}
		prev = ia
	}
}

func TestDataLoaderNextWithoutReset(t *testing.T) {
	newLoader := func() *mlp.DataLoader {
		l, err := mlp.NewDataLoader(dataIDSet(t, 10, 2, false), mlp.LoaderSettings{BatchSize: 4, Shuffle: true, Src: rand.NewPCG(5, 5)})
		if err != nil {
			t.Fatal(err)
		}
		return l
	}
	a, b := newLoader(), newLoader()
	if a.BatchIndex() != -1 {
		t.Errorf("BatchIndex() of a new loader = %d, want -1", a.BatchIndex())
	}
	withReset, _ := dataEpoch(t, a, true)
	without, sizes := dataEpoch(t, b, false)
	if !slices.Equal(withReset, without) || !slices.Equal(sizes, []int{4, 4, 2}) {
		t.Errorf("first epoch without Reset: %v (sizes %v), want %v (sizes [4 4 2])", without, sizes, withReset)
	}
	// The epoch is over: Next stays false until Reset.
	for range 2 {
		if b.Next() {
			t.Fatalf("Next() = true after the end of the epoch without Reset")
		}
	}
	if b.BatchIndex() != b.NumBatches() {
		t.Errorf("BatchIndex() after the epoch = %d, want %d", b.BatchIndex(), b.NumBatches())
	}
	second, _ := dataEpoch(t, b, true)
	if len(second) != 10 {
		t.Errorf("second epoch after Reset saw %d samples, want 10", len(second))
	}
}

// TestDataLoaderDoesNotCopyData checks that an epoch, shuffled or not,
// allocates nothing (so the data set is never copied) and leaves the data set
// unchanged.
func TestDataLoaderDoesNotCopyData(t *testing.T) {
	for _, tc := range []struct {
		name       string
		regression bool
		s          mlp.LoaderSettings
	}{
		{"shuffled", false, mlp.LoaderSettings{BatchSize: 32, Shuffle: true, Src: rand.NewPCG(1, 1)}},
		{"shuffled regression", true, mlp.LoaderSettings{BatchSize: 32, Shuffle: true, Src: rand.NewPCG(1, 1)}},
		{"in order", false, mlp.LoaderSettings{BatchSize: 64}},
		{"drop last", false, mlp.LoaderSettings{BatchSize: 32, DropLast: true, Shuffle: true, Src: rand.NewPCG(1, 1)}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := dataIDSet(t, 1000, 30, tc.regression)
			before := mat.DenseCopyOf(d.X)
			labelsBefore := slices.Clone(d.Y.Labels)
			l, err := mlp.NewDataLoader(d, tc.s)
			if err != nil {
				t.Fatal(err)
			}
			var seen int
			allocs := testing.AllocsPerRun(20, func() {
				l.Reset()
				for l.Next() {
					b := l.Batch()
					r, _ := b.X.Dims()
					seen += r
				}
			})
			if allocs != 0 {
				t.Errorf("an epoch allocates %v times, want 0", allocs)
			}
			if want := 21 * l.Len(); seen != want {
				t.Errorf("saw %d samples in 21 epochs, want %d", seen, want)
			}
			if !mat.Equal(d.X, before) {
				t.Errorf("the epochs changed the data set's X")
			}
			if !slices.Equal(d.Y.Labels, labelsBefore) {
				t.Errorf("the epochs changed the data set's labels")
			}
		})
	}
}

func dataOpen(t *testing.T, name string) *os.File {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", "csv", name))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

func TestCSVReaderIris(t *testing.T) {
	d, err := mlp.NewCSVReader(dataOpen(t, "iris.csv")).Read()
	if err != nil {
		t.Fatal(err)
	}
	wantNames := []string{"sepal_length_cm", "sepal_width_cm", "petal_length_cm", "petal_width_cm"}
	if !slices.Equal(d.FeatureNames, wantNames) {
		t.Errorf("FeatureNames = %q, want %q", d.FeatureNames, wantNames)
	}
	if d.Len() != 150 || d.Features() != 4 || d.Classes != 3 {
		t.Errorf("Len, Features, Classes = %d, %d, %d, want 150, 4, 3", d.Len(), d.Features(), d.Classes)
	}
	if d.Y.Values != nil {
		t.Errorf("classification data set has Values")
	}
	counts := make([]int, d.Classes)
	for _, c := range d.Y.Labels {
		counts[c]++
	}
	if !slices.Equal(counts, []int{50, 50, 50}) {
		t.Errorf("class counts %v, want [50 50 50]", counts)
	}
	// First and last rows of the file.
	if got, want := mat.Row(nil, 0, d.X), []float64{5.1, 3.5, 1.4, 0.2}; !slices.Equal(got, want) || d.Y.Labels[0] != 0 {
		t.Errorf("row 0 = %v label %d, want %v label 0", got, d.Y.Labels[0], want)
	}
	if got, want := mat.Row(nil, 149, d.X), []float64{5.9, 3, 5.1, 1.8}; !slices.Equal(got, want) || d.Y.Labels[149] != 2 {
		t.Errorf("row 149 = %v label %d, want %v label 2", got, d.Y.Labels[149], want)
	}
}

func TestCSVReaderTargetByName(t *testing.T) {
	r := mlp.NewCSVReader(dataOpen(t, "target_middle.csv"))
	r.Target = "species"
	d, err := r.Read()
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"height", "weight"}; !slices.Equal(d.FeatureNames, want) {
		t.Errorf("FeatureNames = %q, want %q", d.FeatureNames, want)
	}
	wantX := mat.NewDense(4, 2, []float64{1.5, 60, 1.75, 82.5, 1.6, 55, 1.8, 90})
	if !mat.Equal(d.X, wantX) {
		t.Errorf("X =\n%v\nwant\n%v", mat.Formatted(d.X), mat.Formatted(wantX))
	}
	if want := []int{0, 2, 1, 2}; !slices.Equal(d.Y.Labels, want) || d.Classes != 3 {
		t.Errorf("labels %v, classes %d, want %v, 3", d.Y.Labels, d.Classes, want)
	}
}

func TestCSVReaderRegression(t *testing.T) {
	r := mlp.NewCSVReader(dataOpen(t, "regression.csv"))
	r.Regression = true
	d, err := r.Read()
	if err != nil {
		t.Fatal(err)
	}
	if d.Y.Labels != nil || d.Classes != 0 {
		t.Errorf("regression data set has labels %v, classes %d", d.Y.Labels, d.Classes)
	}
	if want := mat.NewDense(3, 1, []float64{0.5, -1.25, 1000}); !mat.Equal(d.Y.Values, want) {
		t.Errorf("Values = %v, want %v", mat.Formatted(d.Y.Values.T()), mat.Formatted(want.T()))
	}
	if want := mat.NewDense(3, 2, []float64{0, 1, 2, -3, 4.5, 6e-3}); !mat.Equal(d.X, want) {
		t.Errorf("X =\n%v\nwant\n%v", mat.Formatted(d.X), mat.Formatted(want))
	}
	if want := []string{"x1", "x2"}; !slices.Equal(d.FeatureNames, want) {
		t.Errorf("FeatureNames = %q, want %q", d.FeatureNames, want)
	}
}

func TestCSVReaderErrors(t *testing.T) {
	for _, tc := range []struct {
		name       string
		input      string
		target     string
		regression bool
		want       error
		line, col  int
		msg        string // a part of the message
	}{
		{"empty input", "", "", false, mlp.ErrEmptyInput, 1, 0, "mlp: csv line 1: empty input"},
		{"only blank lines", "\n\n", "", false, mlp.ErrEmptyInput, 1, 0, "no header"},
		{"header only", "a,b,target\n", "", false, mlp.ErrEmptyInput, 2, 0, "mlp: csv line 2: empty input: no data rows"},
		{"header with one column", "target\n1\n", "", false, mlp.ErrEmptyInput, 1, 0, "at least one feature"},
		{"short row", "a,b,target\n1,2,0\n3,4\n", "", false, mlp.ErrRagged, 3, 3, "mlp: csv line 3, column 3: wrong number of fields: 2 fields, the header has 3"},
		{"long row", "a,b,target\n1,2,0\n\n3,4,1,5\n", "", false, mlp.ErrRagged, 4, 4, "4 fields"},
		{"non-numeric cell", "a,b,c,target\n1,2,3,0\n4,5,6,1\n7,8,abc,1\n", "", false, mlp.ErrNotNumber, 4, 3, `mlp: csv line 4, column 3: not a number: "abc" in column "c"`},
		{"empty cell", "a,b,target\n1,,0\n", "", false, mlp.ErrNotNumber, 2, 2, `""`},
		{"NaN feature", "a,b,target\n1,NaN,0\n", "", false, mlp.ErrNotFinite, 2, 2, `"NaN" in column "b"`},
		{"Inf regression target", "a,y\n1,2\n1,-Inf\n", "", true, mlp.ErrNotFinite, 3, 2, `"-Inf"`},
		{"non-numeric regression target", "a,y\n1,high\n", "", true, mlp.ErrNotNumber, 2, 2, `"high" in column "y"`},
		{"missing target column", "a,b,label\n1,2,0\n", "class", false, mlp.ErrNoTargetColumn, 1, 0, `"class" is not in the header`},
		{"fractional label", "a,b,target\n1,2,0\n3,4,2.5\n", "", false, mlp.ErrBadLabel, 3, 3, `mlp: csv line 3, column 3: bad class label: "2.5" is not an integer`},
		{"negative label", "a,b,target\n1,2,-1\n", "", false, mlp.ErrBadLabel, 2, 3, `"-1" is negative`},
		{"negative float label", "a,b,target\n1,2,-2.0\n", "", false, mlp.ErrBadLabel, 2, 3, `"-2.0" is negative`},
		{"text label", "a,target,b\n1,cat,2\n", "target", false, mlp.ErrBadLabel, 2, 2, `"cat"`},
		{"huge label", "a,target\n1,1e12\n", "", false, mlp.ErrBadLabel, 2, 2, "larger than"},
		{"line after a multi-line field", "a,b,target\n\"1\n\",2,0\n3,x,1\n", "", false, mlp.ErrNotNumber, 4, 2, `"x"`},
		{"bare quote", "a,b,target\n1,2\"3,0\n", "", false, csv.ErrBareQuote, 2, 0, "mlp: csv line 2: bare"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := mlp.NewCSVReader(strings.NewReader(tc.input))
			r.Target = tc.target
			r.Regression = tc.regression
			d, err := r.Read()
			if d != nil {
				t.Errorf("got a Dataset with the error")
			}
			var pe *mlp.ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("error %v (%T) is not a *ParseError", err, err)
			}
			if pe.Line != tc.line || pe.Column != tc.col {
				t.Errorf("line, column = %d, %d, want %d, %d (%v)", pe.Line, pe.Column, tc.line, tc.col, err)
			}
			dataErrorContains(t, err, tc.want, tc.msg)
			if !errors.Is(err, mlp.ErrData) {
				t.Errorf("error %v does not match ErrData", err)
			}
		})
	}
}

type dataFailingReader struct{ err error }

func (r dataFailingReader) Read([]byte) (int, error) { return 0, r.err }

func TestCSVReaderReadError(t *testing.T) {
	errDisk := errors.New("disk on fire")
	_, err := mlp.NewCSVReader(io.MultiReader(strings.NewReader("a,target\n1,0\n"), dataFailingReader{errDisk})).Read()
	if !errors.Is(err, errDisk) || !errors.Is(err, mlp.ErrData) {
		t.Errorf("error %v does not match both the reader's error and ErrData", err)
	}
}

// dataRowIDs returns column 0 of d.X as ints (a data set from dataIDSet).
func dataRowIDs(d *mlp.Dataset) []int {
	ids := make([]int, d.Len())
	for i := range ids {
		ids[i] = int(d.X.At(i, 0))
	}
	return ids
}

func TestSplit(t *testing.T) {
	for _, tc := range []struct {
		name               string
		n                  int
		fraction           float64
		stratify           bool
		wantTrain, wantVal int
	}{
		{"569 at 0.2", 569, 0.2, false, 455, 114},            // round(113.8) = 114
		{"569 default fraction", 569, 0, false, 455, 114},    // 0 means 0.2
		{"10 at 0.25 rounds half up", 10, 0.25, false, 7, 3}, // round(2.5) = 3
		{"150 at 0.3", 150, 0.3, false, 105, 45},
		{"5 at 0.1 rounds up to one", 5, 0.1, false, 4, 1}, // round(0.5) = 1
		{"150 stratified", 150, 0.2, true, 120, 30},        // 50 per class, 10 each
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := dataIDSet(t, tc.n, 3, false)
			xBefore := mat.DenseCopyOf(d.X)
			labelsBefore := slices.Clone(d.Y.Labels)
			s := mlp.SplitSettings{ValFraction: tc.fraction, Stratify: tc.stratify, Src: rand.NewPCG(7, 7)}
			train, val, err := mlp.Split(d, s)
			if err != nil {
				t.Fatal(err)
			}
			if train.Len() != tc.wantTrain || val.Len() != tc.wantVal {
				t.Errorf("sizes %d/%d, want %d/%d", train.Len(), val.Len(), tc.wantTrain, tc.wantVal)
			}
			all := append(dataRowIDs(train), dataRowIDs(val)...)
			slices.Sort(all)
			for i, id := range all {
				if id != i {
					t.Fatalf("train and val are not disjoint or do not cover the data set: sorted ids %v", all)
				}
			}
			for _, part := range []*mlp.Dataset{train, val} {
				for i, id := range dataRowIDs(part) {
					if part.Y.Labels[i] != d.Y.Labels[id] || !mat.Equal(part.X.RowView(i), d.X.RowView(id)) {
						t.Fatalf("row %d of a part does not match sample %d", i, id)
					}
				}
				if part.Classes != d.Classes {
					t.Errorf("part has %d classes, want %d", part.Classes, d.Classes)
				}
			}
			if !mat.Equal(d.X, xBefore) || !slices.Equal(d.Y.Labels, labelsBefore) {
				t.Errorf("Split changed its input")
			}

			// Same seed, same split; another seed, another split.
			s.Src = rand.NewPCG(7, 7)
			train2, val2, err := mlp.Split(d, s)
			if err != nil {
				t.Fatal(err)
			}
			if !mat.Equal(train.X, train2.X) || !mat.Equal(val.X, val2.X) || !slices.Equal(train.Y.Labels, train2.Y.Labels) {
				t.Errorf("the same seed gave a different split")
			}
			s.Src = rand.NewPCG(8, 7)
			train3, _, err := mlp.Split(d, s)
			if err != nil {
				t.Fatal(err)
			}
			if mat.Equal(train.X, train3.X) {
				t.Errorf("another seed gave the same split")
			}

			// The parts are copies.
			train.X.Set(0, 0, -1)
			val.Y.Labels[0] = 99
			if !mat.Equal(d.X, xBefore) || !slices.Equal(d.Y.Labels, labelsBefore) {
				t.Errorf("changing a part changed the data set")
			}
		})
	}
}

func TestSplitRegression(t *testing.T) {
	d := dataIDSet(t, 20, 2, true)
	train, val, err := mlp.Split(d, mlp.SplitSettings{ValFraction: 0.3, Src: rand.NewPCG(1, 1)})
	if err != nil {
		t.Fatal(err)
	}
	if train.Len() != 14 || val.Len() != 6 || train.Classes != 0 {
		t.Fatalf("sizes %d/%d classes %d, want 14/6 classes 0", train.Len(), val.Len(), train.Classes)
	}
	for i, id := range dataRowIDs(val) {
		if !mat.Equal(val.Y.Values.RowView(i), d.Y.Values.RowView(id)) {
			t.Errorf("values of val row %d do not match sample %d", i, id)
		}
	}
}

func TestSplitStratified(t *testing.T) {
	for _, tc := range []struct {
		name     string
		counts   []int // samples per class
		fraction float64
	}{
		{"imbalanced", []int{300, 60, 7, 2}, 0.2},
		{"half", []int{11, 5, 2, 3}, 0.5},
		{"large fraction keeps a training sample", []int{40, 2, 1}, 0.8},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var labels []int
			for c, k := range tc.counts {
				for range k {
					labels = append(labels, c)
				}
			}
			// Mix the classes so that the split cannot rely on their order.
			rng := rand.New(rand.NewPCG(1, 2))
			rng.Shuffle(len(labels), func(i, j int) { labels[i], labels[j] = labels[j], labels[i] })
			x := mat.NewDense(len(labels), 1, nil)
			for i := range labels {
				x.Set(i, 0, float64(i))
			}
			d, err := mlp.NewDataset(x, mlp.Targets{Labels: labels})
			if err != nil {
				t.Fatal(err)
			}
			train, val, err := mlp.Split(d, mlp.SplitSettings{ValFraction: tc.fraction, Stratify: true, Src: rand.NewPCG(3, 3)})
			if err != nil {
				t.Fatal(err)
			}
			trainCounts, valCounts := make([]int, len(tc.counts)), make([]int, len(tc.counts))
			for _, c := range train.Y.Labels {
				trainCounts[c]++
			}
			for _, c := range val.Y.Labels {
				valCounts[c]++
			}
			for c, nc := range tc.counts {
				if trainCounts[c]+valCounts[c] != nc {
					t.Errorf("class %d: %d+%d samples, want %d", c, trainCounts[c], valCounts[c], nc)
				}
				if diff := math.Abs(float64(valCounts[c]) - float64(nc)*tc.fraction); diff > 1 {
					t.Errorf("class %d: %d of %d in val, want %.1f ± 1", c, valCounts[c], nc, float64(nc)*tc.fraction)
				}
				if trainCounts[c] == 0 {
					t.Errorf("class %d has no training sample", c)
				}
			}
		})
	}
}

func TestSplitErrors(t *testing.T) {
	cls := dataIDSet(t, 20, 2, false)
	reg := dataIDSet(t, 20, 2, true)
	src := rand.NewPCG(1, 1)
	for _, tc := range []struct {
		name string
		d    *mlp.Dataset
		s    mlp.SplitSettings
		want error
	}{
		{"no source", cls, mlp.SplitSettings{}, mlp.ErrSetting},
		{"fraction one", cls, mlp.SplitSettings{ValFraction: 1, Src: src}, mlp.ErrSetting},
		{"negative fraction", cls, mlp.SplitSettings{ValFraction: -0.1, Src: src}, mlp.ErrSetting},
		{"NaN fraction", cls, mlp.SplitSettings{ValFraction: math.NaN(), Src: src}, mlp.ErrSetting},
		{"stratify regression", reg, mlp.SplitSettings{Stratify: true, Src: src}, mlp.ErrSetting},
		{"empty validation part", dataIDSet(t, 2, 1, false), mlp.SplitSettings{ValFraction: 0.2, Src: src}, mlp.ErrData},
		{"empty training part", dataIDSet(t, 2, 1, false), mlp.SplitSettings{ValFraction: 0.9, Src: src}, mlp.ErrData},
		{"nil data set", nil, mlp.SplitSettings{Src: src}, mlp.ErrData},
	} {
		t.Run(tc.name, func(t *testing.T) {
			train, val, err := mlp.Split(tc.d, tc.s)
			if train != nil || val != nil {
				t.Errorf("got parts with the error")
			}
			dataErrorContains(t, err, tc.want)
		})
	}
}

// dataColumnStats returns the mean and population standard deviation of
// column j of m.
func dataColumnStats(m mat.Matrix, j int) (mean, std float64) {
	r, _ := m.Dims()
	for i := range r {
		mean += m.At(i, j)
	}
	mean /= float64(r)
	for i := range r {
		d := m.At(i, j) - mean
		std += d * d
	}
	return mean, math.Sqrt(std / float64(r))
}

// dataScaledMatrix returns n samples of features with very different
// locations and scales: feature j is offset[j] + scale[j]·N(0, 1).
func dataScaledMatrix(n int, seed uint64) *mat.Dense {
	offsets := []float64{0, -3e-4, 5e4, 1e-3}
	scales := []float64{1, 1e-4, 2e3, 7}
	rng := rand.New(rand.NewPCG(seed, 1))
	x := mat.NewDense(n, len(scales), nil)
	for i := range n {
		for j := range scales {
			x.Set(i, j, offsets[j]+scales[j]*rng.NormFloat64())
		}
	}
	return x
}

func TestStandardScaler(t *testing.T) {
	const tol = 1e-12
	for _, tc := range []struct {
		name string
		x    mat.Matrix
	}{
		{"dense", dataScaledMatrix(200, 1)},
		{"transposed view", mat.DenseCopyOf(dataScaledMatrix(200, 2).T()).T()},
		{"small", mat.NewDense(2, 2, []float64{1, 10, 3, 30})},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := mat.DenseCopyOf(tc.x)
			s := mlp.FitStandardScaler(tc.x)
			z, err := s.Transform(tc.x)
			if err != nil {
				t.Fatal(err)
			}
			_, c := tc.x.Dims()
			if len(s.Mean) != c || len(s.Std) != c {
				t.Fatalf("scaler has %d means and %d stds for %d features", len(s.Mean), len(s.Std), c)
			}
			for j := range c {
				wantMean, wantStd := dataColumnStats(tc.x, j)
				if math.Abs(s.Mean[j]-wantMean) > tol*math.Max(1, math.Abs(wantMean)) || math.Abs(s.Std[j]-wantStd) > tol*wantStd {
					t.Errorf("feature %d: Mean, Std = %v, %v, want %v, %v", j, s.Mean[j], s.Std[j], wantMean, wantStd)
				}
				// Each feature is scaled by its own statistics: one mean and
				// std for all features would leave these far from 0 and 1.
				mean, std := dataColumnStats(z, j)
				if math.Abs(mean) > tol || math.Abs(std-1) > tol {
					t.Errorf("scaled feature %d: mean %g, std %v, want 0, 1 within %g", j, mean, std, tol)
				}
			}
			if !mat.Equal(tc.x, before) {
				t.Errorf("Transform changed its input")
			}
		})
	}
}

func TestStandardScalerConstantFeature(t *testing.T) {
	// 0.1 is not exact in binary, so a naive mean of a column of 0.1s
	// differs from 0.1 in the last bit and would scale the roundoff up.
	x := mat.NewDense(3, 3, []float64{
		0.1, 1, 5,
		0.1, 2, 5,
		0.1, 3, 5,
	})
	s := mlp.FitStandardScaler(x)
	if s.Std[0] != 1 || s.Std[2] != 1 || s.Mean[0] != 0.1 || s.Mean[2] != 5 {
		t.Errorf("constant features: Mean %v, Std %v, want Mean 0.1 and 5 and Std 1", s.Mean, s.Std)
	}
	z, err := s.Transform(x)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		for _, j := range []int{0, 2} {
			if v := z.At(i, j); v != 0 {
				t.Errorf("scaled constant feature (%d, %d) = %v, want 0", i, j, v)
			}
		}
	}
	if mean, std := dataColumnStats(z, 1); math.Abs(mean) > 1e-15 || math.Abs(std-1) > 1e-15 {
		t.Errorf("varying feature: mean %v, std %v, want 0, 1", mean, std)
	}
}

// TestStandardScalerFitOnTrainOnly scales a validation part with the
// training statistics: the training part ends up at mean 0 and std 1, the
// validation part does not, and both match (x − train mean) / train std.
func TestStandardScalerFitOnTrainOnly(t *testing.T) {
	x := dataScaledMatrix(300, 3)
	labels := make([]int, 300)
	d, err := mlp.NewDataset(x, mlp.Targets{Labels: labels})
	if err != nil {
		t.Fatal(err)
	}
	train, val, err := mlp.Split(d, mlp.SplitSettings{Src: rand.NewPCG(4, 4)})
	if err != nil {
		t.Fatal(err)
	}
	s := mlp.FitStandardScaler(train.X)
	trainZ, err := s.TransformDataset(train)
	if err != nil {
		t.Fatal(err)
	}
	valZ, err := s.TransformDataset(val)
	if err != nil {
		t.Fatal(err)
	}
	valOff := 0.0
	for j := range d.Features() {
		mean, std := dataColumnStats(trainZ.X, j)
		if math.Abs(mean) > 1e-12 || math.Abs(std-1) > 1e-12 {
			t.Errorf("train feature %d: mean %g, std %v, want 0, 1", j, mean, std)
		}
		trainMean, trainStd := dataColumnStats(train.X, j)
		for i := range val.Len() {
			want := (val.X.At(i, j) - trainMean) / trainStd
			if got := valZ.X.At(i, j); math.Abs(got-want) > 1e-12*math.Max(1, math.Abs(want)) {
				t.Fatalf("val (%d, %d) = %v, want %v", i, j, got, want)
			}
		}
		mean, std = dataColumnStats(valZ.X, j)
		valOff = max(valOff, math.Abs(mean), math.Abs(std-1))
	}
	if valOff < 1e-3 {
		t.Errorf("validation statistics are within %g of 0 and 1: the scaler looks fitted on them", valOff)
	}
}

func TestStandardScalerTransformDataset(t *testing.T) {
	d := dataIDSet(t, 12, 3, false)
	d.FeatureNames = []string{"id", "b", "c"}
	xBefore := mat.DenseCopyOf(d.X)
	s := mlp.FitStandardScaler(d.X)
	got, err := s.TransformDataset(d)
	if err != nil {
		t.Fatal(err)
	}
	wantX, err := s.Transform(d.X)
	if err != nil {
		t.Fatal(err)
	}
	if !mat.Equal(got.X, wantX) {
		t.Errorf("X differs from Transform(d.X)")
	}
	if !slices.Equal(got.Y.Labels, d.Y.Labels) || got.Classes != d.Classes || !slices.Equal(got.FeatureNames, d.FeatureNames) {
		t.Errorf("targets, classes or names differ: %v %d %q", got.Y.Labels, got.Classes, got.FeatureNames)
	}
	got.Y.Labels[0] = 7
	got.FeatureNames[0] = "changed"
	if d.Y.Labels[0] == 7 || d.FeatureNames[0] == "changed" || !mat.Equal(d.X, xBefore) {
		t.Errorf("the new Dataset shares memory with the input")
	}

	r := dataIDSet(t, 5, 2, true)
	got, err = mlp.FitStandardScaler(r.X).TransformDataset(r)
	if err != nil {
		t.Fatal(err)
	}
	if !mat.Equal(got.Y.Values, r.Y.Values) || got.Y.Values == r.Y.Values || got.Y.Labels != nil {
		t.Errorf("regression targets are not an equal copy")
	}
}

func TestStandardScalerErrors(t *testing.T) {
	x := mat.NewDense(2, 3, []float64{1, 2, 3, 4, 5, 6})
	for _, tc := range []struct {
		name string
		s    *mlp.StandardScaler
		x    mat.Matrix
		want error
	}{
		{"too narrow", &mlp.StandardScaler{Mean: make([]float64, 4), Std: []float64{1, 1, 1, 1}}, x, mlp.ErrData},
		{"too wide", &mlp.StandardScaler{Mean: make([]float64, 2), Std: []float64{1, 1}}, x, mlp.ErrData},
		{"empty matrix", &mlp.StandardScaler{Mean: make([]float64, 3), Std: []float64{1, 1, 1}}, &mat.Dense{}, mlp.ErrData},
		{"lengths differ", &mlp.StandardScaler{Mean: make([]float64, 3), Std: []float64{1, 1}}, x, mlp.ErrSetting},
		{"zero std", &mlp.StandardScaler{Mean: make([]float64, 3), Std: []float64{1, 0, 1}}, x, mlp.ErrSetting},
		{"NaN std", &mlp.StandardScaler{Mean: make([]float64, 3), Std: []float64{1, 1, math.NaN()}}, x, mlp.ErrSetting},
	} {
		t.Run(tc.name, func(t *testing.T) {
			z, err := tc.s.Transform(tc.x)
			if z != nil {
				t.Errorf("got a matrix with the error")
			}
			dataErrorContains(t, err, tc.want)
		})
	}
}

func TestFitStandardScalerEmptyPanics(t *testing.T) {
	defer func() {
		r := recover()
		err, ok := r.(error)
		if !ok || !errors.Is(err, mlp.ErrShape) || !strings.HasPrefix(err.Error(), "mlp: ") {
			t.Errorf("recovered %v, want an error wrapping ErrShape", r)
		}
	}()
	mlp.FitStandardScaler(&mat.Dense{})
}

func BenchmarkDataLoaderEpoch(b *testing.B) {
	d := dataIDSet(b, 1000, 30, false)
	l, err := mlp.NewDataLoader(d, mlp.LoaderSettings{BatchSize: 32, Shuffle: true, Src: rand.NewPCG(1, 1)})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		l.Reset()
		for l.Next() {
		}
	}
	b.ReportMetric(float64(b.N*d.Len())/b.Elapsed().Seconds(), "samples/s")
}
