package dataplane

import (
	"encoding/json"
	"strconv"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/utils/ptr"
	gwv1 "sigs.k8s.io/gateway-api/apis/v1"

	agw "github.com/kubelb-ai/kubelb-ai/api/agentgateway"
	"github.com/kubelb-ai/kubelb-ai/spec"
)

const (
	agwGroup      = "agentgateway.dev"
	agwAPIVersion = agwGroup + "/v1alpha1"
)

// agwUnits maps Spec units to AgentgatewayPolicy rate-limit units.
var agwUnits = map[string]agw.RateLimitUnit{spec.PerSecond: "Seconds", spec.PerMinute: "Minutes", spec.PerHour: "Hours"}

// agwBuiltins maps Spec builtin names to agentgateway's.
var agwBuiltins = map[string]agw.BuiltinRegex{
	"CREDIT_CARD": "CreditCard", "SSN": "Ssn", "EMAIL": "Email", "PHONE_NUMBER": "PhoneNumber", "CA_SIN": "CaSin",
}

// agwActions maps Spec guard actions to agentgateway's.
var agwActions = map[string]agw.RegexAction{spec.GuardMask: "Mask", spec.GuardReject: "Reject"}

// agentgateway renders for agentgateway (KubeLB 1.4+): auth and AI policies
// live on the AgentgatewayBackend, rate limits on an AgentgatewayPolicy.
type agentgateway struct{}

func (agentgateway) BackendRef() (gwv1.Group, gwv1.Kind) { return agwGroup, "AgentgatewayBackend" }

func (agentgateway) Parameters(s *spec.Spec, meta metav1.ObjectMeta) (Object, gwv1.LocalParametersReference) {
	overlay, _ := json.Marshal(map[string]any{"type": s.Gateway.ServiceType})
	return &agw.AgentgatewayParameters{
			TypeMeta:   typeMeta(agwAPIVersion, "AgentgatewayParameters"),
			ObjectMeta: meta,
			Spec: agw.AgentgatewayParametersSpec{
				Service: &agw.KubernetesResourceOverlay{Spec: &runtime.RawExtension{Raw: overlay}},
			},
		}, gwv1.LocalParametersReference{
			Group: agwGroup, Kind: "AgentgatewayParameters", Name: meta.Name,
		}
}

func (agentgateway) Backend(s *spec.Spec, b spec.Backend, r *spec.Route, meta metav1.ObjectMeta) (Object, error) {
	ps, err := failoverProviders(s, b)
	if err != nil {
		return nil, err
	}
	be := &agw.AgentgatewayBackend{
		TypeMeta:   typeMeta(agwAPIVersion, "AgentgatewayBackend"),
		ObjectMeta: meta,
		Spec:       agw.AgentgatewayBackendSpec{AI: &agw.AIBackend{}},
	}
	policies := &agw.BackendPolicies{AI: agwAIPolicy(r.Policies)}
	if policies.AI == nil {
		policies.AI = &agw.AIPolicy{}
	}
	// Without routes agentgateway parses every request as chat completions.
	policies.AI.Routes = agwRoutes(spec.RouteTypesOf(s, r))
	if len(ps) == 1 {
		be.Spec.AI.Provider = ptr.To(agwLLM(ps[0]))
		policies.Auth, policies.TLS = agwAuth(ps[0]), agwTLS(ps[0])
	} else {
		for _, p := range ps {
			np := agw.NamedLLMProvider{Name: p.Name, LLMProvider: agwLLM(p)}
			if auth, tls := agwAuth(p), agwTLS(p); auth != nil || tls != nil {
				np.Policies = &agw.ProviderPolicies{Auth: auth, TLS: tls}
			}
			be.Spec.AI.Groups = append(be.Spec.AI.Groups, agw.PriorityGroup{Providers: []agw.NamedLLMProvider{np}})
		}
	}
	if policies.AI != nil || policies.Auth != nil || policies.TLS != nil {
		be.Spec.Policies = policies
	}
	return be, nil
}

