package quota

import (
	"context"
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
	m := &memoryCounters{counts: map[string]memoryCount{}}
	e := newEvaluator(cfg, clock, m)
	m.clock = e.clock
	return &Memory{evaluator: e, store: m}
}

type memoryCounters struct {
	clock Clock

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

func (m *memoryCounters) incr(_ context.Context, keys []string, hits []uint64, ttl []int64) ([]uint64, error) {
	now := m.clock().Unix()
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.calls++; m.calls%sweepEvery == 0 {
		for k, c := range m.counts {
			if c.expires <= now {
				delete(m.counts, k)
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
