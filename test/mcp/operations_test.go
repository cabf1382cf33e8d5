package mcp

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/jsonrpc"
	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/kubelb-ai/kubelb-ai/internal/testenv"
	"github.com/kubelb-ai/kubelb-ai/spec"
)

// Operations: serve's MCP gateway as it is run — replicas sharing a
// session key, targets that die or hang, authorization, legacy clients,
// the Inspector, and forged session ids — with real servers and clients.

// sessionVersion is the last protocol version with sessions: a go-sdk
// client asked for it initializes and carries a sealed session id, where
// by default it would speak the sessionless 2026-07-28 era.
const sessionVersion = "2025-11-25"

// simpleText is what the go-sdk everything-server's test_simple_text says.
const simpleText = "This is a simple text response for testing."

// connect opens a go-sdk client session to endpoint over Streamable HTTP;
// version "" is the client's default.
func connect(ctx context.Context, t *testing.T, endpoint string, hc *http.Client, version string) *mcp.ClientSession {
	t.Helper()
	cs, err := tryConnect(ctx, endpoint, hc, version)
	if err != nil {
		t.Fatalf("connect to %s: %v", endpoint, err)
	}
	t.Cleanup(func() { _ = cs.Close() })
	return cs
}

func tryConnect(ctx context.Context, endpoint string, hc *http.Client, version string) (*mcp.ClientSession, error) {
	client := mcp.NewClient(&mcp.Implementation{Name: "kubelb-ai-test", Version: "0"}, nil)
	tr := &mcp.StreamableClientTransport{Endpoint: endpoint, HTTPClient: hc, MaxRetries: -1}
	return client.Connect(ctx, tr, &mcp.ClientSessionOptions{ProtocolVersion: version})
}

// toolNames lists every page of tools/list, sorted.
func toolNames(ctx context.Context, cs *mcp.ClientSession) ([]string, error) {
	var names []string
	for tool, err := range cs.Tools(ctx, nil) {
		if err != nil {
			return nil, err
		}
		names = append(names, tool.Name)
	}
	slices.Sort(names)
	return names, nil
}

// callText calls a tool without arguments and returns its one text.
func callText(ctx context.Context, cs *mcp.ClientSession, name string) (string, error) {
	res, err := cs.CallTool(ctx, &mcp.CallToolParams{Name: name})
	if err != nil {
		return "", err
	}
	if res.IsError || len(res.Content) != 1 {
		return "", errors.New("unexpected result: " + string(mustMarshal(res)))
	}
	text, ok := res.Content[0].(*mcp.TextContent)
	if !ok {
		return "", errors.New("not a text: " + string(mustMarshal(res)))
	}
	return text.Text, nil
}

func mustMarshal(v any) []byte {
	b, _ := json.Marshal(v)
	return b
}

