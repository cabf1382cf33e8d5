package generate

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"sort"
	"strings"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/validation"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	gwv1 "sigs.k8s.io/gateway-api/apis/v1"
	"sigs.k8s.io/yaml"

	"github.com/kubelb-ai/kubelb-ai/dataplane"
	"github.com/kubelb-ai/kubelb-ai/spec"
	"github.com/kubelb-ai/kubelb-ai/templates"
)

// Issue is something in the manifests that the Spec cannot represent; Parse
// reports it instead of dropping it silently.
type Issue struct {
	// Object is Kind/name of the object concerned.
	Object  string
	Message string
	// MissingSecret is set when the issue is only that the Secret of this
	// name is not among the manifests (often created by hand): the Spec
	// then reads the key from the provider's default variable.
	MissingSecret string
	// LiteralSecret is set when the issue is only that the Secret of this
	// name holds a literal key: the Spec reads the key from the provider's
	// variable instead, and Migrate can carry the key over.
	LiteralSecret string
}

func (i Issue) String() string { return i.Object + ": " + i.Message }

// DecodeManifests splits a YAML or JSON stream into objects, skipping empty
// documents and unwrapping v1 Lists.
func DecodeManifests(data []byte) ([]map[string]any, error) {
	dec := utilyaml.NewYAMLOrJSONDecoder(bytes.NewReader(data), 4096)
	var out []map[string]any
	for i := 1; ; i++ {
		var m map[string]any
		if err := dec.Decode(&m); err != nil {
			if errors.Is(err, io.EOF) {
				return out, nil
			}
			return nil, fmt.Errorf("document %d: %w", i, err)
		}
		if len(m) == 0 {
			continue
		}
		if m["kind"] == "List" {
			items, _ := m["items"].([]any)
			for _, it := range items {
				if obj, ok := it.(map[string]any); ok {
					out = append(out, obj)
				}
			}
			continue
		}
		out = append(out, m)
	}
}

// Parse reads manifests of target back into a defaulted Spec. What the Spec
// cannot represent (unknown kinds, fields it has no place for, literal keys)
// is returned as Issues; err is for manifests that cannot be read at all.
func Parse(target string, objs []map[string]any) (*spec.AIGateway, []Issue, error) {
	p, err := parse(target, objs)
	if err != nil {
		return nil, nil, err
	}
	return &p.g, p.issues, nil
}

