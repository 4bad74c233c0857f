package tabular

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"hash"
	"io"
	"math"
	"slices"

	"github.com/mlpkit/mlp"
)

// StreamSettings configure NewCSVStream. The CSV fields mean what
// CSVReader's of the same names mean; the zero value of the others gives
// the defaults.
type StreamSettings struct {
	// Comma is the field delimiter; 0 means ','.
	Comma rune
	// Targets names the target columns (CSVReader.Targets).
	Targets []string
	// Task is the task asked for (CSVReader.Task).
	Task Task
	// Categorical, Ignore and NA are CSVReader's.
	Categorical, Ignore, NA []string
	// ColumnNA and DetectNA are CSVReader's; the markers DetectNA finds
	// are read as missing in every pass, and recorded for the
	// Preprocessor and the Table of the stream (CSVReader.DetectNA).
	ColumnNA map[string][]string
	DetectNA bool
	// Limits bound each record as CSVReader's do, except MaxBytes: zero
	// means no bound on the whole input, which a stream never holds.
	Limits Limits

	// ValidationFraction, in [0, 1), is the fraction of the rows held out
	// from training (HeldOut): record r (1-based, counting every data
	// record of the file) is held out when u(Seed, r) < ValidationFraction
	// for a uniform hash u in [0, 1) of the seed and the record number
	// alone (splitmix64), so that the split depends neither on how the
	// file is read nor on the other rows. It is not stratified.
	ValidationFraction float64
	// Seed seeds the hold-out.
	Seed uint64

	// ShuffleBuffer is the number of rows of the shuffle buffer the
	// training rows pass through (see MLPClassifier.FitStream); zero
	// means DefaultShuffleBuffer.
	ShuffleBuffer int
	// ChunkRows is the number of rows read and preprocessed at once, by a
	// goroutine that reads ahead of training by at most two chunks; zero
	// means DefaultChunkRows. It changes memory and speed, never the
	// result.
	ChunkRows int
	// ScoreHeldOut scores the held-out rows after every epoch, as
	// MLPSettings.Monitor does (val_loss and val_accuracy or val_r2 in
	// the History and the log), at the cost of one more read of the file
	// per epoch.
	ScoreHeldOut bool
}

// Defaults of StreamSettings.
const (
	DefaultShuffleBuffer = 100_000
	DefaultChunkRows     = 4096
)

// maxStreamFloats bounds the floats of the shuffle buffer and of one chunk
// (rows times preprocessed width): 2^26, 512 MiB.
const maxStreamFloats = 1 << 26

// CSVStream is a CSV file read in passes rather than held in memory, for
// training on data larger than memory: its memory is bounded by the shuffle
// buffer, a few chunks and the model, not by the number of rows.
//
// NewCSVStream reads the file once, as CSVReader.ReadAll reads it but
// keeping no rows: it decides each column's kind by the same rule (the
// kind of every cell of every row counts), collects the categories, checks
// every record against the limits, and learns, from the training rows
// only, what the preprocessing needs: per numeric column the count, mean
// and sum of squared deviations (Welford's update, which stays accurate
// over billions of rows), the minimum and maximum, and the count of each
// distinct value up to Limits.MaxCategories of them (for the median and
// the most frequent value); per categorical column the count of each
// category; per target the classes or, for regression, the same moments.
// Training (MLPClassifier.FitStream, MLPRegressor.FitStream) reads the
// file again once per epoch, and Preprocessor builds the same kind of
// Preprocessor that FitPreprocessor learns from a Table.
//
// The file must not change between passes: every pass checks the header,
// the number of bytes and the rows it finds against the first, and a
// difference is an error wrapping mlp.ErrData.
//
// A CSVStream is not changed after NewCSVStream; its methods may run
// concurrently, each pass opening the file anew.
type CSVStream struct {
	open  func() (io.ReadCloser, error)
	s     StreamSettings
	rd    CSVReader // the settings, for the header and the cells
	lim   Limits
	names []string
	kept  []int // header positions of the features and targets
	order []int // header positions of the targets, in order
	cols  []streamColumn

	size      int64
	sum       string
	records   int // data records, dropped ones included
	trainRows int
	heldRows  int
	dropped   int
	task      Task
	taskNote  string
	notes     []string
	columnNA  map[string][]string // Table.ColumnNA of the file
}

