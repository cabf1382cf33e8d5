package proxy

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"
	gwv1 "sigs.k8s.io/gateway-api/apis/v1"

	"github.com/kubelb-ai/kubelb-ai/dataplane"
	"github.com/kubelb-ai/kubelb-ai/proxy/mcp"
	"github.com/kubelb-ai/kubelb-ai/proxy/redact"
	"github.com/kubelb-ai/kubelb-ai/proxy/wire"
	"github.com/kubelb-ai/kubelb-ai/spec"
)

// Options configure a Server.
type Options struct {
	// Listen maps a Gateway listener's name to the address it is served on
	// (default 127.0.0.1:<its port>).
	Listen map[string]string
	// Upstreams maps a provider's name, or a Service's name, to a base URL
	// that replaces its host (--upstream).
	Upstreams map[string]*url.URL
	// Lookup reads API keys (os.LookupEnv).
	Lookup func(string) (string, bool)
	// Client sends to upstreams (default: NewClient(10s, 5m)).
	Client *http.Client
	// Metrics and Log, if set, observe every request.
	Metrics *Metrics
	Log     *slog.Logger
	// MetricsCompat also exports a data plane's own metric names (one of
	// MetricsCompats; --metrics-compat), so that its dashboards and
	// recording rules read serve unchanged.
	MetricsCompat string
	// MaxBody bounds request bodies (default 32 MiB); BodyTimeout bounds
	// the time to read one (none if zero).
	MaxBody     int64
	BodyTimeout time.Duration
	// LogBodies adds each request's body (the prompt) to its log line.
	LogBodies bool
	// Translate translates OpenAI-format requests for providers of other
	// formats on every target; on agentgateway it is always on, as there.
	Translate bool
	// WebhookTimeout bounds a guard webhook's answer (default 5s);
	// WebhookFailOpen lets requests through when it cannot answer
	// (default: 500, as kgateway).
	WebhookTimeout  time.Duration
	WebhookFailOpen bool
	// Target is the target the manifests are read as (--target; default:
	// detected). The caller's import takes it (generate.ImportAs); Build
	// serves the target of the Spec it is given.
	Target string
	// StreamIdleTimeout ends an answer whose provider sends nothing for
	// that long (default 60s).
	StreamIdleTimeout time.Duration
	// Quotas are the engines of global limits, kept across reloads (nil:
	// a fresh in-memory one per Build); RateLimitTimeout bounds one
	// decision (default 1s), after which the failure mode applies.
	Quotas           *Quotas
	RateLimitTimeout time.Duration
	// AllowHosts are Host names loopback listeners and the admin address
	// answer besides loopback's and the manifests' (--allow-host; "*" any,
	// "*.example.com" a wildcard). AllowOrigins are origins whose web pages
	// may call every route (--allow-origin; "*" any, "null" Origin: null).
	// See origin.go.
	AllowHosts, AllowOrigins []string
	// MCPSessionKey seals MCP gateways' session ids (32 bytes; nil: a
	// random key per Build). Processes with one key serve each other's
	// sessions (--mcp-session-key).
	MCPSessionKey []byte
	// MCPTimeout bounds an MCP target's answer to a list, initialize or
	// discover, and the wait for it to take any other message (default
	// 30s; --mcp-timeout).
	MCPTimeout time.Duration
	// Version is serve's version, as MCP gateways name themselves.
	Version string
	// Tracer, if set, traces every request (trace.go): a SERVER span per
	// request, a CLIENT span per provider attempt. Nil: Build exports to
	// the collector the OTEL_EXPORTER_OTLP_* variables name, else to the
	// manifests' (spec.observability.tracing, its Service mapped by
	// Upstreams), through a provider the Config owns (tracing_manifests.go);
	// neither: no tracing, at no cost. TraceContent adds prompts and
	// answers to the attempts' spans (--trace-content, as LogBodies for the
	// log; the manifests' content: true too).
	Tracer       trace.TracerProvider
	TraceContent bool
}

