package agreement

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// A path addresses a node in a document: string segments are mapping keys,
// int segments sequence indexes.
type path []any

func (p path) String() string {
	var b strings.Builder
	for _, s := range p {
		switch s := s.(type) {
		case int:
			fmt.Fprintf(&b, "[%d]", s)
		default:
			if b.Len() > 0 {
				b.WriteByte('.')
			}
			b.WriteString(fmt.Sprint(s))
		}
	}
	return b.String()
}

// generic is the path with list indexes replaced by [], so one mutation of
// the same field in several list items or documents counts once.
func (p path) generic() string {
	var b strings.Builder
	for _, s := range p {
		switch s := s.(type) {
		case int:
			b.WriteString("[]")
		default:
			b.WriteByte('.')
			b.WriteString(fmt.Sprint(s))
		}
	}
	return b.String()
}

func (p path) child(s any) path {
	out := make(path, len(p), len(p)+1)
	copy(out, p)
	return append(out, s)
}

// parseDoc parses one YAML document and returns its top-level mapping.
func parseDoc(data []byte) (*yaml.Node, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, err
	}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) != 1 || doc.Content[0].Kind != yaml.MappingNode {
		return nil, fmt.Errorf("not a YAML mapping")
	}
	return doc.Content[0], nil
}

// render writes a node tree as a YAML document (2-space indent). Duplicate
// keys are kept as they are in the tree.
func render(root *yaml.Node) []byte {
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(root); err != nil {
		panic(fmt.Sprintf("rendering YAML: %v", err))
	}
	_ = enc.Close()
	return buf.Bytes()
}

func cloneNode(n *yaml.Node) *yaml.Node {
	if n == nil {
		return nil
	}
	c := *n
	c.Content = make([]*yaml.Node, len(n.Content))
	for i, x := range n.Content {
		c.Content[i] = cloneNode(x)
	}
	c.Alias = nil
	c.HeadComment, c.LineComment, c.FootComment = "", "", ""
	return &c
}

// mapGet returns the value of key in mapping m (the last one, as decoders
// keep the last duplicate), or nil.
func mapGet(m *yaml.Node, key string) *yaml.Node {
	if m == nil || m.Kind != yaml.MappingNode {
		return nil
	}
	var v *yaml.Node
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			v = m.Content[i+1]
		}
	}
	return v
}

func mapSet(m *yaml.Node, key string, v *yaml.Node) {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			m.Content[i+1] = v
			return
		}
	}
	m.Content = append(m.Content, strNode(key), v)
}

func mapDelete(m *yaml.Node, key string) bool {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			m.Content = append(m.Content[:i], m.Content[i+2:]...)
			return true
		}
	}
	return false
}

func mapKeys(m *yaml.Node) []string {
	var out []string
	for i := 0; i+1 < len(m.Content); i += 2 {
		out = append(out, m.Content[i].Value)
	}
	return out
}

// at returns the node at p, or nil.
func at(root *yaml.Node, p path) *yaml.Node {
	n := root
	for _, s := range p {
		switch s := s.(type) {
		case string:
			n = mapGet(n, s)
		case int:
			if n == nil || n.Kind != yaml.SequenceNode || s >= len(n.Content) {
				return nil
			}
			n = n.Content[s]
		}
		if n == nil {
			return nil
		}
	}
	return n
}

// ensureMap returns the mapping at p, creating missing mappings on the way.
func ensureMap(root *yaml.Node, p path) *yaml.Node {
	n := root
	for _, s := range p {
		switch s := s.(type) {
		case string:
			c := mapGet(n, s)
			if c == nil {
				c = mapNode()
				mapSet(n, s, c)
			}
			n = c
		case int:
			n = n.Content[s]
		}
	}
	return n
}

// setAt replaces the node at p (its parent must exist); a missing final
// mapping key is added.
func setAt(root *yaml.Node, p path, v *yaml.Node) bool {
	if len(p) == 0 {
		return false
	}
	parent := at(root, p[:len(p)-1])
	if parent == nil {
		return false
	}
	switch s := p[len(p)-1].(type) {
	case string:
		if parent.Kind != yaml.MappingNode {
			return false
		}
		mapSet(parent, s, v)
	case int:
		if parent.Kind != yaml.SequenceNode || s >= len(parent.Content) {
			return false
		}
		parent.Content[s] = v
	}
	return true
}

func deleteAt(root *yaml.Node, p path) bool {
	if len(p) == 0 {
		return false
	}
	parent := at(root, p[:len(p)-1])
	if parent == nil {
		return false
	}
	switch s := p[len(p)-1].(type) {
	case string:
		return parent.Kind == yaml.MappingNode && mapDelete(parent, s)
	case int:
		if parent.Kind != yaml.SequenceNode || s >= len(parent.Content) {
			return false
		}
		parent.Content = append(parent.Content[:s], parent.Content[s+1:]...)
		return true
	}
	return false
}

func strNode(s string) *yaml.Node {
	return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: s}
}

func intNode(i int64) *yaml.Node {
	return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!int", Value: strconv.FormatInt(i, 10)}
}

func floatNode(f float64) *yaml.Node {
	return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!float", Value: strconv.FormatFloat(f, 'f', -1, 64)}
}

func boolNode(b bool) *yaml.Node {
	return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!bool", Value: strconv.FormatBool(b)}
}

func nullNode() *yaml.Node {
	return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!null", Value: "null"}
}

// rawNode is a scalar written exactly as given (e.g. YAML 1.1 "yes").
func rawNode(s string) *yaml.Node {
	return &yaml.Node{Kind: yaml.ScalarNode, Value: s}
}

func mapNode(kv ...any) *yaml.Node {
	m := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
	for i := 0; i+1 < len(kv); i += 2 {
		m.Content = append(m.Content, strNode(kv[i].(string)), toNode(kv[i+1]))
	}
	return m
}

func seqNode(items ...any) *yaml.Node {
	s := &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq"}
	for _, it := range items {
		s.Content = append(s.Content, toNode(it))
	}
	return s
}

// toNode converts a Go value written in a table (string, int, float64,
// bool, nil, *yaml.Node) into a node.
func toNode(v any) *yaml.Node {
	switch v := v.(type) {
	case *yaml.Node:
		return v
	case string:
		return strNode(v)
	case int:
		return intNode(int64(v))
	case int64:
		return intNode(v)
	case float64:
		return floatNode(v)
	case bool:
		return boolNode(v)
	case nil:
		return nullNode()
	}
	panic(fmt.Sprintf("toNode: unsupported %T", v))
}

// fromYAML parses a YAML snippet into a node (for table entries).
func fromYAML(s string) *yaml.Node {
	var doc yaml.Node
	if err := yaml.Unmarshal([]byte(s), &doc); err != nil {
		panic(fmt.Sprintf("fromYAML(%q): %v", s, err))
	}
	blockStyle(doc.Content[0])
	return doc.Content[0]
}

// blockStyle turns flow collections ({a: b}, [a]) into block style, as the
// golden manifests are written.
func blockStyle(n *yaml.Node) {
	if n.Kind == yaml.MappingNode || n.Kind == yaml.SequenceNode {
		n.Style &^= yaml.FlowStyle
	}
	for _, c := range n.Content {
		blockStyle(c)
	}
}
