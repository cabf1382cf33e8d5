package agentgatewayv13

import (
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// AgentgatewayBackend describes one upstream that agentgateway routes to: an LLM
// provider (or a failover set of them), a fixed host and port, or a set of MCP servers.
//
// +kubebuilder:object:root=true
// +kubebuilder:object:generate=false
// +kubebuilder:subresource:status
// +kubebuilder:resource:categories=agentgateway,shortName=agbe
// +kubebuilder:printcolumn:name="Accepted",type=string,JSONPath=".status.conditions[?(@.type=='Accepted')].status",description="Whether the controller accepted this backend"
// +kubebuilder:printcolumn:name="Age",type=date,JSONPath=".metadata.creationTimestamp"
type AgentgatewayBackend struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	// Spec selects the kind of backend and the policies applied to traffic sent to it.
	// +required
	Spec AgentgatewayBackendSpec `json:"spec"`

	// Status is written by the agentgateway controller; the CLI never sets it.
	// +optional
	Status AgentgatewayBackendStatus `json:"status,omitzero"`
}

// AgentgatewayBackendList is a list of AgentgatewayBackend objects.
//
// +kubebuilder:object:root=true
// +kubebuilder:object:generate=false
type AgentgatewayBackendList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []AgentgatewayBackend `json:"items"`
}

// AgentgatewayBackendSpec holds exactly one backend kind plus optional policies.
//
// +kubebuilder:validation:XValidation:rule="has(self.policies) && has(self.policies.ai) ? has(self.ai) : true",message="AI policies require AI backend"
// +kubebuilder:validation:XValidation:rule="has(self.policies) && has(self.policies.mcp) ? has(self.mcp) : true",message="MCP policies require MCP backend"
// +kubebuilder:validation:XValidation:rule="[has(self.ai),has(self.static),has(self.dynamicForwardProxy),has(self.mcp),has(self.aws),has(self.a2a)].filter(x,x==true).size() == 1",message="exactly one of the fields in [ai static dynamicForwardProxy mcp aws a2a] must be set"
type AgentgatewayBackendSpec struct {
	// AI makes this backend an LLM provider, or prioritised groups of providers.
	// +optional
	AI *AIBackend `json:"ai,omitempty"`

	// Static makes this backend a single fixed host and port.
	// +optional
	Static *StaticBackend `json:"static,omitempty"`

	// MCP makes this backend a multiplexer over one or more MCP servers.
	// +optional
	MCP *MCPBackend `json:"mcp,omitempty"`

	// DynamicForwardProxy sends each request to the host named in the request itself.
	// +optional
	DynamicForwardProxy *DynamicForwardProxyBackend `json:"dynamicForwardProxy,omitempty"`

	// AWS makes this backend an AWS service, such as a Bedrock AgentCore runtime.
	// +optional
	AWS *AWSBackend `json:"aws,omitempty"`

	// A2A makes this backend an agent speaking the Agent2Agent protocol.
	// +optional
	A2A *A2ABackend `json:"a2a,omitempty"`

	// Policies apply to every request sent to this backend.
	// +optional
	Policies *BackendPolicies `json:"policies,omitempty"`
}

// AgentgatewayBackendStatus reports what the controller made of the backend.
type AgentgatewayBackendStatus struct {
	// Conditions are the controller's observations, keyed by type (for example Accepted).
	// +optional
	// +listType=map
	// +listMapKey=type
	// +kubebuilder:validation:MaxItems=8
	Conditions []metav1.Condition `json:"conditions,omitempty"`
}

// StaticBackend is a backend reached at a fixed address: a host and port, or a Unix
// domain socket.
//
// +kubebuilder:validation:XValidation:rule="has(self.unixPath) || (has(self.host) && has(self.port))",message="must specify either unixPath or both host and port"
// +kubebuilder:validation:XValidation:rule="!has(self.unixPath) || (!has(self.host) && !has(self.port))",message="unixPath and host/port are mutually exclusive"
type StaticBackend struct {
	// Host is the DNS name or IP address to connect to.
	// +optional
	Host ShortString `json:"host,omitempty"`

	// Port is the TCP port to connect to.
	// +optional
	// +kubebuilder:validation:Minimum=1
	// +kubebuilder:validation:Maximum=65535
	Port int32 `json:"port,omitempty"`

	// UnixPath is the file system path of a Unix domain socket.
	// +optional
	// +kubebuilder:validation:MinLength=1
	UnixPath *string `json:"unixPath,omitempty"`
}

