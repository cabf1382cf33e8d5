package dataplane

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/kubelb-ai/kubelb-ai/spec"
)

// WireProvider is one provider as a data plane stores it, before it is
// mapped back onto a Spec provider.
type WireProvider struct {
	Name       string // the data plane's own name for it, if it has one
	Kind       string // the data plane's provider kind (openai for Mistral and Ollama)
	Model      string
	APIVersion string
	Host       string
	Port       int32
	Path       string
	Auth       string // SecretRef, Passthrough or "" (none)
	SecretName string
	Azure      *spec.Azure
	Vertex     *spec.Vertex
	Bedrock    *spec.Bedrock
}

// ParsedBackend is one backend object: a failover chain of providers.
type ParsedBackend struct {
	Name      string
	Providers []WireProvider
	AI        *spec.Policies // agentgateway keeps AI policies on the backend
	// RouteTypes is agentgateway's policies.ai.routes; nil when absent.
	RouteTypes map[string]string
	// MCP is set when the object is an MCP gateway's backend, not a
	// failover chain.
	MCP *ParsedMCP
}

// ParsedPolicy is one policy object: what it attaches to and what it sets.
type ParsedPolicy struct {
	// Routes are the HTTPRoutes it targets.
	Routes []string
	// Backends are the backend objects it targets: its policies read as
	// if the backend held them.
	Backends []string
	Policies *spec.Policies
	// RouteTypes maps request paths to route types for the backends it
	// reaches (nil: it maps none).
	RouteTypes map[string]string
	// Clients are the client checks it sets on its routes (nil: none);
	// the API keys themselves are in the objects KeySource selects (nil:
	// it checks no API keys), in the policy's namespace.
	Clients   *spec.Clients
	KeySource *KeySource
	// RateLimitService is the rate-limit service its global limits ask,
	// when the policy names it itself; Extension names the gateway-wide
	// object that does otherwise. Its global limits are in Policies with
	// scope and key, their numbers in the service's ConfigMap.
	RateLimitService *spec.RateLimitService
	Extension        string
	// AccessControls are the policy's checks of callers the Spec cannot
	// carry (an external authorization service, basic authentication, a
	// denying rule), by field name and why: serve refuses to serve them
	// open.
	AccessControls []string
	// MCPAllow are the allow rules it sets on the MCP backends among
	// Backends.
	MCPAllow []string
	// Tracing is the collector it sends the Gateway's spans to (nil:
	// none).
	Tracing *spec.Tracing
}

// DecodeStrict decodes JSON into a typed object, failing on unknown fields.
func DecodeStrict(data []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	return dec.Decode(v)
}

// limitFromBucket reads a token bucket back as "N per unit".
func limitFromBucket(maxTokens int32, perFill *int32, interval string) (*spec.RequestLimit, string) {
	n := int32(1)
	if perFill != nil {
		n = *perFill
	}
	var unit string
	for u, iv := range fillIntervals {
		if iv == interval {
			unit = u
		}
	}
	if unit == "" {
		return nil, fmt.Sprintf("fill interval %s is not one second, minute or hour; the rate limit is not represented", interval)
	}
	rl := &spec.RequestLimit{Requests: n, Per: unit}
	if maxTokens != n {
		rl.Burst = maxTokens
	}
	return rl, ""
}

// guardRule builds a Spec guard rule from a data plane's regex guard.
func guardRule(action string, builtins, patterns []string) spec.GuardRule {
	r := spec.GuardRule{Action: strings.ToLower(action), Patterns: patterns}
	if r.Action == "" {
		r.Action = spec.GuardMask
	}
	r.Builtins = builtins
	return r
}

func lowerRole(role string) string { return strings.ToLower(role) }

// MergePolicies combines the policies several objects set on one route.
func MergePolicies(into, from *spec.Policies) *spec.Policies {
	if from == nil {
		return into
	}
	if into == nil {
		c := *from
		return &c
	}
	if from.RateLimit != nil {
		into.RateLimit = from.RateLimit
	}
	if from.TokenLimit != nil {
		into.TokenLimit = from.TokenLimit
	}
	if from.PromptGuard != nil {
		into.PromptGuard = mergeGuards(into.PromptGuard, from.PromptGuard)
	}
	if from.Prompt != nil {
		into.Prompt = from.Prompt
	}
	if len(from.Defaults) > 0 {
		into.Defaults = from.Defaults
	}
	if from.CORS != nil {
		into.CORS = from.CORS
	}
	return into
}

// mergeGuards is from's guard over into's: from's rules (into's when from
// has none) and, per direction, from's webhook, else into's. A guard
// webhook often comes in a policy of its own beside the one with rules.
func mergeGuards(into, from *spec.PromptGuard) *spec.PromptGuard {
	out := *from
	if into == nil {
		return &out
	}
	if !from.HasRules() {
		out.Request, out.Response = into.Request, into.Response
	}
	req, resp := from.Webhooks()
	oldReq, oldResp := into.Webhooks()
	if req == nil {
		req = oldReq
	}
	if resp == nil {
		resp = oldResp
	}
	out.Webhook = nil
	if req != nil || resp != nil {
		out.Webhook = &spec.GuardWebhooks{Request: req, Response: resp}
	}
	return &out
}
