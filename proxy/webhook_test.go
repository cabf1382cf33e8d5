package proxy

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kubelb-ai/kubelb-ai/internal/fakeprovider"
	"github.com/kubelb-ai/kubelb-ai/spec"
	"github.com/kubelb-ai/kubelb-ai/templates"
)

// guardService is a guard webhook with the kgateway contract: it rejects
// prompts saying "forbidden", masks "secret" in prompts and "echo" in
// answers, and can be made slow.
type guardService struct {
	*httptest.Server
	mu      sync.Mutex
	delay   time.Duration
	headers []http.Header
}

func newGuardService(t *testing.T) *guardService {
	g := &guardService{}
	g.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		g.mu.Lock()
		delay := g.delay
		g.headers = append(g.headers, r.Header.Clone())
		g.mu.Unlock()
		time.Sleep(delay)
		var in struct {
			Body struct {
				Messages []whMessage `json:"messages"`
				Choices  []struct {
					Message whMessage `json:"message"`
				} `json:"choices"`
			} `json:"body"`
		}
		if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
			http.Error(w, err.Error(), http.StatusUnprocessableEntity)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		switch r.URL.Path {
		case "/request":
			changed := false
			for i, m := range in.Body.Messages {
				if strings.Contains(m.Content, "forbidden") {
					json.NewEncoder(w).Encode(map[string]any{"action": map[string]any{"body": "not on this gateway", "status_code": 403, "reason": "forbidden word"}})
					return
				}
				if strings.Contains(m.Content, "secret") {
					in.Body.Messages[i].Content = strings.ReplaceAll(m.Content, "secret", "[redacted]")
					changed = true
				}
			}
			if changed {
				json.NewEncoder(w).Encode(map[string]any{"action": map[string]any{"body": map[string]any{"messages": in.Body.Messages}, "reason": "masked"}})
				return
			}
		case "/response":
			for i := range in.Body.Choices {
				in.Body.Choices[i].Message.Content = strings.ReplaceAll(in.Body.Choices[i].Message.Content, "echo", "ECHO")
			}
			json.NewEncoder(w).Encode(map[string]any{"action": map[string]any{"body": map[string]any{"choices": in.Body.Choices}}})
			return
		}
		io.WriteString(w, `{"action":{"reason":"fine"}}`)
	}))
	t.Cleanup(g.Close)
	return g
}

// withWebhooks adds a guard webhook for both directions to the rendered
// manifests of target: a TrafficPolicy on the route (kgateway), the
// backend's policies (agentgateway).
func withWebhooks(t *testing.T, maps []map[string]any, target string) []map[string]any {
	t.Helper()
	if target == templates.Agentgateway {
		for _, o := range maps {
			if o["kind"] == "AgentgatewayBackend" {
				policies, _ := dig(o, "spec", "policies").(map[string]any)
				wh := map[string]any{"backendRef": map[string]any{"name": "guard", "port": int64(8000)}, "forwardHeaderMatches": []any{map[string]any{"name": "x-team"}}}
				policies["ai"] = map[string]any{"promptGuard": map[string]any{"request": []any{map[string]any{"webhook": wh}}, "response": []any{map[string]any{"webhook": wh}}}}
			}
		}
		return maps
	}
	wh := map[string]any{"host": map[string]any{"host": "guard.kubelb.svc.cluster.local", "port": int64(8000)}, "forwardHeaderMatches": []any{map[string]any{"name": "x-team"}}}
	if target == templates.KgatewayV20 {
		wh["forwardHeaders"] = wh["forwardHeaderMatches"]
		delete(wh, "forwardHeaderMatches")
	}
	return append(maps, map[string]any{"apiVersion": "gateway.kgateway.dev/v1alpha1", "kind": "TrafficPolicy",
		"metadata": map[string]any{"name": "guard", "namespace": "kubelb"},
		"spec": map[string]any{"targetRefs": []any{map[string]any{"group": "gateway.networking.k8s.io", "kind": "HTTPRoute", "name": "openai"}},
			"ai": map[string]any{"promptGuard": map[string]any{"request": map[string]any{"webhook": wh}, "response": map[string]any{"webhook": wh}}}}})
}

