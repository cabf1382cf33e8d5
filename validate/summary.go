package validate

import (
	"fmt"

	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/kubelb-ai/kubelb-ai/dataplane"
	"github.com/kubelb-ai/kubelb-ai/internal/objpath"
	"github.com/kubelb-ai/kubelb-ai/quota"
	"github.com/kubelb-ai/kubelb-ai/validate/loader"
)

// object is what the checks over the whole set (references, grants, policy
// targets and clashes, rate limits) know about one document. A run keeps one
// per document until its end instead of the decoded document, which is many
// times larger, so memory grows little with the input. A check that needs
// another field adds it here and in summarize.
type object struct {
	// doc is the document lightened: file, line and positions, no object.
	doc *loader.Document
	key objKey
	// What the checks read of each kind; nil for other kinds.
	gateway *gatewayFacts
	route   *routeFacts
	grant   *grantFacts
	policy  *policyFacts
	aiBack  *aiBackendFacts
	// secretKeys are a Secret's keys (data, stringData) with a value.
	secretKeys map[string]bool
	// secretRefs are the object's secretRef fields, in walkMaps order.
	secretRefs []secretRef
	// clients are a policy's client authentication and global limits
	// (dataplane.ReadPolicyClients); nil for other objects.
	clients *dataplane.PolicyClients
	// passthrough: a backend that sends the client's Authorization to the
	// provider (dataplane.AuthPassthrough).
	passthrough bool
	// mcp is an MCP backend's targets or what a policy does to the
	// client's Authorization (dataplane.ReadMCP); nil for other objects.
	mcp *dataplane.MCPFacts
	// selector is a Service's pod selector.
	selector map[string]string
	// deploy is a Deployment's replicas and pod labels.
	deploy *deployFacts
	// rateLimitConfigs are the rate-limit service configurations a
	// ConfigMap holds (quota.ParseConfig), one per domain file.
	rateLimitConfigs []*quota.Config
	// assumedNS: the document names no namespace; key.namespace is the
	// one kubectl would give it.
	assumedNS bool
}

type deployFacts struct {
	replicas int64 // 1 when unset, as the API server defaults it
	labels   map[string]string
}

type gatewayFacts struct {
	listeners []listener
	params    *objKey // spec.infrastructure.parametersRef (namespace unused)
}

type routeFacts struct {
	parents  []parentRef
	backends []backendRef
	toAI     bool // a backendRef names a data plane's backend kind
	// labels are the route's own (metadata.labels), for delegation by
	// label.
	labels map[string]string
}

// grantFacts are a ReferenceGrant's entries; fields that are not strings
// hold noString.
type grantFacts struct {
	from []objKey // group, kind, namespace
	to   []grantTo
}

// aiBackendFacts are an AI backend's whose data plane needs its route
// types mapped (dataplane.AIBackend).
type aiBackendFacts struct {
	routes bool // spec.policies.ai.routes maps paths to route types
}

// policyFacts are a data plane's policy object's (dataplane.ReadPolicy).
type policyFacts struct {
	targets   []targetRef
	rateLimit bool     // sets a rate limit
	aiRoutes  bool     // maps paths to route types for the backends it reaches
	singular  []string // fields the data plane keeps one of per target, as "traffic.rateLimit"
}

// noString stands for a reference field that is absent or not a string, so
// that it equals no real group, kind or namespace.
const noString = "\x00"

type listener struct {
	name string
	port int64
	from string // allowedRoutes.namespaces.from, Same by default
}

type parentRef struct {
	isObject             bool
	group, kind, ns      string // with the API's defaults applied
	name, section        string
	port                 int64
	hasPort              bool
	portText             string // port as written, for messages
	explicitNS, nameText string // for the rate-limit lookup: namespace if a string, name as %v
}

type backendRef struct {
	path                  string
	group, kind, ns, name string
}

type grantTo struct {
	group, kind, name string
	hasName           bool
}

type targetRef struct {
	index                     int // among the targetRefs that are objects
	group, kind, name         string
	kindText, nameText, clash string // %s renderings for messages and keys
}

// secretRef is a secretRef field: the Secret's name and, where the
// reference picks one, the key to read.
type secretRef struct{ path, name, key, kind string }

func str(v any) string {
	if s, ok := v.(string); ok {
		return s
	}
	return noString
}

