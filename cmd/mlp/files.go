package main

import (
	"bufio"
	"encoding/binary"
	"flag"
	"fmt"
	"hash"
	"io"
	"os"

	"github.com/mlpkit/mlp/internal/atomicfile"
	"github.com/mlpkit/mlp/tabular"
	"github.com/mlpkit/mlp/tabular/parquet"
)

// loadPipeline reads the pipeline saved in the file at path.
func loadPipeline(path string) (*tabular.Pipeline, error) {
	p, _, err := loadPipelineVersion(path)
	return p, err
}

// loadPipelineVersion reads the pipeline saved in the file at path, and
// the format version of the file.
func loadPipelineVersion(path string) (*tabular.Pipeline, int, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, 0, err
	}
	defer f.Close()
	br := bufio.NewReader(f)
	// The header is the magic "MLPMODEL" and a little-endian uint32
	// version; LoadPipeline checks both.
	var version int
	if h, err := br.Peek(12); err == nil {
		version = int(binary.LittleEndian.Uint32(h[8:]))
	}
	p, err := tabular.LoadPipeline(br)
	if err != nil {
		return nil, 0, fmt.Errorf("%s: %w", path, err)
	}
	return p, version, nil
}

// readTrainingData reads the training table from f, the -data file: a
// Parquet file (found by its magic bytes) with parquet.Reader, otherwise
// CSV delimited by comma with tabular.CSVReader and a leading column of
// row names named (rowNames is its name, "" when none). All the bytes of
// f are written to sum, the data's fingerprint.
//
// detectNA sets tabular.CSVReader.DetectNA (-detect-na); a Parquet file's
// columns carry their types, and no number column holds a marker.
func readTrainingData(f io.Reader, sum hash.Hash, comma rune, r tabular.Roles, categoricalInts int, detectNA bool) (t *tabular.Table, rowNames string, err error) {
	in, isParquet, err := sniffParquet(f)
	if err != nil {
		return nil, "", err
	}
	if isParquet {
		if categoricalInts != 0 {
			return nil, "", usagef("-categorical-ints reads CSV files only; for a Parquet file name the columns with -categorical")
		}
		ra, size, err := parquetBytes(f, in, sum)
		if err != nil {
			return nil, "", err
		}
		rd := parquet.NewReader(ra, size)
		rd.Targets, rd.Task, rd.Categorical, rd.Ignore, rd.NA = r.Targets, r.Task, r.Categorical, r.Ignore, r.NA
		t, err := rd.ReadAll()
		return t, "", err
	}
	return readCSVTable(in, sum, comma, func(in io.Reader) *tabular.CSVReader {
		rd := tabular.NewCSVReader(in)
		rd.Comma = comma
		rd.Targets, rd.Task, rd.Categorical, rd.Ignore, rd.NA = r.Targets, r.Task, r.Categorical, r.Ignore, r.NA
		rd.CategoricalInts = categoricalInts
		rd.DetectNA = detectNA
		return rd
	})
}

// readCSVTable reads a CSV table from in with the reader newReader makes,
// after naming a leading column of row names (rowNames is its name, ""
// when none; nameRowNames), and reads in to its end so that sum, the
// data's fingerprint, receives every byte.
func readCSVTable(in io.Reader, sum hash.Hash, comma rune, newReader func(io.Reader) *tabular.CSVReader) (t *tabular.Table, rowNames string, err error) {
	in, rowNames, err = nameRowNames(io.TeeReader(in, sum), comma)
	if err != nil {
		return nil, "", err
	}
	if t, err = newReader(in).ReadAll(); err != nil {
		return nil, "", err
	}
	if _, err := io.Copy(io.Discard, in); err != nil { // the fingerprint covers the whole input
		return nil, "", err
	}
	return t, rowNames, nil
}

// openData opens the CSV file at path, or standard input for "-". The
// caller closes it.
func openData(path string, e *env) (io.ReadCloser, error) {
	if path == "-" {
		return io.NopCloser(e.stdin), nil
	}
	return os.Open(path)
}

