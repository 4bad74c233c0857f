package tabular

import (
	"cmp"
	"slices"

	"github.com/mlpkit/mlp"
	"github.com/mlpkit/mlp/internal/fmath"

	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"runtime"
	"sync"
)

// Scorer is a fitted model that scores itself on a table: higher is better
// (accuracy for a classifier, R² for a regressor, as scikit-learn's score).
type Scorer interface {
	Score(t *Table) (float64, error)
}

// Estimator is the settings of a model that cross-validation and grid
// search train: Fit trains a new model on a table and returns it. Fit must
// not change the Estimator and must be safe to call from several goroutines
// at once, each call with its own model and random streams (MLPClassifier
// and MLPRegressor derive theirs from their Seed).
type Estimator[M Scorer] interface {
	Fit(ctx context.Context, t *Table) (M, error)
}

// CVSettings configure CrossValidate and GridSearch.
type CVSettings struct {
	// K is the number of folds, at least 2; zero means 5, scikit-learn's
	// default.
	K int
	// Stratify splits with mlp.StratifiedKFold by the classes of the table's
	// target (which must be a classification target), as scikit-learn
	// does for classifiers; otherwise mlp.KFold.
	Stratify bool
	// Shuffle shuffles the rows before the folds are cut, drawing from
	// rand.NewPCG(Seed, 4); off by default, as in scikit-learn.
	Shuffle bool
	Seed    uint64
	// Workers is the number of fits run at once; zero means
	// runtime.GOMAXPROCS(0). Results do not depend on it.
	Workers int
	// Scoring, when not nil, scores each fold's model on the fold's test
	// rows in place of the model's own Score, as scikit-learn's scoring
	// parameter: ScoringByName gives scikit-learn's ("f1_macro",
	// "roc_auc", "neg_log_loss", ...); a function of your own works as
	// well. It is called from several goroutines at once.
	Scoring Scoring
	// NoRefit leaves out GridSearch's last fit, that of the best
	// candidate on the whole table (scikit-learn's refit=False):
	// GridResult.BestModel is then the zero M. CrossValidate never
	// refits.
	NoRefit bool
}

// cvShuffleStream is the PCG stream of CVSettings.Seed the fold shuffle
// draws from.
const cvShuffleStream = 4

// CVResult holds the scores of one estimator over the folds of a
// cross-validation.
type CVResult struct {
	// Scores holds the test score of each fold, in fold order.
	Scores []float64
	// Mean and Std are the mean and the population standard deviation of
	// Scores, as scikit-learn's cv_results_ report mean_test_score and
	// std_test_score; NaN when a fold's score is NaN.
	Mean, Std float64
}

// newCVResult returns the CVResult of scores. The sums are taken in
// numpy's order (fmath.PairwiseSum), so that Mean and Std have the bits of
// scikit-learn's mean_test_score and std_test_score and tie where they
// tie. When finite scores are so large that a sum or a square overflows
// (R² of a very poor model can be near -MaxFloat64), they are taken again
// on the scores scaled by a power of two, so that finite scores give a
// finite Mean and Std.
func newCVResult(scores []float64) CVResult {
	mean, std := scaledMeanStd(scores, 0)
	if math.IsInf(mean, 0) || math.IsInf(std, 0) || math.IsNaN(std) {
		big := 0.0
		for _, s := range scores {
			if math.IsNaN(s) || math.IsInf(s, 0) {
				big = math.NaN()
				break
			}
			big = max(big, math.Abs(s))
		}
		if !math.IsNaN(big) {
			_, e := math.Frexp(big)
			mean, std = scaledMeanStd(scores, e)
		}
	}
	return CVResult{Scores: scores, Mean: mean, Std: std}
}

// scaledMeanStd returns the mean and the population standard deviation of
// scores, computed on the scores scaled by 2^-e and scaled back.
func scaledMeanStd(scores []float64, e int) (mean, std float64) {
	n := float64(len(scores))
	x := make([]float64, len(scores))
	for i, s := range scores {
		x[i] = math.Ldexp(s, -e)
	}
	mean = fmath.PairwiseSum(x) / n
	for i, s := range x {
		x[i] = float64((s - mean) * (s - mean))
	}
	return math.Ldexp(mean, e), math.Ldexp(math.Sqrt(fmath.PairwiseSum(x)/n), e)
}

