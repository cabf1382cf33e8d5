package proxy

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	rlsv3 "github.com/envoyproxy/go-control-plane/envoy/service/ratelimit/v3"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	semconv "go.opentelemetry.io/otel/semconv/v1.41.0"
	"go.opentelemetry.io/otel/trace"
	"google.golang.org/grpc"
	"google.golang.org/grpc/metadata"

	"github.com/kubelb-ai/kubelb-ai/internal/fakeprovider"
	"github.com/kubelb-ai/kubelb-ai/internal/testenv"
	"github.com/kubelb-ai/kubelb-ai/spec"
	"github.com/kubelb-ai/kubelb-ai/templates"
)

// tracedServe serves o's manifests for target in front of fakes, traced
// into an in-memory recorder.
func tracedServe(t *testing.T, target string, o spec.Options, fakes map[string]*fakeprovider.Server, content bool) (string, *tracetest.SpanRecorder, *testenv.Buffer) {
	t.Helper()
	rec := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec))
	t.Cleanup(func() { _ = tp.Shutdown(context.Background()) })
	o.Target = target
	g, err := o.Build()
	if err != nil {
		t.Fatal(err)
	}
	base, _, logs := serveMapsWith(t, renderMaps(t, g), fakes, func(op *Options) { op.Tracer, op.TraceContent = tp, content })
	return base, rec, logs
}

// spanTree is one request's spans: its SERVER span and the spans under it.
type spanTree struct {
	server   sdktrace.ReadOnlySpan
	children []sdktrace.ReadOnlySpan
}

