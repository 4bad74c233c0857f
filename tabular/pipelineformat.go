package tabular

import (
	"github.com/mlpkit/mlp/internal/modelfile"

	"github.com/mlpkit/mlp"

	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"math"
	"slices"
	"strconv"
	"unicode/utf8"
)

// Caps of the pipeline section of a version-2 file.
const (
	maxFileColumns = 1 << 16 // input columns
)

// Column kind and task codes of the pipeline section.
const (
	fileNumeric        = 1
	fileCategorical    = 2
	fileClassification = 1
	fileRegression     = 2
	fileNoFill         = math.MaxUint32
)

// Save writes the pipeline to w as version 2 of the model file format
// (mlp.Sequential.Save documents version 1), or as version 3 when it holds a
// Provenance, which LoadPipeline reads back in another program: the loaded
// pipeline gives the same predictions bit for bit, with no other code or
// file, and holds the same Provenance.
//
// Version 2 has the magic and the layout of version 1, with the pipeline's
// section between the version and the network:
//
//	magic "MLPMODEL", uint32 version 2
//	uint8 task: 1 classification, 2 regression
//	strings: the missing-value markers besides the defaults
//	uint32 number of input columns m ≥ 1, then per column:
//	  string name, uint8 kind: 1 numeric, 2 categorical
//	  numeric:     uint8 has-fill, float64 fill (0 if not), uint8
//	               scaled, float64 mean (0 if not), float64 std (1 if
//	               not)
//	  categorical: strings categories (≥ 1, one-hot order), uint32 index
//	               of the fill category (0xFFFFFFFF: none)
//	strings: target names
//	classification: strings class names
//	regression: uint8 has-scaler; if 1, uint32 k and k pairs of float64
//	            mean, std
//	the network: uint32 layer count and the layers, as in version 1
//	uint32 CRC-32 of every byte before it
//
// Version 3 is version 2 with the provenance record before the network:
// a uint32 byte length (at most 2^24) and the Provenance as a JSON object
// (encoding/json, with the field names of its tags; a reader ignores
// names it does not know).
//
// Version 4, written when a column has missing-value markers of its own
// (Table.ColumnNA, as CSVReader.DetectNA records them), is version 3 with
// those markers right after the pipeline's: a uint32 count n (at most
// 65536), then per column, in byte order of the names, a string name and
// strings markers; its provenance record may have length 0, for none.
// Files without such markers are still written as version 2 or 3, byte
// for byte as before, and LoadPipeline reads all three versions.
//
// where "strings" is a uint32 count and that many strings, and a string is
// a uint32 byte length (at most 65536) and the bytes. Numbers are
// little-endian, float64 as IEEE-754 bits. Errors are those of
// mlp.Sequential.Save: an error wrapping mlp.ErrSetting for a nil w or pipeline,
// mlp.ErrFormat for a network the format cannot hold (nothing is written then),
// and w's error wrapped (io.ErrShortWrite for a short write without one).
// As mlp.Sequential.Save, Save writes a file of up to 4 MiB in one call to
// w.Write and a larger one in several calls of at most 4 MiB, holding at
// most 4 MiB of it (or its pipeline section, a few bytes a column and a
// category, if that is larger) in memory beside the pipeline.
func (p *Pipeline) Save(w io.Writer) error {
	if isNil(w) {
		return fmt.Errorf("%w: Pipeline.Save: nil io.Writer", mlp.ErrSetting)
	}
	if err := p.usable("Save"); err != nil {
		return err
	}
	size, err := modelfile.NetworkSize(p.net)
	if err != nil {
		return err
	}
	var prov []byte
	version := uint32(modelfile.VersionPipeline)
	if p.prov != nil {
		if prov, err = p.prov.encode(); err != nil {
			return err
		}
		version = modelfile.VersionProvenance
	}
	if len(p.pre.columnNA) > 0 {
		version = modelfile.VersionColumnNA
		if prov == nil {
			prov = []byte{}
		}
	}
	// The section is appended first, to a buffer with room for 1 KiB of
	// it and the provenance record; the file's size is known after it.
	e := modelfile.NewEncoder("Pipeline.Save", w, 1024+len(prov)+size+4)
	e.Buf = p.appendSection(e.Buf, version, prov)
	e.SetSize(len(e.Buf) + size + 4)
	if err := modelfile.WriteNetwork(&e, p.net); err != nil {
		return err
	}
	return e.End()
}

