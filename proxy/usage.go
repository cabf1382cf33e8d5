package proxy

import (
	"bytes"
	"encoding/json"

	"github.com/kubelb-ai/kubelb-ai/proxy/jsonbody"
	"github.com/kubelb-ai/kubelb-ai/proxy/sse"
)

// usage is what a provider says an exchange cost, in its own format:
// OpenAI's usage.prompt_tokens/completion_tokens, Anthropic's
// usage.input_tokens/output_tokens (split between message_start and
// message_delta when streamed), Gemini's usageMetadata.
type usage struct {
	format  string
	in, out int
	model   string
	seen    bool
	dec     sse.Decoder
	whole   bytes.Buffer
}

// maxScanned bounds how much of a whole answer is kept to read its usage.
const maxScanned = 1 << 20

// answer reads the usage of a whole answer (call with its bytes as they
// go by; done reads them).
func (u *usage) answer(p []byte) {
	if u.whole.Len()+len(p) <= maxScanned {
		u.whole.Write(p)
	}
}

// done reads the usage of the whole answer collected.
func (u *usage) done() {
	if u.whole.Len() > 0 {
		u.read(u.whole.Bytes())
		u.whole.Reset()
	}
}

// Feed reads the usage of a stream's events as they go by, unchanged.
func (u *usage) Feed(p []byte) []byte {
	for _, ev := range u.dec.Feed(p) {
		if bytes.Contains(ev.Data, []byte("sage")) {
			u.read(ev.Data)
		}
	}
	return p
}

func (u *usage) End() []byte {
	for _, ev := range u.dec.End() {
		u.read(ev.Data)
	}
	return nil
}

func (u *usage) read(body []byte) {
	var v struct {
		Model string `json:"model"`
		Usage *struct {
			PromptTokens     *int `json:"prompt_tokens"`
			CompletionTokens *int `json:"completion_tokens"`
			InputTokens      *int `json:"input_tokens"`
			OutputTokens     *int `json:"output_tokens"`
		} `json:"usage"`
		Message *struct {
			Model string `json:"model"`
			Usage *struct {
				InputTokens *int `json:"input_tokens"`
			} `json:"usage"`
		} `json:"message"`
		UsageMetadata *struct {
			PromptTokenCount     int `json:"promptTokenCount"`
			CandidatesTokenCount int `json:"candidatesTokenCount"`
		} `json:"usageMetadata"`
		ModelVersion string `json:"modelVersion"`
	}
	if json.Unmarshal(body, &v) != nil {
		return
	}
	if v.Model != "" {
		u.model = v.Model
	}
	if v.ModelVersion != "" {
		u.model = v.ModelVersion
	}
	if m := v.Message; m != nil { // Anthropic's message_start
		if m.Model != "" {
			u.model = m.Model
		}
		if m.Usage != nil && m.Usage.InputTokens != nil {
			u.in, u.seen = *m.Usage.InputTokens, true
		}
	}
	if x := v.Usage; x != nil {
		for _, f := range []struct {
			from *int
			to   *int
		}{{x.PromptTokens, &u.in}, {x.CompletionTokens, &u.out}, {x.InputTokens, &u.in}, {x.OutputTokens, &u.out}} {
			if f.from != nil {
				*f.to, u.seen = *f.from, true
			}
		}
	}
	if m := v.UsageMetadata; m != nil { // Gemini: every piece counts so far
		u.in, u.out, u.seen = m.PromptTokenCount, m.CandidatesTokenCount, true
	}
}

// withStreamUsage asks an OpenAI-format provider to end a stream with its
// usage, which it sends only when asked; it reports whether the client had
// not asked (the usage chunk is then kept from it).
func withStreamUsage(body []byte) ([]byte, bool) {
	if raw, ok := jsonbody.Find(body, "stream"); !ok || string(raw) != "true" {
		return body, false
	}
	if raw, ok := jsonbody.Find(body, "stream_options"); ok {
		var so map[string]any
		if json.Unmarshal(raw, &so) == nil {
			if so["include_usage"] == true {
				return body, false
			}
			so["include_usage"] = true
			b, _ := json.Marshal(so)
			return jsonbody.Set(body, "stream_options", b), true
		}
		return body, false
	}
	return jsonbody.Set(body, "stream_options", []byte(`{"include_usage":true}`)), true
}

// usageChunkDropper keeps from an OpenAI stream the usage-only chunk
// (choices: []) that serve asked for and the client did not.
type usageChunkDropper struct{ dec sse.Decoder }

func (d *usageChunkDropper) Feed(p []byte) []byte {
	var out []byte
	for _, ev := range d.dec.Feed(p) {
		if bytes.Contains(ev.Data, []byte(`"choices":[]`)) && bytes.Contains(ev.Data, []byte(`"usage"`)) {
			continue
		}
		out = sse.Append(out, ev)
	}
	return out
}

func (d *usageChunkDropper) End() []byte {
	var out []byte
	for _, ev := range d.dec.End() {
		out = sse.Append(out, ev)
	}
	return out
}
