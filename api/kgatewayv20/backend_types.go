package kgatewayv20

import (
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// Backend is an upstream that routes can send traffic to. kubelb-ai uses the AI type,
// which points at one LLM provider or at prioritised pools of them.
//
// +kubebuilder:object:root=true
// +kubebuilder:subresource:status
// +kubebuilder:resource:categories=kgateway
// +kubebuilder:metadata:labels="app=kgateway"
// +kubebuilder:metadata:labels="app.kubernetes.io/name=kgateway"
// +kubebuilder:printcolumn:name="Type",type=string,JSONPath=".spec.type",description="The kind of upstream"
// +kubebuilder:printcolumn:name="Age",type=date,JSONPath=".metadata.creationTimestamp",description="Time since the object was created"
type Backend struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	// Spec says what kind of upstream this is and how to reach it.
	// +optional
	Spec BackendSpec `json:"spec,omitzero"`

	// Status is written by the kgateway controller; the CLI never sets it.
	// +optional
	Status SimpleStatus `json:"status,omitzero"`
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
// +kubebuilder:validation:Enum=AI;AWS;Static
type BackendType string

const (
	// BackendTypeAI is an LLM provider, or pools of them.
	BackendTypeAI BackendType = "AI"
	// BackendTypeAWS is an AWS Lambda function.
	BackendTypeAWS BackendType = "AWS"
	// BackendTypeStatic is a fixed list of hosts.
	BackendTypeStatic BackendType = "Static"
)

// BackendSpec holds the type of a Backend and the settings for that type.
//
// +kubebuilder:validation:XValidation:rule="!(has(self.ai) && self.type != 'AI')",message="ai backend must be nil if the type is not 'ai'"
// +kubebuilder:validation:XValidation:rule="!(!has(self.ai) && self.type == 'AI')",message="ai backend must be specified when type is 'ai'"
// +kubebuilder:validation:XValidation:rule="!(has(self.aws) && self.type != 'AWS')",message="aws backend must be nil if the type is not 'aws'"
// +kubebuilder:validation:XValidation:rule="!(!has(self.aws) && self.type == 'AWS')",message="aws backend must be specified when type is 'aws'"
// +kubebuilder:validation:XValidation:rule="!(has(self.static) && self.type != 'Static')",message="static backend must be nil if the type is not 'static'"
// +kubebuilder:validation:XValidation:rule="!(!has(self.static) && self.type == 'Static')",message="static backend must be specified when type is 'static'"
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
}

// AwsBackend is an AWS Lambda function in a given account and region.
type AwsBackend struct {
	// Lambda names the function and how it is invoked.
	// +optional
	Lambda *AwsLambda `json:"lambda,omitempty"`

	// AccountID is the 12-digit AWS account that owns the function.
	// +required
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=12
	// +kubebuilder:validation:Pattern="^[0-9]{12}$"
	AccountID string `json:"accountId"`

	// Auth says where the AWS credentials come from; without it the gateway's own
	// credentials are used.
	// +optional
	Auth *AwsAuth `json:"auth,omitempty"`

	// Region is the AWS region of the function.
	// +optional
	// +kubebuilder:default=us-east-1
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=63
	// +kubebuilder:validation:Pattern="^[a-z0-9-]+$"
	Region string `json:"region,omitempty"`
}

// AwsAuthType names a source of AWS credentials.
//
// +kubebuilder:validation:Enum=Secret
type AwsAuthType string

// AwsAuthTypeSecret reads the credentials from a Secret.
const AwsAuthTypeSecret AwsAuthType = "Secret"

// AwsAuth is the source of the credentials used to call AWS.
//
// +kubebuilder:validation:XValidation:rule="!(has(self.secretRef) && self.type != 'Secret')",message="secretRef must be nil if the type is not 'Secret'"
// +kubebuilder:validation:XValidation:rule="!(!has(self.secretRef) && self.type == 'Secret')",message="secretRef must be specified when type is 'Secret'"
type AwsAuth struct {
	// Type picks the credential source.
	// +required
	Type AwsAuthType `json:"type"`

	// SecretRef names a Secret in the Backend's namespace holding the access key,
	// secret key and optional session token; used with type Secret.
	// +optional
	SecretRef *corev1.LocalObjectReference `json:"secretRef,omitempty"`
}

