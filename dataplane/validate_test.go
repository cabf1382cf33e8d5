package dataplane_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"sigs.k8s.io/yaml"

	"github.com/kubelb-ai/kubelb-ai/dataplane"
	"github.com/kubelb-ai/kubelb-ai/generate"
	"github.com/kubelb-ai/kubelb-ai/templates"
)

func TestRegistrySets(t *testing.T) {
	if got, want := dataplane.Groups(), []string{"gateway.kgateway.dev", "agentgateway.dev"}; !reflect.DeepEqual(got, want) {
		t.Errorf("Groups() = %q, want %q", got, want)
	}
	if got, want := dataplane.GatewayClasses(), []string{"kgateway", "agentgateway"}; !reflect.DeepEqual(got, want) {
		t.Errorf("GatewayClasses() = %q, want %q", got, want)
	}
	for _, tc := range []struct {
		kind             string
		backend, routeTy bool
	}{
		{"Backend", true, false},
		{"AgentgatewayBackend", true, true},
		{"TrafficPolicy", false, false},
		{"Service", false, false},
		{"", false, false},
	} {
		if got := dataplane.IsBackendKind(tc.kind); got != tc.backend {
			t.Errorf("IsBackendKind(%q) = %v, want %v", tc.kind, got, tc.backend)
		}
		if got := dataplane.RouteTypedBackend(tc.kind); got != tc.routeTy {
			t.Errorf("RouteTypedBackend(%q) = %v, want %v", tc.kind, got, tc.routeTy)
		}
	}
	if got, want := dataplane.Family(templates.KgatewayV21), []string{templates.KgatewayV20}; !reflect.DeepEqual(got, want) {
		t.Errorf("Family(v2.1) = %q, want %q", got, want)
	}
	if got := dataplane.Family(templates.Agentgateway); len(got) != 0 {
		t.Errorf("Family(agentgateway) = %q, want none", got)
	}
}

func TestOwnedBy(t *testing.T) {
	for _, tc := range []struct {
		apiVersion, kind, want string
		ok                     bool
	}{
		{"agentgateway.dev/v1alpha1", "AgentgatewayBackend", templates.Agentgateway, true},
		{"agentgateway.dev/v1alpha1", "Anything", templates.Agentgateway, true},
		{"agentgateway.dev", "AgentgatewayBackend", "", false}, // no version: no group
		{"gateway.kgateway.dev/v1alpha1", "Backend", "", false},
		{"gateway.networking.k8s.io/v1", "Gateway", "", false},
	} {
		got, ok := dataplane.OwnedBy(tc.apiVersion, tc.kind)
		if got != tc.want || ok != tc.ok {
			t.Errorf("OwnedBy(%q, %q) = %q, %v; want %q, %v", tc.apiVersion, tc.kind, got, ok, tc.want, tc.ok)
		}
	}
}

func decode(t *testing.T, doc string) map[string]any {
	t.Helper()
	m := map[string]any{}
	if err := yaml.Unmarshal([]byte(doc), &m); err != nil {
		t.Fatal(err)
	}
	return m
}

func TestMixedFailover(t *testing.T) {
	mixed21 := decode(t, `spec: {ai: {priorityGroups: [{providers: [{openai: {}}]}, {providers: [{anthropic: {}}]}]}}`)
	mixed20 := decode(t, `spec: {ai: {multipool: {priorities: [{pool: [{provider: {gemini: {}}}]}, {pool: [{provider: {gemini: {}}}, {provider: {openai: {}}}]}]}}}`)
	same := decode(t, `spec: {ai: {priorityGroups: [{providers: [{openai: {}}]}, {providers: [{openai: {}}]}]}}`)
	for _, tc := range []struct {
		name, apiVersion, kind string
		obj                    map[string]any
		want                   string
	}{
		{"v2.1 shape", "gateway.kgateway.dev/v1alpha1", "Backend", mixed21, `[{"Path":"spec.ai.priorityGroups[1].providers[0]","Message":"the Envoy AI extension rejects a backend whose providers differ in type (openai, then anthropic): requests to this route fail","Fix":"fail over between providers of one type (OpenAI-compatible ones count as openai), or use agentgateway (KubeLB 1.4+), which translates between providers"}]`},
		{"v2.0 shape", "gateway.kgateway.dev/v1alpha1", "Backend", mixed20, `[{"Path":"spec.ai.multipool.priorities[1].pool[1]","Message":"the Envoy AI extension rejects a backend whose providers differ in type (gemini, then openai): requests to this route fail","Fix":"fail over between providers of one type (OpenAI-compatible ones count as openai), or use agentgateway (KubeLB 1.4+), which translates between providers"}]`},
		{"one type", "gateway.kgateway.dev/v1alpha1", "Backend", same, `null`},
		{"not a backend", "gateway.kgateway.dev/v1alpha1", "TrafficPolicy", mixed21, `null`},
		{"agentgateway translates", "agentgateway.dev/v1alpha1", "AgentgatewayBackend", mixed21, `null`},
		{"no data plane", "example.com/v1", "Backend", mixed21, `null`},
	} {
		got, _ := json.Marshal(dataplane.MixedFailover(tc.apiVersion, tc.kind, tc.obj))
		if string(got) != tc.want {
			t.Errorf("%s: MixedFailover = %s\nwant %s", tc.name, got, tc.want)
		}
	}
}

