package crd

import (
	"context"
	"encoding/json"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"

	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/validation/field"
	celconfig "k8s.io/apiserver/pkg/apis/cel"
	"sigs.k8s.io/yaml"

	"github.com/kubelb-ai/kubelb-ai/internal/testenv"
	"github.com/kubelb-ai/kubelb-ai/schemas"
)

// embedded holds one uncached Set per embedded CRD set, built once: both
// CEL evaluators run on the same compiled versions, so a difference can only
// come from evaluation.
var embedded struct {
	once sync.Once
	sets map[string]*Set
	err  error
}

func embeddedSets(t testing.TB) map[string]*Set {
	t.Helper()
	embedded.once.Do(func() {
		embedded.sets = map[string]*Set{}
		for _, name := range schemas.Sets() {
			crds, err := schemas.Served(name)
			if err != nil {
				embedded.err = err
				return
			}
			s := NewSet()
			s.uncached = true
			for _, c := range crds {
				s.AddLazy(c.Served, c.Decode)
			}
			embedded.sets[name] = s
		}
	})
	if embedded.err != nil {
		t.Fatal(embedded.err)
	}
	return embedded.sets
}

// servingSets names the embedded sets serving obj's kind, sorted.
func servingSets(sets map[string]*Set, obj map[string]any) []string {
	apiVersion, _ := obj["apiVersion"].(string)
	kind, _ := obj["kind"].(string)
	gv, err := schema.ParseGroupVersion(apiVersion)
	if err != nil || kind == "" {
		return nil
	}
	var out []string
	for name, s := range sets {
		if s.Lookup(gv.WithKind(kind)) {
			out = append(out, name)
		}
	}
	sort.Strings(out)
	return out
}

// compareCEL validates obj with both evaluators, through the whole pipeline
// (when whole is set) and through the CEL step alone (on the pruned and
// defaulted object, even where schema errors would keep CEL from running).
// It returns what differs, or "" when the findings are identical, and how
// many findings the CEL step had.
func compareCEL(t testing.TB, s *Set, obj map[string]any, whole bool) (diff string, found int) {
	t.Helper()
	v, errs := s.resolve(obj)
	if v == nil {
		return "", 0
	}
	ctx := context.Background()
	var diffs []string
	if whole {
		validate := func(upstream bool) field.ErrorList {
			r, err := v.resultFor(ctx, obj, upstream)
			if err != nil {
				t.Fatal(err)
			}
			return append(append(slices.Clone(errs), r.decodeErrs...), r.schemaErrs...)
		}
		if d := findingsDiff(validate(false), validate(true)); d != "" {
			diffs = append(diffs, "validate: "+d)
		}
	}
	u := decoded(t, v, obj)
	own, _ := v.validateCEL(ctx, u, false)
	upstream, _ := v.validateCEL(ctx, u, true)
	if d := findingsDiff(own, upstream); d != "" {
		diffs = append(diffs, "CEL step: "+d)
	}
	return strings.Join(diffs, "\n"), len(own)
}

// stopped marks the findings after which no rule runs (a spent budget or
// cost limit).
const stopped = "no further validation rules will be run"

// findingsDiff compares own against the apiserver's findings. The
// apiserver visits map keys in Go's random order, so its findings are put
// in a canonical order first: stably by field path. Findings at one path
// come from one schema node or its ancestors' rules with a fieldPath, whose
// order is fixed, so nothing else is reordered. When a budget ran out,
// which rules ran before depends on that random order; then only the stop
// itself must agree.
func findingsDiff(own, upstream field.ErrorList) string {
	if stop := containsDetail(upstream, stopped); stop || containsDetail(own, stopped) {
		if stop != containsDetail(own, stopped) {
			return fmt.Sprintf("stopped early in one only:\nown      %s\nupstream %s", render(own), render(upstream))
		}
		return ""
	}
	a, b := canonical(own), canonical(upstream)
	if len(a) == len(b) {
		same := true
		for i := range a {
			if !reflect.DeepEqual(a[i], b[i]) {
				same = false
				break
			}
		}
		if same {
			return ""
		}
	}
	return fmt.Sprintf("\nown      %s\nupstream %s", render(a), render(b))
}

