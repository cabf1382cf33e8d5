package cluster

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/cli-runtime/pkg/genericclioptions"

	"github.com/kubelb-ai/kubelb-ai/dataplane"
	"github.com/kubelb-ai/kubelb-ai/generate"
	"github.com/kubelb-ai/kubelb-ai/internal/testenv"
	"github.com/kubelb-ai/kubelb-ai/spec"
	"github.com/kubelb-ai/kubelb-ai/templates"
)

// clusters holds one test API server per CRD bundle for the package's
// tests: kgateway v2.0 and v2.1 share a group, so they need their own.
var clusters = struct {
	sync.Mutex
	m map[string]testenv.Cluster
}{m: map[string]testenv.Cluster{}}

// clusterFor returns a client of an API server with the CRDs of target.
func clusterFor(t *testing.T, target string) (*Client, testenv.Cluster) {
	t.Helper()
	bundle := map[string]string{
		templates.KgatewayV20:  "crds/kgateway/v2.0.5",
		templates.KgatewayV21:  "crds/kgateway/v2.1.2",
		templates.Agentgateway: "crds/kgateway/v2.1.2", // plus agentgateway's, below
	}[target]
	clusters.Lock()
	defer clusters.Unlock()
	tc, ok := clusters.m[bundle]
	if !ok {
		shared := testenv.SharedDir(t)
		dirs := []string{filepath.Join(shared, bundle)}
		if bundle == "crds/kgateway/v2.1.2" {
			dirs = append(dirs, filepath.Join(shared, "crds/agentgateway/v1.1.0"))
		}
		tc = testenv.StartClusterShared(t, dirs...)
		clusters.m[bundle] = tc
	}
	flags := genericclioptions.NewConfigFlags(false)
	flags.KubeConfig = &tc.Kubeconfig
	c, err := New(flags)
	if err != nil {
		t.Fatal(err)
	}
	return c, tc
}

// render makes the objects of a gateway for target in namespace ns.
func render(t *testing.T, target, ns string, o spec.Options) []*unstructured.Unstructured {
	t.Helper()
	o.Target, o.Namespace = target, ns
	g, err := o.Build()
	if err != nil {
		t.Fatal(err)
	}
	objs, err := generate.Render(g)
	if err != nil {
		t.Fatal(err)
	}
	var out []*unstructured.Unstructured
	for _, obj := range objs {
		m, err := dataplane.ToMap(obj.Object)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, &unstructured.Unstructured{Object: m})
	}
	return withNamespace(ns, out)
}

func withNamespace(ns string, objs []*unstructured.Unstructured) []*unstructured.Unstructured {
	n := &unstructured.Unstructured{}
	n.SetAPIVersion("v1")
	n.SetKind("Namespace")
	n.SetName(ns)
	return append([]*unstructured.Unstructured{n}, objs...)
}

func fakeEnv(name string) (string, bool) {
	return "sk-test-" + strings.ToLower(name) + "-0123456789", true
}

func applyOK(t *testing.T, c *Client, objs []*unstructured.Unstructured, opts ApplyOptions) *ApplyResult {
	t.Helper()
	resolved, red, err := ResolveSecrets(objs, fakeEnv)
	if err != nil {
		t.Fatal(err)
	}
	opts.Redactor = red
	if opts.Set.Name == "" {
		if opts.Set, err = SetFor(objs, ""); err != nil {
			t.Fatal(err)
		}
	}
	res, err := c.Apply(context.Background(), resolved, opts)
	if err != nil {
		t.Fatalf("apply: %v (failed %v)", err, res.Failed)
	}
	return res
}

var threeProviders = spec.Options{Providers: []string{"openai", "anthropic", "gemini"}, RateLimit: "10/minute", Guards: []string{"mask=CREDIT_CARD"}}

