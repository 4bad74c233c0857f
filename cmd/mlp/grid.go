package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"maps"
	"math"
	"os"
	"slices"
	"strings"
	"text/tabwriter"
	"unicode/utf8"

	"github.com/mlpkit/mlp/internal/atomicfile"
	"github.com/mlpkit/mlp/tabular"
)

func init() {
	register(&command{
		name: "grid",
		args: "-spec GRID.json -data FILE.csv [-target COLUMN] [-scoring NAME] [-workers N] [-json] [-o MODEL]\n" +
			"       mlp grid -spec GRID.json -count\n" +
			"       mlp grid -spec GRID.json -data FILE.csv [-index N] -results DIR|-     (one job; N from JOB_COMPLETION_INDEX or SLURM_ARRAY_TASK_ID)\n" +
			"       mlp grid -spec GRID.json -data FILE.csv -gather DIR [-json] [-o MODEL]",
		summary: "grid search: cross-validate every candidate of a JSON grid spec, rank them, refit the best; or one job of it, or gather the jobs",
		setup:   setupGrid,
	})
}

// gridFlags are the flags of grid.
type gridFlags struct {
	spec, data, scoring, out, results, gather *string
	targets                                   repeatedFlag
	workers, index                            *int
	count, asJSON, detectNA                   *bool
}

func setupGrid(fs *flag.FlagSet) func(context.Context, *env) error {
	g := &gridFlags{}
	g.spec = fs.String("spec", "", "the grid spec, a JSON `file`: param_grid, params, cv, scoring, target, ... (docs/command.md) (required)")
	g.data = fs.String("data", "", "the CSV `file` to search on, with a header row; - reads standard input (required but with -count)")
	fs.Var(&g.targets, "target", "a target `column`, when the spec names none; repeat for several")
	g.scoring = fs.String("scoring", "", "the score of each fold, by scikit-learn's `name`, in place of the spec's: "+scoringNames())
	g.workers = fs.Int("workers", 0, "the number of fits run at once, at least 1 (default: one per core, GOMAXPROCS); the results do not depend on it")
	g.out = fs.String("o", "", "write the best candidate, fitted on all rows, to the model `file` (a pipeline file as train -o writes)")
	g.asJSON = fs.Bool("json", false, "print one JSON object instead of the table: each candidate's params, scores, mean, std and rank, and the best")
	g.count = fs.Bool("count", false, "print the number of jobs, candidates × folds, and exit: the size of a batch system's array")
	g.index = fs.Int("index", -1, "run only job `N` in [0, candidates×folds): candidate N/folds on fold N%folds (default: $JOB_COMPLETION_INDEX, else $SLURM_ARRAY_TASK_ID, with -results)")
	g.results = fs.String("results", "", "with a job: the `directory` to write its result file into, grid-N.json; - writes it to standard output")
	g.detectNA = addDetectNAFlag(fs)
	g.gather = fs.String("gather", "", "read the result files of every job from `directory`, check them, rank the candidates and refit the best")
	return func(ctx context.Context, e *env) error {
		given := map[string]bool{}
		fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
		return runGrid(ctx, e, g, given)
	}
}

// gridRun is a grid search read from its spec and data.
type gridRun struct {
	spec       *tabular.GridSpec
	specSHA256 string
	data       *dataFile
	dataPath   string
	scoring    string // the scoring's name, "accuracy" or "r2" by default
	cands      []tabular.Estimator[*tabular.FittedMLP]
	sets       []map[string]any // the grid's parameters of each candidate
	cv         tabular.CVSettings
	folds      int
}

