package kgatewayv20

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	gwv1 "sigs.k8s.io/gateway-api/apis/v1"
)

// HTTPListenerPolicy sets options of the HTTP listeners of a Gateway, such as
// access logging.
//
// +kubebuilder:object:root=true
// +kubebuilder:subresource:status
// +kubebuilder:resource:categories=kgateway
// +kubebuilder:metadata:labels="app=kgateway"
// +kubebuilder:metadata:labels="app.kubernetes.io/name=kgateway"
// +kubebuilder:metadata:labels="gateway.networking.k8s.io/policy=Direct"
type HTTPListenerPolicy struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	// Spec selects the Gateways and the listener options.
	// +optional
	Spec HTTPListenerPolicySpec `json:"spec,omitzero"`

	// Status is written by the kgateway controller.
	// +optional
	Status SimpleStatus `json:"status,omitzero"`
}

// HTTPListenerPolicyList is a list of HTTPListenerPolicy objects.
//
// +kubebuilder:object:root=true
type HTTPListenerPolicyList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []HTTPListenerPolicy `json:"items"`
}

// HTTPListenerPolicySpec holds the targets and the listener options.
type HTTPListenerPolicySpec struct {
	// TargetRefs are the Gateways in the policy's namespace it applies to.
	// +optional
	// +kubebuilder:validation:MinItems=1
	// +kubebuilder:validation:MaxItems=16
	TargetRefs []LocalPolicyTargetReference `json:"targetRefs,omitempty"`

	// AccessLog lists where and what the listeners log for each request.
	// +optional
	AccessLog []AccessLog `json:"accessLog,omitempty"`
}

// AccessLog is one access log: a sink and an optional filter.
type AccessLog struct {
	// FileSink writes entries to a file or to the proxy's standard output.
	// +optional
	FileSink *FileSink `json:"fileSink,omitempty"`

	// GrpcService sends entries to an access log service over gRPC.
	// +optional
	GrpcService *AccessLogGrpcService `json:"grpcService,omitempty"`

	// Filter selects the requests that are logged.
	// +optional
	Filter *AccessLogFilter `json:"filter,omitempty"`
}

// FileSink writes access log entries to a file, either as text or as JSON.
//
// +kubebuilder:validation:XValidation:rule="(has(self.stringFormat) && !has(self.jsonFormat)) || (!has(self.stringFormat) && has(self.jsonFormat))",message="only one of 'StringFormat' or 'JsonFormat' may be set"
type FileSink struct {
	// Path is the file to write; /dev/stdout logs to the container output.
	// +required
	Path string `json:"path"`

	// StringFormat is an Envoy format string for text entries.
	// +optional
	StringFormat string `json:"stringFormat,omitempty"`

	// JSONFormat maps JSON keys to Envoy format strings for structured entries.
	// +optional
	// +kubebuilder:pruning:PreserveUnknownFields
	JSONFormat *runtime.RawExtension `json:"jsonFormat,omitempty"`
}

// AccessLogGrpcService is an Envoy access log service reached over gRPC.
type AccessLogGrpcService struct {
	// BackendRef is the Service (or other backend) that serves the gRPC API.
	// +required
	BackendRef *gwv1.BackendRef `json:"backendRef"`

	// LogName tells the service which log the entries belong to.
	// +required
	LogName string `json:"logName"`

	// AdditionalRequestHeadersToLog adds these request headers to each entry.
	// +optional
	AdditionalRequestHeadersToLog []string `json:"additionalRequestHeadersToLog,omitempty"`

	// AdditionalResponseHeadersToLog adds these response headers to each entry.
	// +optional
	AdditionalResponseHeadersToLog []string `json:"additionalResponseHeadersToLog,omitempty"`

	// AdditionalResponseTrailersToLog adds these response trailers to each entry.
	// +optional
	AdditionalResponseTrailersToLog []string `json:"additionalResponseTrailersToLog,omitempty"`
}

