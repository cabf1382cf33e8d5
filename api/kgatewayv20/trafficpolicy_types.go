package kgatewayv20

import (
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// TrafficPolicy attaches request-handling behaviour to Gateways and HTTPRoutes. kubelb-ai
// renders its AI part (prompt guards, enrichment, defaults) and its local rate limit.
//
// +kubebuilder:object:root=true
// +kubebuilder:subresource:status
// +kubebuilder:resource:categories=kgateway
// +kubebuilder:metadata:labels="app=kgateway"
// +kubebuilder:metadata:labels="app.kubernetes.io/name=kgateway"
// +kubebuilder:metadata:labels="gateway.networking.k8s.io/policy=Direct"
type TrafficPolicy struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	// Spec selects the targets and the behaviour applied to their traffic.
	// +optional
	Spec TrafficPolicySpec `json:"spec,omitzero"`

	// Status is written by the kgateway controller; the CLI never sets it.
	// +optional
	Status SimpleStatus `json:"status,omitzero"`
}

// TrafficPolicyList is a list of TrafficPolicy objects.
//
// +kubebuilder:object:root=true
type TrafficPolicyList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []TrafficPolicy `json:"items"`
}

// TrafficPolicySpec selects the targets and the behaviour applied to their traffic.
type TrafficPolicySpec struct {
	// TargetRefs are the objects in the policy's namespace it applies to. Without them the
	// policy only takes effect where an HTTPRoute rule names it in an ExtensionRef filter.
	// +optional
	// +kubebuilder:validation:MinItems=1
	// +kubebuilder:validation:MaxItems=16
	TargetRefs []LocalPolicyTargetReference `json:"targetRefs,omitempty"`

	// AI configures the AI extension for requests to AI Backends.
	// +optional
	AI *AIPolicy `json:"ai,omitempty"`

	// Transformation rewrites headers and bodies of requests and responses.
	// +optional
	Transformation *TransformationPolicy `json:"transformation,omitempty"`

	// ExtProc sends traffic through an external processing service.
	// +optional
	ExtProc *ExtProcPolicy `json:"extProc,omitempty"`

	// ExtAuth asks an external authorization service about each request.
	// +optional
	ExtAuth *ExtAuthPolicy `json:"extAuth,omitempty"`

	// RateLimit limits how fast the targets accept requests.
	// +optional
	RateLimit *RateLimit `json:"rateLimit,omitempty"`
}

// LocalPolicyTargetReference names an object in the policy's own namespace.
type LocalPolicyTargetReference struct {
	// Group is the API group of the target; the empty string means the core group.
	// +required
	// +kubebuilder:validation:MaxLength=253
	// +kubebuilder:validation:Pattern=`^$|^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$`
	Group string `json:"group"`

	// Kind is the kind of the target, such as HTTPRoute or Gateway.
	// +required
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=63
	// +kubebuilder:validation:Pattern=`^[a-zA-Z]([-a-zA-Z0-9]*[a-zA-Z0-9])?$`
	Kind string `json:"kind"`

	// Name is the name of the target.
	// +required
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=253
	Name string `json:"name"`
}

// RouteType tells the AI extension how responses come back from the provider.
//
// +kubebuilder:validation:Enum=CHAT;CHAT_STREAMING
type RouteType string

const (
	// RouteTypeChat is a single JSON response per request.
	RouteTypeChat RouteType = "CHAT"
	// RouteTypeChatStreaming is a server-sent event stream.
	RouteTypeChatStreaming RouteType = "CHAT_STREAMING"
)

// AIPolicy is the AI-specific behaviour applied to requests and responses.
type AIPolicy struct {
	// PromptEnrichment adds messages around the ones the client sent.
	// +optional
	PromptEnrichment *AIPromptEnrichment `json:"promptEnrichment,omitempty"`

	// PromptGuard inspects requests and responses and masks or rejects what matches.
	// +optional
	PromptGuard *AIPromptGuard `json:"promptGuard,omitempty"`

	// Defaults sets top-level fields of the request body, such as temperature.
	// +optional
	Defaults []FieldDefault `json:"defaults,omitempty"`

	// RouteType must be CHAT_STREAMING for providers whose streaming uses a different
	// path, such as Gemini and Vertex AI.
	// +optional
	// +kubebuilder:default=CHAT
	RouteType *RouteType `json:"routeType,omitempty"`
}

