package proxy

import (
	"bufio"
	"context"
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
)

func upstream(t *testing.T, f *fakeprovider.Server, kind, name string, auth spec.Auth) *Upstream {
	t.Helper()
	base, _ := url.Parse(f.URL)
	p := spec.Provider{Name: name, Kind: kind, Model: "m", Auth: auth}
	up, err := NewUpstream(p, func(string) (string, bool) { return f.Key, true }, base)
	if err != nil {
		t.Fatal(err)
	}
	return up
}

// serve puts a chain in front of the fakes and returns its URL and the
// failovers it reported.
func serve(t *testing.T, ups ...*Upstream) (string, *[]string) {
	t.Helper()
	var mu sync.Mutex
	var moves []string
	c := &Chain{Upstreams: ups, Client: NewClient(time.Second, 500*time.Millisecond), OnFailover: func(from, to, reason string) {
		mu.Lock()
		moves = append(moves, from+"->"+to+": "+reason)
		mu.Unlock()
	}}
	s := httptest.NewServer(c)
	t.Cleanup(s.Close)
	return s.URL, &moves
}

func post(t *testing.T, base, path, body string, header map[string]string) (*http.Response, string) {
	t.Helper()
	resp, out, err := send(t, base+path, body, header)
	if resp == nil {
		t.Fatal(err)
	}
	return resp, out
}

const chat = `{"model":"gpt-4o-mini","messages":[{"role":"user","content":"hi"}]}`
const chatStream = `{"model":"gpt-4o-mini","stream":true,"messages":[{"role":"user","content":"hi"}]}`

// The key from the environment replaces the client's (the fake refuses any
// other); passthrough sends the client's.
func TestKeyInjection(t *testing.T) {
	for _, kind := range []fakeprovider.Kind{fakeprovider.OpenAI, fakeprovider.Anthropic, fakeprovider.Gemini} {
		f := fakeprovider.New(t, kind, "server-key")
		base, _ := serve(t, upstream(t, f, string(kind), "p", spec.Auth{}))
		body := chat
		switch kind {
		case fakeprovider.Anthropic:
			body = `{"model":"claude","max_tokens":10,"messages":[{"role":"user","content":"hi"}]}`
		case fakeprovider.Gemini:
			body = `{"contents":[{"parts":[{"text":"hi"}]}]}`
		}
		resp, out := post(t, base, "/anything", body, map[string]string{"Authorization": "Bearer client-key", "x-api-key": "client-key", "x-goog-api-key": "client-key"})
		if resp.StatusCode != 200 || !strings.Contains(out, "echo: hi") {
			t.Errorf("%s: %d %s", kind, resp.StatusCode, out)
		}
		for _, r := range f.Requests() {
			if kind != fakeprovider.Gemini && !strings.Contains(string(r.Body), `"model":"m"`) {
				t.Errorf("%s: the backend's model did not replace the client's: %s", kind, r.Body)
			}
			for _, h := range []string{"Authorization", "X-Api-Key", "X-Goog-Api-Key"} {
				if strings.Contains(r.Header.Get(h), "client-key") {
					t.Errorf("%s: the client's key reached the provider in %s", kind, h)
				}
			}
		}
	}
	f := fakeprovider.New(t, fakeprovider.OpenAI, "client-key")
	base, _ := serve(t, upstream(t, f, "openai", "p", spec.Auth{Source: spec.AuthPassthrough}))
	if resp, out := post(t, base, "/v1/chat/completions", chat, map[string]string{"Authorization": "Bearer client-key"}); resp.StatusCode != 200 {
		t.Errorf("passthrough: %d %s", resp.StatusCode, out)
	}
}

