package crd

import (
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"

	yamlv2 "go.yaml.in/yaml/v2"
	"k8s.io/apimachinery/pkg/util/validation/field"
	kjson "sigs.k8s.io/json"
	"sigs.k8s.io/yaml"
)

// decodeYAMLTwoPass is DecodeYAML as it was first written: the lenient and
// the strict conversion always both run. DecodeYAML runs the lenient one only
// when the strict one fails, and must decode every input the same way.
func decodeYAMLTwoPass(doc []byte) (map[string]any, field.ErrorList) {
	data, err := yaml.YAMLToJSON(doc)
	if err != nil {
		return nil, field.ErrorList{decodeError(nil, err.Error())}
	}
	var errs field.ErrorList
	if _, err := yaml.YAMLToJSONStrict(doc); err != nil {
		e := field.Invalid(nil, field.OmitValueType{}, err.Error())
		e.Origin = OriginDuplicateField
		errs = append(errs, e)
	}
	var obj map[string]any
	strictErrs, err := kjson.UnmarshalStrict(data, &obj)
	if err != nil {
		return nil, append(errs, decodeError(nil, err.Error()))
	}
	for _, se := range strictErrs {
		p := "<nil>"
		var fe kjson.FieldError
		if errors.As(se, &fe) {
			p = fe.FieldPath()
		}
		errs = append(errs, &field.Error{Type: field.ErrorTypeInvalid, Field: p, BadValue: field.OmitValueType{}, Detail: se.Error(), Origin: OriginDuplicateField})
	}
	return obj, errs
}

// decodeShapes holds a document of every shape DecodeYAML converts without
// the JSON round trip; they seed the fuzz test.
var decodeShapes = []string{
	"", "a: 1", "a: 1\na: 2\n", "a: {b: 1, b: 2}\nc: [1, 1.0, 1e3, 1e30, -0, .inf]\n",
	"base: &b {x: 1}\nm:\n  <<: *b\n  x: 2\n", "m:\n  <<: {x: 1}\n  y: 2\n", "true: 1\n",
	"a: [unclosed\n", "- 1\n- 2\n", "a: yes\nb: 0777\nc: 2001-12-14\nd: !!binary aGk=\n", "a: \"\\xff\"\n",
	`{"a": 1, "a": 2}`, "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x, name: y}\n", "a: 9223372036854775808\n",
	// floats: integral ones come back from JSON as int64 when their
	// shortest text fits one
	"f: [0.5, -0.0, 1.0, 2.5e-7, 1e-6, 1e20, 1e21, 123456789012345678.0, 9223372036854775807.0, 9.223372036854775e18, -9.3e18]\n",
	"f: [.nan]\n", "f: -.inf\n", "a: {z: .nan, b: [-.inf]}\n", "n: !!float 3\ni: !!int 3\n",
	// integers: YAML 1.1 octal, hex, binary, sexagesimal, underscores, big
	"i: [0o17, 017, 0x1F, -0x1F, 0b101, 190:20:30, 1_000, 18446744073709551615, 18446744073709551616, -9223372036854775809]\n",
	// keys that are not strings
	"1: a\n2.5: b\nfalse: c\n.inf: d\n-.inf: e\n.nan: f\n0x10: g\n0.1: i\n", "1e40: h\n", "? [a]\n: 1\n", "? {a: 1}\n: 1\n",
	"~: 1\n", "null: 1\n", "18446744073709551615: 1\n", "m: {1: {~: x}}\n",
	// anchors, aliases, merges
	"a: &a [1, 2]\nb: *a\nc: *a\n", "x: &x {a: 1}\ny: &y {b: 2}\nz:\n  <<: [*x, *y]\n  a: 3\n", "<<: {a: 1}\n", "a: 1\n<<: {a: 2}\n",
	"a: *missing\n", "a: &a [*a]\n", "m: {<<: 1}\n",
	// strings: multi-line, quoted, escapes, binary, timestamps, tags
	"s: |\n  line one\n  line two\nt: >-\n  folded\n  text\n", "s: 'it''s'\nt: \"\\u00e9\\t\\x00\"\n", "b: !!binary /+7/\n",
	"t: 2001-12-14t21:59:43.10-05:00\nu: !!timestamp 2001-12-14\nv: !!timestamp nope\n", "s: !custom 12\nt: !!str 12\n", "bad: !!binary \"@@\"\n",
	// bytes that are not UTF-8 (only !!binary makes them): JSON turns each
	// into U+FFFD, so keys may collide there
	"e: !!binary /v8=\nk: {!!binary /w==: 1, !!binary /g==: 2, \"\\uFFFD\": 3, !!binary 77+9: 4}\n",
	"l: [{!!binary /w==: 1, !!binary /g==: {!!binary gA==: 1, !!binary gQ==: 2, !!binary gYE=: 3}}]\nm: {!!binary gIA=: [], !!binary gYE=: {}}\n",
	"? !!binary /w==\n: {a: 1, a: 2}\n? !!binary /g==\n: {b: .5}\n",
	// documents that are not mappings
	"just a string\n", "42\n", "4.5\n", "true\n", "~\n", "[1, {a: 1}]\n", "[.nan]\n", "- {1: 2}\n- {~: 1}\n", "--- !!map {}\n", "{}\n", "[]\n",
	// duplicates, nested and in lists
	"a:\n  b: 1\n  b: 2\n  c: [{d: 1, d: 2}]\na: 3\n", "{1: a, 1: b}\n", "{1: a, 1.0: b}\n",
}

