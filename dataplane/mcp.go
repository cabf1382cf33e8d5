package dataplane

import (
	"fmt"
	"net"
	"reflect"
	"slices"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	agw "github.com/kubelb-ai/kubelb-ai/api/agentgateway"
	"github.com/kubelb-ai/kubelb-ai/spec"
)

// MCPSecretName names the Secret of an MCP server's credential.
func MCPSecretName(gateway, server string) string { return gateway + "-" + server + "-secret" }

// MCPAuthorizationName names the policy of an MCP gateway's allow rules.
func MCPAuthorizationName(gateway string) string { return gateway + "-authorization" }

// ParsedMCP is an MCP backend object read back: the gateway without its
// name and path (the HTTPRoute's) and allow rules (a policy's), and the
// Secret each server's credential is in (by server name).
type ParsedMCP struct {
	Gateway spec.MCPGateway
	Secrets map[string]string
}

// Spec MCP values and agentgateway's.
var (
	agwMCPProtocols = map[string]agw.MCPProtocol{spec.MCPStreamableHTTP: agw.MCPProtocolStreamableHTTP, spec.MCPSSE: agw.MCPProtocolSSE}
	agwMCPSessions  = map[string]agw.MCPSessionRouting{spec.MCPStateful: agw.MCPSessionStateful, spec.MCPStateless: agw.MCPSessionStateless}
	agwMCPFailure   = map[string]agw.FailureMode{spec.MCPFailOpen: agw.FailureMode(spec.FailOpen), spec.MCPFailClosed: agw.FailureMode(spec.FailClosed)}
	agwMCPPrefix    = map[string]string{spec.MCPPrefixAlways: "Always", spec.MCPPrefixConditional: "Conditional", spec.MCPPrefixNever: "Never"}
)

// specValue is the Spec value v of agentgateway's stands for ("" for none).
func specValue[V comparable](m map[string]V, v V) (string, bool) {
	for k, w := range m {
		if w == v {
			return k, true
		}
	}
	return "", false
}

// kgateway has no MCP gateway: spec.Check refuses Specs with one.
func (kgateway20) MCPBackend(*spec.Spec, *spec.MCPGateway, metav1.ObjectMeta) (Object, error) {
	return nil, fmt.Errorf("target %s has no MCP gateway", "kgateway v2.0")
}
func (kgateway20) MCPAuthorization(*spec.MCPGateway, metav1.ObjectMeta) Object { return nil }
func (kgateway21) MCPBackend(*spec.Spec, *spec.MCPGateway, metav1.ObjectMeta) (Object, error) {
	return nil, fmt.Errorf("target %s has no MCP gateway", "kgateway")
}
func (kgateway21) MCPAuthorization(*spec.MCPGateway, metav1.ObjectMeta) Object { return nil }

// MCPBackend renders an MCP gateway as an AgentgatewayBackend with
// spec.mcp: one static target per server, by host (with its TLS and
// credential) or by a Service of the backend's namespace.
func (agentgateway) MCPBackend(_ *spec.Spec, m *spec.MCPGateway, meta metav1.ObjectMeta) (Object, error) {
	mb := &agw.MCPBackend{SessionRouting: agwMCPSessions[m.Sessions], FailureMode: agwMCPFailure[m.FailureMode]}
	for _, srv := range m.Servers {
		st := &agw.MCPStaticTarget{Protocol: agwMCPProtocols[srv.Protocol]}
		if srv.URL != "" {
			host, port, path, tls, err := srv.Endpoint()
			if err != nil {
				return nil, fmt.Errorf("MCP server %s: %w", srv.Name, err)
			}
			st.Host, st.Port, st.Path = host, port, path
			pol := &agw.ConnectionPolicies{}
			if tls {
				// agentgateway speaks plain HTTP to a host unless told;
				// SNI only for a name, never an IP address.
				pol.TLS = &agw.BackendTLS{}
				if net.ParseIP(host) == nil {
					pol.TLS.SNI = host
				}
			}
			if srv.KeyEnv != "" {
				pol.Auth = &agw.BackendAuth{SecretRef: &corev1.LocalObjectReference{Name: MCPSecretName(m.Name, srv.Name)}}
			}
			if pol.TLS != nil || pol.Auth != nil {
				st.Policies = pol
			}
		} else {
			name, _, port, ok := spec.ServiceAddress(srv.Service)
			if !ok {
				return nil, fmt.Errorf("MCP server %s: %q is not name.namespace:port", srv.Name, srv.Service)
			}
			st.BackendRef, st.Port, st.Path = &corev1.LocalObjectReference{Name: name}, port, srv.Path
		}
		mb.Targets = append(mb.Targets, agw.MCPTarget{Name: srv.Name, Static: st})
	}
	be := &agw.AgentgatewayBackend{
		TypeMeta:   typeMeta(agwAPIVersion, "AgentgatewayBackend"),
		ObjectMeta: meta,
		Spec:       agw.AgentgatewayBackendSpec{MCP: mb},
	}
	if m.PrefixMode == "" {
		return be, nil
	}
	// prefixMode (v1.4.1+) is not in the v1.1.0 types render writes: add it
	// to the object's JSON form; Check keeps it from older releases.
	obj, err := ToMap(be)
	if err != nil {
		return nil, err
	}
	obj["spec"].(map[string]any)["mcp"].(map[string]any)["prefixMode"] = agwMCPPrefix[m.PrefixMode]
	return &unstructured.Unstructured{Object: obj}, nil
}

