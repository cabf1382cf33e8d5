package proxy

import (
	"context"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kubelb-ai/kubelb-ai/internal/testenv"
)

// A changed file is loaded again: an accepted configuration is sent, a
// refused one is logged and nothing is sent; standard input is never read
// again.
func TestWatch(t *testing.T) {
	defer func(d time.Duration) { watchInterval = d }(watchInterval)
	watchInterval = 10 * time.Millisecond
	dir := t.TempDir()
	file := filepath.Join(dir, "sub", "routes.yaml")
	os.MkdirAll(filepath.Dir(file), 0o755)
	os.WriteFile(file, []byte("a"), 0o644)

	for _, tc := range []struct {
		name    string
		paths   []string
		loadErr error
		sent    bool
		log     string
	}{
		{"accepted", []string{dir}, nil, true, ""},
		{"refused", []string{dir}, errors.New("bad manifests"), false, `level=ERROR msg="reload refused; the running configuration stays" error="bad manifests"`},
		{"standard input", []string{dir, "-"}, nil, false, `level=WARN msg="reload skipped: standard input cannot be read again"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var logs testenv.Buffer
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			want := &Config{}
			loaded := make(chan struct{}, 10)
			load := func(context.Context) (*Config, error) {
				loaded <- struct{}{}
				return want, tc.loadErr
			}
			reload := make(chan *Config)
			done := make(chan struct{})
			go func() {
				Watch(ctx, tc.paths, load, reload, slog.New(slog.NewTextHandler(&logs, nil)))
				close(done)
			}()
			time.Sleep(50 * time.Millisecond) // unchanged: nothing happens
			if len(loaded) != 0 || logs.String() != "" {
				t.Fatalf("reloaded unchanged files: %d loads, log %q", len(loaded), logs.String())
			}
			os.WriteFile(file, []byte(tc.name), 0o644) // another size
			select {
			case got := <-reload:
				if !tc.sent || got != want {
					t.Errorf("sent %p, want sent=%v", got, tc.sent)
				}
			case <-time.After(time.Second):
				if tc.sent {
					t.Fatal("no configuration sent after the file changed")
				}
			}
			if tc.log != "" && !strings.Contains(logs.String(), tc.log) {
				t.Errorf("log %q, want %s", logs.String(), tc.log)
			}
			if tc.paths[len(tc.paths)-1] == "-" && len(loaded) != 0 {
				t.Error("standard input loaded again")
			}
			cancel()
			select {
			case <-done:
			case <-time.After(time.Second):
				t.Fatal("Watch did not return when its context ended")
			}
		})
	}
}

// The fingerprint changes with a file's size and not otherwise.
func TestFingerprint(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "a.yaml")
	os.WriteFile(file, []byte("a"), 0o644)
	before := fingerprint([]string{dir, "-", filepath.Join(dir, "missing")})
	if !strings.HasPrefix(before, file+" 1 ") || strings.Count(before, "\n") != 1 {
		t.Fatalf("fingerprint %q", before)
	}
	if again := fingerprint([]string{dir, "-", filepath.Join(dir, "missing")}); again != before {
		t.Errorf("unchanged files: %q then %q", before, again)
	}
	os.WriteFile(file, []byte("ab"), 0o644)
	if after := fingerprint([]string{dir}); after == before {
		t.Error("the fingerprint missed a change")
	}
}