func FuzzDecodeYAMLMatchesTwoPass(f *testing.F) {
	for _, s := range decodeShapes {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, doc []byte) {
		before := directFallbacks.Load()
		got, gotErrs := DecodeYAML(doc)
		if directFallbacks.Load() != before {
			t.Errorf("%q took the JSON round trip", doc)
		}
		want, wantErrs := decodeYAMLTwoPass(doc)
		if !reflect.DeepEqual(got, want) || fmt.Sprint(gotErrs) != fmt.Sprint(wantErrs) {
			if keysCollide(doc) {
				t.Skip("keys that collide as strings: the reference decoder is random here too")
			}
			t.Errorf("%q:\n got %#v %v\nwant %#v %v", doc, got, gotErrs, want, wantErrs)
		}
	})
}

// keysCollide reports whether a mapping of doc has two keys that
// sigs.k8s.io/yaml turns into the same string (1, 1.0 and "1"). It keeps one
// of them in Go's map order, so the reference's result is random then, as
// the API server's is; so is which of two unsupported keys it reports.
func keysCollide(doc []byte) bool {
	var y any
	if yamlv2.Unmarshal(doc, &y) != nil {
		return false
	}
	unsupported := 0 // the first one met is reported: with two, random
	var walk func(v any) bool
	walk = func(v any) bool {
		switch t := v.(type) {
		case []any:
			return slices.ContainsFunc(t, walk)
		case map[any]any:
			keys := map[string]bool{}
			for k, x := range t {
				if walk(x) {
					return true
				}
				s, ok := jsonKey(k)
				if !ok {
					unsupported++
				} else if keys[s] {
					return true
				}
				keys[s] = true
			}
		}
		return unsupported > 1
	}
	return walk(y)
}

// A document nested deeper than the JSON decoder allows (10,000 levels;
// yaml.v2 allows 10,000 block and 10,000 flow levels, and aliases add their
// anchor's depth) is the one shape left to the JSON round trip, whose
// syntax error it then reports; one level less is converted.
func TestDecodeYAMLTooDeepTakesJSON(t *testing.T) {
	for _, depth := range []int{maxJSONDepth, maxJSONDepth + 1} {
		// The top mapping, y's lists, then x's.
		inner, outer := 4999, depth-1-4999
		doc := []byte("x: &x " + strings.Repeat("[", inner) + strings.Repeat("]", inner) + "\ny: " + strings.Repeat("[", outer) + "*x" + strings.Repeat("]", outer) + "\n")
		before := directFallbacks.Load()
		got, gotErrs := DecodeYAML(doc)
		if fell := directFallbacks.Load() != before; fell != (depth > maxJSONDepth) {
			t.Errorf("depth %d: took the JSON round trip: %v", depth, fell)
		}
		want, wantErrs := decodeYAMLTwoPass(doc)
		if !reflect.DeepEqual(got, want) || fmt.Sprint(gotErrs) != fmt.Sprint(wantErrs) || (len(wantErrs) > 0) != (depth > maxJSONDepth) {
			t.Errorf("depth %d: got %v %v, want %v %v", depth, got == nil, gotErrs, want == nil, wantErrs)
		}
	}
}
