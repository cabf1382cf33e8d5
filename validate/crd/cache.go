package crd

import (
	"crypto/sha256"
	"encoding/binary"
	"hash"
	"math"
	"slices"
	"sync"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

// maxCachedResults bounds a version's result cache; when it is full the
// cache starts over, so memory stays flat however large the input.
const maxCachedResults = 4096

// results remembers what validating an object of one version found, keyed
// by the object's content without metadata.namespace. Manifest sets repeat
// objects across namespaces (one copy per tenant, environment or overlay),
// and everything the apiserver checks except the namespace itself is a pure
// function of that content: pruning, defaulting, the schema, list keys and
// CEL, whose rules can reach only metadata.name and generateName. The
// namespace-dependent checks (validateMeta) run for every object.
type results struct {
	mu      sync.Mutex
	entries map[[sha256.Size]byte]*result
}

// result is one validation, split where the namespace-dependent metadata
// checks go so that the findings come out in the same order as uncached.
type result struct {
	meta       *metav1.ObjectMeta // as decoded; nil if absent
	decodeErrs field.ErrorList
	schemaErrs field.ErrorList
}

func (c *results) get(key [sha256.Size]byte) *result {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.entries[key]
}

func (c *results) put(key [sha256.Size]byte, r *result) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.entries == nil || len(c.entries) >= maxCachedResults {
		c.entries = map[[sha256.Size]byte]*result{}
	}
	c.entries[key] = r
}

// contentKey hashes obj as the cache key, leaving out metadata.namespace
// when it is a string (any other value is part of the key, since decoding
// reports it). ok is false for values a decoded document cannot hold.
func contentKey(obj map[string]any) (key [sha256.Size]byte, ok bool) {
	h := sha256.New()
	if !writeValue(h, obj, true) {
		return key, false
	}
	h.Sum(key[:0])
	return key, true
}

// writeValue writes a type-tagged, length-prefixed encoding of v with map
// keys sorted, so equal values and only equal values encode alike.
func writeValue(h hash.Hash, v any, root bool) bool {
	var buf [9]byte
	tagged := func(tag byte, n uint64) {
		buf[0] = tag
		binary.LittleEndian.PutUint64(buf[1:], n)
		h.Write(buf[:])
	}
	switch t := v.(type) {
	case nil:
		tagged('n', 0)
	case bool:
		n := uint64(0)
		if t {
			n = 1
		}
		tagged('b', n)
	case int64:
		tagged('i', uint64(t))
	case float64:
		tagged('f', math.Float64bits(t))
	case string:
		tagged('s', uint64(len(t)))
		h.Write([]byte(t))
	case []any:
		tagged('l', uint64(len(t)))
		for _, x := range t {
			if !writeValue(h, x, false) {
				return false
			}
		}
	case map[string]any:
		keys := make([]string, 0, len(t))
		for k := range t {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		tagged('m', uint64(len(keys)))
		for _, k := range keys {
			x := t[k]
			if root && k == "metadata" {
				if md, ok := x.(map[string]any); ok {
					if _, isString := md["namespace"].(string); isString {
						x = withoutNamespace(md)
					}
				}
			}
			tagged('k', uint64(len(k)))
			h.Write([]byte(k))
			if !writeValue(h, x, false) {
				return false
			}
		}
	default:
		return false
	}
	return true
}

func withoutNamespace(md map[string]any) map[string]any {
	out := make(map[string]any, len(md))
	for k, v := range md {
		if k != "namespace" {
			out[k] = v
		}
	}
	return out
}
