package kgatewayv21

import (
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// Backend is an upstream that routes can send traffic to. kubelb-ai uses the AI type,
// which points at one LLM provider or at prioritised groups of them.
//
// +kubebuilder:object:root=true
// +kubebuilder:subresource:status
// +kubebuilder:resource:categories=kgateway
// +kubebuilder:metadata:labels="app=kgateway"
// +kubebuilder:metadata:labels="app.kubernetes.io/name=kgateway"
// +kubebuilder:printcolumn:name="Type",type=string,JSONPath=".spec.type",description="The kind of upstream"
// +kubebuilder:printcolumn:name="Accepted",type=string,JSONPath=".status.conditions[?(@.type=='Accepted')].status",description="Whether the controller accepted the backend"
// +kubebuilder:printcolumn:name="Age",type=date,JSONPath=".metadata.creationTimestamp",description="Time since the object was created"
type Backend struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	// Spec says what kind of upstream this is and how to reach it.
	// +optional
	Spec BackendSpec `json:"spec,omitzero"`

	// Status is written by the kgateway controller; the CLI never sets it.
	// +optional
	Status BackendStatus `json:"status,omitzero"`
}

// BackendList is a list of Backend objects.
//
// +kubebuilder:object:root=true
type BackendList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []Backend `json:"items"`
}

// BackendType names the kind of upstream a Backend describes.
//
// +kubebuilder:validation:Enum=AI;AWS;Static;DynamicForwardProxy;MCP
type BackendType string

const (
	// BackendTypeAI is an LLM provider, or groups of them.
	BackendTypeAI BackendType = "AI"
	// BackendTypeAWS is an AWS Lambda function.
	BackendTypeAWS BackendType = "AWS"
	// BackendTypeStatic is a fixed list of hosts.
	BackendTypeStatic BackendType = "Static"
	// BackendTypeDynamicForwardProxy resolves the upstream from each request's host.
	BackendTypeDynamicForwardProxy BackendType = "DynamicForwardProxy"
	// BackendTypeMCP is a set of MCP servers (agentgateway class only).
	BackendTypeMCP BackendType = "MCP"
)

// BackendSpec holds the type of a Backend and the settings for that type.
//
// +kubebuilder:validation:XValidation:rule="self.type == 'AI' ? has(self.ai) : true",message="ai backend must be specified when type is 'AI'"
// +kubebuilder:validation:XValidation:rule="self.type == 'AWS' ? has(self.aws) : true",message="aws backend must be specified when type is 'AWS'"
// +kubebuilder:validation:XValidation:rule="self.type == 'Static' ? has(self.static) : true",message="static backend must be specified when type is 'Static'"
// +kubebuilder:validation:XValidation:rule="self.type == 'DynamicForwardProxy' ? has(self.dynamicForwardProxy) : true",message="dynamicForwardProxy backend must be specified when type is 'DynamicForwardProxy'"
// +kubebuilder:validation:XValidation:rule="self.type == 'MCP' ? has(self.mcp) : true",message="mcp backend must be specified when type is 'MCP'"
// +kubebuilder:validation:XValidation:rule="[has(self.ai),has(self.aws),has(self.static),has(self.dynamicForwardProxy),has(self.mcp)].filter(x,x==true).size() == 1",message="exactly one of the fields in [ai aws static dynamicForwardProxy mcp] must be set"
type BackendSpec struct {
	// Type selects which one of the type-specific fields below must be set.
	// +required
	Type BackendType `json:"type"`

	// AI configures an LLM upstream; set it when type is AI.
	// +optional
	AI *AIBackend `json:"ai,omitempty"`

	// AWS configures an AWS Lambda upstream; set it when type is AWS.
	// +optional
	AWS *AwsBackend `json:"aws,omitempty"`

	// Static lists fixed hosts; set it when type is Static.
	// +optional
	Static *StaticBackend `json:"static,omitempty"`

	// DynamicForwardProxy sends each request to the host it names; set it when type is
	// DynamicForwardProxy.
	// +optional
	DynamicForwardProxy *DynamicForwardProxyBackend `json:"dynamicForwardProxy,omitempty"`

	// MCP lists MCP servers; set it when type is MCP.
	// +optional
	MCP *MCP `json:"mcp,omitempty"`
}

