package spec

import (
	"strings"
	"testing"
)

// checkMCPSpec checks a Spec of one openai route and the MCP gateways in
// mcp (YAML list items under spec.mcp).
func checkMCPSpec(t *testing.T, target, kubelb, mcp string) (*AIGateway, error) {
	t.Helper()
	doc := "apiVersion: kubelb-ai.dev/v1alpha1\nkind: AIGateway\nspec:\n  target: " + target + "\n"
	if kubelb != "" {
		doc += "  kubelb: \"" + kubelb + "\"\n"
	}
	doc += "  providers: [{kind: openai}]\n  mcp:\n" + mcp
	f, err := Parse("f.yaml", []byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	g := f.Gateway
	Default(&g)
	return &g, Check(&g)
}

func TestCheckMCP(t *testing.T) {
	const url = "    servers: [{name: tools, url: 'http://tools.example.com:8080/mcp'}]\n"
	for _, tc := range []struct {
		name, target, kubelb, mcp string
		want                      string // "" = passes
	}{
		{"url server", "agentgateway", "", "  - name: t\n" + url, ""},
		{"service server with key refused", "agentgateway", "", "  - servers: [{name: s, service: 'search.kubelb:8080', keyEnv: TOKEN}]\n",
			"spec.mcp[0].servers[0].keyEnv: a server reached as a Service cannot carry a credential: give it as url: http://NAME.NAMESPACE.svc.cluster.local:PORT/PATH instead"},
		{"service in another namespace", "agentgateway", "", "  - servers: [{name: s, service: 'search.tools:8080'}]\n",
			"spec.mcp[0].servers[0].service: Service search is in namespace tools; an MCP server Service must be in the gateway's namespace kubelb (or use url: http://search.tools.svc.cluster.local:PORT/PATH)"},
		{"kgateway", "kgateway-v2.1", "", "  -" + url[3:],
			"spec.mcp: target kgateway-v2.1 has no MCP gateway; targets that have one: agentgateway"},
		{"url and service", "agentgateway", "", "  - servers: [{name: s, url: 'http://a/mcp', service: 'a:80'}]\n",
			"spec.mcp[0].servers[0]: set url (http[s]://host[:port]/path) or service (name.namespace:port), exactly one"},
		{"ftp url", "agentgateway", "", "  - servers: [{name: s, url: 'ftp://a/mcp'}]\n",
			`spec.mcp[0].servers[0].url: "ftp://a/mcp" must be an http:// or https:// URL, e.g. http://tools.example.com:8080/mcp`},
		{"url with a query", "agentgateway", "", "  - servers: [{name: s, url: 'http://a/mcp?key=x'}]\n",
			`spec.mcp[0].servers[0].url: "http://a/mcp?key=x" must not carry credentials, a query or a fragment (credentials go in keyEnv)`},
		{"path beside url", "agentgateway", "", "  - servers: [{name: s, url: 'http://a/mcp', path: /x}]\n",
			"spec.mcp[0].servers[0].path: only applies to service: put the path in the URL"},
		{"duplicate server", "agentgateway", "", "  - servers: [{name: s, url: 'http://a/mcp'}, {name: s, url: 'http://b/mcp'}]\n",
			`spec.mcp[0].servers[1].name: duplicate server name "s"`},
		{"no servers", "agentgateway", "", "  - servers: []\n",
			"spec.mcp[0].servers: at least one server is required"},
		{"bad protocol", "agentgateway", "", "  - servers: [{name: s, url: 'http://a/mcp', protocol: websocket}]\n",
			`spec.mcp[0].servers[0].protocol: unknown protocol "websocket": use streamable-http or sse`},
		{"bad key variable", "agentgateway", "", "  - servers: [{name: s, url: 'http://a/mcp', keyEnv: 'MY-KEY'}]\n",
			`spec.mcp[0].servers[0].keyEnv: "MY-KEY" is not an environment variable name (letters, digits and _)`},
		{"bad sessions", "agentgateway", "", "  - sessions: sticky\n" + url,
			`spec.mcp[0].sessions: unknown session mode "sticky": use stateful or stateless`},
		{"bad failure mode", "agentgateway", "", "  - failureMode: FailOpen\n" + url,
			`spec.mcp[0].failureMode: unknown failure mode "FailOpen": use open (serve from the servers that answer) or closed`},
		{"prefix mode on every KubeLB release", "agentgateway", "1.5", "  - prefixMode: always\n" + url,
			"spec.mcp[0].prefixMode: prefixMode needs agentgateway v1.4.1 or later, which no KubeLB release runs yet"},
		{"unknown prefix mode", "agentgateway", "", "  - prefixMode: sometimes\n" + url,
			`spec.mcp[0].prefixMode: unknown prefix mode "sometimes": use always, conditional or never`},
		{"bad allow rule", "agentgateway", "", "  - allow: ['mcp.tool.name ==']\n" + url,
			`spec.mcp[0].allow[0]: invalid CEL expression`},
		{"name of a route", "agentgateway", "", "  - name: openai\n" + url,
			`spec.mcp[0].name: name "openai" is taken by route openai (they name objects of one kind): rename one`},
		{"path of a route", "agentgateway", "", "  - path: /openai\n" + url,
			`spec.mcp[0].path: path "/openai" is taken by route openai: each needs its own path`},
		{"two unnamed gateways", "agentgateway", "", "  - path: /a\n" + url + "  - path: /b\n" + url,
			`spec.mcp[0].name: "" is not a valid MCP gateway name`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := checkMCPSpec(t, tc.target, tc.kubelb, tc.mcp)
			switch {
			case tc.want == "" && err != nil:
				t.Fatalf("want no error, got %v", err)
			case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
				t.Fatalf("want an error containing\n %s\ngot\n %v", tc.want, err)
			}
		})
	}
}

