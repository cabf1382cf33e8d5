package translate

import (
	"fmt"
	"strings"

	json "github.com/goccy/go-json"

	"github.com/kubelb-ai/kubelb-ai/proxy/sse"
)

// bedrock translates to and from Amazon Bedrock's Converse API (the model
// is in the path: /model/{id}/converse, /converse-stream).
type bedrock struct{}

type converseRequest struct {
	Messages        []converseMessage `json:"messages"`
	System          []converseBlock   `json:"system,omitempty"`
	InferenceConfig *inferenceConfig  `json:"inferenceConfig,omitempty"`
	ToolConfig      *toolConfig       `json:"toolConfig,omitempty"`
	OutputConfig    *converseOutput   `json:"outputConfig,omitempty"`
	// AdditionalModelRequestFields go to the model as they are: the
	// thinking setting of Anthropic's models.
	AdditionalModelRequestFields map[string]any `json:"additionalModelRequestFields,omitempty"`
}

// converseOutput is Converse's structured output: the answer's text is
// JSON that follows the schema, which Converse takes as a string.
type converseOutput struct {
	TextFormat struct {
		Type      string `json:"type"`
		Structure struct {
			JSONSchema struct {
				Schema      string `json:"schema"`
				Name        string `json:"name,omitempty"`
				Description string `json:"description,omitempty"`
			} `json:"jsonSchema"`
		} `json:"structure"`
	} `json:"textFormat"`
}

// bedrockRules are what becomes of each chat completion member on the way
// to Converse.
var bedrockRules = func() rules {
	const api = "Bedrock's Converse API"
	m := commonRules(api)
	for name, r := range map[string]rule{
		"model":                 to("the request path (the backend's model); the body has none"),
		"messages":              to("system (system and developer messages) and messages (user and tool results as user turns, assistant turns with toolUse)"),
		"max_completion_tokens": to("inferenceConfig.maxTokens"),
		"max_tokens":            to("inferenceConfig.maxTokens, when max_completion_tokens is not set"),
		"temperature":           to("inferenceConfig.temperature"),
		"top_p":                 to("inferenceConfig.topP"),
		"stop":                  to("inferenceConfig.stopSequences"),
		"stream":                to("the streaming operation, ConverseStream"),
		"tools":                 to("toolConfig.tools (functions, as toolSpec with inputSchema.json)"),
		"tool_choice":           to("toolConfig.toolChoice (auto, any, a tool by name; none: no toolConfig)"),
		"parallel_tool_calls":   harmless("true", is(true), api+" cannot be kept to one tool call per turn"),
		"response_format":       to("outputConfig.textFormat (json_schema with structure.jsonSchema: the schema as a string, name, description; json_object: any object; text: nothing); strict is not sent"),
		"reasoning_effort":      to("additionalModelRequestFields.thinking, the budget of Anthropic's models as for Anthropic (other models answer 400)"),
		"n":                     harmless("1", is(1.0), api+" answers with one choice"),
		"seed":                  refuse(api + " has no seed"),
		"presence_penalty":      harmless("0", is(0.0), api+" has no presence penalty"),
		"frequency_penalty":     harmless("0", is(0.0), api+" has no frequency penalty"),
		"user":                  ignore("an end-user id for OpenAI's abuse monitoring; " + api + " has none, and the answer is the same without it"),
		"safety_identifier":     ignore("an end-user id for OpenAI's abuse monitoring; " + api + " has none, and the answer is the same without it"),
	} {
		m[name] = r
	}
	return rules{provider: "Bedrock", members: m}
}()

// Fields accounts for each chat completion member on the way to Bedrock.
func (bedrock) Fields() FieldTable { return bedrockRules.table() }

type converseMessage struct {
	Role    string          `json:"role"`
	Content []converseBlock `json:"content"`
}

type converseBlock struct {
	Text       string          `json:"text,omitempty"`
	Image      *converseImage  `json:"image,omitempty"`
	ToolUse    *converseTool   `json:"toolUse,omitempty"`
	ToolResult *converseResult `json:"toolResult,omitempty"`
}