// Apply creates every object of each target's gateway; applying again
// changes nothing (same content, same generation and resourceVersion).
func TestApplyEachTarget(t *testing.T) {
	for _, target := range templates.TargetNames() {
		t.Run(target, func(t *testing.T) {
			c, _ := clusterFor(t, target)
			ns := "apply-" + strings.ReplaceAll(target, ".", "-")
			objs := render(t, target, ns, threeProviders)
			res := applyOK(t, c, objs, ApplyOptions{})
			if len(res.Applied) != len(objs) {
				t.Fatalf("applied %d of %d: %v", len(res.Applied), len(objs), res)
			}
			before := snapshot(t, c, objs, false)
			applyOK(t, c, objs, ApplyOptions{})
			after := snapshot(t, c, objs, false)
			for id, b := range before {
				if a := after[id]; a != b {
					t.Errorf("%s changed on re-apply:\n%s\n%s", id, b, a)
				}
			}
			// The server itself writes once more after a create (it stores
			// the defaulted status, or the first managedFields of a
			// Namespace); from then on a re-apply writes nothing at all.
			before = snapshot(t, c, objs, true)
			applyOK(t, c, objs, ApplyOptions{})
			after = snapshot(t, c, objs, true)
			for id, b := range before {
				if a := after[id]; a != b {
					t.Errorf("%s written on the third apply:\n%s\n%s", id, b, a)
				}
			}
			for _, o := range objs[1:] {
				live := get(t, c, o)
				if live.GetLabels()[labelPartOf] == "" {
					t.Errorf("%s is not labelled as a member of the apply set", ID(o))
				}
			}
		})
	}
}

// snapshot returns, per object, its generation and content, and with rv
// its resourceVersion.
func snapshot(t *testing.T, c *Client, objs []*unstructured.Unstructured, rv bool) map[string]string {
	out := map[string]string{}
	for _, o := range objs {
		live := get(t, c, o)
		s := fmt.Sprintf("gen=%d labels=%v annotations=%v spec=%v data=%v", live.GetGeneration(), live.GetLabels(), live.GetAnnotations(), live.Object["spec"], live.Object["data"])
		if rv {
			s += " rv=" + live.GetResourceVersion()
		}
		out[ID(o)] = s
	}
	return out
}

func get(t *testing.T, c *Client, o *unstructured.Unstructured) *unstructured.Unstructured {
	t.Helper()
	r, err := c.resource(o)
	if err != nil {
		t.Fatal(err)
	}
	live, err := r.Get(context.Background(), o.GetName(), metav1.GetOptions{})
	if err != nil {
		t.Fatalf("%s: %v", ID(o), err)
	}
	return live
}

func exists(t *testing.T, c *Client, o *unstructured.Unstructured) bool {
	t.Helper()
	r, err := c.resource(o)
	if err != nil {
		t.Fatal(err)
	}
	_, err = r.Get(context.Background(), o.GetName(), metav1.GetOptions{})
	if err != nil && !apierrors.IsNotFound(err) {
		t.Fatal(err)
	}
	return err == nil
}

// --dry-run=server checks everything with the API server and changes
// nothing; --dry-run=client does not even ask.
func TestApplyDryRun(t *testing.T) {
	c, _ := clusterFor(t, templates.KgatewayV21)
	ns := "dry-run"
	objs := render(t, templates.KgatewayV21, ns, threeProviders)
	applyOK(t, c, objs[:1], ApplyOptions{Set: ApplySet{Name: "ns-only", Namespace: ns}}) // the namespace itself
	for _, mode := range []DryRun{DryRunServer, DryRunClient} {
		res := applyOK(t, c, objs[1:], ApplyOptions{DryRun: mode})
		if len(res.Applied) != len(objs)-1 {
			t.Errorf("%s: applied %d of %d", mode, len(res.Applied), len(objs)-1)
		}
		for _, o := range objs[1:] {
			if exists(t, c, o) {
				t.Errorf("%s: %s exists after a dry run", mode, ID(o))
			}
		}
	}
	// A server dry run still catches what the server would reject.
	bad := objs[len(objs)-1].DeepCopy()
	_ = unstructured.SetNestedField(bad.Object, "surprise", "spec", "bogusField")
	set, _ := SetFor(objs, "")
	_, err := c.Apply(context.Background(), []*unstructured.Unstructured{bad}, ApplyOptions{DryRun: DryRunServer, Set: set})
	if err == nil {
		t.Error("a server dry run accepted an unknown field")
	}
}

