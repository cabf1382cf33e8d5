package agentgatewayv13

import (
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	gwv1 "sigs.k8s.io/gateway-api/apis/v1"
)

// TrafficPhase is the point of request processing at which a traffic policy runs.
//
// +k8s:enum
type TrafficPhase string

const (
	// TrafficPhasePreRouting runs before a route is selected.
	TrafficPhasePreRouting TrafficPhase = "PreRouting"
	// TrafficPhasePostRouting runs after a route is selected (the default).
	TrafficPhasePostRouting TrafficPhase = "PostRouting"
)

// TrafficPolicy is the traffic section of an AgentgatewayPolicy: what happens to
// requests on the targeted Gateway, listener or route.
//
// +kubebuilder:validation:XValidation:rule="has(self.phase) && self.phase == 'PreRouting' ? [has(self.buffer),has(self.csrf),has(self.directResponse),has(self.headerModifiers),has(self.hostRewrite),has(self.rateLimit),has(self.retry),has(self.timeouts)].filter(x,x==true).size() == 0 : true",message="phase PreRouting only supports extAuth, authorization, transformation, extProc, jwtAuthentication, basicAuthentication, apiKeyAuthentication and cors"
type TrafficPolicy struct {
	// Phase runs the policy before or after route selection; PreRouting only allows
	// some fields and only Gateway or ListenerSet targets.
	// +optional
	Phase TrafficPhase `json:"phase,omitempty"`

	// Transformation edits headers, body or metadata of requests and responses.
	// +optional
	Transformation *TransformationOrConditional `json:"transformation,omitempty"`

	// ExtProc sends requests and responses through an external processing server.
	// +optional
	ExtProc *ExtProcOrConditional `json:"extProc,omitempty"`

	// ExtAuth asks an external service whether to allow each request.
	// +optional
	ExtAuth *ExtAuthOrConditional `json:"extAuth,omitempty"`

	// RateLimit limits requests or LLM tokens.
	// +optional
	RateLimit *RateLimitsOrConditional `json:"rateLimit,omitempty"`

	// CORS answers and annotates cross-origin requests.
	// +optional
	CORS *CORS `json:"cors,omitempty"`

	// CSRF rejects cross-site state-changing requests.
	// +optional
	CSRF *CSRF `json:"csrf,omitempty"`

	// HeaderModifiers add, set or remove request and response headers.
	// +optional
	HeaderModifiers *HeaderModifiers `json:"headerModifiers,omitempty"`

	// HostRewrite controls the Host header sent to the backend.
	// +optional
	HostRewrite *HostRewrite `json:"hostRewrite,omitempty"`

	// Timeouts bound the time a request may take.
	// +optional
	Timeouts *Timeouts `json:"timeouts,omitempty"`

	// Retry retries failed requests.
	// +optional
	Retry *Retry `json:"retry,omitempty"`

	// Authorization allows or denies requests by CEL expression.
	// +optional
	Authorization *Authorization `json:"authorization,omitempty"`

	// JWTAuthentication checks bearer JWTs.
	// +optional
	JWTAuthentication *JWTAuthentication `json:"jwtAuthentication,omitempty"`

	// BasicAuthentication checks HTTP basic credentials.
	// +optional
	BasicAuthentication *BasicAuthentication `json:"basicAuthentication,omitempty"`

	// APIKeyAuthentication checks API keys stored in Secrets.
	// +optional
	APIKeyAuthentication *APIKeyAuthentication `json:"apiKeyAuthentication,omitempty"`

	// DirectResponse answers requests from the proxy without calling a backend.
	// +optional
	DirectResponse *DirectResponseOrConditional `json:"directResponse,omitempty"`

	// Buffer buffers request and/or response bodies.
	// +optional
	Buffer *Buffer `json:"buffer,omitempty"`
}

// BodySendMode is how a body is sent to an external processor.
//
// +kubebuilder:validation:Enum=None;Buffered;BufferedPartial;FullDuplexStreamed
type BodySendMode string

const (
	// BodySendModeNone sends no body.
	BodySendModeNone BodySendMode = "None"
	// BodySendModeBuffered sends the whole body at once.
	BodySendModeBuffered BodySendMode = "Buffered"
	// BodySendModeBufferedPartial sends the body buffered up to a limit.
	BodySendModeBufferedPartial BodySendMode = "BufferedPartial"
	// BodySendModeFullDuplexStreamed streams the body both ways.
	BodySendModeFullDuplexStreamed BodySendMode = "FullDuplexStreamed"
)

