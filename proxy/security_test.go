package proxy

// The attacks of the security review, each against a recording fake
// provider: what a guard, mask, limit or key policy forbids must reach
// neither the provider nor the client.

import (
	"bufio"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kubelb-ai/kubelb-ai/internal/fakeprovider"
	"github.com/kubelb-ai/kubelb-ai/spec"
	"github.com/kubelb-ai/kubelb-ai/templates"
)

// phrase is what the reject guards of these tests refuse.
const phrase = "launch codes"

var rejectPhrase = spec.GuardRule{Action: spec.GuardReject, Patterns: []string{phrase}}

// servePolicy serves providers on target with pol on every route (and the
// gateway changed by edit, if set) in front of fakes, with opts.
func servePolicy(t *testing.T, target string, providers []string, pol *spec.Policies, fakes map[string]*fakeprovider.Server,
	edit func(*spec.AIGateway), opts func(*Options)) (string, func() string) {
	t.Helper()
	g, err := spec.Options{Target: target, Providers: providers}.Build()
	if err != nil {
		t.Fatal(err)
	}
	for i := range g.Spec.Routes {
		g.Spec.Routes[i].Policies = pol
	}
	if edit != nil {
		edit(g)
	}
	if err := spec.Check(g); err != nil {
		t.Fatal(err)
	}
	base, _, logs := serveMapsWith(t, renderMaps(t, g), fakes, opts)
	return base, logs.String
}

// send posts body with a JSON content type (and header) and returns the
// answer, and the error reading it (a broken answer).
func send(t *testing.T, url, body string, header map[string]string) (*http.Response, string, error) {
	t.Helper()
	if _, set := header["Content-Type"]; !set {
		header = maps.Clone(header)
		if header == nil {
			header = map[string]string{}
		}
		header["Content-Type"] = "application/json"
	}
	return fetch(t, http.MethodPost, url, "", body, header)
}

// unseen fails the test if any request the fake received since before
// carries s (in its body, decoded JSON strings included, or headers).
func unseen(t *testing.T, what string, f *fakeprovider.Server, before int, s string) {
	t.Helper()
	for _, r := range f.Requests()[before:] {
		var decoded any
		_ = json.Unmarshal(r.Body, &decoded)
		flat, _ := json.Marshal(decoded)
		if strings.Contains(strings.ToLower(string(r.Body)), s) || strings.Contains(strings.ToLower(unescape(string(flat))), s) {
			t.Errorf("%s: %q reached the provider: %s", what, s, r.Body)
		}
	}
}

// unescape reads a JSON text's \u escapes.
func unescape(s string) string {
	var out string
	if json.Unmarshal([]byte(strconv.Quote(s)), &out) != nil {
		return s
	}
	return out
}

// 1. The format comes from the route, not from the client's path: an
// OpenAI body on a path ending like Gemini's is still read as the OpenAI
// body it is, guarded and counted.
func TestAttackFormatFromPath(t *testing.T) {
	openai := fakeprovider.New(t, fakeprovider.OpenAI, "k")
	fakes := map[string]*fakeprovider.Server{"openai": openai}
	for _, target := range []string{templates.KgatewayV21, templates.Agentgateway} {
		base, _ := servePolicy(t, target, []string{"openai"}, &spec.Policies{PromptGuard: &spec.PromptGuard{Request: []spec.GuardRule{rejectPhrase}}}, fakes, nil, nil)
		for _, path := range []string{"/openai/v1/x:generateContent", "/openai/v1/x:streamGenerateContent", "/openai/v1/messages", "/openai"} {
			before := len(openai.Requests())
			resp, out, _ := send(t, base+path, `{"model":"m","stream":true,"messages":[{"role":"user","content":"the launch codes"}]}`, nil)
			if resp.StatusCode != 403 || len(openai.Requests()) != before {
				t.Errorf("%s %s: %d %s; the provider saw %d requests", target, path, resp.StatusCode, out, len(openai.Requests())-before)
			}
		}
	}
	// Streams on such paths are charged to the token budget.
	base, _ := servePolicy(t, templates.Agentgateway, []string{"openai"}, &spec.Policies{TokenLimit: &spec.TokenLimit{Tokens: 1000, Per: spec.PerHour}}, fakes, nil, nil)
	resp, _, _ := send(t, base+"/openai/v1/x:generateContent", `{"model":"m","stream":true,"messages":[{"role":"user","content":"one two three four five six seven eight"}]}`, nil)
	if left, _ := strconv.Atoi(resp.Header.Get("x-ratelimit-remaining-tokens")); left > 1000-8 {
		t.Errorf("the prompt was not counted: %d tokens left", left)
	}
	waitCharged(t, base, 1000-8-9) // the answer, "echo: " and the prompt
}

