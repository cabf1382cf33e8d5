package proxy

import (
	"fmt"
	"math"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/kubelb-ai/kubelb-ai/spec"
	"github.com/kubelb-ai/kubelb-ai/templates"
)

// Limiter is one route's request rate limit with the semantics of the
// target's policy:
//
//   - kgateway (TrafficPolicy rateLimit.local.tokenBucket, and the
//     tutorial's RateLimitPolicy read as one): a bucket of maxTokens that
//     gets tokensPerFill tokens at the end of every fillInterval, in one go;
//   - agentgateway (AgentgatewayPolicy traffic.rateLimit.local): requests
//     per unit plus a burst, refilled continuously.
type Limiter struct {
	mu       sync.Mutex
	capacity float64
	tokens   float64
	// per-fill refill (kgateway) or rate per second (agentgateway)
	fill     float64
	interval time.Duration
	smooth   bool
	last     time.Time
	now      func() time.Time
}

// NewLimiter makes the limiter of l for target.
func NewLimiter(target string, l spec.RequestLimit) *Limiter {
	t, _ := templates.LookupTarget(target)
	return newLimiter(t.Limiter == templates.LimiterSmooth, l)
}

// newLimiter is a smooth limiter or a token bucket.
func newLimiter(smooth bool, l spec.RequestLimit) *Limiter {
	interval := map[string]time.Duration{spec.PerSecond: time.Second, spec.PerMinute: time.Minute, spec.PerHour: time.Hour}[l.Per]
	if interval == 0 {
		interval = time.Second
	}
	lim := &Limiter{capacity: float64(l.Requests), fill: float64(l.Requests), interval: interval, now: time.Now}
	if smooth {
		lim.smooth = true
		lim.capacity = float64(l.Requests + l.Burst)
	}
	lim.tokens = lim.capacity
	lim.last = lim.now()
	return lim
}

// Allow takes a token if there is one, and says how many remain and when
// the next one comes.
func (l *Limiter) Allow() (ok bool, remaining int, reset time.Duration) {
	return l.Take(1)
}

// Take takes n tokens if that many are left, and says how many remain and
// how long until n would be.
func (l *Limiter) Take(n float64) (ok bool, remaining int, reset time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	l.refill(now)
	if l.smooth {
		reset = time.Duration(math.Max(n-l.tokens, 1-math.Mod(math.Max(l.tokens, 0), 1)) / l.fill * float64(l.interval))
	} else {
		reset = l.last.Add(l.interval).Sub(now)
	}
	if l.tokens < n {
		return false, max(int(l.tokens), 0), reset
	}
	l.tokens -= n
	return true, int(l.tokens), reset
}

// Charge takes n tokens whatever is left: what is spent beyond the budget
// is a debt that later takes wait for (a negative n gives tokens back).
func (l *Limiter) Charge(n float64) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.refill(l.now())
	l.tokens = math.Min(l.capacity, l.tokens-n)
}

func (l *Limiter) refill(now time.Time) {
	elapsed := now.Sub(l.last)
	if l.smooth {
		l.tokens = math.Min(l.capacity, l.tokens+elapsed.Seconds()*l.fill/l.interval.Seconds())
		l.last = now
	} else if fills := int64(elapsed / l.interval); fills > 0 {
		l.tokens = math.Min(l.capacity, l.tokens+float64(fills)*l.fill)
		l.last = l.last.Add(time.Duration(fills) * l.interval)
	}
}

// NewTokenLimiter is a route's LLM token budget (agentgateway's local rate
// limit in tokens, and the Spec's token limit): tokens per unit plus a
// burst, refilled continuously.
func NewTokenLimiter(l spec.TokenLimit) *Limiter {
	return newLimiter(true, spec.RequestLimit{Requests: l.Tokens, Per: l.Per, Burst: l.Burst})
}

// admitTokens takes a prompt's estimated tokens from a token budget,
// setting the x-ratelimit-*-tokens headers; once the budget cannot cover
// the prompt it answers 429 with Retry-After and returns false.
func (l *Limiter) admitTokens(w http.ResponseWriter, ad *adapter, n, limit int) bool {
	ok, remaining, reset := l.Take(float64(n))
	secs := int(math.Ceil(reset.Seconds()))
	w.Header().Set("x-ratelimit-limit-tokens", strconv.Itoa(limit))
	w.Header().Set("x-ratelimit-remaining-tokens", strconv.Itoa(remaining))
	w.Header().Set("x-ratelimit-reset-tokens", strconv.Itoa(secs))
	if !ok {
		w.Header().Set("Retry-After", strconv.Itoa(max(secs, 1)))
		writeFormatError(w, ad, http.StatusTooManyRequests, fmt.Sprintf("token limit of the route reached: the prompt needs about %d tokens, %d are left of %d; retry in %ds", n, remaining, limit, max(secs, 1)))
	}
	return ok
}

// admit takes a token for a request, setting the x-ratelimit-* headers; once
// the budget is spent it answers 429 with Retry-After, in the client's
// format ad, and returns false.
func (l *Limiter) admit(w http.ResponseWriter, ad *adapter, limit int) bool {
	ok, remaining, reset := l.Allow()
	secs := int(math.Ceil(reset.Seconds()))
	w.Header().Set("x-ratelimit-limit", strconv.Itoa(limit))
	w.Header().Set("x-ratelimit-remaining", strconv.Itoa(remaining))
	w.Header().Set("x-ratelimit-reset", strconv.Itoa(secs))
	if !ok {
		w.Header().Set("Retry-After", strconv.Itoa(max(secs, 1)))
		writeFormatError(w, ad, http.StatusTooManyRequests, fmt.Sprintf("rate limit of the route reached: %d requests; retry in %ds", limit, max(secs, 1)))
	}
	return ok
}
