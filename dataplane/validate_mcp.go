package dataplane

import (
	"fmt"
	"strings"

	"github.com/kubelb-ai/kubelb-ai/internal/objpath"
	"github.com/kubelb-ai/kubelb-ai/templates"
)

// MCPChecker is the part of a data plane's Checker about MCP backends,
// asked by validate's MCP lint rules. A data plane without MCP backends
// does not implement it; ReadMCP then answers nothing.
type MCPChecker interface {
	// MCPFacts reads spec of one of the data plane's objects of kind: an
	// MCP backend's targets, or what a policy does to the client's
	// Authorization header. ok is false for kinds with neither.
	MCPFacts(kind string, spec map[string]any) (f MCPFacts, ok bool)
}

// MCPFacts are what an object sets that decides whether the client's
// Authorization header reaches an MCP server.
type MCPFacts struct {
	// Backend is set on an MCP backend.
	Backend *MCPBackend
	// StripsAuthorization: a policy that authenticates clients from the
	// Authorization header, and so removes it, for what it targets.
	StripsAuthorization bool
	// GivesCredential: a policy setting the backend credential of what it
	// targets.
	GivesCredential bool
}

// MCPBackend is an MCP backend's targets that send requests without a
// credential of their own, so with whatever the client sent.
type MCPBackend struct {
	// OwnCredential: the backend sets a credential for all its targets.
	OwnCredential bool
	Open          []MCPTarget
}

// MCPTarget is one target of an MCP backend.
type MCPTarget struct {
	Path, Name string
	// Static: the target names one server, so it can carry a credential
	// (static.policies.auth); a selected Service cannot.
	Static bool
}

// ReadMCP asks the data plane of apiVersion's group about spec of an
// object of kind (MCPChecker.MCPFacts).
func ReadMCP(apiVersion, kind string, spec map[string]any) (MCPFacts, bool) {
	if a := adapterOfGroup(groupOf(apiVersion)); a != nil {
		if c, ok := a.(MCPChecker); ok {
			return c.MCPFacts(kind, spec)
		}
	}
	return MCPFacts{}, false
}

// MCPFacts: agentgateway copies every header of the client's request onto
// the request to an MCP target except Content-Encoding, Content-Length and
// Mcp-Session-Id (v1.4.1 crates/agentgateway/src/mcp/upstream/mod.rs:86-96,
// IncomingRequestContext::apply, called for Streamable HTTP at
// upstream/streamablehttp.rs:95 and SSE at upstream/sse.rs:93; the test
// apply_propagates_other_headers, mod.rs:676, asserts Authorization passes).
// A target's own auth (static.policies.auth) then sets the header on the
// way out (http/auth/mod.rs:231 inserts, replacing it). What removes the
// client's credential is client authentication: JWT (http/jwt.rs:538-541),
// API keys (http/apikey.rs:239), basic auth (http/basicauth.rs:157-160),
// and backend.mcp.authentication, which runs the JWT validator
// (mcp/auth.rs:53) — each removes the credential it validated from its
// location, Authorization by default (http/auth/mod.rs:304-313,342-345).
// Mode Permissive lets a request whose credential fails validation through
// with the credential in place (jwt.rs:515), so it does not count. Earlier
// releases do the same: v1.1.0 copies headers at upstream/mod.rs:54-60 and
// JWT removes Authorization at jwt.rs:423; v1.3.1 at mod.rs:78 and :531
// (the test), jwt.rs:539.
func (a agentgateway) MCPFacts(kind string, spec map[string]any) (MCPFacts, bool) {
	switch kind {
	case a.Facts().API.Backend:
		mcp, ok := spec["mcp"].(map[string]any)
		if !ok {
			return MCPFacts{}, false
		}
		b := &MCPBackend{}
		_, b.OwnCredential = objpath.Get(spec, "policies", "auth").(map[string]any)
		for i, t := range mapList(mcp["targets"]) {
			static, isStatic := t["static"].(map[string]any)
			if _, auth := objpath.Get(static, "policies", "auth").(map[string]any); auth {
				continue
			}
			name, _ := t["name"].(string)
			b.Open = append(b.Open, MCPTarget{Path: fmt.Sprintf("spec.mcp.targets[%d]", i), Name: name, Static: isStatic})
		}
		return MCPFacts{Backend: b}, true
	case a.Facts().API.Policy:
		var f MCPFacts
		for _, field := range [][]string{{"traffic", "jwtAuthentication"}, {"traffic", "apiKeyAuthentication"}, {"traffic", "basicAuthentication"}, {"backend", "mcp", "authentication"}} {
			if m, ok := objpath.Get(spec, field...).(map[string]any); ok && readsAuthorization(m) && m["mode"] != "Permissive" {
				f.StripsAuthorization = true
			}
		}
		_, f.GivesCredential = objpath.Get(spec, "backend", "auth").(map[string]any)
		return f, true
	}
	return MCPFacts{}, false
}

// readsAuthorization reports whether a client authentication reads its
// credential from the Authorization header: the default, or a location
// naming it.
func readsAuthorization(auth map[string]any) bool {
	loc, ok := auth["location"].(map[string]any)
	if !ok {
		return true
	}
	name, _ := objpath.Get(loc, "header", "name").(string)
	return strings.EqualFold(name, "Authorization")
}

// mcpPrefixModeHint explains spec.mcp.prefixMode on a release before
// v1.4.1, which added it, naming the KubeLB releases that run one with it.
func mcpPrefixModeHint() string {
	const since = "v1.4.1"
	var with []string
	newest := ""
	for _, r := range templates.Releases() {
		if r.Target != templates.Agentgateway {
			continue
		}
		newest = fmt.Sprintf("the newest, KubeLB %s, runs agentgateway %s", r.KubeLB, r.DataPlane)
		if !versionBefore(r.DataPlane, since) {
			with = append(with, "KubeLB "+r.KubeLB)
		}
	}
	kubelb := "no KubeLB release ships it yet (" + newest + ")"
	if len(with) > 0 {
		kubelb = strings.Join(with, ", ") + " runs it"
	}
	return fmt.Sprintf("prefixMode needs agentgateway %s or later; %s. Remove it (names are then prefixed with the target name when there are several targets, as Conditional does), or validate with --data-plane-version %s for a cluster that runs it", since, kubelb, since)
}

// versionBefore reports whether release a (vMAJOR.MINOR.PATCH) is older
// than b; an unreadable one is not.
func versionBefore(a, b string) bool {
	var x, y [3]int
	if n, _ := fmt.Sscanf(a, "v%d.%d.%d", &x[0], &x[1], &x[2]); n != 3 {
		return false
	}
	if n, _ := fmt.Sscanf(b, "v%d.%d.%d", &y[0], &y[1], &y[2]); n != 3 {
		return false
	}
	for i := range x {
		if x[i] != y[i] {
			return x[i] < y[i]
		}
	}
	return false
}
