package proxy

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/kubelb-ai/kubelb-ai/internal/fakeprovider"
	"github.com/kubelb-ai/kubelb-ai/spec"
	"github.com/kubelb-ai/kubelb-ai/templates"
)

// sdkRoutes maps each provider API path to its route type, as generate
// renders it for agentgateway.
var sdkRoutes = map[string]any{
	"/v1/chat/completions":      "Completions",
	"/v1/messages":              "Messages",
	"/v1/messages/count_tokens": "AnthropicTokenCount",
	"/v1/responses":             "Responses",
	"/v1/embeddings":            "Embeddings",
	"/v1/models":                "Passthrough",
}

// serveRouteTypes serves agentgateway manifests for providers, each
// backend with sdkRoutes, in front of fakes of their kinds.
func serveRouteTypes(t *testing.T, providers []string, pol *spec.Policies, fakes map[string]*fakeprovider.Server) string {
	t.Helper()
	g, err := spec.Options{Target: templates.Agentgateway, Providers: providers}.Build()
	if err != nil {
		t.Fatal(err)
	}
	for i := range g.Spec.Routes {
		g.Spec.Routes[i].Policies = pol
	}
	maps := renderMaps(t, g)
	for _, p := range providers {
		maps = withRouteTypes(maps, p, sdkRoutes)
	}
	base, _ := serveMaps(t, maps, fakes)
	return base
}

func lastPath(f *fakeprovider.Server) string {
	reqs := f.Requests()
	if len(reqs) == 0 {
		return ""
	}
	return reqs[len(reqs)-1].Path
}

// Each route type reaches each provider as agentgateway sends it: natively
// where the provider speaks the client's API, else translated (Responses
// and Anthropic Messages through chat completions, embeddings to the
// provider's own API), or answered by the gateway.
func TestRouteTypesReachEveryProvider(t *testing.T) {
	fakes := map[string]*fakeprovider.Server{
		"openai":    fakeprovider.New(t, fakeprovider.OpenAI, "sk-o"),
		"anthropic": fakeprovider.New(t, fakeprovider.Anthropic, "sk-a"),
		"gemini":    fakeprovider.New(t, fakeprovider.Gemini, "sk-g"),
	}
	base := serveRouteTypes(t, []string{"anthropic", "gemini", "openai"}, nil, fakes)
	for _, tc := range []struct {
		name, provider, path, body string
		status                     int
		want                       []string // pieces of the answer
		upstream                   string   // the path the provider saw ("" for none)
	}{
		{"responses native", "openai", "/v1/responses", `{"model":"gpt-4o-mini","input":"hi there"}`, 200,
			[]string{`"object":"response"`, `"text":"echo: hi there"`, `"status":"completed"`}, "/v1/responses"},
		{"responses to anthropic", "anthropic", "/v1/responses", `{"model":"m","instructions":"be brief","input":"hi there"}`, 200,
			[]string{`"object":"response"`, `"text":"echo: hi there"`, `"instructions":"be brief"`, `"input_tokens":`}, "/v1/messages"},
		{"responses to gemini", "gemini", "/v1/responses", `{"model":"m","input":[{"role":"user","content":[{"type":"input_text","text":"hi there"}]}]}`, 200,
			[]string{`"object":"response"`, `"text":"echo: hi there"`}, ":generateContent"},
		{"responses member no pivot carries", "anthropic", "/v1/responses", `{"model":"m","input":"x","previous_response_id":"resp_1"}`, 400,
			[]string{`"error":{`, `previous_response_id`}, ""},
		{"messages native", "anthropic", "/v1/messages", `{"model":"m","max_tokens":9,"messages":[{"role":"user","content":"hi there"}]}`, 200,
			[]string{`"type":"message"`, `"text":"echo: hi there"`}, "/v1/messages"},
		{"messages to openai", "openai", "/v1/messages", `{"model":"m","max_tokens":9,"system":"be brief","messages":[{"role":"user","content":"hi there"}]}`, 200,
			[]string{`"type":"message"`, `"text":"echo: hi there"`, `"stop_reason":"end_turn"`}, "/v1/chat/completions"},
		{"messages to gemini", "gemini", "/v1/messages", `{"model":"m","max_tokens":9,"messages":[{"role":"user","content":"hi there"}]}`, 200,
			[]string{`"type":"message"`, `"text":"echo: hi there"`}, ":generateContent"},
		{"messages member no pivot carries", "openai", "/v1/messages", `{"model":"m","max_tokens":9,"top_k":3,"messages":[{"role":"user","content":"x"}]}`, 400,
			[]string{`"type":"error"`, `"type":"invalid_request_error"`, `top_k`}, ""},
		{"embeddings native", "openai", "/v1/embeddings", `{"model":"text-embedding-3-small","input":["a","b"]}`, 200,
			[]string{`"object":"list"`, `"index":1`, `"prompt_tokens":`}, "/v1/embeddings"},
		{"embeddings to gemini", "gemini", "/v1/embeddings", `{"model":"text-embedding-004","input":"a b"}`, 200,
			[]string{`"object":"list"`, `"object":"embedding"`}, ":batchEmbedContents"},
		{"embeddings to anthropic", "anthropic", "/v1/embeddings", `{"model":"m","input":"a"}`, 400,
			[]string{`"error":{`, `has no embeddings API`}, ""},
		{"count tokens native", "anthropic", "/v1/messages/count_tokens", `{"model":"m","messages":[{"role":"user","content":"one two three"}]}`, 200,
			[]string{`"input_tokens":`}, "/v1/messages/count_tokens"},
		{"count tokens estimated", "openai", "/v1/messages/count_tokens", `{"model":"m","messages":[{"role":"user","content":"one two three"}]}`, 200,
			[]string{`{"input_tokens":3}`}, ""},
		{"chat completions", "gemini", "/v1/chat/completions", `{"model":"m","messages":[{"role":"user","content":"hi there"}]}`, 200,
			[]string{`"object":"chat.completion"`, `"content":"echo: hi there"`}, ":generateContent"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := fakes[tc.provider]
			before := len(f.Requests())
			resp, out := post(t, base, "/"+tc.provider+tc.path, tc.body, nil)
			if resp.StatusCode != tc.status {
				t.Fatalf("%d %s", resp.StatusCode, out)
			}
			for _, w := range tc.want {
				if !strings.Contains(out, w) {
					t.Errorf("answer lacks %s:\n%s", w, out)
				}
			}
			switch got := len(f.Requests()) - before; {
			case tc.upstream == "" && got != 0:
				t.Errorf("the provider was called (%s)", lastPath(f))
			case tc.upstream != "" && (got != 1 || !strings.HasSuffix(lastPath(f), tc.upstream)):
				t.Errorf("the provider saw %d requests, last %q; want one at %s", got, lastPath(f), tc.upstream)
			}
		})
	}
}

