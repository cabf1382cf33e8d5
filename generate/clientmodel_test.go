package generate

import (
	"os"
	"strings"
	"testing"

	"sigs.k8s.io/yaml"

	"github.com/kubelb-ai/kubelb-ai/templates"
)

// A Backend that names no model lets the client's model through, on every
// target that has the field optional: read back, its provider has no
// model (the Spec's default would pin one in its place), and it renders
// again without one. Gemini needs a model in its path: it keeps the
// default.
func TestImportBackendWithoutModel(t *testing.T) {
	for _, target := range []string{templates.Agentgateway, templates.KgatewayV21} {
		data, err := os.ReadFile("../testdata/golden/" + target + "/multi-same-format.yaml")
		if err != nil {
			t.Fatal(err)
		}
		var kept []string
		for _, line := range strings.Split(string(data), "\n") {
			if strings.HasPrefix(strings.TrimSpace(line), "model: ") {
				continue
			}
			kept = append(kept, line)
		}
		docs, err := DecodeManifests([]byte(strings.Join(kept, "\n")))
		if err != nil {
			t.Fatal(err)
		}
		g, _, err := Parse(target, docs)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range g.Spec.Providers {
			if p.Model != "" {
				t.Errorf("%s: provider %s (%s) read back with model %q, want none", target, p.Name, p.Kind, p.Model)
			}
		}
		out, err := Render(g)
		if err != nil {
			t.Fatal(err)
		}
		for _, o := range out {
			y, err := yaml.Marshal(o.Object)
			if err != nil {
				t.Fatal(err)
			}
			if strings.Contains(string(y), "model: ") {
				t.Errorf("%s: %s renders a model:\n%s", target, o.Kind(), y)
			}
		}
	}
}
