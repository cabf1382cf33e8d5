package proxy

import (
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kubelb-ai/kubelb-ai/internal/fakeprovider"
	"github.com/kubelb-ai/kubelb-ai/proxy/wire"
	"github.com/kubelb-ai/kubelb-ai/spec"
	"github.com/kubelb-ai/kubelb-ai/templates"
)

// Token usage as each provider reports it, whole and streamed, native and
// translated, lands in gen_ai_client_token_usage; on a route with a token
// budget an OpenAI stream is asked for its usage, and the usage chunk
// reaches only a client that asked for it.
func TestTokenMetrics(t *testing.T) {
	fakes := map[string]*fakeprovider.Server{
		"openai":    fakeprovider.New(t, fakeprovider.OpenAI, "k1"),
		"anthropic": fakeprovider.New(t, fakeprovider.Anthropic, "k2"),
		"gemini":    fakeprovider.New(t, fakeprovider.Gemini, "k3"),
	}
	g, err := spec.Options{Target: templates.Agentgateway, Providers: []string{"openai", "anthropic", "gemini"}, TokenLimit: "1000000/hour"}.Build()
	if err != nil {
		t.Fatal(err)
	}
	base, admin, logs := serveMapsLogged(t, renderMaps(t, g), fakes)

	// "one two three" is 3 words: the fakes count words + 1.
	post(t, base, "/openai/v1/chat/completions", `{"model":"m","messages":[{"role":"user","content":"one two three"}]}`, nil)
	plain := streamRaw(t, base+"/openai/v1/chat/completions", `{"model":"m","stream":true,"messages":[{"role":"user","content":"one two three"}]}`)
	if strings.Contains(plain, `"usage"`) || !strings.HasSuffix(plain, "data: [DONE]\n\n") {
		t.Errorf("the client did not ask for the usage chunk but got:\n%s", plain)
	}
	asked := streamRaw(t, base+"/openai/v1/chat/completions", `{"model":"m","stream":true,"stream_options":{"include_usage":true},"messages":[{"role":"user","content":"one two three"}]}`)
	if !strings.Contains(asked, `"choices":[]`) || !strings.Contains(asked, `"usage":{`) {
		t.Errorf("the client asked for the usage chunk:\n%s", asked)
	}
	post(t, base, "/anthropic/v1/messages", `{"model":"m","max_tokens":9,"messages":[{"role":"user","content":"one two three"}]}`, nil)
	streamRaw(t, base+"/anthropic/v1/messages", `{"model":"m","max_tokens":9,"stream":true,"messages":[{"role":"user","content":"one two three"}]}`)
	streamRaw(t, base+"/gemini/v1/chat/completions", `{"model":"m","stream":true,"messages":[{"role":"user","content":"one two three"}]}`)
	post(t, base, "/anthropic/v1/chat/completions", `{"model":"m","messages":[{"role":"user","content":"one two three"}]}`, nil)
	// Each route type's own usage: a Responses answer's, embeddings'.
	post(t, base, "/gemini/v1/responses", `{"model":"m","input":"one two three"}`, nil)
	post(t, base, "/openai/v1/embeddings", `{"model":"text-embedding-3-small","input":"one two three"}`, nil)

	// Usage is recorded as each answer ends: wait for the last log line.
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if strings.Count(logs.String(), `"input_tokens":4`) >= 8 && strings.Contains(logs.String(), `"input_tokens":3`) {
			break
		}
	}
	metrics := get(t, admin+"/metrics")
	// input: 4 tokens each; output: "echo: one two three" is 5 tokens.
	for _, want := range []string{
		`gen_ai_client_token_usage_sum{gen_ai_operation_name="chat",gen_ai_provider_name="openai",gen_ai_request_model="gpt-4o-mini",gen_ai_response_model="gpt-4o-mini",gen_ai_token_type="input",route="kubelb/openai"} 12`,
		`gen_ai_client_token_usage_count{gen_ai_operation_name="chat",gen_ai_provider_name="openai",gen_ai_request_model="gpt-4o-mini",gen_ai_response_model="gpt-4o-mini",gen_ai_token_type="output",route="kubelb/openai"} 3`,
		`gen_ai_client_token_usage_sum{gen_ai_operation_name="chat",gen_ai_provider_name="anthropic",gen_ai_request_model="claude-3-5-haiku-latest",gen_ai_response_model="claude-3-5-haiku-latest",gen_ai_token_type="output",route="kubelb/anthropic"} 15`,
		`gen_ai_client_token_usage_sum{gen_ai_operation_name="chat",gen_ai_provider_name="gcp.gemini",gen_ai_request_model="gemini-2.0-flash",gen_ai_response_model="gemini-2.0-flash",gen_ai_token_type="input",route="kubelb/gemini"} 8`,
		// "one two three" embedded: the fake counts its 3 words (the backend's
		// model replaces the request's, as on agentgateway).
		`gen_ai_client_token_usage_sum{gen_ai_operation_name="embeddings",gen_ai_provider_name="openai",gen_ai_request_model="gpt-4o-mini",gen_ai_response_model="gpt-4o-mini",gen_ai_token_type="input",route="kubelb/openai"} 3`,
	} {
		if !strings.Contains(metrics, want) {
			t.Errorf("/metrics lacks\n%s\n%s", want, grepLines(metrics, "gen_ai_client_token_usage_(sum|count)"))
		}
	}
}

