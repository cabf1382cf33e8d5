package templates

import (
	"fmt"
	"slices"
	"strings"
)

// CRDReleases names the project whose CRDs a target's manifests use and
// the releases of them embedded for validate, oldest first.
type CRDReleases struct {
	Project  string   `json:"project"`
	Releases []string `json:"releases"`
	// InferenceExtension is the Gateway API Inference Extension release
	// each data-plane release was built against (its InferencePool and
	// companion kinds), by data-plane release.
	InferenceExtension map[string]string `json:"inferenceExtension"`
}

// Release is one KubeLB release with an AI gateway and the CRD releases
// its cluster runs.
type Release struct {
	KubeLB string `json:"version"`
	Target string `json:"target"`
	// DataPlane is the data plane's release, e.g. v1.3.1.
	DataPlane string `json:"dataPlane"`
	// GatewayAPI is the Gateway API bundle KubeLB installs, e.g. v1.5.1.
	GatewayAPI string `json:"gatewayAPI"`
}

// Releases returns the KubeLB releases with an AI gateway, oldest first.
func Releases() []Release { load(); return releases }

// GatewayAPIVersions returns the embedded Gateway API bundles, oldest first.
func GatewayAPIVersions() []string { load(); return gwapi }

// GatewayAPIChannels are the channels each Gateway API bundle comes in;
// KubeLB installs the standard one unless told otherwise.
var GatewayAPIChannels = []string{"standard", "experimental"}

// ReleaseForKubeLB returns the release of a KubeLB version ("1.3",
// "v1.3.2"). A version newer than every listed one runs the newest's CRDs
// until the table says otherwise; Newer reports that case.
func ReleaseForKubeLB(version string) (Release, error) {
	load()
	minor, err := kubeLBMinor(version)
	if err != nil {
		return Release{}, err
	}
	for _, r := range releases {
		if m, _ := kubeLBMinor(r.KubeLB); m == minor {
			return r, nil
		}
	}
	newest := releases[len(releases)-1]
	if m, _ := kubeLBMinor(newest.KubeLB); minor > m {
		return newest, nil
	}
	return Release{}, fmt.Errorf("KubeLB %s has no AI gateway kubelb-ai can target: supported are %s", version, strings.Join(KubeLBVersions(), ", "))
}

// NewerThanKnown reports whether a KubeLB version is newer than every
// release in the table, so its CRDs are assumed, not known.
func NewerThanKnown(version string) bool {
	load()
	minor, err := kubeLBMinor(version)
	newest, _ := kubeLBMinor(releases[len(releases)-1].KubeLB)
	return err == nil && minor > newest
}

// CRDVersions says which CRD releases judge a target's manifests. Empty
// fields take their defaults: KubeLB the target's newest release,
// DataPlane and GatewayAPI what that release runs, Channel standard.
type CRDVersions struct {
	KubeLB     string `json:"kubelb,omitempty"`
	Project    string `json:"dataPlane,omitempty"`
	DataPlane  string `json:"dataPlaneVersion,omitempty"`
	GatewayAPI string `json:"gatewayAPIVersion,omitempty"`
	Channel    string `json:"gatewayAPIChannel,omitempty"`
	// InferenceExtension is the Inference Extension release paired with
	// DataPlane (not in reports: it follows from DataPlane).
	InferenceExtension string `json:"-"`
}

// Target returns the target that v names by its KubeLB release or its
// data-plane version, or "" when it names neither.
func (v CRDVersions) Target() (string, error) {
	load()
	switch {
	case v.KubeLB != "":
		r, err := ReleaseForKubeLB(v.KubeLB)
		return r.Target, err
	case v.DataPlane != "":
		for _, t := range targets {
			if slices.Contains(t.CRDs.Releases, v.DataPlane) {
				return t.Name, nil
			}
		}
		return "", fmt.Errorf("no data plane release %s: known are %s", v.DataPlane, strings.Join(dataPlaneReleases(), ", "))
	}
	return "", nil
}

