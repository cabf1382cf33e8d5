package proxy

import (
	"context"
	"testing"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

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