// appendSection appends the magic, the version, the pipeline section of
// p's file and, when prov is not nil (version 3), the length and bytes of
// its provenance record to buf.
func (p *Pipeline) appendSection(buf []byte, version uint32, prov []byte) []byte {
	le := binary.LittleEndian
	buf = append(buf, modelfile.Magic...)
	buf = le.AppendUint32(buf, version)
	if p.task == Classification {
		buf = append(buf, fileClassification)
	} else {
		buf = append(buf, fileRegression)
	}
	buf = modelfile.AppendStrings(buf, p.pre.na)
	if version == modelfile.VersionColumnNA {
		names := slices.Sorted(maps.Keys(p.pre.columnNA))
		buf = le.AppendUint32(buf, uint32(len(names)))
		for _, name := range names {
			buf = modelfile.AppendString(buf, name)
			buf = modelfile.AppendStrings(buf, p.pre.columnNA[name])
		}
	}
	buf = le.AppendUint32(buf, uint32(len(p.pre.cols)))
	for _, c := range p.pre.cols {
		buf = modelfile.AppendString(buf, c.name)
		if c.kind == Categorical {
			buf = append(buf, fileCategorical)
			buf = modelfile.AppendStrings(buf, c.categories)
			fill := uint32(fileNoFill)
			if !math.IsNaN(c.fill) {
				fill = uint32(c.fill)
			}
			buf = le.AppendUint32(buf, fill)
			continue
		}
		buf = append(buf, fileNumeric)
		buf = modelfile.AppendFlagged(buf, !math.IsNaN(c.fill), c.fill)
		mean, std := 0.0, 1.0
		if p.pre.scaler != nil {
			mean, std = p.pre.scaler.Mean[c.scaled], p.pre.scaler.Std[c.scaled]
		}
		buf = modelfile.AppendFlagged(buf, p.pre.scaler != nil, mean)
		buf = le.AppendUint64(buf, math.Float64bits(std))
	}
	buf = modelfile.AppendStrings(buf, p.targets)
	if p.task == Classification {
		return appendProvenance(modelfile.AppendStrings(buf, p.classes), prov)
	}
	if p.yMean == nil {
		buf = append(buf, 0)
	} else {
		buf = append(buf, 1)
		buf = le.AppendUint32(buf, uint32(len(p.yMean)))
		for k := range p.yMean {
			buf = le.AppendUint64(buf, math.Float64bits(p.yMean[k]))
			buf = le.AppendUint64(buf, math.Float64bits(p.yStd[k]))
		}
	}
	return appendProvenance(buf, prov)
}

// appendProvenance appends the uint32 length and the bytes of a version-3
// provenance record, or nothing for a nil prov.
func appendProvenance(buf, prov []byte) []byte {
	if prov == nil {
		return buf
	}
	buf = binary.LittleEndian.AppendUint32(buf, uint32(len(prov)))
	return append(buf, prov...)
}

