package main

import (
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/mlpkit/mlp"
	"github.com/mlpkit/mlp/tabular"
)

// weightedFigures returns the final line's figures of p on t with each row
// weighted by w (the -weight column), each after prefix: for a classifier
// the weighted mean cross-entropy Σ wᵢ·(−log pᵢ) / Σ w and the weighted
// accuracy Σ wᵢ·[right] / Σ w; for a regressor the weighted mean squared
// error over every target cell, its square root, and R² averaged over the
// targets with weighted means and sums (scikit-learn's metrics with
// sample_weight). A label the model does not know is an error naming its
// row.
func weightedFigures(p *tabular.Pipeline, t *tabular.Table, w []float64, prefix string) (map[string]float64, error) {
	pred, err := p.Predict(t)
	if err != nil {
		return nil, err
	}
	var sw float64
	for _, v := range w {
		sw += v
	}
	if !(sw > 0) {
		return nil, fmt.Errorf("%w: the validation rows' weights sum to %v", mlp.ErrData, sw)
	}
	n := t.Rows()
	if p.Task() == tabular.Classification {
		index := map[string]int{}
		for k, c := range p.Classes() {
			index[c] = k
		}
		target := &t.Targets[0]
		labels := make([]int, n)
		var right float64
		for i := range labels {
			k, ok := index[target.Text(i)]
			if !ok {
				return nil, &tabular.RecordError{Record: i, Column: target.Name, Err: fmt.Errorf("%w: class %q is not one of the model's %d classes",
					mlp.ErrData, target.Text(i), len(index))}
			}
			labels[i] = k
			if pred.Classes[i] == k {
				right += w[i]
			}
		}
		loss := (&mlp.CrossEntropy{}).Loss(pred.Proba, mlp.Targets{Labels: labels, Weights: w})
		return map[string]float64{prefix + "loss": loss, prefix + "accuracy": right / sw}, nil
	}
	y, err := t.TargetValues()
	if err != nil {
		return nil, err
	}
	_, m := y.Dims()
	var sse, r2 float64
	for j := range m {
		var mean float64
		for i := range n {
			mean += w[i] * y.At(i, j)
		}
		mean /= sw
		var res, tot float64
		for i := range n {
			e, d := pred.Values.At(i, j)-y.At(i, j), y.At(i, j)-mean
			res += w[i] * e * e
			tot += w[i] * d * d
		}
		sse += res
		switch {
		case tot > 0:
			r2 += 1 - res/tot
		case res == 0:
			r2++
		}
	}
	mse := sse / (sw * float64(m))
	return map[string]float64{prefix + "loss": mse, prefix + "rmse": math.Sqrt(mse), prefix + "r2": r2 / float64(m)}, nil
}

// checkClassWeight returns an error naming the first class (in sorted
// order) of -class-weight that the target column y does not have, with
// the classes it has.
func checkClassWeight(cw map[string]float64, y *tabular.Column) error {
	enc, err := tabular.FitLabelEncoder(y)
	if err != nil {
		return nil // the fit reports it
	}
	names := make([]string, 0, len(cw))
	for name := range cw {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		if !slices.Contains(enc.Classes, name) {
			return fmt.Errorf("-class-weight names class %q, which the target column %q does not have (classes: %s)", name, y.Name, strings.Join(enc.Classes, ", "))
		}
	}
	return nil
}
