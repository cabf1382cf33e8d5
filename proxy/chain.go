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
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/trace"

	"github.com/kubelb-ai/kubelb-ai/proxy/jsonbody"
	"github.com/kubelb-ai/kubelb-ai/proxy/redact"
	"github.com/kubelb-ai/kubelb-ai/proxy/telemetry"
	"github.com/kubelb-ai/kubelb-ai/proxy/translate"
	"github.com/kubelb-ai/kubelb-ai/proxy/wire"
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
	// Format is the wire format of the chain's requests (default: its
	// first upstream's, as kgateway forwards bodies in the provider's own
	// format; OpenAI's where the data plane translates). RouteTypes, on
	// agentgateway, pick it by the request path's suffix.
	Format     string
	RouteTypes []RouteType
	// StreamIdleTimeout ends an answer whose provider has sent nothing
	// for that long (default 60s).
	StreamIdleTimeout time.Duration

	metrics *Metrics
	// service: the chain is a plain Service backend (no key, no format).
	service bool
	// keys redacts every key serve injects from answers.
	keys *redact.Redactor
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

// hopByHop are the headers of one connection, never passed on.
var hopByHop = []string{"Connection", "Keep-Alive", "Proxy-Authenticate", "Proxy-Authorization", "Te", "Trailer", "Transfer-Encoding",
	"Upgrade", "Content-Length", "Host"}

// forwarded are the request headers every provider gets from the client:
// content negotiation and tracing. Each provider adds its documented
// optional headers (templates' Headers); everything else (cookies, the
// client's credentials, organisation and project selectors, AWS signing
// headers) stays behind.
var forwarded = []string{"Accept", "Accept-Language", "User-Agent", "Traceparent", "Tracestate", "X-Request-Id"}

func (c *Chain) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	c.serve(w, r, nil)
}

// serve runs one request through the route's stages and the chain's
// upstreams: read and parse once, the route's request policy, then each
// upstream in turn until one answers, then the answer's stages.
func (c *Chain) serve(w http.ResponseWriter, r *http.Request, pol *policy) {
	ex := exchangeOf(r)
	api, err := c.apiFor(r.URL.Path)
	if err != nil {
		writeFormatError(w, nil, http.StatusNotImplemented, err.Error())
		return
	}
	if r.Method == http.MethodOptions && !c.service {
		// A preflight (or any OPTIONS) is answered here: never sent to a
		// provider with a key (a Service gets its own).
		w.Header().Set("Allow", http.MethodPost)
		w.WriteHeader(http.StatusNoContent)
		return
	}
	if api.answer != nil {
		api.answer(w)
		return
	}
	body, ok := readBody(w, r, c.MaxBody, c.BodyTimeout, api.client)
	if !ok {
		return
	}
	cl := &call{w: w, r: r, ex: ex, body: body, api: api}
	if api.client == nil {
		// Passed through unread: refused where the route's policies must
		// read every request, unless there is nothing to read (a GET of
		// the provider's model list carries no prompt).
		if pol.readsBodies() && (len(body) > 0 || r.Method != http.MethodGet && r.Method != http.MethodHead) {
			writeError(w, http.StatusForbidden, fmt.Sprintf("%s is passed through unread (route type %s), but the route's policies (prompt guard, webhook, token limit, enrichment, defaults) must read every request: refused", r.URL.Path, api.name))
			return
		}
	} else {
		cl.ad = api.client
		if !cl.parse() || !pol.request(cl) {
			return
		}
	}
	if _, err := cl.bytes(); err != nil {
		cl.fail(http.StatusBadRequest, err.Error())
		return
	}
	if api.name == "AnthropicTokenCount" && len(c.Upstreams) > 0 && !countsTokens(c.Upstreams[0]) {
		// As agentgateway: a provider that cannot count Anthropic's way
		// gets no call; the gateway answers its own estimate.
		cl.countLocally()
		return
	}
	var last *http.Response
	var lastAttempt *attempt
	var lastErr error
	var tr *tracing
	if ex != nil {
		tr = ex.tracing
	}
	for i, up := range c.Upstreams {
		at, err := c.prepare(cl, up, pol)
		if err != nil {
			if cannotCarry(err) {
				lastErr = err
				continue // another provider of the chain may take the request
			}
			cl.fail(http.StatusBadRequest, fmt.Sprintf("the request cannot be sent to %s (%s): %v", up.Name, up.Kind, err))
			c.refund(pol, cl)
			return
		}
		tr.startAttempt(cl, at) // failover attempts are siblings under the request's span
		started := time.Now()
		resp, err := c.Client.Do(at.req)
		if c.metrics != nil && err == nil {
			c.metrics.upstream.WithLabelValues(up.Name).Observe(time.Since(started).Seconds())
		}
		ex.set(func(e *exchange) {
			e.provider = up.Name
			if op := cl.operation(); op != "" {
				e.genAI = genAIAttrs{operation: op, provider: genAIProvider(up.Kind), requestModel: c.metrics.modelLabel(cl.requestedModel(up))}
			}
		})
		reason := ""
		switch {
		case err != nil:
			reason, lastErr = err.Error(), err
		case resp.StatusCode >= 500 || resp.StatusCode == http.StatusTooManyRequests:
			reason = resp.Status
		}
		if r.Context().Err() != nil {
			endAttempt(at, statusOf(resp), nil, "client_gone")
			closeBody(resp)
			at.cancel()
			c.refund(pol, cl)
			ex.set(func(e *exchange) { e.outcome = "client_gone" })
			return // the client left; its upstream request was cancelled with it
		}
		if reason == "" {
			closeBody(last)
			if lastAttempt != nil {
				lastAttempt.cancel()
			}
			c.finish(cl, pol, at, resp)
			return
		}
		if i < len(c.Upstreams)-1 || resp == nil {
			// A failed attempt; the last one's answer, if any, ends its
			// span once delivered (finish).
			errType := ""
			if err != nil {
				errType = telemetry.ErrorType(err)
			}
			endAttempt(at, statusOf(resp), nil, errType)
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
			at.cancel()
			continue
		}
		if resp != nil {
			closeBody(last)
			if lastAttempt != nil {
				lastAttempt.cancel()
			}
			last, lastAttempt = resp, at
		} else {
			at.cancel()
		}
	}
	if last != nil {
		// Every upstream failed: the last one's answer.
		c.finish(cl, pol, lastAttempt, last)
		return
	}
	c.refund(pol, cl)
	if cannotCarry(lastErr) {
		cl.fail(http.StatusBadRequest, lastErr.Error())
		return
	}
	cl.fail(http.StatusBadGateway, "no provider could be reached: "+errString(lastErr))
}

