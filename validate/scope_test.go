package validate

import (
	"context"
	"encoding/base64"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kubelb-ai/kubelb-ai/templates"
	"github.com/kubelb-ai/kubelb-ai/validate/loader"
)

// validateYAML validates text, written to a file, with opts.
func validateYAML(t *testing.T, opts Options, text string) *Report {
	t.Helper()
	p := filepath.Join(t.TempDir(), "set.yaml")
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	v, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	return v.Validate(context.Background(), loader.Load([]string{p}, nil))
}

func rulesOf(r *Report) map[string]int {
	out := map[string]int{}
	for _, f := range r.Findings {
		out[f.Rule]++
	}
	return out
}

func TestIsPlaceholder(t *testing.T) {
	for value, want := range map[string]bool{
		"$OPENAI_API_KEY":          true,
		"${OPENAI_API_KEY}":        true,
		"Bearer $OPENAI_API_KEY":   true,
		"Bearer ${OPENAI_API_KEY}": true,
		"bearer $key":              true,
		" $_X1 \n":                 true,
		// Real keys holding a $, or not only a variable.
		"sk-proj-abc$def":            false,
		"$2y$10$abcdefghijklmnopq":   false,
		"$abc$def":                   false,
		"$OPENAI_API_KEY-suffix":     false,
		"${OPENAI_API_KEY":           false,
		"${1X}":                      false,
		"$":                          false,
		"Bearer sk-abc$X":            false,
		"sk-abc $X":                  false,
		"Bearer  sk-proj-abcdef":     false,
		"${OPENAI_API_KEY:-sk-real}": false,
	} {
		if got := isPlaceholder(value); got != want {
			t.Errorf("isPlaceholder(%q) = %v, want %v", value, got, want)
		}
	}
}

// Docs write Secrets in heredocs that the shell fills: $VAR and Bearer $VAR
// are placeholders as ${VAR} is; a key with a $ in it is still a key.
func TestInlineKeyShellPlaceholders(t *testing.T) {
	secret := func(name, key, value string) string {
		return "apiVersion: v1\nkind: Secret\nmetadata: {name: " + name + ", namespace: ai}\nstringData:\n  " + key + ": \"" + value + "\"\n---\n"
	}
	b64 := base64.StdEncoding.EncodeToString([]byte("Bearer $OPENAI_API_KEY"))
	valid := secret("a", "Authorization", "$OPENAI_API_KEY") + secret("b", "Authorization", "Bearer $OPENAI_API_KEY") +
		secret("c", "Authorization", "${OPENAI_API_KEY}") + secret("d", "accessKey", "$AWS_ACCESS_KEY_ID") +
		"apiVersion: v1\nkind: Secret\nmetadata: {name: e, namespace: ai}\ndata:\n  Authorization: " + b64 + "\n"
	for _, target := range []string{templates.KgatewayV21, templates.Agentgateway} {
		r := validateYAML(t, Options{Target: target, Strict: true}, valid)
		if n := rulesOf(r)[RuleInlineKey]; n != 0 {
			t.Errorf("%s: placeholders reported as keys:\n%s", target, findingsText(r))
		}
	}
	faulty := secret("a", "Authorization", "sk-proj-abc$defghijklmnopqrstu") + secret("b", "Authorization", "$2y$10$abcdefghijklmnopqrstuv") +
		secret("c", "Authorization", "Bearer sk-proj-abcdefghij$X")
	r := validateYAML(t, Options{Target: templates.KgatewayV21, Strict: true}, faulty)
	if n := rulesOf(r)[RuleInlineKey]; n != 3 {
		t.Errorf("want 3 inline-key findings for keys holding a $, got %d:\n%s", n, findingsText(r))
	}
	if strings.Contains(findingsText(r), "abcdefghij") {
		t.Errorf("a finding echoes a key:\n%s", findingsText(r))
	}
	if r.Errors() != 0 {
		t.Errorf("inline-key is a lint rule: a warning under --strict:\n%s", findingsText(r))
	}
}

const tenantGateway = `apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: web, namespace: app}
spec:
  gatewayClassName: kubelb
  listeners: [{name: http, port: 80, protocol: HTTP}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: web, namespace: app}
spec:
  parentRefs: [{name: web}]
  rules: [{backendRefs: [{name: web, port: 80}]}]
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: app}
spec: {ports: [{port: 80}]}
---
`

