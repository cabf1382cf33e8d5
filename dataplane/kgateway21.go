package dataplane

import (
	"fmt"
	"strings"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
	gwv1 "sigs.k8s.io/gateway-api/apis/v1"

	kgw "github.com/kubelb-ai/kubelb-ai/api/kgatewayv21"
	"github.com/kubelb-ai/kubelb-ai/spec"
	"github.com/kubelb-ai/kubelb-ai/templates"
)

// kgateway21 renders for kgateway v2.1 (KubeLB 1.3): flattened providers,
// priority groups, host/port/path on the provider. kgateway20 reuses its
// parameters and policies; target says whose AI extension image to pin.
type kgateway21 struct{ target string }

func (kgateway21) BackendRef() (gwv1.Group, gwv1.Kind) { return kgatewayGroup, "Backend" }

func (k kgateway21) Parameters(s *spec.Spec, meta metav1.ObjectMeta) (Object, gwv1.LocalParametersReference) {
	target := k.target
	if target == "" {
		target = templates.KgatewayV21
	}
	reg, repo, tag := aiExtensionImage(target)
	return &kgw.GatewayParameters{
		TypeMeta:   typeMeta(kgatewayAPIVersion, "GatewayParameters"),
		ObjectMeta: meta,
		Spec: kgw.GatewayParametersSpec{Kube: &kgw.KubernetesProxyConfig{
			Service: &kgw.Service{Type: serviceType(s)},
			AIExtension: &kgw.AIExtension{
				Enabled: ptr.To(true),
				Image:   &kgw.Image{Registry: &reg, Repository: &repo, Tag: &tag},
				Ports:   []corev1.ContainerPort{{Name: "ai-monitoring", ContainerPort: aiMonitoringPort}},
				Tracing: aiExtensionTracing(s),
			},
		}},
	}, kgatewayParamsRef(meta.Name)
}

func (kgateway21) Backend(s *spec.Spec, b spec.Backend, _ *spec.Route, meta metav1.ObjectMeta) (Object, error) {
	ps, err := failoverProviders(s, b)
	if err != nil {
		return nil, err
	}
	ai := &kgw.AIBackend{}
	if len(ps) == 1 {
		ai.LLM = ptr.To(llm21(ps[0]))
	} else {
		for _, p := range ps {
			ai.PriorityGroups = append(ai.PriorityGroups, kgw.PriorityGroup{
				Providers: []kgw.NamedLLMProvider{{Name: p.Name, LLMProvider: llm21(p)}},
			})
		}
	}
	return &kgw.Backend{
		TypeMeta:   typeMeta(kgatewayAPIVersion, "Backend"),
		ObjectMeta: meta,
		Spec:       kgw.BackendSpec{Type: "AI", AI: ai},
	}, nil
}

func authToken21(p *spec.Provider) kgw.SingleAuthToken {
	if p.Auth.Source == spec.AuthEnv {
		return kgw.SingleAuthToken{Kind: "SecretRef", SecretRef: &corev1.LocalObjectReference{Name: SecretName(p.Name)}}
	}
	// The AI extension needs a token; without a key of our own, forward the client's.
	return kgw.SingleAuthToken{Kind: "Passthrough"}
}

func llm21(p *spec.Provider) kgw.LLMProvider {
	tok := authToken21(p)
	var l kgw.LLMProvider
	switch spec.WireKind(p.Kind) {
	case "openai":
		l.OpenAI = &kgw.OpenAIConfig{AuthToken: tok, Model: p.Model}
	case "anthropic":
		l.Anthropic = &kgw.AnthropicConfig{AuthToken: tok, Model: p.Model, Version: p.APIVersion}
	case "gemini":
		l.Gemini = &kgw.GeminiConfig{AuthToken: tok, Model: p.Model, APIVersion: p.APIVersion}
	case "vertexai":
		l.VertexAI = &kgw.VertexAIConfig{AuthToken: tok, Model: p.Model, APIVersion: p.APIVersion,
			ProjectID: p.Vertex.Project, Location: p.Vertex.Location, Publisher: vertexPublisher}
	case "azureopenai":
		l.AzureOpenAI = &kgw.AzureOpenAIConfig{AuthToken: tok, Endpoint: p.Azure.Endpoint, DeploymentName: p.Azure.Deployment, APIVersion: p.APIVersion}
	}
	l.Host, l.Port = HostPort(p)
	if p.Path != "" {
		l.Path = &kgw.PathOverride{Full: p.Path}
	}
	return l
}

