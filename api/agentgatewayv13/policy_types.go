package agentgatewayv13

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	gwv1 "sigs.k8s.io/gateway-api/apis/v1"
)

// AgentgatewayPolicy attaches traffic policies (such as rate limits) or backend
// policies (such as prompt guards) to Gateways, routes or backends.
//
// +kubebuilder:object:root=true
// +kubebuilder:object:generate=false
// +kubebuilder:subresource:status
// +kubebuilder:resource:categories=agentgateway,shortName=agpol
// +kubebuilder:printcolumn:name="Accepted",type=string,JSONPath=".status.ancestors[*].conditions[?(@.type=='Accepted')].status",description="Whether the controller accepted this policy"
// +kubebuilder:printcolumn:name="Attached",type=string,JSONPath=".status.ancestors[*].conditions[?(@.type=='Attached')].status",description="Whether the policy is attached to its targets"
// +kubebuilder:printcolumn:name="Age",type=date,JSONPath=".metadata.creationTimestamp"
type AgentgatewayPolicy struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	// Spec names the targets and the policies to apply to them.
	// +required
	Spec AgentgatewayPolicySpec `json:"spec"`

	// Status is written by the agentgateway controller; the CLI never sets it.
	// +optional
	Status gwv1.PolicyStatus `json:"status,omitzero"`
}

// AgentgatewayPolicyList is a list of AgentgatewayPolicy objects.
//
// +kubebuilder:object:root=true
// +kubebuilder:object:generate=false
type AgentgatewayPolicyList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []AgentgatewayPolicy `json:"items"`
}

// AgentgatewayPolicySpec holds the targets and the policy sections. Set exactly one of
// TargetRefs and TargetSelectors, and at least one of Traffic, Frontend and Backend.
//
// +kubebuilder:validation:XValidation:rule="has(self.traffic) || has(self.frontend) || has(self.backend)",message="At least one of traffic, frontend, or backend must be provided."
// +kubebuilder:validation:XValidation:rule="!has(self.strategy) || !has(self.strategy.inheritance) || (has(self.traffic) && !has(self.frontend) && !has(self.backend))",message="strategy.inheritance may only be set on traffic policies"
// +kubebuilder:validation:XValidation:rule="!has(self.backend) || !has(self.backend.mcp) || ((!has(self.targetRefs) || !self.targetRefs.exists(t, t.kind == 'Service')) && (!has(self.targetSelectors) || !self.targetSelectors.exists(t, t.kind == 'Service')))",message="backend.mcp may not be used with a Service target"
// +kubebuilder:validation:XValidation:rule="!has(self.backend) || !has(self.backend.mcp) || ((!has(self.targetRefs) || !self.targetRefs.exists(t, t.kind == 'AgentgatewayBackend' && has(t.sectionName))) && (!has(self.targetSelectors) || !self.targetSelectors.exists(t, t.kind == 'AgentgatewayBackend' && has(t.sectionName))))",message="backend.mcp may not target an AgentgatewayBackend sectionName"
// +kubebuilder:validation:XValidation:rule="!has(self.backend) || !has(self.backend.ai) || ((!has(self.targetRefs) || !self.targetRefs.exists(t, t.kind == 'Service')) && (!has(self.targetSelectors) || !self.targetSelectors.exists(t, t.kind == 'Service')))",message="backend.ai may not be used with a Service target"
// +kubebuilder:validation:XValidation:rule="!(has(self.traffic) && has(self.traffic.jwtAuthentication) && has(self.backend) && has(self.backend.mcp) && has(self.backend.mcp.authentication))",message="traffic.jwtAuthentication may not be used with backend.mcp.authentication in the same policy"
// +kubebuilder:validation:XValidation:rule="has(self.frontend) && has(self.targetRefs) ? self.targetRefs.all(t, t.kind == 'Gateway' && !has(t.sectionName)) : true",message="the 'frontend' field can only target a Gateway"
// +kubebuilder:validation:XValidation:rule="has(self.frontend) && has(self.targetSelectors) ? self.targetSelectors.all(t, t.kind == 'Gateway' && !has(t.sectionName)) : true",message="the 'frontend' field can only target a Gateway"
// +kubebuilder:validation:XValidation:rule="has(self.traffic) && has(self.targetRefs) ? self.targetRefs.all(t, t.kind in ['Gateway', 'HTTPRoute', 'GRPCRoute', 'ListenerSet', 'InferencePool']) : true",message="the 'traffic' field can only target a Gateway, ListenerSet, GRPCRoute, HTTPRoute, or InferencePool"
// +kubebuilder:validation:XValidation:rule="has(self.traffic) && has(self.targetSelectors) ? self.targetSelectors.all(t, t.kind in ['Gateway', 'HTTPRoute', 'GRPCRoute', 'ListenerSet', 'InferencePool']) : true",message="the 'traffic' field can only target a Gateway, ListenerSet, GRPCRoute, HTTPRoute, or InferencePool"
// +kubebuilder:validation:XValidation:rule="has(self.targetRefs) && has(self.traffic) && has(self.traffic.phase) && self.traffic.phase == 'PreRouting' ? self.targetRefs.all(t, t.kind in ['Gateway', 'ListenerSet']) : true",message="the 'traffic.phase=PreRouting' field can only target a Gateway or ListenerSet"
// +kubebuilder:validation:XValidation:rule="has(self.targetSelectors) && has(self.traffic) && has(self.traffic.phase) && self.traffic.phase == 'PreRouting' ? self.targetSelectors.all(t, t.kind in ['Gateway', 'ListenerSet']) : true",message="the 'traffic.phase=PreRouting' field can only target a Gateway or ListenerSet"
// +kubebuilder:validation:XValidation:rule="[has(self.targetRefs),has(self.targetSelectors)].filter(x,x==true).size() == 1",message="exactly one of the fields in [targetRefs targetSelectors] must be set"
type AgentgatewayPolicySpec struct {
	// TargetRefs are the objects the policy attaches to; all must be of one kind.
	// +optional
	// +listType=atomic
	// +kubebuilder:validation:MinItems=1
	// +kubebuilder:validation:MaxItems=16
	// +kubebuilder:validation:XValidation:rule="self.all(r, (r.kind == 'Service' && r.group == '') || (r.kind == 'AgentgatewayBackend' && r.group == 'agentgateway.dev') || (r.kind in ['Gateway', 'HTTPRoute', 'GRPCRoute'] && r.group == 'gateway.networking.k8s.io') || (r.kind == 'ListenerSet' && r.group == 'gateway.networking.k8s.io') || (r.kind == 'InferencePool' && r.group == 'inference.networking.k8s.io'))",message="targetRefs may only reference Gateway, HTTPRoute, GRPCRoute, ListenerSet, Service, AgentgatewayBackend, or InferencePool resources"
	// +kubebuilder:validation:XValidation:rule="self.all(l1, !self.exists(l2, l1.kind != l2.kind))",message="Only one Kind of targetRef can be set on one policy"
	TargetRefs []PolicyTargetReference `json:"targetRefs,omitempty"`

	// TargetSelectors attach the policy to every object of one kind whose labels match.
	// +optional
	// +kubebuilder:validation:MinItems=1
	// +kubebuilder:validation:MaxItems=16
	// +kubebuilder:validation:XValidation:rule="self.all(r, (r.kind == 'Service' && r.group == '') || (r.kind == 'AgentgatewayBackend' && r.group == 'agentgateway.dev') || (r.kind in ['Gateway', 'HTTPRoute', 'GRPCRoute'] && r.group == 'gateway.networking.k8s.io') || (r.kind == 'ListenerSet' && r.group == 'gateway.networking.k8s.io') || (r.kind == 'InferencePool' && r.group == 'inference.networking.k8s.io'))",message="targetRefs may only reference Gateway, HTTPRoute, GRPCRoute, ListenerSet, Service, AgentgatewayBackend, or InferencePool resources"
	// +kubebuilder:validation:XValidation:rule="self.all(l1, !self.exists(l2, l1.kind != l2.kind))",message="Only one Kind of targetRef can be set on one policy"
	TargetSelectors []PolicyTargetSelector `json:"targetSelectors,omitempty"`

	// Strategy says how this policy combines with policies on other levels.
	// +optional
	Strategy *PolicyStrategy `json:"strategy,omitempty"`

	// Traffic applies to requests on the targeted Gateway, listener or route.
	// +optional
	Traffic *TrafficPolicy `json:"traffic,omitempty"`

	// Backend applies to requests sent to the targeted backends, or to the backends of
	// the targeted Gateway or route.
	// +optional
	Backend *BackendPolicies `json:"backend,omitempty"`

	// Frontend applies to client connections of the targeted Gateway.
	// +optional
	Frontend *FrontendPolicy `json:"frontend,omitempty"`
}

