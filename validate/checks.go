package validate

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	corev1 "k8s.io/api/core/v1"
	apimachineryvalidation "k8s.io/apimachinery/pkg/api/validation"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	metav1validation "k8s.io/apimachinery/pkg/apis/meta/v1/validation"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/apimachinery/pkg/util/validation"
	"k8s.io/apimachinery/pkg/util/validation/field"
	kjson "sigs.k8s.io/json"

	"github.com/kubelb-ai/kubelb-ai/dataplane"
	"github.com/kubelb-ai/kubelb-ai/validate/crd"
	"github.com/kubelb-ai/kubelb-ai/validate/loader"
)

// coreKinds are the built-in kinds AI gateway manifests carry, with the
// parts of the API server's native validation that matter for them.
var coreKinds = map[schema.GroupVersionKind]func(map[string]any) field.ErrorList{
	corev1.SchemeGroupVersion.WithKind("Secret"):    validateSecret,
	corev1.SchemeGroupVersion.WithKind("ConfigMap"): validateConfigMap,
	corev1.SchemeGroupVersion.WithKind("Namespace"): func(m map[string]any) field.ErrorList {
		_, errs := decodeCore(m, &corev1.Namespace{}, false, apimachineryvalidation.ValidateNamespaceName)
		return errs
	},
	corev1.SchemeGroupVersion.WithKind("Service"): validateService,
}

// maxDataSize is the API server's limit on a Secret's or ConfigMap's data.
const maxDataSize = 1 << 20

// decodeCore decodes obj strictly into its typed form (unknown fields are
// errors, case-sensitive, as the API server decodes) and validates its
// metadata with the API server's own ObjectMeta rules, after the name
// generation the server would do.
func decodeCore(obj map[string]any, into metav1.Object, namespaced bool, nameFn apimachineryvalidation.ValidateNameFunc) (metav1.Object, field.ErrorList) {
	data, _ := json.Marshal(obj)
	strict, err := kjson.UnmarshalStrict(data, into)
	if err != nil {
		return nil, field.ErrorList{field.Invalid(nil, field.OmitValueType{}, err.Error())}
	}
	var errs field.ErrorList
	for _, se := range strict {
		var fe kjson.FieldError
		if errors.As(se, &fe) {
			errs = append(errs, &field.Error{Type: field.ErrorTypeForbidden, Field: fe.FieldPath(), BadValue: field.OmitValueType{}, Detail: fmt.Sprintf("unknown field %q", fe.FieldPath()), Origin: crd.OriginUnknownField})
		}
	}
	if len(errs) > 0 {
		return nil, errs
	}
	if into.GetName() == "" && into.GetGenerateName() != "" {
		into.SetName(into.GetGenerateName() + "x7k2q") // the server appends five random characters
	}
	switch {
	case !namespaced:
		into.SetNamespace("") // ignored for cluster-scoped kinds
	case into.GetNamespace() == "":
		into.SetNamespace("default") // kubectl fills in the context's namespace
	}
	return into, apimachineryvalidation.ValidateObjectMetaAccessor(into, namespaced, nameFn, field.NewPath("metadata"))
}

