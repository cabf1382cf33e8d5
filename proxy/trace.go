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
	"google.golang.org/grpc/metadata"

	"github.com/kubelb-ai/kubelb-ai/proxy/jsonbody"
	"github.com/kubelb-ai/kubelb-ai/proxy/sse"
	"github.com/kubelb-ai/kubelb-ai/proxy/telemetry"
	"github.com/kubelb-ai/kubelb-ai/proxy/translate"
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
	// The attributes all come at the end, in one SetAttributes: the SDK
	// grows a span's attributes on every call (serve's samplers read none).
	ctx, span := t.tracer.Start(ctx, r.Method, trace.WithSpanKind(trace.SpanKindServer))
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
	var buf [8]attribute.KeyValue
	attrs := append(buf[:0], semconv.HTTPRequestMethodKey.String(r.Method), semconv.URLPath(r.URL.Path))
	attrs = telemetry.AppendServerAttrs(attrs, r.Host)
	if route != "" && route != "(none)" {
		span.SetName(r.Method + " " + route)
		attrs = append(attrs, semconv.HTTPRoute(route))
	}
	if status > 0 {
		attrs = append(attrs, semconv.HTTPResponseStatusCode(status))
	}
	errType := ""
	switch {
	case status >= 500:
		errType = strconv.Itoa(status)
	case status == 0 && aborted != "":
		errType = "aborted_by_" + aborted
	case outcome != "":
		errType = outcome
	}
	if errType != "" {
		attrs = append(attrs, semconv.ErrorTypeKey.String(errType))
		span.SetStatus(codes.Error, "")
	}
	span.SetAttributes(attrs...)
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
	op := cl.operation()
	model := at.up.Model
	if op != "" {
		if model == "" && cl.doc != nil {
			model, _ = cl.doc["model"].(string)
		}
		if len(model) > maxModelLabel {
			// The client's to choose, up to the body's size: a span held in
			// the export queue must not be.
			model = otherModel
		}
		name = op
		if model != "" {
			name += " " + model
		}
	}
	ctx, span := t.tracer.Start(cl.r.Context(), name, trace.WithSpanKind(trace.SpanKindClient))
	if span.IsRecording() {
		// The attributes only for a span that is kept (ratio samplers
		// need none of them to decide), set with the answer's in one
		// SetAttributes (endAttempt).
		at.attrs = t.attemptAttrs(cl, at, op, model)
	}
	at.span = span
	at.content = t.content && op != "" && op != "embeddings" // a prompt and an answer
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
	attrs := make([]attribute.KeyValue, 0, 20) // room for the answer's (endAttempt)
	if op != "" {
		if model != "" {
			attrs = append(attrs, semconv.GenAIRequestModel(model))
		}
		attrs = append(attrs, semconv.GenAIOperationNameKey.String(op), semconv.GenAIProviderNameKey.String(genAIProvider(at.up.Kind)))
		if cl.stream {
			attrs = append(attrs, semconv.GenAIRequestStream(true))
		}
		attrs = appendRequestParams(attrs, cl.doc)
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
	return telemetry.AppendServerAttrs(attrs, at.req.URL.Host)
}

// requestParam is a GenAI request parameter and the members that set it,
// in each client format's spelling.
type requestParam struct {
	key     attribute.Key
	integer bool
	names   []string
}

var requestParams = []requestParam{
	{semconv.GenAIRequestTemperatureKey, false, []string{"temperature"}},
	{semconv.GenAIRequestTopPKey, false, []string{"top_p", "topP"}},
	{semconv.GenAIRequestFrequencyPenaltyKey, false, []string{"frequency_penalty", "frequencyPenalty"}},
	{semconv.GenAIRequestPresencePenaltyKey, false, []string{"presence_penalty", "presencePenalty"}},
	{semconv.GenAIRequestTopKKey, true, []string{"top_k", "topK"}},
	{semconv.GenAIRequestMaxTokensKey, true, []string{"max_tokens", "max_completion_tokens", "max_output_tokens", "maxOutputTokens", "maxTokens"}},
	{semconv.GenAIRequestSeedKey, true, []string{"seed"}},
}

