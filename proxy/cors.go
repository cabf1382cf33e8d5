package proxy

import (
	"cmp"
	"errors"
	"fmt"
	"net"
	"net/http"
	"slices"
	"strconv"
	"strings"

	gwv1 "sigs.k8s.io/gateway-api/apis/v1"
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

// policyFromFilter is an HTTPRoute rule's CORS filter.
func policyFromFilter(f *gwv1.HTTPCORSFilter, source string) *corsPolicy {
	p := &corsPolicy{maxAge: int(f.MaxAge), source: source}
	for _, o := range f.AllowOrigins {
		p.addOrigin(string(o))
	}
	p.credentials = f.AllowCredentials != nil && *f.AllowCredentials
	for _, m := range f.AllowMethods {
		p.methods = append(p.methods, string(m))
	}
	for _, h := range f.AllowHeaders {
		p.headers = append(p.headers, string(h))
	}
	for _, h := range f.ExposeHeaders {
		p.expose = append(p.expose, string(h))
	}
	return p
}

// policyFromMap is a TrafficPolicy's spec.cors or an AgentgatewayPolicy's
// spec.traffic.cors, as read from the manifests.
func policyFromMap(m map[string]any, source string) *corsPolicy {
	strs := func(key string) []string {
		var out []string
		for _, v := range list(m[key]) {
			if s, ok := v.(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	p := &corsPolicy{maxAge: toInt(m["maxAge"]), methods: strs("allowMethods"), headers: strs("allowHeaders"), expose: strs("exposeHeaders"), source: source}
	for _, o := range strs("allowOrigins") {
		p.addOrigin(o)
	}
	p.credentials, _ = m["allowCredentials"].(bool)
	_, p.disabled = m["disable"]
	return p
}

// addOrigin adds a manifest's origin; one that does not parse (validate
// reports it) allows nothing.
func (p *corsPolicy) addOrigin(s string) {
	if s == "*" {
		p.anyOrigin = true
		return
	}
	if o, err := parseOrigin(s); err == nil {
		p.origins = append(p.origins, o)
	}
}

// attachedCORS is a CORS policy of the manifests with what it targets.
type attachedCORS struct {
	pol                      *corsPolicy
	namespace, name, created string
	to                       []policyTarget
	// trafficPolicy: a kgateway TrafficPolicy, which a rule may also name
	// in an ExtensionRef filter.
	trafficPolicy bool
}

type policyTarget struct {
	kind, name, section string
	labels              map[string]string // a targetSelector's matchLabels
}

// manifestCORS reads the CORS policies of the manifests: TrafficPolicy
// spec.cors (kgateway) and AgentgatewayPolicy spec.traffic.cors.
func manifestCORS(objs []map[string]any) []*attachedCORS {
	var out []*attachedCORS
	for _, o := range objs {
		var m map[string]any
		switch o["kind"] {
		case "TrafficPolicy":
			m, _ = dig(o, "spec", "cors").(map[string]any)
		case "AgentgatewayPolicy":
			m, _ = dig(o, "spec", "traffic", "cors").(map[string]any)
		}
		if m == nil {
			continue
		}
		meta, _ := o["metadata"].(map[string]any)
		a := &attachedCORS{trafficPolicy: o["kind"] == "TrafficPolicy"}
		a.namespace, _ = meta["namespace"].(string)
		a.name, _ = meta["name"].(string)
		a.created, _ = meta["creationTimestamp"].(string)
		a.pol = policyFromMap(m, fmt.Sprintf("%s %s/%s", o["kind"], a.namespace, a.name))
		for _, key := range []string{"targetRefs", "targetSelectors"} {
			for _, t := range list(dig(o, "spec", key)) {
				ref, _ := t.(map[string]any)
				pt := policyTarget{}
				pt.kind, _ = ref["kind"].(string)
				pt.name, _ = ref["name"].(string)
				pt.section, _ = ref["sectionName"].(string)
				if key == "targetSelectors" {
					pt.labels = map[string]string{}
					labels, _ := ref["matchLabels"].(map[string]any)
					for k, v := range labels {
						pt.labels[k], _ = v.(string)
					}
				}
				a.to = append(a.to, pt)
			}
		}
		out = append(out, a)
	}
	// Among policies at one level the oldest wins, then the first by
	// namespace/name (the Gateway API's conflict rule).
	slices.SortStableFunc(out, func(a, b *attachedCORS) int {
		return cmp.Or(cmp.Compare(a.created, b.created), cmp.Compare(a.namespace+"/"+a.name, b.namespace+"/"+b.name))
	})
	return out
}

// targets reports whether a targets the object kind namespace/name with
// labels, at section ("" the whole object).
func (a *attachedCORS) targets(kind, namespace, name string, labels map[string]string, section string) bool {
	if a.namespace != namespace {
		return false
	}
	for _, t := range a.to {
		if t.kind != kind || t.section != section {
			continue
		}
		if t.labels == nil && t.name == name {
			return true
		}
		if t.labels != nil && labelsMatch(t.labels, labels) {
			return true
		}
	}
	return false
}

func labelsMatch(want, have map[string]string) bool {
	for k, v := range want {
		if got, ok := have[k]; !ok || got != v {
			return false
		}
	}
	return true
}

// corsRules decides the CORS policy of each rule of the routes attached
// to listener l of gw, the most specific first: the rule's CORS filter,
// a TrafficPolicy the rule names in an ExtensionRef filter, a policy that
// targets the rule (the route with the rule's sectionName), the route, the
// listener (the Gateway with its sectionName), the Gateway. The first found
// is the rule's whole policy (fields are not merged across levels); a
// kgateway policy with disable turns CORS off there.
func corsRules(policies []*attachedCORS, gw *gwv1.Gateway, l gwv1.Listener, routes []*gwv1.HTTPRoute) map[ruleKey]*corsPolicy {
	out := map[ruleKey]*corsPolicy{}
	first := func(match func(a *attachedCORS) bool) *corsPolicy {
		for _, a := range policies {
			if match(a) {
				return a.pol
			}
		}
		return nil
	}
	for _, rt := range routes {
		for i, rule := range rt.Spec.Rules {
			var pol *corsPolicy
			for _, f := range rule.Filters {
				if f.Type == gwv1.HTTPRouteFilterCORS && f.CORS != nil && pol == nil {
					pol = policyFromFilter(f.CORS, fmt.Sprintf("the CORS filter of HTTPRoute %s/%s rule %d", rt.Namespace, rt.Name, i))
				}
			}
			for _, f := range rule.Filters {
				if pol == nil && f.Type == gwv1.HTTPRouteFilterExtensionRef && f.ExtensionRef != nil && f.ExtensionRef.Kind == "TrafficPolicy" {
					pol = first(func(a *attachedCORS) bool {
						return a.trafficPolicy && a.namespace == rt.Namespace && a.name == string(f.ExtensionRef.Name)
					})
				}
			}
			if pol == nil && rule.Name != nil {
				pol = first(func(a *attachedCORS) bool {
					return a.targets("HTTPRoute", rt.Namespace, rt.Name, rt.Labels, string(*rule.Name))
				})
			}
			if pol == nil {
				pol = first(func(a *attachedCORS) bool { return a.targets("HTTPRoute", rt.Namespace, rt.Name, rt.Labels, "") })
			}
			if pol == nil {
				pol = first(func(a *attachedCORS) bool {
					return a.targets("Gateway", gw.Namespace, gw.Name, gw.Labels, string(l.Name))
				})
			}
			if pol == nil {
				pol = first(func(a *attachedCORS) bool { return a.targets("Gateway", gw.Namespace, gw.Name, gw.Labels, "") })
			}
			if pol != nil && !pol.disabled {
				out[ruleKey{rt, i}] = pol
			}
		}
	}
	return out
}

// edges is what Build needs to give each listener its edge.
type edges struct {
	names    []string // --allow-host
	anyHost  bool
	flags    *corsPolicy
	policies []*attachedCORS
}

// newEdges reads --allow-host, --allow-origin and the manifests' CORS
// policies.
func newEdges(objs []map[string]any, opts Options) (*edges, error) {
	e := &edges{policies: manifestCORS(objs)}
	for _, v := range opts.AllowHosts {
		h, err := checkAllowHost(v)
		if err != nil {
			return nil, err
		}
		if h == "*" {
			e.anyHost = true
		}
		e.names = append(e.names, h)
	}
	var err error
	if e.flags, err = flagPolicy(opts.AllowOrigins); err != nil {
		return nil, err
	}
	return e, nil
}

// listener is the edge of listener l of gw, bound to addr, with its
// attached routes.
func (e *edges) listener(gw *gwv1.Gateway, l gwv1.Listener, addr string, attached []*gwv1.HTTPRoute) *edge {
	names := slices.Clone(e.names)
	if l.Hostname != nil {
		names = append(names, strings.ToLower(string(*l.Hostname)))
	}
	for _, r := range attached {
		for _, h := range r.Spec.Hostnames {
			names = append(names, strings.ToLower(string(h)))
		}
	}
	out := (&edge{names: names, anyHost: e.anyHost, flags: e.flags}).at(addr)
	out.rules = corsRules(e.policies, gw, l, attached)
	return out
}

// admin is the admin address's edge (bound in Serve): every listener's
// and route's hostnames, the flags, no CORS policy of the manifests.
func (e *edges) admin(gw *gwv1.Gateway, routes []*gwv1.HTTPRoute) *edge {
	names := slices.Clone(e.names)
	for _, l := range gw.Spec.Listeners {
		if l.Hostname != nil {
			names = append(names, strings.ToLower(string(*l.Hostname)))
		}
	}
	for _, r := range routes {
		for _, h := range r.Spec.Hostnames {
			names = append(names, strings.ToLower(string(h)))
		}
	}
	return &edge{names: names, anyHost: e.anyHost, flags: e.flags}
}