// Listener is one Gateway listener served locally.
type Listener struct {
	Name    string
	Addr    string
	Handler http.Handler
}

// Config is a gateway's manifests compiled for serving.
type Config struct {
	Listeners []Listener
	Metrics   *Metrics
	// Summary is the configuration without secrets, for /config.
	Summary map[string]any
	// Warnings are what in the manifests cannot work locally (no route, a
	// backend that is not among them, a Service without --upstream).
	Warnings []string
	// names are what the manifests define that flags may name, by flag.
	names map[string][]string
	// admin is the admin address's Host and Origin rule.
	admin *edge
	// mcp are the MCP gateways, closed when a reload replaces them.
	mcp map[string]*mcp.Gateway
	// tracer is the TracerProvider Build made for the manifests' or the
	// environment's collector (nil: none, or Options.Tracer's).
	tracer *sdktrace.TracerProvider
}

// Close ends what the configuration holds open beyond its requests: MCP
// gateways' connections to SSE targets and their HTTP+SSE clients, and its
// trace exporter (what it still buffers is sent first, for up to 5s).
func (c *Config) Close() {
	for _, g := range c.mcp {
		g.Close()
	}
	shutdownTracer(c.tracer)
}

// Build compiles a gateway's manifests (any target, read by
// generate.Import) into handlers per listener.
func Build(m Manifests, opts Options) (*Config, error) {
	g := m.Spec
	if g == nil {
		return nil, errors.New("no Spec to serve")
	}
	tp, err := dataplane.Lookup(g.Spec.Target)
	if err != nil {
		return nil, err
	}
	facts := tp.Facts()
	client := opts.Client
	if client == nil {
		client = NewClient(10*time.Second, 5*time.Minute)
	}
	providers := map[string]spec.Provider{}
	for _, p := range g.Spec.Providers {
		providers[p.Name] = p
	}
	// The failover chain of every AI backend object, by name. Where the
	// data plane translates, clients speak OpenAI's format (its route
	// types may say otherwise, path by path); elsewhere each backend's
	// own provider format.
	translating := opts.Translate || facts.Translates
	chains := map[string]*Chain{}
	var secrets, literals []string
	for i := range g.Spec.Routes {
		r := &g.Spec.Routes[i]
		for _, b := range r.Backends {
			ch := &Chain{Client: client, metrics: opts.Metrics, MaxBody: opts.MaxBody, BodyTimeout: opts.BodyTimeout,
				Translate: translating, StreamIdleTimeout: opts.StreamIdleTimeout}
			if translating {
				ch.Format = wire.OpenAI
			}
			if facts.Features.RouteTypes {
				ch.RouteTypes = m.routeTypes(r, b)
			}
			for _, name := range b.Providers {
				lookup, literal := credentialsOf(m, providers[name], opts.Lookup)
				if literal != "" {
					literals = append(literals, literal)
				}
				up, err := NewUpstream(providers[name], lookup, opts.Upstreams[name])
				if err != nil {
					return nil, err
				}
				ch.Upstreams = append(ch.Upstreams, up)
				secrets = append(secrets, up.secrets()...)
			}
			chains[b.Name] = ch
		}
	}
	// Every chain redacts every key serve injects: an answer from one
	// provider must not carry another's either.
	keys := redact.New(secrets...)
	for _, ch := range chains {
		ch.keys = keys
	}
	gateway, routes := m.Gateway, m.Routes
	if gateway == nil {
		return nil, errors.New("the manifests have no Gateway: nothing to listen on")
	}
	edges, err := newEdges(m.CORS, opts)
	if err != nil {
		return nil, err
	}
	if err := opts.Metrics.SetCompat(opts.MetricsCompat); err != nil {
		return nil, err
	}
	cfg := &Config{names: definedNames(g, gateway, routes), Metrics: opts.Metrics, admin: edges.admin(gateway, routes), Summary: map[string]any{"gateway": gateway.Namespace + "/" + gateway.Name, "target": g.Spec.Target,
		"translate": translating}}
	// One limiter and one policy per route, shared by the listeners the
	// route attaches to.
	limits := map[string]*routeLimit{}
	policies := map[string]*policy{}
	for _, sr := range g.Spec.Routes {
		if p := sr.Policies; p != nil && p.RateLimit != nil && !p.RateLimit.Global() {
			limits[sr.Name] = &routeLimit{NewLimiter(g.Spec.Target, *p.RateLimit), int(p.RateLimit.Requests + p.RateLimit.Burst)}
		}
		pol, err := newPolicy(sr.Policies)
		if err != nil {
			return nil, fmt.Errorf("route %s: %w", sr.Name, err)
		}
		if pol != nil {
			policies[sr.Name] = pol
		}
	}
	for name, hooks := range guardWebhooks(g, opts.Upstreams) {
		pol := policies[name]
		if pol == nil {
			pol = &policy{}
			policies[name] = pol
		}
		timeout := opts.WebhookTimeout
		if timeout <= 0 {
			timeout = 5 * time.Second // kgateway's extension gives a message 5s
		}
		pol.hooks = &webhookGuard{request: hooks[0], response: hooks[1], client: client, timeout: timeout, failOpen: opts.WebhookFailOpen}
	}
	global, err := globalLimits(m, opts, policies, cfg.Summary)
	if err != nil {
		return nil, err
	}
	clients, keyWarnings, err := clientGate(&g.Spec, m.ClientKeys, opts)
	if err != nil {
		return nil, err
	}
	mcps, mcpWarnings, err := mcpGateways(g, opts, client)
	if err != nil {
		return nil, err
	}
	cfg.mcp = mcps
	for _, pol := range policies {
		pol.metrics = opts.Metrics
		pol.compile()
	}
	// Traces go where opts.Tracer says, else to the OTEL_* variables' or
	// the manifests' collector, through a provider this Config owns.
	provider, content := opts.Tracer, opts.TraceContent
	export := tracingOf(&g.Spec, opts.Upstreams, opts.Version)
	content = content || export.content
	var traceWarning string
	if provider == nil {
		own, err := newTracerFor(export)
		if err != nil {
			cfg.Close()
			return nil, err
		}
		if own != nil {
			cfg.tracer, provider = own, own
			cfg.Summary["tracing"] = export.summary(own, content)
		}
		traceWarning = export.warning
	}
	tracer := newTracing(provider, content)
	var listenerSummary []any
	for _, l := range gateway.Spec.Listeners {
		var attached []*gwv1.HTTPRoute
		for _, r := range routes {
			if attaches(r, gateway, l) {
				attached = append(attached, r)
			}
		}
		router, err := NewRouter(attached)
		if err != nil {
			cfg.Close()
			return nil, err
		}
		addr := opts.Listen[string(l.Name)]
		if addr == "" {
			addr = net.JoinHostPort("127.0.0.1", fmt.Sprint(l.Port))
		}
		rh := &routeHandler{gateway: gateway.Namespace + "/" + gateway.Name, listener: string(l.Name), router: router, chains: chains, mcp: mcps, services: opts.Upstreams, client: client, clients: clients, limits: limits, global: global, policies: policies, metrics: opts.Metrics,
			maxBody: opts.MaxBody, bodyTimeout: opts.BodyTimeout, idleTimeout: opts.StreamIdleTimeout, keys: keys, edge: edges.listener(gateway, l, addr, attached), tracing: tracer}
		cfg.Listeners = append(cfg.Listeners, Listener{Name: string(l.Name), Addr: addr, Handler: observed(rh, opts.Metrics, opts.Log, opts.LogBodies)})
		var names []string
		for _, r := range attached {
			names = append(names, r.Namespace+"/"+r.Name)
		}
		listenerSummary = append(listenerSummary, map[string]any{"name": string(l.Name), "port": l.Port, "address": addr, "routes": names})
	}
	cfg.Summary["listeners"] = listenerSummary
	cfg.Warnings = append(localWarnings(routes, chains, mcps, opts.Upstreams, listenerSummary), literals...)
	cfg.Warnings = append(cfg.Warnings, keyWarnings...)
	cfg.Warnings = append(cfg.Warnings, mcpWarnings...)
	if traceWarning != "" {
		cfg.Warnings = append(cfg.Warnings, traceWarning)
	}
	var ups []any
	for name, ch := range chains {
		var us []any
		for _, u := range ch.Upstreams {
			// Never the key: only where it comes from.
			us = append(us, map[string]any{"provider": u.Name, "url": u.URL.String(), "keyInjected": u.Key != "", "passthrough": u.Passthrough})
		}
		ups = append(ups, map[string]any{"backend": name, "failover": us})
	}
	cfg.Summary["backends"] = ups
	return cfg, nil
}

