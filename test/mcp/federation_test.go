package mcp

import (
	"context"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	mcpclient "github.com/mark3labs/mcp-go/client"
	mcpgo "github.com/mark3labs/mcp-go/mcp"
	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/kubelb-ai/kubelb-ai/internal/testenv"
	"github.com/kubelb-ai/kubelb-ai/spec"
)

// Federation through serve, seen by two independent client SDKs: go-sdk's
// everything-server (Streamable HTTP) as a and the reference
// server-everything (legacy HTTP+SSE) as b behind one endpoint, their
// tools and prompts prefixed with their names and a's resource URIs with
// "a+".
func TestFederation(t *testing.T) {
	a := testenv.StartEverythingServer(t)
	b := testenv.StartServerEverythingSSE(t)
	endpoint := serveGateway(t, mcpGateway([]spec.MCPServer{
		{Name: "a", URL: a},
		{Name: "b", URL: b, Protocol: spec.MCPSSE},
	}, nil), serveOptions{})

	t.Run("go-sdk", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		session := connectGoSDK(ctx, t, endpoint, "", nil)

		var names []string
		for tool, err := range session.Tools(ctx, nil) {
			if err != nil {
				t.Fatal(err)
			}
			names = append(names, tool.Name)
		}
		checkFederatedNames(t, names)

		res, err := session.CallTool(ctx, &mcp.CallToolParams{Name: "b_echo", Arguments: map[string]any{"message": "hello"}})
		if err != nil {
			t.Fatal(err)
		}
		if got := toolText(res); res.IsError || got != "Echo: hello" {
			t.Errorf("b_echo: %q (isError %v), want %q", got, res.IsError, "Echo: hello")
		}

		prompt, err := session.GetPrompt(ctx, &mcp.GetPromptParams{Name: "a_test_simple_prompt"})
		if err != nil {
			t.Fatal(err)
		}
		if len(prompt.Messages) == 0 {
			t.Errorf("a_test_simple_prompt: no messages")
		}

		var uris []string
		for r, err := range session.Resources(ctx, nil) {
			if err != nil {
				t.Fatal(err)
			}
			uris = append(uris, r.URI)
		}
		checkFederatedURIs(t, uris)

		read, err := session.ReadResource(ctx, &mcp.ReadResourceParams{URI: "a+test://static-text"})
		if err != nil {
			t.Fatal(err)
		}
		if len(read.Contents) == 0 || read.Contents[0].URI != "a+test://static-text" || read.Contents[0].Text == "" {
			t.Errorf("resources/read a+test://static-text: %+v, want text contents of uri a+test://static-text", read.Contents)
		}
	})

	t.Run("mcp-go", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		c, err := mcpclient.NewStreamableHttpClient(endpoint)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		if err := c.Start(ctx); err != nil {
			t.Fatal(err)
		}
		var init mcpgo.InitializeRequest
		init.Params.ClientInfo = mcpgo.Implementation{Name: "kubelb-ai-test", Version: "0"}
		if _, err := c.Initialize(ctx, init); err != nil {
			t.Fatal(err)
		}

		tools, err := c.ListTools(ctx, mcpgo.ListToolsRequest{})
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, tool := range tools.Tools {
			names = append(names, tool.Name)
		}
		checkFederatedNames(t, names)

		var call mcpgo.CallToolRequest
		call.Params.Name = "b_echo"
		call.Params.Arguments = map[string]any{"message": "hello"}
		res, err := c.CallTool(ctx, call)
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Content) != 1 {
			t.Fatalf("b_echo: %+v", res)
		}
		if text, ok := mcpgo.AsTextContent(res.Content[0]); !ok || res.IsError || text.Text != "Echo: hello" {
			t.Errorf("b_echo: %#v (isError %v), want the text %q", res.Content[0], res.IsError, "Echo: hello")
		}

		var get mcpgo.GetPromptRequest
		get.Params.Name = "a_test_simple_prompt"
		prompt, err := c.GetPrompt(ctx, get)
		if err != nil {
			t.Fatal(err)
		}
		if len(prompt.Messages) == 0 {
			t.Errorf("a_test_simple_prompt: no messages")
		}

		resources, err := c.ListResources(ctx, mcpgo.ListResourcesRequest{})
		if err != nil {
			t.Fatal(err)
		}
		var uris []string
		for _, r := range resources.Resources {
			uris = append(uris, r.URI)
		}
		checkFederatedURIs(t, uris)

		var read mcpgo.ReadResourceRequest
		read.Params.URI = "a+test://static-text"
		got, err := c.ReadResource(ctx, read)
		if err != nil {
			t.Fatal(err)
		}
		if len(got.Contents) == 0 {
			t.Fatal("resources/read a+test://static-text: no contents")
		}
		if text, ok := mcpgo.AsTextResourceContents(got.Contents[0]); !ok || text.URI != "a+test://static-text" || text.Text == "" {
			t.Errorf("resources/read a+test://static-text: %#v, want text contents of uri a+test://static-text", got.Contents[0])
		}
	})
}

