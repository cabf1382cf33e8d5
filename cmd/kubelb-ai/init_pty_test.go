//go:build linux

package main

import (
	"fmt"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// On a terminal that answers no query (neither the background colour nor
// the cursor position), the wizard's first question comes at once in both
// modes. tmux answers queries, and termenv asks none under TERM=screen or
// tmux, so this runs the binary on a pseudo-terminal of its own that
// nothing answers, with TERM=xterm-256color. The control run, with the
// query let through (KUBELB_AI_TERM_QUERY=1), shows the terminal is really
// silent: it waits termenv's 5 seconds.
func TestInitFirstPromptOnSilentTerminal(t *testing.T) {
	bin := binary(t)
	for _, c := range []struct {
		name, want string
		args       []string
		env        string
	}{
		{"terminal form", "Target", []string{"init"}, ""},
		{"accessible", "> ", []string{"init", "--accessible"}, ""},
	} {
		took, screen := firstOutput(t, bin, c.want, c.env, c.args...)
		t.Logf("%s: first question after %v", c.name, took)
		if took > 2*time.Second {
			t.Errorf("%s: the first question came after %v:\n%q", c.name, took, screen)
		}
		// The user's TERM is back once the program runs: the form has its
		// 256 colours, the accessible prompts none.
		if colour := strings.Contains(screen, "\x1b[38;5;"); colour != (c.name == "terminal form") {
			t.Errorf("%s: colours %v:\n%q", c.name, colour, screen)
		}
	}
	if testing.Short() {
		return
	}
	took, screen := firstOutput(t, bin, "kubelb-ai", "KUBELB_AI_TERM_QUERY=1", "version")
	t.Logf("control, the terminal asked: version after %v", took)
	if took < 4*time.Second {
		t.Errorf("the control run did not wait for the terminal (%v), so the terminal is not silent and the test proves nothing:\n%s", took, screen)
	}
}

// firstOutput runs bin on a new pseudo-terminal, as its controlling
// terminal in the foreground, and returns how long until its output shows
// want (at most 15 s).
func firstOutput(t *testing.T, bin, want, env string, args ...string) (time.Duration, string) {
	t.Helper()
	master, slave := openPTY(t)
	cmd := exec.Command(bin, args...)
	cmd.Dir = t.TempDir()
	for _, kv := range os.Environ() {
		switch strings.SplitN(kv, "=", 2)[0] {
		case "CI", "TERM", "TMUX", "ACCESSIBLE", "KUBELB_AI_TERM_QUERY", "COLORFGBG":
		default:
			cmd.Env = append(cmd.Env, kv)
		}
	}
	cmd.Env = append(cmd.Env, "TERM=xterm-256color", "KUBECONFIG=/nonexistent", "HOME="+cmd.Dir)
	if env != "" {
		cmd.Env = append(cmd.Env, env)
	}
	cmd.Stdin, cmd.Stdout, cmd.Stderr = slave, slave, slave
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true, Setctty: true, Ctty: 0}
	start := time.Now()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	_ = slave.Close()
	defer func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		_ = master.Close()
	}()
	var (
		mu  sync.Mutex
		out strings.Builder
	)
	go func() {
		buf := make([]byte, 4096)
		for {
			n, err := master.Read(buf)
			mu.Lock()
			out.Write(buf[:n])
			mu.Unlock()
			if err != nil {
				return
			}
		}
	}()
	for {
		mu.Lock()
		screen := out.String()
		mu.Unlock()
		if strings.Contains(screen, want) {
			return time.Since(start), screen
		}
		if time.Since(start) > 15*time.Second {
			t.Fatalf("%s %v never showed %q:\n%q", bin, args, want, screen)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func openPTY(t *testing.T) (master, slave *os.File) {
	t.Helper()
	master, err := os.OpenFile("/dev/ptmx", os.O_RDWR|unix.O_NOCTTY, 0)
	if err != nil {
		t.Skipf("no pseudo-terminal: %v", err)
	}
	fd := int(master.Fd())
	if err := unix.IoctlSetPointerInt(fd, unix.TIOCSPTLCK, 0); err != nil {
		t.Fatal(err)
	}
	n, err := unix.IoctlGetInt(fd, unix.TIOCGPTN)
	if err != nil {
		t.Fatal(err)
	}
	slave, err = os.OpenFile(fmt.Sprintf("/dev/pts/%d", n), os.O_RDWR|unix.O_NOCTTY, 0)
	if err != nil {
		t.Fatal(err)
	}
	// A terminal's size, as a terminal window has: on a 0x0 one the form
	// has no room for its question and shows only its help line.
	if err := unix.IoctlSetWinsize(fd, unix.TIOCSWINSZ, &unix.Winsize{Row: 40, Col: 120}); err != nil {
		t.Fatal(err)
	}
	return master, slave
}
