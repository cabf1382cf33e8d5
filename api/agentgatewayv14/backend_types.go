package agentgatewayv14

import (
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	gwv1 "sigs.k8s.io/gateway-api/apis/v1"
)

// +kubebuilder:printcolumn:name="Accepted",type=string,JSONPath=".status.conditions[?(@.type=='Accepted')].status",description="Whether the controller accepted this backend"
// +kubebuilder:printcolumn:name="Age",type=date,JSONPath=".metadata.creationTimestamp"

// AgentgatewayBackend is an upstream that agentgateway routes to: LLM providers, a fixed address, MCP or A2A servers, an AWS service or a dynamic forward proxy.
//
// +kubebuilder:object:root=true
// +kubebuilder:object:generate=false
// +kubebuilder:metadata:labels={app=agentgateway,app.kubernetes.io/name=agentgateway}
// +kubebuilder:resource:categories=agentgateway,shortName=agbe
// +kubebuilder:subresource:status
type AgentgatewayBackend struct {
	metav1.TypeMeta `json:",inline"`
	// +optional
	metav1.ObjectMeta `json:"metadata,omitempty"`

	// Spec selects the kind of backend and the policies applied to traffic sent to it.
	// +required
	Spec AgentgatewayBackendSpec `json:"spec"`

	// Status is written by the controller.
	// +optional
	Status AgentgatewayBackendStatus `json:"status,omitempty"`
}

