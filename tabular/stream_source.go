package tabular

import (
	"fmt"
	"io"
	"math/rand/v2"
	"slices"

	"gonum.org/v1/gonum/mat"

	"github.com/mlpkit/mlp"
)

// HeldOut calls fn with the held-out rows (StreamSettings.
// ValidationFraction), in file order, as Tables of at most
// StreamSettings.ChunkRows rows whose columns have the kinds and the
// categories of the whole file, as CSVReader.ReadAll would give them:
// Pipeline.Predict and the reports read them as they read a table of the
// file. The Table passed to fn and its columns are reused by the next
// call: copy what fn keeps. It returns fn's first error, an error of
// reading, or one wrapping mlp.ErrData when the file changed since
// NewCSVStream.
func (s *CSVStream) HeldOut(fn func(*Table) error) error {
	return s.rows(true, nil, fn)
}

// rows reads the held-out rows (held) or the training rows in chunks of
// ChunkRows rows, calling fn for each chunk, until the end of the file or
// stop is closed. It checks the rows and bytes it reads against the first
// pass.
func (s *CSVStream) rows(held bool, stop <-chan struct{}, fn func(*Table) error) error {
	p, _, err := s.startPass(false)
	if err != nil {
		return err
	}
	defer p.f.Close()
	t := p.t
	tab := s.shell()
	var cols []*Column
	f := 0
	for _, j := range s.kept {
		if s.cols[j].role == roleTarget {
			cols = append(cols, &tab.Targets[slices.Index(s.order, j)])
		} else {
			cols = append(cols, &tab.Features[f])
			f++
		}
	}
	for _, c := range cols {
		c.Values = make([]float64, 0, s.s.ChunkRows)
	}
	flush := func() error {
		if len(cols[0].Values) == 0 {
			return nil
		}
		if err := fn(tab); err != nil {
			return err
		}
		for _, c := range cols {
			c.Values = c.Values[:0]
		}
		return nil
	}
	width, want, got := len(s.names), s.trainRows, 0
	if held {
		want = s.heldRows
	}
	for recNo := 1; ; recNo++ {
		if stop != nil && recNo%1024 == 0 {
			select {
			case <-stop:
				return nil
			default:
			}
		}
		rec, line, err := t.next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return err
		}
		if len(rec) != width {
			return &ParseError{Line: line, Column: min(len(rec), width) + 1,
				Err: fmt.Errorf("%w: %d fields, the header has %d", ErrRagged, len(rec), width)}
		}
		drop := false
		for _, j := range s.order {
			drop = drop || s.missing(j, trimCell(rec[j]))
		}
		if drop || heldOut(s.s.Seed, recNo, s.s.ValidationFraction) != held {
			continue
		}
		for i, j := range s.kept {
			v, err := s.cellCode(j, rec[j])
			if err != nil {
				return &ParseError{Line: line, Column: j + 1, Err: err}
			}
			cols[i].Values = append(cols[i].Values, v)
		}
		if got++; len(cols[0].Values) == s.s.ChunkRows {
			if err := flush(); err != nil {
				return err
			}
		}
	}
	if err := flush(); err != nil {
		return err
	}
	if _, err := io.Copy(io.Discard, p.in); err != nil {
		return err
	}
	if got != want || p.in.n != s.size {
		return changed(fmt.Sprintf("it now has %d bytes and %d such rows; it had %d and %d", p.in.n, got, s.size, want))
	}
	return nil
}

// streamChunk is a chunk of preprocessed rows: n rows of X (row-major)
// and their labels or (standardized) values, or the error that ended the
// read.
type streamChunk struct {
	x      []float64
	labels []int
	values []float64
	n      int
	err    error
}

// streamSource is the mlp.BatchSource of the training rows (or the
// held-out rows) of a CSVStream: see MLPClassifier.FitStream. It is not
// safe for concurrent use.
type streamSource struct {
	s       *CSVStream
	held    bool
	prep    *Preprocessor
	enc     *LabelEncoder     // classification
	classes map[string]int    // enc's, by name, for the held-out rows
	ts      *mlp.TargetScaler // regression
	width   int               // of X
	k       int               // target values per row (regression)
	batch   int
	shuffle bool
	rng     *rand.Rand
	slots   int // shuffle buffer rows

	// The epoch under way.
	started   bool
	ch        chan *streamChunk
	stop      chan struct{}
	done      chan struct{}
	cur       *streamChunk
	pos       int
	inputDone bool
	err       error

	// The shuffle buffer: n rows of X, and their labels or values.
	bx     []float64
	bl     []int
	bv     []float64
	n      int
	full   mlp.Batch
	b      mlp.Batch
	closed bool
}

