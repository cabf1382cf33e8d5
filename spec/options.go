package spec

import (
	"fmt"
	"net"
	"slices"
	"strconv"
	"strings"

	"github.com/kubelb-ai/kubelb-ai/internal/suggest"
)

// Options is the flat, flag-shaped description of an AI gateway that
// `generate` and `init` share, so the same answers always build the same Spec.
type Options struct {
	Target      string
	Providers   []string          // provider kinds, in order
	Models      map[string]string // provider -> model
	Namespace   string
	Gateway     string
	Port        int32
	ServiceType string
	Failover    []string          // providers behind one route, in priority order
	RateLimit   string            // N/UNIT
	TokenLimit  string            // N/UNIT
	Guards      []string          // mask=BUILTIN[,BUILTIN...] | reject=REGEX
	APIKeyEnv   map[string]string // provider -> variable
	Auth        map[string]string // provider -> env|passthrough|none
	Hosts       map[string]string // provider -> HOST[:PORT]

	AzureEndpoint, AzureDeployment, AzureAPIVersion string
	VertexProject, VertexLocation                   string
	BedrockRegion                                   string

	ClientOptions
	MCPOptions
	TracingOptions
}

// Build turns Options into a defaulted Spec. It reports malformed values
// (e.g. a rate limit that is not N/UNIT); Check reports the rest.
func (o Options) Build() (*AIGateway, error) {
	var e errs
	g := &AIGateway{Spec: Spec{Target: o.Target}}
	s := &g.Spec
	s.Gateway = Gateway{Name: o.Gateway, Namespace: o.Namespace, ServiceType: o.ServiceType}
	if o.Port != 0 {
		s.Gateway.Listeners = []Listener{{Name: DefaultListenerName, Port: o.Port}}
	}
	kinds := o.Providers
	// An MCP gateway needs no LLM provider: the default one is for a
	// gateway that would otherwise serve nothing.
	if len(kinds) == 0 && !o.MCPOptions.given() {
		kinds = []string{"openai"}
	}
	for _, k := range o.Failover {
		if !slices.Contains(kinds, k) {
			kinds = append(kinds, k)
		}
	}
	seen := map[string]bool{}
	for _, k := range kinds {
		if seen[k] {
			e.add("--provider", "%s is listed twice", k)
			continue
		}
		seen[k] = true
		p := Provider{Kind: k, Model: o.Models[k]}
		if v, ok := o.APIKeyEnv[k]; ok {
			p.Auth = Auth{Source: AuthEnv, Env: v}
		}
		if v, ok := o.Auth[k]; ok {
			if v != AuthEnv && p.Auth.Env != "" {
				e.add("--auth", "%s=%s conflicts with --api-key-env %s=%s", k, v, k, p.Auth.Env)
			}
			p.Auth.Source = v
		}
		if hp, ok := o.Hosts[k]; ok {
			host, port, err := splitHostPort(hp)
			if err != nil {
				e.add("--host", "%s=%s: %v", k, hp, err)
			}
			p.Host, p.Port = host, port
		}
		switch k {
		case "azureopenai":
			p.Azure = &Azure{Endpoint: o.AzureEndpoint, Deployment: o.AzureDeployment}
			p.APIVersion = o.AzureAPIVersion
		case "vertexai":
			p.Vertex = &Vertex{Project: o.VertexProject, Location: o.VertexLocation}
		case "bedrock":
			p.Bedrock = &Bedrock{Region: o.BedrockRegion}
		}
		s.Providers = append(s.Providers, p)
	}
	perProvider := []struct {
		flag   string
		values map[string]string
	}{{"--model", o.Models}, {"--api-key-env", o.APIKeyEnv}, {"--auth", o.Auth}, {"--host", o.Hosts}}
	for _, f := range perProvider {
		for _, k := range keys(f.values) {
			if !seen[k] {
				e.add(f.flag, "%s is not among the providers (%s): add --provider %s", k, strings.Join(kinds, ","), k)
			}
		}
	}
	onlyFor := []struct{ flag, value, kind string }{
		{"--azure-endpoint", o.AzureEndpoint, "azureopenai"}, {"--azure-deployment", o.AzureDeployment, "azureopenai"},
		{"--azure-api-version", o.AzureAPIVersion, "azureopenai"}, {"--vertex-project", o.VertexProject, "vertexai"},
		{"--vertex-location", o.VertexLocation, "vertexai"}, {"--bedrock-region", o.BedrockRegion, "bedrock"},
	}
	for _, f := range onlyFor {
		if f.value != "" && !seen[f.kind] {
			e.add(f.flag, "only applies to provider %s: add --provider %s", f.kind, f.kind)
		}
	}

	policies := &Policies{}
	if o.RateLimit != "" {
		n, unit, err := o.limitRate(o.RateLimit)
		if err != nil {
			e.add("--rate-limit", "%v", err)
		}
		policies.RateLimit = &RequestLimit{Requests: n, Per: unit, Scope: o.LimitScope, Key: o.LimitKey}
	}
	if o.TokenLimit != "" {
		n, unit, err := o.limitRate(o.TokenLimit)
		if err != nil {
			e.add("--token-limit", "%v", err)
		}
		policies.TokenLimit = &TokenLimit{Tokens: n, Per: unit, Scope: o.LimitScope, Key: o.LimitKey}
	}
	if o.RateLimit == "" && o.TokenLimit == "" {
		for _, f := range []struct{ flag, value string }{{"--limit-scope", o.LimitScope}, {"--limit-key", o.LimitKey}} {
			if f.value != "" {
				e.add(f.flag, "%q needs --rate-limit or --token-limit to apply to", f.value)
			}
		}
	}
	o.buildClients(&e, s)
	o.buildMCP(&e, s)
	o.buildTracing(&e, s)
	if len(o.Guards) > 0 {
		guard, err := parseGuards(o.Guards)
		if err != nil {
			e.add("--guard", "%v", err)
		}
		policies.PromptGuard = guard
	}
	if policies.RateLimit == nil && policies.TokenLimit == nil && policies.PromptGuard == nil {
		policies = nil
	}

	inFailover := map[string]bool{}
	if len(o.Failover) > 0 {
		if len(o.Failover) < 2 {
			e.add("--failover", "needs at least two providers, e.g. --failover openai,anthropic")
		}
		for _, k := range o.Failover {
			if inFailover[k] {
				e.add("--failover", "%s is listed twice", k)
			}
			inFailover[k] = true
		}
		s.Routes = append(s.Routes, Route{Name: o.Failover[0], Backends: []Backend{{Providers: slices.Clone(o.Failover)}}})
	}
	for _, p := range s.Providers {
		if !inFailover[p.Kind] {
			s.Routes = append(s.Routes, Route{Name: p.Kind, Backends: []Backend{{Providers: []string{p.Kind}}}})
		}
	}
	for i := range s.Routes {
		s.Routes[i].Policies = policies.clone()
	}
	if err := e.err(); err != nil {
		return nil, err
	}
	Default(g)
	return g, nil
}

