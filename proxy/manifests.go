package proxy

import (
	"slices"
	"strings"

	gwv1 "sigs.k8s.io/gateway-api/apis/v1"

	"github.com/kubelb-ai/kubelb-ai/dataplane"
	"github.com/kubelb-ai/kubelb-ai/spec"
)

// Manifests are what Build serves, in no data plane's own terms: the
// gateway's Spec (its target says how the data plane behaves) and the
// Gateway API objects it listens on and routes by. generate.Import reads
// them from any target's manifests.
type Manifests struct {
	Spec *spec.AIGateway
	// Gateway is the Gateway listened on; Routes the HTTPRoutes, as written.
	Gateway *gwv1.Gateway
	Routes  []*gwv1.HTTPRoute
	// RouteTypes are the route types each AI backend maps paths to, by
	// backend name, as its object gives them (an entry without a map: the
	// backend has none, and the data plane takes every request as chat
	// completions). Without RouteTypes, those of the Spec's routes apply.
	// Only targets with route types read them.
	RouteTypes map[string]map[string]string
	// LiteralKey is the literal credential a provider's Secret holds in the
	// manifests (by Secret key) and the Secret's name; nil or !ok: none.
	LiteralKey func(provider string) (values map[string]string, secret string, ok bool)
	// CORS are the manifests' CORS policies, with their targets.
	CORS []dataplane.CORSPolicy
	// RateLimitConfig is the rate-limit service's configuration file as
	// the manifests' ConfigMap holds it (nil: the one generate renders for
	// the Spec), evaluated here when no service is mapped.
	RateLimitConfig []byte
	// ClientKeys are the API keys the manifests' client checks accept, as
	// their Secrets and ConfigMaps hold them (nil: the Spec's).
	ClientKeys []dataplane.ClientKey
}

// routeTypes are the route types of backend b of Spec route r, in the
// order agentgateway tries them.
func (m Manifests) routeTypes(r *spec.Route, b spec.Backend) []RouteType {
	var types map[string]string
	if m.RouteTypes != nil {
		types = m.RouteTypes[b.Name]
	} else {
		types = spec.RouteTypesOf(&m.Spec.Spec, r)
	}
	var rts []RouteType
	for suffix, typ := range types {
		rts = append(rts, RouteType{Suffix: suffix, Type: typ})
	}
	slices.SortFunc(rts, func(a, b RouteType) int { return strings.Compare(a.Suffix, b.Suffix) })
	sortRouteTypes(rts)
	return rts
}

// literalKey is LiteralKey where set.
func (m Manifests) literalKey(provider string) (map[string]string, string, bool) {
	if m.LiteralKey == nil {
		return nil, "", false
	}
	return m.LiteralKey(provider)
}
