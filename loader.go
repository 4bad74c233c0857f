package mlp

import (
	"fmt"
	"math/rand/v2"

	"gonum.org/v1/gonum/mat"
)

// Batch is one mini-batch of samples: row i of X and entry (row) i of Y
// belong to the same sample.
//
// The matrices and slices of a Batch returned by DataLoader.Batch are owned
// by the loader and are overwritten by its next call to Next; copy them to
// keep them longer.
type Batch struct {
	X *mat.Dense
	Y Targets
}

// LoaderSettings configures a DataLoader. The zero value is usable: batches
// of 32 samples in data set order, the last batch possibly smaller.
type LoaderSettings struct {
	// BatchSize is the number of samples per batch. Zero means 32; a
	// negative value is an error.
	BatchSize int

	// Shuffle draws a new order of the samples at each Reset.
	Shuffle bool

	// DropLast leaves out the last batch of an epoch when it would be
	// smaller than BatchSize. By default it is kept, so that every sample is
	// seen once per epoch.
	DropLast bool

	// Src is the source of randomness for Shuffle. It is required when
	// Shuffle is set and unused otherwise. The loader draws from it in Reset
	// only, and the caller must not use it concurrently with the loader.
	Src rand.Source
}

// defaultBatchSize is the batch size used when LoaderSettings.BatchSize is 0.
const defaultBatchSize = 32

// DataLoader yields the samples of a Dataset in mini-batches, one epoch at a
// time:
//
//	for epoch := range epochs {
//		l.Reset()
//		for l.Next() {
//			b := l.Batch()
//			// use b.X and b.Y
//		}
//	}
//
// Each batch is gathered, by copying the rows of the samples in it, into
// buffers that the loader allocates once in NewDataLoader: Reset and a whole
// epoch of Next and Batch allocate nothing, and the data set itself is never
// copied or reordered; only a slice of row indices is shuffled.
//
// A DataLoader is not safe for concurrent use.
type DataLoader struct {
	d          *Dataset
	x, values  *mat.Dense // the data set's matrices as at construction
	labels     []int
	weights    []float64
	batchSize  int
	shuffle    bool
	n          int // samples per epoch
	numBatches int
	rng        *rand.Rand
	idx        []int // the order of the samples in the current epoch

	started bool // Reset has been called (explicitly or by the first Next)
	cur     int  // index of the current batch, -1 before the first Next of an epoch

	full, last Batch // buffers for full batches and for a smaller last batch
	batch      Batch // the current batch, one of full or last
}

// NewDataLoader returns a loader over the samples of d. It allocates an
// index slice of d.Len() ints and the batch buffers: BatchSize rows for full
// batches and, when the last batch of an epoch is smaller, a second set
// sized for it.
//
// The loader reads d.X and d.Y as they are when NewDataLoader is called;
// changing the values in them changes the batches, but they must not be
// replaced or resized while the loader is in use. Errors wrap ErrSetting
// (a negative batch size, Shuffle without Src, DropLast with fewer samples
// than one batch) or ErrData (a nil or empty Dataset, or one NewDataset
// would reject: targets that do not fit X, a negative label, NaN or Inf,
// which are looked for once here).
func NewDataLoader(d *Dataset, s LoaderSettings) (*DataLoader, error) {
	if err := d.check("data loader", true); err != nil {
		return nil, err
	}
	bs := s.BatchSize
	switch {
	case bs < 0:
		return nil, fmt.Errorf("%w: batch size %d is negative", ErrSetting, bs)
	case bs == 0:
		bs = defaultBatchSize
	}
	if s.Shuffle && s.Src == nil {
		return nil, fmt.Errorf("%w: Shuffle needs a Src", ErrSetting)
	}
	total, f := d.X.Dims()
	l := &DataLoader{
		d:         d,
		x:         d.X,
		values:    d.Y.Values,
		labels:    d.Y.Labels,
		weights:   d.Y.Weights,
		batchSize: bs,
		shuffle:   s.Shuffle,
		idx:       make([]int, total),
		cur:       -1,
	}
	for i := range l.idx {
		l.idx[i] = i
	}
	if s.Shuffle {
		l.rng = rand.New(s.Src)
	}
	fullBatches, rest := total/bs, total%bs
	if s.DropLast {
		rest = 0
		if fullBatches == 0 {
			return nil, fmt.Errorf("%w: DropLast with batch size %d and %d samples leaves no batch", ErrSetting, bs, total)
		}
	}
	l.n = fullBatches*bs + rest
	l.numBatches = fullBatches
	if fullBatches > 0 {
		l.full = l.newBatch(bs, f)
	}
	if rest > 0 {
		l.numBatches++
		l.last = l.newBatch(rest, f)
	}
	return l, nil
}

