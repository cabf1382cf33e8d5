package testenv

import (
	"encoding/json"
	"slices"
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
