package mcp

import (
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

// BenchmarkToolsCall is the gateway's own work per tools/call to one
// sessionless target answering JSON (the target a loopback server that
// does nothing): go test -bench ToolsCall -benchmem ./proxy/mcp.
func BenchmarkToolsCall(b *testing.B) {
	const answer = `{"jsonrpc":"2.0","id":7,"result":{"content":[{"type":"text","text":"ok"}]}}`
	init := `{"jsonrpc":"2.0","id":"kubelb-ai-initialize","result":{"protocolVersion":"2025-06-18","capabilities":{"tools":{}},"serverInfo":{"name":"t","version":"0"}}}`
	target := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		w.Header().Set("Content-Type", "application/json")
		switch {
		case strings.Contains(string(body), `"initialize"`):
			_, _ = io.WriteString(w, init)
		case strings.Contains(string(body), `"notifications/`):
			w.WriteHeader(http.StatusAccepted)
		default:
			_, _ = io.WriteString(w, answer)
		}
	}))
	defer target.Close()
	u, _ := url.Parse(target.URL + "/mcp")
	for _, c := range []struct {
		name    string
		version string
	}{{"stateless/2025-06-18", "2025-06-18"}, {"stateless/2026-07-28", "2026-07-28"}} {
		b.Run(c.name, func(b *testing.B) {
			g, err := New(Config{Name: "gw", Targets: []Target{{Name: "t", URL: u}}})
			if err != nil {
				b.Fatal(err)
			}
			defer g.Close()
			body := `{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"echo","arguments":{}}}`
			b.ReportAllocs()
			for b.Loop() {
				r := httptest.NewRequest(http.MethodPost, "http://gw/mcp", strings.NewReader(body))
				r.Header.Set("Content-Type", "application/json")
				r.Header.Set("MCP-Protocol-Version", c.version)
				if c.version >= modernEra {
					r.Header.Set("Mcp-Method", "tools/call")
					r.Header.Set("Mcp-Name", "echo")
				}
				w := httptest.NewRecorder()
				g.ServeHTTP(w, r)
				if w.Code != http.StatusOK {
					b.Fatalf("%d %s", w.Code, w.Body)
				}
			}
		})
	}
}