// PolicyTargetReference names an object in the policy's namespace, optionally a
// section of it (such as a Gateway listener or a route rule).
type PolicyTargetReference struct {
	// Group is the API group of the target; use "" for core Services.
	// +required
	// +kubebuilder:validation:MaxLength=253
	// +kubebuilder:validation:Pattern=`^$|^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$`
	Group string `json:"group"`

	// Kind is the kind of the target, for example HTTPRoute.
	// +required
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=63
	// +kubebuilder:validation:Pattern=`^[a-zA-Z]([-a-zA-Z0-9]*[a-zA-Z0-9])?$`
	Kind string `json:"kind"`

	// Name is the name of the target.
	// +required
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=253
	Name string `json:"name"`

	// SectionName narrows the target to one named section.
	// +optional
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=253
	// +kubebuilder:validation:Pattern=`^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$`
	SectionName string `json:"sectionName,omitempty"`
}

// PolicyTargetSelector selects objects of one kind in the policy's namespace by their
// labels, optionally narrowed to one named section.
type PolicyTargetSelector struct {
	// Group is the API group of the targets; use "" for core Services.
	// +required
	// +kubebuilder:validation:MaxLength=253
	// +kubebuilder:validation:Pattern=`^$|^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$`
	Group string `json:"group"`

	// Kind is the kind of the targets, for example HTTPRoute.
	// +required
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=63
	// +kubebuilder:validation:Pattern=`^[a-zA-Z]([-a-zA-Z0-9]*[a-zA-Z0-9])?$`
	Kind string `json:"kind"`

	// MatchLabels must all be present, with equal values, on a target.
	// +required
	MatchLabels map[string]string `json:"matchLabels"`

	// SectionName narrows each target to one named section.
	// +optional
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=253
	// +kubebuilder:validation:Pattern=`^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$`
	SectionName string `json:"sectionName,omitempty"`
}

// PolicyStrategy says how a policy combines with policies attached elsewhere.
type PolicyStrategy struct {
	// Inheritance says whether this policy can be overridden by more specific ones.
	// +optional
	Inheritance *PolicyInheritance `json:"inheritance,omitempty"`
}

// PolicyInheritance is how a policy relates to more specific policies.
//
// +k8s:enum
type PolicyInheritance string

const (
	// PolicyInheritanceDefault lets more specific policies override this one.
	PolicyInheritanceDefault PolicyInheritance = "Default"
	// PolicyInheritanceOverride makes this policy win over more specific ones.
	PolicyInheritanceOverride PolicyInheritance = "Override"
)
