package main

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"

	"github.com/mlpkit/mlp"
	"github.com/mlpkit/mlp/tabular"
)

// streamFits are the fits of train with -stream: first is the fit whose
// History has the epoch lines' figures, report the net the validation
// report scores, saved the net the model file holds.
type streamFits struct {
	first, report, saved *tabular.FittedMLP
	sel                  selection
	selected             bool // the -val rows chose the epoch count
}

// streamSettings are the settings of train's stream on r's file: hold
// out val of the rows (0: none), scored after every epoch when score.
func streamSettings(r *trainRun, buffer int, val float64, score bool) tabular.StreamSettings {
	return tabular.StreamSettings{
		Comma: r.sep, Targets: r.targets, Task: r.task, Categorical: r.categorical, Ignore: r.ignore, NA: r.na, DetectNA: r.detectNA,
		ValidationFraction: val, Seed: r.seed, ShuffleBuffer: buffer, ScoreHeldOut: score && val > 0,
	}
}

// fitStreamSelected trains with -stream as train does in memory (see
// fitSelected): with -val rows, a first streamed fit on the training rows,
// scored on the -val rows after every epoch, runs up to -epochs (default
// selectMaxEpochs) under the training-loss rule and a patience on
// val_loss (selectPatience), and keeps the weights of the epoch with the
// lowest val_loss (mlp.EarlyStopping.RestoreBest: the weights a second
// fit of that many epochs would retrace, without a third pass over the
// file); that net is the report's. With r.refit, a second stream of the
// same file that holds out nothing refits on every row for that many epochs
// (the preprocessing learnt again from every row, as in memory), and is
// saved; otherwise the report's net is. Without -val rows, one fit on
// every row is all. s is the estimator's settings, with Log; pr, when not
// nil, is the progress line, given the refit's phase.
func fitStreamSelected(ctx context.Context, r *trainRun, st *tabular.CSVStream, s tabular.MLPSettings, buffer int, pr *progress) (streamFits, error) {
	fit := func(st *tabular.CSVStream, s tabular.MLPSettings) (*tabular.FittedMLP, error) {
		if st.Task() == tabular.Classification {
			return tabular.MLPClassifier(s).FitStream(ctx, st)
		}
		return tabular.MLPRegressor(s).FitStream(ctx, st)
	}
	if !r.epochsGiven && r.val > 0 {
		s.MaxIter = selectMaxEpochs
	}
	if pr != nil {
		pr.Phase("", st.TrainRows(), cmp.Or(s.MaxIter, 200), true) // 200: the estimator's default
	}
	if r.val == 0 {
		f, err := fit(st, s)
		return streamFits{first: f, report: f, saved: f}, err
	}
	n := s.NIterNoChange
	if n == 0 {
		n = 10 // the estimator's default
	}
	sel := selection{patience: selectPatience(s.MaxIter, n), standardized: st.Task() == tabular.Regression}
	choose := s
	choose.Hooks = append(slices.Clone(s.Hooks), &mlp.EarlyStopping{Monitor: "val_loss", Patience: sel.patience, RestoreBest: true})
	first, err := fit(st, choose)
	if err != nil {
		return streamFits{}, err
	}
	sel.run = first.NIter()
	sel.best, sel.bestLoss = bestEpoch(first.History())
	sel.waited = !first.Convergence().Converged && sel.run < s.MaxIter
	if sel.best == 0 {
		return streamFits{}, fmt.Errorf("validation: no epoch has a finite val_loss to choose the epoch count by")
	}
	out := streamFits{first: first, report: first, saved: first, sel: sel, selected: true}
	if !r.refit {
		return out, nil
	}
	all, err := tabular.NewCSVStream(func() (io.ReadCloser, error) { return os.Open(r.data) }, streamSettings(r, buffer, 0, false))
	if err != nil {
		return streamFits{}, fmt.Errorf("%s: refit on every row: %w", r.data, err)
	}
	if all.SHA256() != st.SHA256() {
		return streamFits{}, fmt.Errorf("%s: %w: the file changed between the fit that chose the epoch count and the refit on every row", r.data, mlp.ErrData)
	}
	again := s
	again.MaxIter, again.Log = sel.best, nil
	if pr != nil {
		pr.Phase(fmt.Sprintf("refit on all %d rows: ", all.TrainRows()), all.TrainRows(), sel.best, false)
		again.Log = pr
	}
	if out.saved, err = fit(all, again); err != nil {
		return streamFits{}, err
	}
	out.sel.refit, out.sel.allRows, out.sel.refitEpochs = true, all.TrainRows(), out.saved.NIter()
	return out, nil
}

// provenance records in pv, the saved model's, how the -val rows chose its
// epoch count: the refit setting, the convergence sentence and, for the
// report's net saved with -refit=false (the weights of the chosen epoch of
// a longer run), the chosen count as its epochs and max_iter. first is
// the fit on the training rows, whose stream_validation_* settings the
// refit's stream, holding nothing out, lacks.
func (f streamFits) provenance(pv *tabular.Provenance) {
	if !f.selected {
		return
	}
	if pv.Settings == nil {
		pv.Settings = map[string]string{}
	}
	if fp, ok := f.first.Pipeline().Provenance(); ok {
		for _, k := range []string{"stream_validation_fraction", "stream_validation_seed"} {
			if v, ok := fp.Settings[k]; ok {
				pv.Settings[k] = v
			}
		}
	}
	pv.Settings["refit"] = strconv.FormatBool(f.sel.refit)
	if !f.sel.refit {
		pv.Epochs = f.sel.best
		pv.Settings["max_iter"] = strconv.Itoa(f.sel.best)
	}
	pv.Converged = true
	pv.Convergence = f.sel.provenance()
}

// epochs returns the epochs the saved model trained.
func (f streamFits) epochs() int {
	if f.selected && !f.sel.refit {
		return f.sel.best
	}
	return f.saved.NIter()
}
