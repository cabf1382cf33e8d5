package proxy

import (
	"encoding/json"
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
	// tokens is the route's LLM token budget, tokenLimit its size;
	// globalTokens the one shared with other replicas (scope: global).
	tokens       *Limiter
	tokenLimit   int
	globalTokens *globalLimit
	// hooks are the route's guard webhooks (read from the manifests).
	hooks *webhookGuard
	// stages are the request stages, built once by compile.
	stages  []requestStage
	metrics *Metrics
}

// requestStage is one step a route takes on every request, on the one
// reading of it; false means the stage has answered the client.
type requestStage func(*call) bool

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
	if t := p.TokenLimit; t != nil && !t.Global() {
		pol.tokens, pol.tokenLimit = NewTokenLimiter(*t), int(t.Tokens+t.Burst)
	}
	if pol.prompt != nil && len(pol.prompt.Prepend)+len(pol.prompt.Append) == 0 {
		pol.prompt = nil
	}
	if pol.guard == nil && pol.prompt == nil && len(pol.defaults) == 0 && pol.tokens == nil {
		return nil, nil
	}
	pol.compile()
	return pol, nil
}

// compile builds the request stages, in the data planes' order: the regex
// guard first (a rejected prompt goes nowhere), the guard webhook,
// enrichment, field defaults, and last the token budget, which pays for
// the prompt as it will be sent.
func (p *policy) compile() {
	p.stages = nil
	if p.guard != nil && len(p.guard.Request) > 0 {
		p.stages = append(p.stages, p.guardStage)
	}
	if p.hooks != nil && p.hooks.request != nil {
		p.stages = append(p.stages, p.webhookStage)
	}
	if p.prompt != nil {
		p.stages = append(p.stages, p.enrichStage)
	}
	if len(p.defaults) > 0 {
		p.stages = append(p.stages, p.defaultsStage)
	}
	if p.tokens != nil {
		p.stages = append(p.stages, p.budgetStage)
	}
	if p.globalTokens != nil {
		p.stages = append(p.stages, p.globalBudgetStage)
	}
}

// rejection is a prompt a guard refused: the answer the client gets.
type rejection struct {
	status  int
	message string
}

func (r *rejection) write(c *call) {
	if json.Valid([]byte(r.message)) {
		// A body the route's owner wrote as JSON is theirs to shape.
		c.w.Header().Set("Content-Type", "application/json")
		c.w.WriteHeader(r.status)
		_, _ = c.w.Write([]byte(r.message))
		return
	}
	c.fail(r.status, r.message)
}

// request runs the route's request stages on c; false when one of them
// has answered the client.
func (p *policy) request(c *call) bool {
	if p == nil {
		return true
	}
	for _, stage := range p.stages {
		if !stage(c) {
			return false
		}
	}
	return true
}

func (p *policy) guardStage(c *call) bool {
	if rejected := p.checkPrompt(c); rejected != nil {
		c.ex.set(func(e *exchange) { e.guarded = true })
		rejected.write(c)
		return false
	}
	return true
}

func (p *policy) webhookStage(c *call) bool {
	rejected, err := p.hooks.checkPrompt(c)
	if err != nil {
		c.fail(http.StatusBadRequest, err.Error())
		return false
	}
	if rejected != nil {
		c.ex.set(func(e *exchange) { e.guarded = true })
		rejected.write(c)
		return false
	}
	return true
}

func (p *policy) enrichStage(c *call) bool {
	c.ad.enrich(c.doc, p.prompt)
	c.changed = true
	return true
}

func (p *policy) defaultsStage(c *call) bool {
	for _, d := range p.defaults {
		if _, set := c.doc[d.Field]; !set || d.Override {
			c.doc[d.Field] = defaultValue(d.Value)
			c.changed = true
		}
	}
	return true
}

// budgetStage takes the prompt's estimated tokens from the route's budget
// before the call; the provider's usage (or the relayed text) settles the
// rest once the answer ends.
func (p *policy) budgetStage(c *call) bool {
	if c.api != nil && c.api.name == "AnthropicTokenCount" {
		return true // counting a prompt generates nothing: no tokens spent (as agentgateway)
	}
	c.estimate = estimateTokens(c.doc, c.ad.format().Request)
	if p.tokens.admitTokens(c.w, c.ad, c.estimate, p.tokenLimit) {
		return true
	}
	c.estimate = 0
	c.ex.set(func(e *exchange) {
		if p.metrics != nil {
			p.metrics.rateLimited.WithLabelValues(e.route).Inc()
		}
	})
	return false
}

