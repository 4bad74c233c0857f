package onnx

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"strings"

	"google.golang.org/protobuf/proto"

	"github.com/mlpkit/mlp"
	"github.com/mlpkit/mlp/internal/guard"
	"github.com/mlpkit/mlp/onnx/internal/onnxpb"
)

// ImportSettings are the options of Import. A nil *ImportSettings means
// the defaults.
type ImportSettings struct {
	// Classes names the classes of a classifier. Nil means the file's
	// mlp.classes metadata, if any. Given for a net that ends without
	// Softmax or Sigmoid, it makes Import append one (see Import).
	Classes []string

	// Targets names what the net predicts: one name for a classifier,
	// one per output column for a regressor. Nil means the file's
	// mlp.targets metadata, if any, else DefaultTargets.
	Targets []string

	// MaxBytes is the largest file Import reads; zero means
	// DefaultMaxBytes (256 MiB).
	MaxBytes int64
}

// Import reads an ONNX model of a feedforward net from r into a Model
// whose Net predicts and can be trained further.
//
// The graph must be one chain from its single input, of shape [batch, n]
// and element type FLOAT or DOUBLE, to its single output, made of these
// operators of the ai.onnx domain (opset 7 or later):
//
//	Gemm (transA = 0; transB, alpha, beta any)   Linear, W = alpha·B or alpha·Bᵀ, b = beta·C
//	MatMul by a constant, then optionally Add    Linear
//	Relu, Sigmoid, Tanh                          ReLU, Sigmoid, Tanh
//	Softmax (axis 1 or -1)                       Softmax
//	LeakyRelu, PRelu (one slope, of a shape      LeakyReLU (ReLU for slope 0)
//	    that broadcasts to [batch, n])
//	Gelu (approximate "none"), or the Div(x, √2), Erf, Add(·, 1), Mul(x, ·), Mul(·, 0.5)
//	    that torch.onnx.export writes            GELU
//	Identity, Flatten (axis 1), Dropout          nothing
//	    (training_mode absent or false: a BOOL,
//	    or a FLOAT or DOUBLE 0)
//	IsNaN and Where(IsNaN(x), fill, x) in front  Preprocess.Impute
//	Sub and Div by constants in front            Preprocess.Mean and Std
//	Mul and Add by constants at the end          Postprocess.Std and Mean
//
// Weights, biases, slopes and preprocessing values must be initializers or
// Constant nodes, FLOAT or DOUBLE; float32 values convert to float64
// exactly. Float32 attributes (LeakyRelu's alpha, Gemm's alpha and beta)
// are read as the shortest decimal that rounds to them, the number the
// exporter was given: a LeakyRelu alpha of 0.2f is 0.2. Multiplying by a
// Gemm alpha or beta other than 1 happens once, on the weights, so such a
// net's outputs may differ from a runtime's in the last bits.
//
// Columns come from the mlp.columns metadata when present, else x0, x1, ….
// A net ending in Sigmoid over several columns (multi-label) is a
// regressor unless classes or mlp.task say classification, which is then
// an error wrapping ErrUnsupported.
// Target names (Model.Targets) come from ImportSettings.Targets, else from
// the mlp.targets metadata Export writes, else DefaultTargets: "y" for a
// classifier or a one-output regressor, "y0", "y1", … for several outputs
// (a file from torch.onnx.export has none), so that the model's pipeline
// can be served.
// The task comes from mlp.task when present. A net ending in Softmax over
// several columns or in Sigmoid over one is a classifier, with the classes of ImportSettings.Classes, of
// the mlp.classes metadata, or DefaultClasses. A net ending otherwise is a
// regressor, unless classes are given (in the settings or the metadata) or
// mlp.task says classification: then Import appends a Softmax (a Sigmoid
// when the net has one output) and records it in Model.Appended. A net
// with output scaling (Postprocess) is a regressor; classes for it are an
// error.
//
// The returned net is in evaluation mode. Import returns an error wrapping
// ErrUnsupported, as a *NodeError naming the node and its operator where
// one node is at fault, for a graph outside this subset: another operator
// (a convolution), a second input, a weight computed at run time, a value
// that feeds two layers, a node off the chain. It returns an error
// wrapping mlp.ErrFormat for a file that is not valid ONNX or exceeds the
// caps, and one wrapping mlp.ErrSetting for classes or target names that
// do not fit the net (mlp.ErrFormat when they come from the metadata). A net beyond the default mlp.ModelLimits (layers, widths,
// parameters, activation floats per row), which bound what it costs to
// run, gives an error wrapping mlp.ErrFormat and mlp.ErrTooLarge. An error
// from r is returned wrapped, and so is one wrapping io.ErrNoProgress when
// 100 calls of r.Read in a row return no bytes and no error; a nil r
// (interface or pointer) is an error wrapping mlp.ErrSetting.
//
// Files are untrusted input: Import never panics on them, and bounds what it
// allocates. It reads at most MaxBytes (256 MiB by default), refuses files
// with more than 2^18 protobuf messages or nested more than 32 deep before
// decoding them, refuses tensors whose data is in an external file,
// checks the element count each tensor declares against the bytes it holds
// before converting it, caps a tensor at 2^26 elements, and caps the
// elements of all the tensors it converts at one per 4 bytes of the file
// plus 2^20 (a weight shared by many nodes is converted once per node).
//
// Memory: Import holds the file once and decodes each weight straight
// into its layer, as float64; a tensor's data (raw_data, or packed
// float_data or double_data) is read where it lies in the file, not copied
// by the protobuf decoder. Its peak memory is then at most 3 times the
// file's size plus 64 MiB (the file, and float64 weights from a float32
// file; TestImportPeakMemory measures about 3.2 times for a float32 file
// of 41 MB, and 2.2 times for a float64 one, in a process of its own), when
// r tells its size: an *os.File of a regular file, a *bytes.Reader, a
// *bytes.Buffer or a *strings.Reader. Another reader is read into
// a buffer grown as io.ReadAll grows it, which may take up to twice the
// file's size while it is read.
func Import(r io.Reader, s *ImportSettings) (*Model, error) {
	if s == nil {
		s = &ImportSettings{}
	}
	if guard.IsNil(r) {
		return nil, fmt.Errorf("%w: onnx: Import: nil io.Reader", mlp.ErrSetting)
	}
	limit := s.MaxBytes
	if limit == 0 {
		limit = DefaultMaxBytes
	}
	if limit < 0 {
		return nil, fmt.Errorf("%w: onnx: Import: MaxBytes is %d", mlp.ErrSetting, limit)
	}
	b, err := readFile(r, limit)
	if err != nil {
		return nil, err
	}
	m, err := decode(b, s)
	if err != nil {
		return nil, fmt.Errorf("onnx: Import: %w", err)
	}
	return m, nil
}

