package parquet

import (
	"errors"
	"fmt"
	"io"
	"math"
	"math/big"
	"slices"

	pq "github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/deprecated"
	"github.com/parquet-go/parquet-go/format"

	"github.com/mlpkit/mlp"
	"github.com/mlpkit/mlp/tabular"
)

// Reader reads a tabular.Table from a Parquet file, giving its columns the
// roles and kinds tabular.CSVReader gives the columns of a CSV file
// holding the same cells, so that a model trained on either is the same:
//
//   - Numbers (INT32, INT64, FLOAT, DOUBLE, and DECIMAL of any physical
//     type) are Numeric; a DECIMAL is the float64 nearest its value, as
//     CSVReader reads its decimal text. Unsigned integers are read as
//     unsigned. NaN is a missing cell; ±Inf is an error
//     (tabular.ErrNotFinite).
//   - Strings (BYTE_ARRAY, annotated or not, and ENUM) are Categorical,
//     read as CSVReader reads text cells: trimmed, the missing-value
//     markers (pandas' defaults and NA) missing. Unlike CSVReader, a
//     string column of digits stays categorical: the file says it is
//     text.
//   - BOOLEAN is Categorical with the categories "False" and "True", as
//     CSVReader reads a column of true and false.
//   - Nulls are missing cells; a row whose target is null is left out.
//   - Dates, times, timestamps, INT96, UUID, JSON and other types are an
//     error naming the column unless it is in Ignore. Nested and repeated
//     columns are an error.
//
// Limits bound the input as for CSVReader: MaxBytes the file's size,
// MaxFields its columns, MaxFieldBytes one string cell, MaxCategories the
// distinct strings of all string columns together (counted before
// trimming). Beyond those, a file of N bytes may hold at most
// 2^20 + 1024·N cells (rows × kept columns) and at most MaxBytes/2 (as many
// as a CSV file of MaxBytes bytes can), a page at most 128 MiB
// uncompressed; GZIP and ZSTD pages are uncompressed once beforehand to
// check their size, SNAPPY pages by their header. Input beyond a limit is
// an error wrapping tabular.ErrLimit (and mlp.ErrTooLarge).
//
// Every declared length of the file (footer, page headers, column chunks,
// row counts) is checked against the file's size before anything is
// allocated for it, and a panic of the Parquet decoder is recovered and
// returned as an error wrapping mlp.ErrData.
//
// As with tabular.CSVReader, NewReader sets the defaults and the exported
// fields may be changed before ReadAll. A Reader is not safe for
// concurrent use.
type Reader struct {
	// Targets names the target columns; TargetIndex gives them by 0-based
	// position (negative from the end). Set at most one.
	Targets     []string
	TargetIndex []int

	// Task is the task asked for; AutoTask lets tabular.InferTask decide.
	Task tabular.Task

	// Categorical names numeric columns to read as categories.
	Categorical []string

	// Ignore names columns to drop; their types do not matter.
	Ignore []string

	// NA lists texts that mark a missing string cell, besides pandas'
	// defaults.
	NA []string

	// Limits bound the input; the zero value gives the defaults.
	Limits tabular.Limits

	r    io.ReaderAt
	size int64
}

// NewReader returns a Reader of the Parquet file of size bytes in r, with
// no target column and the default limits.
func NewReader(r io.ReaderAt, size int64) *Reader {
	return &Reader{r: r, size: size}
}

// ErrUnsupported means a column's type, or the file's layout (nested
// columns, encryption, a compression codec), is one the reader does not
// read.
var ErrUnsupported = errors.New("unsupported Parquet column")

// ReadAll reads the whole file and returns it as a Table.
//
// Errors about the file wrap mlp.ErrData (a file that is not sound
// Parquet, ErrUnsupported, or a tabular sentinel such as ErrNoColumn) or
// tabular.ErrLimit, and name the column; settings that cannot work wrap
// mlp.ErrSetting.
//
// Allocation: the table (8 bytes a cell), the footer's metadata, and
// while reading one page of each column at a time.
func (rd *Reader) ReadAll() (t *tabular.Table, err error) {
	if rd.r == nil {
		return nil, fmt.Errorf("%w: parquet.Reader has no input: make it with NewReader", mlp.ErrData)
	}
	defer func() {
		if r := recover(); r != nil {
			t, err = nil, fmt.Errorf("%w: %w: the Parquet decoder failed: %v", mlp.ErrData, errCorrupt, r)
		}
	}()
	return rd.read()
}

