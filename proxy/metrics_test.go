package proxy

import (
	"context"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
	"go.opentelemetry.io/otel/trace"

	"github.com/kubelb-ai/kubelb-ai/internal/fakeprovider"
	"github.com/kubelb-ai/kubelb-ai/proxy/mcp"
	"github.com/kubelb-ai/kubelb-ai/spec"
	"github.com/kubelb-ai/kubelb-ai/templates"
)

// scrape reads an admin's /metrics as metric families.
func scrape(t *testing.T, admin string) map[string]*dto.MetricFamily {
	t.Helper()
	resp, err := http.Get(admin + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	p := expfmt.NewTextParser(model.UTF8Validation)
	mfs, err := p.TextToMetricFamilies(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return mfs
}

// labelsOf are a series' labels.
func labelsOf(m *dto.Metric) map[string]string {
	l := map[string]string{}
	for _, p := range m.GetLabel() {
		l[p.GetName()] = p.GetValue()
	}
	return l
}

// histogram is the series of family name whose labels include want, which
// must be one histogram.
func histogram(t *testing.T, mfs map[string]*dto.MetricFamily, name string, want map[string]string) *dto.Histogram {
	t.Helper()
	mf := mfs[name]
	if mf == nil {
		t.Fatalf("/metrics has no %s", name)
	}
	if mf.GetType() != dto.MetricType_HISTOGRAM {
		t.Fatalf("%s is a %s, want a histogram", name, mf.GetType())
	}
	var found []*dto.Metric
	for _, m := range mf.GetMetric() {
		l := labelsOf(m)
		match := true
		for k, v := range want {
			if got, ok := l[k]; !ok || got != v {
				match = false
			}
		}
		if match {
			found = append(found, m)
		}
	}
	if len(found) != 1 {
		var all []map[string]string
		for _, m := range mf.GetMetric() {
			all = append(all, labelsOf(m))
		}
		t.Fatalf("%s: %d series with %v, want 1; all: %v", name, len(found), want, all)
	}
	return found[0].GetHistogram()
}

// countLines waits until the access log has n request lines: the metrics
// are recorded as each request ends, after its answer reached the client.
func countLines(t *testing.T, logs interface{ String() string }, n int) {
	t.Helper()
	waitFor(t, func() bool { return strings.Count(logs.String(), `"msg":"request"`) >= n })
}

// A plain and a streamed chat completion, and one the provider fails,
// land in gen_ai_client_operation_duration with the GenAI labels (the
// failure with its status as error_type); only the streamed answer in
// time to first chunk; and without --metrics-compat no agentgateway name.
func TestOperationMetrics(t *testing.T) {
	openai := fakeprovider.New(t, fakeprovider.OpenAI, "k1")
	g, err := spec.Options{Target: templates.Agentgateway, Providers: []string{"openai"}}.Build()
	if err != nil {
		t.Fatal(err)
	}
	base, admin, logs := serveMapsLogged(t, renderMaps(t, g), map[string]*fakeprovider.Server{"openai": openai})
	post(t, base, "/openai/v1/chat/completions", `{"model":"m","messages":[{"role":"user","content":"one two three"}]}`, nil)
	// The response model is in the usage chunk, which the client asks for.
	streamRaw(t, base+"/openai/v1/chat/completions", `{"model":"m","stream":true,"stream_options":{"include_usage":true},"messages":[{"role":"user","content":"one two three"}]}`)
	openai.Fail(fakeprovider.Fault{Status: http.StatusServiceUnavailable})
	post(t, base, "/openai/v1/chat/completions", `{"model":"m","messages":[{"role":"user","content":"one two three"}]}`, nil)
	countLines(t, logs, 3)

	mfs := scrape(t, admin)
	labels := map[string]string{"gen_ai_operation_name": "chat", "gen_ai_provider_name": "openai", "gen_ai_request_model": "gpt-4o-mini",
		"gen_ai_response_model": "gpt-4o-mini", "error_type": "", "route": "kubelb/openai"}
	d := histogram(t, mfs, "gen_ai_client_operation_duration", labels)
	if d.GetSampleCount() != 2 || d.GetSampleSum() <= 0 {
		t.Errorf("gen_ai_client_operation_duration: %d requests, %gs; want 2 and a duration", d.GetSampleCount(), d.GetSampleSum())
	}
	if b := d.GetBucket(); len(b) < 14 || b[0].GetUpperBound() != 0.01 || b[13].GetUpperBound() != 81.92 {
		t.Errorf("gen_ai_client_operation_duration buckets: %v, want the GenAI conventions' 0.01 … 81.92", b)
	}
	first := histogram(t, mfs, "gen_ai_client_operation_time_to_first_chunk", labels)
	if first.GetSampleCount() != 1 || first.GetSampleSum() <= 0 || first.GetSampleSum() > d.GetSampleSum() {
		t.Errorf("time to first chunk: %d answers, %gs; want the streamed one, within its duration", first.GetSampleCount(), first.GetSampleSum())
	}
	// The failed one: no response model, its status as the error.
	failed := histogram(t, mfs, "gen_ai_client_operation_duration", map[string]string{"error_type": "503", "gen_ai_response_model": "", "route": "kubelb/openai"})
	if failed.GetSampleCount() != 1 {
		t.Errorf("failed requests: %d, want 1", failed.GetSampleCount())
	}
	for name := range mfs {
		if strings.HasPrefix(name, "agentgateway_") {
			t.Errorf("/metrics has %s without --metrics-compat", name)
		}
	}
}

// A latency observed in a sampled span's context carries the trace id as
// its exemplar, shown to an OpenMetrics scrape; an unsampled one carries
// none.
func TestLatencyExemplar(t *testing.T) {
	m := NewMetrics()
	if err := m.SetCompat("agentgateway"); err != nil {
		t.Fatal(err)
	}
	traceID, _ := trace.TraceIDFromHex("4bf92f3577b34da6a3ce929d0e0e4736")
	spanID, _ := trace.SpanIDFromHex("00f067aa0ba902b7")
	sampled := trace.ContextWithSpanContext(context.Background(),
		trace.NewSpanContext(trace.SpanContextConfig{TraceID: traceID, SpanID: spanID, TraceFlags: trace.FlagsSampled}))
	unsampled := trace.ContextWithSpanContext(context.Background(),
		trace.NewSpanContext(trace.SpanContextConfig{TraceID: traceID, SpanID: spanID}))
	for _, c := range []struct {
		ctx   context.Context
		route string
	}{{sampled, "kubelb/sampled"}, {unsampled, "kubelb/unsampled"}} {
		w := httptest.NewRecorder()
		w.Header().Set("Content-Type", "text/event-stream")
		rec := &recorder{ResponseWriter: w, status: http.StatusOK, firstByte: 30 * time.Millisecond}
		ex := &exchange{route: c.route, genAI: genAIAttrs{operation: "chat", provider: "openai", requestModel: "m", responseModel: "m"}}
		m.observeOperation(c.ctx, ex, rec, 300*time.Millisecond)
	}
	mfs, err := m.registry.Gather()
	if err != nil {
		t.Fatal(err)
	}
	exemplars := map[string]map[string]string{} // by metric and route
	for _, mf := range mfs {
		for _, s := range mf.GetMetric() {
			for _, b := range s.GetHistogram().GetBucket() {
				if e := b.GetExemplar(); e != nil {
					l := map[string]string{}
					for _, p := range e.GetLabel() {
						l[p.GetName()] = p.GetValue()
					}
					exemplars[mf.GetName()+" "+labelsOf(s)["route"]] = l
				}
			}
		}
	}
	for _, name := range []string{"gen_ai_client_operation_duration", "gen_ai_client_operation_time_to_first_chunk",
		"agentgateway_gen_ai_server_request_duration", "agentgateway_gen_ai_server_time_to_first_token"} {
		e := exemplars[name+" kubelb/sampled"]
		if e["trace_id"] != traceID.String() || e["span_id"] != spanID.String() {
			t.Errorf("%s: exemplar %v, want the sampled span's trace and span ids", name, e)
		}
		if e := exemplars[name+" kubelb/unsampled"]; e != nil {
			t.Errorf("%s: exemplar %v for an unsampled span", name, e)
		}
	}
	// Exemplars reach a scraper that asks for OpenMetrics; the classic
	// text format stays as it was.
	for _, c := range []struct {
		accept string
		want   bool
	}{{"application/openmetrics-text; version=1.0.0", true}, {"", false}} {
		req := httptest.NewRequest(http.MethodGet, "/metrics", nil)
		if c.accept != "" {
			req.Header.Set("Accept", c.accept)
		}
		w := httptest.NewRecorder()
		m.Handler().ServeHTTP(w, req)
		body, _ := io.ReadAll(w.Body)
		// An exemplar follows a bucket's count: ` # {labels} value`, its
		// labels in any order.
		got := regexp.MustCompile(`(?m)^gen_ai_client_operation_duration_bucket\{.*route="kubelb/sampled".*\} 1 # \{.*trace_id="4bf92f3577b34da6a3ce929d0e0e4736"`).Match(body)
		if got != c.want {
			t.Errorf("Accept %q: exemplar shown %v, want %v\n%s", c.accept, got, c.want, grepLines(string(body), "gen_ai_client_operation_duration_bucket"))
		}
	}
}

// With --metrics-compat agentgateway, serve also exports agentgateway's
// GenAI metrics, names, types and labels as it does, so that KubeLB's AI
// usage recording rules (kubelb-addons aiRecordingRules) select what they
// expect: token usage sums and counts with tenant_id and key_id (the
// caller's API key), the token type, gen_ai_system and the response model.
func TestMetricsCompatAgentgateway(t *testing.T) {
	openai := fakeprovider.New(t, fakeprovider.OpenAI, "k1")
	g, err := spec.Options{Target: templates.Agentgateway, Providers: []string{"openai"}}.Build()
	if err != nil {
		t.Fatal(err)
	}
	g.Spec.Clients = &spec.Clients{APIKeys: []spec.APIKey{{Name: "alice", Env: "ALICE_KEY", Metadata: map[string]string{"tenant_id": "team-a"}}}}
	if err := spec.Check(g); err != nil {
		t.Fatal(err)
	}
	base, admin, logs := serveMapsWith(t, renderMaps(t, g), map[string]*fakeprovider.Server{"openai": openai}, func(o *Options) {
		o.MetricsCompat = "agentgateway"
		lookup := o.Lookup
		o.Lookup = func(k string) (string, bool) {
			if k == "ALICE_KEY" {
				return "sk-alice", true
			}
			return lookup(k)
		}
	})
	alice := map[string]string{"Authorization": "Bearer sk-alice"}
	post(t, base, "/openai/v1/chat/completions", `{"model":"m","messages":[{"role":"user","content":"one two three"}]}`, alice)
	req, _ := http.NewRequest(http.MethodPost, base+"/openai/v1/chat/completions",
		strings.NewReader(`{"model":"m","stream":true,"stream_options":{"include_usage":true},"messages":[{"role":"user","content":"one two three"}]}`))
	req.Header.Set("Authorization", "Bearer sk-alice")
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	countLines(t, logs, 2)
	mfs := scrape(t, admin)

	// What the rules read: agentgateway_gen_ai_client_token_usage_sum and
	// _count (a histogram's), tenant_id not empty, summed by tenant_id,
	// key_id and gen_ai_token_type; by tenant_id, gen_ai_system and
	// gen_ai_response_model; requests as the input series' count.
	const usage = "agentgateway_gen_ai_client_token_usage"
	sums := map[string]float64{}
	var inputCount uint64
	for _, s := range mfs[usage].GetMetric() {
		l := labelsOf(s)
		for _, k := range []string{"tenant_id", "key_id", "gen_ai_token_type", "gen_ai_system", "gen_ai_response_model"} {
			if _, ok := l[k]; !ok {
				t.Errorf("%s lacks the label %s the recording rules group by: %v", usage, k, l)
			}
		}
		if l["tenant_id"] == "" {
			continue
		}
		sums[l["tenant_id"]+" "+l["key_id"]+" "+l["gen_ai_token_type"]] += s.GetHistogram().GetSampleSum()
		sums[l["tenant_id"]+" "+l["gen_ai_system"]+" "+l["gen_ai_response_model"]] += s.GetHistogram().GetSampleSum()
		if l["gen_ai_token_type"] == "input" {
			inputCount += s.GetHistogram().GetSampleCount()
		}
	}
	// The fake counts words + 1: 4 in; "echo: one two three" is 5 out.
	for key, want := range map[string]float64{"team-a alice input": 8, "team-a alice output": 10, "team-a openai gpt-4o-mini": 18} {
		if sums[key] != want {
			t.Errorf("%s summed by %q: %g, want %g (all: %v)", usage, key, sums[key], want, sums)
		}
	}
	if inputCount != 2 {
		t.Errorf("requests (the input series' count): %d, want 2", inputCount)
	}
	route := map[string]string{"gen_ai_operation_name": "chat", "gen_ai_system": "openai", "gen_ai_request_model": "gpt-4o-mini",
		"gen_ai_response_model": "gpt-4o-mini", "route": "kubelb/openai", "listener": "http", "tenant_id": "team-a", "key_id": "alice"}
	if h := histogram(t, mfs, "agentgateway_gen_ai_server_request_duration", route); h.GetSampleCount() != 2 {
		t.Errorf("agentgateway_gen_ai_server_request_duration: %d requests, want 2", h.GetSampleCount())
	}
	if h := histogram(t, mfs, "agentgateway_gen_ai_server_time_to_first_token", route); h.GetSampleCount() != 1 {
		t.Errorf("agentgateway_gen_ai_server_time_to_first_token: %d answers, want the streamed one", h.GetSampleCount())
	}
	if h := histogram(t, mfs, "agentgateway_gen_ai_server_time_per_output_token", route); h.GetSampleCount() != 1 {
		t.Errorf("agentgateway_gen_ai_server_time_per_output_token: %d answers, want the streamed one", h.GetSampleCount())
	}
	// serve's own names stay.
	if mfs["gen_ai_client_token_usage"] == nil || mfs["gen_ai_client_operation_duration"] == nil {
		t.Error("serve's own GenAI metrics are gone with --metrics-compat")
	}
}

// An MCP gateway's messages are also counted as agentgateway's
// mcp_requests with --metrics-compat agentgateway: by method, the kind of
// thing named, server and name.
func TestMetricsCompatMCP(t *testing.T) {
	m := NewMetrics()
	if err := m.SetCompat("agentgateway"); err != nil {
		t.Fatal(err)
	}
	if err := m.SetCompat("agentgateway"); err != nil {
		t.Errorf("SetCompat again (a reload): %v", err)
	}
	if err := m.SetCompat("envoy"); err == nil {
		t.Error("SetCompat(envoy): no error")
	}
	observe := observeMCP(m, "mcp")
	r := httptest.NewRequest(http.MethodPost, "/mcp", nil)
	observe(r, mcp.Call{Method: "tools/call", Target: "keyed", Name: "lookup", Status: "ok"})
	observe(r, mcp.Call{Method: "tools/list", Status: "ok"})
	srv := httptest.NewServer(m.Handler())
	defer srv.Close()
	mfs := scrape(t, srv.URL)
	mf := mfs["agentgateway_mcp_requests_total"]
	if mf.GetType() != dto.MetricType_COUNTER {
		t.Fatalf("agentgateway_mcp_requests_total: %v, want a counter", mf)
	}
	got := map[string]float64{}
	for _, s := range mf.GetMetric() {
		l := labelsOf(s)
		got[l["method"]+" "+l["resource_type"]+" "+l["server"]+" "+l["resource"]+" "+l["route"]] = s.GetCounter().GetValue()
	}
	want := map[string]float64{"tools/call tool keyed lookup mcp": 1, "tools/list unknown unknown unknown mcp": 1}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("agentgateway_mcp_requests_total %q: %g, want %g (all: %v)", k, got[k], v, got)
		}
	}
}

