package sdk

import (
	"context"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/anthropics/anthropic-sdk-go"
	anthropicoption "github.com/anthropics/anthropic-sdk-go/option"
	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"

	"github.com/kubelb-ai/kubelb-ai/generate"
	"github.com/kubelb-ai/kubelb-ai/internal/fakeprovider"
	"github.com/kubelb-ai/kubelb-ai/proxy"
	"github.com/kubelb-ai/kubelb-ai/spec"
)

// serve runs the generated gateway for openai and anthropic in front of
// fakes that accept only the server's keys, and returns its base URL.
func serve(t *testing.T, target string) string {
	t.Helper()
	oai := fakeprovider.New(t, fakeprovider.OpenAI, "sk-server-openai")
	ant := fakeprovider.New(t, fakeprovider.Anthropic, "sk-server-anthropic")
	g, err := spec.Options{Target: target, Providers: []string{"openai", "anthropic"}}.Build()
	if err != nil {
		t.Fatal(err)
	}
	objs, err := generate.Render(g)
	if err != nil {
		t.Fatal(err)
	}
	var maps []map[string]any
	for _, o := range objs {
		m, err := generate.ToMap(o.Object)
		if err != nil {
			t.Fatal(err)
		}
		maps = append(maps, m)
	}
	ups := map[string]*url.URL{}
	ups["openai"], _ = url.Parse(oai.URL)
	ups["anthropic"], _ = url.Parse(ant.URL)
	keys := map[string]string{"OPENAI_API_KEY": oai.Key, "ANTHROPIC_API_KEY": ant.Key}
	cfg, err := proxy.Build(maps, proxy.Options{Listen: map[string]string{"http": "127.0.0.1:0"}, Upstreams: ups,
		Lookup: func(k string) (string, bool) { v, ok := keys[k]; return v, ok }})
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
