package translate

import (
	"cmp"
	"encoding/base64"
	"fmt"
	"strings"

	json "github.com/goccy/go-json"

	"github.com/kubelb-ai/kubelb-ai/proxy/sse"
)

// anthropic translates to and from Anthropic's Messages API.
type anthropic struct{}

type anthropicRequest struct {
	Model         string             `json:"model"`
	System        string             `json:"system,omitempty"`
	Messages      []anthropicMessage `json:"messages"`
	MaxTokens     int                `json:"max_tokens"`
	Temperature   *float64           `json:"temperature,omitempty"`
	TopP          *float64           `json:"top_p,omitempty"`
	StopSequences []string           `json:"stop_sequences,omitempty"`
	Stream        bool               `json:"stream,omitempty"`
	Tools         []anthropicTool    `json:"tools,omitempty"`
	ToolChoice    map[string]any     `json:"tool_choice,omitempty"`
	Metadata      map[string]string  `json:"metadata,omitempty"`
	Thinking      map[string]any     `json:"thinking,omitempty"`
	OutputConfig  *outputConfig      `json:"output_config,omitempty"`
}

// outputConfig holds Anthropic's structured output: the answer's text is
// JSON that follows format.schema.
type outputConfig struct {
	Format struct {
		Type   string          `json:"type"`
		Schema json.RawMessage `json:"schema"`
	} `json:"format"`
}

// anthropicRules are what becomes of each chat completion member on the way
// to the Messages API.
var anthropicRules = func() rules {
	const api = "Anthropic's Messages API"
	m := commonRules(api)
	for name, r := range map[string]rule{
		"model":                 to("model (the backend's model, when it names one)"),
		"messages":              to("system (system and developer messages, joined) and messages (user and tool results as user turns, assistant turns with tool_use)"),
		"max_completion_tokens": to("max_tokens (4096 when neither it nor max_tokens is set)"),
		"max_tokens":            to("max_tokens, when max_completion_tokens is not set"),
		"temperature":           to("temperature"),
		"top_p":                 to("top_p"),
		"stop":                  to("stop_sequences"),
		"stream":                to("stream"),
		"tools":                 to("tools (functions, as custom tools with input_schema)"),
		"tool_choice":           to("tool_choice (auto, any, none, or a tool by name)"),
		"parallel_tool_calls":   to("tool_choice.disable_parallel_tool_use when false"),
		"user":                  to("metadata.user_id"),
		"safety_identifier":     to("metadata.user_id, when user is not set"),
		"response_format":       to("output_config.format (json_schema: the schema; json_object: any object; text: nothing); json_schema's name, description and strict are not sent"),
		"reasoning_effort":      to("thinking.budget_tokens (minimal and low 1024, medium 2048, high 4096, xhigh 8192, max 16384; none: no thinking)"),
		"n":                     harmless("1", is(1.0), api+" answers with one choice"),
		"seed":                  refuse(api + " has no seed"),
		"presence_penalty":      harmless("0", is(0.0), api+" has no presence penalty"),
		"frequency_penalty":     harmless("0", is(0.0), api+" has no frequency penalty"),
	} {
		m[name] = r
	}
	return rules{provider: "Anthropic", members: m}
}()

// Fields accounts for each chat completion member on the way to Anthropic.
func (anthropic) Fields() FieldTable { return anthropicRules.table() }

type anthropicMessage struct {
	Role    string           `json:"role"`
	Content []anthropicBlock `json:"content"`
}

type anthropicBlock struct {
	Type      string          `json:"type"`
	Text      string          `json:"text,omitempty"`
	Source    *imageSource    `json:"source,omitempty"`
	ID        string          `json:"id,omitempty"`
	Name      string          `json:"name,omitempty"`
	Input     json.RawMessage `json:"input,omitempty"`
	ToolUseID string          `json:"tool_use_id,omitempty"`
	Content   string          `json:"content,omitempty"`
}

type imageSource struct {
	Type      string `json:"type"`
	MediaType string `json:"media_type,omitempty"`
	Data      string `json:"data,omitempty"`
	URL       string `json:"url,omitempty"`
}

