package proxy

import (
	"bufio"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/kubelb-ai/kubelb-ai/internal/fakeprovider"
	"github.com/kubelb-ai/kubelb-ai/spec"
	"github.com/kubelb-ai/kubelb-ai/templates"
)

// servePolicies serves the gateway of providers with pol on every route,
// rendered for target and read back, in front of fakes.
func servePolicies(t *testing.T, target string, pol *spec.Policies, fakes map[string]*fakeprovider.Server) string {
	t.Helper()
	var providers []string
	for _, k := range []string{"openai", "anthropic", "gemini"} {
		if fakes[k] != nil {
			providers = append(providers, k)
		}
	}
	g, err := spec.Options{Target: target, Providers: providers}.Build()
	if err != nil {
		t.Fatal(err)
	}
	for i := range g.Spec.Routes {
		g.Spec.Routes[i].Policies = pol
	}
	if err := spec.Check(g); err != nil {
		t.Fatal(err)
	}
	maps := renderMaps(t, g)
	base, _ := serveMaps(t, maps, fakes)
	return base
}

var policyBodies = map[string]struct{ path, body string }{
	"openai":    {"/openai/v1/chat/completions", `{"model":"m","messages":[{"role":"user","content":%q}]}`},
	"anthropic": {"/anthropic/v1/messages", `{"model":"m","max_tokens":50,"messages":[{"role":"user","content":%q}]}`},
	"gemini":    {"/gemini", `{"contents":[{"role":"user","parts":[{"text":%q}]}]}`},
}

func quoteInto(format, s string) string {
	q, _ := json.Marshal(s)
	return strings.Replace(format, "%q", string(q), 1)
}

// A prompt guard: a rejected prompt never reaches the provider
// and gets the configured answer; a masked one reaches it masked; answers
// are masked whole and streamed, in each provider's own format, even when
// the text to mask is split across events.
func TestPromptGuard(t *testing.T) {
	fakes := map[string]*fakeprovider.Server{
		"openai":    fakeprovider.New(t, fakeprovider.OpenAI, "k1"),
		"anthropic": fakeprovider.New(t, fakeprovider.Anthropic, "k2"),
		"gemini":    fakeprovider.New(t, fakeprovider.Gemini, "k3"),
	}
	for _, f := range fakes {
		f.Events = 40 // pieces of a few bytes: entities straddle events
	}
	pol := &spec.Policies{PromptGuard: &spec.PromptGuard{
		Request: []spec.GuardRule{
			{Action: spec.GuardReject, Patterns: []string{`launch codes?`}, Message: `{"error":{"message":"not that"}}`, StatusCode: 451},
			{Action: spec.GuardMask, Builtins: []string{"CREDIT_CARD"}},
		},
		Response: []spec.GuardRule{{Action: spec.GuardMask, Builtins: []string{"EMAIL"}}},
	}}
	base := servePolicies(t, templates.Agentgateway, pol, fakes)
	for name, f := range fakes {
		c := policyBodies[name]
		if name == "gemini" {
			// agentgateway reads OpenAI's format on every route unless
			// its route types say otherwise (and none names Gemini's).
			c = policyBodies["openai"]
			c.path = "/gemini/v1/chat/completions"
		}
		before := len(f.Requests())
		resp, out := post(t, base, c.path, quoteInto(c.body, "what are the LAUNCH codes"), nil)
		if resp.StatusCode != 451 || out != `{"error":{"message":"not that"}}` || len(f.Requests()) != before {
			t.Errorf("%s rejected: %d %s (provider called %d times)", name, resp.StatusCode, out, len(f.Requests())-before)
		}
		_, out = post(t, base, c.path, quoteInto(c.body, "charge 4111 1111 1111 1111 please"), nil)
		sent := string(f.Requests()[len(f.Requests())-1].Body)
		if strings.Contains(sent, "4111") || !strings.Contains(sent, "CREDIT_CARD") || !strings.Contains(out, "echo: charge <CREDIT_CARD> please") {
			t.Errorf("%s masked prompt: sent %s, answer %s", name, sent, out)
		}
		_, out = post(t, base, c.path, quoteInto(c.body, "write to ana.lopez@example.com soon"), nil)
		if strings.Contains(out, "ana.lopez") || !strings.Contains(out, "echo: write to <EMAIL_ADDRESS> soon") {
			t.Errorf("%s masked answer: %s", name, out)
		}
	}
	// Streamed answers, each in its provider's format.
	text := streamedText(t, base+"/openai/v1/chat/completions", `{"model":"m","stream":true,"messages":[{"role":"user","content":"mail ana.lopez@example.com or bo@example.org now"}]}`)
	if text != "echo: mail <EMAIL_ADDRESS> or <EMAIL_ADDRESS> now" {
		t.Errorf("openai stream: %q", text)
	}
	text = streamedText(t, base+"/anthropic/v1/messages", `{"model":"m","max_tokens":50,"stream":true,"messages":[{"role":"user","content":"mail ana.lopez@example.com now"}]}`)
	if text != "echo: mail <EMAIL_ADDRESS> now" {
		t.Errorf("anthropic stream: %q", text)
	}
	// Gemini's own format, on kgateway (one rule per direction there).
	gemini := servePolicies(t, templates.KgatewayV21, &spec.Policies{PromptGuard: &spec.PromptGuard{
		Request:  []spec.GuardRule{{Action: spec.GuardMask, Builtins: []string{"CREDIT_CARD"}}},
		Response: pol.PromptGuard.Response}}, map[string]*fakeprovider.Server{"gemini": fakes["gemini"]})
	_, out := post(t, gemini, "/gemini", quoteInto(policyBodies["gemini"].body, "charge 4111 1111 1111 1111 please"), nil)
	if sent := string(fakes["gemini"].Requests()[len(fakes["gemini"].Requests())-1].Body); strings.Contains(sent, "4111") || !strings.Contains(out, "echo: charge <CREDIT_CARD> please") {
		t.Errorf("gemini masked prompt: sent %s, answer %s", sent, out)
	}
	text = streamedText(t, gemini+"/gemini/v1beta/models/gemini-2.0-flash:streamGenerateContent?alt=sse", `{"contents":[{"role":"user","parts":[{"text":"mail ana.lopez@example.com now"}]}]}`)
	if text != "echo: mail <EMAIL_ADDRESS> now" {
		t.Errorf("gemini stream: %q", text)
	}
}

