package mcp

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"sync"
	"time"

	"go.opentelemetry.io/otel/trace"

	"github.com/kubelb-ai/kubelb-ai/proxy/sse"
)

// Connections to SSE targets outlive a message: the target's session is
// its stream. They are kept per client session, at most maxConns, and one
// unused for connIdle is closed when another is opened.
const (
	maxConns = 1024
	connIdle = 30 * time.Minute
)

type pooledConn struct {
	conn *sseConn
	used time.Time
}

func poolKey(session string, t *target) string { return session + "\x00" + t.Name }

// pool keeps c for t in session.
func (g *Gateway) pool(session string, t *target, c *sseConn) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.closed {
		c.close()
		return
	}
	now := time.Now()
	var oldest string
	for k, p := range g.conns {
		if now.Sub(p.used) > connIdle {
			p.conn.close()
			delete(g.conns, k)
		} else if oldest == "" || p.used.Before(g.conns[oldest].used) {
			oldest = k
		}
	}
	if len(g.conns) >= maxConns && oldest != "" {
		g.conns[oldest].conn.close()
		delete(g.conns, oldest)
	}
	g.conns[poolKey(session, t)] = &pooledConn{conn: c, used: now}
}

// pooled is session's connection to SSE target t, opened anew (with the
// session's version) when this process has none: after a restart, or on
// another replica.
func (g *Gateway) pooled(ctx context.Context, st *state, t *target, version string) (*sseConn, error) {
	key := poolKey(st.id, t)
	g.mu.Lock()
	p := g.conns[key]
	if p != nil {
		select {
		case <-p.conn.done:
			delete(g.conns, key)
			p = nil
		default:
			p.used = time.Now()
		}
	}
	g.mu.Unlock()
	if p != nil {
		return p.conn, nil
	}
	u, _, err := g.initTarget(ctx, t, g.gatewayParams(version), st)
	if err != nil {
		return nil, err
	}
	g.pool(st.id, t, u.sse)
	return u.sse, nil
}

// dropSession closes the SSE connections of a session.
func (g *Gateway) dropSession(session string) {
	g.mu.Lock()
	defer g.mu.Unlock()
	for _, t := range g.targets {
		if p := g.conns[poolKey(session, t)]; p != nil {
			p.conn.close()
			delete(g.conns, poolKey(session, t))
		}
	}
}

// session opens a request's session from its Mcp-Session-Id.
func (g *Gateway) session(w http.ResponseWriter, r *http.Request) (*state, bool) {
	sid := r.Header.Get("Mcp-Session-Id")
	rec, ok := g.sealer.open(sid)
	if !ok {
		code := http.StatusNotFound
		if sid == "" {
			code = http.StatusBadRequest
		}
		httpError(w, code, "unknown or missing Mcp-Session-Id: initialize again")
		return nil, false
	}
	st := g.newState(r)
	st.rec, st.id, st.version = &rec, sid, rec.Version
	return st, true
}

// serveDelete ends a client's session at every target.
func (g *Gateway) serveDelete(w http.ResponseWriter, r *http.Request) {
	st, ok := g.session(w, r)
	if !ok {
		return
	}
	for _, ts := range st.rec.Targets {
		if t := g.byName[ts.Name]; t != nil && ts.ID != "" {
			g.deleteSession(t, ts.ID, st.fwd)
		}
	}
	g.dropSession(st.id)
	w.WriteHeader(http.StatusNoContent)
}

