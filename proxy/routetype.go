package proxy

import (
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strings"

	"github.com/kubelb-ai/kubelb-ai/proxy/translate"
	"github.com/kubelb-ai/kubelb-ai/proxy/wire"
)

// RouteType is one entry of agentgateway's policies.ai.routes: requests
// whose path ends with Suffix ("*" for any) carry the API Type names.
type RouteType struct {
	Suffix, Type string
}

// apiType is how serve handles one of agentgateway's AI route types: the
// wire format its client speaks (nil: the body goes upstream unread), and
// the translation that takes it to providers that do not speak it.
type apiType struct {
	name string
	// client is the client's format: its shapes, its errors, how its
	// answers are masked and counted.
	client *adapter
	// pivot takes a request in the client's API to chat completions and
	// back, for providers that do not take it natively (Messages to
	// OpenAI, Gemini or Bedrock; Responses to every provider but OpenAI's
	// own); nil for Completions.
	pivot func(request []byte) translate.Client
	// answer, when set, is serve's own answer: agentgateway answers these
	// itself, never calling a provider.
	answer func(w http.ResponseWriter)
}

// apiTypes are the route types serve handles, by name (docs/serve.md has
// the table: which are translated for which providers, which pass
// through, which are refused).
var apiTypes = map[string]*apiType{
	"Completions": {name: "Completions", client: openAIAdapter},
	"Messages":    {name: "Messages", client: anthropicAdapter, pivot: func([]byte) translate.Client { return translate.Messages{} }},
	// A Response repeats its request's settings (instructions, tools...).
	"Responses":           {name: "Responses", client: responsesAdapter, pivot: func(r []byte) translate.Client { return translate.Responses{}.Echoing(r) }},
	"Embeddings":          {name: "Embeddings", client: embeddingsAdapter},
	"AnthropicTokenCount": {name: "AnthropicTokenCount", client: countTokensAdapter},
	// agentgateway answers Models itself with 501 (a route that should
	// reach the provider's model list maps it to Passthrough).
	"Models": {name: "Models", answer: func(w http.ResponseWriter) {
		writeFormatError(w, openAIAdapter, http.StatusNotImplemented, "Route 'Models' not implemented: agentgateway answers the Models route type itself; map /v1/models to Passthrough to reach the provider's model list")
	}},
	// Unread: forwarded as they come, with the provider's credential.
	"Passthrough": {name: "Passthrough"},
	"Detect":      {name: "Detect"},
	"Rerank":      {name: "Rerank"},
	// Realtime is a WebSocket session, which serve does not relay.
	"Realtime": {name: "Realtime", answer: func(w http.ResponseWriter) {
		writeFormatError(w, openAIAdapter, http.StatusNotImplemented, "route type Realtime: kubelb-ai serve does not relay WebSocket sessions; agentgateway on the cluster does")
	}},
}

// apiFor is the route type of a request to the chain, from the route
// (never guessed from the body or from a path the route does not name):
// on agentgateway the route type its path suffix names (longest suffix
// first, "*" last; Completions when none matches, as agentgateway), else
// chat completions in the chain's format.
func (c *Chain) apiFor(path string) (*apiType, error) {
	if len(c.RouteTypes) == 0 {
		return &apiType{name: "Completions", client: adapterFor(c.defaultFormat())}, nil
	}
	typ := "Completions"
	wildcard := ""
	for _, rt := range c.RouteTypes {
		if rt.Suffix == "*" {
			wildcard = rt.Type
			continue
		}
		if strings.HasSuffix(path, rt.Suffix) {
			typ, wildcard = rt.Type, ""
			break
		}
	}
	if wildcard != "" {
		typ = wildcard
	}
	if t, ok := apiTypes[typ]; ok {
		return t, nil
	}
	return nil, fmt.Errorf("route type %s (for %s) is not one serve knows: use one of %s", typ, path, strings.Join(slices.Sorted(maps.Keys(apiTypes)), ", "))
}

func (c *Chain) defaultFormat() string {
	if c.Format != "" {
		return c.Format
	}
	if len(c.Upstreams) > 0 {
		return c.Upstreams[0].Format
	}
	return wire.OpenAI
}

// sortRouteTypes orders route types as agentgateway tries them.
func sortRouteTypes(rts []RouteType) {
	slices.SortStableFunc(rts, func(a, b RouteType) int {
		switch {
		case a.Suffix == "*":
			return 1
		case b.Suffix == "*":
			return -1
		}
		return len(b.Suffix) - len(a.Suffix)
	})
}

// errorFormat is the format of the errors serve answers a request of the
// chain with: its client's (OpenAI's when the body is not read).
func (c *Chain) errorFormat(path string) *adapter {
	if api, err := c.apiFor(path); err == nil && api.client != nil {
		return api.client
	}
	return openAIAdapter
}
