package proxy

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	"github.com/kubelb-ai/kubelb-ai/proxy/guard"
	"github.com/kubelb-ai/kubelb-ai/proxy/sse"
	"github.com/kubelb-ai/kubelb-ai/spec"
)

// The request formats serve reads, named after the API that defines them.
const (
	formatOpenAI    = "openai"
	formatAnthropic = "anthropic"
	formatGemini    = "gemini"
)

// formatOf is the format of a request by its path: OpenAI's chat
// completions, Anthropic's messages, Gemini's generateContent; "" for
// anything else (which policies leave alone).
func formatOf(path string) string {
	switch {
	case strings.HasSuffix(path, "/chat/completions"):
		return formatOpenAI
	case strings.HasSuffix(path, "/messages"):
		return formatAnthropic
	case strings.Contains(path, ":generateContent"), strings.Contains(path, ":streamGenerateContent"):
		return formatGemini
	}
	return ""
}

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

// decodeObject decodes a JSON object, numbers kept exact.
func decodeObject(body []byte) (map[string]any, error) {
	var doc map[string]any
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if err := dec.Decode(&doc); err != nil || doc == nil {
		return nil, fmt.Errorf("the request body is not a JSON object")
	}
	return doc, nil
}

// request applies the policy to a request body of format; a prompt the
// guard rejects comes back as a rejection, and the body untouched.
func (p *policy) request(body []byte, format string) ([]byte, *rejection, error) {
	if p == nil || format == "" || (p.guard == nil && p.prompt == nil && len(p.defaults) == 0) {
		return body, nil, nil
	}
	doc, err := decodeObject(body)
	if err != nil {
		return nil, nil, err
	}
	if p.guard != nil && len(p.guard.Request) > 0 {
		var refused *guard.Rule
		eachPromptText(doc, format, func(s string) string {
			if refused != nil {
				return s
			}
			masked, rule := p.guard.CheckRequest(s)
			if rule != nil {
				refused = rule
				return s
			}
			return masked
		})
		if refused != nil {
			return body, &rejection{status: refused.StatusCode, message: refused.Message}, nil
		}
	}
	if p.prompt != nil {
		enrich(doc, format, p.prompt)
	}
	for _, d := range p.defaults {
		if _, set := doc[d.Field]; !set || d.Override {
			doc[d.Field] = defaultValue(d.Value)
		}
	}
	out, err := marshal(doc)
	return out, nil, err
}

// marshal is json.Marshal without HTML escaping: texts keep their < and >
// (a masked <CREDIT_CARD> stays readable).
func marshal(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), nil
}

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

// eachPromptText replaces every text of a prompt (system and messages)
// with f's result.
func eachPromptText(doc map[string]any, format string, f func(string) string) {
	eachPromptMessage(doc, format, func(_, text string) string { return f(text) })
}

// eachPromptMessage replaces every text of a prompt with f's result, given
// the role it has (system, user, assistant; Gemini's model is assistant).
func eachPromptMessage(doc map[string]any, format string, f func(role, text string) string) {
	as := func(role string) func(string) string { return func(s string) string { return f(role, s) } }
	switch format {
	case formatOpenAI, formatAnthropic:
		if system, ok := doc["system"]; ok && format == formatAnthropic {
			doc["system"] = mapContent(system, "text", as("system"))
		}
		for _, m := range list(doc["messages"]) {
			if msg, ok := m.(map[string]any); ok {
				role, _ := msg["role"].(string)
				msg["content"] = mapContent(msg["content"], "text", as(role))
			}
		}
	case formatGemini:
		if si, ok := doc["systemInstruction"].(map[string]any); ok {
			mapParts(si, as("system"))
		}
		for _, c := range list(doc["contents"]) {
			if content, ok := c.(map[string]any); ok {
				role, _ := content["role"].(string)
				if role == "model" {
					role = "assistant"
				} else if role == "" {
					role = "user"
				}
				mapParts(content, as(role))
			}
		}
	}
}

// eachAnswerText replaces every text of a whole answer with f's result.
func eachAnswerText(doc map[string]any, format string, f func(string) string) {
	switch format {
	case formatOpenAI:
		for _, c := range list(doc["choices"]) {
			if ch, ok := c.(map[string]any); ok {
				if msg, ok := ch["message"].(map[string]any); ok {
					if _, ok := msg["content"].(string); ok {
						msg["content"] = mapContent(msg["content"], "text", f)
					}
				}
			}
		}
	case formatAnthropic:
		doc["content"] = mapContent(doc["content"], "text", f)
	case formatGemini:
		for _, c := range list(doc["candidates"]) {
			if cand, ok := c.(map[string]any); ok {
				if content, ok := cand["content"].(map[string]any); ok {
					mapParts(content, f)
				}
			}
		}
	}
}

// mapContent applies f to a content that is a string or a list of parts
// whose text is under key when their type is "text".
func mapContent(content any, key string, f func(string) string) any {
	switch c := content.(type) {
	case string:
		return f(c)
	case []any:
		for _, p := range c {
			if part, ok := p.(map[string]any); ok && part["type"] == "text" {
				if s, ok := part[key].(string); ok {
					part[key] = f(s)
				}
			}
		}
	}
	return content
}

func mapParts(content map[string]any, f func(string) string) {
	for _, p := range list(content["parts"]) {
		if part, ok := p.(map[string]any); ok {
			if s, ok := part["text"].(string); ok {
				part["text"] = f(s)
			}
		}
	}
}

