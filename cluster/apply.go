package cluster

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
)

// DryRun modes, as kubectl's --dry-run.
type DryRun string

// The --dry-run values: none sends everything, server asks the API server
// to check without persisting, client sends nothing.
const (
	DryRunNone   DryRun = "none"
	DryRunServer DryRun = "server"
	DryRunClient DryRun = "client"
)

// ApplyOptions configure Apply.
type ApplyOptions struct {
	DryRun         DryRun
	ForceConflicts bool
	// Prune deletes members of Set that objs no longer hold.
	Prune bool
	Set   ApplySet
	// Progress, if set, hears of every object as it is done.
	Progress func(Outcome)
	// Redactor hides secret values in errors.
	Redactor *Redactor
	// Parallel bounds the writes in flight within one step (default 64).
	Parallel int
}

// Outcome is what happened to one object.
type Outcome struct {
	ID     string
	Action string // applied, pruned, failed
	Err    error
}

// ApplyResult accounts for every object: a failure stops the apply after
// the step it happened in, since later steps refer to earlier ones.
type ApplyResult struct {
	Applied      []string
	Failed       []Outcome
	NotAttempted []string
	Pruned       []string
}

// ConflictError is a field-manager conflict: another manager owns fields
// the manifests set.
type ConflictError struct{ Message string }

func (e *ConflictError) Error() string {
	return e.Message + " (another field manager owns these fields: rerun with --force-conflicts to take them over)"
}

// Apply server-side-applies objs in dependency order with field manager
// kubelb-ai and strict field validation, marks them as members of
// opts.Set, and prunes the set's members that objs no longer hold when
// opts.Prune is set. It returns an account of every object even on error.
// With DryRunClient nothing is sent, and c may be nil.
func (c *Client) Apply(ctx context.Context, objs []*unstructured.Unstructured, opts ApplyOptions) (*ApplyResult, error) {
	res := &ApplyResult{}
	members := make([]*unstructured.Unstructured, len(objs))
	var gks []schema.GroupKind
	var namespaces []string
	for i, o := range objs {
		members[i] = o
		if isNamespace(o) {
			// Never a member: pruning a namespace would delete everything
			// in it, whoever applied it.
			continue
		}
		members[i] = opts.Set.label(o)
		gks = append(gks, o.GroupVersionKind().GroupKind())
		namespaces = append(namespaces, o.GetNamespace())
	}
	if opts.DryRun == DryRunClient {
		for _, o := range members {
			res.Applied = append(res.Applied, ID(o))
			c.report(opts, Outcome{ID: ID(o), Action: "applied"})
		}
		return res, nil
	}
	steps := Steps(members)
	if len(steps) > 0 && isNamespace(steps[0][0]) {
		// Namespaces first: the set's record lives in one of them.
		if c.applyStep(ctx, steps[0], opts, res) {
			for _, later := range steps[1:] {
				for _, o := range later {
					res.NotAttempted = append(res.NotAttempted, ID(o))
				}
			}
			return res, fmt.Errorf("%d of %d objects failed; %d not attempted", len(res.Failed), len(objs), len(res.NotAttempted))
		}
		steps = steps[1:]
	}
	// The parent first records every group-kind the set has had, so that a
	// failed run can still be pruned later (KEP-3659).
	previous, err := c.getParent(ctx, opts.Set)
	if err != nil {
		return c.notAttempted(res, slices.Concat(steps...)), err
	}
	if previous != nil {
		gks = append(gks, groupKinds(previous)...)
		namespaces = append(namespaces, namespacesOf(previous)...)
	}
	if err := c.patch(ctx, opts.Set.parent(gks, namespaces), opts); err != nil {
		return c.notAttempted(res, slices.Concat(steps...)), fmt.Errorf("recording the apply set in ConfigMap %s/%s: %w", opts.Set.Namespace, opts.Set.parentName(), err)
	}

	for i, step := range steps {
		failed := c.applyStep(ctx, step, opts, res)
		if failed {
			for _, later := range steps[i+1:] {
				for _, o := range later {
					res.NotAttempted = append(res.NotAttempted, ID(o))
				}
			}
			return res, fmt.Errorf("%d of %d objects failed; %d not attempted", len(res.Failed), len(objs), len(res.NotAttempted))
		}
	}

	if opts.Prune && previous != nil {
		if err := c.prune(ctx, previous, members, opts, res); err != nil {
			return res, err
		}
	}
	var current []schema.GroupKind
	var currentNS []string
	for _, o := range objs {
		if !isNamespace(o) {
			current = append(current, o.GroupVersionKind().GroupKind())
			currentNS = append(currentNS, o.GetNamespace())
		}
	}
	if opts.Prune || previous == nil {
		if err := c.patch(ctx, opts.Set.parent(current, currentNS), opts); err != nil {
			return res, fmt.Errorf("recording the apply set: %w", err)
		}
	}
	return res, nil
}

