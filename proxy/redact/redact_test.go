package redact

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

// The secrets the tests hide: an API key with the characters JSON and
// URL encoders escape, and one with non-ASCII characters (one beyond the
// BMP, written as a surrogate pair in \u form).
const (
	key    = "sk-live-4fQ/9x+Zb_7Yw2<&>"
	accent = "clé-secrète-€-😀-0042"
)

// jsonEscape writes s as a JSON encoder might, choosing for each character
// with how: 'l' itself, 'u' \u lower-case, 'U' \u upper-case, 's' the short
// escape if there is one (else itself).
func jsonEscape(s string, how func(r rune) byte) string {
	var b strings.Builder
	for _, r := range s {
		switch how(r) {
		case 'u', 'U':
			var buf [12]byte
			e := string(spell(&buf, r))
			if how(r) == 'U' {
				e = strings.ReplaceAll(strings.ToUpper(e), `\U`, `\u`)
			}
			b.WriteString(e)
		case 's':
			if e, ok := map[rune]string{'/': `\/`, '"': `\"`, '\\': `\\`, '\n': `\n`}[r]; ok {
				b.WriteString(e)
			} else {
				b.WriteRune(r)
			}
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

func always(c byte) func(rune) byte { return func(rune) byte { return c } }

// htmlSafe escapes what an HTML-safe encoder does: + < > & ' as \u00XX
// upper-case, / as \/, and everything beyond ASCII.
func htmlSafe(r rune) byte {
	switch {
	case r >= utf8.RuneSelf || strings.ContainsRune("+<>&'", r):
		return 'U'
	case r == '/':
		return 's'
	}
	return 'l'
}

func percentAll(s string, upper bool) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		h := fmt.Sprintf("%%%02x", s[i])
		if upper {
			h = strings.ToUpper(h)
		}
		b.WriteString(h)
	}
	return b.String()
}

// textForms are the forms of secret that Marker replaces whole.
func textForms(secret string) map[string]string {
	goJSON, _ := json.Marshal(secret)
	return map[string]string{
		"plain":           secret,
		"encoding/json":   string(goJSON[1 : len(goJSON)-1]),
		"html-safe":       jsonEscape(secret, htmlSafe),
		"all \\u lower":   jsonEscape(secret, always('u')),
		"all \\u upper":   jsonEscape(secret, always('U')),
		"short escapes":   jsonEscape(secret, always('s')),
		"query escape":    url.QueryEscape(secret),
		"path escape":     url.PathEscape(secret),
		"all %xx lower":   percentAll(secret, false),
		"all %XX upper":   percentAll(secret, true),
		"odd chars \\u":   jsonEscape(secret, func(r rune) byte { return "lu"[r%2] }),
		"odd chars %":     oddPercent(secret),
		"ascii-only JSON": jsonEscape(secret, func(r rune) byte { return map[bool]byte{true: 'u', false: 'l'}[r >= utf8.RuneSelf] }),
	}
}

func oddPercent(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i]%2 == 1 {
			fmt.Fprintf(&b, "%%%02X", s[i])
		} else {
			b.WriteByte(s[i])
		}
	}
	return b.String()
}

var encodings = map[string]*base64.Encoding{
	"std": base64.StdEncoding, "url": base64.URLEncoding,
	"raw std": base64.RawStdEncoding, "raw url": base64.RawURLEncoding,
}

// around are texts base64-encoded with a secret: every offset modulo 3
// before it, and every remainder after.
var around = [][2]string{
	{"", ""}, {"a", ""}, {"ab", ""}, {"", "x"}, {"", "xy"}, {"a", "x"}, {"ab", "xy"}, {"abc", "xyz"},
	{"Bearer ", ""}, {"user:", ""}, {`{"api_key":"`, `","n":1}`}, {"\xff\xfe", "\x00"},
}

