package serveconfig

import (
	"bytes"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"testing"

	"github.com/kubelb-ai/kubelb-ai/cluster"
	"github.com/kubelb-ai/kubelb-ai/proxy"
)

func load(t *testing.T, files []string, target string) (*proxy.Config, string, error) {
	t.Helper()
	m, err := cluster.ReadManifests(cluster.ManifestOptions{Files: files, Target: target})
	if err != nil {
		t.Fatal(err)
	}
	var log bytes.Buffer
	cfg, err := Load(t.Context(), m, proxy.Options{Target: m.Target, Lookup: func(string) (string, bool) { return "sk-test", true }}, slog.New(slog.NewTextHandler(&log, nil)))
	return cfg, log.String(), err
}

// Rendered manifests compile, with validate's warnings and the
// configuration's own logged; the tutorial's defects serve can run with are
// logged with how serve runs them.
func TestLoad(t *testing.T) {
	cfg, log, err := load(t, []string{"../testdata/golden/agentgateway/single-anthropic.yaml"}, "")
	if err != nil {
		t.Fatal(err)
	}
	if len(cfg.Listeners) != 1 || !strings.Contains(log, "single-anthropic.yaml:82:3 object=\"HTTPRoute kubelb/anthropic\" rule=no-rate-limit") ||
		!strings.Contains(log, "agentgateway on the cluster refuses it (503)") {
		t.Errorf("listeners %d, log:\n%s", len(cfg.Listeners), log)
	}
	if cfg.Summary["target"] != "agentgateway" {
		t.Errorf("summary target %v", cfg.Summary["target"])
	}
	_, log, err = load(t, []string{"../testdata/tutorial/kubelb-1.2-aigateway.yaml"}, "")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(log, `serve="serve enforces the tutorial's RateLimitPolicy as the target's local rate limit"`) {
		t.Errorf("the workaround is not logged:\n%s", log)
	}
}

// A finding serve cannot run with refuses the manifests and names where.
func TestLoadRefuses(t *testing.T) {
	data, err := os.ReadFile("../testdata/golden/agentgateway/single-anthropic.yaml")
	if err != nil {
		t.Fatal(err)
	}
	bad := t.TempDir() + "/bad.yaml"
	if err := os.WriteFile(bad, bytes.Replace(data, []byte("kind: HTTPRoute\n"), []byte("kind: HTTPRoute\nbogus: 1\n"), 1), 0o600); err != nil {
		t.Fatal(err)
	}
	_, _, err = load(t, []string{bad}, "")
	if err == nil || !strings.Contains(err.Error(), "serve cannot run these manifests (as agentgateway):") || !strings.Contains(err.Error(), "bad.yaml:") || !strings.Contains(err.Error(), "bogus") {
		t.Errorf("err = %v", err)
	}
}

// A CORS policy written in the Spec reaches serve through the manifests
// generate renders for it, on every target that has one.
func TestSpecCORSIsServed(t *testing.T) {
	for _, target := range []string{"agentgateway", "kgateway-v2.1"} {
		cfg, _, err := load(t, []string{"../testdata/golden/" + target + "/cors.yaml"}, "")
		if err != nil {
			t.Fatal(err)
		}
		for origin, allowed := range map[string]bool{"https://app.example.com": true, "https://eu.example.org": true, "https://evil.example.net": false} {
			req := httptest.NewRequest(http.MethodOptions, "http://127.0.0.1:8080/openai/v1/chat/completions", nil)
			req.Header.Set("Origin", origin)
			req.Header.Set("Access-Control-Request-Method", "POST")
			rec := httptest.NewRecorder()
			cfg.Listeners[0].Handler.ServeHTTP(rec, req)
			got := rec.Header().Get("Access-Control-Allow-Origin")
			if allowed && (got != origin || rec.Header().Get("Access-Control-Allow-Credentials") != "true") || !allowed && got != "" {
				t.Errorf("%s: preflight from %s: %d, Allow-Origin %q, headers %v", target, origin, rec.Code, got, rec.Header())
			}
		}
	}
}

// Manifests whose callers must authenticate are served with the check:
// a request without a key is refused on every route, one with a key goes
// on; global limits compile with the manifests' own ConfigMap. A JWT key
// set served by a Service needs --upstream, and the error says so.
func TestLoadEnforcesClients(t *testing.T) {
	for _, file := range []string{"clients-apikeys.yaml", "clients-global-limits.yaml"} {
		cfg, _, err := load(t, []string{"../testdata/golden/agentgateway/" + file}, "")
		if err != nil {
			t.Fatalf("%s: %v", file, err)
		}
		req := httptest.NewRequest(http.MethodPost, "http://127.0.0.1:8080/openai/v1/chat/completions", strings.NewReader(`{"model":"m","messages":[]}`))
		rec := httptest.NewRecorder()
		cfg.Listeners[0].Handler.ServeHTTP(rec, req)
		want := map[string]int{"clients-apikeys.yaml": http.StatusUnauthorized, "clients-global-limits.yaml": http.StatusForbidden}[file]
		if rec.Code != want {
			t.Errorf("%s: a request without credentials: %d, want %d", file, rec.Code, want)
		}
	}
	_, _, err := load(t, []string{"../testdata/golden/agentgateway/clients-jwt.yaml"}, "")
	if err == nil || !strings.Contains(err.Error(), "give one with --upstream keycloak=URL") {
		t.Errorf("clients-jwt.yaml: err = %v", err)
	}
}

