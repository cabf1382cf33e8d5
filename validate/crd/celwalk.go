package crd

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strings"
	"sync"

	"github.com/google/cel-go/common/types"
	"github.com/google/cel-go/common/types/ref"
	"github.com/google/cel-go/interpreter"

	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	structuralschema "k8s.io/apiextensions-apiserver/pkg/apiserver/schema"
	schemacel "k8s.io/apiextensions-apiserver/pkg/apiserver/schema/cel"
	"k8s.io/apiextensions-apiserver/pkg/apiserver/schema/cel/model"
	"k8s.io/apiextensions-apiserver/pkg/features"
	"k8s.io/apimachinery/pkg/util/validation/field"
	celconfig "k8s.io/apiserver/pkg/apis/cel"
	apiservercel "k8s.io/apiserver/pkg/cel"
	"k8s.io/apiserver/pkg/cel/common"
	"k8s.io/apiserver/pkg/cel/environment"
	utilfeature "k8s.io/apiserver/pkg/util/feature"
)

// celRules evaluates a kind's x-kubernetes-validations on CREATE with the
// findings of the apiserver's validator (schema/cel.Validator): the same
// rules compiled by the same function (schemacel.Compile) against the same
// CEL types, the same messages, field paths, reasons, cost accounting and
// stopping points. What differs is only what evaluating costs:
//
//   - CEL values are built on schemaNode, which computes property maps and
//     child schemas once per kind instead of on every field a rule reads;
//   - a field path is built only when a rule fails;
//   - there is no old object, so nothing is correlated or ratcheted;
//   - map keys are visited in sorted order. The apiserver visits them in Go's
//     map order, so its findings come in an order that changes from run to
//     run; sorted order is one of those orders, and the same every run.
//
// A differential test and a fuzz test hold the findings equal to the
// apiserver validator's (see celwalk_test.go).
type celRules struct {
	root *celNode
}

// celNode holds the rules of one schema node and the nodes below it that
// hold rules, as the apiserver's Validator tree does.
type celNode struct {
	// typ is the schema's type, reported as the bad value of rule errors.
	typ string
	// self is the schema CEL values of this node are built on: at a
	// resource root it declares kind, apiVersion and metadata.name.
	self common.Schema

	// compile compiles the node's rules into rules and compileErr on the
	// first visit of the node (once): a document reaches few of a kind's
	// nodes, and compiling is most of the cost of a short run. Nil when the
	// node has no rules of its own.
	compile     func()
	compileOnce sync.Once
	rules       []celRule
	compileErr  error // the rules could not be compiled at all

	allOf []*celNode // rules under allOf, evaluated against the same value
	items *celNode
	extra *celNode // additionalProperties
	// props and their names, sorted: the order properties are visited in.
	props     map[string]*celNode
	propNames []string
}

type celRule struct {
	rule     apiextensionsv1.ValidationRule
	compiled schemacel.CompilationResult
	optional bool // optionalOldSelf
}

// compileCELRules compiles the rules of ss, the structural schema of a
// resource; nil when it has none (as schemacel.NewValidator).
func compileCELRules(ss *structuralschema.Structural) *celRules {
	if !anyRules(ss) {
		return nil
	}
	b := celBuilder{env: environment.MustBaseEnvSet(environment.DefaultCompatibilityVersion())}
	root := newSchemaNode(ss)
	n := b.node(ss, root, true, model.SchemaDeclType(ss, true))
	if n == nil {
		return nil
	}
	return &celRules{root: n}
}

// anyRules reports whether ss or a schema below it through properties,
// items or additionalProperties has x-kubernetes-validations (allOf is not
// looked into, as by the apiserver).
func anyRules(ss *structuralschema.Structural) bool {
	if ss == nil {
		return false
	}
	if len(ss.XValidations) > 0 || anyRules(ss.Items) {
		return true
	}
	if ss.AdditionalProperties != nil && anyRules(ss.AdditionalProperties.Structural) {
		return true
	}
	for _, p := range ss.Properties {
		if anyRules(&p) {
			return true
		}
	}
	return false
}

type celBuilder struct {
	env *environment.EnvSet
}