// waitCharged waits until the route's token budget shows at most left
// tokens (answers are charged as they end).
func waitCharged(t *testing.T, base string, left int) {
	t.Helper()
	var got int
	for deadline := time.Now().Add(3 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		resp, _, _ := send(t, base+"/openai/v1/chat/completions", `{"model":"m","messages":[{"role":"user","content":""}]}`, nil)
		got, _ = strconv.Atoi(resp.Header.Get("x-ratelimit-remaining-tokens"))
		if got <= left {
			return
		}
	}
	t.Errorf("the budget has %d tokens left, want at most %d: the answer was not charged", got, left)
}

// 2. Case variants, duplicates and other leniencies of a JSON decoder: a
// body serve could read otherwise than a provider is refused, before any
// call.
func TestAttackDecoderLeniency(t *testing.T) {
	anthropic := fakeprovider.New(t, fakeprovider.Anthropic, "k1")
	openai := fakeprovider.New(t, fakeprovider.OpenAI, "k2")
	fakes := map[string]*fakeprovider.Server{"anthropic": anthropic, "openai": openai}
	pol := &spec.Policies{PromptGuard: &spec.PromptGuard{Request: []spec.GuardRule{rejectPhrase, {Action: spec.GuardMask, Builtins: []string{"CREDIT_CARD"}}}}}
	base, _ := servePolicy(t, templates.Agentgateway, []string{"anthropic", "openai"}, pol, fakes, nil, nil)
	for name, body := range map[string]string{
		"case variant":           `{"model":"m","Messages":[{"role":"user","content":"the launch codes"}]}`,
		"case variant, nested":   `{"model":"m","messages":[{"role":"user","CONTENT":"the launch codes"}]}`,
		"unicode case folding":   `{"model":"m","meſſages":[{"role":"user","content":"the launch codes"}]}`,
		"duplicate":              `{"model":"m","messages":[{"role":"user","content":"hi"}],"messages":[{"role":"user","content":"the launch codes"}]}`,
		"duplicate, nested":      `{"model":"m","messages":[{"role":"user","content":"hi","content":"4111 1111 1111 1111"}]}`,
		"trailing data":          `{"model":"m","messages":[{"role":"user","content":"hi"}]} {"messages":[{"role":"user","content":"the launch codes"}]}`,
		"invalid UTF-8":          "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"launch\xffcodes\"}]}",
		"not an object":          `[{"role":"user","content":"the launch codes"}]`,
		"number with a phrase?":  `{"model":"m","messages":[{"role":"user","content":"hi"}],"temperature":1e999999}`,
		"deeply nested":          `{"model":"m","messages":[{"role":"user","content":"hi"}],"x":` + strings.Repeat("[", 500) + strings.Repeat("]", 500) + `}`,
		"truncated":              `{"model":"m","messages":[{"role":"user","content":"the launch codes"`,
		"comment (JSON5)":        `{"model":"m",/* */"messages":[{"role":"user","content":"the launch codes"}]}`,
		"single quotes (JSON5)":  `{'model':'m','messages':[{'role':'user','content':'the launch codes'}]}`,
		"unquoted names (JSON5)": `{model:"m",messages:[{role:"user",content:"the launch codes"}]}`,
	} {
		for _, route := range []string{"/anthropic/v1/chat/completions", "/openai/v1/chat/completions"} {
			ab, ob := len(anthropic.Requests()), len(openai.Requests())
			resp, out, _ := send(t, base+route, body, nil)
			if name == "number with a phrase?" {
				if resp.StatusCode >= 500 {
					t.Errorf("%s %s: %d %s", name, route, resp.StatusCode, out)
				}
				continue
			}
			if resp.StatusCode != 400 || len(anthropic.Requests()) != ab || len(openai.Requests()) != ob {
				t.Errorf("%s %s: %d %s; the providers saw %d requests", name, route, resp.StatusCode, out, len(anthropic.Requests())-ab+len(openai.Requests())-ob)
			}
		}
	}
	// A browser's simple request (a form, text/plain) is not JSON to a
	// JSON route.
	for _, ct := range []string{"text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "", "application/json; charset=latin1"} {
		ob := len(openai.Requests())
		resp, out, _ := send(t, base+"/openai/v1/chat/completions", chat, map[string]string{"Content-Type": ct})
		if resp.StatusCode != 415 || len(openai.Requests()) != ob {
			t.Errorf("Content-Type %q: %d %s", ct, resp.StatusCode, out)
		}
	}
}

