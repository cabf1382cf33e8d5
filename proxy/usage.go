package proxy

import (
	"bytes"
	"encoding/json"
	"slices"
	"strings"

	"github.com/kubelb-ai/kubelb-ai/proxy/jsonbody"
	"github.com/kubelb-ai/kubelb-ai/proxy/sse"
	"github.com/kubelb-ai/kubelb-ai/proxy/translate"
	"github.com/kubelb-ai/kubelb-ai/proxy/wire"
)

// usage is what a provider says an exchange cost, in its own format:
// OpenAI's usage.prompt_tokens/completion_tokens, Anthropic's
// usage.input_tokens/output_tokens (split between message_start and
// message_delta when streamed), Gemini's usageMetadata.
type usage struct {
	// ad is the provider's format, which says where the usage is.
	ad      *adapter
	in, out int
	model   string
	seen    bool
	dec     sse.Decoder
	// relayed is the answer's text as it went to the client, kept when a
	// token budget must be charged whatever happens (up to maxRelayed
	// bytes, counted beyond that at four bytes a token).
	relayed strings.Builder
	beyond  int
	// facts, when a whole answer's span is recorded, are read with the
	// usage.
	facts *answerFacts
}

// maxRelayed bounds the text kept to count an answer's tokens.
const maxRelayed = 4 << 20

// relay keeps text that reached the client.
func (u *usage) relay(text string) {
	if u.relayed.Len()+len(text) <= maxRelayed {
		u.relayed.WriteString(text)
	} else {
		u.beyond += len(text)
	}
}

// relayedTokens counts the tokens of what was relayed: the charge of an
// exchange whose usage the provider never said.
func (u *usage) relayedTokens() int {
	return countTokens(u.relayed.String()) + (u.beyond+3)/4
}

// textCounter keeps the text of a stream's events (in the client's
// format) in a usage, as they go by unchanged.
type textCounter struct {
	u     *usage
	shape *wire.Shape
	dec   sse.Decoder
}

func (t *textCounter) Feed(p []byte) []byte {
	for _, ev := range t.dec.Feed(p) {
		t.event(ev)
	}
	return p
}

func (t *textCounter) End() []byte {
	for _, ev := range t.dec.End() {
		t.event(ev)
	}
	return nil
}

func (t *textCounter) event(ev sse.Event) {
	if doc, err := wire.Decode(ev.Data); err == nil {
		t.shape.Texts(doc, func(s *wire.Slot) { t.u.relay(s.Value) })
	}
}

// maxScanned bounds how much of a whole answer is kept to read its usage.
const maxScanned = 1 << 20

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
	reads := u.ad != nil && u.ad.usage != nil
	if u.facts != nil {
		// The span's facts in the same pass over the answer.
		members := factMembers
		if reads {
			members = append(slices.Clip(u.ad.usageMembers), factMembers...)
		}
		f := jsonbody.Fields(body, members...)
		if f != nil {
			u.facts.from(f)
		}
		u.facts.texts(body)
		if f != nil && reads {
			u.ad.usage(u, f)
		}
		return
	}
	if !reads {
		return
	}
	// Only the few members that matter are decoded: answers can be long.
	if f := jsonbody.Fields(body, u.ad.usageMembers...); f != nil {
		u.ad.usage(u, f)
	}
}

// readModel takes the model an answer names (a JSON string).
func (u *usage) readModel(raw []byte) {
	var m string
	if json.Unmarshal(raw, &m) == nil && m != "" {
		u.model = m
	}
}

// chatUsage is the usage an OpenAI chat completion reports.
func chatUsage(body []byte) translate.Usage {
	u := &usage{ad: openAIAdapter}
	u.read(body)
	return translate.Usage{In: u.in, Out: u.out, Model: u.model, Seen: u.seen}
}

// from takes a translation's usage.
func (u *usage) from(t translate.Usage) {
	if t.Seen {
		u.in, u.out, u.model, u.seen = t.In, t.Out, t.Model, true
	}
}

// withStreamUsage asks an OpenAI-format provider to end a stream with its
// usage, which it sends only when asked (the call has checked that the
// client did not ask; the chunk is then kept from it).
func withStreamUsage(body []byte) []byte {
	if raw, ok := jsonbody.Find(body, "stream_options"); ok {
		so, err := wire.DecodeObject(raw)
		if err != nil {
			return body
		}
		so["include_usage"] = true
		b, _ := wire.Encode(so)
		return jsonbody.Set(body, "stream_options", b)
	}
	return jsonbody.Set(body, "stream_options", []byte(`{"include_usage":true}`))
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
