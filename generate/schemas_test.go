package generate

import (
	"context"
	"testing"

	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	"sigs.k8s.io/yaml"

	"github.com/kubelb-ai/kubelb-ai/internal/testenv"
	"github.com/kubelb-ai/kubelb-ai/schemas"
	"github.com/kubelb-ai/kubelb-ai/templates"
	"github.com/kubelb-ai/kubelb-ai/validate/crd"
)

// TestRenderedObjectsPassEmbeddedCRDs holds the renderer and the project's
// own generated schemas to each other: what generate writes, the embedded
// CRDs accept. (The fidelity of those CRDs to upstream is validate's test.)
func TestRenderedObjectsPassEmbeddedCRDs(t *testing.T) {
	ctx := context.Background()
	for _, target := range templates.TargetNames() {
		set := crd.NewSet()
		if err := set.AddFiles(testenv.GatewayAPICRDDir(t)); err != nil {
			t.Fatal(err)
		}
		docs, err := schemas.CRDs(target)
		if err != nil || len(docs) < 3 {
			t.Fatalf("%s: %d embedded CRDs, %v", target, len(docs), err)
		}
		for _, doc := range docs {
			var c apiextensionsv1.CustomResourceDefinition
			if err := yaml.UnmarshalStrict(doc, &c); err != nil {
				t.Fatal(err)
			}
			if err := set.AddCRD(&c); err != nil {
				t.Fatalf("%s: embedded CRD %s: %v", target, c.Name, err)
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
					t.Errorf("%s %s: %s %s rejected by the embedded CRDs: %v", target, caseName(path), o.Kind(), o.Object.GetName(), errs.ToAggregate())
				}
			}
		}
	}
}
