// Package schemas holds the CustomResourceDefinitions kubelb-ai validates
// against, embedded so validation works offline: those generated from the
// project's own API types (api/, via `make generate`) and the Gateway API's.
package schemas

import (
	"embed"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"sort"
	"sync"

	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/kubelb-ai/kubelb-ai/templates"
)

//go:embed crds
var crds embed.FS

// GatewayAPI names the embedded Gateway API CRDs, copied from the
// sigs.k8s.io/gateway-api module version in go.mod by `make generate`.
const GatewayAPI = "gateway-api"

// CRDs returns the embedded CRD documents of target (or GatewayAPI), in
// file-name order.
func CRDs(target string) ([][]byte, error) {
	_, docs, err := crdFiles(target)
	return docs, err
}

// crdFiles returns the names (target/file) and contents of target's
// embedded CRDs, in file-name order.
func crdFiles(target string) ([]string, [][]byte, error) {
	if _, err := templates.LookupTarget(target); err != nil && target != GatewayAPI {
		return nil, nil, err
	}
	dir := path.Join("crds", target)
	entries, err := fs.ReadDir(crds, dir)
	if err != nil {
		return nil, nil, fmt.Errorf("no embedded CRDs for target %s: %w", target, err)
	}
	names := make([]string, 0, len(entries))
	for _, e := range entries {
		names = append(names, e.Name())
	}
	sort.Strings(names)
	out := make([][]byte, 0, len(names))
	for i, n := range names {
		data, err := crds.ReadFile(path.Join(dir, n))
		if err != nil {
			return nil, nil, err
		}
		out = append(out, data)
		names[i] = path.Join(target, n)
	}
	return names, out, nil
}

// Kinds lists the group/kind names of target's embedded CRDs without
// compiling them, for cheap "which target has this kind" questions.
func Kinds(target string) ([]schema.GroupKind, error) {
	kindsMu.Lock()
	defer kindsMu.Unlock()
	if k, ok := kindsCache[target]; ok {
		return slices.Clone(k), nil
	}
	k, err := kinds(target)
	if err == nil {
		kindsCache[target] = k
	}
	return slices.Clone(k), err
}

// Kinds is asked once per document of an unknown kind; decoding the CRDs
// each time made a run with many such documents several times slower.
var (
	kindsMu    sync.Mutex
	kindsCache = map[string][]schema.GroupKind{}
)

func kinds(target string) ([]schema.GroupKind, error) {
	crds, err := Served(target)
	if err != nil {
		return nil, err
	}
	var out []schema.GroupKind
	for _, c := range crds {
		out = append(out, c.Served[0].GroupKind())
	}
	return out, nil
}
