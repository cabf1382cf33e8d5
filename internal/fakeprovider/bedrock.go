package fakeprovider

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
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
