package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/mlpkit/mlp"
	"github.com/mlpkit/mlp/tabular"
)

func init() {
	register(&command{
		name:    "inspect",
		args:    "-model MODEL",
		summary: "print a model's format version, columns, classes, layers and parameter count",
		setup:   setupInspect,
	})
}

func setupInspect(fs *flag.FlagSet) func(context.Context, *env) error {
	model := fs.String("model", "", "the model `file` (required)")
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
		inspect(e.stdout, p, net, version)
		return nil
	}
}

// inspect prints what a pipeline holds; net is its network, which it only
// reads.
func inspect(w io.Writer, p *tabular.Pipeline, net *mlp.Sequential, version int) {
	fmt.Fprintf(w, "format version: %d\n", version)
	fmt.Fprintf(w, "task: %s\n", p.Task())
	if t := p.Targets(); len(t) > 0 {
		fmt.Fprintf(w, "targets: %s\n", strings.Join(t, ", "))
	}
	if c := p.Classes(); len(c) > 0 {
		fmt.Fprintf(w, "classes (%d, in the order of p_<class> and of probabilities): %s\n", len(c), strings.Join(c, ", "))
	}
	cols := p.Columns()
	fmt.Fprintf(w, "columns (%d):\n", len(cols))
	tw := tabwriter.NewWriter(w, 0, 8, 2, ' ', 0)
	for _, c := range cols {
		fmt.Fprintf(tw, "  %s\t%s\t%s\n", c.Name, c.Kind, treatment(c))
	}
	tw.Flush()
	params := 0
	for _, pr := range net.Params() {
		r, c := pr.Value.Dims()
		params += r * c
	}
	var layers []string
	for _, l := range net.Layers() {
		layers = append(layers, l.String())
	}
	fmt.Fprintf(w, "layers: %s\n", strings.Join(layers, ", "))
	fmt.Fprintf(w, "parameters: %d\n", params)
}

// treatment says how a column is prepared for the net.
func treatment(c tabular.ColumnInfo) string {
	var parts []string
	if c.Kind == tabular.Categorical {
		parts = append(parts, fmt.Sprintf("one-hot over %d categories (%s)", len(c.Categories), abbreviate(c.Categories, 8)))
	} else if c.Std != 1 || c.Mean != 0 {
		parts = append(parts, fmt.Sprintf("standardized with mean %.6g, std %.6g", c.Mean, c.Std))
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