// A2ABackend is an Agent2Agent agent at a fixed address.
type A2ABackend struct {
	// Host is the DNS name or IP address of the agent.
	// +required
	Host ShortString `json:"host"`

	// Port is the agent's TCP port.
	// +required
	// +kubebuilder:validation:Minimum=1
	// +kubebuilder:validation:Maximum=65535
	Port int32 `json:"port"`
}

// AIBackend is either one provider or an ordered list of provider groups used for
// failover; set exactly one of the two.
//
// +kubebuilder:validation:XValidation:rule="[has(self.provider),has(self.groups)].filter(x,x==true).size() == 1",message="exactly one of the fields in [provider groups] must be set"
type AIBackend struct {
	// Provider is the single LLM provider behind this backend.
	// +optional
	Provider *LLMProvider `json:"provider,omitempty"`

	// Groups are tried in order: the first group with a healthy provider serves the
	// request, and providers inside a group share its traffic.
	// +optional
	// +kubebuilder:validation:MinItems=1
	// +kubebuilder:validation:MaxItems=8
	Groups []PriorityGroup `json:"groups,omitempty"`
}

// PriorityGroup is one failover tier of LLM providers.
type PriorityGroup struct {
	// Providers are the members of this tier; their names must differ.
	// +required
	// +kubebuilder:validation:MinItems=1
	// +kubebuilder:validation:MaxItems=16
	// +kubebuilder:validation:XValidation:rule="self.all(p1, self.exists_one(p2, p1.name == p2.name))",message="provider names must be unique within a group"
	Providers []NamedLLMProvider `json:"providers"`
}

// NamedLLMProvider is an LLM provider inside a PriorityGroup. It carries a name and may
// carry its own policies, for example a separate API key per provider.
type NamedLLMProvider struct {
	// Name identifies the provider within its group.
	// +required
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=253
	// +kubebuilder:validation:Pattern=`^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$`
	Name string `json:"name"`

	LLMProvider `json:",inline"`

	// Policies apply only to requests sent to this provider.
	// +optional
	Policies *ProviderPolicies `json:"policies,omitempty"`
}

