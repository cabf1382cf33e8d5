// Package guard finds what prompts and answers must not carry, as the data
// planes' prompt guards do: builtin detectors (credit card numbers, US
// social security numbers, e-mail addresses, phone numbers, Canadian
// social insurance numbers) and the user's regular expressions. A match is
// masked with its entity name (<CREDIT_CARD>, as kgateway's Presidio-based
// extension writes it) or rejects the request.
package guard

import (
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/kubelb-ai/kubelb-ai/spec"
)

// detector finds one kind of entity.
type detector struct {
	entity string
	re     *regexp.Regexp
	// valid, if set, confirms a candidate (a checksum).
	valid func(string) bool
}

// builtins are the detectors behind spec.Builtins. Separators are
// optional spaces or dashes; checksums cut false positives.
var builtins = map[string]detector{
	"CREDIT_CARD": {entity: "CREDIT_CARD", re: regexp.MustCompile(`\b\d(?:[ -]?\d){12,18}\b`), valid: luhn},
	"SSN":         {entity: "US_SSN", re: regexp.MustCompile(`\b\d{3}[- ]\d{2}[- ]\d{4}\b`), valid: ssn},
	"EMAIL":       {entity: "EMAIL_ADDRESS", re: regexp.MustCompile(`\b[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}\b`)},
	// North American numbers, or international ones written with their
	// country code.
	"PHONE_NUMBER": {entity: "PHONE_NUMBER", re: regexp.MustCompile(`(?:\+1[ .-]?)?(?:\([2-9]\d{2}\)|\b[2-9]\d{2})[ .-]?\d{3}[ .-]?\d{4}\b|\+\d{1,3}(?:[ .-]?\(?\d{1,4}\)?){2,5}\b`), valid: phone},
	"CA_SIN":       {entity: "CA_SIN", re: regexp.MustCompile(`\b\d{3}[- ]?\d{3}[- ]?\d{3}\b`), valid: luhn},
}

// MaxMatch bounds how long a builtin match can be, in bytes: a stream's
// text is held back by this much so that a match split across events is
// still found (custom patterns longer than this are found within an
// event only).
const MaxMatch = 64

// Rule is one guard rule ready to run.
type Rule struct {
	Reject     bool
	Message    string
	StatusCode int
	detectors  []detector
}

// Guard is a route's prompt guard.
type Guard struct {
	Request, Response []Rule
}

// New compiles a Spec prompt guard; nil gives nil.
func New(pg *spec.PromptGuard) (*Guard, error) {
	if pg == nil || (len(pg.Request) == 0 && len(pg.Response) == 0) {
		return nil, nil
	}
	g := &Guard{}
	var err error
	if g.Request, err = compile(pg.Request); err != nil {
		return nil, fmt.Errorf("request guard: %w", err)
	}
	if g.Response, err = compile(pg.Response); err != nil {
		return nil, fmt.Errorf("response guard: %w", err)
	}
	return g, nil
}

func compile(rules []spec.GuardRule) ([]Rule, error) {
	var out []Rule
	for _, r := range rules {
		rule := Rule{Reject: r.Action == spec.GuardReject, Message: r.Message, StatusCode: int(r.StatusCode)}
		for _, b := range r.Builtins {
			d, ok := builtins[strings.ToUpper(b)]
			if !ok {
				return nil, fmt.Errorf("unknown builtin %q (known: %s)", b, strings.Join(spec.Builtins, ", "))
			}
			rule.detectors = append(rule.detectors, d)
		}
		for _, p := range r.Patterns {
			// kgateway's extension matches case-insensitively, across lines.
			re, err := regexp.Compile("(?ims)" + p)
			if err != nil {
				return nil, fmt.Errorf("pattern %q: %w", p, err)
			}
			rule.detectors = append(rule.detectors, detector{entity: "CUSTOM", re: re})
		}
		if rule.Reject {
			if rule.StatusCode == 0 {
				rule.StatusCode = 403
			}
			if rule.Message == "" {
				rule.Message = "The request was rejected due to inappropriate content" // kgateway's default
			}
		}
		out = append(out, rule)
	}
	return out, nil
}

// span is a match to mask.
type span struct {
	start, end int
	entity     string
}

