// Package spec is kubelb-ai's data-plane-neutral model of an AI gateway and
// its file form, kubelb-ai.yaml. Every command is a path through it: flags and
// the wizard build a Spec, generate renders it for a target, parse reads
// manifests back into one, and serve runs it.
package spec

import (
	"strconv"
	"strings"
)

// APIVersion and Kind identify a kubelb-ai.yaml file.
const (
	APIVersion = "kubelb-ai.dev/v1alpha1"
	Kind       = "AIGateway"
)

// AIGateway is the file form of the Spec, versioned like a Kubernetes object
// so it can be kept in git and read by editors that know its JSON Schema.
type AIGateway struct {
	APIVersion string   `json:"apiVersion"`
	Kind       string   `json:"kind"`
	Metadata   Metadata `json:"metadata"`
	Spec       Spec     `json:"spec"`
}

// Metadata names the AI gateway; the name is informational.
type Metadata struct {
	Name string `json:"name,omitempty"`
}

// Spec is the user's intent, independent of the data plane.
type Spec struct {
	// Target is the data plane to render for; empty means the default target.
	Target string `json:"target,omitempty"`
	// KubeLB is the KubeLB release the manifests are for, e.g. "1.5"; it
	// only picks release-specific defaults (the Rerank route type). Empty
	// means every release of the target.
	KubeLB    string     `json:"kubelb,omitempty"`
	Gateway   Gateway    `json:"gateway"`
	Providers []Provider `json:"providers"`
	// Routes default to one route per provider at /<provider name>.
	Routes []Route `json:"routes,omitempty"`
	// Clients are who may call the gateway; nil lets anyone who reaches
	// it spend the providers' keys.
	Clients *Clients `json:"clients,omitempty"`
	// RateLimitService is the rate-limit service global limits ask; it
	// defaults to KubeLB's addon when a limit is global.
	RateLimitService *RateLimitService `json:"rateLimitService,omitempty"`
	// MCP are MCP gateways: each federates MCP tool servers behind one
	// path of the Gateway.
	MCP []MCPGateway `json:"mcp,omitempty"`
	// Observability is what the gateway reports beyond metrics: traces.
	Observability *Observability `json:"observability,omitempty"`
}

// Client credential modes.
const (
	ModeStrict     = "Strict"     // a valid credential is required
	ModeOptional   = "Optional"   // checked when sent, else anonymous
	ModePermissive = "Permissive" // never refused for its credential
)

// Clients says who may call the gateway: API keys and JWTs authenticate
// them (on every route), Allow authorizes them.
type Clients struct {
	APIKeys []APIKey `json:"apiKeys,omitempty"`
	// Header is where API keys are read (e.g. x-api-key, taken whole);
	// empty is Authorization with a Bearer prefix.
	Header string `json:"header,omitempty"`
	JWT    *JWT   `json:"jwt,omitempty"`
	// Mode is Strict (default), Optional or Permissive.
	Mode string `json:"mode,omitempty"`
	// Allow are CEL expressions over apiKey.*, jwt.* and request.*; a
	// request is allowed when any is true.
	Allow []string `json:"allow,omitempty"`
}

// APIKey is one client's key. The key is never in the Spec or generated
// files: Env names the variable it is read from when the manifests are
// applied or served, or Hash is its "sha256:<hex>" digest, safe to commit.
type APIKey struct {
	Name string `json:"name"`
	Env  string `json:"env,omitempty"`
	Hash string `json:"hash,omitempty"`
	// Metadata is exposed to CEL as apiKey.<field>; generate adds
	// client: <name>.
	Metadata map[string]string `json:"metadata,omitempty"`
}

// JWT is one accepted token issuer.
type JWT struct {
	Issuer    string   `json:"issuer"`
	Audiences []string `json:"audiences,omitempty"`
	JWKS      JWKS     `json:"jwks"`
}

// JWKS is the issuer's key set: Inline JSON, or fetched from Service
// ("name.namespace:port") at Path.
type JWKS struct {
	Inline  string `json:"inline,omitempty"`
	Service string `json:"service,omitempty"`
	Path    string `json:"path,omitempty"`
}

// Rate-limit service failure modes.
const (
	FailOpen   = "FailOpen"
	FailClosed = "FailClosed"
)