// rawPost POSTs one JSON-RPC message to endpoint as a session-era client
// would, and returns the status, the session id given, and the body.
func rawPost(ctx context.Context, t *testing.T, endpoint, session, body string) (int, string, string) {
	t.Helper()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json, text/event-stream")
	req.Header.Set("MCP-Protocol-Version", sessionVersion)
	if session != "" {
		req.Header.Set("Mcp-Session-Id", session)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("POST %s: %v", endpoint, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	return resp.StatusCode, resp.Header.Get("Mcp-Session-Id"), string(b)
}

const (
	rawInitialize = `{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"` + sessionVersion +
		`","capabilities":{},"clientInfo":{"name":"kubelb-ai-test","version":"0"}}}`
	rawToolsList = `{"jsonrpc":"2.0","id":2,"method":"tools/list"}`
)

// rawSession initializes a session at endpoint and returns its id.
func rawSession(ctx context.Context, t *testing.T, endpoint string) string {
	t.Helper()
	code, sid, body := rawPost(ctx, t, endpoint, "", rawInitialize)
	if code != http.StatusOK || sid == "" {
		t.Fatalf("initialize: %d, session %q: %s", code, sid, body)
	}
	return sid
}

// alternate sends each request to the next of hosts in turn, as a load
// balancer without affinity would, and counts them per host.
type alternate struct {
	hosts []string
	n     atomic.Int64
	mu    sync.Mutex
	count map[string]int
}

func (a *alternate) RoundTrip(r *http.Request) (*http.Response, error) {
	host := a.hosts[int(a.n.Add(1))%len(a.hosts)]
	a.mu.Lock()
	a.count[host]++
	a.mu.Unlock()
	r = r.Clone(r.Context())
	r.URL.Host, r.Host = host, ""
	return http.DefaultTransport.RoundTrip(r)
}

func hostOf(t *testing.T, endpoint string) string {
	t.Helper()
	u, err := url.Parse(endpoint)
	if err != nil {
		t.Fatal(err)
	}
	return u.Host
}

// Two replicas of a stateful gateway with one session key serve one
// session together: every request may reach either.
func TestReplicasShareSessions(t *testing.T) {
	target := testenv.StartEverythingServer(t)
	key := bytes.Repeat([]byte{7}, 32)
	g := mcpGateway([]spec.MCPServer{{Name: "everything", URL: target}}, func(m *spec.MCPGateway) { m.Sessions = spec.MCPStateful })
	a := serveGateway(t, g, serveOptions{sessionKey: key})
	b := serveGateway(t, g, serveOptions{sessionKey: key})

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	lb := &alternate{hosts: []string{hostOf(t, a), hostOf(t, b)}, count: map[string]int{}}
	cs := connect(ctx, t, a, &http.Client{Transport: lb}, sessionVersion)
	if cs.ID() == "" {
		t.Fatal("no session id: the gateway did not keep a session")
	}
	names, err := toolNames(ctx, cs)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(names, "test_simple_text") {
		t.Fatalf("tools/list has no test_simple_text: %q", names)
	}
	for i := range 6 {
		text, err := callText(ctx, cs, "test_simple_text")
		if err != nil {
			t.Fatalf("call %d: %v", i, err)
		}
		if text != simpleText {
			t.Errorf("call %d: %q, want %q", i, text, simpleText)
		}
	}
	lb.mu.Lock()
	defer lb.mu.Unlock()
	for _, h := range lb.hosts {
		if lb.count[h] < 3 {
			t.Errorf("replica %s had %d requests: the requests did not alternate (%v)", h, lb.count[h], lb.count)
		}
	}
}

// Replicas with different keys do not know each other's sessions: the
// other answers 404, which tells a client to initialize again.
func TestReplicasDifferentKeysRefuse(t *testing.T) {
	target := testenv.StartEverythingServer(t)
	g := mcpGateway([]spec.MCPServer{{Name: "everything", URL: target}}, func(m *spec.MCPGateway) { m.Sessions = spec.MCPStateful })
	a := serveGateway(t, g, serveOptions{sessionKey: bytes.Repeat([]byte{1}, 32)})
	b := serveGateway(t, g, serveOptions{sessionKey: bytes.Repeat([]byte{2}, 32)})

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cs := connect(ctx, t, a, nil, sessionVersion)
	sid := cs.ID()
	if sid == "" {
		t.Fatal("no session id")
	}
	if code, _, body := rawPost(ctx, t, a, sid, rawToolsList); code != http.StatusOK {
		t.Fatalf("tools/list at the session's replica: %d %s", code, body)
	}
	if code, _, body := rawPost(ctx, t, b, sid, rawToolsList); code != http.StatusNotFound {
		t.Errorf("tools/list at a replica with another key: %d %s, want 404", code, body)
	}
}

// liveTarget is a go-sdk MCP server with one tool, hello, answering its
// own name; kill ends it at once, connections and all.
type liveTarget struct {
	url  string
	srv  *http.Server
	once sync.Once
}

func startTarget(t *testing.T, name string) *liveTarget {
	t.Helper()
	server := mcp.NewServer(&mcp.Implementation{Name: name, Version: "0"}, nil)
	mcp.AddTool(server, &mcp.Tool{Name: "hello", Description: "says its server's name"},
		func(context.Context, *mcp.CallToolRequest, struct{}) (*mcp.CallToolResult, any, error) {
			return &mcp.CallToolResult{Content: []mcp.Content{&mcp.TextContent{Text: name}}}, nil, nil
		})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	lt := &liveTarget{url: "http://" + ln.Addr().String() + "/mcp",
		srv: &http.Server{Handler: mcp.NewStreamableHTTPHandler(func(*http.Request) *mcp.Server { return server }, nil)}}
	go func() { _ = lt.srv.Serve(ln) }()
	t.Cleanup(lt.kill)
	return lt
}

// kill closes the listener and every connection, without waiting for
// requests in flight (a crash, not a drain).
func (lt *liveTarget) kill() { lt.once.Do(func() { _ = lt.srv.Close() }) }

// hangingTarget accepts connections and never answers on them.
func hangingTarget(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var conns []net.Conn
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		_ = ln.Close()
		<-done
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			_ = c.Close()
		}
	})
	return "http://" + ln.Addr().String() + "/mcp"
}

