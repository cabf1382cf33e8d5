package kgatewayv21

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// GatewayExtension points the proxy at an external service: an authorization
// service, an external processor or a global rate limit service. Policies refer to it
// through extensionRef.
//
// +kubebuilder:object:root=true
// +kubebuilder:subresource:status
// +kubebuilder:resource:categories=kgateway
// +kubebuilder:metadata:labels="app=kgateway"
// +kubebuilder:metadata:labels="app.kubernetes.io/name=kgateway"
// +kubebuilder:printcolumn:name="Type",type=string,JSONPath=".spec.type",description="The kind of extension"
// +kubebuilder:printcolumn:name="Age",type=date,JSONPath=".metadata.creationTimestamp",description="Time since the object was created"
type GatewayExtension struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	// Spec says which kind of service this is and how to reach it.
	// +optional
	Spec GatewayExtensionSpec `json:"spec,omitzero"`

	// Status is written by the kgateway controller.
	// +optional
	Status GatewayExtensionStatus `json:"status,omitzero"`
}

// GatewayExtensionList is a list of GatewayExtension objects.
//
// +kubebuilder:object:root=true
type GatewayExtensionList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []GatewayExtension `json:"items"`
}

// GatewayExtensionType names the kind of external service.
//
// +kubebuilder:validation:Enum=ExtAuth;ExtProc;RateLimit
type GatewayExtensionType string

const (
	// GatewayExtensionTypeExtAuth is an external authorization service.
	GatewayExtensionTypeExtAuth GatewayExtensionType = "ExtAuth"
	// GatewayExtensionTypeExtProc is an external processing service.
	GatewayExtensionTypeExtProc GatewayExtensionType = "ExtProc"
	// GatewayExtensionTypeRateLimit is a global rate limit service.
	GatewayExtensionTypeRateLimit GatewayExtensionType = "RateLimit"
)

// GatewayExtensionSpec holds the type and the settings for that type; only the
// field that matches the type may be set.
//
// +kubebuilder:validation:XValidation:rule="self.type != 'ExtAuth' || has(self.extAuth)",message="ExtAuth must be set when type is ExtAuth"
// +kubebuilder:validation:XValidation:rule="self.type != 'ExtProc' || has(self.extProc)",message="ExtProc must be set when type is ExtProc"
// +kubebuilder:validation:XValidation:rule="self.type != 'RateLimit' || has(self.rateLimit)",message="RateLimit must be set when type is RateLimit"
// +kubebuilder:validation:XValidation:rule="self.type == 'ExtAuth' || !has(self.extAuth)",message="ExtAuth must not be set when type is not ExtAuth"
// +kubebuilder:validation:XValidation:rule="self.type == 'ExtProc' || !has(self.extProc)",message="ExtProc must not be set when type is not ExtProc"
// +kubebuilder:validation:XValidation:rule="self.type == 'RateLimit' || !has(self.rateLimit)",message="RateLimit must not be set when type is not RateLimit"
type GatewayExtensionSpec struct {
	// Type selects the kind of service.
	// +required
	Type GatewayExtensionType `json:"type"`

	// ExtAuth configures an authorization service; set it when type is ExtAuth.
	// +optional
	ExtAuth *ExtAuthProvider `json:"extAuth,omitempty"`

	// ExtProc configures an external processor; set it when type is ExtProc.
	// +optional
	ExtProc *ExtProcProvider `json:"extProc,omitempty"`

	// RateLimit configures a rate limit service; set it when type is RateLimit.
	// +optional
	RateLimit *RateLimitProvider `json:"rateLimit,omitempty"`
}

