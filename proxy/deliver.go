package proxy

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/kubelb-ai/kubelb-ai/proxy/jsonbody"
	"github.com/kubelb-ai/kubelb-ai/proxy/redact"
	"github.com/kubelb-ai/kubelb-ai/proxy/sse"
	"github.com/kubelb-ai/kubelb-ai/proxy/translate"
	"github.com/kubelb-ai/kubelb-ai/proxy/wire"
)

// translation is how one upstream exchange is translated: the provider's
// translator (chat completions to its format; nil for OpenAI's own), the
// pivot from the client's API to chat completions (nil for a chat
// client), or the embedder; the model to name in answers, and what the
// client asked for.
type translation struct {
	translate.Translator
	pivot    translate.Client
	embedder translate.Embedder
	// request is the client's request, which an embedder's answer
	// follows (how many inputs, which encoding).
	request              []byte
	model                string
	stream, includeUsage bool
}

// response turns a provider's whole answer into the client's, with the
// usage it reports.
func (t *translation) response(status int, data []byte) ([]byte, translate.Usage) {
	if t.embedder != nil {
		return t.embedder.Response(status, data, t.request, t.model)
	}
	var used translate.Usage
	if t.Translator != nil {
		data, used = t.Translator.Response(status, data, t.model)
	} else if status < 300 {
		used = chatUsage(data)
	}
	if t.pivot != nil {
		data = t.pivot.Response(status, data)
	}
	return data, used
}

// maxAnswer bounds a provider's whole (not streamed) answer that serve
// must read whole to change it (translate, mask, judge): a larger one is
// refused, never cut.
const maxAnswer = 32 << 20

// maxStreamEvent bounds one event of a provider's stream. Each reader of
// the stream (translation, masks, the webhook, usage, traces) holds an
// event whole until it ends, so a provider sending one without end would
// grow every one of them; the stream is cut with an error instead. Real
// events are kilobytes, a streamed image's a few megabytes.
const maxStreamEvent = 16 << 20

