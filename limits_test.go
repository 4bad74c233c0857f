package mlp

import (
	"bytes"
	"errors"
	"math"
	"math/rand/v2"
	"runtime"
	"testing"

	"github.com/mlpkit/mlp/internal/allocs"
	"github.com/mlpkit/mlp/internal/kernel"
	"github.com/mlpkit/mlp/internal/testkit"
	"gonum.org/v1/gonum/mat"
)

// TestCheckWidths checks ModelLimits.CheckWidths, with its defaults and others, on
// models that fit, models beyond each cap, and widths that are no model.
func TestCheckWidths(t *testing.T) {
	repeat := func(w, n int) []int {
		v := []int{64}
		for range n {
			v = append(v, w)
		}
		return append(v, 10)
	}
	for _, tc := range []struct {
		name   string
		lim    ModelLimits
		widths []int
		want   error  // nil: fits
		says   string // in the message
	}{
		{"digits", ModelLimits{}, []int{64, 128, 10}, nil, ""},
		{"wide benchmark", ModelLimits{}, []int{1024, 1024, 1024, 10}, nil, ""},
		{"widest hidden layer that fits", ModelLimits{}, []int{64, 65526, 10}, nil, ""},
		{"eight 8192 layers", ModelLimits{}, repeat(8192, 8), ErrTooLarge, "470433802 parameters, more than ModelLimits.MaxParams 67108864"},
		{"one 16777216 layer", ModelLimits{}, []int{64, 16777216, 10}, ErrTooLarge, "a layer 16777216 wide, more than ModelLimits.MaxWidth 65536"},
		{"65536 hidden", ModelLimits{}, []int{64, 65536, 10}, ErrTooLarge, "131092 activation floats per input row, more than ModelLimits.MaxRowFloats 131072"},
		{"600 hidden layers", ModelLimits{}, repeat(4, 600), ErrTooLarge, "1202 layers, more than ModelLimits.MaxLayers 1024"},
		{"huge widths do not overflow", ModelLimits{MaxWidth: math.MaxInt, MaxRowFloats: math.MaxInt},
			[]int{math.MaxInt, math.MaxInt, math.MaxInt}, ErrTooLarge, "18446744073709551615 parameters"},
		{"own cap", ModelLimits{MaxParams: 100}, []int{4, 16, 3}, ErrTooLarge, "131 parameters, more than ModelLimits.MaxParams 100"},
		{"no widths", ModelLimits{}, nil, ErrSetting, "got 0 widths"},
		{"one width", ModelLimits{}, []int{3}, ErrSetting, "got 1 widths"},
		{"zero width", ModelLimits{}, []int{3, 0, 2}, ErrSetting, "width 0 (position 1)"},
		{"negative width", ModelLimits{}, []int{3, 2, -4}, ErrSetting, "width -4 (position 2)"},
		{"negative limit", ModelLimits{MaxLayers: -1}, []int{3, 2}, ErrSetting, "ModelLimits.MaxLayers is -1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := testkit.NoPanic(t, func() error { return tc.lim.CheckWidths(tc.widths) })
			if tc.want == nil {
				if err != nil {
					t.Fatalf("error %v, want none", err)
				}
				return
			}
			wantError(t, err, tc.want, tc.says)
		})
	}
}

// wantError fails the test unless err wraps want and says says.
func wantError(t *testing.T, err, want error, says string) {
	t.Helper()
	if !errors.Is(err, want) {
		t.Fatalf("error %v, want one wrapping %v", err, want)
	}
	if !bytes.Contains([]byte(err.Error()), []byte(says)) {
		t.Errorf("error %q does not say %q", err, says)
	}
}

// limitsFile returns the model file of Linear(in->w), n ReLU layers and
// Linear(w->out), with zero weights.
func limitsFile(in, w, n, out uint32) []byte {
	body := [][]byte{linearBytes(in, w, make([]float64, in*w+w)...)}
	for range n {
		body = append(body, []byte{kindReLU})
	}
	body = append(body, linearBytes(w, out, make([]float64, w*out+out)...))
	return modelFile(1, n+2, body...)
}

