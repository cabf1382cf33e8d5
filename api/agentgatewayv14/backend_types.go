package agentgatewayv14

import (
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	gwv1 "sigs.k8s.io/gateway-api/apis/v1"
)

// +kubebuilder:rbac:groups=agentgateway.dev,resources=agentgatewaybackends,verbs=get;list;watch
// +kubebuilder:rbac:groups=agentgateway.dev,resources=agentgatewaybackends/status,verbs=get;update;patch

// +kubebuilder:printcolumn:name="Accepted",type=string,JSONPath=".status.conditions[?(@.type=='Accepted')].status",description="Backend configuration acceptance status"
// +kubebuilder:printcolumn:name="Age",type=date,JSONPath=".metadata.creationTimestamp",description="The age of the backend."

// +kubebuilder:object:root=true
// +kubebuilder:object:generate=false
// +kubebuilder:metadata:labels={app=agentgateway,app.kubernetes.io/name=agentgateway}
// +kubebuilder:resource:categories=agentgateway,shortName=agbe
// +kubebuilder:subresource:status
type AgentgatewayBackend struct {
	metav1.TypeMeta `json:",inline"`
	// +optional
	metav1.ObjectMeta `json:"metadata,omitempty"`

	// +required
	Spec AgentgatewayBackendSpec `json:"spec"`

	// +optional
	Status AgentgatewayBackendStatus `json:"status,omitempty"`
}

type AgentgatewayBackendStatus struct {
	// +listType=map
	// +listMapKey=type
	// +kubebuilder:validation:MaxItems=8
	// +optional
	Conditions []metav1.Condition `json:"conditions,omitempty"`
}

// +kubebuilder:object:root=true
// +kubebuilder:object:generate=false
type AgentgatewayBackendList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []AgentgatewayBackend `json:"items"`
}

// +kubebuilder:validation:XValidation:rule="[has(self.ai),has(self.static),has(self.dynamicForwardProxy),has(self.mcp),has(self.aws),has(self.a2a)].filter(x,x==true).size() == 1",message="exactly one of the fields in [ai static dynamicForwardProxy mcp aws a2a] must be set"
// +kubebuilder:validation:XValidation:rule="has(self.policies) && has(self.policies.ai) ? has(self.ai) : true",message="AI policies require AI backend"
// +kubebuilder:validation:XValidation:rule="has(self.policies) && has(self.policies.mcp) ? has(self.mcp) : true",message="MCP policies require MCP backend"
type AgentgatewayBackendSpec struct {
	// +optional
	Static *StaticBackend `json:"static,omitempty"`

	// +optional
	A2A *A2ABackend `json:"a2a,omitempty"`

	// +optional
	AI *AIBackend `json:"ai,omitempty"`

	// +optional
	MCP *MCPBackend `json:"mcp,omitempty"`

	// +optional
	DynamicForwardProxy *DynamicForwardProxyBackend `json:"dynamicForwardProxy,omitempty"`

	// +optional
	Aws *AwsBackend `json:"aws,omitempty"`

	// +optional
	Policies *BackendFull `json:"policies,omitempty"`
}

type DynamicForwardProxyBackend struct {
}

// +kubebuilder:validation:XValidation:rule="[has(self.agentCore)].filter(x,x==true).size() == 1",message="exactly one of the fields in [agentCore] must be set"
type AwsBackend struct {
	// +optional
	AgentCore *AwsAgentCoreBackend `json:"agentCore,omitempty"`
}

type AwsAgentCoreBackend struct {
	// +required
	AgentRuntimeArn string `json:"agentRuntimeArn"`
	// +optional
	Qualifier *string `json:"qualifier,omitempty"`
}

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

type A2ABackend struct {
	// +required
	Host ShortString `json:"host"`

	// +kubebuilder:validation:Minimum=1
	// +kubebuilder:validation:Maximum=65535
	// +required
	Port int32 `json:"port"`
}

// +kubebuilder:validation:XValidation:rule="[has(self.provider),has(self.groups)].filter(x,x==true).size() == 1",message="exactly one of the fields in [provider groups] must be set"
type AIBackend struct {
	// +optional
	LLM *LLMProvider `json:"provider,omitempty"`

	// +kubebuilder:validation:MinItems=1
	// +kubebuilder:validation:MaxItems=8
	// +optional
	PriorityGroups []PriorityGroup `json:"groups,omitempty"`
}

type PriorityGroup struct {
	// +kubebuilder:validation:MinItems=1
	// +kubebuilder:validation:MaxItems=16
	// +kubebuilder:validation:XValidation:message="provider names must be unique within a group",rule="self.all(p1, self.exists_one(p2, p1.name == p2.name))"
	// +required
	Providers []NamedLLMProvider `json:"providers"`
}

