package kgatewayv20

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

const (
	// GroupName is the API group of the kgateway resources.
	GroupName = "gateway.kgateway.dev"
	// Version is the API version these types model.
	Version = "v1alpha1"

	// KindBackend is the kind of Backend objects.
	KindBackend = "Backend"
	// KindTrafficPolicy is the kind of TrafficPolicy objects.
	KindTrafficPolicy = "TrafficPolicy"
	// KindGatewayParameters is the kind of GatewayParameters objects.
	KindGatewayParameters = "GatewayParameters"
	// KindDirectResponse is the kind of DirectResponse objects.
	KindDirectResponse = "DirectResponse"
	// KindGatewayExtension is the kind of GatewayExtension objects.
	KindGatewayExtension = "GatewayExtension"
	// KindHTTPListenerPolicy is the kind of HTTPListenerPolicy objects.
	KindHTTPListenerPolicy = "HTTPListenerPolicy"
)

// SchemeGroupVersion is the group and version of every type in this package.
var SchemeGroupVersion = schema.GroupVersion{Group: GroupName, Version: Version}

var (
	// SchemeBuilder collects the functions that register this package's types.
	SchemeBuilder = runtime.NewSchemeBuilder(addKnownTypes)
	// AddToScheme registers this package's types with a runtime.Scheme.
	AddToScheme = SchemeBuilder.AddToScheme
)

// Kind returns the group-qualified kind for an unqualified kind name.
func Kind(kind string) schema.GroupKind {
	return SchemeGroupVersion.WithKind(kind).GroupKind()
}

// Resource returns the group-qualified resource for an unqualified resource name.
func Resource(resource string) schema.GroupResource {
	return SchemeGroupVersion.WithResource(resource).GroupResource()
}

func addKnownTypes(scheme *runtime.Scheme) error {
	scheme.AddKnownTypes(SchemeGroupVersion,
		&Backend{},
		&BackendList{},
		&TrafficPolicy{},
		&TrafficPolicyList{},
		&GatewayParameters{},
		&GatewayParametersList{},
		&DirectResponse{},
		&DirectResponseList{},
		&GatewayExtension{},
		&GatewayExtensionList{},
		&HTTPListenerPolicy{},
		&HTTPListenerPolicyList{},
	)
	metav1.AddToGroupVersion(scheme, SchemeGroupVersion)
	return nil
}
