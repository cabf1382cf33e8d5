package schemas

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	"sigs.k8s.io/yaml"

	"github.com/kubelb-ai/kubelb-ai/internal/testenv"
)

// TestFidelity holds each embedded data-plane set, generated from api/,
// against the upstream CRDs of the same release in ../shared/crds (a set
// and its upstream share a name, e.g. agentgateway/v1.3.1): same kinds,
// field paths, types, formats, enums, defaults, bounds, patterns, required
// fields, list types and CEL rules. Descriptions are the project's own and
// are not compared.
func TestFidelity(t *testing.T) {
	shared := testenv.SharedDir(t)
	n := 0
	for _, set := range Sets() {
		if strings.HasPrefix(set, "gateway-api/") {
			continue // copied as shipped
		}
		if files, _ := filepath.Glob(filepath.Join(shared, "crds", set, "*.yaml")); len(files) == 0 && strings.HasPrefix(set, "inference-extension/") {
			continue // copied as shipped; held against ../shared where it has the release
		}
		n++
		t.Run(set, func(t *testing.T) {
			want := map[string]map[string]string{}
			files, _ := filepath.Glob(filepath.Join(shared, "crds", set, "*.yaml"))
			if len(files) == 0 {
				t.Fatalf("no upstream CRDs for %s in ../shared/crds", set)
			}
			for _, f := range files {
				data, err := os.ReadFile(f)
				if err != nil {
					t.Fatal(err)
				}
				for kind, paths := range flattenCRD(t, data) {
					want[kind] = paths
				}
			}
			got := map[string]map[string]string{}
			docs, err := CRDs(set)
			if err != nil {
				t.Fatal(err)
			}
			for _, d := range docs {
				for kind, paths := range flattenCRD(t, d) {
					got[kind] = paths
				}
			}
			for _, kind := range sortedKeys(want) {
				if _, ok := got[kind]; !ok {
					t.Errorf("%s: kind not modelled", kind)
					continue
				}
				for _, diff := range comparePaths(want[kind], got[kind]) {
					t.Errorf("%s %s", kind, diff)
				}
			}
			for _, kind := range sortedKeys(got) {
				if _, ok := want[kind]; !ok {
					t.Errorf("%s: modelled but not upstream", kind)
				}
			}
		})
	}
	if n < 3 {
		t.Fatalf("only %d data-plane sets embedded", n)
	}
}

// flattenCRD returns, per "Kind/version", every schema path with a canonical
// string of the properties that validation depends on.
func flattenCRD(t *testing.T, data []byte) map[string]map[string]string {
	t.Helper()
	var crd apiextensionsv1.CustomResourceDefinition
	if err := yaml.Unmarshal(data, &crd); err != nil {
		t.Fatal(err)
	}
	out := map[string]map[string]string{}
	for _, v := range crd.Spec.Versions {
		if v.Schema == nil || v.Schema.OpenAPIV3Schema == nil {
			continue
		}
		paths := map[string]string{}
		flatten(paths, "", v.Schema.OpenAPIV3Schema, false)
		key := crd.Spec.Names.Kind + "/" + v.Name
		paths["(crd)"] = fmt.Sprintf("scope=%s served=%v storage=%v subresources=%s", crd.Spec.Scope, v.Served, v.Storage, canon(v.Subresources))
		out[key] = paths
	}
	return out
}

func flatten(out map[string]string, path string, s *apiextensionsv1.JSONSchemaProps, required bool) {
	s = foldBoundsAllOf(s)
	var b []string
	add := func(k string, v any) {
		if v == nil {
			return
		}
		b = append(b, k+"="+canon(v))
	}
	add("type", nonEmpty(s.Type))
	add("format", nonEmpty(s.Format))
	if len(s.Enum) > 0 {
		var e []string
		for _, v := range s.Enum {
			e = append(e, string(v.Raw))
		}
		sort.Strings(e)
		add("enum", e)
	}
	if s.Default != nil {
		add("default", json.RawMessage(s.Default.Raw))
	}
	if required {
		b = append(b, "required")
	}
	for k, v := range map[string]any{
		"minimum": s.Minimum, "maximum": s.Maximum,
		"minLength": s.MinLength, "maxLength": s.MaxLength, "minItems": s.MinItems, "maxItems": s.MaxItems,
		"minProperties": s.MinProperties, "maxProperties": s.MaxProperties, "listType": s.XListType, "mapType": s.XMapType,
	} {
		if !isNil(v) {
			add(k, v)
		}
	}
	if s.ExclusiveMinimum {
		b = append(b, "exclusiveMinimum")
	}
	if s.ExclusiveMaximum {
		b = append(b, "exclusiveMaximum")
	}
	add("pattern", nonEmpty(s.Pattern))
	if len(s.XListMapKeys) > 0 {
		add("listMapKeys", s.XListMapKeys)
	}
	if s.Nullable {
		b = append(b, "nullable")
	}
	if s.XPreserveUnknownFields != nil && *s.XPreserveUnknownFields {
		b = append(b, "preserveUnknown")
	}
	if s.XIntOrString {
		b = append(b, "intOrString")
	}
	if s.XEmbeddedResource {
		b = append(b, "embedded")
	}
	if len(s.OneOf) > 0 || len(s.AnyOf) > 0 || len(s.AllOf) > 0 || s.Not != nil {
		add("oneOf", s.OneOf)
		add("anyOf", s.AnyOf)
		add("allOf", s.AllOf)
		add("not", s.Not)
	}
	var rules []string
	for _, r := range s.XValidations {
		rules = append(rules, canon(r))
	}
	sort.Strings(rules)
	if len(rules) > 0 {
		add("cel", rules)
	}
	sort.Strings(b)
	if path == "" {
		path = "."
	}
	out[path] = strings.Join(b, " ")
	prefix := strings.TrimSuffix(path, ".")
	for name, prop := range s.Properties {
		if prefix == "" && (name == "metadata" || name == "apiVersion" || name == "kind" || name == "status") {
			continue
		}
		p := prop
		flatten(out, prefix+"."+name, &p, slices.Contains(s.Required, name))
	}
	if s.Items != nil && s.Items.Schema != nil {
		flatten(out, prefix+"[]", s.Items.Schema, false)
	}
	if s.AdditionalProperties != nil && s.AdditionalProperties.Schema != nil {
		flatten(out, prefix+"{*}", s.AdditionalProperties.Schema, false)
	}
}

