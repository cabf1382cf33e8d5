package validate

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/kubelb-ai/kubelb-ai/generate"
	"github.com/kubelb-ai/kubelb-ai/schemas"
	"github.com/kubelb-ai/kubelb-ai/spec"
	"github.com/kubelb-ai/kubelb-ai/templates"
	"github.com/kubelb-ai/kubelb-ai/validate/loader"
)

var validators = map[string]*Validator{}

func validator(t *testing.T, target string) *Validator {
	t.Helper()
	return validatorFor(t, target, templates.CRDVersions{})
}

func validatorFor(t *testing.T, target string, versions templates.CRDVersions) *Validator {
	t.Helper()
	key := strings.Join([]string{target, versions.KubeLB, versions.DataPlane, versions.GatewayAPI, versions.Channel}, "|")
	if v, ok := validators[key]; ok {
		return v
	}
	v, err := New(Options{Target: target, Versions: versions})
	if err != nil {
		t.Fatal(err)
	}
	validators[key] = v
	return v
}

func validateFiles(t *testing.T, target string, paths ...string) *Report {
	t.Helper()
	return validator(t, target).Validate(context.Background(), loader.Load(paths, nil))
}

func findingsText(r *Report) string {
	var b strings.Builder
	for _, f := range r.Findings {
		fmt.Fprintf(&b, "%s:%d:%d: %s: %s [%s] fix: %s\n", filepath.Base(f.File), f.Line, f.Column, f.Severity, f.Message, f.Rule, f.Fix)
	}
	return b.String()
}

// TestGeneratedManifestsAreClean: what generate writes, validate accepts
// with no error and no reference problem, for every fixture and target, by
// the CRDs of every release the target pairs with (no false alarms). The
// one warning allowed is no-rate-limit, and only on the routes the fixture
// really leaves unlimited.
func TestGeneratedManifestsAreClean(t *testing.T) {
	files, _ := filepath.Glob("../testdata/golden/*/*.yaml")
	if len(files) == 0 {
		t.Fatal("no golden manifests")
	}
	unlimited := map[string][]string{ // fixture -> routes without a rate limit
		"multi-same-format.yaml":     nil,
		"multi-mixed-failover.yaml":  {"local"},
		"kubelb15-rerank.yaml":       {"openai", "guarded"},
		"route-types.yaml":           {"openai"},
		"cors.yaml":                  nil,
		"clients-apikeys.yaml":       nil,
		"clients-jwt.yaml":           nil,
		"clients-global-limits.yaml": nil,
		"mcp.yaml":                   nil, // the MCP route reaches no LLM
		"tracing.yaml":               nil,
	}
	for _, f := range files {
		target := filepath.Base(filepath.Dir(f))
		pairings, err := templates.Pairings(target)
		if err != nil {
			t.Fatal(err)
		}
		for _, versions := range pairings {
			if filepath.Base(f) == "kubelb15-rerank.yaml" && versions.DataPlane == "v1.1.0" {
				// For KubeLB 1.5: the Rerank route type is unknown to v1.1.0 (KubeLB 1.4).
				got := findingsText(validatorFor(t, target, versions).Validate(context.Background(), loader.Load([]string{f}, nil)))
				if !strings.Contains(got, `Unsupported value: "Rerank"`) {
					t.Errorf("%s passes agentgateway v1.1.0, which has no Rerank route type:\n%s", f, got)
				}
				continue
			}
			checkGenerated(t, f, target, versions, unlimited)
		}
	}
}

