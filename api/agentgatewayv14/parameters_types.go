package agentgatewayv14

import (
	corev1 "k8s.io/api/core/v1"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// +kubebuilder:rbac:groups=agentgateway.dev,resources=agentgatewayparameters,verbs=get;list;watch
// +kubebuilder:rbac:groups=agentgateway.dev,resources=agentgatewayparameters/status,verbs=get;update;patch

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

	// +required
	Spec AgentgatewayParametersSpec `json:"spec"`

	// +optional
	Status AgentgatewayParametersStatus `json:"status"`
}

type AgentgatewayParametersStatus struct{}

// +kubebuilder:object:root=true
// +kubebuilder:object:generate=false
type AgentgatewayParametersList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata"`
	Items           []AgentgatewayParameters `json:"items"`
}

// +kubebuilder:validation:XValidation:rule="!has(self.deployment) || !has(self.workload) || !has(self.workload.kind) || self.workload.kind == 'Deployment'",message="deployment overlays are only valid when workload.kind is Deployment or unset"
// +kubebuilder:validation:XValidation:rule="!has(self.daemonSet) || (has(self.workload) && has(self.workload.kind) && self.workload.kind == 'DaemonSet')",message="daemonSet overlays are only valid when workload.kind is DaemonSet"
// +kubebuilder:validation:XValidation:rule="!has(self.horizontalPodAutoscaler) || !has(self.workload) || !has(self.workload.kind) || self.workload.kind != 'DaemonSet'",message="horizontalPodAutoscaler is not valid when workload.kind is DaemonSet"
type AgentgatewayParametersSpec struct {
	AgentgatewayParametersConfigs  `json:",inline"`
	AgentgatewayParametersOverlays `json:",inline"`
}

// +k8s:enum
type AgentgatewayParametersLoggingFormat string

const (
	AgentgatewayParametersLoggingJson AgentgatewayParametersLoggingFormat = "json"
	AgentgatewayParametersLoggingText AgentgatewayParametersLoggingFormat = "text"
)

// +k8s:enum
type AgentgatewayParametersWorkloadKind string

const (
	AgentgatewayParametersWorkloadDeployment AgentgatewayParametersWorkloadKind = "Deployment"

	AgentgatewayParametersWorkloadDaemonSet AgentgatewayParametersWorkloadKind = "DaemonSet"
)

type AgentgatewayParametersWorkload struct {
	// +optional
	Kind AgentgatewayParametersWorkloadKind `json:"kind,omitempty"`
}

type AgentgatewayParametersLogging struct {
	// +optional
	Level string `json:"level,omitempty"`
	// +optional
	Format AgentgatewayParametersLoggingFormat `json:"format,omitempty"`
}

type AgentgatewayParametersConfigs struct {
	// +optional
	Workload *AgentgatewayParametersWorkload `json:"workload,omitempty"`

	// +optional
	Logging *AgentgatewayParametersLogging `json:"logging,omitempty"`

	// +optional
	// +kubebuilder:validation:Type=object
	// +kubebuilder:pruning:PreserveUnknownFields
	RawConfig *apiextensionsv1.JSON `json:"rawConfig,omitempty"`

	// +optional
	Image *Image `json:"image,omitempty"`

	// +optional
	Env []corev1.EnvVar `json:"env,omitempty"`

	// +optional
	Resources *corev1.ResourceRequirements `json:"resources,omitempty"`

	// +optional
	Shutdown *ShutdownSpec `json:"shutdown,omitempty"`

	// +optional
	Istio *IstioSpec `json:"istio,omitempty"`

	// +optional
	ModelCatalog *ModelCatalogSpec `json:"modelCatalog,omitempty"`
}

type ModelCatalogSpec struct {
	// +optional
	Sources []ModelCatalogSource `json:"sources,omitempty"`
}

type ModelCatalogSource struct {
	// +optional
	ConfigMap *ModelCatalogConfigMapRef `json:"configMap,omitempty"`
}

type ModelCatalogConfigMapRef struct {
	// +required
	// +kubebuilder:validation:MinLength=1
	Name string `json:"name"`

	// +optional
	Key string `json:"key,omitempty"`
}

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
