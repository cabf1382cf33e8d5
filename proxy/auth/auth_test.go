package auth

import (
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	jose "github.com/go-jose/go-jose/v4"
)

func hashOf(key string) string {
	d := sha256.Sum256([]byte(key))
	return "sha256:" + strings.ToUpper(hex.EncodeToString(d[:])) // agentgateway accepts either case
}

var testKeySet = []Key{
	{Value: "sk-alice-0123456789", Metadata: map[string]any{"client": "alice", "tier": "gold"}},
	{Hash: hashOf("sk-ci-9876543210"), Metadata: map[string]any{"client": "ci", "tier": "free"}},
	{Value: "sk-nometa-000000000"},
}

func TestAPIKeys(t *testing.T) {
	type want struct {
		status    int
		challenge string
		message   string
		name      string
		tier      any // apiKey metadata seen by the caller
		stripped  bool
	}
	missing := want{status: 401, challenge: `Bearer realm="kubelb-ai"`, message: "api key authentication failure: no API Key found"}
	invalid := want{status: 401, challenge: `Bearer realm="kubelb-ai", error="invalid_token"`, message: "api key authentication failure: invalid credentials"}
	tests := []struct {
		name    string
		mode    string
		loc     Location
		headers map[string]string
		want    want
	}{
		{"plain key", ModeStrict, Location{}, map[string]string{"Authorization": "Bearer sk-alice-0123456789"},
			want{name: "alice", tier: "gold", stripped: true}},
		{"prefix matched case-insensitively", ModeStrict, Location{}, map[string]string{"Authorization": "BEARER sk-alice-0123456789"},
			want{name: "alice", tier: "gold", stripped: true}},
		{"hashed key", ModeStrict, Location{}, map[string]string{"Authorization": "Bearer sk-ci-9876543210"},
			want{name: "ci", tier: "free", stripped: true}},
		{"key without metadata", ModeStrict, Location{}, map[string]string{"Authorization": "Bearer sk-nometa-000000000"},
			want{stripped: true}},
		{"wrong key", ModeStrict, Location{}, map[string]string{"Authorization": "Bearer sk-alice-0123456780"}, invalid},
		{"empty key after prefix", ModeStrict, Location{}, map[string]string{"Authorization": "Bearer "}, invalid},
		{"missing", ModeStrict, Location{}, nil, missing},
		{"other scheme counts as missing", ModeStrict, Location{}, map[string]string{"Authorization": "Basic c2stYWxpY2U="}, missing},
		{"non-ASCII value counts as missing", ModeStrict, Location{}, map[string]string{"Authorization": "Bearer sk-\u00e9"}, missing},
		{"optional: missing passes", ModeOptional, Location{}, nil, want{}},
		{"optional: wrong key refused", ModeOptional, Location{}, map[string]string{"Authorization": "Bearer nope-nope-nope"}, invalid},
		{"permissive: wrong key passes, header kept", ModePermissive, Location{}, map[string]string{"Authorization": "Bearer nope-nope-nope"}, want{}},
		{"permissive: good key identifies", ModePermissive, Location{}, map[string]string{"Authorization": "Bearer sk-alice-0123456789"},
			want{name: "alice", tier: "gold", stripped: true}},
		{"custom header taken whole", ModeStrict, Location{Header: "x-api-key"}, map[string]string{"X-Api-Key": "sk-ci-9876543210"},
			want{name: "ci", tier: "free", stripped: true}},
		{"custom header: Authorization ignored", ModeStrict, Location{Header: "x-api-key"}, map[string]string{"Authorization": "Bearer sk-ci-9876543210"},
			want{status: 401, message: "api key authentication failure: no API Key found"}},
		{"custom header: wrong key, no challenge", ModeStrict, Location{Header: "x-api-key"}, map[string]string{"X-Api-Key": "Bearer sk-ci-9876543210"},
			want{status: 401, message: "api key authentication failure: invalid credentials"}},
		{"custom header with prefix", ModeStrict, Location{Header: "Authorization", Prefix: "Token "}, map[string]string{"Authorization": "token sk-alice-0123456789"},
			want{name: "alice", tier: "gold", stripped: true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g, err := New(Config{Keys: testKeySet, KeyMode: tt.mode, KeyLocation: tt.loc})
			if err != nil {
				t.Fatal(err)
			}
			r := httptest.NewRequest(http.MethodPost, "/v1/chat/completions", nil)
			for k, v := range tt.headers {
				r.Header.Set(k, v)
			}
			c, d := g.Check(r, "127.0.0.1:1")
			if tt.want.status != 0 {
				if d == nil {
					t.Fatalf("accepted, want %d", tt.want.status)
				}
				if d.Status != tt.want.status || d.Challenge != tt.want.challenge || d.Message != tt.want.message {
					t.Fatalf("denial = %+v, want %+v", d, tt.want)
				}
				return
			}
			if d != nil {
				t.Fatalf("denied: %+v", d)
			}
			if c.Name != tt.want.name || c.APIKey["tier"] != tt.want.tier {
				t.Fatalf("caller = %+v, want name %q tier %v", c, tt.want.name, tt.want.tier)
			}
			var present bool
			for k := range tt.headers {
				present = present || r.Header.Get(k) != ""
			}
			if stripped := len(tt.headers) > 0 && !present; stripped != tt.want.stripped {
				t.Fatalf("stripped = %v, want %v", stripped, tt.want.stripped)
			}
		})
	}
}