// A target killed mid-session: failing open, the other's tools are still
// listed and called; failing closed, tools/list fails.
func TestFailureTargetKilled(t *testing.T) {
	for _, mode := range []string{spec.MCPFailOpen, spec.MCPFailClosed} {
		t.Run(mode, func(t *testing.T) {
			alpha, beta := startTarget(t, "alpha"), startTarget(t, "beta")
			g := mcpGateway([]spec.MCPServer{{Name: "alpha", URL: alpha.url}, {Name: "beta", URL: beta.url}},
				func(m *spec.MCPGateway) { m.Sessions, m.FailureMode = spec.MCPStateful, mode })
			endpoint := serveGateway(t, g, serveOptions{timeout: 5 * time.Second})

			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			cs := connect(ctx, t, endpoint, nil, sessionVersion)
			names, err := toolNames(ctx, cs)
			if err != nil {
				t.Fatal(err)
			}
			if want := []string{"alpha_hello", "beta_hello"}; !slices.Equal(names, want) {
				t.Fatalf("tools/list before the kill: %q, want %q", names, want)
			}
			if text, err := callText(ctx, cs, "beta_hello"); err != nil || text != "beta" {
				t.Fatalf("beta_hello before the kill: %q, %v", text, err)
			}

			beta.kill()
			start := time.Now()
			names, err = toolNames(ctx, cs)
			if mode == spec.MCPFailClosed {
				if err == nil {
					t.Fatalf("tools/list with a dead target failing closed: %q, want an error", names)
				}
				t.Logf("tools/list failing closed: %v (%s)", err, time.Since(start))
				return
			}
			if err != nil {
				t.Fatalf("tools/list with a dead target failing open: %v", err)
			}
			if want := []string{"alpha_hello"}; !slices.Equal(names, want) {
				t.Errorf("tools/list with beta dead: %q, want %q", names, want)
			}
			if text, err := callText(ctx, cs, "alpha_hello"); err != nil || text != "alpha" {
				t.Errorf("alpha_hello with beta dead: %q, %v", text, err)
			}
		})
	}
}

// A target that never answers holds no one up beyond the timeout: failing
// open, the session has the other target's tools within seconds; failing
// closed, the session fails within seconds (it is the initialize, sent
// to every target, that meets the dead one first).
func TestFailureTargetHangs(t *testing.T) {
	const timeout = time.Second
	for _, mode := range []string{spec.MCPFailOpen, spec.MCPFailClosed} {
		t.Run(mode, func(t *testing.T) {
			alpha := startTarget(t, "alpha")
			g := mcpGateway([]spec.MCPServer{{Name: "alpha", URL: alpha.url}, {Name: "hangs", URL: hangingTarget(t)}},
				func(m *spec.MCPGateway) { m.Sessions, m.FailureMode = spec.MCPStateful, mode })
			endpoint := serveGateway(t, g, serveOptions{timeout: timeout})

			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			start := time.Now()
			cs, err := tryConnect(ctx, endpoint, nil, sessionVersion)
			var names []string
			if err == nil {
				defer cs.Close()
				names, err = toolNames(ctx, cs)
			}
			took := time.Since(start)
			// The gateway's timeout answers, not the client's own deadline:
			// without it, a hanging target would hold the client until then.
			if ctx.Err() != nil {
				t.Fatalf("the client's deadline ran out (%s): the hanging target held it", took)
			}
			if mode == spec.MCPFailClosed {
				if err == nil {
					t.Fatalf("failing closed with a hanging target: tools %q, want an error", names)
				}
				t.Logf("failing closed: %v after %s", err, took)
				return
			}
			if err != nil {
				t.Fatalf("failing open with a hanging target: %v after %s", err, took)
			}
			if want := []string{"alpha_hello"}; !slices.Equal(names, want) {
				t.Errorf("tools/list: %q, want %q", names, want)
			}
			if text, err := callText(ctx, cs, "alpha_hello"); err != nil || text != "alpha" {
				t.Errorf("alpha_hello: %q, %v", text, err)
			}
		})
	}
}

