package cluster

import (
	"context"
	"errors"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// ErrNoApplySets is AppliedObjects' answer for a namespace where kubelb-ai
// applied nothing.
var ErrNoApplySets = errors.New("no apply set of kubelb-ai")

// AppliedObjects returns the live members of every apply set kubelb-ai
// recorded in namespace ("" for all), or ErrNoApplySets.
func (c *Client) AppliedObjects(ctx context.Context, namespace string) ([]*unstructured.Unstructured, error) {
	sets, err := c.Sets(ctx, namespace)
	if err != nil {
		return nil, err
	}
	if len(sets) == 0 {
		return nil, ErrNoApplySets
	}
	var objs []*unstructured.Unstructured
	for _, s := range sets {
		members, err := c.Members(ctx, s)
		if err != nil {
			return nil, err
		}
		objs = append(objs, members...)
	}
	return objs, nil
}
