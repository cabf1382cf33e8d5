// Package templates holds kubelb-ai's built-in knowledge as embedded data: the
// provider catalog (hosts, paths, auth headers, models) and the target presets
// (which data plane, which providers and features each target can express).
package templates

import (
	_ "embed"
	"fmt"
	"strings"
	"sync"

	"sigs.k8s.io/yaml"
)

//go:embed providers.yaml
var providersYAML []byte

//go:embed targets.yaml
var targetsYAML []byte

// Provider describes how one LLM provider is reached and what kubelb-ai
// assumes when a Spec does not say otherwise.
type Provider struct {
	Kind  string `json:"kind"`
	Title string `json:"title"`
	// Host, Port and Path locate the provider's chat endpoint. They may hold
	// {placeholders} (apiVersion, model, endpoint, deployment, project,
	// location, region) that come from the provider's settings.
	Host string `json:"host"`
	Port int32  `json:"port"`
	Path string `json:"path"`
	// AuthHeader and AuthPrefix say how the API key travels; empty for
	// providers that sign requests (Bedrock) or need no key (Ollama).
	AuthHeader string `json:"authHeader,omitempty"`
	AuthPrefix string `json:"authPrefix,omitempty"`
	// APIKeyEnv is the environment variable the key is read from by default.
	APIKeyEnv string `json:"apiKeyEnv,omitempty"`
	// SecretKeyEnv is Bedrock's second credential variable.
	SecretKeyEnv string `json:"secretKeyEnv,omitempty"`
	// Format is the request body the provider's native API expects.
	Format string `json:"format"`
	// OpenAICompatible providers are rendered as an OpenAI provider with a
	// host override on data planes that have no dedicated kind for them.
	OpenAICompatible bool   `json:"openAICompatible,omitempty"`
	NoKey            bool   `json:"noKey,omitempty"`
	APIVersion       string `json:"apiVersion,omitempty"`
	Location         string `json:"location,omitempty"`
	Region           string `json:"region,omitempty"`
	DefaultModel     string `json:"defaultModel,omitempty"`
	// Headers are the provider's optional request headers a gateway passes
	// on from clients (never credentials or cookies).
	Headers []string `json:"headers,omitempty"`
	Models  []string `json:"models,omitempty"`
	// Paths are the provider's endpoints by AI route type (Responses,
	// Embeddings, AnthropicTokenCount), for those it takes other than chat
	// (Path); placeholders as in Path.
	Paths map[string]string `json:"paths,omitempty"`
}

// Image pins a container image by registry, repository and release tag.
type Image struct {
	Registry   string `json:"registry"`
	Repository string `json:"repository"`
	Tag        string `json:"tag"`
}

// Features lists the Spec features whose support differs between targets.
type Features struct {
	// PathOverride: a provider's request path can be replaced.
	PathOverride bool `json:"pathOverride"`
	// TokenRateLimit: limits counted in LLM tokens, not requests.
	TokenRateLimit bool `json:"tokenRateLimit"`
	// MixedFailover: a failover chain may mix provider formats (the Envoy
	// data plane requires one format per Backend).
	MixedFailover bool `json:"mixedFailover"`
	// GuardListPerDirection: several guard rules, each with its own action,
	// per direction (kgateway has one regex rule with one action).
	GuardListPerDirection bool `json:"guardListPerDirection"`
	// ResponseGuardReject: a response guard may reject, not only mask.
	ResponseGuardReject bool `json:"responseGuardReject"`
	// CaSin: the Canadian social insurance number builtin.
	CaSin bool `json:"caSin"`
	// WebhookHost: a guard webhook may be any host name (kgateway's
	// webhook.host); without it, only a Service (agentgateway's backendRef).
	WebhookHost bool `json:"webhookHost"`
	// RouteTypes: the backend maps request paths to API formats (chat
	// completions, Responses, embeddings, ...); without it every request is
	// chat completions.
	RouteTypes bool `json:"routeTypes"`
	// CORS: a route's policy can answer browsers' cross-origin requests.
	CORS bool `json:"cors"`
	// GlobalRateLimit: limits counted by a rate-limit service shared by
	// the replicas (per day too).
	GlobalRateLimit bool `json:"globalRateLimit"`
	// LimitKeyExpression: a global limit may be keyed by any CEL
	// expression, the client included (kgateway: route, a header or the
	// client address only).
	LimitKeyExpression bool `json:"limitKeyExpression"`
	// APIKeys: clients authenticate with API keys the gateway checks.
	APIKeys bool `json:"apiKeys"`
	// JWT: clients authenticate with JWTs the gateway checks.
	JWT bool `json:"jwt"`
	// Authorization: CEL rules allow requests.
	Authorization bool `json:"authorization"`
	// MCP: an MCP gateway federates MCP servers behind one route.
	MCP bool `json:"mcp"`
	// Tracing: the gateway exports OpenTelemetry spans to a collector
	// Service.
	Tracing bool `json:"tracing"`
	// TracingHTTP: spans may go over OTLP/HTTP, not only OTLP/gRPC.
	TracingHTTP bool `json:"tracingHTTP"`
	// TracingPercent: the sampling share is a whole percentage (kgateway's
	// HTTPListenerPolicy), not any ratio.
	TracingPercent bool `json:"tracingPercent"`
}

