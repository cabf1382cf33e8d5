// Package agentgatewayv13 holds kubelb-ai's own Go types for the agentgateway.dev/v1alpha1
// custom resources as released in agentgateway v1.3.1, the release pinned by KubeLB 1.5:
// AgentgatewayBackend, AgentgatewayPolicy and AgentgatewayParameters.
//
// The package is schema-only: its types exist to generate the embedded CRDs in
// schemas/crds/agentgateway/v1.3.1 and carry no deepcopy code and no scheme
// registration. They model the whole spec of each kind: every field, default, bound,
// pattern, list type and CEL rule, and the schemas package's fidelity test checks the
// generated CRDs field by field against the upstream CRDs of the same release.
//
// Where upstream embeds Kubernetes or Gateway API types, the same types are embedded
// here. Unlike the v1.1.0 model (package agentgateway), no local copy of a Gateway
// API type is needed: the pinned sigs.k8s.io/gateway-api module generates the same
// schema as the release v1.3.1 was built against (see gatewayapi_types.go).
//
// +kubebuilder:object:generate=false
// +groupName=agentgateway.dev
// +versionName=v1alpha1
package agentgatewayv13

// make generate writes this package's CRDs to schemas/crds/agentgateway/v1.3.1.
//
//kubelbai:crds agentgateway/v1.3.1
