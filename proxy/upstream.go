// Package proxy runs an AI gateway's routes locally (kubelb-ai serve): it
// sends each request to its route's LLM providers as the target's data plane
// would, with the provider's host, path and authentication, the key from the
// environment, failover between providers, and streams relayed event by
// event.
package proxy

import (
	"encoding/json"
	"fmt"
	"net/url"
	"strings"

	"github.com/kubelb-ai/kubelb-ai/dataplane"
	"github.com/kubelb-ai/kubelb-ai/proxy/redact"
	"github.com/kubelb-ai/kubelb-ai/spec"
	"github.com/kubelb-ai/kubelb-ai/templates"
)

// Upstream is one provider as a route's backend reaches it.
type Upstream struct {
	Name string
	// Kind is the provider's kind (openai, anthropic, gemini, ...).
	Kind string
	// URL is the provider's endpoint: scheme, host and the path the data
	// plane sets (kgateway's AI extension always overwrites the client's).
	URL *url.URL
	// AuthHeader and AuthPrefix say how the key travels; Key is injected
	// in place of whatever the client sent, unless Passthrough.
	AuthHeader, AuthPrefix string
	Key                    string
	Passthrough            bool
	// Extra headers the provider needs (anthropic-version).
	Extra map[string]string
	// Model, when set, replaces the request body's model for the formats
	// that carry it there (OpenAI's and Anthropic's), as the data planes
	// do with the backend's model.
	Model  string
	Format string
	// AWS signs a Bedrock provider's requests (SigV4) with the keys from
	// the environment instead of a key header.
	AWS *AWSKeys

	// Headers are the provider's optional request headers passed on from
	// clients (the catalog's), besides the ones every provider gets.
	Headers []string

	// apiURLs are the provider's endpoints by AI route type, besides
	// chat's (URL): the catalog's paths on URL's scheme and host.
	apiURLs map[string]*url.URL

	modelJSON []byte // Model as a JSON string
	prefix    string // the path of --upstream's URL, before the provider's
}

// urlFor is the provider's endpoint for an AI route type, and whether it
// has one (chat's is URL).
func (up *Upstream) urlFor(routeType string) (*url.URL, bool) {
	u, ok := up.apiURLs[routeType]
	return u, ok
}

// base is the path a passed-through request's path goes under.
func (up *Upstream) base() string { return up.prefix }

// AWSKeys are an AWS identity and the region it calls.
type AWSKeys struct {
	AccessKey, SecretKey, SessionToken, Region string
}

// NewUpstream builds the upstream of Spec provider p; lookup reads its key
// (the environment), base (from --upstream P=URL) replaces the provider's
// scheme, host and port.
func NewUpstream(p spec.Provider, lookup func(string) (string, bool), base *url.URL) (*Upstream, error) {
	c, ok := templates.LookupProvider(p.Kind)
	if !ok {
		return nil, fmt.Errorf("provider %s: unknown kind %q", p.Name, p.Kind)
	}
	vars := map[string]string{"model": p.Model, "apiVersion": p.APIVersion, "location": c.Location, "region": c.Region}
	if vars["apiVersion"] == "" {
		vars["apiVersion"] = c.APIVersion
	}
	if p.Azure != nil {
		vars["endpoint"], vars["deployment"] = p.Azure.Endpoint, p.Azure.Deployment
	}
	if p.Bedrock != nil && p.Bedrock.Region != "" {
		vars["region"] = p.Bedrock.Region
	}
	if p.Vertex != nil {
		vars["project"] = p.Vertex.Project
		if p.Vertex.Location != "" {
			vars["location"] = p.Vertex.Location
		}
	}
	expand := func(s string) string {
		for k, v := range vars {
			s = strings.ReplaceAll(s, "{"+k+"}", v)
		}
		return s
	}
	host, port := expand(c.Host), c.Port
	if p.Host != "" {
		host = p.Host
		if p.Port != 0 {
			port = p.Port
		}
	}
	scheme := "https"
	if port != 443 && c.NoKey {
		scheme = "http" // an in-cluster Ollama speaks plain HTTP
	}
	prefix := ""
	if base != nil {
		prefix = strings.TrimSuffix(base.Path, "/")
	}
	endpoint := func(path string) (*url.URL, error) {
		u, err := url.Parse(fmt.Sprintf("%s://%s:%d%s", scheme, host, port, expand(path)))
		if err != nil {
			return nil, fmt.Errorf("provider %s: %w", p.Name, err)
		}
		if base != nil {
			u.Scheme, u.Host = base.Scheme, base.Host
			u.Path = prefix + u.Path
		}
		return u, nil
	}
	u, err := endpoint(c.Path)
	if err != nil {
		return nil, err
	}
	up := &Upstream{Name: p.Name, Kind: p.Kind, URL: u, AuthHeader: c.AuthHeader, AuthPrefix: c.AuthPrefix, Model: p.Model, Format: c.Format,
		Headers: c.Headers, prefix: prefix, apiURLs: map[string]*url.URL{}}
	for typ, path := range c.Paths {
		if up.apiURLs[typ], err = endpoint(path); err != nil {
			return nil, err
		}
	}
	up.modelJSON, _ = json.Marshal(p.Model)
	if p.Kind == "anthropic" {
		up.Extra = map[string]string{"anthropic-version": "2023-06-01"}
	}
	switch p.Auth.Source {
	case spec.AuthPassthrough:
		up.Passthrough = true
	case spec.AuthNone:
	default:
		if c.Format == "bedrock" {
			keys, err := awsKeys(p, c.APIKeyEnv, c.SecretKeyEnv, vars["region"], lookup)
			if err != nil {
				return nil, err
			}
			up.AWS = keys
			break
		}
		if c.AuthHeader == "" {
			break
		}
		env := p.Auth.Env
		if env == "" {
			env = c.APIKeyEnv
		}
		key, ok := lookup(env)
		if !ok || key == "" {
			return nil, fmt.Errorf("provider %s takes its key from $%s, which is not set", p.Name, env)
		}
		up.Key = key
	}
	return up, nil
}

