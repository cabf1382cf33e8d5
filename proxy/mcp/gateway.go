// Package mcp federates MCP servers behind one endpoint, as agentgateway's
// MCP backends do: clients see a single MCP server whose tools, prompts and
// resources are those of every target, named apart by prefixes.
//
// It speaks both eras of the protocol to clients: the session era
// (2025-03-26 to 2025-11-25: initialize, Mcp-Session-Id, a GET stream) over
// Streamable HTTP and the legacy HTTP+SSE transport, and the stateless era
// (2026-07-28: no initialize, server/discover, Mcp-Method and Mcp-Name
// headers). It reaches targets over Streamable HTTP or HTTP+SSE. It does its
// own JSON-RPC rather than an SDK's, because a gateway must pass through
// methods it does not know, keep request ids, and stream.
package mcp

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"os"
	"strings"
	"sync"
	"time"

	"go.opentelemetry.io/otel/trace"

	"github.com/kubelb-ai/kubelb-ai/proxy/expr"
)

// Prefix modes (the Spec's words).
const (
	PrefixAlways      = "always"
	PrefixConditional = "conditional"
	PrefixNever       = "never"
)

// Config is one MCP gateway.
type Config struct {
	// Name names the gateway to clients (serverInfo.name when it merges)
	// and in metrics; session ids of one gateway are not valid at another.
	Name    string
	Version string
	Targets []Target
	// Stateful keeps a session per client (in its sealed id); otherwise
	// every request stands alone.
	Stateful bool
	// FailOpen serves from the targets that answer; otherwise a target
	// that fails fails the request (or the session, at initialize).
	FailOpen bool
	// Prefix is PrefixAlways, PrefixConditional (default) or PrefixNever.
	Prefix string
	// Allow are authorization rules: a tool, prompt or resource is listed
	// and may be used when one of them is true (none: all may).
	Allow []*expr.Program
	// SessionKey seals session ids (32 bytes); nil: a random key, so
	// sessions end with the process.
	SessionKey []byte
	Client     *http.Client
	// Timeout bounds a target's answer to a list, initialize or discover,
	// and the wait for the first byte of any other answer (default 30s):
	// a target that never answers never hangs a client.
	Timeout time.Duration
	// Vars are the caller's variables for Allow (default: the request's).
	Vars func(*http.Request) *expr.Vars
	// Observe, if set, sees every client message the gateway handled.
	Observe func(*http.Request, Call)
	// BodyTimeout bounds reading a client's message (none if zero): a
	// client trickling its body holds nothing for long.
	BodyTimeout time.Duration
	// Tracer, if set, traces every message sent to a target as a CLIENT
	// span under the request's (the MCP conventions' attributes), and
	// sends the span's trace context along: the traceparent header, and
	// for 2026-07-28 params._meta too. Nil: no spans, bodies as they were.
	Tracer trace.Tracer
}

// Call is one client message as the gateway handled it.
type Call struct {
	Method string
	// Target and Name are the target that served it and the tool, prompt
	// or resource it named, where there was one.
	Target, Name string
	// Status is ok, error (a JSON-RPC error answered), denied
	// (authorization) or failed (a target could not be reached).
	Status   string
	Duration time.Duration
}

// Gateway serves one MCP gateway.
type Gateway struct {
	cfg      Config
	targets  []*target
	byName   map[string]*target
	client   *http.Client
	sealer   *sealer
	timeout  time.Duration
	prefixed bool // tool and prompt names carry their target's prefix
	multi    bool // resource URIs carry their target's name

	mu sync.Mutex
	// inits are the targets' answers to gateway-made initializes, by
	// target and protocol version (stateless: reused while the target
	// keeps no session).
	inits map[initKey]*initAnswer
	// conns are SSE targets' connections of stateful sessions, by session
	// id and target; legacy are clients' HTTP+SSE sessions; inflight the
	// target of each request in flight, by session and id, for
	// cancellation.
	conns    map[string]*pooledConn
	legacy   map[string]*legacySession
	inflight map[string]string
	closed   bool
}

type target struct {
	Target
	idx int
}

