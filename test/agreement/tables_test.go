package agreement

import (
	"strings"

	"go.yaml.in/yaml/v3"
)

// An edit is a hand-written mutation aimed at one rule: CEL rules of each
// kind (object-level, list-level with all/exists_one, string functions,
// duration and quantity checks), defaults that make a rule pass or fail,
// and the native validation of core kinds. Edits whose paths do not exist
// in a seed are skipped; each edit is used once per kind (the first seed it
// applies to).
type edit struct {
	class, what string
	ops         []op
}

// op changes one place: set a value (v != nil), delete (del), or append
// to a list (add).
type op struct {
	p   path
	v   *yaml.Node
	del bool
	add bool
	// must requires the path to exist already (for set).
	must bool
	// dupKey appends key dupKey with value v to the mapping at p, after an
	// existing one.
	dupKey string
}

func set(p path, v any) op   { return op{p: p, v: toNode(v)} }
func patch(p path, v any) op { return op{p: p, v: toNode(v), must: true} }
func del(p path) op          { return op{p: p, del: true} }
func add(p path, v any) op   { return op{p: p, v: toNode(v), add: true} }
func y(s string) *yaml.Node  { return fromYAML(s) }

func dup(p path, key string, v any) op { return op{p: p, v: toNode(v), dupKey: key} }

func (o op) apply(r *yaml.Node) bool {
	switch {
	case o.dupKey != "":
		m := at(r, o.p)
		if m == nil || m.Kind != yaml.MappingNode || mapGet(m, o.dupKey) == nil {
			return false
		}
		m.Content = append(m.Content, strNode(o.dupKey), cloneNode(o.v))
		return true
	case o.del:
		// Deleting what is not there is fine; an edit that changes nothing
		// repeats another document and is dropped.
		deleteAt(r, o.p)
		return true
	case o.add:
		l := at(r, o.p)
		if l == nil || l.Kind != yaml.SequenceNode {
			return false
		}
		l.Content = append(l.Content, cloneNode(o.v))
		return true
	case o.must && at(r, o.p) == nil:
		return false
	}
	parent := at(r, o.p[:len(o.p)-1])
	if parent == nil {
		return false
	}
	return setAt(r, o.p, cloneNode(o.v))
}

func (g *generator) tables() {
	for _, e := range editsFor(g.seed.gvk.Group, g.seed.gvk.Kind) {
		g.mutate("table|"+e.what, e.class, e.what, func(r *yaml.Node) bool {
			for _, o := range e.ops {
				if !o.apply(r) {
					return false
				}
			}
			return true
		})
	}
}

var (
	rule0    = path{"spec", "rules", 0}
	match0   = rule0.child("matches").child(0)
	backend0 = rule0.child("backendRefs").child(0)
	listener = path{"spec", "listeners"}
	l0       = listener.child(0)
)

func editsFor(group, kind string) []edit {
	switch group + "/" + kind {
	case "/Secret":
		return secretEdits
	case "/ConfigMap":
		return configMapEdits
	case "/Service":
		return serviceEdits
	case "gateway.networking.k8s.io/HTTPRoute":
		return httpRouteEdits
	case "gateway.networking.k8s.io/Gateway":
		return gatewayEdits
	case "gateway.networking.k8s.io/GRPCRoute":
		return grpcRouteEdits
	case "gateway.networking.k8s.io/ReferenceGrant", "gateway.networking.k8s.io/BackendTLSPolicy", "gateway.networking.k8s.io/ListenerSet", "gateway.networking.k8s.io/GatewayClass":
		return otherGatewayAPIEdits
	case "gateway.kgateway.dev/Backend":
		return kgatewayBackendEdits
	case "gateway.kgateway.dev/TrafficPolicy":
		return trafficPolicyEdits
	case "gateway.kgateway.dev/GatewayExtension", "gateway.kgateway.dev/HTTPListenerPolicy", "gateway.kgateway.dev/BackendConfigPolicy", "gateway.kgateway.dev/GatewayParameters", "gateway.kgateway.dev/DirectResponse":
		return kgatewayOtherEdits
	case "agentgateway.dev/AgentgatewayBackend":
		return agwBackendEdits
	case "agentgateway.dev/AgentgatewayPolicy":
		return agwPolicyEdits
	case "agentgateway.dev/AgentgatewayParameters":
		return agwParametersEdits
	}
	return nil
}