type converseImage struct {
	Format string `json:"format"`
	Source struct {
		Bytes string `json:"bytes"`
	} `json:"source"`
}

type converseTool struct {
	ToolUseID string          `json:"toolUseId"`
	Name      string          `json:"name"`
	Input     json.RawMessage `json:"input"`
}

type converseResult struct {
	ToolUseID string          `json:"toolUseId"`
	Content   []converseBlock `json:"content"`
}

type inferenceConfig struct {
	MaxTokens     *int     `json:"maxTokens,omitempty"`
	Temperature   *float64 `json:"temperature,omitempty"`
	TopP          *float64 `json:"topP,omitempty"`
	StopSequences []string `json:"stopSequences,omitempty"`
}

type toolConfig struct {
	Tools      []map[string]any `json:"tools"`
	ToolChoice map[string]any   `json:"toolChoice,omitempty"`
}

func (bedrock) Request(body []byte, _ string) ([]byte, error) {
	var in chatRequest
	if err := decodeRequest(body, &in); err != nil {
		return nil, fmt.Errorf("the request is not an OpenAI chat completion request: %w", err)
	}
	if err := bedrockRules.check(body); err != nil {
		return nil, err
	}
	if err := checkTools(&in, "Bedrock"); err != nil {
		return nil, err
	}
	var out converseRequest
	add := func(role string, blocks []converseBlock) {
		if len(blocks) == 0 {
			return
		}
		if n := len(out.Messages); n > 0 && out.Messages[n-1].Role == role {
			out.Messages[n-1].Content = append(out.Messages[n-1].Content, blocks...)
			return
		}
		out.Messages = append(out.Messages, converseMessage{Role: role, Content: blocks})
	}
	for i, m := range in.Messages {
		switch m.Role {
		case "system", "developer":
			t, err := text(m.Content)
			if err != nil {
				return nil, fmt.Errorf("messages[%d]: %w", i, err)
			}
			out.System = append(out.System, converseBlock{Text: t})
		case "user", "assistant":
			ps, err := parts(m.Content)
			if err != nil {
				return nil, fmt.Errorf("messages[%d]: %w", i, err)
			}
			var blocks []converseBlock
			for _, p := range ps {
				switch p.Type {
				case "text":
					if p.Text != "" {
						blocks = append(blocks, converseBlock{Text: p.Text})
					}
				case "image_url":
					src, err := image(p.ImageURL.URL)
					if err != nil {
						return nil, fmt.Errorf("messages[%d]: %w", i, err)
					}
					if src.Type != "base64" {
						return nil, fmt.Errorf("messages[%d]: Bedrock takes images as data, not URLs", i)
					}
					img := &converseImage{Format: strings.TrimPrefix(src.MediaType, "image/")}
					img.Source.Bytes = src.Data
					blocks = append(blocks, converseBlock{Image: img})
				default:
					return nil, fmt.Errorf("messages[%d]: content part type %q has no Bedrock equivalent", i, p.Type)
				}
			}
			for _, tc := range m.ToolCalls {
				blocks = append(blocks, converseBlock{ToolUse: &converseTool{ToolUseID: tc.ID, Name: tc.Function.Name, Input: tc.arguments()}})
			}
			add(m.Role, blocks)
		case "tool":
			t, err := text(m.Content)
			if err != nil {
				return nil, fmt.Errorf("messages[%d]: %w", i, err)
			}
			add("user", []converseBlock{{ToolResult: &converseResult{ToolUseID: m.ToolCallID, Content: []converseBlock{{Text: t}}}}})
		default:
			return nil, fmt.Errorf("messages[%d]: role %q has no Bedrock equivalent", i, m.Role)
		}
	}
	ic := inferenceConfig{MaxTokens: in.maxTokens(), Temperature: in.Temperature, TopP: in.TopP, StopSequences: stops(in.Stop)}
	if ic.MaxTokens != nil || ic.Temperature != nil || ic.TopP != nil || len(ic.StopSequences) > 0 {
		out.InferenceConfig = &ic
	}
	schema, err := in.ResponseFormat.schema()
	if err != nil {
		return nil, err
	}
	if schema != nil {
		out.OutputConfig = &converseOutput{}
		tf := &out.OutputConfig.TextFormat
		tf.Type = "json_schema"
		tf.Structure.JSONSchema.Schema = string(schema)
		if js := in.ResponseFormat.JSONSchema; js != nil {
			tf.Structure.JSONSchema.Name, tf.Structure.JSONSchema.Description = js.Name, js.Description
		}
	}
	think, err := thinking(in.ReasoningEffort, in.maxTokens(), "Bedrock")
	if err != nil {
		return nil, err
	}
	if think != nil {
		out.AdditionalModelRequestFields = map[string]any{"thinking": think}
	}
	if len(in.Tools) > 0 {
		tc := &toolConfig{}
		for _, t := range in.Tools {
			schema := t.Function.Parameters
			if len(schema) == 0 {
				schema = json.RawMessage(`{"type":"object","properties":{}}`)
			}
			spec := map[string]any{"name": t.Function.Name, "inputSchema": map[string]any{"json": schema}}
			if t.Function.Description != "" {
				spec["description"] = t.Function.Description
			}
			tc.Tools = append(tc.Tools, map[string]any{"toolSpec": spec})
		}
		switch mode, name := toolChoice(in.ToolChoice); mode {
		case "auto":
			tc.ToolChoice = map[string]any{"auto": map[string]any{}}
		case "required":
			tc.ToolChoice = map[string]any{"any": map[string]any{}}
		case "function":
			tc.ToolChoice = map[string]any{"tool": map[string]any{"name": name}}
		case "none":
			tc = nil // Converse has no "none": offer no tools
		}
		out.ToolConfig = tc
	}
	return json.Marshal(out)
}

