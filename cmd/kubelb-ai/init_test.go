package main

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/kubelb-ai/kubelb-ai/generate"
	"github.com/kubelb-ai/kubelb-ai/templates"
)

// Without a terminal, init asks nothing and takes no defaults unless told:
// it names the questions no flag answered.
func TestInitNeedsATerminalOrYes(t *testing.T) {
	code, _, errOut := runCmd(t, "init", "--output-dir", t.TempDir(), "--provider", "openai", "--rate-limit", "10/minute")
	if code != exitUsage || !strings.Contains(errOut, "--yes") || !strings.Contains(errOut, "--namespace") {
		t.Fatalf("exit %d\n%s", code, errOut)
	}
	if strings.Contains(errOut, "--provider,") || strings.Contains(errOut, "--rate-limit,") {
		t.Errorf("flags that were given are listed as missing:\n%s", errOut)
	}
}

// Accepting every default gives a complete gateway that validates cleanly,
// for every target; a second run does not overwrite it without --force.
func TestInitDefaultsWork(t *testing.T) {
	for _, target := range templates.TargetNames() {
		dir := t.TempDir()
		code, out, errOut := runCmd(t, "init", "--yes", "--target", target, "--output-dir", dir)
		if code != 0 || !strings.Contains(out, "Wrote 7 files") {
			t.Fatalf("%s: exit %d\n%s%s", target, code, out, errOut)
		}
		if code, out, _ := runCmd(t, "validate", "--strict", "--fail-on", "warning", "--target", target, dir); code != 0 {
			t.Errorf("%s: the defaults do not validate cleanly:\n%s", target, out)
		}
		if code, _, errOut := runCmd(t, "init", "--yes", "--target", target, "--output-dir", dir); code != exitUsage || !strings.Contains(errOut, "--force") {
			t.Errorf("%s: a second init overwrote without --force: exit %d\n%s", target, code, errOut)
		}
	}
}

// Form answers become the Spec they describe.
func TestInitAnswersToSpec(t *testing.T) {
	a := answersFromFlags(&generateOptions{})
	a.Target, a.Namespace, a.Gateway, a.Port, a.ServiceType = "agentgateway", "ai", "llm", "9000", "NodePort"
	a.Providers = []string{"openai", "azureopenai", "ollama"}
	a.PerProvider["openai"].Model = "gpt-4o"
	a.PerProvider["openai"].KeyEnv = "MY_OPENAI"
	a.PerProvider["ollama"].Host = "ollama.local:11434"
	a.Azure.Endpoint, a.Azure.Deployment = "res.openai.azure.com", "gpt4"
	a.Failover, a.Order = true, "openai,azureopenai,ollama"
	a.RateLimit, a.TokenLimit = "5/second", "1000/minute"
	a.Maskers, a.Rejects = []string{"SSN"}, "(?i)secret\n\n[0-9]{16}\n"
	o := &generateOptions{}
	if err := a.apply(o); err != nil {
		t.Fatal(err)
	}
	g, err := o.build()
	if err != nil {
		t.Fatal(err)
	}
	s := g.Spec
	if s.Target != "agentgateway" || s.Gateway.Namespace != "ai" || s.Gateway.Name != "llm" || s.Gateway.Listeners[0].Port != 9000 || s.Gateway.ServiceType != "NodePort" {
		t.Errorf("gateway: %+v %s", s.Gateway, s.Target)
	}
	if len(s.Providers) != 3 || s.Providers[0].Model != "gpt-4o" || s.Providers[0].Auth.Env != "MY_OPENAI" || s.Providers[2].Host != "ollama.local" || s.Providers[2].Port != 11434 {
		t.Errorf("providers: %+v", s.Providers)
	}
	if s.Providers[1].Azure == nil || s.Providers[1].Azure.Endpoint != "res.openai.azure.com" || s.Providers[1].Azure.Deployment != "gpt4" {
		t.Errorf("azure: %+v", s.Providers[1])
	}
	if len(s.Routes) != 1 || !slices.Equal(s.Routes[0].Backends[0].Providers, []string{"openai", "azureopenai", "ollama"}) {
		t.Fatalf("routes: %+v", s.Routes)
	}
	p := s.Routes[0].Policies
	if p == nil || p.RateLimit.Requests != 5 || p.RateLimit.Per != "second" || p.TokenLimit.Tokens != 1000 || p.PromptGuard == nil {
		t.Fatalf("policies: %+v", p)
	}
	guards := strings.Join(a.flags(), " ")
	if !strings.Contains(guards, "--guard mask=SSN --guard reject=(?i)secret --guard reject=[0-9]{16}") {
		t.Errorf("guards as flags: %s", guards)
	}
}

