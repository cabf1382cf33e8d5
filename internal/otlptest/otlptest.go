// Package otlptest is an OpenTelemetry collector for tests: an OTLP/HTTP
// trace receiver on loopback that keeps the spans it is sent, so that a
// test sees what an exporter put on the wire.
package otlptest

import (
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	coltrace "go.opentelemetry.io/proto/otlp/collector/trace/v1"
	tracev1 "go.opentelemetry.io/proto/otlp/trace/v1"
	"google.golang.org/protobuf/proto"
)

// Receiver is an OTLP/HTTP trace endpoint at URL (POST /v1/traces,
// application/x-protobuf). Anything else fails the test.
type Receiver struct {
	URL string
	mu  sync.Mutex
	got []*coltrace.ExportTraceServiceRequest
}

// NewHTTP starts a receiver, closed when the test ends.
func NewHTTP(t testing.TB) *Receiver {
	t.Helper()
	r := &Receiver{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		export := &coltrace.ExportTraceServiceRequest{}
		if req.Method != http.MethodPost || req.URL.Path != "/v1/traces" || req.Header.Get("Content-Type") != "application/x-protobuf" || proto.Unmarshal(body, export) != nil {
			t.Errorf("%s %s %s: not an OTLP/HTTP trace export", req.Method, req.URL.Path, req.Header.Get("Content-Type"))
			http.Error(w, "not an OTLP/HTTP trace export", http.StatusBadRequest)
			return
		}
		r.mu.Lock()
		r.got = append(r.got, export)
		r.mu.Unlock()
		w.Header().Set("Content-Type", "application/x-protobuf")
		b, _ := proto.Marshal(&coltrace.ExportTraceServiceResponse{})
		_, _ = w.Write(b)
	}))
	t.Cleanup(srv.Close)
	r.URL = srv.URL
	return r
}

// Exports are the export requests received so far.
func (r *Receiver) Exports() []*coltrace.ExportTraceServiceRequest {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]*coltrace.ExportTraceServiceRequest(nil), r.got...)
}

// Spans are every span received so far, in arrival order.
func (r *Receiver) Spans() []*tracev1.Span {
	var spans []*tracev1.Span
	for _, req := range r.Exports() {
		for _, rs := range req.GetResourceSpans() {
			for _, ss := range rs.GetScopeSpans() {
				spans = append(spans, ss.GetSpans()...)
			}
		}
	}
	return spans
}

// Wait returns the spans once ok holds for them, failing the test after
// timeout.
func (r *Receiver) Wait(t testing.TB, timeout time.Duration, ok func([]*tracev1.Span) bool) []*tracev1.Span {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		spans := r.Spans()
		if ok(spans) {
			return spans
		}
		if time.Now().After(deadline) {
			names := make([]string, len(spans))
			for i, s := range spans {
				names[i] = s.GetName()
			}
			t.Fatalf("the collector has spans %q after %s, not those awaited", names, timeout)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// Named reports whether spans hold one named name.
func Named(spans []*tracev1.Span, name string) bool {
	for _, s := range spans {
		if s.GetName() == name {
			return true
		}
	}
	return false
}
