package dataplane

import (
	"encoding/json"
	"fmt"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	gwv1 "sigs.k8s.io/gateway-api/apis/v1"

	kgw20 "github.com/kubelb-ai/kubelb-ai/api/kgatewayv20"
	kgw21 "github.com/kubelb-ai/kubelb-ai/api/kgatewayv21"
	"github.com/kubelb-ai/kubelb-ai/spec"
	"github.com/kubelb-ai/kubelb-ai/templates"
)

// kgatewayParams reads what the Spec keeps of GatewayParameters: the
// Service type; it reports the rest.
func kgatewayParams(target string, gp *kgw21.GatewayParameters) (string, []string) {
	k := gp.Spec.Kube
	if k == nil {
		return spec.DefaultServiceType, []string{"self-managed gateway parameters are not represented"}
	}
	var issues []string
	st := spec.DefaultServiceType
	if k.Service != nil && k.Service.Type != nil {
		st = string(*k.Service.Type)
	}
	extra := k.Service != nil && (k.Service.ClusterIP != nil || len(k.Service.Ports) > 0 || len(k.Service.ExtraLabels) > 0 || len(k.Service.ExtraAnnotations) > 0)
	a := k.AIExtension
	if a == nil || a.Enabled == nil || !*a.Enabled {
		issues = append(issues, "the AI extension is not enabled; the Spec always enables it")
	}
	if a != nil {
		if _, _, pinned := aiExtensionImage(target); a.Image != nil && a.Image.Tag != nil && *a.Image.Tag != pinned {
			issues = append(issues, fmt.Sprintf("AI extension image tag %s is replaced by the release tag %s", *a.Image.Tag, pinned))
		}
		extra = extra || a.Resources != nil || a.SecurityContext != nil || len(a.Env) > 0 || a.Stats != nil
		// The AI extension's tracing follows the HTTPListenerPolicy's,
		// which is read as the Spec's.
	}
	if extra {
		issues = append(issues, "settings beyond the Service type and the AI extension image are not represented")
	}
	return st, issues
}

func (kgateway21) ParseParameters(data []byte) (string, []string, error) {
	var gp kgw21.GatewayParameters
	if err := DecodeStrict(data, &gp); err != nil {
		return "", nil, err
	}
	st, issues := kgatewayParams(templates.KgatewayV21, &gp)
	return st, issues, nil
}

// parseParameters and parsePolicy of v2.0 check the document against v2.0's
// own types, then read it with v2.1's: the shapes kubelb-ai uses are the same.
func (kgateway20) ParseParameters(data []byte) (string, []string, error) {
	var gp kgw21.GatewayParameters
	if err := DecodeStrict(data, &kgw20.GatewayParameters{}); err != nil {
		return "", nil, err
	}
	if err := json.Unmarshal(data, &gp); err != nil {
		return "", nil, err
	}
	st, issues := kgatewayParams(templates.KgatewayV20, &gp)
	return st, issues, nil
}

func (kgateway21) ParseBackend(data []byte) (ParsedBackend, []string, error) {
	var b kgw21.Backend
	if err := DecodeStrict(data, &b); err != nil {
		return ParsedBackend{}, nil, err
	}
	if b.Spec.Type != "AI" || b.Spec.AI == nil {
		return ParsedBackend{}, []string{fmt.Sprintf("a %s backend, not an AI backend; not represented", b.Spec.Type)}, nil
	}
	var out ParsedBackend
	var issues []string
	if l := b.Spec.AI.LLM; l != nil {
		w, is := wire21(*l)
		out.Providers, issues = append(out.Providers, w), append(issues, is...)
	}
	for _, g := range b.Spec.AI.PriorityGroups {
		if len(g.Providers) > 1 {
			issues = append(issues, "several providers in one priority group (load-balanced) are represented as consecutive failover steps")
		}
		for _, np := range g.Providers {
			w, is := wire21(np.LLMProvider)
			w.Name = np.Name
			out.Providers, issues = append(out.Providers, w), append(issues, is...)
		}
	}
	return out, issues, nil
}

