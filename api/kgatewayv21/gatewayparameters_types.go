package kgatewayv21

import (
	appsv1 "k8s.io/api/apps/v1"
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
// +kubebuilder:validation:XValidation:rule="[has(self.kube),has(self.selfManaged)].filter(x,x==true).size() == 1",message="exactly one of the fields in [kube selfManaged] must be set"
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

// KubernetesProxyConfig shapes the Deployment, Service and ServiceAccount that kgateway
// creates for the proxy.
type KubernetesProxyConfig struct {
	// Deployment sets the replica count and rollout strategy.
	// +optional
	Deployment *ProxyDeployment `json:"deployment,omitempty"`

	// EnvoyContainer configures the Envoy container.
	// +optional
	EnvoyContainer *EnvoyContainer `json:"envoyContainer,omitempty"`

	// SdsContainer configures the container that serves Istio certificates to Envoy.
	// +optional
	SdsContainer *SdsContainer `json:"sdsContainer,omitempty"`

	// PodTemplate shapes the proxy pods.
	// +optional
	PodTemplate *Pod `json:"podTemplate,omitempty"`

	// Service shapes the Service in front of the proxy pods.
	// +optional
	Service *Service `json:"service,omitempty"`

	// ServiceAccount adds labels and annotations to the proxy's ServiceAccount.
	// +optional
	ServiceAccount *ServiceAccount `json:"serviceAccount,omitempty"`

	// Istio configures the Istio sidecar containers of the proxy pods.
	// +optional
	Istio *IstioIntegration `json:"istio,omitempty"`

	// Stats configures the proxy's statistics endpoint.
	// +optional
	Stats *StatsConfig `json:"stats,omitempty"`

	// AIExtension adds the sidecar that implements the AI features of Backends and
	// TrafficPolicies.
	// +optional
	AIExtension *AIExtension `json:"aiExtension,omitempty"`

	// Agentgateway runs agentgateway as the proxy instead of Envoy.
	// +optional
	Agentgateway *Agentgateway `json:"agentgateway,omitempty"`

	// FloatingUserID leaves the container user ID unset, for platforms that assign one,
	// such as OpenShift.
	// +optional
	FloatingUserID *bool `json:"floatingUserId,omitempty"`

	// OmitDefaultSecurityContext leaves out the security contexts the controller would
	// otherwise set.
	// +optional
	OmitDefaultSecurityContext *bool `json:"omitDefaultSecurityContext,omitempty"`
}

// ProxyDeployment shapes the proxy Deployment.
type ProxyDeployment struct {
	// Replicas is the number of proxy pods; unset leaves scaling to others, such as an
	// autoscaler.
	// +optional
	// +kubebuilder:validation:Minimum=0
	Replicas *int32 `json:"replicas,omitempty"`

	// Strategy is the Deployment's rollout strategy.
	// +optional
	Strategy *appsv1.DeploymentStrategy `json:"strategy,omitempty"`
}

// EnvoyContainer configures the Envoy container.
type EnvoyContainer struct {
	// Bootstrap sets Envoy's log levels.
	// +optional
	Bootstrap *EnvoyBootstrap `json:"bootstrap,omitempty"`

	// Image is the Envoy image; unset parts fall back to the controller's defaults.
	// +optional
	Image *Image `json:"image,omitempty"`

	// SecurityContext is the container's security context.
	// +optional
	SecurityContext *corev1.SecurityContext `json:"securityContext,omitempty"`

	// Resources are the container's resource requests and limits.
	// +optional
	Resources *corev1.ResourceRequirements `json:"resources,omitempty"`

	// Env adds environment variables to the container.
	// +optional
	Env []corev1.EnvVar `json:"env,omitempty"`

	// ExtraVolumeMounts mount volumes of podTemplate.extraVolumes into the container.
	// +optional
	ExtraVolumeMounts []corev1.VolumeMount `json:"extraVolumeMounts,omitempty"`
}

// EnvoyBootstrap sets Envoy's log levels.
type EnvoyBootstrap struct {
	// LogLevel is Envoy's default log level, such as info or debug.
	// +optional
	LogLevel *string `json:"logLevel,omitempty"`

	// ComponentLogLevels set the level of single Envoy components, such as upstream.
	// +optional
	ComponentLogLevels map[string]string `json:"componentLogLevels,omitempty"`
}

// SdsContainer configures the secret discovery sidecar.
type SdsContainer struct {
	// Image is the sidecar's image.
	// +optional
	Image *Image `json:"image,omitempty"`

	// SecurityContext is the container's security context.
	// +optional
	SecurityContext *corev1.SecurityContext `json:"securityContext,omitempty"`

	// Resources are the container's resource requests and limits.
	// +optional
	Resources *corev1.ResourceRequirements `json:"resources,omitempty"`

	// Bootstrap sets the sidecar's log level.
	// +optional
	Bootstrap *SdsBootstrap `json:"bootstrap,omitempty"`
}

// SdsBootstrap sets the secret discovery sidecar's log level.
type SdsBootstrap struct {
	// LogLevel is the sidecar's log level.
	// +optional
	LogLevel *string `json:"logLevel,omitempty"`
}

// IstioIntegration configures the Istio containers of the proxy pods.
type IstioIntegration struct {
	// IstioProxyContainer configures the istio-proxy container.
	// +optional
	IstioProxyContainer *IstioContainer `json:"istioProxyContainer,omitempty"`

	// CustomSidecars replace the default Istio sidecar containers.
	// +optional
	CustomSidecars []corev1.Container `json:"customSidecars,omitempty"`
}

// IstioContainer configures the istio-proxy container.
type IstioContainer struct {
	// Image is the istio-proxy image.
	// +optional
	Image *Image `json:"image,omitempty"`

	// SecurityContext is the container's security context.
	// +optional
	SecurityContext *corev1.SecurityContext `json:"securityContext,omitempty"`

	// Resources are the container's resource requests and limits.
	// +optional
	Resources *corev1.ResourceRequirements `json:"resources,omitempty"`

	// LogLevel is the istio-proxy log level.
	// +optional
	LogLevel *string `json:"logLevel,omitempty"`

	// IstioDiscoveryAddress is the address of istiod.
	// +optional
	IstioDiscoveryAddress *string `json:"istioDiscoveryAddress,omitempty"`

	// IstioMetaMeshID is the Istio mesh ID.
	// +optional
	IstioMetaMeshID *string `json:"istioMetaMeshId,omitempty"`

	// IstioMetaClusterID is the Istio cluster ID.
	// +optional
	IstioMetaClusterID *string `json:"istioMetaClusterId,omitempty"`
}

// ServiceAccount adds metadata to the proxy's ServiceAccount.
type ServiceAccount struct {
	// ExtraLabels are added to the ServiceAccount's labels.
	// +optional
	ExtraLabels map[string]string `json:"extraLabels,omitempty"`

	// ExtraAnnotations are added to the ServiceAccount's annotations, for example for
	// workload identity.
	// +optional
	ExtraAnnotations map[string]string `json:"extraAnnotations,omitempty"`
}

// StatsConfig configures the proxy's statistics endpoint.
type StatsConfig struct {
	// Enabled exposes statistics.
	// +optional
	Enabled *bool `json:"enabled,omitempty"`

	// RoutePrefixRewrite is the path the statistics are served under.
	// +optional
	RoutePrefixRewrite *string `json:"routePrefixRewrite,omitempty"`

	// EnableStatsRoute adds a route to the Envoy admin statistics page.
	// +optional
	EnableStatsRoute *bool `json:"enableStatsRoute,omitempty"`

	// StatsRoutePrefixRewrite is the path of that admin statistics route.
	// +optional
	StatsRoutePrefixRewrite *string `json:"statsRoutePrefixRewrite,omitempty"`
}

// Agentgateway runs agentgateway as the data plane of the Gateway.
type Agentgateway struct {
	// Enabled selects agentgateway.
	// +optional
	Enabled *bool `json:"enabled,omitempty"`

	// LogLevel is agentgateway's log level.
	// +optional
	LogLevel *string `json:"logLevel,omitempty"`

	// Image is the agentgateway image.
	// +optional
	Image *Image `json:"image,omitempty"`

	// SecurityContext is the container's security context.
	// +optional
	SecurityContext *corev1.SecurityContext `json:"securityContext,omitempty"`

	// Resources are the container's resource requests and limits.
	// +optional
	Resources *corev1.ResourceRequirements `json:"resources,omitempty"`

	// Env adds environment variables to the container.
	// +optional
	Env []corev1.EnvVar `json:"env,omitempty"`

	// CustomConfigMapName replaces the generated configuration with a ConfigMap of
	// this name.
	// +optional
	CustomConfigMapName *string `json:"customConfigMapName,omitempty"`

	// ExtraVolumeMounts mount volumes of podTemplate.extraVolumes into the container.
	// +optional
	ExtraVolumeMounts []corev1.VolumeMount `json:"extraVolumeMounts,omitempty"`
}

// Pod shapes the proxy pods.
type Pod struct {
	// ExtraLabels are added to the pods' labels.
	// +optional
	ExtraLabels map[string]string `json:"extraLabels,omitempty"`

	// ExtraAnnotations are added to the pods' annotations.
	// +optional
	ExtraAnnotations map[string]string `json:"extraAnnotations,omitempty"`

	// SecurityContext is the pod security context.
	// +optional
	SecurityContext *corev1.PodSecurityContext `json:"securityContext,omitempty"`

	// ImagePullSecrets name Secrets used to pull the images.
	// +optional
	ImagePullSecrets []corev1.LocalObjectReference `json:"imagePullSecrets,omitempty"`

	// NodeSelector restricts the nodes the pods run on.
	// +optional
	NodeSelector map[string]string `json:"nodeSelector,omitempty"`

	// Affinity holds the pods' scheduling affinities.
	// +optional
	Affinity *corev1.Affinity `json:"affinity,omitempty"`

	// Tolerations let the pods run on tainted nodes.
	// +optional
	Tolerations []corev1.Toleration `json:"tolerations,omitempty"`

	// GracefulShutdown delays the proxy's exit so that it can drain connections.
	// +optional
	GracefulShutdown *GracefulShutdownSpec `json:"gracefulShutdown,omitempty"`

	// TerminationGracePeriodSeconds is the pods' termination grace period.
	// +optional
	// +kubebuilder:validation:Minimum=0
	// +kubebuilder:validation:Maximum=31536000
	TerminationGracePeriodSeconds *int64 `json:"terminationGracePeriodSeconds,omitempty"`

	// StartupProbe is the proxy container's startup probe.
	// +optional
	StartupProbe *corev1.Probe `json:"startupProbe,omitempty"`

	// ReadinessProbe is the proxy container's readiness probe.
	// +optional
	ReadinessProbe *corev1.Probe `json:"readinessProbe,omitempty"`

	// LivenessProbe is the proxy container's liveness probe.
	// +optional
	LivenessProbe *corev1.Probe `json:"livenessProbe,omitempty"`

	// TopologySpreadConstraints spread the pods over topology domains.
	// +optional
	TopologySpreadConstraints []corev1.TopologySpreadConstraint `json:"topologySpreadConstraints,omitempty"`

	// ExtraVolumes are added to the pods; containers mount them with
	// extraVolumeMounts.
	// +optional
	ExtraVolumes []Volume `json:"extraVolumes,omitempty"`
}

// GracefulShutdownSpec delays the proxy's exit.
type GracefulShutdownSpec struct {
	// Enabled turns the delay on.
	// +optional
	Enabled *bool `json:"enabled,omitempty"`

	// SleepTimeSeconds is how long the proxy keeps serving after it is told to stop.
	// +optional
	// +kubebuilder:validation:Minimum=0
	// +kubebuilder:validation:Maximum=31536000
	SleepTimeSeconds *int64 `json:"sleepTimeSeconds,omitempty"`
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

	// ExternalTrafficPolicy is copied to the Service's externalTrafficPolicy.
	// +optional
	ExternalTrafficPolicy *string `json:"externalTrafficPolicy,omitempty"`
}

// Port adjusts one Service port.
type Port struct {
	// Port is the listener port this entry applies to.
	// +required
	// +kubebuilder:validation:Minimum=1
	// +kubebuilder:validation:Maximum=65535
	Port int32 `json:"port"`

	// NodePort pins the node port; it is used only for Services of type NodePort.
	// +optional
	// +kubebuilder:validation:Minimum=1
	// +kubebuilder:validation:Maximum=65535
	NodePort *int32 `json:"nodePort,omitempty"`
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
	Env []corev1.EnvVar `json:"env,omitempty"`

	// Ports declares container ports of the sidecar, such as its metrics port.
	// +optional
	Ports []corev1.ContainerPort `json:"ports,omitempty"`

	// Stats adds labels to the metrics the sidecar reports.
	// +optional
	Stats *AIExtensionStats `json:"stats,omitempty"`

	// Tracing makes the sidecar export OpenTelemetry traces.
	// +optional
	Tracing *AIExtensionTrace `json:"tracing,omitempty"`
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

// AIExtensionTrace configures OpenTelemetry trace export from the sidecar.
type AIExtensionTrace struct {
	// Endpoint is the absolute URI of the OTLP collector.
	// +required
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=253
	// +kubebuilder:validation:Pattern=`^(([^:/?#]+):)(//([^/?#]*))([^?#]*)(\?([^#]*))?(#(.*))?`
	Endpoint string `json:"endpoint"`

	// Sampler decides which traces are kept.
	// +optional
	Sampler *OTelTracesSampler `json:"sampler,omitempty"`

	// Timeout bounds each export, written like "100ms" or "10s".
	// +optional
	// +kubebuilder:validation:XValidation:rule="matches(self, '^([0-9]{1,5}(h|m|s|ms)){1,4}$')",message="invalid duration value"
	Timeout *string `json:"timeout,omitempty"`

	// Protocol is the OTLP transport.
	// +optional
	Protocol *OTLPTracesProtocolType `json:"protocol,omitempty"`
}

// OTelTracesSamplerType names an OpenTelemetry trace sampler.
//
// +kubebuilder:validation:Enum=alwaysOn;alwaysOff;traceidratio;parentbasedAlwaysOn;parentbasedAlwaysOff;parentbasedTraceidratio
type OTelTracesSamplerType string

// OTelTracesSampler picks a sampler and its argument.
type OTelTracesSampler struct {
	// Type is the sampler.
	// +optional
	Type *OTelTracesSamplerType `json:"type,omitempty"`

	// Arg is the sampler's argument, a ratio between 0 and 1 for the ratio samplers.
	// +optional
	// +kubebuilder:validation:Pattern=`^0(\.\d+)?|1(\.0+)?$`
	Arg *string `json:"arg,omitempty"`
}

// OTLPTracesProtocolType names an OTLP transport.
//
// +kubebuilder:validation:Enum=grpc;http/protobuf;http/json
type OTLPTracesProtocolType string

// GatewayParametersStatus is empty; the controller reports nothing here.
type GatewayParametersStatus struct{}
