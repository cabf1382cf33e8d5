package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"sigs.k8s.io/yaml"
)

// The client and global-limit flags render what the golden files' Specs
// render, object for object, where the flags can say what those Specs say
// (one scope and key for every limit, no key metadata, no CORS): the
// objects in same are equal whole, those in trimmed once the golden's
// parts the flags cannot give are cut out.
func TestGenerateClientFlagsMatchGoldens(t *testing.T) {
	for _, tc := range []struct {
		golden  string
		flags   []string
		same    []string
		trimmed map[string][]string // kind/name -> dotted fields cut from the golden object
	}{{
		golden: "agentgateway/clients-apikeys.yaml",
		flags: []string{"--target", "agentgateway", "--provider", "openai", "--client-key", "alice=ALICE_KEY", "--client-key", "ci=CI_KEY",
			"--allow", `apiKey.tier == "gold" || request.path.startsWith("/openai/v1/models")`,
			"--rate-limit", "1000/day", "--token-limit", "200000/day", "--limit-scope", "global", "--limit-key", "client"},
		same:    []string{"Secret/openai-secret", "AgentgatewayParameters/ai-gateway", "Gateway/ai-gateway", "AgentgatewayBackend/openai", "HTTPRoute/openai", "ConfigMap/ratelimit-config"},
		trimmed: map[string][]string{"AgentgatewayPolicy/openai-traffic": {"spec.traffic.cors"}},
	}, {
		golden: "agentgateway/clients-jwt.yaml",
		flags: []string{"--target", "agentgateway", "--provider", "anthropic", "--jwt-issuer", "https://idp.example.com/realms/ai", "--jwt-audience", "ai-gateway",
			"--jwt-jwks", "http://keycloak.kubelb.svc.cluster.local:8080/realms/ai/protocol/openid-connect/certs", "--client-mode", "optional", "--allow", "has(jwt.sub)",
			"--rate-limit-service", "ratelimit.kubelb:8081", "--rate-limit-domain", "ai-quota", "--rate-limit-failure-mode", "FailOpen",
			"--token-limit", "50000/hour", "--limit-scope", "global", "--limit-key", "client"},
		same:    []string{"Secret/anthropic-secret", "AgentgatewayParameters/ai-gateway", "Gateway/ai-gateway", "AgentgatewayBackend/anthropic", "HTTPRoute/anthropic", "ConfigMap/ratelimit-config"},
		trimmed: map[string][]string{"AgentgatewayPolicy/anthropic-traffic": {"spec.traffic.rateLimit.local"}},
	}, {
		golden: "kgateway-v2.1/clients-global-limits.yaml",
		flags: []string{"--provider", "openai", "--rate-limit", "5000/day", "--limit-scope", "global",
			"--allow", `request.headers["x-team"] == "ml"`},
		same: []string{"Secret/openai-secret", "GatewayParameters/ai-gateway", "Gateway/ai-gateway", "Backend/openai", "HTTPRoute/openai", "TrafficPolicy/openai-traffic"},
	}, {
		golden: "agentgateway/clients-global-limits.yaml",
		flags: []string{"--kubelb-version", "1.4", "--provider", "openai", "--rate-limit", "5000/day", "--limit-scope", "global",
			"--allow", `request.headers["x-team"] == "ml"`},
		same: []string{"Secret/openai-secret", "AgentgatewayParameters/ai-gateway", "Gateway/ai-gateway", "AgentgatewayBackend/openai", "HTTPRoute/openai", "AgentgatewayPolicy/openai-traffic"},
	}} {
		t.Run(tc.golden, func(t *testing.T) {
			code, out, errOut := runCmd(t, append([]string{"generate"}, tc.flags...)...)
			if code != 0 {
				t.Fatalf("exit %d\n%s", code, errOut)
			}
			data, err := os.ReadFile(filepath.Join("../../testdata/golden", tc.golden))
			if err != nil {
				t.Fatal(err)
			}
			want, got := objectsByName(t, string(data)), objectsByName(t, out)
			check := func(name string, fields []string) {
				w, g := want[name], got[name]
				if w == nil || g == nil {
					t.Fatalf("%s: in the golden %v, generated %v", name, w != nil, g != nil)
				}
				for _, f := range fields {
					if !cut(w, f) {
						t.Fatalf("%s has no %s to cut", name, f)
					}
				}
				if !reflect.DeepEqual(w, g) {
					wj, _ := json.MarshalIndent(w, "", " ")
					gj, _ := json.MarshalIndent(g, "", " ")
					t.Errorf("%s differs from the golden:\n%s\n--- want\n%s", name, gj, wj)
				}
			}
			for _, name := range tc.same {
				check(name, nil)
			}
			for name, fields := range tc.trimmed {
				check(name, fields)
			}
		})
	}
}

