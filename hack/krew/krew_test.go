package main

import (
	"os"
	"regexp"
	"strings"
	"testing"

	"sigs.k8s.io/yaml"
)

// The committed manifest is what krew installs from: every platform, the
// plugin's binary name (kubectl finds kubectl-kubelb_ai and shows it as
// kubectl kubelb-ai), the release's URIs and a checksum each.
func TestCommittedManifest(t *testing.T) {
	data, err := os.ReadFile("../../plugins/kubelb-ai.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var m struct {
		APIVersion string `json:"apiVersion"`
		Kind       string `json:"kind"`
		Metadata   struct{ Name string }
		Spec       struct {
			Version          string
			Homepage         string
			ShortDescription string `json:"shortDescription"`
			Description      string
			Platforms        []struct {
				Selector struct {
					MatchLabels map[string]string `json:"matchLabels"`
				}
				URI    string
				SHA256 string
				Bin    string
			}
		}
	}
	if err := yaml.UnmarshalStrict(data, &m); err != nil {
		t.Fatal(err)
	}
	if m.APIVersion != "krew.googlecontainertools.github.com/v1alpha2" || m.Kind != "Plugin" || m.Metadata.Name != "kubelb-ai" || m.Spec.ShortDescription == "" {
		t.Errorf("header: %+v", m)
	}
	if len(m.Spec.Platforms) != len(platforms) {
		t.Fatalf("%d platforms, want %d", len(m.Spec.Platforms), len(platforms))
	}
	sha := regexp.MustCompile(`^[0-9a-f]{64}$`)
	for i, p := range m.Spec.Platforms {
		want := platforms[i]
		if p.Selector.MatchLabels["os"] != want.OS || p.Selector.MatchLabels["arch"] != want.Arch {
			t.Errorf("platform %d: %v", i, p.Selector.MatchLabels)
		}
		if p.Bin != "kubectl-kubelb_ai" || !sha.MatchString(p.SHA256) ||
			!strings.HasPrefix(p.URI, repository+"/releases/download/"+m.Spec.Version+"/") || !strings.HasSuffix(p.URI, want.OS+"_"+want.Arch+".tar.gz") {
			t.Errorf("platform %s/%s: %+v", want.OS, want.Arch, p)
		}
	}
}