// waitTree waits for the n-th request's SERVER span to end (it ends after
// the client has its answer) and returns its tree.
func waitTree(t *testing.T, rec *tracetest.SpanRecorder, n int) spanTree {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		var servers []sdktrace.ReadOnlySpan
		ended := rec.Ended()
		for _, s := range ended {
			if s.SpanKind() == trace.SpanKindServer {
				servers = append(servers, s)
			}
		}
		if len(servers) >= n {
			tree := spanTree{server: servers[n-1]}
			for _, s := range ended {
				if s.Parent().SpanID() == tree.server.SpanContext().SpanID() {
					tree.children = append(tree.children, s)
				}
			}
			return tree
		}
		if time.Now().After(deadline) {
			t.Fatalf("no SERVER span #%d ended within 5s (%d spans ended)", n, len(ended))
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func attrs(s sdktrace.ReadOnlySpan) map[attribute.Key]attribute.Value {
	m := map[attribute.Key]attribute.Value{}
	for _, kv := range s.Attributes() {
		m[kv.Key] = kv.Value
	}
	return m
}

// wantAttrs checks s has each key with the value (as its Emit form; "*":
// any value).
func wantAttrs(t *testing.T, s sdktrace.ReadOnlySpan, want map[attribute.Key]string) {
	t.Helper()
	got := attrs(s)
	for k, v := range want {
		g, ok := got[k]
		switch {
		case !ok:
			t.Errorf("span %q: no %s (has %v)", s.Name(), k, s.Attributes())
		case v != "*" && g.String() != v:
			t.Errorf("span %q: %s = %q, want %q", s.Name(), k, g.String(), v)
		}
	}
}

func noAttr(t *testing.T, s sdktrace.ReadOnlySpan, keys ...attribute.Key) {
	t.Helper()
	got := attrs(s)
	for _, k := range keys {
		if v, ok := got[k]; ok {
			t.Errorf("span %q: %s = %s, want none", s.Name(), k, v.String())
		}
	}
}

// sawTraceparent checks the fake's last request carried the trace
// context of span s.
func sawTraceparent(t *testing.T, fake *fakeprovider.Server, s sdktrace.ReadOnlySpan) {
	t.Helper()
	reqs := fake.Requests()
	if len(reqs) == 0 {
		t.Fatal("the provider got no request")
	}
	tp := reqs[len(reqs)-1].Header.Get("Traceparent")
	want := "00-" + s.SpanContext().TraceID().String() + "-" + s.SpanContext().SpanID().String() + "-01"
	if tp != want {
		t.Errorf("the provider's traceparent = %q, want %q (the attempt's span)", tp, want)
	}
}

// A plain chat: a SERVER span with the HTTP conventions and one CLIENT
// span "chat <model>" with the GenAI ones, its trace context sent to the
// provider, and the access log naming the trace.
func TestTracePlain(t *testing.T) {
	openai := fakeprovider.New(t, fakeprovider.OpenAI, "sk-openai")
	base, rec, logs := tracedServe(t, templates.KgatewayV21, spec.Options{Providers: []string{"openai"}},
		map[string]*fakeprovider.Server{"openai": openai}, false)
	resp, out := post(t, base, "/openai/v1/chat/completions",
		`{"model":"gpt-4o-mini","temperature":0.5,"max_tokens":20,"top_p":0.9,"stop":["x"],"messages":[{"role":"user","content":"hi"}]}`, nil)
	if resp.StatusCode != 200 {
		t.Fatalf("%d %s", resp.StatusCode, out)
	}
	tree := waitTree(t, rec, 1)
	srv := tree.server
	if srv.Parent().IsValid() {
		t.Errorf("the SERVER span has a parent %v: the request had no traceparent", srv.Parent())
	}
	if !strings.HasPrefix(srv.Name(), "POST ") {
		t.Errorf("SERVER span name %q", srv.Name())
	}
	wantAttrs(t, srv, map[attribute.Key]string{semconv.HTTPRequestMethodKey: "POST", semconv.URLPathKey: "/openai/v1/chat/completions",
		semconv.HTTPRouteKey: "*", semconv.HTTPResponseStatusCodeKey: "200", semconv.ServerAddressKey: "127.0.0.1", semconv.ServerPortKey: "*"})
	if len(tree.children) != 1 {
		t.Fatalf("%d spans under the request's, want 1", len(tree.children))
	}
	cs := tree.children[0]
	if cs.Name() != "chat gpt-4o-mini" || cs.SpanKind() != trace.SpanKindClient {
		t.Errorf("attempt span %q kind %v", cs.Name(), cs.SpanKind())
	}
	wantAttrs(t, cs, map[attribute.Key]string{semconv.GenAIProviderNameKey: "openai", semconv.GenAIOperationNameKey: "chat",
		semconv.GenAIRequestModelKey: "gpt-4o-mini", semconv.GenAIResponseModelKey: "*", semconv.GenAIResponseIDKey: "chatcmpl-fake",
		semconv.GenAIUsageInputTokensKey: "*", semconv.GenAIUsageOutputTokensKey: "*", semconv.GenAIResponseFinishReasonsKey: `["stop"]`,
		semconv.GenAIRequestTemperatureKey: "0.5", semconv.GenAIRequestMaxTokensKey: "20", semconv.GenAIRequestTopPKey: "0.9",
		semconv.GenAIRequestStopSequencesKey: `["x"]`, semconv.HTTPResponseStatusCodeKey: "200", semconv.ServerAddressKey: "127.0.0.1"})
	noAttr(t, cs, semconv.ErrorTypeKey, semconv.GenAIInputMessagesKey, semconv.GenAIOutputMessagesKey)
	sawTraceparent(t, openai, cs)

	// The access log line carries the SERVER span's ids.
	var line struct{ TraceID, SpanID string }
	for _, l := range strings.Split(strings.TrimSpace(logs.String()), "\n") {
		var m map[string]any
		if json.Unmarshal([]byte(l), &m) == nil && m["msg"] == "request" {
			line.TraceID, _ = m["trace_id"].(string)
			line.SpanID, _ = m["span_id"].(string)
		}
	}
	if line.TraceID != srv.SpanContext().TraceID().String() || line.SpanID != srv.SpanContext().SpanID().String() {
		t.Errorf("access log trace_id/span_id %q/%q, want the SERVER span's %s/%s", line.TraceID, line.SpanID,
			srv.SpanContext().TraceID(), srv.SpanContext().SpanID())
	}
}

// A stream: the attempt's span ends with the stream, so the usage the last
// chunk reports lands on it.
func TestTraceStreamed(t *testing.T) {
	openai := fakeprovider.New(t, fakeprovider.OpenAI, "sk-openai")
	base, rec, _ := tracedServe(t, templates.KgatewayV21, spec.Options{Providers: []string{"openai"}},
		map[string]*fakeprovider.Server{"openai": openai}, false)
	resp, out := post(t, base, "/openai/v1/chat/completions",
		`{"model":"gpt-4o-mini","stream":true,"stream_options":{"include_usage":true},"messages":[{"role":"user","content":"hi there"}]}`, nil)
	if resp.StatusCode != 200 || !strings.Contains(out, "[DONE]") {
		t.Fatalf("%d %s", resp.StatusCode, out)
	}
	tree := waitTree(t, rec, 1)
	if len(tree.children) != 1 {
		t.Fatalf("%d spans under the request's, want 1", len(tree.children))
	}
	cs := tree.children[0]
	wantAttrs(t, cs, map[attribute.Key]string{semconv.GenAIRequestStreamKey: "true", semconv.GenAIUsageInputTokensKey: "*",
		semconv.GenAIUsageOutputTokensKey: "*", semconv.GenAIResponseIDKey: "chatcmpl-fake", semconv.GenAIResponseFinishReasonsKey: `["stop"]`})
	if cs.EndTime().Before(tree.server.StartTime()) || cs.EndTime().After(tree.server.EndTime()) {
		t.Error("the attempt's span is not within the request's")
	}
	sawTraceparent(t, openai, cs)
}

// Translated (agentgateway: an OpenAI client, an Anthropic provider): the
// span names Anthropic and reads its answer's id and stop reason; the
// content is recorded when asked for.
func TestTraceTranslated(t *testing.T) {
	anthropic := fakeprovider.New(t, fakeprovider.Anthropic, "sk-ant")
	base, rec, _ := tracedServe(t, templates.Agentgateway, spec.Options{Providers: []string{"anthropic"}},
		map[string]*fakeprovider.Server{"anthropic": anthropic}, true)
	for i, body := range []string{
		`{"model":"claude-x","max_tokens":30,"messages":[{"role":"system","content":"Be brief."},{"role":"user","content":"hi"}]}`,
		`{"model":"claude-x","stream":true,"messages":[{"role":"user","content":"stream please"}]}`,
	} {
		resp, out := post(t, base, "/anthropic/v1/chat/completions", body, nil)
		if resp.StatusCode != 200 {
			t.Fatalf("%d %s", resp.StatusCode, out)
		}
		tree := waitTree(t, rec, i+1)
		if len(tree.children) != 1 {
			t.Fatalf("%d spans under the request's, want 1", len(tree.children))
		}
		cs := tree.children[0]
		wantAttrs(t, cs, map[attribute.Key]string{semconv.GenAIProviderNameKey: "anthropic", semconv.GenAIOperationNameKey: "chat",
			semconv.GenAIResponseIDKey: "msg_fake", semconv.GenAIResponseFinishReasonsKey: "*", semconv.GenAIUsageInputTokensKey: "*",
			semconv.GenAIUsageOutputTokensKey: "*", semconv.GenAIInputMessagesKey: "*"})
		if got, want := attrs(cs)[semconv.GenAIInputMessagesKey].String(), `[{"role":"system","parts":[{"type":"text","content":"Be brief."}]},{"role":"user","parts":[{"type":"text","content":"hi"}]}]`; i == 0 && got != want {
			t.Errorf("input messages %s, want %s", got, want)
		}
		wantOut := []string{`[{"finish_reason":"end_turn","parts":[{"content":"echo: hi","type":"text"}],"role":"assistant"}]`,
			`[{"finish_reason":"end_turn","parts":[{"content":"echo: stream please","type":"text"}],"role":"assistant"}]`}[i]
		if got := attrs(cs)[semconv.GenAIOutputMessagesKey].String(); got != wantOut {
			t.Errorf("output messages %s, want %s", got, wantOut)
		}
		sawTraceparent(t, anthropic, cs)
	}
}

// Failover: one CLIENT span per attempt, siblings, the failed one with
// error.type; the second provider sees its own attempt's trace context.
func TestTraceFailover(t *testing.T) {
	openai := fakeprovider.New(t, fakeprovider.OpenAI, "sk-openai")
	mistral := fakeprovider.New(t, fakeprovider.OpenAI, "sk-mistral")
	base, rec, _ := tracedServe(t, templates.KgatewayV21, spec.Options{Providers: []string{"openai", "mistral"}, Failover: []string{"openai", "mistral"}},
		map[string]*fakeprovider.Server{"openai": openai, "mistral": mistral}, false)
	openai.Fail(fakeprovider.Fault{Status: 503})
	if resp, out := post(t, base, "/openai/v1/chat/completions", chat, nil); resp.StatusCode != 200 {
		t.Fatalf("%d %s", resp.StatusCode, out)
	}
	tree := waitTree(t, rec, 1)
	if len(tree.children) != 2 {
		t.Fatalf("%d spans under the request's, want 2 siblings", len(tree.children))
	}
	first, second := tree.children[0], tree.children[1]
	if first.StartTime().After(second.StartTime()) {
		first, second = second, first
	}
	wantAttrs(t, first, map[attribute.Key]string{semconv.GenAIProviderNameKey: "openai", semconv.ErrorTypeKey: "503", semconv.HTTPResponseStatusCodeKey: "503"})
	if first.Status().Code != codes.Error {
		t.Errorf("the failed attempt's status is %v", first.Status())
	}
	wantAttrs(t, second, map[attribute.Key]string{semconv.GenAIProviderNameKey: "mistral_ai", semconv.GenAIUsageInputTokensKey: "*"})
	noAttr(t, second, semconv.ErrorTypeKey)
	sawTraceparent(t, openai, first)
	sawTraceparent(t, mistral, second)
}

// A provider's 429 with nowhere to fail over: the attempt's span says so,
// and the request's span has the status (a 4xx is not a server error).
func TestTrace429(t *testing.T) {
	openai := fakeprovider.New(t, fakeprovider.OpenAI, "sk-openai")
	base, rec, _ := tracedServe(t, templates.KgatewayV21, spec.Options{Providers: []string{"openai"}},
		map[string]*fakeprovider.Server{"openai": openai}, false)
	openai.Fail(fakeprovider.Fault{Status: 429})
	if resp, _ := post(t, base, "/openai/v1/chat/completions", chat, nil); resp.StatusCode != 429 {
		t.Fatalf("status %d, want 429", resp.StatusCode)
	}
	tree := waitTree(t, rec, 1)
	if len(tree.children) != 1 {
		t.Fatalf("%d spans under the request's, want 1", len(tree.children))
	}
	wantAttrs(t, tree.children[0], map[attribute.Key]string{semconv.ErrorTypeKey: "429"})
	wantAttrs(t, tree.server, map[attribute.Key]string{semconv.HTTPResponseStatusCodeKey: "429"})
	noAttr(t, tree.server, semconv.ErrorTypeKey)
}

// A client that hangs up while the provider thinks: both spans end, the
// attempt's with error.type client_gone, the request's as aborted.
func TestTraceClientHangUp(t *testing.T) {
	openai := fakeprovider.New(t, fakeprovider.OpenAI, "sk-openai")
	base, rec, _ := tracedServe(t, templates.KgatewayV21, spec.Options{Providers: []string{"openai"}},
		map[string]*fakeprovider.Server{"openai": openai}, false)
	openai.Fail(fakeprovider.Fault{Delay: 3 * time.Second})
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, base+"/openai/v1/chat/completions", strings.NewReader(chat))
	req.Header.Set("Content-Type", "application/json")
	if resp, err := http.DefaultClient.Do(req); err == nil {
		resp.Body.Close()
		t.Fatal("the request did not time out")
	}
	tree := waitTree(t, rec, 1)
	if len(tree.children) != 1 {
		t.Fatalf("%d spans under the request's, want 1", len(tree.children))
	}
	wantAttrs(t, tree.children[0], map[attribute.Key]string{semconv.ErrorTypeKey: "client_gone"})
	wantAttrs(t, tree.server, map[attribute.Key]string{semconv.ErrorTypeKey: "aborted_by_client"})
}

// An inbound traceparent is continued: the request's span is its child,
// in its trace, and the provider's trace context is of the same trace.
func TestTraceContinuesInbound(t *testing.T) {
	openai := fakeprovider.New(t, fakeprovider.OpenAI, "sk-openai")
	base, rec, _ := tracedServe(t, templates.KgatewayV21, spec.Options{Providers: []string{"openai"}},
		map[string]*fakeprovider.Server{"openai": openai}, false)
	const traceID, parentID = "4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7"
	if resp, out := post(t, base, "/openai/v1/chat/completions", chat, map[string]string{"Traceparent": "00-" + traceID + "-" + parentID + "-01"}); resp.StatusCode != 200 {
		t.Fatalf("%d %s", resp.StatusCode, out)
	}
	tree := waitTree(t, rec, 1)
	if tree.server.SpanContext().TraceID().String() != traceID || tree.server.Parent().SpanID().String() != parentID || !tree.server.Parent().IsRemote() {
		t.Errorf("SERVER span trace %s parent %s, want %s %s", tree.server.SpanContext().TraceID(), tree.server.Parent().SpanID(), traceID, parentID)
	}
	if len(tree.children) != 1 {
		t.Fatalf("%d spans under the request's, want 1", len(tree.children))
	}
	sawTraceparent(t, openai, tree.children[0])
}

// Without a tracer nothing changes: the caller's traceparent goes to the
// provider as it came, and the log has no trace ids.
func TestTraceOff(t *testing.T) {
	openai := fakeprovider.New(t, fakeprovider.OpenAI, "sk-openai")
	base, _, logs := serveMapsWith(t, renderMaps(t, mustBuild(t, spec.Options{Target: templates.KgatewayV21, Providers: []string{"openai"}})),
		map[string]*fakeprovider.Server{"openai": openai}, nil)
	const tp = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
	if resp, _ := post(t, base, "/openai/v1/chat/completions", chat, map[string]string{"Traceparent": tp}); resp.StatusCode != 200 {
		t.Fatal(resp.Status)
	}
	if got := openai.Requests()[0].Header.Get("Traceparent"); got != tp {
		t.Errorf("traceparent %q, want the caller's", got)
	}
	if strings.Contains(logs.String(), "trace_id") {
		t.Errorf("trace ids in an untraced log: %s", logs.String())
	}
}

func mustBuild(t *testing.T, o spec.Options) *spec.AIGateway {
	t.Helper()
	g, err := o.Build()
	if err != nil {
		t.Fatal(err)
	}
	return g
}

// allowedKeys are the attribute keys serve emits that are not in
// semconv v1.41.0, each with why.
var allowedKeys = map[attribute.Key]string{
	// A rate-limit decision's outcome on its span: no convention names it.
	attrOverLimit: "the rate-limit span's decision",
}

// semconvKeys are the semconv v1.41.0 keys serve may emit (named by the
// package's constants, so that a key missing from it fails to compile).
var semconvKeys = []attribute.Key{
	semconv.HTTPRequestMethodKey, semconv.URLPathKey, semconv.URLFullKey, semconv.HTTPRouteKey, semconv.HTTPResponseStatusCodeKey,
	semconv.ServerAddressKey, semconv.ServerPortKey, semconv.ErrorTypeKey,
	semconv.GenAIOperationNameKey, semconv.GenAIProviderNameKey, semconv.GenAIRequestModelKey, semconv.GenAIResponseModelKey,
	semconv.GenAIResponseIDKey, semconv.GenAIResponseFinishReasonsKey, semconv.GenAIUsageInputTokensKey, semconv.GenAIUsageOutputTokensKey,
	semconv.GenAIRequestStreamKey, semconv.GenAIRequestTemperatureKey, semconv.GenAIRequestTopPKey, semconv.GenAIRequestTopKKey,
	semconv.GenAIRequestMaxTokensKey, semconv.GenAIRequestSeedKey, semconv.GenAIRequestChoiceCountKey, semconv.GenAIRequestStopSequencesKey,
	semconv.GenAIRequestFrequencyPenaltyKey, semconv.GenAIRequestPresencePenaltyKey, semconv.GenAIInputMessagesKey,
	semconv.GenAISystemInstructionsKey, semconv.GenAIOutputMessagesKey,
	// The MCP gateway's spans (proxy/mcp).
	semconv.McpMethodNameKey, semconv.McpProtocolVersionKey, semconv.McpResourceURIKey, semconv.GenAIToolNameKey,
	semconv.GenAIPromptNameKey, semconv.JSONRPCRequestIDKey, semconv.RPCResponseStatusCodeKey,
}

// Every attribute key serve's spans carry is a semconv v1.41.0 key or on
// the documented allow-list, across plain, streamed, failed-over and
// content-recording requests with every request parameter set.
func TestTraceAttributeKeysAreConventional(t *testing.T) {
	known := map[attribute.Key]bool{}
	for _, k := range semconvKeys {
		known[k] = true
	}
	for k := range allowedKeys {
		known[k] = true
	}
	openai := fakeprovider.New(t, fakeprovider.OpenAI, "sk-openai")
	mistral := fakeprovider.New(t, fakeprovider.OpenAI, "sk-mistral")
	base, rec, _ := tracedServe(t, templates.KgatewayV21, spec.Options{Providers: []string{"openai", "mistral"}, Failover: []string{"openai", "mistral"}},
		map[string]*fakeprovider.Server{"openai": openai, "mistral": mistral}, true)
	openai.Fail(fakeprovider.Fault{Status: 503})
	full := `{"model":"m","temperature":1,"top_p":1,"top_k":3,"max_tokens":9,"seed":4,"n":2,"stop":"z","frequency_penalty":0.1,"presence_penalty":0.2,` +
		`"stream":%s,"messages":[{"role":"system","content":"s"},{"role":"user","content":"hi"}]}`
	for _, stream := range []string{"false", "true"} {
		post(t, base, "/openai/v1/chat/completions", strings.Replace(full, "%s", stream, 1), nil)
	}
	waitTree(t, rec, 2)
	for _, s := range rec.Ended() {
		for _, kv := range s.Attributes() {
			if !known[kv.Key] {
				t.Errorf("span %q carries %s: neither in semconv v1.41.0 nor on the allow-list", s.Name(), kv.Key)
			}
		}
	}
}

// A guard webhook and a global rate limit are child spans of the request:
// the webhook's with its trace context sent along; a prompt the guard
// rejects, or a request over the limit, has no attempt span; and the
// spans' keys are conventional or allow-listed.
func TestTraceGuardAndRateLimit(t *testing.T) {
	openai := fakeprovider.New(t, fakeprovider.OpenAI, "k")
	guard := newGuardService(t)
	g := globalSpec(t, templates.KgatewayV21, func(p *spec.Policies) {
		p.RateLimit = &spec.RequestLimit{Requests: 2, Per: spec.PerHour, Scope: spec.ScopeGlobal, Key: spec.HeaderKey("x-team")}
		p.PromptGuard = &spec.PromptGuard{Webhook: &spec.GuardWebhooks{Request: &spec.Webhook{Service: "guard", Port: 8000}}}
	})
	rec := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec))
	gu, _ := url.Parse(guard.URL)
	ou, _ := url.Parse(openai.URL)
	cfg, err := buildObjs(renderMaps(t, g), Options{Listen: map[string]string{"http": "127.0.0.1:0"}, Upstreams: map[string]*url.URL{"openai": ou, "guard": gu},
		Lookup: func(string) (string, bool) { return "k", true }, Client: NewClient(time.Second, 5*time.Second), Tracer: tp})
	if err != nil {
		t.Fatal(err)
	}
	base, _ := serveConfig(t, cfg)
	u := base + "/openai/v1/chat/completions"
	for i, c := range []struct {
		body   string
		status int
		// the children's names, sorted
		children []string
	}{
		{chat, 200, []string{"POST /request", "chat gpt-4o-mini", "rate_limit kubelb-ai"}},
		{`{"model":"m","messages":[{"role":"user","content":"a forbidden question"}]}`, 403, []string{"POST /request", "rate_limit kubelb-ai"}},
		{chat, 429, []string{"rate_limit kubelb-ai"}},
	} {
		if resp := postTeam(t, u, "a", c.body); resp.StatusCode != c.status {
			t.Fatalf("request %d: %s, want %d", i, resp.Status, c.status)
		}
		tree := waitTree(t, rec, i+1)
		var names []string
		byName := map[string]sdktrace.ReadOnlySpan{}
		for _, s := range tree.children {
			names = append(names, s.Name())
			byName[s.Name()] = s
		}
		slices.Sort(names)
		if !slices.Equal(names, c.children) {
			t.Errorf("request %d: children %v, want %v", i, names, c.children)
		}
		if s := byName["rate_limit kubelb-ai"]; s != nil {
			wantAttrs(t, s, map[attribute.Key]string{attrOverLimit: strconv.FormatBool(c.status == 429)})
		}
		if s := byName["POST /request"]; s != nil {
			wantAttrs(t, s, map[attribute.Key]string{semconv.HTTPRequestMethodKey: "POST", semconv.HTTPResponseStatusCodeKey: "200", semconv.URLFullKey: "*"})
			guard.mu.Lock()
			got := guard.headers[len(guard.headers)-1].Get("Traceparent")
			guard.mu.Unlock()
			if !strings.Contains(got, s.SpanContext().SpanID().String()) {
				t.Errorf("the webhook's traceparent %q is not its span's", got)
			}
		}
	}
	for _, s := range rec.Ended() {
		for _, kv := range s.Attributes() {
			if !slices.Contains(semconvKeys, kv.Key) && allowedKeys[kv.Key] == "" {
				t.Errorf("span %q carries %s: neither in semconv v1.41.0 nor on the allow-list", s.Name(), kv.Key)
			}
		}
	}
}

