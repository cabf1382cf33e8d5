package proxy

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"

	"github.com/kubelb-ai/kubelb-ai/internal/fakeprovider"
	"github.com/kubelb-ai/kubelb-ai/spec"
	"github.com/kubelb-ai/kubelb-ai/templates"
)

// jwksService is an issuer's key set served on loopback, as a Service in
// the cluster would; the keys can be rotated.
type jwksService struct {
	*httptest.Server
	mu      sync.Mutex
	set     []byte
	fetches atomic.Int32
}

func newJWKSService(t *testing.T, keys ...jose.JSONWebKey) *jwksService {
	s := &jwksService{}
	s.rotate(t, keys...)
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/realms/ai/certs" {
			http.NotFound(w, r)
			return
		}
		s.fetches.Add(1)
		s.mu.Lock()
		defer s.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(s.set)
	}))
	t.Cleanup(s.Close)
	return s
}

func (s *jwksService) rotate(t *testing.T, keys ...jose.JSONWebKey) {
	b, err := json.Marshal(jose.JSONWebKeySet{Keys: keys})
	if err != nil {
		t.Fatal(err)
	}
	s.mu.Lock()
	s.set = b
	s.mu.Unlock()
}

func signJWT(t *testing.T, alg jose.SignatureAlgorithm, key crypto.Signer, kid string, claims map[string]any) string {
	t.Helper()
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: alg, Key: jose.JSONWebKey{Key: key, KeyID: kid}}, (&jose.SignerOptions{}).WithType("JWT"))
	if err != nil {
		t.Fatal(err)
	}
	payload, _ := json.Marshal(claims)
	obj, err := signer.Sign(payload)
	if err != nil {
		t.Fatal(err)
	}
	s, err := obj.CompactSerialize()
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// Tokens minted here (RS256 and ES256) are checked against the issuer's key
// set, fetched from the Service --upstream maps: valid ones pass and their
// claims reach the allow rules; expired, wrong-audience and foreign ones
// get 401; a rotated key is fetched when a token names it. The token never
// reaches the provider.
func TestClientJWT(t *testing.T) {
	rsaKey, _ := rsa.GenerateKey(rand.Reader, 2048)
	ecKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	newKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	foreign, _ := rsa.GenerateKey(rand.Reader, 2048)
	svc := newJWKSService(t, jose.JSONWebKey{Key: &rsaKey.PublicKey, KeyID: "rsa-1", Use: "sig"}, jose.JSONWebKey{Key: &ecKey.PublicKey, KeyID: "ec-1", Use: "sig"})

	const issuer = "https://idp.example.com/realms/ai"
	g, err := spec.Options{Target: templates.Agentgateway, Providers: []string{"openai"}}.Build()
	if err != nil {
		t.Fatal(err)
	}
	g.Spec.Clients = &spec.Clients{Allow: []string{`jwt.groups.exists(x, x == "ml")`},
		JWT: &spec.JWT{Issuer: issuer, Audiences: []string{"ai-gateway"}, JWKS: spec.JWKS{Service: "keycloak.idp:8080", Path: "/realms/ai/certs"}}}
	if err := spec.Check(g); err != nil {
		t.Fatal(err)
	}
	f := fakeprovider.New(t, fakeprovider.OpenAI, "sk-provider")
	base, _, logs := serveMapsWith(t, renderMaps(t, g), map[string]*fakeprovider.Server{"openai": f}, func(o *Options) {
		o.Upstreams["keycloak"], _ = url.Parse(svc.URL)
	})
	now := time.Now().Unix()
	claims := func(edit map[string]any) map[string]any {
		c := map[string]any{"iss": issuer, "aud": "ai-gateway", "sub": "carol", "groups": []string{"ml"}, "exp": now + 300, "iat": now}
		for k, v := range edit {
			if v == nil {
				delete(c, k)
			} else {
				c[k] = v
			}
		}
		return c
	}
	send := func(token string) int {
		return sendWith(t, base+"/openai/v1/chat/completions", chat, map[string]string{"Authorization": "Bearer " + token}).status
	}
	rs := signJWT(t, jose.RS256, rsaKey, "rsa-1", claims(nil))
	for _, c := range []struct {
		name   string
		token  string
		status int
	}{
		{"RS256", rs, http.StatusOK},
		{"ES256", signJWT(t, jose.ES256, ecKey, "ec-1", claims(nil)), http.StatusOK},
		{"expired", signJWT(t, jose.RS256, rsaKey, "rsa-1", claims(map[string]any{"exp": now - 3600})), http.StatusUnauthorized},
		{"wrong audience", signJWT(t, jose.RS256, rsaKey, "rsa-1", claims(map[string]any{"aud": "other-app"})), http.StatusUnauthorized},
		{"wrong issuer", signJWT(t, jose.RS256, rsaKey, "rsa-1", claims(map[string]any{"iss": "https://evil.example"})), http.StatusUnauthorized},
		{"signed by another key under a known kid", signJWT(t, jose.RS256, foreign, "rsa-1", claims(nil)), http.StatusUnauthorized},
		{"not in the group the rule allows", signJWT(t, jose.ES256, ecKey, "ec-1", claims(map[string]any{"groups": []string{"web"}})), http.StatusForbidden},
		{"tampered claims", rs[:strings.Index(rs, ".")+1] + b64url(`{"iss":"`+issuer+`","aud":"ai-gateway","sub":"mallory","groups":["ml"],"exp":9999999999}`) + rs[strings.LastIndex(rs, "."):], http.StatusUnauthorized},
	} {
		if got := send(c.token); got != c.status {
			t.Errorf("%s: %d, want %d", c.name, got, c.status)
		}
	}
	// Rotation: the issuer adds a key; a token naming it makes serve
	// fetch the set again (unknown kids refetch at most every 5s, so a
	// flood of made-up ones cannot hammer the issuer: wait that out).
	svc.rotate(t, jose.JSONWebKey{Key: &newKey.PublicKey, KeyID: "ec-2", Use: "sig"})
	time.Sleep(5100 * time.Millisecond)
	before := svc.fetches.Load()
	if got := send(signJWT(t, jose.ES256, newKey, "ec-2", claims(nil))); got != http.StatusOK {
		t.Errorf("a token of the rotated-in key: %d", got)
	}
	if svc.fetches.Load() == before {
		t.Error("the key set was not fetched again for an unknown kid")
	}
	for _, r := range f.Requests() {
		if got := r.Header.Get("Authorization"); got != "Bearer sk-provider" {
			t.Errorf("the provider got Authorization %q", got)
		}
	}
	if !strings.Contains(logs.String(), `"client":"carol"`) {
		t.Errorf("the log does not name the token's subject:\n%s", logs.String())
	}
}

func b64url(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }
