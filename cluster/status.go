package cluster

import (
	"context"
	"fmt"
	"slices"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// GatewayStatus is what a Gateway reports.
type GatewayStatus struct {
	ID         string           `json:"object"`
	Addresses  []string         `json:"addresses"`
	Listeners  []ListenerStatus `json:"listeners"`
	Conditions []string         `json:"conditions"`
}

// ListenerStatus is one listener as written and as reported.
type ListenerStatus struct {
	Name           string `json:"name"`
	Port           int64  `json:"port"`
	Protocol       string `json:"protocol"`
	AttachedRoutes int64  `json:"attachedRoutes"`
}

// ObjectStatus is where any other object of the set stands.
type ObjectStatus struct {
	ID     string `json:"object"`
	Exists bool   `json:"exists"`
	// Readiness is nil for kinds without conditions (Secrets, parameters).
	Readiness *Readiness `json:"readiness,omitempty"`
}

// Status reads the live state of objs.
func (c *Client) Status(ctx context.Context, objs []*unstructured.Unstructured) ([]GatewayStatus, []ObjectStatus, error) {
	var gws []GatewayStatus
	var others []ObjectStatus
	for _, o := range objs {
		if isNamespace(o) {
			continue
		}
		r, err := c.resource(o)
		if err != nil {
			return nil, nil, err
		}
		live, err := r.Get(ctx, o.GetName(), metav1.GetOptions{})
		if apierrors.IsNotFound(err) {
			others = append(others, ObjectStatus{ID: ID(o)})
			continue
		}
		if err != nil {
			return nil, nil, fmt.Errorf("%s: %w", ID(o), err)
		}
		if o.GetKind() == "Gateway" {
			gws = append(gws, gatewayStatus(live))
			continue
		}
		s := ObjectStatus{ID: ID(o), Exists: true}
		if w, _ := waited(live); len(w) > 0 {
			rd := readiness(live)
			s.Readiness = &rd
		}
		others = append(others, s)
	}
	return gws, others, nil
}

func gatewayStatus(live *unstructured.Unstructured) GatewayStatus {
	g := GatewayStatus{ID: ID(live), Addresses: []string{}, Conditions: []string{}}
	addrs, _, _ := unstructured.NestedSlice(live.Object, "status", "addresses")
	for _, a := range addrs {
		m, _ := a.(map[string]any)
		if v, ok := m["value"].(string); ok {
			g.Addresses = append(g.Addresses, v)
		}
	}
	attached := map[string]int64{}
	ls, _, _ := unstructured.NestedSlice(live.Object, "status", "listeners")
	for _, l := range ls {
		m, _ := l.(map[string]any)
		name, _ := m["name"].(string)
		n, _ := m["attachedRoutes"].(int64)
		attached[name] = n
	}
	specLs, _, _ := unstructured.NestedSlice(live.Object, "spec", "listeners")
	for _, l := range specLs {
		m, _ := l.(map[string]any)
		name, _ := m["name"].(string)
		port, _ := m["port"].(int64)
		proto, _ := m["protocol"].(string)
		g.Listeners = append(g.Listeners, ListenerStatus{Name: name, Port: port, Protocol: proto, AttachedRoutes: attached[name]})
	}
	conds, _, _ := unstructured.NestedSlice(live.Object, "status", "conditions")
	for _, c := range conds {
		m, _ := c.(map[string]any)
		g.Conditions = append(g.Conditions, fmt.Sprintf("%v=%v (%v)", m["type"], m["status"], m["reason"]))
	}
	slices.Sort(g.Conditions)
	return g
}
