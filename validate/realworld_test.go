package validate

import (
	"bufio"
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/kubelb-ai/kubelb-ai/validate/loader"
)

// realWorldRules are the rules real-world manifests raised false alarms
// on (issue 20): the corpus holds each for them.
var realWorldRules = []string{RuleRefUnresolved, RuleRefInvalid, RuleRefGrant, RuleRefSecretKey, RulePolicyClash, RuleInlineKey,
	RuleTenantGateway, RuleGatewayClass, RuleFailoverMixed}

// The real-world-shaped sets under testdata/realworld (route delegation,
// auth Secrets of each kind, policy updates, objects without a namespace,
// ...): validate --strict reports no error on a valid set and none of
// realWorldRules; its faulty twin (NAME.bad.yaml, whose "# want: RULE
// OBJECT" lines say what was planted) gets exactly the planted findings.
func TestRealWorldCorpus(t *testing.T) {
	files, _ := filepath.Glob("testdata/realworld/*/*.yaml")
	if len(files) < 10 {
		t.Fatalf("%d files in testdata/realworld", len(files))
	}
	for _, file := range files {
		target := filepath.Base(filepath.Dir(file))
		t.Run(target+"/"+filepath.Base(file), func(t *testing.T) {
			want := plantedFindings(t, file)
			if strings.HasSuffix(file, ".bad.yaml") == (len(want) == 0) {
				t.Fatalf("a .bad.yaml file names its planted findings, a valid one none: %v", want)
			}
			v, err := New(Options{Target: target, Strict: true})
			if err != nil {
				t.Fatal(err)
			}
			r := v.Validate(context.Background(), loader.Load([]string{file}, nil))
			var got []string
			for _, f := range r.Findings {
				planted := slices.Contains(want, f.Rule+" "+f.Object)
				if f.Severity == SeverityError && !planted {
					t.Errorf("unexpected error: %s:%d: %s [%s]", f.File, f.Line, f.Message, f.Rule)
				}
				if slices.Contains(realWorldRules, f.Rule) {
					got = append(got, f.Rule+" "+f.Object)
				}
			}
			slices.Sort(got)
			if !slices.Equal(got, want) {
				t.Errorf("findings %q, want %q\n%s", got, want, findingsText(r))
			}
		})
	}
}

// plantedFindings reads a file's "# want: RULE OBJECT" lines, sorted.
func plantedFindings(t *testing.T, file string) []string {
	t.Helper()
	f, err := os.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var want []string
	for sc := bufio.NewScanner(f); sc.Scan(); {
		if w, ok := strings.CutPrefix(sc.Text(), "# want: "); ok {
			want = append(want, w)
		}
	}
	slices.Sort(want)
	return want
}

// The keys a data plane reads of a Secret depend on the reference: only
// provider credentials read Authorization; a reference may name its key
// (agentgateway); an API-key Secret's keys are the clients'; a TLS or
// OAuth reference is checked for the Secret alone.
func TestSecretKeysRead(t *testing.T) {
	for _, c := range []struct {
		ref  secretRef
		want []string
	}{
		{secretRef{path: "spec.ai.llm.openai.authToken.secretRef"}, []string{"Authorization"}},
		{secretRef{path: "spec.ai.priorityGroups[0].providers[1].azureopenai.authToken.secretRef"}, []string{"Authorization"}},
		{secretRef{path: "spec.ai.llm.bedrock.auth.secretRef"}, []string{"accessKey", "secretKey"}},
		{secretRef{path: "spec.backend.auth.secretRef"}, []string{"Authorization"}},
		{secretRef{path: "spec.backend.auth.secretRef", key: "api-key"}, []string{"api-key"}},
		{secretRef{path: "spec.policies.auth.aws.secretRef"}, []string{"accessKey", "secretKey"}},
		{secretRef{path: "spec.backend.auth.gcp.secretRef"}, []string{"credentials.json"}},
		{secretRef{path: "spec.traffic.basicAuthentication.secretRef"}, []string{".htaccess"}},
		{secretRef{path: "spec.traffic.apiKeyAuthentication.secretRef"}, nil},
		{secretRef{path: "spec.backend.tls.secretRef"}, nil},
		{secretRef{path: "spec.backend.auth.oauthTokenExchange.secretRef"}, nil},
	} {
		if got := secretKeysRead(c.ref); !slices.Equal(got, c.want) {
			t.Errorf("%s (key %q): %q, want %q", c.ref.path, c.ref.key, got, c.want)
		}
	}
}