// AppProtocol is the application protocol spoken to static hosts.
//
// +kubebuilder:validation:Enum=http2;grpc;grpc-web;kubernetes.io/h2c;kubernetes.io/ws
type AppProtocol string

// StaticBackend sends traffic to a fixed set of hosts.
type StaticBackend struct {
	// Hosts are the endpoints traffic is balanced over.
	// +required
	// +kubebuilder:validation:MinItems=1
	Hosts []Host `json:"hosts"`

	// AppProtocol, when set, replaces plain HTTP/1 towards the hosts.
	// +optional
	AppProtocol *AppProtocol `json:"appProtocol,omitempty"`
}

// DynamicForwardProxyBackend forwards to whatever host each request names.
type DynamicForwardProxyBackend struct {
	// EnableTLS makes the proxy use TLS towards the resolved host.
	// +optional
	EnableTLS bool `json:"enableTls,omitempty"`
}

// AIBackend is either a single LLM provider or prioritised groups of providers.
//
// +kubebuilder:validation:XValidation:rule="[has(self.llm),has(self.priorityGroups)].filter(x,x==true).size() == 1",message="exactly one of the fields in [llm priorityGroups] must be set"
type AIBackend struct {
	// LLM sends every request to one provider.
	// +optional
	LLM *LLMProvider `json:"llm,omitempty"`

	// PriorityGroups are tried in order: the first group is preferred, later groups take
	// over when the earlier ones are unhealthy.
	// +optional
	// +kubebuilder:validation:MinItems=1
	// +kubebuilder:validation:MaxItems=32
	PriorityGroups []PriorityGroup `json:"priorityGroups,omitempty"`
}

// LLMProvider is one provider, with optional replacements for its default address, path
// and authorization header. Exactly one provider field must be set.
//
// +kubebuilder:validation:XValidation:rule="has(self.host) || has(self.port) ? has(self.host) && has(self.port) : true",message="both host and port must be set together"
// +kubebuilder:validation:XValidation:rule="[has(self.openai),has(self.azureopenai),has(self.anthropic),has(self.gemini),has(self.vertexai),has(self.bedrock)].filter(x,x==true).size() == 1",message="exactly one of the fields in [openai azureopenai anthropic gemini vertexai bedrock] must be set"
type LLMProvider struct {
	// OpenAI selects the OpenAI API or an OpenAI-compatible server.
	// +optional
	OpenAI *OpenAIConfig `json:"openai,omitempty"`

	// AzureOpenAI selects a deployment on Azure OpenAI.
	// +optional
	AzureOpenAI *AzureOpenAIConfig `json:"azureopenai,omitempty"`

	// Anthropic selects the Anthropic Messages API.
	// +optional
	Anthropic *AnthropicConfig `json:"anthropic,omitempty"`

	// Gemini selects the Google Gemini API.
	// +optional
	Gemini *GeminiConfig `json:"gemini,omitempty"`

	// VertexAI selects a model hosted on Google Vertex AI.
	// +optional
	VertexAI *VertexAIConfig `json:"vertexai,omitempty"`

	// Bedrock selects a model on Amazon Bedrock. The Envoy-based kgateway class does not
	// support it; only the agentgateway class does.
	// +optional
	Bedrock *BedrockConfig `json:"bedrock,omitempty"`

	// Host sends requests to this address instead of the provider's public endpoint;
	// it must be set together with Port.
	// +optional
	// +kubebuilder:validation:MinLength=1
	Host string `json:"host,omitempty"`

	// Port is the TCP port on Host; it must be set together with Host.
	// +optional
	Port int32 `json:"port,omitempty"`

	// Path replaces the provider's default request path.
	// +optional
	Path *PathOverride `json:"path,omitempty"`

	// AuthHeader changes the header that carries the credential, or its value prefix.
	// +optional
	AuthHeader *AuthHeader `json:"authHeader,omitempty"`
}

// PathOverride replaces the request path sent to the provider.
type PathOverride struct {
	// Full is the complete path to use, such as /v1/chat/completions.
	// +optional
	// +kubebuilder:validation:MinLength=1
	Full string `json:"full,omitempty"`
}