// An allow rule hides the tools it does not allow and refuses them as
// unknown, in both protocol eras.
func TestAuthorizationAllowRule(t *testing.T) {
	target := testenv.StartEverythingServer(t)
	g := mcpGateway([]spec.MCPServer{{Name: "everything", URL: target}}, func(m *spec.MCPGateway) {
		m.Sessions = spec.MCPStateful
		m.Allow = []string{`mcp.tool.name == "test_simple_text"`}
	})
	endpoint := serveGateway(t, g, serveOptions{})
	for _, version := range []string{sessionVersion, "2026-07-28"} {
		t.Run(version, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			cs := connect(ctx, t, endpoint, nil, version)
			names, err := toolNames(ctx, cs)
			if err != nil {
				t.Fatal(err)
			}
			if want := []string{"test_simple_text"}; !slices.Equal(names, want) {
				t.Errorf("tools/list: %q, want %q", names, want)
			}
			// A denied tool and one that does not exist answer alike.
			for _, denied := range []string{"test_image_content", "no_such_tool"} {
				_, err := cs.CallTool(ctx, &mcp.CallToolParams{Name: denied})
				var rpc *jsonrpc.Error
				switch {
				case err == nil:
					t.Errorf("%s: called, want it refused", denied)
				case !errors.As(err, &rpc):
					t.Errorf("%s: %v, want a JSON-RPC error", denied, err)
				case rpc.Code != jsonrpc.CodeInvalidParams || rpc.Message != "Unknown tool: "+denied:
					t.Errorf("%s: error %d %q, want %d %q", denied, rpc.Code, rpc.Message, jsonrpc.CodeInvalidParams, "Unknown tool: "+denied)
				}
			}
			text, err := callText(ctx, cs, "test_simple_text")
			if err != nil || text != simpleText {
				t.Errorf("test_simple_text: %q, %v", text, err)
			}
		})
	}
}

// A legacy HTTP+SSE client (go-sdk's SSE transport) is served on the
// gateway's path + /sse, by a stateful gateway over a Streamable HTTP
// target: one asking for a session-era version, and one with the client's
// default (2026-07-28), which probes with server/discover first and must
// be able to fall back to initialize.
func TestLegacySSEClient(t *testing.T) {
	target := testenv.StartEverythingServer(t)
	g := mcpGateway([]spec.MCPServer{{Name: "everything", URL: target}}, func(m *spec.MCPGateway) { m.Sessions = spec.MCPStateful })
	endpoint := serveGateway(t, g, serveOptions{})
	for _, version := range []string{sessionVersion, ""} {
		name := version
		if name == "" {
			name = "client-default"
		}
		t.Run(name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			client := mcp.NewClient(&mcp.Implementation{Name: "kubelb-ai-test", Version: "0"}, nil)
			cs, err := client.Connect(ctx, &mcp.SSEClientTransport{Endpoint: endpoint + "/sse"}, &mcp.ClientSessionOptions{ProtocolVersion: version})
			if err != nil {
				t.Fatal(err)
			}
			defer cs.Close()
			names, err := toolNames(ctx, cs)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Contains(names, "test_simple_text") || len(names) < 10 {
				t.Errorf("tools/list over HTTP+SSE: %q, want the everything-server's tools", names)
			}
			if text, err := callText(ctx, cs, "test_simple_text"); err != nil || text != simpleText {
				t.Errorf("test_simple_text over HTTP+SSE: %q, %v", text, err)
			}
		})
	}
}

// The MCP Inspector's CLI lists and calls tools through serve, over
// Streamable HTTP and over HTTP+SSE.
func TestInspectorThroughServe(t *testing.T) {
	testenv.MCPNodeTools(t) // skip early without the Node tools
	target := testenv.StartServerEverythingSSE(t)
	g := mcpGateway([]spec.MCPServer{{Name: "everything", URL: target, Protocol: spec.MCPSSE}}, func(m *spec.MCPGateway) { m.Sessions = spec.MCPStateful })
	endpoint := serveGateway(t, g, serveOptions{})
	for _, c := range []struct{ transport, url string }{{"http", endpoint}, {"sse", endpoint + "/sse"}} {
		t.Run(c.transport, func(t *testing.T) {
			out := testenv.RunInspectorCLI(t, c.url, "--transport", c.transport, "--method", "tools/list")
			var list struct {
				Tools []struct {
					Name string `json:"name"`
				} `json:"tools"`
			}
			if err := json.Unmarshal(out, &list); err != nil {
				t.Fatalf("tools/list output: %v\n%s", err, out)
			}
			var names []string
			for _, tool := range list.Tools {
				names = append(names, tool.Name)
			}
			if !slices.Contains(names, "echo") || !slices.Contains(names, "get-sum") {
				t.Errorf("tools/list: %q, want server-everything's tools", names)
			}
			out = testenv.RunInspectorCLI(t, c.url, "--transport", c.transport, "--method", "tools/call",
				"--tool-name", "echo", "--tool-arg", "message=through serve")
			var res struct {
				Content []struct {
					Type string `json:"type"`
					Text string `json:"text"`
				} `json:"content"`
				IsError bool `json:"isError"`
			}
			if err := json.Unmarshal(out, &res); err != nil {
				t.Fatalf("tools/call output: %v\n%s", err, out)
			}
			if res.IsError || len(res.Content) != 1 || res.Content[0].Text != "Echo: through serve" {
				t.Errorf("echo: %s, want the text %q", out, "Echo: through serve")
			}
		})
	}
}