func TestTextForms(t *testing.T) {
	r := New(key, accent)
	for _, secret := range []string{key, accent} {
		for name, form := range textForms(secret) {
			body := `{"error":{"message":"Incorrect API key provided: ` + form + `. See the docs."}}`
			want := `{"error":{"message":"Incorrect API key provided: ` + Marker + `. See the docs."}}`
			if got := string(r.Bytes([]byte(body))); got != want {
				t.Errorf("%s %q:\n got %s\nwant %s", name, secret, got, want)
			}
			if got := r.String(form); got != Marker {
				t.Errorf("String of %s %q = %q", name, secret, got)
			}
		}
	}
}

// star does to b what redacting its base64 does to the n bytes of a secret
// at b[at]: they become stars, but for the first one, which keeps the bits
// it shares with a digit of the bytes before (four or two bits when at is 1
// or 2 modulo 3).
func star(b []byte, at, n int) {
	keep := [3]byte{0, 0xF0, 0xC0}[at%3]
	b[at] = b[at]&keep | '*'&^keep
	copy(b[at+1:at+n], strings.Repeat("*", n-1))
}

// starred is what the base64 of pre+secret+suf decodes to once redacted.
func starred(pre, secret, suf string) string {
	b := []byte(pre + secret + suf)
	star(b, len(pre), len(secret))
	return string(b)
}

// TestBase64Forms checks that every base64 form is rewritten in place and
// still decodes: to the original text with the secret turned into stars.
func TestBase64Forms(t *testing.T) {
	r := New(key, accent)
	for _, secret := range []string{key, accent} {
		for _, ar := range around {
			for name, enc := range encodings {
				plain := ar[0] + secret + ar[1]
				want := starred(ar[0], secret, ar[1])
				form := enc.EncodeToString([]byte(plain))
				got := r.String("token " + form + " end")
				inner, ok1 := strings.CutPrefix(got, "token ")
				inner, ok2 := strings.CutSuffix(inner, " end")
				if !ok1 || !ok2 || len(inner) != len(form) {
					t.Errorf("%s of %q: %q is not %q with the secret replaced", name, plain, got, form)
					continue
				}
				if dec, err := enc.DecodeString(inner); err != nil || string(dec) != want {
					t.Errorf("%s of %q: %q decodes to %q, %v; want %q", name, plain, inner, dec, err, want)
				}
				// The same digits escaped in JSON, or percent-encoded.
				escaped := jsonEscape(form, func(r rune) byte { return map[rune]byte{'/': 's', '+': 'U', '-': 'u'}[r] })
				var fromJSON string
				if err := json.Unmarshal([]byte(`"`+r.String(escaped)+`"`), &fromJSON); err != nil {
					t.Fatal(err)
				}
				if dec, err := enc.DecodeString(fromJSON); err != nil || string(dec) != want {
					t.Errorf("JSON-escaped %s of %q: decodes to %q, %v", name, plain, dec, err)
				}
				fromURL, err := url.QueryUnescape(r.String(url.QueryEscape(form)))
				if err != nil {
					t.Fatal(err)
				}
				if dec, err := enc.DecodeString(fromURL); err != nil || string(dec) != want {
					t.Errorf("percent-encoded %s of %q: decodes to %q, %v", name, plain, dec, err)
				}
			}
		}
	}
}

// TestBase64BackToBack checks secrets with no byte between them in one
// base64 string, which share a digit.
func TestBase64BackToBack(t *testing.T) {
	r := New(key, accent)
	for _, pair := range [][2]string{{key, key}, {key, accent}, {accent, key}} {
		for _, ar := range around[:8] {
			plain := ar[0] + pair[0] + pair[1] + ar[1]
			form := base64.StdEncoding.EncodeToString([]byte(plain))
			dec, err := base64.StdEncoding.DecodeString(r.String(form))
			want := []byte(plain)
			star(want, len(ar[0]), len(pair[0]))
			star(want, len(ar[0])+len(pair[0]), len(pair[1]))
			if err != nil || string(dec) != string(want) {
				t.Errorf("%q: decodes to %q, %v; want %q", plain, dec, err, want)
			}
		}
	}
}

