package wire

import (
	"maps"
	"slices"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// Every field of a provider's spec that can hold a string has a rule, so
// that a field the provider adds is classified on purpose, not left to the
// Text default; and the rules name fields the spec has.
func TestShapesCoverSpecs(t *testing.T) {
	shapes := specShapes(t)
	named := map[string]map[string]bool{} // format → paths its rules name
	for _, s := range shapes {
		if named[s.format] == nil {
			named[s.format] = map[string]bool{}
		}
		for path := range s.shape.Rules {
			named[s.format][path] = true
		}
		t.Run(s.format+"/"+s.doc, func(t *testing.T) {
			if missing := gaps(s.shape, s.paths); len(missing) > 0 {
				t.Errorf("%s: %d fields of the spec have no rule; add them to the %s %s rules in proxy/wire/formats.go, "+
					"each with the class of what it holds (Text: read by the model; JSONText: JSON text the model reads; "+
					"ID: identifiers, enums, model names, URLs; Binary: encoded data; Free: JSON of any shape; Schema: a JSON Schema):\n\t%s",
					s, len(missing), s.format, s.doc, strings.Join(missing, "\n\t"))
			}
			var extra []string
			for _, path := range strays(s.shape, s.paths) {
				if _, ok := specExtensions[s.format][path]; !ok {
					extra = append(extra, path)
				}
			}
			switch {
			case len(extra) == 0:
			case s.complete:
				t.Errorf("%s: rules name %d paths the spec does not have (a typo, or a field the spec dropped; "+
					"a deliberate extension goes in specExtensions):\n\t%s", s, len(extra), strings.Join(extra, "\n\t"))
			default:
				t.Logf("%s: rules name %d paths beyond the curated spec (allowed):\n\t%s", s, len(extra), strings.Join(extra, "\n\t"))
			}
		})
	}
	// An extension the spec now declares, or no rule names, is stale.
	for format, paths := range specExtensions {
		for _, s := range shapes {
			if s.format != format {
				continue
			}
			for path := range paths {
				if _, ok := s.paths.kinds[path]; ok {
					t.Errorf("%s: specExtensions lists %s, which the spec now has", s, path)
				}
			}
		}
		for path := range paths {
			if !named[format][path] {
				t.Errorf("%s: specExtensions lists %s, which no rule names", format, path)
			}
		}
	}
}

// No rule hides under a Free or Schema rule, where the walker never looks:
// it would claim a class its strings do not get.
func TestNoRuleUnderFree(t *testing.T) {
	for name, f := range formats() {
		for doc, s := range map[string]*Shape{"request": f.Request, "answer": f.Answer, "event": f.Event} {
			for _, path := range slices.Sorted(maps.Keys(s.Rules)) {
				st := steps(path)
				if len(st) == 0 {
					continue
				}
				parent := joinSteps(st[:len(st)-1])
				if r := rule(s, parent); parent != "" && (r.inside || (r.rule && (r.class == Free || r.class == Schema))) {
					t.Errorf("%s %s: the rule for %s is under a Free or Schema rule and has no effect", name, doc, path)
				}
			}
		}
	}
}

// joinSteps is the path of steps, as Rules write it.
func joinSteps(st []string) string {
	var b strings.Builder
	for _, step := range st {
		if step != "[]" && b.Len() > 0 {
			b.WriteByte('.')
		}
		b.WriteString(step)
	}
	return b.String()
}

// The coverage check reports a field whose rule is gone, free JSON whose
// rule is gone, a map's values when the map's rule is not Free, and a
// rule naming a field the spec lacks.
func TestCoverageFindsGaps(t *testing.T) {
	var request specShape
	for _, s := range specShapes(t) {
		if s.format == OpenAI && s.doc == "request" {
			request = s
		}
	}
	if got := gaps(request.shape, request.paths); len(got) > 0 {
		t.Fatalf("the OpenAI request has gaps before any rule is removed: %v", got)
	}
	rules := maps.Clone(openAIRequestShape().Rules)
	delete(rules, "messages[].content[].text")
	delete(rules, "tools[].function.description")
	delete(rules, "tools[].function.parameters")
	rules["metadata"] = ID
	rules["messages[].contnet"] = Text
	broken := &Shape{Rules: rules, Roles: openAIRequestShape().Roles}
	want := []string{
		"messages[].content[].text",
		"metadata.*",
		"tools[].function.description",
		"tools[].function.parameters (free JSON: needs Free or Schema)",
	}
	if got := gaps(broken, request.paths); !slices.Equal(got, want) {
		t.Errorf("gaps:\n got %q\nwant %q", got, want)
	}
	if got := strays(broken, request.paths); !slices.Equal(got, []string{"messages[].contnet"}) {
		t.Errorf("strays: got %q, want the misspelt path alone", got)
	}
}

// The spec walk follows $ref, allOf/anyOf/oneOf, properties, items and
// additionalProperties, marks strings, enums and free JSON, and stops a
// recursive schema.
func TestSpecWalk(t *testing.T) {
	const doc = `
components:
  schemas:
    Root:
      allOf:
        - $ref: "#/components/schemas/Base"
        - type: object
          properties:
            tags: {type: array, items: {type: string}}
            kind: {enum: [a, b]}
            count: {type: integer}
            labels: {type: object, additionalProperties: {type: string}}
            scores: {type: object, additionalProperties: {type: number}}
            extra: {type: object, additionalProperties: true}
            open: {type: object, properties: {name: {type: string}}, additionalProperties: true}
            anything: {description: any JSON}
            list: {type: array}
            node: {$ref: "#/components/schemas/Node"}
            either:
              oneOf:
                - {type: string}
                - {type: array, items: {$ref: "#/components/schemas/Base"}}
            nullable: {type: [string, "null"]}
    Base:
      type: object
      properties:
        id: {type: string}
    Node:
      type: object
      properties:
        name: {type: string}
        children: {type: array, items: {$ref: "#/components/schemas/Node"}}
`
	var spec openAPI
	if err := yaml.Unmarshal([]byte(doc), &spec); err != nil {
		t.Fatal(err)
	}
	paths, err := spec.pathsOf("Root")
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]pathKind{
		"id": kindString, "tags": 0, "tags[]": kindString, "kind": kindString, "count": 0,
		"labels": 0, "labels.*": kindString, "scores": 0, "scores.*": 0,
		"extra": kindFree, "anything": kindFree, "list": kindFree, "open": 0, "open.name": kindString, "open.*": kindFree,
		"node": 0, "node.name": kindString, "node.children": 0, "node.children[]": 0,
		"node.children[].name": kindString, "node.children[].children": 0, "node.children[].children[]": 0,
		"either": kindString, "either[]": 0, "either[].id": kindString, "nullable": kindString,
	}
	if !maps.Equal(paths.kinds, want) {
		t.Errorf("paths:\n got %v\nwant %v", paths.kinds, want)
	}
	if _, err := spec.pathsOf("Missing"); err == nil {
		t.Error("a missing root schema passed")
	}
	shape := &Shape{Rules: map[string]Class{
		"id": ID, "tags": Text, "kind": ID, "labels.*": ID, "extra": Free, "anything": Schema, "open.name": Text,
		"node.name": Text, "node.children[].name": Text, "either": Text, "either[].id": ID, "nullable": Text,
	}}
	if got := gaps(shape, paths); !slices.Equal(got, []string{"list (free JSON: needs Free or Schema)", "open.* (free JSON: needs Free or Schema)"}) {
		t.Errorf("gaps: %q", got)
	}
}

