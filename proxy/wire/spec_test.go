package wire

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/kubelb-ai/kubelb-ai/internal/testenv"
)

// The provider specs the shapes are held against (in the shared
// directory's specs/), with the schemas of each of a format's documents:
// an answer or an event may also be the provider's error. A complete spec
// names every field of the API, so a rule naming a path it lacks is a
// typo; a curated one describes part of the API, so rules may name more.
var specFormats = []struct {
	format, file           string
	complete               bool
	request, answer, event []string
}{
	{OpenAI, "openai-openapi.yaml", true,
		[]string{"CreateChatCompletionRequest"},
		[]string{"CreateChatCompletionResponse", "ErrorResponse"},
		[]string{"CreateChatCompletionStreamResponse", "ErrorResponse"}},
	{Anthropic, "anthropic-openapi.curated.yaml", false,
		[]string{"CreateMessageRequest"},
		[]string{"Message", "ErrorEvent"},
		[]string{"MessageStreamEvent"}},
	{Gemini, "gemini-openapi.curated.yaml", false,
		[]string{"GenerateContentRequest"},
		[]string{"GenerateContentResponse"},
		[]string{"GenerateContentResponse"}},
	{Responses, "openai-openapi.yaml", true,
		[]string{"CreateResponse"},
		[]string{"Response", "ErrorResponse"},
		[]string{"ResponseStreamEvent", "ErrorResponse"}},
	// Embeddings and token counts are not streamed: the event shape is the
	// answer's.
	{Embeddings, "openai-openapi.yaml", true,
		[]string{"CreateEmbeddingRequest"},
		[]string{"CreateEmbeddingResponse", "ErrorResponse"},
		[]string{"CreateEmbeddingResponse", "ErrorResponse"}},
	{AnthropicCountTokens, "anthropic-openapi.curated.yaml", false,
		[]string{"CountMessageTokensRequest"},
		[]string{"CountMessageTokensResponse", "ErrorEvent"},
		[]string{"CountMessageTokensResponse", "ErrorEvent"}},
}

// specExtensions are paths that shapes name on purpose although the
// complete spec lacks them, per format, with the reason.
var specExtensions = map[string]map[string]string{
	OpenAI: {
		// OpenAI-compatible servers (DeepSeek, vLLM, SGLang) send the
		// reasoning beside the content.
		"choices[].message.reasoning_content": "compatible servers' reasoning",
		"choices[].delta.reasoning_content":   "compatible servers' reasoning",
		// Search models stream their citations in deltas, which the spec's
		// delta does not declare (openai/openai-java#297).
		"choices[].delta.annotations[].type":               "streamed citations",
		"choices[].delta.annotations[].url_citation.url":   "streamed citations",
		"choices[].delta.annotations[].url_citation.title": "streamed citations",
	},
}

// specShape is one document of a format with the schemas that define it.
type specShape struct {
	format, doc string
	roots       []string
	complete    bool
	shape       *Shape
	paths       *specPaths
}

func (s specShape) String() string {
	return s.format + " " + s.doc + " (" + strings.Join(s.roots, ", ") + ")"
}

// specShapes loads the specs and returns every document one defines.
func specShapes(t *testing.T) []specShape {
	t.Helper()
	dir := filepath.Join(testenv.SharedDir(t), "specs")
	var out []specShape
	for _, sf := range specFormats {
		spec, err := loadSpec(filepath.Join(dir, sf.file))
		if err != nil {
			t.Fatalf("%s: %v", sf.format, err)
		}
		f, ok := Lookup(sf.format)
		if !ok {
			t.Fatalf("format %s is not registered", sf.format)
		}
		for _, d := range []struct {
			doc   string
			roots []string
			shape *Shape
		}{{"request", sf.request, f.Request}, {"answer", sf.answer, f.Answer}, {"event", sf.event, f.Event}} {
			paths, err := spec.pathsOf(d.roots...)
			if err != nil {
				t.Fatalf("%s (%s): %v", sf.format, sf.file, err)
			}
			out = append(out, specShape{format: sf.format, doc: d.doc, roots: d.roots, complete: sf.complete, shape: d.shape, paths: paths})
		}
	}
	return out
}

// openAPI is the part of an OpenAPI document the walk reads: its schemas.
type openAPI struct {
	Components struct {
		Schemas map[string]*schema `yaml:"schemas"`
	} `yaml:"components"`
}