type converseResponse struct {
	Output struct {
		Message struct {
			Content []struct {
				Text    *string       `json:"text"`
				ToolUse *converseTool `json:"toolUse"`
			} `json:"content"`
		} `json:"message"`
	} `json:"output"`
	StopReason string `json:"stopReason"`
	Usage      struct {
		InputTokens  int `json:"inputTokens"`
		OutputTokens int `json:"outputTokens"`
	} `json:"usage"`
	Message string `json:"message"` // an error's
}

var bedrockFinish = map[string]string{"end_turn": "stop", "stop_sequence": "stop", "max_tokens": "length", "tool_use": "tool_calls",
	"guardrail_intervened": "content_filter", "content_filtered": "content_filter"}

func (bedrock) Response(status int, body []byte, model string) ([]byte, Usage) {
	var r converseResponse
	if err := json.Unmarshal(body, &r); status >= 300 || err != nil {
		msg := r.Message
		if msg == "" {
			msg = strings.TrimSpace(string(body))
		}
		if status < 300 {
			status = 502
		}
		return apiError(status, "", msg), Usage{}
	}
	msg := &message{Role: "assistant"}
	var texts []string
	for _, b := range r.Output.Message.Content {
		switch {
		case b.Text != nil:
			texts = append(texts, *b.Text)
		case b.ToolUse != nil:
			msg.ToolCalls = append(msg.ToolCalls, newToolCall(b.ToolUse.ToolUseID, b.ToolUse.Name, b.ToolUse.Input))
		}
	}
	if len(texts) > 0 || len(msg.ToolCalls) == 0 {
		msg.Content = ptr(strings.Join(texts, ""))
	}
	out := completion{ID: "chatcmpl-bedrock", Object: "chat.completion", Created: now().Unix(), Model: model,
		Choices: []choice{{Message: msg, FinishReason: finishOf(bedrockFinish, r.StopReason)}},
		Usage:   newUsage(r.Usage.InputTokens, r.Usage.OutputTokens)}
	b, _ := json.Marshal(out)
	return b, Usage{In: r.Usage.InputTokens, Out: r.Usage.OutputTokens, Model: model, Seen: true}
}