// Streamed answers arrive in the client's own event stream, whatever the
// provider speaks: Responses events, Anthropic's events.
func TestRouteTypesStream(t *testing.T) {
	fakes := map[string]*fakeprovider.Server{
		"openai":    fakeprovider.New(t, fakeprovider.OpenAI, "sk-o"),
		"anthropic": fakeprovider.New(t, fakeprovider.Anthropic, "sk-a"),
	}
	base := serveRouteTypes(t, []string{"anthropic", "openai"}, nil, fakes)
	for _, tc := range []struct {
		name, url, body string
		events          []string // event names, in order, that must appear
		text            string   // the text deltas joined
	}{
		{"responses to anthropic", "/anthropic/v1/responses", `{"model":"m","input":"hi there","stream":true}`,
			[]string{"response.created", "response.output_text.delta", "response.output_text.done", "response.completed"}, "echo: hi there"},
		{"responses native", "/openai/v1/responses", `{"model":"m","input":"hi there","stream":true}`,
			[]string{"response.created", "response.output_text.delta", "response.completed"}, "echo: hi there"},
		{"messages to openai", "/openai/v1/messages", `{"model":"m","max_tokens":9,"stream":true,"messages":[{"role":"user","content":"hi there"}]}`,
			[]string{"message_start", "content_block_start", "content_block_delta", "content_block_stop", "message_delta", "message_stop"}, "echo: hi there"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp, out := post(t, base, tc.url, tc.body, nil)
			if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/event-stream") {
				t.Fatalf("%d %s %s", resp.StatusCode, resp.Header.Get("Content-Type"), out)
			}
			var names []string
			var text strings.Builder
			var completed map[string]any
			for _, block := range strings.Split(out, "\n\n") {
				var name, data string
				for _, line := range strings.Split(block, "\n") {
					if v, ok := strings.CutPrefix(line, "event: "); ok {
						name = v
					}
					if v, ok := strings.CutPrefix(line, "data: "); ok {
						data = v
					}
				}
				if name == "" {
					continue
				}
				names = append(names, name)
				var ev map[string]any
				_ = json.Unmarshal([]byte(data), &ev)
				if d, ok := ev["delta"].(string); ok && name == "response.output_text.delta" {
					text.WriteString(d)
				}
				if d, ok := ev["delta"].(map[string]any); ok && d["type"] == "text_delta" {
					text.WriteString(d["text"].(string))
				}
				if name == "response.completed" {
					completed, _ = ev["response"].(map[string]any)
				}
			}
			i := 0
			for _, n := range names {
				if i < len(tc.events) && n == tc.events[i] {
					i++
				}
			}
			if i < len(tc.events) || text.String() != tc.text {
				t.Errorf("events %v, text %q; want %v in order, text %q\n%s", names, text.String(), tc.events, tc.text, out)
			}
			if completed != nil && completed["usage"] == nil {
				t.Errorf("response.completed without usage: %v", completed)
			}
		})
	}
}

