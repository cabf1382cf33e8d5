package agentgatewayv14

type Authorization struct {
	// +required
	Policy AuthorizationPolicy `json:"policy"`

	// +kubebuilder:default=Allow
	// +optional
	Action AuthorizationPolicyAction `json:"action,omitempty"`
}

// +kubebuilder:validation:MinLength=1
// +kubebuilder:validation:MaxLength=16384
type CELExpression string

type AuthorizationPolicy struct {
	// +kubebuilder:validation:MinItems=1
	// +kubebuilder:validation:MaxItems=256
	// +required
	MatchExpressions []CELExpression `json:"matchExpressions"`
}

// +k8s:enum
type AuthorizationPolicyAction string

const (
	AuthorizationPolicyActionAllow   AuthorizationPolicyAction = "Allow"
	AuthorizationPolicyActionDeny    AuthorizationPolicyAction = "Deny"
	AuthorizationPolicyActionRequire AuthorizationPolicyAction = "Require"
)
