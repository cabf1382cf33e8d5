package fakeprovider

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net/http"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/kubelb-ai/kubelb-ai/internal/testenv"
)

// send makes one request to s with key, authenticated as its provider
// wants (Bedrock: signed with key and its secret).
func send(t *testing.T, s *Server, method, path, body, key string) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, s.URL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	switch s.Kind {
	case Anthropic:
		req.Header.Set("x-api-key", key)
		req.Header.Set("anthropic-version", "2023-06-01")
	case Gemini:
		if strings.Contains(path, "/publishers/") {
			req.Header.Set("Authorization", "Bearer "+key)
		} else {
			req.Header.Set("x-goog-api-key", key)
		}
	case Bedrock:
		sum := sha256.Sum256([]byte(body))
		creds := aws.Credentials{AccessKeyID: key, SecretAccessKey: key + "-secret"}
		if err := v4.NewSigner().SignHTTP(context.Background(), creds, req, hex.EncodeToString(sum[:]), "bedrock", "us-east-1", time.Now()); err != nil {
			t.Fatal(err)
		}
	default:
		req.Header.Set("Authorization", "Bearer "+key)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	return resp, out
}

// shaped is v with every list of numbers replaced by "N numbers", so an
// answer with embeddings can be compared with literal JSON.
func shaped(v any) any {
	switch x := v.(type) {
	case map[string]any:
		out := map[string]any{}
		for k, e := range x {
			out[k] = shaped(e)
		}
		return out
	case []any:
		numbers := len(x) > 0
		for _, e := range x {
			if _, ok := e.(float64); !ok {
				numbers = false
			}
		}
		if numbers {
			return fmt.Sprintf("%d numbers", len(x))
		}
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = shaped(e)
		}
		return out
	}
	return v
}

// within reports where got differs from want, taking an object in want
// to name only the members it checks.
func within(want, got any, path string) []string {
	switch w := want.(type) {
	case map[string]any:
		g, ok := got.(map[string]any)
		if !ok {
			return []string{fmt.Sprintf("%s: want an object, got %v", path, got)}
		}
		var errs []string
		for k, wv := range w {
			gv, ok := g[k]
			if !ok {
				errs = append(errs, fmt.Sprintf("%s.%s: missing", path, k))
				continue
			}
			errs = append(errs, within(wv, gv, path+"."+k)...)
		}
		return errs
	case []any:
		g, ok := got.([]any)
		if !ok || len(g) != len(w) {
			return []string{fmt.Sprintf("%s: want %d items, got %v", path, len(w), got)}
		}
		var errs []string
		for i := range w {
			errs = append(errs, within(w[i], g[i], fmt.Sprintf("%s[%d]", path, i))...)
		}
		return errs
	}
	if !reflect.DeepEqual(want, got) {
		return []string{fmt.Sprintf("%s: want %v, got %v", path, want, got)}
	}
	return nil
}

// compare fails t where body, shaped, is not within want (literal JSON).
func compare(t *testing.T, want string, body []byte) any {
	t.Helper()
	var w, got any
	if err := json.Unmarshal([]byte(want), &w); err != nil {
		t.Fatalf("the test's JSON: %v", err)
	}
	if err := json.Unmarshal(body, &got); err != nil {
		t.Fatalf("the answer is not JSON: %v\n%s", err, body)
	}
	if errs := within(w, shaped(got), ""); len(errs) > 0 {
		t.Errorf("the answer differs:\n%s\n%s", strings.Join(errs, "\n"), body)
	}
	return got
}

// endpointCase is one request to a fake's endpoint and what must come
// back: the spec's schema (if the spec has the endpoint) and literal JSON
// of the members checked.
type endpointCase struct {
	name         string
	kind         Kind
	method, path string
	body         string
	schema       string
	want         string
}

const (
	lookupTool = `"tools":[{"type":"function","name":"lookup","parameters":{"type":"object"}}]`
	vertexPath = "/v1/projects/p/locations/us-central1/publishers/google/models/"
)

