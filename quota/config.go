// Package quota enforces limits shared across gateway replicas, with
// envoyproxy/ratelimit's contract: the same configuration file, the same
// descriptor matching, the same fixed windows and the same counters in
// Redis, so an in-process engine, a Redis-backed one and the real rate-limit
// service are interchangeable.
package quota

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// Unit is a limit's window. The values are those of
// envoy.service.ratelimit.v3.RateLimitResponse.RateLimit.Unit.
type Unit int32

// The units the rate-limit service accepts.
const (
	UnitUnknown Unit = 0
	Second      Unit = 1
	Minute      Unit = 2
	Hour        Unit = 3
	Day         Unit = 4
	Month       Unit = 5
	Year        Unit = 6
	Week        Unit = 7
)

var unitNames = map[Unit]string{Second: "second", Minute: "minute", Hour: "hour", Day: "day", Week: "week", Month: "month", Year: "year"}

func (u Unit) String() string {
	if s, ok := unitNames[u]; ok {
		return s
	}
	return "unknown"
}

// Seconds is the window's length. A month is 30 days and a year 365, as
// the service counts them; windows start at multiples of it since the Unix
// epoch.
func (u Unit) Seconds() int64 {
	switch u {
	case Second:
		return 1
	case Minute:
		return 60
	case Hour:
		return 3600
	case Day:
		return 86400
	case Week:
		return 7 * 86400
	case Month:
		return 30 * 86400
	case Year:
		return 365 * 86400
	}
	return 0
}

// Config is one envoyproxy/ratelimit configuration file: the limits of one
// domain.
type Config struct {
	Domain      string
	Descriptors []Descriptor

	root *node
}

// Descriptor is a node of the descriptor tree. A Value of "" matches any
// value of Key, after the exact key and value; a Value containing "*" is a
// wildcard.
type Descriptor struct {
	Key         string
	Value       string
	RateLimit   *RateLimit
	ShadowMode  bool // over-limit answers are reported as OK (counters still count)
	QuotaMode   bool // likewise, but not part of the overall code
	Descriptors []Descriptor
}

// RateLimit is a descriptor's limit.
type RateLimit struct {
	Unit            Unit
	RequestsPerUnit uint32
	Unlimited       bool
	Name            string
	Replaces        []string // names of limits this one switches off in the same request
}

// ParseConfig reads the rate-limit service's configuration file format.
// Unlike the service it rejects keys at the wrong level and values of the
// wrong type; each error names its YAML path.
func ParseConfig(data []byte) (*Config, error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, errors.New("empty configuration")
		}
		return nil, fmt.Errorf("invalid YAML: %w", err)
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); !errors.Is(err, io.EOF) {
		return nil, errors.New("more than one YAML document: one file holds one domain")
	}
	p := parser{}
	cfg := p.root(doc.Content[0])
	if p.err != nil {
		return nil, p.err
	}
	cfg.root = newNode()
	if err := cfg.root.load(cfg.Domain, "descriptors", cfg.Descriptors); err != nil {
		return nil, err
	}
	return cfg, nil
}

// parser walks YAML nodes, keeping the first error with its path.
type parser struct{ err error }

func (p *parser) fail(path string, format string, args ...any) {
	if p.err == nil {
		if path == "" {
			path = "(root)"
		}
		p.err = fmt.Errorf("%s: %s", path, fmt.Sprintf(format, args...))
	}
}

// fields returns a mapping's values by key, rejecting keys not in allowed.
func (p *parser) fields(n *yaml.Node, path string, allowed ...string) map[string]*yaml.Node {
	if n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	if n.Kind != yaml.MappingNode {
		p.fail(path, "want a mapping, got %s", kindName(n))
		return nil
	}
	out := map[string]*yaml.Node{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if k.Kind != yaml.ScalarNode || k.Tag != "!!str" {
			p.fail(path, "keys must be strings")
			return nil
		}
		if !contains(allowed, k.Value) {
			p.fail(join(path, k.Value), "unknown field (want one of %s)", strings.Join(allowed, ", "))
			return nil
		}
		if _, dup := out[k.Value]; dup {
			p.fail(join(path, k.Value), "duplicate field")
			return nil
		}
		if v.Kind == yaml.AliasNode {
			v = v.Alias
		}
		out[k.Value] = v
	}
	return out
}

