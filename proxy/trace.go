package proxy

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"strings"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/propagation"
	semconv "go.opentelemetry.io/otel/semconv/v1.41.0"
	"go.opentelemetry.io/otel/trace"

	"github.com/kubelb-ai/kubelb-ai/proxy/sse"
	"github.com/kubelb-ai/kubelb-ai/proxy/telemetry"
	"github.com/kubelb-ai/kubelb-ai/proxy/wire"
	"github.com/kubelb-ai/kubelb-ai/quota"
)

// tracerName names serve's instrumentation scope.
const tracerName = "github.com/kubelb-ai/kubelb-ai/proxy"

// tracing is serve's tracer: a SERVER span per request continuing the
// caller's W3C trace context, a CLIENT span per provider attempt with the
// GenAI conventions (semconv v1.41.0, the last Go package with them), and
// child spans for guard webhooks and rate-limit services. Nil when off:
// every method is then a no-op that allocates nothing.
type tracing struct {
	tracer trace.Tracer
	prop   propagation.TextMapPropagator
	// content records prompts and answers (gen_ai.input.messages,
	// gen_ai.output.messages): opt-in, as they may hold anything.
	content bool
}

// newTracing is the tracing of a provider, nil without one.
func newTracing(tp trace.TracerProvider, content bool) *tracing {
	if tp == nil {
		return nil
	}
	return &tracing{tracer: tp.Tracer(tracerName), prop: telemetry.Propagator(), content: content}
}

// startServer starts a request's SERVER span, continuing the caller's
// trace when it sent one. The route is not known yet: endServer names the
// span once it is.
func (t *tracing) startServer(r *http.Request) (*http.Request, trace.Span) {
	if t == nil {
		return r, nil
	}
	ctx := t.prop.Extract(r.Context(), propagation.HeaderCarrier(r.Header))
	attrs := []attribute.KeyValue{semconv.HTTPRequestMethodKey.String(r.Method), semconv.URLPath(r.URL.Path)}
	attrs = append(attrs, telemetry.ServerAttrs(r.Host)...)
	ctx, span := t.tracer.Start(ctx, r.Method, trace.WithSpanKind(trace.SpanKindServer), trace.WithAttributes(attrs...))
	return r.WithContext(ctx), span
}

// endServer ends a SERVER span with the route and the status; a request
// that got no status (the client left, serve was stopping), or whose
// answer broke off after its status (outcome: upstream_cut, client_gone,
// ...), carries how it ended as its error.type.
func endServer(span trace.Span, r *http.Request, status int, route, aborted, outcome string) {
	if span == nil {
		return
	}
	if route != "" && route != "(none)" {
		span.SetName(r.Method + " " + route)
		span.SetAttributes(semconv.HTTPRoute(route))
	}
	if status > 0 {
		span.SetAttributes(semconv.HTTPResponseStatusCode(status))
	}
	switch {
	case status >= 500:
		span.SetAttributes(semconv.ErrorTypeKey.String(strconv.Itoa(status)))
		span.SetStatus(codes.Error, "")
	case status == 0 && aborted != "":
		span.SetAttributes(semconv.ErrorTypeKey.String("aborted_by_" + aborted))
		span.SetStatus(codes.Error, "")
	case outcome != "":
		span.SetAttributes(semconv.ErrorTypeKey.String(outcome))
		span.SetStatus(codes.Error, "")
	}
	span.End()
}

