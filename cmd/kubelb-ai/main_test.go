package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spf13/pflag"

	"github.com/kubelb-ai/kubelb-ai/generate"
)

// runCmd runs one command line in-process and returns exit code, stdout, stderr.
func runCmd(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := run("kubelb-ai", args, IOStreams{In: strings.NewReader(""), Out: &out, ErrOut: &errOut})
	return code, out.String(), errOut.String()
}

func TestVersion(t *testing.T) {
	code, out, _ := runCmd(t, "version")
	if code != 0 || !strings.HasPrefix(out, "kubelb-ai ") || !strings.Contains(out, "kgateway-v2.1  KubeLB 1.3") || !strings.Contains(out, "(default)") {
		t.Fatalf("version: %d\n%s", code, out)
	}
	code, out, _ = runCmd(t, "version", "-o", "json")
	var v versionInfo
	if code != 0 || json.Unmarshal([]byte(out), &v) != nil || len(v.Targets) != 3 || v.GoVersion == "" || v.Version == "" {
		t.Fatalf("version -o json: %d\n%s", code, out)
	}
	if code, _, errOut := runCmd(t, "version", "-o", "xml"); code != exitUsage || !strings.Contains(errOut, "unknown output format") {
		t.Fatalf("version -o xml: %d %s", code, errOut)
	}
}

func TestGenerateDefaultIsAValidOpenAIGateway(t *testing.T) {
	code, out, errOut := runCmd(t, "generate", "--provider", "openai")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	docs, err := generate.DecodeManifests([]byte(out))
	if err != nil {
		t.Fatal(err)
	}
	var kinds []string
	for _, d := range docs {
		kinds = append(kinds, d["kind"].(string))
	}
	if got := strings.Join(kinds, ","); got != "Secret,GatewayParameters,Gateway,Backend,HTTPRoute" {
		t.Errorf("kinds %s", got)
	}
	if !strings.Contains(errOut, "Secret kubelb/openai-secret holds a placeholder, not a key: it takes Authorization from $OPENAI_API_KEY") {
		t.Errorf("no note on where the key comes from: %q", errOut)
	}
}

func TestGenerateNeverPrintsAKeyFromTheEnvironment(t *testing.T) {
	t.Setenv("OPENAI_API_KEY", "sk-test-must-not-appear")
	_, out, errOut := runCmd(t, "generate", "--provider", "openai", "-o", "json")
	if strings.Contains(out+errOut, "sk-test-must-not-appear") {
		t.Fatal("generate printed the key from the environment")
	}
}

func TestGenerateSelectsKindsAndTargets(t *testing.T) {
	code, out, _ := runCmd(t, "generate", "route", "--provider", "openai,mistral", "--kubelb-version", "1.4")
	if code != 0 || strings.Count(out, "kind: HTTPRoute") != 2 || strings.Contains(out, "kind: Secret") || !strings.Contains(out, "kind: AgentgatewayBackend") {
		t.Fatalf("generate route on agentgateway: %d\n%s", code, out)
	}
	code, out, _ = runCmd(t, "generate", "rate-limit", "--rate-limit", "100/hour", "--target", "kgateway-v2.0")
	if code != 0 || !strings.Contains(out, "kind: TrafficPolicy") || !strings.Contains(out, "fillInterval: 1h") {
		t.Fatalf("generate rate-limit: %d\n%s", code, out)
	}
	code, out, _ = runCmd(t, "generate", "gateway", "-o", "json")
	var gw map[string]any
	if code != 0 || json.Unmarshal([]byte(out), &gw) != nil || gw["kind"] != "Gateway" {
		t.Fatalf("generate gateway -o json: %d\n%s", code, out)
	}
}

func TestGenerateErrorsAreUsageErrorsWithFixes(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"generate", "--provider", "bedrock"}, "provider bedrock is not supported by target kgateway-v2.1; targets that support it: agentgateway"},
		{[]string{"generate", "--provider", "openai,anthropic", "--failover", "openai,anthropic"}, "targets that can: agentgateway"},
		{[]string{"generate", "--token-limit", "5/minute"}, "token-based rate limits are not supported by target kgateway-v2.1"},
		{[]string{"generate", "--provider", "azureopenai"}, "flag --azure-endpoint"},
		{[]string{"generate", "--rate-limit", "100"}, "--rate-limit: \"100\" is not N/UNIT, e.g. 100/hour"},
		{[]string{"generate", "--kubelb-version", "1.1"}, "KubeLB 1.1 has no AI gateway"},
		{[]string{"generate", "--target", "kgateway"}, "unknown target \"kgateway\""},
		{[]string{"generate", "--target", "agentgateway", "--kubelb-version", "1.4"}, "none of the others can be"},
		{[]string{"generate", "everything"}, "unknown kind \"everything\""},
		{[]string{"generate", "--model", "openai"}, "want PROVIDER=VALUE"},
		{[]string{"generate", "--frobnicate"}, "unknown flag: --frobnicate"},
		{[]string{"generate", "--from", "missing.yaml"}, "missing.yaml"},
	} {
		code, _, errOut := runCmd(t, tc.args...)
		if code != exitUsage || !strings.Contains(errOut, tc.want) {
			t.Errorf("%v: exit %d, stderr %q; want exit 2 and %q", tc.args, code, errOut, tc.want)
		}
	}
}

