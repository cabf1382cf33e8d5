// Package auth checks who calls the gateway the way agentgateway v1.4.1 does
// for AgentgatewayPolicy.spec.traffic.jwtAuthentication,
// apiKeyAuthentication and authorization: in that order (its
// proxy/httpproxy.rs applies jwt, then basic auth, then API keys, then
// authorization), with the same modes, the validated credential stripped
// from the request, and the identity exposed to CEL as jwt.* and apiKey.*.
//
// Nothing here logs, and no error or Denial carries a presented credential.
package auth

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/kubelb-ai/kubelb-ai/proxy/expr"
)

// Modes, as agentgateway spells them (apikey.rs and jwt.rs Mode).
const (
	// ModeStrict refuses a request with a missing or invalid credential.
	ModeStrict = "Strict"
	// ModeOptional admits a request without the credential but refuses an
	// invalid one.
	ModeOptional = "Optional"
	// ModePermissive never refuses for the credential; a valid one still
	// identifies the caller.
	ModePermissive = "Permissive"
)

// realm names the protection space in WWW-Authenticate challenges.
const realm = "kubelb-ai"

// Key is one accepted API key: either its literal Value or its Hash.
type Key struct {
	Value    string // resolved key; never logged
	Hash     string // "sha256:<64 hex>"
	Metadata map[string]any
}

// Location is where a credential is read from. The zero value is
// agentgateway's default: the Authorization header with a "Bearer " prefix.
// A Header without Prefix is taken whole.
type Location struct {
	Header, Prefix string
}

// Provider is one trusted JWT issuer.
type Provider struct {
	Issuer    string
	Audiences []string // any one must be in the token's aud; none = aud not checked
	JWKS      []byte   // inline JSON Web Key Set
	JWKSURL   string   // fetched with Config.HTTPClient when JWKS is empty
	// CacheDuration is how long a fetched set is used before it is
	// refetched; at least 5 minutes (the CRD's minimum) is enforced.
	CacheDuration time.Duration
}

// Config describes one policy's client checks. An empty mode disables that
// check.
type Config struct {
	Keys        []Key
	KeyMode     string // Strict|Optional|Permissive; "" = no API-key check
	KeyLocation Location

	JWT         []Provider
	JWTMode     string
	JWTLocation Location

	// Allow, Deny and Require are agentgateway's authorization rules
	// (authorization.rs RuleSets::validate): a Deny that is true refuses,
	// every Require must be true, and when there are Allow rules one must
	// be true. A rule that fails to evaluate counts as false (so a Deny
	// that errors does not refuse). No rules: everyone passes.
	Allow   []string
	Deny    []string
	Require []string

	HTTPClient *http.Client     // for JWKSURL; nil = a client with a 10s timeout
	Now        func() time.Time // nil = time.Now
}

// Gate performs the checks of one Config; safe for concurrent use.
type Gate struct {
	keyMode string
	keyLoc  location
	keys    []keyEntry

	jwtMode string
	jwtLoc  location
	jwt     *validator

	allow, deny, require []*expr.Program
}

type keyEntry struct {
	digest   [sha256.Size]byte
	metadata map[string]any
}

// Caller is who passed the checks. Name is the API key's "client" metadata
// when it is a string, else the token's sub, else "".
type Caller struct {
	Name   string
	APIKey map[string]any // metadata of the matched key; nil without one
	Claims map[string]any // verified token claims; nil without a token
	Vars   *expr.Vars     // the CEL variables the rules saw
}

// Denial is a refusal: Status 401 (authentication) or 403 (authorization).
type Denial struct {
	Status    int
	Challenge string // WWW-Authenticate value, "" for none
	Message   string
}