// startAttempt starts an attempt's CLIENT span, named "<operation>
// <model>" with the GenAI request attributes when the route carries a
// model API, "<METHOD>" with the HTTP ones when it passes through, and
// puts the span's trace context on the provider's request in place of the
// caller's.
func (t *tracing) startAttempt(cl *call, at *attempt) {
	if t == nil {
		return
	}
	name := at.req.Method
	op := operationOf(cl)
	model := at.up.Model
	if op != "" {
		if model == "" && cl.doc != nil {
			model, _ = cl.doc["model"].(string)
		}
		name = op
		if model != "" {
			name += " " + model
		}
	}
	ctx, span := t.tracer.Start(cl.r.Context(), name, trace.WithSpanKind(trace.SpanKindClient))
	if span.IsRecording() {
		// The attributes only for a span that is kept (ratio samplers
		// need none of them to decide).
		span.SetAttributes(t.attemptAttrs(cl, at, op, model)...)
	}
	at.span = span
	at.content = t.content && operationOf(cl) == "chat"
	if !span.SpanContext().IsValid() || at.up.AWS != nil && at.up.Passthrough {
		// A request the caller signed keeps its headers as signed.
		return
	}
	at.req.Header.Del("Traceparent")
	at.req.Header.Del("Tracestate")
	t.prop.Inject(ctx, propagation.HeaderCarrier(at.req.Header))
	if at.up.AWS != nil && at.req.GetBody != nil {
		// SigV4 signs the headers present: signed again with this one.
		if rc, err := at.req.GetBody(); err == nil {
			b, _ := io.ReadAll(rc)
			at.up.sign(at.req, b)
		}
	}
}

// attemptAttrs are an attempt's request attributes: the GenAI ones for
// a model operation op, the HTTP ones for a request passed through.
func (t *tracing) attemptAttrs(cl *call, at *attempt, op, model string) []attribute.KeyValue {
	var attrs []attribute.KeyValue
	if op != "" {
		if model != "" {
			attrs = append(attrs, semconv.GenAIRequestModel(model))
		}
		attrs = append(attrs, semconv.GenAIOperationNameKey.String(op), semconv.GenAIProviderNameKey.String(genAIProvider(at.up.Kind)))
		if cl.stream {
			attrs = append(attrs, semconv.GenAIRequestStream(true))
		}
		attrs = append(attrs, requestParams(cl.doc)...)
		if t.content && cl.doc != nil {
			if s, ok := inputMessages(cl.doc); ok {
				attrs = append(attrs, semconv.GenAIInputMessagesKey.String(s))
			}
			if s, ok := contentOf(cl.doc, "system", "instructions", "systemInstruction"); ok {
				attrs = append(attrs, semconv.GenAISystemInstructionsKey.String(s))
			}
		}
	} else {
		attrs = append(attrs, semconv.HTTPRequestMethodKey.String(at.req.Method))
	}
	return append(attrs, telemetry.ServerAttrs(at.req.URL.Host)...)
}

// operationOf is gen_ai.operation.name for a call's route type, empty for
// one that is not a model operation (passed through, a token count).
func operationOf(cl *call) string {
	if cl.ad == nil || cl.api == nil {
		return ""
	}
	switch cl.api.name {
	case "Embeddings":
		return "embeddings"
	case "AnthropicTokenCount":
		return ""
	}
	return "chat"
}

// requestParams are the GenAI request parameters the request sets, read
// where each client format puts them: top level (OpenAI, Anthropic),
// generationConfig (Gemini), inferenceConfig (Bedrock Converse).
func requestParams(doc map[string]any) []attribute.KeyValue {
	if doc == nil {
		return nil
	}
	var attrs []attribute.KeyValue
	num := func(key attribute.Key, names ...string) {
		for _, m := range []map[string]any{doc, sub(doc, "generationConfig"), sub(doc, "inferenceConfig")} {
			for _, n := range names {
				if v, ok := number(m[n]); ok {
					attrs = append(attrs, key.Float64(v))
					return
				}
			}
		}
	}
	integer := func(key attribute.Key, names ...string) {
		for _, m := range []map[string]any{doc, sub(doc, "generationConfig"), sub(doc, "inferenceConfig")} {
			for _, n := range names {
				if v, ok := number(m[n]); ok {
					attrs = append(attrs, key.Int64(int64(v)))
					return
				}
			}
		}
	}
	num(semconv.GenAIRequestTemperatureKey, "temperature")
	num(semconv.GenAIRequestTopPKey, "top_p", "topP")
	num(semconv.GenAIRequestFrequencyPenaltyKey, "frequency_penalty", "frequencyPenalty")
	num(semconv.GenAIRequestPresencePenaltyKey, "presence_penalty", "presencePenalty")
	integer(semconv.GenAIRequestTopKKey, "top_k", "topK")
	integer(semconv.GenAIRequestMaxTokensKey, "max_tokens", "max_completion_tokens", "max_output_tokens", "maxOutputTokens", "maxTokens")
	integer(semconv.GenAIRequestSeedKey, "seed")
	if n, ok := number(doc["n"]); ok && n != 1 {
		attrs = append(attrs, semconv.GenAIRequestChoiceCount(int(n)))
	}
	for _, m := range []map[string]any{doc, sub(doc, "generationConfig"), sub(doc, "inferenceConfig")} {
		var stops []string
		for _, n := range []string{"stop", "stop_sequences", "stopSequences"} {
			switch v := m[n].(type) {
			case string:
				stops = append(stops, v)
			case []any:
				for _, s := range v {
					if s, ok := s.(string); ok {
						stops = append(stops, s)
					}
				}
			}
		}
		if len(stops) > 0 {
			attrs = append(attrs, semconv.GenAIRequestStopSequences(stops...))
			break
		}
	}
	return attrs
}

