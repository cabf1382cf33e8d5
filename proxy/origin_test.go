package proxy

import (
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/runtime"
	gwv1 "sigs.k8s.io/gateway-api/apis/v1"

	"github.com/kubelb-ai/kubelb-ai/dataplane"
	"github.com/kubelb-ai/kubelb-ai/generate"
	"github.com/kubelb-ai/kubelb-ai/internal/fakeprovider"
	"github.com/kubelb-ai/kubelb-ai/internal/testenv"
	"github.com/kubelb-ai/kubelb-ai/spec"
	"github.com/kubelb-ai/kubelb-ai/templates"
)

// service is a plain HTTP backend (a Service) that records what reaches
// it and answers with the path it got.
type service struct {
	*httptest.Server
	mu   sync.Mutex
	seen []string // method and path of each request
}

func newService(t *testing.T) *service {
	s := &service{}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.seen = append(s.seen, r.Method+" "+r.URL.EscapedPath())
		s.mu.Unlock()
		// A backend's own CORS answer, which serve must not pass on
		// for an origin it allows with other headers.
		w.Header().Set("Access-Control-Allow-Origin", "*")
		w.Header().Set("X-Req-Id", "42")
		io.WriteString(w, "svc:"+r.URL.EscapedPath())
	}))
	t.Cleanup(s.Close)
	return s
}

func (s *service) requests() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.seen...)
}

// svcRoute is an HTTPRoute from /svc to Service svc, on the generated
// Gateway.
const svcRoute = `
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: svc, namespace: kubelb}
spec:
  parentRefs: [{name: ai-gateway}]
  hostnames: [api.example.test, "*.wild.test", localhost, 127.0.0.1]
  rules:
  - matches: [{path: {type: PathPrefix, value: /svc}}]
    backendRefs: [{name: svc, port: 80}]
`

// edgeFixture is serve in front of an OpenAI fake (route /openai, an AI
// backend with a key) and a Service at /svc whose upstream is svc's
// /base, with extra manifests and options.
type edgeFixture struct {
	base, admin string
	openai      *fakeprovider.Server
	svc         *service
	logs        *testenv.Buffer
}

func startEdge(t *testing.T, target, extra string, opts Options) *edgeFixture {
	t.Helper()
	f := &edgeFixture{openai: fakeprovider.New(t, fakeprovider.OpenAI, "sk-injected"), svc: newService(t), logs: &testenv.Buffer{}}
	g, err := spec.Options{Target: target, Providers: []string{"openai"}}.Build()
	if err != nil {
		t.Fatal(err)
	}
	maps := renderMaps(t, g)
	more, err := generate.DecodeManifests([]byte(svcRoute + "\n---\n" + extra))
	if err != nil {
		t.Fatal(err)
	}
	maps = append(maps, more...)
	ups := map[string]*url.URL{}
	ups["openai"], _ = url.Parse(f.openai.URL)
	ups["svc"], _ = url.Parse(f.svc.URL + "/base")
	opts.Listen = map[string]string{"http": "127.0.0.1:0"}
	opts.Upstreams = ups
	opts.Lookup = func(string) (string, bool) { return "sk-injected", true }
	opts.Client = NewClient(time.Second, 5*time.Second)
	opts.Log = slog.New(slog.NewJSONHandler(f.logs, nil))
	cfg, err := buildObjs(maps, opts)
	if err != nil {
		t.Fatal(err)
	}
	f.base, f.admin = serveConfig(t, cfg)
	return f
}

// do sends a request with the given Host (if not empty) and headers and
// returns the response with its body.
func do(t *testing.T, method, u, host, body string, header map[string]string) (*http.Response, string) {
	t.Helper()
	resp, out, err := fetch(t, method, u, host, body, header)
	if resp == nil {
		t.Fatal(err)
	}
	return resp, out
}

