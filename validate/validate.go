// Package validate checks Kubernetes manifests offline the way the API server
// would for one target, and lints them for the AI gateway's known pitfalls.
// It works on manifests only (never on a Spec): the loader reads documents
// with positions, crd checks each against the target's schemas (structure,
// defaults, CEL), and the checks here add what only this tool knows.
package validate

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"maps"
	"regexp"
	goruntime "runtime"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	corev1 "k8s.io/api/core/v1"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/kubelb-ai/kubelb-ai/dataplane"
	"github.com/kubelb-ai/kubelb-ai/schemas"
	"github.com/kubelb-ai/kubelb-ai/templates"
	"github.com/kubelb-ai/kubelb-ai/validate/crd"
	"github.com/kubelb-ai/kubelb-ai/validate/loader"
)

// Severity of a finding.
type Severity string

// Severities, most severe first.
const (
	SeverityError   Severity = "error"
	SeverityWarning Severity = "warning"
)

// Rule IDs of the checks in this package.
const (
	RuleYAML         = "yaml"
	RuleUnknownKind  = "unknown-kind"
	RuleUnknownField = "unknown-field"
	RuleSchema       = "schema"
	RuleCEL          = "cel"
	RuleNotValidated = "no-schema"
)

// Finding is one problem, located in the input.
type Finding struct {
	File     string   `json:"file"`
	Line     int      `json:"line"`
	Column   int      `json:"column"`
	Object   string   `json:"object,omitempty"`
	Path     string   `json:"path,omitempty"`
	Severity Severity `json:"severity"`
	Rule     string   `json:"rule"`
	Message  string   `json:"message"`
	Fix      string   `json:"fix,omitempty"`
	// Excerpt is the source line at Line, credentials masked, for reports
	// that show it (text); empty when unknown. It is cut from the text the
	// finding was found in, so a reporter never reads an input again.
	Excerpt string `json:"-"`
	// assumed: the rule had to assume what the inputs do not say, so the
	// finding may be a false alarm, and Options.Strict leaves it a warning
	// (assume marks one; the message says what was assumed).
	assumed bool
	// at is the document a set rule's finding is about, until place gives
	// the finding its position (Line and Column are unset until then).
	at *loader.Document
}

// assume marks f as found on an assumption the inputs do not confirm.
func assume(f Finding) Finding {
	f.assumed = true
	return f
}

// ErrUnknownRule is an --enable or --disable that names no rule: a usage
// error.
var ErrUnknownRule = errors.New("unknown rule")

// ErrBadSeverity is a severity override that is neither error nor warning:
// a usage error.
var ErrBadSeverity = errors.New("unknown severity")

// Options configure a Validator.
type Options struct {
	// Target is the data plane whose schemas apply.
	Target string
	// Versions picks the CRD releases that judge (the KubeLB release, or
	// the data plane's and the Gateway API's versions); empty fields take
	// what the target's newest KubeLB release runs.
	Versions templates.CRDVersions
	// CRDs are extra CRD files or directories; their kinds replace the
	// embedded ones (e.g. a chart's CRDs, the authoritative schema).
	CRDs []string
	// Strict makes the findings of the reference rules (StrictRules:
	// duplicate-object, ref-*, failover-mixed, policy-conflict) errors
	// instead of warnings, except those found on an assumption (assume).
	Strict bool
	// Namespace is where objects that name none are assumed to be, as
	// kubectl's -n; empty: default.
	Namespace string
	// Disable turns lint and reference rules off; Enable turns them back on.
	Disable, Enable []string
	// Severity sets the severity of a lint or reference rule's findings,
	// whatever Strict says (--severity RULE=error|warning).
	Severity map[string]Severity
}

// Validator validates documents for one target. It is safe for concurrent use.
type Validator struct {
	target   templates.Target
	dp       dataplane.Adapter
	versions templates.CRDVersions
	set      *crd.Set
	opts     Options
}

