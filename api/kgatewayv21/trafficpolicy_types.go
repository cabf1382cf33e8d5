package kgatewayv21

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	gwv1 "sigs.k8s.io/gateway-api/apis/v1"
)

// TrafficPolicy attaches request-handling behaviour to Gateways and HTTPRoutes. kubelb-ai
// uses its AI part (prompt guards, enrichment, defaults) and its local rate limit.
//
// +kubebuilder:object:root=true
// +kubebuilder:subresource:status
// +kubebuilder:resource:categories=kgateway
// +kubebuilder:metadata:labels="app=kgateway"
// +kubebuilder:metadata:labels="app.kubernetes.io/name=kgateway"
// +kubebuilder:metadata:labels="gateway.networking.k8s.io/policy=Direct"
// +kubebuilder:printcolumn:name="Accepted",type=string,JSONPath=".status.ancestors[*].conditions[?(@.type=='Accepted')].status",description="Whether the controller accepted the policy"
// +kubebuilder:printcolumn:name="Attached",type=string,JSONPath=".status.ancestors[*].conditions[?(@.type=='Attached')].status",description="Whether the policy is attached to its targets"
type TrafficPolicy struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	// Spec selects the targets and the behaviour applied to their traffic.
	// +optional
	Spec TrafficPolicySpec `json:"spec,omitzero"`

	// Status is written by the kgateway controller, per ancestor Gateway; the CLI never
	// sets it.
	// +optional
	Status gwv1.PolicyStatus `json:"status,omitzero"`
}

// TrafficPolicyList is a list of TrafficPolicy objects.
//
// +kubebuilder:object:root=true
type TrafficPolicyList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []TrafficPolicy `json:"items"`
}

// TrafficPolicySpec selects the targets and the request handling applied to them.
//
// +kubebuilder:validation:XValidation:rule="!has(self.autoHostRewrite) || ((has(self.targetRefs) && self.targetRefs.all(r, r.kind == 'HTTPRoute')) || (has(self.targetSelectors) && self.targetSelectors.all(r, r.kind == 'HTTPRoute')))",message="autoHostRewrite can only be used when targeting HTTPRoute resources"
// +kubebuilder:validation:XValidation:rule="has(self.retry) && has(self.timeouts) ? (has(self.retry.perTryTimeout) && has(self.timeouts.request) ? duration(self.retry.perTryTimeout) < duration(self.timeouts.request) : true) : true",message="retry.perTryTimeout must be lesser than timeouts.request"
// +kubebuilder:validation:XValidation:rule="has(self.retry) && has(self.targetRefs) ? self.targetRefs.all(r, (r.kind == 'Gateway' ? has(r.sectionName) : true )) : true",message="targetRefs[].sectionName must be set when targeting Gateway resources with retry policy"
// +kubebuilder:validation:XValidation:rule="has(self.retry) && has(self.targetSelectors) ? self.targetSelectors.all(r, (r.kind == 'Gateway' ? has(r.sectionName) : true )) : true",message="targetSelectors[].sectionName must be set when targeting Gateway resources with retry policy"
type TrafficPolicySpec struct {
	// TargetRefs are the objects in the policy's namespace it applies to. Without them (or
	// TargetSelectors) the policy only takes effect where an HTTPRoute rule names it in an
	// ExtensionRef filter.
	// +optional
	// +kubebuilder:validation:MinItems=1
	// +kubebuilder:validation:MaxItems=16
	// +kubebuilder:validation:XValidation:rule="self.all(r, (r.kind == 'Backend' || r.kind == 'Gateway' || r.kind == 'HTTPRoute' || (r.kind == 'XListenerSet' && r.group == 'gateway.networking.x-k8s.io')) && (!has(r.group) || r.group == 'gateway.networking.k8s.io' || r.group == 'gateway.networking.x-k8s.io' || r.group == 'gateway.kgateway.dev' ))",message="targetRefs may only reference Gateway, HTTPRoute, XListenerSet, or Backend resources"
	TargetRefs []LocalPolicyTargetReferenceWithSectionName `json:"targetRefs,omitempty"`

	// TargetSelectors attach the policy to every object in its namespace of the given kind
	// that carries the given labels.
	// +optional
	// +kubebuilder:validation:XValidation:rule="self.all(r, (r.kind == 'Gateway' || r.kind == 'HTTPRoute' || (r.kind == 'XListenerSet' && r.group == 'gateway.networking.x-k8s.io')) && (!has(r.group) || r.group == 'gateway.networking.k8s.io' || r.group == 'gateway.networking.x-k8s.io'))",message="targetSelectors may only reference Gateway, HTTPRoute, or XListenerSet resources"
	TargetSelectors []LocalPolicyTargetSelectorWithSectionName `json:"targetSelectors,omitempty"`

	// AI configures the AI extension for requests to AI Backends.
	// +optional
	AI *AIPolicy `json:"ai,omitempty"`

	// Transformation rewrites headers and bodies with templates.
	// +optional
	Transformation *TransformationPolicy `json:"transformation,omitempty"`

	// ExtProc sends traffic through the external processor of a GatewayExtension.
	// +optional
	ExtProc *ExtProcPolicy `json:"extProc,omitempty"`

	// ExtAuth asks the authorization service of a GatewayExtension about each request.
	// +optional
	ExtAuth *ExtAuthPolicy `json:"extAuth,omitempty"`

	// RateLimit limits how fast the targets accept requests.
	// +optional
	RateLimit *RateLimit `json:"rateLimit,omitempty"`

	// Cors answers and annotates cross-origin requests.
	// +optional
	Cors *CorsPolicy `json:"cors,omitempty"`

	// Csrf rejects cross-site requests whose origin is not allowed.
	// +optional
	Csrf *CSRFPolicy `json:"csrf,omitempty"`

	// HeaderModifiers set, add and remove request and response headers.
	// +optional
	HeaderModifiers *HeaderModifiers `json:"headerModifiers,omitempty"`

	// AutoHostRewrite sets the Host header to the upstream host name; only for policies
	// that target HTTPRoutes.
	// +optional
	AutoHostRewrite *bool `json:"autoHostRewrite,omitempty"`

	// Buffer buffers whole requests up to a size before forwarding them.
	// +optional
	Buffer *Buffer `json:"buffer,omitempty"`

	// Timeouts bound requests and idle streams.
	// +optional
	Timeouts *Timeouts `json:"timeouts,omitempty"`

	// Retry retries failed requests.
	// +optional
	Retry *Retry `json:"retry,omitempty"`

	// RBAC allows or denies requests by CEL expressions.
	// +optional
	RBAC *RBAC `json:"rbac,omitempty"`
}

