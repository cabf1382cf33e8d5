package loader

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const twoDocs = `# leading comment
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata:
  name: gw
  labels:
    app.kubernetes.io/name: x
spec:
  listeners:
  - name: http
    port: 8080
---
apiVersion: v1
kind: List
items:
- apiVersion: v1
  kind: Secret
  metadata: {name: s}
- apiVersion: v1
  kind: ConfigMap
  metadata:
    name: c
---
just: a config file
---
`

func write(t *testing.T, dir, name, content string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestLoadDocumentsListsAndPositions(t *testing.T) {
	dir := t.TempDir()
	f := write(t, dir, "a.yaml", twoDocs)
	r := Load([]string{f}, nil)
	if len(r.Problems) != 0 || len(r.Documents) != 3 || len(r.Skipped) != 1 {
		t.Fatalf("docs %d skipped %v problems %v", len(r.Documents), r.Skipped, r.Problems)
	}
	gw := r.Documents[0]
	for path, want := range map[string][2]int{
		"spec.listeners[0].port":                  {11, 5},
		"spec.listeners[0]":                       {10, 5},
		"metadata.labels[app.kubernetes.io/name]": {7, 5},
		"spec.listeners[0].hostname":              {10, 5}, // absent: nearest ancestor
		"spec.nothing.here":                       {8, 1},
	} {
		if l, c := gw.Position(path); l != want[0] || c != want[1] {
			t.Errorf("%s at %d:%d, want %d:%d", path, l, c, want[0], want[1])
		}
	}
	cm := r.Documents[2]
	if _, kind := cm.Kind(); kind != "ConfigMap" {
		t.Fatalf("third document %s", kind)
	}
	if l, c := cm.Position("metadata.name"); l != 22 || c != 5 {
		t.Errorf("List item position %d:%d, want 22:5", l, c)
	}
	if r.Skipped[0].Line != 24 {
		t.Errorf("skipped document at line %d, want 24", r.Skipped[0].Line)
	}
}

func TestLoadDirectoriesRecursivelyAndStdin(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, "b/two.yml", "kind: B\n")
	write(t, dir, "a.json", `{"kind": "A"}`)
	write(t, dir, "notes.txt", "kind: ignored\n")
	write(t, dir, ".git/x.yaml", "kind: ignored\n")
	r := Load([]string{dir, "-"}, strings.NewReader("kind: C\n"))
	var kinds []string
	for _, d := range r.Documents {
		_, k := d.Kind()
		kinds = append(kinds, k)
	}
	if got := strings.Join(kinds, ","); got != "A,B,C" || r.Documents[2].File != "<stdin>" {
		t.Fatalf("kinds %s (problems %v)", got, r.Problems)
	}
}

func TestLoadReportsBadInputClearly(t *testing.T) {
	dir := t.TempDir()
	for name, tc := range map[string]struct{ content, want string }{
		"binary.yaml":  {"kind: A\x00\x01", "binary file"},
		"latin1.yaml":  {"kind: A\nname: caf\xe9\n", "invalid UTF-8"},
		"broken.yaml":  {"kind: A\n---\nkind: [unclosed\n", "broken.yaml:3"},
		"missing.yaml": {"", "no such file"},
		"bomb.yaml":    {aliasBomb(), "excessive aliasing"},
	} {
		p := filepath.Join(dir, name)
		if name != "missing.yaml" {
			write(t, dir, name, tc.content)
		}
		r := Load([]string{p}, nil)
		if len(r.Problems) != 1 || !strings.Contains(r.Problems[0].Error(), tc.want) {
			t.Errorf("%s: problems %v, want %q", name, r.Problems, tc.want)
		}
	}
}

// aliasBomb is a "billion laughs" document: nine levels of ten aliases.
func aliasBomb() string {
	doc := "kind: A\na0: &a0 [x, x, x, x, x, x, x, x, x, x]\n"
	for i := 1; i < 9; i++ {
		prev := "*a" + string(rune('0'+i-1))
		doc += "a" + string(rune('0'+i)) + ": &a" + string(rune('0'+i)) + " [" + strings.Repeat(prev+", ", 9) + prev + "]\n"
	}
	return doc
}

func TestPositionsSurviveAliasBombs(t *testing.T) {
	d := &Document{Raw: []byte(aliasBomb()), Line: 1, ListItem: -1}
	if l, _ := d.Position("a8[9][9][9]"); l != 10 {
		t.Errorf("position in an aliased value: line %d, want 10", l)
	}
}
