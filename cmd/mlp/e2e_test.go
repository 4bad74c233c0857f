package main

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/mlpkit/mlp/tabular"
)

// trained returns the path of a model trained by the command on a file of
// testdata, in a directory of t's, failing t unless training succeeds.
func trained(t testing.TB, data string, args ...string) (model string, r result) {
	t.Helper()
	model = filepath.Join(t.TempDir(), "model.mlp")
	args = append([]string{"train", "-data", filepath.Join("testdata", data)}, args...)
	r = runMLP(t, "", nil, append(args, "-o", model)...)
	if r.code != 0 {
		t.Fatalf("mlp %s: exit %d\n%s%s", strings.Join(args, " "), r.code, r.stdout, r.stderr)
	}
	return model, r
}

var (
	finalClassify = regexp.MustCompile(`(?m)\Afinal val_loss=(\d+\.\d{4}) val_accuracy=(\d\.\d{4})\z`)
	finalRegress  = regexp.MustCompile(`(?m)\Afinal val_loss=(\d+\.\d{4}) val_rmse=(\d+\.\d{4}) val_r2=(-?\d+\.\d{4})\z`)
)

// undated returns the bytes of the model file at path saved again
// without the date its provenance records.
func undated(t testing.TB, path string) []byte {
	t.Helper()
	p := loadModel(t, path)
	pv, ok := p.Provenance()
	if !ok {
		t.Fatalf("%s records no provenance", path)
	}
	pv.Created = time.Time{}
	var b bytes.Buffer
	if err := p.WithProvenance(pv).Save(&b); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// lastLine returns the last line of s.
func lastLine(s string) string {
	s = strings.TrimRight(s, "\n")
	return s[strings.LastIndexByte(s, '\n')+1:]
}

// floats parses the submatches of m as numbers.
func floats(t testing.TB, m []string) []float64 {
	t.Helper()
	var v []float64
	for _, s := range m[1:] {
		f, err := strconv.ParseFloat(s, 64)
		if err != nil {
			t.Fatal(err)
		}
		v = append(v, f)
	}
	return v
}

// loadModel reads a model file with the library.
func loadModel(t testing.TB, path string) *tabular.Pipeline {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	p, err := tabular.LoadPipeline(f)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// readCSV parses the CSV s into its header and records.
func readCSV(t testing.TB, s string) ([]string, [][]string) {
	t.Helper()
	recs, err := csv.NewReader(strings.NewReader(s)).ReadAll()
	if err != nil || len(recs) < 1 {
		t.Fatalf("output is not CSV (%v):\n%s", err, s)
	}
	return recs[0], recs[1:]
}

// libraryPredict predicts the rows of a testdata CSV with the library.
func libraryPredict(t testing.TB, p *tabular.Pipeline, data string) *tabular.Prediction {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", data))
	if err != nil {
		t.Fatal(err)
	}
	header, rows := readCSV(t, string(b))
	pred, err := p.PredictRecords(header, rows)
	if err != nil {
		t.Fatal(err)
	}
	return pred
}

func fmtFloat(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }

// TestClassifyEndToEnd trains a classifier through the command on a CSV
// with a text target, a categorical column, missing values and an ignored
// id, then checks eval, predict (same predictions as the library), inspect
// and that the same seed gives the same model.
func TestClassifyEndToEnd(t *testing.T) {
	args := []string{"-target", "species", "-ignore", "id", "-hidden", "16", "-epochs", "60", "-seed", "3", "-na", "NA"}
	model, r := trained(t, "iris.csv", args...)
	m := finalClassify.FindStringSubmatch(lastLine(r.stdout))
	if m == nil {
		t.Fatalf("last line %q", lastLine(r.stdout))
	}
	v := floats(t, m)
	t.Logf("%s", lastLine(r.stdout))
	if v[1] < 0.85 {
		t.Errorf("val_accuracy %.4f, want at least 0.85", v[1])
	}
	for _, name := range []string{"setosa", "versicolor", "virginica"} {
		if !strings.Contains(r.stdout, name) {
			t.Errorf("the report does not name class %s:\n%s", name, r.stdout)
		}
	}

	// The same seed gives the same file, but for the date it records.
	model2, _ := trained(t, "iris.csv", args...)
	if !bytes.Equal(undated(t, model), undated(t, model2)) {
		t.Error("two runs with the same seed wrote different models")
	}

	p := loadModel(t, model)
	want := libraryPredict(t, p, "iris.csv")
	r = runMLP(t, "", nil, "predict", "-model", model, "-data", "testdata/iris.csv", "-proba")
	if r.code != 0 {
		t.Fatalf("predict: exit %d: %s", r.code, r.stderr)
	}
	header, rows := readCSV(t, r.stdout)
	wantHeader := []string{"prediction"}
	for _, c := range p.Classes() {
		wantHeader = append(wantHeader, "p_"+c)
	}
	if strings.Join(header, ",") != strings.Join(wantHeader, ",") {
		t.Errorf("header %q, want %q", header, wantHeader)
	}
	if len(rows) != 150 {
		t.Fatalf("%d rows, want 150", len(rows))
	}
	for i, row := range rows {
		if row[0] != want.Labels[i] {
			t.Errorf("row %d: prediction %q, library %q", i, row[0], want.Labels[i])
		}
		for j := range p.Classes() {
			if w := fmtFloat(want.Proba.At(i, j)); row[1+j] != w {
				t.Errorf("row %d: %s=%s, library %s", i, header[1+j], row[1+j], w)
			}
		}
	}

	// eval on the whole file, against the library's predictions scored
	// here: mean -log p(true class) (p at least 1e-8, as CrossEntropy
	// reads probabilities) and accuracy.
	b, _ := os.ReadFile("testdata/iris.csv")
	_, recs := readCSV(t, string(b))
	var loss, right float64
	for i, rec := range recs {
		k := slices.Index(p.Classes(), rec[6])
		loss -= math.Log(math.Max(want.Proba.At(i, k), 1e-8)) / float64(len(recs))
		if want.Labels[i] == rec[6] {
			right++
		}
	}
	r = runMLP(t, "", nil, "eval", "-model", model, "-data", "testdata/iris.csv")
	got := regexp.MustCompile(`\Afinal loss=(\d+\.\d{4}) accuracy=(\d\.\d{4})\z`).FindStringSubmatch(lastLine(r.stdout))
	if got == nil {
		t.Fatalf("eval: exit %d, last line %q\n%s", r.code, lastLine(r.stdout), r.stderr)
	}
	if v := floats(t, got); math.Abs(v[0]-loss) > 1e-4 || math.Abs(v[1]-right/150) > 1e-4 {
		t.Errorf("eval: loss %.4f accuracy %.4f, want %.4f and %.4f", v[0], v[1], loss, right/150)
	}

	r = runMLP(t, "", nil, "inspect", "-model", model)
	for _, w := range []string{"format version", "sepal_length", "site", "categorical", "setosa", "parameters"} {
		if !strings.Contains(r.stdout, w) {
			t.Errorf("inspect does not show %q:\n%s", w, r.stdout)
		}
	}
}

// TestRegressEndToEnd trains a regressor with two targets and checks the
// final line and that predict gives the library's values.
func TestRegressEndToEnd(t *testing.T) {
	model, r := trained(t, "diabetes.csv", "-target", "progression", "-target", "glucose", "-seed", "1")
	m := finalRegress.FindStringSubmatch(lastLine(r.stdout))
	if m == nil {
		t.Fatalf("last line %q", lastLine(r.stdout))
	}
	t.Logf("%s", lastLine(r.stdout))
	if v := floats(t, m); v[2] < 0.2 || math.Abs(v[1]*v[1]-v[0]) > 0.01*v[0] {
		t.Errorf("val_r2 %.4f, want at least 0.2 (0.32 when written); val_rmse² %.4f, want val_loss %.4f", v[2], v[1]*v[1], v[0])
	}
	p := loadModel(t, model)
	want := libraryPredict(t, p, "diabetes.csv")
	r = runMLP(t, "", nil, "predict", "-model", model, "-data", "testdata/diabetes.csv")
	if r.code != 0 {
		t.Fatalf("predict: exit %d: %s", r.code, r.stderr)
	}
	header, rows := readCSV(t, r.stdout)
	if len(rows) != 442 {
		t.Fatalf("%d rows, want 442", len(rows))
	}
	if strings.Join(header, ",") != "prediction_progression,prediction_glucose" {
		t.Errorf("header %q", header)
	}
	for i, row := range rows {
		for j := range 2 {
			if w := fmtFloat(want.Values.At(i, j)); row[j] != w {
				t.Errorf("row %d, target %d: %s, library %s", i, j, row[j], w)
			}
		}
	}

	// eval on the whole file: MSE and RMSE pooled over both targets, R²
	// averaged, against the library's predictions scored here.
	b, _ := os.ReadFile("testdata/diabetes.csv")
	hd, recs := readCSV(t, string(b))
	col := map[string]int{}
	for k, h := range hd {
		col[h] = k
	}
	var sse float64
	var r2 [2]float64
	for j, name := range []string{"progression", "glucose"} {
		var mean, ss, st float64
		for _, rec := range recs {
			y, _ := strconv.ParseFloat(rec[col[name]], 64)
			mean += y / float64(len(recs))
		}
		for i, rec := range recs {
			y, _ := strconv.ParseFloat(rec[col[name]], 64)
			d := y - want.Values.At(i, j)
			ss += d * d
			st += (y - mean) * (y - mean)
		}
		sse += ss
		r2[j] = 1 - ss/st
	}
	mse := sse / float64(2*len(recs))
	r = runMLP(t, "", nil, "eval", "-model", model, "-data", "testdata/diabetes.csv")
	got := regexp.MustCompile(`\Afinal loss=(\d+\.\d{4}) rmse=(\d+\.\d{4}) r2=(-?\d+\.\d{4})\z`).FindStringSubmatch(lastLine(r.stdout))
	if got == nil {
		t.Fatalf("eval: exit %d, last line %q: %s", r.code, lastLine(r.stdout), r.stderr)
	}
	v := floats(t, got)
	for k, w := range []float64{mse, math.Sqrt(mse), (r2[0] + r2[1]) / 2} {
		if math.Abs(v[k]-w) > 1e-4*math.Max(1, math.Abs(w)) {
			t.Errorf("eval figure %d: %.4f, want %.4f", k, v[k], w)
		}
	}
}

// TestBadInput runs every command on input it cannot use: each fails with
// exit 1 and one line naming the problem.
func TestBadInput(t *testing.T) {
	model, _ := trained(t, "iris.csv", "-target", "species", "-ignore", "id", "-epochs", "2", "-na", "NA")
	dir := t.TempDir()
	good, _ := os.ReadFile(model)
	write := func(name string, b []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	truncated := write("truncated.mlp", good[:len(good)/2])
	foreign := write("model.onnx", []byte("\x08\x07\x12\x07pytorch\x1a\x052.1.0 this is not ours"))
	empty := write("empty.mlp", nil)
	missing := filepath.Join(dir, "missing.csv")
	badCell := write("bad.csv", []byte("id,sepal_length,sepal_width,petal_length,petal_width,site\nr1,5.1,3.5,1.4,0.2,north\nr2,5.1,wide,1.4,0.2,north\n"))
	noColumn := write("nocolumn.csv", []byte("id,sepal_length,sepal_width,petal_length,site\nr1,5.1,3.5,1.4,north\n"))
	for _, tc := range []struct {
		name string
		args []string
		want []string
	}{
		{"train missing file", []string{"train", "-data", missing, "-target", "species", "-o", filepath.Join(dir, "m")}, []string{"missing.csv"}},
		{"train wrong target", []string{"train", "-data", "testdata/iris.csv", "-target", "kind", "-o", filepath.Join(dir, "m")}, []string{"kind"}},
		{"train output directory missing", []string{"train", "-data", "testdata/iris.csv", "-target", "species", "-epochs", "1", "-o", filepath.Join(dir, "no", "m")}, []string{"no"}},
		{"eval missing model", []string{"eval", "-model", filepath.Join(dir, "none.mlp"), "-data", "testdata/iris.csv"}, []string{"none.mlp"}},
		{"eval truncated model", []string{"eval", "-model", truncated, "-data", "testdata/iris.csv"}, []string{"truncated.mlp"}},
		{"eval foreign model", []string{"eval", "-model", foreign, "-data", "testdata/iris.csv"}, []string{"model.onnx"}},
		{"eval missing file", []string{"eval", "-model", model, "-data", missing}, []string{"missing.csv"}},
		{"eval without target column", []string{"eval", "-model", model, "-data", badCell}, []string{"species"}},
		{"predict truncated model", []string{"predict", "-model", truncated, "-data", "testdata/iris.csv"}, []string{"truncated.mlp"}},
		{"predict foreign model", []string{"predict", "-model", foreign, "-data", "testdata/iris.csv"}, []string{"model.onnx"}},
		{"predict empty model", []string{"predict", "-model", empty, "-data", "testdata/iris.csv"}, []string{"empty.mlp"}},
		{"predict missing file", []string{"predict", "-model", model, "-data", missing}, []string{"missing.csv"}},
		{"predict bad cell", []string{"predict", "-model", model, "-data", badCell}, []string{`line 3, column "sepal_width"`}},
		{"predict missing column", []string{"predict", "-model", model, "-data", noColumn}, []string{"petal_width"}},
		{"inspect truncated model", []string{"inspect", "-model", truncated}, []string{"truncated.mlp"}},
		{"inspect foreign model", []string{"inspect", "-model", foreign}, []string{"model.onnx"}},
		{"serve truncated model", []string{"serve", "-model", truncated, "-addr", "127.0.0.1:0"}, []string{"truncated.mlp"}},
		{"serve foreign model", []string{"serve", "-model", foreign, "-addr", "127.0.0.1:0"}, []string{"model.onnx"}},
		{"export categorical columns", []string{"export", "-model", model, "-o", filepath.Join(dir, "x.onnx")}, []string{`"site"`}},
		{"export truncated model", []string{"export", "-model", truncated, "-o", filepath.Join(dir, "x.onnx")}, []string{"truncated.mlp"}},
		{"import missing file", []string{"import", "-onnx", filepath.Join(dir, "none.onnx"), "-o", filepath.Join(dir, "x.mlp")}, []string{"none.onnx"}},
		{"import our own model", []string{"import", "-onnx", model, "-o", filepath.Join(dir, "x.mlp")}, []string{"model.mlp"}},
		{"serve bad address", []string{"serve", "-model", model, "-addr", "256.0.0.1:http"}, []string{"256.0.0.1"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := runMLP(t, "", nil, tc.args...)
			oneLineError(t, r, append([]string{"mlp " + tc.args[0] + ": "}, tc.want...)...)
		})
	}
	if _, err := os.Stat(filepath.Join(dir, "m")); err == nil {
		t.Error("a failed train left a model file")
	}
}

// TestTrainFlags checks flag values that are refused before reading data.
func TestTrainFlags(t *testing.T) {
	base := []string{"train", "-data", "testdata/iris.csv", "-target", "species", "-o", filepath.Join(t.TempDir(), "m")}
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"no data", []string{"train", "-target", "species", "-o", "m"}, "-data is required"},
		{"no target", []string{"train", "-data", "testdata/iris.csv", "-o", "m"}, "-target is required"},
		{"no output", []string{"train", "-data", "testdata/iris.csv", "-target", "species"}, "-o is required"},
		{"task", append(base, "-task", "cluster"), "-task"},
		{"hidden", append(base, "-hidden", "16,x"), "-hidden"},
		{"epochs", append(base, "-epochs", "-1"), "-epochs"},
		{"hidden too large", append(base, "-hidden", "16777216,16777216"), "-hidden"},
		{"batch", append(base, "-batch", "-3"), "-batch"},
		{"lr", append(base, "-lr", "-0.1"), "-lr"},
		{"lr NaN", append(base, "-lr", "NaN"), "-lr"},
		{"val", append(base, "-val", "1"), "-val"},
		{"sep", append(base, "-sep", ";;"), "-sep"},
		{"seed", append(base, "-seed", "-1"), "-seed"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := runMLP(t, "", nil, tc.args...)
			if r.code != 2 || !strings.Contains(r.stderr, tc.want) {
				t.Errorf("exit %d, stderr %q: want exit 2 naming %s", r.code, r.stderr, tc.want)
			}
		})
	}
}

