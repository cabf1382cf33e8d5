package auth

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
)

const issuer = "https://idp.example/realms/ai"

var (
	keysOnce sync.Once
	rsaKey   *rsa.PrivateKey
	ecKey    *ecdsa.PrivateKey
	edKey    ed25519.PrivateKey
)

func testKeys(t testing.TB) {
	t.Helper()
	keysOnce.Do(func() {
		var err error
		if rsaKey, err = rsa.GenerateKey(rand.Reader, 2048); err != nil {
			panic(err)
		}
		if ecKey, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader); err != nil {
			panic(err)
		}
		if _, edKey, err = ed25519.GenerateKey(rand.Reader); err != nil {
			panic(err)
		}
	})
}

// clock is a settable time source for Config.Now.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock { return &clock{t: time.Unix(1_800_000_000, 0)} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

func mint(t testing.TB, alg jose.SignatureAlgorithm, key crypto.Signer, kid string, claims map[string]any) string {
	t.Helper()
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: alg, Key: jose.JSONWebKey{Key: key, KeyID: kid}},
		(&jose.SignerOptions{}).WithType("JWT"))
	if err != nil {
		t.Fatal(err)
	}
	tok, err := jwt.Signed(signer).Claims(claims).Serialize()
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

func jwks(t testing.TB, keys ...jose.JSONWebKey) []byte {
	t.Helper()
	b, err := json.Marshal(jose.JSONWebKeySet{Keys: keys})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func b64(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }

func TestJWT(t *testing.T) {
	testKeys(t)
	clk := newClock()
	now := clk.Now().Unix()
	g, err := New(Config{
		JWTMode: ModeStrict,
		JWT: []Provider{{
			Issuer:    issuer,
			Audiences: []string{"ai-gateway", "other"},
			JWKS: jwks(t,
				jose.JSONWebKey{Key: &rsaKey.PublicKey, KeyID: "rsa1"},
				jose.JSONWebKey{Key: &rsaKey.PublicKey, KeyID: "rsa-rs256-only", Algorithm: "RS256"},
				jose.JSONWebKey{Key: &ecKey.PublicKey, KeyID: "ec1"},
				jose.JSONWebKey{Key: edKey.Public(), KeyID: "ed1"},
			),
		}},
		Now: clk.Now,
	})
	if err != nil {
		t.Fatal(err)
	}
	good := func(extra map[string]any) map[string]any {
		c := map[string]any{"iss": issuer, "aud": "ai-gateway", "sub": "user-1", "exp": now + 300, "groups": []string{"ml"}}
		for k, v := range extra {
			if v == nil {
				delete(c, k)
				continue
			}
			c[k] = v
		}
		return c
	}
	signed := mint(t, jose.RS256, rsaKey, "rsa1", good(nil))
	parts := strings.Split(signed, ".")
	sig := []byte(parts[2])
	if sig[5] == 'A' {
		sig[5] = 'B'
	} else {
		sig[5] = 'A'
	}
	tampered := parts[0] + "." + parts[1] + "." + string(sig)
	otherPayload := parts[0] + "." + b64(`{"iss":"`+issuer+`","aud":"ai-gateway","sub":"admin","exp":9999999999}`) + "." + parts[2]
	algNone := b64(`{"alg":"none","kid":"rsa1","typ":"JWT"}`) + "." + parts[1] + "."
	pubDER, err := x509.MarshalPKIXPublicKey(&rsaKey.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	hsSigner, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.HS256, Key: pubDER}, (&jose.SignerOptions{}).WithHeader("kid", "rsa1"))
	if err != nil {
		t.Fatal(err)
	}
	hs256, err := jwt.Signed(hsSigner).Claims(good(nil)).Serialize()
	if err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name  string
		token string
		want  string // "" = accepted; else the Denial message's suffix
	}{
		{"RS256", signed, ""},
		{"PS384 on an RSA key without alg", mint(t, jose.PS384, rsaKey, "rsa1", good(nil)), ""},
		{"ES256", mint(t, jose.ES256, ecKey, "ec1", good(nil)), ""},
		{"EdDSA", mint(t, jose.EdDSA, edKey, "ed1", good(nil)), ""},
		{"aud list with one match", mint(t, jose.RS256, rsaKey, "rsa1", good(map[string]any{"aud": []string{"x", "other"}})), ""},
		{"expired within leeway", mint(t, jose.RS256, rsaKey, "rsa1", good(map[string]any{"exp": now - 30})), ""},
		{"expired", mint(t, jose.RS256, rsaKey, "rsa1", good(map[string]any{"exp": now - 120})), "invalid or malformed: ExpiredSignature"},
		{"not yet valid", mint(t, jose.RS256, rsaKey, "rsa1", good(map[string]any{"nbf": now + 120})), "invalid or malformed: ImmatureSignature"},
		{"nbf within leeway", mint(t, jose.RS256, rsaKey, "rsa1", good(map[string]any{"nbf": now + 30})), ""},
		{"no exp", mint(t, jose.RS256, rsaKey, "rsa1", good(map[string]any{"exp": nil})), "MissingRequiredClaim(exp)"},
		{"wrong issuer", mint(t, jose.RS256, rsaKey, "rsa1", good(map[string]any{"iss": "https://evil.example"})), "InvalidIssuer"},
		{"no issuer", mint(t, jose.RS256, rsaKey, "rsa1", good(map[string]any{"iss": nil})), "InvalidIssuer"},
		{"wrong audience", mint(t, jose.RS256, rsaKey, "rsa1", good(map[string]any{"aud": "someone-else"})), "InvalidAudience"},
		{"no audience", mint(t, jose.RS256, rsaKey, "rsa1", good(map[string]any{"aud": nil})), "InvalidAudience"},
		{"alg pinned by the JWK", mint(t, jose.PS256, rsaKey, "rsa-rs256-only", good(nil)), "InvalidAlgorithm"},
		{"ES256 token naming the RSA key", mint(t, jose.ES256, ecKey, "rsa1", good(nil)), "InvalidAlgorithm"},
		{"alg none", algNone, "the token header is malformed"},
		{"HS256 with the public key as secret", hs256, "the token header is malformed"},
		{"tampered signature", tampered, "InvalidSignature"},
		{"payload swapped", otherPayload, "InvalidSignature"},
		{"no kid", mint(t, jose.RS256, rsaKey, "", good(nil)), "does not specify a `kid`"},
		{"unknown kid", mint(t, jose.RS256, rsaKey, "nope", good(nil)), "token uses an unknown key"},
		{"garbage", "not-a-jwt", "the token header is malformed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest(http.MethodPost, "/v1/chat/completions", nil)
			r.Header.Set("Authorization", "Bearer "+tt.token)
			c, d := g.Check(r, "127.0.0.1:4000")
			if tt.want == "" {
				if d != nil {
					t.Fatalf("denied: %+v", d)
				}
				if c.Name != "user-1" || c.Claims["sub"] != "user-1" {
					t.Fatalf("caller = %+v", c)
				}
				if r.Header.Get("Authorization") != "" {
					t.Fatal("validated token was not stripped")
				}
				return
			}
			if d == nil {
				t.Fatalf("accepted, want %q", tt.want)
			}
			if d.Status != http.StatusUnauthorized || !strings.HasSuffix(d.Message, tt.want) ||
				!strings.HasPrefix(d.Message, "authentication failure: ") {
				t.Fatalf("denial = %+v, want 401 ending %q", d, tt.want)
			}
			if d.Challenge != `Bearer realm="kubelb-ai", error="invalid_token"` {
				t.Fatalf("challenge = %q", d.Challenge)
			}
			if strings.Contains(d.Message, tt.token) || strings.Contains(d.Message, "nope") {
				t.Fatalf("message quotes the token: %q", d.Message)
			}
			if r.Header.Get("Authorization") == "" {
				t.Fatal("refused token was stripped")
			}
		})
	}
}

