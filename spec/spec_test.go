package spec

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

const minimal = `apiVersion: kubelb-ai.dev/v1alpha1
kind: AIGateway
spec:
  providers:
  - kind: openai
`

func TestParseAndDefaultMinimal(t *testing.T) {
	f, err := Parse("kubelb-ai.yaml", []byte(minimal))
	if err != nil {
		t.Fatal(err)
	}
	g := f.Gateway
	Default(&g)
	s := g.Spec
	if s.Target != "kgateway-v2.1" || s.Gateway.Name != "ai-gateway" || s.Gateway.Namespace != "kubelb" {
		t.Errorf("gateway defaults: %+v target %q", s.Gateway, s.Target)
	}
	if len(s.Gateway.Listeners) != 1 || s.Gateway.Listeners[0].Port != 8080 {
		t.Errorf("listener default: %+v", s.Gateway.Listeners)
	}
	p := s.Providers[0]
	if p.Name != "openai" || p.Model != "gpt-4o-mini" || p.Auth.Source != AuthEnv || p.Auth.Env != "OPENAI_API_KEY" {
		t.Errorf("provider defaults: %+v", p)
	}
	if len(s.Routes) != 1 || s.Routes[0].Path != "/openai" || s.Routes[0].Backends[0].Name != "openai" {
		t.Errorf("route defaults: %+v", s.Routes)
	}
	if err := Check(&g); err != nil {
		t.Errorf("defaulted minimal spec fails Check: %v", err)
	}
}

func TestParseErrorsCarryPositions(t *testing.T) {
	for _, tc := range []struct{ name, doc, want string }{
		{"unknown field", minimal + "    modle: gpt-4o\n", "f.yaml:6:5: unknown field \"modle\""},
		{"duplicate key", minimal + "    kind: anthropic\n", "f.yaml:6:5:"},
		{"wrong type", "apiVersion: kubelb-ai.dev/v1alpha1\nkind: AIGateway\nspec:\n  gateway:\n    listeners:\n    - name: http\n      port: eighty\n", "f.yaml:7:13:"},
		{"wrong apiVersion", strings.Replace(minimal, "kubelb-ai.dev/v1alpha1", "v1", 1), "f.yaml:1:13: apiVersion: is \"v1\""},
		{"wrong kind", strings.Replace(minimal, "AIGateway", "Gateway", 1), "f.yaml:2:7: kind: is \"Gateway\""},
		{"empty", "  \n", "f.yaml: the file is empty"},
		{"two documents", minimal + "---\n" + minimal, "several"},
		{"not yaml", "spec: [\n", "f.yaml:"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse("f.yaml", []byte(tc.doc))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want it to contain %q", err, tc.want)
			}
		})
	}
}

