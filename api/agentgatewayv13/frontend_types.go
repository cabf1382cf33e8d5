package agentgatewayv13

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	gwv1 "sigs.k8s.io/gateway-api/apis/v1"
)

// FrontendPolicy is the frontend section of an AgentgatewayPolicy: settings for the
// client side of a Gateway. Set at least one field.
//
// +kubebuilder:validation:XValidation:rule="[has(self.accessLog),has(self.connect),has(self.http),has(self.metrics),has(self.networkAuthorization),has(self.proxyProtocol),has(self.tcp),has(self.tls),has(self.tracing)].filter(x,x==true).size() >= 1",message="at least one of the fields in [accessLog connect http metrics networkAuthorization proxyProtocol tcp tls tracing] must be set"
type FrontendPolicy struct {
	// TCP sets options of client TCP connections.
	// +optional
	TCP *FrontendTCP `json:"tcp,omitempty"`

	// TLS sets options of client TLS handshakes.
	// +optional
	TLS *FrontendTLS `json:"tls,omitempty"`

	// HTTP sets options of the HTTP server side.
	// +optional
	HTTP *FrontendHTTP `json:"http,omitempty"`

	// AccessLog changes what is logged for each request.
	// +optional
	AccessLog *AccessLog `json:"accessLog,omitempty"`

	// Tracing exports OpenTelemetry traces.
	// +optional
	Tracing *Tracing `json:"tracing,omitempty"`

	// NetworkAuthorization allows or denies connections by CEL expression.
	// +optional
	NetworkAuthorization *Authorization `json:"networkAuthorization,omitempty"`

	// ProxyProtocol accepts the PROXY protocol header from a load balancer in front.
	// +optional
	ProxyProtocol *FrontendProxyProtocol `json:"proxyProtocol,omitempty"`

	// Connect says how HTTP CONNECT requests are handled.
	// +optional
	Connect *FrontendConnect `json:"connect,omitempty"`

	// Metrics adds labels to the proxy's request metrics.
	// +optional
	Metrics *MetricLabels `json:"metrics,omitempty"`
}

// ProxyProtocolVersion is a PROXY protocol version.
//
// +k8s:enum
type ProxyProtocolVersion string

const (
	// ProxyProtocolV1 is the text format.
	ProxyProtocolV1 ProxyProtocolVersion = "V1"
	// ProxyProtocolV2 is the binary format.
	ProxyProtocolV2 ProxyProtocolVersion = "V2"
	// ProxyProtocolAll accepts both formats.
	ProxyProtocolAll ProxyProtocolVersion = "All"
)

// ProxyProtocolMode says whether the PROXY header is required.
//
// +k8s:enum
type ProxyProtocolMode string

const (
	// ProxyProtocolStrict requires the header.
	ProxyProtocolStrict ProxyProtocolMode = "Strict"
	// ProxyProtocolOptional accepts connections without it.
	ProxyProtocolOptional ProxyProtocolMode = "Optional"
)

// HTTPHeaderCase is how HTTP/1 header names are written.
//
// +k8s:enum
type HTTPHeaderCase string

const (
	// HTTPHeaderCaseLowercase writes header names in lower case.
	HTTPHeaderCaseLowercase HTTPHeaderCase = "Lowercase"
	// HTTPHeaderCasePreserve keeps the case the client sent.
	HTTPHeaderCasePreserve HTTPHeaderCase = "Preserve"
)

// FrontendProxyProtocol configures the PROXY protocol on client connections.
type FrontendProxyProtocol struct {
	// Version is the accepted PROXY protocol version.
	// +optional
	// +kubebuilder:default=V2
	Version ProxyProtocolVersion `json:"version,omitempty"`

	// Mode says whether the header is required.
	// +optional
	// +kubebuilder:default=Strict
	Mode ProxyProtocolMode `json:"mode,omitempty"`
}

// FrontendConnectMode is how HTTP CONNECT requests are handled.
//
// +kubebuilder:validation:Enum=Deny;Route;Tunnel
type FrontendConnectMode string

const (
	// FrontendConnectDeny rejects CONNECT requests.
	FrontendConnectDeny FrontendConnectMode = "Deny"
	// FrontendConnectRoute routes CONNECT requests like other requests.
	FrontendConnectRoute FrontendConnectMode = "Route"
	// FrontendConnectTunnel opens a tunnel to the requested host.
	FrontendConnectTunnel FrontendConnectMode = "Tunnel"
)

// FrontendConnect configures HTTP CONNECT handling.
type FrontendConnect struct {
	// Mode is how CONNECT requests are handled.
	// +required
	Mode FrontendConnectMode `json:"mode"`
}

// MetricLabels adds labels to request metrics.
type MetricLabels struct {
	// Attributes are the labels to add.
	// +required
	Attributes MetricAttributes `json:"attributes"`
}

