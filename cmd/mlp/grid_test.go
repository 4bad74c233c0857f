package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"

	"github.com/mlpkit/mlp/tabular"
)

// runMLPEnv runs the built command as runMLP does, with the environment
// variables env added and the batch systems' index variables removed.
func runMLPEnv(t testing.TB, env []string, args ...string) result {
	t.Helper()
	c := exec.Command(mlpBin, args...)
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "JOB_COMPLETION_INDEX=") && !strings.HasPrefix(kv, "SLURM_ARRAY_TASK_ID=") && !strings.HasPrefix(kv, sourceDateEpoch+"=") {
			c.Env = append(c.Env, kv)
		}
	}
	c.Env = append(c.Env, env...)
	var out, errb bytes.Buffer
	c.Stdout, c.Stderr = &out, &errb
	err := c.Run()
	if c.ProcessState == nil {
		t.Fatalf("mlp %s: %v", strings.Join(args, " "), err)
	}
	r := result{stdout: out.String(), stderr: errb.String(), code: c.ProcessState.ExitCode()}
	if ru, ok := c.ProcessState.SysUsage().(*syscall.Rusage); ok {
		r.maxRSS = ru.Maxrss << 10
	}
	return r
}

// testSpec is a grid of 4 candidates, 3 folds, on testdata/iris.csv.
const testSpec = `{"target": "species",
 "params": {"max_iter": 15, "random_state": 1, "learning_rate_init": 0.01, "batch_size": 32},
 "param_grid": {"hidden_layer_sizes": [[4], [8]], "alpha": [0.0001, 0.1]},
 "cv": 3, "shuffle": true, "seed": 5}`

