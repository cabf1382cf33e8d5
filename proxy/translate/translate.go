// Package translate converts OpenAI chat completion requests into other
// providers' native requests (Anthropic Messages, Gemini and Vertex AI
// generateContent) and their answers back: whole responses, errors and
// event streams, tool calls included. It is what agentgateway's data plane
// does for a client that speaks OpenAI's format to any provider; serve uses
// it for agentgateway targets and, with --translate, for kgateway ones.
package translate

import (
	"errors"
	"fmt"
	"reflect"
	"slices"
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
	// Fields accounts for every member of OpenAI's chat request.
	Fields() FieldTable
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
	SafetyIdentifier    string          `json:"safety_identifier"`
	ResponseFormat      *responseFormat `json:"response_format"`
	Seed                *int64          `json:"seed"`
	PresencePenalty     *float64        `json:"presence_penalty"`
	FrequencyPenalty    *float64        `json:"frequency_penalty"`
	ReasoningEffort     string          `json:"reasoning_effort"`
}

// responseFormat is "response_format": free text, any JSON object, or JSON
// that follows a schema (OpenAI's structured output).
type responseFormat struct {
	Type       string `json:"type"`
	JSONSchema *struct {
		Name        string          `json:"name"`
		Description string          `json:"description"`
		Schema      json.RawMessage `json:"schema"`
		Strict      *bool           `json:"strict"`
	} `json:"json_schema"`
}

// anyObject is the schema of json_object mode: a JSON object, any members.
var anyObject = json.RawMessage(`{"type":"object","additionalProperties":true}`)