// parse is Parse that also keeps the literal keys of the Secrets read, by
// the name of the Spec provider that uses them, and the route types of each
// backend.
func parse(target string, objs []map[string]any) (*parser, error) {
	tp, err := dataplane.Lookup(target)
	if err != nil {
		return nil, err
	}
	api := tp.Facts().API
	apiVersion, paramsKind, backendKind, policyKind := api.APIVersion(), api.Parameters, api.Backend, api.Policy
	p := &parser{target: target, secrets: map[string]secretInfo{}, clientKeys: map[string][]spec.APIKey{}, extensions: map[string]*spec.RateLimitService{},
		mcpBackends: map[string]*dataplane.ParsedMCP{}, mcpAllow: map[string][]string{}, mcpSecrets: map[string]bool{}}
	var routes []*gwv1.HTTPRoute
	backends := map[string]dataplane.ParsedBackend{}
	policies := map[string][]*spec.Policies{}
	var onBackends []dataplane.ParsedPolicy
	for _, m := range objs {
		av, _ := m["apiVersion"].(string)
		kind, _ := m["kind"].(string)
		md, _ := m["metadata"].(map[string]any)
		name, _ := md["name"].(string)
		id := kind + "/" + name
		data, err := json.Marshal(m)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", id, err)
		}
		note := func(msgs []string) {
			for _, msg := range msgs {
				p.issue(id, "%s", msg)
			}
		}
		switch {
		case av == "v1" && kind == "Secret":
			var s corev1.Secret
			if err := dataplane.DecodeStrict(data, &s); err != nil {
				return nil, fmt.Errorf("%s: %w", id, err)
			}
			p.keyObjects = append(p.keyObjects, keyObject{kind: dataplane.KeySourceSecret, namespace: s.Namespace, name: s.Name, labels: s.Labels, data: secretStrings(&s)})
			if keys, ok := readClientKeys(&s); ok {
				p.clientKeys[s.Name] = keys
				continue
			}
			p.addSecret(&s, len(p.secrets))
		case av == "v1" && kind == "ConfigMap":
			var cm corev1.ConfigMap
			if err := dataplane.DecodeStrict(data, &cm); err != nil {
				return nil, fmt.Errorf("%s: %w", id, err)
			}
			if cm.Name != dataplane.RateLimitConfigName {
				// Perhaps API-key hashes a policy selects; the end says.
				p.keyObjects = append(p.keyObjects, keyObject{kind: dataplane.KeySourceConfigMap, namespace: cm.Namespace, name: cm.Name, labels: cm.Labels, data: cm.Data})
				continue
			}
			p.rateLimitConfig(id, &cm)
		case av == apiVersion && kind != paramsKind && slices.Contains(tp.Facts().Kinds.Parameters, kind):
			rls, msgs, err := tp.ParseExtension(data)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", id, err)
			}
			note(msgs)
			if rls != nil {
				p.extensions[name] = rls
			}
		case av == gwv1.GroupVersion.String() && kind == "Gateway":
			var gw gwv1.Gateway
			if err := dataplane.DecodeStrict(data, &gw); err != nil {
				return nil, fmt.Errorf("%s: %w", id, err)
			}
			p.gateway(&gw)
		case av == gwv1.GroupVersion.String() && kind == "HTTPRoute":
			var r gwv1.HTTPRoute
			if err := dataplane.DecodeStrict(data, &r); err != nil {
				return nil, fmt.Errorf("%s: %w", id, err)
			}
			routes = append(routes, &r)
		case av == apiVersion && kind == paramsKind:
			st, msgs, err := tp.ParseParameters(data)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", id, err)
			}
			note(msgs)
			p.g.Spec.Gateway.ServiceType = st
		case av == apiVersion && kind == backendKind:
			b, msgs, err := tp.ParseBackend(data)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", id, err)
			}
			note(msgs)
			if b.MCP != nil {
				p.mcpBackends[name] = b.MCP
				continue
			}
			b.Name = name
			backends[name] = b
			if p.backendRouteTypes == nil {
				p.backendRouteTypes = map[string]map[string]string{}
			}
			p.backendRouteTypes[name] = b.RouteTypes
		case av == apiVersion && (kind == policyKind || kind == api.Tracing):
			pp, msgs, err := tp.ParsePolicy(data)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", id, err)
			}
			note(msgs)
			for _, r := range pp.Routes {
				policies[r] = append(policies[r], pp.Policies)
			}
			if len(pp.MCPAllow) > 0 {
				p.mcpAllowFrom(id, pp)
			}
			onBackends = append(onBackends, pp)
			ns, _ := md["namespace"].(string)
			p.clientsOf(id, ns, pp)
			for _, f := range pp.AccessControls {
				p.accessControls = append(p.accessControls, id+" "+f)
			}
			if pp.Tracing != nil {
				p.tracing(id, pp.Tracing)
			}
		default:
			p.issue(id, "%s %s is not part of a %s AI gateway; it is not represented in the Spec", av, kind, target)
		}
	}
	p.readKeySource()
	p.unusedConfigMaps()
	p.attachToBackends(onBackends, backends, routes)
	for _, r := range routes {
		if p.mcpRoute(r) {
			continue
		}
		p.route(r, backends, policies[r.Name])
	}
	p.unroutedMCP()
	p.globalLimits()
	p.finish()
	// A Backend that names no model lets the client's through (both data
	// planes: the model is an optional override). The Spec's defaults would
	// pin the provider's default model in its place; keep it unset where
	// the Spec allows (Gemini and Vertex AI need one in their paths).
	var clientModel []string
	for _, sp := range p.g.Spec.Providers {
		if sp.Model == "" && sp.Kind != "gemini" && sp.Kind != "vertexai" {
			clientModel = append(clientModel, sp.Name)
		}
	}
	spec.Default(&p.g)
	for i := range p.g.Spec.Providers {
		if slices.Contains(clientModel, p.g.Spec.Providers[i].Name) {
			p.g.Spec.Providers[i].Model = ""
		}
	}
	p.setRouteTypes()
	return p, nil
}

