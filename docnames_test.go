package mlp_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// docPackages are the module's public packages, by the name a qualified
// reference uses, and their directories relative to the root.
var docPackages = map[string]string{
	"mlp":      ".",
	"tabular":  "tabular",
	"mlpserve": "mlpserve",
	"onnx":     "onnx",
	"mlpplot":  "mlpplot",
	"parquet":  "tabular/parquet",
}

// exportedNames returns the exported names the non-test files of the
// package in dir declare: top-level names, and "T.M" for each method and
// field M of a type T, fields and methods promoted from an embedded type of
// the package, and the fields of a type defined on a struct type of the
// package (type MLPClassifier MLPSettings).
func exportedNames(t *testing.T, dir string) map[string]bool {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil {
		t.Fatal(err)
	}
	names := map[string]bool{}
	members := map[string][]string{} // type -> its own fields and methods
	embeds := map[string][]string{}  // type -> embedded types and the type it is defined on
	fset := token.NewFileSet()
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, parser.SkipObjectResolution)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range f.Decls {
			switch d := d.(type) {
			case *ast.FuncDecl:
				if d.Recv == nil {
					names[d.Name.Name] = true
					continue
				}
				recv := typeName(d.Recv.List[0].Type)
				members[recv] = append(members[recv], d.Name.Name)
			case *ast.GenDecl:
				for _, s := range d.Specs {
					switch s := s.(type) {
					case *ast.ValueSpec:
						for _, n := range s.Names {
							names[n.Name] = true
						}
					case *ast.TypeSpec:
						tn := s.Name.Name
						names[tn] = true
						switch ty := s.Type.(type) {
						case *ast.StructType:
							for _, fl := range ty.Fields.List {
								if len(fl.Names) == 0 {
									embeds[tn] = append(embeds[tn], typeName(fl.Type))
								}
								for _, n := range fl.Names {
									members[tn] = append(members[tn], n.Name)
								}
							}
						case *ast.InterfaceType:
							for _, fl := range ty.Methods.List {
								for _, n := range fl.Names {
									members[tn] = append(members[tn], n.Name)
								}
							}
						case *ast.Ident:
							embeds[tn] = append(embeds[tn], ty.Name)
						}
					}
				}
			}
		}
	}
	var add func(tn, from string, depth int)
	add = func(tn, from string, depth int) {
		if depth > 8 {
			return
		}
		for _, m := range members[from] {
			names[tn+"."+m] = true
		}
		for _, e := range embeds[from] {
			names[tn+"."+e] = true
			add(tn, e, depth+1)
		}
	}
	for tn := range names {
		add(tn, tn, 0)
	}
	if len(names) == 0 {
		t.Fatalf("found no declarations in %s", dir)
	}
	return names
}

// typeName returns the name of the type expression e, without pointer or
// type arguments.
func typeName(e ast.Expr) string {
	switch e := e.(type) {
	case *ast.StarExpr:
		return typeName(e.X)
	case *ast.IndexExpr:
		return typeName(e.X)
	case *ast.IndexListExpr:
		return typeName(e.X)
	case *ast.Ident:
		return e.Name
	case *ast.SelectorExpr:
		return e.Sel.Name
	}
	return ""
}

// qualifiedRef matches a qualified reference: a package name, an exported
// name and, optionally, a member, also after an empty composite literal
// (mlp.ModelLimits{}.CheckWidths).
var qualifiedRef = regexp.MustCompile(`\b(mlp|tabular|mlpserve|onnx|mlpplot)\.([A-Z]\w*)(?:(?:\{\})?\.([A-Z]\w*))?`)

