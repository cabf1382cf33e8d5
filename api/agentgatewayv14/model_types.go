package agentgatewayv14

import (
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	gwv1 "sigs.k8s.io/gateway-api/apis/v1"
)

// +kubebuilder:printcolumn:name="Model Match",type=string,JSONPath=".spec.match.model",description="The model name clients ask for"
// +kubebuilder:printcolumn:name="Age",type=date,JSONPath=".metadata.creationTimestamp"

// AgentgatewayModel is a model name clients may ask for, served by a provider or routed to other models.
//
// +kubebuilder:object:root=true
// +kubebuilder:object:generate=false
// +kubebuilder:metadata:labels={app=agentgateway,app.kubernetes.io/name=agentgateway}
// +kubebuilder:resource:categories=agentgateway,shortName=agmodel
// +kubebuilder:subresource:status
type AgentgatewayModel struct {
	metav1.TypeMeta `json:",inline"`
	// +optional
	metav1.ObjectMeta `json:"metadata,omitempty"`

	// Spec describes the model.
	// +required
	Spec AgentgatewayModelSpec `json:"spec"`

	// Status is written by the controller.
	// +optional
	Status AgentgatewayModelStatus `json:"status,omitempty"`
}

// AgentgatewayModelList is a list of AgentgatewayModel objects.
//
// +kubebuilder:object:root=true
// +kubebuilder:object:generate=false
type AgentgatewayModelList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []AgentgatewayModel `json:"items"`
}

// AgentgatewayModelSpec is a provider model or a virtual model, with optional policies.
//
// +kubebuilder:validation:XValidation:rule="[has(self.provider),has(self.virtualModel)].filter(x,x==true).size() == 1",message="exactly one of the fields in [provider virtualModel] must be set"
// +kubebuilder:validation:XValidation:rule="has(self.provider) || !has(self.baseURL)",message="baseURL requires provider"
// +kubebuilder:validation:XValidation:rule="!has(self.virtualModel) || !has(self.policies)",message="policies cannot be used with virtualModel"
// +kubebuilder:validation:XValidation:rule="!has(self.virtualModel) || self.visibility != 'Internal'",message="virtual models must be public"
// +kubebuilder:validation:XValidation:rule="!has(self.virtualModel) || !has(self.match) || !has(self.match.model) || !self.match.model.contains('*')",message="virtual model match.model must be an exact name"
// +kubebuilder:validation:XValidation:rule="!has(self.provider) || self.provider != 'Ollama' || has(self.baseURL)",message="ollama requires baseURL"
// +kubebuilder:validation:XValidation:rule="!has(self.baseURL) || (isURL(self.baseURL) && (url(self.baseURL).getScheme() == 'http' || url(self.baseURL).getScheme() == 'https') && url(self.baseURL).getHostname() != \"\")",message="baseURL must be an absolute http or https URL with a host"
// +kubebuilder:validation:XValidation:rule="!has(self.baseURL) || !self.baseURL.matches(\"(?i)^https?://(localhost|[^/]+\\\\.localhost)(:[0-9]+)?(/|$)\")",message="baseURL cannot target localhost, loopback, or link-local addresses"
// +kubebuilder:validation:XValidation:rule="!has(self.baseURL) || !self.baseURL.matches(\"^https?://127(\\\\.[0-9]{1,3}){0,3}(:[0-9]+)?(/|$)\")",message="baseURL cannot target localhost, loopback, or link-local addresses"
// +kubebuilder:validation:XValidation:rule="!has(self.baseURL) || !self.baseURL.matches(\"^https?://169\\\\.254\\\\.[0-9]{1,3}\\\\.[0-9]{1,3}(:[0-9]+)?(/|$)\")",message="baseURL cannot target localhost, loopback, or link-local addresses"
// +kubebuilder:validation:XValidation:rule="!has(self.baseURL) || !self.baseURL.matches(\"(?i)^https?://\\\\[(::1|fe[89ab][0-9a-f:]*)\\\\](:[0-9]+)?(/|$)\")",message="baseURL cannot target localhost, loopback, or link-local addresses"
// +kubebuilder:validation:XValidation:rule="has(self.azure) == (has(self.provider) && self.provider == 'Azure')",message="azure must be set if and only if provider is Azure"
// +kubebuilder:validation:XValidation:rule="has(self.vertexai) == (has(self.provider) && self.provider == 'VertexAI')",message="vertexai must be set if and only if provider is VertexAI"
// +kubebuilder:validation:XValidation:rule="has(self.bedrock) == (has(self.provider) && self.provider == 'Bedrock')",message="bedrock must be set if and only if provider is Bedrock"
// +kubebuilder:validation:XValidation:rule="has(self.custom) == (has(self.provider) && self.provider == 'Custom')",message="custom must be set if and only if provider is Custom"
type AgentgatewayModelSpec struct {
	// ParentRefs are the Gateways that serve this model.
	// +kubebuilder:validation:MinItems=1
	// +kubebuilder:validation:MaxItems=16
	// +required
	ParentRefs []gwv1.ParentReference `json:"parentRefs"`

	// Match is the model name clients ask for.
	// +optional
	Match *ModelMatch `json:"match,omitempty"`

	// Visibility says whether the model is listed to clients.
	// +kubebuilder:default=Public
	// +optional
	Visibility ModelVisibility `json:"visibility,omitempty"`

	// Provider is the built-in provider that serves the model.
	// +optional
	Provider *ModelProvider `json:"provider,omitempty"`

	// Azure holds Azure settings when the provider is Azure.
	// +optional
	Azure *AzureSettings `json:"azure,omitempty"`

	// VertexAI holds Vertex AI settings when the provider is Vertex AI.
	// +optional
	VertexAI *VertexAISettings `json:"vertexai,omitempty"`

	// Bedrock holds Bedrock settings when the provider is Bedrock.
	// +optional
	Bedrock *BedrockSettings `json:"bedrock,omitempty"`

	// Custom describes a provider that is not built in.
	// +optional
	Custom *CustomProviderSettings `json:"custom,omitempty"`

	// BaseURL overrides the provider's default address.
	// +kubebuilder:validation:Format=uri
	// +optional
	BaseURL *LongString `json:"baseURL,omitempty"`

	// Policies apply to requests served by this model.
	// +optional
	Policies *ModelPolicies `json:"policies,omitempty"`

	// VirtualModel routes to other models instead of a provider.
	// +optional
	VirtualModel *VirtualModel `json:"virtualModel,omitempty"`
}

