package redact

import (
	"math"
	"strings"
	"unicode/utf8"
)

// target is one byte string sought in a body: a secret, or the base64
// digits of a secret at one offset. Position m of a form decodes to t.b[m],
// or, for the last position when last is set, to a member of last (the
// base64 digit the secret shares with what follows).
type target struct {
	b    []byte
	last *byteSet
	// escapes: its bytes may be JSON-escaped or percent-encoded; otherwise
	// it is sought verbatim only.
	escapes bool
	// literalToo: b holds a '\' or '%', which an escaped form reads as the
	// start of an escape; its verbatim form is tried as well.
	literalToo bool
	// anchorAt is the [start, end) of b searched for with bytes.Index.
	anchorAt [2]int
	// b64 rewrites a base64 form; nil: Marker replaces the form.
	b64 *b64fill
}

func (t *target) set(m int) *byteSet {
	if m == len(t.b)-1 {
		return t.last
	}
	return nil
}

func (t *target) accepts(m int, c byte) bool {
	if s := t.set(m); s != nil {
		return s.has(c)
	}
	return t.b[m] == c
}

// matchAt returns the end of t's form starting at d[i] (-1 if there is
// none that d already completes) and, unless final, whether d ends inside
// what may still become a form of t (or a longer one). With final, d is the
// whole text and nothing is pending.
func (t *target) matchAt(d []byte, i int, final bool) (end int, more bool) {
	end = -1
	if !t.escapes || t.literalToo {
		end, more = t.literalAt(d, i, final)
		if !t.escapes {
			return end, more
		}
	}
	e, m := t.decodedAt(d, i, final)
	return max(end, e), more || m
}

func (t *target) literalAt(d []byte, i int, final bool) (int, bool) {
	n := len(t.b)
	rest := d[i:]
	k := min(n, len(rest))
	if t.last == nil {
		if string(rest[:k]) != string(t.b[:k]) {
			return -1, false
		}
	} else {
		for m := range k {
			if !t.accepts(m, rest[m]) {
				return -1, false
			}
		}
	}
	if k == n {
		return i + n, false
	}
	return -1, !final
}

// decodedAt reads d from i one unit at a time, a byte or an escape, and
// compares what it decodes to with t.
func (t *target) decodedAt(d []byte, i int, final bool) (int, bool) {
	n := len(t.b)
	j := i
	// undecided: a '\' or '%' was read as itself, but more bytes could
	// make it an escape (only when !final).
	undecided := false
	for m := 0; m < n; {
		if j >= len(d) {
			return -1, !final
		}
		c := d[j]
		if c == '\\' || c == '%' {
			u, kind := readUnit(d[j:], final)
			switch kind {
			case unitEscape:
				if m+u.n > n {
					return -1, false
				}
				for k := range u.n {
					if !t.accepts(m+k, u.b[k]) {
						return -1, false
					}
				}
				j += u.len
				m += u.n
				continue
			case unitMore:
				if t.escapeCould(d[j:], m) {
					return -1, true
				}
				undecided = true
			}
		}
		if !t.accepts(m, c) {
			return -1, false
		}
		j++
		m++
	}
	if undecided {
		return -1, true
	}
	return j, false
}

// escapeCould reports whether have, the start of an escape cut off by the
// end of the text, may complete into one that decodes to what t has at m.
func (t *target) escapeCould(have []byte, m int) bool {
	if len(have) == 1 || len(have) == 2 && have[0] == '\\' {
		return true // "%", "\" or "\u": anything may follow
	}
	set := t.set(m)
	var buf [12]byte
	if set == nil {
		c := t.b[m]
		if have[0] == '%' {
			return lowerHex(have[1]) == hexDigits[c>>4]
		}
		cp := rune(c)
		if c >= utf8.RuneSelf {
			var size int
			if cp, size = utf8.DecodeRune(t.b[m:]); size == 1 {
				return false // not UTF-8: no \u escape stands for it
			}
		}
		return prefixFold(have, spell(&buf, cp))
	}
	for c := range 256 {
		if !set.has(byte(c)) {
			continue
		}
		if have[0] == '%' && lowerHex(have[1]) == hexDigits[c>>4] ||
			have[0] == '\\' && c < utf8.RuneSelf && prefixFold(have, spell(&buf, rune(c))) {
			return true
		}
	}
	return false
}

const hexDigits = "0123456789abcdef"

// spell writes the \u escape of cp, lower-case, a surrogate pair beyond
// the BMP.
func spell(buf *[12]byte, cp rune) []byte {
	put := func(at int, v rune) {
		buf[at], buf[at+1] = '\\', 'u'
		for k := range 4 {
			buf[at+2+k] = hexDigits[v>>(12-4*k)&15]
		}
	}
	if cp < 0x10000 {
		put(0, cp)
		return buf[:6]
	}
	cp -= 0x10000
	put(0, 0xD800+cp>>10)
	put(6, 0xDC00+cp&0x3FF)
	return buf[:12]
}