// MCPAuthorization renders an MCP gateway's allow rules as an
// AgentgatewayPolicy's backend.mcp.authorization on its backend, or nil.
func (a agentgateway) MCPAuthorization(m *spec.MCPGateway, meta metav1.ObjectMeta) Object {
	if len(m.Allow) == 0 {
		return nil
	}
	authz := &agw.Authorization{Action: agw.AuthorizationAllow}
	for _, rule := range m.Allow {
		authz.Policy.MatchExpressions = append(authz.Policy.MatchExpressions, agw.CELExpression(rule))
	}
	return &agw.AgentgatewayPolicy{
		TypeMeta:   typeMeta(agwAPIVersion, "AgentgatewayPolicy"),
		ObjectMeta: meta,
		Spec: agw.AgentgatewayPolicySpec{
			TargetRefs: []agw.PolicyTargetReference{{Group: agwGroup, Kind: a.Facts().API.Backend, Name: m.Name}},
			Backend:    &agw.BackendPolicies{MCP: &agw.MCPPolicy{Authorization: authz}},
		},
	}
}

// parseMCP reads an AgentgatewayBackend's spec.mcp back; what the Spec
// cannot carry is an issue.
func parseMCP(b *agw.MCPBackend, prefixMode string) (*ParsedMCP, []string) {
	out := &ParsedMCP{Secrets: map[string]string{}}
	var issues []string
	g := &out.Gateway
	var ok bool
	if g.Sessions, ok = specValue(agwMCPSessions, b.SessionRouting); !ok && b.SessionRouting != "" {
		issues = append(issues, fmt.Sprintf("sessionRouting %s is not represented", b.SessionRouting))
	}
	if g.FailureMode, ok = specValue(agwMCPFailure, b.FailureMode); !ok && b.FailureMode != "" {
		issues = append(issues, fmt.Sprintf("failureMode %s is not represented", b.FailureMode))
	}
	if g.PrefixMode, ok = specValue(agwMCPPrefix, prefixMode); !ok && prefixMode != "" {
		issues = append(issues, fmt.Sprintf("prefixMode %s is not represented", prefixMode))
	}
	for _, t := range b.Targets {
		st := t.Static
		if st == nil {
			issues = append(issues, fmt.Sprintf("target %s: a Service selector is not represented (the Spec names each server)", t.Name))
			continue
		}
		srv := spec.MCPServer{Name: t.Name, Protocol: spec.MCPStreamableHTTP}
		if st.Protocol != "" {
			if srv.Protocol, ok = specValue(agwMCPProtocols, st.Protocol); !ok {
				issues = append(issues, fmt.Sprintf("target %s: protocol %s is not represented", t.Name, st.Protocol))
				srv.Protocol = spec.MCPStreamableHTTP
			}
		}
		if st.BackendRef != nil {
			srv.Service, srv.Path = fmt.Sprintf("%s:%d", st.BackendRef.Name, st.Port), st.Path
			if st.Policies != nil {
				issues = append(issues, fmt.Sprintf("target %s: policies beside a backendRef are not represented", t.Name))
			}
			g.Servers = append(g.Servers, srv)
			continue
		}
		tls, is := mcpConnection(t.Name, st, out)
		issues = append(issues, is...)
		srv.URL = spec.MCPURL(st.Host, st.Port, st.Path, tls)
		if name, found := out.Secrets[t.Name]; found {
			// Read from the Secret's marker by the caller; the name is
			// kept until then.
			srv.KeyEnv = name
		}
		g.Servers = append(g.Servers, srv)
	}
	return out, issues
}

// mcpConnection reads a host target's policies: TLS and a credential in a
// Secret are what the Spec carries.
func mcpConnection(target string, st *agw.MCPStaticTarget, out *ParsedMCP) (tls bool, issues []string) {
	p := st.Policies
	if p == nil {
		return false, nil
	}
	if t := p.TLS; t != nil {
		tls = true
		rest := *t
		if net.ParseIP(st.Host) == nil && rest.SNI == st.Host {
			rest.SNI = ""
		}
		if !isZero(rest) {
			issues = append(issues, fmt.Sprintf("target %s: TLS settings other than the host's SNI are not represented", target))
		}
	}
	if a := p.Auth; a != nil {
		if a.SecretRef != nil && onlySecretRef(a) {
			out.Secrets[target] = a.SecretRef.Name
		} else {
			issues = append(issues, fmt.Sprintf("target %s: credentials other than a Secret's Authorization are not represented", target))
		}
	}
	rest := *p
	rest.TLS, rest.Auth = nil, nil
	if !isZero(rest) {
		issues = append(issues, fmt.Sprintf("target %s: connection policies other than tls and auth are not represented", target))
	}
	return tls, issues
}

func onlySecretRef(a *agw.BackendAuth) bool {
	rest := *a
	rest.SecretRef = nil
	return isZero(rest)
}

// mcpAllow reads an AgentgatewayPolicy's backend.mcp.authorization as
// allow rules; ok is false when the Spec cannot carry it (a denying or
// requiring rule).
func mcpAllow(a *agw.Authorization) (rules []string, ok bool) {
	if a == nil || a.Action != "" && a.Action != agw.AuthorizationAllow {
		return nil, false
	}
	for _, e := range a.Policy.MatchExpressions {
		rules = append(rules, string(e))
	}
	return rules, len(rules) > 0 && !slices.Contains(rules, "")
}

func isZero(v any) bool { return reflect.ValueOf(v).IsZero() }
