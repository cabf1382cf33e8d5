package translate

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"strings"

	strictjson "github.com/go-json-experiment/json"
	json "github.com/goccy/go-json"

	"github.com/kubelb-ai/kubelb-ai/proxy/sse"
)

// Responses is the Client of OpenAI's Responses API (POST /v1/responses):
// a Responses request reaches any provider through chat completions, and
// the answer comes back as a Response object or its event stream. The zero
// value answers with the Response's echo members (instructions, tools,
// temperature...) at their defaults; Echoing(request) answers with the
// request's, as OpenAI does.
type Responses struct {
	echo *responsesEcho
}

var _ Client = Responses{}

// responsesFields says what becomes of each member of CreateResponse.
// Members that ask for what a stateless chat completion cannot give are
// refused when set (null, false or empty is accepted as their absence).
var responsesFields = FieldTable{
	"model":                  "model",
	"input":                  "messages: a string is one user message; message items (user, assistant, system, developer; parts input_text, output_text, input_image by URL or data URL, refusal) become messages, developer as system; function_call items become the assistant's tool_calls (consecutive ones one message); function_call_output items become tool messages. Other items (reasoning, item_reference, hosted tool calls), input_file parts and images by file_id are refused",
	"instructions":           "a leading system message (not developer: every provider translator here reads system, and OpenAI-compatible servers may not know developer)",
	"tools":                  "tools: function tools ({type, name, description, parameters, strict}) become chat function tools; any other tool type (web_search, file_search, mcp, ...), and defer_loading, output_schema or allowed_callers on a function, is refused: no hosted tool runs behind chat completions",
	"tool_choice":            "tool_choice: auto, none, required, and {type: function, name} in chat's form; allowed_tools and hosted, mcp or custom tool choices are refused",
	"parallel_tool_calls":    "parallel_tool_calls",
	"temperature":            "temperature",
	"top_p":                  "top_p",
	"max_output_tokens":      "max_completion_tokens",
	"text":                   "text.format: json_schema and json_object become response_format, text (the default) none; text.verbosity becomes verbosity",
	"reasoning":              "reasoning.effort becomes reasoning_effort; summary, generate_summary, mode and context are refused when set: chat completions return no reasoning summary",
	"user":                   "user",
	"safety_identifier":      "safety_identifier, and user when the request sets no user (the member provider translators read)",
	"stream":                 "stream, with stream_options.include_usage: the Response at the stream's end reports usage",
	"stream_options":         "accepted: include_obfuscation only pads OpenAI's own events; the events here carry no padding",
	"metadata":               "not sent (OpenAI's chat completions keep metadata only with store); echoed in the Response as OpenAI does",
	"store":                  "accepted: nothing is stored, so the Response cannot be fetched or continued later (previous_response_id is refused)",
	"truncation":             "disabled (the default) is accepted; auto is refused: the gateway cannot drop input items to fit the model's context",
	"service_tier":           "service_tier",
	"prompt_cache_key":       "prompt_cache_key",
	"prompt_cache_retention": "prompt_cache_retention",
	"prompt_cache_options":   "prompt_cache_options",
	"max_tool_calls":         "accepted: it bounds built-in tool calls, and only function tools pass here",
	"previous_response_id":   "refused: no response is stored here to continue from; send the conversation in input",
	"conversation":           "refused: no conversation is stored here; send the conversation in input",
	"background":             "false is accepted; true is refused: a background response needs stored responses to poll",
	"prompt":                 "refused: prompt templates live in OpenAI's dashboard, out of the gateway's reach",
	"include":                "an empty list is accepted; any value is refused: it asks for output data (hosted tool results, logprobs, encrypted reasoning) chat completions do not return",
	"top_logprobs":           "refused: log probabilities are not carried back into the Response",
	"moderation":             "refused: no moderation runs behind chat completions here",
	"context_management":     "refused: compaction is OpenAI's server-side conversation state",
}

// Fields is the Responses translation's account of CreateResponse.
func (Responses) Fields() FieldTable { return responsesFields }

// responsesRequest is a CreateResponse body, its members as sent.
type responsesRequest struct {
	Model             string          `json:"model"`
	Input             json.RawMessage `json:"input"`
	Instructions      *string         `json:"instructions"`
	Tools             []responsesTool `json:"tools"`
	ToolChoice        json.RawMessage `json:"tool_choice"`
	ParallelToolCalls *bool           `json:"parallel_tool_calls"`
	Temperature       *float64        `json:"temperature"`
	TopP              *float64        `json:"top_p"`
	MaxOutputTokens   *int            `json:"max_output_tokens"`
	Text              *struct {
		Format    json.RawMessage `json:"format"`
		Verbosity *string         `json:"verbosity"`
	} `json:"text"`
	Reasoning *struct {
		Effort          *string `json:"effort"`
		Summary         *string `json:"summary"`
		GenerateSummary *string `json:"generate_summary"`
		Mode            *string `json:"mode"`
		Context         *string `json:"context"`
	} `json:"reasoning"`
	User                 string            `json:"user"`
	SafetyIdentifier     *string           `json:"safety_identifier"`
	Stream               *bool             `json:"stream"`
	Metadata             map[string]string `json:"metadata"`
	Truncation           *string           `json:"truncation"`
	ServiceTier          json.RawMessage   `json:"service_tier"`
	PromptCacheKey       json.RawMessage   `json:"prompt_cache_key"`
	PromptCacheRetention json.RawMessage   `json:"prompt_cache_retention"`
	PromptCacheOptions   json.RawMessage   `json:"prompt_cache_options"`
	PreviousResponseID   *string           `json:"previous_response_id"`
	Conversation         json.RawMessage   `json:"conversation"`
	Background           *bool             `json:"background"`
	Prompt               json.RawMessage   `json:"prompt"`
	Include              []string          `json:"include"`
	TopLogprobs          *int              `json:"top_logprobs"`
	Moderation           json.RawMessage   `json:"moderation"`
	ContextManagement    json.RawMessage   `json:"context_management"`
}

