// Package fakeprovider serves stand-ins for the LLM providers' APIs on
// loopback, for tests of what sits in front of them (serve), with each
// provider's authentication and error shapes as its published API
// describes them (../shared/specs). Served, by Kind:
//
//   - OpenAI: POST /v1/chat/completions and /v1/responses, plain and
//     streamed (SSE), with function tools; POST /v1/embeddings;
//     GET /v1/models and /v1/models/{model}.
//   - Anthropic: POST /v1/messages, plain and streamed, with tools;
//     POST /v1/messages/count_tokens; GET /v1/models and
//     /v1/models/{model}.
//   - Gemini: models/{model}:generateContent and :streamGenerateContent
//     with function declarations, :embedContent and :batchEmbedContents,
//     GET models and models/{model}, on the Gemini API's paths and Vertex
//     AI's (…/publishers/google/models/…), which add :predict (text
//     embeddings) and list publisher models.
//   - Bedrock: /model/{id}/converse and /converse-stream, and /invoke for
//     the Titan and Cohere embedding models, SigV4-signed.
//
// Chat and Responses answers echo the last user message, so a test can
// see its request arrive; offered a tool, the fake calls it. Embeddings
// are Vector of the text. Every request is recorded (Requests), and
// faults can be scheduled to test failover (Fail).
package fakeprovider

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// Kind is the API a fake speaks.
type Kind string

// The provider APIs a fake can speak.
const (
	OpenAI    Kind = "openai"
	Anthropic Kind = "anthropic"
	Gemini    Kind = "gemini"
)

// Request is one request the fake received.
type Request struct {
	Method, Path, Query string
	Header              http.Header
	Body                []byte
}

// Fault is what the fake does to one request instead of answering.
type Fault struct {
	// Status, if set, is returned with the provider's error body
	// (e.g. 503, 429).
	Status int
	// Delay waits before answering (for upstream timeouts).
	Delay time.Duration
	// CutAfterEvents > 0 ends a streamed answer's connection after that
	// many events, without the end of the stream.
	CutAfterEvents int
	// Answer, if set, answers the request instead (once it is recorded
	// and authorized): a test's own hostile or broken provider answer.
	Answer http.HandlerFunc
}

// HangUp ends a connection without finishing the answer.
func HangUp(w http.ResponseWriter) { hangUp(w) }

// Server is one fake provider.
type Server struct {
	*httptest.Server
	Kind Kind
	// Key is the API key the fake accepts; any other is refused as the
	// provider would.
	Key string
	// Events is how many pieces a streamed answer comes in (default 5).
	Events int
	// Models are the models the fake lists and retrieves (not Bedrock's);
	// New sets a few of the kind's, chat and embedding models alike. Chat
	// and embeddings accept any model.
	Models []string

	mu       sync.Mutex
	requests []Request
	faults   []Fault
	canceled int
}

// Canceled counts requests whose client went away while the fake waited.
func (s *Server) Canceled() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.canceled
}

// New starts a fake of kind on 127.0.0.1 that accepts key; it stops when
// the test ends.
func New(t testing.TB, kind Kind, key string) *Server {
	s := &Server{Kind: kind, Key: key, Events: 5, Models: append([]string(nil), defaultModels[kind]...)}
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(s.Close)
	return s
}

// Fail schedules faults for the next requests, one each.
func (s *Server) Fail(faults ...Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = append(s.faults, faults...)
}

