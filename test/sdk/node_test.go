package sdk

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/kubelb-ai/kubelb-ai/internal/fakeprovider"
)

// nodeScenario is one call node/clients.mjs makes (see its ops).
type nodeScenario struct {
	Name    string `json:"name"`
	SDK     string `json:"sdk"`
	Op      string `json:"op"`
	BaseURL string `json:"baseURL"`
	Model   string `json:"model"`
	Prompt  string `json:"prompt,omitempty"`
	// API picks the Vercel AI SDK's OpenAI model: "chat" or the default
	// (Responses).
	API            string `json:"api,omitempty"`
	MaxTokens      int    `json:"max_tokens,omitempty"`
	Input          any    `json:"input,omitempty"`
	EncodingFormat string `json:"encoding_format,omitempty"`
}

// nodeResult is the line clients.mjs prints for a scenario.
type nodeResult struct {
	Name  string          `json:"name"`
	OK    bool            `json:"ok"`
	Value json.RawMessage `json:"value"`
	Error *struct {
		Name    string `json:"name"`
		Status  int    `json:"status"`
		Type    string `json:"type"`
		Message string `json:"message"`
	} `json:"error"`
}

// The values clients.mjs reports, by op.
type (
	chatValue struct {
		Text         string `json:"text"`
		FinishReason string `json:"finish_reason"`
		Chunks       int    `json:"chunks"`
		TotalTokens  int    `json:"total_tokens"`
	}
	responsesValue struct {
		Text         string     `json:"text"`
		Status       string     `json:"status"`
		Deltas       int        `json:"deltas"`
		InputTokens  int        `json:"input_tokens"`
		OutputTokens int        `json:"output_tokens"`
		Calls        []toolCall `json:"calls"`
	}
	toolCall struct {
		Name      string `json:"name"`
		Arguments string `json:"arguments"`
	}
	embeddingsValue struct {
		Count        int      `json:"count"`
		Indexes      []int    `json:"indexes"`
		Dims         []int    `json:"dims"`
		Encodings    []string `json:"encodings"`
		PromptTokens int      `json:"prompt_tokens"`
	}
	modelsValue struct {
		IDs []string `json:"ids"`
	}
	messageValue struct {
		Text         string `json:"text"`
		StopReason   string `json:"stop_reason"`
		Deltas       int    `json:"deltas"`
		InputTokens  int    `json:"input_tokens"`
		OutputTokens int    `json:"output_tokens"`
	}
	vercelValue struct {
		Text         string `json:"text"`
		FinishReason string `json:"finish_reason"`
		Parts        int    `json:"parts"`
		InputTokens  int    `json:"input_tokens"`
		OutputTokens int    `json:"output_tokens"`
		TotalTokens  int    `json:"total_tokens"`
	}
)

// nodeSDKDir is the directory `make test-sdk` installs node/package-lock.json
// into (its node_modules), or the test skips.
func nodeSDKDir(t *testing.T) string {
	t.Helper()
	dir := os.Getenv("KUBELB_AI_NODE_SDK")
	if dir == "" {
		t.Skip("KUBELB_AI_NODE_SDK (a directory with node/package-lock.json installed) is not set: make test-sdk sets it")
	}
	if _, err := exec.LookPath("node"); err != nil {
		t.Fatal("KUBELB_AI_NODE_SDK is set but node is not on PATH")
	}
	// The installed SDKs must be the pinned ones: a stale install would
	// test other versions than node/package.json names.
	var pins struct {
		Dependencies map[string]string `json:"dependencies"`
	}
	readJSON(t, filepath.Join("node", "package.json"), &pins)
	for name, want := range pins.Dependencies {
		var got struct{ Version string }
		readJSON(t, filepath.Join(dir, "node_modules", name, "package.json"), &got)
		if got.Version != want {
			t.Fatalf("%s: %s is installed in %s, node/package.json pins %s", name, got.Version, dir, want)
		}
	}
	return dir
}

func readJSON(t *testing.T, path string, v any) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}