func checkFederatedNames(t *testing.T, names []string) {
	t.Helper()
	for _, want := range []string{"a_test_simple_text", "b_echo", "b_get-sum"} {
		if !slices.Contains(names, want) {
			t.Errorf("tools/list has no %s: %q", want, names)
		}
	}
	for _, n := range names {
		if !strings.HasPrefix(n, "a_") && !strings.HasPrefix(n, "b_") {
			t.Errorf("tools/list: %q is not prefixed with its server's name", n)
		}
	}
	if dup := duplicate(names); dup != "" {
		t.Errorf("tools/list lists %s twice", dup)
	}
}

func checkFederatedURIs(t *testing.T, uris []string) {
	t.Helper()
	if !slices.Contains(uris, "a+test://static-text") {
		t.Errorf("resources/list has no a+test://static-text: %q", uris)
	}
	for _, u := range uris {
		if !strings.HasPrefix(u, "a+") && !strings.HasPrefix(u, "b+") {
			t.Errorf("resources/list: %q does not name its server", u)
		}
	}
}

// A call reaches its server under the server's own name, and a server's
// key reaches that server only: the server with a keyEnv sees its key and
// never the client's credential; the one without sees the client's (as on
// agentgateway) and never the other's key.
func TestRoutedWithoutPrefix(t *testing.T) {
	const keyEnv, key, clientAuth = "KUBELB_AI_TEST_KEYED_MCP", "sk-keyed-only", "Bearer client-own-token"
	keyed := startToolServer(t, "keyed", nil, false, "whoami")
	open := startToolServer(t, "open", nil, false, "whoami")
	everything := testenv.StartEverythingServer(t)
	endpoint := serveGateway(t, mcpGateway([]spec.MCPServer{
		{Name: "keyed", URL: keyed.URL, KeyEnv: keyEnv},
		{Name: "open", URL: open.URL},
		{Name: "everything", URL: everything},
	}, nil), serveOptions{keys: map[string]string{keyEnv: key}})

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	hc := &http.Client{Transport: withAuthorization{clientAuth, http.DefaultTransport}}
	session := connectGoSDK(ctx, t, endpoint, "", hc)
	for _, name := range []string{"keyed_whoami", "open_whoami", "everything_test_simple_text"} {
		res, err := session.CallTool(ctx, &mcp.CallToolParams{Name: name, Arguments: map[string]any{}})
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if res.IsError {
			t.Errorf("%s: %q", name, toolText(res))
		}
	}
	session.Close()

	kc, kh := keyed.snapshot()
	oc, oh := open.snapshot()
	if len(kc) != 1 || kc[0].name != "whoami" || kc[0].auth != "Bearer "+key {
		t.Errorf("keyed server's calls: %+v, want one of whoami with Authorization %q", kc, "Bearer "+key)
	}
	if len(oc) != 1 || oc[0].name != "whoami" || oc[0].auth != clientAuth {
		t.Errorf("open server's calls: %+v, want one of whoami with the client's Authorization", oc)
	}
	if len(kh) == 0 || len(oh) == 0 {
		t.Fatalf("HTTP requests: keyed %d, open %d", len(kh), len(oh))
	}
	for _, h := range kh {
		if h.auth != "Bearer "+key {
			t.Errorf("keyed server: a %s request with Authorization %q, want its own key", h.method, h.auth)
		}
	}
	for _, h := range oh {
		if strings.Contains(h.auth, key) {
			t.Errorf("open server: a %s request carried the keyed server's key", h.method)
		}
	}
}

