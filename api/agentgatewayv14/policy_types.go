package agentgatewayv14

import (
	corev1 "k8s.io/api/core/v1"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	gwv1 "sigs.k8s.io/gateway-api/apis/v1"
)

// +kubebuilder:printcolumn:name="Accepted",type=string,JSONPath=".status.ancestors[*].conditions[?(@.type=='Accepted')].status",description="Whether each ancestor accepted the policy"
// +kubebuilder:printcolumn:name="Attached",type=string,JSONPath=".status.ancestors[*].conditions[?(@.type=='Attached')].status",description="Whether the policy is attached at each ancestor"
// +kubebuilder:printcolumn:name="Age",type=date,JSONPath=`.metadata.creationTimestamp`

// AgentgatewayPolicy attaches frontend, traffic or backend policies to Gateways, routes or backends.
//
// +kubebuilder:object:root=true
// +kubebuilder:object:generate=false
// +kubebuilder:metadata:labels={app=agentgateway,app.kubernetes.io/name=agentgateway}
// +kubebuilder:resource:categories=agentgateway,shortName=agpol
// +kubebuilder:subresource:status
// +kubebuilder:metadata:labels="gateway.networking.k8s.io/policy=Direct"
type AgentgatewayPolicy struct {
	metav1.TypeMeta `json:",inline"`
	// +optional
	metav1.ObjectMeta `json:"metadata,omitempty"`

	// Spec holds the targets and the policies.
	// +required
	Spec AgentgatewayPolicySpec `json:"spec"`

	// Status is written by the controller.
	// +optional
	Status gwv1.PolicyStatus `json:"status,omitzero"`
}

// AgentgatewayPolicyList is a list of AgentgatewayPolicy objects.
//
// +kubebuilder:object:root=true
// +kubebuilder:object:generate=false
type AgentgatewayPolicyList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []AgentgatewayPolicy `json:"items"`
}

// AgentgatewayPolicySpec holds the targets and the policies applied to them.
//
// +kubebuilder:validation:XValidation:rule="[has(self.targetRefs),has(self.targetSelectors)].filter(x,x==true).size() == 1",message="exactly one of the fields in [targetRefs targetSelectors] must be set"
// +kubebuilder:validation:XValidation:rule="has(self.traffic) || has(self.frontend) || has(self.backend)",message="At least one of traffic, frontend, or backend must be provided."
// +kubebuilder:validation:XValidation:rule="!has(self.strategy) || !has(self.strategy.inheritance) || (has(self.traffic) && !has(self.frontend) && !has(self.backend))",message="strategy.inheritance may only be set on traffic policies"
// +kubebuilder:validation:XValidation:rule="!has(self.backend) || !has(self.backend.mcp) || ((!has(self.targetRefs) || !self.targetRefs.exists(t, t.kind == 'Service')) && (!has(self.targetSelectors) || !self.targetSelectors.exists(t, t.kind == 'Service')))",message="backend.mcp may not be used with a Service target"
// +kubebuilder:validation:XValidation:rule="!has(self.backend) || !has(self.backend.mcp) || ((!has(self.targetRefs) || !self.targetRefs.exists(t, t.kind == 'AgentgatewayBackend' && has(t.sectionName))) && (!has(self.targetSelectors) || !self.targetSelectors.exists(t, t.kind == 'AgentgatewayBackend' && has(t.sectionName))))",message="backend.mcp may not target an AgentgatewayBackend sectionName"
// +kubebuilder:validation:XValidation:rule="!has(self.backend) || !has(self.backend.ai) || ((!has(self.targetRefs) || !self.targetRefs.exists(t, t.kind == 'Service')) && (!has(self.targetSelectors) || !self.targetSelectors.exists(t, t.kind == 'Service')))",message="backend.ai may not be used with a Service target"
// +kubebuilder:validation:XValidation:rule="!(has(self.traffic) && has(self.traffic.jwtAuthentication) && has(self.backend) && has(self.backend.mcp) && has(self.backend.mcp.authentication))",message="traffic.jwtAuthentication may not be used with backend.mcp.authentication in the same policy"
// +kubebuilder:validation:XValidation:rule="has(self.frontend) && has(self.targetRefs) ? self.targetRefs.all(t, t.kind == 'Gateway') : true",message="the 'frontend' field can only target a Gateway"
// +kubebuilder:validation:XValidation:rule="has(self.frontend) && has(self.targetSelectors) ? self.targetSelectors.all(t, t.kind == 'Gateway') : true",message="the 'frontend' field can only target a Gateway"
// +kubebuilder:validation:XValidation:rule="has(self.frontend) && (has(self.frontend.tcp) || has(self.frontend.networkAuthorization) || has(self.frontend.tls) || has(self.frontend.http) || has(self.frontend.proxyProtocol) || has(self.frontend.connect)) && has(self.targetRefs) ? self.targetRefs.all(t, !has(t.sectionName)) : true",message="frontend tcp, networkAuthorization, tls, http, proxyProtocol, and connect policies may only target a Gateway or port, not a listener (sectionName)"
// +kubebuilder:validation:XValidation:rule="has(self.frontend) && (has(self.frontend.tcp) || has(self.frontend.networkAuthorization) || has(self.frontend.tls) || has(self.frontend.http) || has(self.frontend.proxyProtocol) || has(self.frontend.connect)) && has(self.targetSelectors) ? self.targetSelectors.all(t, !has(t.sectionName)) : true",message="frontend tcp, networkAuthorization, tls, http, proxyProtocol, and connect policies may only target a Gateway or port, not a listener (sectionName)"
// +kubebuilder:validation:XValidation:rule="has(self.targetRefs) && self.targetRefs.exists(t, has(t.port)) ? (has(self.frontend) && !has(self.traffic) && !has(self.backend)) : true",message="port may only be set on frontend-only policies (not traffic or backend)"
// +kubebuilder:validation:XValidation:rule="has(self.targetSelectors) && self.targetSelectors.exists(t, has(t.port)) ? (has(self.frontend) && !has(self.traffic) && !has(self.backend)) : true",message="port may only be set on frontend-only policies (not traffic or backend)"
// +kubebuilder:validation:XValidation:rule="has(self.traffic) && has(self.targetRefs) ? self.targetRefs.all(t, t.kind in ['Gateway', 'HTTPRoute', 'GRPCRoute', 'ListenerSet', 'InferencePool']) : true",message="the 'traffic' field can only target a Gateway, ListenerSet, GRPCRoute, HTTPRoute, or InferencePool"
// +kubebuilder:validation:XValidation:rule="has(self.traffic) && has(self.targetSelectors) ? self.targetSelectors.all(t, t.kind in ['Gateway', 'HTTPRoute', 'GRPCRoute', 'ListenerSet', 'InferencePool']) : true",message="the 'traffic' field can only target a Gateway, ListenerSet, GRPCRoute, HTTPRoute, or InferencePool"
// +kubebuilder:validation:XValidation:rule="has(self.targetRefs) && has(self.traffic) && has(self.traffic.phase) && self.traffic.phase == 'PreRouting' ? self.targetRefs.all(t, t.kind in ['Gateway', 'ListenerSet']) : true",message="the 'traffic.phase=PreRouting' field can only target a Gateway or ListenerSet"
// +kubebuilder:validation:XValidation:rule="has(self.targetSelectors) && has(self.traffic) && has(self.traffic.phase) && self.traffic.phase == 'PreRouting' ? self.targetSelectors.all(t, t.kind in ['Gateway', 'ListenerSet']) : true",message="the 'traffic.phase=PreRouting' field can only target a Gateway or ListenerSet"
type AgentgatewayPolicySpec struct {
	// TargetRefs name the resources the policy applies to.
	// +listType=atomic
	// +kubebuilder:validation:MinItems=1
	// +kubebuilder:validation:MaxItems=16
	// +kubebuilder:validation:XValidation:rule="self.all(r, (r.kind == 'Service' && r.group == '') || (r.kind == 'AgentgatewayBackend' && r.group == 'agentgateway.dev') || (r.kind in ['Gateway', 'HTTPRoute', 'GRPCRoute'] && r.group == 'gateway.networking.k8s.io') || (r.kind == 'ListenerSet' && r.group == 'gateway.networking.k8s.io') || (r.kind == 'InferencePool' && r.group == 'inference.networking.k8s.io'))",message="targetRefs may only reference Gateway, HTTPRoute, GRPCRoute, ListenerSet, Service, AgentgatewayBackend, or InferencePool resources"
	// +kubebuilder:validation:XValidation:message="Only one Kind of targetRef can be set on one policy",rule="self.all(l1, !self.exists(l2, l1.kind != l2.kind))"
	// +optional
	TargetRefs []LocalPolicyTargetReferenceWithSectionName `json:"targetRefs,omitempty"`

	// TargetSelectors select the resources the policy applies to by label.
	// +kubebuilder:validation:MinItems=1
	// +kubebuilder:validation:MaxItems=16
	// +kubebuilder:validation:XValidation:rule="self.all(r, (r.kind == 'Service' && r.group == '') || (r.kind == 'AgentgatewayBackend' && r.group == 'agentgateway.dev') || (r.kind in ['Gateway', 'HTTPRoute', 'GRPCRoute'] && r.group == 'gateway.networking.k8s.io') || (r.kind == 'ListenerSet' && r.group == 'gateway.networking.k8s.io') || (r.kind == 'InferencePool' && r.group == 'inference.networking.k8s.io'))",message="targetRefs may only reference Gateway, HTTPRoute, GRPCRoute, ListenerSet, Service, AgentgatewayBackend, or InferencePool resources"
	// +kubebuilder:validation:XValidation:message="Only one Kind of targetRef can be set on one policy",rule="self.all(l1, !self.exists(l2, l1.kind != l2.kind))"
	// +optional
	TargetSelectors []LocalPolicyTargetSelectorWithSectionName `json:"targetSelectors,omitempty"`

	// Strategy says how this policy combines with others.
	// +optional
	Strategy *PolicyStrategy `json:"strategy,omitempty"`

	// Frontend configures listeners; only for Gateway targets.
	// +optional
	Frontend *Frontend `json:"frontend,omitempty"`

	// Traffic configures request handling.
	// +optional
	Traffic *Traffic `json:"traffic,omitempty"`

	// Backend configures traffic sent to backends.
	// +optional
	Backend *BackendFull `json:"backend,omitempty"`
}

// PolicyStrategy says how the policy combines with others.
type PolicyStrategy struct {
	// +optional
	Inheritance *PolicyInheritance `json:"inheritance,omitempty"`
}

// PolicyInheritance says whether a policy is a default that more specific policies replace, or an override.
//
// +k8s:enum
type PolicyInheritance string

const (
	PolicyInheritanceDefault  PolicyInheritance = "Default"
	PolicyInheritanceOverride PolicyInheritance = "Override"
)

// BackendSimple is the connection settings of an auxiliary backend call.
type BackendSimple struct {
	// TCP configures TCP to the backend.
	// +optional
	TCP *BackendTCP `json:"tcp,omitempty"`
	// TLS configures TLS to the backend.
	// +optional
	TLS *BackendTLS `json:"tls,omitempty"`
	// HTTP configures HTTP to the backend.
	// +optional
	HTTP *BackendHTTP `json:"http,omitempty"`

	// Tunnel sends backend traffic through a proxy.
	// +optional
	Tunnel *BackendTunnel `json:"tunnel,omitempty"`

	// Auth authenticates to the backend.
	// +optional
	Auth *BackendAuth `json:"auth,omitempty"`
}

// BackendConnectionPolicy configures connections for auxiliary backend calls.
type BackendConnectionPolicy struct {
	// +optional
	TCP *BackendTCP `json:"tcp,omitempty"`

	// +optional
	TLS *BackendTLS `json:"tls,omitempty"`

	// +optional
	HTTP *BackendHTTP `json:"http,omitempty"`

	// +optional
	Tunnel *BackendTunnel `json:"tunnel,omitempty"`
}

// OpenAIModerationPolicy configures connections to the OpenAI moderation endpoint.
//
// +kubebuilder:validation:XValidation:rule="[has(self.auth),has(self.http),has(self.tcp),has(self.tls),has(self.tunnel)].filter(x,x==true).size() >= 1",message="at least one of the fields in [auth http tcp tls tunnel] must be set"
type OpenAIModerationPolicy struct {
	BackendConnectionPolicy `json:",inline"`

	// +optional
	Auth *OpenAIModerationAuth `json:"auth,omitempty"`
}

