// Command benchserve measures `kubelb-ai serve` side by side with a direct
// call, a bare httputil.ReverseProxy that injects a key (body buffered) and
// Portkey's open-source gateway, on loopback against one mock OpenAI
// upstream. The servers share one CPU and the load generator has the
// other (taskset), so CPU per request is each proxy's own cost. Each round
// measures every path in turn; figures are medians over rounds, latencies
// "added" over the direct call of the same round.
//
// Per path: latency p50/p99 at 1 and 50 concurrent clients (plain JSON),
// proxy CPU per request (from /proc over the 50-client run), time to first
// SSE event at 1 client, streams at 50 clients with truncated ones counted,
// and peak RSS.
//
// serve runs once more with tracing on (every request sampled, OTLP/HTTP to
// a receiver of the bench's own, a process apart whose CPU is not serve's),
// beside the plain serve, which has tracing off.
//
// Usage (from the repository root; `make bench-serve` installs Portkey and
// runs it):
//
//	go run ./hack/benchserve [-rounds 5] [-duration 3s] [-portkey DIR] [-baseline OLD-kubelb-ai] [-out FILE] -- path/to/kubelb-ai
package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	collectortrace "go.opentelemetry.io/proto/otlp/collector/trace/v1"
	"golang.org/x/sys/unix"
	"google.golang.org/protobuf/proto"
)

const (
	key       = "sk-bench-0123456789abcdef"
	clientKey = "sk-client-not-the-key"
	// aliceKey is a client's key of the gateway (its API-key check).
	aliceKey = "sk-gateway-client-alice-0123456789"
	events   = 23 // SSE events per streamed answer, then [DONE]
)

var (
	plainBody  = []byte(`{"model":"gpt-4o-mini","messages":[{"role":"user","content":"Say hello in five words."}]}`)
	streamBody = []byte(`{"model":"gpt-4o-mini","stream":true,"messages":[{"role":"user","content":"Say hello in five words."}]}`)
	// The same request in OpenAI's Responses API.
	responsesBody       = []byte(`{"model":"gpt-4o-mini","input":"Say hello in five words."}`)
	responsesStreamBody = []byte(`{"model":"gpt-4o-mini","stream":true,"input":"Say hello in five words."}`)
)