// responsesTool is a Responses tool: flat, unlike chat's.
type responsesTool struct {
	Type           string          `json:"type"`
	Name           string          `json:"name"`
	Description    *string         `json:"description"`
	Parameters     json.RawMessage `json:"parameters"`
	Strict         *bool           `json:"strict"`
	DeferLoading   *bool           `json:"defer_loading"`
	OutputSchema   json.RawMessage `json:"output_schema"`
	AllowedCallers json.RawMessage `json:"allowed_callers"`
}

// The chat completion request Request writes (members omitted when unset,
// so that a provider's default applies).
type respChatRequest struct {
	Model                string            `json:"model,omitempty"`
	Messages             []respChatMessage `json:"messages"`
	Tools                []respChatTool    `json:"tools,omitempty"`
	ToolChoice           any               `json:"tool_choice,omitempty"`
	ParallelToolCalls    *bool             `json:"parallel_tool_calls,omitempty"`
	Temperature          *float64          `json:"temperature,omitempty"`
	TopP                 *float64          `json:"top_p,omitempty"`
	MaxCompletionTokens  *int              `json:"max_completion_tokens,omitempty"`
	ResponseFormat       any               `json:"response_format,omitempty"`
	Verbosity            *string           `json:"verbosity,omitempty"`
	ReasoningEffort      *string           `json:"reasoning_effort,omitempty"`
	User                 string            `json:"user,omitempty"`
	SafetyIdentifier     *string           `json:"safety_identifier,omitempty"`
	ServiceTier          json.RawMessage   `json:"service_tier,omitempty"`
	PromptCacheKey       json.RawMessage   `json:"prompt_cache_key,omitempty"`
	PromptCacheRetention json.RawMessage   `json:"prompt_cache_retention,omitempty"`
	PromptCacheOptions   json.RawMessage   `json:"prompt_cache_options,omitempty"`
	Stream               bool              `json:"stream,omitempty"`
	StreamOptions        *struct {
		IncludeUsage bool `json:"include_usage"`
	} `json:"stream_options,omitempty"`
}

type respChatMessage struct {
	Role       string     `json:"role"`
	Content    any        `json:"content,omitempty"`
	Refusal    *string    `json:"refusal,omitempty"`
	ToolCalls  []toolCall `json:"tool_calls,omitempty"`
	ToolCallID string     `json:"tool_call_id,omitempty"`
}

type respChatPart struct {
	Type     string `json:"type"`
	Text     string `json:"text,omitempty"`
	ImageURL *struct {
		URL    string `json:"url"`
		Detail string `json:"detail,omitempty"`
	} `json:"image_url,omitempty"`
}

type respChatTool struct {
	Type     string `json:"type"`
	Function struct {
		Name        string          `json:"name"`
		Description *string         `json:"description,omitempty"`
		Parameters  json.RawMessage `json:"parameters,omitempty"`
		Strict      *bool           `json:"strict,omitempty"`
	} `json:"function"`
}

// null reports whether a member is absent or null.
func null(raw json.RawMessage) bool {
	return len(raw) == 0 || string(raw) == "null"
}

// refuse is the error of a member the translation cannot honour.
func refuseMember(member, why string) error {
	return fmt.Errorf("%s: %s", member, why)
}