// Requests returns what the fake has received so far.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.requests...)
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(io.LimitReader(r.Body, 16<<20))
	s.mu.Lock()
	s.requests = append(s.requests, Request{Method: r.Method, Path: r.URL.Path, Query: r.URL.RawQuery, Header: r.Header.Clone(), Body: body})
	var fault Fault
	if len(s.faults) > 0 {
		fault, s.faults = s.faults[0], s.faults[1:]
	}
	s.mu.Unlock()

	if fault.Delay > 0 {
		select {
		case <-time.After(fault.Delay):
		case <-r.Context().Done():
			s.mu.Lock()
			s.canceled++
			s.mu.Unlock()
			return
		}
	}
	if fault.Status != 0 {
		s.error(w, fault.Status, "the fake provider was told to fail")
		return
	}
	if (s.Kind == Bedrock && !s.signedByKey(r, body)) || (s.Kind != Bedrock && !s.authorized(r)) {
		s.error(w, http.StatusUnauthorized, "invalid API key")
		return
	}
	if fault.Answer != nil {
		fault.Answer(w, r)
		return
	}
	if answer := s.endpoint(r); answer != nil {
		answer(w, r, body, fault.CutAfterEvents)
		return
	}
	in, err := s.parse(r, body)
	if err != nil {
		s.error(w, http.StatusBadRequest, err.Error())
		return
	}
	a := answer{model: in.model, text: "echo: " + in.prompt, tool: in.tool, prompt: in.prompt, usage: in.usage}
	if in.toolResult != "" {
		a.text = "the tool said: " + in.toolResult
	}
	if in.stream {
		if s.Kind == Bedrock {
			if !s.bedrockStream(w, a, fault.CutAfterEvents) {
				hangUp(w)
			}
			return
		}
		s.stream(w, a, fault.CutAfterEvents)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	if s.Kind == Bedrock {
		_ = json.NewEncoder(w).Encode(bedrockAnswer(a))
		return
	}
	_ = json.NewEncoder(w).Encode(s.complete(a))
}

// request is what the fake reads from a request.
type request struct {
	prompt, model string
	stream        bool
	// usage asks an OpenAI stream for its usage chunk (stream_options).
	usage bool
	// tool is the first tool the request offers; the fake calls it,
	// unless the last message is a tool's result (toolResult).
	tool, toolResult string
}

// answer is what the fake says: text, or a call of tool with the prompt
// as its argument "q".
type answer struct {
	model, text, tool, prompt string
	usage                     bool
}

// args are a tool call's arguments, JSON.
func (a answer) args() string {
	b, _ := json.Marshal(map[string]string{"q": a.prompt})
	return string(b)
}

// authorized checks the key where the provider's API takes it.
func (s *Server) authorized(r *http.Request) bool {
	switch s.Kind {
	case Anthropic:
		return r.Header.Get("x-api-key") == s.Key && r.Header.Get("anthropic-version") != ""
	case Gemini:
		// Gemini's API key, or a Vertex AI access token.
		return r.Header.Get("x-goog-api-key") == s.Key || r.URL.Query().Get("key") == s.Key || r.Header.Get("Authorization") == "Bearer "+s.Key
	}
	return r.Header.Get("Authorization") == "Bearer "+s.Key
}

