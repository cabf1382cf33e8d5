package dataplane

import "strings"

// MixedFailover: agentgateway translates between providers, so a failover
// chain may mix them.
func (agentgateway) MixedFailover(string, map[string]any) []Issue { return nil }

// UnknownFieldHint: KubeLB's MCP example puts a static target's fields
// directly under targets[].
func (a agentgateway) UnknownFieldHint(_, kind, path string) string {
	if kind == a.Facts().API.Backend && strings.Contains(path, "mcp.targets[") && endsWithAny(path, ".backendRef", ".port", ".protocol", ".host", ".path") {
		return "move it under static: (targets[].static.backendRef, .port, .protocol), or use selector; KubeLB's MCP example puts it directly under targets[] by mistake"
	}
	return ""
}

// InlineKey: agentgateway's auth.key holds the key itself.
func (agentgateway) InlineKey(path string, m map[string]any) (string, bool) {
	if !strings.HasSuffix(path, "auth") {
		return "", false
	}
	s, ok := m["key"].(string)
	return "key", ok && s != ""
}

// agwSingularFields are the policy fields agentgateway keeps one value of
// per target; a second policy setting one is silently dropped while both
// report Attached.
var agwSingularFields = [][]string{
	{"traffic", "rateLimit"}, {"traffic", "jwtAuthentication"}, {"traffic", "apiKeyAuthentication"},
	{"traffic", "extAuth"}, {"backend", "mcp"}, {"backend", "ai"},
}

// ReadPolicy: an AgentgatewayPolicy's rate limit is spec.traffic.rateLimit,
// its route types spec.backend.ai.routes.
func (agentgateway) ReadPolicy(spec map[string]any) PolicyFacts {
	var p PolicyFacts
	t, _ := spec["traffic"].(map[string]any)
	_, p.RateLimit = t["rateLimit"]
	p.AIRoutes = hasAIRoutes(spec, "backend")
	for _, f := range agwSingularFields {
		if sect, ok := spec[f[0]].(map[string]any); ok {
			if _, set := sect[f[1]]; set {
				p.Singular = append(p.Singular, f[0]+"."+f[1])
			}
		}
	}
	return p
}

// AIBackend: an AgentgatewayBackend with spec.ai; without routes (its own
// spec.policies.ai.routes or a policy's) agentgateway parses every request
// as chat completions.
func (a agentgateway) AIBackend(kind string, spec map[string]any) (ai, routesMapped bool) {
	if kind != a.Facts().API.Backend {
		return false, false
	}
	if _, ai = spec["ai"].(map[string]any); !ai {
		return false, false
	}
	return true, hasAIRoutes(spec, "policies")
}

// hasAIRoutes reports whether spec.<section>.ai.routes has an entry.
func hasAIRoutes(spec map[string]any, section string) bool {
	routes, _ := dig(spec, section, "ai", "routes").(map[string]any)
	return len(routes) > 0
}

func (agentgateway) RateLimitKind() string {
	return "AgentgatewayPolicy (spec.traffic.rateLimit.local)"
}
