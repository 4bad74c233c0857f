package mlp

import (
	"bytes"
	"errors"
	"testing"

	"github.com/mlpkit/mlp/internal/testkit"
	"gonum.org/v1/gonum/mat"
)

// FuzzLoad checks that Load never panics, that every error it returns for
// an in-memory file wraps ErrFormat, and that every file it accepts is
// canonical: Save of the loaded model writes the same bytes, which load
// again. Since a random change almost always breaks the checksum, each
// input is also tried with its last four bytes replaced by the right
// CRC-32, so that the fuzzer reaches the layer decoders and the success
// path. The seed corpus is testdata/model_v1.mlp and
// testdata/fuzz/FuzzLoad.
func FuzzLoad(f *testing.F) {
	testkit.FuzzModelFiles(f, goldenModelFile, loadRoundTrip)
}

// loadRoundTrip loads data and checks the properties FuzzLoad states.
func loadRoundTrip(t *testing.T, data []byte) {
	t.Helper()
	m, err := Load(bytes.NewReader(data))
	if testkit.LoadFailed(t, "Load", m != nil, err, ErrFormat) {
		return
	}
	var buf bytes.Buffer
	if err := m.Save(&buf); err != nil {
		t.Fatalf("Load accepted the file but Save of the model fails: %v", err)
	}
	if !bytes.Equal(buf.Bytes(), data) {
		t.Fatalf("Save of the loaded model differs from the file it was loaded from:\n% x\n% x", buf.Bytes(), data)
	}
	m2, err := Load(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatalf("Load of what Save wrote: %v", err)
	}
	var buf2 bytes.Buffer
	if err := m2.Save(&buf2); err != nil {
		t.Fatalf("second Save: %v", err)
	}
	if !bytes.Equal(buf2.Bytes(), buf.Bytes()) {
		t.Fatalf("Save, Load, Save does not give the same bytes")
	}
}

// FuzzLoadPredict loads each input (as it is and with its checksum made
// right) and, when Load accepts it, predicts four rows with the model:
// zeros, small values, and values near ±1e300 that overflow the products.
// Load must keep the model within the default ModelLimits, and prediction
// must return either an error or a matrix of the right shape, never panic.
func FuzzLoadPredict(f *testing.F) {
	testkit.FuzzModelFiles(f, goldenModelFile, loadPredict, modelFile(1, 3, linearBytes(2, 3, 1, -2, 3, -4, 5, -6, 0.5, 0.25, 0), []byte{kindReLU},
		linearBytes(3, 1, 1, 1, 1, 0)))
}

// loadPredict loads data and predicts from the model as FuzzLoadPredict
// states.
func loadPredict(t *testing.T, data []byte) {
	t.Helper()
	m, err := Load(bytes.NewReader(data))
	if err != nil {
		return
	}
	if err := (ModelLimits{}).CheckModel(m); err != nil {
		t.Fatalf("Load accepted a model beyond the default limits: %v", err)
	}
	in := m.InputSize()
	x := mat.NewDense(4, in, nil)
	for j := range in {
		x.Set(1, j, float64(j%5)-2)
		x.Set(2, j, 1e300)
		x.Set(3, j, -1e300*float64(j%2*2-1))
	}
	p, err := m.Predict(x)
	if err != nil {
		return
	}
	if r, c := p.Dims(); r != 4 || c != m.OutputSize() {
		t.Fatalf("prediction is %dx%d, want 4x%d", r, c, m.OutputSize())
	}
	if _, err := m.PredictClasses(x); err != nil && !errors.Is(err, ErrData) && !errors.Is(err, ErrSetting) {
		t.Fatalf("PredictClasses: %v", err)
	}
}
