// Package generate turns a Spec into the typed objects of one target and
// back: Render is render(target) and Parse is parse(target) of the design.
// Objects are plain typed values; Encode writes them as deterministic YAML.
package generate

import (
	"fmt"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
	gwv1 "sigs.k8s.io/gateway-api/apis/v1"
	"sigs.k8s.io/yaml"

	"github.com/kubelb-ai/kubelb-ai/dataplane"
	"github.com/kubelb-ai/kubelb-ai/spec"
	"github.com/kubelb-ai/kubelb-ai/templates"
)

// Labels on every rendered object, so apply can find and prune what it owns.
const (
	LabelManagedBy = "app.kubernetes.io/managed-by"
	LabelPartOf    = "app.kubernetes.io/part-of"
	ManagedBy      = "kubelb-ai"
)

// Render returns the objects of a defaulted, checked Spec for its target,
// in a stable order: Secrets, parameters, Gateway, backends, routes, policies.
func Render(g *spec.AIGateway) ([]Object, error) {
	s := &g.Spec
	r, err := dataplane.Lookup(s.Target)
	if err != nil {
		return nil, err
	}
	target := r.Facts()
	meta := func(name string) metav1.ObjectMeta {
		return metav1.ObjectMeta{Name: name, Namespace: s.Gateway.Namespace,
			Labels: map[string]string{LabelManagedBy: ManagedBy, LabelPartOf: s.Gateway.Name}}
	}
	var objs []Object
	add := func(c Category, o dataplane.Object) {
		if o != nil {
			objs = append(objs, Object{Category: c, Object: o})
		}
	}
	for i := range s.Providers {
		if sec := secret(&s.Providers[i], meta(dataplane.SecretName(s.Providers[i].Name))); sec != nil {
			add(CategorySecret, sec)
		}
	}
	if c := s.Clients; c != nil && len(c.APIKeys) > 0 {
		add(CategorySecret, clientKeys(c.APIKeys, meta(dataplane.ClientKeysName(s.Gateway.Name))))
	}
	for i := range s.MCP {
		m := &s.MCP[i]
		for _, srv := range m.Servers {
			if srv.KeyEnv != "" {
				add(CategorySecret, keySecret(srv.KeyEnv, meta(dataplane.MCPSecretName(m.Name, srv.Name))))
			}
		}
	}
	params, ref := r.Parameters(s, meta(s.Gateway.Name))
	add(CategoryGatewayParameters, params)
	add(CategoryGateway, gateway(s, target, ref, meta(s.Gateway.Name)))
	for i := range s.Routes {
		route := &s.Routes[i]
		for _, b := range route.Backends {
			obj, err := r.Backend(s, b, route, meta(b.Name))
			if err != nil {
				return nil, fmt.Errorf("route %s: %w", route.Name, err)
			}
			add(CategoryBackend, obj)
		}
	}
	for i := range s.MCP {
		obj, err := r.MCPBackend(s, &s.MCP[i], meta(s.MCP[i].Name))
		if err != nil {
			return nil, fmt.Errorf("MCP gateway %s: %w", s.MCP[i].Name, err)
		}
		add(CategoryBackend, obj)
	}
	group, kind := r.BackendRef()
	for i := range s.Routes {
		add(CategoryRoute, httpRoute(s, target, &s.Routes[i], group, kind, meta(s.Routes[i].Name)))
	}
	for i := range s.MCP {
		add(CategoryRoute, mcpRoute(s, &s.MCP[i], group, kind, meta(s.MCP[i].Name)))
	}
	for i := range s.Routes {
		if o := r.Traffic(s, &s.Routes[i], meta(dataplane.TrafficName(s.Routes[i].Name))); o != nil {
			add(CategoryTraffic, o)
			if o := r.AIPolicy(&s.Routes[i], meta(dataplane.AIPolicyName(s.Routes[i].Name))); o != nil {
				add(CategoryAIPolicy, o)
			}
			continue
		}
		if s.Routes[i].Policies == nil {
			continue
		}
		if o := r.RateLimit(&s.Routes[i], meta(dataplane.RateLimitName(s.Routes[i].Name))); o != nil {
			add(CategoryRateLimit, o)
		}
		if o := r.AIPolicy(&s.Routes[i], meta(dataplane.AIPolicyName(s.Routes[i].Name))); o != nil {
			add(CategoryAIPolicy, o)
		}
		if o := r.CORS(&s.Routes[i], meta(dataplane.CORSName(s.Routes[i].Name))); o != nil {
			add(CategoryCORS, o)
		}
	}
	if s.HasGlobalLimit() {
		cm, err := rateLimitConfig(s, meta(dataplane.RateLimitConfigName))
		if err != nil {
			return nil, err
		}
		add(CategoryRateLimitService, cm)
		add(CategoryRateLimitService, r.RateLimitService(s, meta(dataplane.RateLimitServiceName(s.Gateway.Name))))
	}
	for i := range s.MCP {
		add(CategoryMCPPolicy, r.MCPAuthorization(&s.MCP[i], meta(dataplane.MCPAuthorizationName(s.MCP[i].Name))))
	}
	tracing, err := r.Tracing(s, meta(dataplane.TracingName(s.Gateway.Name)))
	if err != nil {
		return nil, err
	}
	add(CategoryTracing, tracing)
	return objs, nil
}

