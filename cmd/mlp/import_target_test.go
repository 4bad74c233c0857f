package main

import (
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/mlpkit/mlp/tabular"
)

// TestImportTarget checks that mlp import gives a PyTorch file's model the
// default target name, or the names -target sets, so that it can be
// served, and refuses a -target that does not fit the net.
func TestImportTarget(t *testing.T) {
	dir := t.TempDir()
	torch := "../../onnx/testdata/torch_softmax.onnx"
	for _, tc := range []struct {
		name string
		args []string
		want []string
	}{
		{"default", nil, []string{"y"}},
		{"-target", []string{"-target", "species"}, []string{"species"}},
	} {
		out := filepath.Join(dir, tc.name+".mlp")
		r := runMLP(t, "", nil, append([]string{"import", "-onnx", torch, "-o", out}, tc.args...)...)
		if r.code != 0 {
			t.Fatalf("%s: exit %d\n%s%s", tc.name, r.code, r.stdout, r.stderr)
		}
		f, err := os.Open(out)
		if err != nil {
			t.Fatal(err)
		}
		p, err := tabular.LoadPipeline(f)
		f.Close()
		if err != nil {
			t.Fatal(err)
		}
		if got := p.Targets(); !slices.Equal(got, tc.want) {
			t.Errorf("%s: targets %q, want %q", tc.name, got, tc.want)
		}
	}
	r := runMLP(t, "", nil, "import", "-onnx", torch, "-o", filepath.Join(dir, "x.mlp"), "-target", "a,b")
	oneLineError(t, r, "Targets has 2 names")
}