// deliver sends an upstream's answer to the client through the response
// stages: translation into the client's format, the response guard's
// masks, the response webhook, the usage chunk serve asked for taken out,
// and the keys serve injects redacted. It returns the usage the provider
// reported (or the text relayed, to count) and whether the answer was cut
// (the client's connection must then break: a cut answer never looks
// complete).
func (c *Chain) deliver(cl *call, pol *policy, at *attempt, resp *http.Response) (*usage, bool) {
	defer resp.Body.Close()
	w := cl.w
	// The usage is where the provider's answer says it: in the client's
	// format when the provider took the client's API as it was.
	u := &usage{ad: adapterFor(at.up.Format)}
	if at.via == nil && cl.ad != nil {
		u.ad = cl.ad
	}
	red := c.redactor()
	body := at.watch(resp.Body)
	ct := resp.Header.Get("Content-Type")
	eventStream := resp.StatusCode < 300 && strings.HasPrefix(ct, "application/vnd.amazon.eventstream")
	stream := eventStream || resp.StatusCode < 300 && strings.HasPrefix(ct, "text/event-stream")
	if stream && !eventStream {
		body = sse.Bounded(body, maxStreamEvent)
	}
	body = at.watchFacts(body, stream, eventStream, u.ad)
	if !stream && resp.StatusCode < 300 {
		u.facts = at.facts
	}
	changes := at.via != nil || pol.masksAnswers() || pol.hooksAnswers() || at.dropUsage
	for k, v := range resp.Header {
		k = http.CanonicalHeaderKey(k)
		if slices.Contains(hopByHop, k) || k == "Set-Cookie" || changes && k == "Content-Encoding" {
			continue
		}
		w.Header()[k] = slices.Clone(v)
	}
	red.Header(w.Header())
	if !stream && changes && cl.ad != nil {
		return u, c.deliverWhole(cl, pol, at, resp, body, u, red)
	}
	var filters []streamFilter
	switch {
	case at.via != nil && stream:
		if at.via.Translator != nil {
			ts := at.via.Stream(at.via.model, at.via.includeUsage)
			filters = append(filters, ts)
			defer func() { u.from(ts.Usage()) }()
		} else {
			filters = append(filters, u) // chat chunks: their usage as they go by
		}
		if at.via.pivot != nil {
			filters = append(filters, at.via.pivot.Stream(at.via.model))
		}
		w.Header().Set("Content-Type", "text/event-stream")
	case stream:
		filters = append(filters, u) // reads the provider's usage as it goes by
	}
	if stream && cl.ad != nil {
		if pol.masksAnswers() {
			filters = append(filters, pol.streamMasker(cl.ad))
		}
		if pol.hooksAnswers() {
			filters = append(filters, pol.hooks.streamFilter(cl.r.Context(), cl.ad, cl.r.Header))
		}
		if at.dropUsage {
			filters = append(filters, &usageChunkDropper{})
		}
		if pol.countsTokens() {
			filters = append(filters, &textCounter{u: u, shape: cl.ad.format().Event})
		}
	}
	filters = append(filters, red.Stream())
	w.WriteHeader(resp.StatusCode)
	rc := http.NewResponseController(w)
	bp := copyBuffers.Get().(*[]byte)
	defer copyBuffers.Put(bp)
	buf := *bp
	send := func(out []byte) bool {
		if len(out) == 0 {
			return true
		}
		if _, err := w.Write(out); err != nil {
			return false // the client left
		}
		_ = rc.Flush()
		return true
	}
	var whole []byte // a whole answer relayed as it is, for its usage
	for {
		n, err := body.Read(buf)
		out := buf[:n]
		if !stream && n > 0 && resp.StatusCode < 300 && len(whole)+n <= maxScanned {
			whole = append(whole, out...)
		}
		for _, f := range filters {
			out = f.Feed(out)
		}
		if !send(out) {
			cl.ex.set(func(e *exchange) { e.outcome = "client_gone" })
			return u, false
		}
		if err == io.EOF {
			// Each filter's end goes through the filters after it.
			var tail []byte
			for i, f := range filters {
				if i > 0 {
					tail = f.Feed(tail)
				}
				tail = append(tail, f.End()...)
			}
			send(tail)
			if whole != nil {
				u.read(whole)
				if pol.countsTokens() && cl.ad != nil && !u.seen {
					u.relayAnswer(whole, cl.ad.format().Answer)
				}
			}
			return u, false
		}
		if err != nil {
			if cl.r.Context().Err() != nil && !at.silent.Load() {
				cl.ex.set(func(e *exchange) { e.outcome = "client_gone" })
				return u, false
			}
			why := at.failure(err)
			cl.ex.set(func(e *exchange) { e.outcome = why.outcome })
			if stream {
				send(errorEvent(cl.ad, why.message))
			}
			return u, true
		}
	}
}

// deliverWhole sends a whole answer that serve changes: read whole
// (bounded), translated, masked, judged, redacted. An answer that cannot
// be read or changed is a 502 in the client's error shape, never passed on
// half done.
func (c *Chain) deliverWhole(cl *call, pol *policy, at *attempt, resp *http.Response, body io.Reader, u *usage, red *redact.Redactor) bool {
	w := cl.w
	data, err := io.ReadAll(io.LimitReader(body, maxAnswer+1))
	fail := func(outcome, msg string) bool {
		cl.ex.set(func(e *exchange) { e.outcome = outcome })
		w.Header().Del("Content-Encoding")
		writeFormatError(w, cl.ad, http.StatusBadGateway, msg)
		return false
	}
	switch {
	case err != nil:
		why := at.failure(err)
		return fail(why.outcome, why.message)
	case len(data) > maxAnswer:
		return fail("too_large", fmt.Sprintf("the provider's answer is larger than %d bytes: too large for the route's policies to read whole", maxAnswer))
	}
	status := resp.StatusCode
	if at.via != nil {
		if at.facts != nil && status < 300 {
			at.facts.read(data) // the provider's own answer
		}
		var used translate.Usage
		data, used = at.via.response(status, data)
		u.from(used)
		if status < 300 && !used.Seen && !json200(data) {
			status = http.StatusBadGateway // the answer did not translate
		}
		w.Header().Set("Content-Type", "application/json")
	} else if status < 300 {
		u.read(data)
	}
	if status < 300 && (pol.masksAnswers() || pol.hooksAnswers()) {
		doc, err := wire.DecodeObject(data)
		if err != nil {
			return fail("unreadable_answer", "the provider's answer could not be read to apply the route's response policies: "+err.Error())
		}
		if pol.masksAnswers() {
			pol.maskTexts(doc, cl.ad.format().Answer)
		}
		if pol.hooksAnswers() {
			if err := pol.hooks.checkAnswer(cl.r.Context(), doc, cl.ad.format().Answer, cl.r.Header); err != nil {
				writeError(w, http.StatusInternalServerError, "Error with guardrails webhook: "+err.Error())
				return false
			}
		}
		if data, err = marshal(doc); err != nil {
			return fail("unreadable_answer", err.Error())
		}
	}
	if status < 300 && pol.countsTokens() && !u.seen {
		u.relayAnswer(data, cl.ad.format().Answer)
	}
	w.WriteHeader(status)
	_, _ = w.Write(red.Bytes(data))
	return false
}

