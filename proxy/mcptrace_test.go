package proxy

import (
	"context"
	"net/http"
	"net/url"
	"testing"

	"go.opentelemetry.io/otel/attribute"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	semconv "go.opentelemetry.io/otel/semconv/v1.41.0"
	"go.opentelemetry.io/otel/trace"

	"github.com/kubelb-ai/kubelb-ai/spec"
	"github.com/kubelb-ai/kubelb-ai/templates"
)

// With tracing on, an MCP message's SERVER span has a CLIENT span under
// it for the message sent to its target, with the MCP conventions' keys
// only (checked against the list every serve span is).
func TestTraceMCPGateway(t *testing.T) {
	g, err := spec.Options{Target: templates.Agentgateway}.Build()
	if err != nil {
		t.Fatal(err)
	}
	g.Spec.MCP = []spec.MCPGateway{{Sessions: spec.MCPStateless, Servers: []spec.MCPServer{{Name: "tools", URL: "https://tools.example.com/mcp"}}}}
	spec.Default(g)
	if err := spec.Check(g); err != nil {
		t.Fatal(err)
	}
	fake := newFakeMCP(t, "lookup")
	rec := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec))
	t.Cleanup(func() { _ = tp.Shutdown(context.Background()) })
	base, _, _ := serveMapsWith(t, renderMaps(t, g), nil, func(o *Options) {
		o.Upstreams = map[string]*url.URL{"tools": mustURL(t, fake.URL)}
		o.Tracer = tp
		o.Lookup = func(k string) (string, bool) { return "sk-" + k, k == "OPENAI_API_KEY" }
	})
	status, res := mcpRPC(t, base+"/mcp", `{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"lookup","arguments":{}}}`,
		map[string]string{"MCP-Protocol-Version": "2026-07-28", "Mcp-Method": "tools/call", "Mcp-Name": "lookup"})
	if status != http.StatusOK || res["result"] == nil {
		t.Fatalf("tools/call: %d %v", status, res)
	}
	tree := waitTree(t, rec, 1)
	if len(tree.children) != 1 {
		t.Fatalf("%d spans under the request's, want 1", len(tree.children))
	}
	cs := tree.children[0]
	if cs.Name() != "tools/call lookup" || cs.SpanKind() != trace.SpanKindClient {
		t.Errorf("span %q (%s), want the CLIENT span tools/call lookup", cs.Name(), cs.SpanKind())
	}
	wantAttrs(t, cs, map[attribute.Key]string{semconv.McpMethodNameKey: "tools/call", semconv.GenAIToolNameKey: "lookup",
		semconv.JSONRPCRequestIDKey: "7", semconv.McpProtocolVersionKey: "2026-07-28"})
	known := map[attribute.Key]bool{}
	for _, k := range semconvKeys {
		known[k] = true
	}
	for _, s := range rec.Ended() {
		for _, kv := range s.Attributes() {
			if !known[kv.Key] && allowedKeys[kv.Key] == "" {
				t.Errorf("span %q carries %s: neither in semconv v1.41.0 nor on the allow-list", s.Name(), kv.Key)
			}
		}
	}
}