// writeSpec writes spec into a new file of t's and returns its path.
func writeSpec(t *testing.T, spec string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "grid.json")
	if err := os.WriteFile(path, []byte(spec), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// mustRun runs the command and fails t unless it exits 0.
func mustRun(t *testing.T, env []string, args ...string) result {
	t.Helper()
	r := runMLPEnv(t, env, args...)
	if r.code != 0 {
		t.Fatalf("mlp %s: exit %d\n%s%s", strings.Join(args, " "), r.code, r.stdout, r.stderr)
	}
	return r
}

// The search as 12 processes, one job each (JOB_COMPLETION_INDEX 0..11,
// as a Kubernetes Indexed Job runs them; two by SLURM_ARRAY_TASK_ID and
// -index), then gathered, ranks as the search in one process does and
// writes the same model file, byte for byte, SOURCE_DATE_EPOCH fixing the
// date; and that search's scores are the library's GridSearch's, bit for
// bit.
func TestGridJobsGatherAsOneProcess(t *testing.T) {
	spec := writeSpec(t, testSpec)
	data := filepath.Join("testdata", "iris.csv")
	dir := t.TempDir()
	date := []string{sourceDateEpoch + "=1700000000"}
	if r := mustRun(t, nil, "grid", "-spec", spec, "-count"); r.stdout != "12\n" {
		t.Fatalf("-count printed %q, want 12", r.stdout)
	}
	results := filepath.Join(dir, "results")
	if err := os.Mkdir(results, 0o755); err != nil {
		t.Fatal(err)
	}
	for j := range 12 {
		env := []string{fmt.Sprintf("JOB_COMPLETION_INDEX=%d", j)}
		args := []string{"grid", "-spec", spec, "-data", data, "-results", results}
		switch j {
		case 4:
			env = []string{"SLURM_ARRAY_TASK_ID=4"}
		case 7:
			env, args = []string{"JOB_COMPLETION_INDEX=0"}, append(args, "-index", "7") // the flag wins
		}
		r := mustRun(t, env, args...)
		if !regexp.MustCompile(fmt.Sprintf(`(?m)^job %d of 12: candidate %d, fold %d: .*grid-%d\.json\ntest_accuracy=[01](\.\d+)?\n\z`, j, j/3, j%3, j)).MatchString(r.stdout) {
			t.Errorf("job %d printed %q", j, r.stdout)
		}
	}
	one := filepath.Join(dir, "one.mlp")
	gathered := filepath.Join(dir, "gathered.mlp")
	r1 := mustRun(t, date, "grid", "-spec", spec, "-data", data, "-o", one)
	r2 := mustRun(t, date, "grid", "-spec", spec, "-data", data, "-gather", results, "-o", gathered)
	table := func(out, model string) string {
		out = strings.ReplaceAll(out, model, "MODEL")
		return regexp.MustCompile(`(?m)^gathered: .*\n`).ReplaceAllString(out, "")
	}
	if table(r1.stdout, one) != table(r2.stdout, gathered) {
		t.Errorf("one process printed\n%s\ngathered\n%s", r1.stdout, r2.stdout)
	}
	if !regexp.MustCompile(`(?m)^rank  candidate  mean_test_accuracy  std_test_accuracy  params\n1 +\d +0\.\d{4} +0\.\d{4} +alpha=0\.\d+ hidden_layer_sizes=\[\d\]\n`).MatchString(r1.stdout) {
		t.Errorf("no table:\n%s", r1.stdout)
	}
	a, err := os.ReadFile(one)
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(gathered)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a, b) {
		t.Errorf("the gathered model file (%d bytes) differs from the one-process one (%d bytes)", len(b), len(a))
	}

	// The library's GridSearch on the same spec and data: the same scores
	// (-json), the same best, the same refit net.
	var got gridJSON
	rj := mustRun(t, nil, "grid", "-spec", spec, "-data", data, "-json")
	if err := json.Unmarshal([]byte(rj.stdout), &got); err != nil {
		t.Fatal(err)
	}
	g, err := tabular.ReadGridSpec(strings.NewReader(testSpec), "spec")
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(data)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	tab, err := g.CSVReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	cands, _, _ := g.Candidates(tab.Task)
	cv, _ := g.CVSettings(tab.Task)
	res, err := tabular.GridSearch(context.Background(), cands, tab, cv)
	if err != nil {
		t.Fatal(err)
	}
	if got.Best != res.Best || len(got.Candidates) != 4 {
		t.Fatalf("-json best %d of %d candidates; GridSearch %d of 4", got.Best, len(got.Candidates), res.Best)
	}
	for c, cr := range res.Results {
		for fold, s := range cr.Scores {
			if math.Float64bits(float64(got.Candidates[c].Scores[fold])) != math.Float64bits(s) {
				t.Errorf("candidate %d fold %d: %v, GridSearch %v", c, fold, got.Candidates[c].Scores[fold], s)
			}
		}
		if got.Candidates[c].Rank != res.Rank[c] {
			t.Errorf("candidate %d: rank %d, GridSearch %d", c, got.Candidates[c].Rank, res.Rank[c])
		}
	}
	p := loadModel(t, one)
	wantNet, _ := res.BestModel.Pipeline().Net()
	gotNet, _ := p.Net()
	if fmt.Sprint(gotNet.Params()[0].Value.RawMatrix().Data) != fmt.Sprint(wantNet.Params()[0].Value.RawMatrix().Data) {
		t.Error("the model file's first weights differ from GridSearch's BestModel")
	}
	pv, _ := p.Provenance()
	if pv.Created.Unix() != 1700000000 || pv.DataSHA256 != got.DataSHA256 || pv.ValidationRows != 150 || pv.Validation["mean_test_accuracy"] != float64(got.Candidates[got.Best].Mean) {
		t.Errorf("provenance %+v", pv)
	}
}