func (Responses) Request(body []byte) ([]byte, error) {
	// The member names first: one the table does not know is refused, never
	// passed over.
	if _, err := FieldTable(responsesFields).members(body, "an OpenAI Responses request", "OpenAI's Responses API"); err != nil {
		return nil, err
	}
	var in responsesRequest
	if err := strictjson.Unmarshal(body, &in); err != nil {
		return nil, fmt.Errorf("the request is not an OpenAI Responses request: %w", err)
	}
	if err := in.refusals(); err != nil {
		return nil, err
	}
	out := respChatRequest{Model: in.Model, ParallelToolCalls: in.ParallelToolCalls, Temperature: in.Temperature, TopP: in.TopP,
		MaxCompletionTokens: in.MaxOutputTokens, User: in.User, SafetyIdentifier: in.SafetyIdentifier,
		ServiceTier: nonNull(in.ServiceTier), PromptCacheKey: nonNull(in.PromptCacheKey),
		PromptCacheRetention: nonNull(in.PromptCacheRetention), PromptCacheOptions: nonNull(in.PromptCacheOptions)}
	if out.User == "" && in.SafetyIdentifier != nil {
		out.User = *in.SafetyIdentifier
	}
	if in.Stream != nil && *in.Stream {
		out.Stream = true
		out.StreamOptions = &struct {
			IncludeUsage bool `json:"include_usage"`
		}{true}
	}
	if in.Instructions != nil && *in.Instructions != "" {
		out.Messages = append(out.Messages, respChatMessage{Role: "system", Content: *in.Instructions})
	}
	msgs, err := respMessages(in.Input)
	if err != nil {
		return nil, err
	}
	out.Messages = append(out.Messages, msgs...)
	for i, t := range in.Tools {
		if t.Type != "function" {
			return nil, refuseMember(fmt.Sprintf("tools[%d]", i), fmt.Sprintf("tool type %q runs on OpenAI's servers; only function tools pass through chat completions", t.Type))
		}
		switch {
		case t.DeferLoading != nil && *t.DeferLoading:
			return nil, refuseMember(fmt.Sprintf("tools[%d].defer_loading", i), "tool search is OpenAI's server-side feature")
		case !null(t.OutputSchema):
			return nil, refuseMember(fmt.Sprintf("tools[%d].output_schema", i), "chat function tools have no output schema")
		case !null(t.AllowedCallers):
			return nil, refuseMember(fmt.Sprintf("tools[%d].allowed_callers", i), "chat function tools are called by the model only")
		}
		ct := respChatTool{Type: "function"}
		ct.Function.Name, ct.Function.Description, ct.Function.Strict = t.Name, t.Description, t.Strict
		ct.Function.Parameters = nonNull(t.Parameters)
		out.Tools = append(out.Tools, ct)
	}
	if out.ToolChoice, err = respToolChoice(in.ToolChoice); err != nil {
		return nil, err
	}
	if in.Text != nil {
		if out.ResponseFormat, err = respFormat(in.Text.Format); err != nil {
			return nil, err
		}
		out.Verbosity = in.Text.Verbosity
	}
	if in.Reasoning != nil {
		out.ReasoningEffort = in.Reasoning.Effort
	}
	return json.Marshal(out)
}

func nonNull(raw json.RawMessage) json.RawMessage {
	if null(raw) {
		return nil
	}
	return raw
}

// refusals checks the members whose values ask for what chat completions
// cannot give (see responsesFields).
func (in *responsesRequest) refusals() error {
	switch {
	case in.PreviousResponseID != nil:
		return refuseMember("previous_response_id", responsesFields["previous_response_id"][len("refused: "):])
	case !null(in.Conversation):
		return refuseMember("conversation", responsesFields["conversation"][len("refused: "):])
	case in.Background != nil && *in.Background:
		return refuseMember("background", "a background response needs stored responses to poll; none are stored here")
	case !null(in.Prompt):
		return refuseMember("prompt", responsesFields["prompt"][len("refused: "):])
	case len(in.Include) > 0:
		return refuseMember("include", fmt.Sprintf("%s asks for output data chat completions do not return", strings.Join(in.Include, ", ")))
	case in.TopLogprobs != nil:
		return refuseMember("top_logprobs", responsesFields["top_logprobs"][len("refused: "):])
	case !null(in.Moderation):
		return refuseMember("moderation", responsesFields["moderation"][len("refused: "):])
	case !null(in.ContextManagement):
		return refuseMember("context_management", responsesFields["context_management"][len("refused: "):])
	case in.Truncation != nil && *in.Truncation != "disabled":
		return refuseMember("truncation", fmt.Sprintf("%q: the gateway cannot drop input items to fit the model's context (use disabled)", *in.Truncation))
	}
	if r := in.Reasoning; r != nil {
		for _, m := range []struct {
			name string
			v    *string
		}{{"summary", r.Summary}, {"generate_summary", r.GenerateSummary}, {"mode", r.Mode}, {"context", r.Context}} {
			if m.v != nil {
				return refuseMember("reasoning."+m.name, "chat completions take only a reasoning effort and return no reasoning summary")
			}
		}
	}
	return nil
}

// respItem is one input item: a message, a function call or its output.
type respItem struct {
	Type      string          `json:"type"`
	Role      string          `json:"role"`
	Content   json.RawMessage `json:"content"`
	CallID    string          `json:"call_id"`
	Name      string          `json:"name"`
	Arguments string          `json:"arguments"`
	Output    json.RawMessage `json:"output"`
}

type respPart struct {
	Type     string  `json:"type"`
	Text     string  `json:"text"`
	Refusal  string  `json:"refusal"`
	ImageURL *string `json:"image_url"`
	FileID   *string `json:"file_id"`
	Detail   string  `json:"detail"`
}

// respMessages turns input, a string or a list of items, into chat messages.
func respMessages(input json.RawMessage) ([]respChatMessage, error) {
	if null(input) {
		return nil, nil
	}
	var s string
	if json.Unmarshal(input, &s) == nil {
		return []respChatMessage{{Role: "user", Content: s}}, nil
	}
	var items []respItem
	if err := strictjson.Unmarshal(input, &items); err != nil {
		return nil, fmt.Errorf("input: want a string or a list of items: %w", err)
	}
	var out []respChatMessage
	for i, it := range items {
		at := fmt.Sprintf("input[%d]", i)
		switch it.Type {
		case "message", "":
			m, err := respMessage(it)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", at, err)
			}
			out = append(out, m)
		case "function_call":
			tc := newToolCall(it.CallID, it.Name, []byte(it.Arguments))
			// Calls of one turn are one assistant message, with the turn's
			// text when the message came just before them.
			if n := len(out); n > 0 && out[n-1].Role == "assistant" {
				out[n-1].ToolCalls = append(out[n-1].ToolCalls, tc)
			} else {
				out = append(out, respChatMessage{Role: "assistant", ToolCalls: []toolCall{tc}})
			}
		case "function_call_output":
			t, err := respOutputText(it.Output)
			if err != nil {
				return nil, fmt.Errorf("%s.output: %w", at, err)
			}
			out = append(out, respChatMessage{Role: "tool", ToolCallID: it.CallID, Content: t})
		default:
			return nil, refuseMember(at, fmt.Sprintf("item type %q has no chat completions equivalent (only messages, function_call and function_call_output)", it.Type))
		}
	}
	return out, nil
}

