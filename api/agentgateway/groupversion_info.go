package agentgateway

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

const (
	// GroupName is the API group of the agentgateway resources.
	GroupName = "agentgateway.dev"
	// Version is the only API version these types model.
	Version = "v1alpha1"

	// KindAgentgatewayBackend is the kind of AgentgatewayBackend objects.
	KindAgentgatewayBackend = "AgentgatewayBackend"
	// KindAgentgatewayPolicy is the kind of AgentgatewayPolicy objects.
	KindAgentgatewayPolicy = "AgentgatewayPolicy"
	// KindAgentgatewayParameters is the kind of AgentgatewayParameters objects.
	KindAgentgatewayParameters = "AgentgatewayParameters"
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
		&AgentgatewayBackend{},
		&AgentgatewayBackendList{},
		&AgentgatewayPolicy{},
		&AgentgatewayPolicyList{},
		&AgentgatewayParameters{},
		&AgentgatewayParametersList{},
	)
	metav1.AddToGroupVersion(scheme, SchemeGroupVersion)
	return nil
}
