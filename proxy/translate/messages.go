package translate

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"maps"
	"net/http"
	"strings"

	strictjson "github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
	json "github.com/goccy/go-json"

	"github.com/kubelb-ai/kubelb-ai/proxy/sse"
)

// Messages is the Client of Anthropic's Messages API (POST /v1/messages):
// an Anthropic SDK reaches an OpenAI-format provider through chat
// completions, and gets Anthropic's message, errors and events back, as
// agentgateway does for a Messages route to an OpenAI-compatible provider.
type Messages struct{}

var _ Client = Messages{}

// messagesFields accounts for every top-level member of a create-message
// request: the curated spec's and those the live API has beyond it
// (container, context_management, mcp_servers, service_tier,
// output_config), so a client sending them gets a reason, not "unknown".
var messagesFields = FieldTable{
	"model": "→ model",
	"messages": "→ messages: text and images (base64 → data: URL, url → URL) as user parts; tool_use → the assistant's tool_calls " +
		"(input → arguments JSON); each tool_result → a tool message (text blocks joined; is_error noted in the text); " +
		"thinking and redacted_thinking dropped (the model's own earlier reasoning: chat has no place for it, and it is " +
		"not the user's content); cache_control and citations dropped (a caching hint and annotations of earlier answers); " +
		"documents, search results and server tool blocks refused",
	"max_tokens":         "→ max_completion_tokens (required, as Anthropic requires it)",
	"metadata":           "user_id → user; no other member",
	"stop_sequences":     "→ stop",
	"system":             "→ one system message (a string, or text blocks)",
	"temperature":        "→ temperature",
	"tool_choice":        "auto/any/tool/none → auto/required/{function}/none; disable_parallel_tool_use: true → parallel_tool_calls: false",
	"tools":              "custom tools → function tools (input_schema → parameters); refused: Anthropic-defined and server tools (computer, bash, text editor, web search, code execution, MCP), which chat providers do not run",
	"top_k":              "refused: chat completions have no top_k",
	"top_p":              "→ top_p",
	"stream":             "→ stream, with stream_options.include_usage: true (an Anthropic stream reports usage)",
	"thinking":           "type disabled: accepted (the default, a no-op); enabled and adaptive refused: chat completions take no thinking budget and answer no thinking blocks",
	"service_tier":       "auto: accepted (the default, a no-op); standard_only refused: chat providers' tiers are not Anthropic's",
	"container":          "refused: a code execution container lives at Anthropic",
	"context_management": "refused: Anthropic's server-side context editing has no chat equivalent",
	"mcp_servers":        "refused: Anthropic's MCP connector calls MCP servers from Anthropic's side",
	"output_config":      "format json_schema → response_format json_schema (name structured_output); effort refused: reasoning_effort is not the same control and non-reasoning models reject it",
}

// Fields is the account of each request member.
func (Messages) Fields() FieldTable { return maps.Clone(messagesFields) }

// Request shapes read from the client. Members are decoded strictly
// (unknown names are errors), so nothing nested is dropped silently either.
type msgsRequest struct {
	Model         string           `json:"model"`
	Messages      []msgsMessage    `json:"messages"`
	MaxTokens     *int             `json:"max_tokens"`
	Metadata      *msgsMetadata    `json:"metadata"`
	StopSequences []string         `json:"stop_sequences"`
	System        jsontext.Value   `json:"system"`
	Temperature   *float64         `json:"temperature"`
	ToolChoice    *msgsToolChoice  `json:"tool_choice"`
	Tools         []jsontext.Value `json:"tools"`
	TopP          *float64         `json:"top_p"`
	Stream        bool             `json:"stream"`
	OutputConfig  *struct {
		Effort jsontext.Value `json:"effort"`
		Format *struct {
			Type   string         `json:"type"`
			Schema jsontext.Value `json:"schema"`
		} `json:"format"`
	} `json:"output_config"`
	// Checked on the raw members (Request): no more than refused or no-op.
	TopK              jsontext.Value `json:"top_k"`
	Thinking          jsontext.Value `json:"thinking"`
	ServiceTier       jsontext.Value `json:"service_tier"`
	Container         jsontext.Value `json:"container"`
	ContextManagement jsontext.Value `json:"context_management"`
	MCPServers        jsontext.Value `json:"mcp_servers"`
}