// attaches reports whether route r is attached to listener l of gw.
func attaches(r *gwv1.HTTPRoute, gw *gwv1.Gateway, l gwv1.Listener) bool {
	for _, p := range r.Spec.ParentRefs {
		ns := r.Namespace
		if p.Namespace != nil {
			ns = string(*p.Namespace)
		}
		if string(p.Name) != gw.Name || ns != gw.Namespace {
			continue
		}
		if p.SectionName != nil && *p.SectionName != l.Name {
			continue
		}
		if p.Port != nil && *p.Port != l.Port {
			continue
		}
		return true
	}
	return false
}

// routeHandler serves one listener: match, filters, backend.
type routeHandler struct {
	// gateway and listener are where requests come in, for the metrics.
	gateway, listener string
	router            *Router
	chains            map[string]*Chain
	// mcp are the MCP gateways, by their backend's name.
	mcp      map[string]*mcp.Gateway
	services map[string]*url.URL
	client   *http.Client
	// clients checks who calls (nil: anyone may), on every route: the
	// Spec's clients are the gateway's.
	clients *clientCheck
	// limits are the routes' request rate limits, by route name; policies
	// their guards, enrichment and defaults.
	limits      map[string]*routeLimit
	global      map[string]*globalLimit
	policies    map[string]*policy
	metrics     *Metrics
	maxBody     int64
	bodyTimeout time.Duration
	idleTimeout time.Duration
	keys        *redact.Redactor
	// edge checks Host, path and Origin before routing.
	edge *edge
	// tracing traces its requests (nil: off).
	tracing *tracing
}

