package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"github.com/mlpkit/mlp"
	"github.com/mlpkit/mlp/internal/atomicfile"
	"github.com/mlpkit/mlp/mlpplot"
	"github.com/mlpkit/mlp/tabular"
)

func init() {
	register(&command{
		name: "train",
		args: "-data FILE.csv -target COLUMN [-target COLUMN2 ...] [-task classify|regress] [-hidden 64,32] [-epochs N]\n" +
			"                 [-batch N] [-lr X] [-alpha X] [-activation relu|tanh|logistic|identity] [-early-stopping [-monitor val_balanced_accuracy]]\n" +
			"                 [-validation-fraction F] [-n-iter-no-change N] [-tol X] [-impute mean|median|most_frequent]\n" +
			"                 [-class-weight balanced|a=2,b=1] [-weight COLUMN] [-float32] [-seed S] [-val 0.2] [-refit=false] [-sep ';'] [-na 'NA,?']\n" +
			"                 [-categorical a,b] [-categorical-ints N] [-ignore id] [-init MODEL] [-quiet] [-plot FILE.png] [-json]\n" +
			"                 [-stream [-buffer ROWS]] -o MODEL",
		summary: "train a pipeline (preprocessing and network) on a CSV file and save it",
		setup:   setupTrain,
	})
}

// splitStream is the stream of the PCG source, seeded with -seed, that
// draws the -val split; the estimator draws its weights and batch order from
// other streams of the same seed.
const splitStream = 1 << 32

