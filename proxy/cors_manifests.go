package proxy

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	gwv1 "sigs.k8s.io/gateway-api/apis/v1"

	"github.com/kubelb-ai/kubelb-ai/dataplane"
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
	pol                   *corsPolicy
	kind, namespace, name string
	created               string
	to                    []dataplane.PolicyTarget
	// referable: a rule may also name the policy in an ExtensionRef filter.
	referable bool
}

// manifestCORS compiles the manifests' CORS policies, in the order of
// precedence among policies at one level.
func manifestCORS(policies []dataplane.CORSPolicy) []*attachedCORS {
	var out []*attachedCORS
	for _, p := range policies {
		pol := policyFromFilter(&p.Filter, fmt.Sprintf("%s %s/%s", p.Kind, p.Namespace, p.Name))
		pol.disabled = p.Disabled
		out = append(out, &attachedCORS{pol: pol, kind: p.Kind, namespace: p.Namespace, name: p.Name, created: p.Created, to: p.Targets, referable: p.Referable})
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
		if t.Kind != kind || t.SectionName != section {
			continue
		}
		if t.MatchLabels == nil && t.Name == name {
			return true
		}
		if t.MatchLabels != nil && labelsMatch(t.MatchLabels, labels) {
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
				if pol == nil && f.Type == gwv1.HTTPRouteFilterExtensionRef && f.ExtensionRef != nil {
					pol = first(func(a *attachedCORS) bool {
						return a.referable && a.kind == string(f.ExtensionRef.Kind) && a.namespace == rt.Namespace && a.name == string(f.ExtensionRef.Name)
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
func newEdges(cors []dataplane.CORSPolicy, opts Options) (*edges, error) {
	e := &edges{policies: manifestCORS(cors)}
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
