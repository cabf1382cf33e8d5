package agreement

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"go.yaml.in/yaml/v3"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// Case is one document of the corpus.
type Case struct {
	// Source is the seed document the case derives from (file#index).
	Source string
	// GVK of the seed.
	GVK schema.GroupVersionKind
	// Name of the seed object.
	Name string
	// Class is the kind of check the case exercises ("valid" for seeds).
	Class string
	// What describes the mutation.
	What string
	// Doc is the YAML document sent to both sides.
	Doc []byte
}

func (c Case) String() string {
	return fmt.Sprintf("%s %s %s [%s] %s", c.Source, c.GVK.Kind, c.Name, c.Class, c.What)
}

// seed is a valid document the mutations start from.
type seed struct {
	source string
	gvk    schema.GroupVersionKind
	name   string
	root   *yaml.Node
}

// corpusConfig says where a target's corpus comes from.
type corpusConfig struct {
	target    string
	namespace string
	// seedFiles are YAML streams of valid documents (golden manifests and
	// the hand-written seeds under testdata/agreement/seeds).
	seedFiles []string
	// upstream are the CRDs the API server runs, embedded those of kubelb-ai.
	upstream, embedded schemaSet
	seed               uint64
	// limit caps the number of mutated cases (seeds are always kept); 0 keeps all.
	limit int
}

// buildCorpus returns the seeds, every hand-written edit that applies (see
// tables_test.go), and the generated mutations chosen from all candidates
// with a seeded random sample that keeps every class.
func buildCorpus(cfg corpusConfig) ([]Case, error) {
	seeds, err := loadSeeds(cfg)
	if err != nil {
		return nil, err
	}
	var valid, mutants, tabled []Case
	seen := map[string]bool{}
	docSeen := map[string]bool{}
	add := func(s *seed, key, class, what string, doc []byte) {
		k := s.gvk.String() + "|" + key
		if seen[k] || docSeen[string(doc)] {
			return
		}
		seen[k] = true
		docSeen[string(doc)] = true
		c := Case{Source: s.source, GVK: s.gvk, Name: s.name, Class: class, What: what, Doc: doc}
		if strings.HasPrefix(key, "table|") {
			tabled = append(tabled, c)
			return
		}
		mutants = append(mutants, c)
	}
	firstOfKind := map[schema.GroupVersionKind]bool{}
	for _, s := range seeds {
		doc := render(s.root)
		if docSeen[string(doc)] {
			continue
		}
		docSeen[string(doc)] = true
		valid = append(valid, Case{Source: s.source, GVK: s.gvk, Name: s.name, Class: "valid", What: "seed document", Doc: doc})
	}
	for _, s := range seeds {
		g := &generator{seed: s, add: add, seen: func(key string) bool { return seen[s.gvk.String()+"|"+key] }}
		first := !firstOfKind[s.gvk]
		firstOfKind[s.gvk] = true
		if first {
			g.typeMeta(cfg)
			g.objectMeta(cfg.upstream.cluster[s.gvk.GroupKind()])
		}
		for _, set := range []schemaSet{cfg.upstream, cfg.embedded} {
			if sch := set.kinds[s.gvk]; sch != nil {
				if spec := mapGet(s.root, "spec"); spec != nil {
					g.walk(path{"spec"}, spec, property(sch, "spec"))
				}
				g.object(path{}, s.root, sch, false)
				if first {
					g.status(sch)
				}
			}
		}
		if up, emb := cfg.upstream.kinds[s.gvk], cfg.embedded.kinds[s.gvk]; up != nil && emb != nil {
			g.schemaDiff(path{}, s.root, up, emb, 0)
		}
		g.tables()
		g.yamlEdits()
	}
	if cfg.limit > 0 && len(mutants) > cfg.limit {
		mutants = sample(mutants, cfg.limit, cfg.seed)
	}
	return slices.Concat(valid, tabled, mutants), nil
}

