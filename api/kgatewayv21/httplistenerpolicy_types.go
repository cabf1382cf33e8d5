package kgatewayv21

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	gwv1 "sigs.k8s.io/gateway-api/apis/v1"
)

// HTTPListenerPolicy tunes the HTTP connection handling of a Gateway's listeners:
// access logs, tracing, upgrades, client address detection, timeouts and a health
// check endpoint.
//
// +kubebuilder:object:root=true
// +kubebuilder:subresource:status
// +kubebuilder:resource:categories=kgateway
// +kubebuilder:metadata:labels="app=kgateway"
// +kubebuilder:metadata:labels="app.kubernetes.io/name=kgateway"
// +kubebuilder:metadata:labels="gateway.networking.k8s.io/policy=Direct"
// +kubebuilder:printcolumn:name="Accepted",type=string,JSONPath=".status.ancestors[*].conditions[?(@.type=='Accepted')].status",description="Whether the controller accepted the policy"
// +kubebuilder:printcolumn:name="Attached",type=string,JSONPath=".status.ancestors[*].conditions[?(@.type=='Attached')].status",description="Whether the policy is attached to its targets"
type HTTPListenerPolicy struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	// Spec selects the Gateways and the listener settings.
	// +optional
	Spec HTTPListenerPolicySpec `json:"spec,omitzero"`

	// Status is written by the kgateway controller, per ancestor.
	// +optional
	Status gwv1.PolicyStatus `json:"status,omitzero"`
}

// HTTPListenerPolicyList is a list of HTTPListenerPolicy objects.
//
// +kubebuilder:object:root=true
type HTTPListenerPolicyList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []HTTPListenerPolicy `json:"items"`
}

// ServerHeaderTransformation says what the proxy does with the Server response header.
//
// +kubebuilder:validation:Enum=Overwrite;AppendIfAbsent;PassThrough
type ServerHeaderTransformation string

// HTTPListenerPolicySpec holds the listener settings.
type HTTPListenerPolicySpec struct {
	// TargetRefs are the Gateways in the policy's namespace it applies to.
	// +optional
	// +kubebuilder:validation:MinItems=1
	// +kubebuilder:validation:MaxItems=16
	// +kubebuilder:validation:XValidation:rule="self.all(r, r.kind == 'Gateway' && (!has(r.group) || r.group == 'gateway.networking.k8s.io'))",message="targetRefs may only reference Gateway resources"
	TargetRefs []LocalPolicyTargetReference `json:"targetRefs,omitempty"`

	// TargetSelectors attach the policy to Gateways by label.
	// +optional
	// +kubebuilder:validation:XValidation:rule="self.all(r, r.kind == 'Gateway' && (!has(r.group) || r.group == 'gateway.networking.k8s.io'))",message="targetSelectors may only reference Gateway resources"
	TargetSelectors []LocalPolicyTargetSelector `json:"targetSelectors,omitempty"`

	// AccessLog lists where access log entries are written.
	// +optional
	// +kubebuilder:validation:MaxItems=16
	AccessLog []AccessLog `json:"accessLog,omitempty"`

	// Tracing sends OpenTelemetry spans for requests.
	// +optional
	Tracing *Tracing `json:"tracing,omitempty"`

	// UpgradeConfig allows protocol upgrades such as websocket.
	// +optional
	UpgradeConfig *UpgradeConfig `json:"upgradeConfig,omitempty"`

	// UseRemoteAddress takes the client address from the connection rather than from
	// X-Forwarded-For; the proxy behaves as if true when unset.
	// +optional
	UseRemoteAddress *bool `json:"useRemoteAddress,omitempty"`

	// XffNumTrustedHops is how many proxies in X-Forwarded-For, from the right, are
	// trusted.
	// +optional
	// +kubebuilder:validation:Minimum=0
	XffNumTrustedHops *int32 `json:"xffNumTrustedHops,omitempty"`

	// ServerHeaderTransformation controls the Server response header.
	// +optional
	ServerHeaderTransformation *ServerHeaderTransformation `json:"serverHeaderTransformation,omitempty"`

	// StreamIdleTimeout closes streams without activity for this long.
	// +optional
	// +kubebuilder:validation:XValidation:rule="matches(self, '^([0-9]{1,5}(h|m|s|ms)){1,4}$')",message="invalid duration value"
	StreamIdleTimeout *string `json:"streamIdleTimeout,omitempty"`

	// IdleTimeout closes connections without streams for this long.
	// +optional
	// +kubebuilder:validation:XValidation:rule="matches(self, '^([0-9]{1,5}(h|m|s|ms)){1,4}$')",message="invalid duration value"
	IdleTimeout *string `json:"idleTimeout,omitempty"`

	// HealthCheck answers a health check path on the listener itself.
	// +optional
	HealthCheck *EnvoyHealthCheck `json:"healthCheck,omitempty"`

	// PreserveHTTP1HeaderCase keeps the case of HTTP/1 header names.
	// +optional
	PreserveHTTP1HeaderCase *bool `json:"preserveHttp1HeaderCase,omitempty"`

	// AcceptHTTP10 accepts HTTP/1.0 and HTTP/0.9 requests.
	// +optional
	AcceptHTTP10 *bool `json:"acceptHttp10,omitempty"`

	// DefaultHostForHTTP10 is the host assumed for HTTP/1.0 requests without one.
	// +optional
	// +kubebuilder:validation:MinLength=1
	DefaultHostForHTTP10 *string `json:"defaultHostForHttp10,omitempty"`
}