// A gather refuses results that are missing, of another spec or other
// data, or not result files, naming the file; a job's index comes from
// -index, JOB_COMPLETION_INDEX or SLURM_ARRAY_TASK_ID and must be in range.
func TestGridGatherErrors(t *testing.T) {
	spec := writeSpec(t, testSpec)
	data := filepath.Join("testdata", "iris.csv")
	results := t.TempDir()
	for _, j := range []string{"0", "1", "2"} {
		mustRun(t, []string{"JOB_COMPLETION_INDEX=" + j}, "grid", "-spec", spec, "-data", data, "-results", results)
	}
	r := runMLPEnv(t, nil, "grid", "-spec", spec, "-data", data, "-gather", results)
	oneLineError(t, r, "the results of 9 of the 12 jobs are missing (jobs 3, 4, 5, 6, 7, 8, 9, 10, 11")
	// Another scoring is another spec.
	r = runMLPEnv(t, nil, "grid", "-spec", spec, "-data", data, "-gather", results, "-scoring", "f1_macro")
	oneLineError(t, r, "grid-0.json: written for another grid spec")
	// Other data: the same rows with a blank line more.
	b, _ := os.ReadFile(data)
	other := filepath.Join(t.TempDir(), "iris.csv")
	os.WriteFile(other, append(b, '\n'), 0o644)
	r = runMLPEnv(t, nil, "grid", "-spec", spec, "-data", other, "-gather", results)
	oneLineError(t, r, "grid-0.json: written for other data (data_sha256")
	// A file that is not a result; one that holds another job.
	os.WriteFile(filepath.Join(results, "grid-1.json"), []byte("{}"), 0o644)
	r = runMLPEnv(t, nil, "grid", "-spec", spec, "-data", data, "-gather", results)
	oneLineError(t, r, `grid-1.json: format ""; want "mlp grid result"`)
	zero, _ := os.ReadFile(filepath.Join(results, "grid-0.json"))
	os.WriteFile(filepath.Join(results, "grid-1.json"), zero, 0o644)
	r = runMLPEnv(t, nil, "grid", "-spec", spec, "-data", data, "-gather", results)
	oneLineError(t, r, "grid-1.json: holds job 0 of 12 (candidate 0, fold 0 of 3); want job 1 of 12")

	for _, c := range []struct {
		env  []string
		args []string
		says string
	}{
		{[]string{"JOB_COMPLETION_INDEX=12"}, nil, "JOB_COMPLETION_INDEX 12 is outside [0, 12)"},
		{[]string{"SLURM_ARRAY_TASK_ID=x"}, nil, `SLURM_ARRAY_TASK_ID="x" is not a job index`},
		{nil, nil, "give -index N, or set JOB_COMPLETION_INDEX or SLURM_ARRAY_TASK_ID"},
		{nil, []string{"-index", "99"}, "-index 99 is outside [0, 12)"},
		{nil, []string{"-index", "1", "-o", "m.mlp"}, "a job writes its result file"},
	} {
		r := runMLPEnv(t, c.env, append([]string{"grid", "-spec", spec, "-data", data, "-results", results}, c.args...)...)
		if r.code != 2 || !strings.Contains(r.stderr, c.says) {
			t.Errorf("%v %v: exit %d, %q; want 2 and %q", c.env, c.args, r.code, r.stderr, c.says)
		}
	}
	// -index without -results writes nothing; -results - writes the result to stdout.
	if r := runMLPEnv(t, nil, "grid", "-spec", spec, "-data", data, "-index", "1"); r.code != 2 || !strings.Contains(r.stderr, "give -results DIR") {
		t.Errorf("-index alone: %d %q", r.code, r.stderr)
	}
	r = mustRun(t, nil, "grid", "-spec", spec, "-data", data, "-index", "5", "-results", "-")
	var res jobResult
	if err := json.Unmarshal([]byte(r.stdout), &res); err != nil || res.Job != 5 || res.Candidate != 1 || res.Fold != 2 || fmt.Sprint(res.Params["hidden_layer_sizes"]) != "[8]" {
		t.Errorf("-results -: %+v, %v\n%s", res, err, r.stdout)
	}
}

