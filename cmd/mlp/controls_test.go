package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"

	"github.com/mlpkit/mlp/tabular"
)

// TestTrainControlFlagsHelp checks that every flag of the estimator's
// settings, weights and output is in train's -h.
func TestTrainControlFlagsHelp(t *testing.T) {
	r := runMLP(t, "", nil, "train", "-h")
	for _, f := range []string{"-alpha", "-activation", "-early-stopping", "-validation-fraction", "-n-iter-no-change",
		"-monitor", "-tol", "-impute", "-class-weight", "-weight", "-val", "-refit", "-quiet", "-plot", "-json"} {
		if !helpLists(r.stderr+r.stdout, f) {
			t.Errorf("train -h does not list %s in the synopsis and the flags", f)
		}
	}
	r = runMLP(t, "", nil, "help", "inspect")
	if !strings.Contains(r.stdout, "-json") {
		t.Errorf("inspect -h does not list -json:\n%s", r.stdout)
	}
}

// helpLists reports whether the -h text lists flag f both in the synopsis
// ("[-f") and among the flags (a line "  -f").
func helpLists(text, f string) bool {
	return regexp.MustCompile(`(?m)^  `+regexp.QuoteMeta(f)+`\b`).MatchString(text) && strings.Contains(text, "["+f)
}

// TestTrainControlFlagErrors checks that a bad value of each new flag is a
// usage error (exit 2) naming the flag, before any training.
func TestTrainControlFlagErrors(t *testing.T) {
	base := []string{"train", "-data", "testdata/iris.csv", "-target", "species", "-o", filepath.Join(t.TempDir(), "m")}
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"alpha negative", []string{"-alpha", "-1"}, "-alpha"},
		{"alpha NaN", []string{"-alpha", "NaN"}, "-alpha"},
		{"activation", []string{"-activation", "softmax"}, "-activation"},
		{"validation fraction", []string{"-early-stopping", "-validation-fraction", "1"}, "-validation-fraction"},
		{"validation fraction without early stopping", []string{"-validation-fraction", "0.2"}, "-validation-fraction needs -early-stopping"},
		{"n-iter-no-change", []string{"-n-iter-no-change", "0"}, "-n-iter-no-change"},
		{"tol", []string{"-tol", "0"}, "-tol"},
		{"impute", []string{"-impute", "zero"}, "-impute"},
		{"class weight syntax", []string{"-class-weight", "setosa:2"}, "-class-weight"},
		{"class weight negative", []string{"-class-weight", "setosa=-2"}, "-class-weight"},
		{"val negative", []string{"-val", "-0.1"}, "-val"},
		{"weight empty", []string{"-weight", " "}, "-weight"},
		{"plot is the model", []string{"-plot", "same", "-o", "same"}, "-plot"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := runMLP(t, "", nil, append(slicesClone(base), tc.args...)...)
			if r.code != 2 || !strings.Contains(r.stderr, tc.want) {
				t.Errorf("exit %d, stderr %q: want exit 2 naming %s", r.code, r.stderr, tc.want)
			}
		})
	}
}

func slicesClone(s []string) []string { return append([]string(nil), s...) }

// trainedJSON trains with -json and returns the parsed object and the run.
func trainedJSON(t *testing.T, data string, args ...string) (map[string]any, result) {
	t.Helper()
	var r result
	if filepath.IsAbs(data) { // a file of the test's, not of testdata
		r = runMLP(t, "", nil, append([]string{"train", "-data", data, "-o", filepath.Join(t.TempDir(), "m.mlp"), "-json"}, args...)...)
		if r.code != 0 {
			t.Fatalf("exit %d: %s", r.code, r.stderr)
		}
	} else {
		_, r = trained(t, data, append(args, "-json")...)
	}
	lines := strings.Split(strings.TrimRight(r.stdout, "\n"), "\n")
	if len(lines) != 1 {
		t.Fatalf("-json printed %d lines, want one object:\n%s", len(lines), r.stdout)
	}
	var v map[string]any
	if err := json.Unmarshal([]byte(lines[0]), &v); err != nil {
		t.Fatalf("-json output does not parse: %v\n%s", err, r.stdout)
	}
	return v, r
}

