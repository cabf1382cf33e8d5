package auth

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rsa"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"sync"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
)

const (
	// leeway for exp and nbf: jsonwebtoken's default (Validation::new sets
	// leeway 60), which agentgateway's jwt.rs keeps.
	leeway = 60 * time.Second
	// minCacheDuration is the CRD's floor for remote JWKS cacheDuration.
	minCacheDuration = 5 * time.Minute
	// minRefetchInterval bounds refetches caused by tokens with an unknown
	// kid, so a flood of made-up kids cannot hammer the JWKS server.
	minRefetchInterval = 5 * time.Second
	maxJWKSBytes       = 1 << 20
)

// algorithms are those serve verifies. agentgateway (jsonwebtoken) has no
// ES512; it is accepted here for P-521 keys since go-jose verifies it.
var algorithms = []jose.SignatureAlgorithm{
	jose.RS256, jose.RS384, jose.RS512,
	jose.PS256, jose.PS384, jose.PS512,
	jose.ES256, jose.ES384, jose.ES512,
	jose.EdDSA,
}

type validator struct {
	providers []*provider
	client    *http.Client
	now       func() time.Time
}

type provider struct {
	issuer    string
	audiences []string
	url       string
	ttl       time.Duration

	mu        sync.RWMutex
	keys      map[string]verifyKey // by kid
	fetchedAt time.Time            // zero: never fetched successfully

	fetchMu     sync.Mutex // one fetch at a time
	lastAttempt time.Time  // guarded by fetchMu
}

type verifyKey struct {
	key  any // *rsa.PublicKey, *ecdsa.PublicKey or ed25519.PublicKey
	algs []jose.SignatureAlgorithm
}

func newValidator(ps []Provider, client *http.Client, now func() time.Time) (*validator, error) {
	v := &validator{client: client, now: now}
	var errs []error
	for i, p := range ps {
		pv := &provider{issuer: p.Issuer, audiences: p.Audiences, url: p.JWKSURL, ttl: max(p.CacheDuration, minCacheDuration)}
		switch {
		case p.Issuer == "":
			errs = append(errs, fmt.Errorf("auth: JWT provider %d has no issuer", i))
		case len(p.JWKS) > 0 && p.JWKSURL != "":
			errs = append(errs, fmt.Errorf("auth: JWT provider %q has both inline JWKS and a JWKS URL", p.Issuer))
		case len(p.JWKS) > 0:
			keys, err := parseJWKS(p.JWKS)
			if err != nil {
				errs = append(errs, fmt.Errorf("auth: JWT provider %q: %w", p.Issuer, err))
			}
			pv.keys = keys
		case p.JWKSURL != "":
			// Fetched on first use: New does not block on the network.
		default:
			errs = append(errs, fmt.Errorf("auth: JWT provider %q has neither inline JWKS nor a JWKS URL", p.Issuer))
		}
		v.providers = append(v.providers, pv)
	}
	return v, errors.Join(errs...)
}

// parseJWKS mirrors jwt.rs Provider::from_jwks: every key needs a kid and
// must be RSA, EC or Ed25519, else the whole set is refused. A key whose
// "alg" is a supported signature algorithm verifies only that algorithm;
// otherwise the key type's family is allowed (RSA: RS*/PS*, EC: ES256 and
// ES384 as agentgateway, plus ES512 on P-521 here, OKP: EdDSA).
func parseJWKS(data []byte) (map[string]verifyKey, error) {
	var raw struct {
		Keys []json.RawMessage `json:"keys"`
	}
	if err := json.Unmarshal(data, &raw); err != nil {
		return nil, fmt.Errorf("JWKS is not JSON: %w", err)
	}
	keys := make(map[string]verifyKey, len(raw.Keys))
	for i, msg := range raw.Keys {
		var k jose.JSONWebKey
		if err := k.UnmarshalJSON(msg); err != nil {
			return nil, fmt.Errorf("JWKS key %d: %w", i, err)
		}
		if k.KeyID == "" {
			return nil, fmt.Errorf("JWKS key %d has no kid", i)
		}
		pub := k.Public()
		var family []jose.SignatureAlgorithm
		switch pk := pub.Key.(type) {
		case *rsa.PublicKey:
			family = []jose.SignatureAlgorithm{jose.RS256, jose.RS384, jose.RS512, jose.PS256, jose.PS384, jose.PS512}
		case *ecdsa.PublicKey:
			family = []jose.SignatureAlgorithm{jose.ES256, jose.ES384}
			if pk.Curve == elliptic.P521() {
				family = []jose.SignatureAlgorithm{jose.ES512}
			}
		case ed25519.PublicKey:
			family = []jose.SignatureAlgorithm{jose.EdDSA}
		default:
			return nil, fmt.Errorf("JWKS key %q is not an RSA, EC or Ed25519 public key", k.KeyID)
		}
		algs := family
		if alg := jose.SignatureAlgorithm(k.Algorithm); slices.Contains(algorithms, alg) {
			algs = []jose.SignatureAlgorithm{alg}
		}
		keys[k.KeyID] = verifyKey{key: pub.Key, algs: algs}
	}
	return keys, nil
}

