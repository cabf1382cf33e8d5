package mcp

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strings"
)

// modernEra is the first protocol version without sessions.
const modernEra = "2026-07-28"

// knownVersions are the protocol versions the gateway knows, newest first;
// gateway-made answers are cached only for these.
var knownVersions = []string{"2026-07-28", "2025-11-25", "2025-06-18", "2025-03-26", "2024-11-05"}

func known(v string) bool {
	for _, k := range knownVersions {
		if k == v {
			return true
		}
	}
	return false
}

// modernRequest reports whether a request is of the stateless era: its
// MCP-Protocol-Version header, or the version in its _meta, is 2026-07-28
// or later. (initialize is always of the session era.)
func modernRequest(r *http.Request, m *message) bool {
	if m != nil && m.Method == "initialize" {
		return false
	}
	if v := r.Header.Get("MCP-Protocol-Version"); v != "" {
		return v >= modernEra
	}
	return m != nil && metaVersion(m) >= modernEra
}

// metaVersion is the protocol version a 2026-07-28 request carries in its
// _meta.
func metaVersion(m *message) string {
	p, err := paramsOf(m)
	if err != nil {
		return ""
	}
	var v string
	_ = json.Unmarshal(p.meta()["io.modelcontextprotocol/protocolVersion"], &v)
	return v
}

// namedBy is the params field that Mcp-Name mirrors for a method.
func namedBy(method string) string {
	switch method {
	case "tools/call", "prompts/get":
		return "name"
	case "resources/read", "resources/subscribe", "resources/unsubscribe":
		return "uri"
	}
	return ""
}

// headerMismatch checks a 2026-07-28 request's Mcp-Method and Mcp-Name
// against its body. The gateway routes and authorizes by the body; a
// header saying otherwise could mislead whatever reads headers (a policy
// in front, the target), so the mismatch is refused as the spec asks a
// server to.
func headerMismatch(r *http.Request, m *message) (string, bool) {
	if h := r.Header.Get("Mcp-Method"); h != "" && m.Method != "" && h != m.Method {
		return "Mcp-Method " + h + " does not match the body's method " + m.Method, false
	}
	field := namedBy(m.Method)
	h, has := r.Header["Mcp-Name"]
	if field == "" || !has || len(h) == 0 {
		return "", true
	}
	p, err := paramsOf(m)
	if err != nil {
		return "", true
	}
	if v, ok := decodeHeaderValue(h[0]); !ok || v != p.str(field) {
		return "Mcp-Name does not match the body's params." + field, false
	}
	return "", true
}

// headerValue encodes a name for Mcp-Name: as it is when it is printable
// ASCII, else in the =?base64?...?= form.
func headerValue(s string) string {
	plain := true
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] > 0x7e {
			plain = false
			break
		}
	}
	if plain && !strings.HasPrefix(s, "=?base64?") && strings.TrimSpace(s) == s {
		return s
	}
	return "=?base64?" + base64.StdEncoding.EncodeToString([]byte(s)) + "?="
}

func decodeHeaderValue(h string) (string, bool) {
	if strings.HasPrefix(h, "=?base64?") && strings.HasSuffix(h, "?=") {
		b, err := base64.StdEncoding.DecodeString(h[len("=?base64?") : len(h)-2])
		return string(b), err == nil
	}
	return h, true
}

// notForwarded are the client's headers that never reach a target: the
// transport's own, those the gateway sets per target (session, version,
// the request's method and name), and a browser's, which would make a
// target's own Origin check see a page the gateway already admitted.
var notForwarded = map[string]bool{
	"Connection": true, "Keep-Alive": true, "Proxy-Authorization": true, "Proxy-Authenticate": true,
	"Proxy-Connection": true, "Te": true, "Trailer": true, "Transfer-Encoding": true, "Upgrade": true,
	"Host": true, "Content-Length": true, "Content-Type": true, "Accept": true, "Accept-Encoding": true,
	"Mcp-Session-Id": true, "Mcp-Protocol-Version": true, "Mcp-Method": true, "Mcp-Name": true,
	"Last-Event-Id": true, "Origin": true, "Referer": true, "Cookie": true,
}

// forwardable are the client's headers that may reach targets. As on
// agentgateway, a target without a credential of its own receives the
// client's Authorization (validate's mcp-auth-forwarded warns of it); a
// target with one gets its own instead (Gateway.headers).
func forwardable(h http.Header) http.Header {
	out := http.Header{}
	for k, vs := range h {
		if notForwarded[k] || strings.HasPrefix(k, "Sec-") {
			continue
		}
		out[k] = vs
	}
	return out
}
