package translate

import (
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"strings"

	json "github.com/goccy/go-json"
)

// Embedder converts OpenAI embeddings requests (POST /v1/embeddings) into
// one provider's native embedding API and its answers back into OpenAI's
// list of embeddings: what agentgateway's Embeddings route type does for
// providers without an OpenAI-compatible endpoint.
type Embedder interface {
	// Request turns an OpenAI embeddings request into the provider's;
	// model, when set, replaces the request's (the backend's model).
	Request(body []byte, model string) ([]byte, error)
	// Response turns the provider's answer, a success or an error, into
	// OpenAI's shape; request is the OpenAI request it answers (how many
	// inputs, which encoding). It also returns the usage the answer
	// reports.
	Response(status int, body, request []byte, model string) ([]byte, Usage)
	// Fields accounts for every member of OpenAI's request.
	Fields() FieldTable
}

// EmbedderFor returns the embedder of a provider kind: gemini (Gemini's
// batchEmbedContents), vertexai (Vertex AI's predict), bedrock (Amazon
// Titan Text Embeddings v2 or Cohere Embed, by model). OpenAI-compatible
// providers take OpenAI's request as it is and have none.
func EmbedderFor(kind string) (Embedder, bool) {
	switch kind {
	case "gemini":
		return geminiEmbedder{}, true
	case "vertexai":
		return vertexEmbedder{}, true
	case "bedrock":
		return bedrockEmbedder{}, true
	}
	return nil, false
}

// ErrUnsupportedEmbedding marks a request member or value a provider's
// embedding API cannot carry: serve answers 400 with its message.
var ErrUnsupportedEmbedding = errors.New("not supported by the provider's embedding API")

// embeddingRequest is OpenAI's embeddings request.
type embeddingRequest struct {
	Input          json.RawMessage `json:"input"`
	Model          string          `json:"model"`
	EncodingFormat string          `json:"encoding_format"`
	Dimensions     *int            `json:"dimensions"`
	User           string          `json:"user"`
}

// commonEmbeddingFields are members every embedder treats alike.
var commonEmbeddingFields = FieldTable{
	"model":           "→ the provider's model (the backend's model when it names one)",
	"encoding_format": "float or base64: serve encodes the provider's floats as OpenAI does (base64 of little-endian float32)",
	"user":            "accepted, not sent: the provider's embedding API has no end-user field (OpenAI uses it for abuse monitoring only)",
}

func withCommon(t FieldTable) FieldTable {
	for k, v := range commonEmbeddingFields {
		if _, ok := t[k]; !ok {
			t[k] = v
		}
	}
	return t
}

// parseEmbedding reads an OpenAI embeddings request strictly: a member no
// embedder knows is refused, and the input must be text (string or array
// of strings); token-id arrays name text the provider cannot read back.
func parseEmbedding(body []byte, provider string, fields FieldTable) (embeddingRequest, []string, error) {
	var members map[string]json.RawMessage
	if err := json.Unmarshal(body, &members); err != nil {
		return embeddingRequest{}, nil, fmt.Errorf("the embeddings request is not a JSON object: %w", err)
	}
	for k := range members {
		note, ok := fields[k]
		if !ok {
			return embeddingRequest{}, nil, fmt.Errorf("%s: %w: %s does not know this member of OpenAI's embeddings request", k, ErrUnsupportedEmbedding, provider)
		}
		if strings.HasPrefix(note, "refused") {
			return embeddingRequest{}, nil, fmt.Errorf("%s: %w: %s", k, ErrUnsupportedEmbedding, strings.TrimPrefix(note, "refused: "))
		}
	}
	var r embeddingRequest
	if err := json.Unmarshal(body, &r); err != nil {
		return r, nil, fmt.Errorf("the embeddings request: %w", err)
	}
	if r.EncodingFormat != "" && r.EncodingFormat != "float" && r.EncodingFormat != "base64" {
		return r, nil, fmt.Errorf("encoding_format %q: %w: use float or base64", r.EncodingFormat, ErrUnsupportedEmbedding)
	}
	var texts []string
	var one string
	switch {
	case json.Unmarshal(r.Input, &one) == nil:
		texts = []string{one}
	case json.Unmarshal(r.Input, &texts) == nil:
	default:
		return r, nil, fmt.Errorf("input: %w: %s embeds text; token-id arrays cannot be sent to it", ErrUnsupportedEmbedding, provider)
	}
	if len(texts) == 0 {
		return r, nil, fmt.Errorf("input: %w: no text to embed", ErrUnsupportedEmbedding)
	}
	return r, texts, nil
}

