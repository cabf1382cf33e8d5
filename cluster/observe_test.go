package cluster

import (
	"context"
	"strings"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/kubelb-ai/kubelb-ai/spec"
	"github.com/kubelb-ai/kubelb-ai/templates"
)

// markReady writes the status a data plane's controller would: Gateways
// and backends Accepted/Programmed, routes accepted by their parent,
// policies by their ancestor.
func markReady(t *testing.T, c *Client, objs []*unstructured.Unstructured) {
	t.Helper()
	cond := func(types ...string) []any {
		var out []any
		for _, ty := range types {
			out = append(out, map[string]any{"type": ty, "status": "True", "reason": ty, "message": "ok",
				"lastTransitionTime": "2026-01-01T00:00:00Z", "observedGeneration": int64(1)})
		}
		return out
	}
	ref := map[string]any{"group": "gateway.networking.k8s.io", "kind": "Gateway", "name": "ai-gateway"}
	for _, o := range objs {
		var status map[string]any
		switch o.GetKind() {
		case "Gateway":
			status = map[string]any{"conditions": cond("Accepted", "Programmed"),
				"addresses": []any{map[string]any{"type": "IPAddress", "value": "203.0.113.7"}},
				"listeners": []any{map[string]any{"name": "http", "attachedRoutes": int64(2), "conditions": cond("Accepted", "Programmed", "ResolvedRefs", "Conflicted")[:3],
					"supportedKinds": []any{map[string]any{"group": "gateway.networking.k8s.io", "kind": "HTTPRoute"}}}}}
		case "HTTPRoute":
			status = map[string]any{"parents": []any{map[string]any{"parentRef": ref, "controllerName": "example.com/controller", "conditions": cond("Accepted", "ResolvedRefs")}}}
		case "Backend", "AgentgatewayBackend":
			status = map[string]any{"conditions": cond("Accepted")}
		case "TrafficPolicy", "AgentgatewayPolicy":
			status = map[string]any{"ancestors": []any{map[string]any{"ancestorRef": ref, "controllerName": "example.com/controller", "conditions": cond("Accepted")}}}
		default:
			continue
		}
		r, _ := c.resource(o)
		live := get(t, c, o)
		live.Object["status"] = status
		if _, err := r.UpdateStatus(context.Background(), live, metav1.UpdateOptions{}); err != nil {
			t.Fatalf("%s: %v", ID(o), err)
		}
	}
}

// --wait times out cleanly while no controller runs, naming what is
// missing, and succeeds once the conditions are True.
func TestWait(t *testing.T) {
	for _, target := range []string{templates.KgatewayV21, templates.Agentgateway} {
		t.Run(target, func(t *testing.T) {
			c, _ := clusterFor(t, target)
			ns := "wait-" + strings.ReplaceAll(target, ".", "-")
			objs := render(t, target, ns, spec.Options{Providers: []string{"openai"}, RateLimit: "5/second"})
			applyOK(t, c, objs, ApplyOptions{})
			start := time.Now()
			rs, err := c.Wait(context.Background(), objs, 2*time.Second)
			if err == nil || !strings.Contains(err.Error(), "timed out after 2s") || !strings.Contains(err.Error(), "Programmed Unknown: Pending") {
				t.Fatalf("want a timeout naming Programmed, got %v", err)
			}
			if time.Since(start) > 10*time.Second {
				t.Errorf("the timeout took %s", time.Since(start))
			}
			if len(rs) < 3 {
				t.Errorf("readiness of %d objects", len(rs))
			}
			markReady(t, c, objs)
			if _, err := c.Wait(context.Background(), objs, 10*time.Second); err != nil {
				t.Fatalf("after the controller's conditions: %v", err)
			}
			gws, others, err := c.Status(context.Background(), objs)
			if err != nil {
				t.Fatal(err)
			}
			if len(gws) != 1 || len(gws[0].Addresses) != 1 || gws[0].Addresses[0] != "203.0.113.7" || gws[0].Listeners[0].Port != 8080 || gws[0].Listeners[0].AttachedRoutes != 2 {
				t.Errorf("gateway status: %+v", gws)
			}
			for _, o := range others {
				if !o.Exists || (o.Readiness != nil && !o.Readiness.Ready) {
					t.Errorf("%+v", o)
				}
			}
		})
	}
}

