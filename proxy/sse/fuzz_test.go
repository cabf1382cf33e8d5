package sse

import (
	"bytes"
	"errors"
	"io"
	"reflect"
	"testing"
)

// The decoder finds the same events however the stream is cut, and
// Bounded fails exactly when one event (its lines and their ends, the
// blank line that ends it excluded) is larger than its bound.
func FuzzDecoder(f *testing.F) {
	f.Add([]byte("event: a\ndata: 1\r\ndata: 2\r\n\r\n: c\rdata: 3\n\n"), uint8(3), uint8(12))
	f.Add([]byte("data: x\r\r\ndata: y\r\n\n"), uint8(1), uint8(9))
	f.Add([]byte("\r\n\r\ndata: "+string(bytes.Repeat([]byte("z"), 40))), uint8(5), uint8(40))
	f.Fuzz(func(t *testing.T, in []byte, chunk, max uint8) {
		n := int(chunk)%17 + 1
		var whole, cut Decoder
		want := append(whole.Feed(in), whole.End()...)
		var got []Event
		for rest := in; len(rest) > 0; {
			k := min(n, len(rest))
			got = append(got, cut.Feed(rest[:k])...)
			rest = rest[k:]
		}
		got = append(got, cut.End()...)
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("cut in %d-byte pieces: %q, whole: %q", n, got, want)
		}

		bound := int(max)
		_, err := io.ReadAll(Bounded(&pieces{data: in, n: n}, bound))
		if over := largestEvent(in) > bound; over != errors.Is(err, ErrEventTooLarge) {
			t.Fatalf("largest event %d, bound %d: err %v", largestEvent(in), bound, err)
		}
	})
}

// largestEvent is the size of in's largest event: its lines with their
// ends (CRLF, CR or LF), up to the blank line that ends it.
func largestEvent(in []byte) int {
	largest, event := 0, 0
	for len(in) > 0 {
		i := bytes.IndexAny(in, "\r\n")
		if i < 0 {
			event += len(in) // a last line without its end
			break
		}
		end := 1
		if in[i] == '\r' && i+1 < len(in) && in[i+1] == '\n' {
			end = 2
		}
		if i == 0 {
			event = 0 // a blank line
		} else {
			event += i + end
		}
		largest = max(largest, event)
		in = in[i+end:]
	}
	return max(largest, event)
}