func checkGenerated(t *testing.T, f, target string, versions templates.CRDVersions, unlimited map[string][]string) {
	t.Helper()
	r := validatorFor(t, target, versions).Validate(context.Background(), loader.Load([]string{f}, nil))
	target += " (" + versions.String() + ")"
	want, multi := unlimited[filepath.Base(f)]
	if !multi {
		want = []string{strings.TrimSuffix(strings.TrimPrefix(filepath.Base(f), "single-"), ".yaml")}
	}
	var got []string
	for _, fd := range r.Findings {
		if fd.Rule == RuleNoRateLimit {
			got = append(got, strings.TrimPrefix(fd.Object, "HTTPRoute "+namespaceOf(fd.Object)+"/"))
			continue
		}
		if fd.Rule == RuleMCPAuthForwarded && filepath.Base(f) == "mcp.yaml" && (strings.Contains(fd.Message, "target everything ") || strings.Contains(fd.Message, "target search ")) {
			// True of what generate writes today: the fixture's servers
			// without keyEnv get the client's Authorization (as an MCP
			// server doing its own OAuth expects). Whether generate should
			// remove it is open in issue 17.
			continue
		}
		t.Errorf("%s on %s: unexpected finding\n%s", f, target, findingsText(&Report{Findings: []Finding{fd}}))
	}
	if strings.Join(got, ",") != strings.Join(want, ",") || r.Documents == 0 {
		t.Errorf("%s on %s: no-rate-limit on %v, want %v", f, target, got, want)
	}
}

func namespaceOf(object string) string {
	_, rest, _ := strings.Cut(object, " ")
	ns, _, _ := strings.Cut(rest, "/")
	return ns
}

const tutorial = "../testdata/tutorial/kubelb-1.2-aigateway.yaml"

// TestTutorialDefectsOnKgateway20: on the release the tutorial was written
// for, each defect is one precise finding with its fix.
func TestTutorialDefectsOnKgateway20(t *testing.T) {
	r := validateFiles(t, templates.KgatewayV20, tutorial)
	got := findingsText(r)
	for _, want := range []string{
		`kubelb-1.2-aigateway.yaml:58:15: error: Forbidden: unknown field "spec.ai.llm.provider.openai.authToken.secretRef.namespace" [unknown-field] fix: remove namespace: secretRef names a Secret`,
		`kubelb-1.2-aigateway.yaml:88:1: error: kind RateLimitPolicy does not exist in kgateway`,
		"kind: TrafficPolicy",
		"fillInterval: 1h",
		"maxTokens: 100",
		"name: openai",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("findings lack %q:\n%s", want, got)
		}
	}
	if r.Errors() != 2 {
		t.Errorf("want exactly 2 errors (secretRef.namespace, RateLimitPolicy), got %d:\n%s", r.Errors(), got)
	}
}

// TestTutorialDefectsOnKgateway21: KubeLB 1.3 ships kgateway v2.1, where the
// tutorial's Backend has the wrong shape.
func TestTutorialDefectsOnKgateway21(t *testing.T) {
	r := validateFiles(t, templates.KgatewayV21, tutorial)
	got := findingsText(r)
	for _, want := range []string{
		`kubelb-1.2-aigateway.yaml:52:7: error: Forbidden: unknown field "spec.ai.llm.provider" [unknown-field] fix: this is the kgateway v2.0 (KubeLB 1.2) Backend shape`,
		`kubelb-1.2-aigateway.yaml:51:5: error: Invalid value: exactly one of the fields in [openai azureopenai anthropic gemini vertexai bedrock] must be set [cel]`,
		`kind RateLimitPolicy does not exist`,
	} {
		if !strings.Contains(got, want) {
			t.Errorf("findings lack %q:\n%s", want, got)
		}
	}
}

func TestTutorialRateLimitPolicyOnAgentgateway(t *testing.T) {
	r := validateFiles(t, templates.Agentgateway, tutorial)
	got := findingsText(r)
	for _, want := range []string{"kind: AgentgatewayPolicy", "requests: 100", "unit: Hours", "Backend is a kgateway-v2.0 kind; target agentgateway does not have it"} {
		if !strings.Contains(got, want) {
			t.Errorf("findings lack %q:\n%s", want, got)
		}
	}
}

