package mcp

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"time"

	"github.com/kubelb-ai/kubelb-ai/proxy/sse"
)

// Target is one MCP server behind a gateway.
type Target struct {
	// Name is the target's name: its prefix, and what authorization rules
	// see as mcp.tool.target.
	Name string
	// URL is its MCP endpoint; SSE says it speaks the 2024-11-05 HTTP+SSE
	// transport there (a GET stream and POSTs to the URL it names) rather
	// than Streamable HTTP.
	URL *url.URL
	SSE bool
	// Header is added to every request to it: its own credential. A target
	// with an Authorization here never receives the client's.
	Header http.Header
}

// maxMessage bounds one message from a target, and maxBody one from a
// client: a peer cannot make the gateway buffer without end.
const (
	maxMessage = 16 << 20
	maxBody    = 4 << 20
)

// errSessionGone is a target's 404 to a session id: the session ended
// there (a restart, an idle timeout), and the client must initialize anew.
var errSessionGone = errors.New("the target no longer knows the session")

// stream is the messages of one answer from a target, in order; next
// returns io.EOF after the last.
type stream interface {
	next() (*message, error)
	close()
}

// call is one POST to a Streamable HTTP target.
type call struct {
	sid     string // the session id to send, if any
	version string // MCP-Protocol-Version to send, if any
	header  http.Header
	body    []byte
}

// httpStream reads a Streamable HTTP answer: one JSON message, a
// text/event-stream of them, or none (202).
type httpStream struct {
	resp  *http.Response
	sse   bool
	dec   sse.Decoder
	queue []*message
	buf   []byte
	done  bool
	// sid is the session id the answer gave (initialize).
	sid string
}

func (s *httpStream) close() { _ = s.resp.Body.Close() }

func (s *httpStream) next() (*message, error) {
	for len(s.queue) == 0 {
		if s.done {
			return nil, io.EOF
		}
		if !s.sse {
			s.done = true
			b, err := io.ReadAll(io.LimitReader(s.resp.Body, maxMessage+1))
			if err != nil {
				return nil, err
			}
			if len(bytes.TrimSpace(b)) == 0 {
				return nil, io.EOF
			}
			if len(b) > maxMessage {
				return nil, fmt.Errorf("a message of more than %d bytes", maxMessage)
			}
			m, perr := parseMessage(b)
			if perr != nil {
				return nil, perr
			}
			return m, nil
		}
		if s.buf == nil {
			// Most answers are one small event; the decoder joins larger
			// ones across reads.
			s.buf = make([]byte, 4<<10)
		}
		n, err := s.resp.Body.Read(s.buf)
		evs := s.dec.Feed(s.buf[:n])
		if err != nil {
			s.done = true
			evs = append(evs, s.dec.End()...)
		}
		for _, ev := range evs {
			if (ev.Name != "" && ev.Name != "message") || len(bytes.TrimSpace(ev.Data)) == 0 {
				continue // priming events carry no data; others are not MCP's
			}
			m, perr := parseMessage(ev.Data)
			if perr != nil {
				return nil, perr
			}
			s.queue = append(s.queue, m)
		}
		if s.dec.Pending() > maxMessage {
			return nil, fmt.Errorf("an event of more than %d bytes", maxMessage)
		}
		if err != nil && err != io.EOF && len(s.queue) == 0 {
			return nil, err
		}
	}
	m := s.queue[0]
	s.queue = s.queue[1:]
	return m, nil
}

// post sends c to a Streamable HTTP target. An answer that is not 2xx
// becomes the JSON-RPC error it carries, or an error naming the status.
func (g *Gateway) post(ctx context.Context, t *target, c call) (*httpStream, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, t.URL.String(), bytes.NewReader(c.body))
	if err != nil {
		return nil, err
	}
	g.headers(req.Header, t, c.header)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json, text/event-stream")
	if c.sid != "" {
		req.Header.Set("Mcp-Session-Id", c.sid)
	}
	if c.version != "" {
		req.Header.Set("MCP-Protocol-Version", c.version)
	}
	g.inject(ctx, req.Header)
	resp, err := g.client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("target %s: %w", t.Name, err)
	}
	s := &httpStream{resp: resp, sid: resp.Header.Get("Mcp-Session-Id")}
	mt, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type"))
	s.sse = mt == "text/event-stream"
	switch {
	case resp.StatusCode == http.StatusNotFound && c.sid != "":
		s.close()
		return nil, errSessionGone
	case resp.StatusCode == http.StatusAccepted:
		s.done = true
	case resp.StatusCode/100 != 2:
		// A JSON-RPC error in the body is the target's answer; anything
		// else is a failure of the target.
		if mt == "application/json" || s.sse {
			if m, err := s.next(); err == nil && m.Error != nil {
				s.close()
				return &httpStream{resp: resp, done: true, queue: []*message{m}}, nil
			}
		}
		s.close()
		return nil, &statusError{target: t.Name, code: resp.StatusCode}
	}
	return s, nil
}

// deleteSession ends a session at a Streamable HTTP target, in the
// background: its answer changes nothing.
func (g *Gateway) deleteSession(t *target, sid string, header http.Header) {
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		req, err := http.NewRequestWithContext(ctx, http.MethodDelete, t.URL.String(), nil)
		if err != nil {
			return
		}
		g.headers(req.Header, t, header)
		req.Header.Set("Mcp-Session-Id", sid)
		if resp, err := g.client.Do(req); err == nil {
			_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<16))
			_ = resp.Body.Close()
		}
	}()
}

// headers sets what a request to t carries: the client's headers that may
// cross (forwarded), then the target's own, which win.
func (g *Gateway) headers(h http.Header, t *target, forwarded http.Header) {
	for k, vs := range forwarded {
		h[k] = vs
	}
	for k, vs := range t.Header {
		h[k] = vs
	}
}

// firstResponse reads s to the response to the request it answers,
// dropping what comes before it (a fan-out has no stream to put it on).
func firstResponse(s stream) (*message, error) {
	defer s.close()
	for {
		m, err := s.next()
		if err == io.EOF {
			return nil, errors.New("the target ended its answer without a response")
		}
		if err != nil {
			return nil, err
		}
		if m.isResponse() {
			return m, nil
		}
	}
}

// resultOf decodes a response's result into v, or returns its error.
func resultOf(m *message, v any) error {
	if m.Error != nil {
		return m.Error
	}
	if err := json.Unmarshal(m.Result, v); err != nil {
		return fmt.Errorf("a result that is not what the method returns: %v", err)
	}
	return nil
}
