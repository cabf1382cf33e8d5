package proxy

import (
	"encoding/json"
	"net/url"
	"strings"

	"github.com/kubelb-ai/kubelb-ai/proxy/sse"
	"github.com/kubelb-ai/kubelb-ai/proxy/wire"
	"github.com/kubelb-ai/kubelb-ai/spec"
)

// bedrockAdapter is Amazon Bedrock's Converse API. Its answers reach
// clients translated (its streams are binary frames, read by the
// translator); a request in its own format is read, guarded and signed.
var bedrockAdapter = &adapter{
	wireFormat: wire.Bedrock,
	translator: mustTranslator(wire.Bedrock),
	address: func(u *url.URL, clientPath string, stream bool) {
		if stream || strings.HasSuffix(clientPath, "/converse-stream") {
			u.Path = strings.TrimSuffix(u.Path, "/converse") + "/converse-stream"
		}
		// AWS signs the path with each segment escaped (a model id's ":"
		// is %3A), as its SDKs send it.
		segs := strings.Split(u.Path, "/")
		for i := range segs {
			segs[i] = url.PathEscape(segs[i])
		}
		u.RawPath = strings.Join(segs, "/")
	},
	enrich: func(doc map[string]any, p *spec.Prompt) {
		var system, first, last []any
		turn := func(m spec.Message) any {
			return map[string]any{"role": m.Role, "content": []any{map[string]any{"text": m.Content}}}
		}
		for _, m := range p.Prepend {
			if m.Role == spec.RoleSystem {
				system = append(system, map[string]any{"text": m.Content})
			} else {
				first = append(first, turn(m))
			}
		}
		system = append(system, list(doc["system"])...)
		for _, m := range p.Append {
			if m.Role == spec.RoleSystem {
				system = append(system, map[string]any{"text": m.Content})
			} else {
				last = append(last, turn(m))
			}
		}
		if len(system) > 0 {
			doc["system"] = system
		}
		doc["messages"] = append(append(first, list(doc["messages"])...), last...)
	},
	maskEvent:    func(*answerMasker, map[string]any) []sse.Event { return nil },
	end:          noEnd,
	usageMembers: []string{"usage"},
	usage: func(u *usage, f map[string][]byte) {
		var x struct {
			InputTokens  *int `json:"inputTokens"`
			OutputTokens *int `json:"outputTokens"`
		}
		if raw, ok := f["usage"]; ok && json.Unmarshal(raw, &x) == nil && x.InputTokens != nil {
			u.in, u.seen = *x.InputTokens, true
			if x.OutputTokens != nil {
				u.out = *x.OutputTokens
			}
		}
	},
	errorBody: func(_ int, msg string) any {
		return map[string]any{"message": msg, "__type": "BadGatewayException"}
	},
	errorEvent: func(string) sse.Event { return sse.Event{} },
}
