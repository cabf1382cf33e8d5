package mcp

import (
	"bufio"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kubelb-ai/kubelb-ai/proxy/expr"
)

// v2025 is the header of a session-era request without a session
// (stateless gateway).
var v2025 = []string{"MCP-Protocol-Version", "2025-06-18"}

func TestPrefixModes(t *testing.T) {
	tests := []struct {
		name    string
		prefix  string
		targets map[string][]string
		want    []string
		calls   map[string]string // client name -> text of the answer
	}{
		{"conditional, one target", PrefixConditional, map[string][]string{"a": {"x"}}, []string{"x"}, map[string]string{"x": "a:x"}},
		{"default, two targets", "", map[string][]string{"a": {"x"}, "b": {"y"}}, []string{"a_x", "b_y"}, map[string]string{"a_x": "a:x", "b_y": "b:y"}},
		{"always, one target", PrefixAlways, map[string][]string{"a": {"x"}}, []string{"a_x"}, map[string]string{"a_x": "a:x"}},
		{"never, two targets", PrefixNever, map[string][]string{"a": {"x", "dup"}, "b": {"y", "dup"}}, []string{"x", "y"}, map[string]string{"x": "a:x", "y": "b:y"}},
		// The longest target name wins a prefix both could own.
		{"nested names", "", map[string][]string{"a": {"b_x"}, "a_b": {"x"}}, []string{"a_b_x", "a_b_x"}, map[string]string{"a_b_x": "a_b:x"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var targets []Target
			fakes := map[string]*fakeServer{}
			for _, n := range []string{"a", "b", "a_b"} {
				if tools, ok := tt.targets[n]; ok {
					fakes[n] = startFake(t, &fakeServer{name: n, tools: tools})
					targets = append(targets, fakes[n].target())
				}
			}
			c := &client{t: t, g: newGateway(t, Config{Targets: targets, Prefix: tt.prefix})}
			_, m := c.post(request(1, "tools/list", nil), v2025...)
			if got := toolNames(t, m); !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("tools/list = %v, want %v", got, tt.want)
			}
			for name, want := range tt.calls {
				_, m := c.post(request(2, "tools/call", map[string]any{"name": name}), v2025...)
				if got := text(t, m); got != want {
					t.Fatalf("tools/call %s = %q, want %q", name, got, want)
				}
			}
			_, m = c.post(request(3, "tools/call", map[string]any{"name": "nope"}), v2025...)
			if m == nil || m.Error == nil || !strings.Contains(m.Error.Message, "Unknown tool: nope") {
				t.Fatalf("an unknown tool: %+v", m)
			}
		})
	}
}

func TestPrefixNeverAmbiguous(t *testing.T) {
	a := startFake(t, &fakeServer{name: "a", tools: []string{"dup"}})
	b := startFake(t, &fakeServer{name: "b", tools: []string{"dup"}})
	c := &client{t: t, g: newGateway(t, Config{Targets: []Target{a.target(), b.target()}, Prefix: PrefixNever})}
	_, m := c.post(request(1, "tools/call", map[string]any{"name": "dup"}), v2025...)
	if m == nil || m.Error == nil || !strings.Contains(m.Error.Message, "ambiguous") {
		t.Fatalf("a name two targets serve: %+v", m)
	}
	if len(a.seen("tools/call"))+len(b.seen("tools/call")) != 0 {
		t.Fatal("an ambiguous call reached a target")
	}
}

