package mlp_test

import (
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/mlpkit/mlp"
	"github.com/mlpkit/mlp/internal/testkit"
	"gonum.org/v1/gonum/mat"
)

// TestNewDataLoaderErrors checks the settings and data sets NewDataLoader
// refuses, Datasets built as literals included, with an error wrapping the
// sentinel, starting "mlp: " and saying what is wrong and where.
func TestNewDataLoaderErrors(t *testing.T) {
	d := dataIDSet(t, 10, 2, false)
	four, err := mlp.NewDataset(mat.NewDense(4, 2, []float64{1, 2, 3, 4, 5, 6, 7, 8}), mlp.Targets{Labels: []int{0, 1, 0, 1}})
	if err != nil {
		t.Fatal(err)
	}
	nan := math.NaN()
	for _, tc := range []struct {
		name string
		d    *mlp.Dataset
		s    mlp.LoaderSettings
		want error
		says []string // substrings of the message
	}{
		{"negative batch size", d, mlp.LoaderSettings{BatchSize: -1}, mlp.ErrSetting, nil},
		{"shuffle without source", d, mlp.LoaderSettings{Shuffle: true}, mlp.ErrSetting, nil},
		{"drop last leaves nothing", d, mlp.LoaderSettings{BatchSize: 11, DropLast: true}, mlp.ErrSetting, nil},
		{"nil data set", nil, mlp.LoaderSettings{}, mlp.ErrData, []string{"data loader needs a non-empty data set"}},
		{"labels do not fit", &mlp.Dataset{X: d.X, Y: mlp.Targets{Labels: []int{1}}}, mlp.LoaderSettings{}, mlp.ErrData, nil},
		{"no targets", &mlp.Dataset{X: d.X}, mlp.LoaderSettings{}, mlp.ErrData, nil},
		{"batch size -1 of 4 samples", four, mlp.LoaderSettings{BatchSize: -1}, mlp.ErrSetting, []string{"batch size -1"}},
		{"shuffle of 4 samples without source", four, mlp.LoaderSettings{Shuffle: true}, mlp.ErrSetting, []string{"Shuffle needs a Src"}},
		{"drop last leaves nothing of 4 samples", four, mlp.LoaderSettings{BatchSize: 5, DropLast: true}, mlp.ErrSetting,
			[]string{"DropLast with batch size 5 and 4 samples"}},
		{"literal with NaN", &mlp.Dataset{X: mat.NewDense(2, 2, []float64{1, nan, 2, 3}), Y: mlp.Targets{Labels: []int{0, 1}}, Classes: 2},
			mlp.LoaderSettings{}, mlp.ErrData, []string{"row 0, column 1"}},
		{"literal with a negative label", &mlp.Dataset{X: mat.NewDense(2, 2, nil), Y: mlp.Targets{Labels: []int{0, -2}}, Classes: 2},
			mlp.LoaderSettings{}, mlp.ErrData, []string{"label -2 of row 1"}},
		{"literal with mismatched targets", &mlp.Dataset{X: mat.NewDense(3, 2, nil), Y: mlp.Targets{Values: mat.NewDense(2, 1, nil)}},
			mlp.LoaderSettings{}, mlp.ErrData, []string{"2 target rows for 3 samples"}},
		{"literal with both targets", &mlp.Dataset{X: mat.NewDense(1, 2, nil), Y: mlp.Targets{Labels: []int{0}, Values: mat.NewDense(1, 1, nil)}},
			mlp.LoaderSettings{}, mlp.ErrData, []string{"both labels and values"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l, err := mlp.NewDataLoader(tc.d, tc.s)
			if l != nil {
				t.Errorf("got a loader with the error")
			}
			testkit.ErrorContains(t, err, tc.want, tc.says...)
			if !strings.HasPrefix(err.Error(), "mlp: ") {
				t.Errorf("error %q does not start with \"mlp: \"", err)
			}
		})
	}
}

// TestDataLoaderDefaultBatchSize checks that batch size 0 means 32: 4
// samples make one batch.
func TestDataLoaderDefaultBatchSize(t *testing.T) {
	d, err := mlp.NewDataset(mat.NewDense(4, 2, []float64{1, 2, 3, 4, 5, 6, 7, 8}), mlp.Targets{Labels: []int{0, 1, 0, 1}})
	if err != nil {
		t.Fatal(err)
	}
	l, err := mlp.NewDataLoader(d, mlp.LoaderSettings{})
	if err != nil {
		t.Fatal(err)
	}
	if l.NumBatches() != 1 {
		t.Errorf("%d batches of 4 samples, want 1", l.NumBatches())
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
	if a.Batch().X != nil {
		t.Errorf("Batch() of a new loader has X set, want the zero Batch")
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
	if b.Batch().X != nil {
		t.Errorf("Batch() after the epoch has X set, want the zero Batch")
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
