package kgatewayv20

import (
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// GatewayParameters tunes the proxy deployment that kgateway creates for a Gateway. A
// GatewayClass or a Gateway refers to it through parametersRef. kubelb-ai sets the proxy
// Service and enables the AI extension sidecar.
//
// +kubebuilder:object:root=true
// +kubebuilder:subresource:status
// +kubebuilder:resource:path=gatewayparameters,singular=gatewayparameters,categories=kgateway
// +kubebuilder:metadata:labels="app=kgateway"
// +kubebuilder:metadata:labels="app.kubernetes.io/name=kgateway"
type GatewayParameters struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	// Spec says how the proxy is deployed.
	// +optional
	Spec GatewayParametersSpec `json:"spec,omitzero"`

	// Status is unused upstream and never set by the CLI.
	// +optional
	Status GatewayParametersStatus `json:"status,omitzero"`
}

// GatewayParametersList is a list of GatewayParameters objects.
//
// +kubebuilder:object:root=true
type GatewayParametersList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []GatewayParameters `json:"items"`
}

// GatewayParametersSpec chooses between a proxy managed by kgateway and one the user runs.
//
// +kubebuilder:validation:XValidation:rule="has(self.kube) ? !has(self.selfManaged) : has(self.selfManaged)",message="exactly one of 'kube' or 'selfManaged' must be set"
type GatewayParametersSpec struct {
	// Kube configures the Kubernetes objects kgateway creates for the proxy.
	// +optional
	Kube *KubernetesProxyConfig `json:"kube,omitempty"`

	// SelfManaged means kgateway creates no proxy objects for the Gateway.
	// +optional
	SelfManaged *SelfManagedGateway `json:"selfManaged,omitempty"`
}

// SelfManagedGateway marks a Gateway whose proxy is deployed by someone else. The schema
// accepts any content; kubelb-ai always renders it empty.
//
// +kubebuilder:pruning:PreserveUnknownFields
type SelfManagedGateway struct{}

// KubernetesProxyConfig configures the Kubernetes objects kgateway creates for a
// managed proxy.
type KubernetesProxyConfig struct {
	// Deployment sets options of the proxy Deployment.
	// +optional
	Deployment *ProxyDeployment `json:"deployment,omitempty"`

	// EnvoyContainer configures the Envoy container of the proxy pods.
	// +optional
	EnvoyContainer *EnvoyContainer `json:"envoyContainer,omitempty"`

	// SdsContainer configures the secret discovery sidecar used with Istio mTLS.
	// +optional
	SdsContainer *SdsContainer `json:"sdsContainer,omitempty"`

	// PodTemplate adjusts the proxy pods.
	// +optional
	PodTemplate *Pod `json:"podTemplate,omitempty"`

	// Service shapes the Service in front of the proxy pods.
	// +optional
	Service *Service `json:"service,omitempty"`

	// ServiceAccount adds metadata to the proxy's ServiceAccount.
	// +optional
	ServiceAccount *ServiceAccount `json:"serviceAccount,omitempty"`

	// Istio configures the Istio sidecars of the proxy pods.
	// +optional
	Istio *IstioIntegration `json:"istio,omitempty"`

	// Stats configures the proxy's metrics endpoint.
	// +optional
	Stats *StatsConfig `json:"stats,omitempty"`

	// AIExtension adds the sidecar that implements the AI features of Backends and
	// TrafficPolicies.
	// +optional
	AIExtension *AIExtension `json:"aiExtension,omitempty"`

	// FloatingUserID leaves the container user ID unset so the platform picks one, as
	// OpenShift does.
	// +optional
	FloatingUserID *bool `json:"floatingUserId,omitempty"`
}

// ProxyDeployment holds options of the proxy Deployment.
type ProxyDeployment struct {
	// Replicas is the number of proxy pods.
	// +optional
	Replicas *uint32 `json:"replicas,omitempty"`
}

// EnvoyContainer configures the Envoy proxy container.
type EnvoyContainer struct {
	// Bootstrap sets options of Envoy's bootstrap configuration.
	// +optional
	Bootstrap *EnvoyBootstrap `json:"bootstrap,omitempty"`

	// Image is the Envoy container image.
	// +optional
	Image *Image `json:"image,omitempty"`

	// SecurityContext is the container's security context.
	// +optional
	SecurityContext *corev1.SecurityContext `json:"securityContext,omitempty"`

	// Resources are the container's resource requests and limits.
	// +optional
	Resources *corev1.ResourceRequirements `json:"resources,omitempty"`
}

// EnvoyBootstrap holds Envoy's logging options.
type EnvoyBootstrap struct {
	// LogLevel is Envoy's default log level, such as info or debug.
	// +optional
	LogLevel *string `json:"logLevel,omitempty"`

	// ComponentLogLevels sets log levels per Envoy component.
	// +optional
	ComponentLogLevels map[string]string `json:"componentLogLevels,omitempty"`
}