// MetricAttributes lists metric labels valued by CEL expressions.
//
// +kubebuilder:validation:XValidation:rule="[has(self.add)].filter(x,x==true).size() >= 1",message="at least one of the fields in [add] must be set"
type MetricAttributes struct {
	// Add are the labels, keyed by name.
	// +optional
	// +listType=map
	// +listMapKey=name
	// +kubebuilder:validation:MinItems=1
	// +kubebuilder:validation:MaxItems=16
	Add []Attribute `json:"add,omitempty"`
}

// FrontendTCP sets client TCP options; Keepalive must be set.
//
// +kubebuilder:validation:XValidation:rule="[has(self.keepalive)].filter(x,x==true).size() >= 1",message="at least one of the fields in [keepalive] must be set"
type FrontendTCP struct {
	// Keepalive turns on TCP keepalive probes on client connections.
	// +optional
	Keepalive *Keepalive `json:"keepalive,omitempty"`
}

// TLSVersion is a TLS protocol version.
//
// +k8s:enum
type TLSVersion string

const (
	// TLSVersion12 is TLS 1.2.
	TLSVersion12 TLSVersion = "1.2"
	// TLSVersion13 is TLS 1.3.
	TLSVersion13 TLSVersion = "1.3"
)

// CipherSuite is a TLS cipher suite.
//
// +kubebuilder:validation:Enum=TLS13_AES_256_GCM_SHA384;TLS13_AES_128_GCM_SHA256;TLS13_CHACHA20_POLY1305_SHA256;TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384;TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256;TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256;TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384;TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256;TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256
type CipherSuite string

// KeyExchangeGroup is a TLS key exchange group.
//
// +k8s:enum
type KeyExchangeGroup string

const (
	// KeyExchangeGroupX25519 is X25519.
	KeyExchangeGroupX25519 KeyExchangeGroup = "X25519"
	// KeyExchangeGroupP256 is NIST P-256.
	KeyExchangeGroupP256 KeyExchangeGroup = "P-256"
	// KeyExchangeGroupP384 is NIST P-384.
	KeyExchangeGroupP384 KeyExchangeGroup = "P-384"
	// KeyExchangeGroupX25519MLKEM768 is the hybrid post-quantum X25519MLKEM768.
	KeyExchangeGroupX25519MLKEM768 KeyExchangeGroup = "X25519_MLKEM768"
)

// FrontendTLS sets client TLS options; set at least one field.
//
// +kubebuilder:validation:XValidation:rule="[has(self.alpnProtocols),has(self.cipherSuites),has(self.handshakeTimeout),has(self.keyExchangeGroups),has(self.maxProtocolVersion),has(self.minProtocolVersion)].filter(x,x==true).size() >= 1",message="at least one of the fields in [alpnProtocols cipherSuites handshakeTimeout keyExchangeGroups maxProtocolVersion minProtocolVersion] must be set"
type FrontendTLS struct {
	// HandshakeTimeout bounds the TLS handshake.
	// +optional
	// +kubebuilder:validation:XValidation:rule="matches(self, '^([0-9]{1,5}(h|m|s|ms)){1,4}$')",message="invalid duration value"
	// +kubebuilder:validation:XValidation:rule="duration(self) >= duration('100ms')",message="handshakeTimeout must be at least 100ms"
	HandshakeTimeout *metav1.Duration `json:"handshakeTimeout,omitempty"`

	// ALPNProtocols are offered to clients.
	// +optional
	// +kubebuilder:validation:MinItems=1
	// +kubebuilder:validation:MaxItems=16
	// +kubebuilder:validation:items:MinLength=1
	// +kubebuilder:validation:items:MaxLength=64
	ALPNProtocols []string `json:"alpnProtocols,omitempty"`

	// MinProtocolVersion is the lowest accepted TLS version.
	// +optional
	MinProtocolVersion TLSVersion `json:"minProtocolVersion,omitempty"`

	// MaxProtocolVersion is the highest accepted TLS version.
	// +optional
	MaxProtocolVersion TLSVersion `json:"maxProtocolVersion,omitempty"`

	// CipherSuites are the accepted cipher suites, in order of preference.
	// +optional
	CipherSuites []CipherSuite `json:"cipherSuites,omitempty"`

	// KeyExchangeGroups are the accepted key exchange groups, in order of preference.
	// +optional
	KeyExchangeGroups []KeyExchangeGroup `json:"keyExchangeGroups,omitempty"`
}