// TestTrainJSON checks that -json prints one object holding the final
// figures the text output prints, the settings, the convergence and the
// paths.
func TestTrainJSON(t *testing.T) {
	args := []string{"-target", "species", "-ignore", "id", "-seed", "3", "-hidden", "8", "-epochs", "40", "-alpha", "0.01", "-activation", "tanh", "-impute", "median"}
	_, text := trained(t, "iris.csv", args...)
	m := finalClassify.FindStringSubmatch(lastLine(text.stdout))
	if m == nil {
		t.Fatalf("last line %q", lastLine(text.stdout))
	}
	want := floats(t, m)
	v, r := trainedJSON(t, "iris.csv", args...)
	val, ok := v["validation"].(map[string]any)
	if !ok {
		t.Fatalf("no validation object: %v", v)
	}
	if got := val["accuracy"].(float64); math.Abs(got-want[1]) > 5e-5 {
		t.Errorf("validation accuracy %v, the text's %v", got, want[1])
	}
	if got := val["loss"].(float64); math.Abs(got-want[0]) > 5e-5 {
		t.Errorf("validation loss %v, the text's %v", got, want[0])
	}
	// The saved model is trained again on all 150 rows (-refit).
	if val["rows"].(float64) != 30 || v["training_rows"].(float64) != 150 || v["rows"].(float64) != 150 || v["refit"] != true {
		t.Errorf("rows: %v validation, %v training, %v in all, refit %v; want 30, 150, 150, true", val["rows"], v["training_rows"], v["rows"], v["refit"])
	}
	s := v["settings"].(map[string]any)
	for k, w := range map[string]string{"alpha": "0.01", "activation": "tanh", "hidden_layer_sizes": "8", "max_iter": "40", "random_state": "3", "impute": "median"} {
		if s[k] != w {
			t.Errorf("settings[%s] = %v, want %s", k, s[k], w)
		}
	}
	if v["epochs"].(float64) != 40 || v["epochs_run"].(float64) != 40 || v["converged"] != false || !strings.Contains(v["convergence"].(string), "-epochs") {
		t.Errorf("epochs %v, converged %v, convergence %q; want 40 epochs at the cap, naming -epochs", v["epochs"], v["converged"], v["convergence"])
	}
	b, err := os.ReadFile("testdata/iris.csv")
	if err != nil {
		t.Fatal(err)
	}
	if sum := sha256.Sum256(b); v["data_sha256"] != hex.EncodeToString(sum[:]) {
		t.Errorf("data_sha256 %v, want the file's", v["data_sha256"])
	}
	if !strings.Contains(r.stderr, "warning") {
		t.Errorf("-json at the epoch cap gives no warning on stderr: %q", r.stderr)
	}
}

// TestTrainValZero checks that -val 0 trains on every row, prints that it
// reports no validation figures, and records no validation in the file.
func TestTrainValZero(t *testing.T) {
	model, r := trained(t, "iris.csv", "-target", "species", "-val", "0", "-epochs", "5", "-quiet")
	if !strings.Contains(r.stdout, "split: none (-val 0): all 150 rows train") || !strings.Contains(r.stdout, "validation: none (-val 0)") {
		t.Errorf("-val 0 output does not say it has no validation rows:\n%s", r.stdout)
	}
	if !regexp.MustCompile(`(?m)^final loss=\d+\.\d{4} epochs=5 `).MatchString(r.stdout) {
		t.Errorf("last line %q", lastLine(r.stdout))
	}
	pv, ok := loadModel(t, model).Provenance()
	if !ok || pv.TrainingRows != 150 || pv.ValidationRows != 0 || pv.Validation != nil {
		t.Errorf("provenance %+v, %v: want 150 training rows and no validation", pv, ok)
	}
	v, _ := trainedJSON(t, "iris.csv", "-target", "species", "-val", "0", "-epochs", "5")
	if v["validation"] != nil || v["training_rows"].(float64) != 150 {
		t.Errorf("-json -val 0: validation %v, training rows %v", v["validation"], v["training_rows"])
	}
}

