package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"math"
	"strconv"

	"github.com/mlpkit/mlp/tabular"
)

func init() {
	register(&command{
		name: "cv",
		args: "-data FILE.csv -target COLUMN [-target COLUMN2 ...] [-k 5] [-scoring NAME] [-shuffle] [-seed S] [-workers N]\n" +
			"                 [train's model flags: -task -hidden -epochs -batch -lr -alpha -activation -early-stopping ...]\n" +
			"                 [-sep ';'] [-na 'NA,?'] [-categorical a,b] [-ignore id] [-json]",
		summary: "cross-validate the estimator train would fit: per-fold scores, their mean and standard deviation",
		setup:   setupCV,
	})
}

func setupCV(fs *flag.FlagSet) func(context.Context, *env) error {
	data := fs.String("data", "", "the CSV `file` to cross-validate on, with a header row; - reads standard input (required)")
	var targets repeatedFlag
	fs.Var(&targets, "target", "a target `column`; repeat for several (multi-output regression) (required)")
	model := addSettingsFlags(fs, "the most training `epochs`, at least 1; training stops earlier when the loss stops improving (default: the estimator's, 200)",
		"random `seed` of the initial weights, the batch order and, with -shuffle, the folds")
	k := fs.Int("k", 5, "the number of `folds`, at least 2")
	scoring := fs.String("scoring", "", "the score of each fold, by scikit-learn's `name`: "+scoringNames()+" (default: accuracy for a classifier, r2 for a regressor)")
	shuffle := fs.Bool("shuffle", false, "shuffle the rows (with -seed) before the folds are cut; classification folds are stratified either way")
	workers := fs.Int("workers", 0, "the number of fits run at once, at least 1 (default: one per core, GOMAXPROCS); the scores do not depend on it")
	sep := sepFlag(',')
	fs.Var(&sep, "sep", "the field `delimiter`: one character, \\t for a tab")
	var na, categorical, ignore listFlag
	fs.Var(&na, "na", "comma-separated `texts` that mark a missing cell, besides pandas' defaults (\"\", NA, N/A, NaN, nan, null, NULL, #N/A, <NA>, ...)")
	fs.Var(&categorical, "categorical", "comma-separated `columns` to treat as categories even though they hold numbers, each a name or a pattern such as 'x_*' (*, ?, [a-z]) matching some")
	fs.Var(&ignore, "ignore", "comma-separated `columns` to leave out, such as an identifier, each a name or a pattern such as 'id_*' (*, ?, [a-z]) matching some; a pattern never drops a -target")
	detectNA := addDetectNAFlag(fs)
	asJSON := fs.Bool("json", false, "print one JSON object instead of the text: the scoring, the folds' scores, their mean and standard deviation, and the settings")

	return func(ctx context.Context, e *env) error {
		given := map[string]bool{}
		fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
		switch {
		case *data == "":
			return usagef("-data is required")
		case len(targets) == 0:
			return usagef("-target is required")
		case *k < 2:
			return usagef("invalid value %d for flag -k: must be at least 2", *k)
		case *workers < 0 || given["workers"] && *workers == 0:
			return usagef("invalid value %d for flag -workers: must be at least 1", *workers)
		case given["weight"]:
			return usagef("-weight: cross-validation fits without sample weights")
		}
		s, asked, err := model.settings(given)
		if err != nil {
			return err
		}
		var score tabular.Scoring
		if *scoring != "" {
			if score, err = tabular.ScoringByName(*scoring); err != nil {
				return usagef("invalid value %q for flag -scoring: want one of %s", *scoring, scoringNames())
			}
		}
		d, err := readData(*data, "cv", rune(sep), e, func(r io.Reader) *tabular.CSVReader {
			rd := tabular.NewCSVReader(r)
			rd.Comma, rd.Targets, rd.Task = rune(sep), targets, asked
			rd.Categorical, rd.Ignore, rd.NA = categorical, ignore, na
			rd.DetectNA = *detectNA
			return rd
		})
		if err != nil {
			return err
		}
		t := d.table
		name, err := scoringFor(*scoring, t.Task, "flag -scoring")
		if err != nil {
			return err
		}
		if err := checkMonitorTask(s, t.Task); err != nil {
			return err
		}
		if t.Task != tabular.Classification && (s.ClassWeight != nil || s.BalancedClassWeight) {
			return usagef("-class-weight weighs classes; the target is %s", t.Task)
		}
		cvs := tabular.CVSettings{K: *k, Stratify: t.Task == tabular.Classification, Shuffle: *shuffle, Seed: *model.seed, Workers: *workers, Scoring: score, NoRefit: true}
		var est tabular.Estimator[*tabular.FittedMLP] = tabular.MLPRegressor(s)
		if t.Task == tabular.Classification {
			est = tabular.MLPClassifier(s)
		}
		if !*asJSON {
			printKernel(e)
			fmt.Fprintf(e.stdout, "data: %s: %d rows, %d feature columns, target %s: %s\n", dataName(*data), t.Rows(), len(t.Features), targets.String(), t.Task)
			fmt.Fprintf(e.stdout, "folds: %s\n", foldsText(cvs))
		}
		res, err := tabular.CrossValidate(ctx, est, t, cvs)
		if err != nil {
			return err
		}
		if *asJSON {
			b, err := json.Marshal(cvJSON{
				Data: dataName(*data), DataSHA256: d.sha256, Task: t.Task.String(), Targets: targets, Rows: t.Rows(),
				Folds: *k, Stratified: cvs.Stratify, Shuffle: *shuffle, Scoring: name,
				Scores: jsonScores(res.Scores), Mean: jsonScore(res.Mean), Std: jsonScore(res.Std),
				Params: est.(tabular.Parameterized).Params(),
			})
			if err != nil {
				return err
			}
			_, err = fmt.Fprintf(e.stdout, "%s\n", b)
			return err
		}
		for f, sc := range res.Scores {
			fmt.Fprintf(e.stdout, "split%d_test_%s=%s\n", f, name, fourDecimals(sc))
		}
		fmt.Fprintf(e.stdout, "final mean_test_%s=%s std_test_%s=%s\n", name, fourDecimals(res.Mean), name, fourDecimals(res.Std))
		return nil
	}
}

