package cluster

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/pmezard/go-difflib/difflib"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/yaml"
)

// ObjectDiff is the difference between one live object and what applying
// the manifests would make of it.
type ObjectDiff struct {
	ID string `json:"object"`
	// Live and Merged are the objects as YAML, noise removed and Secret
	// values masked; Live is empty for an object that does not exist yet.
	Live   string `json:"live"`
	Merged string `json:"merged"`
	// Unified is the unified diff of Live and Merged, empty when equal.
	Unified string `json:"diff,omitempty"`
}

// Diff asks the API server what applying objs would produce (a server-side
// dry run with kubelb-ai's field manager) and compares it with the live
// objects, as kubectl diff does.
func (c *Client) Diff(ctx context.Context, objs []*unstructured.Unstructured, set ApplySet, forceConflicts bool) ([]ObjectDiff, error) {
	var out []ObjectDiff
	for _, o := range objs {
		if !isNamespace(o) {
			o = set.label(o)
		}
		r, err := c.resource(o)
		if err != nil {
			return nil, err
		}
		var live *unstructured.Unstructured
		switch got, err := r.Get(ctx, o.GetName(), metav1.GetOptions{}); {
		case apierrors.IsNotFound(err):
		case err != nil:
			return nil, fmt.Errorf("%s: %w", ID(o), err)
		default:
			live = got
		}
		data, err := json.Marshal(o.Object)
		if err != nil {
			return nil, err
		}
		merged, err := r.Patch(ctx, o.GetName(), types.ApplyPatchType, data, metav1.PatchOptions{
			FieldManager: FieldManager, FieldValidation: "Strict", Force: &forceConflicts, DryRun: []string{metav1.DryRunAll},
		})
		if apierrors.IsNotFound(err) && live == nil && o.GetNamespace() != "" {
			// The namespace is new too: the dry run cannot place the object,
			// so show it as written.
			merged, err = o.DeepCopy(), nil
		}
		if err != nil {
			if apierrors.IsConflict(err) {
				err = &ConflictError{Message: err.Error()}
			}
			return nil, fmt.Errorf("%s: %w", ID(o), err)
		}
		d := ObjectDiff{ID: ID(o)}
		liveClean, mergedClean := Clean(live), Clean(merged)
		maskSecrets(liveClean, mergedClean)
		if d.Live, err = toYAML(liveClean); err != nil {
			return nil, err
		}
		if d.Merged, err = toYAML(mergedClean); err != nil {
			return nil, err
		}
		if d.Live != d.Merged {
			from := "live " + d.ID
			if live == nil {
				from = "/dev/null"
			}
			d.Unified, _ = difflib.GetUnifiedDiffString(difflib.UnifiedDiff{
				A: difflib.SplitLines(d.Live), B: difflib.SplitLines(d.Merged),
				FromFile: from, ToFile: "merged " + d.ID, Context: 3,
			})
		}
		out = append(out, d)
	}
	return out, nil
}

// Clean returns a copy of a live object without what changes without
// anyone editing it, as kubectl diff leaves it out: server bookkeeping and
// status.
func Clean(o *unstructured.Unstructured) map[string]any {
	if o == nil {
		return nil
	}
	c := o.DeepCopy().Object
	delete(c, "status")
	if md, ok := c["metadata"].(map[string]any); ok {
		for _, k := range []string{"managedFields", "resourceVersion", "generation", "uid", "creationTimestamp", "selfLink"} {
			delete(md, k)
		}
		if len(md) == 0 {
			delete(c, "metadata")
		}
	}
	return c
}

// maskSecrets replaces Secret values as kubectl diff does: "***" when equal
// on both sides, "*** (before)" and "*** (after)" when they differ.
func maskSecrets(live, merged map[string]any) {
	if kindOf(live) != "Secret" && kindOf(merged) != "Secret" {
		return
	}
	for _, field := range []string{"data", "stringData"} {
		l, _ := live[field].(map[string]any)
		m, _ := merged[field].(map[string]any)
		for k, lv := range l {
			if mv, ok := m[k]; ok && mv != lv {
				l[k], m[k] = "*** (before)", "*** (after)"
			} else {
				l[k] = "***"
				if ok {
					m[k] = "***"
				}
			}
		}
		for k := range m {
			if _, ok := l[k]; !ok {
				m[k] = "***"
			}
		}
	}
}

func kindOf(o map[string]any) string {
	k, _ := o["kind"].(string)
	return k
}

func toYAML(o map[string]any) (string, error) {
	if o == nil {
		return "", nil
	}
	b, err := yaml.Marshal(o)
	return strings.TrimSpace(string(b)) + "\n", err
}
