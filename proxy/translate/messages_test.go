package translate

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"

	"sigs.k8s.io/yaml"

	"github.com/kubelb-ai/kubelb-ai/internal/testenv"
	"github.com/kubelb-ai/kubelb-ai/proxy/sse"
)

// equalJSON reports whether a and b are the same JSON value.
func equalJSON(t *testing.T, a, b []byte) bool {
	t.Helper()
	var x, y any
	if err := json.Unmarshal(a, &x); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, a)
	}
	if err := json.Unmarshal(b, &y); err != nil {
		t.Fatalf("want is not JSON: %v\n%s", err, b)
	}
	return reflect.DeepEqual(x, y)
}

// Each mapping of a Messages request to a chat completion request.
func TestMessagesRequest(t *testing.T) {
	for _, c := range []struct{ name, in, want string }{
		{"plain members",
			`{"model":"claude-x","max_tokens":100,"system":"Be brief.","messages":[{"role":"user","content":"Hi"}],
			  "temperature":0.5,"top_p":0.9,"stop_sequences":["END","STOP"],"metadata":{"user_id":"u-1"}}`,
			`{"model":"claude-x","messages":[{"role":"system","content":"Be brief."},{"role":"user","content":"Hi"}],
			  "max_completion_tokens":100,"temperature":0.5,"top_p":0.9,"stop":["END","STOP"],"user":"u-1"}`},
		{"system blocks, cache_control dropped",
			`{"model":"m","max_tokens":1,"system":[{"type":"text","text":"A","cache_control":{"type":"ephemeral"}},{"type":"text","text":"B"}],
			  "messages":[{"role":"user","content":[{"type":"text","text":"Hi","cache_control":{"type":"ephemeral","ttl":300}}]}]}`,
			`{"model":"m","max_completion_tokens":1,"messages":[
			  {"role":"system","content":[{"type":"text","text":"A"},{"type":"text","text":"B"}]},{"role":"user","content":"Hi"}]}`},
		{"images",
			`{"model":"m","max_tokens":1,"messages":[{"role":"user","content":[
			  {"type":"image","source":{"type":"base64","media_type":"image/png","data":"iVBORw0KGgo="}},
			  {"type":"image","source":{"type":"url","url":"https://example.com/cat.jpg"}},
			  {"type":"text","text":"What are these?"}]}]}`,
			`{"model":"m","max_completion_tokens":1,"messages":[{"role":"user","content":[
			  {"type":"image_url","image_url":{"url":"data:image/png;base64,iVBORw0KGgo="}},
			  {"type":"image_url","image_url":{"url":"https://example.com/cat.jpg"}},
			  {"type":"text","text":"What are these?"}]}]}`},
		{"tools, tool use and results, thinking dropped",
			`{"model":"m","max_tokens":50,
			  "tools":[{"name":"get_weather","description":"Weather of a city","input_schema":{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}},
			           {"type":"custom","name":"noop","input_schema":{"type":"object"},"cache_control":{"type":"ephemeral"}}],
			  "tool_choice":{"type":"tool","name":"get_weather","disable_parallel_tool_use":true},
			  "messages":[
			    {"role":"user","content":"Weather in Paris and Rome?"},
			    {"role":"assistant","content":[{"type":"thinking","thinking":"two calls","signature":"c2ln"},{"type":"text","text":"Checking."},
			      {"type":"tool_use","id":"toolu_1","name":"get_weather","input":{ "city" : "Paris" }},
			      {"type":"tool_use","id":"toolu_2","name":"get_weather","input":{"city":"Rome"}}]},
			    {"role":"user","content":[{"type":"tool_result","tool_use_id":"toolu_1","content":"15C"},
			      {"type":"tool_result","tool_use_id":"toolu_2","content":[{"type":"text","text":"no station"},{"type":"text","text":"try later"}],"is_error":true},
			      {"type":"text","text":"Thanks"}]}]}`,
			`{"model":"m","max_completion_tokens":50,
			  "tools":[{"type":"function","function":{"name":"get_weather","description":"Weather of a city","parameters":{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}}},
			           {"type":"function","function":{"name":"noop","parameters":{"type":"object"}}}],
			  "tool_choice":{"type":"function","function":{"name":"get_weather"}},"parallel_tool_calls":false,
			  "messages":[
			    {"role":"user","content":"Weather in Paris and Rome?"},
			    {"role":"assistant","content":"Checking.","tool_calls":[
			      {"id":"toolu_1","type":"function","function":{"name":"get_weather","arguments":"{\"city\":\"Paris\"}"}},
			      {"id":"toolu_2","type":"function","function":{"name":"get_weather","arguments":"{\"city\":\"Rome\"}"}}]},
			    {"role":"tool","tool_call_id":"toolu_1","content":"15C"},
			    {"role":"tool","tool_call_id":"toolu_2","content":"Error: no station\ntry later"},
			    {"role":"user","content":"Thanks"}]}`},
		{"tool use alone, no input; a turn of thinking alone is dropped",
			`{"model":"m","max_tokens":5,"messages":[{"role":"user","content":"go"},
			  {"role":"assistant","content":[{"type":"redacted_thinking","data":"b3BhcXVl"}]},
			  {"role":"user","content":"again"},
			  {"role":"assistant","content":[{"type":"tool_use","id":"toolu_9","name":"ping"}]},
			  {"role":"user","content":[{"type":"tool_result","tool_use_id":"toolu_9"}]}]}`,
			`{"model":"m","max_completion_tokens":5,"messages":[{"role":"user","content":"go"},{"role":"user","content":"again"},
			  {"role":"assistant","content":null,"tool_calls":[{"id":"toolu_9","type":"function","function":{"name":"ping","arguments":"{}"}}]},
			  {"role":"tool","tool_call_id":"toolu_9","content":""}]}`},
		{"tool_choice auto, parallel allowed",
			`{"model":"m","max_tokens":1,"messages":[{"role":"user","content":"x"}],"tool_choice":{"type":"auto","disable_parallel_tool_use":false}}`,
			`{"model":"m","max_completion_tokens":1,"messages":[{"role":"user","content":"x"}],"tool_choice":"auto"}`},
		{"tool_choice any",
			`{"model":"m","max_tokens":1,"messages":[{"role":"user","content":"x"}],"tool_choice":{"type":"any","disable_parallel_tool_use":true}}`,
			`{"model":"m","max_completion_tokens":1,"messages":[{"role":"user","content":"x"}],"tool_choice":"required","parallel_tool_calls":false}`},
		{"tool_choice none",
			`{"model":"m","max_tokens":1,"messages":[{"role":"user","content":"x"}],"tool_choice":{"type":"none"}}`,
			`{"model":"m","max_completion_tokens":1,"messages":[{"role":"user","content":"x"}],"tool_choice":"none"}`},
		{"stream asks for usage",
			`{"model":"m","max_tokens":1,"messages":[{"role":"user","content":"x"}],"stream":true}`,
			`{"model":"m","max_completion_tokens":1,"messages":[{"role":"user","content":"x"}],"stream":true,"stream_options":{"include_usage":true}}`},
		{"no-op values of refused members",
			`{"model":"m","max_tokens":1,"messages":[{"role":"user","content":"x"}],"thinking":{"type":"disabled"},"service_tier":"auto",
			  "top_k":null,"container":null,"mcp_servers":null,"context_management":null,"metadata":{},"stream":false}`,
			`{"model":"m","max_completion_tokens":1,"messages":[{"role":"user","content":"x"}]}`},
		{"structured output",
			`{"model":"m","max_tokens":1,"messages":[{"role":"user","content":"x"}],
			  "output_config":{"format":{"type":"json_schema","schema":{"type":"object","properties":{"a":{"type":"integer"}}}}}}`,
			`{"model":"m","max_completion_tokens":1,"messages":[{"role":"user","content":"x"}],
			  "response_format":{"type":"json_schema","json_schema":{"name":"structured_output","schema":{"type":"object","properties":{"a":{"type":"integer"}}}}}}`},
	} {
		got, err := Messages{}.Request([]byte(c.in))
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		if !equalJSON(t, got, []byte(c.want)) {
			t.Errorf("%s:\n got: %s\nwant: %s", c.name, got, c.want)
		}
	}
}

