package generate

import (
	"flag"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/kubelb-ai/kubelb-ai/spec"
	"github.com/kubelb-ai/kubelb-ai/templates"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden (review the diff before committing)")

const (
	specDir   = "../testdata/specs"
	goldenDir = "../testdata/golden"
)

// renderCase loads a Spec fixture and renders it for target, returning the
// manifests or, when the target cannot express the Spec, the Check error.
func renderCase(t *testing.T, path, target string) (*spec.AIGateway, []Object, error) {
	t.Helper()
	f, err := spec.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	g := f.Gateway
	g.Spec.Target = target
	spec.Default(&g)
	if err := spec.Check(&g); err != nil {
		return &g, nil, f.Locate(err)
	}
	objs, err := Render(&g)
	if err != nil {
		t.Fatalf("%s for %s: Render: %v", path, target, err)
	}
	return &g, objs, nil
}

func specFixtures(t *testing.T) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(specDir, "*.yaml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no Spec fixtures in %s: %v", specDir, err)
	}
	return files
}

func caseName(path string) string { return strings.TrimSuffix(filepath.Base(path), ".yaml") }

// TestGolden renders every Spec fixture for every target and compares the
// manifests (or the error naming what the target cannot express) with the
// reviewed files in testdata/golden/<target>/.
func TestGolden(t *testing.T) {
	want := map[string]bool{}
	for _, target := range templates.TargetNames() {
		for _, path := range specFixtures(t) {
			name := caseName(path)
			t.Run(target+"/"+name, func(t *testing.T) {
				_, objs, err := renderCase(t, path, target)
				var got []byte
				golden := filepath.Join(goldenDir, target, name)
				if err != nil {
					golden += ".error"
					got = []byte(strings.ReplaceAll(err.Error(), specDir+"/", "") + "\n")
				} else {
					golden += ".yaml"
					if got, err = Encode(objs, "yaml"); err != nil {
						t.Fatal(err)
					}
				}
				want[golden] = true
				if *update {
					if err := os.MkdirAll(filepath.Dir(golden), 0o755); err != nil {
						t.Fatal(err)
					}
					if err := os.WriteFile(golden, got, 0o644); err != nil {
						t.Fatal(err)
					}
					return
				}
				exp, err := os.ReadFile(golden)
				if err != nil {
					t.Fatalf("missing golden file (run go test ./generate -update and review it): %v", err)
				}
				if string(exp) != string(got) {
					t.Errorf("%s differs from the rendered output:\n--- want\n%s\n--- got\n%s", golden, exp, got)
				}
			})
		}
	}
	// A golden file without a fixture is stale: it would hide a removed case.
	all, _ := filepath.Glob(filepath.Join(goldenDir, "*", "*"))
	for _, f := range all {
		if !want[f] && !*update {
			t.Errorf("stale golden file %s has no fixture", f)
		}
		if !want[f] && *update {
			os.Remove(f)
		}
	}
}

// TestEveryProviderRendersWhereSupported guards the acceptance matrix: each
// single-provider fixture renders exactly on the targets that list it.
func TestEveryProviderRendersWhereSupported(t *testing.T) {
	for _, tg := range templates.Targets() {
		for _, kind := range templates.ProviderKinds() {
			path := filepath.Join(specDir, "single-"+kind+".yaml")
			_, objs, err := renderCase(t, path, tg.Name)
			supported := slices.Contains(tg.Providers, kind)
			if supported && err != nil {
				t.Errorf("%s on %s: %v", kind, tg.Name, err)
			}
			if !supported && (err == nil || !strings.Contains(err.Error(), "targets that support it")) {
				t.Errorf("%s on %s rendered %d objects; want an error naming the targets that support it (got %v)", kind, tg.Name, len(objs), err)
			}
		}
	}
}

// TestImagesArePinnedReleases: the tutorial's defect was a dev image tag
// (v2.1.0-main); every image kubelb-ai renders is a release tag.
func TestImagesArePinnedReleases(t *testing.T) {
	for _, target := range templates.TargetNames() {
		_, objs, err := renderCase(t, filepath.Join(specDir, "single-openai.yaml"), target)
		if err != nil {
			t.Fatal(err)
		}
		out, _ := Encode(objs, "yaml")
		if strings.Contains(string(out), "-main") {
			t.Errorf("%s renders a dev image tag:\n%s", target, out)
		}
		if tg, _ := templates.LookupTarget(target); tg.AIExtensionImage != nil && !strings.Contains(string(out), "tag: "+tg.AIExtensionImage.Tag) {
			t.Errorf("%s does not pin the AI extension image to %s", target, tg.AIExtensionImage.Tag)
		}
	}
}
