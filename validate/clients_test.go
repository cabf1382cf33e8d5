package validate

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/kubelb-ai/kubelb-ai/templates"
	"github.com/kubelb-ai/kubelb-ai/validate/loader"
)

// findingsOf validates testdata/clients/file for target and release and
// returns the findings of the rules named, as path, object and text.
func findingsOf(t *testing.T, target, release, file string, rules ...string) []string {
	t.Helper()
	r := validatorFor(t, target, templates.CRDVersions{DataPlane: release}).Validate(t.Context(), loader.Load([]string{"testdata/clients/" + file}, nil))
	var out []string
	for _, f := range r.Findings {
		if slices.Contains(rules, f.Rule) {
			out = append(out, strings.TrimSpace(findingsText(&Report{Findings: []Finding{f}}))+" @ "+f.Object+" "+f.Path)
		}
	}
	return out
}

// The CRDs' own rules on client authentication and global limits are
// enforced, by the release asked for: each fixture is refused with the
// rule's message where the release has the rule, and with unknown-field
// where it lacks the field.
func TestClientCELRulesPerRelease(t *testing.T) {
	const oneOf2 = "error: Invalid value: exactly one of the fields in [secretRef secretSelector] must be set [cel]"
	const oneOf3 = "error: Invalid value: exactly one of the fields in [secretRef secretSelector configMapSelector] must be set [cel]"
	for _, tc := range []struct{ file, release, want string }{
		{"apikey-two-sources.yaml", "v1.1.0", "apikey-two-sources.yaml:8:5: " + oneOf2},
		{"apikey-two-sources.yaml", "v1.3.1", "apikey-two-sources.yaml:8:5: " + oneOf2},
		{"apikey-two-sources.yaml", "v1.4.1", "apikey-two-sources.yaml:8:5: " + oneOf3},
		{"apikey-configmap-and-secret.yaml", "v1.4.1", "apikey-configmap-and-secret.yaml:8:5: " + oneOf3},
		{"apikey-configmap-and-secret.yaml", "v1.3.1", `apikey-configmap-and-secret.yaml:10:7: error: Forbidden: unknown field "spec.traffic.apiKeyAuthentication.configMapSelector" [unknown-field]`},
		{"jwt-mcp-providers.yaml", "v1.1.0", "jwt-mcp-providers.yaml:8:5: error: Invalid value: jwtAuthentication.mcp requires exactly one provider [cel]"},
		{"jwt-mcp-providers.yaml", "v1.3.1", "jwt-mcp-providers.yaml:8:5: error: Invalid value: jwtAuthentication.mcp requires exactly one provider [cel]"},
		{"jwt-mcp-providers.yaml", "v1.4.1", "jwt-mcp-providers.yaml:8:5: error: Invalid value: jwtAuthentication.mcp requires exactly one provider [cel]"},
		{"jwt-mcp-mode.yaml", "v1.1.0", "jwt-mcp-mode.yaml:8:5: error: Invalid value: jwtAuthentication.mcp requires mode Strict [cel]"},
		{"jwt-mcp-mode.yaml", "v1.4.1", "jwt-mcp-mode.yaml:8:5: error: Invalid value: jwtAuthentication.mcp requires mode Strict [cel]"},
		{"jwks-cache-duration.yaml", "v1.1.0", `jwks-cache-duration.yaml:12:75: error: Invalid value: "1m": cacheDuration must be at least 5m. [cel]`},
		{"jwks-cache-duration.yaml", "v1.4.1", `jwks-cache-duration.yaml:12:75: error: Invalid value: "1m": cacheDuration must be at least 5m. [cel]`},
		{"ratelimit-conditional-order.yaml", "v1.3.1", "ratelimit-conditional-order.yaml:9:7: error: Invalid value: conditional entries without condition must be last [cel]"},
		{"ratelimit-conditional-order.yaml", "v1.4.1", "ratelimit-conditional-order.yaml:9:7: error: Invalid value: conditional entries without condition must be last [cel]"},
		{"ratelimit-conditional-order.yaml", "v1.1.0", `ratelimit-conditional-order.yaml:9:7: error: Forbidden: unknown field "spec.traffic.rateLimit.conditional" [unknown-field]`},
		{"ratelimit-conditional-exclusive.yaml", "v1.3.1", "ratelimit-conditional-exclusive.yaml:8:5: error: Invalid value: conditional cannot be set with any other field [cel]"},
		{"ratelimit-conditional-exclusive.yaml", "v1.4.1", "ratelimit-conditional-exclusive.yaml:8:5: error: Invalid value: conditional cannot be set with any other field [cel]"},
		{"ratelimit-descriptors-empty.yaml", "v1.1.0", "ratelimit-descriptors-empty.yaml:12:9: error: Invalid value: 0: spec.traffic.rateLimit.global.descriptors in body should have at least 1 items [schema]"},
		{"ratelimit-descriptors-empty.yaml", "v1.4.1", "ratelimit-descriptors-empty.yaml:12:9: error: Invalid value: 0: spec.traffic.rateLimit.global.descriptors in body should have at least 1 items [schema]"},
		{"ratelimit-descriptor-entries.yaml", "v1.1.0", "ratelimit-descriptor-entries.yaml:13:11: error: Too many: 17: must have at most 16 items [schema]"},
		{"ratelimit-descriptor-entries.yaml", "v1.4.1", "ratelimit-descriptor-entries.yaml:13:11: error: Too many: 17: must have at most 16 items [schema]"},
	} {
		got := strings.Join(findingsOf(t, templates.Agentgateway, tc.release, tc.file, RuleCEL, RuleSchema, RuleUnknownField), "\n")
		if !strings.Contains(got, tc.want) {
			t.Errorf("%s by agentgateway %s: want %q, got\n%s", tc.file, tc.release, tc.want, got)
		}
	}
	// The fixed shapes pass: one key source, one MCP provider in mode
	// Strict, a 5m cache, the unconditional entry last.
	fixed := map[string][2]string{
		"apikey-two-sources.yaml":          {"      secretSelector: {matchLabels: {app: keys}}\n", ""},
		"jwt-mcp-providers.yaml":           {"      - {issuer: https://b.example.com, jwks: {inline: '{\"keys\":[]}'}}\n", ""},
		"jwt-mcp-mode.yaml":                {"mode: Optional", "mode: Strict"},
		"jwks-cache-duration.yaml":         {"cacheDuration: 1m", "cacheDuration: 5m"},
		"ratelimit-conditional-order.yaml": {"      - policy: {local: [{requests: 10, unit: Minutes}]}\n", ""},
	}
	for file, edit := range fixed {
		data, err := os.ReadFile("testdata/clients/" + file)
		if err != nil || !strings.Contains(string(data), edit[0]) {
			t.Fatalf("%s: %v, or the edit %q does not apply", file, err, edit[0])
		}
		p := filepath.Join(t.TempDir(), file)
		os.WriteFile(p, []byte(strings.Replace(string(data), edit[0], edit[1], 1)), 0o644)
		r := validatorFor(t, templates.Agentgateway, templates.CRDVersions{DataPlane: "v1.4.1"}).Validate(t.Context(), loader.Load([]string{p}, nil))
		if r.Errors() != 0 {
			t.Errorf("%s, fixed: %s", file, findingsText(r))
		}
	}
}