// globalBudgetStage asks the shared token limit whether the prompt's
// estimated tokens are left, charging them; the rest of what the exchange
// spends is amended once the answer ends (as agentgateway does with a
// tokenizing route).
func (p *policy) globalBudgetStage(c *call) bool {
	if c.api != nil && c.api.name == "AnthropicTokenCount" {
		return true
	}
	if p.tokens == nil {
		c.estimate = estimateTokens(c.doc, c.ad.format().Request)
	}
	hits := uint64(c.estimate)
	status := p.globalTokens.check(c.r.Context(), c.w, c.ad, varsOf(c.r), &hits, "tokens")
	if status == 0 {
		c.globalCharged = c.estimate
		return true
	}
	c.ex.set(func(e *exchange) {
		if p.metrics != nil && status == http.StatusTooManyRequests {
			p.metrics.rateLimited.WithLabelValues(e.route).Inc()
		}
	})
	return false
}

// checkPrompt runs the request guard over the request. Rejecting rules
// read every string (identifiers and URLs too, tool arguments decoded,
// member names; encoded data when it is not validly encoded), one at a
// time and all texts run together; masking rules mask every text in place.
func (p *policy) checkPrompt(c *call) *rejection {
	var refused *guard.Rule
	var all strings.Builder
	changed := c.ad.format().Request.Strings(c.doc, func(t *wire.Slot) {
		if refused != nil || t.Class == wire.Binary && wire.Opaque(t.Value) {
			return
		}
		readings := []string{t.Value}
		if t.Class == wire.JSONText || looksJSON(t.Value) {
			// JSON in a string (tool arguments, or text that holds some)
			// is read as its escapes spell it too.
			readings = append(readings, wire.Strings(t.Value)...)
		}
		for _, s := range readings {
			if _, rule := p.guard.CheckRequest(s); rule != nil {
				refused = rule
				return
			}
		}
		switch t.Class {
		case wire.Text:
			all.WriteString(t.Value)
			masked, _ := p.guard.CheckRequest(t.Value)
			t.Set(masked)
		case wire.JSONText:
			all.WriteString(t.Value)
			t.Set(wire.MapStrings(t.Value, func(s string) string { m, _ := p.guard.CheckRequest(s); return m }))
		}
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
	ad      *adapter
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

func (p *policy) streamMasker(ad *adapter) streamFilter {
	return &answerMasker{ad: ad, newText: func() textFilter { return p.guard.Masker() }, whole: p.guard.MaskResponse, maskers: map[string]textFilter{}}
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
	for _, ev := range a.ad.end(a) {
		out = sse.Append(out, ev)
	}
	return out
}

// event masks one event in its format; a format's end of stream ([DONE])
// first sends what the maskers hold.
func (a *answerMasker) event(out []byte, ev sse.Event) []byte {
	doc, err := wire.DecodeObject(ev.Data)
	if err != nil {
		if string(ev.Data) == "[DONE]" {
			for _, held := range a.ad.end(a) {
				out = sse.Append(out, held)
			}
		}
		return sse.Append(out, ev)
	}
	for _, before := range a.ad.maskEvent(a, doc) {
		out = sse.Append(out, before)
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

// hooksAnswers reports whether answers go to a response webhook.
func (p *policy) hooksAnswers() bool {
	return p != nil && p.hooks != nil && p.hooks.response != nil
}

// readsBodies reports whether the policy must read every request body.
func (p *policy) readsBodies() bool {
	return p != nil && (p.guard != nil || p.hooks != nil || p.countsTokens() || p.prompt != nil || len(p.defaults) > 0)
}

// countsTokens reports whether the route has a token limit, local or
// global: its answers' tokens are counted.
func (p *policy) countsTokens() bool {
	return p != nil && (p.tokens != nil || p.globalTokens != nil)
}

// looksJSON reports whether s may be a JSON object or array.
func looksJSON(s string) bool {
	s = strings.TrimLeft(s, " \t\r\n")
	return s != "" && (s[0] == '{' || s[0] == '[')
}