// Failover moves on for 503, 429, a refused connection and a timeout, in
// priority order, and says why.
func TestFailover(t *testing.T) {
	for name, setup := range map[string]func(f *fakeprovider.Server) *Upstream{
		"503":     func(f *fakeprovider.Server) *Upstream { f.Fail(fakeprovider.Fault{Status: 503}); return nil },
		"429":     func(f *fakeprovider.Server) *Upstream { f.Fail(fakeprovider.Fault{Status: 429}); return nil },
		"timeout": func(f *fakeprovider.Server) *Upstream { f.Fail(fakeprovider.Fault{Delay: 3 * time.Second}); return nil },
		"refused": func(f *fakeprovider.Server) *Upstream { f.Close(); return nil },
	} {
		t.Run(name, func(t *testing.T) {
			first := fakeprovider.New(t, fakeprovider.OpenAI, "k1")
			second := fakeprovider.New(t, fakeprovider.OpenAI, "k2")
			ups := []*Upstream{upstream(t, first, "openai", "first", spec.Auth{}), upstream(t, second, "openai", "second", spec.Auth{})}
			setup(first)
			base, moves := serve(t, ups...)
			resp, out := post(t, base, "/v1/chat/completions", chat, nil)
			if resp.StatusCode != 200 || len(second.Requests()) != 1 || len(*moves) != 1 || !strings.HasPrefix((*moves)[0], "first->second") {
				t.Fatalf("%d %s; second saw %d requests; moves %v", resp.StatusCode, out, len(second.Requests()), *moves)
			}
		})
	}
	// All fail: the last answer is passed on.
	a := fakeprovider.New(t, fakeprovider.OpenAI, "k")
	b := fakeprovider.New(t, fakeprovider.OpenAI, "k")
	a.Fail(fakeprovider.Fault{Status: 503})
	b.Fail(fakeprovider.Fault{Status: 429})
	base, _ := serve(t, upstream(t, a, "openai", "a", spec.Auth{}), upstream(t, b, "openai", "b", spec.Auth{}))
	if resp, out := post(t, base, "/v1/chat/completions", chat, nil); resp.StatusCode != 429 || !strings.Contains(out, "rate_limit_exceeded") {
		t.Errorf("all failed: %d %s", resp.StatusCode, out)
	}
}

// Streams are relayed event by event; once the first byte has reached the
// client there is no failover: a provider that breaks off ends the stream
// with an error event.
func TestStreaming(t *testing.T) {
	first := fakeprovider.New(t, fakeprovider.OpenAI, "k")
	second := fakeprovider.New(t, fakeprovider.OpenAI, "k")
	base, moves := serve(t, upstream(t, first, "openai", "first", spec.Auth{}), upstream(t, second, "openai", "second", spec.Auth{}))

	resp, out := post(t, base, "/v1/chat/completions", chatStream, nil)
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "text/event-stream" || strings.Count(out, "chat.completion.chunk") < 4 || !strings.HasSuffix(out, "data: [DONE]\n\n") {
		t.Fatalf("stream: %d %q", resp.StatusCode, out)
	}

	first.Fail(fakeprovider.Fault{CutAfterEvents: 2})
	resp, out = post(t, base, "/v1/chat/completions", chatStream, nil)
	if resp.StatusCode != 200 || !strings.Contains(out, "event: error") || strings.Contains(out, "[DONE]") || strings.Count(out, "chat.completion.chunk") != 2 {
		t.Errorf("cut stream: %q", out)
	}
	if len(second.Requests()) != 0 || len(*moves) != 0 {
		t.Errorf("failed over after the first byte: %v", *moves)
	}

	// Each event is flushed as it comes: the client reads the first one
	// while the provider is still sending.
	slow := fakeprovider.New(t, fakeprovider.OpenAI, "k")
	slow.Events = 3
	base2, _ := serve(t, upstream(t, slow, "openai", "slow", spec.Auth{}))
	req, _ := http.NewRequest(http.MethodPost, base2+"/v1/chat/completions", strings.NewReader(chatStream))
	req.Header.Set("Content-Type", "application/json")
	r, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Body.Close()
	line, err := bufio.NewReader(r.Body).ReadString('\n')
	if err != nil || !strings.HasPrefix(line, "data: ") {
		t.Errorf("first event: %q %v", line, err)
	}
}

// A client that goes away cancels its upstream request.
func TestClientDisconnectCancelsUpstream(t *testing.T) {
	f := fakeprovider.New(t, fakeprovider.OpenAI, "k")
	f.Fail(fakeprovider.Fault{Delay: 10 * time.Second})
	c := &Chain{Upstreams: []*Upstream{upstream(t, f, "openai", "p", spec.Auth{})}, Client: NewClient(time.Second, 30*time.Second)}
	s := httptest.NewServer(c)
	t.Cleanup(s.Close)
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, s.URL+"/v1/chat/completions", strings.NewReader(chat))
	req.Header.Set("Content-Type", "application/json")
	if _, err := http.DefaultClient.Do(req); err == nil {
		t.Fatal("the request did not time out")
	}
	deadline := time.Now().Add(3 * time.Second)
	for f.Canceled() == 0 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if f.Canceled() != 1 {
		t.Errorf("the provider's request was not cancelled")
	}
}

