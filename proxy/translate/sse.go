package translate

import (
	"bytes"
	"encoding/json"
)

// event is one server-sent event.
type event struct {
	name string
	data []byte
}

// decoder splits a byte stream into server-sent events, wherever the reads
// fall: a line or an event may arrive in any number of pieces.
type decoder struct {
	buf  []byte
	name string
	data []byte
	has  bool
}

// feed adds p and returns the events it completes.
func (d *decoder) feed(p []byte) []event {
	d.buf = append(d.buf, p...)
	var out []event
	for {
		i := bytes.IndexAny(d.buf, "\r\n")
		if i < 0 {
			return out
		}
		// A CR at the very end may be the first half of CRLF: wait.
		if d.buf[i] == '\r' && i == len(d.buf)-1 {
			return out
		}
		line := d.buf[:i]
		next := i + 1
		if d.buf[i] == '\r' && d.buf[i+1] == '\n' {
			next++
		}
		if ev, ok := d.line(line); ok {
			out = append(out, ev)
		}
		d.buf = d.buf[next:]
	}
}

// line takes one line; an empty one ends the event.
func (d *decoder) line(line []byte) (event, bool) {
	if len(line) == 0 {
		if !d.has {
			d.name = ""
			return event{}, false
		}
		ev := event{name: d.name, data: d.data}
		d.name, d.data, d.has = "", nil, false
		return ev, true
	}
	if line[0] == ':' {
		return event{}, false // a comment
	}
	field, value, _ := bytes.Cut(line, []byte(":"))
	value = bytes.TrimPrefix(value, []byte(" "))
	switch string(field) {
	case "event":
		d.name = string(value)
	case "data":
		if d.has {
			d.data = append(d.data, '\n')
		}
		d.data = append(d.data, value...)
		d.has = true
	}
	return event{}, false
}

// Stream converts one provider's event stream into OpenAI chunk events
// (`data: {...}`), ending with `data: [DONE]`.
type Stream struct {
	dec     decoder
	convert func(ev event) []any
	done    bool
	// finish is the last chunk(s), emitted when the provider's stream ends
	// cleanly without a terminator of its own (Gemini).
	finish func() []any
}

// Feed takes bytes from the provider and returns the bytes to send on.
func (s *Stream) Feed(p []byte) []byte {
	var out []byte
	for _, ev := range s.dec.feed(p) {
		out = s.emit(out, s.convert(ev))
	}
	return out
}

// End is called when the provider's stream ended cleanly; it returns what
// is still to send, the end of the stream included.
func (s *Stream) End() []byte {
	var out []byte
	for _, ev := range s.dec.feed([]byte("\n\n")) { // an event without its blank line
		out = s.emit(out, s.convert(ev))
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