// formEvents are SSE events each holding a form of one of the secrets;
// forms are the forms.
func formEvents() (events, forms []string) {
	event := func(s string) {
		events = append(events, fmt.Sprintf("data: {\"choices\":[{\"delta\":{\"content\":\"%s\"}}]}\n\n", s))
	}
	for _, secret := range []string{key, accent} {
		for _, form := range textForms(secret) {
			forms = append(forms, form)
			event("echo " + form + " echo")
		}
		for _, ar := range around[:8] {
			form := base64.StdEncoding.EncodeToString([]byte(ar[0] + secret + ar[1]))
			forms = append(forms, form)
			event(form)
			url := base64.RawURLEncoding.EncodeToString([]byte(ar[0] + secret + ar[1]))
			forms = append(forms, url)
			event(jsonEscape(url, always('s')))
		}
	}
	return events, forms
}

const ordinaryEvent = "data: {\"choices\":[{\"delta\":{\"content\":\"Hello! Some \\\"quotes\\\", a newline\\n and 50% off.\"}}]}\n\n"

func feedAll(t *testing.T, r *Redactor, pieces ...[]byte) []byte {
	t.Helper()
	s := r.Stream()
	var out []byte
	for _, p := range pieces {
		out = append(out, s.Feed(p)...)
		if s != nil && len(s.held) >= r.maxLen {
			t.Fatalf("held back %d bytes, the longest form is %d", len(s.held), r.maxLen-1)
		}
	}
	return append(out, s.End()...)
}

// TestStreamEveryCut cuts a stream holding each form at every byte, and
// feeds a stream holding them all byte by byte.
func TestStreamEveryCut(t *testing.T) {
	r := New(key, accent)
	events, forms := formEvents()
	for _, ev := range events {
		body := []byte(ordinaryEvent + ev + ordinaryEvent)
		want := r.Bytes(body)
		if bytes.Equal(want, body) {
			t.Fatalf("nothing redacted in %q", ev)
		}
		for c := range len(body) + 1 {
			if got := feedAll(t, r, body[:c], body[c:]); !bytes.Equal(got, want) {
				t.Fatalf("%q cut at %d:\n got %s\nwant %s", body, c, got, want)
			}
		}
	}
	body := []byte(ordinaryEvent + strings.Join(events, "") + "data: [DONE]\n\n")
	want := r.Bytes(body)
	for _, f := range forms {
		if bytes.Contains(want, []byte(f)) {
			t.Fatalf("%q survived", f)
		}
	}
	if n, text := bytes.Count(want, []byte(Marker)), 2*len(textForms(key)); n != text {
		t.Fatalf("%d markers, want %d", n, text)
	}
	pieces := make([][]byte, len(body))
	for i := range body {
		pieces[i] = body[i : i+1]
	}
	if got := feedAll(t, r, pieces...); !bytes.Equal(got, want) {
		t.Fatalf("byte by byte:\n got %s\nwant %s", got, want)
	}
}

// TestStreamSmallAlphabet cuts texts made of few bytes, escape syntax
// among them, so that forms overlap, escapes are ambiguous and pieces end
// in the middle of them.
func TestStreamSmallAlphabet(t *testing.T) {
	const alphabet = `\u0%2fD8d/"a7`
	rng := rand.New(rand.NewPCG(1, 2))
	word := func(n int) []byte {
		b := make([]byte, n)
		for i := range b {
			b[i] = alphabet[rng.IntN(len(alphabet))]
		}
		return b
	}
	for range 1000 {
		secrets := []string{string(word(1 + rng.IntN(12))), string(word(8 + rng.IntN(4)))}
		text := word(rng.IntN(60))
		for range rng.IntN(3) {
			text = embed(text, []byte(secrets[rng.IntN(2)]), rng.IntN(100), uint8(rng.IntN(5)), rng)
		}
		r := New(secrets...)
		want := bytes.Clone(r.Bytes(text))
		cuts := []int{0, rng.IntN(len(text) + 1), rng.IntN(len(text) + 1), len(text)}
		slices.Sort(cuts)
		if got := feedAll(t, r, text[:cuts[1]], text[cuts[1]:cuts[2]], text[cuts[2]:]); !bytes.Equal(got, want) {
			t.Fatalf("secrets %q, text %q cut at %v:\n got %q\nwant %q", secrets, text, cuts, got, want)
		}
	}
}

