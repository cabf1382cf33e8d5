// Package termquery keeps the program from waiting for a terminal that
// does not answer colour queries.
//
// Bubble Tea v1 (under huh) asks the terminal for its background colour in
// its package initialisation, before main, for every command, and waits
// up to 5 seconds for an answer that a terminal which ignores the query
// never sends. The query is skipped when TERM is dumb (or screen, tmux).
// This package, imported only for that, is initialised before Bubble Tea
// (it depends on nothing that Bubble Tea does not; the wizard's tests hold
// the order) and sets TERM=dumb for the rest of the initialisation; the
// wizard's init function, which runs after every imported package's, puts
// the user's TERM back with Restore before main. Without an answer the
// styles take the background from COLORFGBG, else dark: what a
// non-answering terminal gets anyway, minus the wait.
package termquery

import (
	"os"
	"strings"
)

var (
	term     string
	hadTerm  bool
	replaced bool
)

func init() {
	if os.Getenv("KUBELB_AI_TERM_QUERY") != "" {
		return // let the terminal be asked, as Bubble Tea does
	}
	term, hadTerm = os.LookupEnv("TERM")
	for _, skipped := range []string{"dumb", "screen", "tmux"} {
		if strings.HasPrefix(term, skipped) {
			return // not asked anyway
		}
	}
	if fi, err := os.Stdout.Stat(); err != nil || fi.Mode()&os.ModeCharDevice == 0 {
		return // only a terminal on standard output is asked
	}
	replaced = os.Setenv("TERM", "dumb") == nil
}

// Replaced says whether TERM is set aside until Restore.
func Replaced() bool { return replaced }

// Restore puts the user's TERM back.
func Restore() {
	if !replaced {
		return
	}
	replaced = false
	if hadTerm {
		_ = os.Setenv("TERM", term)
	} else {
		_ = os.Unsetenv("TERM")
	}
}