// parse reads the prompt, model, streaming flag and tools from a request
// in the provider's format, refusing what its API refuses.
func (s *Server) parse(r *http.Request, body []byte) (request, error) {
	var in request
	if r.Method != http.MethodPost {
		return in, fmt.Errorf("method %s not allowed", r.Method)
	}
	switch s.Kind {
	case Bedrock:
		return parseBedrock(r, body)
	case OpenAI:
		var req struct {
			Model         string `json:"model"`
			Stream        bool   `json:"stream"`
			StreamOptions struct {
				IncludeUsage bool `json:"include_usage"`
			} `json:"stream_options"`
			Messages []struct {
				Role    string `json:"role"`
				Content any    `json:"content"`
			} `json:"messages"`
			Tools []struct {
				Function struct {
					Name string `json:"name"`
				} `json:"function"`
			} `json:"tools"`
		}
		if err := json.Unmarshal(body, &req); err != nil || req.Model == "" || len(req.Messages) == 0 || !strings.HasSuffix(r.URL.Path, "/chat/completions") {
			return in, fmt.Errorf("want POST .../chat/completions with model and messages")
		}
		last := req.Messages[len(req.Messages)-1]
		in = request{prompt: text(last.Content), model: req.Model, stream: req.Stream, usage: req.StreamOptions.IncludeUsage}
		if last.Role == "tool" {
			in.toolResult = in.prompt
		} else if len(req.Tools) > 0 {
			in.tool = req.Tools[0].Function.Name
		}
		return in, nil
	case Anthropic:
		var req struct {
			Model     string `json:"model"`
			MaxTokens int    `json:"max_tokens"`
			Stream    bool   `json:"stream"`
			Messages  []struct {
				Role    string `json:"role"`
				Content any    `json:"content"`
			} `json:"messages"`
			Tools []struct {
				Name string `json:"name"`
			} `json:"tools"`
		}
		if err := json.Unmarshal(body, &req); err != nil || req.Model == "" || req.MaxTokens <= 0 || len(req.Messages) == 0 || !strings.HasSuffix(r.URL.Path, "/messages") {
			return in, fmt.Errorf("want POST .../messages with model, max_tokens and messages")
		}
		last := req.Messages[len(req.Messages)-1].Content
		in = request{prompt: text(last), model: req.Model, stream: req.Stream}
		if result := toolResult(last, "tool_result", "content"); result != "" {
			in.toolResult = result
		} else if len(req.Tools) > 0 {
			in.tool = req.Tools[0].Name
		}
		return in, nil
	case Gemini:
		path := r.URL.Path
		i := strings.LastIndex(path, "/models/")
		verb := ""
		if i >= 0 {
			in.model, verb, _ = strings.Cut(path[i+len("/models/"):], ":")
		}
		var req struct {
			Contents []struct {
				Parts []map[string]any `json:"parts"`
			} `json:"contents"`
			Tools []struct {
				FunctionDeclarations []struct {
					Name string `json:"name"`
				} `json:"functionDeclarations"`
			} `json:"tools"`
		}
		if err := json.Unmarshal(body, &req); err != nil || len(req.Contents) == 0 || (verb != "generateContent" && verb != "streamGenerateContent") {
			return in, fmt.Errorf("want POST .../models/MODEL:generateContent with contents")
		}
		in.stream = verb == "streamGenerateContent"
		parts := req.Contents[len(req.Contents)-1].Parts
		for _, p := range parts {
			if t, ok := p["text"].(string); ok {
				in.prompt = t
			}
			if fr, ok := p["functionResponse"].(map[string]any); ok {
				b, _ := json.Marshal(fr["response"])
				in.toolResult = string(b)
			}
		}
		if in.toolResult == "" && len(req.Tools) > 0 && len(req.Tools[0].FunctionDeclarations) > 0 {
			in.tool = req.Tools[0].FunctionDeclarations[0].Name
		}
		return in, nil
	}
	return in, fmt.Errorf("unknown provider kind %s", s.Kind)
}

// toolResult is the text of the last block of typ in a list of content
// blocks (Anthropic's tool_result), or "".
func toolResult(content any, typ, field string) string {
	blocks, _ := content.([]any)
	out := ""
	for _, b := range blocks {
		if m, ok := b.(map[string]any); ok && m["type"] == typ {
			out = text(m[field])
		}
	}
	return out
}

// text is the text of a message content: a string, or the text parts of a
// list of content blocks.
func text(content any) string {
	switch c := content.(type) {
	case string:
		return c
	case []any:
		var out []string
		for _, b := range c {
			if m, ok := b.(map[string]any); ok {
				if t, ok := m["text"].(string); ok {
					out = append(out, t)
				}
			}
		}
		return strings.Join(out, "")
	}
	return ""
}

func words(s string) int { return len(strings.Fields(s)) + 1 }

// complete is a whole answer in the provider's response shape.
func (s *Server) complete(a answer) any {
	in, out := words(a.prompt), words(a.text)
	switch s.Kind {
	case Anthropic:
		content := []any{map[string]any{"type": "text", "text": a.text}}
		stop := "end_turn"
		if a.tool != "" {
			content = []any{map[string]any{"type": "tool_use", "id": "toolu_fake", "name": a.tool, "input": json.RawMessage(a.args())}}
			stop = "tool_use"
		}
		return map[string]any{"id": "msg_fake", "type": "message", "role": "assistant", "model": a.model,
			"content": content, "stop_reason": stop, "stop_sequence": nil,
			"usage": map[string]any{"input_tokens": in, "output_tokens": out}}
	case Gemini:
		part := map[string]any{"text": a.text}
		if a.tool != "" {
			part = map[string]any{"functionCall": map[string]any{"name": a.tool, "args": json.RawMessage(a.args())}}
		}
		return map[string]any{"candidates": []any{map[string]any{"content": map[string]any{"role": "model", "parts": []any{part}},
			"finishReason": "STOP", "index": 0}}, "usageMetadata": map[string]any{"promptTokenCount": in, "candidatesTokenCount": out, "totalTokenCount": in + out},
			"modelVersion": a.model}
	}
	msg := map[string]any{"role": "assistant", "content": a.text, "refusal": nil}
	finish := "stop"
	if a.tool != "" {
		msg["content"] = nil
		msg["tool_calls"] = []any{map[string]any{"id": "call_fake", "type": "function", "function": map[string]any{"name": a.tool, "arguments": a.args()}}}
		finish = "tool_calls"
	}
	return map[string]any{"id": "chatcmpl-fake", "object": "chat.completion", "created": 1700000000, "model": a.model,
		"choices": []any{map[string]any{"index": 0, "message": msg, "logprobs": nil, "finish_reason": finish}},
		"usage":   map[string]any{"prompt_tokens": in, "completion_tokens": out, "total_tokens": in + out}}
}

