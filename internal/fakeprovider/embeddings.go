package fakeprovider

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"strings"
)

// Vector is the fake's embedding of text in dim dimensions: numbers drawn
// from SHA-256 of the text, scaled to length 1 unless raw. Equal texts
// embed equally and different ones differently, and, as with the
// providers' reduced dimensions, a shorter vector is the scaled start of
// a longer one. Tests may use it to compute what a fake answers.
func Vector(text string, dim int, raw bool) []float32 {
	out := make([]float32, dim)
	var sum float64
	for i := 0; i < dim; i += 8 {
		h := sha256.Sum256([]byte(fmt.Sprintf("%d\x00%s", i/8, text)))
		for j := 0; j < 8 && i+j < dim; j++ {
			x := float64(binary.LittleEndian.Uint32(h[4*j:]))/math.MaxUint32*2 - 1
			out[i+j] = float32(x)
			sum += x * x
		}
	}
	if norm := math.Sqrt(sum); !raw && norm > 0 {
		for i := range out {
			out[i] = float32(float64(out[i]) / norm)
		}
	}
	return out
}

// tokens counts a text's tokens as the fake does for embeddings: words.
func tokens(s string) int { return len(strings.Fields(s)) }

// openAIEmbeddings answers OpenAI's POST /v1/embeddings.
func (s *Server) openAIEmbeddings(w http.ResponseWriter, _ *http.Request, body []byte, _ int) {
	var req struct {
		Input          json.RawMessage `json:"input"`
		Model          string          `json:"model"`
		EncodingFormat string          `json:"encoding_format"`
		Dimensions     *int            `json:"dimensions"`
		User           string          `json:"user"`
	}
	// The schema allows no other members, and the API refuses them.
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil || req.Model == "" || len(req.Input) == 0 {
		s.error(w, http.StatusBadRequest, "want POST .../embeddings with model and input, and no other members than encoding_format, dimensions and user")
		return
	}
	texts, counts, err := embeddingInputs(req.Input)
	if err != nil {
		s.error(w, http.StatusBadRequest, "input: "+err.Error())
		return
	}
	dim := 1536
	if strings.Contains(req.Model, "text-embedding-3-large") {
		dim = 3072
	}
	if req.Dimensions != nil {
		if *req.Dimensions < 1 || *req.Dimensions > dim || strings.Contains(req.Model, "ada-002") {
			s.error(w, http.StatusBadRequest, fmt.Sprintf("dimensions: %d is not supported by %s", *req.Dimensions, req.Model))
			return
		}
		dim = *req.Dimensions
	}
	if req.EncodingFormat != "" && req.EncodingFormat != "float" && req.EncodingFormat != "base64" {
		s.error(w, http.StatusBadRequest, "encoding_format: want float or base64")
		return
	}
	data, total := []any{}, 0
	for i, t := range texts {
		var v any = Vector(t, dim, false)
		if req.EncodingFormat == "base64" {
			v = base64Floats(v.([]float32))
		}
		data = append(data, map[string]any{"object": "embedding", "index": i, "embedding": v})
		total += counts[i]
	}
	writeJSON(w, map[string]any{"object": "list", "data": data, "model": req.Model,
		"usage": map[string]any{"prompt_tokens": total, "total_tokens": total}})
}

