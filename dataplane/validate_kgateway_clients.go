package dataplane

import "github.com/kubelb-ai/kubelb-ai/internal/objpath"

// kgatewayExtension is the kind that names kgateway's rate-limit service.
const kgatewayExtension = "GatewayExtension"

// ObjectClients: kgateway v2.1's global limit is a TrafficPolicy's
// spec.rateLimit.global, whose extensionRef names a GatewayExtension of
// type RateLimit holding the service, domain and failOpen (true by
// default). It has no client keys and no token limits.
func (k kgateway21) ObjectClients(kind string, spec map[string]any) (PolicyClients, bool) {
	switch kind {
	case k.Facts().API.Policy:
		g, ok := objpath.Get(spec, "rateLimit", "global").(map[string]any)
		if !ok {
			return PolicyClients{}, true
		}
		return PolicyClients{Global: []PolicyGlobalLimit{k.trafficGlobalLimit(g)}}, true
	case kgatewayExtension:
		rl, ok := spec["rateLimit"].(map[string]any)
		if !ok || spec["type"] != "RateLimit" {
			return PolicyClients{}, true
		}
		const path = "spec.rateLimit"
		l := PolicyGlobalLimit{Path: path, FailClosed: rl["failOpen"] == false}
		if l.FailClosed {
			l.FailurePath, l.FailClosedText, l.FailOpenFix = path+".failOpen", "failOpen: false", "set failOpen: true (the default)"
		}
		l.Domain, _ = rl["domain"].(string)
		if ref, ok := objpath.Get(rl, "grpcService", "backendRef").(map[string]any); ok {
			group, _ := ref["group"].(string)
			kind, _ := ref["kind"].(string)
			if group == "" && (kind == "" || kind == "Service") {
				l.Service, _ = ref["name"].(string)
				l.Namespace, _ = ref["namespace"].(string)
			}
		}
		return PolicyClients{Global: []PolicyGlobalLimit{l}}, true
	}
	return PolicyClients{}, false
}

// trafficGlobalLimit reads a TrafficPolicy's rateLimit.global. kgateway
// (internal/kgateway/extensions2/plugins/trafficpolicy/
// global_rate_limit_plugin.go, createRateLimitActions) turns each entry
// into an Envoy rate-limit action: Generic a generic_key with its key and
// value, Header a request_headers action whose descriptor key is the header
// name, RemoteAddress Envoy's remote_address action (key "remote_address"),
// Path the :path header under key "path". It appends the actions of every
// descriptor to one list and installs them as a single RateLimit, so Envoy
// sends one descriptor holding every entry in order; that one is checked.
// Every stored version of that function read (e.g. commit 22c77c98) does
// both; none could be pinned to a v2.1.x tag.
func (k kgateway21) trafficGlobalLimit(g map[string]any) PolicyGlobalLimit {
	const path = "spec.rateLimit.global"
	l := PolicyGlobalLimit{Path: path}
	if ref, ok := g["extensionRef"].(map[string]any); ok {
		name, _ := ref["name"].(string)
		ns, _ := ref["namespace"].(string)
		l.Extension = &ObjectRef{Group: k.Facts().API.Group, Kind: kgatewayExtension, Namespace: ns, Name: name}
	}
	descriptors := mapList(g["descriptors"])
	d := LimitDescriptor{Path: path + ".descriptors"}
	if len(descriptors) == 1 {
		d.Path += "[0]"
	}
	for _, desc := range descriptors {
		for _, e := range mapList(desc["entries"]) {
			switch e["type"] {
			case "Generic":
				key, _ := objpath.Get(e, "generic", "key").(string)
				value, _ := objpath.Get(e, "generic", "value").(string)
				d.Entries = append(d.Entries, DescriptorEntry{Key: key, Value: value, Fixed: true})
			case "Header":
				h, _ := e["header"].(string)
				d.Entries = append(d.Entries, DescriptorEntry{Key: h})
			case "RemoteAddress":
				d.Entries = append(d.Entries, DescriptorEntry{Key: DescriptorAddress})
			case "Path":
				d.Entries = append(d.Entries, DescriptorEntry{Key: "path"})
			default:
				return l // the schema rejects it; no descriptor to check
			}
		}
	}
	if len(d.Entries) > 0 {
		l.Descriptors = []LimitDescriptor{d}
	}
	return l
}

// AuthPassthrough: kgateway has no client keys to clash with.
func (kgateway21) AuthPassthrough(string, map[string]any) bool { return false }

// KeyEntryIssues: kgateway v2.1 reads no API-key entries.
func (kgateway21) KeyEntryIssues(map[string]any) []Issue { return nil }