// A body over the limit is refused before any provider is called.
func TestBodyLimit(t *testing.T) {
	f := fakeprovider.New(t, fakeprovider.OpenAI, "k")
	c := &Chain{Upstreams: []*Upstream{upstream(t, f, "openai", "p", spec.Auth{})}, Client: NewClient(time.Second, time.Second), MaxBody: 100}
	s := httptest.NewServer(c)
	t.Cleanup(s.Close)
	resp, _ := post(t, s.URL, "/v1/chat/completions", strings.Repeat("x", 200), nil)
	if resp.StatusCode != http.StatusRequestEntityTooLarge || len(f.Requests()) != 0 {
		t.Errorf("%d, provider saw %d requests", resp.StatusCode, len(f.Requests()))
	}
}

// The provider's endpoint as each kind's data plane sets it.
func TestUpstreamURL(t *testing.T) {
	env := func(string) (string, bool) { return "k", true }
	for _, c := range []struct {
		p    spec.Provider
		want string
	}{
		{spec.Provider{Name: "o", Kind: "openai"}, "https://api.openai.com:443/v1/chat/completions"},
		{spec.Provider{Name: "g", Kind: "gemini", Model: "gemini-2.0-flash"}, "https://generativelanguage.googleapis.com:443/v1beta/models/gemini-2.0-flash:generateContent"},
		{spec.Provider{Name: "a", Kind: "azureopenai", Azure: &spec.Azure{Endpoint: "r.openai.azure.com", Deployment: "d"}}, "https://r.openai.azure.com:443/openai/deployments/d/chat/completions?api-version=2024-10-21"},
		{spec.Provider{Name: "l", Kind: "ollama", Host: "localhost", Port: 11434, Auth: spec.Auth{Source: spec.AuthNone}}, "http://localhost:11434/v1/chat/completions"},
	} {
		up, err := NewUpstream(c.p, env, nil)
		if err != nil || up.URL.String() != c.want {
			t.Errorf("%s: %v %v, want %s", c.p.Kind, up, err, c.want)
		}
	}
	if _, err := NewUpstream(spec.Provider{Name: "o", Kind: "openai"}, func(string) (string, bool) { return "", false }, nil); err == nil || !strings.Contains(err.Error(), "$OPENAI_API_KEY") {
		t.Errorf("missing key: %v", err)
	}
}

// 2,000 streams through the chain, 16 at a time: none is truncated (the
// trap of streaming the request body through httputil.ReverseProxy).
func TestManyStreamsNoneTruncated(t *testing.T) {
	f := fakeprovider.New(t, fakeprovider.OpenAI, "k")
	base, _ := serve(t, upstream(t, f, "openai", "p", spec.Auth{}))
	const streams, parallel = 2000, 16
	var wg sync.WaitGroup
	var mu sync.Mutex
	truncated := 0
	next := make(chan int)
	for range parallel {
		wg.Go(func() {
			for range next {
				resp, err := http.Post(base+"/v1/chat/completions", "application/json", strings.NewReader(chatStream))
				ok := err == nil
				if ok {
					b, _ := io.ReadAll(resp.Body)
					resp.Body.Close()
					ok = strings.HasSuffix(string(b), "data: [DONE]\n\n")
				}
				if !ok {
					mu.Lock()
					truncated++
					mu.Unlock()
				}
			}
		})
	}
	for i := range streams {
		next <- i
	}
	close(next)
	wg.Wait()
	if truncated > 0 {
		t.Errorf("%d of %d streams truncated", truncated, streams)
	}
}

// openAIErrorMessage is the message of an error answer in OpenAI's shape,
// or "" when the answer is not one.
func openAIErrorMessage(body string) string {
	var e struct {
		Error struct {
			Message string `json:"message"`
		} `json:"error"`
	}
	if json.Unmarshal([]byte(body), &e) != nil {
		return ""
	}
	return e.Error.Message
}
