package tabular_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/mlpkit/mlp"
	"github.com/mlpkit/mlp/internal/allocs"
	"github.com/mlpkit/mlp/internal/datasets"
	"github.com/mlpkit/mlp/internal/testkit"
	"github.com/mlpkit/mlp/tabular"
	"gonum.org/v1/gonum/mat"
)

// embedded returns the bytes of an embedded data set.
func embedded(t testing.TB, name string) []byte {
	t.Helper()
	r, err := datasets.Open(name)
	if err != nil {
		t.Fatal(err)
	}
	b, err := io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// records returns the header and rows of csv text, as strings.
func records(t testing.TB, text []byte) ([]string, [][]string) {
	t.Helper()
	all, err := csv.NewReader(bytes.NewReader(text)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return all[0], all[1:]
}

// fitted is a pipeline trained on the training part of a table, with the
// validation part's rows as the file had them.
type fitted struct {
	p       *tabular.Pipeline
	val     *tabular.Table
	header  []string
	valRows [][]string
	valY    []int // class indices of the validation rows
}

// fitClassifier reads the embedded data set name with target and na,
// splits it 80/20 with seed 9, fits a Preprocessor and a 16-unit ReLU net
// with Adam for epochs on the training part and returns the pipeline.
func fitClassifier(t testing.TB, name, target string, na []string, epochs int) fitted {
	t.Helper()
	text := embedded(t, name)
	r := tabular.NewCSVReader(bytes.NewReader(text))
	r.Targets = []string{target}
	r.NA = na
	tab, err := r.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if tab.Dropped != 0 {
		t.Fatalf("%d rows dropped", tab.Dropped)
	}
	header, rows := records(t, text)
	n := tab.Rows()
	perm := rand.New(rand.NewPCG(9, 1)).Perm(n)
	cut := n * 8 / 10
	train, val := tab.Subset(perm[:cut]), tab.Subset(perm[cut:])
	enc, err := tabular.FitLabelEncoder(&tab.Targets[0])
	if err != nil {
		t.Fatal(err)
	}
	pre, err := tabular.FitPreprocessor(train, tabular.PreprocessSettings{})
	if err != nil {
		t.Fatal(err)
	}
	x, err := pre.Transform(train)
	if err != nil {
		t.Fatal(err)
	}
	y, err := enc.Transform(&train.Targets[0])
	if err != nil {
		t.Fatal(err)
	}
	src := rand.NewPCG(9, 2)
	net, err := mlp.NewSequential(mlp.NewLinear(pre.Width(), 16, src), &mlp.ReLU{},
		mlp.NewLinear(16, len(enc.Classes), src), &mlp.Softmax{})
	if err != nil {
		t.Fatal(err)
	}
	d, err := mlp.NewDataset(x, mlp.Targets{Labels: y})
	if err != nil {
		t.Fatal(err)
	}
	loader, err := mlp.NewDataLoader(d, mlp.LoaderSettings{BatchSize: 16, Shuffle: true, Src: rand.NewPCG(9, 3)})
	if err != nil {
		t.Fatal(err)
	}
	opt, err := mlp.NewAdam(net.Params(), mlp.AdamSettings{LR: 0.01})
	if err != nil {
		t.Fatal(err)
	}
	tr, err := mlp.NewTrainer(net, &mlp.CrossEntropy{}, opt, mlp.TrainerSettings{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tr.Fit(context.Background(), loader, nil, epochs); err != nil {
		t.Fatal(err)
	}
	p, err := tabular.NewPipeline(pre, net, tabular.PipelineTargets{Names: []string{target}, Classes: enc.Classes})
	if err != nil {
		t.Fatal(err)
	}
	f := fitted{p: p, val: val, header: header}
	for _, i := range perm[cut:] {
		f.valRows = append(f.valRows, rows[i])
	}
	if f.valY, err = enc.Transform(&val.Targets[0]); err != nil {
		t.Fatal(err)
	}
	return f
}

// accuracy returns the share of pred's classes equal to want.
func accuracy(pred *tabular.Prediction, want []int) float64 {
	hits := 0
	for i, c := range pred.Classes {
		if c == want[i] {
			hits++
		}
	}
	return float64(hits) / float64(len(want))
}

// samePrediction reports an error unless a and b are equal bit for bit.
func samePrediction(t *testing.T, what string, a, b *tabular.Prediction) {
	t.Helper()
	if !slices.Equal(a.Labels, b.Labels) || !slices.Equal(a.Classes, b.Classes) {
		t.Errorf("%s: labels differ:\n%q\n%q", what, a.Labels, b.Labels)
	}
	for _, m := range [][2]*mat.Dense{{a.Proba, b.Proba}, {a.Values, b.Values}} {
		if (m[0] == nil) != (m[1] == nil) {
			t.Fatalf("%s: one prediction has a matrix the other has not", what)
		}
		if m[0] != nil && bitsOf(m[0]) != bitsOf(m[1]) {
			t.Errorf("%s: the numbers differ in their bits", what)
		}
	}
}

// bitsOf returns the IEEE-754 bits of every element of m, one row a line.
func bitsOf(m *mat.Dense) string {
	var b strings.Builder
	r, c := m.Dims()
	for i := range r {
		for j := range c {
			fmt.Fprintf(&b, "%016x ", math.Float64bits(m.At(i, j)))
		}
		b.WriteByte('\n')
	}
	return b.String()
}

// checkRoundTrip predicts f's validation table, checks its accuracy
// against least, saves and loads the pipeline, and checks that the loaded
// one predicts the raw validation rows with the same bits. It returns the
// loaded pipeline and the prediction.
func checkRoundTrip(t *testing.T, f fitted, least float64) (*tabular.Pipeline, *tabular.Prediction) {
	t.Helper()
	fromTable, err := f.p.Predict(f.val)
	if err != nil {
		t.Fatal(err)
	}
	acc := accuracy(fromTable, f.valY)
	t.Logf("validation accuracy %.4f", acc)
	if acc < least {
		t.Errorf("validation accuracy %.4f, want at least %v", acc, least)
	}
	var buf bytes.Buffer
	if err := f.p.Save(&buf); err != nil {
		t.Fatal(err)
	}
	q, err := tabular.LoadPipeline(&buf)
	if err != nil {
		t.Fatal(err)
	}
	fromRecords, err := q.PredictRecords(f.header, f.valRows)
	if err != nil {
		t.Fatal(err)
	}
	samePrediction(t, "records after load vs table before save", fromTable, fromRecords)
	return q, fromTable
}

// TestPipelineWine trains on wine's CSV, saves the pipeline, loads it and
// predicts the validation rows from their raw text, from maps and from a
// Table: the same bits every way, and accurate.
func TestPipelineWine(t *testing.T) {
	f := fitClassifier(t, "wine.csv", "target", nil, 60)
	if got := f.p.Classes(); !slices.Equal(got, []string{"0", "1", "2"}) || f.p.Task() != tabular.Classification {
		t.Fatalf("classes %q, task %v", got, f.p.Task())
	}
	q, fromTable := checkRoundTrip(t, f, 0.94)

	// Columns in another order, the target left out: the same predictions.
	order := rand.New(rand.NewPCG(1, 1)).Perm(len(f.header))
	var header []string
	for _, k := range order {
		if f.header[k] != "target" {
			header = append(header, f.header[k])
		}
	}
	maps := make([]map[string]any, len(f.valRows))
	var rows [][]string
	for i, row := range f.valRows {
		maps[i] = map[string]any{}
		var rec []string
		for _, name := range header {
			cell := row[slices.Index(f.header, name)]
			rec = append(rec, cell)
			v, err := strconv.ParseFloat(cell, 64)
			if err != nil {
				t.Fatal(err)
			}
			maps[i][name] = v
		}
		rows = append(rows, rec)
	}
	shuffled, err := q.PredictRecords(header, rows)
	if err != nil {
		t.Fatal(err)
	}
	samePrediction(t, "shuffled columns", fromTable, shuffled)
	fromMaps, err := q.PredictMaps(maps)
	if err != nil {
		t.Fatal(err)
	}
	samePrediction(t, "maps", fromTable, fromMaps)
}

// TestPipelinePenguins trains on a table with text labels, categorical
// columns and missing cells, and checks the round trip and the accuracy.
func TestPipelinePenguins(t *testing.T) {
	f := fitClassifier(t, "penguins.csv", "species", []string{"?"}, 60)
	if got := f.p.Classes(); !slices.Equal(got, []string{"Adelie", "Chinstrap", "Gentoo"}) {
		t.Fatalf("classes %q", got)
	}
	cols := f.p.Columns()
	if cols[0].Name != "island" || cols[0].Kind != tabular.Categorical || !slices.Equal(cols[0].Categories, []string{"Biscoe", "Dream", "Torgersen"}) {
		t.Errorf("column 0: %+v", cols[0])
	}
	checkRoundTrip(t, f, 0.9)
}

// TestPipelineAnotherProcess saves a wine pipeline, loads it in another
// process (this test binary, run as a helper) and compares the helper's
// predictions from the raw CSV rows with this process's, bit for bit.
func TestPipelineAnotherProcess(t *testing.T) {
	if testing.Short() {
		t.Skip("runs a subprocess")
	}
	f := fitClassifier(t, "wine.csv", "target", nil, 30)
	dir := t.TempDir()
	model := filepath.Join(dir, "wine.mlp")
	var buf bytes.Buffer
	if err := f.p.Save(&buf); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(model, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	data := filepath.Join(dir, "rows.csv")
	var text bytes.Buffer
	w := csv.NewWriter(&text)
	w.Write(f.header)
	w.WriteAll(f.valRows)
	if err := os.WriteFile(data, text.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestPipelineHelperProcess$")
	cmd.Env = append(os.Environ(), "MLP_PIPELINE_HELPER=1", "MLP_PIPELINE_MODEL="+model, "MLP_PIPELINE_DATA="+data)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("helper: %v\n%s", err, out)
	}
	want, err := f.p.PredictRecords(f.header, f.valRows)
	if err != nil {
		t.Fatal(err)
	}
	got := string(out)
	if i := strings.Index(got, "BEGIN\n"); i >= 0 {
		got = got[i+len("BEGIN\n"):]
	}
	if j := strings.Index(got, "END\n"); j >= 0 {
		got = got[:j]
	}
	if exp := strings.Join(want.Labels, " ") + "\n" + bitsOf(want.Proba); got != exp {
		t.Errorf("the other process predicts\n%s\nthis one\n%s", got, exp)
	}
}

// TestPipelineHelperProcess is the other process of
// TestPipelineAnotherProcess; it does nothing in a normal test run.
func TestPipelineHelperProcess(t *testing.T) {
	if os.Getenv("MLP_PIPELINE_HELPER") != "1" {
		return
	}
	f, err := os.Open(os.Getenv("MLP_PIPELINE_MODEL"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	p, err := tabular.LoadPipeline(f)
	if err != nil {
		t.Fatal(err)
	}
	text, err := os.ReadFile(os.Getenv("MLP_PIPELINE_DATA"))
	if err != nil {
		t.Fatal(err)
	}
	header, rows := records(t, text)
	pred, err := p.PredictRecords(header, rows)
	if err != nil {
		t.Fatal(err)
	}
	fmt.Printf("BEGIN\n%s\n%sEND\n", strings.Join(pred.Labels, " "), bitsOf(pred.Proba))
}

// tinyTable is a small table with a categorical column, missing cells and
// text labels.
const tinyTable = "size,color,weight,label\n" +
	"1,red,10,a\n" +
	"2,blue,,b\n" +
	"NA,red,30,a\n" +
	"4,green,40,c\n" +
	"5,red,?,b\n"

// tinyPipeline returns a pipeline over tinyTable with a seeded, untrained
// 2-layer net.
func tinyPipeline(t testing.TB) (*tabular.Pipeline, *tabular.Table) {
	t.Helper()
	tab, err := readTable(tinyTable, func(r *tabular.CSVReader) { r.Targets = []string{"label"}; r.NA = []string{"?"} })
	if err != nil {
		t.Fatal(err)
	}
	pre, err := tabular.FitPreprocessor(tab, tabular.PreprocessSettings{Impute: tabular.ImputeMedian})
	if err != nil {
		t.Fatal(err)
	}
	src := rand.NewPCG(3, 4)
	net, err := mlp.NewSequential(mlp.NewLinear(pre.Width(), 4, src), &mlp.Tanh{}, mlp.NewLinear(4, 3, src), &mlp.Softmax{})
	if err != nil {
		t.Fatal(err)
	}
	p, err := tabular.NewPipeline(pre, net, tabular.PipelineTargets{Names: []string{"label"}, Classes: []string{"a", "b", "c"}})
	if err != nil {
		t.Fatal(err)
	}
	return p, tab
}

// TestPreprocessor checks imputation, one-hot encoding, scaling and the
// unseen-category rule with exact numbers.
func TestPreprocessor(t *testing.T) {
	tab, err := readTable(tinyTable, func(r *tabular.CSVReader) { r.Targets = []string{"label"}; r.NA = []string{"?"} })
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		impute     tabular.Imputation
		size, wt   string // the fill texts
		sizeFilled []float64
	}{
		// size: 1, 2, 4, 5 known; weight: 10, 30, 40 known.
		{tabular.ImputeMean, "3", "26.666666666666668", []float64{1, 2, 3, 4, 5}},
		{tabular.ImputeMedian, "3", "30", []float64{1, 2, 3, 4, 5}},
		{tabular.ImputeMostFrequent, "1", "10", []float64{1, 2, 1, 4, 5}},
	} {
		t.Run(tc.impute.String(), func(t *testing.T) {
			pre, err := tabular.FitPreprocessor(tab, tabular.PreprocessSettings{Impute: tc.impute})
			if err != nil {
				t.Fatal(err)
			}
			cols := pre.Columns()
			if cols[0].Fill != tc.size || cols[2].Fill != tc.wt || cols[1].Fill != "red" {
				t.Errorf("fills %q %q %q, want %q red %q", cols[0].Fill, cols[1].Fill, cols[2].Fill, tc.size, tc.wt)
			}
			if got := pre.OutputNames(); !slices.Equal(got, []string{"size", "color=blue", "color=green", "color=red", "weight"}) {
				t.Errorf("output names %q", got)
			}
			x, err := pre.Transform(tab)
			if err != nil {
				t.Fatal(err)
			}
			// The size column, standardized with the filled values' mean and
			// population std.
			var mean, ss float64
			for _, v := range tc.sizeFilled {
				mean += v / 5
			}
			for _, v := range tc.sizeFilled {
				ss += (v - mean) * (v - mean)
			}
			std := math.Sqrt(ss / 5)
			for i, v := range tc.sizeFilled {
				if got, want := x.At(i, 0), (v-mean)/std; math.Abs(got-want) > 1e-15 {
					t.Errorf("row %d size %v, want %v", i, got, want)
				}
			}
			if got := mat.Row(nil, 3, x)[1:4]; !slices.Equal(got, []float64{0, 1, 0}) {
				t.Errorf("row 3 color one-hot %v, want [0 1 0] (green)", got)
			}
		})
	}
	// A category not seen in training gives all zeros.
	pre, err := tabular.FitPreprocessor(tab.Subset([]int{0, 1, 2}), tabular.PreprocessSettings{})
	if err != nil {
		t.Fatal(err)
	}
	if got := pre.Columns()[1].Categories; !slices.Equal(got, []string{"blue", "red"}) {
		t.Errorf("categories learnt from rows 0-2: %q, want [blue red]", got)
	}
	x, err := pre.Transform(tab)
	if err != nil {
		t.Fatal(err)
	}
	if got := mat.Row(nil, 3, x)[1:3]; !slices.Equal(got, []float64{0, 0}) {
		t.Errorf("unseen green one-hot %v, want [0 0]", got)
	}
}

// TestPipelineUnseenCategory: an unseen category predicts as a row whose
// one-hot block is all zeros, and a missing one as the most frequent.
func TestPipelineUnseenCategory(t *testing.T) {
	p, _ := tinyPipeline(t)
	header := []string{"size", "color", "weight"}
	got, err := p.PredictRecords(header, [][]string{{"2", "purple", "20"}, {"2", "", "20"}, {"2", "red", "20"}})
	if err != nil {
		t.Fatal(err)
	}
	net, err := p.Net()
	if err != nil {
		t.Fatal(err)
	}
	// The net's input for size 2, weight 20, as the pipeline scales them.
	cols := p.Columns()
	s := (2 - cols[0].Mean) / cols[0].Std
	w := (20 - cols[2].Mean) / cols[2].Std
	want, err := net.Predict(mat.NewDense(1, 5, []float64{s, 0, 0, 0, w}))
	if err != nil {
		t.Fatal(err)
	}
	if mat.Row(nil, 0, got.Proba)[0] != want.At(0, 0) {
		t.Errorf("unseen category: %v, want the all-zeros row's %v", mat.Row(nil, 0, got.Proba), mat.Row(nil, 0, want))
	}
	if !slices.Equal(mat.Row(nil, 1, got.Proba), mat.Row(nil, 2, got.Proba)) {
		t.Errorf("missing color predicts %v, the most frequent (red) %v", mat.Row(nil, 1, got.Proba), mat.Row(nil, 2, got.Proba))
	}
}

// TestPipelineRegression checks the targets' inverse scaling and two
// outputs.
func TestPipelineRegression(t *testing.T) {
	tab, err := readTable("a,b,y1,y2\n1,x,10,-5\n2,y,20,-6\n3,x,40,-7\n", func(r *tabular.CSVReader) { r.Targets = []string{"y1", "y2"} })
	if err != nil {
		t.Fatal(err)
	}
	if tab.Task != tabular.Regression {
		t.Fatalf("two targets: task %v", tab.Task)
	}
	pre, err := tabular.FitPreprocessor(tab, tabular.PreprocessSettings{})
	if err != nil {
		t.Fatal(err)
	}
	y, err := tab.TargetValues()
	if err != nil {
		t.Fatal(err)
	}
	ys := mlp.FitStandardScaler(y)
	net, err := mlp.NewSequential(mlp.NewLinear(pre.Width(), 2, rand.NewPCG(1, 1)))
	if err != nil {
		t.Fatal(err)
	}
	p, err := tabular.NewPipeline(pre, net, tabular.PipelineTargets{Names: []string{"y1", "y2"}, Scaler: ys})
	if err != nil {
		t.Fatal(err)
	}
	got, err := p.Predict(tab)
	if err != nil {
		t.Fatal(err)
	}
	x, _ := pre.Transform(tab)
	raw, _ := net.Predict(x)
	for i := range 3 {
		for k := range 2 {
			if want := raw.At(i, k)*ys.Std[k] + ys.Mean[k]; got.Values.At(i, k) != want {
				t.Errorf("row %d output %d: %v, want %v", i, k, got.Values.At(i, k), want)
			}
		}
	}
	var buf bytes.Buffer
	if err := p.Save(&buf); err != nil {
		t.Fatal(err)
	}
	q, err := tabular.LoadPipeline(&buf)
	if err != nil {
		t.Fatal(err)
	}
	again, err := q.Predict(tab)
	if err != nil {
		t.Fatal(err)
	}
	samePrediction(t, "regression round trip", got, again)
	if !slices.Equal(q.Targets(), []string{"y1", "y2"}) || q.Task() != tabular.Regression || q.Classes() != nil {
		t.Errorf("loaded targets %q task %v classes %q", q.Targets(), q.Task(), q.Classes())
	}
}

// TestPipelinePredictErrors lists bad records and the error each gives.
func TestPipelinePredictErrors(t *testing.T) {
	p, tab := tinyPipeline(t)
	h := []string{"size", "color", "weight"}
	for _, tc := range []struct {
		name string
		call func() (*tabular.Prediction, error)
		msg  string
	}{
		{"missing column", func() (*tabular.Prediction, error) {
			return p.PredictRecords([]string{"size", "color"}, [][]string{{"1", "red"}})
		}, `no column "weight"; the header has "size", "color"`},
		{"repeated header", func() (*tabular.Prediction, error) {
			return p.PredictRecords([]string{"size", "color", "weight", "size"}, [][]string{{"1", "red", "2", "3"}})
		}, `header names column "size" twice`},
		{"short record", func() (*tabular.Prediction, error) { return p.PredictRecords(h, [][]string{{"1", "red", "2"}, {"1"}}) },
			"record 1 (0-based) has 1 fields, the header has 3"},
		{"text in a numeric column", func() (*tabular.Prediction, error) { return p.PredictRecords(h, [][]string{{"big", "red", "2"}}) },
			`record 0 (0-based), column "size": not a number: "big"`},
		{"1e309", func() (*tabular.Prediction, error) { return p.PredictRecords(h, [][]string{{"1e309", "red", "2"}}) },
			"beyond float64's range"},
		{"Inf", func() (*tabular.Prediction, error) { return p.PredictRecords(h, [][]string{{"-Inf", "red", "2"}}) },
			"not finite"},
		{"huge cell quoted short", func() (*tabular.Prediction, error) {
			return p.PredictRecords(h, [][]string{{strings.Repeat("x", 1<<20), "red", "2"}})
		}, `"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"… (1048576 bytes)`},
		{"no records", func() (*tabular.Prediction, error) { return p.PredictRecords(h, nil) }, "no records"},
		{"map without a column", func() (*tabular.Prediction, error) {
			return p.PredictMaps([]map[string]any{{"size": 1.0, "color": "red"}})
		}, `record 0 (0-based) has no column "weight"`},
		{"map value of another type", func() (*tabular.Prediction, error) {
			return p.PredictMaps([]map[string]any{{"size": true, "color": "red", "weight": 1.0}})
		}, `column "size": a value of type bool`},
		{"map Inf", func() (*tabular.Prediction, error) {
			return p.PredictMaps([]map[string]any{{"size": math.Inf(1), "color": "red", "weight": 1.0}})
		}, "not finite"},
		{"table without a column", func() (*tabular.Prediction, error) {
			sub := tab.Subset([]int{0})
			sub.Features = sub.Features[:2]
			return p.Predict(sub)
		}, `no column "weight"`},
		{"text where training had numbers", func() (*tabular.Prediction, error) {
			other, err := readTable("size,color,weight\nbig,red,1\n", nil)
			if err != nil {
				return nil, err
			}
			return p.Predict(other)
		}, `column "size" was numeric in training but holds text such as "big"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			pred, err := tc.call()
			if pred != nil {
				t.Error("a prediction with the error")
			}
			testkit.ErrorContains(t, err, mlp.ErrData, tc.msg)
			if len(err.Error()) > 300 {
				t.Errorf("message of %d bytes", len(err.Error()))
			}
		})
	}
	// Missing values, the target and unused columns are fine.
	got, err := p.PredictMaps([]map[string]any{{"size": nil, "color": nil, "weight": math.NaN(), "label": "a", "other": 3}})
	if err != nil || len(got.Labels) != 1 {
		t.Errorf("all missing: %v, %v", got, err)
	}
}

func TestNewPipelineErrors(t *testing.T) {
	tab, err := readTable(tinyTable, func(r *tabular.CSVReader) { r.NA = []string{"?"}; r.Ignore = []string{"label"} })
	if err != nil {
		t.Fatal(err)
	}
	pre, err := tabular.FitPreprocessor(tab, tabular.PreprocessSettings{})
	if err != nil {
		t.Fatal(err)
	}
	src := rand.NewPCG(1, 1)
	net3, _ := mlp.NewSequential(mlp.NewLinear(5, 3, src), &mlp.Softmax{})
	net1, _ := mlp.NewSequential(mlp.NewLinear(5, 1, src), &mlp.Sigmoid{})
	wide, _ := mlp.NewSequential(mlp.NewLinear(6, 3, src), &mlp.Softmax{})
	for _, tc := range []struct {
		name string
		pre  *tabular.Preprocessor
		net  *mlp.Sequential
		tg   tabular.PipelineTargets
		msg  string
	}{
		{"nil preprocessor", nil, net3, tabular.PipelineTargets{}, "nil"},
		{"nil net", pre, nil, tabular.PipelineTargets{}, "nil"},
		{"width", pre, wide, tabular.PipelineTargets{}, "the preprocessing gives 5 columns, the network takes 6"},
		{"class count", pre, net3, tabular.PipelineTargets{Classes: []string{"a", "b"}}, "2 class names for a network of 3 outputs"},
		{"repeated class", pre, net3, tabular.PipelineTargets{Classes: []string{"a", "b", "a"}}, `class name "a" appears twice`},
		{"one sigmoid output, three classes", pre, net1, tabular.PipelineTargets{Classes: []string{"a", "b", "c"}}, "want 2"},
		{"regression names", pre, net3, tabular.PipelineTargets{Names: []string{"y"}}, "1 target names for a network of 3 outputs"},
		{"scaler width", pre, net3, tabular.PipelineTargets{Scaler: &mlp.StandardScaler{Mean: []float64{0}, Std: []float64{1}}}, "1 means"},
		{"scaler std", pre, net1, tabular.PipelineTargets{Scaler: &mlp.StandardScaler{Mean: []float64{0}, Std: []float64{0}}}, "Std[0]"},
		{"scaler mean", pre, net1, tabular.PipelineTargets{Scaler: &mlp.StandardScaler{Mean: []float64{math.NaN()}, Std: []float64{1}}}, "Mean[0]"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, err := tabular.NewPipeline(tc.pre, tc.net, tc.tg)
			if p != nil {
				t.Error("a pipeline with the error")
			}
			testkit.ErrorContains(t, err, mlp.ErrSetting, tc.msg)
		})
	}
	// A one-output Sigmoid classifier: probabilities [1-p, p].
	p, err := tabular.NewPipeline(pre, net1, tabular.PipelineTargets{Classes: []string{"no", "yes"}})
	if err != nil {
		t.Fatal(err)
	}
	pred, err := p.Predict(tab)
	if err != nil {
		t.Fatal(err)
	}
	x, _ := pre.Transform(tab)
	raw, _ := net1.Predict(x)
	for i := range tab.Rows() {
		q := raw.At(i, 0)
		if pred.Proba.At(i, 0) != 1-q || pred.Proba.At(i, 1) != q || pred.Labels[i] != map[bool]string{false: "no", true: "yes"}[q > 0.5] {
			t.Errorf("row %d: %v %q for p=%v", i, mat.Row(nil, i, pred.Proba), pred.Labels[i], q)
		}
	}
}

// TestLoadPipelineVersion1 reads the root package's version-1 golden model
// file as a bare pipeline: columns x0.., no preprocessing, classes "0"..,
// and the model's own predictions.
func TestLoadPipelineVersion1(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("..", "testdata", "model_v1.mlp"))
	if err != nil {
		t.Fatal(err)
	}
	p, err := tabular.LoadPipeline(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	m, err := mlp.Load(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	n := m.InputSize()
	cols := p.Columns()
	if len(cols) != n || cols[0].Name != "x0" || cols[n-1].Name != "x"+strconv.Itoa(n-1) || cols[0].Fill != "" || cols[0].Std != 1 {
		t.Errorf("columns %+v", cols)
	}
	t.Logf("version-1 golden: %v, task %v, classes %q", m, p.Task(), p.Classes())
	x := mat.NewDense(2, n, nil)
	header := make([]string, n)
	rows := [][]string{make([]string, n), make([]string, n)}
	for j := range n {
		header[j] = "x" + strconv.Itoa(j)
		for i := range 2 {
			v := float64(i*n+j)/10 - 0.3
			x.Set(i, j, v)
			rows[i][j] = strconv.FormatFloat(v, 'g', -1, 64)
		}
	}
	want, err := m.Predict(x)
	if err != nil {
		t.Fatal(err)
	}
	got, err := p.PredictRecords(header, rows)
	if err != nil {
		t.Fatal(err)
	}
	out := got.Values
	if p.Task() == tabular.Classification {
		out = got.Proba
		if k := len(p.Classes()); p.Classes()[k-1] != strconv.Itoa(k-1) {
			t.Errorf("classes %q", p.Classes())
		}
	}
	if bitsOf(out) != bitsOf(want) && !(p.Task() == tabular.Classification && m.OutputSize() == 1) {
		t.Errorf("bare pipeline predicts\n%v\nthe model\n%v", mat.Formatted(out), mat.Formatted(want))
	}
	if _, err := p.PredictRecords(header, [][]string{append([]string{""}, rows[0][1:]...)}); !errors.Is(err, mlp.ErrData) || !strings.Contains(err.Error(), "no imputation") {
		t.Errorf("missing cell in a bare pipeline: %v", err)
	}
}

// goldenPipelineFile is a version-2 file: tinyPipeline saved.
const goldenPipelineFile = "testdata/pipeline_v2.mlp"

// TestPipelineGolden checks that Save writes the golden version-2 file byte
// for byte (go test -run TestPipelineGolden -update rewrites it), that
// LoadPipeline reads it back with the same predictions, and that Load
// refuses it naming LoadPipeline.
func TestPipelineGolden(t *testing.T) {
	p, tab := tinyPipeline(t)
	var buf bytes.Buffer
	if err := p.Save(&buf); err != nil {
		t.Fatal(err)
	}
	if f := flag.Lookup("update"); f != nil && f.Value.String() == "true" {
		if err := os.WriteFile(goldenPipelineFile, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	golden, err := os.ReadFile(goldenPipelineFile)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(buf.Bytes(), golden) {
		t.Fatalf("Save writes %d bytes that differ from %s (%d bytes)", buf.Len(), goldenPipelineFile, len(golden))
	}
	q, err := tabular.LoadPipeline(bytes.NewReader(golden))
	if err != nil {
		t.Fatal(err)
	}
	want, err := p.Predict(tab)
	if err != nil {
		t.Fatal(err)
	}
	got, err := q.Predict(tab)
	if err != nil {
		t.Fatal(err)
	}
	samePrediction(t, "golden", want, got)
	if !slices.Equal(got.Labels, want.Labels) || fmt.Sprint(q.Columns()) != fmt.Sprint(p.Columns()) {
		t.Errorf("loaded columns %v, want %v", q.Columns(), p.Columns())
	}
	_, err = mlp.Load(bytes.NewReader(golden))
	testkit.ErrorContains(t, err, mlp.ErrFormat, "version 2 is a pipeline file", "LoadPipeline")

	// Every truncation and every single-byte change is an error or, for a
	// change the checksum cannot see, never a panic.
	for n := range len(golden) {
		if q, err := tabular.LoadPipeline(bytes.NewReader(golden[:n])); q != nil || !errors.Is(err, mlp.ErrFormat) {
			t.Fatalf("truncated to %d bytes: %v", n, err)
		}
	}
	for i := range len(golden) - 4 {
		bad := slices.Clone(golden)
		bad[i] ^= 0x41
		if q, err := tabular.LoadPipeline(bytes.NewReader(bad)); q != nil || !errors.Is(err, mlp.ErrFormat) {
			t.Fatalf("byte %d changed: %v", i, err)
		}
	}
}

// TestPipelinePredictAllocation checks the documented allocation of
// prediction: about 8·(Width + 2·outputs + 3) bytes a record, plus the
// network's workspace and a constant.
func TestPipelinePredictAllocation(t *testing.T) {
	f := fitClassifier(t, "wine.csv", "target", nil, 1)
	var rows [][]string
	for len(rows) < 4096 {
		rows = append(rows, f.valRows...)
	}
	rows = rows[:4096]
	maps := make([]map[string]any, len(rows))
	for i, row := range rows {
		maps[i] = map[string]any{}
		for k, name := range f.header {
			maps[i][name] = row[k]
		}
	}
	net, err := f.p.Net()
	if err != nil {
		t.Fatal(err)
	}
	width, outs := len(f.p.Columns()), net.OutputSize()
	perRow := 8 * (width + 2*outs + 3)
	for _, tc := range []struct {
		name string
		call func() (*tabular.Prediction, error)
	}{
		{"records", func() (*tabular.Prediction, error) { return f.p.PredictRecords(f.header, rows) }},
		{"maps", func() (*tabular.Prediction, error) { return f.p.PredictMaps(maps) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var err error
			n := allocs.Bytes(func() { _, err = tc.call() })
			if err != nil {
				t.Fatal(err)
			}
			bound := uint64(perRow*len(rows) + 256<<10)
			t.Logf("%d records: %d bytes (%.1f a record; bound %d)", len(rows), n, float64(n)/float64(len(rows)), bound)
			if n > bound {
				t.Errorf("predicting %d records allocated %d bytes, more than %d", len(rows), n, bound)
			}
		})
	}
}

// TestPipelineConcurrentPredict predicts from one pipeline in several
// goroutines at once (run it with -race): each gets the lone call's bits.
func TestPipelineConcurrentPredict(t *testing.T) {
	p, tab := tinyPipeline(t)
	want, err := p.Predict(tab)
	if err != nil {
		t.Fatal(err)
	}
	header := []string{"weight", "color", "size"}
	rows := make([][]string, tab.Rows())
	for i := range rows {
		rows[i] = []string{tab.Features[2].Text(i), tab.Features[1].Text(i), tab.Features[0].Text(i)}
	}
	errs := make(chan error, 8)
	got := make([]*tabular.Prediction, 8)
	for g := range 8 {
		go func() {
			var err error
			if g%2 == 0 {
				got[g], err = p.Predict(tab)
			} else {
				got[g], err = p.PredictRecords(header, rows)
			}
			errs <- err
		}()
	}
	for range 8 {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	for g := range 8 {
		samePrediction(t, fmt.Sprint("goroutine ", g), want, got[g])
	}
}

// TestPipelineCategoryFromNumbers: a column read as categorical in training
// (named in Categorical) matches cells by their text when the table to
// predict on reads it as numbers, or a JSON number gives it.
func TestPipelineCategoryFromNumbers(t *testing.T) {
	tab, err := readTable("zip,y\n10001,a\n10002,b\n10001,a\n", func(r *tabular.CSVReader) {
		r.Targets = []string{"y"}
		r.Categorical = []string{"zip"}
	})
	if err != nil {
		t.Fatal(err)
	}
	pre, err := tabular.FitPreprocessor(tab, tabular.PreprocessSettings{})
	if err != nil {
		t.Fatal(err)
	}
	other, err := readTable("zip\n10002\n10001\n99999\n", nil)
	if err != nil {
		t.Fatal(err)
	}
	if other.Features[0].Kind != tabular.Numeric {
		t.Fatalf("zip read as %v without the setting", other.Features[0].Kind)
	}
	x, err := pre.Transform(other)
	if err != nil {
		t.Fatal(err)
	}
	if want := mat.NewDense(3, 2, []float64{0, 1, 1, 0, 0, 0}); !mat.Equal(x, want) {
		t.Errorf("one-hot of 10002, 10001, 99999:\n%v\nwant\n%v", mat.Formatted(x), mat.Formatted(want))
	}
	net, _ := mlp.NewSequential(mlp.NewLinear(2, 2, rand.NewPCG(1, 1)), &mlp.Softmax{})
	p, err := tabular.NewPipeline(pre, net, tabular.PipelineTargets{Classes: []string{"a", "b"}})
	if err != nil {
		t.Fatal(err)
	}
	a, err := p.Predict(other)
	if err != nil {
		t.Fatal(err)
	}
	b, err := p.PredictMaps([]map[string]any{{"zip": 10002.0}, {"zip": "10001"}, {"zip": 99999}})
	if err != nil {
		t.Fatal(err)
	}
	samePrediction(t, "numbers for categories", a, b)
}