// 3. Every field of each format that carries text is read by the guard:
// tool calls and results, documents, system instructions in every
// spelling, tool definitions, names, refusals, unknown members.
func TestAttackEveryTextField(t *testing.T) {
	fakes := map[string]*fakeprovider.Server{
		"openai":    fakeprovider.New(t, fakeprovider.OpenAI, "k1"),
		"anthropic": fakeprovider.New(t, fakeprovider.Anthropic, "k2"),
		"gemini":    fakeprovider.New(t, fakeprovider.Gemini, "k3"),
	}
	pol := &spec.Policies{PromptGuard: &spec.PromptGuard{Request: []spec.GuardRule{rejectPhrase}}}
	// kgateway forwards each provider's own format: all three are read
	// natively there.
	base, _ := servePolicy(t, templates.KgatewayV21, []string{"openai", "anthropic", "gemini"}, pol, fakes, nil, nil)
	user := `{"role":"user","content":"hi"}`
	cases := map[string][]string{
		"openai": {
			`{"model":"m","messages":[{"role":"assistant","content":null,"tool_calls":[{"id":"c","type":"function","function":{"name":"f","arguments":"{\"q\":\"the launch codes\"}"}}]},` + user + `]}`,
			`{"model":"m","messages":[{"role":"assistant","content":null,"tool_calls":[{"id":"c","type":"function","function":{"name":"f","arguments":"{\"q\":\"the l\\u0061unch codes\"}"}}]},` + user + `]}`,
			`{"model":"m","messages":[{"role":"tool","tool_call_id":"c","content":"the launch codes"},` + user + `]}`,
			`{"model":"m","messages":[` + user + `],"tools":[{"type":"function","function":{"name":"f","description":"the launch codes"}}]}`,
			`{"model":"m","messages":[` + user + `],"tools":[{"type":"function","function":{"name":"f","parameters":{"type":"object","properties":{"q":{"type":"string","description":"the launch codes"}}}}}]}`,
			`{"model":"m","messages":[` + user + `],"tools":[{"type":"function","function":{"name":"f","parameters":{"type":"object","properties":{"launch codes":{"type":"string"}}}}}]}`,
			`{"model":"m","messages":[{"role":"user","name":"the launch codes","content":"hi"}]}`,
			`{"model":"m","messages":[{"role":"assistant","content":[{"type":"refusal","refusal":"the launch codes"}]},` + user + `]}`,
			`{"model":"m","messages":[{"role":"assistant","refusal":"the launch codes","content":"x"},` + user + `]}`,
			`{"model":"m","messages":[{"role":"user","content":[{"type":"text","text":"the launch "},{"type":"text","text":"codes"}]}]}`,
			`{"model":"m","messages":[` + user + `],"response_format":{"type":"json_schema","json_schema":{"name":"n","schema":{"description":"the launch codes"}}}}`,
			`{"model":"m","messages":[` + user + `],"prediction":{"type":"content","content":"the launch codes"}}`,
			`{"model":"m","messages":[` + user + `],"launch codes":1}`,
			`{"model":"m","messages":[` + user + `],"x_unknown":{"deep":["the launch codes"]}}`,
		},
		"anthropic": {
			`{"model":"m","max_tokens":5,"messages":[{"role":"user","content":[{"type":"tool_result","tool_use_id":"t","content":"the launch codes"}]}]}`,
			`{"model":"m","max_tokens":5,"messages":[{"role":"user","content":[{"type":"tool_result","tool_use_id":"t","content":[{"type":"text","text":"the launch codes"}]}]}]}`,
			`{"model":"m","max_tokens":5,"messages":[{"role":"user","content":[{"type":"document","source":{"type":"text","media_type":"text/plain","data":"the launch codes"}},{"type":"text","text":"hi"}]}]}`,
			`{"model":"m","max_tokens":5,"messages":[{"role":"user","content":[{"type":"document","title":"the launch codes","source":{"type":"url","url":"https://x"}},{"type":"text","text":"hi"}]}]}`,
			`{"model":"m","max_tokens":5,"system":[{"type":"text","text":"the launch codes"}],"messages":[` + user + `]}`,
			`{"model":"m","max_tokens":5,"messages":[` + user + `],"tools":[{"name":"f","description":"the launch codes","input_schema":{"type":"object"}}]}`,
			`{"model":"m","max_tokens":5,"messages":[{"role":"assistant","content":[{"type":"tool_use","id":"t","name":"f","input":{"q":"the launch codes"}}]},` + user + `]}`,
			`{"model":"m","max_tokens":5,"messages":[{"role":"assistant","content":[{"type":"thinking","thinking":"the launch codes","signature":"s"}]},` + user + `]}`,
		},
		"gemini": {
			`{"contents":[{"role":"user","parts":[{"functionResponse":{"name":"f","response":{"r":"the launch codes"}}}]},{"role":"user","parts":[{"text":"hi"}]}]}`,
			`{"contents":[{"role":"user","parts":[{"function_response":{"name":"f","response":{"r":"the launch codes"}}}]},{"role":"user","parts":[{"text":"hi"}]}]}`,
			`{"system_instruction":{"parts":[{"text":"the launch codes"}]},"contents":[{"role":"user","parts":[{"text":"hi"}]}]}`,
			`{"systemInstruction":{"parts":[{"text":"the launch codes"}]},"contents":[{"role":"user","parts":[{"text":"hi"}]}]}`,
			`{"contents":[{"role":"model","parts":[{"functionCall":{"name":"f","args":{"q":"the launch codes"}}}]},{"role":"user","parts":[{"text":"hi"}]}]}`,
			`{"contents":[{"role":"user","parts":[{"text":"hi"}]}],"tools":[{"functionDeclarations":[{"name":"f","description":"the launch codes"}]}]}`,
		},
	}
	for provider, bodies := range cases {
		f := fakes[provider]
		for _, body := range bodies {
			before := len(f.Requests())
			resp, out, _ := send(t, base+"/"+provider, body, nil)
			if resp.StatusCode != 403 || len(f.Requests()) != before {
				t.Errorf("%s: %s: %d %s; the provider saw %d requests", provider, body, resp.StatusCode, out, len(f.Requests())-before)
			}
		}
	}

	// Masks reach the same fields: a card number in a tool call's
	// arguments, a tool result, a system instruction.
	mask := &spec.Policies{PromptGuard: &spec.PromptGuard{Request: []spec.GuardRule{{Action: spec.GuardMask, Builtins: []string{"CREDIT_CARD"}}}}}
	mbase, _ := servePolicy(t, templates.KgatewayV21, []string{"openai", "anthropic", "gemini"}, mask, fakes, nil, nil)
	card := "4111 1111 1111 1111"
	for provider, body := range map[string]string{
		"openai":    `{"model":"m","messages":[{"role":"assistant","content":null,"tool_calls":[{"id":"c","type":"function","function":{"name":"f","arguments":"{\"q\":\"` + card + `\"}"}}]},{"role":"tool","tool_call_id":"c","content":"` + card + `"},` + user + `]}`,
		"anthropic": `{"model":"m","max_tokens":5,"system":"` + card + `","messages":[{"role":"user","content":[{"type":"tool_result","tool_use_id":"t","content":"` + card + `"},{"type":"text","text":"hi"}]}]}`,
		"gemini":    `{"system_instruction":{"parts":[{"text":"` + card + `"}]},"contents":[{"role":"user","parts":[{"function_response":{"name":"f","response":{"r":"` + card + `"}}},{"text":"hi"}]}]}`,
	} {
		f := fakes[provider]
		before := len(f.Requests())
		resp, out, _ := send(t, mbase+"/"+provider, body, nil)
		if resp.StatusCode != 200 || len(f.Requests()) != before+1 {
			t.Errorf("%s masked: %d %s", provider, resp.StatusCode, out)
			continue
		}
		unseen(t, provider+" masked", f, before, "4111")
	}
}

