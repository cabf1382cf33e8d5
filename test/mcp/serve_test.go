package mcp

import (
	"context"
	"net/url"
	"testing"
	"time"

	"github.com/kubelb-ai/kubelb-ai/dataplane"
	"github.com/kubelb-ai/kubelb-ai/generate"
	"github.com/kubelb-ai/kubelb-ai/internal/testenv"
	"github.com/kubelb-ai/kubelb-ai/proxy"
	"github.com/kubelb-ai/kubelb-ai/spec"
)

// mcpGateway is an agentgateway AI gateway with one MCP gateway on /mcp
// federating servers (name → URL, "sse:" prefix for HTTP+SSE ones).
func mcpGateway(servers []spec.MCPServer, mutate func(*spec.MCPGateway)) *spec.AIGateway {
	m := spec.MCPGateway{Servers: servers}
	if mutate != nil {
		mutate(&m)
	}
	g := &spec.AIGateway{Spec: spec.Spec{Target: "agentgateway", MCP: []spec.MCPGateway{m}}}
	spec.Default(g)
	return g
}

// serveOptions are what a test's serve process is given.
type serveOptions struct {
	ups        map[string]*url.URL
	keys       map[string]string
	sessionKey []byte
	timeout    time.Duration
}

// serveGateway serves g's manifests, as rendered and imported again, and
// returns the MCP endpoint's URL.
func serveGateway(t *testing.T, g *spec.AIGateway, o serveOptions) string {
	t.Helper()
	if err := spec.Check(g); err != nil {
		t.Fatal(err)
	}
	objs, err := generate.Render(g)
	if err != nil {
		t.Fatal(err)
	}
	var maps []map[string]any
	for _, o := range objs {
		m, err := dataplane.ToMap(o.Object)
		if err != nil {
			t.Fatal(err)
		}
		maps = append(maps, m)
	}
	in, err := generate.Import(maps, "")
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := proxy.Build(proxy.Manifests{Spec: in.Gateway, Gateway: in.GatewayObject, Routes: in.HTTPRoutes, RouteTypes: in.RouteTypes,
		LiteralKey: in.LiteralKey, CORS: in.CORS, ClientKeys: in.ClientKeys},
		proxy.Options{Listen: map[string]string{"http": "127.0.0.1:0"}, Upstreams: o.ups, MCPSessionKey: o.sessionKey, MCPTimeout: o.timeout,
			Lookup: func(k string) (string, bool) { v, ok := o.keys[k]; return v, ok }})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	addrs := make(chan map[string]string, 1)
	done := make(chan error, 1)
	go func() {
		done <- proxy.Serve(ctx, cfg, proxy.ServeOptions{Admin: "127.0.0.1:0", Drain: time.Second, Ready: func(a map[string]string) { addrs <- a }})
	}()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Error(err)
		}
		cfg.Close()
	})
	return "http://" + (<-addrs)["http"] + g.Spec.MCP[0].Path
}

// The official conformance suite gives through serve, one target and no
// prefix, the result it gives directly, in both session modes.
func TestConformanceThroughServe(t *testing.T) {
	for _, mode := range []string{spec.MCPStateful, spec.MCPStateless} {
		t.Run(mode, func(t *testing.T) {
			t.Parallel()
			var endpoint string
			if mode == spec.MCPStateful {
				endpoint = testenvStartEverything(t, false)
			} else {
				endpoint = testenvStartEverything(t, true)
			}
			direct := runConformance(t, endpoint)
			url := serveGateway(t, mcpGateway([]spec.MCPServer{{Name: "everything", URL: endpoint}}, func(m *spec.MCPGateway) { m.Sessions = mode }), serveOptions{})
			through := runConformance(t, url)
			t.Logf("direct %d/%d, through serve %d/%d", direct.Passed, direct.Total, through.Passed, through.Total)
			if through.Passed != direct.Passed || through.Total != direct.Total {
				t.Errorf("through serve %d/%d, directly %d/%d\n%s", through.Passed, through.Total, direct.Passed, direct.Total, through.Report)
			}
		})
	}
}

func testenvStartEverything(t *testing.T, stateless bool) string {
	if stateless {
		return testenv.StartEverythingServerStateless(t)
	}
	return testenv.StartEverythingServer(t)
}

func runConformance(t *testing.T, url string) testenv.ConformanceResult {
	return testenv.RunConformanceResult(t, url)
}