// Bedrock's requests are signed (SigV4 signs the headers present): the
// attempt's traceparent, put in place of the caller's, is signed with
// them, so the provider accepts the request; the span reads Converse's
// stop reason.
func TestTraceBedrockSigned(t *testing.T) {
	bedrock := fakeprovider.New(t, fakeprovider.Bedrock, "AKIDFAKE")
	rec := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec))
	u, _ := url.Parse(bedrock.URL)
	keys := map[string]string{"AWS_ACCESS_KEY_ID": bedrock.Key, "AWS_SECRET_ACCESS_KEY": bedrock.BedrockSecret()}
	cfg, err := buildObjs(renderMaps(t, mustBuild(t, spec.Options{Target: templates.Agentgateway, Providers: []string{"bedrock"}})),
		Options{Listen: map[string]string{"http": "127.0.0.1:0"}, Upstreams: map[string]*url.URL{"bedrock": u},
			Lookup: func(k string) (string, bool) { v, ok := keys[k]; return v, ok }, Client: NewClient(time.Second, 5*time.Second), Tracer: tp})
	if err != nil {
		t.Fatal(err)
	}
	base, _ := serveConfig(t, cfg)
	resp, out := post(t, base, "/bedrock/v1/chat/completions", `{"model":"any","messages":[{"role":"user","content":"hi"}]}`,
		map[string]string{"Traceparent": "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"})
	if resp.StatusCode != 200 {
		t.Fatalf("%d %s", resp.StatusCode, out)
	}
	tree := waitTree(t, rec, 1)
	if len(tree.children) != 1 {
		t.Fatalf("%d spans under the request's, want 1", len(tree.children))
	}
	wantAttrs(t, tree.children[0], map[attribute.Key]string{semconv.GenAIProviderNameKey: "aws.bedrock", semconv.GenAIResponseFinishReasonsKey: "*"})
	sawTraceparent(t, bedrock, tree.children[0])

	// Streamed: ConverseStream's event stream, its stop reason and usage
	// read as the frames are relayed.
	resp, out = post(t, base, "/bedrock/v1/chat/completions", `{"model":"any","stream":true,"stream_options":{"include_usage":true},"messages":[{"role":"user","content":"hi"}]}`, nil)
	if resp.StatusCode != 200 || !strings.Contains(out, "[DONE]") {
		t.Fatalf("%d %s", resp.StatusCode, out)
	}
	tree = waitTree(t, rec, 2)
	if len(tree.children) != 1 {
		t.Fatalf("%d spans under the streamed request's, want 1", len(tree.children))
	}
	wantAttrs(t, tree.children[0], map[attribute.Key]string{semconv.GenAIProviderNameKey: "aws.bedrock", semconv.GenAIRequestStreamKey: "true",
		semconv.GenAIResponseFinishReasonsKey: "*", semconv.GenAIUsageInputTokensKey: "*", semconv.GenAIUsageOutputTokensKey: "*"})
	sawTraceparent(t, bedrock, tree.children[0])
}