func TestListPaging(t *testing.T) {
	a := startFake(t, &fakeServer{name: "a", tools: []string{"a1", "a2", "a3"}, pageSize: 2})
	b := startFake(t, &fakeServer{name: "b", tools: []string{"b1"}, pageSize: 2})
	c := &client{t: t, g: newGateway(t, Config{Targets: []Target{a.target(), b.target()}})}

	_, m := c.post(request(1, "tools/list", nil), v2025...)
	if got := toolNames(t, m); !reflect.DeepEqual(got, []string{"a_a1", "a_a2", "b_b1"}) {
		t.Fatalf("page 1 = %v", got)
	}
	var res struct {
		NextCursor string `json:"nextCursor"`
	}
	_ = json.Unmarshal(m.Result, &res)
	pages, err := decodeCursor(res.NextCursor)
	if err != nil || !reflect.DeepEqual(pages, map[string]string{"a": "2"}) {
		t.Fatalf("the composite cursor %q holds %v, %v", res.NextCursor, pages, err)
	}
	bLists := len(b.seen("tools/list"))

	_, m = c.post(request(2, "tools/list", map[string]any{"cursor": res.NextCursor}), v2025...)
	if got := toolNames(t, m); !reflect.DeepEqual(got, []string{"a_a3"}) {
		t.Fatalf("page 2 = %v", got)
	}
	res.NextCursor = ""
	_ = json.Unmarshal(m.Result, &res)
	if res.NextCursor != "" {
		t.Fatalf("the last page has a cursor %q", res.NextCursor)
	}
	if n := len(b.seen("tools/list")); n != bLists {
		t.Fatal("a target whose pages ended was asked again")
	}
	lists := a.seen("tools/list")
	if got := rawString(lists[len(lists)-1].params["cursor"]); got != "2" {
		t.Fatalf("target a got the cursor %q, want its own 2", got)
	}

	// A cursor naming a target the gateway does not have: that part is
	// ignored; only such parts: refused, no target asked.
	_, m = c.post(request(3, "tools/list", map[string]any{"cursor": encodeCursor(map[string]string{"a": "2", "zz": "9"})}), v2025...)
	if got := toolNames(t, m); !reflect.DeepEqual(got, []string{"a_a3"}) {
		t.Fatalf("a cursor with an unknown target: %v", got)
	}
	before := len(a.seen("tools/list")) + len(b.seen("tools/list"))
	_, m = c.post(request(4, "tools/list", map[string]any{"cursor": encodeCursor(map[string]string{"zz": "9"})}), v2025...)
	if m == nil || m.Error == nil || m.Error.Code != codeInvalidParams {
		t.Fatalf("a cursor of unknown targets only: %+v", m)
	}
	if len(a.seen("tools/list"))+len(b.seen("tools/list")) != before {
		t.Fatal("a cursor of unknown targets reached a target")
	}
	for _, bad := range []string{"%%%", "e30"} { // e30 is {}
		_, m = c.post(request(5, "tools/list", map[string]any{"cursor": bad}), v2025...)
		if m == nil || m.Error == nil || m.Error.Code != codeInvalidParams {
			t.Fatalf("cursor %q: %+v", bad, m)
		}
	}
}

func TestListPagingOneTarget(t *testing.T) {
	a := startFake(t, &fakeServer{name: "a", tools: []string{"a1", "a2", "a3"}, pageSize: 2})
	c := &client{t: t, g: newGateway(t, Config{Targets: []Target{a.target()}})}
	_, m := c.post(request(1, "tools/list", nil), v2025...)
	var res struct {
		NextCursor string `json:"nextCursor"`
	}
	_ = json.Unmarshal(m.Result, &res)
	if res.NextCursor != "2" {
		t.Fatalf("a plain proxy changes the target's cursor: %q", res.NextCursor)
	}
	_, m = c.post(request(2, "tools/list", map[string]any{"cursor": "2"}), v2025...)
	if got := toolNames(t, m); !reflect.DeepEqual(got, []string{"a3"}) {
		t.Fatalf("page 2 = %v", got)
	}
}