// New checks c and builds its gateway.
func New(c Config) (*Gateway, error) {
	if len(c.Targets) == 0 {
		return nil, errors.New("an MCP gateway needs a target")
	}
	key := c.SessionKey
	if key == nil {
		key = make([]byte, SessionKeySize)
		_, _ = rand.Read(key)
	}
	s, err := newSealer(key, c.Name)
	if err != nil {
		return nil, err
	}
	g := &Gateway{cfg: c, client: c.Client, sealer: s, timeout: c.Timeout, byName: map[string]*target{},
		inits: map[initKey]*initAnswer{}, conns: map[string]*pooledConn{}, legacy: map[string]*legacySession{}, inflight: map[string]string{}}
	if g.client == nil {
		g.client = http.DefaultClient
	}
	if g.timeout <= 0 {
		g.timeout = 30 * time.Second
	}
	for i, t := range c.Targets {
		if t.URL == nil || t.Name == "" {
			return nil, fmt.Errorf("target %d needs a name and a URL", i)
		}
		if g.byName[t.Name] != nil {
			return nil, fmt.Errorf("two targets are named %s", t.Name)
		}
		tt := &target{Target: t, idx: i}
		g.targets = append(g.targets, tt)
		g.byName[t.Name] = tt
	}
	switch c.Prefix {
	case "", PrefixConditional:
		g.prefixed = len(g.targets) > 1
	case PrefixAlways:
		g.prefixed = true
	case PrefixNever:
	default:
		return nil, fmt.Errorf("prefix mode %q: want always, conditional or never", c.Prefix)
	}
	// As agentgateway: one target without Always is a plain proxy; any
	// other gateway multiplexes, and resource URIs say whose they are.
	g.multi = len(g.targets) > 1 || c.Prefix == PrefixAlways
	return g, nil
}

// Close ends the gateway's connections to targets and its clients' SSE
// sessions (a reload replaces the gateway).
func (g *Gateway) Close() {
	g.mu.Lock()
	g.closed = true
	conns, legacy := g.conns, g.legacy
	g.conns, g.legacy = map[string]*pooledConn{}, map[string]*legacySession{}
	g.mu.Unlock()
	for _, c := range conns {
		c.conn.close()
	}
	for _, l := range legacy {
		l.cancel()
	}
}

// ServeHTTP serves the MCP endpoint: Streamable HTTP (POST, GET, DELETE)
// and, on a path ending in /sse, the HTTP+SSE transport.
func (g *Gateway) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == "/sse" || strings.HasSuffix(r.URL.Path, "/sse") {
		g.serveLegacy(w, r)
		return
	}
	switch r.Method {
	case http.MethodPost:
		g.servePost(w, r)
	case http.MethodGet:
		if !g.cfg.Stateful || modernRequest(r, nil) {
			httpError(w, http.StatusMethodNotAllowed, "this MCP gateway keeps no sessions: there is no stream to GET")
			return
		}
		g.serveGet(w, r)
	case http.MethodDelete:
		if !g.cfg.Stateful {
			httpError(w, http.StatusMethodNotAllowed, "this MCP gateway keeps no sessions")
			return
		}
		g.serveDelete(w, r)
	default:
		w.Header().Set("Allow", "GET, POST, DELETE")
		httpError(w, http.StatusMethodNotAllowed, r.Method+" is not an MCP method")
	}
}

// state is one client message's context.
type state struct {
	r *http.Request
	// modern: a 2026-07-28 request (no session; headers mirror the body).
	modern  bool
	version string
	// rec is the client's session (stateful), id its id.
	rec *record
	id  string
	// ups are the targets reached for this message, opened as needed
	// (mu: by a fan-out's goroutines at once).
	mu  sync.Mutex
	ups map[string]*upstream
	// fwd are the client's headers that may reach a target.
	fwd  http.Header
	vars *expr.Vars
	call Call
}

// upstream is a target within one client message.
type upstream struct {
	t       *target
	sid     string
	version string
	sse     *sseConn
	// own: the gateway opened it for this message alone and ends it after.
	own bool
}