// So are checks of callers the Spec cannot carry: an external
// authorization service, basic authentication.
func TestLoadRefusesUncarriedAccessControls(t *testing.T) {
	for target, policy := range map[string]string{
		"kgateway-v2.1": `apiVersion: gateway.kgateway.dev/v1alpha1
kind: TrafficPolicy
metadata: {name: auth, namespace: kubelb}
spec:
  targetRefs: [{group: gateway.networking.k8s.io, kind: HTTPRoute, name: openai}]
  extAuth: {extensionRef: {name: authz}}
`,
		"agentgateway": `apiVersion: agentgateway.dev/v1alpha1
kind: AgentgatewayPolicy
metadata: {name: auth, namespace: kubelb}
spec:
  targetRefs: [{group: gateway.networking.k8s.io, kind: HTTPRoute, name: openai}]
  traffic:
    basicAuthentication: {users: ["alice:$apr1$abc$def"]}
`,
	} {
		extra := t.TempDir() + "/auth.yaml"
		if err := os.WriteFile(extra, []byte(policy), 0o600); err != nil {
			t.Fatal(err)
		}
		_, _, err := load(t, []string{"../testdata/golden/" + target + "/single-openai.yaml", extra}, "")
		want := map[string]string{"kgateway-v2.1": "TrafficPolicy/auth extAuth", "agentgateway": "AgentgatewayPolicy/auth traffic.basicAuthentication"}[target]
		if err == nil || !strings.Contains(err.Error(), "serve does not enforce "+want+" yet") {
			t.Errorf("%s: err = %v", target, err)
		}
	}
}

// Caller checks on a target the Spec cannot carry (the Gateway, a rule,
// labels) are not served open either.
func TestLoadRefusesCallerChecksElsewhere(t *testing.T) {
	for target, policy := range map[string]string{
		"agentgateway": `apiVersion: agentgateway.dev/v1alpha1
kind: AgentgatewayPolicy
metadata: {name: gw-auth, namespace: kubelb}
spec:
  targetRefs: [{group: gateway.networking.k8s.io, kind: Gateway, name: ai-gateway}]
  traffic:
    apiKeyAuthentication: {mode: Strict, secretRef: {name: keys}}
`,
		"kgateway-v2.1": `apiVersion: gateway.kgateway.dev/v1alpha1
kind: TrafficPolicy
metadata: {name: gw-auth, namespace: kubelb}
spec:
  targetRefs: [{group: gateway.networking.k8s.io, kind: Gateway, name: ai-gateway}]
  rbac: {policy: {matchExpressions: ["request.headers['x-team'] == 'ml'"]}}
`,
	} {
		extra := t.TempDir() + "/auth.yaml"
		if err := os.WriteFile(extra, []byte(policy), 0o600); err != nil {
			t.Fatal(err)
		}
		_, _, err := load(t, []string{"../testdata/golden/" + target + "/single-openai.yaml", extra}, "")
		if err == nil || !strings.Contains(err.Error(), "/gw-auth ") || !strings.Contains(err.Error(), "on a target other than a whole HTTPRoute") {
			t.Errorf("%s: err = %v", target, err)
		}
	}
}