func TestJWTModes(t *testing.T) {
	testKeys(t)
	clk := newClock()
	set := jwks(t, jose.JSONWebKey{Key: &ecKey.PublicKey, KeyID: "ec1"})
	valid := mint(t, jose.ES256, ecKey, "ec1", map[string]any{"iss": issuer, "sub": "u", "exp": clk.Now().Unix() + 60})
	expired := mint(t, jose.ES256, ecKey, "ec1", map[string]any{"iss": issuer, "sub": "u", "exp": clk.Now().Unix() - 3600})
	tests := []struct {
		mode, header string
		wantStatus   int
		wantSub      string
		wantStripped bool
	}{
		{ModeStrict, "", 401, "", false},
		{ModeStrict, "Basic dTpw", 401, "", false}, // another scheme is no token at all
		{ModeStrict, "bearer " + valid, 0, "u", true},
		{ModeOptional, "", 0, "", false},
		{ModeOptional, "Bearer " + expired, 401, "", false},
		{ModeOptional, "Bearer " + valid, 0, "u", true},
		{ModePermissive, "Bearer " + expired, 0, "", false},
		{ModePermissive, "Bearer " + valid, 0, "u", true},
	}
	for _, tt := range tests {
		t.Run(tt.mode+" "+tt.header[:min(len(tt.header), 12)], func(t *testing.T) {
			g, err := New(Config{JWTMode: tt.mode, JWT: []Provider{{Issuer: issuer, JWKS: set}}, Now: clk.Now})
			if err != nil {
				t.Fatal(err)
			}
			r := httptest.NewRequest(http.MethodGet, "/", nil)
			if tt.header != "" {
				r.Header.Set("Authorization", tt.header)
			}
			c, d := g.Check(r, "127.0.0.1:1")
			if tt.wantStatus != 0 {
				if d == nil || d.Status != tt.wantStatus {
					t.Fatalf("denial = %+v, want %d", d, tt.wantStatus)
				}
				if tt.header == "" && (d.Challenge != `Bearer realm="kubelb-ai"` || d.Message != "authentication failure: no bearer token found") {
					t.Fatalf("missing-token denial = %+v", d)
				}
				return
			}
			if d != nil {
				t.Fatalf("denied: %+v", d)
			}
			if c.Name != tt.wantSub {
				t.Fatalf("name = %q, want %q", c.Name, tt.wantSub)
			}
			if stripped := tt.header != "" && r.Header.Get("Authorization") == ""; stripped != tt.wantStripped {
				t.Fatalf("stripped = %v, want %v", stripped, tt.wantStripped)
			}
		})
	}
}

