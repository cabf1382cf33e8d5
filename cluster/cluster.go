// Package cluster applies, diffs, inspects and deletes an AI gateway's
// manifests in a Kubernetes cluster, with server-side apply as kubectl does
// it, but in dependency order, in parallel within each step, and with
// secrets filled from the environment at the last moment.
package cluster

import (
	"fmt"
	"sort"
	"strings"

	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/cli-runtime/pkg/genericclioptions"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/rest"

	"github.com/kubelb-ai/kubelb-ai/dataplane"
)

// FieldManager is the server-side apply field manager of every write.
const FieldManager = "kubelb-ai"

// Client talks to one cluster.
type Client struct {
	config  *rest.Config
	dynamic dynamic.Interface
	mapper  meta.RESTMapper
}

// New connects with kubectl's flags and kubeconfig rules. Flags that name
// no API server are an error (CheckConfig), not client-go's localhost:8080.
func New(getter genericclioptions.RESTClientGetter) (*Client, error) {
	if flags, ok := getter.(*genericclioptions.ConfigFlags); ok {
		if err := CheckConfig(flags); err != nil {
			return nil, err
		}
	}
	config, err := getter.ToRESTConfig()
	if err != nil {
		return nil, err
	}
	// No client-side rate limit: writes are bounded by ApplyOptions.Parallel,
	// and a token bucket (client-go's default is 5 QPS; even 100 QPS)
	// throttles a 300-object apply for most of its time. The API server
	// protects itself (max-requests-inflight, priority and fairness).
	config.QPS = -1
	dyn, err := dynamic.NewForConfig(config)
	if err != nil {
		return nil, err
	}
	mapper, err := getter.ToRESTMapper()
	if err != nil {
		return nil, err
	}
	return &Client{config: config, dynamic: dyn, mapper: mapper}, nil
}

// Host is the API server's address, for messages.
func (c *Client) Host() string { return c.config.Host }

// resource returns the client for obj's kind in obj's namespace.
func (c *Client) resource(obj *unstructured.Unstructured) (dynamic.ResourceInterface, error) {
	gvk := obj.GroupVersionKind()
	m, err := c.mapper.RESTMapping(gvk.GroupKind(), gvk.Version)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", ID(obj), err)
	}
	if m.Scope.Name() == meta.RESTScopeNameNamespace {
		return c.dynamic.Resource(m.Resource).Namespace(obj.GetNamespace()), nil
	}
	return c.dynamic.Resource(m.Resource), nil
}

// ID names an object as kubectl prints it: kind.group/name, with the
// namespace.
func ID(obj *unstructured.Unstructured) string {
	gk := obj.GroupVersionKind().GroupKind()
	kind := strings.ToLower(gk.Kind)
	if gk.Group != "" {
		kind += "." + gk.Group
	}
	if ns := obj.GetNamespace(); ns != "" {
		return fmt.Sprintf("%s/%s (namespace %s)", kind, obj.GetName(), ns)
	}
	return kind + "/" + obj.GetName()
}

// step is where an object's kind comes in the apply order: what an object
// refers to exists before it.
func step(gk schema.GroupKind) int {
	switch dataplane.RoleOf(gk.Group, gk.Kind) {
	case dataplane.RoleParameters:
		return 2
	case dataplane.RoleBackend:
		return 4
	}
	switch gk.Kind {
	case "Namespace":
		return 0
	case "Secret", "ConfigMap", "ServiceAccount":
		return 1
	case "GatewayClass":
		return 2
	case "Gateway":
		return 3
	case "Service", "ReferenceGrant":
		return 4
	case "HTTPRoute", "GRPCRoute", "TCPRoute", "TLSRoute":
		return 5
	}
	return 6 // policies and whatever else refers to the above
}

// Steps groups objects by step, in order; within a step objects are
// independent and keep their input order.
func Steps(objs []*unstructured.Unstructured) [][]*unstructured.Unstructured {
	by := map[int][]*unstructured.Unstructured{}
	for _, o := range objs {
		s := step(o.GroupVersionKind().GroupKind())
		by[s] = append(by[s], o)
	}
	keys := make([]int, 0, len(by))
	for k := range by {
		keys = append(keys, k)
	}
	sort.Ints(keys)
	out := make([][]*unstructured.Unstructured, 0, len(keys))
	for _, k := range keys {
		out = append(out, by[k])
	}
	return out
}
