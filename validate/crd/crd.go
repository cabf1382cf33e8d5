// Package crd validates Kubernetes objects against CustomResourceDefinitions
// offline, the way kube-apiserver does on CREATE with fieldValidation=Strict.
//
// It reuses the apiserver's own building blocks from
// k8s.io/apiextensions-apiserver (pruning, defaulting, the OpenAPI schema
// validator, embedded ObjectMeta checks, list-type uniqueness and the CEL
// rule compiler), so findings and their messages match what the cluster
// would report. CEL rules are evaluated by celRules, which finds what the
// apiserver's CEL validator finds for less (see celwalk.go). Every CRD
// version is checked and compiled when added, except for its CEL rules,
// which are compiled on the first validation of that version (a run seldom
// uses more than a few of the kinds it knows, and CEL compilation is most of
// the cost of adding a CRD); after that, validating only evaluates.
package crd

import (
	"context"
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"
	"sync"

	"k8s.io/apiextensions-apiserver/pkg/apihelpers"
	"k8s.io/apiextensions-apiserver/pkg/apis/apiextensions"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	structuralschema "k8s.io/apiextensions-apiserver/pkg/apiserver/schema"
	"k8s.io/apiextensions-apiserver/pkg/apiserver/schema/cel"
	structuraldefaulting "k8s.io/apiextensions-apiserver/pkg/apiserver/schema/defaulting"
	structurallisttype "k8s.io/apiextensions-apiserver/pkg/apiserver/schema/listtype"
	schemaobjectmeta "k8s.io/apiextensions-apiserver/pkg/apiserver/schema/objectmeta"
	structuralpruning "k8s.io/apiextensions-apiserver/pkg/apiserver/schema/pruning"
	apiservervalidation "k8s.io/apiextensions-apiserver/pkg/apiserver/validation"
	metavalidation "k8s.io/apimachinery/pkg/api/validation"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/validation/field"
	celconfig "k8s.io/apiserver/pkg/apis/cel"
)

// Origins set on the errors this package creates itself (the apiserver
// reports these as a 400 "strict decoding error" rather than a 422 field
// error), so callers can tell them apart from schema findings.
const (
	// OriginUnknownField marks a field the schema does not declare; the
	// apiserver rejects it under fieldValidation=Strict and drops it otherwise.
	OriginUnknownField = "unknownField"
	// OriginDuplicateField marks a key given twice in one YAML/JSON object;
	// without Strict the apiserver silently keeps the last value.
	OriginDuplicateField = "duplicateField"
	// OriginDecode marks input that could not be decoded at all, such as YAML
	// syntax errors or metadata fields of the wrong type.
	OriginDecode = "decode"
	// OriginCEL marks a failed x-kubernetes-validations rule.
	OriginCEL = "cel"
	// OriginUnknownKind marks an object whose apiVersion/kind no added CRD
	// serves; nothing else is checked for it.
	OriginUnknownKind = "unknownKind"
)

// defaultNamespace stands in for the request namespace when a namespaced
// object has none, as kubectl would fill in the context's namespace.
const defaultNamespace = metav1.NamespaceDefault

// Set is a collection of compiled CRD versions, keyed by GroupVersionKind.
// It is safe for concurrent use.
type Set struct {
	mu       sync.RWMutex
	versions map[schema.GroupVersionKind]*version
	// pending are kinds added with AddLazy and not compiled yet.
	pending map[schema.GroupVersionKind]*lazyCRD
	// uncached turns the result cache off (tests compare against it).
	uncached bool
	// upstreamCEL evaluates CEL rules with the apiserver's own validator
	// instead of celRules (tests hold the two equal).
	upstreamCEL bool
}

// lazyCRD is a CRD loaded on the first use of one of its kinds, each of
// its versions compiled on its own first use: a document names one version,
// and the Gateway API's kinds serve two (v1 and v1beta1) with schemas as
// large.
type lazyCRD struct {
	once sync.Once
	load func() (*apiextensionsv1.CustomResourceDefinition, error)
	// crd is the loaded CRD, defaulted; nil if loading failed (err) and
	// once no version of it is pending any more.
	crd *apiextensionsv1.CustomResourceDefinition
	err error
	// mu serializes compiling the CRD's versions, which read crd.
	mu sync.Mutex
	// errs are the versions that failed to compile, by name.
	errs map[string]error
}