// sample picks n cases: classes take turns (in a seeded random order within
// each class), so rare classes are all kept; the result keeps corpus order.
func sample(all []Case, n int, seedValue uint64) []Case {
	r := rand.New(rand.NewPCG(seedValue, 0x6b75626c62))
	byClass := map[string][]int{}
	var classes []string
	for i, c := range all {
		if _, ok := byClass[c.Class]; !ok {
			classes = append(classes, c.Class)
		}
		byClass[c.Class] = append(byClass[c.Class], i)
	}
	sort.Strings(classes)
	for _, c := range classes {
		idx := byClass[c]
		r.Shuffle(len(idx), func(i, j int) { idx[i], idx[j] = idx[j], idx[i] })
	}
	var picked []int
	for len(picked) < n {
		progress := false
		for _, c := range classes {
			if len(byClass[c]) == 0 || len(picked) >= n {
				continue
			}
			picked = append(picked, byClass[c][0])
			byClass[c] = byClass[c][1:]
			progress = true
		}
		if !progress {
			break
		}
	}
	slices.Sort(picked)
	out := make([]Case, len(picked))
	for i, p := range picked {
		out[i] = all[p]
	}
	return out
}

// loadSeeds reads every document of the seed files and puts namespaced
// objects into the target's namespace.
func loadSeeds(cfg corpusConfig) ([]*seed, error) {
	var out []*seed
	for _, f := range cfg.seedFiles {
		data, err := os.ReadFile(f)
		if err != nil {
			return nil, err
		}
		// e.g. golden/agentgateway/single-openai.yaml, seeds/common/x.yaml
		rel := filepath.ToSlash(filepath.Join(filepath.Base(filepath.Dir(filepath.Dir(f))), filepath.Base(filepath.Dir(f)), filepath.Base(f)))
		for i, part := range splitYAML(data) {
			if len(bytes.TrimSpace(part)) == 0 {
				continue
			}
			root, err := parseDoc(part)
			if err != nil {
				return nil, fmt.Errorf("%s document %d: %w", rel, i, err)
			}
			apiVersion, kind := scalar(root, "apiVersion"), scalar(root, "kind")
			gv, err := schema.ParseGroupVersion(apiVersion)
			if err != nil || kind == "" {
				return nil, fmt.Errorf("%s document %d: no apiVersion/kind", rel, i)
			}
			gvk := gv.WithKind(kind)
			md := ensureMap(root, path{"metadata"})
			if cfg.upstream.cluster[gvk.GroupKind()] || gvk.GroupKind() == (schema.GroupKind{Kind: "Namespace"}) {
				mapDelete(md, "namespace")
			} else {
				mapSet(md, "namespace", strNode(cfg.namespace))
			}
			out = append(out, &seed{source: fmt.Sprintf("%s#%d", rel, i), gvk: gvk, name: scalar(md, "name"), root: root})
		}
	}
	return out, nil
}

// splitYAML splits a stream at "---" lines.
func splitYAML(data []byte) [][]byte {
	var docs [][]byte
	var cur bytes.Buffer
	for _, line := range strings.SplitAfter(string(data), "\n") {
		if strings.TrimRight(line, "\r\n") == "---" {
			docs = append(docs, bytes.Clone(cur.Bytes()))
			cur.Reset()
			continue
		}
		cur.WriteString(line)
	}
	return append(docs, cur.Bytes())
}

func scalar(m *yaml.Node, key string) string {
	if v := mapGet(m, key); v != nil && v.Kind == yaml.ScalarNode {
		return v.Value
	}
	return ""
}

// generator produces the mutations of one seed.
type generator struct {
	seed *seed
	add  func(s *seed, key, class, what string, doc []byte)
	seen func(key string) bool
}

// mutate applies fn to a copy of the seed; key deduplicates per kind.
func (g *generator) mutate(key, class, what string, fn func(root *yaml.Node) bool) {
	if g.seen(key) {
		return
	}
	root := cloneNode(g.seed.root)
	if !fn(root) {
		return
	}
	g.add(g.seed, key, class, what, render(root))
}

