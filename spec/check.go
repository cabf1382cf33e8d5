package spec

import (
	"fmt"
	"regexp"
	"slices"
	"strings"

	"k8s.io/apimachinery/pkg/util/validation"

	"github.com/kubelb-ai/kubelb-ai/internal/suggest"
	"github.com/kubelb-ai/kubelb-ai/templates"
)

var envNameRE = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// Check reports every problem with a defaulted Spec for its target: unknown
// names, missing provider settings, bad paths, duplicates, and features or
// providers the target cannot express (naming the targets that can).
func Check(g *AIGateway) error {
	var e errs
	s := &g.Spec
	target, err := templates.LookupTarget(s.Target)
	if err != nil {
		e.add("spec.target", "%v", err)
		return e.err()
	}
	if s.KubeLB != "" {
		switch r, err := templates.ReleaseForKubeLB(s.KubeLB); {
		case err != nil:
			e.add("spec.kubelb", "%v", err)
		case r.Target != target.Name:
			e.add("spec.kubelb", "KubeLB %s runs %s, not target %s: drop target (kubelb picks it) or set the KubeLB release that runs %s", s.KubeLB, r.Target, target.Name, target.Name)
		}
	}
	checkGateway(&e, &s.Gateway)
	names := map[string]bool{}
	if len(s.Providers) == 0 && len(s.MCP) == 0 {
		e.add("spec.providers", "at least one provider (one of %s) or MCP gateway is required", strings.Join(templates.ProviderKinds(), ", "))
	}
	for i := range s.Providers {
		p := &s.Providers[i]
		path := fmt.Sprintf("spec.providers[%d]", i)
		if names[p.Name] {
			e.add(path+".name", "duplicate provider name %q: give each provider its own name", p.Name)
		}
		names[p.Name] = true
		checkProvider(&e, path, p, target)
	}
	checkRoutes(&e, s, target)
	checkClients(&e, s, target)
	checkRateLimitService(&e, s)
	checkMCP(&e, s, target)
	checkObservability(&e, s, target)
	return e.err()
}

func checkGateway(e *errs, gw *Gateway) {
	for _, msg := range validation.IsDNS1123Subdomain(gw.Name) {
		e.add("spec.gateway.name", "%q is not a valid name: %s", gw.Name, msg)
	}
	for _, msg := range validation.IsDNS1123Label(gw.Namespace) {
		e.add("spec.gateway.namespace", "%q is not a valid namespace: %s", gw.Namespace, msg)
	}
	seen := map[string]bool{}
	for i, l := range gw.Listeners {
		path := fmt.Sprintf("spec.gateway.listeners[%d]", i)
		for _, msg := range validation.IsDNS1123Subdomain(l.Name) {
			e.add(path+".name", "%q is not a valid listener name: %s", l.Name, msg)
		}
		if seen[l.Name] {
			e.add(path+".name", "duplicate listener name %q", l.Name)
		}
		seen[l.Name] = true
		if l.Port < 1 || l.Port > 65535 {
			e.add(path+".port", "port %d is out of range 1-65535", l.Port)
		}
		if l.Hostname != "" {
			for _, msg := range validation.IsWildcardDNS1123Subdomain(strings.TrimPrefix(l.Hostname, "*.")) {
				e.add(path+".hostname", "%q is not a valid hostname: %s", l.Hostname, msg)
			}
		}
	}
	if !slices.Contains([]string{"ClusterIP", "NodePort", "LoadBalancer"}, gw.ServiceType) {
		e.add("spec.gateway.serviceType", "unknown service type %q: use ClusterIP, NodePort or LoadBalancer", gw.ServiceType)
	}
	if gw.AllowedRoutes != "All" && gw.AllowedRoutes != "Same" {
		e.add("spec.gateway.allowedRoutes", "unknown value %q: use All (routes from every namespace) or Same (the gateway's namespace)", gw.AllowedRoutes)
	}
}

