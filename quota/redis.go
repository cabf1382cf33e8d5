package quota

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
)

// Redis keeps the counters in Redis under the rate-limit service's key
// names, with its INCRBY and EXPIRE pipeline, so gateway replicas and a
// real service on the same Redis count together.
type Redis struct {
	*evaluator
	client *redis.Client
}

// NewRedis returns an engine for cfg counting in the Redis at addr, either
// host:port or a redis:// URL; its windows follow clock (nil: time.Now).
// Close releases the connections.
func NewRedis(cfg *Config, addr string, clock Clock) (*Redis, error) {
	opts := &redis.Options{Addr: addr}
	if strings.Contains(addr, "://") {
		var err error
		if opts, err = redis.ParseURL(addr); err != nil {
			return nil, fmt.Errorf("redis address: %w", err)
		}
	}
	// A limit decision sits on the request path: fail fast rather than
	// queue behind an unreachable server.
	opts.DialTimeout = time.Second
	opts.ReadTimeout = time.Second
	opts.WriteTimeout = time.Second
	opts.DialerRetries = 1
	// Never resend a pipeline: an INCRBY whose reply was lost may have
	// counted, and counting it twice would break exactness.
	opts.MaxRetries = -1
	c := redis.NewClient(opts)
	return &Redis{evaluator: newEvaluator(cfg, clock, redisCounters{c}), client: c}, nil
}

// Close closes the connections to Redis.
func (r *Redis) Close() error { return r.client.Close() }

type redisCounters struct{ c *redis.Client }

// incr sends, as the service does, INCRBY key hits and EXPIRE key ttl for
// each key in one pipeline (not a transaction: each INCRBY is atomic on its
// own, which is all a fixed window needs).
func (r redisCounters) incr(ctx context.Context, keys []string, hits []uint64, ttl []int64) ([]uint64, error) {
	pipe := r.c.Pipeline()
	cmds := make([]*redis.IntCmd, len(keys))
	for i, k := range keys {
		cmds[i] = pipe.IncrBy(ctx, k, int64(hits[i]))
		pipe.Expire(ctx, k, time.Duration(ttl[i])*time.Second)
	}
	if _, err := pipe.Exec(ctx); err != nil {
		return nil, fmt.Errorf("redis: %w", err)
	}
	out := make([]uint64, len(keys))
	for i, cmd := range cmds {
		out[i] = uint64(cmd.Val())
	}
	return out, nil
}
