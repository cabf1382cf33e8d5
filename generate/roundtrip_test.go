package generate

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/kubelb-ai/kubelb-ai/spec"
	"github.com/kubelb-ai/kubelb-ai/templates"
)

// roundTrip renders g, parses the YAML back for the same target and renders
// again; it fails unless both renderings are identical and nothing was lost.
func roundTrip(t *testing.T, g *spec.AIGateway) {
	t.Helper()
	objs, err := Render(g)
	if err != nil {
		t.Fatalf("Render: %v", err)
	}
	first, err := Encode(objs, "yaml")
	if err != nil {
		t.Fatal(err)
	}
	docs, err := DecodeManifests(first)
	if err != nil {
		t.Fatalf("DecodeManifests: %v", err)
	}
	parsed, issues, err := Parse(g.Spec.Target, docs)
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	if len(issues) > 0 {
		t.Fatalf("Parse of kubelb-ai's own output reported issues: %v", issues)
	}
	if err := spec.Check(parsed); err != nil {
		t.Fatalf("parsed Spec fails Check: %v", err)
	}
	again, err := Render(parsed)
	if err != nil {
		t.Fatalf("Render of parsed Spec: %v", err)
	}
	second, err := Encode(again, "yaml")
	if err != nil {
		t.Fatal(err)
	}
	if string(first) != string(second) {
		specYAML, _ := spec.Marshal(parsed)
		t.Fatalf("render -> parse -> render changed the manifests:\n--- first\n%s\n--- second\n%s\n--- parsed spec\n%s", first, second, specYAML)
	}
}

func TestRoundTripFixtures(t *testing.T) {
	for _, target := range templates.TargetNames() {
		for _, path := range specFixtures(t) {
			t.Run(target+"/"+caseName(path), func(t *testing.T) {
				g, _, err := renderCase(t, path, target)
				if err != nil {
					t.Skipf("not expressible on %s", target)
				}
				roundTrip(t, g)
			})
		}
	}
}

// TestRoundTripProperty checks the identity on randomly built Specs: random
// providers, models, auth, failover chains, limits, guards and gateway
// settings, for every target. Seeds are fixed so failures reproduce.
func TestRoundTripProperty(t *testing.T) {
	const cases = 150
	tried, traced := map[string]int{}, map[string]int{}
	for _, tg := range templates.Targets() {
		for seed := uint64(0); seed < cases; seed++ {
			rng := rand.New(rand.NewPCG(seed, 0x6b75626c6261))
			o := randomOptions(rng, tg)
			g, err := o.Build()
			if err != nil {
				t.Fatalf("%s seed %d: Build: %v (%+v)", tg.Name, seed, err, o)
			}
			if err := spec.Check(g); err != nil {
				continue // the generator may pick what the target cannot express
			}
			tried[tg.Name]++
			if g.Spec.Observability != nil {
				traced[tg.Name]++
			}
			t.Run(fmt.Sprintf("%s/seed-%d", tg.Name, seed), func(t *testing.T) { roundTrip(t, g) })
		}
	}
	for _, tg := range templates.Targets() {
		if tried[tg.Name] < cases/2 {
			t.Errorf("only %d of %d random Specs were valid for %s; the generator no longer exercises it", tried[tg.Name], cases, tg.Name)
		}
		if tg.Features.Tracing && traced[tg.Name] < cases/10 {
			t.Errorf("only %d valid random Specs for %s traced; the generator no longer exercises tracing", traced[tg.Name], tg.Name)
		}
	}
}