func validateSecret(obj map[string]any) field.ErrorList {
	var s corev1.Secret
	if _, errs := decodeCore(obj, &s, true, apimachineryvalidation.NameIsDNSSubdomain); len(errs) > 0 {
		return errs
	}
	var errs field.ErrorList
	// The server folds stringData into data before validating.
	data := map[string][]byte{}
	for k, v := range s.Data {
		data[k] = v
	}
	for k, v := range s.StringData {
		data[k] = []byte(v)
	}
	dataPath := field.NewPath("data")
	total := 0
	for _, k := range sortedKeys(toAny(data)) {
		for _, msg := range validation.IsConfigMapKey(k) {
			errs = append(errs, field.Invalid(dataPath.Key(k), k, msg))
		}
		total += len(data[k])
	}
	if total > maxDataSize {
		errs = append(errs, field.TooLong(dataPath, "", maxDataSize))
	}
	need := func(keys ...string) {
		for _, k := range keys {
			if _, ok := data[k]; !ok {
				errs = append(errs, field.Required(dataPath.Key(k), ""))
			}
		}
	}
	validJSON := func(key string) {
		if v, ok := data[key]; ok && !json.Valid(v) {
			errs = append(errs, field.Invalid(dataPath.Key(key), "<secret contents redacted>", "invalid JSON"))
		}
	}
	switch s.Type {
	case corev1.SecretTypeServiceAccountToken:
		if s.Annotations[corev1.ServiceAccountNameKey] == "" {
			errs = append(errs, field.Required(field.NewPath("metadata", "annotations").Key(corev1.ServiceAccountNameKey), ""))
		}
	case corev1.SecretTypeDockercfg:
		need(corev1.DockerConfigKey)
		validJSON(corev1.DockerConfigKey)
	case corev1.SecretTypeDockerConfigJson:
		need(corev1.DockerConfigJsonKey)
		validJSON(corev1.DockerConfigJsonKey)
	case corev1.SecretTypeBasicAuth:
		_, user := data[corev1.BasicAuthUsernameKey]
		_, pass := data[corev1.BasicAuthPasswordKey]
		if !user && !pass {
			need(corev1.BasicAuthUsernameKey, corev1.BasicAuthPasswordKey)
		}
	case corev1.SecretTypeSSHAuth:
		need(corev1.SSHAuthPrivateKey)
	case corev1.SecretTypeTLS:
		need(corev1.TLSCertKey, corev1.TLSPrivateKeyKey)
	}
	return errs
}

func toAny[V any](m map[string]V) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

func validateConfigMap(obj map[string]any) field.ErrorList {
	var c corev1.ConfigMap
	if _, errs := decodeCore(obj, &c, true, apimachineryvalidation.NameIsDNSSubdomain); len(errs) > 0 {
		return errs
	}
	var errs field.ErrorList
	total := 0
	for _, k := range sortedKeys(toAny(c.Data)) {
		for _, msg := range validation.IsConfigMapKey(k) {
			errs = append(errs, field.Invalid(field.NewPath("data").Key(k), k, msg))
		}
		if _, dup := c.BinaryData[k]; dup {
			errs = append(errs, field.Invalid(field.NewPath("data").Key(k), k, "duplicate of key present in binaryData"))
		}
		total += len(c.Data[k])
	}
	for _, k := range sortedKeys(toAny(c.BinaryData)) {
		for _, msg := range validation.IsConfigMapKey(k) {
			errs = append(errs, field.Invalid(field.NewPath("binaryData").Key(k), k, msg))
		}
		total += len(c.BinaryData[k])
	}
	if total > maxDataSize {
		errs = append(errs, field.TooLong(field.NewPath(""), "", maxDataSize))
	}
	return errs
}

