package cluster

import (
	"context"
	"fmt"
	"slices"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// Deletable returns what Delete would delete of objs, in the order it
// would: the reverse of the apply order, without Namespaces (which may hold
// far more than this gateway; KubeLB's own namespace among them), plus the
// apply set's record.
func Deletable(objs []*unstructured.Unstructured, set ApplySet) []*unstructured.Unstructured {
	var out []*unstructured.Unstructured
	steps := Steps(objs)
	for i := len(steps) - 1; i >= 0; i-- {
		for _, o := range steps[i] {
			if !isNamespace(o) {
				out = append(out, o)
			}
		}
	}
	if set.Name != "" {
		out = append(out, set.parent(nil, nil))
	}
	return out
}

// Delete deletes objs (as Deletable orders them); objects already gone
// count as deleted. It returns what it deleted, and stops at the first
// failure. With DryRunClient nothing is sent, and c may be nil.
func (c *Client) Delete(ctx context.Context, objs []*unstructured.Unstructured, dryRun DryRun) ([]string, error) {
	var done []string
	for _, o := range objs {
		if dryRun == DryRunClient {
			done = append(done, ID(o))
			continue
		}
		r, err := c.resource(o)
		if err != nil {
			return done, err
		}
		opts := metav1.DeleteOptions{}
		if dryRun == DryRunServer {
			opts.DryRun = []string{metav1.DryRunAll}
		}
		if err := r.Delete(ctx, o.GetName(), opts); err != nil && !apierrors.IsNotFound(err) {
			return done, fmt.Errorf("deleting %s: %w (deleted before it: %d)", ID(o), err, len(done))
		}
		if !slices.Contains(done, ID(o)) {
			done = append(done, ID(o))
		}
	}
	return done, nil
}
