package wire

import (
	"maps"
	"slices"
	"strings"
	"testing"
	"unicode"
)

// Texts yields every string the spec says a document can hold where the
// rules make it text, and none of those they make identifiers or data. The
// documents are built from the spec itself, a distinct marker in each of
// its strings (and inside each of its free JSON values), so that a rule
// whose path the walker does not follow (a misplaced "[]", a spelling, a
// map) fails here even though the coverage test finds the rule.
func TestTextsReachSpecTexts(t *testing.T) {
	for _, s := range specShapes(t) {
		t.Run(s.format+"/"+s.doc, func(t *testing.T) {
			plan := markerPlan(s.shape, s.paths)
			if !slices.ContainsFunc(plan, func(m marked) bool { return m.text }) {
				t.Fatalf("%s: the spec gives no text to check", s)
			}
			docs := build(plan)
			texts := 0
			for _, m := range plan {
				if m.text {
					texts++
				}
			}
			t.Logf("%s: %d text markers and %d others in %d documents", s, texts, len(plan)-texts, len(docs))
			variants := map[string][]map[string]any{"": docs}
			if s.shape.Snake {
				variants[" (snake_case members)"] = snakeDocs(docs)
			}
			for variant, docs := range variants {
				got := map[string]bool{}
				for _, doc := range docs {
					if err := s.shape.Check(doc); err != nil {
						t.Errorf("%s%s: Check refuses a document the spec allows: %v", s, variant, err)
					}
					s.shape.Texts(doc, func(sl *Slot) {
						if sl.Class != Name {
							got[sl.Value] = true
						}
					})
				}
				var unseen, wrong []string
				for _, m := range plan {
					switch {
					case m.text && !got[m.marker]:
						unseen = append(unseen, m.path)
					case !m.text && got[m.marker]:
						wrong = append(wrong, m.path)
					}
				}
				if len(unseen) > 0 {
					t.Errorf("%s%s: Texts misses the text at %d paths (a rule the walker does not reach?):\n\t%s",
						s, variant, len(unseen), strings.Join(unseen, "\n\t"))
				}
				if len(wrong) > 0 {
					t.Errorf("%s%s: Texts yields %d strings the rules make ID or Binary (a rule the walker does not reach?):\n\t%s",
						s, variant, len(wrong), strings.Join(wrong, "\n\t"))
				}
			}
			// A string whose object meets a TextWhen condition is text
			// whatever its rule.
			for _, path := range slices.Sorted(maps.Keys(s.shape.TextWhen)) {
				if s.paths.kinds[path]&kindString == 0 {
					continue
				}
				member, value, _ := strings.Cut(s.shape.TextWhen[path], "=")
				st := steps(path)
				doc := map[string]any{}
				marker := "⟪when " + path + "⟫"
				if !place(doc, st, marker) || !place(doc, append(slices.Clone(st[:len(st)-1]), member), value) {
					t.Fatalf("%s: cannot build a document with %s and its %s", s, path, member)
				}
				found := false
				s.shape.Texts(doc, func(sl *Slot) { found = found || sl.Value == marker })
				if !found {
					t.Errorf("%s: Texts misses %s when its object has %s=%s", s, path, member, value)
				}
			}
		})
	}
}

// marked is a value put at a path of the spec, holding a marker, and
// whether the walker must yield the marker as text.
type marked struct {
	path, marker string
	value        any
	text         bool
}

// markerPlan puts a marker at every path of the spec that holds a string,
// and an object with a marker in every free JSON value, and says from the
// rules alone whether each is text.
func markerPlan(s *Shape, spec *specPaths) []marked {
	var plan []marked
	for _, path := range slices.Sorted(maps.Keys(spec.kinds)) {
		k := spec.kinds[path]
		marker := "⟪" + path + "⟫"
		switch {
		case k&kindString != 0:
			plan = append(plan, marked{path: path, marker: marker, value: marker, text: isText(rule(s, path))})
		case k&kindFree != 0:
			// Any member of free JSON is text (a Schema's keywords aside).
			plan = append(plan, marked{path: path, marker: marker, value: map[string]any{"note": marker}, text: true})
		}
	}
	return plan
}

// isText is whether the walker yields a string that a ruling decides.
func isText(r ruling) bool {
	switch {
	case r.inside:
		return r.class == Free || !schemaKeywords[r.last]
	case r.class == Free || r.class == Schema:
		return true
	}
	return r.class == Text || r.class == JSONText
}

