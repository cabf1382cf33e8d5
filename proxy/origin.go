package proxy

import (
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"strings"

	gwv1 "sigs.k8s.io/gateway-api/apis/v1"

	"github.com/kubelb-ai/kubelb-ai/dataplane"
)

// Loopback is not a trust boundary: a web page in the user's browser can
// send requests to 127.0.0.1, either cross-origin (a form, a text/plain
// fetch: CSRF) or same-origin under a name of its own that it re-points at
// 127.0.0.1 (DNS rebinding). Either would spend the keys serve injects. So
// every request passes an edge check before it is routed:
//
//   - On a listener bound to a loopback address, the Host header must name
//     loopback (localhost, 127.x.x.x, [::1], any port), a hostname of the
//     manifests (the Gateway listener's hostname, the attached HTTPRoutes'
//     hostnames, wildcards as the Gateway API matches them) or a host the
//     user opened (--allow-host); any other is refused with 421 Misdirected
//     Request. A listener bound elsewhere (0.0.0.0, a LAN address) is a
//     cluster gateway: the Host only routes.
//   - A request with an Origin header is refused with 403 unless the
//     origin is the listener itself, or the route's CORS policy in the
//     manifests or --allow-origin allows it. Origin: null is refused unless
//     --allow-origin null.
//   - Preflights (OPTIONS with Access-Control-Request-Method) are answered
//     here and never sent upstream; so is any OPTIONS to an AI backend,
//     which has a key to spend and nothing to say to it.
//
// The path is normalised (normalizePath) in between.

// edge is the Host and Origin rule of one listener (or of the admin
// address).
type edge struct {
	// addr is the address the listener is bound to; loopback says whether
	// it is a loopback address (then the Host is checked).
	addr     string
	loopback bool
	// names are the hostnames the manifests and --allow-host add to
	// loopback's, lower case, "*.example.com" a wildcard; anyHost is
	// --allow-host '*'.
	names   []string
	anyHost bool
	// flags are --allow-origin's origins (nil: none); rules the manifests'
	// CORS policies, by route rule (none: no entry).
	flags *corsPolicy
	rules map[ruleKey]*corsPolicy
}

type ruleKey struct {
	route *gwv1.HTTPRoute
	rule  int
}

// at is e for a listener bound to addr.
func (e *edge) at(addr string) *edge {
	c := edge{}
	if e != nil {
		c = *e
	}
	c.addr, c.loopback = addr, Loopback(addr)
	return &c
}

// Loopback reports whether a listen address is a loopback one
// (127.0.0.0/8, ::1, localhost); an empty host (all interfaces) is not.
func Loopback(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		host = addr
	}
	return isLoopbackName(strings.ToLower(host))
}

func isLoopbackName(host string) bool {
	if host == "localhost" {
		return true
	}
	ip, err := netip.ParseAddr(host)
	return err == nil && ip.Unmap().IsLoopback()
}

// hostName is the host of a Host header: lower case, without port,
// brackets or a final dot.
func hostName(hostport string) string {
	h := strings.ToLower(hostport)
	if host, _, err := net.SplitHostPort(h); err == nil {
		h = host
	}
	h = strings.TrimSuffix(strings.TrimPrefix(h, "["), "]")
	return strings.TrimSuffix(h, ".")
}

// hostnameMatches reports whether name matches a Gateway API hostname: the
// same, or under a wildcard's domain by one or more labels.
func hostnameMatches(pattern, name string) bool {
	if suffix, ok := strings.CutPrefix(pattern, "*"); ok {
		return strings.HasSuffix(name, suffix) && len(name) > len(suffix)
	}
	return pattern == name
}

// named reports whether host (without port) is one the gateway answers to
// anywhere: loopback, the manifests' hostnames, --allow-host.
func (e *edge) named(host string) bool {
	if e.anyHost || isLoopbackName(host) {
		return true
	}
	for _, n := range e.names {
		if hostnameMatches(n, host) {
			return true
		}
	}
	return false
}

// admitsHost reports whether the listener answers a request for hostport.
// Browsers always send a Host; a request without one is no web page's.
func (e *edge) admitsHost(hostport string) bool {
	return !e.loopback || hostport == "" || e.named(hostName(hostport))
}

