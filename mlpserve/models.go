package mlpserve

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/mlpkit/mlp"
	"github.com/mlpkit/mlp/tabular"
)

// modelSet is the models a Handler serves, replaced whole (never changed)
// when one of them is.
type modelSet struct {
	list   []*served // the default model first
	byName map[string]*served
}

// served is a model with what answering requests for it needs, computed
// once.
type served struct {
	name, version string
	m             Model
	format        int
	cols          []tabular.ColumnInfo
	known         map[string]int      // column or target name -> position; targets after the columns
	cats          []map[string]string // per column: category -> itself, to intern; nil for a numeric column
	catIndex      []map[string]int    // per column: category -> its index among the column's; nil for a numeric column
	names         string              // the columns, quoted and joined, for messages
	numeric       bool                // every column is numeric: the /v2 tensor input is accepted
	targets       []string
	qtargets      [][]byte          // JSON-quoted target names
	classes       []string          // nil for regression
	qclasses      map[string][]byte // class name -> JSON-quoted; nil for regression
	metadata      []byte            // the answer of /metadata
	v2meta        []byte            // the answer of /v2/models/{name}
}

// newServed describes nm.Model for serving, or returns an error wrapping
// mlp.ErrSetting for a nil Model and one wrapping mlp.ErrData when it has
// no columns or no targets.
func newServed(nm NamedModel) (*served, error) {
	if nm.Model == nil {
		return nil, fmt.Errorf("%w: mlpserve: model %q: nil Model", mlp.ErrSetting, nm.Name)
	}
	m, err := describe(nm.Model)
	if err != nil {
		return nil, err
	}
	sv := &served{name: nm.Name, version: nm.Version, m: nm.Model, format: m.FormatVersion,
		cols: nm.Model.Columns(), targets: m.Targets, numeric: true}
	sv.known = make(map[string]int, len(sv.cols)+len(m.Targets))
	sv.cats = make([]map[string]string, len(sv.cols))
	sv.catIndex = make([]map[string]int, len(sv.cols))
	quoted := make([]string, len(sv.cols))
	for j, c := range sv.cols {
		if _, dup := sv.known[c.Name]; dup {
			return nil, fmt.Errorf("%w: mlpserve: model %q names column %q twice", mlp.ErrData, nm.Name, c.Name)
		}
		sv.known[c.Name] = j
		quoted[j] = strconv.Quote(c.Name)
		if c.Kind == tabular.Categorical {
			sv.numeric = false
			sv.cats[j] = make(map[string]string, len(c.Categories))
			sv.catIndex[j] = make(map[string]int, len(c.Categories))
			for k, cat := range c.Categories {
				sv.cats[j][cat] = cat
				sv.catIndex[j][cat] = k
			}
		}
	}
	sv.names = strings.Join(quoted, ", ")
	for k, t := range m.Targets {
		if _, dup := sv.known[t]; !dup {
			sv.known[t] = len(sv.cols) + k
		}
		sv.qtargets = append(sv.qtargets, quote(t))
	}
	if len(m.Classes) > 0 {
		sv.classes = m.Classes
		sv.qclasses = make(map[string][]byte, len(m.Classes))
		for _, c := range m.Classes {
			sv.qclasses[c] = quote(c)
		}
	}
	sv.metadata, err = json.Marshal(m)
	if err != nil {
		return nil, fmt.Errorf("mlpserve: metadata: %w", err)
	}
	sv.metadata = append(sv.metadata, '\n')
	sv.v2meta, err = json.Marshal(sv.modelMetadata())
	if err != nil {
		return nil, fmt.Errorf("mlpserve: metadata: %w", err)
	}
	sv.v2meta = append(sv.v2meta, '\n')
	return sv, nil
}

// info returns what an Observer is told of sv.
func (sv *served) info() ModelInfo {
	return ModelInfo{Name: sv.name, Version: sv.version, FormatVersion: sv.format}
}

// isTarget reports whether position k of known is a target.
func (sv *served) isTarget(k int) bool { return k >= len(sv.cols) }