const (
	clashFix = " [auth-header-clash] fix: read the client key from another header (location.header.name: x-api-key, agentgateway v1.3.1+), or give the backend its own credential (policies.auth.secretRef)"
	clashMsg = ": warning: API keys are read from the Authorization header, and backend kubelb/pass (route %s) passes the client's Authorization to the provider (policies.auth.passthrough): both want the header, so the provider receives the gateway key" + clashFix
	hashMsg  = `: warning: keyHash "%s" is not "sha256:" followed by 64 lowercase hex digits: no key matches it, so this client is always refused [key-hash] fix: write sha256: and the hex SHA-256 of the key in lower case, e.g. printf %%s "$KEY" | sha256sum`
	descMsg  = `: warning: descriptor %s matches no descriptor of the rate-limit configuration for domain "kubelb-ai": the service answers OK and this limit never applies [rate-limit-descriptor] fix: add a descriptor with these keys, nested in this order, to the rate-limit ConfigMap (value-less where the entry is not a literal), or correct the entries' names`
)

// Each client lint rule reports exactly its positive cases of its fixture
// (the file's comment lists them), at the field, and none of the others.
func TestClientLintRules(t *testing.T) {
	for _, tc := range []struct {
		file, rule string
		want       []string
	}{
		{"lint-auth-header.yaml", RuleAuthHeaderClash, []string{
			"lint-auth-header.yaml:45:5" + fmt.Sprintf(clashMsg, "r1") + " @ AgentgatewayPolicy kubelb/default-location spec.traffic.apiKeyAuthentication",
			"lint-auth-header.yaml:71:27" + fmt.Sprintf(clashMsg, "r1") + " @ AgentgatewayPolicy kubelb/on-gateway spec.traffic.apiKeyAuthentication.location.header.name",
			"lint-auth-header.yaml:71:27" + fmt.Sprintf(clashMsg, "r3") + " @ AgentgatewayPolicy kubelb/on-gateway spec.traffic.apiKeyAuthentication.location.header.name",
		}},
		{"lint-fail-closed.yaml", RuleFailClosedSingle, []string{
			"lint-fail-closed.yaml:44:7: warning: no failureMode (FailClosed by default) with rate-limit Service kubelb/ratelimit run by one replica (Deployment ratelimit): while that pod restarts every request this limit covers fails [rate-limit-fail-closed] fix: run at least 2 replicas of Deployment ratelimit, or set failureMode: FailOpen @ AgentgatewayPolicy kubelb/by-default spec.traffic.rateLimit.global",
			"lint-fail-closed.yaml:99:9: warning: failureMode: FailClosed with rate-limit Service kubelb/ratelimit run by one replica (Deployment ratelimit): while that pod restarts every request this limit covers fails [rate-limit-fail-closed] fix: run at least 2 replicas of Deployment ratelimit, or set failureMode: FailOpen @ AgentgatewayPolicy kubelb/explicit spec.traffic.rateLimit.global.failureMode",
		}},
		{"lint-key-hash.yaml", RuleKeyHash, []string{
			"lint-key-hash.yaml:8:3" + fmt.Sprintf(hashMsg, "sha256:2BB80D537B1DA3E38BD30361AA855686BDE0EACD7162FEF6A25FE97BF527A25B") + " @ ConfigMap kubelb/client-keys data[upper]",
			"lint-key-hash.yaml:9:3" + fmt.Sprintf(hashMsg, "md5:5ebe2294ecd0e0f08eab7690d2a6ee69") + " @ ConfigMap kubelb/client-keys data[md5]",
			"lint-key-hash.yaml:17:3" + fmt.Sprintf(hashMsg, "sha256:abc") + " @ Secret kubelb/keys stringData[bob]",
			"lint-key-hash.yaml:19:3" + fmt.Sprintf(hashMsg, "sha256:2bb80d537b1da3e38bd30361aa855686bde0eacd7162fef6a25fe97bf527") + " @ Secret kubelb/keys data[carol]",
		}},
		{"lint-descriptors.yaml", RuleDescriptorMatch, []string{
			"lint-descriptors.yaml:62:11" + fmt.Sprintf(descMsg, `[route="gemini"]`) + " @ AgentgatewayPolicy kubelb/unknown-route spec.traffic.rateLimit.global.descriptors[0]",
			"lint-descriptors.yaml:77:11" + fmt.Sprintf(descMsg, `[route="mistral", client=<expression>]`) + " @ AgentgatewayPolicy kubelb/wrong-key spec.traffic.rateLimit.global.descriptors[0]",
			"lint-descriptors.yaml:93:11" + fmt.Sprintf(descMsg, `[route=<expression>]`) + " @ AgentgatewayPolicy kubelb/computed-route spec.traffic.rateLimit.global.descriptors[0]",
		}},
	} {
		got := findingsOf(t, templates.Agentgateway, "v1.4.1", tc.file, tc.rule)
		if strings.Join(got, "\n") != strings.Join(tc.want, "\n") {
			t.Errorf("%s:\n%s\nwant:\n%s", tc.file, strings.Join(got, "\n"), strings.Join(tc.want, "\n"))
		}
	}
	// A Secret's or ConfigMap's entries are read as the target's: kgateway
	// has no API-key entries, its adapter answers nothing.
	if got := findingsOf(t, templates.KgatewayV21, "", "lint-key-hash.yaml", RuleKeyHash); len(got) > 0 {
		t.Errorf("key-hash on kgateway-v2.1: %s", strings.Join(got, "\n"))
	}
}