// LLMProvider selects exactly one provider API and optionally overrides where it is
// reached.
//
// +kubebuilder:validation:XValidation:rule="has(self.host) || has(self.port) ? has(self.host) && has(self.port) : true",message="both host and port must be set together"
// +kubebuilder:validation:XValidation:rule="has(self.custom) ? has(self.custom.backendRef) != has(self.host) : true",message="custom providers must specify exactly one of backendRef or host and port"
// +kubebuilder:validation:XValidation:rule="!(has(self.path) && has(self.pathPrefix))",message="path and pathPrefix are mutually exclusive"
// +kubebuilder:validation:XValidation:rule="!(has(self.custom) && self.custom.formats.exists(f, has(f.path)) && (has(self.path) || has(self.pathPrefix)))",message="path, pathPrefix, and custom format paths are mutually exclusive"
// +kubebuilder:validation:XValidation:rule="has(self.pathPrefix) ? has(self.host) : true",message="pathPrefix requires host to be set"
// +kubebuilder:validation:XValidation:rule="[has(self.openai),has(self.azureopenai),has(self.azure),has(self.anthropic),has(self.gemini),has(self.vertexai),has(self.bedrock),has(self.custom)].filter(x,x==true).size() == 1",message="exactly one of the fields in [openai azureopenai azure anthropic gemini vertexai bedrock custom] must be set"
type LLMProvider struct {
	// OpenAI selects the OpenAI API (also used for OpenAI-compatible servers together
	// with Host and Port).
	// +optional
	OpenAI *OpenAIConfig `json:"openai,omitempty"`

	// AzureOpenAI selects an Azure OpenAI deployment.
	// +optional
	AzureOpenAI *AzureOpenAIConfig `json:"azureopenai,omitempty"`

	// Azure selects an Azure OpenAI or Azure AI Foundry resource.
	// +optional
	Azure *AzureConfig `json:"azure,omitempty"`

	// Anthropic selects the Anthropic Messages API.
	// +optional
	Anthropic *AnthropicConfig `json:"anthropic,omitempty"`

	// Gemini selects the Google Gemini API.
	// +optional
	Gemini *GeminiConfig `json:"gemini,omitempty"`

	// VertexAI selects Google Vertex AI.
	// +optional
	VertexAI *VertexAIConfig `json:"vertexai,omitempty"`

	// Bedrock selects Amazon Bedrock.
	// +optional
	Bedrock *BedrockConfig `json:"bedrock,omitempty"`

	// Custom is a provider reached by backend reference or host, speaking the API
	// formats it lists.
	// +optional
	Custom *CustomProvider `json:"custom,omitempty"`

	// Host replaces the provider's default host name; it requires Port.
	// +optional
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=256
	Host string `json:"host,omitempty"`

	// Port replaces the provider's default port; it requires Host.
	// +optional
	// +kubebuilder:validation:Minimum=1
	// +kubebuilder:validation:Maximum=65535
	Port int32 `json:"port,omitempty"`

	// Path replaces the whole request path sent to the provider.
	// +optional
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=1024
	Path string `json:"path,omitempty"`

	// PathPrefix replaces only the provider's base path; it requires Host and cannot be
	// combined with Path.
	// +optional
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=1024
	PathPrefix string `json:"pathPrefix,omitempty"`
}

// LocalBackendObjectReference names an object in the same namespace that receives
// traffic, a Service unless Group and Kind say otherwise.
//
// +kubebuilder:validation:XValidation:rule="(size(self.group) == 0 && self.kind == 'Service') ? has(self.port) : true",message="Must have port for Service reference"
type LocalBackendObjectReference struct {
	// Group is the API group of the object; empty for the core group.
	// +optional
	// +kubebuilder:default=""
	// +kubebuilder:validation:MaxLength=253
	// +kubebuilder:validation:Pattern=`^$|^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$`
	Group *string `json:"group,omitempty"`

	// Kind is the kind of the object.
	// +optional
	// +kubebuilder:default=Service
	// +kubebuilder:validation:MaxLength=63
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:Pattern=`^[a-zA-Z]([-a-zA-Z0-9]*[a-zA-Z0-9])?$`
	Kind *string `json:"kind,omitempty"`

	// Name is the name of the object.
	// +required
	// +kubebuilder:validation:MaxLength=253
	// +kubebuilder:validation:MinLength=1
	Name string `json:"name"`

	// Port is the destination port; needed for a Service.
	// +optional
	// +kubebuilder:validation:Minimum=1
	// +kubebuilder:validation:Maximum=65535
	Port *int32 `json:"port,omitempty"`
}

// CustomProvider is an LLM provider not known by name: the API formats it speaks
// are listed explicitly.
//
// +kubebuilder:validation:XValidation:rule="!has(self.backendRef) || (((!has(self.backendRef.group) || self.backendRef.group == \"\") && (!has(self.backendRef.kind) || self.backendRef.kind == 'Service')) || (has(self.backendRef.group) && self.backendRef.group == 'inference.networking.k8s.io' && has(self.backendRef.kind) && self.backendRef.kind == 'InferencePool'))",message="custom provider backendRef may target only Service or InferencePool"
type CustomProvider struct {
	// BackendRef is a Service or InferencePool serving the provider.
	// +optional
	BackendRef *LocalBackendObjectReference `json:"backendRef,omitempty"`

	// Model forces this model name.
	// +optional
	Model *ShortString `json:"model,omitempty"`

	// Formats lists the API formats the provider accepts, one entry per type.
	// +required
	// +kubebuilder:validation:MinItems=1
	// +kubebuilder:validation:MaxItems=6
	// +listType=map
	// +listMapKey=type
	Formats []ProviderFormatConfig `json:"formats"`
}