func containsDetail(errs field.ErrorList, s string) bool {
	return slices.ContainsFunc(errs, func(e *field.Error) bool { return strings.Contains(e.Detail, s) })
}

func canonical(errs field.ErrorList) field.ErrorList {
	out := slices.Clone(errs)
	sort.SliceStable(out, func(i, j int) bool { return out[i].Field < out[j].Field })
	return out
}

func render(errs field.ErrorList) string {
	var b strings.Builder
	for _, e := range errs {
		fmt.Fprintf(&b, "\n  %s %s %#v %q origin=%q", e.Type, e.Field, e.BadValue, e.Detail, e.Origin)
	}
	return b.String()
}

// corpusDocuments returns every decodable document of the repository's
// test data with an apiVersion and kind, by file and index.
func corpusDocuments(t testing.TB) (names []string, docs []map[string]any) {
	t.Helper()
	root, err := testenv.ModuleRoot()
	if err != nil {
		t.Fatal(err)
	}
	for _, dir := range []string{"testdata", "validate/testdata", "test", "docs", "templates"} {
		_ = filepath.WalkDir(filepath.Join(root, dir), func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() || !(strings.HasSuffix(p, ".yaml") || strings.HasSuffix(p, ".yml")) {
				return nil
			}
			data, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			rel, _ := filepath.Rel(root, p)
			for i, doc := range splitDocuments(data) {
				obj, _ := DecodeYAML(doc.data)
				if obj == nil || obj["kind"] == nil {
					continue
				}
				names = append(names, fmt.Sprintf("%s#%d", rel, i))
				docs = append(docs, obj)
			}
			return nil
		})
	}
	return names, docs
}

// The CEL evaluator finds exactly what the apiserver's does: for every
// distinct custom resource in the repository's test data, validated by
// every embedded CRD set serving its kind (with -race or -short, the newest
// and the oldest); with planted defects by the newest set serving it; and
// with CEL-directed mutations of its values by the newest and the oldest
// (fewer with -race or -short).
func TestCELMatchesUpstream(t *testing.T) {
	sets := embeddedSets(t)
	names, docs := corpusDocuments(t)
	checked, withFindings := 0, 0
	check := func(name string, s *Set, obj map[string]any, whole bool) {
		checked++
		d, found := compareCEL(t, s, obj, whole)
		if d != "" {
			t.Errorf("%s:\n%s", name, d)
		}
		if found > 0 {
			withFindings++
		}
	}
	kinds := map[string]bool{}
	seen := map[[32]byte]bool{}
	for i, obj := range docs {
		serving := servingSets(sets, obj)
		key, ok := contentKey(obj)
		if len(serving) == 0 || !ok || seen[key] {
			continue
		}
		seen[key] = true
		kinds[fmt.Sprint(obj["apiVersion"], " ", obj["kind"])] = true
		newest, oldest := serving[len(serving)-1], serving[0]
		for _, set := range serving {
			if (raceEnabled || testing.Short()) && set != newest && set != oldest {
				continue
			}
			check(fmt.Sprintf("%s (%s)", names[i], set), sets[set], obj, true)
		}
		for vname, variant := range variants(obj) {
			check(fmt.Sprintf("%s (%s) %s", names[i], newest, vname), sets[newest], variant, true)
		}
		perDocument := 40
		if raceEnabled || testing.Short() {
			perDocument = 8
		}
		for j, m := range mutants(obj, perDocument) {
			check(fmt.Sprintf("%s (%s) %s", names[i], newest, m.name), sets[newest], m.obj, false)
			if oldest != newest && j%4 == 0 {
				check(fmt.Sprintf("%s (%s) %s", names[i], oldest, m.name), sets[oldest], m.obj, false)
			}
		}
	}
	t.Logf("%d validations of %d distinct documents of %d kinds, %d with CEL findings", checked, len(seen), len(kinds), withFindings)
	if checked < 2000 || withFindings < 500 {
		t.Fatalf("only %d validations, %d with CEL findings: the corpus was not found", checked, withFindings)
	}
}

