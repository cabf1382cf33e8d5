package kgatewayv21

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// DirectResponse answers requests itself with a fixed status and body, without
// forwarding them. An HTTPRoute rule uses it through an ExtensionRef filter.
//
// +kubebuilder:object:root=true
// +kubebuilder:subresource:status
// +kubebuilder:resource:categories=kgateway
// +kubebuilder:metadata:labels="app=kgateway"
// +kubebuilder:metadata:labels="app.kubernetes.io/name=kgateway"
type DirectResponse struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	// Spec is the reply to send.
	// +optional
	Spec DirectResponseSpec `json:"spec,omitzero"`

	// Status is empty; the controller reports nothing here.
	// +optional
	Status DirectResponseStatus `json:"status,omitzero"`
}

// DirectResponseList is a list of DirectResponse objects.
//
// +kubebuilder:object:root=true
type DirectResponseList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []DirectResponse `json:"items"`
}

// DirectResponseSpec is the fixed reply.
type DirectResponseSpec struct {
	// StatusCode is the HTTP status of the reply.
	// +required
	// +kubebuilder:validation:Minimum=200
	// +kubebuilder:validation:Maximum=599
	StatusCode int32 `json:"status"`

	// Body is the reply body; empty when unset.
	// +optional
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=4096
	Body *string `json:"body,omitempty"`
}

// DirectResponseStatus is empty.
type DirectResponseStatus struct{}