func TestFailOpenAndClosed(t *testing.T) {
	good := startFake(t, &fakeServer{name: "good", tools: []string{"x"}})
	bad := startFake(t, &fakeServer{name: "bad", tools: []string{"y"}, status: http.StatusInternalServerError})
	targets := []Target{good.target(), bad.target()}

	closed := &client{t: t, g: newGateway(t, Config{Targets: targets})}
	_, m := closed.post(request(1, "tools/list", nil), v2025...)
	if m == nil || m.Error == nil || !strings.Contains(m.Error.Message, "500") {
		t.Fatalf("fail closed: %+v", m)
	}

	var mu sync.Mutex
	var observed []Call
	open := &client{t: t, g: newGateway(t, Config{Targets: targets, FailOpen: true,
		Observe: func(_ *http.Request, c Call) { mu.Lock(); observed = append(observed, c); mu.Unlock() }})}
	_, m = open.post(request(1, "tools/list", nil), v2025...)
	if got := toolNames(t, m); !reflect.DeepEqual(got, []string{"good_x"}) {
		t.Fatalf("fail open: %v", got)
	}
	_, m = open.post(request(2, "tools/call", map[string]any{"name": "bad_y"}), v2025...)
	if m == nil || m.Error == nil {
		t.Fatalf("a call to a failing target: %+v", m)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(observed) != 2 || observed[0].Status != "ok" || observed[1].Status != "failed" || observed[1].Target != "bad" {
		t.Fatalf("observed %+v", observed)
	}
}

func TestTargetTimeout(t *testing.T) {
	good := startFake(t, &fakeServer{name: "good", tools: []string{"x"}})
	slow := startFake(t, &fakeServer{name: "slow", tools: []string{"y"}, hang: true})
	targets := []Target{good.target(), slow.target()}
	const timeout = 200 * time.Millisecond

	open := &client{t: t, g: newGateway(t, Config{Targets: targets, FailOpen: true, Timeout: timeout})}
	// The dead target never answers: these return at all only because of
	// the timeout (the test's own deadline catches a hang).
	_, m := open.post(request(1, "tools/list", nil), v2025...)
	if got := toolNames(t, m); !reflect.DeepEqual(got, []string{"good_x"}) {
		t.Fatalf("fail open with a dead target: %v", got)
	}

	closed := &client{t: t, g: newGateway(t, Config{Targets: targets, Timeout: timeout})}
	_, m = closed.post(request(2, "tools/list", nil), v2025...)
	if m == nil || m.Error == nil {
		t.Fatalf("fail closed with a dead target: %+v", m)
	}
	_, m = closed.post(request(3, "tools/call", map[string]any{"name": "slow_y"}), v2025...)
	if m == nil || m.Error == nil || !strings.Contains(m.Error.Message, "did not answer") {
		t.Fatalf("a call to a dead target: %+v", m)
	}
}

func TestAuthorization(t *testing.T) {
	prog, err := expr.Compile(`mcp.tool.name == "x"`)
	if err != nil {
		t.Fatal(err)
	}
	a := startFake(t, &fakeServer{name: "a", tools: []string{"x", "y"}})
	var mu sync.Mutex
	var observed []Call
	c := &client{t: t, g: newGateway(t, Config{Targets: []Target{a.target()}, Allow: []*expr.Program{prog},
		Observe: func(_ *http.Request, c Call) { mu.Lock(); observed = append(observed, c); mu.Unlock() }})}
	_, m := c.post(request(1, "tools/list", nil), v2025...)
	if got := toolNames(t, m); !reflect.DeepEqual(got, []string{"x"}) {
		t.Fatalf("tools/list shows %v", got)
	}
	_, m = c.post(request(2, "tools/call", map[string]any{"name": "y"}), v2025...)
	if m == nil || m.Error == nil || m.Error.Message != "Unknown tool: y" {
		t.Fatalf("a denied call: %+v", m)
	}
	for _, call := range a.seen("tools/call") {
		if rawString(call.params["name"]) == "y" {
			t.Fatal("a denied call reached the target")
		}
	}
	if got := text(t, func() *message {
		_, m := c.post(request(3, "tools/call", map[string]any{"name": "x"}), v2025...)
		return m
	}()); got != "a:x" {
		t.Fatalf("an allowed call: %q", got)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(observed) != 3 || observed[1].Status != "denied" || observed[2].Status != "ok" {
		t.Fatalf("observed %+v", observed)
	}

	// Rules see the target too; a rule that cannot evaluate (no
	// mcp.tool on a resource) denies.
	byTarget, err := expr.Compile(`mcp.tool.target == "b"`)
	if err != nil {
		t.Fatal(err)
	}
	a2 := startFake(t, &fakeServer{name: "a", tools: []string{"x"}})
	b2 := startFake(t, &fakeServer{name: "b", tools: []string{"x"}})
	c2 := &client{t: t, g: newGateway(t, Config{Targets: []Target{a2.target(), b2.target()}, Allow: []*expr.Program{byTarget}})}
	_, m = c2.post(request(1, "tools/list", nil), v2025...)
	if got := toolNames(t, m); !reflect.DeepEqual(got, []string{"b_x"}) {
		t.Fatalf("by target: %v", got)
	}
	_, m = c2.post(request(2, "resources/read", map[string]any{"uri": "b+file:///r"}), v2025...)
	if m == nil || m.Error == nil || !strings.Contains(m.Error.Message, "Unknown resource") {
		t.Fatalf("a resource under a tool rule: %+v", m)
	}
}

func TestStatelessCachesInitialize(t *testing.T) {
	for _, version := range [][]string{v2025, nil} {
		a := startFake(t, &fakeServer{name: "a", tools: []string{"x"}})
		c := &client{t: t, g: newGateway(t, Config{Targets: []Target{a.target()}})}
		for i := range 3 {
			_, m := c.post(request(i, "tools/call", map[string]any{"name": "x"}), version...)
			if got := text(t, m); got != "a:x" {
				t.Fatalf("call %d: %q", i, got)
			}
		}
		if n := len(a.seen("initialize")); n != 1 {
			t.Fatalf("version header %v: %d initializes for 3 calls to a target without sessions, want 1", version, n)
		}
		for _, call := range a.seen("tools/call") {
			if call.header.Get("Mcp-Session-Id") != "" {
				t.Fatal("a session id sent to a target without sessions")
			}
		}
	}
}

func TestStatelessSessionTarget(t *testing.T) {
	a := startFake(t, &fakeServer{name: "a", tools: []string{"x"}, sessions: true})
	c := &client{t: t, g: newGateway(t, Config{Targets: []Target{a.target()}})}
	for i := range 3 {
		_, m := c.post(request(i, "tools/call", map[string]any{"name": "x"}), v2025...)
		if got := text(t, m); got != "a:x" {
			t.Fatalf("call %d: %q", i, got)
		}
	}
	if n := len(a.seen("initialize")); n != 3 {
		t.Fatalf("%d initializes for 3 calls to a target with sessions, want 3", n)
	}
	eventually(t, "3 DELETEs", func() bool { return len(a.deleted()) == 3 })
	sids := map[string]bool{}
	for _, call := range a.seen("tools/call") {
		sids[call.header.Get("Mcp-Session-Id")] = true
	}
	for _, d := range a.deleted() {
		if !sids[d] {
			t.Fatalf("DELETE of %q, a session no call used", d)
		}
		delete(sids, d)
	}
	if len(sids) != 0 {
		t.Fatalf("sessions not ended: %v", sids)
	}
}

func TestSSETarget(t *testing.T) {
	a := startSSEFake(t, &sseFake{name: "a", tools: []string{"x"}})
	tg := a.target()
	tg.Header = http.Header{"Authorization": {"Bearer for-a"}}
	c := &client{t: t, g: newGateway(t, Config{Targets: []Target{tg}, Timeout: 5 * time.Second})}
	_, m := c.post(request(1, "tools/call", map[string]any{"name": "x"}), "Authorization", "Bearer client")
	if got := text(t, m); got != "a:x" {
		t.Fatalf("a call through an SSE target: %q", got)
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	for _, h := range append(append([]http.Header{}, a.gets...), a.posts...) {
		if h.Get("Authorization") != "Bearer for-a" {
			t.Fatalf("the SSE target got Authorization %q", h.Get("Authorization"))
		}
	}
}

func TestSSETargetEndpointElsewhere(t *testing.T) {
	for _, form := range []string{"absolute", "scheme-relative"} {
		t.Run(form, func(t *testing.T) {
			other := startHits(t)
			a := startSSEFake(t, &sseFake{name: "a", tools: []string{"x"}, endpoint: func(id string) string {
				if form == "absolute" {
					return other.srv.URL + "/messages?sid=" + id
				}
				return strings.TrimPrefix(other.srv.URL, "http:") + "/messages?sid=" + id
			}})
			tg := a.target()
			tg.Header = http.Header{"Authorization": {"Bearer secret-of-a"}}
			c := &client{t: t, g: newGateway(t, Config{Targets: []Target{tg}, Timeout: 2 * time.Second})}
			_, m := c.post(request(1, "tools/call", map[string]any{"name": "x"}))
			if m == nil || m.Error == nil || !strings.Contains(m.Error.Message, "origin") {
				t.Fatalf("an endpoint on another origin: %+v", m)
			}
			if n := other.count(); n != 0 {
				t.Fatalf("the other origin got %d requests (the target's credential went elsewhere)", n)
			}
		})
	}
}

func TestCredentialsAndBrowserHeaders(t *testing.T) {
	a := startFake(t, &fakeServer{name: "a", tools: []string{"x"}})
	b := startFake(t, &fakeServer{name: "b", tools: []string{"y"}})
	ta := a.target()
	ta.Header = http.Header{"Authorization": {"Bearer for-a"}}
	c := &client{t: t, g: newGateway(t, Config{Targets: []Target{ta, b.target()}}), header: http.Header{
		"Authorization": {"Bearer client"}, "Cookie": {"session=1"}, "Origin": {"https://page.example"},
		"X-Trace": {"t1"}, "Sec-Fetch-Site": {"cross-site"}}}
	c.post(request(1, "tools/list", nil), v2025...)
	c.post(request(2, "tools/call", map[string]any{"name": "a_x"}), v2025...)
	c.post(request(3, "tools/call", map[string]any{"name": "b_y"}), v2025...)
	check := func(f *fakeServer, auth string) {
		calls := f.seen("")
		if len(calls) < 3 {
			t.Fatalf("%s got %d requests", f.name, len(calls))
		}
		for _, call := range calls {
			h := call.header
			if got := h.Values("Authorization"); len(got) != 1 || got[0] != auth {
				t.Fatalf("%s %s: Authorization %v, want %q", f.name, call.method, got, auth)
			}
			if h.Get("Cookie") != "" || h.Get("Origin") != "" || h.Get("Sec-Fetch-Site") != "" {
				t.Fatalf("%s %s: a browser header crossed: %v", f.name, call.method, h)
			}
			if h.Get("X-Trace") != "t1" {
				t.Fatalf("%s %s: X-Trace not forwarded", f.name, call.method)
			}
		}
	}
	check(a, "Bearer for-a")
	check(b, "Bearer client")
}

func TestTooLarge(t *testing.T) {
	a := startFake(t, &fakeServer{name: "a", tools: []string{"x"}})
	c := &client{t: t, g: newGateway(t, Config{Targets: []Target{a.target()}})}
	pad := strings.Repeat("a", maxBody)
	w, _ := c.post(request(1, "tools/call", map[string]any{"name": "x", "arguments": map[string]string{"pad": pad}}), v2025...)
	if w.Code != http.StatusRequestEntityTooLarge {
		t.Fatalf("status %d, want 413", w.Code)
	}
	if n := len(a.seen("")); n != 0 {
		t.Fatalf("the target got %d requests", n)
	}
}

func TestPingLocal(t *testing.T) {
	a := startFake(t, &fakeServer{name: "a"})
	c := &client{t: t, g: newGateway(t, Config{Targets: []Target{a.target()}})}
	w, m := c.post(`{"jsonrpc":"2.0","id":"p","method":"ping"}`)
	if w.Code != http.StatusOK || m == nil || m.Error != nil || string(m.Result) != "{}" || string(m.ID) != `"p"` {
		t.Fatalf("ping: %d %+v", w.Code, m)
	}
	if n := len(a.seen("")); n != 0 {
		t.Fatalf("the target got %d requests", n)
	}
}

func TestBadRequests(t *testing.T) {
	a := startFake(t, &fakeServer{name: "a"})
	c := &client{t: t, g: newGateway(t, Config{Targets: []Target{a.target()}})}
	for body, code := range map[string]int{
		`[{"jsonrpc":"2.0","id":1,"method":"ping"}]`:  codeInvalidRequest,
		`{"jsonrpc":"2.0","id":null,"method":"ping"}`: codeInvalidRequest,
		`nope`: codeParseError,
	} {
		w, m := c.post(body)
		if w.Code != http.StatusBadRequest || m == nil || m.Error == nil || m.Error.Code != code {
			t.Fatalf("%s: %d %+v", body, w.Code, m)
		}
	}
	for _, method := range []string{http.MethodGet, http.MethodDelete, http.MethodPut} {
		w := httptest.NewRecorder()
		c.g.ServeHTTP(w, httptest.NewRequest(method, "/mcp", nil))
		if w.Code != http.StatusMethodNotAllowed {
			t.Fatalf("%s on a stateless gateway: %d", method, w.Code)
		}
	}
	if n := len(a.seen("")); n != 0 {
		t.Fatalf("the target got %d requests", n)
	}
}

func TestModernHeaders(t *testing.T) {
	a := startFake(t, &fakeServer{name: "a", tools: []string{"x", "ñ"}})
	b := startFake(t, &fakeServer{name: "b", tools: []string{"y"}})
	c := &client{t: t, g: newGateway(t, Config{Targets: []Target{a.target(), b.target()}})}
	modern := []string{"MCP-Protocol-Version", "2026-07-28", "Mcp-Method", "tools/call"}

	w, m := c.post(request(1, "tools/call", map[string]any{"name": "a_x"}), append(modern[:2:2], "Mcp-Method", "tools/list")...)
	if w.Code != http.StatusBadRequest || m == nil || m.Error == nil || m.Error.Code != codeHeaderMismatch {
		t.Fatalf("Mcp-Method differing: %d %+v", w.Code, m)
	}
	w, m = c.post(request(2, "tools/call", map[string]any{"name": "a_x"}), append(modern, "Mcp-Name", "b_y")...)
	if w.Code != http.StatusBadRequest || m == nil || m.Error == nil || m.Error.Code != codeHeaderMismatch {
		t.Fatalf("Mcp-Name differing: %d %+v", w.Code, m)
	}
	if n := len(a.seen("")) + len(b.seen("")); n != 0 {
		t.Fatalf("a mismatched request reached targets (%d)", n)
	}

	_, m = c.post(request(3, "tools/call", map[string]any{"name": "a_x"}), append(modern, "Mcp-Name", "a_x")...)
	if got := text(t, m); got != "a:x" {
		t.Fatalf("a modern call: %q", got)
	}
	_, m = c.post(request(4, "tools/call", map[string]any{"name": "a_ñ"}), append(modern, "Mcp-Name", headerValue("a_ñ"))...)
	if got := text(t, m); got != "a:ñ" {
		t.Fatalf("a modern call of a non-ASCII name: %q", got)
	}
	if n := len(a.seen("initialize")); n != 0 {
		t.Fatalf("%d initializes for a stateless-era client", n)
	}
	calls := a.seen("tools/call")
	want := []string{"x", headerValue("ñ")}
	for i, call := range calls {
		h := call.header
		if h.Get("Mcp-Method") != "tools/call" || h.Get("Mcp-Name") != want[i] || h.Get("Mcp-Protocol-Version") != "2026-07-28" {
			t.Fatalf("call %d: the target got Mcp-Method %q, Mcp-Name %q, version %q", i, h.Get("Mcp-Method"), h.Get("Mcp-Name"), h.Get("Mcp-Protocol-Version"))
		}
	}
}

func TestTargetStreams(t *testing.T) {
	a := startFake(t, &fakeServer{name: "a", tools: []string{"x"}, sse: true})
	c := &client{t: t, g: newGateway(t, Config{Targets: []Target{a.target()}})}
	w, m := c.post(request(1, "tools/call", map[string]any{"name": "x"}), v2025...)
	if ct := w.Header().Get("Content-Type"); ct != "text/event-stream" {
		t.Fatalf("a streamed answer came as %q", ct)
	}
	if !strings.Contains(w.Body.String(), "notifications/message") {
		t.Fatal("the target's notification was not relayed")
	}
	if got := text(t, m); got != "a:x" {
		t.Fatalf("answer %q", got)
	}
	// One target's list comes in the form the target chose (here a
	// stream), as it would directly.
	w, m = c.post(request(2, "tools/list", nil), v2025...)
	if got := toolNames(t, m); !reflect.DeepEqual(got, []string{"x"}) || w.Header().Get("Content-Type") != "text/event-stream" {
		t.Fatalf("list through a streaming target: %v (%s)", got, w.Header().Get("Content-Type"))
	}
}

func TestStatefulSession(t *testing.T) {
	a := startFake(t, &fakeServer{name: "a", tools: []string{"x"}, sessions: true})
	b := startFake(t, &fakeServer{name: "b", tools: []string{"y"}})
	key := testKey(9)
	cfg := Config{Targets: []Target{a.target(), b.target()}, Stateful: true, SessionKey: key}
	c := &client{t: t, g: newGateway(t, cfg)}
	w, m := c.post(request(1, "initialize", map[string]any{"protocolVersion": "2025-06-18", "capabilities": map[string]any{},
		"clientInfo": map[string]string{"name": "t", "version": "1"}}))
	if m == nil || m.Error != nil {
		t.Fatalf("initialize: %+v", m)
	}
	sid := w.Header().Get("Mcp-Session-Id")
	rec, ok := c.g.sealer.open(sid)
	if !ok || rec.Version != "2025-06-18" || len(rec.Targets) != 2 || rec.Targets[0].ID != "a-session-1" || rec.Targets[1].ID != "" {
		t.Fatalf("the session holds %+v (%v)", rec, ok)
	}
	var init struct {
		ServerInfo struct{ Name string } `json:"serverInfo"`
	}
	_ = json.Unmarshal(m.Result, &init)
	if init.ServerInfo.Name != "gw" {
		t.Fatalf("merged serverInfo %q", init.ServerInfo.Name)
	}

	_, m = c.post(request(2, "tools/call", map[string]any{"name": "a_x"}), "Mcp-Session-Id", sid, "MCP-Protocol-Version", "2025-06-18")
	if got := text(t, m); got != "a:x" {
		t.Fatalf("a call in the session: %q", got)
	}
	if calls := a.seen("tools/call"); calls[0].header.Get("Mcp-Session-Id") != "a-session-1" {
		t.Fatalf("target a got session %q", calls[0].header.Get("Mcp-Session-Id"))
	}
	if n := len(a.seen("initialize")); n != 1 {
		t.Fatalf("%d initializes at a", n)
	}

	w, _ = c.post(request(3, "tools/list", nil))
	if w.Code != http.StatusBadRequest {
		t.Fatalf("no session id: %d", w.Code)
	}
	w, _ = c.post(request(4, "tools/list", nil), "Mcp-Session-Id", sid[:len(sid)-2]+"AA")
	if w.Code != http.StatusNotFound {
		t.Fatalf("a forged session id: %d", w.Code)
	}
	cfg.Name = "other"
	other := &client{t: t, g: newGateway(t, cfg)}
	if w, _ = other.post(request(5, "tools/list", nil), "Mcp-Session-Id", sid); w.Code != http.StatusNotFound {
		t.Fatalf("a session of another gateway: %d", w.Code)
	}

	r := httptest.NewRequest(http.MethodDelete, "/mcp", nil)
	r.Header.Set("Mcp-Session-Id", sid)
	dw := httptest.NewRecorder()
	c.g.ServeHTTP(dw, r)
	if dw.Code != http.StatusNoContent {
		t.Fatalf("DELETE: %d", dw.Code)
	}
	eventually(t, "the DELETE at a", func() bool { d := a.deleted(); return len(d) == 1 && d[0] == "a-session-1" })
	if n := len(b.deleted()); n != 0 {
		t.Fatalf("b, without a session, got %d DELETEs", n)
	}
}

// A message that is not JSON (a browser's form or text/plain post) is
// refused before it is read; a body that trickles in is cut at
// BodyTimeout. Neither reaches the target.
func TestBodyRefused(t *testing.T) {
	a := startFake(t, &fakeServer{name: "a", tools: []string{"x"}})
	g := newGateway(t, Config{Targets: []Target{a.target()}, BodyTimeout: 200 * time.Millisecond})
	c := &client{t: t, g: g, header: http.Header{"Content-Type": {"text/plain"}}}
	if w, _ := c.post(request(1, "tools/list", nil), v2025...); w.Code != http.StatusUnsupportedMediaType {
		t.Fatalf("text/plain: %d, want 415", w.Code)
	}
	srv := httptest.NewServer(g)
	defer srv.Close()
	conn, err := net.Dial("tcp", srv.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	_, _ = fmt.Fprintf(conn, "POST /mcp HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"jsonrpc\":")
	_ = conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("no answer to a trickling body within 5s: %v", err)
	}
	if resp.StatusCode != http.StatusRequestTimeout {
		t.Fatalf("a trickling body: %d, want 408", resp.StatusCode)
	}
	if n := len(a.seen("")); n != 0 {
		t.Fatalf("the target got %d requests", n)
	}
}