func (c *Client) report(opts ApplyOptions, o Outcome) {
	if opts.Progress != nil {
		o.Err = redact(opts.Redactor, o.Err)
		opts.Progress(o)
	}
}

func (c *Client) notAttempted(res *ApplyResult, objs []*unstructured.Unstructured) *ApplyResult {
	for _, o := range objs {
		res.NotAttempted = append(res.NotAttempted, ID(o))
	}
	return res
}

// applyStep applies independent objects concurrently; it reports whether
// any failed.
func (c *Client) applyStep(ctx context.Context, objs []*unstructured.Unstructured, opts ApplyOptions, res *ApplyResult) bool {
	parallel := opts.Parallel
	if parallel <= 0 {
		// The API server takes this many at once without queueing them
		// (its default max-requests-inflight is 400).
		parallel = 64
	}
	var mu sync.Mutex
	var wg sync.WaitGroup
	slots := make(chan struct{}, parallel)
	outcomes := make([]Outcome, len(objs))
	for i, o := range objs {
		wg.Add(1)
		slots <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-slots }()
			out := Outcome{ID: ID(o), Action: "applied"}
			if err := c.patch(ctx, o, opts); err != nil {
				out.Action, out.Err = "failed", redact(opts.Redactor, err)
			}
			outcomes[i] = out
			mu.Lock()
			c.report(opts, out)
			mu.Unlock()
		}()
	}
	wg.Wait()
	failed := false
	for _, out := range outcomes {
		if out.Err != nil {
			res.Failed = append(res.Failed, out)
			failed = true
		} else {
			res.Applied = append(res.Applied, out.ID)
		}
	}
	return failed
}

// patch server-side-applies one object.
func (c *Client) patch(ctx context.Context, obj *unstructured.Unstructured, opts ApplyOptions) error {
	r, err := c.resource(obj)
	if err != nil {
		return err
	}
	data, err := json.Marshal(obj.Object)
	if err != nil {
		return err
	}
	po := metav1.PatchOptions{FieldManager: FieldManager, FieldValidation: "Strict", Force: &opts.ForceConflicts}
	if opts.DryRun == DryRunServer {
		po.DryRun = []string{metav1.DryRunAll}
	}
	for attempt := 0; ; attempt++ {
		_, err = r.Patch(ctx, obj.GetName(), types.ApplyPatchType, data, po)
		if !transient(err) || attempt == 3 {
			break
		}
		select {
		case <-ctx.Done():
			return err
		case <-time.After(time.Duration(100<<attempt) * time.Millisecond):
		}
	}
	if isFieldConflict(err) {
		return &ConflictError{Message: err.Error()}
	}
	return err
}

// transient errors are worth another try: the server was busy or lost a
// race, not a refusal of the object.
func transient(err error) bool {
	return apierrors.IsTooManyRequests(err) || apierrors.IsServerTimeout(err) || apierrors.IsTimeout(err) ||
		apierrors.IsServiceUnavailable(err) || apierrors.IsInternalError(err) || (apierrors.IsConflict(err) && !isFieldConflict(err))
}

