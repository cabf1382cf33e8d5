package generate

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/kubelb-ai/kubelb-ai/dataplane"
	"github.com/kubelb-ai/kubelb-ai/internal/objpath"
	"github.com/kubelb-ai/kubelb-ai/spec"
	"github.com/kubelb-ai/kubelb-ai/templates"
)

// webhookSpec is a one-provider gateway whose route has a regex guard and
// a guard webhook in each direction, in the form the target takes.
func webhookSpec(t *testing.T, target string, hooks spec.GuardWebhooks) *spec.AIGateway {
	t.Helper()
	g, err := spec.Options{Target: target, Providers: []string{"openai"}}.Build()
	if err != nil {
		t.Fatal(err)
	}
	g.Spec.Routes[0].Policies = &spec.Policies{PromptGuard: &spec.PromptGuard{
		Request: []spec.GuardRule{{Action: spec.GuardMask, Builtins: []string{"EMAIL"}}},
		Webhook: &hooks,
	}}
	spec.Default(g)
	if err := spec.Check(g); err != nil {
		t.Fatal(err)
	}
	return g
}

// A guard webhook survives render -> parse -> render on every target, as
// a Service and, where the target reaches any host, as a host.
func TestRoundTripWebhooks(t *testing.T) {
	service := &spec.Webhook{Service: "guard", Port: 8000, ForwardHeaders: []spec.HeaderMatch{{Name: "x-team", Value: "blue"}}}
	elsewhere := &spec.Webhook{Service: "guard", Namespace: "guards", Port: 9000,
		ForwardHeaders: []spec.HeaderMatch{{Name: "x-tenant", Value: "a.*", Type: spec.HeaderRegex}}}
	host := &spec.Webhook{Host: "guard.example.com", Port: 80}
	for _, target := range templates.TargetNames() {
		t.Run(target, func(t *testing.T) {
			roundTrip(t, webhookSpec(t, target, spec.GuardWebhooks{Request: service, Response: elsewhere}))
			roundTrip(t, webhookSpec(t, target, spec.GuardWebhooks{Response: service}))
			if facts(target).Features.WebhookHost {
				roundTrip(t, webhookSpec(t, target, spec.GuardWebhooks{Request: host, Response: host}))
			}
		})
	}
}

// Each target renders the webhook in its own terms: kgateway a host (a
// Service's cluster DNS name), v2.0 forwardHeaders and v2.1
// forwardHeaderMatches; agentgateway a Service backendRef after the regex
// rule.
func TestRenderWebhooks(t *testing.T) {
	hooks := spec.GuardWebhooks{Request: &spec.Webhook{Service: "guard", Port: 8000, ForwardHeaders: []spec.HeaderMatch{{Name: "x-team", Value: "blue"}}}}
	for _, tc := range []struct {
		target, kind string
		path         []string
		want         string
	}{
		{templates.KgatewayV20, "TrafficPolicy", []string{"spec", "ai", "promptGuard", "request", "webhook"},
			`{"forwardHeaders":[{"name":"x-team","value":"blue"}],"host":{"host":"guard.kubelb.svc.cluster.local","port":8000}}`},
		{templates.KgatewayV21, "TrafficPolicy", []string{"spec", "ai", "promptGuard", "request", "webhook"},
			`{"forwardHeaderMatches":[{"name":"x-team","value":"blue"}],"host":{"host":"guard.kubelb.svc.cluster.local","port":8000}}`},
		{templates.Agentgateway, "AgentgatewayBackend", []string{"spec", "policies", "ai", "promptGuard", "request"},
			`[{"regex":{"action":"Mask","builtins":["Email"]}},{"webhook":{"backendRef":{"name":"guard","port":8000},"forwardHeaderMatches":[{"name":"x-team","value":"blue"}]}}]`},
	} {
		t.Run(tc.target, func(t *testing.T) {
			objs, err := Render(webhookSpec(t, tc.target, hooks))
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, o := range objs {
				m, err := dataplane.ToMap(o.Object)
				if err != nil {
					t.Fatal(err)
				}
				if m["kind"] == tc.kind {
					if v := objpath.Get(m, tc.path...); v != nil {
						b, _ := json.Marshal(v)
						got = append(got, string(b))
					}
				}
			}
			if len(got) != 1 || got[0] != tc.want {
				t.Errorf("webhook rendered as %s, want %s", got, tc.want)
			}
		})
	}
}