func wire21(l kgw21.LLMProvider) (WireProvider, []string) {
	var issues []string
	w := WireProvider{Host: l.Host, Port: l.Port}
	if l.Path != nil {
		w.Path = l.Path.Full
	}
	if l.AuthHeader != nil {
		issues = append(issues, "authHeader overrides are not represented")
	}
	var tok *kgw21.SingleAuthToken
	switch {
	case l.OpenAI != nil:
		w.Kind, w.Model, tok = "openai", l.OpenAI.Model, &l.OpenAI.AuthToken
	case l.Anthropic != nil:
		w.Kind, w.Model, w.APIVersion, tok = "anthropic", l.Anthropic.Model, l.Anthropic.Version, &l.Anthropic.AuthToken
	case l.Gemini != nil:
		w.Kind, w.Model, w.APIVersion, tok = "gemini", l.Gemini.Model, l.Gemini.APIVersion, &l.Gemini.AuthToken
	case l.VertexAI != nil:
		v := l.VertexAI
		w.Kind, w.Model, w.APIVersion, tok = "vertexai", v.Model, v.APIVersion, &v.AuthToken
		w.Vertex = &spec.Vertex{Project: v.ProjectID, Location: v.Location}
		if v.ModelPath != "" {
			issues = append(issues, "vertexai modelPath is not represented")
		}
	case l.AzureOpenAI != nil:
		a := l.AzureOpenAI
		w.Kind, w.APIVersion, tok = "azureopenai", a.APIVersion, &a.AuthToken
		w.Azure = &spec.Azure{Endpoint: a.Endpoint, Deployment: a.DeploymentName}
	case l.Bedrock != nil:
		w.Kind, w.Model = "bedrock", l.Bedrock.Model
		w.Bedrock = &spec.Bedrock{}
		if l.Bedrock.Region != nil {
			w.Bedrock.Region = *l.Bedrock.Region
		}
		if l.Bedrock.Auth != nil && l.Bedrock.Auth.SecretRef != nil {
			w.Auth, w.SecretName = "SecretRef", l.Bedrock.Auth.SecretRef.Name
		}
	}
	if tok != nil {
		w.Auth = string(tok.Kind)
		if tok.SecretRef != nil {
			w.SecretName = tok.SecretRef.Name
		}
		if tok.Kind == "Inline" {
			issues = append(issues, "an inline auth token is not represented (keys never go into kubelb-ai.yaml); the provider reads its default variable")
			w.Auth = "SecretRef"
		}
	}
	return w, issues
}

func (kgateway20) ParseBackend(data []byte) (ParsedBackend, []string, error) {
	var b kgw20.Backend
	if err := DecodeStrict(data, &b); err != nil {
		return ParsedBackend{}, nil, err
	}
	if b.Spec.Type != "AI" || b.Spec.AI == nil {
		return ParsedBackend{}, []string{fmt.Sprintf("a %s backend, not an AI backend; not represented", b.Spec.Type)}, nil
	}
	var out ParsedBackend
	var issues []string
	if l := b.Spec.AI.LLM; l != nil {
		w, is := wire20(*l)
		out.Providers, issues = append(out.Providers, w), append(issues, is...)
	}
	if mp := b.Spec.AI.MultiPool; mp != nil {
		for _, prio := range mp.Priorities {
			if len(prio.Pool) > 1 {
				issues = append(issues, "several providers in one priority (load-balanced) are represented as consecutive failover steps")
			}
			for _, l := range prio.Pool {
				w, is := wire20(l)
				out.Providers, issues = append(out.Providers, w), append(issues, is...)
			}
		}
	}
	return out, issues, nil
}

// wire20 reads v2.0's llm.provider block as v2.1's (same JSON shape) and
// takes the host from hostOverride.
func wire20(l kgw20.LLMProvider) (WireProvider, []string) {
	var l21 kgw21.LLMProvider
	convertJSON(l.Provider, &l21)
	w, issues := wire21(l21)
	if l.HostOverride != nil {
		w.Host, w.Port = l.HostOverride.Host, l.HostOverride.Port
	}
	return w, issues
}

// kgatewayAIPolicy holds the parts of a kgateway AI policy, which both
// releases share apart from field types.
type kgatewayAIPolicy struct {
	prepend, append       []spec.Message
	request, response     *spec.GuardRule
	webhooks              spec.GuardWebhooks
	message               *string
	status                *int32
	defaults              []spec.FieldDefault
	streaming, moderation bool
}