// errorFormat is the format of the errors a rule's request gets before its
// backend is picked: its AI backend's client's (the route type its path
// names), else OpenAI's.
func (h *routeHandler) errorFormat(refs []gwv1.HTTPBackendRef, path string) *adapter {
	for _, ref := range refs {
		if ch := h.chains[string(ref.Name)]; ch != nil {
			return ch.errorFormat(path)
		}
	}
	return openAIAdapter
}

type routeLimit struct {
	*Limiter
	limit int
}

func (h *routeHandler) serve(w http.ResponseWriter, r *http.Request, ex *exchange) {
	w, r, route, ruleIndex, ok := h.edge.admit(w, r, h.router, ex)
	if !ok {
		return
	}
	// Authentication and authorization come first, as in the data planes:
	// an unknown caller is not even counted against a limit.
	if h.clients != nil {
		if r, ok = h.clients.admit(w, r, h.errorFormat(route.Spec.Rules[ruleIndex].BackendRefs, r.URL.Path), ex); !ok {
			return
		}
	}
	if lim := h.limits[route.Name]; lim != nil && !lim.admit(w, h.errorFormat(route.Spec.Rules[ruleIndex].BackendRefs, r.URL.Path), lim.limit) {
		if h.metrics != nil {
			h.metrics.rateLimited.WithLabelValues(route.Namespace + "/" + route.Name).Inc()
		}
		return
	}
	if gl := h.global[route.Name]; gl != nil {
		status := gl.check(r.Context(), w, h.errorFormat(route.Spec.Rules[ruleIndex].BackendRefs, r.URL.Path), varsOf(r), nil, "requests")
		if status == http.StatusTooManyRequests && h.metrics != nil {
			h.metrics.rateLimited.WithLabelValues(route.Namespace + "/" + route.Name).Inc()
		}
		if status != 0 {
			return
		}
	}
	r = r.WithContext(context.WithValue(r.Context(), exchangeKey{}, ex))
	rule := route.Spec.Rules[ruleIndex]
	if len(rule.Filters) > 0 {
		r = r.Clone(r.Context()) // filters change headers and the URL; the server's request stays as it came
	}
	var match gwv1.HTTPRouteMatch
	if len(rule.Matches) > 0 {
		match = rule.Matches[0]
	}
	for _, f := range rule.Filters {
		switch f.Type {
		case gwv1.HTTPRouteFilterRequestRedirect:
			redirect(w, r, f.RequestRedirect)
			return
		case gwv1.HTTPRouteFilterRequestHeaderModifier:
			modifyHeaders(r.Header, f.RequestHeaderModifier)
		case gwv1.HTTPRouteFilterResponseHeaderModifier:
			w = &headerWriter{ResponseWriter: w, mod: f.ResponseHeaderModifier}
		case gwv1.HTTPRouteFilterURLRewrite:
			rewrite(r, f.URLRewrite, match)
		}
	}
	ref, ok := pick(rule.BackendRefs)
	if !ok {
		writeError(w, http.StatusInternalServerError, "the matched rule has no backend")
		return
	}
	kind := "Service"
	if ref.Kind != nil {
		kind = string(*ref.Kind)
	}
	ex.set(func(e *exchange) { e.backend = string(ref.Name) })
	switch {
	case dataplane.IsBackend(refGroup(ref.Group), kind) && h.mcp[string(ref.Name)] != nil:
		h.mcp[string(ref.Name)].ServeHTTP(w, r)
	case dataplane.IsBackend(refGroup(ref.Group), kind):
		ch := h.chains[string(ref.Name)]
		if ch == nil {
			writeError(w, http.StatusInternalServerError, "backend "+string(ref.Name)+" is not among the manifests")
			return
		}
		ch.serve(w, r, h.policies[route.Name])
	default:
		base := h.services[string(ref.Name)]
		if base == nil {
			writeError(w, http.StatusBadGateway, fmt.Sprintf("Service %s has no local address: give one with --upstream %s=URL", ref.Name, ref.Name))
			return
		}
		// A Service is a plain HTTP backend: bodies and headers pass as
		// they are (no provider key is involved).
		up := &Upstream{Name: string(ref.Name), URL: &url.URL{Scheme: base.Scheme, Host: base.Host}, Passthrough: true, Headers: []string{"*"},
			prefix: strings.TrimSuffix(base.Path, "/")}
		(&Chain{Upstreams: []*Upstream{up}, Client: h.client, MaxBody: h.maxBody, BodyTimeout: h.bodyTimeout, StreamIdleTimeout: h.idleTimeout,
			RouteTypes: []RouteType{{Suffix: "*", Type: "Passthrough"}}, keys: h.keys, service: true}).serve(w, r, h.policies[route.Name])
	}
}

