package crd

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"

	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	"sigs.k8s.io/yaml"

	"github.com/kubelb-ai/kubelb-ai/internal/testenv"

	apiservervalidation "k8s.io/apiextensions-apiserver/pkg/apiserver/validation"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

// compareSchemaPass runs the schema pass on the decoded obj with the
// compiled check and with the walker alone. It returns what differs ("" when
// nothing does) and whether the check proved the document valid.
func compareSchemaPass(t testing.TB, v *version, obj map[string]any) (diff string, fast bool) {
	t.Helper()
	u := decoded(t, v, obj)
	own := v.validateSchema(u)
	upstream := apiservervalidation.ValidateCustomResource(nil, u, v.validator)
	fast = v.schemaCheck().root != nil && v.schemaCheck().root.check(u) == checkOK
	if fast && len(upstream) > 0 {
		return fmt.Sprintf("the check passed what the walker rejects:%s", render(upstream)), fast
	}
	// The walker visits map keys in random order: compare as multisets.
	a, b := sortedRender(own), sortedRender(upstream)
	if !slices.Equal(a, b) {
		return fmt.Sprintf("\nown      %s\nupstream %s", strings.Join(a, ""), strings.Join(b, "")), fast
	}
	return "", fast
}

func sortedRender(errs field.ErrorList) []string {
	out := make([]string, len(errs))
	for i, e := range errs {
		out[i] = render(field.ErrorList{e})
	}
	slices.Sort(out)
	return out
}

// typeMutants returns up to max copies of obj, each with one value replaced
// by one of another type or shape, or too big: strings for numbers and
// numbers for strings, floats, nulls, objects for lists and lists for
// objects, long strings and long lists.
func typeMutants(obj map[string]any, max int) []mutant {
	long := strings.Repeat("a", 5000)
	var all []mutant
	var walk func(path string, v any, set func(any))
	edit := func(path string, set func(any), orig any, tos ...any) {
		for _, to := range tos {
			set(to)
			c, _ := deepCopyJSON(obj)
			all = append(all, mutant{fmt.Sprintf("%s=%.20v", path, to), c})
		}
		set(orig)
	}
	walk = func(path string, v any, set func(any)) {
		switch t := v.(type) {
		case map[string]any:
			for _, k := range slices.Sorted(maps.Keys(t)) {
				if path == "" && (k == "apiVersion" || k == "kind") {
					continue
				}
				walk(path+"."+k, t[k], func(to any) { t[k] = to })
			}
			edit(path, set, t, []any{t}, "x", nil, map[string]any{})
		case []any:
			for i, x := range t {
				walk(fmt.Sprintf("%s[%d]", path, i), x, func(to any) { t[i] = to })
			}
			many := make([]any, 0, 300)
			for len(many) < 300 && len(t) > 0 {
				many = append(many, t...)
			}
			edit(path, set, t, map[string]any{"a": t}, "x", int64(1), nil, many)
		case string:
			edit(path, set, t, int64(7), 1.5, float64(8), true, nil, []any{t}, long, t+"x", strings.ToUpper(t), "-1", "1.2.3.4", "2006-01-02T15:04:05Z", "10s")
		case int64:
			edit(path, set, t, fmt.Sprint(t), float64(t), float64(t)+0.5, nil, int64(-1), int64(1)<<33, true)
		case float64:
			edit(path, set, t, int64(t), nil, "1")
		case bool:
			edit(path, set, t, "true", int64(1), nil)
		}
	}
	walk("", obj, func(any) {})
	if len(all) <= max {
		return all
	}
	out := make([]mutant, 0, max)
	for i := range max {
		out = append(out, all[i*len(all)/max])
	}
	return out
}