// jwksServer serves a replaceable key set on 127.0.0.1 and counts fetches.
type jwksServer struct {
	*httptest.Server
	mu      sync.Mutex
	body    []byte
	fetches atomic.Int32
}

func newJWKSServer(t *testing.T, body []byte) *jwksServer {
	s := &jwksServer{body: body}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		s.fetches.Add(1)
		s.mu.Lock()
		b := s.body
		s.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(b)
	}))
	t.Cleanup(s.Close)
	return s
}

func (s *jwksServer) set(b []byte) {
	s.mu.Lock()
	s.body = b
	s.mu.Unlock()
}

func TestJWKSRotation(t *testing.T) {
	testKeys(t)
	clk := newClock()
	rsa2, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	k1 := jose.JSONWebKey{Key: &rsaKey.PublicKey, KeyID: "k1"}
	k2 := jose.JSONWebKey{Key: &rsa2.PublicKey, KeyID: "k2"}
	srv := newJWKSServer(t, jwks(t, k1))
	g, err := New(Config{
		JWTMode:    ModeStrict,
		JWT:        []Provider{{Issuer: issuer, JWKSURL: srv.URL + "/certs", CacheDuration: time.Minute}},
		HTTPClient: srv.Client(),
		Now:        clk.Now,
	})
	if err != nil {
		t.Fatal(err)
	}
	claims := func() map[string]any {
		return map[string]any{"iss": issuer, "sub": "u", "exp": clk.Now().Unix() + 3600}
	}
	check := func(tok string) *Denial {
		r := httptest.NewRequest(http.MethodGet, "/", nil)
		r.Header.Set("Authorization", "Bearer "+tok)
		_, d := g.Check(r, "127.0.0.1:1")
		return d
	}
	step := func(name string, tok string, wantOK bool, wantFetches int32) {
		t.Helper()
		d := check(tok)
		if (d == nil) != wantOK {
			t.Fatalf("%s: denial = %+v, want ok=%v", name, d, wantOK)
		}
		if n := srv.fetches.Load(); n != wantFetches {
			t.Fatalf("%s: %d fetches, want %d", name, n, wantFetches)
		}
	}
	step("first use fetches", mint(t, jose.RS256, rsaKey, "k1", claims()), true, 1)
	step("cached", mint(t, jose.RS256, rsaKey, "k1", claims()), true, 1)

	srv.set(jwks(t, k1, k2))
	clk.Advance(10 * time.Second)
	step("new kid refetches", mint(t, jose.RS256, rsa2, "k2", claims()), true, 2)

	// The issuer drops k1. CacheDuration 1m is raised to the 5m floor, so
	// at 4m the cached set still has k1.
	srv.set(jwks(t, k2))
	clk.Advance(4 * time.Minute)
	step("old key still cached", mint(t, jose.RS256, rsaKey, "k1", claims()), true, 2)
	clk.Advance(2 * time.Minute)
	step("old key gone after the refresh", mint(t, jose.RS256, rsaKey, "k1", claims()), false, 3)
	step("new key still fine", mint(t, jose.RS256, rsa2, "k2", claims()), true, 3)
}

