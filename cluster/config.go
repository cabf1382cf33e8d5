package cluster

import (
	"errors"
	"fmt"
	"os"
	"sort"
	"strings"

	"k8s.io/cli-runtime/pkg/genericclioptions"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
)

// ErrNoKubeconfig is the error of a command that would talk to a cluster
// without knowing which one.
var ErrNoKubeconfig = errors.New("no kubeconfig: set KUBECONFIG, use --kubeconfig, or create ~/.kube/config")

// CheckConfig says, without connecting, whether flags name an API server.
// Without a kubeconfig (no --kubeconfig, $KUBECONFIG naming no file that
// exists, no ~/.kube/config), or with one whose context has no server,
// client-go falls back to http://localhost:8080, which is where kubelb-ai
// serve listens by default: the command would talk to the local proxy and
// report its answers as the cluster's. CheckConfig returns an error naming
// what is missing instead (ErrNoKubeconfig when no kubeconfig was found).
// An explicit --server, $KUBERNETES_MASTER (client-go's own default) and a
// pod's service account (in-cluster configuration) are API servers too.
func CheckConfig(flags *genericclioptions.ConfigFlags) error {
	if flags.APIServer != nil && *flags.APIServer != "" || os.Getenv("KUBERNETES_MASTER") != "" {
		return nil
	}
	if flags.KubeConfig != nil && *flags.KubeConfig != "" {
		if _, err := os.Stat(*flags.KubeConfig); errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("--kubeconfig %s does not exist: name an existing kubeconfig file", *flags.KubeConfig)
		}
	}
	raw, err := flags.ToRawKubeConfigLoader().RawConfig()
	if err != nil {
		return err // a file that cannot be read or parsed, named by client-go
	}
	context := raw.CurrentContext
	if flags.Context != nil && *flags.Context != "" {
		context = *flags.Context
	}
	clusterName := ""
	if c, ok := raw.Contexts[context]; ok {
		clusterName = c.Cluster
	} else if context != "" {
		return fmt.Errorf("context %q is not in the kubeconfig (%s): kubectl config get-contexts lists them", context, strings.Join(kubeconfigFiles(flags), ", "))
	}
	if flags.ClusterName != nil && *flags.ClusterName != "" {
		clusterName = *flags.ClusterName
	}
	if c, ok := raw.Clusters[clusterName]; ok && c.Server != "" {
		return nil
	}
	if _, err := rest.InClusterConfig(); err == nil {
		return nil // client-go uses the pod's service account
	}
	switch {
	case len(raw.Clusters) == 0:
		return fmt.Errorf("%w (%s)", ErrNoKubeconfig, noClustersIn(flags))
	case clusterName == "" && context == "":
		return fmt.Errorf("the kubeconfig (%s) has no current context: name one with --context, or choose it with kubectl config use-context (contexts: %s)", strings.Join(kubeconfigFiles(flags), ", "), contextNames(raw.Contexts))
	case clusterName == "":
		return fmt.Errorf("context %q of the kubeconfig names no cluster: fix it with kubectl config set-context %s --cluster NAME", context, context)
	default:
		if _, ok := raw.Clusters[clusterName]; !ok {
			return fmt.Errorf("cluster %q is not in the kubeconfig (%s): kubectl config get-clusters lists them", clusterName, strings.Join(kubeconfigFiles(flags), ", "))
		}
		return fmt.Errorf("cluster %q of the kubeconfig has no server: set it with kubectl config set-cluster %s --server https://HOST:PORT", clusterName, clusterName)
	}
}

// kubeconfigFiles are the files client-go reads for flags, in order.
func kubeconfigFiles(flags *genericclioptions.ConfigFlags) []string {
	if flags.KubeConfig != nil && *flags.KubeConfig != "" {
		return []string{*flags.KubeConfig}
	}
	return clientcmd.NewDefaultClientConfigLoadingRules().GetLoadingPrecedence()
}

// noClustersIn says where no cluster was found.
func noClustersIn(flags *genericclioptions.ConfigFlags) string {
	var missing, empty []string
	for _, f := range kubeconfigFiles(flags) {
		if _, err := os.Stat(f); err != nil {
			missing = append(missing, f)
		} else {
			empty = append(empty, f)
		}
	}
	var parts []string
	if len(missing) > 0 {
		what := "~/.kube/config does not exist"
		if env := os.Getenv(clientcmd.RecommendedConfigPathEnvVar); env != "" {
			what = fmt.Sprintf("KUBECONFIG names %s, which does not exist", missing[0])
			if len(missing) > 1 {
				what = fmt.Sprintf("KUBECONFIG names %s, none of which exists", strings.Join(missing, ", "))
			}
		} else if len(missing) == 1 && missing[0] != clientcmd.RecommendedHomeFile {
			what = missing[0] + " does not exist"
		}
		parts = append(parts, what)
	}
	if len(empty) > 0 {
		parts = append(parts, fmt.Sprintf("%s holds no cluster", strings.Join(empty, ", ")))
	}
	if len(parts) == 0 {
		return "no file to read"
	}
	return strings.Join(parts, "; ")
}

func contextNames(contexts map[string]*clientcmdapi.Context) string {
	if len(contexts) == 0 {
		return "none"
	}
	names := make([]string, 0, len(contexts))
	for n := range contexts {
		names = append(names, n)
	}
	sort.Strings(names)
	return strings.Join(names, ", ")
}
