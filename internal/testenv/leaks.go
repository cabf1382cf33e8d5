package testenv

import (
	"encoding/base64"
	"strings"
)

// LeakKey is the fake credential of testdata/leaks: no output of
// kubelb-ai may show it, nor its base64 form, nor its part after the
// prefix.
const LeakKey = "sk-live-CANARY-do-not-print"

// Leaks returns the forms of LeakKey that out shows.
func Leaks(out string) []string {
	var shown []string
	for _, form := range []string{LeakKey, base64.StdEncoding.EncodeToString([]byte(LeakKey)), strings.TrimPrefix(LeakKey, "sk-live-")} {
		if strings.Contains(out, form) {
			shown = append(shown, form)
		}
	}
	return shown
}
