package output

import (
	"bytes"
	"context"
	"path/filepath"
	"testing"

	"github.com/kubelb-ai/kubelb-ai/templates"
	"github.com/kubelb-ai/kubelb-ai/validate"
	"github.com/kubelb-ai/kubelb-ai/validate/crd"
	"github.com/kubelb-ai/kubelb-ai/validate/loader"
)

// validate's own fast paths (YAML decoded directly, CEL on cached
// schemas, the compiled schema check, CEL compiled per node) write
// exactly what the apiserver's own code paths write: text, JSON and SARIF
// byte for byte, for every manifest the repository holds, for every
// target.
func TestOutputMatchesReferencePaths(t *testing.T) {
	var inputs []string
	for _, pattern := range []string{"../../testdata/golden/*", "../testdata/*", "../testdata/*/*", "../../test/agreement/testdata/*"} {
		dirs, _ := filepath.Glob(pattern)
		inputs = append(inputs, dirs...)
	}
	if len(inputs) < 10 {
		t.Fatalf("%d inputs", len(inputs))
	}
	render := func(reference bool, target string) map[string][]byte {
		crd.UseReference(reference)
		defer crd.UseReference(false)
		// A fresh validator: compiled kinds and cached results are per
		// validator.
		v, err := validate.New(validate.Options{Target: target, Strict: true})
		if err != nil {
			t.Fatal(err)
		}
		r := v.Validate(context.Background(), loader.Load(inputs, nil))
		out := map[string][]byte{}
		for _, format := range []string{"text", "json", "sarif"} {
			var b bytes.Buffer
			if err := Write(&b, format, r, Options{Version: "test"}); err != nil {
				t.Fatal(err)
			}
			out[format] = b.Bytes()
		}
		return out
	}
	for _, target := range templates.TargetNames() {
		fast, ref := render(false, target), render(true, target)
		for format, want := range ref {
			if !bytes.Equal(fast[format], want) {
				t.Errorf("%s, %s: the fast paths' output differs from the reference paths' (%d vs %d bytes)", target, format, len(fast[format]), len(want))
			}
		}
		if len(ref["json"]) < 1000 {
			t.Errorf("%s: %d bytes of JSON: the inputs were not read", target, len(ref["json"]))
		}
	}
}
