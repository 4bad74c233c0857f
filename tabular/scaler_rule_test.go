package tabular_test

import (
	"bytes"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/mlpkit/mlp"
	"github.com/mlpkit/mlp/tabular"
)

// One rule decides whether a standard deviation can scale a column
// (mlp.StandardScaler.Validate: finite and at least the smallest normal
// float64): NewPreprocessor, a pipeline file and mlp.StandardScaler all
// refuse a std of 1e-310, a subnormal, which a pipeline file used to
// accept although NewPreprocessor refused the columns it then held.
func TestOneStdRule(t *testing.T) {
	const good, bad = 2.5, 1e-310
	cols := func(std float64) []tabular.ColumnInfo {
		return []tabular.ColumnInfo{{Name: "a", Kind: tabular.Numeric, Mean: 1, Std: std}, {Name: "b", Kind: tabular.Numeric, Mean: 0, Std: 1}}
	}
	if _, err := tabular.NewPreprocessor(cols(bad)); !errors.Is(err, mlp.ErrSetting) {
		t.Errorf("NewPreprocessor with Std %v: error %v, want one wrapping ErrSetting", bad, err)
	}
	if err := (&mlp.StandardScaler{Mean: []float64{1}, Std: []float64{bad}}).Validate(); !errors.Is(err, mlp.ErrSetting) {
		t.Errorf("StandardScaler.Validate with Std %v: error %v, want one wrapping ErrSetting", bad, err)
	}

	// A file written with Std 2.5, then patched to 1e-310 with its
	// checksum made right.
	pre, err := tabular.NewPreprocessor(cols(good))
	if err != nil {
		t.Fatal(err)
	}
	net, err := mlp.NewSequential(mlp.NewLinear(2, 1, rand.NewPCG(1, 1)))
	if err != nil {
		t.Fatal(err)
	}
	p, err := tabular.NewPipeline(pre, net, tabular.PipelineTargets{Names: []string{"y"}})
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := p.Save(&buf); err != nil {
		t.Fatal(err)
	}
	file := buf.Bytes()
	var from, to [8]byte
	binary.LittleEndian.PutUint64(from[:], math.Float64bits(good))
	binary.LittleEndian.PutUint64(to[:], math.Float64bits(bad))
	if bytes.Count(file, from[:]) != 1 {
		t.Fatalf("the std %v appears %d times in the file, want once", good, bytes.Count(file, from[:]))
	}
	file = bytes.Replace(file, from[:], to[:], 1)
	n := len(file) - 4
	binary.LittleEndian.PutUint32(file[n:], crc32.ChecksumIEEE(file[:n]))
	_, err = tabular.LoadPipeline(bytes.NewReader(file))
	if !errors.Is(err, mlp.ErrFormat) || !strings.Contains(err.Error(), "std") {
		t.Errorf("LoadPipeline of a file with Std %v: error %v, want one wrapping ErrFormat naming the std", bad, err)
	}
}
