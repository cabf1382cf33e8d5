package crd

import (
	"errors"
	"fmt"
	"reflect"
	"testing"

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

func FuzzDecodeYAMLMatchesTwoPass(f *testing.F) {
	for _, s := range []string{
		"", "a: 1", "a: 1\na: 2\n", "a: {b: 1, b: 2}\nc: [1, 1.0, 1e3, 1e30, -0, .inf]\n",
		"base: &b {x: 1}\nm:\n  <<: *b\n  x: 2\n", "m:\n  <<: {x: 1}\n  y: 2\n", "true: 1\n",
		"a: [unclosed\n", "- 1\n- 2\n", "a: yes\nb: 0777\nc: 2001-12-14\nd: !!binary aGk=\n", "a: \"\\xff\"\n",
		`{"a": 1, "a": 2}`, "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x, name: y}\n", "a: 9223372036854775808\n",
	} {
		f.Add([]byte(s))
	}
	// Not a seed: "1: a\n'1': b\n". Both conversions turn the keys 1 and
	// '1' into the JSON key "1" in Go map order, so which value survives is
	// random in either (as in the API server).
	f.Fuzz(func(t *testing.T, doc []byte) {
		got, gotErrs := DecodeYAML(doc)
		want, wantErrs := decodeYAMLTwoPass(doc)
		if !reflect.DeepEqual(got, want) || fmt.Sprint(gotErrs) != fmt.Sprint(wantErrs) {
			for range 20 {
				if again, _ := decodeYAMLTwoPass(doc); !reflect.DeepEqual(again, want) {
					t.Skip("keys that collide in JSON: the reference decoder is random here too")
				}
			}
			t.Errorf("%q:\n got %#v %v\nwant %#v %v", doc, got, gotErrs, want, wantErrs)
		}
	})
}
