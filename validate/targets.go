package validate

import (
	"context"
	"slices"
	"strings"

	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/kubelb-ai/kubelb-ai/dataplane"
	"github.com/kubelb-ai/kubelb-ai/schemas"
	"github.com/kubelb-ai/kubelb-ai/templates"
	"github.com/kubelb-ai/kubelb-ai/validate/loader"
)

// Auto validates in for the target its documents fit best, and returns that
// report: the target a document surely belongs to (a data plane with a
// group of its own), else the release of the default target's data plane
// with the fewest errors (the default on a tie).
func Auto(ctx context.Context, in loader.Source, opts Options) (*Report, error) {
	def := dataplane.Default().Facts().Name
	owner := ""
	best, err := run(ctx, def, in, opts, func(_ *Report, d *loader.Document) bool {
		if t, ok := dataplane.OwnedBy(d.Kind()); ok && t != def {
			owner = t
		}
		return owner != ""
	})
	switch {
	case err != nil:
		return nil, err
	case owner != "":
		opts.Versions = releaseFor(owner, in, opts.Versions)
		return run(ctx, owner, in, opts, nil)
	case best.Errors() == 0:
		return best, nil
	}
	for _, t := range dataplane.Family(def) {
		other, err := run(ctx, t, in, opts, nil)
		if err != nil {
			return nil, err
		}
		if other.Errors() < best.Errors() {
			best = other
		}
	}
	return best, nil
}

// releaseFor picks, when v names no release, the oldest release of
// target's data plane whose CRDs have every kind in uses, if that is newer
// than the release v would pick: manifests with an AgentgatewayModel are
// judged by agentgateway v1.4.1, not reported as using an unknown kind.
func releaseFor(target string, in loader.Source, v templates.CRDVersions) templates.CRDVersions {
	if v.KubeLB != "" || v.DataPlane != "" {
		return v
	}
	resolved, err := v.Resolve(target)
	if err != nil {
		return v
	}
	var objs []map[string]any
	in.Walk(func(d *loader.Document) bool {
		av, kind := d.Kind()
		objs = append(objs, map[string]any{"apiVersion": av, "kind": kind})
		return true
	})
	min := dataplane.MinRelease(target, objs)
	t, _ := templates.LookupTarget(target)
	if min != "" && slices.Index(t.CRDs.Releases, min) > slices.Index(t.CRDs.Releases, resolved.DataPlane) {
		v.DataPlane = min
	}
	return v
}

// AlsoValidFor returns the other targets for which in has no errors, so a
// failed run r can say "these are valid for kgateway-v2.0". It answers only
// when an error is in a data plane's kind: errors in Gateway API kinds alone
// are a matter of the Gateway API release, not of the target. Each other
// target is judged by its own newest KubeLB release, and its run ends at
// its first error.
func AlsoValidFor(ctx context.Context, in loader.Source, r *Report, opts Options) []string {
	if !errorInDataPlaneKind(r) {
		return nil
	}
	var out []string
	opts.Versions = templates.CRDVersions{Channel: opts.Versions.Channel}
	for _, t := range templates.TargetNames() {
		if t == r.Target {
			continue
		}
		failed := func(r *Report, _ *loader.Document) bool { return r.Errors() > 0 }
		if r, err := run(ctx, t, in, opts, failed); err == nil && r.Errors() == 0 {
			out = append(out, t)
		}
	}
	return out
}

// errorInDataPlaneKind reports whether an error of r is in an object of a
// data plane's kind (or of no known kind).
func errorInDataPlaneKind(r *Report) bool {
	gatewayAPI, err := schemas.Kinds(schemas.GatewayAPISet(r.CRDs.GatewayAPI, r.CRDs.Channel))
	if err != nil {
		return true
	}
	for _, f := range r.Findings {
		kind, _, _ := strings.Cut(f.Object, " ")
		if f.Severity == SeverityError && !slices.ContainsFunc(gatewayAPI, func(gk schema.GroupKind) bool { return gk.Kind == kind }) {
			return true
		}
	}
	return false
}

func run(ctx context.Context, target string, in loader.Source, opts Options, stop func(*Report, *loader.Document) bool) (*Report, error) {
	opts.Target = target
	v, err := New(opts)
	if err != nil {
		return nil, err
	}
	return v.validate(ctx, in, stop), nil
}