// dataName names the -data file in messages.
func dataName(path string) string {
	if path == "-" {
		return "standard input"
	}
	return path
}

// output checks the -o path out before any work: that it is not one of the
// inputs (by flag name, such as "-data"; compared with os.SameFile, so a
// symbolic or hard link to an input is one too), and that atomicfile can
// replace it (see atomicfile.Check). The Target writes the file at the end.
func output(out string, inputs ...flagPath) (*atomicfile.Target, error) {
	if fo, err := os.Stat(out); err == nil {
		for _, in := range inputs {
			if in.path == "" || in.path == "-" {
				continue
			}
			if fi, err := os.Stat(in.path); err == nil && os.SameFile(fo, fi) {
				return nil, usagef("-o %s is the %s file %s: the output would overwrite the input; write it elsewhere", out, in.flag, in.path)
			}
		}
	}
	t, err := atomicfile.Check(out)
	if err != nil {
		return nil, fmt.Errorf("-o: %w", err)
	}
	return t, nil
}

// flagPath is the path given to an input flag, named with its dash.
type flagPath struct{ flag, path string }

// addDetectNAFlag registers -detect-na, on by default, on a command that
// reads a training table (tabular.CSVReader.DetectNA).
func addDetectNAFlag(fs *flag.FlagSet) *bool {
	return fs.Bool("detect-na", true, "in a column of numbers, read the cells that look like a missing-value marker (no letter or digit, as ?, -, ., or the words na, n/a, nan, null, none, missing, unknown in any case) as missing, with a warning naming the column; the model file records them, so predict, eval and serve read them so too; -detect-na=false reads such a column as text (categorical), as pandas does")
}

// modelData are the -model, -data, -sep and -na flags of the commands that
// run a model on a CSV file.
type modelData struct {
	model, data *string
	sep         sepFlag
	na          listFlag
}

// addModelData registers the flags on fs; dataUsage says what -data holds.
func addModelData(fs *flag.FlagSet, dataUsage string) *modelData {
	m := &modelData{sep: ','}
	m.model = fs.String("model", "", "the model `file` (required)")
	m.data = fs.String("data", "", "the CSV `file` "+dataUsage+", or a Parquet file (it starts with PAR1); - reads standard input (required)")
	fs.Var(&m.sep, "sep", "the field `delimiter`: one character, \\t for a tab")
	fs.Var(&m.na, "na", "comma-separated `texts` that mark a missing cell, besides pandas' defaults (\"\", NA, N/A, NaN, nan, null, NULL, #N/A, <NA>, ...) and those the model was trained with")
	return m
}

// open checks that the flags are given, loads the model and opens the data,
// which the caller closes, and prints the kernel path.
func (m *modelData) open(e *env) (*tabular.Pipeline, io.ReadCloser, error) {
	switch {
	case *m.model == "":
		return nil, nil, usagef("-model is required")
	case *m.data == "":
		return nil, nil, usagef("-data is required")
	}
	p, err := loadPipeline(*m.model)
	if err != nil {
		return nil, nil, err
	}
	f, err := openData(*m.data, e)
	if err != nil {
		return nil, nil, err
	}
	in, isParquet, err := sniffParquet(f)
	if err != nil {
		f.Close()
		return nil, nil, fmt.Errorf("%s: %w", dataName(*m.data), err)
	}
	var data io.ReadCloser = readCloser{in, f.Close}
	if isParquet {
		// A Parquet file is read whole, and its cells are given to eval
		// and predict as CSV text delimited by -sep.
		text, err := parquetAsCSV(f, in, rune(m.sep))
		f.Close()
		if err != nil {
			return nil, nil, fmt.Errorf("%s: %w", dataName(*m.data), err)
		}
		data = text
	}
	printKernel(e)
	return p, data, nil
}

// readCloser is a reader with the Close of what it reads from.
type readCloser struct {
	io.Reader
	close func() error
}

func (r readCloser) Close() error { return r.close() }
