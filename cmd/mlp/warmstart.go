package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"github.com/mlpkit/mlp/tabular"
)

// initFlag is train's -init: continue training the model in a file.
type initFlag struct {
	path *string
	p    *tabular.Pipeline
	sha  string // hex SHA-256 of the file
	net  tabular.MLPSettings
}

// addInitFlag registers -init on fs.
func addInitFlag(fs *flag.FlagSet) *initFlag {
	return &initFlag{path: fs.String("init", "", "continue training the model `file` (warm start): start from its weights and keep its preprocessing, classes and target scaling; -target must name its targets, the data must have its input columns and no others, and -hidden and -activation, if given, must be its own; Adam starts afresh")}
}

// apply loads the -init model, when given, and sets it as s.WarmStart. A
// -hidden, -activation, -impute, -task or -target that contradicts the
// model is a usage error naming the flag. Call it after the other flags
// have set s.
func (f *initFlag) apply(given map[string]bool, s *tabular.MLPSettings, targets []string, asked tabular.Task) error {
	if *f.path == "" {
		return nil
	}
	b, err := os.ReadFile(*f.path)
	if err != nil {
		return fmt.Errorf("-init: %w", err)
	}
	sum := sha256.Sum256(b)
	f.sha = hex.EncodeToString(sum[:])
	if f.p, err = tabular.LoadPipeline(bytes.NewReader(b)); err != nil {
		return fmt.Errorf("-init %s: %w", *f.path, err)
	}
	if f.net, err = tabular.NetSettings(f.p); err != nil {
		return fmt.Errorf("-init %s: %w", *f.path, err)
	}
	model := fmt.Sprintf("the model -init %s", *f.path)
	switch {
	case s.HiddenLayerSizes != nil && !slices.Equal(s.HiddenLayerSizes, f.net.HiddenLayerSizes):
		return usagef("-hidden %s contradicts %s, whose hidden layers are %s; leave -hidden out", widthsText(s.HiddenLayerSizes), model, widthsText(f.net.HiddenLayerSizes))
	case given["activation"] && s.Activation != f.net.Activation && len(f.net.HiddenLayerSizes) > 0:
		return usagef("-activation %s contradicts %s, whose activation is %s; leave -activation out", s.Activation, model, f.net.Activation)
	case given["impute"]:
		return usagef("-impute with -init: %s keeps its preprocessing", model)
	case asked != tabular.AutoTask && asked != f.p.Task():
		return usagef("-task %s contradicts %s, a %s model", asked, model, f.p.Task())
	case !slices.Equal(targets, f.p.Targets()):
		return usagef("-target %s contradicts %s, whose target columns are %s", strings.Join(targets, ","), model, listHeader(f.p.Targets()))
	}
	s.WarmStart = f.p
	return nil
}

// checkTable returns an error naming a feature column of t (besides the
// -weight column) that the -init model does not read, a column of the
// model that t lacks, or a class of t's target that the model does not
// have.
func (f *initFlag) checkTable(t *tabular.Table, weight string) error {
	if f.p == nil {
		return nil
	}
	var model []string
	for _, c := range f.p.Columns() {
		model = append(model, c.Name)
		if !slices.Contains(t.FeatureNames(), c.Name) {
			return fmt.Errorf("column %q of the model -init %s is not among the data's feature columns, %s", c.Name, *f.path, listHeader(t.FeatureNames()))
		}
	}
	for _, c := range t.FeatureNames() {
		if c != weight && !slices.Contains(model, c) {
			return fmt.Errorf("column %q is not one of the model -init %s's input columns, %s: leave it out with -ignore %s", c, *f.path, listHeader(model), c)
		}
	}
	if f.p.Task() != tabular.Classification || len(t.Targets) != 1 {
		return nil
	}
	classes, y := f.p.Classes(), &t.Targets[0]
	unknown := map[string]int{}
	var first []string
	for i := range y.Values {
		if c := y.Text(i); !y.Missing(i) && !slices.Contains(classes, c) {
			if unknown[c]++; unknown[c] == 1 {
				first = append(first, c)
			}
		}
	}
	if len(first) > 0 {
		return fmt.Errorf("-target %s: class %q (%d rows) is not one of the model -init %s's classes, %s; a continued model keeps its classes",
			y.Name, first[0], unknown[first[0]], *f.path, listHeader(classes))
	}
	return nil
}

// trainedOn returns a warning when the -init model was trained on every
// row of this data (its provenance records the same SHA-256 and either a
// refit or as many training rows), so that validation rows drawn from it
// are not held out from the net; "" otherwise or without -init.
func (f *initFlag) trainedOn(sha string, rows int) string {
	if f.p == nil {
		return ""
	}
	pv, ok := f.p.Provenance()
	if !ok || pv.DataSHA256 == "" || pv.DataSHA256 != sha || !(pv.Settings["refit"] == "true" || pv.TrainingRows == rows) {
		return ""
	}
	return fmt.Sprintf("the model -init %s was trained on all %d rows of this data, so the -val rows are not held out from it: the validation figures and the epoch choice are optimistic; give -init a model trained with -refit=false and the same -seed and -val, or data it has not seen", *f.path, pv.TrainingRows)
}

// print writes the line saying which model training continues, or nothing
// without -init.
func (f *initFlag) print(w io.Writer) {
	if f.p == nil {
		return
	}
	act := f.net.Activation
	if len(f.net.HiddenLayerSizes) == 0 {
		act = "no hidden layer"
	}
	fmt.Fprintf(w, "init: continuing %s (sha256 %s; hidden %s, %s), its preprocessing and %s kept\n",
		*f.path, f.sha[:16], widthsText(f.net.HiddenLayerSizes), act, map[tabular.Task]string{tabular.Classification: "classes", tabular.Regression: "target scaling"}[f.p.Task()])
}

// provenance records the -init model in pv.
func (f *initFlag) provenance(pv *tabular.Provenance) {
	if f.p != nil {
		pv.WarmStart, pv.WarmStartSHA256 = *f.path, f.sha
	}
}

// widthsText writes hidden layer widths as -hidden takes them.
func widthsText(w []int) string {
	parts := make([]string, len(w))
	for i, v := range w {
		parts[i] = fmt.Sprint(v)
	}
	if len(parts) == 0 {
		return `""`
	}
	return strings.Join(parts, ",")
}