// fetch is do that returns the error of an answer that could not be read
// whole (a broken one) instead of failing.
func fetch(t *testing.T, method, u, host, body string, header map[string]string) (*http.Response, string, error) {
	t.Helper()
	req, err := http.NewRequest(method, u, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if host != "" {
		req.Host = host
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp, string(b), err
}

// gatewayError checks a refusal's body: the gateway's JSON error with a
// message that holds want.
func gatewayError(t *testing.T, what, body, want string) {
	t.Helper()
	var e struct {
		Error struct{ Type, Message string }
	}
	if err := json.Unmarshal([]byte(body), &e); err != nil || e.Error.Type != "gateway_error" || !strings.Contains(e.Error.Message, want) {
		t.Errorf("%s: body %s, want a gateway_error saying %q", what, body, want)
	}
}

func port(base string) string {
	u, _ := url.Parse(base)
	return u.Port()
}

const chatPath = "/openai/v1/chat/completions"

// DNS rebinding: a page at evil.example re-points its name at 127.0.0.1
// and posts, same-origin as far as the browser knows, with text/plain (no
// preflight). Before, serve answered 200 and spent the injected key; now a
// loopback listener answers only loopback names, the manifests' hostnames
// and --allow-host, and the provider never hears of the request.
func TestLoopbackRefusesForeignHost(t *testing.T) {
	f := startEdge(t, templates.KgatewayV21, "", Options{AllowHosts: []string{"my-laptop.test", "*.dev.test"}})
	p := port(f.base)

	for _, host := range []string{"evil.example:" + p, "evil.example", "EVIL.example.:" + p, "wild.test:" + p, "192.168.1.5:" + p, "127.0.0.1.evil.example:" + p} {
		resp, body := do(t, "POST", f.base+chatPath, host, chat, map[string]string{"Content-Type": "text/plain", "Origin": "http://" + host})
		if resp.StatusCode != http.StatusMisdirectedRequest {
			t.Errorf("Host %s: %d %s, want 421", host, resp.StatusCode, body)
			continue
		}
		gatewayError(t, "Host "+host, body, "--allow-host ")
	}
	if n := len(f.openai.Requests()); n != 0 {
		t.Fatalf("the provider was called %d times for refused hosts", n)
	}

	// Loopback, the manifests' hostnames and --allow-host's.
	for _, host := range []string{"127.0.0.1:" + p, "localhost:" + p, "localhost", "127.9.9.9", "[::1]:" + p, "api.example.test",
		"a.b.wild.test:" + p, "my-laptop.test:" + p, "x.dev.test"} {
		resp, body := do(t, "POST", f.base+chatPath, host, chat, map[string]string{"Content-Type": "application/json"})
		if resp.StatusCode != 200 {
			t.Errorf("Host %s: %d %s, want 200", host, resp.StatusCode, body)
		}
	}
	// The refusals are in the access log.
	if !strings.Contains(f.logs.String(), `"status":421`) {
		t.Errorf("no access log line for the refused requests:\n%s", f.logs.String())
	}
}

// CSRF: any web page can post text/plain to 127.0.0.1 without a
// preflight. Before, serve answered 200 and spent the key; now a request
// whose Origin no CORS policy or --allow-origin allows is refused, and so
// is Origin: null. The listener's own origin is no cross-origin request.
func TestCrossOriginRefused(t *testing.T) {
	f := startEdge(t, templates.KgatewayV21, "", Options{})
	p := port(f.base)
	for _, c := range []struct{ origin, want string }{
		{"https://evil.example", "--allow-origin https://evil.example"},
		{"http://localhost:" + p, "--allow-origin http://localhost:" + p}, // another origin than 127.0.0.1's
		{"http://127.0.0.1:1", "--allow-origin http://127.0.0.1:1"},
		{"null", "--allow-origin null"},
		{"garbage", "not an origin"},
	} {
		resp, body := do(t, "POST", f.base+chatPath, "", chat, map[string]string{"Content-Type": "text/plain", "Origin": c.origin})
		if resp.StatusCode != http.StatusForbidden {
			t.Errorf("Origin %s: %d %s, want 403", c.origin, resp.StatusCode, body)
			continue
		}
		gatewayError(t, "Origin "+c.origin, body, c.want)
		if resp.Header.Get("Access-Control-Allow-Origin") != "" {
			t.Errorf("Origin %s: a refusal carries CORS headers", c.origin)
		}
	}
	if n := len(f.openai.Requests()); n != 0 {
		t.Fatalf("the provider was called %d times for refused origins", n)
	}
	// The listener's own origin: allowed, no CORS headers needed.
	resp, body := do(t, "POST", f.base+chatPath, "", chat, map[string]string{"Origin": "http://127.0.0.1:" + p, "Content-Type": "application/json"})
	if resp.StatusCode != 200 || resp.Header.Get("Access-Control-Allow-Origin") != "" {
		t.Errorf("same origin: %d %v %s", resp.StatusCode, resp.Header, body)
	}
	// An unmatched path with a foreign Origin is refused before the 404.
	if resp, _ := do(t, "POST", f.base+"/nowhere", "", chat, map[string]string{"Origin": "https://evil.example"}); resp.StatusCode != 403 {
		t.Errorf("unmatched path, foreign origin: %d, want 403", resp.StatusCode)
	}
}

// Preflights are answered by serve and never forwarded (before, OPTIONS
// went upstream with the key); a bare OPTIONS to an AI backend is answered
// too, while one to a Service goes through.
func TestPreflightAnsweredLocally(t *testing.T) {
	f := startEdge(t, templates.KgatewayV21, "", Options{AllowOrigins: []string{"http://localhost:3000"}})
	preflight := map[string]string{"Origin": "https://evil.example", "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "authorization, content-type"}
	resp, body := do(t, "OPTIONS", f.base+chatPath, "", "", preflight)
	if resp.StatusCode != 403 {
		t.Errorf("refused preflight: %d %s", resp.StatusCode, body)
	}
	resp, body = do(t, "OPTIONS", f.base+chatPath, "", "", nil)
	if resp.StatusCode != 204 || resp.Header.Get("Allow") == "" {
		t.Errorf("bare OPTIONS to an AI backend: %d %v %s", resp.StatusCode, resp.Header, body)
	}
	preflight["Origin"] = "http://localhost:3000"
	resp, body = do(t, "OPTIONS", f.base+chatPath, "", "", preflight)
	h := resp.Header
	if resp.StatusCode != 204 || h.Get("Access-Control-Allow-Origin") != "http://localhost:3000" || h.Get("Access-Control-Allow-Methods") != "POST" ||
		h.Get("Access-Control-Allow-Headers") != "authorization, content-type" || h.Get("Access-Control-Max-Age") != "5" || h.Get("Access-Control-Allow-Credentials") != "" {
		t.Errorf("allowed preflight: %d %v %s", resp.StatusCode, h, body)
	}
	if n := len(f.openai.Requests()); n != 0 {
		t.Fatalf("the provider heard %d OPTIONS requests", n)
	}
	// The actual request from the allowed origin: the CORS headers, in
	// place of the backend's own.
	resp, body = do(t, "POST", f.base+chatPath, "", chat, map[string]string{"Origin": "http://localhost:3000", "Content-Type": "application/json"})
	if resp.StatusCode != 200 || resp.Header.Get("Access-Control-Allow-Origin") != "http://localhost:3000" || resp.Header.Get("Vary") != "Origin" {
		t.Errorf("allowed origin: %d %v %s", resp.StatusCode, resp.Header, body)
	}
	resp, _ = do(t, "GET", f.base+"/svc/x", "", "", map[string]string{"Origin": "http://localhost:3000"})
	if got := resp.Header.Values("Access-Control-Allow-Origin"); len(got) != 1 || got[0] != "http://localhost:3000" || resp.Header.Get("Access-Control-Expose-Headers") != "*" {
		t.Errorf("a Service's own CORS headers passed on: %v", resp.Header)
	}
	// OPTIONS without Origin to a Service is the Service's business.
	if resp, body := do(t, "OPTIONS", f.base+"/svc/x", "", "", nil); resp.StatusCode != 200 || body != "svc:/base/svc/x" {
		t.Errorf("bare OPTIONS to a Service: %d %s", resp.StatusCode, body)
	}
}

// The admin endpoints follow the same rule: /config named by a foreign
// Host (rebinding) or asked from a foreign page is refused.
func TestAdminFollowsHostAndOriginRule(t *testing.T) {
	f := startEdge(t, templates.KgatewayV21, "", Options{AllowOrigins: []string{"https://dash.example.test"}})
	p := port(f.admin)
	resp, body := do(t, "GET", f.admin+"/config", "evil.example:"+p, "", nil)
	if resp.StatusCode != 421 {
		t.Errorf("/config for Host evil.example: %d %s", resp.StatusCode, body)
	}
	gatewayError(t, "admin Host", body, "--allow-host evil.example")
	if resp, body := do(t, "GET", f.admin+"/config", "", "", map[string]string{"Origin": "https://evil.example"}); resp.StatusCode != 403 {
		t.Errorf("/config from a foreign page: %d %s", resp.StatusCode, body)
	}
	if resp, body := do(t, "GET", f.admin+"/healthz", "api.example.test", "", nil); resp.StatusCode != 200 {
		t.Errorf("/healthz for a manifest's hostname: %d %s", resp.StatusCode, body)
	}
	resp, body = do(t, "GET", f.admin+"/config", "", "", map[string]string{"Origin": "https://dash.example.test"})
	if resp.StatusCode != 200 || resp.Header.Get("Access-Control-Allow-Origin") != "https://dash.example.test" || !strings.Contains(body, "listeners") {
		t.Errorf("/config from an allowed page: %d %v %s", resp.StatusCode, resp.Header, body)
	}
	resp, _ = do(t, "OPTIONS", f.admin+"/config", "", "", map[string]string{"Origin": "https://evil.example", "Access-Control-Request-Method": "GET"})
	if resp.StatusCode != 403 {
		t.Errorf("admin preflight from a foreign page: %d", resp.StatusCode)
	}
}

// CORS policies of the manifests, from each place they can be written,
// allow their origins with their headers on the routes they attach to;
// a kgateway policy's disable turns a wider one off.
func TestCORSPoliciesFromManifests(t *testing.T) {
	const fields = `
    allowOrigins: ["https://app.example.test", "https://*.corp.test"]
    allowCredentials: true
    allowMethods: [PUT]
    allowHeaders: [x-custom]
    exposeHeaders: [x-req-id]
    maxAge: 60`
	cases := []struct {
		name, target, extra string
		// paths with the policy, and without
		with, without string
	}{
		{"HTTPRoute CORS filter", templates.KgatewayV21, `
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: svc2, namespace: kubelb}
spec:
  parentRefs: [{name: ai-gateway}]
  rules:
  - matches: [{path: {type: PathPrefix, value: /svc2}}]
    backendRefs: [{name: svc, port: 80}]
    filters:
    - type: CORS
      cors:` + strings.ReplaceAll(fields, "\n    ", "\n        "), "/svc2/x", chatPath},
		{"kgateway TrafficPolicy on a route, disabled on another", templates.KgatewayV21, `
apiVersion: gateway.kgateway.dev/v1alpha1
kind: TrafficPolicy
metadata: {name: gateway-cors, namespace: kubelb}
spec:
  targetRefs: [{group: gateway.networking.k8s.io, kind: Gateway, name: ai-gateway}]
  cors:` + fields + `
---
apiVersion: gateway.kgateway.dev/v1alpha1
kind: TrafficPolicy
metadata: {name: no-cors, namespace: kubelb}
spec:
  targetRefs: [{group: gateway.networking.k8s.io, kind: HTTPRoute, name: svc}]
  cors: {disable: {}}
`, chatPath, "/svc/x"},
		{"AgentgatewayPolicy selecting routes by label", templates.Agentgateway, `
apiVersion: agentgateway.dev/v1alpha1
kind: AgentgatewayPolicy
metadata: {name: cors, namespace: kubelb}
spec:
  targetSelectors: [{group: gateway.networking.k8s.io, kind: HTTPRoute, matchLabels: {app.kubernetes.io/part-of: ai-gateway}}]
  traffic:
    cors:` + strings.ReplaceAll(fields, "\n    ", "\n      "), chatPath, "/svc/x"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := startEdge(t, c.target, c.extra, Options{})
			for _, o := range []string{"https://app.example.test", "https://a.b.corp.test"} {
				resp, body := do(t, "OPTIONS", f.base+c.with, "", "", map[string]string{"Origin": o, "Access-Control-Request-Method": "PUT", "Access-Control-Request-Headers": "X-Custom"})
				h := resp.Header
				if resp.StatusCode != 204 || h.Get("Access-Control-Allow-Origin") != o || h.Get("Access-Control-Allow-Credentials") != "true" ||
					h.Get("Access-Control-Allow-Methods") != "PUT" || h.Get("Access-Control-Allow-Headers") != "x-custom" || h.Get("Access-Control-Max-Age") != "60" {
					t.Errorf("preflight from %s: %d %v %s", o, resp.StatusCode, h, body)
				}
				resp, body = do(t, "POST", f.base+c.with, "", chat, map[string]string{"Origin": o, "Content-Type": "application/json"})
				h = resp.Header
				if resp.StatusCode != 200 || h.Get("Access-Control-Allow-Origin") != o || h.Get("Access-Control-Allow-Credentials") != "true" ||
					h.Get("Access-Control-Expose-Headers") != "x-req-id" || h.Get("Vary") != "Origin" {
					t.Errorf("request from %s: %d %v %s", o, resp.StatusCode, h, body)
				}
			}
			for _, pre := range []map[string]string{
				{"Origin": "https://app.example.test", "Access-Control-Request-Method": "DELETE"},
				{"Origin": "https://app.example.test", "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "x-other"},
				{"Origin": "https://corp.test", "Access-Control-Request-Method": "POST"},
				{"Origin": "http://app.example.test", "Access-Control-Request-Method": "POST"},
			} {
				if resp, body := do(t, "OPTIONS", f.base+c.with, "", "", pre); resp.StatusCode != 403 {
					t.Errorf("preflight %v: %d %s, want 403", pre, resp.StatusCode, body)
				}
			}
			resp, body := do(t, "POST", f.base+c.with, "", chat, map[string]string{"Origin": "https://evil.example"})
			if resp.StatusCode != 403 {
				t.Errorf("a foreign origin on the policy's route: %d %s", resp.StatusCode, body)
			}
			gatewayError(t, "foreign origin", body, "does not allow this origin")
			if resp, body := do(t, "POST", f.base+c.without, "", chat, map[string]string{"Origin": "https://app.example.test"}); resp.StatusCode != 403 {
				t.Errorf("the policy's origin on a route without it (%s): %d %s", c.without, resp.StatusCode, body)
			}
		})
	}
}

// A listener bound to all interfaces or a LAN address is a cluster
// gateway: any Host routes. The Origin rule still holds there, and a page
// under a rebound name is not the listener's own origin.
func TestClusterListenerRoutesAnyHost(t *testing.T) {
	next := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "ok") })
	for _, c := range []struct {
		addr     string
		loopback bool
	}{
		{"0.0.0.0:8080", false}, {":8080", false}, {"[::]:8080", false}, {"192.168.1.5:8080", false},
		{"127.0.0.1:8080", true}, {"127.0.0.2:8080", true}, {"localhost:8080", true}, {"[::1]:8080", true},
	} {
		if got := Loopback(c.addr); got != c.loopback {
			t.Errorf("Loopback(%s) = %v", c.addr, got)
		}
		h := guardAdmin(c.addr, func() *edge { return &edge{} }, next)
		for _, tc := range []struct {
			host, origin string
			want         int
		}{
			{"evil.example:8080", "", map[bool]int{false: 200, true: 421}[c.loopback]},
			{"evil.example:8080", "http://evil.example:8080", map[bool]int{false: 403, true: 421}[c.loopback]},
			{"192.168.1.5:8080", "http://192.168.1.5:8080", map[bool]int{false: 200, true: 421}[c.loopback]},
			{"localhost:8080", "http://localhost:8080", 200},
		} {
			rec := httptest.NewRecorder()
			req := httptest.NewRequest("POST", "http://"+tc.host+"/x", strings.NewReader(""))
			if tc.origin != "" {
				req.Header.Set("Origin", tc.origin)
			}
			h.ServeHTTP(rec, req)
			if rec.Code != tc.want {
				t.Errorf("bound to %s, Host %s, Origin %q: %d, want %d", c.addr, tc.host, tc.origin, rec.Code, tc.want)
			}
		}
	}
}