// refusedMessages are requests Request refuses, with a piece of the error.
var refusedMessages = []struct{ body, want string }{
	{`{"model":"m","max_tokens":1,"messages":[{"role":"user","content":"x"}],"top_k":5}`, "top_k: refused: chat completions have no top_k"},
	{`{"model":"m","max_tokens":2048,"messages":[{"role":"user","content":"x"}],"thinking":{"type":"enabled","budget_tokens":1024}}`, `thinking: type "enabled" refused`},
	{`{"model":"m","max_tokens":1,"messages":[{"role":"user","content":"x"}],"thinking":{"type":"adaptive"}}`, `thinking: type "adaptive" refused`},
	{`{"model":"m","max_tokens":1,"messages":[{"role":"user","content":"x"}],"service_tier":"standard_only"}`, `service_tier: "standard_only" refused`},
	{`{"model":"m","max_tokens":1,"messages":[{"role":"user","content":"x"}],"container":"container_1"}`, "container: refused"},
	{`{"model":"m","max_tokens":1,"messages":[{"role":"user","content":"x"}],"context_management":{"edits":[{"type":"clear_tool_uses_20250919"}]}}`, "context_management: refused"},
	{`{"model":"m","max_tokens":1,"messages":[{"role":"user","content":"x"}],"mcp_servers":[{"type":"url","url":"https://mcp.example.com","name":"x"}]}`, "mcp_servers: refused"},
	{`{"model":"m","max_tokens":1,"messages":[{"role":"user","content":"x"}],"output_config":{"effort":"low"}}`, "output_config.effort: refused"},
	{`{"model":"m","max_tokens":1,"messages":[{"role":"user","content":"x"}],"output_config":{"format":{"type":"text"}}}`, `output_config.format: type "text"`},
	{`{"model":"m","max_tokens":1,"messages":[{"role":"user","content":"x"}],"tools":[{"type":"web_search_20250305","name":"web_search"}]}`, `tools[0]: type "web_search_20250305" refused`},
	{`{"model":"m","max_tokens":1,"messages":[{"role":"user","content":"x"}],"tools":[{"name":"f","input_schema":{},"strict":true}]}`, `tools[0]:`},
	{`{"model":"m","max_tokens":1,"messages":[{"role":"user","content":"x"}],"frobnicate":1,"Messages":[]}`, "unknown member(s) Messages, frobnicate"},
	{`{"model":"m","max_tokens":1,"messages":[{"role":"user","content":"x"}],"max_tokens":2}`, "duplicate"},
	{`{"model":"m","max_tokens":1,"messages":[{"role":"user","content":"x"}],"metadata":{"user_id":"u","tier":"gold"}}`, "tier"},
	{`{"model":"m","messages":[{"role":"user","content":"x"}]}`, "max_tokens: required"},
	{`{"model":"m","max_tokens":1,"messages":[]}`, "messages: at least one message"},
	{`{"model":"m","max_tokens":1,"messages":[{"role":"system","content":"x"}]}`, `messages[0]: role "system"`},
	{`{"model":"m","max_tokens":1,"messages":[{"role":"user"}]}`, `messages[0]: content: required`},
	{`{"model":"m","max_tokens":1,"messages":[{"role":"user","content":"x","name":"bob"}]}`, `name`},
	{`{"model":"m","max_tokens":1,"messages":[{"role":"user","content":[{"type":"text","text":"x","bogus":1}]}]}`, `messages[0]: content[0]`},
	{`{"model":"m","max_tokens":1,"messages":[{"role":"user","content":[{"type":"document","source":{"type":"text","media_type":"text/plain","data":"d"}}]}]}`, "messages[0]: content[0]: document blocks refused"},
	{`{"model":"m","max_tokens":1,"messages":[{"role":"assistant","content":[{"type":"server_tool_use","id":"s","name":"web_search","input":{}}]}]}`, "server_tool_use blocks refused"},
	{`{"model":"m","max_tokens":1,"messages":[{"role":"user","content":[{"type":"tool_result","tool_use_id":"t","content":[{"type":"image","source":{"type":"url","url":"u"}}]}]}]}`, "chat tool messages take text only"},
	{`{"model":"m","max_tokens":1,"messages":[{"role":"user","content":[{"type":"tool_use","id":"t","name":"f","input":{}}]}]}`, "tool_use blocks have no chat equivalent in user messages"},
	{`{"model":"m","max_tokens":1,"messages":[{"role":"assistant","content":[{"type":"image","source":{"type":"url","url":"u"}}]}]}`, "image blocks have no chat equivalent in assistant messages"},
	{`{"model":"m","max_tokens":1,"messages":[{"role":"user","content":[{"type":"image","source":{"type":"file","file_id":"f"}}]}]}`, "file_id"},
	{`{"model":"m","max_tokens":1,"messages":[{"role":"user","content":[{"type":"image","source":{"type":"base64","data":"x"}}]}]}`, `image source type "base64"`},
	{`{"model":"m","max_tokens":1,"system":[{"type":"image","source":{"type":"url","url":"u"}}],"messages":[{"role":"user","content":"x"}]}`, "system[0]: image blocks refused"},
	{`{"model":"m","max_tokens":1,"messages":[{"role":"user","content":"x"}],"tool_choice":{"type":"tool"}}`, "tool_choice: type tool needs a name"},
	{`{"model":"m","max_tokens":1,"messages":[{"role":"user","content":"x"}],"tool_choice":{"type":"sometimes"}}`, `tool_choice: type "sometimes"`},
	{`[1]`, "not an Anthropic Messages request"},
}

