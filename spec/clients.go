package spec

import (
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"sync"

	"github.com/google/cel-go/cel"
	"k8s.io/apimachinery/pkg/util/validation"

	"github.com/kubelb-ai/kubelb-ai/templates"
)

// Kinds of limit keys beyond route and client, as LimitKeyOf reads them.
const (
	KeyHeader     = "header"     // request.headers["NAME"]
	KeyAddress    = "address"    // source.address, the client's IP
	KeyExpression = "expression" // any other CEL expression
)

// AddressKey is the CEL expression of the client's address.
const AddressKey = "source.address"

var headerKeyRE = regexp.MustCompile(`^request\.headers\[["']([A-Za-z0-9!#$%&'*+.^_` + "`" + `|~-]+)["']\]$`)

// HeaderKey is the CEL expression of request header name.
func HeaderKey(name string) string { return `request.headers["` + strings.ToLower(name) + `"]` }

// LimitKeyOf says what a limit's key counts apart: route, client, a
// header (and its name), the client address, or another expression. The
// kinds other than expression are what every target with global limits
// can express.
func LimitKeyOf(key string) (kind, header string) {
	switch key {
	case "", KeyRoute:
		return KeyRoute, ""
	case KeyClient:
		return KeyClient, ""
	case AddressKey:
		return KeyAddress, ""
	}
	if m := headerKeyRE.FindStringSubmatch(strings.TrimSpace(key)); m != nil {
		return KeyHeader, strings.ToLower(m[1])
	}
	return KeyExpression, ""
}

// hashRE is an API-key digest: sha256 and 64 lowercase hex digits.
var hashRE = regexp.MustCompile(`^sha256:[0-9a-f]{64}$`)

// celEnv parses expressions only: agentgateway's variables are not
// declared, so only syntax is checked here. Made on first use: most runs
// check no client expression.
var celEnv = sync.OnceValue(func() *cel.Env {
	env, _ := cel.NewEnv()
	return env
})

func checkCEL(e *errs, path, expr string) {
	if strings.TrimSpace(expr) == "" {
		e.add(path, "must be a CEL expression")
		return
	}
	if _, iss := celEnv().Parse(expr); iss != nil && iss.Err() != nil {
		e.add(path, "invalid CEL expression %s: %v", quote(expr), strings.ReplaceAll(iss.Err().Error(), "\n", " "))
	}
}

// dataPlaneSince reports whether KubeLB release kubelb runs a data plane
// that has the field whose first release since gives (as the release's
// own target states it). Empty kubelb is every release, so no.
func dataPlaneSince(kubelb string, since func(templates.Target) string) bool {
	if kubelb == "" {
		return false
	}
	r, err := templates.ReleaseForKubeLB(kubelb)
	if err != nil {
		return false
	}
	t, err := templates.LookupTarget(r.Target)
	return err == nil && since(t) != "" && versionAtLeast(r.DataPlane, since(t))
}

// kubelbFor is the oldest KubeLB release whose data plane has the field,
// or "" when none has.
func kubelbFor(since func(templates.Target) string) string {
	for _, r := range templates.Releases() {
		if dataPlaneSince(r.KubeLB, since) {
			return r.KubeLB
		}
	}
	return ""
}

// needsRelease explains that a field needs a later data-plane release.
func needsRelease(t templates.Target, since func(templates.Target) string) string {
	if k := kubelbFor(since); k != "" {
		return fmt.Sprintf("needs %s %s or later (KubeLB %s+); set spec.kubelb to the release the manifests are for, e.g. kubelb: %q", t.CRDs.Project, since(t), k, k)
	}
	return fmt.Sprintf("needs %s %s or later, which no KubeLB release runs yet", t.CRDs.Project, since(t))
}

func hashSince(t templates.Target) string     { return t.APIKeyHashSince }
func locationSince(t templates.Target) string { return t.APIKeyLocationSince }