func TestCheckLocatesErrorsInTheFile(t *testing.T) {
	doc := minimal + "    auth:\n      env: 9LIVES\n  - kind: openaii\n"
	f, err := Parse("f.yaml", []byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	g := f.Gateway
	Default(&g)
	err = f.Locate(Check(&g))
	var list ErrorList
	if !errors.As(err, &list) || len(list) != 2 {
		t.Fatalf("want two errors, got %v", err)
	}
	if got := list[0].Error(); !strings.HasPrefix(got, "f.yaml:7:12: spec.providers[0].auth.env: \"9LIVES\" is not an environment variable name") {
		t.Errorf("first error %q", got)
	}
	if got := list[1].Error(); !strings.HasPrefix(got, "f.yaml:8:11: spec.providers[1].kind: unknown provider \"openaii\" (did you mean \"openai\"?)") {
		t.Errorf("second error %q", got)
	}
}

func TestCheckRejectsWhatTheTargetCannotExpress(t *testing.T) {
	for _, tc := range []struct {
		name   string
		target string
		edit   func(*Spec)
		want   string
	}{
		{"bedrock on kgateway", "kgateway-v2.1", func(s *Spec) { s.Providers = append(s.Providers, Provider{Kind: "bedrock"}) },
			"provider bedrock is not supported by target kgateway-v2.1; targets that support it: agentgateway"},
		{"token limit on kgateway", "kgateway-v2.0", func(s *Spec) {
			s.Routes = []Route{{Name: "openai", Backends: []Backend{{Providers: []string{"openai"}}}, Policies: &Policies{TokenLimit: &TokenLimit{Tokens: 10, Per: "minute"}}}}
		}, "token-based rate limits are not supported by target kgateway-v2.0"},
		{"mixed failover on kgateway", "kgateway-v2.1", func(s *Spec) {
			s.Providers = append(s.Providers, Provider{Kind: "anthropic"})
			s.Routes = []Route{{Name: "chat", Backends: []Backend{{Providers: []string{"openai", "anthropic"}}}}}
		}, "cannot fail over from openai to anthropic"},
		{"path override on v2.0", "kgateway-v2.0", func(s *Spec) { s.Providers[0].Path = "/v1/x" },
			"targets that support it: kgateway-v2.1, agentgateway"},
		{"two request guards on kgateway", "kgateway-v2.1", func(s *Spec) {
			s.Routes = []Route{{Name: "openai", Backends: []Backend{{Providers: []string{"openai"}}}, Policies: &Policies{PromptGuard: &PromptGuard{
				Request: []GuardRule{{Action: "mask", Builtins: []string{"EMAIL"}}, {Action: "reject", Patterns: []string{"x"}}}}}}}
		}, "one guard rule per direction"},
		{"bad regex", "agentgateway", func(s *Spec) {
			s.Routes = []Route{{Name: "openai", Backends: []Backend{{Providers: []string{"openai"}}}, Policies: &Policies{PromptGuard: &PromptGuard{
				Request: []GuardRule{{Action: "reject", Patterns: []string{"(unclosed"}}}}}}}
		}, "invalid regular expression"},
		{"azure without endpoint", "kgateway-v2.1", func(s *Spec) { s.Providers = []Provider{{Kind: "azureopenai"}} },
			"azureopenai needs the resource endpoint"},
		{"vertex without project", "agentgateway", func(s *Spec) { s.Providers = []Provider{{Kind: "vertexai"}} },
			"vertexai needs the Google Cloud project ID"},
		{"duplicate route path", "agentgateway", func(s *Spec) {
			s.Routes = []Route{{Name: "a", Path: "/x", Backends: []Backend{{Providers: []string{"openai"}}}}, {Name: "b", Path: "/x", Backends: []Backend{{Providers: []string{"openai"}}}}}
		}, "duplicate path \"/x\""},
		{"unknown route provider", "agentgateway", func(s *Spec) {
			s.Routes = []Route{{Name: "a", Backends: []Backend{{Providers: []string{"opnai"}}}}}
		}, "unknown provider \"opnai\" (did you mean \"openai\"?)"},
		{"bad unit", "agentgateway", func(s *Spec) {
			s.Routes = []Route{{Name: "openai", Backends: []Backend{{Providers: []string{"openai"}}}, Policies: &Policies{RateLimit: &RequestLimit{Requests: 5, Per: "week"}}}}
		}, "unknown unit \"week\""},
		{"none auth for openai", "agentgateway", func(s *Spec) { s.Providers[0].Auth = Auth{Source: "none"} },
			"openai needs a credential"},
		{"cors on v2.0", "kgateway-v2.0", func(s *Spec) {
			s.Routes = []Route{{Name: "openai", Backends: []Backend{{Providers: []string{"openai"}}}, Policies: &Policies{CORS: &CORS{AllowOrigins: []string{"https://a.example.com"}}}}}
		}, "target kgateway-v2.0 has no CORS policy; targets that have one: kgateway-v2.1, agentgateway"},
		{"cors without origins", "agentgateway", func(s *Spec) {
			s.Routes = []Route{{Name: "openai", Backends: []Backend{{Providers: []string{"openai"}}}, Policies: &Policies{CORS: &CORS{AllowMethods: []string{"POST"}}}}}
		}, "allowOrigins: at least one origin is required"},
		{"cors origin with a path", "agentgateway", func(s *Spec) {
			s.Routes = []Route{{Name: "openai", Backends: []Backend{{Providers: []string{"openai"}}}, Policies: &Policies{CORS: &CORS{AllowOrigins: []string{"https://a.example.com/app"}}}}}
		}, "allowOrigins[0]: \"https://a.example.com/app\" is not an origin"},
		{"cors any origin among others", "kgateway-v2.1", func(s *Spec) {
			s.Routes = []Route{{Name: "openai", Backends: []Backend{{Providers: []string{"openai"}}}, Policies: &Policies{CORS: &CORS{AllowOrigins: []string{"*", "https://a.example.com"}}}}}
		}, "* allows any origin: it cannot stand beside others"},
		{"cors credentials to any origin", "agentgateway", func(s *Spec) {
			s.Routes = []Route{{Name: "openai", Backends: []Backend{{Providers: []string{"openai"}}}, Policies: &Policies{CORS: &CORS{AllowOrigins: []string{"*"}, AllowCredentials: true}}}}
		}, "credentials cannot be allowed to any origin"},
		{"cors unknown method", "agentgateway", func(s *Spec) {
			s.Routes = []Route{{Name: "openai", Backends: []Backend{{Providers: []string{"openai"}}}, Policies: &Policies{CORS: &CORS{AllowOrigins: []string{"*"}, AllowMethods: []string{"post"}}}}}
		}, "unknown method \"post\""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g := AIGateway{Spec: Spec{Target: tc.target, Providers: []Provider{{Kind: "openai"}}}}
			tc.edit(&g.Spec)
			Default(&g)
			err := Check(&g)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Check: %v\nwant an error containing %q", err, tc.want)
			}
		})
	}
}

