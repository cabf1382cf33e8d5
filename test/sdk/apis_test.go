package sdk

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/anthropics/anthropic-sdk-go"
	anthropicoption "github.com/anthropics/anthropic-sdk-go/option"
	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"
	"github.com/openai/openai-go/v3/responses"

	"github.com/kubelb-ai/kubelb-ai/internal/fakeprovider"
)

// openai-go beyond chat, through the route types generate maps: the
// Responses API (plain, streamed, with a function tool) to OpenAI as it is
// and to Anthropic translated, embeddings, and the model list.
func TestOpenAISDKResponsesEmbeddingsModels(t *testing.T) {
	base := serveFakes(t, "agentgateway", map[string]fakeprovider.Kind{"openai": fakeprovider.OpenAI, "anthropic": fakeprovider.Anthropic})
	ctx := context.Background()
	for _, route := range []string{"openai", "anthropic"} {
		t.Run(route, func(t *testing.T) {
			client := openai.NewClient(option.WithBaseURL(base+"/"+route+"/v1"), option.WithAPIKey("sk-client-key"), option.WithMaxRetries(0))
			params := responses.ResponseNewParams{Model: "gpt-4o-mini", Instructions: openai.String("Be brief."),
				Input: responses.ResponseNewParamsInputUnion{OfString: openai.String("hello responses")}}
			resp, err := client.Responses.New(ctx, params)
			if err != nil {
				t.Fatal(err)
			}
			if resp.OutputText() != "echo: hello responses" || resp.Status != "completed" || resp.Usage.InputTokens == 0 {
				t.Errorf("plain: %q %s %+v", resp.OutputText(), resp.Status, resp.Usage)
			}

			stream := client.Responses.NewStreaming(ctx, params)
			var text strings.Builder
			var completed responses.Response
			for stream.Next() {
				ev := stream.Current()
				switch ev.Type {
				case "response.output_text.delta":
					text.WriteString(ev.Delta)
				case "response.completed":
					completed = ev.Response
				}
			}
			if err := stream.Err(); err != nil {
				t.Fatal(err)
			}
			if text.String() != "echo: hello responses" || completed.Status != "completed" || completed.Usage.OutputTokens == 0 {
				t.Errorf("streamed: %q, completed %s %+v", text.String(), completed.Status, completed.Usage)
			}

			tools := params
			tools.Input = responses.ResponseNewParamsInputUnion{OfString: openai.String("find the key")}
			tools.Tools = []responses.ToolUnionParam{responses.ToolParamOfFunction("lookup",
				map[string]any{"type": "object", "properties": map[string]any{"q": map[string]any{"type": "string"}}, "required": []string{"q"}}, false)}
			resp, err = client.Responses.New(ctx, tools)
			if err != nil {
				t.Fatal(err)
			}
			var calls []responses.ResponseFunctionToolCall
			for _, item := range resp.Output {
				if item.Type == "function_call" {
					calls = append(calls, item.AsFunctionCall())
				}
			}
			if len(calls) != 1 || calls[0].Name != "lookup" || calls[0].Arguments != `{"q":"find the key"}` || calls[0].CallID == "" {
				t.Errorf("tool call: %+v", resp.Output)
			}
		})
	}

	client := openai.NewClient(option.WithBaseURL(base+"/openai/v1"), option.WithAPIKey("sk-client-key"), option.WithMaxRetries(0))
	emb, err := client.Embeddings.New(ctx, openai.EmbeddingNewParams{Model: "text-embedding-3-small",
		Input: openai.EmbeddingNewParamsInputUnion{OfArrayOfStrings: []string{"alpha", "beta gamma"}}, Dimensions: openai.Int(8)})
	if err != nil {
		t.Fatal(err)
	}
	if len(emb.Data) != 2 || len(emb.Data[0].Embedding) != 8 || emb.Data[1].Index != 1 || emb.Usage.PromptTokens == 0 {
		t.Errorf("embeddings: %d vectors, usage %+v", len(emb.Data), emb.Usage)
	}
	page, err := client.Models.List(ctx)
	if err != nil {
		t.Fatal(err)
	}
	ids := map[string]bool{}
	for _, m := range page.Data {
		ids[m.ID] = true
	}
	if !ids["gpt-4o-mini"] {
		t.Errorf("models: %v", ids)
	}
	// Anthropic has no embeddings API: the SDK gets OpenAI's error, 400.
	anthropicRoute := openai.NewClient(option.WithBaseURL(base+"/anthropic/v1"), option.WithAPIKey("sk-client-key"), option.WithMaxRetries(0))
	_, err = anthropicRoute.Embeddings.New(ctx, openai.EmbeddingNewParams{Model: "m", Input: openai.EmbeddingNewParamsInputUnion{OfString: openai.String("x")}})
	var apiErr *openai.Error
	if !errors.As(err, &apiErr) || apiErr.StatusCode != 400 || !strings.Contains(apiErr.Message, "no embeddings API") {
		t.Errorf("embeddings to anthropic: %v", err)
	}
}