// Every error serve makes is in the route type's client format: a
// Messages client gets Anthropic's error, a Responses or embeddings client
// OpenAI's, whatever the provider.
func TestErrorsInTheClientsFormat(t *testing.T) {
	fakes := map[string]*fakeprovider.Server{"openai": fakeprovider.New(t, fakeprovider.OpenAI, "sk-o")}
	pol := &spec.Policies{
		RateLimit:   &spec.RequestLimit{Requests: 3, Per: "hour"},
		PromptGuard: &spec.PromptGuard{Request: []spec.GuardRule{{Action: spec.GuardReject, Patterns: []string{"forbidden"}, Message: "not here"}}},
	}
	base := serveRouteTypes(t, []string{"openai"}, pol, fakes)
	anthropicErr := func(out, typ string) bool {
		var e struct {
			Type  string `json:"type"`
			Error struct{ Type, Message string }
		}
		return json.Unmarshal([]byte(out), &e) == nil && e.Type == "error" && e.Error.Type == typ && e.Error.Message != ""
	}
	// A guard's rejection (403): Anthropic's shape to a Messages client,
	// OpenAI's to a Responses client.
	resp, out := post(t, base, "/openai/v1/messages", `{"model":"m","max_tokens":9,"messages":[{"role":"user","content":"a forbidden word"}]}`, nil)
	if resp.StatusCode != 403 || !anthropicErr(out, "permission_error") {
		t.Errorf("guard, Messages client: %d %s", resp.StatusCode, out)
	}
	resp, out = post(t, base, "/openai/v1/responses", `{"model":"m","instructions":"a forbidden word","input":"hi"}`, nil)
	if resp.StatusCode != 403 || openAIErrorMessage(out) != "not here" {
		t.Errorf("guard on instructions, Responses client: %d %s", resp.StatusCode, out)
	}
	// A body the client's format refuses (400), in its shape.
	resp, out = post(t, base, "/openai/v1/messages", `{"model":"m","max_tokens":9,"Messages":[]}`, nil)
	if resp.StatusCode != 400 || !anthropicErr(out, "invalid_request_error") {
		t.Errorf("bad body, Messages client: %d %s", resp.StatusCode, out)
	}
	// The route's request limit (3/hour) is spent by now: 429 in Anthropic's shape.
	resp, out = post(t, base, "/openai/v1/messages", `{"model":"m","max_tokens":9,"messages":[{"role":"user","content":"hi"}]}`, nil)
	if resp.StatusCode != http.StatusTooManyRequests || !anthropicErr(out, "rate_limit_error") {
		t.Errorf("rate limit, Messages client: %d %s", resp.StatusCode, out)
	}
	if n := len(fakes["openai"].Requests()); n != 0 {
		t.Errorf("the provider saw %d requests", n)
	}
}

