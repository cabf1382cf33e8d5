package sdk

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/anthropics/anthropic-sdk-go"
	anthropicoption "github.com/anthropics/anthropic-sdk-go/option"
	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"
	"github.com/openai/openai-go/v3/shared"

	"github.com/kubelb-ai/kubelb-ai/dataplane"
	"github.com/kubelb-ai/kubelb-ai/generate"
	"github.com/kubelb-ai/kubelb-ai/internal/fakeprovider"
	"github.com/kubelb-ai/kubelb-ai/proxy"
	"github.com/kubelb-ai/kubelb-ai/spec"
)

// serve runs the generated gateway for openai and anthropic in front of
// fakes that accept only the server's keys, and returns its base URL.
func serve(t *testing.T, target string) string {
	return serveFakes(t, target, map[string]fakeprovider.Kind{"openai": fakeprovider.OpenAI, "anthropic": fakeprovider.Anthropic})
}

// serveFakes runs the generated gateway for target with a route per
// provider, each in front of a fake of its kind that accepts only the
// server's key.
func serveFakes(t *testing.T, target string, kinds map[string]fakeprovider.Kind) string {
	t.Helper()
	base, _ := serveWithFakes(t, target, kinds)
	return base
}

// serveWithFakes is serveFakes that also returns the fakes, by provider.
func serveWithFakes(t *testing.T, target string, kinds map[string]fakeprovider.Kind) (string, map[string]*fakeprovider.Server) {
	t.Helper()
	fakes := map[string]*fakeprovider.Server{}
	var providers []string
	ups := map[string]*url.URL{}
	keys := map[string]string{}
	for name, kind := range kinds {
		f := fakeprovider.New(t, kind, "sk-server-"+name)
		fakes[name] = f
		providers = append(providers, name)
		ups[name], _ = url.Parse(f.URL)
		keys[strings.ToUpper(name)+"_API_KEY"] = f.Key
	}
	slices.Sort(providers)
	g, err := spec.Options{Target: target, Providers: providers}.Build()
	if err != nil {
		t.Fatal(err)
	}
	return serveGateway(t, g, ups, keys), fakes
}

// serveGateway serves g's manifests, as rendered and imported again, with
// upstreams ups and the environment keys; it returns the listener's URL.
func serveGateway(t *testing.T, g *spec.AIGateway, ups map[string]*url.URL, keys map[string]string) string {
	t.Helper()
	return serveGatewayWith(t, g, ups, keys, nil)
}

// serveGatewayWith is serveGateway with serve's options changed by edit.
func serveGatewayWith(t *testing.T, g *spec.AIGateway, ups map[string]*url.URL, keys map[string]string, edit func(*proxy.Options)) string {
	t.Helper()
	objs, err := generate.Render(g)
	if err != nil {
		t.Fatal(err)
	}
	var maps []map[string]any
	for _, o := range objs {
		m, err := dataplane.ToMap(o.Object)
		if err != nil {
			t.Fatal(err)
		}
		maps = append(maps, m)
	}
	in, err := generate.Import(maps, "")
	if err != nil {
		t.Fatal(err)
	}
	opts := proxy.Options{Listen: map[string]string{"http": "127.0.0.1:0"}, Upstreams: ups,
		Lookup: func(k string) (string, bool) { v, ok := keys[k]; return v, ok }}
	if edit != nil {
		edit(&opts)
	}
	cfg, err := proxy.Build(proxy.Manifests{Spec: in.Gateway, Gateway: in.GatewayObject, Routes: in.HTTPRoutes, RouteTypes: in.RouteTypes, LiteralKey: in.LiteralKey, CORS: in.CORS,
		ClientKeys: in.ClientKeys}, opts)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	addrs := make(chan map[string]string, 1)
	done := make(chan error, 1)
	go func() {
		done <- proxy.Serve(ctx, cfg, proxy.ServeOptions{Admin: "127.0.0.1:0", Drain: 5 * time.Second, Ready: func(a map[string]string) { addrs <- a }})
	}()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Error(err)
		}
	})
	return "http://" + (<-addrs)["http"]
}