func agwLLM(p *spec.Provider) agw.LLMProvider {
	var l agw.LLMProvider
	switch p.Kind {
	case "openai", "mistral", "ollama":
		l.OpenAI = &agw.OpenAIConfig{Model: p.Model}
	case "anthropic":
		l.Anthropic = &agw.AnthropicConfig{Model: p.Model}
	case "gemini":
		l.Gemini = &agw.GeminiConfig{Model: p.Model}
	case "vertexai":
		l.VertexAI = &agw.VertexAIConfig{Model: p.Model, ProjectID: p.Vertex.Project, Region: p.Vertex.Location}
	case "azureopenai":
		l.AzureOpenAI = &agw.AzureOpenAIConfig{Endpoint: p.Azure.Endpoint, DeploymentName: p.Azure.Deployment, APIVersion: p.APIVersion}
	case "bedrock":
		l.Bedrock = &agw.BedrockConfig{Model: p.Model, Region: p.Bedrock.Region}
	}
	l.Host, l.Port = HostPort(p)
	l.Path = p.Path
	return l
}

// agwAuth says where agentgateway finds the provider's credential.
func agwAuth(p *spec.Provider) *agw.BackendAuth {
	switch {
	case p.Auth.Source == spec.AuthPassthrough:
		return &agw.BackendAuth{Passthrough: &agw.PassthroughAuth{}}
	case p.Auth.Source != spec.AuthEnv:
		return nil
	case p.Kind == "bedrock":
		return &agw.BackendAuth{AWS: &agw.AWSAuth{SecretRef: corev1.LocalObjectReference{Name: SecretName(p.Name)}}}
	default:
		return &agw.BackendAuth{SecretRef: &corev1.LocalObjectReference{Name: SecretName(p.Name)}}
	}
}

// agwTLS turns on TLS (with SNI) for a host override on port 443: agentgateway
// speaks plain HTTP to an overridden host unless told otherwise.
func agwTLS(p *spec.Provider) *agw.BackendTLS {
	host, port := HostPort(p)
	if host == "" || port != 443 {
		return nil
	}
	return &agw.BackendTLS{SNI: host}
}

func agwAIPolicy(p *spec.Policies) *agw.AIPolicy {
	if !hasAIPolicy(p) {
		return nil
	}
	ai := &agw.AIPolicy{}
	if p.Prompt != nil && (len(p.Prompt.Prepend) > 0 || len(p.Prompt.Append) > 0) {
		ai.Prompt = &agw.PromptEnrichment{Prepend: agwMessages(p.Prompt.Prepend), Append: agwMessages(p.Prompt.Append)}
	}
	if g := p.PromptGuard; !g.Empty() {
		ai.PromptGuard = &agw.PromptGuard{}
		for _, rule := range g.Request {
			ai.PromptGuard.Request = append(ai.PromptGuard.Request, agw.PromptGuardRequest{Regex: agwRegex(rule), Response: agwReject(rule)})
		}
		for _, rule := range g.Response {
			ai.PromptGuard.Response = append(ai.PromptGuard.Response, agw.PromptGuardResponse{Regex: agwRegex(rule), Response: agwReject(rule)})
		}
		// The webhook is the last check of its direction: it judges the
		// text the rules have masked.
		req, resp := g.Webhooks()
		if req != nil {
			ai.PromptGuard.Request = append(ai.PromptGuard.Request, agw.PromptGuardRequest{Webhook: agwWebhook(req)})
		}
		if resp != nil {
			ai.PromptGuard.Response = append(ai.PromptGuard.Response, agw.PromptGuardResponse{Webhook: agwWebhook(resp)})
		}
	}
	for _, d := range p.Defaults {
		raw, _ := json.Marshal(d.Value)
		fd := agw.FieldDefault{Field: agw.FieldName(d.Field), Value: runtime.RawExtension{Raw: raw}}
		if d.Override {
			ai.Overrides = append(ai.Overrides, fd)
		} else {
			ai.Defaults = append(ai.Defaults, fd)
		}
	}
	return ai
}

func agwRoutes(m map[string]string) map[string]agw.RouteType {
	out := make(map[string]agw.RouteType, len(m))
	for suffix, rt := range m {
		out[suffix] = agw.RouteType(rt)
	}
	return out
}

func agwMessages(ms []spec.Message) []agw.Message {
	var out []agw.Message
	for _, m := range ms {
		out = append(out, agw.Message{Role: m.Role, Content: m.Content})
	}
	return out
}

func agwRegex(rule spec.GuardRule) *agw.RegexGuard {
	re := &agw.RegexGuard{Action: agwActions[rule.Action], Matches: rule.Patterns}
	for _, b := range rule.Builtins {
		re.Builtins = append(re.Builtins, agwBuiltins[b])
	}
	return re
}

