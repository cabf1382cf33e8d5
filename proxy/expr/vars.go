package expr

import (
	"encoding/json"
	"math"
	"net"
	"net/http"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Vars holds the values of the top-level variables for one request. A
// variable that was never set (apiKey for a caller without a key) is an
// empty map: reading a field of it is a "no such key" error and has() is
// false, as in agentgateway, where the absent claims have no fields
// (cel/types.rs ExtensionOrDirect::field returns None). One difference:
// agentgateway materialises an absent apiKey/jwt as null, so `apiKey == null`
// is true there and false here.
type Vars struct {
	request map[string]any
	source  map[string]any
	apiKey  map[string]any
	jwt     map[string]any
	llm     map[string]any
	mcp     map[string]any
}

// NewVars captures r's method, path, host and headers and the client address
// source ("ip:port"). Call it after credentials were stripped from r: the
// rules agentgateway evaluates see the request without them.
func NewVars(r *http.Request, source string) *Vars {
	return &Vars{request: requestVars(r), source: sourceVars(source)}
}

// SetAPIKey exposes an authenticated key's metadata as apiKey.<field>.
// agentgateway flattens the metadata next to the key (apikey.rs Claims) and
// answers apiKey.key with "<redacted>" unless .unredacted() is called, which
// serve does not support; so apiKey.key is always "<redacted>" here.
func (v *Vars) SetAPIKey(metadata map[string]any) {
	m := normalizeMap(metadata)
	m["key"] = "<redacted>"
	v.apiKey = m
}

// SetJWT exposes verified token claims as jwt.<claim>. agentgateway also has
// jwt.rawToken (redacted); it is not exposed here, so a rule using it fails
// with "no such key", which denies.
func (v *Vars) SetJWT(claims map[string]any) { v.jwt = normalizeMap(claims) }

// SetLLM exposes the llm variable (request model, ...) for rules the proxy
// evaluates after it parsed the body.
func (v *Vars) SetLLM(m map[string]any) { v.llm = normalizeMap(m) }

// SetMCP exposes what an MCP call names, as agentgateway's mcp variable:
// {"tool": {"name": ..., "target": ...}} (or prompt, resource).
func (v *Vars) SetMCP(m map[string]any) { v.mcp = m }

// APIKey returns the apiKey variable (nil when unset).
func (v *Vars) APIKey() map[string]any { return v.apiKey }

// JWT returns the jwt variable (nil when unset).
func (v *Vars) JWT() map[string]any { return v.jwt }

func (v *Vars) activation() map[string]any {
	orEmpty := func(m map[string]any) map[string]any {
		if m == nil {
			return map[string]any{}
		}
		return m
	}
	return map[string]any{
		"request": orEmpty(v.request),
		"source":  orEmpty(v.source),
		"apiKey":  orEmpty(v.apiKey),
		"jwt":     orEmpty(v.jwt),
		"llm":     orEmpty(v.llm),
		"mcp":     orEmpty(v.mcp),
	}
}

func requestVars(r *http.Request) map[string]any {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	requestURI := r.URL.RequestURI()
	version := "HTTP/1.1"
	switch r.ProtoMajor {
	case 2:
		version = "HTTP/2"
	case 3:
		version = "HTTP/3"
	case 1:
		if r.ProtoMinor == 0 {
			version = "HTTP/1.0"
		}
	}
	return map[string]any{
		"method":       r.Method,
		"path":         r.URL.EscapedPath(),
		"pathAndQuery": requestURI,
		"uri":          scheme + "://" + r.Host + requestURI,
		"host":         r.Host,
		"scheme":       scheme,
		"version":      version,
		"headers":      headerVars(r),
	}
}

// headerVars mirrors agentgateway's default header view (types.rs Headers,
// HeadersMode::First): lower-case names; one value is a string, several are
// a list of strings; a header with a value that is not UTF-8 is absent.
func headerVars(r *http.Request) map[string]any {
	out := make(map[string]any, len(r.Header)+1)
	for name, values := range r.Header {
		if len(values) == 0 || !allUTF8(values) {
			continue
		}
		key := strings.ToLower(name)
		if len(values) == 1 {
			out[key] = values[0]
			continue
		}
		list := make([]any, len(values))
		for i, s := range values {
			list[i] = s
		}
		out[key] = list
	}
	// net/http moves Host out of the header map; agentgateway sees it
	// among the HTTP/1 headers (HTTP/2 carries :authority instead).
	if r.ProtoMajor < 2 && r.Host != "" {
		out["host"] = r.Host
	}
	return out
}

func allUTF8(values []string) bool {
	for _, s := range values {
		if !utf8.ValidString(s) {
			return false
		}
	}
	return true
}

// sourceVars splits "ip:port". agentgateway's source.address is the peer IP
// and source.port its port; rawAddress/rawPort are the same absent a PROXY
// protocol header, which serve does not accept.
func sourceVars(source string) map[string]any {
	host, port, err := net.SplitHostPort(source)
	if err != nil {
		host, port = source, ""
	}
	m := map[string]any{"address": host, "rawAddress": host}
	if p, err := strconv.ParseUint(port, 10, 16); err == nil {
		m["port"] = int64(p)
		m["rawPort"] = int64(p)
	}
	return m
}

// normalizeMap deep-copies JSON-decoded values so numbers behave as in
// agentgateway, whose serde_json→CEL conversion keeps integers as int:
// encoding/json decodes every number as float64, which would make
// `jwt.exp > 5` and rate-limit descriptor strings ("5" vs "5.0") differ.
// An integral float64 becomes int64 (a 1.0 in the source JSON thus becomes
// 1, where serde_json would keep a double; rare in claims and metadata).
func normalizeMap(m map[string]any) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = normalize(v)
	}
	return out
}

func normalize(v any) any {
	switch x := v.(type) {
	case map[string]any:
		return normalizeMap(x)
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = normalize(e)
		}
		return out
	case []string:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = e
		}
		return out
	case float64:
		if x == math.Trunc(x) && x >= math.MinInt64 && x < math.MaxInt64 {
			return int64(x)
		}
		return x
	case json.Number:
		if i, err := x.Int64(); err == nil {
			return i
		}
		if f, err := x.Float64(); err == nil {
			return f
		}
		return x.String()
	case int:
		return int64(x)
	case int32:
		return int64(x)
	case float32:
		return normalize(float64(x))
	}
	return v
}