// cvJSON is the object cv -json prints.
type cvJSON struct {
	Data       string         `json:"data"`
	DataSHA256 string         `json:"data_sha256"`
	Task       string         `json:"task"`
	Targets    []string       `json:"targets"`
	Rows       int            `json:"rows"`
	Folds      int            `json:"folds"`
	Stratified bool           `json:"stratified"`
	Shuffle    bool           `json:"shuffle"`
	Scoring    string         `json:"scoring"`
	Scores     []jsonScore    `json:"scores"`
	Mean       jsonScore      `json:"mean"`
	Std        jsonScore      `json:"std"`
	Params     map[string]any `json:"params"`
}

// jsonScore is a score in JSON: a number, or the text "NaN", "+Inf" or
// "-Inf", which JSON numbers cannot hold. It reads back to the same bits.
type jsonScore float64

func (s jsonScore) MarshalJSON() ([]byte, error) {
	v := float64(s)
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return []byte(strconv.Quote(strconv.FormatFloat(v, 'g', -1, 64))), nil
	}
	return json.Marshal(v)
}

func (s *jsonScore) UnmarshalJSON(b []byte) error {
	var text string
	if json.Unmarshal(b, &text) == nil {
		switch text {
		case "NaN", "+Inf", "-Inf":
			v, _ := strconv.ParseFloat(text, 64)
			*s = jsonScore(v)
			return nil
		}
		return fmt.Errorf("score %q: want a number, NaN, +Inf or -Inf", text)
	}
	var v float64
	if err := json.Unmarshal(b, &v); err != nil {
		return fmt.Errorf("score %s: want a number, NaN, +Inf or -Inf", b)
	}
	*s = jsonScore(v)
	return nil
}

// jsonScores converts scores.
func jsonScores(v []float64) []jsonScore {
	out := make([]jsonScore, len(v))
	for i, x := range v {
		out[i] = jsonScore(x)
	}
	return out
}

// fourDecimals writes a score with four decimals, as the final lines do.
func fourDecimals(v float64) string { return strconv.FormatFloat(v, 'f', 4, 64) }

// scoringNames lists the -scoring names.
func scoringNames() string {
	s := ""
	for i, n := range tabular.ScoringNames() {
		if i > 0 {
			s += ", "
		}
		s += n
	}
	return s
}

// scoringFor returns the scoring's name, the estimator's score's name
// (accuracy, r2) for "", or a usage error naming where when the scoring
// is for the other task.
func scoringFor(name string, task tabular.Task, where string) (string, error) {
	if name == "" {
		if task == tabular.Classification {
			return "accuracy", nil
		}
		return "r2", nil
	}
	if st, _ := tabular.ScoringTask(name); st != task {
		return "", usagef("%s %s scores a %v model; the target is %v", where, name, st, task)
	}
	return name, nil
}

// foldsText says how the folds are cut.
func foldsText(s tabular.CVSettings) string {
	k := s.K
	if k == 0 {
		k = 5
	}
	how := "KFold"
	if s.Stratify {
		how = "StratifiedKFold"
	}
	if s.Shuffle {
		return fmt.Sprintf("%d (%s, shuffled with seed %d)", k, how, s.Seed)
	}
	return fmt.Sprintf("%d (%s, rows in file order)", k, how)
}
