package fakeprovider

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
)

// endpoint is how the fake answers one of its provider's endpoints other
// than chat (which serve answers itself): body is the request's, cut > 0
// drops a streamed answer after that many events.
type endpoint func(w http.ResponseWriter, r *http.Request, body []byte, cut int)

// endpoint picks the answer for r's method and path, or nil for the chat
// endpoints. Paths are matched by their ends, as the chat endpoints are,
// so a gateway may put any prefix in front.
func (s *Server) endpoint(r *http.Request) endpoint {
	path, get, post := r.URL.Path, r.Method == http.MethodGet, r.Method == http.MethodPost
	modelPath := strings.LastIndex(path, "/models/") >= 0
	switch s.Kind {
	case OpenAI:
		switch {
		case post && strings.HasSuffix(path, "/responses"):
			return s.responses
		case post && strings.HasSuffix(path, "/embeddings"):
			return s.openAIEmbeddings
		case get && strings.HasSuffix(path, "/models"):
			return s.listModels
		case get && modelPath:
			return s.getModel
		}
	case Anthropic:
		switch {
		case post && strings.HasSuffix(path, "/messages/count_tokens"):
			return s.countTokens
		case get && strings.HasSuffix(path, "/models"):
			return s.listModels
		case get && modelPath:
			return s.getModel
		}
	case Gemini:
		_, verb, _ := strings.Cut(path[strings.LastIndex(path, "/")+1:], ":")
		switch {
		case post && (verb == "embedContent" || verb == "batchEmbedContents"):
			return s.geminiEmbeddings
		case post && verb == "predict" && vertex(path):
			return s.vertexEmbeddings
		case get && strings.HasSuffix(path, "/models"):
			return s.listModels
		case get && modelPath && verb == "":
			return s.getModel
		}
	case Bedrock:
		if post && strings.HasSuffix(path, "/invoke") {
			return s.bedrockInvoke
		}
	}
	return nil
}

// vertex tells a Vertex AI path (…/publishers/google/models/…) from a
// Gemini API one.
func vertex(path string) bool { return strings.Contains(path, "/publishers/") }

// defaultModels are the models a fake of each kind lists at first: the
// ones this package's tests and serve's name, chat and embeddings.
var defaultModels = map[Kind][]string{
	OpenAI:    {"gpt-4o-mini", "gpt-4o", "text-embedding-3-small", "text-embedding-3-large"},
	Anthropic: {"claude-3-5-haiku-latest", "claude-sonnet-4-5-20250929", "claude-haiku-4-5-20251001"},
	Gemini:    {"gemini-2.0-flash", "gemini-2.5-flash", "text-embedding-004", "gemini-embedding-001"},
}

// modelInfo is one model in the provider's shape.
func (s *Server) modelInfo(id string, vertexPath bool) map[string]any {
	switch s.Kind {
	case Anthropic:
		return map[string]any{"type": "model", "id": id, "display_name": id, "created_at": "2024-10-22T00:00:00Z"}
	case Gemini:
		if vertexPath {
			// Vertex AI's PublisherModel (Model Garden), as Google documents it.
			return map[string]any{"name": "publishers/google/models/" + id, "versionId": "001", "openSourceCategory": "PROPRIETARY", "launchStage": "GA"}
		}
		methods := []string{"generateContent", "countTokens"}
		if strings.Contains(id, "embedding") {
			methods = []string{"embedContent", "batchEmbedContents"}
		}
		return map[string]any{"name": "models/" + id, "baseModelId": id, "version": "001", "displayName": id,
			"inputTokenLimit": 8192, "outputTokenLimit": 8192, "supportedGenerationMethods": methods}
	}
	return map[string]any{"id": id, "object": "model", "created": 1700000000, "owned_by": "system"}
}

// listModels answers the provider's model list: all of Models on one page.
func (s *Server) listModels(w http.ResponseWriter, r *http.Request, _ []byte, _ int) {
	ids := s.Models
	list := []any{}
	for _, id := range ids {
		list = append(list, s.modelInfo(id, vertex(r.URL.Path)))
	}
	var out map[string]any
	switch {
	case s.Kind == Anthropic:
		out = map[string]any{"data": list, "has_more": false, "first_id": nil, "last_id": nil}
		if len(ids) > 0 {
			out["first_id"], out["last_id"] = ids[0], ids[len(ids)-1]
		}
	case s.Kind == Gemini && vertex(r.URL.Path):
		out = map[string]any{"publisherModels": list}
	case s.Kind == Gemini:
		out = map[string]any{"models": list}
	default:
		out = map[string]any{"object": "list", "data": list}
	}
	writeJSON(w, out)
}

// getModel answers one of Models, or the provider's 404.
func (s *Server) getModel(w http.ResponseWriter, r *http.Request, _ []byte, _ int) {
	path := r.URL.Path
	id := path[strings.LastIndex(path, "/models/")+len("/models/"):]
	for _, m := range s.Models {
		if m == id {
			writeJSON(w, s.modelInfo(id, vertex(path)))
			return
		}
	}
	s.error(w, http.StatusNotFound, fmt.Sprintf("the model %q does not exist", id))
}

// countTokens answers Anthropic's count_tokens: the words of the system
// prompt and every message's text, plus one, which for a single user
// message is the input_tokens a message answer reports.
func (s *Server) countTokens(w http.ResponseWriter, _ *http.Request, body []byte, _ int) {
	var req struct {
		Model    string `json:"model"`
		System   any    `json:"system"`
		Messages []struct {
			Role    string `json:"role"`
			Content any    `json:"content"`
		} `json:"messages"`
	}
	if err := json.Unmarshal(body, &req); err != nil || req.Model == "" || len(req.Messages) == 0 {
		s.error(w, http.StatusBadRequest, "want POST .../messages/count_tokens with model and messages")
		return
	}
	all := []string{text(req.System)}
	for _, m := range req.Messages {
		if m.Role != "user" && m.Role != "assistant" {
			s.error(w, http.StatusBadRequest, fmt.Sprintf("messages: unexpected role %q", m.Role))
			return
		}
		all = append(all, text(m.Content), toolResult(m.Content, "tool_result", "content"))
	}
	writeJSON(w, map[string]any{"input_tokens": words(strings.Join(all, " "))})
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}