// EnvoyHealthCheck is a path the proxy answers itself for health checks.
type EnvoyHealthCheck struct {
	// Path is the exact request path that is answered.
	// +required
	// +kubebuilder:validation:MaxLength=2048
	// +kubebuilder:validation:Pattern=`^/[-a-zA-Z0-9@:%.+~#?&/=_]+$`
	Path string `json:"path"`
}

// UpgradeConfig lists allowed protocol upgrades.
type UpgradeConfig struct {
	// EnabledUpgrades are upgrade protocol names, such as websocket.
	// +optional
	// +kubebuilder:validation:MinItems=1
	EnabledUpgrades []string `json:"enabledUpgrades,omitempty"`
}

// AccessLog is one access log sink with an optional filter.
type AccessLog struct {
	// FileSink writes entries to a file, such as /dev/stdout.
	// +optional
	FileSink *FileSink `json:"fileSink,omitempty"`

	// GrpcService streams entries to an Envoy gRPC access log service.
	// +optional
	GrpcService *AccessLogGrpcService `json:"grpcService,omitempty"`

	// OpenTelemetry sends entries to an OpenTelemetry collector.
	// +optional
	OpenTelemetry *OpenTelemetryAccessLogService `json:"openTelemetry,omitempty"`

	// Filter decides which requests are logged.
	// +optional
	Filter *AccessLogFilter `json:"filter,omitempty"`
}

// FileSink writes entries to a file as text or JSON; exactly one format must be set.
//
// +kubebuilder:validation:XValidation:rule="[has(self.stringFormat),has(self.jsonFormat)].filter(x,x==true).size() == 1",message="exactly one of the fields in [stringFormat jsonFormat] must be set"
type FileSink struct {
	// Path is the file written to.
	// +required
	Path string `json:"path"`

	// StringFormat is an Envoy format string for a text line.
	// +optional
	StringFormat *string `json:"stringFormat,omitempty"`

	// JSONFormat maps JSON keys to Envoy format strings.
	// +optional
	JSONFormat *runtime.RawExtension `json:"jsonFormat,omitempty"`
}

// AccessLogGrpcService streams entries to an Envoy gRPC access log service.
type AccessLogGrpcService struct {
	CommonAccessLogGrpcService `json:",inline"`

	// AdditionalRequestHeadersToLog are request headers added to each entry.
	// +optional
	AdditionalRequestHeadersToLog []string `json:"additionalRequestHeadersToLog,omitempty"`

	// AdditionalResponseHeadersToLog are response headers added to each entry.
	// +optional
	AdditionalResponseHeadersToLog []string `json:"additionalResponseHeadersToLog,omitempty"`

	// AdditionalResponseTrailersToLog are response trailers added to each entry.
	// +optional
	AdditionalResponseTrailersToLog []string `json:"additionalResponseTrailersToLog,omitempty"`
}

