package agreement

import (
	"encoding/json"
	"fmt"
	"regexp"
	"sort"

	"go.yaml.in/yaml/v3"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
)

// schemaDiff targets the places where the CRD kubelb-ai embeds and the
// upstream CRD the API server runs differ: for every field of an object in
// the seed whose two schemas are not the same, the field is written (a
// value sampled from each schema in turn) and then mutated like any
// present field. Differences that the seeds do not reach otherwise, such as
// a field only one side declares or a bound only one side has, become cases.
func (g *generator) schemaDiff(p path, n *yaml.Node, up, emb *apiextensionsv1.JSONSchemaProps, depth int) {
	if n == nil || n.Kind != yaml.MappingNode || up == nil || emb == nil || depth > 8 {
		return
	}
	keys := map[string]bool{}
	for k := range up.Properties {
		keys[k] = true
	}
	for k := range emb.Properties {
		keys[k] = true
	}
	var sorted []string
	for k := range keys {
		sorted = append(sorted, k)
	}
	sort.Strings(sorted)
	for _, k := range sorted {
		u, e := property(up, k), property(emb, k)
		q := p.child(k)
		if child := mapGet(n, k); child != nil {
			if child.Kind == yaml.MappingNode {
				g.schemaDiff(q, child, u, e, depth+1)
			} else if child.Kind == yaml.SequenceNode && len(child.Content) > 0 && u != nil && e != nil && child.Content[0].Kind == yaml.MappingNode {
				g.schemaDiff(q.child(0), child.Content[0], items(u), items(e), depth+1)
			}
			continue
		}
		if sameSchema(u, e) {
			continue
		}
		for _, side := range []struct {
			name string
			s    *apiextensionsv1.JSONSchemaProps
		}{{"upstream", u}, {"embedded", e}} {
			if side.s == nil {
				continue
			}
			v := sampleValue(side.s, 0)
			if v == nil {
				continue
			}
			root := cloneNode(g.seed.root)
			if !setAt(root, q, v) {
				continue
			}
			g.add(g.seed, "diff|"+side.name+"|"+q.generic(), "schema-diff", fmt.Sprintf("%s: field the schemas disagree on, written as the %s schema allows", q, side.name), render(root))
			// Mutate the new field too, against both schemas.
			derived := &generator{seed: &seed{source: g.seed.source, gvk: g.seed.gvk, name: g.seed.name, root: root}, add: g.add, seen: g.seen}
			derived.walk(q, v, u)
			derived.walk(q, v, e)
		}
	}
}

// sameSchema compares two schemas without their descriptions.
func sameSchema(a, b *apiextensionsv1.JSONSchemaProps) bool {
	if a == nil || b == nil {
		return a == b
	}
	return schemaKey(a) == schemaKey(b)
}

func schemaKey(s *apiextensionsv1.JSONSchemaProps) string {
	c := s.DeepCopy()
	stripDescriptions(c)
	data, _ := json.Marshal(c)
	return string(data)
}

func stripDescriptions(s *apiextensionsv1.JSONSchemaProps) {
	if s == nil {
		return
	}
	s.Description = ""
	for k, p := range s.Properties {
		stripDescriptions(&p)
		s.Properties[k] = p
	}
	if s.Items != nil {
		stripDescriptions(s.Items.Schema)
	}
	if s.AdditionalProperties != nil {
		stripDescriptions(s.AdditionalProperties.Schema)
	}
}

// sampleValue makes a small value that satisfies the schema's structural
// constraints (CEL rules may still reject it; the two sides decide).
func sampleValue(s *apiextensionsv1.JSONSchemaProps, depth int) *yaml.Node {
	if s == nil || depth > 6 {
		return nil
	}
	if s.Default != nil {
		var d yaml.Node
		if err := yaml.Unmarshal(s.Default.Raw, &d); err == nil && len(d.Content) == 1 {
			blockStyle(d.Content[0])
			return d.Content[0]
		}
	}
	if len(s.Enum) > 0 {
		var d yaml.Node
		if err := yaml.Unmarshal(s.Enum[0].Raw, &d); err == nil && len(d.Content) == 1 {
			return d.Content[0]
		}
	}
	switch {
	case s.XIntOrString:
		return intNode(1)
	case s.Type == "string":
		return strNode(sampleString(s))
	case s.Type == "integer" || s.Type == "number":
		v := int64(1)
		if s.Minimum != nil {
			v = int64(*s.Minimum)
			if s.ExclusiveMinimum {
				v++
			}
		}
		return intNode(v)
	case s.Type == "boolean":
		return boolNode(true)
	case s.Type == "array":
		it := sampleValue(items(s), depth+1)
		if it == nil {
			return seqNode()
		}
		l := seqNode(it)
		if s.MinItems != nil {
			for int64(len(l.Content)) < *s.MinItems {
				l.Content = append(l.Content, cloneNode(it))
			}
		}
		return l
	case s.Type == "object" || len(s.Properties) > 0:
		m := mapNode()
		req := append([]string(nil), s.Required...)
		sort.Strings(req)
		for _, r := range req {
			v := sampleValue(property(s, r), depth+1)
			if v == nil {
				return nil
			}
			m.Content = append(m.Content, strNode(r), v)
		}
		return m
	}
	return nil
}

var sampleStrings = []string{"a", "sample", "example.com", "/a", "1s", "10s", "A", "1", "a-b", "example.com/a", "Sample"}

func sampleString(s *apiextensionsv1.JSONSchemaProps) string {
	if v, ok := validFormat[s.Format]; ok {
		return v
	}
	for _, c := range sampleStrings {
		if s.MinLength != nil && int64(len(c)) < *s.MinLength {
			continue
		}
		if s.MaxLength != nil && int64(len(c)) > *s.MaxLength {
			continue
		}
		if s.Pattern != "" {
			re, err := regexp.Compile(s.Pattern)
			if err != nil || !re.MatchString(c) {
				continue
			}
		}
		return c
	}
	n := 1
	if s.MinLength != nil {
		n = int(*s.MinLength)
	}
	return lengthLike("a", n)
}
