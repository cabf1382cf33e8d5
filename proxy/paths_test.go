package proxy

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/kubelb-ai/kubelb-ai/templates"
)

func TestNormalizePath(t *testing.T) {
	for in, want := range map[string]string{
		"/openai/v1/chat/completions": "/openai/v1/chat/completions",
		"/openai/../admin":            "/admin",
		"/a/b/../c":                   "/a/c",
		"/a/b/..":                     "/a/",
		"/a/b/.":                      "/a/b/",
		"/a/./b":                      "/a/b",
		"/..":                         "/",
		"/../../etc/passwd":           "/etc/passwd",
		"/a//../b":                    "/a/b",
		"/a//b":                       "/a//b", // slashes are not merged
		"/a/%2e%2e/b":                 "/b",
		"/a/%2E./b":                   "/b",
		"/a/.%2e":                     "/",
		"/a/%2e/b":                    "/a/b",
		"/%7euser/%41":                "/~user/A", // unreserved characters decoded
		"/a%3fb%3Ac":                  "/a%3Fb%3Ac",
		"/v1/models/gemini-1.5-pro:generateContent": "/v1/models/gemini-1.5-pro:generateContent",
		"/a/...":  "/a/...",
		"/a/..b/": "/a/..b/",
	} {
		got, err := normalizePath(in)
		if err != nil || got != want {
			t.Errorf("normalizePath(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, in := range []string{"/a%2fb", "/a/..%2F..%2Fb", "/a%5Cb", "/a%5c..", "/a\\b", "/a%00", "/a%zz", "/a%2", "a/b", "*", ""} {
		if got, err := normalizePath(in); err == nil {
			t.Errorf("normalizePath(%q) = %q, want an error", in, got)
		}
	}
}

// rawRequest sends target as it is (no client cleans it) and returns the
// status and body.
func rawRequest(t *testing.T, base, method, target string) (int, string) {
	t.Helper()
	c, err := net.Dial("tcp", strings.TrimPrefix(base, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(10 * time.Second))
	io.WriteString(c, method+" "+target+" HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// Dot segments cannot take a request out of its route: before, a request
// for /svc/../../secret matched the /svc route and reached its Service as
// /base/svc/../../secret, which the Service resolves to /secret, outside
// the path the route gives it (and %2e%2e did the same). Now the path is
// normalised before matching, so it is /secret, which no route matches;
// encoded slashes and backslashes are refused.
func TestDotSegmentsCannotEscapeServicePath(t *testing.T) {
	f := startEdge(t, templates.KgatewayV21, "", Options{})
	for _, c := range []struct {
		target string
		status int
		body   string
	}{
		{"/svc/../../secret", 404, ""},
		{"/svc/%2e%2e/%2e%2e/secret", 404, ""},
		{"/svc/%2E%2E/%2E%2E/secret", 404, ""},
		{"/svc/./x/../../../secret", 404, ""},
		{"/svc/x/..", 200, "svc:/base/svc/"},
		{"/svc/a/../b?q=1", 200, "svc:/base/svc/b"},
		{"/svc/%7Ea", 200, "svc:/base/svc/~a"},
		{"/openai/../svc/x", 200, "svc:/base/svc/x"}, // routed by the path it really is
		{"/svc/..%2F..%2Fsecret", 400, "encoded slash"},
		{"/svc/..%2f..%2fsecret", 400, "encoded slash"},
		{"/svc/..%5C..%5Csecret", 400, "backslash"},
		{"/svc/..\\..\\secret", 400, "backslash"},
	} {
		status, body := rawRequest(t, f.base, "GET", c.target)
		if status != c.status || !strings.Contains(body, c.body) {
			t.Errorf("GET %s: %d %s, want %d %s", c.target, status, body, c.status, c.body)
		}
	}
	for _, seen := range f.svc.requests() {
		path := strings.TrimPrefix(seen, "GET ")
		if !strings.HasPrefix(path, "/base/svc/") || strings.Contains(path, "..") || strings.Contains(strings.ToLower(path), "%2e") {
			t.Errorf("the Service received %s, outside its route's path", seen)
		}
	}
	// An AI backend's route is no way out either.
	if status, body := rawRequest(t, f.base, "POST", "/openai/v1/../../svc/x"); status != 200 || body != "svc:/base/svc/x" {
		t.Errorf("/openai/v1/../../svc/x: %d %s", status, body)
	}
	if n := len(f.openai.Requests()); n != 0 {
		t.Errorf("the provider was called %d times", n)
	}
}
