// Package schemas holds the CustomResourceDefinitions kubelb-ai validates
// against, embedded so validation works offline, one set per release: the
// data planes' CRDs, generated from the project's own API types (api/, via
// `make generate`), and the Gateway API's as shipped in its module.
//
// A set is named by its directory under crds: "agentgateway/v1.3.1",
// "kgateway/v2.1.2", "gateway-api/v1.5.1/standard". templates/targets.yaml
// says which sets each KubeLB release's cluster runs.
package schemas

import (
	"embed"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"sort"
	"strings"
	"sync"

	"k8s.io/apimachinery/pkg/runtime/schema"
)

// crds holds the CRDs as shipped (YAML), compact the same CRDs in the
// form validate decodes (see CRD.Decode); both are generated, and
// index_generated.go lists them.
var (
	//go:embed crds
	crds embed.FS
	//go:embed compact
	compact embed.FS
)

// GatewayAPISet names the embedded Gateway API bundle of version (e.g.
// v1.5.1) and channel (standard or experimental).
func GatewayAPISet(version, channel string) string {
	return path.Join("gateway-api", version, channel)
}

// DataPlaneSet names the embedded CRDs of a data plane's release, e.g.
// DataPlaneSet("agentgateway", "v1.3.1").
func DataPlaneSet(project, version string) string {
	return path.Join(project, version)
}

// InferenceExtensionSet names the embedded Gateway API Inference Extension
// CRDs of version (e.g. v1.5.0).
func InferenceExtensionSet(version string) string {
	return path.Join("inference-extension", version)
}

// Sets lists every embedded set, sorted.
func Sets() []string {
	var out []string
	for _, e := range index {
		if len(out) == 0 || out[len(out)-1] != e.set {
			out = append(out, e.set)
		}
	}
	return out
}

// CRDs returns the documents of an embedded set, in file-name order.
func CRDs(set string) ([][]byte, error) {
	_, docs, err := crdFiles(set)
	return docs, err
}

// crdFiles returns the names (set/file) and contents of a set's embedded
// CRDs, in file-name order.
func crdFiles(set string) ([]string, [][]byte, error) {
	dir := path.Join("crds", set)
	entries, err := fs.ReadDir(crds, dir)
	if err != nil || !fs.ValidPath(dir) {
		return nil, nil, fmt.Errorf("no embedded CRDs %s: embedded are %s", set, strings.Join(Sets(), ", "))
	}
	var names []string
	for _, e := range entries {
		if !e.IsDir() {
			names = append(names, e.Name())
		}
	}
	if len(names) == 0 {
		return nil, nil, fmt.Errorf("no embedded CRDs %s: embedded are %s", set, strings.Join(Sets(), ", "))
	}
	sort.Strings(names)
	out := make([][]byte, 0, len(names))
	for i, n := range names {
		data, err := crds.ReadFile(path.Join(dir, n))
		if err != nil {
			return nil, nil, err
		}
		out = append(out, data)
		names[i] = path.Join(set, n)
	}
	return names, out, nil
}

// Kinds lists the group/kind names of a set's CRDs without compiling
// them, for cheap "which target has this kind" questions.
func Kinds(set string) ([]schema.GroupKind, error) {
	kindsMu.Lock()
	defer kindsMu.Unlock()
	if k, ok := kindsCache[set]; ok {
		return slices.Clone(k), nil
	}
	k, err := kinds(set)
	if err == nil {
		kindsCache[set] = k
	}
	return slices.Clone(k), err
}

// Kinds is asked once per document of an unknown kind; decoding the CRDs
// each time made a run with many such documents several times slower.
var (
	kindsMu    sync.Mutex
	kindsCache = map[string][]schema.GroupKind{}
)

func kinds(set string) ([]schema.GroupKind, error) {
	crds, err := Served(set)
	if err != nil {
		return nil, err
	}
	var out []schema.GroupKind
	for _, c := range crds {
		out = append(out, c.Served[0].GroupKind())
	}
	return out, nil
}
