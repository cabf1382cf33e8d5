package schemas

import (
	"bufio"
	"bytes"
	"fmt"
	"strings"

	"k8s.io/apimachinery/pkg/runtime/schema"
)

// CRD is one embedded CRD file and the kinds it serves, read from its text
// without decoding it: decoding every embedded CRD is most of a short
// validate run, which needs only the few kinds its input uses.
type CRD struct {
	// Name identifies the file among all embedded CRDs, e.g.
	// "kgateway/v2.1.2/gateway.kgateway.dev_backends.yaml".
	Name string
	// Served are the group, kind and versions the CRD serves.
	Served []schema.GroupVersionKind
	// Data is the CRD's YAML.
	Data []byte
}

// Served returns the CRDs of an embedded set with what each serves, in
// file-name order. A test holds the text scan against a full decode of
// every embedded file.
func Served(set string) ([]CRD, error) {
	names, docs, err := crdFiles(set)
	if err != nil {
		return nil, err
	}
	out := make([]CRD, 0, len(docs))
	for i, d := range docs {
		gvks, err := scanServed(d)
		if err != nil {
			return nil, fmt.Errorf("embedded CRD %s: %w", names[i], err)
		}
		out = append(out, CRD{Name: names[i], Served: gvks, Data: d})
	}
	return out, nil
}

// scanServed reads spec.group, spec.names.kind and the served versions from
// a CRD in the block layout controller-gen and the Gateway API write:
// two-space indents, version entries as "  - " items under "  versions:"
// with "    name:" and "    served:" keys.
func scanServed(data []byte) ([]schema.GroupVersionKind, error) {
	var group, kind, section, version string
	var served []string
	inSpec, inNames := false, false
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		switch {
		case line == "spec:":
			inSpec = true
			continue
		case !inSpec || line == "" || strings.HasPrefix(line, "#"):
			continue
		case !strings.HasPrefix(line, " "):
			inSpec = false // status: and the like
			continue
		}
		if !strings.HasPrefix(line, "   ") && !strings.HasPrefix(line, "  - ") {
			key, value, _ := strings.Cut(strings.TrimSpace(line), ":")
			section, inNames = key, key == "names"
			if key == "group" {
				group = strings.TrimSpace(value)
			}
			continue
		}
		switch {
		case inNames && strings.HasPrefix(line, "    kind:"):
			kind = strings.TrimSpace(strings.TrimPrefix(line, "    kind:"))
		case section == "versions" && strings.HasPrefix(line, "  - "):
			version = ""
			if v, ok := strings.CutPrefix(line, "  - name:"); ok {
				version = strings.TrimSpace(v)
			}
		case section == "versions" && strings.HasPrefix(line, "    name:"):
			version = strings.TrimSpace(strings.TrimPrefix(line, "    name:"))
		case section == "versions" && line == "    served: true":
			if version == "" {
				return nil, fmt.Errorf("served: true before the version's name")
			}
			served = append(served, version)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	if group == "" || kind == "" || len(served) == 0 {
		return nil, fmt.Errorf("no spec.group, spec.names.kind or served version found (group %q, kind %q, %d versions)", group, kind, len(served))
	}
	out := make([]schema.GroupVersionKind, len(served))
	for i, v := range served {
		out[i] = schema.GroupVersionKind{Group: group, Version: v, Kind: kind}
	}
	return out, nil
}
