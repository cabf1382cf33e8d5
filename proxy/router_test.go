package proxy

import (
	"net/http/httptest"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
	gwv1 "sigs.k8s.io/gateway-api/apis/v1"
)

func route(name string, created int, hosts []string, rules ...gwv1.HTTPRouteRule) *gwv1.HTTPRoute {
	r := &gwv1.HTTPRoute{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: "ns", CreationTimestamp: metav1.NewTime(time.Unix(int64(created), 0))}}
	for _, h := range hosts {
		r.Spec.Hostnames = append(r.Spec.Hostnames, gwv1.Hostname(h))
	}
	r.Spec.Rules = rules
	return r
}

func path(typ gwv1.PathMatchType, v string) gwv1.HTTPRouteMatch {
	return gwv1.HTTPRouteMatch{Path: &gwv1.HTTPPathMatch{Type: ptr.To(typ), Value: ptr.To(v)}}
}

func rule(ms ...gwv1.HTTPRouteMatch) gwv1.HTTPRouteRule { return gwv1.HTTPRouteRule{Matches: ms} }

// Matching and precedence as the Gateway API specifies them.
func TestRouterPrecedence(t *testing.T) {
	withHeader := path(gwv1.PathMatchPathPrefix, "/openai")
	withHeader.Headers = []gwv1.HTTPHeaderMatch{{Name: "X-Team", Value: "a"}}
	withMethod := path(gwv1.PathMatchPathPrefix, "/openai")
	withMethod.Method = ptr.To(gwv1.HTTPMethodGet)
	withQuery := path(gwv1.PathMatchPathPrefix, "/openai")
	withQuery.QueryParams = []gwv1.HTTPQueryParamMatch{{Name: "debug", Value: "1"}}
	routes := []*gwv1.HTTPRoute{
		route("prefix", 1, nil, rule(path(gwv1.PathMatchPathPrefix, "/openai"))),
		route("longer", 2, nil, rule(path(gwv1.PathMatchPathPrefix, "/openai/v1"))),
		route("exact", 3, nil, rule(path(gwv1.PathMatchExact, "/openai/v1/models"))),
		route("regex", 4, nil, rule(path(gwv1.PathMatchRegularExpression, "/openai/v[0-9]+/embeddings"))),
		route("header", 5, nil, rule(withHeader)),
		route("method", 6, nil, rule(withMethod)),
		route("query", 7, nil, rule(withQuery)),
		route("b-same", 8, nil, rule(path(gwv1.PathMatchPathPrefix, "/same"))),
		route("a-same", 8, nil, rule(path(gwv1.PathMatchPathPrefix, "/same"))),
		route("old-same", 1, nil, rule(path(gwv1.PathMatchPathPrefix, "/older"))),
		route("new-same", 0, nil, rule(path(gwv1.PathMatchPathPrefix, "/older"))),
		route("exact-host", 9, []string{"api.example.com"}, rule(path(gwv1.PathMatchPathPrefix, "/h"))),
		route("wild-host", 9, []string{"*.example.com"}, rule(path(gwv1.PathMatchPathPrefix, "/h"))),
		route("any-host", 9, nil, rule(path(gwv1.PathMatchPathPrefix, "/h"))),
		route("catch-all", 10, []string{"other.example.org"}, gwv1.HTTPRouteRule{}),
	}
	r, err := NewRouter(routes)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		method, target, host string
		header               map[string]string
		want                 string
	}{
		{"POST", "/openai/chat/completions", "", nil, "prefix"},
		{"POST", "/openai", "", nil, "prefix"},
		{"POST", "/openaix", "", nil, ""},
		{"POST", "/openai/v1/chat/completions", "", nil, "longer"},
		{"POST", "/openai/v1/models", "", nil, "exact"},
		{"POST", "/openai/v1/models/x", "", nil, "longer"},
		{"POST", "/openai/v2/embeddings", "", nil, "regex"},
		{"POST", "/openai/chat", "", map[string]string{"X-Team": "a"}, "header"},
		{"POST", "/openai/chat", "", map[string]string{"X-Team": "b"}, "prefix"},
		{"GET", "/openai/chat", "", nil, "method"},
		{"POST", "/openai/chat?debug=1", "", nil, "query"},
		{"POST", "/same", "", nil, "a-same"},
		{"POST", "/older", "", nil, "new-same"},
		{"POST", "/h", "api.example.com:8080", nil, "exact-host"},
		{"POST", "/h", "x.example.com", nil, "wild-host"},
		{"POST", "/h", "example.com", nil, "any-host"},
		{"POST", "/anything", "other.example.org", nil, "catch-all"},
		{"POST", "/anything", "", nil, ""},
	} {
		req := httptest.NewRequest(c.method, c.target, nil)
		req.Host = c.host
		for k, v := range c.header {
			req.Header.Set(k, v)
		}
		got, _, ok := r.Match(req)
		name := ""
		if ok {
			name = got.Name
		}
		if name != c.want {
			t.Errorf("%s %s host %q %v: %q, want %q", c.method, c.target, c.host, c.header, name, c.want)
		}
	}
	if _, err := NewRouter([]*gwv1.HTTPRoute{route("bad", 0, nil, rule(path(gwv1.PathMatchRegularExpression, "(")))}); err == nil {
		t.Error("a broken path regex was accepted")
	}
}