type anthropicTool struct {
	Type        string          `json:"type"`
	Name        string          `json:"name"`
	Description string          `json:"description,omitempty"`
	InputSchema json.RawMessage `json:"input_schema"`
}

func (anthropic) Request(body []byte, model string) ([]byte, error) {
	var in chatRequest
	if err := decodeRequest(body, &in); err != nil {
		return nil, fmt.Errorf("the request is not an OpenAI chat completion request: %w", err)
	}
	if err := anthropicRules.check(body); err != nil {
		return nil, err
	}
	if err := checkTools(&in, "Anthropic"); err != nil {
		return nil, err
	}
	out := anthropicRequest{Model: in.Model, Temperature: in.Temperature, TopP: in.TopP, StopSequences: stops(in.Stop), Stream: in.Stream, MaxTokens: defaultMaxTokens}
	if model != "" {
		out.Model = model
	}
	if mt := in.maxTokens(); mt != nil {
		out.MaxTokens = *mt
	}
	if user := cmp.Or(in.User, in.SafetyIdentifier); user != "" {
		out.Metadata = map[string]string{"user_id": user}
	}
	schema, err := in.ResponseFormat.schema()
	if err != nil {
		return nil, err
	}
	if schema != nil {
		out.OutputConfig = &outputConfig{}
		out.OutputConfig.Format.Type = "json_schema"
		out.OutputConfig.Format.Schema = schema
	}
	if out.Thinking, err = thinking(in.ReasoningEffort, &out.MaxTokens, "Anthropic"); err != nil {
		return nil, err
	}
	var system []string
	for i, m := range in.Messages {
		switch m.Role {
		case "system", "developer":
			t, err := text(m.Content)
			if err != nil {
				return nil, fmt.Errorf("messages[%d]: %w", i, err)
			}
			system = append(system, t)
		case "user", "assistant":
			blocks, err := anthropicBlocks(m)
			if err != nil {
				return nil, fmt.Errorf("messages[%d]: %w", i, err)
			}
			out.Messages = appendMessage(out.Messages, m.Role, blocks)
		case "tool":
			t, err := text(m.Content)
			if err != nil {
				return nil, fmt.Errorf("messages[%d]: %w", i, err)
			}
			out.Messages = appendMessage(out.Messages, "user", []anthropicBlock{{Type: "tool_result", ToolUseID: m.ToolCallID, Content: t}})
		default:
			return nil, fmt.Errorf("messages[%d]: role %q has no Anthropic equivalent", i, m.Role)
		}
	}
	out.System = strings.Join(system, "\n\n")
	for _, t := range in.Tools {
		schema := t.Function.Parameters
		if len(schema) == 0 {
			schema = json.RawMessage(`{"type":"object","properties":{}}`)
		}
		out.Tools = append(out.Tools, anthropicTool{Type: "custom", Name: t.Function.Name, Description: t.Function.Description, InputSchema: schema})
	}
	switch mode, name := toolChoice(in.ToolChoice); mode {
	case "auto":
		out.ToolChoice = map[string]any{"type": "auto"}
	case "required":
		out.ToolChoice = map[string]any{"type": "any"}
	case "none":
		out.ToolChoice = map[string]any{"type": "none"}
	case "function":
		out.ToolChoice = map[string]any{"type": "tool", "name": name}
	}
	if in.ParallelToolCalls != nil && !*in.ParallelToolCalls && len(out.Tools) > 0 {
		if out.ToolChoice == nil {
			out.ToolChoice = map[string]any{"type": "auto"}
		}
		out.ToolChoice["disable_parallel_tool_use"] = true
	}
	return json.Marshal(out)
}

// appendMessage adds a message, joining it to the previous one of the same
// role: Anthropic wants user and assistant turns to alternate.
func appendMessage(msgs []anthropicMessage, role string, blocks []anthropicBlock) []anthropicMessage {
	if len(blocks) == 0 {
		return msgs
	}
	if n := len(msgs); n > 0 && msgs[n-1].Role == role {
		msgs[n-1].Content = append(msgs[n-1].Content, blocks...)
		return msgs
	}
	return append(msgs, anthropicMessage{Role: role, Content: blocks})
}

