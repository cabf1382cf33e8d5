package fakeprovider

import (
	"encoding/json"
	"fmt"
	"net/http"
)

// responseRequest is what the fake reads from a CreateResponse.
type responseRequest struct {
	Model        string          `json:"model"`
	Stream       bool            `json:"stream"`
	Instructions *string         `json:"instructions"`
	Input        json.RawMessage `json:"input"`
	Tools        []struct {
		Type        string          `json:"type"`
		Name        string          `json:"name"`
		Description *string         `json:"description"`
		Parameters  json.RawMessage `json:"parameters"`
		Strict      *bool           `json:"strict"`
	} `json:"tools"`
}

// parseResponse reads a CreateResponse as the chat fake reads a chat
// request: the last input item is the prompt, or a function call's output
// to answer with; offered a function tool otherwise, the fake calls the
// first. The spec requires no member (a stored prompt may stand for
// model and input), but the fake knows no stored prompts, so like the API
// without one it wants model and input.
func parseResponse(body []byte) (responseRequest, request, error) {
	var req responseRequest
	var in request
	if err := json.Unmarshal(body, &req); err != nil || req.Model == "" || len(req.Input) == 0 || string(req.Input) == "null" {
		return req, in, fmt.Errorf("want POST .../responses with model and input")
	}
	in.model, in.stream = req.Model, req.Stream
	var input any
	_ = json.Unmarshal(req.Input, &input)
	switch v := input.(type) {
	case string:
		in.prompt = v
	case []any:
		if len(v) == 0 {
			return req, in, fmt.Errorf("input: an empty list of items")
		}
		last, _ := v[len(v)-1].(map[string]any)
		if last == nil {
			return req, in, fmt.Errorf("input[%d]: not an item", len(v)-1)
		}
		if last["type"] == "function_call_output" {
			in.toolResult = text(last["output"])
		} else {
			in.prompt = text(last["content"])
		}
	default:
		return req, in, fmt.Errorf("input: want a string or a list of items")
	}
	if in.toolResult == "" {
		for _, t := range req.Tools {
			if t.Type == "function" {
				in.tool = t.Name
				break
			}
		}
	}
	for i, t := range req.Tools {
		if t.Type == "" || (t.Type == "function" && t.Name == "") {
			return req, in, fmt.Errorf("tools[%d]: want a type, and a function's name", i)
		}
	}
	return req, in, nil
}

// responses answers OpenAI's POST /v1/responses: a Response, or its
// stream of events.
func (s *Server) responses(w http.ResponseWriter, _ *http.Request, body []byte, cut int) {
	req, in, err := parseResponse(body)
	if err != nil {
		s.error(w, http.StatusBadRequest, err.Error())
		return
	}
	a := answer{model: in.model, text: "echo: " + in.prompt, tool: in.tool, prompt: in.prompt}
	if in.toolResult != "" {
		a.text = "the tool said: " + in.toolResult
	}
	if !in.stream {
		writeJSON(w, response(req, a, "completed", []any{outputItem(a, "completed")}))
		return
	}
	e := newEventStream(w, cut)
	seq := 0
	send := func(typ string, fields map[string]any) bool {
		fields["type"], fields["sequence_number"] = typ, seq
		seq++
		return e.send(typ, fields)
	}
	id := outputItem(a, "completed")["id"]
	ok := send("response.created", map[string]any{"response": response(req, a, "in_progress", []any{})}) &&
		send("response.in_progress", map[string]any{"response": response(req, a, "in_progress", []any{})}) &&
		send("response.output_item.added", map[string]any{"output_index": 0, "item": outputItem(a, "in_progress")})
	if a.tool != "" {
		args := a.args()
		for _, p := range []string{args[:len(args)/2], args[len(args)/2:]} {
			ok = ok && send("response.function_call_arguments.delta", map[string]any{"item_id": id, "output_index": 0, "delta": p})
		}
		ok = ok && send("response.function_call_arguments.done", map[string]any{"item_id": id, "output_index": 0, "name": a.tool, "arguments": args})
	} else {
		at := map[string]any{"item_id": id, "output_index": 0, "content_index": 0}
		with := func(m map[string]any) map[string]any {
			for k, v := range at {
				m[k] = v
			}
			return m
		}
		ok = ok && send("response.content_part.added", with(map[string]any{"part": outputText("")}))
		for _, p := range split(a.text, s.Events) {
			ok = ok && send("response.output_text.delta", with(map[string]any{"delta": p, "logprobs": []any{}}))
		}
		ok = ok && send("response.output_text.done", with(map[string]any{"text": a.text, "logprobs": []any{}})) &&
			send("response.content_part.done", with(map[string]any{"part": outputText(a.text)}))
	}
	ok = ok && send("response.output_item.done", map[string]any{"output_index": 0, "item": outputItem(a, "completed")}) &&
		send("response.completed", map[string]any{"response": response(req, a, "completed", []any{outputItem(a, "completed")})})
	if !ok {
		hangUp(w)
	}
}

