package dataplane

import (
	"encoding/json"
	"fmt"
	"strings"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
	gwv1 "sigs.k8s.io/gateway-api/apis/v1"

	"github.com/kubelb-ai/kubelb-ai/spec"
	"github.com/kubelb-ai/kubelb-ai/templates"
)

// What both kgateway targets share: the group, the AI extension's
// monitoring port, and how Spec values map onto the Envoy-era AI API.
const (
	kgatewayGroup      = "gateway.kgateway.dev"
	kgatewayAPIVersion = kgatewayGroup + "/v1alpha1"
	aiMonitoringPort   = 9092
	vertexPublisher    = "GOOGLE"
)

// fillIntervals maps a Spec unit to a token-bucket fill interval.
var fillIntervals = map[string]string{spec.PerSecond: "1s", spec.PerMinute: "1m", spec.PerHour: "1h"}

// tokenBucket renders "N per unit" as a bucket holding N (or the burst)
// tokens refilled with N every unit: the closest kgateway has to a quota.
func tokenBucket(rl *spec.RequestLimit) (maxTokens, perFill int32, interval string) {
	maxTokens = rl.Requests
	if rl.Burst > 0 {
		maxTokens = rl.Burst
	}
	return maxTokens, rl.Requests, fillIntervals[rl.Per]
}

// kgatewayRole is the role name the Envoy-era AI extension expects.
func kgatewayRole(role string) string { return strings.ToUpper(role) }

// jsonLiteral encodes a default's value as the JSON text kgateway stores in a string.
func jsonLiteral(v any) string {
	out, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(out)
}

func routeTargetRef() (group, kind string) { return gwv1.GroupName, "HTTPRoute" }

// hasAIPolicy reports whether the route needs an AI policy object.
func hasAIPolicy(p *spec.Policies) bool {
	return p != nil && (!p.PromptGuard.Empty() ||
		p.Prompt != nil && (len(p.Prompt.Prepend) > 0 || len(p.Prompt.Append) > 0) || len(p.Defaults) > 0)
}

// aiExtensionImage pins the AI extension to the release the target ships.
func aiExtensionImage(target string) (registry, repository, tag string) {
	t, _ := templates.LookupTarget(target)
	img := t.AIExtensionImage
	return img.Registry, img.Repository, img.Tag
}

func kgatewayParamsRef(name string) gwv1.LocalParametersReference {
	return gwv1.LocalParametersReference{Group: kgatewayGroup, Kind: "GatewayParameters", Name: name}
}

func serviceType(s *spec.Spec) *corev1.ServiceType {
	return ptr.To(corev1.ServiceType(s.Gateway.ServiceType))
}

func typeMeta(apiVersion, kind string) metav1.TypeMeta {
	return metav1.TypeMeta{APIVersion: apiVersion, Kind: kind}
}

// guardParts flattens a kgateway guard rule (one per direction) into what
// both kgateway versions store.
func guardParts(rules []spec.GuardRule) (rule spec.GuardRule, ok bool) {
	if len(rules) == 0 {
		return spec.GuardRule{}, false
	}
	return rules[0], true
}

func failoverProviders(s *spec.Spec, b spec.Backend) ([]*spec.Provider, error) {
	ps := make([]*spec.Provider, len(b.Providers))
	for i, name := range b.Providers {
		if ps[i] = ProviderByName(s, name); ps[i] == nil {
			return nil, fmt.Errorf("backend %s: unknown provider %q", b.Name, name)
		}
	}
	return ps, nil
}

// convertTo copies obj into out through JSON, for kinds whose JSON shape the
// two kgateway releases share. A nil obj stays nil.
func convertTo[T Object](obj Object, out T) Object {
	if obj == nil {
		return nil
	}
	convertJSON(obj, out)
	return out
}

// convertJSON copies in into out through JSON.
func convertJSON(in, out any) {
	data, err := json.Marshal(in)
	if err == nil {
		err = json.Unmarshal(data, out)
	}
	if err != nil {
		// Both sides are this package's own types; a failure is a programming error.
		panic(fmt.Sprintf("converting %T to %T: %v", in, out, err))
	}
}
