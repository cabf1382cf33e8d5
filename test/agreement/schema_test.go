package agreement

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"sigs.k8s.io/yaml"
)

// schemaSet maps each served kind to its OpenAPI schema. The corpus is
// generated from two of them, the upstream CRDs the API server runs and the
// CRDs kubelb-ai embeds, so constraints that exist in only one of them are
// exercised too.
type schemaSet struct {
	kinds map[schema.GroupVersionKind]*apiextensionsv1.JSONSchemaProps
	// cluster lists the cluster-scoped kinds.
	cluster map[schema.GroupKind]bool
}

func newSchemaSet() schemaSet {
	return schemaSet{kinds: map[schema.GroupVersionKind]*apiextensionsv1.JSONSchemaProps{}, cluster: map[schema.GroupKind]bool{}}
}

func (s schemaSet) addDocs(name string, data []byte) error {
	r := utilyaml.NewYAMLReader(bufio.NewReader(bytes.NewReader(data)))
	for {
		doc, err := r.Read()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		var c apiextensionsv1.CustomResourceDefinition
		if err := yaml.Unmarshal(doc, &c); err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		if c.Kind != "CustomResourceDefinition" {
			continue
		}
		for _, v := range c.Spec.Versions {
			if !v.Served || v.Schema == nil || v.Schema.OpenAPIV3Schema == nil {
				continue
			}
			s.kinds[schema.GroupVersionKind{Group: c.Spec.Group, Version: v.Name, Kind: c.Spec.Names.Kind}] = v.Schema.OpenAPIV3Schema
		}
		if c.Spec.Scope == apiextensionsv1.ClusterScoped {
			s.cluster[schema.GroupKind{Group: c.Spec.Group, Kind: c.Spec.Names.Kind}] = true
		}
	}
}

func (s schemaSet) addDir(dir string) error {
	files, err := crdFiles(dir)
	if err != nil {
		return err
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			return err
		}
		if err := s.addDocs(f, data); err != nil {
			return err
		}
	}
	return nil
}

// crdFiles lists the YAML files of dir in lexical order.
func crdFiles(dir string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, e := range entries {
		if ext := filepath.Ext(e.Name()); !e.IsDir() && (ext == ".yaml" || ext == ".yml") {
			out = append(out, filepath.Join(dir, e.Name()))
		}
	}
	sort.Strings(out)
	return out, nil
}

// versions returns the served versions of group/kind, sorted.
func (s schemaSet) versions(group, kind string) []string {
	var out []string
	for gvk := range s.kinds {
		if gvk.Group == group && gvk.Kind == kind {
			out = append(out, gvk.Version)
		}
	}
	sort.Strings(out)
	return out
}

// property returns the schema of a child of s: a declared property, or the
// additionalProperties schema of a map.
func property(s *apiextensionsv1.JSONSchemaProps, key string) *apiextensionsv1.JSONSchemaProps {
	if s == nil {
		return nil
	}
	if p, ok := s.Properties[key]; ok {
		return &p
	}
	if s.AdditionalProperties != nil && s.AdditionalProperties.Schema != nil {
		return s.AdditionalProperties.Schema
	}
	return nil
}

func items(s *apiextensionsv1.JSONSchemaProps) *apiextensionsv1.JSONSchemaProps {
	if s == nil || s.Items == nil {
		return nil
	}
	return s.Items.Schema
}

// closed reports whether unknown keys of an object with schema s are pruned
// (and so rejected under strict field validation).
func closed(s *apiextensionsv1.JSONSchemaProps) bool {
	if s == nil {
		return false
	}
	if s.XPreserveUnknownFields != nil && *s.XPreserveUnknownFields {
		return false
	}
	return s.AdditionalProperties == nil
}

func hasRules(s *apiextensionsv1.JSONSchemaProps) bool {
	return s != nil && len(s.XValidations) > 0
}

// ruleText summarises the CEL rules of s for a case description.
func ruleText(s *apiextensionsv1.JSONSchemaProps) string {
	var out []string
	for _, r := range s.XValidations {
		m := r.Message
		if m == "" {
			m = r.Rule
		}
		out = append(out, strings.Join(strings.Fields(m), " "))
	}
	return strings.Join(out, "; ")
}