// AuthHeader changes how the credential is sent to the provider.
//
// +kubebuilder:validation:XValidation:rule="has(self.prefix) || has(self.headerName)",message="at least one of prefix or headerName must be set"
type AuthHeader struct {
	// Prefix is written before the token in the header value, in place of the
	// provider's usual prefix.
	// +optional
	// +kubebuilder:validation:MinLength=1
	Prefix string `json:"prefix,omitempty"`

	// HeaderName is the header that carries the credential.
	// +optional
	// +kubebuilder:validation:MinLength=1
	HeaderName string `json:"headerName,omitempty"`
}

// PriorityGroup is one failover level: providers that share the load.
type PriorityGroup struct {
	// Providers lists the providers of this level; their names must be unique within it.
	// All providers of a Backend must be of the same provider kind on the Envoy-based
	// kgateway class.
	// +optional
	// +kubebuilder:validation:MinItems=1
	// +kubebuilder:validation:MaxItems=32
	// +kubebuilder:validation:XValidation:rule="self.all(p1, self.exists_one(p2, p1.name == p2.name))",message="provider names must be unique within a group"
	Providers []NamedLLMProvider `json:"providers,omitempty"`
}

// NamedLLMProvider is a provider with a name that identifies it within its group.
type NamedLLMProvider struct {
	// Name identifies the provider; it must be a DNS subdomain.
	// +required
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=253
	// +kubebuilder:validation:Pattern=`^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$`
	Name string `json:"name"`

	LLMProvider `json:",inline"`
}

// OpenAIConfig configures the OpenAI provider.
type OpenAIConfig struct {
	// AuthToken is the API key sent to OpenAI.
	// +required
	AuthToken SingleAuthToken `json:"authToken"`

	// Model, when set, replaces the model named in each request.
	// +optional
	Model string `json:"model,omitempty"`
}

// AzureOpenAIConfig configures the Azure OpenAI provider.
type AzureOpenAIConfig struct {
	// AuthToken is the API key of the Azure OpenAI resource.
	// +required
	AuthToken SingleAuthToken `json:"authToken"`

	// Endpoint is the host name of the Azure OpenAI resource, without a scheme.
	// +required
	// +kubebuilder:validation:MinLength=1
	Endpoint string `json:"endpoint"`

	// DeploymentName is the model deployment requests are sent to.
	// +required
	// +kubebuilder:validation:MinLength=1
	DeploymentName string `json:"deploymentName"`

	// APIVersion is the api-version query value Azure expects.
	// +required
	// +kubebuilder:validation:MinLength=1
	APIVersion string `json:"apiVersion"`
}

// AnthropicConfig configures the Anthropic provider.
type AnthropicConfig struct {
	// AuthToken is the Anthropic API key.
	// +required
	AuthToken SingleAuthToken `json:"authToken"`

	// Version is the Anthropic API version. The Envoy-based data plane does not appear
	// to use it.
	// +optional
	Version string `json:"apiVersion,omitempty"`

	// Model, when set, replaces the model named in each request.
	// +optional
	Model string `json:"model,omitempty"`
}

// GeminiConfig configures the Google Gemini provider.
type GeminiConfig struct {
	// AuthToken is the Gemini API key.
	// +required
	AuthToken SingleAuthToken `json:"authToken"`

	// Model is the Gemini model to call; it is part of the request path.
	// +required
	Model string `json:"model"`

	// APIVersion is the version segment of the request path, such as v1beta.
	// +required
	APIVersion string `json:"apiVersion"`
}

// Publisher names the publisher of a Vertex AI model.
//
// +kubebuilder:validation:Enum=GOOGLE
type Publisher string

// PublisherGoogle is the publisher of Google's own models.
const PublisherGoogle Publisher = "GOOGLE"

