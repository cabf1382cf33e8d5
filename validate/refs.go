package validate

import (
	"fmt"
	"slices"
	"strings"

	"github.com/kubelb-ai/kubelb-ai/validate/loader"
)

// Reference rule IDs. The API server accepts dangling references (the
// gateway reports them later as ResolvedRefs=False), so these are warnings
// unless Options.Strict makes them errors.
const (
	RuleDuplicate     = "duplicate-object"
	RuleRefUnresolved = "ref-unresolved"
	RuleRefInvalid    = "ref-invalid"
	RuleRefGrant      = "ref-grant"
	RuleRefSecretKey  = "ref-secret-key"
	RuleFailoverMixed = "failover-mixed"
	RulePolicyClash   = "policy-conflict"
)

const gatewayGroup = "gateway.networking.k8s.io"

type objKey struct{ group, kind, namespace, name string }

// refIndex finds objects of the input set by group, kind, namespace and name.
type refIndex struct {
	objs map[objKey]*loader.Document
}

func groupOf(apiVersion string) string {
	if g, _, ok := strings.Cut(apiVersion, "/"); ok {
		return g
	}
	return "" // core, "v1"
}

func newRefIndex(docs []*loader.Document) *refIndex {
	idx := &refIndex{objs: map[objKey]*loader.Document{}}
	for _, d := range docs {
		av, kind := d.Kind()
		ns, name := d.Name()
		k := objKey{groupOf(av), kind, ns, name}
		if _, dup := idx.objs[k]; !dup {
			idx.objs[k] = d
		}
	}
	return idx
}

func (x *refIndex) get(group, kind, ns, name string) *loader.Document {
	return x.objs[objKey{group, kind, ns, name}]
}

// references checks the links between the documents of one run.
func (v *Validator) references(docs []*loader.Document) []Finding {
	idx := newRefIndex(docs)
	var out []Finding
	seen := map[objKey]*loader.Document{}
	for _, d := range docs {
		av, kind := d.Kind()
		ns, name := d.Name()
		f := func(path, rule, msg, fix string) {
			line, col := d.Position(path)
			out = append(out, Finding{File: d.File, Line: line, Column: col, Object: objectName(d), Path: path, Severity: SeverityWarning, Rule: rule, Message: msg, Fix: fix})
		}
		k := objKey{groupOf(av), kind, ns, name}
		if first, dup := seen[k]; dup && name != "" {
			f("metadata.name", RuleDuplicate, fmt.Sprintf("%s %s is defined twice (first at %s:%d); the second silently replaces the first when applied", kind, name, first.File, first.Line), "")
		}
		seen[k] = d
		spec, _ := d.Object["spec"].(map[string]any)
		switch {
		case groupOf(av) == gatewayGroup && kind == "Gateway":
			v.checkGatewayRefs(idx, d, spec, f)
		case groupOf(av) == gatewayGroup && kind == "HTTPRoute":
			v.checkRouteRefs(idx, d, spec, f)
		case kind == "TrafficPolicy" || kind == "AgentgatewayPolicy":
			checkPolicyTargets(idx, d, spec, f)
		}
		checkSecretRefs(idx, d, f)
		if groupOf(av) == "gateway.kgateway.dev" && kind == "Backend" {
			checkKgatewayFailover(spec, f)
		}
	}
	out = append(out, policyClashes(docs)...)
	return out
}

type reporter func(path, rule, msg, fix string)

func (v *Validator) checkGatewayRefs(idx *refIndex, d *loader.Document, spec map[string]any, f reporter) {
	ns, _ := d.Name()
	infra, _ := spec["infrastructure"].(map[string]any)
	ref, _ := infra["parametersRef"].(map[string]any)
	if ref == nil {
		return
	}
	group, _ := ref["group"].(string)
	kind, _ := ref["kind"].(string)
	name, _ := ref["name"].(string)
	if idx.get(group, kind, ns, name) == nil {
		f("spec.infrastructure.parametersRef", RuleRefUnresolved, fmt.Sprintf("parametersRef %s %s is not among the inputs (it must be in namespace %q)", kind, name, ns), "")
	}
}