// 3, answers: the response guard masks every text of an answer, whole and
// streamed, tool call arguments and refusals included.
func TestAttackAnswerFields(t *testing.T) {
	openai := fakeprovider.New(t, fakeprovider.OpenAI, "k1")
	anthropic := fakeprovider.New(t, fakeprovider.Anthropic, "k2")
	fakes := map[string]*fakeprovider.Server{"openai": openai, "anthropic": anthropic}
	pol := &spec.Policies{PromptGuard: &spec.PromptGuard{Response: []spec.GuardRule{{Action: spec.GuardMask, Builtins: []string{"EMAIL"}}}}}
	base, _ := servePolicy(t, templates.Agentgateway, []string{"openai", "anthropic"}, pol, fakes, nil, nil)
	tools := `"tools":[{"type":"function","function":{"name":"lookup","parameters":{"type":"object"}}}]`
	email := "ana.lopez@example.com"
	for _, route := range []string{"/openai", "/anthropic"} {
		// The fakes call the tool with the prompt as its argument.
		_, out, _ := send(t, base+route+"/v1/chat/completions", `{"model":"m",`+tools+`,"messages":[{"role":"user","content":"mail `+email+`"}]}`, nil)
		if strings.Contains(out, "ana.lopez") || !strings.Contains(out, "EMAIL_ADDRESS") {
			t.Errorf("%s tool call arguments, whole: %s", route, out)
		}
		raw := streamRaw(t, base+route+"/v1/chat/completions", `{"model":"m","stream":true,`+tools+`,"messages":[{"role":"user","content":"mail `+email+`"}]}`)
		if strings.Contains(raw, "ana.lopez") || !strings.Contains(raw, "EMAIL_ADDRESS") {
			t.Errorf("%s tool call arguments, streamed: %s", route, raw)
		}
	}
	// Anthropic's own format (a Messages route type): tool_use input,
	// whole and streamed as input_json_delta pieces.
	g, _ := spec.Options{Target: templates.Agentgateway, Providers: []string{"anthropic"}}.Build()
	for i := range g.Spec.Routes {
		g.Spec.Routes[i].Policies = pol
	}
	native, _ := serveMaps(t, withRouteTypes(renderMaps(t, g), "anthropic", map[string]any{"/v1/messages": "Messages"}), fakes)
	body := `{"model":"m","max_tokens":50,"tools":[{"name":"lookup","input_schema":{"type":"object"}}],"messages":[{"role":"user","content":"mail ` + email + `"}]}`
	_, out, _ := send(t, native+"/anthropic/v1/messages", body, nil)
	if strings.Contains(out, "ana.lopez") || !strings.Contains(out, "EMAIL_ADDRESS") || !strings.Contains(out, `"tool_use"`) {
		t.Errorf("anthropic tool_use input, whole: %s", out)
	}
	raw := streamRaw(t, native+"/anthropic/v1/messages", strings.Replace(body, `"max_tokens":50,`, `"max_tokens":50,"stream":true,`, 1))
	if strings.Contains(raw, "ana.lopez") || !strings.Contains(raw, "EMAIL_ADDRESS") || !strings.Contains(raw, "input_json_delta") {
		t.Errorf("anthropic tool_use input, streamed: %s", raw)
	}

	// A refusal, whole and streamed in pieces that cut the address.
	openai.Fail(fakeprovider.Fault{Answer: func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"id":"x","object":"chat.completion","model":"m","choices":[{"index":0,"message":{"role":"assistant","content":null,"refusal":"ask %s"},"finish_reason":"stop"}]}`, email)
	}}, fakeprovider.Fault{Answer: func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		for _, piece := range []string{"ask ana.lo", "pez@exam", "ple.com now"} {
			fmt.Fprintf(w, "data: {\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,\"delta\":{\"refusal\":%q}}]}\n\n", piece)
			w.(http.Flusher).Flush()
		}
		fmt.Fprint(w, "data: {\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n\ndata: [DONE]\n\n")
	}})
	_, out, _ = send(t, base+"/openai/v1/chat/completions", chat, nil)
	if strings.Contains(out, "ana.lopez") || !strings.Contains(out, "EMAIL_ADDRESS") {
		t.Errorf("refusal, whole: %s", out)
	}
	raw = streamRaw(t, base+"/openai/v1/chat/completions", chatStream)
	if strings.Contains(strings.ReplaceAll(raw, `"},`, ""), "ana.lo") || !strings.Contains(raw, "EMAIL_ADDRESS") {
		t.Errorf("refusal, streamed: %s", raw)
	}
}