// runNode runs node/clients.mjs on scenarios, in order, and returns its
// results by scenario name. The script is copied beside a link to the
// installed node_modules, since ESM imports resolve from the script's
// directory (NODE_PATH does not apply to them).
func runNode(t *testing.T, sdkDir string, scenarios []nodeScenario) map[string]nodeResult {
	t.Helper()
	work := t.TempDir()
	script, err := os.ReadFile(filepath.Join("node", "clients.mjs"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(work, "clients.mjs"), script, 0o644); err != nil {
		t.Fatal(err)
	}
	modules, err := filepath.Abs(filepath.Join(sdkDir, "node_modules"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(modules, filepath.Join(work, "node_modules")); err != nil {
		t.Fatal(err)
	}
	in, err := json.Marshal(scenarios)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "node", filepath.Join(work, "clients.mjs"))
	cmd.Dir = work
	cmd.Stdin = bytes.NewReader(in)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("node clients.mjs: %v\n%s", err, stderr.String())
	}
	results := map[string]nodeResult{}
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(nil, 16<<20)
	for sc.Scan() {
		var r nodeResult
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			t.Fatalf("node clients.mjs printed %q: %v", sc.Text(), err)
		}
		results[r.Name] = r
	}
	if len(results) != len(scenarios) {
		t.Fatalf("node clients.mjs answered %d of %d scenarios:\n%s\n%s", len(results), len(scenarios), out, stderr.String())
	}
	return results
}

// nodeCase is a scenario and what its result must be.
type nodeCase struct {
	nodeScenario
	check func(t *testing.T, r nodeResult)
}

// expect checks that a scenario succeeded with want. pieces, if set, is
// the value's count of streamed pieces, which must be at least min (the
// answer really came streamed) and is otherwise not compared.
func expect[T any](want T, min int, pieces func(*T) *int) func(*testing.T, nodeResult) {
	return func(t *testing.T, r nodeResult) {
		if !r.OK {
			t.Fatalf("failed: %+v", *r.Error)
		}
		var got T
		if err := json.Unmarshal(r.Value, &got); err != nil {
			t.Fatalf("%s: %v", r.Value, err)
		}
		if pieces != nil {
			if n := *pieces(&got); n < min {
				t.Errorf("the answer came in %d pieces, want it streamed in at least %d", n, min)
			}
			*pieces(&got) = 0
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("\n got %+v\nwant %+v", got, want)
		}
	}
}

// expectError checks that a scenario failed with the SDK's error class
// for status and the provider's error type.
func expectError(class string, status int, typ string) func(*testing.T, nodeResult) {
	return func(t *testing.T, r nodeResult) {
		if r.OK || r.Error == nil {
			t.Fatalf("succeeded: %s", r.Value)
		}
		if e := *r.Error; e.Name != class || e.Status != status || e.Type != typ || e.Message == "" {
			t.Errorf("got %+v, want %s %d %s", e, class, status, typ)
		}
	}
}

func runCases(t *testing.T, sdkDir string, cases []nodeCase) {
	t.Helper()
	var scenarios []nodeScenario
	for _, c := range cases {
		scenarios = append(scenarios, c.nodeScenario)
	}
	results := runNode(t, sdkDir, scenarios)
	for _, c := range cases {
		t.Run(c.Name, func(t *testing.T) { c.check(t, results[c.Name]) })
	}
}

// The fakes answer "echo: " and the last user message, and count a text's
// words plus one as its tokens: 3 in ("hello node"), 4 out.
const (
	nodePrompt, nodeEcho = "hello node", "echo: hello node"
	inTokens, outTokens  = 3, 4
)