// Target is one data plane kubelb-ai renders manifests for.
type Target struct {
	Name string `json:"name"`
	// KubeLB lists the KubeLB releases that run the target, from the
	// kubelb table.
	KubeLB           []string    `json:"-"`
	CRDs             CRDReleases `json:"crds"`
	Default          bool        `json:"default,omitempty"`
	DataPlane        string      `json:"dataPlane"`
	GatewayClass     string      `json:"gatewayClass"`
	AIExtensionImage *Image      `json:"aiExtensionImage,omitempty"`
	Providers        []string    `json:"providers"`
	Features         Features    `json:"features"`
	// API is where the data plane's own kinds live, and the kinds render
	// writes.
	API API `json:"api"`
	// Kinds are the data plane's kinds that apply orders, waits for and
	// routes to, by the part they play.
	Kinds Kinds `json:"kinds"`
	// Translates: clients speak OpenAI's format whatever the provider's,
	// and the data plane translates (else each backend's own format).
	Translates bool `json:"translates"`
	// Limiter is the local rate limit's semantics: tokenBucket (a bucket
	// refilled in one go every interval) or smooth (requests per unit plus
	// a burst, refilled continuously).
	Limiter string `json:"limiter"`
	// FailoverMax is the most providers one backend's failover chain may
	// hold (the CRD's maxItems).
	FailoverMax int `json:"failoverMax"`
	// KeylessNeedsToken: the data plane wants a token even for providers
	// that need none, so render writes Passthrough for them.
	KeylessNeedsToken bool `json:"keylessNeedsToken"`
	// AddsBearer: the data plane puts "Bearer " before the key a Secret
	// holds itself (so a Secret must hold the bare key).
	AddsBearer bool `json:"addsBearer"`
	// Detect says how to tell the target's manifests and CRDs from
	// others'.
	Detect Detect `json:"detect"`
	// RerankSince is the first data-plane release whose backend CRD
	// accepts the Rerank route type ("" for none).
	RerankSince string `json:"rerankSince,omitempty"`
	// APIKeyLocationSince is the first data-plane release that reads API
	// keys from another header and knows mode Permissive for them.
	APIKeyLocationSince string `json:"apiKeyLocationSince,omitempty"`
	// APIKeyHashSince is the first data-plane release that accepts
	// API-key hashes.
	APIKeyHashSince string `json:"apiKeyHashSince,omitempty"`
	// MCPPrefixSince is the first data-plane release whose MCP backend
	// says how tool names are prefixed (prefixMode).
	MCPPrefixSince string `json:"mcpPrefixSince,omitempty"`
	// AIExtension: a separate extension process does the AI work; it
	// overwrites the request path on AI backends.
	AIExtension bool `json:"aiExtension"`
}

// API locates a data plane's kinds and names those render writes.
type API struct {
	Group   string `json:"group"`
	Version string `json:"version"`
	// Parameters, Backend and Policy are the kinds render writes for the
	// gateway's parameters, a failover chain and a route's policies.
	Parameters string `json:"parameters"`
	Backend    string `json:"backend"`
	Policy     string `json:"policy"`
	// Tracing is the kind of the gateway-wide tracing policy ("" where
	// the data plane has none).
	Tracing string `json:"tracing,omitempty"`
}

// APIVersion is the group/version of the kinds render writes.
func (a API) APIVersion() string { return a.Group + "/" + a.Version }

// Kinds sorts a data plane's kinds by the part they play.
type Kinds struct {
	// Parameters are applied before the Gateway that refers to them.
	Parameters []string `json:"parameters"`
	// Backends are applied before the routes that refer to them, report
	// Accepted in status.conditions, and are where routes send AI traffic.
	Backends []string `json:"backends"`
	// Policies report Accepted per ancestor (status.ancestors).
	Policies []string `json:"policies"`
	// TutorialRateLimit is a rate-limit kind KubeLB's tutorial wrote in
	// the data plane's group that no release has: migrate rewrites it as
	// the real policy, validate says so.
	TutorialRateLimit string `json:"tutorialRateLimit,omitempty"`
}

// Target names, for tests and examples that pick a target. Code decides by
// the target's facts or asks its dataplane adapter: nothing outside package
// dataplane compares them (a test there greps for it).
const (
	KgatewayV20  = "kgateway-v2.0"
	KgatewayV21  = "kgateway-v2.1"
	Agentgateway = "agentgateway"
)

