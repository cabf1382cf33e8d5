package agentgatewayv13

import (
	gwv1 "sigs.k8s.io/gateway-api/apis/v1"
)

// Retry has the shape of the Gateway API HTTPRouteRetry as agentgateway v1.1.0
// embeds it. It is a local copy because sigs.k8s.io/gateway-api v1.6.3 changed the
// schema of that type (codes became a set and attempts gained a lower bound), so
// embedding it would no longer match the upstream CRD.
type Retry struct {
	// Codes are the HTTP status codes that are retried.
	// +optional
	// +listType=atomic
	Codes []gwv1.HTTPRouteRetryStatusCode `json:"codes,omitempty"`

	// Attempts is the largest number of retries.
	// +optional
	Attempts *int `json:"attempts,omitempty"`

	// Backoff is the wait between retries.
	// +optional
	Backoff *gwv1.Duration `json:"backoff,omitempty"`
}