// VertexAIConfig configures the Google Vertex AI provider.
type VertexAIConfig struct {
	// AuthToken is the access token used against Vertex AI.
	// +required
	AuthToken SingleAuthToken `json:"authToken"`

	// Model is the Vertex AI model to call.
	// +required
	// +kubebuilder:validation:MinLength=1
	Model string `json:"model"`

	// APIVersion is the version segment of the request path, such as v1.
	// +required
	// +kubebuilder:validation:MinLength=1
	APIVersion string `json:"apiVersion"`

	// ProjectID is the Google Cloud project that hosts the model.
	// +required
	// +kubebuilder:validation:MinLength=1
	ProjectID string `json:"projectId"`

	// Location is the Google Cloud region of the endpoint, such as us-central1.
	// +required
	// +kubebuilder:validation:MinLength=1
	Location string `json:"location"`

	// ModelPath, when set, replaces the method part of the request path.
	// +optional
	ModelPath string `json:"modelPath,omitempty"`

	// Publisher is the model's publisher.
	// +required
	Publisher Publisher `json:"publisher"`
}

// BedrockConfig configures the Amazon Bedrock provider.
type BedrockConfig struct {
	// Auth names a Secret with AWS credentials. Without it the gateway uses the
	// credentials of its own environment.
	// +optional
	Auth *AwsAuth `json:"auth,omitempty"`

	// Model is the Bedrock model ID to call.
	// +optional
	// +kubebuilder:validation:MinLength=1
	Model string `json:"model,omitempty"`

	// Region is the AWS region of the Bedrock endpoint.
	// +optional
	// +kubebuilder:default="us-east-1"
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=63
	// +kubebuilder:validation:Pattern=`^[a-z0-9-]+$`
	Region *string `json:"region,omitempty"`

	// Guardrail applies a Bedrock guardrail to the model's input and output.
	// +optional
	Guardrail *AWSGuardrailConfig `json:"guardrail,omitempty"`
}

// AwsAuthType says how AWS credentials are supplied.
//
// +kubebuilder:validation:Enum=Secret
type AwsAuthType string

// AwsAuthTypeSecret reads the credentials from a Secret with the keys accessKey, secretKey
// and, optionally, sessionToken.
const AwsAuthTypeSecret AwsAuthType = "Secret"

// AwsAuth is the source of AWS credentials.
//
// +kubebuilder:validation:XValidation:rule="!(has(self.secretRef) && self.type != 'Secret')",message="secretRef must be nil if the type is not 'Secret'"
// +kubebuilder:validation:XValidation:rule="!(!has(self.secretRef) && self.type == 'Secret')",message="secretRef must be specified when type is 'Secret'"
type AwsAuth struct {
	// Type selects the credential source.
	// +required
	Type AwsAuthType `json:"type"`

	// SecretRef names the Secret, in the Backend's namespace, when type is Secret.
	// +optional
	SecretRef *corev1.LocalObjectReference `json:"secretRef,omitempty"`
}

// AWSGuardrailConfig names a Bedrock guardrail version.
type AWSGuardrailConfig struct {
	// Identifier is the guardrail's ID or ARN.
	// +required
	// +kubebuilder:validation:MinLength=1
	Identifier string `json:"identifier"`

	// Version is the guardrail version to apply.
	// +required
	// +kubebuilder:validation:MinLength=1
	Version string `json:"version"`
}

// AwsBackend is an AWS Lambda function.
type AwsBackend struct {
	// Lambda names the function and how it is invoked.
	// +required
	Lambda AwsLambda `json:"lambda"`

	// AccountID is the 12-digit AWS account that owns the function.
	// +required
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=12
	// +kubebuilder:validation:Pattern="^[0-9]{12}$"
	AccountID string `json:"accountId"`

	// Auth names a Secret with AWS credentials. Without it the gateway uses the
	// credentials of its own environment.
	// +optional
	Auth *AwsAuth `json:"auth,omitempty"`

	// Region is the AWS region of the function.
	// +optional
	// +kubebuilder:default="us-east-1"
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=63
	// +kubebuilder:validation:Pattern=`^[a-z0-9-]+$`
	Region *string `json:"region,omitempty"`
}

// AwsLambdaInvocationMode says whether the proxy waits for the function's result.
//
// +kubebuilder:validation:Enum=Sync;Async
type AwsLambdaInvocationMode string