type secretInfo struct {
	env     string       // the variable of a ${VAR} marker, "" for a literal
	index   int          // position in the input, to keep provider order
	literal secretValues // the credential keys of a Secret holding a literal key
}

// secretValues are the credential keys of a Secret that holds literal keys,
// by key. It formats as its key names only, so that a stray %v or %#v in a
// message cannot print a credential.
type secretValues map[string]string

func (s secretValues) String() string {
	return "[redacted " + strings.Join(sortedKeys(s), ",") + "]"
}

// GoString keeps %#v from printing the values too.
func (s secretValues) GoString() string { return s.String() }

// literalSecret is a Secret of the manifests that holds literal keys.
type literalSecret struct {
	secret string // its name
	values secretValues
}

// String and GoString print the Secret's name and key names, never a value.
func (l literalSecret) String() string   { return "Secret " + l.secret + " " + l.values.String() }
func (l literalSecret) GoString() string { return l.String() }

// credentialKeys are the Secret keys the data planes read a credential from.
var credentialKeys = []string{dataplane.KeyAuthorization, dataplane.KeyAccessKey, dataplane.KeySecretKey, dataplane.KeySessionToken}

type parser struct {
	target  string
	g       spec.AIGateway
	issues  []Issue
	secrets map[string]secretInfo
	// literals are the literal keys each provider's Secret holds.
	literals map[string]literalSecret
	// providers in order of appearance, and the Secret order of env providers.
	providers []spec.Provider
	order     map[string]int
	// accessControls are the checks of callers the Spec cannot carry,
	// as "Kind/name field".
	accessControls []string
	// routeTypes are the route-type maps read per Spec route, by route name.
	routeTypes map[string]map[string]string
	// backendRouteTypes are those of each backend object, by its name (nil:
	// the object has none).
	backendRouteTypes map[string]map[string]string
	// clientKeys are the API keys of each client-keys Secret generate
	// writes, by its name, as the Spec carries them.
	clientKeys map[string][]spec.APIKey
	// keyObjects are the Secrets, and the ConfigMaps other than the
	// rate-limit service's, that API keys may be read from.
	keyObjects []keyObject
	// clientsFrom is the policy the Spec's clients were read from, in
	// namespace clientsNamespace; keySource is where its API keys are.
	clientsFrom, clientsNamespace string
	keySource                     *dataplane.KeySource
	// keys are the API keys keySource reads, as agentgateway reads them.
	keys []dataplane.ClientKey
	// extensions are the rate-limit services of extension objects, by name;
	// extension is the one the policies name.
	extensions map[string]*spec.RateLimitService
	extension  string
	// limits are the rate-limit service's limits, by descriptor key and route.
	limits map[[2]string]dataplane.GlobalLimit
	// mcpBackends are the MCP backend objects by name, mcpAllow the allow
	// rules policies set on them, mcpSecrets the Secrets their servers'
	// credentials are read from.
	mcpBackends map[string]*dataplane.ParsedMCP
	mcpAllow    map[string][]string
	mcpSecrets  map[string]bool
}

// readClientKeys reads a Secret of clients' API keys: every entry one
// ClientKeyEntry names its client by.
func readClientKeys(s *corev1.Secret) ([]spec.APIKey, bool) {
	if len(s.StringData)+len(s.Data) == 0 {
		return nil, false
	}
	values := secretStrings(s)
	var keys []spec.APIKey
	for _, name := range slices.Sorted(maps.Keys(values)) {
		k, ok := dataplane.ParseClientKeyEntry(name, values[name])
		if !ok {
			return nil, false
		}
		keys = append(keys, k)
	}
	return keys, true
}

