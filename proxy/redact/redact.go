// Package redact removes secrets (the provider keys serve injects into
// upstream requests) from what goes back to the client: response headers,
// whole bodies, and streamed bodies cut into pieces anywhere.
//
// # What it finds
//
// For each secret of at least MinEncoded bytes, every occurrence of:
//
//   - the secret itself;
//   - the secret with any of its characters escaped as a JSON string
//     encoder may write them: the short escapes (\/ \" \\ \b \f \n \r \t),
//     \uXXXX with upper- or lower-case hex for any character (surrogate
//     pairs for characters beyond the BMP), so the output of Go's
//     encoding/json (\u003c), of HTML-safe encoders that escape + as
//     \u002B, of PHP's \/ and of ASCII-only encoders is all recognised;
//   - the secret with any of its bytes percent-encoded (%2F or %2f);
//   - base64 of the secret, standard or URL alphabet, padded or not, alone
//     or at any byte offset inside a longer base64 string: "Bearer <key>",
//     "user:<key>" basic auth, a JSON document that holds the key. For each
//     of the three offsets modulo 3 the run of digits that depend on the
//     secret alone is sought, with the digit after it, which mixes the
//     secret's last bits with what follows; these digits may themselves be
//     JSON-escaped or percent-encoded. The digit before the run, which
//     mixes 2 or 4 bits of the secret's first byte with what precedes, is
//     left as it is: in real keys those bits belong to a public prefix
//     (sk-, AIza), and leaving that digit out of the form lets a secret
//     right after another in the same base64 string be found too.
//
// A text form is replaced by Marker. A base64 form is replaced, digit for
// digit, by the base64 of '*'s, keeping in the last digit the bits of the
// bytes that follow: the string keeps its length and its 4-digit groups, so
// it still decodes, and decodes to the original text with the secret turned
// into stars, but for its first byte, altered ("user:j*******"). These
// digits are all letters or digits, valid in both alphabets and needing no
// escape in JSON, URLs or headers. Marker would have made the whole string
// undecodable, so a client that shows the decoded value would show
// nothing.
//
// A secret shorter than MinEncoded bytes is replaced only where it appears
// verbatim. Its encoded forms are not sought: the base64 digits that
// depend on so few bytes alone number a handful, and would turn up by
// chance in the megabytes of base64 images, audio and embeddings that
// responses carry, corrupting them; real provider keys are far longer.
//
// Matches are taken from left to right, the longest where several start
// at the same byte, and do not overlap.
//
// # Streams
//
// A Stream gives, piece by piece, exactly what Bytes gives for the whole
// body, however the body is cut. It holds back only a suffix of what it has
// seen that may be the beginning of a form still to be completed, so
// ordinary text passes at once, and so does a complete server-sent event,
// which ends in "\n\n" (no form contains a line feed). What it holds back
// is shorter than the longest form of a secret, six bytes per byte of the
// secret when every character is written \uXXXX (twelve bytes more for a
// secret that holds a '\' or '%', which may be read as itself or begin an
// escape).
//
// # What it does not find
//
//   - A secret split between pieces that are encoded separately: two
//     JSON strings, two server-sent events carrying half each, a base64
//     string broken into lines. This is acceptable for what serve guards
//     against. The key goes upstream in a header; the model never sees it,
//     so it cannot appear in generated text, streamed token by token. What
//     echoes a key back is the provider's own error body ("Incorrect API
//     key provided: sk-...") or a header, each written in one piece.
//   - Other encodings, or two layered: hex, HTML entities, quoted-printable,
//     a percent sign written \u0025, base64 of base64, a secret with its
//     case changed, a truncated or partly masked key (which providers
//     print on purpose).
//   - Compressed bodies: a gzip body must be decoded first, or requested
//     uncompressed.
//   - The rest of an occurrence that overlaps one already replaced: with
//     the secrets "abcdef12" and "ef12gh34", "abcdef12gh34" keeps "gh34".
//     Keys drawn at random do not overlap.
package redact

import (
	"bytes"
	"net/http"
	"slices"
	"strings"
	"unicode/utf8"
	"unsafe"
)

// Marker replaces a secret, or a header value that is a credential.
const Marker = "[REDACTED]"

// MinEncoded is the length, in bytes, from which a secret is sought in
// its encoded forms too, not only verbatim.
const MinEncoded = 8