// pick chooses a backendRef by weight (default 1; weight 0 never).
func pick(refs []gwv1.HTTPBackendRef) (gwv1.HTTPBackendRef, bool) {
	total := 0
	for _, r := range refs {
		total += weight(r)
	}
	if total == 0 {
		return gwv1.HTTPBackendRef{}, false
	}
	n := rand.IntN(total)
	for _, r := range refs {
		if n -= weight(r); n < 0 {
			return r, true
		}
	}
	return refs[len(refs)-1], true
}

func weight(r gwv1.HTTPBackendRef) int {
	if r.Weight == nil {
		return 1
	}
	return int(*r.Weight)
}

func modifyHeaders(h http.Header, m *gwv1.HTTPHeaderFilter) {
	if m == nil {
		return
	}
	for _, s := range m.Set {
		h.Set(string(s.Name), s.Value)
	}
	for _, a := range m.Add {
		h.Add(string(a.Name), a.Value)
	}
	for _, name := range m.Remove {
		h.Del(name)
	}
}

type headerWriter struct {
	http.ResponseWriter
	mod  *gwv1.HTTPHeaderFilter
	once sync.Once
}

func (w *headerWriter) WriteHeader(code int) {
	w.once.Do(func() { modifyHeaders(w.Header(), w.mod) })
	w.ResponseWriter.WriteHeader(code)
}