func main() {
	if len(os.Args) > 1 {
		switch os.Args[1] {
		case "mock":
			mock(os.Args[2])
			return
		case "rproxy":
			rproxy(os.Args[2], os.Args[3])
			return
		case "otlp":
			otlpReceiver(os.Args[2])
			return
		}
	}
	rounds := flag.Int("rounds", 5, "interleaved rounds")
	duration := flag.Duration("duration", 3*time.Second, "length of each measurement")
	portkey := flag.String("portkey", "", "directory whose node_modules holds @portkey-ai/gateway (make bench-serve installs it); empty leaves Portkey out")
	out := flag.String("out", "", "also write the report to this file")
	baseline := flag.String("baseline", "", "another kubelb-ai binary (e.g. an earlier commit's) whose plain serve runs as a row of its own")
	flag.Parse()
	if flag.NArg() != 1 {
		fatalf("usage: benchserve [-rounds N] [-duration D] [-portkey DIR] [-baseline FILE] [-out FILE] -- path/to/kubelb-ai")
	}
	kubelbAI, err := filepath.Abs(flag.Arg(0))
	check(err)
	tmp, err := os.MkdirTemp("", "benchserve-")
	check(err)
	defer os.RemoveAll(tmp)

	// The load generator runs on CPU 0, every server on CPU 1.
	pinned := runtime.NumCPU() >= 2
	if pinned {
		var set unix.CPUSet
		set.Set(0)
		if err := unix.SchedSetaffinity(0, &set); err != nil {
			pinned = false
		}
	}
	self, err := os.Executable()
	check(err)
	defer stopAll()
	start := func(env []string, argv ...string) *exec.Cmd {
		if pinned {
			argv = append([]string{"taskset", "-c", "1"}, argv...)
		}
		cmd := exec.Command(argv[0], argv[1:]...)
		cmd.Env = append(os.Environ(), env...)
		cmd.Stdout, cmd.Stderr = io.Discard, io.Discard
		check(cmd.Start())
		running = append(running, cmd)
		return cmd
	}

	mockAddr := freeAddr()
	mockProc := start([]string{"GOMAXPROCS=1"}, self, "mock", mockAddr)
	waitListening(mockAddr)

	type path struct {
		name   string
		url    string
		header http.Header
		proc   *exec.Cmd
		api    *api  // chat completions when nil
		sent   int64 // requests and streams sent, answered or not
	}
	auth := func(k string) http.Header {
		return http.Header{"Authorization": {"Bearer " + k}, "Content-Type": {"application/json"}}
	}
	paths := []*path{{name: "direct", url: "http://" + mockAddr + "/v1/chat/completions", header: auth(key), proc: mockProc}}

	rpAddr := freeAddr()
	paths = append(paths, &path{name: "httputil.ReverseProxy", url: "http://" + rpAddr + "/v1/chat/completions", header: auth(clientKey),
		proc: start(nil, self, "rproxy", rpAddr, "http://"+mockAddr)})

	// One serve for two routes of agentgateway manifests: /openai passes
	// OpenAI's format through, /anthropic translates it to Anthropic's
	// Messages (the mock answers as Anthropic too); the same process and
	// configuration, so the two differ by translation alone.
	manifests := filepath.Join(tmp, "manifests")
	gen := exec.Command(kubelbAI, "generate", "--provider", "openai,anthropic", "--target", "agentgateway", "--output-dir", manifests)
	if b, err := gen.CombinedOutput(); err != nil {
		fatalf("generate: %v\n%s", err, b)
	}
	serveAddr := freeAddr()
	serve := start([]string{"OPENAI_API_KEY=" + key, "ANTHROPIC_API_KEY=" + key}, kubelbAI, "serve", "-f", manifests, "--listen", "http="+serveAddr,
		"--admin", freeAddr(), "--upstream", "openai=http://"+mockAddr, "--upstream", "anthropic=http://"+mockAddr)
	paths = append(paths, &path{name: "kubelb-ai serve", url: "http://" + serveAddr + "/openai/v1/chat/completions", header: auth(clientKey), proc: serve},
		&path{name: "kubelb-ai serve, translated to Anthropic", url: "http://" + serveAddr + "/anthropic/v1/chat/completions", header: auth(clientKey), proc: serve},
		&path{name: "kubelb-ai serve, Responses translated to Anthropic", url: "http://" + serveAddr + "/anthropic/v1/responses", header: auth(clientKey), proc: serve, api: responsesAPI})

	// The same serve (manifests, flags) with tracing on through the
	// standard variables, every request sampled, exporting over OTLP/HTTP
	// to a receiver that decodes and counts the spans and answers 200; the
	// plain serve above is the same with tracing off.
	otlpAddr := freeAddr()
	start(nil, self, "otlp", otlpAddr)
	waitListening(otlpAddr)
	tracedAddr := freeAddr()
	traced := &path{name: tracingOn, url: "http://" + tracedAddr + "/openai/v1/chat/completions", header: auth(clientKey),
		proc: start([]string{"OPENAI_API_KEY=" + key, "ANTHROPIC_API_KEY=" + key,
			"OTEL_EXPORTER_OTLP_ENDPOINT=http://" + otlpAddr, "OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf", "OTEL_TRACES_SAMPLER=always_on"},
			kubelbAI, "serve", "-f", manifests, "--listen", "http="+tracedAddr,
			"--admin", freeAddr(), "--upstream", "openai=http://"+mockAddr, "--upstream", "anthropic=http://"+mockAddr)}
	paths = append(paths, traced)
	// -baseline: another build's serve, same manifests and flags (for
	// "tracing off costs nothing": the build before tracing).
	if *baseline != "" {
		bin, err := filepath.Abs(*baseline)
		check(err)
		addr := freeAddr()
		paths = append(paths, &path{name: baselineRow, url: "http://" + addr + "/openai/v1/chat/completions", header: auth(clientKey),
			proc: start([]string{"OPENAI_API_KEY=" + key, "ANTHROPIC_API_KEY=" + key}, bin, "serve", "-f", manifests, "--listen", "http="+addr,
				"--admin", freeAddr(), "--upstream", "openai=http://"+mockAddr, "--upstream", "anthropic=http://"+mockAddr)})
	}

	// The same route behind client checks and limits, one serve each so
	// that each differs from the plain one by that alone: an API key
	// (agentgateway's apiKeyAuthentication), a local request limit, and the
	// same limit global, counted in Redis.
	genServe := func(name string, genArgs, serveArgs []string) *exec.Cmd {
		dir := filepath.Join(tmp, name)
		gen := exec.Command(kubelbAI, append([]string{"generate", "--provider", "openai", "--target", "agentgateway", "--output-dir", dir}, genArgs...)...)
		if b, err := gen.CombinedOutput(); err != nil {
			fatalf("generate %s: %v\n%s", name, err, b)
		}
		addr := freeAddr()
		proc := start([]string{"OPENAI_API_KEY=" + key, "ALICE_KEY=" + aliceKey}, append([]string{kubelbAI, "serve", "-f", dir, "--listen", "http=" + addr,
			"--admin", freeAddr(), "--upstream", "openai=http://" + mockAddr}, serveArgs...)...)
		h := auth(clientKey)
		if name == "api-key" {
			h = auth(aliceKey)
		}
		paths = append(paths, &path{name: "kubelb-ai serve, " + strings.ReplaceAll(name, "-", " "), url: "http://" + addr + "/openai/v1/chat/completions", header: h, proc: proc})
		return proc
	}
	genServe("api-key", []string{"--client-key", "alice=ALICE_KEY"}, nil)
	const unreachable = "1000000000/hour" // a limit that counts every request and refuses none
	genServe("local-limit", []string{"--rate-limit", unreachable}, nil)
	if redisServer, err := exec.LookPath("redis-server"); err == nil {
		redisAddr := freeAddr()
		_, port, _ := net.SplitHostPort(redisAddr)
		start(nil, redisServer, "--port", port, "--bind", "127.0.0.1", "--save", "", "--appendonly", "no")
		waitListening(redisAddr)
		genServe("global-limit-in-Redis", []string{"--rate-limit", unreachable, "--limit-scope", "global"}, []string{"--rate-limit-redis", redisAddr})
	} else {
		logf("redis-server is not on PATH (make ratelimit-tools installs it): the global-limit row is left out")
	}

	if *portkey != "" {
		pkAddr := freeAddr()
		_, port, _ := net.SplitHostPort(pkAddr)
		h := auth(key)
		h.Set("x-portkey-provider", "openai")
		h.Set("x-portkey-custom-host", "http://"+mockAddr+"/v1")
		pk := start(nil, "node", "-r", filepath.Join(*portkey, "loopback.cjs"),
			filepath.Join(*portkey, "node_modules/@portkey-ai/gateway/build/start-server.js"), "--port="+port, "--headless")
		paths = append(paths, &path{name: "Portkey " + portkeyVersion(*portkey), url: "http://" + pkAddr + "/v1/chat/completions", header: h, proc: pk})
		ht := auth(key)
		ht.Set("x-portkey-provider", "anthropic")
		ht.Set("x-portkey-custom-host", "http://"+mockAddr+"/v1")
		paths = append(paths, &path{name: "Portkey " + portkeyVersion(*portkey) + ", translated to Anthropic", url: "http://" + pkAddr + "/v1/chat/completions", header: ht, proc: pk})
	}
	for _, p := range paths {
		if p.api == nil {
			p.api = chatAPI
		}
		waitListening(strings.Split(strings.TrimPrefix(p.url, "http://"), "/")[0])
		p.sent++
		if code, err := once(p.url, p.header, p.api.plain); err != nil || code != 200 {
			fatalf("%s: a first request got %d %v", p.name, code, err)
		}
	}

	type sample struct {
		p50c1, p99c1, p50c50, p99c50, rps, cpuPerReq, ttfe time.Duration
		streams, truncated                                 int
	}
	results := map[string][]sample{}
	for r := 1; r <= *rounds; r++ {
		for _, p := range paths {
			logf("round %d/%d: %s", r, *rounds, p.name)
			warm := load(p.url, p.header, p.api.plain, 50, time.Second) // warm up (Node's JIT, connection pools)
			var s sample
			lat := load(p.url, p.header, p.api.plain, 1, *duration)
			p.sent += int64(warm.ok + warm.failed + lat.ok + lat.failed)
			s.p50c1, s.p99c1 = lat.quantile(0.5), lat.quantile(0.99)
			cpu0 := cpuTime(p.proc.Process.Pid)
			lat = load(p.url, p.header, p.api.plain, 50, *duration)
			cpu := cpuTime(p.proc.Process.Pid) - cpu0
			p.sent += int64(lat.ok + lat.failed)
			s.p50c50, s.p99c50 = lat.quantile(0.5), lat.quantile(0.99)
			if lat.ok > 0 {
				s.cpuPerReq = cpu / time.Duration(lat.ok)
				s.rps = time.Duration(float64(lat.ok) / duration.Seconds())
			}
			st := streams(p.url, p.header, p.api, 1, *duration)
			s.ttfe = st.ttfe.quantile(0.5)
			st50 := streams(p.url, p.header, p.api, 50, *duration)
			p.sent += int64(st.n + st.failed + st50.n + st50.failed)
			s.streams, s.truncated = st.n+st50.n, st.truncated+st50.truncated
			logf("  p50 c=1 %.3f ms, CPU/request %.0f µs, first event %.3f ms", float64(s.p50c1)/1e6, float64(s.cpuPerReq)/1e3, float64(s.ttfe)/1e6)
			if lat.failed > 0 || st.failed+st50.failed > 0 {
				logf("  %s: %d requests and %d streams failed", p.name, lat.failed, st.failed+st50.failed)
			}
			results[p.name] = append(results[p.name], s)
		}
	}

	med := func(name string, f func(s sample) time.Duration) time.Duration {
		var v []time.Duration
		for _, s := range results[name] {
			v = append(v, f(s))
		}
		slices.Sort(v)
		return v[len(v)/2]
	}
	// added: the path's figure minus the direct call's in the same round.
	added := func(name string, f func(s sample) time.Duration) time.Duration {
		var v []time.Duration
		for i, s := range results[name] {
			v = append(v, f(s)-f(results["direct"][i]))
		}
		slices.Sort(v)
		return v[len(v)/2]
	}
	ms := func(d time.Duration) string { return fmt.Sprintf("%.3f", float64(d)/float64(time.Millisecond)) }
	us := func(d time.Duration) string { return fmt.Sprintf("%.0f", float64(d)/float64(time.Microsecond)) }

	var b strings.Builder
	fmt.Fprintf(&b, "benchserve: %d rounds of %s per measurement, %s, %d CPUs, servers pinned to CPU 1 and the client to CPU 0: %v\n",
		*rounds, *duration, runtime.Version(), runtime.NumCPU(), pinned)
	fmt.Fprintf(&b, "mock upstream: OpenAI chat completions, %d-byte JSON answer or %d SSE events + [DONE]\n\n", len(answer), events)
	fmt.Fprintln(&b, "| path | added p50 c=1 (ms) | added p99 c=1 | added p50 c=50 | added p99 c=50 | proxy CPU/request (µs) | requests/s c=50 | added time to first event (ms) | streams (truncated) | peak RSS (MiB) |")
	fmt.Fprintln(&b, "|---|---|---|---|---|---|---|---|---|---|")
	cpu := map[string]time.Duration{}
	for _, p := range paths {
		cpu[p.name] = med(p.name, func(s sample) time.Duration { return s.cpuPerReq })
		n, trunc := 0, 0
		for _, s := range results[p.name] {
			n, trunc = n+s.streams, trunc+s.truncated
		}
		row := []string{p.name,
			ms(added(p.name, func(s sample) time.Duration { return s.p50c1 })), ms(added(p.name, func(s sample) time.Duration { return s.p99c1 })),
			ms(added(p.name, func(s sample) time.Duration { return s.p50c50 })), ms(added(p.name, func(s sample) time.Duration { return s.p99c50 })),
			us(cpu[p.name]), strconv.Itoa(int(med(p.name, func(s sample) time.Duration { return s.rps }))),
			ms(added(p.name, func(s sample) time.Duration { return s.ttfe })), fmt.Sprintf("%d (%d)", n, trunc), fmt.Sprintf("%.0f", peakRSS(p.proc.Process.Pid))}
		if p.name == "direct" {
			row[1], row[2], row[3], row[4], row[7] = "0 ("+ms(med(p.name, func(s sample) time.Duration { return s.p50c1 }))+" absolute)", "0", "0", "0",
				"0 ("+ms(med(p.name, func(s sample) time.Duration { return s.ttfe }))+" absolute)"
			row[5] += " (the mock's own)"
		}
		fmt.Fprintf(&b, "| %s |\n", strings.Join(row, " | "))
	}
	// Ratios per round (both paths measured minutes apart at most), then
	// their median: the machine's drift between rounds cancels out.
	ratio := func(a, b string) float64 {
		var v []float64
		for i := range results[a] {
			v = append(v, float64(results[a][i].cpuPerReq)/float64(results[b][i].cpuPerReq))
		}
		slices.Sort(v)
		return v[len(v)/2]
	}
	fmt.Fprintf(&b, "\nkubelb-ai serve CPU/request vs the bare reverse proxy: %.2fx (median of the rounds' ratios; goal <= 1.2)\n", ratio("kubelb-ai serve", "httputil.ReverseProxy"))
	fmt.Fprintf(&b, "kubelb-ai serve CPU/request, translated to Anthropic vs passthrough: %.2fx (goal <= 1.3)\n", ratio("kubelb-ai serve, translated to Anthropic", "kubelb-ai serve"))
	fmt.Fprintf(&b, "kubelb-ai serve CPU/request, Responses translated to Anthropic vs passthrough: %.2fx (goal <= 1.3)\n", ratio("kubelb-ai serve, Responses translated to Anthropic", "kubelb-ai serve"))
	fmt.Fprintf(&b, "kubelb-ai serve CPU/request, with an API-key check vs without: %.3fx (goal <= 1.05)\n", ratio("kubelb-ai serve, api key", "kubelb-ai serve"))
	if _, ok := results["kubelb-ai serve, global limit in Redis"]; ok {
		diff := func(a, b string) time.Duration {
			var v []time.Duration
			for i := range results[a] {
				v = append(v, results[a][i].p50c1-results[b][i].p50c1)
			}
			slices.Sort(v)
			return v[len(v)/2]
		}
		fmt.Fprintf(&b, "kubelb-ai serve p50 c=1, a global limit in Redis vs a local one: +%s ms (goal <= 0.2)\n", ms(diff("kubelb-ai serve, global limit in Redis", "kubelb-ai serve, local limit")))
	}
	// Tracing: CPU per request with every request traced vs none, and the
	// spans the receiver got (after the SDK's 5 s batch delay), to show
	// the traced serve exported them rather than dropped them.
	fmt.Fprintf(&b, "kubelb-ai serve CPU/request, tracing on (sampler always_on, OTLP/HTTP to a local receiver) vs off: %.3fx (goal <= 1.10)\n", ratio(tracingOn, "kubelb-ai serve"))
	if _, ok := results[baselineRow]; ok {
		fmt.Fprintf(&b, "kubelb-ai serve CPU/request, tracing off vs the -baseline build: %.3fx (goal: nothing measurable)\n", ratio("kubelb-ai serve", baselineRow))
	}
	time.Sleep(6 * time.Second)
	if resp, err := http.Get("http://" + otlpAddr + "/count"); err == nil {
		var exports, spans int64
		_, _ = fmt.Fscan(resp.Body, &exports, &spans)
		resp.Body.Close()
		fmt.Fprintf(&b, "spans received from the traced serve: %d in %d exports, %.2f per request sent to it (%d)\n", spans, exports, float64(spans)/float64(traced.sent), traced.sent)
	}
	for _, p := range paths {
		if strings.HasPrefix(p.name, "Portkey") {
			ours := "kubelb-ai serve"
			if strings.HasSuffix(p.name, "Anthropic") {
				ours = "kubelb-ai serve, translated to Anthropic"
			}
			fmt.Fprintf(&b, "requests per CPU-second, %s vs %s: %.1fx (goal >= 8)\n", ours, p.name, ratio(p.name, ours))
		}
	}
	fmt.Print(b.String())
	if *out != "" {
		check(os.WriteFile(*out, []byte(b.String()), 0o644))
	}
}