type msgsMetadata struct {
	UserID *string `json:"user_id"`
}

type msgsMessage struct {
	Role    string         `json:"role"`
	Content jsontext.Value `json:"content"`
}

type msgsToolChoice struct {
	Type                   string `json:"type"`
	Name                   string `json:"name"`
	DisableParallelToolUse *bool  `json:"disable_parallel_tool_use"`
}

type msgsTool struct {
	Type         string         `json:"type"`
	Name         string         `json:"name"`
	Description  string         `json:"description"`
	InputSchema  jsontext.Value `json:"input_schema"`
	CacheControl jsontext.Value `json:"cache_control"`
}

// msgsBlock is any content block this translation takes (text, image,
// tool_use, tool_result, thinking, redacted_thinking).
type msgsBlock struct {
	Type         string         `json:"type"`
	Text         string         `json:"text"`
	Source       *msgsSource    `json:"source"`
	ID           string         `json:"id"`
	Name         string         `json:"name"`
	Input        jsontext.Value `json:"input"`
	ToolUseID    string         `json:"tool_use_id"`
	Content      jsontext.Value `json:"content"`
	IsError      bool           `json:"is_error"`
	Thinking     string         `json:"thinking"`
	Signature    string         `json:"signature"`
	Data         string         `json:"data"`
	CacheControl jsontext.Value `json:"cache_control"`
	Citations    jsontext.Value `json:"citations"`
}

type msgsSource struct {
	Type      string `json:"type"`
	MediaType string `json:"media_type"`
	Data      string `json:"data"`
	URL       string `json:"url"`
}

// The chat completion request written.
type msgsChatRequest struct {
	Model               string          `json:"model,omitempty"`
	Messages            []msgsChatMsg   `json:"messages"`
	MaxCompletionTokens *int            `json:"max_completion_tokens,omitempty"`
	Temperature         *float64        `json:"temperature,omitempty"`
	TopP                *float64        `json:"top_p,omitempty"`
	Stop                []string        `json:"stop,omitempty"`
	Stream              bool            `json:"stream,omitempty"`
	StreamOptions       *msgsStreamOpts `json:"stream_options,omitempty"`
	Tools               []tool          `json:"tools,omitempty"`
	ToolChoice          any             `json:"tool_choice,omitempty"`
	ParallelToolCalls   *bool           `json:"parallel_tool_calls,omitempty"`
	User                string          `json:"user,omitempty"`
	ResponseFormat      *msgsRespFormat `json:"response_format,omitempty"`
}

type msgsStreamOpts struct {
	IncludeUsage bool `json:"include_usage"`
}

type msgsRespFormat struct {
	Type       string `json:"type"`
	JSONSchema struct {
		Name   string          `json:"name"`
		Schema json.RawMessage `json:"schema"`
	} `json:"json_schema"`
}

type msgsChatMsg struct {
	Role       string     `json:"role"`
	Content    any        `json:"content"`
	ToolCalls  []toolCall `json:"tool_calls,omitempty"`
	ToolCallID string     `json:"tool_call_id,omitempty"`
}

type msgsChatPart struct {
	Type     string        `json:"type"`
	Text     *string       `json:"text,omitempty"`
	ImageURL *msgsImageURL `json:"image_url,omitempty"`
}

type msgsImageURL struct {
	URL string `json:"url"`
}

// strictly decodes one value, unknown member names included.
func strictly(v jsontext.Value, out any) error {
	return strictjson.Unmarshal(v, out, strictjson.RejectUnknownMembers(true))
}

func absent(v jsontext.Value) bool { return len(v) == 0 || v.Kind() == 'n' }

