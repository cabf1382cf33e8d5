package kgatewayv21

import (
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	gwv1 "sigs.k8s.io/gateway-api/apis/v1"
)

// BackendConfigPolicy sets how the proxy connects to Services and Backends:
// timeouts, HTTP protocol options, TLS, load balancing, health checks and outlier
// detection.
//
// +kubebuilder:object:root=true
// +kubebuilder:subresource:status
// +kubebuilder:resource:categories=kgateway
// +kubebuilder:metadata:labels="app=kgateway"
// +kubebuilder:metadata:labels="app.kubernetes.io/name=kgateway"
// +kubebuilder:metadata:labels="gateway.networking.k8s.io/policy=Direct"
// +kubebuilder:printcolumn:name="Accepted",type=string,JSONPath=".status.ancestors[*].conditions[?(@.type=='Accepted')].status",description="Whether the controller accepted the policy"
// +kubebuilder:printcolumn:name="Attached",type=string,JSONPath=".status.ancestors[*].conditions[?(@.type=='Attached')].status",description="Whether the policy is attached to its targets"
type BackendConfigPolicy struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	// Spec selects the targets and the connection settings.
	// +optional
	Spec BackendConfigPolicySpec `json:"spec,omitzero"`

	// Status is written by the kgateway controller, per ancestor.
	// +optional
	Status gwv1.PolicyStatus `json:"status,omitzero"`
}

// BackendConfigPolicyList is a list of BackendConfigPolicy objects.
//
// +kubebuilder:object:root=true
type BackendConfigPolicyList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []BackendConfigPolicy `json:"items"`
}

// BackendConfigPolicySpec holds the connection settings for the targeted Services
// and Backends.
//
// +kubebuilder:validation:XValidation:rule="[has(self.http1ProtocolOptions),has(self.http2ProtocolOptions)].filter(x,x==true).size() <= 1",message="at most one of the fields in [http1ProtocolOptions http2ProtocolOptions] may be set"
type BackendConfigPolicySpec struct {
	// TargetRefs are the Services or Backends in the policy's namespace it applies to.
	// +optional
	// +kubebuilder:validation:MinItems=1
	// +kubebuilder:validation:MaxItems=16
	// +kubebuilder:validation:XValidation:rule="self.all(r, (r.group == '' && r.kind == 'Service') || (r.group == 'gateway.kgateway.dev' && r.kind == 'Backend'))",message="TargetRefs must reference either a Kubernetes Service or a Backend API"
	TargetRefs []LocalPolicyTargetReference `json:"targetRefs,omitempty"`

	// TargetSelectors attach the policy to Services or Backends by label.
	// +optional
	// +kubebuilder:validation:XValidation:rule="self.all(r, (r.group == '' && r.kind == 'Service') || (r.group == 'gateway.kgateway.dev' && r.kind == 'Backend'))",message="TargetSelectors must reference either a Kubernetes Service or a Backend API"
	TargetSelectors []LocalPolicyTargetSelector `json:"targetSelectors,omitempty"`

	// ConnectTimeout bounds the time to open a connection to an endpoint.
	// +optional
	// +kubebuilder:validation:XValidation:rule="matches(self, '^([0-9]{1,5}(h|m|s|ms)){1,4}$')",message="invalid duration value"
	ConnectTimeout *string `json:"connectTimeout,omitempty"`

	// PerConnectionBufferLimitBytes caps the read and write buffers of each connection.
	// +optional
	// +kubebuilder:validation:Minimum=0
	PerConnectionBufferLimitBytes *int32 `json:"perConnectionBufferLimitBytes,omitempty"`

	// TCPKeepalive turns on TCP keep-alive probes towards the endpoints.
	// +optional
	TCPKeepalive *TCPKeepalive `json:"tcpKeepalive,omitempty"`

	// CommonHTTPProtocolOptions apply to HTTP/1 and HTTP/2 connections alike.
	// +optional
	CommonHTTPProtocolOptions *CommonHTTPProtocolOptions `json:"commonHttpProtocolOptions,omitempty"`

	// HTTP1ProtocolOptions apply to HTTP/1 connections.
	// +optional
	HTTP1ProtocolOptions *HTTP1ProtocolOptions `json:"http1ProtocolOptions,omitempty"`

	// HTTP2ProtocolOptions apply to HTTP/2 connections.
	// +optional
	HTTP2ProtocolOptions *HTTP2ProtocolOptions `json:"http2ProtocolOptions,omitempty"`

	// TLS makes the proxy originate TLS towards the endpoints.
	// +optional
	TLS *TLS `json:"tls,omitempty"`

	// LoadBalancer picks the balancing algorithm and its options.
	// +optional
	LoadBalancer *LoadBalancer `json:"loadBalancer,omitempty"`

	// HealthCheck probes endpoints actively.
	// +optional
	HealthCheck *HealthCheck `json:"healthCheck,omitempty"`

	// OutlierDetection ejects endpoints that keep failing.
	// +optional
	OutlierDetection *OutlierDetection `json:"outlierDetection,omitempty"`
}

