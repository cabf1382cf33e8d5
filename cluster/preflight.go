package cluster

import (
	"context"
	"fmt"
	"slices"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/cli-runtime/pkg/genericclioptions"

	"github.com/kubelb-ai/kubelb-ai/dataplane"
	"github.com/kubelb-ai/kubelb-ai/validate"
)

// Connect makes a client and checks that the cluster runs the manifests'
// target (when they hold AI kinds): manifests for another data plane are
// refused before anything is sent, with the way to convert them.
func Connect(ctx context.Context, flags *genericclioptions.ConfigFlags, m *Manifests) (*Client, error) {
	c, err := New(flags)
	if err != nil {
		return nil, fmt.Errorf("connecting to the cluster: %w", err)
	}
	if !needsAIKinds(m.Objects) {
		return c, nil
	}
	config, err := flags.ToRESTConfig()
	if err != nil {
		return nil, err
	}
	crds, err := validate.CRDsForTarget(ctx, config)
	if err != nil {
		return nil, fmt.Errorf("reading the cluster's CRDs at %s: %w", c.Host(), err)
	}
	if validate.ClusterHas(crds, m.Target) {
		return c, nil
	}
	have, ok := validate.ClusterTarget(crds)
	if !ok {
		return nil, fmt.Errorf("the cluster at %s has no AI gateway CRDs (kgateway or agentgateway): install KubeLB's AI gateway first", c.Host())
	}
	return nil, fmt.Errorf("this cluster has %s CRDs, the manifests are for %s: use --target %s if they are for it, or convert them with kubelb-ai migrate --to %s -f PATH", have, m.Target, have, have)
}

// needsAIKinds says whether objs hold a data plane's own kinds, whose CRDs
// the cluster must have.
func needsAIKinds(objs []*unstructured.Unstructured) bool {
	for _, o := range objs {
		if slices.Contains(dataplane.Groups(), o.GroupVersionKind().Group) {
			return true
		}
	}
	return false
}

// Preflight validates the manifests offline for their target, as apply,
// diff and delete do before sending anything. It returns nil when they hold
// no error, else the report of the errors alone.
func Preflight(ctx context.Context, m *Manifests) (*validate.Report, error) {
	v, err := validate.New(validate.Options{Target: m.Target})
	if err != nil {
		return nil, err
	}
	r := v.Validate(ctx, m.Source)
	if r.Errors() == 0 {
		return nil, nil
	}
	var errs []validate.Finding
	for _, f := range r.Findings {
		if f.Severity == validate.SeverityError {
			errs = append(errs, f)
		}
	}
	r.Findings = errs
	return r, nil
}