func TestUnknownFieldHint(t *testing.T) {
	const v20 = "this is the kgateway v2.0 (KubeLB 1.2) Backend shape"
	const v21 = "this is the kgateway v2.1 (KubeLB 1.3) Backend shape"
	const mcp = "move it under static:"
	for _, tc := range []struct{ group, kind, path, prefix string }{
		{"gateway.kgateway.dev", "Backend", "spec.ai.llm.provider", v20},
		{"gateway.kgateway.dev", "Backend", "spec.ai.llm.hostOverride", v20},
		{"gateway.kgateway.dev", "Backend", "spec.ai.multipool", v20},
		{"gateway.kgateway.dev", "Backend", "spec.ai.llm.openai", v21},
		{"gateway.kgateway.dev", "Backend", "spec.ai.priorityGroups", v21},
		{"gateway.kgateway.dev", "TrafficPolicy", "spec.ai.llm.provider", ""},
		{"example.com", "Backend", "spec.ai.llm.provider", ""},
		{"agentgateway.dev", "AgentgatewayBackend", "spec.mcp.targets[0].backendRef", mcp},
		{"other.dev", "AgentgatewayBackend", "spec.mcp.targets[0].port", mcp}, // by kind alone
		{"agentgateway.dev", "AgentgatewayBackend", "spec.mcp.targets[0].static", ""},
		{"agentgateway.dev", "AgentgatewayBackend", "spec.mcp.targets[2].path", "move it under static: spec.mcp.targets[2].static.path "},
		{"agentgateway.dev", "AgentgatewayBackend", "spec.mcp.targets[1].policies", ""},
		{"agentgateway.dev", "AgentgatewayBackend", "spec.mcp.prefixMode", "prefixMode needs agentgateway v1.4.1 or later; no KubeLB release ships it yet"},
		{"agentgateway.dev", "AgentgatewayPolicy", "spec.mcp.prefixMode", ""},
	} {
		got := dataplane.UnknownFieldHint(tc.group, tc.kind, tc.path)
		if tc.prefix == "" && got != "" || !strings.HasPrefix(got, tc.prefix) {
			t.Errorf("UnknownFieldHint(%s, %s, %s) = %q, want it to start with %q", tc.group, tc.kind, tc.path, got, tc.prefix)
		}
	}
}

func TestInlineKey(t *testing.T) {
	for _, tc := range []struct {
		group, path string
		m           map[string]any
		want        bool
	}{
		{"agentgateway.dev", "spec.policies.auth", map[string]any{"key": "sk-1"}, true},
		{"agentgateway.dev", "spec.policies.auth", map[string]any{"key": ""}, false},
		{"agentgateway.dev", "spec.policies.tls", map[string]any{"key": "sk-1"}, false},
		{"gateway.kgateway.dev", "spec.policies.auth", map[string]any{"key": "sk-1"}, false},
	} {
		field, ok := dataplane.InlineKey(tc.group, tc.path, tc.m)
		if ok != tc.want || ok && field != "key" {
			t.Errorf("InlineKey(%s, %s) = %q, %v; want %v", tc.group, tc.path, field, ok, tc.want)
		}
	}
}

func TestReadPolicyAndAIBackend(t *testing.T) {
	agw := decode(t, `{traffic: {rateLimit: {}, extAuth: {}}, backend: {ai: {routes: {/v1/embeddings: Embeddings}}}}`)
	for _, tc := range []struct{ apiVersion, kind, want string }{
		{"agentgateway.dev/v1alpha1", "AgentgatewayPolicy", `{"RateLimit":true,"AIRoutes":true,"Singular":["traffic.rateLimit","traffic.extAuth","backend.ai"]} true`},
		{"other.dev/v1", "AgentgatewayPolicy", `{"RateLimit":true,"AIRoutes":true,"Singular":null} true`},
		{"gateway.kgateway.dev/v1alpha1", "TrafficPolicy", `{"RateLimit":false,"AIRoutes":false,"Singular":null} true`},
		{"gateway.kgateway.dev/v1alpha1", "Backend", `{"RateLimit":false,"AIRoutes":false,"Singular":null} false`},
	} {
		p, ok := dataplane.ReadPolicy(tc.apiVersion, tc.kind, agw)
		got, _ := json.Marshal(p)
		if s := fmt.Sprintf("%s %v", got, ok); s != tc.want {
			t.Errorf("ReadPolicy(%s, %s) = %s, want %s", tc.apiVersion, tc.kind, s, tc.want)
		}
	}
	if p, _ := dataplane.ReadPolicy("gateway.kgateway.dev/v1alpha1", "TrafficPolicy", decode(t, `{rateLimit: {}}`)); !p.RateLimit {
		t.Error("TrafficPolicy spec.rateLimit not read as a rate limit")
	}
	for _, tc := range []struct {
		apiVersion, kind, spec string
		ai, mapped             bool
	}{
		{"agentgateway.dev/v1alpha1", "AgentgatewayBackend", `{ai: {}}`, true, false},
		{"agentgateway.dev/v1alpha1", "AgentgatewayBackend", `{ai: {}, policies: {ai: {routes: {/models: Passthrough}}}}`, true, true},
		{"agentgateway.dev/v1alpha1", "AgentgatewayBackend", `{mcp: {}}`, false, false},
		{"agentgateway.dev/v1alpha1", "AgentgatewayPolicy", `{ai: {}}`, false, false},
		{"gateway.kgateway.dev/v1alpha1", "Backend", `{ai: {}}`, false, false},
	} {
		ai, mapped := dataplane.AIBackend(tc.apiVersion, tc.kind, decode(t, tc.spec))
		if ai != tc.ai || mapped != tc.mapped {
			t.Errorf("AIBackend(%s, %s, %s) = %v, %v; want %v, %v", tc.apiVersion, tc.kind, tc.spec, ai, mapped, tc.ai, tc.mapped)
		}
	}
}

