package fakeprovider

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/protocol/eventstream"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

// Bedrock is Amazon Bedrock's Converse API: /model/{id}/converse and
// /converse-stream (AWS's binary event stream), SigV4-signed requests.
const Bedrock Kind = "bedrock"

// BedrockSecret is the secret access key a Bedrock fake accepts with its
// Key (the access key id).
func (s *Server) BedrockSecret() string { return s.Key + "-secret" }

// signedByKey checks a request's AWS Signature Version 4 for the fake's
// keys: the request is signed again with the same time and headers, and
// the signatures must be equal.
func (s *Server) signedByKey(r *http.Request, body []byte) bool {
	auth := r.Header.Get("Authorization")
	if !strings.HasPrefix(auth, "AWS4-HMAC-SHA256 Credential="+s.Key+"/") {
		return false
	}
	fields := map[string]string{}
	for _, f := range strings.Split(strings.TrimPrefix(auth, "AWS4-HMAC-SHA256 "), ",") {
		k, v, _ := strings.Cut(strings.TrimSpace(f), "=")
		fields[k] = v
	}
	cred := strings.Split(fields["Credential"], "/")
	when, err := time.Parse("20060102T150405Z", r.Header.Get("X-Amz-Date"))
	if len(cred) != 5 || cred[3] != "bedrock" || err != nil {
		return false
	}
	again, _ := http.NewRequest(r.Method, "http://"+r.Host+r.URL.EscapedPath(), bytes.NewReader(body))
	again.URL.RawQuery = r.URL.RawQuery
	for _, h := range strings.Split(fields["SignedHeaders"], ";") {
		if h != "host" {
			again.Header[http.CanonicalHeaderKey(h)] = r.Header.Values(h)
		}
	}
	again.Header.Del("X-Amz-Date")
	sum := sha256.Sum256(body)
	creds := aws.Credentials{AccessKeyID: s.Key, SecretAccessKey: s.BedrockSecret(), SessionToken: r.Header.Get("X-Amz-Security-Token")}
	if err := v4.NewSigner().SignHTTP(r.Context(), creds, again, hex.EncodeToString(sum[:]), "bedrock", cred[2], when); err != nil {
		return false
	}
	return again.Header.Get("Authorization") == auth
}

// parseBedrock reads a Converse request.
func parseBedrock(r *http.Request, body []byte) (request, error) {
	var in request
	i := strings.Index(r.URL.Path, "/model/")
	if i < 0 {
		return in, fmt.Errorf("want POST /model/MODEL/converse")
	}
	model, verb, _ := strings.Cut(r.URL.Path[i+len("/model/"):], "/")
	var req struct {
		Messages []struct {
			Role    string           `json:"role"`
			Content []map[string]any `json:"content"`
		} `json:"messages"`
		ToolConfig *struct {
			Tools []struct {
				ToolSpec struct {
					Name string `json:"name"`
				} `json:"toolSpec"`
			} `json:"tools"`
		} `json:"toolConfig"`
	}
	if err := json.Unmarshal(body, &req); err != nil || len(req.Messages) == 0 || (verb != "converse" && verb != "converse-stream") {
		return in, fmt.Errorf("want POST /model/MODEL/converse with messages")
	}
	in.model, in.stream = model, verb == "converse-stream"
	for _, b := range req.Messages[len(req.Messages)-1].Content {
		if t, ok := b["text"].(string); ok {
			in.prompt = t
		}
		if tr, ok := b["toolResult"].(map[string]any); ok {
			in.toolResult = text(tr["content"])
		}
	}
	if in.toolResult == "" && req.ToolConfig != nil && len(req.ToolConfig.Tools) > 0 {
		in.tool = req.ToolConfig.Tools[0].ToolSpec.Name
	}
	return in, nil
}

func bedrockAnswer(a answer) any {
	in, out := words(a.prompt), words(a.text)
	content := []any{map[string]any{"text": a.text}}
	stop := "end_turn"
	if a.tool != "" {
		content = []any{map[string]any{"toolUse": map[string]any{"toolUseId": "tooluse_fake", "name": a.tool, "input": json.RawMessage(a.args())}}}
		stop = "tool_use"
	}
	return map[string]any{"output": map[string]any{"message": map[string]any{"role": "assistant", "content": content}},
		"stopReason": stop, "usage": map[string]any{"inputTokens": in, "outputTokens": out, "totalTokens": in + out},
		"metrics": map[string]any{"latencyMs": 1}}
}