// appendRequestParams appends the GenAI request parameters the request
// sets, read where each client format puts them: top level (OpenAI,
// Anthropic), generationConfig (Gemini), inferenceConfig (Bedrock
// Converse).
func appendRequestParams(attrs []attribute.KeyValue, doc map[string]any) []attribute.KeyValue {
	if doc == nil {
		return attrs
	}
	places := [3]map[string]any{doc, sub(doc, "generationConfig"), sub(doc, "inferenceConfig")}
	first := func(names []string) (float64, bool) {
		for _, m := range places {
			for _, n := range names {
				if v, ok := number(m[n]); ok {
					return v, true
				}
			}
		}
		return 0, false
	}
	for _, p := range requestParams {
		if v, ok := first(p.names); ok && p.integer {
			attrs = append(attrs, p.key.Int64(int64(v)))
		} else if ok {
			attrs = append(attrs, p.key.Float64(v))
		}
	}
	if n, ok := number(doc["n"]); ok && n != 1 {
		attrs = append(attrs, semconv.GenAIRequestChoiceCount(int(n)))
	}
	for _, m := range places {
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
	attrs := at.attrs
	at.attrs = nil
	if status > 0 {
		attrs = append(attrs, semconv.HTTPResponseStatusCode(status))
	}
	if u != nil {
		if u.model != "" {
			attrs = append(attrs, semconv.GenAIResponseModel(u.model))
		}
		if u.seen {
			attrs = append(attrs, semconv.GenAIUsageInputTokens(u.in), semconv.GenAIUsageOutputTokens(u.out))
		}
	}
	if f := at.facts; f != nil {
		if f.id != "" {
			attrs = append(attrs, semconv.GenAIResponseID(f.id))
		}
		if len(f.finish) > 0 {
			attrs = append(attrs, semconv.GenAIResponseFinishReasons(f.finish...))
		}
		if f.shape != nil && status < 300 {
			attrs = append(attrs, semconv.GenAIOutputMessagesKey.String(f.outputMessages()))
		}
	}
	if errType == "" && status >= 400 {
		errType = strconv.Itoa(status)
	}
	if errType != "" {
		attrs = append(attrs, semconv.ErrorTypeKey.String(errType))
		span.SetStatus(codes.Error, "")
	}
	span.SetAttributes(attrs...)
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
	// shape, when the answer's content is recorded, finds its text
	// (an event's, or a whole answer's), kept in text up to maxScanned.
	shape *wire.Shape
	text  strings.Builder
}

// factMembers are every provider's top-level places for the id and the
// finish reasons: OpenAI's chat (id, choices[].finish_reason), Anthropic's
// (id, stop_reason; streamed: message_start's message.id, message_delta's
// delta.stop_reason), Gemini's (responseId, candidates[].finishReason),
// Bedrock Converse's (stopReason) and OpenAI Responses' (id and status of
// a whole response, whose object is "response"; streamed: response.id,
// response.status).
var factMembers = []string{"id", "responseId", "choices", "candidates", "stop_reason", "stopReason", "message", "delta", "response", "object", "status"}

// read takes the facts of a whole answer, or of one event.
func (f *answerFacts) read(data []byte) {
	if m := jsonbody.Fields(data, factMembers...); m != nil {
		f.from(m)
	}
	f.texts(data)
}

// from takes the facts in an answer's top-level members (factMembers).
func (f *answerFacts) from(m map[string][]byte) {
	f.noteID(m["id"])
	f.noteID(m["responseId"])
	f.noteID(member(m["message"], "id"))
	f.noteID(member(m["response"], "id"))
	jsonbody.Elements(m["choices"], func(c []byte) { f.noteFinish(member(c, "finish_reason")) })
	jsonbody.Elements(m["candidates"], func(c []byte) { f.noteFinish(member(c, "finishReason")) })
	f.noteFinish(m["stop_reason"])
	f.noteFinish(m["stopReason"])
	f.noteFinish(member(m["delta"], "stop_reason"))
	f.noteStatus(member(m["response"], "status"))
	if stringOf(m["object"]) == "response" {
		f.noteStatus(m["status"])
	}
}

// noteStatus adds a Responses API response's final status as its finish
// reason (the API has no other); in_progress and queued are not final.
func (f *answerFacts) noteStatus(raw []byte) {
	if st := stringOf(raw); st == "completed" || st == "incomplete" || st == "failed" {
		f.finish = append(f.finish, st)
	}
}

// noteID keeps an answer's first id (a JSON string).
func (f *answerFacts) noteID(raw []byte) {
	if f.id == "" {
		f.id = stringOf(raw)
	}
}

// noteFinish adds a finish reason (a JSON string; null is none).
func (f *answerFacts) noteFinish(raw []byte) {
	if s := stringOf(raw); s != "" {
		f.finish = append(f.finish, s)
	}
}

// member is the raw value of an object's member, nil for anything else.
func member(obj []byte, key string) []byte {
	if len(obj) == 0 || obj[0] != '{' {
		return nil
	}
	v, _ := jsonbody.Find(obj, key)
	return v
}

// stringOf is a JSON string's value, "" for anything else.
func stringOf(raw []byte) string {
	if len(raw) < 2 || raw[0] != '"' {
		return ""
	}
	if bytes.IndexByte(raw, '\\') < 0 {
		return string(raw[1 : len(raw)-1]) // nothing to unescape
	}
	var s string
	if json.Unmarshal(raw, &s) != nil {
		return ""
	}
	return s
}

// mayHold says whether a stream's event may hold facts not yet known: the
// id until there is one, then a finish reason that is not null (OpenAI
// sends "finish_reason":null in every chunk but the last, so the key alone
// says nothing) or a Responses event's status. The events that cannot are
// most of a stream, and are not decoded.
func (f *answerFacts) mayHold(data []byte) bool {
	if f.id == "" {
		return true
	}
	for _, key := range []string{`"finish_reason"`, `"finishReason"`, `"stop_reason"`, `"stopReason"`, `"status"`} {
		for rest := data; ; {
			i := bytes.Index(rest, []byte(key))
			if i < 0 {
				break
			}
			rest = bytes.TrimLeft(rest[i+len(key):], " \t\r\n")
			if len(rest) > 0 && rest[0] == ':' {
				if v := bytes.TrimLeft(rest[1:], " \t\r\n"); len(v) > 0 && v[0] != 'n' {
					return true
				}
			}
		}
	}
	return false
}

// watchFacts starts reading an attempt's answer, in format ad, for its
// span: a stream's events as they are relayed (the reader returned); a
// whole answer is read once delivered, by the usage's pass over it.
func (at *attempt) watchFacts(body io.Reader, stream, eventStream bool, ad *adapter) io.Reader {
	if at.span == nil || !at.span.IsRecording() {
		return body
	}
	at.facts = &answerFacts{}
	if at.content && ad != nil {
		at.facts.shape = ad.format().Answer
		if stream {
			at.facts.shape = ad.format().Event
		}
	}
	if !stream {
		return body
	}
	fr := &factsReader{r: body, f: at.facts, split: new(sse.Decoder).Feed}
	if eventStream {
		fr.split = translate.EventStream() // Bedrock's binary frames
	}
	return fr
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

// factsReader reads a stream's facts as it goes by.
type factsReader struct {
	r     io.Reader
	f     *answerFacts
	split func(p []byte) []sse.Event // the stream's events as they complete
}

func (fr *factsReader) Read(p []byte) (int, error) {
	n, err := fr.r.Read(p)
	f := fr.f
	for _, ev := range fr.split(p[:n]) {
		if bytes.HasPrefix(bytes.TrimSpace(ev.Data), []byte("{")) {
			if f.mayHold(ev.Data) {
				if m := jsonbody.Fields(ev.Data, factMembers...); m != nil {
					f.from(m)
				}
			}
			f.texts(ev.Data)
		}
	}
	return n, err
}

// webhookSpan starts a guard webhook call's CLIENT span ("POST
// /request") under the request's, and puts its trace context on req.
func webhookSpan(req *http.Request) trace.Span {
	full := *req.URL
	full.User, full.RawQuery = nil, "" // never a credential
	attrs := telemetry.AppendServerAttrs([]attribute.KeyValue{semconv.HTTPRequestMethodKey.String(req.Method), semconv.URLFull(full.String())}, req.URL.Host)
	ctx, span := childSpan(req.Context(), req.Method+" "+req.URL.Path, attrs...)
	if span != nil {
		telemetry.Propagator().Inject(ctx, propagation.HeaderCarrier(req.Header))
	}
	return span
}

// grpcTraceContext puts the trace context of ctx's span in its outgoing
// gRPC metadata (traceparent, tracestate), where a gRPC service reads it;
// an engine in process ignores it.
func grpcTraceContext(ctx context.Context) context.Context {
	c := propagation.MapCarrier{}
	telemetry.Propagator().Inject(ctx, c)
	kv := make([]string, 0, 2*len(c))
	for k, v := range c {
		kv = append(kv, k, v)
	}
	return metadata.AppendToOutgoingContext(ctx, kv...)
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
