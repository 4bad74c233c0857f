package tabular

import (
	"bytes"
	"errors"
	"math"
	"math/rand/v2"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/mlpkit/mlp"
	"gonum.org/v1/gonum/mat"
)

// targetsPre returns a Preprocessor of two numeric columns a, b and,
// unless cat is nil, a categorical column c with the categories cat.
func targetsPre(t *testing.T, cat ...string) *Preprocessor {
	t.Helper()
	cols := []ColumnInfo{{Name: "a", Kind: Numeric, Std: 1}, {Name: "b", Kind: Numeric, Std: 1}}
	if cat != nil {
		cols = append(cols, ColumnInfo{Name: "c", Kind: Categorical, Categories: cat})
	}
	pre, err := NewPreprocessor(cols)
	if err != nil {
		t.Fatal(err)
	}
	return pre
}

// targetsNet returns a network from in columns to out, ending in last
// (nothing: logits).
func targetsNet(t *testing.T, in, out int, last ...mlp.Layer) *mlp.Sequential {
	t.Helper()
	net, err := mlp.NewSequential(append([]mlp.Layer{mlp.NewLinear(in, out, rand.NewPCG(1, 2))}, last...)...)
	if err != nil {
		t.Fatal(err)
	}
	return net
}

// rawSaved returns the bytes Save writes for a pipeline assembled without
// NewPipeline's checks, as an older version of the library could write it.
func rawSaved(t *testing.T, p *Pipeline) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := p.Save(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestPipelineDefaultTargets checks that a pipeline made or loaded without
// target names has DefaultTargetNames, and that Save keeps a file without
// names as it was.
func TestPipelineDefaultTargets(t *testing.T) {
	pre := targetsPre(t)
	for _, tc := range []struct {
		name string
		net  *mlp.Sequential
		tg   PipelineTargets
		want []string
	}{
		{"one regression output", targetsNet(t, 2, 1), PipelineTargets{}, []string{"y"}},
		{"three regression outputs", targetsNet(t, 2, 3), PipelineTargets{}, []string{"y0", "y1", "y2"}},
		{"empty names", targetsNet(t, 2, 2), PipelineTargets{Names: []string{}}, []string{"y0", "y1"}},
		{"classifier", targetsNet(t, 2, 3, &mlp.Softmax{}), PipelineTargets{Classes: []string{"a", "b", "c"}}, []string{"y"}},
		{"given names kept", targetsNet(t, 2, 2), PipelineTargets{Names: []string{"p", "q"}}, []string{"p", "q"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, err := NewPipeline(pre, tc.net, tc.tg)
			if err != nil {
				t.Fatal(err)
			}
			if got := p.Targets(); !slices.Equal(got, tc.want) {
				t.Errorf("NewPipeline: Targets() = %q, want %q", got, tc.want)
			}
			b := rawSaved(t, p)
			q, err := LoadPipeline(bytes.NewReader(b))
			if err != nil {
				t.Fatal(err)
			}
			if got := q.Targets(); !slices.Equal(got, tc.want) {
				t.Errorf("LoadPipeline: Targets() = %q, want %q", got, tc.want)
			}
			if again := rawSaved(t, q); !bytes.Equal(again, b) {
				t.Error("Save of the loaded pipeline writes other bytes than the file it was loaded from")
			}
		})
	}

	// Version-1 model files: the golden one, and a regressor of 3 outputs.
	golden, err := os.ReadFile(goldenModelFile)
	if err != nil {
		t.Fatal(err)
	}
	var v1 bytes.Buffer
	if err := targetsNet(t, 4, 3).Save(&v1); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		file []byte
		want []string
	}{
		{"golden version 1", golden, []string{"y"}},
		{"version 1 regressor", v1.Bytes(), []string{"y0", "y1", "y2"}},
	} {
		p, err := LoadPipeline(bytes.NewReader(tc.file))
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if got := p.Targets(); !slices.Equal(got, tc.want) {
			t.Errorf("%s: Targets() = %q, want %q", tc.name, got, tc.want)
		}
	}
	if got := DefaultTargetNames(2); !slices.Equal(got, []string{"y0", "y1"}) {
		t.Errorf("DefaultTargetNames(2) = %q", got)
	}
}

