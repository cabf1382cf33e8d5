// Package schemas holds the CustomResourceDefinitions kubelb-ai generates
// from its own API types (api/, via `make generate`), embedded so validation
// works offline and without the upstream charts.
package schemas

import (
	"embed"
	"fmt"
	"io/fs"
	"path"
	"sort"

	"github.com/kubelb-ai/kubelb-ai/templates"
)

//go:embed crds
var crds embed.FS

// CRDs returns the embedded CRD documents of target, in file-name order.
func CRDs(target string) ([][]byte, error) {
	if _, err := templates.LookupTarget(target); err != nil {
		return nil, err
	}
	dir := path.Join("crds", target)
	entries, err := fs.ReadDir(crds, dir)
	if err != nil {
		return nil, fmt.Errorf("no embedded CRDs for target %s: %w", target, err)
	}
	names := make([]string, 0, len(entries))
	for _, e := range entries {
		names = append(names, e.Name())
	}
	sort.Strings(names)
	out := make([][]byte, 0, len(names))
	for _, n := range names {
		data, err := crds.ReadFile(path.Join(dir, n))
		if err != nil {
			return nil, err
		}
		out = append(out, data)
	}
	return out, nil
}