// keyObject is a Secret or ConfigMap of the manifests, with its data as
// strings (a Secret's data decoded, its stringData over it).
type keyObject struct {
	kind, namespace, name string
	labels                map[string]string
	data                  map[string]string
	used                  bool // a policy reads API keys from it
}

func secretStrings(s *corev1.Secret) map[string]string {
	values := map[string]string{}
	for k, v := range s.Data {
		values[k] = string(v)
	}
	maps.Copy(values, s.StringData)
	return values
}

// clientsOf takes the Spec's clients and rate-limit service from a policy
// in namespace ns that sets them; the Spec has one of each for every
// route, so policies that check clients differently are refused.
func (p *parser) clientsOf(id, ns string, pp dataplane.ParsedPolicy) {
	s := &p.g.Spec
	if c := pp.Clients; c != nil {
		switch {
		case s.Clients == nil:
			s.Clients, p.clientsFrom, p.clientsNamespace, p.keySource = c, id, ns, pp.KeySource
		case !sameJSON(s.Clients, c) || !sameJSON(p.keySource, pp.KeySource) || pp.KeySource != nil && p.clientsNamespace != ns:
			p.issue(id, "its client checks differ from %s's; the Spec has one set for every route, %s's", p.clientsFrom, p.clientsFrom)
			// Serving the one set on every route would let through callers
			// this policy's checks refuse.
			p.accessControls = append(p.accessControls, fmt.Sprintf("%s client checks that differ from %s's", id, p.clientsFrom))
		}
	}
	if r := pp.RateLimitService; r != nil {
		p.setRateLimitService(id, r)
	}
	if pp.Extension != "" {
		if p.extension != "" && p.extension != pp.Extension {
			p.issue(id, "names rate-limit service extension %s; the Spec has one service (%s)", pp.Extension, p.extension)
		}
		p.extension = pp.Extension
	}
}

// readKeySource reads the API keys of the policy the Spec's clients come
// from: every key of the Secrets or ConfigMaps it selects in its
// namespace, as agentgateway reads them (p.keys), and those the Spec can
// carry (generate's own Secret) into the Spec. Keys that are not among the
// manifests are refused, not served open.
func (p *parser) readKeySource() {
	src := p.keySource
	if src == nil {
		return
	}
	id, ns := p.clientsFrom, p.clientsNamespace
	found := false
	for i := range p.keyObjects {
		o := &p.keyObjects[i]
		if o.namespace != ns || !src.Matches(o.kind, o.name, o.labels) {
			continue
		}
		found, o.used = true, true
		where := o.name
		if o.namespace != "" {
			where = o.namespace + "/" + o.name
		}
		keys, problems := dataplane.ReadClientKeys(o.kind, where, o.data)
		for _, msg := range problems {
			p.issue(id, "%s", msg)
		}
		p.keys = append(p.keys, keys...)
	}
	switch {
	case !found:
		p.accessControls = append(p.accessControls, fmt.Sprintf("%s traffic.apiKeyAuthentication: its keys (%s) are not among the manifests", id, src))
	case len(p.keys) == 0:
		p.accessControls = append(p.accessControls, fmt.Sprintf("%s traffic.apiKeyAuthentication: its keys (%s) hold no key agentgateway accepts", id, src))
	}
	if keys, ok := p.clientKeys[src.Name]; found && ok && src.Kind == dataplane.KeySourceSecret && src.Name != "" {
		p.g.Spec.Clients.APIKeys = keys
	} else {
		p.issue(id, "its API keys (%s) are not ones kubelb-ai writes (literal keys, other entries or a selector); the Spec does not carry them", src)
	}
}

// unusedConfigMaps notes the ConfigMaps no policy reads API keys from.
func (p *parser) unusedConfigMaps() {
	for _, o := range p.keyObjects {
		if o.kind == dataplane.KeySourceConfigMap && !o.used {
			p.issue(o.kind+"/"+o.name, "a ConfigMap other than the rate-limit service's %s is not represented", dataplane.RateLimitConfigName)
		}
	}
}