// ExtAuthProvider is an Envoy external authorization service.
type ExtAuthProvider struct {
	// GrpcService is where the service listens.
	// +required
	GrpcService ExtGrpcService `json:"grpcService"`

	// FailOpen lets requests through when the service cannot be reached.
	// +optional
	// +kubebuilder:default=false
	FailOpen *bool `json:"failOpen,omitempty"`

	// ClearRouteCache makes the proxy pick the route again after the service has
	// changed the request.
	// +optional
	// +kubebuilder:default=false
	ClearRouteCache *bool `json:"clearRouteCache,omitempty"`

	// WithRequestBody sends the request body to the service, buffered up to a limit.
	// +optional
	WithRequestBody *ExtAuthBufferSettings `json:"withRequestBody,omitempty"`

	// StatusOnError is the HTTP status returned when the service fails.
	// +optional
	// +kubebuilder:default=403
	// +kubebuilder:validation:Minimum=100
	// +kubebuilder:validation:Maximum=511
	StatusOnError *int32 `json:"statusOnError,omitempty"`

	// StatPrefix is prepended to the filter's statistics.
	// +optional
	// +kubebuilder:validation:MinLength=1
	StatPrefix *string `json:"statPrefix,omitempty"`
}

// ExtAuthBufferSettings says how much of the request body is sent for authorization.
type ExtAuthBufferSettings struct {
	// MaxRequestBytes is the most body bytes buffered and sent.
	// +required
	// +kubebuilder:validation:Minimum=1
	MaxRequestBytes int32 `json:"maxRequestBytes"`

	// AllowPartialMessage sends the first MaxRequestBytes of a larger body instead of
	// rejecting the request.
	// +optional
	// +kubebuilder:default=false
	AllowPartialMessage *bool `json:"allowPartialMessage,omitempty"`

	// PackAsBytes sends the body as raw bytes rather than as a UTF-8 string.
	// +optional
	// +kubebuilder:default=false
	PackAsBytes *bool `json:"packAsBytes,omitempty"`
}

// ExtProcProvider is an Envoy external processing service.
type ExtProcProvider struct {
	// GrpcService is where the service listens.
	// +required
	GrpcService ExtGrpcService `json:"grpcService"`

	// FailOpen lets requests through when the service cannot be reached.
	// +optional
	// +kubebuilder:default=true
	FailOpen *bool `json:"failOpen,omitempty"`

	// ProcessingMode says which parts of the exchange are sent to the processor.
	// +optional
	ProcessingMode *ProcessingMode `json:"processingMode,omitempty"`

	// MessageTimeout bounds the wait for each reply of the processor.
	// +optional
	// +kubebuilder:validation:XValidation:rule="matches(self, '^([0-9]{1,5}(h|m|s|ms)){1,4}$')",message="invalid timeout value"
	// +kubebuilder:validation:XValidation:rule="duration(self) >= duration('1ms')",message="timeout must be at least 1ms."
	MessageTimeout *string `json:"messageTimeout,omitempty"`

	// MaxMessageTimeout is the longest MessageTimeout the processor may ask for.
	// +optional
	// +kubebuilder:validation:XValidation:rule="matches(self, '^([0-9]{1,5}(h|m|s|ms)){1,4}$')",message="invalid timeout value"
	// +kubebuilder:validation:XValidation:rule="duration(self) >= duration('1ms')",message="timeout must be at least 1ms."
	MaxMessageTimeout *string `json:"maxMessageTimeout,omitempty"`

	// StatPrefix is prepended to the filter's statistics.
	// +optional
	// +kubebuilder:validation:MinLength=1
	StatPrefix *string `json:"statPrefix,omitempty"`

	// RouteCacheAction says whether the route is picked again after the processor
	// changed headers.
	// +optional
	// +kubebuilder:default=FromResponse
	RouteCacheAction *ExtProcRouteCacheAction `json:"routeCacheAction,omitempty"`

	// MetadataOptions lists dynamic metadata namespaces passed to the processor.
	// +optional
	MetadataOptions *MetadataOptions `json:"metadataOptions,omitempty"`
}

// ExtProcRouteCacheAction is what happens to the chosen route after processing.
//
// +kubebuilder:validation:Enum=FromResponse;Clear;Retain
type ExtProcRouteCacheAction string

