package proxy

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/kubelb-ai/kubelb-ai/internal/fakeprovider"
	"github.com/kubelb-ai/kubelb-ai/internal/testenv"
	"github.com/kubelb-ai/kubelb-ai/spec"
	"github.com/kubelb-ai/kubelb-ai/templates"
)

// startServe builds the manifests of o for target, points its providers at
// fakes, serves them on loopback and returns the listener's and the admin
// address.
func startServe(t *testing.T, target string, o spec.Options, fakes map[string]*fakeprovider.Server) (string, string) {
	base, admin, _ := startServeLogged(t, target, o, fakes)
	return base, admin
}

func startServeLogged(t *testing.T, target string, o spec.Options, fakes map[string]*fakeprovider.Server) (string, string, *testenv.Buffer) {
	t.Helper()
	o.Target = target
	g, err := o.Build()
	if err != nil {
		t.Fatal(err)
	}
	return serveMapsLogged(t, renderMaps(t, g), fakes)
}

// serveMaps serves manifests in front of fakes (by provider name) and
// returns the listener's and the admin base URLs.
func serveMaps(t *testing.T, maps []map[string]any, fakes map[string]*fakeprovider.Server) (string, string) {
	base, admin, _ := serveMapsLogged(t, maps, fakes)
	return base, admin
}

func serveMapsLogged(t *testing.T, maps []map[string]any, fakes map[string]*fakeprovider.Server) (string, string, *testenv.Buffer) {
	t.Helper()
	return serveMapsWith(t, maps, fakes, nil)
}

// serveMapsWith is serveMapsLogged with options of the test's own.
func serveMapsWith(t *testing.T, maps []map[string]any, fakes map[string]*fakeprovider.Server, opts func(*Options)) (string, string, *testenv.Buffer) {
	t.Helper()
	ups := map[string]*url.URL{}
	keys := map[string]string{}
	for name, f := range fakes {
		ups[name], _ = url.Parse(f.URL)
		c, _ := templates.LookupProvider(name)
		keys[c.APIKeyEnv] = f.Key
	}
	logs := &testenv.Buffer{}
	o := Options{Listen: map[string]string{"http": "127.0.0.1:0"}, Upstreams: ups,
		Lookup: func(k string) (string, bool) { v, ok := keys[k]; return v, ok }, Client: NewClient(time.Second, 2*time.Second),
		Metrics: NewMetrics(), Log: slog.New(slog.NewJSONHandler(logs, nil))}
	if opts != nil {
		opts(&o)
	}
	cfg, err := buildObjs(maps, o)
	if err != nil {
		t.Fatal(err)
	}
	base, admin := serveConfig(t, cfg)
	return base, admin, logs
}

// serveConfig serves cfg on loopback until the test ends and returns the
// listener's and the admin base URLs.
func serveConfig(t *testing.T, cfg *Config) (string, string) {
	return serveConfigWith(t, cfg, ServeOptions{})
}

// serveConfigWith is serveConfig with o's timeouts.
func serveConfigWith(t testing.TB, cfg *Config, o ServeOptions) (string, string) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	addrs := make(chan map[string]string, 1)
	done := make(chan error, 1)
	o.Admin, o.Drain, o.Ready = "127.0.0.1:0", 5*time.Second, func(a map[string]string) { addrs <- a }
	go func() {
		done <- Serve(ctx, cfg, o)
	}()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Error(err)
		}
	})
	a := <-addrs
	return "http://" + a["http"], "http://" + a["admin"]
}