// A target that pages its lists (2 tools a page) loses no page behind the
// gateway: the composite cursor keeps its place while the other target's
// list is done, in both session modes.
func TestPagination(t *testing.T) {
	for _, mode := range []string{spec.MCPStateful, spec.MCPStateless} {
		t.Run(mode, func(t *testing.T) {
			paged := startToolServer(t, "paged", &mcp.ServerOptions{PageSize: 2}, false, "t1", "t2", "t3", "t4", "t5")
			everything := testenv.StartEverythingServer(t)
			endpoint := serveGateway(t, mcpGateway([]spec.MCPServer{
				{Name: "paged", URL: paged.URL},
				{Name: "everything", URL: everything},
			}, func(m *spec.MCPGateway) { m.Sessions = mode }), serveOptions{})

			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			direct := connectGoSDK(ctx, t, everything, "", nil)
			var want []string
			for tool, err := range direct.Tools(ctx, nil) {
				if err != nil {
					t.Fatal(err)
				}
				want = append(want, "everything_"+tool.Name)
			}
			direct.Close()
			want = append(want, "paged_t1", "paged_t2", "paged_t3", "paged_t4", "paged_t5")

			session := connectGoSDK(ctx, t, endpoint, "", nil)
			var got []string
			for tool, err := range session.Tools(ctx, nil) {
				if err != nil {
					t.Fatal(err)
				}
				got = append(got, tool.Name)
			}
			if dup := duplicate(got); dup != "" {
				t.Errorf("tools/list gave %s twice", dup)
			}
			slices.Sort(got)
			slices.Sort(want)
			if !slices.Equal(got, want) {
				t.Errorf("tools/list through serve:\n got %q\nwant %q", got, want)
			}
		})
	}
}

// Every client protocol era against new servers (go-sdk, stateless, up to
// 2026-07-28) and against a federation with an old one (up to 2025-11-25):
// a 2026-07-28 client stays stateless through serve when every target
// speaks it, and falls back to initialize when one does not; any other
// version is kept. A 2026-07-28 call's Mcp-Name reaches the target
// rewritten to the target's own name (go-sdk refuses a mismatch).
func TestEras(t *testing.T) {
	old := []string{"2025-11-25", "2025-06-18", "2025-03-26"}
	for _, upstream := range []string{"new", "old"} {
		t.Run(upstream, func(t *testing.T) {
			n := startToolServer(t, "n", nil, true, "echo")
			var second *toolServer
			if upstream == "new" {
				second = startToolServer(t, "m", nil, true, "echo")
			} else {
				second = startToolServer(t, "m", &mcp.ServerOptions{SupportedProtocolVersions: old}, false, "echo")
			}
			endpoint := serveGateway(t, mcpGateway([]spec.MCPServer{{Name: "n", URL: n.URL}, {Name: "m", URL: second.URL}}, nil), serveOptions{})
			for _, v := range []string{"2025-03-26", "2025-06-18", "2025-11-25", "2026-07-28"} {
				t.Run(v, func(t *testing.T) {
					ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
					defer cancel()
					session := connectGoSDK(ctx, t, endpoint, v, nil)
					got := session.InitializeResult().ProtocolVersion
					t.Logf("client %s, negotiated %s", v, got)
					switch {
					case v == "2026-07-28" && upstream == "new":
						if got != v {
							t.Errorf("negotiated %s, want %s (every target speaks it)", got, v)
						}
					case v == "2026-07-28":
						if got > "2025-11-25" || got == "" {
							t.Errorf("negotiated %q, want a session-era version (a target is old)", got)
						}
					case got != v:
						t.Errorf("negotiated %s, want the client's %s", got, v)
					}
					var names []string
					for tool, err := range session.Tools(ctx, nil) {
						if err != nil {
							t.Fatal(err)
						}
						names = append(names, tool.Name)
					}
					slices.Sort(names)
					if want := []string{"m_echo", "n_echo"}; !slices.Equal(names, want) {
						t.Errorf("tools/list: %q, want %q", names, want)
					}
					before, _ := n.snapshot()
					res, err := session.CallTool(ctx, &mcp.CallToolParams{Name: "n_echo", Arguments: map[string]any{}})
					if err != nil {
						t.Fatal(err)
					}
					if text := toolText(res); res.IsError || text != "n:echo" {
						t.Errorf("n_echo: %q (isError %v), want %q", text, res.IsError, "n:echo")
					}
					res, err = session.CallTool(ctx, &mcp.CallToolParams{Name: "m_echo", Arguments: map[string]any{}})
					if err != nil {
						t.Fatal(err)
					}
					if text := toolText(res); res.IsError || text != "m:echo" {
						t.Errorf("m_echo: %q (isError %v), want %q", text, res.IsError, "m:echo")
					}
					if got >= "2026-07-28" {
						// The target saw the header of its own name, not the client's.
						_, reqs := n.snapshot()
						var names []string
						for _, h := range reqs {
							if h.method == "tools/call" {
								names = append(names, h.mcpName)
							}
						}
						if len(names) == 0 || names[len(names)-1] != "echo" {
							t.Errorf("Mcp-Name of tools/call at the target: %q, want echo", names)
						}
					}
					after, _ := n.snapshot()
					if len(after) != len(before)+1 || after[len(after)-1].name != "echo" {
						t.Errorf("n's calls: %+v, want one more, of echo", after[len(before):])
					}
					session.Close()
				})
			}
		})
	}
}

