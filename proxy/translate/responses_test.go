package translate

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/kubelb-ai/kubelb-ai/internal/testenv"
	"github.com/kubelb-ai/kubelb-ai/proxy/sse"
)

// fixIDs makes the response and item ids prefix_1, prefix_2, ... for the
// test.
func fixIDs(t *testing.T) {
	t.Helper()
	old := newResponseID
	n := 0
	newResponseID = func(prefix string) string { n++; return fmt.Sprintf("%s_%d", prefix, n) }
	t.Cleanup(func() { newResponseID = old })
}

func TestResponsesRequest(t *testing.T) {
	for _, c := range []struct{ name, in, want string }{
		{"input string", `{"model":"m","input":"hi"}`,
			`{"model":"m","messages":[{"role":"user","content":"hi"}]}`},
		{"instructions are a leading system message", `{"model":"m","instructions":"be brief","input":"hi"}`,
			`{"model":"m","messages":[{"role":"system","content":"be brief"},{"role":"user","content":"hi"}]}`},
		{"message items and parts",
			`{"model":"m","input":[
				{"role":"developer","content":"rules"},
				{"type":"message","role":"system","content":[{"type":"input_text","text":"sys"}]},
				{"type":"message","role":"user","content":[{"type":"input_text","text":"look "},{"type":"input_text","text":"here"}]},
				{"type":"message","role":"user","content":[{"type":"input_text","text":"what?"},
					{"type":"input_image","image_url":"https://x/cat.png","detail":"low"},
					{"type":"input_image","image_url":"data:image/png;base64,iVBO","detail":"auto"}]},
				{"type":"message","role":"assistant","id":"msg_1","status":"completed","content":[{"type":"output_text","text":"a cat","annotations":[]}]},
				{"type":"message","role":"assistant","content":[{"type":"refusal","refusal":"no"}]}]}`,
			`{"model":"m","messages":[
				{"role":"system","content":"rules"},
				{"role":"system","content":"sys"},
				{"role":"user","content":"look here"},
				{"role":"user","content":[{"type":"text","text":"what?"},
					{"type":"image_url","image_url":{"url":"https://x/cat.png","detail":"low"}},
					{"type":"image_url","image_url":{"url":"data:image/png;base64,iVBO","detail":"auto"}}]},
				{"role":"assistant","content":"a cat"},
				{"role":"assistant","refusal":"no"}]}`},
		{"function calls join the turn's assistant message; outputs are tool messages",
			`{"model":"m","input":[
				{"role":"user","content":"weather?"},
				{"type":"message","role":"assistant","content":[{"type":"output_text","text":"checking"}]},
				{"type":"function_call","id":"fc_1","call_id":"call_a","name":"weather","arguments":"{\"city\":\"Paris\"}","status":"completed"},
				{"type":"function_call","call_id":"call_b","name":"time","arguments":""},
				{"type":"function_call_output","call_id":"call_a","output":"sunny"},
				{"type":"function_call_output","call_id":"call_b","output":[{"type":"input_text","text":"12:00"}]},
				{"type":"function_call","call_id":"call_c","name":"weather","arguments":"{}"}]}`,
			`{"model":"m","messages":[
				{"role":"user","content":"weather?"},
				{"role":"assistant","content":"checking","tool_calls":[
					{"id":"call_a","type":"function","function":{"name":"weather","arguments":"{\"city\":\"Paris\"}"}},
					{"id":"call_b","type":"function","function":{"name":"time","arguments":"{}"}}]},
				{"role":"tool","tool_call_id":"call_a","content":"sunny"},
				{"role":"tool","tool_call_id":"call_b","content":"12:00"},
				{"role":"assistant","tool_calls":[{"id":"call_c","type":"function","function":{"name":"weather","arguments":"{}"}}]}]}`},
		{"tools and tool_choice",
			`{"model":"m","input":"x","tools":[{"type":"function","name":"weather","description":"d","parameters":{"type":"object"},"strict":true},
				{"type":"function","name":"bare","parameters":null,"strict":null}],
			  "tool_choice":{"type":"function","name":"weather"},"parallel_tool_calls":false}`,
			`{"model":"m","messages":[{"role":"user","content":"x"}],
			  "tools":[{"type":"function","function":{"name":"weather","description":"d","parameters":{"type":"object"},"strict":true}},
				{"type":"function","function":{"name":"bare"}}],
			  "tool_choice":{"type":"function","function":{"name":"weather"}},"parallel_tool_calls":false}`},
		{"tool_choice mode", `{"model":"m","input":"x","tool_choice":"required"}`,
			`{"model":"m","messages":[{"role":"user","content":"x"}],"tool_choice":"required"}`},
		{"sampling, budget, reasoning, verbosity, user",
			`{"model":"m","input":"x","temperature":0.5,"top_p":0.9,"max_output_tokens":100,"reasoning":{"effort":"low","summary":null},
			  "text":{"format":{"type":"text"},"verbosity":"low"},"user":"u1","safety_identifier":"s1","service_tier":"flex",
			  "prompt_cache_key":"k","prompt_cache_retention":"24h","prompt_cache_options":{"ttl":"1h"}}`,
			`{"model":"m","messages":[{"role":"user","content":"x"}],"temperature":0.5,"top_p":0.9,"max_completion_tokens":100,
			  "reasoning_effort":"low","verbosity":"low","user":"u1","safety_identifier":"s1","service_tier":"flex",
			  "prompt_cache_key":"k","prompt_cache_retention":"24h","prompt_cache_options":{"ttl":"1h"}}`},
		{"safety_identifier is the user when none is given", `{"model":"m","input":"x","safety_identifier":"s1"}`,
			`{"model":"m","messages":[{"role":"user","content":"x"}],"user":"s1","safety_identifier":"s1"}`},
		{"json_schema format",
			`{"model":"m","input":"x","text":{"format":{"type":"json_schema","name":"out","description":"d","schema":{"type":"object"},"strict":true}}}`,
			`{"model":"m","messages":[{"role":"user","content":"x"}],
			  "response_format":{"type":"json_schema","json_schema":{"name":"out","description":"d","schema":{"type":"object"},"strict":true}}}`},
		{"json_object format", `{"model":"m","input":"x","text":{"format":{"type":"json_object"}}}`,
			`{"model":"m","messages":[{"role":"user","content":"x"}],"response_format":{"type":"json_object"}}`},
		{"stream asks for usage", `{"model":"m","input":"x","stream":true,"stream_options":{"include_obfuscation":false}}`,
			`{"model":"m","messages":[{"role":"user","content":"x"}],"stream":true,"stream_options":{"include_usage":true}}`},
		{"no-ops and nulls",
			`{"model":"m","input":"x","store":true,"metadata":{"a":"b"},"truncation":"disabled","background":false,"include":[],
			  "max_tool_calls":3,"previous_response_id":null,"conversation":null,"prompt":null,"top_logprobs":null,
			  "moderation":null,"context_management":null,"stream":false,"instructions":null}`,
			`{"model":"m","messages":[{"role":"user","content":"x"}]}`},
	} {
		out, err := Responses{}.Request([]byte(c.in))
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		sameJSON(t, c.name, out, c.want)
	}
}

