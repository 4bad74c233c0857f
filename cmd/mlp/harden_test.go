package main

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/mlpkit/mlp"
	"github.com/mlpkit/mlp/internal/testkit"
	"github.com/mlpkit/mlp/tabular"
)

// writeTemp writes data to a file name in dir and returns its path.
func writeTemp(t testing.TB, dir, name, data string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// copyFile copies the file src to a new file dst.
func copyFile(t testing.TB, src, dst string) string {
	t.Helper()
	b, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(dst, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return dst
}

// TestOutputIsInput gives each command that writes a file an -o that is its
// input, by name, through a symbolic link and through a hard link: each is
// refused at once (exit 2, naming -o and the input's flag) and the input is
// left as it was.
func TestOutputIsInput(t *testing.T) {
	dir := t.TempDir()
	data := copyFile(t, "testdata/iris.csv", filepath.Join(dir, "iris.csv"))
	model, _ := trained(t, "iris.csv", "-target", "species", "-ignore", "id", "-epochs", "2", "-na", "NA")
	model = copyFile(t, model, filepath.Join(dir, "model.mlp"))
	onnxFile := copyFile(t, "../../onnx/testdata/torch_softmax.onnx", filepath.Join(dir, "torch.onnx"))
	for _, in := range []string{data, model, onnxFile} {
		if err := os.Symlink(filepath.Base(in), in+".sym"); err != nil {
			t.Fatal(err)
		}
		if err := os.Link(in, in+".hard"); err != nil {
			t.Fatal(err)
		}
	}
	for _, tc := range []struct {
		name, flag, in string
		args           []string
	}{
		{"train", "-data", data, []string{"train", "-data", data, "-target", "species", "-ignore", "id", "-epochs", "1"}},
		{"export", "-model", model, []string{"export", "-model", model}},
		{"import", "-onnx", onnxFile, []string{"import", "-onnx", onnxFile}},
	} {
		for _, out := range []string{tc.in, tc.in + ".sym", tc.in + ".hard", filepath.Dir(tc.in) + "/./" + filepath.Base(tc.in)} {
			t.Run(tc.name+" "+filepath.Base(out), func(t *testing.T) {
				before, _ := os.ReadFile(tc.in)
				r := runMLP(t, "", nil, append(tc.args, "-o", out)...)
				if r.code != 2 || !strings.Contains(r.stderr, "-o "+out) || !strings.Contains(r.stderr, tc.flag+" file") {
					t.Errorf("exit %d, stderr %q: want exit 2 naming -o and %s", r.code, r.stderr, tc.flag)
				}
				if after, _ := os.ReadFile(tc.in); !bytes.Equal(before, after) {
					t.Errorf("the %s file was changed", tc.flag)
				}
				if r.stdout != "" {
					t.Errorf("work was done before the refusal:\n%s", r.stdout)
				}
			})
		}
	}
}

// TestOutputTargets checks what -o does to what it names: a symbolic link
// to a regular file is written through (the link stays), a directory, a
// named pipe and a link to a device are refused before reading any data, an
// existing file keeps its mode, and a new file gets 0644.
func TestOutputTargets(t *testing.T) {
	dir := t.TempDir()
	train := func(out string, extra ...string) result {
		return runMLP(t, "", nil, append([]string{"train", "-data", "testdata/iris.csv", "-target", "species", "-ignore", "id",
			"-epochs", "2", "-na", "NA", "-o", out}, extra...)...)
	}

	// A link to a regular file, in another directory.
	real := writeTemp(t, t.TempDir(), "real.mlp", "old")
	link := filepath.Join(dir, "link.mlp")
	if err := os.Symlink(real, link); err != nil {
		t.Fatal(err)
	}
	if r := train(link); r.code != 0 {
		t.Fatalf("train through a link: exit %d: %s", r.code, r.stderr)
	}
	if fi, err := os.Lstat(link); err != nil || fi.Mode()&os.ModeSymlink == 0 {
		t.Errorf("the link at -o was replaced: %v %v", fi.Mode(), err)
	}
	loadModel(t, real) // the link's target is the model

	// A dangling link is written through too.
	dangling := filepath.Join(dir, "dangling.mlp")
	os.Symlink("made.mlp", dangling)
	if r := train(dangling); r.code != 0 {
		t.Fatalf("train through a dangling link: exit %d: %s", r.code, r.stderr)
	}
	loadModel(t, filepath.Join(dir, "made.mlp"))

	// Modes.
	private := writeTemp(t, dir, "private.mlp", "old")
	os.Chmod(private, 0o600)
	fresh := filepath.Join(dir, "fresh.mlp")
	for _, tc := range []struct {
		path string
		mode os.FileMode
	}{{private, 0o600}, {fresh, 0o644}} {
		if r := train(tc.path); r.code != 0 {
			t.Fatalf("train: exit %d: %s", r.code, r.stderr)
		}
		if fi, err := os.Stat(tc.path); err != nil || fi.Mode().Perm() != tc.mode {
			t.Errorf("%s: mode %v, want %v (%v)", filepath.Base(tc.path), fi.Mode().Perm(), tc.mode, err)
		}
	}
	// The same for export.
	os.Chmod(private, 0o600)
	onnxOut := writeTemp(t, dir, "private.onnx", "old")
	os.Chmod(onnxOut, 0o640)
	model, _ := trained(t, "diabetes.csv", "-target", "progression", "-ignore", "sex", "-epochs", "1")
	if r := runMLP(t, "", nil, "export", "-model", model, "-o", onnxOut); r.code != 0 {
		t.Fatalf("export: exit %d: %s", r.code, r.stderr)
	}
	if fi, _ := os.Stat(onnxOut); fi.Mode().Perm() != 0o640 {
		t.Errorf("export: mode %v, want 0640", fi.Mode().Perm())
	}

	// Targets that are not regular files, refused before reading data.
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Fatal(err)
	}
	devLink := filepath.Join(dir, "null.mlp")
	os.Symlink(os.DevNull, devLink)
	sub := filepath.Join(dir, "sub")
	os.Mkdir(sub, 0o755)
	for _, tc := range []struct{ path, want string }{
		{fifo, "named pipe"},
		{devLink, "device"},
		{sub, "directory"},
	} {
		t.Run(filepath.Base(tc.path), func(t *testing.T) {
			start := time.Now()
			r := train(tc.path)
			oneLineError(t, r, "mlp train: -o: ", tc.path, tc.want)
			if r.stdout != "" {
				t.Errorf("work was done before the refusal (%v):\n%s", time.Since(start), r.stdout)
			}
		})
	}
	if fi, err := os.Lstat(fifo); err != nil || fi.Mode()&os.ModeNamedPipe == 0 {
		t.Error("the named pipe was replaced")
	}
	if fi, err := os.Lstat(devLink); err != nil || fi.Mode()&os.ModeSymlink == 0 {
		t.Error("the link to a device was replaced")
	}
}

// TestOutputUnwritable checks that an -o that cannot be written is
// reported before any data is read: a name whose temporary sibling is
// longer than a file name may be, and (when not running as root, which
// may write anywhere) a directory without write permission. A failed run
// leaves the old file whole.
func TestOutputUnwritable(t *testing.T) {
	dir := t.TempDir()
	long := filepath.Join(dir, strings.Repeat("m", 250))
	cases := []struct{ name, out, want string }{
		{"long name", long, "too long"},
	}
	if os.Geteuid() != 0 {
		ro := filepath.Join(dir, "ro")
		os.Mkdir(ro, 0o555)
		cases = append(cases, struct{ name, out, want string }{"read-only directory", filepath.Join(ro, "m.mlp"), "permission denied"})
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := runMLP(t, "", nil, "train", "-data", "testdata/iris.csv", "-target", "species", "-ignore", "id", "-epochs", "1", "-na", "NA", "-o", tc.out)
			oneLineError(t, r, "mlp train: -o: ", tc.want)
			if r.stdout != "" {
				t.Errorf("work was done before the refusal:\n%s", r.stdout)
			}
		})
	}
	for _, args := range [][]string{
		{"export", "-model", "testdata/iris.csv", "-o", long},
		{"import", "-onnx", "../../onnx/testdata/torch_softmax.onnx", "-o", long},
	} {
		oneLineError(t, runMLP(t, "", nil, args...), "mlp "+args[0]+": -o: ", "too long")
	}

	// A run that fails leaves the old model as it was, and no temporary file.
	old := writeTemp(t, dir, "old.mlp", "old model")
	r := runMLP(t, "", nil, "train", "-data", "testdata/iris.csv", "-target", "kind", "-o", old)
	if b, _ := os.ReadFile(old); r.code != 1 || string(b) != "old model" {
		t.Errorf("exit %d; the old model holds %q", r.code, b)
	}
	if m, _ := filepath.Glob(filepath.Join(dir, ".old.mlp.*")); len(m) > 0 {
		t.Errorf("temporary files left: %v", m)
	}
}

