package agentgatewayv14

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	gwv1 "sigs.k8s.io/gateway-api/apis/v1"
)

// +kubebuilder:rbac:groups=authentication.k8s.io,resources=tokenreviews,verbs=create

type NamespacedObjectReference struct {
	// +required
	Name gwv1.ObjectName `json:"name"`

	// +optional
	Namespace *gwv1.Namespace `json:"namespace,omitempty"`
}

type LocalPolicyTargetReference struct {
	// +required
	Group gwv1.Group `json:"group"`

	// +required
	Kind gwv1.Kind `json:"kind"`

	// +required
	Name gwv1.ObjectName `json:"name"`
}

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

type LocalPolicyTargetSelector struct {
	// +required
	Group gwv1.Group `json:"group"`

	// +required
	Kind gwv1.Kind `json:"kind"`

	// +required
	MatchLabels map[string]string `json:"matchLabels"`
}

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

// +kubebuilder:validation:XValidation:rule="[has(self.request),has(self.response)].filter(x,x==true).size() >= 1",message="at least one of the fields in [request response] must be set"
type HeaderModifiers struct {
	// +optional
	Request *gwv1.HTTPHeaderFilter `json:"request,omitempty"`

	// +optional
	Response *gwv1.HTTPHeaderFilter `json:"response,omitempty"`
}

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
