package onnx_test

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"
	"google.golang.org/protobuf/proto"

	"github.com/mlpkit/mlp/internal/allocs"
	"github.com/mlpkit/mlp/internal/testkit"
	"github.com/mlpkit/mlp/onnx"
	"github.com/mlpkit/mlp/onnx/internal/onnxpb"
	"github.com/mlpkit/mlp/tabular"
)

// peakEnv names the file the child process of TestImportPeakMemory imports.
const peakEnv = "MLP_ONNX_PEAK_FILE"

// bigModel returns an ONNX file of a net 256 -> hidden -> hidden -> 8 in
// the layout torch.onnx.export writes (Gemm with transB = 1, weights
// [out, in]), its weights in raw_data, or in float_data / double_data when
// typed, as FLOAT or DOUBLE.
func bigModel(t *testing.T, hidden int, elem onnxpb.TensorProto_DataType, typed bool) []byte {
	t.Helper()
	rng := rand.New(rand.NewPCG(9, 9))
	tensor := func(name string, dims ...int64) *onnxpb.TensorProto {
		n := int64(1)
		for _, d := range dims {
			n *= d
		}
		tp := &onnxpb.TensorProto{Name: proto.String(name), Dims: dims, DataType: proto.Int32(int32(elem))}
		switch {
		case typed && elem == onnxpb.TensorProto_FLOAT:
			tp.FloatData = make([]float32, n)
			for j := range tp.FloatData {
				tp.FloatData[j] = float32(rng.NormFloat64() * 0.01)
			}
		case typed:
			tp.DoubleData = make([]float64, n)
			for j := range tp.DoubleData {
				tp.DoubleData[j] = rng.NormFloat64() * 0.01
			}
		case elem == onnxpb.TensorProto_FLOAT:
			tp.RawData = make([]byte, 0, 4*n)
			for range n {
				tp.RawData = binary.LittleEndian.AppendUint32(tp.RawData, math.Float32bits(float32(rng.NormFloat64()*0.01)))
			}
		default:
			tp.RawData = make([]byte, 0, 8*n)
			for range n {
				tp.RawData = binary.LittleEndian.AppendUint64(tp.RawData, math.Float64bits(rng.NormFloat64()*0.01))
			}
		}
		return tp
	}
	h := int64(hidden)
	m := &onnxpb.ModelProto{
		IrVersion:   proto.Int64(8),
		OpsetImport: []*onnxpb.OperatorSetIdProto{{Domain: proto.String(""), Version: proto.Int64(17)}},
		Graph: &onnxpb.GraphProto{
			Name: proto.String("big"),
			Node: []*onnxpb.NodeProto{
				node("Gemm", "/0/Gemm", []string{"x", "w0", "b0"}, []string{"h0"}, intAttr("transB", 1)),
				node("Relu", "/1/Relu", []string{"h0"}, []string{"r0"}),
				node("Gemm", "/2/Gemm", []string{"r0", "w1", "b1"}, []string{"h1"}, intAttr("transB", 1)),
				node("Relu", "/3/Relu", []string{"h1"}, []string{"r1"}),
				node("Gemm", "/4/Gemm", []string{"r1", "w2", "b2"}, []string{"y"}, intAttr("transB", 1)),
			},
			Initializer: []*onnxpb.TensorProto{
				tensor("w0", h, 256), tensor("b0", h),
				tensor("w1", h, h), tensor("b1", h),
				tensor("w2", 8, h), tensor("b2", 8),
			},
			Input:  []*onnxpb.ValueInfoProto{valueInfo("x", elem, 256)},
			Output: []*onnxpb.ValueInfoProto{valueInfo("y", elem, 8)},
		},
	}
	return encode(t, m)
}

