package tabular_test

import (
	"bytes"
	"errors"
	"io"
	"math"
	"math/rand/v2"
	"strconv"
	"testing"

	"github.com/mlpkit/mlp"
	"github.com/mlpkit/mlp/internal/allocs"
	"github.com/mlpkit/mlp/internal/modelfile"
	"github.com/mlpkit/mlp/tabular"
)

// callWriter keeps what is written to it and the length of each call.
type callWriter struct {
	bytes.Buffer
	calls []int
}

func (w *callWriter) Write(p []byte) (int, error) {
	w.calls = append(w.calls, len(p))
	return w.Buffer.Write(p)
}

// largePipeline returns the parts of a classifier of 2000 scaled numeric
// columns c0..c1999 and a 2000-1000-3 network (16 MB of weights), and
// records of those columns.
func largePipeline(t testing.TB) (*tabular.Preprocessor, *mlp.Sequential, tabular.PipelineTargets, []string, [][]string) {
	t.Helper()
	const n = 2000
	cols := make([]tabular.ColumnInfo, n)
	header := make([]string, n)
	records := make([][]string, 3)
	for j := range cols {
		header[j] = "c" + strconv.Itoa(j)
		cols[j] = tabular.ColumnInfo{Name: header[j], Kind: tabular.Numeric, Mean: float64(j) / 7, Std: 1 + float64(j%5)}
		for i := range records {
			records[i] = append(records[i], strconv.FormatFloat(math.Sin(float64(i*n+j)), 'g', -1, 64))
		}
	}
	pre, err := tabular.NewPreprocessor(cols)
	if err != nil {
		t.Fatal(err)
	}
	src := rand.NewPCG(5, 6)
	net, err := mlp.NewSequential(mlp.NewLinear(n, 1000, src), &mlp.ReLU{}, mlp.NewLinear(1000, 3, src), &mlp.Softmax{})
	if err != nil {
		t.Fatal(err)
	}
	return pre, net, tabular.PipelineTargets{Classes: []string{"a", "b", "c"}}, header, records
}