var secretEdits = []edit{
	{"core", "stringData key with a space", []op{set(path{"stringData"}, y(`{"bad key": x}`))}},
	{"core", `data key ".."`, []op{set(path{"data"}, y(`{"..": eA==}`))}},
	{"core", "data key of 254 characters", []op{set(path{"data"}, mapNode(strings.Repeat("k", 254), "eA=="))}},
	{"core", "data value not base64", []op{set(path{"data"}, y(`{key: "not base64!"}`))}},
	{"core", "data value base64 without padding", []op{set(path{"data"}, y(`{key: eA}`))}},
	{"type", "data value an integer", []op{set(path{"data"}, y(`{key: 1}`))}},
	{"type", "stringData value an integer", []op{set(path{"stringData"}, y(`{key: 1}`))}},
	{"type", "stringData value a boolean", []op{set(path{"stringData"}, y(`{key: true}`))}},
	{"type", "stringData is a list", []op{set(path{"stringData"}, y(`[a]`))}},
	{"null", "stringData: null", []op{set(path{"stringData"}, nil)}},
	{"null", "stringData value null", []op{set(path{"stringData"}, y(`{key: null}`))}},
	{"core", "same key in data and stringData", []op{set(path{"data"}, y(`{Authorization: eA==}`)), set(path{"stringData"}, y(`{Authorization: y}`))}},
	{"core", "type kubernetes.io/tls without tls.crt and tls.key", []op{set(path{"type"}, "kubernetes.io/tls"), set(path{"stringData"}, y(`{Authorization: x}`)), del(path{"data"})}},
	{"core", "type kubernetes.io/tls with both keys in stringData", []op{set(path{"type"}, "kubernetes.io/tls"), set(path{"stringData"}, y(`{tls.crt: c, tls.key: k}`))}},
	{"core", "type kubernetes.io/basic-auth without username and password", []op{set(path{"type"}, "kubernetes.io/basic-auth"), set(path{"stringData"}, y(`{Authorization: x}`)), del(path{"data"})}},
	{"core", "type kubernetes.io/basic-auth with a password", []op{set(path{"type"}, "kubernetes.io/basic-auth"), set(path{"stringData"}, y(`{password: x}`))}},
	{"core", "type kubernetes.io/ssh-auth without ssh-privatekey", []op{set(path{"type"}, "kubernetes.io/ssh-auth"), set(path{"stringData"}, y(`{Authorization: x}`)), del(path{"data"})}},
	{"core", "type kubernetes.io/dockerconfigjson with invalid JSON", []op{set(path{"type"}, "kubernetes.io/dockerconfigjson"), set(path{"stringData"}, y(`{.dockerconfigjson: "not json"}`)), del(path{"data"})}},
	{"core", "type kubernetes.io/dockerconfigjson with valid JSON", []op{set(path{"type"}, "kubernetes.io/dockerconfigjson"), set(path{"stringData"}, y(`{.dockerconfigjson: '{"auths":{}}'}`)), del(path{"data"})}},
	{"core", "type kubernetes.io/dockercfg without .dockercfg", []op{set(path{"type"}, "kubernetes.io/dockercfg"), set(path{"stringData"}, y(`{Authorization: x}`)), del(path{"data"})}},
	{"core", "type kubernetes.io/service-account-token without the annotation", []op{set(path{"type"}, "kubernetes.io/service-account-token")}},
	{"core", "type bootstrap.kubernetes.io/token", []op{set(path{"type"}, "bootstrap.kubernetes.io/token")}},
	{"core", "empty type (defaults to Opaque)", []op{set(path{"type"}, "")}},
	{"core", "custom type", []op{set(path{"type"}, "example.com/api-key")}},
	{"core", "type with spaces", []op{set(path{"type"}, "not a type")}},
	{"core", "type of 300 characters", []op{set(path{"type"}, strings.Repeat("t", 300))}},
	{"type", `immutable: "yes" (a string)`, []op{set(path{"immutable"}, "yes")}},
	{"yaml-1.1", "immutable: yes (YAML 1.1 boolean)", []op{set(path{"immutable"}, rawNode("yes"))}},
	{"core", "data larger than 1 MiB", []op{set(path{"stringData"}, mapNode("big", strings.Repeat("x", 1<<20+10)))}},
	{"unknown-field", "stringdata (wrong case)", []op{set(path{"stringdata"}, y(`{a: b}`))}},
	{"unknown-field", "spec on a Secret", []op{set(path{"spec"}, y(`{a: b}`))}},
	{"duplicate-key", "stringData key given twice", []op{set(path{"stringData"}, y(`{a: b}`)), dup(path{"stringData"}, "a", "c")}},
}

var configMapEdits = []edit{
	{"core", "data key with a slash", []op{set(path{"data", "a/b"}, "x")}},
	{"core", "binaryData key also in data", []op{set(path{"binaryData"}, y(`{model: eA==}`))}},
	{"core", "binaryData not base64", []op{set(path{"binaryData"}, y(`{bin: "%%%"}`))}},
	{"type", "data value an integer", []op{set(path{"data", "n"}, 1)}},
	{"type", "data value a float", []op{set(path{"data", "n"}, 0.5)}},
	{"core", "data larger than 1 MiB", []op{set(path{"data", "big"}, strings.Repeat("x", 1<<20+10))}},
	{"type", "immutable: 1", []op{set(path{"immutable"}, 1)}},
}

var serviceEdits = []edit{
	{"core", "port 0", []op{patch(path{"spec", "ports", 0, "port"}, 0)}},
	{"core", "port 70000", []op{patch(path{"spec", "ports", 0, "port"}, 70000)}},
	{"core", "protocol HTTP", []op{patch(path{"spec", "ports", 0, "protocol"}, "HTTP")}},
	{"core", "named targetPort longer than 15", []op{patch(path{"spec", "ports", 0, "targetPort"}, "a-very-long-port-name")}},
	{"int-or-string", "named targetPort", []op{patch(path{"spec", "ports", 0, "targetPort"}, "http")}},
	{"int-or-string", `targetPort "8080" (a numeric string)`, []op{patch(path{"spec", "ports", 0, "targetPort"}, "8080")}},
	{"core", "two ports with the same name", []op{add(path{"spec", "ports"}, y(`{name: http, port: 9090}`))}},
	{"core", "type Bogus", []op{set(path{"spec", "type"}, "Bogus")}},
	{"core", "clusterIP not an IP", []op{set(path{"spec", "clusterIP"}, "not-an-ip")}},
	{"core", "selector with an invalid value", []op{set(path{"spec", "selector"}, y(`{app: "bad value!"}`))}},
	{"core", "type ExternalName without externalName", []op{set(path{"spec", "type"}, "ExternalName")}},
	{"unknown-field", "spec.ports[0].bogus", []op{set(path{"spec", "ports", 0, "bogus"}, 1)}},
}