// A request the sampler leaves out records nothing and logs no trace
// ids, but its trace context still goes on (flags 00), so that the
// provider's spans, if any, are not sampled either.
func TestTraceSampledOut(t *testing.T) {
	openai := fakeprovider.New(t, fakeprovider.OpenAI, "sk-openai")
	rec := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec), sdktrace.WithSampler(sdktrace.NeverSample()))
	base, _, logs := serveMapsWith(t, renderMaps(t, mustBuild(t, spec.Options{Target: templates.KgatewayV21, Providers: []string{"openai"}})),
		map[string]*fakeprovider.Server{"openai": openai}, func(o *Options) { o.Tracer = tp })
	if resp, _ := post(t, base, "/openai/v1/chat/completions", chat, nil); resp.StatusCode != 200 {
		t.Fatal(resp.Status)
	}
	if got := openai.Requests()[0].Header.Get("Traceparent"); !strings.HasPrefix(got, "00-") || !strings.HasSuffix(got, "-00") {
		t.Errorf("traceparent %q, want an unsampled one", got)
	}
	time.Sleep(50 * time.Millisecond) // the log line is written after the answer
	if n := len(rec.Started()); n != 0 {
		t.Errorf("%d spans recorded", n)
	}
	if strings.Contains(logs.String(), "trace_id") {
		t.Errorf("trace ids logged for an unsampled request: %s", logs.String())
	}
}