// A histogram's bucket takes a new exemplar at most once a second, each
// bucket on its own clock, each series on its own.
func TestExemplarDue(t *testing.T) {
	a := prometheus.NewHistogram(prometheus.HistogramOpts{Name: "a", Buckets: operationBuckets})
	b := prometheus.NewHistogram(prometheus.HistogramOpts{Name: "b", Buckets: operationBuckets})
	now := time.Unix(1000, 0)
	for _, c := range []struct {
		h    prometheus.Observer
		v    float64
		at   time.Duration
		want bool
	}{
		{a, 0.015, 0, true},
		{a, 0.019, 10 * time.Millisecond, false},         // the same bucket (≤ 0.02), within the second
		{a, 0.021, 20 * time.Millisecond, true},          // the next bucket
		{a, 30, 30 * time.Millisecond, true},             // a rare slow one
		{b, 0.015, 40 * time.Millisecond, true},          // another series
		{a, 0.02, 999 * time.Millisecond, false},         // 0.02 is counted in ≤ 0.02
		{a, 0.011, time.Second, true},                    // a second on
		{a, 1000, time.Second, true},                     // beyond the last bound: +Inf's
		{a, 2000, time.Second + time.Millisecond, false}, // +Inf's again
	} {
		if got := exemplarDue(c.h, operationBuckets, c.v, now.Add(c.at)); got != c.want {
			t.Errorf("%v at +%s: due %v, want %v", c.v, c.at, got, c.want)
		}
	}
}

