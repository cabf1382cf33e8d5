package kgatewayv20

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// DirectResponse answers requests itself with a fixed status and body, without
// contacting any upstream. An HTTPRoute rule refers to it through an ExtensionRef
// filter.
//
// +kubebuilder:object:root=true
// +kubebuilder:subresource:status
// +kubebuilder:resource:categories=kgateway
// +kubebuilder:metadata:labels="app=kgateway"
// +kubebuilder:metadata:labels="app.kubernetes.io/name=kgateway"
type DirectResponse struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	// Spec is the response to send.
	// +optional
	Spec DirectResponseSpec `json:"spec,omitzero"`

	// Status is unused upstream.
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

// DirectResponseSpec is a fixed HTTP response.
type DirectResponseSpec struct {
	// StatusCode is the HTTP status of the response.
	// +required
	// +kubebuilder:validation:Minimum=200
	// +kubebuilder:validation:Maximum=599
	StatusCode uint32 `json:"status"`

	// Body is the response body.
	// +optional
	// +kubebuilder:validation:MaxLength=4096
	Body *string `json:"body,omitempty"`
}

// DirectResponseStatus is empty; the controller reports nothing here.
type DirectResponseStatus struct{}