// Another field manager's fields are not taken over silently: the conflict
// names it, and --force-conflicts resolves it.
func TestApplyConflict(t *testing.T) {
	c, _ := clusterFor(t, templates.KgatewayV21)
	ns := "conflict"
	objs := render(t, templates.KgatewayV21, ns, spec.Options{Providers: []string{"openai"}})
	applyOK(t, c, objs, ApplyOptions{})
	var gw *unstructured.Unstructured
	for _, o := range objs {
		if o.GetKind() == "Gateway" {
			gw = o
		}
	}
	r, _ := c.resource(gw)
	force := true
	other := fmt.Sprintf(`{"apiVersion":"gateway.networking.k8s.io/v1","kind":"Gateway","metadata":{"name":%q,"namespace":%q},"spec":{"gatewayClassName":"someone-else"}}`, gw.GetName(), ns)
	if _, err := r.Patch(context.Background(), gw.GetName(), types.ApplyPatchType, []byte(other), metav1.PatchOptions{FieldManager: "other-team", Force: &force}); err != nil {
		t.Fatal(err)
	}
	resolved, red, _ := ResolveSecrets(objs, fakeEnv)
	set, _ := SetFor(objs, "")
	res, err := c.Apply(context.Background(), resolved, ApplyOptions{Set: set, Redactor: red})
	var ce *ConflictError
	if len(res.Failed) != 1 || !errors.As(res.Failed[0].Err, &ce) || !strings.Contains(ce.Error(), `"other-team"`) || !strings.Contains(ce.Error(), "--force-conflicts") {
		t.Fatalf("want a conflict with other-team, got %v / %v", err, res.Failed)
	}
	if len(res.NotAttempted) == 0 {
		t.Error("the steps after the conflict were attempted")
	}
	applyOK(t, c, objs, ApplyOptions{ForceConflicts: true})
	if got, _, _ := unstructured.NestedString(get(t, c, gw).Object, "spec", "gatewayClassName"); got != "kgateway" {
		t.Errorf("after --force-conflicts the class is %q", got)
	}
}

