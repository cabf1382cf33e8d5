package dataplane

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strconv"

	agw "github.com/kubelb-ai/kubelb-ai/api/agentgateway"
	"github.com/kubelb-ai/kubelb-ai/spec"
)

func (agentgateway) ParseParameters(data []byte) (string, []string, error) {
	var ap agw.AgentgatewayParameters
	if err := DecodeStrict(data, &ap); err != nil {
		return "", nil, err
	}
	var issues []string
	st := spec.DefaultServiceType
	if svc := ap.Spec.Service; svc != nil && svc.Spec != nil {
		var overlay map[string]any
		if err := json.Unmarshal(svc.Spec.Raw, &overlay); err == nil {
			if t, ok := overlay["type"].(string); ok {
				st = t
			}
			if len(overlay) > 1 {
				issues = append(issues, "Service overlay fields other than type are not represented")
			}
		}
	}
	if s := ap.Spec; s.Logging != nil || s.Image != nil || len(s.Env) > 0 || s.Service != nil && s.Service.Metadata != nil {
		issues = append(issues, "settings beyond the Service type are not represented")
	}
	return st, issues, nil
}

func (agentgateway) ParseBackend(data []byte) (ParsedBackend, []string, error) {
	data, prefixMode, err := cutMCPPrefix(data)
	if err != nil {
		return ParsedBackend{}, nil, err
	}
	var b agw.AgentgatewayBackend
	if err := DecodeStrict(data, &b); err != nil {
		return ParsedBackend{}, nil, err
	}
	if b.Spec.MCP != nil {
		m, issues := parseMCP(b.Spec.MCP, prefixMode)
		if b.Spec.Policies != nil {
			issues = append(issues, "backend policies of an MCP backend are not represented (the Spec's allow rules are an AgentgatewayPolicy's)")
		}
		return ParsedBackend{MCP: m}, issues, nil
	}
	if b.Spec.AI == nil {
		return ParsedBackend{}, []string{"not an AI backend (static, MCP or other); not represented"}, nil
	}
	var out ParsedBackend
	var issues []string
	var auth *agw.BackendAuth
	if pol := b.Spec.Policies; pol != nil {
		auth = pol.Auth
		if pol.AI != nil {
			var is []string
			ai := *pol.AI
			out.RouteTypes, ai.Routes = routeTypes(ai.Routes), nil // read here, not by specAIPolicy
			if !reflect.ValueOf(ai).IsZero() {
				out.AI, is = specAIPolicy(&ai)
				issues = append(issues, is...)
			}
		}
		if pol.Health != nil || pol.HTTP != nil || pol.TCP != nil || pol.Transformation != nil || pol.Tunnel != nil {
			issues = append(issues, "backend policies other than auth, tls and ai are not represented")
		}
	}
	if p := b.Spec.AI.Provider; p != nil {
		w, is := wireAgw(*p, auth)
		out.Providers, issues = append(out.Providers, w), append(issues, is...)
	}
	for _, g := range b.Spec.AI.Groups {
		if len(g.Providers) > 1 {
			issues = append(issues, "several providers in one priority group (load-balanced) are represented as consecutive failover steps")
		}
		for _, np := range g.Providers {
			var pauth *agw.BackendAuth
			if np.Policies != nil {
				pauth = np.Policies.Auth
				if np.Policies.AI != nil {
					issues = append(issues, fmt.Sprintf("AI policies of provider %s are not represented (the Spec's are per route)", np.Name))
				}
			}
			w, is := wireAgw(np.LLMProvider, pauth)
			w.Name = np.Name
			out.Providers, issues = append(out.Providers, w), append(issues, is...)
		}
	}
	return out, issues, nil
}