func TestJWKSUnknownKidRateBound(t *testing.T) {
	testKeys(t)
	clk := newClock()
	srv := newJWKSServer(t, jwks(t, jose.JSONWebKey{Key: &ecKey.PublicKey, KeyID: "ec1"}))
	g, err := New(Config{
		JWTMode:    ModeStrict,
		JWT:        []Provider{{Issuer: issuer, JWKSURL: srv.URL}},
		HTTPClient: srv.Client(),
		Now:        clk.Now,
	})
	if err != nil {
		t.Fatal(err)
	}
	claims := map[string]any{"iss": issuer, "exp": clk.Now().Unix() + 3600}
	var bad []string
	for i := range 8 {
		bad = append(bad, mint(t, jose.ES256, ecKey, "made-up-"+string(rune('a'+i)), claims))
	}
	flood := func() {
		var wg sync.WaitGroup
		for i := range 64 {
			wg.Go(func() {
				r := httptest.NewRequest(http.MethodGet, "/", nil)
				r.Header.Set("Authorization", "Bearer "+bad[i%len(bad)])
				if _, d := g.Check(r, "127.0.0.1:1"); d == nil || !strings.HasSuffix(d.Message, "token uses an unknown key") {
					t.Errorf("denial = %+v", d)
				}
			})
		}
		wg.Wait()
	}
	flood()
	if n := srv.fetches.Load(); n != 1 {
		t.Fatalf("%d fetches for a flood of unknown kids, want 1", n)
	}
	clk.Advance(2 * time.Second)
	flood()
	if n := srv.fetches.Load(); n != 1 {
		t.Fatalf("%d fetches 2s later, want still 1", n)
	}
	clk.Advance(4 * time.Second)
	flood()
	if n := srv.fetches.Load(); n != 2 {
		t.Fatalf("%d fetches 6s later, want 2", n)
	}
}

func TestJWKSFetchFailureKeepsKeys(t *testing.T) {
	testKeys(t)
	clk := newClock()
	srv := newJWKSServer(t, jwks(t, jose.JSONWebKey{Key: &ecKey.PublicKey, KeyID: "ec1"}))
	g, err := New(Config{
		JWTMode: ModeStrict, JWT: []Provider{{Issuer: issuer, JWKSURL: srv.URL}},
		HTTPClient: srv.Client(), Now: clk.Now,
	})
	if err != nil {
		t.Fatal(err)
	}
	tok := func() string {
		return mint(t, jose.ES256, ecKey, "ec1", map[string]any{"iss": issuer, "exp": clk.Now().Unix() + 60})
	}
	check := func() *Denial {
		r := httptest.NewRequest(http.MethodGet, "/", nil)
		r.Header.Set("Authorization", "Bearer "+tok())
		_, d := g.Check(r, "127.0.0.1:1")
		return d
	}
	if d := check(); d != nil {
		t.Fatalf("denied: %+v", d)
	}
	srv.set([]byte(`{"keys":[{"kty":"oct","k":"c2VjcmV0"}]}`)) // refused as a whole: no kid
	clk.Advance(6 * time.Minute)
	if d := check(); d != nil {
		t.Fatalf("stale keys were dropped after a bad fetch: %+v", d)
	}
	if n := srv.fetches.Load(); n != 2 {
		t.Fatalf("%d fetches, want 2", n)
	}
}