// Session ids cannot be forged or moved: a tampered id, or one of another
// gateway sharing the key, is unknown (404); a response to a request no
// target made is refused (400).
func TestSessionAttacks(t *testing.T) {
	target := testenv.StartEverythingServer(t)
	key := bytes.Repeat([]byte{9}, 32)
	servers := []spec.MCPServer{{Name: "everything", URL: target}}
	a := serveGateway(t, mcpGateway(servers, func(m *spec.MCPGateway) { m.Sessions = spec.MCPStateful }), serveOptions{sessionKey: key})
	other := serveGateway(t, mcpGateway(servers, func(m *spec.MCPGateway) { m.Name, m.Sessions = "other", spec.MCPStateful }), serveOptions{sessionKey: key})

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	sid := rawSession(ctx, t, a)
	if code, _, body := rawPost(ctx, t, a, sid, rawToolsList); code != http.StatusOK {
		t.Fatalf("tools/list with the session's own id: %d %s", code, body)
	}

	t.Run("tampered", func(t *testing.T) {
		// Every position: the nonce, the ciphertext and the tag.
		for i := range len(sid) {
			b := []byte(sid)
			if b[i] == 'A' {
				b[i] = 'B'
			} else {
				b[i] = 'A'
			}
			code, _, body := rawPost(ctx, t, a, string(b), rawToolsList)
			if code != http.StatusNotFound {
				t.Fatalf("id changed at %d of %d: %d %.200s, want 404", i, len(sid), code, body)
			}
		}
	})
	t.Run("re-spelled", func(t *testing.T) {
		// The same sealed bytes in another spelling: the last character's
		// unused bits set. A lenient decoder reads it as the very id; the
		// gateway must not, or one session has several ids.
		const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
		if len(sid)*6%8 == 0 {
			t.Skipf("an id of %d characters has no unused bits", len(sid))
		}
		b := []byte(sid)
		b[len(b)-1] = alphabet[strings.IndexByte(alphabet, b[len(b)-1])^1]
		if code, _, body := rawPost(ctx, t, a, string(b), rawToolsList); code != http.StatusNotFound {
			t.Errorf("the id with its last character's unused bits set: %d %.200s, want 404", code, body)
		}
	})
	t.Run("other gateway", func(t *testing.T) {
		if code, _, body := rawPost(ctx, t, other, sid, rawToolsList); code != http.StatusNotFound {
			t.Errorf("gateway mcp's session at gateway other (same key): %d %s, want 404", code, body)
		}
		// and the other way round
		osid := rawSession(ctx, t, other)
		if code, _, body := rawPost(ctx, t, a, osid, rawToolsList); code != http.StatusNotFound {
			t.Errorf("gateway other's session at gateway mcp (same key): %d %s, want 404", code, body)
		}
	})
	t.Run("forged relay id", func(t *testing.T) {
		for _, id := range []string{`"kubelb-ai/nosuch/1"`, `"kubelb-ai/nosuch/\"x\""`, `"kubelb-ai/"`, `"not-relayed"`, `7`} {
			code, _, body := rawPost(ctx, t, a, sid, `{"jsonrpc":"2.0","id":`+id+`,"result":{}}`)
			if code != http.StatusBadRequest {
				t.Errorf("a response with id %s: %d %s, want 400", id, code, body)
			}
		}
		// The session still works after them.
		if code, _, body := rawPost(ctx, t, a, sid, rawToolsList); code != http.StatusOK {
			t.Errorf("tools/list after the forged responses: %d %s", code, body)
		}
	})
}
