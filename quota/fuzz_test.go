package quota

import (
	"context"
	"strings"
	"testing"
	"time"
)

// Any configuration file is parsed or refused with an error, never a
// panic; one that parses answers any descriptor without panicking, and
// never more than its own limits allow.
func FuzzParseConfig(f *testing.F) {
	f.Add([]byte(traceConfig), "client", "gold")
	f.Add([]byte("domain: d\ndescriptors:\n- key: k\n  value: v\n  rate_limit: {unit: day, requests_per_unit: 3}\n"), "k", "v")
	f.Add([]byte("domain: d\ndescriptors:\n- key: a\n  descriptors:\n  - key: b\n    rate_limit: {unlimited: true}\n"), "a", "")
	f.Add([]byte("{"), "", "")
	f.Fuzz(func(t *testing.T, data []byte, key, value string) {
		cfg, err := ParseConfig(data)
		if err != nil {
			return
		}
		m := NewMemory(cfg, func() time.Time { return time.Unix(1_700_000_000, 0) })
		res, err := m.ShouldRateLimit(context.Background(), cfg.Domain, [][]Entry{{{Key: key, Value: value}}}, 1)
		if err != nil {
			if cfg.Domain == "" || strings.Contains(err.Error(), "counters") {
				return
			}
			t.Fatalf("in-process engine: %v", err)
		}
		if len(res.Statuses) != 1 {
			t.Fatalf("%d statuses for one descriptor", len(res.Statuses))
		}
	})
}
