package agentgateway

import (
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/runtime"
)

// BackendPolicies are the policies for traffic sent to a backend. The same type is
// used for AgentgatewayBackend.spec.policies and AgentgatewayPolicy.spec.backend.
//
// +kubebuilder:validation:XValidation:rule="[has(self.ai),has(self.auth),has(self.health),has(self.http),has(self.mcp),has(self.tcp),has(self.tls),has(self.transformation),has(self.tunnel)].filter(x,x==true).size() >= 1",message="at least one of the fields in [ai auth health http mcp tcp tls transformation tunnel] must be set"
type BackendPolicies struct {
	// AI shapes LLM requests and responses (prompt guards, enrichment, defaults).
	// +optional
	AI *AIPolicy `json:"ai,omitempty"`

	// Auth sets the credentials agentgateway presents to the backend.
	// +optional
	Auth *BackendAuth `json:"auth,omitempty"`

	// MCP, Health, HTTP, TCP, TLS, Transformation and Tunnel are not modelled; they
	// exist so that upstream rules naming them type-check.

	// +optional
	MCP *runtime.RawExtension `json:"mcp,omitempty"`
	// +optional
	Health *runtime.RawExtension `json:"health,omitempty"`
	// +optional
	HTTP *runtime.RawExtension `json:"http,omitempty"`
	// +optional
	TCP *runtime.RawExtension `json:"tcp,omitempty"`
	// +optional
	TLS *runtime.RawExtension `json:"tls,omitempty"`
	// +optional
	Transformation *runtime.RawExtension `json:"transformation,omitempty"`
	// +optional
	Tunnel *runtime.RawExtension `json:"tunnel,omitempty"`
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

	// Health, HTTP, TCP, TLS, Transformation and Tunnel are not modelled; they
	// exist so that upstream rules naming them type-check.

	// +optional
	Health *runtime.RawExtension `json:"health,omitempty"`
	// +optional
	HTTP *runtime.RawExtension `json:"http,omitempty"`
	// +optional
	TCP *runtime.RawExtension `json:"tcp,omitempty"`
	// +optional
	TLS *runtime.RawExtension `json:"tls,omitempty"`
	// +optional
	Transformation *runtime.RawExtension `json:"transformation,omitempty"`
	// +optional
	Tunnel *runtime.RawExtension `json:"tunnel,omitempty"`
}

// BackendAuth selects how agentgateway authenticates to the backend; set exactly one
// field.
//
// +kubebuilder:validation:XValidation:rule="[has(self.key),has(self.secretRef),has(self.passthrough),has(self.aws),has(self.azure),has(self.gcp)].filter(x,x==true).size() == 1",message="exactly one of the fields in [key secretRef passthrough aws azure gcp] must be set"
type BackendAuth struct {
	// Key is an API key written inline. Prefer SecretRef outside of tests.
	// +optional
	// +kubebuilder:validation:MaxLength=2048
	Key string `json:"key,omitempty"`

	// SecretRef names a Secret in the same namespace whose "Authorization" entry holds
	// the API key.
	// +optional
	SecretRef *corev1.LocalObjectReference `json:"secretRef,omitempty"`

	// Passthrough forwards the client's own credentials unchanged.
	// +optional
	Passthrough *PassthroughAuth `json:"passthrough,omitempty"`

	// AWS signs requests with AWS SigV4 (used for Bedrock).
	// +optional
	AWS *AWSAuth `json:"aws,omitempty"`

	// Azure and GCP are not modelled; they exist so that upstream rules naming them
	// type-check.

	// +optional
	Azure *runtime.RawExtension `json:"azure,omitempty"`
	// +optional
	GCP *runtime.RawExtension `json:"gcp,omitempty"`
}

// PassthroughAuth has no settings; its presence turns passthrough on.
type PassthroughAuth struct{}

// AWSAuth signs requests with static AWS credentials.
type AWSAuth struct {
	// SecretRef names a Secret in the same namespace holding accessKey, secretKey and
	// optionally sessionToken.
	// +required
	SecretRef corev1.LocalObjectReference `json:"secretRef"`
}