// refund gives back a prompt's estimate when no provider was called.
func (c *Chain) refund(pol *policy, cl *call) {
	if pol != nil && pol.tokens != nil && cl.estimate > 0 {
		pol.tokens.Charge(-float64(cl.estimate))
	}
}

// finish delivers an upstream's answer, accounts for it, and breaks the
// client's connection when the answer could not be delivered whole, so
// that a cut answer never looks complete.
func (c *Chain) finish(cl *call, pol *policy, at *attempt, resp *http.Response) {
	defer at.end()
	var u *usage
	if at.span != nil {
		// The attempt's span ends with the answer (its usage on it),
		// however the delivery ends.
		defer func() {
			var outcome string
			cl.ex.set(func(e *exchange) { outcome = e.outcome })
			endAttempt(at, resp.StatusCode, u, outcome)
		}()
	}
	u, broken := c.deliver(cl, pol, at, resp)
	c.scrub(u, at.facts)
	c.account(cl, pol, at, u)
	if broken {
		panic(http.ErrAbortHandler)
	}
}

// scrub takes the keys serve injects out of what an answer said of itself
// (its model, id, finish reasons and text), which leave serve as metric
// labels and span attributes: a provider that echoes a key must not hand
// it to /metrics or a trace collector, as the redactor keeps it from the
// client.
func (c *Chain) scrub(u *usage, f *answerFacts) {
	red := c.redactor()
	if u != nil {
		u.model = red.String(u.model)
	}
	if f != nil {
		f.id = red.String(f.id)
		for i := range f.finish {
			f.finish[i] = red.String(f.finish[i])
		}
		if text := f.text.String(); text != "" {
			if clean := red.String(text); clean != text {
				f.text.Reset()
				f.text.WriteString(clean)
			}
		}
	}
}

