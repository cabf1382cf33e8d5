package kgatewayv21

import (
	"k8s.io/apimachinery/pkg/api/resource"
	gwv1 "sigs.k8s.io/gateway-api/apis/v1"
)

// TransformationPolicy rewrites requests and responses with Inja templates.
type TransformationPolicy struct {
	// Request is applied to requests before they are forwarded.
	// +optional
	Request *Transform `json:"request,omitempty"`

	// Response is applied to responses before they are returned.
	// +optional
	Response *Transform `json:"response,omitempty"`
}

// Transform changes headers and the body of one direction.
type Transform struct {
	// Set replaces headers, or adds them when missing.
	// +optional
	// +listType=map
	// +listMapKey=name
	// +kubebuilder:validation:MaxItems=16
	Set []HeaderTransformation `json:"set,omitempty"`

	// Add appends header values.
	// +optional
	// +listType=map
	// +listMapKey=name
	// +kubebuilder:validation:MaxItems=16
	Add []HeaderTransformation `json:"add,omitempty"`

	// Remove deletes headers by name.
	// +optional
	// +listType=set
	// +kubebuilder:validation:MaxItems=16
	Remove []string `json:"remove,omitempty"`

	// Body rewrites the body.
	// +optional
	Body *BodyTransformation `json:"body,omitempty"`
}

// HeaderTransformation is a header name and a template for its value.
type HeaderTransformation struct {
	// Name is the header name.
	// +required
	Name string `json:"name"`

	// Value is an Inja template that produces the header value.
	// +optional
	Value *string `json:"value,omitempty"`
}

// BodyParseBehavior says how the body is read before templating.
//
// +kubebuilder:validation:Enum=AsString;AsJson
type BodyParseBehavior string

// BodyTransformation rewrites a body.
type BodyTransformation struct {
	// ParseAs says whether the body is parsed as JSON, which makes its fields
	// available to the template, or kept as a string.
	// +required
	// +kubebuilder:default=AsString
	ParseAs BodyParseBehavior `json:"parseAs"`

	// Value is an Inja template that produces the new body.
	// +optional
	Value *string `json:"value,omitempty"`
}

// ExtProcPolicy turns external processing on or off for the targets.
//
// +kubebuilder:validation:XValidation:rule="[has(self.extensionRef),has(self.disable)].filter(x,x==true).size() == 1",message="exactly one of the fields in [extensionRef disable] must be set"
type ExtProcPolicy struct {
	// ExtensionRef names a GatewayExtension of type ExtProc.
	// +optional
	ExtensionRef *NamespacedObjectReference `json:"extensionRef,omitempty"`

	// ProcessingMode overrides which parts of the exchange are sent.
	// +optional
	ProcessingMode *ProcessingMode `json:"processingMode,omitempty"`

	// Disable turns off external processing set by a wider-scoped policy.
	// +optional
	Disable *PolicyDisable `json:"disable,omitempty"`
}

// ExtAuthPolicy turns external authorization on or off for the targets.
//
// +kubebuilder:validation:XValidation:rule="[has(self.extensionRef),has(self.disable)].filter(x,x==true).size() == 1",message="exactly one of the fields in [extensionRef disable] must be set"
type ExtAuthPolicy struct {
	// ExtensionRef names a GatewayExtension of type ExtAuth.
	// +optional
	ExtensionRef *NamespacedObjectReference `json:"extensionRef,omitempty"`

	// WithRequestBody sends the request body to the service.
	// +optional
	WithRequestBody *ExtAuthBufferSettings `json:"withRequestBody,omitempty"`

	// ContextExtensions are passed to the service with each check.
	// +optional
	ContextExtensions map[string]string `json:"contextExtensions,omitempty"`

	// Disable turns off authorization set by a wider-scoped policy.
	// +optional
	Disable *PolicyDisable `json:"disable,omitempty"`
}

// CORSOrigin is an origin allowed by a CORS policy: "*", or a scheme, host and optional
// port. This is the origin format of Gateway API v1.4.0, the release kgateway v2.1.2
// was built with; later releases changed the pattern.
//
// +kubebuilder:validation:MinLength=1
// +kubebuilder:validation:MaxLength=253
// +kubebuilder:validation:Pattern=`(^\*$)|(^([a-zA-Z][a-zA-Z0-9+\-.]+):\/\/([^:/?#]+)(:([0-9]{1,5}))?$)`
type CORSOrigin string

