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

// The real-world-shaped sets under testdata/realworld/TARGET (route
// delegation, auth Secrets of each kind, a backend mTLS policy, policy
// updates, objects without a namespace, and what the scoped rules once
// cried wolf on: heredoc Secrets, tenant Gateways without AI, kgateway
// v2.1's agentgateway class): validate --strict reports nothing on a
// valid set; its faulty twin (NAME.bad.yaml, whose "# want: RULE OBJECT"
// lines say what was planted) gets exactly the planted findings. A
// "# warns: RULE OBJECT" line names a warning a set may get from a rule
// that cannot be exact, which --strict must leave a warning.
func TestRealWorldCorpus(t *testing.T) {
	files, _ := filepath.Glob("testdata/realworld/*/*.yaml")
	if len(files) < 10 {
		t.Fatalf("%d files in testdata/realworld", len(files))
	}
	for _, file := range files {
		target := filepath.Base(filepath.Dir(file))
		t.Run(target+"/"+filepath.Base(file), func(t *testing.T) {
			want, warns := headerLines(t, file, "# want: "), headerLines(t, file, "# warns: ")
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
				id := f.Rule + " " + f.Object
				switch {
				case slices.Contains(want, id):
					got = append(got, id)
				case slices.Contains(warns, id) && f.Severity == SeverityWarning:
				default:
					t.Errorf("unexpected %s: %s:%d: %s [%s]", f.Severity, f.File, f.Line, f.Message, f.Rule)
				}
			}
			slices.Sort(got)
			if !slices.Equal(got, want) {
				t.Errorf("planted findings %q, want %q\n%s", got, want, findingsText(r))
			}
		})
	}
}

// headerLines are a file's lines that start with prefix, without it,
// sorted.
func headerLines(t *testing.T, file, prefix string) []string {
	t.Helper()
	f, err := os.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []string
	for sc := bufio.NewScanner(f); sc.Scan(); {
		if w, ok := strings.CutPrefix(sc.Text(), prefix); ok {
			out = append(out, w)
		}
	}
	slices.Sort(out)
	return out
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
