package proxy

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	"github.com/kubelb-ai/kubelb-ai/proxy/guard"
	"github.com/kubelb-ai/kubelb-ai/proxy/sse"
	"github.com/kubelb-ai/kubelb-ai/proxy/wire"
	"github.com/kubelb-ai/kubelb-ai/spec"
)

// policy is what a route does to prompts and answers: its prompt guard,
// prompt enrichment and field defaults, in the order the data planes apply
// them (guard first, so that a rejected prompt goes nowhere).
type policy struct {
	guard    *guard.Guard
	prompt   *spec.Prompt
	defaults []spec.FieldDefault
	// tokens is the route's LLM token budget, tokenLimit its size.
	tokens     *Limiter
	tokenLimit int
	// hooks are the route's guard webhooks (read from the manifests).
	hooks *webhookGuard
}

// newPolicy compiles a route's policies; nil when there is nothing to do.
func newPolicy(p *spec.Policies) (*policy, error) {
	if p == nil {
		return nil, nil
	}
	g, err := guard.New(p.PromptGuard)
	if err != nil {
		return nil, err
	}
	pol := &policy{guard: g, prompt: p.Prompt, defaults: p.Defaults}
	if t := p.TokenLimit; t != nil {
		pol.tokens, pol.tokenLimit = NewTokenLimiter(*t), int(t.Tokens+t.Burst)
	}
	if pol.guard == nil && (pol.prompt == nil || len(pol.prompt.Prepend)+len(pol.prompt.Append) == 0) && len(pol.defaults) == 0 && pol.tokens == nil {
		return nil, nil
	}
	return pol, nil
}

// rejection is a prompt a guard refused: the answer the client gets.
type rejection struct {
	status  int
	message string
}

func (r *rejection) write(w http.ResponseWriter) {
	if json.Valid([]byte(r.message)) {
		w.Header().Set("Content-Type", "application/json")
	} else {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	}
	w.WriteHeader(r.status)
	_, _ = w.Write([]byte(r.message))
}

// request runs the route's request stages on c, in the data planes'
// order (guard first, so that a rejected prompt goes nowhere): the regex
// guard, the guard webhook, enrichment, field defaults. It returns false
// when a stage has answered the client.
func (p *policy) request(c *call) bool {
	if p == nil {
		return true
	}
	if p.guard != nil && len(p.guard.Request) > 0 {
		if rejected := p.checkPrompt(c); rejected != nil {
			c.ex.set(func(e *exchange) { e.guarded = true })
			rejected.write(c.w)
			return false
		}
	}
	if p.hooks != nil && p.hooks.request != nil {
		rejected, err := p.hooks.checkPrompt(c)
		if err != nil {
			writeError(c.w, http.StatusBadRequest, err.Error())
			return false
		}
		if rejected != nil {
			c.ex.set(func(e *exchange) { e.guarded = true })
			rejected.write(c.w)
			return false
		}
	}
	if p.prompt != nil && len(p.prompt.Prepend)+len(p.prompt.Append) > 0 {
		enrich(c.doc, c.format.Name, p.prompt)
		c.changed = true
	}
	for _, d := range p.defaults {
		if _, set := c.doc[d.Field]; !set || d.Override {
			c.doc[d.Field] = defaultValue(d.Value)
			c.changed = true
		}
	}
	return true
}