// Request turns an Anthropic create-message request into a chat completion
// request.
func (Messages) Request(body []byte) ([]byte, error) {
	members, err := FieldTable(messagesFields).members(body, "an Anthropic Messages request", "the Messages API this gateway translates")
	if err != nil {
		return nil, err
	}
	if err := refusals(members); err != nil {
		return nil, err
	}
	var in msgsRequest
	if err := strictly(body, &in); err != nil {
		return nil, fmt.Errorf("the request is not an Anthropic Messages request: %w", err)
	}
	if in.MaxTokens == nil {
		return nil, fmt.Errorf("max_tokens: required by the Messages API")
	}
	if len(in.Messages) == 0 {
		return nil, fmt.Errorf("messages: at least one message is required")
	}
	out := msgsChatRequest{Model: in.Model, MaxCompletionTokens: in.MaxTokens, Temperature: in.Temperature, TopP: in.TopP,
		Stop: in.StopSequences, Stream: in.Stream, Messages: []msgsChatMsg{}}
	if in.Stream {
		out.StreamOptions = &msgsStreamOpts{IncludeUsage: true}
	}
	if in.Metadata != nil && in.Metadata.UserID != nil {
		out.User = *in.Metadata.UserID
	}
	if !absent(in.System) {
		blocks, err := msgsBlocks(in.System)
		if err != nil {
			return nil, fmt.Errorf("system: %w", err)
		}
		var ps []msgsChatPart
		for i, b := range blocks {
			if b.Type != "text" {
				return nil, fmt.Errorf("system[%d]: %s blocks refused: the system prompt takes text blocks only", i, b.Type)
			}
			ps = append(ps, textPart(b.Text))
		}
		out.Messages = append(out.Messages, msgsChatMsg{Role: "system", Content: chatContent(ps)})
	}
	for i, m := range in.Messages {
		msgs, err := msgsChatMessages(m)
		if err != nil {
			return nil, fmt.Errorf("messages[%d]: %w", i, err)
		}
		out.Messages = append(out.Messages, msgs...)
	}
	for i, raw := range in.Tools {
		t, err := msgsChatTool(raw)
		if err != nil {
			return nil, fmt.Errorf("tools[%d]: %w", i, err)
		}
		out.Tools = append(out.Tools, t)
	}
	if c := in.ToolChoice; c != nil {
		switch c.Type {
		case "auto":
			out.ToolChoice = "auto"
		case "any":
			out.ToolChoice = "required"
		case "none":
			out.ToolChoice = "none"
		case "tool":
			if c.Name == "" {
				return nil, fmt.Errorf("tool_choice: type tool needs a name")
			}
			out.ToolChoice = map[string]any{"type": "function", "function": map[string]string{"name": c.Name}}
		default:
			return nil, fmt.Errorf("tool_choice: type %q is none of auto, any, tool, none", c.Type)
		}
		// false is chat's default too: only true changes anything.
		if c.DisableParallelToolUse != nil && *c.DisableParallelToolUse && c.Type != "none" {
			out.ParallelToolCalls = ptr(false)
		}
	}
	if oc := in.OutputConfig; oc != nil {
		if !absent(oc.Effort) {
			return nil, fmt.Errorf("output_config.effort: refused: %s", "chat's reasoning_effort is not the same control and non-reasoning models reject it")
		}
		if f := oc.Format; f != nil {
			if f.Type != "json_schema" || absent(f.Schema) {
				return nil, fmt.Errorf("output_config.format: type %q: only json_schema with a schema translates", f.Type)
			}
			out.ResponseFormat = &msgsRespFormat{Type: "json_schema"}
			out.ResponseFormat.JSONSchema.Name = "structured_output"
			out.ResponseFormat.JSONSchema.Schema = json.RawMessage(f.Schema)
		}
	}
	return json.Marshal(out)
}

// refusals refuses the members with no chat equivalent, unless their value
// asks for nothing (null, or the API's default).
func refusals(members map[string]jsontext.Value) error {
	for _, name := range []string{"top_k", "container", "context_management", "mcp_servers"} {
		if v, ok := members[name]; ok && !absent(v) {
			return fmt.Errorf("%s: %s", name, messagesFields[name])
		}
	}
	if v, ok := members["thinking"]; ok && !absent(v) {
		var t struct {
			Type string `json:"type"`
		}
		if err := strictjson.Unmarshal(v, &t); err != nil {
			return fmt.Errorf("thinking: %w", err)
		}
		if t.Type != "disabled" {
			return fmt.Errorf("thinking: type %q refused: chat completions take no thinking budget and answer no thinking blocks", t.Type)
		}
	}
	if v, ok := members["service_tier"]; ok && !absent(v) {
		var tier string
		if err := strictjson.Unmarshal(v, &tier); err != nil {
			return fmt.Errorf("service_tier: %w", err)
		}
		if tier != "auto" {
			return fmt.Errorf("service_tier: %q refused: chat providers' tiers are not Anthropic's", tier)
		}
	}
	return nil
}