func wireAgw(l agw.LLMProvider, auth *agw.BackendAuth) (WireProvider, []string) {
	var issues []string
	w := WireProvider{Host: l.Host, Port: l.Port, Path: l.Path}
	if l.PathPrefix != "" {
		issues = append(issues, "pathPrefix is not represented")
	}
	switch {
	case l.OpenAI != nil:
		w.Kind, w.Model = "openai", l.OpenAI.Model
	case l.Anthropic != nil:
		w.Kind, w.Model = "anthropic", l.Anthropic.Model
	case l.Gemini != nil:
		w.Kind, w.Model = "gemini", l.Gemini.Model
	case l.VertexAI != nil:
		w.Kind, w.Model = "vertexai", l.VertexAI.Model
		w.Vertex = &spec.Vertex{Project: l.VertexAI.ProjectID, Location: l.VertexAI.Region}
	case l.AzureOpenAI != nil:
		a := l.AzureOpenAI
		w.Kind, w.APIVersion = "azureopenai", a.APIVersion
		w.Azure = &spec.Azure{Endpoint: a.Endpoint, Deployment: a.DeploymentName}
	case l.Bedrock != nil:
		w.Kind, w.Model = "bedrock", l.Bedrock.Model
		w.Bedrock = &spec.Bedrock{Region: l.Bedrock.Region}
		if l.Bedrock.Guardrail != nil {
			issues = append(issues, "Bedrock guardrails are not represented")
		}
	}
	switch {
	case auth == nil:
	case auth.SecretRef != nil:
		w.Auth, w.SecretName = "SecretRef", auth.SecretRef.Name
	case auth.AWS != nil:
		w.Auth, w.SecretName = "SecretRef", auth.AWS.SecretRef.Name
	case auth.Passthrough != nil:
		w.Auth = "Passthrough"
	case auth.Key != "":
		issues = append(issues, "an inline key is not represented (keys never go into kubelb-ai.yaml); the provider reads its default variable")
		w.Auth = "SecretRef"
	default:
		issues = append(issues, "this auth kind (azure, gcp) is not represented")
	}
	return w, issues
}

// specAIPolicy maps agentgateway's AI policy onto the Spec's route policies.
func specAIPolicy(ai *agw.AIPolicy) (*spec.Policies, []string) {
	var issues []string
	p := &spec.Policies{}
	if pr := ai.Prompt; pr != nil {
		p.Prompt = &spec.Prompt{Prepend: specMessagesAgw(pr.Prepend), Append: specMessagesAgw(pr.Append)}
	}
	if g := ai.PromptGuard; g != nil {
		p.PromptGuard = &spec.PromptGuard{}
		hooks := &spec.GuardWebhooks{}
		for i, r := range g.Request {
			switch {
			case r.Webhook != nil:
				issues = append(issues, agwHook(&hooks.Request, r.Webhook, "request", i < len(g.Request)-1)...)
			case r.Regex != nil:
				p.PromptGuard.Request = append(p.PromptGuard.Request, agwRule(r.Regex, r.Response))
			default:
				issues = append(issues, "non-regex request guards (moderation, cloud guardrails) are not represented")
			}
		}
		for i, r := range g.Response {
			switch {
			case r.Webhook != nil:
				issues = append(issues, agwHook(&hooks.Response, r.Webhook, "response", i < len(g.Response)-1)...)
			case r.Regex != nil:
				p.PromptGuard.Response = append(p.PromptGuard.Response, agwRule(r.Regex, r.Response))
			default:
				issues = append(issues, "non-regex response guards (cloud guardrails) are not represented")
			}
		}
		if hooks.Request != nil || hooks.Response != nil {
			p.PromptGuard.Webhook = hooks
		}
	}
	for _, list := range []struct {
		fds      []agw.FieldDefault
		override bool
	}{{ai.Defaults, false}, {ai.Overrides, true}} {
		for _, d := range list.fds {
			var v any
			if err := json.Unmarshal(d.Value.Raw, &v); err != nil {
				issues = append(issues, fmt.Sprintf("default %s has an unreadable value", d.Field))
				continue
			}
			p.Defaults = append(p.Defaults, spec.FieldDefault{Field: string(d.Field), Value: v, Override: list.override})
		}
	}
	if len(ai.ModelAliases) > 0 || ai.PromptCaching != nil || ai.Routes != nil || len(ai.Transformations) > 0 {
		issues = append(issues, "modelAliases, promptCaching, routes (outside a backend) and transformations are not represented")
	}
	return p, issues
}

func agwRule(re *agw.RegexGuard, resp *agw.CustomResponse) spec.GuardRule {
	var builtins []string
	for _, b := range re.Builtins {
		for name, v := range agwBuiltins {
			if v == b {
				builtins = append(builtins, name)
			}
		}
	}
	r := guardRule(string(re.Action), builtins, re.Matches)
	if resp != nil {
		r.Message, r.StatusCode = resp.Message, resp.StatusCode
	}
	return r
}

