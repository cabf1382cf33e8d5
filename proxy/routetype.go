package proxy

import (
	"fmt"
	"slices"
	"strings"

	"github.com/kubelb-ai/kubelb-ai/proxy/wire"
)

// RouteType is one entry of agentgateway's policies.ai.routes: requests
// whose path ends with Suffix ("*" for any) carry the API Type names.
type RouteType struct {
	Suffix, Type string
}

// The route types serve reads, and the format each carries.
var routeFormats = map[string]string{"Completions": wire.OpenAI, "Messages": wire.Anthropic}

// formatFor is the wire format of a request to the chain, from the route
// (never guessed from the body or from a path the route does not name):
// the chain's format, or on agentgateway the route type its path suffix
// names (longest suffix first, "*" last; Completions when none matches,
// as agentgateway). passthrough says the body goes upstream unread.
func (c *Chain) formatFor(path string) (format string, passthrough bool, err error) {
	if len(c.RouteTypes) == 0 {
		return c.defaultFormat(), false, nil
	}
	typ := "Completions"
	wildcard := ""
	for _, rt := range c.RouteTypes {
		if rt.Suffix == "*" {
			wildcard = rt.Type
			continue
		}
		if strings.HasSuffix(path, rt.Suffix) {
			typ, wildcard = rt.Type, ""
			break
		}
	}
	if wildcard != "" {
		typ = wildcard
	}
	if typ == "Passthrough" {
		return "", true, nil
	}
	if f, ok := routeFormats[typ]; ok {
		return f, false, nil
	}
	return "", false, fmt.Errorf("route type %s (for %s) is not served by kubelb-ai serve yet", typ, path)
}

func (c *Chain) defaultFormat() string {
	if c.Format != "" {
		return c.Format
	}
	if len(c.Upstreams) > 0 {
		return c.Upstreams[0].Format
	}
	return wire.OpenAI
}

// sortRouteTypes orders route types as agentgateway tries them.
func sortRouteTypes(rts []RouteType) {
	slices.SortStableFunc(rts, func(a, b RouteType) int {
		switch {
		case a.Suffix == "*":
			return 1
		case b.Suffix == "*":
			return -1
		}
		return len(b.Suffix) - len(a.Suffix)
	})
}

// routeTypesOf reads agentgateway's policies.ai.routes from the manifests,
// by the name of the AgentgatewayBackend they apply to: the backend's own
// spec.policies.ai.routes, and an AgentgatewayPolicy's
// spec.backend.ai.routes on the backends it targets or on those of the
// HTTPRoutes it targets.
func routeTypesOf(objs []map[string]any) map[string][]RouteType {
	out := map[string][]RouteType{}
	read := func(v any) []RouteType {
		m, _ := v.(map[string]any)
		var rts []RouteType
		for suffix, typ := range m {
			if t, ok := typ.(string); ok {
				rts = append(rts, RouteType{Suffix: suffix, Type: t})
			}
		}
		slices.SortFunc(rts, func(a, b RouteType) int { return strings.Compare(a.Suffix, b.Suffix) })
		sortRouteTypes(rts)
		return rts
	}
	backendsOfRoute := map[string][]string{}
	for _, o := range objs {
		if o["kind"] != "HTTPRoute" {
			continue
		}
		name, _ := dig(o, "metadata", "name").(string)
		for _, rule := range list(dig(o, "spec", "rules")) {
			for _, ref := range list(dig(rule, "backendRefs")) {
				if dig(ref, "kind") == "AgentgatewayBackend" {
					b, _ := dig(ref, "name").(string)
					backendsOfRoute[name] = append(backendsOfRoute[name], b)
				}
			}
		}
	}
	for _, o := range objs {
		switch o["kind"] {
		case "AgentgatewayBackend":
			if rts := read(dig(o, "spec", "policies", "ai", "routes")); rts != nil {
				name, _ := dig(o, "metadata", "name").(string)
				out[name] = rts
			}
		case "AgentgatewayPolicy":
			rts := read(dig(o, "spec", "backend", "ai", "routes"))
			if rts == nil {
				continue
			}
			for _, t := range list(dig(o, "spec", "targetRefs")) {
				name, _ := dig(t, "name").(string)
				switch dig(t, "kind") {
				case "AgentgatewayBackend":
					out[name] = rts
				case "HTTPRoute":
					for _, b := range backendsOfRoute[name] {
						if out[b] == nil {
							out[b] = rts
						}
					}
				}
			}
		}
	}
	return out
}