func runGrid(ctx context.Context, e *env, g *gridFlags, given map[string]bool) error {
	switch {
	case *g.spec == "":
		return usagef("-spec is required")
	case *g.workers < 0 || given["workers"] && *g.workers == 0:
		return usagef("invalid value %d for flag -workers: must be at least 1", *g.workers)
	case given["index"] && *g.index < 0:
		return usagef("invalid value %d for flag -index: must be at least 0", *g.index)
	case *g.gather != "" && (given["index"] || given["results"]):
		return usagef("-gather reads the jobs' results; -index and -results run one job")
	case given["index"] && !given["results"]:
		return usagef("-index runs one job: give -results DIR (or - for standard output)")
	case given["results"] && *g.results == "":
		return usagef("invalid value \"\" for flag -results: want a directory, or -")
	case given["results"] && (*g.out != "" || *g.asJSON):
		return usagef("a job writes its result file; -o and -json are for the whole search or -gather")
	}
	spec, err := readSpec(*g.spec)
	if err != nil {
		return err
	}
	if given["scoring"] {
		if _, ok := tabular.ScoringTask(*g.scoring); !ok {
			return usagef("invalid value %q for flag -scoring: want one of %s", *g.scoring, scoringNames())
		}
		spec.Scoring = *g.scoring
	}
	if len(g.targets) > 0 {
		if len(spec.Target) > 0 && !slices.Equal(spec.Target, g.targets) {
			return usagef("-target %s differs from the spec's target %s", g.targets.String(), strings.Join(spec.Target, ","))
		}
		spec.Target = g.targets
	}
	if *g.count {
		_, sets, err := spec.Candidates(tabular.AutoTask)
		if err != nil {
			return err
		}
		_, err = fmt.Fprintln(e.stdout, tabular.GridSearchJobs(len(sets), tabular.CVSettings{K: spec.CV}))
		return err
	}
	switch {
	case *g.data == "":
		return usagef("-data is required")
	case len(spec.Target) == 0:
		return usagef("the spec %s names no target: give -target COLUMN", *g.spec)
	}
	var dst *atomicfile.Target
	if *g.out != "" {
		if dst, err = output(*g.out, flagPath{"-data", *g.data}, flagPath{"-spec", *g.spec}); err != nil {
			return err
		}
	}
	r, err := loadGrid(spec, *g.data, *g.detectNA, e)
	if err != nil {
		return err
	}
	r.cv.Workers = *g.workers
	if given["results"] {
		return runJob(ctx, e, r, *g.index, given["index"], *g.results)
	}
	var res *tabular.GridResult[*tabular.FittedMLP]
	if *g.gather != "" {
		scores, err := gatherResults(*g.gather, r)
		if err != nil {
			return err
		}
		if !*g.asJSON {
			printKernel(e)
			fmt.Fprint(e.stdout, r.summary())
			fmt.Fprintf(e.stdout, "gathered: the results of all %d jobs from %s\n", len(r.cands)*r.folds, *g.gather)
		}
		res, err = tabular.GridSearchGather(ctx, r.cands, r.data.table, r.cv, scores)
		if err != nil {
			return err
		}
	} else {
		if !*g.asJSON {
			printKernel(e)
			fmt.Fprint(e.stdout, r.summary())
		}
		if res, err = tabular.GridSearch(ctx, r.cands, r.data.table, r.cv); err != nil {
			return err
		}
	}
	if dst != nil {
		if res.BestModel == nil {
			return usagef("-o: the spec says \"refit\": false, so there is no best model to write")
		}
		if err := r.writeBest(dst, res); err != nil {
			return err
		}
	}
	if *g.asJSON {
		return r.printJSON(e.stdout, res, *g.out)
	}
	return r.printTable(e.stdout, res, *g.out)
}

// readSpec reads the grid spec file at path.
func readSpec(path string) (*tabular.GridSpec, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return tabular.ReadGridSpec(f, path)
}

// loadGrid reads the data as spec says and builds the candidates and the
// cross-validation.
func loadGrid(spec *tabular.GridSpec, data string, detectNA bool, e *env) (*gridRun, error) {
	canon, err := json.Marshal(spec)
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(canon)
	r := &gridRun{spec: spec, specSHA256: hex.EncodeToString(sum[:]), dataPath: data}
	comma := ','
	if spec.Sep != "" {
		comma, _ = utf8.DecodeRuneInString(spec.Sep)
	}
	newReader := func(in io.Reader) *tabular.CSVReader {
		rd := spec.CSVReader(in)
		rd.DetectNA = detectNA
		return rd
	}
	if r.data, err = readData(data, "grid", comma, e, newReader); err != nil {
		return nil, err
	}
	task := r.data.table.Task
	if r.scoring, err = scoringFor(spec.Scoring, task, "the scoring"); err != nil {
		return nil, err
	}
	if r.cands, r.sets, err = spec.Candidates(task); err != nil {
		return nil, err
	}
	if r.cv, err = spec.CVSettings(task); err != nil {
		return nil, err
	}
	if r.cv.Stratify && task != tabular.Classification {
		return nil, usagef("the spec says \"stratify\": true; stratified folds need a classification target, and %s is %v", strings.Join(spec.Target, ","), task)
	}
	r.folds = tabular.GridSearchJobs(1, r.cv)
	return r, nil
}

// summary says what the search runs.
func (r *gridRun) summary() string {
	t := r.data.table
	return fmt.Sprintf("data: %s: %d rows, %d feature columns, target %s: %s\ngrid: %d candidates × %d folds = %d fits; folds %s; scoring %s\n",
		dataName(r.dataPath), t.Rows(), len(t.Features), strings.Join(r.spec.Target, ","), t.Task,
		len(r.cands), r.folds, len(r.cands)*r.folds, foldsText(r.cv), r.scoring)
}

