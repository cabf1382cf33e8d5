package proxy

import (
	"bufio"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/kubelb-ai/kubelb-ai/internal/fakeprovider"
	"github.com/kubelb-ai/kubelb-ai/spec"
	"github.com/kubelb-ai/kubelb-ai/templates"
)

// On agentgateway an OpenAI client reaches Anthropic and Gemini: the
// request arrives in the provider's format, the answer and the stream come
// back in OpenAI's, tool calls included; a failover from an OpenAI provider
// to Anthropic translates for the second only; native requests pass as
// they are.
func TestTranslationOnAgentgateway(t *testing.T) {
	anthropic := fakeprovider.New(t, fakeprovider.Anthropic, "sk-ant")
	gemini := fakeprovider.New(t, fakeprovider.Gemini, "g-key")
	openai := fakeprovider.New(t, fakeprovider.OpenAI, "sk-oai")
	fakes := map[string]*fakeprovider.Server{"anthropic": anthropic, "gemini": gemini, "openai": openai}
	base, _ := startServe(t, templates.Agentgateway, spec.Options{Providers: []string{"anthropic", "gemini"}}, fakes)

	for _, c := range []struct {
		route string
		fake  *fakeprovider.Server
	}{{"/anthropic", anthropic}, {"/gemini", gemini}} {
		resp, out := post(t, base, c.route+"/v1/chat/completions", `{"model":"any","messages":[{"role":"system","content":"Be brief."},{"role":"user","content":"hi"}]}`, nil)
		var answer struct {
			Object  string `json:"object"`
			Choices []struct {
				Message struct {
					Content   string `json:"content"`
					ToolCalls []struct {
						Function struct{ Name, Arguments string } `json:"function"`
					} `json:"tool_calls"`
				} `json:"message"`
				FinishReason string `json:"finish_reason"`
			} `json:"choices"`
			Usage struct {
				PromptTokens int `json:"prompt_tokens"`
			} `json:"usage"`
		}
		if err := json.Unmarshal([]byte(out), &answer); resp.StatusCode != 200 || err != nil || answer.Object != "chat.completion" ||
			len(answer.Choices) != 1 || answer.Choices[0].Message.Content != "echo: hi" || answer.Choices[0].FinishReason != "stop" || answer.Usage.PromptTokens == 0 {
			t.Fatalf("%s plain: %d %s", c.route, resp.StatusCode, out)
		}
		reqs := c.fake.Requests()
		sent := string(reqs[len(reqs)-1].Body)
		if strings.Contains(sent, `"messages":[{"role":"system"`) || !strings.Contains(sent, "Be brief.") {
			t.Errorf("%s: the provider got %s", c.route, sent)
		}

		// Tools, whole.
		tools := `"tools":[{"type":"function","function":{"name":"lookup","parameters":{"type":"object","properties":{"q":{"type":"string"}}}}}]`
		_, out = post(t, base, c.route+"/v1/chat/completions", `{"model":"any",`+tools+`,"messages":[{"role":"user","content":"find it"}]}`, nil)
		answer.Choices = nil
		if json.Unmarshal([]byte(out), &answer); len(answer.Choices) != 1 || len(answer.Choices[0].Message.ToolCalls) != 1 ||
			answer.Choices[0].Message.ToolCalls[0].Function.Name != "lookup" || answer.Choices[0].Message.ToolCalls[0].Function.Arguments != `{"q":"find it"}` ||
			answer.Choices[0].FinishReason != "tool_calls" {
			t.Errorf("%s tool call: %s", c.route, out)
		}

		// Streamed, text and tool call.
		content, _, done := streamChat(t, base+c.route+"/v1/chat/completions", `{"model":"any","stream":true,"messages":[{"role":"user","content":"stream please"}]}`)
		if content != "echo: stream please" || !done {
			t.Errorf("%s stream: %q done=%v", c.route, content, done)
		}
		_, args, done := streamChat(t, base+c.route+"/v1/chat/completions", `{"model":"any","stream":true,`+tools+`,"messages":[{"role":"user","content":"find it"}]}`)
		if args != `{"q":"find it"}` || !done {
			t.Errorf("%s streamed tool call arguments %q done=%v", c.route, args, done)
		}
	}

	// Without route types every path carries OpenAI's format, as on
	// agentgateway; a Messages route type (generate maps one) lets
	// Anthropic's own format pass as it is, to Anthropic.
	native := `{"model":"claude","max_tokens":5,"messages":[{"role":"user","content":"native"}]}`
	if resp, out := post(t, base, "/anthropic/v1/messages", native, nil); resp.StatusCode != 200 || !strings.Contains(out, `"type":"message"`) {
		t.Errorf("a Messages request on generated manifests: %d %s", resp.StatusCode, out)
	}
	g, _ := spec.Options{Target: templates.Agentgateway, Providers: []string{"anthropic", "gemini"}}.Build()
	untyped, _ := serveMaps(t, withRouteTypes(renderMaps(t, g), "anthropic", nil), fakes)
	if resp, out := post(t, untyped, "/anthropic/v1/messages", native, nil); resp.StatusCode != 200 || !strings.Contains(out, `"object":"chat.completion"`) {
		t.Errorf("a Messages-shaped request without route types: %d %s", resp.StatusCode, out)
	}
	maps := withRouteTypes(renderMaps(t, g), "anthropic", map[string]any{"/v1/messages": "Messages", "*": "Passthrough"})
	typed, _ := serveMaps(t, maps, fakes)
	if resp, out := post(t, typed, "/anthropic/v1/messages", native, nil); resp.StatusCode != 200 || !strings.Contains(out, `"type":"message"`) {
		t.Errorf("native request: %d %s", resp.StatusCode, out)
	}
	if resp, out := post(t, typed, "/anthropic/v1/chat/completions", native, nil); resp.StatusCode != 404 && resp.StatusCode != 400 {
		// Passthrough: the client's path on Anthropic's host, which has
		// no such API.
		t.Errorf("passthrough: %d %s", resp.StatusCode, out)
	}

	// Failover from OpenAI (as is) to Anthropic (translated).
	failover, _ := startServe(t, templates.Agentgateway, spec.Options{Providers: []string{"openai"}, Failover: []string{"openai", "anthropic"}}, fakes)
	openai.Fail(fakeprovider.Fault{Status: 503})
	if resp, out := post(t, failover, "/openai/v1/chat/completions", `{"model":"gpt-4o-mini","messages":[{"role":"user","content":"over"}]}`, nil); resp.StatusCode != 200 ||
		!strings.Contains(out, `"object":"chat.completion"`) || !strings.Contains(out, "echo: over") {
		t.Errorf("failover to anthropic: %d %s", resp.StatusCode, out)
	}

	// A provider's error comes back in OpenAI's shape with its status.
	gemini.Fail(fakeprovider.Fault{Status: 400})
	if resp, out := post(t, base, "/gemini/v1/chat/completions", `{"model":"any","messages":[{"role":"user","content":"x"}]}`, nil); resp.StatusCode != 400 ||
		!strings.Contains(out, `"error":{"code":null,"message":"the fake provider was told to fail"`) {
		t.Errorf("gemini error: %d %s", resp.StatusCode, out)
	}
	// A request that cannot be translated is refused before any call.
	before := len(anthropic.Requests())
	if resp, out := post(t, base, "/anthropic/v1/chat/completions", `{"model":"any","messages":[{"role":"wizard","content":"x"}]}`, nil); resp.StatusCode != 400 ||
		!strings.Contains(out, `role \"wizard\"`) || len(anthropic.Requests()) != before {
		t.Errorf("untranslatable request: %d %s", resp.StatusCode, out)
	}
}