// TestStreamPassesAtOnce checks what a Stream holds back: nothing after a
// whole event, and only what may begin a form.
func TestStreamPassesAtOnce(t *testing.T) {
	r := New(key)
	s := r.Stream()
	for _, ev := range []string{
		"data: {\"content\":\"sk\"}\n\n",
		"data: {\"content\":\"" + key[:10] + "\"}\n\n",
		"data: " + base64.StdEncoding.EncodeToString([]byte(key))[:12] + "\n\n",
		"event: ping\n\n",
	} {
		if got := string(s.Feed([]byte(ev))); got != ev {
			t.Errorf("Feed(%q) = %q", ev, got)
		}
	}
	for _, c := range []struct{ in, now string }{
		{"Hello, world!", "Hello, world!"},
		{"it is sk", "it is "},
		{"y-high. ", "sky-high. "},
		{"key: sk-live-4f", "key: "},
		{"Q/9x", ""},
		{"+Zb_7Yw2<&> ok.", Marker + " ok."},
		{`esc \u00`, "esc "},
		{`73k-live-4fQ\/9x\u002BZb_7Yw2<&>.`, Marker + "."},
		{" 100%", " 100"},
		{" off!", "% off!"},
	} {
		if got := string(s.Feed([]byte(c.in))); got != c.now {
			t.Errorf("Feed(%q) = %q, want %q (holding %q)", c.in, got, c.now, s.held)
		}
	}
	if got := s.End(); len(got) != 0 {
		t.Errorf("End() = %q", got)
	}
}

func TestHeader(t *testing.T) {
	r := New(key)
	basic := "Basic " + base64.StdEncoding.EncodeToString([]byte("user:"+key))
	h := http.Header{
		"X-Api-Key":      {key},
		"Authorization":  {"Bearer " + key, "bearer " + key, basic},
		"X-Echo":         {"got key " + key + " twice " + url.QueryEscape(key)},
		"Content-Type":   {"application/json"},
		"X-Request-Id":   {"req_123"},
		"X-Empty-Header": {""},
	}
	r.Header(h)
	want := http.Header{
		"X-Api-Key":      {Marker},
		"Authorization":  {Marker, Marker, "Basic " + base64.StdEncoding.EncodeToString([]byte(starred("user:", key, "")))},
		"X-Echo":         {"got key " + Marker + " twice " + Marker},
		"Content-Type":   {"application/json"},
		"X-Request-Id":   {"req_123"},
		"X-Empty-Header": {""},
	}
	if fmt.Sprint(h) != fmt.Sprint(want) {
		t.Errorf("got  %v\nwant %v", h, want)
	}
}

func TestShortSecret(t *testing.T) {
	const short = "pw-1/2"
	r := New(short)
	for in, want := range map[string]string{
		"the password is pw-1/2.": "the password is " + Marker + ".",
		`escaped pw-1\/2`:         `escaped pw-1\/2`,
		"percent pw-1%2F2":        "percent pw-1%2F2",
		"base64 " + base64.StdEncoding.EncodeToString([]byte(short)): "base64 " + base64.StdEncoding.EncodeToString([]byte(short)),
	} {
		if got := r.String(in); got != want {
			t.Errorf("String(%q) = %q, want %q", in, got, want)
		}
	}
	if got := feedAll(t, r, []byte("a pw"), []byte("-1/"), []byte("2 b")); string(got) != "a "+Marker+" b" {
		t.Errorf("stream: %q", got)
	}
}

