package mlp

import (
	"bytes"
	"encoding/binary"
	"errors"
	"flag"
	"fmt"
	"hash/crc32"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"
)

var updateGolden = flag.Bool("update", false, "rewrite testdata/model_v1.mlp and the FuzzLoad seed corpus")

const goldenModelFile = "testdata/model_v1.mlp"

// goldenWeights returns n weights for layer i of the golden model: small
// dyadic values that print exactly, with the bit patterns a text format
// gets wrong (-0, the smallest subnormal, 1 + 1 ulp, 0.1, π) at the start.
func goldenWeights(i, n int) []float64 {
	special := []float64{math.Copysign(0, -1), math.SmallestNonzeroFloat64, math.Nextafter(1, 2), 0.1, -math.Pi}
	w := make([]float64, n)
	for k := range w {
		if k < len(special) && i == 0 {
			w[k] = special[k]
			continue
		}
		w[k] = float64((k*5+i*3)%11-5)/8 + float64(i)/64
	}
	return w
}

// goldenLinear returns layer i of the golden model, a Linear layer with
// goldenWeights for W and then b.
func goldenLinear(t testing.TB, i, in, out int) *Linear {
	t.Helper()
	l := NewLinear(in, out, rand.NewPCG(uint64(i), 0))
	v := goldenWeights(i, in*out+out)
	if err := l.SetParams(mat.NewDense(in, out, v[:in*out]), v[in*out:]); err != nil {
		t.Fatal(err)
	}
	return l
}

// goldenModel returns the model of testdata/model_v1.mlp: every layer kind
// of format version 1, with weights that do not depend on NewLinear's
// initialisation.
func goldenModel(t testing.TB) *Sequential {
	t.Helper()
	drop, err := NewDropout(0.25, rand.NewPCG(1, 1))
	if err != nil {
		t.Fatal(err)
	}
	m, err := NewSequential(
		goldenLinear(t, 0, 3, 4), &LeakyReLU{Slope: 0.2}, drop,
		goldenLinear(t, 3, 4, 4), &Tanh{},
		goldenLinear(t, 5, 4, 3), &Sigmoid{},
		goldenLinear(t, 7, 3, 3), &GELU{}, &LeakyReLU{}, &ReLU{},
		goldenLinear(t, 11, 3, 2), &Softmax{},
	)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// goldenLayers are the String names of the layers of goldenModel.
var goldenLayers = []string{
	"Linear(3->4)", "LeakyReLU(0.2)", "Dropout(0.25)", "Linear(4->4)", "Tanh", "Linear(4->3)", "Sigmoid",
	"Linear(3->3)", "GELU", "LeakyReLU(0.01)", "ReLU", "Linear(3->2)", "Softmax",
}

// goldenInput is a batch for goldenModel.
var goldenInput = mat.NewDense(4, 3, []float64{
	0.5, -1, 2,
	0, 0, 0,
	-3, 0.25, 1,
	10, -10, 0.125,
})

// saveBytes returns the file Save writes for m.
func saveBytes(t testing.TB, m *Sequential) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := m.Save(&buf); err != nil {
		t.Fatalf("Save: %v", err)
	}
	return buf.Bytes()
}