// streamColumn is what the first pass learnt about a kept column.
type streamColumn struct {
	name       string
	role       uint8
	kind       ColumnKind
	named      bool // named in Categorical: categories are the cells' texts
	boolean    bool // categories "False" and "True", of any spelling
	categories []string
	index      map[string]int
	na         []string // markers of the column only: ColumnNA's and DetectNA's

	// Of the training rows: per category, its count; for a numeric
	// column, the count n of values, their mean, sum of squared
	// deviations m2, minimum and maximum, the missing cells, and the
	// count of each distinct value (nil when there are more than
	// Limits.MaxCategories).
	counts       []int
	n, missing   int
	mean, m2     float64
	lo, hi       float64
	distinct     map[uint64]int // by math.Float64bits
	distinctOver bool
}

// NewCSVStream reads the CSV file that open opens (it is called once per
// pass and must give the same bytes each time) once, as CSVStream
// describes, and returns the stream. Its errors are those of
// CSVReader.ReadAll for the same input and settings (with the settings
// named StreamSettings), an error of open, and one wrapping mlp.ErrSetting
// for a ValidationFraction outside [0, 1), a negative ShuffleBuffer or
// ChunkRows, or a nil open; one wrapping mlp.ErrData when no row trains,
// or ValidationFraction holds out none. It allocates per column the
// categories, and up to Limits.MaxCategories distinct values of each
// numeric column, never a row.
func NewCSVStream(open func() (io.ReadCloser, error), s StreamSettings) (*CSVStream, error) {
	switch {
	case open == nil:
		return nil, fmt.Errorf("%w: NewCSVStream: nil open function", mlp.ErrSetting)
	case !(s.ValidationFraction >= 0 && s.ValidationFraction < 1):
		return nil, fmt.Errorf("%w: StreamSettings.ValidationFraction = %v; want a number in [0, 1)", mlp.ErrSetting, s.ValidationFraction)
	case s.ShuffleBuffer < 0:
		return nil, fmt.Errorf("%w: StreamSettings.ShuffleBuffer = %d; want at least 1, or 0 for %d", mlp.ErrSetting, s.ShuffleBuffer, DefaultShuffleBuffer)
	case s.ChunkRows < 0:
		return nil, fmt.Errorf("%w: StreamSettings.ChunkRows = %d; want at least 1, or 0 for %d", mlp.ErrSetting, s.ChunkRows, DefaultChunkRows)
	}
	if s.Comma == 0 {
		s.Comma = ','
	}
	if s.ShuffleBuffer == 0 {
		s.ShuffleBuffer = DefaultShuffleBuffer
	}
	if s.ChunkRows == 0 {
		s.ChunkRows = DefaultChunkRows
	}
	st := &CSVStream{open: open, s: s, rd: CSVReader{Comma: s.Comma, Targets: s.Targets, Task: s.Task,
		Categorical: s.Categorical, Ignore: s.Ignore, NA: s.NA, ColumnNA: s.ColumnNA, DetectNA: s.DetectNA, Limits: s.Limits}}
	if err := st.rd.checkSettings(); err != nil {
		return nil, err
	}
	st.lim = s.Limits.withDefaults()
	if s.Limits.MaxBytes == 0 {
		st.lim.MaxBytes = math.MaxInt64
	}
	if err := st.scan(); err != nil {
		return nil, err
	}
	switch {
	case st.trainRows == 0:
		return nil, fmt.Errorf("%w: NewCSVStream: no training rows: StreamSettings.ValidationFraction = %v holds out all %d rows", mlp.ErrData, s.ValidationFraction, st.heldRows)
	case s.ValidationFraction > 0 && st.heldRows == 0:
		return nil, fmt.Errorf("%w: NewCSVStream: StreamSettings.ValidationFraction = %v holds out none of the %d rows; use more rows or a larger fraction", mlp.ErrData, s.ValidationFraction, st.trainRows)
	}
	return st, nil
}

// heldOut reports whether data record rec (1-based) is held out: whether
// u(seed, rec) < frac, u a uniform number in [0, 1) taken from the top 53
// bits of splitmix64(seed ⊕ splitmix64(rec)).
func heldOut(seed uint64, rec int, frac float64) bool {
	if frac == 0 {
		return false
	}
	x := splitmix64(seed ^ splitmix64(uint64(rec)))
	return float64(x>>11)*0x1p-53 < frac
}

// splitmix64 is the output function of Vigna's SplitMix64 generator, a
// bijection of uint64 that mixes every bit.
func splitmix64(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ x>>30) * 0xbf58476d1ce4e5b9
	x = (x ^ x>>27) * 0x94d049bb133111eb
	return x ^ x>>31
}

// Rows returns the number of rows with targets: TrainRows + HeldOutRows.
func (s *CSVStream) Rows() int { return s.trainRows + s.heldRows }