// TCPKeepalive sets the TCP keep-alive probes.
type TCPKeepalive struct {
	// KeepAliveProbes is how many unanswered probes close the connection.
	// +optional
	// +kubebuilder:validation:Minimum=0
	KeepAliveProbes *int32 `json:"keepAliveProbes,omitempty"`

	// KeepAliveTime is the idle time before the first probe; at least one second.
	// +optional
	// +kubebuilder:validation:XValidation:rule="matches(self, '^([0-9]{1,5}(h|m|s|ms)){1,4}$')",message="invalid duration value"
	// +kubebuilder:validation:XValidation:rule="duration(self) >= duration('1s')",message="keepAliveTime must be at least 1 second"
	KeepAliveTime *string `json:"keepAliveTime,omitempty"`

	// KeepAliveInterval is the time between probes; at least one second.
	// +optional
	// +kubebuilder:validation:XValidation:rule="matches(self, '^([0-9]{1,5}(h|m|s|ms)){1,4}$')",message="invalid duration value"
	// +kubebuilder:validation:XValidation:rule="duration(self) >= duration('1s')",message="keepAliveInterval must be at least 1 second"
	KeepAliveInterval *string `json:"keepAliveInterval,omitempty"`
}

// CommonHTTPProtocolOptions are limits shared by the HTTP versions.
type CommonHTTPProtocolOptions struct {
	// IdleTimeout closes a connection without active streams after this time.
	// +optional
	// +kubebuilder:validation:XValidation:rule="matches(self, '^([0-9]{1,5}(h|m|s|ms)){1,4}$')",message="invalid duration value"
	IdleTimeout *string `json:"idleTimeout,omitempty"`

	// MaxHeadersCount caps the number of headers of a message.
	// +optional
	// +kubebuilder:validation:Minimum=0
	MaxHeadersCount *int32 `json:"maxHeadersCount,omitempty"`

	// MaxStreamDuration caps the lifetime of a stream.
	// +optional
	// +kubebuilder:validation:XValidation:rule="matches(self, '^([0-9]{1,5}(h|m|s|ms)){1,4}$')",message="invalid duration value"
	MaxStreamDuration *string `json:"maxStreamDuration,omitempty"`

	// MaxRequestsPerConnection closes a connection after this many requests.
	// +optional
	// +kubebuilder:validation:Minimum=0
	MaxRequestsPerConnection *int32 `json:"maxRequestsPerConnection,omitempty"`
}

// HTTP1ProtocolOptions are settings for HTTP/1 connections.
type HTTP1ProtocolOptions struct {
	// EnableTrailers lets trailers through on HTTP/1 connections.
	// +optional
	EnableTrailers *bool `json:"enableTrailers,omitempty"`

	// PreserveHTTP1HeaderCase keeps the case of header names as received.
	// +optional
	PreserveHTTP1HeaderCase *bool `json:"preserveHttp1HeaderCase,omitempty"`

	// OverrideStreamErrorOnInvalidHTTPMessage resets only the stream, not the
	// connection, when a message is malformed.
	// +optional
	OverrideStreamErrorOnInvalidHTTPMessage *bool `json:"overrideStreamErrorOnInvalidHttpMessage,omitempty"`
}

