package generate

import (
	"strings"
	"testing"
)

// A hand-written KubeLB 1.2 tutorial-style set for kgateway v2.0: a literal
// key, a URL rewrite, the non-existent RateLimitPolicy kind and a webhook
// guard. Parse must keep what it can and report the rest.
const handWritten = `apiVersion: v1
kind: Secret
metadata: {name: openai-secret, namespace: kubelb}
stringData:
  Authorization: Bearer sk-live-DO-NOT-LEAK-0123456789
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: ai-gateway, namespace: kubelb}
spec:
  gatewayClassName: kgateway
  infrastructure:
    parametersRef: {group: gateway.kgateway.dev, kind: GatewayParameters, name: ai-gateway}
  listeners:
  - {name: http, port: 8080, protocol: HTTP, allowedRoutes: {namespaces: {from: All}}}
---
apiVersion: gateway.kgateway.dev/v1alpha1
kind: GatewayParameters
metadata: {name: ai-gateway, namespace: kubelb}
spec:
  kube:
    aiExtension:
      enabled: true
      image: {registry: cr.kgateway.dev/kgateway-dev, repository: kgateway-ai-extension, tag: v2.1.0-main}
    service: {type: LoadBalancer}
---
apiVersion: gateway.kgateway.dev/v1alpha1
kind: Backend
metadata: {name: openai, namespace: kubelb}
spec:
  type: AI
  ai:
    llm:
      provider:
        openai:
          authToken: {kind: SecretRef, secretRef: {name: openai-secret}}
          model: gpt-3.5-turbo
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: openai, namespace: kubelb}
spec:
  parentRefs: [{name: ai-gateway}]
  rules:
  - matches: [{path: {type: PathPrefix, value: /openai}}]
    filters:
    - type: URLRewrite
      urlRewrite: {path: {type: ReplaceFullPath, replaceFullPath: /v1/chat/completions}}
    backendRefs: [{group: gateway.kgateway.dev, kind: Backend, name: openai}]
---
apiVersion: gateway.kgateway.dev/v1alpha1
kind: RateLimitPolicy
metadata: {name: openai-ratelimit, namespace: kubelb}
spec:
  targetRef: {kind: HTTPRoute, name: openai}
  limits: [{requests: 100, unit: hour}]
---
apiVersion: gateway.kgateway.dev/v1alpha1
kind: TrafficPolicy
metadata: {name: guard, namespace: kubelb}
spec:
  targetRefs: [{group: gateway.networking.k8s.io, kind: HTTPRoute, name: openai}]
  ai:
    promptGuard:
      request:
        webhook: {host: {host: guard.svc, port: 8000}}
        regex: {action: REJECT, matches: [{pattern: "credit card", name: cc}]}
`

func TestParseReportsWhatItCannotRepresent(t *testing.T) {
	docs, err := DecodeManifests([]byte(handWritten))
	if err != nil {
		t.Fatal(err)
	}
	g, issues, err := Parse("kgateway-v2.0", docs)
	if err != nil {
		t.Fatal(err)
	}
	var text []string
	for _, i := range issues {
		text = append(text, i.String())
	}
	all := strings.Join(text, "\n")
	for _, want := range []string{
		"Secret/openai-secret: holds a literal key",
		"GatewayParameters/ai-gateway: AI extension image tag v2.1.0-main is replaced by the release tag v2.0.4",
		"HTTPRoute/openai: rule filters (e.g. URL rewrites) are not represented",
		"RateLimitPolicy/openai-ratelimit: gateway.kgateway.dev/v1alpha1 RateLimitPolicy is not part of a kgateway-v2.0 AI gateway",
		"TrafficPolicy/guard: names of regex matches are not represented",
		// The webhook is kept (TestImportKeepsWebhooks).
	} {
		if !strings.Contains(all, want) {
			t.Errorf("issues lack %q; got:\n%s", want, all)
		}
	}
	if strings.Contains(all, "sk-live") {
		t.Errorf("an issue echoes the literal key:\n%s", all)
	}
	s := g.Spec
	if len(s.Providers) != 1 || s.Providers[0].Model != "gpt-3.5-turbo" || s.Providers[0].Auth.Env != "OPENAI_API_KEY" {
		t.Errorf("provider: %+v", s.Providers)
	}
	if len(s.Routes) != 1 || s.Routes[0].Path != "/openai" || s.Routes[0].Policies == nil ||
		s.Routes[0].Policies.PromptGuard.Request[0].Action != "reject" || s.Routes[0].Policies.PromptGuard.Request[0].Patterns[0] != "credit card" {
		t.Errorf("route: %+v", s.Routes)
	}
}

func TestParseRejectsUnknownFieldsOfKnownKinds(t *testing.T) {
	docs, err := DecodeManifests([]byte(`apiVersion: gateway.kgateway.dev/v1alpha1
kind: Backend
metadata: {name: openai, namespace: kubelb}
spec:
  type: AI
  ai:
    llm:
      openai:
        authToken: {kind: SecretRef, secretRef: {name: s, namespace: other}}
`))
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := Parse("kgateway-v2.1", docs); err == nil || !strings.Contains(err.Error(), `unknown field "namespace"`) {
		t.Fatalf("want the unknown secretRef.namespace reported, got %v", err)
	}
}

func TestDecodeManifestsUnwrapsListsAndSkipsEmptyDocuments(t *testing.T) {
	docs, err := DecodeManifests([]byte("---\n---\n{\"apiVersion\":\"v1\",\"kind\":\"List\",\"items\":[{\"kind\":\"A\"},{\"kind\":\"B\"}]}\n---\nkind: C\n"))
	if err != nil || len(docs) != 3 || docs[2]["kind"] != "C" {
		t.Fatalf("got %v, %v", docs, err)
	}
	if _, err := DecodeManifests([]byte("kind: [unclosed\n")); err == nil {
		t.Fatal("malformed YAML accepted")
	}
}
