package spec

import (
	"strings"
	"testing"
)

const clientsBase = `apiVersion: kubelb-ai.dev/v1alpha1
kind: AIGateway
spec:
  target: %TARGET%
  providers:
  - kind: openai
  routes:
  - name: chat
    backends: [{providers: [openai]}]
    policies:
      rateLimit: %LIMIT%
`

func checkClientsSpec(t *testing.T, target, limit, extra string) error {
	t.Helper()
	doc := strings.NewReplacer("%TARGET%", target, "%LIMIT%", limit).Replace(clientsBase) + extra
	f, err := Parse("f.yaml", []byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	g := f.Gateway
	Default(&g)
	return Check(&g)
}

func TestCheckClients(t *testing.T) {
	const keys = "  clients:\n    apiKeys:\n    - {name: alice, env: ALICE_KEY}\n"
	const hash = "sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
	local := "{requests: 10, per: minute}"
	for _, tc := range []struct {
		name, target, limit, extra string
		want                       string // "" = passes
	}{
		{"local limit as before", "kgateway-v2.0", local, "", ""},
		{"global per day on agentgateway", "agentgateway", "{requests: 1000, per: day, scope: global, key: client}", keys, ""},
		{"global on kgateway v2.0", "kgateway-v2.0", "{requests: 5, per: day, scope: global}", "",
			"spec.routes[0].policies.rateLimit.scope: target kgateway-v2.0 has no global rate limits; targets that have them: kgateway-v2.1, agentgateway"},
		{"header key on kgateway v2.1", "kgateway-v2.1", `{requests: 5, per: day, scope: global, key: 'request.headers["x-user"]'}`, "", ""},
		{"address key on kgateway v2.1", "kgateway-v2.1", "{requests: 5, per: hour, scope: global, key: source.address}", "", ""},
		{"client key on kgateway v2.1", "kgateway-v2.1", "{requests: 5, per: hour, scope: global, key: client}", "",
			"targets that key on the client: agentgateway"},
		{"CEL key on kgateway v2.1", "kgateway-v2.1", "{requests: 5, per: hour, scope: global, key: jwt.sub}", "",
			"targets that take any CEL key: agentgateway"},
		{"client key without clients", "agentgateway", "{requests: 5, per: hour, scope: global, key: client}", "",
			"client needs spec.clients.apiKeys or spec.clients.jwt"},
		{"bad CEL key", "agentgateway", "{requests: 5, per: hour, scope: global, key: 'jwt.sub +'}", "", "invalid CEL expression"},
		{"per day local", "agentgateway", "{requests: 5, per: day}", "", "per day needs scope global"},
		{"key on a local limit", "agentgateway", "{requests: 5, per: hour, key: client}", keys, "only applies to scope global"},
		{"burst on a global limit", "agentgateway", "{requests: 5, per: hour, burst: 2, scope: global}", "", "burst: only applies to local limits"},
		{"api keys on kgateway v2.1", "kgateway-v2.1", local, keys,
			"spec.clients.apiKeys: target kgateway-v2.1 cannot check client API keys; targets that can: agentgateway"},
		{"allow on kgateway v2.1", "kgateway-v2.1", local, "  clients:\n    allow: ['request.headers[\"x-team\"] == \"ml\"']\n", ""},
		{"allow on kgateway v2.0", "kgateway-v2.0", local, "  clients:\n    allow: ['true']\n",
			"target kgateway-v2.0 has no authorization rules; targets that have them: kgateway-v2.1, agentgateway"},
		{"bad allow", "agentgateway", local, "  clients:\n    allow: ['apiKey.tier ==']\n", "spec.clients.allow[0]: invalid CEL expression"},
		{"key in no place", "agentgateway", local, "  clients:\n    apiKeys:\n    - {name: alice}\n", "set env (the variable holding the key) or hash"},
		{"bad hash", "agentgateway", local, "  clients:\n    apiKeys:\n    - {name: ci, hash: 'sha256:abc'}\n", "is not sha256: followed by 64 lowercase hex digits"},
		{"hash needs v1.4.1", "agentgateway", local, "  kubelb: \"1.5\"\n  clients:\n    apiKeys:\n    - {name: ci, hash: '" + hash + "'}\n",
			"API-key hashes needs agentgateway v1.4.1 or later, which no KubeLB release runs yet"},
		{"header needs v1.3.1", "agentgateway", local, keys + "    header: x-api-key\n",
			`spec.clients.header: reading API keys from another header needs agentgateway v1.3.1 or later (KubeLB 1.5+); set spec.kubelb to the release the manifests are for, e.g. kubelb: "1.5"`},
		{"header on KubeLB 1.5", "agentgateway", local, "  kubelb: \"1.5\"\n" + keys + "    header: x-api-key\n", ""},
		{"permissive keys need v1.3.1", "agentgateway", local, keys + "    mode: Permissive\n", "mode Permissive with API keys needs agentgateway v1.3.1"},
		{"client metadata is generate's", "agentgateway", local, "  clients:\n    apiKeys:\n    - {name: a, env: A, metadata: {client: b}}\n", "is set by generate to the key's name"},
		{"jwt with service", "agentgateway", local, "  clients:\n    jwt: {issuer: https://idp, audiences: [ai], jwks: {service: 'keycloak.idp:8080', path: /certs}}\n", ""},
		{"jwt with both jwks", "agentgateway", local, "  clients:\n    jwt: {issuer: https://idp, jwks: {inline: '{}', service: 'k.idp:80', path: /c}}\n", "exactly one"},
		{"jwt inline not a key set", "agentgateway", local, "  clients:\n    jwt: {issuer: https://idp, jwks: {inline: '{\"keys\": []}'}}\n", "must be a JSON Web Key Set"},
		{"jwt bad service", "agentgateway", local, "  clients:\n    jwt: {issuer: https://idp, jwks: {service: keycloak, path: /c}}\n", `"keycloak" is not name.namespace:port`},
		{"jwt on kgateway", "kgateway-v2.1", local, "  clients:\n    jwt: {issuer: https://idp, jwks: {service: 'k.idp:80', path: /c}}\n", "cannot check client JWTs; targets that can: agentgateway"},
		{"unused rate-limit service", "agentgateway", local, "  rateLimitService: {service: 'rl.ns:8081', domain: d}\n", "only used by limits with scope global"},
		{"bad rate-limit service", "agentgateway", "{requests: 5, per: hour, scope: global}", "  rateLimitService: {service: rl, domain: d, failureMode: Maybe}\n", `"rl" is not name.namespace:port`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := checkClientsSpec(t, tc.target, tc.limit, tc.extra)
			switch {
			case tc.want == "" && err != nil:
				t.Fatalf("unexpected error: %v", err)
			case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
				t.Fatalf("error %v, want it to contain %q", err, tc.want)
			}
		})
	}
}