type NamedLLMProvider struct {
	// +required
	Name gwv1.SectionName `json:"name"`

	// +optional
	Policies *BackendWithAI `json:"policies,omitempty"`

	LLMProvider `json:",inline"`
}

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

	// +optional
	Host ShortString `json:"host,omitempty"`

	// +kubebuilder:validation:Minimum=1
	// +kubebuilder:validation:Maximum=65535
	// +optional
	Port int32 `json:"port,omitempty"`

	// +optional
	Path LongString `json:"path,omitempty"`

	// +optional
	PathPrefix LongString `json:"pathPrefix,omitempty"`
}

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

type CustomProvider struct {
	CustomProviderSettings `json:",inline"`

	// +optional
	Model *ShortString `json:"model,omitempty"`
}

// +kubebuilder:validation:XValidation:rule="!has(self.path) || self.path.startsWith('/')",message="path must start with /"
type ProviderFormatConfig struct {
	// +required
	Type ProviderFormat `json:"type"`

	// +optional
	Path LongString `json:"path,omitempty"`
}

// +k8s:enum
type ProviderFormat string

const (
	ProviderFormatCompletions ProviderFormat = "Completions"

	ProviderFormatMessages ProviderFormat = "Messages"

	ProviderFormatResponses ProviderFormat = "Responses"

	ProviderFormatEmbeddings ProviderFormat = "Embeddings"

	ProviderFormatAnthropicTokenCount ProviderFormat = "AnthropicTokenCount" //nolint:gosec

	ProviderFormatRealtime ProviderFormat = "Realtime"

	ProviderFormatRerank ProviderFormat = "Rerank"
)

type OpenAIConfig struct {
	// +optional
	Model *ShortString `json:"model,omitempty"`
}

// +kubebuilder:validation:XValidation:message="deploymentName is required for this apiVersion",rule="!has(self.apiVersion) || self.apiVersion == 'v1' ? true : has(self.deploymentName)"
type AzureOpenAIConfig struct {
	// +required
	Endpoint ShortString `json:"endpoint"`

	// +optional
	DeploymentName *ShortString `json:"deploymentName,omitempty"`

	// +optional
	ApiVersion *TinyString `json:"apiVersion,omitempty"`
}

// +k8s:enum
type AzureResourceType string

const (
	AzureResourceTypeOpenAI  AzureResourceType = "OpenAI"
	AzureResourceTypeFoundry AzureResourceType = "Foundry"
)

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

type AzureConfig struct {
	AzureSettings `json:",inline"`

	// +optional
	Model *ShortString `json:"model,omitempty"`
}

type GeminiConfig struct {
	// +optional
	Model *ShortString `json:"model,omitempty"`
}

type VertexAISettings struct {
	// +required
	ProjectId TinyString `json:"projectId"`

	// +optional
	// +kubebuilder:default=global
	Region TinyString `json:"region,omitempty"`
}

type VertexAIConfig struct {
	VertexAISettings `json:",inline"`

	// +optional
	Model *ShortString `json:"model,omitempty"`
}

type AnthropicConfig struct {
	// +optional
	Model *ShortString `json:"model,omitempty"`
}

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

type BedrockConfig struct {
	BedrockSettings `json:",inline"`

	// +optional
	Model *ShortString `json:"model,omitempty"`
}

type AWSGuardrailConfig struct {
	// +required
	GuardrailIdentifier ShortString `json:"identifier"`

	// +required
	GuardrailVersion ShortString `json:"version"`
}

type MCPBackend struct {
	// +listType=map
	// +listMapKey=name
	// +kubebuilder:validation:MinItems=1
	// +kubebuilder:validation:MaxItems=32
	// +kubebuilder:validation:XValidation:message="target names must be unique",rule="self.all(t1, self.exists_one(t2, t1.name == t2.name))"
	// +required
	Targets []McpTargetSelector `json:"targets"`

	// +optional
	SessionRouting SessionRouting `json:"sessionRouting,omitempty"`

	// +optional
	FailureMode FailureMode `json:"failureMode,omitempty"`

	// +optional
	PrefixMode PrefixMode `json:"prefixMode,omitempty"`
}

const (
	PrefixConditional PrefixMode = "Conditional"
	PrefixAlways      PrefixMode = "Always"
	PrefixNever       PrefixMode = "Never"
)

// +k8s:enum
type PrefixMode string

const (
	FailClosed FailureMode = "FailClosed"
	FailOpen   FailureMode = "FailOpen"
)

// +k8s:enum
type FailureMode string

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

// +k8s:enum
type SessionRouting string

// +kubebuilder:validation:XValidation:rule="[has(self.namespaces),has(self.services)].filter(x,x==true).size() >= 1",message="at least one of the fields in [namespaces services] must be set"
type McpSelector struct {
	// +optional
	Namespace *metav1.LabelSelector `json:"namespaces,omitempty"`

	// +optional
	Service *metav1.LabelSelector `json:"services,omitempty"`
}

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

// +k8s:enum
type MCPProtocol string

const (
	MCPProtocolStreamableHTTP MCPProtocol = "StreamableHTTP"

	MCPProtocolSSE MCPProtocol = "SSE"
)