// Each refusal names the member and why.
func TestMessagesRequestRefusals(t *testing.T) {
	for _, c := range refusedMessages {
		_, err := Messages{}.Request([]byte(c.body))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want an error with %q", c.body, err, c.want)
		}
	}
}

// The table and the code agree: every member the table names is one
// Request knows (never "unknown"), and every member the table says is
// refused has a refusal case whose error starts with its name.
func TestMessagesFieldTable(t *testing.T) {
	for name, note := range (Messages{}).Fields() {
		body := `{"model":"m","max_tokens":1,"messages":[{"role":"user","content":"x"}],"` + name + `":null}`
		if _, err := (Messages{}).Request([]byte(body)); err != nil && strings.Contains(err.Error(), "unknown") {
			t.Errorf("%s is in the table but Request says: %v", name, err)
		}
		if !strings.Contains(note, "refused") {
			continue
		}
		if !slices.ContainsFunc(refusedMessages, func(c struct{ body, want string }) bool {
			_, err := Messages{}.Request([]byte(c.body))
			return err != nil && strings.HasPrefix(err.Error(), name)
		}) {
			t.Errorf("%s: the table refuses some of its values, but no refusal case shows it", name)
		}
	}
}

// anthropicSpec is the curated Anthropic OpenAPI description's schemas.
func anthropicSpec(t *testing.T) map[string]any {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(testenv.SharedDir(t), "specs", "anthropic-openapi.curated.yaml"))
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
	if len(doc.Components.Schemas) == 0 {
		t.Fatal("no schemas in the Anthropic spec")
	}
	return doc.Components.Schemas
}

