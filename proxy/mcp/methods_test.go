package mcp

import (
	"encoding/base64"
	"encoding/json"
	"net/url"
	"reflect"
	"testing"
)

// newTestGateway is a gateway of targets named names (URLs never reached).
func newTestGateway(t *testing.T, prefix string, names ...string) *Gateway {
	t.Helper()
	var ts []Target
	for _, n := range names {
		ts = append(ts, Target{Name: n, URL: &url.URL{Scheme: "http", Host: "127.0.0.1:1", Path: "/" + n}})
	}
	g, err := New(Config{Name: "gw", Targets: ts, Prefix: prefix})
	if err != nil {
		t.Fatal(err)
	}
	return g
}

func TestCursorRoundTrip(t *testing.T) {
	pages := map[string]string{"a": "page-2", "b": "ñ/+=?"}
	c := encodeCursor(pages)
	got, err := decodeCursor(c)
	if err != nil || !reflect.DeepEqual(got, pages) {
		t.Fatalf("decodeCursor(encodeCursor(%v)) = %v, %v", pages, got, err)
	}
	for _, bad := range []string{"%%%", "not base64!", base64.RawURLEncoding.EncodeToString([]byte("not json")),
		base64.RawURLEncoding.EncodeToString([]byte(`["a"]`)), base64.RawURLEncoding.EncodeToString([]byte(`{}`)),
		base64.RawURLEncoding.EncodeToString([]byte(`{"a":1}`)), base64.RawURLEncoding.EncodeToString([]byte(`null`))} {
		if _, err := decodeCursor(bad); err == nil {
			t.Errorf("decodeCursor(%q) accepted", bad)
		}
	}
}

func TestHasScheme(t *testing.T) {
	for uri, want := range map[string]bool{
		"http://x": true, "file:///etc": true, "a:": true, "svn+ssh://h": true, "a-b.c1:x": true, "Z:": true,
		"": false, ":x": false, "1a:x": false, "abc": false, "a b:x": false, "/abs/path": false, "+a:x": false, "a_b:x": false,
	} {
		if got := hasScheme(uri); got != want {
			t.Errorf("hasScheme(%q) = %v, want %v", uri, got, want)
		}
	}
}

func TestPublicAndSplitURI(t *testing.T) {
	multi := newTestGateway(t, "", "a", "b")
	a := multi.byName["a"]
	st := &state{}
	for _, uri := range []string{"file:///x", "svn+ssh://h/p", "ui://w?q=1"} {
		pub := multi.publicURI(a, uri)
		if pub != "a+"+uri {
			t.Fatalf("publicURI(%q) = %q", uri, pub)
		}
		tt, inner, ok := multi.splitURI(st, pub)
		if !ok || tt != a || inner != uri {
			t.Fatalf("splitURI(%q) = %v, %q, %v", pub, tt, inner, ok)
		}
	}
	if pub := multi.publicURI(a, "relative"); pub != "relative" {
		t.Fatalf("a URI without a scheme is prefixed: %q", pub)
	}
	for _, uri := range []string{"file:///x", "zz+file:///x", "a+relative", "a+", "+file:///x"} {
		if _, _, ok := multi.splitURI(st, uri); ok {
			t.Errorf("splitURI(%q) resolves", uri)
		}
	}
	// A session names its targets: a URI of a target outside it is unknown.
	st = &state{rec: &record{Targets: []targetSession{{Name: "b"}}}}
	if _, _, ok := multi.splitURI(st, "a+file:///x"); ok {
		t.Error("a URI of a target outside the session resolves")
	}

	single := newTestGateway(t, "", "a")
	if pub := single.publicURI(single.byName["a"], "file:///x"); pub != "file:///x" {
		t.Fatalf("a plain proxy rewrites URIs: %q", pub)
	}
	if tt, inner, ok := single.splitURI(&state{}, "file:///x"); !ok || tt.Name != "a" || inner != "file:///x" {
		t.Fatal("a plain proxy does not pass URIs as they are")
	}
	always := newTestGateway(t, PrefixAlways, "a")
	if pub := always.publicURI(always.byName["a"], "file:///x"); pub != "a+file:///x" {
		t.Fatalf("prefix always, one target: %q", pub)
	}
}

func TestRelayID(t *testing.T) {
	g := newTestGateway(t, "", "a", "b")
	a := g.byName["a"]
	for _, id := range []string{`7`, `-1.5`, `"x"`, `"with/slash"`, `"ñ"`} {
		relayed := relayID(a, json.RawMessage(id))
		if relayed[0] != '"' {
			t.Fatalf("a relayed id is not a string: %s", relayed)
		}
		tt, back, ok := g.unrelayID(relayed)
		if !ok || tt != a || string(back) != id {
			t.Fatalf("unrelayID(relayID(%s)) = %v, %s, %v", id, tt, back, ok)
		}
	}
	forged := []string{
		`"kubelb-ai/zz/1"`,        // unknown target
		`"kubelb-ai/a/{\"x\":1}"`, // object id
		`"kubelb-ai/a/[1]"`,       // array id
		`"kubelb-ai/a/null"`,      // null id
		`"kubelb-ai/a/true"`,      // bool id
		`"kubelb-ai/a/"`,          // no id
		`"kubelb-ai/a/not json"`,  // not JSON
		`"kubelb-ai/a"`,           // no separator
		`"other/a/1"`,             // not relayed
		`1`,                       // not a string
		`"kubelb-ai//1"`,          // empty target
	}
	for _, id := range forged {
		if _, _, ok := g.unrelayID(json.RawMessage(id)); ok {
			t.Errorf("unrelayID(%s) accepted", id)
		}
	}
}

func TestNewRefuses(t *testing.T) {
	u := &url.URL{Scheme: "http", Host: "127.0.0.1:1"}
	for name, c := range map[string]Config{
		"no target":  {},
		"no name":    {Targets: []Target{{URL: u}}},
		"no URL":     {Targets: []Target{{Name: "a"}}},
		"two names":  {Targets: []Target{{Name: "a", URL: u}, {Name: "a", URL: u}}},
		"bad prefix": {Targets: []Target{{Name: "a", URL: u}}, Prefix: "sometimes"},
		"short key":  {Targets: []Target{{Name: "a", URL: u}}, SessionKey: []byte("short")},
	} {
		if _, err := New(c); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}