// 4. A client that hangs up before the usage chunk, or a stream without
// one, is still charged what it was sent.
func TestAttackHangUpBeforeUsage(t *testing.T) {
	openai := fakeprovider.New(t, fakeprovider.OpenAI, "k")
	fakes := map[string]*fakeprovider.Server{"openai": openai}
	const words = "alpha bravo charlie delta echo foxtrot golf hotel india juliet kilo lima mike november oscar papa"
	stall := func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		for _, word := range strings.Fields(words) {
			fmt.Fprintf(w, "data: {\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,\"delta\":{\"content\":%q}}]}\n\n", word+" ")
		}
		fmt.Fprint(w, "data: {\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n\n")
		w.(http.Flusher).Flush()
		<-r.Context().Done() // the usage chunk never comes
	}
	noUsage := func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		for _, word := range strings.Fields(words) {
			fmt.Fprintf(w, "data: {\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,\"delta\":{\"content\":%q}}]}\n\n", word+" ")
		}
		fmt.Fprint(w, "data: {\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n\ndata: [DONE]\n\n")
	}
	cut := func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		for _, word := range strings.Fields(words) {
			fmt.Fprintf(w, "data: {\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,\"delta\":{\"content\":%q}}]}\n\n", word+" ")
		}
		w.(http.Flusher).Flush()
		fakeprovider.HangUp(w)
	}
	answer := countTokens(strings.ReplaceAll(words, " ", " ") + " ")
	for name, h := range map[string]http.HandlerFunc{"hang-up": stall, "no usage chunk": noUsage, "upstream cut": cut} {
		t.Run(name, func(t *testing.T) {
			const budget = 10000
			base, _ := servePolicy(t, templates.Agentgateway, []string{"openai"}, &spec.Policies{TokenLimit: &spec.TokenLimit{Tokens: budget, Per: spec.PerHour}}, fakes, nil, nil)
			openai.Fail(fakeprovider.Fault{Answer: h})
			req, _ := http.NewRequest(http.MethodPost, base+"/openai/v1/chat/completions", strings.NewReader(`{"model":"m","stream":true,"stream_options":{"include_usage":true},"messages":[{"role":"user","content":"x"}]}`))
			req.Header.Set("Content-Type", "application/json")
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			prompt, _ := strconv.Atoi(resp.Header.Get("x-ratelimit-remaining-tokens"))
			lines := bufio.NewScanner(resp.Body)
			for lines.Scan() && !strings.Contains(lines.Text(), "finish_reason\":\"stop") {
			}
			resp.Body.Close() // gone before the usage
			waitCharged(t, base, prompt-answer+1)
		})
	}
}

