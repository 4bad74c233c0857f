package main

import (
	"bytes"
	"context"
	"math"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/mlpkit/mlp/tabular"
)

// netBytes returns the model file at path saved again without its
// provenance: the preprocessing, the classes and the net.
func netBytes(t *testing.T, path string) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := loadModel(t, path).WithProvenance(tabular.Provenance{}).Save(&b); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// TestTrainStreamRefit checks that -stream follows train's defaults as the
// in-memory path does: the -val rows choose the epoch count by their
// lowest val_loss, the report is the net of that epoch, and the saved
// model is trained again on every row for that many epochs: the same net
// as -stream -val 0 -epochs (the chosen count) trains. -json, the epochs:
// line and the model's provenance say so; -refit=false saves the report's
// net.
func TestTrainStreamRefit(t *testing.T) {
	args := []string{"-target", "species", "-ignore", "id", "-hidden", "8", "-lr", "0.01", "-alpha", "0", "-seed", "3", "-stream", "-buffer", "40"}
	v, _ := trainedJSON(t, "iris.csv", append(args, "-epochs", "300")...)
	num := func(key string) int {
		t.Helper()
		f, ok := v[key].(float64)
		if !ok {
			t.Fatalf("-json has no number %q: %v", key, v)
		}
		return int(f)
	}
	chosen, run := num("epochs_chosen"), num("epochs_run")
	if chosen >= run || v["refit"] != true || num("refit_epochs") != num("epochs") || num("training_rows") != 150 {
		t.Fatalf("-json %v: want epochs_chosen below epochs_run, refit true, refit_epochs = epochs, 150 training rows", v)
	}
	model, r := trained(t, "iris.csv", append(args, "-epochs", "300")...)
	if !strings.Contains(r.stdout, "; the saved model is trained again on all 150 rows for ") {
		t.Errorf("the epochs: line does not name the refit:\n%s", r.stdout)
	}
	pv, _ := loadModel(t, model).Provenance()
	if pv.Settings["refit"] != "true" || pv.TrainingRows != 150 || !strings.HasPrefix(pv.Convergence, "trained again on all 150 rows (-refit) for ") ||
		pv.Settings["stream_validation_fraction"] != "0.2" || pv.ValidationRows == 0 {
		t.Errorf("provenance %+v does not record the refit on every row and the -val rows", pv)
	}
	plain, _ := trained(t, "iris.csv", append(args, "-val", "0", "-epochs", strconv.Itoa(chosen))...)
	if !bytes.Equal(netBytes(t, model), netBytes(t, plain)) {
		t.Errorf("the refit differs from -stream -val 0 -epochs %d", chosen)
	}

	// -refit=false: the net of the chosen epoch, whose val_loss the final
	// line shows (with -alpha 0 the epoch lines' val_loss has no penalty).
	kept, r := trained(t, "iris.csv", append(args, "-epochs", "300", "-refit=false")...)
	m := regexp.MustCompile(`the lowest val_loss \((\d\.\d{4}), at epoch=(\d+)\)`).FindStringSubmatch(r.stdout)
	f := finalClassify.FindStringSubmatch(lastLine(r.stdout))
	if m == nil || f == nil {
		t.Fatalf("no epochs: line or final line:\n%s", r.stdout)
	}
	lines := regexp.MustCompile(`(?m)^epoch=\s*\d+ .*val_loss=\s*(\d\.\d+)`).FindAllStringSubmatch(r.stdout, -1)
	last, _ := strconv.ParseFloat(lines[len(lines)-1][1], 64)
	if m[1] != f[1] || math.Abs(last-floats(t, f)[0]) < 1e-3 {
		t.Errorf("-refit=false: final val_loss %s, the chosen epoch's %s, the last epoch's %v: want the chosen epoch's net", f[1], m[1], last)
	}
	pv, _ = loadModel(t, kept).Provenance()
	if pv.Settings["refit"] != "false" || pv.Epochs != chosen || pv.Settings["max_iter"] != strconv.Itoa(chosen) || pv.TrainingRows != 150-pv.ValidationRows ||
		!strings.HasPrefix(pv.Convergence, "trained on the training rows (-refit=false) for the "+strconv.Itoa(chosen)+" epochs the -val rows chose") {
		t.Errorf("-refit=false provenance %+v", pv)
	}
	if bytes.Equal(netBytes(t, kept), netBytes(t, model)) {
		t.Errorf("-refit=false saved the refit")
	}
}

// TestTrainStreamProgressTerminal checks -stream's status lines on a
// terminal, every epoch counting as long: the first fit's epoch of at most
// 1000 (the command's cap when the -val rows choose), and the refit's own;
// once they are taken out the log is the piped one.
func TestTrainStreamProgressTerminal(t *testing.T) {
	defer func(a, b time.Duration) { progressAfter, progressTick = a, b }(progressAfter, progressTick)
	progressAfter, progressTick = 0, time.Millisecond
	dir := t.TempDir()
	train := func(terminal bool) string {
		var out, errOut bytes.Buffer
		args := []string{"train", "-data", "testdata/iris.csv", "-target", "species", "-ignore", "id", "-seed", "2", "-lr", "0.01", "-stream", "-o", filepath.Join(dir, "m.mlp")}
		if code := run(context.Background(), args, &env{stdout: &out, stderr: &errOut, terminal: terminal}); code != 0 {
			t.Fatalf("exit %d: %s", code, errOut.String())
		}
		return out.String()
	}
	piped, term := train(false), train(true)
	if !regexp.MustCompile("\r\x1b\\[Kepoch \\d+ running \\(of at most 1000\\): ").MatchString(term) {
		t.Errorf("no status line of the first fit, of at most 1000 epochs:\n%q", term)
	}
	if !strings.Contains(term, "\r\x1b[Krefit on all 150 rows: epoch ") {
		t.Errorf("no status line for the refit on the terminal")
	}
	status := regexp.MustCompile("\r\x1b\\[K(refit on all 150 rows: )?epoch \\d+ running[^\r\n]*")
	if clean := strings.ReplaceAll(status.ReplaceAllString(term, ""), "\r\x1b[K", ""); clean != piped {
		t.Errorf("the terminal's log differs from the piped one once the status lines are out:\n%s\n---\n%s", clean, piped)
	}
}