// Prune deletes exactly the set's members that the manifests dropped: not
// objects of another set, nor objects kubelb-ai never applied.
func TestApplyPrune(t *testing.T) {
	c, _ := clusterFor(t, templates.KgatewayV21)
	ns := "prune"
	two := render(t, templates.KgatewayV21, ns, spec.Options{Providers: []string{"openai", "anthropic"}, RateLimit: "5/second"})
	applyOK(t, c, two, ApplyOptions{})
	// Neighbours: one applied by hand, one by another set.
	byHand := &unstructured.Unstructured{Object: map[string]any{"apiVersion": "v1", "kind": "ConfigMap", "metadata": map[string]any{"name": "by-hand", "namespace": ns}}}
	r, _ := c.resource(byHand)
	if _, err := r.Create(context.Background(), byHand, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	otherSet := &unstructured.Unstructured{Object: map[string]any{"apiVersion": "v1", "kind": "ConfigMap", "metadata": map[string]any{"name": "other-set", "namespace": ns}}}
	applyOK(t, c, []*unstructured.Unstructured{otherSet}, ApplyOptions{Set: ApplySet{Name: "other", Namespace: ns}})

	one := render(t, templates.KgatewayV21, ns, spec.Options{Providers: []string{"openai"}, RateLimit: "5/second"})
	var shown []string
	res := applyOK(t, c, one, ApplyOptions{Prune: true, Progress: func(o Outcome) {
		if o.Action == "to prune" {
			shown = append(shown, o.ID)
		}
	}})
	var dropped []string
	for _, o := range two {
		if !slices.ContainsFunc(one, func(x *unstructured.Unstructured) bool { return ID(x) == ID(o) }) {
			dropped = append(dropped, ID(o))
		}
	}
	slices.Sort(dropped)
	slices.Sort(res.Pruned)
	slices.Sort(shown)
	if !slices.Equal(res.Pruned, dropped) || !slices.Equal(shown, dropped) || len(dropped) < 3 {
		t.Fatalf("pruned %v, shown %v, want %v", res.Pruned, shown, dropped)
	}
	for _, o := range append(one, byHand, otherSet) {
		if !exists(t, c, o) {
			t.Errorf("%s was pruned", ID(o))
		}
	}
}

// A failure midway stops after its step and accounts for every object.
func TestApplyFailureMidway(t *testing.T) {
	c, _ := clusterFor(t, templates.KgatewayV21)
	ns := "midway"
	objs := render(t, templates.KgatewayV21, ns, spec.Options{Providers: []string{"openai"}, RateLimit: "5/second"})
	var bad string
	for _, o := range objs {
		if o.GetKind() == "Backend" {
			_ = unstructured.SetNestedField(o.Object, "x", "spec", "notAField")
			bad = ID(o)
		}
	}
	resolved, red, _ := ResolveSecrets(objs, fakeEnv)
	set, _ := SetFor(objs, "")
	res, err := c.Apply(context.Background(), resolved, ApplyOptions{Set: set, Redactor: red})
	if err == nil || len(res.Failed) != 1 || res.Failed[0].ID != bad || !strings.Contains(res.Failed[0].Err.Error(), "notAField") {
		t.Fatalf("want %s to fail on its unknown field: %v %+v", bad, err, res.Failed)
	}
	if len(res.Applied)+len(res.Failed)+len(res.NotAttempted) != len(objs) {
		t.Errorf("the account does not add up: %+v", res)
	}
	for _, id := range res.NotAttempted {
		if !strings.HasPrefix(id, "httproute") && !strings.HasPrefix(id, "trafficpolicy") {
			t.Errorf("%s should have been applied before the Backend's step", id)
		}
	}
}

// Missing variables are all named, and nothing is sent.
func TestResolveSecrets(t *testing.T) {
	objs := render(t, templates.KgatewayV21, "x", spec.Options{Providers: []string{"openai", "anthropic"}})
	_, _, err := ResolveSecrets(objs, func(string) (string, bool) { return "", false })
	var me *MissingEnvError
	if !errors.As(err, &me) || !slices.Equal(me.Variables, []string{"ANTHROPIC_API_KEY", "OPENAI_API_KEY"}) {
		t.Fatalf("got %v", err)
	}
	resolved, red, err := ResolveSecrets(objs, fakeEnv)
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range resolved {
		if o.GetKind() == "Secret" {
			v, _, _ := unstructured.NestedString(o.Object, "stringData", "Authorization")
			if !strings.HasPrefix(v, "sk-test-") {
				t.Errorf("%s: %q", ID(o), v)
			}
			if got := red.Redact("bad value " + v); got != "bad value ***" {
				t.Errorf("redacted: %q", got)
			}
		}
	}
	for _, o := range objs {
		if v, _, _ := unstructured.NestedString(o.Object, "stringData", "Authorization"); o.GetKind() == "Secret" && !strings.Contains(v, "${") {
			t.Error("ResolveSecrets changed its input")
		}
	}
}

// An unreachable API server: a clear error, and nothing counted as applied.
func TestApplyUnreachable(t *testing.T) {
	flags := genericclioptions.NewConfigFlags(false)
	server := "https://127.0.0.1:1"
	flags.APIServer = &server
	c, err := New(flags)
	if err != nil {
		// The REST mapper asks the server at once.
		if !strings.Contains(err.Error(), "127.0.0.1:1") {
			t.Fatalf("unclear error: %v", err)
		}
		return
	}
	objs := render(t, templates.KgatewayV21, "x", spec.Options{Providers: []string{"openai"}})
	resolved, _, _ := ResolveSecrets(objs, fakeEnv)
	set, _ := SetFor(objs, "")
	res, err := c.Apply(context.Background(), resolved, ApplyOptions{Set: set})
	if err == nil || len(res.Applied) != 0 || len(res.Failed)+len(res.NotAttempted) != len(objs) {
		t.Fatalf("err %v, result %+v", err, res)
	}
	for _, f := range res.Failed {
		if !strings.Contains(f.Err.Error(), "127.0.0.1:1") {
			t.Errorf("unclear error: %v", f.Err)
		}
	}
}