// New compiles the embedded schemas of the target's data plane and the
// Gateway API, in the releases opts.Versions picks, and any user CRDs.
func New(opts Options) (*Validator, error) {
	t, err := templates.LookupTarget(opts.Target)
	if err != nil {
		return nil, err
	}
	dp, err := dataplane.Lookup(t.Name)
	if err != nil {
		return nil, err
	}
	versions, err := opts.Versions.Resolve(t.Name)
	if err != nil {
		return nil, err
	}
	sets := []string{schemas.GatewayAPISet(versions.GatewayAPI, versions.Channel), schemas.DataPlaneSet(versions.Project, versions.DataPlane)}
	if versions.InferenceExtension != "" {
		// InferencePools and their companions, of the Inference Extension
		// release the data plane was built against.
		sets = append(sets, schemas.InferenceExtensionSet(versions.InferenceExtension))
	}
	set, err := embeddedSet(sets...)
	if err != nil {
		return nil, err
	}
	if len(opts.CRDs) > 0 {
		if err := set.AddFiles(opts.CRDs...); err != nil {
			return nil, fmt.Errorf("--crd: %w", err)
		}
	}
	for _, id := range append(slices.Clone(opts.Disable), opts.Enable...) {
		if !slices.Contains(LintRules, id) && !isRefRule(id) {
			return nil, fmt.Errorf("%w %q: lint and reference rules are %s", ErrUnknownRule, id, strings.Join(SettableRules(), ", "))
		}
	}
	for _, id := range slices.Sorted(maps.Keys(opts.Severity)) {
		if !slices.Contains(LintRules, id) && !isRefRule(id) {
			return nil, fmt.Errorf("%w %q for --severity: lint and reference rules are %s", ErrUnknownRule, id, strings.Join(SettableRules(), ", "))
		}
		if s := opts.Severity[id]; s != SeverityError && s != SeverityWarning {
			return nil, fmt.Errorf("%w %q for rule %s: use error or warning", ErrBadSeverity, s, id)
		}
	}
	return &Validator{target: t, dp: dp, versions: versions, set: set, opts: opts}, nil
}

// embeddedSet returns a new set of the named embedded CRD sets' kinds.
func embeddedSet(names ...string) (*crd.Set, error) {
	set := crd.NewSet()
	for _, name := range names {
		crds, err := schemas.Served(name)
		if err != nil {
			return nil, err
		}
		for _, c := range crds {
			// Decoded and compiled when first used: a run seldom needs more
			// than a few of the kinds, and decoding them all is most of a
			// short run. The embedded CRDs are tested to compile.
			set.AddLazy(c.Served, func() (*apiextensionsv1.CustomResourceDefinition, error) { return decodeEmbedded(c) })
		}
	}
	return set, nil
}

// decodeEmbedded returns a new copy of an embedded CRD, which the set
// compiling it may keep and change: decoding the compact form costs less
// than copying a decoded CRD would.
func decodeEmbedded(c schemas.CRD) (*apiextensionsv1.CustomResourceDefinition, error) {
	return c.Decode()
}

// Target returns the target the validator checks for.
func (v *Validator) Target() string { return v.target.Name }

// Report is the outcome of one validation run.
type Report struct {
	Target string `json:"target"`
	// CRDs are the releases whose embedded schemas judged (--crd and
	// --crds-from-cluster replace the kinds they hold).
	CRDs      templates.CRDVersions `json:"crds"`
	Documents int                   `json:"documents"`
	Skipped   []loader.Skipped      `json:"skipped,omitempty"`
	Findings  []Finding             `json:"findings"`
	// Unreadable are inputs that could not be read at all (missing files,
	// no permission): the command reports them as a usage error.
	Unreadable []loader.Problem `json:"-"`
}

// Errors counts findings of severity error.
func (r *Report) Errors() int { return r.count(SeverityError) }

// Warnings counts findings of severity warning.
func (r *Report) Warnings() int { return r.count(SeverityWarning) }

func (r *Report) count(s Severity) int {
	n := 0
	for _, f := range r.Findings {
		if f.Severity == s {
			n++
		}
	}
	return n
}

// Validate checks every document of in: each one as it is read (schema,
// CEL, the lint rules that look at one object), then the references between
// them and the lint rules that need the whole set. Between the two passes it
// keeps only a summary of each document (object), so memory grows little
// with the input. Unreadable input (loader problems with a line)
// becomes yaml findings.
func (v *Validator) Validate(ctx context.Context, in loader.Source) *Report {
	return v.validate(ctx, in, nil)
}

