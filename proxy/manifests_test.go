package proxy

import (
	"github.com/kubelb-ai/kubelb-ai/generate"
)

// buildObjs is Build of manifests as serve reads them: imported as
// opts.Target (default detected), then served.
func buildObjs(objs []map[string]any, opts Options) (*Config, error) {
	in, err := generate.ImportAs(objs, opts.Target)
	if err != nil {
		return nil, err
	}
	return Build(Manifests{Spec: in.Gateway, Gateway: in.GatewayObject, Routes: in.HTTPRoutes, RouteTypes: in.RouteTypes, LiteralKey: in.LiteralKey, CORS: in.CORS, ClientKeys: in.ClientKeys}, opts)
}