// responsesRefusals are requests Request refuses, with the start of the
// error: the member and why.
var responsesRefusals = []struct{ in, want string }{
	{`{"input":"x","previous_response_id":"resp_1"}`, "previous_response_id: no response is stored here"},
	{`{"input":"x","conversation":"conv_1"}`, "conversation: no conversation is stored here"},
	{`{"input":"x","background":true}`, "background: a background response needs stored responses"},
	{`{"input":"x","prompt":{"id":"pmpt_1"}}`, "prompt: prompt templates live in OpenAI's dashboard"},
	{`{"input":"x","include":["reasoning.encrypted_content"]}`, "include: reasoning.encrypted_content asks for output data"},
	{`{"input":"x","top_logprobs":2}`, "top_logprobs: log probabilities are not carried back"},
	{`{"input":"x","moderation":{"model":"omni-moderation-latest"}}`, "moderation: no moderation runs"},
	{`{"input":"x","context_management":[{"type":"compaction"}]}`, "context_management: compaction"},
	{`{"input":"x","truncation":"auto"}`, `truncation: "auto": the gateway cannot drop input items`},
	{`{"input":"x","reasoning":{"effort":"low","summary":"auto"}}`, "reasoning.summary: chat completions take only a reasoning effort"},
	{`{"input":"x","tools":[{"type":"web_search"}]}`, `tools[0]: tool type "web_search" runs on OpenAI's servers`},
	{`{"input":"x","tools":[{"type":"function","name":"f","parameters":null,"strict":null,"defer_loading":true}]}`, "tools[0].defer_loading"},
	{`{"input":"x","tools":[{"type":"function","name":"f","parameters":null,"strict":null,"output_schema":{}}]}`, "tools[0].output_schema"},
	{`{"input":"x","tool_choice":{"type":"mcp","server_label":"s"}}`, `tool_choice: type "mcp" has no chat completions equivalent`},
	{`{"input":"x","tool_choice":{"type":"allowed_tools","mode":"auto","tools":[]}}`, `tool_choice: type "allowed_tools"`},
	{`{"input":"x","text":{"format":{"type":"grammar"}}}`, `text.format: type "grammar"`},
	{`{"input":[{"type":"reasoning","summary":[]}]}`, `input[0]: item type "reasoning" has no chat completions equivalent`},
	{`{"input":[{"type":"item_reference","id":"msg_1"}]}`, `input[0]: item type "item_reference"`},
	{`{"input":[{"role":"user","content":[{"type":"input_file","file_id":"f"}]}]}`, `input[0]: content[0]: part type "input_file"`},
	{`{"input":[{"role":"user","content":[{"type":"input_image","file_id":"f","detail":"auto"}]}]}`, "input[0]: content[0]: an image by file_id needs OpenAI's Files API"},
	{`{"input":[{"role":"tool","content":"x"}]}`, `input[0]: message role "tool"`},
	{`{"input":[{"type":"function_call_output","call_id":"c","output":[{"type":"input_image","image_url":"https://x"}]}]}`, `input[0].output: [0]: part type "input_image": a chat tool message holds text only`},
	{`{"input":"x","frequency_penalty":1,"messages":[]}`, "unknown member(s) frequency_penalty, messages: not part of OpenAI's Responses API"},
	{`{"input":"x","Model":"m"}`, "unknown member(s) Model"},
	{`{"input":"x","model":"a","model":"b"}`, "not an OpenAI Responses request"},
	{`["x"]`, "not an OpenAI Responses request"},
}

