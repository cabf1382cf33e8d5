package main

import (
	"os"
	"reflect"
	"strings"
	"testing"
)

// The MCP flags render what testdata/specs/mcp.yaml renders, object for
// object, but for its allow rules (no flag gives those) and its provider.
func TestGenerateMCPFlagsMatchGolden(t *testing.T) {
	code, out, errOut := runCmd(t, "generate", "--target", "agentgateway", "--provider", "openai",
		"--mcp", "github=https://api.githubcopilot.com/mcp/", "--mcp-key", "github=GITHUB_MCP_TOKEN",
		"--mcp", "everything=http://everything.mcp.svc.cluster.local:3001/sse", "--mcp", "search=search:8080/mcp",
		"--mcp-sessions", "stateless", "--mcp-failure", "open")
	if code != 0 {
		t.Fatalf("exit %d\n%s", code, errOut)
	}
	data, err := os.ReadFile("../../testdata/golden/agentgateway/mcp.yaml")
	if err != nil {
		t.Fatal(err)
	}
	want, got := objectsByName(t, string(data)), objectsByName(t, out)
	for _, name := range []string{"Secret/mcp-github-secret", "AgentgatewayBackend/mcp", "HTTPRoute/mcp", "AgentgatewayBackend/openai"} {
		if want[name] == nil || !reflect.DeepEqual(want[name], got[name]) {
			t.Errorf("%s differs from the golden:\n%v\n--- want\n%v", name, got[name], want[name])
		}
	}
	if _, ok := got["AgentgatewayPolicy/mcp-authorization"]; ok {
		t.Error("an authorization policy without allow rules")
	}
}

func TestGenerateMCPFlagErrors(t *testing.T) {
	agw := []string{"--target", "agentgateway"}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--mcp", "a=http://a.example.com/mcp"}, "--mcp: target kgateway-v2.1 has no MCP gateway; targets that have one: agentgateway"},
		{append(agw, "--mcp-failure", "open"), `--mcp-failure: "open" needs an MCP server to apply to: add --mcp NAME=URL`},
		{append(agw, "--mcp", "a=http://a.example.com/mcp", "--mcp-sessions", "sticky"), `--mcp-sessions: unknown session mode "sticky": use stateful or stateless`},
		{append(agw, "--mcp", "a=http://a.example.com/mcp", "--mcp-prefix", "never"), "--mcp-prefix: prefixMode needs agentgateway v1.4.1 or later, which no KubeLB release runs yet"},
		{append(agw, "--mcp", "a=search.tools:8080", "--mcp-key", "a=TOKEN"), "--mcp-key: a server reached as a Service cannot carry a credential"},
		{append(agw, "--mcp", "a=http://a.example.com/mcp", "--mcp-path", "mcp"), `--mcp-path: "mcp" must start with /`},
	} {
		code, _, errOut := runCmd(t, append([]string{"generate"}, tc.args...)...)
		if code != 2 || !strings.Contains(errOut, tc.want) {
			t.Errorf("generate %s: exit %d, want 2 and %q in:\n%s", strings.Join(tc.args, " "), code, tc.want, errOut)
		}
	}
}