// json200 reports whether a translated answer is a completion, not the
// error a translator makes of an answer it could not read.
func json200(b []byte) bool {
	_, isErr := jsonbody.Find(b, "error")
	return !isErr
}

// relayAnswer keeps the text of a whole answer, to count.
func (u *usage) relayAnswer(data []byte, shape *wire.Shape) {
	if doc, err := wire.Decode(data); err == nil {
		shape.Texts(doc, func(s *wire.Slot) { u.relay(s.Value) })
	}
}

// watch reads an answer's body with the attempt's idle timeout: a provider
// silent for that long (mid-stream, or mid-body) ends the attempt.
func (at *attempt) watch(body io.Reader) io.Reader {
	at.idle = time.AfterFunc(at.timeout, func() {
		at.silent.Store(true)
		at.cancel()
	})
	return &idleReader{r: body, at: at}
}

type idleReader struct {
	r  io.Reader
	at *attempt
}

func (r *idleReader) Read(p []byte) (int, error) {
	n, err := r.r.Read(p)
	if n > 0 {
		r.at.idle.Reset(r.at.timeout)
	}
	if err != nil {
		r.at.idle.Stop()
	}
	return n, err
}

// failure says how an answer that broke off broke off.
func (at *attempt) failure(err error) struct{ outcome, message string } {
	if at.silent.Load() {
		return struct{ outcome, message string }{"stream_idle_timeout", fmt.Sprintf("the provider sent nothing for %s and was given up", at.timeout)}
	}
	if errors.Is(err, context.Canceled) {
		return struct{ outcome, message string }{"client_gone", "the request was cancelled"}
	}
	if errors.Is(err, sse.ErrEventTooLarge) {
		return struct{ outcome, message string }{"too_large", fmt.Sprintf("an event of the provider's stream is larger than %d bytes: the stream was cut", maxStreamEvent)}
	}
	return struct{ outcome, message string }{"upstream_cut", "the provider ended its answer early: " + err.Error()}
}

// errorEvent is a stream's last event when the provider's answer broke
// off, in the client's format: what its SDK reads as an error (and no
// [DONE] or message_stop follows it). A stream passed through unread gets
// none: the broken connection says it.
func errorEvent(ad *adapter, msg string) []byte {
	if ad == nil {
		return nil
	}
	ev := ad.errorEvent(msg)
	if ev.Data == nil {
		return nil
	}
	return sse.Append([]byte("\n"), ev)
}

// writeFormatError answers with an error in the client's format.
func writeFormatError(w http.ResponseWriter, ad *adapter, status int, msg string) {
	if ad == nil {
		ad = adapterFor(wire.OpenAI)
	}
	b, _ := marshal(ad.errorBody(status, msg))
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// redactor is the chain's key redactor (Build gives every chain one that
// knows every key; a Chain made by hand redacts its own upstreams' keys).
func (c *Chain) redactor() *redact.Redactor {
	if c.keys != nil {
		return c.keys
	}
	var secrets []string
	for _, up := range c.Upstreams {
		secrets = append(secrets, up.secrets()...)
	}
	return redact.New(secrets...)
}
