package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"os"
	"os/signal"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/kubelb-ai/kubelb-ai/proxy"
	"github.com/kubelb-ai/kubelb-ai/proxy/mcp"
	"github.com/kubelb-ai/kubelb-ai/serveconfig"
)

type serveOptions struct {
	clusterOptions
	listen    []string
	upstreams []string
	admin     string
	drain     time.Duration
	logFormat string
	connect   time.Duration
	upstream  time.Duration
	maxBody   int64
	logBodies bool
	// metricsCompat also exports a data plane's metric names.
	metricsCompat string
	// traceContent records prompts and answers on the traces' spans.
	traceContent bool
	translate    bool
	// Guard webhooks: how long they may take, and what happens when they
	// cannot answer.
	webhookTimeout time.Duration
	webhookFailure string
	// streamIdle ends an answer whose provider goes silent.
	streamIdle time.Duration
	// Client-side limits: headers, body, idle kept-alive connections.
	headerTimeout, bodyTimeout, idleTimeout time.Duration
	// Who may call: Host names besides loopback's and the manifests', and
	// web origins (CORS).
	allowHosts, allowOrigins []string
	// Global limits: counters shared through Redis, and how long a
	// decision may take.
	rateLimitRedis   string
	rateLimitTimeout time.Duration
	// mcpSessionKey seals MCP session ids: hex, or env:VAR.
	mcpSessionKey string
	mcpTimeout    time.Duration
	streams       IOStreams
}

func newServeCmd(streams IOStreams) *cobra.Command {
	o := &serveOptions{streams: streams}
	cmd := &cobra.Command{
		Use:   "serve -f PATH",
		Short: "Run the manifests' routes locally as an LLM gateway on 127.0.0.1",
		Long: `serve runs the gateway the manifests describe on this machine: each Gateway
listener on 127.0.0.1:<its port>, the HTTPRoutes' matching and filters, and
every AI backend's providers with their hosts, paths and keys (from the
environment, as apply fills the Secrets), failing over between them in
order. Streams are relayed event by event.

An admin address serves /healthz, /readyz, /metrics (Prometheus) and
/config (no keys). Each request is logged on standard error (route,
backend, provider, status, durations, failovers), never keys or bodies.
Traces go over OTLP to the collector OTEL_EXPORTER_OTLP_ENDPOINT names,
else to the manifests' tracing collector (its Service mapped by
--upstream NAME=URL).

Loopback is no trust boundary: on a loopback address serve answers only
Host names of loopback, the manifests and --allow-host, and refuses web
pages (an Origin header) that neither the routes' CORS policies nor
--allow-origin allow, so that no web page can spend the keys.`,
		Example: `  OPENAI_API_KEY=sk-... kubelb-ai serve -f manifests/
  kubelb-ai serve --from kubelb-ai.yaml --listen http=127.0.0.1:9000 --upstream openai=http://127.0.0.1:4010`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			return runServe(ctx, o)
		},
	}
	f := cmd.Flags()
	f.StringArrayVarP(&o.files, "filename", "f", nil, "manifests: a file, a directory (recursive) or - for standard input, repeatable, e.g. -f manifests/")
	f.StringVar(&o.from, "from", "", "serve this Spec instead of manifests, e.g. --from kubelb-ai.yaml")
	f.StringVar(&o.target, "target", "", "target the manifests are for (default: detected from them)")
	f.StringArrayVar(&o.listen, "listen", nil, "serve a listener elsewhere, LISTENER=ADDR, e.g. --listen http=127.0.0.1:9000")
	f.StringArrayVar(&o.upstreams, "upstream", nil, "send a provider's (or a Service's) requests to URL, P=URL, e.g. --upstream openai=http://127.0.0.1:4010")
	f.StringVar(&o.admin, "admin", "127.0.0.1:9901", "address of /healthz, /readyz, /metrics (Prometheus) and /config")
	f.DurationVar(&o.drain, "drain", 30*time.Second, "how long in-flight requests may finish after SIGINT/SIGTERM")
	f.StringVar(&o.logFormat, "log-format", "text", "access log on standard error: text or json (never keys; request bodies only with --log-bodies)")
	f.DurationVar(&o.connect, "connect-timeout", 10*time.Second, "how long connecting to a provider may take before failing over")
	f.DurationVar(&o.upstream, "upstream-timeout", 5*time.Minute, "how long a provider may take to start answering before failing over")
	f.Int64Var(&o.maxBody, "max-body", 32<<20, "largest request body in bytes; larger ones get 413")
	f.DurationVar(&o.headerTimeout, "header-timeout", 10*time.Second, "how long a client may take to send a request's headers")
	f.DurationVar(&o.bodyTimeout, "body-timeout", time.Minute, "how long a client may take to send a request's body; slower ones get 408")
	f.DurationVar(&o.idleTimeout, "idle-timeout", 2*time.Minute, "how long a kept-alive client connection may wait for its next request")
	f.DurationVar(&o.streamIdle, "stream-idle-timeout", time.Minute, "how long a provider may send nothing in the middle of an answer before serve gives it up and ends the answer with an error")
	f.StringVar(&o.metricsCompat, "metrics-compat", "", "also export a data plane's own metric names on /metrics, so that its dashboards and recording rules work unchanged: agentgateway")
	f.BoolVar(&o.logBodies, "log-bodies", false, "add each request's body (the prompt) to the access log; never the keys")
	f.BoolVar(&o.traceContent, "trace-content", false, "add each request's prompt and answer (gen_ai.input.messages, gen_ai.system_instructions, gen_ai.output.messages) to its provider span when serve exports traces (OTEL_EXPORTER_OTLP_ENDPOINT, or the manifests' tracing); never the keys")
	f.DurationVar(&o.webhookTimeout, "guard-webhook-timeout", 5*time.Second, "how long a prompt guard webhook may take to answer")
	f.StringVar(&o.webhookFailure, "guard-webhook-failure", "closed", "when a guard webhook cannot answer: closed (the request fails with 500, as kgateway) or open (it goes on unchecked)")
	f.StringArrayVar(&o.allowHosts, "allow-host", nil, "also answer requests for this Host on loopback listeners and the admin address (besides localhost, 127.0.0.1, [::1] and the manifests' hostnames), repeatable, e.g. --allow-host my-laptop.local; '*' turns the check off")
	f.StringArrayVar(&o.allowOrigins, "allow-origin", nil, "let web pages from this origin call every route (CORS), repeatable, e.g. --allow-origin http://localhost:3000; 'null' for file: pages, '*' for any page")
	f.StringVar(&o.rateLimitRedis, "rate-limit-redis", "", "count global limits in this Redis (host:port or redis://URL), shared with other serve processes and a rate-limit service on it; default: in this process. Unused when --upstream maps the manifests' rate-limit service")
	f.DurationVar(&o.rateLimitTimeout, "rate-limit-timeout", time.Second, "how long a global limit's decision may take before the rate-limit service's failure mode applies")
	f.StringVar(&o.mcpSessionKey, "mcp-session-key", "", "seal MCP gateways' session ids with this key (64 hex digits, or env:VAR to read them from a variable), so serve processes with the same key resume each other's sessions; default: a random key per process")
	f.DurationVar(&o.mcpTimeout, "mcp-timeout", 30*time.Second, "how long an MCP server may take to answer a list or initialize, or to take a call, before it counts as failed (its gateway's failure mode then applies)")
	f.BoolVar(&o.translate, "translate", false, "on kgateway targets too, translate OpenAI-format requests for Anthropic, Gemini, Vertex AI and Bedrock providers (agentgateway always does)")
	cmd.MarkFlagsOneRequired("filename", "from")
	cmd.MarkFlagsMutuallyExclusive("filename", "from")
	return cmd
}