// response is a Response object in status with output; a completed one
// counts its usage as the chat fake does.
func response(req responseRequest, a answer, status string, output []any) map[string]any {
	tools := []any{}
	for _, t := range req.Tools {
		// The API answers with each function tool filled in.
		params, strict := any(nil), true
		if len(t.Parameters) > 0 {
			params = t.Parameters
		}
		if t.Strict != nil {
			strict = *t.Strict
		}
		tools = append(tools, map[string]any{"type": t.Type, "name": t.Name, "description": t.Description, "parameters": params, "strict": strict})
	}
	r := map[string]any{"id": "resp_fake", "object": "response", "created_at": 1700000000, "status": status, "completed_at": nil,
		"error": nil, "incomplete_details": nil, "instructions": req.Instructions, "max_output_tokens": nil, "model": a.model,
		"output": output, "parallel_tool_calls": true, "previous_response_id": nil, "reasoning": map[string]any{"effort": nil, "summary": nil},
		"store": true, "temperature": 1.0, "text": map[string]any{"format": map[string]any{"type": "text"}}, "tool_choice": "auto",
		"tools": tools, "top_p": 1.0, "truncation": "disabled", "usage": nil, "metadata": map[string]any{}}
	if status == "completed" {
		in, out := words(a.prompt), words(a.text)
		if a.tool != "" {
			out = words(a.args())
		}
		r["completed_at"] = 1700000001
		r["usage"] = map[string]any{"input_tokens": in, "input_tokens_details": map[string]any{"cached_tokens": 0, "cache_write_tokens": 0},
			"output_tokens": out, "output_tokens_details": map[string]any{"reasoning_tokens": 0}, "total_tokens": in + out}
	}
	return r
}

// outputItem is the answer's one output item: a message, or a function
// call; in progress, it has no content or arguments yet.
func outputItem(a answer, status string) map[string]any {
	if a.tool != "" {
		args := a.args()
		if status != "completed" {
			args = ""
		}
		return map[string]any{"id": "fc_fake", "type": "function_call", "call_id": "call_fake", "name": a.tool, "arguments": args, "status": status}
	}
	content := []any{}
	if status == "completed" {
		content = append(content, outputText(a.text))
	}
	return map[string]any{"id": "msg_fake", "type": "message", "role": "assistant", "status": status, "content": content}
}

func outputText(s string) map[string]any {
	return map[string]any{"type": "output_text", "text": s, "annotations": []any{}, "logprobs": []any{}}
}

// eventStream writes server-sent events, flushing each; cut > 0 refuses
// to send more than that many.
type eventStream struct {
	w         http.ResponseWriter
	flusher   http.Flusher
	cut, sent int
}

func newEventStream(w http.ResponseWriter, cut int) *eventStream {
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-cache")
	f, _ := w.(http.Flusher)
	return &eventStream{w: w, flusher: f, cut: cut}
}

// send writes one event named event (none if "") with data as JSON, and
// reports whether it did.
func (e *eventStream) send(event string, data any) bool {
	if e.cut > 0 && e.sent >= e.cut {
		return false
	}
	b, _ := json.Marshal(data)
	if event != "" {
		fmt.Fprintf(e.w, "event: %s\n", event)
	}
	fmt.Fprintf(e.w, "data: %s\n\n", b)
	if e.flusher != nil {
		e.flusher.Flush()
	}
	e.sent++
	return true
}