// A stream the provider cuts: the attempt's span and the request's end
// with the outcome as error.type (the status, 200, went out before).
func TestTraceStreamCut(t *testing.T) {
	openai := fakeprovider.New(t, fakeprovider.OpenAI, "sk-openai")
	base, rec, _ := tracedServe(t, templates.KgatewayV21, spec.Options{Providers: []string{"openai"}},
		map[string]*fakeprovider.Server{"openai": openai}, false)
	openai.Fail(fakeprovider.Fault{CutAfterEvents: 2})
	resp, _, _ := send(t, base+"/openai/v1/chat/completions", chatStream, nil)
	if resp == nil || resp.StatusCode != 200 {
		t.Fatalf("response %v", resp)
	}
	tree := waitTree(t, rec, 1)
	if len(tree.children) != 1 {
		t.Fatalf("%d spans under the request's, want 1", len(tree.children))
	}
	cs := tree.children[0]
	outcome := attrs(cs)[semconv.ErrorTypeKey].String()
	if outcome == "" || cs.Status().Code != codes.Error {
		t.Errorf("the cut attempt's span: error.type %q status %v", outcome, cs.Status())
	}
	wantAttrs(t, tree.server, map[attribute.Key]string{semconv.HTTPResponseStatusCodeKey: "200", semconv.ErrorTypeKey: outcome})
}