// HeaderSendMode says whether headers are sent to an external processor.
//
// +kubebuilder:validation:Enum=Send;Skip
type HeaderSendMode string

const (
	// HeaderSendModeSend sends the headers.
	HeaderSendModeSend HeaderSendMode = "Send"
	// HeaderSendModeSkip does not send them.
	HeaderSendModeSkip HeaderSendMode = "Skip"
)

// TrailerSendMode says whether trailers are sent to an external processor.
//
// +kubebuilder:validation:Enum=Skip;Send
type TrailerSendMode string

const (
	// TrailerSendModeSkip does not send the trailers.
	TrailerSendModeSkip TrailerSendMode = "Skip"
	// TrailerSendModeSend sends them.
	TrailerSendModeSend TrailerSendMode = "Send"
)

// ProcessingOptions choose which parts of a message go to the external processor.
type ProcessingOptions struct {
	// RequestBodyMode is how the request body is sent.
	// +optional
	// +kubebuilder:default=FullDuplexStreamed
	RequestBodyMode *BodySendMode `json:"requestBodyMode,omitempty"`

	// ResponseBodyMode is how the response body is sent.
	// +optional
	// +kubebuilder:default=FullDuplexStreamed
	ResponseBodyMode *BodySendMode `json:"responseBodyMode,omitempty"`

	// RequestHeaderMode says whether request headers are sent.
	// +optional
	// +kubebuilder:default=Send
	RequestHeaderMode *HeaderSendMode `json:"requestHeaderMode,omitempty"`

	// ResponseHeaderMode says whether response headers are sent.
	// +optional
	// +kubebuilder:default=Send
	ResponseHeaderMode *HeaderSendMode `json:"responseHeaderMode,omitempty"`

	// RequestTrailerMode says whether request trailers are sent.
	// +optional
	// +kubebuilder:default=Send
	RequestTrailerMode *TrailerSendMode `json:"requestTrailerMode,omitempty"`

	// ResponseTrailerMode says whether response trailers are sent.
	// +optional
	// +kubebuilder:default=Send
	ResponseTrailerMode *TrailerSendMode `json:"responseTrailerMode,omitempty"`

	// AllowModeOverride lets the processor change these modes per message.
	// +optional
	// +kubebuilder:default=false
	AllowModeOverride bool `json:"allowModeOverride,omitempty"`
}

// ExtProc names an external processing (ext_proc) server.
type ExtProc struct {
	// BackendRef is the processing server.
	// +optional
	BackendRef *gwv1.BackendObjectReference `json:"backendRef,omitempty"`

	// ProcessingOptions choose what is sent to the server.
	// +optional
	ProcessingOptions *ProcessingOptions `json:"processingOptions,omitempty"`
}

// ExtProcConditional is an ExtProc applied when its condition holds.
type ExtProcConditional struct {
	// Condition is a CEL expression; an entry without one always applies.
	// +optional
	Condition CELExpression `json:"condition,omitempty"`

	// Policy is applied when the condition holds.
	// +required
	// +kubebuilder:validation:XValidation:rule="has(self.backendRef)",message="backendRef is required"
	Policy ExtProc `json:"policy"`
}

// ExtProcOrConditional is either one ExtProc or a list of conditional ones.
//
// +kubebuilder:validation:XValidation:rule="has(self.conditional) ? [has(self.backendRef),has(self.processingOptions)].filter(x,x==true).size() == 0 : true",message="conditional cannot be set with any other field"
// +kubebuilder:validation:XValidation:rule="has(self.conditional) ? true : has(self.backendRef)",message="backendRef: Required value"
type ExtProcOrConditional struct {
	ExtProc `json:",inline"`

	// Conditional lists policies tried in order; the first whose condition holds applies.
	// +optional
	// +kubebuilder:validation:MinItems=1
	// +kubebuilder:validation:MaxItems=16
	// +kubebuilder:validation:XValidation:message="conditional entries without condition must be last",rule="self.filter(e, !has(e.condition)).size() <= 1 && (!self.exists(e, !has(e.condition)) || !has(self[size(self) - 1].condition))"
	Conditional []ExtProcConditional `json:"conditional,omitempty"`
}