// A field that holds JSON as a string or in place (Responses' tool call
// arguments) is decided by a JSONText rule, which reads an object in place
// as free JSON; a Text rule leaves the object undecided.
func TestCoverageJSONTextHoldsJSON(t *testing.T) {
	spec := &specPaths{kinds: map[string]pathKind{"items": 0, "items[]": 0, "items[].arguments": kindString | kindFree}}
	if got := gaps(&Shape{Rules: map[string]Class{"items[].arguments": JSONText}}, spec); len(got) > 0 {
		t.Errorf("JSONText: gaps %q", got)
	}
	if got := gaps(&Shape{Rules: map[string]Class{"items[].arguments": Text}}, spec); !slices.Equal(got, []string{"items[].arguments (free JSON: needs Free or Schema)"}) {
		t.Errorf("Text: gaps %q", got)
	}
	shape := &Shape{Rules: map[string]Class{"items[].arguments": JSONText}}
	doc, _ := DecodeObject([]byte(`{"items":[{"arguments":"{\"a\":\"S\"}"},{"arguments":{"Key":["V"]}}]}`))
	if err := shape.Check(doc); err != nil {
		t.Fatal(err)
	}
	var got []string
	shape.Texts(doc, func(s *Slot) {
		got = append(got, s.Value+"/"+map[Class]string{Text: "text", JSONText: "json", Name: "name"}[s.Class])
	})
	if want := `{"a":"S"}/json Key/name V/text`; strings.Join(got, " ") != want {
		t.Errorf("Texts: got %q, want %q", strings.Join(got, " "), want)
	}
}
