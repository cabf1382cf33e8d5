package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"sigs.k8s.io/yaml"
)

// A fault is one mistake planted in one document of a file; the corpus
// records which file carries which fault so each tool's catch can be counted.
type fault struct {
	name string
	// kind is the document kind the fault is planted in.
	kind string
	// what the fault is, for the report.
	what string
	// apply edits the decoded document; text edits the encoded YAML (for
	// mistakes a map cannot hold, such as a repeated key).
	apply func(obj map[string]any, n int)
	text  func(doc []byte) []byte
}

var faults = []fault{
	{name: "type", kind: "Gateway", what: `listener port "eighty" (string for an integer)`, apply: func(o map[string]any, _ int) {
		listeners(o)[0].(map[string]any)["port"] = "eighty"
	}},
	{name: "enum", kind: "Backend", what: `Backend spec.type "Bogus" (not in the enum)`, apply: func(o map[string]any, _ int) {
		o["spec"].(map[string]any)["type"] = "Bogus"
	}},
	{name: "unknown-field", kind: "HTTPRoute", what: `rules[0].backendRef (typo of backendRefs)`, apply: func(o map[string]any, _ int) {
		r := rules(o)[0].(map[string]any)
		r["backendRef"] = r["backendRefs"]
	}},
	{name: "name", kind: "HTTPRoute", what: `metadata.name "Bad_Name-N" (not DNS-1123)`, apply: func(o map[string]any, n int) {
		o["metadata"].(map[string]any)["name"] = fmt.Sprintf("Bad_Name-%d", n)
	}},
	{name: "duplicate-key", kind: "Gateway", what: `spec.gatewayClassName given twice`, text: func(doc []byte) []byte {
		return bytes.Replace(doc, []byte("\n  gatewayClassName: "), []byte("\n  gatewayClassName: other\n  gatewayClassName: "), 1)
	}},
	{name: "cel", kind: "HTTPRoute", what: `path "/v1//chat" (Gateway API CEL rule: no '//')`, apply: func(o map[string]any, _ int) {
		m := rules(o)[0].(map[string]any)["matches"].([]any)[0].(map[string]any)
		m["path"] = map[string]any{"type": "PathPrefix", "value": "/v1//chat"}
	}},
	{name: "cel-kgateway", kind: "Backend", what: `two providers in one Backend (kgateway CEL: exactly one)`, apply: func(o map[string]any, _ int) {
		ai, _ := o["spec"].(map[string]any)["ai"].(map[string]any)
		if llm, ok := ai["llm"].(map[string]any); ok {
			llm["anthropic"] = map[string]any{"authToken": map[string]any{"kind": "Passthrough"}, "model": "claude-3-5-haiku-latest"}
			return
		}
		// A priority-group Backend: give its first provider a second one.
		pg := ai["priorityGroups"].([]any)[0].(map[string]any)["providers"].([]any)[0].(map[string]any)
		pg["anthropic"] = map[string]any{"authToken": map[string]any{"kind": "Passthrough"}, "model": "claude-3-5-haiku-latest"}
	}},
	{name: "list-map", kind: "Gateway", what: `two listeners named alike (x-kubernetes-list-map key)`, apply: func(o map[string]any, _ int) {
		l := o["spec"].(map[string]any)["listeners"].([]any)
		dup := map[string]any{}
		for k, v := range l[0].(map[string]any) {
			dup[k] = v
		}
		dup["port"] = int64(18080)
		o["spec"].(map[string]any)["listeners"] = append(l, dup)
	}},
}

func listeners(o map[string]any) []any { return o["spec"].(map[string]any)["listeners"].([]any) }
func rules(o map[string]any) []any     { return o["spec"].(map[string]any)["rules"].([]any) }

// template is one golden manifest file without its Secrets: the documents
// of one generated AI gateway.
type template struct {
	name string
	docs []map[string]any
}

