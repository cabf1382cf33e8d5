package cluster

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"slices"
	"strings"

	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// The ApplySet labels and annotations of KEP-3659, as kubectl's --applyset
// writes them, so that kubelb-ai and kubectl agree on which objects belong to
// a set.
const (
	labelApplySetID      = "applyset.kubernetes.io/id"
	labelPartOf          = "applyset.kubernetes.io/part-of"
	annotationTooling    = "applyset.kubernetes.io/tooling"
	annotationGroupKinds = "applyset.kubernetes.io/contains-group-kinds"
	annotationNamespaces = "applyset.kubernetes.io/additional-namespaces"
	tooling              = "kubelb-ai/v1"
	labelManagedBy       = "app.kubernetes.io/managed-by"
)

// ApplySet is the identity of one set of manifests in a cluster: a parent
// ConfigMap whose ID labels every member, so that pruning deletes only what
// this tool applied for this set.
type ApplySet struct {
	Name, Namespace string
}

// SetFor names the set of objs after their Gateway (the first one), in its
// namespace; name overrides the name.
func SetFor(objs []*unstructured.Unstructured, name string) (ApplySet, error) {
	s := ApplySet{Name: name}
	for _, o := range objs {
		if o.GetKind() == "Gateway" {
			if s.Name == "" {
				s.Name = o.GetName()
			}
			s.Namespace = o.GetNamespace()
			break
		}
	}
	if s.Namespace == "" {
		for _, o := range objs {
			if ns := o.GetNamespace(); ns != "" {
				s.Namespace = ns
				break
			}
		}
	}
	if s.Name == "" || s.Namespace == "" {
		return s, fmt.Errorf("the manifests have no Gateway to name the apply set after: give it a name with --applyset")
	}
	return s, nil
}

// parentName is the ConfigMap that records the set.
func (s ApplySet) parentName() string { return "kubelb-ai-applyset-" + s.Name }

// ID is the set's identity as KEP-3659 derives it from the parent.
func (s ApplySet) ID() string {
	sum := sha256.Sum256([]byte(fmt.Sprintf("%s.%s.%s.%s", s.parentName(), s.Namespace, "ConfigMap", "")))
	return "applyset-" + base64.RawURLEncoding.EncodeToString(sum[:]) + "-v1"
}

// label marks obj as a member of the set (on a copy).
func (s ApplySet) label(obj *unstructured.Unstructured) *unstructured.Unstructured {
	c := obj.DeepCopy()
	labels := c.GetLabels()
	if labels == nil {
		labels = map[string]string{}
	}
	labels[labelPartOf] = s.ID()
	if _, ok := labels[labelManagedBy]; !ok {
		labels[labelManagedBy] = FieldManager
	}
	c.SetLabels(labels)
	return c
}

// parent is the ConfigMap recording the set's group-kinds and namespaces.
func (s ApplySet) parent(gks []schema.GroupKind, namespaces []string) *unstructured.Unstructured {
	kinds := make([]string, 0, len(gks))
	for _, gk := range gks {
		k := gk.Kind
		if gk.Group != "" {
			k += "." + gk.Group
		}
		kinds = append(kinds, k)
	}
	slices.Sort(kinds)
	kinds = slices.Compact(kinds)
	var other []string
	for _, ns := range namespaces {
		if ns != s.Namespace && ns != "" {
			other = append(other, ns)
		}
	}
	slices.Sort(other)
	other = slices.Compact(other)
	p := &unstructured.Unstructured{}
	p.SetAPIVersion("v1")
	p.SetKind("ConfigMap")
	p.SetName(s.parentName())
	p.SetNamespace(s.Namespace)
	p.SetLabels(map[string]string{labelApplySetID: s.ID(), labelManagedBy: FieldManager})
	p.SetAnnotations(map[string]string{
		annotationTooling:    tooling,
		annotationGroupKinds: strings.Join(kinds, ","),
		annotationNamespaces: strings.Join(other, ","),
	})
	return p
}

// groupKinds parses the parent's contains-group-kinds annotation.
func groupKinds(parent *unstructured.Unstructured) []schema.GroupKind {
	var out []schema.GroupKind
	for _, k := range strings.Split(parent.GetAnnotations()[annotationGroupKinds], ",") {
		if k == "" {
			continue
		}
		kind, group, _ := strings.Cut(k, ".")
		out = append(out, schema.GroupKind{Group: group, Kind: kind})
	}
	return out
}

func namespacesOf(parent *unstructured.Unstructured) []string {
	out := []string{parent.GetNamespace()}
	for _, ns := range strings.Split(parent.GetAnnotations()[annotationNamespaces], ",") {
		if ns != "" {
			out = append(out, ns)
		}
	}
	return out
}

// Sets finds the apply sets kubelb-ai recorded in namespace ("" for all).
func (c *Client) Sets(ctx context.Context, namespace string) ([]ApplySet, error) {
	list, err := c.dynamic.Resource(schema.GroupVersionResource{Version: "v1", Resource: "configmaps"}).Namespace(namespace).
		List(ctx, metav1.ListOptions{LabelSelector: labelApplySetID})
	if err != nil {
		return nil, fmt.Errorf("listing apply sets: %w", err)
	}
	var out []ApplySet
	for _, p := range list.Items {
		name, ok := strings.CutPrefix(p.GetName(), "kubelb-ai-applyset-")
		if !ok || p.GetAnnotations()[annotationTooling] != tooling {
			continue
		}
		if s := (ApplySet{Name: name, Namespace: p.GetNamespace()}); p.GetLabels()[labelApplySetID] == s.ID() {
			out = append(out, s)
		}
	}
	return out, nil
}

// Members returns the live objects of a set, by its label, in the
// group-kinds and namespaces its record lists.
func (c *Client) Members(ctx context.Context, s ApplySet) ([]*unstructured.Unstructured, error) {
	parent, err := c.getParent(ctx, s)
	if err != nil || parent == nil {
		return nil, err
	}
	var out []*unstructured.Unstructured
	for _, gk := range groupKinds(parent) {
		m, err := c.mapper.RESTMapping(gk)
		if meta.IsNoMatchError(err) {
			continue
		}
		if err != nil {
			return nil, err
		}
		namespaces := namespacesOf(parent)
		if m.Scope.Name() != meta.RESTScopeNameNamespace {
			namespaces = []string{""}
		}
		for _, ns := range namespaces {
			ri := c.dynamic.Resource(m.Resource).Namespace(ns)
			list, err := ri.List(ctx, metav1.ListOptions{LabelSelector: labelPartOf + "=" + s.ID()})
			if err != nil {
				return nil, err
			}
			for i := range list.Items {
				out = append(out, &list.Items[i])
			}
		}
	}
	return out, nil
}