// BedrockGuardrailsPolicy configures connections to AWS Bedrock guardrails.
//
// +kubebuilder:validation:XValidation:rule="[has(self.auth),has(self.http),has(self.tcp),has(self.tls),has(self.tunnel)].filter(x,x==true).size() >= 1",message="at least one of the fields in [auth http tcp tls tunnel] must be set"
type BedrockGuardrailsPolicy struct {
	BackendConnectionPolicy `json:",inline"`

	// +optional
	Auth *BedrockGuardrailsAuth `json:"auth,omitempty"`
}

// GoogleModelArmorPolicy configures connections to Google Model Armor.
//
// +kubebuilder:validation:XValidation:rule="[has(self.auth),has(self.http),has(self.tcp),has(self.tls),has(self.tunnel)].filter(x,x==true).size() >= 1",message="at least one of the fields in [auth http tcp tls tunnel] must be set"
type GoogleModelArmorPolicy struct {
	BackendConnectionPolicy `json:",inline"`

	// +optional
	Auth *GoogleModelArmorAuth `json:"auth,omitempty"`
}

// Health configures outlier detection for a backend.
type Health struct {
	// +optional
	UnhealthyCondition *CELExpression `json:"unhealthyCondition,omitempty"`

	// +optional
	Eviction *BackendEviction `json:"eviction,omitempty"`
}

// BackendEviction says when and for how long an unhealthy backend is evicted.
type BackendEviction struct {
	// +kubebuilder:validation:Type=string
	// +kubebuilder:validation:MaxLength=32
	// +kubebuilder:validation:XValidation:rule="matches(self, '^([0-9]{1,5}(h|m|s|ms)){1,4}$')",message="invalid duration value"
	// +kubebuilder:validation:XValidation:rule="duration(self) >= duration('1s')",message="evictionDuration must be at least 1 second"
	// +kubebuilder:default="3s"
	// +optional
	Duration *metav1.Duration `json:"duration,omitempty"`

	// +kubebuilder:validation:Minimum=0
	// +kubebuilder:validation:Maximum=100
	// +optional
	RestoreHealth *int32 `json:"restoreHealth,omitempty"`

	// +kubebuilder:validation:Minimum=0
	// +optional
	ConsecutiveFailures *int32 `json:"consecutiveFailures,omitempty"`

	// +kubebuilder:validation:Minimum=0
	// +kubebuilder:validation:Maximum=100
	// +optional
	HealthThreshold *int32 `json:"healthThreshold,omitempty"`
}

// BackendWithAI is the backend policy set allowed on an LLM provider.
//
// +kubebuilder:validation:XValidation:rule="[has(self.ai),has(self.auth),has(self.health),has(self.http),has(self.tcp),has(self.tls),has(self.transformation),has(self.tunnel)].filter(x,x==true).size() >= 1",message="at least one of the fields in [ai auth health http tcp tls transformation tunnel] must be set"
type BackendWithAI struct {
	BackendSimple `json:",inline"`

	// AI holds AI policies.
	// +optional
	AI *BackendAI `json:"ai,omitempty"`

	// Transformation rewrites requests and responses.
	// +optional
	Transformation *Transformation `json:"transformation,omitempty"`

	// Health configures outlier detection.
	// +optional
	Health *Health `json:"health,omitempty"`
}

// BackendFull is the complete backend policy set.
//
// +kubebuilder:validation:XValidation:rule="[has(self.ai),has(self.auth),has(self.extAuth),has(self.health),has(self.http),has(self.mcp),has(self.tcp),has(self.tls),has(self.transformation),has(self.tunnel)].filter(x,x==true).size() >= 1",message="at least one of the fields in [ai auth extAuth health http mcp tcp tls transformation tunnel] must be set"
type BackendFull struct {
	BackendSimple `json:",inline"`

	// AI holds AI policies; only for LLM backends.
	// +optional
	AI *BackendAI `json:"ai,omitempty"`

	// MCP holds MCP policies; only for MCP backends.
	// +optional
	MCP *BackendMCP `json:"mcp,omitempty"`

	// Transformation rewrites requests and responses.
	// +optional
	Transformation *Transformation `json:"transformation,omitempty"`

	// Health configures outlier detection.
	// +optional
	Health *Health `json:"health,omitempty"`

	// ExtAuth asks an external service to authorise requests.
	// +optional
	ExtAuth *ExtAuth `json:"extAuth,omitempty"`
}

// TinyString is a string of 1 to 64 characters.
//
// +kubebuilder:validation:MinLength=1
// +kubebuilder:validation:MaxLength=64
type TinyString = string

// ShortString is a string of 1 to 256 characters.
//
// +kubebuilder:validation:MinLength=1
// +kubebuilder:validation:MaxLength=256
type ShortString = string

// LongString is a string of 1 to 1024 characters.
//
// +kubebuilder:validation:MinLength=1
// +kubebuilder:validation:MaxLength=1024
type LongString = string

// SNI is a DNS name used as TLS server name.
//
// +kubebuilder:validation:MinLength=1
// +kubebuilder:validation:MaxLength=253
// +kubebuilder:validation:Pattern=`^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$`
type SNI = string

// ByteSize is a byte quantity, an integer or a string such as 1Mi; the fields that use it carry its bounds.
type ByteSize = intstr.IntOrString

// InsecureTLSMode says which TLS checks are skipped.
//
// +k8s:enum
type InsecureTLSMode string

const (
	InsecureTLSModeAll      InsecureTLSMode = "All"
	InsecureTLSModeHostname InsecureTLSMode = "Hostname"
)

// BackendTLS configures TLS to a backend.
//
// +kubebuilder:validation:XValidation:rule="[has(self.verifySubjectAltNames),has(self.insecureSkipVerify)].filter(x,x==true).size() <= 1",message="at most one of the fields in [verifySubjectAltNames insecureSkipVerify] may be set"
// +kubebuilder:validation:XValidation:rule="has(self.insecureSkipVerify) && self.insecureSkipVerify == 'All' ? !has(self.caCertificateRefs) : true",message="insecureSkipVerify All and caCertificateRefs may not be set together"
// +kubebuilder:validation:XValidation:rule="has(self.insecureSkipVerify) ? !has(self.verifySubjectAltNames) : true",message="insecureSkipVerify and verifySubjectAltNames may not be set together"
type BackendTLS struct {
	// +listType=atomic
	// +kubebuilder:validation:MaxItems=1
	// +optional
	MtlsCertificateRef []LocalSecretObjectRef `json:"mtlsCertificateRef,omitempty"`
	// +listType=atomic
	// +kubebuilder:validation:MaxItems=1
	// +optional
	CACertificateRefs []corev1.LocalObjectReference `json:"caCertificateRefs,omitempty"`

	// +optional
	InsecureSkipVerify *InsecureTLSMode `json:"insecureSkipVerify,omitempty"`

	// +optional
	Sni *SNI `json:"sni,omitempty"`

	// +kubebuilder:validation:MinItems=1
	// +kubebuilder:validation:MaxItems=16
	// +optional
	VerifySubjectAltNames []ShortString `json:"verifySubjectAltNames,omitempty"`

	// +kubebuilder:validation:MinItems=1
	// +kubebuilder:validation:MaxItems=16
	// +optional
	AlpnProtocols *[]TinyString `json:"alpnProtocols,omitempty"`

	// +optional
	KeyExchangeGroups []KeyExchangeGroup `json:"keyExchangeGroups,omitempty"`
}

// Frontend configures how the proxy accepts connections.
//
// +kubebuilder:validation:XValidation:rule="[has(self.accessLog),has(self.connect),has(self.http),has(self.metrics),has(self.networkAuthorization),has(self.proxyProtocol),has(self.tcp),has(self.tls),has(self.tracing)].filter(x,x==true).size() >= 1",message="at least one of the fields in [accessLog connect http metrics networkAuthorization proxyProtocol tcp tls tracing] must be set"
type Frontend struct {
	// TCP configures TCP.
	// +optional
	TCP *FrontendTCP `json:"tcp,omitempty"`
	// NetworkAuthorization authorises connections by CEL rule.
	// +optional
	NetworkAuthorization *Authorization `json:"networkAuthorization,omitempty"`
	// TLS configures TLS.
	// +optional
	TLS *FrontendTLS `json:"tls,omitempty"`
	// HTTP configures HTTP.
	// +optional
	HTTP *FrontendHTTP `json:"http,omitempty"`

	// ProxyProtocol configures PROXY protocol.
	// +optional
	ProxyProtocol *FrontendProxyProtocol `json:"proxyProtocol,omitempty"`

	// Connect configures CONNECT handling.
	// +optional
	Connect *FrontendConnect `json:"connect,omitempty"`

	// AccessLog configures access logs.
	// +optional
	AccessLog *AccessLog `json:"accessLog,omitempty"`

	// Tracing configures tracing.
	// +optional
	Tracing *Tracing `json:"tracing,omitempty"`

	// Metrics adds labels to metrics.
	// +optional
	Metrics *MetricLabels `json:"metrics,omitempty"`
}

// ProxyProtocolVersion is a PROXY protocol version.
//
// +k8s:enum
type ProxyProtocolVersion string

const (
	ProxyProtocolVersionV1  ProxyProtocolVersion = "V1"
	ProxyProtocolVersionV2  ProxyProtocolVersion = "V2"
	ProxyProtocolVersionAll ProxyProtocolVersion = "All"
)

// ProxyProtocolMode says whether a PROXY protocol header is required.
//
// +k8s:enum
type ProxyProtocolMode string

const (
	ProxyProtocolModeStrict   ProxyProtocolMode = "Strict"
	ProxyProtocolModeOptional ProxyProtocolMode = "Optional"
)

// HTTPHeaderCase is how header names are written on HTTP/1.
//
// +k8s:enum
type HTTPHeaderCase string

const (
	HTTPHeaderCaseLowercase HTTPHeaderCase = "Lowercase"
	HTTPHeaderCasePreserve  HTTPHeaderCase = "Preserve"
)

// FrontendProxyProtocol configures PROXY protocol on listeners.
type FrontendProxyProtocol struct {
	// +kubebuilder:default=V2
	// +optional
	Version ProxyProtocolVersion `json:"version,omitempty"`

	// +kubebuilder:default=Strict
	// +optional
	Mode ProxyProtocolMode `json:"mode,omitempty"`
}

// FrontendConnectMode is how CONNECT requests are handled.
//
// +k8s:enum
type FrontendConnectMode string

const (
	FrontendConnectModeDeny   FrontendConnectMode = "Deny"
	FrontendConnectModeRoute  FrontendConnectMode = "Route"
	FrontendConnectModeTunnel FrontendConnectMode = "Tunnel"
)

// FrontendConnect configures CONNECT handling.
type FrontendConnect struct {
	// +required
	Mode FrontendConnectMode `json:"mode"`
}