func (e *edge) refuseHost(w http.ResponseWriter, hostport string) {
	name := hostName(hostport)
	refuse(w, http.StatusMisdirectedRequest, fmt.Sprintf("Host %q is not served here: this listener is bound to loopback (%s) and answers only "+
		"localhost, 127.0.0.1, [::1] and the manifests' hostnames, so that a web page cannot reach it by DNS rebinding. "+
		"If %s is yours, start serve with --allow-host %s (or give the Gateway listener or the HTTPRoute that hostname)", hostport, e.addr, name, name))
}

// sameOrigin reports whether origin o is the listener itself as the
// request reached it: the Host's name and port. The name must be one the
// gateway answers to, or an IP address: a rebinding page's name is neither,
// on any listener.
func (e *edge) sameOrigin(o origin, hostport string) bool {
	host, port := hostport, ""
	if h, p, err := net.SplitHostPort(hostport); err == nil {
		host, port = h, p
	}
	host = hostName(host)
	if _, err := netip.ParseAddr(host); host != o.host || (!e.named(host) && err != nil) {
		return false
	}
	if port == "" {
		return o.port == defaultPort(o.scheme)
	}
	return port == o.port
}

// checkOrigin decides a request's Origin header: the policy that allows
// it (self for the listener itself), or why not.
func (e *edge) checkOrigin(raw, hostport string, route *gwv1.HTTPRoute, pol *corsPolicy) (*corsPolicy, string) {
	if raw == "null" {
		if e.flags != nil && e.flags.null {
			return e.flags, ""
		}
		return nil, "a request with Origin: null (a sandboxed frame, a file: page, a redirect) is refused: any web site can send one. " +
			"To accept it from every such page, start serve with --allow-origin null"
	}
	o, err := parseOrigin(raw)
	if err != nil {
		return nil, fmt.Sprintf("Origin %q is not an origin: %v", raw, err)
	}
	if e.sameOrigin(o, hostport) {
		return selfPolicy, ""
	}
	if pol != nil && pol.allows(o) {
		return pol, ""
	}
	if e.flags != nil && e.flags.allows(o) {
		return e.flags, ""
	}
	msg := fmt.Sprintf("cross-origin request from %s refused: a web page could spend this gateway's keys. ", raw)
	if pol != nil {
		msg += fmt.Sprintf("The CORS policy of HTTPRoute %s/%s (%s) does not allow this origin. ", route.Namespace, route.Name, pol.source)
	}
	msg += "If the page is yours, start serve with --allow-origin " + raw
	if route != nil {
		msg += ", or allow it in the route's CORS policy (an HTTPRoute CORS filter, a TrafficPolicy's cors, an AgentgatewayPolicy's traffic.cors)"
	}
	return nil, msg
}

// screen applies the Origin rule to a request already past the Host
// check, for route's rule (route nil: none matched). It answers refusals
// and preflights itself (ok false); otherwise it returns w, which adds the
// CORS response headers to a cross-origin request's response.
func (e *edge) screen(w http.ResponseWriter, r *http.Request, route *gwv1.HTTPRoute, pol *corsPolicy) (http.ResponseWriter, bool) {
	raw := r.Header.Get("Origin")
	if raw == "" {
		return w, true
	}
	allowed, why := e.checkOrigin(raw, r.Host, route, pol)
	if allowed == nil {
		refuse(w, http.StatusForbidden, why)
		return nil, false
	}
	if isPreflight(r) {
		allowed.preflight(w, r, raw)
		return nil, false
	}
	if allowed == selfPolicy {
		return w, true // a same-origin response needs no CORS headers
	}
	return &corsWriter{ResponseWriter: w, pol: allowed, origin: raw}, true
}

func isPreflight(r *http.Request) bool {
	return r.Method == http.MethodOptions && r.Header.Get("Origin") != "" && r.Header.Get("Access-Control-Request-Method") != ""
}