func specMessagesAgw(ms []agw.Message) []spec.Message {
	var out []spec.Message
	for _, m := range ms {
		out = append(out, spec.Message{Role: lowerRole(m.Role), Content: m.Content})
	}
	return out
}

func (a agentgateway) ParsePolicy(data []byte) (ParsedPolicy, []string, error) {
	data, header, cmLabels, refuseLocation, err := cutKeyLocation(data)
	if err != nil {
		return ParsedPolicy{}, nil, err
	}
	var issues []string
	var ap agw.AgentgatewayPolicy
	if err := DecodeStrict(data, &ap); err != nil {
		return ParsedPolicy{}, nil, err
	}
	var out ParsedPolicy
	elsewhere := len(ap.Spec.TargetSelectors) > 0 // targets the Spec cannot carry
	// A frontend tracing policy on the whole Gateway is the Spec's tracing.
	tracing := ap.Spec.Frontend != nil && ap.Spec.Frontend.Tracing != nil && onGatewayOnly(ap.Spec.TargetRefs) && len(ap.Spec.TargetSelectors) == 0
	for _, ref := range ap.Spec.TargetRefs {
		elsewhere = elsewhere || ref.Kind != "HTTPRoute" || ref.SectionName != ""
		switch {
		case tracing:
		case ref.Kind == "HTTPRoute":
			out.Routes = append(out.Routes, string(ref.Name))
		case string(ref.Kind) == a.Facts().API.Backend:
			// spec.backend on an AgentgatewayBackend: as if it held it.
			out.Backends = append(out.Backends, string(ref.Name))
		default:
			issues = append(issues, fmt.Sprintf("a policy on %s %s is not represented (the Spec's policies are per route)", ref.Kind, ref.Name))
		}
	}
	if len(ap.Spec.TargetSelectors) > 0 {
		issues = append(issues, "targetSelectors are not represented")
	}
	p := &spec.Policies{}
	if ap.Spec.Backend != nil && ap.Spec.Backend.AI != nil {
		ai := *ap.Spec.Backend.AI
		out.RouteTypes, ai.Routes = routeTypes(ai.Routes), nil
		if !reflect.ValueOf(ai).IsZero() {
			pol, is := specAIPolicy(&ai)
			issues = append(issues, is...)
			p = MergePolicies(p, pol)
		}
	}
	if b := ap.Spec.Backend; b != nil {
		rest := *b
		rest.AI = nil
		// Allow rules on whole MCP backends are the Spec's MCP allow.
		rules, mcpOK := []string(nil), false
		if m := b.MCP; m != nil && m.Authentication == nil {
			rules, mcpOK = mcpAllow(m.Authorization)
			mcpOK = mcpOK && len(out.Routes) == 0 && len(out.Backends) > 0 && !targetsSection(ap.Spec.TargetRefs)
		}
		if mcpOK {
			rest.MCP, out.MCPAllow = nil, rules
		}
		if !reflect.ValueOf(rest).IsZero() {
			issues = append(issues, "backend policies other than ai are not represented")
		}
		if m := b.MCP; !mcpOK && m != nil && (m.Authentication != nil || m.Authorization != nil) {
			// Checks of MCP callers the Spec cannot carry: serve must not
			// run them open.
			out.AccessControls = append(out.AccessControls, "backend.mcp authentication or authorization")
		}
	}
	if f := ap.Spec.Frontend; f != nil {
		rest := *f
		if tracing {
			tr, is := parseAgwTracing(f.Tracing)
			out.Tracing, rest.Tracing = tr, nil
			issues = append(issues, is...)
		}
		if !reflect.ValueOf(rest).IsZero() {
			issues = append(issues, "frontend policies other than tracing on the Gateway are not represented")
		}
	}
	if t := ap.Spec.Traffic; t != nil && t.CORS != nil {
		p.CORS = specCORS(t.CORS.HTTPCORSFilter)
	}
	if t := ap.Spec.Traffic; t != nil {
		if t.ExtAuth != nil {
			out.AccessControls = append(out.AccessControls, "traffic.extAuth")
		}
		if t.BasicAuthentication != nil {
			out.AccessControls = append(out.AccessControls, "traffic.basicAuthentication")
		}
		if elsewhere && (t.APIKeyAuthentication != nil || t.JWTAuthentication != nil || t.Authorization != nil) {
			// On a Gateway, a listener, a rule or by labels: the Spec's
			// clients are per route, so serve must not run them open.
			out.AccessControls = append(out.AccessControls, "traffic authentication or authorization on a target other than a whole HTTPRoute")
		}
		rest := *t
		rest.RateLimit, rest.CORS, rest.APIKeyAuthentication, rest.JWTAuthentication, rest.Authorization = nil, nil, nil, nil, nil
		if !reflect.ValueOf(rest).IsZero() {
			issues = append(issues, "traffic policies other than rateLimit, cors, apiKeyAuthentication, jwtAuthentication and authorization are not represented")
		}
		if refuseLocation != "" {
			issues = append(issues, "an API-key location other than a whole header is not represented")
			out.AccessControls = append(out.AccessControls, refuseLocation)
		}
		issues = append(issues, agwClients(t, header, cmLabels, &out)...)
		if rl := t.RateLimit; rl != nil && rl.Global != nil {
			issues = append(issues, agwGlobal(rl.Global, p, &out)...)
		}
	}
	if t := ap.Spec.Traffic; t != nil && t.RateLimit != nil {
		for _, l := range t.RateLimit.Local {
			unit := ""
			for u, v := range agwUnits {
				if v == l.Unit {
					unit = u
				}
			}
			var burst int32
			if l.Burst != nil {
				burst = *l.Burst
			}
			switch {
			case l.Requests > 0 && p.RateLimit == nil:
				p.RateLimit = &spec.RequestLimit{Requests: l.Requests, Per: unit, Burst: burst}
			case l.Tokens > 0 && p.TokenLimit == nil:
				p.TokenLimit = &spec.TokenLimit{Tokens: l.Tokens, Per: unit, Burst: burst}
			default:
				issues = append(issues, "more than one request and one token limit per route are not represented")
			}
		}
	}
	out.Policies = p
	return out, issues, nil
}