// checkPrompt runs the request guard over every text of the request (tool
// arguments decoded too, names of free JSON read): the first rejecting
// rule that matches refuses it, masking rules mask it in place.
func (p *policy) checkPrompt(c *call) *rejection {
	var refused *guard.Rule
	var all strings.Builder
	changed := c.format.Request.Texts(c.doc, func(t *wire.Slot) {
		if refused != nil {
			return
		}
		all.WriteString(t.Value)
		readings := []string{t.Value}
		if t.Class == wire.JSONText {
			readings = append(readings, wire.Strings(t.Value)...)
		}
		for _, s := range readings {
			if _, rule := p.guard.CheckRequest(s); rule != nil {
				refused = rule
				return
			}
		}
		if t.Class == wire.JSONText {
			t.Set(wire.MapStrings(t.Value, func(s string) string { m, _ := p.guard.CheckRequest(s); return m }))
			return
		}
		masked, _ := p.guard.CheckRequest(t.Value)
		t.Set(masked)
	})
	if refused == nil {
		// The texts run together, as a model reads parts of one message:
		// a phrase cut across two parts is still the phrase.
		_, refused = p.guard.CheckRequest(all.String())
	}
	if refused != nil {
		return &rejection{status: refused.StatusCode, message: refused.Message}
	}
	c.changed = c.changed || changed
	return nil
}

// maskTexts masks every text of an answer (whole, or one stream event)
// with the response guard; it reports whether anything changed.
func (p *policy) maskTexts(doc any, shape *wire.Shape) bool {
	return shape.Texts(doc, func(t *wire.Slot) {
		if t.Class == wire.JSONText {
			t.Set(wire.MapStrings(t.Value, p.guard.MaskResponse))
			return
		}
		t.Set(p.guard.MaskResponse(t.Value))
	})
}

// marshal is json.Marshal without HTML escaping: texts keep their < and >
// (a masked <CREDIT_CARD> stays readable).
func marshal(v any) ([]byte, error) { return wire.Encode(v) }

// defaultValue is a field default's value: kgateway's manifests write
// every value as a string ("0.5"), so a string holding JSON is that JSON.
func defaultValue(v any) any {
	s, ok := v.(string)
	if !ok {
		return v
	}
	var decoded any
	dec := json.NewDecoder(strings.NewReader(s))
	dec.UseNumber()
	if dec.Decode(&decoded) == nil && !dec.More() {
		if _, isString := decoded.(string); !isString {
			return decoded
		}
	}
	return s
}

func list(v any) []any {
	l, _ := v.([]any)
	return l
}