// node builds the celNode for the value at schema at, whose rules come from
// rules: the same schema, except under allOf, where rules is the allOf
// entry and at stays the value's schema. declType is the value's CEL type.
// It returns nil when nothing at or below the node has rules.
func (b celBuilder) node(rules *structuralschema.Structural, at *schemaNode, resourceRoot bool, declType *apiservercel.DeclType) *celNode {
	atSchema := at.schema()
	n := &celNode{typ: atSchema.Type, self: at}
	if resourceRoot {
		n.self = at.WithTypeAndObjectMeta()
	}

	if xv := rules.XValidations; len(xv) > 0 {
		env := b.env
		n.compile = func() {
			compiling := *atSchema
			compiling.XValidations = xv
			compiled, err := schemacel.Compile(&compiling, declType, celconfig.PerCallLimit, env, schemacel.StoredExpressionsEnvLoader())
			n.compileErr = err
			for i, c := range compiled {
				r := xv[i]
				n.rules = append(n.rules, celRule{rule: r, compiled: c, optional: r.OptionalOldSelf != nil && *r.OptionalOldSelf})
			}
		}
	}

	var elem *apiservercel.DeclType
	if declType != nil {
		elem = declType.ElemType
	}
	if rules.Items != nil && atSchema.Items != nil {
		n.items = b.node(rules.Items, at.itemsNode(), atSchema.Items.XEmbeddedResource, elem)
	}
	for name, r := range rules.Properties {
		p, ok := atSchema.Properties[name]
		if !ok {
			continue // rules only apply on the schema's own spine
		}
		var t *apiservercel.DeclType
		if escaped, ok := apiservercel.Escape(name); ok {
			if declType == nil {
				continue
			}
			f, ok := declType.Fields[escaped]
			if !ok {
				continue // a field CEL has no type for is not validated
			}
			t = f.Type
		} else if t = model.SchemaDeclType(&p, p.XEmbeddedResource); t == nil {
			continue
		}
		if c := b.node(&r, at.child(name), p.XEmbeddedResource, t); c != nil {
			if n.props == nil {
				n.props = map[string]*celNode{}
			}
			n.props[name] = c
			n.propNames = append(n.propNames, name)
		}
	}
	slices.Sort(n.propNames)
	if rules.AdditionalProperties != nil && rules.AdditionalProperties.Structural != nil &&
		atSchema.AdditionalProperties != nil && atSchema.AdditionalProperties.Structural != nil {
		n.extra = b.node(rules.AdditionalProperties.Structural, at.extraNode(), atSchema.AdditionalProperties.Structural.XEmbeddedResource, elem)
	}
	// Structural schemas have no rules under allOf (compileVersion refuses
	// them), but the apiserver's validator looks there, so node does too.
	if rules.ValueValidation != nil {
		for i := range rules.ValueValidation.AllOf {
			if c := b.node(nestedRules(&rules.ValueValidation.AllOf[i]), at, resourceRoot, declType); c != nil {
				n.allOf = append(n.allOf, c)
			}
		}
	}

	if n.compile == nil && n.items == nil && n.extra == nil && len(n.props) == 0 && len(n.allOf) == 0 {
		return nil
	}
	return n
}

// nestedRules views an allOf entry as a schema, for the parts node reads:
// rules, value validations and the nested structure.
func nestedRules(v *structuralschema.NestedValueValidation) *structuralschema.Structural {
	out := &structuralschema.Structural{ValueValidation: &v.ValueValidation, ValidationExtensions: v.ValidationExtensions}
	if v.Items != nil {
		out.Items = nestedRules(v.Items)
	}
	if len(v.Properties) > 0 {
		out.Properties = make(map[string]structuralschema.Structural, len(v.Properties))
		for name, p := range v.Properties {
			out.Properties[name] = *nestedRules(&p)
		}
	}
	if v.AdditionalProperties != nil {
		out.AdditionalProperties = &structuralschema.StructuralOrBool{Structural: nestedRules(v.AdditionalProperties)}
	}
	return out
}

// Validate evaluates the rules on obj, the pruned and defaulted object,
// within a total cost of budget, and returns the failures.
func (r *celRules) Validate(ctx context.Context, obj any, budget int64) field.ErrorList {
	w := celWalk{ctx: ctx, budget: budget}
	w.node(r.root, obj)
	return w.errs
}

// celWalk is one evaluation: the remaining budget, the findings, and the
// path to the current value, kept as segments and made a field.Path only
// for a finding.
type celWalk struct {
	ctx    context.Context
	budget int64
	errs   field.ErrorList
	path   []pathSegment
	keys   []string // scratch for sorting map keys
}

type pathSegment struct {
	name  string
	index int
	kind  byte // 'c' child (property), 'k' key (additionalProperties), 'i' list index
}

func (w *celWalk) fieldPath() *field.Path {
	var p *field.Path
	for _, s := range w.path {
		switch s.kind {
		case 'c':
			p = p.Child(s.name)
		case 'k':
			p = p.Key(s.name)
		default:
			p = p.Index(s.index)
		}
	}
	return p
}