// nodeCases are the scenarios for serve at base: the chat APIs, which both
// targets serve, and on agentgateway also the Responses API, embeddings,
// the model list, token counting and the translations between client
// formats (agentgateway's ai.routes name those paths' API types).
func nodeCases(base string, agentgateway bool) []nodeCase {
	openaiURL, anthropicURL := base+"/openai/v1", base+"/anthropic"
	chatChunks := func(v *chatValue) *int { return &v.Chunks }
	messageDeltas := func(v *messageValue) *int { return &v.Deltas }
	vercelParts := func(v *vercelValue) *int { return &v.Parts }
	responseDeltas := func(v *responsesValue) *int { return &v.Deltas }
	message := messageValue{Text: nodeEcho, StopReason: "end_turn", InputTokens: inTokens, OutputTokens: outTokens}
	vercel := vercelValue{Text: nodeEcho, FinishReason: "stop", InputTokens: inTokens, OutputTokens: outTokens, TotalTokens: inTokens + outTokens}
	response := responsesValue{Text: nodeEcho, Status: "completed", InputTokens: inTokens, OutputTokens: outTokens}

	cases := []nodeCase{
		{nodeScenario{Name: "openai/chat", SDK: "openai", Op: "chat", BaseURL: openaiURL, Model: "gpt-4o-mini", Prompt: nodePrompt},
			expect(chatValue{Text: nodeEcho, FinishReason: "stop", TotalTokens: inTokens + outTokens}, 0, nil)},
		{nodeScenario{Name: "openai/chat-stream", SDK: "openai", Op: "chat-stream", BaseURL: openaiURL, Model: "gpt-4o-mini", Prompt: nodePrompt},
			expect(chatValue{Text: nodeEcho, FinishReason: "stop", TotalTokens: inTokens + outTokens}, 3, chatChunks)},
		{nodeScenario{Name: "anthropic/messages", SDK: "anthropic", Op: "messages", BaseURL: anthropicURL, Model: "claude-3-5-haiku-latest", Prompt: nodePrompt, MaxTokens: 64},
			expect(message, 0, nil)},
		{nodeScenario{Name: "anthropic/messages-stream", SDK: "anthropic", Op: "messages-stream", BaseURL: anthropicURL, Model: "claude-3-5-haiku-latest", Prompt: nodePrompt, MaxTokens: 64},
			expect(message, 2, messageDeltas)},
		{nodeScenario{Name: "vercel/generate-chat", SDK: "vercel", Op: "generate", API: "chat", BaseURL: openaiURL, Model: "gpt-4o-mini", Prompt: nodePrompt},
			expect(vercel, 0, nil)},
		{nodeScenario{Name: "vercel/stream-chat", SDK: "vercel", Op: "stream", API: "chat", BaseURL: openaiURL, Model: "gpt-4o-mini", Prompt: nodePrompt},
			expect(vercel, 2, vercelParts)},
	}
	if !agentgateway {
		return cases
	}
	// text-embedding-3-small has 1536 dimensions; the fake embeds each
	// input in order and counts its words as tokens. The SDK asks for
	// base64 unless told a format, and decodes it to floats.
	embed := func(name string, input any, format string, want embeddingsValue) nodeCase {
		return nodeCase{nodeScenario{Name: name, SDK: "openai", Op: "embeddings", BaseURL: openaiURL, Model: "text-embedding-3-small", Input: input, EncodingFormat: format},
			expect(want, 0, nil)}
	}
	return append(cases, []nodeCase{
		{nodeScenario{Name: "openai/responses", SDK: "openai", Op: "responses", BaseURL: openaiURL, Model: "gpt-4o-mini", Prompt: nodePrompt},
			expect(response, 0, nil)},
		{nodeScenario{Name: "openai/responses-stream", SDK: "openai", Op: "responses-stream", BaseURL: openaiURL, Model: "gpt-4o-mini", Prompt: nodePrompt},
			expect(response, 2, responseDeltas)},
		{nodeScenario{Name: "openai/responses-tool", SDK: "openai", Op: "responses-tool", BaseURL: openaiURL, Model: "gpt-4o-mini", Prompt: "find the key"},
			expect(responsesValue{Status: "completed", Calls: []toolCall{{Name: "lookup", Arguments: `{"q":"find the key"}`}}}, 0, nil)},
		embed("openai/embeddings-string", "hello node", "",
			embeddingsValue{Count: 1, Indexes: []int{0}, Dims: []int{1536}, Encodings: []string{"float"}, PromptTokens: 2}),
		embed("openai/embeddings-array", []string{"hello", "node sdk"}, "",
			embeddingsValue{Count: 2, Indexes: []int{0, 1}, Dims: []int{1536, 1536}, Encodings: []string{"float", "float"}, PromptTokens: 3}),
		embed("openai/embeddings-float", []string{"hello"}, "float",
			embeddingsValue{Count: 1, Indexes: []int{0}, Dims: []int{1536}, Encodings: []string{"float"}, PromptTokens: 1}),
		embed("openai/embeddings-base64", []string{"hello", "node sdk"}, "base64",
			embeddingsValue{Count: 2, Indexes: []int{0, 1}, Dims: []int{1536, 1536}, Encodings: []string{"base64", "base64"}, PromptTokens: 3}),
		// The OpenAI fake's models, as the provider lists them.
		{nodeScenario{Name: "openai/models", SDK: "openai", Op: "models", BaseURL: openaiURL},
			expect(modelsValue{IDs: []string{"gpt-4o-mini", "gpt-4o", "text-embedding-3-small", "text-embedding-3-large"}}, 0, nil)},
		// The fake counts a message's tokens as its answer to it reports them.
		{nodeScenario{Name: "anthropic/count-tokens", SDK: "anthropic", Op: "count-tokens", BaseURL: anthropicURL, Model: "claude-3-5-haiku-latest", Prompt: nodePrompt},
			expect(messageValue{InputTokens: inTokens}, 0, nil)},
		{nodeScenario{Name: "vercel/generate-responses", SDK: "vercel", Op: "generate", BaseURL: openaiURL, Model: "gpt-4o-mini", Prompt: nodePrompt},
			expect(vercel, 0, nil)},
		{nodeScenario{Name: "vercel/stream-responses", SDK: "vercel", Op: "stream", BaseURL: openaiURL, Model: "gpt-4o-mini", Prompt: nodePrompt},
			expect(vercel, 2, vercelParts)},

		// Translated: the Anthropic SDK to the OpenAI fake, the Responses
		// API to the Anthropic fake.
		{nodeScenario{Name: "translated/anthropic-to-openai", SDK: "anthropic", Op: "messages", BaseURL: base + "/openai", Model: "gpt-4o-mini", Prompt: nodePrompt, MaxTokens: 64},
			expect(message, 0, nil)},
		{nodeScenario{Name: "translated/anthropic-to-openai-stream", SDK: "anthropic", Op: "messages-stream", BaseURL: base + "/openai", Model: "gpt-4o-mini", Prompt: nodePrompt, MaxTokens: 64},
			expect(message, 2, messageDeltas)},
		{nodeScenario{Name: "translated/responses-to-anthropic", SDK: "openai", Op: "responses", BaseURL: base + "/anthropic/v1", Model: "claude-3-5-haiku-latest", Prompt: nodePrompt},
			expect(response, 0, nil)},
		{nodeScenario{Name: "translated/responses-to-anthropic-stream", SDK: "openai", Op: "responses-stream", BaseURL: base + "/anthropic/v1", Model: "claude-3-5-haiku-latest", Prompt: nodePrompt},
			expect(response, 2, responseDeltas)},
	}...)
}

