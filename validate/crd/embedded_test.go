package crd_test

import (
	"testing"

	"github.com/kubelb-ai/kubelb-ai/schemas"
	"github.com/kubelb-ai/kubelb-ai/validate/crd"
)

// Every embedded CRD passes every check AddCRD makes, the structural
// schema's included, which compiling the embedded CRDs lazily (AddLazy)
// skips as known to pass.
func TestEmbeddedCRDsPassEveryCheck(t *testing.T) {
	n := 0
	for _, set := range schemas.Sets() {
		crds, err := schemas.Served(set)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range crds {
			d, err := c.Decode()
			if err != nil {
				t.Fatal(err)
			}
			if err := crd.NewSet().AddCRD(d); err != nil {
				t.Errorf("%s: %v", c.Name, err)
			}
			n++
		}
	}
	if n < 20 {
		t.Fatalf("only %d embedded CRDs", n)
	}
}
