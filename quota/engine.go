package quota

import (
	"context"
	"errors"
	"math"
	"strconv"
	"strings"
	"time"
)

// Engine answers envoy.service.ratelimit.v3.RateLimitService/ShouldRateLimit:
// one Status per descriptor, in order, and an overall Code. hitsAddend is
// what the request costs (0 counts as 1, as in the service); a token limit
// charges an estimate first and amends with the remainder after the
// response. An error means no answer: the caller applies its failure mode.
type Engine interface {
	Check(ctx context.Context, req Request) (Result, error)
}

// Request mirrors RateLimitRequest: the domain, the descriptors, and what
// the request costs. Hits, when set, are the descriptors' own hits_addend
// (nil for one: HitsAddend), as agentgateway sends them; a descriptor's
// own 0 checks the limit without counting, where HitsAddend 0 counts 1.
type Request struct {
	Domain      string
	Descriptors [][]Entry
	Hits        []*uint64
	HitsAddend  uint32
}

// hits is what descriptor i costs.
func (r Request) hits(i int) uint64 {
	if i < len(r.Hits) && r.Hits[i] != nil {
		return *r.Hits[i]
	}
	return uint64(max(r.HitsAddend, 1))
}

// Entry is one key/value pair of a descriptor.
type Entry struct {
	Key, Value string
}

// Code mirrors RateLimitResponse.Code.
type Code int32

// The codes of RateLimitResponse.Code.
const (
	Unknown   Code = 0
	OK        Code = 1
	OverLimit Code = 2
)

func (c Code) String() string {
	switch c {
	case OK:
		return "OK"
	case OverLimit:
		return "OVER_LIMIT"
	}
	return "UNKNOWN"
}

// Limit mirrors RateLimitResponse.RateLimit.
type Limit struct {
	RequestsPerUnit uint32
	Unit            Unit
	Name            string
}

// Status mirrors RateLimitResponse.DescriptorStatus. Limit is nil when no
// limit applies to the descriptor; an unlimited descriptor has Limit nil
// and Remaining math.MaxUint32.
type Status struct {
	Code       Code
	Limit      *Limit
	Remaining  uint32
	ResetAfter time.Duration
}

// Result mirrors RateLimitResponse.
type Result struct {
	Code     Code
	Statuses []Status
}

// Clock returns the current time; nil means time.Now.
type Clock func() time.Time

// counters adds to the counters of fixed windows: keys[i] by hits, kept
// for ttl[i] seconds (the window's length; the key names the window, so
// the time to live only frees memory). It returns the new totals.
type counters interface {
	incr(ctx context.Context, keys []string, hits []uint64, ttl []int64) ([]uint64, error)
}

// evaluator is the service's logic over a counter store: the part the
// in-process and Redis engines share.
type evaluator struct {
	cfg   *Config
	clock Clock
	store counters
}

func newEvaluator(cfg *Config, clock Clock, store counters) *evaluator {
	if clock == nil {
		clock = time.Now
	}
	return &evaluator{cfg: cfg, clock: clock, store: store}
}

var (
	errNoDomain      = errors.New("rate limit domain must not be empty")
	errNoDescriptors = errors.New("rate limit descriptor list must not be empty")
)

// ShouldRateLimit is Check with one cost for every descriptor.
func (e *evaluator) ShouldRateLimit(ctx context.Context, domain string, descriptors [][]Entry, hitsAddend uint32) (Result, error) {
	return e.Check(ctx, Request{Domain: domain, Descriptors: descriptors, HitsAddend: hitsAddend})
}

func (e *evaluator) Check(ctx context.Context, req Request) (Result, error) {
	domain, descriptors := req.Domain, req.Descriptors
	if domain == "" {
		return Result{}, errNoDomain
	}
	if len(descriptors) == 0 {
		return Result{}, errNoDescriptors
	}

	rules := make([]*rule, len(descriptors))
	unlimited := make([]bool, len(descriptors))
	replaced := map[string]bool{}
	for i, d := range descriptors {
		r := e.cfg.lookup(domain, d)
		if r == nil {
			continue
		}
		for _, name := range r.Replaces {
			replaced[name] = true
		}
		if r.Unlimited {
			unlimited[i] = true
			continue
		}
		rules[i] = r
	}
	// A limit another matched limit replaces is not counted at all.
	for i, r := range rules {
		if r != nil && r.Name != "" && replaced[r.Name] {
			rules[i] = nil
		}
	}

	now := e.clock()
	var keys []string
	var ttls []int64
	var hits []uint64
	var at []int
	for i, r := range rules {
		if r == nil {
			continue
		}
		start, _ := window(r.Unit, now)
		keys = append(keys, cacheKey(domain, descriptors[i], start))
		ttls = append(ttls, r.Unit.Seconds())
		hits = append(hits, req.hits(i))
		at = append(at, i)
	}
	counts := make([]uint64, len(descriptors))
	if len(keys) > 0 {
		got, err := e.store.incr(ctx, keys, hits, ttls)
		if err != nil {
			return Result{}, err
		}
		for j, i := range at {
			counts[i] = got[j]
		}
	}

	res := Result{Code: OK, Statuses: make([]Status, len(descriptors))}
	for i, r := range rules {
		switch {
		case unlimited[i]:
			res.Statuses[i] = Status{Code: OK, Remaining: math.MaxUint32}
		case r == nil:
			res.Statuses[i] = Status{Code: OK}
		default:
			res.Statuses[i] = status(r, counts[i], now)
			if res.Statuses[i].Code == OverLimit {
				if r.quota {
					// Quota mode reports the violation but lets it pass;
					// the service drops the reset time here.
					res.Statuses[i] = Status{Code: OK, Limit: res.Statuses[i].Limit}
				} else {
					res.Code = OverLimit
				}
			}
		}
	}
	return res, nil
}

// status is one limited descriptor's answer: over the limit when the total
// after adding this request's hits exceeds requests_per_unit.
func status(r *rule, total uint64, now time.Time) Status {
	_, reset := window(r.Unit, now)
	s := Status{Limit: &Limit{RequestsPerUnit: r.RequestsPerUnit, Unit: r.Unit, Name: r.Name}, ResetAfter: reset}
	if total > uint64(r.RequestsPerUnit) {
		s.Code = OverLimit
		if r.shadow {
			s.Code = OK
		}
		return s
	}
	s.Code = OK
	s.Remaining = uint32(uint64(r.RequestsPerUnit) - total)
	return s
}

// cacheKey is the counter's name in envoyproxy/ratelimit's layout (with
// the default empty CACHE_KEY_PREFIX): domain_key1_value1_key2_value2_<start
// of the window in Unix seconds>. The request's values are used even when
// a key-only descriptor matched, so each value has its own counter.
func cacheKey(domain string, entries []Entry, windowStart int64) string {
	var b strings.Builder
	b.WriteString(domain)
	b.WriteByte('_')
	for _, e := range entries {
		b.WriteString(e.Key)
		b.WriteByte('_')
		b.WriteString(e.Value)
		b.WriteByte('_')
	}
	b.WriteString(strconv.FormatInt(windowStart, 10))
	return b.String()
}