// LocalPolicyTargetReferenceWithSectionName names an object in the policy's own
// namespace, and optionally one section of it such as a Gateway listener.
type LocalPolicyTargetReferenceWithSectionName struct {
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

	// SectionName narrows the target to one named section, such as a listener.
	// +optional
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=253
	// +kubebuilder:validation:Pattern=`^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$`
	SectionName *string `json:"sectionName,omitempty"`
}

// LocalPolicyTargetSelectorWithSectionName picks targets in the policy's own namespace
// by label, optionally narrowed to one section of each.
type LocalPolicyTargetSelectorWithSectionName struct {
	// Group is the API group of the targets; the empty string means the core group.
	// +required
	// +kubebuilder:validation:MaxLength=253
	// +kubebuilder:validation:Pattern=`^$|^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$`
	Group string `json:"group"`

	// Kind is the kind of the targets, such as HTTPRoute or Gateway.
	// +required
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=63
	// +kubebuilder:validation:Pattern=`^[a-zA-Z]([-a-zA-Z0-9]*[a-zA-Z0-9])?$`
	Kind string `json:"kind"`

	// MatchLabels are the labels a target must carry, all of them.
	// +required
	MatchLabels map[string]string `json:"matchLabels"`

	// SectionName narrows each target to one named section, such as a listener.
	// +optional
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=253
	// +kubebuilder:validation:Pattern=`^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$`
	SectionName *string `json:"sectionName,omitempty"`
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
	Override bool `json:"override,omitempty"`
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

	// ForwardHeaderMatches selects request headers that are passed on to the service.
	// +optional
	ForwardHeaderMatches []HTTPHeaderMatch `json:"forwardHeaderMatches,omitempty"`
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

// RateLimit limits the request rate of the targets, per proxy replica, through an external
// rate limit service, or both.
type RateLimit struct {
	// Local is enforced by each proxy replica on its own. An empty local object turns off
	// a local limit inherited from a wider target.
	// +optional
	Local *LocalRateLimitPolicy `json:"local,omitempty"`

	// Global asks an external rate limit service, configured by a GatewayExtension of type
	// RateLimit, whether to admit each request.
	// +optional
	Global *RateLimitPolicy `json:"global,omitempty"`
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
	// +kubebuilder:validation:Minimum=1
	TokensPerFill *int32 `json:"tokensPerFill,omitempty"`

	// FillInterval is the time between refills, written as up to four number-unit pairs
	// with units h, m, s or ms, such as "1h" or "1m30s"; at least 50ms.
	// +required
	// +kubebuilder:validation:XValidation:rule="matches(self, '^([0-9]{1,5}(h|m|s|ms)){1,4}$')",message="invalid duration value"
	// +kubebuilder:validation:XValidation:rule="duration(self) >= duration('50ms')",message="must be at least 50ms"
	FillInterval string `json:"fillInterval"`
}

// RateLimitPolicy sends descriptors to an external rate limit service.
type RateLimitPolicy struct {
	// Descriptors are sent with each request; the service applies the limits it has
	// configured for them.
	// +required
	// +kubebuilder:validation:MinItems=1
	Descriptors []RateLimitDescriptor `json:"descriptors"`

	// ExtensionRef names the GatewayExtension that points at the rate limit service.
	// +required
	ExtensionRef NamespacedObjectReference `json:"extensionRef"`
}

// RateLimitDescriptor is an ordered list of entries that together form one descriptor.
type RateLimitDescriptor struct {
	// Entries are the key-value parts of the descriptor.
	// +required
	// +kubebuilder:validation:MinItems=1
	Entries []RateLimitDescriptorEntry `json:"entries"`
}

// RateLimitDescriptorEntryType says where a descriptor entry takes its value from.
//
// +kubebuilder:validation:Enum=Generic;Header;RemoteAddress;Path
type RateLimitDescriptorEntryType string

const (
	// RateLimitDescriptorEntryTypeGeneric is a fixed key and value.
	RateLimitDescriptorEntryTypeGeneric RateLimitDescriptorEntryType = "Generic"
	// RateLimitDescriptorEntryTypeHeader takes the value of a request header.
	RateLimitDescriptorEntryTypeHeader RateLimitDescriptorEntryType = "Header"
	// RateLimitDescriptorEntryTypeRemoteAddress takes the client address.
	RateLimitDescriptorEntryTypeRemoteAddress RateLimitDescriptorEntryType = "RemoteAddress"
	// RateLimitDescriptorEntryTypePath takes the request path.
	RateLimitDescriptorEntryTypePath RateLimitDescriptorEntryType = "Path"
)

// RateLimitDescriptorEntry is one part of a descriptor.
//
// +kubebuilder:validation:XValidation:rule="(has(self.type) && (self.type == 'Generic' && has(self.generic) && !has(self.header)) || (self.type == 'Header' && has(self.header) && !has(self.generic)) || (self.type == 'RemoteAddress' && !has(self.generic) && !has(self.header)) || (self.type == 'Path' && !has(self.generic) && !has(self.header)))",message="exactly one entry type must be specified"
type RateLimitDescriptorEntry struct {
	// Type selects the source of the value; Generic needs Generic set, Header needs Header.
	// +required
	Type RateLimitDescriptorEntryType `json:"type"`

	// Generic is a fixed key and value, for type Generic.
	// +optional
	Generic *RateLimitDescriptorEntryGeneric `json:"generic,omitempty"`

	// Header is the request header to read, for type Header.
	// +optional
	// +kubebuilder:validation:MinLength=1
	Header string `json:"header,omitempty"`
}

// RateLimitDescriptorEntryGeneric is a fixed descriptor entry.
type RateLimitDescriptorEntryGeneric struct {
	// Key is the entry's key.
	// +required
	// +kubebuilder:validation:MinLength=1
	Key string `json:"key"`

	// Value is the entry's value.
	// +required
	// +kubebuilder:validation:MinLength=1
	Value string `json:"value"`
}

// NamespacedObjectReference names an object, optionally in another namespace.
type NamespacedObjectReference struct {
	// Name is the object's name.
	// +required
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=253
	Name string `json:"name"`

	// Namespace is the object's namespace; the policy's own namespace when unset.
	// +optional
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=63
	// +kubebuilder:validation:Pattern=`^[a-z0-9]([-a-z0-9]*[a-z0-9])?$`
	Namespace *string `json:"namespace,omitempty"`
}
