package parquet

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	pq "github.com/parquet-go/parquet-go"

	"github.com/mlpkit/mlp/tabular"
)

// mutation is one way of damaging a file.
type mutation struct {
	kind string
	f    func(b []byte, r *rand.Rand) []byte
}

// mutations damage a valid file: byte flips, truncations, and length
// fields (the footer length, varints in the footer and anywhere) set to
// other values.
var mutations = []mutation{
	{"flip", func(b []byte, r *rand.Rand) []byte {
		for range 1 + r.IntN(4) {
			b[r.IntN(len(b))] ^= byte(1 + r.IntN(255))
		}
		return b
	}},
	{"truncate", func(b []byte, r *rand.Rand) []byte {
		if r.IntN(2) == 0 {
			return b[:r.IntN(len(b))]
		}
		// Cut inside the data, keeping the footer: the lengths point past
		// the end of what is left.
		cut := r.IntN(len(b) / 2)
		at := 4 + r.IntN(len(b)/2)
		return append(b[:at:at], b[min(at+cut, len(b)):]...)
	}},
	{"footer-length", func(b []byte, r *rand.Rand) []byte {
		n := []uint32{0, 1, math.MaxUint32, math.MaxInt32, uint32(len(b)), uint32(len(b) - 8), r.Uint32()}[r.IntN(7)]
		binary.LittleEndian.PutUint32(b[len(b)-8:], n)
		return b
	}},
	{"footer-varint", func(b []byte, r *rand.Rand) []byte {
		n := int(binary.LittleEndian.Uint32(b[len(b)-8:]))
		at := len(b) - 8 - n + r.IntN(n)
		return putVarint(b, at, r)
	}},
	{"data-varint", func(b []byte, r *rand.Rand) []byte {
		return putVarint(b, 4+r.IntN(len(b)-12), r)
	}},
}

// putVarint overwrites b at at with a varint of a random size: a length or
// a count of another magnitude.
func putVarint(b []byte, at int, r *rand.Rand) []byte {
	v := []uint64{0, 1, 127, 1 << 20, math.MaxInt32, math.MaxUint32, math.MaxInt64, r.Uint64() >> r.IntN(64)}[r.IntN(8)]
	var buf [binary.MaxVarintLen64]byte
	n := binary.PutUvarint(buf[:], v)
	copy(b[at:], buf[:n])
	return b
}

// mutated returns the n mutated files of the fixtures, in a fixed order
// (seeded), with the kind of each.
func mutated(t testing.TB, n int) (files [][]byte, kinds []string) {
	var base [][]byte
	for _, name := range []string{"flags", "iris_species", "penguins", "churn"} {
		b, err := os.ReadFile(filepath.Join("testdata", name+".parquet"))
		if err != nil {
			t.Fatal(err)
		}
		base = append(base, b)
	}
	r := rand.New(rand.NewPCG(22, 2000))
	for i := range n {
		m := mutations[i%len(mutations)]
		b := bytes.Clone(base[(i/len(mutations))%len(base)])
		files = append(files, m.f(b, r))
		kinds = append(kinds, m.kind)
	}
	return files, kinds
}

// validTable returns an error if t is not a table a model can be fitted
// on: columns of t.Rows() values, categorical codes that index their
// categories, no ±Inf.
func validTable(t *tabular.Table) error {
	if t.Rows() == 0 {
		return fmt.Errorf("no rows")
	}
	for _, c := range append(append([]tabular.Column{}, t.Features...), t.Targets...) {
		if len(c.Values) != t.Rows() {
			return fmt.Errorf("column %q: %d values of %d rows", c.Name, len(c.Values), t.Rows())
		}
		for i, v := range c.Values {
			switch {
			case math.IsNaN(v):
			case math.IsInf(v, 0):
				return fmt.Errorf("column %q row %d: %v", c.Name, i, v)
			case c.Kind == tabular.Categorical && (v < 0 || int(v) >= len(c.Categories) || v != math.Trunc(v)):
				return fmt.Errorf("column %q row %d: code %v of %d categories", c.Name, i, v, len(c.Categories))
			}
		}
	}
	return nil
}

// allocBound is the most bytes reading a file of size bytes may allocate:
// the cells it may declare, 8 bytes each, three times over (the columns,
// the rows NewTable keeps, a page's values), and 64 MiB for pages, the
// footer and the decoders.
func allocBound(size int) uint64 {
	return 3*8*uint64(baseCells+cellsPerByte*size) + 64<<20
}

