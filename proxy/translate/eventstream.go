package translate

import (
	"encoding/binary"
	"hash/crc32"

	"github.com/kubelb-ai/kubelb-ai/proxy/sse"
)

// frames splits AWS's binary event stream (application/vnd.amazon.eventstream,
// Bedrock's ConverseStream) into events, wherever the reads fall: each
// frame is a prelude (total length, headers length, CRC), headers, a
// payload and a CRC. An event's Name is its :event-type header (or
// :exception-type for an exception), its Data the payload.
type frames struct {
	buf []byte
	bad bool
}

// EventStream returns a splitter of AWS's binary event stream into events,
// for a reader of a Bedrock stream other than its translation (the span's
// facts): its Name and Data as the translation sees them.
func EventStream() func(p []byte) []sse.Event {
	return (&frames{}).feed
}

// maxFrame is the event stream's largest message (16 MiB, AWS's own
// limit): a prelude claiming more is refused like a bad checksum, before
// anything is buffered for it.
const maxFrame = 16 << 20

// feed adds p and returns the events it completes; a frame that fails its
// checksums ends the stream (bad).
func (f *frames) feed(p []byte) []sse.Event {
	if f.bad {
		return nil // the stream has ended: nothing more is kept
	}
	f.buf = append(f.buf, p...)
	var out []sse.Event
	for !f.bad && len(f.buf) >= 12 {
		total := int(binary.BigEndian.Uint32(f.buf[0:4]))
		headersLen := int(binary.BigEndian.Uint32(f.buf[4:8]))
		if total < 16 || total > maxFrame || headersLen > total-16 || crc32.ChecksumIEEE(f.buf[0:8]) != binary.BigEndian.Uint32(f.buf[8:12]) {
			f.bad = true
			break
		}
		if len(f.buf) < total {
			break
		}
		frame := f.buf[:total]
		if crc32.ChecksumIEEE(frame[:total-4]) != binary.BigEndian.Uint32(frame[total-4:]) {
			f.bad = true
			break
		}
		headers := parseHeaders(frame[12 : 12+headersLen])
		name := headers[":event-type"]
		if headers[":message-type"] == "exception" || headers[":message-type"] == "error" {
			name = "exception:" + headers[":exception-type"] + headers[":error-code"]
		}
		out = append(out, sse.Event{Name: name, Data: append([]byte(nil), frame[12+headersLen:total-4]...)})
		f.buf = f.buf[total:]
	}
	return out
}

// parseHeaders reads an event's headers; only string values are kept
// (the ones Bedrock sends), the others are skipped by their sizes.
func parseHeaders(b []byte) map[string]string {
	out := map[string]string{}
	for len(b) > 0 {
		n := int(b[0])
		if len(b) < 2+n {
			return out
		}
		name := string(b[1 : 1+n])
		typ := b[1+n]
		b = b[2+n:]
		size := map[byte]int{0: 0, 1: 0, 2: 1, 3: 2, 4: 4, 5: 8, 8: 8, 9: 16}
		switch typ {
		case 6, 7: // bytes, string: a 2-byte length
			if len(b) < 2 {
				return out
			}
			l := int(binary.BigEndian.Uint16(b))
			if len(b) < 2+l {
				return out
			}
			if typ == 7 {
				out[name] = string(b[2 : 2+l])
			}
			b = b[2+l:]
		default:
			s, ok := size[typ]
			if !ok || len(b) < s {
				return out
			}
			b = b[s:]
		}
	}
	return out
}