// respMessage turns a message item into a chat message.
func respMessage(it respItem) (respChatMessage, error) {
	role := it.Role
	switch role {
	case "user", "assistant", "system":
	case "developer":
		role = "system" // what every provider translator and compatible server reads
	default:
		return respChatMessage{}, fmt.Errorf("message role %q: want user, assistant, system or developer", it.Role)
	}
	m := respChatMessage{Role: role}
	var s string
	if json.Unmarshal(it.Content, &s) == nil {
		m.Content = s
		return m, nil
	}
	var ps []respPart
	if err := strictjson.Unmarshal(it.Content, &ps); err != nil {
		return m, fmt.Errorf("content: want a string or a list of parts: %w", err)
	}
	var parts []respChatPart
	images := false
	for j, p := range ps {
		switch p.Type {
		case "input_text", "output_text":
			parts = append(parts, respChatPart{Type: "text", Text: p.Text})
		case "refusal":
			if role != "assistant" {
				return m, fmt.Errorf("content[%d]: a refusal part belongs to an assistant message", j)
			}
			m.Refusal = ptr(p.Refusal)
		case "input_image":
			if p.ImageURL == nil || *p.ImageURL == "" {
				return m, refuseMember(fmt.Sprintf("content[%d]", j), "an image by file_id needs OpenAI's Files API; send its URL or a data URL")
			}
			if p.Detail == "original" {
				return m, refuseMember(fmt.Sprintf("content[%d].detail", j), `"original" has no chat completions equivalent (low, high, auto)`)
			}
			cp := respChatPart{Type: "image_url", ImageURL: &struct {
				URL    string `json:"url"`
				Detail string `json:"detail,omitempty"`
			}{*p.ImageURL, p.Detail}}
			parts = append(parts, cp)
			images = true
		default:
			return m, refuseMember(fmt.Sprintf("content[%d]", j), fmt.Sprintf("part type %q has no chat completions equivalent here (input_text, output_text, input_image, refusal)", p.Type))
		}
	}
	// Text alone is a string: every chat role takes one.
	if !images {
		var texts []string
		for _, p := range parts {
			texts = append(texts, p.Text)
		}
		if len(texts) > 0 {
			m.Content = strings.Join(texts, "")
		}
		return m, nil
	}
	m.Content = parts
	return m, nil
}

// respOutputText reads a function call's output: a string or text parts
// (a chat tool message holds text only).
func respOutputText(raw json.RawMessage) (string, error) {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s, nil
	}
	var ps []respPart
	if err := strictjson.Unmarshal(raw, &ps); err != nil {
		return "", fmt.Errorf("want a string or a list of parts: %w", err)
	}
	var b strings.Builder
	for j, p := range ps {
		if p.Type != "input_text" {
			return "", refuseMember(fmt.Sprintf("[%d]", j), fmt.Sprintf("part type %q: a chat tool message holds text only", p.Type))
		}
		b.WriteString(p.Text)
	}
	return b.String(), nil
}

// respToolChoice turns tool_choice into chat's form.
func respToolChoice(raw json.RawMessage) (any, error) {
	if null(raw) {
		return nil, nil
	}
	var mode string
	if json.Unmarshal(raw, &mode) == nil {
		switch mode {
		case "auto", "none", "required":
			return mode, nil
		}
		return nil, refuseMember("tool_choice", fmt.Sprintf("%q: want auto, none, required or a function", mode))
	}
	var c struct {
		Type string `json:"type"`
		Name string `json:"name"`
	}
	if err := json.Unmarshal(raw, &c); err != nil {
		return nil, fmt.Errorf("tool_choice: %w", err)
	}
	if c.Type != "function" {
		return nil, refuseMember("tool_choice", fmt.Sprintf("type %q has no chat completions equivalent here (auto, none, required, function)", c.Type))
	}
	return map[string]any{"type": "function", "function": map[string]string{"name": c.Name}}, nil
}

// respFormat turns text.format into chat's response_format.
func respFormat(raw json.RawMessage) (any, error) {
	if null(raw) {
		return nil, nil
	}
	var f struct {
		Type        string          `json:"type"`
		Name        string          `json:"name"`
		Description *string         `json:"description"`
		Schema      json.RawMessage `json:"schema"`
		Strict      *bool           `json:"strict"`
	}
	if err := json.Unmarshal(raw, &f); err != nil {
		return nil, fmt.Errorf("text.format: %w", err)
	}
	switch f.Type {
	case "text":
		return nil, nil // chat's default
	case "json_object":
		return map[string]string{"type": "json_object"}, nil
	case "json_schema":
		js := map[string]any{"name": f.Name}
		if f.Description != nil {
			js["description"] = *f.Description
		}
		if !null(f.Schema) {
			js["schema"] = f.Schema
		}
		if f.Strict != nil {
			js["strict"] = *f.Strict
		}
		return map[string]any{"type": "json_schema", "json_schema": js}, nil
	}
	return nil, refuseMember("text.format", fmt.Sprintf("type %q: want text, json_object or json_schema", f.Type))
}

