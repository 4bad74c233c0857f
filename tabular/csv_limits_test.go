package tabular_test

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"testing"

	"github.com/mlpkit/mlp"
	"github.com/mlpkit/mlp/internal/allocs"
	"github.com/mlpkit/mlp/internal/testkit"
	"github.com/mlpkit/mlp/tabular"
)

// repeatRows returns header then row n times.
func repeatRows(header, row string, n int) string {
	var b strings.Builder
	b.Grow(len(header) + n*len(row))
	b.WriteString(header)
	for range n {
		b.WriteString(row)
	}
	return b.String()
}

// TestCSVReaderAllocationBound reads inputs of several shapes, the costly
// ones for a reader, and checks that reading N bytes allocates at most
// 20·N + 1 MiB, whether the read succeeds or stops at a limit.
func TestCSVReaderAllocationBound(t *testing.T) {
	wide := make([]string, tabular.DefaultMaxFields)
	for j := range wide {
		wide[j] = fmt.Sprint("c", j)
	}
	var distinct strings.Builder
	distinct.WriteString("id,n\n")
	for i := range tabular.DefaultMaxCategories {
		fmt.Fprintf(&distinct, "k%d,%d\n", i, i%7)
	}
	for _, tc := range []struct {
		name      string
		input     string
		configure func(*tabular.CSVReader)
		wantErr   error
	}{
		{"numeric rows", repeatRows("a,b,c,y\n", "1,2,3,0\n", 100000), func(r *tabular.CSVReader) { r.TargetIndex = []int{-1} }, nil},
		{"one-byte missing cells", repeatRows(strings.Join(wide[:100], ",")+"\n", strings.Repeat(",", 99)+"\n", 10000), nil, nil},
		{"categorical with missing cells", "a,b\nx,1\n" + repeatRows("", ",1\n", 300000), nil, nil},
		{"short text cells", repeatRows("a,b,c,d\n", "x,y,z,w\n", 100000), nil, nil},
		{"distinct categories up to the cap", distinct.String(), nil, nil},
		{"one more category than the cap", distinct.String() + "another,1\n", nil, tabular.ErrLimit},
		{"widest header and a row", strings.Join(wide, ",") + "\n" + strings.Repeat("1,", len(wide)-1) + "1\n", nil, nil},
		{"one field more than MaxFields", strings.Join(wide, ",") + ",x\n1\n", nil, tabular.ErrLimit},
		{"newline-free 10 MB", strings.Repeat("1", 10<<20), nil, tabular.ErrLimit},
		{"ragged 3 MB line", "a,b\n" + strings.Repeat("1,", 3<<19) + "\n", nil, tabular.ErrLimit},
		{"60 KB cell", "a,b\n1,2\n" + strings.Repeat("x", 60<<10) + ",3\n", nil, nil},
		{"70 KB cell", "a,b\n1,2\n" + strings.Repeat("x", 70<<10) + ",3\n", nil, tabular.ErrLimit},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var err error
			var tab *tabular.Table
			n := allocs.Bytes(func() {
				r := tabular.NewCSVReader(strings.NewReader(tc.input))
				if tc.configure != nil {
					tc.configure(r)
				}
				tab, err = r.ReadAll()
			})
			if tc.wantErr == nil && err != nil {
				t.Fatal(err)
			}
			if tc.wantErr != nil {
				testkit.ErrorContains(t, err, tc.wantErr)
				if len(err.Error()) > 400 {
					t.Errorf("error message of %d bytes", len(err.Error()))
				}
			}
			bound := 20*uint64(len(tc.input)) + 1<<20
			t.Logf("%d bytes in, %d allocated (%.1f per byte), rows %v", len(tc.input), n, float64(n)/float64(len(tc.input)), tab != nil)
			if n > bound {
				t.Errorf("reading %d bytes allocated %d, more than 20·N + 1 MiB = %d", len(tc.input), n, bound)
			}
		})
	}
}

// zeros is an endless reader of zero bytes, as /dev/zero.
type zeros struct{}

func (zeros) Read(b []byte) (int, error) {
	clear(b)
	return len(b), nil
}

// TestCSVReaderEndlessInput reads /dev/zero-like input: it stops at the
// line limit with an error naming line 1, having allocated a bounded
// amount.
func TestCSVReaderEndlessInput(t *testing.T) {
	var err error
	n := allocs.Bytes(func() { _, err = tabular.NewCSVReader(zeros{}).ReadAll() })
	var pe *tabular.ParseError
	if !errors.As(err, &pe) || pe.Line != 1 || !errors.Is(err, tabular.ErrLimit) || !strings.Contains(err.Error(), "MaxLineBytes") {
		t.Fatalf("error %v, want a *ParseError at line 1 wrapping ErrLimit naming MaxLineBytes", err)
	}
	if limit := uint64(4*tabular.DefaultMaxLineBytes + 1<<20); n > limit {
		t.Errorf("allocated %d bytes, want at most %d", n, limit)
	}
	// A smaller limit stops sooner.
	r := tabular.NewCSVReader(zeros{})
	r.Limits.MaxLineBytes = 1000
	_, err = r.ReadAll()
	testkit.ErrorContains(t, err, tabular.ErrLimit, "line 1 is longer than Limits.MaxLineBytes = 1000")
	// So does MaxBytes, for input with newlines.
	r = tabular.NewCSVReader(io.MultiReader(strings.NewReader("a\n"), bytes.NewReader(bytes.Repeat([]byte("1\n"), 10000))))
	r.Limits.MaxBytes = 5000
	_, err = r.ReadAll()
	testkit.ErrorContains(t, err, tabular.ErrLimit, "MaxBytes = 5000")
}

