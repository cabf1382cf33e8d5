package proxy

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/kubelb-ai/kubelb-ai/proxy/jsonbody"
	"github.com/kubelb-ai/kubelb-ai/proxy/translate"
)

// Chain sends each request to its upstreams in priority order, moving on
// when one cannot answer (connection error, timeout, 5xx, 429) as long as
// nothing has reached the client yet.
type Chain struct {
	Upstreams []*Upstream
	Client    *http.Client
	// MaxBody bounds a request body (default 32 MiB); the body is read
	// whole before the first try, both to retry it and because streaming it
	// through truncates responses (httputil.ReverseProxy's trap).
	MaxBody int64
	// Translate sends OpenAI-format requests to providers of other
	// formats translated, and their answers back (agentgateway's data
	// plane does; kgateway's forwards bodies as they are).
	Translate bool
	// BodyTimeout bounds reading the request body (none if zero): a client
	// that sends slowly cannot hold a connection forever.
	BodyTimeout time.Duration
	// OnFailover, if set, hears of every move to the next upstream.
	OnFailover func(from, to, reason string)

	metrics *Metrics
}

// NewClient is an HTTP client for upstreams: connections are bounded in
// time, a response may take as long as the model needs.
func NewClient(connectTimeout, headerTimeout time.Duration) *http.Client {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.DialContext = (&net.Dialer{Timeout: connectTimeout, KeepAlive: 30 * time.Second}).DialContext
	t.ResponseHeaderTimeout = headerTimeout
	t.MaxIdleConnsPerHost = 64
	return &http.Client{Transport: t, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

// headers never forwarded: hop-by-hop ones, and every provider's key header
// (replaced by the upstream's own key unless it passes the client's through).
var dropped = []string{"Connection", "Keep-Alive", "Proxy-Authenticate", "Proxy-Authorization", "Te", "Trailer", "Transfer-Encoding",
	"Upgrade", "Content-Length", "Accept-Encoding", "Host"}
var keyHeaders = []string{"Authorization", "X-Api-Key", "Api-Key", "X-Goog-Api-Key"}

func (c *Chain) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	c.serve(w, r, nil)
}

// serve sends r along the chain with a route's policy applied to its
// prompt and answers.
func (c *Chain) serve(w http.ResponseWriter, r *http.Request, pol *policy) {
	limit := c.MaxBody
	if limit <= 0 {
		limit = 32 << 20
	}
	rc := http.NewResponseController(w)
	if c.BodyTimeout > 0 {
		_ = rc.SetReadDeadline(time.Now().Add(c.BodyTimeout))
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			writeError(w, http.StatusRequestEntityTooLarge, fmt.Sprintf("the request body is larger than %d bytes", limit))
			return
		}
		if errors.Is(err, os.ErrDeadlineExceeded) {
			writeError(w, http.StatusRequestTimeout, fmt.Sprintf("the request body did not arrive within %s", c.BodyTimeout))
			return
		}
		writeError(w, http.StatusBadRequest, "reading the request body: "+err.Error())
		return
	}
	if c.BodyTimeout > 0 {
		// The answer may stream for long. (On an error the deadline stays:
		// the server then gives up on the rest of the body instead of
		// waiting for it before answering.)
		_ = rc.SetReadDeadline(time.Time{})
	}
	ex := exchangeOf(r)
	format := formatOf(r.URL.Path)
	if format == "" && len(c.Upstreams) > 0 && c.Upstreams[0].Format != "bedrock" {
		// kgateway overwrites the path: a client may post the provider's
		// own format to any path of the route.
		format = c.Upstreams[0].Format
	}
	body, rejected, err := pol.request(body, format)
	if err == nil && rejected == nil && pol != nil {
		body, rejected, err = pol.hooks.checkPrompt(r.Context(), body, format, r.Header)
	}
	switch {
	case err != nil:
		writeError(w, http.StatusBadRequest, err.Error())
		return
	case rejected != nil:
		ex.set(func(e *exchange) { e.guarded = true })
		rejected.write(w)
		return
	}
	// The token budget pays for the prompt before the call (estimated)
	// and for the rest once the provider says what the exchange cost.
	estimate := 0
	if pol != nil && pol.tokens != nil {
		estimate = estimateTokens(body, format)
		if !pol.tokens.admitTokens(w, estimate, pol.tokenLimit) {
			ex.set(func(e *exchange) {
				if c.metrics != nil {
					c.metrics.rateLimited.WithLabelValues(e.route).Inc()
				}
			})
			return
		}
	}
	var last *http.Response
	var lastVia *translation
	var lastUp *Upstream
	var lastDrop bool
	var lastErr error
	openAIClient := format == formatOpenAI
	for i, up := range c.Upstreams {
		// An OpenAI request to a provider of another format is
		// translated when the data plane would (agentgateway, --translate).
		var via *translation
		upBody := body
		if tr, ok := translate.For(up.Format); ok && c.Translate && openAIClient {
			upBody, err = tr.Request(body, up.Model)
			if err != nil {
				writeError(w, http.StatusBadRequest, fmt.Sprintf("the request cannot be sent to %s (%s): %v", up.Name, up.Format, err))
				return
			}
			via = &translation{Translator: tr, model: up.Model}
			via.stream, via.includeUsage = translate.Streaming(body)
			if via.model == "" {
				via.model = modelOf(body)
			}
		}
		// An OpenAI-format provider reports a stream's usage only when
		// asked: a token budget needs it, so serve asks (and keeps the
		// usage chunk from a client that did not). Without a budget the
		// stream passes untouched, as kgateway's does.
		dropUsage := false
		if via == nil && up.Format == formatOpenAI && format == formatOpenAI && pol != nil && pol.tokens != nil {
			upBody, dropUsage = withStreamUsage(upBody)
		}
		started := time.Now()
		resp, err := c.Client.Do(up.request(r, upBody, via))
		if c.metrics != nil && err == nil {
			c.metrics.upstream.WithLabelValues(up.Name).Observe(time.Since(started).Seconds())
		}
		ex.set(func(e *exchange) { e.provider = up.Name })
		reason := ""
		switch {
		case err != nil:
			reason, lastErr = err.Error(), err
		case resp.StatusCode >= 500 || resp.StatusCode == http.StatusTooManyRequests:
			reason = resp.Status
		}
		if r.Context().Err() != nil {
			closeBody(resp)
			return // the client left; its upstream request was cancelled with it
		}
		if reason == "" {
			closeBody(last)
			c.account(ex, pol, up, upBody, estimate, deliver(w, r, resp, via, pol, format, dropUsage))
			return
		}
		if i < len(c.Upstreams)-1 {
			if c.OnFailover != nil {
				c.OnFailover(up.Name, c.Upstreams[i+1].Name, reason)
			}
			ex.set(func(e *exchange) {
				e.failovers++
				if c.metrics != nil {
					c.metrics.failovers.WithLabelValues(e.route, up.Name, c.Upstreams[i+1].Name).Inc()
				}
			})
			closeBody(resp)
			continue
		}
		if resp != nil {
			closeBody(last)
			last, lastVia, lastUp, lastDrop = resp, via, up, dropUsage
		}
	}
	if last != nil {
		// Every upstream failed: the last one's answer.
		c.account(ex, pol, lastUp, nil, estimate, deliver(w, r, last, lastVia, pol, format, lastDrop))
		return
	}
	if pol != nil && pol.tokens != nil {
		pol.tokens.Charge(-float64(estimate)) // nothing was spent
	}
	writeError(w, http.StatusBadGateway, "no provider could be reached: "+errString(lastErr))
}