func (kgateway21) RateLimit(r *spec.Route, meta metav1.ObjectMeta) Object {
	if r.Policies.RateLimit == nil {
		return nil
	}
	maxTokens, perFill, interval := tokenBucket(r.Policies.RateLimit)
	return &kgw.TrafficPolicy{
		TypeMeta:   typeMeta(kgatewayAPIVersion, "TrafficPolicy"),
		ObjectMeta: meta,
		Spec: kgw.TrafficPolicySpec{
			TargetRefs: targetRefs21(r),
			RateLimit: &kgw.RateLimit{Local: &kgw.LocalRateLimitPolicy{TokenBucket: &kgw.TokenBucket{
				MaxTokens: maxTokens, TokensPerFill: ptr.To(perFill), FillInterval: interval,
			}}},
		},
	}
}

// CORS renders the route's CORS policy as a TrafficPolicy's spec.cors.
func (kgateway21) CORS(r *spec.Route, meta metav1.ObjectMeta) Object {
	if r.Policies.CORS == nil {
		return nil
	}
	var cors kgw.CorsPolicy
	convertJSON(corsFilter(r.Policies.CORS), &cors)
	return &kgw.TrafficPolicy{
		TypeMeta:   typeMeta(kgatewayAPIVersion, "TrafficPolicy"),
		ObjectMeta: meta,
		Spec:       kgw.TrafficPolicySpec{TargetRefs: targetRefs21(r), Cors: &cors},
	}
}

func targetRefs21(r *spec.Route) []kgw.LocalPolicyTargetReferenceWithSectionName {
	group, kind := routeTargetRef()
	return []kgw.LocalPolicyTargetReferenceWithSectionName{{Group: group, Kind: kind, Name: r.Name}}
}

func (kgateway21) AIPolicy(r *spec.Route, meta metav1.ObjectMeta) Object {
	p := r.Policies
	if !hasAIPolicy(p) {
		return nil
	}
	ai := &kgw.AIPolicy{}
	if p.Prompt != nil {
		ai.PromptEnrichment = &kgw.AIPromptEnrichment{Prepend: messages21(p.Prompt.Prepend), Append: messages21(p.Prompt.Append)}
	}
	if g := p.PromptGuard; g != nil {
		ai.PromptGuard = &kgw.AIPromptGuard{}
		reqHook, respHook := g.Webhooks()
		rule, ok := guardParts(g.Request)
		if ok || reqHook != nil {
			req := &kgw.PromptguardRequest{Webhook: webhook21(reqHook, meta.Namespace)}
			if ok {
				req.Regex = regex21(rule)
			}
			if ok && rule.Action == spec.GuardReject && (rule.Message != "" || rule.StatusCode != 0) {
				req.CustomResponse = &kgw.CustomResponse{}
				if rule.Message != "" {
					req.CustomResponse.Message = ptr.To(rule.Message)
				}
				if rule.StatusCode != 0 {
					req.CustomResponse.StatusCode = ptr.To(rule.StatusCode)
				}
			}
			ai.PromptGuard.Request = req
		}
		if rule, ok := guardParts(g.Response); ok || respHook != nil {
			resp := &kgw.PromptguardResponse{Webhook: webhook21(respHook, meta.Namespace)}
			if ok {
				resp.Regex = regex21(rule)
			}
			ai.PromptGuard.Response = resp
		}
	}
	for _, d := range p.Defaults {
		ai.Defaults = append(ai.Defaults, kgw.FieldDefault{Field: d.Field, Value: jsonLiteral(d.Value), Override: d.Override})
	}
	return &kgw.TrafficPolicy{
		TypeMeta:   typeMeta(kgatewayAPIVersion, "TrafficPolicy"),
		ObjectMeta: meta,
		Spec:       kgw.TrafficPolicySpec{TargetRefs: targetRefs21(r), AI: ai},
	}
}

func messages21(ms []spec.Message) []kgw.Message {
	var out []kgw.Message
	for _, m := range ms {
		out = append(out, kgw.Message{Role: kgatewayRole(m.Role), Content: m.Content})
	}
	return out
}

func regex21(rule spec.GuardRule) *kgw.Regex {
	re := &kgw.Regex{Action: ptr.To(kgw.Action(strings.ToUpper(rule.Action)))}
	for _, b := range rule.Builtins {
		re.Builtins = append(re.Builtins, kgw.BuiltIn(b))
	}
	for _, pat := range rule.Patterns {
		re.Matches = append(re.Matches, kgw.RegexMatch{Pattern: pat})
	}
	return re
}

// webhook21 is a guard webhook as kgateway's AI extension calls it: a host
// (a Service's cluster DNS name; the policy's namespace when it names
// none) and port, reached over plain HTTP.
func webhook21(w *spec.Webhook, namespace string) *kgw.Webhook {
	if w == nil {
		return nil
	}
	out := &kgw.Webhook{Host: kgw.Host{Host: w.Address(namespace), Port: w.Port}}
	for _, h := range w.ForwardHeaders {
		m := kgw.HTTPHeaderMatch{Name: h.Name, Value: h.Value}
		if h.Type != "" {
			m.Type = ptr.To(kgw.HeaderMatchType(h.Type))
		}
		out.ForwardHeaderMatches = append(out.ForwardHeaderMatches, m)
	}
	return out
}

