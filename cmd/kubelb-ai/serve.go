package main

import (
	"context"
	"fmt"
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
)

type serveOptions struct {
	clusterOptions
	listen    []string
	upstreams []string
	admin     string
	drain     time.Duration
	logFormat string
}

func newServeCmd(streams IOStreams) *cobra.Command {
	o := &serveOptions{}
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
backend, provider, status, durations, failovers), never keys or bodies.`,
		Example: `  OPENAI_API_KEY=sk-... kubelb-ai serve -f manifests/
  kubelb-ai serve --from kubelb-ai.yaml --listen http=127.0.0.1:9000 --upstream openai=http://127.0.0.1:4010`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx, stop := signal.NotifyContext(contextOf(cmd), os.Interrupt, syscall.SIGTERM)
			defer stop()
			return runServe(ctx, o, streams)
		},
	}
	f := cmd.Flags()
	f.StringArrayVarP(&o.files, "filename", "f", nil, "manifests: a file, a directory (recursive) or - for standard input, repeatable, e.g. -f manifests/")
	f.StringVar(&o.from, "from", "", "serve this Spec instead of manifests, e.g. --from kubelb-ai.yaml")
	f.StringVar(&o.target, "target", "", "target the manifests are for (default: detected from them)")
	f.StringArrayVar(&o.listen, "listen", nil, "serve a listener elsewhere, LISTENER=ADDR, e.g. --listen http=127.0.0.1:9000")
	f.StringArrayVar(&o.upstreams, "upstream", nil, "send a provider's (or a Service's) requests to URL, P=URL, e.g. --upstream openai=http://127.0.0.1:4010")
	f.StringVar(&o.admin, "admin", "127.0.0.1:9901", "address of /healthz, /readyz and /config")
	f.DurationVar(&o.drain, "drain", 30*time.Second, "how long in-flight requests may finish after SIGINT/SIGTERM")
	f.StringVar(&o.logFormat, "log-format", "text", "access log on standard error: text or json (never keys or bodies)")
	cmd.MarkFlagsOneRequired("filename", "from")
	cmd.MarkFlagsMutuallyExclusive("filename", "from")
	return cmd
}

func contextOf(cmd *cobra.Command) context.Context {
	if ctx := cmd.Context(); ctx != nil {
		return ctx
	}
	return context.Background()
}

func runServe(ctx context.Context, o *serveOptions, streams IOStreams) error {
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
	objs, _, _, err := o.manifests(streams)
	if err != nil {
		return err
	}
	var maps []map[string]any
	for _, obj := range objs {
		maps = append(maps, obj.Object)
	}
	var handler slog.Handler
	switch o.logFormat {
	case "text":
		handler = slog.NewTextHandler(streams.ErrOut, nil)
	case "json":
		handler = slog.NewJSONHandler(streams.ErrOut, nil)
	default:
		return usageError("--log-format %s: use text or json", o.logFormat)
	}
	cfg, err := proxy.Build(maps, proxy.Options{Listen: listen, Upstreams: ups, Lookup: os.LookupEnv, Metrics: proxy.NewMetrics(), Log: slog.New(handler)})
	if err != nil {
		return inputError(err)
	}
	return proxy.Serve(ctx, cfg, o.admin, o.drain, func(addrs map[string]string) {
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
		fmt.Fprintln(streams.Out, strings.Repeat("-", 3), "Ctrl-C stops, letting requests in flight finish")
	})
}