// isFieldConflict tells server-side apply's field-manager conflicts from
// optimistic-concurrency conflicts (both are 409).
func isFieldConflict(err error) bool {
	var se apierrors.APIStatus
	if !errors.As(err, &se) || !apierrors.IsConflict(err) {
		return false
	}
	if d := se.Status().Details; d != nil {
		for _, c := range d.Causes {
			if c.Type == metav1.CauseTypeFieldManagerConflict {
				return true
			}
		}
	}
	return strings.Contains(err.Error(), "conflict with")
}

func (c *Client) getParent(ctx context.Context, s ApplySet) (*unstructured.Unstructured, error) {
	p := s.parent(nil, nil)
	r, err := c.resource(p)
	if err != nil {
		return nil, err
	}
	got, err := r.Get(ctx, p.GetName(), metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading the apply set %s/%s: %w", s.Namespace, p.GetName(), err)
	}
	if got.GetLabels()[labelApplySetID] != s.ID() {
		return nil, fmt.Errorf("ConfigMap %s/%s exists but is not kubelb-ai's apply set %s", s.Namespace, p.GetName(), s.Name)
	}
	return got, nil
}

// prune deletes the set's members (by label, in the group-kinds and
// namespaces the parent recorded) that are not in keep.
func (c *Client) prune(ctx context.Context, parent *unstructured.Unstructured, keep []*unstructured.Unstructured, opts ApplyOptions, res *ApplyResult) error {
	kept := map[string]bool{}
	for _, o := range keep {
		kept[ID(o)] = true
	}
	selector := labelPartOf + "=" + opts.Set.ID()
	var doomed []doomedObject
	for _, gk := range groupKinds(parent) {
		m, err := c.mapper.RESTMapping(gk)
		if meta.IsNoMatchError(err) {
			continue // the kind's CRD is gone, and its objects with it
		}
		if err != nil {
			return err
		}
		for _, ns := range namespacesOf(parent) {
			var ri interface {
				List(context.Context, metav1.ListOptions) (*unstructured.UnstructuredList, error)
				Delete(context.Context, string, metav1.DeleteOptions, ...string) error
			} = c.dynamic.Resource(m.Resource)
			if m.Scope.Name() == meta.RESTScopeNameNamespace {
				ri = c.dynamic.Resource(m.Resource).Namespace(ns)
			}
			list, err := ri.List(ctx, metav1.ListOptions{LabelSelector: selector})
			if err != nil {
				return fmt.Errorf("listing %s to prune: %w", gk, err)
			}
			for i := range list.Items {
				o := &list.Items[i]
				if id := ID(o); !kept[id] && !slices.ContainsFunc(doomed, func(d doomedObject) bool { return d.id == id }) {
					doomed = append(doomed, doomedObject{id: id, name: o.GetName(), ri: ri})
				}
			}
		}
	}
	// Show everything that goes before deleting any of it.
	for _, d := range doomed {
		c.report(opts, Outcome{ID: d.id, Action: "to prune"})
	}
	for _, d := range doomed {
		do := metav1.DeleteOptions{}
		if opts.DryRun == DryRunServer {
			do.DryRun = []string{metav1.DryRunAll}
		}
		if err := d.ri.Delete(ctx, d.name, do); err != nil && !apierrors.IsNotFound(err) {
			return fmt.Errorf("pruning %s: %w", d.id, err)
		}
		res.Pruned = append(res.Pruned, d.id)
		c.report(opts, Outcome{ID: d.id, Action: "pruned"})
	}
	return nil
}

type doomedObject struct {
	id, name string
	ri       interface {
		Delete(context.Context, string, metav1.DeleteOptions, ...string) error
	}
}

func redact(r *Redactor, err error) error {
	if err == nil || r == nil {
		return err
	}
	var ce *ConflictError
	if errors.As(err, &ce) {
		return &ConflictError{Message: r.Redact(ce.Message)}
	}
	return errors.New(r.Redact(err.Error()))
}

func isNamespace(o *unstructured.Unstructured) bool {
	return o.GetKind() == "Namespace" && o.GroupVersionKind().Group == ""
}