// validate is Validate that ends early, without the checks over the whole
// set, when stop returns true for the next document.
func (v *Validator) validate(ctx context.Context, in loader.Source, stop func(*Report, *loader.Document) bool) *Report {
	r := &Report{Target: v.target.Name, CRDs: v.versions, Findings: []Finding{}}
	if stop == nil {
		defer v.warm(ctx, in)()
	}
	var kept []*object
	scope := newSetScope()
	byFile := map[string][]*loader.Document{}
	stopped := false
	res := in.Walk(func(d *loader.Document) bool {
		if stop != nil && stop(r, d) {
			stopped = true
			return false
		}
		r.Documents++
		for _, f := range v.document(ctx, d) {
			r.add(d, f)
		}
		o := summarize(d, v.namespaced, v.namespace())
		scope.note(d, o)
		for _, f := range v.documentRules(d) {
			switch {
			case scopedRule(f.Rule):
				scope.held = append(scope.held, heldFinding{f, o})
			case !suppressed(d, f):
				f.Severity = v.severity(f)
				r.add(d, f)
			}
		}
		kept = append(kept, o)
		byFile[d.File] = append(byFile[d.File], o.doc)
		return true
	})
	if stopped {
		return r
	}
	r.Skipped = res.Skipped
	for _, p := range res.Problems {
		if p.Unreadable {
			r.Unreadable = append(r.Unreadable, p)
			continue
		}
		// The loader masked what it could not decode.
		r.add(nil, Finding{File: p.File, Line: p.Line, Column: 1, Severity: SeverityError, Rule: RuleYAML, Message: p.Message, Excerpt: p.Excerpt})
	}
	r.Findings = append(r.Findings, place(append(v.setRules(kept, scope), v.decide(scope, kept)...), byFile)...)
	sort.SliceStable(r.Findings, func(i, j int) bool {
		a, b := r.Findings[i], r.Findings[j]
		if a.File != b.File {
			return a.File < b.File
		}
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		if a.Column != b.Column {
			return a.Column < b.Column
		}
		// At one position, by field and rule: a schema's errors come in the
		// order of a map's iteration, and output must not change run to run.
		if a.Path != b.Path {
			return a.Path < b.Path
		}
		return a.Rule < b.Rule
	})
	return r
}

// place readies the set rules' findings for the report: each gets its
// position (a set rule names a document and a path), is dropped if a
// comment suppresses it, and is masked as Report.add masks. They come pass
// by pass (references, then lints), each pass over every file, while the
// loader keeps the text and position index of one dropped (Lighten)
// document at a time; so they are handled in document order, each document
// read and indexed once rather than once per pass and finding. The kept
// findings are returned in their order.
func place(fs []Finding, byFile map[string][]*loader.Document) []Finding {
	keep := make([]bool, len(fs))
	var order []int
	for i := range fs {
		if fs[i].at == nil {
			// Found per document and positioned then (scope's held findings).
			fs[i].at = docAt(byFile[fs[i].File], fs[i].Line)
		}
		if fs[i].at == nil {
			keep[i] = true
		} else {
			order = append(order, i)
		}
	}
	slices.SortStableFunc(order, func(i, j int) int {
		a, b := fs[i].at, fs[j].at
		return cmp.Or(strings.Compare(a.File, b.File), cmp.Compare(a.Line, b.Line), cmp.Compare(a.ListItem, b.ListItem))
	})
	for _, i := range order {
		f := &fs[i]
		d := f.at
		f.at = nil
		if f.Line == 0 {
			f.Line, f.Column = d.Position(f.Path)
		}
		if !suppressed(d, *f) {
			*f, keep[i] = masked(d, *f), true
		}
	}
	out := fs[:0]
	for i, f := range fs {
		if keep[i] {
			out = append(out, f)
		}
	}
	return out
}

// warmDocs is how many documents warm reads ahead.
const warmDocs = 32