// schema is the part of a JSON Schema that says where strings can be.
type schema struct {
	Ref                  string             `yaml:"$ref"`
	Type                 any                `yaml:"type"` // a name, or a list of names (OpenAPI 3.1)
	Enum                 []any              `yaml:"enum"`
	Const                any                `yaml:"const"`
	Properties           map[string]*schema `yaml:"properties"`
	Items                *schema            `yaml:"items"`
	AdditionalProperties *additional        `yaml:"additionalProperties"`
	AllOf                []*schema          `yaml:"allOf"`
	AnyOf                []*schema          `yaml:"anyOf"`
	OneOf                []*schema          `yaml:"oneOf"`
}

var specCache sync.Map // file → *openAPI or error

func loadSpec(file string) (*openAPI, error) {
	if v, ok := specCache.Load(file); ok {
		if err, isErr := v.(error); isErr {
			return nil, err
		}
		return v.(*openAPI), nil
	}
	spec, err := readSpec(file)
	if err != nil {
		specCache.Store(file, err)
		return nil, err
	}
	v, _ := specCache.LoadOrStore(file, spec)
	return v.(*openAPI), nil
}

func readSpec(file string) (*openAPI, error) {
	data, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	spec := &openAPI{}
	if err := yaml.Unmarshal(data, spec); err != nil {
		return nil, fmt.Errorf("%s: %w", filepath.Base(file), err)
	}
	if len(spec.Components.Schemas) == 0 {
		return nil, fmt.Errorf("%s has no components.schemas", filepath.Base(file))
	}
	return spec, nil
}

// What a spec says a path can hold (several at once: a field may be a
// string or an array of blocks).
type pathKind uint8

const (
	// kindString: a string (typed string, an enum, a constant).
	kindString pathKind = 1 << iota
	// kindFree: JSON of any shape (an untyped schema, an object without
	// properties, an array without items, a map of open values).
	kindFree
)

// specPaths are the paths of a document's schemas, in the syntax of
// Shape.Rules: every path the schemas reach, with the kinds of value it
// can hold there (0 for an object or an array that holds no string itself).
type specPaths struct {
	kinds map[string]pathKind
}

// maxRefDepth is how often one schema may recur along a path: twice
// reaches a tool result's blocks inside a message's blocks, which the
// rules name; deeper, strings are Text by default.
const maxRefDepth = 2

// pathsOf walks the named schemas from the root of a document.
func (o *openAPI) pathsOf(roots ...string) (*specPaths, error) {
	w := &specWalk{spec: o, out: &specPaths{kinds: map[string]pathKind{}}, depth: map[string]int{}}
	for _, root := range roots {
		if o.Components.Schemas[root] == nil {
			return nil, fmt.Errorf("the spec has no schema %s", root)
		}
		w.visit(&schema{Ref: "#/components/schemas/" + root}, "")
	}
	if w.err != nil {
		return nil, w.err
	}
	return w.out, nil
}

type specWalk struct {
	spec  *openAPI
	out   *specPaths
	depth map[string]int // schema name → times on the current path
	err   error
}

func (w *specWalk) mark(path string, k pathKind) {
	w.out.kinds[path] |= k
}

func (w *specWalk) visit(s *schema, path string) {
	if s == nil {
		w.mark(path, kindFree)
		return
	}
	if path != "" {
		w.mark(path, 0)
	}
	if s.Ref != "" {
		name, ok := strings.CutPrefix(s.Ref, "#/components/schemas/")
		target := w.spec.Components.Schemas[name]
		if !ok || target == nil {
			if w.err == nil {
				w.err = fmt.Errorf("%s: unresolved $ref %q", path, s.Ref)
			}
			return
		}
		if w.depth[name] < maxRefDepth {
			w.depth[name]++
			w.visit(target, path)
			w.depth[name]--
		}
	}
	for _, sub := range slices.Concat(s.AllOf, s.AnyOf, s.OneOf) {
		w.visit(sub, path)
	}
	types := s.types()
	isString := func(v any) bool { _, ok := v.(string); return ok }
	if types["string"] || isString(s.Const) || slices.ContainsFunc(s.Enum, isString) {
		w.mark(path, kindString)
	}
	for name, p := range s.Properties {
		w.visit(p, join(path, name))
	}
	open, values := s.additional()
	if values != nil {
		w.visit(values, join(path, anyMember))
	}
	composed := s.Ref != "" || len(s.AllOf)+len(s.AnyOf)+len(s.OneOf) > 0
	switch {
	case open && types["object"] && len(s.Properties) == 0 && !composed:
		w.mark(path, kindFree)
	case open && s.AdditionalProperties != nil && len(s.Properties) > 0:
		// Members beside the properties, of any shape.
		w.mark(join(path, anyMember), kindFree)
	}
	if types["array"] || s.Items != nil {
		if s.Items != nil {
			w.visit(s.Items, path+"[]")
		} else {
			w.mark(path, kindFree)
		}
	}
	untyped := len(types) == 0 && !composed &&
		len(s.Enum) == 0 && s.Const == nil && len(s.Properties) == 0 && s.Items == nil && s.AdditionalProperties == nil
	if untyped {
		w.mark(path, kindFree)
	}
}