// RateLimitService is an Envoy rate-limit service (envoyproxy/ratelimit)
// shared by the gateway's replicas.
type RateLimitService struct {
	// Service is "name.namespace:port" (namespace: the gateway's when
	// left out).
	Service string `json:"service"`
	// Domain names the service's configuration the limits belong to.
	Domain string `json:"domain"`
	// FailureMode is what happens when the service cannot be reached:
	// FailClosed (default) refuses the request, FailOpen lets it through.
	FailureMode string `json:"failureMode,omitempty"`
}

// Gateway is the listening side: the Gateway object and its Service.
type Gateway struct {
	Name      string     `json:"name,omitempty"`
	Namespace string     `json:"namespace,omitempty"`
	Listeners []Listener `json:"listeners,omitempty"`
	// ServiceType is the Kubernetes Service type of the gateway proxy.
	ServiceType string `json:"serviceType,omitempty"`
	// AllowedRoutes says which namespaces may attach routes: All or Same.
	AllowedRoutes string `json:"allowedRoutes,omitempty"`
}

// Listener is one plain-HTTP port of the Gateway.
type Listener struct {
	Name     string `json:"name"`
	Port     int32  `json:"port"`
	Hostname string `json:"hostname,omitempty"`
}

// Provider is one configured LLM provider account.
type Provider struct {
	// Name identifies the provider within the Spec; it defaults to Kind.
	Name string `json:"name,omitempty"`
	// Kind is one of openai, anthropic, gemini, vertexai, azureopenai,
	// mistral, ollama, bedrock.
	Kind  string `json:"kind"`
	Model string `json:"model,omitempty"`
	Auth  Auth   `json:"auth,omitempty"`
	// Host, Port and Path override where requests go (self-hosted models,
	// mirrors, proxies).
	Host string `json:"host,omitempty"`
	Port int32  `json:"port,omitempty"`
	Path string `json:"path,omitempty"`
	// APIVersion is the provider's API version where it has one: Gemini and
	// Vertex AI path versions, Azure OpenAI's api-version, Anthropic's
	// anthropic-version.
	APIVersion string   `json:"apiVersion,omitempty"`
	Azure      *Azure   `json:"azure,omitempty"`
	Vertex     *Vertex  `json:"vertex,omitempty"`
	Bedrock    *Bedrock `json:"bedrock,omitempty"`
}

// Auth sources.
const (
	AuthEnv         = "env"
	AuthPassthrough = "passthrough"
	AuthNone        = "none"
)

// Auth says where a provider's credential comes from. Keys never live in the
// Spec or in generated files: with source env, the key is read from the
// environment variable Env when the manifests are applied or served.
type Auth struct {
	// Source is env (default), passthrough (the client's own Authorization
	// header is forwarded) or none.
	Source string `json:"source,omitempty"`
	Env    string `json:"env,omitempty"`
}

// Azure holds what Azure OpenAI needs to build its URL.
type Azure struct {
	// Endpoint is the resource host, e.g. my-resource.openai.azure.com.
	Endpoint   string `json:"endpoint"`
	Deployment string `json:"deployment"`
}

// Vertex holds what Vertex AI needs to build its URL.
type Vertex struct {
	Project  string `json:"project"`
	Location string `json:"location,omitempty"`
}

// Bedrock holds the AWS region of Amazon Bedrock.
type Bedrock struct {
	Region string `json:"region,omitempty"`
}

// Route is one path on the Gateway and the providers behind it.
type Route struct {
	Name string `json:"name"`
	// Path is the route's path prefix; it defaults to /<name>.
	Path     string    `json:"path,omitempty"`
	Backends []Backend `json:"backends"`
	Policies *Policies `json:"policies,omitempty"`
	// RouteTypes maps request path suffixes ("/v1/embeddings", or "*" for
	// every other path) to the API format the gateway handles there
	// (Completions, Responses, Embeddings, ...). When set it replaces
	// DefaultRouteTypes entirely; only agentgateway has route types.
	RouteTypes map[string]string `json:"routeTypes,omitempty"`
}

// Backend is a failover chain: Providers are tried in order. Several backends
// on one route split traffic by Weight.
type Backend struct {
	Name      string   `json:"name,omitempty"`
	Providers []string `json:"providers"`
	Weight    *int32   `json:"weight,omitempty"`
}