// TestCSVReaderLimits checks each limit's error and that raising a limit
// lets the input through.
func TestCSVReaderLimits(t *testing.T) {
	for _, tc := range []struct {
		name  string
		input string
		set   func(*tabular.Limits, int)
		msg   string
	}{
		{"MaxFields", "a,b,c\n1,2,3\n", func(l *tabular.Limits, v int) { l.MaxFields = v }, "line 1: input exceeds a limit: more than Limits.MaxFields = 2 fields"},
		{"MaxFieldBytes", "a,b\n1,12345\n", func(l *tabular.Limits, v int) { l.MaxFieldBytes = v }, "a cell of 5 bytes, more than Limits.MaxFieldBytes = 2"},
		{"MaxCategories", "a,b\nx,1\ny,2\nz,3\n", func(l *tabular.Limits, v int) { l.MaxCategories = v }, "more than Limits.MaxCategories = 2"},
		{"MaxLineBytes of a quoted record", "a,b\n\"1\n2\n3\",4\n", func(l *tabular.Limits, v int) { l.MaxLineBytes = v + 3 }, "a record of 6 bytes, more than Limits.MaxLineBytes = 5"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := tabular.NewCSVReader(strings.NewReader(tc.input))
			tc.set(&r.Limits, 2)
			_, err := r.ReadAll()
			testkit.ErrorContains(t, err, tabular.ErrLimit, tc.msg)
			if !errors.Is(err, mlp.ErrTooLarge) {
				t.Errorf("error %v does not match mlp.ErrTooLarge", err)
			}
			r = tabular.NewCSVReader(strings.NewReader(tc.input))
			tc.set(&r.Limits, 100)
			if _, err := r.ReadAll(); err != nil {
				t.Errorf("with the limit raised: %v", err)
			}
		})
	}
}

// TestCSVReaderLimitFirst checks that input beyond a limit anywhere is
// reported before an error of an earlier record or cell, as a reader that
// reads all its input first would: a limit says the input is not for this
// reader at all.
func TestCSVReaderLimitFirst(t *testing.T) {
	long := strings.Repeat("9", 200)
	for _, tc := range []struct {
		name  string
		input string
		line  int
	}{
		{"after a ragged row", "a,b\n1,2\n1\n3,4\n" + long + ",1\n", 5},
		{"after text in a numeric column", "a,b\n1,2\nx,3\n" + long + ",1\n", 4},
		{"after a bad header", "a,a\n1,2\n" + long + ",1\n", 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := tabular.NewCSVReader(strings.NewReader(tc.input))
			r.Limits.MaxLineBytes = 100
			_, err := r.ReadAll()
			testkit.ErrorContains(t, err, tabular.ErrLimit, fmt.Sprintf("line %d is longer than Limits.MaxLineBytes = 100", tc.line))
			if !errors.Is(err, mlp.ErrTooLarge) {
				t.Errorf("error %v does not match mlp.ErrTooLarge", err)
			}
		})
	}
}

// TestCSVReaderOnePassCells checks what a reader that types the columns as
// it goes must still get right: text in a row dropped for its missing
// target makes the column text, as pandas reads the whole file (the
// numbers read before are renamed as text), numbers after text are text,
// and the line of a cell after a quoted newline.
func TestCSVReaderOnePassCells(t *testing.T) {
	r := tabular.NewCSVReader(strings.NewReader("a,y\n1,0\n1.50,1\nx,\n"))
	r.Targets = []string{"y"}
	tab, err := r.ReadAll()
	if err != nil || tab.Rows() != 2 || tab.Dropped != 1 {
		t.Fatalf("ReadAll = %+v, %v; want 2 rows, 1 dropped", tab, err)
	}
	if c := tab.Features[0]; c.Kind != tabular.Categorical || !slices.Equal(c.Categories, []string{"1", "1.5"}) || !slices.Equal(c.Values, []float64{0, 1}) {
		t.Errorf("column a = %+v, want the categories 1, 1.5", c)
	}
	tab, err = tabular.NewCSVReader(strings.NewReader("a,b\nx,1\ny,2\n3.0,4\n")).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if c := tab.Features[0]; c.Kind != tabular.Categorical || !slices.Equal(c.Categories, []string{"3", "x", "y"}) || !slices.Equal(c.Values, []float64{1, 2, 0}) {
		t.Errorf("column a = %+v, want the categories 3, x, y", c)
	}
	_, err = tabular.NewCSVReader(strings.NewReader("a,b,c\n\"p\nq\",1,1\n\"r\ns\",2,1e999\n")).ReadAll()
	testkit.ErrorContains(t, err, tabular.ErrOutOfRange, `line 5, column 3`)
}
