package mlp

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"math"
	"math/rand/v2"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"github.com/mlpkit/mlp/internal/modelfile"
	"github.com/mlpkit/mlp/internal/testkit"
	"gonum.org/v1/gonum/mat"
)

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

// TestLoadErrors checks that Load refuses malformed files with an error
// wrapping ErrFormat whose whole message is known, returning no model, and
// refuses other malformed files and a nil reader naming the layer and the
// byte offset.
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
	nan = testkit.WithChecksum(nan)
	// The golden file with layer 1 (LeakyReLU, bytes 153-161) turned into an
	// unknown kind.
	unknown := bytes.Clone(golden)
	unknown[153] = 42
	unknown = testkit.WithChecksum(unknown)
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
		{"version 2", v2, "version 2 is a pipeline file (preprocessing and network); read it with tabular.LoadPipeline"},
		{"version 7", v7, "version 7 is newer than this library reads (4)"},
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

	// The place is the layer and the byte offset.
	checkErrorCases(t, []errorCase{
		{"garbage", func(*testing.T) error { return loadError([]byte("garbage, not a model")) },
			[]error{ErrFormat}, []string{"bad magic", "byte 0"}},
		{"empty", func(*testing.T) error { return loadError(nil) },
			[]error{ErrFormat}, []string{"empty input"}},
		{"nil reader", func(*testing.T) error { _, err := Load(nil); return err },
			[]error{ErrFormat}, []string{"nil io.Reader"}},
		{"truncated in the weights", func(t *testing.T) error { return loadError(smallNetFile(t)[:40]) },
			[]error{ErrFormat}, []string{"unexpected end of file in layer 0 Linear(2->3) weight W[0,1]", "byte 40"}},
		{"flipped weight bit", func(t *testing.T) error {
			b := smallNetFile(t)
			b[30] ^= 1
			return loadError(b)
		}, []error{ErrFormat}, []string{"checksum mismatch at byte"}},
		{"trailing bytes", func(t *testing.T) error { return loadError(append(smallNetFile(t), 0)) },
			[]error{ErrFormat}, []string{"trailing bytes"}},
		{"version 2 of one ReLU", func(*testing.T) error { return loadError(modelFile(2, 1, []byte{kindReLU})) },
			[]error{ErrFormat}, []string{"version 2"}},
		{"unknown layer kind", func(*testing.T) error { return loadError(modelFile(1, 1, []byte{99})) },
			[]error{ErrFormat}, []string{"layer 0: unknown layer kind 99 at byte 16"}},
		{"claims 2^25 weights and ends", func(*testing.T) error {
			return loadError(modelFile(1, 1, linearBytes(1<<12, 1<<13), make([]byte, 64)))
		}, []error{ErrFormat}, []string{"unexpected end of file in layer 0 Linear(4096->8192)"}},
		{"claims more weights than the cap", func(*testing.T) error {
			return loadError(modelFile(1, 1, linearBytes(1<<16, 1<<16)))
		}, []error{ErrFormat}, []string{"layer 0 Linear: claims 65536x65536 weights at byte 17"}},
		{"claims 4 billion layers", func(*testing.T) error { return loadError(modelFile(1, math.MaxUint32)) },
			[]error{ErrFormat}, []string{"4294967295 layers at byte 12"}},
		{"widths do not chain", func(*testing.T) error {
			le := binary.LittleEndian
			one := func(in, out uint32) []byte {
				b := linearBytes(in, out)
				for range in*out + out {
					b = le.AppendUint64(b, math.Float64bits(0.5))
				}
				return b
			}
			return loadError(modelFile(1, 2, one(2, 3), one(4, 1)))
		}, []error{ErrFormat}, []string{"layer 1 Linear(4->1) takes 4 inputs but follows layer 0"}},
	})
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

// smallNetFile returns the model file of smallNet.
func smallNetFile(t testing.TB) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := smallNet(t).Save(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// loadError returns the error of Load of b, and an error if Load returned a
// model with it.
func loadError(b []byte) error {
	m, err := Load(bytes.NewReader(b))
	if m != nil && err != nil {
		return fmt.Errorf("Load returned a model with its error %w", err)
	}
	return err
}

// TestLoadHugeClaimAllocatesLittle checks that Load of 100 bytes claiming
// 2^26 weights fails with ErrFormat, allocating less than 1 MiB.
func TestLoadHugeClaimAllocatesLittle(t *testing.T) {
	err := testkit.NoPanic(t, func() error {
		file := modelFile(1, 1, linearBytes(1<<13, 1<<13), make([]byte, 100))
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		err := loadError(file)
		runtime.ReadMemStats(&after)
		if n := after.TotalAlloc - before.TotalAlloc; n > 1<<20 {
			return fmt.Errorf("Load of %d bytes claiming 2^26 weights allocated %d bytes", len(file), n)
		}
		if !errors.Is(err, ErrFormat) {
			return fmt.Errorf("Load: %v, want ErrFormat", err)
		}
		return nil
	})
	if err != nil {
		t.Error(err)
	}
}

// zeroReader returns (0, nil) from every Read.
type zeroReader struct{}

func (zeroReader) Read([]byte) (int, error) { return 0, nil }

// TestLoadHostile checks that Load of hostile files fails quickly with a
// clear error: files whose prediction or layers would take far more memory
// than the file, a reader that never makes progress, a typed nil reader.
func TestLoadHostile(t *testing.T) {
	reluFile := func(in, w, n, out uint32) []byte {
		body := [][]byte{linearBytes(in, w, make([]float64, in*w+w)...)}
		for range n {
			body = append(body, []byte{kindReLU})
		}
		return modelFile(1, n+2, append(body, linearBytes(w, out, make([]float64, w*out+out)...))...)
	}
	var nilReader *bytes.Reader
	checkHostileCases(t, []hostileCase{
		{hostileMemory, "1.5 MB file whose prediction of 64 rows needs 6.7 GB", func(*testing.T) error {
			_, err := Load(bytes.NewReader(reluFile(1, 65536, 200, 1)))
			return wantErr(err, []error{ErrFormat, ErrTooLarge}, "activation floats per input row")
		}},
		{hostileMemory, "65536 one-byte layers", func(*testing.T) error {
			body := [][]byte{linearBytes(2, 2, make([]float64, 6)...)}
			for len(body) < 1<<16 {
				body = append(body, []byte{kindReLU})
			}
			_, err := Load(bytes.NewReader(modelFile(1, 1<<16, body...)))
			return wantErr(err, []error{ErrFormat, ErrTooLarge}, "65536 layers")
		}},
		{hostileMemory, "a layer 65537 wide", func(*testing.T) error {
			_, err := Load(bytes.NewReader(modelFile(1, 1, linearBytes(65537, 1, make([]float64, 65538)...))))
			return wantErr(err, []error{ErrFormat, ErrTooLarge}, "65537 wide")
		}},
		{hostileMemory, "reader returning (0, nil) forever", func(*testing.T) error {
			_, err := Load(zeroReader{})
			return wantErr(err, []error{io.ErrNoProgress})
		}},
		{hostileCrash, "typed nil reader", func(*testing.T) error {
			return wantErr(callNoPanicErr(func() error { _, err := Load(nilReader); return err }), []error{ErrFormat}, "nil io.Reader")
		}},
	})
}