// read is ReadAll without its recover, for the fuzz target.
func (rd *Reader) read() (*tabular.Table, error) {
	lim, err := limits(rd.Limits)
	if err != nil {
		return nil, err
	}
	if rd.size > lim.MaxBytes {
		return nil, fmt.Errorf("%w: the file's %d bytes are more than Limits.MaxBytes = %d", tabular.ErrLimit, rd.size, lim.MaxBytes)
	}
	cols, err := rd.columns(lim)
	if err != nil {
		return nil, err
	}
	t, err := tabular.NewTable(cols, tabular.Roles{Targets: rd.Targets, TargetIndex: rd.TargetIndex, Task: rd.Task,
		Categorical: rd.Categorical, Ignore: rd.Ignore, NA: rd.NA})
	if err != nil {
		return nil, err
	}
	n := 0
	for _, c := range slices.Concat(t.Features, t.Targets) {
		n += len(c.Categories)
	}
	if n > lim.MaxCategories {
		return nil, fmt.Errorf("%w: %d distinct texts in the categorical columns, more than Limits.MaxCategories = %d; add an identifier or free-text column to Ignore",
			tabular.ErrLimit, n, lim.MaxCategories)
	}
	return t, nil
}

// limits returns l with its defaults, or an error for a negative field.
func limits(l tabular.Limits) (tabular.Limits, error) {
	// CSVReader fills in the same defaults.
	for _, f := range []struct {
		name string
		v    int64
		def  int64
	}{{"MaxBytes", l.MaxBytes, tabular.DefaultMaxBytes}, {"MaxFields", int64(l.MaxFields), tabular.DefaultMaxFields},
		{"MaxFieldBytes", int64(l.MaxFieldBytes), tabular.DefaultMaxFieldBytes}, {"MaxCategories", int64(l.MaxCategories), tabular.DefaultMaxCategories}} {
		if f.v < 0 {
			return l, fmt.Errorf("%w: parquet.Reader.Limits.%s = %d is negative", mlp.ErrSetting, f.name, f.v)
		}
	}
	l.MaxBytes = cmpOr(l.MaxBytes, tabular.DefaultMaxBytes)
	l.MaxFields = cmpOr(l.MaxFields, tabular.DefaultMaxFields)
	l.MaxFieldBytes = cmpOr(l.MaxFieldBytes, tabular.DefaultMaxFieldBytes)
	l.MaxCategories = cmpOr(l.MaxCategories, tabular.DefaultMaxCategories)
	l.MaxLineBytes = cmpOr(l.MaxLineBytes, tabular.DefaultMaxLineBytes)
	return l, nil
}

func cmpOr[T int | int64](v, def T) T {
	if v == 0 {
		return def
	}
	return v
}

// leaf is what the reader knows of one column of the file.
type leaf struct {
	name     string
	typ      format.Type
	kind     leafKind
	scale    int32 // of a decimal
	optional bool
	ignored  bool
}

type leafKind uint8

const (
	kindNumber leafKind = iota + 1
	kindUnsigned
	kindDecimal
	kindText
	kindBool
)

