package parquet

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/mlpkit/mlp/internal/needtool"
)

// parquetjsVersion is the @dsnp/parquetjs release testdata/gen_parquet.js
// was run with (later releases need node 24).
const parquetjsVersion = "1.8.7"

// parquetjsDir returns where @dsnp/parquetjs is installed:
// $MLP_PARQUETJS_DIR, or $HOME/.cache/mlp-parquetjs.
func parquetjsDir() string {
	if d := os.Getenv("MLP_PARQUETJS_DIR"); d != "" {
		return d
	}
	home, _ := os.UserHomeDir()
	return filepath.Join(home, ".cache", "mlp-parquetjs")
}

// The committed fixtures are what testdata/gen_parquet.js writes from the
// CSV files: regenerated under node, byte for byte the same.
func TestFixturesRegenerate(t *testing.T) {
	node := "/usr/bin/node"
	if _, err := os.Stat(node); err != nil {
		if node, err = exec.LookPath("node"); err != nil {
			needtool.Missing(t, "node is not installed: skipping the regeneration of the Parquet fixtures; install nodejs and npm, then @dsnp/parquetjs (.ci/run does)")
		}
	}
	dir := parquetjsDir()
	if _, err := os.Stat(filepath.Join(dir, "node_modules", "@dsnp", "parquetjs", "package.json")); err != nil {
		needtool.Missing(t, "@dsnp/parquetjs is not in %s: skipping the regeneration of the Parquet fixtures; install it with\n\tnpm install --prefix %s --ignore-scripts @dsnp/parquetjs@%s\nor set MLP_PARQUETJS_DIR to where it is",
			dir, dir, parquetjsVersion)
	}
	out := t.TempDir()
	cmd := exec.Command(node, filepath.Join("testdata", "gen_parquet.js"), out)
	cmd.Env = append(os.Environ(), "MLP_PARQUETJS_DIR="+dir)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("node gen_parquet.js: %v\n%s", err, b)
	}
	for _, name := range []string{"iris_species", "penguins", "churn", "flags"} {
		got, err := os.ReadFile(filepath.Join(out, name+".parquet"))
		if err != nil {
			t.Fatal(err)
		}
		want, err := os.ReadFile(filepath.Join("testdata", name+".parquet"))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s.parquet: regenerated %d bytes differ from the committed %d; run gen_parquet.js and commit", name, len(got), len(want))
		}
	}
}
