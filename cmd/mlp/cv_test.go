package main

import (
	"context"
	"encoding/json"
	"flag"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/mlpkit/mlp/tabular"
)

// readTargets reads a file of testdata with the given targets.
func readTargets(t *testing.T, name string, targets ...string) *tabular.Table {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rd := tabular.NewCSVReader(f)
	rd.Targets = targets
	tab, err := rd.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return tab
}

// mlp cv prints the folds' scores and their mean and standard deviation,
// those of the library's CrossValidate with the estimator the flags set,
// bit for bit (-json) and to four decimals (the text).
func TestCV(t *testing.T) {
	for _, c := range []struct {
		name, data, target, scoring string
		args                        []string
		est                         func(tab *tabular.Table) tabular.Estimator[*tabular.FittedMLP]
		cv                          tabular.CVSettings
	}{
		{"classifier", "iris.csv", "species", "accuracy", []string{"-hidden", "8", "-epochs", "15", "-lr", "0.01", "-seed", "3", "-k", "3"},
			func(*tabular.Table) tabular.Estimator[*tabular.FittedMLP] {
				return tabular.MLPClassifier{HiddenLayerSizes: []int{8}, MaxIter: 15, LearningRateInit: 0.01, Seed: 3}
			}, tabular.CVSettings{K: 3, Stratify: true}},
		{"f1_macro shuffled", "iris.csv", "species", "f1_macro", []string{"-hidden", "4", "-epochs", "10", "-alpha", "0", "-shuffle", "-seed", "2", "-scoring", "f1_macro"},
			func(*tabular.Table) tabular.Estimator[*tabular.FittedMLP] {
				return tabular.MLPClassifier{HiddenLayerSizes: []int{4}, MaxIter: 10, Alpha: tabular.NoPenalty, Seed: 2}
			}, tabular.CVSettings{K: 5, Stratify: true, Shuffle: true, Seed: 2}},
		{"neg_log_loss", "iris.csv", "species", "neg_log_loss", []string{"-hidden", "8", "-epochs", "40", "-lr", "0.01", "-seed", "4", "-k", "3", "-scoring", "neg_log_loss"},
			func(*tabular.Table) tabular.Estimator[*tabular.FittedMLP] {
				return tabular.MLPClassifier{HiddenLayerSizes: []int{8}, MaxIter: 40, LearningRateInit: 0.01, Seed: 4}
			}, tabular.CVSettings{K: 3, Stratify: true}},
		{"roc_auc_ovr", "iris.csv", "species", "roc_auc_ovr", []string{"-hidden", "8", "-epochs", "40", "-lr", "0.01", "-seed", "4", "-k", "3", "-scoring", "roc_auc_ovr"},
			func(*tabular.Table) tabular.Estimator[*tabular.FittedMLP] {
				return tabular.MLPClassifier{HiddenLayerSizes: []int{8}, MaxIter: 40, LearningRateInit: 0.01, Seed: 4}
			}, tabular.CVSettings{K: 3, Stratify: true}},
		{"regressor", "diabetes.csv", "progression", "neg_mean_absolute_error", []string{"-hidden", "8", "-epochs", "10", "-lr", "0.01", "-k", "4", "-scoring", "neg_mean_absolute_error"},
			func(*tabular.Table) tabular.Estimator[*tabular.FittedMLP] {
				return tabular.MLPRegressor{HiddenLayerSizes: []int{8}, MaxIter: 10, LearningRateInit: 0.01}
			}, tabular.CVSettings{K: 4}},
	} {
		t.Run(c.name, func(t *testing.T) {
			args := append([]string{"cv", "-data", filepath.Join("testdata", c.data), "-target", c.target}, c.args...)
			text := mustRun(t, nil, args...)
			js := mustRun(t, nil, append(args, "-json")...)
			var got cvJSON
			if err := json.Unmarshal([]byte(js.stdout), &got); err != nil {
				t.Fatalf("%v\n%s", err, js.stdout)
			}
			tab := readTargets(t, c.data, c.target)
			cv := c.cv
			if c.scoring != "accuracy" {
				cv.Scoring, _ = tabular.ScoringByName(c.scoring)
			}
			want, err := tabular.CrossValidate(context.Background(), c.est(tab), tab, cv)
			if err != nil {
				t.Fatal(err)
			}
			if got.Scoring != c.scoring || len(got.Scores) != len(want.Scores) {
				t.Fatalf("scoring %s, %d scores; want %s, %d", got.Scoring, len(got.Scores), c.scoring, len(want.Scores))
			}
			for f, s := range want.Scores {
				if math.Float64bits(float64(got.Scores[f])) != math.Float64bits(s) {
					t.Errorf("fold %d: %v, CrossValidate %v", f, got.Scores[f], s)
				}
				line := "split" + strconv.Itoa(f) + "_test_" + c.scoring + "=" + strconv.FormatFloat(s, 'f', 4, 64) + "\n"
				if !strings.Contains(text.stdout, line) {
					t.Errorf("no line %q in\n%s", line, text.stdout)
				}
			}
			final := "final mean_test_" + c.scoring + "=" + strconv.FormatFloat(want.Mean, 'f', 4, 64) + " std_test_" + c.scoring + "=" + strconv.FormatFloat(want.Std, 'f', 4, 64) + "\n"
			if float64(got.Mean) != want.Mean || float64(got.Std) != want.Std || !strings.HasSuffix(text.stdout, final) {
				t.Errorf("-json mean %v std %v, text\n%s; CrossValidate %v %v", got.Mean, got.Std, text.stdout, want.Mean, want.Std)
			}
			if c.scoring == "neg_log_loss" && !(want.Mean < 0 && want.Mean > -0.5) || c.scoring == "roc_auc_ovr" && !(want.Mean > 0.9 && want.Mean <= 1) {
				t.Errorf("%s mean %v; want a log loss in (-0.5, 0) or a ROC AUC in (0.9, 1] (accuracy about 0.85)", c.scoring, want.Mean)
			}
			if c.scoring == "neg_mean_absolute_error" && !(want.Mean < 0) {
				t.Errorf("neg_mean_absolute_error mean %v; want below 0", want.Mean)
			}
		})
	}
	if r := mustRun(t, nil, "cv", "-data", filepath.Join("testdata", "iris.csv"), "-target", "species", "-epochs", "3", "-k", "2"); !regexp.MustCompile(`(?m)^folds: 2 \(StratifiedKFold, rows in file order\)$`).MatchString(r.stdout) {
		t.Errorf("stdout %s", r.stdout)
	}
}

