package generate

import (
	"strings"
	"testing"

	"github.com/kubelb-ai/kubelb-ai/spec"
)

func clientsSpec(t *testing.T, doc string) *spec.AIGateway {
	t.Helper()
	f, err := spec.Parse("f.yaml", []byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	g := f.Gateway
	spec.Default(&g)
	if err := spec.Check(&g); err != nil {
		t.Fatal(err)
	}
	return &g
}

// KubeLB 1.5's agentgateway reads keys from another header and knows mode
// Permissive: both survive render -> parse -> render.
func TestRoundTripClientKeyHeader(t *testing.T) {
	g := clientsSpec(t, `apiVersion: kubelb-ai.dev/v1alpha1
kind: AIGateway
spec:
  kubelb: "1.5"
  providers: [{kind: anthropic}]
  clients:
    apiKeys: [{name: app, env: APP_KEY}]
    header: x-api-key
    mode: Permissive
  routes:
  - name: anthropic
    backends: [{providers: [anthropic]}]
    policies:
      rateLimit: {requests: 10, per: minute, scope: global, key: client}
`)
	roundTrip(t, g)
	objs, _ := Render(g)
	out, _ := Encode(objs, "yaml")
	for _, want := range []string{"location:\n        header:\n          name: x-api-key", "mode: Permissive", "expression: apiKey.client"} {
		if !strings.Contains(string(out), want) {
			t.Errorf("rendered manifests lack %q:\n%s", want, out)
		}
	}
}

// Manifests whose routes check clients differently read back with the
// first policy's checks and an issue naming both.
func TestParseDifferingClients(t *testing.T) {
	g := clientsSpec(t, `apiVersion: kubelb-ai.dev/v1alpha1
kind: AIGateway
spec:
  target: agentgateway
  providers: [{kind: openai}, {kind: anthropic}]
  clients:
    allow: ['jwt.sub == "a"']
`)
	objs, err := Render(g)
	if err != nil {
		t.Fatal(err)
	}
	out, _ := Encode(objs, "yaml")
	text := strings.Replace(string(out), `jwt.sub == "a"`, `jwt.sub == "b"`, 1)
	docs, err := DecodeManifests([]byte(text))
	if err != nil {
		t.Fatal(err)
	}
	parsed, issues, err := Parse("agentgateway", docs)
	if err != nil {
		t.Fatal(err)
	}
	if len(issues) != 1 || !strings.Contains(issues[0].String(), "its client checks differ from AgentgatewayPolicy/openai-traffic's") {
		t.Errorf("issues %v", issues)
	}
	if got := parsed.Spec.Clients.Allow; len(got) != 1 || got[0] != `jwt.sub == "b"` {
		t.Errorf("allow %q, want the first policy's", got)
	}
}

// A global limit whose ConfigMap is missing is an issue, and the limit is
// left out rather than read as zero.
func TestParseGlobalLimitWithoutConfigMap(t *testing.T) {
	g := clientsSpec(t, `apiVersion: kubelb-ai.dev/v1alpha1
kind: AIGateway
spec:
  target: kgateway-v2.1
  providers: [{kind: openai}]
  routes:
  - name: openai
    backends: [{providers: [openai]}]
    policies:
      rateLimit: {requests: 10, per: day, scope: global, key: source.address}
`)
	objs, err := Render(g)
	if err != nil {
		t.Fatal(err)
	}
	var kept []Object
	for _, o := range objs {
		if o.Kind() != "ConfigMap" {
			kept = append(kept, o)
		}
	}
	out, _ := Encode(kept, "yaml")
	docs, _ := DecodeManifests(out)
	parsed, issues, err := Parse("kgateway-v2.1", docs)
	if err != nil {
		t.Fatal(err)
	}
	if len(issues) != 1 || !strings.Contains(issues[0].String(), "global request limit has no descriptor") {
		t.Errorf("issues %v", issues)
	}
	if p := parsed.Spec.Routes[0].Policies; p != nil && p.RateLimit != nil {
		t.Errorf("limit read as %+v", p.RateLimit)
	}
	if err := spec.Check(parsed); err != nil {
		t.Errorf("parsed Spec fails Check: %v", err)
	}
}