// FrontendHTTP configures HTTP on listeners.
//
// +kubebuilder:validation:XValidation:rule="[has(self.http1HeaderCase),has(self.http1IdleTimeout),has(self.http1MaxHeaders),has(self.http2ConnectionWindowSize),has(self.http2FrameSize),has(self.http2KeepaliveInterval),has(self.http2KeepaliveTimeout),has(self.http2MaxHeaderSize),has(self.http2WindowSize),has(self.maxBufferSize),has(self.maxConnectionDuration)].filter(x,x==true).size() >= 1",message="at least one of the fields in [http1HeaderCase http1IdleTimeout http1MaxHeaders http2ConnectionWindowSize http2FrameSize http2KeepaliveInterval http2KeepaliveTimeout http2MaxHeaderSize http2WindowSize maxBufferSize maxConnectionDuration] must be set"
type FrontendHTTP struct {
	// +optional
	// +kubebuilder:validation:XIntOrString
	// +kubebuilder:validation:MaxLength=32
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:Pattern=`^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)(([KMGTPE]i)|[numkMGTPE]|[eE](\+?0*([0-9]|1[0-8])|-0*[0-9]))?$`
	// +kubebuilder:validation:XValidation:rule="(self >= 1 && self <= 4294967295) || self.size() > 0",message="value must be at least 1 byte and fit within uint32"
	MaxBufferSize *ByteSize `json:"maxBufferSize,omitempty"`

	// +kubebuilder:validation:Minimum=1
	// +kubebuilder:validation:Maximum=4096
	// +optional
	HTTP1MaxHeaders *int32 `json:"http1MaxHeaders,omitempty"`
	// +kubebuilder:validation:Type=string
	// +kubebuilder:validation:MaxLength=32
	// +kubebuilder:validation:XValidation:rule="matches(self, '^([0-9]{1,5}(h|m|s|ms)){1,4}$')",message="invalid duration value"
	// +kubebuilder:validation:XValidation:rule="duration(self) >= duration('1s')",message="http1IdleTimeout must be at least 1 second"
	// +optional
	HTTP1IdleTimeout *metav1.Duration `json:"http1IdleTimeout,omitempty"`
	// +optional
	HTTP1HeaderCase *HTTPHeaderCase `json:"http1HeaderCase,omitempty"`

	// +optional
	// +kubebuilder:validation:XIntOrString
	// +kubebuilder:validation:MaxLength=32
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:Pattern=`^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)(([KMGTPE]i)|[numkMGTPE]|[eE](\+?0*([0-9]|1[0-8])|-0*[0-9]))?$`
	// +kubebuilder:validation:XValidation:rule="(self >= 1 && self <= 4294967295) || self.size() > 0",message="value must be at least 1 byte and fit within uint32"
	HTTP2WindowSize *ByteSize `json:"http2WindowSize,omitempty"`
	// +optional
	// +kubebuilder:validation:XIntOrString
	// +kubebuilder:validation:MaxLength=32
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:Pattern=`^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)(([KMGTPE]i)|[numkMGTPE]|[eE](\+?0*([0-9]|1[0-8])|-0*[0-9]))?$`
	// +kubebuilder:validation:XValidation:rule="(self >= 1 && self <= 4294967295) || self.size() > 0",message="value must be at least 1 byte and fit within uint32"
	HTTP2ConnectionWindowSize *ByteSize `json:"http2ConnectionWindowSize,omitempty"`
	// +kubebuilder:validation:XValidation:rule="!quantity(string(self)).isLessThan(quantity('16384'))",message="http2FrameSize must be at least 16384 bytes"
	// +kubebuilder:validation:XValidation:rule="!quantity(string(self)).isGreaterThan(quantity('1677215'))",message="http2FrameSize must be at most 1677215 bytes"
	// +optional
	// +kubebuilder:validation:XIntOrString
	// +kubebuilder:validation:MaxLength=32
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:Pattern=`^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)(([KMGTPE]i)|[numkMGTPE]|[eE](\+?0*([0-9]|1[0-8])|-0*[0-9]))?$`
	// +kubebuilder:validation:XValidation:rule="(self >= 1 && self <= 4294967295) || self.size() > 0",message="value must be at least 1 byte and fit within uint32"
	HTTP2FrameSize *ByteSize `json:"http2FrameSize,omitempty"`
	// +optional
	// +kubebuilder:validation:XIntOrString
	// +kubebuilder:validation:MaxLength=32
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:Pattern=`^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)(([KMGTPE]i)|[numkMGTPE]|[eE](\+?0*([0-9]|1[0-8])|-0*[0-9]))?$`
	// +kubebuilder:validation:XValidation:rule="(self >= 1 && self <= 4294967295) || self.size() > 0",message="value must be at least 1 byte and fit within uint32"
	HTTP2MaxHeaderSize *ByteSize `json:"http2MaxHeaderSize,omitempty"`
	// +kubebuilder:validation:Type=string
	// +kubebuilder:validation:MaxLength=32
	// +kubebuilder:validation:XValidation:rule="matches(self, '^([0-9]{1,5}(h|m|s|ms)){1,4}$')",message="invalid duration value"
	// +kubebuilder:validation:XValidation:rule="duration(self) >= duration('1s')",message="http2KeepaliveInterval must be at least 1 second"
	// +optional
	HTTP2KeepaliveInterval *metav1.Duration `json:"http2KeepaliveInterval,omitempty"`
	// +kubebuilder:validation:Type=string
	// +kubebuilder:validation:MaxLength=32
	// +kubebuilder:validation:XValidation:rule="matches(self, '^([0-9]{1,5}(h|m|s|ms)){1,4}$')",message="invalid duration value"
	// +kubebuilder:validation:XValidation:rule="duration(self) >= duration('1s')",message="http2KeepaliveTimeout must be at least 1 second"
	// +optional
	HTTP2KeepaliveTimeout *metav1.Duration `json:"http2KeepaliveTimeout,omitempty"`
	// +kubebuilder:validation:Type=string
	// +kubebuilder:validation:MaxLength=32
	// +kubebuilder:validation:XValidation:rule="matches(self, '^([0-9]{1,5}(h|m|s|ms)){1,4}$')",message="invalid duration value"
	// +kubebuilder:validation:XValidation:rule="duration(self) >= duration('1s')",message="maxConnectionDuration must be at least 1 second"
	// +optional
	MaxConnectionDuration *metav1.Duration `json:"maxConnectionDuration,omitempty"`
}

// FrontendTLS configures TLS on listeners.
//
// +kubebuilder:validation:XValidation:rule="[has(self.alpnProtocols),has(self.cipherSuites),has(self.handshakeTimeout),has(self.keyExchangeGroups),has(self.maxProtocolVersion),has(self.minProtocolVersion)].filter(x,x==true).size() >= 1",message="at least one of the fields in [alpnProtocols cipherSuites handshakeTimeout keyExchangeGroups maxProtocolVersion minProtocolVersion] must be set"
type FrontendTLS struct {
	// +kubebuilder:validation:Type=string
	// +kubebuilder:validation:MaxLength=32
	// +kubebuilder:validation:XValidation:rule="matches(self, '^([0-9]{1,5}(h|m|s|ms)){1,4}$')",message="invalid duration value"
	// +kubebuilder:validation:XValidation:rule="duration(self) >= duration('100ms')",message="handshakeTimeout must be at least 100ms"
	// +optional
	HandshakeTimeout *metav1.Duration `json:"handshakeTimeout,omitempty"`

	// +kubebuilder:validation:MinItems=1
	// +kubebuilder:validation:MaxItems=16
	// +optional
	AlpnProtocols *[]TinyString `json:"alpnProtocols,omitempty"`

	// +optional
	MinTLSVersion *TLSVersion `json:"minProtocolVersion,omitempty"`

	// +optional
	MaxTLSVersion *TLSVersion `json:"maxProtocolVersion,omitempty"`

	// +optional
	CipherSuites []CipherSuite `json:"cipherSuites,omitempty"`

	// +optional
	KeyExchangeGroups []KeyExchangeGroup `json:"keyExchangeGroups,omitempty"`
}

// TLSVersion is a TLS protocol version.
//
// +k8s:enum
type TLSVersion string

const (
	TLSVersion1_2 TLSVersion = "1.2"
	TLSVersion1_3 TLSVersion = "1.3"
)

// CipherSuite is a TLS cipher suite.
//
// +k8s:enum
type CipherSuite string

const (
	CipherSuiteTLS13_AES_256_GCM_SHA384                      CipherSuite = "TLS13_AES_256_GCM_SHA384"
	CipherSuiteTLS13_AES_128_GCM_SHA256                      CipherSuite = "TLS13_AES_128_GCM_SHA256"
	CipherSuiteTLS13_CHACHA20_POLY1305_SHA256                CipherSuite = "TLS13_CHACHA20_POLY1305_SHA256"
	CipherSuiteTLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384       CipherSuite = "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384"
	CipherSuiteTLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256       CipherSuite = "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256"
	CipherSuiteTLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256 CipherSuite = "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256"
	CipherSuiteTLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384         CipherSuite = "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384"
	CipherSuiteTLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256         CipherSuite = "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"
	CipherSuiteTLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256   CipherSuite = "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256"
)

// KeyExchangeGroup is a TLS key exchange group.
//
// +k8s:enum
type KeyExchangeGroup string

const (
	KeyExchangeGroupX25519         KeyExchangeGroup = "X25519"
	KeyExchangeGroupP256           KeyExchangeGroup = "P-256"
	KeyExchangeGroupP384           KeyExchangeGroup = "P-384"
	KeyExchangeGroupX25519MLKEM768 KeyExchangeGroup = "X25519_MLKEM768"
)

// FrontendTCP configures TCP on listeners.
//
// +kubebuilder:validation:XValidation:rule="[has(self.keepalive)].filter(x,x==true).size() >= 1",message="at least one of the fields in [keepalive] must be set"
type FrontendTCP struct {
	// +optional
	KeepAlive *Keepalive `json:"keepalive,omitempty"`
}

// Keepalive configures TCP keepalive.
type Keepalive struct {
	// +kubebuilder:validation:Minimum=1
	// +kubebuilder:validation:Maximum=64
	// +optional
	Retries *int32 `json:"retries,omitempty"`

	// +kubebuilder:validation:Type=string
	// +kubebuilder:validation:MaxLength=32
	// +kubebuilder:validation:XValidation:rule="matches(self, '^([0-9]{1,5}(h|m|s|ms)){1,4}$')",message="invalid duration value"
	// +kubebuilder:validation:XValidation:rule="duration(self) >= duration('1s')",message="time must be at least 1 second"
	// +optional
	Time *metav1.Duration `json:"time,omitempty"`

	// +kubebuilder:validation:Type=string
	// +kubebuilder:validation:MaxLength=32
	// +kubebuilder:validation:XValidation:rule="matches(self, '^([0-9]{1,5}(h|m|s|ms)){1,4}$')",message="invalid duration value"
	// +kubebuilder:validation:XValidation:rule="duration(self) >= duration('1s')",message="interval must be at least 1 second"
	// +optional
	Interval *metav1.Duration `json:"interval,omitempty"`
}

// PolicyPhase is when traffic policies run: before or after routing.
//
// +k8s:enum
type PolicyPhase string

const (
	PolicyPhasePreRouting  PolicyPhase = "PreRouting"
	PolicyPhasePostRouting PolicyPhase = "PostRouting"
)

// Traffic holds the request-level policies.
//
// +kubebuilder:validation:XValidation:rule="has(self.phase) && self.phase == 'PreRouting' ? [has(self.buffer),has(self.csrf),has(self.delay),has(self.directResponse),has(self.headerModifiers),has(self.hostRewrite),has(self.rateLimit),has(self.retry),has(self.timeouts)].filter(x,x==true).size() == 0 : true",message="phase PreRouting only supports extAuth, authorization, transformation, extProc, jwtAuthentication, basicAuthentication, apiKeyAuthentication and cors"
type Traffic struct {
	// Phase says whether the policies run before or after routing.
	// +optional
	Phase *PolicyPhase `json:"phase,omitempty"`

	// Transformation rewrites requests and responses.
	// +optional
	Transformation *TransformationOrConditional `json:"transformation,omitempty"`

	// ExtProc sends requests to an external processor.
	// +optional
	ExtProc *ExtProcOrConditional `json:"extProc,omitempty"`

	// ExtAuth asks an external service to authorise requests.
	// +optional
	ExtAuth *ExtAuthOrConditional `json:"extAuth,omitempty"`

	// RateLimit limits request or token rates.
	// +optional
	RateLimit *RateLimitsOrConditional `json:"rateLimit,omitempty"`

	// Cors configures CORS.
	// +optional
	Cors *CORS `json:"cors,omitempty"`

	// Csrf configures CSRF protection.
	// +optional
	Csrf *CSRF `json:"csrf,omitempty"`

	// HeaderModifiers modify request and response headers.
	// +optional
	HeaderModifiers *HeaderModifiers `json:"headerModifiers,omitempty"`

	// HostnameRewrite rewrites the Host header sent to backends.
	// +optional
	HostnameRewrite *HostnameRewrite `json:"hostRewrite,omitempty"`

	// Timeouts bound request durations.
	// +optional
	Timeouts *Timeouts `json:"timeouts,omitempty"`

	// Retry retries failed requests.
	// +optional
	Retry *Retry `json:"retry,omitempty"`

	// Authorization is a CEL authorization rule.
	// +optional
	Authorization *Authorization `json:"authorization,omitempty"`

	// JWTAuthentication validates JWTs.
	// +optional
	JWTAuthentication *JWTAuthentication `json:"jwtAuthentication,omitempty"`

	// BasicAuthentication validates HTTP basic credentials.
	// +optional
	BasicAuthentication *BasicAuthentication `json:"basicAuthentication,omitempty"`

	// APIKeyAuthentication validates API keys.
	// +optional
	APIKeyAuthentication *APIKeyAuthentication `json:"apiKeyAuthentication,omitempty"`

	// DirectResponse answers requests without a backend.
	// +optional
	DirectResponse *DirectResponseOrConditional `json:"directResponse,omitempty"`

	// Buffer buffers request and response bodies.
	// +optional
	Buffer *Buffer `json:"buffer,omitempty"`

	// Delay injects latency.
	// +optional
	Delay *Delay `json:"delay,omitempty"`
}