// responsesEcho is what a Response repeats of its request.
type responsesEcho struct {
	Instructions      *string           `json:"instructions"`
	Metadata          map[string]string `json:"metadata"`
	Tools             []json.RawMessage `json:"tools"`
	ToolChoice        json.RawMessage   `json:"tool_choice"`
	ParallelToolCalls *bool             `json:"parallel_tool_calls"`
	Temperature       *float64          `json:"temperature"`
	TopP              *float64          `json:"top_p"`
	MaxOutputTokens   *int              `json:"max_output_tokens"`
}

// Echoing is a Responses whose answers repeat the request's instructions,
// metadata, tools, tool_choice, parallel_tool_calls, temperature, top_p
// and max_output_tokens, as OpenAI's Response objects do (a request that
// does not read leaves the defaults).
func (r Responses) Echoing(request []byte) Responses {
	var e responsesEcho
	if json.Unmarshal(request, &e) != nil {
		return r
	}
	r.echo = &e
	return r
}

// newResponseID makes the ids of responses and their items (tests fix it).
var newResponseID = func(prefix string) string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return prefix + "_" + hex.EncodeToString(b[:])
}

// The Response object and its items.

type respResponse struct {
	ID                string            `json:"id"`
	Object            string            `json:"object"`
	CreatedAt         int64             `json:"created_at"`
	Status            string            `json:"status"`
	CompletedAt       *int64            `json:"completed_at"`
	Error             any               `json:"error"`
	IncompleteDetails *respIncomplete   `json:"incomplete_details"`
	Instructions      *string           `json:"instructions"`
	MaxOutputTokens   *int              `json:"max_output_tokens"`
	Model             string            `json:"model"`
	Output            []any             `json:"output"`
	ParallelToolCalls bool              `json:"parallel_tool_calls"`
	Temperature       *float64          `json:"temperature"`
	ToolChoice        json.RawMessage   `json:"tool_choice"`
	Tools             []json.RawMessage `json:"tools"`
	TopP              *float64          `json:"top_p"`
	Metadata          map[string]string `json:"metadata"`
	// Usage is left out until known: the spec's usage is not nullable.
	Usage *respUsage `json:"usage,omitempty"`
}

type respIncomplete struct {
	Reason string `json:"reason"`
}

type respMessageItem struct {
	ID      string `json:"id"`
	Type    string `json:"type"`
	Status  string `json:"status"`
	Role    string `json:"role"`
	Content []any  `json:"content"`
}

type respTextPart struct {
	Type        string `json:"type"`
	Text        string `json:"text"`
	Annotations []any  `json:"annotations"`
	Logprobs    []any  `json:"logprobs"`
}

type respRefusalPart struct {
	Type    string `json:"type"`
	Refusal string `json:"refusal"`
}

type respCallItem struct {
	ID        string `json:"id"`
	Type      string `json:"type"`
	Status    string `json:"status"`
	CallID    string `json:"call_id"`
	Name      string `json:"name"`
	Arguments string `json:"arguments"`
}

type respUsage struct {
	InputTokens        int `json:"input_tokens"`
	InputTokensDetails struct {
		CachedTokens     int `json:"cached_tokens"`
		CacheWriteTokens int `json:"cache_write_tokens"`
	} `json:"input_tokens_details"`
	OutputTokens        int `json:"output_tokens"`
	OutputTokensDetails struct {
		ReasoningTokens int `json:"reasoning_tokens"`
	} `json:"output_tokens_details"`
	TotalTokens int `json:"total_tokens"`
}

// respChat is a chat completion or chunk as the pivot answers, usage
// details and refusals included.
type respChat struct {
	ID      string `json:"id"`
	Model   string `json:"model"`
	Choices []struct {
		Message *struct {
			Content   *string    `json:"content"`
			Refusal   *string    `json:"refusal"`
			ToolCalls []toolCall `json:"tool_calls"`
		} `json:"message"`
		Delta *struct {
			Content   *string    `json:"content"`
			Refusal   *string    `json:"refusal"`
			ToolCalls []toolCall `json:"tool_calls"`
		} `json:"delta"`
		FinishReason *string `json:"finish_reason"`
	} `json:"choices"`
	Usage *struct {
		PromptTokens        int `json:"prompt_tokens"`
		CompletionTokens    int `json:"completion_tokens"`
		TotalTokens         int `json:"total_tokens"`
		PromptTokensDetails *struct {
			CachedTokens int `json:"cached_tokens"`
		} `json:"prompt_tokens_details"`
		CompletionTokensDetails *struct {
			ReasoningTokens int `json:"reasoning_tokens"`
		} `json:"completion_tokens_details"`
	} `json:"usage"`
	Error json.RawMessage `json:"error"`
}

