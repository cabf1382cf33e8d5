package quota

import (
	"reflect"
	"testing"
)

func TestParseConfigErrors(t *testing.T) {
	tests := []struct {
		name, yaml, want string
	}{
		{"empty", "", "empty configuration"},
		{"not a mapping", "- a", "(root): want a mapping, got a list"},
		{"no domain", "descriptors: []", "domain: required"},
		{"unknown top-level field", "domain: d\nunit: second", "unit: unknown field (want one of domain, descriptors)"},
		{"domain not a string", "domain: [a]", "domain: want a string, got a list"},
		{"descriptors not a list", "domain: d\ndescriptors: {key: a}", "descriptors: want a list, got a mapping"},
		{"missing key", "domain: d\ndescriptors:\n- value: v", "descriptors[0].key: required"},
		{"unknown descriptor field", "domain: d\ndescriptors:\n- key: a\n  limit: 3",
			"descriptors[0].limit: unknown field (want one of key, value, rate_limit, shadow_mode, quota_mode, descriptors, detailed_metric, value_to_metric, metadata, share_threshold)"},
		{"invalid unit, nested", "domain: d\ndescriptors:\n- key: a\n  descriptors:\n  - key: b\n  - key: c\n    rate_limit: {unit: seconds, requests_per_unit: 1}",
			`descriptors[0].descriptors[1].rate_limit.unit: invalid unit "seconds" (want second, minute, hour, day, week, month or year)`},
		{"missing unit", "domain: d\ndescriptors:\n- key: a\n  rate_limit: {requests_per_unit: 1}",
			`descriptors[0].rate_limit.unit: invalid unit "" (want second, minute, hour, day, week, month or year)`},
		{"unit with unlimited", "domain: d\ndescriptors:\n- key: a\n  rate_limit: {unlimited: true, unit: day}",
			"descriptors[0].rate_limit.unit: must not be set when unlimited is true"},
		{"negative requests", "domain: d\ndescriptors:\n- key: a\n  rate_limit: {unit: day, requests_per_unit: -1}",
			"descriptors[0].rate_limit.requests_per_unit: want a whole number from 0 to 4294967295, got -1"},
		{"requests as a string", "domain: d\ndescriptors:\n- key: a\n  rate_limit: {unit: day, requests_per_unit: \"5\"}",
			`descriptors[0].rate_limit.requests_per_unit: want a whole number, got the string "5"`},
		{"too many requests", "domain: d\ndescriptors:\n- key: a\n  rate_limit: {unit: day, requests_per_unit: 4294967296}",
			"descriptors[0].rate_limit.requests_per_unit: want a whole number from 0 to 4294967295, got 4294967296"},
		{"shadow_mode not a bool", "domain: d\ndescriptors:\n- key: a\n  shadow_mode: \"yes\"",
			`descriptors[0].shadow_mode: want true or false, got the string "yes"`},
		{"replaces itself", "domain: d\ndescriptors:\n- key: a\n  rate_limit: {unit: day, requests_per_unit: 1, name: x, replaces: [{name: x}]}",
			"descriptors[0].rate_limit.replaces[0].name: a limit cannot replace itself"},
		{"replaces without a name", "domain: d\ndescriptors:\n- key: a\n  rate_limit: {unit: day, requests_per_unit: 1, replaces: [{}]}",
			"descriptors[0].rate_limit.replaces[0].name: required"},
		{"share_threshold", "domain: d\ndescriptors:\n- key: a\n  value: b*\n  share_threshold: true",
			"descriptors[0].share_threshold: not supported"},
		{"duplicate descriptor", "domain: d\ndescriptors:\n- key: a\n  descriptors:\n  - key: b\n    value: x\n  - key: b\n    value: x",
			"descriptors[0].descriptors[1]: duplicate descriptor d.a.b_x"},
		{"duplicate field", "domain: d\ndomain: e", "domain: duplicate field"},
		{"two documents", "domain: d\n---\ndomain: e", "more than one YAML document: one file holds one domain"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseConfig([]byte(tt.yaml))
			if err == nil {
				t.Fatalf("no error, want %q", tt.want)
			}
			if err.Error() != tt.want {
				t.Errorf("error\n got: %s\nwant: %s", err, tt.want)
			}
		})
	}
}

