package agentgatewayv13

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	gwv1 "sigs.k8s.io/gateway-api/apis/v1"
)

// FrontendPolicy is the frontend section of an AgentgatewayPolicy: settings for the
// client side of a Gateway. Set at least one field.
//
// +kubebuilder:validation:XValidation:rule="[has(self.accessLog),has(self.http),has(self.networkAuthorization),has(self.tcp),has(self.tls),has(self.tracing)].filter(x,x==true).size() >= 1",message="at least one of the fields in [accessLog http networkAuthorization tcp tls tracing] must be set"
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
// +kubebuilder:validation:Enum="1.2";"1.3"
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

// FrontendTLS sets client TLS options; set at least one field.
//
// +kubebuilder:validation:XValidation:rule="[has(self.alpnProtocols),has(self.cipherSuites),has(self.handshakeTimeout),has(self.maxProtocolVersion),has(self.minProtocolVersion)].filter(x,x==true).size() >= 1",message="at least one of the fields in [alpnProtocols cipherSuites handshakeTimeout maxProtocolVersion minProtocolVersion] must be set"
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
}

// FrontendHTTP sets HTTP server options; set at least one field.
//
// +kubebuilder:validation:XValidation:rule="[has(self.http1IdleTimeout),has(self.http1MaxHeaders),has(self.http2ConnectionWindowSize),has(self.http2FrameSize),has(self.http2KeepaliveInterval),has(self.http2KeepaliveTimeout),has(self.http2WindowSize),has(self.maxBufferSize)].filter(x,x==true).size() >= 1",message="at least one of the fields in [http1IdleTimeout http1MaxHeaders http2ConnectionWindowSize http2FrameSize http2KeepaliveInterval http2KeepaliveTimeout http2WindowSize maxBufferSize] must be set"
type FrontendHTTP struct {
	// MaxBufferSize is the largest body, in bytes, the proxy buffers.
	// +optional
	// +kubebuilder:validation:Minimum=1
	MaxBufferSize *int32 `json:"maxBufferSize,omitempty"`

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

	// HTTP2WindowSize is the HTTP/2 stream flow-control window, in bytes.
	// +optional
	// +kubebuilder:validation:Minimum=1
	HTTP2WindowSize *int32 `json:"http2WindowSize,omitempty"`

	// HTTP2ConnectionWindowSize is the HTTP/2 connection flow-control window, in bytes.
	// +optional
	// +kubebuilder:validation:Minimum=1
	HTTP2ConnectionWindowSize *int32 `json:"http2ConnectionWindowSize,omitempty"`

	// HTTP2FrameSize is the largest HTTP/2 frame, in bytes.
	// +optional
	// +kubebuilder:validation:Minimum=16384
	// +kubebuilder:validation:Maximum=1677215
	HTTP2FrameSize *int32 `json:"http2FrameSize,omitempty"`

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
// +kubebuilder:validation:Enum=HTTP;GRPC
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