func agwReject(rule spec.GuardRule) *agw.CustomResponse {
	if rule.Message == "" && rule.StatusCode == 0 {
		return nil
	}
	return &agw.CustomResponse{Message: rule.Message, StatusCode: rule.StatusCode}
}

func (agentgateway) RateLimit(r *spec.Route, meta metav1.ObjectMeta) Object {
	p := r.Policies
	if p.RateLimit == nil && p.TokenLimit == nil {
		return nil
	}
	var local []agw.LocalRateLimit
	if rl := p.RateLimit; rl != nil {
		local = append(local, agw.LocalRateLimit{Requests: rl.Requests, Unit: agwUnits[rl.Per], Burst: nonZero(rl.Burst)})
	}
	if tl := p.TokenLimit; tl != nil {
		local = append(local, agw.LocalRateLimit{Tokens: tl.Tokens, Unit: agwUnits[tl.Per], Burst: nonZero(tl.Burst)})
	}
	group, kind := routeTargetRef()
	return &agw.AgentgatewayPolicy{
		TypeMeta:   typeMeta(agwAPIVersion, "AgentgatewayPolicy"),
		ObjectMeta: meta,
		Spec: agw.AgentgatewayPolicySpec{
			TargetRefs: []agw.PolicyTargetReference{{Group: group, Kind: kind, Name: r.Name}},
			Traffic:    &agw.TrafficPolicy{RateLimit: &agw.RateLimits{Local: local}},
		},
	}
}

// CORS renders the route's CORS policy as an AgentgatewayPolicy's
// spec.traffic.cors.
func (agentgateway) CORS(r *spec.Route, meta metav1.ObjectMeta) Object {
	if r.Policies.CORS == nil {
		return nil
	}
	group, kind := routeTargetRef()
	return &agw.AgentgatewayPolicy{
		TypeMeta:   typeMeta(agwAPIVersion, "AgentgatewayPolicy"),
		ObjectMeta: meta,
		Spec: agw.AgentgatewayPolicySpec{
			TargetRefs: []agw.PolicyTargetReference{{Group: group, Kind: kind, Name: r.Name}},
			Traffic:    &agw.TrafficPolicy{CORS: &agw.CORS{HTTPCORSFilter: corsFilter(r.Policies.CORS)}},
		},
	}
}

// aiPolicy is nil: agentgateway's AI policies are part of the backend.
func (agentgateway) AIPolicy(*spec.Route, metav1.ObjectMeta) Object { return nil }

func nonZero(v int32) *int32 {
	if v == 0 {
		return nil
	}
	return &v
}

// agwWebhook is a guard webhook as agentgateway calls it: a Service
// (spec.Check keeps other hosts from this target).
func agwWebhook(w *spec.Webhook) *agw.GuardWebhook {
	name, namespace, _ := w.AsService()
	ref := gwv1.BackendObjectReference{Name: gwv1.ObjectName(name), Port: ptr.To(gwv1.PortNumber(w.Port))}
	if namespace != "" {
		ref.Namespace = ptr.To(gwv1.Namespace(namespace))
	}
	out := &agw.GuardWebhook{BackendRef: ref}
	for _, h := range w.ForwardHeaders {
		m := gwv1.HTTPHeaderMatch{Name: gwv1.HTTPHeaderName(h.Name), Value: h.Value}
		if h.Type != "" {
			m.Type = ptr.To(gwv1.HeaderMatchType(h.Type))
		}
		out.ForwardHeaderMatches = append(out.ForwardHeaderMatches, m)
	}
	return out
}