// Importing manifests with guard webhooks keeps them in the Spec: no
// issue reports them lost, on either data plane's shape.
func TestImportKeepsWebhooks(t *testing.T) {
	docs, err := DecodeManifests([]byte(handWritten))
	if err != nil {
		t.Fatal(err)
	}
	in, err := Import(docs, templates.KgatewayV20)
	if err != nil {
		t.Fatal(err)
	}
	for _, is := range in.Issues {
		if strings.Contains(is.Message, "webhook") {
			t.Errorf("import reports the webhook: %s", is)
		}
	}
	req, resp := in.Gateway.Spec.Routes[0].Policies.PromptGuard.Webhooks()
	if req == nil || req.Host != "guard.svc" || req.Port != 8000 || resp != nil {
		t.Errorf("webhooks read: %+v, %+v", req, resp)
	}

	const agw = `apiVersion: agentgateway.dev/v1alpha1
kind: AgentgatewayPolicy
metadata: {name: guard, namespace: kubelb}
spec:
  targetRefs: [{group: gateway.networking.k8s.io, kind: HTTPRoute, name: openai}]
  backend:
    ai:
      promptGuard:
        request:
        - webhook:
            backendRef: {name: guard, namespace: guards, port: 8000}
            forwardHeaderMatches: [{name: x-team, value: blue}]
        - regex: {action: Reject, builtins: [Ssn]}
        - webhook: {backendRef: {name: second, port: 8000}}
        response:
        - webhook: {backendRef: {name: guard, port: 8001}}
`
	g, err := spec.Options{Target: templates.Agentgateway, Providers: []string{"openai"}}.Build()
	if err != nil {
		t.Fatal(err)
	}
	objs := renderMapsT(t, g)
	more, err := DecodeManifests([]byte(agw))
	if err != nil {
		t.Fatal(err)
	}
	in, err = Import(append(objs, more...), "")
	if err != nil {
		t.Fatal(err)
	}
	var msgs []string
	for _, is := range in.Issues {
		msgs = append(msgs, is.String())
	}
	want := []string{
		"AgentgatewayPolicy/guard: a request webhook before other guards is represented after them",
		"AgentgatewayPolicy/guard: a second request webhook is not represented (the Spec has one per direction)",
	}
	if strings.Join(msgs, "\n") != strings.Join(want, "\n") {
		t.Errorf("issues:\n%s\nwant:\n%s", strings.Join(msgs, "\n"), strings.Join(want, "\n"))
	}
	got, _ := json.Marshal(in.Gateway.Spec.Routes[0].Policies.PromptGuard)
	const wantGuard = `{"request":[{"action":"reject","builtins":["SSN"]}],"webhook":{"request":{"service":"guard","namespace":"guards","port":8000,"forwardHeaders":[{"name":"x-team","value":"blue"}]},"response":{"service":"guard","port":8001}}}`
	if string(got) != wantGuard {
		t.Errorf("guard read:\n%s\nwant:\n%s", got, wantGuard)
	}
}