// ProviderFormatConfig is one API format of a custom provider and, optionally, the
// path it is served at.
//
// +kubebuilder:validation:XValidation:rule="!has(self.path) || self.path.startsWith('/')",message="path must start with /"
type ProviderFormatConfig struct {
	// Type is the API format.
	// +required
	Type ProviderFormat `json:"type"`

	// Path is the request path for this format.
	// +optional
	Path LongString `json:"path,omitempty"`
}

// ProviderFormat is an LLM API format.
//
// +k8s:enum
type ProviderFormat string

const (
	// ProviderFormatCompletions is the OpenAI chat completions API.
	ProviderFormatCompletions ProviderFormat = "Completions"
	// ProviderFormatMessages is the Anthropic messages API.
	ProviderFormatMessages ProviderFormat = "Messages"
	// ProviderFormatResponses is the OpenAI responses API.
	ProviderFormatResponses ProviderFormat = "Responses"
	// ProviderFormatEmbeddings is the embeddings API.
	ProviderFormatEmbeddings ProviderFormat = "Embeddings"
	// ProviderFormatAnthropicTokenCount is Anthropic's token counting API.
	ProviderFormatAnthropicTokenCount ProviderFormat = "AnthropicTokenCount"
	// ProviderFormatRealtime is the realtime API.
	ProviderFormatRealtime ProviderFormat = "Realtime"
	// ProviderFormatRerank is the rerank API.
	ProviderFormatRerank ProviderFormat = "Rerank"
)

// OpenAIConfig configures the OpenAI provider.
type OpenAIConfig struct {
	// Model forces this model name; when empty the client's requested model is used.
	// +optional
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=256
	Model string `json:"model,omitempty"`
}

// AnthropicConfig configures the Anthropic provider.
type AnthropicConfig struct {
	// Model forces this model name; when empty the client's requested model is used.
	// +optional
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=256
	Model string `json:"model,omitempty"`
}

// GeminiConfig configures the Gemini provider.
type GeminiConfig struct {
	// Model forces this model name; when empty the client's requested model is used.
	// +optional
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=256
	Model string `json:"model,omitempty"`
}

// AzureOpenAIConfig configures an Azure OpenAI resource. A deployment name is needed
// unless APIVersion is unset or "v1".
//
// +kubebuilder:validation:XValidation:rule="!has(self.apiVersion) || self.apiVersion == 'v1' ? true : has(self.deploymentName)",message="deploymentName is required for this apiVersion"
type AzureOpenAIConfig struct {
	// Endpoint is the host name of the Azure OpenAI resource.
	// +required
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=256
	Endpoint string `json:"endpoint"`

	// DeploymentName is the Azure deployment to call.
	// +optional
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=256
	DeploymentName string `json:"deploymentName,omitempty"`

	// APIVersion is the Azure OpenAI API version, for example "v1" or "2024-10-21".
	// +optional
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=64
	APIVersion string `json:"apiVersion,omitempty"`
}

// AzureResourceType is the kind of Azure resource a provider points at.
//
// +k8s:enum
type AzureResourceType string

const (
	// AzureResourceTypeOpenAI is an Azure OpenAI resource.
	AzureResourceTypeOpenAI AzureResourceType = "OpenAI"
	// AzureResourceTypeFoundry is an Azure AI Foundry resource.
	AzureResourceTypeFoundry AzureResourceType = "Foundry"
)

// AzureConfig configures an Azure OpenAI or Azure AI Foundry resource.
//
// +kubebuilder:validation:XValidation:message="projectName is required when resourceType is Foundry",rule="self.resourceType != 'Foundry' || has(self.projectName)"
type AzureConfig struct {
	// ResourceName is the name of the Azure resource.
	// +required
	ResourceName ShortString `json:"resourceName"`

	// ResourceType is the kind of the Azure resource.
	// +required
	ResourceType AzureResourceType `json:"resourceType"`

	// Model forces this model name.
	// +optional
	Model *ShortString `json:"model,omitempty"`

	// APIVersion is the Azure API version to call.
	// +optional
	APIVersion *TinyString `json:"apiVersion,omitempty"`

	// ProjectName is the Foundry project; required for Foundry resources.
	// +optional
	ProjectName *ShortString `json:"projectName,omitempty"`
}

