package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"maps"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/mlpkit/mlp"
	"github.com/mlpkit/mlp/tabular"
)

func init() {
	register(&command{
		name:    "inspect",
		args:    "-model MODEL [-json]",
		summary: "print a model's format version, columns, classes, layers, parameter count and how it was trained",
		setup:   setupInspect,
	})
}

func setupInspect(fs *flag.FlagSet) func(context.Context, *env) error {
	model := fs.String("model", "", "the model `file` (required)")
	asJSON := fs.Bool("json", false, "print one JSON object: format_version, task, targets, classes, columns, layers, parameters and provenance (null for a file that records none)")
	return func(ctx context.Context, e *env) error {
		if *model == "" {
			return usagef("-model is required")
		}
		p, version, err := loadPipelineVersion(*model)
		if err != nil {
			return err
		}
		net, err := p.Net()
		if err != nil {
			return err
		}
		if *asJSON {
			return inspectJSON(e.stdout, p, net, version)
		}
		return inspect(e.stdout, p, net, version)
	}
}

// inspection is the object inspect -json prints.
type inspection struct {
	FormatVersion int                 `json:"format_version"`
	Task          string              `json:"task"`
	Targets       []string            `json:"targets"`
	Classes       []string            `json:"classes,omitempty"`
	Columns       []inspectedColumn   `json:"columns"`
	Layers        []string            `json:"layers"`
	Parameters    int                 `json:"parameters"`
	Provenance    *tabular.Provenance `json:"provenance"`
}

// inspectedColumn is an input column in inspect -json.
type inspectedColumn struct {
	Name       string   `json:"name"`
	Kind       string   `json:"kind"`
	Categories []string `json:"categories,omitempty"`
	Fill       string   `json:"fill,omitempty"`
	Mean       float64  `json:"mean"`
	Std        float64  `json:"std"`
}

// inspectJSON prints what a pipeline holds as one JSON object.
func inspectJSON(w io.Writer, p *tabular.Pipeline, net *mlp.Sequential, version int) error {
	v := inspection{FormatVersion: version, Task: p.Task().String(), Targets: p.Targets(), Classes: p.Classes(), Parameters: paramCount(net)}
	for _, c := range p.Columns() {
		v.Columns = append(v.Columns, inspectedColumn{Name: c.Name, Kind: c.Kind.String(), Categories: c.Categories, Fill: c.Fill, Mean: c.Mean, Std: c.Std})
	}
	for _, l := range net.Layers() {
		v.Layers = append(v.Layers, l.String())
	}
	if pv, ok := p.Provenance(); ok {
		v.Provenance = &pv
	}
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(w, "%s\n", b)
	return err
}

// paramCount returns the number of parameters of net.
func paramCount(net *mlp.Sequential) int {
	n := 0
	for _, pr := range net.Params() {
		r, c := pr.Value.Dims()
		n += r * c
	}
	return n
}

// inspect prints what a pipeline holds; net is its network, which it only
// reads.
func inspect(w io.Writer, p *tabular.Pipeline, net *mlp.Sequential, version int) error {
	fmt.Fprintf(w, "format version: %d\n", version)
	fmt.Fprintf(w, "task: %s\n", p.Task())
	if t := p.Targets(); len(t) > 0 {
		fmt.Fprintf(w, "targets: %s\n", strings.Join(t, ", "))
	}
	if c := p.Classes(); len(c) > 0 {
		fmt.Fprintf(w, "classes (%d, in the order of p_<class> and of probabilities): %s\n", len(c), strings.Join(c, ", "))
	}
	cols, colNA := p.Columns(), p.ColumnNA()
	fmt.Fprintf(w, "columns (%d):\n", len(cols))
	tw := tabwriter.NewWriter(w, 0, 8, 2, ' ', 0)
	for _, c := range cols {
		fmt.Fprintf(tw, "  %s\t%s\t%s\n", c.Name, c.Kind, treatment(c, colNA[c.Name]))
	}
	tw.Flush()
	params := paramCount(net)
	var layers []string
	for _, l := range net.Layers() {
		layers = append(layers, l.String())
	}
	fmt.Fprintf(w, "layers: %s\n", strings.Join(layers, ", "))
	fmt.Fprintf(w, "parameters: %d\n", params)
	pv, ok := p.Provenance()
	if !ok {
		fmt.Fprintf(w, "provenance: none recorded (format version %d)\n", version)
		return nil
	}
	printProvenance(w, pv)
	return nil
}