func runServe(ctx context.Context, o *serveOptions) error {
	streams := o.streams
	listen, err := keyValues("--listen", o.listen)
	if err != nil {
		return err
	}
	rawUps, err := keyValues("--upstream", o.upstreams)
	if err != nil {
		return err
	}
	ups := map[string]*url.URL{}
	for name, raw := range rawUps {
		u, err := url.Parse(raw)
		if err != nil || u.Scheme == "" || u.Host == "" {
			return usageError("--upstream %s=%s: want a URL such as http://127.0.0.1:4010", name, raw)
		}
		ups[name] = u
	}
	// The access log goes out in batches, every 100ms.
	logOut := proxy.NewBatchedWriter(streams.ErrOut, 100*time.Millisecond)
	defer logOut.Close()
	var handler slog.Handler
	switch o.logFormat {
	case "text":
		handler = slog.NewTextHandler(logOut, nil)
	case "json":
		handler = slog.NewJSONHandler(logOut, nil)
	default:
		return usageError("--log-format %s: use text or json", o.logFormat)
	}
	logger := slog.New(handler)
	if o.webhookFailure != "closed" && o.webhookFailure != "open" {
		return usageError("--guard-webhook-failure %s: use closed or open", o.webhookFailure)
	}
	if o.metricsCompat != "" && !slices.Contains(proxy.MetricsCompats, o.metricsCompat) {
		return usageError("--metrics-compat %s: use %s", o.metricsCompat, strings.Join(proxy.MetricsCompats, " or "))
	}
	sessionKey, err := mcpSessionKey(o.mcpSessionKey, os.LookupEnv)
	if err != nil {
		return err
	}
	popts := proxy.Options{MCPSessionKey: sessionKey, MCPTimeout: o.mcpTimeout, Version: buildVersion().Version, Target: o.target, Listen: listen, Upstreams: ups, Lookup: os.LookupEnv, Metrics: proxy.NewMetrics(), Log: logger,
		Client: proxy.NewClient(o.connect, o.upstream), MaxBody: o.maxBody, BodyTimeout: o.bodyTimeout, LogBodies: o.logBodies, Translate: o.translate, MetricsCompat: o.metricsCompat,
		WebhookTimeout: o.webhookTimeout, WebhookFailOpen: o.webhookFailure == "open", StreamIdleTimeout: o.streamIdle,
		AllowHosts: o.allowHosts, AllowOrigins: o.allowOrigins, Quotas: &proxy.Quotas{RedisURL: o.rateLimitRedis}, RateLimitTimeout: o.rateLimitTimeout}
	defer popts.Quotas.Close()
	// Each configuration exports traces to the OTEL_EXPORTER_OTLP_*
	// variables' collector, else the manifests' (proxy.Build).
	popts.TraceContent = o.traceContent
	cfg, err := o.load(ctx, popts, streams, logger)
	if err == nil {
		err = cfg.CheckNames(popts)
	}
	if err != nil {
		return inputError(err)
	}
	reload := make(chan *proxy.Config)
	// Reloads read no standard input, and print nothing but the log.
	quiet := IOStreams{Out: io.Discard, ErrOut: io.Discard}
	watched := slices.Clone(o.files)
	if o.from != "" {
		watched = append(watched, o.from)
	}
	go proxy.Watch(ctx, watched, func(ctx context.Context) (*proxy.Config, error) { return o.load(ctx, popts, quiet, logger) }, reload, logger)
	onReload := func(err error) {
		if err != nil {
			logger.Error("reload refused; the running configuration stays", "error", err.Error())
			return
		}
		logger.Info("reloaded")
	}
	for name, addr := range listen {
		if !proxy.Loopback(addr) {
			logger.Warn("listener "+name+" is bound to "+addr+": reachable beyond this machine, where anyone who reaches it spends the keys serve injects; bind 127.0.0.1 unless that is what you want", "listener", name, "address", addr)
		}
	}
	ready := func(addrs map[string]string) {
		names := make([]string, 0, len(addrs))
		for n := range addrs {
			names = append(names, n)
		}
		slices.Sort(names)
		for _, n := range names {
			what := "listener " + n
			if n == "admin" {
				what = "admin (/healthz /readyz /metrics /config)"
			}
			fmt.Fprintf(streams.Out, "serving %s on http://%s\n", what, addrs[n])
		}
		fmt.Fprintln(streams.Out, strings.Repeat("-", 3), "Ctrl-C stops, letting requests in flight finish; SIGHUP or a changed file reloads")
	}
	return proxy.Serve(ctx, cfg, proxy.ServeOptions{Admin: o.admin, Drain: o.drain, HeaderTimeout: o.headerTimeout, IdleTimeout: o.idleTimeout,
		Ready: ready, Reload: reload, OnReload: onReload})
}