func (w *headerWriter) Write(b []byte) (int, error) {
	w.once.Do(func() { modifyHeaders(w.Header(), w.mod) })
	return w.ResponseWriter.Write(b)
}

func (w *headerWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

func rewrite(r *http.Request, f *gwv1.HTTPURLRewriteFilter, match gwv1.HTTPRouteMatch) {
	if f == nil {
		return
	}
	if f.Hostname != nil {
		r.Host = string(*f.Hostname)
	}
	if p := f.Path; p != nil {
		switch p.Type {
		case gwv1.FullPathHTTPPathModifier:
			if p.ReplaceFullPath != nil {
				r.URL.Path = *p.ReplaceFullPath
			}
		case gwv1.PrefixMatchHTTPPathModifier:
			if p.ReplacePrefixMatch != nil && match.Path != nil && match.Path.Value != nil {
				prefix := strings.TrimSuffix(*match.Path.Value, "/")
				rest := strings.TrimPrefix(r.URL.Path, prefix)
				r.URL.Path = strings.TrimSuffix(*p.ReplacePrefixMatch, "/") + rest
				if r.URL.Path == "" {
					r.URL.Path = "/"
				}
			}
		}
	}
}

func redirect(w http.ResponseWriter, r *http.Request, f *gwv1.HTTPRequestRedirectFilter) {
	u := *r.URL
	u.Scheme, u.Host = "http", r.Host
	if f.Scheme != nil {
		u.Scheme = *f.Scheme
	}
	if f.Hostname != nil {
		u.Host = string(*f.Hostname)
	}
	if f.Port != nil {
		host, _, err := net.SplitHostPort(u.Host)
		if err != nil {
			host = u.Host
		}
		u.Host = net.JoinHostPort(host, fmt.Sprint(*f.Port))
	}
	if p := f.Path; p != nil && p.Type == gwv1.FullPathHTTPPathModifier && p.ReplaceFullPath != nil {
		u.Path = *p.ReplaceFullPath
	}
	code := http.StatusFound
	if f.StatusCode != nil {
		code = *f.StatusCode
	}
	http.Redirect(w, r, u.String(), code)
}

// ServeOptions say where and how long Serve serves.
type ServeOptions struct {
	// Admin is the address of /healthz, /readyz, /metrics and /config.
	Admin string
	// Drain is how long requests in flight may finish once ctx ends.
	Drain time.Duration
	// HeaderTimeout bounds reading a request's headers (default 10s);
	// IdleTimeout closes a kept-alive connection with no request (2m).
	HeaderTimeout, IdleTimeout time.Duration
	// Ready, if set, hears the addresses served, by listener ("admin" too).
	Ready func(addrs map[string]string)
	// Reload carries configurations to swap in; OnReload hears of every
	// outcome.
	Reload   <-chan *Config
	OnReload func(error)
}

// Serve serves cfg's listeners and the admin endpoints until ctx ends, then
// drains in-flight requests for up to o.Drain; requests still running then
// are cut and get up to two seconds more to be logged (drain.go). Each
// Config sent on o.Reload replaces the running one at once, listener by
// listener; requests in flight finish with the one they started with. A Config whose listeners
// differ in name or address cannot replace a running one (the sockets
// stay). Serve closes the configurations it is done with: a replaced one
// after the drain time, a refused one at once, the last one once drained
// (flushing its trace exporter).
func Serve(ctx context.Context, cfg *Config, o ServeOptions) error {
	if o.HeaderTimeout <= 0 {
		o.HeaderTimeout = 10 * time.Second
	}
	if o.IdleTimeout <= 0 {
		o.IdleTimeout = 2 * time.Minute
	}
	var current atomic.Pointer[Config]
	current.Store(cfg)
	// However Serve ends, once drained: the running configuration's
	// exporter sends its last spans.
	defer func() { current.Load().Close() }()
	mux := http.NewServeMux()
	mux.HandleFunc("/healthz", func(w http.ResponseWriter, _ *http.Request) { fmt.Fprintln(w, "ok") })
	mux.HandleFunc("/readyz", func(w http.ResponseWriter, _ *http.Request) { fmt.Fprintln(w, "ok") })
	if cfg.Metrics != nil {
		mux.Handle("/metrics", cfg.Metrics.Handler())
	}
	mux.HandleFunc("/config", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		_ = enc.Encode(current.Load().Summary)
	})
	admin := guardAdmin(o.Admin, func() *edge { return current.Load().admin }, mux)
	servers := map[string]*http.Server{"admin": {Addr: o.Admin, Handler: admin, ReadHeaderTimeout: o.HeaderTimeout, IdleTimeout: o.IdleTimeout}}
	inFlight := &flight{}
	for _, l := range cfg.Listeners {
		name := l.Name
		handler := inFlight.track(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			current.Load().handler(name).ServeHTTP(w, r)
		}))
		servers[l.Name] = &http.Server{Addr: l.Addr, Handler: handler, ReadHeaderTimeout: o.HeaderTimeout, IdleTimeout: o.IdleTimeout, BaseContext: inFlight.base}
	}
	addrs := map[string]string{}
	errs := make(chan error, len(servers))
	for name, s := range servers {
		ln, err := net.Listen("tcp", s.Addr)
		if err != nil {
			for _, other := range servers {
				other.Close()
			}
			return fmt.Errorf("listener %s: %w", name, err)
		}
		addrs[name] = ln.Addr().String()
		go func() { errs <- s.Serve(ln) }()
	}
	if o.Ready != nil {
		o.Ready(addrs)
	}
