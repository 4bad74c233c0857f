package main

import (
	"math"
	"os"
	"regexp"
	"strings"
	"testing"
)

// TestEvalUnseenClass checks that rows whose class the model never saw are
// scored as wrong predictions, as scikit-learn's accuracy_score and
// classification_report score them (the class gets a line with its support
// and no predictions), with a note on stderr, instead of stopping; the
// loss is over the other rows.
func TestEvalUnseenClass(t *testing.T) {
	model, _ := trained(t, "iris.csv", "-target", "species", "-ignore", "id", "-seed", "1", "-epochs", "20")
	b, err := os.ReadFile("testdata/iris.csv")
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	header, rows := lines[0], lines[1:]
	var known, all []string
	unseen := 0
	for i, row := range rows {
		if i%10 == 3 {
			cut := strings.LastIndexByte(row, ',')
			cls := "aardvark"
			if i%20 == 3 {
				cls = "zebra"
			}
			all = append(all, row[:cut+1]+cls)
			unseen++
			continue
		}
		known, all = append(known, row), append(all, row)
	}
	dir := t.TempDir()
	knownFile := writeTemp(t, dir, "known.csv", header+"\n"+strings.Join(known, "\n")+"\n")
	allFile := writeTemp(t, dir, "all.csv", header+"\n"+strings.Join(all, "\n")+"\n")

	final := regexp.MustCompile(`\Afinal loss=(\d+\.\d{4}) accuracy=(\d\.\d{4})\z`)
	rk := runMLP(t, "", nil, "eval", "-model", model, "-data", knownFile)
	ra := runMLP(t, "", nil, "eval", "-model", model, "-data", allFile)
	if rk.code != 0 || ra.code != 0 {
		t.Fatalf("exit %d, %d:\n%s%s", rk.code, ra.code, rk.stderr, ra.stderr)
	}
	mk, ma := final.FindStringSubmatch(lastLine(rk.stdout)), final.FindStringSubmatch(lastLine(ra.stdout))
	if mk == nil || ma == nil {
		t.Fatalf("final lines %q, %q", lastLine(rk.stdout), lastLine(ra.stdout))
	}
	k, a := floats(t, mk), floats(t, ma)
	n := float64(len(rows))
	if want := k[1] * float64(len(known)) / n; math.Abs(a[1]-want) > 1e-4 {
		t.Errorf("accuracy %.4f, want %.4f: the %d rows of unseen classes wrong", a[1], want, unseen)
	}
	if a[0] != k[0] {
		t.Errorf("loss %.4f, want %.4f, the loss over the rows of known classes", a[0], k[0])
	}
	for _, w := range []string{"mlp eval: " + allFile, "15 of the 150 rows have a class the model never saw", `"aardvark", "zebra"`, "wrong predictions", "other 135 rows"} {
		if !strings.Contains(ra.stderr, w) {
			t.Errorf("stderr does not say %q:\n%s", w, ra.stderr)
		}
	}
	// The report gives each unseen class a line, support and no
	// predictions (precision, recall and F1 0), in byte order among the
	// model's classes.
	for _, re := range []string{`(?m)^ +aardvark +0\.00 +0\.00 +0\.00 +7$`, `(?m)^ +zebra +0\.00 +0\.00 +0\.00 +8$`, `(?m)^ +aardvark[^\n]*\n +setosa`} {
		if !regexp.MustCompile(re).MatchString(ra.stdout) {
			t.Errorf("report does not match %s:\n%s", re, ra.stdout)
		}
	}
}
