package proxy

import (
	"encoding/hex"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	tracev1 "go.opentelemetry.io/proto/otlp/trace/v1"

	"github.com/kubelb-ai/kubelb-ai/generate"
	"github.com/kubelb-ai/kubelb-ai/internal/fakeprovider"
	"github.com/kubelb-ai/kubelb-ai/internal/otlptest"
	"github.com/kubelb-ai/kubelb-ai/spec"
	"github.com/kubelb-ai/kubelb-ai/templates"
)

// otelEnv clears the OTEL_* variables that would configure serve's
// exporter, sets vars, and has the batch processor export every 50ms so
// that spans arrive while the test waits.
func otelEnv(t *testing.T, vars map[string]string) {
	for _, k := range []string{"OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "OTEL_EXPORTER_OTLP_PROTOCOL",
		"OTEL_EXPORTER_OTLP_TRACES_PROTOCOL", "OTEL_SDK_DISABLED", "OTEL_TRACES_EXPORTER", "OTEL_TRACES_SAMPLER", "OTEL_TRACES_SAMPLER_ARG"} {
		t.Setenv(k, vars[k])
	}
	t.Setenv("OTEL_BSP_SCHEDULE_DELAY", "50")
}

// collectorManifests are agentgateway manifests for openai whose tracing
// sends OTLP/HTTP spans to the Service otel-collector.observability:4318.
func collectorManifests(t *testing.T) []map[string]any {
	t.Helper()
	return renderMaps(t, mustBuild(t, spec.Options{Target: templates.Agentgateway, Providers: []string{"openai"},
		TracingOptions: spec.TracingOptions{TracingEndpoint: "otel-collector.observability:4318", TracingProtocol: "http", TracingSampling: "0.5"}}))
}