func (a kgatewayAIPolicy) policies() (*spec.Policies, []string) {
	var issues []string
	p := &spec.Policies{}
	if len(a.prepend) > 0 || len(a.append) > 0 {
		p.Prompt = &spec.Prompt{Prepend: a.prepend, Append: a.append}
	}
	if a.request != nil || a.response != nil || a.webhooks.Request != nil || a.webhooks.Response != nil {
		p.PromptGuard = &spec.PromptGuard{}
		if a.webhooks.Request != nil || a.webhooks.Response != nil {
			hooks := a.webhooks
			p.PromptGuard.Webhook = &hooks
		}
		if r := a.request; r != nil {
			if r.Action == spec.GuardReject {
				if a.message != nil {
					r.Message = *a.message
				}
				if a.status != nil {
					r.StatusCode = *a.status
				}
			} else if a.message != nil || a.status != nil {
				issues = append(issues, "a custom response for a masking guard is not represented")
			}
			p.PromptGuard.Request = []spec.GuardRule{*r}
		}
		if r := a.response; r != nil {
			p.PromptGuard.Response = []spec.GuardRule{*r}
		}
	}
	p.Defaults = a.defaults
	if a.streaming {
		issues = append(issues, "routeType CHAT_STREAMING is not represented (the Spec's routes take either)")
	}
	if a.moderation {
		issues = append(issues, "moderation guards are not represented")
	}
	return p, issues
}

// defaultValue decodes a kgateway default's JSON text.
func defaultValue(text string) (any, string) {
	var v any
	if err := json.Unmarshal([]byte(text), &v); err != nil {
		return text, fmt.Sprintf("default value %q is not JSON; represented as the string %q", text, text)
	}
	return v, ""
}

func regexRule(action *string, builtins []string, matches []string, named bool) (*spec.GuardRule, []string) {
	var issues []string
	a := ""
	if action != nil {
		a = *action
	}
	if named {
		issues = append(issues, "names of regex matches are not represented")
	}
	r := guardRule(a, builtins, matches)
	return &r, issues
}

func (kgateway21) ParsePolicy(data []byte) (ParsedPolicy, []string, error) {
	var head metav1.TypeMeta
	if err := json.Unmarshal(data, &head); err != nil {
		return ParsedPolicy{}, nil, err
	}
	if head.Kind == "HTTPListenerPolicy" {
		var lp kgw21.HTTPListenerPolicy
		if err := DecodeStrict(data, &lp); err != nil {
			return ParsedPolicy{}, nil, err
		}
		out, issues := parseListenerPolicy(&lp)
		return out, issues, nil
	}
	var tp kgw21.TrafficPolicy
	if err := DecodeStrict(data, &tp); err != nil {
		return ParsedPolicy{}, nil, err
	}
	var out ParsedPolicy
	routes, p, issues := trafficPolicy(&tp, &out)
	out.Routes, out.Policies = routes, p
	out.AccessControls = kgatewayAccessControls(&tp)
	return out, issues, nil
}

func (kgateway20) ParsePolicy(data []byte) (ParsedPolicy, []string, error) {
	var tp kgw21.TrafficPolicy
	if err := DecodeStrict(data, &kgw20.TrafficPolicy{}); err != nil {
		return ParsedPolicy{}, nil, err
	}
	if err := json.Unmarshal(data, &tp); err != nil {
		return ParsedPolicy{}, nil, err
	}
	// v2.0 calls a webhook's header matches forwardHeaders.
	var tp20 kgw20.TrafficPolicy
	if err := json.Unmarshal(data, &tp20); err != nil {
		return ParsedPolicy{}, nil, err
	}
	if ai := tp20.Spec.AI; ai != nil && ai.PromptGuard != nil {
		if r := ai.PromptGuard.Request; r != nil && r.Webhook != nil {
			convertJSON(r.Webhook.ForwardHeaders, &tp.Spec.AI.PromptGuard.Request.Webhook.ForwardHeaderMatches)
		}
		if r := ai.PromptGuard.Response; r != nil && r.Webhook != nil {
			convertJSON(r.Webhook.ForwardHeaders, &tp.Spec.AI.PromptGuard.Response.Webhook.ForwardHeaderMatches)
		}
	}
	var out ParsedPolicy
	routes, p, issues := trafficPolicy(&tp, &out)
	out.Routes, out.Policies = routes, p
	out.AccessControls = kgatewayAccessControls(&tp)
	return out, issues, nil
}

