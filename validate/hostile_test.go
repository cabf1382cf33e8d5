package validate

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kubelb-ai/kubelb-ai/templates"
	"github.com/kubelb-ai/kubelb-ai/validate/loader"
)

// TestHostileInputEndsInAClearFinding feeds what a broken pipeline or an
// attacker could: each must end in a finding or problem naming the file,
// never a panic, a hang or unbounded memory.
func TestHostileInputEndsInAClearFinding(t *testing.T) {
	bomb := "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\na0: &a0 [x, x, x, x, x, x, x, x, x, x]\n"
	for i := 1; i < 9; i++ {
		prev := "*a" + string(rune('0'+i-1))
		bomb += "a" + string(rune('0'+i)) + ": &a" + string(rune('0'+i)) + " [" + strings.Repeat(prev+", ", 9) + prev + "]\n"
	}
	deep := "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\ndata: " + strings.Repeat("[", 10000) + strings.Repeat("]", 10000) + "\n"
	var huge bytes.Buffer
	huge.WriteString("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: big}\ndata:\n  blob: \"")
	huge.Write(bytes.Repeat([]byte("a"), 50<<20))
	huge.WriteString("\"\n")
	for _, tc := range []struct {
		name    string
		content []byte
		want    string
	}{
		{"bomb.yaml", []byte(bomb), "excessive aliasing"},
		{"deep.yaml", []byte(deep), "deep.yaml"},
		{"huge.yaml", huge.Bytes(), "larger than 8 MiB"},
		{"latin1.yaml", []byte("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: caf\xe9}\n"), "invalid UTF-8"},
		{"binary.yaml", []byte{0x7f, 'E', 'L', 'F', 0, 1, 2}, "binary file"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := filepath.Join(t.TempDir(), tc.name)
			if err := os.WriteFile(p, tc.content, 0o644); err != nil {
				t.Fatal(err)
			}
			r := validator(t, templates.KgatewayV21).Validate(context.Background(), loader.Load([]string{p}, nil))
			got := findingsText(r)
			if r.Errors() == 0 || !strings.Contains(got, tc.want) {
				t.Fatalf("want an error mentioning %q, got:\n%.500s", tc.want, got)
			}
		})
	}
}

// FuzzValidate feeds arbitrary bytes through the loader and the validator
// of every target: never a panic, and every finding is located in the input.
func FuzzValidate(f *testing.F) {
	for _, glob := range []string{"../testdata/golden/*/*.yaml", "../testdata/tutorial/*.yaml"} {
		files, _ := filepath.Glob(glob)
		for _, file := range files {
			if data, err := os.ReadFile(file); err == nil {
				f.Add(data)
			}
		}
	}
	f.Add([]byte("apiVersion: v1\nkind: List\nitems: [{apiVersion: v1, kind: Secret, metadata: {name: s}, stringData: {Authorization: x}}]\n"))
	vs := map[string]*Validator{}
	for _, target := range templates.TargetNames() {
		v, err := New(Options{Target: target})
		if err != nil {
			f.Fatal(err)
		}
		vs[target] = v
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		in := loader.Load([]string{"-"}, bytes.NewReader(data))
		lines := bytes.Count(data, []byte("\n")) + 1
		for _, v := range vs {
			r := v.Validate(context.Background(), in)
			for _, fd := range r.Findings {
				if fd.File != "<stdin>" || fd.Line < 0 || fd.Line > lines || fd.Rule == "" || fd.Message == "" {
					t.Fatalf("finding outside the input or incomplete: %+v (input has %d lines)", fd, lines)
				}
			}
		}
	})
}
