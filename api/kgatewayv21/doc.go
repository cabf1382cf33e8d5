// Package kgatewayv21 holds kubelb-ai's own Go types for the gateway.kgateway.dev/v1alpha1
// resources of the kgateway v2.1.x releases that matter to an AI gateway: Backend (the
// type=AI variant), TrafficPolicy (targeting, the ai part and rate limiting) and
// GatewayParameters (the proxy Service and the AI extension sidecar).
//
// In v2.1.x the provider sits directly under llm (llm.openai, not llm.provider.openai),
// the upstream address is llm.host and llm.port, and failover is priorityGroups[].providers[]
// with a name per provider. Package kgatewayv20 has the older v2.0.x shapes; the two are
// not interchangeable.
//
// Fields a renderer of AI gateways never sets are left out. Where a CEL rule of the
// upstream schema names such a field, the field is kept as an opaque object so that the
// rule still type-checks. Rules that only concern omitted fields are left out with them.
//
// +kubebuilder:object:generate=true
// +groupName=gateway.kgateway.dev
// +versionName=v1alpha1
package kgatewayv21
