package mlpserve

import (
	"fmt"

	"github.com/mlpkit/mlp"
)

// Metadata is the answer of GET /metadata: what a client needs to build a
// request and read the answer.
type Metadata struct {
	// FormatVersion is the version of the saved-pipeline format.
	FormatVersion int `json:"format_version"`
	// Columns are the input columns a row holds, in the pipeline's order.
	Columns []ColumnMetadata `json:"columns"`
	// Classes are the class names of a classifier in the order of each
	// row of "probabilities"; empty for a regressor.
	Classes []string `json:"classes"`
	// Targets are the names of the predicted columns.
	Targets []string `json:"targets"`
}

// ColumnMetadata describes one input column.
type ColumnMetadata struct {
	Name string `json:"name"`
	// Kind is "numeric" (JSON numbers) or "categorical" (JSON strings).
	Kind string `json:"kind"`
}

// FormatVersioner is the capability of a Model that knows the version
// of the model file format it was read from, for /metadata. A Model
// without it is reported as version 2, the version Pipeline.Save writes.
type FormatVersioner interface {
	FormatVersion() int
}

// pipelineFormatVersion is the model file version Pipeline.Save writes.
const pipelineFormatVersion = 2

// describe returns the metadata of p, or an error wrapping mlp.ErrData when
// p has no columns or no targets.
func describe(p Model) (*Metadata, error) {
	m := &Metadata{
		FormatVersion: pipelineFormatVersion,
		Classes:       append([]string{}, p.Classes()...),
		Targets:       append([]string{}, p.Targets()...),
	}
	if v, ok := p.(FormatVersioner); ok {
		m.FormatVersion = v.FormatVersion()
	}
	for _, c := range p.Columns() {
		m.Columns = append(m.Columns, ColumnMetadata{Name: c.Name, Kind: c.Kind.String()})
	}
	switch {
	case len(m.Columns) == 0:
		return nil, fmt.Errorf("%w: mlpserve: the predictor has no input columns", mlp.ErrData)
	case len(m.Targets) == 0:
		return nil, fmt.Errorf("%w: mlpserve: the predictor has no targets", mlp.ErrData)
	}
	return m, nil
}
