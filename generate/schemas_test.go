package generate

import (
	"context"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	"sigs.k8s.io/yaml"

	"github.com/kubelb-ai/kubelb-ai/dataplane"
	"github.com/kubelb-ai/kubelb-ai/schemas"
	"github.com/kubelb-ai/kubelb-ai/spec"
	"github.com/kubelb-ai/kubelb-ai/templates"
	"github.com/kubelb-ai/kubelb-ai/validate/crd"
)

// TestRenderedObjectsPassEmbeddedCRDs holds the renderer and the project's
// own schemas to each other: what generate writes, the embedded CRDs of
// every release its target pairs with accept (each KubeLB release's data
// plane and Gateway API bundle). The fidelity of those CRDs to upstream is
// the schemas package's test.
func TestRenderedObjectsPassEmbeddedCRDs(t *testing.T) {
	ctx := context.Background()
	for _, target := range templates.TargetNames() {
		pairings, err := templates.Pairings(target)
		if err != nil {
			t.Fatal(err)
		}
		tg, _ := templates.LookupTarget(target)
		for _, v := range pairings {
			set := embeddedCRDSet(t, v)
			for _, path := range specFixtures(t) {
				g, objs, err := renderCase(t, path, target)
				if err != nil {
					continue
				}
				if g.Spec.KubeLB != "" {
					// Manifests for a KubeLB release meet its data plane or a newer one.
					r, _ := templates.ReleaseForKubeLB(g.Spec.KubeLB)
					if slices.Index(tg.CRDs.Releases, v.DataPlane) < slices.Index(tg.CRDs.Releases, r.DataPlane) {
						continue
					}
				}
				for _, o := range objs {
					if o.Kind() == "Secret" || o.Kind() == "ConfigMap" {
						continue // core kinds: no CRD
					}
					m, _ := dataplane.ToMap(o.Object)
					if errs := set.Validate(ctx, m); len(errs) > 0 {
						t.Errorf("%s (%s) %s: %s %s rejected by the embedded CRDs: %v", target, v, caseName(path), o.Kind(), o.Object.GetName(), errs.ToAggregate())
					}
				}
			}
		}
	}
}

// embeddedCRDSet loads the embedded CRDs of a resolved pairing.
func embeddedCRDSet(t *testing.T, v templates.CRDVersions) *crd.Set {
	t.Helper()
	set := crd.NewSet()
	for _, name := range []string{schemas.GatewayAPISet(v.GatewayAPI, v.Channel), schemas.DataPlaneSet(v.Project, v.DataPlane)} {
		docs, err := schemas.CRDs(name)
		if err != nil || len(docs) < 3 {
			t.Fatalf("%s: %d embedded CRDs, %v", name, len(docs), err)
		}
		for _, doc := range docs {
			var c apiextensionsv1.CustomResourceDefinition
			if err := yaml.UnmarshalStrict(doc, &c); err != nil {
				t.Fatal(err)
			}
			if err := set.AddCRD(&c); err != nil {
				t.Fatalf("%s: embedded CRD %s: %v", name, c.Name, err)
			}
		}
	}
	return set
}

// TestRerankOnlyForReleasesThatKnowIt: the default route types of a Spec
// for KubeLB 1.5 map /rerank, which agentgateway v1.3.1 and v1.4.1
// accept and v1.1.0 (KubeLB 1.4) refuses; without spec.kubelb the default
// leaves Rerank out, so every release accepts it.
func TestRerankOnlyForReleasesThatKnowIt(t *testing.T) {
	ctx := context.Background()
	g, objs, err := renderCase(t, filepath.Join(specDir, "kubelb15-rerank.yaml"), templates.Agentgateway)
	if err != nil {
		t.Fatal(err)
	}
	backends := 0
	for _, o := range objs {
		if o.Kind() != "AgentgatewayBackend" {
			continue
		}
		backends++
		m, _ := dataplane.ToMap(o.Object)
		for dp, wantRefused := range map[string]bool{"v1.1.0": true, "v1.3.1": false, "v1.4.1": false} {
			v, err := templates.CRDVersions{DataPlane: dp}.Resolve(templates.Agentgateway)
			if err != nil {
				t.Fatal(err)
			}
			errs := embeddedCRDSet(t, v).Validate(ctx, m)
			refused := len(errs) > 0
			if refused != wantRefused || refused && !strings.Contains(errs.ToAggregate().Error(), `"Rerank"`) {
				t.Errorf("%s on agentgateway %s: refused=%v (%v), want refused=%v for Rerank", o.Object.GetName(), dp, refused, errs.ToAggregate(), wantRefused)
			}
		}
	}
	if backends != 2 {
		t.Fatalf("rendered %d AgentgatewayBackends, want 2", backends)
	}
	g.Spec.KubeLB = ""
	for _, r := range g.Spec.Routes {
		if _, ok := spec.RouteTypesOf(&g.Spec, &r)["/rerank"]; ok {
			t.Errorf("route %s maps /rerank without a KubeLB release that knows Rerank", r.Name)
		}
	}
}