var epochLine = regexp.MustCompile(`(?m)^epoch=\s*\d+ \| loss=`)

// TestTrainQuietAndEpochLines checks that -quiet drops the epoch lines and
// nothing else, that the epoch lines show the validation figures with
// -early-stopping, that piped output has no progress line, and that an
// early stop is explained on standard output and the cap warns on
// standard error.
func TestTrainQuietAndEpochLines(t *testing.T) {
	_, loud := trained(t, "iris.csv", "-target", "species", "-epochs", "6")
	_, quiet := trained(t, "iris.csv", "-target", "species", "-epochs", "6", "-quiet")
	if n := len(epochLine.FindAllString(loud.stdout, -1)); n != 6 {
		t.Errorf("%d epoch lines without -quiet, want 6", n)
	}
	if !regexp.MustCompile(`(?m)^epoch=\s*5 \| loss=.* \| val_loss=.* \| val_accuracy=`).MatchString(loud.stdout) {
		t.Errorf("the epoch lines do not show the -val rows' figures:\n%s", loud.stdout)
	}
	if epochLine.MatchString(quiet.stdout) {
		t.Errorf("-quiet prints epoch lines:\n%s", quiet.stdout)
	}
	if lastLine(loud.stdout) != lastLine(quiet.stdout) {
		t.Errorf("-quiet changes the final line: %q, %q", lastLine(quiet.stdout), lastLine(loud.stdout))
	}
	if strings.Contains(loud.stdout, "\r") || strings.Contains(loud.stdout, "\x1b[") {
		t.Error("piped output holds a progress line")
	}
	for _, r := range []result{loud, quiet} {
		if !strings.Contains(r.stderr, "warning: training stopped at the maximum of 6 epochs (-epochs) while val_loss was still improving") ||
			!strings.Contains(r.stderr, "raise -epochs") {
			t.Errorf("no warning at the epoch cap on stderr: %q", r.stderr)
		}
	}

	esModel, es := trained(t, "iris.csv", "-target", "species", "-early-stopping", "-validation-fraction", "0.25", "-n-iter-no-change", "3", "-tol", "0.05", "-epochs", "300", "-hidden", "8")
	if pv, _ := loadModel(t, esModel).Provenance(); pv.Settings["validation_fraction"] != "0.25" || pv.Settings["early_stopping"] != "true" {
		t.Errorf("settings %v: want early stopping with validation_fraction 0.25", pv.Settings)
	}
	lines := epochLine.FindAllString(es.stdout, -1)
	if len(lines) == 0 || len(lines) >= 300 {
		t.Fatalf("%d epoch lines with -early-stopping -tol 0.05", len(lines))
	}
	if !regexp.MustCompile(`(?m)^epoch=\s*0 \| loss=.* \| val_loss=.* \| val_accuracy=`).MatchString(es.stdout) {
		t.Errorf("epoch lines do not show the validation figures:\n%s", es.stdout)
	}
	if !regexp.MustCompile(`(?m)^stopped: val_accuracy did not improve by at least -tol 0.05 for 4 consecutive epochs \(-n-iter-no-change 3\)`).MatchString(es.stdout) {
		t.Errorf("the early stop is not explained:\n%s", es.stdout)
	}
	if strings.Contains(es.stderr, "warning") {
		t.Errorf("an early stop warns: %q", es.stderr)
	}
}

// TestTrainPlot checks that -plot writes a PNG image of the history.
func TestTrainPlot(t *testing.T) {
	png := filepath.Join(t.TempDir(), "history.png")
	v, _ := trainedJSON(t, "iris.csv", "-target", "species", "-epochs", "5", "-plot", png)
	b, err := os.ReadFile(png)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(b, []byte("\x89PNG\r\n\x1a\n")) || len(b) < 1000 {
		t.Errorf("-plot wrote %d bytes that are not a PNG image", len(b))
	}
	if v["plot"] != png {
		t.Errorf("-json plot = %v, want %s", v["plot"], png)
	}
}