// msgsBlocks reads content: a string (one text block) or a list of blocks.
func msgsBlocks(content jsontext.Value) ([]msgsBlock, error) {
	if content.Kind() == '"' {
		var s string
		if err := strictjson.Unmarshal(content, &s); err != nil {
			return nil, err
		}
		return []msgsBlock{{Type: "text", Text: s}}, nil
	}
	var raws []jsontext.Value
	if err := strictjson.Unmarshal(content, &raws); err != nil {
		return nil, fmt.Errorf("content: want a string or a list of blocks: %w", err)
	}
	blocks := make([]msgsBlock, len(raws))
	for i, raw := range raws {
		var head struct {
			Type string `json:"type"`
		}
		if err := strictjson.Unmarshal(raw, &head); err != nil {
			return nil, fmt.Errorf("content[%d]: %w", i, err)
		}
		switch head.Type {
		case "text", "image", "tool_use", "tool_result", "thinking", "redacted_thinking":
		case "":
			return nil, fmt.Errorf("content[%d]: a block without a type", i)
		default:
			return nil, fmt.Errorf("content[%d]: %s blocks refused: chat completions have no equivalent", i, head.Type)
		}
		if err := strictly(raw, &blocks[i]); err != nil {
			return nil, fmt.Errorf("content[%d]: %w", i, err)
		}
	}
	return blocks, nil
}

func textPart(s string) msgsChatPart { return msgsChatPart{Type: "text", Text: &s} }

// chatContent is a message's content: a lone text as a string (what every
// OpenAI-compatible server takes), else the list of parts; nil for none.
func chatContent(ps []msgsChatPart) any {
	switch {
	case len(ps) == 0:
		return nil
	case len(ps) == 1 && ps[0].Type == "text":
		return *ps[0].Text
	}
	return ps
}

// msgsChatMessages turns one Anthropic message into chat messages: a user
// message's tool results become tool messages (first: Anthropic wants them
// first, chat wants them right after the assistant's calls), the rest one
// user message; an assistant message becomes one with its tool calls.
func msgsChatMessages(m msgsMessage) ([]msgsChatMsg, error) {
	if absent(m.Content) {
		return nil, fmt.Errorf("content: required")
	}
	blocks, err := msgsBlocks(m.Content)
	if err != nil {
		return nil, err
	}
	var out []msgsChatMsg
	var ps []msgsChatPart
	var calls []toolCall
	for i, b := range blocks {
		switch {
		case b.Type == "text":
			ps = append(ps, textPart(b.Text))
		case b.Type == "image" && m.Role == "user":
			url, err := imageURL(b.Source)
			if err != nil {
				return nil, fmt.Errorf("content[%d]: %w", i, err)
			}
			ps = append(ps, msgsChatPart{Type: "image_url", ImageURL: &msgsImageURL{URL: url}})
		case b.Type == "tool_result" && m.Role == "user":
			t, err := toolResultText(b)
			if err != nil {
				return nil, fmt.Errorf("content[%d]: %w", i, err)
			}
			out = append(out, msgsChatMsg{Role: "tool", ToolCallID: b.ToolUseID, Content: t})
		case b.Type == "tool_use" && m.Role == "assistant":
			input := b.Input
			if absent(input) {
				input = jsontext.Value(`{}`)
			}
			if err := input.Compact(); err != nil {
				return nil, fmt.Errorf("content[%d]: input: %w", i, err)
			}
			calls = append(calls, newToolCall(b.ID, b.Name, input))
		case (b.Type == "thinking" || b.Type == "redacted_thinking") && m.Role == "assistant":
			// Dropped: the model's own earlier reasoning (FieldTable).
		default:
			return nil, fmt.Errorf("content[%d]: %s blocks have no chat equivalent in %s messages", i, b.Type, m.Role)
		}
	}
	switch m.Role {
	case "user":
		if len(ps) > 0 {
			out = append(out, msgsChatMsg{Role: "user", Content: chatContent(ps)})
		}
	case "assistant":
		// A turn of thinking alone leaves nothing chat can hold.
		if len(ps) > 0 || len(calls) > 0 {
			out = append(out, msgsChatMsg{Role: "assistant", Content: chatContent(ps), ToolCalls: calls})
		}
	default:
		return nil, fmt.Errorf("role %q: want user or assistant", m.Role)
	}
	return out, nil
}

