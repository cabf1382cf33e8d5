package loader

import (
	"strconv"
	"strings"

	yaml "go.yaml.in/yaml/v3"
)

// maxIndexedNodes bounds the position index: aliases are followed once per
// use, and a crafted document must not make indexing explode.
const maxIndexedNodes = 1 << 20

type pos struct{ line, col int }

// positions maps field paths to where they are written, and knows the
// credentials written in the document (secrets.go). It is built only for
// documents that have findings, so clean documents pay nothing.
type positions struct {
	at      map[string]pos
	secrets []secret
	// pending is the secret whose span the next node ends, or -1.
	pending int
	// complete is false when the document could not be indexed whole (the
	// indexer rejects it, or it is too large or deep): its excerpts are
	// then masked wholesale, since a credential may be among what was not
	// seen.
	complete bool
	// forms caches what scrub replaces of the (hard) credentials.
	forms     []string
	formsMade bool
}

func indexPositions(raw []byte) *positions {
	p := &positions{at: map[string]pos{}, pending: -1}
	var root yaml.Node
	if err := yaml.Unmarshal(raw, &root); err != nil || len(root.Content) == 0 {
		return p
	}
	p.complete = true
	budget := maxIndexedNodes
	top := root.Content[0]
	p.walk(top, "", &budget, 0, scope{flow: top.Style&yaml.FlowStyle != 0})
	return p
}

func (p *positions) walk(n *yaml.Node, path string, budget *int, depth int, sc scope) {
	*budget--
	if *budget < 0 || depth > 1000 {
		p.complete = false
		return
	}
	switch n.Kind {
	case yaml.AliasNode:
		if n.Alias != nil {
			sc.alias = true
			p.walk(n.Alias, path, budget, depth+1, sc)
		}
	case yaml.MappingNode:
		facts := factsOf(n)
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			p.mark(k, sc)
			p.mark(v, sc)
			if k.Value == "<<" && k.Tag == "!!merge" {
				// Merged keys live where the anchor is (an alias marks the
				// walk so); index them under this path, in this scope.
				p.walk(v, path, budget, depth+1, sc)
				continue
			}
			here := pos{k.Line, k.Column}
			child := join(path, k.Value)
			p.set(child, here)
			p.set(path+"["+k.Value+"]", here) // map-key form, e.g. metadata.labels[app]
			inner := scope{field: k.Value, alias: sc.alias, flow: sc.flow || v.Style&yaml.FlowStyle != 0,
				cred: credentialField(sc, facts, k.Value), soft: sc.soft}
			if v.Kind == yaml.MappingNode {
				inner.soft = credentialName(k.Value) // its values, not deeper ones
			}
			if facts.secret && (k.Value == "data" || k.Value == "stringData") {
				inner.secretData, inner.base64 = true, k.Value == "data"
			} else {
				inner.base64 = sc.secretData && sc.base64 // a value of data
			}
			p.walk(v, child, budget, depth+1, inner)
		}
	case yaml.SequenceNode:
		for i, item := range n.Content {
			child := path + "[" + strconv.Itoa(i) + "]"
			p.set(child, pos{item.Line, item.Column})
			p.mark(item, sc)
			inner := sc
			inner.flow = sc.flow || item.Style&yaml.FlowStyle != 0
			inner.cred = sc.cred || sc.secretData
			p.walk(item, child, budget, depth+1, inner)
		}
	case yaml.ScalarNode:
		p.scalar(n, path, sc)
	}
}

func (p *positions) set(path string, at pos) {
	if _, ok := p.at[path]; !ok {
		p.at[path] = at
	}
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// lookup returns the position of path or of its nearest indexed ancestor.
func (p *positions) lookup(path string) (int, int) {
	path = strings.TrimPrefix(path, ".")
	for {
		if at, ok := p.at[path]; ok {
			return at.line, at.col
		}
		parent := parent(path)
		if parent == path {
			return 0, 0
		}
		path = parent
	}
}

// parent drops the last element of a field path: a.b[2].c -> a.b[2] -> a.b -> a -> "".
func parent(path string) string {
	if path == "" {
		return ""
	}
	if strings.HasSuffix(path, "]") {
		if i := strings.LastIndex(path, "["); i >= 0 {
			return path[:i]
		}
	}
	if i := strings.LastIndexAny(path, ".["); i >= 0 {
		return path[:i]
	}
	return ""
}