// Caller checks the Spec cannot carry, or that serve would loosen, refuse
// the manifests: keys that are not among them, denying rules, mismatched
// modes, keys read from elsewhere, routes checked differently.
func TestLoadRefusesLoosenedCallerChecks(t *testing.T) {
	policy := func(name, traffic string) string {
		return `apiVersion: agentgateway.dev/v1alpha1
kind: AgentgatewayPolicy
metadata: {name: ` + name + `, namespace: kubelb}
spec:
  targetRefs: [{group: gateway.networking.k8s.io, kind: HTTPRoute, name: openai}]
  traffic:
` + traffic
	}
	const keys = `apiVersion: v1
kind: Secret
metadata: {name: keys, namespace: kubelb, labels: {team: ml}}
stringData: {app: sk-app}
`
	for _, tc := range []struct {
		name, target, manifests, want string
	}{
		{"Secret absent", "agentgateway", policy("auth", "    apiKeyAuthentication: {mode: Strict, secretRef: {name: keys}}\n"),
			"AgentgatewayPolicy/auth traffic.apiKeyAuthentication: its keys (Secret keys) are not among the manifests"},
		{"selector matching nothing", "agentgateway", policy("auth", "    apiKeyAuthentication: {secretSelector: {matchLabels: {team: ops}}}\n") + "---\n" + keys,
			"AgentgatewayPolicy/auth traffic.apiKeyAuthentication: its keys (Secrets labelled team=ops) are not among the manifests"},
		{"authorization Deny", "agentgateway", policy("auth", "    authorization: {action: Deny, policy: {matchExpressions: [\"request.headers['x-team'] == 'ml'\"]}}\n"),
			"AgentgatewayPolicy/auth traffic.authorization: action Deny"},
		{"authorization Require", "agentgateway", policy("auth", "    authorization: {action: Require, policy: {matchExpressions: [\"request.headers['x-team'] == 'ml'\"]}}\n"),
			"AgentgatewayPolicy/auth traffic.authorization: action Require"},
		{"modes differ", "agentgateway", policy("auth", "    apiKeyAuthentication: {mode: Optional, secretRef: {name: keys}}\n    jwtAuthentication: {mode: Strict, providers: [{issuer: i, jwks: {inline: '{\"keys\":[]}'}}]}\n") + "---\n" + keys,
			"AgentgatewayPolicy/auth traffic.apiKeyAuthentication and jwtAuthentication: different modes (Optional, Strict)"},
		{"key in a query parameter", "agentgateway", policy("auth", "    apiKeyAuthentication: {secretRef: {name: keys}, location: {queryParameter: {name: key}}}\n") + "---\n" + keys,
			"AgentgatewayPolicy/auth traffic.apiKeyAuthentication: keys read from other than a whole header"},
		{"policies differ", "agentgateway", policy("auth", "    apiKeyAuthentication: {secretRef: {name: keys}}\n") + "---\n" + keys + "---\n" +
			policy("auth2", "    authorization: {policy: {matchExpressions: [\"request.headers['x-team'] == 'ml'\"]}}\n"),
			"AgentgatewayPolicy/auth2 client checks that differ from AgentgatewayPolicy/auth's"},
		{"rbac Deny", "kgateway-v2.1", `apiVersion: gateway.kgateway.dev/v1alpha1
kind: TrafficPolicy
metadata: {name: auth, namespace: kubelb}
spec:
  targetRefs: [{group: gateway.networking.k8s.io, kind: HTTPRoute, name: openai}]
  rbac: {action: Deny, policy: {matchExpressions: ["request.headers['x-team'] == 'ml'"]}}
`, "TrafficPolicy/auth rbac action Deny"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			extra := t.TempDir() + "/auth.yaml"
			if err := os.WriteFile(extra, []byte(tc.manifests), 0o600); err != nil {
				t.Fatal(err)
			}
			_, _, err := load(t, []string{"../testdata/golden/" + tc.target + "/single-openai.yaml", extra}, "")
			if err == nil || !strings.Contains(err.Error(), "serve does not enforce ") || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %v\nwant it to refuse %q", err, tc.want)
			}
			if err != nil && strings.Contains(err.Error(), "sk-app") {
				t.Errorf("the error holds a key: %v", err)
			}
		})
	}
}

// A Spec served with --from keeps its tracing's content switch, which no
// manifest carries; its collector Service, mapped by --upstream, is where
// the traces go.
func TestLoadTraceContent(t *testing.T) {
	t.Setenv("OTEL_EXPORTER_OTLP_ENDPOINT", "")
	t.Setenv("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "")
	data, err := os.ReadFile("../testdata/specs/tracing.yaml")
	if err != nil {
		t.Fatal(err)
	}
	file := t.TempDir() + "/spec.yaml"
	if err := os.WriteFile(file, bytes.Replace(data, []byte("sampling: 0.25"), []byte("sampling: 0.25\n      content: true"), 1), 0o600); err != nil {
		t.Fatal(err)
	}
	m, err := cluster.ReadManifests(cluster.ManifestOptions{From: file, Target: "agentgateway"})
	if err != nil {
		t.Fatal(err)
	}
	opts := proxy.Options{Target: m.Target, Lookup: func(string) (string, bool) { return "sk-test", true },
		Upstreams: map[string]*url.URL{"otel-collector": {Scheme: "http", Host: "127.0.0.1:4317"}}}
	cfg, err := Load(t.Context(), m, opts, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	defer cfg.Close()
	tracing, _ := cfg.Summary["tracing"].(map[string]any)
	if tracing["content"] != true || tracing["collector"] != "http://127.0.0.1:4317" || tracing["protocol"] != "grpc" || tracing["sampling"] != 0.25 {
		t.Errorf("tracing %v, want the mapped collector over grpc, sampling 0.25, content on", tracing)
	}
}
