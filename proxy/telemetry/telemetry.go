// Package telemetry makes serve's OpenTelemetry TracerProvider from its
// configuration: an OTLP collector given explicitly (the manifests'
// tracing policy, or flags), else the standard OTEL_* environment
// variables. Nothing configured means no provider: serve's tracing is then
// a no-op and costs nothing.
package telemetry

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"strconv"
	"strings"

	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracegrpc"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	semconv "go.opentelemetry.io/otel/semconv/v1.41.0"
)

// Config says where traces go. Its zero value defers to the environment.
type Config struct {
	// Endpoint is the collector: a URL (http://collector:4318,
	// https://…; an HTTP URL without a path gets /v1/traces) or host:port
	// (plain text, as a local collector listens). Empty: the standard
	// variables OTEL_EXPORTER_OTLP_TRACES_ENDPOINT and
	// OTEL_EXPORTER_OTLP_ENDPOINT, read by the SDK's exporters.
	Endpoint string
	// Protocol is grpc or http (http/protobuf). Empty: the standard
	// OTEL_EXPORTER_OTLP_TRACES_PROTOCOL or OTEL_EXPORTER_OTLP_PROTOCOL,
	// else http/protobuf, the specification's default.
	Protocol string
	// Sampling is the ratio of new traces recorded (0..1), parent-based: a
	// request whose caller's trace is sampled is sampled. Nil: the SDK's
	// OTEL_TRACES_SAMPLER(_ARG), else every trace.
	Sampling *float64
	// ServiceVersion is service.version on every span's resource.
	ServiceVersion string
}

// maxAttributeValue bounds a span's string values by default: 64 KiB,
// what --log-bodies logs of a prompt.
const maxAttributeValue = 64 << 10

// Propagator is the trace context serve reads from callers and writes to
// providers: W3C tracecontext (traceparent, tracestate).
func Propagator() propagation.TextMapPropagator { return propagation.TraceContext{} }

// New returns a TracerProvider exporting over OTLP in batches, or nil when
// nothing configures a collector (or OTEL_SDK_DISABLED=true, or
// OTEL_TRACES_EXPORTER=none). The caller shuts it down (flushing what is
// buffered) when serve stops.
func New(ctx context.Context, c Config) (*sdktrace.TracerProvider, error) {
	// The process's environment, which the SDK reads too.
	get := func(k string) string { return strings.TrimSpace(os.Getenv(k)) }
	if strings.EqualFold(get("OTEL_SDK_DISABLED"), "true") || strings.EqualFold(get("OTEL_TRACES_EXPORTER"), "none") {
		return nil, nil
	}
	if c.Endpoint == "" && get("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT") == "" && get("OTEL_EXPORTER_OTLP_ENDPOINT") == "" {
		return nil, nil
	}
	protocol := c.Protocol
	if protocol == "" {
		protocol = get("OTEL_EXPORTER_OTLP_TRACES_PROTOCOL")
	}
	if protocol == "" {
		protocol = get("OTEL_EXPORTER_OTLP_PROTOCOL")
	}
	var exp sdktrace.SpanExporter
	var err error
	switch strings.ToLower(protocol) {
	case "grpc":
		var opts []otlptracegrpc.Option
		if c.Endpoint != "" {
			u, err := endpointURL(c.Endpoint)
			if err != nil {
				return nil, err
			}
			opts = append(opts, otlptracegrpc.WithEndpointURL(u.String()))
		}
		exp, err = otlptracegrpc.New(ctx, opts...)
	case "", "http", "http/protobuf":
		var opts []otlptracehttp.Option
		if c.Endpoint != "" {
			u, err := endpointURL(c.Endpoint)
			if err != nil {
				return nil, err
			}
			if u.Path == "" || u.Path == "/" {
				u.Path = "/v1/traces"
			}
			opts = append(opts, otlptracehttp.WithEndpointURL(u.String()))
		}
		exp, err = otlptracehttp.New(ctx, opts...)
	default:
		return nil, fmt.Errorf("tracing protocol %q: serve exports OTLP over grpc or http (http/protobuf)", protocol)
	}
	if err != nil {
		return nil, fmt.Errorf("the OTLP trace exporter: %w", err)
	}
	res, err := resource.New(ctx,
		resource.WithAttributes(semconv.ServiceName("kubelb-ai"), semconv.ServiceVersion(c.ServiceVersion)),
		resource.WithFromEnv(), // OTEL_SERVICE_NAME, OTEL_RESOURCE_ATTRIBUTES override
		resource.WithTelemetrySDK())
	if err != nil && !errors.Is(err, resource.ErrPartialResource) {
		return nil, err
	}
	// Spans wait in the batch queue (2,048 by default) until exported, and
	// a request's values (prompts with content recorded, a client's model)
	// are as long as its body: each string value is cut at
	// maxAttributeValue unless OTEL_(SPAN_)ATTRIBUTE_VALUE_LENGTH_LIMIT says.
	limits := sdktrace.NewSpanLimits() // reads those variables
	if limits.AttributeValueLengthLimit < 0 {
		limits.AttributeValueLengthLimit = maxAttributeValue
	}
	opts := []sdktrace.TracerProviderOption{sdktrace.WithBatcher(exp), sdktrace.WithResource(res), sdktrace.WithRawSpanLimits(limits)}
	if c.Sampling != nil {
		if *c.Sampling < 0 || *c.Sampling > 1 {
			return nil, fmt.Errorf("tracing sampling %s: a ratio from 0 to 1", strconv.FormatFloat(*c.Sampling, 'g', -1, 64))
		}
		opts = append(opts, sdktrace.WithSampler(sdktrace.ParentBased(sdktrace.TraceIDRatioBased(*c.Sampling))))
	}
	// Without a sampler option the SDK reads OTEL_TRACES_SAMPLER(_ARG).
	return sdktrace.NewTracerProvider(opts...), nil
}

// endpointURL reads a collector address: a URL, or host:port in plain
// text.
func endpointURL(s string) (*url.URL, error) {
	if !strings.Contains(s, "://") {
		s = "http://" + s
	}
	u, err := url.Parse(s)
	if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
		return nil, fmt.Errorf("tracing endpoint %q: give http(s)://host:port[/path] or host:port", s)
	}
	return u, nil
}