// paramsText writes a candidate's grid parameters as name=value pairs in
// name order, each value as JSON.
func paramsText(set map[string]any) string {
	var parts []string
	for _, k := range slices.Sorted(maps.Keys(set)) {
		b, _ := json.Marshal(set[k])
		parts = append(parts, k+"="+string(b))
	}
	if parts == nil {
		return "(the spec's params)"
	}
	return strings.Join(parts, " ")
}

// byRank returns the candidates' indices by rank, then index.
func byRank(res *tabular.GridResult[*tabular.FittedMLP]) []int {
	order := make([]int, len(res.Rank))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return res.Rank[a] - res.Rank[b] })
	return order
}

// printTable prints the candidates by rank and the best.
func (r *gridRun) printTable(w io.Writer, res *tabular.GridResult[*tabular.FittedMLP], out string) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "rank\tcandidate\tmean_test_%s\tstd_test_%s\tparams\n", r.scoring, r.scoring)
	for _, c := range byRank(res) {
		cv := res.Results[c]
		fmt.Fprintf(tw, "%d\t%d\t%s\t%s\t%s\n", res.Rank[c], c, fourDecimals(cv.Mean), fourDecimals(cv.Std), paramsText(r.sets[c]))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	best := res.Results[res.Best]
	fmt.Fprintf(w, "best: candidate %d, %s\n", res.Best, paramsText(r.sets[res.Best]))
	if out != "" {
		fmt.Fprintf(w, "model: %s (candidate %d fitted on all %d rows)\n", out, res.Best, r.data.table.Rows())
	}
	_, err := fmt.Fprintf(w, "final mean_test_%s=%s std_test_%s=%s\n", r.scoring, fourDecimals(best.Mean), r.scoring, fourDecimals(best.Std))
	return err
}

// gridJSON is the object grid -json prints.
type gridJSON struct {
	Data       string          `json:"data"`
	DataSHA256 string          `json:"data_sha256"`
	SpecSHA256 string          `json:"spec_sha256"`
	Task       string          `json:"task"`
	Rows       int             `json:"rows"`
	Folds      int             `json:"folds"`
	Scoring    string          `json:"scoring"`
	Candidates []candidateJSON `json:"candidates"`
	Best       int             `json:"best"`
	Model      string          `json:"model,omitempty"`
}

// candidateJSON is one candidate in gridJSON.
type candidateJSON struct {
	Params map[string]any `json:"params"`
	Scores []jsonScore    `json:"scores"`
	Mean   jsonScore      `json:"mean"`
	Std    jsonScore      `json:"std"`
	Rank   int            `json:"rank"`
}

// printJSON prints the search as one JSON object, the candidates in
// their order.
func (r *gridRun) printJSON(w io.Writer, res *tabular.GridResult[*tabular.FittedMLP], out string) error {
	v := gridJSON{
		Data: dataName(r.dataPath), DataSHA256: r.data.sha256, SpecSHA256: r.specSHA256, Task: r.data.table.Task.String(),
		Rows: r.data.table.Rows(), Folds: r.folds, Scoring: r.scoring, Best: res.Best, Model: out,
	}
	for c, cv := range res.Results {
		v.Candidates = append(v.Candidates, candidateJSON{Params: r.sets[c], Scores: jsonScores(cv.Scores), Mean: jsonScore(cv.Mean), Std: jsonScore(cv.Std), Rank: res.Rank[c]})
	}
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(w, "%s\n", b)
	return err
}

// writeBest writes the refit best model with its provenance: the data's
// name and SHA-256, the columns left out, and the best candidate's
// cross-validated figures (mean_test_<scoring>, std_test_<scoring>) as the
// validation figures, over every row (each held out by one fold); the date
// is SOURCE_DATE_EPOCH's when set.
func (r *gridRun) writeBest(dst *atomicfile.Target, res *tabular.GridResult[*tabular.FittedMLP]) error {
	p := res.BestModel.Pipeline()
	pv, _ := p.Provenance()
	created, err := recordedDate(pv.Created)
	if err != nil {
		return err
	}
	pv.Created = created
	pv.Data = dataName(r.dataPath)
	pv.DataSHA256 = r.data.sha256
	pv.Columns = columnRoles(pv.Columns, r.data.table.Ignored, "", r.data.rowNames)
	best := res.Results[res.Best]
	pv.ValidationRows = r.data.table.Rows() // each row held out once, by the folds
	pv.Validation = map[string]float64{}
	for name, v := range map[string]float64{"mean_test_" + r.scoring: best.Mean, "std_test_" + r.scoring: best.Std} {
		if !math.IsNaN(v) && !math.IsInf(v, 0) {
			pv.Validation[name] = v
		}
	}
	return dst.Write(p.WithProvenance(pv).Save)
}