// readFile reads all of r, at most limit bytes, into one buffer. When r
// tells its size (an *os.File of a regular file, a *bytes.Reader, a
// *bytes.Buffer or a *strings.Reader), the buffer is
// allocated once, of that size, and a size over limit is refused before
// reading; otherwise it grows as io.ReadAll's does.
func readFile(r io.Reader, limit int64) ([]byte, error) {
	tooLarge := func() error {
		return fmt.Errorf("%w: onnx: Import: the file is larger than the cap of %d bytes", mlp.ErrFormat, limit)
	}
	size := int64(-1)
	switch f := r.(type) {
	case *os.File:
		if fi, err := f.Stat(); err == nil && fi.Mode().IsRegular() {
			if off, err := f.Seek(0, io.SeekCurrent); err == nil {
				size = fi.Size() - off
			}
		}
	case *bytes.Reader:
		size = int64(f.Len())
	case *bytes.Buffer:
		size = int64(f.Len())
	case *strings.Reader:
		size = int64(f.Len())
	}
	if size > limit {
		return nil, tooLarge()
	}
	r = io.LimitReader(guard.Reader(r), min(limit, math.MaxInt64-1)+1)
	var b []byte
	if size >= 0 {
		// One byte more, to see the end of the file without growing.
		b = make([]byte, 0, size+1)
	}
	for {
		if len(b) == cap(b) {
			b = append(b, 0)[:len(b)] // grow as append does
		}
		n, err := r.Read(b[len(b):cap(b)])
		b = b[:len(b)+n]
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("onnx: Import: reading: %w", err)
		}
	}
	if int64(len(b)) > limit {
		return nil, tooLarge()
	}
	return b, nil
}