// trafficPolicy reads the route names a TrafficPolicy targets and the
// policies it sets; its rbac rules and rate-limit extension go into out.
func trafficPolicy(tp *kgw21.TrafficPolicy, out *ParsedPolicy) ([]string, *spec.Policies, []string) {
	var routes, issues []string
	for _, ref := range tp.Spec.TargetRefs {
		if ref.Kind != "HTTPRoute" {
			issues = append(issues, fmt.Sprintf("a policy on %s %s is not represented (the Spec's policies are per route)", ref.Kind, ref.Name))
			continue
		}
		if ref.SectionName != nil {
			issues = append(issues, fmt.Sprintf("a policy on rule %s of HTTPRoute %s is represented on the whole route", *ref.SectionName, ref.Name))
		}
		routes = append(routes, ref.Name)
	}
	if len(tp.Spec.TargetSelectors) > 0 {
		issues = append(issues, "targetSelectors are not represented")
	}
	if r := tp.Spec.RBAC; r != nil {
		if r.Action != nil && *r.Action != "Allow" {
			issues = append(issues, fmt.Sprintf("rbac action %s is not represented (the Spec's allow rules allow)", *r.Action))
		} else {
			out.Clients = &spec.Clients{Allow: r.Policy.MatchExpressions}
		}
	}
	if tp.Spec.Transformation != nil || tp.Spec.ExtProc != nil || tp.Spec.ExtAuth != nil {
		issues = append(issues, "transformation, extProc and extAuth are not represented")
	}
	var p *spec.Policies
	if c := tp.Spec.Cors; c != nil && c.Disable != nil {
		issues = append(issues, "cors.disable (turning off a wider policy's CORS) is not represented")
	} else if c != nil {
		var f gwv1.HTTPCORSFilter
		convertJSON(c, &f)
		p = &spec.Policies{CORS: specCORS(f)}
	}
	if ai := tp.Spec.AI; ai != nil {
		a := kgatewayAIPolicy{streaming: ai.RouteType != nil && *ai.RouteType == "CHAT_STREAMING"}
		if e := ai.PromptEnrichment; e != nil {
			a.prepend, a.append = specMessages21(e.Prepend), specMessages21(e.Append)
		}
		if g := ai.PromptGuard; g != nil {
			if r := g.Request; r != nil {
				if r.Regex != nil {
					var is []string
					a.request, is = regexRule((*string)(r.Regex.Action), builtins21(r.Regex.Builtins), patterns21(r.Regex.Matches), named21(r.Regex.Matches))
					issues = append(issues, is...)
				}
				if r.CustomResponse != nil {
					a.message, a.status = r.CustomResponse.Message, r.CustomResponse.StatusCode
				}
				a.webhooks.Request, a.moderation = specWebhook21(r.Webhook), r.Moderation != nil
			}
			if r := g.Response; r != nil {
				if r.Regex != nil {
					var is []string
					a.response, is = regexRule((*string)(r.Regex.Action), builtins21(r.Regex.Builtins), patterns21(r.Regex.Matches), named21(r.Regex.Matches))
					issues = append(issues, is...)
				}
				a.webhooks.Response = specWebhook21(r.Webhook)
			}
		}
		for _, d := range ai.Defaults {
			v, is := defaultValue(d.Value)
			if is != "" {
				issues = append(issues, is)
			}
			a.defaults = append(a.defaults, spec.FieldDefault{Field: d.Field, Value: v, Override: d.Override})
		}
		pol, is := a.policies()
		issues = append(issues, is...)
		p = MergePolicies(p, pol)
	}
	if rl := tp.Spec.RateLimit; rl != nil {
		if p == nil {
			p = &spec.Policies{}
		}
		if g := rl.Global; g != nil {
			limit, ext, is := globalLimit21(g)
			issues = append(issues, is...)
			if limit != nil {
				p.RateLimit, out.Extension = limit, ext
			}
		}
		if rl.Local != nil && rl.Local.TokenBucket != nil {
			tb := rl.Local.TokenBucket
			limit, msg := limitFromBucket(tb.MaxTokens, tb.TokensPerFill, tb.FillInterval)
			if msg != "" {
				issues = append(issues, msg)
			}
			p.RateLimit = limit
		}
	}
	return routes, p, issues
}

