package spec

import (
	"fmt"
	"net"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"k8s.io/apimachinery/pkg/util/validation"

	"github.com/kubelb-ai/kubelb-ai/templates"
)

// MCP gateway defaults.
const (
	DefaultMCPName = "mcp"
	DefaultMCPPath = "/mcp"
)

// MCP transports of a server.
const (
	MCPStreamableHTTP = "streamable-http"
	MCPSSE            = "sse"
)

// MCP session handling: stateful keeps a session per client on the
// gateway, stateless serves every request on its own.
const (
	MCPStateful  = "stateful"
	MCPStateless = "stateless"
)

// MCP failure modes: open serves from the servers that answer, closed
// fails the request (or session) when one does not.
const (
	MCPFailOpen   = "open"
	MCPFailClosed = "closed"
)

// MCP prefix modes: how tool and prompt names are prefixed with their
// server's name.
const (
	MCPPrefixAlways      = "always"
	MCPPrefixConditional = "conditional" // only with several servers
	MCPPrefixNever       = "never"
)

// MCPMaxServers is the most servers one MCP gateway federates (the CRD's
// maxItems of spec.mcp.targets).
const MCPMaxServers = 32

// MCPGateway federates MCP tool servers behind one path: clients see one
// MCP server whose tools, prompts and resources are all of theirs.
type MCPGateway struct {
	// Name names the gateway's objects; it defaults to mcp.
	Name string `json:"name,omitempty"`
	// Path is the path prefix clients reach it on; it defaults to /mcp.
	Path    string      `json:"path,omitempty"`
	Servers []MCPServer `json:"servers"`
	// Sessions is stateful or stateless; empty is the data plane's
	// default (stateful on agentgateway).
	Sessions string `json:"sessions,omitempty"`
	// FailureMode is open or closed; empty is the data plane's default
	// (closed on agentgateway).
	FailureMode string `json:"failureMode,omitempty"`
	// PrefixMode is always, conditional or never; empty is the data
	// plane's default (conditional on agentgateway).
	PrefixMode string `json:"prefixMode,omitempty"`
	// Allow are CEL expressions over the MCP call (mcp.tool.name,
	// mcp.prompt.name, mcp.resource.name) and the caller (jwt.*); a call
	// is allowed when any is true. Empty allows every call.
	Allow []string `json:"allow,omitempty"`
}

// MCPServer is one MCP server behind a gateway: a URL, or a Service of
// the gateway's namespace ("name[.namespace]:port") and a path.
type MCPServer struct {
	Name    string `json:"name"`
	URL     string `json:"url,omitempty"`
	Service string `json:"service,omitempty"`
	// Path is the server's MCP endpoint on a Service; empty is the data
	// plane's default for the protocol (/mcp, or /sse).
	Path string `json:"path,omitempty"`
	// Protocol is streamable-http (default) or sse.
	Protocol string `json:"protocol,omitempty"`
	// KeyEnv names the environment variable holding the credential the
	// gateway sends to the server; the key itself is never in a file.
	KeyEnv string `json:"keyEnv,omitempty"`
}

// Endpoint splits a server's URL into host, port (the scheme's when left
// out), path and whether it is https.
func (s MCPServer) Endpoint() (host string, port int32, path string, tls bool, err error) {
	u, err := url.Parse(s.URL)
	if err != nil {
		return "", 0, "", false, fmt.Errorf("%q is not a URL: %v", s.URL, err)
	}
	switch {
	case u.Scheme != "http" && u.Scheme != "https":
		return "", 0, "", false, fmt.Errorf("%q must be an http:// or https:// URL, e.g. http://tools.example.com:8080/mcp", s.URL)
	case u.Hostname() == "":
		return "", 0, "", false, fmt.Errorf("%q has no host", s.URL)
	case u.User != nil || u.RawQuery != "" || u.Fragment != "" || u.ForceQuery:
		return "", 0, "", false, fmt.Errorf("%q must not carry credentials, a query or a fragment (credentials go in keyEnv)", s.URL)
	}
	tls = u.Scheme == "https"
	port = 80
	if tls {
		port = 443
	}
	if p := u.Port(); p != "" {
		n, err := strconv.ParseUint(p, 10, 16)
		if err != nil || n == 0 {
			return "", 0, "", false, fmt.Errorf("%q: port %q is not a number from 1 to 65535", s.URL, p)
		}
		port = int32(n)
	}
	return u.Hostname(), port, u.EscapedPath(), tls, nil
}