func TestMarshalRoundTrips(t *testing.T) {
	g := AIGateway{Spec: Spec{Providers: []Provider{{Kind: "openai"}, {Kind: "gemini"}}}}
	Default(&g)
	g.Spec.Routes[0].Policies = &Policies{Defaults: []FieldDefault{{Field: "temperature", Value: 0.5}}}
	out, err := Marshal(&g)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(string(out), "apiVersion: kubelb-ai.dev/v1alpha1\nkind: AIGateway\n") {
		t.Errorf("field order lost:\n%s", out)
	}
	f, err := Parse("out.yaml", out)
	if err != nil {
		t.Fatalf("re-reading marshalled spec: %v\n%s", err, out)
	}
	again, _ := Marshal(&f.Gateway)
	if string(again) != string(out) {
		t.Errorf("not stable:\n%s\n---\n%s", out, again)
	}
}

func TestOptionsBuild(t *testing.T) {
	o := Options{
		Providers: []string{"openai", "anthropic", "ollama"}, Failover: []string{"openai", "mistral"},
		Models: map[string]string{"openai": "gpt-4o"}, APIKeyEnv: map[string]string{"anthropic": "CLAUDE_KEY"},
		RateLimit: "100/hours", Guards: []string{"mask=credit_card,EMAIL", "reject=(?i)password"},
		Target: "agentgateway", Hosts: map[string]string{"ollama": "llm.local:8000"},
	}
	g, err := o.Build()
	if err != nil {
		t.Fatal(err)
	}
	if err := Check(g); err != nil {
		t.Fatal(err)
	}
	s := g.Spec
	if got := len(s.Providers); got != 4 {
		t.Fatalf("want openai, anthropic, ollama, mistral; got %d providers", got)
	}
	if s.Routes[0].Name != "openai" || len(s.Routes[0].Backends[0].Providers) != 2 || s.Routes[0].Backends[0].Providers[1] != "mistral" {
		t.Errorf("failover route: %+v", s.Routes[0])
	}
	if len(s.Routes) != 3 || s.Routes[1].Name != "anthropic" || s.Routes[2].Name != "ollama" {
		t.Errorf("routes: %+v", s.Routes)
	}
	if s.Providers[1].Auth.Env != "CLAUDE_KEY" || s.Providers[0].Model != "gpt-4o" || s.Providers[2].Host != "llm.local" || s.Providers[2].Port != 8000 {
		t.Errorf("providers: %+v", s.Providers)
	}
	pol := s.Routes[2].Policies
	if pol.RateLimit.Requests != 100 || pol.RateLimit.Per != "hour" || len(pol.PromptGuard.Request) != 2 ||
		pol.PromptGuard.Request[0].Builtins[0] != "CREDIT_CARD" || pol.PromptGuard.Request[1].Patterns[0] != "(?i)password" {
		t.Errorf("policies: %+v", pol)
	}
	if s.Routes[0].Policies == s.Routes[1].Policies {
		t.Error("routes share one Policies value; editing one would edit all")
	}
}

func TestOptionsBuildRejectsMalformedFlags(t *testing.T) {
	for _, tc := range []struct {
		o    Options
		want string
	}{
		{Options{RateLimit: "100"}, "not N/UNIT"},
		{Options{RateLimit: "0/hour"}, "whole number"},
		{Options{TokenLimit: "5/day"}, "per day needs --limit-scope global"},
		{Options{TokenLimit: "5/week"}, "use second, minute, hour or day"},
		{Options{Guards: []string{"mask=CREDITCARD"}}, "did you mean \"CREDIT_CARD\""},
		{Options{Guards: []string{"block=x"}}, "unknown action"},
		{Options{Models: map[string]string{"anthropic": "x"}}, "add --provider anthropic"},
		{Options{Failover: []string{"openai"}}, "at least two"},
		{Options{VertexProject: "p"}, "--vertex-project: only applies to provider vertexai"},
		{Options{Hosts: map[string]string{"openai": "h:99999"}}, "port"},
	} {
		if _, err := tc.o.Build(); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%+v: error %v, want %q", tc.o, err, tc.want)
		}
	}
}

// TestParseBoundsAliasExpansion feeds a "billion laughs" value: nine levels of
// ten aliases each. It must be refused quickly, not expanded.
func TestParseBoundsAliasExpansion(t *testing.T) {
	doc := minimal + "  routes:\n  - name: r\n    backends: [{providers: [openai]}]\n    policies:\n      defaults:\n      - field: f\n        value:\n"
	doc += "          a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n"
	for i := 1; i < 9; i++ {
		prev := fmt.Sprintf("*a%d", i-1)
		doc += fmt.Sprintf("          a%d: &a%d [%s]\n", i, i, strings.Repeat(prev+", ", 9)+prev)
	}
	_, err := Parse("bomb.yaml", []byte(doc))
	if err == nil || !strings.Contains(err.Error(), "bomb.yaml:13:13: spec.routes[0].policies.defaults[0].value: is larger than 10000 elements") {
		t.Fatalf("got %v", err)
	}
	deep := "spec: " + strings.Repeat("[", 10000) + strings.Repeat("]", 10000)
	if _, err := Parse("deep.yaml", []byte(deep)); err == nil {
		t.Fatal("10,000-deep nesting accepted")
	}
}