// LoadPipeline reads a pipeline written by Pipeline.Save (version 2), or a
// model written by mlp.Sequential.Save (version 1), which becomes a bare
// pipeline: numeric input columns named x0..x<n-1> with no imputation and
// no scaling, and class names "0".."k-1" when the model ends in Softmax
// over several columns or Sigmoid over one (classification), regression
// otherwise (a Sigmoid over several columns included). A file without target
// names gets DefaultTargetNames ("y", or "y0".."yk-1" for several
// regression outputs); Save writes the names the file had, none.
//
// Errors wrap mlp.ErrFormat, say what is wrong and at which byte, and are those
// of mlp.Load plus, in the pipeline section: an unknown task or column kind, a
// string longer than 65536 bytes, more than 65536 columns or 2^20 strings in
// a list, a categorical column without categories or with a fill index out
// of range, a non-finite fill, mean or std, a std that is not positive, a
// repeated column, class or target name (named, with both positions), a
// name or category that is not valid UTF-8, a network that does not fit
// the columns or classes, and a classifier whose network does not end in
// class probabilities: in logits (NewPipeline appends a Softmax to such a
// network, so a file Save writes always has it), in a Sigmoid over several
// columns or in a Softmax over one. Like mlp.Load, LoadPipeline never panics on its input,
// allocates in proportion to the bytes it reads and refuses a network beyond
// the default mlp.ModelLimits.
func LoadPipeline(r io.Reader) (*Pipeline, error) {
	if isNil(r) {
		return nil, fmt.Errorf("%w: LoadPipeline: nil io.Reader", mlp.ErrFormat)
	}
	d := modelfile.NewDecoder(r, mlp.ErrFormat)
	v, err := d.Header()
	if err != nil {
		return nil, err
	}
	if v == modelfile.VersionNetwork {
		net, err := readNetwork(d)
		if err != nil {
			return nil, err
		}
		return barePipeline(net)
	}
	p, t, err := pipelineSection(d, v)
	if err != nil {
		return nil, err
	}
	var prov *Provenance
	if v >= modelfile.VersionProvenance {
		if prov, err = readProvenance(d, v); err != nil {
			return nil, err
		}
	}
	at := d.Off
	net, err := readNetwork(d)
	if err != nil {
		return nil, err
	}
	q := &Pipeline{pre: p, net: net, prov: prov}
	if net.InputSize() != p.width {
		return nil, d.Errorf("the network at byte %d takes %d inputs; the columns give %d", at, net.InputSize(), p.width)
	}
	if err := q.setTargets(t, false); err != nil {
		return nil, fmt.Errorf("%w: LoadPipeline: %w", mlp.ErrFormat, err)
	}
	return q, nil
}

// barePipeline wraps a version-1 model: columns x0..x<n-1>, no
// preprocessing, classes "0".."k-1" for a model ending in class
// probabilities (a Softmax over several columns, a Sigmoid over one).
func barePipeline(net *mlp.Sequential) (*Pipeline, error) {
	pre := &Preprocessor{width: net.InputSize()}
	for j := range net.InputSize() {
		pre.cols = append(pre.cols, prepColumn{name: "x" + strconv.Itoa(j), kind: Numeric, fill: math.NaN(), scaled: -1})
	}
	p := &Pipeline{pre: pre, net: net}
	var t PipelineTargets
	layers := net.Layers()
	kind, outs := mlp.ProbabilityKind(0), net.OutputSize()
	if pk, ok := layers[len(layers)-1].(mlp.ProbabilityOutput); ok {
		kind = pk.Probabilities()
	}
	if kind == mlp.SoftmaxProbabilities && outs > 1 || kind == mlp.SigmoidProbabilities && outs == 1 {
		k := mlp.ClassCount(net.OutputSize())
		t.Classes = make([]string, k)
		for i := range k {
			t.Classes[i] = strconv.Itoa(i)
		}
	}
	if err := p.setTargets(t, false); err != nil {
		return nil, fmt.Errorf("%w: LoadPipeline: %w", mlp.ErrFormat, err)
	}
	return p, nil
}