var endpointCases = []endpointCase{
	{"responses: a string", OpenAI, "POST", "/v1/responses", `{"model":"gpt-4o-mini","input":"hello there"}`, "Response",
		`{"object":"response","status":"completed","model":"gpt-4o-mini","instructions":null,"tools":[],
		"output":[{"type":"message","role":"assistant","status":"completed","content":[{"type":"output_text","text":"echo: hello there","annotations":[]}]}],
		"usage":{"input_tokens":3,"output_tokens":4,"total_tokens":7}}`},
	{"responses: items", OpenAI, "POST", "/v1/responses",
		`{"model":"gpt-4o","instructions":"be kind","input":[{"role":"developer","content":"be brief"},{"type":"message","role":"user","content":[{"type":"input_text","text":"hello there"}]}]}`,
		"Response", `{"model":"gpt-4o","instructions":"be kind","output":[{"content":[{"text":"echo: hello there"}]}]}`},
	{"responses: a function tool", OpenAI, "POST", "/v1/responses", `{"model":"gpt-4o-mini","input":"hello there",` + lookupTool + `}`, "Response",
		`{"output":[{"type":"function_call","id":"fc_fake","call_id":"call_fake","name":"lookup","arguments":"{\"q\":\"hello there\"}","status":"completed"}],
		"tools":[{"type":"function","name":"lookup","parameters":{"type":"object"},"strict":true,"description":null}]}`},
	{"responses: a function's output", OpenAI, "POST", "/v1/responses", `{"model":"gpt-4o-mini",` + lookupTool + `,"input":[{"role":"user","content":"hello there"},` +
		`{"type":"function_call","call_id":"call_fake","name":"lookup","arguments":"{}"},{"type":"function_call_output","call_id":"call_fake","output":"42 apples"}]}`,
		"Response", `{"output":[{"type":"message","content":[{"text":"the tool said: 42 apples"}]}]}`},
	{"embeddings: a string", OpenAI, "POST", "/v1/embeddings", `{"model":"text-embedding-3-small","input":"hello there"}`, "CreateEmbeddingResponse",
		`{"object":"list","model":"text-embedding-3-small","data":[{"object":"embedding","index":0,"embedding":"1536 numbers"}],"usage":{"prompt_tokens":2,"total_tokens":2}}`},
	{"embeddings: strings, dimensions", OpenAI, "POST", "/v1/embeddings", `{"model":"text-embedding-3-small","input":["a b","c"],"dimensions":8,"encoding_format":"float"}`,
		"CreateEmbeddingResponse", `{"data":[{"index":0,"embedding":"8 numbers"},{"index":1,"embedding":"8 numbers"}],"usage":{"prompt_tokens":3,"total_tokens":3}}`},
	{"embeddings: token lists", OpenAI, "POST", "/v1/embeddings", `{"model":"text-embedding-3-large","input":[[1,2,3],[4]]}`, "CreateEmbeddingResponse",
		`{"data":[{"index":0,"embedding":"3072 numbers"},{"index":1,"embedding":"3072 numbers"}],"usage":{"prompt_tokens":4,"total_tokens":4}}`},
	{"embeddings: tokens", OpenAI, "POST", "/v1/embeddings", `{"model":"text-embedding-ada-002","input":[5,6]}`, "CreateEmbeddingResponse",
		`{"data":[{"index":0,"embedding":"1536 numbers"}],"usage":{"prompt_tokens":2,"total_tokens":2}}`},
	{"models", OpenAI, "GET", "/v1/models", ``, "ListModelsResponse",
		`{"object":"list","data":[{"id":"gpt-4o-mini","object":"model","created":1700000000,"owned_by":"system"},{"id":"gpt-4o"},{"id":"text-embedding-3-small"},{"id":"text-embedding-3-large"}]}`},
	{"a model", OpenAI, "GET", "/v1/models/gpt-4o", ``, "Model", `{"id":"gpt-4o","object":"model","created":1700000000,"owned_by":"system"}`},

	{"count_tokens", Anthropic, "POST", "/v1/messages/count_tokens", `{"model":"claude-3-5-haiku-latest","messages":[{"role":"user","content":"hello there"}]}`,
		"CountMessageTokensResponse", `{"input_tokens":3}`},
	{"count_tokens: system, blocks, a tool's result", Anthropic, "POST", "/v1/messages/count_tokens",
		`{"model":"claude-3-5-haiku-latest","system":"be brief","messages":[{"role":"user","content":"hello there"},{"role":"assistant","content":[{"type":"text","text":"hi"}]},` +
			`{"role":"user","content":[{"type":"tool_result","tool_use_id":"toolu_fake","content":"42 apples"}]}]}`,
		"CountMessageTokensResponse", `{"input_tokens":8}`},
	{"models", Anthropic, "GET", "/v1/models", ``, "ListModelsResponse",
		`{"data":[{"type":"model","id":"claude-3-5-haiku-latest","display_name":"claude-3-5-haiku-latest","created_at":"2024-10-22T00:00:00Z"},{"id":"claude-sonnet-4-5-20250929"},{"id":"claude-haiku-4-5-20251001"}],
		"has_more":false,"first_id":"claude-3-5-haiku-latest","last_id":"claude-haiku-4-5-20251001"}`},
	{"a model", Anthropic, "GET", "/v1/models/claude-3-5-haiku-latest", ``, "ModelInfo", `{"type":"model","id":"claude-3-5-haiku-latest"}`},

	{"embedContent", Gemini, "POST", "/v1beta/models/text-embedding-004:embedContent", `{"content":{"parts":[{"text":"hello there"}]}}`, "EmbedContentResponse",
		`{"embedding":{"values":"768 numbers"}}`},
	{"embedContent: every member", Gemini, "POST", "/v1beta/models/gemini-embedding-001:embedContent",
		`{"model":"models/gemini-embedding-001","content":{"parts":[{"text":"hello there"}]},"taskType":"RETRIEVAL_DOCUMENT","title":"greeting","outputDimensionality":16}`,
		"EmbedContentResponse", `{"embedding":{"values":"16 numbers"}}`},
	{"batchEmbedContents", Gemini, "POST", "/v1beta/models/gemini-embedding-001:batchEmbedContents",
		`{"requests":[{"model":"models/gemini-embedding-001","content":{"parts":[{"text":"a"}]}},{"content":{"parts":[{"text":"b"}]},"outputDimensionality":4}]}`,
		"BatchEmbedContentsResponse", `{"embeddings":[{"values":"3072 numbers"},{"values":"4 numbers"}]}`},
	{"models", Gemini, "GET", "/v1beta/models", ``, "ListModelsResponse",
		`{"models":[{"name":"models/gemini-2.0-flash","baseModelId":"gemini-2.0-flash","version":"001","supportedGenerationMethods":["generateContent","countTokens"]},
		{"name":"models/gemini-2.5-flash"},{"name":"models/text-embedding-004","supportedGenerationMethods":["embedContent","batchEmbedContents"]},{"name":"models/gemini-embedding-001"}]}`},
	{"a model", Gemini, "GET", "/v1beta/models/gemini-2.0-flash", ``, "Model", `{"name":"models/gemini-2.0-flash","version":"001"}`},
	{"Vertex AI embedContent", Gemini, "POST", vertexPath + "text-embedding-004:embedContent", `{"content":{"parts":[{"text":"hello there"}]}}`, "EmbedContentResponse",
		`{"embedding":{"values":"768 numbers"}}`},
	{"Vertex AI batchEmbedContents", Gemini, "POST", vertexPath + "text-embedding-004:batchEmbedContents", `{"requests":[{"content":{"parts":[{"text":"a"}]}}]}`,
		"BatchEmbedContentsResponse", `{"embeddings":[{"values":"768 numbers"}]}`},
}