// agwHook reads a guard webhook of one direction into *into: the Spec has
// one per direction, run after the regex rules.
func agwHook(into **spec.Webhook, w *agw.GuardWebhook, direction string, notLast bool) []string {
	var issues []string
	ref := w.BackendRef
	if ref.Group != nil && *ref.Group != "" || ref.Kind != nil && *ref.Kind != "Service" {
		return []string{fmt.Sprintf("a %s webhook to %s/%s %s is not represented (the Spec's webhooks are Services)", direction, ptrString(ref.Group), ptrString(ref.Kind), ref.Name)}
	}
	if *into != nil {
		return []string{fmt.Sprintf("a second %s webhook is not represented (the Spec has one per direction)", direction)}
	}
	if notLast {
		issues = append(issues, fmt.Sprintf("a %s webhook before other guards is represented after them", direction))
	}
	out := &spec.Webhook{Service: string(ref.Name)}
	if ref.Namespace != nil {
		out.Namespace = string(*ref.Namespace)
	}
	if ref.Port != nil {
		out.Port = int32(*ref.Port)
	}
	for _, h := range w.ForwardHeaderMatches {
		m := spec.HeaderMatch{Name: string(h.Name), Value: h.Value}
		if h.Type != nil {
			m.Type = string(*h.Type)
		}
		out.ForwardHeaders = append(out.ForwardHeaders, m)
	}
	*into = out
	return issues
}

func ptrString[T ~string](v *T) string {
	if v == nil {
		return ""
	}
	return string(*v)
}

// routeTypes reads policies.ai.routes (nil when absent).
func routeTypes(routes map[string]agw.RouteType) map[string]string {
	if routes == nil {
		return nil
	}
	out := map[string]string{}
	for suffix, rt := range routes {
		out[suffix] = string(rt)
	}
	return out
}

