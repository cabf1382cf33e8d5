package agentgatewayv13

import (
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
)

// AgentgatewayParameters customises the proxy Deployment and Service that the
// controller creates for a Gateway; a Gateway refers to it through
// spec.infrastructure.parametersRef.
//
// +kubebuilder:object:root=true
// +kubebuilder:object:generate=false
// +kubebuilder:subresource:status
// +kubebuilder:resource:categories=agentgateway,shortName=agpar
// +kubebuilder:printcolumn:name="Age",type=date,JSONPath=".metadata.creationTimestamp"
type AgentgatewayParameters struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	// Spec holds the customisations.
	// +required
	Spec AgentgatewayParametersSpec `json:"spec"`

	// Status is empty upstream and kept only for schema parity.
	// +optional
	Status AgentgatewayParametersStatus `json:"status,omitzero"`
}

// AgentgatewayParametersList is a list of AgentgatewayParameters objects.
//
// +kubebuilder:object:root=true
// +kubebuilder:object:generate=false
type AgentgatewayParametersList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []AgentgatewayParameters `json:"items"`
}

// AgentgatewayParametersSpec customises the proxy and the objects deployed for it.
type AgentgatewayParametersSpec struct {
	// Logging sets the proxy's log level and format.
	// +optional
	Logging *AgentgatewayLogging `json:"logging,omitempty"`

	// RawConfig is merged into the proxy's configuration file as is.
	// +optional
	// +kubebuilder:pruning:PreserveUnknownFields
	RawConfig *runtime.RawExtension `json:"rawConfig,omitempty"`

	// Image overrides the proxy container image.
	// +optional
	Image *Image `json:"image,omitempty"`

	// Env adds environment variables to the proxy container.
	// +optional
	Env []corev1.EnvVar `json:"env,omitempty"`

	// Resources sets the proxy container's resource requests and limits.
	// +optional
	Resources *corev1.ResourceRequirements `json:"resources,omitempty"`

	// Shutdown bounds the graceful shutdown of the proxy.
	// +optional
	Shutdown *ShutdownSpec `json:"shutdown,omitempty"`

	// Istio joins the proxy to an Istio mesh.
	// +optional
	Istio *IstioIntegration `json:"istio,omitempty"`

	// ModelCatalog adds model metadata (such as pricing and limits) to the proxy.
	// +optional
	ModelCatalog *ModelCatalogSpec `json:"modelCatalog,omitempty"`

	// Deployment changes the generated Deployment.
	// +optional
	Deployment *KubernetesResourceOverlay `json:"deployment,omitempty"`

	// Service changes the generated Service, for example its type or annotations.
	// +optional
	Service *KubernetesResourceOverlay `json:"service,omitempty"`

	// ServiceAccount changes the generated ServiceAccount.
	// +optional
	ServiceAccount *KubernetesResourceOverlay `json:"serviceAccount,omitempty"`

	// PodDisruptionBudget adds, or changes, a PodDisruptionBudget for the proxy.
	// +optional
	PodDisruptionBudget *KubernetesResourceOverlay `json:"podDisruptionBudget,omitempty"`

	// HorizontalPodAutoscaler adds, or changes, a HorizontalPodAutoscaler for the proxy.
	// +optional
	HorizontalPodAutoscaler *KubernetesResourceOverlay `json:"horizontalPodAutoscaler,omitempty"`
}

// ShutdownSpec bounds, in seconds, how long the proxy drains connections on shutdown.
//
// +kubebuilder:validation:XValidation:rule="self.min <= self.max",message="The 'min' value must be less than or equal to the 'max' value."
type ShutdownSpec struct {
	// Min is the least time to wait before exiting.
	// +required
	// +kubebuilder:validation:Minimum=0
	// +kubebuilder:validation:Maximum=31536000
	Min int64 `json:"min"`

	// Max is the longest time to wait before exiting.
	// +required
	// +kubebuilder:validation:Minimum=0
	// +kubebuilder:validation:Maximum=31536000
	Max int64 `json:"max"`
}

