package mcp

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestHeaderMismatch(t *testing.T) {
	call := `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"%s"}}`
	read := `{"jsonrpc":"2.0","id":1,"method":"resources/read","params":{"uri":"file:///a"}}`
	tests := []struct {
		name   string
		body   string
		header map[string]string
		ok     bool
	}{
		{"no headers", call, nil, true},
		{"method agrees", call, map[string]string{"Mcp-Method": "tools/call"}, true},
		{"method differs", call, map[string]string{"Mcp-Method": "tools/list"}, false},
		{"name agrees", call, map[string]string{"Mcp-Method": "tools/call", "Mcp-Name": "x"}, true},
		{"name differs", call, map[string]string{"Mcp-Name": "y"}, false},
		{"empty name differs", call, map[string]string{"Mcp-Name": ""}, false},
		{"uri agrees", read, map[string]string{"Mcp-Name": "file:///a"}, true},
		{"uri differs", read, map[string]string{"Mcp-Name": "file:///b"}, false},
		{"base64 name agrees", strings.Replace(call, "%s", "ñ tool", 1), map[string]string{"Mcp-Name": headerValue("ñ tool")}, true},
		{"base64 name differs", strings.Replace(call, "%s", "ñ tool", 1), map[string]string{"Mcp-Name": headerValue("ñ other")}, false},
		{"broken base64", call, map[string]string{"Mcp-Name": "=?base64?!!!?="}, false},
		{"name on a method without one", `{"jsonrpc":"2.0","id":1,"method":"tools/list"}`, map[string]string{"Mcp-Name": "whatever"}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body := strings.Replace(tt.body, "%s", "x", 1)
			m, perr := parseMessage([]byte(body))
			if perr != nil {
				t.Fatal(perr)
			}
			r := httptest.NewRequest(http.MethodPost, "/mcp", nil)
			for k, v := range tt.header {
				r.Header.Set(k, v)
			}
			msg, ok := headerMismatch(r, m)
			if ok != tt.ok {
				t.Fatalf("ok = %v (%q), want %v", ok, msg, tt.ok)
			}
			if !ok && msg == "" {
				t.Fatal("a mismatch without a reason")
			}
		})
	}
}

func TestHeaderValueRoundTrip(t *testing.T) {
	for _, s := range []string{"", "get_weather", "a b", "ñandú", "工具", "emoji 🎉", " lead", "trail ", "tab\there", "new\nline", "=?base64?looks-encoded?=", "\x7f", "\xff\xfe"} {
		h := headerValue(s)
		for i := 0; i < len(h); i++ {
			if h[i] < 0x20 || h[i] > 0x7e {
				t.Fatalf("headerValue(%q) = %q: not printable ASCII", s, h)
			}
		}
		got, ok := decodeHeaderValue(h)
		if !ok || got != s {
			t.Fatalf("decodeHeaderValue(headerValue(%q)) = %q, %v", s, got, ok)
		}
	}
	if h := headerValue("plain_name"); h != "plain_name" {
		t.Fatalf("a plain name is encoded: %q", h)
	}
	if h := headerValue("ñ"); !strings.HasPrefix(h, "=?base64?") || !strings.HasSuffix(h, "?=") {
		t.Fatalf("a non-ASCII name is not in the base64 form: %q", h)
	}
	if _, ok := decodeHeaderValue("=?base64?%%%?="); ok {
		t.Fatal("invalid base64 decodes")
	}
}

func TestForwardable(t *testing.T) {
	h := http.Header{}
	for _, k := range []string{"Connection", "Keep-Alive", "Proxy-Authorization", "Te", "Trailer", "Transfer-Encoding", "Upgrade",
		"Host", "Content-Length", "Content-Type", "Accept", "Accept-Encoding",
		"Cookie", "Origin", "Referer", "Last-Event-Id",
		"Mcp-Session-Id", "Mcp-Protocol-Version", "Mcp-Method", "Mcp-Name",
		"Sec-Fetch-Site", "Sec-Websocket-Key", "Sec-Ch-Ua"} {
		h.Set(k, "v")
	}
	h.Set("Authorization", "Bearer client")
	h.Set("X-Request-Id", "r1")
	h.Add("X-Multi", "1")
	h.Add("X-Multi", "2")
	h.Set("User-Agent", "ua")
	got := forwardable(h)
	want := http.Header{"Authorization": {"Bearer client"}, "X-Request-Id": {"r1"}, "X-Multi": {"1", "2"}, "User-Agent": {"ua"}}
	if len(got) != len(want) {
		t.Fatalf("forwardable = %v, want %v", got, want)
	}
	for k, vs := range want {
		if strings.Join(got[k], ",") != strings.Join(vs, ",") {
			t.Fatalf("%s = %v, want %v", k, got[k], vs)
		}
	}
}

func TestModernRequest(t *testing.T) {
	r := httptest.NewRequest(http.MethodPost, "/mcp", nil)
	list, _ := parseMessage([]byte(`{"jsonrpc":"2.0","id":1,"method":"tools/list"}`))
	meta, _ := parseMessage([]byte(`{"jsonrpc":"2.0","id":1,"method":"tools/list","params":{"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28"}}}`))
	init, _ := parseMessage([]byte(`{"jsonrpc":"2.0","id":1,"method":"initialize"}`))
	if modernRequest(r, list) {
		t.Error("no version: modern")
	}
	if !modernRequest(r, meta) {
		t.Error("the _meta version is not read")
	}
	r.Header.Set("MCP-Protocol-Version", "2026-07-28")
	if !modernRequest(r, list) {
		t.Error("the header version is not read")
	}
	if modernRequest(r, init) {
		t.Error("initialize is modern")
	}
	r.Header.Set("MCP-Protocol-Version", "2025-06-18")
	if modernRequest(r, meta) {
		t.Error("the header does not win over _meta")
	}
}
