package crd

import (
	"context"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"sigs.k8s.io/yaml"
)

// gadgetsCRD serves v1 and v2; v2 has no schema, so compiling v2 fails.
const gadgetsCRD = `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: gadgets.example.io}
spec:
  group: example.io
  scope: Namespaced
  names: {kind: Gadget, plural: gadgets}
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
  - name: v2
    served: true
    storage: false
  - name: v3
    served: false
    storage: false
    schema:
      openAPIV3Schema: {type: object}
`

// A lazily added CRD is loaded once and each served version compiled on
// its own first use: a document of one version does not pay for the
// others, nor fail for them.
func TestAddLazyCompilesEachVersionOnFirstUse(t *testing.T) {
	v1 := schema.GroupVersionKind{Group: "example.io", Version: "v1", Kind: "Gadget"}
	v2 := schema.GroupVersionKind{Group: "example.io", Version: "v2", Kind: "Gadget"}
	v3 := schema.GroupVersionKind{Group: "example.io", Version: "v3", Kind: "Gadget"}
	loads := 0
	s := NewSet()
	s.AddLazy([]schema.GroupVersionKind{v1, v2, v3}, func() (*apiextensionsv1.CustomResourceDefinition, error) {
		loads++
		var c apiextensionsv1.CustomResourceDefinition
		return &c, yaml.Unmarshal([]byte(gadgetsCRD), &c)
	})
	obj := func(version string) map[string]any {
		return map[string]any{"apiVersion": "example.io/" + version, "kind": "Gadget", "metadata": map[string]any{"name": "g"}, "spec": map[string]any{"size": int64(9)}}
	}
	for range 2 {
		if errs := s.Validate(context.Background(), obj("v1")); len(errs) != 1 || !strings.Contains(errs[0].Error(), "less than or equal to 5") {
			t.Fatalf("v1: %v", errs)
		}
	}
	s.mu.RLock()
	compiled, pendingV2 := s.versions[v1] != nil, s.pending[v2] != nil
	s.mu.RUnlock()
	if !compiled || !pendingV2 {
		t.Errorf("after validating v1: v1 compiled %v, v2 pending %v; want both", compiled, pendingV2)
	}
	for range 2 {
		if errs := s.Validate(context.Background(), obj("v2")); len(errs) != 1 || !strings.Contains(errs[0].Error(), `the schema of Gadget cannot be compiled: CustomResourceDefinition "gadgets.example.io" version "v2"`) {
			t.Fatalf("v2: %v", errs)
		}
	}
	// v3 is named but not served by the CRD.
	if errs := s.Validate(context.Background(), obj("v3")); len(errs) != 1 || !strings.Contains(errs[0].Error(), "does not serve it") {
		t.Errorf("v3: %v", errs)
	}
	if errs := s.Validate(context.Background(), obj("v1")); len(errs) != 1 {
		t.Errorf("v1 after v2 failed: %v", errs)
	}
	if loads != 1 {
		t.Errorf("loaded %d times, want once", loads)
	}
}

// First uses of a lazily added CRD's versions from several goroutines at
// once load it once and agree (run with -race).
func TestAddLazyConcurrentFirstUse(t *testing.T) {
	var loads atomic.Int32
	s := NewSet()
	v1 := schema.GroupVersionKind{Group: "example.io", Version: "v1", Kind: "Gadget"}
	v2 := schema.GroupVersionKind{Group: "example.io", Version: "v2", Kind: "Gadget"}
	s.AddLazy([]schema.GroupVersionKind{v1, v2}, func() (*apiextensionsv1.CustomResourceDefinition, error) {
		loads.Add(1)
		var c apiextensionsv1.CustomResourceDefinition
		return &c, yaml.Unmarshal([]byte(gadgetsCRD), &c)
	})
	results := make([]string, 16)
	var wg sync.WaitGroup
	for i := range results {
		wg.Add(1)
		go func() {
			defer wg.Done()
			version := []string{"v1", "v2"}[i%2]
			obj := map[string]any{"apiVersion": "example.io/" + version, "kind": "Gadget", "metadata": map[string]any{"name": "g"}, "spec": map[string]any{"size": int64(9)}}
			var msgs []string
			for _, e := range s.Validate(context.Background(), obj) {
				msgs = append(msgs, e.Error())
			}
			results[i] = strings.Join(msgs, "\n")
		}()
	}
	wg.Wait()
	for i, r := range results {
		if r != results[i%2] {
			t.Errorf("goroutine %d saw %q, goroutine %d %q", i, r, i%2, results[i%2])
		}
	}
	if !strings.Contains(results[0], "less than or equal to 5") || !strings.Contains(results[1], "cannot be compiled") {
		t.Errorf("v1: %q; v2: %q", results[0], results[1])
	}
	if n := loads.Load(); n != 1 {
		t.Errorf("loaded %d times, want once", n)
	}
}
