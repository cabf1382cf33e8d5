package generate

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/kubelb-ai/kubelb-ai/spec"
	"github.com/kubelb-ai/kubelb-ai/templates"
)

// FuzzParseManifests feeds arbitrary streams to the manifest reader and to
// Parse for every target: never a panic, and a Spec it returns that passes
// Check must render.
func FuzzParseManifests(f *testing.F) {
	f.Add([]byte(handWritten))
	goldens, _ := filepath.Glob("../testdata/golden/*/*.yaml")
	for _, g := range goldens {
		if data, err := os.ReadFile(g); err == nil {
			f.Add(data)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		docs, err := DecodeManifests(data)
		if err != nil {
			return
		}
		for _, target := range templates.TargetNames() {
			g, _, err := Parse(target, docs)
			if err != nil {
				continue
			}
			if spec.Check(g) != nil {
				continue
			}
			if _, err := Render(g); err != nil {
				t.Fatalf("%s: a parsed Spec that passes Check does not render: %v", target, err)
			}
		}
	})
}
