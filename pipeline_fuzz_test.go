package mlp

import (
	"bytes"
	"errors"
	"os"
	"testing"
)

// FuzzLoadPipeline checks that LoadPipeline never panics, that every error
// it returns for an in-memory file wraps ErrFormat, and that every
// pipeline it accepts saves and loads again with a network within the
// default ModelLimits. Each input is also tried with its checksum made
// right. The seeds are the golden model file (version 1, a bare pipeline)
// and the version-2 file its pipeline saves to.
func FuzzLoadPipeline(f *testing.F) {
	golden, err := os.ReadFile(goldenModelFile)
	if err != nil {
		f.Fatal(err)
	}
	p, err := LoadPipeline(bytes.NewReader(golden))
	if err != nil {
		f.Fatal(err)
	}
	var v2 bytes.Buffer
	if err := p.Save(&v2); err != nil {
		f.Fatal(err)
	}
	fuzzModelFiles(f, loadPipelineAgain, v2.Bytes())
}

// loadPipelineAgain loads data with LoadPipeline and checks the properties
// FuzzLoadPipeline states.
func loadPipelineAgain(t *testing.T, data []byte) {
	t.Helper()
	p, err := LoadPipeline(bytes.NewReader(data))
	if err != nil {
		if p != nil {
			t.Fatalf("LoadPipeline returned a pipeline with its error %v", err)
		}
		if !errors.Is(err, ErrFormat) {
			t.Fatalf("LoadPipeline: %v does not wrap ErrFormat", err)
		}
		return
	}
	net, err := p.Net()
	if err != nil {
		t.Fatalf("Net of a loaded pipeline: %v", err)
	}
	if err := (ModelLimits{}).CheckModel(net); err != nil {
		t.Fatalf("LoadPipeline accepted a network beyond the default limits: %v", err)
	}
	var buf bytes.Buffer
	if err := p.Save(&buf); err != nil {
		t.Fatalf("LoadPipeline accepted the file but Save of the pipeline fails: %v", err)
	}
	if _, err := LoadPipeline(bytes.NewReader(buf.Bytes())); err != nil {
		t.Fatalf("LoadPipeline of what Save wrote: %v", err)
	}
}
