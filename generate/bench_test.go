package generate

import (
	"testing"

	"github.com/kubelb-ai/kubelb-ai/spec"
)

// BenchmarkRenderAndEncode measures the in-process part of `generate` for
// the ten-provider Spec of `make bench-generate`.
func BenchmarkRenderAndEncode(b *testing.B) {
	f, err := spec.Load("../testdata/bench/ten-providers.yaml")
	if err != nil {
		b.Fatal(err)
	}
	g := f.Gateway
	spec.Default(&g)
	if err := spec.Check(&g); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		objs, err := Render(&g)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := Encode(objs, "yaml"); err != nil {
			b.Fatal(err)
		}
	}
}
