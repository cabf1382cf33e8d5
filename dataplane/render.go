package dataplane

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strings"

	utiljson "k8s.io/apimachinery/pkg/util/json"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/utils/ptr"
	gwv1 "sigs.k8s.io/gateway-api/apis/v1"

	"github.com/kubelb-ai/kubelb-ai/spec"
	"github.com/kubelb-ai/kubelb-ai/templates"
)

// Object names derived from Spec names.
func SecretName(provider string) string { return provider + "-secret" }
func RateLimitName(route string) string { return route + "-rate-limit" }
func AIPolicyName(route string) string  { return route + "-ai" }
func CORSName(route string) string      { return route + "-cors" }

// TrafficName names the one policy holding all of a route's traffic
// fields when the Spec has clients or the route a global limit.
func TrafficName(route string) string { return route + "-traffic" }

// ClientKeysName names the Secret of the clients' API keys.
func ClientKeysName(gateway string) string { return gateway + "-client-keys" }

// RateLimitServiceName names the gateway-wide object that points a data
// plane at the rate-limit service (kgateway's GatewayExtension).
func RateLimitServiceName(gateway string) string { return gateway + "-rate-limit" }

// RateLimitConfigName and RateLimitConfigKey are the ConfigMap
// envoyproxy/ratelimit reads its limits from, as KubeLB's addon mounts it.
const (
	RateLimitConfigName = "ratelimit-config"
	RateLimitConfigKey  = "config.yaml"
)

// Descriptor keys of global limits: the first entry names the route (its
// request limit) or the route's token limit, the second the limit's key.
// Every target and the ConfigMap use the same names, so the ConfigMap is
// target-neutral.
const (
	DescriptorRoute   = "route"
	DescriptorTokens  = "tokens"
	DescriptorClient  = "client"
	DescriptorAddress = "remote_address" // Envoy's name for the client address
	DescriptorKey     = "key"            // any other CEL key
)

// KeyDescriptor is the descriptor key a limit's key is sent under ("" for
// a limit keyed on the route alone).
func KeyDescriptor(key string) string {
	switch kind, header := spec.LimitKeyOf(key); kind {
	case spec.KeyRoute:
		return ""
	case spec.KeyClient:
		return DescriptorClient
	case spec.KeyAddress:
		return DescriptorAddress
	case spec.KeyHeader:
		return header
	default:
		return DescriptorKey
	}
}

// RateLimitConfig is envoyproxy/ratelimit's configuration file.
type RateLimitConfig struct {
	Domain      string                `json:"domain"`
	Descriptors []RateLimitDescriptor `json:"descriptors"`
}

// RateLimitDescriptor is one (nested) descriptor of the file; a value-less
// one counts each value apart.
type RateLimitDescriptor struct {
	Key         string                `json:"key"`
	Value       string                `json:"value,omitempty"`
	RateLimit   *RateLimitRate        `json:"rate_limit,omitempty"`
	Descriptors []RateLimitDescriptor `json:"descriptors,omitempty"`
}

// RateLimitRate is a descriptor's limit: requests (or tokens) per unit.
type RateLimitRate struct {
	Unit            string `json:"unit"`
	RequestsPerUnit int32  `json:"requests_per_unit"`
}

// RateLimitConfigOf is the file holding s's global limits: per route a
// descriptor for its request limit (key route) and one for its token limit
// (key tokens), nesting the key's descriptor when the limit has one.
func RateLimitConfigOf(s *spec.Spec) RateLimitConfig {
	cfg := RateLimitConfig{Domain: s.RateLimitService.Domain}
	add := func(first, route, key, per string, n int32) {
		d := RateLimitDescriptor{Key: first, Value: route}
		rate := &RateLimitRate{Unit: per, RequestsPerUnit: n}
		if k := KeyDescriptor(key); k != "" {
			d.Descriptors = []RateLimitDescriptor{{Key: k, RateLimit: rate}}
		} else {
			d.RateLimit = rate
		}
		cfg.Descriptors = append(cfg.Descriptors, d)
	}
	for _, r := range s.Routes {
		p := r.Policies
		if p == nil {
			continue
		}
		if l := p.RateLimit; l.Global() {
			add(DescriptorRoute, r.Name, l.Key, l.Per, l.Requests)
		}
		if l := p.TokenLimit; l.Global() {
			add(DescriptorTokens, r.Name, l.Key, l.Per, l.Tokens)
		}
	}
	return cfg
}

// GlobalLimit is a global limit read back from the ConfigMap.
type GlobalLimit struct {
	N   int32
	Per string
}

// Limits reads the file's limits back by route, request limits under
// DescriptorRoute and token limits under DescriptorTokens; what it cannot
// place is returned as issues.
func (c RateLimitConfig) Limits() (map[[2]string]GlobalLimit, []string) {
	out := map[[2]string]GlobalLimit{}
	var issues []string
	for _, d := range c.Descriptors {
		rate := d.RateLimit
		if len(d.Descriptors) == 1 && rate == nil {
			rate = d.Descriptors[0].RateLimit
		}
		if (d.Key != DescriptorRoute && d.Key != DescriptorTokens) || d.Value == "" || rate == nil || len(d.Descriptors) > 1 {
			issues = append(issues, fmt.Sprintf("descriptor %s=%s is not one kubelb-ai writes; not represented", d.Key, d.Value))
			continue
		}
		out[[2]string{d.Key, d.Value}] = GlobalLimit{N: rate.RequestsPerUnit, Per: rate.Unit}
	}
	return out, issues
}

// Secret keys read by the data planes.
const (
	KeyAuthorization = "Authorization"
	KeyAccessKey     = "accessKey"
	KeySecretKey     = "secretKey"
	KeySessionToken  = "sessionToken"
)