func comparePaths(want, got map[string]string) []string {
	var diffs []string
	for _, p := range sortedKeys(want) {
		g, ok := got[p]
		switch {
		case !ok:
			diffs = append(diffs, fmt.Sprintf("%s: missing (upstream: %s)", p, want[p]))
		case g != want[p]:
			diffs = append(diffs, fmt.Sprintf("%s:\n    upstream: %s\n    ours:     %s", p, want[p], g))
		}
	}
	for _, p := range sortedKeys(got) {
		if _, ok := want[p]; !ok {
			diffs = append(diffs, fmt.Sprintf("%s: not upstream (ours: %s)", p, got[p]))
		}
	}
	return diffs
}

func canon(v any) string {
	data, _ := json.Marshal(v)
	return string(data)
}

func nonEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func isNil(v any) bool {
	if v == nil {
		return true
	}
	data, _ := json.Marshal(v)
	return string(data) == "null"
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// foldBoundsAllOf folds allOf entries that only carry size bounds into the
// schema's own bounds, keeping the tightest. Both forms accept the same
// objects; controller-gen releases differ in which one they write.
func foldBoundsAllOf(s *apiextensionsv1.JSONSchemaProps) *apiextensionsv1.JSONSchemaProps {
	if len(s.AllOf) == 0 {
		return s
	}
	c := *s
	c.AllOf = nil
	for _, e := range s.AllOf {
		only := e
		only.MinProperties, only.MaxProperties, only.MinItems, only.MaxItems, only.MinLength, only.MaxLength = nil, nil, nil, nil, nil, nil
		if !isNil(only) && canon(only) != "{}" {
			c.AllOf = append(c.AllOf, e)
			continue
		}
		c.MinProperties = tighter(c.MinProperties, e.MinProperties, true)
		c.MaxProperties = tighter(c.MaxProperties, e.MaxProperties, false)
		c.MinItems = tighter(c.MinItems, e.MinItems, true)
		c.MaxItems = tighter(c.MaxItems, e.MaxItems, false)
		c.MinLength = tighter(c.MinLength, e.MinLength, true)
		c.MaxLength = tighter(c.MaxLength, e.MaxLength, false)
	}
	return &c
}

func tighter(a, b *int64, lower bool) *int64 {
	switch {
	case a == nil:
		return b
	case b == nil:
		return a
	case lower == (*b > *a):
		return b
	}
	return a
}

// TestFidelityNoticesDifferences proves the comparison can fail: a changed
// enum, a lost CEL rule and a dropped field are each reported.
func TestFidelityNoticesDifferences(t *testing.T) {
	docs, err := CRDs("kgateway/v2.1.2")
	if err != nil {
		t.Fatal(err)
	}
	var backend []byte
	for _, d := range docs {
		if strings.Contains(string(d), "kind: Backend\n") {
			backend = d
		}
	}
	want := flattenCRD(t, backend)["Backend/v1alpha1"]
	for name, edit := range map[string]func(string) string{
		"enum": func(s string) string { return strings.Replace(s, "- Static\n", "- Statik\n", 1) },
		"cel": func(s string) string {
			return strings.Replace(s, "both host and port must be set together", "host and port", 1)
		},
		"field": func(s string) string { return strings.Replace(s, "deploymentName:", "deployment:", 1) },
	} {
		got := flattenCRD(t, []byte(edit(string(backend))))["Backend/v1alpha1"]
		if len(comparePaths(want, got)) == 0 {
			t.Errorf("a changed %s went unnoticed", name)
		}
	}
}