// Every refusal names the member and says why.
func TestResponsesRequestRefusals(t *testing.T) {
	for _, c := range responsesRefusals {
		_, err := Responses{}.Request([]byte(c.in))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: got %v, want an error containing %q", c.in, err, c.want)
		}
	}
}

func TestResponsesResponse(t *testing.T) {
	echo := `{"model":"m","instructions":"be brief","metadata":{"k":"v"},"temperature":0.2,"top_p":0.5,"max_output_tokens":50,
		"parallel_tool_calls":false,"tool_choice":"required","tools":[{"type":"function","name":"f","parameters":null,"strict":null}]}`
	for _, c := range []struct {
		name   string
		r      Responses
		status int
		in     string
		want   string
	}{
		{"text", Responses{}, 200,
			`{"id":"chatcmpl-1","object":"chat.completion","created":1,"model":"gpt-x","choices":[{"index":0,"message":{"role":"assistant","content":"Hello","refusal":null},"finish_reason":"stop"}],
			  "usage":{"prompt_tokens":3,"completion_tokens":2,"total_tokens":5,"prompt_tokens_details":{"cached_tokens":1},"completion_tokens_details":{"reasoning_tokens":0}}}`,
			`{"id":"resp_1","object":"response","created_at":1764000000,"status":"completed","completed_at":1764000000,"error":null,"incomplete_details":null,
			  "instructions":null,"max_output_tokens":null,"model":"gpt-x",
			  "output":[{"id":"msg_2","type":"message","status":"completed","role":"assistant","content":[{"type":"output_text","text":"Hello","annotations":[],"logprobs":[]}]}],
			  "parallel_tool_calls":true,"temperature":null,"tool_choice":"auto","tools":[],"top_p":null,"metadata":{},
			  "usage":{"input_tokens":3,"input_tokens_details":{"cached_tokens":1,"cache_write_tokens":0},"output_tokens":2,"output_tokens_details":{"reasoning_tokens":0},"total_tokens":5}}`},
		{"tool calls, echoing the request", Responses{}.Echoing([]byte(echo)), 200,
			`{"id":"chatcmpl-1","model":"gpt-x","choices":[{"index":0,"message":{"role":"assistant","content":null,"tool_calls":[
				{"id":"call_a","type":"function","function":{"name":"f","arguments":"{\"x\":1}"}},
				{"id":"call_b","type":"function","function":{"name":"f","arguments":"{}"}}]},"finish_reason":"tool_calls"}],
			  "usage":{"prompt_tokens":3,"completion_tokens":2,"total_tokens":5}}`,
			`{"id":"resp_1","object":"response","created_at":1764000000,"status":"completed","completed_at":1764000000,"error":null,"incomplete_details":null,
			  "instructions":"be brief","max_output_tokens":50,"model":"gpt-x",
			  "output":[{"id":"fc_2","type":"function_call","status":"completed","call_id":"call_a","name":"f","arguments":"{\"x\":1}"},
				{"id":"fc_3","type":"function_call","status":"completed","call_id":"call_b","name":"f","arguments":"{}"}],
			  "parallel_tool_calls":false,"temperature":0.2,"tool_choice":"required","tools":[{"type":"function","name":"f","parameters":null,"strict":null}],"top_p":0.5,"metadata":{"k":"v"},
			  "usage":{"input_tokens":3,"input_tokens_details":{"cached_tokens":0,"cache_write_tokens":0},"output_tokens":2,"output_tokens_details":{"reasoning_tokens":0},"total_tokens":5}}`},
		{"length is incomplete", Responses{}, 200,
			`{"id":"c","model":"gpt-x","choices":[{"index":0,"message":{"role":"assistant","content":"Hel"},"finish_reason":"length"}]}`,
			`{"id":"resp_1","object":"response","created_at":1764000000,"status":"incomplete","completed_at":null,"error":null,"incomplete_details":{"reason":"max_output_tokens"},
			  "instructions":null,"max_output_tokens":null,"model":"gpt-x",
			  "output":[{"id":"msg_2","type":"message","status":"incomplete","role":"assistant","content":[{"type":"output_text","text":"Hel","annotations":[],"logprobs":[]}]}],
			  "parallel_tool_calls":true,"temperature":null,"tool_choice":"auto","tools":[],"top_p":null,"metadata":{}}`},
		{"content filter is incomplete, with a refusal", Responses{}, 200,
			`{"id":"c","model":"gpt-x","choices":[{"index":0,"message":{"role":"assistant","content":null,"refusal":"I can't"},"finish_reason":"content_filter"}]}`,
			`{"id":"resp_1","object":"response","created_at":1764000000,"status":"incomplete","completed_at":null,"error":null,"incomplete_details":{"reason":"content_filter"},
			  "instructions":null,"max_output_tokens":null,"model":"gpt-x",
			  "output":[{"id":"msg_2","type":"message","status":"incomplete","role":"assistant","content":[{"type":"refusal","refusal":"I can't"}]}],
			  "parallel_tool_calls":true,"temperature":null,"tool_choice":"auto","tools":[],"top_p":null,"metadata":{}}`},
		{"error", Responses{}, 429, `{"error":{"message":"slow down","type":"rate_limit_error","param":null,"code":"rate_limit_exceeded"}}`,
			`{"error":{"message":"slow down","type":"rate_limit_error","param":null,"code":"rate_limit_exceeded"}}`},
		{"error without type", Responses{}, 400, `{"error":{"message":"bad","param":"input"}}`,
			`{"error":{"message":"bad","type":"invalid_request_error","param":"input","code":null}}`},
		{"error of text", Responses{}, 503, `upstream down`,
			`{"error":{"message":"upstream down","type":"server_error","param":null,"code":null}}`},
		{"a success that is no completion", Responses{}, 200, `{"foo":1}`,
			`{"error":{"message":"{\"foo\":1}","type":"server_error","param":null,"code":null}}`},
	} {
		fixIDs(t)
		got := c.r.Response(c.status, []byte(c.in))
		sameJSON(t, c.name, got, c.want)
		if c.status < 300 && !strings.HasPrefix(c.name, "a success") {
			for _, p := range validate(t, "Response", got) {
				t.Errorf("%s: against the spec's Response: %s", c.name, p)
			}
		}
	}
}