// ModelPolicies apply to requests served by a model.
//
// +kubebuilder:validation:XValidation:rule="[has(self.auth),has(self.authorization),has(self.headers),has(self.health),has(self.promptGuard),has(self.tls),has(self.transformations),has(self.tunnel)].filter(x,x==true).size() >= 1",message="at least one of the fields in [auth authorization headers health promptGuard tls transformations tunnel] must be set"
type ModelPolicies struct {
	// +kubebuilder:validation:MinItems=1
	// +kubebuilder:validation:MaxItems=64
	// +listType=map
	// +listMapKey=field
	// +optional
	Transformations []FieldTransformation `json:"transformations,omitempty"`

	// +optional
	Authorization *Authorization `json:"authorization,omitempty"`

	// +optional
	Auth *ModelBackendAuth `json:"auth,omitempty"`

	// +optional
	Health *Health `json:"health,omitempty"`
	// +optional
	TLS *BackendTLS `json:"tls,omitempty"`
	// +optional
	Tunnel *BackendTunnel `json:"tunnel,omitempty"`
	// +optional
	Headers *HeaderModifiers `json:"headers,omitempty"`
	// +optional
	PromptGuard *AIPromptGuard `json:"promptGuard,omitempty"`
}

// ModelBackendAuth is how agentgateway authenticates to a model's provider; set at most one method.
//
// +kubebuilder:validation:XValidation:rule="[has(self.key),has(self.secretRef),has(self.passthrough),has(self.aws),has(self.azure),has(self.gcp),has(self.oauthTokenExchange)].filter(x,x==true).size() <= 1",message="at most one of the fields in [key secretRef passthrough aws azure gcp oauthTokenExchange] may be set"
// +kubebuilder:validation:XValidation:rule="has(self.credentials) || has(self.key) || has(self.secretRef) || has(self.passthrough) || has(self.aws) || has(self.azure) || has(self.gcp) || has(self.oauthTokenExchange)",message="must specify credentials, or at most one of key/secretRef/passthrough/aws/azure/gcp/oauthTokenExchange (credentials may be combined with a primary auth kind)"
// +kubebuilder:validation:XValidation:rule="has(self.location) ? has(self.key) || has(self.secretRef) || has(self.passthrough) : true",message="location may only be set for key, secretRef, or passthrough auth"
type ModelBackendAuth struct {
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
	Location *AuthorizationLocation `json:"location,omitempty"`

	// +optional
	// +kubebuilder:validation:MinItems=1
	// +kubebuilder:validation:MaxItems=8
	// +listType=atomic
	Credentials []BackendAuthCredential `json:"credentials,omitempty"`
}

// ModelMatch selects requests by model name.
type ModelMatch struct {
	// +kubebuilder:validation:XValidation:rule="!self.contains('*') || (self.indexOf('*') == self.lastIndexOf('*') && (self.indexOf('*') == 0 || self.indexOf('*') == size(self) - 1))",message="model wildcards must be '*', a suffix like 'gpt-*', or a prefix like '*-latest'"
	// +optional
	Model *LongString `json:"model,omitempty"`
}