func checkClients(e *errs, s *Spec, t templates.Target) {
	c := s.Clients
	if c == nil {
		return
	}
	const path = "spec.clients"
	if len(c.APIKeys) > 0 && !t.Features.APIKeys {
		e.add(path+".apiKeys", "target %s cannot check client API keys; targets that can: %s",
			t.Name, targetsWith(func(o templates.Target) bool { return o.Features.APIKeys }))
	}
	if c.JWT != nil && !t.Features.JWT {
		e.add(path+".jwt", "target %s cannot check client JWTs; targets that can: %s",
			t.Name, targetsWith(func(o templates.Target) bool { return o.Features.JWT }))
	}
	if len(c.Allow) > 0 && !t.Features.Authorization {
		e.add(path+".allow", "target %s has no authorization rules; targets that have them: %s",
			t.Name, targetsWith(func(o templates.Target) bool { return o.Features.Authorization }))
	}
	names := map[string]bool{}
	for i, k := range c.APIKeys {
		kpath := fmt.Sprintf("%s.apiKeys[%d]", path, i)
		for _, msg := range validation.IsDNS1123Label(k.Name) {
			e.add(kpath+".name", "%q is not a valid client name: %s", k.Name, msg)
		}
		if names[k.Name] {
			e.add(kpath+".name", "duplicate client name %q", k.Name)
		}
		names[k.Name] = true
		switch {
		case (k.Env == "") == (k.Hash == ""):
			e.add(kpath, "set env (the variable holding the key) or hash (its sha256), exactly one; the key itself never goes in a file")
		case k.Env != "" && !envNameRE.MatchString(k.Env):
			e.add(kpath+".env", "%q is not an environment variable name (letters, digits and _)", k.Env)
		case k.Hash != "" && !hashRE.MatchString(k.Hash):
			e.add(kpath+".hash", "%q is not sha256: followed by 64 lowercase hex digits (e.g. printf %%s \"$KEY\" | sha256sum)", k.Hash)
		case k.Hash != "" && t.Features.APIKeys && !dataPlaneSince(s.KubeLB, hashSince):
			e.add(kpath+".hash", "API-key hashes %s", needsRelease(t, hashSince))
		}
		if _, ok := k.Metadata["client"]; ok {
			e.add(kpath+".metadata.client", "is set by generate to the key's name; remove it")
		}
	}
	if c.Header != "" {
		if len(validation.IsHTTPHeaderName(c.Header)) > 0 {
			e.add(path+".header", "%q is not a header name", c.Header)
		}
		switch {
		case len(c.APIKeys) == 0:
			e.add(path+".header", "only applies to apiKeys")
		case t.Features.APIKeys && !dataPlaneSince(s.KubeLB, locationSince):
			e.add(path+".header", "reading API keys from another header %s", needsRelease(t, locationSince))
		}
	}
	switch c.Mode {
	case "", ModeStrict, ModeOptional:
	case ModePermissive:
		if len(c.APIKeys) > 0 && t.Features.APIKeys && !dataPlaneSince(s.KubeLB, locationSince) {
			e.add(path+".mode", "mode Permissive with API keys %s", needsRelease(t, locationSince))
		}
	default:
		e.add(path+".mode", "unknown mode %q: use %s, %s or %s", c.Mode, ModeStrict, ModeOptional, ModePermissive)
	}
	if c.Mode != "" && !c.Authenticates() {
		e.add(path+".mode", "only applies to apiKeys and jwt")
	}
	if j := c.JWT; j != nil {
		checkJWT(e, path+".jwt", j)
	}
	for i, rule := range c.Allow {
		checkCEL(e, fmt.Sprintf("%s.allow[%d]", path, i), rule)
	}
}