// Prompt guards read every text a route type carries: Responses
// instructions and input, embeddings input, a token count's messages;
// agentgateway's Models answer and model list passthrough are the
// gateway's and the provider's.
func TestPoliciesApplyToEveryRouteType(t *testing.T) {
	fakes := map[string]*fakeprovider.Server{
		"openai":    fakeprovider.New(t, fakeprovider.OpenAI, "sk-o"),
		"anthropic": fakeprovider.New(t, fakeprovider.Anthropic, "sk-a"),
	}
	pol := &spec.Policies{PromptGuard: &spec.PromptGuard{Request: []spec.GuardRule{{Action: spec.GuardMask, Builtins: []string{"EMAIL"}}}}}
	base := serveRouteTypes(t, []string{"anthropic", "openai"}, pol, fakes)
	for _, tc := range []struct{ provider, path, body string }{
		{"openai", "/v1/responses", `{"model":"m","instructions":"reply to ana@example.com","input":"mail bo@example.com"}`},
		{"anthropic", "/v1/responses", `{"model":"m","input":[{"role":"user","content":[{"type":"input_text","text":"mail bo@example.com"}]}]}`},
		{"openai", "/v1/embeddings", `{"model":"e","input":["ana@example.com"]}`},
		{"anthropic", "/v1/messages/count_tokens", `{"model":"m","messages":[{"role":"user","content":"bo@example.com"}]}`},
	} {
		f := fakes[tc.provider]
		if resp, out := post(t, base, "/"+tc.provider+tc.path, tc.body, nil); resp.StatusCode != 200 {
			t.Errorf("%s %s: %d %s", tc.provider, tc.path, resp.StatusCode, out)
			continue
		}
		sent := string(f.Requests()[len(f.Requests())-1].Body)
		if strings.Contains(sent, "@example.com") || !strings.Contains(sent, "EMAIL_ADDRESS") {
			t.Errorf("%s %s: the provider got %s", tc.provider, tc.path, sent)
		}
	}
	// Models: agentgateway's own 501; the model list passes through (a GET
	// carries no prompt, so a guarded route lets it by).
	if resp, out := post(t, base, "/openai/v1/models", `{}`, nil); resp.StatusCode != 403 {
		t.Errorf("a body passed through on a guarded route: %d %s", resp.StatusCode, out)
	}
	resp, err := http.Get(base + "/openai/v1/models")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var list struct {
		Data []struct{ ID string }
	}
	if resp.StatusCode != 200 || json.NewDecoder(resp.Body).Decode(&list) != nil || len(list.Data) == 0 {
		t.Errorf("model list: %d %+v", resp.StatusCode, list)
	}
	// The route's prefix is taken off (the HTTPRoute's rewrite): the
	// provider's own path, as agentgateway forwards it.
	if got := lastPath(fakes["openai"]); got != "/v1/models" {
		t.Errorf("the model list reached the provider at %q, want /v1/models", got)
	}
}

// A member one provider's translation refuses moves the request on to the
// next provider of a failover chain, which may take it; when none can,
// the client hears why (400).
func TestRefusedMemberFailsOver(t *testing.T) {
	fakes := map[string]*fakeprovider.Server{
		"openai":    fakeprovider.New(t, fakeprovider.OpenAI, "sk-o"),
		"anthropic": fakeprovider.New(t, fakeprovider.Anthropic, "sk-a"),
	}
	base, _ := startServe(t, templates.Agentgateway, spec.Options{Providers: []string{"anthropic"}, Failover: []string{"anthropic", "openai"}}, fakes)
	resp, out := post(t, base, "/anthropic/v1/chat/completions", `{"model":"m","logprobs":true,"messages":[{"role":"user","content":"hi"}]}`, nil)
	if resp.StatusCode != 200 || !strings.Contains(out, "echo: hi") || len(fakes["anthropic"].Requests()) != 0 || len(fakes["openai"].Requests()) != 1 {
		t.Errorf("logprobs through [anthropic, openai]: %d %s", resp.StatusCode, out)
	}
	only, _ := startServe(t, templates.Agentgateway, spec.Options{Providers: []string{"anthropic"}}, fakes)
	resp, out = post(t, only, "/anthropic/v1/chat/completions", `{"model":"m","logprobs":true,"messages":[{"role":"user","content":"hi"}]}`, nil)
	if resp.StatusCode != 400 || !strings.Contains(openAIErrorMessage(out), "logprobs") {
		t.Errorf("logprobs to anthropic alone: %d %s", resp.StatusCode, out)
	}
}

