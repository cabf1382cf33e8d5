// Package agentgateway holds kubelb-ai's own Go types for the agentgateway.dev/v1alpha1
// custom resources that the CLI renders: AgentgatewayBackend, AgentgatewayPolicy and
// AgentgatewayParameters.
//
// The types cover only the part of each schema that is common to the agentgateway CRD
// releases v1.1.0, v1.3.1 and v1.4.1, so that a manifest built from them is accepted by
// all three. Where the releases disagree, the validation markers follow v1.1.0, the
// release pinned by KubeLB 1.4.
//
// Fields a renderer of AI gateways never sets are left out. Where a CEL rule of the
// upstream schema names such a field, the field is kept as an opaque object so that the
// rule still type-checks. Rules that only concern omitted fields are left out with them.
//
// +kubebuilder:object:generate=true
// +groupName=agentgateway.dev
// +versionName=v1alpha1
package agentgateway
