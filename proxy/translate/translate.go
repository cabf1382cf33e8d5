// Package translate converts OpenAI chat completion requests into other
// providers' native requests (Anthropic Messages, Gemini and Vertex AI
// generateContent) and their answers back: whole responses, errors and
// event streams, tool calls included. It is what agentgateway's data plane
// does for a client that speaks OpenAI's format to any provider; serve uses
// it for agentgateway targets and, with --translate, for kgateway ones.
package translate

import (
	"fmt"
	"time"

	strictjson "github.com/go-json-experiment/json"
	json "github.com/goccy/go-json"
)

// Translator converts between OpenAI's chat completions and one provider's
// native API.
type Translator interface {
	// Request turns an OpenAI chat completion request into the provider's;
	// model, when set, replaces the request's (the backend's model).
	Request(body []byte, model string) ([]byte, error)
	// Response turns the provider's answer, a success or an error, into
	// OpenAI's shape; model names the model when the answer does not. It
	// also returns the usage the answer reports.
	Response(status int, body []byte, model string) ([]byte, Usage)
	// Stream converts the provider's event stream into OpenAI's chunks.
	Stream(model string, includeUsage bool) *Stream
}

// For returns the translator from OpenAI's format to format ("anthropic",
// "gemini"), and false for formats that need none or have none.
func For(format string) (Translator, bool) {
	switch format {
	case "anthropic":
		return anthropic{}, true
	case "gemini":
		return gemini{}, true
	case "bedrock":
		return bedrock{}, true
	}
	return nil, false
}

// Usage is what the provider says an exchange cost.
type Usage struct {
	In, Out int
	Model   string
	// Seen is set when the provider said.
	Seen bool
}

// now is the clock of the "created" fields (tests fix it).
var now = time.Now

// Request reports whether an OpenAI request asks for a stream and for the
// usage chunk at its end.
func Streaming(body []byte) (stream, includeUsage bool) {
	var r struct {
		Stream        bool `json:"stream"`
		StreamOptions *struct {
			IncludeUsage bool `json:"include_usage"`
		} `json:"stream_options"`
	}
	_ = json.Unmarshal(body, &r)
	return r.Stream, r.StreamOptions != nil && r.StreamOptions.IncludeUsage
}

// chatRequest is the part of an OpenAI chat completion request that
// translates.
type chatRequest struct {
	Model               string          `json:"model"`
	Messages            []chatMessage   `json:"messages"`
	MaxTokens           *int            `json:"max_tokens"`
	MaxCompletionTokens *int            `json:"max_completion_tokens"`
	Temperature         *float64        `json:"temperature"`
	TopP                *float64        `json:"top_p"`
	N                   *int            `json:"n"`
	Stop                json.RawMessage `json:"stop"`
	Stream              bool            `json:"stream"`
	Tools               []tool          `json:"tools"`
	ToolChoice          json.RawMessage `json:"tool_choice"`
	ParallelToolCalls   *bool           `json:"parallel_tool_calls"`
	User                string          `json:"user"`
}

type chatMessage struct {
	Role       string          `json:"role"`
	Content    json.RawMessage `json:"content"`
	ToolCalls  []toolCall      `json:"tool_calls"`
	ToolCallID string          `json:"tool_call_id"`
}

type tool struct {
	Type     string `json:"type"`
	Function struct {
		Name        string          `json:"name"`
		Description string          `json:"description,omitempty"`
		Parameters  json.RawMessage `json:"parameters,omitempty"`
	} `json:"function"`
}

type toolCall struct {
	Index    *int   `json:"index,omitempty"`
	ID       string `json:"id,omitempty"`
	Type     string `json:"type,omitempty"`
	Function struct {
		Name      string `json:"name,omitempty"`
		Arguments string `json:"arguments"`
	} `json:"function"`
}

// arguments are an OpenAI tool call's arguments as the JSON object the
// other APIs want ({} when missing or not JSON).
func (tc toolCall) arguments() json.RawMessage {
	input := json.RawMessage(tc.Function.Arguments)
	if !json.Valid(input) || len(input) == 0 {
		return json.RawMessage(`{}`)
	}
	return input
}

// newToolCall is an answer's call of function name with args (JSON).
func newToolCall(id, name string, args []byte) toolCall {
	tc := toolCall{ID: id, Type: "function"}
	tc.Function.Name = name
	tc.Function.Arguments = string(args)
	if tc.Function.Arguments == "" {
		tc.Function.Arguments = "{}"
	}
	return tc
}