// latencies collects request times.
type latencies struct {
	mu         sync.Mutex
	d          []time.Duration
	ok, failed int
}

func (l *latencies) add(d time.Duration, ok bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if !ok {
		l.failed++
		return
	}
	l.ok++
	l.d = append(l.d, d)
}

func (l *latencies) quantile(q float64) time.Duration {
	if len(l.d) == 0 {
		return 0
	}
	slices.Sort(l.d)
	return l.d[min(len(l.d)-1, int(q*float64(len(l.d))))]
}

var client = &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 256, MaxConnsPerHost: 256, DisableCompression: true}}

func once(url string, h http.Header, body []byte) (int, error) {
	req, _ := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
	req.Header = h.Clone()
	resp, err := client.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	_, err = io.Copy(io.Discard, resp.Body)
	return resp.StatusCode, err
}

// load sends plain requests from c clients for d.
func load(url string, h http.Header, body []byte, c int, d time.Duration) *latencies {
	l := &latencies{}
	end := time.Now().Add(d)
	var wg sync.WaitGroup
	for range c {
		wg.Go(func() {
			for time.Now().Before(end) {
				t := time.Now()
				code, err := once(url, h, body)
				l.add(time.Since(t), err == nil && code == 200)
			}
		})
	}
	wg.Wait()
	return l
}

