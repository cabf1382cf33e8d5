// Package kgatewayv20 holds kubelb-ai's own Go types for the gateway.kgateway.dev/v1alpha1
// resources of the kgateway v2.0.x releases: Backend, TrafficPolicy, GatewayParameters,
// DirectResponse, GatewayExtension and HTTPListenerPolicy. The CRDs generated from them
// match the v2.0.5 release field for field, so a manifest is judged as that release
// would judge it. kubelb-ai renders only the AI parts (AI Backends, the ai and rateLimit
// parts of TrafficPolicy, the proxy Service and AI extension of GatewayParameters).
//
// The v2.0.x shapes differ from v2.1.x: providers sit under llm.provider, failover is
// multipool.priorities[].pool[], and a custom upstream is llm.hostOverride. Package
// kgatewayv21 has the v2.1.x shapes. Manifests built from one package are rejected by the
// CRDs of the other release line.
//
// Where the upstream CRDs embed core Kubernetes types whose current k8s.io/api shape has
// grown since, core_types.go holds copies with the older shape.
//
// +kubebuilder:object:generate=true
// +groupName=gateway.kgateway.dev
// +versionName=v1alpha1
package kgatewayv20

// make generate writes this package's CRDs to schemas/crds/kgateway/v2.0.5.
//
//kubelbai:crds kgateway/v2.0.5
