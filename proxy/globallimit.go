package proxy

import (
	"context"
	"fmt"
	"log/slog"
	"math"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/kubelb-ai/kubelb-ai/dataplane"
	"github.com/kubelb-ai/kubelb-ai/proxy/expr"
	"github.com/kubelb-ai/kubelb-ai/quota"
	"github.com/kubelb-ai/kubelb-ai/spec"
)

// globalLimit is one of a route's limits counted by a rate-limit engine
// shared with the other replicas (the Spec's scope: global), asked as the
// data plane asks its rate-limit service: one descriptor, the route (or
// its token limit) then the limit's key, evaluated on the request. A key
// that cannot be evaluated (a header the request lacks, a client without
// the metadata) skips the descriptor, and with it the call: the request is
// not limited (agentgateway drops such descriptors, Envoy skips the action).
type globalLimit struct {
	engine quota.Engine
	domain string
	// entry is the descriptor's first entry; key and value its second
	// (none for a limit keyed on the route alone).
	entry quota.Entry
	key   string
	value *expr.Program
	// failOpen lets requests through when the engine cannot answer;
	// otherwise they get 500, as both data planes answer.
	failOpen bool
	timeout  time.Duration
	log      *slog.Logger
	// amends are the token corrections under way, waited for by tests.
	amends sync.WaitGroup
}

// rateLimitTimeout bounds one call to the engine when the options give
// none: a decision on the request path must not wait on a lost service.
const rateLimitTimeout = time.Second

// newGlobalLimit compiles a global limit of route keyed on key; first is
// the descriptor's first key (dataplane.DescriptorRoute or DescriptorTokens).
func newGlobalLimit(s *spec.Spec, engine quota.Engine, route, first, key string, opts Options) (*globalLimit, error) {
	g := &globalLimit{engine: engine, domain: s.RateLimitService.Domain, entry: quota.Entry{Key: first, Value: route},
		failOpen: s.RateLimitService.FailureMode == spec.FailOpen, timeout: opts.RateLimitTimeout, log: opts.Log}
	if g.timeout <= 0 {
		g.timeout = rateLimitTimeout
	}
	if name := dataplane.KeyDescriptor(key); name != "" {
		src := key
		switch kind, header := spec.LimitKeyOf(key); kind {
		case spec.KeyClient:
			src = s.Clients.ClientKey()
		case spec.KeyHeader:
			src = spec.HeaderKey(header)
		}
		p, err := expr.Compile(src)
		if err != nil {
			return nil, fmt.Errorf("the global limit's key %q: %w", key, err)
		}
		g.key, g.value = name, p
	}
	return g, nil
}

// descriptor is the request's descriptor, or false when its key cannot be
// evaluated on it.
func (g *globalLimit) descriptor(v *expr.Vars) ([]quota.Entry, bool) {
	d := []quota.Entry{g.entry}
	if g.value == nil {
		return d, true
	}
	val, err := g.value.String(v)
	if err != nil {
		return nil, false
	}
	return append(d, quota.Entry{Key: g.key, Value: val}), true
}