func decoded(t testing.TB, v *version, obj map[string]any) map[string]any {
	u, err := deepCopyJSON(obj)
	if err != nil {
		t.Fatal(err)
	}
	v.decode(u)
	if v.hasStatus {
		delete(u, "status")
	}
	return u
}

type mutant struct {
	name string
	obj  map[string]any
}

// mutants returns up to max copies of obj, each with one change of the kind
// CEL rules check: a string made empty, a path, a host or another value of
// the document; a number out of range; a key removed; a list emptied or
// with its first item repeated.
func mutants(obj map[string]any, max int) []mutant {
	var strs []string
	collectStrings(obj, &strs)
	var all []mutant
	var walk func(path string, v any, set func(any))
	edit := func(path string, set func(any), to any) {
		set(to)
		c, _ := deepCopyJSON(obj)
		all = append(all, mutant{fmt.Sprintf("%s=%v", path, to), c})
	}
	walk = func(path string, v any, set func(any)) {
		switch t := v.(type) {
		case map[string]any:
			for _, k := range slices.Sorted(maps.Keys(t)) {
				x := t[k]
				if path == "" && (k == "apiVersion" || k == "kind") {
					continue
				}
				walk(path+"."+k, x, func(to any) { t[k] = to })
				delete(t, k)
				c, _ := deepCopyJSON(obj)
				all = append(all, mutant{"without " + path + "." + k, c})
				t[k] = x
			}
		case []any:
			for i, x := range t {
				walk(fmt.Sprintf("%s[%d]", path, i), x, func(to any) { t[i] = to })
			}
			if len(t) > 0 {
				edit(path, set, []any{})
				edit(path, set, append(slices.Clone(t), t[0]))
				set(t)
			}
		case string:
			for _, to := range []string{"", "/a//b", "UPPER.example.com", "*", "1", strs[len(path)%len(strs)]} {
				edit(path, set, to)
			}
			set(t)
		case int64:
			for _, to := range []int64{0, -1, 65536, 1 << 40} {
				edit(path, set, to)
			}
			set(t)
		case bool:
			edit(path, set, !t)
			set(t)
		}
	}
	walk("", obj, func(any) {})
	if len(all) <= max {
		return all
	}
	// An even sample, the same every run.
	out := make([]mutant, 0, max)
	for i := range max {
		out = append(out, all[i*len(all)/max])
	}
	return out
}

func collectStrings(v any, out *[]string) {
	switch t := v.(type) {
	case map[string]any:
		for _, k := range slices.Sorted(maps.Keys(t)) {
			collectStrings(t[k], out)
		}
	case []any:
		for _, x := range t {
			collectStrings(x, out)
		}
	case string:
		*out = append(*out, t)
	}
}