// Policies are what the gateway enforces on a route.
type Policies struct {
	RateLimit   *RequestLimit  `json:"rateLimit,omitempty"`
	TokenLimit  *TokenLimit    `json:"tokenLimit,omitempty"`
	PromptGuard *PromptGuard   `json:"promptGuard,omitempty"`
	Prompt      *Prompt        `json:"prompt,omitempty"`
	Defaults    []FieldDefault `json:"defaults,omitempty"`
	// CORS answers browsers' cross-origin requests to the route.
	CORS *CORS `json:"cors,omitempty"`
}

// CORS is which web pages may call a route from a browser, in the terms of
// the Gateway API's CORS filter.
type CORS struct {
	// AllowOrigins are origins ("https://app.example.com", a wildcard
	// host "https://*.example.com", or "*" for any).
	AllowOrigins     []string `json:"allowOrigins"`
	AllowMethods     []string `json:"allowMethods,omitempty"`
	AllowHeaders     []string `json:"allowHeaders,omitempty"`
	ExposeHeaders    []string `json:"exposeHeaders,omitempty"`
	AllowCredentials bool     `json:"allowCredentials,omitempty"`
	// MaxAge is how many seconds a browser may cache a preflight answer.
	MaxAge int32 `json:"maxAge,omitempty"`
}

// Rate-limit units.
const (
	PerSecond = "second"
	PerMinute = "minute"
	PerHour   = "hour"
	// PerDay is only for global limits: a replica's local counter does
	// not live that long.
	PerDay = "day"
)

// Limit scopes and keys.
const (
	ScopeLocal  = "local"  // each gateway replica counts on its own
	ScopeGlobal = "global" // the replicas share counters in the rate-limit service
	KeyRoute    = "route"  // one counter for the route
	KeyClient   = "client" // one counter per authenticated client
)

// RequestLimit allows Requests per unit of time, with an optional burst.
type RequestLimit struct {
	Requests int32  `json:"requests"`
	Per      string `json:"per"`
	Burst    int32  `json:"burst,omitempty"`
	// Scope is local (default) or global; Key (global only) is route
	// (default), client, or a CEL expression whose value is counted apart.
	Scope string `json:"scope,omitempty"`
	Key   string `json:"key,omitempty"`
}

// TokenLimit allows Tokens (LLM tokens) per unit of time.
type TokenLimit struct {
	Tokens int32  `json:"tokens"`
	Per    string `json:"per"`
	Burst  int32  `json:"burst,omitempty"`
	Scope  string `json:"scope,omitempty"`
	Key    string `json:"key,omitempty"`
}

// Global reports whether the limit is counted by the rate-limit service.
func (l *RequestLimit) Global() bool { return l != nil && l.Scope == ScopeGlobal }

// Global reports whether the limit is counted by the rate-limit service.
func (l *TokenLimit) Global() bool { return l != nil && l.Scope == ScopeGlobal }

// HasGlobalLimit reports whether any route of s has a global limit.
func (s *Spec) HasGlobalLimit() bool {
	for _, r := range s.Routes {
		if p := r.Policies; p != nil && (p.RateLimit.Global() || p.TokenLimit.Global()) {
			return true
		}
	}
	return false
}

// ClientKey is the CEL expression that names the client of a request:
// the metadata generate adds to API keys, else the JWT's subject.
func (c *Clients) ClientKey() string {
	if c != nil && len(c.APIKeys) == 0 && c.JWT != nil {
		return "jwt.sub"
	}
	return "apiKey.client"
}

// Authenticates reports whether c names any credential.
func (c *Clients) Authenticates() bool { return c != nil && (len(c.APIKeys) > 0 || c.JWT != nil) }

// ServiceAddress splits "name.namespace:port" (namespace optional).
func ServiceAddress(addr string) (name, namespace string, port int32, ok bool) {
	host, p, found := strings.Cut(addr, ":")
	if !found {
		return "", "", 0, false
	}
	n, err := strconv.ParseInt(p, 10, 32)
	if err != nil || n < 1 || n > 65535 {
		return "", "", 0, false
	}
	name, namespace, _ = strings.Cut(host, ".")
	if name == "" || strings.Contains(namespace, ".") {
		return "", "", 0, false
	}
	return name, namespace, int32(n), true
}

// Guard actions.
const (
	GuardMask   = "mask"
	GuardReject = "reject"
)

// Builtin guard matchers.
var Builtins = []string{"CREDIT_CARD", "SSN", "EMAIL", "PHONE_NUMBER", "CA_SIN"}