func loadTemplates(dir string) ([]template, error) {
	files, err := filepath.Glob(filepath.Join(dir, "*.yaml"))
	if err != nil {
		return nil, err
	}
	sort.Strings(files)
	var out []template
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			return nil, err
		}
		docs, err := splitYAML(data)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", f, err)
		}
		t := template{name: strings.TrimSuffix(filepath.Base(f), ".yaml")}
		for _, d := range docs {
			var m map[string]any
			if err := yaml.Unmarshal(d, &m); err != nil {
				return nil, fmt.Errorf("%s: %w", f, err)
			}
			if av, _ := m["apiVersion"].(string); !strings.Contains(av, "/") {
				continue // a core kind (Secret, ConfigMap): kubeconform would need Kubernetes' own schemas
			}
			t.docs = append(t.docs, m)
		}
		out = append(out, t)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no templates in %s", dir)
	}
	return out, nil
}

// corpus describes a generated corpus.
type corpus struct {
	dir   string
	docs  int
	files int
	bytes int64
	// faulty maps a file (relative to dir) to its fault's name.
	faulty map[string]string
	kinds  map[string]int
}

// writeCorpus writes n documents into dir, one file per copy of a template
// (a whole gateway: Gateway, GatewayParameters, Backends, HTTPRoutes,
// TrafficPolicies), each copy in its own namespace so names and references
// stay unique and resolvable. Every faultEvery-th file (0: none) carries one
// fault, rotating through faults. With distinct, every document also gets a
// label naming its copy, so that no two documents have the same content
// (kubelb-ai validates identical content once per namespace-free key).
func writeCorpus(dir string, templates []template, n, faultEvery int, distinct bool) (*corpus, error) {
	c := &corpus{dir: dir, faulty: map[string]string{}, kinds: map[string]int{}}
	nextFault := 0
	for i := 0; c.docs < n; i++ {
		t := templates[i%len(templates)]
		docs := t.docs
		if rest := n - c.docs; len(docs) > rest {
			docs = docs[:rest]
		}
		ns := fmt.Sprintf("team-%05d", i)
		var f *fault
		if faultEvery > 0 && i%faultEvery == faultEvery-1 {
			// The next fault whose kind this file has.
			for tries := 0; tries < len(faults) && f == nil; tries++ {
				cand := &faults[nextFault%len(faults)]
				nextFault++
				for _, d := range docs {
					if d["kind"] == cand.kind {
						f = cand
						break
					}
				}
			}
		}
		var buf bytes.Buffer
		planted := false
		for _, d := range docs {
			obj := deepCopy(d).(map[string]any)
			obj["metadata"].(map[string]any)["namespace"] = ns
			if distinct {
				md := obj["metadata"].(map[string]any)
				labels, _ := md["labels"].(map[string]any)
				if labels == nil {
					labels = map[string]any{}
					md["labels"] = labels
				}
				labels["bench.kubelb-ai.dev/copy"] = fmt.Sprint(i)
			}
			var text func([]byte) []byte
			if f != nil && !planted && obj["kind"] == f.kind {
				planted = true
				if f.apply != nil {
					f.apply(obj, i)
				}
				text = f.text
			}
			y, err := yaml.Marshal(obj)
			if err != nil {
				return nil, err
			}
			if text != nil {
				y = text(y)
			}
			if buf.Len() > 0 {
				buf.WriteString("---\n")
			}
			buf.Write(y)
			c.kinds[obj["kind"].(string)]++
			c.docs++
		}
		name := fmt.Sprintf("%05d-%s.yaml", i, t.name)
		if err := os.WriteFile(filepath.Join(dir, name), buf.Bytes(), 0o644); err != nil {
			return nil, err
		}
		if planted {
			c.faulty[name] = f.name
		}
		c.files++
		c.bytes += int64(buf.Len())
	}
	return c, nil
}

func deepCopy(v any) any {
	switch v := v.(type) {
	case map[string]any:
		m := make(map[string]any, len(v))
		for k, e := range v {
			m[k] = deepCopy(e)
		}
		return m
	case []any:
		l := make([]any, len(v))
		for i, e := range v {
			l[i] = deepCopy(e)
		}
		return l
	}
	return v
}
