package agentgatewayv13

import (
	"k8s.io/apimachinery/pkg/runtime"
	gwv1 "sigs.k8s.io/gateway-api/apis/v1"
)

// AIPolicy changes LLM traffic: it can guard prompts and responses, add messages,
// fill in or force request fields, rename models, cache prompts and pick the API each
// path speaks. At least one field must be set.
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

	// Transformations set request body fields to the result of CEL expressions.
	// +optional
	// +kubebuilder:validation:MinItems=1
	// +kubebuilder:validation:MaxItems=64
	Transformations []FieldTransformation `json:"transformations,omitempty"`

	// ModelAliases maps a model name the client asks for to the name sent upstream.
	// +optional
	// +kubebuilder:validation:MaxProperties=64
	ModelAliases map[string]string `json:"modelAliases,omitempty"`

	// PromptCaching marks parts of the prompt as cacheable for providers that
	// support it.
	// +optional
	PromptCaching *PromptCaching `json:"promptCaching,omitempty"`

	// Routes maps a request path suffix to the API format spoken on it.
	// +optional
	Routes map[string]RouteType `json:"routes,omitempty"`
}

// FieldName names a top-level field of a JSON request body.
//
// +kubebuilder:validation:MinLength=1
// +kubebuilder:validation:MaxLength=256
type FieldName string

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
	Field FieldName `json:"field"`

	// Value is any JSON value: a string, number, boolean, list or object. Set Raw to
	// its JSON encoding.
	// +required
	// +kubebuilder:validation:Schemaless
	// +kubebuilder:pruning:PreserveUnknownFields
	Value runtime.RawExtension `json:"value"`
}

// FieldTransformation sets a request body field to the result of a CEL expression.
type FieldTransformation struct {
	// Field is the request body key to write.
	// +required
	// +kubebuilder:validation:MinLength=1
	Field FieldName `json:"field"`

	// Expression is the CEL expression giving the value.
	// +required
	Expression CELExpression `json:"expression"`
}

// PromptCaching adds cache markers to prompts sent to providers that support them.
type PromptCaching struct {
	// CacheSystem marks the system prompt as cacheable.
	// +optional
	// +kubebuilder:default=true
	CacheSystem *bool `json:"cacheSystem,omitempty"`

	// CacheMessages marks the conversation history as cacheable.
	// +optional
	// +kubebuilder:default=true
	CacheMessages *bool `json:"cacheMessages,omitempty"`

	// CacheTools marks the tool definitions as cacheable.
	// +optional
	// +kubebuilder:default=false
	CacheTools *bool `json:"cacheTools,omitempty"`

	// MinTokens is the estimated prompt size below which no marker is added.
	// +optional
	// +kubebuilder:default=1024
	// +kubebuilder:validation:Minimum=0
	MinTokens *int `json:"minTokens,omitempty"`

	// CacheMessageOffset moves the message cache marker this many messages back
	// from the end of the conversation.
	// +optional
	// +kubebuilder:default=0
	// +kubebuilder:validation:Minimum=0
	CacheMessageOffset *int `json:"cacheMessageOffset,omitempty"`
}

// RouteType is the API format handled on a path.
//
// +k8s:enum
type RouteType string

const (
	// RouteTypeCompletions is the OpenAI chat completions API.
	RouteTypeCompletions RouteType = "Completions"
	// RouteTypeMessages is the Anthropic messages API.
	RouteTypeMessages RouteType = "Messages"
	// RouteTypeModels is the OpenAI model listing API.
	RouteTypeModels RouteType = "Models"
	// RouteTypePassthrough forwards requests without translation.
	RouteTypePassthrough RouteType = "Passthrough"
	// RouteTypeDetect picks the format from the request.
	RouteTypeDetect RouteType = "Detect"
	// RouteTypeResponses is the OpenAI responses API.
	RouteTypeResponses RouteType = "Responses"
	// RouteTypeAnthropicTokenCount is the Anthropic token counting API.
	RouteTypeAnthropicTokenCount RouteType = "AnthropicTokenCount"
	// RouteTypeEmbeddings is the OpenAI embeddings API.
	RouteTypeEmbeddings RouteType = "Embeddings"
	// RouteTypeRealtime is the OpenAI realtime API.
	RouteTypeRealtime RouteType = "Realtime"
	// RouteTypeRerank is the rerank API.
	RouteTypeRerank RouteType = "Rerank"
)