// CrossValidate fits a new model of est on the training rows of each fold
// of t and scores it on the fold's test rows (with s.Scoring, or else the
// model's Score), running up to s.Workers fits at once; it never refits on
// the whole table (s.NoRefit does not matter). The folds are drawn before any fit starts, and each fit's
// randomness comes from est alone, so the result is the same whatever
// s.Workers and GOMAXPROCS are.
//
// It returns an error wrapping mlp.ErrSetting for bad settings, mlp.ErrData when
// the table cannot be split into the folds, and otherwise the first error
// (in fold order) of a fit or a score, wrapped with the fold's number; the
// remaining fits are cancelled then. ctx.Err() is returned when ctx is done.
//
// Fits that run at once may share a writer: an MLPClassifier's or
// MLPRegressor's Log. For the duration of the call, every such writer is
// used through one lock, so that one Write (one epoch's line, as
// ProgressLogger writes it) goes whole and no two run at once; the writer
// need not be safe for concurrent use, and lines of different folds
// interleave in the order the fits reach them.
func CrossValidate[M Scorer](ctx context.Context, est Estimator[M], t *Table, s CVSettings) (*CVResult, error) {
	s.NoRefit = true
	res, err := GridSearch(ctx, []Estimator[M]{est}, t, s)
	if err != nil {
		return nil, err
	}
	r := res.Results[0]
	return &r, nil
}

// GridResult is the outcome of GridSearch and GridSearchGather.
type GridResult[M Scorer] struct {
	// Results holds the cross-validation of each candidate, in order.
	Results []CVResult
	// Rank is the rank of each candidate's mean score, scikit-learn's
	// rank_test_score: 1 plus the number of candidates with a higher mean
	// (ties share the smallest rank, scipy's method="min"), and a NaN
	// mean ranks after every number, one more than the number of means
	// that are not NaN. scikit-learn ranks a NaN as nanmin(means) − 1,
	// which ties it with the worst mean when that is −2^53 or below; the
	// library does not (docs/conventions.md).
	Rank []int
	// Best is the index of the first candidate ranked 1: the highest
	// mean score, the first one on a tie, never a NaN mean unless every
	// mean is NaN (then 0), as scikit-learn's best_index_.
	Best int
	// Params holds each candidate's parameters by name, as its Params
	// method gives them (Parameterized; nil for a candidate without
	// one): every parameter, defaults filled in, where scikit-learn's
	// cv_results_["params"] holds only those the grid sets
	// (ParamGrid.Expand gives those).
	Params []map[string]any
	// BestModel is candidate Best fitted on the whole table, scikit-learn's
	// best_estimator_ (refit=True): the same fit as calling the
	// candidate's Fit on the table. It is the zero M with
	// CVSettings.NoRefit.
	BestModel M
}

// rankScores returns the ranks of means as GridResult.Rank describes them.
func rankScores(means []float64) []int {
	rank := make([]int, len(means))
	numbers := 0
	for _, m := range means {
		if !math.IsNaN(m) {
			numbers++
		}
	}
	for i, m := range means {
		if math.IsNaN(m) {
			rank[i] = numbers + 1
			continue
		}
		rank[i] = 1
		for _, o := range means {
			if o > m {
				rank[i]++
			}
		}
	}
	return rank
}

// GridSearch cross-validates every candidate on the same folds of t (see
// CrossValidate), ranks them, and fits the best on the whole of t (unless
// s.NoRefit), as scikit-learn's GridSearchCV reports mean_test_score,
// std_test_score, rank_test_score, best_index_ and best_estimator_ (see
// GridResult and docs/conventions.md). All fits, over all candidates and
// folds, share one pool of s.Workers goroutines; the refit comes after
// them. Its errors are those of CrossValidate, wrapped with the
// candidate's index, an error wrapping mlp.ErrSetting when there is no
// candidate or one is nil, and the refit's error, naming the candidate.
//
// A fit or a score that returns an error aborts the search with that
// error, as scikit-learn's error_score="raise" does; scikit-learn's
// default, error_score=np.nan, would record NaN for the fold and go on.
// The library does not turn a failure into a score: a candidate that
// cannot be fitted is a fault to see, not a NaN to rank. A score that is
// NaN without an error (an R² of a one-row fold, say) is kept, makes the
// candidate's Mean NaN, and ranks it last.
//
// The fits may also run as separate processes, one per job, as a cluster's
// batch system runs them: GridSearchJob runs one and GridSearchGather
// ranks their scores; the result is GridSearch's, bit for bit.
//
// Candidates are usually built with loops over the settings to try, or
// from a GridSpec:
//
//	var grid []tabular.Estimator[*tabular.FittedMLP]
//	for _, h := range [][]int{{50}, {100}} {
//		for _, a := range []float64{1e-4, 1e-2} {
//			grid = append(grid, tabular.MLPClassifier{HiddenLayerSizes: h, Alpha: a})
//		}
//	}
func GridSearch[M Scorer](ctx context.Context, candidates []Estimator[M], t *Table, s CVSettings) (*GridResult[M], error) {
	folds, err := checkGrid(ctx, candidates, t, s)
	if err != nil {
		return nil, err
	}
	k := len(folds)
	logged := serialLogs(candidates)
	scores := make([]float64, len(candidates)*k)
	err = runParallel(ctx, len(scores), s.Workers, func(ctx context.Context, job int) error {
		sc, err := foldScore(ctx, logged, t, folds, s, job)
		scores[job] = sc
		return err
	})
	if err != nil {
		return nil, err
	}
	perCandidate := make([][]float64, len(candidates))
	for c := range candidates {
		perCandidate[c] = scores[c*k : (c+1)*k]
	}
	return gather(ctx, candidates, t, s, perCandidate)
}

