package validate

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kubelb-ai/kubelb-ai/templates"
	"github.com/kubelb-ai/kubelb-ai/validate/loader"
)

const refsKgateway = `apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: gw, namespace: ai}
spec:
  gatewayClassName: kgateway
  listeners:
  - {name: http, port: 8080, protocol: HTTP, allowedRoutes: {namespaces: {from: Same}}}
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: chat, namespace: ai}
spec:
  parentRefs:
  - {name: gw, sectionName: https}
  - {name: missing-gw}
  rules:
  - backendRefs:
    - {group: gateway.kgateway.dev, kind: Backend, name: mixed}
    - {group: gateway.kgateway.dev, kind: Backend, name: elsewhere, namespace: other}
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: outsider, namespace: team}
spec:
  parentRefs: [{name: gw, namespace: ai}]
  rules: [{backendRefs: [{name: svc, port: 80}]}]
---
apiVersion: gateway.kgateway.dev/v1alpha1
kind: Backend
metadata: {name: mixed, namespace: ai}
spec:
  type: AI
  ai:
    priorityGroups:
    - providers: [{name: a, openai: {authToken: {kind: SecretRef, secretRef: {name: keys}}}}]
    - providers: [{name: b, anthropic: {authToken: {kind: SecretRef, secretRef: {name: keys}}}}]
---
apiVersion: v1
kind: Secret
metadata: {name: keys, namespace: ai}
stringData:
  authorization: sk-proj-abcdefghijklmnopqrstuvwxyz012345
---
apiVersion: v1
kind: Secret
metadata: {name: keys, namespace: ai}
stringData: {Authorization: "${OPENAI_API_KEY}"}
`

func TestReferenceAndLintRules(t *testing.T) {
	p := filepath.Join(t.TempDir(), "refs.yaml")
	os.WriteFile(p, []byte(refsKgateway), 0o644)
	r := validateFiles(t, templates.KgatewayV21, p)
	got := findingsText(r)
	for _, want := range []string{
		`refs.yaml:14:5: warning: Gateway ai/gw has no listener matching sectionName "https" port <nil> (listeners: http:8080) [ref-invalid]`,
		`refs.yaml:15:5: warning: parent Gateway ai/missing-gw is not among the inputs [ref-unresolved]`,
		`backend gateway.kgateway.dev/Backend other/elsewhere is not among the inputs [ref-unresolved]`,
		`backendRef crosses from namespace ai to other without a ReferenceGrant in other admitting HTTPRoutes from ai [ref-grant]`,
		`listener http of Gateway ai/gw only admits routes from its own namespace (allowedRoutes: Same), this route is in team [ref-invalid]`,
		`refs.yaml:36:19: warning: the Envoy AI extension rejects a backend whose providers differ in type (openai, then anthropic): requests to this route fail [failover-mixed]`,
		`refs.yaml:35:67: warning: Secret ai/keys has no non-empty key "Authorization", which the data plane reads [ref-secret-key]`,
		`Secret keys is defined twice (first at`,
		`refs.yaml:11:12: warning: this route to an LLM has no rate limit`,
		`refs.yaml:42:3: warning: the Secret holds a literal credential in authorization; manifests end up in git and CI logs [inline-key]`,
	} {
		if !strings.Contains(got, want) {
			t.Errorf("findings lack %q:\n%s", want, got)
		}
	}
	if r.Errors() != 0 {
		t.Errorf("reference findings must be warnings without --strict:\n%s", got)
	}
	if strings.Contains(got, "abcdefghijklmnop") {
		t.Errorf("a finding echoes the literal key:\n%s", got)
	}

	strict, _ := New(Options{Target: templates.KgatewayV21, Strict: true, Disable: []string{RuleNoRateLimit}})
	sr := strict.Validate(context.Background(), loader.Load([]string{p}, nil))
	if sr.Errors() == 0 || strings.Contains(findingsText(sr), "no-rate-limit") {
		t.Errorf("--strict must make reference findings errors, --disable must drop the rule:\n%s", findingsText(sr))
	}
	if _, err := New(Options{Target: templates.KgatewayV21, Disable: []string{"no-such-rule"}}); err == nil {
		t.Error("an unknown rule ID was accepted")
	}
}

func TestAgentgatewayKeysNeverEchoed(t *testing.T) {
	doc := `apiVersion: agentgateway.dev/v1alpha1
kind: AgentgatewayBackend
metadata: {name: openai, namespace: kubelb}
spec:
  ai: {provider: {openai: {model: gpt-4o}}}
  policies: {auth: {secretRef: {name: openai-secret}}}
---
apiVersion: v1
kind: Secret
metadata: {name: openai-secret, namespace: kubelb}
stringData:
  Authorization: Bearer sk-proj-SECRETSECRETSECRET
`
	p := filepath.Join(t.TempDir(), "k.yaml")
	os.WriteFile(p, []byte(doc), 0o644)
	got := findingsText(validateFiles(t, templates.Agentgateway, p))
	for _, want := range []string{"[inline-key]", "[bearer-prefix]"} {
		if !strings.Contains(got, want) {
			t.Errorf("findings lack %s:\n%s", want, got)
		}
	}
	if strings.Contains(got, "SECRETSECRET") {
		t.Fatalf("a finding echoes the key:\n%s", got)
	}
}

