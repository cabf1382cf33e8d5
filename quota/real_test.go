package quota

import (
	"context"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/kubelb-ai/kubelb-ai/internal/testenv"
)

// Tests against the real components: redis-server and envoyproxy/ratelimit
// (make ratelimit-tools). Without them they skip, and fail under CI=true.

func newRedisEngine(t *testing.T, cfg *Config, addr string, clock Clock) *Redis {
	t.Helper()
	r, err := NewRedis(cfg, addr, clock)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = r.Close() })
	return r
}

func newServiceEngine(t *testing.T, addr string) *Service {
	t.Helper()
	s, err := NewService(addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

func call(t *testing.T, e Engine, domain string, desc [][]Entry, hits uint32) Result {
	t.Helper()
	return check(t, e, Request{Domain: domain, Descriptors: desc, HitsAddend: hits})
}

func check(t *testing.T, e Engine, req Request) Result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	r, err := e.Check(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

const traceConfig = `
domain: trace
descriptors:
- key: client
  value: gold
  rate_limit: {unit: second, requests_per_unit: 4}
- key: client
  rate_limit: {unit: second, requests_per_unit: 2}
- key: route
  value: chat
  descriptors:
  - key: client
    rate_limit: {unit: second, requests_per_unit: 3, name: chat-client}
- key: tier
  value: free
  rate_limit: {unlimited: true, replaces: [{name: chat-client}]}
- key: shadow
  shadow_mode: true
  rate_limit: {unit: second, requests_per_unit: 1}
`

type traceStep struct {
	desc [][]Entry
	hits uint32
	// each are the descriptors' own hits_addend, as agentgateway sends
	// them (a nil entry: hits).
	each []*uint64
}

func n(v uint64) *uint64 { return &v }

// traceWindow is a run of requests within one one-second window, offset
// seconds after the first.
type traceWindow struct {
	offset int64
	steps  []traceStep
}

func one(k, v string) [][]Entry { return [][]Entry{{{k, v}}} }

var chatCarol = []Entry{{"route", "chat"}, {"client", "carol"}}

var trace = []traceWindow{
	{0, []traceStep{
		{one("client", "alice"), 1, nil},
		{one("client", "alice"), 1, nil},
		{one("client", "alice"), 1, nil},
		{one("client", "bob"), 1, nil},
		{one("client", "gold"), 3, nil},
		{one("client", "gold"), 2, nil},
		{[][]Entry{chatCarol, {{"client", "carol"}}}, 1, nil},
		{[][]Entry{chatCarol, {{"tier", "free"}}}, 1, nil},
		{[][]Entry{chatCarol, {{"client", "carol"}}}, 1, nil},
		{[][]Entry{chatCarol, {{"client", "carol"}}}, 1, nil},
		{one("shadow", "x"), 1, nil},
		{one("shadow", "x"), 1, nil},
		{one("unknown", "x"), 1, nil},
		{one("client", "dave"), 0, nil},
		{one("client", "erin"), 1, []*uint64{n(0)}},                                       // a check that counts nothing
		{one("client", "erin"), 1, []*uint64{n(2)}},                                       // the limit exactly
		{one("client", "erin"), 5, []*uint64{n(0)}},                                       // at the limit, not over it
		{[][]Entry{{{"client", "erin"}}, {{"client", "frank"}}}, 1, []*uint64{nil, n(3)}}, // own and request-wide costs mixed
	}},
	{1, []traceStep{ // the next window starts afresh
		{one("client", "alice"), 1, nil},
		{one("client", "gold"), 4, nil},
		{one("client", "gold"), 1, nil},
	}},
	{3, []traceStep{ // after an idle window
		{one("client", "alice"), 1, nil},
		{one("client", "alice"), 1, nil},
		{one("client", "alice"), 1, nil},
	}},
}

// The trace's answers, one line per request: the overall code, then each
// descriptor's code and remaining count.
var traceWant = strings.TrimSpace(`
OK: OK/1
OK: OK/0
OVER_LIMIT: OVER_LIMIT/0
OK: OK/1
OK: OK/1
OVER_LIMIT: OVER_LIMIT/0
OK: OK/2 OK/1
OK: OK/0 OK/4294967295
OK: OK/1 OK/0
OVER_LIMIT: OK/0 OVER_LIMIT/0
OK: OK/0
OK: OK/0
OK: OK/0
OK: OK/1
OK: OK/2
OK: OK/0
OK: OK/0
OVER_LIMIT: OVER_LIMIT/0 OVER_LIMIT/0
OK: OK/1
OK: OK/0
OVER_LIMIT: OVER_LIMIT/0
OK: OK/1
OK: OK/0
OVER_LIMIT: OVER_LIMIT/0
`)

func summary(results []Result) string {
	var lines []string
	for _, r := range results {
		line := r.Code.String() + ":"
		for _, s := range r.Statuses {
			line += fmt.Sprintf(" %s/%d", s.Code, s.Remaining)
		}
		lines = append(lines, line)
	}
	return strings.Join(lines, "\n")
}

// runTraceClock plays the trace on an engine whose windows follow clock.
func runTraceClock(t *testing.T, e Engine, clock *fakeClock) []Result {
	base := time.Unix(1700000000, 250_000_000)
	var out []Result
	for _, w := range trace {
		clock.set(base.Add(time.Duration(w.offset) * time.Second))
		for _, s := range w.steps {
			out = append(out, check(t, e, Request{Domain: "trace", Descriptors: s.desc, HitsAddend: s.hits, Hits: s.each}))
		}
	}
	return out
}

// runTraceWallClock plays the trace on the real service, each window's
// requests within one second of the wall clock. It reports false if a
// window's requests straddled a second.
func runTraceWallClock(t *testing.T, e Engine) ([]Result, bool) {
	untilNext := func() time.Duration { return time.Until(time.Now().Truncate(time.Second).Add(time.Second)) }
	time.Sleep(untilNext() + 20*time.Millisecond)
	first := time.Now().Unix()
	var out []Result
	for _, w := range trace {
		for time.Now().Unix() < first+w.offset {
			time.Sleep(untilNext() + 20*time.Millisecond)
		}
		for _, s := range w.steps {
			out = append(out, check(t, e, Request{Domain: "trace", Descriptors: s.desc, HitsAddend: s.hits, Hits: s.each}))
		}
		if time.Now().Unix() != first+w.offset {
			return nil, false
		}
	}
	return out, true
}

// TestSameTraceSameAnswers plays one request trace (several keys, nested
// descriptors, replaces, unlimited, shadow mode, hits_addend, window
// rollover) through the in-process engine, the Redis engine and the real
// service: the answers must be identical, field by field.
func TestSameTraceSameAnswers(t *testing.T) {
	cfg := mustParse(t, traceConfig)
	redisAddr := testenv.StartRedis(t)
	rls := testenv.StartRateLimit(t, redisAddr, []byte(traceConfig))

	memClock := &fakeClock{}
	mem := runTraceClock(t, NewMemory(cfg, memClock.now), memClock)
	if got := summary(mem); got != traceWant {
		t.Fatalf("in-process engine:\n%s\nwant:\n%s", got, traceWant)
	}

	redisClock := &fakeClock{}
	red := runTraceClock(t, newRedisEngine(t, cfg, redisAddr, redisClock.now), redisClock)

	svc := newServiceEngine(t, rls)
	var real []Result
	for attempt := 0; ; attempt++ {
		var ok bool
		if real, ok = runTraceWallClock(t, svc); ok {
			break
		}
		if attempt == 2 {
			t.Fatal("the trace's windows kept straddling a second of the wall clock")
		}
	}
	for i := range mem {
		if !reflect.DeepEqual(mem[i], red[i]) {
			t.Errorf("request %d: in-process %s, Redis %s", i, fmtResult(mem[i]), fmtResult(red[i]))
		}
		if !reflect.DeepEqual(mem[i], real[i]) {
			t.Errorf("request %d: in-process %s, service %s", i, fmtResult(mem[i]), fmtResult(real[i]))
		}
	}
}

// TestRedisEnginesShareCounts: two Redis engines (as two serve processes)
// under many concurrent requests on two keys allow exactly
// requests_per_unit per key, and the counters hold every hit.
func TestRedisEnginesShareCounts(t *testing.T) {
	const limit, workers, perWorker = 40, 16, 25 // 400 requests, 200 per key
	cfg := mustParse(t, fmt.Sprintf("domain: d\ndescriptors:\n- key: client\n  rate_limit: {unit: minute, requests_per_unit: %d}\n", limit))
	addr := testenv.StartRedis(t)
	now := time.Unix(1764808935, 0)
	clock := func() time.Time { return now }
	engines := []Engine{newRedisEngine(t, cfg, addr, clock), newRedisEngine(t, cfg, addr, clock)}

	allowed := concurrentClients(t, engines, "d", workers, perWorker)
	for _, c := range []string{"alice", "bob"} {
		if allowed[c] != limit {
			t.Errorf("%s: %d allowed, want exactly %d", c, allowed[c], limit)
		}
	}
	rc := redis.NewClient(&redis.Options{Addr: addr})
	defer rc.Close()
	for _, c := range []string{"alice", "bob"} {
		key := fmt.Sprintf("d_client_%s_%d", c, now.Unix()/60*60)
		n, err := rc.Get(context.Background(), key).Int()
		if err != nil || n != workers*perWorker/2 {
			t.Errorf("GET %s = %d, %v; want %d", key, n, err, workers*perWorker/2)
		}
		if ttl := rc.TTL(context.Background(), key).Val(); ttl <= 0 || ttl > time.Minute {
			t.Errorf("TTL %s = %s, want within a minute (EXPIRE by the window's length)", key, ttl)
		}
	}
}

// TestEnginesShareCounters: the real service and a Redis engine on the
// same Redis count together, because the engine uses the service's keys;
// under concurrency the pair allows exactly requests_per_unit per key.
func TestEnginesShareCounters(t *testing.T) {
	const limit, workers, perWorker = 30, 12, 20 // 240 requests, 120 per key
	conf := fmt.Sprintf("domain: shared\ndescriptors:\n- key: client\n  rate_limit: {unit: hour, requests_per_unit: %d}\n", limit)
	cfg := mustParse(t, conf)
	redisAddr := testenv.StartRedis(t)
	rls := testenv.StartRateLimit(t, redisAddr, []byte(conf))
	engines := []Engine{newServiceEngine(t, rls), newRedisEngine(t, cfg, redisAddr, nil)}

	hour := time.Now().Unix() / 3600
	allowed := concurrentClients(t, engines, "shared", workers, perWorker)
	if time.Now().Unix()/3600 != hour {
		t.Skip("an hour ended during the test; counts span two windows")
	}
	for _, c := range []string{"alice", "bob"} {
		if allowed[c] != limit {
			t.Errorf("%s: %d allowed, want exactly %d", c, allowed[c], limit)
		}
	}
	rc := redis.NewClient(&redis.Options{Addr: redisAddr})
	defer rc.Close()
	keys, err := rc.Keys(context.Background(), "*").Result()
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(keys)
	want := []string{fmt.Sprintf("shared_client_alice_%d", hour*3600), fmt.Sprintf("shared_client_bob_%d", hour*3600)}
	if got := strings.Join(keys, " "); got != strings.Join(want, " ") {
		t.Errorf("Redis keys %s, want %s", got, strings.Join(want, " "))
	}
}

// concurrentClients runs workers goroutines, spread over engines, each
// sending perWorker requests alternating between clients alice and bob;
// it returns how many each client was allowed.
func concurrentClients(t *testing.T, engines []Engine, domain string, workers, perWorker int) map[string]int {
	var alice, bob atomic.Int64
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for w := range workers {
		e := engines[w%len(engines)]
		wg.Go(func() {
			for i := range perWorker {
				client, n := "alice", &alice
				if (w+i)%2 == 1 {
					client, n = "bob", &bob
				}
				ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
				r, err := e.Check(ctx, Request{Domain: domain, Descriptors: one("client", client), HitsAddend: 1})
				cancel()
				if err != nil {
					errs <- err
					return
				}
				if r.Code == OK {
					n.Add(1)
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	return map[string]int{"alice": int(alice.Load()), "bob": int(bob.Load())}
}

// TestTokenAmend: a token limit is charged an estimate before the request
// and amended with the remainder after it (hits_addend, as agentgateway
// does for unit: Tokens); the same sequence answers alike on every engine.
func TestTokenAmend(t *testing.T) {
	const conf = "domain: tokens\ndescriptors:\n- key: client\n  rate_limit: {unit: hour, requests_per_unit: 100}\n"
	cfg := mustParse(t, conf)
	redisAddr := testenv.StartRedis(t)
	rls := testenv.StartRateLimit(t, redisAddr, []byte(conf))
	steps := []struct {
		client string
		hits   uint32
		want   string
	}{
		{"alice", 10, "OK: OK/90"},                // estimate before the first request
		{"alice", 35, "OK: OK/55"},                // amend: it used 45
		{"alice", 10, "OK: OK/45"},                // estimate before the second
		{"alice", 50, "OVER_LIMIT: OVER_LIMIT/0"}, // amend past the budget: 105 used
		{"alice", 1, "OVER_LIMIT: OVER_LIMIT/0"},  // the next request is refused
		{"bob", 100, "OK: OK/0"},                  // another client's budget is its own
	}
	engines := map[string]Engine{
		"in-process": NewMemory(cfg, nil),
		"Redis":      newRedisEngine(t, cfg, redisAddr, nil),
		"service":    newServiceEngine(t, rls),
	}
	for _, name := range []string{"in-process", "Redis", "service"} {
		t.Run(name, func(t *testing.T) {
			// Engines share the Redis: each uses its own client values.
			suffix := "-" + strings.ToLower(strings.ReplaceAll(name, " ", ""))
			for attempt := 0; ; attempt++ {
				hour := time.Now().Unix() / 3600
				var got []string
				for _, s := range steps {
					r := call(t, engines[name], "tokens", one("client", s.client+suffix+fmt.Sprint(attempt)), s.hits)
					got = append(got, summary([]Result{r}))
				}
				if time.Now().Unix()/3600 != hour && attempt == 0 {
					continue // an hour ended mid-sequence: once more in the next
				}
				for i, s := range steps {
					if got[i] != s.want {
						t.Errorf("step %d (%s +%d): got %s, want %s", i, s.client, s.hits, got[i], s.want)
					}
				}
				return
			}
		})
	}
}
