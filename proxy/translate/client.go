package translate

import (
	"bytes"
	"fmt"
	"slices"
	"strings"

	strictjson "github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"

	"github.com/kubelb-ai/kubelb-ai/proxy/sse"
)

// Client converts between a client's API and OpenAI's chat completions,
// the pivot every provider Translator speaks: a Responses client or an
// Anthropic Messages client reaches any provider as client → chat →
// provider, and the answer comes back the same way. (A provider that
// speaks the client's API natively gets the request untranslated.)
type Client interface {
	// Request turns the client's request into an OpenAI chat completion
	// request. stream and include_usage are set as the client asked;
	// an unknown or untranslatable field is an error naming it (never
	// dropped silently).
	Request(body []byte) ([]byte, error)
	// Response turns an OpenAI chat completion answer, a success or an
	// error ({"error":{...}}) with its status, into the client's shape.
	Response(status int, body []byte) []byte
	// Stream converts a chat completion chunk stream (data: {...} events
	// ending with data: [DONE]) into the client's event stream; model
	// names the model when the chunks do not.
	Stream(model string) *ClientStream
	// Fields accounts for every member of the client's request.
	Fields() FieldTable
}

// ClientStream converts OpenAI chat completion chunks into a client API's
// events, from pieces cut anywhere.
type ClientStream struct {
	dec sse.Decoder
	// convert turns one chunk (the data of one event) into the client's
	// events; it is never called with [DONE].
	convert func(chunk []byte) []sse.Event
	// finish returns the client's closing events, once: at [DONE], or at
	// End if the chunks stopped without it.
	finish func() []sse.Event
	done   bool
}

// NewClientStream is a ClientStream of a client API's conversion.
func NewClientStream(convert func(chunk []byte) []sse.Event, finish func() []sse.Event) *ClientStream {
	return &ClientStream{convert: convert, finish: finish}
}

// Feed takes chunk bytes and returns the client's bytes to send on.
func (s *ClientStream) Feed(p []byte) []byte {
	return s.events(nil, s.dec.Feed(p))
}

// End is called when the chunks ended; it returns what is still to send,
// the client's closing events included.
func (s *ClientStream) End() []byte {
	out := s.events(nil, s.dec.End())
	if !s.done {
		out = s.close(out)
	}
	return out
}

// Done reports whether the client's stream has been closed.
func (s *ClientStream) Done() bool { return s.done }

func (s *ClientStream) events(out []byte, evs []sse.Event) []byte {
	for _, ev := range evs {
		if s.done {
			break
		}
		if bytes.Equal(bytes.TrimSpace(ev.Data), []byte("[DONE]")) {
			out = s.close(out)
			continue
		}
		for _, e := range s.convert(ev.Data) {
			out = sse.Append(out, e)
		}
	}
	return out
}

func (s *ClientStream) close(out []byte) []byte {
	s.done = true
	if s.finish != nil {
		for _, e := range s.finish() {
			out = sse.Append(out, e)
		}
	}
	return out
}

// FieldTable is a translation's account of every top-level member of the
// request it takes: what becomes of it on the way to the provider, e.g.
// "stop" → "stop_sequences", or "refused: Anthropic has no logprobs". A
// member with no entry is refused with an error naming it; docs/serve.md
// renders the tables, and a test holds them against the published schemas
// (../shared/specs), so no member is ever dropped silently.
type FieldTable map[string]string

// members decodes a client request's top-level members, strictly, and
// refuses those the table lacks, all named: an unknown member is never
// passed over. kind names the request ("an OpenAI Responses request"),
// api what the table covers ("OpenAI's Responses API").
func (t FieldTable) members(body []byte, kind, api string) (map[string]jsontext.Value, error) {
	var members map[string]jsontext.Value
	if err := strictjson.Unmarshal(body, &members); err != nil {
		return nil, fmt.Errorf("the request is not %s: %w", kind, err)
	}
	var unknown []string
	for name := range members {
		if _, ok := t[name]; !ok {
			unknown = append(unknown, name)
		}
	}
	if len(unknown) > 0 {
		slices.Sort(unknown)
		return nil, fmt.Errorf("unknown member(s) %s: not part of %s", strings.Join(unknown, ", "), api)
	}
	return members, nil
}
