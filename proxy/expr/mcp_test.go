package expr

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

// The MCP gateway authorizes with the mcp variable it sets per tool,
// prompt or resource (proxy/mcp Gateway.allowed).
func TestMCPVariable(t *testing.T) {
	p, err := Compile(`mcp.tool.name == "x"`)
	if err != nil {
		t.Fatal(err)
	}
	v := NewVars(httptest.NewRequest(http.MethodPost, "http://gw.example/mcp", nil), "10.0.0.1:1")
	// Unset: mcp has no fields, so the rule errs (and the gateway denies).
	if ok, err := p.Bool(v); err == nil || ok {
		t.Fatalf("before SetMCP: %v, %v; want an error", ok, err)
	}
	v.SetMCP(map[string]any{"tool": map[string]any{"name": "x", "target": "a"}})
	if ok, err := p.Bool(v); err != nil || !ok {
		t.Fatalf("tool x: %v, %v", ok, err)
	}
	v.SetMCP(map[string]any{"tool": map[string]any{"name": "y", "target": "a"}})
	if ok, err := p.Bool(v); err != nil || ok {
		t.Fatalf("tool y: %v, %v", ok, err)
	}
	both, err := Compile(`mcp.tool.target == "a" && mcp.tool.name.startsWith("x")`)
	if err != nil {
		t.Fatal(err)
	}
	v.SetMCP(map[string]any{"tool": map[string]any{"name": "x1", "target": "a"}})
	if ok, err := both.Bool(v); err != nil || !ok {
		t.Fatalf("target and name: %v, %v", ok, err)
	}
	// A rule about tools does not hold for a prompt.
	v.SetMCP(map[string]any{"prompt": map[string]any{"name": "x", "target": "a"}})
	if ok, err := p.Bool(v); err == nil && ok {
		t.Fatal("a tool rule allows a prompt")
	}
	if ok, err := mustCompile(t, `has(mcp.prompt) && mcp.prompt.name == "x"`).Bool(v); err != nil || !ok {
		t.Fatalf("prompt rule: %v, %v", ok, err)
	}
}

func mustCompile(t *testing.T, src string) *Program {
	t.Helper()
	p, err := Compile(src)
	if err != nil {
		t.Fatal(err)
	}
	return p
}
