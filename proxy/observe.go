package proxy

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"go.opentelemetry.io/otel/trace"
)

// Metrics are serve's Prometheus metrics, on a registry of their own.
type Metrics struct {
	registry    *prometheus.Registry
	requests    *prometheus.CounterVec
	duration    *prometheus.HistogramVec
	upstream    *prometheus.HistogramVec
	firstByte   *prometheus.HistogramVec
	failovers   *prometheus.CounterVec
	rateLimited *prometheus.CounterVec
	// tokens is OpenTelemetry's GenAI gen_ai.client.token.usage, in
	// Prometheus form (dots become underscores), plus the route.
	tokens *prometheus.HistogramVec
	// clientRequests and clientTokens count by authenticated client (its
	// name, never its credential), on routes that check their callers.
	clientRequests *prometheus.CounterVec
	clientTokens   *prometheus.CounterVec
	// mcpRequests and mcpDuration count MCP gateways' messages.
	mcpRequests *prometheus.CounterVec
	mcpDuration *prometheus.HistogramVec
	// operation and firstChunk are OpenTelemetry's GenAI
	// gen_ai.client.operation.duration and
	// gen_ai.client.operation.time_to_first_chunk, per AI request.
	operation  *prometheus.HistogramVec
	firstChunk *prometheus.HistogramVec
	// compat, once set, also exports another data plane's metric names
	// (--metrics-compat).
	compat   atomic.Pointer[agentgatewayMetrics]
	compatMu sync.Mutex
	// models are the model names the GenAI metrics are labelled with.
	models modelLabels
}

// modelLabels bound the model names metrics are labelled with. A
// request's model is its client's to choose, and each new name is a new
// series in every GenAI histogram, kept until serve stops: a client
// sending random names would grow serve's memory (and the scraper's)
// without end. Past limit distinct names, and for a name longer than
// maxModelLabel bytes, the label is _OTHER, the conventions' word for a
// value outside the known set. Traces and the access log keep the name.
type modelLabels struct {
	mu    sync.Mutex
	seen  map[string]bool
	limit int // 0: defaultModelLabels
}

const (
	defaultModelLabels = 1000
	maxModelLabel      = 256
	otherModel         = "_OTHER"
)

