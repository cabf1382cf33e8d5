package proxy

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/kubelb-ai/kubelb-ai/proxy/telemetry"
	"github.com/kubelb-ai/kubelb-ai/proxy/wire"
	"github.com/kubelb-ai/kubelb-ai/spec"
)

// A guard webhook is a service that judges prompts and answers, with the
// contract kgateway's AI extension and agentgateway share: POST /request
// with {"body":{"messages":[{role,content}]}} and POST /response with
// {"body":{"choices":[{"message":{role,content}}]}}; the answer is
// {"action":{...}}: a pass (nothing else), a mask (a body with the same
// number of messages or choices, changed) or, for requests only, a reject
// (a body and a status_code for the client).
type webhook struct {
	url     *url.URL
	forward []string // request headers passed on, by name
}

// webhookGuard is a route's guard webhooks with how serve calls them.
type webhookGuard struct {
	request, response *webhook
	client            *http.Client
	timeout           time.Duration
	// failOpen lets a request through when the webhook cannot answer;
	// closed (the default, as kgateway) answers 500 instead.
	failOpen bool
}

type whMessage struct {
	Role    string `json:"role"`
	Content string `json:"content"`
}

type whAction struct {
	Action *struct {
		Body       json.RawMessage `json:"body"`
		StatusCode *int            `json:"status_code"`
		Reason     *string         `json:"reason"`
	} `json:"action"`
}

// call posts payload to path and returns the action.
func (g *webhookGuard) call(ctx context.Context, wh *webhook, path string, payload any, header http.Header) (*whAction, error) {
	b, _ := json.Marshal(payload)
	ctx, cancel := context.WithTimeout(ctx, g.timeout)
	defer cancel()
	u := *wh.url
	u.Path = strings.TrimSuffix(u.Path, "/") + path
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u.String(), bytes.NewReader(b))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	for _, h := range wh.forward {
		if v := header.Values(h); len(v) > 0 {
			req.Header[http.CanonicalHeaderKey(h)] = v
		}
	}
	// A child span of the request's, its trace context sent along.
	span := webhookSpan(req)
	resp, err := g.client.Do(req)
	if err != nil {
		endChild(span, telemetry.ErrorType(err))
		return nil, err
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, maxAnswer))
	spanStatus(span, resp.StatusCode)
	if resp.StatusCode != http.StatusOK {
		endChild(span, strconv.Itoa(resp.StatusCode))
		return nil, fmt.Errorf("%s answered %s", u.Host, resp.Status)
	}
	var a whAction
	if err := json.Unmarshal(body, &a); err != nil || a.Action == nil {
		endChild(span, "invalid_answer")
		return nil, fmt.Errorf("%s answered what is not an action: %.200s", u.Host, body)
	}
	endChild(span, "")
	return &a, nil
}

// errWebhook is a webhook that did not answer usably.
var errWebhook = errors.New("the prompt guard webhook")

// checkPrompt sends every text of a prompt to the request webhook, with
// its role: it applies the webhook's masking to the call, or returns its
// rejection.
func (g *webhookGuard) checkPrompt(c *call) (*rejection, error) {
	var msgs []whMessage
	c.ad.format().Request.Texts(c.doc, func(t *wire.Slot) {
		if t.Class != wire.Name {
			msgs = append(msgs, whMessage{t.Role, t.Value})
		}
	})
	a, err := g.call(c.r.Context(), g.request, "/request", map[string]any{"body": map[string]any{"messages": msgs}}, c.r.Header)
	if err != nil {
		return g.failed(err)
	}
	switch {
	case a.Action.StatusCode != nil:
		var msg string
		if json.Unmarshal(a.Action.Body, &msg) != nil {
			msg = string(a.Action.Body)
		}
		return &rejection{status: *a.Action.StatusCode, message: msg}, nil
	case len(a.Action.Body) > 0 && string(a.Action.Body) != "null":
		var masked struct {
			Messages []whMessage `json:"messages"`
		}
		if json.Unmarshal(a.Action.Body, &masked) != nil || len(masked.Messages) != len(msgs) {
			return g.failed(fmt.Errorf("%w's mask has %d messages for %d", errWebhook, len(masked.Messages), len(msgs)))
		}
		i := 0
		changed := c.ad.format().Request.Texts(c.doc, func(t *wire.Slot) {
			if t.Class != wire.Name {
				t.Set(masked.Messages[i].Content)
				i++
			}
		})
		c.changed = c.changed || changed
	}
	return nil, nil
}

// failed is what a webhook that did not answer leads to: the request as it
// is when failing open, an error when closed.
func (g *webhookGuard) failed(err error) (*rejection, error) {
	if g.failOpen {
		return nil, nil
	}
	return &rejection{status: http.StatusInternalServerError,
		message: fmt.Sprintf(`{"error":{"type":"guard_error","message":%q}}`, "Error with guardrails webhook: "+err.Error())}, nil
}