// printProvenance writes how a model was made, one item a line.
func printProvenance(w io.Writer, pv tabular.Provenance) {
	fmt.Fprintln(w, "provenance:")
	fmt.Fprintf(w, "  library: %s, %s\n", pv.Library, pv.GoVersion)
	if !pv.Created.IsZero() {
		fmt.Fprintf(w, "  created: %s\n", pv.Created.Format(time.RFC3339))
	}
	fmt.Fprintf(w, "  estimator: %s, seed %d\n", pv.Estimator, pv.Seed)
	keys := slices.Sorted(maps.Keys(pv.Settings))
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = k + "=" + pv.Settings[k]
	}
	fmt.Fprintf(w, "  settings: %s\n", strings.Join(parts, " "))
	data := pv.Data
	if data == "" {
		data = "(unnamed)"
	}
	fmt.Fprintf(w, "  data: %s, %d training rows", data, pv.TrainingRows)
	if pv.DataSHA256 != "" {
		fmt.Fprintf(w, ", sha256 %s", pv.DataSHA256)
	}
	fmt.Fprintln(w)
	if pv.WarmStart != "" {
		fmt.Fprintf(w, "  continued from: %s, sha256 %s\n", pv.WarmStart, pv.WarmStartSHA256)
	}
	cols := make([]string, len(pv.Columns))
	for i, c := range pv.Columns {
		cols[i] = c.Name + " (" + c.Role
		if c.Kind != "" {
			cols[i] += ", " + c.Kind
		}
		cols[i] += ")"
	}
	fmt.Fprintf(w, "  columns: %s\n", abbreviate(cols, 20))
	fmt.Fprintf(w, "  training: %d %s; %s\n", pv.Epochs, plural(pv.Epochs, "epoch"), pv.Convergence)
	if pv.ValidationRows == 0 {
		fmt.Fprintln(w, "  validation: none")
		return
	}
	keys = slices.Sorted(maps.Keys(pv.Validation))
	parts = parts[:0]
	for _, k := range keys {
		parts = append(parts, fmt.Sprintf("%s=%.4f", k, pv.Validation[k]))
	}
	fmt.Fprintf(w, "  validation (%d rows): %s\n", pv.ValidationRows, strings.Join(parts, " "))
}

// treatment says how a column is prepared for the net; na are the
// column's own missing-value markers.
func treatment(c tabular.ColumnInfo, na []string) string {
	var parts []string
	if c.Kind == tabular.Categorical {
		parts = append(parts, fmt.Sprintf("one-hot over %d categories (%s)", len(c.Categories), abbreviate(c.Categories, 8)))
	} else if c.Std != 1 || c.Mean != 0 {
		parts = append(parts, fmt.Sprintf("standardized with mean %.6g, std %.6g", c.Mean, c.Std))
	}
	if len(na) > 0 {
		q := make([]string, len(na))
		for k, m := range na {
			q[k] = strconv.Quote(m)
		}
		parts = append(parts, "missing also "+abbreviate(q, 8))
	}
	if c.Fill != "" {
		parts = append(parts, fmt.Sprintf("missing -> %s", c.Fill))
	} else {
		parts = append(parts, "missing is an error")
	}
	return strings.Join(parts, "; ")
}

// abbreviate joins the first n names and says how many more there are.
func abbreviate(names []string, n int) string {
	if len(names) <= n {
		return strings.Join(names, ", ")
	}
	return fmt.Sprintf("%s, ... %d more", strings.Join(names[:n], ", "), len(names)-n)
}