// ExtAuthConditional is an ExtAuth applied when its condition holds.
type ExtAuthConditional struct {
	// Condition is a CEL expression; an entry without one always applies.
	// +optional
	Condition CELExpression `json:"condition,omitempty"`

	// Policy is applied when the condition holds.
	// +required
	// +kubebuilder:validation:XValidation:rule="has(self.backendRef)",message="backendRef is required"
	// +kubebuilder:validation:XValidation:rule="[has(self.grpc),has(self.http)].filter(x,x==true).size() == 1",message="exactly one of the fields in [grpc http] must be set"
	Policy ExtAuth `json:"policy"`
}

// ExtAuthOrConditional is either one ExtAuth or a list of conditional ones.
//
// +kubebuilder:validation:XValidation:rule="has(self.conditional) || [has(self.grpc),has(self.http)].filter(x,x==true).size() == 1",message="exactly one of the fields in [grpc http] must be set"
// +kubebuilder:validation:XValidation:rule="has(self.conditional) ? [has(self.backendRef),has(self.cache),has(self.failureMode),has(self.forwardBody),has(self.grpc),has(self.http)].filter(x,x==true).size() == 0 : true",message="conditional cannot be set with any other field"
// +kubebuilder:validation:XValidation:rule="has(self.conditional) ? true : has(self.backendRef)",message="backendRef: Required value"
type ExtAuthOrConditional struct {
	ExtAuth `json:",inline"`

	// Conditional lists policies tried in order; the first whose condition holds applies.
	// +optional
	// +kubebuilder:validation:MinItems=1
	// +kubebuilder:validation:MaxItems=16
	// +kubebuilder:validation:XValidation:message="conditional entries without condition must be last",rule="self.filter(e, !has(e.condition)).size() <= 1 && (!self.exists(e, !has(e.condition)) || !has(self[size(self) - 1].condition))"
	Conditional []ExtAuthConditional `json:"conditional,omitempty"`
}

// ExtAuth calls an external authorisation service over gRPC or HTTP.
//
// +kubebuilder:validation:XValidation:rule="!has(self.cache) || has(self.grpc)",message="cache requires grpc"
type ExtAuth struct {
	// BackendRef is the authorisation service.
	// +optional
	BackendRef *gwv1.BackendObjectReference `json:"backendRef,omitempty"`

	// FailureMode is what happens when the service cannot be reached.
	// +optional
	FailureMode FailureMode `json:"failureMode,omitempty"`

	// GRPC calls the service with the Envoy ext_authz gRPC protocol.
	// +optional
	GRPC *ExtAuthGRPC `json:"grpc,omitempty"`

	// HTTP calls the service with a plain HTTP request.
	// +optional
	HTTP *ExtAuthHTTP `json:"http,omitempty"`

	// ForwardBody sends the request body along.
	// +optional
	ForwardBody *ExtAuthBody `json:"forwardBody,omitempty"`

	// Cache keeps decisions of the service for a while.
	// +optional
	Cache *ExtAuthCache `json:"cache,omitempty"`
}

// ExtAuthCache caches authorisation decisions.
type ExtAuthCache struct {
	// Key are CEL expressions whose results make up the cache key.
	// +required
	// +kubebuilder:validation:MinItems=1
	// +kubebuilder:validation:MaxItems=16
	Key []CELExpression `json:"key"`

	// TTL is a CEL expression giving how long a decision is kept.
	// +required
	TTL CELExpression `json:"ttl"`

	// MaxEntries bounds the number of cached decisions.
	// +optional
	// +kubebuilder:validation:Minimum=1
	MaxEntries *uint32 `json:"maxEntries,omitempty"`
}

// ExtAuthBody limits the request body sent to the authorisation service.
type ExtAuthBody struct {
	// MaxSize is the largest body that is buffered and sent.
	// +required
	MaxSize ByteSize `json:"maxSize"`
}

// ExtAuthGRPC configures the gRPC protocol of an external authorisation call.
type ExtAuthGRPC struct {
	// ContextExtensions are fixed key-value pairs sent with each check.
	// +optional
	// +kubebuilder:validation:MaxProperties=64
	ContextExtensions map[string]string `json:"contextExtensions,omitempty"`

	// RequestMetadata are CEL expressions whose results are sent as metadata.
	// +optional
	// +kubebuilder:validation:MaxProperties=64
	RequestMetadata map[string]CELExpression `json:"requestMetadata,omitempty"`
}