func setupTrain(fs *flag.FlagSet) func(context.Context, *env) error {
	data := fs.String("data", "", "the CSV `file` to train on, with a header row, or a Parquet file (it starts with PAR1); - reads standard input (required)")
	var targets repeatedFlag
	fs.Var(&targets, "target", "a target `column`; repeat for several (multi-output regression) (required)")
	model := addSettingsFlags(fs, "the most training `epochs`, at least 1; training stops earlier when the loss stops improving (default: 1000 when -val rows choose the epoch count, else the estimator's 200, as with -val 0 and -early-stopping); when they do, it also stops after a tenth of -epochs (at least -n-iter-no-change) without a lower val_loss",
		"random `seed` of the validation split, the initial weights and the batch order")
	est := model.est
	ini := addInitFlag(fs)
	seed := model.seed
	val := fs.Float64("val", 0.2, "the `fraction` of rows held out for the validation report and the final line, in [0, 1); unless -early-stopping, the epoch count is the one with their lowest val_loss (with -stream too); 0 trains on every row and reports no validation figures")
	refit := fs.Bool("refit", true, "once the -val rows have chosen the epoch count, train the saved model again on every row for that many epochs (with -stream, a second streamed fit); -refit=false saves the net trained on the training rows")
	sep := sepFlag(',')
	fs.Var(&sep, "sep", "the field `delimiter`: one character, \\t for a tab")
	var na, categorical, ignore listFlag
	fs.Var(&na, "na", "comma-separated `texts` that mark a missing cell, besides pandas' defaults (\"\", NA, N/A, NaN, nan, null, NULL, #N/A, <NA>, ...)")
	fs.Var(&categorical, "categorical", "comma-separated `columns` to treat as categories even though they hold numbers, each a name or a pattern such as 'x_*' (*, ?, [a-z]) matching some")
	detectNA := addDetectNAFlag(fs)
	catInts := fs.Int("categorical-ints", 0, "read as categories every feature column of integers with at most `N` distinct values (0/1 factors, say); 0 is off")
	fs.Var(&ignore, "ignore", "comma-separated `columns` to leave out, such as an identifier, each a name or a pattern such as 'id_*' (*, ?, [a-z]) matching some; a pattern never drops a -target")
	quiet := fs.Bool("quiet", false, "print no epoch lines (nor the progress line); the summary, the report and the final line remain")
	plot := fs.String("plot", "", "write the training history (loss and, with validation rows, their figures per epoch) as a PNG image to `file`")
	asJSON := fs.Bool("json", false, "print one JSON object instead of the text output: the final figures, the settings, the convergence and the paths (warnings still go to standard error)")
	out := fs.String("o", "", "the model `file` to write (required)")
	stream := addStreamFlags(fs)

	return func(ctx context.Context, e *env) error {
		// A flag given 0 means 0, which no setting takes: only a flag left
		// out means the estimator's default.
		given := map[string]bool{}
		fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
		switch {
		case *data == "":
			return usagef("-data is required")
		case len(targets) == 0:
			return usagef("-target is required")
		case *out == "":
			return usagef("-o is required")
		case *catInts < 0:
			return usagef("invalid value %d for flag -categorical-ints: must be ≥ 0; 0 is off", *catInts)
		case *catInts > 0 && *stream.on:
			return usagef("-categorical-ints is not supported with -stream; name the columns in -categorical (patterns such as 'x_*' work)")
		case !(*val >= 0 && *val < 1):
			return usagef("invalid value %v for flag -val: must be in [0, 1)", *val)
		}
		s, asked, err := model.settings(given)
		if err != nil {
			return err
		}
		if err := ini.apply(given, &s, targets, asked); err != nil {
			return err
		}
		// Files that cannot be written are found before training.
		dst, err := output(*out, flagPath{"-data", *data}, flagPath{"-init", *ini.path})
		if err != nil {
			return err
		}
		var plotDst *atomicfile.Target
		if *plot != "" {
			if *plot == *out {
				return usagef("-plot and -o name the same file %s", *plot)
			}
			if plotDst, err = output(*plot, flagPath{"-data", *data}); err != nil {
				return fmt.Errorf("-plot: %w", err)
			}
		}

		run := &trainRun{data: *data, out: *out, plot: *plot, targets: targets, na: na, categorical: categorical, ignore: ignore,
			task: asked, sep: rune(sep), seed: *seed, val: *val, quiet: *quiet, asJSON: *asJSON, s: s, dst: dst, plotDst: plotDst,
			refit: *refit, epochsGiven: given["epochs"],
			weight: *est.weight != "", classWeight: s.ClassWeight != nil || s.BalancedClassWeight, detectNA: *detectNA}
		if given["refit"] && (*val == 0 || s.EarlyStopping) {
			// The -val rows choose the epoch count only with -val > 0 and
			// without -early-stopping; found before reading the data.
			return usagef("-refit needs -val rows to choose the epoch count, which -val 0 and -early-stopping turn off")
		}
		if err := stream.check(given, run); err != nil || *stream.on {
			if err != nil {
				return err
			}
			return trainStream(ctx, e, run, *stream.buffer)
		}

		f, err := openData(*data, e)
		if err != nil {
			return err
		}
		defer f.Close()
		sum := sha256.New()
		t, rowNames, err := readTrainingData(f, sum, rune(sep), tabular.Roles{
			Targets: targets, Task: asked, Categorical: categorical, Ignore: ignore, NA: na}, *catInts, *detectNA)
		if err != nil {
			return fmt.Errorf("%s: %w%s", dataName(*data), err, streamHint(err))
		}
		// w receives the text output; with -json only the object is printed.
		w := e.stdout
		if *asJSON {
			w = io.Discard
		}
		if rowNames != "" {
			note, err := dropRowNames(t, rowNames)
			if err != nil {
				return fmt.Errorf("%s: %w", dataName(*data), err)
			}
			if note != "" {
				fmt.Fprintf(e.stderr, "mlp train: %s: %s\n", dataName(*data), note)
			}
		}
		if err := ini.checkTable(t, *est.weight); err != nil {
			return fmt.Errorf("%s: %w", dataName(*data), err)
		}
		if *val > 0 {
			if note := ini.trainedOn(hex.EncodeToString(sum.Sum(nil)), t.Rows()); note != "" {
				fmt.Fprintf(e.stderr, "mlp train: warning: %s\n", note)
			}
		}
		for _, note := range t.Notes {
			fmt.Fprintf(e.stderr, "mlp train: %s: %s\n", dataName(*data), flagTerms(note))
		}
		if t.Task != tabular.Classification && (s.ClassWeight != nil || s.BalancedClassWeight) {
			return usagef("-class-weight weighs classes; the target is %s (use -weight COLUMN for row weights)", t.Task)
		}
		if err := checkMonitorTask(s, t.Task); err != nil {
			return err
		}
		if s.ClassWeight != nil && len(t.Targets) == 1 {
			if err := checkClassWeight(s.ClassWeight, &t.Targets[0]); err != nil {
				return fmt.Errorf("%s: %w", dataName(*data), err)
			}
		}
		var weights, valWeights []float64
		if *est.weight != "" {
			probe := *t
			probe.Features = slices.Clone(t.Features)
			if _, err := takeWeights(&probe, *est.weight); err != nil {
				return fmt.Errorf("%s: %w", dataName(*data), err)
			}
		}
		if !*asJSON {
			printKernel(e)
		}
		fmt.Fprintf(w, "data: %s: %d rows, %d feature columns, target %s: %s", dataName(*data), t.Rows(), len(t.Features)-btoi(*est.weight != ""), targets.String(), t.Task)
		if t.Dropped > 0 {
			fmt.Fprintf(w, " (%d rows left out: missing target)", t.Dropped)
		}
		fmt.Fprintln(w)
		if t.TaskNote != "" {
			fmt.Fprintf(w, "task: %s\n", flagTerms(t.TaskNote))
		}
		ini.print(w)

		train, valid := t, (*tabular.Table)(nil)
		if *val > 0 {
			train, valid, err = tabular.SplitTable(t, mlp.SplitSettings{
				ValFraction: *val,
				Stratify:    t.Task == tabular.Classification,
				Src:         rand.NewPCG(*seed, splitStream),
			})
			if err != nil {
				return fmt.Errorf("%s: -val %v: %w", dataName(*data), *val, err)
			}
			fmt.Fprintf(w, "split: %d training rows, %d validation rows (seed %d)\n", train.Rows(), valid.Rows(), *seed)
		} else {
			fmt.Fprintf(w, "split: none (-val 0): all %d rows train, no validation figures (seed %d)\n", train.Rows(), *seed)
		}
		if *est.weight != "" {
			if weights, err = takeWeights(train, *est.weight); err != nil {
				return err
			}
			if valid != nil {
				if valWeights, err = takeWeights(valid, *est.weight); err != nil {
					return err
				}
			}
		}

		// With validation rows and without -early-stopping, their lowest
		// val_loss chooses the epoch count (docs/defaults.md); the epoch
		// lines and the plot show their figures. Scoring them does not
		// change training.
		selectEpochs := valid != nil && !s.EarlyStopping
		if selectEpochs {
			s.Monitor = valid
			if !given["epochs"] {
				s.MaxIter = selectMaxEpochs
			}
		}
		var pr *progress
		if !*quiet && !*asJSON {
			if t.Task == tabular.Regression {
				fmt.Fprintln(w, standardizedNote)
			}
			s.Log = w
			if e.terminal {
				// An epoch longer than 2 s gets a status line, erased by the
				// next epoch's log line.
				pr = newProgress(w, progressAfter, progressTick)
				most := s.MaxIter
				if most == 0 {
					most = 200 // the estimator's default
				}
				pr.Phase("", train.Rows(), most, true)
				s.Log = pr
			}
		}
		fit := func(ctx context.Context, s tabular.MLPSettings, tt *tabular.Table, w []float64) (*tabular.FittedMLP, error) {
			if t.Task == tabular.Classification {
				return tabular.MLPClassifier(s).FitWeighted(ctx, tt, w)
			}
			return tabular.MLPRegressor(s).FitWeighted(ctx, tt, w)
		}
		var (
			fitted, saved *tabular.FittedMLP // the net the report scores, the net saved
			first         *tabular.FittedMLP // the first fit, whose History has the epoch lines' figures
			sel           selection
		)
		if selectEpochs {
			all := func() (*tabular.Table, []float64, error) {
				if *est.weight == "" {
					return t, nil, nil
				}
				w, err := takeWeights(t, *est.weight)
				return t, w, err
			}
			var status func(string, int, int) io.Writer
			if pr != nil {
				status = func(label string, rows, epochs int) io.Writer {
					pr.Phase(label, rows, epochs, false)
					return pr
				}
			}
			first, fitted, saved, sel, err = fitSelected(ctx, fit, s, train, weights, all, *refit, status)
			sel.standardized = t.Task == tabular.Regression
		} else {
			fitted, err = fit(ctx, s, train, weights)
			first, saved = fitted, fitted
		}
		if pr != nil {
			pr.Stop()
		}
		if err != nil {
			return err
		}
		conv := first.Convergence()
		converged, convText := conv.Converged, convergenceText(conv)
		if selectEpochs {
			converged, convText = sel.ended(conv)
		}
		if converged {
			fmt.Fprintf(w, "stopped: %s\n", convText)
		} else {
			fmt.Fprintf(e.stderr, "mlp train: warning: %s\n", convText)
		}
		if selectEpochs {
			fmt.Fprintln(w, sel)
		}
		p := fitted.Pipeline()
		var (
			ev       *evaluation
			weighted map[string]float64 // the figures weighted by -weight
		)
		if valid != nil {
			if ev, err = evaluate(p, valid); err != nil {
				return fmt.Errorf("validation: %w", err)
			}
			if valWeights != nil {
				if weighted, err = weightedFigures(p, valid, valWeights, ""); err != nil {
					return fmt.Errorf("validation: %w", err)
				}
			}
		}
		pv, _ := saved.Pipeline().Provenance()
		pv.Data = dataName(*data)
		pv.DataSHA256 = hex.EncodeToString(sum.Sum(nil))
		pv.Columns = columnRoles(pv.Columns, t.Ignored, *est.weight, rowNames)
		ini.provenance(&pv)
		if selectEpochs {
			// The -val rows chose max_iter; with the refit, the saved net
			// trained on them too, and the validation figures are the
			// net's trained without them.
			if pv.Settings == nil {
				pv.Settings = map[string]string{}
			}
			pv.Settings["refit"] = fmt.Sprint(sel.refit)
			// The saved fit ran the chosen count, its MaxIter: its own
			// Convergence would say the cap was reached and to raise it.
			pv.Converged = true
			pv.Convergence = sel.provenance()
		}
		if ev != nil {
			pv.ValidationRows = ev.rows
			pv.Validation = ev.figures("val_")
			for k, v := range weighted {
				pv.Validation["val_weighted_"+k] = v
			}
		}
		p = saved.Pipeline().WithProvenance(pv)
		if err := dst.Write(p.Save); err != nil {
			return err
		}
		if plotDst != nil {
			title := fmt.Sprintf("mlp train %s -target %s", dataName(*data), targets.String())
			h := first.History()
			if err := plotDst.Write(func(pw io.Writer) error { return mlpplot.WritePNG(pw, h, mlpplot.Settings{Title: title}) }); err != nil {
				return fmt.Errorf("-plot: %w", err)
			}
		}
		if *asJSON {
			return writeTrainJSON(e.stdout, trainJSON{
				Model:       *out,
				Plot:        *plot,
				Data:        dataName(*data),
				DataSHA256:  pv.DataSHA256,
				Task:        t.Task.String(),
				Targets:     targets,
				Rows:        t.Rows(),
				TrainRows:   pv.TrainingRows,
				Epochs:      saved.NIter(),
				EpochsRun:   first.NIter(),
				Chosen:      sel.best,
				RefitEpochs: sel.refitEpochs,
				Refit:       sel.refit,
				Converged:   converged,
				Convergence: convText,
				FinalLoss:   finalLoss(saved),
				Settings:    pv.Settings,
				Validation:  validationJSON(ev),
				Weighted:    weighted,
			})
		}
		if ev == nil {
			fmt.Fprintf(w, "\nvalidation: none (-val 0)\n")
			fmt.Fprintf(w, "model: %s\n", *out)
			fmt.Fprintf(w, "final loss=%.4f epochs=%d (training loss%s; no validation rows)\n", finalLoss(saved), saved.NIter(), lossUnit(t.Task))
			return nil
		}
		fmt.Fprintf(w, "\nvalidation (%d rows):\n", valid.Rows())
		fmt.Fprintf(w, "model: %s\n", *out)
		if weighted != nil {
			if ev.task == tabular.Classification {
				fmt.Fprintf(w, "weighted by -weight %s: val_loss=%.4f val_accuracy=%.4f\n", *est.weight, weighted["loss"], weighted["accuracy"])
			} else {
				fmt.Fprintf(w, "weighted by -weight %s: val_loss=%.4f val_rmse=%.4f val_r2=%.4f\n", *est.weight, weighted["loss"], weighted["rmse"], weighted["r2"])
			}
		}
		ev.print(w, "val_")
		return nil
	}
}

