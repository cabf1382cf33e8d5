package agentgatewayv14

import apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"

// ObjectMetadata is the labels and annotations merged into a generated resource.
type ObjectMetadata struct {
	// +optional
	Labels map[string]string `json:"labels,omitempty"`

	// +optional
	Annotations map[string]string `json:"annotations,omitempty"`
}

// KubernetesResourceOverlay patches a generated resource with strategic merge patch semantics.
type KubernetesResourceOverlay struct {
	// +optional
	Metadata *ObjectMetadata `json:"metadata,omitempty"`

	// +optional
	// +kubebuilder:validation:Type=object
	// +kubebuilder:pruning:PreserveUnknownFields
	Spec *apiextensionsv1.JSON `json:"spec,omitempty"`
}
