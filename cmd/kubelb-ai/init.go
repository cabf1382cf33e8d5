package main

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/charmbracelet/huh"
	"github.com/spf13/cobra"
	"k8s.io/cli-runtime/pkg/genericclioptions"

	"github.com/kubelb-ai/kubelb-ai/cluster"
	"github.com/kubelb-ai/kubelb-ai/generate"
	"github.com/kubelb-ai/kubelb-ai/internal/suggest"
	"github.com/kubelb-ai/kubelb-ai/spec"
	"github.com/kubelb-ai/kubelb-ai/templates"
)

type initOptions struct {
	gen        generateOptions
	outputDir  string
	force      bool
	yes        bool
	accessible bool
	kube       *genericclioptions.ConfigFlags
	changed    func(name string) bool // whether a flag was given
	streams    IOStreams
}

func newInitCmd(streams IOStreams) *cobra.Command {
	o := &initOptions{streams: streams}
	cmd := &cobra.Command{
		Use:   "init",
		Short: "Answer a few questions and get a working AI gateway: kubelb-ai.yaml and its manifests",
		Long: `init asks what a first AI gateway needs: the target (detected from the
cluster's CRDs when a kubeconfig reaches one), namespace, gateway name,
listener port and Service type; the providers, and for each its model, the
environment variable its API key comes from (the key itself is never asked
for) and what it needs besides (hosts, Azure deployment, Vertex project);
routing (a route per provider, or one route failing over between them);
request and token rate limits; prompt guards; on targets that check them, the
clients' API keys (the variables holding them); on targets with a
rate-limit service, whether the limits are counted per replica or globally;
and, on targets with an MCP gateway, the MCP tool servers to federate, the
variables holding their credentials and how sessions and failures go.
It shows the files it will write, then writes kubelb-ai.yaml and the
manifests as generate does, and prints the commands to go on with.

Every question has the flag of generate; questions answered by flags are not
asked. --yes takes the defaults for the rest. Without a terminal, init needs
--yes: piped answers never become defaults silently. --accessible (or
ACCESSIBLE=1, or TERM=dumb) asks plain line-by-line questions for screen
readers: each shows its default, which Enter keeps; a multi-select takes the
numbers of every option wanted, e.g. 1,3.`,
		Example: `  # Ask everything
  kubelb-ai init

  # The defaults: an OpenAI gateway for the default target, no questions
  kubelb-ai init --yes

  # Two providers with failover on agentgateway, asking only the rest
  kubelb-ai init --kubelb-version 1.4 --provider openai,anthropic --failover openai,anthropic

  # An agentgateway with an MCP gateway federating two tool servers
  kubelb-ai init --target agentgateway --mcp github=https://api.githubcopilot.com/mcp/ --mcp search=search:8080/mcp`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			o.changed = cmd.Flags().Changed
			return runInit(cmd.Context(), o)
		},
	}
	addSpecFlags(cmd, &o.gen)
	addMCPFlags(cmd, &o.gen)
	f := cmd.Flags()
	f.StringVar(&o.outputDir, "output-dir", ".", "directory for kubelb-ai.yaml and the manifests, e.g. --output-dir ai-gateway/")
	f.BoolVar(&o.force, "force", false, "overwrite files that exist in --output-dir")
	f.BoolVarP(&o.yes, "yes", "y", false, "ask nothing: take the defaults for every question not answered by a flag")
	f.BoolVar(&o.accessible, "accessible", os.Getenv("ACCESSIBLE") != "", "plain prompts for screen readers (also ACCESSIBLE=1)")
	o.kube = genericclioptions.NewConfigFlags(false)
	o.kube.KubeConfig, o.kube.Context = ptrTo(""), ptrTo("")
	f.StringVar(o.kube.KubeConfig, "kubeconfig", "", "kubeconfig whose cluster's CRDs suggest the target (default: $KUBECONFIG or ~/.kube/config; without one the target is not detected)")
	f.StringVar(o.kube.Context, "context", "", "kubeconfig context, e.g. --context kubelb-management")
	return cmd
}

// defaultRateLimit is init's answer to the rate-limit question; generate
// has none.
const defaultRateLimit = "100/hour"

// questions maps each question to the flags that answer it.
var questions = []struct{ flags []string }{
	{[]string{"target", "kubelb-version"}}, {[]string{"namespace"}}, {[]string{"gateway"}}, {[]string{"port"}},
	{[]string{"service-type"}}, {[]string{"provider"}}, {[]string{"model"}}, {[]string{"api-key-env", "auth"}},
	{[]string{"failover"}}, {[]string{"rate-limit"}}, {[]string{"token-limit"}}, {[]string{"guard"}},
	{[]string{"client-key", "client-key-hash"}}, {[]string{"limit-scope", "limit-key"}}, {[]string{"mcp"}},
}