// AIPolicy changes LLM traffic: it can guard prompts and responses, add messages,
// fill in or force request fields, and rename models. At least one field must be set.
//
// +kubebuilder:validation:XValidation:rule="[has(self.defaults),has(self.modelAliases),has(self.overrides),has(self.prompt),has(self.promptCaching),has(self.promptGuard),has(self.routes),has(self.transformations)].filter(x,x==true).size() >= 1",message="at least one of the fields in [defaults modelAliases overrides prompt promptCaching promptGuard routes transformations] must be set"
type AIPolicy struct {
	// Prompt adds messages before and/or after the client's messages.
	// +optional
	Prompt *PromptEnrichment `json:"prompt,omitempty"`

	// PromptGuard inspects requests and responses and masks or rejects matches.
	// +optional
	PromptGuard *PromptGuard `json:"promptGuard,omitempty"`

	// Defaults set request body fields that the client left out.
	// +optional
	// +kubebuilder:validation:MinItems=1
	// +kubebuilder:validation:MaxItems=64
	Defaults []FieldDefault `json:"defaults,omitempty"`

	// Overrides set request body fields whatever the client sent.
	// +optional
	// +kubebuilder:validation:MinItems=1
	// +kubebuilder:validation:MaxItems=64
	Overrides []FieldDefault `json:"overrides,omitempty"`

	// ModelAliases maps a model name the client asks for to the name sent upstream.
	// +optional
	// +kubebuilder:validation:MaxProperties=64
	ModelAliases map[string]string `json:"modelAliases,omitempty"`

	// PromptCaching, Routes and Transformations are not modelled; they exist so that
	// upstream rules naming them type-check.

	// +optional
	PromptCaching *runtime.RawExtension `json:"promptCaching,omitempty"`
	// +optional
	Routes *runtime.RawExtension `json:"routes,omitempty"`
	// +optional
	// +kubebuilder:validation:MinItems=1
	// +kubebuilder:validation:MaxItems=64
	Transformations []runtime.RawExtension `json:"transformations,omitempty"`
}

// PromptEnrichment lists chat messages to insert around the client's messages.
type PromptEnrichment struct {
	// Prepend messages go before the client's messages.
	// +optional
	Prepend []Message `json:"prepend,omitempty"`

	// Append messages go after the client's messages.
	// +optional
	Append []Message `json:"append,omitempty"`
}

// Message is one chat message.
type Message struct {
	// Role is the chat role, such as "system" or "user".
	// +required
	Role string `json:"role"`

	// Content is the message text.
	// +required
	Content string `json:"content"`
}

// FieldDefault names a top-level field of the JSON request body and the value to put
// there.
type FieldDefault struct {
	// Field is the request body key, for example "temperature".
	// +required
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=256
	Field string `json:"field"`

	// Value is any JSON value: a string, number, boolean, list or object. Set Raw to
	// its JSON encoding.
	// +required
	// +kubebuilder:validation:Schemaless
	// +kubebuilder:pruning:PreserveUnknownFields
	Value runtime.RawExtension `json:"value"`
}

// PromptGuard holds the checks run on requests and on responses; set at least one list.
//
// +kubebuilder:validation:XValidation:rule="[has(self.request),has(self.response)].filter(x,x==true).size() >= 1",message="at least one of the fields in [request response] must be set"
type PromptGuard struct {
	// Request checks run, in order, on the prompt before it reaches the provider.
	// +optional
	// +kubebuilder:validation:MinItems=1
	// +kubebuilder:validation:MaxItems=8
	Request []PromptGuardRequest `json:"request,omitempty"`

	// Response checks run, in order, on the provider's answer.
	// +optional
	// +kubebuilder:validation:MinItems=1
	// +kubebuilder:validation:MaxItems=8
	Response []PromptGuardResponse `json:"response,omitempty"`
}

// PromptGuardRequest is one request-side check; set exactly one kind. Only the regex
// kind is modelled.
//
// +kubebuilder:validation:XValidation:rule="[has(self.regex),has(self.webhook),has(self.openAIModeration),has(self.bedrockGuardrails),has(self.googleModelArmor)].filter(x,x==true).size() == 1",message="exactly one of the fields in [regex webhook openAIModeration bedrockGuardrails googleModelArmor] must be set"
type PromptGuardRequest struct {
	// Regex matches the prompt against built-in and custom patterns.
	// +optional
	Regex *RegexGuard `json:"regex,omitempty"`

	// Response customises the reply sent to the client when the check rejects.
	// +optional
	Response *CustomResponse `json:"response,omitempty"`

	// Webhook, OpenAIModeration, BedrockGuardrails and GoogleModelArmor are not
	// modelled; they exist so that upstream rules naming them type-check.

	// +optional
	Webhook *runtime.RawExtension `json:"webhook,omitempty"`
	// +optional
	OpenAIModeration *runtime.RawExtension `json:"openAIModeration,omitempty"`
	// +optional
	BedrockGuardrails *runtime.RawExtension `json:"bedrockGuardrails,omitempty"`
	// +optional
	GoogleModelArmor *runtime.RawExtension `json:"googleModelArmor,omitempty"`
}

