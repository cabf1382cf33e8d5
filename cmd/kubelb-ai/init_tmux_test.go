package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// The wizard in a real terminal: tmux runs the built binary, send-keys
// answers, capture-pane reads the screen. Each run ends by comparing the
// files with those of `init --yes` given the command line the wizard
// printed, so the answers and the flags are held byte for byte.
func TestInitInTmux(t *testing.T) {
	if _, err := exec.LookPath("tmux"); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("tmux is needed for the wizard's terminal test (.ci/run installs it)")
		}
		t.Skip("tmux not installed")
	}
	bin := binary(t)

	t.Run("all defaults", func(t *testing.T) {
		w := startWizard(t, bin)
		w.waitFor("Target")
		for range 5 { // target, namespace, name, port, Service type
			w.keys("Enter")
		}
		w.waitFor("Providers")
		w.keys("Enter")
		w.waitFor("OpenAI: model")
		w.keys("Enter", "Enter")
		w.waitFor("Request rate limit")
		w.keys("Enter", "Enter", "Enter") // limit, maskers, rejects
		w.waitFor("Rate limits: counted")
		w.keys("Enter") // local
		w.waitFor("Write these 7 files")
		w.keys("Enter")
		screen := w.waitFor("EXIT=0")
		for _, want := range []string{"Wrote 7 files", "trafficpolicy-openai-rate-limit.yaml", "kubelb-ai validate --strict --target kgateway-v2.1",
			"kubelb-ai diff -f ", "kubelb-ai apply -f ", "kubelb-ai serve -f ",
			"curl -s http://$GATEWAY:8080/openai/v1/chat/completions"} {
			if !strings.Contains(screen, want) {
				t.Errorf("final screen lacks %q:\n%s", want, screen)
			}
		}
		w.sameAsFlags(screen)
		w.validates("kgateway-v2.1")
	})

	t.Run("providers, failover, limits and guards", func(t *testing.T) {
		w := startWizard(t, bin)
		w.waitFor("Target")
		w.keys("Down", "Enter") // agentgateway, the third target
		w.waitFor("Namespace")
		w.keys("C-u")
		w.typeText("ai-gateway")
		w.keys("Enter", "Enter")
		w.keys("C-u")
		w.typeText("9090")
		w.keys("Enter", "Down", "Down", "Enter") // ClusterIP
		w.waitFor("Providers")
		w.keys("Down", "x", "Down", "x", "Enter") // + Anthropic, Gemini
		w.waitFor("OpenAI: model")
		w.keys("C-u")
		w.typeText("gpt-4o")
		w.keys("Enter", "Enter") // OpenAI: model, key variable
		w.keys("Enter")          // Anthropic: model
		w.keys("C-u")
		w.typeText("CLAUDE_KEY")
		w.keys("Enter", "Enter", "Enter") // Anthropic key, Gemini model, key
		w.waitFor("Routing")
		w.keys("Left", "Enter") // one route with failover
		w.waitFor("Failover order")
		w.keys("C-u")
		w.typeText("openai,anthropic,gemini")
		w.keys("Enter", "C-u")
		w.typeText("20/minute")
		w.keys("Enter")
		w.typeText("50000/hour")
		w.keys("Enter")
		w.keys("x", "Down", "Down", "x", "Enter") // CREDIT_CARD, EMAIL
		w.typeText("(?i)pass[")
		w.waitFor("✗ \"(?i)pass[\": error parsing regexp") // checked as typed
		w.keys("C-u")
		w.typeText("(?i)password")
		w.keys("Enter")
		w.waitFor("Client API keys")
		w.typeText("alice=ALICE_KEY, ci=CI_KEY")
		w.keys("Enter")
		w.waitFor("global, per client")
		w.keys("Down", "Down", "Enter")
		w.waitFor("MCP tool servers to federate")
		w.keys("Enter") // none
		screen := w.waitFor("Write these")
		if !strings.Contains(screen, "agentgatewaypolicy-") {
			t.Errorf("the summary lists no policy:\n%s", screen)
		}
		w.keys("Enter")
		screen = w.waitFor("EXIT=0")
		for _, want := range []string{"target agentgateway", "--failover openai,anthropic,gemini", "--token-limit 50000/hour",
			"--api-key-env anthropic=CLAUDE_KEY", "curl -s http://$GATEWAY:9090/openai/v1/chat/completions", "gpt-4o",
			"--client-key alice=ALICE_KEY --client-key ci=CI_KEY --limit-scope global --limit-key client"} {
			if !strings.Contains(screen, want) {
				t.Errorf("final screen lacks %q:\n%s", want, screen)
			}
		}
		spec, _ := os.ReadFile(filepath.Join(w.dir, "kubelb-ai.yaml"))
		for _, want := range []string{"namespace: ai-gateway", "port: 9090", "serviceType: ClusterIP", "env: CLAUDE_KEY",
			"requests: 20", "tokens: 50000", "- CREDIT_CARD", "- EMAIL", "(?i)password", "env: ALICE_KEY", "env: CI_KEY", "key: client"} {
			if !strings.Contains(string(spec), want) {
				t.Errorf("kubelb-ai.yaml lacks %q:\n%s", want, spec)
			}
		}
		w.sameAsFlags(screen)
		w.validates("agentgateway")
	})

	// On agentgateway the wizard asks for MCP servers: a bad one is
	// refused where it is typed, with the message generate gives --mcp.
	t.Run("MCP tool servers", func(t *testing.T) {
		w := startWizard(t, bin)
		w.waitFor("Target")
		w.keys("Down", "Enter") // agentgateway
		w.waitFor("Namespace")
		w.keys("Enter", "Enter", "Enter", "Enter") // namespace, name, port, Service type
		w.waitFor("Providers")
		w.keys("Enter")
		w.waitFor("OpenAI: model")
		w.keys("Enter", "Enter") // model, key variable
		w.waitFor("Request rate limit")
		w.keys("Enter", "Enter", "Enter", "Enter") // rate and token limits, maskers, rejects
		w.waitFor("Client API keys")
		w.keys("Enter")
		w.waitFor("Rate limits: counted")
		w.keys("Enter") // local
		w.waitFor("MCP tool servers to federate")
		w.typeText("gh=ftp://api.githubcopilot.com/mcp/")
		w.keys("Enter")
		w.waitFor("must be an http:// or https:// URL")
		w.keys("C-u")
		w.typeText("gh=https://api.githubcopilot.com/mcp/, docs=http://docs.tools.svc.cluster.local:3001/sse")
		w.keys("Enter")
		w.waitFor("MCP servers' credentials")
		w.typeText("gh=GH_MCP_TOKEN, docs=DOCS_MCP_TOKEN")
		w.keys("Enter")
		w.waitFor("stateless, fail open")
		w.keys("Down", "Down", "Enter") // stateless, fail closed
		screen := w.waitFor("Write these")
		for _, want := range []string{"agentgatewaybackend-mcp.yaml", "httproute-mcp.yaml", "secret-mcp-gh-secret.yaml"} {
			if !strings.Contains(screen, want) {
				t.Errorf("the summary lacks %s:\n%s", want, screen)
			}
		}
		w.keys("Enter")
		screen = w.waitFor("EXIT=0")
		for _, want := range []string{"--mcp gh=https://api.githubcopilot.com/mcp/ --mcp docs=http://docs.tools.svc.cluster.local:3001/sse --mcp-key gh=GH_MCP_TOKEN --mcp-key docs=DOCS_MCP_TOKEN --mcp-sessions stateless",
			"npx @modelcontextprotocol/inspector --cli http://$GATEWAY:8080/mcp --transport http --method tools/list"} {
			if !strings.Contains(screen, want) {
				t.Errorf("final screen lacks %q:\n%s", want, screen)
			}
		}
		if strings.Contains(screen, "--mcp-failure") {
			t.Errorf("the failure mode left to the data plane is given as a flag:\n%s", screen)
		}
		backend, err := os.ReadFile(filepath.Join(w.dir, "agentgatewaybackend-mcp.yaml"))
		for _, want := range []string{"kind: AgentgatewayBackend\n", "  mcp:\n", "    targets:\n", "    - name: gh\n", "    - name: docs\n",
			"protocol: SSE", "sessionRouting: Stateless"} {
			if err != nil || !strings.Contains(string(backend), want) {
				t.Errorf("the MCP backend lacks %q (%v):\n%s", want, err, backend)
			}
		}
		w.sameAsFlags(screen)
		w.validates("agentgateway")
	})

	// Accessible mode shows each question's default and Enter keeps it:
	// Enter at every question writes exactly what init --yes does.
	t.Run("accessible, Enter at every question", func(t *testing.T) {
		w := startWizard(t, bin, "ACCESSIBLE=1")
		for _, q := range []string{"Target", "Namespace", "Gateway name", "Listener port", "Service type", "Providers", "OpenAI: model",
			"OpenAI: environment variable", "Request rate limit", "Prompt guard: mask", "Prompt guard: reject", "Rate limits: counted", "Write these 7 files"} {
			w.waitFor(q)
			w.keys("Enter")
		}
		screen := w.waitFor("EXIT=0")
		for _, want := range []string{"Enter keeps: 2, kgateway-v2.1", "Namespace\n  KubeLB's AI objects live in the management cluster's kubelb namespace\n  Enter keeps: kubelb\n>",
			"1. [x] OpenAI", "Enter keeps: openai\n", "Enter keeps: 100/hour; - for none", "Wrote 7 files"} {
			if !strings.Contains(screen, want) {
				t.Errorf("the screen lacks %q:\n%s", want, screen)
			}
		}
		yesDir := t.TempDir()
		cmd := exec.Command(bin, "init", "--yes", "--output-dir", yesDir)
		cmd.Env = append(os.Environ(), "KUBECONFIG=/nonexistent", "HOME="+yesDir)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("init --yes: %v\n%s", err, out)
		}
		sameFiles(t, w.dir, yesDir)
	})
}

