package main

import (
	"bufio"
	"encoding/binary"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/mlpkit/mlp/tabular"
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

// savePipeline writes p to the file at path with writeFile.
func savePipeline(p *tabular.Pipeline, path string) error {
	return writeFile(path, p.Save)
}

// writeFile writes the file at path with write, through a temporary file in
// the same directory renamed at the end, so that a failed run leaves no
// partial file behind and never replaces a good one.
func writeFile(path string, write func(io.Writer) error) (err error) {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(f.Name())
		}
	}()
	w := bufio.NewWriter(f)
	if err := write(w); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	if err := w.Flush(); err != nil {
		return err
	}
	if err := f.Sync(); err != nil && !errors.Is(err, os.ErrInvalid) {
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	if err := os.Chmod(f.Name(), 0o644); err != nil {
		return err
	}
	return os.Rename(f.Name(), path)
}

// modelData are the -model, -data and -sep flags of the commands that run a
// model on a CSV file.
type modelData struct {
	model, data *string
	sep         sepFlag
}

// addModelData registers the flags on fs; dataUsage says what -data holds.
func addModelData(fs *flag.FlagSet, dataUsage string) *modelData {
	m := &modelData{sep: ','}
	m.model = fs.String("model", "", "the model `file` (required)")
	m.data = fs.String("data", "", "the CSV `file` "+dataUsage+"; - reads standard input (required)")
	fs.Var(&m.sep, "sep", "the field `delimiter`: one character, \\t for a tab")
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
	printKernel(e)
	return p, f, nil
}