func randomOptions(rng *rand.Rand, tg templates.Target) spec.Options {
	pick := func(xs []string) string { return xs[rng.IntN(len(xs))] }
	o := spec.Options{Target: tg.Name, Models: map[string]string{}, APIKeyEnv: map[string]string{}, Auth: map[string]string{}, Hosts: map[string]string{}}
	kinds := slices.Clone(tg.Providers)
	rng.Shuffle(len(kinds), func(i, j int) { kinds[i], kinds[j] = kinds[j], kinds[i] })
	o.Providers = kinds[:1+rng.IntN(len(kinds))]
	for _, k := range o.Providers {
		c, _ := templates.LookupProvider(k)
		if rng.IntN(3) == 0 && len(c.Models) > 0 {
			o.Models[k] = pick(c.Models)
		}
		switch rng.IntN(5) {
		case 0:
			o.APIKeyEnv[k] = strings.ToUpper(k) + "_TEAM_KEY"
		case 1:
			if k != "bedrock" {
				o.Auth[k] = spec.AuthPassthrough
			}
		}
		if rng.IntN(5) == 0 && (k == "openai" || k == "ollama" || k == "anthropic") {
			o.Hosts[k] = fmt.Sprintf("%s.mirror.svc:%d", k, 8000+rng.IntN(1000))
		}
		switch k {
		case "azureopenai":
			o.AzureEndpoint, o.AzureDeployment = "res.openai.azure.com", "dep-"+pick([]string{"a", "b"})
		case "vertexai":
			o.VertexProject = "proj"
			if rng.IntN(2) == 0 {
				o.VertexLocation = "europe-west4"
			}
		case "bedrock":
			if rng.IntN(2) == 0 {
				o.BedrockRegion = "eu-west-1"
			}
		}
	}
	if len(o.Providers) >= 2 && rng.IntN(2) == 0 {
		n := 2 + rng.IntN(len(o.Providers)-1)
		o.Failover = slices.Clone(o.Providers[:n])
		if !tg.Features.MixedFailover {
			// Keep the chain to one wire format so kgateway can express it.
			o.Failover = slices.DeleteFunc(o.Failover, func(k string) bool { return spec.WireKind(k) != spec.WireKind(o.Failover[0]) })
			if len(o.Failover) < 2 {
				o.Failover = nil
			}
		}
	}
	if rng.IntN(2) == 0 {
		o.RateLimit = fmt.Sprintf("%d/%s", 1+rng.IntN(1000), pick([]string{"second", "minutes", "hour"}))
	}
	if tg.Features.TokenRateLimit && rng.IntN(2) == 0 {
		o.TokenLimit = fmt.Sprintf("%d/hour", 1000+rng.IntN(100000))
	}
	switch rng.IntN(4) {
	case 0:
		o.Guards = []string{"mask=CREDIT_CARD,EMAIL"}
	case 1:
		o.Guards = []string{"reject=(?i)secret", "reject=\\d{16}"}
	case 2:
		if tg.Features.GuardListPerDirection {
			o.Guards = []string{"mask=SSN,PHONE_NUMBER", "reject=password"}
		}
	}
	if rng.IntN(3) == 0 {
		o.Namespace, o.Gateway, o.Port = "team-"+pick([]string{"a", "b"}), "gw-"+pick([]string{"x", "y"}), int32(1024+rng.IntN(60000))
	}
	if rng.IntN(3) == 0 {
		o.ServiceType = pick([]string{"ClusterIP", "NodePort", "LoadBalancer"})
	}
	// Drawn last, so the seeds above keep the Specs they had.
	if tg.Features.Tracing && rng.IntN(3) == 0 {
		o.TracingEndpoint = pick([]string{"otel-collector.observability:4317", "collector:4317"})
		o.TracingSampling = pick([]string{"", "0", "0.05", "0.5", "1"})
		if tg.Features.TracingHTTP && rng.IntN(2) == 0 {
			o.TracingEndpoint, o.TracingProtocol = "otel-collector.observability:4318", "http"
		}
	}
	return o
}

