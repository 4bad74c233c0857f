package tabular

import (
	"bytes"
	"encoding/binary"
	"errors"
	"math"
	"os"
	"testing"

	"github.com/mlpkit/mlp"
	"github.com/mlpkit/mlp/internal/testkit"
)

// FuzzLoadPipeline checks that LoadPipeline never panics, that every error
// it returns wraps ErrFormat, that a pipeline it accepts has a network
// within the default ModelLimits, that a version-2 file it accepts is
// canonical (Save of the pipeline writes the same bytes, which load again),
// and that an accepted pipeline predicts three records (numbers, missing
// cells, text) with a prediction or an error wrapping ErrData, never a
// panic. As with FuzzLoad, each input is also tried with its checksum made
// right. The seeds are the golden model file (version 1, a bare pipeline),
// the version-2 file that pipeline saves to, the golden pipeline file and
// testdata/fuzz/FuzzLoadPipeline.
func FuzzLoadPipeline(f *testing.F) {
	golden, err := os.ReadFile(goldenModelFile)
	if err != nil {
		f.Fatal(err)
	}
	p, err := LoadPipeline(bytes.NewReader(golden))
	if err != nil {
		f.Fatal(err)
	}
	var bare bytes.Buffer
	if err := p.Save(&bare); err != nil {
		f.Fatal(err)
	}
	v2, err := os.ReadFile("testdata/pipeline_v2.mlp")
	if err != nil {
		f.Fatal(err)
	}
	v3, err := os.ReadFile("testdata/pipeline_v3.mlp")
	if err != nil {
		f.Fatal(err)
	}
	v4, err := os.ReadFile("testdata/pipeline_v4.mlp")
	if err != nil {
		f.Fatal(err)
	}
	testkit.FuzzModelFiles(f, goldenModelFile, loadPipelineRoundTrip, bare.Bytes(), v2, v3, v4)
}

// loadPipelineRoundTrip loads data and checks the properties
// FuzzLoadPipeline states.
func loadPipelineRoundTrip(t *testing.T, data []byte) {
	t.Helper()
	p, err := LoadPipeline(bytes.NewReader(data))
	if testkit.LoadFailed(t, "LoadPipeline", p != nil, err, mlp.ErrFormat) {
		return
	}
	net, err := p.Net()
	if err != nil {
		t.Fatalf("Net of a loaded pipeline: %v", err)
	}
	if err := (mlp.ModelLimits{}).CheckModel(net); err != nil {
		t.Fatalf("LoadPipeline accepted a network beyond the default limits: %v", err)
	}
	var buf bytes.Buffer
	if err := p.Save(&buf); err != nil {
		t.Fatalf("LoadPipeline accepted the file but Save fails: %v", err)
	}
	if binary.LittleEndian.Uint32(data[8:]) == pipelineVersion && !bytes.Equal(buf.Bytes(), data) {
		t.Fatalf("Save of the loaded pipeline differs from the file:\n% x\n% x", buf.Bytes(), data)
	}
	if _, err := LoadPipeline(bytes.NewReader(buf.Bytes())); err != nil {
		t.Fatalf("LoadPipeline of what Save wrote: %v", err)
	}
	cols := p.Columns()
	header := make([]string, len(cols))
	rows := [][]string{make([]string, len(cols)), make([]string, len(cols)), make([]string, len(cols))}
	for j, c := range cols {
		header[j] = c.Name
		rows[0][j] = "1.5"
		rows[1][j] = ""
		rows[2][j] = "text"
		if len(c.Categories) > 0 {
			rows[2][j] = c.Categories[0]
		}
	}
	for i := range rows {
		pred, err := p.PredictRecords(header, rows[i:i+1])
		if err != nil {
			if !errors.Is(err, mlp.ErrData) {
				t.Fatalf("PredictRecords: %v does not wrap ErrData", err)
			}
			continue
		}
		out := pred.Values
		if p.Task() == Classification {
			out = pred.Proba
			if len(pred.Labels) != 1 {
				t.Fatalf("%d labels for one record", len(pred.Labels))
			}
		}
		if r, _ := out.Dims(); r != 1 {
			t.Fatalf("%d rows for one record", r)
		}
		for _, v := range out.RawMatrix().Data {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				t.Fatalf("prediction %v with no error", v)
			}
		}
	}
}
