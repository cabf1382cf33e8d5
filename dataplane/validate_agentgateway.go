package dataplane

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/kubelb-ai/kubelb-ai/internal/objpath"
)

// MixedFailover: agentgateway translates between providers, so a failover
// chain may mix them.
func (agentgateway) MixedFailover(string, map[string]any) []Issue { return nil }

// UnknownFieldHint: KubeLB's MCP example puts a static target's fields
// directly under targets[]; spec.mcp.prefixMode came with v1.4.1.
func (a agentgateway) UnknownFieldHint(_, kind, path string) string {
	if kind != a.Facts().API.Backend {
		return ""
	}
	if path == "spec.mcp.prefixMode" {
		return mcpPrefixModeHint()
	}
	target, field, ok := strings.Cut(path, "].")
	if !strings.HasPrefix(target, "spec.mcp.targets[") || !ok || !slices.Contains(staticTargetFields, field) {
		return ""
	}
	return fmt.Sprintf("move it under static: %s].static.%s (with the target's other server fields: %s); KubeLB's MCP example puts them directly under targets[] by mistake, which no agentgateway release accepts",
		target, field, strings.Join(staticTargetFields, ", "))
}

// staticTargetFields are the fields of an MCP target's static: that
// KubeLB's example writes one level too high.
var staticTargetFields = []string{"backendRef", "host", "port", "path", "protocol"}

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
	routes, _ := objpath.Get(spec, section, "ai", "routes").(map[string]any)
	return len(routes) > 0
}

func (agentgateway) RateLimitKind() string {
	return "AgentgatewayPolicy (spec.traffic.rateLimit.local)"
}

// ObjectClients reads an AgentgatewayPolicy's client authentication and
// limits (agwPolicyClients) and an AgentgatewayBackend's token reporting.
func (a agentgateway) ObjectClients(kind string, spec map[string]any) (PolicyClients, bool) {
	switch kind {
	case a.Facts().API.Policy:
		return agwPolicyClients(spec), true
	case a.Facts().API.Backend:
		return PolicyClients{Backend: &BackendUsage{NoTokenUsage: agwNoTokenUsage(spec)}}, true
	}
	return PolicyClients{}, false
}

// agwNoTokenUsage says why agentgateway learns no token usage of a
// backend's traffic, or "". In v1.4.1 token limits count only on the AI
// route types it parses (crates/agentgateway/src/...): a Tokens descriptor
// is sent only by check_llm (http/remoteratelimit.rs:307-331; the plain
// request check, :355-374, sends Requests descriptors only), a local token
// bucket is checked only by check_llm_request (http/localratelimit.rs:88;
// check_request, :73, counts Requests limits only), both called from
// apply_llm_request_policies (proxy/httpproxy.rs:470, called at :2389 for a
// parsed LLM request), and the counts are trued up by amend_tokens
// (llm/mod.rs:2554, called at :1978) from process_response, which runs
// only with a parsed LLM request (httpproxy.rs:2592). A backend without
// spec.ai has no LLM request; Passthrough skips "LLM policies nor
// token-based rate limits" (httpproxy.rs:2414-2416). Every path is
// Passthrough only with a "*" key mapped to it: an unmatched path falls
// back to Completions (llm/policy/mod.rs:630-645, resolve_route).
func agwNoTokenUsage(spec map[string]any) string {
	if _, ai := spec["ai"].(map[string]any); !ai {
		return "has no spec.ai, so it is no LLM backend"
	}
	routes, _ := objpath.Get(spec, "policies", "ai", "routes").(map[string]any)
	if routes["*"] == nil {
		return ""
	}
	for _, rt := range routes {
		if rt != "Passthrough" {
			return ""
		}
	}
	return "maps every path to Passthrough (spec.policies.ai.routes), which agentgateway forwards without parsing"
}

// agwPolicyClients: spec.traffic.apiKeyAuthentication reads "Authorization:
// Bearer" unless location names another place (v1.3.1+); global limits are
// spec.traffic.rateLimit.global and each conditional entry's policy.global
// (v1.3.1+), failing closed unless failureMode is FailOpen; token limits
// are local entries with tokens and global descriptors with unit Tokens.
func agwPolicyClients(spec map[string]any) PolicyClients {
	var p PolicyClients
	if ak, ok := objpath.Get(spec, "traffic", "apiKeyAuthentication").(map[string]any); ok {
		const path = "spec.traffic.apiKeyAuthentication"
		loc, hasLoc := ak["location"].(map[string]any)
		name, _ := objpath.Get(loc, "header", "name").(string)
		switch {
		case !hasLoc:
			p.APIKeyAuthorization = path
		case strings.EqualFold(name, "Authorization"):
			p.APIKeyAuthorization = path + ".location.header.name"
		}
	}
	rl, _ := objpath.Get(spec, "traffic", "rateLimit").(map[string]any)
	limits := func(path string, m map[string]any) {
		for i, l := range mapList(m["local"]) {
			if _, ok := l["tokens"]; ok {
				p.TokenLimits = append(p.TokenLimits, fmt.Sprintf("%s.local[%d].tokens", path, i))
			}
		}
		g, ok := m["global"].(map[string]any)
		if !ok {
			return
		}
		p.Global = append(p.Global, agwGlobalLimit(path+".global", g))
		for i, d := range mapList(g["descriptors"]) {
			if d["unit"] == "Tokens" {
				p.TokenLimits = append(p.TokenLimits, fmt.Sprintf("%s.global.descriptors[%d].unit", path, i))
			}
		}
	}
	limits("spec.traffic.rateLimit", rl)
	for i, c := range mapList(rl["conditional"]) {
		pol, _ := c["policy"].(map[string]any)
		limits(fmt.Sprintf("spec.traffic.rateLimit.conditional[%d].policy", i), pol)
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
	l.FailClosedText, l.FailOpenFix = "no failureMode (FailClosed by default)", "set failureMode: FailOpen"
	if mode, ok := g["failureMode"].(string); ok {
		l.FailClosed, l.FailurePath = mode != "FailOpen", path+".failureMode"
		l.FailClosedText = "failureMode: " + mode
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
	_, ok := objpath.Get(spec, "policies", "auth", "passthrough").(map[string]any)
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