func anthropicBlocks(m chatMessage) ([]anthropicBlock, error) {
	ps, err := parts(m.Content)
	if err != nil {
		return nil, err
	}
	var out []anthropicBlock
	for _, p := range ps {
		switch p.Type {
		case "text":
			if p.Text != "" {
				out = append(out, anthropicBlock{Type: "text", Text: p.Text})
			}
		case "image_url":
			src, err := image(p.ImageURL.URL)
			if err != nil {
				return nil, err
			}
			out = append(out, anthropicBlock{Type: "image", Source: src})
		default:
			return nil, fmt.Errorf("content part type %q has no Anthropic equivalent", p.Type)
		}
	}
	for _, tc := range m.ToolCalls {
		out = append(out, anthropicBlock{Type: "tool_use", ID: tc.ID, Name: tc.Function.Name, Input: tc.arguments()})
	}
	return out, nil
}

// image reads an image_url: a data: URL becomes base64 data, anything else
// a URL source.
func image(u string) (*imageSource, error) {
	if rest, ok := strings.CutPrefix(u, "data:"); ok {
		meta, data, ok := strings.Cut(rest, ",")
		mediaType, isBase64 := strings.CutSuffix(meta, ";base64")
		if !ok || !isBase64 {
			return nil, fmt.Errorf("image data URL: want data:<media type>;base64,<data>")
		}
		if _, err := base64.StdEncoding.DecodeString(data); err != nil {
			return nil, fmt.Errorf("image data URL: %w", err)
		}
		return &imageSource{Type: "base64", MediaType: mediaType, Data: data}, nil
	}
	return &imageSource{Type: "url", URL: u}, nil
}

type anthropicResponse struct {
	ID         string `json:"id"`
	Model      string `json:"model"`
	StopReason string `json:"stop_reason"`
	Content    []struct {
		Type  string          `json:"type"`
		Text  string          `json:"text"`
		ID    string          `json:"id"`
		Name  string          `json:"name"`
		Input json.RawMessage `json:"input"`
	} `json:"content"`
	Usage anthropicUsage  `json:"usage"`
	Error *anthropicError `json:"error"`
}

type anthropicUsage struct {
	InputTokens  int `json:"input_tokens"`
	OutputTokens int `json:"output_tokens"`
}

type anthropicError struct {
	Type    string `json:"type"`
	Message string `json:"message"`
}

var anthropicFinish = map[string]string{"end_turn": "stop", "stop_sequence": "stop", "max_tokens": "length", "tool_use": "tool_calls", "refusal": "content_filter", "pause_turn": "stop"}

func finishOf(table map[string]string, reason string) *string {
	if reason == "" {
		return nil
	}
	if f, ok := table[reason]; ok {
		return &f
	}
	return ptr("stop")
}

func (anthropic) Response(status int, body []byte, model string) ([]byte, Usage) {
	var r anthropicResponse
	err := json.Unmarshal(body, &r)
	if status >= 300 || err != nil || r.Error != nil {
		msg, typ := strings.TrimSpace(string(body)), ""
		if r.Error != nil {
			msg, typ = r.Error.Message, r.Error.Type
		}
		if status < 300 {
			status = 502
		}
		return apiError(status, typ, msg), Usage{}
	}
	if r.Model != "" {
		model = r.Model
	}
	msg := &message{Role: "assistant"}
	var texts []string
	for _, b := range r.Content {
		switch b.Type {
		case "text":
			texts = append(texts, b.Text)
		case "tool_use":
			msg.ToolCalls = append(msg.ToolCalls, newToolCall(b.ID, b.Name, b.Input))
		}
	}
	if len(texts) > 0 || len(msg.ToolCalls) == 0 {
		msg.Content = ptr(strings.Join(texts, ""))
	}
	out := completion{ID: r.ID, Object: "chat.completion", Created: now().Unix(), Model: model,
		Choices: []choice{{Message: msg, FinishReason: finishOf(anthropicFinish, r.StopReason)}},
		Usage:   newUsage(r.Usage.InputTokens, r.Usage.OutputTokens)}
	b, _ := json.Marshal(out)
	return b, Usage{In: r.Usage.InputTokens, Out: r.Usage.OutputTokens, Model: model, Seen: true}
}