// readProvenance reads the provenance record of a version-3 or 4 file
// (v), nil for an empty record of version 4.
func readProvenance(d *modelfile.Decoder, v uint32) (*Provenance, error) {
	at := d.Off
	n, err := d.Uint32(-1, "the provenance length")
	if err != nil {
		return nil, err
	}
	if n == 0 && v == modelfile.VersionColumnNA {
		return nil, nil
	}
	if n > maxProvenanceBytes {
		return nil, d.Errorf("provenance length %d at byte %d is more than the cap of %d", n, at, maxProvenanceBytes)
	}
	var b []byte
	for left := int(n); left > 0; {
		k := min(left, len(d.Buf))
		chunk, err := d.Read(k, -1, "the provenance")
		if err != nil {
			return nil, err
		}
		b = append(b, chunk...)
		left -= k
	}
	var p Provenance
	if !utf8.Valid(b) {
		return nil, d.Errorf("the provenance at byte %d is not valid UTF-8", at+4)
	}
	if err := json.Unmarshal(b, &p); err != nil {
		return nil, d.Errorf("the provenance at byte %d is not a JSON record: %v", at+4, err)
	}
	return &p, nil
}

// readNetwork reads the network that ends a file, then the checksum.
func readNetwork(d *modelfile.Decoder) (*mlp.Sequential, error) {
	net, err := modelfile.ReadNetwork(d)
	if err != nil {
		return nil, err
	}
	return net.(*mlp.Sequential), nil
}