// prefixFold reports whether have begins want, hex digits in any case.
func prefixFold(have, want []byte) bool {
	if len(have) > len(want) {
		return false
	}
	for k, c := range have {
		if lowerHex(c) != want[k] {
			return false
		}
	}
	return true
}

func lowerHex(c byte) byte {
	if 'A' <= c && c <= 'F' {
		return c + 'a' - 'A'
	}
	return c
}

func unhex(c byte) int {
	switch {
	case '0' <= c && c <= '9':
		return int(c - '0')
	case 'a' <= c && c <= 'f':
		return int(c-'a') + 10
	case 'A' <= c && c <= 'F':
		return int(c-'A') + 10
	}
	return -1
}

// A unit is how the text at a '\' or '%' reads.
type unitKind uint8

const (
	unitLiteral unitKind = iota // the byte itself: no escape starts here
	unitEscape                  // an escape
	unitMore                    // the text ends before it can tell (not final)
)

type unit struct {
	b   [4]byte // what the escape decodes to: b[:n]
	n   int
	len int // its length in the text
}

// readUnit reads the escape d may start with: %XX, or a JSON escape (a
// \u escape of a surrogate half is one only as a pair). Anything else is
// the byte itself.
func readUnit(d []byte, final bool) (unit, unitKind) {
	var u unit
	short := unitMore
	if final {
		short = unitLiteral
	}
	if d[0] == '%' {
		for k := 1; k < 3; k++ {
			if k >= len(d) {
				return u, short
			}
			if unhex(d[k]) < 0 {
				return u, unitLiteral
			}
		}
		u.b[0], u.n, u.len = byte(unhex(d[1])<<4|unhex(d[2])), 1, 3
		return u, unitEscape
	}
	if len(d) < 2 {
		return u, short
	}
	if v := jsonShort[d[1]]; v != 0 {
		u.b[0], u.n, u.len = v, 1, 2
		return u, unitEscape
	}
	if d[1] != 'u' {
		return u, unitLiteral
	}
	cp, kind := hex4(d[2:], short)
	if kind != unitEscape {
		return u, kind
	}
	u.len = 6
	switch {
	case 0xDC00 <= cp && cp < 0xE000:
		return u, unitLiteral
	case 0xD800 <= cp && cp < 0xDC00:
		low := d[6:]
		switch {
		case len(low) == 0:
			return u, short
		case low[0] != '\\':
			return u, unitLiteral
		case len(low) == 1:
			return u, short
		case low[1] != 'u':
			return u, unitLiteral
		}
		lo, kind := hex4(low[2:], short)
		if kind != unitEscape {
			return u, kind
		}
		if lo < 0xDC00 || lo >= 0xE000 {
			return u, unitLiteral
		}
		cp = 0x10000 + (cp-0xD800)<<10 + (lo - 0xDC00)
		u.len = 12
	}
	u.n = utf8.EncodeRune(u.b[:], cp)
	return u, unitEscape
}

// jsonShort maps the letter of a JSON short escape to what it stands for.
var jsonShort = [256]byte{'"': '"', '\\': '\\', '/': '/', 'b': '\b', 'f': '\f', 'n': '\n', 'r': '\r', 't': '\t'}

// hex4 reads four hex digits; short is the kind when d ends first.
func hex4(d []byte, short unitKind) (rune, unitKind) {
	var v rune
	for k := range 4 {
		if k >= len(d) {
			return 0, short
		}
		h := unhex(d[k])
		if h < 0 {
			return 0, unitLiteral
		}
		v = v<<4 | rune(h)
	}
	return v, unitEscape
}

func hasEscapeByte(b []byte) bool {
	return strings.ContainsAny(string(b), `\%`)
}

type byteSet [4]uint64

func (s *byteSet) add(c byte)      { s[c>>6] |= 1 << (c & 63) }
func (s *byteSet) has(c byte) bool { return s[c>>6]&(1<<(c&63)) != 0 }

// b64fill rewrites a base64 form of a secret into the base64 of '*'s:
// fill holds the digits' values for '*' with the next bytes' bits zero,
// lastMask the bits of the last digit that are the secret's (the others
// are kept from the text).
type b64fill struct {
	alphabet string
	fill     []byte
	lastMask byte
}

const (
	stdAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
	urlAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
)

// b64Value is the value of a digit of either alphabet.
var b64Value = func() (v [256]byte) {
	for i := range 64 {
		v[stdAlphabet[i]] = byte(i)
		v[urlAlphabet[i]] = byte(i)
	}
	return v
}()

