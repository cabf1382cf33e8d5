// Package agentgatewayv14 holds kubelb-ai's own Go types for the agentgateway.dev/v1alpha1
// custom resources as released in agentgateway v1.4.1: AgentgatewayBackend,
// AgentgatewayPolicy, AgentgatewayParameters and AgentgatewayModel.
//
// The package is schema-only: it exists so that controller-gen can generate the CRDs
// embedded in schemas/crds/agentgateway/v1.4.1, which the schemas package's fidelity
// test checks field by field against the upstream CRDs of that release. No deepcopy
// code is generated and the types are not registered with a runtime scheme; package
// agentgateway models v1.1.0 and is the one the CLI decodes into.
//
// Where upstream embeds Kubernetes or Gateway API types, the same types are embedded
// here, except where the pinned Gateway API module generates a different schema; a
// local copy of the v1.4.1 shape is kept for those (see gatewayapi_types.go).
//
// +kubebuilder:object:generate=false
// +groupName=agentgateway.dev
// +versionName=v1alpha1
package agentgatewayv14
