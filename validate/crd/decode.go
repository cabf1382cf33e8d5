package crd

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"unicode/utf8"

	yamlv2 "go.yaml.in/yaml/v2"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	"k8s.io/apimachinery/pkg/util/validation/field"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	kjson "sigs.k8s.io/json"
	"sigs.k8s.io/yaml"
)

// DecodeYAML decodes one YAML or JSON document the way the apiserver's
// strict YAML serializer does: numbers without a fraction become int64 (CEL
// needs them), and duplicate keys are reported while the last value wins.
// A nil map with errors means the document could not be decoded at all; a
// nil map without errors means the document was empty.
func DecodeYAML(doc []byte) (map[string]any, field.ErrorList) {
	// Most manifests hold only strings, integers, booleans and nulls under
	// string keys; for those the YAML decoder's result converts directly,
	// without the JSON round trip below, which then changes nothing.
	var y any
	if yamlv2.UnmarshalStrict(doc, &y) == nil {
		if m, ok := y.(map[any]any); ok {
			if obj, ok := plainObject(m); ok {
				return obj, nil
			}
		}
	}

	// The apiserver converts twice: the lenient pass gives the object, the
	// strict one only detects duplicate keys. Where the strict pass succeeds
	// its result is the lenient one (strict decoding only adds the duplicate
	// check), so the lenient pass is needed only when it fails.
	var errs field.ErrorList
	data, err := yaml.YAMLToJSONStrict(doc)
	if err != nil {
		strictErr := err
		if data, err = yaml.YAMLToJSON(doc); err != nil {
			return nil, field.ErrorList{decodeError(nil, err.Error())}
		}
		e := field.Invalid(nil, field.OmitValueType{}, strictErr.Error())
		e.Origin = OriginDuplicateField
		errs = append(errs, e)
	}
	var obj map[string]any
	strictErrs, err := kjson.UnmarshalStrict(data, &obj)
	if err != nil {
		return nil, append(errs, decodeError(nil, err.Error()))
	}
	for _, se := range strictErrs {
		p := "<nil>"
		var fe kjson.FieldError
		if errors.As(se, &fe) {
			p = fe.FieldPath()
		}
		errs = append(errs, &field.Error{Type: field.ErrorTypeInvalid, Field: p, BadValue: field.OmitValueType{}, Detail: se.Error(), Origin: OriginDuplicateField})
	}
	return obj, errs
}

// plainObject converts a decoded YAML mapping whose keys are strings and
// whose values are valid UTF-8 strings, integers that fit int64, booleans,
// nulls, lists and such mappings; ok is false for anything else (floats,
// other keys, binary...), which takes the JSON round trip.
func plainObject(m map[any]any) (map[string]any, bool) {
	out := make(map[string]any, len(m))
	for k, v := range m {
		key, ok := k.(string)
		if !ok || !utf8.ValidString(key) {
			return nil, false
		}
		if out[key], ok = plainValue(v); !ok {
			return nil, false
		}
	}
	return out, true
}

func plainValue(v any) (any, bool) {
	switch t := v.(type) {
	case nil, bool:
		return t, true
	case string:
		return t, utf8.ValidString(t)
	case int:
		return int64(t), true
	case int64:
		return t, true
	case map[any]any:
		return plainObject(t)
	case []any:
		out := make([]any, len(t))
		for i, x := range t {
			var ok bool
			if out[i], ok = plainValue(x); !ok {
				return nil, false
			}
		}
		return out, true
	}
	return nil, false
}

// ValidateYAML decodes doc with DecodeYAML and validates the result. Decoding
// findings come first. An empty document is reported as missing its kind,
// as the apiserver would.
func (s *Set) ValidateYAML(ctx context.Context, doc []byte) field.ErrorList {
	obj, errs := DecodeYAML(doc)
	if obj == nil && len(errs) > 0 {
		return errs
	}
	return append(errs, s.Validate(ctx, obj)...)
}

// AddFiles adds every CustomResourceDefinition found in the given files and
// directories (directories are read non-recursively, *.yaml and *.yml only).
// Files may hold several documents; documents that are not
// apiextensions.k8s.io/v1 CRDs (policies, namespaces, ...) are ignored, since
// CRD bundles commonly ship them alongside.
func (s *Set) AddFiles(paths ...string) error {
	for _, p := range paths {
		files, err := expand(p)
		if err != nil {
			return err
		}
		for _, f := range files {
			if err := s.addFile(f); err != nil {
				return err
			}
		}
	}
	return nil
}

func expand(p string) ([]string, error) {
	st, err := os.Stat(p)
	if err != nil {
		return nil, err
	}
	if !st.IsDir() {
		return []string{p}, nil
	}
	entries, err := os.ReadDir(p)
	if err != nil {
		return nil, err
	}
	var files []string
	for _, e := range entries {
		ext := strings.ToLower(filepath.Ext(e.Name()))
		if e.IsDir() || (ext != ".yaml" && ext != ".yml") {
			continue
		}
		files = append(files, filepath.Join(p, e.Name()))
	}
	sort.Strings(files)
	return files, nil
}

func (s *Set) addFile(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	r := utilyaml.NewYAMLReader(bufio.NewReader(f))
	for i := 0; ; i++ {
		doc, err := r.Read()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		if len(bytes.TrimSpace(doc)) == 0 {
			continue
		}
		var tm struct {
			APIVersion string `json:"apiVersion"`
			Kind       string `json:"kind"`
		}
		if err := yaml.Unmarshal(doc, &tm); err != nil {
			return fmt.Errorf("%s: document %d: %w", path, i+1, err)
		}
		if tm.Kind != "CustomResourceDefinition" || !strings.HasPrefix(tm.APIVersion, apiextensionsv1.GroupName+"/") {
			continue
		}
		if tm.APIVersion != apiextensionsv1.SchemeGroupVersion.String() {
			return fmt.Errorf("%s: document %d: unsupported CRD apiVersion %q (want %s)", path, i+1, tm.APIVersion, apiextensionsv1.SchemeGroupVersion)
		}
		crd := &apiextensionsv1.CustomResourceDefinition{}
		if err := yaml.Unmarshal(doc, crd); err != nil {
			return fmt.Errorf("%s: document %d: %w", path, i+1, err)
		}
		if err := s.AddCRD(crd); err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
	}
}

// deepCopyJSON copies a JSON-shaped value so validation can prune and
// default without touching the caller's object. Go integer types are
// widened to int64, the only integer type the apiserver's decoders produce.
func deepCopyJSON(x any) (map[string]any, error) {
	c, err := copyValue(x)
	if err != nil {
		return nil, err
	}
	m, _ := c.(map[string]any)
	return m, nil
}

func copyValue(x any) (any, error) {
	switch x := x.(type) {
	case map[string]any:
		if x == nil {
			return map[string]any(nil), nil
		}
		out := make(map[string]any, len(x))
		for k, v := range x {
			c, err := copyValue(v)
			if err != nil {
				return nil, err
			}
			out[k] = c
		}
		return out, nil
	case []any:
		if x == nil {
			return []any(nil), nil
		}
		out := make([]any, len(x))
		for i, v := range x {
			c, err := copyValue(v)
			if err != nil {
				return nil, err
			}
			out[i] = c
		}
		return out, nil
	case string, int64, float64, bool, nil:
		return x, nil
	case int:
		return int64(x), nil
	case int32:
		return int64(x), nil
	case float32:
		return float64(x), nil
	default:
		return nil, fmt.Errorf("cannot validate value of type %T: only JSON types are supported", x)
	}
}