// GridSearchJobs returns the number of jobs of GridSearch over candidates
// with s: len(candidates)·K, K being s.K or 5. Job j fits candidate j/K
// on the training rows of fold j%K.
func GridSearchJobs(candidates int, s CVSettings) int {
	return candidates * cmp.Or(s.K, 5)
}

// GridSearchJob runs job j of GridSearch (see GridSearchJobs) and returns
// its score: candidate j/K fitted on the training rows of fold j%K of t
// and scored on the fold's test rows (with s.Scoring, or the model's
// Score). The folds are those GridSearch draws, so that the jobs of
// separate processes, given the same candidates, table and settings,
// score what GridSearch scores, bit for bit. Its errors are those of
// GridSearch, and one wrapping mlp.ErrSetting for j outside [0, jobs).
func GridSearchJob[M Scorer](ctx context.Context, candidates []Estimator[M], t *Table, s CVSettings, j int) (float64, error) {
	folds, err := checkGrid(ctx, candidates, t, s)
	if err != nil {
		return 0, err
	}
	if n := len(candidates) * len(folds); j < 0 || j >= n {
		return 0, fmt.Errorf("%w: GridSearchJob: job %d is outside [0, %d) (%d candidates × %d folds)", mlp.ErrSetting, j, n, len(candidates), len(folds))
	}
	return foldScore(ctx, candidates, t, folds, s, j)
}

// GridSearchGather returns the GridResult of the scores of every job of a
// grid search, scores[c][f] being the score of candidate c on fold f (as
// GridSearchJob returned it for job c·K+f): the means, ranks and best,
// and the best candidate fitted on the whole of t unless s.NoRefit. With
// the scores of GridSearchJob, it returns what GridSearch returns. It
// returns an error wrapping mlp.ErrSetting when scores does not hold K
// scores for each candidate, and the refit's error.
func GridSearchGather[M Scorer](ctx context.Context, candidates []Estimator[M], t *Table, s CVSettings, scores [][]float64) (*GridResult[M], error) {
	folds, err := checkGrid(ctx, candidates, t, s)
	if err != nil {
		return nil, err
	}
	if len(scores) != len(candidates) {
		return nil, fmt.Errorf("%w: GridSearchGather: scores of %d candidates for %d candidates", mlp.ErrSetting, len(scores), len(candidates))
	}
	for c, sc := range scores {
		if len(sc) != len(folds) {
			return nil, fmt.Errorf("%w: GridSearchGather: %d scores of candidate %d for %d folds", mlp.ErrSetting, len(sc), c, len(folds))
		}
	}
	return gather(ctx, candidates, t, s, scores)
}

// checkGrid checks the arguments of a grid search and returns its folds.
func checkGrid[M Scorer](ctx context.Context, candidates []Estimator[M], t *Table, s CVSettings) ([]mlp.Fold, error) {
	if ctx == nil {
		return nil, fmt.Errorf("%w: nil context; use context.Background()", mlp.ErrSetting)
	}
	if len(candidates) == 0 {
		return nil, fmt.Errorf("%w: GridSearch: no candidates", mlp.ErrSetting)
	}
	for i, c := range candidates {
		if isNil(c) {
			return nil, fmt.Errorf("%w: GridSearch: candidate %d is nil", mlp.ErrSetting, i)
		}
	}
	if s.Workers < 0 {
		return nil, fmt.Errorf("%w: CVSettings.Workers = %d; want at least 1, or 0 for GOMAXPROCS", mlp.ErrSetting, s.Workers)
	}
	return cvFolds(t, s)
}

// foldScore fits candidate job/k on the training rows of fold job%k and
// scores it on the fold's test rows, naming the fold (and the candidate,
// when there are several) in an error.
func foldScore[M Scorer](ctx context.Context, candidates []Estimator[M], t *Table, folds []mlp.Fold, s CVSettings, job int) (float64, error) {
	k := len(folds)
	c, f := job/k, job%k
	train, test := t.Subset(folds[f].Train), t.Subset(folds[f].Test)
	m, err := candidates[c].Fit(ctx, train)
	var score float64
	if err == nil {
		if s.Scoring != nil {
			score, err = s.Scoring(m, test)
		} else {
			score, err = m.Score(test)
		}
	}
	if err != nil {
		if len(candidates) > 1 {
			return 0, fmt.Errorf("candidate %d, fold %d: %w", c, f, err)
		}
		return 0, fmt.Errorf("fold %d: %w", f, err)
	}
	return score, nil
}

