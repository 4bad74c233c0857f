package tabular

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"math"
	"runtime"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/mlpkit/mlp"
)

// Provenance records how a pipeline was made: by which library and Go
// version, when, with which estimator, seed and settings, on which data
// (its row count, SHA-256 and the role of each column) and how it did on
// its validation rows. MLPClassifier.Fit and MLPRegressor.Fit fill in what
// they know (FittedMLP.Provenance); a program that read the data from a
// file adds its fingerprint and the validation figures, and
// Pipeline.WithProvenance attaches the record, which Save writes (format
// version 3) and LoadPipeline reads back.
//
// Every field is optional; a zero field was not recorded.
type Provenance struct {
	// Library is the module path and version of this library, as
	// runtime/debug.ReadBuildInfo gives it ("(devel)" for a build from a
	// work tree), and GoVersion the Go toolchain's version.
	Library   string `json:"library,omitempty"`
	GoVersion string `json:"go_version,omitempty"`

	// Created is when the record was made (UTC, to the second).
	Created time.Time `json:"created,omitzero"`

	// Estimator is "MLPClassifier" or "MLPRegressor", Seed its
	// MLPSettings.Seed, and Settings every setting by its scikit-learn
	// name (hidden_layer_sizes, alpha, ...), with the defaults filled in,
	// as text.
	Estimator string            `json:"estimator,omitempty"`
	Seed      uint64            `json:"seed"`
	Settings  map[string]string `json:"settings,omitempty"`

	// Data names the training data (a file name, or "" when unknown),
	// DataSHA256 is the hex SHA-256 of its bytes, and TrainingRows the
	// number of rows the net was fitted on.
	Data         string `json:"data,omitempty"`
	DataSHA256   string `json:"data_sha256,omitempty"`
	TrainingRows int    `json:"training_rows"`

	// Columns lists the data's columns with their roles.
	Columns []ColumnRole `json:"columns,omitempty"`

	// Epochs is the number of epochs trained, Converged whether the
	// stopping rule ended them before the cap, and Convergence its
	// sentence (Convergence.String).
	Epochs      int    `json:"epochs"`
	Converged   bool   `json:"converged"`
	Convergence string `json:"convergence,omitempty"`

	// ValidationRows is the number of held-out rows the pipeline was
	// scored on after training (0 when none), and Validation the figures,
	// by name (val_loss, val_accuracy, val_rmse, val_r2, ...).
	ValidationRows int                `json:"validation_rows"`
	Validation     map[string]float64 `json:"validation,omitempty"`
}

// ColumnRole is a column of the training data and what it was used as:
// Role is "feature", "target", "weight" (sample weights), "ignored" or
// "row names"; Kind is "numeric" or "categorical" for a feature or target
// (empty otherwise).
type ColumnRole struct {
	Name string `json:"name"`
	Role string `json:"role"`
	Kind string `json:"kind,omitempty"`
}

// LibraryVersion returns the module path and version of this library in
// the running program, from runtime/debug.ReadBuildInfo: "path version",
// with version "(devel)" for a build from a work tree or a test, and
// "github.com/mlpkit/mlp (devel)" when the build information is missing.
func LibraryVersion() string {
	const path = "github.com/mlpkit/mlp"
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return path + " (devel)"
	}
	if bi.Main.Path == path {
		return path + " " + versionOr(bi.Main.Version)
	}
	for _, m := range bi.Deps {
		if m.Path == path {
			if m.Replace != nil {
				return path + " " + versionOr(m.Replace.Version)
			}
			return path + " " + versionOr(m.Version)
		}
	}
	return path + " (devel)"
}

func versionOr(v string) string {
	if v == "" {
		return "(devel)"
	}
	return v
}

// clone returns a deep copy of p.
func (p *Provenance) clone() *Provenance {
	q := *p
	q.Settings = maps.Clone(p.Settings)
	q.Validation = maps.Clone(p.Validation)
	q.Columns = slices.Clone(p.Columns)
	return &q
}

// maxProvenanceBytes caps the provenance record of a version-3 file.
const maxProvenanceBytes = 1 << 24

