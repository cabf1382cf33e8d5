package main

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/spf13/cobra"

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

// --accessible asks plain questions line by line, each showing its
// default; Enter keeps it, so Enter at every question writes what init
// --yes does.
func TestInitAccessible(t *testing.T) {
	dir, yesDir := t.TempDir(), t.TempDir()
	var out, errOut strings.Builder
	in := strings.NewReader(strings.Repeat("\n", 13)) // 12 questions and the confirmation
	code := run("kubelb-ai", []string{"init", "--accessible", "--output-dir", dir}, IOStreams{In: in, Out: &out, ErrOut: &errOut, Interactive: true})
	if code != 0 {
		t.Fatalf("exit %d\n%s%s", code, out.String(), errOut.String())
	}
	for _, want := range []string{"Namespace\n  KubeLB's AI objects live in the management cluster's kubelb namespace\n  Enter keeps: kubelb\n> ",
		"Enter keeps: 2, kgateway-v2.1", "1. [x] OpenAI", "Enter keeps: openai\n", "Enter keeps: 100/hour; - for none",
		"Rate limits: counted", "Enter keeps: 1, local", "Enter keeps: y, Write"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("no %q in\n%s", want, out.String())
		}
	}
	if strings.Contains(out.String(), "MCP") {
		t.Errorf("MCP servers asked for on kgateway, which has no MCP gateway:\n%s", out.String())
	}
	if code, out, errOut := runCmd(t, "init", "--yes", "--output-dir", yesDir); code != 0 {
		t.Fatalf("init --yes: exit %d\n%s%s", code, out, errOut)
	}
	sameFiles(t, dir, yesDir)
}

// On a dumb terminal, where huh would fall back to its own accessible mode,
// the wizard's prompts ask.
func TestInitDumbTerminalIsAccessible(t *testing.T) {
	t.Setenv("TERM", "dumb")
	t.Setenv("ACCESSIBLE", "")
	var out, errOut strings.Builder
	in := strings.NewReader(strings.Repeat("\n", 13))
	code := run("kubelb-ai", []string{"init", "--output-dir", t.TempDir()}, IOStreams{In: in, Out: &out, ErrOut: &errOut, Interactive: true})
	if code != 0 || !strings.Contains(out.String(), "Enter keeps: kubelb\n> ") {
		t.Fatalf("exit %d\n%s%s", code, out.String(), errOut.String())
	}
}