// gather ranks the candidates by their scores, records their parameters
// and refits the best on t unless s.NoRefit.
func gather[M Scorer](ctx context.Context, candidates []Estimator[M], t *Table, s CVSettings, scores [][]float64) (*GridResult[M], error) {
	res := &GridResult[M]{Results: make([]CVResult, len(candidates)), Params: make([]map[string]any, len(candidates))}
	means := make([]float64, len(candidates))
	for c, cand := range candidates {
		res.Results[c] = newCVResult(slices.Clone(scores[c]))
		means[c] = res.Results[c].Mean
		if p, ok := any(cand).(Parameterized); ok {
			res.Params[c] = p.Params()
		}
	}
	res.Rank = rankScores(means)
	for c, r := range res.Rank {
		if r == 1 {
			res.Best = c
			break
		}
	}
	if !s.NoRefit {
		m, err := candidates[res.Best].Fit(ctx, t)
		if err != nil {
			return nil, fmt.Errorf("refit of candidate %d on all %d rows: %w", res.Best, t.Rows(), err)
		}
		res.BestModel = m
	}
	return res, nil
}

// logSharer is implemented by an estimator whose settings hold a writer
// that its fits write to (MLPSettings.Log): withLog returns a copy of it
// writing to w instead, or itself when it has no writer.
type logSharer interface {
	log() io.Writer
	withLog(w io.Writer) any
}

func (c MLPClassifier) log() io.Writer { return c.Log }

func (c MLPClassifier) withLog(w io.Writer) any { c.Log = w; return c }

func (r MLPRegressor) log() io.Writer { return r.Log }

func (r MLPRegressor) withLog(w io.Writer) any { r.Log = w; return r }

// serialLogs returns candidates, in a new slice, with each estimator that
// writes to a Log writer (a logSharer) replaced by a copy that writes
// through one lock shared by all of them, so that fits running at once
// never call Write at the same time. candidates are not changed.
func serialLogs[M Scorer](candidates []Estimator[M]) []Estimator[M] {
	mu := new(sync.Mutex)
	out := make([]Estimator[M], len(candidates))
	for i, c := range candidates {
		out[i] = c
		l, ok := any(c).(logSharer)
		if !ok || isNil(l.log()) {
			continue
		}
		if e, ok := l.withLog(&lockedWriter{mu: mu, w: l.log()}).(Estimator[M]); ok {
			out[i] = e
		}
	}
	return out
}

// lockedWriter is an io.Writer that holds mu for each Write to w.
type lockedWriter struct {
	mu *sync.Mutex
	w  io.Writer
}

// Write writes p to the underlying writer while holding the lock.
func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// cvFolds returns the folds of t that s describes.
func cvFolds(t *Table, s CVSettings) ([]mlp.Fold, error) {
	if t == nil {
		return nil, fmt.Errorf("%w: the table is nil", mlp.ErrData)
	}
	kf := mlp.KFold{K: s.K, Shuffle: s.Shuffle}
	if s.Shuffle {
		kf.Src = rand.NewPCG(s.Seed, cvShuffleStream)
	}
	if !s.Stratify {
		return kf.Split(t.Rows())
	}
	classes, err := targetClasses(t)
	if err != nil {
		return nil, fmt.Errorf("CVSettings.Stratify: %w", err)
	}
	return mlp.StratifiedKFold(kf).Split(classes)
}

// runParallel calls job(ctx, i) for i in [0, n) on up to workers goroutines
// (0: GOMAXPROCS). It returns the parent's ctx.Err() when ctx is done, and
// otherwise the error of the lowest-numbered job that failed by itself
// (not by the cancellation the first failure sends to the other jobs).
func runParallel(parent context.Context, n, workers int, job func(ctx context.Context, i int) error) error {
	if workers == 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	workers = max(1, min(workers, n))
	ctx, cancel := context.WithCancel(parent)
	defer cancel()
	errs := make([]error, n)
	next := make(chan int)
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				if ctx.Err() != nil {
					continue
				}
				if err := job(ctx, i); err != nil {
					errs[i] = err
					cancel()
				}
			}
		}()
	}
	for i := range n {
		next <- i
	}
	close(next)
	wg.Wait()
	if err := parent.Err(); err != nil {
		return err
	}
	var first error
	for _, err := range errs {
		if err != nil && !errors.Is(err, context.Canceled) {
			return err
		}
		if first == nil {
			first = err
		}
	}
	return first
}