var httpRouteEdits = []edit{
	{"cel", "path value without a leading slash", []op{patch(match0.child("path").child("value"), "openai")}},
	{"cel-default", "path type removed (defaults to PathPrefix) and value without a leading slash", []op{del(match0.child("path").child("type")), patch(match0.child("path").child("value"), "openai")}},
	{"default", "path type removed (defaults to PathPrefix)", []op{del(match0.child("path").child("type"))}},
	{"default", "path match without type and value (defaults to PathPrefix /)", []op{set(match0.child("path"), y(`{}`))}},
	{"cel", `path value with "//"`, []op{patch(match0.child("path").child("value"), "/a//b")}},
	{"cel", `path value with "/./"`, []op{patch(match0.child("path").child("value"), "/a/./b")}},
	{"cel", `path value with "#"`, []op{patch(match0.child("path").child("value"), "/a#b")}},
	{"cel", `path value with "%2f"`, []op{patch(match0.child("path").child("value"), "/a%2fb")}},
	{"cel", "RegularExpression path", []op{patch(match0.child("path"), y(`{type: RegularExpression, value: "/v[0-9]+/.*"}`))}},
	{"cel", "backendRef to a Service without port", []op{patch(backend0.child("group"), ""), patch(backend0.child("kind"), "Service")}},
	{"cel-default", "backendRef group and kind removed (defaults to core Service) without port", []op{del(backend0.child("group")), del(backend0.child("kind"))}},
	{"default", "backendRef group and kind removed, port 8080", []op{del(backend0.child("group")), del(backend0.child("kind")), set(backend0.child("port"), 8080)}},
	{"range", "backendRef weight -1", []op{set(backend0.child("weight"), -1)}},
	{"range", "backendRef weight 1000001", []op{set(backend0.child("weight"), 1000001)}},
	{"cel", "backendRequest timeout longer than request timeout", []op{set(rule0.child("timeouts"), y(`{request: 10s, backendRequest: 20s}`))}},
	{"cel", "backendRequest timeout shorter than request timeout", []op{set(rule0.child("timeouts"), y(`{request: 20s, backendRequest: 10s}`))}},
	{"cel", "request timeout 0s with backendRequest timeout", []op{set(rule0.child("timeouts"), y(`{request: 0s, backendRequest: 10s}`))}},
	{"pattern", `timeouts.request "10 seconds"`, []op{set(rule0.child("timeouts"), y(`{request: 10 seconds}`))}},
	{"pattern", `timeouts.request "1.5s"`, []op{set(rule0.child("timeouts"), y(`{request: 1.5s}`))}},
	{"cel", "RequestHeaderModifier filter without its config", []op{set(rule0.child("filters"), y(`[{type: RequestHeaderModifier}]`))}},
	{"cel", "RequestHeaderModifier filter with urlRewrite config", []op{set(rule0.child("filters"), y(`[{type: RequestHeaderModifier, urlRewrite: {hostname: a.example.com}}]`))}},
	{"cel", "RequestRedirect and URLRewrite together", []op{del(rule0.child("backendRefs")), set(rule0.child("filters"), y(`[{type: RequestRedirect, requestRedirect: {statusCode: 302}}, {type: URLRewrite, urlRewrite: {hostname: a.example.com}}]`))}},
	{"cel", "RequestHeaderModifier filter twice", []op{set(rule0.child("filters"), y(`[{type: RequestHeaderModifier, requestHeaderModifier: {remove: [a]}}, {type: RequestHeaderModifier, requestHeaderModifier: {remove: [b]}}]`))}},
	{"cel", "ReplacePrefixMatch with an Exact path match", []op{patch(match0.child("path").child("type"), "Exact"), set(rule0.child("filters"), y(`[{type: URLRewrite, urlRewrite: {path: {type: ReplacePrefixMatch, replacePrefixMatch: /x}}}]`))}},
	{"cel", "ReplacePrefixMatch with a PathPrefix match", []op{set(rule0.child("filters"), y(`[{type: URLRewrite, urlRewrite: {path: {type: ReplacePrefixMatch, replacePrefixMatch: /x}}}]`))}},
	{"list-unique", "requestHeaderModifier.set with one name twice", []op{set(rule0.child("filters"), y(`[{type: RequestHeaderModifier, requestHeaderModifier: {set: [{name: X-A, value: "1"}, {name: X-A, value: "2"}]}}]`))}},
	{"list-unique", "requestHeaderModifier.set with names differing in case", []op{set(rule0.child("filters"), y(`[{type: RequestHeaderModifier, requestHeaderModifier: {set: [{name: X-A, value: "1"}, {name: x-a, value: "2"}]}}]`))}},
	{"list-unique", "header matches with one name twice", []op{set(match0.child("headers"), y(`[{name: x-a, value: "1"}, {name: x-a, value: "2"}]`))}},
	{"pattern", "header match name with a space", []op{set(match0.child("headers"), y(`[{name: "x a", value: "1"}]`))}},
	{"cel", "two identical parentRefs", []op{add(path{"spec", "parentRefs"}, y(`{name: ai-gateway}`))}},
	{"cel", "two parentRefs to the same Gateway with different sectionNames", []op{patch(path{"spec", "parentRefs", 0}, y(`{name: ai-gateway, sectionName: http}`)), add(path{"spec", "parentRefs"}, y(`{name: ai-gateway, sectionName: https}`))}},
	{"cel", "two rules with the same name", []op{set(rule0.child("name"), "r"), add(path{"spec", "rules"}, y(`{name: r}`))}},
	{"pattern", "hostname *.*.example.com", []op{set(path{"spec", "hostnames"}, y(`["*.*.example.com"]`))}},
	{"pattern", "hostname *.example.com", []op{set(path{"spec", "hostnames"}, y(`["*.example.com"]`))}},
	{"pattern", "hostname with an upper-case letter", []op{set(path{"spec", "hostnames"}, y(`["AI.example.com"]`))}},
	{"pattern", "hostname an IP address", []op{set(path{"spec", "hostnames"}, y(`["192.0.2.1"]`))}},
	{"enum", "method FETCH", []op{set(match0.child("method"), "FETCH")}},
	{"cel", "queryParams with one name twice", []op{set(match0.child("queryParams"), y(`[{name: a, value: "1"}, {name: a, value: "2"}]`))}},
	{"cel", "RequestMirror with percent and fraction", []op{set(rule0.child("filters"), y(`[{type: RequestMirror, requestMirror: {backendRef: {name: m, port: 80}, percent: 10, fraction: {numerator: 1}}}]`))}},
	{"cel", "fraction numerator above denominator", []op{set(rule0.child("filters"), y(`[{type: RequestMirror, requestMirror: {backendRef: {name: m, port: 80}, fraction: {numerator: 5, denominator: 2}}}]`))}},
	{"cel", "redirect with a path and a backendRef", []op{set(rule0.child("filters"), y(`[{type: RequestRedirect, requestRedirect: {path: {type: ReplaceFullPath, replaceFullPath: /x}}}]`))}},
	{"cel", "redirect statusCode 307", []op{del(rule0.child("backendRefs")), set(rule0.child("filters"), y(`[{type: RequestRedirect, requestRedirect: {statusCode: 307}}]`))}},
	{"cel", "more than 64 matches over all rules", []op{set(rule0.child("matches"), seqNode(manyMatches(65)...))}},
	{"range", "16 rules", []op{set(path{"spec", "rules"}, seqNode(manyRules(16)...))}},
	{"range", "17 rules", []op{set(path{"spec", "rules"}, seqNode(manyRules(17)...))}},
	{"int-or-string", "backendRef port as a string", []op{set(backend0.child("port"), "8080")}},
}