func (p *parser) setRateLimitService(id string, r *spec.RateLimitService) {
	s := &p.g.Spec
	switch {
	case s.RateLimitService == nil:
		s.RateLimitService = r
	case *s.RateLimitService != *r:
		p.issue(id, "asks another rate-limit service than the other policies; the Spec has one")
	}
}

// rateLimitConfig reads envoyproxy/ratelimit's configuration file.
func (p *parser) rateLimitConfig(id string, cm *corev1.ConfigMap) {
	text, ok := cm.Data[dataplane.RateLimitConfigKey]
	if !ok || cm.Name != dataplane.RateLimitConfigName {
		p.issue(id, "a ConfigMap other than the rate-limit service's %s is not represented", dataplane.RateLimitConfigName)
		return
	}
	var cfg dataplane.RateLimitConfig
	if err := yaml.UnmarshalStrict([]byte(text), &cfg); err != nil {
		p.issue(id, "%s is not a rate-limit service configuration: %v", dataplane.RateLimitConfigKey, err)
		return
	}
	limits, issues := cfg.Limits()
	for _, msg := range issues {
		p.issue(id, "%s", msg)
	}
	p.limits = limits
}

// globalLimits gives the global limits read from policies their numbers
// from the rate-limit service's ConfigMap, and the Spec the service an
// extension object names.
func (p *parser) globalLimits() {
	s := &p.g.Spec
	if p.extension != "" {
		if r, ok := p.extensions[p.extension]; ok {
			p.setRateLimitService("extension/"+p.extension, r)
		} else {
			p.issue("extension/"+p.extension, "the rate-limit service extension is not among the manifests; the default service is used")
		}
	}
	for i := range s.Routes {
		r := &s.Routes[i]
		pol := r.Policies
		if pol == nil {
			continue
		}
		id := "HTTPRoute/" + r.Name
		if l := pol.RateLimit; l.Global() {
			if g, ok := p.limits[[2]string{dataplane.DescriptorRoute, r.Name}]; ok {
				l.Requests, l.Per = g.N, g.Per
			} else {
				p.issue(id, "its global request limit has no descriptor in the rate-limit service's ConfigMap; not represented")
				pol.RateLimit = nil
			}
		}
		if l := pol.TokenLimit; l.Global() {
			if g, ok := p.limits[[2]string{dataplane.DescriptorTokens, r.Name}]; ok {
				l.Tokens, l.Per = g.N, g.Per
			} else {
				p.issue(id, "its global token limit has no descriptor in the rate-limit service's ConfigMap; not represented")
				pol.TokenLimit = nil
			}
		}
	}
	if !s.HasGlobalLimit() {
		// Only global limits use it (and spec.Check says so).
		s.RateLimitService = nil
	}
}

func sameJSON(a, b any) bool {
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	return bytes.Equal(ja, jb)
}

// attachToBackends gives backends what policies targeting them set, as if
// they held it, and the route types a policy maps: a policy's on a backend
// it targets replaces the backend's own; one on a route fills in for the
// route's backends that map none.
func (p *parser) attachToBackends(pols []dataplane.ParsedPolicy, backends map[string]dataplane.ParsedBackend, routes []*gwv1.HTTPRoute) {
	set := func(name string, fn func(b *dataplane.ParsedBackend)) {
		b, ok := backends[name]
		if !ok {
			return
		}
		fn(&b)
		backends[name] = b
		p.backendRouteTypes[name] = b.RouteTypes
	}
	for _, pp := range pols {
		for _, name := range pp.Backends {
			set(name, func(b *dataplane.ParsedBackend) {
				b.AI = dataplane.MergePolicies(b.AI, pp.Policies)
				if pp.RouteTypes != nil {
					b.RouteTypes = pp.RouteTypes
				}
			})
		}
	}
	for _, pp := range pols {
		if pp.RouteTypes == nil {
			continue
		}
		for _, r := range routes {
			if !slices.Contains(pp.Routes, r.Name) {
				continue
			}
			for _, rule := range r.Spec.Rules {
				for _, ref := range rule.BackendRefs {
					set(string(ref.Name), func(b *dataplane.ParsedBackend) {
						if b.RouteTypes == nil {
							b.RouteTypes = pp.RouteTypes
						}
					})
				}
			}
		}
	}
}

