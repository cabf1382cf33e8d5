// Package agentgateway holds kubelb-ai's own Go types for the agentgateway.dev/v1alpha1
// custom resources: AgentgatewayBackend, AgentgatewayPolicy and AgentgatewayParameters.
//
// The types model the whole spec of each kind as released in agentgateway v1.1.0, the
// release pinned by KubeLB 1.4: every field, default, bound, pattern, list type and CEL
// rule. The CRDs generated from them (schemas/crds/agentgateway/v1.1.0) are checked field by
// field against the upstream CRDs by the schemas package's fidelity test. Later
// releases (v1.3.1, v1.4.1; schema-only packages agentgatewayv13 and agentgatewayv14)
// add fields, drop a few and change some rules, so a manifest valid for v1.1.0 is not
// always valid for them; what kubelb-ai renders stays within the part the three
// releases share, which a test checks against each.
//
// Where upstream embeds Kubernetes or Gateway API types, the same types are embedded
// here, except where the pinned Gateway API module generates a different schema; a
// local copy of the v1.1.0 shape is kept for those (see gatewayapi_types.go).
//
// +kubebuilder:object:generate=true
// +groupName=agentgateway.dev
// +versionName=v1alpha1
package agentgateway

// make generate writes this package's CRDs to schemas/crds/agentgateway/v1.1.0.
//
//kubelbai:crds agentgateway/v1.1.0
