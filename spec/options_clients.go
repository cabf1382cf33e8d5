package spec

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"os"
	"regexp"
	"strconv"
	"strings"
)

// ClientOptions are the flags that say who may call the gateway and how
// its limits are counted. Build parses their shape; Check judges the
// values, and Locate puts the flags' names on what it finds.
type ClientOptions struct {
	ClientKeys      []string // NAME=VARIABLE
	ClientKeyHashes []string // NAME=sha256:HEX
	ClientKeyHeader string
	ClientMode      string
	JWTIssuer       string
	JWTAudiences    []string
	JWTJWKS         string // http://NAME.NAMESPACE.svc[:PORT]/PATH, NAME.NAMESPACE:PORT/PATH, or a file
	Allow           []string

	LimitScope           string // local|global, for RateLimit and TokenLimit
	LimitKey             string // route|client|CEL
	RateLimitService     string // NAME.NAMESPACE:PORT
	RateLimitDomain      string
	RateLimitFailureMode string
}

// buildClients adds the client flags' Clients and rate-limit service to s.
func (o ClientOptions) buildClients(e *errs, s *Spec) {
	c := &Clients{Header: o.ClientKeyHeader, Allow: o.Allow}
	for _, f := range []struct {
		flag, want, example string
		values              []string
		hash                bool
	}{
		{"--client-key", "VARIABLE", "alice=ALICE_KEY", o.ClientKeys, false},
		{"--client-key-hash", "sha256:HEX", "alice=sha256:<64 hex digits>", o.ClientKeyHashes, true},
	} {
		for _, v := range f.values {
			name, value, ok := strings.Cut(v, "=")
			if !ok || name == "" || value == "" {
				e.add(f.flag, "%q is not NAME=%s, e.g. %s", v, f.want, f.example)
				continue
			}
			k := APIKey{Name: name, Env: value}
			if f.hash {
				k = APIKey{Name: name, Hash: value}
			}
			c.APIKeys = append(c.APIKeys, k)
		}
	}
	for _, m := range []string{ModeStrict, ModeOptional, ModePermissive} {
		if strings.EqualFold(o.ClientMode, m) {
			c.Mode = m // Check names an unknown one
		}
	}
	if c.Mode == "" {
		c.Mode = o.ClientMode
	}
	jwtGiven := o.JWTIssuer != "" || len(o.JWTAudiences) > 0 || o.JWTJWKS != ""
	if jwtGiven {
		c.JWT = &JWT{Issuer: o.JWTIssuer, Audiences: o.JWTAudiences}
		if o.JWTJWKS == "" {
			e.add("--jwt-jwks", "required with --jwt-issuer: the issuer's key set, http://NAME.NAMESPACE.svc:PORT/PATH or a file holding it")
		} else if jwks, err := parseJWKS(o.JWTJWKS); err != nil {
			e.add("--jwt-jwks", "%v", err)
		} else {
			c.JWT.JWKS = jwks
		}
	}
	if len(c.APIKeys) > 0 || c.Header != "" || c.Mode != "" || c.JWT != nil || len(c.Allow) > 0 {
		s.Clients = c
	}
	if o.RateLimitService != "" || o.RateLimitDomain != "" || o.RateLimitFailureMode != "" {
		// The service defaults as Default would, so that a domain or mode
		// given alone is judged on its own.
		s.RateLimitService = &RateLimitService{Service: o.RateLimitService, Domain: o.RateLimitDomain, FailureMode: o.RateLimitFailureMode}
		if s.RateLimitService.Service == "" {
			s.RateLimitService.Service = DefaultRateLimitService
		}
		if s.RateLimitService.Domain == "" {
			s.RateLimitService.Domain = DefaultRateLimitDomain
		}
	}
}

// limitRate parses a --rate-limit or --token-limit value under
// --limit-scope: a day only fits a global limit.
func (o ClientOptions) limitRate(s string) (int32, string, error) {
	n, unit, err := parseRate(s, units)
	if err == nil && unit == PerDay && o.LimitScope != ScopeGlobal {
		return 0, "", fmt.Errorf("%q: per day needs --limit-scope global (a replica's local counter restarts with it)", s)
	}
	return n, unit, err
}

// ParseLimitRate parses N/UNIT as a limit of scope does: day is a unit
// of global limits only.
func ParseLimitRate(s, scope string) (int32, string, error) {
	return ClientOptions{LimitScope: scope}.limitRate(s)
}

// jwksServiceRE is NAME.NAMESPACE[.svc[.cluster.local]].
var jwksServiceRE = regexp.MustCompile(`^([a-z0-9]([-a-z0-9]*[a-z0-9])?)\.([a-z0-9]([-a-z0-9]*[a-z0-9])?)(\.svc(\.cluster\.local)?)?$`)