// An epoch longer than progressAfter gets a status line on a terminal,
// rewritten every progressTick; tests shorten both.
var progressAfter, progressTick = 2 * time.Second, 500 * time.Millisecond

// standardizedNote heads a regressor's epoch lines: their losses, and the
// epoch choice's, are on the standardized target (the estimator trains on
// it), where the final line's val_loss is in the target's units.
const standardizedNote = "epoch lines: loss and val_loss on the standardized target; the final line's val_loss is in the target's units"

// lossUnit returns what the final line of a run without validation rows
// says of its training loss's unit: a regressor's is on the standardized
// target.
func lossUnit(task tabular.Task) string {
	if task == tabular.Regression {
		return " on the standardized target"
	}
	return ""
}

// btoi returns 1 for true and 0 for false.
func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

// convergenceText is Convergence.String in the command's terms: the flags
// that set the stopping rule, and what to change.
func convergenceText(c tabular.Convergence) string {
	if c.Converged {
		return ruleTerms.Replace(c.String())
	}
	if c.ShortRun() {
		return fmt.Sprintf("training stopped at the maximum of %d %s (-epochs), too few for the stopping rule (-n-iter-no-change %d) to judge; the model has not converged: raise -epochs",
			c.MaxIter, plural(c.MaxIter, "epoch"), c.NIterNoChange)
	}
	return fmt.Sprintf("training stopped at the maximum of %d epochs (-epochs) while %s was still improving (%.4f to %.4f over the last %d epochs, more than -tol %g); the model has not converged: raise -epochs, or use -early-stopping",
		c.MaxIter, c.Monitor, c.First, c.Last, c.Window, c.Tol)
}

