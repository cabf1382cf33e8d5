package quota

import (
	"context"
	"errors"
	"sync"
)

// Memory counts in this process: the service's semantics without a
// service, for one gateway replica.
type Memory struct {
	*evaluator
	store *memoryCounters
}

// NewMemory returns an engine for cfg whose windows follow clock (nil:
// time.Now).
func NewMemory(cfg *Config, clock Clock) *Memory {
	m := &memoryCounters{counts: map[string]memoryCount{}, max: maxCounters}
	e := newEvaluator(cfg, clock, m)
	m.clock = e.clock
	return &Memory{evaluator: e, store: m}
}

type memoryCounters struct {
	clock Clock
	max   int

	mu     sync.Mutex
	counts map[string]memoryCount
	calls  int
}

type memoryCount struct {
	n       uint64
	expires int64 // Unix seconds
}

// sweepEvery bounds the work of dropping ended windows' counters.
const sweepEvery = 1024

// maxCounters bounds the counters one process keeps (a few tens of MiB):
// every distinct key value (a header a client chooses, say) is a counter,
// and without a bound a client could grow the map until the window ends.
// Past it a request gets no answer, and the limit's failure mode decides.
const maxCounters = 1 << 18

// errTooManyCounters is the in-process engine out of room.
var errTooManyCounters = errors.New("the in-process rate-limit engine holds too many counters (distinct limit keys in the current windows); use a rate-limit service or --rate-limit-redis for this many")

func (m *memoryCounters) incr(_ context.Context, keys []string, hits []uint64, ttl []int64) ([]uint64, error) {
	now := m.clock().Unix()
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.calls++; m.calls%sweepEvery == 0 {
		m.sweep(now)
	}
	if len(m.counts)+len(keys) > m.max {
		m.sweep(now)
		for _, k := range keys {
			if _, ok := m.counts[k]; !ok && len(m.counts) >= m.max {
				return nil, errTooManyCounters
			}
		}
	}
	out := make([]uint64, len(keys))
	for i, k := range keys {
		c := m.counts[k]
		if c.expires <= now {
			c.n = 0
		}
		// Like INCRBY then EXPIRE: every hit extends the time to live.
		c.n += hits[i]
		c.expires = now + ttl[i]
		m.counts[k] = c
		out[i] = c.n
	}
	return out, nil
}

// sweep drops the counters of windows that have ended.
func (m *memoryCounters) sweep(now int64) {
	for k, c := range m.counts {
		if c.expires <= now {
			delete(m.counts, k)
		}
	}
}