// Every member of the spec's create-message request has an entry.
func TestMessagesFieldTableCoversSpec(t *testing.T) {
	schemas := anthropicSpec(t)
	req, _ := schemas["CreateMessageRequest"].(map[string]any)
	props, _ := req["properties"].(map[string]any)
	if len(props) < 10 {
		t.Fatalf("CreateMessageRequest has %d properties: the spec changed shape", len(props))
	}
	fields := Messages{}.Fields()
	for name := range props {
		if fields[name] == "" {
			t.Errorf("request member %s has no FieldTable entry", name)
		}
	}
}

// missingRequired lists the members the spec marks required that v lacks,
// following $ref, discriminated oneOf, properties and items.
func missingRequired(schemas map[string]any, schema any, v any, path string) []string {
	s, _ := schema.(map[string]any)
	name := ""
	if ref, ok := s["$ref"].(string); ok {
		name = strings.TrimPrefix(ref, "#/components/schemas/")
		s, _ = schemas[name].(map[string]any)
	}
	obj, isObj := v.(map[string]any)
	if d, ok := s["discriminator"].(map[string]any); ok && isObj {
		key, _ := d["propertyName"].(string)
		tag, _ := obj[key].(string)
		ref, ok := d["mapping"].(map[string]any)[tag]
		if !ok {
			return []string{path + ": " + key + " " + tag + " is not in the spec"}
		}
		return missingRequired(schemas, map[string]any{"$ref": ref}, v, path)
	}
	var out []string
	if isObj {
		req, _ := s["required"].([]any)
		for _, r := range req {
			r := r.(string)
			// The curated spec requires "text" of an input_json_delta, whose
			// only member is partial_json (as Anthropic sends): a typo.
			if name == "InputJsonBlockDelta" && r == "text" {
				r = "partial_json"
			}
			if _, ok := obj[r]; !ok {
				out = append(out, path+"."+r)
			}
		}
		props, _ := s["properties"].(map[string]any)
		for k, ps := range props {
			if val, ok := obj[k]; ok && val != nil {
				out = append(out, missingRequired(schemas, ps, val, path+"."+k)...)
			}
		}
	}
	if arr, ok := v.([]any); ok {
		for i, e := range arr {
			out = append(out, missingRequired(schemas, s["items"], e, path+"["+strconv.Itoa(i)+"]")...)
		}
	}
	return out
}

// checkAgainstSpec fails t when body lacks a member the spec's schema
// requires.
func checkAgainstSpec(t *testing.T, schemas map[string]any, schema string, body []byte) {
	t.Helper()
	var v any
	if err := json.Unmarshal(body, &v); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, body)
	}
	if missing := missingRequired(schemas, map[string]any{"$ref": "#/components/schemas/" + schema}, v, schema); len(missing) > 0 {
		t.Errorf("%s lacks %v: %s", schema, missing, body)
	}
}

// The check itself catches a missing member, nested ones included.
func TestMissingRequired(t *testing.T) {
	schemas := anthropicSpec(t)
	for _, c := range []struct{ schema, body, want string }{
		{"MessageStreamEvent", `{"type":"message_start"}`, "message"},
		{"MessageStreamEvent", `{"type":"content_block_delta","index":0,"delta":{"type":"input_json_delta"}}`, "partial_json"},
		{"MessageStreamEvent", `{"type":"content_block_start","index":0,"content_block":{"type":"tool_use","id":"x","input":{}}}`, "name"},
		{"Message", `{"role":"assistant","content":[],"usage":{"input_tokens":1}}`, "output_tokens"},
		{"MessageStreamEvent", `{"type":"rumble"}`, "not in the spec"},
	} {
		var v any
		_ = json.Unmarshal([]byte(c.body), &v)
		got := missingRequired(schemas, map[string]any{"$ref": "#/components/schemas/" + c.schema}, v, c.schema)
		if len(got) != 1 || !strings.Contains(got[0], c.want) {
			t.Errorf("%s: %v, want one about %q", c.body, got, c.want)
		}
	}
}

