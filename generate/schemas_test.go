package generate

import (
	"context"
	"testing"

	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	"sigs.k8s.io/yaml"

	"github.com/kubelb-ai/kubelb-ai/schemas"
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
		for _, v := range pairings {
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
			for _, path := range specFixtures(t) {
				_, objs, err := renderCase(t, path, target)
				if err != nil {
					continue
				}
				for _, o := range objs {
					if o.Kind() == "Secret" {
						continue
					}
					m, _ := ToMap(o.Object)
					if errs := set.Validate(ctx, m); len(errs) > 0 {
						t.Errorf("%s (%s) %s: %s %s rejected by the embedded CRDs: %v", target, v, caseName(path), o.Kind(), o.Object.GetName(), errs.ToAggregate())
					}
				}
			}
		}
	}
}