func (p *parser) root(n *yaml.Node) *Config {
	f := p.fields(n, "", "domain", "descriptors")
	cfg := &Config{}
	if f == nil {
		return cfg
	}
	cfg.Domain = p.str(f["domain"], "domain")
	if cfg.Domain == "" {
		p.fail("domain", "required")
	}
	cfg.Descriptors = p.descriptors(f["descriptors"], "descriptors")
	return cfg
}

func (p *parser) descriptors(n *yaml.Node, path string) []Descriptor {
	if n == nil || isNull(n) {
		return nil
	}
	if n.Kind != yaml.SequenceNode {
		p.fail(path, "want a list, got %s", kindName(n))
		return nil
	}
	out := make([]Descriptor, 0, len(n.Content))
	for i, item := range n.Content {
		at := fmt.Sprintf("%s[%d]", path, i)
		// detailed_metric, value_to_metric and metadata only shape the
		// service's statistics and response metadata: accepted, no effect.
		f := p.fields(item, at, "key", "value", "rate_limit", "shadow_mode", "quota_mode", "descriptors",
			"detailed_metric", "value_to_metric", "metadata", "share_threshold")
		if f == nil {
			return nil
		}
		d := Descriptor{
			Key:        p.str(f["key"], join(at, "key")),
			Value:      p.str(f["value"], join(at, "value")),
			ShadowMode: p.boolean(f["shadow_mode"], join(at, "shadow_mode")),
			QuotaMode:  p.boolean(f["quota_mode"], join(at, "quota_mode")),
		}
		p.boolean(f["detailed_metric"], join(at, "detailed_metric"))
		p.boolean(f["value_to_metric"], join(at, "value_to_metric"))
		if p.boolean(f["share_threshold"], join(at, "share_threshold")) {
			// It changes the counters' keys; nothing here needs it yet.
			p.fail(join(at, "share_threshold"), "not supported")
		}
		if d.Key == "" {
			p.fail(join(at, "key"), "required")
		}
		if rl := f["rate_limit"]; rl != nil && !isNull(rl) {
			d.RateLimit = p.rateLimit(rl, join(at, "rate_limit"))
		}
		d.Descriptors = p.descriptors(f["descriptors"], join(at, "descriptors"))
		out = append(out, d)
	}
	return out
}

func (p *parser) rateLimit(n *yaml.Node, path string) *RateLimit {
	f := p.fields(n, path, "unit", "requests_per_unit", "unlimited", "name", "replaces")
	if f == nil {
		return nil
	}
	rl := &RateLimit{
		RequestsPerUnit: p.uint32(f["requests_per_unit"], join(path, "requests_per_unit")),
		Unlimited:       p.boolean(f["unlimited"], join(path, "unlimited")),
		Name:            p.str(f["name"], join(path, "name")),
	}
	unit := p.str(f["unit"], join(path, "unit"))
	for u, name := range unitNames {
		if strings.EqualFold(unit, name) {
			rl.Unit = u
		}
	}
	switch {
	case rl.Unlimited && rl.Unit != UnitUnknown:
		p.fail(join(path, "unit"), "must not be set when unlimited is true")
	case !rl.Unlimited && rl.Unit == UnitUnknown:
		p.fail(join(path, "unit"), "invalid unit %q (want second, minute, hour, day, week, month or year)", unit)
	}
	if r := f["replaces"]; r != nil && !isNull(r) {
		if r.Kind != yaml.SequenceNode {
			p.fail(join(path, "replaces"), "want a list, got %s", kindName(r))
			return rl
		}
		for i, item := range r.Content {
			at := fmt.Sprintf("%s[%d]", join(path, "replaces"), i)
			rf := p.fields(item, at, "name")
			if rf == nil {
				return rl
			}
			name := p.str(rf["name"], join(at, "name"))
			switch {
			case name == "":
				p.fail(join(at, "name"), "required")
			case name == rl.Name:
				p.fail(join(at, "name"), "a limit cannot replace itself")
			}
			rl.Replaces = append(rl.Replaces, name)
		}
	}
	return rl
}

func (p *parser) str(n *yaml.Node, path string) string {
	if n == nil || isNull(n) {
		return ""
	}
	if n.Kind != yaml.ScalarNode || n.Tag != "!!str" {
		p.fail(path, "want a string, got %s", kindName(n))
		return ""
	}
	return n.Value
}

func (p *parser) boolean(n *yaml.Node, path string) bool {
	if n == nil || isNull(n) {
		return false
	}
	if n.Kind != yaml.ScalarNode || n.Tag != "!!bool" {
		p.fail(path, "want true or false, got %s", kindName(n))
		return false
	}
	b, _ := strconv.ParseBool(n.Value)
	return b
}

