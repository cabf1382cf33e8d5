package kgatewayv20

import (
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// SingleAuthTokenKind says where the credential for an LLM provider comes from.
//
// +kubebuilder:validation:Enum=Inline;SecretRef;Passthrough
type SingleAuthTokenKind string

const (
	// SingleAuthTokenKindInline takes the token from the inline field of the Backend.
	SingleAuthTokenKindInline SingleAuthTokenKind = "Inline"
	// SingleAuthTokenKindSecretRef reads the token from the Authorization key of a Secret
	// in the Backend's namespace.
	SingleAuthTokenKindSecretRef SingleAuthTokenKind = "SecretRef"
	// SingleAuthTokenKindPassthrough forwards the client's own credential upstream.
	SingleAuthTokenKindPassthrough SingleAuthTokenKind = "Passthrough"
)

// SingleAuthToken is the credential the gateway presents to an LLM provider.
type SingleAuthToken struct {
	// Kind picks which of the other fields supplies the token.
	// +required
	Kind SingleAuthTokenKind `json:"kind"`

	// Inline is the token itself, stored in the Backend; used with kind Inline.
	// +optional
	Inline string `json:"inline,omitempty"`

	// SecretRef names a Secret in the Backend's own namespace; used with kind SecretRef.
	// +optional
	SecretRef *corev1.LocalObjectReference `json:"secretRef,omitempty"`
}

// Host is a hostname and TCP port pair.
type Host struct {
	// Host is the DNS name or IP address to connect to.
	// +required
	// +kubebuilder:validation:MinLength=1
	Host string `json:"host"`

	// Port is the TCP port on Host.
	// +required
	// +kubebuilder:validation:Minimum=1
	// +kubebuilder:validation:Maximum=65535
	Port int32 `json:"port"`
}

// SimpleStatus carries the conditions the kgateway controller reports on an object.
type SimpleStatus struct {
	// Conditions lists the latest observations of the object's state.
	// +optional
	// +listType=map
	// +listMapKey=type
	// +kubebuilder:validation:MaxItems=8
	Conditions []metav1.Condition `json:"conditions,omitempty"`
}
