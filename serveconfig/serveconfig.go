// Package serveconfig turns manifests into serve's configuration: the one
// verdict serve gives at start and at every reload. It is the meeting point
// of validate (is it safe to run?), generate (manifests into the Spec) and
// proxy (the Spec into handlers), so that proxy itself never reads
// manifests and commands only wire.
package serveconfig

import (
	"context"
	"fmt"
	"log/slog"
	"strings"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/kubelb-ai/kubelb-ai/cluster"
	"github.com/kubelb-ai/kubelb-ai/dataplane"
	"github.com/kubelb-ai/kubelb-ai/generate"
	"github.com/kubelb-ai/kubelb-ai/proxy"
	"github.com/kubelb-ai/kubelb-ai/spec"
	"github.com/kubelb-ai/kubelb-ai/validate"
)

// Load validates m for its target and compiles it for serving. Findings
// serve can run with (the tutorial's defects, kinds it does not use) and
// warnings are logged; any other finding refuses the manifests, with every
// such finding in the error.
func Load(ctx context.Context, m *cluster.Manifests, opts proxy.Options, log *slog.Logger) (*proxy.Config, error) {
	v, err := validate.New(validate.Options{Target: m.Target})
	if err != nil {
		return nil, err
	}
	var refused []string
	for _, f := range v.Validate(ctx, m.Source).Findings {
		at := fmt.Sprintf("%s:%d:%d", f.File, f.Line, f.Column)
		how := proxy.Workaround(f.Rule, f.Object, f.Path)
		switch {
		case f.Severity != validate.SeverityError:
			log.Warn(f.Message, "at", at, "object", f.Object, "rule", f.Rule)
		case how != "":
			log.Warn(f.Message, "at", at, "object", f.Object, "rule", f.Rule, "serve", how)
		default:
			refused = append(refused, fmt.Sprintf("%s: %s: %s", at, f.Object, f.Message))
		}
	}
	if len(refused) > 0 {
		return nil, fmt.Errorf("serve cannot run these manifests (as %s):\n  %s", m.Target, strings.Join(refused, "\n  "))
	}
	objs := make([]map[string]any, len(m.Objects))
	for i, o := range m.Objects {
		objs[i] = o.Object
	}
	in, err := generate.ImportAs(objs, opts.Target)
	if err != nil {
		return nil, err
	}
	traceContent(in.Gateway, m.Spec)
	if len(in.AccessControls) > 0 {
		return nil, fmt.Errorf("serve does not enforce %s yet, and will not serve without them: the cluster would refuse callers serve lets through", strings.Join(in.AccessControls, ", "))
	}
	cfg, err := proxy.Build(proxy.Manifests{Spec: in.Gateway, Gateway: in.GatewayObject, Routes: in.HTTPRoutes,
		RouteTypes: in.RouteTypes, LiteralKey: in.LiteralKey, CORS: in.CORS, RateLimitConfig: rateLimitConfig(objs), ClientKeys: in.ClientKeys}, opts)
	if err != nil {
		return nil, err
	}
	for _, w := range cfg.Warnings {
		log.Warn(w)
	}
	return cfg, nil
}

// rateLimitConfig is the rate-limit service's configuration file in the
// manifests' ConfigMap, or nil.
func rateLimitConfig(objs []map[string]any) []byte {
	for _, o := range objs {
		u := unstructured.Unstructured{Object: o}
		if u.GetKind() != "ConfigMap" || u.GetAPIVersion() != "v1" || u.GetName() != dataplane.RateLimitConfigName {
			continue
		}
		if text, ok, _ := unstructured.NestedString(o, "data", dataplane.RateLimitConfigKey); ok {
			return []byte(text)
		}
	}
	return nil
}

// traceContent carries the served Spec's tracing content switch (--from)
// into the imported one: the data planes have no such setting, so the
// manifests cannot hold it.
func traceContent(imported, served *spec.AIGateway) {
	if imported == nil || served == nil || served.Spec.Observability == nil || served.Spec.Observability.Tracing == nil {
		return
	}
	if o := imported.Spec.Observability; o != nil && o.Tracing != nil {
		o.Tracing.Content = served.Spec.Observability.Tracing.Content
	}
}