// TestImportPeakMemory checks the bound Import documents: its peak
// resident memory, in a process of its own, is at most 3 times the file's
// size plus 64 MiB, for files of a few tens of MB with float32 and float64
// weights in raw_data and in float_data / double_data. It reads VmHWM from
// /proc, so it runs on Linux only, not with -short and not under the race
// detector.
func TestImportPeakMemory(t *testing.T) {
	if path := os.Getenv(peakEnv); path != "" {
		f, err := os.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		m, err := onnx.Import(f, nil)
		if err != nil {
			t.Fatal(err)
		}
		fmt.Printf("peak-rss-kB %d layers %d\n", vmHWM(t), len(m.Net.Layers()))
		runtime.KeepAlive(m)
		return
	}
	testkit.Long(t, "builds files of tens of MB")
	if raceEnabled {
		t.Skip("the race detector's shadow memory would dominate the peak")
	}
	if runtime.GOOS != "linux" {
		t.Skip("reads the peak resident memory from /proc/self/status (Linux)")
	}
	dir := t.TempDir()
	for _, tc := range []struct {
		name   string
		hidden int
		elem   onnxpb.TensorProto_DataType
		typed  bool
	}{
		{"float32 raw_data", 3072, onnxpb.TensorProto_FLOAT, false},
		{"float64 raw_data", 2048, onnxpb.TensorProto_DOUBLE, false},
		{"float32 float_data", 3072, onnxpb.TensorProto_FLOAT, true},
		{"float64 double_data", 2048, onnxpb.TensorProto_DOUBLE, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := bigModel(t, tc.hidden, tc.elem, tc.typed)
			path := filepath.Join(dir, strings.ReplaceAll(tc.name, " ", "_")+".onnx")
			if err := os.WriteFile(path, b, 0o644); err != nil {
				t.Fatal(err)
			}
			cmd := exec.Command(os.Args[0], "-test.run", "^TestImportPeakMemory$", "-test.v")
			cmd.Env = append(os.Environ(), peakEnv+"="+path)
			out, err := cmd.CombinedOutput()
			if err != nil {
				t.Fatalf("child: %v\n%s", err, out)
			}
			var kb, layers int64
			sc := bufio.NewScanner(bytes.NewReader(out))
			for sc.Scan() {
				if _, err := fmt.Sscanf(sc.Text(), "peak-rss-kB %d layers %d", &kb, &layers); err == nil {
					break
				}
			}
			if kb == 0 || layers != 5 {
				t.Fatalf("child printed no peak or the wrong net:\n%s", out)
			}
			size := int64(len(b))
			peak, bound := kb<<10, 3*size+64<<20
			t.Logf("file %.1f MB, peak RSS %.1f MB (%.2f× the file), bound %.1f MB", float64(size)/1e6, float64(peak)/1e6, float64(peak)/float64(size), float64(bound)/1e6)
			if peak > bound {
				t.Errorf("peak RSS %d bytes for a file of %d bytes, more than 3×size + 64 MiB = %d", peak, size, bound)
			}
		})
	}
}

// vmHWM returns the peak resident memory of this process in kB.
func vmHWM(t *testing.T) int64 {
	t.Helper()
	peak, err := testkit.PeakRSS(0)
	if err != nil {
		t.Fatal(err)
	}
	return peak >> 10
}

// TestImportInPlaceData checks that weights Import reads where they lie in
// the file (raw_data, float_data, double_data of at least 64 bytes) give
// the net the file describes: its prediction equals, within 1e-12, the
// forward pass computed here from the decoded message; and that a tensor
// whose data does not fit its dims is still refused.
func TestImportInPlaceData(t *testing.T) {
	for _, tc := range []struct {
		name  string
		elem  onnxpb.TensorProto_DataType
		typed bool
	}{
		{"float32 raw_data", onnxpb.TensorProto_FLOAT, false},
		{"float64 raw_data", onnxpb.TensorProto_DOUBLE, false},
		{"float32 float_data", onnxpb.TensorProto_FLOAT, true},
		{"float64 double_data", onnxpb.TensorProto_DOUBLE, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := bigModel(t, 24, tc.elem, tc.typed)
			var mp onnxpb.ModelProto
			if err := proto.Unmarshal(b, &mp); err != nil {
				t.Fatal(err)
			}
			m, err := onnx.Import(bytes.NewReader(b), nil)
			if err != nil {
				t.Fatal(err)
			}
			x := make([]float64, 256)
			for j := range x {
				x[j] = math.Sin(float64(j))
			}
			got, err := m.Predict(mat.NewDense(1, 256, x))
			if err != nil {
				t.Fatal(err)
			}
			want := x
			inits := mp.Graph.Initializer
			for k := 0; k < 3; k++ {
				w, bias := tensorValues(inits[2*k]), tensorValues(inits[2*k+1])
				out := int(inits[2*k].Dims[0])
				y := make([]float64, out)
				for r := range out { // Gemm with transB: y = x·Wᵀ + b
					s := bias[r]
					for c, v := range want {
						s += v * w[r*len(want)+c]
					}
					if k < 2 {
						s = max(s, 0)
					}
					y[r] = s
				}
				want = y
			}
			for j, v := range want {
				if d := math.Abs(got.At(0, j) - v); d > 1e-12 {
					t.Errorf("output %d = %v, want %v within 1e-12", j, got.At(0, j), v)
				}
			}

			// The first weight with one element too few.
			w := mp.Graph.Initializer[0]
			switch {
			case w.RawData != nil:
				w.RawData = w.RawData[:len(w.RawData)-len(w.RawData)/len(tensorValues(w))]
			case w.FloatData != nil:
				w.FloatData = w.FloatData[1:]
			default:
				w.DoubleData = w.DoubleData[1:]
			}
			if _, err := onnx.Import(bytes.NewReader(encode(t, &mp)), nil); err == nil || !strings.Contains(err.Error(), "but") {
				t.Errorf("a weight with an element too few: error %v", err)
			}
		})
	}
}

