package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/mlpkit/mlp/internal/testkit"
	"github.com/mlpkit/mlp/tabular"
)

// TestTrainStream trains with -stream and checks the output, that eval
// and predict read the model file as any other, and that the same flags
// give the same model file whatever the shuffle buffer's chunks.
func TestTrainStream(t *testing.T) {
	args := []string{"-target", "species", "-ignore", "id", "-hidden", "8", "-epochs", "40", "-batch", "16", "-lr", "0.01", "-seed", "3", "-stream", "-buffer", "40"}
	model, r := trained(t, "iris.csv", args...)
	for _, want := range []string{"(streamed, ", "split: ", "validation rows (seed 3, chosen row by row)", "epoch= 39", "val_accuracy="} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("stdout lacks %q:\n%s", want, r.stdout)
		}
	}
	m := finalClassify.FindStringSubmatch(lastLine(r.stdout))
	if m == nil {
		t.Fatalf("last line %q is not the final line", lastLine(r.stdout))
	}
	acc := floats(t, m)[1]
	if acc < 0.8 {
		t.Errorf("val_accuracy %v after 40 epochs; want at least 0.8", acc)
	}
	ev := runMLP(t, "", nil, "eval", "-model", model, "-data", "testdata/iris.csv")
	if ev.code != 0 || !strings.Contains(ev.stdout, "accuracy") {
		t.Fatalf("eval of the streamed model: exit %d\n%s%s", ev.code, ev.stdout, ev.stderr)
	}
	pr := runMLP(t, "", nil, "predict", "-model", model, "-data", "testdata/iris.csv")
	if pr.code != 0 || strings.Count(pr.stdout, "\n") != 151 {
		t.Fatalf("predict with the streamed model: exit %d, %d lines\n%s", pr.code, strings.Count(pr.stdout, "\n"), pr.stderr)
	}
	again, _ := trained(t, "iris.csv", args...)
	if !bytes.Equal(undated(t, model), undated(t, again)) {
		t.Errorf("two runs of the same flags give different model files")
	}
	other, _ := trained(t, "iris.csv", append(args, "-buffer", "1")...)
	if bytes.Equal(undated(t, model), undated(t, other)) {
		t.Errorf("-buffer 40 and -buffer 1 give the same model file")
	}
	pv, _ := loadModel(t, model).Provenance()
	if pv.Settings["stream_shuffle_buffer"] != "40" || pv.DataSHA256 == "" || pv.ValidationRows == 0 {
		t.Errorf("provenance %+v lacks the buffer, the digest or the validation rows", pv)
	}
}

// TestTrainStreamRegress trains a regressor with -stream and -json.
func TestTrainStreamRegress(t *testing.T) {
	v, _ := trainedJSON(t, "diabetes.csv", "-target", "progression", "-hidden", "8", "-epochs", "5", "-stream", "-val", "0.3")
	val, _ := v["validation"].(map[string]any)
	if v["task"] != "regression" || val == nil || val["rows"].(float64) < 50 || val["rmse"] == nil {
		t.Errorf("-json object %v lacks a regression's validation figures", v)
	}
}