// account records what an exchange cost, as the provider said: the token
// metrics, the log line's tokens, and the token budget's correction (the
// completion, and the prompt's actual count for its estimate). An answer
// whose usage never came (a client that hung up, a cut stream, a provider
// that does not say) is charged the tokens of the text that was relayed.
func (c *Chain) account(cl *call, pol *policy, at *attempt, u *usage) {
	if u == nil || cl.api != nil && cl.api.name == "AnthropicTokenCount" {
		return // a count costs nothing
	}
	if !u.seen {
		if pol != nil && pol.tokens != nil {
			pol.tokens.Charge(float64(u.relayedTokens()))
		}
		if pol != nil && pol.globalTokens != nil {
			pol.globalTokens.amend(varsOf(cl.r), u.relayedTokens())
		}
		return
	}
	if pol != nil && pol.tokens != nil {
		pol.tokens.Charge(float64(u.in - cl.estimate + u.out))
	}
	if pol != nil && pol.globalTokens != nil {
		pol.globalTokens.amend(varsOf(cl.r), u.in-cl.globalCharged+u.out)
	}
	cl.ex.set(func(e *exchange) {
		e.tokensIn, e.tokensOut, e.tokensSeen = u.in, u.out, true
		e.genAI.responseModel = c.metrics.modelLabel(u.model)
		if c.metrics == nil {
			return
		}
		requested := c.metrics.modelLabel(cl.requestedModel(at.up))
		provider := genAIProvider(at.up.Kind)
		if a := c.metrics.compatMetrics(); a != nil && e.genAI.operation != "" {
			a.observeTokens(e, u.in, u.out)
		}
		op := cl.operation()
		if op == "" {
			op = "chat" // a request passed through that reported a usage
		}
		c.metrics.tokens.WithLabelValues(op, provider, requested, e.genAI.responseModel, "input", e.route).Observe(float64(u.in))
		if op != "embeddings" { // embeddings have no output
			c.metrics.tokens.WithLabelValues(op, provider, requested, e.genAI.responseModel, "output", e.route).Observe(float64(u.out))
		}
	})
}

// requestedModel is the model an exchange asks up for: up's own, or the
// one the request names.
func (cl *call) requestedModel(up *Upstream) string {
	requested := up.Model
	if requested == "" && cl.doc != nil {
		requested, _ = cl.doc["model"].(string)
	}
	return requested
}

// operation is the GenAI conventions' gen_ai.operation.name of a request
// serve reads ("" for one passed through unread, or a token count, which
// is no model operation): generate_content for Gemini's own API, as the
// conventions name it, chat for every other conversation.
func (cl *call) operation() string {
	switch {
	case cl.ad == nil || cl.api == nil || cl.api.name == "AnthropicTokenCount":
		return ""
	case cl.api.name == "Embeddings":
		return "embeddings"
	case cl.ad == geminiAdapter:
		return "generate_content"
	}
	return "chat"
}

// errCannotCarry is an upstream that cannot take the request's format.
var errCannotCarry = errors.New("no provider of the route takes this request's format")

// cannotCarry reports whether err says one provider cannot take the
// request (its format, or a member its translation refuses), so that the
// next provider of a failover chain may.
func cannotCarry(err error) bool {
	return errors.Is(err, errCannotCarry) || errors.Is(err, translate.ErrUnsupported) || errors.Is(err, translate.ErrUnsupportedEmbedding)
}

// attempt is one upstream's try at a request.
type attempt struct {
	up  *Upstream
	req *http.Request
	// via is the translation the body went through, if any; dropUsage
	// says the usage chunk serve asked for must not reach the client.
	via       *translation
	dropUsage bool
	cancel    context.CancelFunc
	// idle ends the attempt when the provider goes silent.
	idle    *time.Timer
	timeout time.Duration
	silent  atomic.Bool
	// span is the attempt's CLIENT span (nil: not traced); facts what
	// its answer says of itself, read for the span.
	span    trace.Span
	facts   *answerFacts
	content bool
	// attrs are the span's request attributes, set when it ends.
	attrs []attribute.KeyValue
}

// end releases what the attempt holds: its request and its idle timer.
func (at *attempt) end() {
	if at.idle != nil {
		at.idle.Stop()
	}
	at.cancel()
}

