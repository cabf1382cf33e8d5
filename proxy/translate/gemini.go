package translate

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	json "github.com/goccy/go-json"

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
	Temperature      *float64        `json:"temperature,omitempty"`
	TopP             *float64        `json:"topP,omitempty"`
	MaxOutputTokens  *int            `json:"maxOutputTokens,omitempty"`
	CandidateCount   *int            `json:"candidateCount,omitempty"`
	StopSequences    []string        `json:"stopSequences,omitempty"`
	PresencePenalty  *float64        `json:"presencePenalty,omitempty"`
	FrequencyPenalty *float64        `json:"frequencyPenalty,omitempty"`
	Seed             *int64          `json:"seed,omitempty"`
	ResponseMimeType string          `json:"responseMimeType,omitempty"`
	ResponseSchema   json.RawMessage `json:"responseSchema,omitempty"`
}

// geminiRules are what becomes of each chat completion member on the way
// to generateContent.
var geminiRules = func() rules {
	const api = "Gemini's generateContent"
	m := commonRules(api)
	for name, r := range map[string]rule{
		"model":                 to("the request path (the backend's model); the body has none"),
		"messages":              to("systemInstruction (system and developer messages) and contents (user, model; tool results as functionResponse parts)"),
		"max_completion_tokens": to("generationConfig.maxOutputTokens"),
		"max_tokens":            to("generationConfig.maxOutputTokens, when max_completion_tokens is not set"),
		"temperature":           to("generationConfig.temperature"),
		"top_p":                 to("generationConfig.topP"),
		"n":                     to("generationConfig.candidateCount"),
		"stop":                  to("generationConfig.stopSequences"),
		"seed":                  to("generationConfig.seed"),
		"presence_penalty":      to("generationConfig.presencePenalty"),
		"frequency_penalty":     to("generationConfig.frequencyPenalty"),
		"stream":                to("the streaming method, streamGenerateContent"),
		"tools":                 to("tools[0].functionDeclarations (schemas within Gemini's subset)"),
		"tool_choice":           to("toolConfig.functionCallingConfig (AUTO, NONE, ANY, or ANY with allowedFunctionNames)"),
		"parallel_tool_calls":   harmless("true", is(true), api+" cannot be kept to one function call per turn"),
		"response_format":       to("generationConfig.responseMimeType application/json, and for json_schema responseSchema (Gemini's schema subset; other keywords refused); json_schema's name, description and strict are not sent"),
		"user":                  ignore("an end-user id for OpenAI's abuse monitoring; " + api + " has none, and the answer is the same without it"),
		"safety_identifier":     ignore("an end-user id for OpenAI's abuse monitoring; " + api + " has none, and the answer is the same without it"),
		"reasoning_effort":      refuse("Gemini's thinking settings differ by model (thinkingLevel, thinkingBudget), so an effort has no one translation"),
	} {
		m[name] = r
	}
	return rules{provider: "Gemini", members: m}
}()

// Fields accounts for each chat completion member on the way to Gemini.
func (gemini) Fields() FieldTable { return geminiRules.table() }