// FieldDefault sets one field of the JSON request body.
type FieldDefault struct {
	// Field is the name of the top-level body field.
	// +required
	// +kubebuilder:validation:MinLength=1
	Field string `json:"field"`

	// Value is the field's value written as a JSON literal, for example "0.5" or "\"text\"".
	// +required
	// +kubebuilder:validation:MinLength=1
	Value string `json:"value"`

	// Override replaces a value the client sent; otherwise only a missing field is set.
	// +optional
	// +kubebuilder:default=false
	Override *bool `json:"override,omitempty"`
}

// AIPromptEnrichment lists messages to add before and after the client's messages.
type AIPromptEnrichment struct {
	// Prepend goes before the client's messages.
	// +optional
	Prepend []Message `json:"prepend,omitempty"`

	// Append goes after the client's messages.
	// +optional
	Append []Message `json:"append,omitempty"`
}

// Message is one chat message.
type Message struct {
	// Role is the chat role of the message, such as SYSTEM or USER.
	// +required
	Role string `json:"role"`

	// Content is the text of the message.
	// +required
	Content string `json:"content"`
}

// AIPromptGuard holds the checks for each direction.
type AIPromptGuard struct {
	// Request checks what the client sends.
	// +optional
	Request *PromptguardRequest `json:"request,omitempty"`

	// Response checks what the provider returns.
	// +optional
	Response *PromptguardResponse `json:"response,omitempty"`
}

// PromptguardRequest lists the checks run on requests.
type PromptguardRequest struct {
	// CustomResponse is what the client gets when a request is rejected.
	// +optional
	CustomResponse *CustomResponse `json:"customResponse,omitempty"`

	// Regex masks or rejects requests matching patterns or built-in detectors.
	// +optional
	Regex *Regex `json:"regex,omitempty"`

	// Webhook asks an external service to judge each request.
	// +optional
	Webhook *Webhook `json:"webhook,omitempty"`

	// Moderation sends each request to a moderation model.
	// +optional
	Moderation *Moderation `json:"moderation,omitempty"`
}

// PromptguardResponse lists the checks run on responses. Matches in responses are
// always masked, never rejected.
type PromptguardResponse struct {
	// Regex masks response text matching patterns or built-in detectors.
	// +optional
	Regex *Regex `json:"regex,omitempty"`

	// Webhook asks an external service to judge each response.
	// +optional
	Webhook *Webhook `json:"webhook,omitempty"`
}

// CustomResponse is the reply sent in place of a rejected request.
type CustomResponse struct {
	// Message is the response body.
	// +optional
	// +kubebuilder:default="The request was rejected due to inappropriate content"
	Message *string `json:"message,omitempty"`

	// StatusCode is the HTTP status of the reply.
	// +optional
	// +kubebuilder:default=403
	// +kubebuilder:validation:Minimum=200
	// +kubebuilder:validation:Maximum=599
	StatusCode *int32 `json:"statusCode,omitempty"`
}

// BuiltIn names a detector for a common kind of personal data.
//
// +kubebuilder:validation:Enum=SSN;CREDIT_CARD;PHONE_NUMBER;EMAIL
type BuiltIn string

const (
	// BuiltInSSN detects US social security numbers.
	BuiltInSSN BuiltIn = "SSN"
	// BuiltInCreditCard detects credit card numbers.
	BuiltInCreditCard BuiltIn = "CREDIT_CARD"
	// BuiltInPhoneNumber detects phone numbers.
	BuiltInPhoneNumber BuiltIn = "PHONE_NUMBER"
	// BuiltInEmail detects e-mail addresses.
	BuiltInEmail BuiltIn = "EMAIL"
)

// Action is what the guard does with a match. The schema accepts any string; the AI
// extension understands MASK and REJECT.
type Action string

const (
	// ActionMask replaces each match with a placeholder and lets the message through.
	ActionMask Action = "MASK"
	// ActionReject answers the request with the custom response.
	ActionReject Action = "REJECT"
)

// Regex is a set of patterns and built-in detectors; both lists apply together.
type Regex struct {
	// Matches are custom regular expressions.
	// +optional
	Matches []RegexMatch `json:"matches,omitempty"`

	// Builtins are predefined detectors.
	// +optional
	Builtins []BuiltIn `json:"builtins,omitempty"`

	// Action is applied to requests that match; responses are always masked.
	// +optional
	// +kubebuilder:default=MASK
	Action *Action `json:"action,omitempty"`
}