// The schema pass finds exactly what the apiserver's walker finds, and the
// compiled check passes only documents the walker passes: every distinct
// custom resource of the repository's test data, by the newest and oldest
// embedded set serving its kind, with the cache tests' variants, the CEL
// test's value mutants and type mutants.
func TestSchemaPassMatchesUpstream(t *testing.T) {
	sets := embeddedSets(t)
	names, docs := corpusDocuments(t)
	checked, fast, invalid := 0, 0, 0
	check := func(name, set string, obj map[string]any) {
		v, _ := sets[set].resolve(obj)
		if v == nil {
			return
		}
		checked++
		d, f := compareSchemaPass(t, v, obj)
		if d != "" {
			t.Errorf("%s (%s):\n%s", name, set, d)
		}
		if f {
			fast++
		} else if len(apiservervalidation.ValidateCustomResource(nil, decoded(t, v, obj), v.validator)) > 0 {
			invalid++
		}
	}
	seen := map[[32]byte]bool{}
	perDocument := 120
	if raceEnabled || testing.Short() {
		perDocument = 30
	}
	for i, obj := range docs {
		serving := servingSets(sets, obj)
		key, ok := contentKey(obj)
		if len(serving) == 0 || !ok || seen[key] {
			continue
		}
		seen[key] = true
		newest, oldest := serving[len(serving)-1], serving[0]
		for _, set := range []string{newest, oldest} {
			check(names[i], set, obj)
			if set == oldest && oldest == newest {
				break
			}
		}
		for vname, variant := range variants(obj) {
			check(names[i]+" "+vname, newest, variant)
		}
		for _, m := range mutants(obj, perDocument/3) {
			check(names[i]+" "+m.name, newest, m.obj)
		}
		for j, m := range typeMutants(obj, perDocument) {
			check(names[i]+" "+m.name, newest, m.obj)
			if j%4 == 0 && oldest != newest {
				check(names[i]+" "+m.name, oldest, m.obj)
			}
		}
	}
	t.Logf("%d schema passes of %d distinct documents: %d proved valid by the check, %d invalid, %d valid but left to the walker",
		checked, len(seen), fast, invalid, checked-fast-invalid)
	if checked < 2000 || invalid < 500 || fast < 500 {
		t.Fatalf("only %d passes (%d fast, %d invalid): the corpus was not found", checked, fast, invalid)
	}
}

// Every embedded kind is either checked fast or says why not; the kinds
// this project generates must be checked fast.
func TestSchemaCheckCoverage(t *testing.T) {
	sets := embeddedSets(t)
	names := make([]string, 0, len(sets))
	for name := range sets {
		names = append(names, name)
	}
	slices.Sort(names)
	fast, total := 0, 0
	for _, name := range names {
		s := sets[name]
		for _, gvk := range s.GVKs() {
			v, err := s.get(gvk)
			if err != nil {
				t.Fatal(err)
			}
			total++
			c := v.schemaCheck()
			if c.root != nil {
				fast++
				t.Logf("%s %s: compiled check", name, gvk.Kind)
				continue
			}
			t.Logf("%s %s: walker only (%v)", name, gvk.Kind, c.err)
			switch gvk.Kind {
			case "Gateway", "HTTPRoute", "GRPCRoute", "ReferenceGrant", "Backend", "TrafficPolicy", "AgentgatewayPolicy", "AgentgatewayBackend", "GatewayParameters":
				t.Errorf("%s %s is not checked fast: %v", name, gvk, c.err)
			}
		}
	}
	t.Logf("%d of %d embedded kinds use the compiled check", fast, total)
}

// FuzzSchemaPassMatchesUpstream feeds arbitrary JSON objects, seeded with
// the corpus's documents of the fuzzed kinds, to both schema passes.
func FuzzSchemaPassMatchesUpstream(f *testing.F) {
	sets := embeddedSets(f)
	_, docs := corpusDocuments(f)
	for i, k := range fuzzKinds {
		for _, obj := range docs {
			if obj["kind"] == k.kind && obj["apiVersion"] == k.apiVersion {
				data, err := json.Marshal(obj)
				if err != nil {
					f.Fatal(err)
				}
				f.Add(uint8(i), data)
			}
		}
	}
	f.Add(uint8(1), []byte(`{"spec":{"listeners":[{"name":"a","port":1.5,"protocol":"HTTP"}]}}`))
	f.Fuzz(func(t *testing.T, which uint8, data []byte) {
		k := fuzzKinds[int(which)%len(fuzzKinds)]
		obj, _ := DecodeYAML(data)
		if obj == nil {
			return
		}
		obj["apiVersion"], obj["kind"] = k.apiVersion, k.kind
		v, _ := sets[k.set].resolve(obj)
		if d, _ := compareSchemaPass(t, v, obj); d != "" {
			t.Errorf("%s", d)
		}
	})
}

// benchGroups are the API groups BenchmarkSchemaPass validates.
var benchGroups = []string{"gateway.networking.k8s.io/", "gateway.kgateway.dev/", "agentgateway.dev/"}

