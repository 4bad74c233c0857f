package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/mlpkit/mlp/internal/atomicfile"
	"github.com/mlpkit/mlp/mlpplot"
	"github.com/mlpkit/mlp/tabular"
)

// streamFlags are train's -stream and -buffer.
type streamFlags struct {
	on     *bool
	buffer *int
}

// addStreamFlags registers -stream and -buffer on fs.
func addStreamFlags(fs *flag.FlagSet) *streamFlags {
	return &streamFlags{
		on:     fs.Bool("stream", false, "read -data in passes instead of into memory (one pass for the column kinds and statistics, one per epoch, one for the validation figures), for files beyond memory or the in-memory reader's 1 GiB; the validation rows are chosen row by row from -seed (not stratified) and the training rows pass through a shuffle buffer of -buffer rows"),
		buffer: fs.Int("buffer", 0, fmt.Sprintf("with -stream, the `rows` of the shuffle buffer the training rows pass through, at least 1 (default %d); memory is 8 bytes per preprocessed value of a row times this", tabular.DefaultShuffleBuffer)),
	}
}

// trainRun is what train's flags asked for, for trainStream.
type trainRun struct {
	data, out, plot          string
	targets, na, categorical []string
	ignore                   []string
	task                     tabular.Task
	sep                      rune
	seed                     uint64
	val                      float64
	quiet, asJSON            bool
	refit, epochsGiven       bool // -refit; -epochs was given
	s                        tabular.MLPSettings
	weight, classWeight      bool
	detectNA                 bool
	dst, plotDst             *atomicfile.Target
}

// check returns a usage error for flags that -stream does not take.
func (f *streamFlags) check(given map[string]bool, r *trainRun) error {
	if !*f.on {
		if given["buffer"] {
			return usagef("-buffer needs -stream")
		}
		return nil
	}
	switch {
	case given["buffer"] && *f.buffer < 1:
		return usagef("invalid value %d for flag -buffer: must be at least 1", *f.buffer)
	case r.data == "-":
		return usagef("-stream reads -data several times: give a file, not standard input")
	case r.weight:
		return usagef("-weight is not supported with -stream")
	case r.classWeight:
		return usagef("-class-weight is not supported with -stream")
	case r.s.EarlyStopping:
		return usagef("-early-stopping is not supported with -stream: its -val rows are scored after every epoch instead")
	case r.s.WarmStart != nil || given["init"]:
		return usagef("-init is not supported with -stream: a streamed fit starts from fresh weights")
	}
	return nil
}