// HTTP2ProtocolOptions are settings for HTTP/2 connections.
type HTTP2ProtocolOptions struct {
	// InitialStreamWindowSize is the flow-control window of each stream, in bytes.
	// +optional
	// +kubebuilder:validation:XValidation:rule="(type(self) == int && int(self) >= 65535 && int(self) <= 2147483647) || (type(self) == string && quantity(self).isGreaterThan(quantity('65534')) && quantity(self).isLessThan(quantity('2147483648')))",message="InitialStreamWindowSize must be between 65535 and 2147483647 bytes (inclusive)"
	InitialStreamWindowSize *resource.Quantity `json:"initialStreamWindowSize,omitempty"`

	// InitialConnectionWindowSize is the flow-control window of the connection, in bytes.
	// +optional
	// +kubebuilder:validation:XValidation:rule="(type(self) == int && int(self) >= 65535 && int(self) <= 2147483647) || (type(self) == string && quantity(self).isGreaterThan(quantity('65534')) && quantity(self).isLessThan(quantity('2147483648')))",message="InitialConnectionWindowSize must be between 65535 and 2147483647 bytes (inclusive)"
	InitialConnectionWindowSize *resource.Quantity `json:"initialConnectionWindowSize,omitempty"`

	// MaxConcurrentStreams caps the open streams of a connection.
	// +optional
	// +kubebuilder:validation:Minimum=0
	MaxConcurrentStreams *int32 `json:"maxConcurrentStreams,omitempty"`

	// OverrideStreamErrorOnInvalidHTTPMessage resets only the stream, not the
	// connection, when a message is malformed.
	// +optional
	OverrideStreamErrorOnInvalidHTTPMessage *bool `json:"overrideStreamErrorOnInvalidHttpMessage,omitempty"`
}

// WellKnownCACertificates names a built-in set of trusted certificate authorities.
//
// +kubebuilder:validation:Enum=System
type WellKnownCACertificates string

// TLS is how the proxy originates TLS. Exactly one source of trust must be set.
//
// +kubebuilder:validation:XValidation:rule="[has(self.secretRef),has(self.files),has(self.insecureSkipVerify),has(self.wellKnownCACertificates)].filter(x,x==true).size() == 1",message="exactly one of the fields in [secretRef files insecureSkipVerify wellKnownCACertificates] must be set"
type TLS struct {
	// SecretRef names a Secret in the policy's namespace with a client certificate,
	// key and CA bundle.
	// +optional
	SecretRef *corev1.LocalObjectReference `json:"secretRef,omitempty"`

	// Files reads the certificate, key and CA bundle from the proxy's file system.
	// +optional
	Files *TLSFiles `json:"files,omitempty"`

	// WellKnownCACertificates trusts a built-in set of authorities.
	// +optional
	WellKnownCACertificates *WellKnownCACertificates `json:"wellKnownCACertificates,omitempty"`

	// InsecureSkipVerify turns off verification of the endpoint's certificate.
	// +optional
	InsecureSkipVerify *bool `json:"insecureSkipVerify,omitempty"`

	// SNI is the server name sent in the handshake.
	// +optional
	// +kubebuilder:validation:MinLength=1
	SNI *string `json:"sni,omitempty"`

	// VerifySubjectAltNames lists names the endpoint's certificate must carry, one of
	// them.
	// +optional
	VerifySubjectAltNames []string `json:"verifySubjectAltNames,omitempty"`

	// Parameters restrict TLS versions, cipher suites and curves.
	// +optional
	Parameters *TLSParameters `json:"parameters,omitempty"`

	// AlpnProtocols are offered during the handshake.
	// +optional
	AlpnProtocols []string `json:"alpnProtocols,omitempty"`

	// AllowRenegotiation permits the server to renegotiate.
	// +optional
	AllowRenegotiation *bool `json:"allowRenegotiation,omitempty"`

	// SimpleTLS sends no client certificate even if the Secret holds one.
	// +optional
	SimpleTLS *bool `json:"simpleTLS,omitempty"`
}

// TLSFiles are paths on the proxy's file system.
//
// +kubebuilder:validation:XValidation:rule="has(self.tlsCertificate) || has(self.tlsKey) || has(self.rootCA)",message="At least one of tlsCertificate, tlsKey, or rootCA must be set in TLSFiles"
type TLSFiles struct {
	// TLSCertificate is the client certificate chain.
	// +optional
	// +kubebuilder:validation:MinLength=1
	TLSCertificate *string `json:"tlsCertificate,omitempty"`

	// TLSKey is the client private key.
	// +optional
	// +kubebuilder:validation:MinLength=1
	TLSKey *string `json:"tlsKey,omitempty"`

	// RootCA is the CA bundle that verifies the endpoint.
	// +optional
	// +kubebuilder:validation:MinLength=1
	RootCA *string `json:"rootCA,omitempty"`
}

