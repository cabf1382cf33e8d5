package proxy

import (
	"encoding/json"
	"fmt"
	"net/url"
	"strings"

	"github.com/kubelb-ai/kubelb-ai/proxy/sse"
	"github.com/kubelb-ai/kubelb-ai/proxy/wire"
	"github.com/kubelb-ai/kubelb-ai/spec"
)

// openAIAdapter is OpenAI's chat completions, and every provider that
// speaks it (Azure OpenAI, Mistral, Ollama).
var openAIAdapter = &adapter{
	wireFormat: wire.OpenAI,
	address:    func(*url.URL, string, bool) {},
	enrich: func(doc map[string]any, p *spec.Prompt) {
		msgs := func(ms []spec.Message) []any {
			var out []any
			for _, m := range ms {
				out = append(out, map[string]any{"role": m.Role, "content": m.Content})
			}
			return out
		}
		doc["messages"] = append(append(msgs(p.Prepend), list(doc["messages"])...), msgs(p.Append)...)
	},
	maskEvent: func(a *answerMasker, doc map[string]any) []sse.Event {
		for _, c := range list(doc["choices"]) {
			ch, _ := c.(map[string]any)
			key := fmt.Sprint(ch["index"])
			d, _ := ch["delta"].(map[string]any)
			if d == nil {
				d = map[string]any{}
			}
			if a.whole != nil {
				for _, tc := range list(d["tool_calls"]) {
					if fn, ok := dig(tc, "function").(map[string]any); ok {
						if name, ok := fn["name"].(string); ok {
							fn["name"] = a.whole(name)
						}
					}
				}
			}
			for _, m := range openAIStreamed {
				a.write(d, m, key+"/"+m)
			}
			for _, tc := range list(d["tool_calls"]) {
				if fn, ok := dig(tc, "function").(map[string]any); ok {
					a.write(fn, "arguments", key+"/tool/"+fmt.Sprint(dig(tc, "index")))
				}
			}
			if fn, ok := d["function_call"].(map[string]any); ok {
				a.write(fn, "arguments", key+"/function_call")
			}
			if ch["finish_reason"] != nil {
				openAIFlushChoice(a, key, d)
				if len(d) > 0 {
					ch["delta"] = d
				}
			}
		}
		return nil
	},
	end: func(a *answerMasker) []sse.Event {
		// What choices still hold, for streams that ended without a
		// finish reason.
		choices := map[string]bool{}
		for k := range a.maskers {
			choice, _, _ := strings.Cut(k, "/")
			choices[choice] = true
		}
		var out []sse.Event
		for choice := range choices {
			d := map[string]any{}
			openAIFlushChoice(a, choice, d)
			if len(d) > 0 {
				b, _ := marshal(map[string]any{"object": "chat.completion.chunk", "choices": []any{map[string]any{"index": wire.Number(choice), "delta": d, "finish_reason": nil}}})
				out = append(out, sse.Event{Data: b})
			}
		}
		return out
	},
	usageMembers: []string{"model", "usage"},
	usage: func(u *usage, f map[string][]byte) {
		u.readModel(f["model"])
		var x struct {
			PromptTokens     *int `json:"prompt_tokens"`
			CompletionTokens *int `json:"completion_tokens"`
		}
		if raw, ok := f["usage"]; ok && json.Unmarshal(raw, &x) == nil && x.PromptTokens != nil {
			u.in, u.seen = *x.PromptTokens, true
			if x.CompletionTokens != nil {
				u.out = *x.CompletionTokens
			}
		}
	},
	errorBody: func(_ int, msg string) any {
		return map[string]any{"error": map[string]any{"type": "gateway_error", "code": nil, "param": nil, "message": msg}}
	},
	errorEvent: func(msg string) sse.Event {
		b, _ := marshal(map[string]any{"error": map[string]any{"type": "upstream_error", "code": nil, "param": nil, "message": msg}})
		return sse.Event{Name: "error", Data: b}
	},
}

// openAIStreamed are the members of an OpenAI delta whose text streams.
var openAIStreamed = []string{"content", "refusal", "reasoning_content"}

// openAIFlushChoice puts what the maskers of an OpenAI choice hold into
// its last delta.
func openAIFlushChoice(a *answerMasker, choice string, d map[string]any) {
	for _, m := range openAIStreamed {
		if rest := a.flush(choice + "/" + m); rest != "" {
			s, _ := d[m].(string)
			d[m] = s + rest
		}
	}
	if rest := a.flush(choice + "/function_call"); rest != "" {
		d["function_call"] = map[string]any{"arguments": rest}
	}
	for k := range a.maskers {
		if idx, ok := strings.CutPrefix(k, choice+"/tool/"); ok {
			if rest := a.flush(k); rest != "" {
				d["tool_calls"] = append(list(d["tool_calls"]), map[string]any{"index": wire.Number(idx), "function": map[string]any{"arguments": rest}})
			}
		}
	}
}
