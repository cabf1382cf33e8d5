package proxy

import (
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/kubelb-ai/kubelb-ai/proxy/wire"
)

// call is one client request on its way through an AI route: its body read
// once and decoded once, strictly, in the format the route says it
// carries. Every request stage (guards, webhooks, enrichment, defaults,
// the token budget) and every attempt (translation, the model, the
// upstream body) reads and changes this one view; what goes upstream is
// the original bytes when nothing changed it, else the view encoded.
type call struct {
	w  http.ResponseWriter
	r  *http.Request
	ex *exchange
	// api is the route type the request came on; ad is its client's wire
	// format, from the route (never from the client's path); nil for a
	// route type whose bodies pass through unread.
	api  *apiType
	ad   *adapter
	body []byte
	doc  map[string]any
	// changed says doc differs from body.
	changed bool
	// stream and includeUsage are what an OpenAI or Anthropic client asked
	// for in the body.
	stream, includeUsage bool
	// estimate is the prompt's tokens taken from the route's budget;
	// globalCharged what the shared token limit was charged before the call.
	estimate      int
	globalCharged int
}

// bytes is the request as it now stands.
func (c *call) bytes() ([]byte, error) {
	if !c.changed || c.doc == nil {
		return c.body, nil
	}
	b, err := wire.Encode(c.doc)
	if err == nil {
		c.body, c.changed = b, false
	}
	return b, err
}

// fail answers the call with an error in its client's format.
func (c *call) fail(status int, msg string) {
	writeFormatError(c.w, c.ad, status, msg)
}

// readBody reads the request body whole, up to limit bytes and within
// timeout: it is parsed before anything else happens and may be sent more
// than once (failover). A body announced larger than the limit is refused
// before a byte of it is read. Errors are in the client's format ad.
func readBody(w http.ResponseWriter, r *http.Request, limit int64, timeout time.Duration, ad *adapter) ([]byte, bool) {
	if limit <= 0 {
		limit = 32 << 20
	}
	if r.ContentLength > limit {
		closeAfter(w)
		writeFormatError(w, ad, http.StatusRequestEntityTooLarge, fmt.Sprintf("the request body is larger than %d bytes", limit))
		return nil, false
	}
	rc := http.NewResponseController(w)
	if timeout > 0 {
		_ = rc.SetReadDeadline(time.Now().Add(timeout))
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
	if err != nil {
		var tooBig *http.MaxBytesError
		switch {
		case errors.As(err, &tooBig):
			writeFormatError(w, ad, http.StatusRequestEntityTooLarge, fmt.Sprintf("the request body is larger than %d bytes", limit))
		case errors.Is(err, os.ErrDeadlineExceeded):
			writeFormatError(w, ad, http.StatusRequestTimeout, fmt.Sprintf("the request body did not arrive within %s", timeout))
		default:
			writeFormatError(w, ad, http.StatusBadRequest, "reading the request body: "+err.Error())
		}
		// The deadline stays: the server gives up on the rest of the body
		// instead of waiting for it before answering.
		return nil, false
	}
	if timeout > 0 {
		_ = rc.SetReadDeadline(time.Time{}) // the answer may stream for long
	}
	return body, true
}

// closeAfter makes the server close the connection after this answer,
// rather than read an unwanted body to reuse it.
func closeAfter(w http.ResponseWriter) { w.Header().Set("Connection", "close") }

// parse reads the body in the route's format. A JSON route takes JSON
// only (a clear 415 for anything else, so that a browser's simple form or
// text/plain post is refused too), decoded strictly; a body that a
// provider could read otherwise than serve does is refused with 400.
func (c *call) parse() bool {
	if c.r.Method != http.MethodPost {
		c.w.Header().Set("Allow", http.MethodPost)
		c.fail(http.StatusMethodNotAllowed, fmt.Sprintf("%s %s: this route takes POST requests with a JSON body", c.r.Method, c.r.URL.Path))
		return false
	}
	if !isJSON(c.r.Header.Get("Content-Type")) {
		c.fail(http.StatusUnsupportedMediaType, fmt.Sprintf("the request's Content-Type is %q: send the JSON body with Content-Type: application/json", c.r.Header.Get("Content-Type")))
		return false
	}
	doc, err := wire.DecodeObject(c.body)
	if err == nil {
		err = c.ad.format().Request.Check(doc)
	}
	if err != nil {
		c.fail(http.StatusBadRequest, err.Error())
		return false
	}
	c.doc = doc
	c.stream, _ = doc["stream"].(bool)
	if so, ok := doc["stream_options"].(map[string]any); ok {
		c.includeUsage, _ = so["include_usage"].(bool)
	}
	return true
}

// isJSON accepts application/json and +json types, any parameters (a
// charset other than UTF-8 is refused: JSON is UTF-8).
func isJSON(contentType string) bool {
	mt, params, err := mime.ParseMediaType(contentType)
	if err != nil {
		return false
	}
	if cs, ok := params["charset"]; ok && !strings.EqualFold(cs, "utf-8") {
		return false
	}
	return mt == "application/json" || strings.HasPrefix(mt, "application/") && strings.HasSuffix(mt, "+json")
}
