// Package kgatewayv21 holds kubelb-ai's own Go types for the gateway.kgateway.dev/v1alpha1
// resources of the kgateway v2.1.x releases: Backend, TrafficPolicy, GatewayParameters,
// BackendConfigPolicy, DirectResponse, GatewayExtension and HTTPListenerPolicy. The CRDs
// generated from them match the schemas of kgateway v2.1.2 field for field, so that
// manifests are checked offline exactly as the cluster would check them. kubelb-ai
// renders only AI Backends, the AI and rate limit parts of TrafficPolicies and the
// proxy Service and AI extension of GatewayParameters; the rest is modelled so that
// existing manifests decode strictly.
//
// In v2.1.x the provider sits directly under llm (llm.openai, not llm.provider.openai),
// the upstream address is llm.host and llm.port, and failover is priorityGroups[].providers[]
// with a name per provider. Package kgatewayv20 has the older v2.0.x shapes; the two are
// not interchangeable.
//
// Durations are plain strings, checked by the same CEL rules as upstream, so that a value
// such as "1h" is written back as it was read. Where upstream embeds Kubernetes or
// Gateway API types whose current releases validate differently from the releases
// kgateway v2.1.2 was built with, this package keeps local copies with the older shape.
//
// +kubebuilder:object:generate=true
// +groupName=gateway.kgateway.dev
// +versionName=v1alpha1
package kgatewayv21

// make generate writes this package's CRDs to schemas/crds/kgateway/v2.1.2.
//
//kubelbai:crds kgateway/v2.1.2
