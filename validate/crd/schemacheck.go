package crd

import (
	"fmt"
	"math"
	"regexp"
	"sync/atomic"
	"unicode/utf8"

	structuralschema "k8s.io/apiextensions-apiserver/pkg/apiserver/schema"
	apiservervalidation "k8s.io/apiextensions-apiserver/pkg/apiserver/validation"
	"k8s.io/apimachinery/pkg/util/validation/field"
	"k8s.io/apiserver/pkg/cel/environment"
	"k8s.io/kube-openapi/pkg/validation/spec"
	"k8s.io/kube-openapi/pkg/validation/strfmt"
)

// The apiserver's OpenAPI schema validator (go-openapi's walker) builds a
// validator per schema node and per value, and is a fifth of the cost of
// validating a valid document. schemaCheck decides the same question, "does
// the walker find anything?", from a tree compiled once per kind. When it
// is sure the answer is no, the walker is skipped; otherwise the walker
// runs and its findings are reported, so findings are always the walker's
// own, byte for byte. The check is therefore only required to be sound:
// it may send a valid document to the walker, never an invalid one past it.

// upstreamSchemaPass runs the walker on every document (tests compare).
var upstreamSchemaPass atomic.Bool

// validateSchema is apiservervalidation.ValidateCustomResource(nil, u,
// v.validator), skipped when the compiled check proves u valid.
func (v *version) validateSchema(u map[string]any) field.ErrorList {
	if !upstreamSchemaPass.Load() {
		if c := v.schemaCheck(); c.root != nil && c.root.check(u) == checkOK {
			return nil
		}
	}
	return apiservervalidation.ValidateCustomResource(nil, u, v.validator)
}

// schemaCheck returns the version's compiled check, compiling it on first
// use; its root is nil when the schema uses something it does not model.
func (v *version) schemaCheck() *compiledCheck {
	v.checkOnce.Do(func() {
		root, err := compileCheck(v.structural)
		v.check = &compiledCheck{root: root, err: err}
	})
	return v.check
}

type compiledCheck struct {
	root *checkNode
	// err says why the schema is left to the walker.
	err error
}

// checkResult is what the check knows about a value: valid, surely
// invalid (the walker will report something), or not known. Only bad
// needs certainty, because oneOf and not turn it into a pass.
type checkResult uint8

const (
	checkOK checkResult = iota
	checkUnsure
	checkBad
)

// and combines the results of checks that must all pass.
func and(a, b checkResult) checkResult { return max(a, b) }

// checkNode is one schema node (or one allOf/anyOf/oneOf/not branch) with
// the walker's validations that apply to it, in the form the walker sees
// them: after the apiserver's conversion to OpenAPI (int-or-string is the
// type list [integer, string]) and its stripping of unsupported formats.
type checkNode struct {
	typ         string // "" when untyped
	intOrString bool
	nullable    bool
	// format is the format after stripping; the string check only applies
	// formats strfmt knows, as the walker does.
	format    string
	strFormat bool

	enum                  []any
	maxLength, minLength  *int64
	pattern               *regexp.Regexp
	badPattern            bool
	maxItems, minItems    *int64
	maxProps, minProps    *int64
	maximum, minimum      *float64
	exclusiveMax, exclMin bool
	multipleOf, badBound  bool

	required   []string
	properties map[string]*checkNode
	additional *checkNode
	items      *checkNode

	allOf, anyOf, oneOf []*checkNode
	not                 *checkNode
}

var stripFormat = apiservervalidation.StripUnsupportedFormatsPostProcessorForVersion(environment.DefaultCompatibilityVersion())

func compileCheck(s *structuralschema.Structural) (*checkNode, error) {
	if s == nil {
		return nil, fmt.Errorf("no schema")
	}
	n := &checkNode{typ: s.Type, intOrString: s.XIntOrString, nullable: s.Nullable}
	types := []string(nil)
	switch {
	case s.XIntOrString:
		n.typ = ""
		types = []string{"integer", "string"}
	case s.Type != "":
		types = []string{s.Type}
	}
	if err := n.compileValidation(s.ValueValidation, types); err != nil {
		return nil, err
	}
	var err error
	if s.Items != nil {
		if n.items, err = compileCheck(s.Items); err != nil {
			return nil, err
		}
	}
	if len(s.Properties) > 0 {
		n.properties = make(map[string]*checkNode, len(s.Properties))
		for k, p := range s.Properties {
			if n.properties[k], err = compileCheck(&p); err != nil {
				return nil, err
			}
		}
	}
	if ap := s.AdditionalProperties; ap != nil {
		switch {
		case ap.Structural != nil:
			if n.additional, err = compileCheck(ap.Structural); err != nil {
				return nil, err
			}
		case !ap.Bool:
			return nil, fmt.Errorf("additionalProperties: false")
		}
	}
	return n, nil
}