// matches are the confirmed matches of rules in s, earliest first,
// overlapping ones merged.
func matches(rules []Rule, s string, reject bool) []span {
	var out []span
	for _, r := range rules {
		if r.Reject != reject {
			continue
		}
		for _, d := range r.detectors {
			for _, m := range d.re.FindAllStringIndex(s, -1) {
				if d.valid == nil || d.valid(s[m[0]:m[1]]) {
					out = append(out, span{m[0], m[1], d.entity})
				}
			}
		}
	}
	slices.SortFunc(out, func(a, b span) int { return a.start - b.start })
	var merged []span
	for _, m := range out {
		if n := len(merged); n > 0 && m.start < merged[n-1].end {
			merged[n-1].end = max(merged[n-1].end, m.end)
			continue
		}
		merged = append(merged, m)
	}
	return merged
}

func mask(s string, spans []span) string {
	if len(spans) == 0 {
		return s
	}
	var b strings.Builder
	last := 0
	for _, m := range spans {
		b.WriteString(s[last:m.start])
		b.WriteString("<" + m.entity + ">")
		last = m.end
	}
	b.WriteString(s[last:])
	return b.String()
}

// CheckRequest runs the request rules on a prompt's text: the first
// rejecting rule that matches, or the text with the masking rules' matches
// masked.
func (g *Guard) CheckRequest(s string) (string, *Rule) {
	for i, r := range g.Request {
		if r.Reject && len(matches(g.Request[i:i+1], s, true)) > 0 {
			return s, &g.Request[i]
		}
	}
	return mask(s, matches(g.Request, s, false)), nil
}

// MaskResponse masks an answer's text with the response rules (a response
// is never rejected: it has been generated already; rejecting rules mask).
func (g *Guard) MaskResponse(s string) string {
	return mask(s, append(matches(g.Response, s, false), matches(g.Response, s, true)...))
}

// Masker masks a streamed answer's text, which arrives in pieces: it holds
// back the last MaxMatch bytes of what it has seen (more while a match may
// still be growing, and up to MaxMatch more so as not to cut a word) so
// that a match split across pieces is masked whole.
type Masker struct {
	g       *Guard
	pending string
}

// Masker starts masking one stream of text.
func (g *Guard) Masker() *Masker { return &Masker{g: g} }

// Write takes the next piece and returns the text now safe to send.
func (m *Masker) Write(piece string) string {
	m.pending += piece
	cut := len(m.pending) - MaxMatch
	if cut <= 0 {
		return ""
	}
	spans := append(matches(m.g.Response, m.pending, false), matches(m.g.Response, m.pending, true)...)
	slices.SortFunc(spans, func(a, b span) int { return a.start - b.start })
	var done []span
	for _, s := range spans {
		if s.start >= cut {
			break
		}
		if s.end > cut {
			cut = s.start // the match may go on: hold it back whole
			break
		}
		done = append(done, s)
	}
	// Never split a character, nor a word (up to MaxMatch bytes back: a
	// longer word holds no match): the next piece's matches must see the
	// same word boundaries as the whole text does.
	for floor := cut - MaxMatch; cut > 0 && cut < len(m.pending) && (!utf8Start(m.pending[cut]) || cut > floor && isWord(m.pending[cut-1]) && isWord(m.pending[cut])); {
		cut--
	}
	out := mask(m.pending[:cut], done)
	m.pending = m.pending[cut:]
	return out
}

// Flush returns the rest, masked, at the end of the stream.
func (m *Masker) Flush() string {
	out := m.g.MaskResponse(m.pending)
	m.pending = ""
	return out
}

func utf8Start(b byte) bool { return b&0xC0 != 0x80 }

// isWord is regexp's \w, for the bytes where \b looks.
func isWord(b byte) bool {
	return b == '_' || '0' <= b && b <= '9' || 'a' <= b && b <= 'z' || 'A' <= b && b <= 'Z'
}

// luhn checks a card or SIN number's check digit.
func luhn(s string) bool {
	sum, n := 0, 0
	for i := len(s) - 1; i >= 0; i-- {
		c := s[i]
		if c < '0' || c > '9' {
			continue
		}
		d := int(c - '0')
		if n%2 == 1 {
			if d *= 2; d > 9 {
				d -= 9
			}
		}
		sum += d
		n++
	}
	return n > 0 && sum%10 == 0
}

// ssn refuses the numbers the SSA never issues.
func ssn(s string) bool {
	d := strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return r
		}
		return -1
	}, s)
	area, group, serial := d[:3], d[3:5], d[5:]
	return area != "000" && area != "666" && area[0] != '9' && group != "00" && serial != "0000"
}

// phone wants 10 to 15 digits, the range of national and international
// numbers.
func phone(s string) bool {
	n := 0
	for _, c := range s {
		if c >= '0' && c <= '9' {
			n++
		}
	}
	return n >= 10 && n <= 15
}
