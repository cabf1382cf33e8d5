package crd

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/kubelb-ai/kubelb-ai/internal/testenv"
)

// A result computed for an object in one namespace and reused for the same
// content in another is exactly what validating it afresh finds: for every
// seed and golden document of every target, and for variants that break
// the name, the namespace, the schema, a required field and CEL rules.
func TestCachedResultsMatchUncached(t *testing.T) {
	root, err := testenv.ModuleRoot()
	if err != nil {
		t.Fatal(err)
	}
	shared := testenv.SharedDir(t)
	for target, upstream := range map[string]string{
		"kgateway-v2.0": "crds/kgateway/v2.0.5",
		"kgateway-v2.1": "crds/kgateway/v2.1.2",
		"agentgateway":  "crds/agentgateway/v1.1.0",
	} {
		t.Run(target, func(t *testing.T) {
			cached, uncached := NewSet(), NewSet()
			uncached.uncached = true
			dirs := []string{filepath.Join(root, "schemas", "crds", "gateway-api"), filepath.Join(shared, upstream)}
			for _, s := range []*Set{cached, uncached} {
				if err := s.AddFiles(dirs...); err != nil {
					t.Fatal(err)
				}
			}
			var files []string
			for _, glob := range []string{"testdata/golden/" + target + "/*.yaml", "testdata/agreement/seeds/common/*.yaml", "testdata/agreement/seeds/" + target + "/*.yaml"} {
				m, _ := filepath.Glob(filepath.Join(root, glob))
				files = append(files, m...)
			}
			checked, hits := 0, 0
			for _, f := range files {
				data, err := os.ReadFile(f)
				if err != nil {
					t.Fatal(err)
				}
				for i, doc := range splitDocuments(data) {
					obj, _ := DecodeYAML(doc.data)
					if obj == nil {
						continue
					}
					for name, variant := range variants(obj) {
						// Seen first in another namespace, then in its own.
						elsewhere, _ := deepCopyJSON(variant)
						if md, ok := elsewhere["metadata"].(map[string]any); ok {
							md["namespace"] = "somewhere-else"
						}
						cached.Validate(context.Background(), elsewhere)
						got := fmt.Sprint(cached.Validate(context.Background(), variant))
						want := fmt.Sprint(uncached.Validate(context.Background(), variant))
						if got != want {
							t.Errorf("%s #%d %s:\ncached   %s\nuncached %s", filepath.Base(f), i, name, got, want)
						}
						checked++
						if _, ok := contentKey(variant); ok {
							hits++
						}
					}
				}
			}
			if checked < 100 || hits < checked/2 {
				t.Fatalf("only %d documents checked, %d through the cache", checked, hits)
			}
		})
	}
}

// splitDocuments splits a stream at "---" lines; enough for test data.
func splitDocuments(data []byte) []struct{ data []byte } {
	var out []struct{ data []byte }
	start := 0
	for i := 0; i <= len(data); i++ {
		if i == len(data) || (data[i] == '-' && (i == 0 || data[i-1] == '\n') && len(data) >= i+3 && string(data[i:i+3]) == "---") {
			out = append(out, struct{ data []byte }{data[start:i]})
			for i < len(data) && data[i] != '\n' {
				i++
			}
			start = i + 1
		}
	}
	return out
}

// variants returns obj and copies with one kind of defect each.
func variants(obj map[string]any) map[string]map[string]any {
	out := map[string]map[string]any{"as written": obj}
	edit := func(name string, fn func(m map[string]any)) {
		c, _ := deepCopyJSON(obj)
		fn(c)
		out[name] = c
	}
	md := func(m map[string]any) map[string]any {
		x, ok := m["metadata"].(map[string]any)
		if !ok {
			x = map[string]any{}
			m["metadata"] = x
		}
		return x
	}
	edit("invalid namespace", func(m map[string]any) { md(m)["namespace"] = "Bad_NS" })
	edit("no namespace", func(m map[string]any) { delete(md(m), "namespace") })
	edit("namespace not a string", func(m map[string]any) { md(m)["namespace"] = int64(5) })
	edit("invalid name", func(m map[string]any) { md(m)["name"] = "Bad_Name" })
	edit("spec not an object", func(m map[string]any) { m["spec"] = "x" })
	edit("no spec", func(m map[string]any) { delete(m, "spec") })
	edit("unknown field", func(m map[string]any) {
		if spec, ok := m["spec"].(map[string]any); ok {
			spec["bogus"] = true
		}
	})
	edit("path with //", func(m map[string]any) { setStrings(m, "value", "/v1//x") })
	edit("listener port out of range", func(m map[string]any) { setInts(m, "port", 70000) })
	return out
}

func setStrings(v any, key, val string) {
	switch t := v.(type) {
	case map[string]any:
		for k, x := range t {
			if _, ok := x.(string); ok && k == key {
				t[k] = val
			} else {
				setStrings(x, key, val)
			}
		}
	case []any:
		for _, x := range t {
			setStrings(x, key, val)
		}
	}
}

func setInts(v any, key string, val int64) {
	switch t := v.(type) {
	case map[string]any:
		for k, x := range t {
			if _, ok := x.(int64); ok && k == key {
				t[k] = val
			} else {
				setInts(x, key, val)
			}
		}
	case []any:
		for _, x := range t {
			setInts(x, key, val)
		}
	}
}