// ModelCatalogSpec lists where model metadata is read from.
type ModelCatalogSpec struct {
	// Sources are read in order.
	// +optional
	Sources []ModelCatalogSource `json:"sources,omitempty"`
}

// ModelCatalogSource is one source of model metadata.
type ModelCatalogSource struct {
	// ConfigMap reads the metadata from a ConfigMap.
	// +optional
	ConfigMap *ModelCatalogConfigMapRef `json:"configMap,omitempty"`
}

// ModelCatalogConfigMapRef names a ConfigMap key holding model metadata.
type ModelCatalogConfigMapRef struct {
	// Name is the ConfigMap's name.
	// +required
	// +kubebuilder:validation:MinLength=1
	Name string `json:"name"`

	// Key is the entry in the ConfigMap.
	// +optional
	Key string `json:"key,omitempty"`
}

// IstioIntegration points the proxy at an Istio control plane.
type IstioIntegration struct {
	// Enabled turns the Istio integration on or off.
	// +optional
	Enabled *bool `json:"enabled,omitempty"`

	// CAAddress is the address of the Istio certificate authority.
	// +optional
	CAAddress string `json:"caAddress,omitempty"`

	// TrustDomain is the mesh trust domain.
	// +optional
	TrustDomain string `json:"trustDomain,omitempty"`

	// AdditionalTrustDomains are further trust domains accepted from peers.
	// +optional
	AdditionalTrustDomains []string `json:"additionalTrustDomains,omitempty"`

	// ClusterID is the Istio cluster ID of the proxy.
	// +optional
	ClusterID string `json:"clusterId,omitempty"`

	// Network is the Istio network of the proxy.
	// +optional
	Network string `json:"network,omitempty"`
}

// AgentgatewayParametersStatus is intentionally empty.
type AgentgatewayParametersStatus struct{}

// LogFormat is the proxy's log encoding.
//
// +k8s:enum
type LogFormat string

const (
	// LogFormatJSON writes one JSON object per line.
	LogFormatJSON LogFormat = "json"
	// LogFormatText writes human-readable lines.
	LogFormatText LogFormat = "text"
)

// AgentgatewayLogging configures proxy logging.
type AgentgatewayLogging struct {
	// Level is the log filter, for example "info" or "debug".
	// +optional
	Level string `json:"level,omitempty"`

	// Format is the log encoding.
	// +optional
	Format LogFormat `json:"format,omitempty"`
}

// Image names a container image; unset parts keep the controller's defaults.
type Image struct {
	// Registry is the image registry host, for example "cr.agentgateway.dev".
	// +optional
	Registry string `json:"registry,omitempty"`

	// Repository is the image path inside the registry.
	// +optional
	Repository string `json:"repository,omitempty"`

	// Tag is the image tag.
	// +optional
	Tag string `json:"tag,omitempty"`

	// Digest pins the image by content digest.
	// +optional
	Digest string `json:"digest,omitempty"`

	// PullPolicy is the container's imagePullPolicy.
	// +optional
	PullPolicy corev1.PullPolicy `json:"pullPolicy,omitempty"`
}

// KubernetesResourceOverlay changes a generated object: Metadata adds labels and
// annotations, and Spec is merged over the generated spec as a strategic merge patch.
type KubernetesResourceOverlay struct {
	// Metadata adds labels and annotations to the object.
	// +optional
	Metadata *ObjectMetadata `json:"metadata,omitempty"`

	// Spec is a partial spec merged over the generated one, such as
	// {"type": "LoadBalancer"} for a Service. Set Raw to its JSON encoding.
	// +optional
	Spec *runtime.RawExtension `json:"spec,omitempty"`
}

// ObjectMetadata holds labels and annotations to add to a generated object.
type ObjectMetadata struct {
	// Labels are added to the object's labels.
	// +optional
	Labels map[string]string `json:"labels,omitempty"`

	// Annotations are added to the object's annotations.
	// +optional
	Annotations map[string]string `json:"annotations,omitempty"`
}
