package generate

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/kubelb-ai/kubelb-ai/spec"
	"github.com/kubelb-ai/kubelb-ai/templates"
)

// Migration is a gateway read from one target's manifests and rendered for
// another.
type Migration struct {
	From, To string
	Gateway  *spec.AIGateway
	Objects  []Object
	// Notes say what was repaired on the way: known mistakes of KubeLB's
	// tutorials whose meaning is clear (the RateLimitPolicy kind that never
	// existed, secretRef.namespace, a development image tag, a URL rewrite
	// the data plane overrides anyway).
	Notes []string
}

// MigrationError lists everything in the manifests that the new target
// cannot express or that the Spec cannot carry over: migrate changes the
// data plane, never the gateway's meaning, so nothing is dropped silently.
type MigrationError struct {
	From, To string
	Problems []Issue
}

func (e *MigrationError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "cannot migrate from %s to %s without changing what the gateway does:", e.From, e.To)
	for _, p := range e.Problems {
		fmt.Fprintf(&b, "\n  %s", p)
	}
	return b.String()
}

// Migrate reads manifests written for target from ("" detects it with
// DetectTarget) and renders the same gateway for target to.
func Migrate(objs []map[string]any, from, to string) (*Migration, error) {
	if _, err := templates.LookupTarget(to); err != nil {
		return nil, err
	}
	in, err := Import(objs, from)
	if err != nil {
		return nil, err
	}
	m := &Migration{From: in.From, To: to, Notes: in.Notes}
	if len(in.Issues) > 0 {
		return nil, &MigrationError{From: in.From, To: to, Problems: in.Issues}
	}
	g := in.Gateway
	g.Spec.Target = to
	spec.Default(g)
	if err := spec.Check(g); err != nil {
		return nil, &MigrationError{From: in.From, To: to, Problems: specProblems(g, in.From, err)}
	}
	if m.Objects, err = Render(g); err != nil {
		return nil, err
	}
	m.Gateway = g
	return m, nil
}

// Imported is a Spec read from a target's manifests.
type Imported struct {
	From    string
	Gateway *spec.AIGateway
	// Notes say what was repaired (see Migration.Notes).
	Notes []string
	// Issues are what the Spec cannot carry: rendering it gives manifests
	// without them.
	Issues []Issue
}

// Import reads manifests written for target from ("" detects it with
// DetectTarget) into a Spec, repairing the KubeLB tutorial's known mistakes
// as Migrate does.
func Import(objs []map[string]any, from string) (*Imported, error) {
	if from == "" {
		from = DetectTarget(objs)
	}
	if _, err := templates.LookupTarget(from); err != nil {
		return nil, err
	}
	m := &Migration{From: from, To: from}
	repaired, problems := m.repair(objs)
	g, issues, err := Parse(from, repaired)
	if err != nil {
		return nil, fmt.Errorf("reading the manifests as %s: %w", from, err)
	}
	for _, is := range issues {
		if is.MissingSecret == "" {
			problems = append(problems, is)
			continue
		}
		m.note("%s: Secret %s is not among the manifests; the Spec reads the key from the provider's default variable, and rendering writes a Secret with a ${VARIABLE} placeholder (leave it out if the Secret exists in the cluster)", is.Object, is.MissingSecret)
	}
	return &Imported{From: from, Gateway: g, Notes: m.Notes, Issues: problems}, nil
}

// DetectTarget names the target manifests were written for: agentgateway when
// they use agentgateway.dev kinds, kgateway v2.0 when a Backend has v2.0's
// shape (ai.llm.provider, ai.multipool, hostOverride), else kgateway v2.1.
func DetectTarget(objs []map[string]any) string {
	v20 := false
	for _, o := range objs {
		av, _ := o["apiVersion"].(string)
		if strings.HasPrefix(av, "agentgateway.dev/") {
			return templates.Agentgateway
		}
		if kind, _ := o["kind"].(string); kind == "Backend" && strings.HasPrefix(av, "gateway.kgateway.dev/") {
			ai, _ := dig(o, "spec", "ai").(map[string]any)
			llm, _ := ai["llm"].(map[string]any)
			_, provider := llm["provider"]
			_, multipool := ai["multipool"]
			_, hostOverride := llm["hostOverride"]
			v20 = v20 || provider || multipool || hostOverride
		}
	}
	if v20 {
		return templates.KgatewayV20
	}
	return templates.KgatewayV21
}