// DirectResponse answers requests without a backend.
//
// +kubebuilder:validation:XValidation:rule="!(has(self.body) && has(self.bodyExpression))",message="body and bodyExpression may not both be set"
type DirectResponse struct {
	// +optional
	// +kubebuilder:validation:Minimum=200
	// +kubebuilder:validation:Maximum=599
	StatusCode *int32 `json:"status,omitempty"`
	// +optional
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=4096
	Body *string `json:"body,omitempty"`

	// +optional
	BodyExpression *CELExpression `json:"bodyExpression,omitempty"`

	// +listType=map
	// +listMapKey=name
	// +kubebuilder:validation:MinItems=1
	// +kubebuilder:validation:MaxItems=16
	// +optional
	Headers []DirectResponseHeader `json:"headers,omitempty"`
}

// DirectResponseConditional is a direct response with the condition that enables it.
type DirectResponseConditional struct {
	// +optional
	Condition CELExpression `json:"condition,omitempty"`
	// +required
	// +kubebuilder:validation:XValidation:rule="has(self.status)",message="status is required"
	Policy DirectResponse `json:"policy"`
}

// DirectResponseOrConditional is a direct response or a list of conditional ones.
//
// +kubebuilder:validation:XValidation:rule="has(self.conditional) ? [has(self.body),has(self.bodyExpression),has(self.headers),has(self.status)].filter(x,x==true).size() == 0 : true",message="conditional cannot be set with any other field"
// +kubebuilder:validation:XValidation:rule="has(self.conditional) ? true : has(self.status)",message="status: Required value"
type DirectResponseOrConditional struct {
	// +optional
	DirectResponse `json:",inline"`
	// +optional
	// +kubebuilder:validation:MinItems=1
	// +kubebuilder:validation:MaxItems=16
	// +kubebuilder:validation:XValidation:message="conditional entries without condition must be last",rule="self.filter(e, !has(e.condition)).size() <= 1 && (!self.exists(e, !has(e.condition)) || !has(self[size(self) - 1].condition))"
	Conditional []DirectResponseConditional `json:"conditional,omitempty"`
}

// JWTAuthenticationMode says whether a valid JWT is required.
//
// +k8s:enum
type JWTAuthenticationMode string

const (
	JWTAuthenticationModeStrict     JWTAuthenticationMode = "Strict"
	JWTAuthenticationModeOptional   JWTAuthenticationMode = "Optional"
	JWTAuthenticationModePermissive JWTAuthenticationMode = "Permissive"
)

// AuthorizationLocationFields are the places a credential can be read from; set one.
type AuthorizationLocationFields struct {
	// +optional
	Header *AuthorizationHeaderLocation `json:"header,omitempty"`
	// +optional
	QueryParameter *AuthorizationQueryParameterLocation `json:"queryParameter,omitempty"`
	// +optional
	Cookie *AuthorizationCookieLocation `json:"cookie,omitempty"`
}

// AuthorizationLocation is where a credential is read from.
//
// +kubebuilder:validation:XValidation:rule="[has(self.header),has(self.queryParameter),has(self.cookie)].filter(x,x==true).size() == 1",message="exactly one of the fields in [header queryParameter cookie] must be set"
type AuthorizationLocation struct {
	AuthorizationLocationFields `json:",inline"`
}

// AuthorizationExtractionLocation is where a credential is read from, or a CEL expression producing it.
//
// +kubebuilder:validation:XValidation:rule="[has(self.header),has(self.queryParameter),has(self.cookie),has(self.expression)].filter(x,x==true).size() == 1",message="exactly one of the fields in [header queryParameter cookie expression] must be set"
type AuthorizationExtractionLocation struct {
	AuthorizationLocationFields `json:",inline"`

	// +optional
	Expression *CELExpression `json:"expression,omitempty"`
}

// AuthorizationHeaderLocation reads a credential from a header.
type AuthorizationHeaderLocation struct {
	// +required
	Name gwv1.HTTPHeaderName `json:"name"`
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=256
	// +optional
	Prefix *string `json:"prefix,omitempty"`
}

// AuthorizationQueryParameterLocation reads a credential from a query parameter.
type AuthorizationQueryParameterLocation struct {
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=256
	// +required
	Name string `json:"name"`
}

// AuthorizationCookieLocation reads a credential from a cookie.
type AuthorizationCookieLocation struct {
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=256
	// +required
	Name string `json:"name"`
}

// JWTAuthentication validates JWTs on requests.
//
// +kubebuilder:validation:XValidation:rule="!has(self.mcp) || size(self.providers) == 1",message="jwtAuthentication.mcp requires exactly one provider"
// +kubebuilder:validation:XValidation:rule="!has(self.mcp) || !has(self.mode) || self.mode == 'Strict'",message="jwtAuthentication.mcp requires mode Strict"
type JWTAuthentication struct {
	// +kubebuilder:default=Strict
	// +optional
	Mode JWTAuthenticationMode `json:"mode,omitempty"`

	// +kubebuilder:validation:MinItems=1
	// +kubebuilder:validation:MaxItems=64
	// +required
	Providers []JWTProvider `json:"providers"`

	// +optional
	Location *AuthorizationExtractionLocation `json:"location,omitempty"`

	// +optional
	MCP *JWTMCPConfig `json:"mcp,omitempty"`
}

// JWTProvider is one issuer of accepted JWTs.
type JWTProvider struct {
	// +required
	Issuer ShortString `json:"issuer"`
	// +kubebuilder:validation:MinItems=1
	// +kubebuilder:validation:MaxItems=64
	// +optional
	Audiences []string `json:"audiences,omitempty"`
	// +required
	JWKS JWKS `json:"jwks"`
}

// JWTMCPConfig adds MCP authorization metadata to JWT authentication.
type JWTMCPConfig struct {
	// +optional
	ResourceMetadata map[string]apiextensionsv1.JSON `json:"resourceMetadata,omitempty"`

	// +optional
	Provider *McpIDP `json:"provider,omitempty"`

	// +optional
	ClientID *string `json:"clientId,omitempty"`
}

// JWKS is where a provider's signing keys come from.
//
// +kubebuilder:validation:XValidation:rule="[has(self.remote),has(self.inline)].filter(x,x==true).size() == 1",message="exactly one of the fields in [remote inline] must be set"
type JWKS struct {
	// +optional
	Remote *RemoteJWKS `json:"remote,omitempty"`
	// +kubebuilder:validation:MinLength=2
	// +kubebuilder:validation:MaxLength=65536
	// +optional
	Inline *string `json:"inline,omitempty"`
}

// RemoteJWKS fetches signing keys from a URL or backend.
type RemoteJWKS struct {
	// +required
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=2000
	JwksPath string `json:"jwksPath"`
	// +optional
	// +kubebuilder:validation:Type=string
	// +kubebuilder:validation:MaxLength=32
	// +kubebuilder:validation:XValidation:rule="matches(self, '^([0-9]{1,5}(h|m|s|ms)){1,4}$')",message="invalid duration value"
	// +kubebuilder:validation:XValidation:rule="duration(self) >= duration('5m')",message="cacheDuration must be at least 5m."
	// +kubebuilder:default="5m"
	CacheDuration *metav1.Duration `json:"cacheDuration,omitempty"`
	// +required
	BackendRef gwv1.BackendObjectReference `json:"backendRef"`
}

// BasicAuthenticationMode says whether basic credentials are required.
//
// +k8s:enum
type BasicAuthenticationMode string

const (
	BasicAuthenticationModeStrict   BasicAuthenticationMode = "Strict"
	BasicAuthenticationModeOptional BasicAuthenticationMode = "Optional"
)

// BasicAuthentication validates HTTP basic credentials.
//
// +kubebuilder:validation:XValidation:rule="[has(self.users),has(self.secretRef)].filter(x,x==true).size() == 1",message="exactly one of the fields in [users secretRef] must be set"
type BasicAuthentication struct {
	// +kubebuilder:default=Strict
	// +optional
	Mode BasicAuthenticationMode `json:"mode,omitempty"`

	// +optional
	Realm *string `json:"realm,omitempty"`

	// +kubebuilder:validation:MinItems=1
	// +kubebuilder:validation:MaxItems=256
	// +optional
	Users []string `json:"users,omitempty"`

	// +optional
	SecretRef *LocalSecretKeyRef `json:"secretRef,omitempty"`

	// +optional
	Location *AuthorizationExtractionLocation `json:"location,omitempty"`
}

// APIKeyAuthenticationMode says whether an API key is required.
//
// +k8s:enum
type APIKeyAuthenticationMode string

const (
	APIKeyAuthenticationModeStrict     APIKeyAuthenticationMode = "Strict"
	APIKeyAuthenticationModeOptional   APIKeyAuthenticationMode = "Optional"
	APIKeyAuthenticationModePermissive APIKeyAuthenticationMode = "Permissive"
)

// APIKeyAuthentication validates API keys.
//
// +kubebuilder:validation:XValidation:rule="[has(self.secretRef),has(self.secretSelector),has(self.configMapSelector)].filter(x,x==true).size() == 1",message="exactly one of the fields in [secretRef secretSelector configMapSelector] must be set"
type APIKeyAuthentication struct {
	// +kubebuilder:default=Strict
	// +optional
	Mode APIKeyAuthenticationMode `json:"mode,omitempty"`

	// +optional
	SecretRef *LocalSecretObjectRef `json:"secretRef,omitempty"`

	// +optional
	SecretSelector *SecretSelector `json:"secretSelector,omitempty"`

	// +optional
	ConfigMapSelector *ConfigMapSelector `json:"configMapSelector,omitempty"`

	// +optional
	Location *AuthorizationExtractionLocation `json:"location,omitempty"`
}

// BufferBody bounds the buffering of one message body.
type BufferBody struct {
	// +optional
	// +kubebuilder:validation:XIntOrString
	// +kubebuilder:validation:MaxLength=32
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:Pattern=`^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)(([KMGTPE]i)|[numkMGTPE]|[eE](\+?0*([0-9]|1[0-8])|-0*[0-9]))?$`
	// +kubebuilder:validation:XValidation:rule="(self >= 1 && self <= 4294967295) || self.size() > 0",message="value must be at least 1 byte and fit within uint32"
	MaxBytes *ByteSize `json:"maxBytes,omitempty"`
	// +optional
	FailureMode FailureMode `json:"failureMode,omitempty"`
}

// Buffer configures request and response body buffering.
//
// +kubebuilder:validation:XValidation:rule="[has(self.request),has(self.response)].filter(x,x==true).size() >= 1",message="at least one of the fields in [request response] must be set"
type Buffer struct {
	// +optional
	Request *BufferBody `json:"request,omitempty"`
	// +optional
	Response *BufferBody `json:"response,omitempty"`
}

// SecretSelector selects Secrets by label.
type SecretSelector struct {
	// +required
	MatchLabels map[string]string `json:"matchLabels"`
}

// ConfigMapSelector selects ConfigMaps by label.
type ConfigMapSelector struct {
	// +required
	MatchLabels map[string]string `json:"matchLabels"`
}

// HostnameRewriteMode is how the Host header is rewritten.
//
// +k8s:enum
type HostnameRewriteMode string

const (
	HostnameRewriteModeAuto HostnameRewriteMode = "Auto"
	HostnameRewriteModeNone HostnameRewriteMode = "None"
)