// kgateway's guard (one rule per direction) as its manifests carry it.
func TestPromptGuardKgateway(t *testing.T) {
	openai := fakeprovider.New(t, fakeprovider.OpenAI, "k")
	pol := &spec.Policies{PromptGuard: &spec.PromptGuard{
		Request:  []spec.GuardRule{{Action: spec.GuardReject, Builtins: []string{"SSN"}, Patterns: []string{"password"}, Message: "no secrets here", StatusCode: 400}},
		Response: []spec.GuardRule{{Action: spec.GuardMask, Builtins: []string{"CREDIT_CARD"}}},
	}}
	for _, target := range []string{templates.KgatewayV20, templates.KgatewayV21} {
		base := servePolicies(t, target, pol, map[string]*fakeprovider.Server{"openai": openai})
		if resp, out := post(t, base, "/openai/v1/chat/completions", `{"model":"m","messages":[{"role":"user","content":"my ssn is 123-45-6789"}]}`, nil); resp.StatusCode != 400 || openAIErrorMessage(out) != "no secrets here" {
			t.Errorf("%s: %d %s", target, resp.StatusCode, out)
		}
		if _, out := post(t, base, "/openai/v1/chat/completions", `{"model":"m","messages":[{"role":"user","content":"card 5555 5555 5555 4444"}]}`, nil); !strings.Contains(out, "echo: card <CREDIT_CARD>") {
			t.Errorf("%s: %s", target, out)
		}
	}
	if n := len(openai.Requests()); n != 2 {
		t.Errorf("the provider saw %d requests, want the 2 not rejected", n)
	}
}

