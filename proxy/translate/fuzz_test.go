package translate

import (
	"testing"
)

// The translations read what clients and providers send: no input makes
// one panic, and a stream fed any bytes ends.
func FuzzTranslations(f *testing.F) {
	for _, seed := range []string{
		`{"model":"m","input":"hi","instructions":"x","stream":true}`,
		`{"model":"m","input":[{"role":"user","content":[{"type":"input_text","text":"a"}]},{"type":"function_call","call_id":"c","name":"f","arguments":"{}"},{"type":"function_call_output","call_id":"c","output":"o"}]}`,
		`{"model":"m","max_tokens":5,"system":[{"type":"text","text":"s"}],"messages":[{"role":"user","content":[{"type":"tool_result","tool_use_id":"t","content":"r"}]}]}`,
		`{"model":"m","input":["a","b"],"dimensions":8,"encoding_format":"base64"}`,
		`{"id":"c","object":"chat.completion","choices":[{"index":0,"message":{"role":"assistant","content":"x","tool_calls":[{"id":"t","type":"function","function":{"name":"f","arguments":"{"}}]},"finish_reason":"tool_calls"}],"usage":{"prompt_tokens":1,"completion_tokens":2}}`,
		"data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"a\"}}]}\n\ndata: {\"error\":{\"message\":\"x\"}}\n\ndata: [DONE]\n\n",
		`{"embeddings":[{"values":[1,2]}],"predictions":[{"embeddings":{"values":[1]}}],"embedding":[0.5]}`,
		`[`, `null`, `{"input":{"a":1}}`,
	} {
		f.Add([]byte(seed))
	}
	clients := []Client{Responses{}, Messages{}}
	embedders := []Embedder{geminiEmbedder{}, vertexEmbedder{}, bedrockEmbedder{}}
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, c := range clients {
			_, _ = c.Request(data)
			_ = c.Response(200, data)
			_ = c.Response(400, data)
			s := c.Stream("m")
			half := len(data) / 2
			_ = s.Feed(data[:half])
			_ = s.Feed(data[half:])
			_ = s.End()
			if !s.Done() {
				t.Fatalf("%T's stream did not end", c)
			}
		}
		for _, e := range embedders {
			_, _ = e.Request(data, "m")
			_, _ = e.Response(200, data, data, "m")
		}
	})
}