// No key reaches a span, with content recorded too: not the providers'
// keys serve injects, not the caller's Authorization, not a key in the
// query string (Gemini's form), on a plain and a translated request.
func TestTraceCarriesNoKey(t *testing.T) {
	openai := fakeprovider.New(t, fakeprovider.OpenAI, "sk-openai-injected")
	anthropic := fakeprovider.New(t, fakeprovider.Anthropic, "sk-ant-injected")
	base, rec, _ := tracedServe(t, templates.Agentgateway, spec.Options{Providers: []string{"openai", "anthropic"}},
		map[string]*fakeprovider.Server{"openai": openai, "anthropic": anthropic}, true)
	caller := map[string]string{"Authorization": "Bearer sk-caller-secret"}
	for i, path := range []string{"/openai/v1/chat/completions?key=sk-query-secret", "/anthropic/v1/chat/completions?key=sk-query-secret"} {
		resp, out := post(t, base, path, `{"model":"m","messages":[{"role":"user","content":"hi"}]}`, caller)
		if resp.StatusCode != 200 {
			t.Fatalf("%s: %d %s", path, resp.StatusCode, out)
		}
		waitTree(t, rec, i+1)
	}
	var all strings.Builder
	for _, s := range rec.Ended() {
		all.WriteString(s.Name() + "\n")
		for _, a := range s.Attributes() {
			all.WriteString(string(a.Key) + "=" + a.Value.String() + "\n")
		}
		for _, e := range s.Events() {
			for _, a := range e.Attributes {
				all.WriteString(string(a.Key) + "=" + a.Value.String() + "\n")
			}
		}
	}
	if !strings.Contains(all.String(), "gen_ai.input.messages") {
		t.Fatalf("content was not recorded: the test checks nothing\n%s", all.String())
	}
	for _, secret := range []string{"sk-openai-injected", "sk-ant-injected", "sk-caller-secret", "sk-query-secret"} {
		if strings.Contains(all.String(), secret) {
			t.Errorf("a span carries %s", secret)
		}
	}
}

// A Gemini client's generateContent is the conventions' generate_content
// operation, its finish reason read from Gemini's answer and its
// parameters from generationConfig.
func TestTraceGeminiNative(t *testing.T) {
	gemini := fakeprovider.New(t, fakeprovider.Gemini, "g-key")
	base, rec, _ := tracedServe(t, templates.KgatewayV21, spec.Options{Providers: []string{"gemini"}},
		map[string]*fakeprovider.Server{"gemini": gemini}, false)
	resp, out := post(t, base, "/gemini/v1beta/models/gemini-2.0-flash:generateContent", `{"contents":[{"role":"user","parts":[{"text":"hi"}]}],"generationConfig":{"temperature":0.5}}`, nil)
	if resp.StatusCode != 200 {
		t.Fatalf("%d %s", resp.StatusCode, out)
	}
	tree := waitTree(t, rec, 1)
	if len(tree.children) != 1 {
		t.Fatalf("%d spans under the request's, want 1", len(tree.children))
	}
	attempt := tree.children[0]
	if !strings.HasPrefix(attempt.Name(), "generate_content ") {
		t.Errorf("span %q, want generate_content <model>", attempt.Name())
	}
	wantAttrs(t, attempt, map[attribute.Key]string{semconv.GenAIOperationNameKey: "generate_content", semconv.GenAIProviderNameKey: "gcp.gemini",
		semconv.GenAIResponseFinishReasonsKey: `["STOP"]`, semconv.GenAIRequestTemperatureKey: "0.5"})
}

// rlsRecorder is a rate-limit service that allows every request and
// keeps the traceparent each call carried.
type rlsRecorder struct {
	rlsv3.UnimplementedRateLimitServiceServer
	mu           sync.Mutex
	traceparents []string
}

func (r *rlsRecorder) ShouldRateLimit(ctx context.Context, _ *rlsv3.RateLimitRequest) (*rlsv3.RateLimitResponse, error) {
	md, _ := metadata.FromIncomingContext(ctx)
	r.mu.Lock()
	defer r.mu.Unlock()
	r.traceparents = append(r.traceparents, strings.Join(md.Get("traceparent"), ","))
	return &rlsv3.RateLimitResponse{OverallCode: rlsv3.RateLimitResponse_OK}, nil
}

