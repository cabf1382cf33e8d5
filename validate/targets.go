package validate

import (
	"context"
	"strings"

	"github.com/kubelb-ai/kubelb-ai/templates"
	"github.com/kubelb-ai/kubelb-ai/validate/loader"
)

// Auto validates in for the target its documents fit best, and returns that
// report: agentgateway when agentgateway.dev kinds are present, else the
// kgateway release with fewer errors (v2.1, the default, on a tie).
func Auto(ctx context.Context, in loader.Source, opts Options) (*Report, error) {
	sawAgentgateway := false
	best, err := run(ctx, templates.KgatewayV21, in, opts, func(_ *Report, d *loader.Document) bool {
		av, _ := d.Kind()
		sawAgentgateway = strings.HasPrefix(av, "agentgateway.dev/")
		return sawAgentgateway
	})
	switch {
	case err != nil:
		return nil, err
	case sawAgentgateway:
		return run(ctx, templates.Agentgateway, in, opts, nil)
	case best.Errors() == 0:
		return best, nil
	}
	other, err := run(ctx, templates.KgatewayV20, in, opts, nil)
	if err != nil {
		return nil, err
	}
	if other.Errors() < best.Errors() {
		return other, nil
	}
	return best, nil
}

// AlsoValidFor returns the other targets for which in has no errors, so a
// failed run can say "these are valid for kgateway-v2.0". Each target's run
// ends at its first error.
func AlsoValidFor(ctx context.Context, in loader.Source, except string, opts Options) []string {
	var out []string
	for _, t := range templates.TargetNames() {
		if t == except {
			continue
		}
		failed := func(r *Report, _ *loader.Document) bool { return r.Errors() > 0 }
		// Each other target is judged by its own newest KubeLB release.
		opts.Versions = templates.CRDVersions{Channel: opts.Versions.Channel}
		if r, err := run(ctx, t, in, opts, failed); err == nil && r.Errors() == 0 {
			out = append(out, t)
		}
	}
	return out
}

func run(ctx context.Context, target string, in loader.Source, opts Options, stop func(*Report, *loader.Document) bool) (*Report, error) {
	opts.Target = target
	v, err := New(opts)
	if err != nil {
		return nil, err
	}
	return v.validate(ctx, in, stop), nil
}
