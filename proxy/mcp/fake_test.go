package mcp

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// fakeServer is an MCP server over Streamable HTTP, small enough to see
// what the gateway sends it.
type fakeServer struct {
	name  string
	tools []string
	// pageSize pages tools/list (0: one page); cursors are indexes.
	pageSize int
	// sessions: initialize gives an Mcp-Session-Id the server then wants.
	sessions bool
	// sse answers requests as a text/event-stream.
	sse bool
	// status, when set, is the HTTP status of every answer.
	status int
	// hang: POSTs are never answered.
	hang bool
	// version, when set, is the protocol version initialize answers.
	version string
	// supported are server/discover's versions.
	supported []string
	// hangCalls: tools/call is answered only when a notifications/cancelled
	// came (then with nothing).
	hangCalls  bool
	cancelled  chan struct{}
	onceCancel sync.Once

	srv     *httptest.Server
	release chan struct{}

	mu      sync.Mutex
	calls   []fakeCall
	deletes []string
	nextSID int
	live    map[string]bool
}

// fakeCall is one request the fake got.
type fakeCall struct {
	method string // "" for a response the client sent back
	id     json.RawMessage
	params map[string]json.RawMessage
	header http.Header
}

func startFake(t *testing.T, f *fakeServer) *fakeServer {
	t.Helper()
	f.release = make(chan struct{})
	f.cancelled = make(chan struct{})
	f.live = map[string]bool{}
	f.srv = httptest.NewServer(f)
	t.Cleanup(f.srv.Close)
	t.Cleanup(func() { close(f.release) }) // runs first: hung handlers return
	return f
}

func (f *fakeServer) target() Target {
	u, _ := url.Parse(f.srv.URL + "/mcp")
	return Target{Name: f.name, URL: u}
}

func (f *fakeServer) seen(method string) []fakeCall {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []fakeCall
	for _, c := range f.calls {
		if method == "" || c.method == method {
			out = append(out, c)
		}
	}
	return out
}

func (f *fakeServer) deleted() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.deletes...)
}

