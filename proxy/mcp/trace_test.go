package mcp

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"go.opentelemetry.io/otel/attribute"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	semconv "go.opentelemetry.io/otel/semconv/v1.41.0"
	"go.opentelemetry.io/otel/trace"
)

// mcpKeys are the semconv v1.41.0 keys the gateway's spans may carry
// (constants: a key missing from the package fails to compile).
var mcpKeys = map[attribute.Key]bool{
	semconv.McpMethodNameKey: true, semconv.McpProtocolVersionKey: true, semconv.McpResourceURIKey: true,
	semconv.GenAIToolNameKey: true, semconv.GenAIPromptNameKey: true, semconv.GenAIOperationNameKey: true,
	semconv.JSONRPCRequestIDKey: true, semconv.RPCResponseStatusCodeKey: true, semconv.ErrorTypeKey: true,
	semconv.ServerAddressKey: true, semconv.ServerPortKey: true,
}

// tracedGateway is a gateway of targets tracing into a recorder, and a
// client whose requests carry a root span, as serve's SERVER span.
func tracedGateway(t *testing.T, c Config, sampler sdktrace.Sampler) (*tracedClient, *tracetest.SpanRecorder) {
	t.Helper()
	rec := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec), sdktrace.WithSampler(sampler))
	t.Cleanup(func() { _ = tp.Shutdown(context.Background()) })
	c.Tracer = tp.Tracer("test")
	return &tracedClient{t: t, g: newGateway(t, c), tp: tp}, rec
}

type tracedClient struct {
	t  *testing.T
	g  *Gateway
	tp trace.TracerProvider
	// root is the last request's span.
	root trace.SpanContext
}

func (c *tracedClient) post(body string, header ...string) *message {
	c.t.Helper()
	ctx, root := c.tp.Tracer("test").Start(context.Background(), "POST /mcp", trace.WithSpanKind(trace.SpanKindServer))
	c.root = root.SpanContext()
	r := httptest.NewRequest(http.MethodPost, "http://gw.example/mcp", strings.NewReader(body)).WithContext(ctx)
	r.Header.Set("Content-Type", "application/json")
	r.Header.Set("Accept", "application/json, text/event-stream")
	for i := 0; i+1 < len(header); i += 2 {
		r.Header.Set(header[i], header[i+1])
	}
	w := httptest.NewRecorder()
	c.g.ServeHTTP(w, r)
	root.End()
	return responseIn(c.t, w)
}

// clientSpans are the ended CLIENT spans, checked to carry only known
// keys and to be children of the request's span.
func (c *tracedClient) clientSpans(rec *tracetest.SpanRecorder) []sdktrace.ReadOnlySpan {
	c.t.Helper()
	var out []sdktrace.ReadOnlySpan
	for _, s := range rec.Ended() {
		if s.SpanKind() != trace.SpanKindClient {
			continue
		}
		for _, kv := range s.Attributes() {
			if !mcpKeys[kv.Key] {
				c.t.Errorf("span %q carries %s, not a key of the MCP conventions", s.Name(), kv.Key)
			}
		}
		if s.Parent().SpanID() != c.root.SpanID() {
			c.t.Errorf("span %q is not a child of the request's", s.Name())
		}
		out = append(out, s)
	}
	return out
}

func spanAttrs(s sdktrace.ReadOnlySpan) map[attribute.Key]string {
	m := map[attribute.Key]string{}
	for _, kv := range s.Attributes() {
		m[kv.Key] = kv.Value.String()
	}
	return m
}

func wantSpanAttrs(t *testing.T, s sdktrace.ReadOnlySpan, want map[attribute.Key]string) {
	t.Helper()
	got := spanAttrs(s)
	for k, v := range want {
		if g, ok := got[k]; !ok || (v != "*" && g != v) {
			t.Errorf("span %q: %s = %q (present %v), want %q", s.Name(), k, g, ok, v)
		}
	}
}

var modern = []string{"MCP-Protocol-Version", "2026-07-28"}

