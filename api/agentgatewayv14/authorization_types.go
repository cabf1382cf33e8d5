package agentgatewayv14

// Authorization is one CEL authorization rule.
type Authorization struct {
	// +required
	Policy AuthorizationPolicy `json:"policy"`

	// +kubebuilder:default=Allow
	// +optional
	Action AuthorizationPolicyAction `json:"action,omitempty"`
}

// CELExpression is a Common Expression Language expression.
//
// +kubebuilder:validation:MinLength=1
// +kubebuilder:validation:MaxLength=16384
type CELExpression string

// AuthorizationPolicy holds the expressions of an authorization rule.
type AuthorizationPolicy struct {
	// +kubebuilder:validation:MinItems=1
	// +kubebuilder:validation:MaxItems=256
	// +required
	MatchExpressions []CELExpression `json:"matchExpressions"`
}

// AuthorizationPolicyAction is what a matching authorization rule does.
//
// +k8s:enum
type AuthorizationPolicyAction string

const (
	AuthorizationPolicyActionAllow   AuthorizationPolicyAction = "Allow"
	AuthorizationPolicyActionDeny    AuthorizationPolicyAction = "Deny"
	AuthorizationPolicyActionRequire AuthorizationPolicyAction = "Require"
)
