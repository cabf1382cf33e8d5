// Package agentgatewayv14 holds kubelb-ai's own Go types for the agentgateway.dev/v1alpha1
// custom resources as released in agentgateway v1.4.1: AgentgatewayBackend,
// AgentgatewayPolicy, AgentgatewayParameters and AgentgatewayModel (new in v1.4).
//
// The package is schema-only. It exists so that controller-gen can generate the CRDs
// embedded in schemas/crds/agentgateway/v1.4.1, which the schemas package's fidelity
// test checks field by field against the upstream CRDs of that release: every field,
// default, bound, pattern, enum, list type and CEL rule. No deepcopy code is generated
// (the root types opt out too) and nothing registers the types with a runtime scheme;
// package agentgateway, which models v1.1.0, is the one kubelb-ai decodes into.
//
// Upstream generates its CRDs with a wrapper around controller-gen that adds rules of
// its own (at least one field set, conditional policies, rules that depend on a phase)
// and writes byte sizes as int-or-string without a type. Here those rules are spelled
// out as XValidation markers with the same rule text, exactly-one-of and at-most-one-of
// rules are written the way upstream's controller-gen release writes them, and ByteSize
// is an IntOrString whose bounds sit on each field that uses it. Kubernetes and Gateway
// API types are embedded as upstream embeds them; the pinned Gateway API module
// generates the same schema for them as the release agentgateway v1.4.1 was built with.
//
// +kubebuilder:object:generate=false
// +groupName=agentgateway.dev
// +versionName=v1alpha1
package agentgatewayv14

// make generate writes this package's CRDs to schemas/crds/agentgateway/v1.4.1.
//
//kubelbai:crds agentgateway/v1.4.1
