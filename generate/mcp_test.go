package generate

import (
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/kubelb-ai/kubelb-ai/spec"
)

// mcpSpec is an MCP-only gateway on agentgateway with every field the
// Spec carries.
func mcpSpec(prefix string) *spec.AIGateway {
	g := &spec.AIGateway{Spec: spec.Spec{Target: "agentgateway", MCP: []spec.MCPGateway{{
		Name: "tools", Path: "/tools", Sessions: spec.MCPStateful, FailureMode: spec.MCPFailClosed, PrefixMode: prefix,
		Servers: []spec.MCPServer{
			{Name: "github", URL: "https://api.githubcopilot.com/mcp/", KeyEnv: "GITHUB_MCP_TOKEN"},
			{Name: "ip", URL: "https://10.1.2.3:8443/mcp", KeyEnv: "IP_TOKEN"},
			{Name: "plain", URL: "http://plain.example.com"},
			{Name: "legacy", URL: "http://legacy.example.com:3001/events", Protocol: spec.MCPSSE},
			{Name: "search", Service: "search:8080"},
		},
		Allow: []string{`mcp.tool.name == "search"`},
	}, {
		Name: "more", Path: "/more", Servers: []spec.MCPServer{{Name: "a", Service: "a.kubelb:80", Path: "/v1/mcp"}},
	}}}}
	spec.Default(g)
	return g
}

// renderParse renders g and parses the YAML back, returning the Spec and
// the issues.
func renderParse(t *testing.T, g *spec.AIGateway) (*spec.AIGateway, []Issue, string) {
	t.Helper()
	objs, err := Render(g)
	if err != nil {
		t.Fatal(err)
	}
	out, err := Encode(objs, "yaml")
	if err != nil {
		t.Fatal(err)
	}
	docs, err := DecodeManifests(out)
	if err != nil {
		t.Fatal(err)
	}
	parsed, issues, err := Parse(g.Spec.Target, docs)
	if err != nil {
		t.Fatal(err)
	}
	return parsed, issues, string(out)
}

// render -> import is the identity on the Spec for MCP gateways, the
// prefix mode included (Check refuses it until a KubeLB release runs
// agentgateway v1.4.1, so it is rendered unchecked here).
func TestMCPRoundTrip(t *testing.T) {
	for _, prefix := range []string{"", spec.MCPPrefixNever} {
		g := mcpSpec(prefix)
		if prefix == "" {
			if err := spec.Check(g); err != nil {
				t.Fatal(err)
			}
			roundTrip(t, g)
		}
		parsed, issues, out := renderParse(t, g)
		if len(issues) > 0 {
			t.Fatalf("issues: %v", issues)
		}
		if !reflect.DeepEqual(parsed.Spec.MCP, g.Spec.MCP) {
			t.Errorf("prefix %q: MCP read back\n%+v\nwant\n%+v\nfrom\n%s", prefix, parsed.Spec.MCP, g.Spec.MCP, out)
		}
		if len(parsed.Spec.Providers)+len(parsed.Spec.Routes) != 0 {
			t.Errorf("an MCP-only gateway read back providers or routes: %+v %+v", parsed.Spec.Providers, parsed.Spec.Routes)
		}
		if got := strings.Contains(out, "prefixMode: Never"); got != (prefix != "") {
			t.Errorf("prefix %q: prefixMode in the manifests is %v:\n%s", prefix, got, out)
		}
	}
}

