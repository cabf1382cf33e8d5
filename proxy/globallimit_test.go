package proxy

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"sigs.k8s.io/yaml"

	"github.com/kubelb-ai/kubelb-ai/dataplane"
	"github.com/kubelb-ai/kubelb-ai/internal/fakeprovider"
	"github.com/kubelb-ai/kubelb-ai/internal/testenv"
	"github.com/kubelb-ai/kubelb-ai/quota"
	"github.com/kubelb-ai/kubelb-ai/spec"
	"github.com/kubelb-ai/kubelb-ai/templates"
)

// globalSpec is one OpenAI route with the limits set by edit.
func globalSpec(t *testing.T, target string, edit func(p *spec.Policies)) *spec.AIGateway {
	t.Helper()
	g, err := spec.Options{Target: target, Providers: []string{"openai"}}.Build()
	if err != nil {
		t.Fatal(err)
	}
	r := &g.Spec.Routes[0]
	if r.Policies == nil {
		r.Policies = &spec.Policies{}
	}
	edit(r.Policies)
	g.Spec.RateLimitService = &spec.RateLimitService{Service: "ratelimit.kubelb:8081", Domain: "kubelb-ai", FailureMode: spec.FailClosed}
	if err := spec.Check(g); err != nil {
		t.Fatal(err)
	}
	return g
}