// AgentgatewayBackendStatus is written by the controller; the CLI never sets it.
type AgentgatewayBackendStatus struct {
	// +listType=map
	// +listMapKey=type
	// +kubebuilder:validation:MaxItems=8
	// +optional
	Conditions []metav1.Condition `json:"conditions,omitempty"`
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
// +kubebuilder:validation:XValidation:rule="[has(self.ai),has(self.static),has(self.dynamicForwardProxy),has(self.mcp),has(self.aws),has(self.a2a)].filter(x,x==true).size() == 1",message="exactly one of the fields in [ai static dynamicForwardProxy mcp aws a2a] must be set"
// +kubebuilder:validation:XValidation:rule="has(self.policies) && has(self.policies.ai) ? has(self.ai) : true",message="AI policies require AI backend"
// +kubebuilder:validation:XValidation:rule="has(self.policies) && has(self.policies.mcp) ? has(self.mcp) : true",message="MCP policies require MCP backend"
type AgentgatewayBackendSpec struct {
	// Static makes this backend a single fixed host and port.
	// +optional
	Static *StaticBackend `json:"static,omitempty"`

	// A2A makes this backend an A2A agent.
	// +optional
	A2A *A2ABackend `json:"a2a,omitempty"`

	// AI makes this backend an LLM provider, or prioritised groups of providers.
	// +optional
	AI *AIBackend `json:"ai,omitempty"`

	// MCP makes this backend a multiplexer over MCP servers.
	// +optional
	MCP *MCPBackend `json:"mcp,omitempty"`

	// DynamicForwardProxy sends each request to the host named in the request.
	// +optional
	DynamicForwardProxy *DynamicForwardProxyBackend `json:"dynamicForwardProxy,omitempty"`

	// Aws makes this backend an AWS service.
	// +optional
	Aws *AwsBackend `json:"aws,omitempty"`

	// Policies apply to every request sent to this backend.
	// +optional
	Policies *BackendFull `json:"policies,omitempty"`
}

// DynamicForwardProxyBackend sends each request to the host the request itself names.
type DynamicForwardProxyBackend struct {
}

// AwsBackend is an AWS service backend.
//
// +kubebuilder:validation:XValidation:rule="[has(self.agentCore)].filter(x,x==true).size() == 1",message="exactly one of the fields in [agentCore] must be set"
type AwsBackend struct {
	// +optional
	AgentCore *AwsAgentCoreBackend `json:"agentCore,omitempty"`
}

// AwsAgentCoreBackend is a Bedrock AgentCore runtime.
type AwsAgentCoreBackend struct {
	// +required
	AgentRuntimeArn string `json:"agentRuntimeArn"`
	// +optional
	Qualifier *string `json:"qualifier,omitempty"`
}

// StaticBackend is a single fixed host and port.
//
// +kubebuilder:validation:XValidation:rule="has(self.unixPath) || (has(self.host) && has(self.port))",message="must specify either unixPath or both host and port"
// +kubebuilder:validation:XValidation:rule="!has(self.unixPath) || (!has(self.host) && !has(self.port))",message="unixPath and host/port are mutually exclusive"
type StaticBackend struct {
	// +optional
	Host ShortString `json:"host,omitempty"`
	// +kubebuilder:validation:Minimum=1
	// +kubebuilder:validation:Maximum=65535
	// +optional
	Port int32 `json:"port,omitempty"`
	// +kubebuilder:validation:MinLength=1
	// +optional
	UnixPath *string `json:"unixPath,omitempty"`
}

// A2ABackend is an agent reached over the A2A protocol.
type A2ABackend struct {
	// +required
	Host ShortString `json:"host"`

	// +kubebuilder:validation:Minimum=1
	// +kubebuilder:validation:Maximum=65535
	// +required
	Port int32 `json:"port"`
}

// AIBackend is one LLM provider or prioritised groups of them.
//
// +kubebuilder:validation:XValidation:rule="[has(self.provider),has(self.groups)].filter(x,x==true).size() == 1",message="exactly one of the fields in [provider groups] must be set"
type AIBackend struct {
	// LLM is the single provider behind this backend.
	// +optional
	LLM *LLMProvider `json:"provider,omitempty"`

	// PriorityGroups are tried in order; providers inside a group share its traffic.
	// +kubebuilder:validation:MinItems=1
	// +kubebuilder:validation:MaxItems=8
	// +optional
	PriorityGroups []PriorityGroup `json:"groups,omitempty"`
}

// PriorityGroup is one failover tier of LLM providers.
type PriorityGroup struct {
	// +kubebuilder:validation:MinItems=1
	// +kubebuilder:validation:MaxItems=16
	// +kubebuilder:validation:XValidation:message="provider names must be unique within a group",rule="self.all(p1, self.exists_one(p2, p1.name == p2.name))"
	// +required
	Providers []NamedLLMProvider `json:"providers"`
}

// NamedLLMProvider is an LLM provider with a name unique within its group.
type NamedLLMProvider struct {
	// +required
	Name gwv1.SectionName `json:"name"`

	// +optional
	Policies *BackendWithAI `json:"policies,omitempty"`

	LLMProvider `json:",inline"`
}

// LLMProvider selects one LLM provider and optionally overrides its address and path.
//
// +kubebuilder:validation:XValidation:rule="[has(self.openai),has(self.azureopenai),has(self.azure),has(self.anthropic),has(self.gemini),has(self.vertexai),has(self.bedrock),has(self.custom)].filter(x,x==true).size() == 1",message="exactly one of the fields in [openai azureopenai azure anthropic gemini vertexai bedrock custom] must be set"
// +kubebuilder:validation:XValidation:rule="has(self.host) || has(self.port) ? has(self.host) && has(self.port) : true",message="both host and port must be set together"
// +kubebuilder:validation:XValidation:rule="has(self.custom) ? has(self.custom.backendRef) != has(self.host) : true",message="custom providers must specify exactly one of backendRef or host and port"
// +kubebuilder:validation:XValidation:rule="!(has(self.path) && has(self.pathPrefix))",message="path and pathPrefix are mutually exclusive"
// +kubebuilder:validation:XValidation:rule="!(has(self.custom) && self.custom.formats.exists(f, has(f.path)) && (has(self.path) || has(self.pathPrefix)))",message="path, pathPrefix, and custom format paths are mutually exclusive"
// +kubebuilder:validation:XValidation:rule="has(self.pathPrefix) ? has(self.host) : true",message="pathPrefix requires host to be set"
type LLMProvider struct {
	// +optional
	OpenAI *OpenAIConfig `json:"openai,omitempty"`

	// +optional
	AzureOpenAI *AzureOpenAIConfig `json:"azureopenai,omitempty"`

	// +optional
	Azure *AzureConfig `json:"azure,omitempty"`

	// +optional
	Anthropic *AnthropicConfig `json:"anthropic,omitempty"`

	// +optional
	Gemini *GeminiConfig `json:"gemini,omitempty"`

	// +optional
	VertexAI *VertexAIConfig `json:"vertexai,omitempty"`

	// +optional
	Bedrock *BedrockConfig `json:"bedrock,omitempty"`

	// +optional
	Custom *CustomProvider `json:"custom,omitempty"`

	// Host overrides the provider's default host; set with port.
	// +optional
	Host ShortString `json:"host,omitempty"`

	// Port overrides the provider's default port; set with host.
	// +kubebuilder:validation:Minimum=1
	// +kubebuilder:validation:Maximum=65535
	// +optional
	Port int32 `json:"port,omitempty"`

	// Path overrides the request path.
	// +optional
	Path LongString `json:"path,omitempty"`

	// PathPrefix is prepended to the request path.
	// +optional
	PathPrefix LongString `json:"pathPrefix,omitempty"`
}

// LocalBackendObjectReference names a backend in the same namespace, optionally with a port.
//
// +kubebuilder:validation:XValidation:rule="(size(self.group) == 0 && self.kind == 'Service') ? has(self.port) : true",message="Must have port for Service reference"
type LocalBackendObjectReference struct {
	// +kubebuilder:default=""
	// +kubebuilder:validation:MaxLength=253
	// +kubebuilder:validation:Pattern=`^$|^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$`
	// +optional
	Group *string `json:"group,omitempty"`

	// +kubebuilder:default=Service
	// +kubebuilder:validation:MaxLength=63
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:Pattern=`^[a-zA-Z]([-a-zA-Z0-9]*[a-zA-Z0-9])?$`
	// +optional
	Kind *string `json:"kind,omitempty"`

	// +kubebuilder:validation:MaxLength=253
	// +kubebuilder:validation:MinLength=1
	// +required
	Name string `json:"name"`

	// +kubebuilder:validation:Minimum=1
	// +kubebuilder:validation:Maximum=65535
	// +optional
	Port *int32 `json:"port,omitempty"`
}

// CustomProviderSettings describes a provider that speaks one or more of the known API formats.
//
// +kubebuilder:validation:XValidation:rule="!has(self.backendRef) || (((!has(self.backendRef.group) || self.backendRef.group == \"\") && (!has(self.backendRef.kind) || self.backendRef.kind == 'Service')) || (has(self.backendRef.group) && self.backendRef.group == 'inference.networking.k8s.io' && has(self.backendRef.kind) && self.backendRef.kind == 'InferencePool'))",message="custom provider backendRef may target only Service or InferencePool"
type CustomProviderSettings struct {
	// +optional
	BackendRef *LocalBackendObjectReference `json:"backendRef,omitempty"`

	// +kubebuilder:validation:MinItems=1
	// +kubebuilder:validation:MaxItems=6
	// +listType=map
	// +listMapKey=type
	// +required
	Formats []ProviderFormatConfig `json:"formats"`
}

// CustomProvider is a provider that is not built in.
type CustomProvider struct {
	CustomProviderSettings `json:",inline"`

	// +optional
	Model *ShortString `json:"model,omitempty"`
}

// ProviderFormatConfig is one API format a custom provider accepts, optionally at its own path.
//
// +kubebuilder:validation:XValidation:rule="!has(self.path) || self.path.startsWith('/')",message="path must start with /"
type ProviderFormatConfig struct {
	// +required
	Type ProviderFormat `json:"type"`

	// +optional
	Path LongString `json:"path,omitempty"`
}

// ProviderFormat is an API format (Completions, Messages, Responses, ...).
//
// +k8s:enum
type ProviderFormat string

const (
	ProviderFormatCompletions         ProviderFormat = "Completions"
	ProviderFormatMessages            ProviderFormat = "Messages"
	ProviderFormatResponses           ProviderFormat = "Responses"
	ProviderFormatEmbeddings          ProviderFormat = "Embeddings"
	ProviderFormatAnthropicTokenCount ProviderFormat = "AnthropicTokenCount"
	ProviderFormatRealtime            ProviderFormat = "Realtime"
	ProviderFormatRerank              ProviderFormat = "Rerank"
)

// OpenAIConfig is the OpenAI provider.
type OpenAIConfig struct {
	// +optional
	Model *ShortString `json:"model,omitempty"`
}

// AzureOpenAIConfig is the Azure OpenAI provider.
//
// +kubebuilder:validation:XValidation:message="deploymentName is required for this apiVersion",rule="!has(self.apiVersion) || self.apiVersion == 'v1' ? true : has(self.deploymentName)"
type AzureOpenAIConfig struct {
	// +required
	Endpoint ShortString `json:"endpoint"`

	// +optional
	DeploymentName *ShortString `json:"deploymentName,omitempty"`

	// +optional
	ApiVersion *TinyString `json:"apiVersion,omitempty"`
}

// AzureResourceType is the kind of Azure resource (OpenAI or Foundry).
//
// +k8s:enum
type AzureResourceType string

const (
	AzureResourceTypeOpenAI  AzureResourceType = "OpenAI"
	AzureResourceTypeFoundry AzureResourceType = "Foundry"
)

// AzureSettings locates an Azure resource.
//
// +kubebuilder:validation:XValidation:message="projectName is required when resourceType is Foundry",rule="self.resourceType != 'Foundry' || has(self.projectName)"
type AzureSettings struct {
	// +required
	ResourceName ShortString `json:"resourceName"`

	// +required
	ResourceType AzureResourceType `json:"resourceType"`

	// +optional
	ApiVersion *TinyString `json:"apiVersion,omitempty"`

	// +optional
	ProjectName *ShortString `json:"projectName,omitempty"`
}

// AzureConfig is the Azure provider (OpenAI or Foundry resources).
type AzureConfig struct {
	AzureSettings `json:",inline"`

	// +optional
	Model *ShortString `json:"model,omitempty"`
}

// GeminiConfig is the Google Gemini provider.
type GeminiConfig struct {
	// +optional
	Model *ShortString `json:"model,omitempty"`
}

// VertexAISettings locates a Vertex AI project and region.
type VertexAISettings struct {
	// +required
	ProjectId TinyString `json:"projectId"`

	// +optional
	// +kubebuilder:default=global
	Region TinyString `json:"region,omitempty"`
}

// VertexAIConfig is the Google Vertex AI provider.
type VertexAIConfig struct {
	VertexAISettings `json:",inline"`

	// +optional
	Model *ShortString `json:"model,omitempty"`
}

// AnthropicConfig is the Anthropic provider.
type AnthropicConfig struct {
	// +optional
	Model *ShortString `json:"model,omitempty"`
}

// BedrockSettings locates an AWS Bedrock region and guardrail.
type BedrockSettings struct {
	// +optional
	// +kubebuilder:default=us-east-1
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=63
	// +kubebuilder:validation:Pattern="^[a-z0-9-]+$"
	Region string `json:"region,omitempty"`

	// +optional
	Guardrail *AWSGuardrailConfig `json:"guardrail,omitempty"`
}

// BedrockConfig is the AWS Bedrock provider.
type BedrockConfig struct {
	BedrockSettings `json:",inline"`

	// +optional
	Model *ShortString `json:"model,omitempty"`
}

// AWSGuardrailConfig names a Bedrock guardrail and its version.
type AWSGuardrailConfig struct {
	// +required
	GuardrailIdentifier ShortString `json:"identifier"`

	// +required
	GuardrailVersion ShortString `json:"version"`
}

// MCPBackend multiplexes one or more MCP servers.
type MCPBackend struct {
	// Targets are the MCP servers behind this backend.
	// +listType=map
	// +listMapKey=name
	// +kubebuilder:validation:MinItems=1
	// +kubebuilder:validation:MaxItems=32
	// +kubebuilder:validation:XValidation:message="target names must be unique",rule="self.all(t1, self.exists_one(t2, t1.name == t2.name))"
	// +required
	Targets []McpTargetSelector `json:"targets"`

	// SessionRouting says whether a session sticks to one target.
	// +optional
	SessionRouting SessionRouting `json:"sessionRouting,omitempty"`

	// FailureMode says whether one failing target fails the request.
	// +optional
	FailureMode FailureMode `json:"failureMode,omitempty"`

	// PrefixMode says when tool names carry their target's name.
	// +optional
	PrefixMode PrefixMode `json:"prefixMode,omitempty"`
}

const (
	PrefixConditional PrefixMode = "Conditional"
	PrefixAlways      PrefixMode = "Always"
	PrefixNever       PrefixMode = "Never"
)

// PrefixMode says when tool names carry their target's prefix.
//
// +k8s:enum
type PrefixMode string

const (
	FailClosed FailureMode = "FailClosed"
	FailOpen   FailureMode = "FailOpen"
)

// FailureMode says whether a failure is tolerated or fails the request.
//
// +k8s:enum
type FailureMode string

// McpTargetSelector is one MCP target: selected services or a static address.
//
// +kubebuilder:validation:XValidation:rule="[has(self.selector),has(self.static)].filter(x,x==true).size() == 1",message="exactly one of the fields in [selector static] must be set"
type McpTargetSelector struct {
	// +required
	Name gwv1.SectionName `json:"name"`

	// +optional
	Selector *McpSelector `json:"selector,omitempty"`

	// +optional
	Static *McpTarget `json:"static,omitempty"`
}

const (
	Stateful  SessionRouting = "Stateful"
	Stateless SessionRouting = "Stateless"
)

// SessionRouting says whether MCP sessions stick to one target.
//
// +k8s:enum
type SessionRouting string

// McpSelector selects services (and their namespaces) by label.
//
// +kubebuilder:validation:XValidation:rule="[has(self.namespaces),has(self.services)].filter(x,x==true).size() >= 1",message="at least one of the fields in [namespaces services] must be set"
type McpSelector struct {
	// +optional
	Namespace *metav1.LabelSelector `json:"namespaces,omitempty"`

	// +optional
	Service *metav1.LabelSelector `json:"services,omitempty"`
}

// McpTarget is an MCP server at a fixed address.
//
// +kubebuilder:validation:XValidation:rule="[has(self.host),has(self.backendRef)].filter(x,x==true).size() == 1",message="exactly one of the fields in [host backendRef] must be set"
// +kubebuilder:validation:XValidation:rule="!has(self.backendRef) || !has(self.policies)",message="mcp target policies may not be used with backendRef"
type McpTarget struct {
	// +optional
	Host *ShortString `json:"host,omitempty"`

	// +optional
	BackendRef *corev1.LocalObjectReference `json:"backendRef,omitempty"`

	// +kubebuilder:validation:Minimum=1
	// +kubebuilder:validation:Maximum=65535
	// +required
	Port int32 `json:"port"`

	// +optional
	Path *LongString `json:"path,omitempty"`

	// +optional
	Protocol *MCPProtocol `json:"protocol,omitempty"`

	// +optional
	Policies *BackendSimple `json:"policies,omitempty"`
}

// MCPProtocol is the MCP transport.
//
// +k8s:enum
type MCPProtocol string

const (
	MCPProtocolStreamableHTTP MCPProtocol = "StreamableHTTP"
	MCPProtocolSSE            MCPProtocol = "SSE"
)
