package telemetry

import (
	"context"
	"net"
	"strings"
	"testing"
	"time"

	"go.opentelemetry.io/otel/attribute"
	coltrace "go.opentelemetry.io/proto/otlp/collector/trace/v1"

	"google.golang.org/grpc"

	"github.com/kubelb-ai/kubelb-ai/internal/otlptest"
)

// setenv sets the OTEL_* variables of a case, and clears the others.
func setenv(t *testing.T, vars map[string]string) {
	for _, k := range []string{"OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "OTEL_EXPORTER_OTLP_PROTOCOL",
		"OTEL_EXPORTER_OTLP_TRACES_PROTOCOL", "OTEL_SDK_DISABLED", "OTEL_TRACES_EXPORTER", "OTEL_TRACES_SAMPLER", "OTEL_TRACES_SAMPLER_ARG"} {
		t.Setenv(k, vars[k])
	}
}

// Nothing configured, or the SDK disabled: no provider, so no tracing.
func TestOffByDefault(t *testing.T) {
	for _, vars := range []map[string]string{
		{},
		{"OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:4318", "OTEL_SDK_DISABLED": "true"},
		{"OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:4318", "OTEL_TRACES_EXPORTER": "none"},
	} {
		setenv(t, vars)
		tp, err := New(context.Background(), Config{})
		if err != nil || tp != nil {
			t.Errorf("%v: provider %v, error %v; want none", vars, tp, err)
		}
	}
}

// Bad settings are refused with what to give instead.
func TestRefused(t *testing.T) {
	bad := 1.5
	for _, c := range []Config{
		{Endpoint: "127.0.0.1:4318", Protocol: "thrift"},
		{Endpoint: "ftp://collector:21"},
		{Endpoint: "127.0.0.1:4318", Sampling: &bad},
	} {
		setenv(t, nil)
		if tp, err := New(context.Background(), c); err == nil {
			_ = tp.Shutdown(context.Background())
			t.Errorf("%+v accepted", c)
		}
	}
}

// exportOne makes a provider from c, records one span and flushes it.
func exportOne(t *testing.T, c Config) {
	t.Helper()
	tp, err := New(context.Background(), c)
	if err != nil || tp == nil {
		t.Fatalf("provider %v, error %v", tp, err)
	}
	_, span := tp.Tracer("test").Start(context.Background(), "chat m")
	span.End()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := tp.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
}

// spanNames are the span names of an export request.
func spanNames(req *coltrace.ExportTraceServiceRequest) (names []string, service string) {
	for _, rs := range req.GetResourceSpans() {
		for _, a := range rs.GetResource().GetAttributes() {
			if a.GetKey() == "service.name" {
				service = a.GetValue().GetStringValue()
			}
		}
		for _, ss := range rs.GetScopeSpans() {
			for _, s := range ss.GetSpans() {
				names = append(names, s.GetName())
			}
		}
	}
	return names, service
}

// OTLP/HTTP on the wire: from an explicit endpoint (the path defaulted)
// and from OTEL_EXPORTER_OTLP_ENDPOINT (the SDK adds the path), decoded
// as the protobuf ExportTraceServiceRequest.
func TestExportHTTP(t *testing.T) {
	collector := otlptest.NewHTTP(t)
	setenv(t, nil)
	exportOne(t, Config{Endpoint: collector.URL, Protocol: "http"})
	setenv(t, map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": collector.URL})
	exportOne(t, Config{})
	got := collector.Exports()
	if len(got) != 2 {
		t.Fatalf("%d exports, want 2", len(got))
	}
	for _, req := range got {
		if names, service := spanNames(req); len(names) != 1 || names[0] != "chat m" || service != "kubelb-ai" {
			t.Errorf("spans %v of service %q", names, service)
		}
	}
}

type traceService struct {
	coltrace.UnimplementedTraceServiceServer
	got chan *coltrace.ExportTraceServiceRequest
}

func (s *traceService) Export(_ context.Context, req *coltrace.ExportTraceServiceRequest) (*coltrace.ExportTraceServiceResponse, error) {
	s.got <- req
	return &coltrace.ExportTraceServiceResponse{}, nil
}

// OTLP/gRPC on the wire, to host:port in plain text (a local collector),
// the protocol from OTEL_EXPORTER_OTLP_PROTOCOL.
func TestExportGRPC(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	svc := &traceService{got: make(chan *coltrace.ExportTraceServiceRequest, 4)}
	gs := grpc.NewServer()
	coltrace.RegisterTraceServiceServer(gs, svc)
	go func() { _ = gs.Serve(ln) }()
	defer gs.Stop()
	setenv(t, map[string]string{"OTEL_EXPORTER_OTLP_PROTOCOL": "grpc"})
	exportOne(t, Config{Endpoint: ln.Addr().String()})
	select {
	case req := <-svc.got:
		if names, _ := spanNames(req); len(names) != 1 || names[0] != "chat m" {
			t.Errorf("spans %v", names)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("no export within 5s")
	}
}

// A span's string values are cut at 64 KiB unless the standard variable
// says otherwise: a request's prompt or model, as long as its body, must
// not be held whole in the export queue.
func TestAttributeValuesBounded(t *testing.T) {
	for _, c := range []struct {
		env  string
		want int
	}{{"", maxAttributeValue}, {"100", 100}} {
		collector := otlptest.NewHTTP(t)
		setenv(t, nil)
		t.Setenv("OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT", c.env)
		tp, err := New(context.Background(), Config{Endpoint: collector.URL, Protocol: "http"})
		if err != nil {
			t.Fatal(err)
		}
		_, span := tp.Tracer("test").Start(context.Background(), "chat m")
		span.SetAttributes(attribute.String("gen_ai.input.messages", strings.Repeat("x", 1<<20)))
		span.End()
		if err := tp.Shutdown(context.Background()); err != nil {
			t.Fatal(err)
		}
		var got int
		for _, req := range collector.Exports() {
			for _, rs := range req.GetResourceSpans() {
				for _, ss := range rs.GetScopeSpans() {
					for _, s := range ss.GetSpans() {
						for _, a := range s.GetAttributes() {
							got = len(a.GetValue().GetStringValue())
						}
					}
				}
			}
		}
		if got != c.want {
			t.Errorf("OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT=%q: a 1 MiB value exported with %d bytes, want %d", c.env, got, c.want)
		}
	}
}