// Chat completions and errors as Anthropic messages and errors.
func TestMessagesResponse(t *testing.T) {
	schemas := anthropicSpec(t)
	for _, c := range []struct {
		name   string
		status int
		in     string
		want   string
	}{
		{"text", 200,
			`{"id":"chatcmpl-abc","object":"chat.completion","created":1,"model":"gpt-4o","choices":[{"index":0,"message":{"role":"assistant","content":"Hello!"},"finish_reason":"stop"}],
			  "usage":{"prompt_tokens":12,"completion_tokens":3,"total_tokens":15}}`,
			`{"id":"msg_abc","type":"message","role":"assistant","model":"gpt-4o","content":[{"type":"text","text":"Hello!"}],
			  "stop_reason":"end_turn","stop_sequence":null,"usage":{"input_tokens":12,"output_tokens":3}}`},
		{"tool calls, cached prompt tokens", 200,
			`{"id":"chatcmpl-t","model":"gpt-4o","choices":[{"index":0,"message":{"role":"assistant","content":null,"tool_calls":[
			   {"id":"call_1","type":"function","function":{"name":"get_weather","arguments":"{\"city\":\"Paris\"}"}},
			   {"id":"call_2","type":"function","function":{"name":"get_time","arguments":"not json"}}]},"finish_reason":"tool_calls"}],
			  "usage":{"prompt_tokens":100,"completion_tokens":20,"total_tokens":120,"prompt_tokens_details":{"cached_tokens":64}}}`,
			`{"id":"msg_t","type":"message","role":"assistant","model":"gpt-4o","content":[
			   {"type":"tool_use","id":"call_1","name":"get_weather","input":{"city":"Paris"}},
			   {"type":"tool_use","id":"call_2","name":"get_time","input":{}}],
			  "stop_reason":"tool_use","stop_sequence":null,"usage":{"input_tokens":36,"output_tokens":20,"cache_read_input_tokens":64}}`},
		{"text and a tool call, first choice only", 200,
			`{"id":"chatcmpl-2","model":"m","choices":[{"index":0,"message":{"role":"assistant","content":"Let me look.","tool_calls":[
			   {"id":"call_9","type":"function","function":{"name":"f","arguments":"{}"}}]},"finish_reason":"tool_calls"},
			   {"index":1,"message":{"role":"assistant","content":"other"},"finish_reason":"stop"}],"usage":{"prompt_tokens":1,"completion_tokens":2,"total_tokens":3}}`,
			`{"id":"msg_2","type":"message","role":"assistant","model":"m","content":[{"type":"text","text":"Let me look."},
			   {"type":"tool_use","id":"call_9","name":"f","input":{}}],"stop_reason":"tool_use","stop_sequence":null,"usage":{"input_tokens":1,"output_tokens":2}}`},
		{"max_tokens", 200,
			`{"id":"chatcmpl-3","model":"m","choices":[{"index":0,"message":{"role":"assistant","content":"Once upon"},"finish_reason":"length"}],"usage":{"prompt_tokens":5,"completion_tokens":2,"total_tokens":7}}`,
			`{"id":"msg_3","type":"message","role":"assistant","model":"m","content":[{"type":"text","text":"Once upon"}],"stop_reason":"max_tokens","stop_sequence":null,"usage":{"input_tokens":5,"output_tokens":2}}`},
		{"content filter", 200,
			`{"id":"chatcmpl-4","model":"m","choices":[{"index":0,"message":{"role":"assistant","content":""},"finish_reason":"content_filter"}]}`,
			`{"id":"msg_4","type":"message","role":"assistant","model":"m","content":[{"type":"text","text":""}],"stop_reason":"refusal","stop_sequence":null,"usage":{"input_tokens":0,"output_tokens":0}}`},
		{"refusal", 200,
			`{"id":"chatcmpl-5","model":"m","choices":[{"index":0,"message":{"role":"assistant","content":null,"refusal":"I can't help with that."},"finish_reason":"stop"}],"usage":{"prompt_tokens":9,"completion_tokens":6,"total_tokens":15}}`,
			`{"id":"msg_5","type":"message","role":"assistant","model":"m","content":[{"type":"text","text":"I can't help with that."}],"stop_reason":"refusal","stop_sequence":null,"usage":{"input_tokens":9,"output_tokens":6}}`},
		{"400", 400, `{"error":{"message":"Invalid 'messages[1]'","type":"invalid_request_error","param":"messages","code":null}}`,
			`{"type":"error","error":{"type":"invalid_request_error","message":"Invalid 'messages[1]'"}}`},
		{"401 of OpenAI's type", 401, `{"error":{"message":"Incorrect API key provided","type":"invalid_request_error","code":"invalid_api_key"}}`,
			`{"type":"error","error":{"type":"authentication_error","message":"Incorrect API key provided"}}`},
		{"403", 403, `{"error":{"message":"Country not supported","type":"request_forbidden"}}`,
			`{"type":"error","error":{"type":"permission_error","message":"Country not supported"}}`},
		{"404", 404, `{"error":{"message":"The model 'x' does not exist","type":"invalid_request_error","code":"model_not_found"}}`,
			`{"type":"error","error":{"type":"not_found_error","message":"The model 'x' does not exist"}}`},
		{"429", 429, `{"error":{"message":"You exceeded your current quota","type":"insufficient_quota"}}`,
			`{"type":"error","error":{"type":"rate_limit_error","message":"You exceeded your current quota"}}`},
		{"500", 500, `{"error":{"message":"The server had an error","type":"server_error"}}`,
			`{"type":"error","error":{"type":"api_error","message":"The server had an error"}}`},
		{"503", 503, `{"error":{"message":"The engine is currently overloaded","type":"server_error"}}`,
			`{"type":"error","error":{"type":"overloaded_error","message":"The engine is currently overloaded"}}`},
		{"502 not JSON", 502, "upstream connect error\n", `{"type":"error","error":{"type":"api_error","message":"upstream connect error"}}`},
		{"an error as a string", 400, `{"error":"bad model"}`, `{"type":"error","error":{"type":"invalid_request_error","message":"bad model"}}`},
		{"an error in a 200", 200, `{"error":{"message":"rate limited","type":"rate_limit_exceeded"}}`,
			`{"type":"error","error":{"type":"rate_limit_error","message":"rate limited"}}`},
		{"no choices", 200, `{"id":"chatcmpl-6","model":"m","choices":[]}`,
			`{"type":"error","error":{"type":"api_error","message":"the provider's answer has no choices"}}`},
	} {
		got := Messages{}.Response(c.status, []byte(c.in))
		if !equalJSON(t, got, []byte(c.want)) {
			t.Errorf("%s:\n got: %s\nwant: %s", c.name, got, c.want)
		}
		schema := "Message"
		if strings.Contains(c.want, `"type":"error"`) {
			schema = "ErrorEvent" // the error body's shape
		}
		checkAgainstSpec(t, schemas, schema, got)
	}
}

