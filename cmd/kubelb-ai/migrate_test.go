package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The KubeLB v1.2 tutorial migrates to kgateway v2.1 and to agentgateway,
// with a note per repaired mistake, and the result validates there.
func TestMigrateTutorial(t *testing.T) {
	for _, to := range []string{"kgateway-v2.1", "agentgateway"} {
		dir := filepath.Join(t.TempDir(), "out")
		code, out, errOut := runCmd(t, "migrate", "--to", to, "-f", tutorialFile, "--output-dir", dir)
		if code != 0 {
			t.Fatalf("%s: exit %d\n%s%s", to, code, out, errOut)
		}
		for _, note := range []string{"RateLimitPolicy (a kind no kgateway release has) read as 100 requests per hour on HTTPRoute openai",
			"secretRef.namespace removed", "image tag v2.1.0-main dropped", "(a path rewrite) removed", "migrated from kgateway-v2.0 to " + to} {
			if !strings.Contains(errOut, note) {
				t.Errorf("%s: no note %q in\n%s", to, note, errOut)
			}
		}
		if _, err := os.Stat(filepath.Join(dir, "kubelb-ai.yaml")); err != nil {
			t.Errorf("%s: the Spec was not written: %v", to, err)
		}
		code, out, _ = runCmd(t, "validate", "--strict", "--target", to, dir)
		if code != 0 {
			t.Errorf("%s: the migrated tutorial does not validate:\n%s", to, out)
		}
		code, _, errOut = runCmd(t, "migrate", "--to", to, "-f", tutorialFile, "--output-dir", dir)
		if code != exitUsage || !strings.Contains(errOut, "--force") {
			t.Errorf("%s: a second migrate into the same directory: exit %d\n%s", to, code, errOut)
		}
	}
}

func TestMigrateErrors(t *testing.T) {
	for _, c := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"migrate", "-f", tutorialFile}, exitUsage, "--to is required"},
		{[]string{"migrate", "--to", "kgateway-v3"}, exitUsage, "--to"},
		{[]string{"migrate", "--to", "agentgateway"}, exitUsage, "-f is required"},
		{[]string{"migrate", "--to", "agentgateway", "-f", "missing.yaml"}, exitUsage, "missing.yaml"},
		// Token limits and mixed-format failover do not exist on kgateway.
		{[]string{"migrate", "--to", "kgateway-v2.1", "-f", "../../testdata/golden/agentgateway/multi-mixed-failover.yaml"}, exitFindings, "cannot migrate from agentgateway to kgateway-v2.1"},
	} {
		code, _, errOut := runCmd(t, c.args...)
		if code != c.code || !strings.Contains(errOut, c.want) {
			t.Errorf("%v: exit %d, want %d with %q:\n%s", c.args, code, c.code, c.want, errOut)
		}
	}
}
