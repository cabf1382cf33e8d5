package proxy

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"slices"
	"strconv"
	"strings"
)

// origin is a web origin: scheme, host and port (the scheme's default when
// the origin has none), lower case. In a CORS policy's list the host may be
// "*" or start with "*." (the Gateway API's wildcards).
type origin struct {
	scheme, host, port string
}

func defaultPort(scheme string) string {
	switch scheme {
	case "http", "ws":
		return "80"
	case "https", "wss":
		return "443"
	}
	return ""
}

// parseOrigin reads scheme://host[:port].
func parseOrigin(s string) (origin, error) {
	scheme, rest, ok := strings.Cut(s, "://")
	if !ok || !validScheme(scheme) {
		return origin{}, errors.New("want scheme://host[:port], e.g. http://localhost:3000")
	}
	if rest == "" || strings.ContainsAny(rest, "/?#@ \t") {
		return origin{}, errors.New("an origin is scheme://host[:port], with no path, query or user (no trailing slash)")
	}
	host, port := rest, ""
	if i := strings.LastIndexByte(rest, ':'); i > strings.LastIndexByte(rest, ']') {
		h, p, err := net.SplitHostPort(rest)
		if err != nil {
			return origin{}, err
		}
		if n, err := strconv.Atoi(p); err != nil || n < 1 || n > 65535 {
			return origin{}, fmt.Errorf("port %q is not a number from 1 to 65535", p)
		}
		host, port = h, strings.TrimLeft(p, "0")
	}
	host = strings.TrimSuffix(strings.TrimPrefix(host, "["), "]")
	if host == "" {
		return origin{}, errors.New("the origin has no host")
	}
	scheme = strings.ToLower(scheme)
	if port == "" {
		port = defaultPort(scheme)
	}
	return origin{scheme: scheme, host: strings.ToLower(host), port: port}, nil
}

func validScheme(s string) bool {
	if s == "" || !('a' <= s[0] && s[0] <= 'z' || 'A' <= s[0] && s[0] <= 'Z') {
		return false
	}
	for _, c := range []byte(s) {
		alnum := 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9'
		if !alnum && c != '+' && c != '-' && c != '.' {
			return false
		}
	}
	return true
}

// matches reports whether o is allowed by pattern p: same scheme and port,
// and the same host or one under a wildcard ("*" any host, "*.example.com"
// any number of labels before example.com).
func (p origin) matches(o origin) bool {
	if p.scheme != o.scheme || p.port != o.port {
		return false
	}
	return p.host == "*" || hostnameMatches(p.host, o.host)
}

// corsPolicy is a CORS policy as the Gateway API's HTTPCORSFilter says it
// (the same fields in kgateway's TrafficPolicy and agentgateway's
// AgentgatewayPolicy), or the one --allow-origin makes.
type corsPolicy struct {
	// anyOrigin is "*" (never Origin: null); null is "null", which only
	// --allow-origin can say.
	anyOrigin, null bool
	origins         []origin
	credentials     bool
	// methods, headers and expose may hold "*".
	methods, headers, expose []string
	maxAge                   int
	// disabled is kgateway's disable: no CORS here, whatever a wider
	// policy says.
	disabled bool
	// source names the policy in messages.
	source string
}

// selfPolicy stands for a same-origin request: allowed, and its preflight
// (which browsers do not send) answered with what it asks.
var selfPolicy = &corsPolicy{methods: []string{"*"}, headers: []string{"*"}, maxAge: 5, source: "same origin"}

func (p *corsPolicy) allows(o origin) bool {
	if p.disabled {
		return false
	}
	if p.anyOrigin {
		return true
	}
	for _, q := range p.origins {
		if q.matches(o) {
			return true
		}
	}
	return false
}

// allowOrigin is the Access-Control-Allow-Origin for raw: "*" for a
// wildcard policy without credentials, else the origin itself.
func (p *corsPolicy) allowOrigin(raw string) string {
	if p.anyOrigin && !p.credentials {
		return "*"
	}
	return raw
}

// safelisted methods are allowed whatever allowMethods says (Fetch).
func (p *corsPolicy) allowsMethod(m string) bool {
	return m == http.MethodGet || m == http.MethodHead || m == http.MethodPost || slices.Contains(p.methods, "*") || slices.Contains(p.methods, m)
}