// Bad flags are usage errors naming the flag.
func TestCVFlagErrors(t *testing.T) {
	data := filepath.Join("testdata", "iris.csv")
	for _, c := range []struct {
		args []string
		says string
	}{
		{[]string{"-k", "1"}, "invalid value 1 for flag -k"},
		{[]string{"-scoring", "auc"}, `invalid value "auc" for flag -scoring: want one of accuracy, average_precision, balanced_accuracy, f1_macro`},
		{[]string{"-scoring", "r2"}, "flag -scoring r2 scores a regression model; the target is classification"},
		{[]string{"-weight", "sepal_length"}, "-weight: cross-validation fits without sample weights"},
		{[]string{"-epochs", "0"}, "invalid value 0 for flag -epochs"},
		{[]string{"-workers", "0"}, "invalid value 0 for flag -workers"},
		{[]string{"-task", "cluster"}, `invalid value "cluster" for flag -task`},
	} {
		r := runMLPEnv(t, nil, append([]string{"cv", "-data", data, "-target", "species"}, c.args...)...)
		if r.code != 2 || !strings.Contains(r.stderr, c.says) {
			t.Errorf("%v: exit %d, %q; want 2 and %q", c.args, r.code, r.stderr, c.says)
		}
	}
	r := runMLPEnv(t, nil, "cv", "-data", data, "-target", "nope")
	oneLineError(t, r, `target column "nope" is not in the header`)
}

// Every flag of cv and grid is in their -h and in docs/command.md.
func TestCVGridFlagsDocumented(t *testing.T) {
	doc, err := os.ReadFile(filepath.Join("..", "..", "docs", "command.md"))
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"cv", "grid"} {
		c := commands[name]
		var help strings.Builder
		e := &env{stdout: &help, stderr: &help}
		if code := run(context.Background(), []string{"help", name}, e); code != 0 {
			t.Fatalf("mlp help %s: exit %d", name, code)
		}
		fs := newFlagSet(c, e)
		c.setup(fs)
		n := 0
		fs.VisitAll(func(f *flag.Flag) {
			n++
			if !strings.Contains(help.String(), "  -"+f.Name) {
				t.Errorf("mlp help %s does not list -%s", name, f.Name)
			}
			if !strings.Contains(string(doc), "`-"+f.Name) {
				t.Errorf("docs/command.md does not name -%s of mlp %s", f.Name, name)
			}
		})
		if n < 10 {
			t.Errorf("mlp %s has %d flags; want at least 10", name, n)
		}
	}
}
