package expr

import (
	"net/http/httptest"
	"testing"
	"time"
)

// Any expression compiles or is refused without a panic, and one that
// compiles evaluates, to a value or an error, within its bounds.
func FuzzCompile(f *testing.F) {
	f.Add(`apiKey.tier == "gold" || request.path.startsWith("/v1/models")`)
	f.Add(`jwt.groups.exists(g, g == "ml")`)
	f.Add(`request.headers["x-team"]`)
	f.Add(`[1,2,3].map(x, [1,2,3].map(y, x*y))`)
	f.Add(`json(request.body)`)
	f.Fuzz(func(t *testing.T, src string) {
		p, err := Compile(src)
		if err != nil {
			return
		}
		r := httptest.NewRequest("POST", "http://gw.example/v1/chat/completions", nil)
		r.Header.Set("X-Team", "ml")
		v := NewVars(r, "127.0.0.1:5000")
		v.SetAPIKey(map[string]any{"tier": "gold", "client": "alice"})
		start := time.Now()
		_, _ = p.Bool(v)
		_, _ = p.String(v)
		if d := time.Since(start); d > 2*time.Second {
			t.Fatalf("%q took %s", src, d)
		}
	})
}
