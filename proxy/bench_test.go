package proxy

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"testing"
	"time"

	"github.com/kubelb-ai/kubelb-ai/internal/testenv"
	"github.com/kubelb-ai/kubelb-ai/spec"
	"github.com/kubelb-ai/kubelb-ai/templates"
)

// BenchmarkServePlain is one plain request through serve's handler chain
// (router, limits, metrics, access log, key injection, model override) to
// a minimal upstream, for profiling: go test -bench ServePlain -cpuprofile.
// The figures that compare with peers come from make bench-serve.
func BenchmarkServePlain(b *testing.B) {
	benchServe(b, templates.KgatewayV21, "openai",
		`{"id":"x","object":"chat.completion","choices":[{"index":0,"message":{"role":"assistant","content":"hi"},"finish_reason":"stop"}]}`)
}

// BenchmarkServeTranslated is BenchmarkServePlain translated to Anthropic
// (agentgateway manifests), for profiling translation's cost.
func BenchmarkServeTranslated(b *testing.B) {
	benchServe(b, templates.Agentgateway, "anthropic",
		`{"id":"msg_bench","type":"message","role":"assistant","model":"claude-3-5-haiku-20241022","content":[{"type":"text","text":"Hello there, how are you?"}],"stop_reason":"end_turn","stop_sequence":null,"usage":{"input_tokens":14,"output_tokens":7}}`)
}

// benchServe sends OpenAI chat requests through serve's route for
// provider, whose upstream always answers answer; edit, if given, changes
// serve's options.
func benchServe(b *testing.B, target, provider, answer string, edit ...func(*Options)) {
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, answer)
	}))
	defer up.Close()
	g, err := spec.Options{Target: target, Providers: []string{provider}}.Build()
	if err != nil {
		b.Fatal(err)
	}
	u, _ := url.Parse(up.URL)
	opts := Options{Listen: map[string]string{"http": "127.0.0.1:0"}, Upstreams: map[string]*url.URL{provider: u},
		Lookup: func(string) (string, bool) { return "k", true }, Client: NewClient(time.Second, 10*time.Second),
		Metrics: NewMetrics(), Log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	for _, e := range edit {
		e(&opts)
	}
	cfg, err := buildObjs(renderMaps(b, g), opts)
	if err != nil {
		b.Fatal(err)
	}
	base, _ := serveConfigWith(b, cfg, ServeOptions{})
	body := []byte(`{"model":"gpt-4o-mini","messages":[{"role":"user","content":"Say hello in five words."}]}`)
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
	b.ResetTimer()
	defer reportCPU(b)()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			resp, err := client.Post(base+"/"+provider+"/v1/chat/completions", "application/json", bytes.NewReader(body))
			if err != nil {
				b.Fatal(err)
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
		}
	})
}

// reportCPU reports the process's CPU time per operation (user+system,
// every goroutine's: a background exporter's too, which ns/op misses)
// once the returned function is called.
func reportCPU(b *testing.B) func() {
	start := testenv.ProcessCPU()
	return func() { b.ReportMetric(float64(testenv.ProcessCPU()-start)/float64(b.N), "cpu-ns/op") }
}

// BenchmarkFirstEvent is the time to a stream's first event through serve
// and through a bare httputil.ReverseProxy, one client at a time, for
// finding what serve adds on the way (make bench-serve has the figures).
func BenchmarkFirstEvent(b *testing.B) {
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "text/event-stream")
		rc := http.NewResponseController(w)
		for i := range 5 {
			fmt.Fprintf(w, "data: {\"i\":%d}\n\n", i)
			rc.Flush()
		}
		io.WriteString(w, "data: [DONE]\n\n")
	}))
	defer up.Close()
	u, _ := url.Parse(up.URL)
	g, err := spec.Options{Target: templates.KgatewayV21, Providers: []string{"openai"}}.Build()
	if err != nil {
		b.Fatal(err)
	}
	cfg, err := buildObjs(renderMaps(b, g), Options{Listen: map[string]string{"http": "127.0.0.1:0"}, Upstreams: map[string]*url.URL{"openai": u},
		Lookup: func(string) (string, bool) { return "k", true }, Client: NewClient(time.Second, 10*time.Second),
		Metrics: NewMetrics(), Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		b.Fatal(err)
	}
	serveBase, _ := serveConfigWith(b, cfg, ServeOptions{})
	rp := &httputil.ReverseProxy{Rewrite: func(pr *httputil.ProxyRequest) { pr.SetURL(u); pr.Out.Header.Set("Authorization", "Bearer k") },
		FlushInterval: -1, Transport: &http.Transport{MaxIdleConnsPerHost: 64, DisableCompression: true}}
	bare := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		r.Body, r.ContentLength = io.NopCloser(bytes.NewReader(body)), int64(len(body))
		rp.ServeHTTP(w, r)
	}))
	defer bare.Close()
	body := []byte(`{"model":"gpt-4o-mini","stream":true,"messages":[{"role":"user","content":"hi"}]}`)
	for _, c := range []struct{ name, url string }{{"serve", serveBase + "/openai/v1/chat/completions"}, {"reverseproxy", bare.URL + "/v1/chat/completions"}} {
		b.Run(c.name, func(b *testing.B) {
			client := &http.Client{Transport: &http.Transport{DisableCompression: true}}
			var first time.Duration
			for b.Loop() {
				start := time.Now()
				resp, err := client.Post(c.url, "application/json", bytes.NewReader(body))
				if err != nil {
					b.Fatal(err)
				}
				br := bufio.NewReader(resp.Body)
				if _, err := br.ReadString('\n'); err != nil {
					b.Fatal(err)
				}
				first += time.Since(start)
				io.Copy(io.Discard, br)
				resp.Body.Close()
			}
			b.ReportMetric(float64(first.Microseconds())/float64(b.N), "µs-to-first-event")
		})
	}
}
