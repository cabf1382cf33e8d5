package main

import (
	"strings"
	"testing"
	"time"

	tracev1 "go.opentelemetry.io/proto/otlp/trace/v1"

	"github.com/kubelb-ai/kubelb-ai/internal/fakeprovider"
	"github.com/kubelb-ai/kubelb-ai/internal/otlptest"
)

// serve exports to the manifests' collector Service as --upstream maps it,
// with --trace-content's prompts; OTEL_EXPORTER_OTLP_ENDPOINT wins over
// it; unmapped, serve warns and exports nothing.
func TestServeTracing(t *testing.T) {
	dir := t.TempDir()
	if code, _, errOut := runCmd(t, "generate", "--target", "agentgateway", "--provider", "openai", "--tracing-endpoint", "otel-collector.observability:4318",
		"--tracing-protocol", "http", "--output-dir", dir); code != 0 {
		t.Fatalf("generate: %s", errOut)
	}
	openai := fakeprovider.New(t, fakeprovider.OpenAI, "sk-openai")
	// The test's environment must not choose the collector; spans leave
	// every 50ms.
	env := []string{"OPENAI_API_KEY=sk-openai", "OTEL_EXPORTER_OTLP_ENDPOINT=", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT=", "OTEL_SDK_DISABLED=",
		"OTEL_TRACES_EXPORTER=", "OTEL_TRACES_SAMPLER=", "OTEL_BSP_SCHEDULE_DELAY=50"}
	const prompt = "tangerine"
	body := `{"model":"gpt-4o-mini","messages":[{"role":"user","content":"` + prompt + `"}]}`
	chatSpan := func(spans []*tracev1.Span) bool { return otlptest.Named(spans, "chat gpt-4o-mini") }

	t.Run("manifests", func(t *testing.T) {
		collector := otlptest.NewHTTP(t)
		p := startServeProcess(t, env, "-f", dir, "--upstream", "openai="+openai.URL, "--upstream", "otel-collector="+collector.URL, "--trace-content")
		if code, out := send(t, p.listener+"/openai/v1/chat/completions", body, nil); code != 200 {
			t.Fatalf("%d %s", code, out)
		}
		spans := collector.Wait(t, 10*time.Second, chatSpan)
		var content bool
		for _, s := range spans {
			for _, a := range s.GetAttributes() {
				content = content || a.GetKey() == "gen_ai.input.messages" && strings.Contains(a.GetValue().GetStringValue(), prompt)
			}
		}
		if !content {
			t.Error("--trace-content: no prompt on the spans")
		}
		if config := get(t, p.admin+"/config"); !strings.Contains(config, `"from": "manifests"`) {
			t.Errorf("/config does not say where traces go:\n%s", config)
		}
		p.stop(t)
	})
	t.Run("environment wins", func(t *testing.T) {
		fromEnv, fromManifests := otlptest.NewHTTP(t), otlptest.NewHTTP(t)
		p := startServeProcess(t, append(env, "OTEL_EXPORTER_OTLP_ENDPOINT="+fromEnv.URL), "-f", dir, "--upstream", "openai="+openai.URL,
			"--upstream", "otel-collector="+fromManifests.URL)
		if code, out := send(t, p.listener+"/openai/v1/chat/completions", body, nil); code != 200 {
			t.Fatalf("%d %s", code, out)
		}
		fromEnv.Wait(t, 10*time.Second, chatSpan)
		p.stop(t)
		if n := len(fromManifests.Spans()); n > 0 {
			t.Errorf("the manifests' collector got %d spans despite OTEL_EXPORTER_OTLP_ENDPOINT", n)
		}
	})
	t.Run("unmapped", func(t *testing.T) {
		p := startServeProcess(t, env, "-f", dir, "--upstream", "openai="+openai.URL)
		waitFor(t, func() bool { return strings.Contains(p.stderr.String(), "exports no traces") }, "the unmapped collector's warning")
		if !strings.Contains(p.stderr.String(), "--upstream otel-collector=http://127.0.0.1:PORT") {
			t.Errorf("the warning does not say how to map the collector:\n%s", p.stderr.String())
		}
		p.stop(t)
	})
}