// load reads the manifests and compiles them for serving: the one verdict
// serve gives at start and at every reload.
func (o *serveOptions) load(ctx context.Context, popts proxy.Options, streams IOStreams, logger *slog.Logger) (*proxy.Config, error) {
	m, err := o.manifests(streams)
	if err != nil {
		return nil, err
	}
	return serveconfig.Load(ctx, m, popts, logger)
}

// mcpSessionKey reads --mcp-session-key: 64 hex digits, or env:VAR naming
// a variable that holds them (a key in a flag is in the process list). No
// key: a random one, the same across reloads.
func mcpSessionKey(flag string, lookup func(string) (string, bool)) ([]byte, error) {
	raw := flag
	if name, ok := strings.CutPrefix(flag, "env:"); ok {
		v, ok := lookup(name)
		if !ok {
			return nil, usageError("--mcp-session-key env:%s: the variable is not set", name)
		}
		raw = v
	}
	if raw == "" {
		key := make([]byte, mcp.SessionKeySize)
		_, _ = rand.Read(key)
		return key, nil
	}
	key, err := hex.DecodeString(strings.TrimSpace(raw))
	if err != nil || len(key) != mcp.SessionKeySize {
		return nil, usageError("--mcp-session-key: want %d hex digits (e.g. from: openssl rand -hex 32)", 2*mcp.SessionKeySize)
	}
	return key, nil
}