// enrich adds the prompt's messages before and after the request's.
func enrich(doc map[string]any, format string, p *spec.Prompt) {
	switch format {
	case wire.OpenAI:
		msgs := func(ms []spec.Message) []any {
			var out []any
			for _, m := range ms {
				out = append(out, map[string]any{"role": m.Role, "content": m.Content})
			}
			return out
		}
		doc["messages"] = append(append(msgs(p.Prepend), list(doc["messages"])...), msgs(p.Append)...)
	case wire.Anthropic:
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
	case wire.Gemini:
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
	}
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

// masksAnswers reports whether answers go through the response guard.
func (p *policy) masksAnswers() bool {
	return p != nil && p.guard != nil && len(p.guard.Response) > 0
}

// streamFilter changes a stream on its way to the client.
type streamFilter interface {
	Feed(p []byte) []byte
	End() []byte
}

// answerMasker changes a streamed answer's text, event by event, in the
// client's format: the regex guard masks it, holding back a little text
// so that a match split across events is masked whole (guard.Masker), and
// a response webhook judges it a sentence at a time (webhookSegments);
// what is held back goes out with the event that ends the text (a finish
// reason, a content block's end, the stream's end). Texts that arrive
// whole in one event (a tool's name, Gemini's function call arguments)
// are masked as they are (whole).
type answerMasker struct {
	format  *wire.Format
	dec     sse.Decoder
	newText func() textFilter
	whole   func(string) string
	maskers map[string]textFilter // by choice, field and tool call; block; candidate
}

// textFilter changes a stream of text: Write returns what can be sent of
// what it has been given so far, Flush the rest.
type textFilter interface {
	Write(piece string) string
	Flush() string
}

func (p *policy) streamMasker(format *wire.Format) streamFilter {
	return &answerMasker{format: format, newText: func() textFilter { return p.guard.Masker() }, whole: p.guard.MaskResponse, maskers: map[string]textFilter{}}
}

func (a *answerMasker) masker(key string) textFilter {
	m := a.maskers[key]
	if m == nil {
		m = a.newText()
		a.maskers[key] = m
	}
	return m
}

// flush is what the masker of key still holds.
func (a *answerMasker) flush(key string) string {
	m := a.maskers[key]
	if m == nil {
		return ""
	}
	delete(a.maskers, key)
	return m.Flush()
}

// write passes the text member of obj through the masker of key.
func (a *answerMasker) write(obj map[string]any, member, key string) {
	if s, ok := obj[member].(string); ok {
		obj[member] = a.masker(key).Write(s)
	}
}

func (a *answerMasker) Feed(p []byte) []byte {
	var out []byte
	for _, ev := range a.dec.Feed(p) {
		out = a.event(out, ev)
	}
	return out
}

func (a *answerMasker) End() []byte {
	var out []byte
	for _, ev := range a.dec.End() {
		out = a.event(out, ev)
	}
	return a.flushOpenAI(out)
}

// openAIStreamed are the members of an OpenAI delta whose text streams.
var openAIStreamed = []string{"content", "refusal", "reasoning_content"}

func (a *answerMasker) event(out []byte, ev sse.Event) []byte {
	doc, err := wire.DecodeObject(ev.Data)
	if err != nil {
		if a.format.Name == wire.OpenAI && string(ev.Data) == "[DONE]" {
			out = a.flushOpenAI(out)
		}
		return sse.Append(out, ev)
	}
	switch a.format.Name {
	case wire.OpenAI:
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
				a.flushChoice(key, d)
				if len(d) > 0 {
					ch["delta"] = d
				}
			}
		}
	case wire.Anthropic:
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
			for k := range a.maskers {
				if !strings.HasPrefix(k, key+"/") {
					continue
				}
				if rest := a.flush(k); rest != "" {
					parts := strings.SplitN(k, "/", 3)
					b, _ := marshal(map[string]any{"type": "content_block_delta", "index": doc["index"], "delta": map[string]any{"type": parts[1], parts[2]: rest}})
					out = sse.Append(out, sse.Event{Name: "content_block_delta", Data: b})
				}
			}
		default:
			if a.whole != nil {
				a.maskWhole(doc)
			}
		}
	case wire.Gemini:
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
	}
	b, err := marshal(doc)
	if err != nil {
		return sse.Append(out, ev)
	}
	return sse.Append(out, sse.Event{Name: ev.Name, Data: b})
}

// maskWhole masks every string of v (an object that arrives whole).
func (a *answerMasker) maskWhole(v any) {
	(&wire.Shape{Rules: map[string]wire.Class{"": wire.Free}}).Texts(v, func(t *wire.Slot) { t.Set(a.whole(t.Value)) })
}

// flushChoice puts what the maskers of an OpenAI choice hold into its
// last delta.
func (a *answerMasker) flushChoice(choice string, d map[string]any) {
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

// flushOpenAI sends what OpenAI choices still hold before [DONE], for
// streams that ended without a finish reason.
func (a *answerMasker) flushOpenAI(out []byte) []byte {
	if a.format.Name != wire.OpenAI {
		return out
	}
	choices := map[string]bool{}
	for k := range a.maskers {
		choice, _, _ := strings.Cut(k, "/")
		choices[choice] = true
	}
	for choice := range choices {
		d := map[string]any{}
		a.flushChoice(choice, d)
		if len(d) > 0 {
			b, _ := marshal(map[string]any{"object": "chat.completion.chunk", "choices": []any{map[string]any{"index": wire.Number(choice), "delta": d, "finish_reason": nil}}})
			out = sse.Append(out, sse.Event{Data: b})
		}
	}
	return out
}

// hooksAnswers reports whether answers go to a response webhook.
func (p *policy) hooksAnswers() bool {
	return p != nil && p.hooks != nil && p.hooks.response != nil
}

// readsBodies reports whether the policy must read every request body.
func (p *policy) readsBodies() bool {
	return p != nil && (p.guard != nil || p.hooks != nil || p.tokens != nil || p.prompt != nil || len(p.defaults) > 0)
}
