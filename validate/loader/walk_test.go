package loader

import (
	"os"
	"path/filepath"
	"testing"
)

// A lightened document reads its text again, from its file or from the
// standard input the Input holds, and positions exactly as before.
func TestLightenReadsTextAgain(t *testing.T) {
	dir := t.TempDir()
	p := write(t, dir, "m.yaml", twoDocs)
	for name, in := range map[string]Input{
		"file":  {Paths: []string{p}},
		"stdin": {Paths: []string{"-"}, Stdin: []byte(twoDocs)},
	} {
		t.Run(name, func(t *testing.T) {
			var full, light []*Document
			in.Walk(func(d *Document) bool {
				full = append(full, d)
				light = append(light, d.Lighten(nil))
				return true
			})
			if len(full) != 3 {
				t.Fatalf("%d documents, want 3", len(full))
			}
			for i, d := range full {
				if light[i].Raw != nil || light[i].Object != nil {
					t.Fatalf("document %d: the light copy still holds its text or object", i)
				}
				if got, want := string(light[i].Text()), string(d.Raw); got != want {
					t.Errorf("document %d: Text() = %q, want %q", i, got, want)
				}
				for _, path := range []string{"metadata.name", "spec.listeners[0].port", "metadata.labels[app.kubernetes.io/name]", "kind", "nowhere"} {
					l1, c1 := d.Position(path)
					l2, c2 := light[i].Position(path)
					if l1 != l2 || c1 != c2 {
						t.Errorf("document %d %s: light %d:%d, full %d:%d", i, path, l2, c2, l1, c1)
					}
				}
			}
		})
	}
	// A file removed since it was read: findings fall back to the document
	// start instead of failing.
	var d *Document
	Input{Paths: []string{p}}.Walk(func(doc *Document) bool { d = doc.Lighten(nil); return false })
	if err := os.Remove(p); err != nil {
		t.Fatal(err)
	}
	Input{Paths: []string{write(t, dir, "other.yaml", "kind: X\n")}}.Walk(func(*Document) bool { return true })
	if l, c := d.Position("spec.listeners[0].port"); l != d.Line || c != 1 {
		t.Errorf("position in a removed file = %d:%d, want the document start %d:1", l, c, d.Line)
	}
}

// Walk stops where each says so, across documents, List items and files.
func TestWalkStops(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, "a.yaml", twoDocs)
	write(t, dir, "b.yaml", twoDocs)
	for stopAfter := 1; stopAfter <= 6; stopAfter++ {
		n := 0
		Input{Paths: []string{dir}}.Walk(func(*Document) bool { n++; return n < stopAfter })
		if n != stopAfter {
			t.Errorf("stop after %d: each called %d times", stopAfter, n)
		}
	}
	all := Load([]string{dir}, nil)
	if len(all.Documents) != 6 {
		t.Fatalf("Load: %d documents, want 6", len(all.Documents))
	}
	n := 0
	all.Walk(func(*Document) bool { n++; return n < 4 })
	if n != 4 {
		t.Errorf("Result.Walk went on after each returned false: %d calls", n)
	}
	if got := filepath.Base(all.Documents[3].File); got != "b.yaml" {
		t.Errorf("documents out of order: the 4th is from %s", got)
	}
}
