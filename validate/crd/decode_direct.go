package crd

import (
	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"unicode/utf8"

	kjson "sigs.k8s.io/json"
)

// The apiserver turns YAML into its object model in three steps: yaml.v2
// decodes into map[interface{}]interface{} trees, sigs.k8s.io/yaml rewrites
// keys as strings and marshals the tree to JSON, and sigs.k8s.io/json
// decodes that JSON (integers as int64). The converter below takes yaml.v2's
// tree straight to what the last step would produce, reproducing each
// step's effect and error text:
//
//   - keys: int, int64, bool and float64 keys become the strings
//     sigs.k8s.io/yaml makes of them; any other key (null, uint64) is its
//     "unsupported map key" error;
//   - strings: encoding/json writes each byte that is not valid UTF-8 as
//     U+FFFD, in values and keys alike, so two keys may become one: the JSON
//     then holds a duplicate field, reported by sigs.k8s.io/json;
//   - numbers: a float64 reaches JSON in encoding/json's shortest form, which
//     sigs.k8s.io/json reads back as int64 when it has no '.' and fits; NaN
//     and infinities cannot be marshalled at all;
//   - a document that is not a mapping is the JSON decoder's type error.

// maxJSONDepth is sigs.k8s.io/json's nesting limit (its scanner's
// maxNestingDepth): deeper documents fail there with a syntax error, which
// the converter does not reproduce.
const maxJSONDepth = 10000

// directFallbacks counts documents the converter handed to the JSON round
// trip (only documents nested deeper than maxJSONDepth, or a type yaml.v2
// was never seen to produce). Tests read it.
var directFallbacks atomic.Int64

// converter turns one yaml.v2 tree into the JSON object model.
type converter struct {
	// ordered converts every mapping in the order encoding/json writes it
	// (keys sorted as sigs.k8s.io/yaml made them) and records the duplicate
	// fields the JSON decoder would report. Only needed when repairing
	// UTF-8 made two keys equal; the unordered pass detects that.
	ordered bool
	path    []string // the JSON decoder's field stack, ordered only
	dups    []string // duplicate field paths, ordered only
	seen    map[string]bool

	err       error // the YAML-to-JSON conversion's error (a key)
	collided  bool  // two keys of a mapping became one
	nonFinite bool  // a NaN or infinity: json.Marshal fails on it
	fallback  bool  // something this converter does not reproduce
}

func (c *converter) value(v any, depth int) any {
	switch t := v.(type) {
	case nil:
		return nil
	case bool:
		return t
	case string:
		return jsonString(t)
	case int:
		return int64(t)
	case int64:
		return t
	case uint64:
		// Marshalled in decimal: an int64 where it fits, else a float64.
		if t <= math.MaxInt64 {
			return int64(t)
		}
		return float64(t)
	case float64:
		if math.IsNaN(t) || math.IsInf(t, 0) {
			c.nonFinite = true
			return t
		}
		return jsonFloat(t)
	case map[any]any:
		if depth > maxJSONDepth {
			c.fallback = true
			return nil
		}
		if c.ordered {
			return c.orderedObject(t, depth)
		}
		return c.object(t, depth)
	case []any:
		if depth > maxJSONDepth {
			c.fallback = true
			return nil
		}
		out := make([]any, len(t))
		n := len(c.path)
		for i, x := range t {
			if c.ordered {
				c.path = append(c.path, "[", strconv.Itoa(i), "]")
			}
			out[i] = c.value(x, depth+1)
			c.path = c.path[:n]
			if c.err != nil || c.fallback {
				return nil
			}
		}
		return out
	}
	c.fallback = true
	return nil
}

func (c *converter) object(m map[any]any, depth int) any {
	out := make(map[string]any, len(m))
	repaired := false
	for k, v := range m {
		key, ok := jsonKey(k)
		if !ok {
			c.err = keyError(k, v)
			return nil
		}
		if !utf8.ValidString(key) {
			key, repaired = jsonString(key), true
		}
		out[key] = c.value(v, depth+1)
		if c.err != nil || c.fallback {
			return nil
		}
	}
	if repaired && !c.collided {
		// Keys that were already equal as strings (1 and "1") are merged
		// by sigs.k8s.io/yaml in map order, before JSON; only keys made
		// equal by the repair reach the JSON decoder as duplicates.
		distinct := make(map[string]struct{}, len(m))
		for k := range m {
			key, _ := jsonKey(k)
			distinct[key] = struct{}{}
		}
		c.collided = len(distinct) != len(out)
	}
	return out
}