// On kgateway the data plane forwards bodies as they are; Options.Translate
// (serve --translate) turns translation on.
func TestTranslationIsOptInOnKgateway(t *testing.T) {
	anthropic := fakeprovider.New(t, fakeprovider.Anthropic, "sk-ant")
	base, _ := startServe(t, templates.KgatewayV21, spec.Options{Providers: []string{"anthropic"}},
		map[string]*fakeprovider.Server{"anthropic": anthropic})
	if resp, out := post(t, base, "/anthropic/v1/chat/completions", `{"model":"any","messages":[{"role":"user","content":"hi"}]}`, nil); resp.StatusCode != 400 ||
		!strings.Contains(out, "max_tokens") {
		t.Errorf("kgateway without --translate should forward the OpenAI body as it is (the provider refuses it): %d %s", resp.StatusCode, out)
	}
}

// streamChat reads an OpenAI chat stream: the content, a tool call's
// arguments, and whether it ended with [DONE].
func streamChat(t *testing.T, url, body string) (content, args string, done bool) {
	t.Helper()
	resp, err := http.Post(url, "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "text/event-stream" {
		t.Fatalf("stream: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		data, ok := strings.CutPrefix(sc.Text(), "data: ")
		if !ok {
			continue
		}
		if data == "[DONE]" {
			done = true
			continue
		}
		var chunk struct {
			Object  string `json:"object"`
			Choices []struct {
				Delta struct {
					Content   string `json:"content"`
					ToolCalls []struct {
						Function struct{ Arguments string } `json:"function"`
					} `json:"tool_calls"`
				} `json:"delta"`
			} `json:"choices"`
		}
		if err := json.Unmarshal([]byte(data), &chunk); err != nil || chunk.Object != "chat.completion.chunk" {
			t.Fatalf("not an OpenAI chunk: %s", data)
		}
		for _, c := range chunk.Choices {
			content += c.Delta.Content
			for _, tc := range c.Delta.ToolCalls {
				args += tc.Function.Arguments
			}
		}
	}
	return content, args, done
}

// Vertex AI speaks Gemini's format at its own path and with a bearer
// token; an OpenAI client reaches it translated, plain and streamed, tools
// included. OpenAI-format providers pass tool calls through as they are.
func TestTranslationVertexAndPassthroughTools(t *testing.T) {
	vertex := fakeprovider.New(t, fakeprovider.Gemini, "ya29-token")
	openai := fakeprovider.New(t, fakeprovider.OpenAI, "sk-oai")
	g, err := spec.Options{Target: templates.Agentgateway, Providers: []string{"vertexai", "openai"}, VertexProject: "proj-1"}.Build()
	if err != nil {
		t.Fatal(err)
	}
	base, _ := serveMaps(t, renderMaps(t, g), map[string]*fakeprovider.Server{"vertexai": vertex, "openai": openai})
	tools := `"tools":[{"type":"function","function":{"name":"lookup","parameters":{"type":"object"}}}]`
	for _, route := range []string{"/vertexai", "/openai"} {
		resp, out := post(t, base, route+"/v1/chat/completions", `{"model":"any",`+tools+`,"messages":[{"role":"user","content":"find it"}]}`, nil)
		if resp.StatusCode != 200 || !strings.Contains(out, `"finish_reason":"tool_calls"`) || !strings.Contains(out, `"name":"lookup"`) {
			t.Errorf("%s tool call: %d %s", route, resp.StatusCode, out)
		}
		_, args, done := streamChat(t, base+route+"/v1/chat/completions", `{"model":"any","stream":true,`+tools+`,"messages":[{"role":"user","content":"find it"}]}`)
		if args != `{"q":"find it"}` || !done {
			t.Errorf("%s streamed tool call: %q done=%v", route, args, done)
		}
	}
	reqs := vertex.Requests()
	if len(reqs) != 2 || !strings.Contains(reqs[0].Path, "/projects/proj-1/locations/us-central1/publishers/google/models/") ||
		!strings.HasSuffix(reqs[1].Path, ":streamGenerateContent") || reqs[0].Header.Get("Authorization") != "Bearer ya29-token" {
		t.Errorf("vertex requests: %+v", reqs)
	}
}

// Amazon Bedrock on agentgateway: an OpenAI client's request is translated
// to Converse and signed with AWS Signature Version 4 (the fake checks the
// signature), answers come back in OpenAI's shape, plain and streamed (the
// binary event stream translated chunk by chunk), tools included.
func TestTranslationBedrock(t *testing.T) {
	bedrock := fakeprovider.New(t, fakeprovider.Bedrock, "AKIDFAKE")
	g, err := spec.Options{Target: templates.Agentgateway, Providers: []string{"bedrock"}}.Build()
	if err != nil {
		t.Fatal(err)
	}
	u, _ := url.Parse(bedrock.URL)
	keys := map[string]string{"AWS_ACCESS_KEY_ID": bedrock.Key, "AWS_SECRET_ACCESS_KEY": bedrock.BedrockSecret()}
	cfg, err := buildObjs(renderMaps(t, g), Options{Listen: map[string]string{"http": "127.0.0.1:0"}, Upstreams: map[string]*url.URL{"bedrock": u},
		Lookup: func(k string) (string, bool) { v, ok := keys[k]; return v, ok }, Client: NewClient(time.Second, 5*time.Second)})
	if err != nil {
		t.Fatal(err)
	}
	base, _ := serveConfig(t, cfg)
	resp, out := post(t, base, "/bedrock/v1/chat/completions", `{"model":"any","messages":[{"role":"system","content":"Be brief."},{"role":"user","content":"hi"}]}`, nil)
	if resp.StatusCode != 200 || !strings.Contains(out, `"content":"echo: hi"`) || !strings.Contains(out, `"finish_reason":"stop"`) || !strings.Contains(out, `"prompt_tokens":2`) {
		t.Fatalf("plain: %d %s", resp.StatusCode, out)
	}
	req := bedrock.Requests()[0]
	if !strings.Contains(req.Path, "/model/anthropic.claude") || !strings.HasSuffix(req.Path, "/converse") || !strings.Contains(string(req.Body), `"system":[{"text":"Be brief."}]`) {
		t.Errorf("sent %s %s", req.Path, req.Body)
	}
	if content, _, done := streamChat(t, base+"/bedrock/v1/chat/completions", `{"model":"any","stream":true,"messages":[{"role":"user","content":"stream please"}]}`); content != "echo: stream please" || !done {
		t.Errorf("stream: %q done=%v", content, done)
	}
	tools := `"tools":[{"type":"function","function":{"name":"lookup","parameters":{"type":"object"}}}]`
	if _, out := post(t, base, "/bedrock/v1/chat/completions", `{"model":"any",`+tools+`,"messages":[{"role":"user","content":"find it"}]}`, nil); !strings.Contains(out, `"finish_reason":"tool_calls"`) || !strings.Contains(out, `"arguments":"{\"q\":\"find it\"}"`) {
		t.Errorf("tool call: %s", out)
	}
	if _, args, done := streamChat(t, base+"/bedrock/v1/chat/completions", `{"model":"any","stream":true,`+tools+`,"messages":[{"role":"user","content":"find it"}]}`); args != `{"q":"find it"}` || !done {
		t.Errorf("streamed tool call: %q done=%v", args, done)
	}
	// A wrong secret fails the signature check.
	keys["AWS_SECRET_ACCESS_KEY"] = "wrong"
	cfg, _ = buildObjs(renderMaps(t, g), Options{Listen: map[string]string{"http": "127.0.0.1:0"}, Upstreams: map[string]*url.URL{"bedrock": u},
		Lookup: func(k string) (string, bool) { v, ok := keys[k]; return v, ok }, Client: NewClient(time.Second, 5*time.Second)})
	wrong, _ := serveConfig(t, cfg)
	if resp, out := post(t, wrong, "/bedrock/v1/chat/completions", `{"model":"any","messages":[{"role":"user","content":"hi"}]}`, nil); resp.StatusCode != 401 {
		t.Errorf("a wrong secret: %d %s", resp.StatusCode, out)
	}
}

// withRouteTypes sets agentgateway's policies.ai.routes on the
// AgentgatewayBackend named backend.
func withRouteTypes(maps []map[string]any, backend string, routes map[string]any) []map[string]any {
	for _, o := range maps {
		if o["kind"] == "AgentgatewayBackend" && dig(o, "metadata", "name") == backend {
			spec := o["spec"].(map[string]any)
			pols, _ := spec["policies"].(map[string]any)
			if pols == nil {
				pols = map[string]any{}
				spec["policies"] = pols
			}
			ai, _ := pols["ai"].(map[string]any)
			if ai == nil {
				ai = map[string]any{}
				pols["ai"] = ai
			}
			ai["routes"] = routes
		}
	}
	return maps
}
