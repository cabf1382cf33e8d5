package schemas

import (
	"io/fs"
	"path"
	"reflect"
	"slices"
	"strings"
	"testing"

	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"sigs.k8s.io/yaml"
)

// The generated index and compact forms are current: the index lists every
// embedded YAML file (and nothing else) with exactly the group, kind and
// served versions a full decode finds, and each compact form decodes to
// the very CRD the YAML does. `make generate` refreshes them.
func TestIndexAndCompactMatchYAML(t *testing.T) {
	var files []string
	if err := fs.WalkDir(crds, "crds", func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(p, ".yaml") {
			files = append(files, strings.TrimPrefix(p, "crds/"))
		}
		return err
	}); err != nil {
		t.Fatal(err)
	}
	var listed []string
	for _, set := range Sets() {
		crds, err := Served(set)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range crds {
			listed = append(listed, c.Name)
			data, err := c.YAML()
			if err != nil {
				t.Fatal(err)
			}
			var want apiextensionsv1.CustomResourceDefinition
			if err := yaml.Unmarshal(data, &want); err != nil {
				t.Fatal(err)
			}
			var served []schema.GroupVersionKind
			for _, v := range want.Spec.Versions {
				if v.Served {
					served = append(served, schema.GroupVersionKind{Group: want.Spec.Group, Version: v.Name, Kind: want.Spec.Names.Kind})
				}
			}
			if !slices.Equal(c.Served, served) {
				t.Errorf("%s: index %v, decoded %v (run make generate)", c.Name, c.Served, served)
			}
			got, err := c.Decode()
			if err != nil {
				t.Fatalf("%s: %v", c.Name, err)
			}
			if !reflect.DeepEqual(got, &want) {
				t.Errorf("%s: the compact form decodes to another CRD than the YAML (run make generate)", c.Name)
			}
		}
	}
	slices.Sort(files)
	slices.Sort(listed)
	if !slices.Equal(files, listed) {
		t.Errorf("embedded YAML files:\n  %s\nindexed:\n  %s\n(run make generate)", strings.Join(files, "\n  "), strings.Join(listed, "\n  "))
	}
	if len(listed) < 20 {
		t.Fatalf("only %d embedded CRDs", len(listed))
	}
	// Nothing compact without its YAML.
	_ = fs.WalkDir(compact, "compact", func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			name := strings.TrimSuffix(strings.TrimPrefix(p, "compact/"), ".pb") + ".yaml"
			if !slices.Contains(files, name) || compactName(name) != p || path.Ext(p) != ".pb" {
				t.Errorf("%s: no such embedded CRD", p)
			}
		}
		return err
	})
}

// Served keeps file-name order within a set and names unknown sets.
func TestServedOrderAndUnknownSet(t *testing.T) {
	for _, set := range Sets() {
		crds, err := Served(set)
		if err != nil {
			t.Fatal(err)
		}
		docs, err := CRDs(set)
		if err != nil {
			t.Fatal(err)
		}
		if len(crds) != len(docs) {
			t.Fatalf("%s: %d indexed, %d files", set, len(crds), len(docs))
		}
		for i, c := range crds {
			data, _ := c.YAML()
			if string(data) != string(docs[i]) {
				t.Errorf("%s: entry %d is %s, not CRDs' %d-th file", set, i, c.Name, i)
			}
		}
	}
	for _, set := range []string{"kgateway", "nope/v1", "kgateway/v2.1.2/../v2.0.5", ""} {
		if _, err := Served(set); err == nil || !strings.Contains(err.Error(), "no embedded CRDs") {
			t.Errorf("Served(%q): %v", set, err)
		}
	}
}