func checkProvider(e *errs, path string, p *Provider, t templates.Target) {
	for _, msg := range validation.IsDNS1123Label(p.Name) {
		e.add(path+".name", "%q is not a valid provider name: %s", p.Name, msg)
	}
	c, ok := templates.LookupProvider(p.Kind)
	if !ok {
		e.add(path+".kind", "unknown provider %q%s: use one of %s", p.Kind, suggest.DidYouMean(p.Kind, templates.ProviderKinds()), strings.Join(templates.ProviderKinds(), ", "))
		return
	}
	if !t.SupportsProvider(p.Kind) {
		e.add(path+".kind", "provider %s is not supported by target %s; targets that support it: %s",
			p.Kind, t.Name, targetsWith(func(o templates.Target) bool { return o.SupportsProvider(p.Kind) }))
	}
	switch p.Auth.Source {
	case AuthEnv:
		if !envNameRE.MatchString(p.Auth.Env) {
			e.add(path+".auth.env", "%q is not an environment variable name (letters, digits and _; e.g. %s)", p.Auth.Env, c.APIKeyEnv)
		}
	case AuthPassthrough:
		if p.Kind == "bedrock" {
			e.add(path+".auth.source", "bedrock signs requests with AWS credentials and cannot pass a client key through: use source env")
		}
		if p.Auth.Env != "" {
			e.add(path+".auth.env", "only used with source env")
		}
	case AuthNone:
		if !c.NoKey {
			e.add(path+".auth.source", "%s needs a credential: use source env (the key is read from an environment variable) or passthrough", p.Kind)
		}
		if p.Auth.Env != "" {
			e.add(path+".auth.env", "only used with source env")
		}
	default:
		e.add(path+".auth.source", "unknown auth source %q: use env, passthrough or none", p.Auth.Source)
	}
	if p.Host != "" {
		if strings.Contains(p.Host, "://") || strings.ContainsAny(p.Host, "/ ") {
			e.add(path+".host", "%q must be a bare host name, e.g. api.example.com (no scheme, path or spaces)", p.Host)
		}
	}
	if p.Port != 0 && (p.Port < 1 || p.Port > 65535) {
		e.add(path+".port", "port %d is out of range 1-65535", p.Port)
	}
	if p.Path != "" {
		if !strings.HasPrefix(p.Path, "/") {
			e.add(path+".path", "%q must start with /", p.Path)
		}
		if !t.Features.PathOverride {
			e.add(path+".path", "overriding the request path is not supported by target %s; targets that support it: %s",
				t.Name, targetsWith(func(o templates.Target) bool { return o.Features.PathOverride }))
		}
	}
	switch p.Kind {
	case "azureopenai":
		if p.Azure == nil || p.Azure.Endpoint == "" {
			e.add(path+".azure.endpoint", "azureopenai needs the resource endpoint, e.g. my-resource.openai.azure.com (flag --azure-endpoint)")
		} else if strings.Contains(p.Azure.Endpoint, "://") || strings.Contains(p.Azure.Endpoint, "/") {
			e.add(path+".azure.endpoint", "%q must be a bare host name, e.g. my-resource.openai.azure.com", p.Azure.Endpoint)
		}
		if p.Azure == nil || p.Azure.Deployment == "" {
			e.add(path+".azure.deployment", "azureopenai needs the deployment name (flag --azure-deployment)")
		}
		if p.Model != "" {
			e.add(path+".model", "azureopenai takes its model from the deployment: remove model and set azure.deployment")
		}
	case "vertexai":
		if p.Vertex == nil || p.Vertex.Project == "" {
			e.add(path+".vertex.project", "vertexai needs the Google Cloud project ID (flag --vertex-project)")
		}
	}
	if p.Azure != nil && p.Kind != "azureopenai" {
		e.add(path+".azure", "only used by provider kind azureopenai")
	}
	if p.Vertex != nil && p.Kind != "vertexai" {
		e.add(path+".vertex", "only used by provider kind vertexai")
	}
	if p.Bedrock != nil && p.Kind != "bedrock" {
		e.add(path+".bedrock", "only used by provider kind bedrock")
	}
	if p.Bedrock != nil {
		for _, msg := range validation.IsDNS1123Label(p.Bedrock.Region) {
			e.add(path+".bedrock.region", "%q is not an AWS region: %s", p.Bedrock.Region, msg)
		}
	}
	if (p.Kind == "gemini" || p.Kind == "vertexai") && p.Model == "" {
		e.add(path+".model", "%s needs a model, e.g. %s", p.Kind, c.DefaultModel)
	}
	if p.Kind == "bedrock" && (p.Host != "" || p.Port != 0 || p.Path != "") {
		e.add(path, "bedrock's endpoint comes from its region: host, port and path cannot be overridden")
	}
}

