package agentgatewayv14

type PolicyConditionType string

type PolicyConditionReason string

const (
	PolicyConditionAccepted PolicyConditionType = "Accepted"

	PolicyConditionAttached PolicyConditionType = "Attached"

	PolicyReasonValid PolicyConditionReason = "Valid"

	PolicyReasonInvalid PolicyConditionReason = "Invalid"

	PolicyReasonAttached PolicyConditionReason = "Attached"

	PolicyReasonPending PolicyConditionReason = "Pending"

	PolicyReasonPartiallyValid PolicyConditionReason = "PartiallyValid"
)

type PolicyDisable struct{}
