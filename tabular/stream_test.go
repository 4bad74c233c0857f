package tabular

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/mlpkit/mlp"
	"github.com/mlpkit/mlp/internal/testkit"
)

// streamCSV returns a CSV of n rows with a numeric column holding missing
// cells, a categorical column, a boolean column, a column of numbers that
// turns text, an integer column and a target: a class (classify) or a
// value.
func streamCSV(n int, seed uint64, classify bool) []byte {
	rng := rand.New(rand.NewPCG(seed, 9))
	var b bytes.Buffer
	b.WriteString("x,color,flag,mixed,count,y\n")
	colors := []string{"red", "green", "blue", " teal "}
	for i := range n {
		x := rng.NormFloat64()*3 + 10
		xs := fmt6g(x)
		if rng.IntN(10) == 0 {
			xs = "NA"
		}
		c := colors[rng.IntN(len(colors))]
		if rng.IntN(20) == 0 {
			c = ""
		}
		flag := []string{"true", "False", "TRUE"}[rng.IntN(3)]
		mixed := fmt.Sprint(rng.IntN(5))
		if i == n/2 {
			mixed = "?"
		}
		count := rng.IntN(7)
		var y string
		if classify {
			k := 0
			if x > 10 {
				k++
			}
			if c == "red" {
				k++
			}
			y = []string{"lo", "mid", "hi"}[k]
		} else {
			y = fmt6g(2*x - float64(count) + rng.NormFloat64()*0.1)
		}
		if rng.IntN(50) == 0 {
			y = ""
		}
		fmt.Fprintf(&b, "%s,%s,%s,%s,%d,%s\n", xs, c, flag, mixed, count, y)
	}
	return b.Bytes()
}

func fmt6g(v float64) string { return fmt.Sprintf("%.6g", v) }

func openBytes(data []byte) func() (io.ReadCloser, error) {
	return func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(data)), nil }
}

// TestStreamKindsMatchReader checks that the first pass decides the
// columns' kinds, categories, task and row counts as ReadAll does.
func TestStreamKindsMatchReader(t *testing.T) {
	cases := map[string]string{
		"generated":           string(streamCSV(500, 1, true)),
		"mixed late":          "a,b,y\n1,2,0\n2,x,1\n3,4,0\n",
		"text in dropped row": "a,b,y\n1,2,0\n2,x,\n3,4,1\n",
		"bools":               "a,b,y\ntrue,1,a\nFALSE,2,b\n,3,a\n",
		"big ints":            "a,y\n18446744073709551615,1\n2,0\n",
		"na text":             "a,y\n1,0\n?,1\n2.5,0\n",
	}
	for name, csv := range cases {
		t.Run(name, func(t *testing.T) {
			rd := NewCSVReader(strings.NewReader(csv))
			rd.Targets = []string{"y"}
			if name == "na text" {
				rd.NA = []string{"?"}
			}
			want, err := rd.ReadAll()
			if err != nil {
				t.Fatal(err)
			}
			s, err := NewCSVStream(openBytes([]byte(csv)), StreamSettings{Targets: []string{"y"}, NA: rd.NA})
			if err != nil {
				t.Fatal(err)
			}
			got := s.shell()
			if s.Rows() != want.Rows() || s.Dropped() != want.Dropped || s.Task() != want.Task || s.TaskNote() != want.TaskNote {
				t.Errorf("rows %d dropped %d task %v %q; ReadAll: %d %d %v %q", s.Rows(), s.Dropped(), s.Task(), s.TaskNote(),
					want.Rows(), want.Dropped, want.Task, want.TaskNote)
			}
			if !slices.Equal(s.Notes(), want.Notes) {
				t.Errorf("notes %q; ReadAll %q", s.Notes(), want.Notes)
			}
			for k, wc := range append(want.Features, want.Targets...) {
				gc := append(got.Features, got.Targets...)[k]
				if gc.Name != wc.Name || gc.Kind != wc.Kind || !slices.Equal(gc.Categories, wc.Categories) {
					t.Errorf("column %d: %s %v %q; ReadAll: %s %v %q", k, gc.Name, gc.Kind, gc.Categories, wc.Name, wc.Kind, wc.Categories)
				}
			}
		})
	}
}