func compileNested(v *structuralschema.NestedValueValidation) (*checkNode, error) {
	n := &checkNode{}
	if err := n.compileValidation(&v.ValueValidation, nil); err != nil {
		return nil, err
	}
	var err error
	if v.Items != nil {
		if n.items, err = compileNested(v.Items); err != nil {
			return nil, err
		}
	}
	if len(v.Properties) > 0 {
		n.properties = make(map[string]*checkNode, len(v.Properties))
		for k, p := range v.Properties {
			if n.properties[k], err = compileNested(&p); err != nil {
				return nil, err
			}
		}
	}
	if v.AdditionalProperties != nil {
		if n.additional, err = compileNested(v.AdditionalProperties); err != nil {
			return nil, err
		}
	}
	return n, nil
}

func (n *checkNode) compileValidation(vv *structuralschema.ValueValidation, types []string) error {
	if vv == nil {
		return nil
	}
	if vv.UniqueItems {
		return fmt.Errorf("uniqueItems")
	}
	// multipleOf is left to the walker, value by value: no embedded CRD
	// uses it, and the walker's float arithmetic is hard to mirror.
	n.multipleOf = vv.MultipleOf != nil
	if vv.Format != "" {
		// The same stripping as the apiserver's conversion.
		s := &spec.Schema{SchemaProps: spec.SchemaProps{Type: types, Format: vv.Format}}
		if err := stripFormat(s); err != nil {
			return err
		}
		n.format = s.Format
		n.strFormat = n.format != "" && strfmt.Default.ContainsName(n.format)
	}
	for _, e := range vv.Enum {
		n.enum = append(n.enum, e.Object)
	}
	if vv.Enum != nil && len(n.enum) == 0 {
		n.enum = nil
	}
	n.maxLength, n.minLength = vv.MaxLength, vv.MinLength
	if vv.Pattern != "" {
		re, err := regexp.Compile(vv.Pattern)
		if err != nil {
			n.badPattern = true
		}
		n.pattern = re
	}
	n.maxItems, n.minItems = vv.MaxItems, vv.MinItems
	n.maxProps, n.minProps = vv.MaxProperties, vv.MinProperties
	n.maximum, n.minimum = vv.Maximum, vv.Minimum
	n.exclusiveMax, n.exclMin = vv.ExclusiveMaximum, vv.ExclusiveMinimum
	for _, b := range []*float64{vv.Maximum, vv.Minimum} {
		if b == nil {
			continue
		}
		// The walker reports a bound its type and format cannot hold on
		// every number it checks against it.
		if math.IsNaN(*b) || math.Abs(*b) > 1<<53 ||
			len(types) == 1 && types[0] == "integer" && (*b != math.Trunc(*b) || n.format == "int32" && (*b < math.MinInt32 || *b > math.MaxInt32)) {
			n.badBound = true
		}
	}
	n.required = vv.Required
	var err error
	branches := func(in []structuralschema.NestedValueValidation) ([]*checkNode, error) {
		out := make([]*checkNode, 0, len(in))
		for i := range in {
			b, err := compileNested(&in[i])
			if err != nil {
				return nil, err
			}
			out = append(out, b)
		}
		return out, nil
	}
	if n.allOf, err = branches(vv.AllOf); err != nil {
		return err
	}
	if n.anyOf, err = branches(vv.AnyOf); err != nil {
		return err
	}
	if n.oneOf, err = branches(vv.OneOf); err != nil {
		return err
	}
	if vv.Not != nil {
		if n.not, err = compileNested(vv.Not); err != nil {
			return err
		}
	}
	return nil
}

// check reports whether the walker would find nothing wrong with d.
func (n *checkNode) check(d any) checkResult {
	if d == nil {
		// Only the type and enum validators run on null.
		if ((n.typ != "" || n.intOrString) && !n.nullable) || len(n.enum) > 0 {
			return checkUnsure
		}
		return checkOK
	}
	r := checkOK
	// A format on an untyped node makes the walker's type validator reject
	// every value that is not a string or a list.
	untypedFormat := n.typ == "" && !n.intOrString && n.format != ""
	switch t := d.(type) {
	case map[string]any:
		if (n.typ != "" && n.typ != "object") || n.intOrString || untypedFormat || len(n.enum) > 0 {
			return checkUnsure
		}
		r = n.checkObject(t)
	case []any:
		if (n.typ != "" && n.typ != "array") || n.intOrString || len(n.enum) > 0 {
			return checkUnsure
		}
		size := int64(len(t))
		if (n.minItems != nil && size < *n.minItems) || (n.maxItems != nil && size > *n.maxItems) {
			return checkUnsure
		}
		if n.items != nil {
			for _, x := range t {
				if r = and(r, n.items.check(x)); r == checkBad {
					return r
				}
			}
		}
	case string:
		if n.typ != "" && n.typ != "string" {
			return checkUnsure
		}
		if !n.checkString(t) {
			return checkUnsure
		}
	case bool:
		if (n.typ != "" && n.typ != "boolean") || n.intOrString || untypedFormat {
			return checkUnsure
		}
		if len(n.enum) > 0 && !enumHas(n.enum, t) {
			return checkUnsure
		}
	case int64:
		if (n.typ != "" && n.typ != "integer" && n.typ != "number") || untypedFormat {
			return checkUnsure
		}
		if !n.checkInt(t) || (len(n.enum) > 0 && !enumHas(n.enum, t)) {
			return checkUnsure
		}
	case float64:
		if (n.typ != "" && n.typ != "integer" && n.typ != "number") || untypedFormat {
			return checkUnsure
		}
		if !n.checkFloat(t) || (len(n.enum) > 0 && !enumHas(n.enum, t)) {
			return checkUnsure
		}
	default:
		return checkUnsure
	}
	if r == checkBad {
		return r
	}
	return and(r, n.checkBranches(d))
}