// clientKeys renders the Secret of the clients' API keys: per client an
// entry with its ${VAR} marker (or its hash) and metadata naming it.
func clientKeys(keys []spec.APIKey, meta metav1.ObjectMeta) *corev1.Secret {
	data := map[string]string{}
	for _, k := range keys {
		data[k.Name] = dataplane.ClientKeyEntry(k)
	}
	return &corev1.Secret{
		TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "Secret"},
		ObjectMeta: meta,
		Type:       corev1.SecretTypeOpaque,
		StringData: data,
	}
}

// rateLimitConfig renders the ConfigMap envoyproxy/ratelimit reads the
// global limits from, in the rate-limit service's namespace.
func rateLimitConfig(s *spec.Spec, meta metav1.ObjectMeta) (*corev1.ConfigMap, error) {
	out, err := yaml.Marshal(dataplane.RateLimitConfigOf(s))
	if err != nil {
		return nil, err
	}
	if _, ns, _, _ := spec.ServiceAddress(s.RateLimitService.Service); ns != "" {
		meta.Namespace = ns
	}
	return &corev1.ConfigMap{
		TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "ConfigMap"},
		ObjectMeta: meta,
		Data:       map[string]string{dataplane.RateLimitConfigKey: string(out)},
	}, nil
}

// secret renders the provider's credential Secret, holding ${VAR} markers
// only; nil when the provider's credential does not come from the environment.
func secret(p *spec.Provider, meta metav1.ObjectMeta) *corev1.Secret {
	if p.Auth.Source != spec.AuthEnv {
		return nil
	}
	data := map[string]string{dataplane.KeyAuthorization: dataplane.EnvMarker(p.Auth.Env)}
	if p.Kind == "bedrock" {
		c, _ := templates.LookupProvider("bedrock")
		secretEnv := c.SecretKeyEnv
		if p.Auth.Env != c.APIKeyEnv {
			// A custom access-key variable implies its companion: FOO_ACCESS_KEY_ID -> FOO_SECRET_ACCESS_KEY.
			secretEnv = p.Auth.Env + "_SECRET"
		}
		data = map[string]string{dataplane.KeyAccessKey: dataplane.EnvMarker(p.Auth.Env), dataplane.KeySecretKey: dataplane.EnvMarker(secretEnv)}
	}
	return &corev1.Secret{
		TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "Secret"},
		ObjectMeta: meta,
		Type:       corev1.SecretTypeOpaque,
		StringData: data,
	}
}

// keySecret renders the Secret of a credential read from variable env: a
// ${VAR} marker under the key the data planes read.
func keySecret(env string, meta metav1.ObjectMeta) *corev1.Secret {
	return &corev1.Secret{
		TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "Secret"},
		ObjectMeta: meta,
		Type:       corev1.SecretTypeOpaque,
		StringData: map[string]string{dataplane.KeyAuthorization: dataplane.EnvMarker(env)},
	}
}

// mcpRoute serves an MCP gateway's backend under its path, unchanged:
// agentgateway's MCP backend speaks Streamable HTTP on any path (only a
// request path of exactly /sse is its legacy SSE transport).
func mcpRoute(s *spec.Spec, m *spec.MCPGateway, group gwv1.Group, kind gwv1.Kind, meta metav1.ObjectMeta) *gwv1.HTTPRoute {
	rule := gwv1.HTTPRouteRule{
		Matches: []gwv1.HTTPRouteMatch{{Path: &gwv1.HTTPPathMatch{Type: ptr.To(gwv1.PathMatchPathPrefix), Value: ptr.To(m.Path)}}},
		BackendRefs: []gwv1.HTTPBackendRef{{BackendRef: gwv1.BackendRef{
			BackendObjectReference: gwv1.BackendObjectReference{Group: ptr.To(group), Kind: ptr.To(kind), Name: gwv1.ObjectName(m.Name)},
		}}},
	}
	return gatewayRoute(s, rule, meta)
}

