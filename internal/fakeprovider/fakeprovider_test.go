package fakeprovider

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"sigs.k8s.io/yaml"

	"github.com/kubelb-ai/kubelb-ai/internal/testenv"
)

// call is one request to a fake in its provider's format.
type call struct {
	path, key string
	body      string
}

func requestOf(kind Kind, key string, stream bool) call {
	switch kind {
	case Anthropic:
		return call{"/v1/messages", key, fmt.Sprintf(`{"model":"claude-3-5-haiku-latest","max_tokens":64,"stream":%v,"messages":[{"role":"user","content":"hello there"}]}`, stream)}
	case Gemini:
		verb := "generateContent"
		if stream {
			verb = "streamGenerateContent"
		}
		return call{"/v1beta/models/gemini-2.0-flash:" + verb, key, `{"contents":[{"role":"user","parts":[{"text":"hello there"}]}]}`}
	}
	return call{"/v1/chat/completions", key, fmt.Sprintf(`{"model":"gpt-4o-mini","stream":%v,"messages":[{"role":"user","content":"hello there"}]}`, stream)}
}

func do(t *testing.T, s *Server, c call) (*http.Response, []byte) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, s.URL+c.path, strings.NewReader(c.body))
	switch s.Kind {
	case Anthropic:
		req.Header.Set("x-api-key", c.key)
		req.Header.Set("anthropic-version", "2023-06-01")
	case Gemini:
		req.Header.Set("x-goog-api-key", c.key)
	default:
		req.Header.Set("Authorization", "Bearer "+c.key)
	}
	if strings.Contains(c.path, "stream") {
		req.URL.RawQuery = "alt=sse"
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp, body
}

// specSchemas names, per provider, the spec file and the schemas of a
// whole answer, a streamed piece and an error.
var specSchemas = map[Kind]struct{ file, answer, chunk string }{
	OpenAI:    {"openai-openapi.yaml", "CreateChatCompletionResponse", "CreateChatCompletionStreamResponse"},
	Anthropic: {"anthropic-openapi.curated.yaml", "Message", ""},
	Gemini:    {"gemini-openapi.curated.yaml", "GenerateContentResponse", "GenerateContentResponse"},
}

// Every fake answers in its provider's shape (the spec's required fields
// and enums), streams text that adds up to the answer, and refuses a wrong
// key with the provider's error.
func TestFakesFollowTheSpecs(t *testing.T) {
	specs := filepath.Join(testenv.SharedDir(t), "specs")
	for kind, sc := range specSchemas {
		t.Run(string(kind), func(t *testing.T) {
			spec := loadSpec(t, filepath.Join(specs, sc.file))
			s := New(t, kind, "good-key")

			resp, body := do(t, s, requestOf(kind, "good-key", false))
			if resp.StatusCode != 200 {
				t.Fatalf("%d %s", resp.StatusCode, body)
			}
			var answer any
			if err := json.Unmarshal(body, &answer); err != nil {
				t.Fatal(err)
			}
			if errs := spec.check(sc.answer, answer, sc.answer); len(errs) > 0 {
				t.Errorf("the answer does not follow %s:\n%s", sc.answer, strings.Join(errs, "\n"))
			}
			if !strings.Contains(string(body), "echo: hello there") {
				t.Errorf("the answer does not echo the prompt: %s", body)
			}

			resp, body = do(t, s, requestOf(kind, "good-key", true))
			events := parseSSE(t, body)
			if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "text/event-stream" || len(events) < s.Events {
				t.Fatalf("stream: %d %s, %d events", resp.StatusCode, resp.Header.Get("Content-Type"), len(events))
			}
			var text strings.Builder
			for _, e := range events {
				if e.data == "[DONE]" {
					continue
				}
				var v map[string]any
				if err := json.Unmarshal([]byte(e.data), &v); err != nil {
					t.Fatalf("event %q: %v", e.data, err)
				}
				if sc.chunk != "" {
					if errs := spec.check(sc.chunk, v, sc.chunk); len(errs) > 0 {
						t.Errorf("a streamed piece does not follow %s:\n%s", sc.chunk, strings.Join(errs, "\n"))
					}
				}
				text.WriteString(pieceText(v))
			}
			if text.String() != "echo: hello there" {
				t.Errorf("the streamed pieces make %q", text.String())
			}
			last := events[len(events)-1]
			switch kind {
			case OpenAI:
				if last.data != "[DONE]" {
					t.Errorf("the stream does not end with [DONE]: %q", last.data)
				}
			case Anthropic:
				if last.event != "message_stop" {
					t.Errorf("the stream ends with %q", last.event)
				}
			}

			resp, body = do(t, s, requestOf(kind, "wrong-key", false))
			if resp.StatusCode != 401 || !strings.Contains(string(body), `"error"`) {
				t.Errorf("a wrong key: %d %s", resp.StatusCode, body)
			}
			if got := len(s.Requests()); got != 3 {
				t.Errorf("%d requests recorded", got)
			}
		})
	}
}