func checkRoutes(e *errs, s *Spec, t templates.Target) {
	providers := map[string]*Provider{}
	for i := range s.Providers {
		providers[s.Providers[i].Name] = &s.Providers[i]
	}
	routeNames, paths, backendNames := map[string]bool{}, map[string]bool{}, map[string]bool{}
	for i := range s.Routes {
		r := &s.Routes[i]
		path := fmt.Sprintf("spec.routes[%d]", i)
		for _, msg := range validation.IsDNS1123Subdomain(r.Name) {
			e.add(path+".name", "%q is not a valid route name: %s", r.Name, msg)
		}
		if routeNames[r.Name] {
			e.add(path+".name", "duplicate route name %q", r.Name)
		}
		routeNames[r.Name] = true
		switch {
		case !strings.HasPrefix(r.Path, "/"):
			e.add(path+".path", "%q must start with /, e.g. /%s", r.Path, r.Name)
		case strings.ContainsAny(r.Path, " ?#%\t") || strings.Contains(r.Path, "//"):
			e.add(path+".path", "%q is not a valid path prefix (no spaces, ?, #, %% or //)", r.Path)
		case paths[r.Path]:
			e.add(path+".path", "duplicate path %q: each route needs its own path", r.Path)
		}
		paths[r.Path] = true
		if len(r.Backends) == 0 {
			e.add(path+".backends", "at least one backend is required")
		}
		for j, b := range r.Backends {
			bpath := fmt.Sprintf("%s.backends[%d]", path, j)
			for _, msg := range validation.IsDNS1123Subdomain(b.Name) {
				e.add(bpath+".name", "%q is not a valid backend name: %s", b.Name, msg)
			}
			if backendNames[b.Name] {
				e.add(bpath+".name", "duplicate backend name %q (backend names are object names and must be unique)", b.Name)
			}
			backendNames[b.Name] = true
			if b.Weight != nil && *b.Weight < 0 {
				e.add(bpath+".weight", "weight %d must not be negative", *b.Weight)
			}
			checkFailover(e, bpath, b, providers, t)
		}
		if r.Policies != nil {
			checkPolicies(e, path+".policies", r.Policies, t)
			if rl := r.Policies.RateLimit; rl != nil {
				checkLimitScope(e, path+".policies.rateLimit", rl.Scope, rl.Key, rl.Per, s, t)
				if rl.Global() && rl.Burst != 0 {
					e.add(path+".policies.rateLimit.burst", "only applies to local limits: a rate-limit service counts fixed windows")
				}
			}
			if tl := r.Policies.TokenLimit; tl != nil {
				checkLimitScope(e, path+".policies.tokenLimit", tl.Scope, tl.Key, tl.Per, s, t)
				if tl.Global() && tl.Burst != 0 {
					e.add(path+".policies.tokenLimit.burst", "only applies to local limits: a rate-limit service counts fixed windows")
				}
			}
		}
		checkRouteTypes(e, path, s, r, t)
	}
}

func checkFailover(e *errs, path string, b Backend, providers map[string]*Provider, t templates.Target) {
	if len(b.Providers) == 0 {
		e.add(path+".providers", "at least one provider is required")
		return
	}
	if limit := t.FailoverMax; len(b.Providers) > limit {
		e.add(path+".providers", "%d providers in one failover chain; target %s allows at most %d", len(b.Providers), t.Name, limit)
	}
	seen := map[string]bool{}
	var first *Provider
	for k, name := range b.Providers {
		ppath := fmt.Sprintf("%s.providers[%d]", path, k)
		p, ok := providers[name]
		if !ok {
			e.add(ppath, "unknown provider %q%s", name, suggest.DidYouMean(name, keys(providers)))
			continue
		}
		if seen[name] {
			e.add(ppath, "provider %q appears twice in one failover chain", name)
		}
		seen[name] = true
		if first == nil {
			first = p
			continue
		}
		if !t.Features.MixedFailover && WireKind(p.Kind) != WireKind(first.Kind) {
			e.add(ppath, "target %s cannot fail over from %s to %s: its Envoy AI extension needs one provider format per backend (here %s and %s); targets that can: %s",
				t.Name, first.Name, p.Name, WireKind(first.Kind), WireKind(p.Kind),
				targetsWith(func(o templates.Target) bool { return o.Features.MixedFailover }))
		}
	}
}

// WireKind is the provider kind a kgateway Backend uses for kind: OpenAI-
// compatible providers are OpenAI providers with a host override there.
func WireKind(kind string) string {
	if c, ok := templates.LookupProvider(kind); ok && c.OpenAICompatible {
		return "openai"
	}
	return kind
}

// units are the limits' units; localUnits those a replica counts alone
// (the --rate-limit flags' until they learn scopes).
var (
	units      = []string{PerSecond, PerMinute, PerHour, PerDay}
	localUnits = []string{PerSecond, PerMinute, PerHour}
)

