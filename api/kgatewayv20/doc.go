// Package kgatewayv20 holds kubelb-ai's own Go types for the gateway.kgateway.dev/v1alpha1
// resources of the kgateway v2.0.x releases that matter to an AI gateway: Backend (the
// type=AI variant), TrafficPolicy (the ai and rateLimit parts) and GatewayParameters (the
// proxy Service and the AI extension sidecar).
//
// The v2.0.x shapes differ from v2.1.x: providers sit under llm.provider, failover is
// multipool.priorities[].pool[], and a custom upstream is llm.hostOverride. Package
// kgatewayv21 has the v2.1.x shapes. Manifests built from one package are rejected by the
// CRDs of the other release line.
//
// Fields a renderer of AI gateways never sets are left out. Where a CEL rule of the
// upstream schema names such a field, the field is kept as an opaque object so that the
// rule still type-checks.
//
// +kubebuilder:object:generate=true
// +groupName=gateway.kgateway.dev
// +versionName=v1alpha1
package kgatewayv20
