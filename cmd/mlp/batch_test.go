package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/mlpkit/mlp/internal/needtool"
)

// argAfter returns the argument after flag in args, failing t when there
// is none.
func argAfter(t *testing.T, args []any, flag string) string {
	t.Helper()
	for i, a := range args {
		if a == flag && i+1 < len(args) {
			return fmt.Sprint(args[i+1])
		}
	}
	t.Fatalf("no %s in %v", flag, args)
	return ""
}

// mountOf returns the volume name mounted at the longest mount path of
// container c that holds path.
func mountOf(t *testing.T, c any, path string) string {
	t.Helper()
	best, name := "", ""
	for _, m := range at(t, c, "volumeMounts").([]any) {
		mp := fmt.Sprint(m.(map[string]any)["mountPath"])
		if strings.HasPrefix(path, mp+"/") && len(mp) > len(best) {
			best, name = mp, fmt.Sprint(m.(map[string]any)["name"])
		}
	}
	if name == "" {
		t.Fatalf("no volume mounted over %s", path)
	}
	return name
}

// TestBatchRecipes checks deploy/batch: the Indexed Job's completions and
// the Slurm array's range are `mlp grid -count` of the spec there; the grid
// and gather Jobs read the same spec and data and share the results
// directory, on the volume pvc.yaml claims; and grid.sbatch run by bash for
// every task, then gather.sbatch, write a model file.
func TestBatchRecipes(t *testing.T) {
	spec := filepath.Join("..", "..", "deploy", "batch", "grid.json")
	r := mustRun(t, nil, "grid", "-spec", spec, "-count")
	count, err := strconv.Atoi(strings.TrimSpace(r.stdout))
	if err != nil || count != 12 {
		t.Fatalf("-count printed %q; want 12 for 4 candidates × 3 folds", r.stdout)
	}
	t.Run("kubernetes", func(t *testing.T) {
		if err := exec.Command("/usr/bin/python3", "-c", "import yaml").Run(); err != nil {
			needtool.Missing(t, "/usr/bin/python3 with PyYAML is needed to read deploy/batch/*.yaml: apt-get install -y python3-yaml")
		}
		job := readYAML(t, "batch/grid-job.yaml")[0]
		gather := readYAML(t, "batch/gather-job.yaml")[0]
		pvc := readYAML(t, "batch/pvc.yaml")[0]
		if job["kind"] != "Job" || gather["kind"] != "Job" || pvc["kind"] != "PersistentVolumeClaim" {
			t.Fatalf("kinds %v, %v, %v", job["kind"], gather["kind"], pvc["kind"])
		}
		if m := at(t, job, "spec", "completionMode"); m != "Indexed" {
			t.Errorf("completionMode %v", m)
		}
		if c := at(t, job, "spec", "completions"); c != float64(count) {
			t.Errorf("completions %v; mlp grid -count says %d", c, count)
		}
		jc := at(t, job, "spec", "template", "spec", "containers", 0)
		gc := at(t, gather, "spec", "template", "spec", "containers", 0)
		jargs, gargs := at(t, jc, "args").([]any), at(t, gc, "args").([]any)
		if jargs[0] != "grid" || gargs[0] != "grid" || slices.Contains(jargs, "-index") {
			t.Errorf("args %v and %v", jargs, gargs)
		}
		for _, f := range []string{"-spec", "-data"} {
			if a, b := argAfter(t, jargs, f), argAfter(t, gargs, f); a != b {
				t.Errorf("%s: %s in the grid Job, %s in the gather", f, a, b)
			}
		}
		results := argAfter(t, jargs, "-results")
		if g := argAfter(t, gargs, "-gather"); g != results {
			t.Errorf("the Job writes %s, the gather reads %s", results, g)
		}
		for _, c := range []struct {
			job  map[string]any
			cont any
		}{{job, jc}, {gather, gc}} {
			work := mountOf(t, c.cont, results)
			specVol := mountOf(t, c.cont, argAfter(t, jargs, "-spec"))
			for _, v := range at(t, c.job, "spec", "template", "spec", "volumes").([]any) {
				v := v.(map[string]any)
				switch v["name"] {
				case work:
					if claim := at(t, v, "persistentVolumeClaim", "claimName"); claim != at(t, pvc, "metadata", "name") {
						t.Errorf("claim %v, pvc.yaml names %v", claim, at(t, pvc, "metadata", "name"))
					}
				case specVol:
					if cm := at(t, v, "configMap", "name"); cm != "mlp-grid-spec" {
						t.Errorf("spec ConfigMap %v", cm)
					}
				}
			}
			if u := at(t, c.job, "spec", "template", "spec", "securityContext", "runAsUser"); u != 65532.0 {
				t.Errorf("runAsUser %v", u)
			}
		}
		if m := fmt.Sprint(at(t, pvc, "spec", "accessModes")); m != "[ReadWriteMany]" {
			t.Errorf("accessModes %v", m)
		}
	})
	t.Run("slurm", func(t *testing.T) {
		b, err := os.ReadFile(filepath.Join("..", "..", "deploy", "batch", "grid.sbatch"))
		if err != nil {
			t.Fatal(err)
		}
		m := regexp.MustCompile(`(?m)^#SBATCH --array=0-(\d+)$`).FindSubmatch(b)
		if m == nil || string(m[1]) != strconv.Itoa(count-1) {
			t.Fatalf("the array %q; want 0-%d", m, count-1)
		}
		bash, err := exec.LookPath("bash")
		if err != nil {
			needtool.Missing(t, "bash is needed to run deploy/batch/*.sbatch: apt-get install -y bash")
		}
		dir := t.TempDir()
		results := filepath.Join(dir, "results")
		os.Mkdir(results, 0o755)
		abs := func(p string) string { a, _ := filepath.Abs(p); return a }
		env := append(os.Environ(), "MLP="+mlpBin, "SPEC="+abs(spec), "DATA="+abs(filepath.Join("testdata", "iris.csv")), "RESULTS="+results)
		for task := range count {
			c := exec.Command(bash, filepath.Join("..", "..", "deploy", "batch", "grid.sbatch"))
			c.Env = append(env, "SLURM_ARRAY_TASK_ID="+strconv.Itoa(task))
			if out, err := c.CombinedOutput(); err != nil {
				t.Fatalf("task %d: %v\n%s", task, err, out)
			}
		}
		c := exec.Command(bash, filepath.Join("..", "..", "deploy", "batch", "gather.sbatch"))
		c.Env = append(env, "OUT="+filepath.Join(dir, "best.mlp"))
		out, err := c.CombinedOutput()
		if err != nil {
			t.Fatalf("gather: %v\n%s", err, out)
		}
		if !strings.Contains(string(out), "gathered: the results of all 12 jobs") {
			t.Errorf("gather printed\n%s", out)
		}
		if p := loadModel(t, filepath.Join(dir, "best.mlp")); p.Task().String() != "classification" {
			t.Errorf("best.mlp task %v", p.Task())
		}
	})
}