// tokenError is a validation failure; its text is safe to show the client
// (it never quotes the token or its kid).
type tokenError string

func (e tokenError) Error() string { return string(e) }

const (
	errMalformedHeader = tokenError("the token header is malformed")
	errMissingKeyID    = tokenError("the token header does not specify a `kid`")
	errUnknownKeyID    = tokenError("token uses an unknown key")
)

func invalid(kind string) error {
	return tokenError("the token is invalid or malformed: " + kind)
}

// validate mirrors jwt.rs Jwt::validate_claims: the kid is required and looked
// up across providers in order; the key's provider fixes the issuer and
// audiences; exp is required (jsonwebtoken's required_spec_claims default,
// which agentgateway keeps). nbf is also checked here, which jsonwebtoken
// does only on request (validate_nbf defaults to false): serve refuses a
// token that is not yet valid, as Envoy's jwt_authn does.
func (v *validator) validate(token string) (map[string]any, error) {
	tok, err := jwt.ParseSigned(token, algorithms)
	if err != nil {
		return nil, errMalformedHeader
	}
	if len(tok.Headers) != 1 {
		return nil, errMalformedHeader
	}
	h := tok.Headers[0]
	if h.KeyID == "" {
		return nil, errMissingKeyID
	}
	p, key, ok := v.lookup(h.KeyID)
	if !ok {
		return nil, errUnknownKeyID
	}
	if !slices.Contains(key.algs, jose.SignatureAlgorithm(h.Algorithm)) {
		return nil, invalid("InvalidAlgorithm")
	}
	if err := tok.Claims(key.key); err != nil {
		return nil, invalid("InvalidSignature")
	}
	// The signature was verified just above; decode the payload once.
	var std jwt.Claims
	var claims map[string]any
	if err := tok.UnsafeClaimsWithoutVerification(&std, &claims); err != nil {
		return nil, invalid("Json")
	}
	now := v.now()
	if std.Expiry == nil {
		return nil, invalid("MissingRequiredClaim(exp)")
	}
	if now.After(std.Expiry.Time().Add(leeway)) {
		return nil, invalid("ExpiredSignature")
	}
	if std.NotBefore != nil && now.Add(leeway).Before(std.NotBefore.Time()) {
		return nil, invalid("ImmatureSignature")
	}
	if std.Issuer != p.issuer {
		return nil, invalid("InvalidIssuer")
	}
	if len(p.audiences) > 0 && !slices.ContainsFunc(std.Audience, func(a string) bool { return slices.Contains(p.audiences, a) }) {
		return nil, invalid("InvalidAudience")
	}
	return claims, nil
}

// lookup finds kid across providers, refetching remote sets that are stale,
// and, when no provider knows kid, those not refetched in the last
// minRefetchInterval (key rotation at the issuer).
func (v *validator) lookup(kid string) (*provider, verifyKey, bool) {
	for _, p := range v.providers {
		if p.url != "" && p.stale(v.now()) {
			p.refresh(v, false)
		}
	}
	if p, k, ok := v.find(kid); ok {
		return p, k, true
	}
	for _, p := range v.providers {
		if p.url != "" {
			p.refresh(v, true)
		}
	}
	// Looked up again even when this call did not fetch: a concurrent
	// caller may just have brought the key.
	return v.find(kid)
}

func (v *validator) find(kid string) (*provider, verifyKey, bool) {
	for _, p := range v.providers {
		p.mu.RLock()
		k, ok := p.keys[kid]
		p.mu.RUnlock()
		if ok {
			return p, k, true
		}
	}
	return nil, verifyKey{}, false
}

func (p *provider) stale(now time.Time) bool {
	p.mu.RLock()
	defer p.mu.RUnlock()
	return p.fetchedAt.IsZero() || now.Sub(p.fetchedAt) >= p.ttl
}

// refresh fetches the set unless another goroutine just did, or an attempt
// was made within minRefetchInterval. force means "unknown kid": refetch
// even if the cache is fresh. A
// failed fetch keeps the previous keys (serving stale keys beats refusing
// every caller while the issuer is briefly unreachable).
func (p *provider) refresh(v *validator, force bool) {
	p.fetchMu.Lock()
	defer p.fetchMu.Unlock()
	now := v.now()
	if !p.lastAttempt.IsZero() && now.Sub(p.lastAttempt) < minRefetchInterval {
		return
	}
	if !force && !p.stale(now) {
		return // fetched by another goroutine while this one waited
	}
	p.lastAttempt = now
	keys, err := fetchJWKS(v.client, p.url)
	if err != nil {
		return
	}
	p.mu.Lock()
	p.keys, p.fetchedAt = keys, now
	p.mu.Unlock()
}

func fetchJWKS(client *http.Client, url string) (map[string]verifyKey, error) {
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		return nil, err
	}
	defer func() { _ = resp.Body.Close() }()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("JWKS %s: %s", url, resp.Status)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxJWKSBytes+1))
	if err != nil {
		return nil, err
	}
	if len(body) > maxJWKSBytes {
		return nil, fmt.Errorf("JWKS %s is larger than %d bytes", url, maxJWKSBytes)
	}
	return parseJWKS(body)
}
