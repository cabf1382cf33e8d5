package dataplane

import (
	"encoding/json"

	gwv1 "sigs.k8s.io/gateway-api/apis/v1"

	"github.com/kubelb-ai/kubelb-ai/internal/objpath"
	"github.com/kubelb-ai/kubelb-ai/spec"
)

// CORSPolicy is a data plane's CORS policy object with what it attaches to,
// in neutral terms: serve answers cross-origin requests by it. (The Spec
// carries a policy on a whole route, policies.cors; these also attach to
// Gateways, listeners, rules and label selectors, which serve honours.)
type CORSPolicy struct {
	// Kind, Namespace and Name identify the object; Created is its
	// creationTimestamp (the older of two policies wins a conflict).
	Kind, Namespace, Name, Created string
	// Filter is the policy in the Gateway API's CORS filter terms.
	Filter gwv1.HTTPCORSFilter
	// Disabled turns CORS off where the policy applies.
	Disabled bool
	Targets  []PolicyTarget
	// Referable: an HTTPRoute rule may also name the policy in an
	// ExtensionRef filter (by Kind and Name).
	Referable bool
}

// PolicyTarget is one target of a policy: a targetRef (Name) or a
// targetSelector (MatchLabels), at SectionName ("" the whole object).
type PolicyTarget struct {
	Kind, Name, SectionName string
	MatchLabels             map[string]string
}

// corsReader is an adapter whose policy kind can carry CORS.
type corsReader interface {
	// corsOf is obj's CORS block, nil when obj is not such a policy or has
	// none, and whether a rule may name the object in an ExtensionRef.
	corsOf(apiVersion, kind string, obj map[string]any) (cors map[string]any, referable bool)
}

// corsOf: kgateway's TrafficPolicy spec.cors (v2.1; v2.0 has none), which
// a rule may name in an ExtensionRef filter.
func (k kgateway21) corsOf(apiVersion, kind string, obj map[string]any) (map[string]any, bool) {
	api := k.Facts().API
	if groupOf(apiVersion) != api.Group || kind != api.Policy {
		return nil, false
	}
	cors, _ := objpath.Get(obj, "spec", "cors").(map[string]any)
	return cors, true
}

// corsOf: agentgateway's AgentgatewayPolicy spec.traffic.cors.
func (a agentgateway) corsOf(apiVersion, kind string, obj map[string]any) (map[string]any, bool) {
	api := a.Facts().API
	if groupOf(apiVersion) != api.Group || kind != api.Policy {
		return nil, false
	}
	cors, _ := objpath.Get(obj, "spec", "traffic", "cors").(map[string]any)
	return cors, false
}

// CORSPolicies are the CORS policies among objs, any data plane's, in the
// order of objs.
func CORSPolicies(objs []map[string]any) []CORSPolicy {
	var out []CORSPolicy
	for _, o := range objs {
		av, _ := o["apiVersion"].(string)
		kind, _ := o["kind"].(string)
		for _, a := range adapters {
			r, ok := a.(corsReader)
			if !ok {
				continue
			}
			m, referable := r.corsOf(av, kind, o)
			if m == nil {
				continue
			}
			out = append(out, corsPolicy(o, kind, m, referable))
			break
		}
	}
	return out
}

func corsPolicy(o map[string]any, kind string, m map[string]any, referable bool) CORSPolicy {
	p := CORSPolicy{Kind: kind, Referable: referable}
	p.Namespace, _ = objpath.Get(o, "metadata", "namespace").(string)
	p.Name, _ = objpath.Get(o, "metadata", "name").(string)
	p.Created, _ = objpath.Get(o, "metadata", "creationTimestamp").(string)
	f := &p.Filter
	for _, s := range strs(m["allowOrigins"]) {
		f.AllowOrigins = append(f.AllowOrigins, gwv1.CORSOrigin(s))
	}
	for _, s := range strs(m["allowMethods"]) {
		f.AllowMethods = append(f.AllowMethods, gwv1.HTTPMethodWithWildcard(s))
	}
	for _, s := range strs(m["allowHeaders"]) {
		f.AllowHeaders = append(f.AllowHeaders, gwv1.HTTPHeaderName(s))
	}
	for _, s := range strs(m["exposeHeaders"]) {
		f.ExposeHeaders = append(f.ExposeHeaders, gwv1.HTTPHeaderName(s))
	}
	f.MaxAge = int32(toInt(m["maxAge"]))
	if c, ok := m["allowCredentials"].(bool); ok {
		f.AllowCredentials = &c
	}
	_, p.Disabled = m["disable"]
	for _, key := range []string{"targetRefs", "targetSelectors"} {
		refs, _ := objpath.Get(o, "spec", key).([]any)
		for _, t := range refs {
			ref, _ := t.(map[string]any)
			pt := PolicyTarget{}
			pt.Kind, _ = ref["kind"].(string)
			pt.Name, _ = ref["name"].(string)
			pt.SectionName, _ = ref["sectionName"].(string)
			if key == "targetSelectors" {
				pt.MatchLabels = map[string]string{}
				labels, _ := ref["matchLabels"].(map[string]any)
				for k, v := range labels {
					pt.MatchLabels[k], _ = v.(string)
				}
			}
			p.Targets = append(p.Targets, pt)
		}
	}
	return p
}

// strs are the strings of a list.
func strs(v any) []string {
	l, _ := v.([]any)
	var out []string
	for _, x := range l {
		if s, ok := x.(string); ok {
			out = append(out, s)
		}
	}
	return out
}

// toInt reads a number decoded from JSON or YAML.
func toInt(v any) int64 {
	switch n := v.(type) {
	case int64:
		return n
	case float64:
		return int64(n)
	case int:
		return int64(n)
	case json.Number:
		i, _ := n.Int64()
		return i
	}
	return 0
}

// corsFilter is a Spec CORS policy as the Gateway API's filter, which both
// data planes' policies take (agentgateway inline, kgateway field by
// field). The Spec's CORS has the filter's JSON field names.
func corsFilter(c *spec.CORS) gwv1.HTTPCORSFilter {
	var f gwv1.HTTPCORSFilter
	convertJSON(c, &f)
	return f
}

// specCORS reads a Gateway API CORS filter back into the Spec's terms.
func specCORS(f gwv1.HTTPCORSFilter) *spec.CORS {
	c := &spec.CORS{}
	convertJSON(f, c)
	return c
}