// Scheduled faults come one per request, in order.
func TestFaults(t *testing.T) {
	s := New(t, OpenAI, "k")
	s.Fail(Fault{Status: 503}, Fault{Status: 429}, Fault{CutAfterEvents: 2})
	if resp, _ := do(t, s, requestOf(OpenAI, "k", false)); resp.StatusCode != 503 {
		t.Errorf("first: %d", resp.StatusCode)
	}
	if resp, _ := do(t, s, requestOf(OpenAI, "k", false)); resp.StatusCode != 429 || resp.Header.Get("Retry-After") == "" {
		t.Errorf("second: %d", resp.StatusCode)
	}
	_, body := do(t, s, requestOf(OpenAI, "k", true))
	if events := parseSSE(t, body); len(events) != 2 || strings.Contains(string(body), "[DONE]") {
		t.Errorf("cut stream: %d events\n%s", len(events), body)
	}
	if resp, _ := do(t, s, requestOf(OpenAI, "k", false)); resp.StatusCode != 200 {
		t.Errorf("after the faults: %d", resp.StatusCode)
	}
}

type sseEvent struct{ event, data string }

func parseSSE(t *testing.T, body []byte) []sseEvent {
	t.Helper()
	var out []sseEvent
	var cur sseEvent
	sc := bufio.NewScanner(bytes.NewReader(body))
	for sc.Scan() {
		line := strings.TrimSuffix(sc.Text(), "\r")
		switch {
		case line == "":
			if cur.data != "" {
				out = append(out, cur)
			}
			cur = sseEvent{}
		case strings.HasPrefix(line, "event: "):
			cur.event = strings.TrimPrefix(line, "event: ")
		case strings.HasPrefix(line, "data: "):
			cur.data = strings.TrimPrefix(line, "data: ")
		}
	}
	return out
}

// pieceText is the text a streamed piece adds, in any provider's shape.
func pieceText(v map[string]any) string {
	if d, ok := v["delta"].(map[string]any); ok { // Anthropic content_block_delta
		s, _ := d["text"].(string)
		return s
	}
	var out string
	for _, c := range asList(v["choices"]) { // OpenAI
		d, _ := c["delta"].(map[string]any)
		s, _ := d["content"].(string)
		out += s
	}
	for _, c := range asList(v["candidates"]) { // Gemini
		content, _ := c["content"].(map[string]any)
		for _, p := range asList(content["parts"]) {
			s, _ := p["text"].(string)
			out += s
		}
	}
	return out
}

func asList(v any) []map[string]any {
	l, _ := v.([]any)
	var out []map[string]any
	for _, x := range l {
		if m, ok := x.(map[string]any); ok {
			out = append(out, m)
		}
	}
	return out
}

// openAPI is enough of an OpenAPI document to check required fields and
// enums of a value against a schema.
type openAPI struct{ schemas map[string]any }

var specCache sync.Map

func loadSpec(t *testing.T, path string) *openAPI {
	t.Helper()
	if s, ok := specCache.Load(path); ok {
		return s.(*openAPI)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Components struct {
			Schemas map[string]any `json:"schemas"`
		} `json:"components"`
	}
	if err := yaml.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	s := &openAPI{schemas: doc.Components.Schemas}
	specCache.Store(path, s)
	return s
}