// BackendAuth is how agentgateway authenticates to a backend; set at most one method.
//
// +kubebuilder:validation:XValidation:rule="[has(self.key),has(self.secretRef),has(self.passthrough),has(self.aws),has(self.azure),has(self.gcp),has(self.oauthTokenExchange),has(self.crossAppAccess)].filter(x,x==true).size() <= 1",message="at most one of the fields in [key secretRef passthrough aws azure gcp oauthTokenExchange crossAppAccess] may be set"
// +kubebuilder:validation:XValidation:rule="has(self.credentials) || has(self.key) || has(self.secretRef) || has(self.passthrough) || has(self.aws) || has(self.azure) || has(self.gcp) || has(self.oauthTokenExchange) || has(self.crossAppAccess)",message="must specify credentials, or at most one of key/secretRef/passthrough/aws/azure/gcp/oauthTokenExchange/crossAppAccess (credentials may be combined with a primary auth kind)"
// +kubebuilder:validation:XValidation:rule="has(self.location) ? has(self.key) || has(self.secretRef) || has(self.passthrough) : true",message="location may only be set for key, secretRef, or passthrough auth"
type BackendAuth struct {
	// +kubebuilder:validation:MaxLength=2048
	// +optional
	InlineKey *string `json:"key,omitempty"`

	// +optional
	SecretRef *LocalSecretKeyRef `json:"secretRef,omitempty"`

	// +optional
	Passthrough *BackendAuthPassthrough `json:"passthrough,omitempty"`

	// +optional
	AWS *AwsAuth `json:"aws,omitempty"`

	// +optional
	Azure *AzureAuth `json:"azure,omitempty"`

	// +optional
	GCP *GcpAuth `json:"gcp,omitempty"`

	// +optional
	OAuthTokenExchange *OAuthTokenExchange `json:"oauthTokenExchange,omitempty"`

	// +optional
	CrossAppAccess *CrossAppAccessAuth `json:"crossAppAccess,omitempty"`

	// +optional
	Location *AuthorizationLocation `json:"location,omitempty"`

	// +optional
	// +kubebuilder:validation:MinItems=1
	// +kubebuilder:validation:MaxItems=8
	// +listType=atomic
	Credentials []BackendAuthCredential `json:"credentials,omitempty"`
}

// BackendAuthCredential is a credential given inline or from a Secret.
type BackendAuthCredential struct {
	// +required
	Location AuthorizationLocation `json:"location"`

	// +required
	SecretRef LocalSecretKeyRef `json:"secretRef"`
}

// OpenAIModerationAuth authenticates to the OpenAI moderation endpoint.
//
// +kubebuilder:validation:XValidation:rule="[has(self.key),has(self.secretRef)].filter(x,x==true).size() == 1",message="exactly one of the fields in [key secretRef] must be set"
type OpenAIModerationAuth struct {
	// +kubebuilder:validation:MaxLength=2048
	// +optional
	InlineKey *string `json:"key,omitempty"`

	// +optional
	SecretRef *LocalSecretKeyRef `json:"secretRef,omitempty"`

	// +optional
	Location *AuthorizationLocation `json:"location,omitempty"`
}

// BedrockGuardrailsAuth authenticates to AWS Bedrock guardrails.
//
// +kubebuilder:validation:XValidation:rule="[has(self.key),has(self.secretRef),has(self.aws)].filter(x,x==true).size() == 1",message="exactly one of the fields in [key secretRef aws] must be set"
// +kubebuilder:validation:XValidation:rule="has(self.location) ? has(self.key) || has(self.secretRef) : true",message="location may only be set for key or secretRef auth"
type BedrockGuardrailsAuth struct {
	// +optional
	AWS *AwsAuth `json:"aws,omitempty"`

	// +kubebuilder:validation:MaxLength=2048
	// +optional
	InlineKey *string `json:"key,omitempty"`

	// +optional
	SecretRef *LocalSecretKeyRef `json:"secretRef,omitempty"`

	// +optional
	Location *AuthorizationLocation `json:"location,omitempty"`
}

// GoogleModelArmorAuth authenticates to Google Model Armor.
//
// +kubebuilder:validation:XValidation:rule="[has(self.gcp)].filter(x,x==true).size() == 1",message="exactly one of the fields in [gcp] must be set"
type GoogleModelArmorAuth struct {
	// +optional
	GCP *GcpAuth `json:"gcp,omitempty"`
}

// CrossAppAccessAuth configures Cross App Access token exchange.
type CrossAppAccessAuth struct {
	// +required
	IdentityProvider CrossAppAccessEndpoint `json:"identityProvider"`

	// +required
	ResourceAuthorizationServer CrossAppAccessEndpoint `json:"resourceAuthorizationServer"`

	// +required
	Audience ShortString `json:"audience"`

	// +kubebuilder:validation:MinItems=1
	// +kubebuilder:validation:MaxItems=64
	// +optional
	Resources []string `json:"resources,omitempty"`

	// +kubebuilder:validation:MinItems=1
	// +kubebuilder:validation:MaxItems=64
	// +optional
	Scopes []string `json:"scopes,omitempty"`

	// +optional
	SubjectToken *CrossAppAccessSubjectToken `json:"subjectToken,omitempty"`

	// +optional
	Cache *OAuthTokenCache `json:"cache,omitempty"`
}

// CrossAppAccessSubjectToken is where the subject token for Cross App Access comes from.
type CrossAppAccessSubjectToken struct {
	// +optional
	Source *AuthorizationExtractionLocation `json:"source,omitempty"`
}

// CrossAppAccessEndpoint is a token endpoint used by Cross App Access.
type CrossAppAccessEndpoint struct {
	// +required
	BackendRef gwv1.BackendObjectReference `json:"backendRef"`

	// +kubebuilder:validation:Pattern=`^/`
	// +optional
	Path *string `json:"path,omitempty"`

	// +required
	ClientAuth OAuthClientAuth `json:"clientAuth"`
}

// OAuthTokenExchange exchanges the client's token for one the backend accepts.
//
// +kubebuilder:validation:XValidation:rule="!(has(self.actorToken) && has(self.grantType) && self.grantType == 'JwtBearer')",message="actorToken is only valid with TokenExchange grantType"
// +kubebuilder:validation:XValidation:rule="!(has(self.requestedTokenType) && has(self.grantType) && self.grantType == 'JwtBearer')",message="requestedTokenType is only valid with TokenExchange grantType"
// +kubebuilder:validation:XValidation:rule="!has(self.requestedTokenType) || self.requestedTokenType != 'IdJag'",message="requestedTokenType IdJag is only supported by crossAppAccess"
type OAuthTokenExchange struct {
	// +required
	BackendRef gwv1.BackendObjectReference `json:"backendRef"`

	// +kubebuilder:validation:Pattern=`^/`
	// +optional
	Path *string `json:"path,omitempty"`

	// +optional
	GrantType *OAuthGrantType `json:"grantType,omitempty"`

	// +optional
	SubjectToken *OAuthTokenSpec `json:"subjectToken,omitempty"`

	// +optional
	ActorToken *OAuthActorToken `json:"actorToken,omitempty"`

	// +kubebuilder:validation:MinItems=1
	// +kubebuilder:validation:MaxItems=64
	// +optional
	Audiences []ShortString `json:"audiences,omitempty"`

	// +kubebuilder:validation:MinItems=1
	// +kubebuilder:validation:MaxItems=64
	// +optional
	Scopes []string `json:"scopes,omitempty"`

	// +kubebuilder:validation:MinItems=1
	// +kubebuilder:validation:MaxItems=64
	// +optional
	Resources []string `json:"resources,omitempty"`

	// +kubebuilder:validation:Enum=AccessToken;Jwt;IdToken;IdJag
	// +optional
	RequestedTokenType *OAuthTokenType `json:"requestedTokenType,omitempty"`

	// +kubebuilder:validation:MaxProperties=64
	// +optional
	AdditionalParams map[string]CELExpression `json:"additionalParams,omitempty"`

	// +optional
	ClientAuth *OAuthClientAuth `json:"clientAuth,omitempty"`

	// +optional
	Location *AuthorizationLocation `json:"location,omitempty"`

	// +optional
	Cache *OAuthTokenCache `json:"cache,omitempty"`
}

// OAuthGrantType is an OAuth grant type.
//
// +k8s:enum
type OAuthGrantType string

const (
	OAuthGrantTypeTokenExchange OAuthGrantType = "TokenExchange"
	OAuthGrantTypeJwtBearer     OAuthGrantType = "JwtBearer"
)

// OAuthTokenSpec describes a token used in an exchange.
type OAuthTokenSpec struct {
	// +optional
	Source *AuthorizationExtractionLocation `json:"source,omitempty"`

	// +optional
	TokenType *OAuthTokenType `json:"tokenType,omitempty"`
}

// OAuthActorToken is the actor token of a token exchange.
//
// +kubebuilder:validation:XValidation:rule="!has(self.mayAct) || self.mayAct != 'Required' || (has(self.tokenType) && self.tokenType == 'Jwt')",message="mayAct Required requires tokenType Jwt"
type OAuthActorToken struct {
	// +required
	Source AuthorizationExtractionLocation `json:"source"`

	// +optional
	TokenType *OAuthTokenType `json:"tokenType,omitempty"`

	// +optional
	MayAct *OAuthMayActValidationMode `json:"mayAct,omitempty"`
}

// OAuthTokenType is an OAuth token type.
type OAuthTokenType string

const (
	OAuthTokenTypeAccessToken OAuthTokenType = "AccessToken"
	OAuthTokenTypeJWT         OAuthTokenType = "Jwt"
	OAuthTokenTypeIDToken     OAuthTokenType = "IdToken"
	OAuthTokenTypeIDJAG       OAuthTokenType = "IdJag"
)

// OAuthMayActValidationMode says how the may_act claim is checked.
//
// +k8s:enum
type OAuthMayActValidationMode string

const (
	OAuthMayActValidationModeRequired OAuthMayActValidationMode = "Required"
)

// OAuthClientAuthMethod is how the client authenticates to the token endpoint.
//
// +k8s:enum
type OAuthClientAuthMethod string

const (
	OAuthClientAuthMethodClientSecretBasic OAuthClientAuthMethod = "ClientSecretBasic"
	OAuthClientAuthMethodClientSecretPost  OAuthClientAuthMethod = "ClientSecretPost"
	OAuthClientAuthMethodPrivateKeyJWT     OAuthClientAuthMethod = "PrivateKeyJwt"
)

// OAuthClientAuth is the client's credentials for the token endpoint.
//
// +kubebuilder:validation:XValidation:rule="has(self.privateKeyJwt) == (has(self.method) && self.method == 'PrivateKeyJwt')",message="privateKeyJwt settings require method PrivateKeyJwt"
// +kubebuilder:validation:XValidation:rule="!has(self.secretRef) || !has(self.method) || self.method != 'PrivateKeyJwt'",message="secretRef is not valid with method PrivateKeyJwt"
// +kubebuilder:validation:XValidation:rule="has(self.secretRef) || has(self.privateKeyJwt) || (has(self.method) && self.method == 'ClientSecretPost')",message="clientAuth without secretRef requires method ClientSecretPost or PrivateKeyJwt"
type OAuthClientAuth struct {
	// +kubebuilder:validation:MinLength=1
	// +required
	ClientID string `json:"clientId"`

	// +optional
	SecretRef *LocalSecretKeyRef `json:"secretRef,omitempty"`

	// +optional
	PrivateKeyJWT *OAuthPrivateKeyJWT `json:"privateKeyJwt,omitempty"`

	// +optional
	Method *OAuthClientAuthMethod `json:"method,omitempty"`
}

// OAuthPrivateKeyJWT authenticates the client with a signed JWT.
//
// +kubebuilder:validation:XValidation:rule="has(self.certificateRef) == has(self.certificateHeader)",message="certificateRef and certificateHeader must be set together"
type OAuthPrivateKeyJWT struct {
	// +required
	SigningKeyRef LocalSecretKeyRef `json:"signingKeyRef"`

	// +optional
	CertificateRef *LocalSecretKeyRef `json:"certificateRef,omitempty"`

	// +optional
	CertificateHeader *OAuthPrivateKeyJWTCertificateHeader `json:"certificateHeader,omitempty"`

	// +optional
	Alg *OAuthPrivateKeyJWTSigningAlgorithm `json:"alg,omitempty"`

	// +optional
	KeyID *string `json:"kid,omitempty"`

	// +kubebuilder:validation:MinLength=1
	// +required
	AssertionAudience string `json:"assertionAudience"`
}

// OAuthPrivateKeyJWTCertificateHeader is the JWT header that carries the certificate.
//
// +k8s:enum
type OAuthPrivateKeyJWTCertificateHeader string

const (
	OAuthPrivateKeyJWTCertificateHeaderX5C     OAuthPrivateKeyJWTCertificateHeader = "x5c"
	OAuthPrivateKeyJWTCertificateHeaderX5TS256 OAuthPrivateKeyJWTCertificateHeader = "x5t#S256"
)

// OAuthPrivateKeyJWTSigningAlgorithm is the signing algorithm of the client JWT.
//
// +k8s:enum
type OAuthPrivateKeyJWTSigningAlgorithm string