// The answers given as flags to init --yes write byte for byte what the
// answers themselves do.
func TestInitFlagsParity(t *testing.T) {
	a := answersFromFlags(&generateOptions{})
	a.Target, a.Providers = "kgateway-v2.1", []string{"openai", "mistral", "anthropic"}
	a.Failover, a.Order, a.RateLimit = true, "mistral,openai", "30/minute"
	a.PerProvider["anthropic"].KeyEnv = "CLAUDE"
	a.Maskers = []string{"EMAIL", "CREDIT_CARD"}
	o := &generateOptions{}
	if err := a.apply(o); err != nil {
		t.Fatal(err)
	}
	g, err := o.build()
	if err != nil {
		t.Fatal(err)
	}
	objs, err := generate.Render(g)
	if err != nil {
		t.Fatal(err)
	}
	fromAnswers := t.TempDir()
	if _, err := generate.WriteDir(fromAnswers, g, objs, "yaml", false); err != nil {
		t.Fatal(err)
	}
	fromFlags := t.TempDir()
	if code, _, errOut := runCmd(t, append([]string{"init", "--yes", "--output-dir", fromFlags}, a.flags()...)...); code != 0 {
		t.Fatalf("init --yes %v: exit %d\n%s", a.flags(), code, errOut)
	}
	files, _ := filepath.Glob(filepath.Join(fromAnswers, "*"))
	if len(files) < 8 {
		t.Fatalf("only %d files", len(files))
	}
	for _, f := range files {
		want, _ := os.ReadFile(f)
		got, err := os.ReadFile(filepath.Join(fromFlags, filepath.Base(f)))
		if err != nil || string(got) != string(want) {
			t.Errorf("%s differs (%v)", filepath.Base(f), err)
		}
	}
}

// --accessible asks plain questions line by line; empty answers take the
// defaults.
func TestInitAccessible(t *testing.T) {
	dir := t.TempDir()
	var out, errOut strings.Builder
	in := strings.NewReader(strings.Repeat("\n", 30))
	code := run("kubelb-ai", []string{"init", "--accessible", "--output-dir", dir}, IOStreams{In: in, Out: &out, ErrOut: &errOut, Interactive: true})
	if code != 0 || !strings.Contains(out.String(), "Enter a number") || !strings.Contains(out.String(), "--rate-limit 100/hour") {
		t.Fatalf("exit %d\n%s%s", code, out.String(), errOut.String())
	}
	if _, err := os.Stat(filepath.Join(dir, "trafficpolicy-openai-rate-limit.yaml")); err != nil {
		t.Error(err)
	}
}

func TestShellJoin(t *testing.T) {
	got := shellJoin([]string{"--guard", "reject=(?i)pass word", "it's", "plain-1.0/x"})
	if want := `--guard 'reject=(?i)pass word' 'it'\''s' plain-1.0/x`; got != want {
		t.Errorf("got %s\nwant %s", got, want)
	}
}

// Against a real API server with kgateway v2.1's CRDs (make
// test-apiserver), init takes the cluster's target and says so.
func TestInitDetectsTarget(t *testing.T) {
	kubeconfig := os.Getenv("KUBELB_AI_TEST_KUBECONFIG")
	if kubeconfig == "" {
		t.Skip("no test API server (set KUBELB_AI_TEST_KUBECONFIG, see make test-apiserver)")
	}
	code, out, errOut := runCmd(t, "init", "--yes", "--kubeconfig", kubeconfig, "--output-dir", t.TempDir())
	if code != 0 || !strings.Contains(out, "for target kgateway-v2.1 (detected from the CRDs installed in https://127.0.0.1:") {
		t.Fatalf("exit %d\n%s%s", code, out, errOut)
	}
}