func TestDefaultGlobalLimit(t *testing.T) {
	doc := strings.NewReplacer("%TARGET%", "agentgateway", "%LIMIT%", "{requests: 5, per: day, scope: global}").Replace(clientsBase)
	f, err := Parse("f.yaml", []byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	g := f.Gateway
	Default(&g)
	rls := g.Spec.RateLimitService
	if rls == nil || *rls != (RateLimitService{Service: "ratelimit.kubelb:8081", Domain: "kubelb-ai", FailureMode: FailClosed}) {
		t.Errorf("rateLimitService default: %+v", rls)
	}
	if k := g.Spec.Routes[0].Policies.RateLimit.Key; k != KeyRoute {
		t.Errorf("key default %q, want route", k)
	}
}

func TestLimitKeyOf(t *testing.T) {
	for key, want := range map[string][2]string{
		"":                           {KeyRoute, ""},
		"client":                     {KeyClient, ""},
		"source.address":             {KeyAddress, ""},
		`request.headers["X-User"]`:  {KeyHeader, "x-user"},
		`request.headers['x-team']`:  {KeyHeader, "x-team"},
		`request.headers["a"] + "b"`: {KeyExpression, ""},
		"jwt.sub":                    {KeyExpression, ""},
	} {
		kind, header := LimitKeyOf(key)
		if kind != want[0] || header != want[1] {
			t.Errorf("LimitKeyOf(%q) = %s %q, want %s %q", key, kind, header, want[0], want[1])
		}
	}
}