// Every new endpoint answers in its spec's shape (required members and
// enums) with what the request asked for, and the fake records the
// request.
func TestEndpointsFollowTheSpecs(t *testing.T) {
	specs := filepath.Join(testenv.SharedDir(t), "specs")
	for _, c := range endpointCases {
		t.Run(string(c.kind)+"/"+c.name, func(t *testing.T) {
			spec := loadSpec(t, filepath.Join(specs, specSchemas[c.kind].file))
			s := New(t, c.kind, "k")
			resp, body := send(t, s, c.method, c.path, c.body, "k")
			if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/json" {
				t.Fatalf("%d %s: %s", resp.StatusCode, resp.Header.Get("Content-Type"), body)
			}
			got := compare(t, c.want, body)
			if errs := spec.check(c.schema, got, c.schema); len(errs) > 0 {
				t.Errorf("the answer does not follow %s:\n%s", c.schema, strings.Join(errs, "\n"))
			}
			reqs := s.Requests()
			if len(reqs) != 1 || reqs[0].Method != c.method || reqs[0].Path != c.path || string(reqs[0].Body) != c.body {
				t.Errorf("recorded %+v", reqs)
			}
		})
	}
}

// The Responses stream sends the spec's events in order, each named as
// its type, numbered from 0, each following ResponseStreamEvent; its
// deltas add up to the answer.
func TestResponsesStream(t *testing.T) {
	spec := loadSpec(t, filepath.Join(testenv.SharedDir(t), "specs", "openai-openapi.yaml"))
	for _, c := range []struct {
		name, body string
		events     []string
		deltas     string
	}{
		{"text", `{"model":"gpt-4o-mini","stream":true,"input":"hello there"}`, []string{"response.created", "response.in_progress",
			"response.output_item.added", "response.content_part.added", "response.output_text.delta", "response.output_text.delta",
			"response.output_text.delta", "response.output_text.delta", "response.output_text.delta", "response.output_text.done",
			"response.content_part.done", "response.output_item.done", "response.completed"}, "echo: hello there"},
		{"a function call", `{"model":"gpt-4o-mini","stream":true,"input":"hello there",` + lookupTool + `}`, []string{"response.created", "response.in_progress",
			"response.output_item.added", "response.function_call_arguments.delta", "response.function_call_arguments.delta",
			"response.function_call_arguments.done", "response.output_item.done", "response.completed"}, `{"q":"hello there"}`},
	} {
		t.Run(c.name, func(t *testing.T) {
			s := New(t, OpenAI, "k")
			resp, body := send(t, s, "POST", "/v1/responses", c.body, "k")
			if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "text/event-stream" {
				t.Fatalf("%d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
			}
			var names []string
			var deltas strings.Builder
			var last map[string]any
			for i, e := range parseSSE(t, body) {
				var v map[string]any
				if err := json.Unmarshal([]byte(e.data), &v); err != nil {
					t.Fatal(err)
				}
				if v["type"] != e.event || v["sequence_number"] != float64(i) {
					t.Errorf("event %d: %s is %v, number %v", i, e.event, v["type"], v["sequence_number"])
				}
				if errs := spec.check("ResponseStreamEvent", v, e.event); len(errs) > 0 {
					t.Errorf("does not follow ResponseStreamEvent:\n%s", strings.Join(errs, "\n"))
				}
				names = append(names, e.event)
				d, _ := v["delta"].(string)
				deltas.WriteString(d)
				last = v
			}
			if !reflect.DeepEqual(names, c.events) {
				t.Errorf("events\n%q, want\n%q", names, c.events)
			}
			if deltas.String() != c.deltas {
				t.Errorf("the deltas make %q", deltas.String())
			}
			done, _ := json.Marshal(last["response"])
			if !strings.Contains(string(done), `"status":"completed"`) || !strings.Contains(strings.ReplaceAll(string(done), `\"`, `"`), c.deltas) {
				t.Errorf("the completed response: %s", done)
			}
		})
	}

	s := New(t, OpenAI, "k")
	s.Fail(Fault{CutAfterEvents: 3})
	_, body := send(t, s, "POST", "/v1/responses", `{"model":"gpt-4o-mini","stream":true,"input":"hello there"}`, "k")
	if events := parseSSE(t, body); len(events) != 3 || strings.Contains(string(body), "response.completed") {
		t.Errorf("a cut stream: %d events\n%s", len(events), body)
	}
}

// The schema checker picks a oneOf branch by "type" and reads Google's
// "Required." convention, so the tests above could fail.
func TestCheckerCatchesMissingMembers(t *testing.T) {
	specs := filepath.Join(testenv.SharedDir(t), "specs")
	openai := loadSpec(t, filepath.Join(specs, "openai-openapi.yaml"))
	item := map[string]any{"type": "function_call", "name": "lookup", "arguments": "{}"}
	if errs := openai.check("OutputItem", item, "item"); len(errs) != 1 || !strings.Contains(errs[0], "call_id") {
		t.Errorf("a function call without call_id: %q", errs)
	}
	gemini := loadSpec(t, filepath.Join(specs, "gemini-openapi.curated.yaml"))
	if errs := gemini.check("Model", map[string]any{"name": "models/x"}, "model"); len(errs) != 2 {
		t.Errorf("a model without version and baseModelId: %q", errs)
	}
}

// The fake's vectors are the same for the same text, differ for others,
// are unit length, and are the scaled start of a longer one; OpenAI's
// base64 is those float32s.
func TestEmbeddingVectors(t *testing.T) {
	length := func(v []float32) float64 {
		var sum float64
		for _, x := range v {
			sum += float64(x) * float64(x)
		}
		return math.Sqrt(sum)
	}
	a, b := Vector("hello there", 16, false), Vector("hello there!", 16, false)
	if !reflect.DeepEqual(a, Vector("hello there", 16, false)) || reflect.DeepEqual(a, b) {
		t.Errorf("not deterministic, or not by text: %v %v", a, b)
	}
	if l := length(a); math.Abs(l-1) > 1e-5 {
		t.Errorf("length %v", l)
	}
	raw := Vector("hello there", 16, true)
	if math.Abs(length(raw)-1) < 1e-3 {
		t.Errorf("a raw vector is unit length: %v", raw)
	}
	short, l := Vector("hello there", 5, false), length(raw[:5])
	for i := range short {
		if math.Abs(float64(short[i])-float64(raw[i])/l) > 1e-6 {
			t.Errorf("dimension %d: %v, want %v", i, short[i], float64(raw[i])/l)
		}
	}

	s := New(t, OpenAI, "k")
	_, floats := send(t, s, "POST", "/v1/embeddings", `{"model":"text-embedding-3-small","input":"hello there","dimensions":4}`, "k")
	_, encoded := send(t, s, "POST", "/v1/embeddings", `{"model":"text-embedding-3-small","input":"hello there","dimensions":4,"encoding_format":"base64"}`, "k")
	var f, e struct {
		Data []struct {
			Embedding json.RawMessage `json:"embedding"`
		} `json:"data"`
	}
	if json.Unmarshal(floats, &f) != nil || json.Unmarshal(encoded, &e) != nil || len(f.Data) != 1 || len(e.Data) != 1 {
		t.Fatalf("%s\n%s", floats, encoded)
	}
	var want []float32
	var b64 string
	_ = json.Unmarshal(f.Data[0].Embedding, &want)
	_ = json.Unmarshal(e.Data[0].Embedding, &b64)
	raw64, err := base64.StdEncoding.DecodeString(b64)
	if err != nil || len(raw64) != 16 {
		t.Fatalf("base64 %q: %v", b64, err)
	}
	for i := range want {
		if got := math.Float32frombits(binary.LittleEndian.Uint32(raw64[4*i:])); got != want[i] {
			t.Errorf("base64 dimension %d: %v, want %v", i, got, want[i])
		}
	}
	if !reflect.DeepEqual(want, Vector("hello there", 4, false)) {
		t.Errorf("the answer's vector %v is not Vector's", want)
	}
}

// Bedrock's embedding models (InvokeModel) and Vertex AI's text
// embeddings, which the specs do not describe, answer in the shapes AWS's
// and Google's docs give.
func TestBedrockAndVertexEmbeddings(t *testing.T) {
	long := strings.Repeat("w ", 3000)
	for _, c := range []struct {
		name         string
		kind         Kind
		method, path string
		body, want   string
		header       string // X-Amzn-Bedrock-Input-Token-Count
	}{
		{"Titan v2", Bedrock, "POST", "/model/amazon.titan-embed-text-v2%3A0/invoke", `{"inputText":"hello there"}`,
			`{"embedding":"1024 numbers","inputTextTokenCount":2}`, "2"},
		{"Titan v2, every member", Bedrock, "POST", "/model/amazon.titan-embed-text-v2%3A0/invoke",
			`{"inputText":"hello there you","dimensions":256,"normalize":false,"embeddingTypes":["float","binary"]}`,
			`{"embedding":"256 numbers","inputTextTokenCount":3,"embeddingsByType":{"float":"256 numbers","binary":"256 numbers"}}`, "3"},
		{"Titan v1", Bedrock, "POST", "/model/amazon.titan-embed-text-v1/invoke", `{"inputText":"hi"}`, `{"embedding":"1536 numbers","inputTextTokenCount":1}`, "1"},
		{"Cohere", Bedrock, "POST", "/model/cohere.embed-english-v3/invoke", `{"texts":["hello there","bye"],"input_type":"search_document","truncate":"END"}`,
			`{"id":"emb_fake","embeddings":["1024 numbers","1024 numbers"],"texts":["hello there","bye"],"response_type":"embeddings_floats"}`, "3"},
		{"Cohere, by type", Bedrock, "POST", "/model/cohere.embed-multilingual-v3/invoke", `{"texts":["a"],"input_type":"search_query","embedding_types":["float","int8"]}`,
			`{"id":"emb_fake","embeddings":{"float":["1024 numbers"],"int8":["1024 numbers"]},"texts":["a"],"response_type":"embeddings_by_type"}`, "1"},
		{"Vertex AI predict", Gemini, "POST", vertexPath + "text-embedding-005:predict",
			`{"instances":[{"content":"hello there","task_type":"RETRIEVAL_DOCUMENT","title":"greeting"},{"content":"bye"}],"parameters":{"outputDimensionality":32}}`,
			`{"predictions":[{"embeddings":{"values":"32 numbers","statistics":{"token_count":2,"truncated":false}}},{"embeddings":{"values":"32 numbers","statistics":{"token_count":1,"truncated":false}}}],
			"metadata":{"billableCharacterCount":13}}`, ""},
		{"Vertex AI predict, truncated", Gemini, "POST", vertexPath + "gemini-embedding-001:predict", `{"instances":[{"content":"` + long + `"}]}`,
			`{"predictions":[{"embeddings":{"values":"3072 numbers","statistics":{"token_count":2048,"truncated":true}}}]}`, ""},
		{"Vertex AI models", Gemini, "GET", "/v1beta1/publishers/google/models", ``,
			`{"publisherModels":[{"name":"publishers/google/models/gemini-2.0-flash","versionId":"001"},{"name":"publishers/google/models/gemini-2.5-flash"},
			{"name":"publishers/google/models/text-embedding-004"},{"name":"publishers/google/models/gemini-embedding-001"}]}`, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			s := New(t, c.kind, "AKIDFAKE")
			resp, body := send(t, s, c.method, c.path, c.body, "AKIDFAKE")
			if resp.StatusCode != 200 {
				t.Fatalf("%d %s", resp.StatusCode, body)
			}
			compare(t, c.want, body)
			if got := resp.Header.Get("X-Amzn-Bedrock-Input-Token-Count"); got != c.header {
				t.Errorf("input token count header %q, want %q", got, c.header)
			}
			if reqs := s.Requests(); len(reqs) != 1 || string(reqs[0].Body) != c.body {
				t.Errorf("recorded %+v", reqs)
			}
		})
	}
}