// label is name as a metric label: itself, or _OTHER once the bound is
// reached.
func (l *modelLabels) label(name string) string {
	if name == "" {
		return ""
	}
	if len(name) > maxModelLabel {
		return otherModel
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.seen[name] {
		return name
	}
	limit := l.limit
	if limit == 0 {
		limit = defaultModelLabels
	}
	if len(l.seen) >= limit {
		return otherModel
	}
	if l.seen == nil {
		l.seen = map[string]bool{}
	}
	l.seen[name] = true
	return name
}

// modelLabel is name as a GenAI metric's model label (see modelLabels).
func (m *Metrics) modelLabel(name string) string {
	if m == nil {
		return name
	}
	return m.models.label(name)
}

// genAILabels are the GenAI conventions' metric attributes serve knows,
// in Prometheus form, plus the route.
var genAILabels = []string{"gen_ai_operation_name", "gen_ai_provider_name", "gen_ai_request_model", "gen_ai_response_model", "error_type", "route"}

// NewMetrics registers serve's metrics.
func NewMetrics() *Metrics {
	m := &Metrics{
		registry: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "kubelb_ai_requests_total",
			Help: "Requests by route, backend, provider and status."}, []string{"route", "backend", "provider", "status"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "kubelb_ai_request_duration_seconds",
			Help: "Time from a request's arrival to its last byte, by route.", Buckets: latencyBuckets}, []string{"route"}),
		upstream: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "kubelb_ai_upstream_duration_seconds",
			Help: "Time until a provider's response headers, by provider.", Buckets: latencyBuckets}, []string{"provider"}),
		firstByte: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "kubelb_ai_time_to_first_byte_seconds",
			Help: "Time from a request's arrival to its first response byte (the first event of a stream), by route.", Buckets: latencyBuckets}, []string{"route"}),
		failovers: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "kubelb_ai_failovers_total",
			Help: "Moves to the next provider of a backend, by route and the providers involved."}, []string{"route", "from", "to"}),
		rateLimited: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "kubelb_ai_rate_limited_total",
			Help: "Requests refused by a route's request or token rate limit."}, []string{"route"}),
		tokens: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "gen_ai_client_token_usage",
			Help: "Tokens used per exchange as the provider reports them (OpenTelemetry GenAI gen_ai.client.token.usage), by token type (input, output).",
			// The buckets OpenTelemetry's GenAI conventions advise.
			Buckets: []float64{1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216, 67108864}},
			[]string{"gen_ai_operation_name", "gen_ai_provider_name", "gen_ai_request_model", "gen_ai_response_model", "gen_ai_token_type", "route"}),
		clientRequests: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "kubelb_ai_client_requests_total",
			Help: "Requests on routes that check their callers, by route, client (the API key's client metadata or the token's subject; empty: anonymous) and status."},
			[]string{"route", "client", "status"}),
		clientTokens: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "kubelb_ai_client_tokens_total",
			Help: "Tokens the providers reported, by route, client and token type (input, output), on routes that check their callers."},
			[]string{"route", "client", "gen_ai_token_type"}),
	}
	m.mcpRequests = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "kubelb_ai_mcp_requests_total",
		Help: "MCP messages by MCP gateway (route), target, method and status (ok, error, denied, failed)."}, []string{"route", "target", "method", "status"})
	m.mcpDuration = prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "kubelb_ai_mcp_request_duration_seconds",
		Help: "Time an MCP gateway took to answer a message, by MCP gateway (route) and method.", Buckets: latencyBuckets}, []string{"route", "method"})
	m.operation = prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "gen_ai_client_operation_duration",
		Help: "Seconds from an AI request's arrival to its answer's last byte (OpenTelemetry GenAI gen_ai.client.operation.duration); error_type is the outcome or the status of a failed one.",
		// The buckets OpenTelemetry's GenAI conventions advise.
		Buckets: operationBuckets}, genAILabels)
	m.firstChunk = prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "gen_ai_client_operation_time_to_first_chunk",
		Help:    "Seconds from a streamed AI request's arrival to its first event (OpenTelemetry GenAI gen_ai.client.operation.time_to_first_chunk).",
		Buckets: firstTokenBuckets}, genAILabels)
	m.registry.MustRegister(m.requests, m.duration, m.upstream, m.firstByte, m.failovers, m.rateLimited, m.tokens, m.clientRequests, m.clientTokens, m.mcpRequests, m.mcpDuration,
		m.operation, m.firstChunk,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// Handler serves the metrics (/metrics).
func (m *Metrics) Handler() http.Handler {
	// OpenMetrics, for the scrapers that ask for it: exemplars exist only
	// there. Others get the classic text format as before.
	return promhttp.HandlerFor(m.registry, promhttp.HandlerOpts{EnableOpenMetrics: true})
}

// latencyBuckets are serve's own latency buckets.
var latencyBuckets = []float64{.001, .005, .01, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60}

// operationBuckets are OpenTelemetry's GenAI buckets for an operation's
// duration (gen_ai.client.operation.duration), which agentgateway uses
// too.
var operationBuckets = []float64{0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92}

// firstTokenBuckets are OpenTelemetry's GenAI buckets for a first token's
// time (gen_ai.server.time_to_first_token), which agentgateway uses too.
var firstTokenBuckets = []float64{0.001, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.25, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5, 10.0}

// observe notes v in h, whose buckets are those given, with the trace id
// of ctx's span as its exemplar when that span is sampled: a latency
// bucket then links to a trace.
func observe(ctx context.Context, h prometheus.Observer, buckets []float64, v float64) {
	sc := trace.SpanContextFromContext(ctx)
	if eo, ok := h.(prometheus.ExemplarObserver); ok && sc.IsValid() && sc.IsSampled() && exemplarDue(h, buckets, v, time.Now()) {
		eo.ObserveWithExemplar(v, prometheus.Labels{"trace_id": sc.TraceID().String(), "span_id": sc.SpanID().String()})
		return
	}
	h.Observe(v)
}

// exemplarEvery is how often a histogram's bucket takes a new exemplar. A
// bucket keeps only its latest, and a scrape every few seconds reads it,
// so one a second is as good as one per request, which would cost a
// request more than the rest of its metrics. Each bucket has its own
// clock: a rare one (the slow request one wants the trace of) never waits
// on a busy one.
const exemplarEvery = time.Second

// exemplarClocks are when each series' buckets last took an exemplar.
var exemplarClocks sync.Map // exemplarBucket → *atomic.Int64, Unix nanoseconds

type exemplarBucket struct {
	h      prometheus.Observer
	bucket int
}

// exemplarDue says whether an observation of v in h gets an exemplar.
func exemplarDue(h prometheus.Observer, buckets []float64, v float64, now time.Time) bool {
	// The bucket Prometheus counts v in: the first upper bound ≥ v.
	key := exemplarBucket{h, sort.SearchFloat64s(buckets, v)}
	p, ok := exemplarClocks.Load(key)
	if !ok {
		p, _ = exemplarClocks.LoadOrStore(key, new(atomic.Int64))
	}
	last := p.(*atomic.Int64)
	prev, t := last.Load(), now.UnixNano()
	return t-prev >= int64(exemplarEvery) && last.CompareAndSwap(prev, t)
}

// exchange is what one request did, filled in as it goes.
type exchange struct {
	mu        sync.Mutex
	route     string
	backend   string
	provider  string
	failovers int
	// guarded is set when the prompt guard refused the request.
	guarded bool
	// outcome says how an answer ended when it did not end whole
	// (upstream_cut, stream_idle_timeout, client_gone, too_large, ...).
	outcome string
	// tokens are the provider's usage, when it said.
	tokensIn, tokensOut int
	tokensSeen          bool
	// checked is set when the route checked its caller; client is the
	// caller's name (empty: anonymous).
	checked bool
	client  string
	// mcp* are an MCP gateway's message: its method, the target and the
	// tool, prompt or resource it named, and how it ended when not ok.
	mcpMethod, mcpTarget, mcpName, mcpStatus string
	// genAI are an AI request's GenAI attributes, set once a provider was
	// called (the operation is empty otherwise).
	genAI genAIAttrs
	// gateway and listener are where the request came in; tenant is the
	// caller's tenant_id (its API key's metadata, or its token's claim).
	gateway, listener, tenant string
	// tracing is the request's tracer (nil: tracing is off).
	tracing *tracing
}

// genAIAttrs are the GenAI conventions' attributes of one AI exchange.
type genAIAttrs struct {
	operation, provider, requestModel, responseModel string
}

func (e *exchange) set(f func(*exchange)) {
	if e == nil {
		return
	}
	e.mu.Lock()
	f(e)
	e.mu.Unlock()
}

// recorder notes the status and the first byte of a response.
type recorder struct {
	http.ResponseWriter
	status    int
	firstByte time.Duration
	start     time.Time
}

func (r *recorder) WriteHeader(code int) {
	if r.status == 0 {
		r.status = code
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *recorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	if r.firstByte == 0 && len(b) > 0 {
		r.firstByte = time.Since(r.start)
	}
	return r.ResponseWriter.Write(b)
}

func (r *recorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

// observed wraps a listener's handler with metrics and an access log line
// per request: method, path (as the client sent it), route, backend,
// provider, status, durations, failovers, and why it was aborted if it was.
// Never headers or bodies, so never a key.
func observed(next *routeHandler, m *Metrics, log *slog.Logger, logBodies bool) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		var body []byte
		if logBodies && log != nil {
			// Asked for: the prompt goes to the log (up to 64 KiB of it).
			body, _ = io.ReadAll(io.LimitReader(r.Body, 64<<10))
			r.Body = struct {
				io.Reader
				io.Closer
			}{io.MultiReader(bytes.NewReader(body), r.Body), r.Body}
		}
		ex := &exchange{route: "(none)", gateway: next.gateway, listener: next.listener, tracing: next.tracing}
		// The SERVER span, in the request's context from here on: the
		// attempts', webhooks' and limits' spans are its children (and
		// the latency histograms' exemplars read it).
		r, span := next.tracing.startServer(r)
		rec := &recorder{ResponseWriter: w, start: start}
		// The line is written however the request ends, a connection
		// broken on purpose (a cut answer) included.
		defer func() {
			p := recover()
			if p != nil {
				ex.set(func(e *exchange) {
					if e.outcome == "" {
						e.outcome = "aborted"
					}
				})
			}
			record(r, rec, ex, time.Since(start), m, log, body)
			var route, outcome string
			ex.set(func(e *exchange) { route, outcome = e.route, e.outcome })
			endServer(span, r, rec.status, route, abortedBy(r), outcome)
			if p != nil {
				panic(p)
			}
		}()
		next.serve(rec, r, ex)
	})
}