// TestPipelineLogits checks that NewPipeline appends a Softmax or Sigmoid
// to a classifier ending in logits, so that Proba rows are probabilities,
// and refuses a Sigmoid over several columns and a Softmax over one; and
// that LoadPipeline refuses a file with such a classifier.
func TestPipelineLogits(t *testing.T) {
	pre := targetsPre(t)
	x := mat.NewDense(3, 2, []float64{8, -3, 0.5, 0.25, -6, 9})
	for _, tc := range []struct {
		name    string
		net     *mlp.Sequential
		classes []string
		last    string // the last layer of Net, "" for an error
		msg     string
	}{
		{"logits, three classes", targetsNet(t, 2, 3), []string{"a", "b", "c"}, "Softmax", ""},
		{"logits after ReLU", targetsNet(t, 2, 3, &mlp.ReLU{}), []string{"a", "b", "c"}, "Softmax", ""},
		{"one logit, two classes", targetsNet(t, 2, 1), []string{"no", "yes"}, "Sigmoid", ""},
		{"Softmax kept", targetsNet(t, 2, 3, &mlp.Softmax{}), []string{"a", "b", "c"}, "Softmax", ""},
		{"one Sigmoid kept", targetsNet(t, 2, 1, &mlp.Sigmoid{}), []string{"no", "yes"}, "Sigmoid", ""},
		{"three Sigmoids", targetsNet(t, 2, 3, &mlp.Sigmoid{}), []string{"a", "b", "c"}, "", "multi-label"},
		{"Softmax over one column", targetsNet(t, 2, 1, &mlp.Softmax{}), []string{"no", "yes"}, "", "always gives 1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, err := NewPipeline(pre, tc.net, PipelineTargets{Classes: tc.classes})
			if tc.last == "" {
				if err == nil || !errors.Is(err, mlp.ErrSetting) || !strings.Contains(err.Error(), tc.msg) {
					t.Fatalf("NewPipeline: error %v, want ErrSetting with %q", err, tc.msg)
				}
			} else {
				if err != nil {
					t.Fatal(err)
				}
				net, _ := p.Net()
				layers := net.Layers()
				if got := layers[len(layers)-1].String(); !strings.HasPrefix(got, tc.last) {
					t.Errorf("Net ends in %s, want %s", got, tc.last)
				}
				if n := len(tc.net.Layers()); len(layers) > n+1 {
					t.Errorf("Net has %d layers, the network given %d", len(layers), n)
				}
				if _, err := LoadPipeline(bytes.NewReader(rawSaved(t, p))); err != nil {
					t.Errorf("LoadPipeline of what Save wrote: %v", err)
				}
				pr, err := p.predict(mat.DenseCopyOf(x))
				if err != nil {
					t.Fatal(err)
				}
				r, c := pr.Proba.Dims()
				for i := range r {
					sum := 0.0
					for k := range c {
						v := pr.Proba.At(i, k)
						if v < 0 || v > 1 {
							t.Errorf("row %d: probability %v of class %d is outside [0, 1]", i, v, k)
						}
						sum += v
					}
					if math.Abs(sum-1) > 1e-12 {
						t.Errorf("row %d: probabilities sum to %v, want 1 within 1e-12", i, sum)
					}
				}
			}
			// The file an older library wrote for the network as given.
			raw := &Pipeline{pre: pre, net: tc.net, task: Classification, classes: tc.classes}
			_, err = LoadPipeline(bytes.NewReader(rawSaved(t, raw)))
			if kind := lastKind(tc.net); kind != 0 && tc.last != "" {
				if err != nil {
					t.Errorf("LoadPipeline of a classifier ending in probabilities: %v", err)
				}
				return
			}
			if err == nil || !errors.Is(err, mlp.ErrFormat) {
				t.Errorf("LoadPipeline of a classifier ending in %v: error %v, want ErrFormat", tc.net.Layers()[len(tc.net.Layers())-1], err)
			}
		})
	}
}

// lastKind returns what the last layer of net declares through
// mlp.ProbabilityOutput, or 0.
func lastKind(net *mlp.Sequential) mlp.ProbabilityKind {
	l := net.Layers()
	if pk, ok := l[len(l)-1].(mlp.ProbabilityOutput); ok {
		return pk.Probabilities()
	}
	return 0
}

