package dataplane

import (
	"slices"
	"testing"

	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	"sigs.k8s.io/yaml"

	"github.com/kubelb-ai/kubelb-ai/schemas"
	"github.com/kubelb-ai/kubelb-ai/templates"
)

// Every target of targets.yaml has exactly one adapter, in the same order.
func TestRegistryMatchesTargets(t *testing.T) {
	var names []string
	for _, a := range All() {
		names = append(names, a.Facts().Name)
	}
	if !slices.Equal(names, templates.TargetNames()) {
		t.Fatalf("adapters %v, targets.yaml %v", names, templates.TargetNames())
	}
	if _, err := Lookup("envoy-gateway"); err == nil {
		t.Error("an unknown target has an adapter")
	}
	if Default().Facts().Name != templates.DefaultTarget().Name {
		t.Errorf("default adapter %s", Default().Facts().Name)
	}
}

// crdsOf decodes the embedded CRDs of one data-plane release.
func crdsOf(t *testing.T, project, release string) []apiextensionsv1.CustomResourceDefinition {
	t.Helper()
	docs, err := schemas.CRDs(schemas.DataPlaneSet(project, release))
	if err != nil {
		t.Fatal(err)
	}
	var out []apiextensionsv1.CustomResourceDefinition
	for _, d := range docs {
		var c apiextensionsv1.CustomResourceDefinition
		if err := yaml.Unmarshal(d, &c); err != nil {
			t.Fatal(err)
		}
		out = append(out, c)
	}
	return out
}

// Each release's own CRDs name its target, and a cluster with two data
// planes (mid-migration) has both installed and names the newest.
func TestFromCRDs(t *testing.T) {
	var all []apiextensionsv1.CustomResourceDefinition
	for _, tg := range templates.Targets() {
		for _, r := range tg.CRDs.Releases {
			crds := crdsOf(t, tg.CRDs.Project, r)
			if got, ok := FromCRDs(crds); !ok || got != tg.Name {
				t.Errorf("%s %s: FromCRDs = %q, %v", tg.CRDs.Project, r, got, ok)
			}
			for _, other := range templates.Targets() {
				if Installed(crds, other.Name) != (other.Name == tg.Name) {
					t.Errorf("%s %s: Installed(%s) = %v", tg.CRDs.Project, r, other.Name, !(other.Name == tg.Name))
				}
			}
			if r == tg.CRDs.Releases[0] {
				all = append(all, crds...)
			}
		}
	}
	if got, _ := FromCRDs(all); got != templates.Agentgateway {
		t.Errorf("several data planes: FromCRDs = %q, want the newest", got)
	}
	if _, ok := FromCRDs(nil); ok {
		t.Error("no CRDs named a target")
	}
	for _, name := range BackendCRDs() {
		found := false
		for _, c := range all {
			found = found || c.Name == name
		}
		if !found {
			t.Errorf("BackendCRDs names %s, which no release has", name)
		}
	}
}

// FailoverMax is the maxItems of the backend CRD's failover list.
func TestFailoverMaxIsTheCRDs(t *testing.T) {
	paths := map[string][]string{
		templates.KgatewayV20:  {"spec", "ai", "multipool", "priorities"},
		templates.KgatewayV21:  {"spec", "ai", "priorityGroups"},
		templates.Agentgateway: {"spec", "ai", "groups"},
	}
	for _, tg := range templates.Targets() {
		for _, c := range crdsOf(t, tg.CRDs.Project, tg.CRDs.Releases[0]) {
			if c.Spec.Names.Kind != tg.API.Backend {
				continue
			}
			s := *c.Spec.Versions[0].Schema.OpenAPIV3Schema
			for _, p := range paths[tg.Name] {
				s = s.Properties[p]
			}
			if s.MaxItems == nil || int(*s.MaxItems) != tg.FailoverMax {
				t.Errorf("%s: failoverMax %d, CRD maxItems %v", tg.Name, tg.FailoverMax, s.MaxItems)
			}
		}
	}
}

func TestDetect(t *testing.T) {
	obj := func(av, kind string, spec map[string]any) map[string]any {
		return map[string]any{"apiVersion": av, "kind": kind, "spec": spec}
	}
	v20 := obj("gateway.kgateway.dev/v1alpha1", "Backend", map[string]any{"ai": map[string]any{"multipool": map[string]any{}}})
	v21 := obj("gateway.kgateway.dev/v1alpha1", "Backend", map[string]any{"ai": map[string]any{"llm": map[string]any{"openai": map[string]any{}}}})
	agw := obj("agentgateway.dev/v1alpha1", "AgentgatewayModel", nil)
	route := obj("gateway.networking.k8s.io/v1", "HTTPRoute", nil)
	for _, c := range []struct {
		objs []map[string]any
		want string
	}{
		{nil, templates.DefaultTarget().Name},
		{[]map[string]any{route}, templates.DefaultTarget().Name},
		{[]map[string]any{route, v21}, templates.KgatewayV21},
		{[]map[string]any{v21, v20}, templates.KgatewayV20},
		{[]map[string]any{v20, agw}, templates.Agentgateway},
		{[]map[string]any{agw, v20}, templates.Agentgateway},
	} {
		if got := Detect(c.objs); got != c.want {
			t.Errorf("Detect(%v) = %s, want %s", c.objs, got, c.want)
		}
	}
}

func TestRoleOf(t *testing.T) {
	for _, c := range []struct {
		group, kind string
		want        Role
	}{
		{"gateway.kgateway.dev", "GatewayParameters", RoleParameters},
		{"agentgateway.dev", "AgentgatewayBackend", RoleBackend},
		{"gateway.kgateway.dev", "BackendConfigPolicy", RolePolicy},
		{"gateway.envoyproxy.io", "Backend", RoleNone}, // another project's kind of the same name
		{"gateway.networking.k8s.io", "HTTPRoute", RoleNone},
	} {
		if got := RoleOf(c.group, c.kind); got != c.want {
			t.Errorf("RoleOf(%s, %s) = %v, want %v", c.group, c.kind, got, c.want)
		}
	}
}

func TestMinRelease(t *testing.T) {
	obj := func(av, kind string) map[string]any { return map[string]any{"apiVersion": av, "kind": kind} }
	for _, c := range []struct {
		target string
		objs   []map[string]any
		want   string
	}{
		{templates.Agentgateway, nil, "v1.1.0"},
		{templates.Agentgateway, []map[string]any{obj("agentgateway.dev/v1alpha1", "AgentgatewayBackend")}, "v1.1.0"},
		{templates.Agentgateway, []map[string]any{obj("agentgateway.dev/v1alpha1", "AgentgatewayBackend"), obj("agentgateway.dev/v1alpha1", "AgentgatewayModel")}, "v1.4.1"},
		{templates.Agentgateway, []map[string]any{obj("agentgateway.dev/v1alpha1", "NoSuchKind")}, ""},
		{templates.KgatewayV21, []map[string]any{obj("agentgateway.dev/v1alpha1", "AgentgatewayModel")}, "v2.1.2"},
	} {
		if got := MinRelease(c.target, c.objs); got != c.want {
			t.Errorf("MinRelease(%s, %v) = %q, want %q", c.target, c.objs, got, c.want)
		}
	}
}