// ExtAuthHTTP configures the HTTP protocol of an external authorisation call.
type ExtAuthHTTP struct {
	// Path is a CEL expression giving the path of the check request.
	// +optional
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=16384
	Path string `json:"path,omitempty"`

	// Redirect is a CEL expression giving where a denied client is redirected.
	// +optional
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=16384
	Redirect string `json:"redirect,omitempty"`

	// AllowedRequestHeaders are the client headers copied to the check request.
	// +optional
	// +kubebuilder:validation:MaxItems=64
	// +kubebuilder:validation:items:MinLength=1
	// +kubebuilder:validation:items:MaxLength=256
	AllowedRequestHeaders []string `json:"allowedRequestHeaders,omitempty"`

	// AddRequestHeaders are CEL expressions whose results are added as headers of the
	// check request.
	// +optional
	// +kubebuilder:validation:MaxProperties=64
	AddRequestHeaders map[string]CELExpression `json:"addRequestHeaders,omitempty"`

	// AllowedResponseHeaders are the check response headers copied to the upstream
	// request.
	// +optional
	// +kubebuilder:validation:MaxItems=64
	// +kubebuilder:validation:items:MinLength=1
	// +kubebuilder:validation:items:MaxLength=256
	AllowedResponseHeaders []string `json:"allowedResponseHeaders,omitempty"`

	// ResponseMetadata are CEL expressions over the check response stored as metadata.
	// +optional
	// +kubebuilder:validation:MaxProperties=64
	ResponseMetadata map[string]CELExpression `json:"responseMetadata,omitempty"`
}

// RateLimits holds rate limit rules; set at least one of Local and Global.
//
// +kubebuilder:validation:XValidation:rule="[has(self.global),has(self.local)].filter(x,x==true).size() >= 1",message="at least one of the fields in [global local] must be set"
type RateLimits struct {
	// Local limits are enforced by each proxy replica on its own.
	// +optional
	// +kubebuilder:validation:MinItems=1
	// +kubebuilder:validation:MaxItems=16
	Local []LocalRateLimit `json:"local,omitempty"`

	// Global limits are shared by all replicas through a rate limit service.
	// +optional
	Global *GlobalRateLimit `json:"global,omitempty"`
}

// RateLimitsConditional are RateLimits applied when their condition holds.
type RateLimitsConditional struct {
	// Condition is a CEL expression; an entry without one always applies.
	// +optional
	Condition CELExpression `json:"condition,omitempty"`

	// Policy is applied when the condition holds.
	// +required
	Policy RateLimits `json:"policy"`
}

// RateLimitsOrConditional is either one set of rate limits or a list of conditional
// ones.
//
// +kubebuilder:validation:XValidation:rule="[has(self.conditional),has(self.global),has(self.local)].filter(x,x==true).size() >= 1",message="at least one of the fields in [conditional global local] must be set"
// +kubebuilder:validation:XValidation:rule="has(self.conditional) ? [has(self.global),has(self.local)].filter(x,x==true).size() == 0 : true",message="conditional cannot be set with any other field"
type RateLimitsOrConditional struct {
	// Local limits are enforced by each proxy replica on its own.
	// +optional
	// +kubebuilder:validation:MinItems=1
	// +kubebuilder:validation:MaxItems=16
	Local []LocalRateLimit `json:"local,omitempty"`

	// Global limits are shared by all replicas through a rate limit service.
	// +optional
	Global *GlobalRateLimit `json:"global,omitempty"`

	// Conditional lists limits tried in order; the first whose condition holds applies.
	// +optional
	// +kubebuilder:validation:MinItems=1
	// +kubebuilder:validation:MaxItems=16
	// +kubebuilder:validation:XValidation:message="conditional entries without condition must be last",rule="self.filter(e, !has(e.condition)).size() <= 1 && (!self.exists(e, !has(e.condition)) || !has(self[size(self) - 1].condition))"
	Conditional []RateLimitsConditional `json:"conditional,omitempty"`
}

// RateLimitUnit is the period a local rate limit is counted over.
//
// +k8s:enum
type RateLimitUnit string

const (
	// RateLimitUnitSeconds counts per second.
	RateLimitUnitSeconds RateLimitUnit = "Seconds"
	// RateLimitUnitMinutes counts per minute.
	RateLimitUnitMinutes RateLimitUnit = "Minutes"
	// RateLimitUnitHours counts per hour.
	RateLimitUnitHours RateLimitUnit = "Hours"
)