// The OpenAI SDK through serve to providers that speak other formats
// (agentgateway translates): plain, streamed with the usage chunk, a tool
// call whole and streamed (the SDK's accumulator joins the argument
// pieces), and the tool's result sent back.
func TestOpenAISDKTranslated(t *testing.T) {
	base := serveFakes(t, "agentgateway", map[string]fakeprovider.Kind{"anthropic": fakeprovider.Anthropic, "gemini": fakeprovider.Gemini})
	ctx := context.Background()
	for _, route := range []string{"anthropic", "gemini"} {
		t.Run(route, func(t *testing.T) {
			client := openai.NewClient(option.WithBaseURL(base+"/"+route+"/v1"), option.WithAPIKey("sk-client-key"), option.WithMaxRetries(0))
			params := openai.ChatCompletionNewParams{Model: "any", Messages: []openai.ChatCompletionMessageParamUnion{
				openai.SystemMessage("Be brief."), openai.UserMessage("hello sdk")}}
			resp, err := client.Chat.Completions.New(ctx, params)
			if err != nil {
				t.Fatal(err)
			}
			if len(resp.Choices) != 1 || resp.Choices[0].Message.Content != "echo: hello sdk" || resp.Choices[0].FinishReason != "stop" || resp.Usage.TotalTokens == 0 {
				t.Errorf("plain: %+v", resp)
			}

			params.StreamOptions = openai.ChatCompletionStreamOptionsParam{IncludeUsage: openai.Bool(true)}
			stream := client.Chat.Completions.NewStreaming(ctx, params)
			var acc openai.ChatCompletionAccumulator
			for stream.Next() {
				acc.AddChunk(stream.Current())
			}
			if err := stream.Err(); err != nil {
				t.Fatal(err)
			}
			if len(acc.Choices) != 1 || acc.Choices[0].Message.Content != "echo: hello sdk" || acc.Usage.TotalTokens == 0 {
				t.Errorf("streamed: %+v", acc.ChatCompletion)
			}

			tools := openai.ChatCompletionNewParams{Model: "any", Messages: []openai.ChatCompletionMessageParamUnion{openai.UserMessage("find the key")},
				Tools: []openai.ChatCompletionToolUnionParam{openai.ChatCompletionFunctionTool(shared.FunctionDefinitionParam{Name: "lookup",
					Description: openai.String("Looks things up"),
					Parameters:  shared.FunctionParameters{"type": "object", "properties": map[string]any{"q": map[string]any{"type": "string"}}, "required": []string{"q"}}})}}
			resp, err = client.Chat.Completions.New(ctx, tools)
			if err != nil {
				t.Fatal(err)
			}
			calls := resp.Choices[0].Message.ToolCalls
			if len(calls) != 1 || calls[0].Function.Name != "lookup" || calls[0].Function.Arguments != `{"q":"find the key"}` || resp.Choices[0].FinishReason != "tool_calls" {
				t.Fatalf("tool call: %+v", resp.Choices[0])
			}

			stream = client.Chat.Completions.NewStreaming(ctx, tools)
			acc = openai.ChatCompletionAccumulator{}
			var finished []openai.FinishedChatCompletionToolCall
			for stream.Next() {
				acc.AddChunk(stream.Current())
				if tc, ok := acc.JustFinishedToolCall(); ok {
					finished = append(finished, tc)
				}
			}
			if err := stream.Err(); err != nil {
				t.Fatal(err)
			}
			if len(acc.Choices) != 1 || len(acc.Choices[0].Message.ToolCalls) != 1 || acc.Choices[0].Message.ToolCalls[0].Function.Arguments != `{"q":"find the key"}` {
				t.Errorf("streamed tool call: %+v", acc.ChatCompletion)
			}
			if len(finished) != 1 || finished[0].Name != "lookup" {
				t.Errorf("finished tool calls: %+v", finished)
			}

			tools.Messages = append(tools.Messages, resp.Choices[0].Message.ToParam(), openai.ToolMessage("the key is under the mat", calls[0].ID))
			resp, err = client.Chat.Completions.New(ctx, tools)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(resp.Choices[0].Message.Content, "the key is under the mat") {
				t.Errorf("after the tool's result: %+v", resp.Choices[0].Message)
			}
		})
	}
}

// The OpenAI SDK, plain and streamed, through serve: its own key is
// replaced by the server's (the fake refuses any other).
func TestOpenAISDK(t *testing.T) {
	base := serve(t, "kgateway-v2.1")
	client := openai.NewClient(option.WithBaseURL(base+"/openai/v1"), option.WithAPIKey("sk-client-key"), option.WithMaxRetries(0))
	ctx := context.Background()
	params := openai.ChatCompletionNewParams{Model: "gpt-4o-mini", Messages: []openai.ChatCompletionMessageParamUnion{openai.UserMessage("hello sdk")}}
	resp, err := client.Chat.Completions.New(ctx, params)
	if err != nil {
		t.Fatal(err)
	}
	if len(resp.Choices) != 1 || resp.Choices[0].Message.Content != "echo: hello sdk" || resp.Usage.TotalTokens == 0 {
		t.Errorf("plain: %+v", resp)
	}
	stream := client.Chat.Completions.NewStreaming(ctx, params)
	var text strings.Builder
	chunks := 0
	for stream.Next() {
		chunks++
		for _, c := range stream.Current().Choices {
			text.WriteString(c.Delta.Content)
		}
	}
	if err := stream.Err(); err != nil {
		t.Fatal(err)
	}
	if text.String() != "echo: hello sdk" || chunks < 3 {
		t.Errorf("streamed %d chunks: %q", chunks, text.String())
	}
}