// CorsPolicy is the CORS filter of Gateway API v1.4.0 plus a switch to turn CORS off.
// The filter's fields are copied here rather than taken from the Gateway API module
// because later Gateway API releases changed their validation. The schema keeps
// unknown fields, as upstream's does.
//
// +kubebuilder:pruning:PreserveUnknownFields
type CorsPolicy struct {
	// AllowOrigins are the origins allowed to make cross-origin requests.
	// +optional
	// +listType=set
	// +kubebuilder:validation:MaxItems=64
	// +kubebuilder:validation:XValidation:message="AllowOrigins cannot contain '*' alongside other origins",rule="!('*' in self && self.size() > 1)"
	AllowOrigins []CORSOrigin `json:"allowOrigins,omitempty"`

	// AllowCredentials lets responses be shared with credentialed requests.
	// +optional
	AllowCredentials *bool `json:"allowCredentials,omitempty"`

	// AllowMethods are the methods allowed in cross-origin requests.
	// +optional
	// +listType=set
	// +kubebuilder:validation:MaxItems=9
	// +kubebuilder:validation:XValidation:message="AllowMethods cannot contain '*' alongside other methods",rule="!('*' in self && self.size() > 1)"
	AllowMethods []gwv1.HTTPMethodWithWildcard `json:"allowMethods,omitempty"`

	// AllowHeaders are the request headers allowed in cross-origin requests.
	// +optional
	// +listType=set
	// +kubebuilder:validation:MaxItems=64
	AllowHeaders []gwv1.HTTPHeaderName `json:"allowHeaders,omitempty"`

	// ExposeHeaders are the response headers scripts may read.
	// +optional
	// +listType=set
	// +kubebuilder:validation:MaxItems=64
	ExposeHeaders []gwv1.HTTPHeaderName `json:"exposeHeaders,omitempty"`

	// MaxAge is how long, in seconds, a preflight response may be cached.
	// +optional
	// +kubebuilder:default=5
	// +kubebuilder:validation:Minimum=1
	MaxAge *int32 `json:"maxAge,omitempty"`

	// Disable turns off CORS set by a wider-scoped policy.
	// +optional
	Disable *PolicyDisable `json:"disable,omitempty"`
}

// CSRFPolicy checks the Origin of state-changing requests.
//
// +kubebuilder:validation:XValidation:rule="[has(self.percentageEnabled),has(self.percentageShadowed)].filter(x,x==true).size() <= 1",message="at most one of the fields in [percentageEnabled percentageShadowed] may be set"
type CSRFPolicy struct {
	// PercentageEnabled is the percentage of requests that are checked and enforced.
	// +optional
	// +kubebuilder:validation:Minimum=0
	// +kubebuilder:validation:Maximum=100
	PercentageEnabled *int32 `json:"percentageEnabled,omitempty"`

	// PercentageShadowed is the percentage of requests that are checked and only
	// counted, not rejected.
	// +optional
	// +kubebuilder:validation:Minimum=0
	// +kubebuilder:validation:Maximum=100
	PercentageShadowed *int32 `json:"percentageShadowed,omitempty"`

	// AdditionalOrigins are accepted besides the request's own host.
	// +optional
	// +kubebuilder:validation:MaxItems=16
	AdditionalOrigins []StringMatcher `json:"additionalOrigins,omitempty"`
}

// StringMatcher matches a string in one of several ways; exactly one way must be set.
//
// +kubebuilder:validation:XValidation:rule="[has(self.exact),has(self.prefix),has(self.suffix),has(self.contains),has(self.safeRegex)].filter(x,x==true).size() == 1",message="exactly one of the fields in [exact prefix suffix contains safeRegex] must be set"
type StringMatcher struct {
	// Exact matches the whole string.
	// +optional
	Exact *string `json:"exact,omitempty"`

	// Prefix matches the start of the string.
	// +optional
	Prefix *string `json:"prefix,omitempty"`

	// Suffix matches the end of the string.
	// +optional
	Suffix *string `json:"suffix,omitempty"`

	// Contains matches anywhere in the string.
	// +optional
	Contains *string `json:"contains,omitempty"`

	// SafeRegex is an RE2 expression matched against the whole string.
	// +optional
	SafeRegex *string `json:"safeRegex,omitempty"`

	// IgnoreCase makes the match case-insensitive; it does not apply to SafeRegex.
	// +required
	// +kubebuilder:default=false
	IgnoreCase bool `json:"ignoreCase"`
}

// HeaderModifiers change headers in either direction; at least one must be set.
//
// +kubebuilder:validation:XValidation:rule="has(self.request) || has(self.response)",message="At least one of request or response must be provided."
type HeaderModifiers struct {
	// Request changes the headers sent upstream.
	// +optional
	Request *gwv1.HTTPHeaderFilter `json:"request,omitempty"`

	// Response changes the headers returned to the client.
	// +optional
	Response *gwv1.HTTPHeaderFilter `json:"response,omitempty"`
}