// encode returns p as JSON, or an error wrapping ErrFormat when it cannot
// be written (a non-finite validation figure, or a record over the cap).
func (p *Provenance) encode() ([]byte, error) {
	for name, v := range p.Validation {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, fmt.Errorf("%w: Pipeline.Save: provenance: validation figure %s is %v", mlp.ErrFormat, strconv.Quote(name), v)
		}
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false) // the texts as they are, no longer than read
	if err := enc.Encode(p); err != nil {
		return nil, fmt.Errorf("%w: Pipeline.Save: provenance: %v", mlp.ErrFormat, err)
	}
	b := bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
	if len(b) > maxProvenanceBytes {
		return nil, fmt.Errorf("%w: Pipeline.Save: provenance of %d bytes is more than the cap of %d", mlp.ErrFormat, len(b), maxProvenanceBytes)
	}
	return b, nil
}

// newProvenance returns what a fit knows of how it was made: the library,
// the time, the settings d resolved, the table's columns and rows, and
// the run's outcome.
func newProvenance(d *mlpDefaults, t *Table, run *mlpRun) *Provenance {
	p := &Provenance{
		Library:      LibraryVersion(),
		GoVersion:    runtime.Version(),
		Created:      time.Now().UTC().Truncate(time.Second),
		Estimator:    d.name,
		Seed:         d.Seed,
		Settings:     d.settingsText(),
		TrainingRows: t.Rows(),
		Epochs:       run.stop.Epochs,
		Converged:    run.stop.Converged,
		Convergence:  run.stop.String(),
	}
	for _, c := range t.Features {
		p.Columns = append(p.Columns, ColumnRole{Name: c.Name, Role: "feature", Kind: c.Kind.String()})
	}
	for _, c := range t.Targets {
		p.Columns = append(p.Columns, ColumnRole{Name: c.Name, Role: "target", Kind: c.Kind.String()})
	}
	return p
}

// settingsText returns every setting of d by scikit-learn's name, with the
// defaults filled in.
func (d *mlpDefaults) settingsText() map[string]string {
	f := func(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }
	hidden := make([]string, len(d.hidden))
	for i, h := range d.hidden {
		hidden[i] = strconv.Itoa(h)
	}
	act := d.Activation
	if act == "" {
		act = "relu"
	}
	batch := "auto"
	if d.BatchSize > 0 {
		batch = strconv.Itoa(d.BatchSize)
	}
	alpha := f(d.Alpha)
	if d.Alpha == NoPenalty {
		alpha = "0"
	}
	s := map[string]string{
		"hidden_layer_sizes":  strings.Join(hidden, ","),
		"activation":          act,
		"solver":              "adam",
		"alpha":               alpha,
		"batch_size":          batch,
		"learning_rate_init":  f(d.LearningRateInit),
		"beta_1":              f(d.Beta1),
		"beta_2":              f(d.Beta2),
		"epsilon":             f(d.Epsilon),
		"max_iter":            strconv.Itoa(d.MaxIter),
		"tol":                 f(d.Tol),
		"n_iter_no_change":    strconv.Itoa(d.NIterNoChange),
		"shuffle":             strconv.FormatBool(!d.NoShuffle),
		"early_stopping":      strconv.FormatBool(d.EarlyStopping),
		"validation_fraction": f(d.ValidationFraction),
		"warm_start":          strconv.FormatBool(d.InitialWeights != nil),
		"random_state":        strconv.FormatUint(d.Seed, 10),
		"impute":              d.Preprocess.Impute.String(),
		"dtype":               d.DType.String(),
	}
	if d.ValidationRows != nil {
		s["validation_rows"] = strconv.Itoa(len(d.ValidationRows))
	}
	switch {
	case d.BalancedClassWeight:
		s["class_weight"] = "balanced"
	case d.ClassWeight != nil:
		keys := slices.Sorted(maps.Keys(d.ClassWeight))
		parts := make([]string, len(keys))
		for i, k := range keys {
			parts[i] = k + "=" + f(d.ClassWeight[k])
		}
		s["class_weight"] = strings.Join(parts, ",")
	}
	return s
}