// SdsContainer configures the secret discovery sidecar.
type SdsContainer struct {
	// Image is the sidecar's container image.
	// +optional
	Image *Image `json:"image,omitempty"`

	// SecurityContext is the container's security context.
	// +optional
	SecurityContext *corev1.SecurityContext `json:"securityContext,omitempty"`

	// Resources are the container's resource requests and limits.
	// +optional
	Resources *corev1.ResourceRequirements `json:"resources,omitempty"`

	// Bootstrap sets the sidecar's logging options.
	// +optional
	Bootstrap *SdsBootstrap `json:"bootstrap,omitempty"`
}

// SdsBootstrap holds the secret discovery sidecar's logging options.
type SdsBootstrap struct {
	// LogLevel is the sidecar's log level.
	// +optional
	LogLevel *string `json:"logLevel,omitempty"`
}

// IstioIntegration configures the Istio sidecars of the proxy pods.
type IstioIntegration struct {
	// IstioProxyContainer configures the istio-proxy sidecar.
	// +optional
	IstioProxyContainer *IstioContainer `json:"istioProxyContainer,omitempty"`

	// CustomSidecars replaces the default Istio sidecars with these containers.
	// +optional
	CustomSidecars []Container `json:"customSidecars,omitempty"`
}

// IstioContainer configures the istio-proxy sidecar.
type IstioContainer struct {
	// Image is the sidecar's container image.
	// +optional
	Image *Image `json:"image,omitempty"`

	// SecurityContext is the container's security context.
	// +optional
	SecurityContext *corev1.SecurityContext `json:"securityContext,omitempty"`

	// Resources are the container's resource requests and limits.
	// +optional
	Resources *corev1.ResourceRequirements `json:"resources,omitempty"`

	// LogLevel is the sidecar's log level.
	// +optional
	LogLevel *string `json:"logLevel,omitempty"`

	// IstioDiscoveryAddress is the address of istiod.
	// +optional
	IstioDiscoveryAddress *string `json:"istioDiscoveryAddress,omitempty"`

	// IstioMetaMeshID is the mesh ID the sidecar reports.
	// +optional
	IstioMetaMeshID *string `json:"istioMetaMeshId,omitempty"`

	// IstioMetaClusterID is the cluster ID the sidecar reports.
	// +optional
	IstioMetaClusterID *string `json:"istioMetaClusterId,omitempty"`
}

// StatsConfig configures the proxy's metrics endpoint.
type StatsConfig struct {
	// Enabled exposes the metrics endpoint.
	// +optional
	Enabled *bool `json:"enabled,omitempty"`

	// RoutePrefixRewrite is the path the metrics endpoint rewrites requests to.
	// +optional
	RoutePrefixRewrite *string `json:"routePrefixRewrite,omitempty"`

	// EnableStatsRoute adds a route to the admin stats page.
	// +optional
	EnableStatsRoute *bool `json:"enableStatsRoute,omitempty"`

	// StatsRoutePrefixRewrite is the path the stats route rewrites requests to.
	// +optional
	StatsRoutePrefixRewrite *string `json:"statsRoutePrefixRewrite,omitempty"`
}

// Pod adjusts the proxy pods.
type Pod struct {
	// ExtraLabels are added to the pods' labels.
	// +optional
	ExtraLabels map[string]string `json:"extraLabels,omitempty"`

	// ExtraAnnotations are added to the pods' annotations.
	// +optional
	ExtraAnnotations map[string]string `json:"extraAnnotations,omitempty"`

	// SecurityContext is the pod-level security context.
	// +optional
	SecurityContext *corev1.PodSecurityContext `json:"securityContext,omitempty"`

	// ImagePullSecrets name Secrets used to pull the pods' images.
	// +optional
	ImagePullSecrets []corev1.LocalObjectReference `json:"imagePullSecrets,omitempty"`

	// NodeSelector restricts the nodes the pods run on.
	// +optional
	NodeSelector map[string]string `json:"nodeSelector,omitempty"`

	// Affinity holds the pods' scheduling constraints.
	// +optional
	Affinity *corev1.Affinity `json:"affinity,omitempty"`

	// Tolerations let the pods run on tainted nodes.
	// +optional
	Tolerations []*corev1.Toleration `json:"tolerations,omitempty"`

	// GracefulShutdown delays the proxy's exit so connections can drain.
	// +optional
	GracefulShutdown *GracefulShutdownSpec `json:"gracefulShutdown,omitempty"`

	// TerminationGracePeriodSeconds is how long Kubernetes waits before killing a pod.
	// +optional
	TerminationGracePeriodSeconds *int `json:"terminationGracePeriodSeconds,omitempty"`

	// ReadinessProbe replaces the proxy container's readiness probe.
	// +optional
	ReadinessProbe *corev1.Probe `json:"readinessProbe,omitempty"`

	// LivenessProbe sets the proxy container's liveness probe.
	// +optional
	LivenessProbe *corev1.Probe `json:"livenessProbe,omitempty"`
}

