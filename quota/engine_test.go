package quota

import (
	"context"
	"errors"
	"math"
	"net"
	"reflect"
	"sync"
	"testing"
	"time"
)

// fakeClock is a settable Clock for the in-process and Redis engines.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t
}

func mustParse(t testing.TB, yaml string) *Config {
	t.Helper()
	cfg, err := ParseConfig([]byte(yaml))
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

func TestCacheKey(t *testing.T) {
	// The service's layout (src/limiter/cache_key.go), checked against
	// the real service's keys in TestEnginesShareCounters.
	got := cacheKey("kubelb-ai", []Entry{{"route", "chat"}, {"client", "alice"}}, 1764806400)
	if want := "kubelb-ai_route_chat_client_alice_1764806400"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestWindow(t *testing.T) {
	now := time.Unix(1764808935, 500_000_000) // 2025-12-04 00:42:15.5 UTC
	tests := []struct {
		unit  Unit
		start int64
		reset time.Duration
	}{
		{Second, 1764808935, time.Second},
		{Minute, 1764808920, 45 * time.Second},
		{Hour, 1764806400, 17*time.Minute + 45*time.Second},
		{Day, 1764806400, 23*time.Hour + 17*time.Minute + 45*time.Second},
		{Week, 1764806400 - 1764806400%(7*86400), time.Duration(7*86400-1764808935%(7*86400)) * time.Second},
	}
	for _, tt := range tests {
		start, reset := window(tt.unit, now)
		if start != tt.start || reset != tt.reset {
			t.Errorf("%s: got start %d reset %s, want %d %s", tt.unit, start, reset, tt.start, tt.reset)
		}
	}
}

// TestMemorySemantics checks each response field of the service's
// contract on the in-process engine; TestSameTraceSameAnswers then holds
// the Redis engine and the real service to the same answers.
func TestMemorySemantics(t *testing.T) {
	cfg := mustParse(t, `
domain: d
descriptors:
- key: client
  rate_limit: {unit: minute, requests_per_unit: 2, name: per-client}
- key: tier
  value: free
  rate_limit: {unlimited: true, replaces: [{name: per-client}]}
- key: shadow
  shadow_mode: true
  rate_limit: {unit: hour, requests_per_unit: 1}
- key: quota
  quota_mode: true
  rate_limit: {unit: hour, requests_per_unit: 1}
`)
	clock := &fakeClock{t: time.Unix(1764808935, 0)}
	m := NewMemory(cfg, clock.now)
	perClient := &Limit{RequestsPerUnit: 2, Unit: Minute, Name: "per-client"}
	hourly := &Limit{RequestsPerUnit: 1, Unit: Hour}
	untilMinute := 45 * time.Second
	untilHour := 17*time.Minute + 45*time.Second
	steps := []struct {
		name  string
		desc  [][]Entry
		hits  uint32
		after time.Duration // clock advance before the call
		want  Result
	}{
		{"first hit", [][]Entry{{{"client", "a"}}}, 1, 0,
			Result{OK, []Status{{OK, perClient, 1, untilMinute}}}},
		{"hits 0 counts as 1", [][]Entry{{{"client", "a"}}}, 0, 0,
			Result{OK, []Status{{OK, perClient, 0, untilMinute}}}},
		{"over: count after adding exceeds the limit", [][]Entry{{{"client", "a"}}}, 1, 0,
			Result{OverLimit, []Status{{OverLimit, perClient, 0, untilMinute}}}},
		{"another value has its own counter", [][]Entry{{{"client", "b"}}}, 2, 0,
			Result{OK, []Status{{OK, perClient, 0, untilMinute}}}},
		{"unlimited replaces the named limit, which does not count", [][]Entry{{{"client", "b"}}, {{"tier", "free"}}}, 1, 0,
			Result{OK, []Status{{Code: OK}, {Code: OK, Remaining: math.MaxUint32}}}},
		{"no matching descriptor", [][]Entry{{{"model", "x"}}}, 1, 0,
			Result{OK, []Status{{Code: OK}}}},
		{"shadow mode within", [][]Entry{{{"shadow", "x"}}}, 1, 0,
			Result{OK, []Status{{OK, hourly, 0, untilHour}}}},
		{"shadow mode over: OK", [][]Entry{{{"shadow", "x"}}}, 1, 0,
			Result{OK, []Status{{OK, hourly, 0, untilHour}}}},
		{"quota mode over: OK, not in the overall code, no reset", [][]Entry{{{"quota", "x"}}, {{"client", "a"}}}, 2, 0,
			Result{OverLimit, []Status{{Code: OK, Limit: hourly}, {OverLimit, perClient, 0, untilMinute}}}},
		{"the next window starts afresh", [][]Entry{{{"client", "a"}}}, 1, untilMinute,
			Result{OK, []Status{{OK, perClient, 1, time.Minute}}}},
	}
	for _, s := range steps {
		clock.set(clock.now().Add(s.after))
		got, err := m.ShouldRateLimit(context.Background(), "d", s.desc, s.hits)
		if err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
		if !reflect.DeepEqual(got, s.want) {
			t.Errorf("%s:\n got %s\nwant %s", s.name, fmtResult(got), fmtResult(s.want))
		}
	}
	if _, err := m.ShouldRateLimit(context.Background(), "", [][]Entry{{{"client", "a"}}}, 1); err == nil {
		t.Error("empty domain: no error")
	}
	if _, err := m.ShouldRateLimit(context.Background(), "d", nil, 1); err == nil {
		t.Error("no descriptors: no error")
	}
}

func TestMemoryDropsEndedWindows(t *testing.T) {
	cfg := mustParse(t, "domain: d\ndescriptors:\n- key: k\n  rate_limit: {unit: second, requests_per_unit: 1}\n")
	clock := &fakeClock{t: time.Unix(1000, 0)}
	m := NewMemory(cfg, clock.now)
	for i := range sweepEvery {
		clock.set(time.Unix(1000+int64(i), 0))
		if _, err := m.ShouldRateLimit(context.Background(), "d", [][]Entry{{{"k", "v"}}}, 1); err != nil {
			t.Fatal(err)
		}
	}
	m.store.mu.Lock()
	n := len(m.store.counts)
	m.store.mu.Unlock()
	if n != 1 {
		t.Errorf("%d counters kept after %d one-second windows, want 1 (the current)", n, sweepEvery)
	}
}

// Distinct key values are counters; past the bound a new one is an error
// (the failure mode decides), known ones still count, and once their
// windows end there is room again.
func TestMemoryCountersBounded(t *testing.T) {
	cfg := mustParse(t, "domain: d\ndescriptors:\n- key: k\n  rate_limit: {unit: minute, requests_per_unit: 5}\n")
	clock := &fakeClock{t: time.Unix(6000, 0)}
	m := NewMemory(cfg, clock.now)
	m.store.max = 3
	ask := func(v string) error {
		_, err := m.ShouldRateLimit(context.Background(), "d", [][]Entry{{{"k", v}}}, 1)
		return err
	}
	for _, v := range []string{"a", "b", "c"} {
		if err := ask(v); err != nil {
			t.Fatal(err)
		}
	}
	if err := ask("d"); !errors.Is(err, errTooManyCounters) {
		t.Errorf("a fourth counter: err = %v", err)
	}
	if err := ask("a"); err != nil {
		t.Errorf("a known counter past the bound: %v", err)
	}
	clock.set(time.Unix(6060, 0))
	if err := ask("d"); err != nil {
		t.Errorf("after the window ended: %v", err)
	}
}

// TestUnreachableBackendIsAnError: with Redis or the service down the
// engines answer an error, promptly, so the caller can apply its failure
// mode (FailOpen or FailClosed) instead of guessing a code.
func TestUnreachableBackendIsAnError(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := l.Addr().String()
	l.Close()
	cfg := mustParse(t, "domain: d\ndescriptors:\n- key: k\n  rate_limit: {unit: second, requests_per_unit: 1}\n")
	r, err := NewRedis(cfg, closed, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	s, err := NewService(closed)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for name, e := range map[string]Engine{"Redis": r, "service": s} {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		start := time.Now()
		res, err := e.Check(ctx, Request{Domain: "d", Descriptors: [][]Entry{{{"k", "v"}}}, HitsAddend: 1})
		cancel()
		if err == nil {
			t.Errorf("%s: no error, answered %s", name, fmtResult(res))
		}
		if d := time.Since(start); d > time.Second {
			t.Errorf("%s: took %s", name, d)
		}
	}
}
