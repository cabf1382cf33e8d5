package validate

import (
	"fmt"
	"strings"
)

// RuleMCPAuthForwarded is the lint rule about the client's Authorization
// header reaching MCP servers that have no credential of their own.
const RuleMCPAuthForwarded = "mcp-auth-forwarded"

// lintMCP runs the MCP rules that need the whole set.
func lintMCP(objs []*object, enabled func(string) bool) []Finding {
	if !enabled(RuleMCPAuthForwarded) {
		return nil
	}
	return mcpAuthForwarded(objs)
}

// mcpAuthForwarded finds the targets of MCP backends, reached by an
// HTTPRoute of the input, that get the client's Authorization header as it
// came: the target sets no credential of its own (nor does its backend or
// a policy on the backend), and no client authentication on the route, its
// Gateway or the backend removes the header. The client's token, meant for
// the gateway or another server, then reaches a server that may use it.
// A backend no route of the input reaches is left alone.
func mcpAuthForwarded(objs []*object) []Finding {
	stripped, credentialed := map[*object]bool{}, map[objKey]bool{}
	for _, p := range objs {
		if p.mcp == nil || p.policy == nil {
			continue
		}
		if p.mcp.StripsAuthorization {
			for _, rt := range routesOf(objs, p) {
				stripped[rt] = true
			}
		}
		for _, t := range p.policy.targets {
			key := objKey{t.group, t.kind, p.key.namespace, t.name}
			credentialed[key] = credentialed[key] || p.mcp.GivesCredential
			if p.mcp.StripsAuthorization {
				// Client authentication on the backend itself.
				credentialed[key] = true
			}
		}
	}
	var out []Finding
	for _, b := range objs {
		if b.mcp == nil || b.mcp.Backend == nil || b.mcp.Backend.OwnCredential || credentialed[b.key] {
			continue
		}
		var open []string // routes that reach b without removing the header
		for _, rt := range objs {
			if rt.route == nil || rt.key.group != gatewayGroup || stripped[rt] {
				continue
			}
			for _, ref := range rt.route.backends {
				if (objKey{ref.group, ref.kind, ref.ns, ref.name}) == b.key {
					open = append(open, rt.key.name)
					break
				}
			}
		}
		if len(open) == 0 {
			continue
		}
		for _, t := range b.mcp.Backend.Open {
			fix := "authenticate clients on the route (an AgentgatewayPolicy with traffic.jwtAuthentication, or backend.mcp.authentication, mode Strict), which removes the header once validated"
			if t.Static {
				fix = fmt.Sprintf("give the target its own credential (%s.static.policies.auth.secretRef), or %s; set static.policies.auth.passthrough: {} if the server is meant to receive the client's token", t.Path, fix)
			}
			out = append(out, b.report(t.Path+".name", RuleMCPAuthForwarded,
				fmt.Sprintf("MCP target %s receives the client's Authorization header unchanged (route %s): agentgateway copies the client's headers to MCP targets, and nothing on the way sets a credential for this server or removes the client's, so a token meant for the gateway or another service reaches it",
					t.Name, strings.Join(open, ", ")),
				fix))
		}
	}
	return out
}
