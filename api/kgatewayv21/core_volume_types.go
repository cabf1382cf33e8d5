package kgatewayv21

import (
	corev1 "k8s.io/api/core/v1"
)

// This file holds local copies of the core/v1 volume types that lead to
// PodCertificateProjection. kgateway v2.1.2 built its CRDs from k8s.io/api v0.34, whose
// PodCertificateProjection has no userAnnotations field; the k8s.io/api release this
// module uses added one. The copies keep the v0.34 shape so that the generated schema
// of podTemplate.extraVolumes matches upstream. Every other volume source is the
// core/v1 type itself.

// Volume is a named volume of the proxy pods, like core/v1 Volume.
type Volume struct {
	// Name identifies the volume to volume mounts; it must be a DNS label unique in the
	// pod.
	Name string `json:"name"`

	// VolumeSource is where the volume's data comes from; exactly one source is set.
	VolumeSource `json:",inline"`
}

// VolumeSource is one of the core/v1 volume sources.
type VolumeSource struct {
	// HostPath mounts a path of the node.
	// +optional
	HostPath *corev1.HostPathVolumeSource `json:"hostPath,omitempty"`
	// EmptyDir is a scratch directory that lives as long as the pod.
	// +optional
	EmptyDir *corev1.EmptyDirVolumeSource `json:"emptyDir,omitempty"`
	// GCEPersistentDisk mounts a GCE persistent disk (deprecated in-tree driver).
	// +optional
	GCEPersistentDisk *corev1.GCEPersistentDiskVolumeSource `json:"gcePersistentDisk,omitempty"`
	// AWSElasticBlockStore mounts an EBS volume (deprecated in-tree driver).
	// +optional
	AWSElasticBlockStore *corev1.AWSElasticBlockStoreVolumeSource `json:"awsElasticBlockStore,omitempty"`
	// GitRepo clones a git repository (deprecated).
	// +optional
	GitRepo *corev1.GitRepoVolumeSource `json:"gitRepo,omitempty"`
	// Secret mounts the keys of a Secret as files.
	// +optional
	Secret *corev1.SecretVolumeSource `json:"secret,omitempty"`
	// NFS mounts an NFS export.
	// +optional
	NFS *corev1.NFSVolumeSource `json:"nfs,omitempty"`
	// ISCSI mounts an iSCSI disk.
	// +optional
	ISCSI *corev1.ISCSIVolumeSource `json:"iscsi,omitempty"`
	// Glusterfs mounts a GlusterFS volume (deprecated).
	// +optional
	Glusterfs *corev1.GlusterfsVolumeSource `json:"glusterfs,omitempty"`
	// PersistentVolumeClaim mounts the volume bound to a claim.
	// +optional
	PersistentVolumeClaim *corev1.PersistentVolumeClaimVolumeSource `json:"persistentVolumeClaim,omitempty"`
	// RBD mounts a Ceph block device (deprecated).
	// +optional
	RBD *corev1.RBDVolumeSource `json:"rbd,omitempty"`
	// FlexVolume mounts through a FlexVolume driver (deprecated).
	// +optional
	FlexVolume *corev1.FlexVolumeSource `json:"flexVolume,omitempty"`
	// Cinder mounts an OpenStack Cinder volume (deprecated in-tree driver).
	// +optional
	Cinder *corev1.CinderVolumeSource `json:"cinder,omitempty"`
	// CephFS mounts a CephFS file system (deprecated).
	// +optional
	CephFS *corev1.CephFSVolumeSource `json:"cephfs,omitempty"`
	// Flocker mounts a Flocker dataset (deprecated).
	// +optional
	Flocker *corev1.FlockerVolumeSource `json:"flocker,omitempty"`
	// DownwardAPI exposes pod fields as files.
	// +optional
	DownwardAPI *corev1.DownwardAPIVolumeSource `json:"downwardAPI,omitempty"`
	// FC mounts a Fibre Channel disk.
	// +optional
	FC *corev1.FCVolumeSource `json:"fc,omitempty"`
	// AzureFile mounts an Azure file share (deprecated in-tree driver).
	// +optional
	AzureFile *corev1.AzureFileVolumeSource `json:"azureFile,omitempty"`
	// ConfigMap mounts the keys of a ConfigMap as files.
	// +optional
	ConfigMap *corev1.ConfigMapVolumeSource `json:"configMap,omitempty"`
	// VsphereVolume mounts a vSphere disk (deprecated in-tree driver).
	// +optional
	VsphereVolume *corev1.VsphereVirtualDiskVolumeSource `json:"vsphereVolume,omitempty"`
	// Quobyte mounts a Quobyte volume (deprecated).
	// +optional
	Quobyte *corev1.QuobyteVolumeSource `json:"quobyte,omitempty"`
	// AzureDisk mounts an Azure data disk (deprecated in-tree driver).
	// +optional
	AzureDisk *corev1.AzureDiskVolumeSource `json:"azureDisk,omitempty"`
	// PhotonPersistentDisk mounts a Photon disk (deprecated).
	PhotonPersistentDisk *corev1.PhotonPersistentDiskVolumeSource `json:"photonPersistentDisk,omitempty"`
	// Projected combines several sources into one directory.
	Projected *ProjectedVolumeSource `json:"projected,omitempty"`
	// PortworxVolume mounts a Portworx volume (deprecated in-tree driver).
	// +optional
	PortworxVolume *corev1.PortworxVolumeSource `json:"portworxVolume,omitempty"`
	// ScaleIO mounts a ScaleIO volume (deprecated).
	// +optional
	ScaleIO *corev1.ScaleIOVolumeSource `json:"scaleIO,omitempty"`
	// StorageOS mounts a StorageOS volume (deprecated).
	// +optional
	StorageOS *corev1.StorageOSVolumeSource `json:"storageos,omitempty"`
	// CSI mounts an ephemeral volume of a CSI driver.
	// +optional
	CSI *corev1.CSIVolumeSource `json:"csi,omitempty"`
	// Ephemeral is a volume provisioned from a claim template for the pod's lifetime.
	// +optional
	Ephemeral *corev1.EphemeralVolumeSource `json:"ephemeral,omitempty"`
	// Image mounts the content of an OCI image or artifact.
	// +optional
	Image *corev1.ImageVolumeSource `json:"image,omitempty"`
}