// An answer without an id gets a fresh msg_ one.
func TestMessagesResponseID(t *testing.T) {
	in := []byte(`{"model":"m","choices":[{"index":0,"message":{"role":"assistant","content":"x"},"finish_reason":"stop"}]}`)
	var a, b struct{ ID string }
	_ = json.Unmarshal(Messages{}.Response(200, in), &a)
	_ = json.Unmarshal(Messages{}.Response(200, in), &b)
	if !strings.HasPrefix(a.ID, "msg_") || len(a.ID) < 10 || a.ID == b.ID {
		t.Errorf("ids %q, %q", a.ID, b.ID)
	}
}

// feedMessages runs a chat chunk stream through Messages' Stream in
// pieces of the given sizes (0: whole), and reports whether the stream
// said it was done.
func feedMessages(in []byte, size int) ([]byte, bool) {
	s := Messages{}.Stream("backend-model")
	var out []byte
	for len(in) > 0 {
		n := len(in)
		if size > 0 {
			n = min(size, n)
		}
		out = append(out, s.Feed(in[:n])...)
		in = in[n:]
	}
	out = append(out, s.End()...)
	return out, s.Done()
}

// Chat chunk streams as Anthropic events, the same whatever the pieces
// the chunks arrive in.
func TestMessagesStream(t *testing.T) {
	schemas := anthropicSpec(t)
	for _, c := range []struct{ name, in, want string }{
		{"text, usage after the finish", messagesStreamText, messagesStreamTextWant},
		{"text then two tool calls, usage with the finish", messagesStreamTools, messagesStreamToolsWant},
		{"no usage chunk, [DONE]", messagesStreamNoUsage, messagesStreamNoUsageWant},
		{"cut off: no finish, no [DONE]", messagesStreamCut, messagesStreamCutWant},
		{"an error chunk ends it", messagesStreamError, messagesStreamErrorWant},
		{"nothing but [DONE]", "data: [DONE]\n\n", messagesStreamEmptyWant},
		{"a refusal", messagesStreamRefusal, messagesStreamRefusalWant},
	} {
		in := []byte(c.in)
		got, done := feedMessages(in, 0)
		if string(got) != c.want {
			t.Errorf("%s:\n%s", c.name, got)
		}
		if !done {
			t.Errorf("%s: not done", c.name)
		}
		for _, size := range []int{1, 2, 3, 7, 13} {
			if again, _ := feedMessages(in, size); !bytes.Equal(again, got) {
				t.Errorf("%s in pieces of %d:\n%s", c.name, size, again)
			}
		}
		var dec sse.Decoder
		for _, ev := range append(dec.Feed(got), dec.End()...) {
			var head struct{ Type string }
			if err := json.Unmarshal(ev.Data, &head); err != nil || head.Type != ev.Name {
				t.Errorf("%s: event %q carries type %q (%v)", c.name, ev.Name, head.Type, err)
			}
			checkAgainstSpec(t, schemas, "MessageStreamEvent", ev.Data)
		}
	}
}