// node evaluates n's rules on obj and then those below it; false once the
// budget is spent, when no further rule may run.
func (w *celWalk) node(n *celNode, obj any) bool {
	if n == nil || obj == nil {
		return true
	}
	if !w.rules(n, obj) {
		return false
	}
	for _, a := range n.allOf {
		if !w.node(a, obj) {
			return false
		}
	}
	switch o := obj.(type) {
	case []any:
		if n.items == nil {
			return true
		}
		for i, x := range o {
			w.path = append(w.path, pathSegment{index: i, kind: 'i'})
			ok := w.node(n.items, x)
			w.path = w.path[:len(w.path)-1]
			if !ok {
				return false
			}
		}
	case map[string]any:
		if n.extra != nil {
			start := len(w.keys)
			for k := range o {
				w.keys = append(w.keys, k)
			}
			keys := w.keys[start:]
			slices.Sort(keys)
			for i := range keys {
				k := w.keys[start+i] // w.keys may grow (and move) below
				w.path = append(w.path, pathSegment{name: k, kind: 'k'})
				ok := w.node(n.extra, o[k])
				w.path = w.path[:len(w.path)-1]
				if !ok {
					return false
				}
			}
			w.keys = w.keys[:start]
		}
		for _, k := range n.propNames {
			x, ok := o[k]
			if !ok {
				continue
			}
			w.path = append(w.path, pathSegment{name: k, kind: 'c'})
			ok = w.node(n.props[k], x)
			w.path = w.path[:len(w.path)-1]
			if !ok {
				return false
			}
		}
	}
	return true
}

// Messages of the apiserver's validator, reproduced exactly.
const (
	outOfBudget     = "validation failed due to running out of cost budget, no further validation rules will be run"
	costLimitPrefix = "operation cancelled: actual cost limit exceeded"
)

// rules evaluates n's own rules on obj (not null); false once the budget is
// spent.
func (w *celWalk) rules(n *celNode, obj any) bool {
	var path *field.Path
	pathOnce := false
	at := func() *field.Path {
		if !pathOnce {
			path, pathOnce = w.fieldPath(), true
		}
		return path
	}
	if n.compile != nil {
		n.compileOnce.Do(n.compile)
	}
	if n.compileErr != nil {
		w.errs = append(w.errs, field.Invalid(at(), n.typ, fmt.Sprintf("rule compiler initialization error: %v", n.compileErr)))
		return true
	}
	if len(n.rules) == 0 {
		return true
	}
	if w.budget <= 0 {
		w.errs = append(w.errs, field.Invalid(at(), n.typ, outOfBudget))
		w.budget = -1
		return false
	}
	self := common.UnstructuredToVal(obj, n.self)
	plain := &celActivation{self: self}
	var optional *celActivation

	for i := range n.rules {
		r := &n.rules[i]
		c := &r.compiled
		if c.Error != nil {
			w.errs = append(w.errs, field.Invalid(at(), n.typ, fmt.Sprintf("rule compile error: %v", c.Error)))
			continue
		}
		if c.Program == nil {
			continue // an empty rule
		}
		// On CREATE there is no old value: a transition rule runs only when
		// its oldSelf is optional (then it is none).
		if c.UsesOldSelf && (!r.optional || !utilfeature.DefaultFeatureGate.Enabled(features.CRDValidationRatcheting)) {
			continue
		}
		act := plain
		if r.optional {
			if optional == nil {
				optional = &celActivation{self: self, oldSelf: types.OptionalNone, hasOldSelf: true}
			}
			act = optional
		}

		result, details, err := c.Program.ContextEval(w.ctx, act)
		if details == nil {
			w.errs = append(w.errs, field.InternalError(at(), fmt.Errorf("runtime cost could not be calculated for validation rule: %v, no further validation rules will be run", ruleName(r.rule))))
			w.budget = -1
			return false
		}
		cost := details.ActualCost()
		if cost == nil {
			w.errs = append(w.errs, field.Invalid(at(), n.typ, fmt.Sprintf("runtime cost could not be calculated for validation rule: %v, no further validation rules will be run", ruleName(r.rule))))
			w.budget = -1
			return false
		}
		if *cost > math.MaxInt64 || int64(*cost) > w.budget {
			w.errs = append(w.errs, field.Invalid(at(), n.typ, outOfBudget))
			w.budget = -1
			return false
		}
		w.budget -= int64(*cost)
		if err != nil {
			msg := err.Error()
			switch {
			case strings.HasPrefix(msg, "no such overload"):
				// Only int-or-string values get past the type checker
				// to fail this way.
				w.errs = append(w.errs, field.Invalid(at(), n.typ, fmt.Sprintf("'%v': call arguments did not match a supported operator, function or macro signature for rule: %v", err, ruleName(r.rule))))
			case strings.HasPrefix(msg, costLimitPrefix):
				w.errs = append(w.errs, field.Invalid(at(), n.typ, fmt.Sprintf("'%v': no further validation rules will be run due to call cost exceeds limit for rule: %v", err, ruleName(r.rule))))
				w.budget = -1
				return false
			default:
				w.errs = append(w.errs, field.Invalid(at(), n.typ, fmt.Sprintf("%v evaluating rule: %v", err, ruleName(r.rule))))
			}
			continue
		}
		if result == types.True {
			continue
		}

		// The rule failed: report it where its fieldPath points.
		errPath := at()
		if c.NormalizedRuleFieldPath != "" {
			errPath = errPath.Child(c.NormalizedRuleFieldPath)
		}
		detail, ok := "", false
		if c.MessageExpression != nil {
			var fatal *field.Error
			detail, ok, fatal = w.message(c, r.rule.MessageExpression, act, errPath, n.typ)
			if fatal != nil {
				w.errs = append(w.errs, fatal)
				w.budget = -1
				return false
			}
		}
		if !ok {
			detail = ruleMessage(r.rule)
		}
		var value any = obj
		if n.typ == "object" || n.typ == "array" {
			value = field.OmitValueType{}
		}
		w.errs = append(w.errs, errorForReason(errPath, value, detail, r.rule.Reason))
	}
	return true
}

