package proxy

import (
	"io"
	"slices"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/kubelb-ai/kubelb-ai/proxy/sse"
)

// An answer's id and finish reasons are read in each provider's format,
// whole and streamed, and a stream's events that cannot hold a new fact
// are skipped without losing one.
func TestAnswerFacts(t *testing.T) {
	for _, c := range []struct {
		name, answer string
		stream       bool
		id           string
		finish       []string
	}{
		{"openai", `{"id":"chatcmpl-1","object":"chat.completion","choices":[{"index":0,"message":{"role":"assistant","content":"a \"finish_reason\": \"x\""},"finish_reason":"stop"},{"index":1,"finish_reason":"length"}]}`, false, "chatcmpl-1", []string{"stop", "length"}},
		{"openai stream", "data: {\"id\":\"chatcmpl-2\",\"choices\":[{\"delta\":{\"content\":\"hi\"},\"finish_reason\":null}]}\n\n" +
			"data: {\"id\":\"chatcmpl-2\",\"choices\":[{\"delta\":{},\"finish_reason\" : \"tool_calls\"}]}\n\n" +
			"data: {\"id\":\"chatcmpl-2\",\"choices\":[],\"usage\":{\"prompt_tokens\":1}}\n\ndata: [DONE]\n\n", true, "chatcmpl-2", []string{"tool_calls"}},
		{"anthropic", `{"id":"msg\u005f1","type":"message","content":[{"type":"text","text":"hi"}],"stop_reason":"end_turn","stop_sequence":null}`, false, "msg_1", []string{"end_turn"}},
		{"anthropic stream", "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\"msg_2\",\"stop_reason\":null}}\n\n" +
			"event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"delta\":{\"type\":\"text_delta\",\"text\":\"hi\"}}\n\n" +
			"event: message_delta\ndata: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"max_tokens\"}}\n\n", true, "msg_2", []string{"max_tokens"}},
		{"gemini", `{"candidates":[{"content":{"parts":[{"text":"hi"}]},"finishReason":"STOP"}],"responseId":"g-1"}`, false, "g-1", []string{"STOP"}},
		{"gemini stream", "data: {\"candidates\":[{\"content\":{\"parts\":[{\"text\":\"h\"}]}}],\"responseId\":\"g-2\"}\r\n\r\n" +
			"data: {\"candidates\":[{\"content\":{\"parts\":[{\"text\":\"i\"}]},\"finishReason\":\"MAX_TOKENS\"}],\"responseId\":\"g-2\"}\r\n\r\n", true, "g-2", []string{"MAX_TOKENS"}},
		{"bedrock", `{"output":{"message":{"role":"assistant","content":[{"text":"hi"}]}},"stopReason":"end_turn","usage":{"inputTokens":1}}`, false, "", []string{"end_turn"}},
		{"responses stream", "event: response.created\ndata: {\"type\":\"response.created\",\"response\":{\"id\":\"resp_1\",\"status\":\"in_progress\"}}\n\n" +
			"event: response.output_text.delta\ndata: {\"type\":\"response.output_text.delta\",\"delta\":\"hi\"}\n\n" +
			"event: response.completed\ndata: {\"type\":\"response.completed\",\"response\":{\"id\":\"resp_1\",\"status\":\"completed\"}}\n\n", true, "resp_1", []string{"completed"}},
		{"responses", `{"id":"resp_2","object":"response","status":"incomplete","incomplete_details":{"reason":"max_output_tokens"},"output":[{"type":"message","status":"incomplete"}]}`, false, "resp_2", []string{"incomplete"}},
		{"not a response's status", `{"id":"x","object":"batch","status":"completed"}`, false, "x", nil},
		{"not JSON", `<html>`, false, "", nil},
	} {
		f := &answerFacts{}
		if c.stream {
			// Fed a byte at a time, as a stream arrives.
			r := &factsReader{r: iotest.OneByteReader(strings.NewReader(c.answer)), f: f, split: new(sse.Decoder).Feed}
			if _, err := io.ReadAll(r); err != nil {
				t.Fatal(err)
			}
		} else {
			f.read([]byte(c.answer))
		}
		if f.id != c.id || !slices.Equal(f.finish, c.finish) {
			t.Errorf("%s: id %q finish %q, want %q %q", c.name, f.id, f.finish, c.id, c.finish)
		}
	}
}
