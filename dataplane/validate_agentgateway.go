package dataplane

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"
)

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
	{"traffic", "basicAuthentication"}, {"traffic", "extAuth"}, {"backend", "mcp"}, {"backend", "ai"},
	// traffic.authorization is not one: agentgateway merges the rules of
	// every policy that sets it.
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

// PolicyClients: spec.traffic.apiKeyAuthentication reads "Authorization:
// Bearer" unless location names another place (v1.3.1+); global limits are
// spec.traffic.rateLimit.global and each conditional entry's policy.global
// (v1.3.1+), failing closed unless failureMode is FailOpen.
func (agentgateway) PolicyClients(spec map[string]any) PolicyClients {
	var p PolicyClients
	if ak, ok := dig(spec, "traffic", "apiKeyAuthentication").(map[string]any); ok {
		const path = "spec.traffic.apiKeyAuthentication"
		loc, hasLoc := ak["location"].(map[string]any)
		name, _ := dig(loc, "header", "name").(string)
		switch {
		case !hasLoc:
			p.APIKeyAuthorization = path
		case strings.EqualFold(name, "Authorization"):
			p.APIKeyAuthorization = path + ".location.header.name"
		}
	}
	rl, _ := dig(spec, "traffic", "rateLimit").(map[string]any)
	if g, ok := rl["global"].(map[string]any); ok {
		p.Global = append(p.Global, agwGlobalLimit("spec.traffic.rateLimit.global", g))
	}
	for i, c := range mapList(rl["conditional"]) {
		if g, ok := dig(c, "policy", "global").(map[string]any); ok {
			p.Global = append(p.Global, agwGlobalLimit(fmt.Sprintf("spec.traffic.rateLimit.conditional[%d].policy.global", i), g))
		}
	}
	return p
}

func agwGlobalLimit(path string, g map[string]any) PolicyGlobalLimit {
	l := PolicyGlobalLimit{Path: path, FailClosed: true}
	l.Domain, _ = g["domain"].(string)
	if ref, ok := g["backendRef"].(map[string]any); ok {
		group, _ := ref["group"].(string)
		kind, _ := ref["kind"].(string)
		if group == "" && (kind == "" || kind == "Service") {
			l.Service, _ = ref["name"].(string)
			l.Namespace, _ = ref["namespace"].(string)
		}
	}
	if mode, ok := g["failureMode"].(string); ok {
		l.FailClosed, l.FailurePath = mode != "FailOpen", path+".failureMode"
	}
	for i, d := range mapList(g["descriptors"]) {
		ld := LimitDescriptor{Path: fmt.Sprintf("%s.descriptors[%d]", path, i)}
		for _, e := range mapList(d["entries"]) {
			name, _ := e["name"].(string)
			expr, _ := e["expression"].(string)
			v, fixed := celLiteral(expr)
			ld.Entries = append(ld.Entries, DescriptorEntry{Key: name, Value: v, Fixed: fixed})
		}
		l.Descriptors = append(l.Descriptors, ld)
	}
	return l
}

// AuthPassthrough: an AgentgatewayBackend with spec.policies.auth.passthrough
// forwards the client's credential unchanged.
func (a agentgateway) AuthPassthrough(kind string, spec map[string]any) bool {
	if kind != a.Facts().API.Backend {
		return false
	}
	_, ok := dig(spec, "policies", "auth", "passthrough").(map[string]any)
	return ok
}

// KeyEntryIssues: an API-key entry of a Secret (data, stringData) or, from
// v1.4.1, a ConfigMap (data) may be JSON {keyHash, metadata}, the key's
// SHA-256 as sha256:<64 lowercase hex>.
func (agentgateway) KeyEntryIssues(obj map[string]any) []Issue {
	var out []Issue
	for _, field := range []string{"stringData", "data"} {
		m, _ := obj[field].(map[string]any)
		for _, key := range sortedMapKeys(m) {
			val, _ := m[key].(string)
			if field == "data" && obj["kind"] == "Secret" {
				b, err := base64.StdEncoding.DecodeString(val)
				if err != nil {
					continue
				}
				val = string(b)
			}
			var entry map[string]any
			if json.Unmarshal([]byte(val), &entry) != nil {
				continue
			}
			hash, ok := entry["keyHash"]
			if !ok {
				continue
			}
			if s, _ := hash.(string); !keyHashRE.MatchString(s) {
				out = append(out, keyHashIssue(field+"["+key+"]", fmt.Sprint(hash)))
			}
		}
	}
	return out
}