// check returns where v misses a required field or leaves an enum, under
// schema (a name, or a schema object), following $ref, allOf, properties
// and items. Of oneOf/anyOf branches, an object is checked against the
// one its "type" names (the specs' discriminator), if any. A property
// whose description begins "Required." is required (Google's specs say
// so only there).
func (o *openAPI) check(schema any, v any, path string) []string {
	s, _ := schema.(map[string]any)
	if name, ok := schema.(string); ok {
		s, _ = o.schemas[name].(map[string]any)
		if s == nil {
			return []string{"no schema " + name + " in the spec"}
		}
	}
	if ref, ok := s["$ref"].(string); ok {
		return o.check(strings.TrimPrefix(ref, "#/components/schemas/"), v, path)
	}
	var errs []string
	for _, sub := range asAnyList(s["allOf"]) {
		errs = append(errs, o.check(sub, v, path)...)
	}
	if m, ok := v.(map[string]any); ok {
		if b := o.branch(append(asAnyList(s["oneOf"]), asAnyList(s["anyOf"])...), m["type"]); b != nil {
			errs = append(errs, o.check(b, v, path)...)
		}
	}
	if enum, ok := s["enum"].([]any); ok && v != nil {
		found := false
		for _, e := range enum {
			if fmt.Sprint(e) == fmt.Sprint(v) {
				found = true
			}
		}
		if !found {
			errs = append(errs, fmt.Sprintf("%s: %v is not one of %v", path, v, enum))
		}
	}
	switch val := v.(type) {
	case map[string]any:
		for _, r := range asAnyList(s["required"]) {
			if _, ok := val[fmt.Sprint(r)]; !ok {
				errs = append(errs, fmt.Sprintf("%s: required field %v is missing", path, r))
			}
		}
		props, _ := s["properties"].(map[string]any)
		for k, ps := range props {
			d, _ := ps.(map[string]any)["description"].(string)
			if _, ok := val[k]; !ok && strings.HasPrefix(d, "Required.") {
				errs = append(errs, fmt.Sprintf("%s: required field %v is missing", path, k))
			}
		}
		for k, pv := range val {
			if ps, ok := props[k]; ok && pv != nil {
				errs = append(errs, o.check(ps, pv, path+"."+k)...)
			}
		}
	case []any:
		if items, ok := s["items"]; ok {
			for i, x := range val {
				errs = append(errs, o.check(items, x, fmt.Sprintf("%s[%d]", path, i))...)
			}
		}
	}
	return errs
}

// branch is the schema among branches whose "type" property is
// typ, or nil.
func (o *openAPI) branch(branches []any, typ any) any {
	if typ == nil {
		return nil
	}
	for _, b := range branches {
		s := o.resolve(b)
		for _, sub := range append([]any{s}, asAnyList(s["allOf"])...) {
			props, _ := o.resolve(sub)["properties"].(map[string]any)
			t := o.resolve(props["type"])
			for _, e := range asAnyList(t["enum"]) {
				if e == typ {
					return b
				}
			}
			if t["const"] != nil && t["const"] == typ {
				return b
			}
		}
	}
	return nil
}

// resolve follows a schema's $ref.
func (o *openAPI) resolve(schema any) map[string]any {
	s, _ := schema.(map[string]any)
	if ref, ok := s["$ref"].(string); ok {
		s, _ = o.schemas[strings.TrimPrefix(ref, "#/components/schemas/")].(map[string]any)
	}
	return s
}

func asAnyList(v any) []any {
	l, _ := v.([]any)
	return l
}