// The generated routes served locally: each provider at /P with its key
// injected, the failover route, 404 for anything else, and an admin
// /config without keys.
func TestServeGeneratedGateway(t *testing.T) {
	openai := fakeprovider.New(t, fakeprovider.OpenAI, "sk-openai-secret")
	mistral := fakeprovider.New(t, fakeprovider.OpenAI, "sk-mistral-secret")
	anthropic := fakeprovider.New(t, fakeprovider.Anthropic, "sk-ant-secret")
	base, admin, logs := startServeLogged(t, templates.KgatewayV21,
		spec.Options{Providers: []string{"openai", "mistral", "anthropic"}, Failover: []string{"openai", "mistral"}, RateLimit: "3/hour"},
		map[string]*fakeprovider.Server{"openai": openai, "mistral": mistral, "anthropic": anthropic})

	resp, out := post(t, base, "/openai/v1/chat/completions", chat, map[string]string{"Authorization": "Bearer whatever"})
	if resp.StatusCode != 200 || !strings.Contains(out, "echo: hi") {
		t.Fatalf("openai route: %d %s", resp.StatusCode, out)
	}
	openai.Fail(fakeprovider.Fault{Status: 503})
	if resp, out := post(t, base, "/openai/v1/chat/completions", chat, nil); resp.StatusCode != 200 || len(mistral.Requests()) != 1 {
		t.Errorf("failover to mistral: %d %s", resp.StatusCode, out)
	}
	if resp, out := post(t, base, "/anthropic/v1/messages", `{"model":"claude","max_tokens":5,"messages":[{"role":"user","content":"hi"}]}`, nil); resp.StatusCode != 200 {
		t.Errorf("anthropic route: %d %s", resp.StatusCode, out)
	}
	if resp, _ := post(t, base, "/nowhere", chat, nil); resp.StatusCode != 404 {
		t.Errorf("unmatched path: %d", resp.StatusCode)
	}
	r, err := http.Get(admin + "/config")
	if err != nil {
		t.Fatal(err)
	}
	defer r.Body.Close()
	cfgJSON, _ := io.ReadAll(r.Body)
	if r.StatusCode != 200 || !strings.Contains(string(cfgJSON), `"keyInjected": true`) || strings.Contains(string(cfgJSON), "secret") {
		t.Errorf("/config: %d %s", r.StatusCode, cfgJSON)
	}
	if r, err := http.Get(admin + "/healthz"); err != nil || r.StatusCode != 200 {
		t.Errorf("/healthz: %v", err)
	}

	// The third request to /openai uses up its 3/hour; the fourth is limited.
	post(t, base, "/openai/v1/chat/completions", chat, nil)
	if resp, _ := post(t, base, "/openai/v1/chat/completions", chat, nil); resp.StatusCode != 429 {
		t.Errorf("4th request: %d", resp.StatusCode)
	}
	// Metrics and the log line of a request follow its response by a
	// moment: wait for the last one's.
	var metrics []byte
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		mr, err := http.Get(admin + "/metrics")
		if err != nil {
			t.Fatal(err)
		}
		metrics, _ = io.ReadAll(mr.Body)
		mr.Body.Close()
		if strings.Contains(string(metrics), "kubelb_ai_rate_limited_total") && strings.Contains(logs.String(), `"status":429`) {
			break
		}
	}
	for _, want := range []string{
		`kubelb_ai_requests_total{backend="openai",provider="openai",route="kubelb/openai",status="200"} 2`,
		`kubelb_ai_requests_total{backend="openai",provider="mistral",route="kubelb/openai",status="200"} 1`,
		`kubelb_ai_failovers_total{from="openai",route="kubelb/openai",to="mistral"} 1`,
		`kubelb_ai_rate_limited_total{route="kubelb/openai"} 1`,
		`kubelb_ai_request_duration_seconds_count{route="kubelb/anthropic"} 1`,
		`kubelb_ai_time_to_first_byte_seconds_count{route="kubelb/openai"}`,
		`kubelb_ai_upstream_duration_seconds_count{provider="anthropic"} 1`,
	} {
		if !strings.Contains(string(metrics), want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
	log := logs.String()
	if !strings.Contains(log, `"route":"kubelb/openai"`) || !strings.Contains(log, `"failovers":1`) || !strings.Contains(log, `"status":429`) {
		t.Errorf("access log:\n%s", log)
	}
	for _, key := range []string{"sk-openai-secret", "sk-mistral-secret", "sk-ant-secret", "whatever", "echo: hi"} {
		if strings.Contains(log, key) {
			t.Errorf("the access log holds %q", key)
		}
	}
}