// TLSVersion is a TLS protocol version; AUTO leaves the choice to the proxy.
//
// +kubebuilder:validation:Enum=AUTO;"1.0";"1.1";"1.2";"1.3"
type TLSVersion string

// TLSParameters restrict the handshake.
type TLSParameters struct {
	// MinVersion is the lowest version accepted.
	// +optional
	MinVersion *TLSVersion `json:"minVersion,omitempty"`

	// MaxVersion is the highest version offered.
	// +optional
	MaxVersion *TLSVersion `json:"maxVersion,omitempty"`

	// CipherSuites are the allowed cipher suites, for TLS 1.2 and older.
	// +optional
	CipherSuites []string `json:"cipherSuites,omitempty"`

	// EcdhCurves are the allowed key exchange curves.
	// +optional
	EcdhCurves []string `json:"ecdhCurves,omitempty"`
}

// LocalityType names a locality-aware balancing mode.
//
// +kubebuilder:validation:Enum=WeightedLb
type LocalityType string

// LoadBalancer is the balancing algorithm; exactly one algorithm must be set.
//
// +kubebuilder:validation:XValidation:rule="[has(self.leastRequest),has(self.roundRobin),has(self.ringHash),has(self.maglev),has(self.random)].filter(x,x==true).size() == 1",message="exactly one of the fields in [leastRequest roundRobin ringHash maglev random] must be set"
type LoadBalancer struct {
	// HealthyPanicThreshold is the percentage of healthy endpoints below which the
	// proxy balances over all endpoints, healthy or not.
	// +optional
	// +kubebuilder:validation:Minimum=0
	// +kubebuilder:validation:Maximum=100
	HealthyPanicThreshold *int32 `json:"healthyPanicThreshold,omitempty"`

	// UpdateMergeWindow batches endpoint updates that arrive within this time.
	// +optional
	// +kubebuilder:validation:XValidation:rule="matches(self, '^([0-9]{1,5}(h|m|s|ms)){1,4}$')",message="invalid duration value"
	UpdateMergeWindow *string `json:"updateMergeWindow,omitempty"`

	// LeastRequest sends each request to the less busy of a few random endpoints.
	// +optional
	LeastRequest *LoadBalancerLeastRequestConfig `json:"leastRequest,omitempty"`

	// RoundRobin takes endpoints in turn.
	// +optional
	RoundRobin *LoadBalancerRoundRobinConfig `json:"roundRobin,omitempty"`

	// RingHash hashes requests onto a consistent hash ring.
	// +optional
	RingHash *LoadBalancerRingHashConfig `json:"ringHash,omitempty"`

	// Maglev hashes requests with the Maglev algorithm.
	// +optional
	Maglev *LoadBalancerMaglevConfig `json:"maglev,omitempty"`

	// Random picks an endpoint at random.
	// +optional
	Random *LoadBalancerRandomConfig `json:"random,omitempty"`

	// LocalityType makes balancing aware of endpoint localities.
	// +optional
	LocalityType *LocalityType `json:"localityType,omitempty"`

	// CloseConnectionsOnHostSetChange drops pooled connections when the endpoint set
	// changes.
	// +optional
	CloseConnectionsOnHostSetChange *bool `json:"closeConnectionsOnHostSetChange,omitempty"`
}

// LoadBalancerLeastRequestConfig tunes least-request balancing.
type LoadBalancerLeastRequestConfig struct {
	// ChoiceCount is how many random endpoints are compared.
	// +optional
	// +kubebuilder:default=2
	ChoiceCount *int32 `json:"choiceCount,omitempty"`

	// SlowStart ramps up traffic to new endpoints.
	// +optional
	SlowStart *SlowStart `json:"slowStart,omitempty"`
}

// LoadBalancerRoundRobinConfig tunes round-robin balancing.
type LoadBalancerRoundRobinConfig struct {
	// SlowStart ramps up traffic to new endpoints.
	// +optional
	SlowStart *SlowStart `json:"slowStart,omitempty"`
}