// CommonAccessLogGrpcService is a gRPC log stream with a name.
type CommonAccessLogGrpcService struct {
	CommonGrpcService `json:",inline"`

	// LogName identifies the log stream to the receiver.
	// +required
	LogName string `json:"logName"`
}

// OpenTelemetryAccessLogService sends entries as OpenTelemetry log records.
type OpenTelemetryAccessLogService struct {
	// GrpcService is the collector.
	// +required
	GrpcService CommonAccessLogGrpcService `json:"grpcService"`

	// Body is an Envoy format string for the record body.
	// +optional
	Body *string `json:"body,omitempty"`

	// DisableBuiltinLabels leaves out the labels the proxy adds by itself.
	// +optional
	DisableBuiltinLabels *bool `json:"disableBuiltinLabels,omitempty"`

	// Attributes are added to each record.
	// +optional
	Attributes *KeyAnyValueList `json:"attributes,omitempty"`

	// ResourceAttributes are added to the record's resource.
	// +optional
	ResourceAttributes *KeyAnyValueList `json:"resourceAttributes,omitempty"`
}

// KeyAnyValueList is a list of attributes.
type KeyAnyValueList struct {
	// Values are the attributes.
	// +optional
	Values []KeyAnyValue `json:"values,omitempty"`
}

// KeyAnyValue is one attribute.
type KeyAnyValue struct {
	// Key is the attribute name.
	// +required
	Key string `json:"key"`

	// Value is the attribute value.
	// +required
	Value AnyValue `json:"value"`
}

// AnyValue is an attribute value: a string, a list or a nested key-value list.
// Exactly one field must be set.
//
// +kubebuilder:validation:MinProperties=1
// +kubebuilder:validation:MaxProperties=1
type AnyValue struct {
	// StringValue is a string, which may contain Envoy format operators.
	// +optional
	StringValue *string `json:"stringValue,omitempty"`

	// ArrayValue is a list of values, each shaped like an AnyValue. The schema does not
	// check the elements.
	// +optional
	ArrayValue []runtime.RawExtension `json:"arrayValue,omitempty"`

	// KvListValue is a nested list shaped like a KeyAnyValueList. The schema does not
	// check its contents.
	// +optional
	KvListValue *runtime.RawExtension `json:"kvListValue,omitempty"`
}

// AccessLogFilter decides which requests are logged: one filter, or an and/or
// combination of filters. Exactly one field must be set.
//
// +kubebuilder:validation:MinProperties=1
// +kubebuilder:validation:MaxProperties=1
type AccessLogFilter struct {
	*FilterType `json:",inline"`

	// AndFilter logs a request when all of its filters match.
	// +optional
	// +kubebuilder:validation:MinItems=2
	AndFilter []FilterType `json:"andFilter,omitempty"`

	// OrFilter logs a request when any of its filters matches.
	// +optional
	// +kubebuilder:validation:MinItems=2
	OrFilter []FilterType `json:"orFilter,omitempty"`
}

// FilterType is a single access log filter; exactly one field must be set.
//
// +kubebuilder:validation:MinProperties=1
// +kubebuilder:validation:MaxProperties=1
type FilterType struct {
	// StatusCodeFilter compares the response status code.
	// +optional
	StatusCodeFilter *ComparisonFilter `json:"statusCodeFilter,omitempty"`

	// DurationFilter compares the request duration in milliseconds.
	// +optional
	DurationFilter *ComparisonFilter `json:"durationFilter,omitempty"`

	// NotHealthCheckFilter skips health check requests.
	// +optional
	NotHealthCheckFilter bool `json:"notHealthCheckFilter,omitempty"`

	// TraceableFilter keeps only requests that are traced.
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

	// CELFilter matches a CEL expression.
	// +optional
	CELFilter *CELFilter `json:"celFilter,omitempty"`
}

// ComparisonOp is a comparison operator.
//
// +kubebuilder:validation:Enum=EQ;GE;LE
type ComparisonOp string

