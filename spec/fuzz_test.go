package spec

import (
	"os"
	"path/filepath"
	"testing"
)

// FuzzParse feeds arbitrary bytes to the Spec loader. It must never panic or
// hang, and whatever it accepts must default, check and re-encode to a file
// it accepts again.
func FuzzParse(f *testing.F) {
	f.Add([]byte(minimal))
	files, _ := filepath.Glob("../testdata/specs/*.yaml")
	for _, file := range files {
		if data, err := os.ReadFile(file); err == nil {
			f.Add(data)
		}
	}
	f.Add([]byte("apiVersion: kubelb-ai.dev/v1alpha1\nkind: AIGateway\nspec: {providers: [{kind: openai, auth: {env: X}}], routes: [{name: a, backends: [{providers: [openai], weight: -1}]}]}\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		file, err := Parse("fuzz.yaml", data)
		if err != nil {
			return
		}
		g := file.Gateway
		Default(&g)
		_ = file.Locate(Check(&g))
		out, err := Marshal(&g)
		if err != nil {
			t.Fatalf("Marshal of an accepted Spec failed: %v", err)
		}
		if _, err := Parse("again.yaml", out); err != nil {
			t.Fatalf("re-reading a marshalled Spec failed: %v\n%s", err, out)
		}
	})
}