// LoadBalancerRingHashConfig tunes ring-hash balancing.
type LoadBalancerRingHashConfig struct {
	// MinimumRingSize is the smallest number of ring entries.
	// +optional
	// +kubebuilder:validation:Minimum=0
	MinimumRingSize *int64 `json:"minimumRingSize,omitempty"`

	// MaximumRingSize is the largest number of ring entries.
	// +optional
	// +kubebuilder:validation:Minimum=0
	MaximumRingSize *int64 `json:"maximumRingSize,omitempty"`

	// UseHostnameForHashing hashes endpoint host names instead of addresses.
	// +optional
	UseHostnameForHashing *bool `json:"useHostnameForHashing,omitempty"`

	// HashPolicies say what part of the request is hashed.
	// +optional
	// +kubebuilder:validation:MinItems=1
	// +kubebuilder:validation:MaxItems=16
	HashPolicies []HashPolicy `json:"hashPolicies,omitempty"`
}

// LoadBalancerMaglevConfig tunes Maglev balancing.
type LoadBalancerMaglevConfig struct {
	// UseHostnameForHashing hashes endpoint host names instead of addresses.
	// +optional
	UseHostnameForHashing *bool `json:"useHostnameForHashing,omitempty"`

	// HashPolicies say what part of the request is hashed.
	// +optional
	// +kubebuilder:validation:MinItems=1
	// +kubebuilder:validation:MaxItems=16
	HashPolicies []HashPolicy `json:"hashPolicies,omitempty"`
}

// LoadBalancerRandomConfig has no options.
type LoadBalancerRandomConfig struct{}

// SlowStart ramps traffic up on endpoints that just joined.
type SlowStart struct {
	// Window is how long the ramp lasts.
	// +optional
	// +kubebuilder:validation:XValidation:rule="matches(self, '^([0-9]{1,5}(h|m|s|ms)){1,4}$')",message="invalid duration value"
	Window *string `json:"window,omitempty"`

	// Aggression shapes the ramp, as a decimal number above zero; 1.0 is linear.
	// +optional
	// +kubebuilder:validation:XValidation:rule="(self.matches('^-?(?:[0-9]+(?:\\\\.[0-9]*)?|\\\\.[0-9]+)$') && double(self) > 0.0)",message="Aggression, if specified, must be a string representing a number greater than 0.0"
	Aggression *string `json:"aggression,omitempty"`

	// MinWeightPercent is the weight, in percent, a new endpoint starts with.
	// +optional
	// +kubebuilder:validation:Minimum=0
	// +kubebuilder:validation:Maximum=100
	MinWeightPercent *int32 `json:"minWeightPercent,omitempty"`
}

// HashPolicy is one input to the request hash; exactly one source must be set.
//
// +kubebuilder:validation:XValidation:rule="[has(self.header),has(self.cookie),has(self.sourceIP)].filter(x,x==true).size() == 1",message="exactly one of the fields in [header cookie sourceIP] must be set"
type HashPolicy struct {
	// Header hashes the value of a request header.
	// +optional
	Header *HeaderHashPolicy `json:"header,omitempty"`

	// Cookie hashes a cookie, and sets it when it is missing.
	// +optional
	Cookie *CookieHashPolicy `json:"cookie,omitempty"`

	// SourceIP hashes the client address.
	// +optional
	SourceIP *SourceIPHashPolicy `json:"sourceIP,omitempty"`

	// Terminal stops evaluating later policies once this one produced a hash.
	// +optional
	Terminal *bool `json:"terminal,omitempty"`
}

// HeaderHashPolicy hashes a request header.
type HeaderHashPolicy struct {
	// Name is the header name.
	// +required
	// +kubebuilder:validation:MinLength=1
	Name string `json:"name"`
}

// CookieSameSite is the SameSite attribute of a generated cookie.
//
// +kubebuilder:validation:Enum=Strict;Lax;None
type CookieSameSite string

// CookieHashPolicy hashes a cookie.
type CookieHashPolicy struct {
	// Name is the cookie name.
	// +required
	// +kubebuilder:validation:MinLength=1
	Name string `json:"name"`

	// Path is the Path attribute of a generated cookie.
	// +optional
	Path *string `json:"path,omitempty"`

	// TTL is the lifetime of a generated cookie; without it no cookie is generated.
	// +optional
	// +kubebuilder:validation:XValidation:rule="matches(self, '^([0-9]{1,5}(h|m|s|ms)){1,4}$')",message="invalid duration value"
	TTL *string `json:"ttl,omitempty"`

	// Secure sets the Secure attribute of a generated cookie.
	// +optional
	Secure *bool `json:"secure,omitempty"`

	// HTTPOnly sets the HttpOnly attribute of a generated cookie.
	// +optional
	HTTPOnly *bool `json:"httpOnly,omitempty"`

	// SameSite sets the SameSite attribute of a generated cookie.
	// +optional
	SameSite *CookieSameSite `json:"sameSite,omitempty"`
}