func (p *parser) issue(object, format string, args ...any) {
	p.issues = append(p.issues, Issue{Object: object, Message: fmt.Sprintf(format, args...)})
}

func (p *parser) addSecret(s *corev1.Secret, index int) {
	id := "Secret/" + s.Name
	values := map[string]string{}
	for k, v := range s.StringData {
		values[k] = v
	}
	for k, v := range s.Data {
		values[k] = string(v)
	}
	key := dataplane.KeyAuthorization
	if _, ok := values[dataplane.KeyAccessKey]; ok {
		key = dataplane.KeyAccessKey
	}
	v, ok := values[key]
	if !ok {
		p.issue(id, "has no %s key; the provider using it gets its default variable", dataplane.KeyAuthorization)
		p.secrets[s.Name] = secretInfo{index: index}
		return
	}
	env, isMarker := dataplane.ParseEnvMarker(strings.TrimPrefix(v, "Bearer "))
	info := secretInfo{env: env, index: index}
	if !isMarker {
		// Never echo the value: it is a credential.
		p.issue(id, "holds a literal key; kubelb-ai.yaml never stores keys, so the provider reads it from its default variable instead (set auth.env)")
		p.issues[len(p.issues)-1].LiteralSecret = s.Name
		info.literal = secretValues{}
		for _, k := range credentialKeys {
			if v, ok := values[k]; ok {
				info.literal[k] = v
			}
		}
	}
	p.secrets[s.Name] = info
}

func (p *parser) gateway(gw *gwv1.Gateway) {
	id := "Gateway/" + gw.Name
	g := &p.g.Spec.Gateway
	if g.Name != "" {
		p.issue(id, "a second Gateway; the Spec describes one gateway (%s)", g.Name)
		return
	}
	g.Name, g.Namespace = gw.Name, gw.Namespace
	p.g.Metadata.Name = gw.Name
	if t, _ := templates.LookupTarget(p.target); string(gw.Spec.GatewayClassName) != t.GatewayClass {
		p.issue(id, "gatewayClassName %q is not %s's class %q", gw.Spec.GatewayClassName, p.target, t.GatewayClass)
	}
	for _, l := range gw.Spec.Listeners {
		if l.Protocol != gwv1.HTTPProtocolType || l.TLS != nil {
			p.issue(id, "listener %s: only plain HTTP listeners are represented (this one is %s)", l.Name, l.Protocol)
			continue
		}
		sl := spec.Listener{Name: string(l.Name), Port: l.Port}
		if l.Hostname != nil {
			sl.Hostname = string(*l.Hostname)
		}
		g.Listeners = append(g.Listeners, sl)
		from := "Same" // the Gateway API default
		if l.AllowedRoutes != nil && l.AllowedRoutes.Namespaces != nil && l.AllowedRoutes.Namespaces.From != nil {
			from = string(*l.AllowedRoutes.Namespaces.From)
		}
		if from != "All" && from != "Same" {
			p.issue(id, "listener %s: allowedRoutes from %s is not represented (All or Same)", l.Name, from)
			continue
		}
		if g.AllowedRoutes != "" && g.AllowedRoutes != from {
			p.issue(id, "listener %s: listeners with different allowedRoutes are not represented; using %s", l.Name, g.AllowedRoutes)
			continue
		}
		g.AllowedRoutes = from
	}
}