// readGolden returns the golden file, rewriting it first under -update.
func readGolden(t *testing.T) []byte {
	t.Helper()
	if *updateGolden {
		if err := os.WriteFile(goldenModelFile, saveBytes(t, goldenModel(t)), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	b, err := os.ReadFile(goldenModelFile)
	if err != nil {
		t.Fatalf("%v (run go test -run TestSaveGolden -update to create it)", err)
	}
	return b
}

// sameBits reports the first position where a and b differ in their bits.
func sameBits(t *testing.T, what string, a, b mat.Matrix) {
	t.Helper()
	ar, ac := a.Dims()
	br, bc := b.Dims()
	if ar != br || ac != bc {
		t.Fatalf("%s: shape %dx%d, want %dx%d", what, ar, ac, br, bc)
	}
	for i := 0; i < ar; i++ {
		for j := 0; j < ac; j++ {
			if x, y := a.At(i, j), b.At(i, j); math.Float64bits(x) != math.Float64bits(y) {
				t.Fatalf("%s[%d,%d] = %v (%#016x), want %v (%#016x)",
					what, i, j, x, math.Float64bits(x), y, math.Float64bits(y))
			}
		}
	}
}

// sameModel fails unless got has the layers of want, with the same
// configuration and the same weights bit for bit.
func sameModel(t *testing.T, got, want *Sequential) {
	t.Helper()
	gl, wl := got.Layers(), want.Layers()
	if len(gl) != len(wl) {
		t.Fatalf("got %d layers, want %d", len(gl), len(wl))
	}
	for i := range wl {
		if fmt.Sprintf("%T %v", gl[i], gl[i]) != fmt.Sprintf("%T %v", wl[i], wl[i]) {
			t.Fatalf("layer %d is %T %v, want %T %v", i, gl[i], gl[i], wl[i], wl[i])
		}
		switch w := wl[i].(type) {
		case *Linear:
			g := gl[i].(*Linear)
			sameBits(t, fmt.Sprintf("layer %d W", i), g.Weights(), w.Weights())
			sameBits(t, fmt.Sprintf("layer %d b", i), mat.NewVecDense(len(g.Bias()), g.Bias()), mat.NewVecDense(len(w.Bias()), w.Bias()))
		case *LeakyReLU:
			if g := gl[i].(*LeakyReLU); math.Float64bits(g.slope()) != math.Float64bits(w.slope()) {
				t.Fatalf("layer %d slope %v, want %v", i, g.slope(), w.slope())
			}
		case *Dropout:
			if g := gl[i].(*Dropout); math.Float64bits(g.P()) != math.Float64bits(w.P()) {
				t.Fatalf("layer %d p %v, want %v", i, g.P(), w.P())
			}
		}
	}
	if got.InputSize() != want.InputSize() || got.OutputSize() != want.OutputSize() {
		t.Fatalf("sizes %d->%d, want %d->%d", got.InputSize(), got.OutputSize(), want.InputSize(), want.OutputSize())
	}
}

// TestSaveRoundTrip saves and loads a randomly initialised model with every
// layer kind and checks weights and predictions bit for bit.
func TestSaveRoundTrip(t *testing.T) {
	src := rand.NewPCG(7, 11)
	drop, err := NewDropout(0.3, src)
	if err != nil {
		t.Fatal(err)
	}
	lin := NewLinear(5, 6, src)
	// Values a decimal format must take care over.
	lin.Weights().Set(0, 0, math.Copysign(0, -1))
	lin.Weights().Set(0, 1, 5e-324)
	lin.Weights().Set(0, 2, math.MaxFloat64)
	lin.Bias()[0] = 1.0 / 3
	m, err := NewSequential(
		lin, &ReLU{}, drop,
		NewLinear(6, 7, src), &Sigmoid{},
		NewLinear(7, 8, src), &Tanh{},
		NewLinear(8, 8, src), &LeakyReLU{Slope: -0.37},
		NewLinear(8, 6, src), &GELU{}, &LeakyReLU{},
		NewLinear(6, 4, src), &Softmax{},
	)
	if err != nil {
		t.Fatal(err)
	}
	// Every layer kind Save knows is in m.
	kinds := map[string]bool{}
	for _, l := range m.Layers() {
		kinds[fmt.Sprintf("%T", l)] = true
	}
	if len(kinds) != len(kindNames)-1 {
		t.Fatalf("the model has %d layer types, the format knows %d", len(kinds), len(kindNames)-1)
	}

	file := saveBytes(t, m)
	got, err := Load(bytes.NewReader(file))
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	sameModel(t, got, m)
	if got.Training() {
		t.Errorf("a loaded model is in training mode, want evaluation")
	}
	if again := saveBytes(t, got); !bytes.Equal(again, file) {
		t.Errorf("Save(Load(Save(m))) differs from Save(m)")
	}

	x := mat.NewDense(9, 5, nil)
	rng := rand.New(rand.NewPCG(3, 4))
	for i := 0; i < 9; i++ {
		for j := 0; j < 5; j++ {
			x.Set(i, j, rng.NormFloat64()*3)
		}
	}
	want, err := m.PredictProba(x)
	if err != nil {
		t.Fatal(err)
	}
	pred, err := got.PredictProba(x)
	if err != nil {
		t.Fatal(err)
	}
	sameBits(t, "predictions", pred, want)
}

// TestSaveGolden pins format version 1: the golden file loads to the
// golden model, and Save writes exactly the golden bytes. Run with -update
// to rewrite the file after a deliberate change of the golden model.
func TestSaveGolden(t *testing.T) {
	golden := readGolden(t)
	want := goldenModel(t)
	got, err := Load(bytes.NewReader(golden))
	if err != nil {
		t.Fatalf("Load(%s): %v", goldenModelFile, err)
	}
	var names []string
	for _, l := range got.Layers() {
		names = append(names, l.String())
	}
	if strings.Join(names, " ") != strings.Join(goldenLayers, " ") {
		t.Fatalf("layers %v, want %v", names, goldenLayers)
	}
	sameModel(t, got, want)
	// The weights are goldenWeights, independently of sameModel.
	w := got.Layers()[0].(*Linear).Weights().RawMatrix().Data
	if math.Float64bits(w[0]) != 1<<63 || w[1] != math.SmallestNonzeroFloat64 || w[2] != 1+0x1p-52 {
		t.Fatalf("layer 0 W starts %v, want -0, 5e-324, 1+2^-52", w[:3])
	}
	if s := saveBytes(t, want); !bytes.Equal(s, golden) {
		t.Fatalf("Save of the golden model differs from %s (%d bytes, want %d)", goldenModelFile, len(s), len(golden))
	}
	if s := saveBytes(t, got); !bytes.Equal(s, golden) {
		t.Fatalf("Save of the loaded golden model differs from %s", goldenModelFile)
	}
	wantP, err := want.PredictProba(goldenInput)
	if err != nil {
		t.Fatal(err)
	}
	gotP, err := got.PredictProba(goldenInput)
	if err != nil {
		t.Fatal(err)
	}
	sameBits(t, "predictions", gotP, wantP)

	// The layout Save documents, read by hand.
	le := binary.LittleEndian
	if string(golden[:8]) != "MLPMODEL" || le.Uint32(golden[8:]) != 1 || le.Uint32(golden[12:]) != uint32(len(goldenLayers)) {
		t.Fatalf("header % x", golden[:16])
	}
	if golden[16] != kindLinear || le.Uint32(golden[17:]) != 3 || le.Uint32(golden[21:]) != 4 {
		t.Fatalf("layer 0 header % x", golden[16:25])
	}
	if v := math.Float64frombits(le.Uint64(golden[25+8*3:])); v != 0.1 { // W[0,3]
		t.Fatalf("layer 0 W[0,3] = %v, want 0.1", v)
	}
	n := len(golden)
	if sum := le.Uint32(golden[n-4:]); sum != crc32.ChecksumIEEE(golden[:n-4]) {
		t.Fatalf("checksum %#x, want CRC-32 %#x", sum, crc32.ChecksumIEEE(golden[:n-4]))
	}
}

// TestSaveDocumentedExample checks the 54-byte example of Save's
// documentation.
func TestSaveDocumentedExample(t *testing.T) {
	l := NewLinear(2, 1, rand.NewPCG(1, 2))
	if err := l.SetParams(mat.NewDense(2, 1, []float64{1.5, -2}), []float64{0.25}); err != nil {
		t.Fatal(err)
	}
	m, err := NewSequential(l, &Sigmoid{})
	if err != nil {
		t.Fatal(err)
	}
	got := saveBytes(t, m)
	want := []byte("MLPMODEL\x01\x00\x00\x00\x02\x00\x00\x00\x01\x02\x00\x00\x00\x01\x00\x00\x00")
	for _, v := range []float64{1.5, -2, 0.25} {
		want = binary.LittleEndian.AppendUint64(want, math.Float64bits(v))
	}
	want = append(want, 4)
	want = binary.LittleEndian.AppendUint32(want, crc32.ChecksumIEEE(want))
	if len(want) != 54 {
		t.Fatalf("the documented example has %d bytes, the documentation says 54", len(want))
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("Save wrote\n% x\nwant\n% x", got, want)
	}
}

// failingLayer is a Layer of a type the model format does not know.
type failingLayer struct{ ReLU }

func (*failingLayer) String() string { return "Custom" }

// countingWriter counts what is written to it and can fail.
type countingWriter struct {
	n, calls int
	err      error
}

func (w *countingWriter) Write(p []byte) (int, error) {
	w.calls++
	if w.err != nil {
		return 0, w.err
	}
	w.n += len(p)
	return len(p), nil
}

func TestSaveErrors(t *testing.T) {
	nanLinear := NewLinear(2, 2, rand.NewPCG(1, 1))
	nanLinear.Weights().Set(1, 0, math.NaN())
	infBias := NewLinear(2, 2, rand.NewPCG(1, 1))
	infBias.Bias()[1] = math.Inf(1)
	model := func(layers ...Layer) *Sequential {
		m, err := NewSequential(layers...)
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
	cases := []struct {
		name string
		m    *Sequential
		want string
	}{
		{"user layer", model(NewLinear(2, 2, rand.NewPCG(1, 1)), &failingLayer{}),
			"Save: layer 1 Custom is a *mlp.failingLayer, a layer type the format does not know"},
		{"NaN weight", model(nanLinear), "Save: layer 0 Linear(2->2): weight W[1,0] is NaN; a model file holds only finite numbers"},
		{"Inf bias", model(NewLinear(2, 2, rand.NewPCG(1, 1)), &ReLU{}, infBias),
			"Save: layer 2 Linear(2->2): bias b[1] is +Inf; a model file holds only finite numbers"},
		{"NaN slope", model(NewLinear(2, 2, rand.NewPCG(1, 1)), &LeakyReLU{Slope: math.NaN()}),
			"Save: layer 1 LeakyReLU(NaN): slope is NaN; a model file holds only finite numbers"},
		{"no layers", &Sequential{}, "Save: the model has no layers"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var w countingWriter
			err := c.m.Save(&w)
			if !errors.Is(err, ErrFormat) {
				t.Fatalf("Save: %v, want an error wrapping ErrFormat", err)
			}
			if want := "mlp: invalid model file: " + c.want; err.Error() != want {
				t.Errorf("error\n%q, want\n%q", err, want)
			}
			if w.n != 0 {
				t.Errorf("Save wrote %d bytes before failing", w.n)
			}
		})
	}

	t.Run("writer error", func(t *testing.T) {
		broken := errors.New("disk full")
		err := goldenModel(t).Save(&countingWriter{err: broken})
		if !errors.Is(err, broken) || errors.Is(err, ErrFormat) {
			t.Fatalf("Save: %v, want the writer's error, not ErrFormat", err)
		}
	})
}

// TestWriteFuzzSeeds writes the seed corpus of FuzzLoad under -update: the
// golden file, some of its truncations and a few small files.
func TestWriteFuzzSeeds(t *testing.T) {
	if !*updateGolden {
		t.Skip("run with -update to rewrite testdata/fuzz/FuzzLoad/seed-*")
	}
	golden := readGolden(t)
	seeds := map[string][]byte{
		"seed-golden":           golden,
		"seed-golden-trunc-0":   golden[:0],
		"seed-golden-trunc-7":   golden[:7],
		"seed-golden-trunc-16":  golden[:16],
		"seed-golden-trunc-29":  golden[:29],
		"seed-golden-trunc-157": golden[:157],
		"seed-golden-no-crc":    golden[:len(golden)-4],
		"seed-linear-sigmoid":   modelFile(1, 2, linearBytes(2, 1, 1.5, -2, 0.25), []byte{kindSigmoid}),
		"seed-dropout-leaky": modelFile(1, 4, linearBytes(1, 2, 1, -1, 0, 0.5), paramBytes(kindDropout, 0.5),
			paramBytes(kindLeakyReLU, 0.3), []byte{kindGELU}),
		"seed-huge-claim": modelFile(1, 1, linearBytes(1<<13, 1<<13, 1, 2)),
	}
	dir := filepath.Join("testdata", "fuzz", "FuzzLoad")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for name, b := range seeds {
		text := "go test fuzz v1\n[]byte(" + strconv.Quote(string(b)) + ")\n"
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// TestSaveAllocations saves a 784-256-128-10 model, whose 235,146 weights
// and biases are each checked for finiteness without formatting a name:
// Save allocates its file buffer and a bounded number of small values per
// layer, never one per weight.
func TestSaveAllocations(t *testing.T) {
	src := rand.NewPCG(1, 2)
	m, err := NewSequential(NewLinear(784, 256, src), &ReLU{}, NewLinear(256, 128, src), &ReLU{},
		NewLinear(128, 10, src), &Softmax{})
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := m.Save(&buf); err != nil {
		t.Fatal(err)
	}
	size := buf.Len()
	allocs := testing.AllocsPerRun(5, func() {
		buf.Reset()
		if err := m.Save(&buf); err != nil {
			t.Fatal(err)
		}
	})
	// The buffer of the file is one allocation; a few more per call are
	// the writer's. 2 per layer is generous.
	if max := 4 + 2*len(m.Layers()); allocs > float64(max) {
		t.Errorf("Save of a %d-byte model allocated %v times, want at most %d", size, allocs, max)
	}
	t.Logf("Save: %d bytes, %v allocations", size, allocs)
}

// shortWriter reports writing 10 bytes, with no error, whatever it is given.
type shortWriter struct{}

func (shortWriter) Write(p []byte) (int, error) { return min(len(p), 10), nil }

// TestSaveHostile checks that Save to a writer that reports a short write
// with a nil error, or to a nil or typed nil writer, returns an error.
func TestSaveHostile(t *testing.T) {
	var nilBuf *bytes.Buffer
	checkHostileCases(t, []hostileCase{
		{hostileMemory, "writer reporting a short write with a nil error", func(t *testing.T) error {
			return wantErr(smallNet(t).Save(shortWriter{}), []error{io.ErrShortWrite}, "wrote 10 of")
		}},
		{hostileCrash, "nil writer", func(t *testing.T) error {
			return wantErr(callNoPanicErr(func() error { return smallNet(t).Save(nil) }), []error{ErrSetting}, "nil io.Writer")
		}},
		{hostileCrash, "typed nil writer", func(t *testing.T) error {
			return wantErr(callNoPanicErr(func() error { return smallNet(t).Save(nilBuf) }), []error{ErrSetting}, "nil io.Writer")
		}},
	})
}

// BenchmarkSave saves a 784-256-128-10 model (1.9 MB) and a 256-2048-2048-8
// one (38 MB, written in several calls) to io.Discard.
func BenchmarkSave(b *testing.B) {
	for _, tc := range []struct {
		name   string
		widths []int
	}{
		{"784-256-128-10", []int{784, 256, 128, 10}},
		{"256-2048-2048-8", []int{256, 2048, 2048, 8}},
	} {
		b.Run(tc.name, func(b *testing.B) {
			src := rand.NewPCG(1, 2)
			var layers []Layer
			for i := 1; i < len(tc.widths); i++ {
				layers = append(layers, NewLinear(tc.widths[i-1], tc.widths[i], src), &ReLU{})
			}
			m, err := NewSequential(layers...)
			if err != nil {
				b.Fatal(err)
			}
			var cw countingWriter
			if err := m.Save(&cw); err != nil {
				b.Fatal(err)
			}
			b.SetBytes(int64(cw.n))
			b.ReportAllocs()
			b.ResetTimer()
			for range b.N {
				if err := m.Save(io.Discard); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(cw.n)/1e6, "MB/file")
		})
	}
}