// tenant-gateway is about AI on KubeLB's tenant Gateway: a plain routing
// set on class kubelb is what that class is for.
func TestTenantGatewayOnlyWithAI(t *testing.T) {
	static := `apiVersion: gateway.kgateway.dev/v1alpha1
kind: Backend
metadata: {name: httpbin, namespace: app}
spec:
  type: Static
  static: {hosts: [{host: httpbin.org, port: 80}]}
`
	for name, set := range map[string]string{"services": tenantGateway, "static backend": tenantGateway + static} {
		r := validateYAML(t, Options{Target: templates.KgatewayV21, Strict: true}, set)
		if n := rulesOf(r)[RuleTenantGateway]; n != 0 || r.Errors() != 0 {
			t.Errorf("%s: a set without AI objects:\n%s", name, findingsText(r))
		}
	}
	ai := `apiVersion: gateway.kgateway.dev/v1alpha1
kind: Backend
metadata: {name: openai, namespace: app}
spec:
  type: AI
  ai: {llm: {openai: {authToken: {kind: Passthrough}}}}
`
	r := validateYAML(t, Options{Target: templates.KgatewayV21}, tenantGateway+ai)
	if n := rulesOf(r)[RuleTenantGateway]; n != 1 {
		t.Errorf("an AI Backend beside a kubelb Gateway: want 1 tenant-gateway, got %d:\n%s", n, findingsText(r))
	}
	// A route to the data plane's backend kind defined elsewhere (the
	// management cluster) is AI traffic too.
	toAgw := strings.Replace(tenantGateway, "[{name: web, port: 80}]", "[{group: agentgateway.dev, kind: AgentgatewayBackend, name: openai}]", 1)
	r = validateYAML(t, Options{Target: templates.Agentgateway}, toAgw)
	if n := rulesOf(r)[RuleTenantGateway]; n != 1 {
		t.Errorf("a route to an AgentgatewayBackend from a kubelb Gateway: want 1 tenant-gateway, got %d:\n%s", n, findingsText(r))
	}
}

// mixedBackend fails over from OpenAI to Anthropic, which the Envoy class
// rejects and the agentgateway class translates.
const mixedBackend = `apiVersion: gateway.kgateway.dev/v1alpha1
kind: Backend
metadata: {name: chain, namespace: ai}
spec:
  type: AI
  ai:
    priorityGroups:
    - providers: [{name: a, openai: {authToken: {kind: Passthrough}}}]
    - providers: [{name: b, anthropic: {authToken: {kind: Passthrough}}}]
`

func gatewayAndRoute(class string) string {
	return `apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: gw, namespace: ai}
spec:
  gatewayClassName: ` + class + `
  listeners: [{name: http, port: 8080, protocol: HTTP}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: chat, namespace: ai}
spec:
  parentRefs: [{name: gw}]
  rules: [{backendRefs: [{group: gateway.kgateway.dev, kind: Backend, name: chain}]}]
---
`
}

// kgateway v2.1 serves its Backends on class agentgateway too (when its
// chart enables it), which fails over across providers.
func TestKgatewayV21AgentgatewayClass(t *testing.T) {
	opts := Options{Target: templates.KgatewayV21, Strict: true, Disable: []string{RuleNoRateLimit}}
	r := validateYAML(t, opts, gatewayAndRoute("agentgateway")+mixedBackend)
	got := findingsText(r)
	if r.Errors() != 0 || rulesOf(r)[RuleFailoverMixed] != 0 {
		t.Errorf("a mixed chain on class agentgateway works on kgateway v2.1:\n%s", got)
	}
	if rulesOf(r)[RuleGatewayClass] != 1 || !strings.Contains(got, "agentgateway.enabled: false") || strings.Contains(got, "does not serve") {
		t.Errorf("want the KubeLB 1.3 chart warning, not \"does not serve\":\n%s", got)
	}

	// On class kgateway (Envoy) the chain fails: exact, an error under --strict.
	r = validateYAML(t, opts, gatewayAndRoute("kgateway")+mixedBackend)
	if rulesOf(r)[RuleFailoverMixed] != 1 || r.Errors() != 1 || rulesOf(r)[RuleGatewayClass] != 0 {
		t.Errorf("a mixed chain on class kgateway: want one failover-mixed error:\n%s", findingsText(r))
	}

	// Nothing says which class serves the Backend: assumed Envoy, a
	// warning that --strict leaves alone.
	r = validateYAML(t, opts, mixedBackend)
	if rulesOf(r)[RuleFailoverMixed] != 1 || r.Errors() != 0 || !strings.Contains(findingsText(r), "assuming") {
		t.Errorf("a mixed chain whose class is unknown: want one failover-mixed warning:\n%s", findingsText(r))
	}
	// ...unless the user says otherwise.
	sev := opts
	sev.Severity = map[string]Severity{RuleFailoverMixed: SeverityError}
	if r := validateYAML(t, sev, mixedBackend); r.Errors() != 1 {
		t.Errorf("--severity failover-mixed=error:\n%s", findingsText(r))
	}

	// kgateway v2.0 has no agentgateway class: unchanged.
	r = validateYAML(t, Options{Target: templates.KgatewayV20, Disable: []string{RuleNoRateLimit}}, gatewayAndRoute("agentgateway"))
	if !strings.Contains(findingsText(r), "class agentgateway does not serve target kgateway-v2.0") {
		t.Errorf("kgateway v2.0 with class agentgateway:\n%s", findingsText(r))
	}
}

