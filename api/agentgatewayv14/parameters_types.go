package agentgatewayv14

import (
	corev1 "k8s.io/api/core/v1"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// AgentgatewayParameters customises the proxy deployment for a GatewayClass or Gateway.
//
// +kubebuilder:printcolumn:name="Age",type=date,JSONPath=`.metadata.creationTimestamp`
// +kubebuilder:object:root=true
// +kubebuilder:object:generate=false
// +kubebuilder:metadata:labels={app=agentgateway,app.kubernetes.io/name=agentgateway}
// +kubebuilder:resource:categories=agentgateway,shortName=agpar,path=agentgatewayparameters
// +kubebuilder:subresource:status
// +kubebuilder:metadata:labels="gateway.networking.k8s.io/policy=Direct"
type AgentgatewayParameters struct {
	metav1.TypeMeta `json:",inline"`
	// +optional
	metav1.ObjectMeta `json:"metadata"`

	// Spec holds the proxy settings.
	// +required
	Spec AgentgatewayParametersSpec `json:"spec"`

	// Status is always empty.
	// +optional
	Status AgentgatewayParametersStatus `json:"status"`
}

// AgentgatewayParametersStatus is empty; the controller writes nothing.
type AgentgatewayParametersStatus struct{}

// AgentgatewayParametersList is a list of AgentgatewayParameters objects.
//
// +kubebuilder:object:root=true
// +kubebuilder:object:generate=false
type AgentgatewayParametersList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata"`
	Items           []AgentgatewayParameters `json:"items"`
}

// AgentgatewayParametersSpec holds the typed settings and the overlays of the generated resources.
//
// +kubebuilder:validation:XValidation:rule="!has(self.deployment) || !has(self.workload) || !has(self.workload.kind) || self.workload.kind == 'Deployment'",message="deployment overlays are only valid when workload.kind is Deployment or unset"
// +kubebuilder:validation:XValidation:rule="!has(self.daemonSet) || (has(self.workload) && has(self.workload.kind) && self.workload.kind == 'DaemonSet')",message="daemonSet overlays are only valid when workload.kind is DaemonSet"
// +kubebuilder:validation:XValidation:rule="!has(self.horizontalPodAutoscaler) || !has(self.workload) || !has(self.workload.kind) || self.workload.kind != 'DaemonSet'",message="horizontalPodAutoscaler is not valid when workload.kind is DaemonSet"
type AgentgatewayParametersSpec struct {
	AgentgatewayParametersConfigs  `json:",inline"`
	AgentgatewayParametersOverlays `json:",inline"`
}

// AgentgatewayParametersLoggingFormat is the proxy's log format.
//
// +k8s:enum
type AgentgatewayParametersLoggingFormat string

const (
	AgentgatewayParametersLoggingJson AgentgatewayParametersLoggingFormat = "json"
	AgentgatewayParametersLoggingText AgentgatewayParametersLoggingFormat = "text"
)

// AgentgatewayParametersWorkloadKind is the kind of workload that runs the proxy.
//
// +k8s:enum
type AgentgatewayParametersWorkloadKind string

const (
	AgentgatewayParametersWorkloadDeployment AgentgatewayParametersWorkloadKind = "Deployment"
	AgentgatewayParametersWorkloadDaemonSet  AgentgatewayParametersWorkloadKind = "DaemonSet"
)

// AgentgatewayParametersWorkload selects the workload kind.
type AgentgatewayParametersWorkload struct {
	// +optional
	Kind AgentgatewayParametersWorkloadKind `json:"kind,omitempty"`
}

// AgentgatewayParametersLogging sets the proxy's log level and format.
type AgentgatewayParametersLogging struct {
	// +optional
	Level string `json:"level,omitempty"`
	// +optional
	Format AgentgatewayParametersLoggingFormat `json:"format,omitempty"`
}

