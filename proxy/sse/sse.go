// Package sse reads and writes server-sent events as LLM providers stream
// them, from pieces cut anywhere.
package sse

import "bytes"

// Event is one server-sent event.
type Event struct {
	Name string
	Data []byte
}

// Decoder splits a byte stream into events, wherever the reads fall: a
// line or an event may arrive in any number of pieces. Lines end with LF,
// CRLF or CR.
type Decoder struct {
	buf  []byte
	name string
	data []byte
	has  bool
	// scanned is how much of buf is known to hold no line end, so that a
	// long line arriving in many pieces is searched once, not once per
	// piece.
	scanned int
}

// Feed adds p and returns the events it completes.
func (d *Decoder) Feed(p []byte) []Event {
	d.buf = append(d.buf, p...)
	var out []Event
	for {
		i := bytes.IndexAny(d.buf[d.scanned:], "\r\n")
		if i < 0 {
			d.scanned = len(d.buf)
			return out
		}
		i += d.scanned
		// A CR at the very end may be the first half of CRLF: wait.
		if d.buf[i] == '\r' && i == len(d.buf)-1 {
			d.scanned = i
			return out
		}
		d.scanned = 0
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

// Pending is how many bytes the decoder holds for events not yet complete;
// a reader bounds it so that a peer cannot grow one event without end.
func (d *Decoder) Pending() int { return len(d.buf) + len(d.data) }

// End returns the event a stream ended without its blank line, if any.
func (d *Decoder) End() []Event {
	return d.Feed([]byte("\n\n"))
}

// line takes one line; an empty one ends the event.
func (d *Decoder) line(line []byte) (Event, bool) {
	if len(line) == 0 {
		if !d.has {
			d.name = ""
			return Event{}, false
		}
		ev := Event{Name: d.name, Data: d.data}
		d.name, d.data, d.has = "", nil, false
		return ev, true
	}
	if line[0] == ':' {
		return Event{}, false // a comment
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
	return Event{}, false
}

// Append writes ev to out in the wire form.
func Append(out []byte, ev Event) []byte {
	if ev.Name != "" {
		out = append(out, "event: "...)
		out = append(out, ev.Name...)
		out = append(out, '\n')
	}
	for _, line := range bytes.Split(ev.Data, []byte("\n")) {
		out = append(out, "data: "...)
		out = append(out, line...)
		out = append(out, '\n')
	}
	return append(out, '\n')
}
