package dataplane

import (
	"fmt"
	"strings"

	"github.com/kubelb-ai/kubelb-ai/internal/objpath"
)

// kgatewayProviders are the provider fields of a kgateway AI backend.
var kgatewayProviders = []string{"openai", "azureopenai", "anthropic", "gemini", "vertexai", "bedrock"}

// MixedFailover applies the Envoy data plane's rule that every provider of
// one AI Backend has the same type. Both releases' shapes are read
// (priorityGroups and multipool), whatever the target, so the rule holds
// for a Backend validated against the other release too.
func (k kgateway20) MixedFailover(kind string, obj map[string]any) []Issue {
	return kgatewayMixedFailover(k.Facts().API.Backend, kind, obj)
}

func (k kgateway21) MixedFailover(kind string, obj map[string]any) []Issue {
	return kgatewayMixedFailover(k.Facts().API.Backend, kind, obj)
}

func kgatewayMixedFailover(backend, kind string, obj map[string]any) []Issue {
	if kind != backend {
		return nil
	}
	ai, _ := objpath.Get(obj, "spec", "ai").(map[string]any)
	var types, paths []string
	note := func(path string, provider map[string]any) {
		for _, p := range kgatewayProviders {
			if _, ok := provider[p]; ok {
				types, paths = append(types, p), append(paths, path)
			}
		}
	}
	for i, g := range mapList(ai["priorityGroups"]) {
		for j, p := range mapList(g["providers"]) {
			note(fmt.Sprintf("spec.ai.priorityGroups[%d].providers[%d]", i, j), p)
		}
	}
	if mp, ok := ai["multipool"].(map[string]any); ok {
		for i, prio := range mapList(mp["priorities"]) {
			for j, p := range mapList(prio["pool"]) {
				prov, _ := p["provider"].(map[string]any)
				note(fmt.Sprintf("spec.ai.multipool.priorities[%d].pool[%d]", i, j), prov)
			}
		}
	}
	var out []Issue
	for i := 1; i < len(types); i++ {
		if types[i] != types[0] {
			out = append(out, Issue{Path: paths[i],
				Message: fmt.Sprintf("the Envoy AI extension rejects a backend whose providers differ in type (%s, then %s): requests to this route fail", types[0], types[i]),
				Fix:     "fail over between providers of one type (OpenAI-compatible ones count as openai), or use agentgateway (KubeLB 1.4+), which translates between providers"})
		}
	}
	return out
}

// mapList returns the objects of a decoded list.
func mapList(v any) []map[string]any {
	items, _ := v.([]any)
	var out []map[string]any
	for _, it := range items {
		if m, ok := it.(map[string]any); ok {
			out = append(out, m)
		}
	}
	return out
}

// UnknownFieldHint: a Backend in v2.0's shape (llm.provider, hostOverride,
// multipool) where v2.1's is expected, the change KubeLB 1.3 brought.
func (k kgateway20) UnknownFieldHint(group, kind, path string) string {
	if !isOwnBackend(k.Facts().API.Group, k.Facts().API.Backend, group, kind) {
		return ""
	}
	if strings.HasSuffix(path, ".llm.provider") || strings.HasSuffix(path, ".hostOverride") || strings.HasSuffix(path, "ai.multipool") {
		return "this is the kgateway v2.0 (KubeLB 1.2) Backend shape; kgateway v2.1 puts the provider directly under llm (llm.openai), uses host/port and priorityGroups: validate with --target kgateway-v2.0 if the cluster runs kgateway v2.0, or rewrite the Backend in the v2.1 shape"
	}
	return ""
}

// UnknownFieldHint: a Backend in v2.1's shape where v2.0's is expected.
func (k kgateway21) UnknownFieldHint(group, kind, path string) string {
	if !isOwnBackend(k.Facts().API.Group, k.Facts().API.Backend, group, kind) {
		return ""
	}
	if strings.Contains(path, "ai.") && endsWithAny(path, ".openai", ".anthropic", ".gemini", ".vertexai", ".azureopenai", ".bedrock", ".host", ".port", ".path", ".authHeader", "ai.priorityGroups") {
		return "this is the kgateway v2.1 (KubeLB 1.3) Backend shape; kgateway v2.0 nests the provider under llm.provider and uses hostOverride and multipool: validate with --target kgateway-v2.1 if the cluster runs kgateway v2.1, or rewrite the Backend in the v2.0 shape"
	}
	return ""
}

func isOwnBackend(ownGroup, ownBackend, group, kind string) bool {
	return group == ownGroup && kind == ownBackend
}

func endsWithAny(s string, suffixes ...string) bool {
	for _, x := range suffixes {
		if strings.HasSuffix(s, x) {
			return true
		}
	}
	return false
}

// InlineKey: kgateway's inline tokens (kind: Inline) are found by validate
// in every object; there is no other inline key field.
func (kgateway20) InlineKey(string, map[string]any) (string, bool) { return "", false }
func (kgateway21) InlineKey(string, map[string]any) (string, bool) { return "", false }

// ReadPolicy: a TrafficPolicy's rate limit is spec.rateLimit; it maps no
// route types and kgateway merges several policies' fields.
func (kgateway20) ReadPolicy(spec map[string]any) PolicyFacts { return kgatewayReadPolicy(spec) }
func (kgateway21) ReadPolicy(spec map[string]any) PolicyFacts { return kgatewayReadPolicy(spec) }

func kgatewayReadPolicy(spec map[string]any) PolicyFacts {
	_, rl := spec["rateLimit"]
	return PolicyFacts{RateLimit: rl}
}

// AIBackend: kgateway's AI extension finds the route type itself.
func (kgateway20) AIBackend(string, map[string]any) (bool, bool) { return false, false }
func (kgateway21) AIBackend(string, map[string]any) (bool, bool) { return false, false }

func (kgateway20) RateLimitKind() string { return kgatewayRateLimitKind }
func (kgateway21) RateLimitKind() string { return kgatewayRateLimitKind }

const kgatewayRateLimitKind = "TrafficPolicy (spec.rateLimit.local.tokenBucket)"