// TestServeSignals serves a trained model with the command, checks the
// three paths, then sends SIGTERM while a request is in flight: the request
// is answered and the command exits 0.
func TestServeSignals(t *testing.T) {
	model, _ := trained(t, "iris.csv", "-target", "species", "-ignore", "id", "-epochs", "2", "-na", "NA")
	for _, sig := range []syscall.Signal{syscall.SIGTERM, syscall.SIGINT} {
		t.Run(sig.String(), func(t *testing.T) {
			c := exec.Command(mlpBin, "serve", "-model", model, "-addr", "127.0.0.1:0")
			stderr, err := c.StderrPipe()
			if err != nil {
				t.Fatal(err)
			}
			if err := c.Start(); err != nil {
				t.Fatal(err)
			}
			defer c.Process.Kill()
			lines := bufio.NewScanner(stderr)
			addrRE := regexp.MustCompile(`on http://(127\.0\.0\.1:\d+)`)
			var base string
			for lines.Scan() {
				if m := addrRE.FindStringSubmatch(lines.Text()); m != nil {
					base = "http://" + m[1]
					break
				}
			}
			if base == "" {
				t.Fatal("serve did not print its address")
			}
			rest := make(chan string, 1)
			go func() { b, _ := io.ReadAll(stderr); rest <- string(b) }()

			get := func(path string) string {
				resp, err := http.Get(base + path)
				if err != nil {
					t.Fatal(err)
				}
				defer resp.Body.Close()
				b, _ := io.ReadAll(resp.Body)
				return strings.TrimSpace(string(b))
			}
			if got := get("/healthz"); got != `{"status":"ok"}` {
				t.Errorf("/healthz: %s", got)
			}
			var meta struct {
				FormatVersion int `json:"format_version"`
				Columns       []struct{ Name, Kind string }
				Classes       []string
				Targets       []string
			}
			if err := json.Unmarshal([]byte(get("/metadata")), &meta); err != nil || len(meta.Classes) != 3 || len(meta.Columns) != 5 || meta.Targets[0] != "species" {
				t.Errorf("/metadata: %+v %v", meta, err)
			}

			// A request whose body arrives after the signal.
			pr, pw := io.Pipe()
			answered := make(chan string, 1)
			go func() {
				resp, err := http.Post(base+"/predict", "", pr)
				if err != nil {
					answered <- err.Error()
					return
				}
				b, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				answered <- fmt.Sprintf("%d %s", resp.StatusCode, b)
			}()
			io.WriteString(pw, `{"rows": [{"sepal_length": 5.1, "sepal_width": 3.5, `)
			time.Sleep(200 * time.Millisecond) // the request is being read
			c.Process.Signal(sig)
			time.Sleep(200 * time.Millisecond)
			io.WriteString(pw, `"petal_length": 1.4, "petal_width": 0.2, "site": "north"}]}`)
			pw.Close()
			if got := <-answered; !strings.HasPrefix(got, `200 {"predictions":["`) {
				t.Errorf("request in flight: %s", got)
			}
			err = c.Wait()
			if code := c.ProcessState.ExitCode(); code != 0 {
				t.Errorf("exit %d (%v); stderr %s", code, err, <-rest)
			}
		})
	}
}

