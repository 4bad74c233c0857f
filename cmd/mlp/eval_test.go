package main

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
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

// TestStreamUnbalancedQuote checks that eval and predict, which stream the
// file, report a quoted field left open at the line of its opening quote,
// not at the end of the file.
func TestStreamUnbalancedQuote(t *testing.T) {
	model, _ := trained(t, "iris.csv", "-target", "species", "-ignore", "id", "-seed", "1", "-epochs", "2")
	b, err := os.ReadFile("testdata/iris.csv")
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	lines[3] = strings.Replace(lines[3], ",south,", `,"south,`, 1)
	lines[3] = strings.Replace(lines[3], ",north,", `,"north,`, 1)
	data := writeTemp(t, t.TempDir(), "quote.csv", strings.Join(lines, "\n")+"\n")
	for _, cmd := range []string{"eval", "predict"} {
		r := runMLP(t, "", nil, cmd, "-model", model, "-data", data)
		oneLineError(t, r, "line 4:", "quoted field that starts here")
	}
}

// TestEvalBooleanClasses checks that a boolean target's classes are True
// and False whatever their spelling in the file scored, also when an
// unseen class makes the column text.
func TestEvalBooleanClasses(t *testing.T) {
	dir := t.TempDir()
	var train, score strings.Builder
	train.WriteString("x,y\n")
	score.WriteString("x,y\n")
	for i := range 60 {
		fmt.Fprintf(&train, "%d,%v\n", i, i >= 30)
		fmt.Fprintf(&score, "%d,%s\n", i, map[bool]string{true: "TRUE", false: "false"}[i >= 30])
	}
	score.WriteString("7,maybe\n")
	model := filepath.Join(dir, "m.mlp")
	if r := runMLP(t, "", nil, "train", "-data", writeTemp(t, dir, "train.csv", train.String()), "-target", "y", "-epochs", "2", "-o", model); r.code != 0 {
		t.Fatalf("train: exit %d\n%s", r.code, r.stderr)
	}
	r := runMLP(t, "", nil, "eval", "-model", model, "-data", writeTemp(t, dir, "score.csv", score.String()))
	if r.code != 0 || !strings.Contains(r.stderr, `1 of the 61 rows have a class the model never saw ("maybe")`) {
		t.Errorf("exit %d, stderr %q", r.code, r.stderr)
	}
	for _, re := range []string{`(?m)^ +False +\d\.\d\d +\d\.\d\d +\d\.\d\d +30$`, `(?m)^ +True +\d\.\d\d +\d\.\d\d +\d\.\d\d +30$`} {
		if !regexp.MustCompile(re).MatchString(r.stdout) {
			t.Errorf("report does not match %s:\n%s", re, r.stdout)
		}
	}
}

// TestEvalMissingTargets checks that a file lacking several of the
// model's target columns names all of them.
func TestEvalMissingTargets(t *testing.T) {
	model, _ := trained(t, "diabetes.csv", "-target", "progression", "-target", "glucose", "-seed", "1", "-epochs", "1")
	data := writeTemp(t, t.TempDir(), "x.csv", "age,sex\n1,2\n")
	r := runMLP(t, "", nil, "eval", "-model", model, "-data", data)
	oneLineError(t, r, `target columns "progression", "glucose" (2 of the model's 2) are not in the header`)
}