// RegexMatch is one custom pattern.
type RegexMatch struct {
	// Pattern is the regular expression.
	// +optional
	Pattern string `json:"pattern,omitempty"`

	// Name labels the pattern in logs and metrics.
	// +optional
	Name string `json:"name,omitempty"`
}

// Webhook is an external guard service.
type Webhook struct {
	// Host is where the service listens; it is reached over plain HTTP.
	// +required
	Host Host `json:"host"`

	// ForwardHeaders selects request headers that are passed on to the service.
	// +optional
	ForwardHeaders []HTTPHeaderMatch `json:"forwardHeaders,omitempty"`
}

// HeaderMatchType is how a header value is compared.
//
// +kubebuilder:validation:Enum=Exact;RegularExpression
type HeaderMatchType string

const (
	// HeaderMatchExact compares the value literally.
	HeaderMatchExact HeaderMatchType = "Exact"
	// HeaderMatchRegularExpression treats the value as a regular expression.
	HeaderMatchRegularExpression HeaderMatchType = "RegularExpression"
)

// HTTPHeaderMatch selects a header by name and value.
type HTTPHeaderMatch struct {
	// Type is how Value is compared.
	// +optional
	// +kubebuilder:default=Exact
	Type *HeaderMatchType `json:"type,omitempty"`

	// Name is the header name, compared case-insensitively.
	// +required
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=256
	// +kubebuilder:validation:Pattern=`^[A-Za-z0-9!#$%&'*+\-.^_\x60|~]+$`
	Name string `json:"name"`

	// Value is the header value to match.
	// +required
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=4096
	Value string `json:"value"`
}

// Moderation picks a moderation service for requests.
type Moderation struct {
	// OpenAIModeration uses the OpenAI moderation endpoint.
	// +optional
	OpenAIModeration *OpenAIConfig `json:"openAIModeration,omitempty"`
}

// RateLimit limits the request rate of the targets.
type RateLimit struct {
	// Local is enforced by each proxy replica on its own.
	// +required
	Local LocalRateLimitPolicy `json:"local"`
}

// LocalRateLimitPolicy is a per-replica limit.
type LocalRateLimitPolicy struct {
	// TokenBucket sets the size and refill rate of the bucket.
	// +optional
	TokenBucket *TokenBucket `json:"tokenBucket,omitempty"`
}

// TokenBucket admits one request per token and refills on a fixed interval.
type TokenBucket struct {
	// MaxTokens is the bucket size, and so the largest burst admitted.
	// +required
	// +kubebuilder:validation:Minimum=1
	MaxTokens int32 `json:"maxTokens"`

	// TokensPerFill is how many tokens each refill adds.
	// +optional
	// +kubebuilder:default=1
	TokensPerFill *int32 `json:"tokensPerFill,omitempty"`

	// FillInterval is the time between refills, as a duration such as "1s" or "1h".
	// +required
	// +kubebuilder:validation:Format=duration
	FillInterval string `json:"fillInterval"`
}

// TransformationPolicy holds the rewrites for each direction.
type TransformationPolicy struct {
	// Request rewrites what the client sends.
	// +optional
	Request *Transform `json:"request,omitempty"`

	// Response rewrites what the upstream returns.
	// +optional
	Response *Transform `json:"response,omitempty"`
}

// Transform lists header and body rewrites. Values are Inja templates.
type Transform struct {
	// Set replaces headers, adding them when absent.
	// +optional
	// +listType=map
	// +listMapKey=name
	// +kubebuilder:validation:MaxItems=16
	Set []HeaderTransformation `json:"set,omitempty"`

	// Add appends header values, keeping existing ones.
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

	// Body rewrites the message body.
	// +optional
	Body *BodyTransformation `json:"body,omitempty"`
}

// HeaderTransformation is one header and its templated value.
type HeaderTransformation struct {
	// Name is the header name.
	// +required
	Name string `json:"name"`

	// Value is an Inja template that renders the header value.
	// +optional
	Value string `json:"value,omitempty"`
}

// BodyParseBehavior says how the body is exposed to templates.
//
// +kubebuilder:validation:Enum=AsString;AsJson
type BodyParseBehavior string

const (
	// BodyParseBehaviorAsString hands templates the body as text.
	BodyParseBehaviorAsString BodyParseBehavior = "AsString"
	// BodyParseBehaviorAsJSON parses the body as JSON so templates can address fields.
	BodyParseBehaviorAsJSON BodyParseBehavior = "AsJson"
)