func runInit(ctx context.Context, o *initOptions) error {
	changed, streams := o.changed, o.streams
	if !o.yes && !streams.CanPrompt() {
		var missing []string
		for _, q := range questions {
			if !slices.ContainsFunc(q.flags, changed) {
				missing = append(missing, "--"+strings.Join(q.flags, "/--"))
			}
		}
		return usageError("init asks its questions on a terminal, and this is not one: answer them with flags and pass --yes to take the defaults for the rest (not given: %s)", strings.Join(missing, ", "))
	}
	if err := o.gen.resolveTarget(); err != nil {
		return err
	}
	if err := knownProviders(&o.gen); err != nil {
		return err
	}
	a := answersFromFlags(&o.gen)
	if !changed("rate-limit") {
		// A route to an LLM without a limit is what validate warns about.
		a.RateLimit = defaultRateLimit
	}
	if !changed("target") && !changed("kubelb-version") {
		a.Target, a.detected = detectTarget(ctx, o.kube)
	}
	var p *prompter
	if o.accessible || os.Getenv("TERM") == "dumb" {
		// huh would turn to its own accessible mode on a dumb terminal,
		// which shows no defaults: the wizard's prompts serve it instead.
		p = newPrompter(streams)
	}
	if !o.yes {
		if err := ask(a, changed, p, streams); err != nil {
			if errors.Is(err, huh.ErrUserAborted) {
				return &exitError{code: exitUsage, err: errors.New("init cancelled: nothing written")}
			}
			return err
		}
	}
	if err := a.apply(&o.gen); err != nil {
		return err
	}
	g, err := o.gen.build()
	if err != nil {
		return err
	}
	if err := spec.Check(g); err != nil {
		return inputError(fmt.Errorf("the answers do not make a gateway for target %s:\n%v", g.Spec.Target, err))
	}
	objs, err := generate.Render(g)
	if err != nil {
		return inputError(err)
	}
	if !o.yes && !o.force {
		if existing := existingFiles(o.outputDir, objs); len(existing) > 0 {
			return usageError("%s already exist in %s: pass --force to overwrite them, or --output-dir another directory; nothing written", strings.Join(existing, ", "), o.outputDir)
		}
	}
	if !o.yes {
		ok, err := confirmWrite(o.outputDir, objs, p, streams)
		if errors.Is(err, huh.ErrUserAborted) {
			return &exitError{code: exitUsage, err: errors.New("init cancelled: nothing written")}
		}
		if err != nil {
			return err
		}
		if !ok {
			return &exitError{code: exitUsage, err: errors.New("init cancelled: nothing written")}
		}
	}
	written, err := generate.WriteDir(o.outputDir, g, objs, "yaml", o.force)
	if err != nil {
		if os.IsExist(err) {
			return usageError("%v", err)
		}
		return inputError(err)
	}
	printNextSteps(streams.Out, o.outputDir, g, written, a)
	return nil
}

// detectTarget asks the kubeconfig's cluster, if one answers within a few
// seconds, which target's CRDs it has; the default target otherwise.
func detectTarget(ctx context.Context, kube *genericclioptions.ConfigFlags) (target, how string) {
	if t, host, ok := cluster.DetectTarget(ctx, kube, 3*time.Second); ok {
		return t, fmt.Sprintf("detected from the CRDs installed in %s", host)
	}
	return templates.DefaultTarget().Name, ""
}

func existingFiles(dir string, objs []generate.Object) []string {
	var out []string
	for _, name := range fileNames(objs) {
		if _, err := os.Stat(filepath.Join(dir, name)); err == nil {
			out = append(out, name)
		}
	}
	return out
}

func fileNames(objs []generate.Object) []string {
	names := []string{generate.SpecFileName}
	for _, o := range objs {
		names = append(names, generate.FileName(o, "yaml"))
	}
	return names
}

// knownProviders refuses a provider-keyed flag (--model P=M, ...) that
// names no provider kind: init would drop it without a word.
func knownProviders(g *generateOptions) error {
	kinds := templates.ProviderKinds()
	for _, f := range []struct {
		flag   string
		values []string
	}{{"--model", g.models}, {"--api-key-env", g.apiKeyEnvs}, {"--auth", g.auths}, {"--host", g.hosts}} {
		kv, err := keyValues(f.flag, f.values)
		if err != nil {
			return err
		}
		for _, k := range slices.Sorted(maps.Keys(kv)) {
			if !slices.Contains(kinds, k) {
				return usageError("%s %s=%s: unknown provider %q%s: use one of %s", f.flag, k, kv[k], k, suggest.DidYouMean(k, kinds), strings.Join(kinds, ", "))
			}
		}
	}
	return nil
}
