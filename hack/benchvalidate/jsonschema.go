package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"sigs.k8s.io/yaml"
)

// writeJSONSchemas converts every served version of the CRDs in dirs to a
// standalone JSON schema in the layout kubeconform's
// -schema-location 'DIR/{{.Group}}/{{.ResourceKind}}_{{.ResourceAPIVersion}}.json'
// expects, and returns how many files it wrote.
//
// The conversion is what makes kubeconform as strict as it can be on CRDs
// (cf. kubeconform's scripts/openapi2jsonschema.py, which does less):
// objects with properties are closed (additionalProperties: false) unless
// they preserve unknown fields, nullable becomes a "null" type,
// int-or-string becomes integer|string, and metadata gets the name rules
// the apiserver applies to every custom resource. CEL rules, list-map keys
// and defaults have no JSON-schema equivalent and are dropped.
func writeJSONSchemas(out string, dirs ...string) (int, error) {
	n := 0
	for _, dir := range dirs {
		files, err := filepath.Glob(filepath.Join(dir, "*.yaml"))
		if err != nil {
			return n, err
		}
		for _, f := range files {
			data, err := os.ReadFile(f)
			if err != nil {
				return n, err
			}
			docs, err := splitYAML(data)
			if err != nil {
				return n, fmt.Errorf("%s: %w", f, err)
			}
			for _, doc := range docs {
				var crd apiextensionsv1.CustomResourceDefinition
				if err := yaml.Unmarshal(doc, &crd); err != nil {
					return n, fmt.Errorf("%s: %w", f, err)
				}
				if crd.Kind != "CustomResourceDefinition" {
					continue
				}
				for _, v := range crd.Spec.Versions {
					if !v.Served || v.Schema == nil || v.Schema.OpenAPIV3Schema == nil {
						continue
					}
					s, err := convertCRDSchema(v.Schema.OpenAPIV3Schema, crd.Spec.Scope == apiextensionsv1.NamespaceScoped)
					if err != nil {
						return n, fmt.Errorf("%s %s: %w", crd.Name, v.Name, err)
					}
					p := filepath.Join(out, crd.Spec.Group, strings.ToLower(crd.Spec.Names.Kind)+"_"+v.Name+".json")
					if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
						return n, err
					}
					if err := os.WriteFile(p, s, 0o644); err != nil {
						return n, err
					}
					n++
				}
			}
		}
	}
	return n, nil
}

func splitYAML(data []byte) ([][]byte, error) {
	r := utilyaml.NewYAMLReader(bufio.NewReader(bytes.NewReader(data)))
	var docs [][]byte
	for {
		doc, err := r.Read()
		if errors.Is(err, io.EOF) {
			return docs, nil
		}
		if err != nil {
			return nil, err
		}
		if len(bytes.TrimSpace(doc)) > 0 {
			docs = append(docs, doc)
		}
	}
}

// convertCRDSchema returns the JSON schema (draft 4, as kubeconform reads
// it) for one CRD version's openAPIV3Schema.
func convertCRDSchema(s *apiextensionsv1.JSONSchemaProps, namespaced bool) ([]byte, error) {
	// Round-trip through JSON to work on plain maps.
	raw, err := json.Marshal(s)
	if err != nil {
		return nil, err
	}
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil, err
	}
	convertNode(m)
	if props, ok := m["properties"].(map[string]any); ok {
		props["metadata"] = metadataSchema(namespaced)
	}
	m["$schema"] = "http://json-schema.org/draft-04/schema#"
	return json.MarshalIndent(m, "", "  ")
}

// metadataSchema is the part of ObjectMeta validation a JSON schema can
// express: DNS-1123 subdomain names, DNS-1123 label namespaces, string maps.
func metadataSchema(namespaced bool) map[string]any {
	const subdomain = `^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$`
	const label = `^[a-z0-9]([-a-z0-9]*[a-z0-9])?$`
	stringMap := map[string]any{"type": "object", "additionalProperties": map[string]any{"type": "string"}}
	props := map[string]any{
		"name":         map[string]any{"type": "string", "maxLength": 253, "pattern": subdomain},
		"generateName": map[string]any{"type": "string"},
		"labels":       stringMap,
		"annotations":  stringMap,
	}
	if namespaced {
		props["namespace"] = map[string]any{"type": "string", "maxLength": 63, "pattern": label}
	}
	return map[string]any{"type": "object", "properties": props}
}

// convertNode rewrites one schema node and its children in place.
func convertNode(m map[string]any) {
	preserve, _ := m["x-kubernetes-preserve-unknown-fields"].(bool)
	embedded, _ := m["x-kubernetes-embedded-resource"].(bool)
	intOrString, _ := m["x-kubernetes-int-or-string"].(bool)
	nullable, _ := m["nullable"].(bool)
	for k := range m {
		if strings.HasPrefix(k, "x-kubernetes-") {
			delete(m, k)
		}
	}
	delete(m, "nullable")
	delete(m, "default") // defaults are the apiserver's job, not a check

	if props, ok := m["properties"].(map[string]any); ok {
		for _, p := range props {
			if pm, ok := p.(map[string]any); ok {
				convertNode(pm)
			}
		}
		if m["type"] == "object" && !preserve && !embedded {
			if _, set := m["additionalProperties"]; !set {
				m["additionalProperties"] = false
			}
		}
	}
	if ap, ok := m["additionalProperties"].(map[string]any); ok {
		convertNode(ap)
	}
	if it, ok := m["items"].(map[string]any); ok {
		convertNode(it)
	}
	for _, k := range []string{"allOf", "anyOf", "oneOf"} {
		if list, ok := m[k].([]any); ok {
			for _, e := range list {
				if em, ok := e.(map[string]any); ok {
					convertNode(em)
				}
			}
		}
	}
	if not, ok := m["not"].(map[string]any); ok {
		convertNode(not)
	}
	if intOrString {
		delete(m, "type")
		if _, ok := m["anyOf"]; !ok {
			m["anyOf"] = []any{map[string]any{"type": "integer"}, map[string]any{"type": "string"}}
		}
	}
	if t, ok := m["type"].(string); ok && nullable {
		m["type"] = []any{t, "null"}
		if enum, ok := m["enum"].([]any); ok {
			m["enum"] = append(enum, nil)
		}
	}
}