// awsKeys reads a Bedrock provider's AWS keys from the environment (the
// variables its Secret's placeholders name, AWS_SESSION_TOKEN optional).
func awsKeys(p spec.Provider, accessEnv, secretEnv, region string, lookup func(string) (string, bool)) (*AWSKeys, error) {
	if p.Bedrock != nil && p.Bedrock.Region != "" {
		region = p.Bedrock.Region
	}
	keys := &AWSKeys{Region: region}
	for _, v := range []struct {
		env string
		to  *string
	}{{accessEnv, &keys.AccessKey}, {secretEnv, &keys.SecretKey}} {
		val, ok := lookup(v.env)
		if !ok || val == "" {
			return nil, fmt.Errorf("provider %s takes its AWS keys from $%s and $%s; $%s is not set", p.Name, accessEnv, secretEnv, v.env)
		}
		*v.to = val
	}
	keys.SessionToken, _ = lookup("AWS_SESSION_TOKEN")
	return keys, nil
}

// secrets are the credentials serve injects for up: never to be seen in
// an answer. A "key" shorter than redact.MinEncoded bytes (a placeholder
// in a test or a local mirror, never a provider's) is left out: it would
// match ordinary text.
func (up *Upstream) secrets() []string {
	var out []string
	add := func(s string) {
		if len(s) >= redact.MinEncoded {
			out = append(out, s)
		}
	}
	if !up.Passthrough {
		add(up.Key)
	}
	if up.AWS != nil {
		add(up.AWS.AccessKey)
		add(up.AWS.SecretKey)
		add(up.AWS.SessionToken)
	}
	return out
}

// credentialsOf is where provider p's credential comes from: the literal its
// Secret holds in the manifests, as a cluster would use it (with a
// warning: a key in a file), else lookup (the environment, which fills
// ${VARIABLE} placeholders).
func credentialsOf(m Manifests, p spec.Provider, lookup func(string) (string, bool)) (func(string) (string, bool), string) {
	values, secret, ok := m.literalKey(p.Name)
	if !ok {
		return lookup, ""
	}
	c, _ := templates.LookupProvider(p.Kind)
	env := p.Auth.Env
	if env == "" {
		env = c.APIKeyEnv
	}
	byEnv := map[string]string{env: strings.TrimPrefix(values[dataplane.KeyAuthorization], "Bearer ")}
	if c.Format == "bedrock" { // AWS keys, by the variables their placeholders name
		byEnv = map[string]string{c.APIKeyEnv: values[dataplane.KeyAccessKey], c.SecretKeyEnv: values[dataplane.KeySecretKey],
			"AWS_SESSION_TOKEN": values[dataplane.KeySessionToken]}
	}
	return func(name string) (string, bool) {
		if v, ok := byEnv[name]; ok && v != "" {
			return v, true
		}
		return lookup(name)
	}, fmt.Sprintf("provider %s takes its key from the literal value Secret %s holds in the manifests, as a cluster would: a key in a file; prefer a ${VARIABLE} placeholder (kubelb-ai migrate --secrets=env)", p.Name, secret)
}