func list(v any) []any {
	l, _ := v.([]any)
	return l
}

// enrich adds the prompt's messages before and after the request's.
func enrich(doc map[string]any, format string, p *spec.Prompt) {
	switch format {
	case formatOpenAI:
		msgs := func(ms []spec.Message) []any {
			var out []any
			for _, m := range ms {
				out = append(out, map[string]any{"role": m.Role, "content": m.Content})
			}
			return out
		}
		doc["messages"] = append(append(msgs(p.Prepend), list(doc["messages"])...), msgs(p.Append)...)
	case formatAnthropic:
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
	case formatGemini:
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
			si, _ := doc["systemInstruction"].(map[string]any)
			if si == nil {
				si = map[string]any{}
			}
			si["parts"] = append(append(sysBefore, list(si["parts"])...), sysAfter...)
			doc["systemInstruction"] = si
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

// maskAnswer masks the text of a whole answer of format.
func (p *policy) maskAnswer(body []byte, format string) []byte {
	doc, err := decodeObject(body)
	if err != nil || format == "" {
		return body
	}
	eachAnswerText(doc, format, p.guard.MaskResponse)
	out, err := marshal(doc)
	if err != nil {
		return body
	}
	return out
}

// streamFilter changes a stream on its way to the client.
type streamFilter interface {
	Feed(p []byte) []byte
	End() []byte
}

// answerMasker changes a streamed answer's text, event by event, in its
// provider's format: the regex guard masks it, holding back a little text
// so that a match split across events is masked whole (guard.Masker), and
// a response webhook judges it a sentence at a time (webhookSegments);
// what is held back goes out with the event that ends the text (a finish
// reason, a content block's end, the stream's end).
type answerMasker struct {
	format  string
	dec     sse.Decoder
	newText func() textFilter
	maskers map[string]textFilter // by choice, block or candidate
}

// textFilter changes a stream of text: Write returns what can be sent of
// what it has been given so far, Flush the rest.
type textFilter interface {
	Write(piece string) string
	Flush() string
}

func (p *policy) streamMasker(format string) streamFilter {
	if format == "" {
		return nil
	}
	return &answerMasker{format: format, newText: func() textFilter { return p.guard.Masker() }, maskers: map[string]textFilter{}}
}

func (a *answerMasker) masker(key string) textFilter {
	m := a.maskers[key]
	if m == nil {
		m = a.newText()
		a.maskers[key] = m
	}
	return m
}

// flush is what every masker still holds, by key.
func (a *answerMasker) flush(key string) string {
	m := a.maskers[key]
	if m == nil {
		return ""
	}
	delete(a.maskers, key)
	return m.Flush()
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
	return out
}

func (a *answerMasker) event(out []byte, ev sse.Event) []byte {
	var doc map[string]any
	dec := json.NewDecoder(bytes.NewReader(ev.Data))
	dec.UseNumber()
	if dec.Decode(&doc) != nil {
		if a.format == formatOpenAI && string(ev.Data) == "[DONE]" {
			out = a.flushOpenAI(out)
		}
		return sse.Append(out, ev)
	}
	switch a.format {
	case formatOpenAI:
		for _, c := range list(doc["choices"]) {
			ch, _ := c.(map[string]any)
			key := fmt.Sprint(ch["index"])
			d, _ := ch["delta"].(map[string]any)
			if d == nil {
				continue
			}
			s, isText := d["content"].(string)
			if isText {
				s = a.masker(key).Write(s)
			}
			if ch["finish_reason"] != nil {
				s += a.flush(key)
				isText = isText || s != ""
			}
			if isText {
				d["content"] = s
			}
		}
	case formatAnthropic:
		key := fmt.Sprint(doc["index"])
		switch doc["type"] {
		case "content_block_delta":
			if d, ok := doc["delta"].(map[string]any); ok && d["type"] == "text_delta" {
				s, _ := d["text"].(string)
				d["text"] = a.masker(key).Write(s)
			}
		case "content_block_stop":
			if rest := a.flush(key); rest != "" {
				b, _ := marshal(map[string]any{"type": "content_block_delta", "index": doc["index"], "delta": map[string]any{"type": "text_delta", "text": rest}})
				out = sse.Append(out, sse.Event{Name: "content_block_delta", Data: b})
			}
		}
	case formatGemini:
		for _, c := range list(doc["candidates"]) {
			cand, _ := c.(map[string]any)
			key := fmt.Sprint(cand["index"])
			content, _ := cand["content"].(map[string]any)
			var lastText map[string]any
			if content != nil {
				for _, p := range list(content["parts"]) {
					if part, ok := p.(map[string]any); ok {
						if s, ok := part["text"].(string); ok {
							part["text"] = a.masker(key).Write(s)
							lastText = part
						}
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

// flushOpenAI sends what OpenAI choices still hold before [DONE], for
// streams that ended without a finish reason.
func (a *answerMasker) flushOpenAI(out []byte) []byte {
	for key := range a.maskers {
		if rest := a.flush(key); rest != "" {
			var index json.Number = json.Number(key)
			b, _ := marshal(map[string]any{"object": "chat.completion.chunk", "choices": []any{map[string]any{"index": index, "delta": map[string]any{"content": rest}, "finish_reason": nil}}})
			out = sse.Append(out, sse.Event{Data: b})
		}
	}
	return out
}