// bedrockStream sends the answer as ConverseStream's binary events;
// cut > 0 drops the connection after that many.
func (s *Server) bedrockStream(w http.ResponseWriter, a answer, cut int) bool {
	w.Header().Set("Content-Type", "application/vnd.amazon.eventstream")
	flusher, _ := w.(http.Flusher)
	enc := eventstream.NewEncoder()
	sent := 0
	send := func(event string, payload any) bool {
		if cut > 0 && sent >= cut {
			return false
		}
		b, _ := json.Marshal(payload)
		msg := eventstream.Message{Payload: b}
		msg.Headers.Set(":event-type", eventstream.StringValue(event))
		msg.Headers.Set(":content-type", eventstream.StringValue("application/json"))
		msg.Headers.Set(":message-type", eventstream.StringValue("event"))
		if err := enc.Encode(w, msg); err != nil {
			return false
		}
		if flusher != nil {
			flusher.Flush()
		}
		sent++
		return true
	}
	ok := send("messageStart", map[string]any{"role": "assistant"})
	stop := "end_turn"
	if a.tool != "" {
		stop = "tool_use"
		args := a.args()
		ok = ok && send("contentBlockStart", map[string]any{"start": map[string]any{"toolUse": map[string]any{"toolUseId": "tooluse_fake", "name": a.tool}}, "contentBlockIndex": 0})
		for _, p := range []string{args[:len(args)/2], args[len(args)/2:]} {
			ok = ok && send("contentBlockDelta", map[string]any{"delta": map[string]any{"toolUse": map[string]any{"input": p}}, "contentBlockIndex": 0})
		}
	} else {
		for _, p := range split(a.text, s.Events) {
			ok = ok && send("contentBlockDelta", map[string]any{"delta": map[string]any{"text": p}, "contentBlockIndex": 0})
		}
	}
	in, out := words(a.prompt), words(a.text)
	return ok && send("contentBlockStop", map[string]any{"contentBlockIndex": 0}) &&
		send("messageStop", map[string]any{"stopReason": stop}) &&
		send("metadata", map[string]any{"usage": map[string]any{"inputTokens": in, "outputTokens": out, "totalTokens": in + out}, "metrics": map[string]any{"latencyMs": 1}})
}

// bedrockInvoke answers InvokeModel, /model/{modelId}/invoke, for the
// embedding models: Amazon Titan Text Embeddings and Cohere Embed. Their
// bodies are the models' own, not in ../shared/specs; this follows AWS's
// public Bedrock model-parameter docs for them. Other models are refused
// (the fake's chat is Converse).
func (s *Server) bedrockInvoke(w http.ResponseWriter, r *http.Request, body []byte, _ int) {
	path := r.URL.Path
	model := strings.TrimSuffix(path[strings.Index(path, "/model/")+len("/model/"):], "/invoke")
	var (
		out    any
		tokens int
		err    error
	)
	switch {
	case strings.HasPrefix(model, "amazon.titan-embed-text"):
		out, tokens, err = titanEmbed(model, body)
	case strings.HasPrefix(model, "cohere.embed-"):
		out, tokens, err = cohereEmbed(body)
	default:
		err = fmt.Errorf("the fake invokes only embedding models (amazon.titan-embed-text-*, cohere.embed-*), not %q", model)
	}
	if err != nil {
		s.error(w, http.StatusBadRequest, err.Error())
		return
	}
	w.Header().Set("X-Amzn-Bedrock-Input-Token-Count", fmt.Sprint(tokens))
	w.Header().Set("X-Amzn-Bedrock-Invocation-Latency", "1")
	writeJSON(w, out)
}

