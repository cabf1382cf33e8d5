package proxy

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	gwv1 "sigs.k8s.io/gateway-api/apis/v1"
)

// policyFromFilter is an HTTPRoute rule's CORS filter.
func policyFromFilter(f *gwv1.HTTPCORSFilter, source string) *corsPolicy {
	p := &corsPolicy{maxAge: int(f.MaxAge), source: source}
	for _, o := range f.AllowOrigins {
		p.addOrigin(string(o))
	}
	p.credentials = f.AllowCredentials != nil && *f.AllowCredentials
	for _, m := range f.AllowMethods {
		p.methods = append(p.methods, string(m))
	}
	for _, h := range f.AllowHeaders {
		p.headers = append(p.headers, string(h))
	}
	for _, h := range f.ExposeHeaders {
		p.expose = append(p.expose, string(h))
	}
	return p
}

// policyFromMap is a TrafficPolicy's spec.cors or an AgentgatewayPolicy's
// spec.traffic.cors, as read from the manifests.
func policyFromMap(m map[string]any, source string) *corsPolicy {
	strs := func(key string) []string {
		var out []string
		for _, v := range list(m[key]) {
			if s, ok := v.(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	p := &corsPolicy{maxAge: toInt(m["maxAge"]), methods: strs("allowMethods"), headers: strs("allowHeaders"), expose: strs("exposeHeaders"), source: source}
	for _, o := range strs("allowOrigins") {
		p.addOrigin(o)
	}
	p.credentials, _ = m["allowCredentials"].(bool)
	_, p.disabled = m["disable"]
	return p
}

// addOrigin adds a manifest's origin; one that does not parse (validate
// reports it) allows nothing.
func (p *corsPolicy) addOrigin(s string) {
	if s == "*" {
		p.anyOrigin = true
		return
	}
	if o, err := parseOrigin(s); err == nil {
		p.origins = append(p.origins, o)
	}
}

// attachedCORS is a CORS policy of the manifests with what it targets.
type attachedCORS struct {
	pol                      *corsPolicy
	namespace, name, created string
	to                       []policyTarget
	// trafficPolicy: a kgateway TrafficPolicy, which a rule may also name
	// in an ExtensionRef filter.
	trafficPolicy bool
}

type policyTarget struct {
	kind, name, section string
	labels              map[string]string // a targetSelector's matchLabels
}

// manifestCORS reads the CORS policies of the manifests: TrafficPolicy
// spec.cors (kgateway) and AgentgatewayPolicy spec.traffic.cors.
func manifestCORS(objs []map[string]any) []*attachedCORS {
	var out []*attachedCORS
	for _, o := range objs {
		var m map[string]any
		switch o["kind"] {
		case "TrafficPolicy":
			m, _ = dig(o, "spec", "cors").(map[string]any)
		case "AgentgatewayPolicy":
			m, _ = dig(o, "spec", "traffic", "cors").(map[string]any)
		}
		if m == nil {
			continue
		}
		meta, _ := o["metadata"].(map[string]any)
		a := &attachedCORS{trafficPolicy: o["kind"] == "TrafficPolicy"}
		a.namespace, _ = meta["namespace"].(string)
		a.name, _ = meta["name"].(string)
		a.created, _ = meta["creationTimestamp"].(string)
		a.pol = policyFromMap(m, fmt.Sprintf("%s %s/%s", o["kind"], a.namespace, a.name))
		for _, key := range []string{"targetRefs", "targetSelectors"} {
			for _, t := range list(dig(o, "spec", key)) {
				ref, _ := t.(map[string]any)
				pt := policyTarget{}
				pt.kind, _ = ref["kind"].(string)
				pt.name, _ = ref["name"].(string)
				pt.section, _ = ref["sectionName"].(string)
				if key == "targetSelectors" {
					pt.labels = map[string]string{}
					labels, _ := ref["matchLabels"].(map[string]any)
					for k, v := range labels {
						pt.labels[k], _ = v.(string)
					}
				}
				a.to = append(a.to, pt)
			}
		}
		out = append(out, a)
	}
	// Among policies at one level the oldest wins, then the first by
	// namespace/name (the Gateway API's conflict rule).
	slices.SortStableFunc(out, func(a, b *attachedCORS) int {
		return cmp.Or(cmp.Compare(a.created, b.created), cmp.Compare(a.namespace+"/"+a.name, b.namespace+"/"+b.name))
	})
	return out
}

// targets reports whether a targets the object kind namespace/name with
// labels, at section ("" the whole object).
func (a *attachedCORS) targets(kind, namespace, name string, labels map[string]string, section string) bool {
	if a.namespace != namespace {
		return false
	}
	for _, t := range a.to {
		if t.kind != kind || t.section != section {
			continue
		}
		if t.labels == nil && t.name == name {
			return true
		}
		if t.labels != nil && labelsMatch(t.labels, labels) {
			return true
		}
	}
	return false
}

func labelsMatch(want, have map[string]string) bool {
	for k, v := range want {
		if got, ok := have[k]; !ok || got != v {
			return false
		}
	}
	return true
}

// corsRules decides the CORS policy of each rule of the routes attached
// to listener l of gw, the most specific first: the rule's CORS filter,
// a TrafficPolicy the rule names in an ExtensionRef filter, a policy that
// targets the rule (the route with the rule's sectionName), the route, the
// listener (the Gateway with its sectionName), the Gateway. The first found
// is the rule's whole policy (fields are not merged across levels); a
// kgateway policy with disable turns CORS off there.
func corsRules(policies []*attachedCORS, gw *gwv1.Gateway, l gwv1.Listener, routes []*gwv1.HTTPRoute) map[ruleKey]*corsPolicy {
	out := map[ruleKey]*corsPolicy{}
	first := func(match func(a *attachedCORS) bool) *corsPolicy {
		for _, a := range policies {
			if match(a) {
				return a.pol
			}
		}
		return nil
	}
	for _, rt := range routes {
		for i, rule := range rt.Spec.Rules {
			var pol *corsPolicy
			for _, f := range rule.Filters {
				if f.Type == gwv1.HTTPRouteFilterCORS && f.CORS != nil && pol == nil {
					pol = policyFromFilter(f.CORS, fmt.Sprintf("the CORS filter of HTTPRoute %s/%s rule %d", rt.Namespace, rt.Name, i))
				}
			}
			for _, f := range rule.Filters {
				if pol == nil && f.Type == gwv1.HTTPRouteFilterExtensionRef && f.ExtensionRef != nil && f.ExtensionRef.Kind == "TrafficPolicy" {
					pol = first(func(a *attachedCORS) bool {
						return a.trafficPolicy && a.namespace == rt.Namespace && a.name == string(f.ExtensionRef.Name)
					})
				}
			}
			if pol == nil && rule.Name != nil {
				pol = first(func(a *attachedCORS) bool {
					return a.targets("HTTPRoute", rt.Namespace, rt.Name, rt.Labels, string(*rule.Name))
				})
			}
			if pol == nil {
				pol = first(func(a *attachedCORS) bool { return a.targets("HTTPRoute", rt.Namespace, rt.Name, rt.Labels, "") })
			}
			if pol == nil {
				pol = first(func(a *attachedCORS) bool {
					return a.targets("Gateway", gw.Namespace, gw.Name, gw.Labels, string(l.Name))
				})
			}
			if pol == nil {
				pol = first(func(a *attachedCORS) bool { return a.targets("Gateway", gw.Namespace, gw.Name, gw.Labels, "") })
			}
			if pol != nil && !pol.disabled {
				out[ruleKey{rt, i}] = pol
			}
		}
	}
	return out
}

// edges is what Build needs to give each listener its edge.
type edges struct {
	names    []string // --allow-host
	anyHost  bool
	flags    *corsPolicy
	policies []*attachedCORS
}

// newEdges reads --allow-host, --allow-origin and the manifests' CORS
// policies.
func newEdges(objs []map[string]any, opts Options) (*edges, error) {
	e := &edges{policies: manifestCORS(objs)}
	for _, v := range opts.AllowHosts {
		h, err := checkAllowHost(v)
		if err != nil {
			return nil, err
		}
		if h == "*" {
			e.anyHost = true
		}
		e.names = append(e.names, h)
	}
	var err error
	if e.flags, err = flagPolicy(opts.AllowOrigins); err != nil {
		return nil, err
	}
	return e, nil
}

// listener is the edge of listener l of gw, bound to addr, with its
// attached routes.
func (e *edges) listener(gw *gwv1.Gateway, l gwv1.Listener, addr string, attached []*gwv1.HTTPRoute) *edge {
	names := slices.Clone(e.names)
	if l.Hostname != nil {
		names = append(names, strings.ToLower(string(*l.Hostname)))
	}
	for _, r := range attached {
		for _, h := range r.Spec.Hostnames {
			names = append(names, strings.ToLower(string(h)))
		}
	}
	out := (&edge{names: names, anyHost: e.anyHost, flags: e.flags}).at(addr)
	out.rules = corsRules(e.policies, gw, l, attached)
	return out
}

// admin is the admin address's edge (bound in Serve): every listener's
// and route's hostnames, the flags, no CORS policy of the manifests.
func (e *edges) admin(gw *gwv1.Gateway, routes []*gwv1.HTTPRoute) *edge {
	names := slices.Clone(e.names)
	for _, l := range gw.Spec.Listeners {
		if l.Hostname != nil {
			names = append(names, strings.ToLower(string(*l.Hostname)))
		}
	}
	for _, r := range routes {
		for _, h := range r.Spec.Hostnames {
			names = append(names, strings.ToLower(string(h)))
		}
	}
	return &edge{names: names, anyHost: e.anyHost, flags: e.flags}
}
