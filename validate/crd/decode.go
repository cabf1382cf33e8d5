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
	"strconv"
	"strings"

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
//
// The apiserver goes through JSON (YAML to JSON with sigs.k8s.io/yaml, then
// sigs.k8s.io/json); DecodeYAML converts yaml.v2's result directly to the
// same objects and errors (see converter), in one YAML pass unless the
// document repeats a key.
func DecodeYAML(doc []byte) (map[string]any, field.ErrorList) {
	if reference.Load() {
		return decodeViaJSON(doc)
	}
	var y any
	strictErr := yamlv2.UnmarshalStrict(doc, &y)
	if strictErr != nil {
		// Any error but the repeated keys' TypeError (syntax, bad aliases)
		// is where lenient decoding fails too, in the same words: strict
		// decoding differs only in checking keys. It is then the only
		// error reported, as by the apiserver. Except "invalid map key",
		// which prints the key as decoded: a mapping whose own keys repeat
		// keeps its first value strictly, its last leniently.
		var te *yamlv2.TypeError
		if !errors.As(strictErr, &te) && !strings.HasPrefix(strictErr.Error(), "yaml: invalid map key:") {
			return nil, field.ErrorList{decodeError(nil, strictErr.Error())}
		}
		// Strict decoding keeps the first of repeated keys; the object
		// comes from lenient decoding, where the last one wins.
		y = nil
		if err := yamlv2.Unmarshal(doc, &y); err != nil {
			return nil, field.ErrorList{decodeError(nil, err.Error())}
		}
	}
	c := converter{}
	v := c.value(y, 1)
	if c.collided && c.err == nil && !c.nonFinite && !c.fallback {
		c = converter{ordered: true}
		v = c.value(y, 1)
	}
	if c.fallback {
		directFallbacks.Add(1)
		return decodeViaJSON(doc)
	}
	// Conversion and marshalling errors end the lenient YAML-to-JSON step,
	// so the strict step's finding is not reported with them.
	if c.err != nil {
		return nil, field.ErrorList{decodeError(nil, c.err.Error())}
	}
	if c.nonFinite {
		if err := marshalError(y); err != nil {
			return nil, field.ErrorList{decodeError(nil, err.Error())}
		}
	}
	var errs field.ErrorList
	if strictErr != nil {
		e := field.Invalid(nil, field.OmitValueType{}, strictErr.Error())
		e.Origin = OriginDuplicateField
		errs = append(errs, e)
	}
	obj, ok := v.(map[string]any)
	if !ok {
		if v == nil {
			return nil, errs
		}
		return nil, append(errs, decodeError(nil, topLevelError(v).Error()))
	}
	for _, p := range c.dups {
		errs = append(errs, duplicateFieldError(p))
	}
	return obj, errs
}

// duplicateFieldError is the finding for sigs.k8s.io/json's strict error
// "duplicate field" at path p.
func duplicateFieldError(p string) *field.Error {
	return &field.Error{Type: field.ErrorTypeInvalid, Field: p, BadValue: field.OmitValueType{}, Detail: "duplicate field " + strconv.Quote(p), Origin: OriginDuplicateField}
}

// decodeViaJSON is the apiserver's own route, through JSON, for the
// documents DecodeYAML's converter does not reproduce (see
// directFallbacks). The strict conversion's result is the lenient one
// when it succeeds, so the lenient one runs only when it fails.
func decodeViaJSON(doc []byte) (map[string]any, field.ErrorList) {
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