// Guard webhooks on every target: a rejected prompt gets the webhook's
// answer and never reaches the provider; a masked prompt reaches it
// masked; a whole answer is masked by the response webhook; the selected
// headers are forwarded; a streamed answer is judged a sentence at a time;
// a webhook slower than the timeout fails the
// request closed (500) or, failing open, lets it through.
func TestGuardWebhooks(t *testing.T) {
	for _, target := range []string{templates.KgatewayV20, templates.KgatewayV21, templates.Agentgateway} {
		t.Run(target, func(t *testing.T) {
			openai := fakeprovider.New(t, fakeprovider.OpenAI, "k")
			guard := newGuardService(t)
			g, err := spec.Options{Target: target, Providers: []string{"openai"}}.Build()
			if err != nil {
				t.Fatal(err)
			}
			maps := withWebhooks(t, renderMaps(t, g), target)
			serveWith := func(failOpen bool) string {
				gu, _ := url.Parse(guard.URL)
				ou, _ := url.Parse(openai.URL)
				cfg, err := buildObjs(maps, Options{Listen: map[string]string{"http": "127.0.0.1:0"}, Upstreams: map[string]*url.URL{"openai": ou, "guard": gu},
					Lookup: func(string) (string, bool) { return "k", true }, Client: NewClient(time.Second, 5*time.Second),
					WebhookTimeout: 300 * time.Millisecond, WebhookFailOpen: failOpen})
				if err != nil {
					t.Fatal(err)
				}
				base, _ := serveConfig(t, cfg)
				return base
			}
			base := serveWith(false)
			chat := func(text string) string {
				b, _ := json.Marshal(map[string]any{"model": "m", "messages": []any{map[string]any{"role": "user", "content": text}}})
				return string(b)
			}
			resp, out := post(t, base, "/openai/v1/chat/completions", chat("a forbidden question"), map[string]string{"x-team": "blue", "x-other": "no"})
			if resp.StatusCode != 403 || openAIErrorMessage(out) != "not on this gateway" || len(openai.Requests()) != 0 {
				t.Errorf("rejected: %d %q (provider saw %d)", resp.StatusCode, out, len(openai.Requests()))
			}
			if h := guard.headers[0]; h.Get("x-team") != "blue" || h.Get("x-other") != "" || h.Get("Authorization") != "" {
				t.Errorf("headers forwarded to the webhook: %v", h)
			}
			_, out = post(t, base, "/openai/v1/chat/completions", chat("my secret plan"), nil)
			sent := string(openai.Requests()[0].Body)
			if strings.Contains(sent, "secret") || !strings.Contains(sent, "my [redacted] plan") || !strings.Contains(out, "ECHO: my [redacted] plan") {
				t.Errorf("masked: sent %s, answer %s", sent, out)
			}
			// A streamed answer goes to the webhook a sentence at a time.
			openai.Events = 12
			streamed := streamedText(t, base+"/openai/v1/chat/completions", `{"model":"m","stream":true,"messages":[{"role":"user","content":"echo this. And echo that"}]}`)
			if streamed != "ECHO: ECHO this. And ECHO that" {
				t.Errorf("streamed through the response webhook: %q", streamed)
			}
			guard.mu.Lock()
			guard.delay = time.Second
			guard.mu.Unlock()
			if resp, out := post(t, base, "/openai/v1/chat/completions", chat("hello"), nil); resp.StatusCode != 500 || !strings.Contains(out, "guardrails webhook") {
				t.Errorf("slow webhook, failing closed: %d %s", resp.StatusCode, out)
			}
			if resp, out := post(t, serveWith(true), "/openai/v1/chat/completions", chat("hello"), nil); resp.StatusCode != 200 || !strings.Contains(out, "echo: hello") {
				t.Errorf("slow webhook, failing open: %d %s", resp.StatusCode, out)
			}
		})
	}
}

// A guard webhook written in the Spec reaches serve on every target
// through the target's own manifests: the prompt goes to the Service
// --upstream maps, and --upstream knows the Service's name.
func TestGuardWebhooksFromSpec(t *testing.T) {
	for _, target := range []string{templates.KgatewayV20, templates.KgatewayV21, templates.Agentgateway} {
		t.Run(target, func(t *testing.T) {
			openai := fakeprovider.New(t, fakeprovider.OpenAI, "k")
			guard := newGuardService(t)
			g, err := spec.Options{Target: target, Providers: []string{"openai"}}.Build()
			if err != nil {
				t.Fatal(err)
			}
			hook := &spec.Webhook{Service: "guard", Port: 8000, ForwardHeaders: []spec.HeaderMatch{{Name: "x-team", Value: "blue"}}}
			g.Spec.Routes[0].Policies = &spec.Policies{PromptGuard: &spec.PromptGuard{Webhook: &spec.GuardWebhooks{Request: hook}}}
			gu, _ := url.Parse(guard.URL)
			ou, _ := url.Parse(openai.URL)
			opts := Options{Listen: map[string]string{"http": "127.0.0.1:0"}, Upstreams: map[string]*url.URL{"openai": ou, "guard": gu},
				Lookup: func(string) (string, bool) { return "k", true }, Client: NewClient(time.Second, 5*time.Second)}
			cfg, err := buildObjs(renderMaps(t, g), opts)
			if err != nil {
				t.Fatal(err)
			}
			if err := cfg.CheckNames(opts); err != nil {
				t.Errorf("--upstream guard: %v", err)
			}
			base, _ := serveConfig(t, cfg)
			resp, out := post(t, base, "/openai/v1/chat/completions", `{"model":"m","messages":[{"role":"user","content":"a forbidden question"}]}`, map[string]string{"x-team": "blue"})
			if resp.StatusCode != 403 || openAIErrorMessage(out) != "not on this gateway" || len(openai.Requests()) != 0 {
				t.Errorf("rejected: %d %q (provider saw %d)", resp.StatusCode, out, len(openai.Requests()))
			}
			if len(guard.headers) != 1 || guard.headers[0].Get("x-team") != "blue" {
				t.Errorf("webhook calls: %v", guard.headers)
			}
		})
	}
}
