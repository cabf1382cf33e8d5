package translate

import (
	"fmt"
	json "github.com/goccy/go-json"
	"strings"

	"github.com/kubelb-ai/kubelb-ai/proxy/sse"
)

// gemini translates to and from Gemini's (and Vertex AI's) generateContent.
// The model is in the request's path, not its body.
type gemini struct{}

type geminiRequest struct {
	Contents          []geminiContent   `json:"contents"`
	SystemInstruction *geminiContent    `json:"systemInstruction,omitempty"`
	Tools             []geminiTool      `json:"tools,omitempty"`
	ToolConfig        *geminiToolCfg    `json:"toolConfig,omitempty"`
	GenerationConfig  *generationConfig `json:"generationConfig,omitempty"`
}

type geminiContent struct {
	Role  string       `json:"role,omitempty"`
	Parts []geminiPart `json:"parts"`
}

type geminiPart struct {
	Text             string          `json:"text,omitempty"`
	InlineData       *geminiBlob     `json:"inlineData,omitempty"`
	FileData         *geminiFile     `json:"fileData,omitempty"`
	FunctionCall     *functionCall   `json:"functionCall,omitempty"`
	FunctionResponse *functionResult `json:"functionResponse,omitempty"`
}

type geminiBlob struct {
	MimeType string `json:"mimeType"`
	Data     string `json:"data"`
}

type geminiFile struct {
	MimeType string `json:"mimeType,omitempty"`
	FileURI  string `json:"fileUri"`
}

type functionCall struct {
	Name string          `json:"name"`
	Args json.RawMessage `json:"args,omitempty"`
}

type functionResult struct {
	Name     string         `json:"name"`
	Response map[string]any `json:"response"`
}

type geminiTool struct {
	FunctionDeclarations []functionDecl `json:"functionDeclarations"`
}

type functionDecl struct {
	Name        string          `json:"name"`
	Description string          `json:"description,omitempty"`
	Parameters  json.RawMessage `json:"parameters,omitempty"`
}

type geminiToolCfg struct {
	FunctionCallingConfig struct {
		Mode                 string   `json:"mode"`
		AllowedFunctionNames []string `json:"allowedFunctionNames,omitempty"`
	} `json:"functionCallingConfig"`
}

type generationConfig struct {
	Temperature     *float64 `json:"temperature,omitempty"`
	TopP            *float64 `json:"topP,omitempty"`
	MaxOutputTokens *int     `json:"maxOutputTokens,omitempty"`
	CandidateCount  *int     `json:"candidateCount,omitempty"`
	StopSequences   []string `json:"stopSequences,omitempty"`
}

func (gemini) Request(body []byte, _ string) ([]byte, error) {
	var in chatRequest
	if err := decodeRequest(body, &in); err != nil {
		return nil, fmt.Errorf("the request is not an OpenAI chat completion request: %w", err)
	}
	var out geminiRequest
	names := map[string]string{} // tool call id -> function name, for the results
	var system []geminiPart
	for i, m := range in.Messages {
		switch m.Role {
		case "system", "developer":
			t, err := text(m.Content)
			if err != nil {
				return nil, fmt.Errorf("messages[%d]: %w", i, err)
			}
			system = append(system, geminiPart{Text: t})
		case "user", "assistant":
			role := "user"
			if m.Role == "assistant" {
				role = "model"
			}
			ps, err := geminiParts(m)
			if err != nil {
				return nil, fmt.Errorf("messages[%d]: %w", i, err)
			}
			for _, tc := range m.ToolCalls {
				names[tc.ID] = tc.Function.Name
			}
			out.Contents = appendContent(out.Contents, role, ps)
		case "tool":
			t, err := text(m.Content)
			if err != nil {
				return nil, fmt.Errorf("messages[%d]: %w", i, err)
			}
			name := names[m.ToolCallID]
			if name == "" {
				return nil, fmt.Errorf("messages[%d]: tool_call_id %q answers no earlier tool call (Gemini needs the function's name)", i, m.ToolCallID)
			}
			var result map[string]any
			if json.Unmarshal([]byte(t), &result) != nil || result == nil {
				result = map[string]any{"content": t}
			}
			out.Contents = appendContent(out.Contents, "user", []geminiPart{{FunctionResponse: &functionResult{Name: name, Response: result}}})
		default:
			return nil, fmt.Errorf("messages[%d]: role %q has no Gemini equivalent", i, m.Role)
		}
	}
	if len(system) > 0 {
		out.SystemInstruction = &geminiContent{Parts: system}
	}
	if len(in.Tools) > 0 {
		var decls []functionDecl
		for _, t := range in.Tools {
			decls = append(decls, functionDecl{Name: t.Function.Name, Description: t.Function.Description, Parameters: geminiSchema(t.Function.Parameters)})
		}
		out.Tools = []geminiTool{{FunctionDeclarations: decls}}
	}
	if mode, name := toolChoice(in.ToolChoice); mode != "" {
		cfg := &geminiToolCfg{}
		cfg.FunctionCallingConfig.Mode = map[string]string{"auto": "AUTO", "none": "NONE", "required": "ANY", "function": "ANY"}[mode]
		if name != "" {
			cfg.FunctionCallingConfig.AllowedFunctionNames = []string{name}
		}
		if cfg.FunctionCallingConfig.Mode != "" {
			out.ToolConfig = cfg
		}
	}
	gc := generationConfig{Temperature: in.Temperature, TopP: in.TopP, MaxOutputTokens: in.maxTokens(), CandidateCount: in.N, StopSequences: stops(in.Stop)}
	if gc.Temperature != nil || gc.TopP != nil || gc.MaxOutputTokens != nil || gc.CandidateCount != nil || len(gc.StopSequences) > 0 {
		out.GenerationConfig = &gc
	}
	return json.Marshal(out)
}