// A 2026-07-28 tools/call is one CLIENT span named by the tool's own
// name, whose trace context the target receives in the traceparent header
// and in params._meta, the rest of params as the client sent it.
func TestTraceToolCall(t *testing.T) {
	a := startFake(t, &fakeServer{name: "a", tools: []string{"x"}})
	b := startFake(t, &fakeServer{name: "b", tools: []string{"y"}})
	c, rec := tracedGateway(t, Config{Targets: []Target{a.target(), b.target()}}, sdktrace.AlwaysSample())
	m := c.post(request(3, "tools/call", map[string]any{"name": "a_x", "arguments": map[string]int{"n": 1}, "_meta": map[string]string{"progressToken": "p"}}),
		append(modern, "Mcp-Method", "tools/call", "Mcp-Name", "a_x")...)
	if got := text(t, m); got != "a:x" {
		t.Fatalf("tools/call = %q", got)
	}
	spans := c.clientSpans(rec)
	if len(spans) != 1 {
		t.Fatalf("%d client spans, want 1", len(spans))
	}
	s := spans[0]
	if s.Name() != "tools/call x" {
		t.Errorf("span name %q, want %q", s.Name(), "tools/call x")
	}
	wantSpanAttrs(t, s, map[attribute.Key]string{semconv.McpMethodNameKey: "tools/call", semconv.GenAIToolNameKey: "x",
		semconv.GenAIOperationNameKey: "execute_tool", semconv.McpProtocolVersionKey: "2026-07-28", semconv.JSONRPCRequestIDKey: "3",
		semconv.ServerAddressKey: "127.0.0.1", semconv.ServerPortKey: "*"})
	if _, ok := spanAttrs(s)[semconv.ErrorTypeKey]; ok {
		t.Errorf("error.type on a call that succeeded")
	}
	calls := a.seen("tools/call")
	if len(calls) != 1 {
		t.Fatalf("%d calls at the target", len(calls))
	}
	tp := calls[0].header.Get("Traceparent")
	if !strings.Contains(tp, s.SpanContext().SpanID().String()) || !strings.Contains(tp, s.SpanContext().TraceID().String()) {
		t.Errorf("traceparent %q, want the client span's", tp)
	}
	var meta map[string]string
	_ = json.Unmarshal(calls[0].params["_meta"], &meta)
	if meta["traceparent"] != tp || meta["progressToken"] != "p" {
		t.Errorf("params._meta = %v, want the traceparent %q beside the client's", meta, tp)
	}
	if got := string(calls[0].params["arguments"]); got != `{"n":1}` {
		t.Errorf("arguments = %s", got)
	}
}

// A fan-out is one span per target, siblings under the request's; a
// target that fails has its error.type, as one that does not answer in
// time; a JSON-RPC error is rpc.response.status_code.
func TestTraceFanOutAndFailures(t *testing.T) {
	a := startFake(t, &fakeServer{name: "a", tools: []string{"x"}})
	b := startFake(t, &fakeServer{name: "b", tools: []string{"y"}})
	c, rec := tracedGateway(t, Config{Targets: []Target{a.target(), b.target()}}, sdktrace.AlwaysSample())
	c.post(request(1, "tools/list", nil), append(modern, "Mcp-Method", "tools/list")...)
	spans := c.clientSpans(rec)
	if len(spans) != 2 {
		t.Fatalf("%d client spans, want 2", len(spans))
	}
	ports := map[string]bool{}
	for _, s := range spans {
		if s.Name() != "tools/list" {
			t.Errorf("span name %q", s.Name())
		}
		wantSpanAttrs(t, s, map[attribute.Key]string{semconv.McpMethodNameKey: "tools/list", semconv.JSONRPCRequestIDKey: "1"})
		ports[spanAttrs(s)[semconv.ServerPortKey]] = true
	}
	if len(ports) != 2 {
		t.Errorf("both spans went to one target: %v", ports)
	}

	bad := startFake(t, &fakeServer{name: "bad", status: http.StatusBadGateway})
	slow := startFake(t, &fakeServer{name: "slow", hang: true})
	c, rec = tracedGateway(t, Config{Targets: []Target{a.target(), bad.target(), slow.target()}, FailOpen: true, Timeout: 200 * time.Millisecond}, sdktrace.AlwaysSample())
	if m := c.post(request(2, "tools/list", nil), append(modern, "Mcp-Method", "tools/list")...); len(toolNames(t, m)) != 1 {
		t.Fatalf("fail-open tools/list: %+v", m)
	}
	byPort := map[string]sdktrace.ReadOnlySpan{}
	for _, s := range c.clientSpans(rec) {
		byPort[spanAttrs(s)[semconv.ServerPortKey]] = s
	}
	port := func(f *fakeServer) string { return f.srv.URL[strings.LastIndex(f.srv.URL, ":")+1:] }
	wantSpanAttrs(t, byPort[port(bad)], map[attribute.Key]string{semconv.ErrorTypeKey: "502"})
	wantSpanAttrs(t, byPort[port(slow)], map[attribute.Key]string{semconv.ErrorTypeKey: "timeout"})
	if _, ok := spanAttrs(byPort[port(a)])[semconv.ErrorTypeKey]; ok {
		t.Errorf("error.type on the target that answered")
	}

	// One target: an unknown tool is the target's JSON-RPC error.
	c, rec = tracedGateway(t, Config{Targets: []Target{a.target()}}, sdktrace.AlwaysSample())
	c.post(request(3, "tools/call", map[string]any{"name": "nope"}), append(modern, "Mcp-Method", "tools/call", "Mcp-Name", "nope")...)
	spans = c.clientSpans(rec)
	if len(spans) != 1 {
		t.Fatalf("%d client spans, want 1", len(spans))
	}
	wantSpanAttrs(t, spans[0], map[attribute.Key]string{semconv.RPCResponseStatusCodeKey: "-32602", semconv.ErrorTypeKey: "-32602", semconv.GenAIToolNameKey: "nope"})
}