func TestOriginsAndFlags(t *testing.T) {
	for _, c := range []struct {
		pattern, origin string
		want            bool
	}{
		{"http://localhost:3000", "http://localhost:3000", true},
		{"http://localhost:3000", "http://LOCALHOST:3000", true},
		{"http://localhost:3000", "http://localhost:3001", false},
		{"http://localhost:3000", "https://localhost:3000", false},
		{"https://app.test", "https://app.test:443", true},
		{"https://app.test", "https://app.test:8443", false},
		{"https://*.app.test", "https://a.b.app.test", true},
		{"https://*.app.test", "https://app.test", false},
		{"https://*.app.test", "https://evilapp.test", false},
		{"http://*", "http://anything.test", true},
		{"http://[::1]:8080", "http://[::1]:8080", true},
	} {
		p, err := parseOrigin(c.pattern)
		if err != nil {
			t.Fatalf("%s: %v", c.pattern, err)
		}
		o, err := parseOrigin(c.origin)
		if err != nil {
			t.Fatalf("%s: %v", c.origin, err)
		}
		if got := p.matches(o); got != c.want {
			t.Errorf("%s matches %s = %v", c.pattern, c.origin, got)
		}
	}
	for _, bad := range []string{"localhost:3000", "http://localhost:3000/", "http://a.test/path", "http://", "http://a.test:99999", "://x"} {
		if _, err := flagPolicy([]string{bad}); err == nil {
			t.Errorf("--allow-origin %s accepted", bad)
		}
	}
	for in, want := range map[string]string{"My-Laptop.test": "my-laptop.test", "my-laptop.test:8080": "my-laptop.test", "*.dev.test": "*.dev.test",
		"*": "*", "[::1]:80": "::1", "10.0.0.1": "10.0.0.1"} {
		if got, err := checkAllowHost(in); err != nil || got != want {
			t.Errorf("--allow-host %s: %q %v, want %q", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "a*.test", "*.", "http://x.test", "x..test", "a/b"} {
		if _, err := checkAllowHost(bad); err == nil {
			t.Errorf("--allow-host %q accepted", bad)
		}
	}
	// Build refuses them with the flag's name.
	g, _ := spec.Options{Target: templates.KgatewayV21, Providers: []string{"openai"}}.Build()
	_, err := buildObjs(renderMaps(t, g), Options{Lookup: func(string) (string, bool) { return "k", true }, AllowOrigins: []string{"localhost:3000"}})
	if err == nil || !strings.Contains(err.Error(), "--allow-origin localhost:3000") {
		t.Errorf("Build with a bad --allow-origin: %v", err)
	}
}

// Which CORS policy a rule gets: the most specific attachment, whole.
func TestCORSPolicyPrecedence(t *testing.T) {
	objs, err := generate.DecodeManifests([]byte(`
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: gw, namespace: ns}
spec:
  gatewayClassName: x
  listeners: [{name: http, port: 8080, protocol: HTTP}, {name: other, port: 8081, protocol: HTTP}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: r, namespace: ns}
spec:
  parentRefs: [{name: gw}]
  rules:
  - name: filtered
    filters: [{type: CORS, cors: {allowOrigins: ["https://filter.test"]}}]
    backendRefs: [{name: s}]
  - name: extref
    filters: [{type: ExtensionRef, extensionRef: {group: gateway.kgateway.dev, kind: TrafficPolicy, name: by-ref}}]
    backendRefs: [{name: s}]
  - name: sectioned
    backendRefs: [{name: s}]
  - name: plain
    backendRefs: [{name: s}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: bare, namespace: ns}
spec:
  parentRefs: [{name: gw}]
  rules: [{backendRefs: [{name: s}]}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: elsewhere, namespace: other}
spec:
  parentRefs: [{name: gw, namespace: ns}]
  rules: [{backendRefs: [{name: s}]}]
---
apiVersion: gateway.kgateway.dev/v1alpha1
kind: TrafficPolicy
metadata: {name: by-ref, namespace: ns}
spec: {cors: {allowOrigins: ["https://ref.test"]}}
---
apiVersion: gateway.kgateway.dev/v1alpha1
kind: TrafficPolicy
metadata: {name: rule, namespace: ns}
spec:
  targetRefs: [{group: gateway.networking.k8s.io, kind: HTTPRoute, name: r, sectionName: sectioned}]
  cors: {allowOrigins: ["https://rule.test"]}
---
apiVersion: gateway.kgateway.dev/v1alpha1
kind: TrafficPolicy
metadata: {name: route-b, namespace: ns, creationTimestamp: "2024-02-01T00:00:00Z"}
spec:
  targetRefs: [{group: gateway.networking.k8s.io, kind: HTTPRoute, name: r}]
  cors: {allowOrigins: ["https://newer.test"]}
---
apiVersion: gateway.kgateway.dev/v1alpha1
kind: TrafficPolicy
metadata: {name: route-a, namespace: ns, creationTimestamp: "2024-01-01T00:00:00Z"}
spec:
  targetRefs: [{group: gateway.networking.k8s.io, kind: HTTPRoute, name: r}]
  cors: {allowOrigins: ["https://route.test"]}
---
apiVersion: gateway.kgateway.dev/v1alpha1
kind: TrafficPolicy
metadata: {name: wrong-namespace, namespace: ns}
spec:
  targetRefs: [{group: gateway.networking.k8s.io, kind: HTTPRoute, name: elsewhere}]
  cors: {allowOrigins: ["https://wrong-namespace.test"]}
---
apiVersion: agentgateway.dev/v1alpha1
kind: AgentgatewayPolicy
metadata: {name: listener, namespace: ns}
spec:
  targetRefs: [{group: gateway.networking.k8s.io, kind: Gateway, name: gw, sectionName: http}]
  traffic: {cors: {allowOrigins: ["https://listener.test"]}}
---
apiVersion: agentgateway.dev/v1alpha1
kind: AgentgatewayPolicy
metadata: {name: gateway, namespace: ns}
spec:
  targetRefs: [{group: gateway.networking.k8s.io, kind: Gateway, name: gw}]
  traffic: {cors: {allowOrigins: ["https://gateway.test"]}}
`))
	if err != nil {
		t.Fatal(err)
	}
	gw := &gwv1.Gateway{}
	var routes []*gwv1.HTTPRoute
	for _, o := range objs {
		switch o["kind"] {
		case "Gateway":
			if err := runtime.DefaultUnstructuredConverter.FromUnstructured(o, gw); err != nil {
				t.Fatal(err)
			}
		case "HTTPRoute":
			r := &gwv1.HTTPRoute{}
			if err := runtime.DefaultUnstructuredConverter.FromUnstructured(o, r); err != nil {
				t.Fatal(err)
			}
			routes = append(routes, r)
		}
	}
	policies := manifestCORS(dataplane.CORSPolicies(objs))
	allowed := func(l gwv1.Listener, route, rule int) string {
		pol := corsRules(policies, gw, l, routes)[ruleKey{routes[route], rule}]
		if pol == nil || len(pol.origins) != 1 {
			return ""
		}
		return pol.origins[0].host
	}
	web, other := gw.Spec.Listeners[0], gw.Spec.Listeners[1]
	for _, c := range []struct {
		l           gwv1.Listener
		route, rule int
		want        string
	}{
		{web, 0, 0, "filter.test"},
		{web, 0, 1, "ref.test"},
		{web, 0, 2, "rule.test"},
		{web, 0, 3, "route.test"}, // the older of two route policies
		{web, 1, 0, "listener.test"},
		{other, 1, 0, "gateway.test"},
		// A route policy targets routes of its own namespace; the
		// Gateway's applies to every route attached to it.
		{other, 2, 0, "gateway.test"},
	} {
		if got := allowed(c.l, c.route, c.rule); got != c.want {
			t.Errorf("listener %s, route %s rule %d: %q, want %q", c.l.Name, routes[c.route].Name, c.rule, got, c.want)
		}
	}
}