// number reads a request's number (wire decodes them as written).
func number(v any) (float64, bool) {
	switch n := v.(type) {
	case json.Number:
		f, err := n.Float64()
		return f, err == nil
	case float64:
		return n, true
	}
	return 0, false
}

func sub(doc map[string]any, name string) map[string]any {
	m, _ := doc[name].(map[string]any)
	return m
}

// inputMessages is gen_ai.input.messages: chat messages (OpenAI's,
// Anthropic's) in the conventions' shape, [{role, parts: [{type: text,
// content}]}], a part that is not text named by its type only; other
// formats' prompts (Gemini's contents, Responses' input) as they came.
func inputMessages(doc map[string]any) (string, bool) {
	msgs, ok := doc["messages"].([]any)
	if !ok {
		return contentOf(doc, "contents", "input")
	}
	type part struct {
		Type    string `json:"type"`
		Content string `json:"content,omitempty"`
	}
	type message struct {
		Role  string `json:"role"`
		Parts []part `json:"parts"`
	}
	out := make([]message, 0, len(msgs))
	for _, m := range msgs {
		m, _ := m.(map[string]any)
		role, _ := m["role"].(string)
		msg := message{Role: role, Parts: []part{}}
		switch c := m["content"].(type) {
		case string:
			msg.Parts = append(msg.Parts, part{Type: "text", Content: c})
		case []any:
			for _, p := range c {
				p, _ := p.(map[string]any)
				typ, _ := p["type"].(string)
				if text, ok := p["text"].(string); ok && typ == "text" {
					msg.Parts = append(msg.Parts, part{Type: "text", Content: text})
				} else if typ != "" {
					msg.Parts = append(msg.Parts, part{Type: typ})
				}
			}
		}
		out = append(out, msg)
	}
	b, err := json.Marshal(out)
	return string(b), err == nil
}

// contentOf is the first of a request's members that is present, as JSON.
func contentOf(doc map[string]any, names ...string) (string, bool) {
	for _, n := range names {
		if v, ok := doc[n]; ok && v != nil {
			if s, ok := v.(string); ok {
				return s, true
			}
			b, err := json.Marshal(v)
			if err == nil {
				return string(b), true
			}
		}
	}
	return "", false
}

// endAttempt ends an attempt's CLIENT span: the provider's status, and
// what the answer said it cost (u may be nil: no answer was delivered).
// errType, when set, is why the attempt failed.
func endAttempt(at *attempt, status int, u *usage, errType string) {
	if at == nil || at.span == nil {
		return
	}
	span := at.span
	at.span = nil
	if !span.IsRecording() {
		span.End()
		return
	}
	if status > 0 {
		span.SetAttributes(semconv.HTTPResponseStatusCode(status))
	}
	if u != nil {
		if u.model != "" {
			span.SetAttributes(semconv.GenAIResponseModel(u.model))
		}
		if u.seen {
			span.SetAttributes(semconv.GenAIUsageInputTokens(u.in), semconv.GenAIUsageOutputTokens(u.out))
		}
	}
	if f := at.facts; f != nil {
		if f.id != "" {
			span.SetAttributes(semconv.GenAIResponseID(f.id))
		}
		if len(f.finish) > 0 {
			span.SetAttributes(semconv.GenAIResponseFinishReasons(f.finish...))
		}
		if f.shape != nil && status < 300 {
			span.SetAttributes(semconv.GenAIOutputMessagesKey.String(f.outputMessages()))
		}
	}
	if errType == "" && status >= 400 {
		errType = strconv.Itoa(status)
	}
	if errType != "" {
		span.SetAttributes(semconv.ErrorTypeKey.String(errType))
		span.SetStatus(codes.Error, "")
	}
	span.End()
}