// set replaces the value at p.
func (g *generator) set(p path, class, what string, v *yaml.Node) {
	g.mutate(class+"|"+p.generic()+"|"+what, class, p.String()+": "+what, func(r *yaml.Node) bool { return setAt(r, p, cloneNode(v)) })
}

// walk generates the schema-driven mutations of the node n at p and below.
func (g *generator) walk(p path, n *yaml.Node, s *apiextensionsv1.JSONSchemaProps) {
	if s == nil || n == nil {
		return
	}
	if n.Tag == "!!null" {
		return
	}
	if len(p) > 0 {
		if s.Nullable {
			g.set(p, "nullable", "explicit null (nullable)", nullNode())
		} else {
			g.set(p, "null", "explicit null (not nullable)", nullNode())
		}
	}
	switch {
	case s.XIntOrString:
		g.intOrString(p, s)
	case s.Type == "object" || (s.Type == "" && n.Kind == yaml.MappingNode):
		g.object(p, n, s, true)
	case s.Type == "array":
		g.array(p, n, s)
	case s.Type == "string":
		g.str(p, n, s)
	case s.Type == "integer" || s.Type == "number":
		g.number(p, n, s)
	case s.Type == "boolean":
		g.set(p, "type", `string "true" for a boolean`, strNode("true"))
		g.set(p, "yaml-1.1", "YAML 1.1 boolean yes", rawNode("yes"))
	}
}

func (g *generator) object(p path, n *yaml.Node, s *apiextensionsv1.JSONSchemaProps, recurse bool) {
	if n.Kind != yaml.MappingNode {
		return
	}
	if len(p) > 0 {
		g.set(p, "type", "string for an object", strNode("not-an-object"))
	}
	if closed(s) {
		g.mutate("unknown|"+p.generic(), "unknown-field", p.child("bogusField").String()+": unknown field", func(r *yaml.Node) bool {
			m := at(r, p)
			m.Content = append(m.Content, strNode("bogusField"), strNode("x"))
			return true
		})
		if len(p) > 0 && p[len(p)-1] == "secretRef" {
			if _, ok := s.Properties["namespace"]; !ok {
				g.mutate("secretRef.namespace|"+p.generic(), "unknown-field", p.child("namespace").String()+": secretRef.namespace is not a field", func(r *yaml.Node) bool {
					mapSet(at(r, p), "namespace", strNode("other"))
					return true
				})
			}
		}
	} else if s.AdditionalProperties != nil && s.AdditionalProperties.Schema != nil && s.AdditionalProperties.Schema.Type == "string" {
		g.mutate("map-value-type|"+p.generic(), "type", p.child("extra").String()+": integer map value", func(r *yaml.Node) bool {
			mapSet(at(r, p), "extra", intNode(1))
			return true
		})
	}
	if len(n.Content) >= 2 && len(p) > 0 {
		k := n.Content[0].Value
		g.mutate("dup|"+p.generic(), "duplicate-key", p.child(k).String()+": key given twice", func(r *yaml.Node) bool {
			m := at(r, p)
			m.Content = append(m.Content, strNode(k), cloneNode(m.Content[1]))
			return true
		})
	}
	for _, req := range s.Required {
		if mapGet(n, req) != nil {
			q := p.child(req)
			g.mutate("required|"+q.generic(), "required", q.String()+": required field removed", func(r *yaml.Node) bool { return deleteAt(r, q) })
		}
	}
	if s.MinProperties != nil && *s.MinProperties > 0 && len(p) > 0 {
		g.set(p, "range", "empty object below minProperties", mapNode())
	}
	if s.MaxProperties != nil && *s.MaxProperties < 16 {
		g.mutate("maxProperties|"+p.generic(), "range", p.String()+": more than maxProperties keys", func(r *yaml.Node) bool {
			m := at(r, p)
			for i := int64(0); int64(len(m.Content)/2) <= *s.MaxProperties; i++ {
				m.Content = append(m.Content, strNode(fmt.Sprintf("k%d", i)), strNode("v"))
			}
			return true
		})
	}
	// Absent fields with a default: an explicit null is pruned and then
	// defaulted by the API server, the default itself is valid.
	var absent []string
	for k, ps := range s.Properties {
		if ps.Default != nil && mapGet(n, k) == nil {
			absent = append(absent, k)
		}
	}
	sort.Strings(absent)
	for i, k := range absent {
		if i >= 2 {
			break
		}
		q := p.child(k)
		g.set(q, "default", "explicit null on a defaulted field", nullNode())
		var def yaml.Node
		if err := yaml.Unmarshal(s.Properties[k].Default.Raw, &def); err == nil && len(def.Content) == 1 {
			g.set(q, "default", "the default written out", def.Content[0])
		}
	}
	if hasRules(s) {
		// Removing every optional field the rules may look at.
		for _, k := range mapKeys(n) {
			if slices.Contains(s.Required, k) {
				continue
			}
			q := p.child(k)
			g.mutate("cel-drop|"+q.generic(), "cel", q.String()+": removed (rules: "+ruleText(s)+")", func(r *yaml.Node) bool { return deleteAt(r, q) })
		}
	}
	if !recurse {
		return
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k := n.Content[i].Value
		g.walk(p.child(k), n.Content[i+1], property(s, k))
	}
}