// stream sends the answer as server-sent events in the provider's shape,
// flushing each; cut > 0 drops the connection after that many events. A
// tool call's arguments come in two pieces where the provider streams
// them (OpenAI, Anthropic).
func (s *Server) stream(w http.ResponseWriter, a answer, cut int) {
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-cache")
	flusher, _ := w.(http.Flusher)
	sent := 0
	send := func(event string, data any) bool {
		if cut > 0 && sent >= cut {
			return false
		}
		b, _ := json.Marshal(data)
		if event != "" {
			fmt.Fprintf(w, "event: %s\n", event)
		}
		fmt.Fprintf(w, "data: %s\n\n", b)
		if flusher != nil {
			flusher.Flush()
		}
		sent++
		return true
	}
	pieces := split(a.text, s.Events)
	args := a.args()
	half := len(args) / 2
	ok := true
	switch s.Kind {
	case Anthropic:
		ok = send("message_start", map[string]any{"type": "message_start", "message": map[string]any{"id": "msg_fake", "type": "message", "role": "assistant",
			"model": a.model, "content": []any{}, "stop_reason": nil, "stop_sequence": nil, "usage": map[string]any{"input_tokens": words(a.prompt), "output_tokens": 0}}})
		stop := "end_turn"
		if a.tool != "" {
			stop = "tool_use"
			ok = ok && send("content_block_start", map[string]any{"type": "content_block_start", "index": 0,
				"content_block": map[string]any{"type": "tool_use", "id": "toolu_fake", "name": a.tool, "input": map[string]any{}}})
			for _, p := range []string{args[:half], args[half:]} {
				ok = ok && send("content_block_delta", map[string]any{"type": "content_block_delta", "index": 0, "delta": map[string]any{"type": "input_json_delta", "partial_json": p}})
			}
		} else {
			ok = ok && send("content_block_start", map[string]any{"type": "content_block_start", "index": 0, "content_block": map[string]any{"type": "text", "text": ""}})
			for _, p := range pieces {
				ok = ok && send("content_block_delta", map[string]any{"type": "content_block_delta", "index": 0, "delta": map[string]any{"type": "text_delta", "text": p}})
			}
		}
		ok = ok && send("content_block_stop", map[string]any{"type": "content_block_stop", "index": 0}) &&
			send("message_delta", map[string]any{"type": "message_delta", "delta": map[string]any{"stop_reason": stop, "stop_sequence": nil},
				"usage": map[string]any{"output_tokens": words(a.text)}}) &&
			send("message_stop", map[string]any{"type": "message_stop"})
	case Gemini:
		// Every piece counts the tokens so far, as Gemini's do.
		in := words(a.prompt)
		usage := func(out int) map[string]any {
			return map[string]any{"promptTokenCount": in, "candidatesTokenCount": out, "totalTokenCount": in + out}
		}
		if a.tool != "" {
			c := map[string]any{"content": map[string]any{"role": "model", "parts": []any{map[string]any{"functionCall": map[string]any{"name": a.tool, "args": json.RawMessage(args)}}}},
				"index": 0, "finishReason": "STOP"}
			ok = send("", map[string]any{"candidates": []any{c}, "usageMetadata": usage(words(args)), "modelVersion": a.model})
			break
		}
		for i, p := range pieces {
			c := map[string]any{"content": map[string]any{"role": "model", "parts": []any{map[string]any{"text": p}}}, "index": 0}
			if i == len(pieces)-1 {
				c["finishReason"] = "STOP"
			}
			ok = ok && send("", map[string]any{"candidates": []any{c}, "usageMetadata": usage(words(strings.Join(pieces[:i+1], ""))), "modelVersion": a.model})
		}
	default:
		chunk := func(delta map[string]any, finish any) map[string]any {
			return map[string]any{"id": "chatcmpl-fake", "object": "chat.completion.chunk", "created": 1700000000, "model": a.model,
				"choices": []any{map[string]any{"index": 0, "delta": delta, "logprobs": nil, "finish_reason": finish}}}
		}
		ok = send("", chunk(map[string]any{"role": "assistant", "content": ""}, nil))
		finish := "stop"
		if a.tool != "" {
			finish = "tool_calls"
			ok = ok && send("", chunk(map[string]any{"tool_calls": []any{map[string]any{"index": 0, "id": "call_fake", "type": "function",
				"function": map[string]any{"name": a.tool, "arguments": args[:half]}}}}, nil)) &&
				send("", chunk(map[string]any{"tool_calls": []any{map[string]any{"index": 0, "function": map[string]any{"arguments": args[half:]}}}}, nil))
		} else {
			for _, p := range pieces {
				ok = ok && send("", chunk(map[string]any{"content": p}, nil))
			}
		}
		ok = ok && send("", chunk(map[string]any{}, finish))
		if a.usage {
			in, out := words(a.prompt), words(a.text)
			ok = ok && send("", map[string]any{"id": "chatcmpl-fake", "object": "chat.completion.chunk", "created": 1700000000, "model": a.model,
				"choices": []any{}, "usage": map[string]any{"prompt_tokens": in, "completion_tokens": out, "total_tokens": in + out}})
		}
		if ok && (cut == 0 || sent < cut) {
			fmt.Fprint(w, "data: [DONE]\n\n")
			if flusher != nil {
				flusher.Flush()
			}
		}
	}
	if !ok {
		hangUp(w)
	}
}

