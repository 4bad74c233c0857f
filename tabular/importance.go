package tabular

import (
	"github.com/mlpkit/mlp"

	"context"
	"fmt"
	"math/rand/v2"
	"slices"
)

// PermutationSettings configure PermutationImportance.
type PermutationSettings struct {
	// NRepeats is the number of times each column is permuted; zero
	// means 5, scikit-learn's n_repeats default.
	NRepeats int

	// Seed drives the permutations: repeat r of feature column j reads
	// the column in the row order rand.New(rand.NewPCG(Seed, j<<32 | r)).Perm
	// draws, so the result does not depend on
	// Workers, and more repeats extend fewer. (scikit-learn draws its
	// orders from numpy's RandomState, so the rows differ.)
	Seed uint64

	// Scoring, when not nil, scores the model on a table (higher is
	// better) instead of its Score method, as scikit-learn's scoring
	// parameter and as CVSettings.Scoring (the same type; ScoringByName
	// gives scikit-learn's by name): the held-out table and each permuted
	// copy are scored by Scoring(model, table). With Workers above 1 it is
	// called from several goroutines at once, with the same model, and
	// must be safe for that (those of ScoringByName are). A permuted copy
	// keeps the rows in t's order (only one column's values move), so a
	// Scoring that weighs row i by a weight of its own is scikit-learn's
	// sample_weight.
	Scoring Scoring

	// Workers is the number of permuted tables scored at once; zero
	// means runtime.GOMAXPROCS(0). Results do not depend on it.
	Workers int
}

// PermutationResult is what PermutationImportance returns, named as
// scikit-learn's result Bunch.
type PermutationResult struct {
	// Columns are the names of the table's feature columns, in table
	// order; the slices below have one entry per column, in this order.
	Columns []string

	// Baseline is the score on the table as given.
	Baseline float64

	// Importances[j][r] is Baseline minus the score with column j
	// permuted for the r-th time (scikit-learn's importances, features ×
	// repeats).
	Importances [][]float64

	// ImportancesMean and ImportancesStd are the mean and the population
	// standard deviation (numpy's std, ddof 0) of each column's
	// importances, summed in numpy's order.
	ImportancesMean, ImportancesStd []float64
}

// Ranked returns the column indices ordered by decreasing ImportancesMean,
// ties (and NaN, last) in table order, in a new slice.
func (r *PermutationResult) Ranked() []int {
	idx := make([]int, len(r.Columns))
	for j := range idx {
		idx[j] = j
	}
	slices.SortStableFunc(idx, func(a, b int) int {
		ma, mb := r.ImportancesMean[a], r.ImportancesMean[b]
		switch {
		case ma > mb || mb != mb && ma == ma:
			return -1
		case ma < mb || ma != ma && mb == mb:
			return 1
		}
		return 0
	})
	return idx
}

// maxPermutationRepeats caps PermutationSettings.NRepeats, so that the
// repeat fits the low 32 bits of the PCG stream.
const maxPermutationRepeats = 1 << 20

// PermutationImportance measures how much model's score on t drops when
// the values of one feature column of t are shuffled among its rows, as
// scikit-learn's sklearn.inspection.permutation_importance does: for each
// feature column j of t and each repeat r, a copy of t whose column j is
// permuted is scored, and Importances[j][r] = baseline − that score. The
// columns permuted are t's feature columns, before any preprocessing, as
// scikit-learn permutes the columns of the X given to a Pipeline: a
// categorical column one-hot encoded into several inputs counts as one
// feature, and a column the model does not read gets importance 0. The
// target columns are never permuted.
//
// model scores tables (FittedMLP and Pipeline are Scorers: accuracy for
// a classifier, R² for a regressor), or s.Scoring scores model; t should be
// held-out rows, with the model's target columns. Sample weights go
// through Scoring (see PermutationSettings.Scoring).
//
// It returns an error wrapping mlp.ErrSetting for a nil model, a negative
// NRepeats or Workers, or NRepeats above 2^20; one wrapping mlp.ErrData
// for a table without rows or feature columns; the first error of a score
// (in column order, naming the column); and ctx.Err() when ctx is done.
//
// It scores len(t.Features)·NRepeats + 1 tables; each permuted copy shares
// t's other columns and allocates a permutation of t.Rows() ints and one
// column of as many floats, besides what a score allocates; up to Workers
// copies exist at once. t is not changed.
func PermutationImportance(ctx context.Context, model Scorer, t *Table, s PermutationSettings) (*PermutationResult, error) {
	return permutationImportance(ctx, model, t, s, func(j, r, n int) []int {
		return rand.New(rand.NewPCG(s.Seed, uint64(j)<<32|uint64(r))).Perm(n)
	})
}

