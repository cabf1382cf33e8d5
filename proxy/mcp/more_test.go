package mcp

import (
	"encoding/json"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"
)

var modernHeaders = []string{"MCP-Protocol-Version", "2026-07-28"}

func TestDiscover(t *testing.T) {
	a := startFake(t, &fakeServer{name: "a", supported: []string{"2026-07-28", "2025-06-18"}})
	b := startFake(t, &fakeServer{name: "b", supported: []string{"2026-07-28", "2025-11-25", "2025-06-18"}})

	single := &client{t: t, g: newGateway(t, Config{Targets: []Target{a.target()}})}
	_, m := single.post(request(1, "server/discover", nil), append(modernHeaders, "Mcp-Method", "server/discover")...)
	var res struct {
		SupportedVersions []string `json:"supportedVersions"`
		TTL               int      `json:"ttlMs"`
		CacheScope        string   `json:"cacheScope"`
	}
	if m == nil || m.Error != nil || json.Unmarshal(m.Result, &res) != nil {
		t.Fatalf("discover: %+v", m)
	}
	if !reflect.DeepEqual(res.SupportedVersions, []string{"2026-07-28", "2025-06-18"}) || res.TTL != 0 || res.CacheScope != "private" {
		t.Fatalf("one target's discover passed as %s", m.Result)
	}

	multi := &client{t: t, g: newGateway(t, Config{Targets: []Target{a.target(), b.target()}})}
	_, m = multi.post(request(2, "server/discover", nil), modernHeaders...)
	res = struct {
		SupportedVersions []string `json:"supportedVersions"`
		TTL               int      `json:"ttlMs"`
		CacheScope        string   `json:"cacheScope"`
	}{TTL: -1}
	if m == nil || m.Error != nil || json.Unmarshal(m.Result, &res) != nil {
		t.Fatalf("discover: %+v", m)
	}
	if !reflect.DeepEqual(res.SupportedVersions, []string{"2026-07-28", "2025-06-18"}) || res.TTL != 0 || res.CacheScope != "private" {
		t.Fatalf("merged discover %s", m.Result)
	}
	if n := len(a.seen("initialize")) + len(b.seen("initialize")); n != 0 {
		t.Fatalf("%d initializes for discover", n)
	}
}

func TestComplete(t *testing.T) {
	a := startFake(t, &fakeServer{name: "a"})
	b := startFake(t, &fakeServer{name: "b"})
	c := &client{t: t, g: newGateway(t, Config{Targets: []Target{a.target(), b.target()}})}
	values := func(m *message) []string {
		var r struct {
			Completion struct{ Values []string } `json:"completion"`
		}
		if m == nil || m.Error != nil || json.Unmarshal(m.Result, &r) != nil {
			t.Fatalf("complete: %+v", m)
		}
		return r.Completion.Values
	}
	_, m := c.post(request(1, "completion/complete", map[string]any{"ref": map[string]string{"type": "ref/prompt", "name": "b_p"}, "argument": map[string]string{"name": "x", "value": ""}}), v2025...)
	if got := values(m); !reflect.DeepEqual(got, []string{"b:p"}) {
		t.Fatalf("a prompt's completion: %v", got)
	}
	_, m = c.post(request(2, "completion/complete", map[string]any{"ref": map[string]string{"type": "ref/resource", "uri": "a+file:///{x}"}}), v2025...)
	if got := values(m); !reflect.DeepEqual(got, []string{"a:file:///{x}"}) {
		t.Fatalf("a resource's completion: %v", got)
	}
	for _, ref := range []map[string]string{{"type": "ref/prompt", "name": "zz_p"}, {"type": "ref/resource", "uri": "zz+file:///"}, {"type": "ref/other"}} {
		_, m = c.post(request(3, "completion/complete", map[string]any{"ref": ref}), v2025...)
		if m == nil || m.Error == nil || m.Error.Code != codeInvalidParams {
			t.Fatalf("ref %v: %+v", ref, m)
		}
	}
}

func TestBroadcastAndUnknownMethods(t *testing.T) {
	a := startFake(t, &fakeServer{name: "a"})
	b := startFake(t, &fakeServer{name: "b"})
	c := &client{t: t, g: newGateway(t, Config{Targets: []Target{a.target(), b.target()}})}
	_, m := c.post(request(1, "logging/setLevel", map[string]string{"level": "debug"}), v2025...)
	if m == nil || m.Error != nil || string(m.Result) != "{}" {
		t.Fatalf("logging/setLevel: %+v", m)
	}
	if len(a.seen("logging/setLevel")) != 1 || len(b.seen("logging/setLevel")) != 1 {
		t.Fatal("logging/setLevel did not reach every target")
	}
	_, m = c.post(request(2, "vendor/thing", nil), v2025...)
	if m == nil || m.Error == nil || m.Error.Code != codeMethodNotFound {
		t.Fatalf("an unknown method at a multiplexing gateway: %+v", m)
	}
	if len(a.seen("vendor/thing"))+len(b.seen("vendor/thing")) != 0 {
		t.Fatal("an unknown method reached a target")
	}
	// A plain proxy passes what it does not know.
	single := &client{t: t, g: newGateway(t, Config{Targets: []Target{a.target()}})}
	_, m = single.post(request(3, "vendor/thing", nil), v2025...)
	if m == nil || m.Error == nil || !strings.Contains(m.Error.Message, "no vendor/thing") || len(a.seen("vendor/thing")) != 1 {
		t.Fatalf("an unknown method at a plain proxy: %+v", m)
	}
}

func TestCancelGoesToItsTarget(t *testing.T) {
	a := startFake(t, &fakeServer{name: "a", tools: []string{"x"}, sessions: true, hangCalls: true})
	b := startFake(t, &fakeServer{name: "b", tools: []string{"y"}, sessions: true})
	c := &client{t: t, g: newGateway(t, Config{Targets: []Target{a.target(), b.target()}, Stateful: true, Timeout: 5 * time.Second})}
	w, m := c.post(request(1, "initialize", map[string]any{"protocolVersion": "2025-06-18", "capabilities": map[string]any{}}))
	if m == nil || m.Error != nil {
		t.Fatalf("initialize: %+v", m)
	}
	sid := w.Header().Get("Mcp-Session-Id")
	hdr := []string{"Mcp-Session-Id", sid, "MCP-Protocol-Version", "2025-06-18"}
	done := make(chan struct{})
	go func() {
		defer close(done)
		c.post(request(7, "tools/call", map[string]any{"name": "a_x"}), hdr...)
	}()
	eventually(t, "the call at a", func() bool { return len(a.seen("tools/call")) == 1 })
	w, _ = c.post(`{"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":7}}`, hdr...)
	if w.Code != http.StatusAccepted {
		t.Fatalf("notifications/cancelled: %d", w.Code)
	}
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("the cancelled call did not end")
	}
	if n := len(a.seen("notifications/cancelled")); n != 1 {
		t.Fatalf("a got %d cancellations", n)
	}
	if n := len(b.seen("notifications/cancelled")); n != 0 {
		t.Fatalf("b, not serving the request, got %d cancellations", n)
	}
}