const messagesStreamText = `data: {"id":"chatcmpl-s1","object":"chat.completion.chunk","created":1,"model":"gpt-4o","choices":[{"index":0,"delta":{"role":"assistant","content":""},"finish_reason":null}]}

data: {"id":"chatcmpl-s1","object":"chat.completion.chunk","created":1,"model":"gpt-4o","choices":[{"index":0,"delta":{"content":"Hel"},"finish_reason":null}]}

data: {"id":"chatcmpl-s1","object":"chat.completion.chunk","created":1,"model":"gpt-4o","choices":[{"index":0,"delta":{"content":"lo"},"finish_reason":null}]}

data: {"id":"chatcmpl-s1","object":"chat.completion.chunk","created":1,"model":"gpt-4o","choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}

data: {"id":"chatcmpl-s1","object":"chat.completion.chunk","created":1,"model":"gpt-4o","choices":[],"usage":{"prompt_tokens":10,"completion_tokens":2,"total_tokens":12}}

data: [DONE]

`

const messagesStreamTextWant = `event: message_start
data: {"type":"message_start","message":{"id":"msg_s1","type":"message","role":"assistant","model":"gpt-4o","content":[],"stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":0,"output_tokens":0}}}

event: content_block_start
data: {"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}

event: content_block_delta
data: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hel"}}

event: content_block_delta
data: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"lo"}}

event: content_block_stop
data: {"type":"content_block_stop","index":0}

event: message_delta
data: {"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},"usage":{"input_tokens":10,"output_tokens":2}}

event: message_stop
data: {"type":"message_stop"}

`

// Arguments before the name wait for it; cached tokens count apart.
const messagesStreamTools = `data: {"id":"chatcmpl-s2","model":"gpt-4o","choices":[{"index":0,"delta":{"role":"assistant","content":"Checking."}}]}

data: {"id":"chatcmpl-s2","model":"gpt-4o","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"id":"call_a","type":"function","function":{"name":"get_weather","arguments":""}}]}}]}

data: {"id":"chatcmpl-s2","model":"gpt-4o","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"{\"city\":"}}]}}]}

data: {"id":"chatcmpl-s2","model":"gpt-4o","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"\"Paris\"}"}}]}}]}

data: {"id":"chatcmpl-s2","model":"gpt-4o","choices":[{"index":0,"delta":{"tool_calls":[{"index":1,"id":"call_b","function":{"arguments":"{}"}}]}}]}

data: {"id":"chatcmpl-s2","model":"gpt-4o","choices":[{"index":0,"delta":{"tool_calls":[{"index":1,"function":{"name":"get_time"}}]}}]}

data: {"id":"chatcmpl-s2","model":"gpt-4o","choices":[{"index":0,"delta":{},"finish_reason":"tool_calls"}],"usage":{"prompt_tokens":50,"completion_tokens":9,"total_tokens":59,"prompt_tokens_details":{"cached_tokens":32}}}

data: [DONE]

`

const messagesStreamToolsWant = `event: message_start
data: {"type":"message_start","message":{"id":"msg_s2","type":"message","role":"assistant","model":"gpt-4o","content":[],"stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":0,"output_tokens":0}}}

event: content_block_start
data: {"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}

event: content_block_delta
data: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Checking."}}

event: content_block_stop
data: {"type":"content_block_stop","index":0}

event: content_block_start
data: {"type":"content_block_start","index":1,"content_block":{"type":"tool_use","id":"call_a","name":"get_weather","input":{}}}

event: content_block_delta
data: {"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":"{\"city\":"}}

event: content_block_delta
data: {"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":"\"Paris\"}"}}

event: content_block_stop
data: {"type":"content_block_stop","index":1}

event: content_block_start
data: {"type":"content_block_start","index":2,"content_block":{"type":"tool_use","id":"call_b","name":"get_time","input":{}}}

event: content_block_delta
data: {"type":"content_block_delta","index":2,"delta":{"type":"input_json_delta","partial_json":"{}"}}

event: content_block_stop
data: {"type":"content_block_stop","index":2}

event: message_delta
data: {"type":"message_delta","delta":{"stop_reason":"tool_use","stop_sequence":null},"usage":{"input_tokens":18,"output_tokens":9,"cache_read_input_tokens":32}}

event: message_stop
data: {"type":"message_stop"}

`

// A provider that sends no usage chunk: the message ends at [DONE] with
// zero usage; the model comes from Stream's argument.
const messagesStreamNoUsage = `data: {"id":"chatcmpl-s3","choices":[{"index":0,"delta":{"content":"Hi"}}]}

data: {"id":"chatcmpl-s3","choices":[{"index":0,"delta":{},"finish_reason":"length"}]}

data: [DONE]

`