// Rules in every corner of a schema: on list items, map values
// (additionalProperties), embedded resources, values kept by
// x-kubernetes-preserve-unknown-fields; with fieldPath, reason,
// messageExpression (good, empty, failing, too long), a runtime error, an
// int-or-string overload error, a transition rule (skipped on CREATE) and
// one with optionalOldSelf (run, with oldSelf none), a rule that does not
// compile, and a rule too costly for the per-call limit.
const cornersCRD = `
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: corners.example.com}
spec:
  group: example.com
  scope: Namespaced
  names: {kind: Corner, plural: corners}
  versions:
  - name: v1
    served: true
    storage: true
    schema:
      openAPIV3Schema:
        type: object
        x-kubernetes-validations:
        - {rule: "self.metadata.name != 'forbidden'", message: name is forbidden, reason: FieldValueForbidden}
        - {rule: "!has(self.spec) || !has(self.spec.size) || self.spec.size < 100", fieldPath: .spec.size, messageExpression: "'size ' + string(self.spec.size) + ' is too big'"}
        properties:
          spec:
            type: object
            x-kubernetes-validations:
            - {rule: "!has(self.size) || self.size != 13", messageExpression: "''", message: unlucky}
            - {rule: "!has(self.size) || self.size != 14", messageExpression: "string(1/0)", message: fallback}
            - {rule: "!has(self.size) || self.size != 15", messageExpression: "'LONG'", message: too long}
            - {rule: "!has(self.size) || self.size != 16", messageExpression: "'line\\nbreak'", message: newline}
            - {rule: "!has(self.size) || 10 / (self.size - 17) > -100"}
            - {rule: "self == oldSelf", message: immutable}
            - {rule: "!oldSelf.hasValue() || oldSelf.value() == self", optionalOldSelf: true, message: optional}
            - {rule: "!has(self.size) || self.size != 18", optionalOldSelf: true, message: optional but plain}
            - {rule: "self.nope(", message: broken}
            - {rule: "!has(self.size) || self.size != 19", reason: FieldValueRequired, message: required}
            - {rule: "!has(self.size) || self.size != 20", reason: FieldValueDuplicate}
            - {rule: "!has(self.size) || self.size != 21", reason: FieldValueInvalid, message: "  padded message  "}
            properties:
              size: {type: integer}
              ios:
                x-kubernetes-int-or-string: true
                x-kubernetes-validations:
                - {rule: "self > 3", message: ios above 3}
              items:
                type: array
                items:
                  type: object
                  properties:
                    name: {type: string}
                    port: {type: integer}
                  x-kubernetes-validations:
                  - {rule: "self.port > 0", message: port must be positive}
                  - {rule: "self.name.startsWith('p-')", fieldPath: ".name", message: "name must start with p-"}
                x-kubernetes-list-type: map
                x-kubernetes-list-map-keys: [name]
                x-kubernetes-validations:
                - {rule: "self.all(i, i.port < 60000)", message: ports below 60000}
              labels:
                type: object
                additionalProperties:
                  type: string
                  x-kubernetes-validations:
                  - {rule: "self.size() < 8", message: value too long}
                x-kubernetes-validations:
                - {rule: "!('bad' in self)", fieldPath: "['bad']", message: no bad key}
              template:
                type: object
                x-kubernetes-embedded-resource: true
                x-kubernetes-preserve-unknown-fields: true
                x-kubernetes-validations:
                - {rule: "self.kind == 'Pod'", message: only pods}
                - {rule: "self.metadata.name.size() < 10", message: short names}
              free:
                type: object
                x-kubernetes-preserve-unknown-fields: true
                properties:
                  known: {type: string}
                x-kubernetes-validations:
                - {rule: "!has(self.known) || self.known != 'x'", message: known is not x}
              words:
                type: array
                items: {type: string}
                x-kubernetes-validations:
                - {rule: "self.all(w, self.all(x, self.all(y, self.all(z, w + x + y + z != 'never'))))", message: too costly}
`