// PromptGuard inspects prompts (Request) and completions (Response).
type PromptGuard struct {
	Request  []GuardRule `json:"request,omitempty"`
	Response []GuardRule `json:"response,omitempty"`
	// Webhook sends prompts and completions to an external guard service,
	// after the rules.
	Webhook *GuardWebhooks `json:"webhook,omitempty"`
}

// GuardWebhooks are the guard services of each direction.
type GuardWebhooks struct {
	Request  *Webhook `json:"request,omitempty"`
	Response *Webhook `json:"response,omitempty"`
}

// Webhook is a guard service with the contract kgateway's AI extension and
// agentgateway share (POST /request and /response; the answer passes, masks
// or rejects). It is a Kubernetes Service (Service, in Namespace, default
// the gateway's), or, on targets that reach any host, a Host name.
type Webhook struct {
	Service   string `json:"service,omitempty"`
	Namespace string `json:"namespace,omitempty"`
	Host      string `json:"host,omitempty"`
	Port      int32  `json:"port"`
	// ForwardHeaders are the client's request headers passed on to the
	// service.
	ForwardHeaders []HeaderMatch `json:"forwardHeaders,omitempty"`
}

// Header match types.
const (
	HeaderExact = "Exact"
	HeaderRegex = "RegularExpression"
)

// HeaderMatch selects a request header by name (and value, as the data
// planes' header matches do).
type HeaderMatch struct {
	Name  string `json:"name"`
	Value string `json:"value,omitempty"`
	// Type is Exact (the default) or RegularExpression.
	Type string `json:"type,omitempty"`
}

// HasRules reports whether g has a guard rule in either direction.
func (g *PromptGuard) HasRules() bool {
	return g != nil && (len(g.Request) > 0 || len(g.Response) > 0)
}

// Webhooks returns g's request and response webhooks (nil where none).
func (g *PromptGuard) Webhooks() (request, response *Webhook) {
	if g == nil || g.Webhook == nil {
		return nil, nil
	}
	return g.Webhook.Request, g.Webhook.Response
}

// Empty reports whether g guards nothing.
func (g *PromptGuard) Empty() bool {
	req, resp := g.Webhooks()
	return !g.HasRules() && req == nil && resp == nil
}

// ServiceSuffix ends the cluster DNS name of a Service.
const ServiceSuffix = ".svc.cluster.local"

// AsService is the Service w names: Service and Namespace, or a Host of
// the form NAME.NAMESPACE.svc.cluster.local.
func (w *Webhook) AsService() (name, namespace string, ok bool) {
	if w.Service != "" {
		return w.Service, w.Namespace, true
	}
	rest, found := strings.CutSuffix(w.Host, ServiceSuffix)
	name, namespace, dot := strings.Cut(rest, ".")
	if !found || !dot || name == "" || namespace == "" || strings.Contains(namespace, ".") {
		return "", "", false
	}
	return name, namespace, true
}

// IsService reports whether w names a Kubernetes Service.
func (w *Webhook) IsService() bool {
	_, _, ok := w.AsService()
	return ok
}

// Address is where the service is reached in the cluster: its Host, or
// the Service's cluster DNS name (namespace: the gateway's when unset).
func (w *Webhook) Address(gatewayNamespace string) string {
	if w.Service == "" {
		return w.Host
	}
	ns := w.Namespace
	if ns == "" {
		ns = gatewayNamespace
	}
	if ns == "" {
		return w.Service
	}
	return w.Service + "." + ns + ServiceSuffix
}

// GuardRule masks or rejects content matching builtins or regexes.
type GuardRule struct {
	Action   string   `json:"action"`
	Builtins []string `json:"builtins,omitempty"`
	Patterns []string `json:"patterns,omitempty"`
	// Message and StatusCode shape the rejection answer.
	Message    string `json:"message,omitempty"`
	StatusCode int32  `json:"statusCode,omitempty"`
}

// Prompt adds messages before or after the user's.
type Prompt struct {
	Prepend []Message `json:"prepend,omitempty"`
	Append  []Message `json:"append,omitempty"`
}

// Message roles.
const (
	RoleSystem    = "system"
	RoleUser      = "user"
	RoleAssistant = "assistant"
)

// Message is one chat message added by prompt enrichment.
type Message struct {
	Role    string `json:"role"`
	Content string `json:"content"`
}

// FieldDefault sets a request body field (e.g. temperature) when the client
// leaves it out, or always when Override is set.
type FieldDefault struct {
	Field    string `json:"field"`
	Value    any    `json:"value"`
	Override bool   `json:"override,omitempty"`
}