// VertexAIConfig configures Google Vertex AI.
type VertexAIConfig struct {
	// Model forces this model name; when empty the client's requested model is used.
	// +optional
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=256
	Model string `json:"model,omitempty"`

	// ProjectID is the Google Cloud project that owns the Vertex AI endpoint.
	// +required
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=64
	ProjectID string `json:"projectId"`

	// Region is the Google Cloud location of the endpoint.
	// +optional
	// +kubebuilder:default=global
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=64
	Region string `json:"region,omitempty"`
}

// BedrockConfig configures Amazon Bedrock.
type BedrockConfig struct {
	// Model forces this model ID; when empty the client's requested model is used.
	// +optional
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=256
	Model string `json:"model,omitempty"`

	// Region is the AWS region of the Bedrock endpoint.
	// +optional
	// +kubebuilder:default=us-east-1
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=63
	// +kubebuilder:validation:Pattern=`^[a-z0-9-]+$`
	Region string `json:"region,omitempty"`

	// Guardrail applies a Bedrock guardrail to the calls.
	// +optional
	Guardrail *BedrockGuardrail `json:"guardrail,omitempty"`
}

// BedrockGuardrail names a Bedrock guardrail and the version to apply.
type BedrockGuardrail struct {
	// Identifier is the guardrail's ID or ARN.
	// +required
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=256
	Identifier string `json:"identifier"`

	// Version is the guardrail version, for example "1" or "DRAFT".
	// +required
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=256
	Version string `json:"version"`
}

// DynamicForwardProxyBackend has no settings; its presence makes the backend a
// forward proxy to the host each request names.
type DynamicForwardProxyBackend struct{}

// AWSBackend is an AWS-hosted service; set exactly one kind.
//
// +kubebuilder:validation:XValidation:rule="[has(self.agentCore)].filter(x,x==true).size() == 1",message="exactly one of the fields in [agentCore] must be set"
type AWSBackend struct {
	// AgentCore is an Amazon Bedrock AgentCore agent runtime.
	// +optional
	AgentCore *AWSAgentCore `json:"agentCore,omitempty"`
}

// AWSAgentCore names an Amazon Bedrock AgentCore agent runtime.
type AWSAgentCore struct {
	// AgentRuntimeARN is the ARN of the agent runtime.
	// +required
	AgentRuntimeARN string `json:"agentRuntimeArn"`

	// Qualifier selects a version or endpoint of the runtime.
	// +optional
	Qualifier string `json:"qualifier,omitempty"`
}

// FailureMode is what happens to a request when a dependency cannot be reached.
//
// +k8s:enum
type FailureMode string

const (
	// FailOpen lets the request continue.
	FailOpen FailureMode = "FailOpen"
	// FailClosed rejects the request.
	FailClosed FailureMode = "FailClosed"
)

// MCPSessionRouting says whether MCP sessions stick to one proxy replica.
//
// +k8s:enum
type MCPSessionRouting string

const (
	// MCPSessionStateful keeps session state in the proxy.
	MCPSessionStateful MCPSessionRouting = "Stateful"
	// MCPSessionStateless keeps no session state, so any replica can serve a request.
	MCPSessionStateless MCPSessionRouting = "Stateless"
)

// MCPBackend fans MCP traffic out to a set of named targets.
type MCPBackend struct {
	// SessionRouting says whether sessions are tracked by the proxy.
	// +optional
	SessionRouting MCPSessionRouting `json:"sessionRouting,omitempty"`

	// FailureMode is what happens when one of several targets fails.
	// +optional
	FailureMode FailureMode `json:"failureMode,omitempty"`

	// Targets are the MCP servers behind this backend; their names must differ.
	// +required
	// +listType=map
	// +listMapKey=name
	// +kubebuilder:validation:MinItems=1
	// +kubebuilder:validation:MaxItems=32
	// +kubebuilder:validation:XValidation:rule="self.all(t1, self.exists_one(t2, t1.name == t2.name))",message="target names must be unique"
	Targets []MCPTarget `json:"targets"`
}