func specMessages21(ms []kgw21.Message) []spec.Message {
	var out []spec.Message
	for _, m := range ms {
		out = append(out, spec.Message{Role: lowerRole(m.Role), Content: m.Content})
	}
	return out
}

func builtins21(bs []kgw21.BuiltIn) []string {
	var out []string
	for _, b := range bs {
		out = append(out, string(b))
	}
	return out
}

func patterns21(ms []kgw21.RegexMatch) []string {
	var out []string
	for _, m := range ms {
		out = append(out, m.Pattern)
	}
	return out
}

func named21(ms []kgw21.RegexMatch) bool {
	for _, m := range ms {
		if m.Name != "" {
			return true
		}
	}
	return false
}

// specWebhook21 reads a kgateway guard webhook: a host and port.
func specWebhook21(w *kgw21.Webhook) *spec.Webhook {
	if w == nil {
		return nil
	}
	out := &spec.Webhook{Host: w.Host.Host, Port: w.Host.Port}
	for _, h := range w.ForwardHeaderMatches {
		m := spec.HeaderMatch{Name: h.Name, Value: h.Value}
		if h.Type != nil {
			m.Type = string(*h.Type)
		}
		out.ForwardHeaders = append(out.ForwardHeaders, m)
	}
	return out
}

// globalLimit21 reads the descriptor Traffic writes back as a global
// request limit (its number is in the service's ConfigMap) and the
// GatewayExtension it names.
func globalLimit21(g *kgw21.RateLimitPolicy) (*spec.RequestLimit, string, []string) {
	unknown := []string{"a global rate-limit descriptor kubelb-ai does not write is not represented"}
	if len(g.Descriptors) != 1 || g.ExtensionRef.Namespace != nil {
		return nil, "", unknown
	}
	es := g.Descriptors[0].Entries
	if len(es) == 0 || len(es) > 2 || es[0].Type != kgw21.RateLimitDescriptorEntryTypeGeneric || es[0].Generic == nil || es[0].Generic.Key != DescriptorRoute {
		return nil, "", unknown
	}
	limit := &spec.RequestLimit{Scope: spec.ScopeGlobal, Key: spec.KeyRoute}
	if len(es) == 2 {
		switch e := es[1]; {
		case e.Type == kgw21.RateLimitDescriptorEntryTypeHeader && e.Header != "":
			limit.Key = spec.HeaderKey(e.Header)
		case e.Type == kgw21.RateLimitDescriptorEntryTypeRemoteAddress:
			limit.Key = spec.AddressKey
		default:
			return nil, "", unknown
		}
	}
	return limit, g.ExtensionRef.Name, nil
}

// kgatewayAccessControls are a TrafficPolicy's checks of callers that the
// Spec cannot carry: extAuth anywhere, rbac on anything but whole routes
// or with an action other than Allow.
func kgatewayAccessControls(tp *kgw21.TrafficPolicy) []string {
	var out []string
	if tp.Spec.ExtAuth != nil {
		out = append(out, "extAuth")
	}
	elsewhere := len(tp.Spec.TargetSelectors) > 0
	for _, ref := range tp.Spec.TargetRefs {
		elsewhere = elsewhere || ref.Kind != "HTTPRoute" || ref.SectionName != nil
	}
	if tp.Spec.RBAC != nil && elsewhere {
		out = append(out, "rbac on a target other than a whole HTTPRoute")
	}
	switch r := tp.Spec.RBAC; {
	case r == nil:
	case r.Action != nil && *r.Action != "Allow":
		// The Spec's rules allow: dropping a denying rule lets its callers in.
		out = append(out, fmt.Sprintf("rbac action %s", *r.Action))
	case len(r.Policy.MatchExpressions) == 0:
		// An allow list with no entry allows no one; the Spec's empty
		// list checks nothing.
		out = append(out, "rbac with no matchExpressions")
	}
	return out
}