func checkPolicies(e *errs, path string, p *Policies, t templates.Target) {
	if rl := p.RateLimit; rl != nil {
		if rl.Requests < 1 {
			e.add(path+".rateLimit.requests", "must be at least 1")
		}
		checkUnit(e, path+".rateLimit.per", rl.Per)
		if rl.Burst < 0 {
			e.add(path+".rateLimit.burst", "must not be negative")
		}
	}
	if tl := p.TokenLimit; tl != nil {
		if !t.Features.TokenRateLimit {
			e.add(path+".tokenLimit", "token-based rate limits are not supported by target %s (no CRD field counts tokens); targets that support them: %s",
				t.Name, targetsWith(func(o templates.Target) bool { return o.Features.TokenRateLimit }))
		}
		if tl.Tokens < 1 {
			e.add(path+".tokenLimit.tokens", "must be at least 1")
		}
		checkUnit(e, path+".tokenLimit.per", tl.Per)
		if tl.Burst < 0 {
			e.add(path+".tokenLimit.burst", "must not be negative")
		}
	}
	if g := p.PromptGuard; g != nil {
		checkGuard(e, path+".promptGuard.request", g.Request, t, false)
		checkGuard(e, path+".promptGuard.response", g.Response, t, true)
		req, resp := g.Webhooks()
		checkWebhook(e, path+".promptGuard.webhook.request", req, t)
		checkWebhook(e, path+".promptGuard.webhook.response", resp, t)
	}
	if c := p.CORS; c != nil {
		checkCORS(e, path+".cors", c, t)
	}
	if pr := p.Prompt; pr != nil {
		for name, msgs := range map[string][]Message{"prepend": pr.Prepend, "append": pr.Append} {
			for i, m := range msgs {
				mpath := fmt.Sprintf("%s.prompt.%s[%d]", path, name, i)
				if !slices.Contains([]string{RoleSystem, RoleUser, RoleAssistant}, m.Role) {
					e.add(mpath+".role", "unknown role %q: use system, user or assistant", m.Role)
				}
				if strings.TrimSpace(m.Content) == "" {
					e.add(mpath+".content", "must not be empty")
				}
			}
		}
	}
	for i, d := range p.Defaults {
		dpath := fmt.Sprintf("%s.defaults[%d]", path, i)
		if strings.TrimSpace(d.Field) == "" {
			e.add(dpath+".field", "must name a request field, e.g. temperature")
		}
		if d.Value == nil {
			e.add(dpath+".value", "must be set (any JSON value, e.g. 0.2 or \"auto\")")
		}
	}
}

func checkUnit(e *errs, path, unit string) {
	if !slices.Contains(units, unit) {
		e.add(path, "unknown unit %q: use second, minute, hour or day (global limits)", unit)
	}
}

func checkGuard(e *errs, path string, rules []GuardRule, t templates.Target, response bool) {
	if len(rules) > 1 && !t.Features.GuardListPerDirection {
		e.add(path, "target %s has one guard rule per direction (one action for all its matchers); merge the rules or use a target that allows several: %s",
			t.Name, targetsWith(func(o templates.Target) bool { return o.Features.GuardListPerDirection }))
	}
	for i, r := range rules {
		rpath := fmt.Sprintf("%s[%d]", path, i)
		switch r.Action {
		case GuardMask:
		case GuardReject:
			if response && !t.Features.ResponseGuardReject {
				e.add(rpath+".action", "target %s can only mask responses, not reject them; targets that can: %s",
					t.Name, targetsWith(func(o templates.Target) bool { return o.Features.ResponseGuardReject }))
			}
		default:
			e.add(rpath+".action", "unknown action %q: use mask or reject", r.Action)
		}
		if len(r.Builtins) == 0 && len(r.Patterns) == 0 {
			e.add(rpath, "a guard rule needs builtins or patterns to match")
		}
		for j, b := range r.Builtins {
			bpath := fmt.Sprintf("%s.builtins[%d]", rpath, j)
			switch {
			case !slices.Contains(Builtins, b):
				e.add(bpath, "unknown builtin %q%s: use one of %s", b, suggest.DidYouMean(b, Builtins), strings.Join(Builtins, ", "))
			case b == "CA_SIN" && !t.Features.CaSin:
				e.add(bpath, "builtin CA_SIN is not supported by target %s; targets that support it: %s",
					t.Name, targetsWith(func(o templates.Target) bool { return o.Features.CaSin }))
			}
		}
		for j, pat := range r.Patterns {
			if _, err := regexp.Compile(pat); err != nil {
				e.add(fmt.Sprintf("%s.patterns[%d]", rpath, j), "invalid regular expression %s: %v", quote(pat), err)
			}
		}
		if r.Action != GuardReject && (r.Message != "" || r.StatusCode != 0) {
			e.add(rpath, "message and statusCode only apply to action reject")
		}
		if r.StatusCode != 0 && (r.StatusCode < 200 || r.StatusCode > 599) {
			e.add(rpath+".statusCode", "status %d is out of range 200-599", r.StatusCode)
		}
	}
}

