package sse

import (
	"bytes"
	"errors"
	"fmt"
	"io"
)

// ErrEventTooLarge is what a Bounded reader returns once an event grows
// past its bound.
var ErrEventTooLarge = errors.New("event too large")

// Bounded returns r, failing with ErrEventTooLarge once one event (every
// byte since the last blank line: its fields and their line ends) exceeds
// max bytes. Every reader of a stream holds an event whole until its blank
// line (Decoder), so this bounds what each of them holds, whatever a peer
// sends; the bytes before the error are returned as read.
func Bounded(r io.Reader, max int) io.Reader {
	return &bounded{r: r, max: max}
}

type bounded struct {
	r     io.Reader
	max   int
	event int  // bytes of the current event
	line  int  // bytes of the current line, its end excluded
	cr    bool // the last byte was a CR (a LF after it ends no line)
	err   error
}

func (b *bounded) Read(p []byte) (int, error) {
	if b.err != nil {
		return 0, b.err
	}
	n, err := b.r.Read(p)
	for q := p[:n]; len(q) > 0; {
		i := bytes.IndexAny(q, "\r\n")
		if i < 0 {
			i = len(q)
		}
		if i > 0 { // line content
			b.line += i
			b.event += i
			b.cr = false
		}
		if i < len(q) {
			switch c := q[i]; {
			case c == '\n' && b.cr: // the LF of a CRLF
				b.cr = false
				if b.event > 0 { // not a blank line's
					b.event++
				}
			case b.line == 0: // a blank line ends the event
				b.cr = c == '\r'
				b.event = 0
			default:
				b.cr = c == '\r'
				b.line = 0
				b.event++
			}
			i++
		}
		q = q[i:]
		if b.event > b.max {
			b.err = fmt.Errorf("%w: over %d bytes", ErrEventTooLarge, b.max)
			return n, b.err
		}
	}
	return n, err
}