// Traffic renders one TrafficPolicy per route with its rate limits, local
// and global (rateLimit is one field), its rbac and CORS.
func (kgateway21) Traffic(s *spec.Spec, r *spec.Route, meta metav1.ObjectMeta) Object {
	if !MergedTraffic(s, r) {
		return nil
	}
	tp := &kgw.TrafficPolicy{
		TypeMeta:   typeMeta(kgatewayAPIVersion, "TrafficPolicy"),
		ObjectMeta: meta,
		Spec:       kgw.TrafficPolicySpec{TargetRefs: targetRefs21(r)},
	}
	if p := r.Policies; p != nil {
		if rl := p.RateLimit; rl.Global() {
			d := kgw.RateLimitDescriptor{Entries: []kgw.RateLimitDescriptorEntry{{Type: kgw.RateLimitDescriptorEntryTypeGeneric,
				Generic: &kgw.RateLimitDescriptorEntryGeneric{Key: DescriptorRoute, Value: r.Name}}}}
			switch kind, header := spec.LimitKeyOf(rl.Key); kind {
			case spec.KeyHeader:
				d.Entries = append(d.Entries, kgw.RateLimitDescriptorEntry{Type: kgw.RateLimitDescriptorEntryTypeHeader, Header: header})
			case spec.KeyAddress:
				d.Entries = append(d.Entries, kgw.RateLimitDescriptorEntry{Type: kgw.RateLimitDescriptorEntryTypeRemoteAddress})
			}
			tp.Spec.RateLimit = &kgw.RateLimit{Global: &kgw.RateLimitPolicy{Descriptors: []kgw.RateLimitDescriptor{d},
				ExtensionRef: kgw.NamespacedObjectReference{Name: RateLimitServiceName(s.Gateway.Name)}}}
		} else if rl != nil {
			tp.Spec.RateLimit = kgateway21{}.RateLimit(r, meta).(*kgw.TrafficPolicy).Spec.RateLimit
		}
		if p.CORS != nil {
			tp.Spec.Cors = kgateway21{}.CORS(r, meta).(*kgw.TrafficPolicy).Spec.Cors
		}
	}
	if c := s.Clients; c != nil && len(c.Allow) > 0 {
		tp.Spec.RBAC = &kgw.RBAC{Policy: kgw.RBACPolicy{MatchExpressions: c.Allow}}
	}
	return tp
}

// RateLimitService renders the GatewayExtension global limits refer to,
// when a route has one.
func (kgateway21) RateLimitService(s *spec.Spec, meta metav1.ObjectMeta) Object {
	rls := s.RateLimitService
	if rls == nil || !s.HasGlobalLimit() {
		return nil
	}
	return &kgw.GatewayExtension{
		TypeMeta:   typeMeta(kgatewayAPIVersion, "GatewayExtension"),
		ObjectMeta: meta,
		Spec: kgw.GatewayExtensionSpec{Type: kgw.GatewayExtensionTypeRateLimit, RateLimit: &kgw.RateLimitProvider{
			GrpcService: kgw.ExtGrpcService{BackendRef: gwv1.BackendRef{BackendObjectReference: serviceRef(rls.Service)}},
			Domain:      rls.Domain,
			// kgateway fails open unless told: write the Spec's mode.
			FailOpen: ptr.To(rls.FailureMode == spec.FailOpen),
		}},
	}
}

// ParseExtension reads a GatewayExtension of type RateLimit back.
func (kgateway21) ParseExtension(data []byte) (*spec.RateLimitService, []string, error) {
	var ge kgw.GatewayExtension
	if err := DecodeStrict(data, &ge); err != nil {
		return nil, nil, err
	}
	rl := ge.Spec.RateLimit
	if rl == nil {
		return nil, []string{fmt.Sprintf("a GatewayExtension of type %s is not represented", ge.Spec.Type)}, nil
	}
	addr, ok := serviceAddress(rl.GrpcService.BackendRef.BackendObjectReference)
	var issues []string
	if !ok {
		issues = append(issues, "a rate-limit service other than a Service port is not represented")
	}
	if rl.Timeout != nil || rl.XRateLimitHeaders != nil || rl.GrpcService.Authority != nil || rl.GrpcService.RequestTimeout != nil {
		issues = append(issues, "the rate-limit service's timeout, authority and x-ratelimit headers are not represented")
	}
	mode := spec.FailOpen // kgateway's default
	if rl.FailOpen != nil && !*rl.FailOpen {
		mode = spec.FailClosed
	}
	return &spec.RateLimitService{Service: addr, Domain: rl.Domain, FailureMode: mode}, issues, nil
}