// check asks the engine for hits (nil: the request's one hit), setting the
// x-ratelimit-* headers (suffixed -tokens for tokens). A refused request
// is answered, in the client's format ad, and check returns the status it
// got (429, or 500 when the engine did not answer and the limit fails
// closed); 0 lets the request go on.
func (g *globalLimit) check(ctx context.Context, w http.ResponseWriter, ad *adapter, v *expr.Vars, hits *uint64, what string) int {
	d, ok := g.descriptor(v)
	if !ok {
		return 0
	}
	ctx, cancel := context.WithTimeout(ctx, g.timeout)
	defer cancel()
	ctx, span := childSpan(ctx, "rate_limit "+g.domain)
	if span != nil {
		ctx = grpcTraceContext(ctx) // a rate-limit service that traces continues the trace
	}
	res, err := g.engine.Check(ctx, quota.Request{Domain: g.domain, Descriptors: [][]quota.Entry{d}, Hits: []*uint64{hits}})
	endLimitSpan(span, res, err)
	if err != nil {
		if g.log != nil {
			g.log.Warn("the rate-limit service did not answer", "error", err.Error(), "failOpen", g.failOpen)
		}
		if g.failOpen {
			return 0
		}
		writeFormatError(w, ad, http.StatusInternalServerError, "rate limit check failed: the rate-limit service did not answer")
		return http.StatusInternalServerError
	}
	suffix := ""
	if what == "tokens" {
		suffix = "-tokens"
	}
	st := tightest(res.Statuses)
	if st != nil {
		secs := int(math.Ceil(st.ResetAfter.Seconds()))
		w.Header().Set("x-ratelimit-limit"+suffix, strconv.FormatUint(uint64(st.Limit.RequestsPerUnit), 10))
		w.Header().Set("x-ratelimit-remaining"+suffix, strconv.FormatUint(uint64(st.Remaining), 10))
		w.Header().Set("x-ratelimit-reset"+suffix, strconv.Itoa(secs))
	}
	if res.Code != quota.OverLimit {
		return 0
	}
	retry := 1
	if st != nil {
		retry = max(int(math.Ceil(st.ResetAfter.Seconds())), 1)
	}
	w.Header().Set("Retry-After", strconv.Itoa(retry))
	writeFormatError(w, ad, http.StatusTooManyRequests, fmt.Sprintf("global %s limit reached; retry in %ds", what, retry))
	return http.StatusTooManyRequests
}

// amend charges tokens the request spent beyond what was charged before it
// (agentgateway's amend call; a negative correction is skipped, as the
// service cannot give back). It runs after the answer, off its path.
func (g *globalLimit) amend(v *expr.Vars, tokens int) {
	if tokens <= 0 {
		return
	}
	d, ok := g.descriptor(v)
	if !ok {
		return
	}
	hits := uint64(tokens)
	g.amends.Go(func() {
		ctx, cancel := context.WithTimeout(context.Background(), g.timeout)
		defer cancel()
		if _, err := g.engine.Check(ctx, quota.Request{Domain: g.domain, Descriptors: [][]quota.Entry{d}, Hits: []*uint64{&hits}}); err != nil && g.log != nil {
			g.log.Warn("the rate-limit service did not take the tokens spent", "error", err.Error(), "tokens", tokens)
		}
	})
}

// tightest is the status with a limit and the fewest left: the limit a
// client meets next (agentgateway reports it in x-ratelimit-*).
func tightest(statuses []quota.Status) *quota.Status {
	var best *quota.Status
	for i := range statuses {
		s := &statuses[i]
		if s.Limit != nil && (best == nil || s.Remaining < best.Remaining) {
			best = s
		}
	}
	return best
}

// globalLimits compiles the Spec's global limits: the routes' request
// limits, by route name, and the token limits, into the routes' policies
// (made for them where a route has none). summary learns the engine.
func globalLimits(m Manifests, opts Options, policies map[string]*policy, summary map[string]any) (map[string]*globalLimit, error) {
	s := &m.Spec.Spec
	if !s.HasGlobalLimit() {
		return nil, nil
	}
	quotas := opts.Quotas
	if quotas == nil {
		quotas = &Quotas{}
	}
	engine, how, err := quotas.engine(s, m.RateLimitConfig, opts)
	if err != nil {
		return nil, err
	}
	summary["globalLimits"] = how
	out := map[string]*globalLimit{}
	for _, r := range s.Routes {
		p := r.Policies
		if p == nil {
			continue
		}
		if l := p.RateLimit; l.Global() {
			if out[r.Name], err = newGlobalLimit(s, engine, r.Name, dataplane.DescriptorRoute, l.Key, opts); err != nil {
				return nil, fmt.Errorf("route %s: %w", r.Name, err)
			}
		}
		if l := p.TokenLimit; l.Global() {
			pol := policies[r.Name]
			if pol == nil {
				pol = &policy{}
				policies[r.Name] = pol
			}
			if pol.globalTokens, err = newGlobalLimit(s, engine, r.Name, dataplane.DescriptorTokens, l.Key, opts); err != nil {
				return nil, fmt.Errorf("route %s: %w", r.Name, err)
			}
		}
	}
	return out, nil
}