func TestDefaultMCP(t *testing.T) {
	g, err := checkMCPSpec(t, "agentgateway", "", "  - servers: [{name: s, url: 'http://a/mcp'}]\n")
	if err != nil {
		t.Fatal(err)
	}
	m := g.Spec.MCP[0]
	if m.Name != "mcp" || m.Path != "/mcp" || m.Servers[0].Protocol != "streamable-http" || m.Sessions != "" || m.FailureMode != "" {
		t.Errorf("defaults: %+v", m)
	}
}

func TestMCPEndpoint(t *testing.T) {
	for _, tc := range []struct {
		url, host, path string
		port            int32
		tls             bool
	}{
		{"http://tools.example.com/mcp", "tools.example.com", "/mcp", 80, false},
		{"https://api.githubcopilot.com/mcp/", "api.githubcopilot.com", "/mcp/", 443, true},
		{"http://10.0.0.7:3001/sse", "10.0.0.7", "/sse", 3001, false},
		{"https://[fd00::1]:8443", "fd00::1", "", 8443, true},
		{"https://[fd00::1]/mcp", "fd00::1", "/mcp", 443, true},
	} {
		host, port, path, tls, err := MCPServer{URL: tc.url}.Endpoint()
		if err != nil || host != tc.host || port != tc.port || path != tc.path || tls != tc.tls {
			t.Errorf("Endpoint(%s) = %q %d %q %v %v", tc.url, host, port, path, tls, err)
		}
		if back := MCPURL(host, port, path, tls); back != tc.url {
			t.Errorf("MCPURL of %s = %s", tc.url, back)
		}
	}
}

func TestBuildMCPFlags(t *testing.T) {
	o := Options{Target: "agentgateway", MCPOptions: MCPOptions{
		MCPServers:  []string{"github=https://api.githubcopilot.com/mcp/", "legacy=http://legacy.example.com:3001/sse", "search=search:8080/v1/mcp"},
		MCPKeys:     []string{"github=GITHUB_MCP_TOKEN"},
		MCPSessions: "Stateless", MCPFailure: "open", MCPPath: "/tools",
	}}
	g, err := o.Build()
	if err != nil {
		t.Fatal(err)
	}
	if len(g.Spec.Providers) != 0 {
		t.Errorf("an MCP gateway from flags got providers %+v", g.Spec.Providers)
	}
	got, _ := Marshal(g)
	for _, want := range []string{
		"  mcp:\n  - name: mcp\n    path: /tools\n    servers:\n",
		"    - name: github\n      url: https://api.githubcopilot.com/mcp/\n      protocol: streamable-http\n      keyEnv: GITHUB_MCP_TOKEN\n",
		"    - name: legacy\n      url: http://legacy.example.com:3001/sse\n      protocol: sse\n",
		"    - name: search\n      service: search:8080\n      path: /v1/mcp\n      protocol: streamable-http\n",
		"    sessions: stateless\n    failureMode: open\n",
	} {
		if !strings.Contains(string(got), want) {
			t.Errorf("Spec lacks\n%s\nin\n%s", want, got)
		}
	}
	if err := Check(g); err != nil {
		t.Errorf("Check: %v", err)
	}
}

func TestBuildMCPFlagErrors(t *testing.T) {
	for _, tc := range []struct {
		o    MCPOptions
		want string
	}{
		{MCPOptions{MCPSessions: "stateless"}, `--mcp-sessions: "stateless" needs an MCP server to apply to: add --mcp NAME=URL`},
		{MCPOptions{MCPServers: []string{"tools"}}, `--mcp: "tools" is not NAME=URL`},
		{MCPOptions{MCPServers: []string{"a=http://a/mcp"}, MCPKeys: []string{"b=KEY"}}, "--mcp-key: b is not among the MCP servers: add --mcp b=URL"},
		{MCPOptions{MCPServers: []string{"a=http://a/mcp"}, MCPKeys: []string{"a"}}, `--mcp-key: "a" is not NAME=VARIABLE`},
	} {
		_, err := Options{Target: "agentgateway", MCPOptions: tc.o}.Build()
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%+v: want %q, got %v", tc.o, tc.want, err)
		}
	}
	// Check's findings name the flag that set the field.
	o := Options{Target: "agentgateway", MCPOptions: MCPOptions{MCPServers: []string{"a=http://a/mcp"}, MCPFailure: "ajar", MCPPrefix: "always"}}
	g, err := o.Build()
	if err != nil {
		t.Fatal(err)
	}
	got := o.Locate(Check(g)).Error()
	for _, want := range []string{`--mcp-failure: unknown failure mode "ajar"`, "--mcp-prefix: prefixMode needs agentgateway v1.4.1 or later"} {
		if !strings.Contains(got, want) {
			t.Errorf("Locate: want %q in\n%s", want, got)
		}
	}
}

func TestCheckMCPSecretOfAProvider(t *testing.T) {
	g := &AIGateway{Spec: Spec{Target: "agentgateway", Providers: []Provider{{Name: "mcp-github", Kind: "openai"}},
		MCP: []MCPGateway{{Servers: []MCPServer{{Name: "github", URL: "https://api.githubcopilot.com/mcp/", KeyEnv: "GITHUB_MCP_TOKEN"}}}}}}
	Default(g)
	want := "spec.mcp[0].servers[0].name: the credential's Secret mcp-github-secret is provider mcp-github's too: rename the server or the provider"
	if err := Check(g); err == nil || err.Error() != want {
		t.Errorf("got %v\nwant %s", err, want)
	}
	g.Spec.MCP[0].Servers[0].KeyEnv = ""
	if err := Check(g); err != nil {
		t.Errorf("without a credential: %v", err)
	}
}
