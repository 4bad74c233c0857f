package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/mlpkit/mlp/tabular"
)

// TestEvalImportance checks eval -importance: one line per input column of
// the model (not the ignored id), by decreasing mean, whose figures are
// tabular.PermutationImportance's on the file's rows with the same repeats
// and seed; the same from standard input; and the usage errors of its
// flags.
func TestEvalImportance(t *testing.T) {
	model, _ := trained(t, "iris.csv", "-target", "species", "-ignore", "id", "-seed", "1", "-epochs", "30", "-quiet")
	data := filepath.Join("testdata", "iris.csv")
	r := runMLP(t, "", nil, "eval", "-model", model, "-data", data, "-importance", "-n-repeats", "3", "-seed", "2")
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	_, after, ok := strings.Cut(r.stdout, "\npermutation importance: the drop in accuracy when a column's values are shuffled among the 150 rows (3 repeats, seed 2; accuracy=")
	if !ok {
		t.Fatalf("no importance heading:\n%s", r.stdout)
	}
	lines := strings.Split(strings.TrimRight(after, "\n"), "\n")
	if !regexp.MustCompile(`^column +mean +std$`).MatchString(lines[1]) {
		t.Errorf("header %q", lines[1])
	}

	p := loadModel(t, model)
	f, err := os.Open(data)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rd := tabular.NewCSVReader(f)
	rd.Targets = []string{"species"}
	rd.Ignore = []string{"id"}
	tab, err := rd.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	res, err := tabular.PermutationImportance(context.Background(), p, tab, tabular.PermutationSettings{NRepeats: 3, Seed: 2})
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, j := range res.Ranked() {
		want = append(want, fmt.Sprintf("%s %.4f %.4f", res.Columns[j], res.ImportancesMean[j], res.ImportancesStd[j]))
	}
	var got []string
	for _, l := range lines[2:] {
		got = append(got, strings.Join(strings.Fields(l), " "))
	}
	if !slices.Equal(got, want) {
		t.Errorf("importance lines\n%q\nwant PermutationImportance's\n%q", got, want)
	}

	// -scoring names the score whose drop is measured: the figures of
	// PermutationSettings.Scoring from tabular.ScoringByName.
	rn := runMLP(t, "", nil, "eval", "-model", model, "-data", data, "-importance", "-n-repeats", "3", "-seed", "2", "-scoring", "neg_log_loss")
	if rn.code != 0 {
		t.Fatalf("-scoring neg_log_loss: exit %d: %s", rn.code, rn.stderr)
	}
	sc, err := tabular.ScoringByName("neg_log_loss")
	if err != nil {
		t.Fatal(err)
	}
	resN, err := tabular.PermutationImportance(context.Background(), p, tab, tabular.PermutationSettings{NRepeats: 3, Seed: 2, Scoring: sc})
	if err != nil {
		t.Fatal(err)
	}
	head := fmt.Sprintf("\npermutation importance: the drop in neg_log_loss when a column's values are shuffled among the 150 rows (3 repeats, seed 2; neg_log_loss=%.4f unshuffled):\n", resN.Baseline)
	_, afterN, ok := strings.Cut(rn.stdout, head)
	if !ok || resN.Baseline >= 0 {
		t.Fatalf("no heading %q (baseline %v) in\n%s", head, resN.Baseline, rn.stdout)
	}
	linesN := strings.Split(strings.TrimRight(afterN, "\n"), "\n")[1:]
	j := resN.Ranked()[0]
	if top := fmt.Sprintf("%s %.4f %.4f", resN.Columns[j], resN.ImportancesMean[j], resN.ImportancesStd[j]); strings.Join(strings.Fields(linesN[0]), " ") != top || len(linesN) != 5 {
		t.Errorf("-scoring neg_log_loss lines %q; want %d starting %q", linesN, 5, top)
	}
	if len(got) != 5 || strings.HasPrefix(got[4], "id ") {
		t.Errorf("%d lines; want one per input column of the model, 5", len(got))
	}

	in, err := os.Open(data)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	rs := runMLP(t, "", in, "eval", "-model", model, "-data", "-", "-importance", "-n-repeats", "3", "-seed", "2")
	if rs.code != 0 || strings.ReplaceAll(rs.stdout, "standard input", data) != r.stdout {
		t.Errorf("from standard input: exit %d, output\n%s\nwant\n%s", rs.code, rs.stdout, r.stdout)
	}

	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"-importance", "-n-repeats", "0"}, "invalid value 0 for flag -n-repeats"},
		{[]string{"-n-repeats", "3"}, "-n-repeats needs -importance"},
		{[]string{"-seed", "3"}, "-seed needs -importance"},
		{[]string{"-scoring", "f1_macro"}, "-scoring needs -importance"},
		{[]string{"-importance", "-scoring", "macro_f1"}, `invalid value "macro_f1" for flag -scoring: want one of accuracy, average_precision, balanced_accuracy`},
		{[]string{"-importance", "-scoring", "r2"}, "flag -scoring r2 scores a regression model; the target is classification"},
	} {
		r := runMLP(t, "", nil, append([]string{"eval", "-model", model, "-data", data}, tc.args...)...)
		if r.code != 2 || !strings.Contains(r.stderr, tc.want) {
			t.Errorf("%v: exit %d, stderr %q; want 2 and %q", tc.args, r.code, r.stderr, tc.want)
		}
	}
}
