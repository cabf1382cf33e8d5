package dataplane

import (
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kubelb-ai/kubelb-ai/spec"
)

// API keys read from another header (agentgateway v1.3.1+) render as
// apiKeyAuthentication.location beside the v1.1.0 fields, and read back.
func TestAgentgatewayKeyHeaderLocation(t *testing.T) {
	s := &spec.Spec{
		Gateway: spec.Gateway{Name: "gw", Namespace: "ai"},
		Clients: &spec.Clients{Header: "x-api-key", Mode: spec.ModeStrict, APIKeys: []spec.APIKey{{Name: "a", Env: "A_KEY"}}},
	}
	r := &spec.Route{Name: "chat"}
	obj := agentgateway{}.Traffic(s, r, metav1.ObjectMeta{Name: TrafficName("chat"), Namespace: "ai"})
	m, err := ToMap(obj)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := json.Marshal(m["spec"])
	want := `{"targetRefs":[{"group":"gateway.networking.k8s.io","kind":"HTTPRoute","name":"chat"}],"traffic":{"apiKeyAuthentication":{"location":{"header":{"name":"x-api-key"}},"mode":"Strict","secretRef":{"name":"gw-client-keys"}}}}`
	if string(got) != want {
		t.Errorf("spec:\n got %s\nwant %s", got, want)
	}
	data, _ := json.Marshal(m)
	pp, issues, err := agentgateway{}.ParsePolicy(data)
	if err != nil || len(issues) > 0 {
		t.Fatalf("ParsePolicy: %v %v", err, issues)
	}
	if want := (&spec.Clients{Header: "x-api-key", Mode: spec.ModeStrict}); !reflect.DeepEqual(pp.Clients, want) || !reflect.DeepEqual(pp.KeySource, &KeySource{Kind: KeySourceSecret, Name: "gw-client-keys"}) {
		t.Errorf("parsed clients %+v keys %+v", pp.Clients, pp.KeySource)
	}
}

// A check with every field at its default (no mode, the default location)
// is still a check: reading it as none would run the route open.
func TestAgentgatewayDefaultedClientChecks(t *testing.T) {
	for traffic, want := range map[string]*spec.Clients{
		`{"apiKeyAuthentication":{"secretRef":{"name":"k"}}}`:                         {Mode: spec.ModeStrict},
		`{"jwtAuthentication":{"providers":[{"issuer":"i","jwks":{"inline":"{}"}}]}}`: {Mode: spec.ModeStrict, JWT: &spec.JWT{Issuer: "i", JWKS: spec.JWKS{Inline: "{}"}}},
		`{"authorization":{"policy":{"matchExpressions":["true"]}}}`:                  {Allow: []string{"true"}},
	} {
		data := `{"apiVersion":"agentgateway.dev/v1alpha1","kind":"AgentgatewayPolicy","metadata":{"name":"p"},"spec":{"targetRefs":[{"group":"gateway.networking.k8s.io","kind":"HTTPRoute","name":"r"}],"traffic":` + traffic + `}}`
		pp, _, err := agentgateway{}.ParsePolicy([]byte(data))
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(pp.Clients, want) {
			t.Errorf("%s: clients %+v, want %+v", traffic, pp.Clients, want)
		}
	}
}

// What the Spec cannot carry is an issue, never dropped silently.
func TestAgentgatewayClientIssues(t *testing.T) {
	for _, tc := range []struct{ traffic, want string }{
		{`{"authorization":{"action":"Deny","policy":{"matchExpressions":["true"]}}}`, "authorization action Deny is not represented"},
		{`{"apiKeyAuthentication":{"secretRef":{"name":"k"},"location":{"queryParameter":{"name":"key"}}}}`, "API-key location other than a whole header"},
		{`{"jwtAuthentication":{"providers":[{"issuer":"a","jwks":{"inline":"{}"}},{"issuer":"b","jwks":{"inline":"{}"}}]}}`, "other than one provider"},
		{`{"rateLimit":{"global":{"backendRef":{"name":"rl","port":8081},"domain":"d","descriptors":[{"entries":[{"name":"user","expression":"jwt.sub"}]}]}}}`, "descriptor kubelb-ai does not write"},
	} {
		data := `{"apiVersion":"agentgateway.dev/v1alpha1","kind":"AgentgatewayPolicy","metadata":{"name":"p"},"spec":{"targetRefs":[{"group":"gateway.networking.k8s.io","kind":"HTTPRoute","name":"r"}],"traffic":` + tc.traffic + `}}`
		_, issues, err := agentgateway{}.ParsePolicy([]byte(data))
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(strings.Join(issues, "\n"), tc.want) {
			t.Errorf("%s: issues %q, want %q", tc.traffic, issues, tc.want)
		}
	}
}