// imageURL is an image source as chat's image_url: base64 data as a data:
// URL, a URL as is.
func imageURL(src *msgsSource) (string, error) {
	switch {
	case src == nil:
		return "", fmt.Errorf("image: no source")
	case src.Type == "base64" && src.MediaType != "" && src.Data != "":
		return "data:" + src.MediaType + ";base64," + src.Data, nil
	case src.Type == "url" && src.URL != "":
		return src.URL, nil
	}
	return "", fmt.Errorf("image source type %q: only base64 (with media_type and data) and url translate", src.Type)
}

// toolResultText is a tool result as a chat tool message's text: chat tool
// messages hold text only, so image results are refused.
func toolResultText(b msgsBlock) (string, error) {
	var texts []string
	if !absent(b.Content) {
		blocks, err := msgsBlocks(b.Content)
		if err != nil {
			return "", err
		}
		for i, c := range blocks {
			if c.Type != "text" {
				return "", fmt.Errorf("content[%d]: a %s block in a tool result; chat tool messages take text only", i, c.Type)
			}
			texts = append(texts, c.Text)
		}
	}
	t := strings.Join(texts, "\n")
	if b.IsError {
		// Chat has no error flag on a tool message: say it in the text.
		t = "Error: " + t
	}
	return t, nil
}

// msgsChatTool turns a custom tool into a function tool.
func msgsChatTool(raw jsontext.Value) (tool, error) {
	var t msgsTool
	var head struct {
		Type string `json:"type"`
	}
	if err := strictjson.Unmarshal(raw, &head); err != nil {
		return tool{}, err
	}
	if head.Type != "" && head.Type != "custom" {
		return tool{}, fmt.Errorf("type %q refused: a tool Anthropic defines or runs; chat providers do not", head.Type)
	}
	if err := strictly(raw, &t); err != nil {
		return tool{}, err
	}
	if t.Name == "" {
		return tool{}, fmt.Errorf("name: required")
	}
	out := tool{Type: "function"}
	out.Function.Name = t.Name
	out.Function.Description = t.Description
	if !absent(t.InputSchema) {
		out.Function.Parameters = json.RawMessage(t.InputSchema)
	}
	return out, nil
}

// The Anthropic answer shapes written.

type msgsMessageOut struct {
	ID           string         `json:"id"`
	Type         string         `json:"type"`
	Role         string         `json:"role"`
	Model        string         `json:"model"`
	Content      []msgsBlockOut `json:"content"`
	StopReason   *string        `json:"stop_reason"`
	StopSequence *string        `json:"stop_sequence"`
	Usage        msgsUsage      `json:"usage"`
}

type msgsBlockOut struct {
	Type  string          `json:"type"`
	Text  *string         `json:"text,omitempty"`
	ID    string          `json:"id,omitempty"`
	Name  string          `json:"name,omitempty"`
	Input json.RawMessage `json:"input,omitempty"`
}

type msgsUsage struct {
	InputTokens          int  `json:"input_tokens"`
	OutputTokens         int  `json:"output_tokens"`
	CacheReadInputTokens *int `json:"cache_read_input_tokens,omitempty"`
}

// chatUsage is a chat answer's usage, cached prompt tokens included.
type chatUsage struct {
	PromptTokens        int `json:"prompt_tokens"`
	CompletionTokens    int `json:"completion_tokens"`
	PromptTokensDetails *struct {
		CachedTokens int `json:"cached_tokens"`
	} `json:"prompt_tokens_details"`
}

// anthropic counts cache reads apart from input_tokens.
func (u *chatUsage) anthropic() msgsUsage {
	if u == nil {
		return msgsUsage{}
	}
	out := msgsUsage{InputTokens: u.PromptTokens, OutputTokens: u.CompletionTokens}
	if d := u.PromptTokensDetails; d != nil && d.CachedTokens > 0 {
		out.InputTokens = max(0, u.PromptTokens-d.CachedTokens)
		out.CacheReadInputTokens = ptr(d.CachedTokens)
	}
	return out
}