// LocalRateLimit allows a number of requests, or of LLM tokens, per Unit; set exactly
// one of Requests and Tokens.
//
// +kubebuilder:validation:XValidation:rule="[has(self.requests),has(self.tokens)].filter(x,x==true).size() == 1",message="exactly one of the fields in [requests tokens] must be set"
type LocalRateLimit struct {
	// Requests is the number of requests allowed per Unit.
	// +optional
	// +kubebuilder:validation:Minimum=1
	Requests int32 `json:"requests,omitempty"`

	// Tokens is the number of LLM tokens allowed per Unit. Tokens are counted once a
	// response is complete, so an overrun blocks later requests.
	// +optional
	// +kubebuilder:validation:Minimum=1
	Tokens int32 `json:"tokens,omitempty"`

	// Unit is the counting period.
	// +required
	Unit RateLimitUnit `json:"unit"`

	// Burst is extra capacity allowed on top of the steady rate.
	// +optional
	Burst *int32 `json:"burst,omitempty"`
}

// GlobalRateLimit asks an Envoy-compatible rate limit service.
type GlobalRateLimit struct {
	// BackendRef is the rate limit service.
	// +required
	BackendRef gwv1.BackendObjectReference `json:"backendRef"`

	// Domain is the rate limit domain configured in the service.
	// +required
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=256
	Domain string `json:"domain"`

	// Descriptors are the keys sent to the service for each request.
	// +required
	// +kubebuilder:validation:MinItems=1
	// +kubebuilder:validation:MaxItems=16
	Descriptors []RateLimitDescriptor `json:"descriptors"`

	// FailureMode is what happens when the service cannot be reached.
	// +optional
	FailureMode FailureMode `json:"failureMode,omitempty"`
}

// RateLimitCost is what a global rate limit descriptor counts.
//
// +k8s:enum
type RateLimitCost string

const (
	// RateLimitCostRequests counts requests.
	RateLimitCostRequests RateLimitCost = "Requests"
	// RateLimitCostTokens counts LLM tokens.
	RateLimitCostTokens RateLimitCost = "Tokens"
)

// RateLimitDescriptor is one descriptor: a list of named CEL expressions.
type RateLimitDescriptor struct {
	// Entries make up the descriptor.
	// +required
	// +kubebuilder:validation:MinItems=1
	// +kubebuilder:validation:MaxItems=16
	Entries []RateLimitDescriptorEntry `json:"entries"`

	// Unit is what the descriptor counts.
	// +optional
	Unit RateLimitCost `json:"unit,omitempty"`

	// Cost is a CEL expression giving how much a request counts.
	// +optional
	Cost *CELExpression `json:"cost,omitempty"`
}

// RateLimitDescriptorEntry is one key of a descriptor, valued by a CEL expression.
type RateLimitDescriptorEntry struct {
	// Name is the descriptor key.
	// +required
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=64
	Name string `json:"name"`

	// Expression is the CEL expression giving the value.
	// +required
	Expression CELExpression `json:"expression"`
}

// CORS is a Gateway API CORS filter. Fields added by later Gateway API releases are
// kept rather than pruned.
//
// +kubebuilder:pruning:PreserveUnknownFields
type CORS struct {
	gwv1.HTTPCORSFilter `json:",inline"`
}

// CSRF rejects state-changing cross-origin requests unless the origin is allowed.
type CSRF struct {
	// AdditionalOrigins are trusted origins besides the request's own.
	// +optional
	// +kubebuilder:validation:MinItems=1
	// +kubebuilder:validation:MaxItems=16
	// +kubebuilder:validation:items:MinLength=1
	// +kubebuilder:validation:items:MaxLength=256
	AdditionalOrigins []string `json:"additionalOrigins,omitempty"`
}

// HeaderModifiers change request and/or response headers; set at least one side.
//
// +kubebuilder:validation:XValidation:rule="[has(self.request),has(self.response)].filter(x,x==true).size() >= 1",message="at least one of the fields in [request response] must be set"
type HeaderModifiers struct {
	// Request changes the headers of the request.
	// +optional
	Request *gwv1.HTTPHeaderFilter `json:"request,omitempty"`

	// Response changes the headers of the response.
	// +optional
	Response *gwv1.HTTPHeaderFilter `json:"response,omitempty"`
}

