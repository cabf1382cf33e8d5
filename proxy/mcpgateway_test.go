package proxy

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kubelb-ai/kubelb-ai/spec"
	"github.com/kubelb-ai/kubelb-ai/templates"
)

// fakeMCP is a sessionless MCP server that lists one tool, answers calls
// and remembers the Authorization of every request.
type fakeMCP struct {
	*httptest.Server
	mu    sync.Mutex
	auths []string
}

func newFakeMCP(t *testing.T, tool string) *fakeMCP {
	f := &fakeMCP{}
	f.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		f.auths = append(f.auths, r.Header.Get("Authorization"))
		f.mu.Unlock()
		var m struct {
			ID     json.RawMessage `json:"id"`
			Method string          `json:"method"`
		}
		b, _ := io.ReadAll(r.Body)
		_ = json.Unmarshal(b, &m)
		if len(m.ID) == 0 {
			w.WriteHeader(http.StatusAccepted)
			return
		}
		var result any = map[string]any{}
		switch m.Method {
		case "initialize":
			result = map[string]any{"protocolVersion": "2025-06-18", "capabilities": map[string]any{"tools": map[string]any{}},
				"serverInfo": map[string]any{"name": "fake", "version": "0"}}
		case "tools/list":
			result = map[string]any{"tools": []any{map[string]any{"name": tool, "inputSchema": map[string]any{"type": "object"}}}}
		case "tools/call":
			result = map[string]any{"content": []any{map[string]any{"type": "text", "text": "done"}}}
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]any{"jsonrpc": "2.0", "id": m.ID, "result": result})
	}))
	t.Cleanup(f.Close)
	return f
}

func (f *fakeMCP) authorizations() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.auths...)
}

func mcpRPC(t *testing.T, url, body string, header map[string]string) (int, map[string]any) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, url, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json, text/event-stream")
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&out)
	return resp.StatusCode, out
}