// warm validates the first warmDocs documents of in on another goroutine,
// from the last, while the walk validates them in order: a short run (a
// pre-commit hook's or an editor's file) is mostly compiling the schemas
// and rules of the kinds its documents use, and this compiles them on two
// cores at once. The findings do not change: the set compiles each kind and
// rule once whoever asks first, and gives the walk what it found for the
// same content from its cache (which tests hold equal to validating
// again). It returns a function that stops the goroutine and waits for it.
func (v *Validator) warm(ctx context.Context, in loader.Source) (stop func()) {
	if goruntime.GOMAXPROCS(0) < 2 {
		return func() {}
	}
	var objs []map[string]any
	in.Walk(func(d *loader.Document) bool {
		objs = append(objs, d.Object)
		return len(objs) < warmDocs
	})
	if len(objs) < 2 {
		return func() {}
	}
	var done atomic.Bool
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := len(objs) - 1; i > 0 && !done.Load(); i-- {
			v.set.Validate(ctx, objs[i])
		}
	}()
	return func() {
		done.Store(true)
		wg.Wait()
	}
}

// documentRules runs the enabled lint and reference rules that need only
// one object.
func (v *Validator) documentRules(d *loader.Document) []Finding {
	out := v.lintDocument(d, v.enabled)
	if v.enabled(RuleFailoverMixed) {
		av, kind := d.Kind()
		for _, is := range dataplane.MixedFailover(av, kind, d.Object) {
			line, col := d.Position(is.Path)
			out = append(out, Finding{File: d.File, Line: line, Column: col, Object: objectName(d), Path: is.Path, Rule: RuleFailoverMixed, Message: is.Message, Fix: is.Fix})
		}
	}
	return out
}

// setRules runs the enabled reference and lint rules over the whole set.
func (v *Validator) setRules(objs []*object, scope *setScope) []Finding {
	var out []Finding
	for _, f := range append(v.references(objs), v.lintSet(objs, scope, v.enabled)...) {
		if v.enabled(f.Rule) {
			f.Severity = v.severity(f)
			out = append(out, f)
		}
	}
	return out
}

// severity is the severity of a lint or reference rule's finding: what
// Options.Severity sets for the rule; else an error for a reference rule
// under Options.Strict (the API server accepts dangling references, so
// they are warnings by default) unless the finding is assumed; else a
// warning. An assumed finding (the rule had to assume what the inputs do
// not say) stays a warning under Strict, so that CI fails on what is
// surely wrong only.
func (v *Validator) severity(f Finding) Severity {
	if s, ok := v.opts.Severity[f.Rule]; ok {
		return s
	}
	if v.opts.Strict && !f.assumed && isRefRule(f.Rule) {
		return SeverityError
	}
	return SeverityWarning
}

// SettableRules are the rules --disable, --enable and --severity take:
// the lint and reference rules, in the order of Rules.
func SettableRules() []string {
	var out []string
	for _, r := range Rules {
		if slices.Contains(LintRules, r.ID) || isRefRule(r.ID) {
			out = append(out, r.ID)
		}
	}
	return out
}

// StrictRules are the rules Options.Strict promotes to errors.
func StrictRules() []string { return slices.Clone(refRules) }