// PromptGuardResponse is one response-side check; set exactly one kind. Only the regex
// kind is modelled.
//
// +kubebuilder:validation:XValidation:rule="[has(self.regex),has(self.webhook),has(self.bedrockGuardrails),has(self.googleModelArmor)].filter(x,x==true).size() == 1",message="exactly one of the fields in [regex webhook bedrockGuardrails googleModelArmor] must be set"
type PromptGuardResponse struct {
	// Regex matches the provider's answer against built-in and custom patterns.
	// +optional
	Regex *RegexGuard `json:"regex,omitempty"`

	// Response customises the reply sent to the client when the check rejects.
	// +optional
	Response *CustomResponse `json:"response,omitempty"`

	// Webhook, BedrockGuardrails and GoogleModelArmor are not modelled; they exist so that upstream rules naming them type-check.

	// +optional
	Webhook *runtime.RawExtension `json:"webhook,omitempty"`
	// +optional
	BedrockGuardrails *runtime.RawExtension `json:"bedrockGuardrails,omitempty"`
	// +optional
	GoogleModelArmor *runtime.RawExtension `json:"googleModelArmor,omitempty"`
}

// RegexAction is what a regex guard does with a match.
//
// +kubebuilder:validation:Enum=Mask;Reject
type RegexAction string

const (
	// RegexActionMask replaces the matched text and lets the request continue.
	RegexActionMask RegexAction = "Mask"
	// RegexActionReject refuses the request or response.
	RegexActionReject RegexAction = "Reject"
)

// BuiltinRegex is a predefined pattern for common personal data.
//
// +kubebuilder:validation:Enum=Ssn;CreditCard;PhoneNumber;Email;CaSin
type BuiltinRegex string

const (
	// BuiltinSsn matches US social security numbers.
	BuiltinSsn BuiltinRegex = "Ssn"
	// BuiltinCreditCard matches payment card numbers.
	BuiltinCreditCard BuiltinRegex = "CreditCard"
	// BuiltinPhoneNumber matches phone numbers.
	BuiltinPhoneNumber BuiltinRegex = "PhoneNumber"
	// BuiltinEmail matches e-mail addresses.
	BuiltinEmail BuiltinRegex = "Email"
	// BuiltinCaSin matches Canadian social insurance numbers.
	BuiltinCaSin BuiltinRegex = "CaSin"
)

// RegexGuard masks or rejects text matching built-in or custom regular expressions.
type RegexGuard struct {
	// Action is applied to matches; the server default is Mask.
	// +optional
	// +kubebuilder:default=Mask
	Action RegexAction `json:"action,omitempty"`

	// Builtins are predefined patterns to apply.
	// +optional
	Builtins []BuiltinRegex `json:"builtins,omitempty"`

	// Matches are custom regular expressions to apply.
	// +optional
	// +kubebuilder:validation:items:MinLength=1
	// +kubebuilder:validation:items:MaxLength=1024
	Matches []string `json:"matches,omitempty"`
}

// CustomResponse is the reply returned to the client when a guard rejects; set at
// least one field.
//
// +kubebuilder:validation:XValidation:rule="[has(self.message),has(self.statusCode)].filter(x,x==true).size() >= 1",message="at least one of the fields in [message statusCode] must be set"
type CustomResponse struct {
	// Message is the body of the reply.
	// +optional
	// +kubebuilder:default="The request was rejected due to inappropriate content"
	Message string `json:"message,omitempty"`

	// StatusCode is the HTTP status of the reply.
	// +optional
	// +kubebuilder:default=403
	// +kubebuilder:validation:Minimum=200
	// +kubebuilder:validation:Maximum=599
	StatusCode int32 `json:"statusCode,omitempty"`
}
