package cluster

import (
	"context"
	"fmt"
	"strings"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/kubelb-ai/kubelb-ai/dataplane"
)

// Readiness is what the data plane's controller has said about one object.
type Readiness struct {
	ID string
	// Ready is true once every condition the kind reports is True.
	Ready bool
	// Pending lists the conditions not True yet, with their reason and
	// message, e.g. "Programmed: Pending (Waiting for controller)".
	Pending []string
}

// waited returns the conditions a kind must reach, and where they are:
// Gateways and backends report them in status.conditions, routes per parent
// (status.parents[]), policies per ancestor (status.ancestors[]). Other kinds
// (Secrets, parameters) have none.
func waited(obj *unstructured.Unstructured) (conditions []string, lists []string) {
	switch dataplane.RoleOf(obj.GroupVersionKind().Group, obj.GetKind()) {
	case dataplane.RoleBackend:
		return []string{"Accepted"}, nil
	case dataplane.RolePolicy:
		return []string{"Accepted"}, []string{"ancestors"}
	}
	switch obj.GetKind() {
	case "Gateway":
		return []string{"Accepted", "Programmed"}, nil
	case "HTTPRoute", "GRPCRoute":
		return []string{"Accepted", "ResolvedRefs"}, []string{"parents"}
	}
	return nil, nil
}

// readiness reads the conditions of a live object.
func readiness(live *unstructured.Unstructured) Readiness {
	r := Readiness{ID: ID(live), Ready: true}
	want, lists := waited(live)
	if len(want) == 0 {
		return r
	}
	var condSets [][]any
	if len(lists) == 0 {
		conds, _, _ := unstructured.NestedSlice(live.Object, "status", "conditions")
		condSets = append(condSets, conds)
	} else {
		entries, _, _ := unstructured.NestedSlice(live.Object, "status", lists[0])
		for _, e := range entries {
			m, _ := e.(map[string]any)
			conds, _ := m["conditions"].([]any)
			condSets = append(condSets, conds)
		}
		if len(entries) == 0 {
			r.Ready = false
			r.Pending = append(r.Pending, fmt.Sprintf("no %s in status yet (no controller has seen it)", lists[0]))
			return r
		}
	}
	for _, conds := range condSets {
		for _, w := range want {
			state := "missing"
			for _, c := range conds {
				m, _ := c.(map[string]any)
				if m["type"] != w {
					continue
				}
				if m["status"] == "True" {
					state = ""
				} else {
					state = fmt.Sprintf("%v: %v (%v)", m["status"], m["reason"], m["message"])
				}
			}
			if state != "" {
				r.Ready = false
				r.Pending = append(r.Pending, w+" "+state)
			}
		}
	}
	return r
}

// Wait polls objs until every one's conditions are True or timeout passes,
// and returns where each stands.
func (c *Client) Wait(ctx context.Context, objs []*unstructured.Unstructured, timeout time.Duration) ([]Readiness, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	for {
		var out []Readiness
		all := true
		for _, o := range objs {
			if w, _ := waited(o); len(w) == 0 {
				continue
			}
			r, err := c.resource(o)
			if err != nil {
				return nil, err
			}
			live, err := r.Get(ctx, o.GetName(), metav1.GetOptions{})
			if err != nil {
				if ctx.Err() != nil {
					return out, timeoutError(timeout, out)
				}
				return nil, fmt.Errorf("%s: %w", ID(o), err)
			}
			rd := readiness(live)
			all = all && rd.Ready
			out = append(out, rd)
		}
		if all {
			return out, nil
		}
		select {
		case <-ctx.Done():
			return out, timeoutError(timeout, out)
		case <-time.After(time.Second):
		}
	}
}

func timeoutError(timeout time.Duration, rs []Readiness) error {
	var lines []string
	for _, r := range rs {
		if !r.Ready {
			lines = append(lines, "  "+r.ID+": "+strings.Join(r.Pending, "; "))
		}
	}
	return fmt.Errorf("timed out after %s waiting for %d object(s):\n%s", timeout, len(lines), strings.Join(lines, "\n"))
}