const (
	OAuthPrivateKeyJWTSigningAlgorithmRS256 OAuthPrivateKeyJWTSigningAlgorithm = "RS256"
	OAuthPrivateKeyJWTSigningAlgorithmRS384 OAuthPrivateKeyJWTSigningAlgorithm = "RS384"
	OAuthPrivateKeyJWTSigningAlgorithmRS512 OAuthPrivateKeyJWTSigningAlgorithm = "RS512"
	OAuthPrivateKeyJWTSigningAlgorithmPS256 OAuthPrivateKeyJWTSigningAlgorithm = "PS256"
	OAuthPrivateKeyJWTSigningAlgorithmES256 OAuthPrivateKeyJWTSigningAlgorithm = "ES256"
	OAuthPrivateKeyJWTSigningAlgorithmES384 OAuthPrivateKeyJWTSigningAlgorithm = "ES384"
)

// OAuthTokenCache configures caching of exchanged tokens.
type OAuthTokenCache struct {
	// +optional
	InMemory *OAuthInMemoryTokenCache `json:"inMemory,omitempty"`
}

// OAuthInMemoryTokenCache bounds the in-memory token cache.
type OAuthInMemoryTokenCache struct {
	// +optional
	MaxEntries *uint32 `json:"maxEntries,omitempty"`

	// +optional
	DefaultTTL *metav1.Duration `json:"defaultTtl,omitempty"`
}

// GcpAuthType is the kind of Google token.
//
// +k8s:enum
type GcpAuthType string

const (
	GcpAuthTypeAccessToken GcpAuthType = "AccessToken"
	GcpAuthTypeIdToken     GcpAuthType = "IdToken"
)

// GcpAuth authenticates with Google credentials.
//
// +kubebuilder:validation:XValidation:rule="has(self.audience) ? self.type == 'IdToken' : true",message="audience is only valid with IdToken"
type GcpAuth struct {
	// +optional
	Type *GcpAuthType `json:"type,omitempty"`
	// +optional
	SecretRef *LocalSecretKeyRef `json:"secretRef,omitempty"`
	// +optional
	Audience *ShortString `json:"audience,omitempty"`
}

// AwsAuth authenticates with AWS credentials.
//
// +kubebuilder:validation:XValidation:rule="!(has(self.secretRef) && has(self.assumeRole))",message="secretRef and assumeRole are mutually exclusive"
type AwsAuth struct {
	// +optional
	SecretRef *LocalSecretObjectRef `json:"secretRef,omitempty"`

	// +optional
	AssumeRole *AwsAssumeRole `json:"assumeRole,omitempty"`

	// +optional
	ServiceName *ShortString `json:"serviceName,omitempty"`

	// +optional
	Region *ShortString `json:"region,omitempty"`
}

// AwsAssumeRole assumes an AWS IAM role.
//
// +kubebuilder:validation:XValidation:rule="[has(self.sessionName),has(self.sessionNameExpression)].filter(x,x==true).size() <= 1",message="at most one of the fields in [sessionName sessionNameExpression] may be set"
type AwsAssumeRole struct {
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:Pattern="^arn:aws[a-z-]*:iam::[0-9]{12}:role/.+$"
	// +required
	RoleArn string `json:"roleArn"`

	// +optional
	// +kubebuilder:validation:Pattern="^[\\w+=,.@-]{2,64}$"
	SessionName *string `json:"sessionName,omitempty"`

	// +optional
	SessionNameExpression *CELExpression `json:"sessionNameExpression,omitempty"`

	// +optional
	// +listType=map
	// +listMapKey=key
	// +kubebuilder:validation:MaxItems=50
	Tags []AwsSessionTag `json:"tags,omitempty"`
}

// AwsSessionTag is a tag added to an assumed-role session.
//
// +kubebuilder:validation:XValidation:rule="has(self.value) != has(self.expression)",message="exactly one of value or expression must be set"
type AwsSessionTag struct {
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=128
	// +required
	Key string `json:"key"`

	// +optional
	// +kubebuilder:validation:MaxLength=256
	Value *string `json:"value,omitempty"`

	// +optional
	Expression *CELExpression `json:"expression,omitempty"`
}

// AzureAuth authenticates with Azure credentials.
//
// +kubebuilder:validation:XValidation:rule="[has(self.secretRef),has(self.managedIdentity),has(self.workloadIdentity)].filter(x,x==true).size() <= 1",message="at most one of the fields in [secretRef managedIdentity workloadIdentity] may be set"
type AzureAuth struct {
	// +optional
	SecretRef *LocalSecretObjectRef `json:"secretRef,omitempty"`

	// +optional
	ManagedIdentity *AzureManagedIdentity `json:"managedIdentity,omitempty"`

	// +optional
	WorkloadIdentity *AzureWorkloadIdentity `json:"workloadIdentity,omitempty"`
}

// AzureManagedIdentity selects an Azure managed identity.
type AzureManagedIdentity struct {
	// +required
	ClientID string `json:"clientId"`
	// +required
	ObjectID string `json:"objectId"`
	// +required
	ResourceID string `json:"resourceId"`
}

// AzureWorkloadIdentity uses Azure workload identity.
type AzureWorkloadIdentity struct {
}

// BackendAuthPassthrough forwards the client's credential unchanged.
type BackendAuthPassthrough struct {
}

// BackendAI holds the AI policies of an LLM backend.
//
// +kubebuilder:validation:XValidation:rule="[has(self.defaults),has(self.modelAliases),has(self.overrides),has(self.prompt),has(self.promptCaching),has(self.promptGuard),has(self.routes),has(self.transformations)].filter(x,x==true).size() >= 1",message="at least one of the fields in [defaults modelAliases overrides prompt promptCaching promptGuard routes transformations] must be set"
type BackendAI struct {
	// PromptEnrichment adds messages to prompts.
	// +optional
	PromptEnrichment *AIPromptEnrichment `json:"prompt,omitempty"`

	// PromptGuard guards requests and responses.
	// +optional
	PromptGuard *AIPromptGuard `json:"promptGuard,omitempty"`

	// Defaults set request fields the client left unset.
	// +kubebuilder:validation:MinItems=1
	// +kubebuilder:validation:MaxItems=64
	// +optional
	Defaults []FieldDefault `json:"defaults,omitempty"`
	// Overrides set request fields, replacing the client's values.
	// +kubebuilder:validation:MinItems=1
	// +kubebuilder:validation:MaxItems=64
	// +optional
	Overrides []FieldDefault `json:"overrides,omitempty"`
	// Transformations set request fields from CEL expressions.
	// +kubebuilder:validation:MinItems=1
	// +kubebuilder:validation:MaxItems=64
	// +optional
	Transformations []FieldTransformation `json:"transformations,omitempty"`

	// ModelAliases map model names clients use to provider model names.
	// +kubebuilder:validation:MaxProperties=64
	// +optional
	ModelAliases map[string]string `json:"modelAliases,omitempty"`

	// PromptCaching configures prompt caching.
	// +optional
	PromptCaching *PromptCachingConfig `json:"promptCaching,omitempty"`

	// Routes map path suffixes to the kind of LLM API they serve.
	// +optional
	Routes map[string]RouteType `json:"routes,omitempty"`
}

// RouteType is the kind of LLM API a path serves.
//
// +k8s:enum
type RouteType string

const (
	RouteTypeCompletions         RouteType = "Completions"
	RouteTypeMessages            RouteType = "Messages"
	RouteTypeModels              RouteType = "Models"
	RouteTypePassthrough         RouteType = "Passthrough"
	RouteTypeDetect              RouteType = "Detect"
	RouteTypeResponses           RouteType = "Responses"
	RouteTypeAnthropicTokenCount RouteType = "AnthropicTokenCount"
	RouteTypeEmbeddings          RouteType = "Embeddings"
	RouteTypeRealtime            RouteType = "Realtime"
	RouteTypeRerank              RouteType = "Rerank"
)

// BackendMCP holds the MCP policies of an MCP backend.
//
// +kubebuilder:validation:XValidation:rule="[has(self.authentication),has(self.authorization),has(self.guardrails)].filter(x,x==true).size() >= 1",message="at least one of the fields in [authentication authorization guardrails] must be set"
type BackendMCP struct {
	// +optional
	Authorization *Authorization `json:"authorization,omitempty"`
	// +optional
	Authentication *MCPAuthentication `json:"authentication,omitempty"`

	// +optional
	Guardrails *MCPGuardrails `json:"guardrails,omitempty"`
}

// MCPMethodPhase is when an MCP guardrail processor runs.
//
// +k8s:enum
type MCPMethodPhase string

const (
	MCPMethodPhaseOff      MCPMethodPhase = "Off"
	MCPMethodPhaseRequest  MCPMethodPhase = "Request"
	MCPMethodPhaseResponse MCPMethodPhase = "Response"
	MCPMethodPhaseFull     MCPMethodPhase = "Full"
)

// MCPGuardrails is an ordered chain of MCP guardrail processors.
type MCPGuardrails struct {
	// +required
	// +kubebuilder:validation:MinItems=1
	// +kubebuilder:validation:MaxItems=16
	Processors []MCPGuardrailsProcessor `json:"processors"`
}

// MCPGuardrailsProcessor is one MCP guardrail processor.
//
// +kubebuilder:validation:XValidation:rule="[has(self.remote)].filter(x,x==true).size() == 1",message="exactly one of the fields in [remote] must be set"
type MCPGuardrailsProcessor struct {
	// +optional
	Remote *MCPGuardrailsRemote `json:"remote,omitempty"`

	// +required
	// +kubebuilder:validation:MinProperties=1
	// +kubebuilder:validation:MaxProperties=64
	// +kubebuilder:validation:XValidation:rule="self.all(k, !k.contains('*') || (k.indexOf('*') == k.lastIndexOf('*') && (k.indexOf('*') == 0 || k.indexOf('*') == size(k) - 1)))",message="method wildcards must be '*', a prefix like 'tools/*', or a suffix like '*/list'"
	Methods map[string]MCPMethodPhase `json:"methods"`
}

// MCPGuardrailsRemote is a remote MCP guardrail service.
type MCPGuardrailsRemote struct {
	// +required
	BackendRef gwv1.BackendObjectReference `json:"backendRef"`

	// +optional
	FailureMode FailureMode `json:"failureMode,omitempty"`

	// +optional
	// +kubebuilder:validation:MaxProperties=64
	Metadata map[string]CELExpression `json:"metadata,omitempty"`

	// +optional
	// +listType=set
	// +kubebuilder:validation:MaxItems=64
	AllowedRequestHeaders []HeaderName `json:"allowedRequestHeaders,omitempty"`

	// +optional
	// +listType=set
	// +kubebuilder:validation:MaxItems=64
	DisallowedRequestHeaders []HeaderName `json:"disallowedRequestHeaders,omitempty"`
}

// MCPAuthentication configures MCP authentication.
type MCPAuthentication struct {
	// +optional
	ResourceMetadata map[string]apiextensionsv1.JSON `json:"resourceMetadata"`

	// +optional
	McpIDP *McpIDP `json:"provider,omitempty"`

	// +optional
	Issuer ShortString `json:"issuer,omitempty"`

	// +kubebuilder:validation:MinItems=1
	// +kubebuilder:validation:MaxItems=64
	// +optional
	Audiences []string `json:"audiences,omitempty"`

	// +required
	JWKS RemoteJWKS `json:"jwks"`

	// +kubebuilder:default=Strict
	// +optional
	Mode JWTAuthenticationMode `json:"mode,omitempty"`

	// +optional
	ClientID *string `json:"clientId,omitempty"`

	// +optional
	ClientSecretRef *LocalSecretKeyRef `json:"clientSecretRef,omitempty"`
}

// McpIDP is an identity provider with MCP-specific handling.
//
// +k8s:enum
type McpIDP string

const (
	Auth0     McpIDP = "Auth0"
	Keycloak  McpIDP = "Keycloak"
	Okta      McpIDP = "Okta"
	Descope   McpIDP = "Descope"
	Authentik McpIDP = "Authentik"
	Entra     McpIDP = "Entra"
)

// BackendTunnel sends backend traffic through a proxy.
type BackendTunnel struct {
	// +required
	BackendRef gwv1.BackendObjectReference `json:"backendRef"`
}