func checkJWT(e *errs, path string, j *JWT) {
	if strings.TrimSpace(j.Issuer) == "" {
		e.add(path+".issuer", "must be the tokens' iss, e.g. https://idp.example.com/realms/ai")
	}
	for i, a := range j.Audiences {
		if strings.TrimSpace(a) == "" {
			e.add(fmt.Sprintf("%s.audiences[%d]", path, i), "must not be empty")
		}
	}
	k := j.JWKS
	switch {
	case (k.Inline == "") == (k.Service == ""):
		e.add(path+".jwks", "set inline (the key set's JSON) or service (name.namespace:port) and path, exactly one")
	case k.Inline != "":
		var set struct {
			Keys []map[string]any `json:"keys"`
		}
		if err := json.Unmarshal([]byte(k.Inline), &set); err != nil || len(set.Keys) == 0 {
			e.add(path+".jwks.inline", "must be a JSON Web Key Set: {\"keys\": [...]} with at least one key")
		}
		if k.Path != "" {
			e.add(path+".jwks.path", "only applies to service")
		}
	default:
		if _, _, _, ok := ServiceAddress(k.Service); !ok {
			e.add(path+".jwks.service", "%q is not name.namespace:port (e.g. keycloak.idp:8080)", k.Service)
		}
		if !strings.HasPrefix(k.Path, "/") {
			e.add(path+".jwks.path", "must be the key set's HTTP path, starting with / (e.g. /realms/ai/protocol/openid-connect/certs)")
		}
	}
}

// checkLimitScope checks the scope, key and unit of one limit at path.
func checkLimitScope(e *errs, path, scope, key, per string, s *Spec, t templates.Target) {
	switch scope {
	case "", ScopeLocal:
		if key != "" {
			e.add(path+".key", "only applies to scope global: a local limit counts the whole route on each replica")
		}
		if per == PerDay {
			e.add(path+".per", "per day needs scope global: a replica's local counter restarts with it")
		}
		return
	case ScopeGlobal:
	default:
		e.add(path+".scope", "unknown scope %q: use local or global", scope)
		return
	}
	if !t.Features.GlobalRateLimit {
		e.add(path+".scope", "target %s has no global rate limits; targets that have them: %s",
			t.Name, targetsWith(func(o templates.Target) bool { return o.Features.GlobalRateLimit }))
		return
	}
	switch kind, _ := LimitKeyOf(key); kind {
	case KeyClient:
		switch {
		case !t.Features.LimitKeyExpression:
			e.add(path+".key", "target %s keys global limits on the route, a header (request.headers[\"x-user\"]) or the client address (%s) only; targets that key on the client: %s",
				t.Name, AddressKey, targetsWith(func(o templates.Target) bool { return o.Features.LimitKeyExpression }))
		case !s.Clients.Authenticates():
			e.add(path+".key", "client needs spec.clients.apiKeys or spec.clients.jwt to tell clients apart")
		}
	case KeyExpression:
		if !t.Features.LimitKeyExpression {
			e.add(path+".key", "target %s keys global limits on the route, a header (request.headers[\"x-user\"]) or the client address (%s) only; targets that take any CEL key: %s",
				t.Name, AddressKey, targetsWith(func(o templates.Target) bool { return o.Features.LimitKeyExpression }))
			return
		}
		checkCEL(e, path+".key", key)
	}
}

func checkRateLimitService(e *errs, s *Spec) {
	r := s.RateLimitService
	if r == nil {
		return
	}
	const path = "spec.rateLimitService"
	if !s.HasGlobalLimit() {
		e.add(path, "only used by limits with scope global; none has it")
	}
	if _, _, _, ok := ServiceAddress(r.Service); !ok {
		e.add(path+".service", "%q is not name.namespace:port (e.g. %s)", r.Service, DefaultRateLimitService)
	}
	for _, msg := range validation.IsDNS1123Subdomain(r.Domain) {
		e.add(path+".domain", "%q is not a valid domain: %s", r.Domain, msg)
	}
	if !slices.Contains([]string{"", FailOpen, FailClosed}, r.FailureMode) {
		e.add(path+".failureMode", "unknown failure mode %q: use %s or %s", r.FailureMode, FailClosed, FailOpen)
	}
}
