package suggest

import "testing"

func TestDidYouMean(t *testing.T) {
	for _, c := range []struct{ got, want string }{
		{"openia", ` (did you mean "openai"?)`},
		{"OPENAI", ` (did you mean "openai"?)`},
		{"antropic", ` (did you mean "anthropic"?)`},
		{"something", ""},
	} {
		if got := DidYouMean(c.got, []string{"openai", "anthropic", "gemini"}); got != c.want {
			t.Errorf("%s: %q, want %q", c.got, got, c.want)
		}
	}
}
