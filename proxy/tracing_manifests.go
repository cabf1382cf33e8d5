package proxy

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"strings"
	"time"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	"github.com/kubelb-ai/kubelb-ai/proxy/telemetry"
	"github.com/kubelb-ai/kubelb-ai/spec"
)

// traceExport is where a Build's traces go, read from the manifests'
// tracing policy and the environment.
type traceExport struct {
	config telemetry.Config
	// from is "environment" or "manifests"; "" exports nothing.
	from string
	// content records prompts and answers (the Spec's content: true).
	content bool
	// warning says why the manifests' collector gets no traces.
	warning string
}

// envEndpoint reports whether the standard variables name a collector:
// then they configure the exporter (endpoint, protocol, headers), as in
// any OpenTelemetry SDK, and the manifests' collector is not used.
func envEndpoint() bool {
	return strings.TrimSpace(os.Getenv("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT")) != "" || strings.TrimSpace(os.Getenv("OTEL_EXPORTER_OTLP_ENDPOINT")) != ""
}

// tracingOf maps s's spec.observability.tracing to a collector serve can
// reach: the URL --upstream maps its Service to, or its url. A Service
// without --upstream is a cluster name this machine cannot resolve: no
// export, and a warning saying how to map it. The OTEL_EXPORTER_OTLP_*
// endpoint variables win over the manifests; OTEL_TRACES_SAMPLER wins
// over their sampling.
func tracingOf(s *spec.Spec, upstreams map[string]*url.URL, version string) traceExport {
	var t *spec.Tracing
	if s.Observability != nil {
		t = s.Observability.Tracing
	}
	x := traceExport{config: telemetry.Config{ServiceVersion: version}}
	if t != nil {
		x.content = t.Content
	}
	if envEndpoint() {
		x.from = "environment"
		if t != nil && (t.Service != "" || t.URL != "") {
			// Not an error (the SDK's rule), but a surprise if unsaid.
			x.warning = fmt.Sprintf("spec.observability.tracing: OTEL_EXPORTER_OTLP_(TRACES_)ENDPOINT is set, so traces go where it says, not to the manifests' collector %s (unset it to use theirs)",
				t.Service+t.URL)
		}
		return x
	}
	if t == nil {
		return x
	}
	switch {
	case t.URL != "":
		x.config.Endpoint = t.URL
	case t.Service != "":
		name, _, _, _ := spec.ServiceAddress(t.Service)
		u := upstreams[name]
		if u == nil {
			x.warning = fmt.Sprintf("spec.observability.tracing: the collector Service %s is not on this machine, so serve exports no traces: map it with --upstream %s=http://127.0.0.1:PORT (a local collector's OTLP %s port), or set OTEL_EXPORTER_OTLP_ENDPOINT",
				t.Service, name, protocolOf(t))
			return x
		}
		x.config.Endpoint = u.String()
	default:
		return x
	}
	x.from = "manifests"
	x.config.Protocol = protocolOf(t)
	if strings.TrimSpace(os.Getenv("OTEL_TRACES_SAMPLER")) == "" {
		r := t.SamplingRatio()
		x.config.Sampling = &r
	}
	return x
}

// protocolOf is t's OTLP transport with the Spec's default.
func protocolOf(t *spec.Tracing) string {
	if t.Protocol == "" {
		return spec.OTLPGRPC
	}
	return strings.ToLower(t.Protocol)
}

// newTracerFor makes the TracerProvider x describes (nil: none), which the
// Config owns and shuts down on Close, so that a reload's new collector
// takes over and the old exporter flushes and ends.
func newTracerFor(x traceExport) (*sdktrace.TracerProvider, error) {
	if x.from == "" {
		return nil, nil
	}
	tp, err := telemetry.New(context.Background(), x.config)
	if err != nil {
		return nil, fmt.Errorf("tracing (from the %s): %w", x.from, err)
	}
	return tp, nil
}

// summary describes x for /config.
func (x traceExport) summary(tp *sdktrace.TracerProvider, content bool) map[string]any {
	if tp == nil {
		return nil
	}
	m := map[string]any{"from": x.from, "content": content}
	if x.config.Endpoint != "" {
		m["collector"] = x.config.Endpoint
		m["protocol"] = x.config.Protocol
	}
	if x.config.Sampling != nil {
		m["sampling"] = *x.config.Sampling
	}
	return m
}

// shutdownTracer flushes what tp still buffers, for a few seconds at most.
func shutdownTracer(tp *sdktrace.TracerProvider) {
	if tp == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = tp.Shutdown(ctx)
}