func (g *generator) array(p path, n *yaml.Node, s *apiextensionsv1.JSONSchemaProps) {
	if n.Kind != yaml.SequenceNode {
		return
	}
	g.set(p, "type", "object for an array", mapNode("a", "b"))
	if s.MinItems != nil && *s.MinItems > 0 {
		g.set(p, "range", fmt.Sprintf("empty list (minItems %d)", *s.MinItems), seqNode())
	}
	if len(n.Content) > 0 && s.MaxItems != nil && *s.MaxItems <= 64 {
		max := *s.MaxItems
		g.mutate("maxItems|"+p.generic(), "range", fmt.Sprintf("%s: %d items (maxItems %d)", p, max+1, max), func(r *yaml.Node) bool {
			l := at(r, p)
			for int64(len(l.Content)) <= max {
				l.Content = append(l.Content, cloneNode(l.Content[0]))
			}
			return true
		})
	}
	if len(n.Content) > 0 {
		lt := ""
		if s.XListType != nil {
			lt = *s.XListType
		}
		class := "list-unique"
		if lt != "map" && lt != "set" {
			class = "list-duplicate"
		}
		g.mutate("dupitem|"+p.generic(), class, fmt.Sprintf("%s: first item repeated (x-kubernetes-list-type %q, keys %v)", p, lt, s.XListMapKeys), func(r *yaml.Node) bool {
			l := at(r, p)
			l.Content = append(l.Content, cloneNode(l.Content[0]))
			return true
		})
	}
	for i, it := range n.Content {
		if i >= 2 {
			break
		}
		g.walk(p.child(i), it, items(s))
	}
}

func (g *generator) str(p path, n *yaml.Node, s *apiextensionsv1.JSONSchemaProps) {
	g.set(p, "type", "integer for a string", intNode(12345))
	if len(s.Enum) > 0 {
		g.set(p, "enum", `"NotAnEnumValue"`, strNode("NotAnEnumValue"))
		var vals []string
		for _, e := range s.Enum {
			var v string
			if err := yaml.Unmarshal(e.Raw, &v); err == nil {
				vals = append(vals, v)
			}
		}
		for i, v := range vals {
			if v == n.Value || i >= 4 {
				continue
			}
			g.set(p, "enum-valid", fmt.Sprintf("other enum value %q", v), strNode(v))
		}
		if len(vals) > 0 {
			if flipped := flipCase(vals[0]); !slices.Contains(vals, flipped) {
				g.set(p, "enum", fmt.Sprintf("enum value in the wrong case %q", flipped), strNode(flipped))
			}
		}
	}
	if s.Format != "" {
		g.set(p, "format", fmt.Sprintf("not a %s", s.Format), strNode("not-a-"+s.Format+"!"))
		if v, ok := validFormat[s.Format]; ok {
			g.set(p, "format-valid", fmt.Sprintf("valid %s %q", s.Format, v), strNode(v))
		}
	}
	if s.MaxLength != nil && *s.MaxLength <= 4096 {
		g.set(p, "range", fmt.Sprintf("length %d (maxLength %d)", *s.MaxLength+1, *s.MaxLength), strNode(lengthLike(n.Value, int(*s.MaxLength)+1)))
		g.set(p, "range-valid", fmt.Sprintf("length %d = maxLength", *s.MaxLength), strNode(lengthLike(n.Value, int(*s.MaxLength))))
	}
	if s.MinLength != nil && *s.MinLength > 0 {
		g.set(p, "range", fmt.Sprintf("length %d (minLength %d)", *s.MinLength-1, *s.MinLength), strNode(lengthLike(n.Value, int(*s.MinLength)-1)))
	}
	if s.Pattern != "" {
		g.set(p, "pattern", fmt.Sprintf("%q against pattern %s", "Not Matching!", s.Pattern), strNode("Not Matching!"))
	}
	if hasRules(s) {
		g.set(p, "cel", fmt.Sprintf(`"x" (rules: %s)`, ruleText(s)), strNode("x"))
	}
}