func (c *respChat) usage() *respUsage {
	if c.Usage == nil {
		return nil
	}
	u := &respUsage{InputTokens: c.Usage.PromptTokens, OutputTokens: c.Usage.CompletionTokens, TotalTokens: c.Usage.TotalTokens}
	if u.TotalTokens == 0 {
		u.TotalTokens = u.InputTokens + u.OutputTokens
	}
	if d := c.Usage.PromptTokensDetails; d != nil {
		u.InputTokensDetails.CachedTokens = d.CachedTokens
	}
	if d := c.Usage.CompletionTokensDetails; d != nil {
		u.OutputTokensDetails.ReasoningTokens = d.ReasoningTokens
	}
	return u
}

// respStatus is a Response's status for a chat finish reason: a cut answer
// is incomplete, for the reason OpenAI names. (A content filter is
// incomplete too, as OpenAI reports it, not failed: a failed Response
// needs an error code, and the spec's codes name no filter.)
func respStatus(finish string) (string, *respIncomplete) {
	switch finish {
	case "length":
		return "incomplete", &respIncomplete{Reason: "max_output_tokens"}
	case "content_filter":
		return "incomplete", &respIncomplete{Reason: "content_filter"}
	}
	return "completed", nil
}

// response is a Response object with the echo of the request.
func (r Responses) response(id string, created int64, model, status string) *respResponse {
	out := &respResponse{ID: id, Object: "response", CreatedAt: created, Status: status, Model: model, Output: []any{},
		ParallelToolCalls: true, ToolChoice: json.RawMessage(`"auto"`), Tools: []json.RawMessage{}, Metadata: map[string]string{}}
	if e := r.echo; e != nil {
		out.Instructions, out.Temperature, out.TopP, out.MaxOutputTokens = e.Instructions, e.Temperature, e.TopP, e.MaxOutputTokens
		if e.ParallelToolCalls != nil {
			out.ParallelToolCalls = *e.ParallelToolCalls
		}
		if !null(e.ToolChoice) {
			out.ToolChoice = e.ToolChoice
		}
		if e.Tools != nil {
			out.Tools = e.Tools
		}
		if e.Metadata != nil {
			out.Metadata = e.Metadata
		}
	}
	return out
}

// end sets a Response's final status from the chat finish reason.
func (out *respResponse) end(finish string) {
	out.Status, out.IncompleteDetails = respStatus(finish)
	if out.Status == "completed" {
		out.CompletedAt = ptr(now().Unix())
	}
}

func (r Responses) Response(status int, body []byte) []byte {
	var c respChat
	err := json.Unmarshal(body, &c)
	if status >= 300 || err != nil || !null(c.Error) || len(c.Choices) == 0 {
		return respError(status, body)
	}
	out := r.response(newResponseID("resp"), now().Unix(), c.Model, "completed")
	ch := c.Choices[0]
	finish := ""
	if ch.FinishReason != nil {
		finish = *ch.FinishReason
	}
	out.end(finish)
	itemStatus := "completed"
	if out.Status == "incomplete" {
		itemStatus = "incomplete"
	}
	if m := ch.Message; m != nil {
		var content []any
		if m.Content != nil && *m.Content != "" {
			content = append(content, respTextPart{Type: "output_text", Text: *m.Content, Annotations: []any{}, Logprobs: []any{}})
		}
		if m.Refusal != nil && *m.Refusal != "" {
			content = append(content, respRefusalPart{Type: "refusal", Refusal: *m.Refusal})
		}
		if content != nil {
			out.Output = append(out.Output, respMessageItem{ID: newResponseID("msg"), Type: "message", Status: itemStatus, Role: "assistant", Content: content})
		}
		for _, tc := range m.ToolCalls {
			out.Output = append(out.Output, respCallItem{ID: newResponseID("fc"), Type: "function_call", Status: "completed",
				CallID: tc.ID, Name: tc.Function.Name, Arguments: tc.Function.Arguments})
		}
	}
	out.Usage = c.usage()
	b, _ := json.Marshal(out)
	return b
}

// respError is OpenAI's error body ({"error":{message, type, param,
// code}}), which the Responses API answers with too, from the pivot's
// error or whatever else came back.
func respError(status int, body []byte) []byte {
	var e struct {
		Error json.RawMessage `json:"error"`
	}
	var obj struct {
		Message string `json:"message"`
		Type    string `json:"type"`
		Param   any    `json:"param"`
		Code    any    `json:"code"`
	}
	msg := strings.TrimSpace(string(body))
	if json.Unmarshal(body, &e) == nil && !null(e.Error) {
		var s string
		switch {
		case json.Unmarshal(e.Error, &s) == nil:
			msg = s
		case json.Unmarshal(e.Error, &obj) == nil:
			msg = obj.Message
		}
	}
	if status < 300 {
		status = 502 // a success that is no chat completion
	}
	typ := obj.Type
	if typ == "" {
		var b struct {
			Error struct {
				Type string `json:"type"`
			} `json:"error"`
		}
		_ = json.Unmarshal(apiError(status, "", ""), &b)
		typ = b.Error.Type
	}
	if msg == "" {
		msg = fmt.Sprintf("the provider answered with status %d", status)
	}
	b, _ := json.Marshal(map[string]any{"error": map[string]any{"message": msg, "type": typ, "param": obj.Param, "code": obj.Code}})
	return b
}