// Traffic renders one AgentgatewayPolicy per route with everything its
// traffic section holds: the clients' checks, local and global limits and
// CORS (apiKeyAuthentication, jwtAuthentication and rateLimit are singular:
// two policies setting one on a route would drop one).
func (agentgateway) Traffic(s *spec.Spec, r *spec.Route, meta metav1.ObjectMeta) Object {
	if !MergedTraffic(s, r) {
		return nil
	}
	t := &agw.TrafficPolicy{}
	if p := r.Policies; p != nil {
		var local []agw.LocalRateLimit
		var global []agw.RateLimitDescriptor
		if rl := p.RateLimit; rl.Global() {
			global = append(global, agwDescriptor(s, r.Name, DescriptorRoute, rl.Key, agw.RateLimitCostRequests))
		} else if rl != nil {
			local = append(local, agw.LocalRateLimit{Requests: rl.Requests, Unit: agwUnits[rl.Per], Burst: nonZero(rl.Burst)})
		}
		if tl := p.TokenLimit; tl.Global() {
			global = append(global, agwDescriptor(s, r.Name, DescriptorTokens, tl.Key, agw.RateLimitCostTokens))
		} else if tl != nil {
			local = append(local, agw.LocalRateLimit{Tokens: tl.Tokens, Unit: agwUnits[tl.Per], Burst: nonZero(tl.Burst)})
		}
		if len(local) > 0 || len(global) > 0 {
			t.RateLimit = &agw.RateLimits{Local: local}
		}
		if len(global) > 0 {
			rls := s.RateLimitService
			t.RateLimit.Global = &agw.GlobalRateLimit{BackendRef: serviceRef(rls.Service), Domain: rls.Domain,
				Descriptors: global, FailureMode: agw.FailureMode(rls.FailureMode)}
		}
		if p.CORS != nil {
			t.CORS = &agw.CORS{HTTPCORSFilter: corsFilter(p.CORS)}
		}
	}
	if c := s.Clients; c != nil {
		if len(c.APIKeys) > 0 {
			t.APIKeyAuthentication = &agw.APIKeyAuthentication{Mode: agw.CredentialMode(c.Mode),
				SecretRef: &corev1.LocalObjectReference{Name: ClientKeysName(s.Gateway.Name)}}
		}
		if j := c.JWT; j != nil {
			pr := agw.JWTProvider{Issuer: j.Issuer, Audiences: j.Audiences, JWKS: agw.JWKS{Inline: j.JWKS.Inline}}
			if j.JWKS.Service != "" {
				pr.JWKS.Remote = &agw.RemoteJWKS{JWKSPath: j.JWKS.Path, BackendRef: serviceRef(j.JWKS.Service)}
			}
			t.JWTAuthentication = &agw.JWTAuthentication{Mode: agw.JWTMode(c.Mode), Providers: []agw.JWTProvider{pr}}
		}
		for _, rule := range c.Allow {
			if t.Authorization == nil {
				t.Authorization = &agw.Authorization{Action: agw.AuthorizationAllow}
			}
			t.Authorization.Policy.MatchExpressions = append(t.Authorization.Policy.MatchExpressions, agw.CELExpression(rule))
		}
	}
	group, kind := routeTargetRef()
	pol := &agw.AgentgatewayPolicy{
		TypeMeta:   typeMeta(agwAPIVersion, "AgentgatewayPolicy"),
		ObjectMeta: meta,
		Spec: agw.AgentgatewayPolicySpec{
			TargetRefs: []agw.PolicyTargetReference{{Group: group, Kind: kind, Name: r.Name}},
			Traffic:    t,
		},
	}
	if c := s.Clients; c == nil || c.Header == "" || t.APIKeyAuthentication == nil {
		return pol
	}
	// location (v1.3.1+) is not in the v1.1.0 types render writes: add it
	// to the object's JSON form. The key is taken whole from the header.
	m, err := ToMap(pol)
	if err != nil {
		panic(err) // a typed object always encodes
	}
	auth := m["spec"].(map[string]any)["traffic"].(map[string]any)["apiKeyAuthentication"].(map[string]any)
	auth["location"] = map[string]any{"header": map[string]any{"name": s.Clients.Header}}
	return &unstructured.Unstructured{Object: m}
}

// agwDescriptor is a global limit's descriptor: the route (or its token
// limit) as a CEL string literal, then the limit's key.
func agwDescriptor(s *spec.Spec, route, first, key string, unit agw.RateLimitCost) agw.RateLimitDescriptor {
	d := agw.RateLimitDescriptor{Unit: unit, Entries: []agw.RateLimitDescriptorEntry{{Name: first, Expression: agw.CELExpression(strconv.Quote(route))}}}
	if name := KeyDescriptor(key); name != "" {
		expr := key
		if key == spec.KeyClient {
			expr = s.Clients.ClientKey()
		}
		d.Entries = append(d.Entries, agw.RateLimitDescriptorEntry{Name: name, Expression: agw.CELExpression(expr)})
	}
	return d
}

// RateLimitService is nil: an AgentgatewayPolicy names the service itself.
func (agentgateway) RateLimitService(*spec.Spec, metav1.ObjectMeta) Object { return nil }