func TestSeverityOverride(t *testing.T) {
	dup := `apiVersion: v1
kind: ConfigMap
metadata: {name: c, namespace: ai}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: c, namespace: ai}
`
	// The inputs cannot tell an update from a stale copy: --strict leaves
	// duplicate-object a warning (assumed).
	r := validateYAML(t, Options{Target: templates.KgatewayV21, Strict: true}, dup)
	if r.Errors() != 0 || rulesOf(r)[RuleDuplicate] != 1 {
		t.Errorf("--strict leaves duplicate-object a warning:\n%s", findingsText(r))
	}
	r = validateYAML(t, Options{Target: templates.KgatewayV21, Strict: true, Severity: map[string]Severity{RuleDuplicate: SeverityWarning}}, dup)
	if r.Errors() != 0 || r.Warnings() != 1 {
		t.Errorf("--severity duplicate-object=warning wins over --strict:\n%s", findingsText(r))
	}
	r = validateYAML(t, Options{Target: templates.KgatewayV21, Severity: map[string]Severity{RuleDuplicate: SeverityError}}, dup)
	if r.Errors() != 1 {
		t.Errorf("--severity duplicate-object=error without --strict:\n%s", findingsText(r))
	}
	// A lint rule --strict never touches.
	r = validateYAML(t, Options{Target: templates.KgatewayV21, Severity: map[string]Severity{RuleTenantGateway: SeverityError}},
		strings.Replace(tenantGateway, "[{name: web, port: 80}]", "[{group: gateway.kgateway.dev, kind: Backend, name: openai}]", 1))
	if r.Errors() != 1 || rulesOf(r)[RuleTenantGateway] != 1 {
		t.Errorf("--severity tenant-gateway=error:\n%s", findingsText(r))
	}

	_, err := New(Options{Target: templates.KgatewayV21, Severity: map[string]Severity{"no-such-rule": SeverityError}})
	if !errors.Is(err, ErrUnknownRule) || !strings.Contains(err.Error(), `"no-such-rule"`) || !strings.Contains(err.Error(), RuleTenantGateway) {
		t.Errorf("unknown rule: %v", err)
	}
	_, err = New(Options{Target: templates.KgatewayV21, Severity: map[string]Severity{RuleSchema: SeverityWarning}})
	if !errors.Is(err, ErrUnknownRule) {
		t.Errorf("schema rules are the API server's and cannot be overridden: %v", err)
	}
	_, err = New(Options{Target: templates.KgatewayV21, Severity: map[string]Severity{RuleDuplicate: "fatal"}})
	if !errors.Is(err, ErrBadSeverity) {
		t.Errorf("bad severity: %v", err)
	}
}

// StrictRules is what docs/validate.md and --help say --strict promotes.
func TestStrictRulesDocumented(t *testing.T) {
	doc, err := os.ReadFile(filepath.Join("..", "docs", "validate.md"))
	if err != nil {
		t.Fatal(err)
	}
	_, section, _ := strings.Cut(string(doc), "## What `--strict` promotes")
	section, _, _ = strings.Cut(section, "\n## ")
	for _, id := range StrictRules() {
		if !strings.Contains(section, "`"+id+"`") {
			t.Errorf("docs/validate.md's --strict section does not name %s", id)
		}
	}
}