func (f *fakeServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch r.Method {
	case http.MethodDelete:
		f.mu.Lock()
		f.deletes = append(f.deletes, r.Header.Get("Mcp-Session-Id"))
		delete(f.live, r.Header.Get("Mcp-Session-Id"))
		f.mu.Unlock()
		w.WriteHeader(http.StatusNoContent)
		return
	case http.MethodPost:
	case http.MethodGet:
		f.mu.Lock()
		ok := f.sessions && f.live[r.Header.Get("Mcp-Session-Id")]
		f.calls = append(f.calls, fakeCall{method: "GET", header: r.Header.Clone()})
		f.mu.Unlock()
		if !ok {
			w.WriteHeader(http.StatusMethodNotAllowed)
			return
		}
		// The session's stream: one notification, then quiet.
		w.Header().Set("Content-Type", "text/event-stream")
		w.WriteHeader(http.StatusOK)
		fmt.Fprintf(w, "event: message\ndata: {\"jsonrpc\":\"2.0\",\"method\":\"notifications/tools/list_changed\",\"params\":{\"from\":\"%s\"}}\n\n", f.name)
		http.NewResponseController(w).Flush()
		select {
		case <-f.release:
		case <-r.Context().Done():
		}
		return
	default:
		w.WriteHeader(http.StatusMethodNotAllowed)
		return
	}
	body, _ := io.ReadAll(r.Body)
	var m struct {
		ID     json.RawMessage            `json:"id"`
		Method string                     `json:"method"`
		Params map[string]json.RawMessage `json:"params"`
	}
	_ = json.Unmarshal(body, &m)
	f.mu.Lock()
	f.calls = append(f.calls, fakeCall{method: m.Method, id: m.ID, params: m.Params, header: r.Header.Clone()})
	f.mu.Unlock()
	if m.Method == "notifications/cancelled" {
		f.onceCancel.Do(func() { close(f.cancelled) })
	}
	if f.hangCalls && m.Method == "tools/call" {
		select {
		case <-f.release:
		case <-f.cancelled:
		case <-r.Context().Done():
		}
		return
	}
	if f.hang {
		select {
		case <-f.release:
		case <-r.Context().Done():
		}
		return
	}
	if f.status != 0 {
		http.Error(w, "boom", f.status)
		return
	}
	if f.sessions && m.Method != "initialize" {
		f.mu.Lock()
		ok := f.live[r.Header.Get("Mcp-Session-Id")]
		f.mu.Unlock()
		if !ok {
			http.Error(w, "unknown session", http.StatusNotFound)
			return
		}
	}
	if len(m.ID) == 0 || m.Method == "" {
		w.WriteHeader(http.StatusAccepted)
		return
	}
	result, rpcErr := f.answer(m.Method, m.Params)
	if f.version != "" && m.Method == "initialize" {
		result.(map[string]any)["protocolVersion"] = f.version
	}
	if m.Method == "initialize" && f.sessions {
		f.mu.Lock()
		f.nextSID++
		sid := fmt.Sprintf("%s-session-%d", f.name, f.nextSID)
		f.live[sid] = true
		f.mu.Unlock()
		w.Header().Set("Mcp-Session-Id", sid)
	}
	resp := map[string]any{"jsonrpc": "2.0", "id": m.ID}
	if rpcErr != nil {
		resp["error"] = rpcErr
	} else {
		resp["result"] = result
	}
	b, _ := json.Marshal(resp)
	if f.sse {
		w.Header().Set("Content-Type", "text/event-stream")
		if m.Method == "tools/call" {
			// A request of the target's own before its answer (sampling).
			fmt.Fprintf(w, "event: message\ndata: {\"jsonrpc\":\"2.0\",\"id\":5,\"method\":\"sampling/createMessage\",\"params\":{}}\n\n")
		}
		// A notification before the response, as a streaming tool sends.
		fmt.Fprintf(w, "event: message\ndata: {\"jsonrpc\":\"2.0\",\"method\":\"notifications/message\",\"params\":{\"level\":\"info\",\"data\":\"%s\"}}\n\n", f.name)
		fmt.Fprintf(w, "event: message\ndata: %s\n\n", b)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(b)
}

// answer is the fake's result for a request.
func (f *fakeServer) answer(method string, p map[string]json.RawMessage) (any, any) {
	str := func(k string) string { var s string; _ = json.Unmarshal(p[k], &s); return s }
	switch method {
	case "initialize":
		v := str("protocolVersion")
		if v == "" {
			v = "2025-03-26"
		}
		return map[string]any{"protocolVersion": v, "capabilities": map[string]any{"tools": map[string]any{"listChanged": true}},
			"serverInfo": map[string]string{"name": f.name, "version": "1"}}, nil
	case "tools/list":
		from := 0
		if c := str("cursor"); c != "" {
			var err error
			if from, err = strconv.Atoi(c); err != nil || from > len(f.tools) {
				return nil, map[string]any{"code": codeInvalidParams, "message": "bad cursor"}
			}
		}
		to := len(f.tools)
		if f.pageSize > 0 && from+f.pageSize < to {
			to = from + f.pageSize
		}
		var tools []map[string]any
		for _, n := range f.tools[from:to] {
			tools = append(tools, map[string]any{"name": n, "inputSchema": map[string]any{"type": "object"}})
		}
		res := map[string]any{"tools": tools}
		if to < len(f.tools) {
			res["nextCursor"] = strconv.Itoa(to)
		}
		return res, nil
	case "tools/call":
		if !slices.Contains(f.tools, str("name")) {
			return nil, map[string]any{"code": codeInvalidParams, "message": "Unknown tool: " + str("name")}
		}
		return map[string]any{"content": []map[string]string{{"type": "text", "text": f.name + ":" + str("name")}}}, nil
	case "server/discover":
		return map[string]any{"supportedVersions": f.supported, "capabilities": map[string]any{"tools": map[string]any{}}, "ttlMs": 60000}, nil
	case "completion/complete":
		var ref map[string]string
		_ = json.Unmarshal(p["ref"], &ref)
		return map[string]any{"completion": map[string]any{"values": []string{f.name + ":" + ref["name"] + ref["uri"]}}}, nil
	case "logging/setLevel":
		return map[string]any{}, nil
	case "resources/list":
		return map[string]any{"resources": []map[string]string{{"uri": "file:///" + f.name + "/r", "name": "r"}, {"uri": "relative-" + f.name, "name": "rel"}}}, nil
	case "resources/read":
		return map[string]any{"contents": []map[string]string{{"uri": str("uri"), "text": f.name}}}, nil
	}
	return nil, map[string]any{"code": codeMethodNotFound, "message": "no " + method}
}

// sseFake is an MCP server of the 2024-11-05 HTTP+SSE transport: a GET
// stream whose endpoint event names where to POST.
type sseFake struct {
	name  string
	tools []string
	// endpoint is the endpoint event's data for a stream (default: the
	// fake's own /messages).
	endpoint func(id string) string

	srv *httptest.Server

	mu      sync.Mutex
	streams map[string]chan []byte
	n       int
	gets    []http.Header
	posts   []http.Header
}

func startSSEFake(t *testing.T, f *sseFake) *sseFake {
	t.Helper()
	f.streams = map[string]chan []byte{}
	if f.endpoint == nil {
		f.endpoint = func(id string) string { return "/messages?sid=" + id }
	}
	f.srv = httptest.NewServer(f)
	t.Cleanup(f.srv.Close)
	return f
}

func (f *sseFake) target() Target {
	u, _ := url.Parse(f.srv.URL + "/sse")
	return Target{Name: f.name, URL: u, SSE: true}
}

func (f *sseFake) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch {
	case r.Method == http.MethodGet && r.URL.Path == "/sse":
		f.mu.Lock()
		f.n++
		id := strconv.Itoa(f.n)
		ch := make(chan []byte, 16)
		f.streams[id] = ch
		f.gets = append(f.gets, r.Header.Clone())
		f.mu.Unlock()
		w.Header().Set("Content-Type", "text/event-stream")
		w.WriteHeader(http.StatusOK)
		fmt.Fprintf(w, "event: endpoint\ndata: %s\n\n", f.endpoint(id))
		http.NewResponseController(w).Flush()
		for {
			select {
			case b := <-ch:
				fmt.Fprintf(w, "event: message\ndata: %s\n\n", b)
				http.NewResponseController(w).Flush()
			case <-r.Context().Done():
				return
			}
		}
	case r.Method == http.MethodPost && r.URL.Path == "/messages":
		f.mu.Lock()
		ch := f.streams[r.URL.Query().Get("sid")]
		f.posts = append(f.posts, r.Header.Clone())
		f.mu.Unlock()
		if ch == nil {
			http.Error(w, "unknown sid", http.StatusNotFound)
			return
		}
		var m struct {
			ID     json.RawMessage            `json:"id"`
			Method string                     `json:"method"`
			Params map[string]json.RawMessage `json:"params"`
		}
		body, _ := io.ReadAll(r.Body)
		_ = json.Unmarshal(body, &m)
		w.WriteHeader(http.StatusAccepted)
		if len(m.ID) == 0 {
			return
		}
		res, rpcErr := (&fakeServer{name: f.name, tools: f.tools}).answer(m.Method, m.Params)
		resp := map[string]any{"jsonrpc": "2.0", "id": m.ID, "result": res}
		if rpcErr != nil {
			resp = map[string]any{"jsonrpc": "2.0", "id": m.ID, "error": rpcErr}
		}
		b, _ := json.Marshal(resp)
		ch <- b
	default:
		w.WriteHeader(http.StatusNotFound)
	}
}

