package validate

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/validation"
	"k8s.io/apimachinery/pkg/util/validation/field"
	kjson "sigs.k8s.io/json"

	"github.com/kubelb-ai/kubelb-ai/generate"
	"github.com/kubelb-ai/kubelb-ai/spec"
	"github.com/kubelb-ai/kubelb-ai/templates"
	"github.com/kubelb-ai/kubelb-ai/validate/crd"
	"github.com/kubelb-ai/kubelb-ai/validate/loader"
)

// coreKinds are the built-in kinds AI gateway manifests carry, with the
// parts of the API server's native validation that matter for them.
var coreKinds = map[schema.GroupVersionKind]func(map[string]any) field.ErrorList{
	corev1.SchemeGroupVersion.WithKind("Secret"):    validateSecret,
	corev1.SchemeGroupVersion.WithKind("ConfigMap"): validateConfigMap,
	corev1.SchemeGroupVersion.WithKind("Namespace"): func(m map[string]any) field.ErrorList {
		return validateCore(m, &corev1.Namespace{}, validation.IsDNS1123Label)
	},
	corev1.SchemeGroupVersion.WithKind("Service"): func(m map[string]any) field.ErrorList {
		return validateCore(m, &corev1.Service{}, validation.IsDNS1035Label)
	},
}

// validateCore decodes obj strictly into its typed form (unknown fields are
// errors, as under kubectl's strict validation) and checks the name.
func validateCore(obj map[string]any, into any, nameRule func(string) []string) field.ErrorList {
	var errs field.ErrorList
	data, _ := json.Marshal(obj)
	// Case-sensitive and strict, as the API server decodes.
	strict, err := kjson.UnmarshalStrict(data, into)
	if err != nil {
		return field.ErrorList{field.Invalid(nil, field.OmitValueType{}, err.Error())}
	}
	for _, se := range strict {
		var fe kjson.FieldError
		if errors.As(se, &fe) {
			errs = append(errs, &field.Error{Type: field.ErrorTypeForbidden, Field: fe.FieldPath(), BadValue: field.OmitValueType{}, Detail: fmt.Sprintf("unknown field %q", fe.FieldPath()), Origin: crd.OriginUnknownField})
		}
	}
	if len(errs) > 0 {
		return errs
	}
	md, _ := obj["metadata"].(map[string]any)
	name, _ := md["name"].(string)
	if name == "" {
		errs = append(errs, field.Required(field.NewPath("metadata", "name"), "name is required"))
	} else {
		for _, msg := range nameRule(name) {
			errs = append(errs, field.Invalid(field.NewPath("metadata", "name"), name, msg))
		}
	}
	if ns, ok := md["namespace"].(string); ok && ns != "" {
		for _, msg := range validation.IsDNS1123Label(ns) {
			errs = append(errs, field.Invalid(field.NewPath("metadata", "namespace"), ns, msg))
		}
	}
	return errs
}

func validateSecret(obj map[string]any) field.ErrorList {
	var s corev1.Secret
	errs := validateCore(obj, &s, validation.IsDNS1123Subdomain)
	if len(errs) > 0 {
		return errs
	}
	for k := range s.Data {
		for _, msg := range validation.IsConfigMapKey(k) {
			errs = append(errs, field.Invalid(field.NewPath("data").Key(k), k, msg))
		}
	}
	for k := range s.StringData {
		for _, msg := range validation.IsConfigMapKey(k) {
			errs = append(errs, field.Invalid(field.NewPath("stringData").Key(k), k, msg))
		}
	}
	return errs
}

func validateConfigMap(obj map[string]any) field.ErrorList {
	var c corev1.ConfigMap
	errs := validateCore(obj, &c, validation.IsDNS1123Subdomain)
	for k := range c.Data {
		for _, msg := range validation.IsConfigMapKey(k) {
			errs = append(errs, field.Invalid(field.NewPath("data").Key(k), k, msg))
		}
	}
	return errs
}