func TestGenerateOutputDir(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "manifests")
	code, out, errOut := runCmd(t, "generate", "--provider", "openai,anthropic", "--rate-limit", "10/minute", "--output-dir", dir)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	for _, name := range []string{"kubelb-ai.yaml", "secret-openai-secret.yaml", "gateway-ai-gateway.yaml", "backend-anthropic.yaml", "httproute-openai.yaml", "trafficpolicy-openai-rate-limit.yaml"} {
		if !strings.Contains(out, filepath.Join(dir, name)) {
			t.Errorf("stdout does not list %s:\n%s", name, out)
		}
	}
	info, err := os.Stat(filepath.Join(dir, "secret-openai-secret.yaml"))
	if err != nil || info.Mode().Perm() != 0o600 {
		t.Errorf("Secret file mode %v, %v; want 0600", info.Mode().Perm(), err)
	}

	// A second run must refuse, naming the files, and change nothing.
	before, _ := os.ReadFile(filepath.Join(dir, "kubelb-ai.yaml"))
	code, _, errOut = runCmd(t, "generate", "--provider", "gemini", "--output-dir", dir)
	if code != exitUsage || !strings.Contains(errOut, "kubelb-ai.yaml") || !strings.Contains(errOut, "--force") {
		t.Fatalf("overwrite without --force: exit %d, %s", code, errOut)
	}
	after, _ := os.ReadFile(filepath.Join(dir, "kubelb-ai.yaml"))
	if !bytes.Equal(before, after) {
		t.Fatal("a refused run changed kubelb-ai.yaml")
	}

	// Regenerating from the written Spec, for another target, with --force.
	code, _, errOut = runCmd(t, "generate", "--from", filepath.Join(dir, "kubelb-ai.yaml"), "--target", "agentgateway", "--output-dir", dir, "--force")
	if code != 0 {
		t.Fatalf("--from --force: exit %d, %s", code, errOut)
	}
	if _, err := os.Stat(filepath.Join(dir, "agentgatewaybackend-openai.yaml")); err != nil {
		t.Fatal(err)
	}
	if code, _, errOut := runCmd(t, "generate", "--from", filepath.Join(dir, "kubelb-ai.yaml"), "--provider", "openai"); code != exitUsage || !strings.Contains(errOut, "--provider cannot be combined with --from") {
		t.Fatalf("--from with --provider: %d %s", code, errOut)
	}
}

func TestGenerateFromReportsFilePositions(t *testing.T) {
	path := filepath.Join(t.TempDir(), "kubelb-ai.yaml")
	os.WriteFile(path, []byte("apiVersion: kubelb-ai.dev/v1alpha1\nkind: AIGateway\nspec:\n  providers:\n  - kind: openai\n    modle: gpt-4o\n"), 0o644)
	code, _, errOut := runCmd(t, "generate", "--from", path)
	if code != exitUsage || !strings.Contains(errOut, path+":6:5: unknown field \"modle\"") {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	os.WriteFile(path, []byte("apiVersion: kubelb-ai.dev/v1alpha1\nkind: AIGateway\nspec:\n  providers:\n  - kind: bedrock\n"), 0o644)
	code, _, errOut = runCmd(t, "generate", "--from", path)
	if code != exitUsage || !strings.Contains(errOut, path+":5:11: spec.providers[0].kind: provider bedrock is not supported") {
		t.Fatalf("exit %d: %s", code, errOut)
	}
}

func TestGenerateIsDeterministic(t *testing.T) {
	args := []string{"generate", "--kubelb-version", "1.5", "--provider", "openai,anthropic,gemini,mistral,ollama", "--failover", "openai,anthropic",
		"--rate-limit", "5/second", "--token-limit", "1000/minute", "--guard", "mask=EMAIL,SSN", "--guard", "reject=x"}
	_, first, _ := runCmd(t, args...)
	for i := 0; i < 5; i++ {
		if _, again, _ := runCmd(t, args...); again != first {
			t.Fatal("generate output differs between runs")
		}
	}
}

func TestPluginName(t *testing.T) {
	var out bytes.Buffer
	run("kubectl-kubelb_ai", []string{"--help"}, IOStreams{Out: &out, ErrOut: &out})
	if !strings.Contains(out.String(), "kubectl kubelb-ai [command]") {
		t.Fatalf("plugin help does not show the kubectl invocation:\n%s", out.String())
	}
}

func TestGenerateHelpExplainsEveryFlagWithAnExample(t *testing.T) {
	cmd := newGenerateCmd(IOStreams{})
	cmd.Flags().VisitAll(func(f *pflag.Flag) {
		if f.Name != "force" && !strings.Contains(f.Usage, "e.g.") {
			t.Errorf("--%s has no example in its help: %q", f.Name, f.Usage)
		}
	})
	if !strings.Contains(cmd.Example, "--failover") || !strings.Contains(cmd.Example, "--from") {
		t.Error("generate's examples do not show failover and --from")
	}
}