// hits counts the requests a server got.
type hits struct {
	mu      sync.Mutex
	headers []http.Header
	srv     *httptest.Server
}

func startHits(t *testing.T) *hits {
	h := &hits{}
	h.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.mu.Lock()
		h.headers = append(h.headers, r.Header.Clone())
		h.mu.Unlock()
		w.WriteHeader(http.StatusAccepted)
	}))
	t.Cleanup(h.srv.Close)
	return h
}

func (h *hits) count() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.headers)
}

// client is a test's MCP client of a gateway.
type client struct {
	t      *testing.T
	g      *Gateway
	header http.Header
}

func newGateway(t *testing.T, c Config) *Gateway {
	t.Helper()
	if c.Name == "" {
		c.Name = "gw"
	}
	g, err := New(c)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(g.Close)
	return g
}

// post sends body and returns the HTTP answer and the JSON-RPC response in
// it (nil when there is none).
func (c *client) post(body string, header ...string) (*httptest.ResponseRecorder, *message) {
	c.t.Helper()
	r := httptest.NewRequest(http.MethodPost, "http://gw.example/mcp", strings.NewReader(body))
	r.Header.Set("Content-Type", "application/json")
	r.Header.Set("Accept", "application/json, text/event-stream")
	for k, vs := range c.header {
		r.Header[k] = vs
	}
	for i := 0; i+1 < len(header); i += 2 {
		r.Header.Set(header[i], header[i+1])
	}
	w := httptest.NewRecorder()
	c.g.ServeHTTP(w, r)
	return w, responseIn(c.t, w)
}