// record notes one request in the metrics and the access log.
func record(r *http.Request, rec *recorder, ex *exchange, d time.Duration, m *Metrics, log *slog.Logger, body []byte) {
	// A request cut short (the client left, or serve stopped after the
	// drain time) is logged as it ended: status 0 if no response reached
	// the client.
	aborted := abortedBy(r)
	ex.mu.Lock()
	defer ex.mu.Unlock()
	if rec.status == 0 && aborted == "" {
		rec.status = http.StatusOK
	}
	if m != nil {
		m.requests.WithLabelValues(ex.route, ex.backend, ex.provider, strconv.Itoa(rec.status)).Inc()
		observe(r.Context(), m.duration.WithLabelValues(ex.route), latencyBuckets, d.Seconds())
		if rec.firstByte > 0 {
			observe(r.Context(), m.firstByte.WithLabelValues(ex.route), latencyBuckets, rec.firstByte.Seconds())
		}
		if ex.genAI.operation != "" {
			m.observeOperation(r.Context(), ex, rec, d)
		}
		if ex.checked {
			m.clientRequests.WithLabelValues(ex.route, ex.client, strconv.Itoa(rec.status)).Inc()
			if ex.tokensSeen {
				m.clientTokens.WithLabelValues(ex.route, ex.client, "input").Add(float64(ex.tokensIn))
				m.clientTokens.WithLabelValues(ex.route, ex.client, "output").Add(float64(ex.tokensOut))
			}
		}
	}
	if log == nil {
		return
	}
	attrs := []slog.Attr{slog.String("method", r.Method), slog.String("path", r.URL.Path), slog.String("route", ex.route),
		slog.String("backend", ex.backend), slog.String("provider", ex.provider), slog.Int("status", rec.status),
		slog.Int64("duration_ms", d.Milliseconds()), slog.Int64("first_byte_ms", rec.firstByte.Milliseconds()), slog.Int("failovers", ex.failovers)}
	if ex.outcome != "" {
		// The status went out before the answer broke off: the outcome
		// says how it really ended.
		attrs = append(attrs, slog.String("outcome", ex.outcome))
	}
	if ex.tokensSeen {
		attrs = append(attrs, slog.Int("input_tokens", ex.tokensIn), slog.Int("output_tokens", ex.tokensOut))
	}
	if aborted != "" {
		attrs = append(attrs, slog.String("aborted", aborted))
	}
	if ex.guarded {
		attrs = append(attrs, slog.Bool("guard_rejected", true))
	}
	if ex.client != "" {
		attrs = append(attrs, slog.String("client", ex.client))
	}
	if ex.mcpMethod != "" {
		attrs = append(attrs, slog.String("mcp_method", ex.mcpMethod))
		if ex.mcpTarget != "" {
			attrs = append(attrs, slog.String("mcp_target", ex.mcpTarget))
		}
		if ex.mcpName != "" {
			attrs = append(attrs, slog.String("mcp_name", ex.mcpName))
		}
		if ex.mcpStatus != "" {
			attrs = append(attrs, slog.String("mcp_status", ex.mcpStatus))
		}
	}
	if traceID, spanID, ok := traceIDs(trace.SpanFromContext(r.Context())); ok {
		// The request's trace, to find its spans from its log line.
		attrs = append(attrs, slog.String("trace_id", traceID), slog.String("span_id", spanID))
	}
	if body != nil {
		attrs = append(attrs, slog.String("request_body", string(body)))
	}
	log.LogAttrs(r.Context(), slog.LevelInfo, "request", attrs...)
}