// GracefulShutdownSpec delays the proxy's exit on termination.
type GracefulShutdownSpec struct {
	// Enabled turns the delay on.
	// +optional
	Enabled *bool `json:"enabled,omitempty"`

	// SleepTimeSeconds is how long the proxy keeps running after it is asked to stop.
	// +optional
	SleepTimeSeconds *int `json:"sleepTimeSeconds,omitempty"`
}

// ServiceAccount adds metadata to the proxy's ServiceAccount.
type ServiceAccount struct {
	// ExtraLabels are added to the ServiceAccount's labels.
	// +optional
	ExtraLabels map[string]string `json:"extraLabels,omitempty"`

	// ExtraAnnotations are added to the ServiceAccount's annotations.
	// +optional
	ExtraAnnotations map[string]string `json:"extraAnnotations,omitempty"`
}

// Service shapes the proxy's Service.
type Service struct {
	// Type is the Service type; the controller uses LoadBalancer when it is unset.
	// +optional
	// +kubebuilder:validation:Enum=ClusterIP;NodePort;LoadBalancer;ExternalName
	Type *corev1.ServiceType `json:"type,omitempty"`

	// ClusterIP requests a specific cluster IP address.
	// +optional
	ClusterIP *string `json:"clusterIP,omitempty"`

	// ExtraLabels are added to the Service's labels.
	// +optional
	ExtraLabels map[string]string `json:"extraLabels,omitempty"`

	// ExtraAnnotations are added to the Service's annotations, for example to configure a
	// cloud load balancer.
	// +optional
	ExtraAnnotations map[string]string `json:"extraAnnotations,omitempty"`

	// Ports adjusts Service ports that the controller derives from the Gateway listeners.
	// +optional
	Ports []Port `json:"ports,omitempty"`
}

// Port adjusts one Service port.
type Port struct {
	// Port is the listener port this entry applies to.
	// +required
	Port uint16 `json:"port"`

	// NodePort pins the node port; it is used only for Services of type NodePort.
	// +optional
	NodePort *uint16 `json:"nodePort,omitempty"`
}

// AIExtension configures the AI extension sidecar of the proxy pods.
type AIExtension struct {
	// Enabled adds the sidecar when true.
	// +optional
	Enabled *bool `json:"enabled,omitempty"`

	// Image is the sidecar's container image; unset parts fall back to the controller's
	// defaults.
	// +optional
	Image *Image `json:"image,omitempty"`

	// SecurityContext is the sidecar container's security context.
	// +optional
	SecurityContext *corev1.SecurityContext `json:"securityContext,omitempty"`

	// Resources are the sidecar container's resource requests and limits.
	// +optional
	Resources *corev1.ResourceRequirements `json:"resources,omitempty"`

	// Env adds environment variables to the sidecar, for example LOG_LEVEL.
	// +optional
	Env []EnvVar `json:"env,omitempty"`

	// Ports declares container ports of the sidecar, such as its metrics port.
	// +optional
	Ports []corev1.ContainerPort `json:"ports,omitempty"`

	// Stats adds labels to the metrics the sidecar reports.
	// +optional
	Stats *AIExtensionStats `json:"stats,omitempty"`
}

// Image is a container image reference split into parts.
type Image struct {
	// Registry is the registry host and path prefix, such as cr.kgateway.dev/kgateway-dev.
	// +optional
	Registry *string `json:"registry,omitempty"`

	// Repository is the image name inside the registry.
	// +optional
	Repository *string `json:"repository,omitempty"`

	// Tag is the image tag.
	// +optional
	Tag *string `json:"tag,omitempty"`

	// Digest pins the image by its content digest, such as sha256:<hex>.
	// +optional
	Digest *string `json:"digest,omitempty"`

	// PullPolicy is the container's image pull policy.
	// +optional
	PullPolicy *corev1.PullPolicy `json:"pullPolicy,omitempty"`
}

// AIExtensionStats configures the sidecar's metrics.
type AIExtensionStats struct {
	// CustomLabels add metric labels whose values come from request metadata.
	// +optional
	CustomLabels []CustomLabel `json:"customLabels,omitempty"`
}

// MetadataNamespace names the filter whose dynamic metadata supplies a label value.
//
// +kubebuilder:validation:Enum=envoy.filters.http.jwt_authn;io.solo.transformation
type MetadataNamespace string

// CustomLabel is one extra metric label.
type CustomLabel struct {
	// Name is the label name.
	// +required
	// +kubebuilder:validation:MinLength=1
	Name string `json:"name"`

	// MetadataKey is the metadata key whose value becomes the label value.
	// +required
	// +kubebuilder:validation:MinLength=1
	MetadataKey string `json:"metadataKey"`

	// MetadataNamespace is where the key is looked up.
	// +optional
	MetadataNamespace *MetadataNamespace `json:"metadataNamespace,omitempty"`

	// KeyDelimiter splits MetadataKey into a nested path.
	// +optional
	KeyDelimiter *string `json:"keyDelimiter,omitempty"`
}

// GatewayParametersStatus is empty; the controller reports nothing here.
type GatewayParametersStatus struct{}