type streamResult struct {
	ttfe                 latencies
	n, truncated, failed int
}

// streams opens streamed requests from c clients for d: the time to the
// first event, and whether each stream arrived whole (every event, then
// [DONE]).
// api is what a path's client sends and how its stream shows a text
// piece and its end.
type api struct {
	plain, stream []byte
	piece, done   string
}

var (
	chatAPI      = &api{plain: plainBody, stream: streamBody, piece: `"content":"w`, done: "[DONE]"}
	responsesAPI = &api{plain: responsesBody, stream: responsesStreamBody, piece: `"delta":"w`, done: `"type":"response.completed"`}
)

func streams(url string, h http.Header, a *api, c int, d time.Duration) *streamResult {
	r := &streamResult{}
	var n, truncated, failed atomic.Int64
	end := time.Now().Add(d)
	var wg sync.WaitGroup
	for range c {
		wg.Go(func() {
			for time.Now().Before(end) {
				t := time.Now()
				req, _ := http.NewRequest(http.MethodPost, url, bytes.NewReader(a.stream))
				req.Header = h.Clone()
				req.Header.Set("Accept", "text/event-stream")
				resp, err := client.Do(req)
				if err != nil || resp.StatusCode != 200 {
					failed.Add(1)
					if err == nil {
						resp.Body.Close()
					}
					continue
				}
				got, done := 0, false
				sc := bufio.NewScanner(resp.Body)
				for sc.Scan() {
					line := sc.Text()
					if !strings.HasPrefix(line, "data:") {
						continue
					}
					if strings.Contains(line, a.done) {
						done = true
						break
					}
					if !strings.Contains(line, a.piece) {
						continue // a role, finish or usage chunk
					}
					if got == 0 {
						r.ttfe.add(time.Since(t), true)
					}
					got++
				}
				resp.Body.Close()
				n.Add(1)
				if !done || got != events {
					truncated.Add(1)
				}
			}
		})
	}
	wg.Wait()
	r.n, r.truncated, r.failed = int(n.Load()), int(truncated.Load()), int(failed.Load())
	return r
}