// Stream follows ConverseStream's binary events: messageStart, content
// blocks (text, toolUse) started, delta'd and stopped, messageStop with
// the stop reason, then metadata with the usage.
func (bedrock) Stream(model string, includeUsage bool) *Stream {
	created := now().Unix()
	id := "chatcmpl-bedrock"
	tools := map[int]int{}
	chunk := func(d *delta, finish *string) completion {
		return completion{ID: id, Object: "chat.completion.chunk", Created: created, Model: model, Choices: []choice{{Delta: d, FinishReason: finish}}}
	}
	s := &Stream{}
	var fr frames
	s.split = func(p []byte) []sse.Event {
		evs := fr.feed(p)
		if fr.bad {
			evs = append(evs, sse.Event{Name: "exception:badFrame", Data: []byte(`{"message":"the provider's event stream is damaged"}`)})
		}
		return evs
	}
	s.convert = func(ev sse.Event) []any {
		var e struct {
			ContentBlockIndex int `json:"contentBlockIndex"`
			Start             struct {
				ToolUse *converseTool `json:"toolUse"`
			} `json:"start"`
			Delta struct {
				Text    *string `json:"text"`
				ToolUse *struct {
					Input string `json:"input"`
				} `json:"toolUse"`
			} `json:"delta"`
			StopReason string `json:"stopReason"`
			Usage      *struct {
				InputTokens  int `json:"inputTokens"`
				OutputTokens int `json:"outputTokens"`
			} `json:"usage"`
			Message string `json:"message"`
		}
		if json.Unmarshal(ev.Data, &e) != nil {
			return nil
		}
		switch {
		case ev.Name == "messageStart":
			return []any{chunk(&delta{Role: "assistant", Content: ptr("")}, nil)}
		case ev.Name == "contentBlockStart" && e.Start.ToolUse != nil:
			n := len(tools)
			tools[e.ContentBlockIndex] = n
			tc := toolCall{Index: ptr(n), ID: e.Start.ToolUse.ToolUseID, Type: "function"}
			tc.Function.Name = e.Start.ToolUse.Name
			return []any{chunk(&delta{ToolCalls: []toolCall{tc}}, nil)}
		case ev.Name == "contentBlockDelta" && e.Delta.Text != nil:
			return []any{chunk(&delta{Content: e.Delta.Text}, nil)}
		case ev.Name == "contentBlockDelta" && e.Delta.ToolUse != nil && e.Delta.ToolUse.Input != "":
			n, ok := tools[e.ContentBlockIndex]
			if !ok {
				return nil
			}
			tc := toolCall{Index: ptr(n)}
			tc.Function.Arguments = e.Delta.ToolUse.Input
			return []any{chunk(&delta{ToolCalls: []toolCall{tc}}, nil)}
		case ev.Name == "messageStop":
			return []any{chunk(&delta{}, finishOf(bedrockFinish, e.StopReason))}
		case ev.Name == "metadata" && e.Usage != nil:
			s.usage = Usage{In: e.Usage.InputTokens, Out: e.Usage.OutputTokens, Model: model, Seen: true}
			var out []any
			if includeUsage {
				out = append(out, completion{ID: id, Object: "chat.completion.chunk", Created: created, Model: model, Choices: []choice{}, Usage: newUsage(e.Usage.InputTokens, e.Usage.OutputTokens)})
			}
			return append(out, doneMarker{})
		case strings.HasPrefix(ev.Name, "exception:"):
			msg := e.Message
			if msg == "" {
				msg = strings.TrimPrefix(ev.Name, "exception:")
			}
			return []any{json.RawMessage(apiError(502, strings.TrimPrefix(ev.Name, "exception:"), msg)), doneMarker{}}
		}
		return nil
	}
	return s
}