// ProjectedVolumeSource combines several sources into one directory.
type ProjectedVolumeSource struct {
	// Sources are projected in order.
	// +optional
	// +listType=atomic
	Sources []VolumeProjection `json:"sources"`
	// DefaultMode is the file mode bits of the created files.
	// +optional
	DefaultMode *int32 `json:"defaultMode,omitempty"`
}

// VolumeProjection is one source of a projected volume.
type VolumeProjection struct {
	// Secret projects keys of a Secret.
	// +optional
	Secret *corev1.SecretProjection `json:"secret,omitempty"`
	// DownwardAPI projects pod fields.
	// +optional
	DownwardAPI *corev1.DownwardAPIProjection `json:"downwardAPI,omitempty"`
	// ConfigMap projects keys of a ConfigMap.
	// +optional
	ConfigMap *corev1.ConfigMapProjection `json:"configMap,omitempty"`
	// ServiceAccountToken projects a token of the pod's service account.
	// +optional
	ServiceAccountToken *corev1.ServiceAccountTokenProjection `json:"serviceAccountToken,omitempty"`
	// ClusterTrustBundle projects certificates of ClusterTrustBundle objects.
	// +optional
	ClusterTrustBundle *corev1.ClusterTrustBundleProjection `json:"clusterTrustBundle,omitempty"`
	// PodCertificate projects a key and a certificate issued for the pod.
	// +optional
	PodCertificate *PodCertificateProjection `json:"podCertificate,omitempty"`
}

// PodCertificateProjection projects a private key and a certificate chain issued to the
// pod by a signer, in the k8s.io/api v0.34 shape (without userAnnotations).
type PodCertificateProjection struct {
	// SignerName is the signer that issues the certificate.
	// +required
	SignerName string `json:"signerName,omitempty"`

	// KeyType is the type of key generated, such as ECDSAP256 or ED25519.
	// +required
	KeyType string `json:"keyType,omitempty"`

	// MaxExpirationSeconds caps the certificate's lifetime.
	// +optional
	MaxExpirationSeconds *int32 `json:"maxExpirationSeconds,omitempty"`

	// CredentialBundlePath writes key and chain together into one PEM file.
	// +optional
	CredentialBundlePath string `json:"credentialBundlePath,omitempty"`

	// KeyPath writes the private key into its own file.
	// +optional
	KeyPath string `json:"keyPath,omitempty"`

	// CertificateChainPath writes the certificate chain into its own file.
	// +optional
	CertificateChainPath string `json:"certificateChainPath,omitempty"`
}