// version holds everything the apiserver builds once per served CRD version
// (see getOrCreateServingInfoFor in the apiextensions-apiserver CRD handler).
type version struct {
	gvk        schema.GroupVersionKind
	namespaced bool
	// structural is the structural schema with defaults pruned, the same
	// copy the apiserver uses for pruning, defaulting, list types and CEL.
	structural *structuralschema.Structural
	validator  apiservervalidation.SchemaValidator
	// celOnce compiles cel on first use. cel.NewValidator cannot fail (rules
	// that do not compile are reported when validating), so deferring it
	// changes no result, only when the cost is paid.
	celOnce sync.Once
	// cel is nil when the schema has no x-kubernetes-validations. It is
	// the apiserver's validator, used only when Set.upstreamCEL is set.
	cel *cel.Validator
	// rules are the same rules compiled for celRules, which evaluates them
	// for less (compiled on first use, like cel); nil without rules.
	rulesOnce sync.Once
	rules     *celRules
	// checkOnce compiles check, which spares valid documents the
	// schema validator's walk (see schemacheck.go).
	checkOnce sync.Once
	check     *compiledCheck
	hasStatus bool
	scale     *apiextensions.CustomResourceSubresourceScale
	// results caches validations by content (see results).
	results results
}

// NewSet returns an empty Set.
func NewSet() *Set {
	return &Set{versions: map[schema.GroupVersionKind]*version{}, pending: map[schema.GroupVersionKind]*lazyCRD{}}
}

// AddLazy adds a CRD serving gvks that is loaded and compiled only when one
// of them is first validated, for CRDs known to be valid (the embedded
// ones, which a test compiles with AddCRD): an error then surfaces when
// validating, not here, and the checks that only find errors in valid
// CRDs are skipped. Like AddCRD, it
// replaces versions already in the set; a later AddCRD replaces it. The
// set owns what load returns and may change it (a new copy each call, such
// as a fresh decode), which spares compiling a copy of it.
func (s *Set) AddLazy(gvks []schema.GroupVersionKind, load func() (*apiextensionsv1.CustomResourceDefinition, error)) {
	l := &lazyCRD{load: load}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, gvk := range gvks {
		delete(s.versions, gvk)
		s.pending[gvk] = l
	}
}