// Without the Deployment (or the ConfigMap) in the input, the rules that
// need it say nothing.
func TestClientLintNeedsTheObjects(t *testing.T) {
	for file, drop := range map[string]string{
		"lint-fail-closed.yaml": "kind: Deployment",
		"lint-descriptors.yaml": "kind: ConfigMap",
	} {
		data, _ := os.ReadFile("testdata/clients/" + file)
		docs := strings.Split(string(data), "\n---\n")
		var kept []string
		for _, d := range docs {
			if !strings.Contains(d, drop) {
				kept = append(kept, d)
			}
		}
		p := filepath.Join(t.TempDir(), file)
		os.WriteFile(p, []byte(strings.Join(kept, "\n---\n")), 0o644)
		r := validatorFor(t, templates.Agentgateway, templates.CRDVersions{DataPlane: "v1.4.1"}).Validate(t.Context(), loader.Load([]string{p}, nil))
		if got := findingsText(r); strings.Contains(got, "[rate-limit-") || len(kept) == len(docs) {
			t.Errorf("%s without %s:\n%s", file, drop, got)
		}
	}
}

// policy-conflict: a second policy setting basicAuthentication on one target
// clashes; authorization merges; one policy given twice is an update.
func TestPolicyConflictClients(t *testing.T) {
	const pol = `---
apiVersion: agentgateway.dev/v1alpha1
kind: AgentgatewayPolicy
metadata: {name: %s, namespace: kubelb}
spec:
  targetRefs: [{group: gateway.networking.k8s.io, kind: HTTPRoute, name: r}]
  traffic: {%s}
`
	doc := fmt.Sprintf(pol, "a", "basicAuthentication: {users: [\"u:$apr1$x\"]}, authorization: {policy: {matchExpressions: [\"true\"]}}") +
		fmt.Sprintf(pol, "a", "basicAuthentication: {users: [\"u:$apr1$x\"]}") +
		fmt.Sprintf(pol, "b", "authorization: {policy: {matchExpressions: [\"false\"]}}") +
		fmt.Sprintf(pol, "c", "basicAuthentication: {users: [\"v:$apr1$y\"]}")
	p := filepath.Join(t.TempDir(), "p.yaml")
	os.WriteFile(p, []byte(doc), 0o644)
	r := validatorFor(t, templates.Agentgateway, templates.CRDVersions{DataPlane: "v1.4.1"}).Validate(t.Context(), loader.Load([]string{p}, nil))
	var got []string
	for _, f := range r.Findings {
		if f.Rule == RulePolicyClash || f.Rule == RuleDuplicate {
			got = append(got, fmt.Sprintf("%d %s %s %s", f.Line, f.Rule, f.Object, f.Path))
		}
	}
	want := []string{
		"11 duplicate-object AgentgatewayPolicy kubelb/a metadata.name",
		"28 policy-conflict AgentgatewayPolicy kubelb/c spec.traffic.basicAuthentication",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got\n%s\nwant\n%s\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"), findingsText(r))
	}
}

