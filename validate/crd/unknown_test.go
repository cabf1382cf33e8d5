package crd

import (
	"context"
	"slices"
	"testing"
)

// UnknownFields answers from decoding alone what Validate reports as
// unknown fields, and says when the set does not serve the kind.
func TestUnknownFields(t *testing.T) {
	s := embeddedSets(t)["gateway-api/v1.5.1/standard"]
	obj, errs := DecodeYAML([]byte(`apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: r, namespace: n}
spec:
  rules:
  - backendRef: {name: b}
    matches: [{path: {type: PathPrefix, value: "/a//b"}}]
`))
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	got, served := s.UnknownFields(obj)
	if !served || !slices.Equal(got, []string{"spec.rules[0].backendRef"}) {
		t.Errorf("UnknownFields = %q, %v; want [spec.rules[0].backendRef], true", got, served)
	}
	var fromValidate []string
	for _, e := range s.Validate(context.Background(), obj) {
		if e.Origin == OriginUnknownField {
			fromValidate = append(fromValidate, e.Field)
		}
	}
	if !slices.Equal(got, fromValidate) {
		t.Errorf("UnknownFields %q, Validate's unknown fields %q", got, fromValidate)
	}
	obj["kind"] = "NoSuchKind"
	if got, served := s.UnknownFields(obj); served || got != nil {
		t.Errorf("an unserved kind: %q, %v", got, served)
	}
}