// feedOdd feeds in in pieces of 1, 2, 3, ... bytes and returns all output.
func feedOdd(s *ClientStream, in string) []byte {
	var out []byte
	for i, n := 0, 1; i < len(in); i, n = i+n, n%11+1 {
		out = append(out, s.Feed([]byte(in[i:min(i+n, len(in))]))...)
	}
	return append(out, s.End()...)
}

type wantEvent struct{ name, data string }

func TestResponsesStream(t *testing.T) {
	created := `{"id":"resp_1","object":"response","created_at":1764000000,"status":"in_progress","completed_at":null,"error":null,"incomplete_details":null,
		"instructions":null,"max_output_tokens":null,"model":"gpt-x","output":[],"parallel_tool_calls":true,"temperature":null,"tool_choice":"auto","tools":[],"top_p":null,"metadata":{}}`
	final := func(status, completedAt, incomplete, output, usage string) string {
		return `{"id":"resp_1","object":"response","created_at":1764000000,"status":"` + status + `","completed_at":` + completedAt + `,"error":null,"incomplete_details":` + incomplete + `,
		"instructions":null,"max_output_tokens":null,"model":"gpt-x","output":` + output + `,"parallel_tool_calls":true,"temperature":null,"tool_choice":"auto","tools":[],"top_p":null,"metadata":{}` + usage + `}`
	}
	usage := `,"usage":{"input_tokens":5,"input_tokens_details":{"cached_tokens":0,"cache_write_tokens":0},"output_tokens":3,"output_tokens_details":{"reasoning_tokens":0},"total_tokens":8}`
	text := `{"type":"output_text","text":"Hello","annotations":[],"logprobs":[]}`
	msgDone := `{"id":"msg_2","type":"message","status":"completed","role":"assistant","content":[` + text + `]}`
	for _, c := range []struct {
		name, in string
		want     []wantEvent
	}{
		{"text with usage",
			"data: {\"id\":\"c\",\"model\":\"gpt-x\",\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\"},\"finish_reason\":null}]}\n\n" +
				"data: {\"id\":\"c\",\"model\":\"gpt-x\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hel\"},\"finish_reason\":null}]}\n\n" +
				"data: {\"id\":\"c\",\"model\":\"gpt-x\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"lo\"},\"finish_reason\":null}]}\n\n" +
				"data: {\"id\":\"c\",\"model\":\"gpt-x\",\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n\n" +
				"data: {\"id\":\"c\",\"model\":\"gpt-x\",\"choices\":[],\"usage\":{\"prompt_tokens\":5,\"completion_tokens\":3,\"total_tokens\":8}}\n\n" +
				"data: [DONE]\n\n",
			[]wantEvent{
				{"response.created", `{"type":"response.created","sequence_number":0,"response":` + created + `}`},
				{"response.in_progress", `{"type":"response.in_progress","sequence_number":1,"response":` + created + `}`},
				{"response.output_item.added", `{"type":"response.output_item.added","sequence_number":2,"output_index":0,"item":{"id":"msg_2","type":"message","status":"in_progress","role":"assistant","content":[]}}`},
				{"response.content_part.added", `{"type":"response.content_part.added","sequence_number":3,"item_id":"msg_2","output_index":0,"content_index":0,"part":{"type":"output_text","text":"","annotations":[],"logprobs":[]}}`},
				{"response.output_text.delta", `{"type":"response.output_text.delta","sequence_number":4,"item_id":"msg_2","output_index":0,"content_index":0,"delta":"Hel","logprobs":[]}`},
				{"response.output_text.delta", `{"type":"response.output_text.delta","sequence_number":5,"item_id":"msg_2","output_index":0,"content_index":0,"delta":"lo","logprobs":[]}`},
				{"response.output_text.done", `{"type":"response.output_text.done","sequence_number":6,"item_id":"msg_2","output_index":0,"content_index":0,"text":"Hello","logprobs":[]}`},
				{"response.content_part.done", `{"type":"response.content_part.done","sequence_number":7,"item_id":"msg_2","output_index":0,"content_index":0,"part":` + text + `}`},
				{"response.output_item.done", `{"type":"response.output_item.done","sequence_number":8,"output_index":0,"item":` + msgDone + `}`},
				{"response.completed", `{"type":"response.completed","sequence_number":9,"response":` + final("completed", "1764000000", "null", "["+msgDone+"]", usage) + `}`},
			}},
		{"text then a tool call, cut by length, no [DONE]",
			"data: {\"model\":\"gpt-x\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hi\"}}]}\n\n" +
				"data: {\"model\":\"gpt-x\",\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,\"id\":\"call_a\",\"type\":\"function\",\"function\":{\"name\":\"f\",\"arguments\":\"\"}}]}}]}\n\n" +
				"data: {\"model\":\"gpt-x\",\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":\"{\\\"x\\\"\"}}]}}]}\n\n" +
				"data: {\"model\":\"gpt-x\",\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":\":1}\"}}]}}]}\n\n" +
				"data: {\"model\":\"gpt-x\",\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"length\"}]}\n\n",
			[]wantEvent{
				{"response.created", `{"type":"response.created","sequence_number":0,"response":` + created + `}`},
				{"response.in_progress", `{"type":"response.in_progress","sequence_number":1,"response":` + created + `}`},
				{"response.output_item.added", `{"type":"response.output_item.added","sequence_number":2,"output_index":0,"item":{"id":"msg_2","type":"message","status":"in_progress","role":"assistant","content":[]}}`},
				{"response.content_part.added", `{"type":"response.content_part.added","sequence_number":3,"item_id":"msg_2","output_index":0,"content_index":0,"part":{"type":"output_text","text":"","annotations":[],"logprobs":[]}}`},
				{"response.output_text.delta", `{"type":"response.output_text.delta","sequence_number":4,"item_id":"msg_2","output_index":0,"content_index":0,"delta":"Hi","logprobs":[]}`},
				{"response.output_text.done", `{"type":"response.output_text.done","sequence_number":5,"item_id":"msg_2","output_index":0,"content_index":0,"text":"Hi","logprobs":[]}`},
				{"response.content_part.done", `{"type":"response.content_part.done","sequence_number":6,"item_id":"msg_2","output_index":0,"content_index":0,"part":{"type":"output_text","text":"Hi","annotations":[],"logprobs":[]}}`},
				{"response.output_item.done", `{"type":"response.output_item.done","sequence_number":7,"output_index":0,"item":{"id":"msg_2","type":"message","status":"completed","role":"assistant","content":[{"type":"output_text","text":"Hi","annotations":[],"logprobs":[]}]}}`},
				{"response.output_item.added", `{"type":"response.output_item.added","sequence_number":8,"output_index":1,"item":{"id":"fc_3","type":"function_call","status":"in_progress","call_id":"call_a","name":"f","arguments":""}}`},
				{"response.function_call_arguments.delta", `{"type":"response.function_call_arguments.delta","sequence_number":9,"item_id":"fc_3","output_index":1,"delta":"{\"x\""}`},
				{"response.function_call_arguments.delta", `{"type":"response.function_call_arguments.delta","sequence_number":10,"item_id":"fc_3","output_index":1,"delta":":1}"}`},
				{"response.function_call_arguments.done", `{"type":"response.function_call_arguments.done","sequence_number":11,"item_id":"fc_3","output_index":1,"name":"f","arguments":"{\"x\":1}"}`},
				{"response.output_item.done", `{"type":"response.output_item.done","sequence_number":12,"output_index":1,"item":{"id":"fc_3","type":"function_call","status":"completed","call_id":"call_a","name":"f","arguments":"{\"x\":1}"}}`},
				{"response.incomplete", `{"type":"response.incomplete","sequence_number":13,"response":` + final("incomplete", "null", `{"reason":"max_output_tokens"}`,
					`[{"id":"msg_2","type":"message","status":"completed","role":"assistant","content":[{"type":"output_text","text":"Hi","annotations":[],"logprobs":[]}]},
					  {"id":"fc_3","type":"function_call","status":"completed","call_id":"call_a","name":"f","arguments":"{\"x\":1}"}]`, "") + `}`},
			}},
		{"error mid-stream ends it",
			"data: {\"model\":\"gpt-x\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hi\"}}]}\n\n" +
				"data: {\"error\":{\"message\":\"overloaded\",\"type\":\"server_error\",\"param\":null,\"code\":null}}\n\n" +
				"data: {\"model\":\"gpt-x\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"more\"}}]}\n\n" +
				"data: [DONE]\n\n",
			[]wantEvent{
				{"response.created", `{"type":"response.created","sequence_number":0,"response":` + created + `}`},
				{"response.in_progress", `{"type":"response.in_progress","sequence_number":1,"response":` + created + `}`},
				{"response.output_item.added", `{"type":"response.output_item.added","sequence_number":2,"output_index":0,"item":{"id":"msg_2","type":"message","status":"in_progress","role":"assistant","content":[]}}`},
				{"response.content_part.added", `{"type":"response.content_part.added","sequence_number":3,"item_id":"msg_2","output_index":0,"content_index":0,"part":{"type":"output_text","text":"","annotations":[],"logprobs":[]}}`},
				{"response.output_text.delta", `{"type":"response.output_text.delta","sequence_number":4,"item_id":"msg_2","output_index":0,"content_index":0,"delta":"Hi","logprobs":[]}`},
				{"error", `{"type":"error","code":"server_error","message":"overloaded","param":null,"sequence_number":5}`},
			}},
		{"a refusal",
			"data: {\"model\":\"gpt-x\",\"choices\":[{\"index\":0,\"delta\":{\"refusal\":\"No\"}}]}\n\n" +
				"data: {\"model\":\"gpt-x\",\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"content_filter\"}]}\n\ndata: [DONE]\n\n",
			[]wantEvent{
				{"response.created", `{"type":"response.created","sequence_number":0,"response":` + created + `}`},
				{"response.in_progress", `{"type":"response.in_progress","sequence_number":1,"response":` + created + `}`},
				{"response.output_item.added", `{"type":"response.output_item.added","sequence_number":2,"output_index":0,"item":{"id":"msg_2","type":"message","status":"in_progress","role":"assistant","content":[]}}`},
				{"response.content_part.added", `{"type":"response.content_part.added","sequence_number":3,"item_id":"msg_2","output_index":0,"content_index":0,"part":{"type":"refusal","refusal":""}}`},
				{"response.refusal.delta", `{"type":"response.refusal.delta","sequence_number":4,"item_id":"msg_2","output_index":0,"content_index":0,"delta":"No"}`},
				{"response.refusal.done", `{"type":"response.refusal.done","sequence_number":5,"item_id":"msg_2","output_index":0,"content_index":0,"refusal":"No"}`},
				{"response.content_part.done", `{"type":"response.content_part.done","sequence_number":6,"item_id":"msg_2","output_index":0,"content_index":0,"part":{"type":"refusal","refusal":"No"}}`},
				{"response.output_item.done", `{"type":"response.output_item.done","sequence_number":7,"output_index":0,"item":{"id":"msg_2","type":"message","status":"incomplete","role":"assistant","content":[{"type":"refusal","refusal":"No"}]}}`},
				{"response.incomplete", `{"type":"response.incomplete","sequence_number":8,"response":` + final("incomplete", "null", `{"reason":"content_filter"}`,
					`[{"id":"msg_2","type":"message","status":"incomplete","role":"assistant","content":[{"type":"refusal","refusal":"No"}]}]`, "") + `}`},
			}},
		{"error first", "data: {\"error\":{\"message\":\"bad key\",\"type\":\"authentication_error\",\"code\":\"invalid_api_key\",\"param\":null}}\n\n",
			[]wantEvent{{"error", `{"type":"error","code":"invalid_api_key","message":"bad key","param":null,"sequence_number":0}`}}},
	} {
		fixIDs(t)
		out := feedOdd(Responses{}.Stream("fallback"), c.in)
		var d sse.Decoder
		evs := append(d.Feed(out), d.End()...)
		if len(evs) != len(c.want) {
			t.Errorf("%s: %d events, want %d:\n%s", c.name, len(evs), len(c.want), out)
			continue
		}
		for i, ev := range evs {
			if ev.Name != c.want[i].name {
				t.Errorf("%s: event %d is named %q, want %q", c.name, i, ev.Name, c.want[i].name)
			}
			sameJSON(t, fmt.Sprintf("%s: event %d", c.name, i), ev.Data, c.want[i].data)
			for _, p := range validate(t, "ResponseStreamEvent", ev.Data) {
				t.Errorf("%s: event %d against the spec: %s", c.name, i, p)
			}
		}
		// The same bytes whatever the pieces.
		fixIDs(t)
		s := Responses{}.Stream("fallback")
		if whole := append(s.Feed([]byte(c.in)), s.End()...); string(whole) != string(out) {
			t.Errorf("%s: fed whole:\n%s\nfed in pieces:\n%s", c.name, whole, out)
		}
	}
}

