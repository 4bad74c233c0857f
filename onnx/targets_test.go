package onnx_test

import (
	"bytes"
	"errors"
	"math/rand/v2"
	"os"
	"slices"
	"strings"
	"testing"

	"google.golang.org/protobuf/proto"

	"github.com/mlpkit/mlp"
	"github.com/mlpkit/mlp/onnx"
	"github.com/mlpkit/mlp/onnx/internal/onnxpb"
	"github.com/mlpkit/mlp/tabular"
)

// TestImportTargets checks the target names of imported models: PyTorch's
// files (no names) get DefaultTargets, so that their pipelines can be
// served; ImportSettings.Targets sets them; and a pipeline exported and
// imported keeps the names it had.
func TestImportTargets(t *testing.T) {
	for _, tc := range []struct {
		file string
		s    *onnx.ImportSettings
		want []string
	}{
		{"torch_regressor.onnx", nil, nil}, // DefaultTargets of its outputs
		{"torch_softmax.onnx", nil, []string{"y"}},
		{"torch_sigmoid.onnx", nil, nil},
		{"torch_softmax.onnx", &onnx.ImportSettings{Targets: []string{"species"}}, []string{"species"}},
	} {
		b, err := os.ReadFile("testdata/" + tc.file)
		if err != nil {
			t.Fatal(err)
		}
		m, err := onnx.Import(bytes.NewReader(b), tc.s)
		if err != nil {
			t.Fatalf("%s: %v", tc.file, err)
		}
		want := tc.want
		if want == nil {
			n := m.Net.OutputSize()
			if m.Task == onnx.Classification {
				n = 1
			}
			want = tabular.DefaultTargetNames(n)
		}
		p, err := m.Pipeline()
		if err != nil {
			t.Fatalf("%s: %v", tc.file, err)
		}
		if !slices.Equal(m.Targets, want) || !slices.Equal(p.Targets(), want) {
			t.Errorf("%s: Model.Targets %q, Pipeline.Targets %q, want %q", tc.file, m.Targets, p.Targets(), want)
		}
	}

	src := rand.NewPCG(7, 7)
	reg1, _ := mlp.NewSequential(mlp.NewLinear(3, 4, src), &mlp.ReLU{}, mlp.NewLinear(4, 1, src))
	reg2, _ := mlp.NewSequential(mlp.NewLinear(3, 2, src))
	cls, _ := mlp.NewSequential(mlp.NewLinear(3, 3, src), &mlp.Softmax{})
	for _, tc := range []struct {
		name string
		net  *mlp.Sequential
		tg   tabular.PipelineTargets
	}{
		{"one regression target", reg1, tabular.PipelineTargets{Names: []string{"price"}}},
		{"two regression targets", reg2, tabular.PipelineTargets{Names: []string{"lat", "lon"}}},
		{"classifier", cls, tabular.PipelineTargets{Names: []string{"species"}, Classes: []string{"a", "b", "c"}}},
		{"no names", reg2, tabular.PipelineTargets{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := testPipeline(t, tc.net, tc.tg)
			var buf bytes.Buffer
			if err := onnx.ExportPipeline(&buf, p, nil); err != nil {
				t.Fatal(err)
			}
			q, err := onnx.ImportPipeline(bytes.NewReader(buf.Bytes()), nil)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(q.Targets(), p.Targets()) {
				t.Errorf("imported targets %q, exported %q", q.Targets(), p.Targets())
			}
		})
	}

	// Names that do not fit: in the settings, in the metadata.
	m := tinyModel() // a regressor of 2 outputs
	b := encode(t, m)
	if _, err := onnx.Import(bytes.NewReader(b), &onnx.ImportSettings{Targets: []string{"y"}}); !errors.Is(err, mlp.ErrSetting) || !strings.Contains(err.Error(), "Targets has 1 names") {
		t.Errorf("one target name for two outputs: %v, want ErrSetting", err)
	}
	m.MetadataProps = []*onnxpb.StringStringEntryProto{{Key: proto.String(onnx.MetaTargets), Value: proto.String(`["a","b","c"]`)}}
	if _, err := onnx.Import(bytes.NewReader(encode(t, m)), nil); !errors.Is(err, mlp.ErrFormat) || !strings.Contains(err.Error(), "mlp.targets has 3 names") {
		t.Errorf("three target names in the metadata for two outputs: %v, want ErrFormat", err)
	}
	m.MetadataProps[0].Value = proto.String(`["a","a"]`)
	if _, err := onnx.ImportPipeline(bytes.NewReader(encode(t, m)), nil); err == nil || !strings.Contains(err.Error(), `target name "a" appears twice, at positions 0 and 1`) {
		t.Errorf("a repeated target name in the metadata: %v", err)
	}
}

// TestImportMultiLabel checks that a net ending in a Sigmoid over several
// columns imports as a regressor (each output in [0, 1]), and that classes
// for it are refused: a classifier here chooses one class, and multi-label
// output is not read as one.
func TestImportMultiLabel(t *testing.T) {
	m := tinyModel() // 2 outputs
	m.Graph.Node[1] = node("Sigmoid", "sig", []string{"h"}, []string{"y"})
	b := encode(t, m)
	got, err := onnx.Import(bytes.NewReader(b), nil)
	if err != nil {
		t.Fatal(err)
	}
	if got.Task != onnx.Regression || !slices.Equal(got.Targets, []string{"y0", "y1"}) {
		t.Errorf("task %q targets %q, want a regressor of targets y0, y1", got.Task, got.Targets)
	}
	if _, err := got.Pipeline(); err != nil {
		t.Errorf("Pipeline: %v", err)
	}
	_, err = onnx.Import(bytes.NewReader(b), &onnx.ImportSettings{Classes: []string{"a", "b"}})
	if !errors.Is(err, onnx.ErrUnsupported) || !strings.Contains(err.Error(), "multi-label") {
		t.Errorf("classes for a Sigmoid over 2 columns: %v, want ErrUnsupported naming multi-label", err)
	}
}