// On agentgateway the same guard sees OpenAI's format and masks the
// translated answer, whole and streamed.
func TestPromptGuardTranslated(t *testing.T) {
	anthropic := fakeprovider.New(t, fakeprovider.Anthropic, "k")
	anthropic.Events = 30
	pol := &spec.Policies{PromptGuard: &spec.PromptGuard{Response: []spec.GuardRule{{Action: spec.GuardMask, Builtins: []string{"EMAIL"}}}}}
	base := servePolicies(t, templates.Agentgateway, pol, map[string]*fakeprovider.Server{"anthropic": anthropic})
	_, out := post(t, base, "/anthropic/v1/chat/completions", `{"model":"m","messages":[{"role":"user","content":"write to ana@example.com"}]}`, nil)
	if !strings.Contains(out, `"content":"echo: write to \u003cEMAIL_ADDRESS\u003e"`) && !strings.Contains(out, `"content":"echo: write to <EMAIL_ADDRESS>"`) {
		t.Errorf("translated answer: %s", out)
	}
	if text := streamedText(t, base+"/anthropic/v1/chat/completions", `{"model":"m","stream":true,"messages":[{"role":"user","content":"write to ana@example.com"}]}`); text != "echo: write to <EMAIL_ADDRESS>" {
		t.Errorf("translated stream: %q", text)
	}
}

// Prompt enrichment and field defaults reach the provider in its format.
func TestEnrichmentAndDefaults(t *testing.T) {
	fakes := map[string]*fakeprovider.Server{
		"openai":    fakeprovider.New(t, fakeprovider.OpenAI, "k1"),
		"anthropic": fakeprovider.New(t, fakeprovider.Anthropic, "k2"),
	}
	pol := &spec.Policies{
		Prompt: &spec.Prompt{Prepend: []spec.Message{{Role: spec.RoleSystem, Content: "Answer in French."}},
			Append: []spec.Message{{Role: spec.RoleUser, Content: "Be brief."}}},
		Defaults: []spec.FieldDefault{{Field: "temperature", Value: "0.5"}, {Field: "max_tokens", Value: 64, Override: true}},
	}
	base := servePolicies(t, templates.KgatewayV21, pol, fakes)
	post(t, base, "/openai/v1/chat/completions", `{"model":"m","temperature":0.9,"max_tokens":9000,"messages":[{"role":"user","content":"hi"}]}`, nil)
	var sent struct {
		Temperature float64 `json:"temperature"`
		MaxTokens   int     `json:"max_tokens"`
		System      string  `json:"system"`
		Messages    []struct {
			Role    string `json:"role"`
			Content string `json:"content"`
		} `json:"messages"`
	}
	json.Unmarshal(fakes["openai"].Requests()[0].Body, &sent)
	if sent.Temperature != 0.9 || sent.MaxTokens != 64 || len(sent.Messages) != 3 || sent.Messages[0].Role != "system" ||
		sent.Messages[0].Content != "Answer in French." || sent.Messages[2].Content != "Be brief." {
		t.Errorf("openai got %s", fakes["openai"].Requests()[0].Body)
	}
	post(t, base, "/anthropic/v1/messages", `{"model":"m","max_tokens":10,"system":"You help.","messages":[{"role":"user","content":"hi"}]}`, nil)
	sent.Messages = nil
	json.Unmarshal(fakes["anthropic"].Requests()[0].Body, &sent)
	if sent.Temperature != 0.5 || sent.MaxTokens != 64 || sent.System != "Answer in French.\n\nYou help." || len(sent.Messages) != 2 || sent.Messages[1].Content != "Be brief." {
		t.Errorf("anthropic got %s", fakes["anthropic"].Requests()[0].Body)
	}
}

// streamedText reads the text of a stream in OpenAI's, Anthropic's or
// Gemini's format.
func streamedText(t *testing.T, url, body string) string {
	t.Helper()
	resp, err := http.Post(url, "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var text strings.Builder
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		data, ok := strings.CutPrefix(sc.Text(), "data: ")
		if !ok || data == "[DONE]" {
			continue
		}
		var ev struct {
			Choices []struct {
				Delta struct{ Content string } `json:"delta"`
			} `json:"choices"`
			Delta struct {
				Text string `json:"text"`
			} `json:"delta"`
			Candidates []struct {
				Content struct {
					Parts []struct{ Text string } `json:"parts"`
				} `json:"content"`
			} `json:"candidates"`
		}
		if err := json.Unmarshal([]byte(data), &ev); err != nil {
			t.Fatalf("%s: %v", data, err)
		}
		for _, c := range ev.Choices {
			text.WriteString(c.Delta.Content)
		}
		text.WriteString(ev.Delta.Text)
		for _, c := range ev.Candidates {
			for _, p := range c.Content.Parts {
				text.WriteString(p.Text)
			}
		}
	}
	return text.String()
}