// TestStreamHeldOutTablesMatchReader checks that the held-out chunks hold
// the rows ReadAll reads, coded alike, at two chunk sizes.
func TestStreamHeldOutTablesMatchReader(t *testing.T) {
	data := streamCSV(300, 2, true)
	rd := NewCSVReader(bytes.NewReader(data))
	rd.Targets = []string{"y"}
	all, err := rd.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	// The held-out rows by record number, among the kept rows.
	var want []int
	rec := 0
	for i, line := range strings.Split(strings.TrimSpace(string(data)), "\n")[1:] {
		if strings.HasSuffix(line, ",") {
			continue // missing target
		}
		if heldOut(7, i+1, 0.25) {
			want = append(want, rec)
		}
		rec++
	}
	for _, chunk := range []int{1, 13, 4096} {
		s, err := NewCSVStream(openBytes(data), StreamSettings{Targets: []string{"y"}, ValidationFraction: 0.25, Seed: 7, ChunkRows: chunk})
		if err != nil {
			t.Fatal(err)
		}
		if s.HeldOutRows() != len(want) {
			t.Fatalf("chunk %d: %d held-out rows, want %d", chunk, s.HeldOutRows(), len(want))
		}
		var got []string
		err = s.HeldOut(func(tab *Table) error {
			for i := range tab.Rows() {
				var row []string
				for _, c := range append(tab.Features, tab.Targets...) {
					row = append(row, c.Text(i))
				}
				got = append(got, strings.Join(row, ","))
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		sub := all.Subset(want)
		for i := range sub.Rows() {
			var row []string
			for _, c := range append(sub.Features, sub.Targets...) {
				row = append(row, c.Text(i))
			}
			if w := strings.Join(row, ","); got[i] != w {
				t.Fatalf("chunk %d, held-out row %d: %q, want %q", chunk, i, got[i], w)
			}
		}
	}
}

// TestStreamPreprocessorMatchesFit checks the streaming statistics
// against FitPreprocessor on the same training rows, for each imputation.
func TestStreamPreprocessorMatchesFit(t *testing.T) {
	data := streamCSV(2000, 3, false)
	rd := NewCSVReader(bytes.NewReader(data))
	rd.Targets = []string{"y"}
	tab, err := rd.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	s, err := NewCSVStream(openBytes(data), StreamSettings{Targets: []string{"y"}})
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range []Imputation{ImputeMean, ImputeMedian, ImputeMostFrequent} {
		want, err := FitPreprocessor(tab, PreprocessSettings{Impute: m})
		if err != nil {
			t.Fatal(err)
		}
		got, err := s.Preprocessor(PreprocessSettings{Impute: m})
		if err != nil {
			t.Fatalf("%v: %v", m, err)
		}
		gc, wc := got.Columns(), want.Columns()
		if len(gc) != len(wc) {
			t.Fatalf("%v: %d columns, want %d", m, len(gc), len(wc))
		}
		for k := range wc {
			g, w := gc[k], wc[k]
			if g.Name != w.Name || g.Kind != w.Kind || !slices.Equal(g.Categories, w.Categories) {
				t.Errorf("%v column %d: %+v, want %+v", m, k, g, w)
			}
			if !closeTo(g.Mean, w.Mean, 1e-13) || !closeTo(g.Std, w.Std, 1e-13) {
				t.Errorf("%v column %s: mean %v std %v, want %v %v (relative 1e-13)", m, w.Name, g.Mean, g.Std, w.Mean, w.Std)
			}
			if g.Fill != w.Fill {
				gf, _ := parseNumber(g.Fill)
				wf, _ := parseNumber(w.Fill)
				if g.Kind == Categorical || !closeTo(gf, wf, 1e-13) {
					t.Errorf("%v column %s: fill %q, want %q", m, w.Name, g.Fill, w.Fill)
				}
			}
		}
	}
}

func closeTo(a, b, rel float64) bool {
	return math.Abs(a-b) <= rel*max(math.Abs(a), math.Abs(b), 1e-300)
}

// TestStreamExactMedian checks the median taken by extra passes (radix
// selection) of columns with more distinct values than the count keeps
// against FitPreprocessor's, for odd and even counts, with ties, negative
// numbers and -0, gathering at once and after counting passes; and that
// the most frequent value of such a column is refused.
func TestStreamExactMedian(t *testing.T) {
	for _, rows := range []int{2001, 2000} {
		rng := rand.New(rand.NewPCG(uint64(rows), 1))
		var b strings.Builder
		b.WriteString("x,z,y\n")
		for i := range rows {
			x := fmt.Sprintf("%.3f", rng.NormFloat64()*100)
			switch rng.IntN(10) {
			case 0:
				x = ""
			case 1:
				x = "-0"
			case 2:
				x = "17.5"
			}
			fmt.Fprintf(&b, "%s,%d,%d.5\n", x, rng.IntN(1000)-500, i)
		}
		data := []byte(b.String())
		rd := NewCSVReader(bytes.NewReader(data))
		rd.Targets = []string{"y"}
		tab, err := rd.ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		want, err := FitPreprocessor(tab, PreprocessSettings{Impute: ImputeMedian})
		if err != nil {
			t.Fatal(err)
		}
		s, err := NewCSVStream(openBytes(data), StreamSettings{Targets: []string{"y"}, Limits: Limits{MaxCategories: 10}})
		if err != nil {
			t.Fatal(err)
		}
		for _, collect := range []int{1 << 20, 16} {
			defer func(old int) { maxCollect = old }(maxCollect)
			maxCollect = collect
			got, err := s.Preprocessor(PreprocessSettings{Impute: ImputeMedian})
			if err != nil {
				t.Fatal(err)
			}
			for k, w := range want.Columns() {
				// -0 and 0 are one median (the sort that picks it does
				// not order them).
				g := got.Columns()[k]
				gf, _ := parseNumber(g.Fill)
				wf, _ := parseNumber(w.Fill)
				if gf != wf {
					t.Errorf("%d rows, gathering at most %d: column %s: median %s, want %s", rows, collect, w.Name, g.Fill, w.Fill)
				}
			}
		}
		_, err = s.Preprocessor(PreprocessSettings{Impute: ImputeMostFrequent})
		testkit.ErrorContains(t, err, mlp.ErrSetting, `column "x"`, "impute with the mean or the median")
	}
}

// TestStreamSameModelAnyChunk checks that the model file does not depend
// on the chunk size, and that the seed of the buffer matters.
func TestStreamSameModelAnyChunk(t *testing.T) {
	data := streamCSV(700, 4, true)
	fit := func(chunk int, seed uint64) []byte {
		s, err := NewCSVStream(openBytes(data), StreamSettings{Targets: []string{"y"}, ValidationFraction: 0.2, Seed: 5,
			ChunkRows: chunk, ShuffleBuffer: 64, ScoreHeldOut: true})
		if err != nil {
			t.Fatal(err)
		}
		f, err := MLPClassifier{HiddenLayerSizes: []int{8}, MaxIter: 3, Seed: seed}.FitStream(context.Background(), s)
		if err != nil {
			t.Fatal(err)
		}
		if len(f.History().Epochs) != 3 || len(f.History().Epochs[0].ValMetrics) != 1 {
			t.Fatalf("history %+v, want 3 epochs with a validation score", f.History())
		}
		return savedBytes(t, f)
	}
	a, b := fit(1, 1), fit(97, 1)
	if !bytes.Equal(a, b) {
		t.Errorf("chunks of 1 and of 97 rows give different model files")
	}
	if bytes.Equal(a, fit(97, 2)) {
		t.Errorf("seeds 1 and 2 give the same model file")
	}
}

// TestStreamMatchesInMemory checks that, in file order and without a
// hold-out, the stream trains the model Fit trains on the table of the
// file, to rounding: the preprocessing statistics differ in the last bits
// only (Welford against two passes).
func TestStreamMatchesInMemory(t *testing.T) {
	for _, classify := range []bool{true, false} {
		data := streamCSV(600, 5, classify)
		rd := NewCSVReader(bytes.NewReader(data))
		rd.Targets = []string{"y"}
		tab, err := rd.ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		s, err := NewCSVStream(openBytes(data), StreamSettings{Targets: []string{"y"}, ChunkRows: 50})
		if err != nil {
			t.Fatal(err)
		}
		set := MLPSettings{HiddenLayerSizes: []int{6}, MaxIter: 5, NoShuffle: true, Seed: 3}
		var got, want *FittedMLP
		if classify {
			want, err = MLPClassifier(set).Fit(context.Background(), tab)
			if err == nil {
				got, err = MLPClassifier(set).FitStream(context.Background(), s)
			}
		} else {
			want, err = MLPRegressor(set).Fit(context.Background(), tab)
			if err == nil {
				got, err = MLPRegressor(set).FitStream(context.Background(), s)
			}
		}
		if err != nil {
			t.Fatal(err)
		}
		gw, ww := got.Weights(), want.Weights()
		for l := range ww.Coefs {
			d := mat64MaxDiff(gw.Coefs[l].RawMatrix().Data, ww.Coefs[l].RawMatrix().Data)
			if d > 1e-9 {
				t.Errorf("classify=%v layer %d: weights differ by %g, want at most 1e-9", classify, l, d)
			}
		}
		if !slices.Equal(got.Classes(), want.Classes()) {
			t.Errorf("classes %q, want %q", got.Classes(), want.Classes())
		}
		hg, hw := got.History(), want.History()
		for e := range hw.Epochs {
			if !closeTo(hg.Epochs[e].Loss, hw.Epochs[e].Loss, 1e-10) {
				t.Errorf("classify=%v epoch %d: loss %v, want %v", classify, e, hg.Epochs[e].Loss, hw.Epochs[e].Loss)
			}
		}
	}
}

func mat64MaxDiff(a, b []float64) float64 {
	d := 0.0
	for i := range a {
		d = max(d, math.Abs(a[i]-b[i]))
	}
	return d
}

// TestStreamShuffleBuffer checks the buffer's order: file order with one
// slot; with B slots the row given k-th (0-based) is among the first k+B
// rows; every row once; a buffer as large as the data mixes them all.
func TestStreamShuffleBuffer(t *testing.T) {
	const n = 500
	var b strings.Builder
	b.WriteString("i,y\n")
	for i := range n {
		fmt.Fprintf(&b, "%d,%d.5\n", i, i)
	}
	data := []byte(b.String())
	order := func(buffer int) []int {
		s, err := NewCSVStream(openBytes(data), StreamSettings{Targets: []string{"y"}, ShuffleBuffer: buffer, ChunkRows: 33})
		if err != nil {
			t.Fatal(err)
		}
		prep, _ := s.Preprocessor(PreprocessSettings{})
		ts, _ := s.targetScaler()
		src, err := s.newSource(false, prep, nil, ts, 16, true, 1)
		if err != nil {
			t.Fatal(err)
		}
		defer src.Close()
		var got []int
		for src.Next() {
			y := src.Batch().Y.Values
			r, _ := y.Dims()
			for i := range r {
				got = append(got, int(math.Round(y.At(i, 0)*ts.Std[0]+ts.Mean[0]-0.5)))
			}
		}
		if src.Err() != nil {
			t.Fatal(src.Err())
		}
		return got
	}
	for _, buffer := range []int{1, 10, 100, n} {
		got := order(buffer)
		if len(got) != n {
			t.Fatalf("buffer %d: %d rows, want %d", buffer, len(got), n)
		}
		sorted := slices.Sorted(slices.Values(got))
		for i, r := range sorted {
			if r != i {
				t.Fatalf("buffer %d: rows %v are not each row once", buffer, got)
			}
		}
		far, moved := 0, 0
		for k, r := range got {
			if r >= k+buffer {
				t.Fatalf("buffer %d: row %d given at %d, beyond the buffer", buffer, r, k)
			}
			far = max(far, k-r)
			if r != k {
				moved++
			}
		}
		switch {
		case buffer == 1 && moved != 0:
			t.Errorf("buffer 1 moved %d rows; want file order", moved)
		case buffer == n && moved < n*9/10:
			t.Errorf("buffer %d moved only %d of %d rows", buffer, moved, n)
		}
	}
}

// TestStreamErrors checks the errors of bad settings and of a file that
// changes between passes.
func TestStreamErrors(t *testing.T) {
	data := streamCSV(200, 6, true)
	_, err := NewCSVStream(openBytes(data), StreamSettings{Targets: []string{"y"}, ValidationFraction: 1})
	testkit.ErrorContains(t, err, mlp.ErrSetting, "ValidationFraction")
	_, err = NewCSVStream(openBytes(data), StreamSettings{Targets: []string{"nope"}})
	testkit.ErrorContains(t, err, ErrNoColumn, `"nope"`)
	_, err = NewCSVStream(openBytes([]byte("a,y\n1,0\n2\n")), StreamSettings{Targets: []string{"y"}})
	testkit.ErrorContains(t, err, ErrRagged, "line 3")
	_, err = NewCSVStream(openBytes(data), StreamSettings{Targets: []string{"y"}, Limits: Limits{MaxBytes: 100}})
	testkit.ErrorContains(t, err, ErrLimit, "MaxBytes = 100")

	calls := 0
	open := func() (io.ReadCloser, error) {
		calls++
		if calls > 1 {
			cut := bytes.LastIndexByte(data[:len(data)-40], '\n') + 1
			return io.NopCloser(bytes.NewReader(data[:cut])), nil
		}
		return io.NopCloser(bytes.NewReader(data)), nil
	}
	s, err := NewCSVStream(open, StreamSettings{Targets: []string{"y"}})
	if err != nil {
		t.Fatal(err)
	}
	_, err = MLPClassifier{HiddenLayerSizes: []int{4}, MaxIter: 2}.FitStream(context.Background(), s)
	testkit.ErrorContains(t, err, mlp.ErrData, "changed between passes")

	s, err = NewCSVStream(openBytes(data), StreamSettings{Targets: []string{"y"}})
	if err != nil {
		t.Fatal(err)
	}
	_, err = MLPClassifier{EarlyStopping: true}.FitStream(context.Background(), s)
	testkit.ErrorContains(t, err, mlp.ErrSetting, "EarlyStopping")
	_, err = MLPRegressor{}.FitStream(context.Background(), s)
	testkit.ErrorContains(t, err, mlp.ErrData, "classification")
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err = MLPClassifier{MaxIter: 2}.FitStream(ctx, s)
	if !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled fit: %v, want context.Canceled", err)
	}
}

// TestStreamAgreesWithReaderOnPandasVectors reads the 1,500 generated CSV
// texts of testdata/pandas (numbers in many spellings, missing markers,
// booleans, big integers, quoted fields) as a stream and as a Table: the
// same error at the same line and column, or the same column kinds and
// categories and, through the stream's chunks, the same cells.
func TestStreamAgreesWithReaderOnPandasVectors(t *testing.T) {
	data, err := os.ReadFile("testdata/pandas/csv_kinds.json")
	if err != nil {
		t.Fatal(err)
	}
	var vec struct {
		Cases []struct {
			CSV string `json:"csv"`
		} `json:"cases"`
	}
	if err := json.Unmarshal(data, &vec); err != nil {
		t.Fatal(err)
	}
	compared := 0
	for n, tc := range vec.Cases {
		want, werr := NewCSVReader(strings.NewReader(tc.CSV)).ReadAll()
		s, gerr := NewCSVStream(openBytes([]byte(tc.CSV)), StreamSettings{ChunkRows: 3})
		if werr != nil || gerr != nil {
			var wp, gp *ParseError
			if !errors.As(werr, &wp) || !errors.As(gerr, &gp) || wp.Line != gp.Line || wp.Column != gp.Column || wp.Err.Error() != gp.Err.Error() {
				t.Errorf("case %d %q: stream error %v, ReadAll error %v", n, tc.CSV, gerr, werr)
			}
			continue
		}
		got := s.shell()
		var rows [][]float64
		err := s.rows(false, nil, func(tab *Table) error {
			for i := range tab.Rows() {
				var row []float64
				for _, c := range tab.Features {
					row = append(row, c.Values[i])
				}
				rows = append(rows, row)
			}
			return nil
		})
		if err != nil {
			t.Errorf("case %d %q: %v", n, tc.CSV, err)
			continue
		}
		if len(rows) != want.Rows() || len(got.Features) != len(want.Features) {
			t.Errorf("case %d %q: %d rows, %d columns; ReadAll %d, %d", n, tc.CSV, len(rows), len(got.Features), want.Rows(), len(want.Features))
			continue
		}
		for j, wc := range want.Features {
			gc := got.Features[j]
			if gc.Kind != wc.Kind || !slices.Equal(gc.Categories, wc.Categories) {
				t.Errorf("case %d %q: column %d is %v %q; ReadAll %v %q", n, tc.CSV, j, gc.Kind, gc.Categories, wc.Kind, wc.Categories)
				continue
			}
			for i, w := range wc.Values {
				if g := rows[i][j]; g != w && !(math.IsNaN(g) && math.IsNaN(w)) {
					t.Errorf("case %d %q: row %d column %d is %v; ReadAll %v", n, tc.CSV, i, j, g, w)
				}
			}
		}
		compared++
	}
	if compared < 1000 {
		t.Errorf("compared %d cases; want at least 1000", compared)
	}
}

// TestStreamHeldOutUnseenClass checks that held-out rows of a class no
// training row has are left out of the per-epoch scores rather than
// ending the fit.
func TestStreamHeldOutUnseenClass(t *testing.T) {
	var b strings.Builder
	b.WriteString("x,y\n")
	for i := range 400 {
		fmt.Fprintf(&b, "%d,%c\n", i%7, "ab"[i%2])
	}
	b.WriteString("3,c\n") // record 401
	seed := uint64(0)
	for !heldOut(seed, 401, 0.2) {
		seed++
	}
	s, err := NewCSVStream(openBytes([]byte(b.String())), StreamSettings{Targets: []string{"y"}, ValidationFraction: 0.2, Seed: seed, ScoreHeldOut: true})
	if err != nil {
		t.Fatal(err)
	}
	f, err := MLPClassifier{HiddenLayerSizes: []int{4}, MaxIter: 2}.FitStream(context.Background(), s)
	if err != nil {
		t.Fatal(err)
	}
	if got := f.Classes(); !slices.Equal(got, []string{"a", "b"}) {
		t.Errorf("classes %q, want the training rows' a and b", got)
	}
	if v := f.History().Epochs[1].ValMetrics[0]; !(v >= 0 && v <= 1) {
		t.Errorf("validation accuracy %v", v)
	}
}

// TestHeldOutFraction checks that the row-by-row hold-out holds out the
// fraction asked, over the rows of one seed and over the seeds of one row
// (10,000 draws each: a standard deviation of 0.004 at 0.2).
func TestHeldOutFraction(t *testing.T) {
	for _, frac := range []float64{0.2, 0.5} {
		byRow, bySeed := 0, 0
		for i := range 10000 {
			byRow += btoi(heldOut(42, i+1, frac))
			bySeed += btoi(heldOut(uint64(i), 201, frac))
		}
		for what, n := range map[string]int{"rows of seed 42": byRow, "seeds of record 201": bySeed} {
			if got := float64(n) / 10000; math.Abs(got-frac) > 0.02 {
				t.Errorf("fraction %v: %s held out %v", frac, what, got)
			}
		}
	}
}