func TestParseConfig(t *testing.T) {
	cfg, err := ParseConfig([]byte(`
domain: kubelb-ai
descriptors:
- key: route
  value: chat
  descriptors:
  - key: client
    rate_limit: {unit: Day, requests_per_unit: 1000, name: per-client}
    shadow_mode: true
    detailed_metric: true
    metadata: {team: ml}
- key: free
  rate_limit: {unlimited: true, replaces: [{name: per-client}]}
`))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Domain != "kubelb-ai" || len(cfg.Descriptors) != 2 {
		t.Fatalf("got %+v", cfg)
	}
	c := cfg.Descriptors[0].Descriptors[0]
	if c.Key != "client" || c.Value != "" || !c.ShadowMode || c.RateLimit == nil ||
		!reflect.DeepEqual(*c.RateLimit, RateLimit{Unit: Day, RequestsPerUnit: 1000, Name: "per-client"}) {
		t.Errorf("client descriptor: %+v %+v", c, c.RateLimit)
	}
	f := cfg.Descriptors[1].RateLimit
	if f == nil || !f.Unlimited || f.Unit != UnitUnknown || len(f.Replaces) != 1 || f.Replaces[0] != "per-client" {
		t.Errorf("free descriptor's limit: %+v", f)
	}
}

// TestLookup pins the service's matching rules (src/config/config_impl.go
// GetLimit): key and value before key alone, wildcards in between, the
// limit must sit at the request's last entry, and a deeper request than
// the tree matches nothing.
func TestLookup(t *testing.T) {
	cfg, err := ParseConfig([]byte(`
domain: d
descriptors:
- key: client
  value: gold
  rate_limit: {unit: minute, requests_per_unit: 100}
- key: client
  value: team-*-ml
  rate_limit: {unit: minute, requests_per_unit: 50}
- key: client
  rate_limit: {unit: minute, requests_per_unit: 10}
- key: route
  value: chat
  rate_limit: {unit: hour, requests_per_unit: 7}
  descriptors:
  - key: client
    rate_limit: {unit: day, requests_per_unit: 3}
- key: route
  descriptors:
  - key: client
    value: gold
    rate_limit: {unit: day, requests_per_unit: 2}
`))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		domain  string
		entries []Entry
		want    uint32 // requests_per_unit; 0 means no limit
	}{
		{"exact value", "d", []Entry{{"client", "gold"}}, 100},
		{"wildcard before key only", "d", []Entry{{"client", "team-a-ml"}}, 50},
		{"wildcard with an empty star", "d", []Entry{{"client", "team--ml"}}, 50},
		{"key only", "d", []Entry{{"client", "alice"}}, 10},
		{"empty value falls back to key only", "d", []Entry{{"client", ""}}, 10},
		{"other domain", "e", []Entry{{"client", "gold"}}, 0},
		{"unknown key", "d", []Entry{{"model", "x"}}, 0},
		{"limit at the first level of a nested tree", "d", []Entry{{"route", "chat"}}, 7},
		{"nested key only", "d", []Entry{{"route", "chat"}, {"client", "alice"}}, 3},
		{"exact value at a level wins over the key-only sibling", "d", []Entry{{"route", "chat"}, {"client", "gold"}}, 3},
		{"key-only route, exact nested value", "d", []Entry{{"route", "embed"}, {"client", "gold"}}, 2},
		{"key-only route, nested value not listed", "d", []Entry{{"route", "embed"}, {"client", "alice"}}, 0},
		{"deeper than the tree", "d", []Entry{{"client", "gold"}, {"model", "x"}}, 0},
		{"limit not at the last entry", "d", []Entry{{"route", "chat"}, {"model", "x"}}, 0},
		{"no entries", "d", nil, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got uint32
			if r := cfg.lookup(tt.domain, tt.entries); r != nil {
				got = r.RequestsPerUnit
			}
			if got != tt.want {
				t.Errorf("limit %d, want %d", got, tt.want)
			}
		})
	}
}
