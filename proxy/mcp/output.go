package mcp

import (
	"net/http"

	"github.com/kubelb-ai/kubelb-ai/proxy/sse"
)

// output is where the answer to one client message goes: the POST's own
// response (Streamable HTTP) or the client's SSE stream (HTTP+SSE).
type output interface {
	// begin fixes the answer's form: a stream of messages or one.
	begin(stream bool)
	send(m *message) error
	// status sets the HTTP status of an answer not yet begun.
	status(code int)
	// accepted answers a notification or response: nothing to say.
	accepted()
	// session starts the client's session with rec and returns its id.
	session(g *Gateway, rec record) string
}

// httpOutput answers a Streamable HTTP POST: application/json for one
// message, text/event-stream when the target streams.
type httpOutput struct {
	w      http.ResponseWriter
	code   int
	begun  bool
	stream bool
	buf    []byte
}

func (o *httpOutput) status(code int) { o.code = code }

func (o *httpOutput) begin(stream bool) {
	if o.begun {
		return
	}
	o.begun, o.stream = true, stream
	code := o.code
	if code == 0 {
		code = http.StatusOK
	}
	if stream {
		o.w.Header().Set("Content-Type", "text/event-stream")
		o.w.Header().Set("Cache-Control", "no-cache")
	} else {
		o.w.Header().Set("Content-Type", "application/json")
	}
	o.w.WriteHeader(code)
}

func (o *httpOutput) send(m *message) error {
	o.begin(false)
	b := encode(m)
	if !o.stream {
		_, err := o.w.Write(b)
		return err
	}
	o.buf = sse.Append(o.buf[:0], sse.Event{Name: "message", Data: b})
	if _, err := o.w.Write(o.buf); err != nil {
		return err
	}
	// Every event reaches the client at once: the response too, which the
	// client may act on before the target ends its stream (read to its
	// end, so that the connection to the target is kept).
	flush(o.w)
	return nil
}

func (o *httpOutput) accepted() {
	if !o.begun {
		o.begun = true
		o.w.WriteHeader(http.StatusAccepted)
	}
}

func (o *httpOutput) session(g *Gateway, rec record) string {
	id := g.sealer.seal(rec)
	o.w.Header().Set("Mcp-Session-Id", id)
	return id
}

// finish answers a message nothing was written for.
func (o *httpOutput) finish() {
	if !o.begun {
		o.accepted()
	}
}

// flush sends what was written so far, through any wrapper of w.
func flush(w http.ResponseWriter) {
	_ = http.NewResponseController(w).Flush()
}
