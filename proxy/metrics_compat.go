package proxy

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/kubelb-ai/kubelb-ai/proxy/mcp"
)

// MetricsCompats are the data planes whose metric names serve can export
// besides its own (--metrics-compat).
var MetricsCompats = []string{"agentgateway"}

// agentgatewayMetrics are agentgateway's own GenAI and MCP metrics (v1.4),
// names, labels and buckets as it exports them, so that dashboards and
// recording rules written for it (KubeLB's aiRecordingRules) read serve
// unchanged. Its route identity is bind, gateway, listener, route and
// route_rule; tenant_id and key_id are the custom fields KubeLB's rules
// select. A value serve does not know is "unknown", as agentgateway's.
type agentgatewayMetrics struct {
	tokens, requestDuration, firstToken, perOutputToken *prometheus.HistogramVec
	mcpRequests                                         *prometheus.CounterVec
}

// agentgatewayRoute is agentgateway's route identity and custom fields.
var agentgatewayRoute = []string{"bind", "gateway", "listener", "route", "route_rule", "tenant_id", "key_id"}

// agentgatewayGenAI are agentgateway's GenAI labels (gen_ai_system is the
// older name of gen_ai_provider_name), then its route identity.
var agentgatewayGenAI = append([]string{"gen_ai_operation_name", "gen_ai_system", "gen_ai_request_model", "gen_ai_response_model"}, agentgatewayRoute...)

func newAgentgatewayMetrics() *agentgatewayMetrics {
	return &agentgatewayMetrics{
		tokens: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "agentgateway_gen_ai_client_token_usage",
			Help:    "Number of tokens used per request (agentgateway's name; --metrics-compat agentgateway).",
			Buckets: []float64{1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216, 67108864}},
			append([]string{"gen_ai_token_type"}, agentgatewayGenAI...)),
		requestDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "agentgateway_gen_ai_server_request_duration",
			Help:    "Duration of generative AI request (agentgateway's name; --metrics-compat agentgateway).",
			Buckets: operationBuckets}, agentgatewayGenAI),
		firstToken: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "agentgateway_gen_ai_server_time_to_first_token",
			Help: "Time to generate the first token for a given request (agentgateway's name; --metrics-compat agentgateway).", Buckets: firstTokenBuckets}, agentgatewayGenAI),
		perOutputToken: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "agentgateway_gen_ai_server_time_per_output_token",
			Help: "Time to generate each output token for a given request (agentgateway's name; --metrics-compat agentgateway).",
			// The conventions' buckets with agentgateway's 1ms added.
			Buckets: []float64{0.001, 0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.75, 1.0, 2.5}}, agentgatewayGenAI),
		mcpRequests: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "agentgateway_mcp_requests_total",
			Help: "Total number of MCP tool calls (agentgateway's name; --metrics-compat agentgateway)."},
			append([]string{"method", "resource_type", "server", "resource"}, agentgatewayRoute...)),
	}
}

// SetCompat also exports the metric names of the data plane compat names
// (see MetricsCompats; "" adds none). It registers them once: reloads may
// call it again with the same name.
func (m *Metrics) SetCompat(compat string) error {
	if m == nil || compat == "" {
		return nil
	}
	if !slices.Contains(MetricsCompats, compat) {
		return fmt.Errorf("metrics compatibility %q: use one of %s", compat, strings.Join(MetricsCompats, ", "))
	}
	m.compatMu.Lock()
	defer m.compatMu.Unlock()
	if m.compat.Load() != nil {
		return nil
	}
	a := newAgentgatewayMetrics()
	if err := m.registry.Register(a.tokens); err != nil {
		return err
	}
	m.registry.MustRegister(a.requestDuration, a.firstToken, a.perOutputToken, a.mcpRequests)
	m.compat.Store(a)
	return nil
}

// compatMetrics are the other data plane's metrics, nil if none.
func (m *Metrics) compatMetrics() *agentgatewayMetrics {
	if m == nil {
		return nil
	}
	return m.compat.Load()
}

// unknown is how agentgateway exports a label value it does not know.
func unknown(s string) string {
	if s == "" {
		return "unknown"
	}
	return s
}

// route is an exchange's route identity and custom fields, in
// agentgatewayRoute's order. serve has no bind or rule names.
func (a *agentgatewayMetrics) route(e *exchange) []string {
	route := e.route
	if route == "(none)" {
		route = ""
	}
	return []string{"unknown", unknown(e.gateway), unknown(e.listener), unknown(route), "unknown", e.tenant, e.client}
}

// genAI are an exchange's labels in agentgatewayGenAI's order.
func (a *agentgatewayMetrics) genAI(e *exchange) []string {
	g := e.genAI
	return append([]string{unknown(g.operation), unknown(g.provider), unknown(g.requestModel), unknown(g.responseModel)}, a.route(e)...)
}

// observeTokens notes an exchange's usage as agentgateway does: input,
// and output unless the operation has none (embeddings).
func (a *agentgatewayMetrics) observeTokens(e *exchange, in, out int) {
	labels := a.genAI(e)
	a.tokens.WithLabelValues(append([]string{"input"}, labels...)...).Observe(float64(in))
	if e.genAI.operation != "embeddings" {
		a.tokens.WithLabelValues(append([]string{"output"}, labels...)...).Observe(float64(out))
	}
}

// observeOperation notes an AI request's latencies as agentgateway does:
// the whole request; for a streamed answer its first token, and the time
// per output token after it.
func (a *agentgatewayMetrics) observeOperation(ctx context.Context, e *exchange, d time.Duration, streamed bool, first time.Duration) {
	labels := a.genAI(e)
	observe(ctx, a.requestDuration.WithLabelValues(labels...), operationBuckets, d.Seconds())
	if !streamed || first <= 0 {
		return
	}
	observe(ctx, a.firstToken.WithLabelValues(labels...), firstTokenBuckets, first.Seconds())
	if e.tokensSeen && e.tokensOut > 0 && d > first {
		a.perOutputToken.WithLabelValues(labels...).Observe((d - first).Seconds() / float64(e.tokensOut))
	}
}

// observeMCP counts an MCP message as agentgateway's mcp_requests: by
// method, the kind of thing it names (a list names none), the server and
// the name.
func (a *agentgatewayMetrics) observeMCP(e *exchange, c mcp.Call) {
	kind := "unknown"
	for _, k := range []struct{ prefix, kind string }{{"tools/", "tool"}, {"prompts/", "prompt"}, {"resources/templates", "templates"},
		{"resources/", "resource"}, {"tasks/", "task"}} {
		if c.Name != "" && strings.HasPrefix(c.Method, k.prefix) {
			kind = k.kind
			break
		}
	}
	a.mcpRequests.WithLabelValues(append([]string{unknown(c.Method), kind, unknown(c.Target), unknown(c.Name)}, a.route(e)...)...).Inc()
}