// build places the plan in as few documents as it fits: a path where a
// document already holds a value of another type (a string where another
// path needs an object) goes to the next.
func build(plan []marked) []map[string]any {
	var docs []map[string]any
	for _, m := range plan {
		st := steps(m.path)
		i := slices.IndexFunc(docs, func(doc map[string]any) bool { return place(doc, st, m.value) })
		if i < 0 {
			doc := map[string]any{}
			place(doc, st, m.value)
			docs = append(docs, doc)
		}
	}
	return docs
}

// markerKey is the member that stands for a map's values ("*").
const markerKey = "marker_key"

// place sets the value at steps in doc, creating the objects and arrays on
// the way; it reports false, changing nothing, when doc holds something
// else there. An array takes a new element when no element has room.
func place(doc map[string]any, st []string, v any) bool {
	_, ok := placeIn(doc, st, v)
	return ok
}

func placeIn(cur any, st []string, v any) (any, bool) {
	if len(st) == 0 {
		return v, cur == nil
	}
	if st[0] == "[]" {
		l, isList := cur.([]any)
		if cur != nil && !isList {
			return nil, false
		}
		for i, e := range l {
			if e == nil {
				continue
			}
			if ne, ok := placeIn(e, st[1:], v); ok {
				l[i] = ne
				return l, true
			}
		}
		e, _ := placeIn(nil, st[1:], v)
		return append(l, e), true
	}
	m, isMap := cur.(map[string]any)
	if cur != nil && !isMap {
		return nil, false
	}
	if m == nil {
		m = map[string]any{}
	}
	name := st[0]
	if name == anyMember {
		name = markerKey
	}
	child, ok := placeIn(m[name], st[1:], v)
	if !ok {
		return nil, false
	}
	m[name] = child
	return m, true
}

// snakeDocs are docs with every member name in snake_case, as protobuf
// JSON also reads them.
func snakeDocs(docs []map[string]any) []map[string]any {
	var snake func(v any) any
	snake = func(v any) any {
		switch v := v.(type) {
		case map[string]any:
			out := make(map[string]any, len(v))
			for k, e := range v {
				out[snakeCase(k)] = snake(e)
			}
			return out
		case []any:
			out := make([]any, len(v))
			for i, e := range v {
				out[i] = snake(e)
			}
			return out
		}
		return v
	}
	out := make([]map[string]any, len(docs))
	for i, doc := range docs {
		out[i] = snake(doc).(map[string]any)
	}
	return out
}

func snakeCase(name string) string {
	var b strings.Builder
	for _, r := range name {
		if unicode.IsUpper(r) {
			b.WriteByte('_')
			r = unicode.ToLower(r)
		}
		b.WriteRune(r)
	}
	return b.String()
}

// The plan and the documents built from it: every marker lands once, a
// string and an array at one path go to two documents, arrays take new
// elements rather than new documents.
func TestMarkerDocuments(t *testing.T) {
	spec := &specPaths{kinds: map[string]pathKind{
		"system": kindString, "system[]": 0, "system[].text": kindString,
		"messages": 0, "messages[]": 0, "messages[].role": kindString, "messages[].content": kindString,
		"messages[].content[]": 0, "messages[].content[].text": kindString, "tools": 0, "tools[]": 0,
		"tools[].parameters": kindFree, "tools[].parameters.type": kindString, "labels": 0, "labels.*": kindString,
	}}
	shape := &Shape{Rules: map[string]Class{
		"system": Text, "system[].text": Text, "messages[].role": ID, "messages[].content": Text,
		"messages[].content[].text": Text, "tools[].parameters": Schema, "labels.*": ID,
	}}
	plan := markerPlan(shape, spec)
	text := map[string]bool{}
	for _, m := range plan {
		text[m.path] = m.text
	}
	want := map[string]bool{
		"system": true, "system[].text": true, "messages[].role": false, "messages[].content": true,
		"messages[].content[].text": true, "tools[].parameters": true, "tools[].parameters.type": false, "labels.*": false,
	}
	if !maps.Equal(text, want) {
		t.Errorf("plan: got %v, want %v", text, want)
	}
	docs := build(plan)
	out, _ := Encode(docs)
	const wantDocs = `[{"labels":{"marker_key":"⟪labels.*⟫"},"messages":[{"content":"⟪messages[].content⟫","role":"⟪messages[].role⟫"},{"content":[{"text":"⟪messages[].content[].text⟫"}]}],"system":"⟪system⟫","tools":[{"parameters":{"note":"⟪tools[].parameters⟫","type":"⟪tools[].parameters.type⟫"}}]},{"system":[{"text":"⟪system[].text⟫"}]}]`
	if string(out) != wantDocs {
		t.Errorf("documents:\n got %s\nwant %s", out, wantDocs)
	}
	if got := snakeCase("systemInstruction"); got != "system_instruction" {
		t.Errorf("snakeCase: %s", got)
	}
}
