package proxy

import (
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/kubelb-ai/kubelb-ai/internal/fakeprovider"
	"github.com/kubelb-ai/kubelb-ai/spec"
	"github.com/kubelb-ai/kubelb-ai/templates"
)

// kgateway's bucket refills all at once at each interval; agentgateway's
// refills continuously and adds the burst.
func TestLimiterSemantics(t *testing.T) {
	clock := time.Unix(0, 0)
	now := func() time.Time { return clock }

	k := NewLimiter(templates.KgatewayV21, spec.RequestLimit{Requests: 3, Per: spec.PerMinute})
	k.now, k.last = now, clock
	for i := range 3 {
		if ok, rem, _ := k.Allow(); !ok || rem != 2-i {
			t.Fatalf("kgateway request %d: ok %v remaining %d", i, ok, rem)
		}
	}
	if ok, _, reset := k.Allow(); ok || reset != time.Minute {
		t.Fatalf("kgateway 4th: ok %v reset %v", ok, reset)
	}
	clock = clock.Add(59 * time.Second)
	if ok, _, reset := k.Allow(); ok || reset != time.Second {
		t.Errorf("kgateway refilled before the interval ended (reset %v)", reset)
	}
	clock = clock.Add(time.Second)
	if ok, rem, _ := k.Allow(); !ok || rem != 2 {
		t.Errorf("kgateway after the interval: ok %v remaining %d", ok, rem)
	}

	clock = time.Unix(0, 0)
	a := NewLimiter(templates.Agentgateway, spec.RequestLimit{Requests: 60, Per: spec.PerMinute, Burst: 2})
	a.now, a.last = now, clock
	for i := range 62 {
		if ok, _, _ := a.Allow(); !ok {
			t.Fatalf("agentgateway request %d of 62 (60 + burst 2) refused", i)
		}
	}
	if ok, _, _ := a.Allow(); ok {
		t.Fatal("agentgateway allowed past its budget")
	}
	clock = clock.Add(time.Second) // one request per second comes back
	if ok, _, _ := a.Allow(); !ok {
		t.Error("agentgateway did not refill continuously")
	}
	if ok, _, _ := a.Allow(); ok {
		t.Error("agentgateway refilled too much")
	}
}

// Exactly the budget gets through 200 concurrent clients; the rest get 429
// with Retry-After and the x-ratelimit headers, and never reach the
// provider.
func TestRateLimitExactUnderConcurrency(t *testing.T) {
	for _, target := range []string{templates.KgatewayV21, templates.Agentgateway} {
		t.Run(target, func(t *testing.T) {
			f := fakeprovider.New(t, fakeprovider.OpenAI, "k")
			base, _ := startServe(t, target, spec.Options{Providers: []string{"openai"}, RateLimit: "50/hour"},
				map[string]*fakeprovider.Server{"openai": f})
			var ok, limited, other atomic.Int32
			var wg sync.WaitGroup
			for range 200 {
				wg.Go(func() {
					resp, err := http.Post(base+"/openai/v1/chat/completions", "application/json", strings.NewReader(chat))
					if err != nil {
						other.Add(1)
						return
					}
					resp.Body.Close()
					switch {
					case resp.StatusCode == 200:
						ok.Add(1)
					case resp.StatusCode == 429 && resp.Header.Get("Retry-After") != "" && resp.Header.Get("x-ratelimit-remaining") == "0" && resp.Header.Get("x-ratelimit-limit") == "50":
						limited.Add(1)
					default:
						other.Add(1)
					}
				})
			}
			wg.Wait()
			if ok.Load() != 50 || limited.Load() != 150 || other.Load() != 0 || len(f.Requests()) != 50 {
				t.Errorf("%d ok, %d limited, %d other; the provider saw %d", ok.Load(), limited.Load(), other.Load(), len(f.Requests()))
			}
		})
	}
}