// New validates cfg, hashes literal keys, parses inline JWKS and compiles
// the rules.
func New(cfg Config) (*Gate, error) {
	g := &Gate{keyMode: cfg.KeyMode, jwtMode: cfg.JWTMode}
	var errs []error
	if err := checkMode("KeyMode", cfg.KeyMode); err != nil {
		errs = append(errs, err)
	}
	if err := checkMode("JWTMode", cfg.JWTMode); err != nil {
		errs = append(errs, err)
	}
	if cfg.KeyMode == "" && len(cfg.Keys) > 0 {
		errs = append(errs, errors.New("auth: API keys are configured but KeyMode is empty"))
	}
	if cfg.JWTMode == "" && len(cfg.JWT) > 0 {
		errs = append(errs, errors.New("auth: JWT providers are configured but JWTMode is empty"))
	}
	if cfg.JWTMode != "" && len(cfg.JWT) == 0 {
		errs = append(errs, errors.New("auth: JWTMode is set but there is no JWT provider"))
	}
	var err error
	if g.keyLoc, err = newLocation("KeyLocation", cfg.KeyLocation); err != nil {
		errs = append(errs, err)
	}
	if g.jwtLoc, err = newLocation("JWTLocation", cfg.JWTLocation); err != nil {
		errs = append(errs, err)
	}
	for i, k := range cfg.Keys {
		e, err := newKeyEntry(k)
		if err != nil {
			errs = append(errs, fmt.Errorf("auth: key %d: %w", i, err))
			continue
		}
		g.keys = append(g.keys, e)
	}
	if cfg.JWTMode != "" {
		now := cfg.Now
		if now == nil {
			now = time.Now
		}
		client := cfg.HTTPClient
		if client == nil {
			client = &http.Client{Timeout: 10 * time.Second}
		}
		if g.jwt, err = newValidator(cfg.JWT, client, now); err != nil {
			errs = append(errs, err)
		}
	}
	compile := func(kind string, srcs []string) []*expr.Program {
		var out []*expr.Program
		for i, src := range srcs {
			p, err := expr.Compile(src)
			if err != nil {
				errs = append(errs, fmt.Errorf("auth: %s rule %d: %w", kind, i, err))
				continue
			}
			out = append(out, p)
		}
		return out
	}
	g.allow = compile("allow", cfg.Allow)
	g.deny = compile("deny", cfg.Deny)
	g.require = compile("require", cfg.Require)
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return g, nil
}

func checkMode(field, mode string) error {
	switch mode {
	case "", ModeStrict, ModeOptional, ModePermissive:
		return nil
	}
	return fmt.Errorf("auth: %s %q is not Strict, Optional or Permissive", field, mode)
}

func newKeyEntry(k Key) (keyEntry, error) {
	e := keyEntry{metadata: k.Metadata}
	switch {
	case k.Value != "" && k.Hash != "":
		return e, errors.New("both a value and a hash are set")
	case k.Value != "":
		e.digest = sha256.Sum256([]byte(k.Value))
	case k.Hash != "":
		// apikey.rs APIKeyHash::parse: "sha256:" then 32 bytes of hex,
		// either case.
		hexDigest, ok := strings.CutPrefix(k.Hash, "sha256:")
		if !ok {
			return e, errors.New(`hash must use the "sha256:<hex>" format`)
		}
		b, err := hex.DecodeString(hexDigest)
		if err != nil || len(b) != sha256.Size {
			return e, errors.New("sha256 hash must be 64 hex digits")
		}
		copy(e.digest[:], b)
	default:
		return e, errors.New("neither a value nor a hash is set")
	}
	return e, nil
}

// Check authenticates and authorizes r. On success it removes the validated
// credential headers from r and returns the caller; otherwise the refusal.
func (g *Gate) Check(r *http.Request, source string) (*Caller, *Denial) {
	c := &Caller{}
	if g.jwt != nil {
		if d := g.checkJWT(r, c); d != nil {
			return nil, d
		}
	}
	if g.keyMode != "" {
		if d := g.checkKey(r, c); d != nil {
			return nil, d
		}
	}
	v := expr.NewVars(r, source)
	if c.Claims != nil {
		v.SetJWT(c.Claims)
		c.Claims = v.JWT()
		if sub, ok := c.Claims["sub"].(string); ok {
			c.Name = sub
		}
	}
	if c.APIKey != nil {
		v.SetAPIKey(c.APIKey)
		if name, ok := c.APIKey["client"].(string); ok {
			c.Name = name
		}
	}
	c.Vars = v
	if !g.authorized(v) {
		// agentgateway answers ProxyError::AuthorizationFailed: 403,
		// "authorization failed" (proxy/mod.rs).
		return nil, &Denial{Status: http.StatusForbidden, Message: "authorization failed"}
	}
	return c, nil
}

// authorized mirrors authorization.rs RuleSets::validate for one rule set.
func (g *Gate) authorized(v *expr.Vars) bool {
	holds := func(p *expr.Program) bool {
		ok, err := p.Bool(v)
		return err == nil && ok
	}
	for _, p := range g.deny {
		if holds(p) {
			return false
		}
	}
	for _, p := range g.require {
		if !holds(p) {
			return false
		}
	}
	for _, p := range g.allow {
		if holds(p) {
			return true
		}
	}
	return len(g.allow) == 0
}

