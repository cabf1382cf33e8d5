package mcp

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/kubelb-ai/kubelb-ai/spec"
)

// A client that gives up on a call cancels it at the target that runs it,
// through serve (the session's notifications/cancelled, or the request
// itself ending); the other target's work is left alone.
func TestCancellationReachesTheOwner(t *testing.T) {
	started, cancelled := make(chan struct{}, 1), make(chan struct{}, 1)
	slow := mcp.NewServer(&mcp.Implementation{Name: "slow", Version: "0"}, nil)
	slow.AddTool(&mcp.Tool{Name: "wait", InputSchema: map[string]any{"type": "object"}},
		func(ctx context.Context, _ *mcp.CallToolRequest) (*mcp.CallToolResult, error) {
			started <- struct{}{}
			select {
			case <-ctx.Done():
				cancelled <- struct{}{}
				return nil, ctx.Err()
			case <-time.After(20 * time.Second):
				return &mcp.CallToolResult{}, nil
			}
		})
	srv := httptest.NewServer(mcp.NewStreamableHTTPHandler(func(*http.Request) *mcp.Server { return slow }, nil))
	t.Cleanup(func() { srv.CloseClientConnections(); srv.Close() })
	other := startToolServer(t, "other", nil, false, "echo")
	endpoint := serveGateway(t, mcpGateway([]spec.MCPServer{{Name: "slow", URL: srv.URL + "/mcp"}, {Name: "other", URL: other.URL}}, nil), serveOptions{})

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	session := connectGoSDK(ctx, t, endpoint, "2025-11-25", nil)
	callCtx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() {
		_, err := session.CallTool(callCtx, &mcp.CallToolParams{Name: "slow_wait", Arguments: map[string]any{}})
		done <- err
	}()
	select {
	case <-started:
	case <-ctx.Done():
		t.Fatal("the call never reached the slow target")
	}
	stop()
	select {
	case <-cancelled:
	case <-time.After(10 * time.Second):
		t.Fatal("the slow target's tool was not cancelled within 10s of the client giving up")
	}
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Errorf("the client's call ended with %v, want context.Canceled", err)
	}
	// The session goes on.
	if res, err := session.CallTool(ctx, &mcp.CallToolParams{Name: "other_echo", Arguments: map[string]any{}}); err != nil || toolText(res) != "other:echo" {
		t.Errorf("other_echo after the cancellation: %v %v", res, err)
	}
}