// document validates one object in the API server's order.
func (v *Validator) document(ctx context.Context, d *loader.Document) []Finding {
	var out []Finding
	object := objectName(d)
	add := func(path string, sev Severity, rule, msg, fix string) {
		if path == "<nil>" { // the API server's name for no field
			path = ""
		}
		line, col := d.Position(path)
		out = append(out, Finding{File: d.File, Line: line, Column: col, Object: object, Path: path, Severity: sev, Rule: rule, Message: msg, Fix: fix})
	}
	for _, e := range d.DecodeErrors {
		f := Finding{File: d.File, Line: d.Line, Column: 1, Object: object, Path: e.Field, Severity: SeverityError, Rule: RuleYAML, Message: e.Detail,
			Fix: "remove one of the duplicate keys; the API server rejects them under strict field validation"}
		if n := yamlLine(e.Detail); n > 0 {
			f.Line = d.Line + n - 1 // the YAML decoder counts from the document start
		} else if e.Field != "" && e.Field != "<nil>" {
			f.Line, f.Column = d.Position(e.Field)
		}
		out = append(out, f)
	}
	apiVersion, kind := d.Kind()
	gv, err := schema.ParseGroupVersion(apiVersion)
	if err != nil {
		add("apiVersion", SeverityError, RuleSchema, fmt.Sprintf("invalid apiVersion %q: %v", apiVersion, err), "")
		return out
	}
	gvk := gv.WithKind(kind)
	if !strings.Contains(apiVersion, "/") && apiVersion != "v1" {
		add("apiVersion", SeverityError, RuleUnknownKind, fmt.Sprintf("apiVersion %q has no version (the API server finds no kind %s in version %q)", apiVersion, kind, apiVersion), v.versionHint(apiVersion, kind))
		return out
	}
	if gv.Group != "" && !strings.Contains(gv.Group, ".") && !slices.Contains(builtinGroups, gv.Group) {
		// Custom resource groups need a dot; dotless ones are all built in.
		add("apiVersion", SeverityError, RuleUnknownKind, fmt.Sprintf("no API group %q: apiVersion %q is malformed", gv.Group, apiVersion), "apiVersion is VERSION for core kinds (v1) or GROUP/VERSION, e.g. gateway.networking.k8s.io/v1")
		return out
	}
	if gv.Group == "" && !coreKnows(kind) {
		add("kind", SeverityError, RuleUnknownKind, fmt.Sprintf("no kind %q in the core API version %q", kind, apiVersion), "kinds are case-sensitive"+suggestKind(kind))
		return out
	}
	if !v.set.Lookup(gvk) {
		if core, ok := coreKinds[gvk]; ok {
			for _, e := range core(d.Object) {
				rule := RuleSchema
				if e.Origin == crd.OriginUnknownField {
					rule = RuleUnknownField
				}
				add(e.Field, SeverityError, rule, errorText(e), "")
			}
			return out
		}
		msg, fix, sev := v.unknownKind(gvk, d)
		add("kind", sev, ruleForUnknown(sev), msg, fix)
		return out
	}
	for _, e := range v.set.Validate(ctx, d.Object) {
		rule, fix := RuleSchema, ""
		switch e.Origin {
		case crd.OriginUnknownField:
			rule, fix = RuleUnknownField, unknownFieldFix(gvk, e.Field)
			if fix == "" {
				fix = v.fieldOfOtherRelease(gvk, d.Object, e.Field)
			}
		case crd.OriginCEL:
			rule = RuleCEL
		case crd.OriginDuplicateField:
			rule = RuleYAML
		}
		add(e.Field, SeverityError, rule, errorText(e), fix)
	}
	return out
}

func ruleForUnknown(s Severity) string {
	if s == SeverityWarning {
		return RuleNotValidated
	}
	return RuleUnknownKind
}

// errorText is the API server's message for e without the field path, which
// the finding carries separately.
func errorText(e *field.Error) string {
	return e.ErrorBody()
}

func objectName(d *loader.Document) string {
	_, kind := d.Kind()
	ns, name := d.Name()
	switch {
	case ns != "":
		return kind + " " + ns + "/" + name
	case name != "":
		return kind + " " + name
	}
	return kind
}

// ownGroups are the groups whose kinds kubelb-ai knows, the Gateway API's
// and the data planes': an unknown kind there is an error.
// Made on first use: listing them loads the targets' catalog.
var ownGroups = sync.OnceValue(func() []string {
	return append([]string{gatewayGroup}, dataplane.Groups()...)
})

// kindOfOtherRelease explains a kind that another release of the same data
// plane has, e.g. AgentgatewayModel, new in agentgateway v1.4.1.
func (v *Validator) kindOfOtherRelease(gvk schema.GroupVersionKind) (msg, fix string, ok bool) {
	for _, r := range slices.Backward(v.target.CRDs.Releases) {
		if r == v.versions.DataPlane {
			continue
		}
		if kinds, err := schemas.Kinds(schemas.DataPlaneSet(v.target.CRDs.Project, r)); err == nil && slices.Contains(kinds, gvk.GroupKind()) {
			return fmt.Sprintf("%s is a kind of %s %s; %s %s does not have it", gvk.Kind, v.target.CRDs.Project, r, v.target.CRDs.Project, v.versions.DataPlane),
				fmt.Sprintf("if the cluster runs %s %s, validate with --data-plane-version %s; else remove it", v.target.CRDs.Project, r, r), true
		}
	}
	return "", "", false
}

