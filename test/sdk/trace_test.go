package sdk

import (
	"context"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"
	"go.opentelemetry.io/otel/propagation"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"

	"github.com/kubelb-ai/kubelb-ai/internal/fakeprovider"
	"github.com/kubelb-ai/kubelb-ai/proxy"
	"github.com/kubelb-ai/kubelb-ai/spec"
)

// Propagation end to end: an application's span, from the OpenTelemetry
// SDK, calls serve through openai-go (its trace context put on the
// request by a middleware, as instrumented HTTP clients do); serve's
// request span continues that trace under the application's span, its
// attempt span is under the request's, and the provider sees the
// attempt's traceparent.
func TestOpenAISDKTracePropagation(t *testing.T) {
	rec := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec))
	t.Cleanup(func() { _ = tp.Shutdown(context.Background()) })
	fake := fakeprovider.New(t, fakeprovider.OpenAI, "sk-server-openai")
	g, err := spec.Options{Target: "kgateway-v2.1", Providers: []string{"openai"}}.Build()
	if err != nil {
		t.Fatal(err)
	}
	u, _ := url.Parse(fake.URL)
	base := serveGatewayWith(t, g, map[string]*url.URL{"openai": u}, map[string]string{"OPENAI_API_KEY": fake.Key},
		func(o *proxy.Options) { o.Tracer = tp })

	propagate := option.WithMiddleware(func(r *http.Request, next option.MiddlewareNext) (*http.Response, error) {
		propagation.TraceContext{}.Inject(r.Context(), propagation.HeaderCarrier(r.Header))
		return next(r)
	})
	client := openai.NewClient(option.WithBaseURL(base+"/openai/v1"), option.WithAPIKey("sk-client"), option.WithMaxRetries(0), propagate)
	ctx, app := tp.Tracer("app").Start(context.Background(), "ask", trace.WithSpanKind(trace.SpanKindClient))
	resp, err := client.Chat.Completions.New(ctx, openai.ChatCompletionNewParams{Model: "gpt-4o-mini",
		Messages: []openai.ChatCompletionMessageParamUnion{openai.UserMessage("hello")}})
	app.End()
	if err != nil {
		t.Fatal(err)
	}
	if resp.Choices[0].Message.Content != "echo: hello" {
		t.Errorf("answer %+v", resp.Choices)
	}

	var server, attempt sdktrace.ReadOnlySpan
	deadline := time.Now().Add(5 * time.Second)
	for server == nil || attempt == nil {
		for _, s := range rec.Ended() {
			switch {
			case s.SpanKind() == trace.SpanKindServer:
				server = s
			case s.SpanKind() == trace.SpanKindClient && s.Name() == "chat gpt-4o-mini":
				attempt = s
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("serve's spans did not end within 5s: %d spans", len(rec.Ended()))
		}
		time.Sleep(10 * time.Millisecond)
	}
	appCtx := app.SpanContext()
	if server.SpanContext().TraceID() != appCtx.TraceID() || server.Parent().SpanID() != appCtx.SpanID() {
		t.Errorf("serve's request span: trace %s parent %s, want the application's %s %s", server.SpanContext().TraceID(), server.Parent().SpanID(),
			appCtx.TraceID(), appCtx.SpanID())
	}
	if attempt.Parent().SpanID() != server.SpanContext().SpanID() || attempt.SpanContext().TraceID() != appCtx.TraceID() {
		t.Errorf("the attempt's span is not under serve's request span")
	}
	want := "00-" + appCtx.TraceID().String() + "-" + attempt.SpanContext().SpanID().String() + "-01"
	if got := fake.Requests()[0].Header.Get("Traceparent"); got != want {
		t.Errorf("the provider saw traceparent %q, want %q", got, want)
	}
}
