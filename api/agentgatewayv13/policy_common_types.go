package agentgatewayv13

import (
	corev1 "k8s.io/api/core/v1"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	gwv1 "sigs.k8s.io/gateway-api/apis/v1"
)

// BackendPolicies are the policies for traffic sent to a backend. The same type is
// used for AgentgatewayBackend.spec.policies and AgentgatewayPolicy.spec.backend.
//
// +kubebuilder:validation:XValidation:rule="[has(self.ai),has(self.auth),has(self.extAuth),has(self.health),has(self.http),has(self.mcp),has(self.tcp),has(self.tls),has(self.transformation),has(self.tunnel)].filter(x,x==true).size() >= 1",message="at least one of the fields in [ai auth extAuth health http mcp tcp tls transformation tunnel] must be set"
type BackendPolicies struct {
	// AI shapes LLM requests and responses (prompt guards, enrichment, defaults).
	// +optional
	AI *AIPolicy `json:"ai,omitempty"`

	// Auth sets the credentials agentgateway presents to the backend.
	// +optional
	Auth *BackendAuth `json:"auth,omitempty"`

	// ExtAuth asks an external authorization service about each request to the backend.
	// +optional
	ExtAuth *ExtAuth `json:"extAuth,omitempty"`

	// Health decides when an endpoint counts as unhealthy and is taken out of rotation.
	// +optional
	Health *HealthPolicy `json:"health,omitempty"`

	// HTTP sets the HTTP version and request timeout used towards the backend.
	// +optional
	HTTP *HTTPPolicy `json:"http,omitempty"`

	// MCP authenticates and authorises MCP clients of an MCP backend.
	// +optional
	MCP *MCPPolicy `json:"mcp,omitempty"`

	// TCP sets connection timeouts and keepalives towards the backend.
	// +optional
	TCP *TCPPolicy `json:"tcp,omitempty"`

	// TLS makes agentgateway connect to the backend over TLS.
	// +optional
	TLS *BackendTLS `json:"tls,omitempty"`

	// Transformation edits headers, body or metadata of requests and responses.
	// +optional
	Transformation *Transformation `json:"transformation,omitempty"`

	// Tunnel reaches the backend through a proxy.
	// +optional
	Tunnel *Tunnel `json:"tunnel,omitempty"`
}

// ProviderPolicies are the policies for one provider inside an AI backend's groups.
//
// +kubebuilder:validation:XValidation:rule="[has(self.ai),has(self.auth),has(self.health),has(self.http),has(self.tcp),has(self.tls),has(self.transformation),has(self.tunnel)].filter(x,x==true).size() >= 1",message="at least one of the fields in [ai auth health http tcp tls transformation tunnel] must be set"
type ProviderPolicies struct {
	// AI shapes LLM requests and responses for this provider only.
	// +optional
	AI *AIPolicy `json:"ai,omitempty"`

	// Auth sets the credentials presented to this provider only.
	// +optional
	Auth *BackendAuth `json:"auth,omitempty"`

	// Health decides when this provider counts as unhealthy.
	// +optional
	Health *HealthPolicy `json:"health,omitempty"`

	// HTTP sets the HTTP version and request timeout towards this provider.
	// +optional
	HTTP *HTTPPolicy `json:"http,omitempty"`

	// TCP sets connection timeouts and keepalives towards this provider.
	// +optional
	TCP *TCPPolicy `json:"tcp,omitempty"`

	// TLS configures the TLS connection to this provider.
	// +optional
	TLS *BackendTLS `json:"tls,omitempty"`

	// Transformation edits requests to and responses from this provider.
	// +optional
	Transformation *Transformation `json:"transformation,omitempty"`

	// Tunnel reaches this provider through a proxy.
	// +optional
	Tunnel *Tunnel `json:"tunnel,omitempty"`
}