// Stream turns chat chunks into the Responses events: response.created and
// response.in_progress, then per output item its added event, its deltas
// and done events (a message's text or refusal parts, a function call's
// arguments), then response.completed or response.incomplete with the
// usage of the last chunk. An error chunk becomes an error event, the
// stream's last.
func (r Responses) Stream(model string) *ClientStream {
	s := &respStream{r: r, model: model, id: newResponseID("resp"), created: now().Unix(), calls: map[int]*respStreamCall{}}
	return NewClientStream(s.convert, s.finish)
}

type respStream struct {
	r         Responses
	model, id string
	created   int64
	seq       int
	started   bool
	failed    bool
	// output are the items so far, each marshalled when done.
	output []any
	msg    *respStreamMsg // the open message item
	calls  map[int]*respStreamCall
	open   []*respStreamCall // calls not yet done, in order
	reason string            // the chat finish reason
	usage  *respUsage
}

type respStreamMsg struct {
	index int
	item  respMessageItem
	// part is the open part: "output_text" or "refusal", and its text.
	part string
	text strings.Builder
}

type respStreamCall struct {
	index int
	item  respCallItem
}

// respEvent is one Responses stream event; members a type lacks are left
// out.
type respEvent struct {
	Type           string        `json:"type"`
	SequenceNumber int           `json:"sequence_number"`
	Response       *respResponse `json:"response,omitempty"`
	OutputIndex    *int          `json:"output_index,omitempty"`
	ItemID         string        `json:"item_id,omitempty"`
	ContentIndex   *int          `json:"content_index,omitempty"`
	Item           any           `json:"item,omitempty"`
	Part           any           `json:"part,omitempty"`
	Delta          *string       `json:"delta,omitempty"`
	Text           *string       `json:"text,omitempty"`
	Refusal        *string       `json:"refusal,omitempty"`
	Name           string        `json:"name,omitempty"`
	Arguments      *string       `json:"arguments,omitempty"`
	Logprobs       *[]any        `json:"logprobs,omitempty"` // set for text events, which need it
}

// emit appends an event, named by its type as OpenAI names them.
func (s *respStream) emit(out []sse.Event, e respEvent) []sse.Event {
	e.SequenceNumber = s.seq
	s.seq++
	b, _ := json.Marshal(e)
	return append(out, sse.Event{Name: e.Type, Data: b})
}

func (s *respStream) snapshot(status string) *respResponse {
	resp := s.r.response(s.id, s.created, s.model, status)
	resp.Output = append(resp.Output, s.output...)
	return resp
}

func (s *respStream) start(out []sse.Event) []sse.Event {
	if s.started {
		return out
	}
	s.started = true
	out = s.emit(out, respEvent{Type: "response.created", Response: s.snapshot("in_progress")})
	return s.emit(out, respEvent{Type: "response.in_progress", Response: s.snapshot("in_progress")})
}

func (s *respStream) convert(chunk []byte) []sse.Event {
	if s.failed {
		return nil
	}
	var c respChat
	if json.Unmarshal(chunk, &c) != nil {
		return nil
	}
	if !null(c.Error) {
		return s.fail(c.Error)
	}
	if c.Model != "" {
		s.model = c.Model
	}
	out := s.start(nil)
	if u := c.usage(); u != nil {
		s.usage = u
	}
	for _, ch := range c.Choices {
		if d := ch.Delta; d != nil {
			if d.Content != nil && *d.Content != "" {
				out = s.text(out, "output_text", *d.Content)
			}
			if d.Refusal != nil && *d.Refusal != "" {
				out = s.text(out, "refusal", *d.Refusal)
			}
			for _, tc := range d.ToolCalls {
				out = s.call(out, tc)
			}
		}
		if ch.FinishReason != nil && *ch.FinishReason != "" {
			s.reason = *ch.FinishReason
			// The items are done; the Response waits for the usage chunk.
			out = s.closeItems(out)
		}
	}
	return out
}

// text adds a message's text or refusal delta, opening the message item
// and the part as needed.
func (s *respStream) text(out []sse.Event, kind, d string) []sse.Event {
	if s.msg == nil {
		s.msg = &respStreamMsg{index: len(s.output), item: respMessageItem{ID: newResponseID("msg"), Type: "message", Status: "in_progress", Role: "assistant", Content: []any{}}}
		s.output = append(s.output, nil) // its place; filled when done
		out = s.emit(out, respEvent{Type: "response.output_item.added", OutputIndex: ptr(s.msg.index), Item: s.msg.item})
	}
	m := s.msg
	if m.part != kind {
		out = s.closePart(out)
		m.part = kind
		out = s.emit(out, respEvent{Type: "response.content_part.added", ItemID: m.item.ID, OutputIndex: ptr(m.index), ContentIndex: ptr(len(m.item.Content)), Part: outputPart(kind, "")})
	}
	m.text.WriteString(d)
	e := respEvent{Type: "response.output_text.delta", ItemID: m.item.ID, OutputIndex: ptr(m.index), ContentIndex: ptr(len(m.item.Content)), Delta: ptr(d), Logprobs: &[]any{}}
	if kind == "refusal" {
		e.Type, e.Logprobs = "response.refusal.delta", nil
	}
	return s.emit(out, e)
}

