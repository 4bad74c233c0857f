package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/mlpkit/mlp/internal/atomicfile"
	"github.com/mlpkit/mlp/tabular"
)

// The environment variables a batch system sets to a job's index: a
// Kubernetes Indexed Job's, then a Slurm job array's.
var indexVariables = []string{"JOB_COMPLETION_INDEX", "SLURM_ARRAY_TASK_ID"}

// resultFormat names the result files of grid's jobs.
const resultFormat = "mlp grid result"

// jobResult is the result file of one job of a grid search.
type jobResult struct {
	Format string `json:"format"`
	// SpecSHA256 is the SHA-256 of the spec as the job read it (JSON, with
	// -target and -scoring applied), DataSHA256 that of the data file's
	// bytes: a gather checks both against its own.
	SpecSHA256 string `json:"spec_sha256"`
	DataSHA256 string `json:"data_sha256"`
	Job        int    `json:"job"`
	Jobs       int    `json:"jobs"`
	Candidate  int    `json:"candidate"`
	Fold       int    `json:"fold"`
	Folds      int    `json:"folds"`
	Scoring    string `json:"scoring"`
	// Score is the fold's test score, to the bit.
	Score  jsonScore      `json:"score"`
	Params map[string]any `json:"params"`
}

// resultName returns the name of job j's result file.
func resultName(j int) string { return "grid-" + strconv.Itoa(j) + ".json" }

// jobIndex returns the job index: the -index flag when given, else the
// first of indexVariables that is set.
func jobIndex(flagIndex int, flagGiven bool, jobs int) (int, error) {
	where := "-index"
	n := flagIndex
	if !flagGiven {
		n = -1
		for _, v := range indexVariables {
			text, ok := os.LookupEnv(v)
			if !ok {
				continue
			}
			i, err := strconv.Atoi(strings.TrimSpace(text))
			if err != nil {
				return 0, usagef("%s=%q is not a job index, an integer from 0", v, text)
			}
			where, n = v, i
			break
		}
		if n == -1 {
			return 0, usagef("-results runs one job: give -index N, or set %s", strings.Join(indexVariables, " or "))
		}
	}
	if n < 0 || n >= jobs {
		return 0, usagef("%s %d is outside [0, %d): the spec has %d jobs (candidates × folds; mlp grid -count prints it)", where, n, jobs, jobs)
	}
	return n, nil
}

// runJob runs one job of the search and writes its result file into dir
// (standard output for "-"), printing the score as Katib's metrics
// collector reads it, name=value.
func runJob(ctx context.Context, e *env, r *gridRun, flagIndex int, flagGiven bool, dir string) error {
	jobs := len(r.cands) * r.folds
	j, err := jobIndex(flagIndex, flagGiven, jobs)
	if err != nil {
		return err
	}
	var dst *atomicfile.Target
	if dir != "-" {
		if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
			return fmt.Errorf("-results %s: not a directory", dir)
		}
		if dst, err = atomicfile.Check(filepath.Join(dir, resultName(j))); err != nil {
			return fmt.Errorf("-results: %w", err)
		}
	}
	score, err := tabular.GridSearchJob(ctx, r.cands, r.data.table, r.cv, j)
	if err != nil {
		return err
	}
	res := jobResult{
		Format: resultFormat, SpecSHA256: r.specSHA256, DataSHA256: r.data.sha256,
		Job: j, Jobs: jobs, Candidate: j / r.folds, Fold: j % r.folds, Folds: r.folds,
		Scoring: r.scoring, Score: jsonScore(score), Params: r.sets[j/r.folds],
	}
	b, err := json.Marshal(res)
	if err != nil {
		return err
	}
	b = append(b, '\n')
	if dst == nil {
		_, err = e.stdout.Write(b)
		return err
	}
	if err := dst.Write(func(w io.Writer) error { _, err := w.Write(b); return err }); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "job %d of %d: candidate %d, fold %d: %s\n", j, jobs, res.Candidate, res.Fold, dst.Path())
	_, err = fmt.Fprintf(e.stdout, "test_%s=%s\n", r.scoring, formatFloat(score))
	return err
}

// gatherResults reads the result file of every job of r from dir and
// returns the scores by candidate and fold. A missing file, a file of
// another spec or data, or one that does not hold its job's result is an
// error naming the file.
func gatherResults(dir string, r *gridRun) ([][]float64, error) {
	jobs := len(r.cands) * r.folds
	scores := make([][]float64, len(r.cands))
	for c := range scores {
		scores[c] = make([]float64, r.folds)
	}
	var missing []string
	for j := range jobs {
		path := filepath.Join(dir, resultName(j))
		b, err := os.ReadFile(path)
		if errors.Is(err, fs.ErrNotExist) {
			missing = append(missing, strconv.Itoa(j))
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("-gather: %w", err)
		}
		res, err := readResult(b, r, j)
		if err != nil {
			return nil, fmt.Errorf("-gather: %s: %w", path, err)
		}
		scores[res.Candidate][res.Fold] = float64(res.Score)
	}
	if missing != nil {
		shown := missing
		if len(shown) > 10 {
			shown = append(shown[:10:10], "...")
		}
		return nil, fmt.Errorf("-gather %s: the results of %d of the %d jobs are missing (jobs %s; files %s): run them, or wait for them to finish",
			dir, len(missing), jobs, strings.Join(shown, ", "), resultName(0)[:5]+"N.json")
	}
	return scores, nil
}

// readResult decodes the result file b of job j and checks that it
// belongs to r.
func readResult(b []byte, r *gridRun, j int) (*jobResult, error) {
	d := json.NewDecoder(bytes.NewReader(b))
	d.DisallowUnknownFields()
	var res jobResult
	if err := d.Decode(&res); err != nil {
		return nil, fmt.Errorf("not a result file of mlp grid: %v", err)
	}
	jobs := len(r.cands) * r.folds
	switch {
	case res.Format != resultFormat:
		return nil, fmt.Errorf("format %q; want %q", res.Format, resultFormat)
	case res.SpecSHA256 != r.specSHA256:
		return nil, fmt.Errorf("written for another grid spec (spec_sha256 %s; the spec, with -target and -scoring, gives %s)", res.SpecSHA256, r.specSHA256)
	case res.DataSHA256 != r.data.sha256:
		return nil, fmt.Errorf("written for other data (data_sha256 %s; %s has %s)", res.DataSHA256, dataName(r.dataPath), r.data.sha256)
	case res.Job != j || res.Jobs != jobs || res.Folds != r.folds || res.Candidate != j/r.folds || res.Fold != j%r.folds:
		return nil, fmt.Errorf("holds job %d of %d (candidate %d, fold %d of %d); want job %d of %d", res.Job, res.Jobs, res.Candidate, res.Fold, res.Folds, j, jobs)
	case res.Scoring != r.scoring:
		return nil, fmt.Errorf("scored with %s; want %s", res.Scoring, r.scoring)
	}
	return &res, nil
}
