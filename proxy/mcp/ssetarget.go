package mcp

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync"

	"github.com/kubelb-ai/kubelb-ai/proxy/sse"
)

// sseConn is a session with a target of the 2024-11-05 HTTP+SSE transport:
// the target answers on a GET stream, and takes messages as POSTs to the
// URL its first event (endpoint) names.
type sseConn struct {
	g      *Gateway
	t      *target
	header http.Header
	post   string
	cancel context.CancelFunc

	mu      sync.Mutex
	pending map[string]*sseWaiter
	// other are messages no request waits for (notifications, requests
	// from the target between calls), for a client's GET stream.
	other chan *message
	done  chan struct{}
	err   error
}

type sseWaiter struct {
	ch    chan *message
	token string // the request's progress token, if any
	// gone is closed when the request stops waiting.
	gone chan struct{}
}

// deliver hands m to w unless w or the stream is gone.
func (c *sseConn) deliver(w *sseWaiter, m *message) {
	select {
	case w.ch <- m:
	case <-w.gone:
	case <-c.done:
	}
}

// failure is why the stream ended (nil while it runs).
func (c *sseConn) failure() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.err
}

// dialSSE opens the GET stream and waits (within ctx) for the endpoint.
func (g *Gateway) dialSSE(ctx context.Context, t *target, header http.Header) (*sseConn, error) {
	streamCtx, cancel := context.WithCancel(context.Background())
	req, err := http.NewRequestWithContext(streamCtx, http.MethodGet, t.URL.String(), nil)
	if err != nil {
		cancel()
		return nil, err
	}
	g.headers(req.Header, t, header)
	req.Header.Set("Accept", "text/event-stream")
	type answer struct {
		resp *http.Response
		err  error
	}
	got := make(chan answer, 1)
	go func() {
		resp, err := g.client.Do(req)
		got <- answer{resp, err}
	}()
	var resp *http.Response
	select {
	case a := <-got:
		if a.err != nil {
			cancel()
			return nil, fmt.Errorf("target %s: %w", t.Name, a.err)
		}
		resp = a.resp
	case <-ctx.Done():
		cancel()
		return nil, fmt.Errorf("target %s: %w", t.Name, ctx.Err())
	}
	if resp.StatusCode != http.StatusOK {
		_ = resp.Body.Close()
		cancel()
		return nil, fmt.Errorf("target %s answered HTTP %d to the SSE stream", t.Name, resp.StatusCode)
	}
	c := &sseConn{g: g, t: t, header: header, cancel: cancel, pending: map[string]*sseWaiter{},
		other: make(chan *message, 64), done: make(chan struct{})}
	endpoint := make(chan string, 1)
	go c.read(resp.Body, endpoint)
	select {
	case e := <-endpoint:
		c.post = e
		return c, nil
	case <-c.done:
		cancel()
		return nil, fmt.Errorf("target %s: %w", t.Name, c.failure())
	case <-ctx.Done():
		c.close()
		return nil, fmt.Errorf("target %s sent no endpoint: %w", t.Name, ctx.Err())
	}
}

// read dispatches the stream's events until it ends.
func (c *sseConn) read(body io.ReadCloser, endpoint chan<- string) {
	defer body.Close()
	r := bufio.NewReaderSize(body, 32<<10)
	var dec sse.Decoder
	buf := make([]byte, 32<<10)
	sawEndpoint := false
	fail := func(err error) {
		c.mu.Lock()
		c.err = err
		for id, w := range c.pending {
			close(w.ch)
			delete(c.pending, id)
		}
		c.mu.Unlock()
		close(c.done)
	}
	for {
		n, err := r.Read(buf)
		evs := dec.Feed(buf[:n])
		if dec.Pending() > maxMessage {
			fail(fmt.Errorf("an event of more than %d bytes", maxMessage))
			return
		}
		for _, ev := range evs {
			switch ev.Name {
			case "endpoint":
				if sawEndpoint {
					continue
				}
				u, perr := c.t.URL.Parse(string(bytes.TrimSpace(ev.Data)))
				// The target's credential goes with every POST: the
				// endpoint must be the target's own origin.
				if perr != nil || u.Scheme != c.t.URL.Scheme || u.Host != c.t.URL.Host {
					fail(fmt.Errorf("the endpoint %q is not on the target's origin", ev.Data))
					return
				}
				sawEndpoint = true
				endpoint <- u.String()
			case "", "message":
				m, perr := parseMessage(ev.Data)
				if perr != nil {
					continue
				}
				c.dispatch(m)
			}
		}
		if err != nil {
			if err == io.EOF {
				err = errors.New("the target closed its SSE stream")
			}
			fail(err)
			return
		}
	}
}