func (g *Gateway) newState(r *http.Request) *state {
	st := &state{r: r, ups: map[string]*upstream{}, fwd: forwardable(r.Header)}
	return st
}

func (st *state) variables(g *Gateway) *expr.Vars {
	if st.vars == nil {
		if g.cfg.Vars != nil {
			st.vars = g.cfg.Vars(st.r)
		} else {
			st.vars = expr.NewVars(st.r, st.r.RemoteAddr)
		}
	}
	return st.vars
}

// end ends what the gateway opened for this message alone.
func (g *Gateway) end(st *state) {
	for _, u := range st.ups {
		if !u.own {
			continue
		}
		if u.sse != nil {
			u.sse.close()
		} else if u.sid != "" {
			g.deleteSession(u.t, u.sid, st.fwd)
		}
	}
}

// servePost handles one client message sent as a POST.
func (g *Gateway) servePost(w http.ResponseWriter, r *http.Request) {
	body, ok := g.readBody(w, r)
	if !ok {
		return
	}
	m, perr := parseMessage(body)
	if perr != nil {
		writeJSON(w, http.StatusBadRequest, errorMessage(nil, perr.Code, perr.Message))
		return
	}
	st := g.newState(r)
	st.modern = modernRequest(r, m)
	if st.modern {
		st.version = r.Header.Get("MCP-Protocol-Version")
		if st.version == "" {
			st.version = metaVersion(m)
		}
		if msg, ok := headerMismatch(r, m); !ok {
			writeJSON(w, http.StatusBadRequest, errorMessage(m.ID, codeHeaderMismatch, msg))
			return
		}
	} else if g.cfg.Stateful && m.Method != "initialize" {
		sid := r.Header.Get("Mcp-Session-Id")
		if sid == "" {
			writeJSON(w, http.StatusBadRequest, errorMessage(m.ID, codeInvalidRequest, "Bad Request: this MCP gateway keeps sessions: send the Mcp-Session-Id that initialize gave"))
			return
		}
		rec, ok := g.sealer.open(sid)
		if !ok {
			// 404 makes a client start a new session.
			writeJSON(w, http.StatusNotFound, errorMessage(m.ID, codeInvalidRequest, "unknown session: initialize again"))
			return
		}
		st.rec, st.id, st.version = &rec, sid, rec.Version
	} else {
		st.version = r.Header.Get("MCP-Protocol-Version")
	}
	out := &httpOutput{w: w}
	g.handle(r.Context(), st, m, out)
	out.finish()
}

// handle serves one client message and observes it.
func (g *Gateway) handle(ctx context.Context, st *state, m *message, out output) {
	start := time.Now()
	st.call = Call{Method: m.Method, Status: "ok"}
	if m.isResponse() {
		st.call.Method = "response"
	}
	defer func() {
		g.end(st)
		if g.cfg.Observe != nil {
			st.call.Duration = time.Since(start)
			g.cfg.Observe(st.r, st.call)
		}
	}()
	switch {
	case m.isResponse():
		g.relayResponse(ctx, st, m, out)
	case m.isNotification():
		g.notify(ctx, st, m, out)
	default:
		g.request(ctx, st, m, out)
	}
}

// request dispatches a client request by method.
func (g *Gateway) request(ctx context.Context, st *state, m *message, out output) {
	switch m.Method {
	case "ping":
		g.reply(st, out, resultMessage(m.ID, struct{}{}))
	case "initialize":
		g.initialize(ctx, st, m, out)
	case "server/discover":
		g.discover(ctx, st, m, out)
	case "tools/list", "prompts/list", "resources/list", "resources/templates/list":
		g.list(ctx, st, m, out)
	case "tools/call", "prompts/get":
		g.callNamed(ctx, st, m, out)
	case "resources/read", "resources/subscribe", "resources/unsubscribe":
		g.callURI(ctx, st, m, out)
	case "completion/complete":
		g.complete(ctx, st, m, out)
	case "logging/setLevel":
		g.broadcast(ctx, st, m, out)
	case "subscriptions/listen":
		if g.multi {
			g.listen(ctx, st, m, out)
			return
		}
		g.forwardTo(ctx, st, g.targets[0], m, out, "")
	default:
		if !g.multi {
			g.forwardTo(ctx, st, g.targets[0], m, out, "")
			return
		}
		g.reply(st, out, errorMessage(m.ID, codeMethodNotFound, "method "+m.Method+" is not federated by this gateway"))
	}
}