// serve runs the manifests' MCP gateway: on its route, after the client
// checks, with each server's key from its variable as a bearer token,
// mapped by --upstream; the messages are counted by method, target and
// status and logged with the tool they named.
func TestServeMCPGateway(t *testing.T) {
	g, err := spec.Options{Target: templates.Agentgateway}.Build()
	if err != nil {
		t.Fatal(err)
	}
	g.Spec.Clients = &spec.Clients{APIKeys: []spec.APIKey{{Name: "alice", Env: "ALICE_KEY"}}}
	g.Spec.MCP = []spec.MCPGateway{{Sessions: spec.MCPStateless, Servers: []spec.MCPServer{
		{Name: "keyed", URL: "https://tools.example.com/mcp", KeyEnv: "TOOLS_KEY"},
		{Name: "local", Service: "search:8080"},
	}, Allow: []string{`mcp.tool.name != "secret"`}}}
	spec.Default(g)
	if err := spec.Check(g); err != nil {
		t.Fatal(err)
	}
	keyed, local := newFakeMCP(t, "lookup"), newFakeMCP(t, "secret")
	base, admin, logs := serveMapsWith(t, renderMaps(t, g), nil, func(o *Options) {
		o.Upstreams = map[string]*url.URL{"keyed": mustURL(t, keyed.URL), "search": mustURL(t, local.URL)}
		o.Lookup = func(k string) (string, bool) {
			v, ok := map[string]string{"TOOLS_KEY": "sk-tools", "ALICE_KEY": "sk-alice", "OPENAI_API_KEY": "sk-openai"}[k]
			return v, ok
		}
	})
	endpoint := base + "/mcp"
	const list = `{"jsonrpc":"2.0","id":1,"method":"tools/list"}`
	if status, _ := mcpRPC(t, endpoint, list, nil); status != http.StatusUnauthorized {
		t.Fatalf("tools/list without a client key: %d, want 401", status)
	}
	alice := map[string]string{"Authorization": "Bearer sk-alice"}
	status, res := mcpRPC(t, endpoint, list, alice)
	if status != http.StatusOK {
		t.Fatalf("tools/list: %d %v", status, res)
	}
	tools, _ := res["result"].(map[string]any)["tools"].([]any)
	if len(tools) != 1 || tools[0].(map[string]any)["name"] != "keyed_lookup" {
		t.Errorf("tools/list: %v, want keyed_lookup alone (local_secret is denied)", tools)
	}
	if status, res = mcpRPC(t, endpoint, `{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"keyed_lookup","arguments":{}}}`, alice); status != http.StatusOK || res["result"] == nil {
		t.Errorf("tools/call keyed_lookup: %d %v", status, res)
	}
	if _, res = mcpRPC(t, endpoint, `{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"local_secret","arguments":{}}}`, alice); res["error"] == nil {
		t.Errorf("tools/call local_secret (denied): %v, want an error", res)
	}
	for _, a := range keyed.authorizations() {
		if a != "Bearer sk-tools" {
			t.Errorf("the keyed server got Authorization %q, want its own key", a)
		}
	}
	for _, a := range local.authorizations() {
		if strings.Contains(a, "sk-tools") || strings.Contains(a, "sk-alice") {
			t.Errorf("the server without a key got Authorization %q: another's credential", a)
		}
	}
	resp, err := http.Get(admin + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	metrics, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	for _, want := range []string{
		`kubelb_ai_mcp_requests_total{method="tools/list",route="mcp",status="ok",target=""} 1`,
		`kubelb_ai_mcp_requests_total{method="tools/call",route="mcp",status="ok",target="keyed"} 1`,
		`kubelb_ai_mcp_requests_total{method="tools/call",route="mcp",status="denied",target="local"} 1`,
		`kubelb_ai_mcp_request_duration_seconds_count{method="tools/call",route="mcp"} 2`,
	} {
		if !strings.Contains(string(metrics), want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
	waitFor(t, func() bool { return strings.Contains(logs.String(), `"mcp_status":"denied"`) })
	log := logs.String()
	for _, want := range []string{`"mcp_method":"tools/call","mcp_target":"keyed","mcp_name":"lookup"`, `"mcp_name":"secret","mcp_status":"denied"`} {
		if !strings.Contains(log, want) {
			t.Errorf("access log lacks %s:\n%s", want, log)
		}
	}
	for _, secret := range []string{"sk-tools", "sk-alice"} {
		if strings.Contains(log, secret) || strings.Contains(string(metrics), secret) {
			t.Errorf("a key in the log or metrics: %s", secret)
		}
	}
}

// A Service server without --upstream, and a key variable that is not
// set, are warned of when serve starts.
func TestServeMCPWarnings(t *testing.T) {
	g, err := spec.Options{Target: templates.Agentgateway}.Build()
	if err != nil {
		t.Fatal(err)
	}
	g.Spec.MCP = []spec.MCPGateway{{Servers: []spec.MCPServer{
		{Name: "keyed", URL: "https://tools.example.com/mcp", KeyEnv: "UNSET_TOOLS_KEY"},
		{Name: "local", Service: "search:8080"},
	}}}
	spec.Default(g)
	cfg, err := buildObjs(renderMaps(t, g), Options{Lookup: func(k string) (string, bool) { return "sk-openai", k == "OPENAI_API_KEY" }})
	if err != nil {
		t.Fatal(err)
	}
	defer cfg.Close()
	all := strings.Join(cfg.Warnings, "\n")
	for _, want := range []string{"server local is Service search, which has no local address: give one with --upstream local=URL",
		"server keyed's key variable UNSET_TOOLS_KEY is not set"} {
		if !strings.Contains(all, want) {
			t.Errorf("warnings lack %q:\n%s", want, all)
		}
	}
	if strings.Contains(all, "not among the manifests") {
		t.Errorf("the MCP route's backend is served, yet warned of:\n%s", all)
	}
}

func mustURL(t *testing.T, raw string) *url.URL {
	t.Helper()
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// waitFor polls cond for up to 5s: the access log is written after the
// answer.
func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not met within 5s")
		}
		time.Sleep(10 * time.Millisecond)
	}
}