// A stream that ends without chunks still opens and completes a Response,
// named by the model Stream was given.
func TestResponsesStreamEmpty(t *testing.T) {
	fixIDs(t)
	s := Responses{}.Stream("fallback")
	var d sse.Decoder
	evs := d.Feed(append(s.Feed([]byte("data: [DONE]\n\n")), s.End()...))
	var names []string
	for _, ev := range evs {
		names = append(names, ev.Name)
	}
	if want := []string{"response.created", "response.in_progress", "response.completed"}; !slices.Equal(names, want) {
		t.Fatalf("events %q, want %q", names, want)
	}
	var last struct {
		Response struct {
			Model  string `json:"model"`
			Output []any  `json:"output"`
		} `json:"response"`
	}
	if err := json.Unmarshal(evs[2].Data, &last); err != nil || last.Response.Model != "fallback" || last.Response.Output == nil {
		t.Errorf("final response %s (%v)", evs[2].Data, err)
	}
}

// The validator finds what the spec requires and a document lacks.
func TestResponsesValidator(t *testing.T) {
	for _, c := range []struct{ schema, doc, want string }{
		{"Response", `{"id":"r","object":"response"}`, `required member "tools" is missing`},
		{"ResponseStreamEvent", `{"type":"response.output_text.delta","sequence_number":0,"item_id":"m","output_index":0,"content_index":0,"delta":"x"}`, `"logprobs" is missing`},
		{"ResponseStreamEvent", `{"type":"error","code":null,"message":"m","param":null,"sequence_number":"1"}`, "string, want integer"},
	} {
		if p := strings.Join(validate(t, c.schema, []byte(c.doc)), "\n"); !strings.Contains(p, c.want) {
			t.Errorf("%s %s: problems %q, want %q", c.schema, c.doc, p, c.want)
		}
	}
}