// TestLargeFile trains on a file of more rows than one prediction call of
// the library takes (2^20), with most of them held out for validation, then
// evaluates and predicts the whole file: each succeeds.
func TestLargeFile(t *testing.T) {
	testkit.Long(t, "writes and reads a file of 1.07 million rows")
	const rows = 1<<20 + 20000 // the validation part alone, 99%, is over 2^20
	dir := t.TempDir()
	var b bytes.Buffer
	b.WriteString("x,y\n")
	src := rand.New(rand.NewPCG(1, 2))
	for range rows {
		x := src.IntN(1000)
		fmt.Fprintf(&b, "%d,%c\n", x, 'a'+byte(x/500))
	}
	data := writeTemp(t, dir, "large.csv", b.String())
	model := filepath.Join(dir, "large.mlp")
	start := time.Now()
	r := runMLP(t, "", nil, "train", "-data", data, "-target", "y", "-val", "0.99", "-hidden", "", "-epochs", "3", "-batch", "1000", "-o", model)
	t.Logf("train: %v", time.Since(start))
	if r.code != 0 || finalClassify.FindString(lastLine(r.stdout)) == "" {
		t.Fatalf("train: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	loadModel(t, model)
	start = time.Now()
	r = runMLP(t, "", nil, "eval", "-model", model, "-data", data)
	t.Logf("eval: %v, peak RSS %d MB", time.Since(start), r.maxRSS>>20)
	if r.code != 0 || !strings.Contains(r.stdout, fmt.Sprintf("data: %s: %d rows", data, rows)) {
		t.Fatalf("eval: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	r = runMLP(t, "", nil, "predict", "-model", model, "-data", data)
	if r.code != 0 || strings.Count(r.stdout, "\n") != rows+1 {
		t.Fatalf("predict: exit %d, %d lines: %s", r.code, strings.Count(r.stdout, "\n"), r.stderr)
	}
}

// TestPredictOutputs checks predict's header on regressors with one column
// per output: after the target names, or numbered for a model without
// them, and that the output parses as CSV of that many columns.
func TestPredictOutputs(t *testing.T) {
	dir := t.TempDir()
	pre, err := tabular.NewPreprocessor([]tabular.ColumnInfo{
		{Name: "a", Kind: tabular.Numeric, Mean: 0, Std: 1},
		{Name: "b", Kind: tabular.Numeric, Mean: 0, Std: 1},
	})
	if err != nil {
		t.Fatal(err)
	}
	net, err := mlp.NewSequential(mlp.NewLinear(2, 2, rand.NewPCG(1, 1)))
	if err != nil {
		t.Fatal(err)
	}
	data := writeTemp(t, dir, "rows.csv", "a,b\n1,2\n3,4\n5,6\n")
	for _, tc := range []struct {
		name    string
		targets []string
		want    string
	}{
		{"unnamed", nil, "prediction_y0,prediction_y1"},
		{"named", []string{"heating", "cooling"}, "prediction_heating,prediction_cooling"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, err := tabular.NewPipeline(pre, net, tabular.PipelineTargets{Names: tc.targets})
			if err != nil {
				t.Fatal(err)
			}
			model := filepath.Join(dir, tc.name+".mlp")
			var buf bytes.Buffer
			if err := p.Save(&buf); err != nil {
				t.Fatal(err)
			}
			os.WriteFile(model, buf.Bytes(), 0o644)
			r := runMLP(t, "", nil, "predict", "-model", model, "-data", data)
			if r.code != 0 {
				t.Fatalf("exit %d: %s", r.code, r.stderr)
			}
			header, rows := readCSV(t, r.stdout)
			if strings.Join(header, ",") != tc.want || len(rows) != 3 || len(rows[0]) != 2 {
				t.Errorf("header %q, %d rows:\n%s", header, len(rows), r.stdout)
			}
			r = runMLP(t, "", nil, "predict", "-model", model, "-data", data, "-proba")
			if r.code != 2 || !strings.Contains(r.stderr, "-proba is for classifiers") {
				t.Errorf("-proba on a regressor: exit %d, stderr %q", r.code, r.stderr)
			}
		})
	}
}

// TestFlagsNotFields checks that the command speaks of its flags: errors
// and notes name -na, -categorical, -task regress and -ignore, not the
// library's settings; flags given 0 are refused.
func TestFlagsNotFields(t *testing.T) {
	dir := t.TempDir()
	var many strings.Builder
	many.WriteString("x,y\n")
	for i := range 300 {
		fmt.Fprintf(&many, "%d,%d\n", i, i%40)
	}
	manyInts := writeTemp(t, dir, "ints.csv", many.String())
	question := writeTemp(t, dir, "q.csv", "a,b,y\n1,2,u\n?,3,v\n2,1,u\n3,3,v\n")
	// A column of numbers holding "?" is text, as pandas reads it, with a
	// note naming -na.
	questions := writeTemp(t, dir, "qq.csv", "a,b,y\n"+strings.Repeat("1,2,u\n?,3,v\n2,1,u\n3,3,v\n", 5))
	for _, tc := range []struct {
		name   string
		args   []string
		code   int
		want   []string
		stdout bool // the text is on standard output
	}{
		{"mixed column", []string{"train", "-data", questions, "-target", "y", "-epochs", "1", "-detect-na=false"}, 0, []string{"add it to -na", `"?"`}, false},
		{"detected markers", []string{"train", "-data", questions, "-target", "y", "-epochs", "1"}, 0, []string{`"?"`, "read as missing values (-detect-na); use -detect-na=false to read"}, false},
		{"task note", []string{"train", "-data", manyInts, "-target", "y", "-epochs", "1"}, 0, []string{"use -task regress"}, true},
		{"epochs 0", []string{"train", "-data", question, "-target", "y", "-epochs", "0"}, 2, []string{"-epochs"}, false},
		{"batch 0", []string{"train", "-data", question, "-target", "y", "-batch", "0"}, 2, []string{"-batch"}, false},
		{"lr 0", []string{"train", "-data", question, "-target", "y", "-lr", "0"}, 2, []string{"-lr"}, false},
		{"target and ignore", []string{"train", "-data", question, "-target", "y", "-ignore", "y"}, 1, []string{`column "y"`}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := runMLP(t, "", nil, append(tc.args, "-o", filepath.Join(dir, "m.mlp"))...)
			out := r.stderr
			if tc.stdout {
				out = r.stdout
			}
			if r.code != tc.code {
				t.Errorf("exit %d, want %d: %s", r.code, tc.code, r.stderr)
			}
			for _, w := range tc.want {
				if !strings.Contains(out, w) {
					t.Errorf("output does not name %s:\n%s", w, out)
				}
			}
			for _, field := range []string{"CSVReader", "Limits.", "MLPClassifier.", "set the task to"} {
				if strings.Contains(r.stdout+r.stderr, field) {
					t.Errorf("output names the library's %s:\n%s%s", field, r.stdout, r.stderr)
				}
			}
		})
	}
}

// TestMissingMarkers trains with -na '?' and checks that eval and predict
// read '?' as missing from the model, and that predict takes -na.
func TestMissingMarkers(t *testing.T) {
	dir := t.TempDir()
	var b strings.Builder
	b.WriteString("a,b,y\n")
	for i := range 60 {
		a := fmt.Sprint(i % 7)
		if i%5 == 0 {
			a = "?"
		}
		fmt.Fprintf(&b, "%s,%d,%c\n", a, i%3, 'u'+byte(i%2))
	}
	data := writeTemp(t, dir, "q.csv", b.String())
	model := filepath.Join(dir, "m.mlp")
	if r := runMLP(t, "", nil, "train", "-data", data, "-target", "y", "-na", "?", "-epochs", "2", "-o", model); r.code != 0 {
		t.Fatalf("train: exit %d: %s", r.code, r.stderr)
	}
	if r := runMLP(t, "", nil, "eval", "-model", model, "-data", data); r.code != 0 || !strings.Contains(r.stdout, "data: "+data+": 60 rows") {
		t.Errorf("eval with the model's markers: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if r := runMLP(t, "", nil, "predict", "-model", model, "-data", data); r.code != 0 {
		t.Errorf("predict with the model's markers: exit %d: %s", r.code, r.stderr)
	}
	dash := writeTemp(t, dir, "dash.csv", strings.ReplaceAll(b.String(), "?", "-"))
	if r := runMLP(t, "", nil, "predict", "-model", model, "-data", dash); r.code != 1 {
		t.Errorf("predict with an unknown marker: exit %d, want 1", r.code)
	}
	want := runMLP(t, "", nil, "predict", "-model", model, "-data", data)
	for _, cmd := range []string{"predict", "eval"} {
		r := runMLP(t, "", nil, cmd, "-model", model, "-data", dash, "-na", "-")
		if r.code != 0 {
			t.Errorf("%s -na -: exit %d: %s", cmd, r.code, r.stderr)
		}
		if cmd == "predict" && r.stdout != want.stdout {
			t.Errorf("predict -na - differs from the model's '?'")
		}
	}
}

// TestRowNames trains on files whose first column has no name, as R's
// write.csv and pandas' to_csv write row names: row numbers are left out
// with a note, other values are an error naming the column.
func TestRowNames(t *testing.T) {
	dir := t.TempDir()
	body := func(first func(i int) string, quote bool) string {
		var b strings.Builder
		if quote {
			b.WriteString(`"","x","y"` + "\n")
		} else {
			b.WriteString(",x,y\n")
		}
		for i := range 40 {
			f := first(i)
			if quote {
				f = `"` + f + `"`
			}
			fmt.Fprintf(&b, "%s,%d,%c\n", f, i%9, 'a'+byte(i%2))
		}
		return b.String()
	}
	for _, tc := range []struct {
		name string
		data string
		code int
		want string
	}{
		{"R", body(func(i int) string { return fmt.Sprint(i + 1) }, true), 0, "row numbers 1..40"},
		{"pandas", body(func(i int) string { return fmt.Sprint(i) }, false), 0, "row numbers 0..39"},
		{"not row numbers", body(func(i int) string { return fmt.Sprint(2 * i) }, true), 1, "no name"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			data := writeTemp(t, dir, tc.name+".csv", tc.data)
			model := filepath.Join(dir, tc.name+".mlp")
			r := runMLP(t, "", nil, "train", "-data", data, "-target", "y", "-epochs", "2", "-o", model)
			if r.code != tc.code || !strings.Contains(r.stderr, tc.want) {
				t.Fatalf("exit %d, want %d naming %q:\n%s%s", r.code, tc.code, tc.want, r.stdout, r.stderr)
			}
			if tc.code != 0 {
				return
			}
			if cols := loadModel(t, model).Columns(); len(cols) != 1 || cols[0].Name != "x" {
				t.Errorf("columns %v, want x alone", cols)
			}
			if r := runMLP(t, "", nil, "eval", "-model", model, "-data", data); r.code != 0 {
				t.Errorf("eval: exit %d: %s", r.code, r.stderr)
			}
		})
	}
}

// TestWideConfusion trains on 20 classes with long names: every line of the
// report fits 80 columns.
func TestWideConfusion(t *testing.T) {
	dir := t.TempDir()
	var b strings.Builder
	b.WriteString("x,z,y\n")
	for i := range 400 {
		fmt.Fprintf(&b, "%d,%d,species_number_%02d\n", i%20, i%7, i%20)
	}
	data := writeTemp(t, dir, "wide.csv", b.String())
	r := runMLP(t, "", nil, "train", "-data", data, "-target", "y", "-epochs", "2", "-o", filepath.Join(dir, "m.mlp"))
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	report := r.stdout[strings.Index(r.stdout, "\nvalidation"):]
	for _, l := range strings.Split(report, "\n") {
		if len(l) > 80 {
			t.Errorf("a line of %d bytes: %s", len(l), l)
		}
	}
	if !strings.Contains(report, "confusion") {
		t.Errorf("no confusion summary:\n%s", report)
	}
}
