package generate

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"sync"
	"testing"

	"k8s.io/apimachinery/pkg/util/validation"
	"sigs.k8s.io/yaml"

	"github.com/kubelb-ai/kubelb-ai/dataplane"
	"github.com/kubelb-ai/kubelb-ai/internal/testenv"
	"github.com/kubelb-ai/kubelb-ai/templates"
	"github.com/kubelb-ai/kubelb-ai/validate/crd"
)

// upstreamCRDs are the CRD releases each target's manifests must pass: every
// release of the data plane the target covers.
var upstreamCRDs = map[string][]string{
	templates.KgatewayV20:  {"kgateway/v2.0.5"},
	templates.KgatewayV21:  {"kgateway/v2.1.2"},
	templates.Agentgateway: {"agentgateway/v1.1.0", "agentgateway/v1.3.1", "agentgateway/v1.4.1"},
}

var (
	crdSetsMu sync.Mutex
	crdSets   = map[string]*crd.Set{}
)

// crdSet compiles the upstream CRDs of one release plus the Gateway API CRDs
// of the module version in go.mod, once per test binary.
func crdSet(t *testing.T, release string) *crd.Set {
	t.Helper()
	crdSetsMu.Lock()
	defer crdSetsMu.Unlock()
	if s, ok := crdSets[release]; ok {
		return s
	}
	s := crd.NewSet()
	if err := s.AddFiles(testenv.GatewayAPICRDDir(t), filepath.Join(testenv.SharedDir(t), "crds", release)); err != nil {
		t.Fatalf("loading CRDs of %s: %v", release, err)
	}
	crdSets[release] = s
	return s
}

// TestRenderedObjectsPassUpstreamCRDs is the acceptance check: every object
// rendered for every target is accepted, as kube-apiserver would on create
// (strict fields, defaults, schema, CEL), by each upstream CRD release of
// that target and by the Gateway API CRDs. Core kinds get the API server's
// name and key rules.
func TestRenderedObjectsPassUpstreamCRDs(t *testing.T) {
	ctx := context.Background()
	for _, target := range templates.TargetNames() {
		for _, release := range upstreamCRDs[target] {
			set := crdSet(t, release)
			for _, path := range specFixtures(t) {
				t.Run(fmt.Sprintf("%s/%s", release, caseName(path)), func(t *testing.T) {
					g, objs, err := renderCase(t, path, target)
					if err != nil {
						t.Skipf("not expressible on %s (covered by TestGolden): %v", target, err)
					}
					if g.Spec.KubeLB != "" {
						// Manifests for a KubeLB release meet its data plane or a newer one.
						r, _ := templates.ReleaseForKubeLB(g.Spec.KubeLB)
						tg, _ := templates.LookupTarget(target)
						if rs := upstreamCRDs[target]; slices.Index(rs, release) < slices.Index(rs, tg.CRDs.Project+"/"+r.DataPlane) {
							t.Skipf("for KubeLB %s, which runs %s", g.Spec.KubeLB, r.DataPlane)
						}
					}
					for _, o := range objs {
						m, err := dataplane.ToMap(o.Object)
						if err != nil {
							t.Fatal(err)
						}
						what := fmt.Sprintf("%s %s", o.Kind(), o.Object.GetName())
						if o.Kind() == "Secret" {
							checkSecret(t, what, m)
							continue
						}
						if o.Kind() == "ConfigMap" {
							checkRateLimitConfig(t, what, m)
							continue
						}
						if errs := set.Validate(ctx, m); len(errs) > 0 {
							t.Errorf("%s is rejected by the %s CRDs:\n%v", what, release, errs.ToAggregate())
						}
					}
				})
			}
		}
	}
}

// checkSecret applies the API server's rules for a Secret's name and keys.
func checkSecret(t *testing.T, what string, m map[string]any) {
	t.Helper()
	md := m["metadata"].(map[string]any)
	for _, msg := range validation.IsDNS1123Subdomain(md["name"].(string)) {
		t.Errorf("%s: name: %s", what, msg)
	}
	data, _ := m["stringData"].(map[string]any)
	if len(data) == 0 {
		t.Errorf("%s has no data", what)
	}
	for k := range data {
		for _, msg := range validation.IsConfigMapKey(k) {
			t.Errorf("%s: key %q: %s", what, k, msg)
		}
	}
}

// checkRateLimitConfig holds the rate-limit service's ConfigMap to what
// envoyproxy/ratelimit reads: a domain and descriptors each with a key and
// a limit of a known unit (or nested ones that have it).
func checkRateLimitConfig(t *testing.T, what string, m map[string]any) {
	t.Helper()
	data, _ := m["data"].(map[string]any)
	text, _ := data[dataplane.RateLimitConfigKey].(string)
	var cfg dataplane.RateLimitConfig
	if err := yaml.UnmarshalStrict([]byte(text), &cfg); err != nil || cfg.Domain == "" || len(cfg.Descriptors) == 0 {
		t.Fatalf("%s: %s is not a rate-limit configuration (%v):\n%s", what, dataplane.RateLimitConfigKey, err, text)
	}
	var walk func([]dataplane.RateLimitDescriptor)
	walk = func(ds []dataplane.RateLimitDescriptor) {
		for _, d := range ds {
			if d.Key == "" || (d.RateLimit == nil) == (len(d.Descriptors) == 0) {
				t.Errorf("%s: descriptor %+v needs a key and either a limit or nested descriptors", what, d)
			}
			if r := d.RateLimit; r != nil && (!slices.Contains([]string{"second", "minute", "hour", "day"}, r.Unit) || r.RequestsPerUnit < 1) {
				t.Errorf("%s: descriptor %s: limit %+v", what, d.Key, *r)
			}
			walk(d.Descriptors)
		}
	}
	walk(cfg.Descriptors)
}

// TestValidatorCatchesWrongShapes proves the acceptance check can fail: the
// same objects rendered for the other kgateway release are rejected.
func TestValidatorCatchesWrongShapes(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct{ target, release string }{
		{templates.KgatewayV20, "kgateway/v2.1.2"},
		{templates.KgatewayV21, "kgateway/v2.0.5"},
	} {
		_, objs, err := renderCase(t, filepath.Join(specDir, "single-openai.yaml"), tc.target)
		if err != nil {
			t.Fatal(err)
		}
		set := crdSet(t, tc.release)
		rejected := false
		for _, o := range objs {
			if o.Kind() != "Backend" {
				continue
			}
			m, _ := dataplane.ToMap(o.Object)
			rejected = len(set.Validate(ctx, m)) > 0
		}
		if !rejected {
			t.Errorf("a %s Backend passed the %s CRDs; the acceptance check would miss a wrong shape", tc.target, tc.release)
		}
	}
}