// HostRewriteMode says how the Host header is set towards the backend.
//
// +k8s:enum
type HostRewriteMode string

const (
	// HostRewriteAuto sets the Host header to the backend's host name.
	HostRewriteAuto HostRewriteMode = "Auto"
	// HostRewriteNone keeps the client's Host header.
	HostRewriteNone HostRewriteMode = "None"
)

// HostRewrite controls the Host header sent to the backend.
type HostRewrite struct {
	// Mode is the rewrite behaviour.
	// +required
	Mode HostRewriteMode `json:"mode"`
}

// Timeouts bound request processing.
type Timeouts struct {
	// Request bounds the whole request, including retries.
	// +optional
	// +kubebuilder:validation:XValidation:rule="matches(self, '^([0-9]{1,5}(h|m|s|ms)){1,4}$')",message="invalid duration value"
	// +kubebuilder:validation:XValidation:rule="duration(self) >= duration('100ms')",message="request must be at least 1ms"
	Request *metav1.Duration `json:"request,omitempty"`
}

// JWTAuthentication validates bearer JWTs against one or more issuers.
//
// +kubebuilder:validation:XValidation:rule="!has(self.mcp) || size(self.providers) == 1",message="jwtAuthentication.mcp requires exactly one provider"
// +kubebuilder:validation:XValidation:rule="!has(self.mcp) || !has(self.mode) || self.mode == 'Strict'",message="jwtAuthentication.mcp requires mode Strict"
type JWTAuthentication struct {
	// Mode is how strictly a token is required.
	// +optional
	// +kubebuilder:default=Strict
	Mode JWTMode `json:"mode,omitempty"`

	// Providers are the accepted issuers.
	// +required
	// +kubebuilder:validation:MinItems=1
	// +kubebuilder:validation:MaxItems=64
	Providers []JWTProvider `json:"providers"`

	// Location says where the token is read from; the Authorization header when unset.
	// +optional
	Location *AuthorizationExtractionLocation `json:"location,omitempty"`

	// MCP publishes MCP protected-resource metadata for the single provider.
	// +optional
	MCP *JWTMCP `json:"mcp,omitempty"`
}

// AuthorizationLocationFields are the places a credential can be carried.
type AuthorizationLocationFields struct {
	// Header reads the credential from a request header.
	// +optional
	Header *AuthorizationHeaderLocation `json:"header,omitempty"`

	// QueryParameter reads the credential from a query parameter.
	// +optional
	QueryParameter *AuthorizationQueryParameterLocation `json:"queryParameter,omitempty"`

	// Cookie reads the credential from a cookie.
	// +optional
	Cookie *AuthorizationCookieLocation `json:"cookie,omitempty"`
}

// AuthorizationLocation is where a credential is placed; set exactly one field.
//
// +kubebuilder:validation:XValidation:rule="[has(self.header),has(self.queryParameter),has(self.cookie)].filter(x,x==true).size() == 1",message="exactly one of the fields in [header queryParameter cookie] must be set"
type AuthorizationLocation struct {
	AuthorizationLocationFields `json:",inline"`
}

// AuthorizationExtractionLocation is where a credential is read from; set exactly
// one field.
//
// +kubebuilder:validation:XValidation:rule="[has(self.header),has(self.queryParameter),has(self.cookie),has(self.expression)].filter(x,x==true).size() == 1",message="exactly one of the fields in [header queryParameter cookie expression] must be set"
type AuthorizationExtractionLocation struct {
	AuthorizationLocationFields `json:",inline"`

	// Expression is a CEL expression giving the credential.
	// +optional
	Expression *CELExpression `json:"expression,omitempty"`
}

// AuthorizationHeaderLocation is a header carrying a credential.
type AuthorizationHeaderLocation struct {
	// Name is the header name.
	// +required
	Name gwv1.HTTPHeaderName `json:"name"`

	// Prefix precedes the credential in the header value, such as "Bearer ".
	// +optional
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=256
	Prefix *string `json:"prefix,omitempty"`
}

// AuthorizationQueryParameterLocation is a query parameter carrying a credential.
type AuthorizationQueryParameterLocation struct {
	// Name is the parameter name.
	// +required
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=256
	Name string `json:"name"`
}

// AuthorizationCookieLocation is a cookie carrying a credential.
type AuthorizationCookieLocation struct {
	// Name is the cookie name.
	// +required
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=256
	Name string `json:"name"`
}