func TestClientKeyEntry(t *testing.T) {
	for _, k := range []spec.APIKey{
		{Name: "alice", Env: "ALICE_KEY", Metadata: map[string]string{"tier": "gold"}},
		{Name: "ci", Hash: "sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"},
	} {
		entry := ClientKeyEntry(k)
		back, ok := ParseClientKeyEntry(k.Name, entry)
		if !ok || !reflect.DeepEqual(back, k) {
			t.Errorf("%s -> %+v %v, want %+v", entry, back, ok, k)
		}
	}
	if got := ClientKeyEntry(spec.APIKey{Name: "a", Env: "A", Metadata: map[string]string{"tier": "x"}}); got != `{"key":"${A}","metadata":{"client":"a","tier":"x"}}` {
		t.Errorf("entry %s", got)
	}
	for _, v := range []string{`{"key":"sk-literal","metadata":{"client":"a"}}`, `{"key":"${A}","metadata":{"client":"b"}}`, `sk-plain`} {
		if _, ok := ParseClientKeyEntry("a", v); ok {
			t.Errorf("%s read as a client key entry", v)
		}
	}
}

func TestRateLimitConfigLimits(t *testing.T) {
	cfg := RateLimitConfig{Domain: "d", Descriptors: []RateLimitDescriptor{
		{Key: DescriptorRoute, Value: "chat", RateLimit: &RateLimitRate{Unit: "day", RequestsPerUnit: 5}},
		{Key: DescriptorTokens, Value: "chat", Descriptors: []RateLimitDescriptor{{Key: DescriptorClient, RateLimit: &RateLimitRate{Unit: "hour", RequestsPerUnit: 900}}}},
		{Key: "remote_address", RateLimit: &RateLimitRate{Unit: "second", RequestsPerUnit: 1}},
	}}
	limits, issues := cfg.Limits()
	want := map[[2]string]GlobalLimit{{"route", "chat"}: {5, "day"}, {"tokens", "chat"}: {900, "hour"}}
	if !reflect.DeepEqual(limits, want) || len(issues) != 1 {
		t.Errorf("limits %v issues %q", limits, issues)
	}
}

