package schemas

import (
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/kubelb-ai/kubelb-ai/templates"
)

// The embedded sets are exactly those templates/targets.yaml names: every
// data-plane release of every target and every Gateway API bundle in each
// channel, and the Makefile copies the same Gateway API versions.
func TestEmbeddedSetsMatchTheReleaseTable(t *testing.T) {
	var want []string
	for _, tg := range templates.Targets() {
		for _, r := range tg.CRDs.Releases {
			want = append(want, DataPlaneSet(tg.CRDs.Project, r))
		}
	}
	for _, v := range templates.GatewayAPIVersions() {
		for _, ch := range templates.GatewayAPIChannels {
			want = append(want, GatewayAPISet(v, ch))
		}
	}
	var gie []string
	for _, tg := range templates.Targets() {
		for _, r := range tg.CRDs.Releases {
			v, ok := tg.CRDs.InferenceExtension[r]
			if !ok {
				t.Errorf("%s %s: no Inference Extension release paired", tg.Name, r)
			}
			gie = append(gie, v)
		}
	}
	slices.Sort(gie)
	gie = slices.Compact(gie)
	for _, v := range gie {
		want = append(want, InferenceExtensionSet(v))
	}
	slices.Sort(want)
	if got := Sets(); !slices.Equal(got, want) {
		t.Errorf("embedded sets:\n  %s\ntargets.yaml names:\n  %s", strings.Join(got, "\n  "), strings.Join(want, "\n  "))
	}
	makefile, err := os.ReadFile("../Makefile")
	if err != nil {
		t.Fatal(err)
	}
	if m := regexp.MustCompile(`(?m)^INFERENCE_EXTENSION_VERSIONS := (.*)$`).FindSubmatch(makefile); m == nil || !slices.Equal(strings.Fields(string(m[1])), gie) {
		t.Errorf("Makefile INFERENCE_EXTENSION_VERSIONS %q, targets.yaml pairs %v", m, gie)
	}
	m := regexp.MustCompile(`(?m)^GATEWAY_API_VERSIONS := (.*)$`).FindSubmatch(makefile)
	if m == nil || !slices.Equal(strings.Fields(string(m[1])), templates.GatewayAPIVersions()) {
		t.Errorf("Makefile GATEWAY_API_VERSIONS %q, targets.yaml gatewayAPI %v", m, templates.GatewayAPIVersions())
	}
}

// Each Gateway API bundle is the release and channel it is filed under.
func TestGatewayAPIBundlesAreWhatTheirNameSays(t *testing.T) {
	for _, v := range templates.GatewayAPIVersions() {
		for _, ch := range templates.GatewayAPIChannels {
			docs, err := CRDs(GatewayAPISet(v, ch))
			if err != nil {
				t.Fatal(err)
			}
			for _, d := range docs {
				if !strings.Contains(string(d), "gateway.networking.k8s.io/bundle-version: "+v+"\n") || !strings.Contains(string(d), "gateway.networking.k8s.io/channel: "+ch+"\n") {
					t.Errorf("%s/%s: a CRD of another release or channel", v, ch)
				}
			}
		}
	}
}