// prepare is the per-attempt step: the request as up receives it, in its
// format and at its endpoint for the route type (translated when the data
// plane translates), with its headers and its credential.
func (c *Chain) prepare(cl *call, up *Upstream, pol *policy) (*attempt, error) {
	if cl.ad == nil { // passed through unread
		return c.newAttempt(cl, up, cl.body, nil, nil), nil
	}
	switch cl.api.name {
	case "Embeddings":
		return c.prepareEmbeddings(cl, up)
	case "AnthropicTokenCount":
		if !countsTokens(up) {
			return nil, fmt.Errorf("%w: %s (%s) cannot count tokens Anthropic's way", errCannotCarry, up.Name, up.Kind)
		}
		u, _ := up.urlFor("AnthropicTokenCount")
		return c.newAttempt(cl, up, up.withModel(cl.body), u, nil), nil
	case "Responses":
		if u, ok := up.urlFor("Responses"); ok && up.Format == wire.OpenAI {
			return c.newAttempt(cl, up, up.withModel(cl.body), u, nil), nil // OpenAI's own API
		}
	}
	switch {
	case up.Format == cl.ad.format().Name:
		body := up.withModel(cl.body)
		// An OpenAI-format provider reports a stream's usage only when
		// asked: a token budget needs it, so serve asks (and keeps the
		// usage chunk from a client that did not). Without a budget the
		// stream passes untouched, as kgateway's does.
		if up.Format == wire.OpenAI && pol.countsTokens() && cl.stream && !cl.includeUsage {
			at := c.newAttempt(cl, up, withStreamUsage(body), nil, nil)
			at.dropUsage = true
			return at, nil
		}
		return c.newAttempt(cl, up, body, nil, nil), nil
	case cl.api.pivot != nil && c.Translate:
		return c.preparePivot(cl, up)
	case cl.ad.format().Name == wire.OpenAI && c.Translate:
		tr := adapterFor(up.Format).translator
		if tr == nil {
			return nil, fmt.Errorf("%w: %s (%s) is not reached from OpenAI's format", errCannotCarry, up.Name, up.Format)
		}
		body, err := tr.Request(cl.body, up.Model)
		if err != nil {
			return nil, err
		}
		via := &translation{Translator: tr, model: up.Model, stream: cl.stream, includeUsage: cl.includeUsage}
		if via.model == "" {
			via.model, _ = cl.doc["model"].(string)
		}
		return c.newAttempt(cl, up, body, nil, via), nil
	}
	return nil, fmt.Errorf("%w: %s speaks %s, the request is %s", errCannotCarry, up.Name, up.Format, cl.ad.format().Name)
}

// preparePivot sends a client API a provider does not speak (Anthropic's
// Messages to OpenAI, Gemini or Bedrock; OpenAI's Responses to all but
// OpenAI) through chat completions: client → chat → the provider's format,
// and the answer back the same way.
func (c *Chain) preparePivot(cl *call, up *Upstream) (*attempt, error) {
	pivot := cl.api.pivot(cl.body)
	chat, err := pivot.Request(cl.body)
	if err != nil {
		return nil, err
	}
	model := up.Model
	if model == "" {
		model, _ = cl.doc["model"].(string)
	}
	via := &translation{pivot: pivot, model: model, stream: cl.stream, includeUsage: true}
	if up.Format == wire.OpenAI {
		return c.newAttempt(cl, up, up.withModel(chat), nil, via), nil
	}
	tr := adapterFor(up.Format).translator
	if tr == nil {
		return nil, fmt.Errorf("%w: %s (%s) is not reached from chat completions", errCannotCarry, up.Name, up.Format)
	}
	body, err := tr.Request(chat, up.Model)
	if err != nil {
		return nil, err
	}
	via.Translator = tr
	return c.newAttempt(cl, up, body, nil, via), nil
}

// prepareEmbeddings sends an OpenAI embeddings request to a provider's
// embedding endpoint: as it is to an OpenAI-compatible one, translated to
// Gemini's, Vertex AI's or Bedrock's; a provider without one cannot carry
// it (Anthropic has no embeddings API).
func (c *Chain) prepareEmbeddings(cl *call, up *Upstream) (*attempt, error) {
	u, ok := up.urlFor("Embeddings")
	if !ok {
		return nil, fmt.Errorf("%w: %s (%s) has no embeddings API", errCannotCarry, up.Name, up.Kind)
	}
	if up.Format == wire.OpenAI {
		return c.newAttempt(cl, up, up.withModel(cl.body), u, nil), nil
	}
	e, ok := translate.EmbedderFor(up.Kind)
	if !ok {
		return nil, fmt.Errorf("%w: %s (%s) has no embeddings translation", errCannotCarry, up.Name, up.Kind)
	}
	body, err := e.Request(cl.body, up.Model)
	if err != nil {
		return nil, err
	}
	model := up.Model
	if model == "" {
		model, _ = cl.doc["model"].(string)
	}
	return c.newAttempt(cl, up, body, u, &translation{embedder: e, request: cl.body, model: model}), nil
}