func TestCELCornersMatchUpstream(t *testing.T) {
	var c apiextensionsv1.CustomResourceDefinition
	if err := yaml.Unmarshal([]byte(strings.Replace(cornersCRD, "LONG", strings.Repeat("x", 6000), 1)), &c); err != nil {
		t.Fatal(err)
	}
	s := NewSet()
	s.uncached = true
	if err := s.AddCRD(&c); err != nil {
		t.Fatal(err)
	}
	words := make([]any, 40)
	for i := range words {
		words[i] = strings.Repeat("w", i)
	}
	base := `{"apiVersion":"example.com/v1","kind":"Corner","metadata":{"name":"c","namespace":"n"}}`
	docs := []string{
		base,
		`{"apiVersion":"example.com/v1","kind":"Corner","metadata":{"name":"forbidden"},"spec":{"size":100}}`,
		`{"apiVersion":"example.com/v1","kind":"Corner","metadata":{"name":"c"},"spec":{"size":13,"ios":"a"}}`,
		`{"apiVersion":"example.com/v1","kind":"Corner","metadata":{"name":"c"},"spec":{"size":14,"ios":2}}`,
		`{"apiVersion":"example.com/v1","kind":"Corner","metadata":{"name":"c"},"spec":{"size":15}}`,
		`{"apiVersion":"example.com/v1","kind":"Corner","metadata":{"name":"c"},"spec":{"size":16}}`,
		`{"apiVersion":"example.com/v1","kind":"Corner","metadata":{"name":"c"},"spec":{"size":17}}`,
		`{"apiVersion":"example.com/v1","kind":"Corner","metadata":{"name":"c"},"spec":{"size":18}}`,
		`{"apiVersion":"example.com/v1","kind":"Corner","metadata":{"name":"c"},"spec":{"size":19}}`,
		`{"apiVersion":"example.com/v1","kind":"Corner","metadata":{"name":"c"},"spec":{"size":20}}`,
		`{"apiVersion":"example.com/v1","kind":"Corner","metadata":{"name":"c"},"spec":{"size":21}}`,
		`{"apiVersion":"example.com/v1","kind":"Corner","metadata":{"name":"c"},"spec":{"items":[{"name":"a","port":0},{"name":"p-b","port":70000}]}}`,
		`{"apiVersion":"example.com/v1","kind":"Corner","metadata":{"name":"c"},"spec":{"labels":{"bad":"x","ok":"waytoolongvalue","z":"toolongalso"}}}`,
		`{"apiVersion":"example.com/v1","kind":"Corner","metadata":{"name":"c"},"spec":{"template":{"apiVersion":"v1","kind":"Service","metadata":{"name":"averylongname"},"x":1}}}`,
		`{"apiVersion":"example.com/v1","kind":"Corner","metadata":{"name":"c"},"spec":{"free":{"known":"x","other":{"deep":true}}}}`,
	}
	ctx := context.Background()
	for _, doc := range docs {
		obj, errs := DecodeYAML([]byte(doc))
		if len(errs) > 0 {
			t.Fatal(errs)
		}
		if d, _ := compareCEL(t, s, obj, true); d != "" {
			t.Errorf("%s:\n%s", doc, d)
		}
		v, _ := s.resolve(obj)
		got, _ := v.validateCEL(ctx, decoded(t, v, obj), false)
		t.Logf("%s%s", doc, render(got))
	}

	// Past the per-call cost limit, and past a small total budget: the
	// stop, and everything before it, is the apiserver's.
	obj, _ := DecodeYAML([]byte(base))
	obj["spec"] = map[string]any{"words": words}
	v, _ := s.resolve(obj)
	u := decoded(t, v, obj)
	own, _ := v.validateCEL(ctx, u, false)
	upstream, _ := v.validateCEL(ctx, u, true)
	if !reflect.DeepEqual(own, upstream) || !containsDetail(own, "call cost exceeds limit") {
		t.Errorf("per-call limit:\nown      %s\nupstream %s", render(own), render(upstream))
	}
	for _, budget := range []int64{0, 1, 5, 50} {
		obj, _ := DecodeYAML([]byte(`{"apiVersion":"example.com/v1","kind":"Corner","metadata":{"name":"c"},"spec":{"size":13,"items":[{"name":"a","port":0}]}}`))
		u := decoded(t, v, obj)
		own := v.celRules().Validate(ctx, u, budget)
		upstream, _ := v.celValidator().Validate(ctx, nil, v.structural, u, nil, budget)
		if !reflect.DeepEqual(own, upstream) {
			t.Errorf("budget %d:\nown      %s\nupstream %s", budget, render(own), render(upstream))
		}
	}
	_ = celconfig.RuntimeCELCostBudget
}

// fuzzKinds are the kinds FuzzCELMatchesUpstream validates: those with the
// most rules, from the newest embedded sets.
var fuzzKinds = []struct{ set, apiVersion, kind string }{
	{"gateway-api/v1.5.1/standard", "gateway.networking.k8s.io/v1", "HTTPRoute"},
	{"gateway-api/v1.5.1/standard", "gateway.networking.k8s.io/v1", "Gateway"},
	{"gateway-api/v1.5.1/experimental", "gateway.networking.k8s.io/v1", "HTTPRoute"},
	{"kgateway/v2.1.2", "gateway.kgateway.dev/v1alpha1", "TrafficPolicy"},
	{"kgateway/v2.1.2", "gateway.kgateway.dev/v1alpha1", "Backend"},
	{"agentgateway/v1.4.1", "agentgateway.dev/v1alpha1", "AgentgatewayPolicy"},
	{"agentgateway/v1.4.1", "agentgateway.dev/v1alpha1", "AgentgatewayBackend"},
}