// 5. Keys stay in: a provider that echoes the injected key, in any form,
// in its answer's body or headers, whole, streamed or translated, does
// not show it to the client.
func TestAttackKeyEcho(t *testing.T) {
	const key = "sk-live-0123456789abcdefSECRET"
	openai := fakeprovider.New(t, fakeprovider.OpenAI, key)
	anthropic := fakeprovider.New(t, fakeprovider.Anthropic, key)
	fakes := map[string]*fakeprovider.Server{"openai": openai, "anthropic": anthropic}
	b64 := base64.StdEncoding.EncodeToString([]byte("Bearer " + key))
	echo := func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("X-Echo", "Bearer "+key)
		w.WriteHeader(401)
		fmt.Fprintf(w, `{"error":{"message":"Incorrect API key provided: %s (%s, %s, %q)","type":"invalid_request_error"}}`, key, b64, strings.ReplaceAll(key, "-", `\u002d`), key)
	}
	echoStream := func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		fmt.Fprintf(w, "data: {\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"your key is %s\"}}]}\n\n", key)
		fmt.Fprint(w, "data: [DONE]\n\n")
	}
	echoAnthropic := func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(401)
		fmt.Fprintf(w, `{"type":"error","error":{"type":"authentication_error","message":"invalid x-api-key %s"}}`, key)
	}
	base, logs := servePolicy(t, templates.Agentgateway, []string{"openai", "anthropic"}, nil, fakes, nil, nil)
	openai.Fail(fakeprovider.Fault{Answer: echo}, fakeprovider.Fault{Answer: echoStream})
	anthropic.Fail(fakeprovider.Fault{Answer: echoAnthropic})
	check := func(what string, resp *http.Response, out string) {
		t.Helper()
		dump := out
		for k, v := range resp.Header {
			dump += k + ": " + strings.Join(v, ",") + "\n"
		}
		if strings.Contains(dump, key) || strings.Contains(dump, "0123456789abcdef") || strings.Contains(dump, b64[8:30]) {
			t.Errorf("%s: the key reached the client:\n%s", what, dump)
		}
	}
	resp, out, _ := send(t, base+"/openai/v1/chat/completions", chat, nil)
	check("whole", resp, out)
	resp, out, _ = send(t, base+"/openai/v1/chat/completions", chatStream, nil)
	check("streamed", resp, out)
	resp, out, _ = send(t, base+"/anthropic/v1/chat/completions", chat, nil)
	check("translated", resp, out)
	if strings.Contains(logs(), key) {
		t.Errorf("the key is in the log")
	}
}