// embeddingInputs reads an embeddings input, one of the spec's four
// forms: a string, strings, tokens, or lists of tokens. Tokens embed as
// the text of their numbers.
func embeddingInputs(raw json.RawMessage) (texts []string, counts []int, err error) {
	var one string
	if json.Unmarshal(raw, &one) == nil {
		if one == "" {
			return nil, nil, fmt.Errorf("cannot be an empty string")
		}
		return []string{one}, []int{tokens(one)}, nil
	}
	var list []json.RawMessage
	if json.Unmarshal(raw, &list) != nil || len(list) == 0 || len(list) > 2048 {
		return nil, nil, fmt.Errorf("want a string, or 1 to 2048 strings or token lists")
	}
	var strs []string
	if json.Unmarshal(raw, &strs) == nil {
		for i, t := range strs {
			if t == "" {
				return nil, nil, fmt.Errorf("[%d] cannot be an empty string", i)
			}
			counts = append(counts, tokens(t))
		}
		return strs, counts, nil
	}
	var toks []int
	if json.Unmarshal(raw, &toks) == nil {
		return []string{fmt.Sprint(toks)}, []int{len(toks)}, nil
	}
	var lists [][]int
	if json.Unmarshal(raw, &lists) != nil {
		return nil, nil, fmt.Errorf("want strings, integers or lists of integers, not a mix")
	}
	for i, l := range lists {
		if len(l) == 0 {
			return nil, nil, fmt.Errorf("[%d] is an empty list of tokens", i)
		}
		texts, counts = append(texts, fmt.Sprint(l)), append(counts, len(l))
	}
	return texts, counts, nil
}

// base64Floats is OpenAI's base64 encoding of a vector: its float32s,
// little-endian.
func base64Floats(v []float32) string {
	b := make([]byte, 4*len(v))
	for i, x := range v {
		binary.LittleEndian.PutUint32(b[4*i:], math.Float32bits(x))
	}
	return base64.StdEncoding.EncodeToString(b)
}

// geminiTaskTypes are the spec's EmbedContentRequest.taskType values,
// and CODE_RETRIEVAL_QUERY, which both APIs take as well.
var geminiTaskTypes = map[string]bool{"TASK_TYPE_UNSPECIFIED": true, "RETRIEVAL_QUERY": true, "RETRIEVAL_DOCUMENT": true,
	"SEMANTIC_SIMILARITY": true, "CLASSIFICATION": true, "CLUSTERING": true, "QUESTION_ANSWERING": true, "FACT_VERIFICATION": true,
	"CODE_RETRIEVAL_QUERY": true}

// geminiDimensions is a Gemini embedding model's default size.
func geminiDimensions(model string) int {
	if strings.HasPrefix(model, "gemini-embedding") {
		return 3072
	}
	return 768
}

// embedContentRequest is the spec's EmbedContentRequest.
type embedContentRequest struct {
	Model   string `json:"model"`
	Content *struct {
		Parts []map[string]any `json:"parts"`
	} `json:"content"`
	TaskType             string `json:"taskType"`
	Title                string `json:"title"`
	OutputDimensionality *int   `json:"outputDimensionality"`
}

// embed checks one EmbedContentRequest to model (its path's) and
// embeds its text.
func (e embedContentRequest) embed(model string) (map[string]any, error) {
	if e.Content == nil || len(e.Content.Parts) == 0 {
		return nil, fmt.Errorf("content: required, with parts")
	}
	if e.Model != "" && e.Model != "models/"+model {
		return nil, fmt.Errorf("model: %q is not the path's models/%s", e.Model, model)
	}
	if e.TaskType != "" && !geminiTaskTypes[e.TaskType] {
		return nil, fmt.Errorf("taskType: unknown %q", e.TaskType)
	}
	if e.Title != "" && e.TaskType != "RETRIEVAL_DOCUMENT" {
		return nil, fmt.Errorf("title: only for taskType RETRIEVAL_DOCUMENT")
	}
	dim := geminiDimensions(model)
	if d := e.OutputDimensionality; d != nil {
		if *d < 1 || *d > dim {
			return nil, fmt.Errorf("outputDimensionality: %d is not between 1 and %d", *d, dim)
		}
		dim = *d
	}
	var t []string
	for _, p := range e.Content.Parts {
		if s, ok := p["text"].(string); ok {
			t = append(t, s)
		}
	}
	return map[string]any{"values": Vector(strings.Join(t, ""), dim, false)}, nil
}