// checkRouteRefs checks an HTTPRoute's parents and backends.
func (v *Validator) checkRouteRefs(idx *refIndex, d *loader.Document, spec map[string]any, f reporter) {
	routeNS, _ := d.Name()
	parents, _ := spec["parentRefs"].([]any)
	for i, p := range parents {
		ref, _ := p.(map[string]any)
		path := fmt.Sprintf("spec.parentRefs[%d]", i)
		group, kind, ns, name := refParts(ref, gatewayGroup, "Gateway", routeNS)
		if group != gatewayGroup || kind != "Gateway" {
			continue
		}
		gw := idx.get(group, kind, ns, name)
		if gw == nil {
			f(path, RuleRefUnresolved, fmt.Sprintf("parent Gateway %s/%s is not among the inputs", ns, name), "")
			continue
		}
		gspec, _ := gw.Object["spec"].(map[string]any)
		listeners, _ := gspec["listeners"].([]any)
		section, _ := ref["sectionName"].(string)
		port, hasPort := ref["port"].(int64)
		var names []string
		matched := false
		for _, l := range listeners {
			lm, _ := l.(map[string]any)
			lname, _ := lm["name"].(string)
			lport, _ := lm["port"].(int64)
			names = append(names, fmt.Sprintf("%s:%d", lname, lport))
			if (section == "" || section == lname) && (!hasPort || port == lport) {
				matched = true
				if from := allowedFrom(lm); from == "Same" && ns != routeNS {
					f(path, RuleRefInvalid, fmt.Sprintf("listener %s of Gateway %s/%s only admits routes from its own namespace (allowedRoutes: Same), this route is in %s", lname, ns, name, routeNS),
						"set allowedRoutes.namespaces.from: All on the listener, or move the route to namespace "+ns)
				}
			}
		}
		if !matched {
			f(path, RuleRefInvalid, fmt.Sprintf("Gateway %s/%s has no listener matching sectionName %q port %v (listeners: %s)", ns, name, section, ref["port"], strings.Join(names, ", ")),
				"use one of the Gateway's listener names or ports")
		}
	}
	rules, _ := spec["rules"].([]any)
	for i, r := range rules {
		rm, _ := r.(map[string]any)
		refs, _ := rm["backendRefs"].([]any)
		for j, b := range refs {
			ref, _ := b.(map[string]any)
			path := fmt.Sprintf("spec.rules[%d].backendRefs[%d]", i, j)
			v.checkBackendRef(idx, routeNS, path, ref, f)
		}
	}
}

func allowedFrom(listener map[string]any) string {
	ar, _ := listener["allowedRoutes"].(map[string]any)
	nss, _ := ar["namespaces"].(map[string]any)
	if from, ok := nss["from"].(string); ok {
		return from
	}
	return "Same"
}

// refParts applies a reference's defaults: group and kind of the API, and
// the referring object's namespace.
func refParts(ref map[string]any, defGroup, defKind, defNS string) (group, kind, ns, name string) {
	group, kind, ns = defGroup, defKind, defNS
	if g, ok := ref["group"].(string); ok {
		group = g
	}
	if k, ok := ref["kind"].(string); ok {
		kind = k
	}
	if n, ok := ref["namespace"].(string); ok && n != "" {
		ns = n
	}
	name, _ = ref["name"].(string)
	return group, kind, ns, name
}

func (v *Validator) checkBackendRef(idx *refIndex, routeNS, path string, ref map[string]any, f reporter) {
	group, kind, ns, name := refParts(ref, "", "Service", routeNS)
	wantGroup, wantKind := "gateway.kgateway.dev", "Backend"
	if v.target.Name == "agentgateway" {
		wantGroup, wantKind = "agentgateway.dev", "AgentgatewayBackend"
	}
	switch {
	case group == "" && kind == "Service":
	case group == wantGroup && kind == wantKind:
	case kind == "Backend" || kind == "AgentgatewayBackend":
		f(path, RuleRefInvalid, fmt.Sprintf("backendRef to %s %s: target %s reaches AI backends as %s (group %s)", groupKind(group, kind), name, v.target.Name, wantKind, wantGroup),
			fmt.Sprintf("set group: %s and kind: %s", wantGroup, wantKind))
		return
	}
	if idx.get(group, kind, ns, name) == nil {
		f(path, RuleRefUnresolved, fmt.Sprintf("backend %s %s/%s is not among the inputs", groupKind(group, kind), ns, name), "")
	}
	if ns != routeNS && !grantAllows(idx, routeNS, ns, group, kind, name) {
		f(path, RuleRefGrant, fmt.Sprintf("backendRef crosses from namespace %s to %s without a ReferenceGrant in %s admitting HTTPRoutes from %s", routeNS, ns, ns, routeNS),
			fmt.Sprintf("add a ReferenceGrant in namespace %s with from: [{group: %s, kind: HTTPRoute, namespace: %s}] and to: [{group: %q, kind: %s}]", ns, gatewayGroup, routeNS, group, kind))
	}
}