// chatStops maps finish_reason to stop_reason. content_filter is refusal,
// the spec's reason for an answer the model would not give (agentgateway
// says end_turn in whole answers and refusal in streams).
var chatStops = map[string]string{"stop": "end_turn", "length": "max_tokens", "tool_calls": "tool_use", "function_call": "tool_use", "content_filter": "refusal"}

func stopReason(finish string) string {
	if r, ok := chatStops[finish]; ok {
		return r
	}
	return "end_turn"
}

// messageID is an Anthropic id for a chat completion's.
func messageID(chatID string) string {
	if chatID == "" {
		b := make([]byte, 12)
		_, _ = rand.Read(b)
		chatID = hex.EncodeToString(b)
	}
	return "msg_" + strings.TrimPrefix(chatID, "chatcmpl-")
}

type chatAnswer struct {
	ID      string `json:"id"`
	Model   string `json:"model"`
	Choices []struct {
		Message *struct {
			Content   json.RawMessage `json:"content"`
			Refusal   *string         `json:"refusal"`
			ToolCalls []toolCall      `json:"tool_calls"`
		} `json:"message"`
		Delta *struct {
			Content   *string    `json:"content"`
			Refusal   *string    `json:"refusal"`
			ToolCalls []toolCall `json:"tool_calls"`
		} `json:"delta"`
		FinishReason *string `json:"finish_reason"`
	} `json:"choices"`
	Usage *chatUsage      `json:"usage"`
	Error json.RawMessage `json:"error"`
}

// Response turns a chat completion, or an error, into an Anthropic message
// or error.
func (Messages) Response(status int, body []byte) []byte {
	var r chatAnswer
	err := json.Unmarshal(body, &r)
	if status >= 300 || err != nil || len(r.Error) > 0 && string(r.Error) != "null" {
		return msgsError(status, body, r.Error)
	}
	if len(r.Choices) == 0 || r.Choices[0].Message == nil {
		return msgsErrorBody("api_error", "the provider's answer has no choices")
	}
	c := r.Choices[0]
	finish := ""
	if c.FinishReason != nil {
		finish = *c.FinishReason
	}
	reason := stopReason(finish)
	out := msgsMessageOut{ID: messageID(r.ID), Type: "message", Role: "assistant", Model: r.Model, Content: []msgsBlockOut{},
		StopReason: &reason, Usage: r.Usage.anthropic()}
	t, _ := text(c.Message.Content)
	if c.Message.Refusal != nil && *c.Message.Refusal != "" {
		t, reason = *c.Message.Refusal, "refusal"
	}
	if t != "" || len(c.Message.ToolCalls) == 0 {
		out.Content = append(out.Content, msgsBlockOut{Type: "text", Text: &t})
	}
	for i, tc := range c.Message.ToolCalls {
		out.Content = append(out.Content, toolUseBlock(tc, i, true))
	}
	b, _ := json.Marshal(out)
	return b
}

// toolUseBlock is a chat tool call as a tool_use block; withInput sets the
// input from the arguments (a stream's block starts with {}).
func toolUseBlock(tc toolCall, n int, withInput bool) msgsBlockOut {
	id := tc.ID
	if id == "" {
		id = fmt.Sprintf("toolu_%d", n)
	}
	input := json.RawMessage(`{}`)
	if withInput {
		if a := tc.arguments(); len(a) > 0 && a[0] == '{' {
			input = a
		}
	}
	return msgsBlockOut{Type: "tool_use", ID: id, Name: tc.Function.Name, Input: input}
}

// msgsError turns an OpenAI error answer into Anthropic's error body.
func msgsError(status int, body []byte, raw json.RawMessage) []byte {
	var e struct {
		Type    string `json:"type"`
		Message string `json:"message"`
	}
	if json.Unmarshal(raw, &e) != nil {
		_ = json.Unmarshal(raw, &e.Message) // {"error":"text"}
	}
	if e.Message == "" {
		e.Message = strings.TrimSpace(string(body))
	}
	if e.Message == "" {
		e.Message = http.StatusText(status)
	}
	return msgsErrorBody(msgsErrorType(status, e.Type), e.Message)
}

