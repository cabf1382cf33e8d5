package proxy

import (
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"sync"

	"sigs.k8s.io/yaml"

	"github.com/kubelb-ai/kubelb-ai/dataplane"
	"github.com/kubelb-ai/kubelb-ai/quota"
	"github.com/kubelb-ai/kubelb-ai/spec"
)

// Quotas are the engines global limits count in, kept across reloads so
// that a reload neither forgets the counts nor reconnects: a client of a
// real rate-limit service per address, else the in-process evaluator of
// the limits' configuration, counting in memory, or in Redis when
// RedisURL is set (shared with other serve processes and with a real
// service on the same Redis).
type Quotas struct {
	RedisURL string

	mu      sync.Mutex
	engines map[string]quota.Engine
	closers []io.Closer
}

// Close releases every engine's connections.
func (q *Quotas) Close() error {
	q.mu.Lock()
	defer q.mu.Unlock()
	var errs []error
	for _, c := range q.closers {
		errs = append(errs, c.Close())
	}
	q.closers, q.engines = nil, nil
	return errors.Join(errs...)
}

// engine is the engine of s's global limits and what it is, for the
// summary. The rate-limit service the manifests name is asked when
// --upstream maps its Service; otherwise config (the manifests'
// ConfigMap, or the one generate renders for s) is evaluated here.
func (q *Quotas) engine(s *spec.Spec, config []byte, opts Options) (quota.Engine, string, error) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.engines == nil {
		q.engines = map[string]quota.Engine{}
	}
	if name, _, _, ok := spec.ServiceAddress(s.RateLimitService.Service); ok && opts.Upstreams[name] != nil {
		addr := opts.Upstreams[name].Host
		id := "service " + addr
		if e := q.engines[id]; e != nil {
			return e, id, nil
		}
		svc, err := quota.NewService(addr)
		if err != nil {
			return nil, "", err
		}
		q.engines[id], q.closers = svc, append(q.closers, svc)
		return svc, id, nil
	}
	if len(config) == 0 {
		var err error
		if config, err = yaml.Marshal(dataplane.RateLimitConfigOf(s)); err != nil {
			return nil, "", err
		}
	}
	cfg, err := quota.ParseConfig(config)
	if err != nil {
		return nil, "", fmt.Errorf("the rate-limit service's configuration (ConfigMap %s): %w", dataplane.RateLimitConfigName, err)
	}
	sum := sha256.Sum256(config)
	if q.RedisURL != "" {
		id := fmt.Sprintf("redis %s config %x", q.RedisURL, sum[:8])
		if e := q.engines[id]; e != nil {
			return e, "redis", nil
		}
		r, err := quota.NewRedis(cfg, q.RedisURL, nil)
		if err != nil {
			return nil, "", err
		}
		q.engines[id], q.closers = r, append(q.closers, r)
		return r, "redis", nil
	}
	id := fmt.Sprintf("memory config %x", sum[:8])
	if e := q.engines[id]; e != nil {
		return e, "memory", nil
	}
	m := quota.NewMemory(cfg, nil)
	q.engines[id] = m
	return m, "memory", nil
}