// The Anthropic SDK, plain and streamed, through serve.
func TestAnthropicSDK(t *testing.T) {
	base := serve(t, "kgateway-v2.1")
	client := anthropic.NewClient(anthropicoption.WithBaseURL(base+"/anthropic"), anthropicoption.WithAPIKey("sk-client-key"), anthropicoption.WithMaxRetries(0))
	ctx := context.Background()
	params := anthropic.MessageNewParams{Model: "claude-3-5-haiku-latest", MaxTokens: 64,
		Messages: []anthropic.MessageParam{anthropic.NewUserMessage(anthropic.NewTextBlock("hello sdk"))}}
	msg, err := client.Messages.New(ctx, params)
	if err != nil {
		t.Fatal(err)
	}
	if len(msg.Content) != 1 || msg.Content[0].Text != "echo: hello sdk" || msg.StopReason != "end_turn" {
		t.Errorf("plain: %+v", msg)
	}
	stream := client.Messages.NewStreaming(ctx, params)
	var acc anthropic.Message
	for stream.Next() {
		if err := acc.Accumulate(stream.Current()); err != nil {
			t.Fatal(err)
		}
	}
	if err := stream.Err(); err != nil {
		t.Fatal(err)
	}
	if len(acc.Content) != 1 || acc.Content[0].Text != "echo: hello sdk" {
		t.Errorf("streamed: %+v", acc.Content)
	}
}

// An answer the provider cuts is an error to both SDKs, whole or
// streamed, never a clean end.
func TestSDKsSeeCutAnswers(t *testing.T) {
	base, fakes := serveWithFakes(t, "kgateway-v2.1", map[string]fakeprovider.Kind{"openai": fakeprovider.OpenAI, "anthropic": fakeprovider.Anthropic})
	cutWhole := func(body string) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			w.Header().Set("Content-Length", "1000")
			_, _ = w.Write([]byte(body))
			w.(http.Flusher).Flush()
			fakeprovider.HangUp(w)
		}
	}
	ctx := context.Background()

	oai := openai.NewClient(option.WithBaseURL(base+"/openai/v1"), option.WithAPIKey("sk-client-key"), option.WithMaxRetries(0))
	params := openai.ChatCompletionNewParams{Model: "gpt-4o-mini", Messages: []openai.ChatCompletionMessageParamUnion{openai.UserMessage("hello sdk")}}
	fakes["openai"].Fail(fakeprovider.Fault{Answer: cutWhole(`{"id":"x","object":"chat.completion","choices":[{"index":0,"message":{"role":"assistant","content":"half`)})
	if resp, err := oai.Chat.Completions.New(ctx, params); err == nil {
		t.Errorf("openai-go read a cut answer as complete: %+v", resp)
	}
	fakes["openai"].Fail(fakeprovider.Fault{CutAfterEvents: 2})
	stream := oai.Chat.Completions.NewStreaming(ctx, params)
	for stream.Next() {
	}
	if stream.Err() == nil {
		t.Error("openai-go read a cut stream as complete")
	}

	ant := anthropic.NewClient(anthropicoption.WithBaseURL(base+"/anthropic"), anthropicoption.WithAPIKey("sk-client-key"), anthropicoption.WithMaxRetries(0))
	aparams := anthropic.MessageNewParams{Model: "claude-3-5-haiku-latest", MaxTokens: 64,
		Messages: []anthropic.MessageParam{anthropic.NewUserMessage(anthropic.NewTextBlock("hello sdk"))}}
	fakes["anthropic"].Fail(fakeprovider.Fault{Answer: cutWhole(`{"id":"x","type":"message","role":"assistant","content":[{"type":"text","text":"half`)})
	if msg, err := ant.Messages.New(ctx, aparams); err == nil {
		t.Errorf("anthropic-sdk-go read a cut answer as complete: %+v", msg)
	}
	fakes["anthropic"].Fail(fakeprovider.Fault{CutAfterEvents: 3})
	astream := ant.Messages.NewStreaming(ctx, aparams)
	for astream.Next() {
	}
	if astream.Err() == nil {
		t.Error("anthropic-sdk-go read a cut stream as complete")
	}
}