// ComparisonFilter compares a number with a value.
type ComparisonFilter struct {
	// Op is the comparison.
	// +required
	Op ComparisonOp `json:"op"`

	// Value is compared against. Upstream declares it as an int32 with a maximum of
	// 4294967295; Kubernetes' schema validator refuses that bound, so an object that sets
	// a value is rejected by the cluster. The schema is kept as upstream has it.
	// +optional
	// +kubebuilder:validation:Minimum=0
	// +kubebuilder:validation:Maximum=4294967295
	Value *uint32 `json:"value,omitempty"`
}

// HeaderFilter matches a request header.
type HeaderFilter struct {
	// Header is the header and value to match.
	// +required
	Header HTTPHeaderMatch `json:"header"`
}

// ResponseFlagFilter matches Envoy response flags, such as UH or NR.
type ResponseFlagFilter struct {
	// Flags are the flags; any of them matches.
	// +required
	// +kubebuilder:validation:MinItems=1
	Flags []string `json:"flags"`
}

// CELFilter matches a CEL expression over request attributes.
type CELFilter struct {
	// Match is the expression; the request is logged when it is true.
	// +required
	Match string `json:"match"`
}

// GrpcStatus is a gRPC status code name.
//
// +kubebuilder:validation:Enum=OK;CANCELED;UNKNOWN;INVALID_ARGUMENT;DEADLINE_EXCEEDED;NOT_FOUND;ALREADY_EXISTS;PERMISSION_DENIED;RESOURCE_EXHAUSTED;FAILED_PRECONDITION;ABORTED;OUT_OF_RANGE;UNIMPLEMENTED;INTERNAL;UNAVAILABLE;DATA_LOSS;UNAUTHENTICATED
type GrpcStatus string

// GrpcStatusFilter matches gRPC status codes.
type GrpcStatusFilter struct {
	// Statuses are the codes matched.
	// +optional
	// +kubebuilder:validation:MinItems=1
	Statuses []GrpcStatus `json:"statuses,omitempty"`

	// Exclude inverts the match.
	// +optional
	Exclude bool `json:"exclude,omitempty"`
}

// Tracing sends OpenTelemetry spans for requests.
type Tracing struct {
	// Provider is where spans are sent.
	// +required
	Provider TracingProvider `json:"provider"`

	// ClientSampling is the percentage of requests with x-client-trace-id that are traced.
	// +optional
	// +kubebuilder:validation:Minimum=0
	// +kubebuilder:validation:Maximum=100
	ClientSampling *int32 `json:"clientSampling,omitempty"`

	// RandomSampling is the percentage of other requests that are traced.
	// +optional
	// +kubebuilder:validation:Minimum=0
	// +kubebuilder:validation:Maximum=100
	RandomSampling *int32 `json:"randomSampling,omitempty"`

	// OverallSampling is the percentage kept after the other sampling decisions.
	// +optional
	// +kubebuilder:validation:Minimum=0
	// +kubebuilder:validation:Maximum=100
	OverallSampling *int32 `json:"overallSampling,omitempty"`

	// Verbose adds stream events to spans.
	// +optional
	Verbose *bool `json:"verbose,omitempty"`

	// MaxPathTagLength truncates the path recorded on spans.
	// +optional
	// +kubebuilder:validation:Minimum=1
	MaxPathTagLength *int32 `json:"maxPathTagLength,omitempty"`

	// Attributes are added to each span.
	// +optional
	Attributes []CustomAttribute `json:"attributes,omitempty"`

	// SpawnUpstreamSpan creates a separate span for each upstream request.
	// +optional
	SpawnUpstreamSpan *bool `json:"spawnUpstreamSpan,omitempty"`
}

// CustomAttribute is a span attribute with a name and one source for its value.
//
// +kubebuilder:validation:MinProperties=1
// +kubebuilder:validation:MaxProperties=2
type CustomAttribute struct {
	// Name is the attribute name.
	// +required
	Name string `json:"name"`

	// Literal is a fixed value.
	// +optional
	Literal *CustomAttributeLiteral `json:"literal,omitempty"`

	// Environment reads an environment variable of the proxy.
	// +optional
	Environment *CustomAttributeEnvironment `json:"environment,omitempty"`

	// RequestHeader reads a request header.
	// +optional
	RequestHeader *CustomAttributeHeader `json:"requestHeader,omitempty"`

	// Metadata reads a value from Envoy metadata.
	// +optional
	Metadata *CustomAttributeMetadata `json:"metadata,omitempty"`
}