// BenchmarkSchemaPass validates the corpus's Gateways, HTTPRoutes and
// kgateway and agentgateway resources, each with a label that differs every
// time so no result is reused, with the walker alone and with the compiled
// check in front of it: the whole validation, and the schema pass alone.
// Compare cpu-ns/op on a shared machine.
func BenchmarkSchemaPass(b *testing.B) {
	sets := embeddedSets(b)
	_, docs := corpusDocuments(b)
	type item struct {
		s   *Set
		obj map[string]any
	}
	var items []item
	for _, obj := range docs {
		apiVersion, _ := obj["apiVersion"].(string)
		if !slices.ContainsFunc(benchGroups, func(g string) bool { return strings.HasPrefix(apiVersion, g) }) {
			continue
		}
		serving := servingSets(sets, obj)
		if len(serving) == 0 {
			continue
		}
		s := sets[serving[len(serving)-1]]
		if v, _ := s.resolve(obj); v == nil {
			continue
		}
		items = append(items, item{s, obj})
	}
	if len(items) < 40 {
		b.Fatalf("only %d documents", len(items))
	}
	ctx := context.Background()
	for _, mode := range []struct {
		name     string
		upstream bool
	}{{"upstream", true}, {"own", false}} {
		b.Run("validate/"+mode.name, func(b *testing.B) {
			upstreamSchemaPass.Store(mode.upstream)
			defer upstreamSchemaPass.Store(false)
			for _, it := range items {
				it.s.Validate(ctx, it.obj) // compile first
			}
			b.ReportAllocs()
			n := 0
			cpu := testenv.ProcessCPU()
			for b.Loop() {
				it := items[n%len(items)]
				md, _ := it.obj["metadata"].(map[string]any)
				if md != nil {
					md["labels"] = map[string]any{"n": fmt.Sprint(n)}
				}
				it.s.Validate(ctx, it.obj)
				n++
			}
			b.ReportMetric(float64(testenv.ProcessCPU()-cpu)/float64(n), "cpu-ns/op")
		})
		b.Run("schema/"+mode.name, func(b *testing.B) {
			upstreamSchemaPass.Store(mode.upstream)
			defer upstreamSchemaPass.Store(false)
			var us []map[string]any
			var vs []*version
			for _, it := range items {
				v, _ := it.s.resolve(it.obj)
				us = append(us, decoded(b, v, it.obj))
				vs = append(vs, v)
				v.validateSchema(us[len(us)-1])
			}
			b.ReportAllocs()
			n := 0
			cpu := testenv.ProcessCPU()
			for b.Loop() {
				i := n % len(us)
				vs[i].validateSchema(us[i])
				n++
			}
			b.ReportMetric(float64(testenv.ProcessCPU()-cpu)/float64(n), "cpu-ns/op")
		})
	}
}

// Schema features the embedded CRDs use little or not at all: nullable,
// exclusive and fractional bounds, number and integer formats, formats on
// strings and on untyped and int-or-string values, enums of other types,
// property counts, additionalProperties, nested allOf/anyOf/oneOf/not with
// items and properties, and multipleOf (left to the walker).
const schemaCornersCRD = `
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: shapes.example.com}
spec:
  group: example.com
  scope: Namespaced
  names: {kind: Shape, plural: shapes}
  versions:
  - name: v1
    served: true
    storage: true
    schema:
      openAPIV3Schema:
        type: object
        properties:
          spec:
            type: object
            minProperties: 1
            maxProperties: 12
            required: [kind]
            properties:
              kind: {type: string, enum: [a, b, c]}
              n: {type: integer, format: int32, minimum: -3, maximum: 10, exclusiveMaximum: true}
              big: {type: integer, format: int64, minimum: 0.5, maximum: 1e12}
              ratio: {type: number, format: double, minimum: 0, exclusiveMinimum: true, maximum: 1.5}
              single: {type: number, format: float, maximum: 3}
              nul: {type: string, nullable: true, maxLength: 3}
              nullObj: {type: object, nullable: true, properties: {a: {type: integer}}}
              when: {type: string, format: date-time}
              addr: {type: string, format: ipv4}
              dur: {type: string, format: duration}
              id: {type: string, format: uuid}
              host: {type: string, format: hostname}
              name: {type: string, minLength: 2, maxLength: 5, pattern: '^[a-zé]+$'}
              flag: {type: boolean, enum: [true]}
              level: {type: integer, enum: [1, 2, 3]}
              ios:
                x-kubernetes-int-or-string: true
                format: int32
                maxLength: 4
                minimum: 0
                pattern: '^[0-9]+%?$'
              anyv:
                x-kubernetes-preserve-unknown-fields: true
              tags:
                type: object
                maxProperties: 2
                additionalProperties: {type: string, maxLength: 4}
              list:
                type: array
                minItems: 1
                maxItems: 3
                items:
                  type: object
                  properties:
                    a: {type: string}
                    b: {type: integer}
                    c: {type: array, items: {type: string}}
                  oneOf:
                  - required: [a]
                  - required: [b]
                  not:
                    required: [c]
              choice:
                type: object
                properties:
                  p: {type: string}
                  q: {type: string}
                  z: {type: object, properties: {w: {type: integer}}}
                anyOf:
                - required: [p]
                - properties: {q: {minLength: 3}}
                  required: [q]
                allOf:
                - properties: {z: {properties: {w: {maximum: 5}}}}
                - not: {required: [p, q]}
              grid:
                type: array
                items: {type: array, items: {type: integer}}
                allOf:
                - items: {maxItems: 2}
          mult:
            type: object
            properties:
              m: {type: integer, multipleOf: 3}
`