// serveGet is a client's stream for what targets send unasked
// (list_changed, their own requests): every target's stream, merged.
func (g *Gateway) serveGet(w http.ResponseWriter, r *http.Request) {
	st, ok := g.session(w, r)
	if !ok {
		return
	}
	ctx, cancel := context.WithCancel(r.Context())
	defer cancel()
	merged := make(chan *message)
	var wg sync.WaitGroup
	relay := func(t *target, s stream) {
		defer wg.Done()
		defer s.close()
		for {
			m, err := s.next()
			if err != nil {
				return
			}
			g.outbound(t, m)
			select {
			case merged <- m:
			case <-ctx.Done():
				return
			}
		}
	}
	// The client's stream begins at once: a target may not answer its
	// own GET before it has something to send.
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-cache")
	w.WriteHeader(http.StatusOK)
	flush(w)
	for _, ts := range st.rec.Targets {
		t := g.byName[ts.Name]
		if t == nil {
			continue
		}
		wg.Add(1)
		go func() {
			if t.SSE {
				c, err := g.pooled(ctx, st, t, ts.Version)
				if err != nil {
					wg.Done()
					return
				}
				relay(t, &otherStream{c: c, ctx: ctx})
				return
			}
			s, err := g.get(ctx, t, ts, st.fwd)
			if err != nil {
				wg.Done()
				return
			}
			relay(t, s)
		}()
	}
	// The stream stays open while the client keeps it, even when no
	// target has one: a client reconnecting at once would only spin.
	pump(ctx, w, merged, nil)
	cancel()
	wg.Wait()
}

// pump writes messages to a client's event stream as they come, until
// the stream or ctx ends.
func pump(ctx context.Context, w http.ResponseWriter, messages <-chan *message, buf []byte) {
	for {
		select {
		case m := <-messages:
			buf = sse.Append(buf[:0], sse.Event{Name: "message", Data: encode(m)})
			if _, err := w.Write(buf); err != nil {
				return
			}
			flush(w)
		case <-ctx.Done():
			return
		}
	}
}

// get opens a Streamable HTTP target's GET stream of a session.
func (g *Gateway) get(ctx context.Context, t *target, ts targetSession, fwd http.Header) (*httpStream, error) {
	if ts.ID == "" {
		return nil, io.EOF // no session there: nothing it could send unasked
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, t.URL.String(), nil)
	if err != nil {
		return nil, err
	}
	g.headers(req.Header, t, fwd)
	req.Header.Set("Accept", "text/event-stream")
	req.Header.Set("Mcp-Session-Id", ts.ID)
	if ts.Version != "" {
		req.Header.Set("MCP-Protocol-Version", ts.Version)
	}
	resp, err := g.client.Do(req)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		_ = resp.Body.Close()
		return nil, io.EOF
	}
	return &httpStream{resp: resp, sse: true}, nil
}

// otherStream is what an SSE target sends unasked.
type otherStream struct {
	c   *sseConn
	ctx context.Context
}

func (s *otherStream) next() (*message, error) {
	select {
	case m := <-s.c.other:
		return m, nil
	case <-s.c.done:
		return nil, io.EOF
	case <-s.ctx.Done():
		return nil, s.ctx.Err()
	}
}

func (s *otherStream) close() {}

// legacySession is a client of the HTTP+SSE transport: its stream, and
// its session (held here: the stream is bound to this process anyway).
type legacySession struct {
	id     string
	ctx    context.Context
	cancel context.CancelFunc
	out    chan *message
	// slots bound the messages served at once: each POST is served after
	// it was answered, so the HTTP server's own limits do not apply.
	slots chan struct{}
	mu    sync.Mutex
	rec   *record
}

// maxLegacy bounds the HTTP+SSE clients served at once, and
// maxLegacyInFlight the messages of one served at once.
const (
	maxLegacy         = 1024
	maxLegacyInFlight = 64
)

// serveLegacy serves the HTTP+SSE transport: GET opens a client's stream,
// whose first event names the URL to POST messages to; answers come back
// on the stream.
func (g *Gateway) serveLegacy(w http.ResponseWriter, r *http.Request) {
	switch r.Method {
	case http.MethodGet:
		g.legacyStream(w, r)
	case http.MethodPost:
		g.legacyPost(w, r)
	default:
		w.Header().Set("Allow", "GET, POST")
		httpError(w, http.StatusMethodNotAllowed, r.Method+" is not an HTTP+SSE method")
	}
}

