package dataplane

import (
	"slices"
	"strings"

	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"

	"github.com/kubelb-ai/kubelb-ai/internal/objpath"
	"github.com/kubelb-ai/kubelb-ai/schemas"
	"github.com/kubelb-ai/kubelb-ai/templates"
)

// Facts of each adapter: its entry of targets.yaml.
func (kgateway20) Facts() templates.Target   { return mustTarget(templates.KgatewayV20) }
func (kgateway21) Facts() templates.Target   { return mustTarget(templates.KgatewayV21) }
func (agentgateway) Facts() templates.Target { return mustTarget(templates.Agentgateway) }

func mustTarget(name string) templates.Target {
	t, err := templates.LookupTarget(name)
	if err != nil {
		panic(err) // the registry and targets.yaml are tested to agree
	}
	return t
}

// groupOf returns the API group of an apiVersion ("" for the core group).
func groupOf(apiVersion string) string {
	g, _, found := strings.Cut(apiVersion, "/")
	if !found {
		return ""
	}
	return g
}

// claims is how surely one manifest object names target t, by its
// detection markers: an object of a group the target owns, or a backend
// with a field only this release has, surely; another object of the
// target's group as one of its family.
func claims(t templates.Target, apiVersion, kind string, obj map[string]any) claim {
	if groupOf(apiVersion) != t.API.Group {
		return claimNone
	}
	if t.Detect.OwnsGroup {
		return claimRelease
	}
	if kind == t.API.Backend && slices.ContainsFunc(t.Detect.BackendFields, func(path string) bool { return has(obj, path) }) {
		return claimRelease
	}
	return claimFamily
}

// has reports whether obj has the field at a dotted path.
func has(obj map[string]any, path string) bool {
	keys := strings.Split(path, ".")
	m, ok := objpath.Get(obj, keys[:len(keys)-1]...).(map[string]any)
	if !ok {
		return false
	}
	_, ok = m[keys[len(keys)-1]]
	return ok
}

// Detect names the target manifests were written for (by the targets'
// detection markers in targets.yaml): of the targets an
// object claims by a release's own shape, the newest data plane; else the
// newest release of a family an object belongs to; else the default.
// (agentgateway's objects are its alone; kgateway v2.0 is told from v2.1
// by its Backend's shape.)
func Detect(objs []map[string]any) string {
	best, bestClaim := -1, claimNone
	for _, o := range objs {
		av, _ := o["apiVersion"].(string)
		kind, _ := o["kind"].(string)
		for i, a := range adapters {
			if c := claims(a.Facts(), av, kind, o); c > bestClaim || (c == bestClaim && c != claimNone && i > best) {
				best, bestClaim = i, c
			}
		}
	}
	if best < 0 {
		return Default().Facts().Name
	}
	return adapters[best].Facts().Name
}

// FromCRDs names the target whose CRDs crds (a cluster's) include, the
// newest data plane when several are installed; ok is false when none is.
func FromCRDs(crds []apiextensionsv1.CustomResourceDefinition) (target string, ok bool) {
	best := -1
	for _, c := range crds {
		for i, a := range adapters {
			if i > best && installedIn(a.Facts(), c) {
				best = i
			}
		}
	}
	if best < 0 {
		return "", false
	}
	return adapters[best].Facts().Name, true
}

// Installed reports whether crds (a cluster's) include what target's
// manifests need: its backend CRD, of the target's release. A cluster in
// the middle of a migration may have several data planes.
func Installed(crds []apiextensionsv1.CustomResourceDefinition, target string) bool {
	a, err := Lookup(target)
	if err != nil {
		return false
	}
	for _, c := range crds {
		if installedIn(a.Facts(), c) {
			return true
		}
	}
	return false
}

// BackendCRDs are the names of the CRDs FromCRDs and Installed look at
// (each target's backend kind), much less than every CRD of a cluster.
func BackendCRDs() []string {
	var out []string
	for _, a := range adapters {
		t := a.Facts()
		name := strings.ToLower(t.API.Backend) + "s." + t.API.Group
		if len(out) == 0 || out[len(out)-1] != name {
			out = append(out, name)
		}
	}
	return out
}

// installedIn reports whether CRD c is target t's: any CRD of a group it
// owns, else its backend CRD with the schema fields of its release.
func installedIn(t templates.Target, c apiextensionsv1.CustomResourceDefinition) bool {
	if c.Spec.Group != t.API.Group {
		return false
	}
	if t.Detect.OwnsGroup {
		return true
	}
	if c.Spec.Names.Kind != t.API.Backend {
		return false
	}
	for _, v := range c.Spec.Versions {
		if v.Schema == nil || v.Schema.OpenAPIV3Schema == nil {
			continue
		}
		s := v.Schema.OpenAPIV3Schema
		return !slices.ContainsFunc(t.Detect.CRDHas, func(p string) bool { return !schemaHas(s, p) }) &&
			!slices.ContainsFunc(t.Detect.CRDLacks, func(p string) bool { return schemaHas(s, p) })
	}
	return false
}

// schemaHas reports whether schema s has the property at a dotted path.
func schemaHas(s *apiextensionsv1.JSONSchemaProps, path string) bool {
	for _, k := range strings.Split(path, ".") {
		p, ok := s.Properties[k]
		if !ok {
			return false
		}
		s = &p
	}
	return true
}

// MinRelease is the oldest release of target's data plane whose CRDs have
// every kind of its group that objs use (AgentgatewayModel needs
// agentgateway v1.4.1), or "" when no release has them all.
func MinRelease(target string, objs []map[string]any) string {
	a, err := Lookup(target)
	if err != nil {
		return ""
	}
	t := a.Facts()
	used := map[string]bool{}
	for _, o := range objs {
		av, _ := o["apiVersion"].(string)
		kind, _ := o["kind"].(string)
		if groupOf(av) == t.API.Group {
			used[kind] = true
		}
	}
	for _, r := range t.CRDs.Releases {
		kinds, err := schemas.Kinds(schemas.DataPlaneSet(t.CRDs.Project, r))
		if err != nil {
			continue
		}
		has := map[string]bool{}
		for _, gk := range kinds {
			has[gk.Kind] = true
		}
		all := true
		for k := range used {
			all = all && has[k]
		}
		if all {
			return r
		}
	}
	return ""
}