// FrontendHTTP sets HTTP server options; set at least one field.
//
// +kubebuilder:validation:XValidation:rule="[has(self.http1HeaderCase),has(self.http1IdleTimeout),has(self.http1MaxHeaders),has(self.http2ConnectionWindowSize),has(self.http2FrameSize),has(self.http2KeepaliveInterval),has(self.http2KeepaliveTimeout),has(self.http2MaxHeaderSize),has(self.http2WindowSize),has(self.maxBufferSize),has(self.maxConnectionDuration)].filter(x,x==true).size() >= 1",message="at least one of the fields in [http1HeaderCase http1IdleTimeout http1MaxHeaders http2ConnectionWindowSize http2FrameSize http2KeepaliveInterval http2KeepaliveTimeout http2MaxHeaderSize http2WindowSize maxBufferSize maxConnectionDuration] must be set"
type FrontendHTTP struct {
	// MaxBufferSize is the largest body the proxy buffers.
	// +optional
	MaxBufferSize *ByteSize `json:"maxBufferSize,omitempty"`

	// HTTP1MaxHeaders is the largest number of request headers accepted over HTTP/1.
	// +optional
	// +kubebuilder:validation:Minimum=1
	// +kubebuilder:validation:Maximum=4096
	HTTP1MaxHeaders *int32 `json:"http1MaxHeaders,omitempty"`

	// HTTP1IdleTimeout closes idle HTTP/1 connections.
	// +optional
	// +kubebuilder:validation:XValidation:rule="matches(self, '^([0-9]{1,5}(h|m|s|ms)){1,4}$')",message="invalid duration value"
	// +kubebuilder:validation:XValidation:rule="duration(self) >= duration('1s')",message="http1IdleTimeout must be at least 1 second"
	HTTP1IdleTimeout *metav1.Duration `json:"http1IdleTimeout,omitempty"`

	// HTTP1HeaderCase is how HTTP/1 header names are written.
	// +optional
	HTTP1HeaderCase *HTTPHeaderCase `json:"http1HeaderCase,omitempty"`

	// HTTP2WindowSize is the HTTP/2 stream flow-control window.
	// +optional
	HTTP2WindowSize *ByteSize `json:"http2WindowSize,omitempty"`

	// HTTP2ConnectionWindowSize is the HTTP/2 connection flow-control window.
	// +optional
	HTTP2ConnectionWindowSize *ByteSize `json:"http2ConnectionWindowSize,omitempty"`

	// HTTP2FrameSize is the largest HTTP/2 frame.
	// +optional
	// +kubebuilder:validation:XValidation:rule="!quantity(string(self)).isLessThan(quantity('16384'))",message="http2FrameSize must be at least 16384 bytes"
	// +kubebuilder:validation:XValidation:rule="!quantity(string(self)).isGreaterThan(quantity('1677215'))",message="http2FrameSize must be at most 1677215 bytes"
	HTTP2FrameSize *ByteSize `json:"http2FrameSize,omitempty"`

	// HTTP2MaxHeaderSize is the largest HTTP/2 header list.
	// +optional
	HTTP2MaxHeaderSize *ByteSize `json:"http2MaxHeaderSize,omitempty"`

	// HTTP2KeepaliveInterval is the time between HTTP/2 pings.
	// +optional
	// +kubebuilder:validation:XValidation:rule="matches(self, '^([0-9]{1,5}(h|m|s|ms)){1,4}$')",message="invalid duration value"
	// +kubebuilder:validation:XValidation:rule="duration(self) >= duration('1s')",message="http2KeepaliveInterval must be at least 1 second"
	HTTP2KeepaliveInterval *metav1.Duration `json:"http2KeepaliveInterval,omitempty"`

	// HTTP2KeepaliveTimeout closes the connection when a ping is not answered in time.
	// +optional
	// +kubebuilder:validation:XValidation:rule="matches(self, '^([0-9]{1,5}(h|m|s|ms)){1,4}$')",message="invalid duration value"
	// +kubebuilder:validation:XValidation:rule="duration(self) >= duration('1s')",message="http2KeepaliveTimeout must be at least 1 second"
	HTTP2KeepaliveTimeout *metav1.Duration `json:"http2KeepaliveTimeout,omitempty"`

	// MaxConnectionDuration closes client connections after this long.
	// +optional
	// +kubebuilder:validation:XValidation:rule="matches(self, '^([0-9]{1,5}(h|m|s|ms)){1,4}$')",message="invalid duration value"
	// +kubebuilder:validation:XValidation:rule="duration(self) >= duration('1s')",message="maxConnectionDuration must be at least 1 second"
	MaxConnectionDuration *metav1.Duration `json:"maxConnectionDuration,omitempty"`
}

// ByteSize is an amount of bytes written as an integer or as a Kubernetes quantity
// string such as "64Ki". It is a defined type rather than an alias of IntOrString so
// that controller-gen keeps the markers below.
//
// +kubebuilder:validation:XIntOrString
// +kubebuilder:validation:MaxLength=32
// +kubebuilder:validation:MinLength=1
// +kubebuilder:validation:Pattern=`^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)(([KMGTPE]i)|[numkMGTPE]|[eE](\+?0*([0-9]|1[0-8])|-0*[0-9]))?$`
// +kubebuilder:validation:XValidation:rule="(self >= 1 && self <= 4294967295) || self.size() > 0",message="value must be at least 1 byte and fit within uint32"
type ByteSize intstr.IntOrString