// longLine is a CSV input whose second line is 100 MB long, produced as it
// is read.
type longLine struct{ off, size int64 }

func (l *longLine) Read(p []byte) (int, error) {
	const head = "id,sepal_length,sepal_width,petal_length,petal_width,site,species\nr1,"
	if l.off >= l.size {
		return 0, io.EOF
	}
	n := 0
	for n < len(p) && l.off < l.size {
		if l.off < int64(len(head)) {
			p[n] = head[l.off]
		} else {
			p[n] = '7'
		}
		n++
		l.off++
	}
	return n, nil
}

// TestLongLine feeds a CSV with a 100 MB line to every command that reads
// CSV, on standard input: each refuses it with exit 1 naming the line, and
// the process's peak memory stays far below the line's length.
func TestLongLine(t *testing.T) {
	model, _ := trained(t, "iris.csv", "-target", "species", "-ignore", "id", "-epochs", "2", "-na", "NA")
	for _, args := range [][]string{
		{"predict", "-model", model, "-data", "-"},
		{"eval", "-model", model, "-data", "-"},
		{"train", "-data", "-", "-target", "species", "-o", filepath.Join(t.TempDir(), "m")},
	} {
		t.Run(args[0], func(t *testing.T) {
			in := &longLine{size: 100 << 20}
			r := runMLP(t, "", in, args...)
			oneLineError(t, r, "line 2")
			t.Logf("read %d bytes, peak RSS %d MB: %s", in.off, r.maxRSS>>20, strings.TrimSpace(r.stderr))
			if r.maxRSS > 64<<20 {
				t.Errorf("peak RSS %d MB, want at most 64 MB", r.maxRSS>>20)
			}
		})
	}
}