func (p *parser) route(r *gwv1.HTTPRoute, backends map[string]dataplane.ParsedBackend, pols []*spec.Policies) {
	id := "HTTPRoute/" + r.Name
	sr := spec.Route{Name: r.Name}
	if len(r.Spec.Rules) != 1 {
		p.issue(id, "has %d rules; only the first is represented", len(r.Spec.Rules))
	}
	if len(r.Spec.Hostnames) > 0 {
		p.issue(id, "hostnames are not represented")
	}
	if len(r.Spec.Rules) == 0 {
		return
	}
	rule := r.Spec.Rules[0]
	// The prefix rewrite generate renders on agentgateway is implied by
	// the route's path; other filters have no place in the Spec.
	if len(rule.Filters) > 1 || len(rule.Filters) == 1 && !isStripPrefix(rule.Filters[0]) {
		p.issue(id, "rule filters (e.g. URL rewrites) are not represented; the data planes set the provider's path themselves")
	}
	switch {
	case len(rule.Matches) == 0:
		sr.Path = "/"
	case len(rule.Matches) > 1 || rule.Matches[0].Path == nil || len(rule.Matches[0].Headers) > 0 || len(rule.Matches[0].QueryParams) > 0 || rule.Matches[0].Method != nil:
		p.issue(id, "only a single path-prefix match is represented")
		fallthrough
	default:
		if m := rule.Matches[0].Path; m != nil && m.Value != nil {
			if m.Type != nil && *m.Type != gwv1.PathMatchPathPrefix {
				p.issue(id, "path match type %s is represented as a path prefix", *m.Type)
			}
			sr.Path = *m.Value
		}
	}
	for _, ref := range rule.BackendRefs {
		b, ok := backends[string(ref.Name)]
		if !ok {
			p.issue(id, "backendRef %s is not among the manifests' backends; dropped", ref.Name)
			continue
		}
		sb := spec.Backend{Name: b.Name, Weight: ref.Weight}
		for _, w := range b.Providers {
			sb.Providers = append(sb.Providers, p.provider(w, "Backend/"+b.Name))
		}
		if b.AI != nil {
			pols = append(pols, b.AI)
		}
		if b.RouteTypes != nil {
			if prev, ok := p.routeTypes[sr.Name]; ok && !maps.Equal(prev, b.RouteTypes) {
				p.issue(id, "its backends map paths to different route types; the Spec has one map per route, the first backend's")
			} else if !ok {
				if p.routeTypes == nil {
					p.routeTypes = map[string]map[string]string{}
				}
				p.routeTypes[sr.Name] = b.RouteTypes
			}
		}
		sr.Backends = append(sr.Backends, sb)
	}
	for _, pol := range pols {
		sr.Policies = dataplane.MergePolicies(sr.Policies, pol)
	}
	p.g.Spec.Routes = append(p.g.Spec.Routes, sr)
}

