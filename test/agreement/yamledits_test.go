package agreement

import (
	"bytes"
	"strings"

	"go.yaml.in/yaml/v3"
	sigsyaml "sigs.k8s.io/yaml"
)

// yamlKinds are the kinds the YAML-level edits are applied to: one core
// kind (native decoding) and the custom resources (CRD decoding).
var yamlKinds = map[string]bool{"Secret": true, "HTTPRoute": true, "Backend": true, "AgentgatewayBackend": true, "TrafficPolicy": true}

// yamlEdits are mutations of the YAML text itself: syntax both decoders
// must read the same way (anchors, merge keys, tags, YAML 1.1 scalars,
// line endings, JSON), and syntax errors.
func (g *generator) yamlEdits() {
	if !yamlKinds[g.seed.gvk.Kind] {
		return
	}
	base := render(g.seed.root)
	text := func(what string, doc []byte) {
		g.add(g.seed, "table|yaml|"+what, "yaml", what, doc)
	}
	node := func(what string, fn func(r *yaml.Node) bool) {
		g.mutate("table|yaml|"+what, "yaml", what, fn)
	}
	text("CRLF line endings", bytes.ReplaceAll(base, []byte("\n"), []byte("\r\n")))
	text("UTF-8 byte order mark", append([]byte("\ufeff"), base...))
	text("--- before and ... after the document", append(append([]byte("---\n"), base...), []byte("...\n")...))
	text("comments on every line", commentEveryLine(base))
	text("a tab in the indentation", bytes.Replace(base, []byte("\n  name:"), []byte("\n\tname:"), 1))
	text("a key without a value at the top", append(append([]byte(nil), base...), []byte("extra\n")...))
	text("an unterminated quote", bytes.Replace(base, []byte("name: "), []byte("name: \"unterminated "), 1))
	if j, err := sigsyaml.YAMLToJSON(base); err == nil {
		text("JSON instead of YAML", append(j, '\n'))
		text("JSON with kind twice", bytes.Replace(j, []byte(`{`), []byte(`{"kind":"`+g.seed.gvk.Kind+`",`), 1))
	}
	text("flow-style document", flowStyle(base))
	node("labels anchored and aliased as annotations", func(r *yaml.Node) bool {
		md := mapGet(r, "metadata")
		l := mapGet(md, "labels")
		if l == nil {
			return false
		}
		l.Anchor = "labels"
		mapSet(md, "annotations", &yaml.Node{Kind: yaml.AliasNode, Alias: l, Value: "labels"})
		return true
	})
	node("merge key in annotations", func(r *yaml.Node) bool {
		md := mapGet(r, "metadata")
		l := mapGet(md, "labels")
		if l == nil {
			return false
		}
		l.Anchor = "labels"
		ann := mapNode("extra", "x")
		ann.Content = append([]*yaml.Node{rawNode("<<"), {Kind: yaml.AliasNode, Alias: l, Value: "labels"}}, ann.Content...)
		mapSet(md, "annotations", ann)
		return true
	})
	node("explicit !!str tag on the name", func(r *yaml.Node) bool {
		n := at(r, path{"metadata", "name"})
		if n == nil {
			return false
		}
		n.Tag, n.Style = "!!str", yaml.TaggedStyle
		return true
	})
	node("integer label key 1", func(r *yaml.Node) bool {
		l := mapGet(mapGet(r, "metadata"), "labels")
		if l == nil {
			return false
		}
		l.Content = append(l.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!int", Value: "1"}, strNode("a"))
		return true
	})
	node("boolean label key true", func(r *yaml.Node) bool {
		l := mapGet(mapGet(r, "metadata"), "labels")
		if l == nil {
			return false
		}
		l.Content = append(l.Content, rawNode("true"), strNode("a"))
		return true
	})
	node("null label key", func(r *yaml.Node) bool {
		l := mapGet(mapGet(r, "metadata"), "labels")
		if l == nil {
			return false
		}
		l.Content = append(l.Content, rawNode("~"), strNode("a"))
		return true
	})
	node("label value yes (YAML 1.1 boolean)", func(r *yaml.Node) bool {
		l := mapGet(mapGet(r, "metadata"), "labels")
		if l == nil {
			return false
		}
		l.Content = append(l.Content, strNode("flag"), rawNode("yes"))
		return true
	})
	node("label value 0755 (YAML 1.1 octal)", func(r *yaml.Node) bool {
		l := mapGet(mapGet(r, "metadata"), "labels")
		if l == nil {
			return false
		}
		l.Content = append(l.Content, strNode("mode"), rawNode("0755"))
		return true
	})
	node("label value 2024-01-02 (YAML timestamp)", func(r *yaml.Node) bool {
		l := mapGet(mapGet(r, "metadata"), "labels")
		if l == nil {
			return false
		}
		l.Content = append(l.Content, strNode("date"), rawNode("2024-01-02"))
		return true
	})
	node("Metadata instead of metadata", func(r *yaml.Node) bool {
		for i := 0; i+1 < len(r.Content); i += 2 {
			if r.Content[i].Value == "metadata" {
				r.Content[i] = strNode("Metadata")
				return true
			}
		}
		return false
	})
	node("apiVersion and kind quoted keys and values", func(r *yaml.Node) bool {
		for i := 0; i+1 < len(r.Content); i += 2 {
			if k := r.Content[i].Value; k == "apiVersion" || k == "kind" {
				r.Content[i].Style = yaml.DoubleQuotedStyle
				r.Content[i+1].Style = yaml.SingleQuotedStyle
			}
		}
		return true
	})
	node("literal block scalar for the name", func(r *yaml.Node) bool {
		n := at(r, path{"metadata", "name"})
		if n == nil {
			return false
		}
		n.Style = yaml.LiteralStyle
		return true
	})
	node("folded block scalar name with a trailing newline", func(r *yaml.Node) bool {
		n := at(r, path{"metadata", "name"})
		if n == nil {
			return false
		}
		n.Value += "\n"
		n.Style = yaml.FoldedStyle
		return true
	})
}

func commentEveryLine(doc []byte) []byte {
	var b strings.Builder
	b.WriteString("# leading comment\n")
	for _, l := range strings.SplitAfter(string(doc), "\n") {
		if l == "" {
			continue
		}
		b.WriteString(strings.TrimSuffix(l, "\n"))
		b.WriteString(" # comment\n")
	}
	return []byte(b.String())
}

func flowStyle(doc []byte) []byte {
	var n yaml.Node
	if err := yaml.Unmarshal(doc, &n); err != nil {
		return doc
	}
	var setFlow func(*yaml.Node)
	setFlow = func(x *yaml.Node) {
		if x.Kind == yaml.MappingNode || x.Kind == yaml.SequenceNode {
			x.Style = yaml.FlowStyle
		}
		for _, c := range x.Content {
			setFlow(c)
		}
	}
	setFlow(&n)
	out, err := yaml.Marshal(&n)
	if err != nil {
		return doc
	}
	return out
}