// token-limit-no-usage reports exactly the token limits on routes with no
// backend reporting usage (the fixture's comment lists the cases), at the
// limit's field; the fixture is otherwise valid.
func TestTokenLimitNoUsage(t *testing.T) {
	const fix = " [token-limit-no-usage] fix: limit requests instead (requests: on a local limit, unit: Requests on a descriptor), or map the paths to a route type the gateway parses (e.g. Completions, Messages, Responses) instead of Passthrough"
	want := []string{
		"lint-token-usage.yaml:97:16: warning: this limit counts LLM tokens, but no backend of route to-plain reports token usage (Service kubelb/plain is no LLM backend): the limit never counts anything" + fix +
			" @ AgentgatewayPolicy kubelb/plain-tokens spec.traffic.rateLimit.local[0].tokens",
		"lint-token-usage.yaml:126:11: warning: this limit counts LLM tokens, but no backend of route to-mcp-and-pass reports token usage (AgentgatewayBackend kubelb/mcp has no spec.ai, so it is no LLM backend; AgentgatewayBackend kubelb/pass maps every path to Passthrough (spec.policies.ai.routes), which agentgateway forwards without parsing): the limit never counts anything" + fix +
			" @ AgentgatewayPolicy kubelb/global-tokens spec.traffic.rateLimit.global.descriptors[1].unit",
	}
	got := findingsOf(t, templates.Agentgateway, "v1.4.1", "lint-token-usage.yaml", RuleTokenNoUsage)
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if errs := findingsOf(t, templates.Agentgateway, "v1.4.1", "lint-token-usage.yaml", RuleSchema, RuleUnknownField, RuleCEL); len(errs) > 0 {
		t.Errorf("fixture findings:\n%s", strings.Join(errs, "\n"))
	}
}

// The kgateway v2.1 forms of rate-limit-fail-closed and
// rate-limit-descriptor report exactly their fixture's positive cases (its
// comment lists them); the fixture is otherwise valid.
func TestClientLintKgateway(t *testing.T) {
	want := []string{
		"lint-kgateway-ratelimit.yaml:50:5: warning: failOpen: false with rate-limit Service kubelb/ratelimit run by one replica (Deployment ratelimit): while that pod restarts every request this limit covers fails [rate-limit-fail-closed] fix: run at least 2 replicas of Deployment ratelimit, or set failOpen: true (the default) @ GatewayExtension kubelb/rl-closed spec.rateLimit.failOpen",
		"lint-kgateway-ratelimit.yaml:119:9" + fmt.Sprintf(descMsg, `[route="gemini"]`) + " @ TrafficPolicy kubelb/unknown-route spec.rateLimit.global.descriptors[0]",
		"lint-kgateway-ratelimit.yaml:130:9" + fmt.Sprintf(descMsg, `[route="mistral", x-client=<expression>]`) + " @ TrafficPolicy kubelb/wrong-header spec.rateLimit.global.descriptors[0]",
		"lint-kgateway-ratelimit.yaml:142:7" + fmt.Sprintf(descMsg, `[route="openai", path=<expression>]`) + " @ TrafficPolicy kubelb/two-descriptors spec.rateLimit.global.descriptors",
	}
	got := findingsOf(t, templates.KgatewayV21, "", "lint-kgateway-ratelimit.yaml", RuleFailClosedSingle, RuleDescriptorMatch, RuleSchema, RuleUnknownField, RuleCEL)
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