// Redactor finds a fixed set of secrets. It is immutable and safe for
// concurrent use. A nil *Redactor, or one with no secrets, changes nothing
// and costs a nil check.
type Redactor struct {
	secrets []string
	targets []target
	anchors []anchor
	// escapes: some target is sought with escapes, so every '\' and '%'
	// in a body is a candidate.
	escapes bool
	// escCands[escIdx[c]:escIdx[c+1]] are the (target, position) pairs
	// whose position accepts the byte c; an escape decoding to c may stand
	// there.
	escIdx   [257]int32
	escCands []cand
	// escaped holds the bytes some position of a target sought with
	// escapes accepts; escapedHigh is whether one of them is beyond ASCII.
	escaped     byteSet
	escapedHigh bool
	// escNext holds the bytes after a '\' that may start such an escape:
	// 'u', and the short escapes of those bytes ('/' if a secret or its
	// base64 has one), not the \n and \" that bodies are full of.
	escNext byteSet
	// starts holds the bytes a form can start with; formBytes the bytes a
	// form can contain at all. They bound the search for a form cut off at
	// the end of a stream's piece.
	starts, formBytes byteSet
	// minLen is the length of the shortest form; a stream holds back
	// less than maxLen.
	minLen, maxLen int
}

// cand is position k of target t.
type cand struct{ t, k int32 }

// anchor is a run of literal bytes found in target t at offset k for
// each cand of at: a form with no escape contains it verbatim.
type anchor struct {
	s  []byte
	at []cand
}

// New builds a redactor for secrets; empty strings and repeats are
// ignored.
func New(secrets ...string) *Redactor {
	r := &Redactor{}
	for _, s := range secrets {
		if s == "" || slices.Contains(r.secrets, s) {
			continue
		}
		r.secrets = append(r.secrets, s)
		b := []byte(s)
		if len(b) < MinEncoded {
			r.targets = append(r.targets, target{b: b, anchorAt: anchorWindow(b, 0, len(b), nil)})
			continue
		}
		r.targets = append(r.targets, target{b: b, escapes: true, literalToo: hasEscapeByte(b), anchorAt: anchorWindow(b, 0, len(b), nil)})
		r.targets = append(r.targets, base64Targets(b)...)
	}
	if len(r.targets) == 0 {
		return r
	}
	r.minLen = len(r.targets[0].b)
	var byByte [256][]cand
	for ti := range r.targets {
		t := &r.targets[ti]
		n := len(t.b)
		r.minLen = min(r.minLen, n)
		if t.escapes {
			r.escapes = true
			r.maxLen = max(r.maxLen, 6*n)
			if t.literalToo {
				// A '\' or '%' read literally while an escape it may
				// start is undecided: up to 12 bytes past the form.
				r.maxLen = max(r.maxLen, 6*n+12)
			}
		} else {
			r.maxLen = max(r.maxLen, n)
		}
		for m := range n {
			for c := range 256 {
				if !t.accepts(m, byte(c)) {
					continue
				}
				r.formBytes.add(byte(c))
				if m == 0 {
					r.starts.add(byte(c))
				}
				if t.escapes {
					r.escaped.add(byte(c))
					r.escapedHigh = r.escapedHigh || c >= utf8.RuneSelf
					byByte[c] = append(byByte[c], cand{int32(ti), int32(m)})
				}
			}
		}
		lo, hi := t.anchorAt[0], t.anchorAt[1]
		s := t.b[lo:hi]
		i := slices.IndexFunc(r.anchors, func(a anchor) bool { return bytes.Equal(a.s, s) })
		if i < 0 {
			r.anchors = append(r.anchors, anchor{s: s})
			i = len(r.anchors) - 1
		}
		r.anchors[i].at = append(r.anchors[i].at, cand{int32(ti), int32(lo)})
	}
	if r.escapes {
		for _, c := range `\%u0123456789abcdefABCDEF"/bfnrt` {
			r.formBytes.add(byte(c))
		}
		r.starts.add('\\')
		r.starts.add('%')
		r.escNext.add('u')
		for c, v := range jsonShort {
			if v != 0 && r.escaped.has(v) {
				r.escNext.add(byte(c))
			}
		}
	}
	for c := range 256 {
		r.escIdx[c] = int32(len(r.escCands))
		r.escCands = append(r.escCands, byByte[c]...)
	}
	r.escIdx[256] = int32(len(r.escCands))
	return r
}

func (r *Redactor) off() bool { return r == nil || len(r.targets) == 0 }

// Bytes returns b with every secret replaced: b itself, not a copy, when
// there is none; otherwise a new slice (b is left as it was).
func (r *Redactor) Bytes(b []byte) []byte {
	if r.off() || len(b) < r.minLen {
		return b
	}
	ms, _ := r.scan(b, true, nil)
	if len(ms) == 0 {
		return b
	}
	return r.build(make([]byte, 0, len(b)+len(Marker)*len(ms)), b, ms)
}