// embeddingList is OpenAI's answer: one embedding per input, in order.
func embeddingList(vectors [][]float64, request []byte, model string, in int) ([]byte, Usage) {
	var r embeddingRequest
	_ = json.Unmarshal(request, &r)
	if r.Model != "" && model == "" {
		model = r.Model
	}
	data := make([]map[string]any, len(vectors))
	for i, v := range vectors {
		var emb any = v
		if r.EncodingFormat == "base64" {
			emb = base64Floats(v)
		}
		data[i] = map[string]any{"object": "embedding", "index": i, "embedding": emb}
	}
	u := Usage{In: in, Model: model, Seen: in > 0}
	b, _ := json.Marshal(map[string]any{"object": "list", "data": data, "model": model,
		"usage": map[string]any{"prompt_tokens": in, "total_tokens": in}})
	return b, u
}

// base64Floats encodes a vector as OpenAI's base64 encoding does: the
// little-endian bytes of each value as a float32.
func base64Floats(v []float64) string {
	b := make([]byte, 4*len(v))
	for i, f := range v {
		binary.LittleEndian.PutUint32(b[4*i:], math.Float32bits(float32(f)))
	}
	return base64.StdEncoding.EncodeToString(b)
}

// embeddingError is a provider's error answer in OpenAI's shape; the
// message is the provider's own where it has one.
func embeddingError(status int, body []byte) ([]byte, Usage) {
	var e struct {
		Error   json.RawMessage `json:"error"`
		Message string          `json:"message"`
	}
	msg := strings.TrimSpace(string(body))
	if json.Unmarshal(body, &e) == nil {
		var inner struct {
			Message string `json:"message"`
		}
		switch {
		case e.Message != "":
			msg = e.Message
		case json.Unmarshal(e.Error, &inner) == nil && inner.Message != "":
			msg = inner.Message
		}
	}
	b, _ := json.Marshal(map[string]any{"error": map[string]any{"message": msg, "type": errorType(status), "param": nil, "code": nil}})
	return b, Usage{}
}

// errorType is OpenAI's error type for a status.
func errorType(status int) string {
	switch {
	case status == 401:
		return "authentication_error"
	case status == 403:
		return "permission_error"
	case status == 404:
		return "not_found_error"
	case status == 429:
		return "rate_limit_error"
	case status >= 500:
		return "api_error"
	}
	return "invalid_request_error"
}

// geminiEmbedder is Gemini's batchEmbedContents: one request per input.
type geminiEmbedder struct{}

func (geminiEmbedder) Fields() FieldTable {
	return withCommon(FieldTable{
		"input":      "→ requests[].content.parts[].text, one request per string (token-id arrays refused)",
		"dimensions": "→ requests[].outputDimensionality",
	})
}

func (g geminiEmbedder) Request(body []byte, model string) ([]byte, error) {
	r, texts, err := parseEmbedding(body, "Gemini", g.Fields())
	if err != nil {
		return nil, err
	}
	if model == "" {
		model = r.Model
	}
	name := model
	if !strings.HasPrefix(name, "models/") {
		name = "models/" + name
	}
	reqs := make([]map[string]any, len(texts))
	for i, t := range texts {
		req := map[string]any{"model": name, "content": map[string]any{"parts": []any{map[string]any{"text": t}}}}
		if r.Dimensions != nil {
			req["outputDimensionality"] = *r.Dimensions
		}
		reqs[i] = req
	}
	return json.Marshal(map[string]any{"requests": reqs})
}

func (geminiEmbedder) Response(status int, body, request []byte, model string) ([]byte, Usage) {
	if status >= 300 {
		return embeddingError(status, body)
	}
	var a struct {
		Embeddings []struct {
			Values []float64 `json:"values"`
		} `json:"embeddings"`
	}
	if err := json.Unmarshal(body, &a); err != nil || a.Embeddings == nil {
		return embeddingError(502, []byte("Gemini's answer is not a list of embeddings"))
	}
	vs := make([][]float64, len(a.Embeddings))
	for i, e := range a.Embeddings {
		vs[i] = e.Values
	}
	return embeddingList(vs, request, model, 0) // Gemini does not say what it counted
}