type wizard struct {
	t             *testing.T
	bin, dir      string
	socket, label string
}

// startWizard runs `kubelb-ai init` in a new tmux server of its own,
// without a kubeconfig (so the target is asked), and stops it at the end.
// env adds variables, e.g. ACCESSIBLE=1.
func startWizard(t *testing.T, bin string, env ...string) *wizard {
	t.Helper()
	w := &wizard{t: t, bin: bin, dir: t.TempDir(), socket: fmt.Sprintf("kubelb-ai-test-%d-%d", os.Getpid(), time.Now().UnixNano()), label: "wizard"}
	cmd := fmt.Sprintf("cd %q && env -u ACCESSIBLE KUBECONFIG=/nonexistent HOME=%q %s %q init; echo EXIT=$?; sleep 300", w.dir, w.dir, strings.Join(env, " "), bin)
	w.tmux("new-session", "-d", "-s", w.label, "-x", "160", "-y", "60", cmd)
	t.Cleanup(func() { _ = exec.Command("tmux", "-L", w.socket, "kill-server").Run() })
	return w
}

func (w *wizard) tmux(args ...string) string {
	w.t.Helper()
	out, err := exec.Command("tmux", append([]string{"-L", w.socket}, args...)...).CombinedOutput()
	if err != nil {
		w.t.Fatalf("tmux %v: %v\n%s", args, err, out)
	}
	return string(out)
}