// BackendHTTP configures HTTP to a backend.
type BackendHTTP struct {
	// +optional
	Version *HTTPVersion `json:"version,omitempty"`

	// +kubebuilder:validation:Type=string
	// +kubebuilder:validation:MaxLength=32
	// +kubebuilder:validation:XValidation:rule="matches(self, '^([0-9]{1,5}(h|m|s|ms)){1,4}$')",message="invalid duration value"
	// +kubebuilder:validation:XValidation:rule="duration(self) >= duration('1ms')",message="requestTimeout must be at least 1ms"
	// +optional
	RequestTimeout *metav1.Duration `json:"requestTimeout,omitempty"`
}

// HTTPVersion is an HTTP version.
//
// +k8s:enum
type HTTPVersion string

const (
	HTTPVersion1 HTTPVersion = "HTTP1"
	HTTPVersion2 HTTPVersion = "HTTP2"
)

// BackendTCP configures TCP to a backend.
type BackendTCP struct {
	// +optional
	Keepalive *Keepalive `json:"keepalive,omitempty"`
	// +kubebuilder:validation:Type=string
	// +kubebuilder:validation:MaxLength=32
	// +kubebuilder:validation:XValidation:rule="matches(self, '^([0-9]{1,5}(h|m|s|ms)){1,4}$')",message="invalid duration value"
	// +kubebuilder:validation:XValidation:rule="duration(self) >= duration('100ms')",message="connectTimeout must be at least 100ms"
	// +optional
	ConnectTimeout *metav1.Duration `json:"connectTimeout,omitempty"`
}

// Transformation rewrites requests and responses.
//
// +kubebuilder:validation:XValidation:rule="[has(self.request),has(self.response)].filter(x,x==true).size() >= 1",message="at least one of the fields in [request response] must be set"
type Transformation struct {
	// +optional
	Request *Transform `json:"request,omitempty"`

	// +optional
	Response *Transform `json:"response,omitempty"`
}

// TransformationConditional is a transformation with the condition that enables it.
type TransformationConditional struct {
	// +optional
	Condition CELExpression `json:"condition,omitempty"`
	// +required
	Policy Transformation `json:"policy"`
}

// TransformationOrConditional is a transformation or a list of conditional ones.
//
// +kubebuilder:validation:XValidation:rule="has(self.conditional) ? [has(self.request),has(self.response)].filter(x,x==true).size() == 0 : true",message="conditional cannot be set with any other field"
// +kubebuilder:validation:XValidation:rule="[has(self.conditional),has(self.request),has(self.response)].filter(x,x==true).size() >= 1",message="at least one of the fields in [conditional request response] must be set"
type TransformationOrConditional struct {
	// +optional
	Request *Transform `json:"request,omitempty"`

	// +optional
	Response *Transform `json:"response,omitempty"`

	// +optional
	// +kubebuilder:validation:MinItems=1
	// +kubebuilder:validation:MaxItems=16
	// +kubebuilder:validation:XValidation:message="conditional entries without condition must be last",rule="self.filter(e, !has(e.condition)).size() <= 1 && (!self.exists(e, !has(e.condition)) || !has(self[size(self) - 1].condition))"
	Conditional []TransformationConditional `json:"conditional,omitempty"`
}

// Transform sets, adds or removes headers and sets the body.
//
// +kubebuilder:validation:XValidation:rule="[has(self.add),has(self.body),has(self.metadata),has(self.remove),has(self.set)].filter(x,x==true).size() >= 1",message="at least one of the fields in [add body metadata remove set] must be set"
type Transform struct {
	// +listType=map
	// +listMapKey=name
	// +kubebuilder:validation:MinItems=1
	// +kubebuilder:validation:MaxItems=16
	// +optional
	Set []HeaderTransformation `json:"set,omitempty"`

	// +listType=map
	// +listMapKey=name
	// +kubebuilder:validation:MinItems=1
	// +kubebuilder:validation:MaxItems=16
	// +optional
	Add []HeaderTransformation `json:"add,omitempty"`

	// +listType=set
	// +kubebuilder:validation:MinItems=1
	// +kubebuilder:validation:MaxItems=16
	// +optional
	Remove []HeaderName `json:"remove,omitempty"`

	// +optional
	Body *CELExpression `json:"body,omitempty"`

	// +kubebuilder:validation:MinProperties=1
	// +kubebuilder:validation:MaxProperties=16
	// +optional
	Metadata map[string]CELExpression `json:"metadata,omitempty"`
}

// HeaderName is an HTTP header name.
//
// +kubebuilder:validation:MinLength=1
// +kubebuilder:validation:MaxLength=256
// +kubebuilder:validation:Pattern=`^:?[A-Za-z0-9!#$%&'*+\-.^_\x60|~]+$`
// +kubebuilder:validation:XValidation:rule="!self.startsWith(':') || self in [':authority', ':method', ':path', ':scheme', ':status']",message="pseudo-headers must be one of :authority, :method, :path, :scheme, or :status"
type HeaderName string

// HTTPHeaderName is an HTTP header name.
//
// +kubebuilder:validation:MinLength=1
// +kubebuilder:validation:MaxLength=256
// +kubebuilder:validation:Pattern=`^[A-Za-z0-9!#$%&'*+\-.^_\x60|~]+$`
type HTTPHeaderName string

// DirectResponseHeader is a header of a direct response.
type DirectResponseHeader struct {
	// +required
	Name HTTPHeaderName `json:"name"`
	// +required
	Value CELExpression `json:"value"`
}

// HeaderTransformation sets a header to the value of a CEL expression.
type HeaderTransformation struct {
	// +required
	Name HeaderName `json:"name"`
	// +required
	Value CELExpression `json:"value"`
}

// BodySendMode is how a body is sent to the external processor.
//
// +k8s:enum
type BodySendMode string

const (
	BodySendModeNone               BodySendMode = "None"
	BodySendModeBuffered           BodySendMode = "Buffered"
	BodySendModeBufferedPartial    BodySendMode = "BufferedPartial"
	BodySendModeFullDuplexStreamed BodySendMode = "FullDuplexStreamed"
)

// HeaderSendMode says whether headers are sent to the external processor.
//
// +k8s:enum
type HeaderSendMode string

const (
	HeaderSendModeSend HeaderSendMode = "Send"
	HeaderSendModeSkip HeaderSendMode = "Skip"
)

// TrailerSendMode says whether trailers are sent to the external processor.
//
// +k8s:enum
type TrailerSendMode string

const (
	TrailerSendModeSkip TrailerSendMode = "Skip"
	TrailerSendModeSend TrailerSendMode = "Send"
)

// ProcessingOptions says which parts of a message go to the external processor.
type ProcessingOptions struct {
	// +optional
	// +kubebuilder:default=FullDuplexStreamed
	RequestBodyMode *BodySendMode `json:"requestBodyMode,omitempty"`

	// +optional
	// +kubebuilder:default=FullDuplexStreamed
	ResponseBodyMode *BodySendMode `json:"responseBodyMode,omitempty"`

	// +optional
	// +kubebuilder:default=Send
	RequestHeaderMode *HeaderSendMode `json:"requestHeaderMode,omitempty"`

	// +optional
	// +kubebuilder:default=Send
	ResponseHeaderMode *HeaderSendMode `json:"responseHeaderMode,omitempty"`

	// +optional
	// +kubebuilder:default=Send
	RequestTrailerMode *TrailerSendMode `json:"requestTrailerMode,omitempty"`

	// +optional
	// +kubebuilder:default=Send
	ResponseTrailerMode *TrailerSendMode `json:"responseTrailerMode,omitempty"`

	// +optional
	// +kubebuilder:default=false
	AllowModeOverride bool `json:"allowModeOverride,omitempty"`
}

// NamespacedMetadataContext maps metadata keys to CEL expressions.
type NamespacedMetadataContext map[string]CELExpression

// ExtProc sends requests to an external processing server.
type ExtProc struct {
	// +optional
	BackendRef *gwv1.BackendObjectReference `json:"backendRef,omitempty"`

	// +optional
	FailureMode FailureMode `json:"failureMode,omitempty"`

	// +optional
	ProcessingOptions *ProcessingOptions `json:"processingOptions,omitempty"`

	// +optional
	// +kubebuilder:validation:MaxProperties=64
	MetadataContext map[string]NamespacedMetadataContext `json:"metadataContext,omitempty"`

	// +optional
	// +kubebuilder:validation:MaxProperties=64
	RequestAttributes map[string]CELExpression `json:"requestAttributes,omitempty"`

	// +optional
	// +kubebuilder:validation:MaxProperties=64
	ResponseAttributes map[string]CELExpression `json:"responseAttributes,omitempty"`
}

// ExtProcConditional is an external processor with the condition that enables it.
type ExtProcConditional struct {
	// +optional
	Condition CELExpression `json:"condition,omitempty"`
	// +required
	// +kubebuilder:validation:XValidation:rule="has(self.backendRef)",message="backendRef is required"
	Policy ExtProc `json:"policy"`
}

// ExtProcOrConditional is an external processor or a list of conditional ones.
//
// +kubebuilder:validation:XValidation:rule="has(self.conditional) ? [has(self.backendRef),has(self.failureMode),has(self.metadataContext),has(self.processingOptions),has(self.requestAttributes),has(self.responseAttributes)].filter(x,x==true).size() == 0 : true",message="conditional cannot be set with any other field"
// +kubebuilder:validation:XValidation:rule="has(self.conditional) ? true : has(self.backendRef)",message="backendRef: Required value"
type ExtProcOrConditional struct {
	// +optional
	ExtProc `json:",inline"`
	// +optional
	// +kubebuilder:validation:MinItems=1
	// +kubebuilder:validation:MaxItems=16
	// +kubebuilder:validation:XValidation:message="conditional entries without condition must be last",rule="self.filter(e, !has(e.condition)).size() <= 1 && (!self.exists(e, !has(e.condition)) || !has(self[size(self) - 1].condition))"
	Conditional []ExtProcConditional `json:"conditional,omitempty"`
}

// ExtAuthConditional is an external authorization with the condition that enables it.
type ExtAuthConditional struct {
	// +optional
	Condition CELExpression `json:"condition,omitempty"`
	// +required
	// +kubebuilder:validation:XValidation:rule="has(self.backendRef)",message="backendRef is required"
	// +kubebuilder:validation:XValidation:rule="[has(self.grpc),has(self.http)].filter(x,x==true).size() == 1",message="exactly one of the fields in [grpc http] must be set"
	Policy ExtAuth `json:"policy"`
}

// ExtAuthOrConditional is an external authorization or a list of conditional ones.
//
// +kubebuilder:validation:XValidation:rule="has(self.conditional) ? [has(self.backendRef),has(self.cache),has(self.failureMode),has(self.forwardBody),has(self.grpc),has(self.http)].filter(x,x==true).size() == 0 : true",message="conditional cannot be set with any other field"
// +kubebuilder:validation:XValidation:rule="has(self.conditional) ? true : has(self.backendRef)",message="backendRef: Required value"
// +kubebuilder:validation:XValidation:rule="has(self.conditional) || [has(self.grpc),has(self.http)].filter(x,x==true).size() == 1",message="exactly one of the fields in [grpc http] must be set"
type ExtAuthOrConditional struct {
	// +optional
	ExtAuth `json:",inline"`
	// +optional
	// +kubebuilder:validation:MinItems=1
	// +kubebuilder:validation:MaxItems=16
	// +kubebuilder:validation:XValidation:message="conditional entries without condition must be last",rule="self.filter(e, !has(e.condition)).size() <= 1 && (!self.exists(e, !has(e.condition)) || !has(self[size(self) - 1].condition))"
	Conditional []ExtAuthConditional `json:"conditional,omitempty"`
}

// ExtAuth asks an external service to authorise requests.
//
// +kubebuilder:validation:XValidation:rule="!(has(self.forwardBody) && has(self.http) && has(self.http.body))",message="forwardBody cannot be used with http.body"
type ExtAuth struct {
	// +optional
	BackendRef *gwv1.BackendObjectReference `json:"backendRef,omitempty"`

	// +optional
	FailureMode FailureMode `json:"failureMode,omitempty"`

	// +optional
	GRPC *AgentExtAuthGRPC `json:"grpc,omitempty"`

	// +optional
	HTTP *AgentExtAuthHTTP `json:"http,omitempty"`

	// +optional
	ForwardBody *ExtAuthBody `json:"forwardBody,omitempty"`

	// +optional
	Cache *ExtAuthCache `json:"cache,omitempty"`
}

