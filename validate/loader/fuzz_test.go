package loader

import (
	"bytes"
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzLoad feeds arbitrary input to the loader as standard input: it must
// never panic, every document and problem must point inside the input, and
// positions of any path must stay inside it, for the full and the
// lightened document alike; excerpts keep their line's length in
// characters, so that a caret under them stays right.
func FuzzLoad(f *testing.F) {
	for _, s := range []string{
		twoDocs, "", "---\n---\n", "kind: X\n", "{\"kind\": \"X\", \"a\": [1, {\"b\": 2}]}",
		"a: &a [*a]\n", "kind: List\napiVersion: v1\nitems: [1, {kind: Y}]\n", "--- {kind: Z}\n...\n",
		"kind: X\nmetadata: {name: a, name: b}\n", "\xff\xfe", "kind: X\x00",
		"kind: Secret\nstringData: {a: \"x\ny\", b: |\n  z\n}\ndata:\n  c: >-\n    w\n\n  d: 1\n",
		"{\"kind\":\"Secret\",\"data\":{\"é\":\"日本語\"}}", "kind: A\ntoken:\n  - &a Bearer x\n  - *a\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		lines := bytes.Count(data, []byte("\n")) + 1
		r := Load([]string{"-"}, bytes.NewReader(data))
		for _, p := range r.Problems {
			if p.Line < 0 || p.Line > lines {
				t.Fatalf("problem at line %d of %d: %v", p.Line, lines, p)
			}
		}
		text := strings.Split(strings.ReplaceAll(string(data), "\r\n", "\n"), "\n")
		for _, d := range r.Documents {
			if d.Line < 1 || d.Line > lines {
				t.Fatalf("document at line %d of %d", d.Line, lines)
			}
			for n := d.Line; n <= min(lines, d.Line+100); n++ {
				ex, ok := d.Excerpt(n)
				if !ok {
					break
				}
				if !strings.HasPrefix(text[n-1], "---") && utf8.RuneCountInString(ex) != utf8.RuneCountInString(strings.TrimSuffix(text[n-1], "\r")) {
					t.Fatalf("excerpt of line %d %q is %q", n, text[n-1], ex)
				}
			}
			d.Redact("metadata.name", "a message")
			for _, path := range []string{"kind", "metadata.name", "spec.a[0].b", "items[1]", strings.Repeat("x.", 50)} {
				for _, doc := range []*Document{d, d.Lighten(nil)} {
					if l, c := doc.Position(path); l < d.Line || l > lines || c < 1 {
						t.Fatalf("%s at %d:%d, outside lines %d-%d", path, l, c, d.Line, lines)
					}
				}
			}
		}
	})
}