// TestParseRouteTypes: a backend's policies.ai.routes reads back as the
// route's routeTypes only where it differs from the route's default.
func TestParseRouteTypes(t *testing.T) {
	parsed := func(t *testing.T, fixture string) *spec.AIGateway {
		t.Helper()
		g, objs, err := renderCase(t, filepath.Join(specDir, fixture), templates.Agentgateway)
		if err != nil {
			t.Fatal(err)
		}
		roundTrip(t, g)
		out, _ := Encode(objs, "yaml")
		docs, _ := DecodeManifests(out)
		p, issues, err := Parse(templates.Agentgateway, docs)
		if err != nil || len(issues) > 0 {
			t.Fatalf("Parse: %v %v", err, issues)
		}
		return p
	}
	p := parsed(t, "route-types.yaml")
	got, _ := json.Marshal(map[string]any{"kubelb": p.Spec.KubeLB, "openai": p.Spec.Routes[0].RouteTypes, "mistral": p.Spec.Routes[1].RouteTypes})
	want := `{"kubelb":"","mistral":null,"openai":{"*":"Passthrough","/chat/completions":"Completions","/embeddings":"Embeddings","/models":"Passthrough","/realtime":"Realtime"}}`
	if string(got) != want {
		t.Errorf("route-types.yaml parsed as\n%s\nwant\n%s", got, want)
	}
	p = parsed(t, "kubelb15-rerank.yaml")
	got, _ = json.Marshal(map[string]any{"kubelb": p.Spec.KubeLB, "openai": p.Spec.Routes[0].RouteTypes, "guarded": p.Spec.Routes[1].RouteTypes})
	if want := `{"guarded":null,"kubelb":"1.5","openai":null}`; string(got) != want {
		t.Errorf("kubelb15-rerank.yaml parsed as %s, want %s (a Rerank entry means KubeLB 1.5)", got, want)
	}

	// Backends of one route with different maps: the first wins, reported.
	// A backend without routes takes the default.
	manifests := `apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: chat, namespace: kubelb}
spec:
  rules:
  - matches: [{path: {type: PathPrefix, value: /chat}}]
    backendRefs:
    - {group: agentgateway.dev, kind: AgentgatewayBackend, name: a, weight: 1}
    - {group: agentgateway.dev, kind: AgentgatewayBackend, name: b, weight: 1}
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: plain, namespace: kubelb}
spec:
  rules:
  - matches: [{path: {type: PathPrefix, value: /plain}}]
    backendRefs: [{group: agentgateway.dev, kind: AgentgatewayBackend, name: c}]
---
apiVersion: agentgateway.dev/v1alpha1
kind: AgentgatewayBackend
metadata: {name: a, namespace: kubelb}
spec:
  ai: {provider: {openai: {model: gpt-4o}}}
  policies: {ai: {routes: {/v1/chat/completions: Completions}}}
---
apiVersion: agentgateway.dev/v1alpha1
kind: AgentgatewayBackend
metadata: {name: b, namespace: kubelb}
spec:
  ai: {provider: {openai: {model: gpt-4o}}}
  policies: {ai: {routes: {/v1/responses: Responses}}}
---
apiVersion: agentgateway.dev/v1alpha1
kind: AgentgatewayBackend
metadata: {name: c, namespace: kubelb}
spec:
  ai: {provider: {openai: {model: gpt-4o}}}
`
	docs, err := DecodeManifests([]byte(manifests))
	if err != nil {
		t.Fatal(err)
	}
	g, issues, err := Parse(templates.Agentgateway, docs)
	if err != nil {
		t.Fatal(err)
	}
	if len(issues) != 1 || issues[0].String() != "HTTPRoute/chat: its backends map paths to different route types; the Spec has one map per route, the first backend's" {
		t.Errorf("issues = %v", issues)
	}
	got, _ = json.Marshal(map[string]any{"chat": g.Spec.Routes[0].RouteTypes, "plain": g.Spec.Routes[1].RouteTypes, "plainPolicies": g.Spec.Routes[1].Policies})
	if want := `{"chat":{"/v1/chat/completions":"Completions"},"plain":null,"plainPolicies":null}`; string(got) != want {
		t.Errorf("parsed %s, want %s", got, want)
	}
}