// The model a client names labels the GenAI metrics only up to a bound:
// past it, or for a name too long, the label is _OTHER, so random names
// cannot grow serve's series without end. The names already seen keep
// their own series.
func TestModelLabelsBounded(t *testing.T) {
	openai := fakeprovider.New(t, fakeprovider.OpenAI, "sk")
	objs := renderMaps(t, mustBuild(t, spec.Options{Target: templates.Agentgateway, Providers: []string{"openai"}}))
	for _, m := range objs {
		dropKey(m, "model") // the Backend names none: the client's model goes through
	}
	m := NewMetrics()
	m.models.limit = 2
	base, admin, _ := serveMapsWith(t, objs, map[string]*fakeprovider.Server{"openai": openai}, func(o *Options) { o.Metrics = m })
	for _, model := range []string{"gpt-4o-mini", "gpt-4o", "random-1", "gpt-4o-mini", strings.Repeat("x", maxModelLabel+1)} {
		if resp, out := post(t, base, "/openai/v1/chat/completions", `{"model":"`+model+`","messages":[{"role":"user","content":"hi"}]}`, nil); resp.StatusCode != 200 {
			t.Fatalf("%s: %d %s", model, resp.StatusCode, out)
		}
	}
	// A Backend without a model lets the client's through, as both data
	// planes do.
	if got := string(openai.Requests()[2].Body); !strings.Contains(got, `"model":"random-1"`) {
		t.Errorf("the provider got %s, want the client's model", got)
	}
	counts := map[string]uint64{}
	deadline := time.Now().Add(5 * time.Second)
	for {
		clear(counts)
		for _, s := range scrape(t, admin)["gen_ai_client_operation_duration"].GetMetric() {
			counts[labelsOf(s)["gen_ai_request_model"]] += s.GetHistogram().GetSampleCount()
		}
		if counts["gpt-4o-mini"]+counts["gpt-4o"]+counts[otherModel] == 5 || time.Now().After(deadline) {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	want := map[string]uint64{"gpt-4o-mini": 2, "gpt-4o": 1, otherModel: 2}
	if !maps.Equal(counts, want) {
		t.Errorf("requests by gen_ai_request_model %v, want %v", counts, want)
	}
}

// dropKey deletes key from every object within v.
func dropKey(v any, key string) {
	switch v := v.(type) {
	case map[string]any:
		delete(v, key)
		for _, e := range v {
			dropKey(e, key)
		}
	case []any:
		for _, e := range v {
			dropKey(e, key)
		}
	}
}