// genAIProvider is gen_ai.provider.name for a provider kind, as
// OpenTelemetry's GenAI conventions spell them.
func genAIProvider(kind string) string {
	if name, ok := map[string]string{"gemini": "gcp.gemini", "vertexai": "gcp.vertex_ai", "azureopenai": "azure.ai.openai",
		"mistral": "mistral_ai", "bedrock": "aws.bedrock"}[kind]; ok {
		return name
	}
	return kind
}

// observeOperation notes an AI request's GenAI latencies: its whole
// duration, and its first event's when the answer was streamed.
func (m *Metrics) observeOperation(ctx context.Context, ex *exchange, rec *recorder, d time.Duration) {
	g := ex.genAI
	errType := ex.outcome
	if errType == "" && (rec.status >= 400 || rec.status == 0) {
		errType = strconv.Itoa(rec.status)
	}
	observe(ctx, m.operation.WithLabelValues(g.operation, g.provider, g.requestModel, g.responseModel, errType, ex.route), operationBuckets, d.Seconds())
	streamed := rec.status < 300 && strings.HasPrefix(rec.Header().Get("Content-Type"), "text/event-stream")
	if streamed && rec.firstByte > 0 {
		observe(ctx, m.firstChunk.WithLabelValues(g.operation, g.provider, g.requestModel, g.responseModel, errType, ex.route), firstTokenBuckets, rec.firstByte.Seconds())
	}
	if c := m.compatMetrics(); c != nil {
		c.observeOperation(ctx, ex, d, streamed, rec.firstByte)
	}
}