// MarshalJSON writes the value as a JSON integer or string.
func (b ByteSize) MarshalJSON() ([]byte, error) {
	return intstr.IntOrString(b).MarshalJSON()
}

// UnmarshalJSON reads a JSON integer or string.
func (b *ByteSize) UnmarshalJSON(data []byte) error {
	return (*intstr.IntOrString)(b).UnmarshalJSON(data)
}

// AccessLog changes the access log.
type AccessLog struct {
	// Filter is a CEL expression; only requests for which it is true are logged.
	// +optional
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=16384
	Filter string `json:"filter,omitempty"`

	// Attributes adds or removes logged fields.
	// +optional
	Attributes *LogAttributes `json:"attributes,omitempty"`

	// OTLP also exports the log entries over OTLP.
	// +optional
	OTLP *OTLPAccessLog `json:"otlp,omitempty"`
}

// OTLPProtocol is the OTLP transport.
//
// +k8s:enum
type OTLPProtocol string

const (
	// OTLPProtocolHTTP is OTLP over HTTP.
	OTLPProtocolHTTP OTLPProtocol = "HTTP"
	// OTLPProtocolGRPC is OTLP over gRPC.
	OTLPProtocolGRPC OTLPProtocol = "GRPC"
)

// OTLPAccessLog exports access log entries to an OTLP collector.
//
// +kubebuilder:validation:XValidation:rule="!has(self.path) || !has(self.protocol) || self.protocol == 'HTTP'",message="path is only valid with protocol HTTP"
// +kubebuilder:validation:XValidation:rule="!has(self.path) || self.path.startsWith('/')",message="path must start with /"
type OTLPAccessLog struct {
	// BackendRef is the collector.
	// +required
	BackendRef gwv1.BackendObjectReference `json:"backendRef"`

	// Protocol is the OTLP transport.
	// +optional
	// +kubebuilder:default=GRPC
	Protocol OTLPProtocol `json:"protocol,omitempty"`

	// Path is the HTTP path of the collector; only with protocol HTTP.
	// +optional
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=1024
	Path string `json:"path,omitempty"`
}

// LogAttributes adds or removes fields; set at least one list.
//
// +kubebuilder:validation:XValidation:rule="[has(self.add),has(self.remove)].filter(x,x==true).size() >= 1",message="at least one of the fields in [add remove] must be set"
type LogAttributes struct {
	// Remove drops the named default fields.
	// +optional
	// +kubebuilder:validation:MinItems=1
	// +kubebuilder:validation:MaxItems=32
	// +kubebuilder:validation:items:MinLength=1
	// +kubebuilder:validation:items:MaxLength=64
	Remove []string `json:"remove,omitempty"`

	// Add adds fields valued by CEL expressions.
	// +optional
	// +kubebuilder:validation:MinItems=1
	Add []Attribute `json:"add,omitempty"`
}

// Attribute is a named CEL expression.
type Attribute struct {
	// Name is the attribute key.
	// +required
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=256
	Name string `json:"name"`

	// Expression is the CEL expression giving the value.
	// +required
	Expression CELExpression `json:"expression"`
}

// Tracing exports OpenTelemetry spans to a collector.
//
// +kubebuilder:validation:XValidation:rule="!has(self.path) || !has(self.protocol) || self.protocol == 'HTTP'",message="path is only valid with protocol HTTP"
// +kubebuilder:validation:XValidation:rule="!has(self.path) || self.path.startsWith('/')",message="path must start with /"
type Tracing struct {
	// BackendRef is the collector.
	// +required
	BackendRef gwv1.BackendObjectReference `json:"backendRef"`

	// Protocol is the OTLP transport.
	// +optional
	// +kubebuilder:default=GRPC
	Protocol OTLPProtocol `json:"protocol,omitempty"`

	// Path is the HTTP path of the collector; only with protocol HTTP.
	// +optional
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=1024
	Path string `json:"path,omitempty"`

	// Attributes adds or removes span attributes.
	// +optional
	Attributes *LogAttributes `json:"attributes,omitempty"`

	// Resources are resource attributes valued by CEL expressions.
	// +optional
	Resources []Attribute `json:"resources,omitempty"`

	// RandomSampling is a CEL expression giving the share of requests to sample.
	// +optional
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=16384
	RandomSampling string `json:"randomSampling,omitempty"`

	// ClientSampling is a CEL expression saying whether to honour the client's
	// sampling decision.
	// +optional
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=16384
	ClientSampling string `json:"clientSampling,omitempty"`
}