// cutKeyLocation takes the apiKeyAuthentication fields newer than the
// v1.1.0 types out of a policy's JSON: location (v1.3.1+), returning the
// header it names, and configMapSelector (v1.4.1), returning its labels
// (nil: none). refuse says why a location the Spec cannot carry must not
// be served: serve would read keys where the cluster does not.
func cutKeyLocation(data []byte) (out []byte, header string, cmLabels map[string]string, refuse string, err error) {
	var m map[string]any
	if err := json.Unmarshal(data, &m); err != nil {
		return nil, "", nil, "", err
	}
	sp, _ := m["spec"].(map[string]any)
	tr, _ := sp["traffic"].(map[string]any)
	auth, _ := tr["apiKeyAuthentication"].(map[string]any)
	sel, hasSel := auth["configMapSelector"]
	loc, hasLoc := auth["location"].(map[string]any)
	if !hasSel && !hasLoc {
		return data, "", nil, "", nil
	}
	if hasSel {
		delete(auth, "configMapSelector")
		var s agw.SecretSelector
		b, _ := json.Marshal(sel)
		if err := DecodeStrict(b, &s); err != nil {
			return nil, "", nil, "", fmt.Errorf("apiKeyAuthentication.configMapSelector: %w", err)
		}
		cmLabels = s.MatchLabels
		if cmLabels == nil {
			cmLabels = map[string]string{}
		}
	}
	if hasLoc {
		delete(auth, "location")
		h, _ := loc["header"].(map[string]any)
		header, _ = h["name"].(string)
		if len(loc) != 1 || header == "" || h["prefix"] != nil {
			header, refuse = "", "traffic.apiKeyAuthentication: keys read from other than a whole header (serve would read them from Authorization: Bearer)"
		}
	}
	out, err = json.Marshal(m)
	return out, header, cmLabels, refuse, err
}

// agwClients reads the client checks of a traffic policy into out; those
// the Spec cannot carry, and which serve would therefore loosen, go into
// out.AccessControls.
func agwClients(t *agw.TrafficPolicy, header string, cmLabels map[string]string, out *ParsedPolicy) []string {
	var issues []string
	c := &spec.Clients{Header: header}
	refuse := func(format string, args ...any) {
		out.AccessControls = append(out.AccessControls, fmt.Sprintf(format, args...))
	}
	if k := t.APIKeyAuthentication; k != nil {
		// The controller's precedence: a ConfigMap selector, else a Secret
		// selector, else the Secret named (the CRD allows one of them).
		switch {
		case cmLabels != nil:
			out.KeySource = &KeySource{Kind: KeySourceConfigMap, MatchLabels: cmLabels}
		case k.SecretSelector != nil:
			out.KeySource = &KeySource{Kind: KeySourceSecret, MatchLabels: k.SecretSelector.MatchLabels}
		case k.SecretRef != nil:
			out.KeySource = &KeySource{Kind: KeySourceSecret, Name: k.SecretRef.Name}
		default:
			refuse("traffic.apiKeyAuthentication: it names no Secret or ConfigMap of keys")
		}
		c.Mode = modeOrStrict(string(k.Mode))
	}
	if j := t.JWTAuthentication; j != nil {
		if len(j.Providers) != 1 || j.MCP != nil {
			issues = append(issues, "JWT authentication with other than one provider, or with mcp, is not represented; the first provider is")
		}
		if len(j.Providers) == 0 {
			refuse("traffic.jwtAuthentication: no provider (the cluster accepts no token)")
		}
		if len(j.Providers) > 0 {
			pr := j.Providers[0]
			c.JWT = &spec.JWT{Issuer: pr.Issuer, Audiences: pr.Audiences, JWKS: spec.JWKS{Inline: pr.JWKS.Inline}}
			if r := pr.JWKS.Remote; r != nil {
				addr, ok := serviceAddress(r.BackendRef)
				if !ok {
					issues = append(issues, "a JWKS from other than a Service port is not represented")
					refuse("traffic.jwtAuthentication: a JWKS from other than a Service port")
				}
				if r.CacheDuration != nil {
					issues = append(issues, "the JWKS cacheDuration is not represented")
				}
				c.JWT.JWKS.Service, c.JWT.JWKS.Path = addr, r.JWKSPath
			}
		}
		if mode := modeOrStrict(string(j.Mode)); c.Mode != "" && mode != c.Mode {
			// The Spec has one mode: either would loosen the other check.
			issues = append(issues, "API keys and JWTs with different modes are not represented")
			refuse("traffic.apiKeyAuthentication and jwtAuthentication: different modes (%s, %s)", c.Mode, mode)
		} else {
			c.Mode = mode
		}
	}
	if a := t.Authorization; a != nil {
		if a.Action != "" && a.Action != agw.AuthorizationAllow {
			issues = append(issues, fmt.Sprintf("authorization action %s is not represented (the Spec's allow rules allow)", a.Action))
			refuse("traffic.authorization: action %s", a.Action)
		} else {
			if len(a.Policy.MatchExpressions) == 0 {
				refuse("traffic.authorization: no matchExpressions (the cluster allows no one)")
			}
			for _, e := range a.Policy.MatchExpressions {
				c.Allow = append(c.Allow, string(e))
			}
		}
	}
	// Any check counts, even one with every field at its default (an
	// apiKeyAuthentication with only a secretRef): dropping it would run
	// the route open.
	if t.APIKeyAuthentication != nil || t.JWTAuthentication != nil || t.Authorization != nil {
		if c.Mode == "" && (t.APIKeyAuthentication != nil || t.JWTAuthentication != nil) {
			c.Mode = spec.ModeStrict // the CRDs' default
		}
		out.Clients = c
	}
	return issues
}