// Spec errors name the file and the key; flags that cannot go together
// are usage errors.
func TestGridSpecErrors(t *testing.T) {
	data := filepath.Join("testdata", "iris.csv")
	bad := writeSpec(t, `{"param_grid": {"alpha": [0.1]}, "folds": 3}`)
	r := runMLPEnv(t, nil, "grid", "-spec", bad, "-data", data, "-target", "species")
	oneLineError(t, r, "grid spec "+bad+`: unknown key "folds"`)
	typed := writeSpec(t, `{"param_grid": {"alpha": ["big"]}}`)
	r = runMLPEnv(t, nil, "grid", "-spec", typed, "-count")
	oneLineError(t, r, `key "param_grid": candidate 0: mlp: invalid setting: parameter "alpha": "big"; want a number`)
	spec := writeSpec(t, testSpec)
	for _, c := range []struct {
		args []string
		says string
	}{
		{[]string{"-data", data, "-target", "site"}, "-target site differs from the spec's target species"},
		{[]string{"-data", data, "-scoring", "r2"}, "the scoring r2 scores a regression model; the target is classification"},
		{[]string{"-data", data, "-scoring", "auc"}, `invalid value "auc" for flag -scoring`},
		{[]string{"-data", data, "-gather", "x", "-index", "1"}, "-gather reads the jobs' results"},
		{[]string{}, "-data is required"},
	} {
		r := runMLPEnv(t, nil, append([]string{"grid", "-spec", spec}, c.args...)...)
		if r.code != 2 || !strings.Contains(r.stderr, c.says) {
			t.Errorf("%v: exit %d, %q; want 2 and %q", c.args, r.code, r.stderr, c.says)
		}
	}
	noTarget := writeSpec(t, `{"param_grid": {"alpha": [0.1]}, "params": {"max_iter": 3}, "cv": 2}`)
	if r := runMLPEnv(t, nil, "grid", "-spec", noTarget, "-data", data); r.code != 2 || !strings.Contains(r.stderr, "names no target: give -target COLUMN") {
		t.Errorf("no target: %d %q", r.code, r.stderr)
	}
	r = mustRun(t, nil, "grid", "-spec", noTarget, "-data", data, "-target", "species", "-scoring", "f1_macro")
	if !strings.Contains(r.stdout, "grid: 1 candidates × 2 folds = 2 fits; folds 2 (StratifiedKFold, rows in file order); scoring f1_macro") ||
		!regexp.MustCompile(`(?m)^final mean_test_f1_macro=0\.\d{4} std_test_f1_macro=0\.\d{4}$`).MatchString(r.stdout) {
		t.Errorf("stdout %s", r.stdout)
	}
	// The spec's scoring, a probability scorer.
	logLoss := writeSpec(t, `{"param_grid": {"alpha": [0.1]}, "params": {"max_iter": 3}, "cv": 2, "target": "species", "scoring": "neg_log_loss"}`)
	r = mustRun(t, nil, "grid", "-spec", logLoss, "-data", data)
	if !strings.Contains(r.stdout, "; scoring neg_log_loss\n") ||
		!regexp.MustCompile(`(?m)^final mean_test_neg_log_loss=-\d+\.\d{4} std_test_neg_log_loss=\d+\.\d{4}$`).MatchString(r.stdout) {
		t.Errorf("stdout %s", r.stdout)
	}
	strat := writeSpec(t, `{"param_grid": {}, "params": {"max_iter": 3}, "cv": 2, "stratify": true, "target": "progression"}`)
	if r := runMLPEnv(t, nil, "grid", "-spec", strat, "-data", filepath.Join("testdata", "diabetes.csv")); r.code != 2 || !strings.Contains(r.stderr, `"stratify": true; stratified folds need a classification target, and progression is regression`) {
		t.Errorf("stratify on a regression target: %d %q", r.code, r.stderr)
	}
	noRefit := writeSpec(t, `{"param_grid": {}, "params": {"max_iter": 3}, "cv": 2, "refit": false, "target": "species"}`)
	if r := runMLPEnv(t, nil, "grid", "-spec", noRefit, "-data", data, "-o", filepath.Join(t.TempDir(), "m.mlp")); r.code != 2 || !strings.Contains(r.stderr, `"refit": false`) {
		t.Errorf("-o with refit false: %d %q", r.code, r.stderr)
	}
}