// reply answers with a message the gateway made.
func (g *Gateway) reply(st *state, out output, m *message) {
	if m.Error != nil && st.call.Status == "ok" {
		st.call.Status = "error"
	}
	out.begin(false)
	_ = out.send(m)
}

// fail answers that a target could not be reached.
func (g *Gateway) fail(st *state, out output, id json.RawMessage, err error) {
	st.call.Status = "failed"
	if errors.Is(err, errSessionGone) && st.rec != nil {
		out.status(http.StatusNotFound)
		_ = out.send(errorMessage(id, codeInvalidRequest, "the session ended at a target: initialize again"))
		return
	}
	out.begin(false)
	_ = out.send(errorMessage(id, codeInternal, err.Error()))
}

// open returns t within st: the session's (stateful), a gateway-made one
// (stateless, legacy era), or none at all (2026-07-28 needs none).
func (g *Gateway) open(ctx context.Context, st *state, t *target) (*upstream, error) {
	st.mu.Lock()
	u := st.ups[t.Name]
	st.mu.Unlock()
	if u != nil {
		return u, nil
	}
	switch {
	case st.modern:
		u = &upstream{t: t}
	case st.rec != nil:
		ts, ok := st.rec.target(t.Name)
		if !ok {
			return nil, fmt.Errorf("target %s is not in this session (it failed when the session began)", t.Name)
		}
		u = &upstream{t: t, sid: ts.ID, version: ts.Version}
		if t.SSE {
			c, err := g.pooled(ctx, st, t, ts.Version)
			if err != nil {
				return nil, err
			}
			u.sse = c
		}
	default:
		var err error
		if u, err = g.stateless(ctx, st, t); err != nil {
			return nil, err
		}
	}
	// Fan-outs open targets at once; each target is opened by one of
	// them, as each asks for its own.
	st.mu.Lock()
	st.ups[t.Name] = u
	st.mu.Unlock()
	return u, nil
}

// send sends m to u; its answer streams back (nil for a notification or
// response a target took).
func (g *Gateway) send(ctx context.Context, st *state, u *upstream, m *message, name string) (stream, error) {
	if g.cfg.Tracer == nil {
		return g.sendTo(ctx, st, u, m, name)
	}
	version := u.version
	if st.modern {
		version = st.version
	}
	return g.traced(ctx, u.t, m, name, version, func(ctx context.Context, m *message) (stream, error) {
		return g.sendTo(ctx, st, u, m, name)
	})
}

// sendTo sends m to u, untraced.
func (g *Gateway) sendTo(ctx context.Context, st *state, u *upstream, m *message, name string) (stream, error) {
	if u.sse != nil {
		return u.sse.send(ctx, m)
	}
	c := call{sid: u.sid, version: u.version, header: st.fwd, body: encode(m)}
	if st.modern {
		c.version = st.version
		c.header = st.fwd.Clone()
		c.header.Set("Mcp-Method", m.Method)
		if name != "" {
			c.header.Set("Mcp-Name", headerValue(name))
		}
	}
	s, err := g.post(ctx, u.t, c)
	if err != nil {
		return nil, err
	}
	return s, nil
}

// exchange sends a request to t and waits, within the timeout, for its
// response alone.
func (g *Gateway) exchange(ctx context.Context, st *state, t *target, m *message, name string) (*message, error) {
	ctx, cancel := context.WithTimeout(ctx, g.timeout)
	defer cancel()
	u, err := g.open(ctx, st, t)
	if err != nil {
		return nil, err
	}
	s, err := g.send(ctx, st, u, m, name)
	if err != nil {
		return nil, err
	}
	if s == nil {
		return nil, errors.New("no answer")
	}
	return firstResponse(s)
}