// staleRefs returns the qualified references in text to a name its package
// does not declare, each as package.name or package.name.member.
func staleRefs(text string, decl map[string]map[string]bool) []string {
	var stale []string
	for _, m := range qualifiedRef.FindAllStringSubmatchIndex(text, -1) {
		if m[0] > 0 {
			if c := text[m[0]-1]; c == '/' || c == '.' || c == '-' || c == '_' {
				continue // part of a path or of a longer name
			}
		}
		pkg, name := text[m[2]:m[3]], text[m[4]:m[5]]
		ref := pkg + "." + name
		names := decl[pkg]
		if !names[name] {
			stale = append(stale, ref)
			continue
		}
		if m[6] >= 0 {
			member := text[m[6]:m[7]]
			if _, isType := typeMembers(names, name); isType && !names[name+"."+member] {
				stale = append(stale, ref+"."+member)
			}
		}
	}
	return stale
}

// typeMembers reports whether names holds members of the type name, which
// tells a type from a function or a variable.
func typeMembers(names map[string]bool, name string) (int, bool) {
	n := 0
	for k := range names {
		if strings.HasPrefix(k, name+".") {
			n++
		}
	}
	return n, n > 0
}

// Every qualified name (mlp.Sequential, tabular.Pipeline.Save, ...) that the
// README, the pages in docs/ and the comments of the module's Go files
// mention is declared by that package: a name renamed or moved to another
// package must not survive in the text that teaches it.
func TestDocsNameOnlyDeclaredNames(t *testing.T) {
	decl := map[string]map[string]bool{}
	for pkg, dir := range docPackages {
		decl[pkg] = exportedNames(t, dir)
	}
	texts := []string{"README.md"}
	md, err := filepath.Glob(filepath.Join("docs", "*.md"))
	if err != nil {
		t.Fatal(err)
	}
	texts = append(texts, md...)
	err = filepath.WalkDir(".", func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == "testdata" || strings.HasPrefix(d.Name(), ".")) && path != "." {
			return filepath.SkipDir
		}
		if !d.IsDir() && strings.HasSuffix(path, ".go") && !strings.HasSuffix(path, ".pb.go") {
			texts = append(texts, path)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(texts) < 20 || len(md) == 0 {
		t.Fatalf("found only %d files to check (%d in docs/)", len(texts), len(md))
	}
	fset := token.NewFileSet()
	for _, path := range texts {
		var text string
		if strings.HasSuffix(path, ".go") {
			// Only the comments: code refers to packages by their import
			// names, which the compiler checks.
			f, err := parser.ParseFile(fset, path, nil, parser.ParseComments|parser.SkipObjectResolution)
			if err != nil {
				t.Fatal(err)
			}
			var b strings.Builder
			for _, g := range f.Comments {
				b.WriteString(g.Text())
			}
			text = b.String()
		} else {
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			text = string(data)
		}
		for _, ref := range staleRefs(text, decl) {
			t.Errorf("%s mentions %s, which its package does not declare", path, ref)
		}
	}
}

// staleRefs finds what it should and nothing else.
func TestStaleRefs(t *testing.T) {
	decl := map[string]map[string]bool{
		"mlp":     {"Sequential": true, "Sequential.PredictInto": true, "ModelLimits": true, "ModelLimits.CheckWidths": true, "Load": true},
		"tabular": {"Pipeline": true, "Pipeline.Save": true},
	}
	for _, c := range []struct {
		text string
		want []string
	}{
		{"mlp.Sequential.PredictInto and tabular.Pipeline.Save", nil},
		{"(mlp.ModelLimits{}).CheckWidths and mlp.ModelLimits{}.CheckWidths", nil},
		{"mlp.Load(r), github.com/mlpkit/mlp.Pipeline, iris.mlp.Pipeline", nil},
		{"mlp.Pipeline", []string{"mlp.Pipeline"}},
		{"mlp.Sequential.PredictRow", []string{"mlp.Sequential.PredictRow"}},
		{"mlp.ModelLimits{}.CheckModel", []string{"mlp.ModelLimits.CheckModel"}},
		{"`mlpserve.Predictor`", []string{"mlpserve.Predictor"}},
	} {
		got := staleRefs(c.text, decl)
		if strings.Join(got, ",") != strings.Join(c.want, ",") {
			t.Errorf("staleRefs(%q) = %q, want %q", c.text, got, c.want)
		}
	}
}