// FuzzCELMatchesUpstream feeds arbitrary JSON objects, seeded with the
// corpus's documents of the fuzzed kinds, to both CEL evaluators.
func FuzzCELMatchesUpstream(f *testing.F) {
	sets := embeddedSets(f)
	_, docs := corpusDocuments(f)
	for i, k := range fuzzKinds {
		if !sets[k.set].Lookup(mustGVK(k.apiVersion, k.kind)) {
			f.Fatalf("%s does not serve %s %s", k.set, k.apiVersion, k.kind)
		}
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
	f.Add(uint8(0), []byte(`{"spec":{"rules":[{"matches":[{"path":{"type":"Exact","value":"/a//b"}}]}]}}`))
	f.Fuzz(func(t *testing.T, which uint8, data []byte) {
		k := fuzzKinds[int(which)%len(fuzzKinds)]
		obj, _ := DecodeYAML(data)
		if obj == nil {
			return
		}
		obj["apiVersion"], obj["kind"] = k.apiVersion, k.kind
		if d, _ := compareCEL(t, sets[k.set], obj, true); d != "" {
			t.Errorf("%s", d)
		}
	})
}

func mustGVK(apiVersion, kind string) schema.GroupVersionKind {
	gv, err := schema.ParseGroupVersion(apiVersion)
	if err != nil {
		panic(err)
	}
	return gv.WithKind(kind)
}

// BenchmarkCEL validates the corpus's Gateways and HTTPRoutes, each with a
// label that differs every time so no result is reused, with the
// apiserver's CEL validator and with celRules: the whole validation, and
// the CEL step alone. On a shared machine compare cpu-ns/op (the process's
// CPU time, garbage collection included) rather than ns/op.
func BenchmarkCEL(b *testing.B) {
	sets := embeddedSets(b)
	s := sets["gateway-api/v1.5.1/standard"]
	_, docs := corpusDocuments(b)
	var objs []map[string]any
	for _, obj := range docs {
		if obj["apiVersion"] == "gateway.networking.k8s.io/v1" && (obj["kind"] == "HTTPRoute" || obj["kind"] == "Gateway") {
			objs = append(objs, obj)
		}
	}
	if len(objs) < 20 {
		b.Fatalf("only %d Gateways and HTTPRoutes", len(objs))
	}
	ctx := context.Background()
	for _, mode := range []struct {
		name     string
		upstream bool
	}{{"upstream", true}, {"own", false}} {
		b.Run("validate/"+mode.name, func(b *testing.B) {
			s.upstreamCEL = mode.upstream
			defer func() { s.upstreamCEL = false }()
			for _, obj := range objs {
				s.Validate(ctx, obj) // compile first
			}
			b.ReportAllocs()
			n := 0
			cpu := testenv.ProcessCPU()
			for b.Loop() {
				obj := objs[n%len(objs)]
				md := obj["metadata"].(map[string]any)
				md["labels"] = map[string]any{"n": fmt.Sprint(n)}
				s.Validate(ctx, obj)
				n++
			}
			b.ReportMetric(float64(testenv.ProcessCPU()-cpu)/float64(n), "cpu-ns/op")
		})
		b.Run("cel/"+mode.name, func(b *testing.B) {
			var us []map[string]any
			var vs []*version
			for _, obj := range objs {
				v, _ := s.resolve(obj)
				us = append(us, decoded(b, v, obj))
				vs = append(vs, v)
				v.validateCEL(ctx, us[len(us)-1], mode.upstream)
			}
			b.ReportAllocs()
			n := 0
			cpu := testenv.ProcessCPU()
			for b.Loop() {
				i := n % len(us)
				vs[i].validateCEL(ctx, us[i], mode.upstream)
				n++
			}
			b.ReportMetric(float64(testenv.ProcessCPU()-cpu)/float64(n), "cpu-ns/op")
		})
	}
}