// MCPURL is the URL form of an endpoint, leaving out the scheme's own port,
// so Endpoint and MCPURL turn into each other.
func MCPURL(host string, port int32, path string, tls bool) string {
	scheme, def := "http", int32(80)
	if tls {
		scheme, def = "https", 443
	}
	if port != def {
		host = net.JoinHostPort(host, strconv.Itoa(int(port)))
	} else if strings.Contains(host, ":") {
		host = "[" + host + "]"
	}
	return scheme + "://" + host + path
}

func defaultMCP(s *Spec) {
	for i := range s.MCP {
		m := &s.MCP[i]
		if m.Name == "" && len(s.MCP) == 1 {
			m.Name = DefaultMCPName
		}
		if m.Path == "" {
			m.Path = DefaultMCPPath
		}
		for j := range m.Servers {
			srv := &m.Servers[j]
			if srv.Protocol == "" {
				srv.Protocol = MCPStreamableHTTP
			}
			// A server Service is always the gateway's namespace's (Check
			// refuses others): one spelling, as the manifests read back.
			if name, ns, port, ok := ServiceAddress(srv.Service); ok && ns == s.Gateway.Namespace {
				srv.Service = fmt.Sprintf("%s:%d", name, port)
			}
		}
	}
}

func mcpPrefixSince(t templates.Target) string { return t.MCPPrefixSince }

func checkMCP(e *errs, s *Spec, t templates.Target) {
	if len(s.MCP) > 0 && !t.Features.MCP {
		e.add("spec.mcp", "target %s has no MCP gateway; targets that have one: %s",
			t.Name, targetsWith(func(o templates.Target) bool { return o.Features.MCP }))
	}
	// MCP gateways are an HTTPRoute and a backend object each: their names
	// and paths must not collide with the routes'.
	taken, paths := map[string]string{}, map[string]string{}
	for _, r := range s.Routes {
		for _, b := range r.Backends {
			taken[b.Name] = "a backend of route " + r.Name
		}
		taken[r.Name] = "route " + r.Name
		paths[r.Path] = "route " + r.Name
	}
	for i := range s.MCP {
		m := &s.MCP[i]
		path := fmt.Sprintf("spec.mcp[%d]", i)
		for _, msg := range validation.IsDNS1123Label(m.Name) {
			e.add(path+".name", "%q is not a valid MCP gateway name: %s", m.Name, msg)
		}
		if by, ok := taken[m.Name]; ok {
			e.add(path+".name", "name %q is taken by %s (they name objects of one kind): rename one", m.Name, by)
		}
		taken[m.Name] = "MCP gateway " + m.Name
		switch {
		case !strings.HasPrefix(m.Path, "/"):
			e.add(path+".path", "%q must start with /, e.g. %s", m.Path, DefaultMCPPath)
		case strings.ContainsAny(m.Path, " ?#%\t") || strings.Contains(m.Path, "//"):
			e.add(path+".path", "%q is not a valid path prefix (no spaces, ?, #, %% or //)", m.Path)
		default:
			if by, ok := paths[m.Path]; ok {
				e.add(path+".path", "path %q is taken by %s: each needs its own path", m.Path, by)
			}
		}
		paths[m.Path] = "MCP gateway " + m.Name
		checkMCPServers(e, path, s, m)
		if !slices.Contains([]string{"", MCPStateful, MCPStateless}, m.Sessions) {
			e.add(path+".sessions", "unknown session mode %q: use %s or %s", m.Sessions, MCPStateful, MCPStateless)
		}
		if !slices.Contains([]string{"", MCPFailOpen, MCPFailClosed}, m.FailureMode) {
			e.add(path+".failureMode", "unknown failure mode %q: use %s (serve from the servers that answer) or %s", m.FailureMode, MCPFailOpen, MCPFailClosed)
		}
		switch m.PrefixMode {
		case "":
		case MCPPrefixAlways, MCPPrefixConditional, MCPPrefixNever:
			if t.Features.MCP && !dataPlaneSince(s.KubeLB, mcpPrefixSince) {
				e.add(path+".prefixMode", "prefixMode %s", needsRelease(t, mcpPrefixSince))
			}
		default:
			e.add(path+".prefixMode", "unknown prefix mode %q: use %s, %s or %s", m.PrefixMode, MCPPrefixAlways, MCPPrefixConditional, MCPPrefixNever)
		}
		for j, rule := range m.Allow {
			checkCEL(e, fmt.Sprintf("%s.allow[%d]", path, j), rule)
		}
	}
}