var _ mlp.BatchSource = (*streamSource)(nil)

// newSource returns the source of the held-out or the training rows, in
// batches of batch rows; with shuffle, through a shuffle buffer drawing
// from rand.NewPCG(seed, mlpShuffleStream).
func (s *CSVStream) newSource(held bool, prep *Preprocessor, enc *LabelEncoder, ts *mlp.TargetScaler, batch int, shuffle bool, seed uint64) (*streamSource, error) {
	rows := s.trainRows
	if held {
		rows = s.heldRows
	}
	src := &streamSource{s: s, held: held, prep: prep, enc: enc, ts: ts, width: prep.Width(), batch: batch, shuffle: shuffle}
	if ts != nil {
		src.k = len(ts.Mean)
	}
	per := src.width + src.k + 1
	if shuffle {
		src.slots = min(s.s.ShuffleBuffer, rows)
		if src.slots*per > maxStreamFloats {
			return nil, fmt.Errorf("%w: StreamSettings.ShuffleBuffer = %d rows of %d values each is more than %d values (512 MiB); use a smaller buffer",
				mlp.ErrTooLarge, s.s.ShuffleBuffer, per, maxStreamFloats)
		}
		src.rng = rand.New(rand.NewPCG(seed, mlpShuffleStream))
		src.bx = make([]float64, src.slots*src.width)
		if enc != nil {
			src.bl = make([]int, src.slots)
		} else {
			src.bv = make([]float64, src.slots*src.k)
		}
	}
	if s.s.ChunkRows*per > maxStreamFloats {
		return nil, fmt.Errorf("%w: StreamSettings.ChunkRows = %d rows of %d values each is more than %d values (512 MiB); use fewer rows",
			mlp.ErrTooLarge, s.s.ChunkRows, per, maxStreamFloats)
	}
	src.full = src.newBatch(batch)
	return src, nil
}

// newBatch allocates a batch of n rows.
func (src *streamSource) newBatch(n int) mlp.Batch {
	b := mlp.Batch{X: mat.NewDense(n, src.width, nil)}
	if src.enc != nil {
		b.Y.Labels = make([]int, n)
	} else {
		b.Y.Values = mat.NewDense(n, src.k, nil)
	}
	return b
}

// read is the goroutine of an epoch: it reads and preprocesses the rows
// in chunks and sends them on ch, then closes it.
func (src *streamSource) read(ch chan<- *streamChunk, stop <-chan struct{}, done chan<- struct{}) {
	defer close(done)
	defer close(ch)
	send := func(c *streamChunk) bool {
		select {
		case ch <- c:
			return true
		case <-stop:
			return false
		}
	}
	errStopped := fmt.Errorf("stopped")
	err := src.s.rows(src.held, stop, func(t *Table) error {
		c, err := src.encode(t)
		if err != nil {
			return err
		}
		if !send(c) {
			return errStopped
		}
		return nil
	})
	if err != nil && err != errStopped {
		send(&streamChunk{err: err})
	}
}

// encode preprocesses the rows of t. Held-out rows of a class the
// training rows lack are left out: the net has no output for it.
func (src *streamSource) encode(t *Table) (*streamChunk, error) {
	if src.held && src.enc != nil {
		if known := src.knownRows(t); known != nil {
			if len(known) == 0 {
				return &streamChunk{}, nil
			}
			t = t.Subset(known)
		}
	}
	x, err := src.prep.Transform(t)
	if err != nil {
		return nil, err
	}
	c := &streamChunk{x: x.RawMatrix().Data, n: t.Rows()}
	if src.enc != nil {
		if c.labels, err = src.enc.Transform(&t.Targets[0]); err != nil {
			return nil, err
		}
		return c, nil
	}
	y, err := t.TargetValues()
	if err != nil {
		return nil, err
	}
	ys, err := src.ts.Transform(y)
	if err != nil {
		return nil, err
	}
	c.values = ys.RawMatrix().Data
	return c, nil
}

// knownRows returns the rows of t whose class is one of the encoder's, or
// nil when all are.
func (src *streamSource) knownRows(t *Table) []int {
	if src.classes == nil {
		src.classes = indexOf(src.enc.Classes)
	}
	var known []int
	all := true
	for i := range t.Rows() {
		name, _ := labelText(&t.Targets[0], i)
		if _, ok := src.classes[name]; ok {
			known = append(known, i)
		} else {
			all = false
		}
	}
	if all {
		return nil
	}
	if known == nil {
		known = []int{}
	}
	return known
}