// decode is Import of the file b, which it changes while it reads it and
// restores.
func decode(b []byte, s *ImportSettings) (*Model, error) {
	if len(b) == 0 {
		return nil, fmt.Errorf("%w: empty file", mlp.ErrFormat)
	}
	var mp onnxpb.ModelProto
	sc := &scanner{buf: b}
	if err := sc.messages(b, mp.ProtoReflect().Descriptor(), 0); err != nil {
		sc.restore()
		return nil, err
	}
	// The markers sc wrote keep large tensor data out of Unmarshal, which
	// would copy it; DiscardUnknown drops the fields they skip it with.
	err := (proto.UnmarshalOptions{RecursionLimit: maxDepth + 8, DiscardUnknown: true}).Unmarshal(b, &mp)
	sc.restore()
	if err != nil {
		return nil, fmt.Errorf("%w: not an ONNX model: %v", mlp.ErrFormat, err)
	}
	if mp.Graph == nil {
		return nil, fmt.Errorf("%w: the model has no graph", mlp.ErrFormat)
	}
	opset := int64(-1)
	for _, o := range mp.OpsetImport {
		if d := o.GetDomain(); d == "" || d == "ai.onnx" {
			opset = o.GetVersion()
		}
	}
	if opset < 7 {
		return nil, fmt.Errorf("%w: the model imports ai.onnx opset %d; Import reads opset 7 and later", ErrUnsupported, opset)
	}
	meta, err := readMeta(mp.MetadataProps)
	if err != nil {
		return nil, err
	}
	g, err := newGraph(mp.Graph, opset)
	if err != nil {
		return nil, err
	}
	// Each element a file holds takes at least 4 bytes of it; the slack
	// covers constants read more than once.
	g.store = &tensorStore{sc: sc, budget: int64(len(b))/4 + elemSlack}
	if err := g.walk(); err != nil {
		return nil, err
	}
	return g.model(&mp, meta, s)
}

// metadata is what Import reads from metadata_props.
type metadata struct {
	columns, classes, targets []string
	task                      string
}

// readMeta returns the mlp.* entries of props, or an error wrapping
// mlp.ErrFormat for a repeated key, a list that is not a JSON array of
// strings or an unknown task.
func readMeta(props []*onnxpb.StringStringEntryProto) (*metadata, error) {
	md := &metadata{}
	seen := map[string]bool{}
	for _, p := range props {
		key := p.GetKey()
		if !strings.HasPrefix(key, "mlp.") {
			continue
		}
		if seen[key] {
			return nil, fmt.Errorf("%w: metadata key %q appears twice", mlp.ErrFormat, key)
		}
		seen[key] = true
		var dst *[]string
		switch key {
		case MetaColumns:
			dst = &md.columns
		case MetaClasses:
			dst = &md.classes
		case MetaTargets:
			dst = &md.targets
		case MetaTask:
			md.task = p.GetValue()
			if md.task != Classification && md.task != Regression {
				return nil, fmt.Errorf("%w: metadata %s is %q, neither %q nor %q", mlp.ErrFormat, key, md.task, Classification, Regression)
			}
			continue
		default:
			continue
		}
		if err := json.Unmarshal([]byte(p.GetValue()), dst); err != nil || *dst == nil {
			return nil, fmt.Errorf("%w: metadata %s is not a JSON array of strings: %.60q", mlp.ErrFormat, key, p.GetValue())
		}
	}
	return md, nil
}

// model returns the Model of the walked graph, with its target names.
func (g *graph) model(mp *onnxpb.ModelProto, meta *metadata, s *ImportSettings) (*Model, error) {
	m, err := g.modelTask(mp, meta, s)
	if err != nil {
		return nil, err
	}
	want := targetCount(m.Task, m.Net.OutputSize())
	switch {
	case s.Targets != nil && len(s.Targets) != want:
		return nil, fmt.Errorf("%w: ImportSettings.Targets has %d names, a %s with %d outputs has %d",
			mlp.ErrSetting, len(s.Targets), m.Task, m.Net.OutputSize(), want)
	case s.Targets != nil:
		m.Targets = append([]string(nil), s.Targets...)
	case meta.targets != nil && len(meta.targets) != want:
		return nil, fmt.Errorf("%w: metadata %s has %d names, a %s with %d outputs has %d",
			mlp.ErrFormat, MetaTargets, len(meta.targets), m.Task, m.Net.OutputSize(), want)
	case meta.targets != nil:
		m.Targets = meta.targets
	default:
		m.Targets = DefaultTargets(want)
	}
	return m, nil
}