func (p *parser) uint32(n *yaml.Node, path string) uint32 {
	if n == nil || isNull(n) {
		return 0
	}
	if n.Kind != yaml.ScalarNode || n.Tag != "!!int" {
		p.fail(path, "want a whole number, got %s", kindName(n))
		return 0
	}
	v, err := strconv.ParseUint(n.Value, 0, 32)
	if err != nil || v > math.MaxUint32 {
		p.fail(path, "want a whole number from 0 to %d, got %s", uint32(math.MaxUint32), n.Value)
		return 0
	}
	return uint32(v)
}

func isNull(n *yaml.Node) bool { return n.Kind == yaml.ScalarNode && n.Tag == "!!null" }

func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		switch n.Tag {
		case "!!str":
			return fmt.Sprintf("the string %q", n.Value)
		case "!!null":
			return "null"
		}
		return n.Value
	}
	return "an unexpected node"
}

func join(path, field string) string {
	if path == "" {
		return field
	}
	return path + "." + field
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// node is the compiled descriptor tree, indexed as the service indexes it:
// children by "key_value", or by "key" when the value is empty.
type node struct {
	children  map[string]*node
	wildcards []wildcard // children whose value holds "*", in file order
	rule      *rule
}

type wildcard struct {
	key   string   // "key_val*ue"
	parts []string // key split at "*"
}

type rule struct {
	RateLimit
	shadow, quota bool
}

func newNode() *node { return &node{children: map[string]*node{}} }

func (n *node) load(prefix, path string, ds []Descriptor) error {
	for i, d := range ds {
		at := fmt.Sprintf("%s[%d]", path, i)
		key := d.Key
		if d.Value != "" {
			key += "_" + d.Value
		}
		if _, dup := n.children[key]; dup {
			return fmt.Errorf("%s: duplicate descriptor %s", at, prefix+"."+key)
		}
		child := newNode()
		if d.RateLimit != nil {
			child.rule = &rule{RateLimit: *d.RateLimit, shadow: d.ShadowMode, quota: d.QuotaMode}
		}
		if strings.Contains(key, "*") {
			n.wildcards = append(n.wildcards, wildcard{key: key, parts: strings.Split(key, "*")})
		}
		if err := child.load(prefix+"."+key, at+".descriptors", d.Descriptors); err != nil {
			return err
		}
		n.children[key] = child
	}
	return nil
}

// lookup finds the limit of one request descriptor as the service does:
// at each level "key_value" first, then a wildcard, then "key"; the limit
// counts only if it sits at the descriptor's last entry, and matching
// stops at a node without children.
func (c *Config) lookup(domain string, entries []Entry) *rule {
	if c == nil || c.root == nil || domain != c.Domain {
		return nil
	}
	n := c.root
	var found *rule
	for i, e := range entries {
		kv := e.Key + "_" + e.Value
		next := n.children[kv]
		if next == nil {
			for _, w := range n.wildcards {
				if wildcardMatch(w.parts, kv) {
					next = n.children[w.key]
					break
				}
			}
		}
		if next == nil {
			next = n.children[e.Key]
		}
		if next == nil {
			break
		}
		if next.rule != nil && i == len(entries)-1 {
			found = next.rule
		}
		if len(next.children) == 0 {
			break
		}
		n = next
	}
	return found
}

// wildcardMatch reports whether s matches the pattern split at "*": each
// star stands for any run of characters, possibly empty.
func wildcardMatch(parts []string, s string) bool {
	if len(parts) == 1 {
		return parts[0] == s
	}
	first, last := parts[0], parts[len(parts)-1]
	if len(s) < len(first)+len(last) || !strings.HasPrefix(s, first) || !strings.HasSuffix(s, last) {
		return false
	}
	rest := s[len(first) : len(s)-len(last)]
	for _, mid := range parts[1 : len(parts)-1] {
		i := strings.Index(rest, mid)
		if i < 0 {
			return false
		}
		rest = rest[i+len(mid):]
	}
	return true
}

// window returns the start of the fixed window holding now and the time
// left until it ends.
func window(u Unit, now time.Time) (start int64, reset time.Duration) {
	div := u.Seconds()
	sec := now.Unix()
	return sec / div * div, time.Duration(div-sec%div) * time.Second
}
