package kgatewayv21

import (
	gwv1 "sigs.k8s.io/gateway-api/apis/v1"
)

// LocalPolicyTargetReference names an object in the policy's own namespace.
type LocalPolicyTargetReference struct {
	// Group is the API group of the target; the empty string means the core group.
	// +required
	// +kubebuilder:validation:MaxLength=253
	// +kubebuilder:validation:Pattern=`^$|^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$`
	Group string `json:"group"`

	// Kind is the kind of the target.
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

// LocalPolicyTargetSelector picks targets in the policy's own namespace by label.
type LocalPolicyTargetSelector struct {
	// Group is the API group of the targets; the empty string means the core group.
	// +required
	// +kubebuilder:validation:MaxLength=253
	// +kubebuilder:validation:Pattern=`^$|^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$`
	Group string `json:"group"`

	// Kind is the kind of the targets.
	// +required
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=63
	// +kubebuilder:validation:Pattern=`^[a-zA-Z]([-a-zA-Z0-9]*[a-zA-Z0-9])?$`
	Kind string `json:"kind"`

	// MatchLabels are the labels a target must carry, all of them.
	// +required
	MatchLabels map[string]string `json:"matchLabels"`
}

// PolicyDisable is an empty marker object: setting it turns a feature off that a
// wider-scoped policy turned on.
type PolicyDisable struct{}

// ExtGrpcService is the gRPC service behind a GatewayExtension.
type ExtGrpcService struct {
	// BackendRef names the Service or Backend that serves the gRPC API.
	// +required
	BackendRef gwv1.BackendRef `json:"backendRef"`

	// Authority overrides the :authority header sent to the service.
	// +optional
	Authority *string `json:"authority,omitempty"`

	// RequestTimeout bounds each call to the service, such as "200ms".
	// +optional
	// +kubebuilder:validation:XValidation:rule="matches(self, '^([0-9]{1,5}(h|m|s|ms)){1,4}$')",message="invalid timeout value"
	// +kubebuilder:validation:XValidation:rule="duration(self) >= duration('1ms')",message="timeout must be at least 1ms."
	RequestTimeout *string `json:"requestTimeout,omitempty"`
}

// CommonGrpcService is a gRPC endpoint that the proxy streams telemetry to.
type CommonGrpcService struct {
	// BackendRef names the Service or Backend that receives the stream.
	// +required
	BackendRef gwv1.BackendRef `json:"backendRef"`

	// Authority overrides the :authority header of the stream.
	// +optional
	Authority *string `json:"authority,omitempty"`

	// MaxReceiveMessageLength caps the size of a received message; 0 means no cap.
	// +optional
	// +kubebuilder:validation:Minimum=1
	MaxReceiveMessageLength *int32 `json:"maxReceiveMessageLength,omitempty"`

	// SkipEnvoyHeaders stops the proxy from adding its own headers to the stream.
	// +optional
	SkipEnvoyHeaders *bool `json:"skipEnvoyHeaders,omitempty"`

	// Timeout bounds each request on the stream, such as "5s".
	// +optional
	// +kubebuilder:validation:XValidation:rule="matches(self, '^([0-9]{1,5}(h|m|s|ms)){1,4}$')",message="invalid duration value"
	Timeout *string `json:"timeout,omitempty"`

	// InitialMetadata is extra metadata sent when the stream opens.
	// +optional
	InitialMetadata []HeaderValue `json:"initialMetadata,omitempty"`

	// RetryPolicy says how a broken stream is re-established.
	// +optional
	RetryPolicy *RetryPolicy `json:"retryPolicy,omitempty"`
}

// HeaderValue is a metadata key with an optional value.
type HeaderValue struct {
	// Key is the metadata key.
	// +required
	Key string `json:"key"`

	// Value is the metadata value.
	// +optional
	Value *string `json:"value,omitempty"`
}

// RetryPolicy is how often and how fast a gRPC stream is retried.
type RetryPolicy struct {
	// RetryBackOff sets the jittered exponential back-off between attempts.
	// +optional
	RetryBackOff *BackoffStrategy `json:"retryBackOff,omitempty"`

	// NumRetries is how many times to retry.
	// +optional
	// +kubebuilder:validation:Minimum=1
	NumRetries *int32 `json:"numRetries,omitempty"`
}

// BackoffStrategy is a jittered exponential back-off.
type BackoffStrategy struct {
	// BaseInterval is the first wait, such as "1s".
	// +required
	// +kubebuilder:validation:XValidation:rule="matches(self, '^([0-9]{1,5}(h|m|s|ms)){1,4}$')",message="invalid duration value"
	BaseInterval string `json:"baseInterval"`

	// MaxInterval caps the wait; ten times BaseInterval when unset.
	// +optional
	// +kubebuilder:validation:XValidation:rule="matches(self, '^([0-9]{1,5}(h|m|s|ms)){1,4}$')",message="invalid duration value"
	MaxInterval *string `json:"maxInterval,omitempty"`
}