// Detect holds the markers that tell a target's manifests and a cluster's
// CRDs apart; field paths are dotted from the object's root.
type Detect struct {
	// OwnsGroup: an object of the API group is this target's alone.
	OwnsGroup bool `json:"ownsGroup,omitempty"`
	// BackendFields: a backend object with any of them is this release's
	// (a shape no other release of the group has).
	BackendFields []string `json:"backendFields,omitempty"`
	// CRDHas and CRDLacks: the installed backend CRD's schema has every
	// field of CRDHas and none of CRDLacks.
	CRDHas   []string `json:"crdHas,omitempty"`
	CRDLacks []string `json:"crdLacks,omitempty"`
}

// Limiter semantics.
const (
	LimiterTokenBucket = "tokenBucket"
	LimiterSmooth      = "smooth"
)

// SupportsProvider reports whether the target can express provider kind p.
func (t Target) SupportsProvider(p string) bool {
	for _, k := range t.Providers {
		if k == p {
			return true
		}
	}
	return false
}

var (
	loadOnce  sync.Once
	providers []Provider
	targets   []Target
	releases  []Release
	gwapi     []string
	loadErr   error
)

func load() {
	loadOnce.Do(func() {
		var p struct {
			Providers []Provider `json:"providers"`
		}
		var t struct {
			Targets    []Target  `json:"targets"`
			KubeLB     []Release `json:"kubelb"`
			GatewayAPI []string  `json:"gatewayAPI"`
		}
		if err := yaml.UnmarshalStrict(providersYAML, &p); err != nil {
			loadErr = fmt.Errorf("templates: providers.yaml: %w", err)
			return
		}
		if err := yaml.UnmarshalStrict(targetsYAML, &t); err != nil {
			loadErr = fmt.Errorf("templates: targets.yaml: %w", err)
			return
		}
		providers, targets, releases, gwapi = p.Providers, t.Targets, t.KubeLB, t.GatewayAPI
		for i := range targets {
			for _, r := range releases {
				if r.Target == targets[i].Name {
					targets[i].KubeLB = append(targets[i].KubeLB, r.KubeLB)
				}
			}
		}
	})
	if loadErr != nil {
		// The data is embedded and covered by tests; failing here is a build defect.
		panic(loadErr)
	}
}

// Providers returns the catalog in its documented order.
func Providers() []Provider { load(); return providers }

// ProviderKinds returns the provider kinds in catalog order.
func ProviderKinds() []string {
	load()
	kinds := make([]string, len(providers))
	for i, p := range providers {
		kinds[i] = p.Kind
	}
	return kinds
}

// LookupProvider returns the catalog entry for kind.
func LookupProvider(kind string) (Provider, bool) {
	load()
	for _, p := range providers {
		if p.Kind == kind {
			return p, true
		}
	}
	return Provider{}, false
}

// Targets returns every target, oldest data plane first.
func Targets() []Target { load(); return targets }

// TargetNames returns the target names, oldest first.
func TargetNames() []string {
	load()
	names := make([]string, len(targets))
	for i, t := range targets {
		names[i] = t.Name
	}
	return names
}

// DefaultTarget is the target used when none is named.
func DefaultTarget() Target {
	load()
	for _, t := range targets {
		if t.Default {
			return t
		}
	}
	return targets[len(targets)-1]
}

// LookupTarget returns the target called name.
func LookupTarget(name string) (Target, error) {
	load()
	for _, t := range targets {
		if t.Name == name {
			return t, nil
		}
	}
	return Target{}, fmt.Errorf("unknown target %q: use one of %s", name, strings.Join(TargetNames(), ", "))
}

// TargetForKubeLB maps a KubeLB version ("1.3", "v1.3.2") to the target its
// AI gateway addon ships.
func TargetForKubeLB(version string) (Target, error) {
	r, err := ReleaseForKubeLB(version)
	if err != nil {
		return Target{}, err
	}
	return LookupTarget(r.Target)
}

// KubeLBVersions lists the KubeLB minor versions with a known target.
func KubeLBVersions() []string {
	load()
	vs := make([]string, len(releases))
	for i, r := range releases {
		vs[i] = r.KubeLB
	}
	return vs
}

// kubeLBMinor returns the minor number of a 1.x version string.
func kubeLBMinor(version string) (int, error) {
	v := strings.TrimPrefix(strings.TrimSpace(version), "v")
	parts := strings.Split(v, ".")
	var major, minor int
	if len(parts) < 2 || len(parts) > 3 {
		return 0, fmt.Errorf("invalid KubeLB version %q: want MAJOR.MINOR, e.g. 1.3", version)
	}
	if _, err := fmt.Sscanf(parts[0]+" "+parts[1], "%d %d", &major, &minor); err != nil || major != 1 || minor < 0 {
		return 0, fmt.Errorf("invalid KubeLB version %q: want 1.MINOR, e.g. 1.3", version)
	}
	return minor, nil
}