// ModelProvider is a built-in LLM provider.
//
// +k8s:enum
type ModelProvider string

const (
	ModelProviderOpenAI      ModelProvider = "OpenAI"
	ModelProviderAzure       ModelProvider = "Azure"
	ModelProviderAnthropic   ModelProvider = "Anthropic"
	ModelProviderGemini      ModelProvider = "Gemini"
	ModelProviderVertexAI    ModelProvider = "VertexAI"
	ModelProviderBedrock     ModelProvider = "Bedrock"
	ModelProviderCohere      ModelProvider = "Cohere"
	ModelProviderOllama      ModelProvider = "Ollama"
	ModelProviderBaseten     ModelProvider = "Baseten"
	ModelProviderCerebras    ModelProvider = "Cerebras"
	ModelProviderDeepinfra   ModelProvider = "Deepinfra"
	ModelProviderDeepseek    ModelProvider = "Deepseek"
	ModelProviderGroq        ModelProvider = "Groq"
	ModelProviderHuggingface ModelProvider = "Huggingface"
	ModelProviderMistral     ModelProvider = "Mistral"
	ModelProviderOpenrouter  ModelProvider = "Openrouter"
	ModelProviderTogetherAI  ModelProvider = "TogetherAI"
	ModelProviderXAI         ModelProvider = "XAI"
	ModelProviderFireworks   ModelProvider = "Fireworks"
	ModelProviderCustom      ModelProvider = "Custom"
)

// ModelVisibility says whether a model is listed to clients.
//
// +k8s:enum
type ModelVisibility string

const (
	ModelVisibilityPublic   ModelVisibility = "Public"
	ModelVisibilityInternal ModelVisibility = "Internal"
)

// VirtualModel routes to other models by weight, failover order or condition; set exactly one.
//
// +kubebuilder:validation:XValidation:rule="[has(self.weighted),has(self.failover),has(self.conditional)].filter(x,x==true).size() == 1",message="exactly one of the fields in [weighted failover conditional] must be set"
type VirtualModel struct {
	// +optional
	Weighted *WeightedModelRouting `json:"weighted,omitempty"`

	// +optional
	Failover *FailoverModelRouting `json:"failover,omitempty"`

	// +optional
	Conditional *ConditionalModelRouting `json:"conditional,omitempty"`
}

// WeightedModelRouting splits traffic between models by weight.
type WeightedModelRouting struct {
	// +kubebuilder:validation:MinItems=1
	// +kubebuilder:validation:MaxItems=64
	// +required
	Targets []WeightedModelTarget `json:"targets"`
}

// WeightedModelTarget is one model of a weighted split.
type WeightedModelTarget struct {
	ModelTargetReference `json:",inline"`

	// +kubebuilder:default=1
	// +kubebuilder:validation:Minimum=1
	// +kubebuilder:validation:Maximum=1000000
	// +optional
	Weight int32 `json:"weight,omitempty"`
}

// FailoverModelRouting tries models in order.
type FailoverModelRouting struct {
	// +kubebuilder:validation:MinItems=1
	// +kubebuilder:validation:MaxItems=64
	// +required
	Targets []FailoverModelTarget `json:"targets"`
}

// FailoverModelTarget is one model of a failover list.
type FailoverModelTarget struct {
	ModelTargetReference `json:",inline"`

	// +kubebuilder:validation:Minimum=0
	// +kubebuilder:validation:Maximum=1000000
	// +required
	Priority int32 `json:"priority"`
}

// ConditionalModelRouting picks the first model whose condition matches.
type ConditionalModelRouting struct {
	// +kubebuilder:validation:MinItems=1
	// +kubebuilder:validation:MaxItems=64
	// +kubebuilder:validation:XValidation:message="conditional targets without when must be last",rule="self.filter(e, !has(e.when)).size() <= 1 && (!self.exists(e, !has(e.when)) || !has(self[size(self) - 1].when))"
	// +required
	Targets []ConditionalModelTarget `json:"targets"`
}

// ConditionalModelTarget is one model with the condition that selects it.
type ConditionalModelTarget struct {
	ModelTargetReference `json:",inline"`

	// +optional
	When *CELExpression `json:"when,omitempty"`
}

// ModelTargetReference names an AgentgatewayModel.
type ModelTargetReference struct {
	// +required
	ModelRef corev1.LocalObjectReference `json:"modelRef"`

	// +optional
	Model *LongString `json:"model,omitempty"`
}

// AgentgatewayModelStatus is written by the controller; the CLI never sets it.
type AgentgatewayModelStatus struct {
	// +kubebuilder:validation:MaxItems=16
	// +optional
	Parents []gwv1.RouteParentStatus `json:"parents,omitempty"`
}