// childSpan starts a CLIENT span under the request's for a call serve
// makes on its behalf (a guard webhook, a rate-limit service); end it
// with endChild. Nil when the request is not traced.
func childSpan(ctx context.Context, name string, attrs ...attribute.KeyValue) (context.Context, trace.Span) {
	parent := trace.SpanFromContext(ctx)
	if !parent.IsRecording() {
		return ctx, nil
	}
	return parent.TracerProvider().Tracer(tracerName).Start(ctx, name, trace.WithSpanKind(trace.SpanKindClient), trace.WithAttributes(attrs...))
}

// endChild ends a child span, with error.type when errType is set.
func endChild(span trace.Span, errType string) {
	if span == nil {
		return
	}
	if errType != "" {
		span.SetAttributes(semconv.ErrorTypeKey.String(errType))
		span.SetStatus(codes.Error, "")
	}
	span.End()
}

// traceIDs are the access log's trace_id and span_id of a request whose
// span is recorded.
func traceIDs(span trace.Span) (string, string, bool) {
	if span == nil || !span.IsRecording() {
		return "", "", false
	}
	sc := span.SpanContext()
	return sc.TraceID().String(), sc.SpanID().String(), true
}

// answerFacts are what a provider's answer says of itself, for the
// attempt's span: its id and why it ended. They are read from the answer
// as it goes by, in whichever provider format (each names them its own
// way), only when the span is recorded.
type answerFacts struct {
	id     string
	finish []string
	// whole keeps a whole (non-streamed) answer, up to maxScanned.
	whole  []byte
	stream bool
	dec    sse.Decoder
	// shape, when the answer's content is recorded, finds its text
	// (an event's, or a whole answer's), kept in text up to maxScanned.
	shape *wire.Shape
	text  strings.Builder
}

// answerDoc is every provider's place for the id and the finish reasons:
// OpenAI's chat (choices[].finish_reason), Anthropic's (stop_reason;
// streamed: message_start's message.id, message_delta's
// delta.stop_reason), Gemini's (responseId, candidates[].finishReason),
// Bedrock Converse's (stopReason) and OpenAI Responses' (response.id).
type answerDoc struct {
	ID         string `json:"id"`
	ResponseID string `json:"responseId"`
	Choices    []struct {
		FinishReason string `json:"finish_reason"`
	} `json:"choices"`
	Candidates []struct {
		FinishReason string `json:"finishReason"`
	} `json:"candidates"`
	StopReason  string `json:"stop_reason"`
	StopReason2 string `json:"stopReason"`
	Message     *struct {
		ID string `json:"id"`
	} `json:"message"`
	Delta *struct {
		StopReason string `json:"stop_reason"`
	} `json:"delta"`
	Response *struct {
		ID     string `json:"id"`
		Status string `json:"status"`
	} `json:"response"`
}

func (f *answerFacts) read(data []byte) {
	var d answerDoc
	if json.Unmarshal(data, &d) != nil {
		return
	}
	for _, id := range []string{d.ID, d.ResponseID} {
		if id != "" && f.id == "" {
			f.id = id
		}
	}
	if d.Message != nil && d.Message.ID != "" && f.id == "" {
		f.id = d.Message.ID
	}
	if d.Response != nil && d.Response.ID != "" && f.id == "" {
		f.id = d.Response.ID
	}
	for _, c := range d.Choices {
		if c.FinishReason != "" {
			f.finish = append(f.finish, c.FinishReason)
		}
	}
	for _, c := range d.Candidates {
		if c.FinishReason != "" {
			f.finish = append(f.finish, c.FinishReason)
		}
	}
	for _, r := range []string{d.StopReason, d.StopReason2} {
		if r != "" {
			f.finish = append(f.finish, r)
		}
	}
	if d.Delta != nil && d.Delta.StopReason != "" {
		f.finish = append(f.finish, d.Delta.StopReason)
	}
	if d.Response != nil && (d.Response.Status == "completed" || d.Response.Status == "incomplete" || d.Response.Status == "failed") {
		f.finish = append(f.finish, d.Response.Status)
	}
}