func (g *generator) number(p path, n *yaml.Node, s *apiextensionsv1.JSONSchemaProps) {
	g.set(p, "type", `quoted number "12"`, strNode("12"))
	if s.Type == "integer" {
		g.set(p, "type", "fraction 1.5 for an integer", floatNode(1.5))
		g.set(p, "type-edge", n.Value+".0 (a float with zero fraction)", rawNode(n.Value+".0"))
	}
	if s.Minimum != nil {
		m := int64(*s.Minimum)
		if s.ExclusiveMinimum {
			g.set(p, "range", fmt.Sprintf("%d (exclusive minimum)", m), intNode(m))
		} else {
			g.set(p, "range", fmt.Sprintf("%d (minimum %d)", m-1, m), intNode(m-1))
			g.set(p, "range-valid", fmt.Sprintf("%d = minimum", m), intNode(m))
		}
	}
	if s.Maximum != nil {
		m := int64(*s.Maximum)
		if s.ExclusiveMaximum {
			g.set(p, "range", fmt.Sprintf("%d (exclusive maximum)", m), intNode(m))
		} else {
			g.set(p, "range", fmt.Sprintf("%d (maximum %d)", m+1, m), intNode(m+1))
			g.set(p, "range-valid", fmt.Sprintf("%d = maximum", m), intNode(m))
		}
	}
	if s.Format == "int32" && s.Maximum == nil {
		g.set(p, "format", "2147483648 (beyond int32)", intNode(1<<31))
	}
	if s.Minimum == nil && s.Type == "integer" {
		g.set(p, "range-valid", "negative -1", intNode(-1))
	}
	if hasRules(s) {
		g.set(p, "cel", fmt.Sprintf("0 (rules: %s)", ruleText(s)), intNode(0))
	}
}

func (g *generator) intOrString(p path, s *apiextensionsv1.JSONSchemaProps) {
	g.set(p, "int-or-string", `string "50%"`, strNode("50%"))
	g.set(p, "int-or-string", "integer 1", intNode(1))
	g.set(p, "int-or-string", `numeric string "80"`, strNode("80"))
	g.set(p, "type", "boolean for int-or-string", boolNode(true))
	g.set(p, "type", "1.5 for int-or-string", floatNode(1.5))
	if s.Pattern != "" {
		g.set(p, "pattern", "Not Matching! for int-or-string", strNode("Not Matching!"))
	}
}

// status: an empty status is dropped on create; unknown fields in it are
// still unknown.
func (g *generator) status(s *apiextensionsv1.JSONSchemaProps) {
	st := property(s, "status")
	if st == nil {
		return
	}
	g.mutate("status-empty", "status", "status: {} on create", func(r *yaml.Node) bool {
		mapSet(r, "status", mapNode())
		return true
	})
	if closed(st) {
		g.mutate("status-unknown", "unknown-field", "status.bogusField: unknown field in status", func(r *yaml.Node) bool {
			mapSet(r, "status", mapNode("bogusField", "x"))
			return true
		})
	}
}

