package translate

import (
	"errors"
	"strings"
	"testing"
)

func TestEmbeddingRequests(t *testing.T) {
	for _, tc := range []struct {
		kind, model, in, want string
	}{
		{"gemini", "text-embedding-004", `{"model":"x","input":"hello"}`,
			`{"requests":[{"content":{"parts":[{"text":"hello"}]},"model":"models/text-embedding-004"}]}`},
		{"gemini", "", `{"model":"models/e","input":["a","b"],"dimensions":8}`,
			`{"requests":[{"content":{"parts":[{"text":"a"}]},"model":"models/e","outputDimensionality":8},{"content":{"parts":[{"text":"b"}]},"model":"models/e","outputDimensionality":8}]}`},
		{"vertexai", "text-embedding-005", `{"model":"x","input":["a","b"],"dimensions":64,"user":"u1","encoding_format":"base64"}`,
			`{"instances":[{"content":"a"},{"content":"b"}],"parameters":{"outputDimensionality":64}}`},
		{"bedrock", "amazon.titan-embed-text-v2:0", `{"model":"x","input":"hi","dimensions":256}`,
			`{"dimensions":256,"inputText":"hi"}`},
		{"bedrock", "amazon.titan-embed-text-v2:0", `{"model":"x","input":["only one"]}`, `{"inputText":"only one"}`},
		{"bedrock", "cohere.embed-english-v3", `{"model":"x","input":["a","b"]}`, `{"input_type":"search_document","texts":["a","b"]}`},
	} {
		e, _ := EmbedderFor(tc.kind)
		got, err := e.Request([]byte(tc.in), tc.model)
		if err != nil || string(got) != tc.want {
			t.Errorf("%s %s:\n got %s %v\nwant %s", tc.kind, tc.in, got, err, tc.want)
		}
	}
}

// A member or value a provider cannot carry is refused, naming it; never
// dropped.
func TestEmbeddingRefusals(t *testing.T) {
	for _, tc := range []struct{ kind, model, in, want string }{
		{"gemini", "m", `{"model":"m","input":[[1,2,3]]}`, "input: not supported by the provider's embedding API: Gemini embeds text"},
		{"vertexai", "m", `{"model":"m","input":"a","truncate":"END"}`, "truncate: not supported"},
		{"bedrock", "amazon.titan-embed-text-v2:0", `{"model":"m","input":["a","b"]}`, "Titan embeds one text per call"},
		{"bedrock", "amazon.titan-embed-text-v2:0", `{"model":"m","input":"a","dimensions":100}`, "dimensions 100: not supported by the provider's embedding API: Titan takes 256, 512 or 1024"},
		{"bedrock", "cohere.embed-english-v3", `{"model":"m","input":"a","dimensions":256}`, "Cohere Embed's size is fixed"},
		{"gemini", "m", `{"model":"m","input":"a","encoding_format":"int8"}`, `encoding_format "int8"`},
		{"gemini", "m", `{"model":"m","input":[]}`, "no text to embed"},
		{"gemini", "m", `[1]`, "not a JSON object"},
	} {
		e, _ := EmbedderFor(tc.kind)
		_, err := e.Request([]byte(tc.in), tc.model)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s %s: %v, want an error with %q", tc.kind, tc.in, err, tc.want)
		}
		if err != nil && !strings.Contains(tc.in, "[1]") && !errors.Is(err, ErrUnsupportedEmbedding) {
			t.Errorf("%s %s: %v is not ErrUnsupportedEmbedding", tc.kind, tc.in, err)
		}
	}
}

func TestEmbeddingResponses(t *testing.T) {
	for _, tc := range []struct {
		kind, request, answer, want string
		status, in                  int
	}{
		{"gemini", `{"model":"e","input":["a","b"]}`, `{"embeddings":[{"values":[0.5,1]},{"values":[0.25,-1]}]}`,
			`{"data":[{"embedding":[0.5,1],"index":0,"object":"embedding"},{"embedding":[0.25,-1],"index":1,"object":"embedding"}],"model":"e","object":"list","usage":{"prompt_tokens":0,"total_tokens":0}}`, 200, 0},
		{"vertexai", `{"model":"e","input":"a","encoding_format":"base64"}`, `{"predictions":[{"embeddings":{"values":[1,0.5],"statistics":{"token_count":3,"truncated":false}}}]}`,
			// 1.0 and 0.5 as little-endian float32: 00 00 80 3f, 00 00 00 3f.
			`{"data":[{"embedding":"AACAPwAAAD8=","index":0,"object":"embedding"}],"model":"e","object":"list","usage":{"prompt_tokens":3,"total_tokens":3}}`, 200, 3},
		{"bedrock", `{"model":"t","input":"a"}`, `{"embedding":[0.1],"inputTextTokenCount":2}`,
			`{"data":[{"embedding":[0.1],"index":0,"object":"embedding"}],"model":"t","object":"list","usage":{"prompt_tokens":2,"total_tokens":2}}`, 200, 2},
		{"bedrock", `{"model":"cohere.embed","input":["a"]}`, `{"id":"x","embeddings":[[0.1,0.2]],"texts":["a"],"response_type":"embeddings_floats"}`,
			`{"data":[{"embedding":[0.1,0.2],"index":0,"object":"embedding"}],"model":"cohere.embed","object":"list","usage":{"prompt_tokens":0,"total_tokens":0}}`, 200, 0},
		{"gemini", `{"model":"e","input":"a"}`, `{"error":{"code":400,"message":"bad dims","status":"INVALID_ARGUMENT"}}`,
			`{"error":{"code":null,"message":"bad dims","param":null,"type":"invalid_request_error"}}`, 400, 0},
		{"bedrock", `{"model":"t","input":"a"}`, `{"message":"The security token included in the request is invalid."}`,
			`{"error":{"code":null,"message":"The security token included in the request is invalid.","param":null,"type":"permission_error"}}`, 403, 0},
		{"vertexai", `{"model":"e","input":"a"}`, `not json`,
			`{"error":{"code":null,"message":"Vertex AI's answer is not a list of predictions","param":null,"type":"api_error"}}`, 200, 0},
	} {
		e, _ := EmbedderFor(tc.kind)
		got, u := e.Response(tc.status, []byte(tc.answer), []byte(tc.request), "")
		if !equalJSON(t, got, []byte(tc.want)) || u.In != tc.in {
			t.Errorf("%s %s:\n got %s (usage %d)\nwant %s (usage %d)", tc.kind, tc.answer, got, u.In, tc.want, tc.in)
		}
	}
}
