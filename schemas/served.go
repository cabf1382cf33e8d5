package schemas

import (
	"fmt"
	"path"
	"sort"
	"strings"

	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// CRD is one embedded CRD file and the kinds it serves, known from the
// generated index without reading the file: a short validate run needs only
// the few kinds its input uses.
type CRD struct {
	// Name identifies the file among all embedded CRDs, e.g.
	// "kgateway/v2.1.2/gateway.kgateway.dev_backends.yaml".
	Name string
	// Served are the group, kind and versions the CRD serves.
	Served []schema.GroupVersionKind
}

// indexEntry is one embedded CRD file in the index hack/compactcrds
// generates (index_generated.go), sorted by set, then file.
type indexEntry struct {
	set, file, group, kind string
	versions               []string
}

// Served returns the CRDs of an embedded set with what each serves, in
// file-name order. Tests hold the index against a full decode of every
// embedded file.
func Served(set string) ([]CRD, error) {
	i := sort.Search(len(index), func(i int) bool { return index[i].set >= set })
	var out []CRD
	for ; i < len(index) && index[i].set == set; i++ {
		e := index[i]
		gvks := make([]schema.GroupVersionKind, len(e.versions))
		for j, v := range e.versions {
			gvks[j] = schema.GroupVersionKind{Group: e.group, Version: v, Kind: e.kind}
		}
		out = append(out, CRD{Name: path.Join(e.set, e.file), Served: gvks})
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no embedded CRDs %s: embedded are %s", set, strings.Join(Sets(), ", "))
	}
	return out, nil
}

// YAML returns the CRD as shipped.
func (c CRD) YAML() ([]byte, error) {
	return crds.ReadFile(path.Join("crds", c.Name))
}

// Decode returns a new copy of the CRD, decoded from its compact form (the
// API server's protobuf encoding, generated from the YAML by `make
// generate`): a fraction of the cost of decoding the YAML, which for the
// largest CRDs was most of a short validate run. The caller owns the copy.
func (c CRD) Decode() (*apiextensionsv1.CustomResourceDefinition, error) {
	data, err := compact.ReadFile(compactName(c.Name))
	if err != nil {
		return nil, err
	}
	crd := &apiextensionsv1.CustomResourceDefinition{}
	if err := crd.Unmarshal(data); err != nil {
		return nil, fmt.Errorf("embedded CRD %s: %w", c.Name, err)
	}
	// The protobuf encoding leaves the type out; every embedded file has it.
	crd.APIVersion, crd.Kind = apiextensionsv1.SchemeGroupVersion.String(), "CustomResourceDefinition"
	return crd, nil
}

// compactName is the compact form's path of an embedded CRD's name.
func compactName(name string) string {
	return path.Join("compact", strings.TrimSuffix(name, ".yaml")+".pb")
}
