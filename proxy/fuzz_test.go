package proxy

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/kubelb-ai/kubelb-ai/spec"
	"github.com/kubelb-ai/kubelb-ai/templates"
)

// recordingTransport stands in for every provider: it keeps what it is
// sent and answers each format's smallest success.
type recordingTransport struct {
	mu   sync.Mutex
	sent [][]byte
}

func (t *recordingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	body, _ := io.ReadAll(r.Body)
	t.mu.Lock()
	t.sent = append(t.sent, body)
	t.mu.Unlock()
	answer := `{"id":"x","object":"chat.completion","model":"m","choices":[{"index":0,"message":{"role":"assistant","content":"ok"},"finish_reason":"stop"}],"usage":{"prompt_tokens":1,"completion_tokens":1}}`
	switch {
	case strings.Contains(r.URL.Path, "/messages"):
		answer = `{"id":"x","type":"message","role":"assistant","model":"m","content":[{"type":"text","text":"ok"}],"stop_reason":"end_turn","usage":{"input_tokens":1,"output_tokens":1}}`
	case strings.Contains(r.URL.Path, "enerateContent"):
		answer = `{"candidates":[{"index":0,"content":{"role":"model","parts":[{"text":"ok"}]},"finishReason":"STOP"}],"usageMetadata":{"promptTokenCount":1,"candidatesTokenCount":1}}`
	case strings.Contains(r.URL.Path, "/converse"):
		answer = `{"output":{"message":{"role":"assistant","content":[{"text":"ok"}]}},"stopReason":"end_turn","usage":{"inputTokens":1,"outputTokens":1}}`
	}
	return &http.Response{StatusCode: 200, Header: http.Header{"Content-Type": {"application/json"}}, Body: io.NopCloser(strings.NewReader(answer)),
		ContentLength: int64(len(answer)), Request: r}, nil
}

func (t *recordingTransport) take() [][]byte {
	t.mu.Lock()
	defer t.mu.Unlock()
	out := t.sent
	t.sent = nil
	return out
}

// fuzzGateway builds, once, the handlers of a gateway per target with a
// reject guard on every route, sending to the recording transport.
func fuzzGateway(f *testing.F, rt *recordingTransport) map[string]http.Handler {
	handlers := map[string]http.Handler{}
	for _, target := range []string{templates.KgatewayV21, templates.Agentgateway} {
		providers := []string{"openai", "anthropic", "gemini"}
		if target == templates.Agentgateway {
			providers = append(providers, "bedrock")
		}
		g, err := spec.Options{Target: target, Providers: providers}.Build()
		if err != nil {
			f.Fatal(err)
		}
		for i := range g.Spec.Routes {
			g.Spec.Routes[i].Policies = &spec.Policies{PromptGuard: &spec.PromptGuard{Request: []spec.GuardRule{rejectPhrase}}}
		}
		maps := renderMaps(f, g)
		if target == templates.Agentgateway {
			maps = withRouteTypes(maps, "anthropic", map[string]any{"/v1/messages": "Messages"})
		}
		ups := map[string]*url.URL{}
		for _, p := range providers {
			ups[p], _ = url.Parse("http://provider.test")
		}
		cfg, err := buildObjs(maps, Options{Upstreams: ups, Client: &http.Client{Transport: rt},
			Lookup: func(string) (string, bool) { return "a-key-of-sixteen-bytes", true }})
		if err != nil {
			f.Fatal(err)
		}
		handlers[target] = cfg.Listeners[0].Handler
	}
	return handlers
}

// fuzzRoutes are the paths fuzzed, by target: every format serve reads
// natively, and every translation.
var fuzzRoutes = []struct{ target, path string }{
	{templates.KgatewayV21, "/openai/v1/chat/completions"},
	{templates.KgatewayV21, "/anthropic/v1/messages"},
	{templates.KgatewayV21, "/gemini/v1beta/models/m:generateContent"},
	{templates.Agentgateway, "/openai/v1/chat/completions"},
	{templates.Agentgateway, "/anthropic/v1/chat/completions"},
	{templates.Agentgateway, "/anthropic/v1/messages"},
	{templates.Agentgateway, "/gemini/v1/chat/completions"},
	{templates.Agentgateway, "/bedrock/v1/chat/completions"},
}

// FuzzGuardReject sends JSON of any shape through each format's guard
// and translator: the phrase the reject guard names never reaches a
// provider, in any string of what it is sent.
func FuzzGuardReject(f *testing.F) {
	rt := &recordingTransport{}
	handlers := fuzzGateway(f, rt)
	for _, seed := range []string{
		`{"model":"m","messages":[{"role":"user","content":"the launch codes"}]}`,
		`{"model":"m","max_tokens":5,"messages":[{"role":"user","content":[{"type":"tool_result","tool_use_id":"t","content":[{"type":"text","text":"launch codes"}]}]}]}`,
		`{"contents":[{"role":"user","parts":[{"function_response":{"name":"f","response":{"r":"launch codes"}}}]}],"system_instruction":{"parts":[{"text":"LAUNCH CODES"}]}}`,
		`{"model":"m","messages":[{"role":"assistant","tool_calls":[{"id":"c","type":"function","function":{"name":"f","arguments":"{\"q\":\"launch \\u0063odes\"}"}}]},{"role":"tool","tool_call_id":"c","content":"x"},{"role":"user","content":[{"type":"text","text":"launch "},{"type":"text","text":"codes"}]}]}`,
		`{"model":"m","messages":[{"role":"user","content":[{"type":"image_url","image_url":{"url":"https://x/launch codes.png"}}]}],"tools":[{"type":"function","function":{"name":"f","description":"launch codes","parameters":{"properties":{"launch codes":{}}}}}]}`,
		`{"model":"m","system":"launch codes","messages":[{"role":"user","content":"hi"}],"stop":["launch codes"],"user":"launch codes"}`,
	} {
		for i := range fuzzRoutes {
			f.Add(uint8(i), seed)
		}
	}
	f.Fuzz(func(t *testing.T, route uint8, body string) {
		r := fuzzRoutes[int(route)%len(fuzzRoutes)]
		req := httptest.NewRequest(http.MethodPost, r.path, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		rec := httptest.NewRecorder()
		func() {
			defer func() {
				if p := recover(); p != nil && p != http.ErrAbortHandler {
					t.Fatalf("panic: %v", p)
				}
			}()
			handlers[r.target].ServeHTTP(rec, req)
		}()
		for _, sent := range rt.take() {
			if leaks(sent) {
				t.Fatalf("%s %s: the phrase reached the provider\nsent:  %s\nasked: %s\nanswer: %d %s", r.target, r.path, sent, body, rec.Code, rec.Body)
			}
		}
	})
}

// leaks reports whether a body sent upstream holds the phrase, in its
// bytes or in any of its strings and names once decoded.
func leaks(body []byte) bool {
	if bytes.Contains(bytes.ToLower(body), []byte(phrase)) {
		return true
	}
	var v any
	if json.Unmarshal(body, &v) != nil {
		return false
	}
	found := false
	var walk func(any)
	walk = func(v any) {
		switch v := v.(type) {
		case string:
			found = found || strings.Contains(strings.ToLower(v), phrase)
			var inner any // a string that is JSON (tool arguments)
			if json.Unmarshal([]byte(v), &inner) == nil {
				if _, isString := inner.(string); !isString {
					walk(inner)
				}
			}
		case map[string]any:
			for k, e := range v {
				found = found || strings.Contains(strings.ToLower(k), phrase)
				walk(e)
			}
		case []any:
			for _, e := range v {
				walk(e)
			}
		}
	}
	walk(v)
	return found
}
