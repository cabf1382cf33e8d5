package proxy

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"slices"
	"strings"

	"github.com/kubelb-ai/kubelb-ai/proxy/jsonbody"
	"github.com/kubelb-ai/kubelb-ai/proxy/translate"
)

// translation is how one upstream exchange is translated: the provider's
// translator, the model to name in answers, and what the client asked for.
type translation struct {
	translate.Translator
	model                string
	stream, includeUsage bool
}

// maxAnswer bounds a provider's whole (not streamed) answer read for
// translation.
const maxAnswer = 32 << 20

// deliver sends resp to the client: as it is when nothing changes it,
// else translated (via), with its text masked (pol's response guard) and
// without the usage chunk serve asked for (dropUsage), event by event for
// a stream; format is the client's request format. It returns the usage
// the provider reported.
func deliver(w http.ResponseWriter, r *http.Request, resp *http.Response, via *translation, pol *policy, format string, dropUsage bool) *usage {
	u := &usage{}
	mask := pol.masksAnswers()
	hook := pol != nil && pol.hooks != nil && pol.hooks.response != nil
	ct := resp.Header.Get("Content-Type")
	stream := (strings.HasPrefix(ct, "text/event-stream") || strings.HasPrefix(ct, "application/vnd.amazon.eventstream")) && resp.StatusCode < 300
	if via == nil && !mask && !(dropUsage && stream) && !hook {
		relay(w, resp, u)
		return u
	}
	defer resp.Body.Close()
	for k, v := range resp.Header {
		k = http.CanonicalHeaderKey(k)
		if !slices.Contains(dropped, k) && k != "Content-Encoding" {
			w.Header()[k] = v
		}
	}
	if !stream {
		body, _ := io.ReadAll(io.LimitReader(resp.Body, maxAnswer))
		if via != nil {
			var used translate.Usage
			body, used = via.Response(resp.StatusCode, body, via.model)
			u.from(used)
			w.Header().Set("Content-Type", "application/json")
		} else if resp.StatusCode < 300 {
			u.read(body)
		}
		if mask && resp.StatusCode < 300 {
			body = pol.maskAnswer(body, format)
		}
		if hook && resp.StatusCode < 300 {
			checked, err := pol.hooks.checkAnswer(r.Context(), body, format, r.Header)
			if err != nil {
				writeError(w, http.StatusInternalServerError, "Error with guardrails webhook: "+err.Error())
				return u
			}
			body = checked
		}
		w.WriteHeader(resp.StatusCode)
		_, _ = w.Write(body)
		return u
	}
	var filters []streamFilter
	var ts *translate.Stream
	if via != nil {
		ts = via.Stream(via.model, via.includeUsage)
		filters = append(filters, ts) // it reads the usage as it translates
	} else {
		filters = append(filters, u)
	}
	defer func() {
		if ts != nil {
			u.from(ts.Usage())
		}
	}()
	if mask {
		if m := pol.streamMasker(format); m != nil {
			filters = append(filters, m)
		}
	}
	if hook {
		if f := pol.hooks.streamFilter(r.Context(), format, r.Header); f != nil {
			filters = append(filters, f)
		}
	}
	if dropUsage {
		filters = append(filters, &usageChunkDropper{})
	}
	w.Header().Set("Content-Type", "text/event-stream")
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
	for {
		n, err := resp.Body.Read(buf)
		out := buf[:n]
		for _, f := range filters {
			out = f.Feed(out)
		}
		if !send(out) {
			return u
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
			return u
		}
		if err != nil {
			if !errors.Is(err, context.Canceled) {
				b, _ := json.Marshal(map[string]any{"error": map[string]any{"type": "upstream_error", "message": "the provider ended the stream early: " + err.Error()}})
				send(append(append([]byte("event: error\ndata: "), b...), "\n\n"...))
			}
			return u
		}
	}
}

// modelOf is the model an OpenAI request names.
func modelOf(body []byte) string {
	raw, _ := jsonbody.Find(body, "model")
	var m string
	_ = json.Unmarshal(raw, &m)
	return m
}
