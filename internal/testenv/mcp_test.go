package testenv

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// The direct baselines serve's MCP gateway is later compared to: the
// official conformance suite against go-sdk's everything-server with
// nothing in between. Stateless, the server cannot send requests to the
// client, so the scenarios that need sampling or elicitation fail, and it
// gives no session id, which the multiple-streams scenario warns about;
// the gateway must reproduce exactly these numbers in each session mode.
func TestConformanceBaselineEverythingServer(t *testing.T) {
	tests := []struct {
		name          string
		start         func(testing.TB) string
		passed, total int
		failed        []string
	}{
		{name: "stateful", start: StartEverythingServer, passed: 40, total: 40},
		{name: "stateless", start: StartEverythingServerStateless, passed: 26, total: 31, failed: []string{
			"elicitation-sep1034-defaults",
			"elicitation-sep1330-enums",
			"server-sse-multiple-streams",
			"tools-call-elicitation",
			"tools-call-sampling",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			url := tt.start(t)
			r := RunConformanceResult(t, url)
			if r.Passed != tt.passed || r.Total != tt.total || !slices.Equal(r.Failed, tt.failed) {
				t.Errorf("conformance: %d of %d passed, failing %q; want %d of %d, failing %q\n%s",
					r.Passed, r.Total, r.Failed, tt.passed, tt.total, tt.failed, r.Report)
			}
		})
	}
}

func TestInspectorCLIEverythingServer(t *testing.T) {
	url := StartEverythingServer(t)

	var list struct {
		Tools []struct {
			Name string `json:"name"`
		} `json:"tools"`
	}
	out := RunInspectorCLI(t, url, "--method", "tools/list")
	if err := json.Unmarshal(out, &list); err != nil {
		t.Fatalf("tools/list: %v\n%s", err, out)
	}
	var names []string
	for _, tool := range list.Tools {
		names = append(names, tool.Name)
	}
	// A sample of go-sdk v1.8.0's conformance tools, and their number.
	for _, want := range []string{"test_simple_text", "test_image_content", "test_sampling", "json_schema_2020_12_tool"} {
		if !slices.Contains(names, want) {
			t.Errorf("tools/list lacks %q: %q", want, names)
		}
	}
	if len(names) != 28 {
		t.Errorf("tools/list: %d tools, want 28: %q", len(names), names)
	}

	out = RunInspectorCLI(t, url, "--method", "tools/call", "--tool-name", "test_simple_text")
	var call struct {
		Content []struct {
			Type, Text string
		} `json:"content"`
	}
	if err := json.Unmarshal(out, &call); err != nil {
		t.Fatalf("tools/call: %v\n%s", err, out)
	}
	want := []struct{ Type, Text string }{{"text", "This is a simple text response for testing."}}
	if len(call.Content) != 1 || call.Content[0] != want[0] {
		t.Errorf("tools/call test_simple_text: %+v, want %+v", call.Content, want)
	}
}

// install.sh builds the go-sdk version testenv looks for.
func TestMCPGoSDKVersionMatchesInstallScript(t *testing.T) {
	root, err := ModuleRoot()
	if err != nil {
		t.Fatal(err)
	}
	script, err := os.ReadFile(filepath.Join(root, "hack", "mcp", "install.sh"))
	if err != nil {
		t.Fatal(err)
	}
	want := "MCP_GO_SDK_VERSION=${MCP_GO_SDK_VERSION:-" + MCPGoSDKVersion + "}"
	if !strings.Contains(string(script), want) {
		t.Errorf("hack/mcp/install.sh does not pin %s: want the line %q", MCPGoSDKVersion, want)
	}
}

func TestReadConformance(t *testing.T) {
	dir := t.TempDir()
	results := map[string]string{
		"server-ping-2026-12-04T22-40-11-851Z": `[{"id":"ping","name":"Ping","status":"SUCCESS"}]`,
		"server-tools-call-sampling-2026-12-04T22-40-12-001Z": `[
			{"id":"a","name":"ToolsCallSampling","status":"FAILURE","errorMessage":"Server did not request sampling from client"},
			{"id":"b","name":"Other","status":"SUCCESS"}]`,
		"server-server-sse-multiple-streams-2026-12-04T22-40-12-002Z": `[
			{"id":"c","name":"ServerSSEMultipleStreamsSession","status":"WARNING","details":{"message":"no session id"}},
			{"id":"d","name":"Note","status":"INFO"}]`,
	}
	for name, checks := range results {
		if err := os.MkdirAll(filepath.Join(dir, name), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name, "checks.json"), []byte(checks), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	r, err := readConformance(dir)
	if err != nil {
		t.Fatal(err)
	}
	wantReport := `✓ ping: 1 passed, 0 failed
✗ server-sse-multiple-streams: 0 passed, 1 failed
    - WARNING ServerSSEMultipleStreamsSession: no session id
✗ tools-call-sampling: 1 passed, 1 failed
    - FAILURE ToolsCallSampling: Server did not request sampling from client
Total: 2 of 4 checks passed in 3 scenarios
`
	if r.Passed != 2 || r.Total != 4 || !slices.Equal(r.Failed, []string{"server-sse-multiple-streams", "tools-call-sampling"}) || r.Report != wantReport {
		t.Errorf("readConformance: %d of %d, failing %q, report:\n%s\nwant 2 of 4, report:\n%s", r.Passed, r.Total, r.Failed, r.Report, wantReport)
	}

	if _, err := readConformance(t.TempDir()); err == nil {
		t.Error("readConformance of an empty directory: no error")
	}
}