// Caller checks the Spec cannot carry, and that serve would therefore
// loosen or drop, are access controls (serve refuses them); the keys'
// source is read for import to find. Each case lists every access control
// the policy yields.
func TestAgentgatewayClientAccessControls(t *testing.T) {
	const jwt = `"jwtAuthentication":{%s"providers":[{"issuer":"i","jwks":{"inline":"{}"}}]}`
	for _, tc := range []struct {
		traffic string
		want    []string
		source  *KeySource
	}{
		{`{"authorization":{"action":"Deny","policy":{"matchExpressions":["true"]}}}`, []string{"traffic.authorization: action Deny"}, nil},
		{`{"authorization":{"action":"Require","policy":{"matchExpressions":["jwt.sub == 'a'"]}}}`, []string{"traffic.authorization: action Require"}, nil},
		{`{"authorization":{"action":"Allow","policy":{"matchExpressions":["true"]}}}`, nil, nil},
		{`{"authorization":{"policy":{"matchExpressions":[]}}}`, []string{"traffic.authorization: no matchExpressions (the cluster allows no one)"}, nil},
		// API keys default to Strict: a JWT check that is Optional would
		// loosen them, and the other way round.
		{`{"apiKeyAuthentication":{"secretRef":{"name":"k"}},` + fmt.Sprintf(jwt, `"mode":"Optional",`) + `}`,
			[]string{"traffic.apiKeyAuthentication and jwtAuthentication: different modes (Strict, Optional)"}, &KeySource{Kind: KeySourceSecret, Name: "k"}},
		{`{"apiKeyAuthentication":{"mode":"Optional","secretRef":{"name":"k"}},` + fmt.Sprintf(jwt, "") + `}`,
			[]string{"traffic.apiKeyAuthentication and jwtAuthentication: different modes (Optional, Strict)"}, &KeySource{Kind: KeySourceSecret, Name: "k"}},
		{`{"apiKeyAuthentication":{"mode":"Strict","secretRef":{"name":"k"}},` + fmt.Sprintf(jwt, "") + `}`, nil, &KeySource{Kind: KeySourceSecret, Name: "k"}},
		{`{"apiKeyAuthentication":{"secretRef":{"name":"k"},"location":{"queryParameter":{"name":"key"}}}}`,
			[]string{"traffic.apiKeyAuthentication: keys read from other than a whole header (serve would read them from Authorization: Bearer)"}, &KeySource{Kind: KeySourceSecret, Name: "k"}},
		{`{"apiKeyAuthentication":{"secretRef":{"name":"k"},"location":{"header":{"name":"x-key","prefix":"Key "}}}}`,
			[]string{"traffic.apiKeyAuthentication: keys read from other than a whole header (serve would read them from Authorization: Bearer)"}, &KeySource{Kind: KeySourceSecret, Name: "k"}},
		{`{"apiKeyAuthentication":{"secretSelector":{"matchLabels":{"a":"b"}}}}`, nil, &KeySource{Kind: KeySourceSecret, MatchLabels: map[string]string{"a": "b"}}},
		{`{"apiKeyAuthentication":{"configMapSelector":{"matchLabels":{"a":"b"}}}}`, nil, &KeySource{Kind: KeySourceConfigMap, MatchLabels: map[string]string{"a": "b"}}},
		{`{"apiKeyAuthentication":{"mode":"Strict"}}`, []string{"traffic.apiKeyAuthentication: it names no Secret or ConfigMap of keys"}, nil},
		{`{"jwtAuthentication":{"providers":[]}}`, []string{"traffic.jwtAuthentication: no provider (the cluster accepts no token)"}, nil},
		{`{"jwtAuthentication":{"providers":[{"issuer":"i","jwks":{"remote":{"jwksPath":"/k","backendRef":{"group":"agentgateway.dev","kind":"AgentgatewayBackend","name":"idp"}}}}]}}`,
			[]string{"traffic.jwtAuthentication: a JWKS from other than a Service port"}, nil},
	} {
		data := `{"apiVersion":"agentgateway.dev/v1alpha1","kind":"AgentgatewayPolicy","metadata":{"name":"p"},"spec":{"targetRefs":[{"group":"gateway.networking.k8s.io","kind":"HTTPRoute","name":"r"}],"traffic":` + tc.traffic + `}}`
		pp, _, err := agentgateway{}.ParsePolicy([]byte(data))
		if err != nil {
			t.Fatalf("%s: %v", tc.traffic, err)
		}
		if !reflect.DeepEqual(pp.AccessControls, tc.want) || !reflect.DeepEqual(pp.KeySource, tc.source) {
			t.Errorf("%s:\n access controls %q, want %q\n key source %+v, want %+v", tc.traffic, pp.AccessControls, tc.want, pp.KeySource, tc.source)
		}
	}
	// MCP caller checks have no MCP backend in serve to run on.
	data := `{"apiVersion":"agentgateway.dev/v1alpha1","kind":"AgentgatewayPolicy","metadata":{"name":"p"},"spec":{"targetRefs":[{"group":"gateway.networking.k8s.io","kind":"HTTPRoute","name":"r"}],"backend":{"mcp":{"authorization":{"policy":{"matchExpressions":["true"]}}}}}}`
	pp, issues, err := agentgateway{}.ParsePolicy([]byte(data))
	if err != nil || !reflect.DeepEqual(pp.AccessControls, []string{"backend.mcp authentication or authorization"}) || !slices.Contains(issues, "backend policies other than ai are not represented") {
		t.Errorf("backend.mcp: %v %q %q", err, pp.AccessControls, issues)
	}
}

// kgateway's rbac that denies, or allows no one, is refused rather than
// read as the Spec's allow rules.
func TestKgatewayRBACAccessControls(t *testing.T) {
	for _, tc := range []struct {
		rbac  string
		want  []string
		allow []string
	}{
		{`{"action":"Deny","policy":{"matchExpressions":["request.headers['x-team'] == 'ml'"]}}`, []string{"rbac action Deny"}, nil},
		{`{"policy":{}}`, []string{"rbac with no matchExpressions"}, nil},
		{`{"action":"Allow","policy":{"matchExpressions":["true"]}}`, nil, []string{"true"}},
	} {
		data := `{"apiVersion":"gateway.kgateway.dev/v1alpha1","kind":"TrafficPolicy","metadata":{"name":"p"},"spec":{"targetRefs":[{"group":"gateway.networking.k8s.io","kind":"HTTPRoute","name":"r"}],"rbac":` + tc.rbac + `}}`
		pp, _, err := kgateway21{}.ParsePolicy([]byte(data))
		if err != nil {
			t.Fatal(err)
		}
		var allow []string
		if pp.Clients != nil {
			allow = pp.Clients.Allow
		}
		if !reflect.DeepEqual(pp.AccessControls, tc.want) || !reflect.DeepEqual(allow, tc.allow) {
			t.Errorf("%s: access controls %q (want %q), allow %q (want %q)", tc.rbac, pp.AccessControls, tc.want, allow, tc.allow)
		}
	}
}