// gatewayRoute is an HTTPRoute of one rule on the Spec's Gateway.
func gatewayRoute(s *spec.Spec, rule gwv1.HTTPRouteRule, meta metav1.ObjectMeta) *gwv1.HTTPRoute {
	return &gwv1.HTTPRoute{
		TypeMeta:   metav1.TypeMeta{APIVersion: gwv1.GroupVersion.String(), Kind: "HTTPRoute"},
		ObjectMeta: meta,
		Spec: gwv1.HTTPRouteSpec{
			CommonRouteSpec: gwv1.CommonRouteSpec{ParentRefs: []gwv1.ParentReference{{Name: gwv1.ObjectName(s.Gateway.Name)}}},
			Rules:           []gwv1.HTTPRouteRule{rule},
		},
	}
}

func gateway(s *spec.Spec, t templates.Target, params gwv1.LocalParametersReference, meta metav1.ObjectMeta) *gwv1.Gateway {
	gw := &gwv1.Gateway{
		TypeMeta:   metav1.TypeMeta{APIVersion: gwv1.GroupVersion.String(), Kind: "Gateway"},
		ObjectMeta: meta,
		Spec: gwv1.GatewaySpec{
			GatewayClassName: gwv1.ObjectName(t.GatewayClass),
			Infrastructure:   &gwv1.GatewayInfrastructure{ParametersRef: &params},
		},
	}
	from := gwv1.FromNamespaces(s.Gateway.AllowedRoutes)
	for _, l := range s.Gateway.Listeners {
		gl := gwv1.Listener{
			Name:          gwv1.SectionName(l.Name),
			Port:          l.Port,
			Protocol:      gwv1.HTTPProtocolType,
			AllowedRoutes: &gwv1.AllowedRoutes{Namespaces: &gwv1.RouteNamespaces{From: &from}},
		}
		if l.Hostname != "" {
			gl.Hostname = ptr.To(gwv1.Hostname(l.Hostname))
		}
		gw.Spec.Listeners = append(gw.Spec.Listeners, gl)
	}
	return gw
}

// httpRoute serves the route's backends under its path prefix. kgateway's
// AI extension sets the provider's own path on every upstream request;
// agentgateway does for the route types it reads, but forwards the
// client's path on Passthrough (the model list, the rest of the provider's
// API) and to providers reached by a host override (Mistral, Ollama), so
// there the route's prefix is taken off (/openai/v1/models reaches the
// provider as /v1/models).
func httpRoute(s *spec.Spec, target templates.Target, r *spec.Route, group gwv1.Group, kind gwv1.Kind, meta metav1.ObjectMeta) *gwv1.HTTPRoute {
	rule := gwv1.HTTPRouteRule{
		Matches: []gwv1.HTTPRouteMatch{{Path: &gwv1.HTTPPathMatch{Type: ptr.To(gwv1.PathMatchPathPrefix), Value: ptr.To(r.Path)}}},
	}
	if !target.AIExtension && r.Path != "/" {
		rule.Filters = []gwv1.HTTPRouteFilter{stripPrefix()}
	}
	for _, b := range r.Backends {
		ref := gwv1.HTTPBackendRef{BackendRef: gwv1.BackendRef{
			BackendObjectReference: gwv1.BackendObjectReference{Group: ptr.To(group), Kind: ptr.To(kind), Name: gwv1.ObjectName(b.Name)},
			Weight:                 b.Weight,
		}}
		rule.BackendRefs = append(rule.BackendRefs, ref)
	}
	return gatewayRoute(s, rule, meta)
}

// stripPrefix is the URL rewrite that takes a rule's path-prefix match off
// the request's path.
func stripPrefix() gwv1.HTTPRouteFilter {
	return gwv1.HTTPRouteFilter{Type: gwv1.HTTPRouteFilterURLRewrite, URLRewrite: &gwv1.HTTPURLRewriteFilter{
		Path: &gwv1.HTTPPathModifier{Type: gwv1.PrefixMatchHTTPPathModifier, ReplacePrefixMatch: ptr.To("/")}}}
}

// isStripPrefix reports whether f is the rewrite stripPrefix renders.
func isStripPrefix(f gwv1.HTTPRouteFilter) bool {
	u := f.URLRewrite
	return f.Type == gwv1.HTTPRouteFilterURLRewrite && u != nil && u.Hostname == nil && u.Path != nil &&
		u.Path.Type == gwv1.PrefixMatchHTTPPathModifier && u.Path.ReplacePrefixMatch != nil && *u.Path.ReplacePrefixMatch == "/"
}