// message evaluates a failed rule's messageExpression. ok is false when it
// gave no usable message (the rule's message is used instead); fatal is the
// finding that stops validation, when evaluating it broke a cost limit.
func (w *celWalk) message(c *schemacel.CompilationResult, source string, act *celActivation, at *field.Path, typ string) (detail string, ok bool, fatal *field.Error) {
	result, details, err := c.MessageExpression.ContextEval(w.ctx, act)
	var cost *uint64
	if details != nil {
		cost = details.ActualCost()
	}
	if cost == nil {
		return "", false, field.InternalError(at, &apiservercel.Error{
			Type:   apiservercel.ErrorTypeInternal,
			Detail: fmt.Sprintf("runtime cost could not be calculated for messageExpression: %q", source),
		})
	}
	if *cost > math.MaxInt64 || int64(*cost) > w.budget {
		return "", false, field.Invalid(at, typ, "messageExpression evaluation failed due to running out of cost budget, no further validation rules will be run")
	}
	if err != nil && strings.HasPrefix(err.Error(), costLimitPrefix) {
		return "", false, field.Invalid(at, typ, fmt.Sprintf("no further validation rules will be run due to call cost exceeds limit for messageExpression: %q", source))
	}
	// From here on the cost is charged whether or not the message is usable.
	w.budget -= int64(*cost)
	if err != nil {
		return "", false, nil
	}
	s, isString := result.Value().(string)
	if !isString {
		return "", false, nil
	}
	s = strings.TrimSpace(s)
	if s == "" || len(s) > celconfig.MaxEvaluatedMessageExpressionSizeBytes || strings.Contains(s, "\n") {
		return "", false, nil
	}
	return s, true, nil
}

// ruleName is how findings name a rule: its message, or else its text.
func ruleName(r apiextensionsv1.ValidationRule) string {
	if r.Message != "" {
		return strings.TrimSpace(r.Message)
	}
	return strings.TrimSpace(r.Rule)
}

func ruleMessage(r apiextensionsv1.ValidationRule) string {
	if r.Message != "" {
		return strings.TrimSpace(r.Message)
	}
	return "failed rule: " + ruleName(r)
}

func errorForReason(p *field.Path, value any, detail string, reason *apiextensionsv1.FieldValueErrorReason) *field.Error {
	if reason != nil {
		switch *reason {
		case apiextensionsv1.FieldValueForbidden:
			return field.Forbidden(p, detail)
		case apiextensionsv1.FieldValueRequired:
			return field.Required(p, detail)
		case apiextensionsv1.FieldValueDuplicate:
			return field.Duplicate(p, value)
		}
	}
	return field.Invalid(p, value, detail)
}

// celActivation resolves self and, for rules with optionalOldSelf, oldSelf.
type celActivation struct {
	self, oldSelf ref.Val
	hasOldSelf    bool
}

func (a *celActivation) ResolveName(name string) (any, bool) {
	switch name {
	case schemacel.ScopedVarName:
		return a.self, true
	case schemacel.OldScopedVarName:
		return a.oldSelf, a.hasOldSelf
	}
	return nil, false
}

func (a *celActivation) Parent() interpreter.Activation { return nil }
