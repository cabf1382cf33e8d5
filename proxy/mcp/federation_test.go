package mcp

import (
	"bufio"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestResourcesNamed(t *testing.T) {
	a := startFake(t, &fakeServer{name: "a"})
	b := startFake(t, &fakeServer{name: "b"})
	c := &client{t: t, g: newGateway(t, Config{Targets: []Target{a.target(), b.target()}})}
	_, m := c.post(request(1, "resources/list", nil), v2025...)
	var list struct {
		Resources []struct{ URI string } `json:"resources"`
	}
	if m == nil || m.Error != nil || json.Unmarshal(m.Result, &list) != nil {
		t.Fatalf("resources/list: %+v", m)
	}
	var uris []string
	for _, r := range list.Resources {
		uris = append(uris, r.URI)
	}
	// A URI without a scheme cannot carry a target's name: as it is.
	if want := []string{"a+file:///a/r", "relative-a", "b+file:///b/r", "relative-b"}; !reflect.DeepEqual(uris, want) {
		t.Fatalf("URIs %v, want %v", uris, want)
	}
	_, m = c.post(request(2, "resources/read", map[string]any{"uri": "b+file:///b/r"}), v2025...)
	var read struct {
		Contents []struct{ URI, Text string } `json:"contents"`
	}
	if m == nil || m.Error != nil || json.Unmarshal(m.Result, &read) != nil || len(read.Contents) != 1 {
		t.Fatalf("resources/read: %+v", m)
	}
	if read.Contents[0].Text != "b" || read.Contents[0].URI != "b+file:///b/r" {
		t.Fatalf("read %+v", read.Contents[0])
	}
	if got := rawString(b.seen("resources/read")[0].params["uri"]); got != "file:///b/r" {
		t.Fatalf("target b was asked for %q", got)
	}
	_, m = c.post(request(3, "resources/read", map[string]any{"uri": "zz+file:///b/r"}), v2025...)
	if m == nil || m.Error == nil || m.Error.Code != codeInvalidParams {
		t.Fatalf("a URI of no target: %+v", m)
	}
}

func TestInitializeMerged(t *testing.T) {
	a := startFake(t, &fakeServer{name: "a"})
	b := startFake(t, &fakeServer{name: "b", version: "2025-03-26"})
	c := &client{t: t, g: newGateway(t, Config{Name: "merged", Version: "9", Targets: []Target{a.target(), b.target()}})}
	w, m := c.post(request(1, "initialize", map[string]any{"protocolVersion": "2025-06-18", "capabilities": map[string]any{}}))
	if m == nil || m.Error != nil {
		t.Fatalf("initialize: %+v", m)
	}
	if w.Header().Get("Mcp-Session-Id") != "" {
		t.Fatal("a stateless gateway gave a session id")
	}
	var res struct {
		ProtocolVersion string                     `json:"protocolVersion"`
		Capabilities    map[string]map[string]bool `json:"capabilities"`
		ServerInfo      struct{ Name, Version string }
	}
	_ = json.Unmarshal(m.Result, &res)
	if res.ProtocolVersion != "2025-03-26" || !res.Capabilities["tools"]["listChanged"] || res.ServerInfo.Name != "merged" || res.ServerInfo.Version != "9" {
		t.Fatalf("merged initialize %s", m.Result)
	}
	// The initializes are remembered: a call under the agreed version
	// needs none more.
	c.post(request(2, "tools/list", nil), "MCP-Protocol-Version", "2025-06-18")
	if n := len(a.seen("initialize")); n != 1 {
		t.Fatalf("%d initializes at a", n)
	}
}

func TestRelayedRequest(t *testing.T) {
	a := startFake(t, &fakeServer{name: "a", tools: []string{"x"}, sse: true})
	b := startFake(t, &fakeServer{name: "b", tools: []string{"y"}})
	c := &client{t: t, g: newGateway(t, Config{Targets: []Target{a.target(), b.target()}})}
	w, _ := c.post(request(1, "tools/call", map[string]any{"name": "a_x"}), v2025...)
	if !strings.Contains(w.Body.String(), `"id":"kubelb-ai/a/5"`) {
		t.Fatalf("the target's request did not come with a relayed id: %s", w.Body.String())
	}
	w, _ = c.post(`{"jsonrpc":"2.0","id":"kubelb-ai/a/5","result":{"role":"assistant"}}`, v2025...)
	if w.Code != http.StatusAccepted {
		t.Fatalf("a response to a relayed request: %d", w.Code)
	}
	var got []fakeCall
	for _, call := range a.seen("") {
		if call.method == "" {
			got = append(got, call)
		}
	}
	if len(got) != 1 || string(got[0].id) != "5" {
		t.Fatalf("target a got the responses %+v", got)
	}
	for _, forged := range []string{`"kubelb-ai/zz/5"`, `"kubelb-ai/a/{}"`, `"5"`, `5`} {
		w, _ = c.post(`{"jsonrpc":"2.0","id":`+forged+`,"result":{}}`, v2025...)
		if w.Code != http.StatusBadRequest {
			t.Fatalf("a response with id %s: %d", forged, w.Code)
		}
	}
	for _, call := range b.seen("") {
		if call.method == "" {
			t.Fatal("target b got a response")
		}
	}
}

// sseEvents reads a text/event-stream.
type sseEvents struct{ r *bufio.Reader }

func (s *sseEvents) next(t *testing.T) (name, data string) {
	t.Helper()
	for {
		line, err := s.r.ReadString('\n')
		if err != nil {
			t.Fatalf("the stream ended: %v", err)
		}
		line = strings.TrimRight(line, "\r\n")
		switch {
		case line == "":
			if name != "" || data != "" {
				return name, data
			}
		case strings.HasPrefix(line, "event: "):
			name = strings.TrimPrefix(line, "event: ")
		case strings.HasPrefix(line, "data: "):
			data += strings.TrimPrefix(line, "data: ")
		}
	}
}

func TestLegacyClient(t *testing.T) {
	a := startFake(t, &fakeServer{name: "a", tools: []string{"x"}, sessions: true})
	srv, events, cancel := openLegacy(t, newGateway(t, Config{Targets: []Target{a.target()}, Stateful: true}))
	name, endpoint := events.next(t)
	if name != "endpoint" || !strings.HasPrefix(endpoint, "/mcp/sse?sessionId=") {
		t.Fatalf("first event %q %q", name, endpoint)
	}
	post := func(body string) int {
		r, err := http.Post(srv.URL+endpoint, "application/json", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		r.Body.Close()
		return r.StatusCode
	}
	// A request before initialize is answered on the stream with an
	// error (a 2026-07-28 client's server/discover probe then falls back).
	if code := post(request(1, "tools/list", nil)); code != http.StatusAccepted {
		t.Fatalf("a request before initialize: %d", code)
	}
	if _, data := events.next(t); !strings.Contains(data, "initialize first") || !strings.Contains(data, `"error"`) {
		t.Fatalf("a request before initialize answered %s", data)
	}
	if code := post(request(1, "initialize", map[string]any{"protocolVersion": "2024-11-05", "capabilities": map[string]any{}})); code != http.StatusAccepted {
		t.Fatalf("initialize: %d", code)
	}
	if _, data := events.next(t); !strings.Contains(data, `"protocolVersion":"2024-11-05"`) {
		t.Fatalf("initialize answered %s", data)
	}
	post(`{"jsonrpc":"2.0","method":"notifications/initialized"}`)
	post(request(2, "tools/call", map[string]any{"name": "x"}))
	_, data := events.next(t)
	m, perr := parseMessage([]byte(data))
	if perr != nil || string(m.ID) != "2" {
		t.Fatalf("the call answered %s", data)
	}
	if got := text(t, m); got != "a:x" {
		t.Fatalf("the call answered %q", got)
	}
	if sid := a.seen("tools/call")[0].header.Get("Mcp-Session-Id"); sid != "a-session-1" {
		t.Fatalf("target a got session %q", sid)
	}
	r, err := http.Post(srv.URL+"/mcp/sse?sessionId=nope", "application/json", strings.NewReader(request(3, "ping", nil)))
	if err != nil {
		t.Fatal(err)
	}
	r.Body.Close()
	if r.StatusCode != http.StatusNotFound {
		t.Fatalf("an unknown sessionId: %d", r.StatusCode)
	}
	// The stream's end ends the target's session.
	cancel()
	eventually(t, "the DELETE at a", func() bool { return len(a.deleted()) == 1 })
}

func TestStatefulSSETarget(t *testing.T) {
	a := startSSEFake(t, &sseFake{name: "a", tools: []string{"x"}})
	b := startFake(t, &fakeServer{name: "b", tools: []string{"y"}})
	c := &client{t: t, g: newGateway(t, Config{Targets: []Target{a.target(), b.target()}, Stateful: true, Timeout: 5 * time.Second})}
	w, m := c.post(request(1, "initialize", map[string]any{"protocolVersion": "2025-06-18", "capabilities": map[string]any{}}))
	if m == nil || m.Error != nil {
		t.Fatalf("initialize: %+v", m)
	}
	sid := w.Header().Get("Mcp-Session-Id")
	for i := range 3 {
		_, m = c.post(request(2+i, "tools/call", map[string]any{"name": "a_x"}), "Mcp-Session-Id", sid, "MCP-Protocol-Version", "2025-06-18")
		if got := text(t, m); got != "a:x" {
			t.Fatalf("call %d: %q", i, got)
		}
	}
	a.mu.Lock()
	gets := len(a.gets)
	a.mu.Unlock()
	if gets != 1 {
		t.Fatalf("%d SSE streams for one session, want 1 (pooled)", gets)
	}
	_, m = c.post(request(9, "tools/list", nil), "Mcp-Session-Id", sid, "MCP-Protocol-Version", "2025-06-18")
	if got := toolNames(t, m); !reflect.DeepEqual(got, []string{"a_x", "b_y"}) {
		t.Fatalf("tools/list %v", got)
	}
}

func TestSessionStream(t *testing.T) {
	a := startFake(t, &fakeServer{name: "a", tools: []string{"x"}, sessions: true})
	b := startFake(t, &fakeServer{name: "b", tools: []string{"y"}})
	g := newGateway(t, Config{Targets: []Target{a.target(), b.target()}, Stateful: true})
	c := &client{t: t, g: g}
	w, m := c.post(request(1, "initialize", map[string]any{"protocolVersion": "2025-06-18", "capabilities": map[string]any{}}))
	if m == nil || m.Error != nil {
		t.Fatalf("initialize: %+v", m)
	}
	sid := w.Header().Get("Mcp-Session-Id")
	srv := httptest.NewServer(g)
	t.Cleanup(srv.Close)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	get := func(sid string) *http.Response {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL+"/mcp", nil)
		req.Header.Set("Accept", "text/event-stream")
		if sid != "" {
			req.Header.Set("Mcp-Session-Id", sid)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		return resp
	}
	for bad, code := range map[string]int{"": http.StatusBadRequest, "forged": http.StatusNotFound} {
		resp := get(bad)
		resp.Body.Close()
		if resp.StatusCode != code {
			t.Fatalf("GET with session %q: %d, want %d", bad, resp.StatusCode, code)
		}
	}
	resp := get(sid)
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "text/event-stream" {
		t.Fatalf("GET: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	name, data := (&sseEvents{bufio.NewReader(resp.Body)}).next(t)
	if name != "message" || !strings.Contains(data, "notifications/tools/list_changed") || !strings.Contains(data, `"from":"a"`) {
		t.Fatalf("the session stream relayed %q %q", name, data)
	}
	if gets := a.seen("GET"); len(gets) != 1 || gets[0].header.Get("Mcp-Session-Id") != "a-session-1" {
		t.Fatalf("target a's GETs: %+v", gets)
	}
	if n := len(b.seen("GET")); n != 0 {
		t.Fatalf("b, without a session, got %d GETs", n)
	}
}

// An HTTP+SSE client's POSTs are answered before they are served: the
// messages of one session served at once are bounded, and one more is
// refused with 429 rather than given a goroutine.
func TestLegacyClientBounded(t *testing.T) {
	a := startFake(t, &fakeServer{name: "a", tools: []string{"x"}, hangCalls: true})
	srv, events, _ := openLegacy(t, newGateway(t, Config{Targets: []Target{a.target()}}))
	_, endpoint := events.next(t)
	codes := map[int]int{}
	for i := range maxLegacyInFlight + 1 {
		r, err := http.Post(srv.URL+endpoint, "application/json", strings.NewReader(request(i, "tools/call", map[string]any{"name": "x"})))
		if err != nil {
			t.Fatal(err)
		}
		r.Body.Close()
		codes[r.StatusCode]++
	}
	if codes[http.StatusAccepted] != maxLegacyInFlight || codes[http.StatusTooManyRequests] != 1 {
		t.Fatalf("answers to %d calls that hang: %v, want %d accepted and one 429", maxLegacyInFlight+1, codes, maxLegacyInFlight)
	}
}

// openLegacy serves g and opens an HTTP+SSE client's stream on it, both
// ended with the test; cancel ends the stream sooner.
func openLegacy(t *testing.T, g *Gateway) (*httptest.Server, *sseEvents, context.CancelFunc) {
	t.Helper()
	srv := httptest.NewServer(g)
	t.Cleanup(srv.Close)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL+"/mcp/sse", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	return srv, &sseEvents{bufio.NewReader(resp.Body)}, cancel
}
