package proxy

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/kubelb-ai/kubelb-ai/proxy/sse"
	"github.com/kubelb-ai/kubelb-ai/proxy/wire"
	"github.com/kubelb-ai/kubelb-ai/spec"
)

// geminiAdapter is Gemini's and Vertex AI's generateContent.
var geminiAdapter = &adapter{
	wireFormat: wire.Gemini,
	translator: mustTranslator(wire.Gemini),
	address: func(u *url.URL, clientPath string, stream bool) {
		// Gemini names streaming in the path (agentgateway's
		// GenerateContent route reads it there too); the body is the same.
		if stream || strings.HasSuffix(clientPath, ":streamGenerateContent") {
			u.Path = strings.Replace(u.Path, ":generateContent", ":streamGenerateContent", 1)
			q := u.Query()
			q.Set("alt", "sse")
			u.RawQuery = q.Encode()
		}
	},
	enrich: func(doc map[string]any, p *spec.Prompt) {
		var first, last, sysBefore, sysAfter []any
		content := func(m spec.Message) any {
			role := "user"
			if m.Role == spec.RoleAssistant {
				role = "model"
			}
			return map[string]any{"role": role, "parts": []any{map[string]any{"text": m.Content}}}
		}
		for _, m := range p.Prepend {
			if m.Role == spec.RoleSystem {
				sysBefore = append(sysBefore, map[string]any{"text": m.Content})
			} else {
				first = append(first, content(m))
			}
		}
		for _, m := range p.Append {
			if m.Role == spec.RoleSystem {
				sysAfter = append(sysAfter, map[string]any{"text": m.Content})
			} else {
				last = append(last, content(m))
			}
		}
		if len(sysBefore)+len(sysAfter) > 0 {
			key := "systemInstruction"
			if _, snake := doc["system_instruction"]; snake {
				key = "system_instruction" // one spelling per request
			}
			si, _ := doc[key].(map[string]any)
			if si == nil {
				si = map[string]any{}
			}
			si["parts"] = append(append(sysBefore, list(si["parts"])...), sysAfter...)
			doc[key] = si
		}
		doc["contents"] = append(append(first, list(doc["contents"])...), last...)
	},
	maskEvent: func(a *answerMasker, doc map[string]any) []sse.Event {
		for _, c := range list(doc["candidates"]) {
			cand, _ := c.(map[string]any)
			key := fmt.Sprint(cand["index"])
			content, _ := cand["content"].(map[string]any)
			var lastText map[string]any
			if content != nil {
				for _, p := range list(content["parts"]) {
					part, ok := p.(map[string]any)
					if !ok {
						continue
					}
					if _, ok := part["text"].(string); ok {
						a.write(part, "text", key)
						lastText = part
					} else if a.whole != nil {
						a.maskWhole(part) // a function call comes whole
					}
				}
			}
			if cand["finishReason"] != nil {
				if rest := a.flush(key); rest != "" {
					if lastText == nil {
						if content == nil {
							content = map[string]any{"role": "model"}
							cand["content"] = content
						}
						lastText = map[string]any{"text": ""}
						content["parts"] = append(list(content["parts"]), lastText)
					}
					lastText["text"] = lastText["text"].(string) + rest
				}
			}
		}
		return nil
	},
	end:          noEnd,
	usageMembers: []string{"modelVersion", "usageMetadata"},
	usage: func(u *usage, f map[string][]byte) {
		u.readModel(f["modelVersion"])
		var m struct {
			PromptTokenCount     int `json:"promptTokenCount"`
			CandidatesTokenCount int `json:"candidatesTokenCount"`
		}
		// Every piece of a stream counts the tokens so far.
		if raw, ok := f["usageMetadata"]; ok && json.Unmarshal(raw, &m) == nil {
			u.in, u.out, u.seen = m.PromptTokenCount, m.CandidatesTokenCount, true
		}
	},
	errorBody: func(status int, msg string) any {
		return map[string]any{"error": map[string]any{"code": status, "message": msg, "status": "UNAVAILABLE"}}
	},
	errorEvent: func(msg string) sse.Event {
		b, _ := marshal(map[string]any{"error": map[string]any{"code": http.StatusBadGateway, "message": msg, "status": "UNAVAILABLE"}})
		return sse.Event{Data: b}
	},
}