// ConnectionPolicies are the connection-level policies for a service that
// agentgateway calls on its own behalf, such as a guardrail API or an MCP server.
// Unlike BackendPolicies, none of the fields is required.
type ConnectionPolicies struct {
	// Auth sets the credentials presented to the service.
	// +optional
	Auth *BackendAuth `json:"auth,omitempty"`

	// HTTP sets the HTTP version and request timeout towards the service.
	// +optional
	HTTP *HTTPPolicy `json:"http,omitempty"`

	// TCP sets connection timeouts and keepalives towards the service.
	// +optional
	TCP *TCPPolicy `json:"tcp,omitempty"`

	// TLS configures the TLS connection to the service.
	// +optional
	TLS *BackendTLS `json:"tls,omitempty"`

	// Tunnel reaches the service through a proxy.
	// +optional
	Tunnel *Tunnel `json:"tunnel,omitempty"`
}

// BackendAuth selects how agentgateway authenticates to the backend; set exactly one
// field.
//
// +kubebuilder:validation:XValidation:rule="[has(self.key),has(self.secretRef),has(self.passthrough),has(self.aws),has(self.azure),has(self.gcp)].filter(x,x==true).size() == 1",message="exactly one of the fields in [key secretRef passthrough aws azure gcp] must be set"
// +kubebuilder:validation:XValidation:rule="has(self.location) ? has(self.key) || has(self.secretRef) || has(self.passthrough) : true",message="location may only be set for key or passthrough auth"
type BackendAuth struct {
	// Key is an API key written inline. Prefer SecretRef outside of tests.
	// +optional
	// +kubebuilder:validation:MaxLength=2048
	Key string `json:"key,omitempty"`

	// SecretRef names a Secret (or another credential object) in the same namespace
	// that holds the API key.
	// +optional
	SecretRef *LocalSecretObjectRef `json:"secretRef,omitempty"`

	// Passthrough forwards the client's own credentials unchanged.
	// +optional
	Passthrough *PassthroughAuth `json:"passthrough,omitempty"`

	// AWS signs requests with AWS SigV4 (used for Bedrock).
	// +optional
	AWS *AWSAuth `json:"aws,omitempty"`

	// Azure authenticates with Microsoft Entra ID.
	// +optional
	Azure *AzureAuth `json:"azure,omitempty"`

	// GCP authenticates with Google Cloud credentials.
	// +optional
	GCP *GCPAuth `json:"gcp,omitempty"`

	// Location says where the key is placed in the request; the Authorization header
	// when unset.
	// +optional
	Location *AuthorizationLocation `json:"location,omitempty"`
}

// LocalSecretObjectRef names a Secret in the same namespace, or another credential
// object when Group and Kind are both set.
//
// +structType=atomic
// +kubebuilder:validation:XValidation:rule="(!has(self.group) || size(self.group) == 0) ? (!has(self.kind) || size(self.kind) == 0 || self.kind == 'Secret') : (has(self.kind) && size(self.kind) > 0)",message="custom credential refs must set both group and kind"
type LocalSecretObjectRef struct {
	// Name is the name of the object.
	// +required
	Name gwv1.ObjectName `json:"name"`

	// Group is the API group of the object; empty for Secrets.
	// +optional
	Group string `json:"group,omitempty"`

	// Kind is the kind of the object; Secret when empty.
	// +optional
	Kind string `json:"kind,omitempty"`
}

// PassthroughAuth has no settings; its presence turns passthrough on.
type PassthroughAuth struct{}

// AWSAuth signs requests with AWS SigV4, using static credentials from a Secret, an
// assumed role, or the proxy's ambient credentials.
//
// +kubebuilder:validation:XValidation:rule="!(has(self.secretRef) && has(self.assumeRole))",message="secretRef and assumeRole are mutually exclusive"
type AWSAuth struct {
	// SecretRef names a Secret in the same namespace holding accessKey, secretKey and
	// optionally sessionToken.
	// +optional
	SecretRef *LocalSecretObjectRef `json:"secretRef,omitempty"`

	// AssumeRole makes the proxy assume an IAM role.
	// +optional
	AssumeRole *AWSAssumeRole `json:"assumeRole,omitempty"`

	// ServiceName is the AWS service name used when signing.
	// +optional
	ServiceName *ShortString `json:"serviceName,omitempty"`
}