func checkMCPServers(e *errs, path string, s *Spec, m *MCPGateway) {
	switch n := len(m.Servers); {
	case n == 0:
		e.add(path+".servers", "at least one server is required, e.g. {name: tools, url: http://tools.example.com/mcp}")
	case n > MCPMaxServers:
		e.add(path+".servers", "%d servers; an MCP gateway federates at most %d", n, MCPMaxServers)
	}
	names := map[string]bool{}
	for j, srv := range m.Servers {
		spath := fmt.Sprintf("%s.servers[%d]", path, j)
		// The name prefixes the server's tools and names its Secret.
		for _, msg := range validation.IsDNS1123Label(srv.Name) {
			e.add(spath+".name", "%q is not a valid server name: %s", srv.Name, msg)
		}
		if names[srv.Name] {
			e.add(spath+".name", "duplicate server name %q", srv.Name)
		}
		names[srv.Name] = true
		switch {
		case (srv.URL == "") == (srv.Service == ""):
			e.add(spath, "set url (http[s]://host[:port]/path) or service (name.namespace:port), exactly one")
		case srv.URL != "":
			if _, _, _, _, err := srv.Endpoint(); err != nil {
				e.add(spath+".url", "%v", err)
			}
			if srv.Path != "" {
				e.add(spath+".path", "only applies to service: put the path in the URL")
			}
		default:
			name, ns, _, ok := ServiceAddress(srv.Service)
			switch {
			case !ok:
				e.add(spath+".service", "%q is not name.namespace:port (e.g. tools.%s:8080)", srv.Service, s.Gateway.Namespace)
			case ns != "" && ns != s.Gateway.Namespace:
				// The backend's target names a Service of its own namespace only.
				e.add(spath+".service", "Service %s is in namespace %s; an MCP server Service must be in the gateway's namespace %s (or use url: http://%s.%s%s:PORT/PATH)",
					name, ns, s.Gateway.Namespace, name, ns, ServiceSuffix)
			}
			if srv.Path != "" && !strings.HasPrefix(srv.Path, "/") {
				e.add(spath+".path", "%q must start with /", srv.Path)
			}
			if srv.KeyEnv != "" {
				// agentgateway's CRD allows no policies beside a backendRef.
				e.add(spath+".keyEnv", "a server reached as a Service cannot carry a credential: give it as url: http://NAME.NAMESPACE%s:PORT/PATH instead", ServiceSuffix)
			}
		}
		if !slices.Contains([]string{MCPStreamableHTTP, MCPSSE}, srv.Protocol) {
			e.add(spath+".protocol", "unknown protocol %q: use %s or %s", srv.Protocol, MCPStreamableHTTP, MCPSSE)
		}
		if srv.KeyEnv != "" && !envNameRE.MatchString(srv.KeyEnv) {
			e.add(spath+".keyEnv", "%q is not an environment variable name (letters, digits and _)", srv.KeyEnv)
		}
		// The credential's Secret is <gateway>-<server>-secret, a provider's
		// <provider>-secret: one name must not hold two keys.
		if p := m.Name + "-" + srv.Name; srv.KeyEnv != "" && slices.ContainsFunc(s.Providers, func(pr Provider) bool { return pr.Name == p && pr.Auth.Source == AuthEnv }) {
			e.add(spath+".name", "the credential's Secret %s-secret is provider %s's too: rename the server or the provider", p, p)
		}
	}
}