// toolsRequest offers one tool, "lookup"; result, when set, answers the
// fake's call of it instead.
func toolsRequest(kind Kind, stream bool, result string) call {
	switch kind {
	case Anthropic:
		msgs := `[{"role":"user","content":"hello there"}]`
		if result != "" {
			msgs = `[{"role":"user","content":"hello there"},{"role":"assistant","content":[{"type":"tool_use","id":"toolu_fake","name":"lookup","input":{"q":"hello there"}}]},` +
				`{"role":"user","content":[{"type":"tool_result","tool_use_id":"toolu_fake","content":"` + result + `"}]}]`
		}
		return call{"/v1/messages", "k", fmt.Sprintf(`{"model":"claude-3-5-haiku-latest","max_tokens":64,"stream":%v,"tools":[{"name":"lookup","input_schema":{"type":"object"}}],"messages":%s}`, stream, msgs)}
	case Gemini:
		verb := "generateContent"
		if stream {
			verb = "streamGenerateContent"
		}
		contents := `[{"role":"user","parts":[{"text":"hello there"}]}]`
		if result != "" {
			contents = `[{"role":"user","parts":[{"text":"hello there"}]},{"role":"model","parts":[{"functionCall":{"name":"lookup","args":{"q":"hello there"}}}]},` +
				`{"role":"user","parts":[{"functionResponse":{"name":"lookup","response":{"content":"` + result + `"}}}]}]`
		}
		return call{"/v1beta/models/gemini-2.0-flash:" + verb, "k", `{"tools":[{"functionDeclarations":[{"name":"lookup"}]}],"contents":` + contents + `}`}
	}
	msgs := `[{"role":"user","content":"hello there"}]`
	if result != "" {
		msgs = `[{"role":"user","content":"hello there"},{"role":"assistant","content":null,"tool_calls":[{"id":"call_fake","type":"function","function":{"name":"lookup","arguments":"{}"}}]},` +
			`{"role":"tool","tool_call_id":"call_fake","content":"` + result + `"}]`
	}
	return call{"/v1/chat/completions", "k", fmt.Sprintf(`{"model":"gpt-4o-mini","stream":%v,"tools":[{"type":"function","function":{"name":"lookup"}}],"messages":%s}`, stream, msgs)}
}

// Offered a tool, every fake calls it with the prompt as "q", in its
// provider's shape (checked against the spec), whole and streamed; given
// the tool's result, it answers with it.
func TestFakesCallTools(t *testing.T) {
	specs := filepath.Join(testenv.SharedDir(t), "specs")
	for kind, sc := range specSchemas {
		t.Run(string(kind), func(t *testing.T) {
			spec := loadSpec(t, filepath.Join(specs, sc.file))
			s := New(t, kind, "k")
			resp, body := do(t, s, toolsRequest(kind, false, ""))
			var answer map[string]any
			if err := json.Unmarshal(body, &answer); resp.StatusCode != 200 || err != nil {
				t.Fatalf("%d %s", resp.StatusCode, body)
			}
			if errs := spec.check(sc.answer, answer, sc.answer); len(errs) > 0 {
				t.Errorf("the tool call does not follow %s:\n%s", sc.answer, strings.Join(errs, "\n"))
			}
			if !strings.Contains(string(body), "lookup") || !strings.Contains(strings.ReplaceAll(string(body), `\"`, `"`), `{"q":"hello there"}`) {
				t.Errorf("no call of lookup with q: %s", body)
			}

			resp, body = do(t, s, toolsRequest(kind, true, ""))
			var args strings.Builder
			for _, e := range parseSSE(t, body) {
				if e.data == "[DONE]" {
					continue
				}
				var v map[string]any
				if err := json.Unmarshal([]byte(e.data), &v); err != nil {
					t.Fatal(err)
				}
				if sc.chunk != "" {
					if errs := spec.check(sc.chunk, v, sc.chunk); len(errs) > 0 {
						t.Errorf("a streamed piece does not follow %s:\n%s", sc.chunk, strings.Join(errs, "\n"))
					}
				}
				args.WriteString(streamedArgs(v))
			}
			if resp.StatusCode != 200 || args.String() != `{"q":"hello there"}` {
				t.Errorf("streamed tool call arguments %q (%d)", args.String(), resp.StatusCode)
			}

			_, body = do(t, s, toolsRequest(kind, false, "42 apples"))
			if !strings.Contains(string(body), "the tool said: ") || !strings.Contains(string(body), "42 apples") {
				t.Errorf("the answer to a tool result: %s", body)
			}
		})
	}
}

// streamedArgs is the piece of tool call arguments a streamed event holds.
func streamedArgs(v map[string]any) string {
	if d, ok := v["delta"].(map[string]any); ok { // Anthropic
		s, _ := d["partial_json"].(string)
		return s
	}
	for _, c := range asList(v["choices"]) { // OpenAI
		d, _ := c["delta"].(map[string]any)
		for _, tc := range asList(d["tool_calls"]) {
			f, _ := tc["function"].(map[string]any)
			s, _ := f["arguments"].(string)
			return s
		}
	}
	for _, c := range asList(v["candidates"]) { // Gemini
		content, _ := c["content"].(map[string]any)
		for _, p := range asList(content["parts"]) {
			if fc, ok := p["functionCall"].(map[string]any); ok {
				b, _ := json.Marshal(fc["args"])
				return string(b)
			}
		}
	}
	return ""
}