// permutationImportance is PermutationImportance with the row order of
// repeat r of column j, a permutation of [0, n), given by draw: the
// permuted column's row i is the original's row order[i].
func permutationImportance(ctx context.Context, model Scorer, t *Table, s PermutationSettings, draw func(j, r, n int) []int) (*PermutationResult, error) {
	if isNil(model) {
		return nil, fmt.Errorf("%w: PermutationImportance: nil model", mlp.ErrSetting)
	}
	score := model.Score
	if s.Scoring != nil {
		score = func(t *Table) (float64, error) { return s.Scoring(model, t) }
	}
	if ctx == nil {
		return nil, fmt.Errorf("%w: PermutationImportance: nil context; use context.Background()", mlp.ErrSetting)
	}
	switch {
	case s.NRepeats < 0 || s.NRepeats > maxPermutationRepeats:
		return nil, fmt.Errorf("%w: PermutationSettings.NRepeats = %d; want 1 to %d, or 0 for 5", mlp.ErrSetting, s.NRepeats, maxPermutationRepeats)
	case s.Workers < 0:
		return nil, fmt.Errorf("%w: PermutationSettings.Workers = %d; want at least 1, or 0 for GOMAXPROCS", mlp.ErrSetting, s.Workers)
	case t == nil || t.Rows() == 0:
		return nil, fmt.Errorf("%w: PermutationImportance: the table has no rows", mlp.ErrData)
	case len(t.Features) == 0:
		return nil, fmt.Errorf("%w: PermutationImportance: the table has no feature column", mlp.ErrData)
	}
	repeats := s.NRepeats
	if repeats == 0 {
		repeats = 5
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	base, err := score(t)
	if err != nil {
		return nil, fmt.Errorf("PermutationImportance: baseline score: %w", err)
	}
	cols := len(t.Features)
	res := &PermutationResult{
		Columns:         t.FeatureNames(),
		Baseline:        base,
		Importances:     make([][]float64, cols),
		ImportancesMean: make([]float64, cols),
		ImportancesStd:  make([]float64, cols),
	}
	for j := range res.Importances {
		res.Importances[j] = make([]float64, repeats)
	}
	n := t.Rows()
	err = runParallel(ctx, cols*repeats, s.Workers, func(ctx context.Context, job int) error {
		j, r := job/repeats, job%repeats
		if err := ctx.Err(); err != nil {
			return err
		}
		order := draw(j, r, n)
		src := &t.Features[j]
		col := *src
		col.Values = make([]float64, n)
		for i, k := range order {
			col.Values[i] = src.Values[k]
		}
		pt := *t
		pt.Features = slices.Clone(t.Features)
		pt.Features[j] = col
		v, err := score(&pt)
		if err != nil {
			return fmt.Errorf("PermutationImportance: column %s, repeat %d: %w", quote(src.Name), r, err)
		}
		res.Importances[j][r] = base - v
		return nil
	})
	if err != nil {
		return nil, err
	}
	for j, imp := range res.Importances {
		cv := newCVResult(imp)
		res.ImportancesMean[j], res.ImportancesStd[j] = cv.Mean, cv.Std
	}
	return res, nil
}

// Score returns scikit-learn's score of the pipeline on t, as
// FittedMLP.Score computes it: the accuracy of a classifier, R² averaged
// over the targets of a regressor. t must have the pipeline's target
// columns (Targets); its errors are those of FittedMLP.Score.
func (p *Pipeline) Score(t *Table) (float64, error) {
	if err := p.usable("Score"); err != nil {
		return 0, err
	}
	return (&FittedMLP{pipeline: p, targets: p.Targets()}).Score(t)
}
