package agentgatewayv14

import (
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	gwv1 "sigs.k8s.io/gateway-api/apis/v1"
)

type AIPromptEnrichment struct {
	// +optional
	Prepend []Message `json:"prepend,omitempty"`

	// +optional
	Append []Message `json:"append,omitempty"`
}

type Message struct {
	// +required
	Role string `json:"role"`

	// +required
	Content string `json:"content"`
}

// +k8s:enum
type BuiltIn string

const (
	SSN BuiltIn = "Ssn"

	CREDIT_CARD BuiltIn = "CreditCard"

	PHONE_NUMBER BuiltIn = "PhoneNumber"

	EMAIL BuiltIn = "Email"

	CA_SIN BuiltIn = "CaSin"
)

// +k8s:enum
type Action string

const (
	MASK Action = "Mask"

	REJECT Action = "Reject"
)

// +k8s:enum
type PromptGuardStreamingMode string

const (
	PromptGuardStreamingModeEnabled PromptGuardStreamingMode = "Enabled"
)

type Regex struct {
	// +optional
	Matches []LongString `json:"matches,omitempty"`

	// +optional
	Builtins []BuiltIn `json:"builtins,omitempty"`

	// +kubebuilder:default=Mask
	// +optional
	Action *Action `json:"action,omitempty"`
}

type Webhook struct {
	// +required
	BackendRef gwv1.BackendObjectReference `json:"backendRef"`

	// +kubebuilder:validation:MaxProperties=64
	// +optional
	Headers map[string]CELExpression `json:"headers,omitempty"`

	// +optional
	ForwardHeaderMatches []gwv1.HTTPHeaderMatch `json:"forwardHeaderMatches,omitempty"`

	// +optional
	FailureMode FailureMode `json:"failureMode,omitempty"`
}

// +kubebuilder:validation:XValidation:rule="[has(self.message),has(self.statusCode)].filter(x,x==true).size() >= 1",message="at least one of the fields in [message statusCode] must be set"
type CustomResponse struct {
	// +kubebuilder:default="The request was rejected due to inappropriate content"
	// +optional
	Message string `json:"message,omitempty"`

	// +kubebuilder:default=403
	// +kubebuilder:validation:Minimum=200
	// +kubebuilder:validation:Maximum=599
	// +optional
	StatusCode int32 `json:"statusCode,omitempty"`
}

type OpenAIModeration struct {
	// +optional
	Model *string `json:"model,omitempty"`
	// +optional
	Policies *OpenAIModerationPolicy `json:"policies,omitempty"`
}

type BedrockGuardrails struct {
	// +required
	GuardrailIdentifier ShortString `json:"identifier"`

	// +required
	GuardrailVersion ShortString `json:"version"`

	// +required
	Region ShortString `json:"region"`

	// +optional
	Policies *BedrockGuardrailsPolicy `json:"policies,omitempty"`
}

type GoogleModelArmor struct {
	// +required
	TemplateID ShortString `json:"templateId"`

	// +required
	ProjectID ShortString `json:"projectId"`

	// +kubebuilder:default="us-central1"
	// +optional
	Location *ShortString `json:"location,omitempty"`

	// +optional
	Policies *GoogleModelArmorPolicy `json:"policies,omitempty"`
}

// +kubebuilder:validation:XValidation:rule="[has(self.regex),has(self.webhook),has(self.openAIModeration),has(self.bedrockGuardrails),has(self.googleModelArmor)].filter(x,x==true).size() == 1",message="exactly one of the fields in [regex webhook openAIModeration bedrockGuardrails googleModelArmor] must be set"
type PromptguardRequest struct {
	// +optional
	CustomResponse *CustomResponse `json:"response,omitempty"`

	// +optional
	Regex *Regex `json:"regex,omitempty"`

	// +optional
	Webhook *Webhook `json:"webhook,omitempty"`

	// +optional
	OpenAIModeration *OpenAIModeration `json:"openAIModeration,omitempty"`

	// +optional
	BedrockGuardrails *BedrockGuardrails `json:"bedrockGuardrails,omitempty"`

	// +optional
	GoogleModelArmor *GoogleModelArmor `json:"googleModelArmor,omitempty"`
}

// +kubebuilder:validation:XValidation:rule="[has(self.regex),has(self.webhook),has(self.bedrockGuardrails),has(self.googleModelArmor)].filter(x,x==true).size() == 1",message="exactly one of the fields in [regex webhook bedrockGuardrails googleModelArmor] must be set"
type PromptguardResponse struct {
	// +optional
	CustomResponse *CustomResponse `json:"response,omitempty"`

	// +optional
	Regex *Regex `json:"regex,omitempty"`

	// +optional
	Webhook *Webhook `json:"webhook,omitempty"`

	// +optional
	BedrockGuardrails *BedrockGuardrails `json:"bedrockGuardrails,omitempty"`

	// +optional
	GoogleModelArmor *GoogleModelArmor `json:"googleModelArmor,omitempty"`
}

// +kubebuilder:validation:XValidation:rule="[has(self.request),has(self.response)].filter(x,x==true).size() >= 1",message="at least one of the fields in [request response] must be set"
type AIPromptGuard struct {
	// +optional
	Streaming PromptGuardStreamingMode `json:"streaming,omitempty"`

	// +kubebuilder:validation:MinItems=1
	// +kubebuilder:validation:MaxItems=8
	// +optional
	Request []PromptguardRequest `json:"request,omitempty"`

	// +kubebuilder:validation:MinItems=1
	// +kubebuilder:validation:MaxItems=8
	// +optional
	Response []PromptguardResponse `json:"response,omitempty"`
}

type FieldDefault struct {
	// +required
	Field ShortString `json:"field"`

	// +kubebuilder:pruning:PreserveUnknownFields
	// +required
	Value apiextensionsv1.JSON `json:"value"`
}

type FieldTransformation struct {
	// +required
	Field ShortString `json:"field"`

	// +required
	Expression CELExpression `json:"expression"`
}

type PromptCachingConfig struct {
	// +optional
	// +kubebuilder:default=true
	CacheSystem bool `json:"cacheSystem,omitempty"`

	// +optional
	// +kubebuilder:default=true
	CacheMessages bool `json:"cacheMessages,omitempty"`

	// +optional
	// +kubebuilder:default=false
	CacheTools bool `json:"cacheTools,omitempty"`

	// +optional
	// +kubebuilder:validation:Minimum=0
	// +kubebuilder:default=1024
	MinTokens int `json:"minTokens,omitempty"`

	// +optional
	// +kubebuilder:validation:Minimum=0
	// +kubebuilder:default=0
	CacheMessageOffset int `json:"cacheMessageOffset,omitempty"`
}
