package schemas

import (
	"slices"
	"testing"

	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"sigs.k8s.io/yaml"
)

// The text scan finds exactly the group, kind and served versions a full
// decode finds, for every embedded CRD.
func TestServedMatchesDecode(t *testing.T) {
	n := 0
	for _, set := range Sets() {
		crds, err := Served(set)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range crds {
			var crd apiextensionsv1.CustomResourceDefinition
			if err := yaml.Unmarshal(c.Data, &crd); err != nil {
				t.Fatal(err)
			}
			var want []schema.GroupVersionKind
			for _, v := range crd.Spec.Versions {
				if v.Served {
					want = append(want, schema.GroupVersionKind{Group: crd.Spec.Group, Version: v.Name, Kind: crd.Spec.Names.Kind})
				}
			}
			if !slices.Equal(c.Served, want) {
				t.Errorf("%s %s: scanned %v, decoded %v", set, crd.Name, c.Served, want)
			}
			n++
		}
	}
	if n < 20 {
		t.Fatalf("only %d embedded CRDs", n)
	}
}

func TestScanServedRejectsOtherLayouts(t *testing.T) {
	for _, doc := range []string{
		"",
		"spec: {group: x.io, names: {kind: X}, versions: [{name: v1, served: true}]}\n",
		"spec:\n  group: x.io\n  names:\n    kind: X\n  versions:\n  - served: true\n    name: v1\n",
	} {
		if got, err := scanServed([]byte(doc)); err == nil {
			t.Errorf("%q: scanned %v, want an error", doc, got)
		}
	}
}