// AwsLambdaPayloadTransformMode says whether requests and responses are converted
// between HTTP and the Lambda event format.
//
// +kubebuilder:validation:Enum=None;Envoy
type AwsLambdaPayloadTransformMode string

// AwsLambda names a function and how it is called.
type AwsLambda struct {
	// EndpointURL replaces the regional Lambda endpoint, for example for a local
	// emulator.
	// +optional
	// +kubebuilder:validation:MaxLength=2048
	// +kubebuilder:validation:Pattern=`^https?://[-a-zA-Z0-9@:%.+~#?&/=]+$`
	EndpointURL *string `json:"endpointURL,omitempty"`

	// FunctionName is the function's name.
	// +required
	// +kubebuilder:validation:Pattern=`^[A-Za-z0-9-_]{1,140}$`
	FunctionName string `json:"functionName"`

	// InvocationMode is Sync to wait for the result or Async to return at once.
	// +optional
	// +kubebuilder:default=Sync
	InvocationMode *AwsLambdaInvocationMode `json:"invocationMode,omitempty"`

	// Qualifier is the function version or alias.
	// +optional
	// +kubebuilder:default="$LATEST"
	// +kubebuilder:validation:Pattern=`^(\$LATEST|[0-9]+|[A-Za-z0-9-_]{1,128})$`
	Qualifier *string `json:"qualifier,omitempty"`

	// PayloadTransformMode is Envoy to convert between HTTP and Lambda events, or None
	// to pass bodies through unchanged.
	// +optional
	// +kubebuilder:default=Envoy
	PayloadTransformMode *AwsLambdaPayloadTransformMode `json:"payloadTransformMode,omitempty"`
}

// MCP is a set of MCP servers that the gateway federates.
type MCP struct {
	// Targets are the servers; their names must be unique.
	// +required
	// +listType=map
	// +listMapKey=name
	// +kubebuilder:validation:MinItems=1
	// +kubebuilder:validation:MaxItems=32
	// +kubebuilder:validation:XValidation:rule="self.all(t1, self.exists_one(t2, t1.name == t2.name))",message="target names must be unique"
	Targets []McpTargetSelector `json:"targets"`
}

// McpTargetSelector is a named MCP server, given by address or found by selecting
// Services; exactly one of the two must be set.
//
// +kubebuilder:validation:XValidation:rule="[has(self.selector),has(self.static)].filter(x,x==true).size() == 1",message="exactly one of the fields in [selector static] must be set"
type McpTargetSelector struct {
	// Name identifies the target.
	// +required
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=253
	// +kubebuilder:validation:Pattern=`^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$`
	Name string `json:"name"`

	// Selector finds Services that serve MCP.
	// +optional
	Selector *McpSelector `json:"selector,omitempty"`

	// Static is one server at a fixed address.
	// +optional
	Static *McpTarget `json:"static,omitempty"`
}

// McpSelector selects Services by label, within namespaces selected by label.
//
// +kubebuilder:validation:XValidation:rule="has(self.__namespace__) || has(self.service)",message="at least one of namespace or service must be set"
type McpSelector struct {
	// Namespace selects the namespaces searched; the Backend's own when unset.
	// +optional
	Namespace *metav1.LabelSelector `json:"namespace,omitempty"`

	// Service selects the Services.
	// +optional
	Service *metav1.LabelSelector `json:"service,omitempty"`
}

// MCPProtocol is the transport an MCP server speaks.
//
// +kubebuilder:validation:Enum=StreamableHTTP;SSE
type MCPProtocol string

// McpTarget is an MCP server at a fixed address.
type McpTarget struct {
	// Host is the server's host name or IP address.
	// +required
	// +kubebuilder:validation:MinLength=1
	Host string `json:"host"`

	// Port is the server's TCP port.
	// +required
	// +kubebuilder:validation:Minimum=1
	// +kubebuilder:validation:Maximum=65535
	Port int32 `json:"port"`

	// Protocol is the transport; the gateway guesses when unset.
	// +optional
	Protocol *MCPProtocol `json:"protocol,omitempty"`

	// Path is the URL path of the MCP endpoint.
	// +optional
	Path *string `json:"path,omitempty"`
}
