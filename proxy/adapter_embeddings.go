package proxy

import (
	"encoding/json"
	"net/url"

	"github.com/kubelb-ai/kubelb-ai/proxy/sse"
	"github.com/kubelb-ai/kubelb-ai/proxy/wire"
	"github.com/kubelb-ai/kubelb-ai/spec"
)

// embeddingsAdapter is OpenAI's embeddings API: OpenAI-compatible
// providers take it as it is; Gemini, Vertex AI and Bedrock translated.
var embeddingsAdapter = &adapter{
	wireFormat: wire.Embeddings,
	address:    func(*url.URL, string, bool) {},
	// A route's prompt has no place among texts to embed (agentgateway
	// ignores it there too): embeddings are not a conversation.
	enrich:       func(map[string]any, *spec.Prompt) {},
	maskEvent:    func(*answerMasker, map[string]any) []sse.Event { return nil },
	end:          noEnd,
	usageMembers: []string{"model", "usage"},
	usage: func(u *usage, f map[string][]byte) {
		u.readModel(f["model"])
		var x struct {
			PromptTokens *int `json:"prompt_tokens"`
		}
		if raw, ok := f["usage"]; ok && json.Unmarshal(raw, &x) == nil && x.PromptTokens != nil {
			u.in, u.seen = *x.PromptTokens, true
		}
	},
	errorBody:  openAIAdapter.errorBody,
	errorEvent: openAIAdapter.errorEvent,
}
