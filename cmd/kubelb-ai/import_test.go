package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// import turns hand-written manifests into a Spec that renders valid
// manifests again, and --strict refuses to lose anything.
func TestImport(t *testing.T) {
	dir := t.TempDir()
	specFile := filepath.Join(dir, "kubelb-ai.yaml")
	code, out, errOut := runCmd(t, "import", "-f", tutorialFile, "-o", specFile)
	noKey(t, "import", out, errOut)
	if code != 0 || !strings.Contains(out, "read as kgateway-v2.0") || !strings.Contains(errOut, "RateLimitPolicy") {
		t.Fatalf("exit %d\n%s%s", code, out, errOut)
	}
	// The tutorial's literal key: a note naming the variable, not a warning.
	if !strings.Contains(errOut, "note: Secret/openai-secret holds a literal key, which kubelb-ai.yaml never stores: provider openai takes it from $OPENAI_API_KEY (auth.env); export OPENAI_API_KEY") ||
		strings.Contains(errOut, "warning:") || strings.Contains(errOut, "agentgateway") {
		t.Errorf("notes:\n%s", errOut)
	}
	data, err := os.ReadFile(specFile)
	if err != nil {
		t.Fatal(err)
	}
	noKey(t, "kubelb-ai.yaml", string(data))
	for _, want := range []string{"target: kgateway-v2.0", "requests: 100", "per: hour", "model: gpt-3.5-turbo", "port: 8080", "env: OPENAI_API_KEY"} {
		if !strings.Contains(string(data), want) {
			t.Errorf("the Spec lacks %q:\n%s", want, data)
		}
	}
	manifests := filepath.Join(dir, "manifests")
	if code, _, errOut := runCmd(t, "generate", "--from", specFile, "--output-dir", manifests); code != 0 {
		t.Fatalf("generate --from the imported Spec: exit %d\n%s", code, errOut)
	}
	if code, out, _ := runCmd(t, "validate", "--strict", "--target", "kgateway-v2.0", manifests); code != 0 {
		t.Errorf("the regenerated manifests do not validate:\n%s", out)
	}
	if code, _, errOut := runCmd(t, "import", "-f", tutorialFile, "-o", specFile); code != exitUsage || !strings.Contains(errOut, "--force") {
		t.Errorf("overwriting without --force: exit %d\n%s", code, errOut)
	}
	// A literal key is not a loss: --strict imports the tutorial.
	code, out, errOut = runCmd(t, "import", "--strict", "-f", tutorialFile, "-o", "-")
	noKey(t, "import --strict", out, errOut)
	if code != 0 || !strings.Contains(out, "env: OPENAI_API_KEY") {
		t.Errorf("--strict on the tutorial: exit %d\n%s%s", code, out, errOut)
	}
	// The release's own image tag is no news, and kgateway is not agentgateway.
	code, _, errOut = runCmd(t, "import", "-f", "../../testdata/golden/kgateway-v2.1/single-openai.yaml", "-o", "-")
	if code != 0 || strings.Contains(errOut, "image") || strings.Contains(errOut, "agentgateway") {
		t.Errorf("importing kgateway-v2.1 manifests: exit %d\n%s", code, errOut)
	}

	// Something the Spec cannot carry: a warning, or with --strict an error
	// and no file.
	extra := filepath.Join(dir, "extra.yaml")
	golden, _ := os.ReadFile("../../testdata/golden/kgateway-v2.1/single-openai.yaml")
	if err := os.WriteFile(extra, append(golden, []byte("---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: extra, namespace: kubelb}\n")...), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, errOut = runCmd(t, "import", "-f", extra, "-o", "-")
	if code != 0 || !strings.Contains(errOut, "warning: ConfigMap/extra") || !strings.Contains(out, "kind: AIGateway") {
		t.Errorf("a ConfigMap: exit %d\n%s%s", code, out, errOut)
	}
	strictOut := filepath.Join(dir, "strict.yaml")
	code, _, errOut = runCmd(t, "import", "--strict", "-f", extra, "-o", strictOut)
	if _, err := os.Stat(strictOut); code != exitFindings || !strings.Contains(errOut, "error: ConfigMap/extra") || err == nil {
		t.Errorf("--strict: exit %d, file written: %v\n%s", code, err == nil, errOut)
	}
}
