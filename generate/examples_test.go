package generate

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/kubelb-ai/kubelb-ai/spec"
	"github.com/kubelb-ai/kubelb-ai/templates"
)

// Each route gets a request in the format its data plane takes.
func TestExamples(t *testing.T) {
	for _, target := range []string{templates.KgatewayV21, templates.Agentgateway} {
		g, err := spec.Options{Target: target, Providers: []string{"openai", "anthropic", "gemini"}}.Build()
		if err != nil {
			t.Fatal(err)
		}
		ex := Examples(g)
		if len(ex) != 3 {
			t.Fatalf("%s: %d examples", target, len(ex))
		}
		for _, e := range ex {
			var body map[string]any
			if err := json.Unmarshal([]byte(e.Body), &body); err != nil {
				t.Errorf("%s %s: body is not JSON: %v", target, e.Route, err)
			}
			if !strings.HasPrefix(e.Path, "/"+e.Route+"/") {
				t.Errorf("%s %s: path %s is not under the route", target, e.Route, e.Path)
			}
			_, chat := body["messages"]
			native := target != templates.Agentgateway && e.Route == "gemini"
			if chat == native {
				t.Errorf("%s %s: body %s", target, e.Route, e.Body)
			}
		}
		if target == templates.KgatewayV21 && ex[1].Path != "/anthropic/v1/messages" {
			t.Errorf("kgateway anthropic path %s", ex[1].Path)
		}
	}
}