// The spec side: the members of CreateResponse and the schemas of the
// answers, from the shared OpenAI spec.

type specSchema struct {
	Ref        string                 `yaml:"$ref"`
	Type       any                    `yaml:"type"`
	Enum       []any                  `yaml:"enum"`
	Nullable   bool                   `yaml:"nullable"`
	Required   []string               `yaml:"required"`
	Properties map[string]*specSchema `yaml:"properties"`
	Items      *specSchema            `yaml:"items"`
	AllOf      []*specSchema          `yaml:"allOf"`
	AnyOf      []*specSchema          `yaml:"anyOf"`
	OneOf      []*specSchema          `yaml:"oneOf"`
}

var (
	openAISpecOnce sync.Once
	openAISpec     map[string]*specSchema
	openAISpecErr  error
)

func openAISchemas(t *testing.T) map[string]*specSchema {
	t.Helper()
	file := filepath.Join(testenv.SharedDir(t), "specs", "openai-openapi.yaml")
	openAISpecOnce.Do(func() {
		data, err := os.ReadFile(file)
		if err != nil {
			openAISpecErr = err
			return
		}
		var doc struct {
			Components struct {
				Schemas map[string]*specSchema `yaml:"schemas"`
			} `yaml:"components"`
		}
		if openAISpecErr = yaml.Unmarshal(data, &doc); openAISpecErr == nil {
			openAISpec = doc.Components.Schemas
		}
	})
	if openAISpecErr != nil {
		t.Fatal(openAISpecErr)
	}
	return openAISpec
}