// hangUp ends the connection without finishing the stream.
func hangUp(w http.ResponseWriter) {
	if hj, isHJ := w.(http.Hijacker); isHJ {
		if conn, _, err := hj.Hijack(); err == nil {
			conn.Close()
		}
	}
}

// split cuts s into n pieces (at least one) that join back to s.
func split(s string, n int) []string {
	if n < 1 {
		n = 1
	}
	size := (len(s) + n - 1) / n
	if size == 0 {
		return []string{s}
	}
	var out []string
	for len(s) > size {
		out = append(out, s[:size])
		s = s[size:]
	}
	return append(out, s)
}

// error writes the provider's error body for status.
func (s *Server) error(w http.ResponseWriter, status int, msg string) {
	w.Header().Set("Content-Type", "application/json")
	if status == http.StatusTooManyRequests {
		w.Header().Set("Retry-After", "1")
	}
	w.WriteHeader(status)
	var body any
	switch s.Kind {
	case Anthropic:
		typ := map[int]string{400: "invalid_request_error", 401: "authentication_error", 404: "not_found_error", 429: "rate_limit_error", 529: "overloaded_error"}[status]
		if typ == "" {
			typ = "api_error"
		}
		body = map[string]any{"type": "error", "error": map[string]any{"type": typ, "message": msg}}
	case Bedrock:
		typ := map[int]string{400: "ValidationException", 401: "UnrecognizedClientException", 403: "AccessDeniedException", 404: "ResourceNotFoundException", 429: "ThrottlingException", 503: "ServiceUnavailableException"}[status]
		if typ == "" {
			typ = "InternalServerException"
		}
		body = map[string]any{"message": msg, "__type": typ}
	case Gemini:
		st := map[int]string{400: "INVALID_ARGUMENT", 401: "UNAUTHENTICATED", 404: "NOT_FOUND", 429: "RESOURCE_EXHAUSTED", 503: "UNAVAILABLE"}[status]
		if st == "" {
			st = "INTERNAL"
		}
		body = map[string]any{"error": map[string]any{"code": status, "message": msg, "status": st}}
	default:
		typ := map[int]string{400: "invalid_request_error", 401: "invalid_request_error", 404: "invalid_request_error", 429: "rate_limit_exceeded"}[status]
		if typ == "" {
			typ = "server_error"
		}
		body = map[string]any{"error": map[string]any{"message": msg, "type": typ, "param": nil, "code": nil}}
	}
	_ = json.NewEncoder(w).Encode(body)
}