// Typed answers replace the defaults: a multi-select's numbers are the
// whole choice, not toggles; a wrong answer is refused with its error and
// asked again with its default; the end of the input cancels.
func TestInitAccessibleAnswers(t *testing.T) {
	answers := []string{
		"3",               // target: agentgateway
		"Not_A_Label", "", // namespace: refused, then the default
		"", "9090", "nodeport", // name, port, Service type by value
		"1",        // providers: OpenAI alone, still chosen
		"", "", "", // model, key variable, rate limit
		"9", "9/minute", // token limit: refused, then given
		"1 3",                               // maskers
		"(?i)pass[", "", "(?i)password", "", // a bad expression, asked again
		"alice", "alice=ALICE_KEY, ci=CI_KEY", // client keys: refused, then given
		"3", // limits: global, per client
		"",  // MCP servers: none
		"",  // write
	}
	accessible := func(dir string, answers []string) (int, string, string) {
		var out, errOut strings.Builder
		in := strings.NewReader(strings.Join(answers, "\n") + "\n")
		code := run("kubelb-ai", []string{"init", "--accessible", "--output-dir", dir}, IOStreams{In: in, Out: &out, ErrOut: &errOut, Interactive: true})
		return code, out.String(), errOut.String()
	}
	dir := t.TempDir()
	code, out, errOut := accessible(dir, answers)
	if code != 0 {
		t.Fatalf("exit %d\n%s%s", code, out, errOut)
	}
	for _, want := range []string{
		"Not accepted: a lowercase RFC 1123 label", "\n\nNamespace\n  KubeLB's AI objects live in the management cluster's kubelb namespace\n  Enter keeps: kubelb\n> ",
		"Token rate limit per route\n  LLM tokens, N/UNIT\n  Enter keeps: none\n> Not accepted: \"9\" is not N/UNIT", "2. [ ] SSN", "Not accepted: \"(?i)pass[\": error parsing regexp",
		"--target agentgateway --namespace kubelb --gateway ai-gateway --port 9090 --service-type NodePort --provider openai --rate-limit 100/hour",
		"--token-limit 9/minute --guard mask=CREDIT_CARD,EMAIL --guard 'reject=(?i)password' --client-key alice=ALICE_KEY --client-key ci=CI_KEY --limit-scope global --limit-key client",
		"Client API keys\n", "Not accepted: \"alice\" is not NAME=VARIABLE, e.g. alice=ALICE_KEY",
		"3. global, per client: each client's own count in the rate-limit service",
		`-H 'content-type: application/json' -H "authorization: Bearer $ALICE_KEY" -d`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("no %q in\n%s", want, out)
		}
	}

	spec, _ := os.ReadFile(filepath.Join(dir, "kubelb-ai.yaml"))
	for _, want := range []string{"- name: alice\n      env: ALICE_KEY\n", "- name: ci\n      env: CI_KEY\n", "key: client\n", "scope: global\n", "service: ratelimit.kubelb:8081"} {
		if !strings.Contains(string(spec), want) {
			t.Errorf("kubelb-ai.yaml lacks %q:\n%s", want, spec)
		}
	}
	if secret, err := os.ReadFile(filepath.Join(dir, "secret-ai-gateway-client-keys.yaml")); err != nil || !strings.Contains(string(secret), `alice: '{"key":"${ALICE_KEY}","metadata":{"client":"alice"}}'`) {
		t.Errorf("client keys Secret (%v):\n%s", err, secret)
	}

	dir = t.TempDir()
	code, out, errOut = accessible(dir, answers[:5])
	if code != exitUsage || !strings.Contains(errOut, "init cancelled: nothing written") {
		t.Fatalf("the input ended before the last question, yet: exit %d\n%s%s", code, out, errOut)
	}
	if files, _ := os.ReadDir(dir); len(files) > 0 {
		t.Errorf("wrote %d files", len(files))
	}
}