func postTeam(t *testing.T, url, team, body string) *http.Response {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, url, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if team != "" {
		req.Header.Set("X-Team", team)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp
}

// A global request limit keyed on a header counts each value apart, with
// the x-ratelimit-* headers of the service's answer, and 429 +
// Retry-After in the client's format past it. A request without the
// header has no descriptor, so it is not limited (both data planes skip
// it). The in-process engine evaluates the Spec's own configuration.
func TestGlobalRequestLimitKeyedOnHeader(t *testing.T) {
	for _, target := range []string{templates.KgatewayV21, templates.Agentgateway} {
		t.Run(target, func(t *testing.T) {
			g := globalSpec(t, target, func(p *spec.Policies) {
				p.RateLimit = &spec.RequestLimit{Requests: 3, Per: spec.PerHour, Scope: spec.ScopeGlobal, Key: spec.HeaderKey("x-team")}
			})
			f := fakeprovider.New(t, fakeprovider.OpenAI, "k")
			base, _ := serveMaps(t, renderMaps(t, g), map[string]*fakeprovider.Server{"openai": f})
			url := base + "/openai/v1/chat/completions"
			for i := range 3 {
				resp := postTeam(t, url, "a", chat)
				if resp.StatusCode != http.StatusOK {
					t.Fatalf("request %d of team a: %s", i, resp.Status)
				}
				if got, want := resp.Header.Get("x-ratelimit-remaining"), []string{"2", "1", "0"}[i]; got != want || resp.Header.Get("x-ratelimit-limit") != "3" {
					t.Errorf("request %d: x-ratelimit-remaining %q limit %q, want %s of 3", i, got, resp.Header.Get("x-ratelimit-limit"), want)
				}
			}
			resp := postTeam(t, url, "a", chat)
			if resp.StatusCode != http.StatusTooManyRequests || resp.Header.Get("Retry-After") == "" {
				t.Fatalf("team a past its limit: %s, Retry-After %q", resp.Status, resp.Header.Get("Retry-After"))
			}
			if resp := postTeam(t, url, "b", chat); resp.StatusCode != http.StatusOK {
				t.Errorf("team b, counted apart: %s", resp.Status)
			}
			for range 4 {
				if resp := postTeam(t, url, "", chat); resp.StatusCode != http.StatusOK {
					t.Fatalf("a request without the key's header: %s", resp.Status)
				}
			}
			if n := len(f.Requests()); n != 8 {
				t.Errorf("the provider got %d requests, want 8 (3 of a, 1 of b, 4 without)", n)
			}
		})
	}
}

// The failure mode applies when the rate-limit service the manifests name
// (mapped by --upstream) stops: while it runs, it decides; once stopped,
// FailClosed answers 500 and FailOpen lets requests through.
func TestGlobalLimitFailureMode(t *testing.T) {
	redisAddr := testenv.StartRedis(t)
	for _, mode := range []string{spec.FailClosed, spec.FailOpen} {
		t.Run(mode, func(t *testing.T) {
			g := globalSpec(t, templates.Agentgateway, func(p *spec.Policies) {
				p.RateLimit = &spec.RequestLimit{Requests: 3, Per: spec.PerHour, Scope: spec.ScopeGlobal, Key: spec.HeaderKey("x-team")}
			})
			g.Spec.RateLimitService.FailureMode = mode
			config, err := yaml.Marshal(dataplane.RateLimitConfigOf(&g.Spec))
			if err != nil {
				t.Fatal(err)
			}
			f := fakeprovider.New(t, fakeprovider.OpenAI, "k")
			var base string
			q := &Quotas{}
			t.Cleanup(func() { q.Close() })
			// The service lives as long as this subtest; serve, the
			// parent's, outlives it.
			parent := t
			t.Run("service running", func(t *testing.T) {
				rls := testenv.StartRateLimit(t, redisAddr, config)
				base, _, _ = serveMapsWith(parent, renderMaps(t, g), map[string]*fakeprovider.Server{"openai": f}, func(o *Options) {
					o.Upstreams["ratelimit"] = &url.URL{Scheme: "http", Host: rls}
					o.RateLimitTimeout = 5 * time.Second // a stopped service refuses connections at once; a loaded machine may be slow to answer
					o.Quotas = q
				})
				team := "up-" + mode
				for i := range 4 {
					want := map[bool]int{true: http.StatusOK, false: http.StatusTooManyRequests}[i < 3]
					if resp := postTeam(t, base+"/openai/v1/chat/completions", team, chat); resp.StatusCode != want {
						t.Fatalf("request %d with the service running: %s, want %d", i, resp.Status, want)
					}
				}
			})
			if t.Failed() {
				return
			}
			before := len(f.Requests())
			resp := postTeam(t, base+"/openai/v1/chat/completions", "down-"+mode, chat)
			want := map[string]int{spec.FailClosed: http.StatusInternalServerError, spec.FailOpen: http.StatusOK}[mode]
			if resp.StatusCode != want {
				t.Errorf("%s with the service stopped: %s, want %d", mode, resp.Status, want)
			}
			if mode == spec.FailClosed && len(f.Requests()) != before {
				t.Error("FailClosed let a request reach the provider")
			}
		})
	}
}

// tokensLeft reads, without counting, what is left of the route's global
// token limit for team in the engine quotas hold.
func tokensLeft(t *testing.T, q *Quotas, route, team string) uint32 {
	t.Helper()
	q.mu.Lock()
	var e quota.Engine
	for _, e = range q.engines {
	}
	q.mu.Unlock()
	zero := uint64(0)
	res, err := e.Check(context.Background(), quota.Request{Domain: "kubelb-ai",
		Descriptors: [][]quota.Entry{{{Key: "tokens", Value: route}, {Key: "x-team", Value: team}}}, Hits: []*uint64{&zero}})
	if err != nil || res.Statuses[0].Limit == nil {
		t.Fatalf("reading the count: %v %+v", err, res)
	}
	return res.Statuses[0].Remaining
}

// A global token limit is charged the prompt's estimate before the call and
// amended after the answer with the rest of what the provider reported
// (input + output in all), whole and streamed; once spent, the next prompt
// is refused before it reaches the provider.
func TestGlobalTokenLimitAmends(t *testing.T) {
	g := globalSpec(t, templates.Agentgateway, func(p *spec.Policies) {
		p.TokenLimit = &spec.TokenLimit{Tokens: 1000, Per: spec.PerHour, Scope: spec.ScopeGlobal, Key: spec.HeaderKey("x-team")}
	})
	config, err := yaml.Marshal(dataplane.RateLimitConfigOf(&g.Spec))
	if err != nil {
		t.Fatal(err)
	}
	redisAddr := testenv.StartRedis(t)
	rls := testenv.StartRateLimit(t, redisAddr, config)
	for _, engine := range []struct {
		name string
		opts func(*Options)
	}{
		{"in-process", func(*Options) {}},
		{"Redis", func(o *Options) { o.Quotas.RedisURL = "redis://" + redisAddr + "/2" }},
		{"rate-limit service", func(o *Options) {
			o.Upstreams["ratelimit"] = &url.URL{Scheme: "http", Host: rls}
			o.RateLimitTimeout = 10 * time.Second // the first call connects; a loaded machine may take over 1s
		}},
	} {
		t.Run(engine.name, func(t *testing.T) {
			q := &Quotas{}
			t.Cleanup(func() { q.Close() })
			testTokenAmends(t, g, q, func(o *Options) { o.Quotas = q; engine.opts(o) })
		})
	}
}

func testTokenAmends(t *testing.T, g *spec.AIGateway, q *Quotas, opts func(*Options)) {
	f := fakeprovider.New(t, fakeprovider.OpenAI, "k")
	base, _, _ := serveMapsWith(t, renderMaps(t, g), map[string]*fakeprovider.Server{"openai": f}, opts)
	url := base + "/openai/v1/chat/completions"
	words := strings.TrimSpace(strings.Repeat("apple ", 100))
	// What the provider reports the exchange cost (the same whole and
	// streamed): the limit must end up charged exactly that.
	cost := fakeUsage(t, f, words)
	for _, stream := range []bool{false, true} {
		team := map[bool]string{false: "whole", true: "streamed"}[stream] + "-" + t.Name()
		body, _ := json.Marshal(map[string]any{"model": "gpt-4o-mini", "stream": stream, "messages": []any{map[string]any{"role": "user", "content": words}}})
		resp := postTeam(t, url, team, string(body))
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("%s: %s", team, resp.Status)
		}
		deadline := time.Now().Add(5 * time.Second)
		for tokensLeft(t, q, "openai", team) != 1000-cost && time.Now().Before(deadline) {
			time.Sleep(10 * time.Millisecond)
		}
		if left := tokensLeft(t, q, "openai", team); left != 1000-cost {
			t.Errorf("%s: %d tokens left, want 1000 - %d (the provider's usage)", team, left, cost)
		}
	}
	// Spend the rest of one team's budget, then the next prompt is refused.
	before := len(f.Requests())
	big, _ := json.Marshal(map[string]any{"model": "gpt-4o-mini", "messages": []any{map[string]any{"role": "user", "content": strings.Repeat("apple ", 900)}}})
	if resp := postTeam(t, url, "whole-"+t.Name(), string(big)); resp.StatusCode != http.StatusTooManyRequests || resp.Header.Get("Retry-After") == "" {
		t.Errorf("a prompt larger than what is left: %s, want 429 with Retry-After", resp.Status)
	}
	if len(f.Requests()) != before {
		t.Error("a refused prompt reached the provider")
	}
}

// fakeUsage is the total tokens f reports for a prompt, asked directly.
func fakeUsage(t *testing.T, f *fakeprovider.Server, prompt string) uint32 {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"model": "gpt-4o-mini", "messages": []any{map[string]any{"role": "user", "content": prompt}}})
	req, _ := http.NewRequest(http.MethodPost, f.URL+"/v1/chat/completions", strings.NewReader(string(body)))
	req.Header.Set("Authorization", "Bearer "+f.Key)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out struct {
		Usage struct {
			Total uint32 `json:"total_tokens"`
		} `json:"usage"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || out.Usage.Total < 200 {
		t.Fatalf("the fake's usage: %v %+v", err, out)
	}
	return out.Usage.Total
}