// AccessLogFilter is a single filter, or a list of filters that must all (andFilter)
// or any (orFilter) match. Exactly one field may be set.
//
// Both this type and the embedded FilterType carry the property bounds. The upstream
// CRD, built with an older controller-gen, lists them twice under allOf; current
// controller-gen merges the identical bounds into the object itself. Both forms
// accept the same documents.
//
// +kubebuilder:validation:MinProperties=1
// +kubebuilder:validation:MaxProperties=1
type AccessLogFilter struct {
	*FilterType `json:",inline"`

	// AndFilter logs a request only when every listed filter matches.
	// +optional
	// +kubebuilder:validation:MinItems=2
	AndFilter []FilterType `json:"andFilter,omitempty"`

	// OrFilter logs a request when any listed filter matches.
	// +optional
	// +kubebuilder:validation:MinItems=2
	OrFilter []FilterType `json:"orFilter,omitempty"`
}

// FilterType is one access log condition; exactly one field may be set.
//
// +kubebuilder:validation:MinProperties=1
// +kubebuilder:validation:MaxProperties=1
type FilterType struct {
	// StatusCodeFilter compares the response status code.
	// +optional
	StatusCodeFilter *StatusCodeFilter `json:"statusCodeFilter,omitempty"`

	// DurationFilter compares the request duration in milliseconds.
	// +optional
	DurationFilter *DurationFilter `json:"durationFilter,omitempty"`

	// NotHealthCheckFilter skips health check requests when true.
	// +optional
	NotHealthCheckFilter bool `json:"notHealthCheckFilter,omitempty"`

	// TraceableFilter logs only requests that are traced when true.
	// +optional
	TraceableFilter bool `json:"traceableFilter,omitempty"`

	// HeaderFilter matches a request header.
	// +optional
	HeaderFilter *HeaderFilter `json:"headerFilter,omitempty"`

	// ResponseFlagFilter matches Envoy response flags.
	// +optional
	ResponseFlagFilter *ResponseFlagFilter `json:"responseFlagFilter,omitempty"`

	// GrpcStatusFilter matches gRPC status codes.
	// +optional
	GrpcStatusFilter *GrpcStatusFilter `json:"grpcStatusFilter,omitempty"`

	// CELFilter matches a CEL expression over the request attributes.
	// +optional
	CELFilter *CELFilter `json:"celFilter,omitempty"`
}

// Op is a comparison operator.
//
// +kubebuilder:validation:Enum=EQ;GE;LE
type Op string

const (
	// OpEQ is equal to.
	OpEQ Op = "EQ"
	// OpGE is greater than or equal to.
	OpGE Op = "GE"
	// OpLE is less than or equal to.
	OpLE Op = "LE"
)

// ComparisonFilter compares a number with a value.
type ComparisonFilter struct {
	// Op is the comparison.
	// +required
	Op Op `json:"op"`

	// Value is the number compared against.
	// +optional
	// +kubebuilder:validation:Minimum=0
	// +kubebuilder:validation:Maximum=4294967295
	Value *uint32 `json:"value,omitempty"`
}

// StatusCodeFilter compares the response status code.
type StatusCodeFilter ComparisonFilter

// DurationFilter compares the request duration in milliseconds.
type DurationFilter ComparisonFilter

// HeaderFilter matches a request header.
type HeaderFilter struct {
	// Header is the header and value to match.
	// +required
	Header HTTPHeaderMatch `json:"header"`
}

// ResponseFlagFilter matches Envoy response flags such as UH or NR.
type ResponseFlagFilter struct {
	// Flags lists the flags; any of them matches.
	// +required
	// +kubebuilder:validation:MinItems=1
	Flags []string `json:"flags"`
}

// GrpcStatus is a gRPC status code name.
//
// +kubebuilder:validation:Enum=OK;CANCELED;UNKNOWN;INVALID_ARGUMENT;DEADLINE_EXCEEDED;NOT_FOUND;ALREADY_EXISTS;PERMISSION_DENIED;RESOURCE_EXHAUSTED;FAILED_PRECONDITION;ABORTED;OUT_OF_RANGE;UNIMPLEMENTED;INTERNAL;UNAVAILABLE;DATA_LOSS;UNAUTHENTICATED
type GrpcStatus string

// GrpcStatusFilter matches gRPC status codes.
type GrpcStatusFilter struct {
	// Statuses lists the codes that match.
	// +optional
	// +kubebuilder:validation:MinItems=1
	Statuses []GrpcStatus `json:"statuses,omitempty"`

	// Exclude inverts the match.
	// +optional
	Exclude bool `json:"exclude,omitempty"`
}

// CELFilter matches a CEL expression.
type CELFilter struct {
	// Match is the CEL expression; requests for which it is true are logged.
	// +required
	Match string `json:"match"`
}