// answer is the mock's plain reply, the size of a short real one.
var answer = []byte(`{"id":"chatcmpl-bench","object":"chat.completion","created":1764000000,"model":"gpt-4o-mini-2024-07-18","choices":[{"index":0,"message":{"role":"assistant","content":"Hello there, how are you?","refusal":null},"logprobs":null,"finish_reason":"stop"}],"usage":{"prompt_tokens":14,"completion_tokens":7,"total_tokens":21}}`)

// anthropicAnswer is the same reply in Anthropic's Messages shape.
var anthropicAnswer = []byte(`{"id":"msg_bench","type":"message","role":"assistant","model":"claude-3-5-haiku-20241022","content":[{"type":"text","text":"Hello there, how are you?"}],"stop_reason":"end_turn","stop_sequence":null,"usage":{"input_tokens":14,"output_tokens":7}}`)

// mock is the upstream: OpenAI's chat completions and Anthropic's
// messages, plain or streamed, for the one key it accepts.
func mock(addr string) {
	chunk := func(i int) []byte {
		return fmt.Appendf(nil, `data: {"id":"chatcmpl-bench","object":"chat.completion.chunk","created":1764000000,"model":"gpt-4o-mini-2024-07-18","choices":[{"index":0,"delta":{"content":"w%d "},"finish_reason":null}]}`+"\n\n", i)
	}
	var chunks [][]byte
	for i := range events {
		chunks = append(chunks, chunk(i))
	}
	// Anthropic's stream: message_start, a text block of the same pieces,
	// message_delta, message_stop.
	antEvents := [][]byte{[]byte(`event: message_start` + "\n" + `data: {"type":"message_start","message":{"id":"msg_bench","type":"message","role":"assistant","model":"claude-3-5-haiku-20241022","content":[],"stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":14,"output_tokens":1}}}` + "\n\n"),
		[]byte(`event: content_block_start` + "\n" + `data: {"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}` + "\n\n")}
	for i := range events {
		antEvents = append(antEvents, fmt.Appendf(nil, `event: content_block_delta`+"\n"+`data: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"w%d "}}`+"\n\n", i))
	}
	antEvents = append(antEvents, []byte(`event: content_block_stop`+"\n"+`data: {"type":"content_block_stop","index":0}`+"\n\n"),
		[]byte(`event: message_delta`+"\n"+`data: {"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},"usage":{"output_tokens":46}}`+"\n\n"),
		[]byte(`event: message_stop`+"\n"+`data: {"type":"message_stop"}`+"\n\n"))
	chunks = append(chunks, []byte("data: [DONE]\n\n"))
	// Each API: how it takes the key, its refusal, its answer, its stream.
	type api struct {
		authorized      func(*http.Request) bool
		refusal, answer []byte
		events          [][]byte
	}
	openAI := api{func(r *http.Request) bool { return r.Header.Get("Authorization") == "Bearer "+key },
		[]byte(`{"error":{"message":"Incorrect API key provided","type":"invalid_request_error","param":null,"code":"invalid_api_key"}}`), answer, chunks}
	anthropic := api{func(r *http.Request) bool { return r.Header.Get("x-api-key") == key },
		[]byte(`{"type":"error","error":{"type":"authentication_error","message":"invalid x-api-key"}}`), anthropicAnswer, antEvents}
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		a := openAI
		if strings.HasSuffix(r.URL.Path, "/messages") {
			a = anthropic
		}
		if !a.authorized(r) {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusUnauthorized)
			w.Write(a.refusal)
			return
		}
		if !bytes.Contains(body, []byte(`"stream":true`)) {
			w.Header().Set("Content-Type", "application/json")
			w.Write(a.answer)
			return
		}
		w.Header().Set("Content-Type", "text/event-stream")
		w.Header().Set("Cache-Control", "no-cache")
		rc := http.NewResponseController(w)
		for _, e := range a.events {
			w.Write(e)
			rc.Flush()
		}
	})
	check(http.ListenAndServe(addr, h))
}