// TestPipelineSaveLarge checks Pipeline.Save of a 16 MB pipeline: it
// writes in calls of at most 4 MiB, the file loads back, predicts the same
// bit for bit and saves to the same bytes; and Save allocates its 4 MiB
// buffer and the pipeline section (about 60 KB here), not the file
// (allocs.Bytes at most 4 MiB + 256 KiB).
func TestPipelineSaveLarge(t *testing.T) {
	pre, net, targets, header, records := largePipeline(t)
	p, err := tabular.NewPipeline(pre, net, targets)
	if err != nil {
		t.Fatal(err)
	}
	var w callWriter
	if err := p.Save(&w); err != nil {
		t.Fatal(err)
	}
	if len(w.calls) < 4 {
		t.Errorf("Save of %d bytes wrote in calls of %v bytes, want at least 4", w.Len(), w.calls)
	}
	for i, n := range w.calls {
		if n > modelfile.ChunkSize {
			t.Errorf("call %d wrote %d bytes, more than %d", i, n, modelfile.ChunkSize)
		}
	}
	back, err := tabular.LoadPipeline(bytes.NewReader(w.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	var again bytes.Buffer
	if err := back.Save(&again); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(again.Bytes(), w.Bytes()) {
		t.Error("Save of the loaded pipeline writes other bytes")
	}
	want, err := p.PredictRecords(header, records)
	if err != nil {
		t.Fatal(err)
	}
	got, err := back.PredictRecords(header, records)
	if err != nil {
		t.Fatal(err)
	}
	for i, v := range want.Proba.RawMatrix().Data {
		if g := got.Proba.RawMatrix().Data[i]; math.Float64bits(g) != math.Float64bits(v) {
			t.Fatalf("probability %d of the loaded pipeline %v, want %v", i, g, v)
		}
	}

	n := allocs.Bytes(func() {
		if err := p.Save(io.Discard); err != nil {
			t.Fatal(err)
		}
	})
	t.Logf("Save of a %d-byte pipeline allocated %d bytes", w.Len(), n)
	if n > modelfile.ChunkSize+256<<10 {
		t.Errorf("Save of a %d-byte pipeline allocated %d bytes, want at most %d", w.Len(), n, modelfile.ChunkSize+256<<10)
	}
}

// TestPipelineSaveOneCall checks that Save writes a file of at most 4 MiB
// in one call to w.Write, also when its pipeline section is larger than
// its network.
func TestPipelineSaveOneCall(t *testing.T) {
	pre, _, _, _, _ := largePipeline(t)
	net, err := mlp.NewSequential(mlp.NewLinear(2000, 1, rand.NewPCG(1, 1)), &mlp.Sigmoid{})
	if err != nil {
		t.Fatal(err)
	}
	p, err := tabular.NewPipeline(pre, net, tabular.PipelineTargets{Classes: []string{"no", "yes"}})
	if err != nil {
		t.Fatal(err)
	}
	var w callWriter
	if err := p.Save(&w); err != nil {
		t.Fatal(err)
	}
	if len(w.calls) != 1 {
		t.Errorf("Save of %d bytes wrote in calls of %v bytes, want one", w.Len(), w.calls)
	}
	if _, err := tabular.LoadPipeline(bytes.NewReader(w.Bytes())); err != nil {
		t.Error(err)
	}
}

// TestNewPipelineNoCopy checks that NewPipelineNoCopy keeps the network
// it is given instead of a copy (it allocates less than 256 KiB for a 16 MB
// network, while NewPipeline allocates at least the weights), puts it in
// evaluation mode, gives the predictions of NewPipeline's pipeline bit for
// bit, appends a Softmax to a classifier's logits without changing the
// caller's network, and refuses a nil or empty network with an error.
func TestNewPipelineNoCopy(t *testing.T) {
	pre, net, targets, header, records := largePipeline(t)
	copied, err := tabular.NewPipeline(pre, net, targets)
	if err != nil {
		t.Fatal(err)
	}
	weights := uint64(8 * (2000*1000 + 1000*3))
	if n := allocs.Bytes(func() {
		if _, err := tabular.NewPipeline(pre, net, targets); err != nil {
			t.Fatal(err)
		}
	}); n < weights {
		t.Errorf("NewPipeline allocated %d bytes, less than the %d bytes of the weights it copies", n, weights)
	}
	if n := allocs.Bytes(func() {
		if _, err := tabular.NewPipelineNoCopy(pre, net, targets); err != nil {
			t.Fatal(err)
		}
	}); n > 1<<20 {
		t.Errorf("NewPipelineNoCopy allocated %d bytes for a network of %d bytes, want at most %d", n, weights, 1<<20)
	}
	net.SetTraining(true)
	p, err := tabular.NewPipelineNoCopy(pre, net, targets)
	if err != nil {
		t.Fatal(err)
	}
	if net.Training() {
		t.Error("the network is in training mode after NewPipelineNoCopy")
	}
	want, err := copied.PredictRecords(header, records)
	if err != nil {
		t.Fatal(err)
	}
	got, err := p.PredictRecords(header, records)
	if err != nil {
		t.Fatal(err)
	}
	for i, v := range want.Proba.RawMatrix().Data {
		if g := got.Proba.RawMatrix().Data[i]; math.Float64bits(g) != math.Float64bits(v) {
			t.Fatalf("probability %d %v, NewPipeline's pipeline gives %v", i, g, v)
		}
	}

	logits, err := mlp.NewSequential(net.Layers()[:3]...)
	if err != nil {
		t.Fatal(err)
	}
	q, err := tabular.NewPipelineNoCopy(pre, logits, targets)
	if err != nil {
		t.Fatal(err)
	}
	qnet, err := q.Net()
	if err != nil {
		t.Fatal(err)
	}
	if got, want := qnet.String(), "Sequential(Linear(2000->1000), ReLU, Linear(1000->3), Softmax)"; got != want {
		t.Errorf("the pipeline's network is %s, want %s", got, want)
	}
	if got, want := logits.String(), "Sequential(Linear(2000->1000), ReLU, Linear(1000->3))"; got != want {
		t.Errorf("the caller's network became %s, want %s", got, want)
	}

	for _, tc := range []struct {
		name string
		net  *mlp.Sequential
	}{
		{"nil", nil},
		{"no layers", &mlp.Sequential{}},
	} {
		if _, err := tabular.NewPipelineNoCopy(pre, tc.net, targets); !errors.Is(err, mlp.ErrSetting) {
			t.Errorf("%s network: error %v, want one wrapping ErrSetting", tc.name, err)
		}
	}
}
