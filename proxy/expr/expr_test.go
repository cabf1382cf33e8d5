package expr

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func testVars(t *testing.T) *Vars {
	t.Helper()
	r := httptest.NewRequest(http.MethodPost, "http://gw.example/v1/chat/completions?x=1", nil)
	r.Header.Set("X-Team", "ml")
	r.Header.Add("X-Multi", "a")
	r.Header.Add("X-Multi", "b")
	r.Header["X-Bad"] = []string{"ok", "\xff"}
	v := NewVars(r, "10.0.0.7:5123")
	var claims map[string]any
	if err := json.Unmarshal([]byte(`{"sub":"u1","groups":["dev","ml"],"exp":1700000000,"ratio":0.5,"nested":{"n":3}}`), &claims); err != nil {
		t.Fatal(err)
	}
	v.SetJWT(claims)
	v.SetAPIKey(map[string]any{"client": "alice", "tier": "gold", "limit": float64(5)})
	return v
}

func TestBool(t *testing.T) {
	v := testVars(t)
	anon := NewVars(httptest.NewRequest(http.MethodGet, "http://gw.example/", nil), "[::1]:80")
	tests := []struct {
		src     string
		vars    *Vars
		want    bool
		wantErr string
	}{
		{src: `apiKey.tier == "gold"`, want: true},
		{src: `apiKey.tier == "free"`, want: false},
		{src: `jwt.groups.exists(g, g == "ml")`, want: true},
		{src: `jwt.groups.exists(g, g == "ops")`, want: false},
		{src: `request.path == "/v1/chat/completions" && request.method == "POST"`, want: true},
		{src: `request.pathAndQuery == "/v1/chat/completions?x=1"`, want: true},
		{src: `request.uri == "http://gw.example/v1/chat/completions?x=1"`, want: true},
		{src: `request.host == "gw.example" && request.headers["host"] == "gw.example"`, want: true},
		{src: `request.headers["x-team"] == "ml"`, want: true},
		{src: `request.headers["x-multi"] == ["a", "b"]`, want: true},
		{src: `!("x-bad" in request.headers)`, want: true},
		{src: `source.address == "10.0.0.7" && source.port == 5123`, want: true},
		{src: `source.address == "::1"`, vars: anon, want: true},
		{src: `jwt.exp == 1700000000 && jwt.nested.n == 3`, want: true},
		{src: `apiKey.limit == 5`, want: true},
		{src: `apiKey.key == "<redacted>"`, want: true},
		{src: `request.headers["x-team"].upperAscii().stripPrefix("M") == "L"`, want: true},
		{src: `has(apiKey.tier)`, vars: anon, want: false},
		// agentgateway: a missing field is an error (the rule then denies)
		{src: `apiKey.tier == "gold"`, vars: anon, wantErr: "no such key"},
		{src: `jwt.sub == "u1"`, vars: anon, wantErr: "no such key"},
		{src: `request.path`, wantErr: "not bool"},
	}
	for _, tt := range tests {
		t.Run(tt.src, func(t *testing.T) {
			p, err := Compile(tt.src)
			if err != nil {
				t.Fatal(err)
			}
			vars := tt.vars
			if vars == nil {
				vars = v
			}
			got, err := p.Bool(vars)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Fatalf("got %v, want %v", got, tt.want)
			}
		})
	}
}

func TestString(t *testing.T) {
	v := testVars(t)
	tests := []struct {
		src, want, wantErr string
	}{
		{src: `apiKey.client`, want: "alice"},
		{src: `apiKey.limit`, want: "5"},
		{src: `jwt.exp`, want: "1700000000"},
		{src: `apiKey.tier == "gold"`, want: "true"},
		{src: `uint(7)`, want: "7"},
		{src: `b"hi"`, want: "aGk="},
		{src: `"route-" + request.method`, want: "route-POST"},
		{src: `jwt.ratio`, wantErr: "no string form"},
		{src: `jwt.groups`, wantErr: "no string form"},
		{src: `null`, wantErr: "no string form"},
	}
	for _, tt := range tests {
		t.Run(tt.src, func(t *testing.T) {
			p, err := Compile(tt.src)
			if err != nil {
				t.Fatal(err)
			}
			got, err := p.String(v)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("got %q, %v; want %q", got, err, tt.want)
			}
		})
	}
}

func TestCompileRejects(t *testing.T) {
	tests := []struct{ src, want string }{
		{`json(request.body).model == "x"`, "function json() is agentgateway's"},
		{`default(apiKey.tier, "free") == "free"`, "function default() is agentgateway's"},
		{`request.headers.with(h, true)`, "function with() is agentgateway's"},
		{`request.headers.join()["x"] == "y"`, "headers accessor join()"},
		{`request.headers.cookie("s") == "y"`, "headers accessor cookie()"},
		{`"a".reverse() == "a"`, "unknown function reverse()"},
		{`frobnicate(1)`, "unknown function frobnicate()"},
		{`backend.name == "x"`, "undeclared reference to 'backend'"},
		{`request.path ==`, "Syntax error"},
	}
	for _, tt := range tests {
		t.Run(tt.src, func(t *testing.T) {
			_, err := Compile(tt.src)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want %q", err, tt.want)
			}
		})
	}
}

func TestCostBounded(t *testing.T) {
	// 200^3 = 8M comprehension steps: far beyond the cost limit.
	list := "[" + strings.TrimSuffix(strings.Repeat("1,", 200), ",") + "]"
	src := list + ".all(a, " + list + ".all(b, " + list + ".all(c, a + b + c > 0)))"
	p, err := Compile(src)
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	_, err = p.Bool(testVars(t))
	if err == nil || !strings.Contains(err.Error(), "cost limit") {
		t.Fatalf("err = %v, want cost limit exceeded", err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Fatalf("bounded evaluation took %v", d)
	}
}