// Resolve fills v's empty fields for target and checks the rest: the
// KubeLB release must run target, and each version must be embedded.
func (v CRDVersions) Resolve(target string) (CRDVersions, error) {
	t, err := LookupTarget(target)
	if err != nil {
		return v, err
	}
	var base Release
	if v.KubeLB != "" {
		if base, err = ReleaseForKubeLB(v.KubeLB); err != nil {
			return v, err
		}
		if base.Target != target {
			return v, fmt.Errorf("KubeLB %s runs %s, not %s", v.KubeLB, base.Target, target)
		}
	} else {
		for _, r := range Releases() {
			if r.Target == target {
				base = r
			}
		}
	}
	out := CRDVersions{KubeLB: base.KubeLB, Project: t.CRDs.Project, DataPlane: v.DataPlane, GatewayAPI: v.GatewayAPI, Channel: v.Channel}
	if out.DataPlane == "" {
		out.DataPlane = base.DataPlane
	}
	if out.GatewayAPI == "" {
		out.GatewayAPI = base.GatewayAPI
	}
	if out.Channel == "" {
		out.Channel = GatewayAPIChannels[0]
	}
	out.InferenceExtension = t.CRDs.InferenceExtension[out.DataPlane]
	switch {
	case !slices.Contains(t.CRDs.Releases, out.DataPlane):
		return v, fmt.Errorf("%s has no release %s here: known are %s", t.Name, out.DataPlane, strings.Join(t.CRDs.Releases, ", "))
	case !slices.Contains(gwapi, out.GatewayAPI):
		return v, fmt.Errorf("no Gateway API release %s here: known are %s", out.GatewayAPI, strings.Join(gwapi, ", "))
	case !slices.Contains(GatewayAPIChannels, out.Channel):
		return v, fmt.Errorf("no Gateway API channel %q: use %s", out.Channel, strings.Join(GatewayAPIChannels, " or "))
	}
	return out, nil
}

// Overridden reports whether a resolved v differs from what its KubeLB
// release runs.
func (v CRDVersions) Overridden() bool {
	for _, r := range Releases() {
		if r.KubeLB == v.KubeLB {
			return r.DataPlane != v.DataPlane || r.GatewayAPI != v.GatewayAPI
		}
	}
	return true
}

// String says, of a resolved v, which releases judge, e.g. "KubeLB 1.5:
// agentgateway v1.3.1, Gateway API v1.5.1"; without the KubeLB release
// when a version was overridden, and with the channel when it is not the
// standard one.
func (v CRDVersions) String() string {
	if v.Project == "" {
		return ""
	}
	s := fmt.Sprintf("%s %s, Gateway API %s", v.Project, v.DataPlane, v.GatewayAPI)
	if v.Channel != GatewayAPIChannels[0] {
		s += " " + v.Channel
	}
	if v.Overridden() {
		return s
	}
	return "KubeLB " + v.KubeLB + ": " + s
}

func dataPlaneReleases() []string {
	var out []string
	for _, t := range targets {
		for _, r := range t.CRDs.Releases {
			out = append(out, t.CRDs.Project+" "+r)
		}
	}
	return out
}

// Pairings lists, resolved, the CRD sets a target's manifests meet: each
// KubeLB release's that runs it, then each of its data-plane releases no
// KubeLB release runs yet, with the newest Gateway API bundle.
func Pairings(target string) ([]CRDVersions, error) {
	t, err := LookupTarget(target)
	if err != nil {
		return nil, err
	}
	var asked []CRDVersions
	covered := map[string]bool{}
	for _, r := range Releases() {
		if r.Target == target {
			asked = append(asked, CRDVersions{KubeLB: r.KubeLB})
			covered[r.DataPlane] = true
		}
	}
	for _, dp := range t.CRDs.Releases {
		if !covered[dp] {
			asked = append(asked, CRDVersions{DataPlane: dp, GatewayAPI: gwapi[len(gwapi)-1]})
		}
	}
	out := make([]CRDVersions, len(asked))
	for i, a := range asked {
		if out[i], err = a.Resolve(target); err != nil {
			return nil, err
		}
	}
	return out, nil
}