// allocated is allocs.Bytes.
func allocated(f func()) uint64 { return allocs.Bytes(f) }

// TestLoadAllocationBound loads valid files and files beyond the default
// ModelLimits, and checks that Load allocates at most 5 bytes per byte of
// the file plus 384 KiB, and refuses what the limits refuse.
func TestLoadAllocationBound(t *testing.T) {
	const perByte, fixed = 4.5, 384 << 10
	manyReLU := make([][]byte, 0, 1<<16)
	manyReLU = append(manyReLU, linearBytes(2, 2, make([]float64, 6)...))
	for len(manyReLU) < 1<<16 {
		manyReLU = append(manyReLU, []byte{kindReLU})
	}
	for _, tc := range []struct {
		name string
		file []byte
		says string // in the error; empty when Load must accept the file
	}{
		{"Linear(512->512) and Softmax", modelFile(1, 2, linearBytes(512, 512, make([]float64, 512*512+512)...), []byte{kindSoftmax}), ""},
		{"Linear(1->4096), 30 ReLU, Linear(4096->1)", limitsFile(1, 4096, 30, 1), ""},
		{"1022 ReLU layers", modelFile(1, 1024, append(manyReLU[:1023:1023], linearBytes(2, 2, make([]float64, 6)...))...), ""},
		// 1.5 MB; predicting 64 rows would take 6.7 GB.
		{"Linear(1->65536), 200 ReLU, Linear(65536->1)", limitsFile(1, 65536, 200, 1), "activation floats per input row"},
		// 65 KB: 65536 layers would allocate 15 MB.
		{"65536 one-byte layers", modelFile(1, 1<<16, manyReLU...), "65536 layers (byte 12), more than ModelLimits.MaxLayers 1024"},
		{"1025 layers", modelFile(1, 1025, manyReLU[:1025]...), "1025 layers"},
		{"width 65537", modelFile(1, 1, linearBytes(65537, 1, make([]float64, 65538)...)), "a layer 65537 wide"},
		{"2^26 parameters in one layer", modelFile(1, 1, linearBytes(8192, 8192)), "67117056 parameters"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var err error
			a := allocated(func() { _, err = Load(bytes.NewReader(tc.file)) })
			if tc.says == "" && err != nil {
				t.Fatalf("Load: %v", err)
			}
			if tc.says != "" {
				wantError(t, err, ErrTooLarge, tc.says)
				if !errors.Is(err, ErrFormat) {
					t.Errorf("error %v does not wrap ErrFormat", err)
				}
			}
			n := uint64(len(tc.file))
			t.Logf("%d-byte file: %d bytes allocated, %.2f per byte", n, a, float64(a)/float64(n))
			if float64(a) > perByte*float64(n)+fixed {
				t.Errorf("Load of %d bytes allocated %d, more than %v·N + %d", n, a, perByte, fixed)
			}
		})
	}
}

