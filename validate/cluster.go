package validate

import (
	"context"
	"fmt"

	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	apiextensionsclient "k8s.io/apiextensions-apiserver/pkg/client/clientset/clientset"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/rest"

	"github.com/kubelb-ai/kubelb-ai/dataplane"
)

// CRDsFromCluster reads the CustomResourceDefinitions installed in the
// cluster of config, for --crds-from-cluster: the cluster's own schemas are
// the authoritative ones for what it will accept.
func CRDsFromCluster(ctx context.Context, config *rest.Config) ([]apiextensionsv1.CustomResourceDefinition, error) {
	client, err := apiextensionsclient.NewForConfig(config)
	if err != nil {
		return nil, err
	}
	list, err := client.ApiextensionsV1().CustomResourceDefinitions().List(ctx, metav1.ListOptions{})
	if err != nil {
		return nil, fmt.Errorf("listing CRDs: %w", err)
	}
	return list.Items, nil
}

// AddCRDs replaces or adds the schemas of crds (e.g. from the cluster).
func (v *Validator) AddCRDs(crds []apiextensionsv1.CustomResourceDefinition) error {
	for i := range crds {
		if err := v.set.AddCRD(&crds[i]); err != nil {
			return fmt.Errorf("CRD %s: %w", crds[i].Name, err)
		}
	}
	return nil
}

// ClusterTarget names the target whose CRDs crds (a cluster's) include, the
// newest data plane when several are installed; ok is false when none is.
func ClusterTarget(crds []apiextensionsv1.CustomResourceDefinition) (target string, ok bool) {
	return dataplane.FromCRDs(crds)
}

// ClusterHas reports whether crds (a cluster's) include what target's
// manifests need. A cluster in the middle of a migration may have several
// data planes.
func ClusterHas(crds []apiextensionsv1.CustomResourceDefinition, target string) bool {
	return dataplane.Installed(crds, target)
}

// CRDsForTarget reads only the CRDs ClusterHas and ClusterTarget look at
// (each data plane's backend), which is much less than every CRD of a
// cluster.
func CRDsForTarget(ctx context.Context, config *rest.Config) ([]apiextensionsv1.CustomResourceDefinition, error) {
	client, err := apiextensionsclient.NewForConfig(config)
	if err != nil {
		return nil, err
	}
	var out []apiextensionsv1.CustomResourceDefinition
	for _, name := range dataplane.BackendCRDs() {
		crd, err := client.ApiextensionsV1().CustomResourceDefinitions().Get(ctx, name, metav1.GetOptions{})
		if apierrors.IsNotFound(err) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("reading CRD %s: %w", name, err)
		}
		out = append(out, *crd)
	}
	return out, nil
}
