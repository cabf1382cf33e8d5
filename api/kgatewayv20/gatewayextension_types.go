package kgatewayv20

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	gwv1 "sigs.k8s.io/gateway-api/apis/v1"
)

// GatewayExtension registers an external service (authorization or processing)
// that TrafficPolicies can then refer to by name.
//
// +kubebuilder:object:root=true
// +kubebuilder:subresource:status
// +kubebuilder:resource:categories=kgateway
// +kubebuilder:metadata:labels="app=kgateway"
// +kubebuilder:metadata:labels="app.kubernetes.io/name=kgateway"
// +kubebuilder:printcolumn:name="Type",type=string,JSONPath=".spec.type",description="The kind of extension"
// +kubebuilder:printcolumn:name="Age",type=date,JSONPath=".metadata.creationTimestamp",description="Time since the object was created"
type GatewayExtension struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	// Spec says what kind of extension this is and where its service runs.
	// +optional
	Spec GatewayExtensionSpec `json:"spec,omitzero"`

	// Status is written by the kgateway controller.
	// +optional
	Status SimpleStatus `json:"status,omitzero"`
}

// GatewayExtensionList is a list of GatewayExtension objects.
//
// +kubebuilder:object:root=true
type GatewayExtensionList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []GatewayExtension `json:"items"`
}

// GatewayExtensionType names the kind of extension.
//
// +kubebuilder:validation:Enum=ExtAuth;ExtProc;Extended
type GatewayExtensionType string

const (
	// GatewayExtensionTypeExtAuth is an external authorization service.
	GatewayExtensionTypeExtAuth GatewayExtensionType = "ExtAuth"
	// GatewayExtensionTypeExtProc is an external processing service.
	GatewayExtensionTypeExtProc GatewayExtensionType = "ExtProc"
	// GatewayExtensionTypeExtended is reserved for extensions of kgateway builds.
	GatewayExtensionTypeExtended GatewayExtensionType = "Extended"
)

// GatewayExtensionSpec holds the type of an extension and the settings for that type.
//
// +kubebuilder:validation:XValidation:rule="self.type != 'ExtAuth' || has(self.extAuth)",message="ExtAuth must be set when type is ExtAuth"
// +kubebuilder:validation:XValidation:rule="self.type != 'ExtProc' || has(self.extProc)",message="ExtProc must be set when type is ExtProc"
// +kubebuilder:validation:XValidation:rule="self.type == 'ExtAuth' || !has(self.extAuth)",message="ExtAuth must not be set when type is not ExtAuth"
// +kubebuilder:validation:XValidation:rule="self.type == 'ExtProc' || !has(self.extProc)",message="ExtProc must not be set when type is not ExtProc"
type GatewayExtensionSpec struct {
	// Type selects which of the type-specific fields below must be set.
	// +required
	Type GatewayExtensionType `json:"type"`

	// ExtAuth configures an external authorization service; set it when type is ExtAuth.
	// +optional
	ExtAuth *ExtAuthProvider `json:"extAuth,omitempty"`

	// ExtProc configures an external processing service; set it when type is ExtProc.
	// +optional
	ExtProc *ExtProcProvider `json:"extProc,omitempty"`
}

// ExtAuthProvider is an external authorization service reached over gRPC.
type ExtAuthProvider struct {
	// GrpcService is where the service listens.
	// +required
	GrpcService *ExtGrpcService `json:"grpcService"`
}

// ExtProcProvider is an external processing service reached over gRPC.
type ExtProcProvider struct {
	// GrpcService is where the service listens.
	// +required
	GrpcService *ExtGrpcService `json:"grpcService"`
}

// ExtGrpcService is a gRPC service behind a Kubernetes backend.
type ExtGrpcService struct {
	// BackendRef is the Service (or other backend) that serves the gRPC API.
	// +required
	BackendRef *gwv1.BackendRef `json:"backendRef"`

	// Authority overrides the :authority header of the gRPC calls.
	// +optional
	Authority *string `json:"authority,omitempty"`
}
