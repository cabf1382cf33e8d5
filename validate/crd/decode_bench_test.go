package crd

import (
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"

	yamlv2 "go.yaml.in/yaml/v2"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/kubelb-ai/kubelb-ai/internal/testenv"
)

// decodeYAMLBefore is DecodeYAML before it converted every document
// directly: only documents of strings, integers, booleans and nulls under
// string keys skipped the JSON round trip. Kept to measure the change.
func decodeYAMLBefore(doc []byte) (map[string]any, field.ErrorList) {
	var y any
	if yamlv2.UnmarshalStrict(doc, &y) == nil {
		if m, ok := y.(map[any]any); ok {
			if obj, ok := beforePlainObject(m); ok {
				return obj, nil
			}
		}
	}
	return decodeViaJSON(doc)
}

func beforePlainObject(m map[any]any) (map[string]any, bool) {
	out := make(map[string]any, len(m))
	for k, v := range m {
		key, ok := k.(string)
		if !ok || !utf8.ValidString(key) {
			return nil, false
		}
		if out[key], ok = beforePlainValue(v); !ok {
			return nil, false
		}
	}
	return out, true
}

func beforePlainValue(v any) (any, bool) {
	switch t := v.(type) {
	case nil, bool:
		return t, true
	case string:
		return t, utf8.ValidString(t)
	case int:
		return int64(t), true
	case int64:
		return t, true
	case map[any]any:
		return beforePlainObject(t)
	case []any:
		out := make([]any, len(t))
		for i, x := range t {
			var ok bool
			if out[i], ok = beforePlainValue(x); !ok {
				return nil, false
			}
		}
		return out, true
	}
	return nil, false
}

// floatDocument is a ConfigMap-like document whose values are mostly
// floats (weights, ratios, thresholds), some integral.
func floatDocument() []byte {
	var b strings.Builder
	b.WriteString("apiVersion: example.com/v1\nkind: Tuning\nmetadata:\n  name: weights\nspec:\n  buckets:\n")
	for i := range 100 {
		fmt.Fprintf(&b, "  - {le: %d.5, weight: 0.%03d, ratio: %de-3, scale: %d.0, name: b%d}\n", i, i, i+1, i, i)
	}
	return []byte(b.String())
}

// nonStringKeyDocument has integer, boolean and float keys, anchors and a
// merge key, as hand-written values files do.
func nonStringKeyDocument() []byte {
	var b strings.Builder
	b.WriteString("apiVersion: example.com/v1\nkind: Table\nmetadata: {name: codes}\ndefaults: &d {retry: true, timeout: 2.5}\nspec:\n")
	for i := range 100 {
		fmt.Fprintf(&b, "  %d: {<<: *d, %t: on, 1.5: x%d, code: %d}\n", 200+i, i%2 == 0, i, i)
	}
	return []byte(b.String())
}

func goldenDocuments(b *testing.B) [][]byte {
	root, err := testenv.ModuleRoot()
	if err != nil {
		b.Fatal(err)
	}
	files, _ := filepath.Glob(filepath.Join(root, "testdata", "golden", "*", "*.yaml"))
	var docs [][]byte
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			b.Fatal(err)
		}
		for _, d := range splitDocuments(data) {
			if len(strings.TrimSpace(string(d.data))) > 0 {
				docs = append(docs, d.data)
			}
		}
	}
	if len(docs) == 0 {
		b.Fatal("no golden manifests")
	}
	return docs
}

// BenchmarkDecodeYAML compares DecodeYAML ("direct") with the decoder it
// replaced ("before"). The golden corpus is decoded whole per iteration.
func BenchmarkDecodeYAML(b *testing.B) {
	inputs := []struct {
		name string
		docs func(*testing.B) [][]byte
	}{
		{"golden", goldenDocuments},
		{"floats", func(*testing.B) [][]byte { return [][]byte{floatDocument()} }},
		{"nonStringKeys", func(*testing.B) [][]byte { return [][]byte{nonStringKeyDocument()} }},
	}
	for _, in := range inputs {
		docs := in.docs(b)
		for _, dec := range []struct {
			name string
			fn   func([]byte) (map[string]any, field.ErrorList)
		}{{"before", decodeYAMLBefore}, {"direct", DecodeYAML}} {
			b.Run(in.name+"/"+dec.name, func(b *testing.B) {
				n := 0
				for _, d := range docs {
					n += len(d)
				}
				b.SetBytes(int64(n))
				b.ReportAllocs()
				for b.Loop() {
					for _, d := range docs {
						dec.fn(d)
					}
				}
			})
		}
	}
}

// The benchmark's documents decode as the JSON round trip decodes them.
func TestBenchmarkDocumentsMatchTwoPass(t *testing.T) {
	for _, doc := range [][]byte{floatDocument(), nonStringKeyDocument()} {
		got, gotErrs := DecodeYAML(doc)
		want, wantErrs := decodeYAMLTwoPass(doc)
		if !reflect.DeepEqual(got, want) || fmt.Sprint(gotErrs) != fmt.Sprint(wantErrs) || len(wantErrs) > 0 {
			t.Errorf("got %v %v\nwant %v %v", got, gotErrs, want, wantErrs)
		}
	}
}