// orderedObject is object in encoding/json's key order, recording the JSON
// decoder's duplicate fields.
func (c *converter) orderedObject(m map[any]any, depth int) any {
	type entry struct {
		key string
		v   any
	}
	entries := make([]entry, 0, len(m))
	index := make(map[string]int, len(m))
	for k, v := range m {
		key, ok := jsonKey(k)
		if !ok {
			c.err = keyError(k, v)
			return nil
		}
		if i, dup := index[key]; dup {
			entries[i].v = v
			continue
		}
		index[key] = len(entries)
		entries = append(entries, entry{key, v})
	}
	slices.SortFunc(entries, func(a, b entry) int { return strings.Compare(a.key, b.key) })
	out := make(map[string]any, len(entries))
	n := len(c.path)
	for _, e := range entries {
		key := jsonString(e.key)
		if _, dup := out[key]; dup {
			c.duplicate(key)
		}
		if n > 0 {
			c.path = append(c.path, ".", key)
		} else {
			c.path = append(c.path, key)
		}
		out[key] = c.value(e.v, depth+1)
		c.path = c.path[:n]
		if c.err != nil || c.fallback {
			return nil
		}
	}
	return out
}

// duplicate records a duplicate field as sigs.k8s.io/json does: at most
// 100, each path once.
func (c *converter) duplicate(key string) {
	p := key
	if len(c.path) > 0 {
		p = strings.Join(c.path, "") + "." + key
	}
	if len(c.dups) >= 100 || c.seen[p] {
		return
	}
	if c.seen == nil {
		c.seen = map[string]bool{}
	}
	c.seen[p] = true
	c.dups = append(c.dups, p)
}

// jsonKey is the string sigs.k8s.io/yaml makes of a mapping key; ok is false
// for the keys it rejects.
func jsonKey(k any) (string, bool) {
	switch k := k.(type) {
	case string:
		return k, true
	case int:
		return strconv.Itoa(k), true
	case int64:
		return strconv.FormatInt(k, 10), true
	case float64:
		// Formatted at float32 precision, as yaml.v2 writes floats.
		s := strconv.FormatFloat(k, 'g', -1, 32)
		switch s {
		case "+Inf":
			s = ".inf"
		case "-Inf":
			s = "-.inf"
		case "NaN":
			s = ".nan"
		}
		return s, true
	case bool:
		if k {
			return "true", true
		}
		return "false", true
	}
	return "", false
}

func keyError(k, v any) error {
	return fmt.Errorf("unsupported map key of type: %s, key: %+#v, value: %+#v", reflect.TypeOf(k), k, v)
}

// jsonString is s as it comes back from JSON: encoding/json writes each
// byte that does not start a valid UTF-8 sequence as U+FFFD.
func jsonString(s string) string {
	if utf8.ValidString(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 8)
	for _, r := range s { // an invalid byte ranges as one utf8.RuneError
		b.WriteRune(r)
	}
	return b.String()
}

// jsonFloat is the value sigs.k8s.io/json decodes from encoding/json's
// text for a finite f: that text has no '.' exactly when f is integral and
// below 1e21, and then it is an int64 if its digits fit one.
func jsonFloat(f float64) any {
	if f != math.Trunc(f) {
		return f
	}
	a := math.Abs(f)
	if a < 1<<53 {
		// Every integer below 2^53 is a float64, so the shortest text of
		// f is its exact digits (-0 is written "-0", read as 0).
		return int64(f)
	}
	if a >= 1e21 {
		return f // written with an exponent: read back as float64
	}
	// Above 2^53 the shortest text may differ from f's exact value.
	var buf [32]byte
	b := strconv.AppendFloat(buf[:0], f, 'f', -1, 64)
	if i, err := strconv.ParseInt(string(b), 10, 64); err == nil {
		return i
	}
	return f
}

// marshalError is the error json.Marshal gives for the tree y: the first
// NaN or infinity in the order it writes (keys sorted).
func marshalError(y any) error {
	f, ok := firstNonFinite(y)
	if !ok {
		return nil
	}
	_, err := json.Marshal(f)
	return err
}

func firstNonFinite(v any) (float64, bool) {
	switch t := v.(type) {
	case float64:
		return t, math.IsNaN(t) || math.IsInf(t, 0)
	case []any:
		for _, x := range t {
			if f, ok := firstNonFinite(x); ok {
				return f, true
			}
		}
	case map[any]any:
		byKey := make(map[string]any, len(t))
		for k, x := range t {
			key, _ := jsonKey(k)
			byKey[key] = x
		}
		keys := make([]string, 0, len(byKey))
		for k := range byKey {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			if f, ok := firstNonFinite(byKey[k]); ok {
				return f, true
			}
		}
	}
	return 0, false
}

// topLevelError is the JSON decoder's error for a document v that is not
// an object, asked of sigs.k8s.io/json itself with a value of v's kind
// (its message names only the kind).
func topLevelError(v any) error {
	lit := "0"
	switch v.(type) {
	case []any:
		lit = "[]"
	case string:
		lit = `""`
	case bool:
		lit = "false"
	}
	var m map[string]any
	_, err := kjson.UnmarshalStrict([]byte(lit), &m)
	return err
}
