package proxy

import (
	"crypto/rand"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/kubelb-ai/kubelb-ai/proxy/expr"
	"github.com/kubelb-ai/kubelb-ai/proxy/mcp"
	"github.com/kubelb-ai/kubelb-ai/spec"
)

// mcpGateways are the Spec's MCP gateways, by the name of the backend
// object their route names, and what cannot work locally.
func mcpGateways(g *spec.AIGateway, opts Options, client *http.Client) (map[string]*mcp.Gateway, []string, error) {
	if len(g.Spec.MCP) == 0 {
		return nil, nil, nil
	}
	key := opts.MCPSessionKey
	if key == nil {
		// Sessions then end with this Build; cmd gives one key per process.
		key = make([]byte, mcp.SessionKeySize)
		_, _ = rand.Read(key)
	}
	lookup := opts.Lookup
	if lookup == nil {
		lookup = func(string) (string, bool) { return "", false }
	}
	gateways := map[string]*mcp.Gateway{}
	var warnings []string
	for _, m := range g.Spec.MCP {
		cfg := mcp.Config{Name: m.Name, Version: opts.Version, Stateful: m.Sessions != spec.MCPStateless,
			FailOpen: m.FailureMode == spec.MCPFailOpen, Prefix: m.PrefixMode, SessionKey: key, Client: client,
			Timeout: opts.MCPTimeout, BodyTimeout: opts.BodyTimeout, Vars: varsOf, Observe: observeMCP(opts.Metrics, m.Name)}
		if opts.Tracer != nil {
			cfg.Tracer = opts.Tracer.Tracer(tracerName)
		}
		for _, rule := range m.Allow {
			p, err := expr.Compile(rule)
			if err != nil {
				return nil, nil, fmt.Errorf("MCP gateway %s: allow rule: %w", m.Name, err)
			}
			cfg.Allow = append(cfg.Allow, p)
		}
		for _, s := range m.Servers {
			t, warning, err := mcpTarget(s, g.Spec.Gateway.Namespace, opts.Upstreams, lookup)
			if err != nil {
				return nil, nil, fmt.Errorf("MCP gateway %s: %w", m.Name, err)
			}
			if warning != "" {
				warnings = append(warnings, fmt.Sprintf("MCP gateway %s: %s", m.Name, warning))
			}
			cfg.Targets = append(cfg.Targets, t)
		}
		gw, err := mcp.New(cfg)
		if err != nil {
			return nil, nil, fmt.Errorf("MCP gateway %s: %w", m.Name, err)
		}
		gateways[m.Name] = gw
	}
	return gateways, warnings, nil
}

// mcpTarget is where serve reaches an MCP server: --upstream by the
// server's name (or its Service's), else its URL. A mapped URL with a
// path replaces the server's endpoint; one without keeps its path.
func mcpTarget(s spec.MCPServer, namespace string, ups map[string]*url.URL, lookup func(string) (string, bool)) (mcp.Target, string, error) {
	t := mcp.Target{Name: s.Name, SSE: s.Protocol == spec.MCPSSE}
	var warning string
	var endpoint *url.URL
	mapped := ups[s.Name]
	if s.Service != "" {
		name, ns, port, ok := spec.ServiceAddress(s.Service)
		if !ok {
			return t, "", fmt.Errorf("server %s: Service %q is not name[.namespace]:port", s.Name, s.Service)
		}
		if ns == "" {
			ns = namespace
		}
		if mapped == nil {
			mapped = ups[name]
		}
		path := s.Path
		if path == "" {
			path = "/mcp"
			if t.SSE {
				path = "/sse"
			}
		}
		endpoint = &url.URL{Scheme: "http", Host: fmt.Sprintf("%s.%s.svc.cluster.local:%d", name, ns, port), Path: path}
		if mapped == nil {
			warning = fmt.Sprintf("server %s is Service %s, which has no local address: give one with --upstream %s=URL", s.Name, name, s.Name)
		}
	} else {
		u, err := url.Parse(s.URL)
		if err != nil {
			return t, "", fmt.Errorf("server %s: %w", s.Name, err)
		}
		endpoint = u
		if mapped == nil && strings.HasSuffix(u.Hostname(), ".cluster.local") {
			warning = fmt.Sprintf("server %s is %s, a cluster address: give a local one with --upstream %s=URL", s.Name, u.Host, s.Name)
		}
	}
	if mapped != nil {
		e := *endpoint
		e.Scheme, e.Host = mapped.Scheme, mapped.Host
		if p := strings.TrimSuffix(mapped.Path, "/"); p != "" {
			e.Path, e.RawPath = mapped.Path, mapped.RawPath
		}
		endpoint = &e
	}
	t.URL = endpoint
	if s.KeyEnv != "" {
		key, ok := lookup(s.KeyEnv)
		if !ok || key == "" {
			warning = strings.TrimPrefix(warning+"; ", "; ") + fmt.Sprintf("server %s's key variable %s is not set: it is called without a key", s.Name, s.KeyEnv)
		} else {
			// As agentgateway's key auth: a bearer token in Authorization.
			t.Header = http.Header{"Authorization": {"Bearer " + strings.TrimPrefix(key, "Bearer ")}}
		}
	}
	return t, warning, nil
}

// observeMCP counts an MCP gateway's messages and notes them on the
// request's access-log line.
func observeMCP(m *Metrics, route string) func(*http.Request, mcp.Call) {
	return func(r *http.Request, c mcp.Call) {
		ex := exchangeOf(r)
		if ex == nil {
			ex = &exchange{route: route}
		}
		ex.set(func(e *exchange) {
			e.mcpMethod, e.mcpTarget, e.mcpName = c.Method, c.Target, c.Name
			if c.Status != "ok" {
				e.mcpStatus = c.Status
			}
			if a := m.compatMetrics(); a != nil && c.Method != "" {
				a.observeMCP(e, c)
			}
		})
		if m != nil {
			m.mcpRequests.WithLabelValues(route, c.Target, c.Method, c.Status).Inc()
			m.mcpDuration.WithLabelValues(route, c.Method).Observe(c.Duration.Seconds())
		}
	}
}