// A rate-limit service reached over gRPC gets the trace context of the
// rate-limit span, as the webhook gets its span's.
func TestTraceRateLimitServicePropagation(t *testing.T) {
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := grpc.NewServer()
	rls := &rlsRecorder{}
	rlsv3.RegisterRateLimitServiceServer(srv, rls)
	go func() { _ = srv.Serve(lis) }()
	t.Cleanup(srv.Stop)

	g := globalSpec(t, templates.Agentgateway, func(p *spec.Policies) {
		p.RateLimit = &spec.RequestLimit{Requests: 5, Per: spec.PerHour, Scope: spec.ScopeGlobal, Key: spec.HeaderKey("x-team")}
	})
	rec := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec))
	f := fakeprovider.New(t, fakeprovider.OpenAI, "k")
	base, _, _ := serveMapsWith(t, renderMaps(t, g), map[string]*fakeprovider.Server{"openai": f}, func(o *Options) {
		o.Upstreams["ratelimit"] = &url.URL{Scheme: "http", Host: lis.Addr().String()}
		o.Tracer = tp
	})
	if resp := postTeam(t, base+"/openai/v1/chat/completions", "a", chat); resp.StatusCode != 200 {
		t.Fatal(resp.Status)
	}
	tree := waitTree(t, rec, 1)
	var limit sdktrace.ReadOnlySpan
	for _, s := range tree.children {
		if strings.HasPrefix(s.Name(), "rate_limit ") {
			limit = s
		}
	}
	if limit == nil {
		t.Fatal("no rate_limit span")
	}
	rls.mu.Lock()
	defer rls.mu.Unlock()
	want := "00-" + limit.SpanContext().TraceID().String() + "-" + limit.SpanContext().SpanID().String() + "-01"
	if len(rls.traceparents) != 1 || rls.traceparents[0] != want {
		t.Errorf("the service saw traceparent %q, want %q (the rate-limit span's)", rls.traceparents, want)
	}
}

// A client's model, as long as its body, names neither the attempt's span
// nor its request model beyond maxModelLabel bytes: spans wait whole in the
// export queue.
func TestTraceLongModelBounded(t *testing.T) {
	openai := fakeprovider.New(t, fakeprovider.OpenAI, "sk-openai")
	rec := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec))
	objs := renderMaps(t, mustBuild(t, spec.Options{Target: templates.Agentgateway, Providers: []string{"openai"}}))
	for _, m := range objs {
		dropKey(m, "model") // the client's model goes through
	}
	base, _, _ := serveMapsWith(t, objs, map[string]*fakeprovider.Server{"openai": openai}, func(o *Options) { o.Tracer = tp })
	long := strings.Repeat("m", 1<<20)
	if resp, out := post(t, base, "/openai/v1/chat/completions", `{"model":"`+long+`","messages":[{"role":"user","content":"hi"}]}`, nil); resp.StatusCode != 200 {
		t.Fatalf("%d %s", resp.StatusCode, out)
	}
	tree := waitTree(t, rec, 1)
	if len(tree.children) != 1 {
		t.Fatalf("%d attempt spans", len(tree.children))
	}
	a := tree.children[0]
	if a.Name() != "chat "+otherModel {
		t.Errorf("span named %.40q..., want chat %s", a.Name(), otherModel)
	}
	wantAttrs(t, a, map[attribute.Key]string{semconv.GenAIRequestModelKey: otherModel})
}

// Each client format, whole and streamed, passed through and translated:
// one attempt span under the request's, named by the conventions'
// operation and the model, with the answer's usage and finish reasons
// (read from the stream's last events for a stream: the span ends with
// it), and the attempt's trace context at the provider.
func TestTraceEachProviderFormat(t *testing.T) {
	const (
		chatBody     = `{"model":"m1","max_tokens":20,"messages":[{"role":"user","content":"hi"}]}`
		chatStream   = `{"model":"m1","max_tokens":20,"stream":true,"stream_options":{"include_usage":true},"messages":[{"role":"user","content":"hi"}]}`
		messages     = `{"model":"m1","max_tokens":20,"messages":[{"role":"user","content":"hi"}]}`
		messagesSSE  = `{"model":"m1","max_tokens":20,"stream":true,"messages":[{"role":"user","content":"hi"}]}`
		geminiBody   = `{"contents":[{"role":"user","parts":[{"text":"hi"}]}]}`
		responses    = `{"model":"m1","input":"hi"}`
		responsesSSE = `{"model":"m1","input":"hi","stream":true}`
	)
	cases := []struct {
		name, target, provider string
		kind                   fakeprovider.Kind
		path, body             string
		stream                 bool
		op, genaiProvider      string
		noID                   bool // Gemini's answers carry responseId, the fake's (as the spec's) none
	}{
		{"openai chat", templates.KgatewayV21, "openai", fakeprovider.OpenAI, "/openai/v1/chat/completions", chatBody, false, "chat", "openai", false},
		{"openai chat streamed", templates.KgatewayV21, "openai", fakeprovider.OpenAI, "/openai/v1/chat/completions", chatStream, true, "chat", "openai", false},
		{"openai responses", templates.Agentgateway, "openai", fakeprovider.OpenAI, "/openai/v1/responses", responses, false, "chat", "openai", false},
		{"openai responses streamed", templates.Agentgateway, "openai", fakeprovider.OpenAI, "/openai/v1/responses", responsesSSE, true, "chat", "openai", false},
		{"anthropic messages", templates.Agentgateway, "anthropic", fakeprovider.Anthropic, "/anthropic/v1/messages", messages, false, "chat", "anthropic", false},
		{"anthropic messages streamed", templates.Agentgateway, "anthropic", fakeprovider.Anthropic, "/anthropic/v1/messages", messagesSSE, true, "chat", "anthropic", false},
		{"anthropic translated streamed", templates.Agentgateway, "anthropic", fakeprovider.Anthropic, "/anthropic/v1/chat/completions", chatStream, true, "chat", "anthropic", false},
		{"anthropic responses translated", templates.Agentgateway, "anthropic", fakeprovider.Anthropic, "/anthropic/v1/responses", responses, false, "chat", "anthropic", false},
		{"gemini generateContent", templates.KgatewayV21, "gemini", fakeprovider.Gemini, "/gemini/v1beta/models/m1:generateContent", geminiBody, false, "generate_content", "gcp.gemini", true},
		{"gemini streamGenerateContent", templates.KgatewayV21, "gemini", fakeprovider.Gemini, "/gemini/v1beta/models/m1:streamGenerateContent?alt=sse", geminiBody, true, "generate_content", "gcp.gemini", true},
		{"gemini translated", templates.Agentgateway, "gemini", fakeprovider.Gemini, "/gemini/v1/chat/completions", chatBody, false, "chat", "gcp.gemini", true},
		{"gemini translated streamed", templates.Agentgateway, "gemini", fakeprovider.Gemini, "/gemini/v1/chat/completions", chatStream, true, "chat", "gcp.gemini", true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			fake := fakeprovider.New(t, c.kind, "k-"+c.provider)
			base, rec, _ := tracedServe(t, c.target, spec.Options{Providers: []string{c.provider}},
				map[string]*fakeprovider.Server{c.provider: fake}, false)
			resp, out := post(t, base, c.path, c.body, nil)
			if resp.StatusCode != 200 {
				t.Fatalf("%d %s", resp.StatusCode, out)
			}
			if c.stream != strings.HasPrefix(resp.Header.Get("Content-Type"), "text/event-stream") {
				t.Fatalf("streamed %v but Content-Type %q", c.stream, resp.Header.Get("Content-Type"))
			}
			tree := waitTree(t, rec, 1)
			if len(tree.children) != 1 {
				t.Fatalf("%d spans under the request's, want 1", len(tree.children))
			}
			cs := tree.children[0]
			if cs.SpanKind() != trace.SpanKindClient || !strings.HasPrefix(cs.Name(), c.op+" ") {
				t.Errorf("attempt span %q kind %v, want %q <model>", cs.Name(), cs.SpanKind(), c.op)
			}
			want := map[attribute.Key]string{semconv.GenAIProviderNameKey: c.genaiProvider, semconv.GenAIOperationNameKey: c.op,
				semconv.GenAIRequestModelKey: "*", semconv.GenAIResponseModelKey: "*", semconv.GenAIResponseIDKey: "*",
				semconv.GenAIResponseFinishReasonsKey: "*", semconv.GenAIUsageInputTokensKey: "*", semconv.GenAIUsageOutputTokensKey: "*",
				semconv.HTTPResponseStatusCodeKey: "200"}
			if c.noID {
				delete(want, semconv.GenAIResponseIDKey)
			}
			wantAttrs(t, cs, want)
			if got := attrs(cs)[semconv.GenAIUsageOutputTokensKey].AsInt64(); got <= 0 {
				t.Errorf("output tokens %d", got)
			}
			noAttr(t, cs, semconv.ErrorTypeKey)
			if cs.EndTime().After(tree.server.EndTime()) {
				t.Error("the attempt's span ends after the request's")
			}
			sawTraceparent(t, fake, cs)
		})
	}
}