// pipelineSection reads the pipeline section of a version-2, 3 or 4 file
// (v).
func pipelineSection(d *modelfile.Decoder, v uint32) (*Preprocessor, PipelineTargets, error) {
	var t PipelineTargets
	at := d.Off
	b, err := d.Read(1, -1, "the task")
	if err != nil {
		return nil, t, err
	}
	task := b[0]
	if task != fileClassification && task != fileRegression {
		return nil, t, d.Errorf("unknown task %d at byte %d", task, at)
	}
	p := &Preprocessor{}
	if p.na, err = d.Strings("the missing-value markers"); err != nil {
		return nil, t, err
	}
	if v == modelfile.VersionColumnNA {
		if p.columnNA, err = readColumnNA(d); err != nil {
			return nil, t, err
		}
	}
	at = d.Off
	m, err := d.Uint32(-1, "the column count")
	if err != nil {
		return nil, t, err
	}
	if m == 0 || m > maxFileColumns {
		return nil, t, d.Errorf("column count %d at byte %d is not in [1, %d]", m, at, maxFileColumns)
	}
	names := make(map[string]int)
	scaled, unscaled := 0, 0
	var mean, std []float64
	for j := 0; j < int(m); j++ {
		what := fmt.Sprintf("column %d", j)
		name, err := d.String(what + " name")
		if err != nil {
			return nil, t, err
		}
		if !utf8.ValidString(name) {
			return nil, t, d.Errorf("%s: name %s, before byte %d, is not valid UTF-8", what, quote(name), d.Off)
		}
		if k, dup := names[name]; dup {
			return nil, t, d.Errorf("%s: name %s repeats column %d's, at byte %d", what, quote(name), k, d.Off)
		}
		names[name] = j
		at := d.Off
		b, err := d.Read(1, -1, what+" kind")
		if err != nil {
			return nil, t, err
		}
		c := prepColumn{name: name, scaled: -1, fill: math.NaN()}
		switch b[0] {
		case fileCategorical:
			c.kind = Categorical
			if c.categories, err = d.Strings(what + " categories"); err != nil {
				return nil, t, err
			}
			if len(c.categories) == 0 {
				return nil, t, d.Errorf("%s %s has no category, at byte %d", what, quote(name), d.Off)
			}
			if err := checkNames("category", c.categories); err != nil {
				return nil, t, d.Errorf("%s %s: %v, before byte %d", what, quote(name), err, d.Off)
			}
			c.index = indexOf(c.categories)
			at := d.Off
			fill, err := d.Uint32(-1, what+" fill")
			if err != nil {
				return nil, t, err
			}
			if fill != fileNoFill {
				if int64(fill) >= int64(len(c.categories)) {
					return nil, t, d.Errorf("%s fill index %d at byte %d is out of range for %d categories", what, fill, at, len(c.categories))
				}
				c.fill = float64(fill)
			}
			p.width += len(c.categories)
		case fileNumeric:
			c.kind = Numeric
			hasFill, fill, err := d.Flagged(what + " fill")
			if err != nil {
				return nil, t, err
			}
			if hasFill {
				c.fill = fill
			}
			isScaled, mu, err := d.Flagged(what + " mean")
			if err != nil {
				return nil, t, err
			}
			at := d.Off
			sd, err := d.Float64(-1, what+" std")
			if err != nil {
				return nil, t, err
			}
			if one := (mlp.StandardScaler{Mean: []float64{mu}, Std: []float64{sd}}); one.Validate() != nil {
				return nil, t, d.Errorf("%s std %v at byte %d is not a finite number of at least 2.2e-308 (the smallest normal float64)", what, sd, at)
			}
			if !isScaled && sd != 1 {
				return nil, t, d.Errorf("%s std %v at byte %d is not 1 for a column that is not scaled", what, sd, at)
			}
			if isScaled {
				c.scaled = scaled
				scaled++
				mean, std = append(mean, mu), append(std, sd)
			} else {
				unscaled++
			}
			p.width++
		default:
			return nil, t, d.Errorf("%s: unknown column kind %d at byte %d", what, b[0], at)
		}
		c.na = p.columnNA[name]
		p.cols = append(p.cols, c)
	}
	if scaled > 0 && unscaled > 0 {
		return nil, t, d.Errorf("%d numeric columns are scaled and %d are not; a pipeline scales all or none", scaled, unscaled)
	}
	if scaled > 0 {
		p.scaler = &mlp.StandardScaler{Mean: mean, Std: std}
	}
	if t.Names, err = d.Strings("the target names"); err != nil {
		return nil, t, err
	}
	if task == fileClassification {
		if t.Classes, err = d.Strings("the class names"); err != nil {
			return nil, t, err
		}
		if t.Classes == nil {
			t.Classes = []string{}
		}
		return p, t, nil
	}
	at = d.Off
	b, err = d.Read(1, -1, "the target scaler flag")
	if err != nil {
		return nil, t, err
	}
	if b[0] > 1 {
		return nil, t, d.Errorf("the target scaler flag %d at byte %d is not 0 or 1", b[0], at)
	}
	if b[0] == 1 {
		at := d.Off
		k, err := d.Uint32(-1, "the target count")
		if err != nil {
			return nil, t, err
		}
		if k == 0 || k > maxFileColumns {
			return nil, t, d.Errorf("target count %d at byte %d is not in [1, %d]", k, at, maxFileColumns)
		}
		s := &mlp.StandardScaler{}
		for i := 0; i < int(k); i++ {
			m, err := d.Finite(fmt.Sprintf("target %d mean", i))
			if err != nil {
				return nil, t, err
			}
			sd, err := d.Finite(fmt.Sprintf("target %d std", i))
			if err != nil {
				return nil, t, err
			}
			s.Mean, s.Std = append(s.Mean, m), append(s.Std, sd)
		}
		t.Scaler = s
	}
	return p, t, nil
}

// readColumnNA reads the markers of the columns of a version-4 file.
func readColumnNA(d *modelfile.Decoder) (map[string][]string, error) {
	at := d.Off
	n, err := d.Uint32(-1, "the count of columns with markers")
	if err != nil {
		return nil, err
	}
	if n > maxFileColumns {
		return nil, d.Errorf("count of columns with markers %d at byte %d is more than %d", n, at, maxFileColumns)
	}
	m := make(map[string][]string, n)
	for k := range int(n) {
		what := fmt.Sprintf("markers of column %d", k)
		name, err := d.String(what + ": name")
		if err != nil {
			return nil, err
		}
		if _, dup := m[name]; dup {
			return nil, d.Errorf("%s: name %s repeats, before byte %d", what, quote(name), d.Off)
		}
		if m[name], err = d.Strings(what); err != nil {
			return nil, err
		}
	}
	return m, nil
}