func TestSchemaPassCornersMatchUpstream(t *testing.T) {
	s := NewSet()
	s.uncached = true
	var c apiextensionsv1.CustomResourceDefinition
	if err := yaml.Unmarshal([]byte(schemaCornersCRD), &c); err != nil {
		t.Fatal(err)
	}
	if err := s.AddCRD(&c); err != nil {
		t.Fatal(err)
	}
	docs := []string{
		`{"spec":{"kind":"a"}}`,
		`{"spec":{"kind":"d","n":10,"big":0,"ratio":0,"single":2.5}}`,
		`{"spec":{"kind":"a","n":9,"big":1,"ratio":1.5,"single":1,"nul":null,"nullObj":null,"when":"2006-01-02T15:04:05Z","addr":"1.2.3.4","dur":"10s","id":"6ba7b810-9dad-11d1-80b4-00c04fd430c8","host":"a.b"}}`,
		`{"spec":{"kind":"a","n":-4,"big":1000000000001,"ratio":1.6,"when":"yesterday","addr":"1.2.3","dur":"forever","id":"x","host":"-a-"}}`,
		`{"spec":{"kind":"a","n":9.0,"big":3.0,"ratio":1,"level":2,"flag":true,"name":"été"}}`,
		`{"spec":{"kind":"b","n":9.0,"ratio":1,"level":2,"flag":true,"name":"été","nul":null,"nullObj":null,"when":"2006-01-02T15:04:05Z","addr":"1.2.3.4","dur":"10s","host":"ab"}}`,
		`{"spec":{"kind":"c","n":-3,"ratio":0.5,"nul":"abc","nullObj":{"a":1},"ios":"10%"}}`,
		`{"spec":{"kind":"a","n":2147483648,"level":4,"flag":false,"name":"é","ios":"50%"}}`,
		`{"spec":{"kind":"a","ios":7,"anyv":{"x":[1,"a",null]},"tags":{"a":"b","c":"d"}}}`,
		`{"spec":{"kind":"a","ios":"12345","tags":{"a":"b","c":"d","e":"f"}}}`,
		`{"spec":{"kind":"a","ios":-1.0,"tags":{"a":"toolong"}}}`,
		`{"spec":{"kind":"a","list":[{"a":"x"},{"b":1}]}}`,
		`{"spec":{"kind":"a","list":[{"a":"x","b":1}]}}`,
		`{"spec":{"kind":"a","list":[{"c":["x"]}]}}`,
		`{"spec":{"kind":"a","list":[{"a":"x","c":[]}]}}`,
		`{"spec":{"kind":"a","list":[]}}`,
		`{"spec":{"kind":"a","choice":{"p":"1"}}}`,
		`{"spec":{"kind":"a","choice":{"q":"123"}}}`,
		`{"spec":{"kind":"a","choice":{"q":"12"}}}`,
		`{"spec":{"kind":"a","choice":{"p":"1","q":"123"}}}`,
		`{"spec":{"kind":"a","choice":{"p":"1","z":{"w":6}}}}`,
		`{"spec":{"kind":"a","choice":{"z":{"w":1}}}}`,
		`{"spec":{"kind":"a","grid":[[1,2],[3]]}}`,
		`{"spec":{"kind":"a","grid":[[1,2,3]]}}`,
		`{"spec":{"kind":"a"},"mult":{"m":6}}`,
		`{"spec":{"kind":"a"},"mult":{"m":7}}`,
		`{"spec":{"kind":"a","a":1,"b":2,"c":3,"d":4,"e":5,"f":6,"g":7,"h":8,"i":9,"j":10,"k":11,"l":12}}`,
		`{"spec":{}}`,
	}
	checked := 0
	for _, doc := range docs {
		obj, errs := DecodeYAML([]byte(doc))
		if len(errs) > 0 {
			t.Fatal(doc, errs)
		}
		obj["apiVersion"], obj["kind"] = "example.com/v1", "Shape"
		obj["metadata"] = map[string]any{"name": "s", "namespace": "n"}
		v, _ := s.resolve(obj)
		for _, m := range append([]mutant{{"as written", obj}}, typeMutants(obj, 1000)...) {
			checked++
			if d, _ := compareSchemaPass(t, v, m.obj); d != "" {
				t.Errorf("%s %s:\n%s", doc, m.name, d)
			}
		}
		_, fast := compareSchemaPass(t, v, obj)
		t.Logf("%s fast=%v walker:%s", doc, fast, render(apiservervalidation.ValidateCustomResource(nil, decoded(t, v, obj), v.validator)))
	}
	t.Logf("%d schema passes", checked)
}