// AWSAssumeRole names the IAM role to assume.
type AWSAssumeRole struct {
	// RoleARN is the ARN of the role.
	// +required
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:Pattern="^arn:aws[a-z-]*:iam::[0-9]{12}:role/.+$"
	RoleARN string `json:"roleArn"`
}

// AzureAuth obtains Entra ID tokens from a client secret or a managed identity. With
// neither set the ambient credentials of the proxy are used.
type AzureAuth struct {
	// SecretRef names a Secret in the same namespace holding client credentials.
	// +optional
	SecretRef *LocalSecretObjectRef `json:"secretRef,omitempty"`

	// ManagedIdentity picks a user-assigned managed identity.
	// +optional
	ManagedIdentity *AzureManagedIdentity `json:"managedIdentity,omitempty"`
}

// AzureManagedIdentity identifies a user-assigned managed identity in three ways.
type AzureManagedIdentity struct {
	// ClientID is the identity's client ID.
	// +required
	ClientID string `json:"clientId"`

	// ObjectID is the identity's object ID.
	// +required
	ObjectID string `json:"objectId"`

	// ResourceID is the identity's Azure resource ID.
	// +required
	ResourceID string `json:"resourceId"`
}

// GCPTokenType is the kind of Google token attached to requests.
//
// +k8s:enum
type GCPTokenType string

const (
	// GCPTokenTypeAccessToken attaches an OAuth access token.
	GCPTokenTypeAccessToken GCPTokenType = "AccessToken"
	// GCPTokenTypeIDToken attaches an OpenID Connect ID token.
	GCPTokenTypeIDToken GCPTokenType = "IdToken"
)

// GCPAuth attaches a token from the proxy's Google Cloud credentials.
//
// +kubebuilder:validation:XValidation:rule="has(self.audience) ? self.type == 'IdToken' : true",message="audience is only valid with IdToken"
type GCPAuth struct {
	// Type is the kind of token; an access token when unset.
	// +optional
	Type GCPTokenType `json:"type,omitempty"`

	// SecretRef names a Secret in the same namespace holding service account
	// credentials.
	// +optional
	SecretRef *LocalSecretObjectRef `json:"secretRef,omitempty"`

	// Audience is the audience of an ID token; only valid with Type IdToken.
	// +optional
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=256
	Audience string `json:"audience,omitempty"`
}

// HealthPolicy takes endpoints out of rotation when they misbehave.
type HealthPolicy struct {
	// UnhealthyCondition is a CEL expression over the response; when it is true the
	// request counts as a failure.
	// +optional
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=16384
	UnhealthyCondition string `json:"unhealthyCondition,omitempty"`

	// Eviction says when and for how long an unhealthy endpoint is removed.
	// +optional
	Eviction *Eviction `json:"eviction,omitempty"`
}

// Eviction controls the removal of unhealthy endpoints.
type Eviction struct {
	// Duration is how long an endpoint stays out of rotation.
	// +optional
	// +kubebuilder:default="3s"
	// +kubebuilder:validation:XValidation:rule="matches(self, '^([0-9]{1,5}(h|m|s|ms)){1,4}$')",message="invalid duration value"
	// +kubebuilder:validation:XValidation:rule="duration(self) >= duration('1s')",message="evictionDuration must be at least 1 second"
	Duration *metav1.Duration `json:"duration,omitempty"`

	// RestoreHealth is the health score, in percent, an endpoint gets back on return.
	// +optional
	// +kubebuilder:validation:Minimum=0
	// +kubebuilder:validation:Maximum=100
	RestoreHealth *int32 `json:"restoreHealth,omitempty"`

	// ConsecutiveFailures evicts an endpoint after this many failures in a row.
	// +optional
	// +kubebuilder:validation:Minimum=0
	ConsecutiveFailures *int32 `json:"consecutiveFailures,omitempty"`

	// HealthThreshold evicts an endpoint whose health score, in percent, falls below it.
	// +optional
	// +kubebuilder:validation:Minimum=0
	// +kubebuilder:validation:Maximum=100
	HealthThreshold *int32 `json:"healthThreshold,omitempty"`
}

