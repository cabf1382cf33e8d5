package spec

import (
	"fmt"

	"github.com/kubelb-ai/kubelb-ai/templates"
)

// Defaults of the gateway side, following KubeLB's AI gateway tutorial:
// AI objects live in namespace kubelb of the management cluster, behind one
// HTTP listener on 8080 that accepts routes from every namespace.
const (
	DefaultGatewayName   = "ai-gateway"
	DefaultNamespace     = "kubelb"
	DefaultListenerName  = "http"
	DefaultListenerPort  = 8080
	DefaultServiceType   = "LoadBalancer"
	DefaultAllowedRoutes = "All"
)

// The rate-limit service of KubeLB's addon chart (envoyproxy/ratelimit,
// gRPC on 8081, in KubeLB's namespace) and the domain kubelb-ai's limits
// use there.
const (
	DefaultRateLimitService = "ratelimit.kubelb:8081"
	DefaultRateLimitDomain  = "kubelb-ai"
)

// Default fills every field the user left out, in place, from the built-in
// defaults and the provider catalog, so that the written kubelb-ai.yaml is
// explicit and renders the same even if a later release changes a default.
// Unknown provider kinds are left alone for Check to report.
func Default(g *AIGateway) {
	if g.APIVersion == "" {
		g.APIVersion = APIVersion
	}
	if g.Kind == "" {
		g.Kind = Kind
	}
	s := &g.Spec
	if s.Target == "" && s.KubeLB != "" {
		// The release names its data plane; Check reports an unknown one.
		if r, err := templates.ReleaseForKubeLB(s.KubeLB); err == nil {
			s.Target = r.Target
		}
	}
	if s.Target == "" {
		s.Target = templates.DefaultTarget().Name
	}
	gw := &s.Gateway
	if gw.Name == "" {
		gw.Name = DefaultGatewayName
	}
	if g.Metadata.Name == "" {
		g.Metadata.Name = gw.Name
	}
	if gw.Namespace == "" {
		gw.Namespace = DefaultNamespace
	}
	if len(gw.Listeners) == 0 {
		gw.Listeners = []Listener{{Name: DefaultListenerName, Port: DefaultListenerPort}}
	}
	for i := range gw.Listeners {
		if gw.Listeners[i].Port == 0 {
			gw.Listeners[i].Port = DefaultListenerPort
		}
		if gw.Listeners[i].Name == "" {
			gw.Listeners[i].Name = fmt.Sprintf("http-%d", gw.Listeners[i].Port)
		}
	}
	if gw.ServiceType == "" {
		gw.ServiceType = DefaultServiceType
	}
	if gw.AllowedRoutes == "" {
		gw.AllowedRoutes = DefaultAllowedRoutes
	}
	for i := range s.Providers {
		defaultProvider(&s.Providers[i])
	}
	if len(s.Routes) == 0 {
		for _, p := range s.Providers {
			s.Routes = append(s.Routes, Route{Name: p.Name, Backends: []Backend{{Providers: []string{p.Name}}}})
		}
	}
	defaultClients(s)
	defaultMCP(s)
	defaultObservability(s)
	for i := range s.Routes {
		r := &s.Routes[i]
		if r.Path == "" && r.Name != "" {
			r.Path = "/" + r.Name
		}
		for j := range r.Backends {
			if r.Backends[j].Name == "" {
				r.Backends[j].Name = BackendName(r.Name, j, len(r.Backends))
			}
		}
		if r.Policies != nil && r.Policies.PromptGuard != nil {
			for _, rules := range [][]GuardRule{r.Policies.PromptGuard.Request, r.Policies.PromptGuard.Response} {
				for k := range rules {
					if rules[k].Action == "" {
						rules[k].Action = GuardMask
					}
				}
			}
		}
	}
}

// defaultClients fills the credential mode, the key of global limits and
// the rate-limit service they need. Local limits stay as written (no scope
// or key), so Specs without global limits read as before.
func defaultClients(s *Spec) {
	if c := s.Clients; c != nil && c.Mode == "" && c.Authenticates() {
		c.Mode = ModeStrict
	}
	for _, r := range s.Routes {
		if p := r.Policies; p != nil {
			if p.RateLimit.Global() && p.RateLimit.Key == "" {
				p.RateLimit.Key = KeyRoute
			}
			if p.TokenLimit.Global() && p.TokenLimit.Key == "" {
				p.TokenLimit.Key = KeyRoute
			}
		}
	}
	if !s.HasGlobalLimit() {
		return
	}
	if s.RateLimitService == nil {
		s.RateLimitService = &RateLimitService{}
	}
	rls := s.RateLimitService
	if rls.Service == "" {
		rls.Service = DefaultRateLimitService
	}
	if rls.Domain == "" {
		rls.Domain = DefaultRateLimitDomain
	}
	if rls.FailureMode == "" {
		// agentgateway's own default, and why KubeLB's addon runs two replicas.
		rls.FailureMode = FailClosed
	}
}

// BackendName is the name of backend index i of n on route.
func BackendName(route string, i, n int) string {
	if n == 1 {
		return route
	}
	return fmt.Sprintf("%s-%d", route, i+1)
}

func defaultProvider(p *Provider) {
	if p.Name == "" {
		p.Name = p.Kind
	}
	c, ok := templates.LookupProvider(p.Kind)
	if !ok {
		return
	}
	if p.Model == "" && p.Kind != "azureopenai" {
		p.Model = c.DefaultModel
	}
	if p.Auth.Source == "" {
		p.Auth.Source = AuthEnv
		if c.NoKey && p.Auth.Env == "" {
			p.Auth.Source = AuthNone
		}
	}
	if p.Auth.Source == AuthEnv && p.Auth.Env == "" {
		p.Auth.Env = c.APIKeyEnv
	}
	if p.APIVersion == "" {
		p.APIVersion = c.APIVersion
	}
	switch p.Kind {
	case "ollama":
		// Ollama has no public host: point at the conventional in-cluster one.
		if p.Host == "" {
			p.Host, p.Port = c.Host, c.Port
		}
	case "vertexai":
		if p.Vertex == nil {
			p.Vertex = &Vertex{}
		}
		if p.Vertex.Location == "" {
			p.Vertex.Location = c.Location
		}
	case "bedrock":
		if p.Bedrock == nil {
			p.Bedrock = &Bedrock{}
		}
		if p.Bedrock.Region == "" {
			p.Bedrock.Region = c.Region
		}
	}
	if p.Host != "" && p.Port == 0 {
		// A moved provider keeps its usual port: 443, or 11434 for Ollama.
		p.Port = c.Port
	}
}
