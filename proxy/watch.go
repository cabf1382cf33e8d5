package proxy

import (
	"context"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"time"
)

// watchInterval is how often Watch looks at the files.
var watchInterval = time.Second

// Watch reloads on SIGHUP and when the files under paths change (their
// names, sizes and times, looked at every second): load reads and checks
// them again, and a configuration it accepts is sent on reload (for
// ServeOptions.Reload); whatever is wrong is logged while the running
// configuration keeps serving. Standard input ("-" among paths) cannot be
// read again, so its reloads are skipped. Watch returns when ctx ends.
func Watch(ctx context.Context, paths []string, load func(context.Context) (*Config, error), reload chan<- *Config, log *slog.Logger) {
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	defer signal.Stop(hup)
	tick := time.NewTicker(watchInterval)
	defer tick.Stop()
	seen := fingerprint(paths)
	for {
		select {
		case <-ctx.Done():
			return
		case <-hup:
		case <-tick.C:
			now := fingerprint(paths)
			if now == seen {
				continue
			}
			seen = now
		}
		if slices.Contains(paths, "-") {
			log.Warn("reload skipped: standard input cannot be read again")
			continue
		}
		cfg, err := load(ctx)
		if err != nil {
			log.Error("reload refused; the running configuration stays", "error", err.Error())
			continue
		}
		select {
		case reload <- cfg:
		case <-ctx.Done():
			return
		}
	}
}

// fingerprint summarises the files' names, sizes and times.
func fingerprint(paths []string) string {
	var b strings.Builder
	for _, p := range paths {
		_ = filepath.WalkDir(p, func(path string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return nil
			}
			if info, err := d.Info(); err == nil {
				fmt.Fprintf(&b, "%s %d %d\n", path, info.Size(), info.ModTime().UnixNano())
			}
			return nil
		})
	}
	return b.String()
}