// answer is one target's response in a fan-out.
type answer struct {
	t   *target
	m   *message
	err error
	// sse: the target streamed its answer.
	sse bool
}

// fanout sends a request to each of targets at once, made per target by
// build, and gathers the responses in targets' order. Each target has the
// timeout: a dead one cannot hold up the others.
func (g *Gateway) fanout(ctx context.Context, st *state, targets []*target, build func(*target) *message) []answer {
	out := make([]answer, len(targets))
	var wg sync.WaitGroup
	for i, t := range targets {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ctx, cancel := context.WithTimeout(ctx, g.timeout)
			defer cancel()
			u, err := g.open(ctx, st, t)
			if err != nil {
				out[i] = answer{t: t, err: err}
				return
			}
			m := build(t)
			s, err := g.send(ctx, st, u, m, "")
			if err == nil && s == nil {
				err = errors.New("no answer")
			}
			if err != nil {
				out[i] = answer{t: t, err: err}
				return
			}
			hs, isHTTP := httpOf(s)
			resp, err := firstResponse(s)
			out[i] = answer{t: t, m: resp, err: err, sse: isHTTP && hs.sse}
		}()
	}
	wg.Wait()
	return out
}

// sessionTargets are the targets a message may reach: the session's, or
// every target.
func (g *Gateway) sessionTargets(st *state) []*target {
	if st.rec == nil {
		return g.targets
	}
	var ts []*target
	for _, s := range st.rec.Targets {
		if t := g.byName[s.Name]; t != nil {
			ts = append(ts, t)
		}
	}
	return ts
}

func (r *record) target(name string) (targetSession, bool) {
	for _, t := range r.Targets {
		if t.Name == name {
			return t, true
		}
	}
	return targetSession{}, false
}

// gathered applies the failure mode to a fan-out: the answers to merge,
// or the error to answer with.
func (g *Gateway) gathered(answers []answer) ([]answer, error) {
	var ok []answer
	var firstErr error
	for _, a := range answers {
		err := a.err
		if err == nil && a.m.Error != nil {
			err = fmt.Errorf("target %s: %s", a.t.Name, a.m.Error.Message)
		}
		if err != nil {
			if firstErr == nil {
				firstErr = err
			}
			if !g.cfg.FailOpen {
				return nil, err
			}
			continue
		}
		ok = append(ok, a)
	}
	if len(ok) == 0 {
		if firstErr == nil {
			firstErr = errors.New("no target")
		}
		return nil, firstErr
	}
	return ok, nil
}

func httpError(w http.ResponseWriter, status int, msg string) {
	http.Error(w, msg, status)
}

func writeJSON(w http.ResponseWriter, status int, m *message) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(encode(m))
}

// readBody reads a client's message: JSON (a browser's form or text/plain
// post is refused before anything is read), within maxBody and
// BodyTimeout.
func (g *Gateway) readBody(w http.ResponseWriter, r *http.Request) ([]byte, bool) {
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt != "application/json" {
		httpError(w, http.StatusUnsupportedMediaType, "an MCP message is application/json")
		return nil, false
	}
	rc := http.NewResponseController(w)
	if g.cfg.BodyTimeout > 0 {
		_ = rc.SetReadDeadline(time.Now().Add(g.cfg.BodyTimeout))
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxBody+1))
	switch {
	case errors.Is(err, os.ErrDeadlineExceeded):
		httpError(w, http.StatusRequestTimeout, fmt.Sprintf("the message did not arrive within %s", g.cfg.BodyTimeout))
		return nil, false
	case err != nil:
		httpError(w, http.StatusBadRequest, "reading the message: "+err.Error())
		return nil, false
	case len(body) > maxBody:
		w.Header().Set("Connection", "close")
		httpError(w, http.StatusRequestEntityTooLarge, fmt.Sprintf("a message of more than %d bytes", maxBody))
		return nil, false
	}
	if g.cfg.BodyTimeout > 0 {
		_ = rc.SetReadDeadline(time.Time{}) // the answer may stream for long
	}
	return body, true
}