// CustomAttributeLiteral is a fixed attribute value.
type CustomAttributeLiteral struct {
	// Value is the value.
	// +required
	Value string `json:"value"`
}

// CustomAttributeEnvironment reads an environment variable.
type CustomAttributeEnvironment struct {
	// Name is the variable name.
	// +required
	Name string `json:"name"`

	// DefaultValue is used when the variable is not set.
	// +optional
	DefaultValue *string `json:"defaultValue,omitempty"`
}

// CustomAttributeHeader reads a request header.
type CustomAttributeHeader struct {
	// Name is the header name.
	// +required
	Name string `json:"name"`

	// DefaultValue is used when the header is missing.
	// +optional
	DefaultValue *string `json:"defaultValue,omitempty"`
}

// MetadataKind names where Envoy metadata is read from.
//
// +kubebuilder:validation:Enum=Request;Route;Cluster;Host
type MetadataKind string

// CustomAttributeMetadata reads a value from Envoy metadata.
type CustomAttributeMetadata struct {
	// Kind is the metadata source.
	// +required
	Kind MetadataKind `json:"kind"`

	// MetadataKey locates the value.
	// +required
	MetadataKey MetadataKey `json:"metadataKey"`

	// DefaultValue is used when nothing is found.
	// +optional
	DefaultValue *string `json:"defaultValue,omitempty"`
}

// MetadataKey is a metadata namespace and a path inside it.
type MetadataKey struct {
	// Key is the metadata namespace.
	// +required
	Key string `json:"key"`

	// Path is the sequence of keys leading to the value.
	// +required
	Path []MetadataPathSegment `json:"path"`
}

// MetadataPathSegment is one step of a metadata path.
type MetadataPathSegment struct {
	// Key is the struct key.
	// +required
	Key string `json:"key"`
}

// TracingProvider is where spans go; exactly one provider must be set.
//
// +kubebuilder:validation:MinProperties=1
// +kubebuilder:validation:MaxProperties=1
type TracingProvider struct {
	// OpenTelemetry sends spans to an OpenTelemetry collector.
	// +optional
	OpenTelemetry *OpenTelemetryTracingConfig `json:"openTelemetry,omitempty"`
}

// OpenTelemetryTracingConfig sends spans over OTLP/gRPC.
type OpenTelemetryTracingConfig struct {
	// GrpcService is the collector.
	// +required
	GrpcService CommonGrpcService `json:"grpcService"`

	// ServiceName is the service.name resource attribute.
	// +optional
	ServiceName *string `json:"serviceName,omitempty"`

	// ResourceDetectors add resource attributes, in order.
	// +optional
	ResourceDetectors []ResourceDetector `json:"resourceDetectors,omitempty"`

	// Sampler overrides the proxy's sampling decision.
	// +optional
	Sampler *Sampler `json:"sampler,omitempty"`
}

// ResourceDetector is one resource detector; exactly one field must be set.
//
// +kubebuilder:validation:MinProperties=1
// +kubebuilder:validation:MaxProperties=1
type ResourceDetector struct {
	// EnvironmentResourceDetector reads OTEL_RESOURCE_ATTRIBUTES.
	// +optional
	EnvironmentResourceDetector *EnvironmentResourceDetectorConfig `json:"environmentResourceDetector,omitempty"`
}

// EnvironmentResourceDetectorConfig has no options.
type EnvironmentResourceDetectorConfig struct{}

// Sampler is an OpenTelemetry sampler; exactly one field must be set.
//
// +kubebuilder:validation:MinProperties=1
// +kubebuilder:validation:MaxProperties=1
type Sampler struct {
	// AlwaysOn samples every span.
	// +optional
	AlwaysOn *AlwaysOnConfig `json:"alwaysOnConfig,omitempty"`
}

// AlwaysOnConfig has no options.
type AlwaysOnConfig struct{}