// checkAnswer sends a whole answer's texts to the response webhook and
// applies its masking; an answer cannot be rejected (it exists already).
func (g *webhookGuard) checkAnswer(ctx context.Context, doc map[string]any, shape *wire.Shape, header http.Header) error {
	var texts []string
	shape.Texts(doc, func(t *wire.Slot) {
		if t.Class != wire.Name {
			texts = append(texts, t.Value)
		}
	})
	if len(texts) == 0 {
		return nil
	}
	masked, err := g.judgeAnswer(ctx, texts, header)
	if err != nil {
		if g.failOpen {
			return nil
		}
		return err
	}
	i := 0
	shape.Texts(doc, func(t *wire.Slot) {
		if t.Class != wire.Name {
			t.Set(masked[i])
			i++
		}
	})
	return nil
}

// judgeAnswer sends an answer's texts to the response webhook as choices
// and returns them as it wants them (unchanged when it passes them).
func (g *webhookGuard) judgeAnswer(ctx context.Context, texts []string, header http.Header) ([]string, error) {
	choices := make([]map[string]any, len(texts))
	for i, t := range texts {
		choices[i] = map[string]any{"message": whMessage{"assistant", t}}
	}
	a, err := g.call(ctx, g.response, "/response", map[string]any{"body": map[string]any{"choices": choices}}, header)
	if err != nil {
		return nil, err
	}
	if len(a.Action.Body) == 0 || string(a.Action.Body) == "null" {
		return texts, nil
	}
	var masked struct {
		Choices []struct {
			Message whMessage `json:"message"`
		} `json:"choices"`
	}
	if json.Unmarshal(a.Action.Body, &masked) != nil || len(masked.Choices) != len(texts) {
		return nil, fmt.Errorf("%w's mask has %d choices for %d", errWebhook, len(masked.Choices), len(texts))
	}
	out := make([]string, len(texts))
	for i, c := range masked.Choices {
		out[i] = c.Message.Content
	}
	return out, nil
}

// webhookURL is where a guard service is reached from this machine:
// --upstream maps its Service name (or its whole host) to a URL, else the
// in-cluster address is used as it is.
func webhookURL(host string, port int, upstreams map[string]*url.URL) *url.URL {
	for _, key := range []string{host, strings.SplitN(host, ".", 2)[0]} {
		if u, ok := upstreams[key]; ok {
			return u
		}
	}
	return &url.URL{Scheme: "http", Host: net.JoinHostPort(host, strconv.Itoa(port))}
}

// webhookSegments sends a streamed answer's text to the response webhook
// a sentence at a time (the contract's "semantic boundary"): text is held
// until a sentence or line ends, then goes out as the webhook returns it.
// A webhook that cannot answer lets the text through when failing open,
// and withholds it when closed (an answer already streaming cannot be
// refused any more, but unchecked text is not sent).
type webhookSegments struct {
	g       *webhookGuard
	ctx     context.Context
	header  http.Header
	pending string
}

func (g *webhookGuard) streamFilter(ctx context.Context, ad *adapter, header http.Header) streamFilter {
	if g == nil || g.response == nil {
		return nil
	}
	return &answerMasker{ad: ad, newText: func() textFilter { return &webhookSegments{g: g, ctx: ctx, header: header} },
		maskers: map[string]textFilter{}}
}

func (s *webhookSegments) Write(piece string) string {
	s.pending += piece
	end := strings.LastIndexAny(s.pending, ".!?\n")
	if end < 0 {
		return ""
	}
	segment := s.pending[:end+1]
	s.pending = s.pending[end+1:]
	return s.judge(segment)
}

func (s *webhookSegments) Flush() string {
	segment := s.pending
	s.pending = ""
	if segment == "" {
		return ""
	}
	return s.judge(segment)
}

func (s *webhookSegments) judge(segment string) string {
	masked, err := s.g.judgeAnswer(s.ctx, []string{segment}, s.header)
	switch {
	case err == nil:
		return masked[0]
	case s.g.failOpen:
		return segment
	}
	return ""
}

// guardWebhooks are the Spec's guard webhooks, request and response, by
// the name of the route they guard.
func guardWebhooks(g *spec.AIGateway, upstreams map[string]*url.URL) map[string][2]*webhook {
	out := map[string][2]*webhook{}
	for _, r := range g.Spec.Routes {
		if r.Policies == nil {
			continue
		}
		req, resp := r.Policies.PromptGuard.Webhooks()
		if req == nil && resp == nil {
			continue
		}
		ns := g.Spec.Gateway.Namespace
		out[r.Name] = [2]*webhook{newWebhook(req, ns, upstreams), newWebhook(resp, ns, upstreams)}
	}
	return out
}

// newWebhook is how serve calls w: at its cluster address (a Service of
// namespace when it names none), unless --upstream maps it elsewhere.
func newWebhook(w *spec.Webhook, namespace string, upstreams map[string]*url.URL) *webhook {
	if w == nil || w.Address(namespace) == "" {
		return nil
	}
	var names []string
	for _, h := range w.ForwardHeaders {
		names = append(names, h.Name)
	}
	return &webhook{url: webhookURL(w.Address(namespace), int(w.Port), upstreams), forward: names}
}

// dig walks nested maps.
func dig(v any, path ...string) any {
	for _, p := range path {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[p]
	}
	return v
}