// newBatch allocates the buffers for a batch of rows samples.
func (l *DataLoader) newBatch(rows, features int) Batch {
	b := Batch{X: mat.NewDense(rows, features, nil)}
	if l.labels != nil {
		b.Y.Labels = make([]int, rows)
	} else {
		_, k := l.values.Dims()
		b.Y.Values = mat.NewDense(rows, k, nil)
	}
	if l.weights != nil {
		b.Y.Weights = make([]float64, rows)
	}
	return b
}

// Reset starts an epoch: the next call to Next yields its first batch. With
// Shuffle, Reset first draws a new order of the samples (a Fisher–Yates
// shuffle of the index slice). It allocates nothing. Calling Next on a new
// loader without Reset starts the first epoch as Reset would.
func (l *DataLoader) Reset() {
	l.started = true
	l.cur = -1
	l.batch = Batch{}
	if l.shuffle {
		shuffle(l.rng, l.idx)
	}
}

// shuffle permutes idx in place with the Fisher–Yates shuffle: for i from
// len(idx)-1 down to 1 it swaps idx[i] with idx[rng.IntN(i+1)]. DataLoader
// and Split both shuffle with it, so one seed gives one order in both. It
// allocates nothing.
func shuffle(rng *rand.Rand, idx []int) {
	for i := len(idx) - 1; i > 0; i-- {
		j := rng.IntN(i + 1)
		idx[i], idx[j] = idx[j], idx[i]
	}
}

// Next gathers the next batch of the epoch into the loader's buffers and
// reports whether there was one. Once it has returned false it keeps
// returning false until Reset starts a new epoch. It allocates nothing.
func (l *DataLoader) Next() bool {
	if l == nil {
		misusePanic("DataLoader.Next", "nil DataLoader")
	}
	if !l.started {
		l.Reset()
	}
	if l.cur+1 >= l.numBatches {
		l.batch = Batch{}
		l.cur = l.numBatches
		return false
	}
	l.cur++
	start := l.cur * l.batchSize
	end := min(start+l.batchSize, l.n)
	b := l.full
	if end-start < l.batchSize {
		b = l.last
	}
	idx := l.idx[start:end]
	gatherRows(b.X, l.x, idx)
	if l.labels != nil {
		for i, r := range idx {
			b.Y.Labels[i] = l.labels[r]
		}
	} else {
		gatherRows(b.Y.Values, l.values, idx)
	}
	if l.weights != nil {
		for i, r := range idx {
			b.Y.Weights[i] = l.weights[r]
		}
	}
	l.batch = b
	return true
}

// Batch returns the batch gathered by the last call to Next. Its matrices and
// slices belong to the loader and are overwritten by the following calls to
// Next; all but possibly the last batch of an epoch share the same buffers.
// Before the first Next of an epoch and after Next has returned false, Batch
// returns the zero Batch.
func (l *DataLoader) Batch() Batch { return l.batch }

// Len returns the number of samples in one epoch: all of them, or, with
// DropLast, those in full batches.
func (l *DataLoader) Len() int { return l.n }

// NumBatches returns the number of batches in one epoch.
func (l *DataLoader) NumBatches() int { return l.numBatches }

// Dataset returns the data set the loader reads from.
func (l *DataLoader) Dataset() *Dataset { return l.d }