// Diff shows nothing for an applied set, exactly the change for an edited
// one, and never a Secret's value.
func TestDiff(t *testing.T) {
	c, _ := clusterFor(t, templates.KgatewayV21)
	ns := "diff"
	objs := render(t, templates.KgatewayV21, ns, spec.Options{Providers: []string{"openai"}, RateLimit: "5/second"})
	applyOK(t, c, objs, ApplyOptions{})
	set, _ := SetFor(objs, "")
	resolved, _, _ := ResolveSecrets(objs, fakeEnv)
	diffs, err := c.Diff(context.Background(), resolved, set, false)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range diffs {
		if d.Unified != "" {
			t.Errorf("%s differs right after apply:\n%s", d.ID, d.Unified)
		}
	}

	edited := render(t, templates.KgatewayV21, ns, spec.Options{Providers: []string{"openai"}, RateLimit: "9/second"})
	otherKey := func(string) (string, bool) { return "sk-rotated-key-9876543210", true }
	resolved, _, _ = ResolveSecrets(edited, otherKey)
	diffs, err = c.Diff(context.Background(), resolved, set, false)
	if err != nil {
		t.Fatal(err)
	}
	changed := map[string]string{}
	for _, d := range diffs {
		if d.Unified != "" {
			changed[d.ID] = d.Unified
		}
		for _, secret := range []string{"sk-rotated", "sk-test", "c2stcm90YXRlZ"} {
			if strings.Contains(d.Unified+d.Live+d.Merged, secret) {
				t.Errorf("%s shows a secret value (%s)", d.ID, secret)
			}
		}
	}
	if len(changed) != 2 {
		t.Fatalf("want the Secret and the rate-limit policy to differ, got %v", changed)
	}
	for id, u := range changed {
		switch {
		case strings.HasPrefix(id, "secret/"):
			if !strings.Contains(u, "-  Authorization: '*** (before)'") || !strings.Contains(u, "+  Authorization: '*** (after)'") {
				t.Errorf("secret diff:\n%s", u)
			}
		case strings.HasPrefix(id, "trafficpolicy"):
			if !strings.Contains(u, "-        maxTokens: 5") || !strings.Contains(u, "+        maxTokens: 9") || strings.Contains(u, "managedFields") || strings.Contains(u, "resourceVersion") {
				t.Errorf("policy diff:\n%s", u)
			}
		default:
			t.Errorf("unexpected difference in %s:\n%s", id, u)
		}
	}

	// A set for a namespace that does not exist yet: everything is new.
	fresh := render(t, templates.KgatewayV21, "diff-new", spec.Options{Providers: []string{"openai"}})
	resolved, _, _ = ResolveSecrets(fresh, fakeEnv)
	set2, _ := SetFor(fresh, "")
	diffs, err = c.Diff(context.Background(), resolved, set2, false)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range diffs {
		if d.Live != "" || !strings.Contains(d.Unified, "--- /dev/null") || strings.Contains(d.Unified, "sk-test") {
			t.Errorf("%s as new:\n%s", d.ID, d.Unified)
		}
	}
}

// Delete removes the set's objects and its record, and keeps the namespace.
func TestDelete(t *testing.T) {
	c, _ := clusterFor(t, templates.KgatewayV21)
	ns := "delete"
	objs := render(t, templates.KgatewayV21, ns, spec.Options{Providers: []string{"openai"}, RateLimit: "5/second"})
	applyOK(t, c, objs, ApplyOptions{})
	set, _ := SetFor(objs, "")
	doomed := Deletable(objs, set)
	if doomed[0].GetKind() != "TrafficPolicy" || doomed[len(doomed)-1].GetKind() != "ConfigMap" {
		t.Errorf("delete order: %s first, %s last", ID(doomed[0]), ID(doomed[len(doomed)-1]))
	}
	if _, err := c.Delete(context.Background(), doomed, DryRunServer); err != nil {
		t.Fatal(err)
	}
	for _, o := range objs {
		if !exists(t, c, o) {
			t.Fatalf("%s gone after a dry run", ID(o))
		}
	}
	done, err := c.Delete(context.Background(), doomed, DryRunNone)
	if err != nil || len(done) != len(doomed) {
		t.Fatalf("deleted %v: %v", done, err)
	}
	for _, o := range objs {
		if gone := !exists(t, c, o); gone == isNamespace(o) {
			t.Errorf("%s: exists=%v after delete", ID(o), !gone)
		}
	}
	if _, err := c.Delete(context.Background(), doomed, DryRunNone); err != nil {
		t.Errorf("deleting again: %v", err)
	}
}