func resolve(schemas map[string]*specSchema, s *specSchema) *specSchema {
	for s != nil && s.Ref != "" {
		s = schemas[strings.TrimPrefix(s.Ref, "#/components/schemas/")]
	}
	return s
}

// members are the property names of a schema, through $ref and allOf.
func members(schemas map[string]*specSchema, s *specSchema, into map[string]bool) {
	s = resolve(schemas, s)
	if s == nil {
		return
	}
	for name := range s.Properties {
		into[name] = true
	}
	for _, sub := range s.AllOf {
		members(schemas, sub, into)
	}
}

// Every member of CreateResponse has an entry, and every entry is a member.
func TestResponsesFieldsCoverSpec(t *testing.T) {
	schemas := openAISchemas(t)
	root := schemas["CreateResponse"]
	if root == nil {
		t.Fatal("the spec has no CreateResponse")
	}
	spec := map[string]bool{}
	members(schemas, root, spec)
	if len(spec) < 20 {
		t.Fatalf("only %d members found in CreateResponse: the walk is broken", len(spec))
	}
	fields := Responses{}.Fields()
	for name := range spec {
		if fields[name] == "" {
			t.Errorf("CreateResponse member %q has no FieldTable entry", name)
		}
	}
	for name := range fields {
		if !spec[name] {
			t.Errorf("FieldTable entry %q is no CreateResponse member", name)
		}
	}
	// A member the table says is refused has its refusal tested.
	for name, text := range fields {
		tested := slices.ContainsFunc(responsesRefusals, func(c struct{ in, want string }) bool { return strings.HasPrefix(c.want, name+":") })
		if strings.HasPrefix(text, "refused:") && !tested {
			t.Errorf("%s is refused in the table, and no case of responsesRefusals tests it", name)
		}
	}
}