// vertexEmbedder is Vertex AI's text embeddings predict.
type vertexEmbedder struct{}

func (vertexEmbedder) Fields() FieldTable {
	return withCommon(FieldTable{
		"input":      "→ instances[].content, one instance per string (token-id arrays refused)",
		"dimensions": "→ parameters.outputDimensionality",
	})
}

func (v vertexEmbedder) Request(body []byte, _ string) ([]byte, error) {
	r, texts, err := parseEmbedding(body, "Vertex AI", v.Fields())
	if err != nil {
		return nil, err
	}
	instances := make([]map[string]any, len(texts))
	for i, t := range texts {
		instances[i] = map[string]any{"content": t}
	}
	out := map[string]any{"instances": instances}
	if r.Dimensions != nil {
		out["parameters"] = map[string]any{"outputDimensionality": *r.Dimensions}
	}
	return json.Marshal(out)
}

func (vertexEmbedder) Response(status int, body, request []byte, model string) ([]byte, Usage) {
	if status >= 300 {
		return embeddingError(status, body)
	}
	var a struct {
		Predictions []struct {
			Embeddings struct {
				Values     []float64 `json:"values"`
				Statistics struct {
					TokenCount float64 `json:"token_count"`
				} `json:"statistics"`
			} `json:"embeddings"`
		} `json:"predictions"`
	}
	if err := json.Unmarshal(body, &a); err != nil || a.Predictions == nil {
		return embeddingError(502, []byte("Vertex AI's answer is not a list of predictions"))
	}
	vs := make([][]float64, len(a.Predictions))
	in := 0
	for i, p := range a.Predictions {
		vs[i] = p.Embeddings.Values
		in += int(p.Embeddings.Statistics.TokenCount)
	}
	return embeddingList(vs, request, model, in)
}

// bedrockEmbedder is Bedrock's InvokeModel with Amazon Titan Text
// Embeddings v2 (one text per call) or Cohere Embed (a list of texts),
// chosen by model as agentgateway does.
type bedrockEmbedder struct{}

func (bedrockEmbedder) Fields() FieldTable {
	return withCommon(FieldTable{
		"input":      "→ Titan inputText (one string; an array of more than one refused: Titan embeds one text per call) or Cohere texts (token-id arrays refused)",
		"dimensions": "→ Titan dimensions (256, 512 or 1024); refused for Cohere, whose embedding size is fixed",
	})
}

func cohere(model string) bool { return strings.Contains(model, "cohere") }

func (b bedrockEmbedder) Request(body []byte, model string) ([]byte, error) {
	r, texts, err := parseEmbedding(body, "Bedrock", b.Fields())
	if err != nil {
		return nil, err
	}
	if model == "" {
		model = r.Model
	}
	if cohere(model) {
		if r.Dimensions != nil {
			return nil, fmt.Errorf("dimensions: %w: Cohere Embed's size is fixed", ErrUnsupportedEmbedding)
		}
		return json.Marshal(map[string]any{"texts": texts, "input_type": "search_document"})
	}
	if len(texts) != 1 {
		return nil, fmt.Errorf("input: %w: Titan embeds one text per call; send one string", ErrUnsupportedEmbedding)
	}
	out := map[string]any{"inputText": texts[0]}
	if r.Dimensions != nil {
		switch *r.Dimensions {
		case 256, 512, 1024:
			out["dimensions"] = *r.Dimensions
		default:
			return nil, fmt.Errorf("dimensions %d: %w: Titan takes 256, 512 or 1024", *r.Dimensions, ErrUnsupportedEmbedding)
		}
	}
	return json.Marshal(out)
}

func (bedrockEmbedder) Response(status int, body, request []byte, model string) ([]byte, Usage) {
	if status >= 300 {
		return embeddingError(status, body)
	}
	var a struct {
		Embedding           []float64   `json:"embedding"`
		InputTextTokenCount int         `json:"inputTextTokenCount"`
		Embeddings          [][]float64 `json:"embeddings"`
	}
	if err := json.Unmarshal(body, &a); err != nil || (a.Embedding == nil && a.Embeddings == nil) {
		return embeddingError(502, []byte("Bedrock's answer is not an embedding"))
	}
	if a.Embedding != nil {
		return embeddingList([][]float64{a.Embedding}, request, model, a.InputTextTokenCount)
	}
	return embeddingList(a.Embeddings, request, model, 0) // Cohere says its count in headers only
}