// MCPTarget is one MCP server, given either by address (Static) or by a label
// selector over Services (Selector), never both.
//
// +kubebuilder:validation:XValidation:rule="[has(self.selector),has(self.static)].filter(x,x==true).size() == 1",message="exactly one of the fields in [selector static] must be set"
type MCPTarget struct {
	// Name identifies the target within the backend.
	// +required
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=253
	// +kubebuilder:validation:Pattern=`^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$`
	Name string `json:"name"`

	// Selector picks MCP servers by Service and/or namespace labels.
	// +optional
	Selector *MCPTargetSelector `json:"selector,omitempty"`

	// Static points at one MCP server by Service reference or host name.
	// +optional
	Static *MCPStaticTarget `json:"static,omitempty"`
}

// MCPTargetSelector selects Services that serve MCP.
//
// +kubebuilder:validation:XValidation:rule="[has(self.namespaces),has(self.services)].filter(x,x==true).size() >= 1",message="at least one of the fields in [namespaces services] must be set"
type MCPTargetSelector struct {
	// Namespaces limits the search to namespaces with matching labels.
	// +optional
	Namespaces *metav1.LabelSelector `json:"namespaces,omitempty"`

	// Services selects Services by their labels.
	// +optional
	Services *metav1.LabelSelector `json:"services,omitempty"`
}

// MCPProtocol is the transport an MCP server speaks.
//
// +k8s:enum
type MCPProtocol string

const (
	// MCPProtocolStreamableHTTP is the streamable HTTP transport.
	MCPProtocolStreamableHTTP MCPProtocol = "StreamableHTTP"
	// MCPProtocolSSE is the older server-sent-events transport.
	MCPProtocolSSE MCPProtocol = "SSE"
)

// MCPStaticTarget addresses one MCP server. Set exactly one of BackendRef (a Service
// in the same namespace) and Host; Policies only go with Host.
//
// +kubebuilder:validation:XValidation:rule="!has(self.backendRef) || !has(self.policies)",message="mcp target policies may not be used with backendRef"
// +kubebuilder:validation:XValidation:rule="[has(self.host),has(self.backendRef)].filter(x,x==true).size() == 1",message="exactly one of the fields in [host backendRef] must be set"
type MCPStaticTarget struct {
	// BackendRef names a Service in the backend's namespace.
	// +optional
	BackendRef *corev1.LocalObjectReference `json:"backendRef,omitempty"`

	// Host is the DNS name or IP address of the server.
	// +optional
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=256
	Host string `json:"host,omitempty"`

	// Port is the server's port.
	// +required
	// +kubebuilder:validation:Minimum=1
	// +kubebuilder:validation:Maximum=65535
	Port int32 `json:"port"`

	// Path is the HTTP path of the MCP endpoint; when empty a path matching the
	// protocol is used.
	// +optional
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=1024
	Path string `json:"path,omitempty"`

	// Protocol is the MCP transport to use.
	// +optional
	Protocol MCPProtocol `json:"protocol,omitempty"`

	// Policies apply to the connection to a server given by Host.
	// +optional
	Policies *ConnectionPolicies `json:"policies,omitempty"`
}

// TinyString is a non-empty string of at most 64 characters.
//
// +kubebuilder:validation:MinLength=1
// +kubebuilder:validation:MaxLength=64
type TinyString = string

// ShortString is a non-empty string of at most 256 characters.
//
// +kubebuilder:validation:MinLength=1
// +kubebuilder:validation:MaxLength=256
type ShortString = string

// LongString is a non-empty string of at most 1024 characters.
//
// +kubebuilder:validation:MinLength=1
// +kubebuilder:validation:MaxLength=1024
type LongString = string