// JWTMCP adds MCP authorisation discovery to JWT authentication.
type JWTMCP struct {
	// ResourceMetadata is served as the OAuth protected-resource metadata document.
	// +optional
	ResourceMetadata map[string]apiextensionsv1.JSON `json:"resourceMetadata,omitempty"`

	// Provider turns on handling specific to an identity provider.
	// +optional
	Provider MCPIdentityProvider `json:"provider,omitempty"`

	// ClientID is the OAuth client ID advertised to MCP clients.
	// +optional
	ClientID *string `json:"clientId,omitempty"`
}

// JWTProvider is one accepted token issuer.
type JWTProvider struct {
	// Issuer is the expected iss claim.
	// +required
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=256
	Issuer string `json:"issuer"`

	// Audiences are the accepted aud claims; any audience when unset.
	// +optional
	// +kubebuilder:validation:MinItems=1
	// +kubebuilder:validation:MaxItems=64
	Audiences []string `json:"audiences,omitempty"`

	// JWKS gives the issuer's signing keys.
	// +required
	JWKS JWKS `json:"jwks"`
}

// JWKS is a JSON Web Key Set written inline or fetched remotely; set exactly one.
//
// +kubebuilder:validation:XValidation:rule="[has(self.remote),has(self.inline)].filter(x,x==true).size() == 1",message="exactly one of the fields in [remote inline] must be set"
type JWKS struct {
	// Remote fetches the key set from a backend.
	// +optional
	Remote *RemoteJWKS `json:"remote,omitempty"`

	// Inline is the key set as a JSON document.
	// +optional
	// +kubebuilder:validation:MinLength=2
	// +kubebuilder:validation:MaxLength=65536
	Inline string `json:"inline,omitempty"`
}

// CredentialMode is how strictly credentials are required.
//
// +k8s:enum
type CredentialMode string

const (
	// CredentialModeStrict requires valid credentials.
	CredentialModeStrict CredentialMode = "Strict"
	// CredentialModeOptional checks credentials only when they are sent.
	CredentialModeOptional CredentialMode = "Optional"
)

// APIKeyMode is how strictly an API key is required.
//
// +k8s:enum
type APIKeyMode string

const (
	// APIKeyModeStrict requires a valid key.
	APIKeyModeStrict APIKeyMode = "Strict"
	// APIKeyModeOptional checks a key only when one is sent.
	APIKeyModeOptional APIKeyMode = "Optional"
	// APIKeyModePermissive never rejects a request because of its key.
	APIKeyModePermissive APIKeyMode = "Permissive"
)

// BasicAuthentication checks HTTP basic credentials, given inline or in a Secret;
// set exactly one of Users and SecretRef.
//
// +kubebuilder:validation:XValidation:rule="[has(self.users),has(self.secretRef)].filter(x,x==true).size() == 1",message="exactly one of the fields in [users secretRef] must be set"
type BasicAuthentication struct {
	// Users are htpasswd lines ("name:hash").
	// +optional
	// +kubebuilder:validation:MinItems=1
	// +kubebuilder:validation:MaxItems=256
	Users []string `json:"users,omitempty"`

	// SecretRef names a Secret in the same namespace with an htpasswd entry.
	// +optional
	SecretRef *LocalSecretObjectRef `json:"secretRef,omitempty"`

	// Realm is sent in the WWW-Authenticate challenge.
	// +optional
	Realm *string `json:"realm,omitempty"`

	// Mode is how strictly credentials are required.
	// +optional
	// +kubebuilder:default=Strict
	Mode CredentialMode `json:"mode,omitempty"`

	// Location says where the credentials are read from.
	// +optional
	Location *AuthorizationExtractionLocation `json:"location,omitempty"`
}

// APIKeyAuthentication checks API keys stored in one Secret, or in the Secrets
// matching a selector; set exactly one of SecretRef and SecretSelector.
//
// +kubebuilder:validation:XValidation:rule="[has(self.secretRef),has(self.secretSelector)].filter(x,x==true).size() == 1",message="exactly one of the fields in [secretRef secretSelector] must be set"
type APIKeyAuthentication struct {
	// Mode is how strictly a key is required.
	// +optional
	// +kubebuilder:default=Strict
	Mode APIKeyMode `json:"mode,omitempty"`

	// SecretRef names a Secret in the same namespace holding the keys.
	// +optional
	SecretRef *LocalSecretObjectRef `json:"secretRef,omitempty"`

	// SecretSelector selects Secrets in the same namespace by label.
	// +optional
	SecretSelector *SecretSelector `json:"secretSelector,omitempty"`

	// Location says where the key is read from.
	// +optional
	Location *AuthorizationExtractionLocation `json:"location,omitempty"`
}

