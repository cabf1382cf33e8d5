package crd

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/validation/field"
	"sigs.k8s.io/yaml"

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
	for target, bundles := range map[string][2]string{ // target -> Gateway API bundle, upstream CRDs
		"kgateway-v2.0": {"v1.3.0", "crds/kgateway/v2.0.5"},
		"kgateway-v2.1": {"v1.4.1", "crds/kgateway/v2.1.2"},
		"agentgateway":  {"v1.5.1", "crds/agentgateway/v1.3.1"},
	} {
		t.Run(target, func(t *testing.T) {
			cached, uncached := NewSet(), NewSet()
			uncached.uncached = true
			dirs := []string{filepath.Join(root, "schemas", "crds", "gateway-api", bundles[0], "standard"), filepath.Join(shared, bundles[1])}
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
						// As the API server's, the schema's errors come in the
						// order of a map's iteration: compare them as sets.
						got := sortedErrors(cached.Validate(context.Background(), variant))
						want := sortedErrors(uncached.Validate(context.Background(), variant))
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

// AddLazy defers loading to the first use of a kind, reports a broken CRD
// when validating it, and is replaced by a later AddCRD.
func TestAddLazy(t *testing.T) {
	const doc = `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: widgets.example.io}
spec:
  group: example.io
  scope: Namespaced
  names: {kind: Widget, plural: widgets}
  versions:
  - name: v1
    served: true
    storage: true
    schema:
      openAPIV3Schema:
        type: object
        properties:
          spec:
            type: object
            properties:
              size: {type: integer, maximum: 5}
`
	gvk := schema.GroupVersionKind{Group: "example.io", Version: "v1", Kind: "Widget"}
	loads := 0
	s := NewSet()
	s.AddLazy([]schema.GroupVersionKind{gvk}, func() (*apiextensionsv1.CustomResourceDefinition, error) {
		loads++
		var c apiextensionsv1.CustomResourceDefinition
		return &c, yaml.Unmarshal([]byte(doc), &c)
	})
	if !s.Lookup(gvk) || loads != 0 || len(s.GVKs()) != 1 {
		t.Fatalf("Lookup %v, loads %d, GVKs %v: want known and not loaded", s.Lookup(gvk), loads, s.GVKs())
	}
	obj := map[string]any{"apiVersion": "example.io/v1", "kind": "Widget", "metadata": map[string]any{"name": "w"}, "spec": map[string]any{"size": int64(9)}}
	for range 3 {
		if errs := s.Validate(context.Background(), obj); len(errs) != 1 || !strings.Contains(errs[0].Error(), "less than or equal to 5") {
			t.Fatalf("got %v", errs)
		}
	}
	if loads != 1 {
		t.Errorf("loaded %d times, want once", loads)
	}

	broken := NewSet()
	broken.AddLazy([]schema.GroupVersionKind{gvk}, func() (*apiextensionsv1.CustomResourceDefinition, error) {
		return &apiextensionsv1.CustomResourceDefinition{}, nil // no kind
	})
	if errs := broken.Validate(context.Background(), obj); len(errs) != 1 || !strings.Contains(errs[0].Error(), "cannot be compiled") {
		t.Errorf("broken lazy CRD: %v", errs)
	}

	// A CRD added later replaces the lazy one, which is never loaded.
	replaced := NewSet()
	replaced.AddLazy([]schema.GroupVersionKind{gvk}, func() (*apiextensionsv1.CustomResourceDefinition, error) {
		t.Error("the replaced lazy CRD was loaded")
		return nil, nil
	})
	var c apiextensionsv1.CustomResourceDefinition
	if err := yaml.Unmarshal([]byte(strings.Replace(doc, "maximum: 5", "maximum: 50", 1)), &c); err != nil {
		t.Fatal(err)
	}
	if err := replaced.AddCRD(&c); err != nil {
		t.Fatal(err)
	}
	if errs := replaced.Validate(context.Background(), obj); len(errs) != 0 {
		t.Errorf("the replacing CRD allows 9: %v", errs)
	}
}

func sortedErrors(errs field.ErrorList) string {
	out := make([]string, len(errs))
	for i, e := range errs {
		out[i] = e.Error()
	}
	slices.Sort(out)
	return fmt.Sprint(out)
}
