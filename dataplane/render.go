package dataplane

import (
	"encoding/json"
	"regexp"
	"strings"

	utiljson "k8s.io/apimachinery/pkg/util/json"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/kubelb-ai/kubelb-ai/spec"
	"github.com/kubelb-ai/kubelb-ai/templates"
)

// Object names derived from Spec names.
func SecretName(provider string) string { return provider + "-secret" }
func RateLimitName(route string) string { return route + "-rate-limit" }
func AIPolicyName(route string) string  { return route + "-ai" }
func CORSName(route string) string      { return route + "-cors" }

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
