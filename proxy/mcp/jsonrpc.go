package mcp

import (
	"bytes"
	"encoding/json"
	"fmt"
)

// message is one JSON-RPC 2.0 message as MCP sends it. Params, results and
// errors stay raw: the gateway reads and rewrites only the few fields it
// routes by (a name, a URI, a cursor) and passes the rest as it came.
type message struct {
	JSONRPC string          `json:"jsonrpc"`
	ID      json.RawMessage `json:"id,omitempty"`
	Method  string          `json:"method,omitempty"`
	Params  json.RawMessage `json:"params,omitempty"`
	Result  json.RawMessage `json:"result,omitempty"`
	Error   *rpcError       `json:"error,omitempty"`
}

type rpcError struct {
	Code    int             `json:"code"`
	Message string          `json:"message"`
	Data    json.RawMessage `json:"data,omitempty"`
}

func (e *rpcError) Error() string { return fmt.Sprintf("%s (%d)", e.Message, e.Code) }

// JSON-RPC and MCP error codes.
const (
	codeParseError     = -32700
	codeInvalidRequest = -32600
	codeMethodNotFound = -32601
	codeInvalidParams  = -32602
	codeInternal       = -32603
	// codeHeaderMismatch is 2026-07-28's answer to request headers that
	// disagree with the body.
	codeHeaderMismatch = -32020
)

func (m *message) isRequest() bool      { return m.Method != "" && len(m.ID) > 0 }
func (m *message) isNotification() bool { return m.Method != "" && len(m.ID) == 0 }
func (m *message) isResponse() bool     { return m.Method == "" && len(m.ID) > 0 }

// parseMessage reads one message and refuses what is not JSON-RPC 2.0: a
// batch, a null or non-scalar id, neither a method nor an id.
func parseMessage(b []byte) (*message, *rpcError) {
	b = bytes.TrimSpace(b)
	if len(b) > 0 && b[0] == '[' {
		return nil, &rpcError{Code: codeInvalidRequest, Message: "JSON-RPC batches are not supported: send one message per request"}
	}
	var m message
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, &rpcError{Code: codeParseError, Message: "the body is not a JSON-RPC message: " + err.Error()}
	}
	if m.JSONRPC != "2.0" {
		return nil, &rpcError{Code: codeInvalidRequest, Message: `"jsonrpc" must be "2.0"`}
	}
	if len(m.ID) > 0 {
		switch m.ID[0] {
		case '"', '-', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9':
		default:
			return nil, &rpcError{Code: codeInvalidRequest, Message: "the id must be a string or a number"}
		}
	}
	if m.Method == "" && len(m.ID) == 0 {
		return nil, &rpcError{Code: codeInvalidRequest, Message: "a message needs a method or an id"}
	}
	return &m, nil
}

// encode writes m as JSON-RPC 2.0. It does not touch m: a fan-out sends
// one message to several targets at once.
func encode(m *message) []byte {
	c := *m
	c.JSONRPC = "2.0"
	b, err := json.Marshal(&c)
	if err != nil { // raw fields were valid JSON when read; cannot happen
		panic(err)
	}
	return b
}

// errorMessage is the error response to the request with id (nil: one
// whose id could not be read, answered with "id": null as JSON-RPC asks).
func errorMessage(id json.RawMessage, code int, msg string) *message {
	if id == nil {
		id = json.RawMessage("null")
	}
	return &message{ID: id, Error: &rpcError{Code: code, Message: msg}}
}

func resultMessage(id json.RawMessage, result any) *message {
	b, err := json.Marshal(result)
	if err != nil {
		panic(err)
	}
	return &message{ID: id, Result: b}
}

// params are a message's params, decoded one level: the gateway changes a
// field and re-encodes, leaving the others byte for byte.
type params map[string]json.RawMessage

func paramsOf(m *message) (params, error) {
	p := params{}
	if len(m.Params) == 0 || string(m.Params) == "null" {
		return p, nil
	}
	if err := json.Unmarshal(m.Params, &p); err != nil {
		return nil, fmt.Errorf("params must be an object: %v", err)
	}
	return p, nil
}

// str is the string field k ("" when absent or not a string).
func (p params) str(k string) string {
	var s string
	if raw, ok := p[k]; ok {
		_ = json.Unmarshal(raw, &s)
	}
	return s
}

func (p params) set(k string, v any) {
	b, _ := json.Marshal(v)
	p[k] = b
}

func (p params) raw() json.RawMessage {
	b, _ := json.Marshal(map[string]json.RawMessage(p))
	return b
}

// meta is params._meta, decoded one level.
func (p params) meta() map[string]json.RawMessage {
	var m map[string]json.RawMessage
	_ = json.Unmarshal(p["_meta"], &m)
	return m
}