// columns checks the file and reads its columns, in file order; an
// ignored column is not read (its Values are nil).
func (rd *Reader) columns(lim tabular.Limits) ([]tabular.Column, error) {
	md, err := checkFooter(rd.r, rd.size)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", mlp.ErrData, err)
	}
	leaves, err := rd.leaves(md, lim)
	if err != nil {
		return nil, err
	}
	kept := 0
	for _, l := range leaves {
		if !l.ignored {
			kept++
		}
	}
	rows := int64(0)
	for g := range md.RowGroups {
		rg := &md.RowGroups[g]
		if rg.NumRows < 0 || len(rg.Columns) != len(leaves) {
			return nil, fmt.Errorf("%w: %w: row group %d has %d rows and %d column chunks for %d columns", mlp.ErrData, errCorrupt, g, rg.NumRows, len(rg.Columns), len(leaves))
		}
		rows += rg.NumRows
		if rows > math.MaxInt32*int64(64) {
			break
		}
	}
	if rows != md.NumRows {
		return nil, fmt.Errorf("%w: %w: the row groups hold %d rows, the footer says %d", mlp.ErrData, errCorrupt, rows, md.NumRows)
	}
	cells := rows * int64(max(kept, 1))
	if most := min(lim.MaxBytes/2, baseCells+cellsPerByte*rd.size); cells > most {
		return nil, fmt.Errorf("%w: %d rows of %d columns, %d cells: a file of %d bytes may hold at most %d",
			tabular.ErrLimit, rows, kept, cells, rd.size, most)
	}
	// Every page of every kept column is checked before any is decoded.
	for g := range md.RowGroups {
		rg := &md.RowGroups[g]
		for j, l := range leaves {
			if l.ignored {
				continue
			}
			c := &rg.Columns[j]
			if c.MetaData.Type != l.typ {
				return nil, fmt.Errorf("%w: %w: column %q, row group %d: the chunk's type %s is not the schema's %s", mlp.ErrData, errCorrupt, l.name, g, c.MetaData.Type, l.typ)
			}
			s, err := span(c, rd.size)
			if err == nil {
				err = checkPages(rd.r, s, c.MetaData.Codec, rg.NumRows)
			}
			if err != nil {
				return nil, columnError(l.name, g, err)
			}
		}
	}
	f, err := pq.OpenFile(rd.r, rd.size, pq.SkipPageIndex(true), pq.SkipBloomFilters(true))
	if err != nil {
		return nil, fmt.Errorf("%w: %w: %w", mlp.ErrData, errCorrupt, err)
	}
	groups := f.RowGroups()
	if len(groups) != len(md.RowGroups) {
		return nil, fmt.Errorf("%w: %w: %d row groups, the footer says %d", mlp.ErrData, errCorrupt, len(groups), len(md.RowGroups))
	}
	cols := make([]tabular.Column, len(leaves))
	cats := 0
	for j, l := range leaves {
		cols[j].Name = l.name
		cols[j].Kind = tabular.Numeric
		if l.ignored {
			continue
		}
		cols[j].Values = make([]float64, rows)
		cr := &columnReader{leaf: l, col: &cols[j], lim: lim, cats: &cats}
		for g, rg := range groups {
			if err := cr.readChunk(rg.ColumnChunks()[j]); err != nil {
				return nil, columnError(l.name, g, err)
			}
			if want := int(rows - remaining(md.RowGroups[g+1:])); cr.row != want {
				return nil, columnError(l.name, g, fmt.Errorf("%w: %d values where the row groups so far hold %d rows", errCorrupt, cr.row, want))
			}
		}
	}
	return cols, nil
}

// remaining returns the rows of the row groups rgs.
func remaining(rgs []format.RowGroup) int64 {
	n := int64(0)
	for i := range rgs {
		n += rgs[i].NumRows
	}
	return n
}

// columnError names the column and the row group of err.
func columnError(name string, g int, err error) error {
	if !errors.Is(err, mlp.ErrData) && !errors.Is(err, mlp.ErrTooLarge) {
		err = fmt.Errorf("%w: %w", mlp.ErrData, err)
	}
	return fmt.Errorf("column %q, row group %d: %w", name, g, err)
}