const messagesStreamNoUsageWant = `event: message_start
data: {"type":"message_start","message":{"id":"msg_s3","type":"message","role":"assistant","model":"backend-model","content":[],"stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":0,"output_tokens":0}}}

event: content_block_start
data: {"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}

event: content_block_delta
data: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hi"}}

event: content_block_stop
data: {"type":"content_block_stop","index":0}

event: message_delta
data: {"type":"message_delta","delta":{"stop_reason":"max_tokens","stop_sequence":null},"usage":{"input_tokens":0,"output_tokens":0}}

event: message_stop
data: {"type":"message_stop"}

`

// Chunks that stop without a finish_reason or [DONE] (the last without
// its blank line): the turn is closed at End.
const messagesStreamCut = `data: {"id":"chatcmpl-s4","model":"m","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"id":"call_z","function":{"name":"f","arguments":"{\"a\":1}"}}]}}]}`

const messagesStreamCutWant = `event: message_start
data: {"type":"message_start","message":{"id":"msg_s4","type":"message","role":"assistant","model":"m","content":[],"stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":0,"output_tokens":0}}}

event: content_block_start
data: {"type":"content_block_start","index":0,"content_block":{"type":"tool_use","id":"call_z","name":"f","input":{}}}

event: content_block_delta
data: {"type":"content_block_delta","index":0,"delta":{"type":"input_json_delta","partial_json":"{\"a\":1}"}}

event: content_block_stop
data: {"type":"content_block_stop","index":0}

event: message_delta
data: {"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},"usage":{"input_tokens":0,"output_tokens":0}}

event: message_stop
data: {"type":"message_stop"}

`

// An error after some text: the error event is the last; what follows is
// not sent.
const messagesStreamError = `data: {"id":"chatcmpl-s5","model":"m","choices":[{"index":0,"delta":{"content":"Par"}}]}

data: {"error":{"message":"Rate limit reached","type":"rate_limit_exceeded","code":"rate_limit"}}

data: {"id":"chatcmpl-s5","model":"m","choices":[{"index":0,"delta":{"content":"tial"}}]}

data: [DONE]

`

const messagesStreamErrorWant = `event: message_start
data: {"type":"message_start","message":{"id":"msg_s5","type":"message","role":"assistant","model":"m","content":[],"stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":0,"output_tokens":0}}}

event: content_block_start
data: {"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}

event: content_block_delta
data: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Par"}}

event: error
data: {"type":"error","error":{"type":"rate_limit_error","message":"Rate limit reached"}}

`

const messagesStreamEmptyWant = `event: error
data: {"type":"error","error":{"type":"api_error","message":"the provider's stream ended without an answer"}}

`

// A refusal streamed as text ends with the refusal stop reason.
const messagesStreamRefusal = `data: {"id":"chatcmpl-s6","model":"m","choices":[{"index":0,"delta":{"refusal":"No."}}]}

data: {"id":"chatcmpl-s6","model":"m","choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}

data: {"id":"chatcmpl-s6","model":"m","choices":[],"usage":{"prompt_tokens":3,"completion_tokens":1,"total_tokens":4}}

`

const messagesStreamRefusalWant = `event: message_start
data: {"type":"message_start","message":{"id":"msg_s6","type":"message","role":"assistant","model":"m","content":[],"stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":0,"output_tokens":0}}}

event: content_block_start
data: {"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}

event: content_block_delta
data: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"No."}}

event: content_block_stop
data: {"type":"content_block_stop","index":0}

event: message_delta
data: {"type":"message_delta","delta":{"stop_reason":"refusal","stop_sequence":null},"usage":{"input_tokens":3,"output_tokens":1}}

event: message_stop
data: {"type":"message_stop"}

`

// message_delta waits for the usage chunk after the finish_reason, and the
// stream is done at message_stop, before [DONE].
func TestMessagesStreamHoldsDelta(t *testing.T) {
	s := Messages{}.Stream("m")
	i := strings.Index(messagesStreamText, `data: {"id":"chatcmpl-s1","object":"chat.completion.chunk","created":1,"model":"gpt-4o","choices":[],"usage"`)
	first := s.Feed([]byte(messagesStreamText[:i]))
	if !bytes.Contains(first, []byte("text_delta")) || bytes.Contains(first, []byte("message_delta")) || s.Done() {
		t.Fatalf("before the usage chunk (done %v):\n%s", s.Done(), first)
	}
	rest := s.Feed([]byte(strings.TrimSuffix(messagesStreamText[i:], "data: [DONE]\n\n")))
	if !bytes.Contains(rest, []byte(`"usage":{"input_tokens":10,"output_tokens":2}`)) || !bytes.HasSuffix(rest, []byte("event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n")) || !s.Done() {
		t.Fatalf("after the usage chunk (done %v):\n%s", s.Done(), rest)
	}
	if tail := append(s.Feed([]byte("data: [DONE]\n\n")), s.End()...); len(tail) != 0 {
		t.Errorf("after message_stop: %s", tail)
	}
}