func (p *Policies) clone() *Policies {
	if p == nil {
		return nil
	}
	c := *p
	if p.PromptGuard != nil {
		g := *p.PromptGuard
		g.Request = slices.Clone(g.Request)
		c.PromptGuard = &g
	}
	return &c
}

// ParseRate parses N/UNIT (e.g. 100/hour, 5/seconds) into a count and one of
// the units second, minute, hour.
func ParseRate(s string) (int32, string, error) { return parseRate(s, localUnits) }

// parseRate parses N/UNIT with UNIT one of allowed.
func parseRate(s string, allowed []string) (int32, string, error) {
	num, unit, ok := strings.Cut(s, "/")
	if !ok {
		return 0, "", fmt.Errorf("%q is not N/UNIT, e.g. 100/hour", s)
	}
	n, err := strconv.ParseInt(strings.TrimSpace(num), 10, 32)
	if err != nil || n < 1 {
		return 0, "", fmt.Errorf("%q: the count must be a whole number from 1 to %d", s, int32(^uint32(0)>>1))
	}
	u := strings.TrimSuffix(strings.ToLower(strings.TrimSpace(unit)), "s")
	if !slices.Contains(allowed, u) {
		last := len(allowed) - 1
		return 0, "", fmt.Errorf("%q: unknown unit %q, use %s or %s", s, unit, strings.Join(allowed[:last], ", "), allowed[last])
	}
	return int32(n), u, nil
}

// parseGuards turns --guard values into request guard rules: the builtins of
// every mask= go into one mask rule, the regexes of every reject= into one
// reject rule.
func parseGuards(values []string) (*PromptGuard, error) {
	var mask, reject GuardRule
	mask.Action, reject.Action = GuardMask, GuardReject
	for _, v := range values {
		action, arg, ok := strings.Cut(v, "=")
		if !ok || arg == "" {
			return nil, fmt.Errorf("%q is not mask=BUILTIN[,BUILTIN...] or reject=REGEX", v)
		}
		switch action {
		case GuardMask:
			for _, b := range strings.Split(arg, ",") {
				b = strings.ToUpper(strings.TrimSpace(b))
				if !slices.Contains(Builtins, b) {
					return nil, fmt.Errorf("mask=%s: unknown builtin %q%s (builtins: %s; custom regexes go with reject=REGEX)", arg, b, suggest.DidYouMean(b, Builtins), strings.Join(Builtins, ", "))
				}
				if !slices.Contains(mask.Builtins, b) {
					mask.Builtins = append(mask.Builtins, b)
				}
			}
		case GuardReject:
			reject.Patterns = append(reject.Patterns, arg)
		default:
			return nil, fmt.Errorf("%q: unknown action %q, use mask or reject", v, action)
		}
	}
	g := &PromptGuard{}
	if len(mask.Builtins) > 0 {
		g.Request = append(g.Request, mask)
	}
	if len(reject.Patterns) > 0 {
		g.Request = append(g.Request, reject)
	}
	return g, nil
}

func splitHostPort(hp string) (string, int32, error) {
	if !strings.Contains(hp, ":") {
		return hp, 0, nil
	}
	host, port, err := net.SplitHostPort(hp)
	if err != nil {
		return "", 0, fmt.Errorf("want HOST or HOST:PORT")
	}
	n, err := strconv.ParseUint(port, 10, 16)
	if err != nil || n == 0 {
		return "", 0, fmt.Errorf("port %q is not a number from 1 to 65535", port)
	}
	return host, int32(n), nil
}