// trainStream is train with -stream: see docs/command.md.
func trainStream(ctx context.Context, e *env, r *trainRun, buffer int) error {
	w := e.stdout
	if r.asJSON {
		w = io.Discard
	}
	// The -val rows are scored after every epoch: their val_loss chooses
	// the epoch count.
	st, err := tabular.NewCSVStream(func() (io.ReadCloser, error) { return os.Open(r.data) }, streamSettings(r, buffer, r.val, true))
	if err != nil {
		return fmt.Errorf("%s: %w", r.data, err)
	}
	for _, note := range st.Notes() {
		fmt.Fprintf(e.stderr, "mlp train: %s: %s\n", r.data, flagTerms(note))
	}
	if !r.asJSON {
		printKernel(e)
	}
	fmt.Fprintf(w, "data: %s: %d rows, %d feature columns, target %s: %s (streamed, %d bytes)", r.data, st.Rows(), len(st.FeatureNames()),
		strings.Join(r.targets, ","), st.Task(), st.Size())
	if st.Dropped() > 0 {
		fmt.Fprintf(w, " (%d rows left out: missing target)", st.Dropped())
	}
	fmt.Fprintln(w)
	if st.TaskNote() != "" {
		fmt.Fprintf(w, "task: %s\n", flagTerms(st.TaskNote()))
	}
	if r.val > 0 {
		fmt.Fprintf(w, "split: %d training rows, %d validation rows (seed %d, chosen row by row)\n", st.TrainRows(), st.HeldOutRows(), r.seed)
	} else {
		fmt.Fprintf(w, "split: none (-val 0): all %d rows train, no validation figures (seed %d)\n", st.TrainRows(), r.seed)
	}
	s := r.s
	var pr *progress
	if !r.quiet && !r.asJSON {
		if st.Task() == tabular.Regression {
			fmt.Fprintln(w, standardizedNote)
		}
		s.Log = w
		if e.terminal {
			pr = newProgress(w, progressAfter, progressTick)
			s.Log = pr
		}
	}
	fits, err := fitStreamSelected(ctx, r, st, s, buffer, pr)
	if pr != nil {
		pr.Stop()
	}
	if err != nil {
		return err
	}
	conv := fits.first.Convergence()
	converged, convText := conv.Converged, strings.Replace(convergenceText(conv), ", or use -early-stopping", "", 1)
	if fits.selected {
		converged, convText = fits.sel.ended(conv)
	}
	if converged {
		fmt.Fprintf(w, "stopped: %s\n", convText)
	} else {
		fmt.Fprintf(e.stderr, "mlp train: warning: %s\n", convText)
	}
	if fits.selected {
		fmt.Fprintln(w, fits.sel)
	}
	p := fits.report.Pipeline()
	var ev *evaluation
	if r.val > 0 {
		sc := newScorer(p)
		off := 0
		err := st.HeldOut(func(t *tabular.Table) error {
			pred, err := p.Predict(t)
			if err == nil {
				err = sc.add(pred, t)
			}
			off += t.Rows()
			return shiftRecord(err, off-t.Rows())
		})
		if err == nil {
			ev, err = sc.evaluation()
		}
		if err != nil {
			return fmt.Errorf("validation: %w", err)
		}
		if note := ev.unseenNote(); note != "" {
			// The row-by-row hold-out may leave a rare class out of
			// training.
			fmt.Fprintf(e.stderr, "mlp train: validation: %s\n", note)
		}
	}
	pv, _ := fits.saved.Pipeline().Provenance()
	fits.provenance(&pv)
	pv.Data = r.data
	pv.DataSHA256 = st.SHA256()
	pv.Columns = columnRoles(pv.Columns, st.IgnoredNames(), "", "")
	if ev != nil {
		pv.ValidationRows = ev.rows
		pv.Validation = ev.figures("val_")
	}
	p = fits.saved.Pipeline().WithProvenance(pv)
	if err := r.dst.Write(p.Save); err != nil {
		return err
	}
	if r.plotDst != nil {
		title := fmt.Sprintf("mlp train -stream %s -target %s", r.data, strings.Join(r.targets, ","))
		h := fits.first.History()
		if err := r.plotDst.Write(func(pw io.Writer) error { return mlpplot.WritePNG(pw, h, mlpplot.Settings{Title: title}) }); err != nil {
			return fmt.Errorf("-plot: %w", err)
		}
	}
	if r.asJSON {
		return writeTrainJSON(e.stdout, trainJSON{
			Model: r.out, Plot: r.plot, Data: r.data, DataSHA256: pv.DataSHA256, Task: st.Task().String(), Targets: r.targets,
			Rows: st.Rows(), TrainRows: pv.TrainingRows, Epochs: fits.epochs(), EpochsRun: fits.first.NIter(), Chosen: fits.sel.best,
			Refit: fits.sel.refit, RefitEpochs: fits.sel.refitEpochs, Converged: converged, Convergence: convText,
			FinalLoss: finalLoss(fits.saved), Settings: pv.Settings, Validation: validationJSON(ev),
		})
	}
	if ev == nil {
		fmt.Fprintf(w, "\nvalidation: none (-val 0)\n")
		fmt.Fprintf(w, "model: %s\n", r.out)
		fmt.Fprintf(w, "final loss=%.4f epochs=%d (training loss%s; no validation rows)\n", finalLoss(fits.saved), fits.saved.NIter(), lossUnit(st.Task()))
		return nil
	}
	fmt.Fprintf(w, "\nvalidation (%d rows):\n", ev.rows)
	fmt.Fprintf(w, "model: %s\n", r.out)
	ev.print(w, "val_")
	return nil
}

// streamHint returns a hint to use -stream for an error of the in-memory
// reader at its cap on the whole input, and "" for other errors.
func streamHint(err error) string {
	if errors.Is(err, tabular.ErrLimit) && strings.Contains(err.Error(), "Limits.MaxBytes") {
		return "; -stream reads a file of any size in passes"
	}
	return ""
}