// TrainRows returns the number of training rows.
func (s *CSVStream) TrainRows() int { return s.trainRows }

// HeldOutRows returns the number of held-out rows (ValidationFraction).
func (s *CSVStream) HeldOutRows() int { return s.heldRows }

// Dropped returns the number of rows left out for a missing target, as
// Table.Dropped.
func (s *CSVStream) Dropped() int { return s.dropped }

// Size returns the number of bytes of the file.
func (s *CSVStream) Size() int64 { return s.size }

// SHA256 returns the hexadecimal SHA-256 digest of the file's bytes.
func (s *CSVStream) SHA256() string { return s.sum }

// Task returns the task, decided as CSVReader decides it (InferTask).
func (s *CSVStream) Task() Task { return s.task }

// TaskNote returns InferTask's note on the task, as Table.TaskNote.
func (s *CSVStream) TaskNote() string { return s.taskNote }

// Notes returns the reader's notes, as Table.Notes, in a new slice.
func (s *CSVStream) Notes() []string { return slices.Clone(s.notes) }

// FeatureNames returns the names of the feature columns, in order.
func (s *CSVStream) FeatureNames() []string {
	var names []string
	for _, j := range s.kept {
		if s.cols[j].role == roleFeature {
			names = append(names, s.names[j])
		}
	}
	return names
}

// IgnoredNames returns the names of the header's columns that Ignore left
// out (by name or pattern), in header order, as Table.Ignored; nil when
// none.
func (s *CSVStream) IgnoredNames() []string {
	var names []string
	for j, name := range s.names {
		if !slices.Contains(s.kept, j) {
			names = append(names, name)
		}
	}
	return names
}

// TargetNames returns the names of the target columns, in order.
func (s *CSVStream) TargetNames() []string {
	names := make([]string, len(s.order))
	for k, j := range s.order {
		names[k] = s.names[j]
	}
	return names
}

// shell returns a Table with the stream's feature and target columns,
// their kinds and categories, and no rows.
func (s *CSVStream) shell() *Table {
	t := &Table{Task: s.task, TaskNote: s.taskNote, NA: slices.Clone(s.s.NA), ColumnNA: cloneColumnNA(s.columnNA), Dropped: s.dropped}
	t.Targets = make([]Column, len(s.order))
	for _, j := range s.kept {
		c := &s.cols[j]
		col := Column{Name: c.name, Kind: c.kind, Categories: c.categories, Values: []float64{}}
		if c.role == roleTarget {
			t.Targets[slices.Index(s.order, j)] = col
		} else {
			t.Features = append(t.Features, col)
		}
	}
	return t
}

// passReader counts and, when sum is set, hashes the bytes read through it.
type passReader struct {
	r   io.Reader
	n   int64
	sum hash.Hash
}

func (p *passReader) Read(b []byte) (int, error) {
	n, err := p.r.Read(b)
	p.n += int64(n)
	if p.sum != nil {
		p.sum.Write(b[:n])
	}
	return n, err
}

// pass is one read of the file: its records, checked against the limits.
type pass struct {
	f  io.ReadCloser
	in *passReader
	t  *tableReader
}

// startPass opens the file and reads its header; with hash set it hashes
// the bytes.
func (s *CSVStream) startPass(hashBytes bool) (*pass, int, error) {
	f, err := s.open()
	if err != nil {
		return nil, 0, fmt.Errorf("%w: opening the stream's file: %w", mlp.ErrData, err)
	}
	p := &pass{f: f, in: &passReader{r: f}}
	if hashBytes {
		p.in.sum = sha256.New()
	}
	rd := s.rd
	p.t = &tableReader{c: &rd, lim: s.lim, in: newBoundedReader(p.in, s.rd.Comma, s.lim)}
	if err := p.t.begin(); err != nil {
		f.Close()
		return nil, 0, err
	}
	line, err := p.t.readHeader()
	if err != nil {
		f.Close()
		return nil, 0, err
	}
	if s.names != nil && !slices.Equal(p.t.names, s.names) {
		f.Close()
		return nil, 0, fmt.Errorf("%w: the stream's file changed between passes: its header is now %s", mlp.ErrData, listNames(p.t.names))
	}
	return p, line, nil
}

// changed returns the error for a file that changed between passes.
func changed(what string) error {
	return fmt.Errorf("%w: the stream's file changed between passes: %s", mlp.ErrData, what)
}

// digest returns the hexadecimal digest of a hash.
func digest(h hash.Hash) string { return hex.EncodeToString(h.Sum(nil)) }