// TestONNX imports a PyTorch-exported net, predicts with it, exports it
// (float64 and float32) and imports it back: the float64 round trip gives
// the same predictions bit for bit.
func TestONNX(t *testing.T) {
	dir := t.TempDir()
	model := filepath.Join(dir, "torch.mlp")
	r := runMLP(t, "", nil, "import", "-onnx", "../../onnx/testdata/torch_softmax.onnx", "-o", model, "-classes", "setosa,versicolor,virginica")
	if r.code != 0 || !strings.Contains(r.stdout, "pytorch") || !strings.Contains(r.stdout, "Linear(4->16)") {
		t.Fatalf("import: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	data := filepath.Join(dir, "rows.csv")
	os.WriteFile(data, []byte("sepal_length,sepal_width,petal_length,petal_width\n5.1,3.5,1.4,0.2\n7,3.2,4.7,1.4\n6.3,3.3,6,2.5\n"), 0o644)
	first := runMLP(t, "", nil, "predict", "-model", model, "-data", data, "-proba")
	if first.code != 0 || !strings.HasPrefix(first.stdout, "prediction,p_setosa,p_versicolor,p_virginica\nsetosa,") {
		t.Fatalf("predict: exit %d\n%s%s", first.code, first.stdout, first.stderr)
	}
	for _, f32 := range []bool{false, true} {
		onnxFile, back := filepath.Join(dir, fmt.Sprint("m", f32, ".onnx")), filepath.Join(dir, fmt.Sprint("back", f32, ".mlp"))
		args := []string{"export", "-model", model, "-o", onnxFile}
		if f32 {
			args = append(args, "-float32")
		}
		if r := runMLP(t, "", nil, args...); r.code != 0 {
			t.Fatalf("export: exit %d: %s", r.code, r.stderr)
		}
		if r := runMLP(t, "", nil, "import", "-onnx", onnxFile, "-o", back); r.code != 0 {
			t.Fatalf("import: exit %d: %s", r.code, r.stderr)
		}
		again := runMLP(t, "", nil, "predict", "-model", back, "-data", data, "-proba")
		if !f32 && again.stdout != first.stdout {
			t.Errorf("after a float64 round trip:\n%s\nwant\n%s", again.stdout, first.stdout)
		}
		if f32 && (again.code != 0 || lastLine(again.stdout)[:len("virginica")] != "virginica") {
			t.Errorf("after a float32 round trip: exit %d\n%s", again.code, again.stdout)
		}
	}
	r = runMLP(t, "", nil, "import", "-onnx", "testdata/iris.csv", "-o", filepath.Join(dir, "x.mlp"))
	oneLineError(t, r, "mlp import: ", "iris.csv")
}