// 5. A passthrough credential goes only to the provider whose auth passes
// it through, in its header; cookies, organisation and AWS headers and a
// client's own API version stay behind.
func TestAttackHeadersAndPassthrough(t *testing.T) {
	openai := fakeprovider.New(t, fakeprovider.OpenAI, "client-openai-key")
	anthropic := fakeprovider.New(t, fakeprovider.Anthropic, "server-anthropic-key")
	fakes := map[string]*fakeprovider.Server{"openai": openai, "anthropic": anthropic}
	passthroughOpenAI := func(g *spec.AIGateway) {
		for i := range g.Spec.Providers {
			if g.Spec.Providers[i].Kind == "openai" {
				g.Spec.Providers[i].Auth = spec.Auth{Source: spec.AuthPassthrough}
			}
		}
		g.Spec.Routes = []spec.Route{{Name: "chat", Path: "/chat", Backends: []spec.Backend{{Name: "chat", Providers: []string{"openai", "anthropic"}}}}}
	}
	base, _ := servePolicy(t, templates.Agentgateway, []string{"openai", "anthropic"}, nil, fakes, passthroughOpenAI, nil)
	hostile := map[string]string{"Authorization": "Bearer client-openai-key", "Cookie": "session=abc", "OpenAI-Organization": "org-x",
		"OpenAI-Project": "proj-x", "X-Amz-Security-Token": "tok", "anthropic-version": "1999-01-01", "X-Api-Key": "client-x-api-key",
		"Anthropic-Beta": "tools-2024", "Traceparent": "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"}
	openai.Fail(fakeprovider.Fault{Status: 503})
	resp, out, _ := send(t, base+"/chat/v1/chat/completions", chat, hostile)
	if resp.StatusCode != 200 {
		t.Fatalf("failover: %d %s", resp.StatusCode, out)
	}
	got := openai.Requests()[0].Header
	if got.Get("Authorization") != "Bearer client-openai-key" {
		t.Errorf("the passthrough provider did not get the client's credential: %v", got)
	}
	got = anthropic.Requests()[0].Header
	if got.Get("x-api-key") != "server-anthropic-key" || got.Get("anthropic-version") != "2023-06-01" || got.Get("Anthropic-Beta") != "tools-2024" || got.Get("Traceparent") == "" {
		t.Errorf("anthropic's headers: %v", got)
	}
	for _, h := range []string{"Authorization", "Cookie", "OpenAI-Organization", "OpenAI-Project", "X-Amz-Security-Token"} {
		if got.Get(h) != "" {
			t.Errorf("%s reached anthropic: %q", h, got.Get(h))
		}
	}
	for _, h := range []string{"Cookie", "OpenAI-Organization", "OpenAI-Project", "X-Amz-Security-Token", "X-Api-Key"} {
		if v := openai.Requests()[0].Header.Get(h); v != "" {
			t.Errorf("%s reached openai: %q", h, v)
		}
	}
}