// summarize extracts an object from a decoded document. A namespaced
// object that names no namespace is in defaultNS, as kubectl would create
// it (its context's namespace, or -n).
func summarize(d *loader.Document, namespaced func(apiVersion, kind string) bool, defaultNS string) *object {
	av, kind := d.Kind()
	ns, name := d.Name()
	o := &object{doc: d.Lighten(nil), key: objKey{groupOf(av), kind, ns, name}}
	if ns == "" && kind != "" && namespaced(av, kind) {
		ns = defaultNS
		o.key.namespace, o.assumedNS = ns, true
	}
	spec, _ := d.Object["spec"].(map[string]any)
	pf, isPolicy := dataplane.ReadPolicy(av, kind, spec)
	isAIBackend, routesMapped := dataplane.AIBackend(av, kind, spec)
	switch {
	case o.key.group == gatewayGroup && kind == "Gateway":
		g := &gatewayFacts{}
		o.gateway = g
		listeners, _ := spec["listeners"].([]any)
		for _, l := range listeners {
			lm, _ := l.(map[string]any)
			lname, _ := lm["name"].(string)
			lport, _ := lm["port"].(int64)
			g.listeners = append(g.listeners, listener{name: lname, port: lport, from: allowedFrom(lm)})
		}
		infra, _ := spec["infrastructure"].(map[string]any)
		if ref, ok := infra["parametersRef"].(map[string]any); ok {
			group, _ := ref["group"].(string)
			kind, _ := ref["kind"].(string)
			name, _ := ref["name"].(string)
			g.params = &objKey{group: group, kind: kind, name: name}
		}
	case kind == "HTTPRoute":
		rt := &routeFacts{labels: stringMap(objpath.Get(d.Object, "metadata", "labels"))}
		o.route = rt
		parents, _ := spec["parentRefs"].([]any)
		for _, p := range parents {
			ref, isObject := p.(map[string]any)
			group, kind, pns, pname := refParts(ref, gatewayGroup, "Gateway", ns)
			section, _ := ref["sectionName"].(string)
			port, hasPort := ref["port"].(int64)
			explicitNS := ns
			if n, ok := ref["namespace"].(string); ok {
				explicitNS = n
			}
			rt.parents = append(rt.parents, parentRef{isObject: isObject, group: group, kind: kind, ns: pns, name: pname, section: section,
				port: port, hasPort: hasPort, portText: fmt.Sprint(ref["port"]), explicitNS: explicitNS, nameText: fmt.Sprint(ref["name"])})
		}
		rules, _ := spec["rules"].([]any)
		for i, r := range rules {
			rm, _ := r.(map[string]any)
			refs, _ := rm["backendRefs"].([]any)
			for j, b := range refs {
				ref, _ := b.(map[string]any)
				group, kind, bns, bname := refParts(ref, "", "Service", ns)
				rt.backends = append(rt.backends, backendRef{path: fmt.Sprintf("spec.rules[%d].backendRefs[%d]", i, j), group: group, kind: kind, ns: bns, name: bname})
				if k, _ := ref["kind"].(string); dataplane.IsBackendKind(k) {
					rt.toAI = true
				}
			}
		}
	case o.key.group == gatewayGroup && kind == "ReferenceGrant":
		g := &grantFacts{}
		o.grant = g
		for _, x := range asList(spec["from"]) {
			g.from = append(g.from, objKey{group: str(x["group"]), kind: str(x["kind"]), namespace: str(x["namespace"])})
		}
		for _, x := range asList(spec["to"]) {
			n, hasName := x["name"].(string)
			g.to = append(g.to, grantTo{group: str(x["group"]), kind: str(x["kind"]), name: n, hasName: hasName})
		}
	case isPolicy:
		p := &policyFacts{rateLimit: pf.RateLimit, aiRoutes: pf.AIRoutes, singular: pf.Singular}
		o.policy = p
		for i, ref := range asList(spec["targetRefs"]) {
			group, _ := ref["group"].(string)
			kind, _ := ref["kind"].(string)
			name, _ := ref["name"].(string)
			p.targets = append(p.targets, targetRef{index: i, group: group, kind: kind, name: name,
				kindText: fmt.Sprintf("%s", ref["kind"]), nameText: fmt.Sprintf("%s", ref["name"]),
				clash: fmt.Sprintf("%s/%s/%s/%s", ns, ref["kind"], ref["name"], ref["sectionName"])})
		}
	case isAIBackend:
		o.aiBack = &aiBackendFacts{routes: routesMapped}
	case o.key.group == "" && kind == "Service":
		o.selector = stringMap(spec["selector"])
	case o.key.group == "apps" && kind == "Deployment":
		o.deploy = &deployFacts{replicas: 1, labels: stringMap(objpath.Get(spec, "template", "metadata", "labels"))}
		if n, ok := spec["replicas"].(int64); ok {
			o.deploy.replicas = n
		}
	case o.key.group == "" && kind == "ConfigMap":
		o.rateLimitConfigs = rateLimitConfigs(d.Object)
	case o.key.group == "" && kind == "Secret":
		o.secretKeys = map[string]bool{}
		for _, field := range []string{"stringData", "data"} {
			m, _ := d.Object[field].(map[string]any)
			for k, val := range m {
				if s, ok := val.(string); ok && s != "" {
					o.secretKeys[k] = true
				}
			}
		}
	}
	if c, ok := dataplane.ReadPolicyClients(av, kind, spec); ok {
		o.clients = &c
	}
	o.passthrough = dataplane.AuthPassthrough(av, kind, spec)
	if m, ok := dataplane.ReadMCP(av, kind, spec); ok {
		o.mcp = &m
	}
	walkMaps(d.Object, "", func(path string, m map[string]any) {
		if ref, ok := m["secretRef"].(map[string]any); ok {
			name, _ := ref["name"].(string)
			key, _ := ref["key"].(string)
			kind, _ := ref["kind"].(string)
			o.secretRefs = append(o.secretRefs, secretRef{path: join(path, "secretRef"), name: name, key: key, kind: kind})
		}
	})
	return o
}

