package generate

import (
	"fmt"
	"strings"

	"github.com/kubelb-ai/kubelb-ai/spec"
	"github.com/kubelb-ai/kubelb-ai/templates"
)

// Example is a request that works against one route of a rendered gateway.
type Example struct {
	Route string
	// Path is the request path on the gateway's listener.
	Path string
	// Body is the JSON request body.
	Body string
}

// Examples returns a chat request per route of g in the format the route's
// data plane expects: agentgateway takes the OpenAI format on every route;
// kgateway's AI extension takes each provider's native body (the first
// provider of the route's first backend decides) and sets the upstream path
// itself.
func Examples(g *spec.AIGateway) []Example {
	t, _ := templates.LookupTarget(g.Spec.Target)
	providers := map[string]spec.Provider{}
	for _, p := range g.Spec.Providers {
		providers[p.Name] = p
	}
	var out []Example
	for _, r := range g.Spec.Routes {
		if len(r.Backends) == 0 || len(r.Backends[0].Providers) == 0 {
			continue
		}
		p := providers[r.Backends[0].Providers[0]]
		c, _ := templates.LookupProvider(p.Kind)
		format := c.Format
		if t.Translates {
			format = "openai"
		}
		base := strings.TrimSuffix(r.Path, "/")
		e := Example{Route: r.Name}
		switch format {
		case "anthropic":
			e.Path = base + "/v1/messages"
			e.Body = fmt.Sprintf(`{"model":%q,"max_tokens":256,"messages":[{"role":"user","content":"Say hello"}]}`, p.Model)
		case "gemini":
			e.Path = base + "/v1beta/models/" + p.Model + ":generateContent"
			e.Body = `{"contents":[{"role":"user","parts":[{"text":"Say hello"}]}]}`
		default:
			e.Path = base + "/v1/chat/completions"
			e.Body = fmt.Sprintf(`{"model":%q,"messages":[{"role":"user","content":"Say hello"}]}`, p.Model)
		}
		out = append(out, e)
	}
	return out
}