// anthropic-sdk-go beyond chat: messages to Anthropic as they are and to
// OpenAI translated (plain and streamed), token counting, and errors that
// arrive as the SDK's own error with Anthropic's types, whether the
// provider or serve made them.
func TestAnthropicSDKMessagesCountTokensErrors(t *testing.T) {
	base, fakes := serveWithFakes(t, "agentgateway", map[string]fakeprovider.Kind{"openai": fakeprovider.OpenAI, "anthropic": fakeprovider.Anthropic})
	ctx := context.Background()
	msg := anthropic.MessageNewParams{Model: "claude-3-5-haiku-latest", MaxTokens: 64,
		Messages: []anthropic.MessageParam{anthropic.NewUserMessage(anthropic.NewTextBlock("hello messages"))}}
	for _, route := range []string{"anthropic", "openai"} {
		t.Run(route, func(t *testing.T) {
			client := anthropic.NewClient(anthropicoption.WithBaseURL(base+"/"+route), anthropicoption.WithAPIKey("sk-client-key"), anthropicoption.WithMaxRetries(0))
			m, err := client.Messages.New(ctx, msg)
			if err != nil {
				t.Fatal(err)
			}
			if len(m.Content) != 1 || m.Content[0].Text != "echo: hello messages" || m.StopReason != "end_turn" || m.Usage.OutputTokens == 0 {
				t.Errorf("plain: %+v", m)
			}
			stream := client.Messages.NewStreaming(ctx, msg)
			var acc anthropic.Message
			for stream.Next() {
				if err := acc.Accumulate(stream.Current()); err != nil {
					t.Fatal(err)
				}
			}
			if err := stream.Err(); err != nil {
				t.Fatal(err)
			}
			if len(acc.Content) != 1 || acc.Content[0].Text != "echo: hello messages" || acc.Usage.OutputTokens == 0 {
				t.Errorf("streamed: %+v", acc)
			}
			count, err := client.Messages.CountTokens(ctx, anthropic.MessageCountTokensParams{Model: "claude-3-5-haiku-latest",
				Messages: msg.Messages})
			if err != nil || count.InputTokens == 0 {
				t.Errorf("count tokens: %+v %v", count, err)
			}
		})
	}
	client := anthropic.NewClient(anthropicoption.WithBaseURL(base+"/anthropic"), anthropicoption.WithAPIKey("sk-client-key"), anthropicoption.WithMaxRetries(0))
	// The provider's 429, as the SDK's own error.
	fakes["anthropic"].Fail(fakeprovider.Fault{Status: 429})
	_, err := client.Messages.New(ctx, msg)
	var apiErr *anthropic.Error
	if !errors.As(err, &apiErr) || apiErr.StatusCode != 429 || apiErr.Type() != "rate_limit_error" {
		t.Errorf("a provider's 429: %v", err)
	}
	// serve's own refusal (a member chat completions cannot carry), in
	// Anthropic's shape.
	openaiRoute := anthropic.NewClient(anthropicoption.WithBaseURL(base+"/openai"), anthropicoption.WithAPIKey("sk-client-key"), anthropicoption.WithMaxRetries(0))
	topK := msg
	topK.TopK = anthropic.Int(5)
	_, err = openaiRoute.Messages.New(ctx, topK)
	if !errors.As(err, &apiErr) || apiErr.StatusCode != 400 || apiErr.Type() != "invalid_request_error" || !strings.Contains(err.Error(), "top_k") {
		t.Errorf("serve's 400: %v", err)
	}
}