// typeMeta: unknown versions and kinds, and every other served version.
func (g *generator) typeMeta(cfg corpusConfig) {
	gvk := g.seed.gvk
	gv := gvk.GroupVersion()
	g.set(path{"kind"}, "unknown-kind", fmt.Sprintf("kind %q", gvk.Kind+"X"), strNode(gvk.Kind+"X"))
	g.set(path{"kind"}, "unknown-kind", fmt.Sprintf("kind in lower case %q", strings.ToLower(gvk.Kind)), strNode(strings.ToLower(gvk.Kind)))
	g.set(path{"apiVersion"}, "unknown-kind", "version v9", strNode(schema.GroupVersion{Group: gv.Group, Version: "v9"}.String()))
	g.set(path{"apiVersion"}, "unknown-kind", "malformed apiVersion", strNode(gv.String()+"/extra"))
	if gv.Group != "" {
		g.set(path{"apiVersion"}, "unknown-kind", "group only, no version", strNode(gv.Group))
	}
	for _, v := range cfg.upstream.versions(gvk.Group, gvk.Kind) {
		if v != gvk.Version {
			g.set(path{"apiVersion"}, "version", "other served version "+v, strNode(schema.GroupVersion{Group: gvk.Group, Version: v}.String()))
		}
	}
}