// titanEmbed is Titan Text Embeddings: v2 takes dimensions (256, 512 or
// 1024, the default), normalize (default true) and embeddingTypes
// ("float", "binary"), answered in embeddingsByType; v1 takes only the
// text and has 1536.
func titanEmbed(model string, body []byte) (any, int, error) {
	var req struct {
		InputText      *string  `json:"inputText"`
		Dimensions     *int     `json:"dimensions"`
		Normalize      *bool    `json:"normalize"`
		EmbeddingTypes []string `json:"embeddingTypes"`
	}
	if err := json.Unmarshal(body, &req); err != nil || req.InputText == nil || *req.InputText == "" {
		return nil, 0, fmt.Errorf("inputText: required, a non-empty string")
	}
	v2 := strings.HasPrefix(model, "amazon.titan-embed-text-v2")
	if !v2 && (req.Dimensions != nil || req.Normalize != nil || req.EmbeddingTypes != nil) {
		return nil, 0, fmt.Errorf("%s takes only inputText", model)
	}
	dim, raw := 1024, req.Normalize != nil && !*req.Normalize
	if !v2 {
		dim = 1536
	}
	if d := req.Dimensions; d != nil {
		if *d != 256 && *d != 512 && *d != 1024 {
			return nil, 0, fmt.Errorf("dimensions: %d is not one of 256, 512, 1024", *d)
		}
		dim = *d
	}
	v := Vector(*req.InputText, dim, raw)
	n := tokens(*req.InputText)
	out := map[string]any{"embedding": v, "inputTextTokenCount": n}
	if len(req.EmbeddingTypes) > 0 {
		byType := map[string]any{}
		for _, t := range req.EmbeddingTypes {
			switch t {
			case "float":
				byType[t] = v
			case "binary":
				bits := make([]int, dim)
				for i, x := range v {
					if x > 0 {
						bits[i] = 1
					}
				}
				byType[t] = bits
			default:
				return nil, 0, fmt.Errorf("embeddingTypes: %q is not float or binary", t)
			}
		}
		out["embeddingsByType"] = byType
	}
	return out, n, nil
}

// cohereEmbed is Cohere Embed (v3, 1024 dimensions): texts (1 to 96),
// input_type (required), truncate (NONE, START, END) and
// embedding_types; without these the answer is embeddings_floats,
// with them embeddings_by_type.
func cohereEmbed(body []byte) (any, int, error) {
	var req struct {
		Texts          []string `json:"texts"`
		InputType      string   `json:"input_type"`
		Truncate       string   `json:"truncate"`
		EmbeddingTypes []string `json:"embedding_types"`
	}
	if err := json.Unmarshal(body, &req); err != nil || len(req.Texts) == 0 || len(req.Texts) > 96 {
		return nil, 0, fmt.Errorf("texts: required, 1 to 96 strings")
	}
	switch req.InputType {
	case "search_document", "search_query", "classification", "clustering", "image":
	default:
		return nil, 0, fmt.Errorf("input_type: %q is not one of search_document, search_query, classification, clustering, image", req.InputType)
	}
	switch req.Truncate {
	case "", "NONE", "START", "END":
	default:
		return nil, 0, fmt.Errorf("truncate: %q is not one of NONE, START, END", req.Truncate)
	}
	var floats [][]float32
	n := 0
	for _, t := range req.Texts {
		floats = append(floats, Vector(t, 1024, false))
		n += tokens(t)
	}
	out := map[string]any{"id": "emb_fake", "texts": req.Texts, "response_type": "embeddings_floats", "embeddings": floats}
	if len(req.EmbeddingTypes) > 0 {
		byType := map[string]any{}
		for _, t := range req.EmbeddingTypes {
			switch t {
			case "float":
				byType[t] = floats
			case "int8", "uint8":
				// Scaled to the type's range, as Cohere quantizes.
				var q [][]int
				for _, v := range floats {
					row := make([]int, len(v))
					for i, x := range v {
						row[i] = int(math.Round(float64(x) * 127 * math.Sqrt(float64(len(v)))))
						row[i] = max(-128, min(127, row[i]))
						if t == "uint8" {
							row[i] += 128
						}
					}
					q = append(q, row)
				}
				byType[t] = q
			default:
				return nil, 0, fmt.Errorf("embedding_types: %q is not one of float, int8, uint8", t)
			}
		}
		out["response_type"], out["embeddings"] = "embeddings_by_type", byType
	}
	return out, n, nil
}