func TestPolicyConflictAndSuppression(t *testing.T) {
	doc := `apiVersion: agentgateway.dev/v1alpha1
kind: AgentgatewayPolicy
metadata: {name: a, namespace: kubelb}
spec:
  targetRefs: [{group: gateway.networking.k8s.io, kind: HTTPRoute, name: r}]
  traffic: {rateLimit: {local: [{requests: 5, unit: Minutes}]}}
---
apiVersion: agentgateway.dev/v1alpha1
kind: AgentgatewayPolicy
metadata: {name: b, namespace: kubelb}
spec:
  targetRefs: [{group: gateway.networking.k8s.io, kind: HTTPRoute, name: r}]
  traffic: {rateLimit: {local: [{tokens: 500, unit: Hours}]}}
`
	p := filepath.Join(t.TempDir(), "p.yaml")
	os.WriteFile(p, []byte(doc), 0o644)
	got := findingsText(validateFiles(t, templates.Agentgateway, p))
	if !strings.Contains(got, "p.yaml:13:13: warning: HTTPRoute r already gets traffic.rateLimit from AgentgatewayPolicy kubelb/a") {
		t.Errorf("findings:\n%s", got)
	}
	suppressedDoc := strings.Replace(doc, "  traffic: {rateLimit: {local: [{tokens", "  # kubelb-ai:ignore=policy-conflict\n  traffic: {rateLimit: {local: [{tokens", 1)
	os.WriteFile(p, []byte(suppressedDoc), 0o644)
	got = findingsText(validateFiles(t, templates.Agentgateway, p))
	if strings.Contains(got, "policy-conflict") || !strings.Contains(got, "ref-unresolved") {
		t.Errorf("the ignore comment must suppress policy-conflict only:\n%s", got)
	}
}

func TestTutorialDevImage(t *testing.T) {
	got := findingsText(validateFiles(t, templates.KgatewayV20, tutorial))
	if !strings.Contains(got, `kubelb-1.2-aigateway.yaml:39:9: warning: image tag "v2.1.0-main" is a development build, not a release [dev-image] fix: pin the release kgateway-v2.0 ships: tag: v2.0.4`) {
		t.Errorf("findings:\n%s", got)
	}
}

func TestNoRouteTypes(t *testing.T) {
	doc := `apiVersion: agentgateway.dev/v1alpha1
kind: AgentgatewayBackend
metadata: {name: bare, namespace: kubelb}
spec:
  ai: {provider: {openai: {model: gpt-4o}}}
---
apiVersion: agentgateway.dev/v1alpha1
kind: AgentgatewayBackend
metadata: {name: mapped, namespace: kubelb}
spec:
  ai: {provider: {openai: {model: gpt-4o}}}
  policies: {ai: {routes: {/v1/chat/completions: Completions, /v1/responses: Responses}}}
---
apiVersion: agentgateway.dev/v1alpha1
kind: AgentgatewayBackend
metadata: {name: via-route, namespace: kubelb}
spec:
  ai: {provider: {anthropic: {model: claude-sonnet-4-5}}}
---
apiVersion: agentgateway.dev/v1alpha1
kind: AgentgatewayBackend
metadata: {name: via-policy, namespace: kubelb}
spec:
  ai: {provider: {gemini: {model: gemini-2.5-flash}}}
---
apiVersion: agentgateway.dev/v1alpha1
kind: AgentgatewayBackend
metadata: {name: guard-only, namespace: kubelb}
spec:
  ai: {provider: {openai: {model: gpt-4o}}}
  policies: {ai: {promptGuard: {request: [{regex: {action: Reject, matches: [x]}}]}}}
---
apiVersion: agentgateway.dev/v1alpha1
kind: AgentgatewayBackend
metadata: {name: static, namespace: kubelb}
spec:
  static: {host: example.com, port: 80}
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: chat, namespace: kubelb}
spec:
  rules:
  - backendRefs:
    - {group: agentgateway.dev, kind: AgentgatewayBackend, name: via-route}
---
apiVersion: agentgateway.dev/v1alpha1
kind: AgentgatewayPolicy
metadata: {name: route-types, namespace: kubelb}
spec:
  targetRefs: [{group: gateway.networking.k8s.io, kind: HTTPRoute, name: chat}]
  backend: {ai: {routes: {/v1/messages: Messages}}}
---
apiVersion: agentgateway.dev/v1alpha1
kind: AgentgatewayPolicy
metadata: {name: backend-types, namespace: kubelb}
spec:
  targetRefs: [{group: agentgateway.dev, kind: AgentgatewayBackend, name: via-policy}]
  backend: {ai: {routes: {/v1/embeddings: Embeddings}}}
---
apiVersion: agentgateway.dev/v1alpha1
kind: AgentgatewayPolicy
metadata: {name: no-types, namespace: kubelb}
spec:
  targetRefs: [{group: agentgateway.dev, kind: AgentgatewayBackend, name: guard-only}]
  backend: {ai: {defaults: [{field: temperature, value: 0}]}}
`
	p := filepath.Join(t.TempDir(), "r.yaml")
	os.WriteFile(p, []byte(doc), 0o644)
	var got []string
	for _, line := range strings.Split(findingsText(validateFiles(t, templates.Agentgateway, p)), "\n") {
		if strings.Contains(line, "[no-route-types]") {
			got = append(got, line)
		}
	}
	const fix = " [no-route-types] fix: map them in policies.ai.routes, e.g. /responses: Responses, /embeddings: Embeddings, /models: Passthrough (kubelb-ai generate does)"
	const msg = ": warning: every path is handled as chat completions: Responses, embeddings, token counting and model list calls fail" + fix
	want := []string{"r.yaml:5:3" + msg, "r.yaml:30:3" + msg}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("no-route-types findings:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}

	off, _ := New(Options{Target: templates.Agentgateway, Disable: []string{RuleNoRouteTypes}})
	if got := findingsText(off.Validate(context.Background(), loader.Load([]string{p}, nil))); strings.Contains(got, "no-route-types") {
		t.Errorf("--disable no-route-types left findings:\n%s", got)
	}
}