func appendContent(cs []geminiContent, role string, ps []geminiPart) []geminiContent {
	if len(ps) == 0 {
		return cs
	}
	if n := len(cs); n > 0 && cs[n-1].Role == role {
		cs[n-1].Parts = append(cs[n-1].Parts, ps...)
		return cs
	}
	return append(cs, geminiContent{Role: role, Parts: ps})
}

func geminiParts(m chatMessage) ([]geminiPart, error) {
	ps, err := parts(m.Content)
	if err != nil {
		return nil, err
	}
	var out []geminiPart
	for _, p := range ps {
		switch p.Type {
		case "text":
			if p.Text != "" {
				out = append(out, geminiPart{Text: p.Text})
			}
		case "image_url":
			src, err := image(p.ImageURL.URL)
			if err != nil {
				return nil, err
			}
			if src.Type == "base64" {
				out = append(out, geminiPart{InlineData: &geminiBlob{MimeType: src.MediaType, Data: src.Data}})
			} else {
				out = append(out, geminiPart{FileData: &geminiFile{FileURI: src.URL, MimeType: mimeOf(src.URL)}})
			}
		default:
			return nil, fmt.Errorf("content part type %q has no Gemini equivalent", p.Type)
		}
	}
	for _, tc := range m.ToolCalls {
		out = append(out, geminiPart{FunctionCall: &functionCall{Name: tc.Function.Name, Args: tc.arguments()}})
	}
	return out, nil
}

// mimeOf guesses an image URL's type from its extension (Gemini's fileData
// wants one).
func mimeOf(u string) string {
	u = strings.ToLower(strings.SplitN(u, "?", 2)[0])
	for ext, t := range map[string]string{".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".webp": "image/webp", ".gif": "image/gif"} {
		if strings.HasSuffix(u, ext) {
			return t
		}
	}
	return "image/jpeg"
}

// geminiSchema keeps a JSON Schema within what Gemini's OpenAPI subset
// accepts: "additionalProperties", "$schema" and "strict" are refused
// there, so they are dropped, at every level.
func geminiSchema(raw json.RawMessage) json.RawMessage {
	if len(raw) == 0 {
		return nil
	}
	var v any
	if json.Unmarshal(raw, &v) != nil {
		return raw
	}
	var strip func(any)
	strip = func(v any) {
		switch v := v.(type) {
		case map[string]any:
			delete(v, "additionalProperties")
			delete(v, "$schema")
			delete(v, "strict")
			for _, e := range v {
				strip(e)
			}
		case []any:
			for _, e := range v {
				strip(e)
			}
		}
	}
	strip(v)
	b, _ := json.Marshal(v)
	return b
}

type geminiResponse struct {
	Candidates []struct {
		Index   int `json:"index"`
		Content struct {
			Parts []struct {
				Text         string        `json:"text"`
				FunctionCall *functionCall `json:"functionCall"`
			} `json:"parts"`
		} `json:"content"`
		FinishReason string `json:"finishReason"`
	} `json:"candidates"`
	UsageMetadata *struct {
		PromptTokenCount     int `json:"promptTokenCount"`
		CandidatesTokenCount int `json:"candidatesTokenCount"`
	} `json:"usageMetadata"`
	ModelVersion string `json:"modelVersion"`
	ResponseID   string `json:"responseId"`
	Error        *struct {
		Code    int    `json:"code"`
		Message string `json:"message"`
		Status  string `json:"status"`
	} `json:"error"`
}

var geminiFinish = map[string]string{"STOP": "stop", "MAX_TOKENS": "length", "SAFETY": "content_filter", "RECITATION": "content_filter",
	"BLOCKLIST": "content_filter", "PROHIBITED_CONTENT": "content_filter", "SPII": "content_filter", "IMAGE_SAFETY": "content_filter"}