// countsTokens reports whether a provider counts tokens Anthropic's way
// (agentgateway forwards token counting to those, and answers its own
// estimate for the rest).
func countsTokens(up *Upstream) bool {
	_, ok := up.urlFor("AnthropicTokenCount")
	return ok && up.Format == wire.Anthropic
}

// newAttempt is an attempt of cl at up with body, sent to endpoint (nil:
// up's chat endpoint) after translation via (nil: none).
func (c *Chain) newAttempt(cl *call, up *Upstream, body []byte, endpoint *url.URL, via *translation) *attempt {
	ctx, cancel := context.WithCancel(cl.r.Context())
	at := &attempt{up: up, via: via, cancel: cancel, timeout: c.StreamIdleTimeout}
	if at.timeout <= 0 {
		at.timeout = 60 * time.Second
	}
	if endpoint == nil {
		endpoint = up.URL
	}
	at.req = up.request(ctx, cl, body, endpoint, via)
	return at
}

// request is the client's request, with body, as up receives it at
// endpoint; via is the translation the body went through, if any.
func (up *Upstream) request(ctx context.Context, cl *call, body []byte, endpoint *url.URL, via *translation) *http.Request {
	r := cl.r
	u := *endpoint
	if cl.ad == nil {
		// Passed through: the client's path on the provider's host.
		u.Path, u.RawPath, u.RawQuery = strings.TrimSuffix(up.base(), "/")+r.URL.Path, "", r.URL.RawQuery
	}
	if cl.ad != nil {
		adapterFor(up.Format).address(&u, r.URL.Path, via != nil && via.stream)
	}
	out, _ := http.NewRequestWithContext(ctx, r.Method, u.String(), bytes.NewReader(body))
	out.Header = http.Header{}
	if slices.Contains(up.Headers, "*") {
		out.Header = r.Header.Clone()
		for _, h := range hopByHop {
			out.Header.Del(h)
		}
	}
	for _, h := range forwarded {
		if v := r.Header.Values(h); len(v) > 0 {
			out.Header[h] = v
		}
	}
	for _, h := range up.Headers {
		if v := r.Header.Values(h); len(v) > 0 {
			out.Header[http.CanonicalHeaderKey(h)] = v
		}
	}
	if cl.ad != nil {
		out.Header.Set("Content-Type", "application/json")
	} else if ct := r.Header.Get("Content-Type"); ct != "" {
		out.Header.Set("Content-Type", ct)
	}
	switch {
	case up.Passthrough && up.AuthHeader != "":
		// The client's own credential, for this provider only, in its
		// header: never a header meant for another provider.
		v := r.Header.Values(up.AuthHeader)
		if id := identityOf(r); len(v) == 0 && id != nil {
			// The gateway's client check took it off; passthrough puts
			// it back for the provider, as agentgateway does.
			v = id.stripped.Values(up.AuthHeader)
		}
		if len(v) > 0 {
			out.Header[http.CanonicalHeaderKey(up.AuthHeader)] = v
		}
	case up.AuthHeader != "" && up.Key != "":
		out.Header.Set(up.AuthHeader, up.AuthPrefix+up.Key)
	}
	for k, v := range up.Extra {
		out.Header.Set(k, v)
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

// copyBuffers are deliver's buffers, reused: a fresh 32 KiB per response
// was the largest allocation of a request.
var copyBuffers = sync.Pool{New: func() any { b := make([]byte, 32<<10); return &b }}

// writeError answers an error in OpenAI's shape, for requests whose
// route type is not known yet or whose body is not read.
func writeError(w http.ResponseWriter, status int, msg string) {
	writeFormatError(w, nil, status, msg)
}

// statusOf is a response's status, 0 without one.
func statusOf(resp *http.Response) int {
	if resp == nil {
		return 0
	}
	return resp.StatusCode
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