// TestTrainStreamFlagErrors checks the usage errors of -stream and -buffer
// and that -h lists them.
func TestTrainStreamFlagErrors(t *testing.T) {
	base := []string{"train", "-data", "testdata/iris.csv", "-target", "species", "-o", filepath.Join(t.TempDir(), "m")}
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"buffer without stream", []string{"-buffer", "10"}, "-buffer needs -stream"},
		{"buffer zero", []string{"-stream", "-buffer", "0"}, "-buffer"},
		{"weight", []string{"-stream", "-weight", "sepal_width"}, "-weight is not supported with -stream"},
		{"class weight", []string{"-stream", "-class-weight", "balanced"}, "-class-weight"},
		{"early stopping", []string{"-stream", "-early-stopping"}, "-early-stopping"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := runMLP(t, "", nil, append(slicesClone(base), tc.args...)...)
			if r.code != 2 || !strings.Contains(r.stderr, tc.want) {
				t.Errorf("exit %d, stderr %q: want exit 2 naming %s", r.code, r.stderr, tc.want)
			}
		})
	}
	// -init was once ignored with -stream: a fresh net was trained and the
	// model file said warm_start=true.
	init, _ := trained(t, "iris.csv", "-target", "species", "-hidden", "4", "-epochs", "2", "-val", "0")
	ri := runMLP(t, "", nil, append(slicesClone(base), "-hidden", "4", "-stream", "-init", init)...)
	if ri.code != 2 || !strings.Contains(ri.stderr, "-init is not supported with -stream") {
		t.Errorf("-stream -init: exit %d, stderr %q: want exit 2 naming -init and -stream", ri.code, ri.stderr)
	}
	r := runMLP(t, "", strings.NewReader("a,y\n1,0\n"), "train", "-data", "-", "-target", "y", "-stream", "-o", filepath.Join(t.TempDir(), "m"))
	if r.code != 2 || !strings.Contains(r.stderr, "standard input") {
		t.Errorf("-stream -data -: exit %d, stderr %q; want a usage error naming standard input", r.code, r.stderr)
	}
	r = runMLP(t, "", nil, "train", "-h")
	// -h once said the -val rows choose the epoch count when -stream did
	// not; it does now (TestTrainStreamRefit).
	for _, want := range []string{"as with -val 0 and -early-stopping", "unless -early-stopping, the epoch count is the one with their lowest val_loss (with -stream too)", "(with -stream, a second streamed fit)"} {
		if !strings.Contains(strings.Join(strings.Fields(r.stderr+r.stdout), " "), want) {
			t.Errorf("train -h lacks %q", want)
		}
	}
	for _, f := range []string{"-stream", "-buffer"} {
		if !regexp.MustCompile(`(?m)^  `+f+`\b`).MatchString(r.stderr+r.stdout) || !strings.Contains(r.stderr+r.stdout, "["+f) {
			t.Errorf("train -h does not list %s in the synopsis and the flags", f)
		}
	}
	bad := filepath.Join(t.TempDir(), "bad.csv")
	if err := os.WriteFile(bad, []byte("a,b,y\n1,2,0\n3,4\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	oneLineError(t, runMLP(t, "", nil, "train", "-data", bad, "-target", "y", "-stream", "-o", filepath.Join(t.TempDir(), "m")), "bad.csv", "line 3")
}

// TestTrainStreamMemory checks that -stream's peak memory does not grow
// with the rows: 200,000 and 2,000,000 rows of bench/stream's data, one
// epoch each, and the refit on every row.
func TestTrainStreamMemory(t *testing.T) {
	testkit.Long(t, "trains on 2.2 million generated rows")
	dir := t.TempDir()
	gen := filepath.Join(dir, "gen")
	if out, err := exec.Command("go", "build", "-o", gen, "../../bench/stream").CombinedOutput(); err != nil {
		t.Fatalf("building bench/stream: %v\n%s", err, out)
	}
	rss := map[int]int64{}
	for _, rows := range []int{200_000, 2_000_000} {
		data := filepath.Join(dir, "data.csv")
		if out, err := exec.Command(gen, "-rows", strconv.Itoa(rows), "-o", data).CombinedOutput(); err != nil {
			t.Fatalf("bench/stream: %v\n%s", err, out)
		}
		r := runMLP(t, "", nil, "train", "-data", data, "-target", "y", "-stream", "-epochs", "1", "-hidden", "32", "-json", "-val", "0.01",
			"-o", filepath.Join(dir, "m.mlp"))
		if r.code != 0 {
			t.Fatalf("%d rows: exit %d\n%s", rows, r.code, r.stderr)
		}
		if !strings.Contains(r.stdout, `"refit":true,"refit_epochs":1,`) {
			t.Errorf("%d rows: the run did not refit on every row (the default):\n%s", rows, r.stdout)
		}
		rss[rows] = r.maxRSS
		t.Logf("%d rows: peak RSS %.1f MiB", rows, float64(r.maxRSS)/(1<<20))
	}
	if grow := rss[2_000_000] - rss[200_000]; grow > 40<<20 {
		t.Errorf("peak RSS grew by %.1f MiB from 200,000 to 2,000,000 rows; want at most 40 MiB (the validation report's 16 bytes a row: 0.3 MiB)",
			float64(grow)/(1<<20))
	}
}

// TestStreamHint checks that the in-memory reader's error at its cap on
// the whole input suggests -stream, and that other errors do not.
func TestStreamHint(t *testing.T) {
	rd := tabular.NewCSVReader(strings.NewReader("a,y\n1,0\n2,1\n3,0\n"))
	rd.Targets = []string{"y"}
	rd.Limits.MaxBytes = 8
	_, err := rd.ReadAll()
	if err == nil || !strings.Contains(streamHint(err), "-stream") {
		t.Errorf("error %v: hint %q; want one naming -stream", err, streamHint(err))
	}
	rd = tabular.NewCSVReader(strings.NewReader("a,y\n1,0\n2\n"))
	_, err = rd.ReadAll()
	if err == nil || streamHint(err) != "" {
		t.Errorf("error %v: hint %q; want none", err, streamHint(err))
	}
}

// TestTrainStreamRareClass checks that a class whose one row is held out
// (the row-by-row hold-out is not stratified) neither ends training nor
// passes silently: the report counts it as wrong and says so.
func TestTrainStreamRareClass(t *testing.T) {
	var b strings.Builder
	b.WriteString("x,y\n")
	for i := range 200 {
		fmt.Fprintf(&b, "%d,%c\n", i%7, "ab"[i%2])
	}
	b.WriteString("3,c\n")
	data := filepath.Join(t.TempDir(), "rare.csv")
	if err := os.WriteFile(data, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	noted := 0
	for seed := 0; seed < 40 && noted == 0; seed++ {
		r := runMLP(t, "", nil, "train", "-data", data, "-target", "y", "-stream", "-epochs", "2", "-hidden", "4", "-seed", strconv.Itoa(seed),
			"-o", filepath.Join(t.TempDir(), "m.mlp"))
		if r.code != 0 {
			t.Fatalf("seed %d: exit %d\n%s", seed, r.code, r.stderr)
		}
		if strings.Contains(r.stderr, `have a class the model never saw ("c")`) {
			noted++
		}
	}
	if noted == 0 {
		t.Errorf("no seed of 40 held out the row of class c with a note; each should with probability 0.2")
	}
}