func groupKind(group, kind string) string {
	if group == "" {
		return kind
	}
	return group + "/" + kind
}

// grantAllows reports whether a ReferenceGrant in toNS lets HTTPRoutes of
// fromNS refer to the object.
func grantAllows(idx *refIndex, fromNS, toNS, group, kind, name string) bool {
	for k, d := range idx.objs {
		if k.group != gatewayGroup || k.kind != "ReferenceGrant" || k.namespace != toNS {
			continue
		}
		spec, _ := d.Object["spec"].(map[string]any)
		fromOK, toOK := false, false
		for _, x := range asList(spec["from"]) {
			if x["group"] == gatewayGroup && x["kind"] == "HTTPRoute" && x["namespace"] == fromNS {
				fromOK = true
			}
		}
		for _, x := range asList(spec["to"]) {
			n, hasName := x["name"].(string)
			if x["group"] == group && x["kind"] == kind && (!hasName || n == name) {
				toOK = true
			}
		}
		if fromOK && toOK {
			return true
		}
	}
	return false
}

func asList(v any) []map[string]any {
	items, _ := v.([]any)
	var out []map[string]any
	for _, it := range items {
		if m, ok := it.(map[string]any); ok {
			out = append(out, m)
		}
	}
	return out
}

func checkPolicyTargets(idx *refIndex, d *loader.Document, spec map[string]any, f reporter) {
	ns, _ := d.Name()
	for i, ref := range asList(spec["targetRefs"]) {
		group, _ := ref["group"].(string)
		kind, _ := ref["kind"].(string)
		name, _ := ref["name"].(string)
		if idx.get(group, kind, ns, name) == nil {
			f(fmt.Sprintf("spec.targetRefs[%d]", i), RuleRefUnresolved, fmt.Sprintf("target %s %s is not among the inputs (it must be in namespace %q)", kind, name, ns), "")
		}
	}
}

// checkSecretRefs finds every secretRef in the object and checks the Secret
// exists in the object's namespace with the key the data plane reads.
func checkSecretRefs(idx *refIndex, d *loader.Document, f reporter) {
	ns, _ := d.Name()
	walkMaps(d.Object, "", func(path string, m map[string]any) {
		ref, ok := m["secretRef"].(map[string]any)
		if !ok {
			return
		}
		name, _ := ref["name"].(string)
		refPath := join(path, "secretRef")
		sec := idx.get("", "Secret", ns, name)
		if sec == nil {
			f(refPath, RuleRefUnresolved, fmt.Sprintf("Secret %s/%s is not among the inputs (it must be in the same namespace)", ns, name), "")
			return
		}
		keys := []string{"Authorization"}
		if strings.Contains(path, "aws") || strings.Contains(path, "bedrock") {
			keys = []string{"accessKey", "secretKey"}
		}
		for _, key := range keys {
			if !secretHasKey(sec, key) {
				f(refPath, RuleRefSecretKey, fmt.Sprintf("Secret %s/%s has no non-empty key %q, which the data plane reads", ns, name, key),
					fmt.Sprintf("add stringData: {%s: ${VARIABLE}} (the key name is case-sensitive)", key))
			}
		}
	})
}

func secretHasKey(sec *loader.Document, key string) bool {
	for _, field := range []string{"stringData", "data"} {
		if m, ok := sec.Object[field].(map[string]any); ok {
			if s, ok := m[key].(string); ok && s != "" {
				return true
			}
		}
	}
	return false
}

