package proxy

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/kubelb-ai/kubelb-ai/proxy/sse"
	"github.com/kubelb-ai/kubelb-ai/proxy/translate"
	"github.com/kubelb-ai/kubelb-ai/proxy/wire"
	"github.com/kubelb-ai/kubelb-ai/spec"
)

// anthropicAdapter is Anthropic's Messages API.
var anthropicAdapter = &adapter{
	wireFormat: wire.Anthropic,
	translator: mustTranslator(wire.Anthropic),
	address:    func(*url.URL, string, bool) {},
	enrich: func(doc map[string]any, p *spec.Prompt) {
		// System messages join the system prompt; the rest are turns.
		var before, after []string
		var first, last []any
		for _, m := range p.Prepend {
			if m.Role == spec.RoleSystem {
				before = append(before, m.Content)
			} else {
				first = append(first, map[string]any{"role": m.Role, "content": m.Content})
			}
		}
		for _, m := range p.Append {
			if m.Role == spec.RoleSystem {
				after = append(after, m.Content)
			} else {
				last = append(last, map[string]any{"role": m.Role, "content": m.Content})
			}
		}
		if len(before)+len(after) > 0 {
			doc["system"] = joinSystem(doc["system"], before, after)
		}
		doc["messages"] = append(append(first, list(doc["messages"])...), last...)
	},
	maskEvent: func(a *answerMasker, doc map[string]any) []sse.Event {
		key := fmt.Sprint(doc["index"])
		switch doc["type"] {
		case "content_block_start":
			if a.whole != nil {
				a.maskWhole(doc["content_block"])
			}
		case "content_block_delta":
			if d, ok := doc["delta"].(map[string]any); ok {
				switch d["type"] {
				case "text_delta":
					a.write(d, "text", key+"/text_delta/text")
				case "input_json_delta":
					a.write(d, "partial_json", key+"/input_json_delta/partial_json")
				case "thinking_delta":
					a.write(d, "thinking", key+"/thinking_delta/thinking")
				}
			}
		case "content_block_stop":
			// What the block's masker holds goes out in a delta of its
			// own before the block ends.
			var out []sse.Event
			for k := range a.maskers {
				if !strings.HasPrefix(k, key+"/") {
					continue
				}
				if rest := a.flush(k); rest != "" {
					parts := strings.SplitN(k, "/", 3)
					b, _ := marshal(map[string]any{"type": "content_block_delta", "index": doc["index"], "delta": map[string]any{"type": parts[1], parts[2]: rest}})
					out = append(out, sse.Event{Name: "content_block_delta", Data: b})
				}
			}
			return out
		default:
			if a.whole != nil {
				a.maskWhole(doc)
			}
		}
		return nil
	},
	end:          noEnd,
	usageMembers: []string{"model", "message", "usage"},
	usage: func(u *usage, f map[string][]byte) {
		u.readModel(f["model"])
		type tokens struct {
			InputTokens  *int `json:"input_tokens"`
			OutputTokens *int `json:"output_tokens"`
		}
		read := func(t *tokens) {
			if t == nil {
				return
			}
			if t.InputTokens != nil {
				u.in, u.seen = *t.InputTokens, true
			}
			if t.OutputTokens != nil {
				u.out, u.seen = *t.OutputTokens, true
			}
		}
		if raw, ok := f["message"]; ok { // a stream's message_start
			var m struct {
				Model string  `json:"model"`
				Usage *tokens `json:"usage"`
			}
			if json.Unmarshal(raw, &m) == nil {
				if m.Model != "" {
					u.model = m.Model
				}
				read(m.Usage)
			}
		}
		if raw, ok := f["usage"]; ok {
			var t tokens
			if json.Unmarshal(raw, &t) == nil {
				read(&t)
			}
		}
	},
	errorBody: func(status int, msg string) any {
		return map[string]any{"type": "error", "error": map[string]any{"type": anthropicErrorType(status), "message": msg}}
	},
	errorEvent: func(msg string) sse.Event {
		b, _ := marshal(map[string]any{"type": "error", "error": map[string]any{"type": "api_error", "message": msg}})
		return sse.Event{Name: "error", Data: b}
	},
}

// anthropicErrorType is the error type Anthropic's API gives a status,
// which its SDKs show with the message.
func anthropicErrorType(status int) string {
	switch status {
	case http.StatusBadRequest, http.StatusMethodNotAllowed, http.StatusUnsupportedMediaType, http.StatusRequestTimeout:
		return "invalid_request_error"
	case http.StatusUnauthorized:
		return "authentication_error"
	case http.StatusForbidden:
		return "permission_error"
	case http.StatusNotFound:
		return "not_found_error"
	case http.StatusRequestEntityTooLarge:
		return "request_too_large"
	case http.StatusTooManyRequests:
		return "rate_limit_error"
	case 529:
		return "overloaded_error"
	}
	return "api_error"
}

// joinSystem puts texts before and after an Anthropic system prompt (a
// string or a list of text blocks).
func joinSystem(system any, before, after []string) any {
	if blocks, ok := system.([]any); ok {
		var out []any
		for _, s := range before {
			out = append(out, map[string]any{"type": "text", "text": s})
		}
		out = append(out, blocks...)
		for _, s := range after {
			out = append(out, map[string]any{"type": "text", "text": s})
		}
		return out
	}
	parts := before
	if s, ok := system.(string); ok && s != "" {
		parts = append(parts, s)
	}
	return strings.Join(append(parts, after...), "\n\n")
}

func mustTranslator(format string) translate.Translator {
	tr, _ := translate.For(format)
	return tr
}

// countTokensAdapter is Anthropic's token counting (POST
// /v1/messages/count_tokens): its request is a Messages request's prompt,
// so the route's prompt is added as to a message; a count is no usage.
var countTokensAdapter = &adapter{
	wireFormat: wire.AnthropicCountTokens,
	address:    func(*url.URL, string, bool) {},
	enrich:     anthropicAdapter.enrich,
	maskEvent:  func(*answerMasker, map[string]any) []sse.Event { return nil },
	end:        noEnd,
	errorBody:  anthropicAdapter.errorBody,
	errorEvent: anthropicAdapter.errorEvent,
}

// countLocally answers a token count with serve's own estimate of the
// request's text, as agentgateway does for providers that cannot count
// Anthropic's way: {"input_tokens": N}, no provider called.
func (c *call) countLocally() {
	n := estimateTokens(c.doc, c.ad.format().Request)
	c.w.Header().Set("Content-Type", "application/json")
	c.w.WriteHeader(http.StatusOK)
	b, _ := marshal(map[string]any{"input_tokens": n})
	_, _ = c.w.Write(b)
}
