package spec

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The client flags build the clients, limits and rate-limit service they
// name, in the Spec's terms.
func TestOptionsBuildClients(t *testing.T) {
	o := Options{Target: "agentgateway", Providers: []string{"openai", "anthropic"}, RateLimit: "1000/day", TokenLimit: "5/minute"}
	o.ClientKeys = []string{"alice=ALICE_KEY"}
	o.ClientKeyHashes = []string{"ci=sha256:" + strings.Repeat("ab", 32)}
	o.ClientMode, o.Allow = "permissive", []string{"apiKey.client == 'alice'"}
	o.JWTIssuer, o.JWTAudiences, o.JWTJWKS = "https://idp", []string{"gw"}, "keycloak.idp:8080/certs"
	o.LimitScope, o.LimitKey, o.RateLimitDomain = ScopeGlobal, KeyClient, "quota"
	g, err := o.Build()
	if err != nil {
		t.Fatal(err)
	}
	got, _ := json.Marshal(struct {
		C *Clients
		R *RateLimitService
		P *Policies
	}{g.Spec.Clients, g.Spec.RateLimitService, g.Spec.Routes[1].Policies})
	want := `{"C":{"apiKeys":[{"name":"alice","env":"ALICE_KEY"},{"name":"ci","hash":"sha256:` + strings.Repeat("ab", 32) + `"}],` +
		`"jwt":{"issuer":"https://idp","audiences":["gw"],"jwks":{"service":"keycloak.idp:8080","path":"/certs"}},"mode":"Permissive","allow":["apiKey.client == 'alice'"]},` +
		`"R":{"service":"ratelimit.kubelb:8081","domain":"quota","failureMode":"FailClosed"},` +
		`"P":{"rateLimit":{"requests":1000,"per":"day","scope":"global","key":"client"},"tokenLimit":{"tokens":5,"per":"minute","scope":"global","key":"client"}}}`
	if string(got) != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}

func TestParseJWKS(t *testing.T) {
	file := filepath.Join(t.TempDir(), "jwks.json")
	_ = os.WriteFile(file, []byte("\n{\"keys\":[]}\n"), 0o600)
	for _, tc := range []struct{ in, want string }{
		{"http://keycloak.idp.svc.cluster.local:8080/realms/ai/certs", `{"service":"keycloak.idp:8080","path":"/realms/ai/certs"}`},
		{"http://keycloak.idp.svc/certs", `{"service":"keycloak.idp:80","path":"/certs"}`},
		{"http://keycloak.idp/certs", `{"service":"keycloak.idp:80","path":"/certs"}`},
		{"keycloak.idp:8080/certs", `{"service":"keycloak.idp:8080","path":"/certs"}`},
		{file, `{"inline":"{\"keys\":[]}"}`},
		{"http://keycloak/certs", "error"},
		{"http://a.b.c.example.com/certs", "error"},
		{"http://keycloak.idp.svc/certs?x=1", "error"},
	} {
		k, err := parseJWKS(tc.in)
		got, _ := json.Marshal(k)
		if err != nil {
			got = []byte("error")
		}
		if string(got) != tc.want {
			t.Errorf("%s: got %s (%v), want %s", tc.in, got, err, tc.want)
		}
	}
}

func TestParseLimitRate(t *testing.T) {
	if n, u, err := ParseLimitRate("7/days", ScopeGlobal); err != nil || n != 7 || u != PerDay {
		t.Errorf("global 7/days: %d %s %v", n, u, err)
	}
	if _, _, err := ParseLimitRate("7/day", ScopeLocal); err == nil || !strings.Contains(err.Error(), "--limit-scope global") {
		t.Errorf("local 7/day: %v", err)
	}
	// ParseRate, which reads manifests' local limits, keeps its units.
	if _, _, err := ParseRate("7/day"); err == nil || !strings.Contains(err.Error(), "use second, minute or hour") {
		t.Errorf("ParseRate 7/day: %v", err)
	}
}

// Locate puts the flag on Check's errors, in the flags' words, once.
func TestOptionsLocate(t *testing.T) {
	o := Options{ClientOptions: ClientOptions{ClientKeys: []string{"a=A"}, ClientKeyHashes: []string{"b=x"}}}
	in := ErrorList{
		{Path: "spec.routes[0].policies.rateLimit.scope", Message: "m1"},
		{Path: "spec.routes[1].policies.rateLimit.scope", Message: "m1"},
		{Path: "spec.routes[0].policies.tokenLimit", Message: "m2"},
		{Path: "spec.routes[0].policies.tokenLimit.key", Message: "client needs spec.clients.apiKeys or spec.clients.jwt to tell clients apart"},
		{Path: "spec.clients.apiKeys[0].env", Message: "m3"},
		{Path: "spec.clients.apiKeys[1].hash", Message: "m4"},
		{Path: "spec.clients.jwt.jwks.inline", Message: "m5"},
		{Path: "spec.clients.header", Message: `x needs y; set spec.kubelb to the release the manifests are for, e.g. kubelb: "1.5"`},
		{Path: "spec.gateway.name", Message: "m6"},
	}
	want := `--limit-scope: m1
--token-limit: m2
--limit-key: client needs --client-key or --jwt-issuer to tell clients apart
--client-key: m3
--client-key-hash: m4
--jwt-jwks: m5
--client-key-header: x needs y; pass --kubelb-version 1.5 (the release the manifests are for)
spec.gateway.name: m6`
	if got := o.Locate(in).Error(); got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}
