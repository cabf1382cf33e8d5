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

// responsesAdapter is OpenAI's Responses API as its clients speak it (the
// Vercel AI SDK's default, openai-node's responses.create): OpenAI takes it
// as it is; every other provider through the chat pivot.
var responsesAdapter = &adapter{
	wireFormat: wire.Responses,
	address:    func(*url.URL, string, bool) {},
	enrich: func(doc map[string]any, p *spec.Prompt) {
		// System messages join the instructions; the rest are input
		// items around the client's (a string input is one user message).
		var before, after []string
		var first, last []any
		item := func(m spec.Message) any { return map[string]any{"role": m.Role, "content": m.Content} }
		for _, m := range p.Prepend {
			if m.Role == spec.RoleSystem {
				before = append(before, m.Content)
			} else {
				first = append(first, item(m))
			}
		}
		for _, m := range p.Append {
			if m.Role == spec.RoleSystem {
				after = append(after, m.Content)
			} else {
				last = append(last, item(m))
			}
		}
		if len(before)+len(after) > 0 {
			parts := before
			if s, ok := doc["instructions"].(string); ok && s != "" {
				parts = append(parts, s)
			}
			doc["instructions"] = strings.Join(append(parts, after...), "\n\n")
		}
		if len(first)+len(last) == 0 {
			return
		}
		input := list(doc["input"])
		if s, ok := doc["input"].(string); ok {
			input = []any{map[string]any{"role": "user", "content": s}}
		}
		doc["input"] = append(append(first, input...), last...)
	},
	maskEvent: func(a *answerMasker, doc map[string]any) []sse.Event {
		typ, _ := doc["type"].(string)
		key := fmt.Sprint(doc["item_id"], "/", doc["content_index"])
		switch typ {
		case "response.output_text.delta", "response.refusal.delta", "response.function_call_arguments.delta",
			"response.reasoning_summary_text.delta", "response.reasoning_text.delta":
			a.write(doc, "delta", key+"/"+typ)
			return nil
		}
		var out []sse.Event
		if strings.HasSuffix(typ, ".done") {
			// What the item's maskers hold goes out as a delta of its own
			// before the part or item ends.
			prefix := fmt.Sprint(doc["item_id"], "/")
			if item, ok := doc["item"].(map[string]any); ok {
				prefix = fmt.Sprint(item["id"], "/")
			}
			out = responsesFlush(a, prefix, doc)
		}
		if a.whole != nil {
			a.maskWhole(doc)
		}
		return out
	},
	end: func(a *answerMasker) []sse.Event { return responsesFlush(a, "", nil) },
	// A whole Response says its usage in usage; a stream in the response
	// of response.completed (or .incomplete, .failed).
	usageMembers: []string{"model", "usage", "response"},
	usage: func(u *usage, f map[string][]byte) {
		read := func(model, raw []byte) {
			u.readModel(model)
			var t struct {
				InputTokens  *int `json:"input_tokens"`
				OutputTokens *int `json:"output_tokens"`
			}
			if json.Unmarshal(raw, &t) == nil && t.InputTokens != nil {
				u.in, u.seen = *t.InputTokens, true
				if t.OutputTokens != nil {
					u.out = *t.OutputTokens
				}
			}
		}
		if raw, ok := f["response"]; ok {
			var r struct {
				Model json.RawMessage `json:"model"`
				Usage json.RawMessage `json:"usage"`
			}
			if json.Unmarshal(raw, &r) == nil && len(r.Usage) > 0 && string(r.Usage) != "null" {
				read(r.Model, r.Usage)
			}
		}
		if raw, ok := f["usage"]; ok {
			read(f["model"], raw)
		}
	},
	errorBody: openAIAdapter.errorBody,
	errorEvent: func(msg string) sse.Event {
		b, _ := marshal(map[string]any{"type": "error", "code": "gateway_error", "message": msg, "param": nil, "sequence_number": 0})
		return sse.Event{Name: "error", Data: b}
	},
}

// responsesFlush sends what the maskers of keys under prefix hold, each as
// the delta event of its kind, numbered as the event that ends them.
func responsesFlush(a *answerMasker, prefix string, next map[string]any) []sse.Event {
	var out []sse.Event
	for k := range a.maskers {
		if !strings.HasPrefix(k, prefix) {
			continue
		}
		rest := a.flush(k)
		if rest == "" {
			continue
		}
		parts := strings.SplitN(k, "/", 3) // item id, content index, event type
		ev := map[string]any{"type": parts[2], "item_id": parts[0], "delta": rest}
		if idx := wire.Number(parts[1]); parts[1] != "<nil>" {
			ev["content_index"] = idx
		}
		if next != nil {
			for _, m := range []string{"output_index", "sequence_number"} {
				if v, ok := next[m]; ok {
					ev[m] = v
				}
			}
		}
		b, _ := marshal(ev)
		out = append(out, sse.Event{Name: parts[2], Data: b})
	}
	return out
}