// PromptGuard holds the checks run on requests and on responses; set at least one list.
//
// +kubebuilder:validation:XValidation:rule="[has(self.request),has(self.response)].filter(x,x==true).size() >= 1",message="at least one of the fields in [request response] must be set"
type PromptGuard struct {
	// Streaming turns on guarding of streamed responses.
	// +optional
	Streaming PromptGuardStreamingMode `json:"streaming,omitempty"`

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

// PromptGuardStreamingMode says how streamed responses are guarded.
//
// +k8s:enum
type PromptGuardStreamingMode string

const (
	// PromptGuardStreamingEnabled guards streamed responses as they arrive.
	PromptGuardStreamingEnabled PromptGuardStreamingMode = "Enabled"
)

// PromptGuardRequest is one request-side check; set exactly one kind.
//
// +kubebuilder:validation:XValidation:rule="[has(self.regex),has(self.webhook),has(self.openAIModeration),has(self.bedrockGuardrails),has(self.googleModelArmor)].filter(x,x==true).size() == 1",message="exactly one of the fields in [regex webhook openAIModeration bedrockGuardrails googleModelArmor] must be set"
type PromptGuardRequest struct {
	// Response customises the reply sent to the client when the check rejects.
	// +optional
	Response *CustomResponse `json:"response,omitempty"`

	// Regex matches the prompt against built-in and custom patterns.
	// +optional
	Regex *RegexGuard `json:"regex,omitempty"`

	// Webhook sends the prompt to an external service for a verdict.
	// +optional
	Webhook *GuardWebhook `json:"webhook,omitempty"`

	// OpenAIModeration checks the prompt with the OpenAI moderation API.
	// +optional
	OpenAIModeration *OpenAIModeration `json:"openAIModeration,omitempty"`

	// BedrockGuardrails checks the prompt with an Amazon Bedrock guardrail.
	// +optional
	BedrockGuardrails *BedrockGuardrails `json:"bedrockGuardrails,omitempty"`

	// GoogleModelArmor checks the prompt with a Google Model Armor template.
	// +optional
	GoogleModelArmor *GoogleModelArmor `json:"googleModelArmor,omitempty"`
}

// PromptGuardResponse is one response-side check; set exactly one kind.
//
// +kubebuilder:validation:XValidation:rule="[has(self.regex),has(self.webhook),has(self.bedrockGuardrails),has(self.googleModelArmor)].filter(x,x==true).size() == 1",message="exactly one of the fields in [regex webhook bedrockGuardrails googleModelArmor] must be set"
type PromptGuardResponse struct {
	// Response customises the reply sent to the client when the check rejects.
	// +optional
	Response *CustomResponse `json:"response,omitempty"`

	// Regex matches the provider's answer against built-in and custom patterns.
	// +optional
	Regex *RegexGuard `json:"regex,omitempty"`

	// Webhook sends the answer to an external service for a verdict.
	// +optional
	Webhook *GuardWebhook `json:"webhook,omitempty"`

	// BedrockGuardrails checks the answer with an Amazon Bedrock guardrail.
	// +optional
	BedrockGuardrails *BedrockGuardrails `json:"bedrockGuardrails,omitempty"`

	// GoogleModelArmor checks the answer with a Google Model Armor template.
	// +optional
	GoogleModelArmor *GoogleModelArmor `json:"googleModelArmor,omitempty"`
}

// RegexAction is what a regex guard does with a match.
//
// +k8s:enum
type RegexAction string

const (
	// RegexActionMask replaces the matched text and lets the request continue.
	RegexActionMask RegexAction = "Mask"
	// RegexActionReject refuses the request or response.
	RegexActionReject RegexAction = "Reject"
)

// BuiltinRegex is a predefined pattern for common personal data.
//
// +k8s:enum
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
	// Matches are custom regular expressions to apply.
	// +optional
	// +kubebuilder:validation:items:MinLength=1
	// +kubebuilder:validation:items:MaxLength=1024
	Matches []string `json:"matches,omitempty"`

	// Builtins are predefined patterns to apply.
	// +optional
	Builtins []BuiltinRegex `json:"builtins,omitempty"`

	// Action is applied to matches; the server default is Mask.
	// +optional
	// +kubebuilder:default=Mask
	Action RegexAction `json:"action,omitempty"`
}

// GuardWebhook asks an external service whether to allow, change or reject the text.
type GuardWebhook struct {
	// BackendRef is the service to call.
	// +required
	BackendRef gwv1.BackendObjectReference `json:"backendRef"`

	// ForwardHeaderMatches selects the client request headers forwarded to the service.
	// +optional
	ForwardHeaderMatches []gwv1.HTTPHeaderMatch `json:"forwardHeaderMatches,omitempty"`

	// FailureMode is what happens to the request when the service cannot be reached.
	// +optional
	FailureMode FailureMode `json:"failureMode,omitempty"`
}

// OpenAIModeration checks text with the OpenAI moderation endpoint.
type OpenAIModeration struct {
	// Model is the moderation model; the endpoint's default when unset.
	// +optional
	Model *string `json:"model,omitempty"`

	// Policies apply to the calls to the moderation endpoint, such as its API key.
	// +optional
	Policies *ConnectionPolicies `json:"policies,omitempty"`
}

// BedrockGuardrails checks text with an Amazon Bedrock guardrail.
type BedrockGuardrails struct {
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

	// Region is the AWS region of the guardrail.
	// +required
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=256
	Region string `json:"region"`

	// Policies apply to the calls to Bedrock, such as AWS credentials.
	// +optional
	Policies *ConnectionPolicies `json:"policies,omitempty"`
}

// GoogleModelArmor checks text with a Google Cloud Model Armor template.
type GoogleModelArmor struct {
	// TemplateID is the Model Armor template to apply.
	// +required
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=256
	TemplateID string `json:"templateId"`

	// ProjectID is the Google Cloud project that owns the template.
	// +required
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=256
	ProjectID string `json:"projectId"`

	// Location is the Google Cloud location of the template.
	// +optional
	// +kubebuilder:default=us-central1
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=256
	Location string `json:"location,omitempty"`

	// Policies apply to the calls to Model Armor, such as Google credentials.
	// +optional
	Policies *ConnectionPolicies `json:"policies,omitempty"`
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