func TestTutorialRateLimit(t *testing.T) {
	for _, tc := range []struct{ target, kind, note, yaml string }{
		{templates.KgatewayV21, "TrafficPolicy (spec.rateLimit.local.tokenBucket)", "(a token bucket: 60 requests, refilled with 60 every minute)", `apiVersion: gateway.kgateway.dev/v1alpha1
kind: TrafficPolicy
metadata:
  name: chat-rate-limit
  namespace: ai
spec:
  rateLimit:
    local:
      tokenBucket:
        fillInterval: 1m
        maxTokens: 60
        tokensPerFill: 60
  targetRefs:
  - group: gateway.networking.k8s.io
    kind: HTTPRoute
    name: chat
`},
		{templates.Agentgateway, "AgentgatewayPolicy (spec.traffic.rateLimit.local)", "", `apiVersion: agentgateway.dev/v1alpha1
kind: AgentgatewayPolicy
metadata:
  name: chat-rate-limit
  namespace: ai
spec:
  targetRefs:
  - group: gateway.networking.k8s.io
    kind: HTTPRoute
    name: chat
  traffic:
    rateLimit:
      local:
      - requests: 60
        unit: Minutes
`},
	} {
		a, err := dataplane.Lookup(tc.target)
		if err != nil {
			t.Fatal(err)
		}
		if got := a.RateLimitKind(); got != tc.kind {
			t.Errorf("%s: RateLimitKind() = %q, want %q", tc.target, got, tc.kind)
		}
		obj, note, err := dataplane.TutorialRateLimit(tc.target, "ai", "chat", "60/minute")
		if err != nil {
			t.Fatal(err)
		}
		if note != tc.note {
			t.Errorf("%s: note = %q, want %q", tc.target, note, tc.note)
		}
		out, err := dataplane.EncodeYAML(obj)
		if err != nil {
			t.Fatal(err)
		}
		if string(out) != tc.yaml {
			t.Errorf("%s: EncodeYAML =\n%s\nwant\n%s", tc.target, out, tc.yaml)
		}
		// generate writes manifests; a fix text must read the same.
		gen, err := generate.Encode([]generate.Object{{Object: obj}}, "yaml")
		if err != nil || !bytes.Equal(gen, out) {
			t.Errorf("%s: EncodeYAML differs from generate.Encode (%v):\n%s", tc.target, err, gen)
		}
	}
	if _, _, err := dataplane.TutorialRateLimit(templates.KgatewayV21, "ai", "chat", "60/fortnight"); err == nil {
		t.Error("TutorialRateLimit accepted the unit fortnight")
	}
	if _, _, err := dataplane.TutorialRateLimit("nginx", "ai", "chat", "60/minute"); err == nil {
		t.Error("TutorialRateLimit accepted an unknown target")
	}
}

func TestIsEnvMarker(t *testing.T) {
	for v, name := range map[string]string{"${OPENAI_API_KEY}": "OPENAI_API_KEY", " ${_K1} ": "_K1", "${a}": "a"} {
		if got, ok := dataplane.ParseEnvMarker(v); !ok || got != name {
			t.Errorf("ParseEnvMarker(%q) = %q, %v", v, got, ok)
		}
		if !dataplane.IsEnvMarker(v) {
			t.Errorf("IsEnvMarker(%q) = false", v)
		}
	}
	for _, v := range []string{"sk-123", "$OPENAI_API_KEY", "${1KEY}", "${KEY}x", "${}"} {
		if dataplane.IsEnvMarker(v) {
			t.Errorf("IsEnvMarker(%q) = true", v)
		}
	}
}