// A provider that echoes the key serve injected into what its answer says
// of itself (model, id, finish reason, text), whole and streamed, does not
// hand it to the trace collector, /metrics or the log: those values leave
// serve as span attributes and metric labels, redacted as the answer is.
func TestTelemetryCarriesNoEchoedKey(t *testing.T) {
	const key = "sk-openai-echoed-0123456789"
	openai := fakeprovider.New(t, fakeprovider.OpenAI, key)
	whole := func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"id":"%[1]s","object":"chat.completion","model":"m-%[1]s","choices":[{"index":0,"message":{"role":"assistant","content":"your key is %[1]s"},"finish_reason":"%[1]s"}],"usage":{"prompt_tokens":1,"completion_tokens":2,"total_tokens":3}}`, key)
	}
	stream := func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		fmt.Fprintf(w, "data: {\"id\":\"%[1]s\",\"object\":\"chat.completion.chunk\",\"model\":\"m-%[1]s\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"your key is %[1]s\"},\"finish_reason\":null}]}\n\n", key)
		fmt.Fprintf(w, "data: {\"id\":\"%[1]s\",\"object\":\"chat.completion.chunk\",\"model\":\"m-%[1]s\",\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"%[1]s\"}]}\n\n", key)
		fmt.Fprintf(w, "data: {\"id\":\"%[1]s\",\"object\":\"chat.completion.chunk\",\"model\":\"m-%[1]s\",\"choices\":[],\"usage\":{\"prompt_tokens\":1,\"completion_tokens\":2,\"total_tokens\":3}}\n\ndata: [DONE]\n\n", key)
	}
	openai.Fail(fakeprovider.Fault{Answer: whole}, fakeprovider.Fault{Answer: stream})
	rec := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec))
	base, admin, logs := serveMapsWith(t, renderMaps(t, mustBuild(t, spec.Options{Target: templates.KgatewayV21, Providers: []string{"openai"}})),
		map[string]*fakeprovider.Server{"openai": openai}, func(o *Options) { o.Tracer, o.TraceContent = tp, true })
	for i, body := range []string{chat, chatStream} {
		if resp, out := post(t, base, "/openai/v1/chat/completions", body, nil); resp.StatusCode != 200 || strings.Contains(out, key) {
			t.Fatalf("request %d: %d %s", i, resp.StatusCode, out)
		}
		waitTree(t, rec, i+1)
	}
	var spans strings.Builder
	for _, s := range rec.Ended() {
		spans.WriteString(s.Name() + "\n")
		for _, a := range s.Attributes() {
			spans.WriteString(string(a.Key) + "=" + a.Value.String() + "\n")
		}
	}
	resp, err := http.Get(admin + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	metrics, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	for what, text := range map[string]string{"spans": spans.String(), "/metrics": string(metrics), "the log": logs.String()} {
		if strings.Contains(text, key) {
			t.Errorf("%s carry the key:\n%s", what, text)
		}
	}
	// The values are there, redacted: the test saw what it checks.
	for _, want := range []string{"gen_ai.response.id=[REDACTED]", "gen_ai.response.model=m-[REDACTED]", "gen_ai.output.messages="} {
		if !strings.Contains(spans.String(), want) {
			t.Errorf("no %q among the spans' attributes:\n%s", want, spans.String())
		}
	}
	if !strings.Contains(string(metrics), `gen_ai_response_model="m-[REDACTED]"`) {
		t.Errorf("the response model label is not there, redacted:\n%s", metrics)
	}
}