// ExtAuthCache configures caching of external authorization results.
type ExtAuthCache struct {
	// +kubebuilder:validation:MinItems=1
	// +kubebuilder:validation:MaxItems=16
	// +required
	Key []CELExpression `json:"key"`

	// +required
	TTL CELExpression `json:"ttl"`

	// +kubebuilder:validation:Minimum=1
	// +optional
	MaxEntries *uint32 `json:"maxEntries,omitempty"`
}

// AgentExtAuthHTTP configures an HTTP external authorization service.
type AgentExtAuthHTTP struct {
	// +optional
	Path *CELExpression `json:"path,omitempty"`

	// +optional
	Redirect *CELExpression `json:"redirect,omitempty"`

	// +optional
	Body *CELExpression `json:"body,omitempty"`

	// +optional
	// +kubebuilder:validation:MaxItems=64
	AllowedRequestHeaders []ShortString `json:"allowedRequestHeaders,omitempty"`

	// +optional
	// +kubebuilder:validation:MaxProperties=64
	AddRequestHeaders map[string]CELExpression `json:"addRequestHeaders,omitempty"`

	// +optional
	// +kubebuilder:validation:MaxItems=64
	AllowedResponseHeaders []ShortString `json:"allowedResponseHeaders,omitempty"`

	// +optional
	// +kubebuilder:validation:MaxProperties=64
	ResponseMetadata map[string]CELExpression `json:"responseMetadata,omitempty"`
}

// AgentExtAuthGRPC configures a gRPC external authorization service.
type AgentExtAuthGRPC struct {
	// +optional
	// +kubebuilder:validation:MaxProperties=64
	ContextExtensions map[string]string `json:"contextExtensions,omitempty"`
	// +optional
	// +kubebuilder:validation:MaxProperties=64
	RequestMetadata map[string]CELExpression `json:"requestMetadata,omitempty"`
}

// ExtAuthBody says how much of the request body is sent to the external authorization service.
type ExtAuthBody struct {
	// +required
	// +kubebuilder:validation:XIntOrString
	// +kubebuilder:validation:MaxLength=32
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:Pattern=`^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)(([KMGTPE]i)|[numkMGTPE]|[eE](\+?0*([0-9]|1[0-8])|-0*[0-9]))?$`
	// +kubebuilder:validation:XValidation:rule="(self >= 1 && self <= 4294967295) || self.size() > 0",message="value must be at least 1 byte and fit within uint32"
	MaxSize ByteSize `json:"maxSize"`
}

// RateLimits configures local and global rate limits.
//
// +kubebuilder:validation:XValidation:rule="[has(self.global),has(self.local)].filter(x,x==true).size() >= 1",message="at least one of the fields in [global local] must be set"
type RateLimits struct {
	// +kubebuilder:validation:MinItems=1
	// +kubebuilder:validation:MaxItems=16
	// +optional
	Local []LocalRateLimit `json:"local,omitempty"`

	// +optional
	Global *GlobalRateLimit `json:"global,omitempty"`
}

// RateLimitsConditional is a rate limit with the condition that enables it.
type RateLimitsConditional struct {
	// +optional
	Condition CELExpression `json:"condition,omitempty"`
	// +required
	Policy RateLimits `json:"policy"`
}

// RateLimitsOrConditional is a rate limit or a list of conditional ones.
//
// +kubebuilder:validation:XValidation:rule="has(self.conditional) ? [has(self.global),has(self.local)].filter(x,x==true).size() == 0 : true",message="conditional cannot be set with any other field"
// +kubebuilder:validation:XValidation:rule="[has(self.conditional),has(self.global),has(self.local)].filter(x,x==true).size() >= 1",message="at least one of the fields in [conditional global local] must be set"
type RateLimitsOrConditional struct {
	// +kubebuilder:validation:MinItems=1
	// +kubebuilder:validation:MaxItems=16
	// +optional
	Local []LocalRateLimit `json:"local,omitempty"`

	// +optional
	Global *GlobalRateLimit `json:"global,omitempty"`

	// +optional
	// +kubebuilder:validation:MinItems=1
	// +kubebuilder:validation:MaxItems=16
	// +kubebuilder:validation:XValidation:message="conditional entries without condition must be last",rule="self.filter(e, !has(e.condition)).size() <= 1 && (!self.exists(e, !has(e.condition)) || !has(self[size(self) - 1].condition))"
	Conditional []RateLimitsConditional `json:"conditional,omitempty"`
}

// GlobalRateLimit is enforced by an external rate limit service.
type GlobalRateLimit struct {
	// +required
	BackendRef gwv1.BackendObjectReference `json:"backendRef"`

	// +optional
	FailureMode FailureMode `json:"failureMode,omitempty"`

	// +required
	Domain ShortString `json:"domain"`

	// +kubebuilder:validation:MinItems=1
	// +kubebuilder:validation:MaxItems=16
	// +required
	Descriptors []RateLimitDescriptor `json:"descriptors"`
}

// RateLimitUnit is what a global rate limit counts.
//
// +k8s:enum
type RateLimitUnit string

const (
	RateLimitUnitTokens   RateLimitUnit = "Tokens"
	RateLimitUnitRequests RateLimitUnit = "Requests"
)

// RateLimitDescriptor is one descriptor sent to the rate limit service.
type RateLimitDescriptor struct {
	// +kubebuilder:validation:MinItems=1
	// +kubebuilder:validation:MaxItems=16
	// +required
	Entries []RateLimitDescriptorEntry `json:"entries"`
	// +optional
	Unit *RateLimitUnit `json:"unit,omitempty"`
	// +optional
	Cost *CELExpression `json:"cost,omitempty"`
}

// RateLimitDescriptorEntry is one entry of a rate limit descriptor.
type RateLimitDescriptorEntry struct {
	// +required
	Name TinyString `json:"name"`
	// +required
	Expression CELExpression `json:"expression"`
}

// LocalRateLimitUnit is what a local rate limit counts.
//
// +k8s:enum
type LocalRateLimitUnit string

const (
	LocalRateLimitUnitSeconds LocalRateLimitUnit = "Seconds"
	LocalRateLimitUnitMinutes LocalRateLimitUnit = "Minutes"
	LocalRateLimitUnitHours   LocalRateLimitUnit = "Hours"
)

// LocalRateLimit is a token bucket kept by each proxy.
//
// +kubebuilder:validation:XValidation:rule="[has(self.requests),has(self.tokens)].filter(x,x==true).size() == 1",message="exactly one of the fields in [requests tokens] must be set"
type LocalRateLimit struct {
	// +kubebuilder:validation:Minimum=1
	// +optional
	Requests *int32 `json:"requests,omitempty"`

	// +kubebuilder:validation:Minimum=1
	// +optional
	Tokens *int32 `json:"tokens,omitempty"`

	// +required
	Unit LocalRateLimitUnit `json:"unit"`

	// +optional
	Burst *int32 `json:"burst,omitempty"`
}

// CORS configures cross-origin resource sharing.
type CORS struct {
	// +kubebuilder:pruning:PreserveUnknownFields
	*gwv1.HTTPCORSFilter `json:",inline"`
}

// CSRF configures cross-site request forgery protection.
type CSRF struct {
	// +kubebuilder:validation:MinItems=1
	// +kubebuilder:validation:MaxItems=16
	// +optional
	AdditionalOrigins []ShortString `json:"additionalOrigins,omitempty"`
}

// HostnameRewrite rewrites the Host header sent to backends.
type HostnameRewrite struct {
	// +required
	Mode HostnameRewriteMode `json:"mode"`
}

// Timeouts bounds request durations.
type Timeouts struct {
	// +kubebuilder:validation:Type=string
	// +kubebuilder:validation:MaxLength=32
	// +kubebuilder:validation:XValidation:rule="matches(self, '^([0-9]{1,5}(h|m|s|ms)){1,4}$')",message="invalid duration value"
	// +kubebuilder:validation:XValidation:rule="duration(self) >= duration('100ms')",message="request must be at least 1ms"
	// +optional
	Request *metav1.Duration `json:"request,omitempty"`
}

// Delay injects latency for fault testing.
type Delay struct {
	// +required
	Duration CELExpression `json:"duration"`
}

// Retry retries failed requests.
type Retry struct {
	*gwv1.HTTPRouteRetry `json:",inline"`

	// +optional
	Precondition *CELExpression `json:"precondition,omitempty"`

	// +optional
	Condition *CELExpression `json:"condition,omitempty"`
}

// AccessLog configures access logging.
type AccessLog struct {
	// +optional
	Filter *CELExpression `json:"filter,omitempty"`
	// +optional
	Attributes *LogTracingAttributes `json:"attributes,omitempty"`

	// +optional
	Otlp *OtlpAccessLog `json:"otlp,omitempty"`
}

// OtlpAccessLog exports access logs over OTLP.
//
// +kubebuilder:validation:XValidation:rule="!has(self.path) || !has(self.protocol) || self.protocol == 'HTTP'",message="path is only valid with protocol HTTP"
// +kubebuilder:validation:XValidation:rule="!has(self.path) || self.path.startsWith('/')",message="path must start with /"
type OtlpAccessLog struct {
	// +required
	BackendRef gwv1.BackendObjectReference `json:"backendRef"`

	// +optional
	Filter *CELExpression `json:"filter,omitempty"`

	// +optional
	Attributes *LogTracingAttributes `json:"attributes,omitempty"`

	// +kubebuilder:default=GRPC
	// +optional
	Protocol OTLPProtocol `json:"protocol,omitempty"`

	// +optional
	Path *LongString `json:"path,omitempty"`
}

// LogTracingAttributes adds or removes attributes of logs or traces.
//
// +kubebuilder:validation:XValidation:rule="[has(self.add),has(self.remove)].filter(x,x==true).size() >= 1",message="at least one of the fields in [add remove] must be set"
type LogTracingAttributes struct {
	// +kubebuilder:validation:MinItems=1
	// +kubebuilder:validation:MaxItems=32
	// +optional
	Remove []TinyString `json:"remove,omitempty"`
	// +kubebuilder:validation:MinItems=1
	// +kubebuilder:validation:maxItems=64
	// +optional
	Add []AttributeAdd `json:"add,omitempty"`
}

// AttributeAdd is an attribute computed by a CEL expression.
type AttributeAdd struct {
	// +required
	Name ShortString `json:"name"`
	// +required
	Expression CELExpression `json:"expression"`
}

// MetricLabels adds labels to metrics.
type MetricLabels struct {
	// +required
	Attributes MetricAttributes `json:"attributes"`
}

// MetricAttributes adds attributes to metrics.
//
// +kubebuilder:validation:XValidation:rule="[has(self.add)].filter(x,x==true).size() >= 1",message="at least one of the fields in [add] must be set"
type MetricAttributes struct {
	// +listType=map
	// +listMapKey=name
	// +kubebuilder:validation:MinItems=1
	// +kubebuilder:validation:MaxItems=16
	// +optional
	Add []AttributeAdd `json:"add,omitempty"`
}

// OTLPProtocol is the OTLP transport.
//
// +k8s:enum
type OTLPProtocol string

const (
	OTLPProtocolHttp OTLPProtocol = "HTTP"
	OTLPProtocolGrpc OTLPProtocol = "GRPC"
)

// Tracing configures tracing.
//
// +kubebuilder:validation:XValidation:rule="!has(self.path) || !has(self.protocol) || self.protocol == 'HTTP'",message="path is only valid with protocol HTTP"
// +kubebuilder:validation:XValidation:rule="!has(self.path) || self.path.startsWith('/')",message="path must start with /"
type Tracing struct {
	// +required
	BackendRef gwv1.BackendObjectReference `json:"backendRef"`
	// +kubebuilder:default=GRPC
	// +optional
	Protocol OTLPProtocol `json:"protocol,omitempty"`

	// +optional
	Path *LongString `json:"path,omitempty"`

	// +optional
	Attributes *LogTracingAttributes `json:"attributes,omitempty"`

	// +optional
	Resources []ResourceAdd `json:"resources,omitempty"`

	// +optional
	RandomSampling *CELExpression `json:"randomSampling,omitempty"`
	// +optional
	ClientSampling *CELExpression `json:"clientSampling,omitempty"`

	// +optional
	Filter *CELExpression `json:"filter,omitempty"`
}

// ResourceAdd is a resource attribute computed by a CEL expression.
type ResourceAdd struct {
	// +required
	Name ShortString `json:"name"`
	// +required
	Expression CELExpression `json:"expression"`
}