// validateService applies the Service rules that catch real mistakes:
// ports, protocols, target ports, type, cluster IP, selector.
func validateService(obj map[string]any) field.ErrorList {
	var svc corev1.Service
	// Since Kubernetes 1.34 Service names may start with a digit: DNS-1123 labels.
	if _, errs := decodeCore(obj, &svc, true, apimachineryvalidation.NameIsDNSLabel); len(errs) > 0 {
		return errs
	}
	var errs field.ErrorList
	sp := field.NewPath("spec")
	switch svc.Spec.Type {
	case "", corev1.ServiceTypeClusterIP, corev1.ServiceTypeNodePort, corev1.ServiceTypeLoadBalancer:
		if len(svc.Spec.Ports) == 0 && svc.Spec.ClusterIP != corev1.ClusterIPNone {
			errs = append(errs, field.Required(sp.Child("ports"), ""))
		}
	case corev1.ServiceTypeExternalName:
		if svc.Spec.ExternalName == "" {
			errs = append(errs, field.Required(sp.Child("externalName"), ""))
		}
	default:
		errs = append(errs, field.NotSupported(sp.Child("type"), svc.Spec.Type, []string{"ClusterIP", "ExternalName", "LoadBalancer", "NodePort"}))
	}
	names := map[string]bool{}
	for i, p := range svc.Spec.Ports {
		pp := sp.Child("ports").Index(i)
		if len(svc.Spec.Ports) > 1 && p.Name == "" {
			errs = append(errs, field.Required(pp.Child("name"), ""))
		}
		if p.Name != "" {
			for _, msg := range validation.IsDNS1123Label(p.Name) {
				errs = append(errs, field.Invalid(pp.Child("name"), p.Name, msg))
			}
			if names[p.Name] {
				errs = append(errs, field.Duplicate(pp.Child("name"), p.Name))
			}
			names[p.Name] = true
		}
		for _, msg := range validation.IsValidPortNum(int(p.Port)) {
			errs = append(errs, field.Invalid(pp.Child("port"), p.Port, msg))
		}
		switch p.Protocol {
		case "", corev1.ProtocolTCP, corev1.ProtocolUDP, corev1.ProtocolSCTP:
		default:
			errs = append(errs, field.NotSupported(pp.Child("protocol"), p.Protocol, []string{"SCTP", "TCP", "UDP"}))
		}
		if tp := p.TargetPort; tp.Type == intstr.String {
			for _, msg := range validation.IsValidPortName(tp.StrVal) {
				errs = append(errs, field.Invalid(pp.Child("targetPort"), tp.StrVal, msg))
			}
		} else if tp.IntVal != 0 {
			for _, msg := range validation.IsValidPortNum(int(tp.IntVal)) {
				errs = append(errs, field.Invalid(pp.Child("targetPort"), tp.IntVal, msg))
			}
		}
	}
	ips := svc.Spec.ClusterIPs
	if len(ips) == 0 && svc.Spec.ClusterIP != "" {
		ips = []string{svc.Spec.ClusterIP}
	}
	for i, ip := range ips {
		if ip != corev1.ClusterIPNone && ip != "" {
			errs = append(errs, validation.IsValidIP(sp.Child("clusterIPs").Index(i), ip)...)
		}
	}
	errs = append(errs, metav1validation.ValidateLabels(svc.Spec.Selector, sp.Child("selector"))...)
	return errs
}

// rateLimitPolicy explains the tutorial's RateLimitPolicy, which never
// existed in kgateway, and gives the target's real object as the fix.
func (v *Validator) rateLimitPolicy(d *loader.Document) (string, string, Severity) {
	msg := "kind RateLimitPolicy does not exist in kgateway (no release has it) nor in agentgateway; KubeLB's v1.2/v1.3 tutorial shows it by mistake"
	kind := v.dp.RateLimitKind()
	ns, _ := d.Name()
	sp, _ := d.Object["spec"].(map[string]any)
	ref, _ := sp["targetRef"].(map[string]any)
	route, _ := ref["name"].(string)
	limits, _ := sp["limits"].([]any)
	if route == "" || len(limits) == 0 {
		return msg, "use " + kind + " targeting the HTTPRoute", SeverityError
	}
	first, _ := limits[0].(map[string]any)
	obj, note, err := dataplane.TutorialRateLimit(v.target.Name, ns, route, fmt.Sprintf("%v/%v", first["requests"], first["unit"]))
	if err != nil || obj == nil {
		return msg, "use " + kind + " targeting the HTTPRoute", SeverityError
	}
	out, err := dataplane.EncodeYAML(obj)
	if err != nil {
		return msg, "", SeverityError
	}
	return msg, "replace it with this " + kind + " for target " + v.target.Name + ":\n" + string(out) + note, SeverityError
}

// unknownFieldFix names the fix for unknown fields the KubeLB tutorials and
// the data planes' release changes are known to produce.
func unknownFieldFix(gvk schema.GroupVersionKind, path string) string {
	if strings.HasSuffix(path, "secretRef.namespace") {
		return "remove namespace: secretRef names a Secret in the referring object's own namespace (it has only name)"
	}
	return dataplane.UnknownFieldHint(gvk.Group, gvk.Kind, path)
}

// decodeBase64 decodes a Secret's data value, or returns it unchanged.
func decodeBase64(s string) string {
	if b, err := base64.StdEncoding.DecodeString(s); err == nil {
		return string(b)
	}
	return s
}