// serve says at start where it answers what agentgateway refuses.
func TestResponsesToAnthropicIsWarned(t *testing.T) {
	g, err := spec.Options{Target: templates.Agentgateway, Providers: []string{"anthropic", "openai"}}.Build()
	if err != nil {
		t.Fatal(err)
	}
	maps := renderMaps(t, g)
	for _, p := range []string{"anthropic", "openai"} {
		maps = withRouteTypes(maps, p, sdkRoutes)
	}
	cfg, err := buildObjs(maps, Options{Listen: map[string]string{"http": "127.0.0.1:0"}, Lookup: func(string) (string, bool) { return "sk-x", true }})
	if err != nil {
		t.Fatal(err)
	}
	var warned []string
	for _, w := range cfg.Warnings {
		if strings.Contains(w, "Responses") {
			warned = append(warned, w)
		}
	}
	want := "backend anthropic maps /v1/responses to Responses for Anthropic provider anthropic: serve translates it, agentgateway on the cluster refuses it (503)"
	if len(warned) != 1 || warned[0] != want {
		t.Errorf("warnings %q, want only %q", warned, want)
	}
}

// Counting a prompt's tokens spends none of the route's token budget (it
// generates nothing), as on agentgateway; a generation still does.
func TestTokenCountSpendsNoBudget(t *testing.T) {
	fakes := map[string]*fakeprovider.Server{"anthropic": fakeprovider.New(t, fakeprovider.Anthropic, "sk-a")}
	base := serveRouteTypes(t, []string{"anthropic"}, &spec.Policies{TokenLimit: &spec.TokenLimit{Tokens: 40, Per: "hour"}}, fakes)
	prompt := strings.Repeat("word ", 30)
	count := `{"model":"m","messages":[{"role":"user","content":"` + prompt + `"}]}`
	for i := range 5 {
		if resp, out := post(t, base, "/anthropic/v1/messages/count_tokens", count, nil); resp.StatusCode != 200 {
			t.Fatalf("count %d: %d %s", i, resp.StatusCode, out)
		}
	}
	msg := `{"model":"m","max_tokens":5,"messages":[{"role":"user","content":"` + prompt + `"}]}`
	if resp, out := post(t, base, "/anthropic/v1/messages", msg, nil); resp.StatusCode != 200 {
		t.Errorf("the first generation after five counts: %d %s", resp.StatusCode, out)
	}
	if resp, out := post(t, base, "/anthropic/v1/messages", msg, nil); resp.StatusCode != http.StatusTooManyRequests {
		t.Errorf("the second generation, past the budget: %d %s", resp.StatusCode, out)
	}
}

// Attacks on the route types: a prompt smuggled into a body-less verb of a
// passthrough path, or into a case variant of a Responses member, never
// reaches a provider past a route's guard.
func TestRouteTypeAttacks(t *testing.T) {
	fakes := map[string]*fakeprovider.Server{"openai": fakeprovider.New(t, fakeprovider.OpenAI, "sk-o")}
	pol := &spec.Policies{PromptGuard: &spec.PromptGuard{Request: []spec.GuardRule{{Action: spec.GuardReject, Patterns: []string{"forbidden"}}}}}
	base := serveRouteTypes(t, []string{"openai"}, pol, fakes)
	for _, tc := range []struct {
		method, path, body string
		status             int
	}{
		// A GET carries no prompt, so a guarded route lets the model list
		// by; a GET with a body is passed through unread, so it is refused.
		{http.MethodGet, "/openai/v1/models", `{"messages":[{"role":"user","content":"forbidden"}]}`, http.StatusForbidden},
		{http.MethodDelete, "/openai/v1/models", ``, http.StatusForbidden},
		// A member spelt otherwise than the API spells it is refused before
		// any stage, so no guard can be read past.
		{http.MethodPost, "/openai/v1/responses", `{"model":"m","Input":"forbidden"}`, http.StatusBadRequest},
		{http.MethodPost, "/openai/v1/responses", `{"model":"m","input":"x","instructions":"x","Instructions":"forbidden"}`, http.StatusBadRequest},
		{http.MethodPost, "/openai/v1/embeddings", `{"model":"m","input":["a","forbidden"]}`, http.StatusForbidden},
		{http.MethodPost, "/openai/v1/responses", `{"model":"m","input":[{"type":"function_call_output","call_id":"c","output":"forbidden"}]}`, http.StatusForbidden},
	} {
		req, _ := http.NewRequest(tc.method, base+tc.path, strings.NewReader(tc.body))
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != tc.status {
			t.Errorf("%s %s %s: %d, want %d", tc.method, tc.path, tc.body, resp.StatusCode, tc.status)
		}
	}
	if n := len(fakes["openai"].Requests()); n != 0 {
		t.Errorf("the provider saw %d requests: %v", n, lastPath(fakes["openai"]))
	}
}
