package boltz_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// publicPackages are the directories whose exported API outside code uses.
var publicPackages = []string{"ais", "data", "exact", "matrix", "mcmc", "npz", "rbm", "report", "train"}

// No exported identifier of a public package mentions a type from an internal package:
// every exported function, method, type, field, variable and constant of the public
// packages is checked, through the import names of its file.
func TestNoInternalTypesInAPI(t *testing.T) {
	fset := token.NewFileSet()
	for _, dir := range publicPackages {
		files, err := filepath.Glob(filepath.Join(dir, "*.go"))
		if err != nil {
			t.Fatal(err)
		}
		for _, path := range files {
			if strings.HasSuffix(path, "_test.go") {
				continue
			}
			f, err := parser.ParseFile(fset, path, nil, parser.SkipObjectResolution)
			if err != nil {
				t.Fatal(err)
			}
			internal := map[string]string{}
			for _, imp := range f.Imports {
				p, _ := strconv.Unquote(imp.Path.Value)
				if strings.Contains(p, "/internal/") {
					name := p[strings.LastIndex(p, "/")+1:]
					if imp.Name != nil {
						name = imp.Name.Name
					}
					internal[name] = p
				}
			}
			if len(internal) == 0 {
				continue
			}
			report := func(where string, n ast.Node) {
				ast.Inspect(n, func(n ast.Node) bool {
					if sel, ok := n.(*ast.SelectorExpr); ok {
						if id, ok := sel.X.(*ast.Ident); ok && internal[id.Name] != "" {
							t.Errorf("%s: %s mentions %s.%s from %s", fset.Position(sel.Pos()), where, id.Name, sel.Sel.Name, internal[id.Name])
						}
					}
					return true
				})
			}
			for _, d := range f.Decls {
				switch d := d.(type) {
				case *ast.FuncDecl:
					if !d.Name.IsExported() || (d.Recv != nil && !exportedRecv(d.Recv)) {
						continue
					}
					report(d.Name.Name, d.Type)
				case *ast.GenDecl:
					for _, s := range d.Specs {
						switch s := s.(type) {
						case *ast.TypeSpec:
							if s.Name.IsExported() {
								checkType(s.Name.Name, s.Type, report)
							}
						case *ast.ValueSpec:
							for _, n := range s.Names {
								if n.IsExported() && s.Type != nil {
									report(n.Name, s.Type)
								}
							}
						}
					}
				}
			}
		}
	}
}

// checkType reports the exported parts of a type: all of a non-struct type, and the
// exported fields (and embedded types) of a struct or the methods of an interface.
func checkType(name string, typ ast.Expr, report func(string, ast.Node)) {
	switch t := typ.(type) {
	case *ast.StructType:
		for _, fld := range t.Fields.List {
			if len(fld.Names) == 0 {
				report(name+" (embedded)", fld.Type)
			}
			for _, n := range fld.Names {
				if n.IsExported() {
					report(name+"."+n.Name, fld.Type)
				}
			}
		}
	case *ast.InterfaceType:
		for _, m := range t.Methods.List {
			for _, n := range m.Names {
				if n.IsExported() {
					report(name+"."+n.Name, m.Type)
				}
			}
		}
	default:
		report(name, typ)
	}
}

func exportedRecv(r *ast.FieldList) bool {
	typ := r.List[0].Type
	for {
		switch t := typ.(type) {
		case *ast.StarExpr:
			typ = t.X
		case *ast.IndexExpr:
			typ = t.X
		case *ast.IndexListExpr:
			typ = t.X
		case *ast.Ident:
			return t.IsExported()
		default:
			return false
		}
	}
}

// The module in examples/outside, with its own go.mod, builds and passes its test using
// only boltz's exported packages: training with its own negative phase on its own rows,
// features, sampling, AIS against exact, a file round trip and gonum.
func TestOutsideModule(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a second module")
	}
	gobin := filepath.Join(os.Getenv("GOROOT"), "bin", "go")
	if _, err := os.Stat(gobin); err != nil {
		gobin = "go"
	}
	for _, args := range [][]string{{"vet", "./..."}, {"test", "-count=1", "./..."}} {
		cmd := exec.Command(gobin, args...)
		cmd.Dir = filepath.Join("examples", "outside")
		cmd.Env = append(os.Environ(), "GOFLAGS=-mod=mod")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("go %s in examples/outside: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
}
