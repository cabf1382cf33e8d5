package mcp

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/kubelb-ai/kubelb-ai/internal/testenv"
)

// The reference server-everything in its legacy HTTP+SSE mode answers
// go-sdk's SSE client: the list every page of tools/list gives, and a call.
func TestServerEverythingSSEGoSDKClient(t *testing.T) {
	endpoint := testenv.StartServerEverythingSSE(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()

	client := mcp.NewClient(&mcp.Implementation{Name: "kubelb-ai-test", Version: "0"}, nil)
	session, err := client.Connect(ctx, &mcp.SSEClientTransport{Endpoint: endpoint}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer session.Close()

	var names []string
	for tool, err := range session.Tools(ctx, nil) {
		if err != nil {
			t.Fatal(err)
		}
		names = append(names, tool.Name)
	}
	slices.Sort(names)
	want := []string{ // server-everything 2026.8.31's tools, in its default configuration
		"echo", "get-annotated-message", "get-env", "get-resource-links", "get-resource-reference",
		"get-roots-list", "get-structured-content", "get-sum", "get-tiny-image", "gzip-file-as-resource",
		"simulate-research-query", "toggle-simulated-logging", "toggle-subscriber-updates",
		"trigger-long-running-operation",
	}
	if !slices.Equal(names, want) {
		t.Errorf("tools/list:\n got %q\nwant %q", names, want)
	}

	res, err := session.CallTool(ctx, &mcp.CallToolParams{Name: "echo", Arguments: map[string]any{"message": "hello"}})
	if err != nil {
		t.Fatal(err)
	}
	if res.IsError || len(res.Content) != 1 {
		t.Fatalf("echo: %+v", res)
	}
	if text, ok := res.Content[0].(*mcp.TextContent); !ok || text.Text != "Echo: hello" {
		t.Errorf("echo: %#v, want the text %q", res.Content[0], "Echo: hello")
	}
}
