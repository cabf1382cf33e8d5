package proxy

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/kubelb-ai/kubelb-ai/dataplane"
	"github.com/kubelb-ai/kubelb-ai/generate"
	"github.com/kubelb-ai/kubelb-ai/internal/fakeprovider"
	"github.com/kubelb-ai/kubelb-ai/spec"
	"github.com/kubelb-ai/kubelb-ai/templates"
)

func buildFor(t *testing.T, o spec.Options, listen string, ups map[string]*url.URL, keys map[string]string) (*Config, error) {
	t.Helper()
	o.Target = templates.KgatewayV21
	g, err := o.Build()
	if err != nil {
		t.Fatal(err)
	}
	return buildObjs(renderMaps(t, g), Options{Listen: map[string]string{"http": listen}, Upstreams: ups,
		Lookup: func(k string) (string, bool) { v, ok := keys[k]; return v, ok }, Client: NewClient(time.Second, 5*time.Second)})
}

// renderMaps renders g as manifests read from files.
func renderMaps(t testing.TB, g *spec.AIGateway) []map[string]any {
	t.Helper()
	objs, err := generate.Render(g)
	if err != nil {
		t.Fatal(err)
	}
	var maps []map[string]any
	for _, obj := range objs {
		m, err := dataplane.ToMap(obj.Object)
		if err != nil {
			t.Fatal(err)
		}
		maps = append(maps, m)
	}
	return maps
}

// A reload swaps the configuration while clients keep sending: no request
// fails, new requests see the new routes at once, and a configuration that
// cannot replace the running one leaves it serving.
func TestReloadUnderLoad(t *testing.T) {
	openai := fakeprovider.New(t, fakeprovider.OpenAI, "k-openai")
	anthropic := fakeprovider.New(t, fakeprovider.Anthropic, "k-ant")
	ups := map[string]*url.URL{}
	ups["openai"], _ = url.Parse(openai.URL)
	ups["anthropic"], _ = url.Parse(anthropic.URL)
	keys := map[string]string{"OPENAI_API_KEY": "k-openai", "ANTHROPIC_API_KEY": "k-ant"}

	cfg, err := buildFor(t, spec.Options{Providers: []string{"openai"}}, "127.0.0.1:0", ups, keys)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	addrs := make(chan map[string]string, 1)
	reload := make(chan *Config)
	outcomes := make(chan error, 4)
	done := make(chan error, 1)
	go func() {
		done <- Serve(ctx, cfg, ServeOptions{Admin: "127.0.0.1:0", Drain: 5 * time.Second, Ready: func(a map[string]string) { addrs <- a },
			Reload: reload, OnReload: func(err error) { outcomes <- err }})
	}()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Error(err)
		}
	}()
	base := "http://" + (<-addrs)["http"]

	var failed, sent atomic.Int32
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
				resp, err := http.Post(base+"/openai/v1/chat/completions", "application/json", strings.NewReader(chat))
				sent.Add(1)
				if err != nil || resp.StatusCode != 200 {
					failed.Add(1)
				}
				if resp != nil {
					resp.Body.Close()
				}
			}
		})
	}
	time.Sleep(200 * time.Millisecond)
	// The same listener (its address as the running one got it), a second route.
	next, err := buildFor(t, spec.Options{Providers: []string{"openai", "anthropic"}}, cfg.Listeners[0].Addr, ups, keys)
	if err != nil {
		t.Fatal(err)
	}
	reload <- next
	if err := <-outcomes; err != nil {
		t.Fatalf("reload: %v", err)
	}
	if resp, out := post(t, base, "/anthropic/v1/messages", `{"model":"c","max_tokens":5,"messages":[{"role":"user","content":"hi"}]}`, nil); resp.StatusCode != 200 {
		t.Errorf("the new route right after the reload: %d %s", resp.StatusCode, out)
	}
	// A configuration on another address cannot replace the running one.
	moved, err := buildFor(t, spec.Options{Providers: []string{"openai"}}, "127.0.0.1:1", ups, keys)
	if err != nil {
		t.Fatal(err)
	}
	reload <- moved
	if err := <-outcomes; err == nil || !strings.Contains(err.Error(), "restart serve") {
		t.Errorf("a moved listener: %v", err)
	}
	time.Sleep(200 * time.Millisecond)
	close(stop)
	wg.Wait()
	if failed.Load() != 0 || sent.Load() < 20 {
		t.Errorf("%d of %d requests failed across the reloads", failed.Load(), sent.Load())
	}
	if resp, _ := post(t, base, "/anthropic/v1/messages", `{"model":"c","max_tokens":5,"messages":[{"role":"user","content":"hi"}]}`, nil); resp.StatusCode != 200 {
		t.Errorf("the refused reload replaced the running configuration: %d", resp.StatusCode)
	}
}
