package mlp_test

import (
	"go/parser"
	"go/token"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// optional lists the module paths that only a subpackage may bring in, so
// that programs which only train and run models do not pull them in: the
// plotting library (mlpplot), protobuf (onnx) and the Prometheus client
// (mlpserve/prommetrics), the Parquet decoder (tabular/parquet), and those
// subpackages;
// and the packages built on the engine (tabular, mlpserve), which the
// engine never imports: imports point one way.
var optional = []string{
	"gonum.org/v1/plot",
	"google.golang.org/protobuf",
	"github.com/prometheus/client_golang",
	"github.com/parquet-go/parquet-go",
	"github.com/klauspost/compress",
	"github.com/mlpkit/mlp/mlpplot",
	"github.com/mlpkit/mlp/onnx",
	"github.com/mlpkit/mlp/tabular",
	"github.com/mlpkit/mlp/mlpserve",
	"github.com/mlpkit/mlp/mlpserve/prommetrics",
	"github.com/mlpkit/mlp/tabular/parquet",
}

// isOptional reports whether the package path is one of optional or below it.
func isOptional(path string) bool {
	for _, m := range optional {
		if path == m || strings.HasPrefix(path, m+"/") {
			return true
		}
	}
	return false
}

// The root package's non-test files import none of the optional modules.
func TestRootPackageImportsNoOptional(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	checked := 0
	fset := token.NewFileSet()
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, parser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		checked++
		for _, imp := range f.Imports {
			path, err := strconv.Unquote(imp.Path.Value)
			if err != nil {
				t.Fatal(err)
			}
			if isOptional(path) {
				t.Errorf("%s imports %s", name, path)
			}
		}
	}
	if checked == 0 {
		t.Fatal("found no Go files of the root package")
	}
}

// The root package depends on none of the optional modules, directly or
// through another package, as go list reports.
func TestRootPackageDependsOnNoOptional(t *testing.T) {
	checkNoOptionalDeps(t, "github.com/mlpkit/mlp")
}

// Package tabular, the practitioner's path, depends on none of the
// optional modules either: a program that reads a CSV file and trains an
// estimator pulls in neither plotting, protobuf nor the server.
func TestTabularDependsOnNoOptional(t *testing.T) {
	checkNoOptionalDeps(t, "github.com/mlpkit/mlp/tabular")
}

// checkNoOptionalDeps fails t if pkg depends, as go list -deps reports, on
// an optional package other than itself.
//
// With forbidden given, it checks only those module paths (and the
// packages below them).
func checkNoOptionalDeps(t *testing.T, pkg string, forbidden ...string) {
	t.Helper()
	gobin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("go is not on PATH; TestRootPackageImportsNoOptional checks the root's direct imports")
	}
	out, err := exec.Command(gobin, "list", "-deps", pkg).CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	deps := strings.Fields(string(out))
	if len(deps) == 0 {
		t.Fatal("go list printed no dependencies")
	}
	bad := isOptional
	if len(forbidden) > 0 {
		bad = func(path string) bool {
			for _, m := range forbidden {
				if path == m || strings.HasPrefix(path, m+"/") {
					return true
				}
			}
			return false
		}
	}
	for _, d := range deps {
		if bad(d) && d != pkg {
			t.Errorf("%s depends on %s", pkg, d)
		}
	}
}

// Package mlpserve, which a Go program embeds to serve a pipeline, depends
// on no metrics library: the Prometheus client comes with
// mlpserve/prommetrics only.
func TestServeDependsOnNoPrometheus(t *testing.T) {
	checkNoOptionalDeps(t, "github.com/mlpkit/mlp/mlpserve", "github.com/prometheus/client_golang", "github.com/mlpkit/mlp/mlpserve/prommetrics")
}
