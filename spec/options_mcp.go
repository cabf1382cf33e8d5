package spec

import (
	"slices"
	"strings"
)

// MCPOptions are the flags of one MCP gateway. Build parses their shape;
// Check judges the values.
type MCPOptions struct {
	MCPServers  []string // NAME=URL, or NAME=SERVICE.NAMESPACE:PORT[/PATH]
	MCPKeys     []string // NAME=VARIABLE
	MCPSessions string   // stateless|stateful
	MCPFailure  string   // open|closed
	MCPPrefix   string   // always|conditional|never
	MCPPath     string
}

// given reports whether any MCP flag is set.
func (o MCPOptions) given() bool {
	return len(o.MCPServers)+len(o.MCPKeys) > 0 || o.MCPSessions != "" || o.MCPFailure != "" || o.MCPPrefix != "" || o.MCPPath != ""
}

// buildMCP adds the MCP flags' gateway to s.
func (o MCPOptions) buildMCP(e *errs, s *Spec) {
	if !o.given() {
		return
	}
	if len(o.MCPServers) == 0 {
		for _, f := range []struct{ flag, value string }{{"--mcp-key", strings.Join(o.MCPKeys, ",")}, {"--mcp-sessions", o.MCPSessions},
			{"--mcp-failure", o.MCPFailure}, {"--mcp-prefix", o.MCPPrefix}, {"--mcp-path", o.MCPPath}} {
			if f.value != "" {
				e.add(f.flag, "%q needs an MCP server to apply to: add --mcp NAME=URL, e.g. --mcp tools=http://tools.example.com:8080/mcp", f.value)
			}
		}
		return
	}
	m := MCPGateway{Path: o.MCPPath, Sessions: strings.ToLower(o.MCPSessions), FailureMode: strings.ToLower(o.MCPFailure), PrefixMode: strings.ToLower(o.MCPPrefix)}
	for _, v := range o.MCPServers {
		name, addr, ok := strings.Cut(v, "=")
		if !ok || name == "" || addr == "" {
			e.add("--mcp", "%q is not NAME=URL, e.g. tools=http://tools.example.com:8080/mcp", v)
			continue
		}
		srv := MCPServer{Name: name}
		if strings.Contains(addr, "://") {
			srv.URL = addr
		} else {
			// A Service of the gateway's namespace: NAME[.NAMESPACE]:PORT[/PATH].
			svc, path, found := strings.Cut(addr, "/")
			srv.Service = svc
			if found {
				srv.Path = "/" + path
			}
		}
		// The legacy transport's conventional endpoint tells it apart, as
		// agentgateway's default path for it does.
		if p := srv.Path + urlPath(srv.URL); strings.HasSuffix(p, "/sse") {
			srv.Protocol = MCPSSE
		}
		m.Servers = append(m.Servers, srv)
	}
	for _, v := range o.MCPKeys {
		name, env, ok := strings.Cut(v, "=")
		if !ok || name == "" || env == "" {
			e.add("--mcp-key", "%q is not NAME=VARIABLE, e.g. github=GITHUB_MCP_TOKEN", v)
			continue
		}
		i := slices.IndexFunc(m.Servers, func(srv MCPServer) bool { return srv.Name == name })
		if i < 0 {
			e.add("--mcp-key", "%s is not among the MCP servers: add --mcp %s=URL", name, name)
			continue
		}
		m.Servers[i].KeyEnv = env
	}
	s.MCP = append(s.MCP, m)
}

// urlPath is the path of a URL, or "" for none or a malformed one (Check
// reports it).
func urlPath(u string) string {
	srv := MCPServer{URL: u}
	if _, _, p, _, err := srv.Endpoint(); err == nil {
		return p
	}
	return ""
}

// mcpFlagOf is the MCP flag that set the Spec field at path, or "".
func mcpFlagOf(path string) string {
	rest, ok := strings.CutPrefix(path, "spec.mcp[0]")
	if !ok {
		if path == "spec.mcp" {
			return "--mcp"
		}
		return ""
	}
	switch {
	case strings.HasPrefix(rest, ".sessions"):
		return "--mcp-sessions"
	case strings.HasPrefix(rest, ".failureMode"):
		return "--mcp-failure"
	case strings.HasPrefix(rest, ".prefixMode"):
		return "--mcp-prefix"
	case strings.HasPrefix(rest, ".path"):
		return "--mcp-path"
	case strings.HasPrefix(rest, ".servers") && strings.HasSuffix(rest, ".keyEnv"):
		return "--mcp-key"
	}
	return "--mcp"
}