// msgsErrorType is Anthropic's error type of an answer: by status, which
// Anthropic's SDKs read too, else by OpenAI's type.
func msgsErrorType(status int, openaiType string) string {
	switch status {
	case 400, 422:
		return "invalid_request_error"
	case 401:
		return "authentication_error"
	case 403:
		return "permission_error"
	case 404:
		return "not_found_error"
	case 413:
		return "request_too_large"
	case 429:
		return "rate_limit_error"
	case 503, 529:
		return "overloaded_error"
	}
	switch openaiType {
	case "invalid_request_error", "authentication_error", "permission_error", "not_found_error", "rate_limit_error", "api_error", "overloaded_error":
		return openaiType
	case "rate_limit_exceeded", "insufficient_quota", "tokens", "requests":
		return "rate_limit_error"
	}
	if status >= 400 && status < 500 {
		return "invalid_request_error"
	}
	return "api_error"
}

func msgsErrorBody(typ, msg string) []byte {
	b, _ := json.Marshal(msgsErrorEvent(typ, msg))
	return b
}

func msgsErrorEvent(typ, msg string) msgsEvent {
	return msgsEvent{Type: "error", Error: &anthropicError{Type: typ, Message: msg}}
}

// msgsEvent is one Anthropic stream event (and the error body).
type msgsEvent struct {
	Type         string          `json:"type"`
	Message      *msgsMessageOut `json:"message,omitempty"`
	Index        *int            `json:"index,omitempty"`
	ContentBlock *msgsBlockOut   `json:"content_block,omitempty"`
	Delta        any             `json:"delta,omitempty"`
	Usage        *msgsUsage      `json:"usage,omitempty"`
	Error        *anthropicError `json:"error,omitempty"`
}

type msgsTextDelta struct {
	Type string `json:"type"`
	Text string `json:"text"`
}

type msgsJSONDelta struct {
	Type        string `json:"type"`
	PartialJSON string `json:"partial_json"`
}

type msgsMessageDelta struct {
	StopReason   string  `json:"stop_reason"`
	StopSequence *string `json:"stop_sequence"`
}

// msgsStream is the state of one stream's conversion.
type msgsStream struct {
	model, id string
	started   bool
	next      int // the next content block's index
	open      int // the open block's index, -1 for none
	textOpen  bool
	tools     map[int]*msgsStreamTool // by chat tool call index
	stop      string                  // the stop reason, once the finish_reason came
	refused   bool
	usage     *chatUsage
}

type msgsStreamTool struct {
	call    toolCall
	block   int    // its content block, -1 until its name is known
	pending string // arguments not yet sent
}

// Stream converts chat chunks into Anthropic's events: message_start,
// content blocks (text and tool_use: start, deltas, stop, one open at a
// time as Anthropic sends them), message_delta with the stop reason and
// usage (held until both the finish_reason and the usage chunk came, or
// the chunks end), message_stop. No ping, as agentgateway sends none.
// An error chunk becomes an error event, the stream's last.
func (Messages) Stream(model string) *ClientStream {
	s := &msgsStream{model: model, open: -1, tools: map[int]*msgsStreamTool{}}
	var cs *ClientStream
	cs = NewClientStream(func(chunk []byte) []sse.Event {
		evs, end := s.chunk(chunk)
		if end {
			cs.done = true // nothing more to send, not even at [DONE]
		}
		return evs
	}, s.finish)
	return cs
}

func event(e msgsEvent) sse.Event {
	b, _ := json.Marshal(e)
	return sse.Event{Name: e.Type, Data: b}
}

