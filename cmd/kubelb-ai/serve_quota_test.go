package main

import (
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"sigs.k8s.io/yaml"

	"github.com/kubelb-ai/kubelb-ai/dataplane"
	"github.com/kubelb-ai/kubelb-ai/internal/fakeprovider"
	"github.com/kubelb-ai/kubelb-ai/internal/testenv"
	"github.com/kubelb-ai/kubelb-ai/spec"
)

// quotaSpec is a gateway whose two clients (API keys from the environment)
// share a per-client request limit across the gateway's replicas.
const quotaSpec = `apiVersion: kubelb-ai.dev/v1alpha1
kind: AIGateway
spec:
  target: agentgateway
  providers:
  - {kind: openai}
  clients:
    apiKeys:
    - {name: alice, env: ALICE_KEY}
    - {name: bob, env: BOB_KEY}
  rateLimitService: {service: ratelimit.kubelb:8081, domain: kubelb-ai}
  routes:
  - name: openai
    backends:
    - providers: [openai]
    policies:
      rateLimit: {requests: %d, per: hour, scope: global, key: client}
`

const (
	quotaAlice = "sk-alice-4f9c2a7e1b3d5f60"
	quotaBob   = "sk-bob-8e1d3c5b7a9f0e2d"
)

// Two serve processes, as two gateway replicas, share each client's limit
// exactly: through the real envoyproxy/ratelimit service (on a real Redis)
// when --upstream maps the manifests' service, and through Redis alone with
// --rate-limit-redis. Many concurrent clients alternate between the two
// processes and two API keys; each key gets exactly its limit, wherever
// its requests land, and no client key reaches the provider.
func TestServeSharesGlobalLimits(t *testing.T) {
	const limit = 15
	dir := t.TempDir()
	specFile := filepath.Join(dir, "kubelb-ai.yaml")
	if err := os.WriteFile(specFile, fmt.Appendf(nil, quotaSpec, limit), 0o600); err != nil {
		t.Fatal(err)
	}
	f, err := spec.Load(specFile)
	if err != nil {
		t.Fatal(err)
	}
	g := &f.Gateway
	spec.Default(g)
	config, err := yaml.Marshal(dataplane.RateLimitConfigOf(&g.Spec))
	if err != nil {
		t.Fatal(err)
	}
	redisAddr := testenv.StartRedis(t)
	rls := testenv.StartRateLimit(t, redisAddr, config)
	for _, engine := range []struct {
		name string
		args []string
	}{
		{"rate-limit service", []string{"--upstream", "ratelimit=http://" + rls}},
		{"redis", []string{"--rate-limit-redis", "redis://" + redisAddr + "/1"}},
	} {
		t.Run(engine.name, func(t *testing.T) {
			fake := fakeprovider.New(t, fakeprovider.OpenAI, "sk-provider")
			env := []string{"OPENAI_API_KEY=sk-provider", "ALICE_KEY=" + quotaAlice, "BOB_KEY=" + quotaBob}
			// A generous decision time: a loaded machine must not turn a
			// slow answer into the failure mode's 500.
			args := append([]string{"--from", specFile, "--upstream", "openai=" + fake.URL, "--rate-limit-timeout", "10s"}, engine.args...)
			procs := []*serveProcess{startServeProcess(t, env, args...), startServeProcess(t, env, args...)}
			for hour := time.Now().Unix() / 3600; ; hour = time.Now().Unix() / 3600 {
				got := hammer(t, procs, 24, 5)
				if time.Now().Unix()/3600 != hour {
					continue // the window rolled over mid-run: the counts straddle two hours
				}
				for _, key := range []string{"alice", "bob"} {
					if got[key][http.StatusOK] != limit || got[key][http.StatusTooManyRequests] != 60-limit {
						t.Errorf("%s: %v, want %d allowed and %d refused with 429 across both processes", key, got[key], limit, 60-limit)
					}
				}
				break
			}
			for _, r := range fake.Requests() {
				if h := fmt.Sprint(r.Header); strings.Contains(h, quotaAlice) || strings.Contains(h, quotaBob) {
					t.Fatalf("a client key reached the provider: %s", h)
				}
			}
			if n := len(fake.Requests()); n != 2*limit {
				t.Errorf("the provider got %d requests, want %d", n, 2*limit)
			}
			for _, p := range procs {
				p.stop(t)
			}
		})
	}
}

// hammer sends workers×perWorker requests at once, alternating between
// procs and between alice's and bob's keys, and counts the statuses by key.
func hammer(t *testing.T, procs []*serveProcess, workers, perWorker int) map[string]map[int]int {
	t.Helper()
	var mu sync.Mutex
	got := map[string]map[int]int{"alice": {}, "bob": {}}
	var wg sync.WaitGroup
	client := &http.Client{Timeout: 30 * time.Second}
	for w := range workers {
		wg.Go(func() {
			for i := range perWorker {
				name, key := "alice", quotaAlice
				if (w+i)%2 == 1 {
					name, key = "bob", quotaBob
				}
				p := procs[(w+i/2)%len(procs)]
				req, _ := http.NewRequest(http.MethodPost, p.listener+"/openai/v1/chat/completions",
					strings.NewReader(`{"model":"gpt-4o-mini","messages":[{"role":"user","content":"hi"}]}`))
				req.Header.Set("Authorization", "Bearer "+key)
				req.Header.Set("Content-Type", "application/json")
				resp, err := client.Do(req)
				if err != nil {
					t.Error(err)
					return
				}
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				mu.Lock()
				got[name][resp.StatusCode]++
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	return got
}