// walkMaps calls fn for every object inside v with its field path, in key
// order so findings come out in a stable order.
func walkMaps(v any, path string, fn func(string, map[string]any)) {
	switch t := v.(type) {
	case map[string]any:
		fn(path, t)
		for _, k := range sortedKeys(t) {
			walkMaps(t[k], join(path, k), fn)
		}
	case []any:
		for i, x := range t {
			walkMaps(x, fmt.Sprintf("%s[%d]", path, i), fn)
		}
	}
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

func sortedKeys(m map[string]any) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

var kgatewayProviders = []string{"openai", "azureopenai", "anthropic", "gemini", "vertexai", "bedrock"}

// checkKgatewayFailover applies the Envoy data plane's rule that every
// provider of one AI Backend has the same type.
func checkKgatewayFailover(spec map[string]any, f reporter) {
	ai, _ := spec["ai"].(map[string]any)
	var types []string
	var paths []string
	note := func(path string, provider map[string]any) {
		for _, p := range kgatewayProviders {
			if _, ok := provider[p]; ok {
				types, paths = append(types, p), append(paths, path)
			}
		}
	}
	for i, g := range asList(ai["priorityGroups"]) {
		for j, p := range asList(g["providers"]) {
			note(fmt.Sprintf("spec.ai.priorityGroups[%d].providers[%d]", i, j), p)
		}
	}
	if mp, ok := ai["multipool"].(map[string]any); ok {
		for i, prio := range asList(mp["priorities"]) {
			for j, p := range asList(prio["pool"]) {
				prov, _ := p["provider"].(map[string]any)
				note(fmt.Sprintf("spec.ai.multipool.priorities[%d].pool[%d]", i, j), prov)
			}
		}
	}
	for i := 1; i < len(types); i++ {
		if types[i] != types[0] {
			f(paths[i], RuleFailoverMixed, fmt.Sprintf("the Envoy AI extension rejects a backend whose providers differ in type (%s, then %s): requests to this route fail", types[0], types[i]),
				"fail over between providers of one type (OpenAI-compatible ones count as openai), or use agentgateway (KubeLB 1.4+), which translates between providers")
		}
	}
}

// agentgateway keeps one value of these fields per target; a second policy
// setting one is silently dropped while both report Attached.
var singularPolicyFields = [][]string{
	{"traffic", "rateLimit"}, {"traffic", "jwtAuthentication"}, {"traffic", "apiKeyAuthentication"},
	{"traffic", "extAuth"}, {"backend", "mcp"}, {"backend", "ai"},
}

func policyClashes(docs []*loader.Document) []Finding {
	type owner struct {
		d    *loader.Document
		path string
	}
	first := map[string]owner{}
	var out []Finding
	for _, d := range docs {
		if av, kind := d.Kind(); kind != "AgentgatewayPolicy" || groupOf(av) != "agentgateway.dev" {
			continue
		}
		ns, _ := d.Name()
		spec, _ := d.Object["spec"].(map[string]any)
		for _, ref := range asList(spec["targetRefs"]) {
			for _, fld := range singularPolicyFields {
				sect, _ := spec[fld[0]].(map[string]any)
				if _, ok := sect[fld[1]]; !ok {
					continue
				}
				key := fmt.Sprintf("%s/%s/%s/%s:%s", ns, ref["kind"], ref["name"], ref["sectionName"], strings.Join(fld, "."))
				path := "spec." + strings.Join(fld, ".")
				if o, clash := first[key]; clash {
					line, col := d.Position(path)
					out = append(out, Finding{File: d.File, Line: line, Column: col, Object: objectName(d), Path: path, Severity: SeverityWarning, Rule: RulePolicyClash,
						Message: fmt.Sprintf("%s %s already gets %s from %s (%s:%d); agentgateway keeps one and silently drops the other while both report Attached", ref["kind"], ref["name"], strings.Join(fld, "."), objectName(o.d), o.d.File, o.d.Line),
						Fix:     "merge the two policies' " + strings.Join(fld, ".") + " into one"})
					continue
				}
				first[key] = owner{d, path}
			}
		}
	}
	return out
}

// refRules are promoted to errors by Options.Strict.
var refRules = []string{RuleDuplicate, RuleRefUnresolved, RuleRefInvalid, RuleRefGrant, RuleRefSecretKey, RuleFailoverMixed, RulePolicyClash}

func isRefRule(id string) bool { return slices.Contains(refRules, id) }
