package spec

import (
	"math"
	"net/url"
	"strconv"
	"strings"

	"github.com/kubelb-ai/kubelb-ai/templates"
)

// Observability is what the gateway reports about the requests it serves,
// beyond the metrics every target exports anyway.
type Observability struct {
	// Tracing exports OpenTelemetry spans to a collector; nil exports none.
	Tracing *Tracing `json:"tracing,omitempty"`
}

// OTLP transports.
const (
	OTLPGRPC = "grpc"
	OTLPHTTP = "http"
)

// DefaultSampling is the share of new traces sampled when Sampling is
// unset: all of them, as OpenTelemetry's own default sampler does, so a
// freshly configured collector shows every request.
const DefaultSampling = 1.0

// Tracing sends OpenTelemetry spans to one collector.
type Tracing struct {
	// Service is the collector as a Service, NAME[.NAMESPACE]:PORT (the
	// gateway's namespace when NAMESPACE is left out). Set it or URL.
	Service string `json:"service,omitempty"`
	// URL is the collector as http(s)://HOST:PORT[/PATH]. The data planes
	// only send spans to a Service, so rendered manifests need Service;
	// URL is for serve.
	URL string `json:"url,omitempty"`
	// Protocol is the OTLP transport, grpc (default) or http.
	Protocol string `json:"protocol,omitempty"`
	// Sampling is the share of requests without a sampled parent trace that
	// start one, from 0 to 1 (default 1). A request whose caller already
	// decided keeps that decision.
	Sampling *float64 `json:"sampling,omitempty"`
	// Content lets spans carry prompt and answer text (default false). No
	// data plane has such a switch (agentgateway never records content,
	// kgateway's AI extension has no setting): it is for serve's own
	// tracing.
	Content bool `json:"content,omitempty"`
}

// SamplingRatio is t's sampling share with its default.
func (t *Tracing) SamplingRatio() float64 {
	if t.Sampling == nil {
		return DefaultSampling
	}
	return *t.Sampling
}

// defaultObservability fills the tracing protocol and sampling share.
func defaultObservability(s *Spec) {
	if s.Observability == nil || s.Observability.Tracing == nil {
		return
	}
	t := s.Observability.Tracing
	if t.Protocol == "" {
		t.Protocol = OTLPGRPC
	}
	t.Protocol = strings.ToLower(t.Protocol)
	if t.Sampling == nil {
		v := DefaultSampling
		t.Sampling = &v
	}
}

func tracingSince(t templates.Target) bool     { return t.Features.Tracing }
func tracingHTTPSince(t templates.Target) bool { return t.Features.TracingHTTP }

func checkObservability(e *errs, s *Spec, target templates.Target) {
	if s.Observability == nil || s.Observability.Tracing == nil {
		return
	}
	const path = "spec.observability.tracing"
	t := s.Observability.Tracing
	if !target.Features.Tracing {
		e.add(path, "target %s cannot export traces; targets that can: %s", target.Name, targetsWith(tracingSince))
		return
	}
	switch {
	case (t.Service == "") == (t.URL == ""):
		e.add(path, "set service (the collector's Service, NAME[.NAMESPACE]:PORT, e.g. otel-collector.observability:4317) or url, exactly one")
	case t.Service != "":
		if _, _, _, ok := ServiceAddress(t.Service); !ok {
			e.add(path+".service", "%q is not NAME[.NAMESPACE]:PORT, e.g. otel-collector.observability:4317", t.Service)
		}
	default:
		if msg := checkCollectorURL(t.URL); msg != "" {
			e.add(path+".url", "%s", msg)
		} else {
			e.add(path+".url", "target %s sends spans only to a Service (its tracing names a backendRef): set service: NAME[.NAMESPACE]:PORT instead, with an ExternalName Service in front of a collector outside the cluster; url is for serve", target.Name)
		}
	}
	switch t.Protocol {
	case OTLPGRPC:
	case OTLPHTTP:
		if !target.Features.TracingHTTP {
			e.add(path+".protocol", "target %s exports spans over gRPC only; targets that can use http: %s", target.Name, targetsWith(tracingHTTPSince))
		}
	default:
		e.add(path+".protocol", "%q is not grpc or http", t.Protocol)
	}
	if t.Sampling != nil {
		r := *t.Sampling
		switch {
		case math.IsNaN(r) || r < 0 || r > 1:
			e.add(path+".sampling", "%v is not a share from 0 to 1, e.g. 0.1 for one request in ten", r)
		case target.Features.TracingPercent && !wholePercent(r):
			e.add(path+".sampling", "target %s samples whole percents: %v is not a multiple of 0.01", target.Name, r)
		}
	}
}

// wholePercent reports whether ratio r is a whole number of percents.
func wholePercent(r float64) bool {
	p := r * 100
	return math.Abs(p-math.Round(p)) < 1e-9
}

// checkCollectorURL says what is wrong with a collector URL, or "".
func checkCollectorURL(raw string) string {
	u, err := url.Parse(raw)
	switch {
	case err != nil:
		return quote(raw) + " is not a URL: " + err.Error()
	case u.Scheme != "http" && u.Scheme != "https":
		return quote(raw) + " is not http(s)://HOST:PORT[/PATH], e.g. http://otel-collector.observability:4317"
	case u.Hostname() == "":
		return quote(raw) + " has no host"
	case u.Port() != "":
		if n, err := strconv.Atoi(u.Port()); err != nil || n < 1 || n > 65535 {
			return quote(raw) + " has a port out of range 1-65535"
		}
	}
	if u.RawQuery != "" || u.Fragment != "" || u.User != nil {
		return quote(raw) + " may not carry a query, fragment or user"
	}
	return ""
}

// FormatSampling writes a sampling share the way the Spec and agentgateway's
// CEL both read it: a float literal, so 1 is "1.0".
func FormatSampling(r float64) string {
	s := strconv.FormatFloat(r, 'f', -1, 64)
	if !strings.ContainsAny(s, ".eE") {
		s += ".0"
	}
	return s
}

// TracingOptions are the tracing flags. Build parses their shape; Check
// judges the values.
type TracingOptions struct {
	TracingEndpoint string // SERVICE:PORT or URL
	TracingSampling string // a share from 0 to 1
	TracingProtocol string // grpc|http
}

// buildTracing adds the tracing flags' collector to s.
func (o TracingOptions) buildTracing(e *errs, s *Spec) {
	if o.TracingEndpoint == "" {
		for _, f := range []struct{ flag, value string }{{"--tracing-sampling", o.TracingSampling}, {"--tracing-protocol", o.TracingProtocol}} {
			if f.value != "" {
				e.add(f.flag, "%q needs a collector: add --tracing-endpoint, e.g. --tracing-endpoint otel-collector.observability:4317", f.value)
			}
		}
		return
	}
	t := &Tracing{Protocol: strings.ToLower(o.TracingProtocol)}
	if strings.Contains(o.TracingEndpoint, "://") {
		t.URL = o.TracingEndpoint
	} else {
		t.Service = o.TracingEndpoint
	}
	if o.TracingSampling != "" {
		r, err := strconv.ParseFloat(o.TracingSampling, 64)
		if err != nil {
			e.add("--tracing-sampling", "%q is not a share from 0 to 1, e.g. 0.1", o.TracingSampling)
		} else {
			t.Sampling = &r
		}
	}
	s.Observability = &Observability{Tracing: t}
}
