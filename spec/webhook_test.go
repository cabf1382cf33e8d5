package spec

import (
	"strings"
	"testing"
)

func TestCheckWebhooks(t *testing.T) {
	for _, c := range []struct {
		target string
		hook   Webhook
		want   string // "" for valid
	}{
		{"kgateway-v2.1", Webhook{Host: "guard.example.com", Port: 80}, ""},
		{"agentgateway", Webhook{Service: "guard", Namespace: "guards", Port: 8000}, ""},
		{"agentgateway", Webhook{Host: "guard.guards.svc.cluster.local", Port: 8000}, ""},
		{"agentgateway", Webhook{Host: "guard.example.com", Port: 80}, "webhook.request.host: target agentgateway reaches guard webhooks only as Kubernetes Services"},
		{"kgateway-v2.0", Webhook{Port: 80}, "webhook.request: a webhook needs a service (a Kubernetes Service) or a host"},
		{"kgateway-v2.0", Webhook{Service: "a", Host: "b", Port: 80}, "webhook.request: set service or host, not both"},
		{"kgateway-v2.0", Webhook{Host: "b", Namespace: "x", Port: 80}, "webhook.request.namespace: only applies to a service"},
		{"kgateway-v2.0", Webhook{Service: "a"}, "webhook.request.port: must be a port number (1-65535)"},
		{"kgateway-v2.0", Webhook{Service: "a", Port: 1, ForwardHeaders: []HeaderMatch{{Name: "x", Type: "Prefix"}}}, `forwardHeaders[0].type: unknown header match type "Prefix"`},
		{"kgateway-v2.0", Webhook{Service: "a", Port: 1, ForwardHeaders: []HeaderMatch{{Name: "x", Type: HeaderRegex, Value: "("}}}, "forwardHeaders[0].value: invalid regular expression"},
		{"kgateway-v2.0", Webhook{Service: "a", Port: 1, ForwardHeaders: []HeaderMatch{{}}}, "forwardHeaders[0].name: must name a header"},
	} {
		g, err := Options{Target: c.target, Providers: []string{"openai"}}.Build()
		if err != nil {
			t.Fatal(err)
		}
		hook := c.hook
		g.Spec.Routes[0].Policies = &Policies{PromptGuard: &PromptGuard{Webhook: &GuardWebhooks{Request: &hook}}}
		err = Check(g)
		switch {
		case c.want == "" && err != nil:
			t.Errorf("%s %+v: %v", c.target, c.hook, err)
		case c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want)):
			t.Errorf("%s %+v: got %v, want %q", c.target, c.hook, err, c.want)
		}
	}
}

func TestWebhookAddress(t *testing.T) {
	for _, c := range []struct {
		hook Webhook
		want string
	}{
		{Webhook{Service: "guard"}, "guard.kubelb.svc.cluster.local"},
		{Webhook{Service: "guard", Namespace: "guards"}, "guard.guards.svc.cluster.local"},
		{Webhook{Host: "guard.example.com"}, "guard.example.com"},
	} {
		if got := c.hook.Address("kubelb"); got != c.want {
			t.Errorf("%+v: %s, want %s", c.hook, got, c.want)
		}
	}
}