func TestBadInputBecomesFindings(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		os.WriteFile(p, []byte(content), 0o644)
		return p
	}
	for _, tc := range []struct{ name, content, want string }{
		{"dup.yaml", "apiVersion: v1\nkind: Secret\nmetadata: {name: s}\nmetadata: {name: t}\n", "dup.yaml:4:1: error: yaml: unmarshal errors:"},
		{"yaml.yaml", "apiVersion: v1\nkind: [\n", "yaml.yaml:2:1: error"},
		{"secret.yaml", "apiVersion: v1\nkind: Secret\nmetadata: {name: Bad_Name}\nstringData: {Authorization: x}\n", "secret.yaml:3:12: error: Invalid value: \"Bad_Name\""},
		{"secretfield.yaml", "apiVersion: v1\nkind: Secret\nmetadata: {name: s}\nstringdata: {a: b}\n", `unknown field "stringdata"`},
		{"other.yaml", "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\n", "warning: apps/v1, Kind=Deployment is not validated"},
		{"gwkind.yaml", "apiVersion: gateway.networking.k8s.io/v1\nkind: Gatway\nmetadata: {name: g}\n", "unknown kind Gatway"},
	} {
		r := validateFiles(t, templates.KgatewayV21, write(tc.name, tc.content))
		if got := findingsText(r); !strings.Contains(got, tc.want) {
			t.Errorf("%s: findings\n%s\nwant %q", tc.name, got, tc.want)
		}
	}
}

// TestWrongTargetShapesAreCaught renders for each kgateway release and
// validates on the other: the Backend must be rejected with the shape fix.
func TestWrongTargetShapesAreCaught(t *testing.T) {
	for _, tc := range []struct{ render, validate, fix string }{
		{templates.KgatewayV20, templates.KgatewayV21, "kgateway v2.0 (KubeLB 1.2) Backend shape"},
		{templates.KgatewayV21, templates.KgatewayV20, "kgateway v2.1 (KubeLB 1.3) Backend shape"},
	} {
		g := &spec.AIGateway{Spec: spec.Spec{Target: tc.render, Providers: []spec.Provider{{Kind: "openai"}}}}
		spec.Default(g)
		objs, _ := generate.Render(g)
		out, _ := generate.Encode(objs, "yaml")
		p := filepath.Join(t.TempDir(), "m.yaml")
		os.WriteFile(p, out, 0o644)
		r := validateFiles(t, tc.validate, p)
		if got := findingsText(r); !strings.Contains(got, tc.fix) {
			t.Errorf("%s manifests on %s:\n%s\nwant a fix mentioning %q", tc.render, tc.validate, got, tc.fix)
		}
	}
}

func TestAutoAndAlsoValidFor(t *testing.T) {
	ctx := context.Background()
	for target, golden := range map[string]string{
		templates.KgatewayV20:  "../testdata/golden/kgateway-v2.0/single-openai.yaml",
		templates.KgatewayV21:  "../testdata/golden/kgateway-v2.1/single-openai.yaml",
		templates.Agentgateway: "../testdata/golden/agentgateway/single-openai.yaml",
	} {
		in := loader.Load([]string{golden}, nil)
		r, err := Auto(ctx, in, Options{})
		if err != nil || r.Target != target || r.Errors() != 0 {
			t.Errorf("auto on %s manifests chose %s with %d errors (%v)", target, r.Target, r.Errors(), err)
		}
	}
	in := loader.Load([]string{"../testdata/golden/kgateway-v2.0/single-openai.yaml"}, nil)
	r := validateFiles(t, templates.KgatewayV21, "../testdata/golden/kgateway-v2.0/single-openai.yaml")
	if got := AlsoValidFor(ctx, in, r, Options{}); len(got) != 1 || got[0] != templates.KgatewayV20 {
		t.Errorf("v2.0 manifests are also valid for %v, want [kgateway-v2.0]", got)
	}
	// An HTTPRoute that only a Gateway API release refuses says nothing of
	// other targets: the Gateway API release is the question there.
	const emptyRules = "testdata/releases/empty-rules.yaml"
	r = validateFiles(t, templates.Agentgateway, emptyRules)
	if r.Errors() == 0 {
		t.Fatalf("%s: no error on agentgateway", emptyRules)
	}
	if got := AlsoValidFor(ctx, loader.Load([]string{emptyRules}, nil), r, Options{}); len(got) != 0 {
		t.Errorf("a Gateway API release's error suggested targets %v", got)
	}
}