// parseJWKS reads --jwt-jwks: an in-cluster Service's URL (with or
// without http://; the port defaults to 80) becomes service and path, and
// anything else is a file whose key set goes inline.
func parseJWKS(v string) (JWKS, error) {
	if strings.HasPrefix(v, "https://") {
		return JWKS{}, fmt.Errorf("%s: the key set is fetched from an in-cluster Service over plain HTTP; use http://NAME.NAMESPACE.svc:PORT/PATH, or save the key set to a file and pass its path", v)
	}
	raw, isURL := v, strings.HasPrefix(v, "http://")
	if !isURL {
		// NAME.NAMESPACE:PORT/PATH: a host with a port before the path.
		host, _, _ := strings.Cut(v, "/")
		if h, _, ok := strings.Cut(host, ":"); ok && strings.Contains(h, ".") {
			raw, isURL = "http://"+v, true
		}
	}
	if isURL {
		u, err := url.Parse(raw)
		m := jwksServiceRE.FindStringSubmatch(u.Hostname())
		if err != nil || m == nil || u.User != nil || u.RawQuery != "" {
			return JWKS{}, fmt.Errorf("%s is not an in-cluster Service URL: use http://NAME.NAMESPACE.svc[:PORT]/PATH or NAME.NAMESPACE:PORT/PATH (an outside issuer: save its key set to a file and pass the path)", v)
		}
		port := 80
		if p := u.Port(); p != "" {
			if port, err = strconv.Atoi(p); err != nil || port < 1 || port > 65535 {
				return JWKS{}, fmt.Errorf("%s: port %q is not a number from 1 to 65535", v, p)
			}
		}
		if u.Path == "" || u.Path == "/" {
			return JWKS{}, fmt.Errorf("%s has no path: add the key set's, e.g. /realms/ai/protocol/openid-connect/certs", v)
		}
		return JWKS{Service: fmt.Sprintf("%s.%s:%d", m[1], m[3], port), Path: u.Path}, nil
	}
	data, err := os.ReadFile(v)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return JWKS{}, fmt.Errorf("%s: no such file, and not a Service URL (http://NAME.NAMESPACE.svc:PORT/PATH)", v)
		}
		return JWKS{}, err
	}
	var set struct {
		Keys *[]json.RawMessage `json:"keys"`
	}
	if err := json.Unmarshal(data, &set); err != nil {
		return JWKS{}, fmt.Errorf("%s is not a JSON Web Key Set: %v", v, err)
	}
	if set.Keys == nil {
		return JWKS{}, fmt.Errorf(`%s is not a JSON Web Key Set: no "keys" array, want {"keys": [...]}`, v)
	}
	return JWKS{Inline: strings.TrimSpace(string(data))}, nil
}

var (
	limitPathRE  = regexp.MustCompile(`^spec\.routes\[\d+\]\.policies\.(rateLimit|tokenLimit)(\.\w+)?$`)
	apiKeyPathRE = regexp.MustCompile(`^spec\.clients\.apiKeys\[(\d+)\]`)
	// Check's messages name Spec fields; told of flags, they name flags.
	flagWords = strings.NewReplacer(
		"spec.clients.apiKeys or spec.clients.jwt", "--client-key or --jwt-issuer",
		"only applies to apiKeys and jwt", "only applies with --client-key or --jwt-issuer",
		"only applies to apiKeys", "only applies with --client-key",
		"only applies to scope global", "only applies with --limit-scope global",
		"only used by limits with scope global; none has it", "only used by global limits: add --limit-scope global",
	)
	kubelbHintRE = regexp.MustCompile(`set spec\.kubelb to the release the manifests are for, e\.g\. kubelb: "([^"]+)"`)
)

// Locate names the flag behind each problem Check found in a Spec that
// Build made from o, and drops the repeats of a problem that a flag
// applied to every route caused once per route.
func (o Options) Locate(err error) error {
	var list ErrorList
	if !errors.As(err, &list) {
		return err
	}
	var out ErrorList
	seen := map[string]bool{}
	for _, fe := range list {
		c := *fe
		if f := o.flagOf(fe.Path); f != "" {
			c.Path = f
			c.Message = kubelbHintRE.ReplaceAllString(flagWords.Replace(c.Message), "pass --kubelb-version $1 (the release the manifests are for)")
		}
		if k := c.Path + "\x00" + c.Message; !seen[k] {
			seen[k] = true
			out = append(out, &c)
		}
	}
	return out
}

// flagOf is the flag that set the Spec field at path, or "".
func (o Options) flagOf(path string) string {
	if f := mcpFlagOf(path); f != "" {
		return f
	}
	if m := limitPathRE.FindStringSubmatch(path); m != nil {
		switch m[2] {
		case ".scope":
			return "--limit-scope"
		case ".key":
			return "--limit-key"
		}
		if m[1] == "tokenLimit" {
			return "--token-limit"
		}
		return "--rate-limit"
	}
	if m := apiKeyPathRE.FindStringSubmatch(path); m != nil {
		if i, _ := strconv.Atoi(m[1]); i < len(o.ClientKeys) {
			return "--client-key"
		}
		return "--client-key-hash"
	}
	for _, p := range []struct{ prefix, flag string }{
		{"spec.clients.header", "--client-key-header"}, {"spec.clients.mode", "--client-mode"},
		{"spec.clients.allow", "--allow"}, {"spec.clients.jwt.issuer", "--jwt-issuer"},
		{"spec.clients.jwt.audiences", "--jwt-audience"}, {"spec.clients.jwt.jwks", "--jwt-jwks"},
		{"spec.clients.jwt", "--jwt-issuer"}, {"spec.rateLimitService.service", "--rate-limit-service"},
		{"spec.rateLimitService.domain", "--rate-limit-domain"}, {"spec.rateLimitService.failureMode", "--rate-limit-failure-mode"},
	} {
		if strings.HasPrefix(path, p.prefix) {
			return p.flag
		}
	}
	switch path {
	case "spec.clients.apiKeys":
		if len(o.ClientKeys) == 0 {
			return "--client-key-hash"
		}
		return "--client-key"
	case "spec.rateLimitService":
		for _, f := range []struct{ flag, value string }{{"--rate-limit-service", o.RateLimitService},
			{"--rate-limit-domain", o.RateLimitDomain}, {"--rate-limit-failure-mode", o.RateLimitFailureMode}} {
			if f.value != "" {
				return f.flag
			}
		}
	}
	return ""
}