func checkWebhook(e *errs, path string, w *Webhook, t templates.Target) {
	if w == nil {
		return
	}
	switch {
	case w.Service == "" && w.Host == "":
		e.add(path, "a webhook needs a service (a Kubernetes Service) or a host")
	case w.Service != "" && w.Host != "":
		e.add(path, "set service or host, not both")
	case w.Host != "" && w.Namespace != "":
		e.add(path+".namespace", "only applies to a service")
	case !t.Features.WebhookHost && !w.IsService():
		e.add(path+".host", "target %s reaches guard webhooks only as Kubernetes Services: use service (and namespace), or a host of the form NAME.NAMESPACE%s; targets that reach any host: %s",
			t.Name, ServiceSuffix, targetsWith(func(o templates.Target) bool { return o.Features.WebhookHost }))
	}
	if w.Port < 1 || w.Port > 65535 {
		e.add(path+".port", "must be a port number (1-65535)")
	}
	for i, h := range w.ForwardHeaders {
		hpath := fmt.Sprintf("%s.forwardHeaders[%d]", path, i)
		if strings.TrimSpace(h.Name) == "" {
			e.add(hpath+".name", "must name a header")
		}
		switch h.Type {
		case "", HeaderExact:
		case HeaderRegex:
			if _, err := regexp.Compile(h.Value); err != nil {
				e.add(hpath+".value", "invalid regular expression %s: %v", quote(h.Value), err)
			}
		default:
			e.add(hpath+".type", "unknown header match type %q: use %s or %s", h.Type, HeaderExact, HeaderRegex)
		}
	}
}

// targetsWith lists the targets for which ok holds.
func targetsWith(ok func(templates.Target) bool) string {
	var names []string
	for _, t := range templates.Targets() {
		if ok(t) {
			names = append(names, t.Name)
		}
	}
	if len(names) == 0 {
		return "none"
	}
	return strings.Join(names, ", ")
}

func keys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// corsOriginRE is an origin a CORS policy may allow: scheme, host (its
// first label may be *) and optional port, as the Gateway API's filter
// takes it.
var corsOriginRE = regexp.MustCompile(`^(https?)://(\*\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*(:[0-9]{1,5})?$`)

// corsMethods are the methods a CORS policy may name ("*" any).
var corsMethods = []string{"GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH", "*"}

func checkCORS(e *errs, path string, c *CORS, t templates.Target) {
	if !t.Features.CORS {
		e.add(path, "target %s has no CORS policy; targets that have one: %s",
			t.Name, targetsWith(func(o templates.Target) bool { return o.Features.CORS }))
	}
	if len(c.AllowOrigins) == 0 {
		e.add(path+".allowOrigins", "at least one origin is required, e.g. https://app.example.com")
	}
	for i, o := range c.AllowOrigins {
		if o != "*" && !corsOriginRE.MatchString(o) {
			e.add(fmt.Sprintf("%s.allowOrigins[%d]", path, i), "%q is not an origin: want scheme://host[:port] (e.g. https://app.example.com, https://*.example.com) or *", o)
		}
	}
	for i, m := range c.AllowMethods {
		if !slices.Contains(corsMethods, m) {
			e.add(fmt.Sprintf("%s.allowMethods[%d]", path, i), "unknown method %q: use one of %s", m, strings.Join(corsMethods, ", "))
		}
	}
	if slices.Contains(c.AllowOrigins, "*") && len(c.AllowOrigins) > 1 {
		e.add(path+".allowOrigins", "* allows any origin: it cannot stand beside others")
	}
	if slices.Contains(c.AllowMethods, "*") && len(c.AllowMethods) > 1 {
		e.add(path+".allowMethods", "* allows any method: it cannot stand beside others")
	}
	if c.AllowCredentials && slices.Contains(c.AllowOrigins, "*") {
		e.add(path+".allowCredentials", "credentials cannot be allowed to any origin (*): browsers refuse it; name the origins")
	}
	if c.MaxAge < 0 {
		e.add(path+".maxAge", "must not be negative")
	}
}