func (f *b64fill) replace(dst, d []byte, start, end int) []byte {
	// The last digit of the form, decoded.
	var last byte
	for j := start; j < end; {
		last = d[j]
		j++
		if last == '\\' || last == '%' {
			if u, kind := readUnit(d[j-1:end], true); kind == unitEscape {
				last = u.b[0]
				j += u.len - 1
			}
		}
	}
	n := len(f.fill)
	for k, v := range f.fill {
		if k == n-1 {
			v |= b64Value[last] &^ f.lastMask
		}
		dst = append(dst, f.alphabet[v])
	}
	return dst
}

// base64Targets returns the base64 forms of s: for each offset of s in a
// 3-byte group, the digits from the first whose bits are all s's to the
// last that holds a bit of s, accepting there whatever bits the next bytes
// put in it. The digit before, which mixes s's first bits with the bytes
// before it, is left out: it is neither sought nor rewritten. It holds 2
// or 4 bits of s's first byte, in real keys a letter of a public prefix
// (sk-, AIza); were it part of the form, a secret right after another one
// in the same base64 string would share it with the first one's last
// digit, and be skipped as overlapping. A second target in the URL
// alphabet comes when a digit whose bits are all s's is '+' or '/'.
func base64Targets(s []byte) []target {
	stars := []byte(strings.Repeat("*", len(s)))
	var out []target
	for off := range 3 {
		vals, masks := sixes(s, off)
		fill, _ := sixes(stars, off)
		if masks[0] != 63 {
			vals, masks, fill = vals[1:], masks[1:], fill[1:]
		}
		n := len(vals)
		var last *byteSet
		lo, hi := 0, n
		if masks[n-1] != 63 {
			last, hi = digitSet(vals[n-1], masks[n-1]), n-1
		}
		// One anchor window for both alphabets, clear of '+' and '/' if
		// possible, so that the two share one search.
		at := anchorWindow(digits(vals, stdAlphabet), lo, hi, func(k int) bool { return vals[k] >= 62 })
		alphabets := []string{stdAlphabet}
		for k := lo; k < hi; k++ {
			if vals[k] >= 62 {
				alphabets = append(alphabets, urlAlphabet)
				break
			}
		}
		for _, a := range alphabets {
			out = append(out, target{
				b:        digits(vals, a),
				last:     last,
				escapes:  true,
				anchorAt: at,
				b64:      &b64fill{alphabet: a, fill: fill, lastMask: masks[n-1]},
			})
		}
	}
	return out
}

// sixes places s off bytes into a 3-byte group and returns the base64
// digits from the first that holds a bit of s to the last: for each, the
// value of s's bits in it (others zero) and the mask of them.
func sixes(s []byte, off int) (vals, masks []byte) {
	start, end := 8*off, 8*(off+len(s))
	for j := start / 6; 6*j < end; j++ {
		var v, mask byte
		for bit := range 6 {
			g := 6*j + bit
			if g < start || g >= end {
				continue
			}
			x := g - start
			mask |= 1 << (5 - bit)
			if s[x/8]>>(7-x%8)&1 == 1 {
				v |= 1 << (5 - bit)
			}
		}
		vals = append(vals, v)
		masks = append(masks, mask)
	}
	return vals, masks
}

// digitSet is every digit, of both alphabets, whose masked bits are v.
func digitSet(v, mask byte) *byteSet {
	var s byteSet
	for x := range byte(64) {
		if x&mask == v {
			s.add(stdAlphabet[x])
			s.add(urlAlphabet[x])
		}
	}
	return &s
}

func digits(vals []byte, alphabet string) []byte {
	b := make([]byte, len(vals))
	for k, v := range vals {
		b[k] = alphabet[v]
	}
	return b
}

// anchorWindow picks the run of b[lo:hi] searched for with bytes.Index:
// up to 16 bytes starting with the byte least frequent in LLM responses
// (bytes.Index runs the vector IndexByte on a window's first byte, and
// checks its second), avoiding positions for which bad is true if it
// can.
func anchorWindow(b []byte, lo, hi int, bad func(int) bool) [2]int {
	const width, least = 16, 4
	best, bestScore := [2]int{lo, min(hi, lo+width)}, math.MinInt
	last := max(lo, hi-least)
	for s := lo; s <= last; s++ {
		e := min(hi, s+width)
		score := 4 * rarity(b[s])
		if e-s > 1 {
			score += rarity(b[s+1])
		}
		for k := s; k < e && bad != nil; k++ {
			if bad(k) {
				score -= 1 << 20
				break
			}
		}
		if score > bestScore {
			best, bestScore = [2]int{s, e}, score
		}
	}
	return best
}

// common lists bytes roughly from the most to the least frequent in what
// LLM APIs return: English text in JSON. Bytes not listed are rarer still.
const common = " etaoinsrhldcu\"mfpgw,yb.:v{}k_0\n1-2x\\TSAIjq3Cz9456M78E/N"

func rarity(c byte) int {
	if i := strings.IndexByte(common, c); i >= 0 {
		return i
	}
	return len(common)
}