func TestLeftmostLongest(t *testing.T) {
	r := New("sk-live-abcdefgh", "sk-live-abcdefghijk", "abcdefghijk-tail")
	for in, want := range map[string]string{
		"x sk-live-abcdefghijk y":          "x " + Marker + " y",
		"x sk-live-abcdefghijk-tail y":     "x " + Marker + "-tail y",
		"x sk-live-abcdefgh-ijk y":         "x " + Marker + "-ijk y",
		"sk-live-abcdefghsk-live-abcdefgh": Marker + Marker,
	} {
		if got := r.String(in); got != want {
			t.Errorf("String(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestNoSecrets(t *testing.T) {
	for _, r := range []*Redactor{nil, New(), New("", "")} {
		b := []byte("sk-live " + key)
		if got := r.Bytes(b); &got[0] != &b[0] {
			t.Error("Bytes copied")
		}
		if got := r.String(key); got != key {
			t.Error("String changed")
		}
		h := http.Header{"A": {key}}
		r.Header(h)
		if h.Get("A") != key {
			t.Error("Header changed")
		}
		s := r.Stream()
		if got := string(s.Feed(b)) + string(s.End()); got != string(b) {
			t.Errorf("stream: %q", got)
		}
	}
}

// chatBody is a 2 KB chat completion, the kind of body serve returns.
var chatBody = func() []byte {
	content := strings.Repeat(`Sure! Here is a summary of the report:\n\n1. Revenue grew 12% year over year, driven by \"enterprise\" sales.\n2. Costs were flat.\n`, 12)
	b := fmt.Sprintf(`{"id":"chatcmpl-9xYz","object":"chat.completion","created":1718000000,"model":"gpt-4o-2024-08-06","choices":[{"index":0,"message":{"role":"assistant","content":"%s"},"finish_reason":"stop"}],"usage":{"prompt_tokens":512,"completion_tokens":380,"total_tokens":892}}`, content)
	return []byte(b)[:2048]
}()

func TestNoAllocation(t *testing.T) {
	r := New(key, accent)
	h := http.Header{"Content-Type": {"application/json"}, "Openai-Processing-Ms": {"1234"}, "X-Request-Id": {"req_0123456789abcdef0123"}}
	s := r.Stream()
	ev := []byte("data: {\"choices\":[{\"delta\":{\"content\":\" world\"}}]}\n\n")
	if n := testing.AllocsPerRun(100, func() {
		if got := r.Bytes(chatBody); &got[0] != &chatBody[0] {
			t.Fatal("copied")
		}
		r.Header(h)
		s.Feed(ev)
	}); n != 0 {
		t.Errorf("%v allocations", n)
	}
}

func BenchmarkBytesNoMatch(b *testing.B) {
	for _, keys := range [][]string{{key}, {key, "sk-ant-api03-Zq81nR5xLmP0tW7yVb3kHc2"}} {
		r := New(keys...)
		b.Run(fmt.Sprintf("keys=%d", len(keys)), func(b *testing.B) {
			b.SetBytes(int64(len(chatBody)))
			b.ReportAllocs()
			for b.Loop() {
				r.Bytes(chatBody)
			}
		})
	}
}

func BenchmarkBytesMatch(b *testing.B) {
	r := New(key)
	body := []byte(`{"error":{"message":"Incorrect API key provided: ` + key + `. You can find your API key at https://platform.openai.com/account/api-keys.","type":"invalid_request_error","param":null,"code":"invalid_api_key"}}`)
	b.ReportAllocs()
	for b.Loop() {
		r.Bytes(body)
	}
}

// BenchmarkStream is a 2 KB answer streamed in 40 events.
func BenchmarkStream(b *testing.B) {
	r := New(key)
	var events [][]byte
	for i := range 40 {
		events = append(events, fmt.Appendf(nil, "data: {\"id\":\"chatcmpl-9xYz\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"token %d, \"}}]}\n\n", i))
	}
	b.ReportAllocs()
	for b.Loop() {
		s := r.Stream()
		for _, ev := range events {
			s.Feed(ev)
		}
		s.End()
	}
}

func BenchmarkHeader(b *testing.B) {
	r := New(key)
	h := http.Header{"Content-Type": {"application/json"}, "Openai-Processing-Ms": {"1234"}, "X-Request-Id": {"req_0123456789abcdef0123"}, "Date": {"Mon, 10 Jun 2024 12:00:00 GMT"}}
	b.ReportAllocs()
	for b.Loop() {
		r.Header(h)
	}
}

// FuzzStream checks that a body fed in pieces cut anywhere gives what
// Bytes gives for the whole, with a secret embedded in one of its forms.
func FuzzStream(f *testing.F) {
	f.Add([]byte(`{"error":"Incorrect API key provided: "}`), []byte(key), uint16(38), uint8(0), uint64(1))
	f.Add([]byte("data: hi\n\ndata: there\n\n"), []byte(accent), uint16(6), uint8(1), uint64(7))
	f.Add([]byte("Authorization: Basic \n"), []byte(key), uint16(21), uint8(4), uint64(99))
	f.Add([]byte(`\u00 %4 \ud83d\ude0`), []byte(`a\b%41\ud83d-9`), uint16(3), uint8(2), uint64(12345))
	f.Fuzz(func(t *testing.T, body, secret []byte, at uint16, form uint8, seed uint64) {
		if len(secret) == 0 || len(secret) > 64 || len(body) > 4096 {
			t.Skip()
		}
		rng := rand.New(rand.NewPCG(seed, uint64(form)))
		text := embed(body, secret, int(at), form, rng)
		secrets := []string{string(secret)}
		if seed&1 == 1 && len(body) > 0 {
			i := rng.IntN(len(body))
			secrets = append(secrets, string(body[i:min(len(body), i+1+rng.IntN(24))]))
		}
		r := New(secrets...)
		want := bytes.Clone(r.Bytes(text))
		cuts := []int{0}
		for range rng.IntN(6) {
			cuts = append(cuts, rng.IntN(len(text)+1))
		}
		cuts = append(cuts, len(text))
		slices.Sort(cuts)
		var pieces [][]byte
		for i := 1; i < len(cuts); i++ {
			pieces = append(pieces, text[cuts[i-1]:cuts[i]])
		}
		if got := feedAll(t, r, pieces...); !bytes.Equal(got, want) {
			t.Fatalf("secrets %q, text %q cut at %v:\n got %q\nwant %q", secrets, text, cuts, got, want)
		}
	})
}

// embed writes secret into body at at in the form form picks: plain, JSON
// or percent escapes chosen at random, or base64 with some of body around
// it.
func embed(body, secret []byte, at int, form uint8, rng *rand.Rand) []byte {
	at %= len(body) + 1
	var s string
	switch form % 5 {
	case 0:
		s = string(secret)
	case 1:
		s = jsonEscape(string(secret), func(rune) byte { return "luUs"[rng.IntN(4)] })
	case 2:
		var b strings.Builder
		for _, c := range secret {
			if rng.IntN(2) == 0 {
				fmt.Fprintf(&b, "%%%02x", c)
			} else {
				b.WriteByte(c)
			}
		}
		s = b.String()
	default:
		pre := body[:rng.IntN(min(6, at)+1)]
		suf := body[at : at+rng.IntN(min(6, len(body)-at)+1)]
		encs := []*base64.Encoding{base64.StdEncoding, base64.URLEncoding, base64.RawStdEncoding, base64.RawURLEncoding}
		s = encs[rng.IntN(4)].EncodeToString(append(append(bytes.Clone(pre), secret...), suf...))
		if form%5 == 4 {
			s = jsonEscape(s, func(rune) byte { return "ls"[rng.IntN(2)] })
		}
	}
	return append(append(bytes.Clone(body[:at]), s...), body[at:]...)
}
