package sdk

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/anthropics/anthropic-sdk-go"
	anthropicoption "github.com/anthropics/anthropic-sdk-go/option"
	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"

	"github.com/kubelb-ai/kubelb-ai/internal/fakeprovider"
	"github.com/kubelb-ai/kubelb-ai/spec"
)

const (
	sdkAliceKey = "sk-gw-alice-5d1c9e7a3b"
	sdkBobKey   = "sk-gw-bob-2f8e4a6c0d"
)

// serveWithClients serves an OpenAI and an Anthropic route whose callers
// must show alice's or bob's gateway key, read from header (empty:
// Authorization: Bearer).
func serveWithClients(t *testing.T, header string) (string, map[string]*fakeprovider.Server) {
	t.Helper()
	fakes := map[string]*fakeprovider.Server{
		"openai":    fakeprovider.New(t, fakeprovider.OpenAI, "sk-server-openai"),
		"anthropic": fakeprovider.New(t, fakeprovider.Anthropic, "sk-server-anthropic"),
	}
	ups := map[string]*url.URL{}
	keys := map[string]string{"ALICE_KEY": sdkAliceKey, "BOB_KEY": sdkBobKey}
	for name, f := range fakes {
		ups[name], _ = url.Parse(f.URL)
		keys[strings.ToUpper(name)+"_API_KEY"] = f.Key
	}
	g, err := spec.Options{Target: "agentgateway", Providers: []string{"anthropic", "openai"}}.Build()
	if err != nil {
		t.Fatal(err)
	}
	g.Spec.KubeLB = "1.5" // a key header needs agentgateway v1.3.1
	g.Spec.Clients = &spec.Clients{Header: header, Mode: spec.ModeStrict, APIKeys: []spec.APIKey{{Name: "alice", Env: "ALICE_KEY"}, {Name: "bob", Env: "BOB_KEY"}}}
	if err := spec.Check(g); err != nil {
		t.Fatal(err)
	}
	return serveGateway(t, g, ups, keys), fakes
}

// noClientKey fails when a gateway key reached a provider.
func noClientKey(t *testing.T, fakes map[string]*fakeprovider.Server) {
	t.Helper()
	for name, f := range fakes {
		for _, r := range f.Requests() {
			for h, v := range r.Header {
				if s := strings.Join(v, ","); strings.Contains(s, sdkAliceKey) || strings.Contains(s, sdkBobKey) {
					t.Errorf("%s got a gateway key in %s", name, h)
				}
			}
		}
	}
}

// The OpenAI SDK sends its API key as Authorization: Bearer, which is where
// the gateway reads its clients' keys: a client's key gets an answer (the
// gateway swaps in the provider's key), a wrong one a 401 the SDK reports
// as an authentication error.
func TestOpenAISDKClientKey(t *testing.T) {
	base, fakes := serveWithClients(t, "")
	ctx := context.Background()
	params := openai.ChatCompletionNewParams{Model: "gpt-4o-mini", Messages: []openai.ChatCompletionMessageParamUnion{openai.UserMessage("hello sdk")}}
	for _, key := range []string{sdkAliceKey, sdkBobKey} {
		client := openai.NewClient(option.WithBaseURL(base+"/openai/v1"), option.WithAPIKey(key), option.WithMaxRetries(0))
		c, err := client.Chat.Completions.New(ctx, params)
		if err != nil || c.Choices[0].Message.Content != "echo: hello sdk" {
			t.Errorf("with a client's key: %v %+v", err, c)
		}
		stream := client.Chat.Completions.NewStreaming(ctx, params)
		var acc openai.ChatCompletionAccumulator
		for stream.Next() {
			acc.AddChunk(stream.Current())
		}
		if err := stream.Err(); err != nil || acc.Choices[0].Message.Content != "echo: hello sdk" {
			t.Errorf("streamed with a client's key: %v %+v", err, acc.Choices)
		}
	}
	client := openai.NewClient(option.WithBaseURL(base+"/openai/v1"), option.WithAPIKey("sk-not-a-client"), option.WithMaxRetries(0))
	_, err := client.Chat.Completions.New(ctx, params)
	var apiErr *openai.Error
	if !errors.As(err, &apiErr) || apiErr.StatusCode != http.StatusUnauthorized {
		t.Errorf("a wrong key: %v", err)
	}
	noClientKey(t, fakes)
}

// The Anthropic SDK sends its key as x-api-key: with the gateway's keys
// read from that header (agentgateway v1.3.1+ location), it authenticates
// as it is; the provider gets its own x-api-key.
func TestAnthropicSDKClientKey(t *testing.T) {
	base, fakes := serveWithClients(t, "x-api-key")
	ctx := context.Background()
	params := anthropic.MessageNewParams{Model: "claude-3-5-haiku-latest", MaxTokens: 64,
		Messages: []anthropic.MessageParam{anthropic.NewUserMessage(anthropic.NewTextBlock("hello sdk"))}}
	client := anthropic.NewClient(anthropicoption.WithBaseURL(base+"/anthropic"), anthropicoption.WithAPIKey(sdkAliceKey), anthropicoption.WithMaxRetries(0))
	msg, err := client.Messages.New(ctx, params)
	if err != nil || len(msg.Content) != 1 || msg.Content[0].Text != "echo: hello sdk" {
		t.Errorf("with a client's key: %v %+v", err, msg)
	}
	stream := client.Messages.NewStreaming(ctx, params)
	var acc anthropic.Message
	for stream.Next() {
		if err := acc.Accumulate(stream.Current()); err != nil {
			t.Fatal(err)
		}
	}
	if err := stream.Err(); err != nil || len(acc.Content) != 1 || acc.Content[0].Text != "echo: hello sdk" {
		t.Errorf("streamed with a client's key: %v %+v", err, acc.Content)
	}
	wrong := anthropic.NewClient(anthropicoption.WithBaseURL(base+"/anthropic"), anthropicoption.WithAPIKey("sk-not-a-client"), anthropicoption.WithMaxRetries(0))
	_, err = wrong.Messages.New(ctx, params)
	var apiErr *anthropic.Error
	if !errors.As(err, &apiErr) || apiErr.StatusCode != http.StatusUnauthorized {
		t.Errorf("a wrong key: %v", err)
	}
	for _, r := range fakes["anthropic"].Requests() {
		if got := r.Header.Get("x-api-key"); got != "sk-server-anthropic" {
			t.Errorf("the provider got x-api-key %q", got)
		}
	}
	noClientKey(t, fakes)
}