// admit is a listener's edge check, before the route's limits, filters and
// backend: the Host, the path, the route, the Origin. It answers the
// requests it refuses or that are no backend's (preflights, OPTIONS to an
// AI backend, no route) and returns ok false for them; otherwise the
// request with its normalised path, its route and rule, and w carrying the
// CORS headers the route's policy says.
func (e *edge) admit(w http.ResponseWriter, r *http.Request, router *Router, ex *exchange) (_ http.ResponseWriter, _ *http.Request, _ *gwv1.HTTPRoute, _ int, ok bool) {
	if !e.admitsHost(r.Host) {
		e.refuseHost(w, r.Host)
		return nil, nil, nil, 0, false
	}
	r, err := withNormalPath(r)
	if err != nil {
		refuse(w, http.StatusBadRequest, err.Error())
		return nil, nil, nil, 0, false
	}
	// A preflight is routed as the request it announces would be.
	match := r
	if isPreflight(r) {
		match = r.WithContext(r.Context())
		match.Method = r.Header.Get("Access-Control-Request-Method")
	}
	route, rule, found := router.Match(match)
	var pol *corsPolicy
	if found {
		ex.set(func(x *exchange) { x.route = route.Namespace + "/" + route.Name })
		pol = e.rules[ruleKey{route, rule}]
	} else {
		route = nil
	}
	w, ok = e.screen(w, r, route, pol)
	if !ok {
		return nil, nil, nil, 0, false
	}
	if !found {
		writeError(w, http.StatusNotFound, fmt.Sprintf("no route matches %s %s", r.Method, r.URL.Path))
		return nil, nil, nil, 0, false
	}
	if r.Method == http.MethodOptions && toAIBackend(route.Spec.Rules[rule]) {
		// An AI backend has nothing to say to OPTIONS but would hear it
		// with the key: answered here.
		w.Header().Set("Allow", "GET, POST, OPTIONS")
		w.WriteHeader(http.StatusNoContent)
		return nil, nil, nil, 0, false
	}
	return w, r, route, rule, true
}

// refuse answers a request the edge refuses, and closes the connection
// after the answer: the server then does not wait for a body nobody reads.
func refuse(w http.ResponseWriter, status int, msg string) {
	w.Header().Set("Connection", "close")
	writeError(w, status, msg)
}

// toAIBackend reports whether a rule sends to an AI backend (which injects
// a key).
func toAIBackend(rule gwv1.HTTPRouteRule) bool {
	for _, ref := range rule.BackendRefs {
		if ref.Kind != nil && dataplane.IsBackend(refGroup(ref.Group), string(*ref.Kind)) {
			return true
		}
	}
	return false
}

// refGroup is a reference's API group ("" the core group).
func refGroup(g *gwv1.Group) string {
	if g == nil {
		return ""
	}
	return string(*g)
}

// guardAdmin puts the Host and Origin rule in front of the admin
// endpoints, bound to addr; current gives the running configuration's rule.
func guardAdmin(addr string, current func() *edge, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		e := current().at(addr)
		if !e.admitsHost(r.Host) {
			e.refuseHost(w, r.Host)
			return
		}
		w, ok := e.screen(w, r, nil, nil)
		if !ok {
			return
		}
		next.ServeHTTP(w, r)
	})
}

// checkAllowHost validates an --allow-host value and returns it as edge
// keeps it: a hostname (its port dropped), a wildcard "*.example.com", or
// "*".
func checkAllowHost(v string) (string, error) {
	bad := fmt.Errorf("--allow-host %s: want a hostname (my-laptop.local), a wildcard (*.example.test), an IP address or *", v)
	h := strings.ToLower(strings.TrimSpace(v))
	if h == "*" {
		return h, nil
	}
	if strings.ContainsAny(h, "/@ ") {
		return "", bad
	}
	if host, _, err := net.SplitHostPort(h); err == nil {
		h = host
	}
	h = strings.TrimSuffix(strings.TrimSuffix(strings.TrimPrefix(h, "["), "]"), ".")
	if net.ParseIP(h) != nil {
		return h, nil
	}
	name := strings.TrimPrefix(h, "*.")
	if name == "" || strings.Contains(name, "*") || strings.Contains(name, "..") || strings.HasPrefix(name, ".") {
		return "", bad
	}
	for _, c := range []byte(name) {
		if !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '.' || c == '_') {
			return "", bad
		}
	}
	return h, nil
}
