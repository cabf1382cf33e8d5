package wire

import (
	"fmt"
	"slices"
	"strings"
	"sync"
)

// Class is what a string in a document is to the model.
type Class uint8

const (
	// Text is read by the model (a prompt, a tool's description or
	// result): guards scan it, masks change it, the token estimate counts
	// it. Strings a shape does not know are Text.
	Text Class = iota
	// ID is an identifier, an enum value, a model name or a URL: left alone.
	ID
	// Binary is encoded data (base64 images, audio, documents): left alone.
	Binary
	// Free is JSON of any shape (tool arguments and results, metadata):
	// every string in it is Text and every member name a Name.
	Free
	// Schema is a JSON Schema (a tool's parameters, a response format):
	// Free, except that its keywords' values (type, format, $ref) are IDs.
	Schema
	// JSONText is a string that holds JSON (OpenAI's tool call arguments):
	// Text, that guards also read decoded.
	JSONText
	// Name is a member name inside Free or Schema JSON (a tool argument's
	// name, a schema property's): guards read it, nothing changes it.
	Name
)

// Shape is where a format's documents carry text: rules by path, with the
// role of the text under each message.
type Shape struct {
	// Rules give the class of the strings at a path: member names joined
	// with dots, "[]" for an array's elements ("messages[].content[].text").
	// A path's class covers strings found there; its members and elements
	// have rules of their own. "*" stands for the members of a map that no
	// rule names ("metadata.*"). Paths without a rule are Text.
	Rules map[string]Class
	// Roles give the role of texts under a path: a role ("system"), or
	// "@member" for the role a message names in one of its members, with
	// "|fallback" when it names none ("@role|user").
	Roles map[string]string
	// TextWhen makes the strings at a path Text when their object has a
	// member of a value ("type=text"), whatever Rules say: Anthropic's
	// document source holds base64 data or, with type text, plain text.
	TextWhen map[string]string
	// Snake, for protobuf JSON APIs (Gemini): a member may be written in
	// lowerCamelCase or in snake_case, and both name the same field.
	Snake bool

	once sync.Once
	root *node
}

type node struct {
	class Class
	role  string
	// when: the member and value of the parent object that make this
	// node's strings Text.
	when     [2]string
	members  map[string]*node
	elem     *node
	explicit bool // a rule names this path (not only a longer one)
}

// anyMember is the step of a rule's path that stands for a map's values.
const anyMember = "*"

// member is the node of a member by its canonical name: the one a rule
// names, else the map's values ("*").
func (n *node) member(name string) *node {
	if m := n.members[name]; m != nil {
		return m
	}
	return n.members[anyMember]
}

func (s *Shape) compile() *node {
	s.once.Do(func() {
		s.root = &node{}
		at := func(path string) *node {
			n := s.root
			if path == "" {
				return n
			}
			for _, step := range strings.Split(path, ".") {
				name, arrays := step, 0
				for strings.HasSuffix(name, "[]") {
					name, arrays = strings.TrimSuffix(name, "[]"), arrays+1
				}
				if name != "" {
					if n.members == nil {
						n.members = map[string]*node{}
					}
					if n.members[name] == nil {
						n.members[name] = &node{}
					}
					n = n.members[name]
				}
				for range arrays {
					if n.elem == nil {
						n.elem = &node{}
					}
					n = n.elem
				}
			}
			return n
		}
		for path, c := range s.Rules {
			n := at(path)
			n.class, n.explicit = c, true
		}
		for path, cond := range s.TextWhen {
			member, value, _ := strings.Cut(cond, "=")
			at(path).when = [2]string{member, value}
		}
		for path, r := range s.Roles {
			at(path).role = r
		}
	})
	return s.root
}

// Explicit reports whether a rule names path (paths as in Rules), and its
// class. The spec coverage test follows paths the way the walker does
// (array elements, "*", spellings) rather than by name alone.
func (s *Shape) Explicit(path string) (Class, bool) {
	c, ok := s.Rules[path]
	return c, ok
}

