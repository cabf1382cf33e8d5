package agentgatewayv13

import (
	gwv1 "sigs.k8s.io/gateway-api/apis/v1"
)

// Retry is the Gateway API HTTPRouteRetry, embedded as agentgateway v1.3.1 does, plus
// CEL conditions that narrow which requests and responses are retried. Unlike v1.1.0
// (see package agentgateway), v1.3.1 was built against a Gateway API release whose
// HTTPRouteRetry schema matches the one of the pinned sigs.k8s.io/gateway-api module,
// so no local copy of the type is needed.
type Retry struct {
	*gwv1.HTTPRouteRetry `json:",inline"`

	// Precondition is a CEL expression that must hold for a request to be retried.
	// +optional
	Precondition *CELExpression `json:"precondition,omitempty"`

	// Condition is a CEL expression over the response deciding whether to retry.
	// +optional
	Condition *CELExpression `json:"condition,omitempty"`
}
