package proxy

import (
	"context"
	"fmt"
	"net/http"
	"strings"

	"github.com/kubelb-ai/kubelb-ai/dataplane"
	"github.com/kubelb-ai/kubelb-ai/proxy/auth"
	"github.com/kubelb-ai/kubelb-ai/proxy/expr"
	"github.com/kubelb-ai/kubelb-ai/spec"
)

// identityKey holds a request's identity in its context.
type identityKey struct{}

// identity is who sent a request, as the client checks found: the CEL
// variables policies read (request, source, apiKey.*, jwt.*), the client's
// name for metrics and the log (never its credential), and the credential
// headers the checks took off the request, which only a passthrough
// provider gets back (as agentgateway's backend auth passthrough).
type identity struct {
	vars     *expr.Vars
	client   string
	stripped http.Header
}

// identityOf is r's identity, or nil where no client check ran.
func identityOf(r *http.Request) *identity {
	id, _ := r.Context().Value(identityKey{}).(*identity)
	return id
}

// varsOf are the CEL variables of r: its identity's, or the request's
// own where no client check ran.
func varsOf(r *http.Request) *expr.Vars {
	if id := identityOf(r); id != nil && id.vars != nil {
		return id.vars
	}
	return expr.NewVars(r, r.RemoteAddr)
}

// clientGate is the check of who may call every route: the manifests' API
// keys (keys, or else the Spec's), their ${VAR} markers filled from the
// environment through opts.Lookup; the Spec's JWT issuer (the key set
// inline, or fetched from the Service --upstream maps) and allow rules.
// nil when there is nothing to check. Literal keys are named in warnings.
func clientGate(s *spec.Spec, keys []dataplane.ClientKey, opts Options) (*clientCheck, []string, error) {
	c := s.Clients
	if keys == nil && c != nil {
		keys = specKeys(c.APIKeys)
	}
	if c == nil || len(keys) == 0 && c.JWT == nil && len(c.Allow) == 0 {
		return nil, nil, nil
	}
	mode := c.Mode
	if mode == "" {
		mode = spec.ModeStrict // the CRDs' default
	}
	// The key set is fetched with auth's own client (10s), not the
	// providers' (minutes until an answer starts): a stalled issuer must
	// not hold requests that long.
	cfg := auth.Config{Allow: c.Allow}
	headers := []string{"Authorization"}
	var warnings []string
	if len(keys) > 0 {
		cfg.KeyMode = mode
		if c.Header != "" {
			cfg.KeyLocation = auth.Location{Header: c.Header}
			headers = append(headers, c.Header)
		}
		lookup := opts.Lookup
		if lookup == nil {
			lookup = func(string) (string, bool) { return "", false }
		}
		for _, k := range keys {
			key := auth.Key{Value: k.Value, Hash: k.Hash, Metadata: k.Metadata} // CEL takes JSON numbers as they are (expr)
			if env, ok := dataplane.ParseEnvMarker(k.Value); ok {
				v, set := lookup(env)
				if !set || strings.TrimSpace(v) == "" {
					return nil, nil, fmt.Errorf("the API key in %s is read from $%s, which is not set", k.Source, env)
				}
				key.Value = v
			} else if k.Value != "" {
				warnings = append(warnings, fmt.Sprintf("the API key in %s is written in the manifests: serve accepts it as the cluster would; keep keys in the environment (${VAR}) or as sha256 digests", k.Source))
			}
			cfg.Keys = append(cfg.Keys, key)
		}
	}
	if j := c.JWT; j != nil {
		cfg.JWTMode = mode
		p := auth.Provider{Issuer: j.Issuer, Audiences: j.Audiences, JWKS: []byte(j.JWKS.Inline)}
		if j.JWKS.Service != "" {
			name, _, _, ok := spec.ServiceAddress(j.JWKS.Service)
			base := opts.Upstreams[name]
			if !ok || base == nil {
				return nil, nil, fmt.Errorf("the JWT issuer's key set is served by Service %s, which has no local address: give one with --upstream %s=URL", j.JWKS.Service, name)
			}
			p.JWKSURL = strings.TrimSuffix(base.String(), "/") + "/" + strings.TrimPrefix(j.JWKS.Path, "/")
		}
		cfg.JWT = []auth.Provider{p}
	}
	g, err := auth.New(cfg)
	if err != nil {
		return nil, nil, fmt.Errorf("spec.clients: %w", err)
	}
	return &clientCheck{gate: g, headers: headers}, warnings, nil
}

// specKeys are the Spec's API keys as their Secret entries hold them:
// the variable's marker or the digest, and the name as client metadata.
func specKeys(keys []spec.APIKey) []dataplane.ClientKey {
	var out []dataplane.ClientKey
	for _, k := range keys {
		md := map[string]any{}
		for f, v := range dataplane.ClientMetadata(k) {
			md[f] = v
		}
		ck := dataplane.ClientKey{Hash: k.Hash, Metadata: md, Source: "spec.clients.apiKeys " + k.Name}
		if k.Env != "" {
			ck.Value = "${" + k.Env + "}"
		}
		out = append(out, ck)
	}
	return out
}

// clientCheck is the gate with the headers it may take off a request.
type clientCheck struct {
	gate    *auth.Gate
	headers []string
}

// admit checks r's caller. A refused request is answered (401 with
// WWW-Authenticate, or 403) in the client's format ad; an admitted one
// goes on with its identity in its context, its credential headers gone.
func (cc *clientCheck) admit(w http.ResponseWriter, r *http.Request, ad *adapter, ex *exchange) (*http.Request, bool) {
	var held http.Header
	for _, h := range cc.headers {
		if v := r.Header.Values(h); len(v) > 0 {
			if held == nil {
				held = http.Header{}
			}
			held[http.CanonicalHeaderKey(h)] = v
		}
	}
	caller, denial := cc.gate.Check(r, r.RemoteAddr)
	ex.set(func(e *exchange) { e.checked = true })
	if denial != nil {
		if denial.Challenge != "" {
			w.Header().Set("WWW-Authenticate", denial.Challenge)
		}
		writeFormatError(w, ad, denial.Status, denial.Message)
		return r, false
	}
	id := &identity{vars: caller.Vars, client: caller.Name}
	for h, v := range held {
		if len(r.Header.Values(h)) == 0 {
			if id.stripped == nil {
				id.stripped = http.Header{}
			}
			id.stripped[h] = v
		}
	}
	ex.set(func(e *exchange) { e.client, e.tenant = caller.Name, tenantOf(caller.Vars) })
	return r.WithContext(context.WithValue(r.Context(), identityKey{}, id)), true
}

// tenantOf is a caller's tenant_id, for the metrics of --metrics-compat
// agentgateway (KubeLB's recording rules sum by it): its API key's
// metadata tenant_id, or its token's claim; "" if neither says.
func tenantOf(v *expr.Vars) string {
	if v == nil {
		return ""
	}
	for _, m := range []map[string]any{v.APIKey(), v.JWT()} {
		if t, ok := m["tenant_id"].(string); ok && t != "" {
			return t
		}
	}
	return ""
}