// Each of 2,000 damaged files gives an error or a valid table, never a
// panic, and reading it allocates at most allocBound. The counts of each
// outcome by kind are logged (go test -v).
func TestMutatedFiles(t *testing.T) {
	files, kinds := mutated(t, 2000)
	type count struct{ tables, errs, recovered int }
	counts := map[string]*count{}
	var ms runtime.MemStats
	for i, b := range files {
		c := counts[kinds[i]]
		if c == nil {
			c = &count{}
			counts[kinds[i]] = c
		}
		runtime.ReadMemStats(&ms)
		before := ms.TotalAlloc
		var (
			tab *tabular.Table
			err error
		)
		func() {
			defer func() {
				if r := recover(); r != nil {
					t.Fatalf("file %d (%s): panic escaped ReadAll: %v", i, kinds[i], r)
				}
			}()
			rd := NewReader(bytes.NewReader(b), int64(len(b)))
			rd.TargetIndex = []int{-1}
			tab, err = rd.ReadAll()
		}()
		runtime.ReadMemStats(&ms)
		if got := ms.TotalAlloc - before; got > allocBound(len(b)) {
			t.Errorf("file %d (%s, %d bytes): allocated %d bytes, more than %d", i, kinds[i], len(b), got, allocBound(len(b)))
		}
		switch {
		case err != nil:
			c.errs++
			if strings.Contains(err.Error(), "decoder failed") {
				c.recovered++
				t.Logf("file %d (%s): recovered: %v", i, kinds[i], err)
			}
		default:
			c.tables++
			if verr := validTable(tab); verr != nil {
				t.Errorf("file %d (%s): a table that is not valid: %v", i, kinds[i], verr)
			}
		}
	}
	for _, m := range mutations {
		c := counts[m.kind]
		t.Logf("%-14s %4d files: %4d tables, %4d errors (%d of them recovered panics)", m.kind, c.tables+c.errs, c.tables, c.errs, c.recovered)
	}
}

// The same damaged files read by parquet-go alone (OpenFile with the
// options Reader uses, then every page of every column), for the record: how many panic, run out of
// memory (a child process limited to 2 GiB of address space) or take more
// than 10 s. It runs only with MLP_PARQUET_BASELINE=1, one child process
// per file.
func TestMutatedFilesBaseline(t *testing.T) {
	if os.Getenv("MLP_PARQUET_BASELINE") != "1" {
		t.Skip("set MLP_PARQUET_BASELINE=1 to measure parquet-go alone on the damaged files")
	}
	files, kinds := mutated(t, 2000)
	dir := t.TempDir()
	type count struct{ panics, oom, slow, other int }
	counts := map[string]*count{}
	for i, b := range files {
		c := counts[kinds[i]]
		if c == nil {
			c = &count{}
			counts[kinds[i]] = c
		}
		path := filepath.Join(dir, "f.parquet")
		if err := os.WriteFile(path, b, 0o644); err != nil {
			t.Fatal(err)
		}
		cmd := exec.Command("sh", "-c", `ulimit -v 2097152; exec timeout 10 "$0" -test.run '^TestBaselineChild$'`, os.Args[0])
		cmd.Env = append(os.Environ(), "MLP_PARQUET_CHILD="+path)
		out, err := cmd.CombinedOutput()
		switch s := string(out); {
		case err == nil:
		case strings.Contains(s, "out of memory") || strings.Contains(s, "cannot allocate"):
			c.oom++
		case strings.Contains(s, "panic:"):
			c.panics++
		case cmd.ProcessState != nil && cmd.ProcessState.ExitCode() == 124:
			c.slow++
		default:
			c.other++
			t.Logf("file %d: %v\n%s", i, err, s)
		}
	}
	for _, m := range mutations {
		c := counts[m.kind]
		t.Logf("%-14s panics %d, out of memory %d, over 10 s %d, other failures %d", m.kind, c.panics, c.oom, c.slow, c.other)
	}
}

// TestBaselineChild reads the file MLP_PARQUET_CHILD names with
// parquet-go alone, for TestMutatedFilesBaseline.
func TestBaselineChild(t *testing.T) {
	path := os.Getenv("MLP_PARQUET_CHILD")
	if path == "" {
		t.Skip("a child of TestMutatedFilesBaseline")
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	// Without SkipPageIndex, parquet-go v0.31.0 panics on each of the
	// fixtures, undamaged, in File.ReadPageIndex.
	f, err := pq.OpenFile(bytes.NewReader(b), int64(len(b)), pq.SkipPageIndex(true), pq.SkipBloomFilters(true))
	if err != nil {
		return
	}
	buf := make([]pq.Value, 1024)
	for _, rg := range f.RowGroups() {
		for _, cc := range rg.ColumnChunks() {
			pages := cc.Pages()
			for {
				p, err := pages.ReadPage()
				if err != nil {
					break
				}
				vr := p.Values()
				for {
					if _, err := vr.ReadValues(buf); err != nil {
						break
					}
				}
			}
			pages.Close()
		}
	}
}