// Refused requests, for a wrong key or a malformed body, get the
// provider's status and error shape.
func TestEndpointErrors(t *testing.T) {
	specs := filepath.Join(testenv.SharedDir(t), "specs")
	const (
		openAIError    = `{"error":{"type":"invalid_request_error","param":null,"code":null}}`
		anthropicError = `{"type":"error","error":{"type":"invalid_request_error"}}`
		geminiError    = `{"error":{"code":400,"status":"INVALID_ARGUMENT"}}`
		bedrockError   = `{"__type":"ValidationException"}`
	)
	for _, c := range []struct {
		name         string
		kind         Kind
		key          string
		method, path string
		body         string
		status       int
		want         string
	}{
		{"responses: a wrong key", OpenAI, "bad", "POST", "/v1/responses", `{"model":"m","input":"hi"}`, 401, openAIError},
		{"responses: no model", OpenAI, "k", "POST", "/v1/responses", `{"input":"hi"}`, 400, openAIError},
		{"responses: no input", OpenAI, "k", "POST", "/v1/responses", `{"model":"m"}`, 400, openAIError},
		{"responses: a number for input", OpenAI, "k", "POST", "/v1/responses", `{"model":"m","input":42}`, 400, openAIError},
		{"responses: an empty list", OpenAI, "k", "POST", "/v1/responses", `{"model":"m","input":[]}`, 400, openAIError},
		{"responses: a nameless function", OpenAI, "k", "POST", "/v1/responses", `{"model":"m","input":"hi","tools":[{"type":"function"}]}`, 400, openAIError},
		{"embeddings: a wrong key", OpenAI, "bad", "POST", "/v1/embeddings", `{"model":"m","input":"hi"}`, 401, openAIError},
		{"embeddings: no input", OpenAI, "k", "POST", "/v1/embeddings", `{"model":"m"}`, 400, openAIError},
		{"embeddings: an empty string", OpenAI, "k", "POST", "/v1/embeddings", `{"model":"m","input":""}`, 400, openAIError},
		{"embeddings: a mix", OpenAI, "k", "POST", "/v1/embeddings", `{"model":"m","input":["a",1]}`, 400, openAIError},
		{"embeddings: an unknown member", OpenAI, "k", "POST", "/v1/embeddings", `{"model":"m","input":"hi","task":"x"}`, 400, openAIError},
		{"embeddings: dimensions on ada", OpenAI, "k", "POST", "/v1/embeddings", `{"model":"text-embedding-ada-002","input":"hi","dimensions":8}`, 400, openAIError},
		{"embeddings: too many dimensions", OpenAI, "k", "POST", "/v1/embeddings", `{"model":"text-embedding-3-small","input":"hi","dimensions":1537}`, 400, openAIError},
		{"embeddings: an unknown encoding", OpenAI, "k", "POST", "/v1/embeddings", `{"model":"m","input":"hi","encoding_format":"hex"}`, 400, openAIError},
		{"models: a wrong key", OpenAI, "bad", "GET", "/v1/models", ``, 401, openAIError},
		{"an unknown model", OpenAI, "k", "GET", "/v1/models/gpt-0", ``, 404, openAIError},

		{"count_tokens: a wrong key", Anthropic, "bad", "POST", "/v1/messages/count_tokens", `{"model":"m","messages":[{"role":"user","content":"hi"}]}`, 401,
			`{"type":"error","error":{"type":"authentication_error"}}`},
		{"count_tokens: no model", Anthropic, "k", "POST", "/v1/messages/count_tokens", `{"messages":[{"role":"user","content":"hi"}]}`, 400, anthropicError},
		{"count_tokens: no messages", Anthropic, "k", "POST", "/v1/messages/count_tokens", `{"model":"m"}`, 400, anthropicError},
		{"count_tokens: a system message", Anthropic, "k", "POST", "/v1/messages/count_tokens", `{"model":"m","messages":[{"role":"system","content":"hi"}]}`, 400, anthropicError},
		{"models: a wrong key", Anthropic, "bad", "GET", "/v1/models", ``, 401, `{"type":"error","error":{"type":"authentication_error"}}`},
		{"an unknown model", Anthropic, "k", "GET", "/v1/models/claude-0", ``, 404, `{"type":"error","error":{"type":"not_found_error"}}`},

		{"embedContent: a wrong key", Gemini, "bad", "POST", "/v1beta/models/text-embedding-004:embedContent", `{"content":{"parts":[{"text":"hi"}]}}`, 401,
			`{"error":{"code":401,"status":"UNAUTHENTICATED"}}`},
		{"embedContent: no content", Gemini, "k", "POST", "/v1beta/models/text-embedding-004:embedContent", `{"taskType":"CLUSTERING"}`, 400, geminiError},
		{"embedContent: an unknown task", Gemini, "k", "POST", "/v1beta/models/text-embedding-004:embedContent", `{"content":{"parts":[{"text":"hi"}]},"taskType":"POETRY"}`, 400, geminiError},
		{"embedContent: a title for a query", Gemini, "k", "POST", "/v1beta/models/text-embedding-004:embedContent",
			`{"content":{"parts":[{"text":"hi"}]},"taskType":"RETRIEVAL_QUERY","title":"t"}`, 400, geminiError},
		{"embedContent: too many dimensions", Gemini, "k", "POST", "/v1beta/models/text-embedding-004:embedContent",
			`{"content":{"parts":[{"text":"hi"}]},"outputDimensionality":769}`, 400, geminiError},
		{"batchEmbedContents: no requests", Gemini, "k", "POST", "/v1beta/models/text-embedding-004:batchEmbedContents", `{"requests":[]}`, 400, geminiError},
		{"batchEmbedContents: another model", Gemini, "k", "POST", "/v1beta/models/text-embedding-004:batchEmbedContents",
			`{"requests":[{"model":"models/gemini-embedding-001","content":{"parts":[{"text":"hi"}]}}]}`, 400, geminiError},
		{"models: a wrong key", Gemini, "bad", "GET", "/v1beta/models", ``, 401, `{"error":{"code":401,"status":"UNAUTHENTICATED"}}`},
		{"an unknown model", Gemini, "k", "GET", "/v1beta/models/gemini-0", ``, 404, `{"error":{"code":404,"status":"NOT_FOUND"}}`},
		{"predict: a wrong token", Gemini, "bad", "POST", vertexPath + "text-embedding-005:predict", `{"instances":[{"content":"hi"}]}`, 401,
			`{"error":{"code":401,"status":"UNAUTHENTICATED"}}`},
		{"predict: no instances", Gemini, "k", "POST", vertexPath + "text-embedding-005:predict", `{"instances":[]}`, 400, geminiError},
		{"predict: no content", Gemini, "k", "POST", vertexPath + "text-embedding-005:predict", `{"instances":[{"title":"t"}]}`, 400, geminiError},
		{"predict: too long, no truncation", Gemini, "k", "POST", vertexPath + "text-embedding-005:predict",
			`{"instances":[{"content":"` + strings.Repeat("w ", 2049) + `"}],"parameters":{"autoTruncate":false}}`, 400, geminiError},
		{"predict off Vertex AI paths", Gemini, "k", "POST", "/v1beta/models/text-embedding-004:predict", `{"instances":[{"content":"hi"}]}`, 400, geminiError},

		{"invoke: a wrong key", Bedrock, "AKIDOTHER", "POST", "/model/amazon.titan-embed-text-v2%3A0/invoke", `{"inputText":"hi"}`, 401,
			`{"__type":"UnrecognizedClientException"}`},
		{"Titan: no text", Bedrock, "AKIDFAKE", "POST", "/model/amazon.titan-embed-text-v2%3A0/invoke", `{"dimensions":256}`, 400, bedrockError},
		{"Titan: other dimensions", Bedrock, "AKIDFAKE", "POST", "/model/amazon.titan-embed-text-v2%3A0/invoke", `{"inputText":"hi","dimensions":300}`, 400, bedrockError},
		{"Titan v1: dimensions", Bedrock, "AKIDFAKE", "POST", "/model/amazon.titan-embed-text-v1/invoke", `{"inputText":"hi","dimensions":256}`, 400, bedrockError},
		{"Titan: an unknown type", Bedrock, "AKIDFAKE", "POST", "/model/amazon.titan-embed-text-v2%3A0/invoke", `{"inputText":"hi","embeddingTypes":["int8"]}`, 400, bedrockError},
		{"Cohere: no input_type", Bedrock, "AKIDFAKE", "POST", "/model/cohere.embed-english-v3/invoke", `{"texts":["hi"]}`, 400, bedrockError},
		{"Cohere: no texts", Bedrock, "AKIDFAKE", "POST", "/model/cohere.embed-english-v3/invoke", `{"texts":[],"input_type":"clustering"}`, 400, bedrockError},
		{"Cohere: an unknown truncation", Bedrock, "AKIDFAKE", "POST", "/model/cohere.embed-english-v3/invoke", `{"texts":["hi"],"input_type":"clustering","truncate":"MIDDLE"}`, 400, bedrockError},
		{"invoke: a chat model", Bedrock, "AKIDFAKE", "POST", "/model/anthropic.claude-3-haiku-20240307-v1%3A0/invoke", `{"messages":[]}`, 400, bedrockError},
	} {
		t.Run(string(c.kind)+"/"+c.name, func(t *testing.T) {
			key := "k"
			if c.kind == Bedrock {
				key = "AKIDFAKE"
			}
			s := New(t, c.kind, key)
			resp, body := send(t, s, c.method, c.path, c.body, c.key)
			if resp.StatusCode != c.status || resp.Header.Get("Content-Type") != "application/json" {
				t.Errorf("%d %s, want %d: %s", resp.StatusCode, resp.Header.Get("Content-Type"), c.status, body)
			}
			got := compare(t, c.want, body)
			switch c.kind {
			case OpenAI:
				spec := loadSpec(t, filepath.Join(specs, "openai-openapi.yaml"))
				if errs := spec.check("ErrorResponse", got, "ErrorResponse"); len(errs) > 0 {
					t.Errorf("%s", strings.Join(errs, "\n"))
				}
			case Anthropic:
				spec := loadSpec(t, filepath.Join(specs, "anthropic-openapi.curated.yaml"))
				if errs := spec.check("Error", got.(map[string]any)["error"], "error"); len(errs) > 0 {
					t.Errorf("%s", strings.Join(errs, "\n"))
				}
			}
			if msg := fmt.Sprint(got); !strings.Contains(msg, "message") {
				t.Errorf("no message: %s", body)
			}
			if len(s.Requests()) != 1 {
				t.Errorf("%d requests recorded", len(s.Requests()))
			}
		})
	}
}

// A test may set the models a fake lists and retrieves.
func TestModelsAreTheServers(t *testing.T) {
	s := New(t, OpenAI, "k")
	s.Models = []string{"my-model"}
	_, body := send(t, s, "GET", "/v1/models", ``, "k")
	compare(t, `{"object":"list","data":[{"id":"my-model","object":"model"}]}`, body)
	if resp, _ := send(t, s, "GET", "/v1/models/my-model", ``, "k"); resp.StatusCode != 200 {
		t.Errorf("my-model: %d", resp.StatusCode)
	}
	if resp, _ := send(t, s, "GET", "/v1/models/gpt-4o", ``, "k"); resp.StatusCode != 404 {
		t.Errorf("gpt-4o, no longer listed: %d", resp.StatusCode)
	}
}
