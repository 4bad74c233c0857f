package onnx_test

import (
	"go/parser"
	"go/token"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// protobufModule is the protobuf implementation that only this package
// may bring in.
const protobufModule = "google.golang.org/protobuf"

// The root package does not import protobuf or this package: its non-test
// files name neither.
func TestRootPackageImportsNoProtobuf(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("..", "*.go"))
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
			if path == protobufModule || strings.HasPrefix(path, protobufModule+"/") || strings.HasPrefix(path, "github.com/mlpkit/mlp/onnx") {
				t.Errorf("%s imports %s", name, path)
			}
		}
	}
	if checked == 0 {
		t.Fatal("found no Go files of the root package in ..")
	}
}

// The root package does not depend on protobuf, directly or through
// another package, as go list reports.
func TestRootPackageDependsOnNoProtobuf(t *testing.T) {
	gobin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("go is not on PATH; TestRootPackageImportsNoProtobuf checks the direct imports")
	}
	out, err := exec.Command(gobin, "list", "-deps", "github.com/mlpkit/mlp").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	deps := strings.Fields(string(out))
	if len(deps) == 0 {
		t.Fatal("go list printed no dependencies")
	}
	for _, d := range deps {
		if d == protobufModule || strings.HasPrefix(d, protobufModule+"/") {
			t.Errorf("github.com/mlpkit/mlp depends on %s", d)
		}
	}
}