// objectMeta: the metadata rules every kind shares (names, labels,
// annotations, fields the server sets itself).
func (g *generator) objectMeta(clusterScoped bool) {
	md := path{"metadata"}
	name := md.child("name")
	dns1035 := g.seed.gvk.Group == "" && g.seed.gvk.Kind == "Service"
	type m struct {
		class, what string
		p           path
		v           *yaml.Node
	}
	for _, c := range []m{
		{"metadata-name", "upper case", name, strNode("Bad-Name")},
		{"metadata-name", "underscore", name, strNode("bad_name")},
		{"metadata-name", "dots (DNS subdomain)", name, strNode("a.b.c")},
		{"metadata-name", "starts with a digit", name, strNode("1abc")},
		{"metadata-name", "63 characters", name, strNode(strings.Repeat("a", 63))},
		{"metadata-name", "64 characters", name, strNode(strings.Repeat("a", 64))},
		{"metadata-name", "253 characters", name, strNode(strings.Repeat("a", 253))},
		{"metadata-name", "254 characters", name, strNode(strings.Repeat("a", 254))},
		{"metadata-name", "trailing dash", name, strNode("abc-")},
		{"metadata-name", "empty", name, strNode("")},
		{"metadata-name", "integer", name, intNode(42)},
		{"metadata", "labels: invalid key", md.child("labels"), mapNode("bad key!", "x")},
		{"metadata", "labels: value of 64 characters", md.child("labels"), mapNode("a", strings.Repeat("v", 64))},
		{"metadata", "labels: value with a space", md.child("labels"), mapNode("a", "b c")},
		{"metadata", "labels: prefixed key", md.child("labels"), mapNode("example.com/a", "b")},
		{"metadata", "labels: integer value", md.child("labels"), mapNode("a", 1)},
		{"metadata", "labels: null value", md.child("labels"), mapNode("a", nil)},
		{"metadata", "labels: a list", md.child("labels"), seqNode("a")},
		{"metadata", "annotations: invalid key", md.child("annotations"), mapNode("bad key!", "x")},
		{"metadata", "annotations: free text value", md.child("annotations"), mapNode("example.com/note", "any text: at all, even {braces}")},
		{"metadata", "annotations: boolean value", md.child("annotations"), mapNode("a", true)},
		{"metadata", "finalizers: not a qualified name", md.child("finalizers"), seqNode("bad finalizer!")},
		{"metadata", "finalizers: qualified", md.child("finalizers"), seqNode("example.com/cleanup")},
		{"metadata", "resourceVersion set on create", md.child("resourceVersion"), strNode("12345")},
		{"metadata", "uid set on create", md.child("uid"), strNode("0b8e6d2c-5f0e-4a4e-9f2b-1f0c1c3a2b7d")},
		{"metadata", "generation set", md.child("generation"), intNode(7)},
		{"metadata", "creationTimestamp null", md.child("creationTimestamp"), nullNode()},
		{"metadata", "creationTimestamp not a time", md.child("creationTimestamp"), strNode("yesterday")},
		{"metadata", "ownerReferences without uid", md.child("ownerReferences"), seqNode(mapNode("apiVersion", "v1", "kind", "ConfigMap", "name", "owner"))},
		{"metadata", "managedFields of the wrong type", md.child("managedFields"), strNode("x")},
		{"unknown-field", "metadata.bogusField: unknown field", md.child("bogusField"), strNode("x")},
		{"duplicate-key", "metadata.name given twice", nil, nil},
		{"metadata", "metadata is a string", md, strNode("x")},
	} {
		if c.p == nil {
			g.mutate("md-dupname", c.class, c.what, func(r *yaml.Node) bool {
				m := at(r, md)
				m.Content = append(m.Content, strNode("name"), strNode("other-name"))
				return true
			})
			continue
		}
		what := c.what
		if dns1035 && c.class == "metadata-name" {
			what += " (Service: DNS-1035 label)"
		}
		g.set(c.p, c.class, what, c.v)
	}
	if clusterScoped {
		g.set(md.child("namespace"), "metadata", "namespace on a cluster-scoped object", strNode("some-namespace"))
		g.set(md.child("namespace"), "metadata", "invalid namespace on a cluster-scoped object", strNode("Not_A_Namespace"))
	}
	g.mutate("md-noname", "metadata-name", "metadata.name removed", func(r *yaml.Node) bool { return mapDelete(at(r, md), "name") })
	g.mutate("md-generatename", "metadata-name", "generateName instead of name", func(r *yaml.Node) bool {
		m := at(r, md)
		mapDelete(m, "name")
		mapSet(m, "generateName", strNode(g.seed.name+"-"))
		return true
	})
	g.mutate("md-generatename-bad", "metadata-name", "generateName with upper case", func(r *yaml.Node) bool {
		m := at(r, md)
		mapDelete(m, "name")
		mapSet(m, "generateName", strNode("Bad-"))
		return true
	})
	g.mutate("top-unknown", "unknown-field", "bogusField: unknown top-level field", func(r *yaml.Node) bool {
		mapSet(r, "bogusField", strNode("x"))
		return true
	})
	g.mutate("top-dup-kind", "duplicate-key", "kind given twice", func(r *yaml.Node) bool {
		r.Content = append(r.Content, strNode("kind"), strNode(g.seed.gvk.Kind))
		return true
	})
	if spec := mapGet(g.seed.root, "spec"); spec != nil {
		g.mutate("top-dup-spec", "duplicate-key", "spec given twice (the second one empty)", func(r *yaml.Node) bool {
			r.Content = append(r.Content, strNode("spec"), mapNode())
			return true
		})
		g.mutate("spec-null", "null", "spec: null", func(r *yaml.Node) bool { return setAt(r, path{"spec"}, nullNode()) })
		g.mutate("spec-list", "type", "spec is a list", func(r *yaml.Node) bool { return setAt(r, path{"spec"}, seqNode("a")) })
	}
}

var validFormat = map[string]string{
	"date-time": "2024-05-06T07:08:09Z",
	"ipv4":      "192.0.2.10",
	"ipv6":      "2001:db8::10",
	"duration":  "1h30m",
}

// lengthLike returns a string of n characters that keeps the shape of v
// (lower-case letters, so most patterns still match).
func lengthLike(v string, n int) string {
	if n <= 0 {
		return ""
	}
	base := strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' {
			return r
		}
		return -1
	}, strings.ToLower(v))
	if base == "" {
		base = "a"
	}
	return strings.Repeat(base, n/len(base)+1)[:n]
}

func flipCase(s string) string {
	if s == "" {
		return s
	}
	if f := strings.ToLower(s); f != s {
		return f
	}
	return strings.ToUpper(s)
}