// account records what an exchange cost, as the provider said: the token
// metrics, the log line's tokens, and the token budget's correction (the
// completion, and the prompt's actual count for its estimate).
func (c *Chain) account(ex *exchange, pol *policy, up *Upstream, sent []byte, estimate int, u *usage) {
	if u == nil || !u.seen {
		return
	}
	if pol != nil && pol.tokens != nil {
		pol.tokens.Charge(float64(u.in - estimate + u.out))
	}
	ex.set(func(e *exchange) {
		e.tokensIn, e.tokensOut, e.tokensSeen = u.in, u.out, true
		if c.metrics == nil {
			return
		}
		requested := up.Model
		if requested == "" && sent != nil {
			requested = modelOf(sent)
		}
		provider := genAIProvider(up.Kind)
		c.metrics.tokens.WithLabelValues("chat", provider, requested, u.model, "input", e.route).Observe(float64(u.in))
		c.metrics.tokens.WithLabelValues("chat", provider, requested, u.model, "output", e.route).Observe(float64(u.out))
	})
}

// request is r, with body, as up receives it; via is the translation the
// body went through, if any.
func (up *Upstream) request(r *http.Request, body []byte, via *translation) *http.Request {
	u := *up.URL
	if strings.Contains(r.URL.Path, ":streamGenerateContent") || (via != nil && via.stream && up.Format == "gemini") {
		// Gemini names streaming in the path; the data plane keeps it.
		u.Path = strings.Replace(u.Path, ":generateContent", ":streamGenerateContent", 1)
		q := u.Query()
		q.Set("alt", "sse")
		u.RawQuery = q.Encode()
	}
	if via != nil && via.stream && up.Format == "bedrock" {
		u.Path = strings.TrimSuffix(u.Path, "/converse") + "/converse-stream"
	}
	if up.Format == "bedrock" {
		// AWS signs the path with each segment escaped (a model id's ":"
		// is %3A), as its SDKs send it.
		segs := strings.Split(u.Path, "/")
		for i := range segs {
			segs[i] = url.PathEscape(segs[i])
		}
		u.RawPath = strings.Join(segs, "/")
	}
	if via == nil {
		body = up.withModel(body) // a translation has set it already
	}
	out, _ := http.NewRequestWithContext(r.Context(), r.Method, u.String(), bytes.NewReader(body))
	out.Header = r.Header.Clone()
	for _, h := range dropped {
		out.Header.Del(h)
	}
	if !up.Passthrough {
		for _, h := range keyHeaders {
			out.Header.Del(h)
		}
		if up.AuthHeader != "" && up.Key != "" {
			out.Header.Set(up.AuthHeader, up.AuthPrefix+up.Key)
		}
	}
	for k, v := range up.Extra {
		if out.Header.Get(k) == "" {
			out.Header.Set(k, v)
		}
	}
	out.ContentLength = int64(len(body))
	if up.AWS != nil && !up.Passthrough {
		up.sign(out, body)
	}
	return out
}