// compile loads l's CRD on first use and compiles its version gvk, moving
// it into the set unless it was replaced since by AddCRD or AddLazy. It
// returns an error if the CRD cannot be loaded or that version not
// compiled; it leaves gvk pending if the CRD does not serve it.
func (s *Set) compile(l *lazyCRD, gvk schema.GroupVersionKind) error {
	l.once.Do(func() {
		crd, err := l.load()
		if err == nil {
			err = defaultCRD(crd)
		}
		l.crd, l.err = crd, err
	})
	if l.err != nil {
		return l.err
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if err := l.errs[gvk.Version]; err != nil {
		return err
	}
	s.mu.RLock()
	pending := s.pending[gvk] == l
	s.mu.RUnlock()
	if !pending {
		return nil // compiled meanwhile, or replaced
	}
	crd := l.crd
	if crd.Spec.Group != gvk.Group || crd.Spec.Names.Kind != gvk.Kind || !slices.ContainsFunc(crd.Spec.Versions, func(v apiextensionsv1.CustomResourceDefinitionVersion) bool {
		return v.Served && v.Name == gvk.Version
	}) {
		return nil
	}
	cv, err := compileVersion(crd, gvk.Version, true)
	if err != nil {
		err = fmt.Errorf("CustomResourceDefinition %q version %q: %w", crd.Name, gvk.Version, err)
		if l.errs == nil {
			l.errs = map[string]error{}
		}
		l.errs[gvk.Version] = err
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.pending[gvk] == l {
		delete(s.pending, gvk)
		s.versions[gvk] = cv
	}
	for _, p := range s.pending {
		if p == l {
			return nil
		}
	}
	l.crd = nil // every version compiled: the CRD itself is not needed any more
	return nil
}

// AddCRD compiles every served version of crd (structural schema, schema
// validator; the CEL validator on first use) and adds it to the set. Every
// error a CRD can cause is returned here. A version already in the
// set is replaced, so CRDs supplied later (for example by the user) override
// earlier ones (for example embedded defaults). crd is not modified.
func (s *Set) AddCRD(crd *apiextensionsv1.CustomResourceDefinition) error {
	compiled, err := compileCRD(crd)
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for gvk, cv := range compiled {
		delete(s.pending, gvk)
		s.versions[gvk] = cv
	}
	return nil
}

// compileCRD compiles every served version of crd, leaving crd unmodified.
func compileCRD(crd *apiextensionsv1.CustomResourceDefinition) (map[schema.GroupVersionKind]*version, error) {
	crd = crd.DeepCopy()
	if err := defaultCRD(crd); err != nil {
		return nil, err
	}
	compiled := map[schema.GroupVersionKind]*version{}
	for _, v := range crd.Spec.Versions {
		if !v.Served {
			continue
		}
		cv, err := compileVersion(crd, v.Name, false)
		if err != nil {
			return nil, fmt.Errorf("CustomResourceDefinition %q version %q: %w", crd.Name, v.Name, err)
		}
		compiled[cv.gvk] = cv
	}
	return compiled, nil
}

// defaultCRD defaults crd in place as the apiserver does when CRDs are
// created, so the schema matches what it would serve, and checks that it
// names a kind.
func defaultCRD(crd *apiextensionsv1.CustomResourceDefinition) error {
	if crd == nil {
		return fmt.Errorf("no CustomResourceDefinition")
	}
	apiextensionsv1.SetObjectDefaults_CustomResourceDefinition(crd)
	if crd.Spec.Names.Kind == "" {
		return fmt.Errorf("CustomResourceDefinition %q: spec.names.kind is empty", crd.Name)
	}
	return nil
}

// compileVersion compiles the served version name of crd, which it does not
// modify. known says the CRD is known to be structural (AddLazy's, the
// embedded ones, tested to be), which skips the check: it only finds
// errors, and costs a tenth of compiling.
func compileVersion(crd *apiextensionsv1.CustomResourceDefinition, name string, known bool) (*version, error) {
	cv := &version{
		gvk:        schema.GroupVersionKind{Group: crd.Spec.Group, Version: name, Kind: crd.Spec.Names.Kind},
		namespaced: crd.Spec.Scope == apiextensionsv1.NamespaceScoped,
	}

	val, err := apihelpers.GetSchemaForVersion(crd, name)
	if err != nil {
		return nil, err
	}
	if val == nil || val.OpenAPIV3Schema == nil {
		// apiextensions.k8s.io/v1 requires a schema; without one there is
		// nothing to prune against and the apiserver would refuse the CRD.
		return nil, fmt.Errorf("no openAPIV3Schema")
	}
	internal := &apiextensions.CustomResourceValidation{}
	if err := apiextensionsv1.Convert_v1_CustomResourceValidation_To_apiextensions_CustomResourceValidation(val, internal, nil); err != nil {
		return nil, fmt.Errorf("converting schema: %w", err)
	}

	ss, err := structuralschema.NewStructural(internal.OpenAPIV3Schema)
	if err != nil {
		return nil, fmt.Errorf("schema is not structural: %w", err)
	}
	if !known {
		if errs := structuralschema.ValidateStructural(nil, ss); len(errs) > 0 {
			return nil, fmt.Errorf("schema is not structural: %w", errs.ToAggregate())
		}
	}
	// Like the apiserver: work on a copy with defaults pruned, so defaults
	// never inject fields the schema would prune.
	ss = ss.DeepCopy()
	if err := structuraldefaulting.PruneDefaults(ss); err != nil {
		return nil, fmt.Errorf("pruning defaults: %w", err)
	}
	cv.structural = ss

	cv.validator, _, err = apiservervalidation.NewSchemaValidator(internal.OpenAPIV3Schema)
	if err != nil {
		return nil, fmt.Errorf("building schema validator: %w", err)
	}

	sub, err := apihelpers.GetSubresourcesForVersion(crd, name)
	if err != nil {
		return nil, err
	}
	if sub != nil {
		cv.hasStatus = sub.Status != nil
		if sub.Scale != nil {
			cv.scale = &apiextensions.CustomResourceSubresourceScale{}
			if err := apiextensionsv1.Convert_v1_CustomResourceSubresourceScale_To_apiextensions_CustomResourceSubresourceScale(sub.Scale, cv.scale, nil); err != nil {
				return nil, fmt.Errorf("converting scale subresource: %w", err)
			}
		}
	}
	return cv, nil
}

// celValidator returns the version's CEL validator, compiling it on first
// use; nil when the schema has no rules.
func (v *version) celValidator() *cel.Validator {
	v.celOnce.Do(func() {
		// Same construction as customresource.NewStrategy; compiles all rules.
		v.cel = cel.NewValidator(v.structural, true, celconfig.PerCallLimit)
	})
	return v.cel
}

// celRules returns the version's compiled rules, compiling them on first
// use; nil when the schema has none.
func (v *version) celRules() *celRules {
	v.rulesOnce.Do(func() { v.rules = compileCELRules(v.structural) })
	return v.rules
}

// validateCEL evaluates the CEL rules on u; ran is false when the schema has
// none.
func (v *version) validateCEL(ctx context.Context, u map[string]any, upstream bool) (errs field.ErrorList, ran bool) {
	if upstream {
		celValidator := v.celValidator()
		if celValidator == nil {
			return nil, false
		}
		errs, _ = celValidator.Validate(ctx, nil, v.structural, u, nil, celconfig.RuntimeCELCostBudget)
		return errs, true
	}
	rules := v.celRules()
	if rules == nil {
		return nil, false
	}
	return rules.Validate(ctx, u, celconfig.RuntimeCELCostBudget), true
}

// hasCEL reports whether the schema has CEL rules that are evaluated.
func (v *version) hasCEL(upstream bool) bool {
	if upstream {
		return v.celValidator() != nil
	}
	return v.celRules() != nil
}

// Lookup reports whether the set serves gvk.
func (s *Set) Lookup(gvk schema.GroupVersionKind) bool {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.versions[gvk] != nil || s.pending[gvk] != nil
}

// GVKs returns the served kinds in a stable order, for listing and messages.
func (s *Set) GVKs() []schema.GroupVersionKind {
	s.mu.RLock()
	out := make([]schema.GroupVersionKind, 0, len(s.versions)+len(s.pending))
	for gvk := range s.versions {
		out = append(out, gvk)
	}
	for gvk := range s.pending {
		out = append(out, gvk)
	}
	s.mu.RUnlock()
	sort.Slice(out, func(i, j int) bool { return out[i].String() < out[j].String() })
	return out
}

// get returns the compiled version of gvk, compiling a lazily added CRD on
// first use; nil if the set does not serve gvk.
func (s *Set) get(gvk schema.GroupVersionKind) (*version, error) {
	for {
		s.mu.RLock()
		v, l := s.versions[gvk], s.pending[gvk]
		s.mu.RUnlock()
		if v != nil || l == nil {
			return v, nil
		}
		if err := s.compile(l, gvk); err != nil {
			return nil, err
		}
		s.mu.RLock()
		still := s.pending[gvk] == l
		s.mu.RUnlock()
		if still {
			return nil, fmt.Errorf("the CRD added for %s does not serve it", gvk)
		}
		// Compiled (or replaced meanwhile): look again.
	}
}

// resolve finds the compiled version for obj's apiVersion and kind.
func (s *Set) resolve(obj map[string]any) (*version, field.ErrorList) {
	var errs field.ErrorList
	apiVersion, _, err := unstructured.NestedString(obj, "apiVersion")
	if err != nil {
		errs = append(errs, decodeError(field.NewPath("apiVersion"), err.Error()))
	} else if apiVersion == "" {
		errs = append(errs, field.Required(field.NewPath("apiVersion"), ""))
	}
	kind, _, err := unstructured.NestedString(obj, "kind")
	if err != nil {
		errs = append(errs, decodeError(field.NewPath("kind"), err.Error()))
	} else if kind == "" {
		errs = append(errs, field.Required(field.NewPath("kind"), ""))
	}
	if len(errs) > 0 {
		return nil, errs
	}
	gv, err := schema.ParseGroupVersion(apiVersion)
	if err != nil {
		return nil, field.ErrorList{decodeError(field.NewPath("apiVersion"), err.Error())}
	}
	v, err := s.get(gv.WithKind(kind))
	if err != nil {
		return nil, field.ErrorList{field.InternalError(field.NewPath("kind"), fmt.Errorf("the schema of %s cannot be compiled: %w", kind, err))}
	}
	if v == nil {
		// Wording of kubectl's RESTMapper error, which users know.
		e := field.Invalid(field.NewPath("kind"), kind, fmt.Sprintf("no matches for kind %q in version %q", kind, apiVersion))
		e.Origin = OriginUnknownKind
		return nil, field.ErrorList{e}
	}
	return v, nil
}

// Validate validates obj as kube-apiserver would on CREATE with
// fieldValidation=Strict, and returns every finding (nil when valid).
//
// obj must be JSON-shaped (map[string]any, []any, string, bool, nil, int64
// and float64 numbers, as from DecodeYAML); integers held as float64 make CEL
// rules on integer fields fail. obj is not modified.
//
// Unlike the apiserver, which rejects a request with unknown fields before
// validating anything else, Validate reports them and continues with them
// pruned, so one run shows all problems. A namespaced object without a
// namespace is validated as if it were in "default", as kubectl would send it.
func (s *Set) Validate(ctx context.Context, obj map[string]any) field.ErrorList {
	v, errs := s.resolve(obj)
	if v == nil {
		return errs
	}
	key, cacheable := contentKey(obj)
	cacheable = cacheable && !s.uncached
	var r *result
	if cacheable {
		r = v.results.get(key)
	}
	if r == nil {
		var err error
		if r, err = v.resultFor(ctx, obj, s.upstreamCEL || reference.Load()); err != nil {
			return field.ErrorList{decodeError(nil, err.Error())}
		}
		if cacheable {
			v.results.put(key, r)
		}
	}
	meta := r.meta
	if meta != nil {
		// The cached meta came from an object that may have had another
		// namespace.
		m := *meta
		md, _ := obj["metadata"].(map[string]any)
		m.Namespace, _ = md["namespace"].(string)
		meta = &m
	}
	out := append(copyErrors(r.decodeErrs), v.validateMeta(meta)...)
	return append(out, copyErrors(r.schemaErrs)...)
}

// UnknownFields returns the fields of obj that its version in s does not
// declare, as Validate reports them (OriginUnknownField), without
// validating: whether a release knows a field is a question of decoding
// alone, and compiling the release's CEL rules to answer it would cost
// more than the whole run. ok is false when s does not serve obj's kind.
func (s *Set) UnknownFields(obj map[string]any) (paths []string, ok bool) {
	v, _ := s.resolve(obj)
	if v == nil {
		return nil, false
	}
	u, err := deepCopyJSON(obj)
	if err != nil {
		return nil, false
	}
	_, errs := v.decode(u)
	for _, e := range errs {
		if e.Origin == OriginUnknownField {
			paths = append(paths, e.Field)
		}
	}
	return paths, true
}

// resultFor validates obj without the cache; the findings are the decoding
// errors, validateMeta's (run again per object by Validate) and the rest.
func (v *version) resultFor(ctx context.Context, obj map[string]any, upstreamCEL bool) (*result, error) {
	u, err := deepCopyJSON(obj)
	if err != nil {
		return nil, err
	}
	meta, decodeErrs := v.decode(u)

	// PrepareForCreate: status is cleared on create when the status
	// subresource is enabled, so it is never validated.
	if v.hasStatus {
		delete(u, "status")
	}

	metaErrs := v.validateMeta(meta)
	var verrs field.ErrorList
	verrs = append(verrs, v.validateSchema(u)...)
	verrs = append(verrs, v.validateScale(u)...)
	verrs = append(verrs, schemaobjectmeta.Validate(nil, u, v.structural, false)...)
	verrs = append(verrs, structurallisttype.ValidateListSetsAndMaps(nil, v.structural, u)...)
	if v.hasCEL(upstreamCEL) {
		// The metadata errors count too, as in the apiserver. They can
		// depend on the namespace, which the cache key leaves out, but the
		// namespace's own errors are never of a blocking type (Invalid).
		if blocked, e := hasBlockingErr(append(slices.Clone(metaErrs), verrs...)); blocked {
			verrs = append(verrs, e)
		} else {
			celErrs, _ := v.validateCEL(ctx, u, upstreamCEL)
			for _, e := range celErrs {
				if e.Origin == "" {
					e.Origin = OriginCEL
				}
			}
			verrs = append(verrs, celErrs...)
		}
	}
	return &result{meta: meta, decodeErrs: decodeErrs, schemaErrs: verrs}, nil
}

// copyErrors copies errs so callers may change what they get.
func copyErrors(errs field.ErrorList) field.ErrorList {
	out := make(field.ErrorList, len(errs))
	for i, e := range errs {
		c := *e
		out[i] = &c
	}
	return out
}

// Default returns a copy of obj after the apiserver's decoding steps:
// unknown fields pruned, non-nullable nulls dropped, metadata normalised and
// schema defaults applied. diff needs this to compare against live objects
// without showing server-side defaults as changes. It does not validate.
func (s *Set) Default(obj map[string]any) (map[string]any, error) {
	v, errs := s.resolve(obj)
	if v == nil {
		return nil, errs.ToAggregate()
	}
	u, err := deepCopyJSON(obj)
	if err != nil {
		return nil, err
	}
	v.decode(u)
	return u, nil
}

// decode mirrors the apiserver's request decoding for custom resources
// (unstructuredSchemaCoercer.apply with unknown-field tracking, then the
// structural defaulter) on u in place. It returns the root ObjectMeta (nil if
// absent) and one error per unknown or malformed field. Where the apiserver
// would stop with a 400, decode drops the offending fields and goes on.
func (v *version) decode(u map[string]any) (*metav1.ObjectMeta, field.ErrorList) {
	var errs field.ErrorList
	kind, foundKind, _ := unstructured.NestedString(u, "kind")
	apiVersion, foundAPIVersion, _ := unstructured.NestedString(u, "apiVersion")

	var unknown []string
	meta, foundMeta, metaUnknown, err := schemaobjectmeta.GetObjectMetaWithOptions(u, schemaobjectmeta.ObjectMetaOptions{ReturnUnknownFieldPaths: true})
	if err != nil {
		errs = append(errs, decodeError(field.NewPath("metadata"), err.Error()))
		meta, foundMeta, metaUnknown, _ = schemaobjectmeta.GetObjectMetaWithOptions(u, schemaobjectmeta.ObjectMetaOptions{
			DropMalformedFields:     true,
			ReturnUnknownFieldPaths: true,
		})
	}
	unknown = append(unknown, metaUnknown...)

	unknown = append(unknown, structuralpruning.PruneWithOptions(u, v.structural, true, structuralschema.UnknownFieldPathOptions{TrackUnknownFieldPaths: true})...)
	structuraldefaulting.PruneNonNullableNullsWithoutDefaults(u, v.structural)

	coerceErr, paths := schemaobjectmeta.CoerceWithOptions(nil, u, v.structural, false, schemaobjectmeta.CoerceOptions{ReturnUnknownFieldPaths: true})
	if coerceErr != nil {
		coerceErr.Origin = OriginDecode
		errs = append(errs, coerceErr)
		_, paths = schemaobjectmeta.CoerceWithOptions(nil, u, v.structural, false, schemaobjectmeta.CoerceOptions{
			DropInvalidFields:       true,
			ReturnUnknownFieldPaths: true,
		})
	}
	unknown = append(unknown, paths...)

	if foundKind {
		u["kind"] = kind
	}
	if foundAPIVersion {
		u["apiVersion"] = apiVersion
	}
	if foundMeta && meta != nil {
		if err := schemaobjectmeta.SetObjectMeta(u, meta); err != nil {
			errs = append(errs, decodeError(field.NewPath("metadata"), err.Error()))
		}
	} else {
		meta = nil
	}

	structuraldefaulting.Default(u, v.structural)

	for _, p := range unknown {
		errs = append(errs, &field.Error{
			Type:     field.ErrorTypeForbidden,
			Field:    p,
			BadValue: field.OmitValueType{},
			// The apiserver's own wording for a strict decoding error.
			Detail: fmt.Sprintf(`unknown field "%s"`, p),
			Origin: OriginUnknownField,
		})
	}
	return meta, errs
}

// validateMeta runs the generic ObjectMeta checks the CR validator runs
// (ValidateObjectMetaAccessor with DNS-1123 subdomain names), after filling in
// what the apiserver fills in before validation: the request namespace and a
// generated name.
func (v *version) validateMeta(meta *metav1.ObjectMeta) field.ErrorList {
	m := metav1.ObjectMeta{}
	if meta != nil {
		m = *meta
	}
	if v.namespaced && m.Namespace == "" {
		m.Namespace = defaultNamespace
	}
	if !v.namespaced {
		// The apiserver clears the namespace of cluster-scoped objects.
		m.Namespace = ""
	}
	if m.Name == "" && m.GenerateName != "" {
		m.Name = generateName(m.GenerateName)
	}
	return metavalidation.ValidateObjectMetaAccessor(&m, v.namespaced, metavalidation.NameIsDNSSubdomain, field.NewPath("metadata"))
}

// generateName is a deterministic stand-in for the apiserver's
// SimpleNameGenerator: same truncation, fixed valid suffix.
func generateName(base string) string {
	const maxNameLength, randomLength = 63, 5
	if len(base) > maxNameLength-randomLength {
		base = base[:maxNameLength-randomLength]
	}
	return base + strings.Repeat("x", randomLength)
}

// validateScale is customResourceValidator.ValidateScaleSpec/Status: the
// replicas fields named by the scale subresource must be int32-range
// non-negative integers.
func (v *version) validateScale(u map[string]any) field.ErrorList {
	if v.scale == nil {
		return nil
	}
	var errs field.ErrorList
	check := func(p string) {
		trimmed := strings.TrimPrefix(p, ".")
		n, _, err := unstructured.NestedInt64(u, strings.Split(trimmed, ".")...)
		switch {
		case err != nil:
			errs = append(errs, field.Invalid(field.NewPath(p), n, err.Error()))
		case n < 0:
			errs = append(errs, field.Invalid(field.NewPath(p), n, "should be a non-negative integer"))
		case n > math.MaxInt32:
			errs = append(errs, field.Invalid(field.NewPath(p), n, fmt.Sprintf("should be less than or equal to %v", math.MaxInt32)))
		}
	}
	check(v.scale.SpecReplicasPath)
	check(v.scale.StatusReplicasPath)
	if v.scale.LabelSelectorPath != nil {
		p := *v.scale.LabelSelectorPath
		sel, _, err := unstructured.NestedString(u, strings.Split(strings.TrimPrefix(p, "."), ".")...)
		if err != nil {
			errs = append(errs, field.Invalid(field.NewPath(p), sel, err.Error()))
		}
	}
	return errs
}

// hasBlockingErr is the customresource strategy's rule: CEL rules are not
// evaluated when type/required/enum/size errors exist, since rules may
// dereference those fields unguarded.
func hasBlockingErr(errs field.ErrorList) (bool, *field.Error) {
	for _, err := range errs {
		switch err.Type {
		case field.ErrorTypeNotSupported, field.ErrorTypeRequired, field.ErrorTypeTooLong, field.ErrorTypeTooMany, field.ErrorTypeTypeInvalid:
			return true, field.Invalid(nil, nil, "some validation rules were not checked because the object was invalid; correct the existing errors to complete validation")
		}
	}
	return false, nil
}

func decodeError(p *field.Path, detail string) *field.Error {
	e := field.Invalid(p, field.OmitValueType{}, detail)
	e.Origin = OriginDecode
	return e
}