// part is one element of a message's content list.
type part struct {
	Type     string `json:"type"`
	Text     string `json:"text"`
	ImageURL struct {
		URL string `json:"url"`
	} `json:"image_url"`
}

// parts reads a message's content, a string or a list of parts.
func parts(content json.RawMessage) ([]part, error) {
	if len(content) == 0 || string(content) == "null" {
		return nil, nil
	}
	var s string
	if json.Unmarshal(content, &s) == nil {
		return []part{{Type: "text", Text: s}}, nil
	}
	var ps []part
	if err := json.Unmarshal(content, &ps); err != nil {
		return nil, fmt.Errorf("message content: want a string or a list of parts: %w", err)
	}
	return ps, nil
}

// text joins the text parts of a message's content.
func text(content json.RawMessage) (string, error) {
	ps, err := parts(content)
	var s string
	for _, p := range ps {
		if p.Type == "text" {
			if s != "" {
				s += "\n"
			}
			s += p.Text
		}
	}
	return s, err
}

// stops reads "stop", a string or a list.
func stops(raw json.RawMessage) []string {
	var one string
	if json.Unmarshal(raw, &one) == nil && one != "" {
		return []string{one}
	}
	var many []string
	_ = json.Unmarshal(raw, &many)
	return many
}

// toolChoice reads "tool_choice": "none", "auto", "required", or one
// function by name.
func toolChoice(raw json.RawMessage) (mode, name string) {
	if len(raw) == 0 || string(raw) == "null" {
		return "", ""
	}
	if json.Unmarshal(raw, &mode) == nil {
		return mode, ""
	}
	var c struct {
		Function struct {
			Name string `json:"name"`
		} `json:"function"`
	}
	_ = json.Unmarshal(raw, &c)
	return "function", c.Function.Name
}

// maxTokens is the request's output budget; Anthropic needs one, so a
// request without gets defaultMaxTokens.
func (r *chatRequest) maxTokens() *int {
	if r.MaxCompletionTokens != nil {
		return r.MaxCompletionTokens
	}
	return r.MaxTokens
}

// defaultMaxTokens is the answer budget of a request that sets none, where
// the provider requires one (agentgateway's choice too).
const defaultMaxTokens = 4096

// The OpenAI answer shapes.

type completion struct {
	ID      string   `json:"id"`
	Object  string   `json:"object"`
	Created int64    `json:"created"`
	Model   string   `json:"model"`
	Choices []choice `json:"choices"`
	Usage   *usage   `json:"usage,omitempty"`
}

type choice struct {
	Index        int      `json:"index"`
	Message      *message `json:"message,omitempty"`
	Delta        *delta   `json:"delta,omitempty"`
	Logprobs     any      `json:"logprobs"`
	FinishReason *string  `json:"finish_reason"`
}

type message struct {
	Role      string     `json:"role"`
	Content   *string    `json:"content"`
	Refusal   *string    `json:"refusal"`
	ToolCalls []toolCall `json:"tool_calls,omitempty"`
}

type delta struct {
	Role      string     `json:"role,omitempty"`
	Content   *string    `json:"content,omitempty"`
	ToolCalls []toolCall `json:"tool_calls,omitempty"`
}

type usage struct {
	PromptTokens     int `json:"prompt_tokens"`
	CompletionTokens int `json:"completion_tokens"`
	TotalTokens      int `json:"total_tokens"`
}

func newUsage(in, out int) *usage {
	return &usage{PromptTokens: in, CompletionTokens: out, TotalTokens: in + out}
}

// apiError is OpenAI's error body.
func apiError(status int, typ, msg string) []byte {
	if typ == "" {
		typ = map[int]string{400: "invalid_request_error", 401: "authentication_error", 403: "permission_error", 404: "not_found_error",
			429: "rate_limit_exceeded"}[status]
		if typ == "" {
			typ = "server_error"
		}
	}
	b, _ := json.Marshal(map[string]any{"error": map[string]any{"message": msg, "type": typ, "param": nil, "code": nil}})
	return b
}

func ptr[T any](v T) *T { return &v }

// decodeRequest reads a client's request as serve's policies read it
// (proxy/wire): member names exact, each once, UTF-8 valid. A lenient
// decoder here would let "Messages" reach the provider as messages, past
// a guard that read only "messages".
func decodeRequest(body []byte, in *chatRequest) error {
	return strictjson.Unmarshal(body, in)
}
