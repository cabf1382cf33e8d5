package cluster

import (
	"fmt"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/kubelb-ai/kubelb-ai/generate"
)

// Curls builds a ready-to-run curl per route of objs (read back into a
// Spec), aimed at the first Gateway's first address ($GATEWAY when it has
// none yet) and its first listener's port. None when objs make no Spec.
func Curls(objs []*unstructured.Unstructured, gws []GatewayStatus) []string {
	var maps []map[string]any
	for _, o := range objs {
		m := Clean(o)
		if md, ok := m["metadata"].(map[string]any); ok {
			delete(md, "annotations") // the Spec has no place for them
		}
		maps = append(maps, m)
	}
	in, err := generate.Import(maps, "")
	if err != nil || len(in.Gateway.Spec.Gateway.Listeners) == 0 {
		return nil
	}
	host := "$GATEWAY"
	if len(gws) > 0 && len(gws[0].Addresses) > 0 {
		host = gws[0].Addresses[0]
	}
	port := in.Gateway.Spec.Gateway.Listeners[0].Port
	var out []string
	for _, e := range generate.Examples(in.Gateway) {
		out = append(out, fmt.Sprintf("curl -s http://%s:%d%s -H 'content-type: application/json' -d '%s'", host, port, e.Path, e.Body))
	}
	return out
}