// modeOrStrict is a credential mode with the CRDs' default filled in.
func modeOrStrict(mode string) string {
	if mode == "" {
		return spec.ModeStrict
	}
	return mode
}

// agwGlobal reads a global rate limit: its service into out, its
// descriptors as global limits of p (their numbers are in the service's
// ConfigMap).
func agwGlobal(g *agw.GlobalRateLimit, p *spec.Policies, out *ParsedPolicy) []string {
	var issues []string
	addr, ok := serviceAddress(g.BackendRef)
	if !ok {
		issues = append(issues, "a rate-limit service other than a Service port is not represented")
	}
	out.RateLimitService = &spec.RateLimitService{Service: addr, Domain: g.Domain, FailureMode: string(g.FailureMode)}
	if out.RateLimitService.FailureMode == "" {
		out.RateLimitService.FailureMode = spec.FailClosed // agentgateway's default
	}
	for _, d := range g.Descriptors {
		first, key, ok := agwDescriptorKey(d.Entries)
		tokens := d.Unit == agw.RateLimitCostTokens
		switch {
		case !ok || first != DescriptorRoute && first != DescriptorTokens || tokens != (first == DescriptorTokens):
			issues = append(issues, "a global rate-limit descriptor kubelb-ai does not write is not represented")
		case tokens && p.TokenLimit == nil:
			p.TokenLimit = &spec.TokenLimit{Scope: spec.ScopeGlobal, Key: key}
		case !tokens && p.RateLimit == nil:
			p.RateLimit = &spec.RequestLimit{Scope: spec.ScopeGlobal, Key: key}
		default:
			issues = append(issues, "more than one request and one token limit per route are not represented")
		}
	}
	return issues
}

// agwDescriptorKey reads the entries agwDescriptor writes: the first's
// name and the limit's key.
func agwDescriptorKey(entries []agw.RateLimitDescriptorEntry) (first, key string, ok bool) {
	if len(entries) == 0 || len(entries) > 2 {
		return "", "", false
	}
	if _, err := strconv.Unquote(string(entries[0].Expression)); err != nil {
		return "", "", false
	}
	key = spec.KeyRoute
	if len(entries) == 2 {
		key = string(entries[1].Expression)
		if entries[1].Name == DescriptorClient {
			key = spec.KeyClient
		}
	}
	return entries[0].Name, key, true
}

// ParseExtension: agentgateway has no gateway-wide extension kind.
func (agentgateway) ParseExtension([]byte) (*spec.RateLimitService, []string, error) {
	return nil, []string{"not an extension kind of agentgateway"}, nil
}

// targetsSection reports whether a policy targets something other than whole
// backend objects (a section of one, say), which MCP allow rules cannot be.
func targetsSection(refs []agw.PolicyTargetReference) bool {
	for _, ref := range refs {
		if ref.SectionName != "" {
			return true
		}
	}
	return false
}

// cutMCPPrefix takes spec.mcp.prefixMode (v1.4.1+, not in the typed
// object) out of a backend's JSON.
func cutMCPPrefix(data []byte) ([]byte, string, error) {
	var m map[string]any
	if err := json.Unmarshal(data, &m); err != nil {
		return nil, "", err
	}
	sp, _ := m["spec"].(map[string]any)
	mcp, _ := sp["mcp"].(map[string]any)
	v, ok := mcp["prefixMode"]
	if !ok {
		return data, "", nil
	}
	mode, _ := v.(string)
	if mode == "" {
		return nil, "", fmt.Errorf("spec.mcp.prefixMode: want a string, got %v", v)
	}
	delete(mcp, "prefixMode")
	out, err := json.Marshal(m)
	return out, mode, err
}
