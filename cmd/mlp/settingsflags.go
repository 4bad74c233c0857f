package main

import (
	"crypto/sha256"
	"encoding/hex"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"strconv"
	"time"

	"github.com/mlpkit/mlp"
	"github.com/mlpkit/mlp/tabular"
)

// estimatorSettingsFlags are the flags of the estimator's settings that train and cv take:
// -task, -hidden, -epochs, -batch, -lr, -seed and those of
// addEstimatorFlags.
type estimatorSettingsFlags struct {
	task          *string
	hidden        widthsFlag
	epochs, batch *int
	lr            *float64
	seed          *uint64
	est           *estimatorFlags
}

// addSettingsFlags registers the flags on fs; epochsUsage and seedUsage
// say what -epochs defaults to and what -seed drives.
func addSettingsFlags(fs *flag.FlagSet, epochsUsage, seedUsage string) *estimatorSettingsFlags {
	m := &estimatorSettingsFlags{}
	m.task = fs.String("task", "", "classify or regress; by default the target decides: text or at most 20 distinct integers classify")
	fs.Var(&m.hidden, "hidden", "comma-separated `widths` of the hidden layers, \"\" for none (default: the estimator's, 100)")
	m.epochs = fs.Int("epochs", 0, epochsUsage)
	m.batch = fs.Int("batch", 0, "mini-batch `size`, at least 1 (default: the estimator's, min(200, rows))")
	m.lr = fs.Float64("lr", 0, "Adam's learning `rate`, positive (default: the estimator's, 0.001)")
	m.est = addEstimatorFlags(fs)
	m.seed = fs.Uint64("seed", 0, seedUsage)
	return m
}

// settings checks the flags given and returns the estimator's settings and
// the task asked for; a bad value is a usage error naming the flag.
func (m *estimatorSettingsFlags) settings(given map[string]bool) (tabular.MLPSettings, tabular.Task, error) {
	var s tabular.MLPSettings
	switch {
	case *m.epochs < 0 || given["epochs"] && *m.epochs == 0:
		return s, 0, usagef("invalid value %d for flag -epochs: must be at least 1", *m.epochs)
	case *m.batch < 0 || given["batch"] && *m.batch == 0:
		return s, 0, usagef("invalid value %d for flag -batch: must be at least 1", *m.batch)
	case *m.lr < 0 || given["lr"] && *m.lr == 0 || math.IsNaN(*m.lr) || math.IsInf(*m.lr, 1):
		return s, 0, usagef("invalid value %v for flag -lr: must be positive and finite", *m.lr)
	}
	var task tabular.Task
	switch *m.task {
	case "":
		task = tabular.AutoTask
	case "classify", "classification":
		task = tabular.Classification
	case "regress", "regression":
		task = tabular.Regression
	default:
		return s, 0, usagef("invalid value %q for flag -task: want classify or regress", *m.task)
	}
	if m.hidden.set {
		if err := (mlp.ModelLimits{}).CheckWidths(append(append([]int{1}, m.hidden.widths...), 1)); err != nil {
			return s, 0, usagef("invalid value %q for flag -hidden: %v", m.hidden.String(), err)
		}
		s.HiddenLayerSizes = append([]int{}, m.hidden.widths...)
	}
	s.BatchSize, s.LearningRateInit, s.MaxIter, s.Seed = *m.batch, *m.lr, *m.epochs, *m.seed
	if err := m.est.apply(given, &s); err != nil {
		return s, 0, err
	}
	return s, task, nil
}

// dataFile is a CSV file read whole into a table.
type dataFile struct {
	table *tabular.Table
	// sha256 is the hex SHA-256 of the file's bytes; rowNames the column
	// of row numbers left out ("" for none).
	sha256, rowNames string
}

// readData reads the CSV file at path (- for standard input) with the
// reader newReader makes, leaving out a first column of row numbers with
// a note on standard error, as train does, and printing the table's notes
// there. cmd names the command in the notes.
func readData(path, cmd string, comma rune, e *env, newReader func(io.Reader) *tabular.CSVReader) (*dataFile, error) {
	f, err := openData(path, e)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	sum := sha256.New()
	t, rowNames, err := readCSVTable(f, sum, comma, newReader)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", dataName(path), err)
	}
	if rowNames != "" {
		note, err := dropRowNames(t, rowNames)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", dataName(path), err)
		}
		if note != "" {
			fmt.Fprintf(e.stderr, "mlp %s: %s: %s\n", cmd, dataName(path), note)
		}
	}
	for _, note := range t.Notes {
		fmt.Fprintf(e.stderr, "mlp %s: %s: %s\n", cmd, dataName(path), flagTerms(note))
	}
	return &dataFile{table: t, sha256: hex.EncodeToString(sum.Sum(nil)), rowNames: rowNames}, nil
}

// sourceDateEpoch is the environment variable that fixes the date a
// model file's provenance records, as reproducible builds use it: seconds
// since 1970-01-01 UTC.
const sourceDateEpoch = "SOURCE_DATE_EPOCH"

// recordedDate returns the date SOURCE_DATE_EPOCH gives, or created when
// it is not set; a value that is not a non-negative integer is an error
// naming the variable.
func recordedDate(created time.Time) (time.Time, error) {
	v, ok := os.LookupEnv(sourceDateEpoch)
	if !ok || v == "" {
		return created, nil
	}
	s, err := strconv.ParseInt(v, 10, 64)
	if err != nil || s < 0 || s > 253402300799 {
		return created, fmt.Errorf("%s=%q: want the seconds since 1970-01-01 UTC, an integer from 0 to 253402300799", sourceDateEpoch, v)
	}
	return time.Unix(s, 0).UTC(), nil
}