// A session-era request gets spans for the gateway's initialize too, the
// traceparent header and no _meta (that era has no place for it).
func TestTraceSessionEra(t *testing.T) {
	a := startFake(t, &fakeServer{name: "a", tools: []string{"x"}})
	c, rec := tracedGateway(t, Config{Targets: []Target{a.target()}}, sdktrace.AlwaysSample())
	c.post(request(1, "prompts/get", map[string]any{"name": "p"}), v2025...)
	var names []string
	for _, s := range c.clientSpans(rec) {
		names = append(names, s.Name())
		if s.Name() == "prompts/get p" {
			wantSpanAttrs(t, s, map[attribute.Key]string{semconv.GenAIPromptNameKey: "p", semconv.McpProtocolVersionKey: "2025-06-18"})
		}
	}
	if strings.Join(names, ",") != "initialize,notifications/initialized,prompts/get p" {
		t.Errorf("spans %v", names)
	}
	for _, call := range a.seen("") {
		if call.header.Get("Traceparent") == "" {
			t.Errorf("%s without traceparent", call.method)
		}
		if _, ok := call.params["_meta"]; ok {
			t.Errorf("%s with params._meta", call.method)
		}
	}
}

// Without a tracer, or with a trace not sampled, the targets get the
// messages as they were: no _meta, the client's traceparent as it came.
func TestTraceOff(t *testing.T) {
	a := startFake(t, &fakeServer{name: "a", tools: []string{"x"}})
	const callerTP = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-00"
	body := request(1, "tools/call", map[string]any{"name": "x"})
	cl := &client{t: t, g: newGateway(t, Config{Targets: []Target{a.target()}})}
	cl.post(body, append(modern, "Mcp-Method", "tools/call", "Mcp-Name", "x", "Traceparent", callerTP)...)
	c, rec := tracedGateway(t, Config{Targets: []Target{a.target()}}, sdktrace.NeverSample())
	c.post(body, append(modern, "Mcp-Method", "tools/call", "Mcp-Name", "x")...)
	if n := len(rec.Ended()); n != 0 {
		t.Errorf("%d spans recorded", n)
	}
	calls := a.seen("tools/call")
	if len(calls) != 2 {
		t.Fatalf("%d calls", len(calls))
	}
	for i, call := range calls {
		if _, ok := call.params["_meta"]; ok {
			t.Errorf("call %d: params._meta %s", i, call.params["_meta"])
		}
	}
	if got := calls[0].header.Get("Traceparent"); got != callerTP {
		t.Errorf("untraced: traceparent %q, want the caller's", got)
	}
}

// An HTTP+SSE target's messages are spans too, each POST with its
// span's traceparent.
func TestTraceSSETarget(t *testing.T) {
	a := startSSEFake(t, &sseFake{name: "a", tools: []string{"x"}})
	c, rec := tracedGateway(t, Config{Targets: []Target{a.target()}}, sdktrace.AlwaysSample())
	if got := text(t, c.post(request(1, "tools/call", map[string]any{"name": "x"}), v2025...)); got != "a:x" {
		t.Fatalf("tools/call = %q", got)
	}
	spans := c.clientSpans(rec)
	var names []string
	for _, s := range spans {
		names = append(names, s.Name())
	}
	if strings.Join(names, ",") != "initialize,notifications/initialized,tools/call x" {
		t.Fatalf("spans %v", names)
	}
	a.mu.Lock()
	posts := a.posts
	a.mu.Unlock()
	if len(posts) != 3 {
		t.Fatalf("%d POSTs", len(posts))
	}
	for i, h := range posts {
		if want := spans[i].SpanContext().SpanID().String(); !strings.Contains(h.Get("Traceparent"), want) {
			t.Errorf("POST %d: traceparent %q, want span %s's", i, h.Get("Traceparent"), spans[i].Name())
		}
	}
}