// provider maps a data plane's provider onto a Spec provider, reusing an
// identical one already seen, and returns its name.
func (p *parser) provider(w dataplane.WireProvider, object string) (name string) {
	sp := spec.Provider{Kind: w.Kind, Model: w.Model, APIVersion: w.APIVersion, Path: w.Path, Azure: w.Azure, Vertex: w.Vertex, Bedrock: w.Bedrock}
	if w.Kind == "openai" && w.Host != "" {
		sp.Kind = openAICompatibleKind(w.Host, w.Port)
	}
	c, _ := templates.LookupProvider(sp.Kind)
	if w.Host != "" && (w.Host != c.Host || w.Port != c.Port || sp.Kind == "ollama") {
		sp.Host, sp.Port = w.Host, w.Port
	}
	order := len(p.secrets) + len(p.providers)
	switch w.Auth {
	case "SecretRef":
		info, ok := p.secrets[w.SecretName]
		if !ok {
			p.issue(object, "refers to Secret %s, which is not among the manifests; using the provider's default variable", w.SecretName)
			p.issues[len(p.issues)-1].MissingSecret = w.SecretName
		}
		sp.Auth = spec.Auth{Source: spec.AuthEnv, Env: info.env}
		if ok {
			order = info.index
		}
		// The provider's name is settled below (renamed or reused): keep
		// the Secret's literal keys under it.
		defer func() {
			if info.literal != nil {
				if p.literals == nil {
					p.literals = map[string]literalSecret{}
				}
				p.literals[name] = literalSecret{secret: w.SecretName, values: info.literal}
			}
		}()
		sp.Name = strings.TrimSuffix(w.SecretName, "-secret")
	case "Passthrough":
		sp.Auth.Source = spec.AuthPassthrough
		if t, _ := templates.LookupTarget(p.target); c.NoKey && t.KeylessNeedsToken {
			// kgateway needs a token even for keyless providers; render
			// writes Passthrough for them, so read it back as none.
			sp.Auth.Source = spec.AuthNone
		}
	default:
		sp.Auth.Source = spec.AuthNone
	}
	if w.Name != "" {
		sp.Name = w.Name
	}
	if sp.Name == "" || len(validation.IsDNS1123Label(sp.Name)) > 0 {
		sp.Name = sp.Kind
	}
	// Reuse an identical provider; rename a different one with the same name.
	base := sp.Name
	for i := 2; ; i++ {
		existing := p.lookup(sp.Name)
		if existing == nil {
			break
		}
		probe := sp
		probe.Name = existing.Name
		if providersEqual(*existing, probe) {
			return existing.Name
		}
		sp.Name = fmt.Sprintf("%s-%d", base, i)
	}
	if p.order == nil {
		p.order = map[string]int{}
	}
	p.order[sp.Name] = order
	p.providers = append(p.providers, sp)
	return sp.Name
}

func (p *parser) lookup(name string) *spec.Provider {
	for i := range p.providers {
		if p.providers[i].Name == name {
			return &p.providers[i]
		}
	}
	return nil
}

// providersEqual compares two providers read from manifests, field by field.
func providersEqual(a, b spec.Provider) bool {
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	return bytes.Equal(ja, jb)
}

// finish orders providers like their Secrets in the input, so rendering the
// parsed Spec emits the Secrets in the same order.
func (p *parser) finish() {
	sort.SliceStable(p.providers, func(i, j int) bool { return p.order[p.providers[i].Name] < p.order[p.providers[j].Name] })
	p.g.Spec.Providers = p.providers
	p.g.Spec.Target = p.target
	for name := range p.secrets {
		if p.mcpSecrets[name] {
			continue
		}
		used := slices.ContainsFunc(p.providers, func(sp spec.Provider) bool {
			return sp.Auth.Source == spec.AuthEnv && dataplane.SecretName(sp.Name) == name
		})
		if !used {
			p.issue("Secret/"+name, "is not used by any backend; not represented")
		}
	}
	sort.SliceStable(p.issues, func(i, j int) bool { return p.issues[i].Object < p.issues[j].Object })
}

// setRouteTypes keeps a route's route-type map in the Spec only where it
// differs from the default for that route, so kubelb-ai's own output reads
// back without routeTypes. A Rerank entry tells that the manifests are for
// a KubeLB release whose agentgateway knows Rerank.
func (p *parser) setRouteTypes() {
	s := &p.g.Spec
	for _, m := range p.routeTypes {
		if slices.Contains(slices.Collect(maps.Values(m)), spec.RouteRerank) && s.KubeLB == "" {
			s.KubeLB = spec.RerankKubeLB()
		}
	}
	for i := range s.Routes {
		r := &s.Routes[i]
		// A backend without routes takes the default: the CRD's own
		// (every path chat completions) is what the default improves on.
		if m, ok := p.routeTypes[r.Name]; ok && !maps.Equal(m, spec.DefaultRouteTypes(s, r)) {
			r.RouteTypes = m
		}
	}
}

// openAICompatibleKind recognises Mistral and Ollama behind an OpenAI provider
// with a host override.
func openAICompatibleKind(host string, port int32) string {
	if c, _ := templates.LookupProvider("mistral"); host == c.Host {
		return "mistral"
	}
	if c, _ := templates.LookupProvider("ollama"); port == c.Port || strings.Contains(host, "ollama") {
		return "ollama"
	}
	return "openai"
}