func TestAuthorization(t *testing.T) {
	testKeys(t)
	clk := newClock()
	set := jwks(t, jose.JSONWebKey{Key: &ecKey.PublicKey, KeyID: "ec1"})
	token := func(groups ...string) string {
		return mint(t, jose.ES256, ecKey, "ec1", map[string]any{"iss": issuer, "sub": "bob", "exp": clk.Now().Unix() + 60, "groups": groups})
	}
	base := Config{
		Keys: testKeySet, KeyMode: ModeOptional, KeyLocation: Location{Header: "x-api-key"},
		JWT: []Provider{{Issuer: issuer, JWKS: set}}, JWTMode: ModeOptional,
		Now: clk.Now,
	}
	tests := []struct {
		name                 string
		allow, deny, require []string
		method, path         string
		headers              map[string]string
		wantStatus           int
		wantName             string
	}{
		{name: "no rules: anonymous passes", wantStatus: 0},
		{name: "tier gold allowed", allow: []string{`apiKey.tier == "gold"`},
			headers: map[string]string{"X-Api-Key": "sk-alice-0123456789"}, wantName: "alice"},
		{name: "tier free refused", allow: []string{`apiKey.tier == "gold"`},
			headers: map[string]string{"X-Api-Key": "sk-ci-9876543210"}, wantStatus: 403},
		{name: "no key: missing field refuses", allow: []string{`apiKey.tier == "gold"`}, wantStatus: 403},
		{name: "key without metadata: missing field refuses", allow: []string{`apiKey.tier == "gold"`},
			headers: map[string]string{"X-Api-Key": "sk-nometa-000000000"}, wantStatus: 403},
		{name: "either identity", allow: []string{`apiKey.tier == "gold" || jwt.groups.exists(g, g == "ml")`},
			headers: map[string]string{"Authorization": "Bearer " + token("dev", "ml")}, wantName: "bob"},
		{name: "jwt group missing", allow: []string{`jwt.groups.exists(g, g == "ml")`},
			headers: map[string]string{"Authorization": "Bearer " + token("dev")}, wantStatus: 403},
		{name: "second allow rule matches", allow: []string{`apiKey.tier == "gold"`, `jwt.sub == "bob"`},
			headers: map[string]string{"Authorization": "Bearer " + token()}, wantName: "bob"},
		{name: "client name wins over sub", allow: []string{`jwt.sub == "bob" && apiKey.client == "alice"`},
			headers: map[string]string{"Authorization": "Bearer " + token(), "X-Api-Key": "sk-alice-0123456789"}, wantName: "alice"},
		{name: "request fields", allow: []string{`request.method == "GET" && request.path.startsWith("/admin/") && request.headers["x-role"] == "root"`},
			method: "GET", path: "/admin/x", headers: map[string]string{"X-Role": "root"}},
		{name: "stripped credential is not visible to rules", allow: []string{`!("x-api-key" in request.headers) && apiKey.client == "ci"`},
			headers: map[string]string{"X-Api-Key": "sk-ci-9876543210"}, wantName: "ci"},
		{name: "deny wins", allow: []string{`true`}, deny: []string{`request.path == "/blocked"`}, path: "/blocked", wantStatus: 403},
		{name: "a deny that errors does not deny", deny: []string{`apiKey.tier == "free"`}},
		{name: "require must hold", allow: []string{`true`}, require: []string{`has(jwt.sub)`}, wantStatus: 403},
		{name: "only deny rules: default allow", deny: []string{`request.path == "/blocked"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := base
			cfg.Allow, cfg.Deny, cfg.Require = tt.allow, tt.deny, tt.require
			g, err := New(cfg)
			if err != nil {
				t.Fatal(err)
			}
			method, path := tt.method, tt.path
			if method == "" {
				method = http.MethodPost
			}
			if path == "" {
				path = "/v1/chat/completions"
			}
			r := httptest.NewRequest(method, path, nil)
			for k, v := range tt.headers {
				r.Header.Set(k, v)
			}
			c, d := g.Check(r, "10.1.2.3:555")
			if tt.wantStatus != 0 {
				if d == nil || d.Status != tt.wantStatus {
					t.Fatalf("denial = %+v, want %d", d, tt.wantStatus)
				}
				if tt.wantStatus == 403 && (d.Message != "authorization failed" || d.Challenge != "") {
					t.Fatalf("403 denial = %+v", d)
				}
				return
			}
			if d != nil {
				t.Fatalf("denied: %+v", d)
			}
			if c.Name != tt.wantName || c.Vars == nil {
				t.Fatalf("caller = %+v, want name %q", c, tt.wantName)
			}
		})
	}
}

func TestNewErrors(t *testing.T) {
	tests := []struct {
		name string
		cfg  Config
		want string
	}{
		{"bad key mode", Config{KeyMode: "strict", Keys: testKeySet}, `KeyMode "strict" is not Strict, Optional or Permissive`},
		{"keys without mode", Config{Keys: testKeySet}, "KeyMode is empty"},
		{"hash format", Config{KeyMode: ModeStrict, Keys: []Key{{Hash: "md5:abcd"}}}, `key 0: hash must use the "sha256:<hex>" format`},
		{"hash length", Config{KeyMode: ModeStrict, Keys: []Key{{Hash: "sha256:abcd"}}}, "key 0: sha256 hash must be 64 hex digits"},
		{"value and hash", Config{KeyMode: ModeStrict, Keys: []Key{{Value: "k", Hash: hashOf("k")}}}, "key 0: both a value and a hash"},
		{"empty key", Config{KeyMode: ModeStrict, Keys: []Key{{}}}, "key 0: neither a value nor a hash"},
		{"unsupported CEL", Config{Allow: []string{`json(request.body).model == "x"`}}, "allow rule 0: expr:"},
		{"unsupported CEL names the function", Config{Deny: []string{`default(apiKey.tier, "x") == "x"`}}, "function default() is agentgateway's"},
		{"JWT mode without providers", Config{JWTMode: ModeStrict}, "no JWT provider"},
		{"provider without issuer", Config{JWTMode: ModeStrict, JWT: []Provider{{JWKSURL: "http://127.0.0.1:1/"}}}, "provider 0 has no issuer"},
		{"provider without keys", Config{JWTMode: ModeStrict, JWT: []Provider{{Issuer: "i"}}}, `"i" has neither inline JWKS nor a JWKS URL`},
		{"JWKS key without kid", Config{JWTMode: ModeStrict, JWT: []Provider{{Issuer: "i", JWKS: []byte(`{"keys":[{"kty":"OKP","crv":"Ed25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}]}`)}}}, "JWKS key 0 has no kid"},
		{"JWKS symmetric key", Config{JWTMode: ModeStrict, JWT: []Provider{{Issuer: "i", JWKS: []byte(`{"keys":[{"kty":"oct","kid":"h","k":"c2VjcmV0"}]}`)}}}, `JWKS key "h" is not an RSA, EC or Ed25519 public key`},
		{"JWKS not JSON", Config{JWTMode: ModeStrict, JWT: []Provider{{Issuer: "i", JWKS: []byte(`keys`)}}}, "JWKS is not JSON"},
		{"bad location", Config{KeyMode: ModeStrict, KeyLocation: Location{Prefix: "Bearer "}}, "KeyLocation has a prefix but no header"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := New(tt.cfg)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want %q", err, tt.want)
			}
			if strings.Contains(err.Error(), "sk-") {
				t.Fatalf("error quotes a key: %v", err)
			}
		})
	}
}

func FuzzCheck(f *testing.F) {
	testKeys(f)
	clk := newClock()
	set := jwks(f, jose.JSONWebKey{Key: &ecKey.PublicKey, KeyID: "ec1"})
	g, err := New(Config{
		Keys: testKeySet, KeyMode: ModeOptional, KeyLocation: Location{Header: "x-api-key", Prefix: "Key "},
		JWT: []Provider{{Issuer: issuer, JWKS: set, Audiences: []string{"a"}}}, JWTMode: ModeOptional,
		Allow: []string{`apiKey.tier == "gold" || jwt.sub == "bob" || request.headers["x-other"] == "y"`},
		Now:   clk.Now,
	})
	if err != nil {
		f.Fatal(err)
	}
	tok := mint(f, jose.ES256, ecKey, "ec1", map[string]any{"iss": issuer, "aud": "a", "sub": "bob", "exp": clk.Now().Unix() + 60})
	f.Add("Bearer "+tok, "Key sk-alice-0123456789", "y")
	f.Add("Bearer "+tok[:len(tok)-3], "key ", "")
	f.Add("Bearer e30.e30.", "\xff\xfe", "\x00")
	f.Add("Bearer eyJhbGciOiJub25lIn0.e30.", "Key", "y")
	f.Fuzz(func(t *testing.T, authz, apiKey, other string) {
		r := httptest.NewRequest(http.MethodGet, "/", nil)
		r.Header["Authorization"] = []string{authz}
		r.Header["X-Api-Key"] = []string{apiKey}
		r.Header["X-Other"] = []string{other}
		c, d := g.Check(r, "127.0.0.1:9")
		if (c == nil) == (d == nil) {
			t.Fatalf("caller %v and denial %v", c, d)
		}
		if d != nil && d.Status != 401 && d.Status != 403 {
			t.Fatalf("status %d", d.Status)
		}
	})
}