// HTTPVersion is the HTTP protocol version used towards a backend.
//
// +k8s:enum
type HTTPVersion string

const (
	// HTTPVersion1 is HTTP/1.1.
	HTTPVersion1 HTTPVersion = "HTTP1"
	// HTTPVersion2 is HTTP/2.
	HTTPVersion2 HTTPVersion = "HTTP2"
)

// HTTPPolicy sets HTTP options towards a backend.
type HTTPPolicy struct {
	// Version forces an HTTP version.
	// +optional
	Version HTTPVersion `json:"version,omitempty"`

	// RequestTimeout bounds the time for the backend to answer.
	// +optional
	// +kubebuilder:validation:XValidation:rule="matches(self, '^([0-9]{1,5}(h|m|s|ms)){1,4}$')",message="invalid duration value"
	// +kubebuilder:validation:XValidation:rule="duration(self) >= duration('1ms')",message="requestTimeout must be at least 1ms"
	RequestTimeout *metav1.Duration `json:"requestTimeout,omitempty"`
}

// TCPPolicy sets TCP options towards a backend.
type TCPPolicy struct {
	// Keepalive turns on TCP keepalive probes.
	// +optional
	Keepalive *Keepalive `json:"keepalive,omitempty"`

	// ConnectTimeout bounds the time to establish a connection.
	// +optional
	// +kubebuilder:validation:XValidation:rule="matches(self, '^([0-9]{1,5}(h|m|s|ms)){1,4}$')",message="invalid duration value"
	// +kubebuilder:validation:XValidation:rule="duration(self) >= duration('100ms')",message="connectTimeout must be at least 100ms"
	ConnectTimeout *metav1.Duration `json:"connectTimeout,omitempty"`
}

// Keepalive configures TCP keepalive probes.
type Keepalive struct {
	// Retries is the number of unanswered probes before the connection is dropped.
	// +optional
	// +kubebuilder:validation:Minimum=1
	// +kubebuilder:validation:Maximum=64
	Retries *int32 `json:"retries,omitempty"`

	// Time is the idle time before the first probe.
	// +optional
	// +kubebuilder:validation:XValidation:rule="matches(self, '^([0-9]{1,5}(h|m|s|ms)){1,4}$')",message="invalid duration value"
	// +kubebuilder:validation:XValidation:rule="duration(self) >= duration('1s')",message="time must be at least 1 second"
	Time *metav1.Duration `json:"time,omitempty"`

	// Interval is the time between probes.
	// +optional
	// +kubebuilder:validation:XValidation:rule="matches(self, '^([0-9]{1,5}(h|m|s|ms)){1,4}$')",message="invalid duration value"
	// +kubebuilder:validation:XValidation:rule="duration(self) >= duration('1s')",message="interval must be at least 1 second"
	Interval *metav1.Duration `json:"interval,omitempty"`
}

// InsecureTLSMode names the checks that are skipped on the backend's certificate.
//
// +k8s:enum
type InsecureTLSMode string

const (
	// InsecureTLSAll skips every certificate check.
	InsecureTLSAll InsecureTLSMode = "All"
	// InsecureTLSHostname checks the chain but not the host name.
	InsecureTLSHostname InsecureTLSMode = "Hostname"
)

