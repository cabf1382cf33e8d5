package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	"sigs.k8s.io/yaml"
)

func TestConvertCRDSchema(t *testing.T) {
	var s apiextensionsv1.JSONSchemaProps
	if err := yaml.Unmarshal([]byte(`
type: object
properties:
  apiVersion: {type: string}
  kind: {type: string}
  metadata: {type: object}
  spec:
    type: object
    x-kubernetes-validations: [{rule: "true"}]
    properties:
      port: {x-kubernetes-int-or-string: true, anyOf: [{type: integer}, {type: string}]}
      mode: {type: string, nullable: true, enum: [A, B]}
      free: {type: object, x-kubernetes-preserve-unknown-fields: true, properties: {a: {type: string}}}
      labels: {type: object, additionalProperties: {type: object, properties: {v: {type: string}}}}
`), &s); err != nil {
		t.Fatal(err)
	}
	data, err := convertCRDSchema(&s, true)
	if err != nil {
		t.Fatal(err)
	}
	var got map[string]any
	if err := json.Unmarshal(data, &got); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(data), "x-kubernetes") {
		t.Errorf("x-kubernetes extensions left in:\n%s", data)
	}
	at := func(path ...string) any {
		var v any = got
		for _, p := range path {
			v = v.(map[string]any)[p]
		}
		return v
	}
	for _, c := range []struct {
		path []string
		want any
	}{
		{[]string{"additionalProperties"}, false},
		{[]string{"properties", "spec", "additionalProperties"}, false},
		{[]string{"properties", "spec", "properties", "free", "additionalProperties"}, nil},
		{[]string{"properties", "spec", "properties", "labels", "additionalProperties", "additionalProperties"}, false},
		{[]string{"properties", "spec", "properties", "mode", "type"}, []any{"string", "null"}},
		{[]string{"properties", "spec", "properties", "mode", "enum"}, []any{"A", "B", nil}},
		{[]string{"properties", "spec", "properties", "port", "type"}, nil},
		{[]string{"properties", "metadata", "properties", "namespace", "maxLength"}, float64(63)},
	} {
		if got := at(c.path...); !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s = %v, want %v", strings.Join(c.path, "."), got, c.want)
		}
	}
}

// TestCorpusPlantsEveryFault writes a small corpus and checks that every
// fault kind lands in some file and the documents add up.
func TestCorpusPlantsEveryFault(t *testing.T) {
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	templates, err := loadTemplates(filepath.Join(root, "testdata/golden", target))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	c, err := writeCorpus(dir, templates, 500, 2, true)
	if err != nil {
		t.Fatal(err)
	}
	// distinct: every copy carries its own label, so no two documents match.
	first, _ := os.ReadFile(filepath.Join(dir, firstFile(dir)))
	if !strings.Contains(string(first), "bench.kubelb-ai.dev/copy: \"0\"") {
		t.Errorf("the first file has no copy label:\n%s", first)
	}
	if c.docs != 500 {
		t.Errorf("%d documents, want 500", c.docs)
	}
	planted := map[string]bool{}
	for _, f := range c.faulty {
		planted[f] = true
	}
	for _, f := range faults {
		if !planted[f.name] {
			t.Errorf("fault %s never planted", f.name)
		}
	}
	// The duplicate key must really be in the text.
	for file, f := range c.faulty {
		if f != "duplicate-key" {
			continue
		}
		data, err := os.ReadFile(filepath.Join(dir, file))
		if err != nil {
			t.Fatal(err)
		}
		if strings.Count(string(data), "\n  gatewayClassName: ") != 2 {
			t.Errorf("%s: duplicate key not planted:\n%s", file, data)
		}
	}
	n, err := writeJSONSchemas(filepath.Join(dir, "schemas"), filepath.Join(root, crdDirs[0]), filepath.Join(root, crdDirs[1]))
	if err != nil || n == 0 {
		t.Fatalf("writeJSONSchemas: %d files, %v", n, err)
	}
}
