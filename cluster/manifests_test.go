package cluster

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"sigs.k8s.io/yaml"

	"github.com/kubelb-ai/kubelb-ai/spec"
	"github.com/kubelb-ai/kubelb-ai/validate/loader"
)

// writeManifests writes objs one file each into a new directory.
func writeManifests(t *testing.T, objs []map[string]any) string {
	t.Helper()
	dir := t.TempDir()
	for i, o := range objs {
		data, err := yaml.Marshal(o)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, string(rune('a'+i))+".yaml"), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// The files are read once: the objects and the source to validate come
// from the same read, and the source still walks after the files are gone.
// Objects without a namespace get the default one; the source keeps the
// documents as written.
func TestReadManifests(t *testing.T) {
	var maps []map[string]any
	for _, o := range render(t, "agentgateway", "team-a", spec.Options{Providers: []string{"openai"}})[1:] {
		maps = append(maps, o.Object)
	}
	maps = append(maps, map[string]any{"apiVersion": "v1", "kind": "ConfigMap", "metadata": map[string]any{"name": "loose"}})
	dir := writeManifests(t, maps)
	asked := 0
	m, err := ReadManifests(ManifestOptions{Files: []string{dir}, Namespace: func() (string, error) { asked++; return "team-b", nil }})
	if err != nil {
		t.Fatal(err)
	}
	if m.Target != "agentgateway" || len(m.Objects) != len(maps) {
		t.Fatalf("target %q, %d objects, want agentgateway and %d", m.Target, len(m.Objects), len(maps))
	}
	loose := m.Objects[len(m.Objects)-1]
	if loose.GetNamespace() != "team-b" || m.Objects[0].GetNamespace() != "team-a" || asked != 1 {
		t.Errorf("namespaces %q, %q (asked %d times), want team-b for the object without one", loose.GetNamespace(), m.Objects[0].GetNamespace(), asked)
	}
	if err := os.RemoveAll(dir); err != nil {
		t.Fatal(err)
	}
	var walked []*loader.Document
	r := m.Source.Walk(func(d *loader.Document) bool { walked = append(walked, d); return true })
	if len(r.Problems) > 0 || len(walked) != len(maps) {
		t.Fatalf("walking the source again: %d documents, problems %v", len(walked), r.Problems)
	}
	if md := walked[len(walked)-1].Object["metadata"].(map[string]any); md["namespace"] != nil {
		t.Errorf("the source's document was given a namespace: %v", md)
	}
	if rep, err := Preflight(t.Context(), m); err != nil || rep != nil {
		t.Errorf("Preflight of valid manifests: %v, %v", rep, err)
	}
}

func TestReadManifestsErrors(t *testing.T) {
	gw := map[string]any{"apiVersion": "gateway.networking.k8s.io/v1", "kind": "Gateway", "metadata": map[string]any{"name": "g"},
		"spec": map[string]any{"gatewayClassName": "kgateway", "listeners": []any{map[string]any{"name": "http", "port": 8080, "protocol": "HTTP"}}}}
	dir := writeManifests(t, []map[string]any{gw})

	_, err := ReadManifests(ManifestOptions{Files: []string{dir}, Target: "nope"})
	var te *TargetError
	if !errors.As(err, &te) || !strings.Contains(err.Error(), `unknown target "nope"`) {
		t.Errorf("unknown target: %v", err)
	}
	if _, err := ReadManifests(ManifestOptions{Files: []string{t.TempDir()}}); err == nil || !strings.HasPrefix(err.Error(), "no Kubernetes objects in ") {
		t.Errorf("empty directory: %v", err)
	}
	if _, err := ReadManifests(ManifestOptions{Files: []string{"-"}}); err == nil || err.Error() != "-: no standard input" {
		t.Errorf("- without standard input: %v", err)
	}
	dup := filepath.Join(t.TempDir(), "dup.yaml")
	os.WriteFile(dup, []byte("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\ndata: {k: a}\ndata: {k: b}\n"), 0o644)
	if _, err := ReadManifests(ManifestOptions{Files: []string{dup}}); err == nil || !strings.HasPrefix(err.Error(), dup+":") {
		t.Errorf("duplicate key: %v", err)
	}

	// Invalid manifests: Preflight keeps the errors alone.
	gw["spec"].(map[string]any)["listeners"].([]any)[0].(map[string]any)["port"] = 70000
	m, err := ReadManifests(ManifestOptions{Files: []string{writeManifests(t, []map[string]any{gw})}, Target: "kgateway-v2.1"})
	if err != nil {
		t.Fatal(err)
	}
	rep, err := Preflight(t.Context(), m)
	if err != nil || rep == nil || rep.Errors() == 0 || len(rep.Findings) != rep.Errors() {
		t.Fatalf("Preflight of an invalid port: %+v, %v", rep, err)
	}
	if f := rep.Findings[0]; f.Line != 9 || !strings.Contains(f.Path, "port") {
		t.Errorf("finding at line %d, path %s", f.Line, f.Path)
	}
}

// A curl per route, on the Gateway's address when it has one.
func TestCurls(t *testing.T) {
	objs := render(t, "kgateway-v2.1", "team-a", spec.Options{Providers: []string{"openai", "anthropic"}})
	got := Curls(objs, nil)
	if len(got) != 2 || !strings.HasPrefix(got[0], "curl -s http://$GATEWAY:8080/openai/v1/chat/completions -H 'content-type: application/json' -d '{") ||
		!strings.Contains(got[1], "/anthropic/v1/messages") {
		t.Errorf("without an address: %q", got)
	}
	got = Curls(objs, []GatewayStatus{{Addresses: []string{"10.0.0.7"}}})
	if len(got) != 2 || !strings.HasPrefix(got[0], "curl -s http://10.0.0.7:8080/openai/") {
		t.Errorf("with an address: %q", got)
	}
	if got := Curls(objs[:1], nil); got != nil {
		t.Errorf("no gateway, no curls: %q", got)
	}
}