func (g *Gateway) legacyStream(w http.ResponseWriter, r *http.Request) {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	ctx, cancel := context.WithCancel(r.Context())
	defer cancel()
	l := &legacySession{id: hex.EncodeToString(b), ctx: ctx, cancel: cancel, out: make(chan *message, 64), slots: make(chan struct{}, maxLegacyInFlight)}
	g.mu.Lock()
	if len(g.legacy) >= maxLegacy || g.closed {
		g.mu.Unlock()
		httpError(w, http.StatusServiceUnavailable, "too many SSE clients")
		return
	}
	g.legacy[l.id] = l
	g.mu.Unlock()
	defer func() {
		g.mu.Lock()
		delete(g.legacy, l.id)
		g.mu.Unlock()
		l.mu.Lock()
		rec := l.rec
		l.mu.Unlock()
		if rec != nil {
			for _, ts := range rec.Targets {
				if t := g.byName[ts.Name]; t != nil && ts.ID != "" {
					g.deleteSession(t, ts.ID, forwardable(r.Header))
				}
			}
		}
		g.dropSession(l.id)
	}()
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-cache")
	w.WriteHeader(http.StatusOK)
	endpoint := r.URL.Path + "?sessionId=" + l.id
	buf := sse.Append(nil, sse.Event{Name: "endpoint", Data: []byte(endpoint)})
	if _, err := w.Write(buf); err != nil {
		return
	}
	flush(w)
	pump(ctx, w, l.out, buf)
}

func (g *Gateway) legacyPost(w http.ResponseWriter, r *http.Request) {
	g.mu.Lock()
	l := g.legacy[r.URL.Query().Get("sessionId")]
	g.mu.Unlock()
	if l == nil {
		httpError(w, http.StatusNotFound, "unknown sessionId: open the SSE stream again")
		return
	}
	body, ok := g.readBody(w, r)
	if !ok {
		return
	}
	m, perr := parseMessage(body)
	if perr != nil {
		httpError(w, http.StatusBadRequest, perr.Message)
		return
	}
	st := g.newState(r)
	st.id = l.id
	l.mu.Lock()
	if l.rec != nil {
		rec := *l.rec
		st.rec, st.version = &rec, rec.Version
	}
	l.mu.Unlock()
	if g.cfg.Stateful && st.rec == nil && m.Method != "initialize" && !m.isNotification() {
		if !m.isRequest() {
			httpError(w, http.StatusBadRequest, "initialize first")
			return
		}
		// A request before initialize is answered on the stream: a
		// 2026-07-28 client probes with server/discover and falls back to
		// initialize on a JSON-RPC error, where an HTTP error fails its
		// transport (go-sdk's SSE client closes).
		w.WriteHeader(http.StatusAccepted)
		_ = (&legacyOutput{l: l}).send(errorMessage(m.ID, codeInvalidRequest, "initialize first"))
		return
	}
	// The answer goes on the stream; the POST is only accepted. The
	// message is served within the stream's life, not the POST's.
	select {
	case l.slots <- struct{}{}:
	default:
		httpError(w, http.StatusTooManyRequests, fmt.Sprintf("%d messages of this session are being served: wait for their answers", maxLegacyInFlight))
		return
	}
	w.WriteHeader(http.StatusAccepted)
	ctx := l.ctx
	if g.cfg.Tracer != nil {
		// Its spans belong under the POST's, which has ended by then.
		ctx = trace.ContextWithSpanContext(ctx, trace.SpanContextFromContext(r.Context()))
	}
	go func() {
		defer func() { <-l.slots }()
		g.handle(ctx, st, m, &legacyOutput{l: l})
	}()
}

// legacyOutput puts answers on a client's HTTP+SSE stream.
type legacyOutput struct{ l *legacySession }

func (o *legacyOutput) begin(bool) {}
func (o *legacyOutput) status(int) {}
func (o *legacyOutput) accepted()  {}
func (o *legacyOutput) send(m *message) error {
	select {
	case o.l.out <- m:
		return nil
	case <-o.l.ctx.Done():
		return o.l.ctx.Err()
	}
}

func (o *legacyOutput) session(g *Gateway, rec record) string {
	o.l.mu.Lock()
	o.l.rec = &rec
	o.l.mu.Unlock()
	return o.l.id
}