// SourceIPHashPolicy hashes the client address; it has no options.
type SourceIPHashPolicy struct{}

// HealthCheck probes endpoints over HTTP or gRPC; exactly one of the two must be set.
//
// +kubebuilder:validation:XValidation:rule="has(self.http) != has(self.grpc)",message="exactly one of http or grpc must be set"
type HealthCheck struct {
	// Timeout bounds each probe.
	// +required
	// +kubebuilder:validation:XValidation:rule="matches(self, '^([0-9]{1,5}(h|m|s|ms)){1,4}$')",message="invalid duration value"
	Timeout string `json:"timeout"`

	// Interval is the time between probes.
	// +required
	// +kubebuilder:validation:XValidation:rule="matches(self, '^([0-9]{1,5}(h|m|s|ms)){1,4}$')",message="invalid duration value"
	Interval string `json:"interval"`

	// UnhealthyThreshold is how many failed probes mark an endpoint unhealthy.
	// +required
	// +kubebuilder:validation:Minimum=0
	UnhealthyThreshold int32 `json:"unhealthyThreshold"`

	// HealthyThreshold is how many passed probes mark an endpoint healthy again.
	// +required
	// +kubebuilder:validation:Minimum=0
	HealthyThreshold int32 `json:"healthyThreshold"`

	// HTTP probes with an HTTP request.
	// +optional
	HTTP *HealthCheckHTTP `json:"http,omitempty"`

	// GRPC probes with the gRPC health checking protocol.
	// +optional
	GRPC *HealthCheckGRPC `json:"grpc,omitempty"`
}

// HealthCheckHTTP is an HTTP probe.
type HealthCheckHTTP struct {
	// Host is the Host header of the probe.
	// +optional
	Host *string `json:"host,omitempty"`

	// Path is the request path of the probe.
	// +required
	Path string `json:"path"`

	// Method is the request method of the probe.
	// +optional
	// +kubebuilder:validation:Enum=GET;HEAD;POST;PUT;DELETE;OPTIONS;TRACE;PATCH
	Method *string `json:"method,omitempty"`
}

// HealthCheckGRPC is a gRPC health probe.
type HealthCheckGRPC struct {
	// ServiceName is the service asked about; empty asks about the server.
	// +optional
	ServiceName *string `json:"serviceName,omitempty"`

	// Authority is the :authority header of the probe.
	// +optional
	Authority *string `json:"authority,omitempty"`
}

// OutlierDetection ejects endpoints that return consecutive server errors.
type OutlierDetection struct {
	// Consecutive5xx is how many 5xx responses in a row eject an endpoint.
	// +optional
	// +kubebuilder:default=5
	// +kubebuilder:validation:Minimum=0
	Consecutive5xx *int32 `json:"consecutive5xx,omitempty"`

	// Interval is the time between ejection sweeps.
	// +optional
	// +kubebuilder:default="10s"
	// +kubebuilder:validation:XValidation:rule="matches(self, '^([0-9]{1,5}(h|m|s|ms)){1,4}$')",message="invalid duration value"
	// +kubebuilder:validation:XValidation:rule="duration(self) >= duration('1ms')",message="interval must be at least 1ms"
	Interval *string `json:"interval,omitempty"`

	// BaseEjectionTime is how long a first ejection lasts; repeated ejections last
	// longer.
	// +optional
	// +kubebuilder:default="30s"
	// +kubebuilder:validation:XValidation:rule="matches(self, '^([0-9]{1,5}(h|m|s|ms)){1,4}$')",message="invalid duration value"
	// +kubebuilder:validation:XValidation:rule="duration(self) >= duration('1ms')",message="baseEjectionTime must be at least 1ms"
	BaseEjectionTime *string `json:"baseEjectionTime,omitempty"`

	// MaxEjectionPercent caps the share of endpoints ejected at once.
	// +optional
	// +kubebuilder:default=10
	// +kubebuilder:validation:Minimum=0
	// +kubebuilder:validation:Maximum=100
	MaxEjectionPercent *int32 `json:"maxEjectionPercent,omitempty"`
}