func responseIn(t *testing.T, w *httptest.ResponseRecorder) *message {
	t.Helper()
	body := w.Body.String()
	if strings.HasPrefix(w.Header().Get("Content-Type"), "text/event-stream") {
		var last *message
		for _, line := range strings.Split(body, "\n") {
			if data, ok := strings.CutPrefix(line, "data: "); ok {
				m, err := parseMessage([]byte(data))
				if err != nil {
					t.Fatalf("an event that is not a message: %q", data)
				}
				if m.isResponse() {
					last = m
				}
			}
		}
		return last
	}
	if !strings.HasPrefix(w.Header().Get("Content-Type"), "application/json") {
		return nil
	}
	// Not parseMessage: an error answering a request whose id could not
	// be read carries no id.
	var m message
	if err := json.Unmarshal(w.Body.Bytes(), &m); err != nil || m.JSONRPC != "2.0" {
		t.Fatalf("an answer that is not a message: %q", body)
	}
	return &m
}

// request is a request's body.
func request(id int, method string, params any) string {
	b, _ := json.Marshal(map[string]any{"jsonrpc": "2.0", "id": id, "method": method, "params": params})
	return string(b)
}

// toolNames are the names of a tools/list result.
func toolNames(t *testing.T, m *message) []string {
	t.Helper()
	if m == nil {
		t.Fatal("no response")
	}
	if m.Error != nil {
		t.Fatalf("tools/list failed: %v", m.Error)
	}
	var r struct {
		Tools []struct {
			Name string `json:"name"`
		} `json:"tools"`
	}
	if err := json.Unmarshal(m.Result, &r); err != nil {
		t.Fatal(err)
	}
	names := []string{}
	for _, tool := range r.Tools {
		names = append(names, tool.Name)
	}
	return names
}

// text is a tools/call result's first text.
func text(t *testing.T, m *message) string {
	t.Helper()
	if m == nil {
		t.Fatal("no response")
	}
	if m.Error != nil {
		t.Fatalf("the call failed: %v", m.Error)
	}
	var r struct {
		Content []struct {
			Text string `json:"text"`
		} `json:"content"`
	}
	if err := json.Unmarshal(m.Result, &r); err != nil {
		t.Fatal(err)
	}
	if len(r.Content) == 0 {
		t.Fatalf("no content in %s", m.Result)
	}
	return r.Content[0].Text
}

// eventually waits up to 5s for cond (the gateway ends sessions in the
// background).
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
