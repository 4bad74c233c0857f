package mlp

import (
	"bytes"
	"encoding/binary"
	"errors"
	"flag"
	"fmt"
	"hash/crc32"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"github.com/mlpkit/mlp/internal/modelfile"
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

// TestLoadDropoutSource checks the documented source of a loaded Dropout:
// rand.NewPCG(0x4d4c504d4f44454c, layer index).
func TestLoadDropoutSource(t *testing.T) {
	if want := binary.BigEndian.Uint64([]byte("MLPMODEL")); dropoutSeed != want {
		t.Fatalf("dropoutSeed = %#x, the documentation says %#x", uint64(dropoutSeed), want)
	}
	m := goldenModel(t)
	file := saveBytes(t, m)
	x := mat.NewDense(6, 4, nil)
	for i := range x.RawMatrix().Data {
		x.RawMatrix().Data[i] = float64(i + 1)
	}
	var outs []*mat.Dense
	for range 2 {
		got, err := Load(bytes.NewReader(file))
		if err != nil {
			t.Fatal(err)
		}
		d := got.Layers()[2].(*Dropout)
		if d.Training() {
			t.Fatalf("a loaded Dropout is in training mode")
		}
		d.SetTraining(true)
		outs = append(outs, mat.DenseCopyOf(d.Forward(x)))
	}
	ref, err := NewDropout(0.25, rand.NewPCG(dropoutSeed, 2))
	if err != nil {
		t.Fatal(err)
	}
	want := ref.Forward(x)
	sameBits(t, "first load's mask", outs[0], want)
	sameBits(t, "second load's mask", outs[1], want)
	if mat.Equal(want, x) {
		t.Fatalf("the dropout mask dropped nothing; the test cannot tell sources apart")
	}
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

// modelFile returns a file made of the magic, version, layer count and
// layer bytes given, and a correct checksum.
func modelFile(version, layers uint32, body ...[]byte) []byte {
	le := binary.LittleEndian
	b := []byte(modelfile.Magic)
	b = le.AppendUint32(b, version)
	b = le.AppendUint32(b, layers)
	for _, p := range body {
		b = append(b, p...)
	}
	return le.AppendUint32(b, crc32.ChecksumIEEE(b))
}

// linearBytes returns the bytes of a Linear layer with the given sizes and
// numbers (W then b; not checked against the sizes).
func linearBytes(in, out uint32, v ...float64) []byte {
	le := binary.LittleEndian
	b := []byte{kindLinear}
	b = le.AppendUint32(b, in)
	b = le.AppendUint32(b, out)
	for _, x := range v {
		b = le.AppendUint64(b, math.Float64bits(x))
	}
	return b
}

// paramBytes returns the bytes of a layer of the given kind with one
// float64 field.
func paramBytes(kind byte, v float64) []byte {
	return binary.LittleEndian.AppendUint64([]byte{kind}, math.Float64bits(v))
}

// withChecksum returns b with its last four bytes replaced by the CRC-32 of
// the others.
func withChecksum(b []byte) []byte {
	b = bytes.Clone(b)
	n := len(b) - 4
	binary.LittleEndian.PutUint32(b[n:], crc32.ChecksumIEEE(b[:n]))
	return b
}

func TestLoadErrors(t *testing.T) {
	golden := readGolden(t)
	le := binary.LittleEndian
	n := len(golden)
	crc := le.Uint32(golden[n-4:])

	// The golden file with byte 30 (inside layer 0's W[0,0]) changed.
	flipped := bytes.Clone(golden)
	flipped[30] ^= 0x10
	// The golden file with W[0,1] of layer 0 set to NaN, checksum fixed.
	nan := bytes.Clone(golden)
	le.PutUint64(nan[33:], math.Float64bits(math.NaN()))
	nan = withChecksum(nan)
	// The golden file with layer 1 (LeakyReLU, bytes 153-161) turned into an
	// unknown kind.
	unknown := bytes.Clone(golden)
	unknown[153] = 42
	unknown = withChecksum(unknown)
	// The golden file with version 2 or 7.
	v2 := bytes.Clone(golden)
	le.PutUint32(v2[8:], 2)
	v7 := bytes.Clone(golden)
	le.PutUint32(v7[8:], 7)

	lin21 := linearBytes(2, 1, 1, 2, 3)
	cases := []struct {
		name string
		in   []byte
		want string // the whole message
	}{
		{"empty", nil, "empty input"},
		{"bad magic", append([]byte("MLPMODEX"), golden[8:]...), `bad magic "MLPMODEX" at byte 0, want "MLPMODEL"`},
		{"short other file", []byte("PK\x03\x04"), `bad magic "PK\x03\x04" at byte 0, want "MLPMODEL"`},
		{"truncated magic", golden[:5], "unexpected end of file in the magic at byte 5"},
		{"version 2", v2, "version 2 is a pipeline file (preprocessing and network); read it with LoadPipeline"},
		{"version 7", v7, "version 7 is newer than this library reads (2)"},
		{"version 0", modelFile(0, 1, lin21), "version 0 at byte 8 is not a version"},
		{"truncated version", golden[:10], "unexpected end of file in the version at byte 10"},
		{"truncated layer count", golden[:15], "unexpected end of file in the layer count at byte 15"},
		{"zero layers", modelFile(1, 0), "the layer count at byte 12 is 0"},
		{"too many layers", modelFile(1, 1<<16+1), "claims 65537 layers at byte 12, more than the cap of 65536"},
		{"fewer layers than claimed", modelFile(1, 3, lin21, []byte{kindReLU})[:50],
			"unexpected end of file in layer 2 kind tag at byte 50"},
		{"zero inputs", modelFile(1, 1, linearBytes(0, 3)),
			"layer 0 Linear: size 0x3 at byte 17; sizes must be at least 1"},
		{"zero outputs", modelFile(1, 1, linearBytes(3, 0)),
			"layer 0 Linear: size 3x0 at byte 17; sizes must be at least 1"},
		{"huge sizes", modelFile(1, 1, linearBytes(100000, 100000)),
			"layer 0 Linear: claims 100000x100000 weights at byte 17, more than the cap of 67108864 per layer"},
		{"sizes whose product overflows 32 bits", modelFile(1, 1, linearBytes(math.MaxUint32, math.MaxUint32)),
			"layer 0 Linear: claims 4294967295x4294967295 weights at byte 17, more than the cap of 67108864 per layer"},
		{"one more than the cap", modelFile(1, 1, linearBytes(1<<13+1, 1<<13)),
			"layer 0 Linear: claims 8193x8192 weights at byte 17, more than the cap of 67108864 per layer"},
		{"truncated sizes", golden[:20], "unexpected end of file in layer 0 Linear sizes at byte 20"},
		{"truncated weights", golden[:25+8*6+3],
			"unexpected end of file in layer 0 Linear(3->4) weight W[1,2] at byte 76 (got 6 of 12 numbers)"},
		{"truncated before the bias", golden[:25+8*12],
			"unexpected end of file in layer 0 Linear(3->4) bias b[0] at byte 121 (got 0 of 4 numbers)"},
		{"truncated slope", golden[:157], "unexpected end of file in layer 1 LeakyReLU slope at byte 157"},
		{"truncated before the checksum", golden[:n-4], fmt.Sprintf("unexpected end of file in the checksum at byte %d", n-4)},
		{"truncated checksum", golden[:n-1], fmt.Sprintf("unexpected end of file in the checksum at byte %d", n-1)},
		{"unknown kind", unknown, "layer 1: unknown layer kind 42 at byte 153"},
		{"kind 0", modelFile(1, 2, lin21, []byte{0}), "layer 1: unknown layer kind 0 at byte 49"},
		{"flipped byte", flipped, fmt.Sprintf("checksum mismatch at byte %d: the file says %#08x, its content gives %#08x",
			n-4, crc, crc32.ChecksumIEEE(flipped[:n-4]))},
		{"trailing garbage", append(bytes.Clone(golden), 0), fmt.Sprintf("trailing bytes after the checksum, from byte %d", n)},
		{"a second model after the first", append(bytes.Clone(golden), golden...),
			fmt.Sprintf("trailing bytes after the checksum, from byte %d", n)},
		{"NaN weight", nan, "layer 0 Linear(3->4) weight W[0,1] is NaN at byte 33; a model file holds only finite numbers"},
		{"Inf bias", modelFile(1, 1, linearBytes(2, 1, 1, 2, math.Inf(-1))),
			"layer 0 Linear(2->1) bias b[0] is -Inf at byte 41; a model file holds only finite numbers"},
		{"widths do not chain", modelFile(1, 3, linearBytes(2, 3, make([]float64, 9)...), []byte{kindReLU}, linearBytes(4, 1, make([]float64, 5)...)),
			"layer 2 Linear(4->1) takes 4 inputs but follows layer 0 Linear(2->3), which gives 3 columns"},
		{"no Linear layer", modelFile(1, 2, []byte{kindReLU}, []byte{kindSoftmax}),
			"mlp: dimension mismatch: NewSequential: no layer fixes the input width"},
		{"LeakyReLU slope 0", modelFile(1, 2, lin21, paramBytes(kindLeakyReLU, 0)),
			"layer 1 LeakyReLU: slope 0 at byte 50 is not finite and non-zero"},
		{"LeakyReLU slope NaN", modelFile(1, 2, lin21, paramBytes(kindLeakyReLU, math.NaN())),
			"layer 1 LeakyReLU: slope NaN at byte 50 is not finite and non-zero"},
		{"Dropout p 1", modelFile(1, 2, lin21, paramBytes(kindDropout, 1)),
			"layer 1 Dropout: probability 1 at byte 50 is not in [0, 1)"},
		{"Dropout p negative", modelFile(1, 2, lin21, paramBytes(kindDropout, -0.5)),
			"layer 1 Dropout: probability -0.5 at byte 50 is not in [0, 1)"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m, err := Load(bytes.NewReader(c.in))
			if err == nil {
				t.Fatalf("Load succeeded with %d layers, want an error", len(m.Layers()))
			}
			if m != nil {
				t.Errorf("Load returned a model with its error")
			}
			if !errors.Is(err, ErrFormat) {
				t.Errorf("error %q does not wrap ErrFormat", err)
			}
			if want := "mlp: invalid model file: " + c.want; err.Error() != want {
				t.Errorf("error\n%q, want\n%q", err, want)
			}
		})
	}
}

// TestLoadTruncated loads every proper prefix of the golden file: each must
// fail with an end-of-file error wrapping ErrFormat.
func TestLoadTruncated(t *testing.T) {
	golden := readGolden(t)
	for k := 0; k < len(golden); k++ {
		_, err := Load(bytes.NewReader(golden[:k]))
		switch {
		case err == nil:
			t.Fatalf("Load of the first %d bytes succeeded", k)
		case !errors.Is(err, ErrFormat):
			t.Fatalf("Load of the first %d bytes: %q does not wrap ErrFormat", k, err)
		case k == 0 && !strings.HasSuffix(err.Error(), "empty input"),
			k > 0 && !strings.Contains(err.Error(), "unexpected end of file in "):
			t.Fatalf("Load of the first %d bytes: %q, want an end-of-file error", k, err)
		case k > 0 && !strings.Contains(err.Error(), " at byte "+strconv.Itoa(k)):
			t.Fatalf("Load of the first %d bytes: %q does not give the offset %d", k, err, k)
		}
	}
}

// TestLoadCorrupted flips every bit of the golden file in turn: each change
// must be an error wrapping ErrFormat (CRC-32 detects every 1-bit error).
func TestLoadCorrupted(t *testing.T) {
	golden := readGolden(t)
	b := bytes.Clone(golden)
	for i := range b {
		for bit := range 8 {
			b[i] ^= 1 << bit
			if _, err := Load(bytes.NewReader(b)); !errors.Is(err, ErrFormat) {
				t.Fatalf("byte %d bit %d flipped: error %v, want one wrapping ErrFormat", i, bit, err)
			}
			b[i] ^= 1 << bit
		}
	}
}

// loadAllocated returns the bytes allocated by one Load of file, the least
// of a few runs.
func loadAllocated(t *testing.T, file []byte) uint64 {
	t.Helper()
	least := uint64(math.MaxUint64)
	for range 5 {
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		_, err := Load(bytes.NewReader(file))
		runtime.ReadMemStats(&after)
		if !errors.Is(err, ErrFormat) {
			t.Fatalf("Load: %v, want an error wrapping ErrFormat", err)
		}
		least = min(least, after.TotalAlloc-before.TotalAlloc)
	}
	return least
}

// TestLoadHugeClaimsDoNotAllocate loads short files that claim far more
// than they hold, and checks that Load allocates for what is there.
func TestLoadHugeClaimsDoNotAllocate(t *testing.T) {
	le := binary.LittleEndian
	// 100 bytes claiming one Linear(4096->8192): 2^25 weights, 256 MiB,
	// within the default ModelLimits.
	file := []byte(modelfile.Magic)
	file = le.AppendUint32(file, 1)
	file = le.AppendUint32(file, 1)
	file = append(file, kindLinear)
	file = le.AppendUint32(file, 1<<12)
	file = le.AppendUint32(file, 1<<13)
	for len(file) < 100 {
		file = append(file, 0x3f)
	}
	if len(file) != 100 {
		t.Fatalf("the file has %d bytes, want 100", len(file))
	}
	_, err := Load(bytes.NewReader(file))
	if want := "mlp: invalid model file: unexpected end of file in layer 0 Linear(4096->8192) weight W[0,9] at byte 100 (got 9 of 33554432 numbers)"; err == nil || err.Error() != want {
		t.Fatalf("error %v, want %s", err, want)
	}
	a := loadAllocated(t, file)
	t.Logf("Load of a 100-byte file claiming 2^25 weights allocated %d bytes", a)
	if a >= 1<<20 {
		t.Errorf("Load of a 100-byte file claiming 2^25 weights allocated %d bytes, want < 1 MiB", a)
	}

	// 65536 layers claimed, a few given.
	file = modelFile(1, 1<<16, linearBytes(2, 2, make([]float64, 6)...), []byte{kindReLU, kindSigmoid})
	a = loadAllocated(t, file)
	t.Logf("Load of a %d-byte file claiming 65536 layers allocated %d bytes", len(file), a)
	if a >= 1<<20 {
		t.Errorf("Load of a file claiming 65536 layers allocated %d bytes, want < 1 MiB", a)
	}
}

// failingLayer is a Layer of a type the model format does not know.
type failingLayer struct{ ReLU }

func (*failingLayer) String() string { return "Custom" }

// countingWriter counts what is written to it and can fail.
type countingWriter struct {
	n   int
	err error
}

func (w *countingWriter) Write(p []byte) (int, error) {
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

// failingReader returns its data and then err.
type failingReader struct {
	data []byte
	err  error
}

func (r *failingReader) Read(p []byte) (int, error) {
	if len(r.data) == 0 {
		return 0, r.err
	}
	n := copy(p, r.data)
	r.data = r.data[n:]
	return n, nil
}

// TestLoadReaderError checks that an error of the reader is returned
// wrapped, with its offset, and not as ErrFormat.
func TestLoadReaderError(t *testing.T) {
	golden := readGolden(t)
	broken := errors.New("connection reset")
	for _, k := range []int{0, 4, 12, 40, len(golden) - 2, len(golden)} {
		_, err := Load(&failingReader{data: golden[:k], err: broken})
		if !errors.Is(err, broken) || errors.Is(err, ErrFormat) {
			t.Errorf("reader failing after %d bytes: %v, want the reader's error, not ErrFormat", k, err)
		}
		if err != nil && !strings.Contains(err.Error(), fmt.Sprintf(" at byte %d: ", k)) {
			t.Errorf("reader failing after %d bytes: %q does not give the offset", k, err)
		}
	}
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