// Reset starts an epoch: it stops the read of the last one, if any, and
// starts reading the file again. The shuffle buffer starts empty; its
// random source goes on from the last epoch.
func (src *streamSource) Reset() {
	src.Close()
	src.closed = false
	src.started = true
	src.cur, src.pos, src.inputDone, src.err, src.n, src.b = nil, 0, false, nil, 0, mlp.Batch{}
	src.ch = make(chan *streamChunk, 2)
	src.stop = make(chan struct{})
	src.done = make(chan struct{})
	go src.read(src.ch, src.stop, src.done)
}

// Close stops the epoch's read and waits for it to end.
func (src *streamSource) Close() {
	if src.stop != nil && !src.closed {
		close(src.stop)
		<-src.done
		src.closed = true
	}
}

// Err returns the error that ended the last epoch's read early, or nil.
func (src *streamSource) Err() error { return src.err }

// input returns the chunk and the index in it of the next row read, or
// false at the end of the rows (or at an error, kept in err).
func (src *streamSource) input() (*streamChunk, int, bool) {
	for src.cur == nil || src.pos == src.cur.n {
		if src.inputDone {
			return nil, 0, false
		}
		c, ok := <-src.ch
		if !ok {
			src.inputDone = true
			return nil, 0, false
		}
		if c.err != nil {
			src.err, src.inputDone = c.err, true
			return nil, 0, false
		}
		src.cur, src.pos = c, 0
	}
	src.pos++
	return src.cur, src.pos - 1, true
}

// Next gathers the next batch: the next rows read, or with shuffling the
// next rows the shuffle buffer gives (tf.data's shuffle: the buffer is
// filled with the first ShuffleBuffer rows; each row given is drawn
// uniformly from the buffer and its slot refilled with the next row read;
// once the rows run out the buffer is emptied in random order). Which rows
// it gives depends on the seed and the sequence of rows alone, not on how
// the file is read. It returns false at the end of the epoch or at an
// error of the read (Err).
func (src *streamSource) Next() bool {
	if !src.started {
		src.Reset()
	}
	b := src.full
	n := 0
	for n < src.batch && src.emit(&b, n) {
		n++
	}
	if src.err != nil || n == 0 {
		src.b = mlp.Batch{}
		return false
	}
	if n < src.batch {
		last := src.newBatch(n)
		last.X.Copy(b.X)
		if b.Y.Labels != nil {
			copy(last.Y.Labels, b.Y.Labels)
		} else {
			last.Y.Values.Copy(b.Y.Values)
		}
		b = last
	}
	src.b = b
	return true
}

// Batch returns the batch of the last Next; its buffers are overwritten
// by the next.
func (src *streamSource) Batch() mlp.Batch { return src.b }

// emit puts the next row into row i of b, reporting false at the end.
func (src *streamSource) emit(b *mlp.Batch, i int) bool {
	if !src.shuffle {
		c, r, ok := src.input()
		if ok {
			src.put(b, i, c.x[r*src.width:(r+1)*src.width], c.labels, c.values, r)
		}
		return ok
	}
	for src.n < src.slots {
		c, r, ok := src.input()
		if !ok {
			break
		}
		src.store(src.n, c, r)
		src.n++
	}
	if src.n == 0 {
		return false
	}
	j := src.rng.IntN(src.n)
	src.put(b, i, src.bx[j*src.width:(j+1)*src.width], src.bl, src.bv, j)
	if c, r, ok := src.input(); ok {
		src.store(j, c, r)
	} else {
		src.n--
		src.move(src.n, j)
	}
	return true
}

// put copies row x and entry r of labels or values into row i of b.
func (src *streamSource) put(b *mlp.Batch, i int, x []float64, labels []int, values []float64, r int) {
	copy(b.X.RawRowView(i), x)
	if labels != nil {
		b.Y.Labels[i] = labels[r]
	} else {
		copy(b.Y.Values.RawRowView(i), values[r*src.k:(r+1)*src.k])
	}
}

// store copies row r of chunk c into slot j of the buffer.
func (src *streamSource) store(j int, c *streamChunk, r int) {
	w := src.width
	copy(src.bx[j*w:(j+1)*w], c.x[r*w:(r+1)*w])
	if c.labels != nil {
		src.bl[j] = c.labels[r]
	} else {
		copy(src.bv[j*src.k:(j+1)*src.k], c.values[r*src.k:(r+1)*src.k])
	}
}

// move copies slot from into slot to.
func (src *streamSource) move(from, to int) {
	if from == to {
		return
	}
	w := src.width
	copy(src.bx[to*w:(to+1)*w], src.bx[from*w:(from+1)*w])
	if src.bl != nil {
		src.bl[to] = src.bl[from]
	} else {
		copy(src.bv[to*src.k:(to+1)*src.k], src.bv[from*src.k:(from+1)*src.k])
	}
}
