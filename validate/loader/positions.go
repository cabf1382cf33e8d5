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

// positions maps field paths to where they are written. It is built only
// for documents that have findings, so clean documents pay nothing.
type positions struct{ at map[string]pos }

func indexPositions(raw []byte) *positions {
	p := &positions{at: map[string]pos{}}
	var root yaml.Node
	if err := yaml.Unmarshal(raw, &root); err != nil || len(root.Content) == 0 {
		return p
	}
	budget := maxIndexedNodes
	p.walk(root.Content[0], "", &budget, 0)
	return p
}

func (p *positions) walk(n *yaml.Node, path string, budget *int, depth int) {
	*budget--
	if *budget < 0 || depth > 1000 {
		return
	}
	switch n.Kind {
	case yaml.AliasNode:
		if n.Alias != nil {
			p.walk(n.Alias, path, budget, depth+1)
		}
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			if k.Value == "<<" && k.Tag == "!!merge" {
				// Merged keys live where the anchor is; index them under this path.
				target := v
				if v.Kind == yaml.AliasNode && v.Alias != nil {
					target = v.Alias
				}
				p.walk(target, path, budget, depth+1)
				continue
			}
			here := pos{k.Line, k.Column}
			child := join(path, k.Value)
			p.set(child, here)
			p.set(path+"["+k.Value+"]", here) // map-key form, e.g. metadata.labels[app]
			p.walk(v, child, budget, depth+1)
		}
	case yaml.SequenceNode:
		for i, item := range n.Content {
			child := path + "[" + strconv.Itoa(i) + "]"
			p.set(child, pos{item.Line, item.Column})
			p.walk(item, child, budget, depth+1)
		}
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