// repair returns a copy of objs with the tutorials' known mistakes fixed
// where their meaning is clear, noting each fix, and the problems where it
// is not.
func (m *Migration) repair(objs []map[string]any) ([]map[string]any, []Issue) {
	var out []map[string]any
	var problems []Issue
	for _, orig := range objs {
		o, err := deepCopy(orig)
		if err != nil {
			problems = append(problems, Issue{Object: objectID(orig), Message: err.Error()})
			continue
		}
		av, _ := o["apiVersion"].(string)
		kind, _ := o["kind"].(string)
		id := objectID(o)
		ns, _ := dig(o, "metadata", "namespace").(string)
		switch {
		case kind == "RateLimitPolicy" && strings.HasPrefix(av, "gateway.kgateway.dev/"):
			policy, err := m.rateLimitPolicy(o, ns)
			if err != nil {
				problems = append(problems, Issue{Object: id, Message: err.Error()})
				continue
			}
			out = append(out, policy)
			continue
		case kind == "GatewayParameters":
			if image, ok := dig(o, "spec", "kube", "aiExtension", "image").(map[string]any); ok {
				// Render pins the target's release image; a development tag
				// (the tutorial's *-main) is what it replaces.
				if tag, _ := image["tag"].(string); tag != "" {
					delete(image, "tag")
					m.note("%s: AI extension image tag %s dropped: rendering pins the image of the target's release (agentgateway needs none)", id, tag)
				}
			}
		case kind == "HTTPRoute":
			m.dropPathRewrites(o, id)
		}
		walkObjects(o, "", func(path string, node map[string]any) {
			ref, ok := node["secretRef"].(map[string]any)
			if !ok {
				return
			}
			refNS, has := ref["namespace"].(string)
			switch {
			case !has:
			case refNS == ns || refNS == "" || ns == "":
				delete(ref, "namespace")
				m.note("%s: %s.secretRef.namespace removed (a secretRef always names a Secret in the object's own namespace)", id, path)
			default:
				problems = append(problems, Issue{Object: id, Message: fmt.Sprintf("%s.secretRef.namespace %s: a secretRef can only name a Secret in the object's own namespace (%s); move the Secret", path, refNS, ns)})
			}
		})
		out = append(out, o)
	}
	return out, problems
}

func (m *Migration) note(format string, args ...any) {
	m.Notes = append(m.Notes, fmt.Sprintf(format, args...))
}

// rateLimitPolicy rewrites the tutorial's RateLimitPolicy {targetRef,
// limits[{requests, unit}]} as the source target's real rate-limit policy.
func (m *Migration) rateLimitPolicy(o map[string]any, ns string) (map[string]any, error) {
	route, _ := dig(o, "spec", "targetRef", "name").(string)
	if kind, _ := dig(o, "spec", "targetRef", "kind").(string); kind != "HTTPRoute" || route == "" {
		return nil, fmt.Errorf("spec.targetRef: only a RateLimitPolicy targeting an HTTPRoute by name can be migrated")
	}
	limits, _ := dig(o, "spec", "limits").([]any)
	if len(limits) != 1 {
		return nil, fmt.Errorf("spec.limits: %d limits; a route has one request rate limit", len(limits))
	}
	first, _ := limits[0].(map[string]any)
	n, unit, err := spec.ParseRate(fmt.Sprintf("%v/%v", first["requests"], first["unit"]))
	if err != nil {
		return nil, fmt.Errorf("spec.limits[0]: %v", err)
	}
	obj, err := RateLimitFor(m.From, ns, route, spec.RequestLimit{Requests: n, Per: unit})
	if err != nil {
		return nil, err
	}
	out, err := ToMap(obj)
	if err != nil {
		return nil, err
	}
	m.note("%s: RateLimitPolicy (a kind no kgateway release has) read as %d requests per %s on HTTPRoute %s", objectID(o), n, unit, route)
	return out, nil
}