// TestTrainWeights checks -class-weight and -weight: the settings reach
// the model's provenance, the weight column leaves the features, and bad
// weights are errors naming the flag.
func TestTrainWeights(t *testing.T) {
	dir := t.TempDir()
	b, err := os.ReadFile("testdata/iris.csv")
	if err != nil {
		t.Fatal(err)
	}
	var buf strings.Builder
	for i, line := range strings.Split(strings.TrimRight(string(b), "\n"), "\n") {
		w := fmt.Sprint(1 + i%3)
		if i == 0 {
			w = "w"
		}
		buf.WriteString(line + "," + w + "\n")
	}
	weighted := writeTemp(t, dir, "weighted.csv", buf.String())
	model := filepath.Join(dir, "m.mlp")
	r := runMLP(t, "", nil, "train", "-data", weighted, "-target", "species", "-ignore", "id", "-weight", "w",
		"-class-weight", "setosa=0.5,virginica=2", "-epochs", "5", "-quiet", "-o", model)
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	p := loadModel(t, model)
	for _, c := range p.Columns() {
		if c.Name == "w" {
			t.Error("the -weight column is a feature of the model")
		}
	}
	pv, _ := p.Provenance()
	if pv.Settings["class_weight"] != "setosa=0.5,virginica=2" || pv.Settings["sample_weight"] != "given" {
		t.Errorf("settings %v: want the class weights and sample weights recorded", pv.Settings)
	}
	roles := map[string]string{}
	for _, c := range pv.Columns {
		roles[c.Name] = c.Role
	}
	if roles["w"] != "weight" || roles["id"] != "ignored" || roles["species"] != "target" || roles["site"] != "feature" {
		t.Errorf("column roles %v", roles)
	}
	r = runMLP(t, "", nil, "inspect", "-model", model)
	for _, w := range []string{"provenance:", "w (weight)", "id (ignored)", "class_weight=setosa=0.5,virginica=2", "sha256 ", "validation (30 rows): val_accuracy="} {
		if !strings.Contains(r.stdout, w) {
			t.Errorf("inspect does not show %q:\n%s", w, r.stdout)
		}
	}

	missing := writeTemp(t, dir, "missing.csv", strings.Replace(buf.String(), ",setosa,2\n", ",setosa,\n", 1))
	negative := writeTemp(t, dir, "negative.csv", strings.Replace(buf.String(), ",setosa,2\n", ",setosa,-2\n", 1))
	for _, tc := range []struct {
		name string
		args []string
		code int
		want string
	}{
		{"no such weight column", []string{"-data", weighted, "-weight", "nope"}, 1, `-weight: no column "nope"`},
		{"weight is the target", []string{"-data", weighted, "-weight", "species"}, 2, "-weight species is a -target column"},
		{"missing weight", []string{"-data", missing, "-weight", "w"}, 1, "missing weight in data row"},
		{"negative weight", []string{"-data", negative, "-weight", "w"}, 1, "weight -2 in data row"},
		{"unknown class", []string{"-data", weighted, "-class-weight", "rose=2"}, 1, `"rose"`},
		{"class weight for a regressor", []string{"-data", "testdata/diabetes.csv", "-target", "glucose", "-class-weight", "balanced"}, 2, "-class-weight weighs classes"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			args := append([]string{"train", "-target", "species", "-epochs", "2", "-o", filepath.Join(dir, "x.mlp")}, tc.args...)
			if tc.name == "class weight for a regressor" {
				args = append([]string{"train", "-epochs", "2", "-o", filepath.Join(dir, "x.mlp")}, tc.args...)
			}
			r := runMLP(t, "", nil, args...)
			if r.code != tc.code || !strings.Contains(r.stderr, tc.want) {
				t.Errorf("exit %d, stderr %q; want exit %d naming %s", r.code, r.stderr, tc.code, tc.want)
			}
		})
	}
}

