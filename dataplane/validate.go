package dataplane

import (
	"fmt"
	"slices"

	"sigs.k8s.io/yaml"

	"github.com/kubelb-ai/kubelb-ai/spec"
	"github.com/kubelb-ai/kubelb-ai/templates"
)

// Checker is what validate asks of a data plane about manifests written for
// it, beyond its facts: the data plane's own rules and hints. Validate
// reaches it through the registry functions below, which pick the adapter
// an object belongs to, so that it never names a group or kind itself.
type Checker interface {
	// MixedFailover reports where one backend object (kind, decoded) fails
	// over between providers the data plane cannot mix; nil when it can.
	MixedFailover(kind string, obj map[string]any) []Issue
	// UnknownFieldHint explains an unknown field at path of a group/kind
	// object by a shape the data plane's releases or KubeLB's examples are
	// known to produce, or "".
	UnknownFieldHint(group, kind, path string) string
	// InlineKey returns the field of m, at path of one of the data plane's
	// objects, that holds an API key written into the manifest.
	InlineKey(path string, m map[string]any) (field string, ok bool)
	// ReadPolicy reads what validate's checks over a set need of the spec
	// of one of the data plane's policy objects.
	ReadPolicy(spec map[string]any) PolicyFacts
	// AIBackend reports whether spec, of one of the data plane's objects of
	// kind, is an AI backend whose route types must be mapped, and whether
	// it maps them itself.
	AIBackend(kind string, spec map[string]any) (ai, routesMapped bool)
	// RateLimitKind names the data plane's rate-limit object and the field
	// that holds the limit, for fix texts.
	RateLimitKind() string
	// RouteDelegation is how an HTTPRoute delegates to other HTTPRoutes.
	RouteDelegation() Delegation
	// OtherClass is a Gateway class the data plane's controller serves
	// besides its own, if any.
	OtherClass() (OtherClass, bool)
}

// Issue is one problem a Checker found, at a field path of the object.
type Issue struct {
	Path, Message, Fix string
}

// PolicyFacts are what a policy object sets, for the checks over a set.
type PolicyFacts struct {
	RateLimit bool // sets a rate limit
	AIRoutes  bool // maps request paths to route types for the backends it reaches
	// Singular are the fields set of which the data plane keeps one per
	// target (e.g. "traffic.rateLimit"), a second one being dropped.
	Singular []string
}

// adapterOfGroup returns the first adapter whose kinds are in group.
func adapterOfGroup(group string) Adapter {
	for _, a := range adapters {
		if a.Facts().API.Group == group {
			return a
		}
	}
	return nil
}

// Groups are the API groups of the data planes' own kinds, each once.
func Groups() []string {
	var out []string
	for _, a := range adapters {
		if g := a.Facts().API.Group; !slices.Contains(out, g) {
			out = append(out, g)
		}
	}
	return out
}

// GatewayClasses are the Gateway classes the data planes serve, each once.
func GatewayClasses() []string {
	var out []string
	for _, a := range adapters {
		if c := a.Facts().GatewayClass; !slices.Contains(out, c) {
			out = append(out, c)
		}
	}
	return out
}

// IsBackendKind reports whether kind is a data plane's backend kind, in
// whatever group: a reference to one means AI traffic.
func IsBackendKind(kind string) bool {
	for _, a := range adapters {
		if slices.Contains(a.Facts().Kinds.Backends, kind) {
			return true
		}
	}
	return false
}

// RouteTypedBackend reports whether kind is the backend kind of a data
// plane whose backends map request paths to route types.
func RouteTypedBackend(kind string) bool {
	for _, a := range adapters {
		if t := a.Facts(); t.Features.RouteTypes && slices.Contains(t.Kinds.Backends, kind) {
			return true
		}
	}
	return false
}

// OwnedBy names the target an object of apiVersion and kind surely belongs
// to whatever its shape (a data plane with a group of its own); ok is false
// for objects that several targets share or none has.
func OwnedBy(apiVersion, kind string) (target string, ok bool) {
	for _, a := range adapters {
		if claims(a.Facts(), apiVersion, kind, nil) == claimRelease {
			return a.Facts().Name, true
		}
	}
	return "", false
}