// types are the JSON types a schema names.
func (s *schema) types() map[string]bool {
	out := map[string]bool{}
	switch t := s.Type.(type) {
	case string:
		out[t] = true
	case []any:
		for _, e := range t {
			if name, ok := e.(string); ok {
				out[name] = true
			}
		}
	}
	return out
}

// additional is additionalProperties: a boolean or the schema of the
// members that properties do not name.
type additional struct {
	open   bool    // members of any shape (true, {})
	values *schema // members of this schema
}

func (a *additional) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind == yaml.ScalarNode {
		return n.Decode(&a.open)
	}
	if n.Kind == yaml.MappingNode && len(n.Content) == 0 {
		a.open = true
		return nil
	}
	a.values = &schema{}
	return n.Decode(a.values)
}

// additional reads additionalProperties: open when it allows members of
// any shape (true, {}, or absent), values when it gives their schema.
func (s *schema) additional() (open bool, values *schema) {
	if s.AdditionalProperties == nil {
		return true, nil
	}
	return s.AdditionalProperties.open, s.AdditionalProperties.values
}

// steps splits a path into member names and "[]" for an array's elements.
func steps(path string) []string {
	var out []string
	if path == "" {
		return out
	}
	for _, step := range strings.Split(path, ".") {
		name, arrays := step, 0
		for strings.HasSuffix(name, "[]") {
			name, arrays = strings.TrimSuffix(name, "[]"), arrays+1
		}
		if name != "" {
			out = append(out, name)
		}
		for range arrays {
			out = append(out, "[]")
		}
	}
	return out
}

// ruling is how a shape's walker treats the strings at a path.
type ruling struct {
	class Class
	// rule: a rule names the path, or the array whose elements these are.
	rule bool
	// inside: a Free or Schema rule above the path decides it.
	inside bool
	// last: the path's last step (a Schema's keywords are IDs).
	last string
}

// rule follows path through a shape's rules the way its walker follows a
// document: members by (canonical) name, else the map's values ("*"); an
// array's elements by their own rule, else the array's.
func rule(s *Shape, path string) ruling {
	n := s.compile()
	st := steps(path)
	var last string
	if len(st) > 0 {
		last = st[len(st)-1]
	}
	for i, step := range st {
		if n.explicit && (n.class == Free || n.class == Schema) {
			return ruling{class: n.class, rule: true, inside: i < len(st), last: last}
		}
		if step == "[]" {
			if n.elem != nil {
				n = n.elem
			}
			continue
		}
		if n = n.member(s.canonical(step)); n == nil {
			return ruling{class: Text, last: last}
		}
	}
	return ruling{class: n.class, rule: n.explicit, last: last}
}

// gaps are the paths of spec that can hold a string or free JSON and that
// no rule of s decides: a string needs a rule of its own or a Free or
// Schema rule above it, free JSON a Free or Schema rule at or above it, or
// a JSONText rule at it (a field that holds JSON as a string or in place,
// like the arguments of Responses' tool calls: the walker knows no member
// under the rule, so JSON in place is read as Free reads it).
func gaps(s *Shape, spec *specPaths) []string {
	var out []string
	for path, k := range spec.kinds {
		r := rule(s, path)
		switch {
		case r.inside:
		case k&kindFree != 0 && (!r.rule || (r.class != Free && r.class != Schema && r.class != JSONText)):
			out = append(out, path+" (free JSON: needs Free or Schema)")
		case k&kindString != 0 && !r.rule:
			out = append(out, path)
		}
	}
	slices.Sort(out)
	return out
}

// strays are the paths that rules (and roles and conditions) of s name
// and that spec does not have.
func strays(s *Shape, spec *specPaths) []string {
	var out []string
	check := func(path string) {
		if path == "" {
			return
		}
		if _, ok := spec.kinds[path]; !ok {
			out = append(out, path)
		}
	}
	for path := range s.Rules {
		check(path)
	}
	for path := range s.Roles {
		check(path)
	}
	for path := range s.TextWhen {
		check(path)
	}
	slices.Sort(out)
	return slices.Compact(out)
}