// TestEveryRuleIsDocumented: each rule ID has its section in docs/validate.md,
// which SARIF's help links point to.
func TestEveryRuleIsDocumented(t *testing.T) {
	doc, err := os.ReadFile("../docs/validate.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range Rules {
		if !strings.Contains(string(doc), "\n### "+r.ID+"\n") {
			t.Errorf("rule %s has no section in docs/validate.md", r.ID)
		}
	}
	for _, id := range append(append([]string{}, LintRules...), refRules...) {
		found := false
		for _, r := range Rules {
			found = found || r.ID == id
		}
		if !found {
			t.Errorf("rule %s is missing from Rules", id)
		}
	}
}

// Validating an Input (read file by file, documents summarized as they are
// checked) reports exactly what validating the loaded documents reports, on
// every manifest in the repository's test data.
func TestStreamingMatchesLoaded(t *testing.T) {
	dirs := []string{"../testdata", "testdata"}
	for _, target := range templates.TargetNames() {
		for _, strict := range []bool{false, true} {
			v, err := New(Options{Target: target, Strict: strict})
			if err != nil {
				t.Fatal(err)
			}
			loaded := v.Validate(context.Background(), loader.Load(dirs, nil))
			streamed := v.Validate(context.Background(), loader.Input{Paths: dirs})
			if loaded.Documents < 100 {
				t.Fatalf("only %d documents under %v", loaded.Documents, dirs)
			}
			if got, want := findingsText(streamed), findingsText(loaded); got != want || streamed.Documents != loaded.Documents {
				t.Errorf("%s strict=%v: streamed and loaded reports differ:\n%s", target, strict, lineDiff(want, got))
			}
		}
	}
}

func lineDiff(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	for i := range min(len(w), len(g)) {
		if w[i] != g[i] {
			return fmt.Sprintf("first difference at finding %d:\nwant %s\ngot  %s", i, w[i], g[i])
		}
	}
	return fmt.Sprintf("want %d findings, got %d", len(w), len(g))
}

// The embedded CRDs are compiled lazily; every kind of every target must
// compile when first used.
func TestEmbeddedCRDsCompile(t *testing.T) {
	for _, target := range templates.TargetNames() {
		v := validator(t, target)
		gvks := v.set.GVKs()
		if len(gvks) < 10 {
			t.Fatalf("%s: only %d kinds", target, len(gvks))
		}
		for _, gvk := range gvks {
			obj := map[string]any{"apiVersion": gvk.GroupVersion().String(), "kind": gvk.Kind, "metadata": map[string]any{"name": "x", "namespace": "y"}}
			for _, e := range v.set.Validate(context.Background(), obj) {
				if e.Type == field.ErrorTypeInternal {
					t.Errorf("%s %s: %v", target, gvk, e)
				}
			}
		}
	}
}

// A cluster's installed CRDs name its target.
func TestClusterTarget(t *testing.T) {
	decode := func(group string) []apiextensionsv1.CustomResourceDefinition {
		crds, err := schemas.Served(group)
		if err != nil {
			t.Fatal(err)
		}
		var out []apiextensionsv1.CustomResourceDefinition
		for _, c := range crds {
			crd, err := decodeEmbedded(c)
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, *crd)
		}
		return out
	}
	gatewayAPI := decode(schemas.GatewayAPISet("v1.5.1", "standard"))
	if got, ok := ClusterTarget(gatewayAPI); ok {
		t.Errorf("Gateway API only: %s", got)
	}
	for _, target := range templates.Targets() {
		for _, r := range target.CRDs.Releases {
			set := schemas.DataPlaneSet(target.CRDs.Project, r)
			if got, ok := ClusterTarget(append(slices.Clone(gatewayAPI), decode(set)...)); !ok || got != target.Name {
				t.Errorf("%s's CRDs: %s %v", set, got, ok)
			}
		}
	}
}