// TestInspectProvenance checks inspect -json of a fresh model and of a
// version-2 file, which records no provenance.
func TestInspectProvenance(t *testing.T) {
	model, _ := trained(t, "iris.csv", "-target", "species", "-epochs", "3", "-seed", "9")
	r := runMLP(t, "", nil, "inspect", "-json", "-model", model)
	var v struct {
		FormatVersion int                 `json:"format_version"`
		Parameters    int                 `json:"parameters"`
		Provenance    *tabular.Provenance `json:"provenance"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &v); err != nil {
		t.Fatalf("inspect -json: %v\n%s", err, r.stdout)
	}
	if v.FormatVersion != 3 || v.Provenance == nil || v.Provenance.Seed != 9 || v.Provenance.GoVersion != runtime.Version() ||
		v.Provenance.Validation["val_accuracy"] == 0 || v.Parameters == 0 {
		t.Errorf("inspect -json = %s", r.stdout)
	}
	old := filepath.Join("..", "..", "tabular", "testdata", "pipeline_v2.mlp")
	r = runMLP(t, "", nil, "inspect", "-model", old)
	if r.code != 0 || !strings.Contains(r.stdout, "format version: 2") || !strings.Contains(r.stdout, "provenance: none recorded (format version 2)") {
		t.Errorf("inspect of a version-2 file: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	r = runMLP(t, "", nil, "inspect", "-json", "-model", old)
	if !strings.Contains(r.stdout, `"provenance":null`) {
		t.Errorf("inspect -json of a version-2 file: %s", r.stdout)
	}
}

// TestVersion checks that mlp version prints the module version and the
// build information.
func TestVersion(t *testing.T) {
	r := runMLP(t, "", nil, "version")
	for _, w := range []string{"mlp github.com/mlpkit/mlp ", "go: " + runtime.Version(), "build GOARCH: " + runtime.GOARCH, "dep gonum.org/v1/gonum "} {
		if r.code != 0 || !strings.Contains(r.stdout, w) {
			t.Errorf("mlp version: exit %d, output does not contain %q:\n%s", r.code, w, r.stdout)
		}
	}
}

// TestTrainWeightedFigures checks the line of validation figures weighted
// by -weight: with every weight equal it repeats the final line's figures,
// for a classifier and a regressor, and with other weights it differs and
// reaches -json and the model's provenance.
func TestTrainWeightedFigures(t *testing.T) {
	dir := t.TempDir()
	withWeights := func(name, src string, weight func(i int) string) string {
		b, err := os.ReadFile(src)
		if err != nil {
			t.Fatal(err)
		}
		var buf strings.Builder
		for i, line := range strings.Split(strings.TrimRight(string(b), "\n"), "\n") {
			w := "w"
			if i > 0 {
				w = weight(i)
			}
			buf.WriteString(line + "," + w + "\n")
		}
		return writeTemp(t, dir, name, buf.String())
	}
	weightedLine := regexp.MustCompile(`(?m)^weighted by -weight w: (val_loss=.*)$`)
	for _, tc := range []struct {
		name, src string
		args      []string
	}{
		{"classifier", "testdata/iris.csv", []string{"-target", "species", "-ignore", "id"}},
		{"regressor", "testdata/diabetes.csv", []string{"-target", "glucose"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			same := withWeights(tc.name+"_same.csv", tc.src, func(int) string { return "2.5" })
			args := append([]string{"train", "-data", same, "-weight", "w", "-epochs", "20", "-quiet", "-o", filepath.Join(dir, "m.mlp")}, tc.args...)
			r := runMLP(t, "", nil, args...)
			m := weightedLine.FindStringSubmatch(r.stdout)
			if r.code != 0 || m == nil {
				t.Fatalf("exit %d, no weighted line:\n%s%s", r.code, r.stdout, r.stderr)
			}
			if final := strings.TrimPrefix(lastLine(r.stdout), "final "); m[1] != final {
				t.Errorf("equal weights: weighted figures %q, unweighted %q", m[1], final)
			}
			other := withWeights(tc.name+"_other.csv", tc.src, func(i int) string { return fmt.Sprint(i % 4) })
			v, _ := trainedJSON(t, other, append([]string{"-weight", "w", "-epochs", "20"}, tc.args...)...)
			wv, ok := v["validation_weighted"].(map[string]any)
			if !ok || wv["loss"] == v["validation"].(map[string]any)["loss"] {
				t.Errorf("-json validation_weighted %v, validation %v: want other figures", v["validation_weighted"], v["validation"])
			}
		})
	}
}