// report makes a warning about o at path. A reference finding about an
// object that names no namespace says which one was assumed, and stays a
// warning under --strict: the context's namespace may be another.
func (o *object) report(path, rule, msg, fix string) Finding {
	assumed := o.assumedNS && isRefRule(rule)
	if assumed {
		msg += fmt.Sprintf(" (the %s names no namespace: %q assumed, as kubectl would apply it; -n sets another)", o.key.kind, o.key.namespace)
	}
	// place gives it a position, with every other set finding.
	f := Finding{File: o.doc.File, Object: o.name(), Path: path, Severity: SeverityWarning, Rule: rule, Message: msg, Fix: fix, at: o.doc}
	if assumed {
		f = assume(f)
	}
	return f
}

// name is objectName of the document, as it is written.
func (o *object) name() string {
	switch {
	case o.key.namespace != "" && !o.assumedNS:
		return o.key.kind + " " + o.key.namespace + "/" + o.key.name
	case o.key.name != "":
		return o.key.kind + " " + o.key.name
	}
	return o.key.kind
}

// clusterScoped are the built-in kinds that live in no namespace; a CRD's
// kind is looked up in the schemas instead.
var clusterScoped = map[string]bool{
	"v1/Namespace": true, "v1/Node": true, "v1/PersistentVolume": true,
	"rbac.authorization.k8s.io/ClusterRole": true, "rbac.authorization.k8s.io/ClusterRoleBinding": true,
	"storage.k8s.io/StorageClass": true, "storage.k8s.io/CSIDriver": true, "scheduling.k8s.io/PriorityClass": true,
	"networking.k8s.io/IngressClass": true, "node.k8s.io/RuntimeClass": true,
	"apiextensions.k8s.io/CustomResourceDefinition": true, "apiregistration.k8s.io/APIService": true,
	"admissionregistration.k8s.io/ValidatingWebhookConfiguration": true, "admissionregistration.k8s.io/MutatingWebhookConfiguration": true,
}

// namespaced says whether objects of apiVersion and kind live in a
// namespace: a CRD's scope, else the built-in kinds'.
func (v *Validator) namespaced(apiVersion, kind string) bool {
	if gv, err := schema.ParseGroupVersion(apiVersion); err == nil {
		if namespaced, served := v.set.Namespaced(gv.WithKind(kind)); served {
			return namespaced
		}
		group := gv.Group
		if group == "" {
			group = "v1"
		}
		return !clusterScoped[group+"/"+kind]
	}
	return true
}

// namespace is where objects naming none are assumed to be.
func (v *Validator) namespace() string {
	if v.opts.Namespace != "" {
		return v.opts.Namespace
	}
	return "default"
}