func manyMatches(n int) []any {
	out := make([]any, n)
	for i := range out {
		out[i] = mapNode("path", mapNode("type", "Exact", "value", "/m"+strings.Repeat("x", i)))
	}
	return out
}

func manyRules(n int) []any {
	out := make([]any, n)
	for i := range out {
		out[i] = mapNode("matches", seqNode(mapNode("path", mapNode("value", "/r"+strings.Repeat("x", i)))))
	}
	return out
}

var gatewayEdits = []edit{
	{"cel", "HTTPS listener without tls", []op{patch(l0.child("protocol"), "HTTPS")}},
	{"cel", "HTTP listener with tls", []op{set(l0.child("tls"), y(`{mode: Terminate, certificateRefs: [{name: cert}]}`))}},
	{"cel", "HTTPS listener with tls", []op{patch(l0.child("protocol"), "HTTPS"), set(l0.child("tls"), y(`{certificateRefs: [{name: cert}]}`))}},
	{"cel", "HTTPS listener with tls mode Passthrough", []op{patch(l0.child("protocol"), "HTTPS"), set(l0.child("tls"), y(`{mode: Passthrough}`))}},
	{"cel", "TLS listener with Terminate and no certificateRefs", []op{patch(l0.child("protocol"), "TLS"), set(l0.child("tls"), y(`{mode: Terminate}`))}},
	{"cel", "TCP listener with a hostname", []op{patch(l0.child("protocol"), "TCP"), set(l0.child("hostname"), "a.example.com"), del(l0.child("allowedRoutes"))}},
	{"cel", "TCP listener", []op{patch(l0.child("protocol"), "TCP"), del(l0.child("allowedRoutes"))}},
	{"list-unique", "two listeners with the same name", []op{add(listener, y(`{name: http, port: 9090, protocol: HTTP}`))}},
	{"cel", "two listeners with the same port, protocol and hostname", []op{add(listener, y(`{name: other, port: 8080, protocol: HTTP}`))}},
	{"cel", "second listener on another port", []op{add(listener, y(`{name: other, port: 8081, protocol: HTTP}`))}},
	{"cel", "second listener on the same port with a hostname", []op{add(listener, y(`{name: other, port: 8080, protocol: HTTP, hostname: b.example.com}`))}},
	{"cel", "address IPAddress not an IP", []op{set(path{"spec", "addresses"}, y(`[{type: IPAddress, value: not-an-ip}]`))}},
	{"cel-default", "address without type (defaults to IPAddress) not an IP", []op{set(path{"spec", "addresses"}, y(`[{value: not-an-ip}]`))}},
	{"default", "address without type, an IP", []op{set(path{"spec", "addresses"}, y(`[{value: 192.0.2.5}]`))}},
	{"cel", "address Hostname", []op{set(path{"spec", "addresses"}, y(`[{type: Hostname, value: lb.example.com}]`))}},
	{"cel", "address Hostname with an IP", []op{set(path{"spec", "addresses"}, y(`[{type: Hostname, value: 192.0.2.5}]`))}},
	{"cel", "address twice", []op{set(path{"spec", "addresses"}, y(`[{value: 192.0.2.5}, {value: 192.0.2.5}]`))}},
	{"cel", "allowedRoutes from Selector without selector", []op{set(l0.child("allowedRoutes"), y(`{namespaces: {from: Selector}}`))}},
	{"cel", "allowedRoutes kinds with an unknown kind", []op{set(l0.child("allowedRoutes"), y(`{kinds: [{kind: "bad kind"}]}`))}},
	{"pattern", "listener hostname with a wildcard in the middle", []op{set(l0.child("hostname"), "a.*.example.com")}},
	{"range", "listener port 0", []op{patch(l0.child("port"), 0)}},
	{"pattern", "listener name with upper case", []op{patch(l0.child("name"), "HTTP")}},
	{"cel", "infrastructure labels with an invalid key", []op{set(path{"spec", "infrastructure", "labels"}, y(`{"bad key": x}`))}},
	{"cel", "infrastructure annotation with a kubernetes.io key", []op{set(path{"spec", "infrastructure", "annotations"}, y(`{"kubernetes.io/x": y}`))}},
	{"range", "65 listeners", []op{set(listener, seqNode(manyListeners(65)...))}},
	{"yaml-1.1", "listener port 017620 (YAML 1.1 octal 8080)", []op{patch(l0.child("port"), rawNode("017620"))}},
	{"yaml-1.1", "listener port 0x1F90 (hex 8080)", []op{patch(l0.child("port"), rawNode("0x1F90"))}},
	{"yaml-1.1", "listener port 8_080 (YAML 1.1 digit separator)", []op{patch(l0.child("port"), rawNode("8_080"))}},
	{"yaml-1.1", "listener port 0o17620 (YAML 1.2 octal)", []op{patch(l0.child("port"), rawNode("0o17620"))}},
	{"yaml-1.1", "listener port +8080", []op{patch(l0.child("port"), rawNode("+8080"))}},
	{"yaml-1.1", "listener port 8.08e3 (float notation)", []op{patch(l0.child("port"), rawNode("8.08e3"))}},
	{"yaml-1.1", "listener port 9223372036854775808 (beyond int64)", []op{patch(l0.child("port"), rawNode("9223372036854775808"))}},
	{"yaml-1.1", "listener port .inf", []op{patch(l0.child("port"), rawNode(".inf"))}},
	{"yaml-1.1", "listener protocol !!binary", []op{patch(l0.child("protocol"), &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!binary", Value: "SFRUUA==", Style: yaml.TaggedStyle})}},
	{"null", "listener name left empty (null)", []op{patch(l0.child("name"), rawNode(""))}},
}

func manyListeners(n int) []any {
	out := make([]any, n)
	for i := range out {
		out[i] = mapNode("name", "l"+strings.Repeat("x", i), "port", 1000+i, "protocol", "HTTP")
	}
	return out
}

var grpcRouteEdits = []edit{
	{"cel", "method match without service and method", []op{set(rule0.child("matches").child(0).child("method"), y(`{type: Exact}`))}},
	{"pattern", "method service with a slash", []op{patch(rule0.child("matches").child(0).child("method").child("service"), "a/b")}},
	{"cel", "RegularExpression method match", []op{set(rule0.child("matches").child(0).child("method"), y(`{type: RegularExpression, service: "example\\..*"}`))}},
	{"cel", "backendRef without port", []op{del(rule0.child("backendRefs").child(0).child("port"))}},
}

var otherGatewayAPIEdits = []edit{
	{"pattern", "ReferenceGrant to a kind with a space", []op{patch(path{"spec", "to", 0, "kind"}, "Bad Kind")}},
	{"required", "ReferenceGrant from without namespace", []op{del(path{"spec", "from", 0, "namespace"})}},
	{"cel", "BackendTLSPolicy with both wellKnownCACertificates and caCertificateRefs", []op{set(path{"spec", "validation", "caCertificateRefs"}, y(`[{group: "", kind: ConfigMap, name: ca}]`))}},
	{"cel", "BackendTLSPolicy without CA", []op{del(path{"spec", "validation", "wellKnownCACertificates"})}},
	{"cel", "ListenerSet HTTPS listener without tls", []op{patch(path{"spec", "listeners", 0, "protocol"}, "HTTPS")}},
	{"pattern", "GatewayClass controllerName without a domain", []op{patch(path{"spec", "controllerName"}, "controller")}},
	{"range", "GatewayClass description of 65 characters", []op{patch(path{"spec", "description"}, strings.Repeat("d", 65))}},
}

var kgatewayBackendEdits = []edit{
	{"cel", "type AI without ai", []op{patch(path{"spec", "type"}, "AI"), del(path{"spec", "ai"})}},
	{"cel", "type Static with ai", []op{patch(path{"spec", "ai"}, y(`{}`)), patch(path{"spec", "type"}, "Static")}},
	{"cel", "type AWS without aws", []op{patch(path{"spec", "type"}, "AWS")}},
	{"cel", "type Static without static", []op{patch(path{"spec", "type"}, "Static"), del(path{"spec", "ai"})}},
	{"cel", "ai.llm with a second provider (v2.1)", []op{patch(path{"spec", "ai", "llm", "openai"}, y(`{authToken: {kind: Passthrough}}`)), set(path{"spec", "ai", "llm", "anthropic"}, y(`{authToken: {kind: Passthrough}}`))}},
	{"cel", "ai.llm.provider with a second provider (v2.0)", []op{patch(path{"spec", "ai", "llm", "provider", "openai"}, y(`{authToken: {kind: Passthrough}}`)), set(path{"spec", "ai", "llm", "provider", "anthropic"}, y(`{authToken: {kind: Passthrough}}`))}},
	{"cel", "ai with llm and priorityGroups", []op{patch(path{"spec", "ai", "llm"}, y(`{openai: {authToken: {kind: Passthrough}}}`)), set(path{"spec", "ai", "priorityGroups"}, y(`[{providers: [{name: a, openai: {authToken: {kind: Passthrough}}}]}]`))}},
	{"cel", "ai with llm and multipool", []op{patch(path{"spec", "ai", "llm"}, y(`{provider: {openai: {authToken: {kind: Passthrough}}}}`)), set(path{"spec", "ai", "multipool"}, y(`{priorities: [{pool: [{provider: {openai: {authToken: {kind: Passthrough}}}}]}]}`))}},
	{"cel", "authToken kind Inline with a secretRef", []op{patch(path{"spec", "ai", "llm", "openai", "authToken", "kind"}, "Inline")}},
	{"cel", "authToken kind SecretRef without secretRef", []op{del(path{"spec", "ai", "llm", "openai", "authToken", "secretRef"})}},
	{"cel", "authToken kind Passthrough", []op{patch(path{"spec", "ai", "llm", "openai", "authToken"}, y(`{kind: Passthrough}`))}},
	{"cel", "llm host without port", []op{patch(path{"spec", "ai", "llm", "openai"}, y(`{authToken: {kind: Passthrough}}`)), set(path{"spec", "ai", "llm", "host"}, "api.example.com")}},
	{"cel", "llm host and port", []op{patch(path{"spec", "ai", "llm", "openai"}, y(`{authToken: {kind: Passthrough}}`)), set(path{"spec", "ai", "llm", "host"}, "api.example.com"), set(path{"spec", "ai", "llm", "port"}, 443)}},
	{"required", "hostOverride without port (v2.0)", []op{patch(path{"spec", "ai", "llm", "provider"}, y(`{openai: {authToken: {kind: Passthrough}}}`)), set(path{"spec", "ai", "llm", "hostOverride"}, y(`{host: api.example.com}`))}},
	{"cel", "priorityGroups provider names not unique", []op{add(path{"spec", "ai", "priorityGroups", 0, "providers"}, y(`{name: primary, openai: {authToken: {kind: Passthrough}}}`))}},
	{"range", "static host port 0", []op{patch(path{"spec", "static", "hosts", 0, "port"}, 0)}},
}

var trafficPolicyEdits = []edit{
	{"cel", "timeouts.request not a duration", []op{set(path{"spec", "timeouts"}, y(`{request: ten seconds}`))}},
	{"cel", "timeouts.request 1.5s", []op{set(path{"spec", "timeouts"}, y(`{request: 1.5s}`))}},
	{"cel", "timeouts.request 1h30m", []op{set(path{"spec", "timeouts"}, y(`{request: 1h30m}`))}},
	{"cel", "retry.perTryTimeout 0ms", []op{set(path{"spec", "retry", "perTryTimeout"}, "0ms")}},
	{"cel", "retry without retryOn and statusCodes", []op{set(path{"spec", "retry"}, y(`{attempts: 2}`))}},
	{"cel", "retry.perTryTimeout longer than timeouts.request", []op{set(path{"spec", "retry"}, y(`{retryOn: [5xx], perTryTimeout: 60s}`)), set(path{"spec", "timeouts"}, y(`{request: 30s}`))}},
	{"cel", "retry with timeouts but no perTryTimeout", []op{set(path{"spec", "retry"}, y(`{retryOn: [5xx]}`)), set(path{"spec", "timeouts"}, y(`{request: 30s}`))}},
	{"cel", "retry targeting a Gateway without sectionName", []op{set(path{"spec", "retry"}, y(`{retryOn: [5xx]}`)), del(path{"spec", "timeouts"}), set(path{"spec", "targetRefs"}, y(`[{group: gateway.networking.k8s.io, kind: Gateway, name: g}]`))}},
	{"cel", "cors allowOrigins * with another origin", []op{set(path{"spec", "cors"}, y(`{allowOrigins: ["*", "https://a.example.com"]}`))}},
	{"cel", "cors allowMethods * alone", []op{set(path{"spec", "cors"}, y(`{allowMethods: ["*"]}`))}},
	{"cel", "targetRefs kind Service", []op{patch(path{"spec", "targetRefs", 0}, y(`{group: "", kind: Service, name: s}`))}},
	{"cel", "targetRefs kind Gateway", []op{patch(path{"spec", "targetRefs", 0}, y(`{group: gateway.networking.k8s.io, kind: Gateway, name: g}`))}},
	{"cel", "targetRefs kind Backend", []op{patch(path{"spec", "targetRefs", 0}, y(`{group: gateway.kgateway.dev, kind: Backend, name: b}`))}},
	{"cel", "autoHostRewrite targeting an HTTPRoute", []op{set(path{"spec", "autoHostRewrite"}, true)}},
	{"cel", "autoHostRewrite targeting a Gateway", []op{set(path{"spec", "autoHostRewrite"}, true), patch(path{"spec", "targetRefs", 0}, y(`{group: gateway.networking.k8s.io, kind: Gateway, name: g}`))}},
	{"cel", "buffer.maxRequestSize 5Gi", []op{set(path{"spec", "buffer"}, y(`{maxRequestSize: 5Gi}`))}},
	{"cel", "buffer.maxRequestSize 0", []op{set(path{"spec", "buffer"}, y(`{maxRequestSize: 0}`))}},
	{"cel", "buffer.maxRequestSize 1024", []op{set(path{"spec", "buffer"}, y(`{maxRequestSize: 1024}`))}},
	{"cel", "buffer with maxRequestSize and disable", []op{set(path{"spec", "buffer"}, y(`{maxRequestSize: 1Mi, disable: {}}`))}},
	{"pattern", "buffer.maxRequestSize 1 MB", []op{set(path{"spec", "buffer"}, y(`{maxRequestSize: 1 MB}`))}},
	{"cel", "headerModifiers without request and response", []op{set(path{"spec", "headerModifiers"}, y(`{}`))}},
	{"cel", "extAuth with extensionRef and disable", []op{set(path{"spec", "extAuth"}, y(`{extensionRef: {name: e}, disable: {}}`))}},
	{"cel", "extAuth with extensionRef and enablement (v2.0)", []op{set(path{"spec", "extAuth"}, y(`{extensionRef: {name: e}, enablement: DisableAll}`))}},
	{"cel", "csrf with both percentages", []op{set(path{"spec", "csrf"}, y(`{percentageEnabled: 10, percentageShadowed: 10}`))}},
	{"cel", "tokenBucket fillInterval not a duration", []op{patch(path{"spec", "rateLimit", "local", "tokenBucket", "fillInterval"}, "one minute")}},
	{"cel", "tokenBucket fillInterval 0s", []op{patch(path{"spec", "rateLimit", "local", "tokenBucket", "fillInterval"}, "0s")}},
	{"cel", "tokenBucket fillInterval 100ms", []op{patch(path{"spec", "rateLimit", "local", "tokenBucket", "fillInterval"}, "100ms")}},
	{"required", "tokenBucket without maxTokens", []op{del(path{"spec", "rateLimit", "local", "tokenBucket", "maxTokens"})}},
	{"cel", "ai promptGuard regex with an invalid builtin", []op{set(path{"spec", "ai", "promptGuard"}, y(`{request: {regex: {builtins: [Passport]}}}`))}},
	{"cel", "ai defaults with an empty field", []op{set(path{"spec", "ai", "defaults"}, y(`[{field: "", value: "1"}]`))}},
}

var kgatewayOtherEdits = []edit{
	{"cel", "GatewayExtension type ExtProc with extAuth", []op{patch(path{"spec", "type"}, "ExtProc")}},
	{"cel", "GatewayExtension type RateLimit without rateLimit", []op{patch(path{"spec", "type"}, "RateLimit"), del(path{"spec", "extAuth"})}},
	{"cel", "GatewayExtension with extAuth and extProc", []op{patch(path{"spec", "extAuth"}, y(`{grpcService: {backendRef: {name: a, port: 1}}}`)), set(path{"spec", "extProc"}, y(`{grpcService: {backendRef: {name: a, port: 1}}}`))}},
	{"cel", "GatewayExtension backendRef to a Service without port", []op{del(path{"spec", "extAuth", "grpcService", "backendRef", "port"})}},
	{"cel", "HTTPListenerPolicy targeting an HTTPRoute", []op{patch(path{"spec", "targetRefs", 0, "kind"}, "HTTPRoute")}},
	{"cel", "HTTPListenerPolicy idleTimeout not a duration", []op{patch(path{"spec", "idleTimeout"}, "1 minute")}},
	{"cel", "HTTPListenerPolicy healthCheck path without a slash", []op{patch(path{"spec", "healthCheck", "path"}, "healthz")}},
	{"cel", "BackendConfigPolicy loadBalancer with two algorithms", []op{patch(path{"spec", "loadBalancer"}, y(`{roundRobin: {}, random: {}}`))}},
	{"cel", "BackendConfigPolicy loadBalancer without an algorithm", []op{patch(path{"spec", "loadBalancer"}, y(`{closeConnectionsOnHostSetChange: true}`))}},
	{"cel", "BackendConfigPolicy tls with two CA sources", []op{patch(path{"spec", "tls"}, y(`{wellKnownCACertificates: System, insecureSkipVerify: true}`))}},
	{"cel", "BackendConfigPolicy http1 and http2 options", []op{patch(path{"spec", "connectTimeout"}, "5s"), set(path{"spec", "http1ProtocolOptions"}, y(`{enableTrailers: true}`)), set(path{"spec", "http2ProtocolOptions"}, y(`{maxConcurrentStreams: 10}`))}},
	{"cel", "BackendConfigPolicy http2 window 64Ki", []op{patch(path{"spec", "connectTimeout"}, "5s"), set(path{"spec", "http2ProtocolOptions"}, y(`{initialStreamWindowSize: 64Ki}`))}},
	{"cel", "BackendConfigPolicy http2 window 1Ki", []op{patch(path{"spec", "connectTimeout"}, "5s"), set(path{"spec", "http2ProtocolOptions"}, y(`{initialStreamWindowSize: 1Ki}`))}},
	{"cel", "BackendConfigPolicy http2 window 100 (integer)", []op{patch(path{"spec", "connectTimeout"}, "5s"), set(path{"spec", "http2ProtocolOptions"}, y(`{initialStreamWindowSize: 100}`))}},
	{"cel", "BackendConfigPolicy http2 window 70000 (integer)", []op{patch(path{"spec", "connectTimeout"}, "5s"), set(path{"spec", "http2ProtocolOptions"}, y(`{initialStreamWindowSize: 70000}`))}},
	{"cel", "BackendConfigPolicy targeting a Gateway", []op{patch(path{"spec", "targetRefs", 0}, y(`{group: gateway.networking.k8s.io, kind: Gateway, name: g}`))}},
	{"cel", "BackendConfigPolicy healthCheck with http and grpc", []op{patch(path{"spec", "connectTimeout"}, "5s"), set(path{"spec", "healthCheck"}, y(`{timeout: 1s, interval: 5s, healthyThreshold: 1, unhealthyThreshold: 2, http: {path: /h}, grpc: {}}`))}},
	{"cel", "BackendConfigPolicy outlierDetection interval 0s", []op{patch(path{"spec", "outlierDetection"}, y(`{interval: 0s}`))}},
	{"default", "BackendConfigPolicy outlierDetection empty (defaults)", []op{patch(path{"spec", "outlierDetection"}, y(`{}`))}},
	{"cel", "GatewayParameters aiExtension port name twice", []op{add(path{"spec", "kube", "aiExtension", "ports"}, y(`{containerPort: 9093, name: ai-monitoring}`))}},
	{"cel", "GatewayParameters kube and selfManaged", []op{set(path{"spec", "selfManaged"}, y(`{}`))}},
	{"cel", "GatewayParameters service type Bogus", []op{patch(path{"spec", "kube", "service", "type"}, "Bogus")}},
	{"range", "DirectResponse status 99", []op{patch(path{"spec", "status"}, 99)}},
	{"range", "DirectResponse status 600", []op{patch(path{"spec", "status"}, 600)}},
	{"range", "DirectResponse body of 4097 characters", []op{patch(path{"spec", "body"}, strings.Repeat("b", 4097))}},
}

var agwBackendEdits = []edit{
	{"cel", "ai.provider with two LLMs", []op{patch(path{"spec", "ai", "provider", "openai"}, y(`{model: a}`)), set(path{"spec", "ai", "provider", "anthropic"}, y(`{model: b}`))}},
	{"cel", "ai with provider and groups", []op{patch(path{"spec", "ai", "provider"}, y(`{openai: {model: a}}`)), set(path{"spec", "ai", "groups"}, y(`[{providers: [{name: x, openai: {model: a}}]}]`))}},
	{"cel", "ai.provider host without port", []op{patch(path{"spec", "ai", "provider", "host"}, "h.example.com"), del(path{"spec", "ai", "provider", "port"})}},
	{"cel", "ai.provider path and pathPrefix", []op{patch(path{"spec", "ai", "provider", "host"}, "h.example.com"), set(path{"spec", "ai", "provider", "path"}, "/a"), set(path{"spec", "ai", "provider", "pathPrefix"}, "/b")}},
	{"cel", "ai.provider pathPrefix without host", []op{set(path{"spec", "ai", "provider", "pathPrefix"}, "/b"), del(path{"spec", "ai", "provider", "host"}), del(path{"spec", "ai", "provider", "port"})}},
	{"cel", "ai and static together", []op{patch(path{"spec", "ai"}, y(`{provider: {openai: {model: a}}}`)), set(path{"spec", "static"}, y(`{host: a, port: 1}`))}},
	{"cel", "policies.ai without ai", []op{patch(path{"spec", "static"}, y(`{host: a, port: 1}`)), set(path{"spec", "policies", "ai"}, y(`{defaults: [{field: a, value: "1"}]}`))}},
	{"cel", "policies.auth with key and secretRef", []op{set(path{"spec", "policies", "auth"}, y(`{key: k, secretRef: {name: s}}`))}},
	{"cel", "policies.auth empty", []op{set(path{"spec", "policies", "auth"}, y(`{}`))}},
	{"cel", "policies.http.requestTimeout not a duration", []op{set(path{"spec", "policies", "http"}, y(`{requestTimeout: soon}`))}},
	{"cel", "policies.http.requestTimeout 0s", []op{set(path{"spec", "policies", "http"}, y(`{requestTimeout: 0s}`))}},
	{"cel", "policies.tcp.connectTimeout 10ms", []op{set(path{"spec", "policies", "tcp"}, y(`{connectTimeout: 10ms}`))}},
	{"cel", "policies.tls insecureSkipVerify All with caCertificateRefs", []op{set(path{"spec", "policies", "tls"}, y(`{insecureSkipVerify: All, caCertificateRefs: [{name: ca}]}`))}},
	{"cel", "policies.tls insecureSkipVerify with verifySubjectAltNames", []op{set(path{"spec", "policies", "tls"}, y(`{insecureSkipVerify: Hostname, verifySubjectAltNames: [a.example.com]}`))}},
	{"cel", "policies empty", []op{set(path{"spec", "policies"}, y(`{}`))}},
	{"cel", "policies.ai empty", []op{patch(path{"spec", "ai"}, y(`{provider: {openai: {model: a}}}`)), set(path{"spec", "policies", "ai"}, y(`{}`))}},
	{"cel", "policies.tunnel backendRef to a Service without port", []op{set(path{"spec", "policies", "tunnel"}, y(`{backendRef: {name: proxy}}`))}},
	{"cel", "mcp targets with one name twice", []op{add(path{"spec", "mcp", "targets"}, y(`{name: tools, static: {host: b, port: 1}}`))}},
	{"cel", "mcp target with selector and static", []op{set(path{"spec", "mcp", "targets", 0, "selector"}, y(`{services: {matchLabels: {a: b}}}`))}},
	{"cel", "mcp target with neither selector nor static", []op{del(path{"spec", "mcp", "targets", 0, "static"})}},
	{"cel", "azureopenai apiVersion v1 without deploymentName", []op{patch(path{"spec", "ai", "provider"}, y(`{azureopenai: {endpoint: a.openai.azure.com, apiVersion: v1}}`))}},
	{"cel", "azureopenai apiVersion 2024-10-21 without deploymentName", []op{patch(path{"spec", "ai", "provider"}, y(`{azureopenai: {endpoint: a.openai.azure.com, apiVersion: "2024-10-21"}}`))}},
	{"cel", "gcp auth audience with type AccessToken", []op{set(path{"spec", "policies", "auth"}, y(`{gcp: {type: AccessToken, audience: x}}`))}},
	{"cel", "promptGuard request regex without matches and builtins", []op{patch(path{"spec", "policies", "ai", "promptGuard", "request", 0}, y(`{regex: {action: Mask}}`))}},
	{"enum", "promptGuard builtin Passport", []op{patch(path{"spec", "policies", "ai", "promptGuard", "request", 0, "regex", "builtins", 0}, "Passport")}},
}

var agwPolicyEdits = []edit{
	{"cel", "no traffic, frontend or backend", []op{del(path{"spec", "traffic"}), del(path{"spec", "backend"})}},
	{"cel", "targetRefs kind Secret", []op{patch(path{"spec", "targetRefs", 0}, y(`{group: "", kind: Secret, name: s}`))}},
	{"cel", "targetRefs of two kinds", []op{add(path{"spec", "targetRefs"}, y(`{group: gateway.networking.k8s.io, kind: Gateway, name: g}`))}},
	{"cel", "targetRefs kind Service", []op{patch(path{"spec", "targetRefs", 0}, y(`{group: "", kind: Service, name: s}`))}},
	{"cel", "backend.ai targeting a Service", []op{patch(path{"spec", "targetRefs", 0}, y(`{group: "", kind: Service, name: s}`)), set(path{"spec", "backend"}, y(`{ai: {defaults: [{field: a, value: "1"}]}}`))}},
	{"cel", "traffic phase PreRouting with timeouts", []op{set(path{"spec", "traffic", "phase"}, "PreRouting")}},
	{"cel", "traffic rateLimit empty", []op{set(path{"spec", "traffic", "rateLimit"}, y(`{}`))}},
	{"cel", "rateLimit local with requests and tokens", []op{patch(path{"spec", "traffic", "rateLimit", "local", 0}, y(`{requests: 1, tokens: 1, unit: Minutes}`))}},
	{"cel", "rateLimit local without requests and tokens", []op{patch(path{"spec", "traffic", "rateLimit", "local", 0}, y(`{unit: Minutes}`))}},
	{"cel", "rateLimit local burst without tokens", []op{patch(path{"spec", "traffic", "rateLimit", "local", 0}, y(`{requests: 10, burst: 5, unit: Minutes}`))}},
	{"enum", "rateLimit local unit Days", []op{patch(path{"spec", "traffic", "rateLimit", "local", 0, "unit"}, "Days")}},
	{"cel", "headerModifiers empty", []op{set(path{"spec", "traffic", "headerModifiers"}, y(`{}`))}},
	{"cel", "timeouts.request not a duration", []op{set(path{"spec", "traffic", "timeouts"}, y(`{request: forever}`))}},
	{"cel", "apiKeyAuthentication with secretRef and secretSelector", []op{set(path{"spec", "traffic", "apiKeyAuthentication"}, y(`{secretRef: {name: a}, secretSelector: {matchLabels: {a: b}}}`))}},
	{"cel", "extAuth with grpc and http", []op{set(path{"spec", "traffic", "extAuth"}, y(`{backendRef: {name: a, port: 1}, grpc: {}, http: {}}`))}},
	{"cel", "backend.tls insecureSkipVerify All with caCertificateRefs", []op{set(path{"spec", "backend"}, y(`{tls: {insecureSkipVerify: All, caCertificateRefs: [{name: ca}]}}`))}},
	{"cel", "backend empty", []op{set(path{"spec", "backend"}, y(`{}`))}},
	{"cel", "frontend tracing path without slash", []op{set(path{"spec", "frontend"}, y(`{tracing: {backendRef: {name: a, port: 1}, path: traces}}`))}},
	{"cel", "targetRefs and targetSelectors", []op{set(path{"spec", "targetSelectors"}, y(`[{group: gateway.networking.k8s.io, kind: HTTPRoute, matchLabels: {a: b}}]`))}},
}

var agwParametersEdits = []edit{
	{"cel", "service type Bogus", []op{patch(path{"spec", "service", "spec", "type"}, "Bogus")}},
	{"unknown-field", "service.spec.bogus", []op{patch(path{"spec", "service", "spec"}, y(`{type: LoadBalancer, bogus: 1}`))}},
	{"cel", "deployment replicas -1", []op{set(path{"spec", "deployment"}, y(`{spec: {replicas: -1}}`))}},
	{"cel", "resources min above max", []op{set(path{"spec", "resources"}, y(`{limits: {cpu: 1}, requests: {cpu: 2}}`))}},
}