// The Node SDKs people use (openai, @anthropic-ai/sdk, the Vercel AI SDK)
// through serve, on the kgateway and agentgateway targets, to fakes of
// OpenAI and Anthropic.
func TestNodeSDKs(t *testing.T) {
	sdkDir := nodeSDKDir(t)
	for _, target := range []string{"kgateway-v2.1", "agentgateway"} {
		t.Run(target, func(t *testing.T) {
			base, fakes := serveWithFakes(t, target, map[string]fakeprovider.Kind{"openai": fakeprovider.OpenAI, "anthropic": fakeprovider.Anthropic})
			runCases(t, sdkDir, nodeCases(base, target == "agentgateway"))

			// Errors reach the Anthropic SDK as its own types: the
			// provider's 429 (a fault the fake keeps for its next request,
			// so these run apart) and the 400 a message without max_tokens
			// earns.
			fakes["anthropic"].Fail(fakeprovider.Fault{Status: 429})
			runCases(t, sdkDir, []nodeCase{
				{nodeScenario{Name: "anthropic/rate-limited", SDK: "anthropic", Op: "messages", BaseURL: base + "/anthropic", Model: "claude-3-5-haiku-latest", Prompt: nodePrompt, MaxTokens: 64},
					expectError("RateLimitError", 429, "rate_limit_error")},
				{nodeScenario{Name: "anthropic/bad-request", SDK: "anthropic", Op: "messages", BaseURL: base + "/anthropic", Model: "claude-3-5-haiku-latest", Prompt: nodePrompt},
					expectError("BadRequestError", 400, "invalid_request_error")},
			})
		})
	}
}
