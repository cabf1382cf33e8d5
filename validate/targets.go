package validate

import (
	"context"

	"github.com/kubelb-ai/kubelb-ai/templates"
	"github.com/kubelb-ai/kubelb-ai/validate/loader"
)

// Auto validates in for the target its documents fit best, and returns that
// report: agentgateway when agentgateway.dev kinds are present, else the
// kgateway release with fewer errors (v2.1, the default, on a tie).
func Auto(ctx context.Context, in loader.Result, opts Options) (*Report, error) {
	for _, d := range in.Documents {
		if av, _ := d.Kind(); len(av) > len("agentgateway.dev/") && av[:len("agentgateway.dev/")] == "agentgateway.dev/" {
			return run(ctx, templates.Agentgateway, in, opts)
		}
	}
	best, err := run(ctx, templates.KgatewayV21, in, opts)
	if err != nil || best.Errors() == 0 {
		return best, err
	}
	other, err := run(ctx, templates.KgatewayV20, in, opts)
	if err != nil {
		return nil, err
	}
	if other.Errors() < best.Errors() {
		return other, nil
	}
	return best, nil
}

// AlsoValidFor returns the other targets for which in has no errors, so a
// failed run can say "these are valid for kgateway-v2.0".
func AlsoValidFor(ctx context.Context, in loader.Result, except string, opts Options) []string {
	var out []string
	for _, t := range templates.TargetNames() {
		if t == except {
			continue
		}
		if r, err := run(ctx, t, in, opts); err == nil && r.Errors() == 0 {
			out = append(out, t)
		}
	}
	return out
}

func run(ctx context.Context, target string, in loader.Result, opts Options) (*Report, error) {
	opts.Target = target
	v, err := New(opts)
	if err != nil {
		return nil, err
	}
	return v.Validate(ctx, in), nil
}