// A token budget is exact under 200 concurrent clients: with every answer
// still pending, exactly as many prompts are admitted as the budget
// covers, the others get 429 before any provider call; once the answers
// are in, their completions are charged too.
func TestTokenLimitUnderConcurrency(t *testing.T) {
	openai := fakeprovider.New(t, fakeprovider.OpenAI, "k")
	faults := make([]fakeprovider.Fault, 200)
	for i := range faults {
		faults[i] = fakeprovider.Fault{Delay: 1500 * time.Millisecond} // within serve's 2s upstream timeout
	}
	openai.Fail(faults...)
	prompt := "the quick brown fox jumps over the lazy dog"
	body := fmt.Sprintf(`{"model":"m","messages":[{"role":"user","content":%q}]}`, prompt)
	doc, _ := wire.DecodeObject([]byte(body))
	f, _ := wire.Lookup(wire.OpenAI)
	per := estimateTokens(doc, f.Request)
	if per != 9 {
		t.Fatalf("the prompt is %d tokens, want 9", per)
	}
	const budget = 500
	g, err := spec.Options{Target: templates.Agentgateway, Providers: []string{"openai"}, TokenLimit: fmt.Sprintf("%d/hour", budget)}.Build()
	if err != nil {
		t.Fatal(err)
	}
	base, _ := serveMaps(t, renderMaps(t, g), map[string]*fakeprovider.Server{"openai": openai})

	var wg sync.WaitGroup
	var mu sync.Mutex
	codes := map[int]int{}
	start := make(chan struct{})
	for range 200 {
		wg.Go(func() {
			<-start
			resp, err := http.Post(base+"/openai/v1/chat/completions", "application/json", strings.NewReader(body))
			if err != nil {
				t.Error(err)
				return
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			mu.Lock()
			codes[resp.StatusCode]++
			mu.Unlock()
			if resp.StatusCode == 429 && (resp.Header.Get("Retry-After") == "" || resp.Header.Get("x-ratelimit-limit-tokens") != strconv.Itoa(budget)) {
				t.Errorf("429 headers: %v", resp.Header)
			}
		})
	}
	close(start)
	wg.Wait()
	admitted := budget / per
	if codes[200] != admitted || codes[429] != 200-admitted || len(openai.Requests()) != admitted {
		t.Errorf("%v; provider saw %d; want %d admitted", codes, len(openai.Requests()), admitted)
	}
	// The answers' completions were charged: the budget is now in debt
	// (well below one prompt's worth), so the next prompt waits.
	resp, _ := post(t, base, "/openai/v1/chat/completions", body, nil)
	if resp.StatusCode != 429 {
		t.Errorf("after the answers: %d, want 429", resp.StatusCode)
	}
}

func streamRaw(t *testing.T, url, body string) string {
	t.Helper()
	resp, err := http.Post(url, "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return string(b)
}

func get(t *testing.T, url string) string {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return string(b)
}

func grepLines(s, re string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, "gen_ai") && (strings.Contains(l, "_sum") || strings.Contains(l, "_count")) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}
