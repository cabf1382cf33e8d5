package translate

import (
	json "github.com/goccy/go-json"

	"github.com/kubelb-ai/kubelb-ai/proxy/sse"
)

// Stream converts one provider's event stream into OpenAI chunk events
// (`data: {...}`), ending with `data: [DONE]`.
type Stream struct {
	dec sse.Decoder
	// split, when set, replaces the SSE decoder (Bedrock's binary frames).
	split   func(p []byte) []sse.Event
	convert func(ev sse.Event) []any
	done    bool
	// finish is the last chunk(s), emitted when the provider's stream ends
	// cleanly without a terminator of its own (Gemini).
	finish func() []any
	usage  Usage
}

// Usage is the usage the stream has reported so far.
func (s *Stream) Usage() Usage { return s.usage }

// Feed takes bytes from the provider and returns the bytes to send on.
func (s *Stream) Feed(p []byte) []byte {
	var out []byte
	events := s.split
	if events == nil {
		events = s.dec.Feed
	}
	for _, ev := range events(p) {
		out = s.emit(out, s.convert(ev))
	}
	return out
}

// End is called when the provider's stream ended cleanly; it returns what
// is still to send, the end of the stream included.
func (s *Stream) End() []byte {
	var out []byte
	if s.split == nil {
		for _, ev := range s.dec.End() { // an event without its blank line
			out = s.emit(out, s.convert(ev))
		}
	}
	if s.done {
		return out
	}
	if s.finish != nil {
		out = s.emit(out, s.finish())
	}
	if !s.done {
		out = s.emit(out, []any{doneMarker{}})
	}
	return out
}

// Done reports whether the stream has ended (by the provider's own
// terminator or by End): nothing more is sent.
func (s *Stream) Done() bool { return s.done }

// doneMarker, among a convert function's chunks, ends the stream.
type doneMarker struct{}

func (s *Stream) emit(out []byte, chunks []any) []byte {
	for _, c := range chunks {
		if s.done {
			return out
		}
		if _, ok := c.(doneMarker); ok {
			s.done = true
			out = append(out, "data: [DONE]\n\n"...)
			continue
		}
		b, _ := json.Marshal(c)
		out = append(out, "data: "...)
		out = append(out, b...)
		out = append(out, "\n\n"...)
	}
	return out
}