// dropPathRewrites removes URLRewrite filters that only set the request
// path of a rule whose backends are all AI backends: kgateway's AI
// extension overwrites the path with the provider's, and agentgateway
// chooses it by provider, so such a filter never had an effect.
func (m *Migration) dropPathRewrites(o map[string]any, id string) {
	rules, _ := dig(o, "spec", "rules").([]any)
	for i, r := range rules {
		rule, _ := r.(map[string]any)
		filters, _ := rule["filters"].([]any)
		refs, _ := rule["backendRefs"].([]any)
		if len(filters) == 0 || len(refs) == 0 || !slices.ContainsFunc(refs, isAIRef) || slices.ContainsFunc(refs, func(x any) bool { return !isAIRef(x) }) {
			continue
		}
		kept := filters[:0:0]
		for j, f := range filters {
			fm, _ := f.(map[string]any)
			rw, _ := fm["urlRewrite"].(map[string]any)
			if fm["type"] == "URLRewrite" && len(rw) == 1 && rw["path"] != nil {
				m.note("%s: spec.rules[%d].filters[%d] (a path rewrite) removed: the data plane sets the provider's path on AI backends", id, i, j)
				continue
			}
			kept = append(kept, f)
		}
		if len(kept) == 0 {
			delete(rule, "filters")
		} else {
			rule["filters"] = kept
		}
	}
}

func isAIRef(x any) bool {
	ref, _ := x.(map[string]any)
	k := ref["kind"]
	return k == "Backend" || k == "AgentgatewayBackend"
}

// specProblems names, for each complaint of spec.Check about the migrated
// Spec, the object of the manifests it came from.
func specProblems(g *spec.AIGateway, from string, err error) []Issue {
	var out []Issue
	for _, line := range strings.Split(err.Error(), "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		out = append(out, Issue{Object: specObject(g, from, line), Message: line})
	}
	return out
}

// specObject maps the Spec path at the start of msg back to an object of
// the manifests: a backend, a route (whose policies the route's path names)
// or the backend that holds a provider.
func specObject(g *spec.AIGateway, from, msg string) string {
	backendKind := "Backend"
	if tp, _, err := parserFor(from); err == nil {
		_, backendKind, _ = tp.parsedKinds()
	}
	var i, j int
	routes := g.Spec.Routes
	switch {
	case scan2(msg, "spec.routes[%d].backends[%d]", &i, &j) && i < len(routes) && j < len(routes[i].Backends) && routes[i].Backends[j].Name != "":
		return backendKind + "/" + routes[i].Backends[j].Name
	case scan(msg, "spec.routes[%d]", &i) && i < len(routes):
		return "HTTPRoute/" + routes[i].Name
	case scan(msg, "spec.providers[%d]", &i) && i < len(g.Spec.Providers):
		name := g.Spec.Providers[i].Name
		for _, r := range routes {
			for _, b := range r.Backends {
				if slices.Contains(b.Providers, name) && b.Name != "" {
					return backendKind + "/" + b.Name
				}
			}
		}
		return "provider " + name
	}
	return "Gateway/" + g.Spec.Gateway.Name
}

func scan2(s, format string, i, j *int) bool {
	n, _ := fmt.Sscanf(s, format, i, j)
	return n == 2
}

func scan(s, format string, i *int) bool {
	n, _ := fmt.Sscanf(s, format, i)
	return n == 1
}

func objectID(o map[string]any) string {
	kind, _ := o["kind"].(string)
	name, _ := dig(o, "metadata", "name").(string)
	return kind + "/" + name
}

func dig(o map[string]any, path ...string) any {
	var cur any = o
	for _, p := range path {
		m, ok := cur.(map[string]any)
		if !ok {
			return nil
		}
		cur = m[p]
	}
	return cur
}

func deepCopy(o map[string]any) (map[string]any, error) {
	data, err := json.Marshal(o)
	if err != nil {
		return nil, err
	}
	var out map[string]any
	return out, json.Unmarshal(data, &out)
}

// walkObjects calls fn for every object inside v with its field path.
func walkObjects(v any, path string, fn func(string, map[string]any)) {
	switch t := v.(type) {
	case map[string]any:
		fn(path, t)
		keys := slices.Sorted(maps.Keys(t))
		for _, k := range keys {
			p := k
			if path != "" {
				p = path + "." + k
			}
			walkObjects(t[k], p, fn)
		}
	case []any:
		for i, x := range t {
			walkObjects(x, fmt.Sprintf("%s[%d]", path, i), fn)
		}
	}
}
