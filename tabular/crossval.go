package tabular

import (
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
// of t and scores it on the fold's test rows, running up to s.Workers fits
// at once. The folds are drawn before any fit starts, and each fit's
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
	res, err := GridSearch(ctx, []Estimator[M]{est}, t, s)
	if err != nil {
		return nil, err
	}
	r := res.Results[0]
	return &r, nil
}

// GridResult is the outcome of GridSearch.
type GridResult struct {
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
// CrossValidate) and returns every result, their ranks and the best, as
// scikit-learn's GridSearchCV reports mean_test_score, std_test_score,
// rank_test_score and best_index_ (see GridResult and
// docs/conventions.md). All fits, over all candidates and folds, share one
// pool of s.Workers goroutines. Its errors are those of CrossValidate,
// wrapped with the candidate's index, and an error wrapping mlp.ErrSetting
// when there is no candidate or one is nil.
//
// A fit or a score that returns an error aborts the search with that
// error, as scikit-learn's error_score="raise" does; scikit-learn's
// default, error_score=np.nan, would record NaN for the fold and go on.
// The library does not turn a failure into a score: a candidate that
// cannot be fitted is a fault to see, not a NaN to rank. A score that is
// NaN without an error (an R² of a one-row fold, say) is kept, makes the
// candidate's Mean NaN, and ranks it last.
//
// Candidates are usually built with loops over the settings to try:
//
//	var grid []tabular.Estimator[*tabular.FittedMLP]
//	for _, h := range [][]int{{50}, {100}} {
//		for _, a := range []float64{1e-4, 1e-2} {
//			grid = append(grid, tabular.MLPClassifier{HiddenLayerSizes: h, Alpha: a})
//		}
//	}
func GridSearch[M Scorer](ctx context.Context, candidates []Estimator[M], t *Table, s CVSettings) (*GridResult, error) {
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
	folds, err := cvFolds(t, s)
	if err != nil {
		return nil, err
	}
	k := len(folds)
	candidates = serialLogs(candidates)
	scores := make([]float64, len(candidates)*k)
	err = runParallel(ctx, len(scores), s.Workers, func(ctx context.Context, job int) error {
		c, f := job/k, job%k
		train, test := t.Subset(folds[f].Train), t.Subset(folds[f].Test)
		m, err := candidates[c].Fit(ctx, train)
		if err == nil {
			scores[job], err = m.Score(test)
		}
		if err != nil {
			if len(candidates) > 1 {
				return fmt.Errorf("candidate %d, fold %d: %w", c, f, err)
			}
			return fmt.Errorf("fold %d: %w", f, err)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	res := &GridResult{Results: make([]CVResult, len(candidates))}
	means := make([]float64, len(candidates))
	for c := range candidates {
		res.Results[c] = newCVResult(scores[c*k : (c+1)*k])
		means[c] = res.Results[c].Mean
	}
	res.Rank = rankScores(means)
	for c, r := range res.Rank {
		if r == 1 {
			res.Best = c
			break
		}
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