// rproxy is the floor: Go's reverse proxy with the key injected and the
// body read first (streaming it through truncates SSE answers, DESIGN §4).
func rproxy(addr, upstream string) {
	up, err := url.Parse(upstream)
	check(err)
	rp := &httputil.ReverseProxy{
		Rewrite: func(pr *httputil.ProxyRequest) {
			pr.SetURL(up)
			pr.Out.Header.Set("Authorization", "Bearer "+key)
		},
		FlushInterval: -1,
		Transport:     &http.Transport{MaxIdleConnsPerHost: 1024, DisableCompression: true},
	}
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		r.Body, r.ContentLength = io.NopCloser(bytes.NewReader(body)), int64(len(body))
		rp.ServeHTTP(w, r)
	})
	check(http.ListenAndServe(addr, h))
}

// Rows of serve with tracing on, and of the -baseline build.
const (
	tracingOn   = "kubelb-ai serve, tracing on"
	baselineRow = "kubelb-ai serve, -baseline build"
)

// otlpReceiver is a collector's OTLP/HTTP trace endpoint reduced to what
// the bench needs: POST /v1/traces is decoded (so a malformed export would
// show) and its spans counted, and answered 200 with an empty
// ExportTraceServiceResponse; GET /count says "exports spans".
func otlpReceiver(addr string) {
	var exports, spans atomic.Int64
	mux := http.NewServeMux()
	mux.HandleFunc("POST /v1/traces", func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		var req collectortrace.ExportTraceServiceRequest
		if err == nil {
			err = proto.Unmarshal(body, &req)
		}
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		n := 0
		for _, rs := range req.ResourceSpans {
			for _, ss := range rs.ScopeSpans {
				n += len(ss.Spans)
			}
		}
		exports.Add(1)
		spans.Add(int64(n))
		w.Header().Set("Content-Type", "application/x-protobuf")
		w.WriteHeader(http.StatusOK)
	})
	mux.HandleFunc("GET /count", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "%d %d\n", exports.Load(), spans.Load())
	})
	check(http.ListenAndServe(addr, mux))
}