// objectsByName splits YAML documents into objects keyed kind/name.
func objectsByName(t *testing.T, docs string) map[string]map[string]any {
	t.Helper()
	out := map[string]map[string]any{}
	for _, doc := range strings.Split(docs, "\n---\n") {
		var obj map[string]any
		if err := yaml.Unmarshal([]byte(doc), &obj); err != nil {
			t.Fatalf("%v\n%s", err, doc)
		}
		md, _ := obj["metadata"].(map[string]any)
		out[obj["kind"].(string)+"/"+md["name"].(string)] = obj
	}
	return out
}

// cut deletes the dotted field path from obj, reporting whether it was there.
func cut(obj map[string]any, path string) bool {
	parts := strings.Split(path, ".")
	for _, p := range parts[:len(parts)-1] {
		next, ok := obj[p].(map[string]any)
		if !ok {
			return false
		}
		obj = next
	}
	last := parts[len(parts)-1]
	_, ok := obj[last]
	delete(obj, last)
	return ok
}

// A client key becomes an entry of the client-keys Secret holding the
// variable's placeholder and the client's name; a key set file goes
// inline.
func TestGenerateClientKeysAndInlineJWKS(t *testing.T) {
	jwks := filepath.Join(t.TempDir(), "jwks.json")
	if err := os.WriteFile(jwks, []byte(`{"keys": [{"kty": "oct", "k": "c2VjcmV0"}]}`+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := runCmd(t, "generate", "--target", "agentgateway", "--client-key", "alice=ALICE_KEY", "--client-key", "ci=CI_KEY",
		"--jwt-issuer", "https://idp.example.com", "--jwt-jwks", jwks, "-o", "json")
	if code != 0 {
		t.Fatalf("exit %d\n%s", code, errOut)
	}
	var list struct{ Items []map[string]any }
	if err := json.Unmarshal([]byte(out), &list); err != nil {
		t.Fatal(err)
	}
	var secret, jwt string
	for _, o := range list.Items {
		switch o["kind"] {
		case "Secret":
			if o["metadata"].(map[string]any)["name"] == "ai-gateway-client-keys" {
				b, _ := json.Marshal(o["stringData"])
				secret = string(b)
			}
		case "AgentgatewayPolicy":
			b, _ := json.Marshal(o["spec"].(map[string]any)["traffic"].(map[string]any)["jwtAuthentication"])
			jwt = string(b)
		}
	}
	if want := `{"alice":"{\"key\":\"${ALICE_KEY}\",\"metadata\":{\"client\":\"alice\"}}","ci":"{\"key\":\"${CI_KEY}\",\"metadata\":{\"client\":\"ci\"}}"}`; secret != want {
		t.Errorf("client keys Secret:\n%s\nwant\n%s", secret, want)
	}
	if want := `{"mode":"Strict","providers":[{"issuer":"https://idp.example.com","jwks":{"inline":"{\"keys\": [{\"kty\": \"oct\", \"k\": \"c2VjcmV0\"}]}"}}]}`; jwt != want {
		t.Errorf("jwtAuthentication:\n%s\nwant\n%s", jwt, want)
	}
}

// Each flag's mistakes name the flag; what the target cannot express
// names the targets that can.
func TestGenerateClientFlagErrors(t *testing.T) {
	dir := t.TempDir()
	notJSON, noKeys := filepath.Join(dir, "not.json"), filepath.Join(dir, "nokeys.json")
	_ = os.WriteFile(notJSON, []byte("keys: []"), 0o600)
	_ = os.WriteFile(noKeys, []byte(`{"kty": "RSA"}`), 0o600)
	agw := []string{"--target", "agentgateway"}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--rate-limit", "5/day"}, `--rate-limit: "5/day": per day needs --limit-scope global`},
		{[]string{"--token-limit", "5/day", "--target", "agentgateway"}, `--token-limit: "5/day": per day needs --limit-scope global`},
		{[]string{"--rate-limit", "5/week", "--limit-scope", "global"}, `unknown unit "week", use second, minute, hour or day`},
		{[]string{"--target", "kgateway-v2.0", "--rate-limit", "5/day", "--limit-scope", "global"}, "--limit-scope: target kgateway-v2.0 has no global rate limits; targets that have them: kgateway-v2.1, agentgateway"},
		{[]string{"--rate-limit", "5/hour", "--limit-scope", "regional"}, `--limit-scope: unknown scope "regional": use local or global`},
		{[]string{"--limit-scope", "global"}, `--limit-scope: "global" needs --rate-limit or --token-limit to apply to`},
		{[]string{"--limit-key", "client"}, `--limit-key: "client" needs --rate-limit or --token-limit`},
		{[]string{"--rate-limit", "5/hour", "--limit-key", "client"}, "--limit-key: only applies with --limit-scope global"},
		{[]string{"--rate-limit", "5/hour", "--limit-scope", "global", "--limit-key", "client"}, "--limit-key: target kgateway-v2.1 keys global limits on the route, a header"},
		{append(agw, "--rate-limit", "5/hour", "--limit-scope", "global", "--limit-key", "client"), "--limit-key: client needs --client-key or --jwt-issuer to tell clients apart"},
		{append(agw, "--rate-limit", "5/hour", "--limit-scope", "global", "--limit-key", "request.x ||"), "--limit-key: invalid CEL expression"},
		{[]string{"--client-key", "alice=ALICE_KEY"}, "--client-key: target kgateway-v2.1 cannot check client API keys; targets that can: agentgateway"},
		{append(agw, "--client-key", "alice"), `--client-key: "alice" is not NAME=VARIABLE, e.g. alice=ALICE_KEY`},
		{append(agw, "--client-key", "Alice=A"), `--client-key: "Alice" is not a valid client name`},
		{append(agw, "--client-key", "a=sk-123"), `--client-key: "sk-123" is not an environment variable name`},
		{append(agw, "--client-key", "a=A", "--client-key-hash", "a=sha256:"+strings.Repeat("0", 64)), `--client-key-hash: duplicate client name "a"`},
		{append(agw, "--client-key-hash", "a=sha256:zz"), `--client-key-hash: "sha256:zz" is not sha256: followed by 64 lowercase hex digits`},
		{append(agw, "--client-key-hash", "a"), `--client-key-hash: "a" is not NAME=sha256:HEX`},
		{append(agw, "--client-key", "a=A", "--client-key-header", "x-api-key"), "--client-key-header: reading API keys from another header needs agentgateway v1.3.1 or later (KubeLB 1.5+); pass --kubelb-version 1.5"},
		{append(agw, "--client-key-header", "x-api-key"), "--client-key-header: only applies with --client-key"},
		{append(agw, "--client-key", "a=A", "--client-mode", "lenient"), `--client-mode: unknown mode "lenient": use Strict, Optional or Permissive`},
		{append(agw, "--client-mode", "Optional"), "--client-mode: only applies with --client-key or --jwt-issuer"},
		{[]string{"--jwt-issuer", "https://idp", "--jwt-jwks", "http://kc.idp.svc/certs"}, "--jwt-issuer: target kgateway-v2.1 cannot check client JWTs; targets that can: agentgateway"},
		{append(agw, "--jwt-issuer", "https://idp"), "--jwt-jwks: required with --jwt-issuer"},
		{append(agw, "--jwt-jwks", "http://kc.idp.svc/certs"), "--jwt-issuer: must be the tokens' iss"},
		{append(agw, "--jwt-issuer", "https://idp", "--jwt-jwks", "http://kc.idp.svc/certs", "--jwt-audience", " "), "--jwt-audience: must not be empty"},
		{append(agw, "--jwt-issuer", "https://idp", "--jwt-jwks", "https://kc.idp.svc/certs"), "--jwt-jwks: https://kc.idp.svc/certs: the key set is fetched from an in-cluster Service over plain HTTP"},
		{append(agw, "--jwt-issuer", "https://idp", "--jwt-jwks", "http://idp.example.com/certs"), "--jwt-jwks: http://idp.example.com/certs is not an in-cluster Service URL"},
		{append(agw, "--jwt-issuer", "https://idp", "--jwt-jwks", "http://kc.idp.svc:8080"), "--jwt-jwks: http://kc.idp.svc:8080 has no path"},
		{append(agw, "--jwt-issuer", "https://idp", "--jwt-jwks", "http://kc.idp.svc:0/c"), `--jwt-jwks: http://kc.idp.svc:0/c: port "0" is not a number from 1 to 65535`},
		{append(agw, "--jwt-issuer", "https://idp", "--jwt-jwks", filepath.Join(dir, "none.json")), "none.json: no such file, and not a Service URL"},
		{append(agw, "--jwt-issuer", "https://idp", "--jwt-jwks", notJSON), "not.json is not a JSON Web Key Set: invalid character"},
		{append(agw, "--jwt-issuer", "https://idp", "--jwt-jwks", noKeys), `nokeys.json is not a JSON Web Key Set: no "keys" array`},
		{[]string{"--target", "kgateway-v2.0", "--allow", "true"}, "--allow: target kgateway-v2.0 has no authorization rules; targets that have them: kgateway-v2.1, agentgateway"},
		{append(agw, "--allow", "a =="), `--allow: invalid CEL expression "a =="`},
		{append(agw, "--rate-limit", "5/hour", "--rate-limit-service", "ratelimit.infra:8081"), "--rate-limit-service: only used by global limits: add --limit-scope global"},
		{append(agw, "--rate-limit", "5/hour", "--limit-scope", "global", "--rate-limit-service", "ratelimit"), `--rate-limit-service: "ratelimit" is not name.namespace:port`},
		{append(agw, "--rate-limit", "5/hour", "--limit-scope", "global", "--rate-limit-domain", "A_B"), `--rate-limit-domain: "A_B" is not a valid domain`},
		{append(agw, "--rate-limit", "5/hour", "--limit-scope", "global", "--rate-limit-failure-mode", "Open"), `--rate-limit-failure-mode: unknown failure mode "Open": use FailClosed or FailOpen`},
		{append(agw, "--rate-limit-domain", "q", "--rate-limit", "5/hour"), "--rate-limit-domain: only used by global limits"},
	} {
		code, _, errOut := runCmd(t, append([]string{"generate"}, tc.args...)...)
		if code == 0 || !strings.Contains(errOut, tc.want) {
			t.Errorf("generate %s: exit %d, want %q in\n%s", strings.Join(tc.args, " "), code, tc.want, errOut)
		}
	}
	// A flag applied to every route reports its problem once.
	_, _, errOut := runCmd(t, "generate", "--target", "kgateway-v2.0", "--provider", "openai,mistral", "--rate-limit", "5/day", "--limit-scope", "global")
	if n := strings.Count(errOut, "--limit-scope:"); n != 1 {
		t.Errorf("the scope error is reported %d times:\n%s", n, errOut)
	}
	// The flags are the Spec's: --from refuses them.
	if code, _, errOut := runCmd(t, "generate", "--from", "../../testdata/specs/clients-jwt.yaml", "--client-key", "a=A"); code != exitUsage || !strings.Contains(errOut, "--client-key cannot be combined with --from") {
		t.Errorf("exit %d\n%s", code, errOut)
	}
}