// AgentgatewayParametersConfigs are the typed proxy settings.
type AgentgatewayParametersConfigs struct {
	// Workload selects the kind of workload that runs the proxy.
	// +optional
	Workload *AgentgatewayParametersWorkload `json:"workload,omitempty"`

	// Logging sets the proxy's log level and format.
	// +optional
	Logging *AgentgatewayParametersLogging `json:"logging,omitempty"`

	// RawConfig is merged into the proxy's configuration file as is.
	// +optional
	// +kubebuilder:validation:Type=object
	// +kubebuilder:pruning:PreserveUnknownFields
	RawConfig *apiextensionsv1.JSON `json:"rawConfig,omitempty"`

	// Image overrides the proxy image.
	// +optional
	Image *Image `json:"image,omitempty"`

	// Env are extra environment variables for the proxy container.
	// +optional
	Env []corev1.EnvVar `json:"env,omitempty"`

	// Resources are the proxy container's resource requests and limits.
	// +optional
	Resources *corev1.ResourceRequirements `json:"resources,omitempty"`

	// Shutdown bounds the proxy's graceful shutdown.
	// +optional
	Shutdown *ShutdownSpec `json:"shutdown,omitempty"`

	// +optional
	Istio *IstioSpec `json:"istio,omitempty"`

	// +optional
	ModelCatalog *ModelCatalogSpec `json:"modelCatalog,omitempty"`
}

// ModelCatalogSpec lists the sources of model cost data.
type ModelCatalogSpec struct {
	// +optional
	Sources []ModelCatalogSource `json:"sources,omitempty"`
}

// ModelCatalogSource is one source of model cost data.
type ModelCatalogSource struct {
	// +optional
	ConfigMap *ModelCatalogConfigMapRef `json:"configMap,omitempty"`
}

// ModelCatalogConfigMapRef names a ConfigMap key holding model cost data.
type ModelCatalogConfigMapRef struct {
	// +required
	// +kubebuilder:validation:MinLength=1
	Name string `json:"name"`

	// +optional
	Key string `json:"key,omitempty"`
}

// IstioSpec configures the proxy's Istio integration.
type IstioSpec struct {
	// +optional
	Enabled *bool `json:"enabled,omitempty"`
	// +optional
	CaAddress string `json:"caAddress,omitempty"`
	// +optional
	TrustDomain string `json:"trustDomain,omitempty"`
	// +optional
	AdditionalTrustDomains []string `json:"additionalTrustDomains,omitempty"`
	// +optional
	ClusterId string `json:"clusterId,omitempty"`
	// +optional
	Network string `json:"network,omitempty"`
}

// ShutdownSpec bounds how long the proxy takes to shut down.
//
// +kubebuilder:validation:XValidation:rule="self.min <= self.max",message="The 'min' value must be less than or equal to the 'max' value."
type ShutdownSpec struct {
	// +required
	// +kubebuilder:validation:Minimum=0
	// +kubebuilder:validation:Maximum=31536000
	Min int64 `json:"min"`

	// +required
	// +kubebuilder:validation:Minimum=0
	// +kubebuilder:validation:Maximum=31536000
	Max int64 `json:"max"`
}

// AgentgatewayParametersOverlays patch the Kubernetes resources generated for the proxy.
type AgentgatewayParametersOverlays struct {
	// +optional
	Deployment *KubernetesResourceOverlay `json:"deployment,omitempty"`

	// +optional
	DaemonSet *KubernetesResourceOverlay `json:"daemonSet,omitempty"`

	// +optional
	Service *KubernetesResourceOverlay `json:"service,omitempty"`

	// +optional
	ServiceAccount *KubernetesResourceOverlay `json:"serviceAccount,omitempty"`

	// +optional
	PodDisruptionBudget *KubernetesResourceOverlay `json:"podDisruptionBudget,omitempty"`

	// +optional
	HorizontalPodAutoscaler *KubernetesResourceOverlay `json:"horizontalPodAutoscaler,omitempty"`
}

// Image names a container image.
type Image struct {
	// +optional
	Registry *string `json:"registry,omitempty"`

	// +optional
	Repository *string `json:"repository,omitempty"`

	// +optional
	Tag *string `json:"tag,omitempty"`

	// +optional
	Digest *string `json:"digest,omitempty"`

	// +optional
	PullPolicy *corev1.PullPolicy `json:"pullPolicy,omitempty"`
}
