package validate

import (
	"fmt"
	"slices"
	"strings"

	"github.com/kubelb-ai/kubelb-ai/dataplane"
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

// refIndex finds objects of the input set by group, kind, namespace and
// name, and HTTPRoutes by namespace (delegation selects among them).
type refIndex struct {
	objs map[objKey]*object
	// routes are the HTTPRoutes by namespace, allRoutes all of them, in
	// input order.
	routes    map[string][]*object
	allRoutes []*object
	// grants are the ReferenceGrants by namespace.
	grants map[string][]*object
}

func groupOf(apiVersion string) string {
	if g, _, ok := strings.Cut(apiVersion, "/"); ok {
		return g
	}
	return "" // core, "v1"
}

func newRefIndex(objs []*object) *refIndex {
	idx := &refIndex{objs: map[objKey]*object{}, routes: map[string][]*object{}, grants: map[string][]*object{}}
	for _, o := range objs {
		if _, dup := idx.objs[o.key]; dup {
			continue
		}
		idx.objs[o.key] = o
		if o.key.group == gatewayGroup && o.key.kind == "HTTPRoute" {
			idx.routes[o.key.namespace] = append(idx.routes[o.key.namespace], o)
			idx.allRoutes = append(idx.allRoutes, o)
		}
		if o.key.group == gatewayGroup && o.key.kind == "ReferenceGrant" {
			idx.grants[o.key.namespace] = append(idx.grants[o.key.namespace], o)
		}
	}
	return idx
}

func (x *refIndex) get(group, kind, ns, name string) *object {
	return x.objs[objKey{group, kind, ns, name}]
}

// references checks the links between the documents of one run.
func (v *Validator) references(objs []*object) []Finding {
	idx := newRefIndex(objs)
	var out []Finding
	seen := map[objKey]*object{}
	for _, o := range objs {
		f := func(path, rule, msg, fix string) { out = append(out, o.report(path, rule, msg, fix)) }
		k := o.key
		if first, dup := seen[k]; dup && k.name != "" {
			// A walk-through applies an object, then a changed copy (an
			// update); a repository holding both means one is stale. The
			// inputs cannot tell which: --strict leaves it a warning.
			out = append(out, assume(o.report("metadata.name", RuleDuplicate, fmt.Sprintf("%s %s is defined twice (first at %s:%d); the second replaces the first when applied: fine for an update, a mistake otherwise", k.kind, k.name, first.doc.File, first.doc.Line), "")))
		}
		seen[k] = o
		switch {
		case k.group == gatewayGroup && k.kind == "Gateway":
			checkGatewayRefs(idx, o, f)
		case k.group == gatewayGroup && k.kind == "HTTPRoute":
			v.checkRouteRefs(idx, o, f)
		case o.policy != nil:
			checkPolicyTargets(idx, o, f)
		}
		checkSecretRefs(idx, o, f)
	}
	return append(out, policyClashes(objs)...)
}

type reporter func(path, rule, msg, fix string)

func checkGatewayRefs(idx *refIndex, o *object, f reporter) {
	ref, ns := o.gateway.params, o.key.namespace
	if ref != nil && idx.get(ref.group, ref.kind, ns, ref.name) == nil {
		f("spec.infrastructure.parametersRef", RuleRefUnresolved, fmt.Sprintf("parametersRef %s %s is not among the inputs (it must be in namespace %q)", ref.kind, ref.name, ns), "")
	}
}

// checkRouteRefs checks an HTTPRoute's parents and backends.
func (v *Validator) checkRouteRefs(idx *refIndex, o *object, f reporter) {
	routeNS := o.key.namespace
	for i, ref := range o.route.parents {
		path := fmt.Sprintf("spec.parentRefs[%d]", i)
		if ref.group != gatewayGroup || ref.kind != "Gateway" {
			continue
		}
		ns, name := ref.ns, ref.name
		gw := idx.get(gatewayGroup, "Gateway", ns, name)
		if gw == nil {
			f(path, RuleRefUnresolved, fmt.Sprintf("parent Gateway %s/%s is not among the inputs", ns, name), "")
			continue
		}
		var names []string
		matched := false
		for _, l := range gw.gateway.listeners {
			names = append(names, fmt.Sprintf("%s:%d", l.name, l.port))
			if (ref.section == "" || ref.section == l.name) && (!ref.hasPort || ref.port == l.port) {
				matched = true
				if l.from == "Same" && ns != routeNS {
					f(path, RuleRefInvalid, fmt.Sprintf("listener %s of Gateway %s/%s only admits routes from its own namespace (allowedRoutes: Same), this route is in %s", l.name, ns, name, routeNS),
						"set allowedRoutes.namespaces.from: All on the listener, or move the route to namespace "+ns)
				}
			}
		}
		if !matched {
			f(path, RuleRefInvalid, fmt.Sprintf("Gateway %s/%s has no listener matching sectionName %q port %v (listeners: %s)", ns, name, ref.section, ref.portText, strings.Join(names, ", ")),
				"use one of the Gateway's listener names or ports")
		}
	}
	for _, ref := range o.route.backends {
		v.checkBackendRef(idx, o, ref, f)
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

func (v *Validator) checkBackendRef(idx *refIndex, route *object, ref backendRef, f reporter) {
	routeNS := route.key.namespace
	group, kind, ns, name, path := ref.group, ref.kind, ref.ns, ref.name, ref.path
	g, k := v.dp.BackendRef()
	wantGroup, wantKind := string(g), string(k)
	del := v.dp.RouteDelegation()
	switch {
	case group == gatewayGroup && kind == "HTTPRoute", del.LabelKind != "" && group == del.LabelGroup && kind == del.LabelKind:
		checkDelegation(idx, route, ref, del, f)
		return
	case group == "" && kind == "Service":
	case group == wantGroup && kind == wantKind:
	case dataplane.IsBackendKind(kind):
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

// checkDelegation checks a route's delegation to other HTTPRoutes: some
// route among the inputs must be selected. No ReferenceGrant is needed
// for the selection itself: a child attaches through its own parentRefs.
// Only where the data plane asks one (agentgateway) does a child without
// parentRefs in another namespace need a grant from the parent's.
func checkDelegation(idx *refIndex, parent *object, ref backendRef, del dataplane.Delegation, f reporter) {
	byLabel := ref.kind != "HTTPRoute"
	what := fmt.Sprintf("HTTPRoute %s/%s", ref.ns, ref.name)
	switch {
	case byLabel:
		what = fmt.Sprintf("HTTPRoutes labelled %s=%s in namespace %s", del.LabelKey, ref.name, ref.ns)
		if ref.ns == del.AllNamespaces {
			what = fmt.Sprintf("HTTPRoutes labelled %s=%s in any namespace", del.LabelKey, ref.name)
		}
	case slices.Contains(del.Wildcards, ref.name):
		what = fmt.Sprintf("every HTTPRoute of namespace %s (name %q)", ref.ns, ref.name)
	case del.NameLabels && strings.Contains(ref.name, "="):
		what = fmt.Sprintf("HTTPRoutes labelled %s in namespace %s", ref.name, ref.ns)
	}
	candidates := idx.routes[ref.ns]
	if byLabel && ref.ns == del.AllNamespaces {
		candidates = idx.allRoutes
	}
	// Only the namespace's routes are looked at, and the look stops at the
	// first child unless children may need a grant: many routes
	// delegating among many cost no more than their findings.
	found := false
	var parentless []*object // in another namespace: they need a grant
	for _, o := range candidates {
		if o == parent || !selectsRoute(o, ref, del) {
			continue
		}
		found = true
		if !del.ParentlessGrant || o.key.namespace == parent.key.namespace {
			break
		}
		if len(o.route.parents) == 0 {
			parentless = append(parentless, o)
		}
	}
	if !found {
		f(ref.path, RuleRefUnresolved, fmt.Sprintf("delegates to %s, and no such route is among the inputs", what), "")
		return
	}
	for _, c := range parentless {
		if !grantAllows(idx, parent.key.namespace, c.key.namespace, gatewayGroup, "HTTPRoute", c.key.name) {
			f(ref.path, RuleRefGrant, fmt.Sprintf("delegates to HTTPRoute %s/%s, which names no parent and is in another namespace: the data plane adopts it only with a ReferenceGrant in %s admitting HTTPRoutes from %s", c.key.namespace, c.key.name, c.key.namespace, parent.key.namespace),
				fmt.Sprintf("add parentRefs: [{group: %s, kind: HTTPRoute, name: %s, namespace: %s}] to the child, or a ReferenceGrant in namespace %s with from: [{group: %s, kind: HTTPRoute, namespace: %s}] and to: [{group: %s, kind: HTTPRoute}]",
					gatewayGroup, parent.key.name, parent.key.namespace, c.key.namespace, gatewayGroup, parent.key.namespace, gatewayGroup))
		}
	}
}

// selectsRoute says whether a delegation reference selects route o.
func selectsRoute(o *object, ref backendRef, del dataplane.Delegation) bool {
	if del.GatewayParentsExclude && len(o.route.parents) > 0 && !slices.ContainsFunc(o.route.parents, func(p parentRef) bool { return p.group == gatewayGroup && p.kind == "HTTPRoute" }) {
		return false // attached to Gateways only: nobody's child
	}
	if ref.kind != "HTTPRoute" { // by label (kgateway)
		return (ref.ns == del.AllNamespaces || o.key.namespace == ref.ns) && o.route.labels[del.LabelKey] == ref.name
	}
	if o.key.namespace != ref.ns {
		return false
	}
	if slices.Contains(del.Wildcards, ref.name) || o.key.name == ref.name {
		return true
	}
	if k, val, ok := strings.Cut(ref.name, "="); ok && del.NameLabels {
		l, has := o.route.labels[k]
		return has && l == val
	}
	return false
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
	for _, o := range idx.grants[toNS] {
		fromOK := slices.Contains(o.grant.from, objKey{group: gatewayGroup, kind: "HTTPRoute", namespace: fromNS})
		toOK := slices.ContainsFunc(o.grant.to, func(t grantTo) bool {
			return t.group == group && t.kind == kind && (!t.hasName || t.name == name)
		})
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

func checkPolicyTargets(idx *refIndex, o *object, f reporter) {
	ns := o.key.namespace
	for _, t := range o.policy.targets {
		if idx.get(t.group, t.kind, ns, t.name) == nil {
			f(fmt.Sprintf("spec.targetRefs[%d]", t.index), RuleRefUnresolved, fmt.Sprintf("target %s %s is not among the inputs (it must be in namespace %q)", t.kind, t.name, ns), "")
		}
	}
}

// checkSecretRefs checks that the Secret of every secretRef exists in the
// object's namespace with the key the data plane reads.
func checkSecretRefs(idx *refIndex, o *object, f reporter) {
	ns := o.key.namespace
	for _, ref := range o.secretRefs {
		if ref.kind != "" && ref.kind != "Secret" {
			continue // a custom credential object (agentgateway): not a Secret
		}
		sec := idx.get("", "Secret", ns, ref.name)
		if sec == nil {
			f(ref.path, RuleRefUnresolved, fmt.Sprintf("Secret %s/%s is not among the inputs (it must be in the same namespace)", ns, ref.name), "")
			continue
		}
		for _, key := range secretKeysRead(ref) {
			if !sec.secretKeys[key] {
				f(ref.path, RuleRefSecretKey, fmt.Sprintf("Secret %s/%s has no non-empty key %q, which the data plane reads", ns, ref.name, key),
					fmt.Sprintf("add stringData: {%s: ${VARIABLE}} (the key name is case-sensitive)", key))
			}
		}
	}
}

// secretKeysRead are the keys the data plane reads of a secretRef's
// Secret, by where the reference is. Only provider credentials are known
// for certain: kgateway's authToken (Authorization; its Bedrock auth:
// accessKey and secretKey), agentgateway's backend auth (Authorization,
// or the reference's own key; AWS: accessKey and secretKey), its GCP auth
// (credentials.json) and basic authentication (.htaccess). An API-key
// Secret holds one key per client under any name; other references (TLS,
// OAuth, token exchange, ...) are checked only for the Secret's presence.
func secretKeysRead(ref secretRef) []string {
	p := ref.path
	own := func(def string) []string {
		if ref.key != "" {
			return []string{ref.key}
		}
		return []string{def}
	}
	switch {
	case strings.Contains(p, "apiKeyAuthentication"):
		return nil
	case strings.Contains(p, "basicAuthentication"):
		return own(".htaccess")
	case strings.HasSuffix(p, "aws.secretRef"), strings.Contains(p, "bedrock") && strings.HasSuffix(p, "auth.secretRef"):
		return []string{"accessKey", "secretKey"}
	case strings.HasSuffix(p, "gcp.secretRef"):
		return own("credentials.json")
	case strings.HasSuffix(p, "authToken.secretRef"):
		return []string{"Authorization"} // kgateway: the key cannot be chosen
	case strings.HasSuffix(p, "auth.secretRef"), strings.Contains(p, "auth.credentials["):
		return own("Authorization")
	}
	return nil
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

// policyClashes finds a second policy setting, on one target, a field the
// data plane keeps one value of (dataplane.PolicyFacts.Singular): it drops
// one silently while both report Attached.
func policyClashes(objs []*object) []Finding {
	first := map[string]*object{}
	var out []Finding
	for _, o := range objs {
		if o.policy == nil || len(o.policy.singular) == 0 {
			continue
		}
		for _, t := range o.policy.targets {
			for _, fld := range o.policy.singular {
				key := t.clash + ":" + fld
				if owner, clash := first[key]; clash && owner.key != o.key {
					out = append(out, o.report("spec."+fld, RulePolicyClash,
						fmt.Sprintf("%s %s already gets %s from %s (%s:%d); agentgateway keeps one and silently drops the other while both report Attached", t.kindText, t.nameText, fld, owner.name(), owner.doc.File, owner.doc.Line),
						"merge the two policies' "+fld+" into one"))
					continue
				}
				if _, clash := first[key]; !clash {
					first[key] = o
				}
			}
		}
	}
	return out
}

// refRules are promoted to errors by Options.Strict.
var refRules = []string{RuleDuplicate, RuleRefUnresolved, RuleRefInvalid, RuleRefGrant, RuleRefSecretKey, RuleFailoverMixed, RulePolicyClash}

func isRefRule(id string) bool { return slices.Contains(refRules, id) }
