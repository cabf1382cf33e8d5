package mcp

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/kubelb-ai/kubelb-ai/spec"
)

// A tool added at one of two targets reaches the client as list_changed
// through serve: on the merged GET stream (session era) and on the merged
// subscriptions/listen stream (2026-07-28), after which the client's list
// holds the new tool under its prefix.
func TestListChangedForwarded(t *testing.T) {
	for _, c := range []struct {
		version   string
		stateless bool // the targets; 2026-07-28 needs go-sdk's stateless handler
	}{{"2025-11-25", false}, {"2026-07-28", true}} {
		t.Run(c.version, func(t *testing.T) {
			a, b := startChangingServer(t, "a", c.stateless), startChangingServer(t, "b", c.stateless)
			endpoint := serveGateway(t, mcpGateway([]spec.MCPServer{{Name: "a", URL: a.url}, {Name: "b", URL: b.url}}, nil), serveOptions{})
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			changed := make(chan struct{}, 4)
			client := mcp.NewClient(&mcp.Implementation{Name: "kubelb-ai-test", Version: "0"}, &mcp.ClientOptions{
				ToolListChangedHandler: func(context.Context, *mcp.ToolListChangedRequest) { changed <- struct{}{} }})
			session, err := client.Connect(ctx, &mcp.StreamableClientTransport{Endpoint: endpoint}, &mcp.ClientSessionOptions{ProtocolVersion: c.version})
			if err != nil {
				t.Fatal(err)
			}
			defer session.Close()
			if got := session.InitializeResult().ProtocolVersion; got != c.version {
				t.Fatalf("negotiated %s, want %s", got, c.version)
			}
			// The client's stream is open once a list works; give the
			// gateway's own streams to the targets a moment more.
			if _, err := session.ListTools(ctx, nil); err != nil {
				t.Fatal(err)
			}
			deadline := time.After(10 * time.Second)
			tick := time.NewTicker(200 * time.Millisecond)
			defer tick.Stop()
			added := false
			for !added {
				b.server.AddTool(&mcp.Tool{Name: "late", InputSchema: map[string]any{"type": "object"}}, lateTool)
				select {
				case <-changed:
					added = true
				case <-tick.C:
					b.server.RemoveTools("late") // a change the gateway's stream was not open for yet: again
				case <-deadline:
					t.Fatal("no notifications/tools/list_changed reached the client through serve")
				}
			}
			res, err := session.ListTools(ctx, nil)
			if err != nil {
				t.Fatal(err)
			}
			found := false
			for _, tool := range res.Tools {
				found = found || tool.Name == "b_late"
			}
			if !found {
				t.Errorf("tools/list after the change has no b_late: %d tools", len(res.Tools))
			}
		})
	}
}

func lateTool(context.Context, *mcp.CallToolRequest) (*mcp.CallToolResult, error) {
	return &mcp.CallToolResult{Content: []mcp.Content{&mcp.TextContent{Text: "late"}}}, nil
}

type changingServer struct {
	url    string
	server *mcp.Server
}

// startChangingServer is a go-sdk server with one tool whose list changes
// when the test adds one.
func startChangingServer(t *testing.T, name string, stateless bool) *changingServer {
	t.Helper()
	s := mcp.NewServer(&mcp.Implementation{Name: name, Version: "0"}, nil)
	s.AddTool(&mcp.Tool{Name: "first", InputSchema: map[string]any{"type": "object"}}, lateTool)
	h := mcp.NewStreamableHTTPHandler(func(*http.Request) *mcp.Server { return s }, &mcp.StreamableHTTPOptions{Stateless: stateless})
	srv := httptest.NewServer(h)
	t.Cleanup(func() {
		srv.CloseClientConnections()
		srv.Close()
	})
	return &changingServer{url: srv.URL + "/mcp", server: s}
}
