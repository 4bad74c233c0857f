package tabular

import (
	"context"
	"errors"
	"runtime"
	"strings"
	"testing"

	"github.com/mlpkit/mlp"
)

// smallMLP is a classifier quick enough for the race detector.
var smallMLP = MLPClassifier{HiddenLayerSizes: []int{8}, MaxIter: 15, BatchSize: 16, LearningRateInit: 0.01, Seed: 3}

// TestCrossValidateSameAtAnyGOMAXPROCS checks that cross-validation and
// grid search give bit-identical scores whatever GOMAXPROCS and Workers are.
func TestCrossValidateSameAtAnyGOMAXPROCS(t *testing.T) {
	tab := wineTable(t)
	ctx := context.Background()
	cv := CVSettings{K: 3, Stratify: true, Shuffle: true, Seed: 5}
	grid := []Estimator[*FittedMLP]{smallMLP, MLPClassifier{HiddenLayerSizes: []int{4}, MaxIter: 10, Alpha: 0.1}}
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	var first *GridResult[*FittedMLP]
	for _, procs := range []int{1, 2} {
		for _, workers := range []int{0, 1, 3} {
			runtime.GOMAXPROCS(procs)
			cv.Workers = workers
			res, err := GridSearch(ctx, grid, tab, cv)
			if err != nil {
				t.Fatal(err)
			}
			if first == nil {
				first = res
				continue
			}
			for c := range grid {
				for f, s := range res.Results[c].Scores {
					if s != first.Results[c].Scores[f] {
						t.Errorf("GOMAXPROCS %d, Workers %d: candidate %d fold %d scores %v, first run %v", procs, workers, c, f, s, first.Results[c].Scores[f])
					}
				}
			}
		}
	}
	one, err := CrossValidate(ctx, smallMLP, tab, cv)
	if err != nil {
		t.Fatal(err)
	}
	if one.Mean != first.Results[0].Mean {
		t.Errorf("CrossValidate mean %v, GridSearch's for the same candidate %v", one.Mean, first.Results[0].Mean)
	}
	if len(one.Scores) != 3 || one.Mean < 0.8 {
		t.Errorf("scores %v, want 3 folds with mean >= 0.8", one.Scores)
	}
	best := first.Results[first.Best].Mean
	for _, r := range first.Results {
		if r.Mean > best {
			t.Errorf("Best %d has mean %v, but another candidate has %v", first.Best, best, r.Mean)
		}
	}
}

func TestCrossValidateErrors(t *testing.T) {
	tab := wineTable(t)
	ctx := context.Background()
	_, err := CrossValidate(ctx, MLPClassifier{Tol: -1}, tab, CVSettings{K: 2})
	if !errors.Is(err, mlp.ErrSetting) || !strings.Contains(err.Error(), "fold 0: mlp: invalid setting: MLPClassifier.Tol = -1") {
		t.Errorf("bad setting: %v", err)
	}
	_, err = CrossValidate(ctx, smallMLP, tab, CVSettings{K: 1})
	if !errors.Is(err, mlp.ErrSetting) {
		t.Errorf("K 1: %v, want ErrSetting", err)
	}
	_, err = CrossValidate(ctx, smallMLP, tab, CVSettings{K: 500})
	if !errors.Is(err, mlp.ErrData) {
		t.Errorf("K 500 on 178 rows: %v, want ErrData", err)
	}
	_, err = GridSearch[*FittedMLP](ctx, nil, tab, CVSettings{})
	if !errors.Is(err, mlp.ErrSetting) {
		t.Errorf("no candidates: %v, want ErrSetting", err)
	}
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	if _, err = CrossValidate(cancelled, smallMLP, tab, CVSettings{}); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: %v, want context.Canceled", err)
	}
}

// BenchmarkCrossValidate runs 5-fold cross-validation of MLPClassifier's
// defaults on wine with one worker and with GOMAXPROCS workers; the ratio
// of their times is the parallel speed-up.
func BenchmarkCrossValidate(b *testing.B) {
	tab := wineTable(b)
	for _, w := range []struct {
		name    string
		workers int
	}{{"workers=1", 1}, {"workers=GOMAXPROCS", 0}} {
		b.Run(w.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := CrossValidate(context.Background(), MLPClassifier{}, tab, CVSettings{Stratify: true, Workers: w.workers}); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.N*5)/b.Elapsed().Seconds(), "fits/s")
		})
	}
}
