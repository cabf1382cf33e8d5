package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const tutorialFile = "../../testdata/tutorial/kubelb-1.2-aigateway.yaml"

func TestValidateExitCodesAndFormats(t *testing.T) {
	code, out, _ := runCmd(t, "validate", "--strict", "../../testdata/golden/kgateway-v2.1/multi-same-format.yaml")
	if code != 0 || !strings.Contains(out, "documents valid for target kgateway-v2.1: 0 errors, 0 warnings") {
		t.Fatalf("clean manifests: exit %d\n%s", code, out)
	}
	code, out, _ = runCmd(t, "validate", "--kubelb-version", "1.2", tutorialFile)
	if code != exitFindings || !strings.Contains(out, "kubelb-1.2-aigateway.yaml:58:15: error:") || !strings.Contains(out, "  fix: remove namespace") {
		t.Fatalf("tutorial on 1.2: exit %d\n%s", code, out)
	}
	dir := t.TempDir()
	sarif, junit := filepath.Join(dir, "r.sarif"), filepath.Join(dir, "r.xml")
	code, out, _ = runCmd(t, "validate", "-o", "json", "--output", "sarif="+sarif, "--output", "junit="+junit, tutorialFile)
	var rep struct{ Errors int }
	if code != exitFindings || json.Unmarshal([]byte(out), &rep) != nil || rep.Errors != 3 {
		t.Fatalf("-o json: exit %d\n%s", code, out)
	}
	for _, f := range []string{sarif, junit} {
		if data, err := os.ReadFile(f); err != nil || len(data) == 0 {
			t.Errorf("%s not written: %v", f, err)
		}
	}
}

func TestValidateAutoAndStdin(t *testing.T) {
	data, _ := os.ReadFile("../../testdata/golden/agentgateway/multi-mixed-failover.yaml")
	var stdout, stderr strings.Builder
	code := run("kubelb-ai", []string{"validate", "--target", "auto", "-"}, IOStreams{In: strings.NewReader(string(data)), Out: &stdout, ErrOut: &stderr})
	if code != 0 || !strings.Contains(stdout.String(), "valid for target agentgateway") {
		t.Fatalf("exit %d\n%s%s", code, stdout.String(), stderr.String())
	}
}

func TestValidateUsageAndIOErrors(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"validate"}, "name at least one file"},
		{[]string{"validate", "missing-dir/"}, "missing-dir/: no such file or directory"},
		{[]string{"validate", "-o", "xml", tutorialFile}, "unknown output format \"xml\""},
		{[]string{"validate", "-o", "json", "-o", "text", tutorialFile}, "standard output takes one format"},
		{[]string{"validate", "--output", "junit=", tutorialFile}, "the file name is missing"},
		{[]string{"validate", "--target", "kgw", tutorialFile}, "unknown target \"kgw\""},
		{[]string{"validate", "--fail-on", "info", tutorialFile}, "--fail-on \"info\""},
		{[]string{"validate", "--disable", "nope", tutorialFile}, "unknown rule \"nope\""},
	} {
		code, _, errOut := runCmd(t, tc.args...)
		if code != exitUsage || !strings.Contains(errOut, tc.want) {
			t.Errorf("%v: exit %d, %q; want exit 2 and %q", tc.args, code, errOut, tc.want)
		}
	}
}

func TestValidateWarningsFailOnlyWhenAsked(t *testing.T) {
	p := filepath.Join(t.TempDir(), "d.yaml")
	os.WriteFile(p, []byte("apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\n"), 0o644)
	if code, out, _ := runCmd(t, "validate", p); code != 0 || !strings.Contains(out, "warning") {
		t.Fatalf("warning alone: exit %d\n%s", code, out)
	}
	if code, _, _ := runCmd(t, "validate", "--fail-on", "warning", p); code != exitFindings {
		t.Fatalf("--fail-on warning: exit %d", code)
	}
}

// TestValidateCRDsFromCluster uses a real API server when one is given
// (KUBELB_AI_TEST_KUBECONFIG, e.g. from make test-apiserver); without one,
// a connection failure must be a clear exit 2.
func TestValidateCRDsFromCluster(t *testing.T) {
	bad := filepath.Join(t.TempDir(), "kubeconfig")
	os.WriteFile(bad, []byte("apiVersion: v1\nkind: Config\nclusters: [{name: c, cluster: {server: \"https://127.0.0.1:1\"}}]\ncontexts: [{name: c, context: {cluster: c, user: u}}]\ncurrent-context: c\nusers: [{name: u, user: {token: x}}]\n"), 0o600)
	code, _, errOut := runCmd(t, "validate", "--crds-from-cluster", "--kubeconfig", bad, tutorialFile)
	if code != exitUsage || !strings.Contains(errOut, "--crds-from-cluster: listing CRDs") {
		t.Fatalf("unreachable cluster: exit %d, %s", code, errOut)
	}
	kubeconfig := os.Getenv("KUBELB_AI_TEST_KUBECONFIG")
	if kubeconfig == "" {
		t.Skip("no test API server (set KUBELB_AI_TEST_KUBECONFIG, see make test-apiserver)")
	}
	code, out, errOut := runCmd(t, "validate", "--crds-from-cluster", "--kubeconfig", kubeconfig, "--kubelb-version", "1.3", tutorialFile)
	if code != exitFindings || !strings.Contains(out, "exactly one of the fields in [openai azureopenai anthropic gemini vertexai bedrock] must be set") {
		t.Fatalf("against the cluster's CRDs: exit %d\n%s%s", code, out, errOut)
	}
}

// A set that fails on the chosen target but is valid for another gets both
// ways out: the other target, and migrate to the chosen one, whose output
// then validates.
func TestValidateSuggestsMigrate(t *testing.T) {
	v20 := "../../testdata/golden/kgateway-v2.0/single-openai.yaml"
	code, out, _ := runCmd(t, "validate", v20)
	want := "the same manifests are valid for target kgateway-v2.0: if the cluster runs it, validate with --target kgateway-v2.0; to move them to kgateway-v2.1, run kubelb-ai migrate --to kgateway-v2.1 -f " + v20
	if code != exitFindings || !strings.Contains(out, want) {
		t.Fatalf("exit %d, want the suggestion %q in\n%s", code, want, out)
	}
	code, migrated, errOut := runCmd(t, "migrate", "--to", "kgateway-v2.1", "-f", v20)
	if code != 0 || !strings.Contains(errOut, "migrated from kgateway-v2.0 to kgateway-v2.1") {
		t.Fatalf("migrate: exit %d\n%s", code, errOut)
	}
	var stdout, stderr strings.Builder
	if code := run("kubelb-ai", []string{"validate", "--strict", "-"}, IOStreams{In: strings.NewReader(migrated), Out: &stdout, ErrOut: &stderr}); code != 0 {
		t.Fatalf("migrated manifests do not validate: exit %d\n%s%s", code, stdout.String(), stderr.String())
	}
}