// validate checks a JSON document against the named schema: types,
// string enums and required members, through $ref, allOf, anyOf and oneOf
// (a variant must fit). It returns the problems.
func validate(t *testing.T, name string, doc []byte) []string {
	t.Helper()
	schemas := openAISchemas(t)
	var v any
	if err := json.Unmarshal(doc, &v); err != nil {
		return []string{err.Error()}
	}
	return check(schemas, schemas[name], v, "$")
}

func check(schemas map[string]*specSchema, s *specSchema, v any, path string) []string {
	s = resolve(schemas, s)
	if s == nil {
		return nil
	}
	var out []string
	for _, sub := range s.AllOf {
		out = append(out, check(schemas, sub, v, path)...)
	}
	for _, variants := range [][]*specSchema{s.AnyOf, s.OneOf} {
		if len(variants) == 0 {
			continue
		}
		// Report the variant that fits best; one whose "type" differs
		// (another event, another item) fits worst.
		score := func(p []string) int {
			n := len(p)
			for _, x := range p {
				if strings.HasPrefix(x, path+".type:") {
					n += 100
				}
			}
			return n
		}
		var best []string
		fits := false
		for _, sub := range variants {
			p := check(schemas, sub, v, path)
			if len(p) == 0 {
				fits = true
				break
			}
			if best == nil || score(p) < score(best) {
				best = p
			}
		}
		if !fits {
			out = append(out, best...)
		}
	}
	types := map[string]bool{}
	switch ty := s.Type.(type) {
	case string:
		types[ty] = true
	case []any:
		for _, e := range ty {
			types[fmt.Sprint(e)] = true
		}
	}
	if len(types) > 0 {
		var kind string
		switch x := v.(type) {
		case nil:
			kind = "null"
		case bool:
			kind = "boolean"
		case float64:
			kind = "number"
			if x == float64(int64(x)) && !types["number"] {
				kind = "integer"
			}
		case string:
			kind = "string"
		case []any:
			kind = "array"
		case map[string]any:
			kind = "object"
		}
		if !types[kind] && !(kind == "null" && s.Nullable) {
			return append(out, fmt.Sprintf("%s: %s, want %v", path, kind, s.Type))
		}
	}
	if str, ok := v.(string); ok && len(s.Enum) > 0 && !slices.Contains(s.Enum, any(str)) {
		out = append(out, fmt.Sprintf("%s: %q is not one of %v", path, str, s.Enum))
	}
	if obj, ok := v.(map[string]any); ok {
		for _, r := range s.Required {
			if _, ok := obj[r]; !ok {
				out = append(out, fmt.Sprintf("%s: required member %q is missing", path, r))
			}
		}
		for k, sub := range s.Properties {
			if x, ok := obj[k]; ok {
				out = append(out, check(schemas, sub, x, path+"."+k)...)
			}
		}
	}
	if arr, ok := v.([]any); ok && s.Items != nil {
		for i, x := range arr {
			out = append(out, check(schemas, s.Items, x, fmt.Sprintf("%s[%d]", path, i))...)
		}
	}
	return out
}
