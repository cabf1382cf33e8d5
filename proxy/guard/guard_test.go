package guard

import (
	"regexp"
	"strings"
	"testing"

	"github.com/kubelb-ai/kubelb-ai/spec"
)

func mustNew(t *testing.T, pg *spec.PromptGuard) *Guard {
	t.Helper()
	g, err := New(pg)
	if err != nil {
		t.Fatal(err)
	}
	return g
}

func TestBuiltinsMask(t *testing.T) {
	g := mustNew(t, &spec.PromptGuard{Request: []spec.GuardRule{{Action: spec.GuardMask, Builtins: spec.Builtins}}})
	for in, want := range map[string]string{
		"pay with 4111 1111 1111 1111 today":     "pay with <CREDIT_CARD> today",
		"card 4111-1111-1111-1112 (bad check)":   "card 4111-1111-1111-1112 (bad check)",
		"ssn 123-45-6789.":                       "ssn <US_SSN>.",
		"ssn 000-45-6789 is never issued":        "ssn 000-45-6789 is never issued",
		"mail ana.lopez+ai@mail.example.org!":    "mail <EMAIL_ADDRESS>!",
		"call +1 415 555 0132 or (415) 555-0132": "call <PHONE_NUMBER> or <PHONE_NUMBER>",
		"call 555-0132":                          "call 555-0132",
		"sin 046 454 286":                        "sin <CA_SIN>",
		"nothing to see, 2024-11-24 at 10:30":    "nothing to see, 2024-11-24 at 10:30",
	} {
		got, rejected := g.CheckRequest(in)
		if got != want || rejected != nil {
			t.Errorf("%q -> %q (rejected %v), want %q", in, got, rejected != nil, want)
		}
	}
}

func TestRejectAndPatterns(t *testing.T) {
	g := mustNew(t, &spec.PromptGuard{Request: []spec.GuardRule{
		{Action: spec.GuardReject, Patterns: []string{`secret\s+project`}},
		{Action: spec.GuardReject, Builtins: []string{"SSN"}, Message: "no SSNs", StatusCode: 400},
		{Action: spec.GuardMask, Patterns: []string{`acme`}},
	}})
	if _, r := g.CheckRequest("tell me about the SECRET\nProject"); r == nil || r.StatusCode != 403 || r.Message == "" {
		t.Errorf("a case-insensitive multi-line pattern: %+v", r)
	}
	if _, r := g.CheckRequest("mine is 123-45-6789"); r == nil || r.StatusCode != 400 || r.Message != "no SSNs" {
		t.Errorf("the SSN rule: %+v", r)
	}
	if got, r := g.CheckRequest("ACME corp"); r != nil || got != "<CUSTOM> corp" {
		t.Errorf("mask rule: %q %+v", got, r)
	}
	if _, err := New(&spec.PromptGuard{Request: []spec.GuardRule{{Action: spec.GuardMask, Patterns: []string{"("}}}}); err == nil {
		t.Error("a broken pattern compiled")
	}
	if _, err := New(&spec.PromptGuard{Request: []spec.GuardRule{{Action: spec.GuardMask, Builtins: []string{"IBAN"}}}}); err == nil {
		t.Error("an unknown builtin compiled")
	}
}

// A streamed answer masked piece by piece is the whole answer masked,
// wherever the pieces are cut: a card number, an e-mail address or a
// pattern split across events is still masked whole.
func TestMaskerAcrossPieces(t *testing.T) {
	g := mustNew(t, &spec.PromptGuard{Response: []spec.GuardRule{{Action: spec.GuardMask, Builtins: spec.Builtins, Patterns: []string{`project \w+`}}}})
	text := "Sure. Your card 4111 1111 1111 1111 is on file; write to ana@example.com or call +44 20 7946 0958. " +
		"The project atlas starts soon — ünïcödé stays intact. SSN 123-45-6789 done."
	want := g.MaskResponse(text)
	if !strings.Contains(want, "<CREDIT_CARD>") || !strings.Contains(want, "<EMAIL_ADDRESS>") || !strings.Contains(want, "<CUSTOM>") || !strings.Contains(want, "<US_SSN>") {
		t.Fatalf("whole: %s", want)
	}
	run := func(pieces []string) string {
		m := g.Masker()
		var out strings.Builder
		for _, p := range pieces {
			out.WriteString(m.Write(p))
		}
		out.WriteString(m.Flush())
		return out.String()
	}
	for i := 1; i < len(text); i++ {
		if got := run([]string{text[:i], text[i:]}); got != want {
			t.Fatalf("cut at %d:\n got %s\nwant %s", i, got, want)
		}
	}
	var bytewise []string
	for i := 0; i < len(text); i++ {
		bytewise = append(bytewise, text[i:i+1])
	}
	if got := run(bytewise); got != want {
		t.Fatalf("byte by byte:\n got %s\nwant %s", got, want)
	}
	// Text is held back by MaxMatch bytes, up to MaxMatch more to end on
	// a word's boundary.
	m := g.Masker()
	if out := m.Write(strings.Repeat("a", 200)); len(out) != 200-2*MaxMatch {
		t.Errorf("a long word held back %d bytes", 200-len(out))
	}
	m = g.Masker()
	if out := m.Write(strings.Repeat("ab ", 100)); len(out) < 300-MaxMatch-3 || len(out) > 300-MaxMatch {
		t.Errorf("words held back %d bytes", 300-len(out))
	}
}

// Masking a stream cut anywhere equals masking it whole, for any text
// whose matches fit within MaxMatch.
func FuzzMasker(f *testing.F) {
	for _, s := range []string{"card 4111 1111 1111 1111 ok", "x123-45-6789 y", "mail ana.lopez@example.com now", "+44 20 7946 0958"} {
		f.Add(s, 5, 3)
	}
	g, err := New(&spec.PromptGuard{Response: []spec.GuardRule{{Action: spec.GuardMask, Builtins: spec.Builtins}}})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, text string, a, b int) {
		for _, m := range matches(g.Response, text, false) {
			if m.end-m.start > MaxMatch/2 {
				t.Skip("a match longer than the stream window")
			}
		}
		if longWord.MatchString(text) {
			t.Skip("a word longer than the stream window")
		}
		want := g.MaskResponse(text)
		a, b = clamp(a, len(text)), clamp(b, len(text))
		if a > b {
			a, b = b, a
		}
		m := g.Masker()
		got := m.Write(text[:a]) + m.Write(text[a:b]) + m.Write(text[b:]) + m.Flush()
		if got != want {
			t.Fatalf("%q cut at %d and %d:\n got %q\nwant %q", text, a, b, got, want)
		}
	})
}

var longWord = regexp.MustCompile(`\w{32,}`)

func clamp(i, n int) int {
	if i < 0 {
		i = -i
	}
	if n == 0 {
		return 0
	}
	return i % (n + 1)
}