// TestLoadedPredictionBound predicts from loaded models near the limits and
// checks that the first prediction of r rows, which sizes every buffer,
// allocates for its workspace at most the smaller of 8·min(r, 512)·RowFloats
// bytes and two buffers of max(8 MiB, one row of the widest layer), plus
// the input copy and result, 8·r·(in+out), plus 64 KiB, plus the
// kernel's packing buffers, which the process allocates once, one per
// core at most (kernel.PackBytes each); and that a second prediction of
// the same size allocates only its result.
func TestLoadedPredictionBound(t *testing.T) {
	for _, tc := range []struct {
		name string
		file []byte
		rows int
	}{
		{"Linear(1->4096), 30 ReLU, Linear(4096->1), 64 rows", limitsFile(1, 4096, 30, 1), 64},
		{"Linear(1->256), 30 ReLU, Linear(256->1), 700 rows", limitsFile(1, 256, 30, 1), 700},
		{"Linear(64->16384), Linear(16384->10), 64 rows", modelFile(1, 2, linearBytes(64, 16384, make([]float64, 65*16384)...), linearBytes(16384, 10, make([]float64, 16385*10)...)), 64},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m, err := Load(bytes.NewReader(tc.file))
			if err != nil {
				t.Fatal(err)
			}
			size := tallyModel(m)
			if size.rowFloats > DefaultMaxRowFloats {
				t.Fatalf("the model has %d activation floats per row, above the default cap", size.rowFloats)
			}
			x := mat.NewDense(tc.rows, m.InputSize(), nil)
			for i := range tc.rows {
				x.Set(i, 0, float64(i%7)-3)
			}
			var first uint64
			var ms0, ms1 runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&ms0)
			if _, err := m.Predict(x); err != nil {
				t.Fatal(err)
			}
			runtime.ReadMemStats(&ms1)
			first = ms1.TotalAlloc - ms0.TotalAlloc
			r := uint64(tc.rows)
			workspace := min(8*min(r, 512)*size.rowFloats, 2*max(8<<20, 8*size.widest))
			bound := workspace + 8*r*uint64(m.InputSize()+m.OutputSize()) + 64<<10 +
				uint64(runtime.GOMAXPROCS(0)*kernel.PackBytes)
			t.Logf("first prediction of %d rows: %d bytes (%d activation floats per row; bound %d)", r, first, size.rowFloats, bound)
			if first > bound {
				t.Errorf("first prediction of %d rows allocated %d bytes, more than the bound %d", r, first, bound)
			}
			again := allocated(func() { m.Predict(x) })
			if want := 8*r*uint64(m.OutputSize()) + 4<<10; again > want {
				t.Errorf("a second prediction of %d rows allocated %d bytes, want at most %d (its result)", r, again, want)
			}
			if allocs := testing.AllocsPerRun(3, func() { m.Predict(x) }); allocs > 20 {
				t.Errorf("a prediction makes %v allocations, want at most 20", allocs)
			}
		})
	}
}

// TestCloneBeyondLimits checks that Clone copies a model that Load would
// refuse for its size, and that LoadWithLimits reads back what Save wrote.
func TestCloneBeyondLimits(t *testing.T) {
	layers := []Layer{NewLinear(2, 3, rand.NewPCG(1, 2))}
	for len(layers) < DefaultMaxLayers+1 {
		layers = append(layers, &ReLU{})
	}
	m, err := NewSequential(layers...)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := m.Clone(); err != nil {
		t.Fatalf("Clone of a model of %d layers: %v", len(layers), err)
	}
	var buf bytes.Buffer
	if err := m.Save(&buf); err != nil {
		t.Fatal(err)
	}
	_, err = Load(bytes.NewReader(buf.Bytes()))
	wantError(t, err, ErrTooLarge, "1025 layers")
	if _, err := LoadWithLimits(bytes.NewReader(buf.Bytes()), ModelLimits{MaxLayers: 2000}); err != nil {
		t.Fatalf("LoadWithLimits with MaxLayers 2000: %v", err)
	}
	_, err = LoadWithLimits(bytes.NewReader(buf.Bytes()), ModelLimits{MaxParams: -1})
	wantError(t, err, ErrSetting, "ModelLimits.MaxParams is -1")
}

// TestCheckWidthsHostile checks that ModelLimits.CheckWidths refuses widths whose
// model would not fit in memory, and widths of MaxInt without a panic.
func TestCheckWidthsHostile(t *testing.T) {
	checkHostileCases(t, []hostileCase{
		{hostileMemory, "-hidden 8192 x 8", func(*testing.T) error {
			return wantErr(ModelLimits{}.CheckWidths([]int{30, 8192, 8192, 8192, 8192, 8192, 8192, 8192, 8192, 2}),
				[]error{ErrTooLarge}, "parameters")
		}},
		{hostileMemory, "-hidden 16777216", func(*testing.T) error {
			return wantErr(ModelLimits{}.CheckWidths([]int{30, 16777216, 2}), []error{ErrTooLarge}, "16777216 wide")
		}},
		{hostileCrash, "widths of MaxInt", func(*testing.T) error {
			return wantErr(callNoPanicErr(func() error { return ModelLimits{}.CheckWidths([]int{math.MaxInt, math.MaxInt}) }),
				[]error{ErrTooLarge})
		}},
	})
}