// buildTraced builds maps for serving with o, the imported Spec's tracing
// content set as a Spec served with --from may set it (manifests have no
// such field).
func buildTraced(t *testing.T, maps []map[string]any, o Options, content bool) *Config {
	t.Helper()
	in, err := generate.ImportAs(maps, o.Target)
	if err != nil {
		t.Fatal(err)
	}
	if tr := in.Gateway.Spec.Observability; tr == nil || tr.Tracing == nil {
		t.Fatal("the manifests' tracing was not imported")
	}
	in.Gateway.Spec.Observability.Tracing.Content = content
	cfg, err := Build(Manifests{Spec: in.Gateway, Gateway: in.GatewayObject, Routes: in.HTTPRoutes, RouteTypes: in.RouteTypes}, o)
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

// serveTraced serves maps in front of openai, --upstream mapping each of
// services (name → URL), and returns the listener's and admin's URLs and
// the configuration's warnings.
func serveTraced(t *testing.T, maps []map[string]any, openai *fakeprovider.Server, services map[string]string, content bool) (string, string, []string) {
	t.Helper()
	o := Options{Listen: map[string]string{"http": "127.0.0.1:0"}, Upstreams: map[string]*url.URL{}, Metrics: NewMetrics(),
		Lookup: func(string) (string, bool) { return openai.Key, true }, Client: NewClient(time.Second, 2*time.Second)}
	o.Upstreams["openai"], _ = url.Parse(openai.URL)
	for name, raw := range services {
		o.Upstreams[name], _ = url.Parse(raw)
	}
	cfg := buildTraced(t, maps, o, content)
	base, admin := serveConfig(t, cfg)
	return base, admin, cfg.Warnings
}

// spanOf is the first span of kind named with prefix, or nil.
func spanOf(spans []*tracev1.Span, kind tracev1.Span_SpanKind, prefix string) *tracev1.Span {
	for _, s := range spans {
		if s.GetKind() == kind && strings.HasPrefix(s.GetName(), prefix) {
			return s
		}
	}
	return nil
}

func hasRequestSpans(spans []*tracev1.Span) bool {
	return spanOf(spans, tracev1.Span_SPAN_KIND_SERVER, "POST") != nil && spanOf(spans, tracev1.Span_SPAN_KIND_CLIENT, "chat ") != nil
}

// The manifests' tracing, its collector Service mapped by --upstream to a
// local OTLP/HTTP receiver: serve exports a request's spans there,
// continuing the caller's sampled trace, with content as the Spec asks; and /metrics, scraped as OpenMetrics, has that trace's id as the
// exemplar of gen_ai_client_operation_duration.
func TestTracingFromManifests(t *testing.T) {
	otelEnv(t, nil)
	collector := otlptest.NewHTTP(t)
	openai := fakeprovider.New(t, fakeprovider.OpenAI, "sk-openai")
	base, admin, warnings := serveTraced(t, collectorManifests(t), openai, map[string]string{"otel-collector": collector.URL}, true)
	for _, w := range warnings {
		if strings.Contains(w, "tracing") {
			t.Errorf("warning for a mapped collector: %s", w)
		}
	}
	const traceID = "4bf92f3577b34da6a3ce929d0e0e4736"
	if resp, out := post(t, base, "/openai/v1/chat/completions", chat, map[string]string{"Traceparent": "00-" + traceID + "-00f067aa0ba902b7-01"}); resp.StatusCode != 200 {
		t.Fatalf("%d %s", resp.StatusCode, out)
	}
	spans := collector.Wait(t, 10*time.Second, hasRequestSpans)
	server, client := spanOf(spans, tracev1.Span_SPAN_KIND_SERVER, "POST"), spanOf(spans, tracev1.Span_SPAN_KIND_CLIENT, "chat ")
	if hex.EncodeToString(server.GetTraceId()) != traceID || hex.EncodeToString(client.GetTraceId()) != traceID || string(client.GetParentSpanId()) != string(server.GetSpanId()) {
		t.Errorf("SERVER span in trace %x, CLIENT span in trace %x under %x; want both in %s, the CLIENT under the SERVER %x",
			server.GetTraceId(), client.GetTraceId(), client.GetParentSpanId(), traceID, server.GetSpanId())
	}
	if server.GetName() != "POST kubelb/openai" || client.GetName() != "chat gpt-4o-mini" {
		t.Errorf("spans %q and %q, want POST kubelb/openai and chat gpt-4o-mini", server.GetName(), client.GetName())
	}
	var content bool
	for _, a := range client.GetAttributes() {
		content = content || a.GetKey() == "gen_ai.input.messages"
	}
	if !content {
		t.Errorf("content: true in the manifests, yet no gen_ai.input.messages on %q", client.GetName())
	}
	req, _ := http.NewRequest(http.MethodGet, admin+"/metrics", nil)
	req.Header.Set("Accept", "application/openmetrics-text; version=1.0.0")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !regexp.MustCompile(`(?m)^gen_ai_client_operation_duration_bucket\{.*\} 1 # \{.*trace_id="` + traceID + `"`).Match(body) {
		t.Errorf("no exemplar with trace %s on gen_ai_client_operation_duration:\n%s", traceID, grepLines(string(body), "gen_ai_client_operation_duration_bucket"))
	}
}

// OTEL_EXPORTER_OTLP_ENDPOINT wins over the manifests' collector: the
// spans go to the variable's, none to the manifests', and serve says so.
func TestTracingEnvironmentWins(t *testing.T) {
	fromEnv, fromManifests := otlptest.NewHTTP(t), otlptest.NewHTTP(t)
	otelEnv(t, map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": fromEnv.URL})
	openai := fakeprovider.New(t, fakeprovider.OpenAI, "sk-openai")
	base, _, warnings := serveTraced(t, collectorManifests(t), openai, map[string]string{"otel-collector": fromManifests.URL}, false)
	if resp, out := post(t, base, "/openai/v1/chat/completions", chat, nil); resp.StatusCode != 200 {
		t.Fatalf("%d %s", resp.StatusCode, out)
	}
	if !slices.ContainsFunc(warnings, func(w string) bool { return strings.Contains(w, "not to the manifests' collector otel-collector") }) {
		t.Errorf("warnings %q: none says the variable wins over the manifests' collector", warnings)
	}
	fromEnv.Wait(t, 10*time.Second, hasRequestSpans)
	time.Sleep(200 * time.Millisecond) // four export periods
	if spans := fromManifests.Spans(); len(spans) > 0 {
		t.Errorf("the manifests' collector got %d spans; the variable's should have them all", len(spans))
	}
}

// A collector Service without --upstream is a cluster name: serve exports
// nothing and warns how to map it. Mapped, the name is one --upstream
// knows.
func TestTracingUnmappedCollectorWarns(t *testing.T) {
	otelEnv(t, nil)
	maps := collectorManifests(t)
	o := Options{Listen: map[string]string{"http": "127.0.0.1:0"}, Lookup: func(string) (string, bool) { return "sk", true }}
	cfg, err := buildObjs(maps, o)
	if err != nil {
		t.Fatal(err)
	}
	defer cfg.Close()
	var warned bool
	for _, w := range cfg.Warnings {
		warned = warned || (strings.Contains(w, "exports no traces") && strings.Contains(w, "--upstream otel-collector=http://127.0.0.1:PORT"))
	}
	if !warned || cfg.tracer != nil || cfg.Summary["tracing"] != nil {
		t.Errorf("tracer %v, summary %v, warnings %q; want no exporter and a warning naming --upstream otel-collector=", cfg.tracer, cfg.Summary["tracing"], cfg.Warnings)
	}
	o.Upstreams = map[string]*url.URL{"otel-collector": {Scheme: "http", Host: "127.0.0.1:4318"}}
	if err := cfg.CheckNames(o); err != nil {
		t.Errorf("--upstream otel-collector=...: %v", err)
	}
	mapped, err := buildObjs(maps, o)
	if err != nil {
		t.Fatal(err)
	}
	defer mapped.Close()
	if mapped.tracer == nil || mapped.Summary["tracing"].(map[string]any)["sampling"] != 0.5 {
		t.Errorf("mapped: tracer %v, summary %v", mapped.tracer, mapped.Summary["tracing"])
	}
}

// A reload that changes the collector sends new requests' spans to the
// new one; the old exporter is shut down (flushed) once replaced.
func TestTracingReload(t *testing.T) {
	otelEnv(t, nil)
	first, second := otlptest.NewHTTP(t), otlptest.NewHTTP(t)
	openai := fakeprovider.New(t, fakeprovider.OpenAI, "sk-openai")
	maps := collectorManifests(t)
	ups := map[string]*url.URL{}
	ups["openai"], _ = url.Parse(openai.URL)
	o := Options{Listen: map[string]string{"http": "127.0.0.1:0"}, Lookup: func(string) (string, bool) { return "sk-openai", true }, Client: NewClient(time.Second, 2*time.Second)}
	build := func(collector string) *Config {
		o.Upstreams = map[string]*url.URL{"openai": ups["openai"]}
		o.Upstreams["otel-collector"], _ = url.Parse(collector)
		cfg, err := buildObjs(maps, o)
		if err != nil {
			t.Fatal(err)
		}
		return cfg
	}
	reload := make(chan *Config)
	results := make(chan error, 1)
	base, _ := serveConfigWith(t, build(first.URL), ServeOptions{Reload: reload, OnReload: func(err error) { results <- err }})
	// Sampled by the caller: the manifests sample only half of new traces.
	sampled := map[string]string{"Traceparent": "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"}
	if resp, out := post(t, base, "/openai/v1/chat/completions", chat, sampled); resp.StatusCode != 200 {
		t.Fatalf("%d %s", resp.StatusCode, out)
	}
	first.Wait(t, 10*time.Second, hasRequestSpans)
	reload <- build(second.URL)
	if err := <-results; err != nil {
		t.Fatal(err)
	}
	before := len(first.Spans())
	if resp, out := post(t, base, "/openai/v1/chat/completions", chat, sampled); resp.StatusCode != 200 {
		t.Fatalf("%d %s", resp.StatusCode, out)
	}
	second.Wait(t, 10*time.Second, hasRequestSpans)
	if after := len(first.Spans()); after != before {
		t.Errorf("the replaced collector got %d more spans", after-before)
	}
}
