package proxy

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/kubelb-ai/kubelb-ai/proxy/telemetry"
	"github.com/kubelb-ai/kubelb-ai/templates"
)

// BenchmarkServeTraced is BenchmarkServePlain with every request traced
// (sampler 1.0, batched to an exporter that drops the spans): what
// tracing costs serve itself, against BenchmarkServePlain.
func BenchmarkServeTraced(b *testing.B) {
	tp := sdktrace.NewTracerProvider(sdktrace.WithBatcher(tracetest.NewNoopExporter()), sdktrace.WithSampler(sdktrace.AlwaysSample()))
	defer func() { _ = tp.Shutdown(context.Background()) }()
	benchServe(b, templates.KgatewayV21, "openai",
		`{"id":"x","object":"chat.completion","choices":[{"index":0,"message":{"role":"assistant","content":"hi"},"finish_reason":"stop"}]}`,
		func(o *Options) { o.Tracer = tp })
}

// BenchmarkServeTracedOTLP is BenchmarkServeTraced exported for real:
// OTLP/HTTP protobuf to a loopback receiver that discards it.
func BenchmarkServeTracedOTLP(b *testing.B) {
	rcv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
	}))
	defer rcv.Close()
	tp, err := telemetry.New(context.Background(), telemetry.Config{Endpoint: rcv.URL, Protocol: "http"})
	if err != nil {
		b.Fatal(err)
	}
	defer func() { _ = tp.Shutdown(context.Background()) }()
	benchServe(b, templates.KgatewayV21, "openai",
		`{"id":"x","object":"chat.completion","choices":[{"index":0,"message":{"role":"assistant","content":"hi"},"finish_reason":"stop"}]}`,
		func(o *Options) { o.Tracer = tp })
}