// BufferBody limits the buffering of one body.
type BufferBody struct {
	// MaxBytes is the largest body that is buffered.
	// +optional
	MaxBytes *ByteSize `json:"maxBytes,omitempty"`
}

// Buffer buffers whole bodies before they are forwarded; set at least one side.
//
// +kubebuilder:validation:XValidation:rule="[has(self.request),has(self.response)].filter(x,x==true).size() >= 1",message="at least one of the fields in [request response] must be set"
type Buffer struct {
	// Request buffers the request body.
	// +optional
	Request *BufferBody `json:"request,omitempty"`

	// Response buffers the response body.
	// +optional
	Response *BufferBody `json:"response,omitempty"`
}

// SecretSelector selects Secrets by their labels.
type SecretSelector struct {
	// MatchLabels must all be present, with equal values, on a Secret.
	// +required
	MatchLabels map[string]string `json:"matchLabels"`
}

// DirectResponse is a reply returned by the proxy itself.
//
// +kubebuilder:validation:XValidation:rule="!(has(self.body) && has(self.bodyExpression))",message="body and bodyExpression may not both be set"
type DirectResponse struct {
	// Status is the HTTP status of the reply.
	// +optional
	// +kubebuilder:validation:Minimum=200
	// +kubebuilder:validation:Maximum=599
	Status *int32 `json:"status,omitempty"`

	// Body is the body of the reply.
	// +optional
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=4096
	Body *string `json:"body,omitempty"`

	// BodyExpression is a CEL expression giving the body.
	// +optional
	BodyExpression *CELExpression `json:"bodyExpression,omitempty"`

	// Headers are set on the reply, valued by CEL expressions.
	// +optional
	// +listType=map
	// +listMapKey=name
	// +kubebuilder:validation:MinItems=1
	// +kubebuilder:validation:MaxItems=16
	Headers []DirectResponseHeader `json:"headers,omitempty"`
}

// HTTPHeaderName is an HTTP header name (no pseudo-headers).
//
// +kubebuilder:validation:MinLength=1
// +kubebuilder:validation:MaxLength=256
// +kubebuilder:validation:Pattern=`^[A-Za-z0-9!#$%&'*+\-.^_\x60|~]+$`
type HTTPHeaderName string

// DirectResponseHeader is one header of a direct response.
type DirectResponseHeader struct {
	// Name is the header name.
	// +required
	Name HTTPHeaderName `json:"name"`

	// Value is a CEL expression giving the header value.
	// +required
	Value CELExpression `json:"value"`
}

// DirectResponseConditional is a DirectResponse returned when its condition holds.
type DirectResponseConditional struct {
	// Condition is a CEL expression; an entry without one always applies.
	// +optional
	Condition CELExpression `json:"condition,omitempty"`

	// Policy is returned when the condition holds.
	// +required
	// +kubebuilder:validation:XValidation:rule="has(self.status)",message="status is required"
	Policy DirectResponse `json:"policy"`
}

// DirectResponseOrConditional is either one DirectResponse or a list of conditional
// ones.
//
// +kubebuilder:validation:XValidation:rule="has(self.conditional) ? [has(self.body),has(self.bodyExpression),has(self.headers),has(self.status)].filter(x,x==true).size() == 0 : true",message="conditional cannot be set with any other field"
// +kubebuilder:validation:XValidation:rule="has(self.conditional) ? true : has(self.status)",message="status: Required value"
type DirectResponseOrConditional struct {
	DirectResponse `json:",inline"`

	// Conditional lists replies tried in order; the first whose condition holds applies.
	// +optional
	// +kubebuilder:validation:MinItems=1
	// +kubebuilder:validation:MaxItems=16
	// +kubebuilder:validation:XValidation:message="conditional entries without condition must be last",rule="self.filter(e, !has(e.condition)).size() <= 1 && (!self.exists(e, !has(e.condition)) || !has(self[size(self) - 1].condition))"
	Conditional []DirectResponseConditional `json:"conditional,omitempty"`
}