// geminiEmbeddings answers the Gemini API's (and Vertex AI's, on its
// paths) models/MODEL:embedContent and :batchEmbedContents.
func (s *Server) geminiEmbeddings(w http.ResponseWriter, r *http.Request, body []byte, _ int) {
	path := r.URL.Path
	model, verb, _ := strings.Cut(path[strings.LastIndex(path, "/models/")+len("/models/"):], ":")
	if verb == "embedContent" {
		var req embedContentRequest
		if err := json.Unmarshal(body, &req); err != nil {
			s.error(w, http.StatusBadRequest, "want an EmbedContentRequest: "+err.Error())
			return
		}
		e, err := req.embed(model)
		if err != nil {
			s.error(w, http.StatusBadRequest, err.Error())
			return
		}
		writeJSON(w, map[string]any{"embedding": e})
		return
	}
	var req struct {
		Requests []embedContentRequest `json:"requests"`
	}
	if err := json.Unmarshal(body, &req); err != nil || len(req.Requests) == 0 {
		s.error(w, http.StatusBadRequest, "want a BatchEmbedContentsRequest with requests")
		return
	}
	out := []any{}
	for i, one := range req.Requests {
		e, err := one.embed(model)
		if err != nil {
			s.error(w, http.StatusBadRequest, fmt.Sprintf("requests[%d].%v", i, err))
			return
		}
		out = append(out, e)
	}
	writeJSON(w, map[string]any{"embeddings": out})
}

// vertexMaxTokens is how many tokens (words, to the fake) a Vertex AI
// embedding takes before it truncates.
const vertexMaxTokens = 2048

// vertexEmbeddings answers Vertex AI's text embeddings,
// publishers/google/models/MODEL:predict. Vertex AI is not among the
// specs in ../shared; this follows Google's public reference for the
// text-embeddings API: instances of content (and task_type, title),
// parameters outputDimensionality and autoTruncate (default true: a
// longer text is cut and marked truncated; false: refused), predictions
// with embeddings.values and statistics.
func (s *Server) vertexEmbeddings(w http.ResponseWriter, r *http.Request, body []byte, _ int) {
	path := r.URL.Path
	model, _, _ := strings.Cut(path[strings.LastIndex(path, "/models/")+len("/models/"):], ":")
	var req struct {
		Instances []struct {
			Content  *string `json:"content"`
			TaskType string  `json:"task_type"`
			Title    string  `json:"title"`
		} `json:"instances"`
		Parameters struct {
			OutputDimensionality *int  `json:"outputDimensionality"`
			AutoTruncate         *bool `json:"autoTruncate"`
		} `json:"parameters"`
	}
	if err := json.Unmarshal(body, &req); err != nil || len(req.Instances) == 0 {
		s.error(w, http.StatusBadRequest, "want POST .../models/MODEL:predict with instances")
		return
	}
	dim := geminiDimensions(model)
	if d := req.Parameters.OutputDimensionality; d != nil {
		if *d < 1 || *d > dim {
			s.error(w, http.StatusBadRequest, fmt.Sprintf("outputDimensionality: %d is not between 1 and %d", *d, dim))
			return
		}
		dim = *d
	}
	predictions, chars := []any{}, 0
	for i, in := range req.Instances {
		if in.Content == nil {
			s.error(w, http.StatusBadRequest, fmt.Sprintf("instances[%d].content: required", i))
			return
		}
		if in.TaskType != "" && !geminiTaskTypes[in.TaskType] {
			s.error(w, http.StatusBadRequest, fmt.Sprintf("instances[%d].task_type: unknown %q", i, in.TaskType))
			return
		}
		text, truncated := *in.Content, false
		if f := strings.Fields(text); len(f) > vertexMaxTokens {
			if a := req.Parameters.AutoTruncate; a != nil && !*a {
				s.error(w, http.StatusBadRequest, fmt.Sprintf("instances[%d].content: %d tokens, more than %d, and autoTruncate is false", i, len(f), vertexMaxTokens))
				return
			}
			text, truncated = strings.Join(f[:vertexMaxTokens], " "), true
		}
		chars += len(strings.ReplaceAll(text, " ", ""))
		predictions = append(predictions, map[string]any{"embeddings": map[string]any{"values": Vector(text, dim, false),
			"statistics": map[string]any{"token_count": tokens(text), "truncated": truncated}}})
	}
	writeJSON(w, map[string]any{"predictions": predictions, "metadata": map[string]any{"billableCharacterCount": chars}})
}