// BackendTLS configures the TLS connection to a backend.
//
// +kubebuilder:validation:XValidation:rule="has(self.insecureSkipVerify) && self.insecureSkipVerify == 'All' ? !has(self.caCertificateRefs) : true",message="insecureSkipVerify All and caCertificateRefs may not be set together"
// +kubebuilder:validation:XValidation:rule="has(self.insecureSkipVerify) ? !has(self.verifySubjectAltNames) : true",message="insecureSkipVerify and verifySubjectAltNames may not be set together"
// +kubebuilder:validation:XValidation:rule="[has(self.verifySubjectAltNames),has(self.insecureSkipVerify)].filter(x,x==true).size() <= 1",message="at most one of the fields in [verifySubjectAltNames insecureSkipVerify] may be set"
type BackendTLS struct {
	// MTLSCertificateRef names a Secret with the client certificate and key.
	// +optional
	// +listType=atomic
	// +kubebuilder:validation:MaxItems=1
	MTLSCertificateRef []LocalSecretObjectRef `json:"mtlsCertificateRef,omitempty"`

	// CACertificateRefs names a ConfigMap with the CA bundle that signs the backend's
	// certificate; the system roots are used when unset.
	// +optional
	// +listType=atomic
	// +kubebuilder:validation:MaxItems=1
	CACertificateRefs []corev1.LocalObjectReference `json:"caCertificateRefs,omitempty"`

	// InsecureSkipVerify turns certificate checks off, fully or for the host name.
	// +optional
	InsecureSkipVerify InsecureTLSMode `json:"insecureSkipVerify,omitempty"`

	// SNI is the server name sent in the TLS handshake.
	// +optional
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=253
	// +kubebuilder:validation:Pattern=`^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$`
	SNI string `json:"sni,omitempty"`

	// VerifySubjectAltNames are names the backend's certificate must carry.
	// +optional
	// +kubebuilder:validation:MinItems=1
	// +kubebuilder:validation:MaxItems=16
	// +kubebuilder:validation:items:MinLength=1
	// +kubebuilder:validation:items:MaxLength=256
	VerifySubjectAltNames []string `json:"verifySubjectAltNames,omitempty"`

	// ALPNProtocols are offered in the handshake.
	// +optional
	// +kubebuilder:validation:MinItems=1
	// +kubebuilder:validation:MaxItems=16
	// +kubebuilder:validation:items:MinLength=1
	// +kubebuilder:validation:items:MaxLength=64
	ALPNProtocols []string `json:"alpnProtocols,omitempty"`

	// KeyExchangeGroups are the key exchange groups offered in the handshake.
	// +optional
	KeyExchangeGroups []KeyExchangeGroup `json:"keyExchangeGroups,omitempty"`
}

// Transformation edits requests and/or responses; set at least one side.
//
// +kubebuilder:validation:XValidation:rule="[has(self.request),has(self.response)].filter(x,x==true).size() >= 1",message="at least one of the fields in [request response] must be set"
type Transformation struct {
	// Request edits the request before it is forwarded.
	// +optional
	Request *TransformationRules `json:"request,omitempty"`

	// Response edits the response before it is returned.
	// +optional
	Response *TransformationRules `json:"response,omitempty"`
}

// TransformationConditional is a Transformation applied when its condition holds.
type TransformationConditional struct {
	// Condition is a CEL expression; an entry without one always applies.
	// +optional
	Condition CELExpression `json:"condition,omitempty"`

	// Policy is applied when the condition holds.
	// +required
	Policy Transformation `json:"policy"`
}

