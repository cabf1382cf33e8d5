package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kubelb-ai/kubelb-ai/internal/testenv"
)

const tutorialFile = "../../testdata/tutorial/kubelb-1.2-aigateway.yaml"

func TestValidateExitCodesAndFormats(t *testing.T) {
	code, out, _ := runCmd(t, "validate", "--strict", "../../testdata/golden/kgateway-v2.1/multi-same-format.yaml")
	if code != 0 || !strings.Contains(out, "documents valid for target kgateway-v2.1 (KubeLB 1.3: kgateway v2.1.2, Gateway API v1.4.1): 0 errors, 0 warnings") {
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

// No output of the command, in any format, on standard output, standard
// error or a report file, from files or from standard input, shows a
// credential.
func TestValidateNeverShowsACredential(t *testing.T) {
	const dir = "../../testdata/leaks"
	files, _ := filepath.Glob(dir + "/*.*")
	var stream strings.Builder
	for _, f := range files {
		if data, err := os.ReadFile(f); err == nil && !strings.HasSuffix(f, ".md") {
			stream.WriteString("---\n")
			stream.Write(data)
		}
	}
	out := t.TempDir()
	for _, target := range []string{"kgateway-v2.1", "agentgateway"} {
		for _, format := range []string{"text", "json", "sarif", "junit", "github"} {
			args := []string{"validate", "--target", target, "-o", format}
			for _, f := range []string{"text", "json", "sarif", "junit", "github"} {
				args = append(args, "--output", f+"="+filepath.Join(out, target+"."+f))
			}
			for _, input := range []string{dir, "-"} {
				var stdout, stderr strings.Builder
				code := run("kubelb-ai", append(args, input), IOStreams{In: strings.NewReader(stream.String()), Out: &stdout, ErrOut: &stderr})
				if code != exitFindings || strings.Count(stdout.String(), "Secret") < 5 {
					t.Fatalf("%s -o %s %s: exit %d, want findings:\n%s%s", target, format, input, code, stdout.String(), stderr.String())
				}
				shown := testenv.Leaks(stdout.String() + stderr.String())
				for _, f := range []string{"text", "json", "sarif", "junit", "github"} {
					data, _ := os.ReadFile(filepath.Join(out, target+"."+f))
					shown = append(shown, testenv.Leaks(string(data))...)
				}
				if len(shown) > 0 {
					t.Errorf("%s -o %s %s shows %q:\n%s%s", target, format, input, shown, stdout.String(), stderr.String())
				}
				if format == "text" && !strings.Contains(stdout.String(), `"stringData":{"Authorization":`+strings.Repeat("*", len(testenv.LeakKey)+2)+`},"bogus":1}`) {
					t.Errorf("%s %s: the one-line Secret's excerpt is not shown masked:\n%s", target, input, stdout.String())
				}
			}
		}
	}
}

// Input without a Kubernetes object fails (exit 2, naming the inputs) in
// every output format, so that CI pointed at the wrong folder does not
// pass; --allow-empty gives the normal empty report instead.
func TestValidateEmptyInput(t *testing.T) {
	dir := t.TempDir()
	empty, comments, noManifests, spec := filepath.Join(dir, "empty.yaml"), filepath.Join(dir, "comments.yaml"), filepath.Join(dir, "docs"), filepath.Join(dir, "spec")
	os.WriteFile(empty, nil, 0o644)
	os.WriteFile(comments, []byte("# nothing yet\n---\n\n---\n"), 0o644)
	os.MkdirAll(noManifests, 0o755)
	os.WriteFile(filepath.Join(noManifests, "README.md"), []byte("apiVersion: v1\nkind: ConfigMap\n"), 0o644)
	os.MkdirAll(spec, 0o755)
	os.WriteFile(filepath.Join(spec, "kubelb-ai.yaml"), []byte("apiVersion: kubelb-ai.dev/v1alpha1\nkind: Gateway\n"), 0o644)
	validate := func(stdin string, args ...string) (int, string, string) {
		var stdout, stderr strings.Builder
		code := run("kubelb-ai", append([]string{"validate"}, args...), IOStreams{In: strings.NewReader(stdin), Out: &stdout, ErrOut: &stderr})
		return code, stdout.String(), stderr.String()
	}
	for _, tc := range []struct {
		args  []string
		stdin string
		want  string
	}{
		{[]string{empty}, "", empty + " is empty or only comments"},
		{[]string{comments}, "", comments + " is empty or only comments"},
		{[]string{t.TempDir()}, "", "holds no .yaml, .yml or .json file"},
		{[]string{noManifests}, "", noManifests + " holds no .yaml, .yml or .json file"},
		{[]string{spec}, "", "kubelb-ai.yaml:1: a kubelb-ai Spec (Gateway), not a Kubernetes object"},
		{[]string{"-"}, "", "standard input is empty or only comments"},
		{[]string{"-"}, "# a comment\n", "standard input is empty or only comments"},
		{[]string{empty, noManifests}, "", empty + " is empty or only comments; " + noManifests + " holds no"},
	} {
		for _, format := range []string{"text", "json", "sarif", "junit", "github"} {
			args := append([]string{"-o", format}, tc.args...)
			code, out, errOut := validate(tc.stdin, args...)
			if code != exitUsage || out != "" || !strings.Contains(errOut, "no Kubernetes objects to validate: ") || !strings.Contains(errOut, tc.want) ||
				!strings.Contains(errOut, "expected YAML or JSON manifests") || !strings.Contains(errOut, "--allow-empty") {
				t.Errorf("%v: exit %d, stdout %q, stderr %q; want exit 2 and %q on stderr only", args, code, out, errOut, tc.want)
			}
			code, out, errOut = validate(tc.stdin, append(args, "--allow-empty")...)
			if code != 0 || out == "" || errOut != "" {
				t.Errorf("%v --allow-empty: exit %d, stdout %q, stderr %q; want exit 0 and the empty report", args, code, out, errOut)
			}
		}
	}
	code, out, _ := validate("", "-o", "json", "--allow-empty", empty)
	var rep struct{ Documents, Errors int }
	if code != 0 || json.Unmarshal([]byte(out), &rep) != nil || rep.Documents != 0 || rep.Errors != 0 {
		t.Errorf("--allow-empty -o json: exit %d\n%s", code, out)
	}
	// A path that does not exist is an error naming it, --allow-empty or not;
	// content that is not YAML is a finding (exit 1), not empty input.
	missing := filepath.Join(dir, "no-such-dir")
	for _, args := range [][]string{{missing}, {"--allow-empty", missing}, {empty, missing}} {
		if code, _, errOut := validate("", args...); code != exitUsage || !strings.Contains(errOut, missing+": no such file or directory") {
			t.Errorf("%v: exit %d, %q", args, code, errOut)
		}
	}
	bad := filepath.Join(dir, "bad.yaml")
	os.WriteFile(bad, []byte("kind: [\n"), 0o644)
	if code, out, _ := validate("", bad); code != exitFindings || !strings.Contains(out, "bad.yaml:") {
		t.Errorf("invalid YAML: exit %d\n%s", code, out)
	}
}

// The release flags pick the CRDs that judge, the report says which, and
// contradictions are usage errors (exit 2) that name what is known.
func TestValidateReleaseFlags(t *testing.T) {
	const a2a = "../../validate/testdata/releases/a2a-backend.yaml"
	for _, tc := range []struct {
		args     []string
		code     int
		out, err string
	}{
		{[]string{"--kubelb-version", "1.5", a2a}, 0, "1 documents valid for target agentgateway (KubeLB 1.5: agentgateway v1.3.1, Gateway API v1.5.1)", ""},
		{[]string{"--kubelb-version", "1.4", a2a}, exitFindings, "fix: spec.a2a is a field of agentgateway v1.4.1 (--data-plane-version v1.4.1), agentgateway v1.3.1 (--kubelb-version 1.5)", ""},
		{[]string{"--data-plane-version", "v1.4.1", "--gateway-api-version", "v1.6.1", a2a}, 0, "valid for target agentgateway (agentgateway v1.4.1, Gateway API v1.6.1)", ""},
		{[]string{"--kubelb-version", "1.4", "--data-plane-version", "v1.3.1", a2a}, 0, "valid for target agentgateway (agentgateway v1.3.1, Gateway API v1.5.1)", ""},
		{[]string{"--kubelb-version", "1.7", a2a}, 0, "(KubeLB 1.5: agentgateway v1.3.1, Gateway API v1.5.1)", "warning: KubeLB 1.7 is newer than the releases kubelb-ai knows (1.2, 1.3, 1.4, 1.5): judging by KubeLB 1.5's CRDs"},
		{[]string{"--target", "kgateway-v2.1", "--data-plane-version", "v1.3.1", a2a}, exitUsage, "", "--target kgateway-v2.1: --data-plane-version v1.3.1 is a release of agentgateway"},
		{[]string{"--kubelb-version", "1.3", "--data-plane-version", "v1.4.1", a2a}, exitUsage, "", "--data-plane-version v1.4.1: KubeLB 1.3 runs kgateway-v2.1, whose releases are v2.1.2"},
		{[]string{"--data-plane-version", "v1.2.0", a2a}, exitUsage, "", "--data-plane-version: no data plane release v1.2.0: known are kgateway v2.0.5, kgateway v2.1.2, agentgateway v1.1.0, agentgateway v1.3.1, agentgateway v1.4.1"},
		{[]string{"--gateway-api-version", "v1.2.0", a2a}, exitUsage, "", "no Gateway API release v1.2.0 here: known are v1.3.0, v1.4.1, v1.5.1, v1.6.1"},
		{[]string{"--gateway-api-channel", "nightly", a2a}, exitUsage, "", `no Gateway API channel "nightly": use standard or experimental`},
	} {
		code, out, errOut := runCmd(t, append([]string{"validate"}, tc.args...)...)
		if code != tc.code || !strings.Contains(out, tc.out) || !strings.Contains(errOut, tc.err) {
			t.Errorf("validate %s: exit %d, want %d with %q / %q\nstdout: %s\nstderr: %s", strings.Join(tc.args, " "), code, tc.code, tc.out, tc.err, out, errOut)
		}
	}
	// Machine-readable reports carry the releases too.
	code, out, _ := runCmd(t, "validate", "--kubelb-version", "1.5", "-o", "json", a2a)
	var rep struct {
		CRDs map[string]string `json:"crds"`
	}
	if err := json.Unmarshal([]byte(out), &rep); code != 0 || err != nil ||
		rep.CRDs["kubelb"] != "1.5" || rep.CRDs["dataPlane"] != "agentgateway" || rep.CRDs["dataPlaneVersion"] != "v1.3.1" ||
		rep.CRDs["gatewayAPIVersion"] != "v1.5.1" || rep.CRDs["gatewayAPIChannel"] != "standard" {
		t.Errorf("-o json crds = %v (exit %d, %v)\n%s", rep.CRDs, code, err, out)
	}
	dir := t.TempDir()
	for format, want := range map[string]string{"junit": "kubelb-ai validate (agentgateway; KubeLB 1.5: agentgateway v1.3.1, Gateway API v1.5.1)", "sarif": `"crds": "KubeLB 1.5: agentgateway v1.3.1, Gateway API v1.5.1"`} {
		file := filepath.Join(dir, format)
		if code, _, errOut := runCmd(t, "validate", "--kubelb-version", "1.5", "--output", format+"="+file, a2a); code != 0 {
			t.Fatalf("--output %s: exit %d: %s", format, code, errOut)
		}
		if data, _ := os.ReadFile(file); !strings.Contains(string(data), want) {
			t.Errorf("%s report lacks %q:\n%s", format, want, data)
		}
	}
}