// Buffer collects whole requests before forwarding them; exactly one field must be
// set.
//
// +kubebuilder:validation:XValidation:rule="[has(self.maxRequestSize),has(self.disable)].filter(x,x==true).size() == 1",message="exactly one of the fields in [maxRequestSize disable] must be set"
type Buffer struct {
	// MaxRequestSize is the largest body buffered, such as 1Mi; larger requests are
	// rejected.
	// +optional
	// +kubebuilder:validation:XValidation:rule="(type(self) == int && int(self) > 0 && int(self) < 4294967296) || (type(self) == string && quantity(self).isGreaterThan(quantity('0')) && quantity(self).isLessThan(quantity('4Gi')))",message="maxRequestSize must be greater than 0 and less than 4Gi"
	MaxRequestSize *resource.Quantity `json:"maxRequestSize,omitempty"`

	// Disable turns off buffering set by a wider-scoped policy.
	// +optional
	Disable *PolicyDisable `json:"disable,omitempty"`
}

// Timeouts bound the time spent on a request.
type Timeouts struct {
	// Request bounds the whole request, including retries.
	// +optional
	// +kubebuilder:validation:XValidation:rule="matches(self, '^([0-9]{1,5}(h|m|s|ms)){1,4}$')",message="invalid duration value"
	Request *string `json:"request,omitempty"`

	// StreamIdle closes a stream that has been idle this long.
	// +optional
	// +kubebuilder:validation:XValidation:rule="matches(self, '^([0-9]{1,5}(h|m|s|ms)){1,4}$')",message="invalid duration value"
	StreamIdle *string `json:"streamIdle,omitempty"`
}

// RetryOnCondition is a class of failure that is retried.
//
// +kubebuilder:validation:Enum="5xx";gateway-error;reset;reset-before-request;connect-failure;envoy-ratelimited;retriable-4xx;refused-stream;retriable-status-codes;http3-post-connect-failure;cancelled;deadline-exceeded;internal;resource-exhausted;unavailable
type RetryOnCondition string

// Retry retries failed requests; RetryOn or StatusCodes must be set.
//
// +kubebuilder:validation:XValidation:rule="has(self.retryOn) || has(self.statusCodes)",message="retryOn or statusCodes must be set."
type Retry struct {
	// RetryOn lists the failure classes that are retried.
	// +optional
	// +kubebuilder:validation:MinItems=1
	RetryOn []RetryOnCondition `json:"retryOn,omitempty"`

	// Attempts is the number of retries; 0 turns retrying off.
	// +optional
	// +kubebuilder:default=1
	// +kubebuilder:validation:Minimum=0
	Attempts *int32 `json:"attempts,omitempty"`

	// PerTryTimeout bounds each attempt; it must be shorter than timeouts.request.
	// +optional
	// +kubebuilder:validation:XValidation:rule="matches(self, '^([0-9]{1,5}(h|m|s|ms)){1,4}$')",message="invalid duration value"
	// +kubebuilder:validation:XValidation:rule="duration(self) >= duration('1ms')",message="retry.perTryTimeout must be at least 1ms."
	PerTryTimeout *string `json:"perTryTimeout,omitempty"`

	// StatusCodes are response codes that are retried.
	// +optional
	// +kubebuilder:validation:MinItems=1
	StatusCodes []gwv1.HTTPRouteRetryStatusCode `json:"statusCodes,omitempty"`

	// BackoffBaseInterval is the first wait of the jittered exponential back-off.
	// +optional
	// +kubebuilder:default="25ms"
	// +kubebuilder:validation:XValidation:rule="matches(self, '^([0-9]{1,5}(h|m|s|ms)){1,4}$')",message="invalid duration value"
	// +kubebuilder:validation:XValidation:rule="duration(self) >= duration('1ms')",message="retry.backoffBaseInterval must be at least 1ms."
	BackoffBaseInterval *string `json:"backoffBaseInterval,omitempty"`
}

// AuthorizationPolicyAction is what happens to requests that match.
//
// +kubebuilder:validation:Enum=Allow;Deny
type AuthorizationPolicyAction string

// RBAC allows or denies requests that match CEL expressions.
type RBAC struct {
	// Policy holds the expressions.
	// +required
	Policy RBACPolicy `json:"policy"`

	// Action is applied to matching requests.
	// +optional
	// +kubebuilder:default=Allow
	Action *AuthorizationPolicyAction `json:"action,omitempty"`
}

// RBACPolicy is a set of CEL expressions; a request matches when any of them is true.
type RBACPolicy struct {
	// MatchExpressions are the CEL expressions.
	// +optional
	// +kubebuilder:validation:MinItems=1
	MatchExpressions []string `json:"matchExpressions,omitempty"`
}
