package proxy

import (
	"cmp"
	"fmt"
	"net"
	"net/http"
	"regexp"
	"slices"
	"strings"

	gwv1 "sigs.k8s.io/gateway-api/apis/v1"
)

// Router picks, for a request, the HTTPRoute rule it belongs to, with the
// Gateway API's matching and precedence rules.
type Router struct {
	entries []entry
}

type entry struct {
	route     *gwv1.HTTPRoute
	rule      int
	match     gwv1.HTTPRouteMatch
	hostnames []string
	pathRE    *regexp.Regexp
}

// NewRouter compiles routes (those attached to one listener).
func NewRouter(routes []*gwv1.HTTPRoute) (*Router, error) {
	r := &Router{}
	for _, rt := range routes {
		var hosts []string
		for _, h := range rt.Spec.Hostnames {
			hosts = append(hosts, strings.ToLower(string(h)))
		}
		for i, rule := range rt.Spec.Rules {
			matches := rule.Matches
			if len(matches) == 0 {
				// No match: every request, as PathPrefix /.
				matches = []gwv1.HTTPRouteMatch{{}}
			}
			for _, m := range matches {
				e := entry{route: rt, rule: i, match: m, hostnames: hosts}
				if p := m.Path; p != nil && p.Type != nil && *p.Type == gwv1.PathMatchRegularExpression && p.Value != nil {
					re, err := regexp.Compile("^(?:" + *p.Value + ")$")
					if err != nil {
						return nil, fmt.Errorf("HTTPRoute %s/%s rule %d: path regex %q: %w", rt.Namespace, rt.Name, i, *p.Value, err)
					}
					e.pathRE = re
				}
				r.entries = append(r.entries, e)
			}
		}
	}
	slices.SortStableFunc(r.entries, precedence)
	return r, nil
}

// Match returns the rule a request goes to, or ok false (404).
func (r *Router) Match(req *http.Request) (route *gwv1.HTTPRoute, rule int, ok bool) {
	host := strings.ToLower(req.Host)
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	best, bestHost := -1, -1
	for i, e := range r.entries {
		score := hostScore(e.hostnames, host)
		if score < 0 || !e.matches(req) {
			continue
		}
		// Entries are sorted by everything but the hostname; a more specific
		// hostname wins over an earlier entry.
		if score > bestHost {
			best, bestHost = i, score
		}
	}
	if best < 0 {
		return nil, 0, false
	}
	return r.entries[best].route, r.entries[best].rule, true
}

// hostScore is how specifically hostnames match host: -1 not at all, 0 a
// route without hostnames, 1 a wildcard, 2 exactly.
func hostScore(hostnames []string, host string) int {
	if len(hostnames) == 0 {
		return 0
	}
	best := -1
	for _, h := range hostnames {
		switch {
		case h == host:
			return 2
		case strings.HasPrefix(h, "*.") && strings.HasSuffix(host, h[1:]) && len(host) > len(h)-1:
			best = 1
		}
	}
	return best
}

func (e *entry) matches(req *http.Request) bool {
	m := e.match
	path := req.URL.Path
	if p := m.Path; p != nil && p.Value != nil {
		typ := gwv1.PathMatchPathPrefix
		if p.Type != nil {
			typ = *p.Type
		}
		switch typ {
		case gwv1.PathMatchExact:
			if path != *p.Value {
				return false
			}
		case gwv1.PathMatchRegularExpression:
			if e.pathRE == nil || !e.pathRE.MatchString(path) {
				return false
			}
		default:
			if !prefixMatch(path, *p.Value) {
				return false
			}
		}
	}
	if m.Method != nil && string(*m.Method) != req.Method {
		return false
	}
	for _, h := range m.Headers {
		v := req.Header.Get(string(h.Name))
		if h.Type != nil && *h.Type == gwv1.HeaderMatchRegularExpression {
			if ok, _ := regexp.MatchString("^(?:"+h.Value+")$", v); !ok {
				return false
			}
		} else if _, present := req.Header[http.CanonicalHeaderKey(string(h.Name))]; !present || v != h.Value {
			return false
		}
	}
	q := req.URL.Query()
	for _, qp := range m.QueryParams {
		v, present := q[string(qp.Name)]
		if !present {
			return false
		}
		if qp.Type != nil && *qp.Type == gwv1.QueryParamMatchRegularExpression {
			if ok, _ := regexp.MatchString("^(?:"+qp.Value+")$", v[0]); !ok {
				return false
			}
		} else if v[0] != qp.Value {
			return false
		}
	}
	return true
}

// prefixMatch is the Gateway API's PathPrefix: element-wise, so /foo
// matches /foo and /foo/bar but not /foobar.
func prefixMatch(path, prefix string) bool {
	prefix = strings.TrimSuffix(prefix, "/")
	return prefix == "" || path == prefix || strings.HasPrefix(path, prefix+"/")
}

// precedence orders entries as the Gateway API specifies (hostnames are
// compared at match time): an Exact path before a regular expression before
// a prefix, longer prefixes first; then a method match; then more header
// matches; then more query matches; then the older route, then namespace
// and name alphabetically, then rule order.
func precedence(a, b entry) int {
	kind := func(e entry) (int, int) {
		p := e.match.Path
		if p == nil || p.Value == nil {
			return 2, 1
		}
		typ := gwv1.PathMatchPathPrefix
		if p.Type != nil {
			typ = *p.Type
		}
		switch typ {
		case gwv1.PathMatchExact:
			return 0, len(*p.Value)
		case gwv1.PathMatchRegularExpression:
			return 1, len(*p.Value)
		}
		return 2, len(strings.TrimSuffix(*p.Value, "/")) + 1
	}
	ka, la := kind(a)
	kb, lb := kind(b)
	method := func(e entry) int {
		if e.match.Method != nil {
			return 0
		}
		return 1
	}
	return cmp.Or(
		cmp.Compare(ka, kb),
		cmp.Compare(lb, la),
		cmp.Compare(method(a), method(b)),
		cmp.Compare(len(b.match.Headers), len(a.match.Headers)),
		cmp.Compare(len(b.match.QueryParams), len(a.match.QueryParams)),
		a.route.CreationTimestamp.Compare(b.route.CreationTimestamp.Time),
		cmp.Compare(a.route.Namespace+"/"+a.route.Name, b.route.Namespace+"/"+b.route.Name),
		cmp.Compare(a.rule, b.rule),
	)
}