// TestPipelineNamesRefused checks that NewPipeline and LoadPipeline refuse
// repeated target and class names, naming the name and both positions, and
// names and categories that are not valid UTF-8.
func TestPipelineNamesRefused(t *testing.T) {
	reg3 := targetsNet(t, 2, 3)
	cls3 := targetsNet(t, 2, 3, &mlp.Softmax{})
	for _, tc := range []struct {
		name string
		pre  *Preprocessor
		net  *mlp.Sequential
		tg   PipelineTargets
		msg  string
	}{
		{"repeated target", targetsPre(t), reg3, PipelineTargets{Names: []string{"y", "z", "y"}}, `target name "y" appears twice, at positions 0 and 2`},
		{"repeated class", targetsPre(t), cls3, PipelineTargets{Classes: []string{"a", "b", "b"}}, `class name "b" appears twice, at positions 1 and 2`},
		{"target not UTF-8", targetsPre(t), reg3, PipelineTargets{Names: []string{"y", "z\xff", "w"}}, `target name 1, "z\xff", is not valid UTF-8`},
		{"class not UTF-8", targetsPre(t), cls3, PipelineTargets{Classes: []string{"a\xff", "a\xfe", "b"}}, `class name 0, "a\xff", is not valid UTF-8`},
		{"category not UTF-8", targetsPre(t, "u", "v\xff"), targetsNet(t, 4, 2), PipelineTargets{}, `category 1, "v\xff", is not valid UTF-8`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, err := NewPipeline(tc.pre, tc.net, tc.tg)
			if p != nil || !errors.Is(err, mlp.ErrSetting) || !strings.Contains(err.Error(), tc.msg) {
				t.Errorf("NewPipeline: %v, want ErrSetting with %s", err, tc.msg)
			}
			raw := &Pipeline{pre: tc.pre, net: tc.net, task: Regression, targets: tc.tg.Names, classes: tc.tg.Classes}
			if tc.tg.Classes != nil {
				raw.task = Classification
			}
			p, err = LoadPipeline(bytes.NewReader(rawSaved(t, raw)))
			if p != nil || !errors.Is(err, mlp.ErrFormat) || !strings.Contains(err.Error(), tc.msg) {
				t.Errorf("LoadPipeline: %v, want ErrFormat with %s", err, tc.msg)
			}
		})
	}
	// A column name that is not valid UTF-8, in a file.
	raw := &Pipeline{pre: targetsPre(t), net: reg3, task: Regression}
	raw.pre.cols[1].name = "b\xff"
	if _, err := LoadPipeline(bytes.NewReader(rawSaved(t, raw))); !errors.Is(err, mlp.ErrFormat) || !strings.Contains(err.Error(), "not valid UTF-8") {
		t.Errorf("LoadPipeline of a column name that is not UTF-8: %v", err)
	}
	if _, err := NewPipeline(raw.pre, reg3, PipelineTargets{}); !errors.Is(err, mlp.ErrSetting) || !strings.Contains(err.Error(), `column name 1, "b\xff", is not valid UTF-8`) {
		t.Errorf("NewPipeline of a column name that is not UTF-8: %v", err)
	}
}

// TestLoadPipelineVersion1Task checks the task LoadPipeline gives a
// version-1 model: classification only for class probabilities (a Softmax
// over several columns, a Sigmoid over one), regression otherwise, a
// Sigmoid over several columns (values in [0, 1]) included.
func TestLoadPipelineVersion1Task(t *testing.T) {
	for _, tc := range []struct {
		name    string
		net     *mlp.Sequential
		task    Task
		targets []string
	}{
		{"Softmax over 3", targetsNet(t, 2, 3, &mlp.Softmax{}), Classification, []string{"y"}},
		{"Sigmoid over 1", targetsNet(t, 2, 1, &mlp.Sigmoid{}), Classification, []string{"y"}},
		{"Sigmoid over 3", targetsNet(t, 2, 3, &mlp.Sigmoid{}), Regression, []string{"y0", "y1", "y2"}},
		{"Softmax over 1", targetsNet(t, 2, 1, &mlp.Softmax{}), Regression, []string{"y"}},
		{"logits", targetsNet(t, 2, 3), Regression, []string{"y0", "y1", "y2"}},
	} {
		var buf bytes.Buffer
		if err := tc.net.Save(&buf); err != nil {
			t.Fatal(err)
		}
		p, err := LoadPipeline(&buf)
		if err != nil {
			t.Errorf("%s: %v", tc.name, err)
			continue
		}
		if p.Task() != tc.task || !slices.Equal(p.Targets(), tc.targets) {
			t.Errorf("%s: task %v, targets %q; want %v, %q", tc.name, p.Task(), p.Targets(), tc.task, tc.targets)
		}
	}
}
