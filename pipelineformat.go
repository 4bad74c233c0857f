package mlp

import (
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"io"
	"math"
	"strconv"
)

// pipelineVersion is the model file version of a Pipeline.
const pipelineVersion = 2

// Caps of the pipeline section of a version-2 file.
const (
	maxFileColumns    = 1 << 16 // input columns
	maxFileStrings    = 1 << 20 // categories, markers, names and classes, each list
	maxFileStringSize = 1 << 16 // bytes of one string
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
// (Sequential.Save documents version 1), which LoadPipeline reads back in
// another program: the loaded pipeline gives the same predictions bit for
// bit, with no other code or file.
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
// where "strings" is a uint32 count and that many strings, and a string is
// a uint32 byte length (at most 65536) and the bytes. Numbers are
// little-endian, float64 as IEEE-754 bits. Errors are those of
// Sequential.Save: an error wrapping ErrSetting for a nil w or pipeline,
// ErrFormat for a network the format cannot hold, and w's error wrapped
// (io.ErrShortWrite for a short write without one); Save makes one call to
// w.Write.
func (p *Pipeline) Save(w io.Writer) error {
	if isNil(w) {
		return fmt.Errorf("%w: Pipeline.Save: nil io.Writer", ErrSetting)
	}
	if err := p.usable("Save"); err != nil {
		return err
	}
	net, err := p.net.encode()
	if err != nil {
		return err
	}
	le := binary.LittleEndian
	buf := make([]byte, 0, len(net)+1024)
	buf = append(buf, fileMagic...)
	buf = le.AppendUint32(buf, pipelineVersion)
	if p.task == Classification {
		buf = append(buf, fileClassification)
	} else {
		buf = append(buf, fileRegression)
	}
	buf = appendStrings(buf, p.pre.na)
	buf = le.AppendUint32(buf, uint32(len(p.pre.cols)))
	for _, c := range p.pre.cols {
		buf = appendString(buf, c.name)
		if c.kind == Categorical {
			buf = append(buf, fileCategorical)
			buf = appendStrings(buf, c.categories)
			fill := uint32(fileNoFill)
			if !math.IsNaN(c.fill) {
				fill = uint32(c.fill)
			}
			buf = le.AppendUint32(buf, fill)
			continue
		}
		buf = append(buf, fileNumeric)
		buf = appendFlagged(buf, !math.IsNaN(c.fill), c.fill)
		mean, std := 0.0, 1.0
		if p.pre.scaler != nil {
			mean, std = p.pre.scaler.Mean[c.scaled], p.pre.scaler.Std[c.scaled]
		}
		buf = appendFlagged(buf, p.pre.scaler != nil, mean)
		buf = le.AppendUint64(buf, math.Float64bits(std))
	}
	buf = appendStrings(buf, p.targets)
	if p.task == Classification {
		buf = appendStrings(buf, p.classes)
	} else {
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
	}
	buf = append(buf, net[12:len(net)-4]...) // layer count and layers
	buf = le.AppendUint32(buf, crc32.ChecksumIEEE(buf))
	return writeFile("Pipeline.Save", w, buf)
}

// appendFlagged appends a uint8 flag and the float64 v (0 when flag is
// false).
func appendFlagged(buf []byte, flag bool, v float64) []byte {
	if !flag {
		return binary.LittleEndian.AppendUint64(append(buf, 0), 0)
	}
	return binary.LittleEndian.AppendUint64(append(buf, 1), math.Float64bits(v))
}

// appendString appends s as a uint32 length and its bytes.
func appendString(buf []byte, s string) []byte {
	return append(binary.LittleEndian.AppendUint32(buf, uint32(len(s))), s...)
}

// appendStrings appends a uint32 count and the strings.
func appendStrings(buf []byte, ss []string) []byte {
	buf = binary.LittleEndian.AppendUint32(buf, uint32(len(ss)))
	for _, s := range ss {
		buf = appendString(buf, s)
	}
	return buf
}

// LoadPipeline reads a pipeline written by Pipeline.Save (version 2), or a
// model written by Sequential.Save (version 1), which becomes a bare
// pipeline: numeric input columns named x0..x<n-1> with no imputation and
// no scaling, and class names "0".."k-1" when the model ends in Softmax or
// Sigmoid (classification), regression otherwise.
//
// Errors wrap ErrFormat, say what is wrong and at which byte, and are those
// of Load plus, in the pipeline section: an unknown task or column kind, a
// string longer than 65536 bytes, more than 65536 columns or 2^20 strings in
// a list, a categorical column without categories or with a fill index out
// of range, a non-finite fill, mean or std, a std that is not positive, a
// repeated column or class name, and a network that does not fit the
// columns or classes. Like Load, LoadPipeline never panics on its input,
// allocates in proportion to the bytes it reads and refuses a network beyond
// the default ModelLimits.
func LoadPipeline(r io.Reader) (*Pipeline, error) {
	d, v, err := newDecoder("LoadPipeline", r, ModelLimits{})
	if err != nil {
		return nil, err
	}
	if v == fileVersion {
		net, err := d.lastNetwork()
		if err != nil {
			return nil, err
		}
		return barePipeline(net)
	}
	p, t, err := d.pipelineSection()
	if err != nil {
		return nil, err
	}
	at := d.off
	net, err := d.lastNetwork()
	if err != nil {
		return nil, err
	}
	q := &Pipeline{pre: p, net: net, targets: t.Names}
	if net.InputSize() != p.width {
		return nil, d.errorf("the network at byte %d takes %d inputs; the columns give %d", at, net.InputSize(), p.width)
	}
	if err := q.setTargets(t); err != nil {
		return nil, fmt.Errorf("%w: LoadPipeline: %w", ErrFormat, err)
	}
	return q, nil
}

// barePipeline wraps a version-1 model: columns x0..x<n-1>, no
// preprocessing, classes "0".."k-1" for a model ending in a probability
// layer.
func barePipeline(net *Sequential) (*Pipeline, error) {
	pre := &Preprocessor{width: net.InputSize()}
	for j := range net.InputSize() {
		pre.cols = append(pre.cols, prepColumn{name: "x" + strconv.Itoa(j), kind: Numeric, fill: math.NaN(), scaled: -1})
	}
	p := &Pipeline{pre: pre, net: net}
	var t PipelineTargets
	layers := net.Layers()
	if pk, ok := layers[len(layers)-1].(ProbabilityOutput); ok && pk.Probabilities() != 0 {
		k := classCount(net.OutputSize())
		t.Classes = make([]string, k)
		for i := range k {
			t.Classes[i] = strconv.Itoa(i)
		}
	}
	if err := p.setTargets(t); err != nil {
		return nil, fmt.Errorf("%w: LoadPipeline: %w", ErrFormat, err)
	}
	return p, nil
}

// pipelineSection reads the pipeline section of a version-2 file.
func (d *decoder) pipelineSection() (*Preprocessor, PipelineTargets, error) {
	var t PipelineTargets
	at := d.off
	b, err := d.read(1, -1, "the task")
	if err != nil {
		return nil, t, err
	}
	task := b[0]
	if task != fileClassification && task != fileRegression {
		return nil, t, d.errorf("unknown task %d at byte %d", task, at)
	}
	p := &Preprocessor{}
	if p.na, err = d.strings("the missing-value markers"); err != nil {
		return nil, t, err
	}
	at = d.off
	m, err := d.uint32(-1, "the column count")
	if err != nil {
		return nil, t, err
	}
	if m == 0 || m > maxFileColumns {
		return nil, t, d.errorf("column count %d at byte %d is not in [1, %d]", m, at, maxFileColumns)
	}
	names := make(map[string]bool)
	scaled, unscaled := 0, 0
	var mean, std []float64
	for j := 0; j < int(m); j++ {
		what := fmt.Sprintf("column %d", j)
		name, err := d.string(what + " name")
		if err != nil {
			return nil, t, err
		}
		if names[name] {
			return nil, t, d.errorf("%s: name %s repeats an earlier column's, at byte %d", what, quote(name), d.off)
		}
		names[name] = true
		at := d.off
		b, err := d.read(1, -1, what+" kind")
		if err != nil {
			return nil, t, err
		}
		c := prepColumn{name: name, scaled: -1, fill: math.NaN()}
		switch b[0] {
		case fileCategorical:
			c.kind = Categorical
			if c.categories, err = d.strings(what + " categories"); err != nil {
				return nil, t, err
			}
			if len(c.categories) == 0 {
				return nil, t, d.errorf("%s %s has no category, at byte %d", what, quote(name), d.off)
			}
			c.index = indexOf(c.categories)
			if len(c.index) != len(c.categories) {
				return nil, t, d.errorf("%s %s repeats a category, before byte %d", what, quote(name), d.off)
			}
			at := d.off
			fill, err := d.uint32(-1, what+" fill")
			if err != nil {
				return nil, t, err
			}
			if fill != fileNoFill {
				if int64(fill) >= int64(len(c.categories)) {
					return nil, t, d.errorf("%s fill index %d at byte %d is out of range for %d categories", what, fill, at, len(c.categories))
				}
				c.fill = float64(fill)
			}
			p.width += len(c.categories)
		case fileNumeric:
			c.kind = Numeric
			hasFill, fill, err := d.flagged(what + " fill")
			if err != nil {
				return nil, t, err
			}
			if hasFill {
				c.fill = fill
			}
			isScaled, mu, err := d.flagged(what + " mean")
			if err != nil {
				return nil, t, err
			}
			at := d.off
			sd, err := d.float64(-1, what+" std")
			if err != nil {
				return nil, t, err
			}
			if !(sd > 0) || math.IsInf(sd, 0) {
				return nil, t, d.errorf("%s std %v at byte %d is not positive and finite", what, sd, at)
			}
			if !isScaled && sd != 1 {
				return nil, t, d.errorf("%s std %v at byte %d is not 1 for a column that is not scaled", what, sd, at)
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
			return nil, t, d.errorf("%s: unknown column kind %d at byte %d", what, b[0], at)
		}
		p.cols = append(p.cols, c)
	}
	if scaled > 0 && unscaled > 0 {
		return nil, t, d.errorf("%d numeric columns are scaled and %d are not; a pipeline scales all or none", scaled, unscaled)
	}
	if scaled > 0 {
		p.scaler = &StandardScaler{Mean: mean, Std: std}
	}
	if t.Names, err = d.strings("the target names"); err != nil {
		return nil, t, err
	}
	if task == fileClassification {
		if t.Classes, err = d.strings("the class names"); err != nil {
			return nil, t, err
		}
		if t.Classes == nil {
			t.Classes = []string{}
		}
		return p, t, nil
	}
	at = d.off
	b, err = d.read(1, -1, "the target scaler flag")
	if err != nil {
		return nil, t, err
	}
	if b[0] > 1 {
		return nil, t, d.errorf("the target scaler flag %d at byte %d is not 0 or 1", b[0], at)
	}
	if b[0] == 1 {
		at := d.off
		k, err := d.uint32(-1, "the target count")
		if err != nil {
			return nil, t, err
		}
		if k == 0 || k > maxFileColumns {
			return nil, t, d.errorf("target count %d at byte %d is not in [1, %d]", k, at, maxFileColumns)
		}
		s := &StandardScaler{}
		for i := 0; i < int(k); i++ {
			m, err := d.finite(fmt.Sprintf("target %d mean", i))
			if err != nil {
				return nil, t, err
			}
			sd, err := d.finite(fmt.Sprintf("target %d std", i))
			if err != nil {
				return nil, t, err
			}
			s.Mean, s.Std = append(s.Mean, m), append(s.Std, sd)
		}
		t.Scaler = s
	}
	return p, t, nil
}

// flagged reads a uint8 flag (0 or 1) and a float64, finite when the flag
// is set.
func (d *decoder) flagged(what string) (bool, float64, error) {
	at := d.off
	b, err := d.read(1, -1, what+" flag")
	if err != nil {
		return false, 0, err
	}
	if b[0] > 1 {
		return false, 0, d.errorf("%s flag %d at byte %d is not 0 or 1", what, b[0], at)
	}
	if b[0] == 0 {
		// A field that is not set holds 0, so that a file has one form.
		at := d.off
		v, err := d.float64(-1, what)
		if err == nil && math.Float64bits(v) != 0 {
			err = d.errorf("%s at byte %d is %v but not set; it must be 0", what, at, v)
		}
		return false, 0, err
	}
	v, err := d.finite(what)
	return true, v, err
}

// finite reads a finite float64.
func (d *decoder) finite(what string) (float64, error) {
	at := d.off
	v, err := d.float64(-1, what)
	if err != nil {
		return 0, err
	}
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return 0, d.errorf("%s is %v at byte %d; a model file holds only finite numbers", what, v, at)
	}
	return v, nil
}

// string reads a uint32 length and that many bytes, at most
// maxFileStringSize.
func (d *decoder) string(what string) (string, error) {
	at := d.off
	n, err := d.uint32(-1, what+" length")
	if err != nil {
		return "", err
	}
	if n > maxFileStringSize {
		return "", d.errorf("%s length %d at byte %d is more than the cap of %d", what, n, at, maxFileStringSize)
	}
	var s []byte
	for left := int(n); left > 0; {
		k := min(left, len(d.buf))
		b, err := d.read(k, -1, what)
		if err != nil {
			return "", err
		}
		s = append(s, b...)
		left -= k
	}
	return string(s), nil
}

// strings reads a uint32 count, at most maxFileStrings, and that many
// strings. The list grows as the strings arrive.
func (d *decoder) strings(what string) ([]string, error) {
	at := d.off
	n, err := d.uint32(-1, what+" count")
	if err != nil {
		return nil, err
	}
	if n > maxFileStrings {
		return nil, d.errorf("%s count %d at byte %d is more than the cap of %d", what, n, at, maxFileStrings)
	}
	var ss []string
	for i := 0; i < int(n); i++ {
		s, err := d.string(fmt.Sprintf("%s[%d]", what, i))
		if err != nil {
			return nil, err
		}
		ss = append(ss, s)
	}
	return ss, nil
}