func geminiError(status int, body []byte, r *geminiResponse) []byte {
	msg, typ := strings.TrimSpace(string(body)), ""
	if r.Error != nil {
		msg, typ = r.Error.Message, strings.ToLower(r.Error.Status)
	}
	if status < 300 {
		status = 502
	}
	return apiError(status, typ, msg)
}

// choices turns candidates into OpenAI choices; calls counts tool calls
// across a stream so that their ids stay unique.
func (r *geminiResponse) choices(stream bool, calls *int) []choice {
	var out []choice
	for _, c := range r.Candidates {
		var texts []string
		var tcs []toolCall
		for _, p := range c.Content.Parts {
			if p.FunctionCall != nil {
				tc := newToolCall(fmt.Sprintf("call_%d", *calls), p.FunctionCall.Name, p.FunctionCall.Args)
				if stream {
					tc.Index = ptr(*calls)
				}
				*calls++
				tcs = append(tcs, tc)
				continue
			}
			texts = append(texts, p.Text)
		}
		finish := finishOf(geminiFinish, c.FinishReason)
		if finish != nil && *finish == "stop" && len(tcs) > 0 {
			finish = ptr("tool_calls")
		}
		ch := choice{Index: c.Index, FinishReason: finish}
		if stream {
			d := &delta{ToolCalls: tcs}
			if len(texts) > 0 {
				d.Content = ptr(strings.Join(texts, ""))
			}
			ch.Delta = d
		} else {
			m := &message{Role: "assistant", ToolCalls: tcs}
			if len(texts) > 0 || len(tcs) == 0 {
				m.Content = ptr(strings.Join(texts, ""))
			}
			ch.Message = m
		}
		out = append(out, ch)
	}
	return out
}

func (gemini) Response(status int, body []byte, model string) ([]byte, Usage) {
	var r geminiResponse
	if err := json.Unmarshal(body, &r); status >= 300 || err != nil || r.Error != nil {
		return geminiError(status, body, &r), Usage{}
	}
	if r.ModelVersion != "" {
		model = r.ModelVersion
	}
	calls := 0
	out := completion{ID: r.ResponseID, Object: "chat.completion", Created: now().Unix(), Model: model, Choices: r.choices(false, &calls)}
	if out.ID == "" {
		out.ID = "chatcmpl-gemini"
	}
	if out.Choices == nil {
		out.Choices = []choice{}
	}
	var used Usage
	if u := r.UsageMetadata; u != nil {
		out.Usage = newUsage(u.PromptTokenCount, u.CandidatesTokenCount)
		used = Usage{In: u.PromptTokenCount, Out: u.CandidatesTokenCount, Model: model, Seen: true}
	}
	b, _ := json.Marshal(out)
	return b, used
}

// Stream follows Gemini's streamGenerateContent?alt=sse: every event is a
// whole GenerateContentResponse holding the next piece; the stream has no
// terminator of its own.
func (gemini) Stream(model string, includeUsage bool) *Stream {
	created := now().Unix()
	id := "chatcmpl-gemini"
	started := false
	calls := 0
	var last *usage
	s := &Stream{}
	s.convert = func(ev sse.Event) []any {
		var r geminiResponse
		if json.Unmarshal(ev.Data, &r) != nil {
			return nil
		}
		if r.Error != nil {
			return []any{json.RawMessage(geminiError(502, ev.Data, &r)), doneMarker{}}
		}
		if r.ModelVersion != "" {
			model = r.ModelVersion
		}
		if r.ResponseID != "" {
			id = r.ResponseID
		}
		if u := r.UsageMetadata; u != nil {
			last = newUsage(u.PromptTokenCount, u.CandidatesTokenCount)
			s.usage = Usage{In: u.PromptTokenCount, Out: u.CandidatesTokenCount, Model: model, Seen: true}
		}
		var out []any
		if !started {
			started = true
			out = append(out, completion{ID: id, Object: "chat.completion.chunk", Created: created, Model: model,
				Choices: []choice{{Delta: &delta{Role: "assistant", Content: ptr("")}}}})
		}
		// As OpenAI does, the finish reason comes in a chunk of its own
		// after the content (clients' accumulators close a tool call
		// when the next chunk arrives).
		chs := r.choices(true, &calls)
		var finished []choice
		for i := range chs {
			if chs[i].FinishReason != nil {
				finished = append(finished, choice{Index: chs[i].Index, Delta: &delta{}, FinishReason: chs[i].FinishReason})
				chs[i].FinishReason = nil
			}
		}
		for _, chunk := range [][]choice{chs, finished} {
			if len(chunk) > 0 {
				out = append(out, completion{ID: id, Object: "chat.completion.chunk", Created: created, Model: model, Choices: chunk})
			}
		}
		return out
	}
	s.finish = func() []any {
		if includeUsage && last != nil {
			return []any{completion{ID: id, Object: "chat.completion.chunk", Created: created, Model: model, Choices: []choice{}, Usage: last}}
		}
		return nil
	}
	return s
}