// TransformationOrConditional is either one Transformation or a list of conditional
// ones.
//
// +kubebuilder:validation:XValidation:rule="[has(self.conditional),has(self.request),has(self.response)].filter(x,x==true).size() >= 1",message="at least one of the fields in [conditional request response] must be set"
// +kubebuilder:validation:XValidation:rule="has(self.conditional) ? [has(self.request),has(self.response)].filter(x,x==true).size() == 0 : true",message="conditional cannot be set with any other field"
type TransformationOrConditional struct {
	// Request edits the request before it is forwarded.
	// +optional
	Request *TransformationRules `json:"request,omitempty"`

	// Response edits the response before it is returned.
	// +optional
	Response *TransformationRules `json:"response,omitempty"`

	// Conditional lists transformations tried in order; the first whose condition
	// holds applies.
	// +optional
	// +kubebuilder:validation:MinItems=1
	// +kubebuilder:validation:MaxItems=16
	// +kubebuilder:validation:XValidation:message="conditional entries without condition must be last",rule="self.filter(e, !has(e.condition)).size() <= 1 && (!self.exists(e, !has(e.condition)) || !has(self[size(self) - 1].condition))"
	Conditional []TransformationConditional `json:"conditional,omitempty"`
}

// TransformationRules are the edits applied to one message; values are CEL
// expressions. Set at least one field.
//
// +kubebuilder:validation:XValidation:rule="[has(self.add),has(self.body),has(self.metadata),has(self.remove),has(self.set)].filter(x,x==true).size() >= 1",message="at least one of the fields in [add body metadata remove set] must be set"
type TransformationRules struct {
	// Set replaces headers, or adds them when missing.
	// +optional
	// +listType=map
	// +listMapKey=name
	// +kubebuilder:validation:MinItems=1
	// +kubebuilder:validation:MaxItems=16
	Set []HeaderTransformation `json:"set,omitempty"`

	// Add appends header values, keeping existing ones.
	// +optional
	// +listType=map
	// +listMapKey=name
	// +kubebuilder:validation:MinItems=1
	// +kubebuilder:validation:MaxItems=16
	Add []HeaderTransformation `json:"add,omitempty"`

	// Remove deletes headers by name.
	// +optional
	// +listType=set
	// +kubebuilder:validation:MinItems=1
	// +kubebuilder:validation:MaxItems=16
	Remove []HeaderNameOrPseudo `json:"remove,omitempty"`

	// Body is a CEL expression whose result replaces the body.
	// +optional
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=16384
	Body string `json:"body,omitempty"`

	// Metadata stores the result of each CEL expression under its key for later use.
	// +optional
	// +kubebuilder:validation:MinProperties=1
	// +kubebuilder:validation:MaxProperties=16
	Metadata map[string]CELExpression `json:"metadata,omitempty"`
}

// HeaderNameOrPseudo is an HTTP header name, or one of the HTTP/2 pseudo-headers.
//
// +kubebuilder:validation:MinLength=1
// +kubebuilder:validation:MaxLength=256
// +kubebuilder:validation:Pattern=`^:?[A-Za-z0-9!#$%&'*+\-.^_\x60|~]+$`
// +kubebuilder:validation:XValidation:rule="!self.startsWith(':') || self in [':authority', ':method', ':path', ':scheme', ':status']",message="pseudo-headers must be one of :authority, :method, :path, :scheme, or :status"
type HeaderNameOrPseudo string

// CELExpression is a CEL expression evaluated by the proxy.
//
// +kubebuilder:validation:MinLength=1
// +kubebuilder:validation:MaxLength=16384
type CELExpression string

// HeaderTransformation sets one header to the result of a CEL expression.
type HeaderTransformation struct {
	// Name is the header to write.
	// +required
	Name HeaderNameOrPseudo `json:"name"`

	// Value is a CEL expression giving the header value.
	// +required
	Value CELExpression `json:"value"`
}

// Tunnel sends traffic to the backend through an HTTP CONNECT proxy.
type Tunnel struct {
	// BackendRef is the proxy to tunnel through.
	// +required
	BackendRef gwv1.BackendObjectReference `json:"backendRef"`
}

