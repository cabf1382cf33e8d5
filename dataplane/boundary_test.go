package dataplane

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/kubelb-ai/kubelb-ai/schemas"
	"github.com/kubelb-ai/kubelb-ai/templates"
)

// targetWords are the words that name a data plane: target names, gateway
// classes, API groups and every kind of every embedded data-plane release.
func targetWords(t *testing.T) map[string]bool {
	t.Helper()
	words := map[string]bool{}
	for _, tg := range templates.Targets() {
		words[tg.Name] = true
		words[tg.GatewayClass] = true
		words[tg.API.Group] = true
		for _, r := range tg.CRDs.Releases {
			kinds, err := schemas.Kinds(schemas.DataPlaneSet(tg.CRDs.Project, r))
			if err != nil {
				t.Fatal(err)
			}
			for _, gk := range kinds {
				words[gk.Kind] = true
				words[gk.Group] = true
			}
		}
		for _, k := range slices.Concat(tg.Kinds.Parameters, tg.Kinds.Backends, tg.Kinds.Policies, []string{tg.Kinds.TutorialRateLimit}) {
			if k != "" {
				words[k] = true
			}
		}
	}
	return words
}

// targetSelectors are the exported names of target names.
var targetSelectors = []string{"KgatewayV20", "KgatewayV21", "Agentgateway"}

// comparisons lists where file src compares a target word: an operand of
// == or !=, a switch case, or an argument of a strings function.
func comparisons(fset *token.FileSet, f *ast.File, words map[string]bool) []string {
	names := func(e ast.Expr) string {
		switch x := e.(type) {
		case *ast.BasicLit:
			if x.Kind != token.STRING {
				return ""
			}
			s, err := strconv.Unquote(x.Value)
			if err != nil {
				return ""
			}
			if words[s] || words[strings.TrimSuffix(s, "/")] {
				return s
			}
			if g, _, ok := strings.Cut(s, "/"); ok && strings.Contains(g, ".") && words[g] {
				return s // an apiVersion of a data plane's group
			}
		case *ast.SelectorExpr:
			if id, ok := x.X.(*ast.Ident); ok && id.Name == "templates" && slices.Contains(targetSelectors, x.Sel.Name) {
				return "templates." + x.Sel.Name
			}
		}
		return ""
	}
	var out []string
	report := func(n ast.Node, word string) {
		out = append(out, fset.Position(n.Pos()).String()+": compares "+strconv.Quote(word))
	}
	ast.Inspect(f, func(n ast.Node) bool {
		switch x := n.(type) {
		case *ast.BinaryExpr:
			if x.Op == token.EQL || x.Op == token.NEQ {
				for _, e := range []ast.Expr{x.X, x.Y} {
					if w := names(e); w != "" {
						report(e, w)
					}
				}
			}
		case *ast.CaseClause:
			for _, e := range x.List {
				if w := names(e); w != "" {
					report(e, w)
				}
			}
		case *ast.CallExpr:
			sel, ok := x.Fun.(*ast.SelectorExpr)
			if !ok {
				return true
			}
			if pkg, ok := sel.X.(*ast.Ident); !ok || (pkg.Name != "strings" && pkg.Name != "slices") {
				return true
			}
			for _, e := range x.Args {
				if w := names(e); w != "" {
					report(e, w)
				}
			}
		}
		return true
	})
	return out
}

// TestNoTargetComparisonsOutsideAdapters holds the package's promise: no
// code outside it (and the API types) compares target names, API groups
// or data-plane kinds. Tests may.
func TestNoTargetComparisonsOutsideAdapters(t *testing.T) {
	words := targetWords(t)
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	var found []string
	files := 0
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		if d.IsDir() {
			if rel == "dataplane" || rel == "api" || strings.HasPrefix(d.Name(), ".") || d.Name() == "testdata" || d.Name() == "node_modules" {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		f, err := parser.ParseFile(fset, rel, src, 0)
		if err != nil {
			return err
		}
		files++
		found = append(found, comparisons(fset, f, words)...)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if files < 50 {
		t.Fatalf("looked at %d files: the walk is not seeing the tree", files)
	}
	for _, f := range found {
		t.Errorf("%s: ask the dataplane registry or an adapter instead", f)
	}
}

// TestComparisonsAreFound keeps the test above from passing by seeing
// nothing: each form it looks for is reported.
func TestComparisonsAreFound(t *testing.T) {
	src := `package x
import ("strings"; "templates")
func f(kind, av, target string) bool {
	switch kind {
	case "AgentgatewayBackend":
	}
	if target == templates.Agentgateway { return true }
	if "TrafficPolicy" != kind { return false }
	return strings.HasPrefix(av, "agentgateway.dev/") || kind == "Service"
}`
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "x.go", src, 0)
	if err != nil {
		t.Fatal(err)
	}
	got := comparisons(fset, f, targetWords(t))
	want := []string{`x.go:5:7: compares "AgentgatewayBackend"`, `x.go:7:15: compares "templates.Agentgateway"`, `x.go:8:5: compares "TrafficPolicy"`, `x.go:9:31: compares "agentgateway.dev/"`}
	if !slices.Equal(got, want) {
		t.Errorf("found\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