// kindsOf lists the kinds of a target's newest data-plane release.
func kindsOf(t templates.Target) ([]schema.GroupKind, error) {
	return schemas.Kinds(schemas.DataPlaneSet(t.CRDs.Project, t.CRDs.Releases[len(t.CRDs.Releases)-1]))
}

// unknownKind explains a kind the target has no schema for.
func (v *Validator) unknownKind(gvk schema.GroupVersionKind, d *loader.Document) (msg, fix string, sev Severity) {
	if !slices.Contains(ownGroups(), gvk.Group) {
		return fmt.Sprintf("%s is not validated: kubelb-ai has no schema for it", gvk.GroupVersion().WithKind(gvk.Kind)),
			"pass its CRD with --crd FILE, or ignore this warning", SeverityWarning
	}
	if dataplane.IsTutorialRateLimit(gvk.GroupVersion().String(), gvk.Kind) {
		return v.rateLimitPolicy(d)
	}
	if msg, fix, ok := v.kindOfOtherRelease(gvk); ok {
		return msg, fix, SeverityError
	}
	for _, t := range templates.Targets() {
		if t.Name == v.target.Name {
			continue
		}
		if kinds, err := kindsOf(t); err == nil && slices.Contains(kinds, gvk.GroupKind()) {
			return fmt.Sprintf("%s is a %s kind; target %s does not have it", gvk.Kind, t.Name, v.target.Name),
				fmt.Sprintf("validate with --target %s if that is what the cluster runs; %s uses other kinds (kubelb-ai generate --target %s renders them)", t.Name, v.target.Name, v.target.Name), SeverityError
		}
	}
	var known []string
	for _, k := range v.set.GVKs() {
		if k.Group == gvk.Group {
			known = append(known, k.Version+"/"+k.Kind)
		}
	}
	return fmt.Sprintf("unknown kind %s in %s for target %s", gvk.Kind, gvk.GroupVersion(), v.target.Name),
		"known kinds of " + gvk.Group + ": " + strings.Join(known, ", "), SeverityError
}

var yamlLineRE = regexp.MustCompile(`line (\d+)`)

// yamlLine returns the line a YAML decoder message names, or 0.
func yamlLine(msg string) int {
	m := yamlLineRE.FindStringSubmatch(msg)
	if m == nil {
		return 0
	}
	n, _ := strconv.Atoi(m[1])
	return n
}

func (v *Validator) enabled(rule string) bool {
	return !slices.Contains(v.opts.Disable, rule) || slices.Contains(v.opts.Enable, rule)
}

// docAt returns the document of docs (one file's, in order) holding line.
func docAt(docs []*loader.Document, line int) *loader.Document {
	for i := len(docs) - 1; i >= 0; i-- {
		if docs[i].Line <= line {
			return docs[i]
		}
	}
	return nil
}

// add puts f, found in d, into the report. Every finding enters a report
// here, which is why masking is done here: f gets its excerpt, and every
// credential of d is masked in it and in its text, whatever the finding is
// about (an unknown field on the line of a key, an enum error quoting one),
// so no reporter, of any format, can show one. Without d (input the loader
// could not decode into documents) f comes masked by the loader, the only
// one that had its text.
func (r *Report) add(d *loader.Document, f Finding) {
	if d != nil {
		f = masked(d, f)
	}
	r.Findings = append(r.Findings, f)
}

// masked gives f its excerpt, credentials masked, and masks them in its
// message and fix. A variable only so that a test can take it away and
// show that its leak checks then fail.
var masked = func(d *loader.Document, f Finding) Finding {
	f.Excerpt, _ = d.Excerpt(f.Line)
	f.Message, f.Fix = d.Redact(f.Path, f.Message), d.Redact(f.Path, f.Fix)
	return f
}

// RuleInfo describes a rule for reports and docs/validate.md.
type RuleInfo struct {
	ID      string
	Summary string
}