loop:
	for {
		select {
		case <-ctx.Done():
			break loop
		case next := <-o.Reload:
			err := sameListeners(current.Load(), next)
			if err == nil {
				old := current.Swap(next)
				// What the old configuration holds open goes once its
				// requests have had the drain time to finish.
				time.AfterFunc(o.Drain, old.Close)
			} else {
				next.Close()
			}
			if o.OnReload != nil {
				o.OnReload(err)
			}
		case err := <-errs:
			if !errors.Is(err, http.ErrServerClosed) {
				return err
			}
		}
	}
	drain(servers, o.Drain, inFlight)
	return nil
}

func (c *Config) handler(listener string) http.Handler {
	for _, l := range c.Listeners {
		if l.Name == listener {
			return l.Handler
		}
	}
	return http.NotFoundHandler()
}

func sameListeners(a, b *Config) error {
	if len(a.Listeners) != len(b.Listeners) {
		return fmt.Errorf("the new manifests have %d listeners, the running gateway %d: restart serve to change listeners", len(b.Listeners), len(a.Listeners))
	}
	for i := range a.Listeners {
		if a.Listeners[i].Name != b.Listeners[i].Name || a.Listeners[i].Addr != b.Listeners[i].Addr {
			return fmt.Errorf("listener %s moved to %s %s: restart serve to change listeners", a.Listeners[i].Name, b.Listeners[i].Name, b.Listeners[i].Addr)
		}
	}
	return nil
}

type exchangeKey struct{}

// exchangeOf returns the exchange a request is part of (nil outside serve).
func exchangeOf(r *http.Request) *exchange {
	ex, _ := r.Context().Value(exchangeKey{}).(*exchange)
	return ex
}
