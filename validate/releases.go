package validate

import (
	"fmt"
	"slices"
	"strings"
	"sync"

	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/kubelb-ai/kubelb-ai/schemas"
	"github.com/kubelb-ai/kubelb-ai/templates"
	"github.com/kubelb-ai/kubelb-ai/validate/crd"
)

// fieldOfOtherRelease explains a field this run's CRDs refuse as unknown
// but another release of the same CRDs declares: spec.a2a is new in
// agentgateway v1.3.1, so on KubeLB 1.4 it is an error whose fix names the
// release, not a typo. Only asked on the error path.
func (v *Validator) fieldOfOtherRelease(gvk schema.GroupVersionKind, obj map[string]any, path string) string {
	var has []string // "agentgateway v1.3.1 (--data-plane-version v1.3.1)"
	for _, o := range v.otherReleases(gvk) {
		set, err := cachedSet(o.set)
		if err != nil {
			continue
		}
		if unknown, served := set.UnknownFields(obj); served && !slices.Contains(unknown, path) {
			has = append(has, o.name+" ("+o.flag+")")
		}
	}
	if len(has) == 0 {
		return ""
	}
	return fmt.Sprintf("%s is a field of %s: if the cluster runs that release, validate with its flag; else remove it", path, strings.Join(has, ", "))
}

type otherRelease struct{ name, flag, set string }

// otherReleases lists, newest first, the embedded releases that could
// declare gvk's fields differently: the data plane's other releases for its
// own kinds, the other Gateway API bundles for the Gateway API's.
func (v *Validator) otherReleases(gvk schema.GroupVersionKind) []otherRelease {
	c := v.versions
	var out []otherRelease
	gw := schemas.GatewayAPISet(c.GatewayAPI, c.Channel)
	if strings.HasPrefix(gvk.Group, "gateway.networking.") {
		dp := schemas.DataPlaneSet(c.Project, c.DataPlane)
		for _, ver := range slices.Backward(templates.GatewayAPIVersions()) {
			for _, ch := range templates.GatewayAPIChannels {
				if ver == c.GatewayAPI && ch == c.Channel {
					continue
				}
				flag := "--gateway-api-version " + ver
				if ver == c.GatewayAPI {
					flag = "--gateway-api-channel " + ch
				} else if ch != templates.GatewayAPIChannels[0] {
					flag += " --gateway-api-channel " + ch
				}
				name := "Gateway API " + ver
				if ch != templates.GatewayAPIChannels[0] {
					name += " " + ch
				}
				out = append(out, otherRelease{name, flag, schemas.GatewayAPISet(ver, ch) + "+" + dp})
			}
		}
		return out
	}
	for _, r := range slices.Backward(v.target.CRDs.Releases) {
		if r == c.DataPlane {
			continue
		}
		flag := "--data-plane-version " + r
		for _, k := range templates.Releases() {
			if k.Target == v.target.Name && k.DataPlane == r {
				flag = "--kubelb-version " + k.KubeLB
			}
		}
		out = append(out, otherRelease{c.Project + " " + r, flag, gw + "+" + schemas.DataPlaneSet(c.Project, r)})
	}
	return out
}

// cachedSet compiles the embedded sets joined by "+" once per process.
func cachedSet(name string) (*crd.Set, error) {
	otherSets.Lock()
	defer otherSets.Unlock()
	if s, ok := otherSets.m[name]; ok {
		return s, nil
	}
	s, err := embeddedSet(strings.Split(name, "+")...)
	if err == nil {
		otherSets.m[name] = s
	}
	return s, err
}

var otherSets = struct {
	sync.Mutex
	m map[string]*crd.Set
}{m: map[string]*crd.Set{}}