// schema is the JSON Schema the answer must follow: nil for free text,
// anyObject for json_object.
func (f *responseFormat) schema() (json.RawMessage, error) {
	if f == nil {
		return nil, nil
	}
	switch f.Type {
	case "text":
		return nil, nil
	case "json_object":
		return anyObject, nil
	case "json_schema":
		if f.JSONSchema == nil || len(f.JSONSchema.Schema) == 0 || string(f.JSONSchema.Schema) == "null" {
			return nil, fmt.Errorf("response_format: json_schema.schema is missing")
		}
		return f.JSONSchema.Schema, nil
	}
	return nil, fmt.Errorf("response_format: type %q is not text, json_object or json_schema", f.Type)
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

// ErrUnsupported is the error of a request member a provider's translation
// cannot carry: refused by its FieldTable, set to more than the harmless
// value the table accepts, or not in the table at all. serve answers it
// with 400 and its message, which names the member and the provider; see
// UnsupportedError for the details.
var ErrUnsupported = errors.New("the provider cannot carry a member of the request")

// UnsupportedError is an ErrUnsupported naming the member and the provider.
type UnsupportedError struct {
	// Member is the request's top-level member, Provider the translation's
	// target ("Anthropic", "Gemini", "Bedrock").
	Member, Provider string
	// Reason says why, naming the provider.
	Reason string
}

func (e *UnsupportedError) Error() string { return e.Member + ": " + e.Reason }

func (e *UnsupportedError) Is(target error) bool { return target == ErrUnsupported }

// A rule is what a translation does with one request member; its String
// is the member's FieldTable entry.
type rule struct {
	kind ruleKind
	// what is the target path (translated) or the reason (the others).
	what string
	// when is the harmless value an accepted-only-when member may have,
	// and noop reports whether a value is it.
	when string
	noop func(json.RawMessage) bool
}

type ruleKind int

const (
	translated ruleKind = iota // carried to the provider
	ignored                    // accepted and not sent: it cannot change the answer
	refused                    // any value but null is an error
	onlyWhen                   // accepted when noop, else an error
)

func (r rule) String() string {
	switch r.kind {
	case translated:
		return "→ " + r.what
	case ignored:
		return "ignored: " + r.what
	case refused:
		return "refused: " + r.what
	}
	return "accepted only when " + r.when + ", else refused: " + r.what
}

func to(target string) rule  { return rule{kind: translated, what: target} }
func ignore(why string) rule { return rule{kind: ignored, what: why} }
func refuse(why string) rule { return rule{kind: refused, what: why} }
func harmless(when string, noop func(json.RawMessage) bool, why string) rule {
	return rule{kind: onlyWhen, what: why, when: when, noop: noop}
}

// is reports whether a JSON value equals one of values (numbers as
// float64, lists as []any, objects as map[string]any).
func is(values ...any) func(json.RawMessage) bool {
	return func(raw json.RawMessage) bool {
		var v any
		if json.Unmarshal(raw, &v) != nil {
			return false
		}
		for _, want := range values {
			if reflect.DeepEqual(v, want) {
				return true
			}
		}
		return false
	}
}

// rules is a translation's rule for every top-level member of OpenAI's
// chat completion request.
type rules struct {
	provider string // "Anthropic"
	members  map[string]rule
}

func (rs rules) table() FieldTable {
	t := make(FieldTable, len(rs.members))
	for name, r := range rs.members {
		t[name] = r.String()
	}
	return t
}

// check holds a request's members to the rules: the first member (by
// name) that is refused, not harmless, or unknown is an UnsupportedError.
// A null member is absent, as OpenAI reads it.
func (rs rules) check(body []byte) error {
	var members map[string]json.RawMessage
	if err := json.Unmarshal(body, &members); err != nil {
		return fmt.Errorf("the request is not an OpenAI chat completion request: %w", err)
	}
	names := make([]string, 0, len(members))
	for name := range members {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		raw := members[name]
		if string(raw) == "null" {
			continue
		}
		r, ok := rs.members[name]
		switch {
		case !ok:
			return &UnsupportedError{name, rs.provider, "not a chat completion member the translation to " + rs.provider + " knows"}
		case r.kind == refused:
			return &UnsupportedError{name, rs.provider, r.what}
		case r.kind == onlyWhen && !r.noop(raw):
			return &UnsupportedError{name, rs.provider, r.what + " (accepted only when " + r.when + ")"}
		}
	}
	return nil
}

// commonRules are the members every translation treats alike; in names the
// provider's API in reasons ("Anthropic's Messages API").
func commonRules(api string) map[string]rule {
	return map[string]rule{
		"logprobs":               harmless("false", is(false), api+" has no log probabilities"),
		"top_logprobs":           harmless("0", is(0.0), api+" has no log probabilities"),
		"logit_bias":             harmless("empty", is(map[string]any{}), api+" has no token biases"),
		"store":                  harmless("false", is(false), api+" stores no completions for later retrieval"),
		"metadata":               ignore("it labels completions that OpenAI stores, and store is refused"),
		"modalities":             harmless(`["text"]`, is([]any{"text"}), api+" answers with text only"),
		"audio":                  refuse(api + " answers with no audio"),
		"verbosity":              harmless(`"medium" (the default)`, is("medium"), api+" has no verbosity setting"),
		"service_tier":           harmless(`"auto" or "default"`, is("auto", "default"), "the translation to "+api+" chooses no service tier"),
		"web_search_options":     refuse("the translation to " + api + " offers no web search"),
		"moderation":             refuse(api + " runs no OpenAI moderation"),
		"prediction":             ignore("a predicted output only makes OpenAI faster; the answer is the same without it"),
		"prompt_cache_key":       ignore("a caching hint; the answer is the same without it"),
		"prompt_cache_retention": ignore("a caching hint; the answer is the same without it"),
		"prompt_cache_options":   ignore("a caching hint; the answer is the same without it"),
		"stream_options":         to("the gateway: include_usage adds the usage chunk; no obfuscation padding is sent"),
		"functions":              refuse("deprecated function calling, which the translation to " + api + " does not carry; send tools"),
		"function_call":          refuse("deprecated function calling, which the translation to " + api + " does not carry; send tool_choice"),
	}
}

// checkTools refuses the tools and tool choices that are not functions,
// the only kind the translations carry.
func checkTools(in *chatRequest, provider string) error {
	for i, t := range in.Tools {
		if t.Type != "function" && t.Type != "" {
			return &UnsupportedError{"tools", provider, fmt.Sprintf("tools[%d] is a %q tool; the translation to %s carries functions only", i, t.Type, provider)}
		}
	}
	var c struct {
		Type string `json:"type"`
	}
	if len(in.ToolChoice) > 0 && in.ToolChoice[0] == '{' && json.Unmarshal(in.ToolChoice, &c) == nil && c.Type != "function" {
		return &UnsupportedError{"tool_choice", provider, fmt.Sprintf("a %q tool choice; the translation to %s chooses functions only", c.Type, provider)}
	}
	return nil
}

// thinkingBudgets are the Anthropic thinking budgets (tokens) of OpenAI's
// reasoning efforts, agentgateway's; "none" is no thinking.
var thinkingBudgets = map[string]int{"none": 0, "minimal": 1024, "low": 1024, "medium": 2048, "high": 4096, "xhigh": 8192, "max": 16384}

// thinking is Anthropic's thinking setting of a reasoning effort (nil for
// none or unset); Anthropic requires its budget below max_tokens.
func thinking(effort string, maxTokens *int, provider string) (map[string]any, error) {
	if effort == "" {
		return nil, nil
	}
	budget, ok := thinkingBudgets[effort]
	if !ok {
		return nil, &UnsupportedError{"reasoning_effort", provider, fmt.Sprintf("%q is not an effort the translation to %s knows", effort, provider)}
	}
	if budget == 0 {
		return nil, nil
	}
	if maxTokens != nil && budget >= *maxTokens {
		return nil, &UnsupportedError{"reasoning_effort", provider, fmt.Sprintf("%s: its thinking budget of %d tokens must be below max_tokens (%d); raise max_completion_tokens", effort, budget, *maxTokens)}
	}
	return map[string]any{"type": "enabled", "budget_tokens": budget}, nil
}