// sameFiles compares two directories' files byte for byte.
func sameFiles(t *testing.T, got, want string) {
	t.Helper()
	gotFiles, _ := filepath.Glob(filepath.Join(got, "*"))
	wantFiles, _ := filepath.Glob(filepath.Join(want, "*"))
	if len(gotFiles) != len(wantFiles) || len(gotFiles) == 0 {
		t.Fatalf("%d files, want %d", len(gotFiles), len(wantFiles))
	}
	for _, f := range wantFiles {
		w, _ := os.ReadFile(f)
		g, err := os.ReadFile(filepath.Join(got, filepath.Base(f)))
		if err != nil || string(g) != string(w) {
			t.Errorf("%s differs (%v):\n%s\n---\n%s", filepath.Base(f), err, g, w)
		}
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

// The client flags no question asks are kept in the answers: the "same
// answers" command line carries them, and the Spec has them.
func TestInitKeepsClientFlags(t *testing.T) {
	dir := t.TempDir()
	code, out, errOut := runCmd(t, "init", "--yes", "--output-dir", dir, "--target", "agentgateway", "--jwt-issuer", "https://idp",
		"--jwt-jwks", "http://kc.idp.svc:8080/certs", "--allow", "has(jwt.sub)", "--token-limit", "9/day", "--limit-scope", "global",
		"--limit-key", "client", "--rate-limit-domain", "quota")
	if code != 0 {
		t.Fatalf("exit %d\n%s%s", code, out, errOut)
	}
	if want := "--token-limit 9/day --limit-scope global --limit-key client --jwt-issuer https://idp --jwt-jwks http://kc.idp.svc:8080/certs --allow 'has(jwt.sub)' --rate-limit-domain quota"; !strings.Contains(out, want) {
		t.Errorf("no %q in\n%s", want, out)
	}
	spec, _ := os.ReadFile(filepath.Join(dir, "kubelb-ai.yaml"))
	for _, want := range []string{"issuer: https://idp", "service: kc.idp:8080", "per: day", "domain: quota"} {
		if !strings.Contains(string(spec), want) {
			t.Errorf("kubelb-ai.yaml lacks %q:\n%s", want, spec)
		}
	}
}

// The MCP flags become answers and back: the same command line, the same
// Spec, and init --yes with the answers' flags writes what the answers do.
func TestInitMCPAnswersRoundTrip(t *testing.T) {
	args := []string{"--target", "agentgateway", "--mcp", "gh=https://api.githubcopilot.com/mcp/", "--mcp", "search=search:8080/mcp",
		"--mcp-key", "gh=GH_MCP_TOKEN", "--mcp-sessions", "stateless", "--mcp-failure", "open", "--mcp-path", "/tools"}
	given := &generateOptions{}
	c := &cobra.Command{}
	addSpecFlags(c, given)
	addMCPFlags(c, given)
	if err := c.Flags().Parse(args); err != nil {
		t.Fatal(err)
	}
	a := answersFromFlags(given)
	if a.MCPServers != "gh=https://api.githubcopilot.com/mcp/, search=search:8080/mcp" || a.MCPKeys != "gh=GH_MCP_TOKEN" || a.MCPMode != "stateless:open" {
		t.Errorf("answers: %q %q %q", a.MCPServers, a.MCPKeys, a.MCPMode)
	}
	a.RateLimit = "30/minute" // init --yes would take its default
	flags := strings.Join(a.flags(), " ")
	if want := strings.Join(args[2:], " "); !strings.Contains(flags, want) {
		t.Errorf("flags:\n%s\nlack\n%s", flags, want)
	}
	o := &generateOptions{}
	if err := a.apply(o); err != nil {
		t.Fatal(err)
	}
	g, err := o.build()
	if err != nil {
		t.Fatal(err)
	}
	if len(g.Spec.MCP) != 1 {
		t.Fatalf("MCP gateways: %+v", g.Spec.MCP)
	}
	m := g.Spec.MCP[0]
	if m.Path != "/tools" || m.Sessions != "stateless" || m.FailureMode != "open" || len(m.Servers) != 2 ||
		m.Servers[0].KeyEnv != "GH_MCP_TOKEN" || m.Servers[1].Service != "search:8080" || m.Servers[1].Path != "/mcp" {
		t.Errorf("MCP gateway: %+v", m)
	}

	// One of the two modes alone, and the wizard's answer for the data
	// plane's defaults, say only what was chosen.
	for mode, want := range map[string]string{":open": "--mcp-failure open", "stateless:": "--mcp-sessions stateless", "": ""} {
		b := *a
		b.MCPMode = mode
		got := strings.Join(b.flags(), " ")
		if strings.Count(got, "--mcp-sessions")+strings.Count(got, "--mcp-failure") != strings.Count(want, "--") || !strings.Contains(got, want) {
			t.Errorf("mode %q: %s", mode, got)
		}
	}

	objs, err := generate.Render(g)
	if err != nil {
		t.Fatal(err)
	}
	fromAnswers, fromFlags := t.TempDir(), t.TempDir()
	if _, err := generate.WriteDir(fromAnswers, g, objs, "yaml", false); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := runCmd(t, append([]string{"init", "--yes", "--output-dir", fromFlags}, a.flags()...)...)
	if code != 0 {
		t.Fatalf("init --yes %v: exit %d\n%s", a.flags(), code, errOut)
	}
	sameFiles(t, fromFlags, fromAnswers)
	if want := "npx @modelcontextprotocol/inspector --cli http://$GATEWAY:8080/tools --transport http --method tools/list"; !strings.Contains(out, want) {
		t.Errorf("no %q in\n%s", want, out)
	}
}

// The MCP answers are refused with the message generate gives the flag.
func TestInitMCPChecks(t *testing.T) {
	a := answersFromFlags(&generateOptions{})
	a.Target = "agentgateway"
	servers := func(s string) func(*answers) { return func(b *answers) { b.MCPServers = s } }
	keys := func(s string) func(*answers) {
		return func(b *answers) {
			b.MCPServers, b.MCPKeys = "gh=https://api.githubcopilot.com/mcp/, search=search:8080", s
		}
	}
	for _, tc := range []struct {
		flag string
		edit func(*answers)
		want string // "" for accepted
	}{
		{"--mcp", servers(""), ""},
		{"--mcp", servers("gh=https://api.githubcopilot.com/mcp/, search=search:8080/mcp"), ""},
		{"--mcp", servers("gh"), `"gh" is not NAME=URL`},
		{"--mcp", servers("gh=ftp://files.example.com"), "must be an http:// or https:// URL"},
		{"--mcp-key", keys(""), ""},
		{"--mcp-key", keys("gh=GH_MCP_TOKEN"), ""},
		{"--mcp-key", keys("gh"), `"gh" is not NAME=VARIABLE`},
		{"--mcp-key", keys("nobody=TOKEN"), "nobody is not among the MCP servers"},
		{"--mcp-key", keys("search=TOKEN"), "a server reached as a Service cannot carry a credential"},
	} {
		err := checkAnswer(a, tc.flag, tc.edit)
		trial := *a
		tc.edit(&trial)
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("%s %q %q: %v", tc.flag, trial.MCPServers, trial.MCPKeys, err)
		case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
			t.Errorf("%s %q %q: %v, want %q", tc.flag, trial.MCPServers, trial.MCPKeys, err, tc.want)
		}
	}
}

// On agentgateway the wizard asks for MCP servers; a bad one is refused
// with the parser's message, and with servers come their credentials and
// the sessions and failure mode. The manifests have the MCP gateway.
func TestInitAccessibleMCP(t *testing.T) {
	answers := []string{
		"", "", "", "", // namespace, name, port, Service type
		"", "", "", // providers, model, key variable
		"", "", "", "", // rate limit, token limit, maskers, rejects
		"", "", // client keys, limits counted
		"gh=https://api.githubcopilot.com/mcp/, x", // MCP servers: refused
		"gh=https://api.githubcopilot.com/mcp/, search=search:8080/mcp",
		"search=TOKEN", "gh=GH_MCP_TOKEN", // credentials: refused, then given
		"4", // stateless, fail open
		"",  // write
	}
	dir := t.TempDir()
	var out, errOut strings.Builder
	in := strings.NewReader(strings.Join(answers, "\n") + "\n")
	code := run("kubelb-ai", []string{"init", "--accessible", "--target", "agentgateway", "--output-dir", dir}, IOStreams{In: in, Out: &out, ErrOut: &errOut, Interactive: true})
	if code != 0 {
		t.Fatalf("exit %d\n%s%s", code, out.String(), errOut.String())
	}
	for _, want := range []string{
		"MCP tool servers to federate\n", `Not accepted: "x" is not NAME=URL, e.g. tools=http://tools.example.com:8080/mcp`,
		"MCP servers' credentials\n", "Not accepted: a server reached as a Service cannot carry a credential",
		"MCP sessions and failures\n", "Enter keeps: 1, stateful, fail closed\n",
		"--mcp gh=https://api.githubcopilot.com/mcp/ --mcp search=search:8080/mcp --mcp-key gh=GH_MCP_TOKEN --mcp-sessions stateless --mcp-failure open",
		"npx @modelcontextprotocol/inspector --cli http://$GATEWAY:8080/mcp --transport http --method tools/list",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("no %q in\n%s", want, out.String())
		}
	}
	backend, err := os.ReadFile(filepath.Join(dir, "agentgatewaybackend-mcp.yaml"))
	for _, want := range []string{"kind: AgentgatewayBackend\n", "sessionRouting: Stateless", "failureMode: FailOpen", "- name: gh\n", "name: mcp-gh-secret", "- name: search\n"} {
		if err != nil || !strings.Contains(string(backend), want) {
			t.Errorf("the MCP backend lacks %q (%v):\n%s", want, err, backend)
		}
	}
	if secret, err := os.ReadFile(filepath.Join(dir, "secret-mcp-gh-secret.yaml")); err != nil || !strings.Contains(string(secret), "${GH_MCP_TOKEN}") {
		t.Errorf("the MCP server's Secret (%v):\n%s", err, secret)
	}
}
