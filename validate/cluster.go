package validate

import (
	"context"
	"fmt"

	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	apiextensionsclient "k8s.io/apiextensions-apiserver/pkg/client/clientset/clientset"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/rest"

	"github.com/kubelb-ai/kubelb-ai/templates"
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

// ClusterTarget names the target whose CRDs crds (a cluster's) include:
// agentgateway when agentgateway.dev kinds are installed, else kgateway
// v2.1 or v2.0 by the shape of the installed Backend (v2.1 has
// spec.ai.priorityGroups). ok is false when neither is installed.
func ClusterTarget(crds []apiextensionsv1.CustomResourceDefinition) (target string, ok bool) {
	kgateway := ""
	for _, c := range crds {
		switch {
		case c.Spec.Group == "agentgateway.dev":
			return templates.Agentgateway, true
		case c.Spec.Group == "gateway.kgateway.dev" && c.Spec.Names.Kind == "Backend":
			kgateway = kgatewayRelease(c)
		}
	}
	return kgateway, kgateway != ""
}

// ClusterHas reports whether crds (a cluster's) include what target's
// manifests need: agentgateway's CRDs, or kgateway's Backend of the
// target's release. A cluster in the middle of a migration may have both.
func ClusterHas(crds []apiextensionsv1.CustomResourceDefinition, target string) bool {
	for _, c := range crds {
		switch {
		case target == templates.Agentgateway && c.Spec.Group == "agentgateway.dev":
			return true
		case target != templates.Agentgateway && c.Spec.Group == "gateway.kgateway.dev" && c.Spec.Names.Kind == "Backend":
			return kgatewayRelease(c) == target
		}
	}
	return false
}

// kgatewayRelease tells kgateway v2.1's Backend CRD (spec.ai.priorityGroups)
// from v2.0's.
func kgatewayRelease(c apiextensionsv1.CustomResourceDefinition) string {
	for _, v := range c.Spec.Versions {
		if v.Schema == nil || v.Schema.OpenAPIV3Schema == nil {
			continue
		}
		ai := v.Schema.OpenAPIV3Schema.Properties["spec"].Properties["ai"]
		if _, has := ai.Properties["priorityGroups"]; has {
			return templates.KgatewayV21
		}
	}
	return templates.KgatewayV20
}

// CRDsForTarget reads only the CRDs ClusterHas and ClusterTarget look at
// (kgateway's Backend, agentgateway's backend), which is much less than
// every CRD of a cluster.
func CRDsForTarget(ctx context.Context, config *rest.Config) ([]apiextensionsv1.CustomResourceDefinition, error) {
	client, err := apiextensionsclient.NewForConfig(config)
	if err != nil {
		return nil, err
	}
	var out []apiextensionsv1.CustomResourceDefinition
	for _, name := range []string{"agentgatewaybackends.agentgateway.dev", "backends.gateway.kgateway.dev"} {
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