// canonical is a member name as the shape's rules spell it.
func (s *Shape) canonical(name string) string {
	if !s.Snake || !strings.Contains(name, "_") {
		return name
	}
	var b strings.Builder
	up := false
	for _, r := range name {
		switch {
		case r == '_':
			up = true
		case up:
			b.WriteString(strings.ToUpper(string(r)))
			up = false
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// Check refuses a document that a provider could read differently from
// serve: a member whose name differs from a field of the format only in
// case (a lenient decoder would take it for that field), and, in a
// protobuf JSON format, a field written twice (once in each spelling).
func (s *Shape) Check(doc any) error {
	return s.check(doc, s.compile(), "")
}

func (s *Shape) check(v any, n *node, path string) error {
	if n != nil && (n.class == Free || n.class == Schema) {
		return nil
	}
	switch v := v.(type) {
	case map[string]any:
		var seen map[string]string
		if s.Snake {
			seen = make(map[string]string, len(v))
		}
		for k, child := range v {
			name := s.canonical(k)
			if seen != nil {
				if other, dup := seen[name]; dup {
					return fmt.Errorf("%s%q and %q name the same field: send it once", at(path), other, k)
				}
				seen[name] = k
			}
			var cn *node
			if n != nil {
				cn = n.member(name)
				if cn == nil {
					for known := range n.members {
						if strings.EqualFold(known, name) {
							return fmt.Errorf("%sunknown member %q: member names are case-sensitive; did you mean %q?", at(path), k, known)
						}
					}
				}
			}
			if err := s.check(child, cn, join(path, k)); err != nil {
				return err
			}
		}
	case []any:
		var en *node
		if n != nil {
			en = n.elem
		}
		for i, e := range v {
			if err := s.check(e, en, fmt.Sprintf("%s[%d]", path, i)); err != nil {
				return err
			}
		}
	}
	return nil
}

func at(path string) string {
	if path == "" {
		return ""
	}
	return path + ": "
}

func join(path, name string) string {
	if path == "" {
		return name
	}
	return path + "." + name
}

// Slot is one string of a document that carries text.
type Slot struct {
	// Role is the role of the message the text belongs to (system, user,
	// assistant, tool), "system" for texts outside messages (tool
	// descriptions, schemas).
	Role  string
	Class Class // Text, JSONText or Name
	Value string
	set   func(string)
}

// Set replaces the text (Names stay: they cannot be replaced in place).
func (t *Slot) Set(s string) bool {
	if t.set == nil || s == t.Value {
		return false
	}
	t.set(s)
	t.Value = s
	return true
}

// Texts calls f with every text of doc, in a stable order; it returns
// whether any Set changed the document.
func (s *Shape) Texts(doc any, f func(*Slot)) (changed bool) {
	return s.texts(doc, f, false)
}

// Strings is Texts with every other string too (identifiers, URLs,
// encoded data, with their Class): what a reject guard reads, so that
// nothing it refuses reaches a provider in a field the model may not
// read.
func (s *Shape) Strings(doc any, f func(*Slot)) (changed bool) {
	return s.texts(doc, f, true)
}

func (s *Shape) texts(doc any, f func(*Slot), all bool) (changed bool) {
	w := walker{s: s, all: all, f: func(t *Slot) {
		inner := t.set
		if inner != nil {
			t.set = func(v string) { inner(v); changed = true }
		}
		f(t)
	}}
	w.walk(doc, s.compile(), "system", nil)
	return changed
}

type walker struct {
	s *Shape
	f func(*Slot)
	// all: identifiers and binary strings too (Strings).
	all bool
}

func (w *walker) walk(v any, n *node, role string, set func(string)) {
	class := Text
	if n != nil {
		class = n.class
		if n.role != "" && !strings.HasPrefix(n.role, "@") {
			role = n.role
		}
	}
	if class == Free || class == Schema {
		w.free(v, role, set, class == Schema)
		return
	}
	switch v := v.(type) {
	case string:
		if class == Text || class == JSONText || w.all {
			w.f(&Slot{Role: role, Class: class, Value: v, set: set})
		}
	case map[string]any:
		if n != nil && strings.HasPrefix(n.role, "@") {
			role = roleOf(v, n.role, role)
		}
		for _, k := range sortedKeys(v) {
			var cn *node
			if n != nil {
				cn = n.member(w.s.canonical(k))
			}
			if cn == nil {
				// A member the format does not know: its name is read too
				// (a provider ignores it, but a guard must not).
				w.f(&Slot{Role: role, Class: Name, Value: k})
			}
			if cn != nil && cn.when[0] != "" && v[cn.when[0]] == cn.when[1] {
				if _, ok := v[k].(string); ok {
					w.f(&Slot{Role: role, Class: Text, Value: v[k].(string), set: func(s string) { v[k] = s }})
					continue
				}
			}
			w.walk(v[k], cn, role, func(s string) { v[k] = s })
		}
	case []any:
		en := n
		if n != nil && n.elem != nil {
			en = n.elem
		}
		for i := range v {
			w.walk(v[i], en, role, func(s string) { v[i] = s })
		}
	}
}

// free walks JSON of any shape: every string is text, every member name
// a Name; in a JSON Schema, keywords' values are identifiers.
func (w *walker) free(v any, role string, set func(string), schema bool) {
	switch v := v.(type) {
	case string:
		w.f(&Slot{Role: role, Class: Text, Value: v, set: set})
	case map[string]any:
		for _, k := range sortedKeys(v) {
			w.f(&Slot{Role: role, Class: Name, Value: k})
			if schema && schemaKeywords[k] {
				if _, isString := v[k].(string); isString {
					continue
				}
			}
			w.free(v[k], role, func(s string) { v[k] = s }, schema)
		}
	case []any:
		for i := range v {
			w.free(v[i], role, func(s string) { v[i] = s }, schema)
		}
	}
}

// schemaKeywords are the JSON Schema keywords whose string values are
// identifiers, not text.
var schemaKeywords = map[string]bool{"type": true, "format": true, "$ref": true, "$schema": true, "$id": true, "$anchor": true,
	"$dynamicRef": true, "contentEncoding": true, "contentMediaType": true}

// roleOf is the role a message names in its member (spec "@member" or
// "@member|fallback"), with Gemini's "model" read as assistant.
func roleOf(m map[string]any, spec, outer string) string {
	member, fallback, _ := strings.Cut(strings.TrimPrefix(spec, "@"), "|")
	r, _ := m[member].(string)
	switch {
	case r == "model":
		return "assistant"
	case r != "":
		return r
	case fallback != "":
		return fallback
	}
	return outer
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