// MCPPolicy secures an MCP backend; set at least one field.
//
// +kubebuilder:validation:XValidation:rule="[has(self.authentication),has(self.authorization),has(self.guardrails)].filter(x,x==true).size() >= 1",message="at least one of the fields in [authentication authorization guardrails] must be set"
type MCPPolicy struct {
	// Authentication checks the MCP client's JWT.
	// +optional
	Authentication *MCPAuthentication `json:"authentication,omitempty"`

	// Authorization allows or denies MCP calls by CEL expression.
	// +optional
	Authorization *Authorization `json:"authorization,omitempty"`

	// Guardrails send MCP messages to external processors for inspection.
	// +optional
	Guardrails *MCPGuardrails `json:"guardrails,omitempty"`
}

// MCPMethodPhase says which messages of an MCP method a guardrail processor sees.
//
// +k8s:enum
type MCPMethodPhase string

const (
	// MCPMethodPhaseOff sends nothing.
	MCPMethodPhaseOff MCPMethodPhase = "Off"
	// MCPMethodPhaseRequest sends the requests.
	MCPMethodPhaseRequest MCPMethodPhase = "Request"
	// MCPMethodPhaseResponse sends the responses.
	MCPMethodPhaseResponse MCPMethodPhase = "Response"
	// MCPMethodPhaseFull sends requests and responses.
	MCPMethodPhaseFull MCPMethodPhase = "Full"
)

// MCPGuardrails is the ordered list of guardrail processors for MCP traffic.
type MCPGuardrails struct {
	// Processors are applied in order.
	// +required
	// +kubebuilder:validation:MinItems=1
	// +kubebuilder:validation:MaxItems=16
	Processors []MCPGuardrailsProcessor `json:"processors"`
}

// MCPGuardrailsProcessor is one guardrail processor and the methods it inspects.
//
// +kubebuilder:validation:XValidation:rule="[has(self.remote)].filter(x,x==true).size() == 1",message="exactly one of the fields in [remote] must be set"
type MCPGuardrailsProcessor struct {
	// Remote is a processor reached over the network.
	// +optional
	Remote *MCPGuardrailsRemote `json:"remote,omitempty"`

	// Methods maps MCP method names (or wildcards) to the messages sent.
	// +required
	// +kubebuilder:validation:MinProperties=1
	// +kubebuilder:validation:MaxProperties=64
	// +kubebuilder:validation:XValidation:rule="self.all(k, !k.contains('*') || (k.indexOf('*') == k.lastIndexOf('*') && (k.indexOf('*') == 0 || k.indexOf('*') == size(k) - 1)))",message="method wildcards must be '*', a prefix like 'tools/*', or a suffix like '*/list'"
	Methods map[string]MCPMethodPhase `json:"methods"`
}

// MCPGuardrailsRemote is a remote guardrail processor.
type MCPGuardrailsRemote struct {
	// BackendRef is the processor service.
	// +required
	BackendRef gwv1.BackendObjectReference `json:"backendRef"`

	// FailureMode is what happens when the processor cannot be reached.
	// +optional
	FailureMode FailureMode `json:"failureMode,omitempty"`

	// Metadata sends the result of each CEL expression under its key.
	// +optional
	// +kubebuilder:validation:MaxProperties=64
	Metadata map[string]CELExpression `json:"metadata,omitempty"`

	// AllowedRequestHeaders are client request headers forwarded to the processor.
	// +optional
	// +listType=set
	// +kubebuilder:validation:MaxItems=64
	AllowedRequestHeaders []HeaderNameOrPseudo `json:"allowedRequestHeaders,omitempty"`

	// DisallowedRequestHeaders are client request headers never forwarded.
	// +optional
	// +listType=set
	// +kubebuilder:validation:MaxItems=64
	DisallowedRequestHeaders []HeaderNameOrPseudo `json:"disallowedRequestHeaders,omitempty"`
}

// JWTMode is how strictly a JWT is required.
//
// +k8s:enum
type JWTMode string

const (
	// JWTModeStrict requires a valid token.
	JWTModeStrict JWTMode = "Strict"
	// JWTModeOptional checks a token when one is sent.
	JWTModeOptional JWTMode = "Optional"
	// JWTModePermissive never rejects a request because of its token.
	JWTModePermissive JWTMode = "Permissive"
)

