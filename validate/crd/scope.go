package crd

import "k8s.io/apimachinery/pkg/runtime/schema"

// Namespaced reports whether the set's CRD for gvk is namespaced, and
// whether the set serves gvk at all.
func (s *Set) Namespaced(gvk schema.GroupVersionKind) (namespaced, served bool) {
	v, err := s.get(gvk)
	if err != nil || v == nil {
		return false, false
	}
	return v.namespaced, true
}