// connectGoSDK connects go-sdk's client over Streamable HTTP; version ""
// is the SDK's latest.
func connectGoSDK(ctx context.Context, t *testing.T, endpoint, version string, hc *http.Client) *mcp.ClientSession {
	t.Helper()
	client := mcp.NewClient(&mcp.Implementation{Name: "kubelb-ai-test", Version: "0"}, nil)
	var opts *mcp.ClientSessionOptions
	if version != "" {
		opts = &mcp.ClientSessionOptions{ProtocolVersion: version}
	}
	session, err := client.Connect(ctx, &mcp.StreamableClientTransport{Endpoint: endpoint, HTTPClient: hc}, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = session.Close() })
	return session
}

func toolText(res *mcp.CallToolResult) string {
	if len(res.Content) != 1 {
		return ""
	}
	if text, ok := res.Content[0].(*mcp.TextContent); ok {
		return text.Text
	}
	return ""
}

func duplicate(names []string) string {
	seen := map[string]bool{}
	for _, n := range names {
		if seen[n] {
			return n
		}
		seen[n] = true
	}
	return ""
}

// withAuthorization gives every request of a client its own credential.
type withAuthorization struct {
	value string
	next  http.RoundTripper
}

func (a withAuthorization) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set("Authorization", a.value)
	return a.next.RoundTrip(r)
}

// toolServer is an in-test go-sdk MCP server whose tools answer
// "<server>:<name they were called by>", and which remembers its calls and
// every HTTP request's credentials and Mcp-Name.
type toolServer struct {
	URL string

	mu       sync.Mutex
	calls    []toolCall
	requests []httpRequest
}

type toolCall struct{ name, auth string }

type httpRequest struct{ method, auth, mcpName string }

func startToolServer(t *testing.T, name string, opts *mcp.ServerOptions, stateless bool, tools ...string) *toolServer {
	t.Helper()
	ts := &toolServer{}
	s := mcp.NewServer(&mcp.Implementation{Name: name, Version: "0"}, opts)
	for _, tool := range tools {
		s.AddTool(&mcp.Tool{Name: tool, Description: "answers the name it was called by", InputSchema: map[string]any{"type": "object"}},
			func(_ context.Context, req *mcp.CallToolRequest) (*mcp.CallToolResult, error) {
				ts.mu.Lock()
				ts.calls = append(ts.calls, toolCall{req.Params.Name, req.Extra.Header.Get("Authorization")})
				ts.mu.Unlock()
				return &mcp.CallToolResult{Content: []mcp.Content{&mcp.TextContent{Text: name + ":" + req.Params.Name}}}, nil
			})
	}
	h := mcp.NewStreamableHTTPHandler(func(*http.Request) *mcp.Server { return s }, &mcp.StreamableHTTPOptions{Stateless: stateless})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		method := r.Header.Get("Mcp-Method")
		if method == "" {
			method = r.Method
		}
		ts.mu.Lock()
		ts.requests = append(ts.requests, httpRequest{method, r.Header.Get("Authorization"), r.Header.Get("Mcp-Name")})
		ts.mu.Unlock()
		h.ServeHTTP(w, r)
	}))
	t.Cleanup(func() {
		srv.CloseClientConnections()
		srv.Close()
	})
	ts.URL = srv.URL + "/mcp"
	return ts
}

func (ts *toolServer) snapshot() ([]toolCall, []httpRequest) {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	return slices.Clone(ts.calls), slices.Clone(ts.requests)
}
