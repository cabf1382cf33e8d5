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

// relay sends resp to the client: as it is without a translation, else
// translated, event by event for a stream.
func (t *translation) relay(w http.ResponseWriter, resp *http.Response) {
	if t == nil {
		relay(w, resp)
		return
	}
	defer resp.Body.Close()
	for k, v := range resp.Header {
		k = http.CanonicalHeaderKey(k)
		if !slices.Contains(dropped, k) && k != "Content-Type" && k != "Content-Encoding" {
			w.Header()[k] = v
		}
	}
	if !t.stream || resp.StatusCode >= 300 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/event-stream") {
		body, _ := io.ReadAll(io.LimitReader(resp.Body, maxAnswer))
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(resp.StatusCode)
		_, _ = w.Write(t.Response(resp.StatusCode, body, t.model))
		return
	}
	w.Header().Set("Content-Type", "text/event-stream")
	w.WriteHeader(resp.StatusCode)
	rc := http.NewResponseController(w)
	s := t.Stream(t.model, t.includeUsage)
	bp := copyBuffers.Get().(*[]byte)
	defer copyBuffers.Put(bp)
	buf := *bp
	for !s.Done() {
		n, err := resp.Body.Read(buf)
		if out := s.Feed(buf[:n]); len(out) > 0 {
			if _, werr := w.Write(out); werr != nil {
				return // the client left
			}
			_ = rc.Flush()
		}
		if err == io.EOF {
			_, _ = w.Write(s.End())
			_ = rc.Flush()
			return
		}
		if err != nil {
			if !errors.Is(err, context.Canceled) {
				b, _ := json.Marshal(map[string]any{"error": map[string]any{"type": "upstream_error", "message": "the provider ended the stream early: " + err.Error()}})
				_, _ = w.Write(append(append([]byte("data: "), b...), "\n\n"...))
				_ = rc.Flush()
			}
			return
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
