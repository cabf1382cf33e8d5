package generate

import (
	"slices"

	gwv1 "sigs.k8s.io/gateway-api/apis/v1"

	"github.com/kubelb-ai/kubelb-ai/dataplane"
)

// mcpAllowFrom keeps the allow rules policy id sets on MCP backends; the
// Spec has one set per MCP gateway.
func (p *parser) mcpAllowFrom(id string, pp dataplane.ParsedPolicy) {
	for _, name := range pp.Backends {
		if prev, ok := p.mcpAllow[name]; ok && !slices.Equal(prev, pp.MCPAllow) {
			p.issue(id, "a second set of MCP allow rules on %s; the Spec has one per MCP gateway, the first", name)
			p.accessControls = append(p.accessControls, id+" backend.mcp.authorization beside another policy's")
			continue
		}
		p.mcpAllow[name] = pp.MCPAllow
	}
}

// mcpRoute reads an HTTPRoute whose backend is an MCP backend as an MCP
// gateway, reporting whether it was one.
func (p *parser) mcpRoute(r *gwv1.HTTPRoute) bool {
	if len(r.Spec.Rules) == 0 || len(r.Spec.Rules[0].BackendRefs) == 0 {
		return false
	}
	rule := r.Spec.Rules[0]
	name := string(rule.BackendRefs[0].Name)
	pm, ok := p.mcpBackends[name]
	if !ok {
		return false
	}
	id := "HTTPRoute/" + r.Name
	if pm.Gateway.Name != "" {
		p.issue(id, "a second route to MCP backend %s; the Spec serves an MCP gateway on one path", name)
		return true
	}
	switch {
	case len(r.Spec.Rules) != 1:
		p.issue(id, "has %d rules; only the first is represented", len(r.Spec.Rules))
	case len(rule.BackendRefs) != 1:
		p.issue(id, "an MCP backend shares the rule with other backends; only %s is represented", name)
	}
	if len(r.Spec.Hostnames) > 0 {
		p.issue(id, "hostnames are not represented")
	}
	if len(rule.Filters) > 0 {
		p.issue(id, "rule filters are not represented on an MCP gateway's route")
	}
	if r.Name != name {
		p.issue(id, "routes to MCP backend %s; the Spec names the route after the gateway, %s", name, name)
	}
	m := pm.Gateway
	m.Name, m.Path = name, "/"
	if len(rule.Matches) > 0 {
		match := rule.Matches[0]
		if len(rule.Matches) > 1 || match.Path == nil || len(match.Headers) > 0 || len(match.QueryParams) > 0 || match.Method != nil {
			p.issue(id, "only a single path-prefix match is represented")
		}
		if match.Path != nil && match.Path.Value != nil {
			if match.Path.Type != nil && *match.Path.Type != gwv1.PathMatchPathPrefix {
				p.issue(id, "path match type %s is represented as a path prefix", *match.Path.Type)
			}
			m.Path = *match.Path.Value
		}
	}
	m.Allow = p.mcpAllow[name]
	m.Servers = slices.Clone(m.Servers)
	for i := range m.Servers {
		srv := &m.Servers[i]
		secret, ok := pm.Secrets[srv.Name]
		if !ok {
			continue
		}
		srv.KeyEnv = ""
		p.mcpSecrets[secret] = true
		switch info, found := p.secrets[secret]; {
		case !found:
			p.issue(p.backendID(name), "server %s refers to Secret %s, which is not among the manifests; its credential is not represented", srv.Name, secret)
		case info.env == "":
			p.issue("Secret/"+secret, "holds no ${VAR} marker (a literal key or none); server %s's credential is not represented: set its keyEnv", srv.Name)
		default:
			srv.KeyEnv = info.env
		}
	}
	pm.Gateway.Name = name // read: a second route is reported above
	p.g.Spec.MCP = append(p.g.Spec.MCP, m)
	return true
}

// unroutedMCP reports MCP backends no HTTPRoute reaches.
func (p *parser) unroutedMCP() {
	for _, name := range sortedKeys(p.mcpBackends) {
		if p.mcpBackends[name].Gateway.Name == "" {
			p.issue(p.backendID(name), "an MCP backend no HTTPRoute reaches; not represented")
		}
	}
	for _, name := range sortedKeys(p.mcpAllow) {
		if _, ok := p.mcpBackends[name]; !ok {
			p.issue(p.backendID(name), "MCP allow rules on it, but it is not an MCP backend among the manifests; not represented")
		}
	}
}

// backendID is Kind/name of the target's backend object name.
func (p *parser) backendID(name string) string {
	a, _ := dataplane.Lookup(p.target)
	return a.Facts().API.Backend + "/" + name
}