// dispatch hands m to the request it belongs to: a response by id, a
// progress notification by token, anything else to the only request in
// flight or, when there is not exactly one, to the client's GET stream.
func (c *sseConn) dispatch(m *message) {
	c.mu.Lock()
	var w *sseWaiter
	switch {
	case m.isResponse():
		w = c.pending[string(m.ID)]
		delete(c.pending, string(m.ID))
		c.mu.Unlock()
		if w != nil {
			c.deliver(w, m)
			close(w.ch)
		}
		return
	case m.Method == "notifications/progress":
		p, _ := paramsOf(m)
		tok := string(p["progressToken"])
		for _, pw := range c.pending {
			if pw.token != "" && pw.token == tok {
				w = pw
			}
		}
	case len(c.pending) == 1:
		for _, pw := range c.pending {
			w = pw
		}
	}
	c.mu.Unlock()
	if w == nil {
		select {
		case c.other <- m:
		default: // no one listens: dropped, as a target's notification with no stream open is
		}
		return
	}
	c.deliver(w, m)
}

// send POSTs m; for a request, its answer streams back.
func (c *sseConn) send(ctx context.Context, m *message) (stream, error) {
	var w *sseWaiter
	if m.isRequest() {
		w = &sseWaiter{ch: make(chan *message, 16), gone: make(chan struct{})}
		if p, err := paramsOf(m); err == nil {
			if meta := p.meta(); meta != nil {
				w.token = string(meta["progressToken"])
			}
		}
		c.mu.Lock()
		if c.err != nil {
			c.mu.Unlock()
			return nil, fmt.Errorf("target %s: %w", c.t.Name, c.err)
		}
		c.pending[string(m.ID)] = w
		c.mu.Unlock()
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.post, bytes.NewReader(encode(m)))
	if err == nil {
		c.g.headers(req.Header, c.t, c.header)
		req.Header.Set("Content-Type", "application/json")
		c.g.inject(ctx, req.Header)
		var resp *http.Response
		if resp, err = c.g.client.Do(req); err == nil {
			_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<16))
			_ = resp.Body.Close()
			if resp.StatusCode/100 != 2 {
				err = &statusError{code: resp.StatusCode}
			}
		}
	}
	if err != nil {
		if w != nil {
			c.mu.Lock()
			delete(c.pending, string(m.ID))
			c.mu.Unlock()
		}
		return nil, fmt.Errorf("target %s: %w", c.t.Name, err)
	}
	if w == nil {
		return nil, nil
	}
	return &sseStream{c: c, w: w, ctx: ctx, id: m.ID}, nil
}

func (c *sseConn) close() { c.cancel() }

// sseStream is one request's share of an sseConn.
type sseStream struct {
	c        *sseConn
	w        *sseWaiter
	ctx      context.Context
	id       json.RawMessage
	end      bool
	goneOnce sync.Once
}

func (s *sseStream) next() (*message, error) {
	if s.end {
		return nil, io.EOF
	}
	select {
	case m, ok := <-s.w.ch:
		if !ok {
			s.end = true
			if err := s.c.failure(); err != nil {
				return nil, fmt.Errorf("target %s: %w", s.c.t.Name, err)
			}
			return nil, io.EOF
		}
		return m, nil
	case <-s.ctx.Done():
		s.close()
		return nil, s.ctx.Err()
	}
}

// close stops waiting; a response that still comes is dropped.
func (s *sseStream) close() {
	s.c.mu.Lock()
	if s.c.pending[string(s.id)] == s.w {
		delete(s.c.pending, string(s.id))
	}
	s.c.mu.Unlock()
	s.goneOnce.Do(func() { close(s.w.gone) })
}