// What the manifests hold beyond the Spec is reported, never dropped.
func TestParseMCPIssues(t *testing.T) {
	const head = `apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: gw, namespace: kubelb}
spec:
  gatewayClassName: agentgateway
  listeners: [{name: http, port: 8080, protocol: HTTP}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: tools, namespace: kubelb}
spec:
  parentRefs: [{name: gw}]
  rules:
  - matches: [{path: {type: PathPrefix, value: /mcp}}]
    backendRefs: [{group: agentgateway.dev, kind: AgentgatewayBackend, name: tools}]
---
`
	for _, tc := range []struct {
		name, docs string
		want       []string // issues, as Object: Message
		access     bool     // the manifests check callers the Spec cannot carry
	}{
		{"selector target", `apiVersion: agentgateway.dev/v1alpha1
kind: AgentgatewayBackend
metadata: {name: tools, namespace: kubelb}
spec:
  mcp:
    targets:
    - name: found
      selector: {services: {matchLabels: {app: mcp}}}
    - name: s
      static: {host: s.example.com, port: 80}
`, []string{"AgentgatewayBackend/tools: target found: a Service selector is not represented (the Spec names each server)"}, false},
		{"literal credential", `apiVersion: v1
kind: Secret
metadata: {name: key, namespace: kubelb}
stringData: {Authorization: sk-literal}
---
apiVersion: agentgateway.dev/v1alpha1
kind: AgentgatewayBackend
metadata: {name: tools, namespace: kubelb}
spec:
  mcp:
    targets:
    - name: s
      static: {host: s.example.com, port: 80, policies: {auth: {secretRef: {name: key}}}}
`, []string{"Secret/key: holds no ${VAR} marker (a literal key or none); server s's credential is not represented: set its keyEnv"}, false},
		{"missing Secret", `apiVersion: agentgateway.dev/v1alpha1
kind: AgentgatewayBackend
metadata: {name: tools, namespace: kubelb}
spec:
  mcp:
    targets:
    - name: s
      static: {host: s.example.com, port: 80, policies: {auth: {passthrough: {}}}}
`, []string{"AgentgatewayBackend/tools: target s: credentials other than a Secret's Authorization are not represented"}, false},
		{"deny rules", `apiVersion: agentgateway.dev/v1alpha1
kind: AgentgatewayBackend
metadata: {name: tools, namespace: kubelb}
spec:
  mcp:
    targets: [{name: s, static: {host: s.example.com, port: 80}}]
---
apiVersion: agentgateway.dev/v1alpha1
kind: AgentgatewayPolicy
metadata: {name: deny, namespace: kubelb}
spec:
  targetRefs: [{group: agentgateway.dev, kind: AgentgatewayBackend, name: tools}]
  backend: {mcp: {authorization: {action: Deny, policy: {matchExpressions: ['mcp.tool.name == "rm"']}}}}
`, []string{"AgentgatewayPolicy/deny: backend policies other than ai are not represented"}, true},
		{"unrouted backend", `apiVersion: agentgateway.dev/v1alpha1
kind: AgentgatewayBackend
metadata: {name: tools, namespace: kubelb}
spec:
  mcp:
    targets: [{name: s, static: {host: s.example.com, port: 80}}]
---
apiVersion: agentgateway.dev/v1alpha1
kind: AgentgatewayBackend
metadata: {name: spare, namespace: kubelb}
spec:
  mcp:
    targets: [{name: s, static: {host: s.example.com, port: 80}}]
`, []string{"AgentgatewayBackend/spare: an MCP backend no HTTPRoute reaches; not represented"}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			docs, err := DecodeManifests([]byte(head + tc.docs))
			if err != nil {
				t.Fatal(err)
			}
			p, err := parse("agentgateway", docs)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, is := range p.issues {
				got = append(got, is.String())
			}
			for _, w := range tc.want {
				if !slices.Contains(got, w) {
					t.Errorf("want issue %q among %q", w, got)
				}
			}
			if (len(p.accessControls) > 0) != tc.access {
				t.Errorf("access controls %q, want some: %v", p.accessControls, tc.access)
			}
			if len(p.g.Spec.MCP) != 1 || p.g.Spec.MCP[0].Name != "tools" || p.g.Spec.MCP[0].Path != "/mcp" {
				t.Errorf("MCP gateways read: %+v", p.g.Spec.MCP)
			}
		})
	}
}