// MCPIdentityProvider is an identity provider with MCP-specific handling.
//
// +k8s:enum
type MCPIdentityProvider string

const (
	// MCPIdentityProviderAuth0 is Auth0.
	MCPIdentityProviderAuth0 MCPIdentityProvider = "Auth0"
	// MCPIdentityProviderKeycloak is Keycloak.
	MCPIdentityProviderKeycloak MCPIdentityProvider = "Keycloak"
	// MCPIdentityProviderOkta is Okta.
	MCPIdentityProviderOkta MCPIdentityProvider = "Okta"
)

// MCPAuthentication validates JWTs presented by MCP clients and publishes the
// protected-resource metadata that MCP clients discover.
type MCPAuthentication struct {
	// ResourceMetadata is served as the OAuth protected-resource metadata document.
	// +optional
	ResourceMetadata map[string]apiextensionsv1.JSON `json:"resourceMetadata,omitempty"`

	// Provider turns on handling specific to an identity provider.
	// +optional
	Provider MCPIdentityProvider `json:"provider,omitempty"`

	// Issuer is the expected token issuer.
	// +optional
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=256
	Issuer string `json:"issuer,omitempty"`

	// Audiences are the accepted token audiences.
	// +optional
	// +kubebuilder:validation:MinItems=1
	// +kubebuilder:validation:MaxItems=64
	Audiences []string `json:"audiences,omitempty"`

	// JWKS is where the signing keys are fetched.
	// +required
	JWKS RemoteJWKS `json:"jwks"`

	// Mode is how strictly a token is required.
	// +optional
	// +kubebuilder:default=Strict
	Mode JWTMode `json:"mode,omitempty"`

	// ClientID is the OAuth client ID advertised to MCP clients.
	// +optional
	ClientID *string `json:"clientId,omitempty"`
}

// RemoteJWKS fetches a JSON Web Key Set from a backend.
type RemoteJWKS struct {
	// JWKSPath is the HTTP path of the key set on the backend.
	// +required
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=2000
	JWKSPath string `json:"jwksPath"`

	// CacheDuration is how long fetched keys are kept.
	// +optional
	// +kubebuilder:default="5m"
	// +kubebuilder:validation:XValidation:rule="matches(self, '^([0-9]{1,5}(h|m|s|ms)){1,4}$')",message="invalid duration value"
	// +kubebuilder:validation:XValidation:rule="duration(self) >= duration('5m')",message="cacheDuration must be at least 5m."
	CacheDuration *metav1.Duration `json:"cacheDuration,omitempty"`

	// BackendRef is the server that hosts the key set.
	// +required
	BackendRef gwv1.BackendObjectReference `json:"backendRef"`
}

// AuthorizationAction is what happens when an authorization policy matches.
//
// +k8s:enum
type AuthorizationAction string

const (
	// AuthorizationAllow allows matching requests.
	AuthorizationAllow AuthorizationAction = "Allow"
	// AuthorizationDeny denies matching requests.
	AuthorizationDeny AuthorizationAction = "Deny"
	// AuthorizationRequire denies requests that do not match.
	AuthorizationRequire AuthorizationAction = "Require"
)

// Authorization allows or denies requests by CEL expressions.
type Authorization struct {
	// Policy holds the expressions.
	// +required
	Policy AuthorizationPolicy `json:"policy"`

	// Action is applied when an expression matches.
	// +optional
	// +kubebuilder:default=Allow
	Action AuthorizationAction `json:"action,omitempty"`
}

// AuthorizationPolicy is a list of CEL expressions; the policy matches when any of
// them is true.
type AuthorizationPolicy struct {
	// MatchExpressions are the CEL expressions.
	// +required
	// +kubebuilder:validation:MinItems=1
	// +kubebuilder:validation:MaxItems=256
	MatchExpressions []CELExpression `json:"matchExpressions"`
}