// MetadataOptions selects metadata forwarded to the processor.
type MetadataOptions struct {
	// Forwarding lists the namespaces that are sent.
	// +optional
	Forwarding *MetadataNamespaces `json:"forwarding,omitempty"`
}

// MetadataNamespaces lists metadata namespaces by how they are encoded.
type MetadataNamespaces struct {
	// Typed namespaces are sent as typed protobuf values.
	// +optional
	// +kubebuilder:validation:MinItems=1
	Typed []string `json:"typed,omitempty"`

	// Untyped namespaces are sent as protobuf Structs.
	// +optional
	// +kubebuilder:validation:MinItems=1
	Untyped []string `json:"untyped,omitempty"`
}

// HeaderSendMode says whether headers or trailers go to the processor.
//
// +kubebuilder:validation:Enum=DEFAULT;SEND;SKIP
type HeaderSendMode string

// BodySendMode says how a body goes to the processor.
//
// +kubebuilder:validation:Enum=NONE;STREAMED;BUFFERED;BUFFERED_PARTIAL;FULL_DUPLEX_STREAMED
type BodySendMode string

// ProcessingMode selects what the external processor sees.
type ProcessingMode struct {
	// RequestHeaderMode covers the request headers.
	// +optional
	// +kubebuilder:default=SEND
	RequestHeaderMode *HeaderSendMode `json:"requestHeaderMode,omitempty"`

	// ResponseHeaderMode covers the response headers.
	// +optional
	// +kubebuilder:default=SEND
	ResponseHeaderMode *HeaderSendMode `json:"responseHeaderMode,omitempty"`

	// RequestBodyMode covers the request body.
	// +optional
	// +kubebuilder:default=NONE
	RequestBodyMode *BodySendMode `json:"requestBodyMode,omitempty"`

	// ResponseBodyMode covers the response body.
	// +optional
	// +kubebuilder:default=NONE
	ResponseBodyMode *BodySendMode `json:"responseBodyMode,omitempty"`

	// RequestTrailerMode covers the request trailers.
	// +optional
	// +kubebuilder:default=SKIP
	RequestTrailerMode *HeaderSendMode `json:"requestTrailerMode,omitempty"`

	// ResponseTrailerMode covers the response trailers.
	// +optional
	// +kubebuilder:default=SKIP
	ResponseTrailerMode *HeaderSendMode `json:"responseTrailerMode,omitempty"`
}

// XRateLimitHeadersStandard names the X-RateLimit header format.
//
// +kubebuilder:validation:Enum=Off;DraftVersion03
type XRateLimitHeadersStandard string

// RateLimitProvider is an Envoy rate limit service.
type RateLimitProvider struct {
	// GrpcService is where the service listens.
	// +required
	GrpcService ExtGrpcService `json:"grpcService"`

	// Domain selects the service's set of limits.
	// +required
	Domain string `json:"domain"`

	// FailOpen admits requests when the service cannot be reached.
	// +optional
	// +kubebuilder:default=true
	FailOpen *bool `json:"failOpen,omitempty"`

	// Timeout bounds each call to the service.
	// +optional
	// +kubebuilder:default="100ms"
	// +kubebuilder:validation:XValidation:rule="matches(self, '^([0-9]{1,5}(h|m|s|ms)){1,4}$')",message="invalid duration value"
	Timeout *string `json:"timeout,omitempty"`

	// XRateLimitHeaders picks the format of the X-RateLimit response headers; Off
	// sends none.
	// +optional
	// +kubebuilder:default=Off
	XRateLimitHeaders *XRateLimitHeadersStandard `json:"xRateLimitHeaders,omitempty"`
}

// GatewayExtensionStatus carries the conditions the controller reports.
type GatewayExtensionStatus struct {
	// Conditions lists the latest observations of the extension's state.
	// +optional
	// +listType=map
	// +listMapKey=type
	// +kubebuilder:validation:MaxItems=8
	Conditions []metav1.Condition `json:"conditions,omitempty"`
}
