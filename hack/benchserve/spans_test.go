package main

// What a request's two spans (serve's SERVER span and its provider
// attempt's CLIENT span, with the attributes serve sets on the bench's
// plain request) cost the OpenTelemetry SDK alone, apart from serve:
// recorded and batched to an exporter that drops them (Noop), or exported
// over OTLP/HTTP to a loopback receiver. Run with -cpu 1 so the batch
// processor's export shares the benchmark's CPU and shows in ns/op;
// batching blocks rather than drops, so every span is exported.
import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"
)

func benchSpans(b *testing.B, exp sdktrace.SpanExporter) {
	tp := sdktrace.NewTracerProvider(sdktrace.WithBatcher(exp, sdktrace.WithBlocking()), sdktrace.WithSampler(sdktrace.AlwaysSample()))
	tr := tp.Tracer("x")
	b.ReportAllocs()
	for b.Loop() {
		ctx, s := tr.Start(context.Background(), "POST", trace.WithSpanKind(trace.SpanKindServer), trace.WithAttributes(attribute.String("http.request.method", "POST"), attribute.String("url.path", "/openai/v1/chat/completions"), attribute.String("server.address", "127.0.0.1"), attribute.Int("server.port", 8080)))
		_, c := tr.Start(ctx, "chat gpt-4o-mini", trace.WithSpanKind(trace.SpanKindClient), trace.WithAttributes(attribute.String("gen_ai.request.model", "gpt-4o-mini"), attribute.String("gen_ai.operation.name", "chat"), attribute.String("gen_ai.provider.name", "openai"), attribute.String("server.address", "127.0.0.1"), attribute.Int("server.port", 9000)))
		c.SetAttributes(attribute.Int("http.response.status_code", 200), attribute.String("gen_ai.response.model", "gpt-4o-mini-2024-07-18"), attribute.Int("gen_ai.usage.input_tokens", 14), attribute.Int("gen_ai.usage.output_tokens", 7), attribute.String("gen_ai.response.id", "chatcmpl-bench"), attribute.StringSlice("gen_ai.response.finish_reasons", []string{"stop"}))
		c.End()
		s.SetName("POST /openai")
		s.SetAttributes(attribute.String("http.route", "/openai"), attribute.Int("http.response.status_code", 200))
		s.End()
	}
	_ = tp.Shutdown(context.Background())
}

func BenchmarkSpansNoop(b *testing.B) { benchSpans(b, tracetest.NewNoopExporter()) }

// BenchmarkSpansOTLPHTTP: go test -run '^$' -bench Spans -cpu 1 ./hack/benchserve
func BenchmarkSpansOTLPHTTP(b *testing.B) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.Copy(io.Discard, r.Body); w.WriteHeader(200) }))
	defer srv.Close()
	exp, err := otlptracehttp.New(context.Background(), otlptracehttp.WithEndpointURL(srv.URL+"/v1/traces"))
	if err != nil {
		b.Fatal(err)
	}
	benchSpans(b, exp)
}