// ruleTerms names the stopping rule's settings by their flags.
var ruleTerms = strings.NewReplacer("tol=", "-tol ", "n_iter_no_change=", "-n-iter-no-change ", "converged: ", "", "as History numbers them", "as the epoch lines print them")

// finalLoss returns the training loss of the last epoch.
func finalLoss(f *tabular.FittedMLP) float64 {
	h := f.History()
	if len(h.Epochs) == 0 {
		return math.NaN()
	}
	return h.Epochs[len(h.Epochs)-1].Loss
}

// columnRoles returns the roles the fit recorded (features and targets)
// with the columns the command left out: -ignore, -weight and row names.
func columnRoles(fit []tabular.ColumnRole, ignore []string, weight, rowNames string) []tabular.ColumnRole {
	var out []tabular.ColumnRole
	if rowNames != "" {
		out = append(out, tabular.ColumnRole{Name: rowNames, Role: "row names"})
	}
	for _, c := range ignore {
		out = append(out, tabular.ColumnRole{Name: c, Role: "ignored"})
	}
	if weight != "" {
		out = append(out, tabular.ColumnRole{Name: weight, Role: "weight"})
	}
	return append(out, fit...)
}

// trainJSON is the object -json prints.
type trainJSON struct {
	Model      string   `json:"model"`
	Plot       string   `json:"plot,omitempty"`
	Data       string   `json:"data"`
	DataSHA256 string   `json:"data_sha256"`
	Task       string   `json:"task"`
	Targets    []string `json:"targets"`
	Rows       int      `json:"rows"`
	TrainRows  int      `json:"training_rows"`
	// Epochs are the epochs the saved model trained: with Refit, the
	// refit's RefitEpochs, which the training-loss rule may end before
	// Chosen.
	Epochs int `json:"epochs"`
	// EpochsRun are the epochs of the first fit, of which the -val rows
	// chose Chosen (0 and left out when they chose none: -val 0,
	// -early-stopping); Refit says the saved model was trained again on
	// every row, for RefitEpochs (left out without the refit).
	EpochsRun   int                `json:"epochs_run"`
	Chosen      int                `json:"epochs_chosen,omitempty"`
	Refit       bool               `json:"refit"`
	RefitEpochs int                `json:"refit_epochs,omitempty"`
	Converged   bool               `json:"converged"`
	Convergence string             `json:"convergence"`
	FinalLoss   float64            `json:"final_loss"`
	Settings    map[string]string  `json:"settings"`
	Validation  map[string]float64 `json:"validation"`
	// Weighted holds the validation figures weighted by -weight.
	Weighted map[string]float64 `json:"validation_weighted,omitempty"`
}

