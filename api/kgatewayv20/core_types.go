package kgatewayv20

import corev1 "k8s.io/api/core/v1"

// The kgateway v2.0 CRDs embed core Kubernetes types as they were in the
// k8s.io/api release kgateway was built with. Later releases of k8s.io/api add
// fields (EnvVarSource.fileKeyRef, Container.restartPolicyRules) that the v2.0
// CRDs do not accept, so the types below are local copies with the older shape.
// Core types whose schema has not changed are used from k8s.io/api directly.

// EnvVar is an environment variable of a container, without the fileKeyRef
// source that newer Kubernetes releases added.
type EnvVar struct {
	// Name is the variable's name.
	// +required
	Name string `json:"name"`

	// Value is the variable's literal value.
	// +optional
	Value string `json:"value,omitempty"`

	// ValueFrom takes the value from a field, a resource, a ConfigMap or a Secret.
	// +optional
	ValueFrom *EnvVarSource `json:"valueFrom,omitempty"`
}

// EnvVarSource names where an environment variable's value comes from.
type EnvVarSource struct {
	// FieldRef selects a field of the pod.
	// +optional
	FieldRef *corev1.ObjectFieldSelector `json:"fieldRef,omitempty"`

	// ResourceFieldRef selects a resource limit or request of the container.
	// +optional
	ResourceFieldRef *corev1.ResourceFieldSelector `json:"resourceFieldRef,omitempty"`

	// ConfigMapKeyRef selects a key of a ConfigMap.
	// +optional
	ConfigMapKeyRef *corev1.ConfigMapKeySelector `json:"configMapKeyRef,omitempty"`

	// SecretKeyRef selects a key of a Secret in the pod's namespace.
	// +optional
	SecretKeyRef *corev1.SecretKeySelector `json:"secretKeyRef,omitempty"`
}

// Container is a container of a pod, without the restartPolicyRules field that
// newer Kubernetes releases added, and with this package's EnvVar.
type Container struct {
	// Name is the container's name, unique within the pod.
	// +required
	Name string `json:"name"`

	// Image is the container image reference.
	// +optional
	Image string `json:"image,omitempty"`

	// Command replaces the image's entrypoint.
	// +optional
	// +listType=atomic
	Command []string `json:"command,omitempty"`

	// Args replaces the image's command arguments.
	// +optional
	// +listType=atomic
	Args []string `json:"args,omitempty"`

	// WorkingDir is the container's working directory.
	// +optional
	WorkingDir string `json:"workingDir,omitempty"`

	// Ports lists the ports the container exposes.
	// +optional
	// +listType=map
	// +listMapKey=containerPort
	// +listMapKey=protocol
	Ports []corev1.ContainerPort `json:"ports,omitempty"`

	// EnvFrom imports environment variables from ConfigMaps and Secrets.
	// +optional
	// +listType=atomic
	EnvFrom []corev1.EnvFromSource `json:"envFrom,omitempty"`

	// Env sets environment variables.
	// +optional
	// +listType=map
	// +listMapKey=name
	Env []EnvVar `json:"env,omitempty"`

	// Resources are the container's resource requests and limits.
	// +optional
	Resources corev1.ResourceRequirements `json:"resources,omitzero"`

	// ResizePolicy says how each resource is resized in place.
	// +optional
	// +listType=atomic
	ResizePolicy []corev1.ContainerResizePolicy `json:"resizePolicy,omitempty"`

	// RestartPolicy makes an init container a sidecar when set to Always.
	// +optional
	RestartPolicy *corev1.ContainerRestartPolicy `json:"restartPolicy,omitempty"`

	// VolumeMounts mounts pod volumes into the container.
	// +optional
	// +listType=map
	// +listMapKey=mountPath
	VolumeMounts []corev1.VolumeMount `json:"volumeMounts,omitempty"`

	// VolumeDevices maps block devices into the container.
	// +optional
	// +listType=map
	// +listMapKey=devicePath
	VolumeDevices []corev1.VolumeDevice `json:"volumeDevices,omitempty"`

	// LivenessProbe restarts the container when it fails.
	// +optional
	LivenessProbe *corev1.Probe `json:"livenessProbe,omitempty"`

	// ReadinessProbe removes the pod from Service endpoints when it fails.
	// +optional
	ReadinessProbe *corev1.Probe `json:"readinessProbe,omitempty"`

	// StartupProbe holds back the other probes until it succeeds.
	// +optional
	StartupProbe *corev1.Probe `json:"startupProbe,omitempty"`

	// Lifecycle holds hooks run after start and before stop.
	// +optional
	Lifecycle *corev1.Lifecycle `json:"lifecycle,omitempty"`

	// TerminationMessagePath is the file the container's termination message is read from.
	// +optional
	TerminationMessagePath string `json:"terminationMessagePath,omitempty"`

	// TerminationMessagePolicy says where the termination message comes from.
	// +optional
	TerminationMessagePolicy corev1.TerminationMessagePolicy `json:"terminationMessagePolicy,omitempty"`

	// ImagePullPolicy says when the image is pulled.
	// +optional
	ImagePullPolicy corev1.PullPolicy `json:"imagePullPolicy,omitempty"`

	// SecurityContext is the container's security context.
	// +optional
	SecurityContext *corev1.SecurityContext `json:"securityContext,omitempty"`

	// Stdin keeps a stdin buffer open for the container.
	// +optional
	Stdin bool `json:"stdin,omitempty"`

	// StdinOnce closes stdin after the first attached client disconnects.
	// +optional
	StdinOnce bool `json:"stdinOnce,omitempty"`

	// TTY allocates a terminal for the container.
	// +optional
	TTY bool `json:"tty,omitempty"`
}