// Rules lists every rule ID a finding can carry.
var Rules = []RuleInfo{
	{RuleYAML, "the input is not valid YAML or JSON, or repeats a key"},
	{RuleUnknownKind, "the apiVersion/kind does not exist for the target (e.g. the tutorial's RateLimitPolicy)"},
	{RuleUnknownField, "a field the schema does not declare (rejected under kubectl's strict validation)"},
	{RuleSchema, "a value violates the schema: type, enum, format, range, pattern, required, list keys, metadata rules"},
	{RuleCEL, "a CEL rule of the CRD (x-kubernetes-validations) fails"},
	{RuleNotValidated, "a kind kubelb-ai has no schema for; pass its CRD with --crd"},
	{RuleDuplicate, "the same object is defined twice"},
	{RuleRefUnresolved, "a reference to an object that is not among the inputs"},
	{RuleRefInvalid, "a reference the target cannot use: wrong kind for the target, no matching listener, a namespace the listener does not admit"},
	{RuleRefGrant, "a cross-namespace backend reference without a ReferenceGrant"},
	{RuleRefSecretKey, "a referenced Secret lacks the key the data plane reads (Authorization, or accessKey/secretKey for AWS)"},
	{RuleFailoverMixed, "a kgateway AI backend served by the Envoy class fails over between providers of different types, which the Envoy data plane rejects"},
	{RulePolicyClash, "two AgentgatewayPolicies set the same singular field on one target; agentgateway silently drops one"},
	{RuleInlineKey, "an API key written into a manifest (a Secret value that is not a $VAR or ${VAR} placeholder, an inline token, auth.key)"},
	{RuleDevImage, "a development image tag (-main, latest, ...) instead of a release"},
	{RuleNoRateLimit, "a route to an LLM without a rate limit"},
	{RuleBearerPrefix, "an agentgateway key stored with a \"Bearer \" prefix, which agentgateway adds itself"},
	{RuleGatewayClass, "a Gateway class that does not serve the target's AI kinds, or kgateway v2.1's class agentgateway, which KubeLB 1.3's chart leaves off"},
	{RuleTenantGateway, "KubeLB's tenant Gateway class (kubelb) in a set that holds AI objects"},
	{RuleNoRouteTypes, "an agentgateway AI backend without policies.ai.routes, so every path is handled as chat completions"},
	{RuleAuthHeaderClash, "API keys read from Authorization on a route whose backend passes the client's Authorization to the provider"},
	{RuleFailClosedSingle, "a global rate limit that fails closed on a rate-limit service Deployment of one replica"},
	{RuleKeyHash, "an API-key entry whose keyHash is not sha256: and 64 lowercase hex digits"},
	{RuleDescriptorMatch, "a global rate limit descriptor that no descriptor of the rate-limit ConfigMap for its domain matches"},
	{RuleTokenNoUsage, "a token limit on a route whose backends report no LLM token usage (no LLM backend, or every path Passthrough)"},
	{RuleMCPAuthForwarded, "an MCP target with no credential of its own that receives the client's Authorization header, nothing on its route removing it"},
}

// DocsURL is where each rule is explained, as DocsURL + "#" + rule ID.
const DocsURL = "https://github.com/kubelb-ai/kubelb-ai/blob/main/docs/validate.md"

// versionHint suggests group/version for an apiVersion that is only a group.
func (v *Validator) versionHint(group, kind string) string {
	for _, k := range v.set.GVKs() {
		if k.Group == group && k.Kind == kind {
			return fmt.Sprintf("use apiVersion: %s/%s", group, k.Version)
		}
	}
	return "apiVersion is GROUP/VERSION, e.g. gateway.networking.k8s.io/v1"
}

var (
	coreOnce  sync.Once
	coreTypes map[string]bool
)

// coreKnows reports whether kind is a built-in kind of the core v1 API.
func coreKnows(kind string) bool {
	coreOnce.Do(func() {
		s := runtime.NewScheme()
		_ = corev1.AddToScheme(s)
		coreTypes = map[string]bool{}
		for k := range s.KnownTypes(corev1.SchemeGroupVersion) {
			coreTypes[k] = true
		}
	})
	return coreTypes[kind]
}

func suggestKind(kind string) string {
	coreKnows("")
	for k := range coreTypes {
		if strings.EqualFold(k, kind) {
			return fmt.Sprintf(" (did you mean %s?)", k)
		}
	}
	return ""
}

// builtinGroups are the API groups without a dot that Kubernetes serves.
var builtinGroups = []string{"apps", "batch", "autoscaling", "policy", "extensions"}
