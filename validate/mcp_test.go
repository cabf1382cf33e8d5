package validate

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/kubelb-ai/kubelb-ai/templates"
	"github.com/kubelb-ai/kubelb-ai/validate/loader"
)

// mcpFindings validates testdata/mcp/file by agentgateway release and
// returns the findings of the rules named, one line each with the fix.
func mcpFindings(t *testing.T, release, file string, rules ...string) []string {
	t.Helper()
	r := validatorFor(t, templates.Agentgateway, templates.CRDVersions{DataPlane: release}).Validate(t.Context(), loader.Load([]string{filepath.Join("testdata/mcp", file)}, nil))
	var out []string
	for _, f := range r.Findings {
		if slices.Contains(rules, f.Rule) {
			out = append(out, strings.TrimSpace(findingsText(&Report{Findings: []Finding{f}}))+" @ "+f.Object+" "+f.Path)
		}
	}
	return out
}

var mcpReleases = []string{"v1.1.0", "v1.3.1", "v1.4.1"}

// The CRDs' MCP rules are enforced by every release that has them, at the
// field, with the CRD's message, and nothing else is reported.
func TestMCPCELRulesPerRelease(t *testing.T) {
	const oneOfTarget = ": error: Invalid value: exactly one of the fields in [selector static] must be set [cel] fix:"
	authz := map[string]string{
		"v1.1.0": "at least one of the fields in [authentication authorization] must be set",
		"v1.3.1": "at least one of the fields in [authentication authorization guardrails] must be set",
		"v1.4.1": "at least one of the fields in [authentication authorization guardrails] must be set",
	}
	for _, release := range mcpReleases {
		for _, tc := range []struct {
			file string
			want []string
		}{
			{"selector-and-static.yaml", []string{
				"selector-and-static.yaml:9:7" + oneOfTarget + " @ AgentgatewayBackend kubelb/mcp spec.mcp.targets[0]",
				"selector-and-static.yaml:12:7" + oneOfTarget + " @ AgentgatewayBackend kubelb/mcp spec.mcp.targets[1]",
			}},
			{"target-names.yaml", []string{
				"target-names.yaml:7:5: error: Invalid value: target names must be unique [cel] fix: @ AgentgatewayBackend kubelb/mcp spec.mcp.targets",
				`target-names.yaml:10:7: error: Duplicate value: {"name":"tools"} [schema] fix: @ AgentgatewayBackend kubelb/mcp spec.mcp.targets[1]`,
			}},
			{"host-and-backendref.yaml", []string{
				"host-and-backendref.yaml:9:7: error: Invalid value: exactly one of the fields in [host backendRef] must be set [cel] fix: @ AgentgatewayBackend kubelb/mcp spec.mcp.targets[0].static",
			}},
			{"selector-empty.yaml", []string{
				"selector-empty.yaml:9:7: error: Invalid value: at least one of the fields in [namespaces services] must be set [cel] fix: @ AgentgatewayBackend kubelb/mcp spec.mcp.targets[0].selector",
			}},
			{"policies-with-backendref.yaml", []string{
				"policies-with-backendref.yaml:10:7: error: Invalid value: mcp target policies may not be used with backendRef [cel] fix: @ AgentgatewayBackend kubelb/mcp spec.mcp.targets[0].static",
			}},
			{"policies-without-mcp.yaml", []string{
				"policies-without-mcp.yaml:5:1: error: Invalid value: MCP policies require MCP backend [cel] fix: @ AgentgatewayBackend kubelb/llm spec",
			}},
			{"policy-mcp-empty.yaml", []string{
				"policy-mcp-empty.yaml:9:5: error: Invalid value: " + authz[release] + " [cel] fix: @ AgentgatewayPolicy kubelb/p spec.backend.mcp",
			}},
		} {
			got := mcpFindings(t, release, tc.file, RuleCEL, RuleSchema, RuleUnknownField)
			if strings.Join(got, "\n") != strings.Join(tc.want, "\n") {
				t.Errorf("%s by agentgateway %s:\n%s\nwant:\n%s", tc.file, release, strings.Join(got, "\n"), strings.Join(tc.want, "\n"))
			}
		}
	}
	// Guardrails came with v1.3.1: their method wildcard rule fires there,
	// and v1.1.0 knows no guardrails at all.
	guard := map[string][]string{
		"v1.1.0": {
			"guardrails-methods.yaml:9:5: error: Invalid value: " + authz["v1.1.0"] + " [cel] fix: @ AgentgatewayPolicy kubelb/p spec.backend.mcp",
			`guardrails-methods.yaml:10:7: error: Forbidden: unknown field "spec.backend.mcp.guardrails" [unknown-field] fix: spec.backend.mcp.guardrails is a field of agentgateway v1.4.1 (--data-plane-version v1.4.1), agentgateway v1.3.1 (--kubelb-version 1.5): if the cluster runs that release, validate with its flag; else remove it @ AgentgatewayPolicy kubelb/p spec.backend.mcp.guardrails`,
		},
		"v1.3.1": {"guardrails-methods.yaml:12:11: error: Invalid value: method wildcards must be '*', a prefix like 'tools/*', or a suffix like '*/list' [cel] fix: @ AgentgatewayPolicy kubelb/p spec.backend.mcp.guardrails.processors[0].methods"},
		"v1.4.1": {"guardrails-methods.yaml:12:11: error: Invalid value: method wildcards must be '*', a prefix like 'tools/*', or a suffix like '*/list' [cel] fix: @ AgentgatewayPolicy kubelb/p spec.backend.mcp.guardrails.processors[0].methods"},
	}
	for release, want := range guard {
		if got := mcpFindings(t, release, "guardrails-methods.yaml", RuleCEL, RuleSchema, RuleUnknownField); strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Errorf("guardrails-methods.yaml by agentgateway %s:\n%s\nwant:\n%s", release, strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
	}
	// The fixed shapes pass on v1.4.1.
	fixed := map[string][]string{
		"selector-and-static.yaml":      {"      selector: {services: {matchLabels: {app: mcp}}}\n", "", "- name: neither", "- {name: neither, selector: {namespaces: {matchLabels: {mcp: enabled}}}}"},
		"target-names.yaml":             {"- name: tools\n      static: {host: b", "- name: more\n      static: {host: b"},
		"host-and-backendref.yaml":      {"        host: tools.example.com\n", ""},
		"selector-empty.yaml":           {"selector: {}", "selector: {namespaces: {matchLabels: {mcp: enabled}}}"},
		"policies-with-backendref.yaml": {"backendRef: {name: tools}", "host: tools.example.com"},
		"policy-mcp-empty.yaml":         {"mcp: {}", "mcp: {authorization: {policy: {matchExpressions: ['true']}}}"},
		"guardrails-methods.yaml":       {"tools/*/call", "tools/*"},
	}
	for file, edits := range fixed {
		data, err := os.ReadFile("testdata/mcp/" + file)
		if err != nil {
			t.Fatal(err)
		}
		text := string(data)
		for i := 0; i < len(edits); i += 2 {
			if !strings.Contains(text, edits[i]) {
				t.Fatalf("%s: the edit %q does not apply", file, edits[i])
			}
			text = strings.Replace(text, edits[i], edits[i+1], 1)
		}
		p := filepath.Join(t.TempDir(), file)
		os.WriteFile(p, []byte(text), 0o644)
		r := validatorFor(t, templates.Agentgateway, templates.CRDVersions{DataPlane: "v1.4.1"}).Validate(t.Context(), loader.Load([]string{p}, nil))
		if r.Errors() != 0 {
			t.Errorf("%s, fixed: %s", file, findingsText(r))
		}
	}
}

// KubeLB's documented MCP example is refused by every release, each
// misplaced field with the exact place it belongs; moved under static:, it
// passes.
func TestMCPKubeLBExample(t *testing.T) {
	const hint = `kubelb-example.yaml:%[2]d:7: error: Forbidden: unknown field "spec.mcp.targets[0].%[1]s" [unknown-field] fix: move it under static: spec.mcp.targets[0].static.%[1]s (with the target's other server fields: backendRef, host, port, path, protocol); KubeLB's MCP example puts them directly under targets[] by mistake, which no agentgateway release accepts @ AgentgatewayBackend kubelb/mcp-backend spec.mcp.targets[0].%[1]s`
	want := []string{
		"kubelb-example.yaml:10:7" + ": error: Invalid value: exactly one of the fields in [selector static] must be set [cel] fix: @ AgentgatewayBackend kubelb/mcp-backend spec.mcp.targets[0]",
	}
	for i, field := range []string{"backendRef", "port", "protocol"} {
		want = append(want, fmt.Sprintf(hint, field, 11+i))
	}
	for _, release := range mcpReleases {
		if got := mcpFindings(t, release, "kubelb-example.yaml", RuleCEL, RuleSchema, RuleUnknownField); strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Errorf("by agentgateway %s:\n%s\nwant:\n%s", release, strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
	}
	data, _ := os.ReadFile("testdata/mcp/kubelb-example.yaml")
	moved := strings.Replace(string(data), "      backendRef:", "      static:\n        backendRef:", 1)
	moved = strings.NewReplacer("      port:", "        port:", "      protocol:", "        protocol:").Replace(moved)
	p := filepath.Join(t.TempDir(), "moved.yaml")
	os.WriteFile(p, []byte(moved), 0o644)
	for _, release := range mcpReleases {
		r := validatorFor(t, templates.Agentgateway, templates.CRDVersions{DataPlane: release}).Validate(t.Context(), loader.Load([]string{p}, nil))
		if r.Errors() != 0 || !strings.Contains(moved, "static:\n        backendRef") {
			t.Errorf("moved under static:, by %s:\n%s\n%s", release, moved, findingsText(r))
		}
	}
}

// spec.mcp.prefixMode is refused before v1.4.1 with what it needs; v1.4.1
// accepts it.
func TestMCPPrefixModeRelease(t *testing.T) {
	const want = `prefix-mode.yaml:7:5: error: Forbidden: unknown field "spec.mcp.prefixMode" [unknown-field] fix: prefixMode needs agentgateway v1.4.1 or later; no KubeLB release ships it yet (the newest, KubeLB 1.5, runs agentgateway v1.3.1). Remove it (names are then prefixed with the target name when there are several targets, as Conditional does), or validate with --data-plane-version v1.4.1 for a cluster that runs it @ AgentgatewayBackend kubelb/mcp spec.mcp.prefixMode`
	for release, w := range map[string]string{"v1.1.0": want, "v1.3.1": want, "v1.4.1": ""} {
		if got := strings.Join(mcpFindings(t, release, "prefix-mode.yaml", RuleCEL, RuleSchema, RuleUnknownField), "\n"); got != w {
			t.Errorf("by agentgateway %s:\n%s\nwant:\n%s", release, got, w)
		}
	}
}

// mcp-auth-forwarded reports exactly the targets the fixture's comment
// lists as positive, on every release (the fixture is valid on v1.3.1 and
// v1.4.1; v1.1.0 lacks two fields the negative cases use, which the rule
// does not read differently).
func TestMCPAuthForwarded(t *testing.T) {
	const msg = ": warning: MCP target %s receives the client's Authorization header unchanged (route %s): agentgateway copies the client's headers to MCP targets, and nothing on the way sets a credential for this server or removes the client's, so a token meant for the gateway or another service reaches it [mcp-auth-forwarded] fix: "
	const authn = "authenticate clients on the route (an AgentgatewayPolicy with traffic.jwtAuthentication, or backend.mcp.authentication, mode Strict), which removes the header once validated"
	static := func(i string) string {
		return "give the target its own credential (spec.mcp.targets[" + i + "].static.policies.auth.secretRef), or " + authn + "; set static.policies.auth.passthrough: {} if the server is meant to receive the client's token"
	}
	line := func(pos, target, route, fix, obj, path string) string {
		return "lint-auth-forwarded.yaml:" + pos + fmt.Sprintf(msg, target, route) + fix + " @ AgentgatewayBackend kubelb/" + obj + " " + path
	}
	want := []string{
		line("38:7", "fetch", "r-open", static("0"), "mcp-open", "spec.mcp.targets[0].name"),
		line("40:7", "labelled", "r-open", authn, "mcp-open", "spec.mcp.targets[1].name"),
		line("68:7", "tools", "r-permissive", static("0"), "mcp-permissive", "spec.mcp.targets[0].name"),
		line("77:7", "tools", "r-other-header", static("0"), "mcp-other-header", "spec.mcp.targets[0].name"),
	}
	for _, release := range mcpReleases {
		if got := mcpFindings(t, release, "lint-auth-forwarded.yaml", RuleMCPAuthForwarded); strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Errorf("by agentgateway %s:\n%s\nwant:\n%s", release, strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
	}
	if errs := mcpFindings(t, "v1.4.1", "lint-auth-forwarded.yaml", RuleCEL, RuleSchema, RuleUnknownField, RuleRefUnresolved); len(errs) > 0 {
		t.Errorf("fixture findings:\n%s", strings.Join(errs, "\n"))
	}
	// Disabled, it says nothing.
	v, err := New(Options{Target: templates.Agentgateway, Versions: templates.CRDVersions{DataPlane: "v1.4.1"}, Disable: []string{RuleMCPAuthForwarded}})
	if err != nil {
		t.Fatal(err)
	}
	if got := findingsText(v.Validate(t.Context(), loader.Load([]string{"testdata/mcp/lint-auth-forwarded.yaml"}, nil))); strings.Contains(got, RuleMCPAuthForwarded) {
		t.Errorf("disabled:\n%s", got)
	}
}

// A route to MCP backends alone reaches no LLM: no-rate-limit stays quiet
// there (it fired, calling it "a route to an LLM").
func TestNoRateLimitSkipsMCPRoutes(t *testing.T) {
	if got := mcpFindings(t, "v1.4.1", "lint-auth-forwarded.yaml", RuleNoRateLimit); len(got) != 0 {
		t.Errorf("no-rate-limit on MCP routes:\n%s", strings.Join(got, "\n"))
	}
}