// leaves returns the columns of the schema in md, checked.
func (rd *Reader) leaves(md *format.FileMetaData, lim tabular.Limits) ([]leaf, error) {
	s := md.Schema
	if len(s) == 0 {
		return nil, fmt.Errorf("%w: %w: the file has no schema", mlp.ErrData, errCorrupt)
	}
	if n := len(s) - 1; n > lim.MaxFields {
		return nil, fmt.Errorf("%w: %d columns, more than Limits.MaxFields = %d", tabular.ErrLimit, n, lim.MaxFields)
	}
	if !s[0].NumChildren.Valid || int(s[0].NumChildren.V) != len(s)-1 {
		return nil, fmt.Errorf("%w: %w: nested columns (the schema's root has %d children of %d elements), which the reader does not read",
			mlp.ErrData, ErrUnsupported, s[0].NumChildren.V, len(s)-1)
	}
	leaves := make([]leaf, 0, len(s)-1)
	for _, e := range s[1:] {
		l := leaf{name: e.Name, typ: e.Type.V, ignored: slices.Contains(rd.Ignore, e.Name)}
		unsupported := func(what string) error {
			return fmt.Errorf("%w: %w: column %q is %s, which the reader does not read; add it to Ignore (mlp: -ignore)", mlp.ErrData, ErrUnsupported, e.Name, what)
		}
		switch {
		case e.NumChildren.Valid && e.NumChildren.V > 0:
			return nil, unsupported("a nested group")
		case !e.Type.Valid:
			return nil, fmt.Errorf("%w: %w: column %q has no type", mlp.ErrData, errCorrupt, e.Name)
		case e.RepetitionType.Valid && e.RepetitionType.V == format.Repeated:
			return nil, unsupported("repeated (a list)")
		}
		l.optional = e.RepetitionType.Valid && e.RepetitionType.V == format.Optional
		lt, ct := e.LogicalType, e.ConvertedType
		switch {
		case lt.Valid && lt.V.Decimal != nil || ct.Valid && ct.V == deprecated.Decimal:
			l.kind, l.scale = kindDecimal, e.Scale.V
			if lt.Valid && lt.V.Decimal != nil {
				l.scale = lt.V.Decimal.Scale
			}
			if l.scale < 0 || l.scale > 38 {
				return nil, fmt.Errorf("%w: %w: column %q: decimal scale %d", mlp.ErrData, errCorrupt, e.Name, l.scale)
			}
			if l.typ != format.Int32 && l.typ != format.Int64 && l.typ != format.ByteArray && l.typ != format.FixedLenByteArray {
				return nil, fmt.Errorf("%w: %w: column %q: a decimal of type %s", mlp.ErrData, errCorrupt, e.Name, l.typ)
			}
		case lt.Valid && (lt.V.Date != nil || lt.V.Time != nil || lt.V.Timestamp != nil) ||
			ct.Valid && ct.V >= deprecated.Date && ct.V <= deprecated.TimestampMicros:
			if !l.ignored {
				return nil, unsupported("a date or time")
			}
		case l.typ == format.Boolean:
			l.kind = kindBool
		case l.typ == format.Int32 || l.typ == format.Int64:
			l.kind = kindNumber
			if lt.Valid && lt.V.Integer != nil && !lt.V.Integer.IsSigned ||
				ct.Valid && ct.V >= deprecated.Uint8 && ct.V <= deprecated.Uint64 {
				l.kind = kindUnsigned
			}
		case l.typ == format.Float || l.typ == format.Double:
			l.kind = kindNumber
		case l.typ == format.ByteArray && (!lt.Valid && (!ct.Valid || ct.V == deprecated.UTF8 || ct.V == deprecated.Enum) ||
			lt.Valid && (lt.V.UTF8 != nil || lt.V.Enum != nil)):
			l.kind = kindText
		default:
			if !l.ignored {
				return nil, unsupported(fmt.Sprintf("of type %s", l.typ))
			}
		}
		leaves = append(leaves, l)
	}
	return leaves, nil
}

// columnReader reads the pages of one column into col.
type columnReader struct {
	leaf
	col   *tabular.Column
	lim   tabular.Limits
	cats  *int // distinct texts of all columns so far
	row   int
	codes map[string]int
	buf   []pq.Value
}

// readChunk reads the values of one column chunk.
func (c *columnReader) readChunk(chunk pq.ColumnChunk) error {
	pages := chunk.Pages()
	defer pages.Close()
	if c.buf == nil {
		c.buf = make([]pq.Value, 1024)
	}
	for {
		page, err := pages.ReadPage()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return fmt.Errorf("%w: %w", errCorrupt, err)
		}
		err = c.readPage(page)
		pq.Release(page)
		if err != nil {
			return err
		}
	}
}

// readPage reads the values of one page.
func (c *columnReader) readPage(page pq.Page) error {
	vr := page.Values()
	for {
		n, err := vr.ReadValues(c.buf)
		if n > len(c.col.Values)-c.row {
			return fmt.Errorf("%w: more values than the file's %d rows", errCorrupt, len(c.col.Values))
		}
		for _, v := range c.buf[:n] {
			x, err := c.value(v)
			if err != nil {
				return err
			}
			c.col.Values[c.row] = x
			c.row++
		}
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return fmt.Errorf("%w: %w", errCorrupt, err)
		}
	}
}

