package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// tutorialKey is the fake key the tutorial fixture's Secret holds.
const tutorialKey = "sk-tutorial-FAKE-key-do-not-use-7f3a9c"

// noKey fails when any of texts holds (a telling part of) the tutorial's key.
func noKey(t *testing.T, what string, texts ...string) {
	t.Helper()
	for _, s := range texts {
		if strings.Contains(s, "7f3a9c") || strings.Contains(s, "FAKE-key") {
			t.Errorf("%s prints the key:\n%s", what, s)
		}
	}
}

// The KubeLB v1.2 tutorial, whose Secret holds a literal key, migrates to
// every target, with a note per repaired mistake; the key is carried over
// into a 0600 file in the target's format and printed nowhere; the result
// validates there with --strict.
func TestMigrateTutorial(t *testing.T) {
	for _, to := range []string{"kgateway-v2.0", "kgateway-v2.1", "agentgateway"} {
		dir := filepath.Join(t.TempDir(), "out")
		code, out, errOut := runCmd(t, "migrate", "--to", to, "-f", tutorialFile, "--output-dir", dir)
		noKey(t, to+": migrate", out, errOut)
		if code != 0 {
			t.Fatalf("%s: exit %d\n%s%s", to, code, out, errOut)
		}
		image := "image tag v2.1.0-main replaced by " + to + "'s release tag"
		if to == "agentgateway" {
			image = "image tag v2.1.0-main dropped: agentgateway has no AI extension"
		}
		for _, note := range []string{"RateLimitPolicy (a kind no kgateway release has) read as 100 requests per hour on HTTPRoute openai",
			"secretRef.namespace removed", image, "(a path rewrite) removed",
			"Secret/openai-secret holds a literal key, which kubelb-ai.yaml never stores: provider openai takes it from $OPENAI_API_KEY",
			"Secret kubelb/openai-secret: carries the literal key of Secret/openai-secret over",
			filepath.Join(dir, "secret-openai-secret.yaml") + " holds a literal key and is readable only by you (0600)",
			"migrated from kgateway-v2.0 to " + to} {
			if !strings.Contains(errOut, note) {
				t.Errorf("%s: no note %q in\n%s", to, note, errOut)
			}
		}
		if to != "agentgateway" && strings.Contains(errOut, "agentgateway") {
			t.Errorf("%s: a note speaks of agentgateway:\n%s", to, errOut)
		}
		if !strings.HasSuffix(errOut, "migrated from kgateway-v2.0 to "+to+"\n") {
			t.Errorf("%s: success is not said last:\n%s", to, errOut)
		}
		specData, err := os.ReadFile(filepath.Join(dir, "kubelb-ai.yaml"))
		if err != nil {
			t.Errorf("%s: the Spec was not written: %v", to, err)
		}
		noKey(t, to+": kubelb-ai.yaml", string(specData))
		want := "Authorization: Bearer " + tutorialKey // kgateway strips "Bearer ": kept as it was
		if to == "agentgateway" {
			want = "Authorization: " + tutorialKey + "\n" // agentgateway adds it itself
		}
		assertSecretFile(t, filepath.Join(dir, "secret-openai-secret.yaml"), want)
		code, out, errOut = runCmd(t, "validate", "--strict", "--target", to, dir)
		noKey(t, to+": validate", out, errOut)
		if code != 0 || !strings.Contains(out, "0 errors") {
			t.Errorf("%s: the migrated tutorial does not validate:\n%s", to, out)
		}
		// Existing files: nothing written, and no word of success.
		code, out, errOut = runCmd(t, "migrate", "--to", to, "-f", tutorialFile, "--output-dir", dir)
		noKey(t, to+": migrate again", out, errOut)
		if code != exitUsage || !strings.Contains(errOut, "--force") || strings.Contains(errOut, "migrated from") {
			t.Errorf("%s: a second migrate into the same directory: exit %d\n%s", to, code, errOut)
		}
	}
}