// ProviderByName finds a provider of the Spec.
func ProviderByName(s *spec.Spec, name string) *spec.Provider {
	for i := range s.Providers {
		if s.Providers[i].Name == name {
			return &s.Providers[i]
		}
	}
	return nil
}

// HostPort is where a provider's requests go when it differs from the
// catalog default, or "" when the default applies.
func HostPort(p *spec.Provider) (string, int32) {
	c, _ := templates.LookupProvider(p.Kind)
	if p.Host != "" {
		return p.Host, p.Port
	}
	if c.OpenAICompatible && p.Kind != "openai" {
		return c.Host, c.Port
	}
	return "", 0
}

// RateLimitFor renders the object target uses to allow limit on the HTTPRoute
// route: what KubeLB's tutorial meant by its non-existent RateLimitPolicy.
func RateLimitFor(target, namespace, route string, limit spec.RequestLimit) (Object, error) {
	a, err := Lookup(target)
	if err != nil {
		return nil, err
	}
	sr := &spec.Route{Name: route, Policies: &spec.Policies{RateLimit: &limit}}
	meta := metav1.ObjectMeta{Name: RateLimitName(route), Namespace: namespace}
	return a.RateLimit(sr, meta), nil
}

// ToMap converts a typed object to its JSON form without the fields a
// manifest must not carry: empty status and a null creationTimestamp.
func ToMap(obj runtime.Object) (map[string]any, error) {
	data, err := json.Marshal(obj)
	if err != nil {
		return nil, err
	}
	// Numbers become int64 or float64, as the API server decodes them.
	m := map[string]any{}
	if err := utiljson.Unmarshal(data, &m); err != nil {
		return nil, err
	}
	delete(m, "status")
	if md, ok := m["metadata"].(map[string]any); ok {
		delete(md, "creationTimestamp")
	}
	return m, nil
}

var markerRE = regexp.MustCompile(`^\$\{([A-Za-z_][A-Za-z0-9_]*)\}$`)

// EnvMarker is the placeholder a generated Secret holds instead of a key.
func EnvMarker(variable string) string { return "${" + variable + "}" }

// ParseEnvMarker returns the variable named by a ${VAR} placeholder.
func ParseEnvMarker(value string) (string, bool) {
	m := markerRE.FindStringSubmatch(strings.TrimSpace(value))
	if m == nil {
		return "", false
	}
	return m[1], true
}

// MergedTraffic reports whether route r's traffic fields go in one policy
// (Adapter.Traffic): when the Spec checks clients or r has a global
// limit. Other Specs render as they always have.
func MergedTraffic(s *spec.Spec, r *spec.Route) bool {
	if c := s.Clients; c != nil && (c.Authenticates() || len(c.Allow) > 0) {
		return true
	}
	p := r.Policies
	return p != nil && (p.RateLimit.Global() || p.TokenLimit.Global())
}

// ClientMetadata is the metadata of an API key's Secret entry: the Spec's
// and the key's name as client, so CEL and limits can tell clients apart.
func ClientMetadata(k spec.APIKey) map[string]string {
	md := map[string]string{"client": k.Name}
	for name, v := range k.Metadata {
		md[name] = v
	}
	return md
}

// ClientKeyEntry is an API key's Secret entry as agentgateway reads it: the
// ${VAR} marker (or the key's hash) and its metadata.
func ClientKeyEntry(k spec.APIKey) string {
	e := map[string]any{"metadata": ClientMetadata(k)}
	if k.Hash != "" {
		e["keyHash"] = k.Hash
	} else {
		e["key"] = EnvMarker(k.Env)
	}
	out, _ := json.Marshal(e)
	return string(out)
}

// ParseClientKeyEntry reads a Secret entry back as the API key of client
// name; ok is false when the entry is not one (a literal key included).
func ParseClientKeyEntry(name, value string) (k spec.APIKey, ok bool) {
	var e struct {
		Key      string            `json:"key"`
		KeyHash  string            `json:"keyHash"`
		Metadata map[string]string `json:"metadata"`
	}
	if err := json.Unmarshal([]byte(value), &e); err != nil || e.Metadata["client"] != name {
		return k, false
	}
	k.Name = name
	switch env, isMarker := ParseEnvMarker(e.Key); {
	case isMarker:
		k.Env = env
	case e.KeyHash != "" && e.Key == "":
		k.Hash = e.KeyHash
	default:
		return k, false
	}
	for f, v := range e.Metadata {
		if f != "client" {
			if k.Metadata == nil {
				k.Metadata = map[string]string{}
			}
			k.Metadata[f] = v
		}
	}
	return k, true
}

// serviceRef is the backendRef of a Spec service "name[.namespace]:port".
func serviceRef(addr string) gwv1.BackendObjectReference {
	name, ns, port, _ := spec.ServiceAddress(addr)
	ref := gwv1.BackendObjectReference{Name: gwv1.ObjectName(name), Port: ptr.To(gwv1.PortNumber(port))}
	if ns != "" {
		ref.Namespace = ptr.To(gwv1.Namespace(ns))
	}
	return ref
}

// serviceAddress is the Spec form of a backendRef to a Service.
func serviceAddress(ref gwv1.BackendObjectReference) (string, bool) {
	if ref.Group != nil && *ref.Group != "" || ref.Kind != nil && *ref.Kind != "Service" || ref.Port == nil {
		return "", false
	}
	host := string(ref.Name)
	if ref.Namespace != nil {
		host += "." + string(*ref.Namespace)
	}
	return fmt.Sprintf("%s:%d", host, *ref.Port), true
}