func (p *corsPolicy) allowsHeader(h string) bool {
	if slices.Contains(p.headers, "*") {
		return true
	}
	return slices.ContainsFunc(p.headers, func(a string) bool { return strings.EqualFold(a, h) })
}

// preflight answers a preflight from an allowed origin: 204 with the
// methods, headers and max age the policy gives, or 403 when the method or
// a header the request announces is not among them.
func (p *corsPolicy) preflight(w http.ResponseWriter, r *http.Request, raw string) {
	method := r.Header.Get("Access-Control-Request-Method")
	if !p.allowsMethod(method) {
		refuse(w, http.StatusForbidden, fmt.Sprintf("preflight refused: method %s is not among the CORS policy's allowMethods (%s)", method, p.source))
		return
	}
	var asked []string
	for _, v := range r.Header.Values("Access-Control-Request-Headers") {
		for h := range strings.SplitSeq(v, ",") {
			if h = strings.TrimSpace(h); h != "" {
				asked = append(asked, h)
			}
		}
	}
	for _, h := range asked {
		if !p.allowsHeader(h) {
			refuse(w, http.StatusForbidden, fmt.Sprintf("preflight refused: header %s is not among the CORS policy's allowHeaders (%s)", h, p.source))
			return
		}
	}
	hd := w.Header()
	hd.Set("Access-Control-Allow-Origin", p.allowOrigin(raw))
	if p.credentials {
		hd.Set("Access-Control-Allow-Credentials", "true")
	}
	switch {
	case slices.Contains(p.methods, "*"):
		// The method asked: a "*" is no wildcard for a credentialed request.
		hd.Set("Access-Control-Allow-Methods", method)
	case len(p.methods) > 0:
		hd.Set("Access-Control-Allow-Methods", strings.Join(p.methods, ", "))
	}
	switch {
	case slices.Contains(p.headers, "*"):
		if len(asked) > 0 {
			hd.Set("Access-Control-Allow-Headers", strings.Join(asked, ", "))
		}
	case len(p.headers) > 0:
		hd.Set("Access-Control-Allow-Headers", strings.Join(p.headers, ", "))
	}
	maxAge := p.maxAge
	if maxAge <= 0 {
		maxAge = 5 // the Gateway API's default
	}
	hd.Set("Access-Control-Max-Age", strconv.Itoa(maxAge))
	hd.Add("Vary", "Origin, Access-Control-Request-Method, Access-Control-Request-Headers")
	w.WriteHeader(http.StatusNoContent)
}

// corsWriter gives an allowed cross-origin request's response the policy's
// headers, in place of any CORS headers the upstream sent.
type corsWriter struct {
	http.ResponseWriter
	pol    *corsPolicy
	origin string
	done   bool
}

func (w *corsWriter) apply() {
	if w.done {
		return
	}
	w.done = true
	h := w.Header()
	for k := range h {
		if strings.HasPrefix(k, "Access-Control-") {
			delete(h, k)
		}
	}
	h.Set("Access-Control-Allow-Origin", w.pol.allowOrigin(w.origin))
	if w.pol.credentials {
		h.Set("Access-Control-Allow-Credentials", "true")
	}
	if len(w.pol.expose) > 0 {
		h.Set("Access-Control-Expose-Headers", strings.Join(w.pol.expose, ", "))
	}
	h.Add("Vary", "Origin")
}

func (w *corsWriter) WriteHeader(code int) {
	w.apply()
	w.ResponseWriter.WriteHeader(code)
}

func (w *corsWriter) Write(b []byte) (int, error) {
	w.apply()
	return w.ResponseWriter.Write(b)
}

func (w *corsWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// flagPolicy is the policy of --allow-origin's values: those origins ("*"
// any, "null" Origin: null, wildcard hosts as the Gateway API's) may call
// every route with any method and header and read every response header;
// no credentials (the gateway uses no cookies). Preflights are cached 5s.
func flagPolicy(values []string) (*corsPolicy, error) {
	if len(values) == 0 {
		return nil, nil
	}
	p := &corsPolicy{methods: []string{"*"}, headers: []string{"*"}, expose: []string{"*"}, maxAge: 5, source: "--allow-origin"}
	for _, v := range values {
		switch v {
		case "*":
			p.anyOrigin = true
		case "null":
			p.null = true
		default:
			o, err := parseOrigin(v)
			if err != nil {
				return nil, fmt.Errorf("--allow-origin %s: %w", v, err)
			}
			p.origins = append(p.origins, o)
		}
	}
	return p, nil
}