// tensorValues returns the values of a FLOAT or DOUBLE tensor.
func tensorValues(tp *onnxpb.TensorProto) []float64 {
	var v []float64
	switch {
	case tp.FloatData != nil:
		for _, f := range tp.FloatData {
			v = append(v, float64(f))
		}
	case tp.DoubleData != nil:
		v = tp.DoubleData
	case tp.GetDataType() == int32(onnxpb.TensorProto_FLOAT):
		for j := 0; j < len(tp.RawData); j += 4 {
			v = append(v, float64(math.Float32frombits(binary.LittleEndian.Uint32(tp.RawData[j:]))))
		}
	default:
		for j := 0; j < len(tp.RawData); j += 8 {
			v = append(v, math.Float64frombits(binary.LittleEndian.Uint64(tp.RawData[j:])))
		}
	}
	return v
}

// TestImportPipelineNoCopy checks that ImportPipeline and
// Model.PipelineNoCopy keep the net Import built instead of copying it:
// each allocates less than 256 KiB beyond Import for a net of 3.2 MB of
// float64 weights (a copy would add those and as much again for their
// gradients), while Model.Pipeline copies; and that the three pipelines
// predict the same bit for bit.
func TestImportPipelineNoCopy(t *testing.T) {
	b := bigModel(t, 512, onnxpb.TensorProto_FLOAT, false)
	weights := uint64(8 * (256*512 + 512 + 512*512 + 512 + 8*512 + 8))
	base := allocs.Bytes(func() {
		if _, err := onnx.Import(bytes.NewReader(b), nil); err != nil {
			t.Fatal(err)
		}
	})
	for _, tc := range []struct {
		name string
		copy bool
		run  func() (*tabular.Pipeline, error)
	}{
		{"ImportPipeline", false, func() (*tabular.Pipeline, error) { return onnx.ImportPipeline(bytes.NewReader(b), nil) }},
		{"Model.PipelineNoCopy", false, func() (*tabular.Pipeline, error) {
			m, err := onnx.Import(bytes.NewReader(b), nil)
			if err != nil {
				return nil, err
			}
			return m.PipelineNoCopy()
		}},
		{"Model.Pipeline", true, func() (*tabular.Pipeline, error) {
			m, err := onnx.Import(bytes.NewReader(b), nil)
			if err != nil {
				return nil, err
			}
			return m.Pipeline()
		}},
	} {
		n := allocs.Bytes(func() {
			if _, err := tc.run(); err != nil {
				t.Fatal(err)
			}
		})
		t.Logf("%s: %d bytes, Import %d", tc.name, n, base)
		switch {
		case tc.copy && n < base+weights:
			t.Errorf("%s allocated %d bytes, Import %d: want the %d bytes of a copy more", tc.name, n, base, weights)
		case !tc.copy && n > base+256<<10:
			t.Errorf("%s allocated %d bytes, Import %d: want at most 256 KiB more", tc.name, n, base)
		}
	}
	x := make([]string, 256)
	header := onnx.DefaultColumns(256)
	for j := range x {
		x[j] = strconv.FormatFloat(math.Sin(float64(j)), 'g', -1, 64)
	}
	var first []float64
	for _, run := range []func() (*tabular.Pipeline, error){
		func() (*tabular.Pipeline, error) { return onnx.ImportPipeline(bytes.NewReader(b), nil) },
		func() (*tabular.Pipeline, error) {
			m, err := onnx.Import(bytes.NewReader(b), nil)
			if err != nil {
				return nil, err
			}
			return m.Pipeline()
		},
	} {
		p, err := run()
		if err != nil {
			t.Fatal(err)
		}
		pr, err := p.PredictRecords(header, [][]string{x})
		if err != nil {
			t.Fatal(err)
		}
		v := pr.Values.RawMatrix().Data
		if first == nil {
			first = slices.Clone(v)
		} else if !slices.Equal(first, v) {
			t.Errorf("ImportPipeline predicts %v, Import and Model.Pipeline %v", first, v)
		}
	}
}

// TestImportReleasesFile checks that nothing Import returns keeps the
// file's bytes reachable: after a garbage collection, the heap Import
// leaves behind for a 5 MB float32 file exceeds what a copy of its net
// takes (Sequential.Clone, weights and gradient buffers) by less than half
// the file's size (the file kept would be all of it).
func TestImportReleasesFile(t *testing.T) {
	b := bigModel(t, 1024, onnxpb.TensorProto_FLOAT, false)
	heap := func() uint64 {
		var ms runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&ms)
		return ms.HeapAlloc
	}
	r := bytes.NewReader(b)
	base := heap()
	m, err := onnx.Import(r, nil)
	if err != nil {
		t.Fatal(err)
	}
	kept := heap() - base
	before := heap()
	c, err := m.Net.Clone()
	if err != nil {
		t.Fatal(err)
	}
	net := heap() - before
	t.Logf("file %d bytes; Import keeps %d bytes, a copy of its net takes %d", len(b), kept, net)
	if kept > net+uint64(len(b))/2 {
		t.Errorf("Import keeps %d bytes reachable, more than its net's %d and half the file's %d", kept, net, len(b))
	}
	runtime.KeepAlive(m)
	runtime.KeepAlive(c)
	runtime.KeepAlive(r)
}