// A host that is not a Service's cluster name cannot be agentgateway's
// webhook: Check says so, and names the targets that can; a Service's
// cluster name is accepted and rendered as its backendRef.
func TestCheckWebhookHost(t *testing.T) {
	g, err := spec.Options{Target: templates.Agentgateway, Providers: []string{"openai"}}.Build()
	if err != nil {
		t.Fatal(err)
	}
	g.Spec.Routes[0].Policies = &spec.Policies{PromptGuard: &spec.PromptGuard{Webhook: &spec.GuardWebhooks{Request: &spec.Webhook{Host: "guard.example.com", Port: 80}}}}
	err = spec.Check(g)
	if err == nil || !strings.Contains(err.Error(), "spec.routes[0].policies.promptGuard.webhook.request.host: target agentgateway reaches guard webhooks only as Kubernetes Services") ||
		!strings.Contains(err.Error(), "targets that reach any host: kgateway-v2.0, kgateway-v2.1") {
		t.Errorf("Check: %v", err)
	}
	g.Spec.Routes[0].Policies.PromptGuard.Webhook.Request.Host = "guard.guards.svc.cluster.local"
	if err := spec.Check(g); err != nil {
		t.Fatal(err)
	}
	objs := renderMapsT(t, g)
	for _, o := range objs {
		if o["kind"] == "AgentgatewayBackend" {
			b, _ := json.Marshal(objpath.Get(o, "spec", "policies", "ai", "promptGuard", "request"))
			if want := `[{"webhook":{"backendRef":{"name":"guard","namespace":"guards","port":80}}}]`; string(b) != want {
				t.Errorf("rendered %s, want %s", b, want)
			}
		}
	}
}

func renderMapsT(t *testing.T, g *spec.AIGateway) []map[string]any {
	t.Helper()
	objs, err := Render(g)
	if err != nil {
		t.Fatal(err)
	}
	var out []map[string]any
	for _, o := range objs {
		m, err := dataplane.ToMap(o.Object)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, m)
	}
	return out
}

// An AgentgatewayPolicy that targets an AgentgatewayBackend sets what the
// backend would: its webhook reaches the routes that use the backend, and
// its route types replace the backend's own; one on a route maps route
// types only for the route's backends that map none.
func TestImportPolicyOnBackend(t *testing.T) {
	g, err := spec.Options{Target: templates.Agentgateway, Providers: []string{"openai", "anthropic"}}.Build()
	if err != nil {
		t.Fatal(err)
	}
	objs := renderMapsT(t, g)
	for _, o := range objs {
		if ai, ok := objpath.Get(o, "spec", "policies", "ai").(map[string]any); ok && objpath.Get(o, "metadata", "name") == "anthropic" {
			delete(ai, "routes") // the route's policy maps them
		}
	}
	const pols = `apiVersion: agentgateway.dev/v1alpha1
kind: AgentgatewayPolicy
metadata: {name: on-backend, namespace: kubelb}
spec:
  targetRefs: [{group: agentgateway.dev, kind: AgentgatewayBackend, name: openai}]
  backend:
    ai:
      routes: {/v1/chat/completions: Completions, "*": Passthrough}
      promptGuard:
        request:
        - webhook: {backendRef: {name: guard, port: 8000}}
---
apiVersion: agentgateway.dev/v1alpha1
kind: AgentgatewayPolicy
metadata: {name: on-route, namespace: kubelb}
spec:
  targetRefs: [{group: gateway.networking.k8s.io, kind: HTTPRoute, name: anthropic}]
  backend:
    ai:
      routes: {/v1/messages: Messages}
`
	more, err := DecodeManifests([]byte(pols))
	if err != nil {
		t.Fatal(err)
	}
	in, err := Import(append(objs, more...), "")
	if err != nil {
		t.Fatal(err)
	}
	for _, is := range in.Issues {
		t.Errorf("issue: %s", is)
	}
	routes := map[string]spec.Route{}
	for _, r := range in.Gateway.Spec.Routes {
		routes[r.Name] = r
	}
	if req, _ := routes["openai"].Policies.PromptGuard.Webhooks(); req == nil || req.Service != "guard" || req.Port != 8000 {
		t.Errorf("openai route's webhook: %+v", req)
	}
	if p := routes["anthropic"].Policies; p != nil && p.PromptGuard != nil {
		t.Errorf("the anthropic route got the openai backend's policy: %+v", p.PromptGuard)
	}
	got, _ := json.Marshal(in.RouteTypes)
	const want = `{"anthropic":{"/v1/messages":"Messages"},"openai":{"*":"Passthrough","/v1/chat/completions":"Completions"}}`
	if string(got) != want {
		t.Errorf("route types %s, want %s", got, want)
	}
}