// AwsLambdaInvocationMode is how a Lambda function is called.
//
// +kubebuilder:validation:Enum=Sync;Async
type AwsLambdaInvocationMode string

const (
	// AwsLambdaInvocationModeSync waits for the function's result.
	AwsLambdaInvocationModeSync AwsLambdaInvocationMode = "Sync"
	// AwsLambdaInvocationModeAsync queues the event and returns at once.
	AwsLambdaInvocationModeAsync AwsLambdaInvocationMode = "Async"
)

// AwsLambda names a Lambda function and how it is invoked.
type AwsLambda struct {
	// EndpointURL replaces the regional Lambda endpoint, for example with a local
	// emulator.
	// +optional
	// +kubebuilder:validation:MaxLength=2048
	// +kubebuilder:validation:Pattern="^https?://[-a-zA-Z0-9@:%.+~#?&/=]+$"
	EndpointURL string `json:"endpointURL,omitempty"`

	// FunctionName is the name of the function.
	// +required
	// +kubebuilder:validation:Pattern="^[A-Za-z0-9-_]{1,140}$"
	FunctionName string `json:"functionName"`

	// InvocationMode is Sync or Async.
	// +optional
	// +kubebuilder:default=Sync
	InvocationMode AwsLambdaInvocationMode `json:"invocationMode,omitempty"`

	// Qualifier selects a version or alias of the function; $LATEST when unset.
	// +optional
	// +kubebuilder:validation:Pattern=`^(\$LATEST|[0-9]+|[A-Za-z0-9-_]{1,128})$`
	Qualifier string `json:"qualifier,omitempty"`
}

// StaticBackend sends traffic to a fixed set of hosts.
type StaticBackend struct {
	// Hosts are the endpoints traffic is balanced over.
	// +optional
	// +kubebuilder:validation:MinItems=1
	Hosts []Host `json:"hosts,omitempty"`
}

// AIBackend is either a single LLM provider or prioritised pools of providers.
//
// +kubebuilder:validation:MinProperties=1
// +kubebuilder:validation:MaxProperties=1
// +kubebuilder:validation:XValidation:rule="(has(self.llm) && !has(self.multipool)) || (!has(self.llm) && has(self.multipool))",message="There must one and only one LLM or MultiPool can be set"
type AIBackend struct {
	// LLM sends every request to one provider.
	// +optional
	LLM *LLMProvider `json:"llm,omitempty"`

	// MultiPool spreads requests over pools of providers, falling back to the next pool
	// when the higher-priority one is unhealthy.
	// +optional
	MultiPool *MultiPoolConfig `json:"multipool,omitempty"`
}

// LLMProvider is one provider plus an optional replacement for its default address.
type LLMProvider struct {
	// Provider holds the settings of exactly one supported provider.
	// +required
	Provider SupportedLLMProvider `json:"provider"`

	// HostOverride sends requests to this address instead of the provider's public
	// endpoint, for example a self-hosted server that speaks the provider's API.
	// +optional
	HostOverride *Host `json:"hostOverride,omitempty"`
}

// SupportedLLMProvider has one field per provider; exactly one of them must be set.
//
// +kubebuilder:validation:MinProperties=1
// +kubebuilder:validation:MaxProperties=1
type SupportedLLMProvider struct {
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

	// Version is the Anthropic API version. The Envoy-based data plane of v2.0 does
	// not appear to use it.
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

// MultiPoolConfig is an ordered list of provider pools for failover.
type MultiPoolConfig struct {
	// Priorities are tried in order: the first entry is preferred, later entries take
	// over when the earlier ones are unhealthy.
	// +required
	// +kubebuilder:validation:MinItems=1
	// +kubebuilder:validation:MaxItems=20
	Priorities []Priority `json:"priorities"`
}

// Priority is one failover level: a pool of providers that share the load.
type Priority struct {
	// Pool lists the providers of this level. All providers of a Backend must be of the
	// same provider kind on the Envoy data plane.
	// +optional
	// +kubebuilder:validation:MinItems=1
	// +kubebuilder:validation:MaxItems=20
	Pool []LLMProvider `json:"pool,omitempty"`
}