// rateLimitPolicy explains the tutorial's RateLimitPolicy, which never
// existed in kgateway, and gives the target's real object as the fix.
func rateLimitPolicy(t templates.Target, d *loader.Document) (string, string, Severity) {
	msg := "kind RateLimitPolicy does not exist in kgateway (no release has it) nor in agentgateway; KubeLB's v1.2/v1.3 tutorial shows it by mistake"
	ns, _ := d.Name()
	sp, _ := d.Object["spec"].(map[string]any)
	ref, _ := sp["targetRef"].(map[string]any)
	route, _ := ref["name"].(string)
	limits, _ := sp["limits"].([]any)
	if route == "" || len(limits) == 0 {
		return msg, "use " + realRateLimitKind(t) + " targeting the HTTPRoute", SeverityError
	}
	first, _ := limits[0].(map[string]any)
	n, unit, err := spec.ParseRate(fmt.Sprintf("%v/%v", first["requests"], first["unit"]))
	if err != nil {
		return msg, "use " + realRateLimitKind(t) + " targeting the HTTPRoute", SeverityError
	}
	obj, err := generate.RateLimitFor(t.Name, ns, route, spec.RequestLimit{Requests: n, Per: unit})
	if err != nil || obj == nil {
		return msg, "use " + realRateLimitKind(t) + " targeting the HTTPRoute", SeverityError
	}
	out, err := generate.Encode([]generate.Object{{Object: obj}}, "yaml")
	if err != nil {
		return msg, "", SeverityError
	}
	fix := "replace it with this " + realRateLimitKind(t) + " for target " + t.Name + ":\n" + string(out)
	if t.IsKgateway() {
		fix += fmt.Sprintf("(a token bucket: %d requests, refilled with %d every %s)", n, n, unit)
	}
	return msg, fix, SeverityError
}

func realRateLimitKind(t templates.Target) string {
	if t.IsKgateway() {
		return "TrafficPolicy (spec.rateLimit.local.tokenBucket)"
	}
	return "AgentgatewayPolicy (spec.traffic.rateLimit.local)"
}

// unknownFieldFix names the fix for unknown fields the KubeLB tutorials and
// the kgateway release change are known to produce.
func unknownFieldFix(gvk schema.GroupVersionKind, path string) string {
	switch {
	case strings.HasSuffix(path, "secretRef.namespace"):
		return "remove namespace: secretRef names a Secret in the referring object's own namespace (it has only name)"
	case gvk.Group == "gateway.kgateway.dev" && gvk.Kind == "Backend" && (strings.HasSuffix(path, ".llm.provider") || strings.HasSuffix(path, ".hostOverride") || strings.HasSuffix(path, "ai.multipool")):
		return "this is the kgateway v2.0 (KubeLB 1.2) Backend shape; kgateway v2.1 puts the provider directly under llm (llm.openai), uses host/port and priorityGroups: validate with --target kgateway-v2.0 if the cluster runs kgateway v2.0, or rewrite the Backend in the v2.1 shape"
	case gvk.Group == "gateway.kgateway.dev" && gvk.Kind == "Backend" && strings.Contains(path, "ai.") && endsWithAny(path, ".openai", ".anthropic", ".gemini", ".vertexai", ".azureopenai", ".bedrock", ".host", ".port", ".path", ".authHeader", "ai.priorityGroups"):
		return "this is the kgateway v2.1 (KubeLB 1.3) Backend shape; kgateway v2.0 nests the provider under llm.provider and uses hostOverride and multipool: validate with --target kgateway-v2.1 if the cluster runs kgateway v2.1, or rewrite the Backend in the v2.0 shape"
	case gvk.Kind == "AgentgatewayBackend" && strings.Contains(path, "mcp.targets[") && endsWithAny(path, ".backendRef", ".port", ".protocol", ".host", ".path"):
		return "move it under static: (targets[].static.backendRef, .port, .protocol), or use selector; KubeLB's MCP example puts it directly under targets[] by mistake"
	}
	return ""
}

func endsWithAny(s string, suffixes ...string) bool {
	for _, x := range suffixes {
		if strings.HasSuffix(s, x) {
			return true
		}
	}
	return false
}

// decodeBase64 decodes a Secret's data value, or returns it unchanged.
func decodeBase64(s string) string {
	if b, err := base64.StdEncoding.DecodeString(s); err == nil {
		return string(b)
	}
	return s
}