func (g *Gate) checkKey(r *http.Request, c *Caller) *Denial {
	key, present := g.keyLoc.extract(r)
	if !present {
		if g.keyMode == ModeStrict {
			return g.keyDenial("no API Key found", false)
		}
		return nil
	}
	digest := sha256.Sum256([]byte(key))
	match := -1
	// Every entry is compared, without an early exit, so the time taken
	// does not tell which (or whether an earlier) entry matched.
	for i := range g.keys {
		if subtle.ConstantTimeCompare(digest[:], g.keys[i].digest[:]) == 1 {
			match = i
		}
	}
	if match < 0 {
		if g.keyMode == ModePermissive {
			return nil
		}
		return g.keyDenial("invalid credentials", true)
	}
	meta := g.keys[match].metadata
	c.APIKey = make(map[string]any, len(meta))
	for k, v := range meta {
		c.APIKey[k] = v
	}
	g.keyLoc.remove(r)
	return nil
}

// keyDenial uses agentgateway's messages (apikey.rs Error, prefixed as in
// proxy/mod.rs). agentgateway sends no WWW-Authenticate for API keys; serve
// sends an RFC 6750-style challenge when the key travels in Authorization
// under a scheme prefix, so clients learn the scheme, and none for a custom
// header, which has no registered scheme to name.
func (g *Gate) keyDenial(reason string, invalid bool) *Denial {
	return &Denial{
		Status:    http.StatusUnauthorized,
		Challenge: g.keyLoc.challenge(invalid),
		Message:   "api key authentication failure: " + reason,
	}
}

func (g *Gate) checkJWT(r *http.Request, c *Caller) *Denial {
	token, present := g.jwtLoc.extract(r)
	if !present {
		if g.jwtMode == ModeStrict {
			return &Denial{
				Status:    http.StatusUnauthorized,
				Challenge: g.jwtLoc.challenge(false),
				Message:   "authentication failure: no bearer token found",
			}
		}
		return nil
	}
	claims, err := g.jwt.validate(token)
	if err != nil {
		if g.jwtMode == ModePermissive {
			return nil
		}
		return &Denial{
			Status:    http.StatusUnauthorized,
			Challenge: g.jwtLoc.challenge(true),
			Message:   "authentication failure: " + err.Error(),
		}
	}
	c.Claims = claims
	g.jwtLoc.remove(r)
	return nil
}

// location is a resolved Location.
type location struct {
	header string // canonical name
	prefix string
}

func newLocation(field string, l Location) (location, error) {
	if l.Header == "" {
		if l.Prefix != "" {
			return location{}, fmt.Errorf("auth: %s has a prefix but no header", field)
		}
		return location{header: "Authorization", prefix: "Bearer "}, nil
	}
	if strings.ContainsAny(l.Header, " \t\r\n:") {
		return location{}, fmt.Errorf("auth: %s header %q is not a header name", field, l.Header)
	}
	return location{header: http.CanonicalHeaderKey(l.Header), prefix: l.Prefix}, nil
}

// extract mirrors auth/mod.rs AuthorizationLocation::extract: the first value
// of the header, which must be visible ASCII (http's to_str), with the
// prefix matched case-insensitively and removed. A value without the prefix
// counts as no credential at all, as there.
func (l location) extract(r *http.Request) (string, bool) {
	values := r.Header[l.header]
	if len(values) == 0 {
		return "", false
	}
	v := values[0]
	for i := 0; i < len(v); i++ {
		if b := v[i]; (b < 0x20 && b != '\t') || b > 0x7e {
			return "", false
		}
	}
	if l.prefix == "" {
		return v, true
	}
	if len(v) < len(l.prefix) || !strings.EqualFold(v[:len(l.prefix)], l.prefix) {
		return "", false
	}
	return v[len(l.prefix):], true
}

// remove drops every value of the header, as agentgateway does after a
// credential validated (HeaderMap::remove).
func (l location) remove(r *http.Request) { r.Header.Del(l.header) }

// challenge is the WWW-Authenticate value for a refusal: the scheme of an
// Authorization prefix ("Bearer"), with error="invalid_token" when a
// credential was presented and refused (RFC 6750 §3.1: a request without
// one gets no error code). agentgateway itself sends no challenge for JWT
// or API-key failures (proxy/mod.rs only adds one for basic auth and MCP).
func (l location) challenge(invalid bool) string {
	scheme := strings.TrimSpace(l.prefix)
	if l.header != "Authorization" || scheme == "" || strings.ContainsAny(scheme, " \"") {
		return ""
	}
	c := scheme + ` realm="` + realm + `"`
	if invalid {
		c += `, error="invalid_token"`
	}
	return c
}