// cpuTime is the user+system time of process pid so far.
func cpuTime(pid int) time.Duration {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	check(err)
	// Fields after the command name, which is in parentheses.
	f := strings.Fields(string(b[bytes.LastIndexByte(b, ')')+2:]))
	utime, _ := strconv.ParseInt(f[11], 10, 64)
	stime, _ := strconv.ParseInt(f[12], 10, 64)
	const ticks = 100 // USER_HZ on Linux
	return time.Duration(utime+stime) * time.Second / ticks
}

// peakRSS is process pid's high-water resident set, in MiB.
func peakRSS(pid int) float64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	check(err)
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, _ := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 64)
			return kb / 1024
		}
	}
	return 0
}

func portkeyVersion(dir string) string {
	b, err := os.ReadFile(filepath.Join(dir, "node_modules/@portkey-ai/gateway/package.json"))
	if err != nil {
		return "?"
	}
	if i := bytes.Index(b, []byte(`"version": "`)); i >= 0 {
		v := b[i+len(`"version": "`):]
		return string(v[:bytes.IndexByte(v, '"')])
	}
	return "?"
}

func freeAddr() string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	check(err)
	defer l.Close()
	return l.Addr().String()
}

func waitListening(addr string) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	for {
		c, err := (&net.Dialer{}).DialContext(ctx, "tcp", addr)
		if err == nil {
			c.Close()
			return
		}
		if errors.Is(ctx.Err(), context.DeadlineExceeded) {
			fatalf("nothing listens on %s after 60s", addr)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// running are the servers started, stopped on every way out.
var running []*exec.Cmd

func stopAll() {
	for _, p := range running {
		_ = p.Process.Kill()
		_ = p.Wait()
	}
	running = nil
}

func logf(format string, args ...any) { fmt.Fprintf(os.Stderr, format+"\n", args...) }

func fatalf(format string, args ...any) {
	logf(format, args...)
	stopAll()
	os.Exit(1)
}

func check(err error) {
	if err != nil {
		fatalf("%v", err)
	}
}