// Family returns the targets other than target whose kinds share its API
// group (releases of one data plane), oldest first.
func Family(target string) []string {
	t, err := Lookup(target)
	if err != nil {
		return nil
	}
	var out []string
	for _, a := range adapters {
		if f := a.Facts(); f.Name != t.Facts().Name && f.API.Group == t.Facts().API.Group {
			out = append(out, f.Name)
		}
	}
	return out
}

// MixedFailover asks the data plane of apiVersion's group whether the
// object, of kind, fails over between providers it cannot mix.
func MixedFailover(apiVersion, kind string, obj map[string]any) []Issue {
	if a := adapterOfGroup(groupOf(apiVersion)); a != nil {
		return a.MixedFailover(kind, obj)
	}
	return nil
}

// UnknownFieldHint is the first data plane's hint for an unknown field at
// path of a group/kind object, or "".
func UnknownFieldHint(group, kind, path string) string {
	for _, a := range adapters {
		if h := a.UnknownFieldHint(group, kind, path); h != "" {
			return h
		}
	}
	return ""
}

// InlineKey asks the data plane of group which field of m, at path of one
// of its objects, holds an API key inline.
func InlineKey(group, path string, m map[string]any) (field string, ok bool) {
	if a := adapterOfGroup(group); a != nil {
		return a.InlineKey(path, m)
	}
	return "", false
}

// ReadPolicy reads spec of an object of kind if kind is a data plane's
// policy kind (ok is false if not). Singular is left empty unless the
// object is also of the data plane's group: only then does the data plane
// read it.
func ReadPolicy(apiVersion, kind string, spec map[string]any) (p PolicyFacts, ok bool) {
	for _, a := range adapters {
		t := a.Facts()
		if kind != t.API.Policy {
			continue
		}
		p = a.ReadPolicy(spec)
		if groupOf(apiVersion) != t.API.Group {
			p.Singular = nil
		}
		return p, true
	}
	return PolicyFacts{}, false
}

// AIBackend asks the data plane of apiVersion's group whether spec, of an
// object of kind, is an AI backend whose route types must be mapped, and
// whether it maps them itself.
func AIBackend(apiVersion, kind string, spec map[string]any) (ai, routesMapped bool) {
	if a := adapterOfGroup(groupOf(apiVersion)); a != nil {
		return a.AIBackend(kind, spec)
	}
	return false, false
}

// TutorialRateLimit renders, for target, the object that allows rate (N/UNIT,
// as spec.ParseRate reads it) on HTTPRoute route in namespace: what the
// tutorial's RateLimitPolicy meant. note explains the target's limiter when
// its semantics differ from "N per unit" (or is "").
func TutorialRateLimit(target, namespace, route, rate string) (obj Object, note string, err error) {
	n, unit, err := spec.ParseRate(rate)
	if err != nil {
		return nil, "", err
	}
	obj, err = RateLimitFor(target, namespace, route, spec.RequestLimit{Requests: n, Per: unit})
	if err != nil || obj == nil {
		return obj, "", err
	}
	if t, _ := templates.LookupTarget(target); t.Limiter == templates.LimiterTokenBucket {
		note = fmt.Sprintf("(a token bucket: %d requests, refilled with %d every %s)", n, n, unit)
	}
	return obj, note, nil
}

// EncodeYAML renders obj as one YAML document the way kubelb-ai generate
// writes manifests: sorted keys, no status, no null creationTimestamp.
func EncodeYAML(obj Object) ([]byte, error) {
	m, err := ToMap(obj)
	if err != nil {
		return nil, err
	}
	return yaml.Marshal(m)
}

// IsEnvMarker reports whether a Secret value is a ${VAR} placeholder, filled
// when applying, rather than a credential.
func IsEnvMarker(value string) bool {
	_, ok := ParseEnvMarker(value)
	return ok
}