// value returns the cell of v.
func (c *columnReader) value(v pq.Value) (float64, error) {
	if v.IsNull() {
		return math.NaN(), nil
	}
	var x float64
	switch c.kind {
	case kindBool:
		// As CSVReader reads true and false: categories "False" and
		// "True", those the column holds.
		if v.Boolean() {
			return c.text(textTrue)
		}
		return c.text(textFalse)
	case kindText:
		return c.text(v.ByteArray())
	case kindNumber:
		switch v.Kind() {
		case pq.Int32:
			x = float64(v.Int32())
		case pq.Int64:
			x = float64(v.Int64())
		case pq.Float:
			x = float64(v.Float())
		case pq.Double:
			x = v.Double()
		default:
			return 0, fmt.Errorf("%w: a value of kind %s in a numeric column", errCorrupt, v.Kind())
		}
	case kindUnsigned:
		if v.Kind() == pq.Int32 {
			x = float64(uint32(v.Int32()))
		} else {
			x = float64(uint64(v.Int64()))
		}
	case kindDecimal:
		if k := v.Kind(); (k == pq.ByteArray || k == pq.FixedLenByteArray) && len(v.ByteArray()) > maxDecimalBytes {
			return 0, fmt.Errorf("%w: row %d (0-based): a decimal of %d bytes, more than %d", errCorrupt, c.row, len(v.ByteArray()), maxDecimalBytes)
		}
		x = c.decimal(v)
	}
	if math.IsInf(x, 0) {
		return 0, fmt.Errorf("%w: row %d (0-based): %v; a numeric cell is a finite number, or null or NaN for missing", tabular.ErrNotFinite, c.row, x)
	}
	return x, nil
}

// text returns the category code of string cell b.
func (c *columnReader) text(b []byte) (float64, error) {
	if len(b) > c.lim.MaxFieldBytes {
		return 0, fmt.Errorf("%w: row %d (0-based): a cell of %d bytes, more than Limits.MaxFieldBytes = %d", tabular.ErrLimit, c.row, len(b), c.lim.MaxFieldBytes)
	}
	if k, ok := c.codes[string(b)]; ok {
		return float64(k), nil
	}
	if *c.cats == c.lim.MaxCategories {
		return 0, fmt.Errorf("%w: more than Limits.MaxCategories = %d distinct texts in the string columns; add an identifier or free-text column to Ignore",
			tabular.ErrLimit, c.lim.MaxCategories)
	}
	*c.cats++
	if c.codes == nil {
		c.codes = make(map[string]int)
		c.col.Kind = tabular.Categorical
		c.col.Categories = []string{}
	}
	k := len(c.col.Categories)
	s := string(b)
	c.codes[s] = k
	c.col.Categories = append(c.col.Categories, s)
	return float64(k), nil
}

var textTrue, textFalse = []byte("True"), []byte("False")

// maxDecimalBytes is the longest decimal read: 32 bytes hold 76 digits,
// beyond the 38 of the Parquet format's largest precision in common use.
const maxDecimalBytes = 32

// pow10 holds the powers of ten float64 holds exactly.
var pow10 = [...]float64{1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
	1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22}

// decimal returns the float64 nearest the decimal v: the unscaled integer
// divided by 10^scale, rounded once, as strconv.ParseFloat reads its text.
func (c *columnReader) decimal(v pq.Value) float64 {
	var u big.Int
	switch v.Kind() {
	case pq.Int32:
		u.SetInt64(int64(v.Int32()))
	case pq.Int64:
		u.SetInt64(v.Int64())
	default:
		// Big-endian two's complement.
		b := v.ByteArray()
		u.SetBytes(b)
		if len(b) > 0 && b[0]&0x80 != 0 {
			u.Sub(&u, new(big.Int).Lsh(big.NewInt(1), uint(8*len(b))))
		}
	}
	if u.IsInt64() {
		if i := u.Int64(); i > -1<<53 && i < 1<<53 && int(c.scale) < len(pow10) {
			// Both exact: the quotient is rounded once.
			return float64(i) / pow10[c.scale]
		}
	}
	d := new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(c.scale)), nil)
	x, _ := new(big.Rat).SetFrac(&u, d).Float64()
	return x
}