func (gemini) Request(body []byte, _ string) ([]byte, error) {
	var in chatRequest
	if err := decodeRequest(body, &in); err != nil {
		return nil, fmt.Errorf("the request is not an OpenAI chat completion request: %w", err)
	}
	if err := geminiRules.check(body); err != nil {
		return nil, err
	}
	if err := checkTools(&in, "Gemini"); err != nil {
		return nil, err
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
	gc := generationConfig{Temperature: in.Temperature, TopP: in.TopP, MaxOutputTokens: in.maxTokens(), CandidateCount: in.N, StopSequences: stops(in.Stop),
		PresencePenalty: in.PresencePenalty, FrequencyPenalty: in.FrequencyPenalty, Seed: in.Seed}
	schema, err := in.ResponseFormat.schema()
	if err != nil {
		return nil, err
	}
	if schema != nil {
		gc.ResponseMimeType = "application/json"
		if in.ResponseFormat.Type == "json_schema" {
			if gc.ResponseSchema, err = responseSchema(schema); err != nil {
				return nil, err
			}
		}
	}
	if b, _ := json.Marshal(gc); string(b) != "{}" {
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

// responseSchema converts a JSON Schema into Gemini's responseSchema, an
// OpenAPI 3.0 subset with upper-case types. Where JSON Schema says the
// same thing otherwise, it is rewritten: a type list or an anyOf branch
// with "null" becomes nullable, a string const a one-value enum, a local
// $ref the schema it names (a recursive one is refused). Annotations that
// constrain nothing are dropped, as is additionalProperties: false (Gemini
// writes only the declared properties); any other keyword is refused, by
// name, rather than let Gemini answer outside the schema.
func responseSchema(raw json.RawMessage) (json.RawMessage, error) {
	var root any
	if err := json.Unmarshal(raw, &root); err != nil {
		return nil, fmt.Errorf("response_format: json_schema.schema: %w", err)
	}
	c := schemaConverter{root: root, bad: map[string]string{}}
	out := c.convert(root, "#", nil)
	if len(c.bad) > 0 {
		var list []string
		for kw, at := range c.bad {
			list = append(list, kw+" (at "+at+")")
		}
		slices.Sort(list)
		return nil, &UnsupportedError{"response_format", "Gemini", "Gemini's responseSchema has no " + strings.Join(list, ", ")}
	}
	return json.Marshal(out)
}

type schemaConverter struct {
	root any
	// bad maps each refused keyword to where it first occurred.
	bad map[string]string
}

// Keywords of responseSchema that JSON Schema means the same way, and
// annotations dropped because they constrain nothing.
var (
	geminiKeywords = map[string]bool{"title": true, "description": true, "format": true, "nullable": true, "minimum": true, "maximum": true,
		"minItems": true, "maxItems": true, "minLength": true, "maxLength": true, "pattern": true, "minProperties": true, "maxProperties": true,
		"required": true, "propertyOrdering": true, "example": true, "default": true}
	schemaAnnotations = map[string]bool{"$schema": true, "$id": true, "$comment": true, "$defs": true, "definitions": true, "examples": true,
		"deprecated": true, "readOnly": true, "writeOnly": true}
)

func (c *schemaConverter) refuse(keyword, at string) {
	if _, seen := c.bad[keyword]; !seen {
		c.bad[keyword] = at
	}
}

// convert converts the schema at path at; refs are the $refs being
// inlined around it.
func (c *schemaConverter) convert(v any, at string, refs []string) any {
	s, ok := v.(map[string]any)
	if !ok {
		c.refuse("non-object schemas", at)
		return v
	}
	out := map[string]any{}
	if ref, ok := s["$ref"].(string); ok {
		target, found := c.resolve(ref)
		switch {
		case !found:
			c.refuse("$ref "+ref, at)
		case slices.Contains(refs, ref):
			c.refuse("recursive $ref "+ref, at)
		default:
			if t, ok := c.convert(target, ref, append(refs, ref)).(map[string]any); ok {
				maps.Copy(out, t)
			}
		}
	}
	for kw, val := range s {
		here := at + "/" + kw
		switch {
		case kw == "$ref" || schemaAnnotations[kw]:
		case geminiKeywords[kw]:
			out[kw] = val
		case kw == "type":
			c.typ(out, val, here)
		case kw == "enum":
			list, _ := val.([]any)
			for _, e := range list {
				if _, ok := e.(string); !ok {
					c.refuse("enum of non-strings", here)
				}
			}
			out[kw] = val
		case kw == "const":
			if str, ok := val.(string); ok {
				out["enum"] = []any{str}
			} else {
				c.refuse("non-string const", here)
			}
		case kw == "additionalProperties":
			if val != false {
				c.refuse("additionalProperties other than false", here)
			}
		case kw == "properties":
			props := map[string]any{}
			if m, ok := val.(map[string]any); ok {
				for name, p := range m {
					props[name] = c.convert(p, here+"/"+name, refs)
				}
			}
			out[kw] = props
		case kw == "items":
			out[kw] = c.convert(val, here, refs)
		case kw == "anyOf":
			c.anyOf(out, val, here, refs)
		default:
			c.refuse(kw, here)
		}
	}
	return out
}

// typ sets out's type from a JSON Schema type: a name or a list of names,
// where "null" is nullable.
func (c *schemaConverter) typ(out map[string]any, val any, at string) {
	var names []string
	switch t := val.(type) {
	case string:
		names = []string{t}
	case []any:
		for _, n := range t {
			if name, ok := n.(string); ok {
				names = append(names, name)
			}
		}
	}
	if i := slices.Index(names, "null"); i >= 0 {
		names = slices.Delete(names, i, i+1)
		out["nullable"] = true
	}
	if len(names) != 1 {
		c.refuse("a type other than one name (and null)", at)
		return
	}
	out["type"] = strings.ToUpper(names[0])
}

// anyOf converts the branches; a {"type":"null"} branch is nullable, and
// one branch left is the schema itself.
func (c *schemaConverter) anyOf(out map[string]any, val any, at string, refs []string) {
	list, _ := val.([]any)
	var branches []any
	for i, b := range list {
		if m, ok := b.(map[string]any); ok && len(m) == 1 && m["type"] == "null" {
			out["nullable"] = true
			continue
		}
		branches = append(branches, c.convert(b, fmt.Sprintf("%s/%d", at, i), refs))
	}
	if len(branches) == 1 {
		if m, ok := branches[0].(map[string]any); ok {
			for k, v := range m {
				if _, set := out[k]; !set {
					out[k] = v
				}
			}
			return
		}
	}
	out["anyOf"] = branches
}

// resolve finds a local $ref ("#/$defs/Name", any JSON pointer into the
// schema).
func (c *schemaConverter) resolve(ref string) (any, bool) {
	path, ok := strings.CutPrefix(ref, "#")
	if !ok {
		return nil, false
	}
	v := c.root
	for _, tok := range strings.Split(strings.TrimPrefix(path, "/"), "/") {
		if tok == "" {
			continue
		}
		tok = strings.NewReplacer("~1", "/", "~0", "~").Replace(tok)
		m, ok := v.(map[string]any)
		if !ok {
			return nil, false
		}
		if v, ok = m[tok]; !ok {
			return nil, false
		}
	}
	return v, true
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