// keys sends tmux key names, pausing so each reaches the form on its own.
func (w *wizard) keys(keys ...string) {
	for _, k := range keys {
		w.tmux("send-keys", "-t", w.label, k)
		time.Sleep(150 * time.Millisecond)
	}
}

func (w *wizard) typeText(s string) {
	w.tmux("send-keys", "-t", w.label, "-l", s)
	time.Sleep(150 * time.Millisecond)
}

// waitFor polls the screen (with its scrollback) until it shows text, for
// at most 15 seconds, and returns it.
func (w *wizard) waitFor(text string) string {
	w.t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		screen := w.tmux("capture-pane", "-t", w.label, "-p", "-J", "-S", "-200")
		if strings.Contains(screen, text) {
			return screen
		}
		if time.Now().After(deadline) {
			w.t.Fatalf("the screen never showed %q:\n%s", text, screen)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

var sameAnswersRE = regexp.MustCompile(`kubelb-ai init --yes (.*)`)

// sameAsFlags runs the "same answers without questions" command the wizard
// printed and compares every file it writes with the wizard's.
func (w *wizard) sameAsFlags(screen string) {
	w.t.Helper()
	m := sameAnswersRE.FindStringSubmatch(screen)
	if m == nil {
		w.t.Fatalf("no init --yes line on the screen:\n%s", screen)
	}
	flagsDir := w.t.TempDir()
	cmd := exec.Command("sh", "-c", fmt.Sprintf("%q init --yes --output-dir %q %s", w.bin, flagsDir, m[1]))
	if out, err := cmd.CombinedOutput(); err != nil {
		w.t.Fatalf("%s: %v\n%s", cmd, err, out)
	}
	wizardFiles, _ := filepath.Glob(filepath.Join(w.dir, "*.yaml"))
	flagFiles, _ := filepath.Glob(filepath.Join(flagsDir, "*.yaml"))
	if len(wizardFiles) != len(flagFiles) || len(wizardFiles) == 0 {
		w.t.Fatalf("the wizard wrote %d files, the flags %d", len(wizardFiles), len(flagFiles))
	}
	for _, f := range wizardFiles {
		a, _ := os.ReadFile(f)
		b, err := os.ReadFile(filepath.Join(flagsDir, filepath.Base(f)))
		if err != nil || string(a) != string(b) {
			w.t.Errorf("%s differs between the wizard and the same answers as flags (%v):\n%s\n---\n%s", filepath.Base(f), err, a, b)
		}
	}
}

// validates checks the written manifests with validate --strict.
func (w *wizard) validates(target string) {
	w.t.Helper()
	out, err := exec.Command(w.bin, "validate", "--strict", "--fail-on", "warning", "--target", target, w.dir).CombinedOutput()
	if err != nil {
		w.t.Errorf("the wizard's manifests do not validate cleanly: %v\n%s", err, out)
	}
}