// sign signs a Bedrock request with AWS Signature Version 4.
func (up *Upstream) sign(req *http.Request, body []byte) {
	sum := sha256.Sum256(body)
	creds := aws.Credentials{AccessKeyID: up.AWS.AccessKey, SecretAccessKey: up.AWS.SecretKey, SessionToken: up.AWS.SessionToken}
	_ = v4.NewSigner().SignHTTP(req.Context(), creds, req, hex.EncodeToString(sum[:]), "bedrock", up.AWS.Region, time.Now())
}

// copyBuffers are relay's buffers, reused: a fresh 32 KiB per response was
// the largest allocation of a request.
var copyBuffers = sync.Pool{New: func() any { b := make([]byte, 32<<10); return &b }}

// relay copies resp to w. A response of unknown length (a stream) is
// flushed after every read, so that each event reaches the client as the
// provider sent it; one whose length is known is not a stream and goes out
// in one piece. An upstream that fails mid-stream ends an event stream with
// an error event.
func relay(w http.ResponseWriter, resp *http.Response, u *usage) {
	defer resp.Body.Close()
	for k, v := range resp.Header {
		if !slices.Contains(dropped, http.CanonicalHeaderKey(k)) {
			w.Header()[k] = v
		}
	}
	w.WriteHeader(resp.StatusCode)
	rc := http.NewResponseController(w)
	stream := resp.ContentLength < 0
	events := strings.HasPrefix(resp.Header.Get("Content-Type"), "text/event-stream") && resp.StatusCode < 300
	bp := copyBuffers.Get().(*[]byte)
	defer copyBuffers.Put(bp)
	buf := *bp
	for {
		n, err := resp.Body.Read(buf)
		if n > 0 {
			if _, werr := w.Write(buf[:n]); werr != nil {
				return // the client left
			}
			if stream {
				_ = rc.Flush()
			}
		}
		// The usage is read after the bytes are on their way: the client
		// does not wait for the accounting.
		if n > 0 && u != nil && resp.StatusCode < 300 {
			if events {
				u.Feed(buf[:n])
			} else {
				u.answer(buf[:n])
			}
		}
		if err == io.EOF {
			if u != nil {
				u.End()
				u.done()
			}
			return
		}
		if err != nil {
			if strings.HasPrefix(resp.Header.Get("Content-Type"), "text/event-stream") && !errors.Is(err, context.Canceled) {
				b, _ := json.Marshal(map[string]any{"error": map[string]any{"type": "upstream_error", "message": "the provider ended the stream early: " + err.Error()}})
				fmt.Fprintf(w, "\nevent: error\ndata: %s\n\n", b)
				_ = rc.Flush()
			}
			return
		}
	}
}

func writeError(w http.ResponseWriter, status int, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]any{"error": map[string]any{"type": "gateway_error", "message": msg}})
}

func closeBody(resp *http.Response) {
	if resp != nil {
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
		resp.Body.Close()
	}
}

func errString(err error) string {
	if err == nil {
		return "no upstream"
	}
	return err.Error()
}

// withModel sets the upstream's model in a JSON request body of a format
// that names the model in the body; other bodies pass unchanged. Only the
// model's value is replaced (jsonbody.SetString): the rest of the body goes
// upstream byte for byte, and nothing is decoded.
func (up *Upstream) withModel(body []byte) []byte {
	if up.Model == "" || (up.Format != "openai" && up.Format != "anthropic") {
		return body
	}
	raw := up.modelJSON
	if raw == nil { // an Upstream not made by NewUpstream
		raw, _ = json.Marshal(up.Model)
	}
	return jsonbody.Set(body, "model", raw)
}