// outputPart is a message's content part of kind with its text.
func outputPart(kind, text string) any {
	if kind == "refusal" {
		return respRefusalPart{Type: "refusal", Refusal: text}
	}
	return respTextPart{Type: "output_text", Text: text, Annotations: []any{}, Logprobs: []any{}}
}

// closePart ends the message's open part: its text's done event and the
// part's.
func (s *respStream) closePart(out []sse.Event) []sse.Event {
	m := s.msg
	if m == nil || m.part == "" {
		return out
	}
	t := m.text.String()
	ci := len(m.item.Content)
	if m.part == "refusal" {
		out = s.emit(out, respEvent{Type: "response.refusal.done", ItemID: m.item.ID, OutputIndex: ptr(m.index), ContentIndex: ptr(ci), Refusal: ptr(t)})
	} else {
		out = s.emit(out, respEvent{Type: "response.output_text.done", ItemID: m.item.ID, OutputIndex: ptr(m.index), ContentIndex: ptr(ci), Text: ptr(t), Logprobs: &[]any{}})
	}
	part := outputPart(m.part, t)
	out = s.emit(out, respEvent{Type: "response.content_part.done", ItemID: m.item.ID, OutputIndex: ptr(m.index), ContentIndex: ptr(ci), Part: part})
	m.item.Content = append(m.item.Content, part)
	m.part = ""
	m.text.Reset()
	return out
}

// closeMessage ends the open message item.
func (s *respStream) closeMessage(out []sse.Event, status string) []sse.Event {
	if s.msg == nil {
		return out
	}
	out = s.closePart(out)
	m := s.msg
	m.item.Status = status
	s.output[m.index] = m.item
	s.msg = nil
	return s.emit(out, respEvent{Type: "response.output_item.done", OutputIndex: ptr(m.index), Item: m.item})
}

// call adds a tool call delta: a new call opens a function_call item (and
// ends the message item: text comes before a turn's calls), a known one
// streams its arguments.
func (s *respStream) call(out []sse.Event, tc toolCall) []sse.Event {
	i := 0
	if tc.Index != nil {
		i = *tc.Index
	}
	c, ok := s.calls[i]
	if !ok {
		out = s.closeMessage(out, "completed")
		c = &respStreamCall{index: len(s.output), item: respCallItem{ID: newResponseID("fc"), Type: "function_call", Status: "in_progress", CallID: tc.ID, Name: tc.Function.Name}}
		s.calls[i] = c
		s.open = append(s.open, c)
		s.output = append(s.output, nil)
		out = s.emit(out, respEvent{Type: "response.output_item.added", OutputIndex: ptr(c.index), Item: c.item})
	}
	if a := tc.Function.Arguments; a != "" {
		c.item.Arguments += a
		out = s.emit(out, respEvent{Type: "response.function_call_arguments.delta", ItemID: c.item.ID, OutputIndex: ptr(c.index), Delta: ptr(a)})
	}
	return out
}

// closeItems ends every open item, in the order they were added.
func (s *respStream) closeItems(out []sse.Event) []sse.Event {
	status, _ := respStatus(s.reason)
	out = s.closeMessage(out, status)
	for _, c := range s.open {
		c.item.Status = "completed"
		out = s.emit(out, respEvent{Type: "response.function_call_arguments.done", ItemID: c.item.ID, OutputIndex: ptr(c.index), Name: c.item.Name, Arguments: ptr(c.item.Arguments)})
		s.output[c.index] = c.item
		out = s.emit(out, respEvent{Type: "response.output_item.done", OutputIndex: ptr(c.index), Item: c.item})
	}
	s.open = nil
	return out
}

// finish ends the stream with the final Response.
func (s *respStream) finish() []sse.Event {
	if s.failed {
		return nil
	}
	out := s.closeItems(s.start(nil))
	resp := s.snapshot("")
	resp.end(s.reason)
	resp.Usage = s.usage
	typ := "response.completed"
	if resp.Status == "incomplete" {
		typ = "response.incomplete"
	}
	return s.emit(out, respEvent{Type: typ, Response: resp})
}

// fail turns a chat error chunk into the Responses error event; nothing
// follows it.
func (s *respStream) fail(raw json.RawMessage) []sse.Event {
	s.failed = true
	var e struct {
		Message string `json:"message"`
		Type    string `json:"type"`
		Param   any    `json:"param"`
		Code    any    `json:"code"`
	}
	msg := strings.TrimSpace(string(raw))
	if json.Unmarshal(raw, &e) == nil {
		msg = e.Message
	} else {
		_ = json.Unmarshal(raw, &msg)
	}
	// The event's code is a string: the error's code, else its type.
	code := e.Type
	switch c := e.Code.(type) {
	case string:
		code = c
	case float64:
		code = fmt.Sprint(c)
	}
	var param *string
	if p, ok := e.Param.(string); ok {
		param = &p
	}
	ev := struct {
		Type           string  `json:"type"`
		Code           *string `json:"code"`
		Message        string  `json:"message"`
		Param          *string `json:"param"`
		SequenceNumber int     `json:"sequence_number"`
	}{Type: "error", Message: msg, Param: param, SequenceNumber: s.seq}
	if code != "" {
		ev.Code = &code
	}
	s.seq++
	b, _ := json.Marshal(ev)
	return []sse.Event{{Name: "error", Data: b}}
}