// String is Bytes for a string; s itself when there is no secret in it.
func (r *Redactor) String(s string) string {
	if r.off() || len(s) < r.minLen {
		return s
	}
	// Read s in place: scan only reads, and s is returned as is when
	// nothing matched, so the common case allocates nothing.
	b := unsafe.Slice(unsafe.StringData(s), len(s))
	ms, _ := r.scan(b, true, nil)
	if len(ms) == 0 {
		return s
	}
	return string(r.build(make([]byte, 0, len(s)+len(Marker)*len(ms)), b, ms))
}

// Header redacts every value of h in place; no header is removed. A value
// that is a secret, or "Bearer " and a secret, becomes Marker as a whole.
func (r *Redactor) Header(h http.Header) {
	if r.off() {
		return
	}
	for _, vs := range h {
		for i, v := range vs {
			if r.credential(v) {
				vs[i] = Marker
			} else {
				vs[i] = r.String(v)
			}
		}
	}
}

func (r *Redactor) credential(v string) bool {
	const bearer = "Bearer "
	for _, s := range r.secrets {
		if v == s || len(v) == len(bearer)+len(s) && strings.EqualFold(v[:len(bearer)], bearer) && v[len(bearer):] == s {
			return true
		}
	}
	return false
}

// Stream redacts one response body given in pieces. It is not safe for
// concurrent use. A nil *Stream passes everything through.
type Stream struct {
	r *Redactor
	// held is the end of the body seen so far that may begin a form.
	held     []byte
	buf, out []byte
	ms       []match
}

// Stream returns a Stream for one body; nil (which passes everything
// through) when r has no secrets.
func (r *Redactor) Stream() *Stream {
	if r.off() {
		return nil
	}
	return &Stream{r: r}
}

// Feed takes the next piece of the body and returns what can be sent now:
// everything but a suffix that may be the start of a secret's form. The
// result is p itself, or part of it, when nothing was held back before and
// nothing matched; otherwise it is in a buffer of s. Either way it is valid
// until the next call to Feed or End.
func (s *Stream) Feed(p []byte) []byte {
	if s == nil {
		return p
	}
	d := p
	if len(s.held) > 0 {
		s.buf = append(append(s.buf[:0], s.held...), p...)
		d = s.buf
	}
	ms, hold := s.r.scan(d, false, s.ms[:0])
	s.ms = ms[:0]
	s.held = append(s.held[:0], d[hold:]...)
	if len(ms) == 0 {
		return d[:hold]
	}
	s.out = s.r.build(s.out[:0], d[:hold], ms)
	return s.out
}

// End returns the rest of the body after the last piece: what was held
// back, redacted. The result is valid until the next call to Feed or End.
func (s *Stream) End() []byte {
	if s == nil || len(s.held) == 0 {
		return nil
	}
	d := s.held
	s.held = s.held[:0]
	ms, _ := s.r.scan(d, true, s.ms[:0])
	s.ms = ms[:0]
	if len(ms) == 0 {
		return d
	}
	s.out = s.r.build(s.out[:0], d, ms)
	return s.out
}

// match is a form of target t at d[start:end].
type match struct{ start, end, t int }

// scan returns, in order, the matches to replace in d and the offset from
// which d must be held back because a form may start there and end in
// bytes not yet seen (len(d) when final: d is all there is).
//
// Which forms start where is decided as for the whole body: a position
// where a form may still be completing is never passed, and every other
// position's outcome (no form, or a form that ends within d and no longer
// one possible) no more bytes can change.
func (r *Redactor) scan(d []byte, final bool, ms []match) ([]match, int) {
	ms = r.collect(d, final, ms)
	if len(ms) > 1 {
		slices.SortFunc(ms, func(a, b match) int {
			if a.start != b.start {
				return a.start - b.start
			}
			return b.end - a.end
		})
	}
	// A form cut off at the end of d starts at or after ws.
	ws := len(d)
	if !final {
		ws = r.tail(d)
	}
	keep, pos := ms[:0], 0
	for _, m := range ms {
		if m.start < pos {
			continue
		}
		if m.start >= ws {
			if p := r.cutOff(d, max(pos, ws), m.start); p >= 0 {
				return keep, p
			}
		}
		keep = append(keep, m)
		pos = m.end
	}
	if !final {
		if p := r.cutOff(d, max(pos, ws), len(d)-1); p >= 0 {
			return keep, p
		}
	}
	return keep, len(d)
}