func (n *checkNode) checkObject(m map[string]any) checkResult {
	size := int64(len(m))
	if (n.minProps != nil && size < *n.minProps) || (n.maxProps != nil && size > *n.maxProps) {
		return checkUnsure
	}
	r := checkOK
	for _, k := range n.required {
		if _, ok := m[k]; !ok {
			// The walker always reports a missing required property.
			return checkBad
		}
	}
	if n.properties == nil && n.additional == nil {
		return r
	}
	for k, x := range m {
		p := n.properties[k]
		if p == nil {
			p = n.additional
		}
		if p == nil {
			continue
		}
		if r = and(r, p.check(x)); r == checkBad {
			return r
		}
	}
	return r
}

func (n *checkNode) checkString(s string) bool {
	if n.maxLength != nil || n.minLength != nil {
		l := int64(utf8.RuneCountInString(s))
		if (n.maxLength != nil && l > *n.maxLength) || (n.minLength != nil && l < *n.minLength) {
			return false
		}
	}
	if n.badPattern || (n.pattern != nil && !n.pattern.MatchString(s)) {
		return false
	}
	if n.strFormat && !strfmt.Default.Validates(n.format, s) {
		return false
	}
	if len(n.enum) > 0 && !enumHas(n.enum, s) {
		return false
	}
	return true
}

// checkInt accepts x only if the walker's range checks pass whichever way
// it compares (as integers when the bound fits the format, else as
// floats).
func (n *checkNode) checkInt(x int64) bool {
	if n.multipleOf || n.badBound {
		return false
	}
	if n.typ == "integer" && n.format == "int32" && (x < math.MinInt32 || x > math.MaxInt32) {
		return false
	}
	if n.typ == "number" && n.format != "" && n.format != "double" {
		return false
	}
	f := float64(x)
	if n.maximum != nil {
		b := *n.maximum
		if n.exclusiveMax && (x >= int64(b) || f >= b) || !n.exclusiveMax && (x > int64(b) || f > b) {
			return false
		}
	}
	if n.minimum != nil {
		b := *n.minimum
		if n.exclMin && (x <= int64(b) || f <= b) || !n.exclMin && (x < int64(b) || f < b) {
			return false
		}
	}
	return true
}

// checkFloat accepts f on integer types only as a small whole number, which
// the walker takes for an integer and formats without an exponent.
func (n *checkNode) checkFloat(f float64) bool {
	if n.multipleOf || n.badBound || math.IsNaN(f) || math.IsInf(f, 0) {
		return false
	}
	if n.typ == "integer" || n.intOrString {
		if f != math.Trunc(f) || f < math.MinInt32 || f > math.MaxInt32 {
			return false
		}
	}
	if n.typ == "number" && n.format != "" && n.format != "double" {
		return false
	}
	if n.maximum != nil && (n.exclusiveMax && f >= *n.maximum || !n.exclusiveMax && f > *n.maximum) {
		return false
	}
	if n.minimum != nil && (n.exclMin && f <= *n.minimum || !n.exclMin && f < *n.minimum) {
		return false
	}
	return true
}

// enumHas reports whether v is one of enum with the same Go type; another
// type might still match after the walker's conversions, which is left to
// the walker.
func enumHas[T comparable](enum []any, v T) bool {
	for _, e := range enum {
		if x, ok := e.(T); ok && x == v {
			return true
		}
	}
	return false
}

func (n *checkNode) checkBranches(d any) checkResult {
	r := checkOK
	for _, b := range n.allOf {
		if r = and(r, b.check(d)); r == checkBad {
			return r
		}
	}
	if len(n.anyOf) > 0 {
		some := checkBad
		for _, b := range n.anyOf {
			switch b.check(d) {
			case checkOK:
				some = checkOK
			case checkUnsure:
				some = min(some, checkUnsure)
			}
			if some == checkOK {
				break
			}
		}
		if r = and(r, some); r == checkBad {
			return r
		}
	}
	if len(n.oneOf) > 0 {
		valid, unsure := 0, false
		for _, b := range n.oneOf {
			switch b.check(d) {
			case checkOK:
				valid++
			case checkUnsure:
				unsure = true
			}
		}
		switch {
		case unsure:
			r = and(r, checkUnsure)
		case valid != 1:
			return checkBad
		}
	}
	if n.not != nil {
		switch n.not.check(d) {
		case checkOK:
			return checkBad
		case checkUnsure:
			r = and(r, checkUnsure)
		}
	}
	return r
}