// Stream follows Anthropic's events: message_start, content blocks (text
// and tool_use, started, delta'd, stopped), message_delta with the stop
// reason and usage, message_stop.
func (anthropic) Stream(model string, includeUsage bool) *Stream {
	var id string
	created := now().Unix()
	in, out := 0, 0
	tools := map[int]int{} // content block index -> tool call index
	chunk := func(d *delta, finish *string) completion {
		return completion{ID: id, Object: "chat.completion.chunk", Created: created, Model: model, Choices: []choice{{Delta: d, FinishReason: finish}}}
	}
	s := &Stream{}
	s.convert = func(ev sse.Event) []any {
		var e struct {
			Type    string `json:"type"`
			Index   int    `json:"index"`
			Message struct {
				ID    string         `json:"id"`
				Model string         `json:"model"`
				Usage anthropicUsage `json:"usage"`
			} `json:"message"`
			ContentBlock struct {
				Type string `json:"type"`
				ID   string `json:"id"`
				Name string `json:"name"`
			} `json:"content_block"`
			Delta struct {
				Type        string `json:"type"`
				Text        string `json:"text"`
				PartialJSON string `json:"partial_json"`
				StopReason  string `json:"stop_reason"`
			} `json:"delta"`
			Usage anthropicUsage  `json:"usage"`
			Error *anthropicError `json:"error"`
		}
		if json.Unmarshal(ev.Data, &e) != nil {
			return nil
		}
		switch e.Type {
		case "message_start":
			id = e.Message.ID
			if e.Message.Model != "" {
				model = e.Message.Model
			}
			in, out = e.Message.Usage.InputTokens, e.Message.Usage.OutputTokens
			s.usage = Usage{In: in, Out: out, Model: model, Seen: true}
			return []any{chunk(&delta{Role: "assistant", Content: ptr("")}, nil)}
		case "content_block_start":
			if e.ContentBlock.Type != "tool_use" {
				return nil
			}
			n := len(tools)
			tools[e.Index] = n
			tc := toolCall{Index: ptr(n), ID: e.ContentBlock.ID, Type: "function"}
			tc.Function.Name = e.ContentBlock.Name
			return []any{chunk(&delta{ToolCalls: []toolCall{tc}}, nil)}
		case "content_block_delta":
			switch e.Delta.Type {
			case "text_delta":
				return []any{chunk(&delta{Content: ptr(e.Delta.Text)}, nil)}
			case "input_json_delta":
				n, ok := tools[e.Index]
				if !ok || e.Delta.PartialJSON == "" {
					return nil
				}
				tc := toolCall{Index: ptr(n)}
				tc.Function.Arguments = e.Delta.PartialJSON
				return []any{chunk(&delta{ToolCalls: []toolCall{tc}}, nil)}
			}
		case "message_delta":
			if e.Usage.InputTokens > 0 {
				in = e.Usage.InputTokens
			}
			out = e.Usage.OutputTokens
			s.usage = Usage{In: in, Out: out, Model: model, Seen: true}
			if e.Delta.StopReason != "" {
				return []any{chunk(&delta{}, finishOf(anthropicFinish, e.Delta.StopReason))}
			}
		case "message_stop":
			var last []any
			if includeUsage {
				last = append(last, completion{ID: id, Object: "chat.completion.chunk", Created: created, Model: model, Choices: []choice{}, Usage: newUsage(in, out)})
			}
			return append(last, doneMarker{})
		case "error":
			msg, typ := string(ev.Data), ""
			if e.Error != nil {
				msg, typ = e.Error.Message, e.Error.Type
			}
			return []any{json.RawMessage(apiError(502, typ, msg)), doneMarker{}}
		}
		return nil
	}
	return s
}