// collect appends every complete form in d to ms.
//
// Candidates come from two searches. A form written without escapes
// contains its target's anchor, found with bytes.Index. A form with an
// escape has a first one, at some '\' or '%', before which it is literal:
// where the escape decodes to a byte that position k of a target accepts,
// the form would start k bytes earlier. Either way matchAt decides.
//
// Why not Aho-Corasick: a redactor holds a few short patterns (one anchor
// per secret and per base64 offset), and bytes.Index looks for the first
// byte of each, chosen rare, with the vector IndexByte, tens of
// nanoseconds per 2 KB; an automaton steps byte by byte through the body,
// which costs microseconds, and the escapes would still need their own
// pass.
func (r *Redactor) collect(d []byte, final bool, ms []match) []match {
	for ai := range r.anchors {
		a := &r.anchors[ai]
		for off := 0; off < len(d); {
			i := bytes.Index(d[off:], a.s)
			if i < 0 {
				break
			}
			i += off
			for _, c := range a.at {
				if start := i - int(c.k); start >= 0 {
					if end, _ := r.targets[c.t].matchAt(d, start, final); end >= 0 {
						ms = append(ms, match{start, end, int(c.t)})
					}
				}
			}
			off = i + 1
		}
	}
	if !r.escapes {
		return ms
	}
	next := r.escNext
	for off := 0; off < len(d); {
		j := bytes.IndexByte(d[off:], '\\')
		if j < 0 {
			break
		}
		j += off
		off = j + 1
		if j+1 < len(d) && !next.has(d[j+1]) {
			continue
		}
		ms = r.fromEscape(d, j, final, ms)
	}
	for off := 0; off < len(d); {
		j := bytes.IndexByte(d[off:], '%')
		if j < 0 {
			break
		}
		j += off
		off = j + 1
		ms = r.fromEscape(d, j, final, ms)
	}
	return ms
}

// fromEscape appends the forms whose first escape is at d[j].
func (r *Redactor) fromEscape(d []byte, j int, final bool, ms []match) []match {
	if !r.worthReading(d[j:]) {
		return ms
	}
	u, kind := readUnit(d[j:], final)
	if kind != unitEscape {
		return ms
	}
	c := u.b[0]
	for _, cd := range r.escCands[r.escIdx[c]:r.escIdx[int(c)+1]] {
		if start := j - int(cd.k); start >= 0 {
			if end, _ := r.targets[cd.t].matchAt(d, start, final); end >= 0 {
				ms = append(ms, match{start, end, int(cd.t)})
			}
		}
	}
	return ms
}

// worthReading is a cheap first look at what may be an escape at d[0]:
// false when it is none, or decodes to a byte no target has, as do the
// \n, \" and %20 that bodies are full of.
func (r *Redactor) worthReading(d []byte) bool {
	if len(d) < 3 {
		return true
	}
	if d[0] == '%' {
		h, l := unhex(d[1]), unhex(d[2])
		return h >= 0 && l >= 0 && r.escaped.has(byte(h<<4|l))
	}
	if d[1] != 'u' {
		v := jsonShort[d[1]]
		return v != 0 && r.escaped.has(v)
	}
	if len(d) < 6 {
		return true
	}
	v := 0
	for _, c := range d[2:6] {
		h := unhex(c)
		if h < 0 {
			return false
		}
		v = v<<4 | h
	}
	if v < utf8.RuneSelf {
		return r.escaped.has(byte(v))
	}
	// Beyond ASCII, or half a surrogate pair: bytes from 0x80 on, if an
	// escape at all.
	return r.escapedHigh
}

// tail returns where a form cut off by the end of d can start at the
// earliest: no further back than the longest form, nor than a byte no form
// contains.
func (r *Redactor) tail(d []byte) int {
	lo := max(0, len(d)-r.maxLen+1)
	i := len(d)
	for i > lo && r.formBytes.has(d[i-1]) {
		i--
	}
	return i
}

// cutOff returns the first position in [from, to] where a form may start
// and end past d, or -1.
func (r *Redactor) cutOff(d []byte, from, to int) int {
	for p := from; p <= to && p < len(d); p++ {
		if !r.starts.has(d[p]) {
			continue
		}
		for ti := range r.targets {
			if _, more := r.targets[ti].matchAt(d, p, false); more {
				return p
			}
		}
	}
	return -1
}

// build appends d to dst with the matches replaced.
func (r *Redactor) build(dst, d []byte, ms []match) []byte {
	last := 0
	for _, m := range ms {
		dst = append(dst, d[last:m.start]...)
		t := &r.targets[m.t]
		if t.b64 == nil {
			dst = append(dst, Marker...)
		} else {
			dst = t.b64.replace(dst, d, m.start, m.end)
		}
		last = m.end
	}
	return append(dst, d[last:]...)
}