// writeTrainJSON writes v as one line of JSON.
func writeTrainJSON(w io.Writer, v trainJSON) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(w, "%s\n", b)
	return err
}

// validationJSON returns the validation figures with their row count, or
// nil without validation rows.
func validationJSON(ev *evaluation) map[string]float64 {
	if ev == nil {
		return nil
	}
	m := ev.figures("")
	m["rows"] = float64(ev.rows)
	return m
}

// figures returns the final line's figures by name, each after prefix,
// and for a classifier the report's majority_rate, balanced_accuracy and,
// where they are numbers, roc_auc, average_precision and log_loss.
func (ev *evaluation) figures(prefix string) map[string]float64 {
	if ev.task == tabular.Regression {
		return map[string]float64{prefix + "loss": ev.loss, prefix + "rmse": ev.rmse, prefix + "r2": ev.r2}
	}
	m := map[string]float64{prefix + "loss": ev.loss, prefix + "accuracy": ev.accuracy}
	if r := ev.cls; r != nil {
		m[prefix+"majority_rate"] = r.MajorityRate
		m[prefix+"balanced_accuracy"] = r.BalancedAccuracy
		if p := r.Probability; p != nil {
			for k, v := range map[string]float64{"roc_auc": p.ROCAUC, "average_precision": p.AveragePrecision, "log_loss": p.LogLoss} {
				if !math.IsNaN(v) {
					m[prefix+k] = v
				}
			}
		}
	}
	return m
}