// watchFacts reads an attempt's answer, in format ad, for its span as it
// is relayed.
func (at *attempt) watchFacts(body io.Reader, stream bool, ad *adapter) io.Reader {
	if at.span == nil || !at.span.IsRecording() {
		return body
	}
	at.facts = &answerFacts{stream: stream}
	if at.content && ad != nil && ad.format != nil {
		at.facts.shape = ad.format.Answer
		if stream {
			at.facts.shape = ad.format.Event
		}
	}
	return &factsReader{r: body, f: at.facts}
}

// texts keeps the answer's text, for gen_ai.output.messages.
func (f *answerFacts) texts(data []byte) {
	if f.shape == nil {
		return
	}
	if doc, err := wire.Decode(data); err == nil {
		f.shape.Texts(doc, func(s *wire.Slot) {
			if s.Class == wire.Text && f.text.Len()+len(s.Value) <= maxScanned {
				f.text.WriteString(s.Value)
			}
		})
	}
}

// outputMessages is gen_ai.output.messages: the answer's text as one
// assistant message, with its finish reason.
func (f *answerFacts) outputMessages() string {
	msg := map[string]any{"role": "assistant", "parts": []any{map[string]any{"type": "text", "content": f.text.String()}}}
	if len(f.finish) > 0 {
		msg["finish_reason"] = f.finish[len(f.finish)-1]
	}
	b, _ := json.Marshal([]any{msg})
	return string(b)
}

type factsReader struct {
	r io.Reader
	f *answerFacts
}

func (fr *factsReader) Read(p []byte) (int, error) {
	n, err := fr.r.Read(p)
	f := fr.f
	if f.stream {
		for _, ev := range f.dec.Feed(p[:n]) {
			if bytes.HasPrefix(bytes.TrimSpace(ev.Data), []byte("{")) {
				f.read(ev.Data)
				f.texts(ev.Data)
			}
		}
	} else if len(f.whole)+n <= maxScanned {
		f.whole = append(f.whole, p[:n]...)
	}
	if err == io.EOF && !f.stream && f.whole != nil {
		f.read(f.whole)
		f.texts(f.whole)
		f.whole = nil
	}
	return n, err
}

// webhookSpan starts a guard webhook call's CLIENT span ("POST
// /request") under the request's, and puts its trace context on req.
func webhookSpan(req *http.Request) trace.Span {
	full := *req.URL
	full.User, full.RawQuery = nil, "" // never a credential
	attrs := append([]attribute.KeyValue{semconv.HTTPRequestMethodKey.String(req.Method), semconv.URLFull(full.String())}, telemetry.ServerAttrs(req.URL.Host)...)
	ctx, span := childSpan(req.Context(), req.Method+" "+req.URL.Path, attrs...)
	if span != nil {
		telemetry.Propagator().Inject(ctx, propagation.HeaderCarrier(req.Header))
	}
	return span
}

// spanStatus notes an HTTP status on a child span.
func spanStatus(span trace.Span, status int) {
	if span != nil {
		span.SetAttributes(semconv.HTTPResponseStatusCode(status))
	}
}

// attrOverLimit says a rate-limit decision refused the request: not in
// the conventions (allowed in trace_test.go's list).
const attrOverLimit = attribute.Key("kubelb_ai.rate_limit.over_limit")

// endLimitSpan ends a rate-limit decision's span: refused or not, or
// error.type when the engine did not answer.
func endLimitSpan(span trace.Span, res quota.Result, err error) {
	if span == nil {
		return
	}
	if err != nil {
		endChild(span, telemetry.ErrorType(err))
		return
	}
	span.SetAttributes(attrOverLimit.Bool(res.Code == quota.OverLimit))
	endChild(span, "")
}