// BodyTransformation rewrites a message body.
type BodyTransformation struct {
	// ParseAs says how the current body is read.
	// +required
	// +kubebuilder:default=AsString
	ParseAs BodyParseBehavior `json:"parseAs"`

	// Value is an Inja template that renders the new body.
	// +optional
	Value *string `json:"value,omitempty"`
}

// ExtProcPolicy points traffic at an external processing service.
type ExtProcPolicy struct {
	// ExtensionRef names a GatewayExtension of type ExtProc in the policy's namespace.
	// +required
	ExtensionRef *corev1.LocalObjectReference `json:"extensionRef"`

	// ProcessingMode says which parts of the traffic are sent to the service.
	// +optional
	ProcessingMode *ProcessingMode `json:"processingMode,omitempty"`
}

// HeaderSendMode says whether headers or trailers are sent to the processor.
//
// +kubebuilder:validation:Enum=DEFAULT;SEND;SKIP
type HeaderSendMode string

// BodySendMode says whether and how a body is sent to the processor.
//
// +kubebuilder:validation:Enum=NONE;STREAMED;BUFFERED;BUFFERED_PARTIAL;FULL_DUPLEX_STREAMED
type BodySendMode string

// ProcessingMode selects what is sent to an external processor.
type ProcessingMode struct {
	// RequestHeaderMode covers request headers.
	// +optional
	// +kubebuilder:default=SEND
	RequestHeaderMode HeaderSendMode `json:"requestHeaderMode,omitempty"`

	// ResponseHeaderMode covers response headers.
	// +optional
	// +kubebuilder:default=SEND
	ResponseHeaderMode HeaderSendMode `json:"responseHeaderMode,omitempty"`

	// RequestBodyMode covers the request body.
	// +optional
	// +kubebuilder:default=NONE
	RequestBodyMode BodySendMode `json:"requestBodyMode,omitempty"`

	// ResponseBodyMode covers the response body.
	// +optional
	// +kubebuilder:default=NONE
	ResponseBodyMode BodySendMode `json:"responseBodyMode,omitempty"`

	// RequestTrailerMode covers request trailers.
	// +optional
	// +kubebuilder:default=SKIP
	RequestTrailerMode HeaderSendMode `json:"requestTrailerMode,omitempty"`

	// ResponseTrailerMode covers response trailers.
	// +optional
	// +kubebuilder:default=SKIP
	ResponseTrailerMode HeaderSendMode `json:"responseTrailerMode,omitempty"`
}

// ExtAuthEnabled turns external authorization off for the targets.
//
// +kubebuilder:validation:Enum=DisableAll
type ExtAuthEnabled string

// ExtAuthDisableAll disables every external authorization filter on the targets.
const ExtAuthDisableAll ExtAuthEnabled = "DisableAll"

// ExtAuthPolicy either names an authorization service or disables authorization.
//
// +kubebuilder:validation:XValidation:rule="(has(self.extensionRef) && !has(self.enablement)) || (!has(self.extensionRef) && has(self.enablement))",message="only one of 'extensionRef' or 'enablement' may be set"
type ExtAuthPolicy struct {
	// ExtensionRef names a GatewayExtension of type ExtAuth in the policy's namespace.
	// +optional
	ExtensionRef *corev1.LocalObjectReference `json:"extensionRef,omitempty"`

	// Enablement set to DisableAll turns authorization off instead.
	// +optional
	Enablement ExtAuthEnabled `json:"enablement,omitempty"`

	// WithRequestBody sends the request body to the service as well.
	// +optional
	WithRequestBody *ExtAuthBufferSettings `json:"withRequestBody,omitempty"`

	// ContextExtensions are extra key-value pairs passed to the service.
	// +optional
	ContextExtensions map[string]string `json:"contextExtensions,omitempty"`
}

// ExtAuthBufferSettings says how much of the request body is buffered for the service.
type ExtAuthBufferSettings struct {
	// MaxRequestBytes is the largest body that is buffered.
	// +required
	// +kubebuilder:validation:Minimum=1
	MaxRequestBytes uint32 `json:"maxRequestBytes"`

	// AllowPartialMessage sends the first MaxRequestBytes of a larger body instead of
	// rejecting the request.
	// +optional
	AllowPartialMessage bool `json:"allowPartialMessage,omitempty"`

	// PackAsBytes sends the body as raw bytes rather than as text.
	// +optional
	PackAsBytes bool `json:"packAsBytes,omitempty"`
}