func (s *msgsStream) chunk(data []byte) (out []sse.Event, end bool) {
	var c chatAnswer
	if json.Unmarshal(data, &c) != nil {
		return nil, false // not a chunk (agentgateway skips these too)
	}
	if len(c.Error) > 0 && string(c.Error) != "null" {
		var e msgsEvent
		_ = json.Unmarshal(msgsError(0, data, c.Error), &e)
		return []sse.Event{event(e)}, true
	}
	if !s.started {
		s.started = true
		s.id = messageID(c.ID)
		if c.Model != "" {
			s.model = c.Model
		}
		out = append(out, event(msgsEvent{Type: "message_start", Message: &msgsMessageOut{ID: s.id, Type: "message", Role: "assistant",
			Model: s.model, Content: []msgsBlockOut{}}}))
	}
	if c.Usage != nil {
		s.usage = c.Usage
	}
	if len(c.Choices) > 0 {
		ch := c.Choices[0]
		if d := ch.Delta; d != nil {
			if d.Content != nil && *d.Content != "" {
				out = s.text(out, *d.Content)
			}
			if d.Refusal != nil && *d.Refusal != "" {
				s.refused = true
				out = s.text(out, *d.Refusal)
			}
			for i, tc := range d.ToolCalls {
				out = s.toolDelta(out, tc, i)
			}
		}
		if ch.FinishReason != nil && *ch.FinishReason != "" {
			s.stop = stopReason(*ch.FinishReason)
		}
	}
	if s.stop != "" && s.usage != nil {
		return s.end(out), true
	}
	return out, false
}

func (s *msgsStream) closeBlock(out []sse.Event) []sse.Event {
	if s.open >= 0 {
		out = append(out, event(msgsEvent{Type: "content_block_stop", Index: ptr(s.open)}))
		s.open, s.textOpen = -1, false
	}
	return out
}

func (s *msgsStream) text(out []sse.Event, t string) []sse.Event {
	if !s.textOpen {
		out = s.closeBlock(out)
		s.open, s.textOpen = s.next, true
		s.next++
		out = append(out, event(msgsEvent{Type: "content_block_start", Index: ptr(s.open), ContentBlock: &msgsBlockOut{Type: "text", Text: ptr("")}}))
	}
	return append(out, event(msgsEvent{Type: "content_block_delta", Index: ptr(s.open), Delta: msgsTextDelta{Type: "text_delta", Text: t}}))
}

// toolDelta takes a piece of tool call: its block starts once its name is
// known, arguments before that wait.
func (s *msgsStream) toolDelta(out []sse.Event, tc toolCall, pos int) []sse.Event {
	n := pos
	if tc.Index != nil {
		n = *tc.Index
	}
	t, ok := s.tools[n]
	if !ok {
		t = &msgsStreamTool{block: -1}
		s.tools[n] = t
	}
	if tc.ID != "" {
		t.call.ID = tc.ID
	}
	if tc.Function.Name != "" {
		t.call.Function.Name = tc.Function.Name
	}
	t.pending += tc.Function.Arguments
	if t.block < 0 && t.call.Function.Name != "" {
		out = s.closeBlock(out)
		t.block, s.open = s.next, s.next
		s.next++
		b := toolUseBlock(t.call, n, false)
		out = append(out, event(msgsEvent{Type: "content_block_start", Index: ptr(t.block), ContentBlock: &b}))
	}
	if t.block >= 0 && t.pending != "" {
		// A provider interleaving two calls' arguments (none known does)
		// would get a delta to a stopped block here: Anthropic's SDKs
		// accumulate by index all the same.
		out = append(out, event(msgsEvent{Type: "content_block_delta", Index: ptr(t.block), Delta: msgsJSONDelta{Type: "input_json_delta", PartialJSON: t.pending}}))
		t.pending = ""
	}
	return out
}

// end closes the open block and the message.
func (s *msgsStream) end(out []sse.Event) []sse.Event {
	out = s.closeBlock(out)
	reason := s.stop
	if s.refused {
		reason = "refusal"
	}
	u := s.usage.anthropic()
	out = append(out, event(msgsEvent{Type: "message_delta", Delta: msgsMessageDelta{StopReason: reason}, Usage: &u}))
	return append(out, event(msgsEvent{Type: "message_stop"}))
}

// finish runs at [DONE] or the end of the chunks, when the message is not
// closed yet: with no usage chunk the usage is zero, with no finish_reason
// the turn ended (as agentgateway does); with no chunk at all, an error.
func (s *msgsStream) finish() []sse.Event {
	if !s.started {
		return []sse.Event{event(msgsErrorEvent("api_error", "the provider's stream ended without an answer"))}
	}
	if s.stop == "" {
		s.stop = "end_turn"
	}
	return s.end(nil)
}