// 7. Truthful endings: an answer cut, too large to mask, untranslatable or
// gone silent never looks like a complete success, and the log says how
// it ended.
func TestAttackTruncation(t *testing.T) {
	openai := fakeprovider.New(t, fakeprovider.OpenAI, "k1")
	anthropic := fakeprovider.New(t, fakeprovider.Anthropic, "k2")
	fakes := map[string]*fakeprovider.Server{"openai": openai, "anthropic": anthropic}
	idle := func(o *Options) { o.StreamIdleTimeout = 300 * time.Millisecond }
	base, logs := servePolicy(t, templates.Agentgateway, []string{"openai", "anthropic"}, nil, fakes, nil, idle)
	masked, _ := servePolicy(t, templates.Agentgateway, []string{"openai"}, &spec.Policies{PromptGuard: &spec.PromptGuard{
		Response: []spec.GuardRule{{Action: spec.GuardMask, Builtins: []string{"EMAIL"}}}}}, fakes, nil, idle)

	cutWhole := func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Content-Length", "1000")
		fmt.Fprint(w, `{"id":"x","object":"chat.completion","choices":[{"index":0,"message":{"role":"assistant","content":"the first half`)
		w.(http.Flusher).Flush()
		fakeprovider.HangUp(w)
	}
	// A whole answer cut mid-body: the client's read fails.
	openai.Fail(fakeprovider.Fault{Answer: cutWhole})
	if _, out, err := send(t, base+"/openai/v1/chat/completions", chat, nil); err == nil {
		t.Errorf("a cut answer read as complete: %s", out)
	}
	// The same where serve reads it whole to mask it: a 502.
	openai.Fail(fakeprovider.Fault{Answer: cutWhole})
	if resp, out, err := send(t, masked+"/openai/v1/chat/completions", chat, nil); err != nil || resp.StatusCode != 502 || !strings.Contains(out, `"error"`) {
		t.Errorf("a cut answer to mask: %v %v %s", resp, err, out)
	}
	// A cut stream: an error event, no [DONE], and a broken body.
	openai.Fail(fakeprovider.Fault{CutAfterEvents: 2})
	resp, out, err := send(t, base+"/openai/v1/chat/completions", chatStream, nil)
	if err == nil || resp.StatusCode != 200 || !strings.Contains(out, "event: error") || strings.Contains(out, "[DONE]") {
		t.Errorf("a cut stream: %v %q", err, out)
	}
	// Translated too: the error in OpenAI's shape, no [DONE].
	anthropic.Fail(fakeprovider.Fault{CutAfterEvents: 3})
	_, out, err = send(t, base+"/anthropic/v1/chat/completions", chatStream, nil)
	if err == nil || !strings.Contains(out, `"error":{`) || strings.Contains(out, "[DONE]") {
		t.Errorf("a cut translated stream: %v %q", err, out)
	}
	// Too large to mask: refused, not cut to 32 MiB.
	openai.Fail(fakeprovider.Fault{Answer: func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"id":"x","object":"chat.completion","choices":[{"index":0,"message":{"role":"assistant","content":"`)
		chunk := strings.Repeat("a", 1<<20)
		for range 40 {
			fmt.Fprint(w, chunk)
		}
		fmt.Fprint(w, `"},"finish_reason":"stop"}]}`)
	}})
	if resp, out, _ := send(t, masked+"/openai/v1/chat/completions", chat, nil); resp.StatusCode != 502 || len(out) > 4096 {
		t.Errorf("a 40 MB answer to mask: %d, %d bytes", resp.StatusCode, len(out))
	}
	// An answer that does not translate: 502 in OpenAI's shape.
	anthropic.Fail(fakeprovider.Fault{Answer: func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `this is not JSON`)
	}})
	if resp, out, _ := send(t, base+"/anthropic/v1/chat/completions", chat, nil); resp.StatusCode != 502 || !strings.Contains(out, `"error":{`) {
		t.Errorf("an untranslatable answer: %d %s", resp.StatusCode, out)
	}
	// A provider silent after its first event: an error within the idle
	// timeout, not a client waiting forever.
	openai.Fail(fakeprovider.Fault{Answer: func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		fmt.Fprint(w, "data: {\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"hi\"}}]}\n\n")
		w.(http.Flusher).Flush()
		select {
		case <-r.Context().Done():
		case <-time.After(10 * time.Second):
		}
	}})
	start := time.Now()
	_, out, err = send(t, base+"/openai/v1/chat/completions", chatStream, nil)
	if err == nil || !strings.Contains(out, "sent nothing for 300ms") || time.Since(start) > 5*time.Second {
		t.Errorf("a silent stream: %v after %s: %q", err, time.Since(start), out)
	}
	// A stream event without end (no blank line, 20 MiB and counting):
	// cut at 16 MiB with an error, so that no reader of the stream (usage,
	// masks, translation) holds more, passed through or masked.
	endless := func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		fmt.Fprint(w, "data: {\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"")
		chunk := strings.Repeat("a", 1<<20)
		for range 20 {
			if _, err := fmt.Fprint(w, chunk); err != nil {
				return
			}
		}
	}
	// (No 300ms idle timeout: under the race detector 16 MiB take longer
	// to mask than that between two reads.)
	plain, _ := servePolicy(t, templates.Agentgateway, []string{"openai"}, nil, fakes, nil, nil)
	maskedSlow, maskedLogs := servePolicy(t, templates.Agentgateway, []string{"openai"}, &spec.Policies{PromptGuard: &spec.PromptGuard{
		Response: []spec.GuardRule{{Action: spec.GuardMask, Builtins: []string{"EMAIL"}}}}}, fakes, nil, nil)
	for _, gw := range []string{plain, maskedSlow} {
		openai.Fail(fakeprovider.Fault{Answer: endless})
		_, out, err = send(t, gw+"/openai/v1/chat/completions", chatStream, nil)
		if err == nil || !strings.Contains(out, "larger than 16777216 bytes") || strings.Contains(out, "[DONE]") || len(out) > 17<<20 {
			t.Errorf("an endless event (%s): %v, %d bytes, ends %q", gw, err, len(out), out[max(0, len(out)-300):])
		}
	}
	if !strings.Contains(maskedLogs(), `"outcome":"too_large"`) {
		t.Errorf("the access log lacks too_large:\n%s", maskedLogs())
	}
	for _, outcome := range []string{`"outcome":"upstream_cut"`, `"outcome":"stream_idle_timeout"`} {
		if !strings.Contains(logs(), outcome) {
			t.Errorf("the access log lacks %s:\n%s", outcome, logs())
		}
	}
}

// A client's query string never reaches a provider: Gemini takes a key
// in ?key=, and a client must not smuggle one (or other parameters) past
// the key serve injects.
func TestAttackQueryString(t *testing.T) {
	gemini := fakeprovider.New(t, fakeprovider.Gemini, "server-gemini-key")
	base, _ := servePolicy(t, templates.KgatewayV21, []string{"gemini"}, nil, map[string]*fakeprovider.Server{"gemini": gemini}, nil, nil)
	resp, out, _ := send(t, base+"/gemini/v1beta/models/x:generateContent?key=client-key&alt=json&upload_protocol=raw", `{"contents":[{"role":"user","parts":[{"text":"hi"}]}]}`, nil)
	if resp.StatusCode != 200 {
		t.Fatalf("%d %s", resp.StatusCode, out)
	}
	if q := gemini.Requests()[0].Query; strings.Contains(q, "client-key") || strings.Contains(q, "upload_protocol") {
		t.Errorf("the client's query reached the provider: %q", q)
	}
}
