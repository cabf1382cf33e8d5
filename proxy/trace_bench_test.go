package proxy

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	semconv "go.opentelemetry.io/otel/semconv/v1.37.0"
	"go.opentelemetry.io/otel/trace"

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

// BenchmarkTracingSDKFloor is what the OpenTelemetry SDK alone costs for
// the spans serve makes of a request (a SERVER span with 7 attributes, a
// CLIENT span with 13), exported over OTLP/HTTP to a loopback receiver
// like BenchmarkServeTracedOTLP's: the part of tracing's cost that serve
// cannot cut (compare cpu-ns/op with the two ServeTraced benchmarks').
func BenchmarkTracingSDKFloor(b *testing.B) {
	rcv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
	}))
	defer rcv.Close()
	exp, err := otlptracehttp.New(context.Background(), otlptracehttp.WithEndpointURL(rcv.URL+"/v1/traces"))
	if err != nil {
		b.Fatal(err)
	}
	// Blocking: a tight loop outruns the exporter, and spans dropped
	// would cost nothing.
	tp := sdktrace.NewTracerProvider(sdktrace.WithBatcher(exp, sdktrace.WithBlocking()))
	defer func() { _ = tp.Shutdown(context.Background()) }()
	tracer := tp.Tracer(tracerName)
	b.ResetTimer()
	defer reportCPU(b)()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			ctx, server := tracer.Start(context.Background(), "POST", trace.WithSpanKind(trace.SpanKindServer))
			_, client := tracer.Start(ctx, "chat gpt-4o-mini", trace.WithSpanKind(trace.SpanKindClient))
			client.SetAttributes(semconv.GenAIRequestModel("gpt-4o-mini"), semconv.GenAIOperationNameChat, semconv.GenAIProviderNameOpenAI,
				semconv.ServerAddress("127.0.0.1"), semconv.ServerPort(8080), semconv.HTTPResponseStatusCode(200), semconv.GenAIResponseModel("gpt-4o-mini-2024-07-18"),
				semconv.GenAIUsageInputTokens(14), semconv.GenAIUsageOutputTokens(7), semconv.GenAIResponseID("chatcmpl-x"), semconv.GenAIResponseFinishReasons("stop"),
				semconv.GenAIRequestTemperature(1), semconv.GenAIRequestMaxTokens(100))
			client.End()
			server.SetName("POST kubelb/openai")
			server.SetAttributes(semconv.HTTPRequestMethodPost, semconv.URLPath("/openai/v1/chat/completions"), semconv.ServerAddress("127.0.0.1"),
				semconv.ServerPort(9000), semconv.HTTPRoute("kubelb/openai"), semconv.HTTPResponseStatusCode(200), semconv.ErrorTypeOther)
			server.End()
		}
	})
}
