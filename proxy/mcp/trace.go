package mcp

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strconv"
	"sync"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/propagation"
	semconv "go.opentelemetry.io/otel/semconv/v1.41.0"
	"go.opentelemetry.io/otel/trace"

	"github.com/kubelb-ai/kubelb-ai/proxy/telemetry"
)

// propagator is the trace context a target receives: W3C tracecontext,
// as serve sends providers.
var propagator = propagation.TraceContext{}

// statusError is a target's answer that is neither 2xx nor a JSON-RPC
// error: its status is the span's error.type.
type statusError struct {
	target string
	code   int
}

func (e *statusError) Error() string {
	if e.target == "" {
		return "answered HTTP " + strconv.Itoa(e.code) // the caller names the target
	}
	return "target " + e.target + " answered HTTP " + strconv.Itoa(e.code)
}

// errTimeout cancels a forwarded message whose target did not take it in
// time: its span says timeout, not cancelled.
var errTimeout = errors.New("timeout")

// traced sends m to t through send under a CLIENT span, as the MCP
// conventions name it ("{mcp.method.name} {tool or prompt}"), ended when
// the answer's stream is closed. name is the tool, prompt or resource m
// names at t, version the protocol version it is sent with. Without a
// tracer, send alone: no span, no allocation, the body untouched.
//
// mcp.session.id is never set: a client's id is the sealed session (a
// bearer secret) and a target's is one too, for that target.
func (g *Gateway) traced(ctx context.Context, t *target, m *message, name, version string, send func(context.Context, *message) (stream, error)) (stream, error) {
	if g.cfg.Tracer == nil {
		return send(ctx, m)
	}
	method := m.Method
	if method == "" {
		method = "response" // a client's answer to a target's request
	}
	spanName := method
	if name != "" && (m.Method == "tools/call" || m.Method == "prompts/get") {
		spanName += " " + name
	}
	ctx, span := g.cfg.Tracer.Start(ctx, spanName, trace.WithSpanKind(trace.SpanKindClient))
	if span.IsRecording() {
		span.SetAttributes(messageAttrs(t, m, name, version)...)
		if version >= modernEra && !m.isResponse() {
			// 2026-07-28 (SEP-414): the trace context in params._meta too,
			// for a target behind something that drops headers.
			m = withMetaTrace(ctx, m)
		}
	}
	s, err := send(ctx, m)
	if err != nil {
		endSpan(span, transportError(ctx, err))
		return nil, err
	}
	if s == nil {
		span.End() // a notification or response the target took
		return nil, nil
	}
	return &tracedStream{stream: s, span: span, tool: m.Method == "tools/call"}, nil
}

// messageAttrs are a message's span attributes.
func messageAttrs(t *target, m *message, name, version string) []attribute.KeyValue {
	attrs := make([]attribute.KeyValue, 0, 8)
	if m.Method != "" {
		attrs = append(attrs, semconv.McpMethodNameKey.String(m.Method))
	}
	if version != "" {
		attrs = append(attrs, semconv.McpProtocolVersionKey.String(version))
	}
	switch m.Method {
	case "tools/call":
		attrs = append(attrs, semconv.GenAIOperationNameExecuteTool, semconv.GenAIToolName(name))
	case "prompts/get":
		attrs = append(attrs, semconv.GenAIPromptName(name))
	case "resources/read", "resources/subscribe", "resources/unsubscribe":
		attrs = append(attrs, semconv.McpResourceURIKey.String(name))
	}
	if len(m.ID) > 0 {
		id := string(m.ID)
		if s := rawString(m.ID); s != "" {
			id = s
		}
		attrs = append(attrs, semconv.JSONRPCRequestID(id))
	}
	return telemetry.AppendServerAttrs(attrs, t.URL.Host)
}

// withMetaTrace is m with the span's traceparent (and tracestate) in
// params._meta, the rest of params byte for byte; m itself is not
// changed (a fan-out may share it). Params that are not an object are
// left alone.
func withMetaTrace(ctx context.Context, m *message) *message {
	p, err := paramsOf(m)
	if err != nil {
		return m
	}
	carrier := propagation.MapCarrier{}
	propagator.Inject(ctx, carrier)
	if len(carrier) == 0 {
		return m
	}
	meta := p.meta()
	if meta == nil {
		meta = map[string]json.RawMessage{}
	}
	for k, v := range carrier {
		meta[k] = mustJSON(v)
	}
	p["_meta"] = mustJSON(meta)
	c := *m
	c.Params = p.raw()
	return &c
}

// inject puts the span context of ctx on a request to a target in place
// of the client's, when the gateway traces.
func (g *Gateway) inject(ctx context.Context, h http.Header) {
	if g.cfg.Tracer == nil || !trace.SpanContextFromContext(ctx).IsValid() {
		return
	}
	h.Del("Traceparent")
	h.Del("Tracestate")
	propagator.Inject(ctx, propagation.HeaderCarrier(h))
}

// transportError is error.type for a message a target did not take: its
// HTTP status, a timeout, a refused connection, ...
func transportError(ctx context.Context, err error) string {
	var se *statusError
	switch {
	case errors.As(err, &se):
		return strconv.Itoa(se.code)
	case errors.Is(err, errSessionGone):
		return "404"
	case errors.Is(context.Cause(ctx), errTimeout):
		return "timeout" // the gateway's own timer, which cancels
	}
	return telemetry.ErrorType(err)
}

func endSpan(span trace.Span, errType string) {
	if errType != "" {
		span.SetAttributes(semconv.ErrorTypeKey.String(errType))
		span.SetStatus(codes.Error, "")
	}
	span.End()
}

// tracedStream is a target's answer under its span: a JSON-RPC error
// answered is rpc.response.status_code (and error.type, as the
// conventions ask), a tool's own error (isError) error.type tool_error,
// an answer that broke off its error; the span ends when the stream is
// closed.
type tracedStream struct {
	stream
	span trace.Span
	tool bool
	once sync.Once
	// mu: a subscription's first message is read in a goroutine of its
	// own while the stream may be closed for a timeout.
	mu  sync.Mutex
	err string
}

func (s *tracedStream) fail(errType string, overwrite bool) {
	s.mu.Lock()
	if overwrite || s.err == "" {
		s.err = errType
	}
	s.mu.Unlock()
}

func (s *tracedStream) next() (*message, error) {
	m, err := s.stream.next()
	switch {
	case err != nil && err != io.EOF:
		s.fail(transportError(context.Background(), err), false)
	case m != nil && m.isResponse() && m.Error != nil:
		code := strconv.Itoa(m.Error.Code)
		s.span.SetAttributes(semconv.RPCResponseStatusCode(code))
		s.fail(code, true)
	case m != nil && m.isResponse() && s.tool && bytes.Contains(m.Result, []byte(`"isError"`)):
		var r struct {
			IsError bool `json:"isError"`
		}
		if json.Unmarshal(m.Result, &r) == nil && r.IsError {
			s.fail("tool_error", true)
		}
	}
	return m, err
}

func (s *tracedStream) close() {
	s.stream.close()
	s.once.Do(func() {
		s.mu.Lock()
		errType := s.err
		s.mu.Unlock()
		endSpan(s.span, errType)
	})
}

// httpOf is the Streamable HTTP answer beneath s, if it is one.
func httpOf(s stream) (*httpStream, bool) {
	if ts, ok := s.(*tracedStream); ok {
		s = ts.stream
	}
	hs, ok := s.(*httpStream)
	return hs, ok
}
