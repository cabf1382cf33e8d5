package agentgatewayv14

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	gwv1 "sigs.k8s.io/gateway-api/apis/v1"
)

// LocalPolicyTargetReference names a target in the same namespace.
type LocalPolicyTargetReference struct {
	// +required
	Group gwv1.Group `json:"group"`

	// +required
	Kind gwv1.Kind `json:"kind"`

	// +required
	Name gwv1.ObjectName `json:"name"`
}

// LocalPolicyTargetReferenceWithSectionName names a target in the same namespace, optionally a section of it.
//
// +kubebuilder:validation:XValidation:rule="[has(self.sectionName),has(self.port)].filter(x,x==true).size() <= 1",message="at most one of the fields in [sectionName port] may be set"
type LocalPolicyTargetReferenceWithSectionName struct {
	LocalPolicyTargetReference `json:",inline"`

	// +optional
	SectionName *gwv1.SectionName `json:"sectionName,omitempty"`

	// +optional
	// +kubebuilder:validation:Minimum=1
	// +kubebuilder:validation:Maximum=65535
	Port *int32 `json:"port,omitempty"`
}

// LocalPolicyTargetSelector selects targets in the same namespace by label.
type LocalPolicyTargetSelector struct {
	// +required
	Group gwv1.Group `json:"group"`

	// +required
	Kind gwv1.Kind `json:"kind"`

	// +required
	MatchLabels map[string]string `json:"matchLabels"`
}

// LocalPolicyTargetSelectorWithSectionName selects targets by label, optionally a section of them.
//
// +kubebuilder:validation:XValidation:rule="[has(self.sectionName),has(self.port)].filter(x,x==true).size() <= 1",message="at most one of the fields in [sectionName port] may be set"
type LocalPolicyTargetSelectorWithSectionName struct {
	LocalPolicyTargetSelector `json:",inline"`

	// +optional
	SectionName *gwv1.SectionName `json:"sectionName,omitempty"`

	// +optional
	// +kubebuilder:validation:Minimum=1
	// +kubebuilder:validation:Maximum=65535
	Port *int32 `json:"port,omitempty"`
}

// PolicyStatus is written by the controller; the CLI never sets it.
type PolicyStatus struct {
	// +optional
	// +listType=map
	// +listMapKey=type
	// +kubebuilder:validation:MaxItems=8
	Conditions []metav1.Condition `json:"conditions,omitempty"`

	// +kubebuilder:validation:MaxItems=16
	// +required
	Ancestors []PolicyAncestorStatus `json:"ancestors"`
}

// PolicyAncestorStatus is a policy's status for one ancestor.
type PolicyAncestorStatus struct {
	// +required
	AncestorRef gwv1.ParentReference `json:"ancestorRef"`

	// +required
	ControllerName string `json:"controllerName"`

	// +optional
	// +listType=map
	// +listMapKey=type
	// +kubebuilder:validation:MinItems=1
	// +kubebuilder:validation:MaxItems=8
	Conditions []metav1.Condition `json:"conditions,omitempty"`
}

// HeaderModifiers modify request and response headers.
//
// +kubebuilder:validation:XValidation:rule="[has(self.request),has(self.response)].filter(x,x==true).size() >= 1",message="at least one of the fields in [request response] must be set"
type HeaderModifiers struct {
	// +optional
	Request *gwv1.HTTPHeaderFilter `json:"request,omitempty"`

	// +optional
	Response *gwv1.HTTPHeaderFilter `json:"response,omitempty"`
}

// LocalSecretObjectRef names a Secret in the same namespace.
//
// +structType=atomic
// +kubebuilder:validation:XValidation:rule="(!has(self.group) || size(self.group) == 0) ? (!has(self.kind) || size(self.kind) == 0 || self.kind == 'Secret') : (has(self.kind) && size(self.kind) > 0)",message="custom credential refs must set both group and kind"
type LocalSecretObjectRef struct {
	// +required
	Name gwv1.ObjectName `json:"name"`

	// +optional
	Group string `json:"group,omitempty"`

	// +optional
	Kind string `json:"kind,omitempty"`
}

// LocalSecretKeyRef names a key of a Secret in the same namespace.
//
// +structType=atomic
// +kubebuilder:validation:XValidation:rule="(!has(self.group) || size(self.group) == 0) ? (!has(self.kind) || size(self.kind) == 0 || self.kind == 'Secret') : (has(self.kind) && size(self.kind) > 0)",message="custom credential refs must set both group and kind"
type LocalSecretKeyRef struct {
	// +required
	Name gwv1.ObjectName `json:"name"`

	// +optional
	Group string `json:"group,omitempty"`

	// +optional
	Kind string `json:"kind,omitempty"`

	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=253
	// +optional
	Key *string `json:"key,omitempty"`
}