// assertSecretFile checks a written Secret's mode and Authorization line
// without printing the line.
func assertSecretFile(t *testing.T, path, want string) {
	t.Helper()
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o600 {
		t.Errorf("%s: mode %v, want 0600", path, st.Mode().Perm())
	}
	data, _ := os.ReadFile(path)
	if !strings.Contains(string(data), want) || strings.Count(string(data), "Authorization") != 1 {
		t.Errorf("%s does not hold the expected Authorization value (not shown)", path)
	}
}

// --secrets=env writes the generator's placeholder instead of the key, and
// the result validates with --strict without a single warning about it.
func TestMigrateSecretsEnv(t *testing.T) {
	for _, to := range []string{"kgateway-v2.1", "agentgateway"} {
		dir := filepath.Join(t.TempDir(), "out")
		code, out, errOut := runCmd(t, "migrate", "--to", to, "-f", tutorialFile, "--output-dir", dir, "--secrets=env")
		noKey(t, to, out, errOut)
		if code != 0 || !strings.Contains(errOut, "the literal key is replaced by the placeholder Authorization: ${OPENAI_API_KEY}; export OPENAI_API_KEY") {
			t.Fatalf("%s: exit %d\n%s%s", to, code, out, errOut)
		}
		if strings.Contains(errOut, "0600") {
			t.Errorf("%s: a note speaks of a key file that holds no key:\n%s", to, errOut)
		}
		assertSecretFile(t, filepath.Join(dir, "secret-openai-secret.yaml"), "Authorization: ${OPENAI_API_KEY}\n")
		code, out, _ = runCmd(t, "validate", "--strict", "--target", to, dir)
		if code != 0 || strings.Contains(out, "inline-key") || !strings.Contains(out, "0 errors, 0 warnings") {
			t.Errorf("%s: exit %d\n%s", to, code, out)
		}
	}
}

// Printed manifests never carry the key: the Secret holds the placeholder,
// and an explicit --secrets=keep without --output-dir is refused.
func TestMigratePrintsNoKey(t *testing.T) {
	code, out, errOut := runCmd(t, "migrate", "--to", "agentgateway", "-f", tutorialFile)
	noKey(t, "printing", out, errOut)
	if code != 0 || !strings.Contains(out, "Authorization: ${OPENAI_API_KEY}") || !strings.Contains(errOut, "literal keys are never printed") {
		t.Errorf("exit %d\n%s%s", code, out, errOut)
	}
	code, out, errOut = runCmd(t, "migrate", "--to", "agentgateway", "-f", tutorialFile, "--secrets", "keep", "-o", "json")
	noKey(t, "--secrets=keep, printing", out, errOut)
	if code != exitUsage || out != "" || !strings.Contains(errOut, "--secrets=keep would print the literal key of Secret kubelb/openai-secret") || strings.Contains(errOut, "migrated from") {
		t.Errorf("--secrets=keep without --output-dir: exit %d\n%s%s", code, out, errOut)
	}
	// Nothing literal, nothing refused.
	if code, _, errOut := runCmd(t, "migrate", "--to", "agentgateway", "--secrets", "keep", "-f", "../../testdata/golden/kgateway-v2.1/single-openai.yaml"); code != 0 {
		t.Errorf("--secrets=keep on placeholders: exit %d\n%s", code, errOut)
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
		{[]string{"migrate", "--to", "agentgateway", "-f", tutorialFile, "--secrets", "print"}, exitUsage, `--secrets "print": use keep or env`},
		// Token limits and mixed-format failover do not exist on kgateway.
		{[]string{"migrate", "--to", "kgateway-v2.1", "-f", "../../testdata/golden/agentgateway/multi-mixed-failover.yaml"}, exitFindings, "cannot migrate from agentgateway to kgateway-v2.1"},
	} {
		code, _, errOut := runCmd(t, c.args...)
		if code != c.code || !strings.Contains(errOut, c.want) {
			t.Errorf("%v: exit %d, want %d with %q:\n%s", c.args, code, c.code, c.want, errOut)
		}
	}
}
