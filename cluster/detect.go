package cluster

import (
	"context"
	"time"

	"k8s.io/cli-runtime/pkg/genericclioptions"

	"github.com/kubelb-ai/kubelb-ai/validate"
)

// DetectTarget asks the cluster of the kubeconfig, if one answers within
// timeout, which target's CRDs it has, and returns the target and the
// cluster's address. Without a kubeconfig naming a cluster it asks nothing
// (client-go would dial localhost:8080); ok is false then, and when the
// cluster does not answer or runs no known target.
func DetectTarget(ctx context.Context, flags *genericclioptions.ConfigFlags, timeout time.Duration) (target, host string, ok bool) {
	if CheckConfig(flags) != nil {
		return "", "", false
	}
	config, err := flags.ToRESTConfig()
	if err != nil {
		return "", "", false
	}
	config.Timeout = timeout
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	crds, err := validate.CRDsFromCluster(ctx, config)
	if err != nil {
		return "", "", false
	}
	if target, ok = validate.ClusterTarget(crds); !ok {
		return "", "", false
	}
	return target, config.Host, true
}
