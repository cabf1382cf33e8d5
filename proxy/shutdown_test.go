package proxy

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/kubelb-ai/kubelb-ai/internal/fakeprovider"
	"github.com/kubelb-ai/kubelb-ai/internal/testenv"
	"github.com/kubelb-ai/kubelb-ai/spec"
)

// Stopping serve lets a request in flight finish (within the drain time)
// and refuses new ones.
func TestGracefulShutdown(t *testing.T) {
	f := fakeprovider.New(t, fakeprovider.OpenAI, "k")
	f.Fail(fakeprovider.Fault{Delay: 700 * time.Millisecond}) // then it answers
	ups := map[string]*url.URL{}
	ups["openai"], _ = url.Parse(f.URL)
	cfg, err := buildFor(t, spec.Options{Providers: []string{"openai"}}, "127.0.0.1:0", ups, map[string]string{"OPENAI_API_KEY": "k"})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	addrs := make(chan map[string]string, 1)
	done := make(chan error, 1)
	go func() {
		done <- Serve(ctx, cfg, ServeOptions{Admin: "127.0.0.1:0", Drain: 5 * time.Second, Ready: func(a map[string]string) { addrs <- a }})
	}()
	base := "http://" + (<-addrs)["http"]

	result := make(chan string, 1)
	go func() {
		resp, err := http.Post(base+"/openai/v1/chat/completions", "application/json", strings.NewReader(chat))
		if err != nil {
			result <- err.Error()
			return
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		result <- resp.Status + " " + string(b)
	}()
	time.Sleep(200 * time.Millisecond) // the request is with the provider
	cancel()
	if got := <-result; !strings.HasPrefix(got, "200") || !strings.Contains(got, "echo: hi") {
		t.Errorf("the request in flight: %s", got)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if _, err := http.Post(base+"/openai/v1/chat/completions", "application/json", strings.NewReader(chat)); err == nil {
		t.Error("serve still accepts after shutdown")
	}
}

// --log-bodies puts the prompt in the access log; without it the log holds
// no body.
func TestLogBodies(t *testing.T) {
	f := fakeprovider.New(t, fakeprovider.OpenAI, "k")
	for _, withBodies := range []bool{false, true} {
		ups := map[string]*url.URL{}
		ups["openai"], _ = url.Parse(f.URL)
		logs := &testenv.Buffer{}
		o := spec.Options{Target: "kgateway-v2.1", Providers: []string{"openai"}}
		g, _ := o.Build()
		maps := renderMaps(t, g)
		cfg, err := buildObjs(maps, Options{Listen: map[string]string{"http": "127.0.0.1:0"}, Upstreams: ups,
			Lookup: func(string) (string, bool) { return "k", true }, Log: slog.New(slog.NewJSONHandler(logs, nil)), LogBodies: withBodies})
		if err != nil {
			t.Fatal(err)
		}
		base, _ := serveConfig(t, cfg)
		if resp, out := post(t, base, "/openai/v1/chat/completions", `{"model":"x","messages":[{"role":"user","content":"a secret prompt"}]}`, map[string]string{"Authorization": "Bearer client-key"}); resp.StatusCode != 200 {
			t.Fatalf("%d %s", resp.StatusCode, out)
		}
		// The log line follows the response by a moment.
		deadline := time.Now().Add(5 * time.Second)
		for !strings.Contains(logs.String(), `"msg":"request"`) && time.Now().Before(deadline) {
			time.Sleep(10 * time.Millisecond)
		}
		log := logs.String()
		if strings.Contains(log, "a secret prompt") != withBodies || strings.Contains(log, "client-key") || strings.Contains(log, `"k"`) {
			t.Errorf("--log-bodies=%v:\n%s", withBodies, log)
		}
	}
}
