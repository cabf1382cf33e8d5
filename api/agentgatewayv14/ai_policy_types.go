package agentgatewayv14

import (
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	gwv1 "sigs.k8s.io/gateway-api/apis/v1"
)

// AIPromptEnrichment adds messages before or after the prompt.
type AIPromptEnrichment struct {
	// +optional
	Prepend []Message `json:"prepend,omitempty"`

	// +optional
	Append []Message `json:"append,omitempty"`
}

// Message is one chat message.
type Message struct {
	// +required
	Role string `json:"role"`

	// +required
	Content string `json:"content"`
}

// BuiltIn is a built-in pattern for sensitive data.
//
// +k8s:enum
type BuiltIn string

const (
	SSN          BuiltIn = "Ssn"
	CREDIT_CARD  BuiltIn = "CreditCard"
	PHONE_NUMBER BuiltIn = "PhoneNumber"
	EMAIL        BuiltIn = "Email"
	CA_SIN       BuiltIn = "CaSin"
)

// Action is what a regex guard does on a match.
//
// +k8s:enum
type Action string

const (
	MASK   Action = "Mask"
	REJECT Action = "Reject"
)

// PromptGuardStreamingMode is how streamed responses are guarded.
//
// +k8s:enum
type PromptGuardStreamingMode string

const (
	PromptGuardStreamingModeEnabled PromptGuardStreamingMode = "Enabled"
)

// Regex matches prompts or responses against patterns.
type Regex struct {
	// +optional
	Matches []LongString `json:"matches,omitempty"`

	// +optional
	Builtins []BuiltIn `json:"builtins,omitempty"`

	// +kubebuilder:default=Mask
	// +optional
	Action *Action `json:"action,omitempty"`
}

// Webhook sends prompts or responses to a guard service.
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

// CustomResponse is the response sent when a request is rejected.
//
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

// OpenAIModeration checks prompts with the OpenAI moderation API.
type OpenAIModeration struct {
	// +optional
	Model *string `json:"model,omitempty"`
	// +optional
	Policies *OpenAIModerationPolicy `json:"policies,omitempty"`
}

// BedrockGuardrails checks prompts or responses with AWS Bedrock guardrails.
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

// GoogleModelArmor checks prompts or responses with Google Model Armor.
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

// PromptguardRequest is one guard applied to requests; set exactly one kind.
//
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

// PromptguardResponse is one guard applied to responses; set exactly one kind.
//
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

// AIPromptGuard guards requests and responses.
//
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

// FieldDefault sets a request field when the client did not.
type FieldDefault struct {
	// +required
	Field ShortString `json:"field"`

	// +kubebuilder:pruning:PreserveUnknownFields
	// +required
	Value apiextensionsv1.JSON `json:"value"`
}

// FieldTransformation sets a request field from a CEL expression.
type FieldTransformation struct {
	// +required
	Field ShortString `json:"field"`

	// +required
	Expression CELExpression `json:"expression"`
}

// PromptCachingConfig configures prompt caching markers.
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
