package mcp

import (
	"bytes"
	"testing"
)

func TestParseMessage(t *testing.T) {
	tests := []struct {
		name string
		in   string
		code int // 0: accepted
	}{
		{"request", `{"jsonrpc":"2.0","id":1,"method":"tools/list"}`, 0},
		{"string id", `{"jsonrpc":"2.0","id":"a","method":"ping"}`, 0},
		{"negative id", `{"jsonrpc":"2.0","id":-3,"method":"ping"}`, 0},
		{"notification", `{"jsonrpc":"2.0","method":"notifications/initialized"}`, 0},
		{"response", `{"jsonrpc":"2.0","id":7,"result":{}}`, 0},
		{"leading space", " \n{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}", 0},
		{"batch", `[{"jsonrpc":"2.0","id":1,"method":"ping"}]`, codeInvalidRequest},
		{"batch after space", ` [ ]`, codeInvalidRequest},
		{"null id", `{"jsonrpc":"2.0","id":null,"method":"ping"}`, codeInvalidRequest},
		{"object id", `{"jsonrpc":"2.0","id":{"a":1},"method":"ping"}`, codeInvalidRequest},
		{"array id", `{"jsonrpc":"2.0","id":[1],"method":"ping"}`, codeInvalidRequest},
		{"bool id", `{"jsonrpc":"2.0","id":true,"method":"ping"}`, codeInvalidRequest},
		{"missing jsonrpc", `{"id":1,"method":"ping"}`, codeInvalidRequest},
		{"jsonrpc 1.0", `{"jsonrpc":"1.0","id":1,"method":"ping"}`, codeInvalidRequest},
		{"neither method nor id", `{"jsonrpc":"2.0","result":{}}`, codeInvalidRequest},
		{"not JSON", `{"jsonrpc":`, codeParseError},
		{"empty", ``, codeParseError},
		{"method not a string", `{"jsonrpc":"2.0","id":1,"method":5}`, codeParseError},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := parseMessage([]byte(tt.in))
			if tt.code == 0 {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				if m == nil {
					t.Fatal("nil message")
				}
				return
			}
			if err == nil {
				t.Fatalf("accepted %s", tt.in)
			}
			if err.Code != tt.code {
				t.Fatalf("code %d, want %d (%s)", err.Code, tt.code, err.Message)
			}
		})
	}
}

func TestMessageKinds(t *testing.T) {
	req, _ := parseMessage([]byte(`{"jsonrpc":"2.0","id":1,"method":"ping"}`))
	note, _ := parseMessage([]byte(`{"jsonrpc":"2.0","method":"notifications/cancelled"}`))
	resp, _ := parseMessage([]byte(`{"jsonrpc":"2.0","id":1,"error":{"code":-1,"message":"x"}}`))
	if !req.isRequest() || req.isNotification() || req.isResponse() {
		t.Error("request misclassified")
	}
	if note.isRequest() || !note.isNotification() || note.isResponse() {
		t.Error("notification misclassified")
	}
	if resp.isRequest() || resp.isNotification() || !resp.isResponse() {
		t.Error("response misclassified")
	}
}

func FuzzParseMessage(f *testing.F) {
	for _, s := range []string{
		`{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"x","arguments":{}}}`,
		`{"jsonrpc":"2.0","id":"abc","result":{"tools":[]}}`,
		`{"jsonrpc":"2.0","id":2,"error":{"code":-32601,"message":"no","data":[1]}}`,
		`{"jsonrpc":"2.0","method":"notifications/progress","params":{"progressToken":1}}`,
		`[{"jsonrpc":"2.0"}]`,
		`{"jsonrpc":"2.0","id":null}`,
		`{"jsonrpc":"2.0","id":1,"id":null,"method":"x"}`,
		`{"JSONRPC":"2.0","ID":1e3,"METHOD":"x"}`,
		``,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := parseMessage(b)
		if err != nil {
			if m != nil {
				t.Fatal("a refused message came with a message")
			}
			return
		}
		out := encode(m)
		again, err := parseMessage(out)
		if err != nil {
			t.Fatalf("%q was accepted but its re-encoding %q is refused: %v", b, out, err)
		}
		if again.Method != m.Method || !bytes.Equal(again.ID, m.ID) {
			t.Fatalf("re-encoding changed the message: %q -> %q", b, out)
		}
	})
}