// modelTask returns the Model of the walked graph, without target names.
func (g *graph) modelTask(mp *onnxpb.ModelProto, meta *metadata, s *ImportSettings) (*Model, error) {
	net, err := mlp.NewSequential(g.layers...)
	if err != nil {
		return nil, fmt.Errorf("%w: the graph is not a net: %w", ErrUnsupported, err)
	}
	// What the net costs to run is bounded as for mlp.Load.
	if err := (mlp.ModelLimits{}).CheckModel(net); err != nil {
		return nil, fmt.Errorf("%w: %w", mlp.ErrFormat, err)
	}
	n, k := net.InputSize(), net.OutputSize()
	if g.inWidth != 0 && g.inWidth != n {
		return nil, fmt.Errorf("%w: the graph input %q has %d columns, the net takes %d", mlp.ErrFormat, g.input, g.inWidth, n)
	}
	m := &Model{
		Net:        net,
		Task:       meta.task,
		InputName:  g.input,
		OutputName: g.output,
		Producer:   strings.TrimSpace(mp.GetProducerName() + " " + mp.GetProducerVersion()),
	}
	p, q := &m.Preprocess, &m.Postprocess
	for _, c := range []struct {
		name  string
		src   []float64
		dst   *[]float64
		width int
	}{
		{"imputation in front of the net", g.impute, &p.Impute, n},
		{"Sub in front of the net", g.mean, &p.Mean, n},
		{"Div in front of the net", g.std, &p.Std, n},
		{"Mul after the net", g.postStd, &q.Std, k},
		{"Add after the net", g.postMean, &q.Mean, k},
	} {
		if c.src == nil {
			continue
		}
		if len(c.src) != 1 && len(c.src) != c.width {
			return nil, fmt.Errorf("%w: the %s has %d values, the net has %d columns there",
				ErrUnsupported, c.name, len(c.src), c.width)
		}
		v := make([]float64, c.width)
		for j := range v {
			v[j] = c.src[min(j, len(c.src)-1)]
		}
		*c.dst = v
	}
	p.Columns = DefaultColumns(n)
	if meta.columns != nil {
		if len(meta.columns) != n {
			return nil, fmt.Errorf("%w: metadata %s names %d columns, the net takes %d", mlp.ErrFormat, MetaColumns, len(meta.columns), n)
		}
		p.Columns = meta.columns
	}

	classes, from := s.Classes, "ImportSettings.Classes"
	if classes == nil {
		classes, from = meta.classes, "metadata "+MetaClasses
	}
	ends := endsInProbabilities(g.layers, k)
	m.Net.SetTraining(false)
	m.Task = Regression
	if g.post != postNone {
		why := from + " names classes"
		if classes == nil {
			why = "metadata " + MetaTask + " says classification"
		}
		sentinel := mlp.ErrFormat
		if s.Classes != nil {
			sentinel = mlp.ErrSetting
		}
		if classes != nil || meta.task == Classification {
			return nil, fmt.Errorf("%w: the net scales its outputs (Mul, Add after it), so it is a regressor, but %s",
				sentinel, why)
		}
		return m, nil
	}
	if (s.Classes == nil && meta.task == Regression) || !(ends || classes != nil || meta.task == Classification) {
		return m, nil
	}
	m.Task = Classification
	if classes == nil {
		classes = DefaultClasses(k)
	}
	if len(classes) != ClassCount(k) {
		sentinel := mlp.ErrFormat
		if s.Classes != nil {
			sentinel = mlp.ErrSetting
		}
		return nil, fmt.Errorf("%w: %s has %d classes, the net has %d outputs and so %d classes",
			sentinel, from, len(classes), k, ClassCount(k))
	}
	m.Classes = append([]string(nil), classes...)
	switch last := g.layers[len(g.layers)-1]; lastKind(g.layers) {
	case mlp.SigmoidProbabilities:
		if k > 1 {
			return nil, fmt.Errorf("%w: the net ends in %v over %d columns, a probability per column (multi-label), "+
				"which a classifier here does not read: it ends in a Softmax over one column per class, or a Sigmoid over one column",
				ErrUnsupported, last, k)
		}
	case mlp.SoftmaxProbabilities:
		if k == 1 {
			return nil, fmt.Errorf("%w: the net ends in %v over one column, which always gives 1", ErrUnsupported, last)
		}
	}
	if !ends {
		var l mlp.Layer = &mlp.Softmax{}
		if k == 1 {
			l = &mlp.Sigmoid{}
		}
		if m.Net, err = mlp.NewSequential(append(g.layers, l)...); err != nil {
			return nil, err
		}
		m.Net.SetTraining(false)
		m.Appended = l.String()
	}
	return m, nil
}
