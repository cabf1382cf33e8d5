package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"
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
	"github.com/kubelb-ai/kubelb-ai/validate"
)

type initOptions struct {
	gen        generateOptions
	outputDir  string
	force      bool
	yes        bool
	accessible bool
	kube       *genericclioptions.ConfigFlags
}

func newInitCmd(streams IOStreams) *cobra.Command {
	o := &initOptions{}
	cmd := &cobra.Command{
		Use:   "init",
		Short: "Answer a few questions and get a working AI gateway: kubelb-ai.yaml and its manifests",
		Long: `init asks what a first AI gateway needs: the target (detected from the
cluster's CRDs when a kubeconfig reaches one), namespace, gateway name,
listener port and Service type; the providers, and for each its model, the
environment variable its API key comes from (the key itself is never asked
for) and what it needs besides (hosts, Azure deployment, Vertex project);
routing (a route per provider, or one route failing over between them);
request and token rate limits; prompt guards. It shows the files it will
write, then writes kubelb-ai.yaml and the manifests as generate does, and
prints the commands to go on with.

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
  kubelb-ai init --kubelb-version 1.4 --provider openai,anthropic --failover openai,anthropic`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runInit(cmd, o, streams)
		},
	}
	addSpecFlags(cmd, &o.gen)
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
}

func runInit(cmd *cobra.Command, o *initOptions, streams IOStreams) error {
	changed := func(name string) bool { return cmd.Flags().Changed(name) }
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
		a.Target, a.detected = detectTarget(o.kube)
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

// answers are the wizard's questions in flag form: the form edits them,
// apply hands them to generate's Spec builder, and flags() is the command
// line that gives the same answers without questions.
type answers struct {
	Target      string
	Namespace   string
	Gateway     string
	Port        string
	ServiceType string
	Providers   []string
	PerProvider map[string]*providerAnswers
	Failover    bool
	Order       string // comma-separated failover order
	RateLimit   string
	TokenLimit  string
	Maskers     []string
	Rejects     string // one regular expression per line
	Azure       struct{ Endpoint, Deployment, APIVersion string }
	Vertex      struct{ Project, Location string }
	Bedrock     struct{ Region string }

	detected string // how the target was found, for the form
}

type providerAnswers struct {
	Model, KeyEnv, Host string
}

func answersFromFlags(g *generateOptions) *answers {
	o := g.spec
	a := &answers{
		Target: o.Target, Namespace: o.Namespace, Gateway: o.Gateway, ServiceType: o.ServiceType,
		Providers: o.Providers, RateLimit: o.RateLimit, TokenLimit: o.TokenLimit,
		PerProvider: map[string]*providerAnswers{},
	}
	if a.Target == "" {
		a.Target = templates.DefaultTarget().Name
	}
	if a.Namespace == "" {
		a.Namespace = spec.DefaultNamespace
	}
	if a.Gateway == "" {
		a.Gateway = spec.DefaultGatewayName
	}
	a.Port = strconv.Itoa(spec.DefaultListenerPort)
	if o.Port != 0 {
		a.Port = strconv.Itoa(int(o.Port))
	}
	if a.ServiceType == "" {
		a.ServiceType = spec.DefaultServiceType
	}
	if len(a.Providers) == 0 {
		a.Providers = []string{"openai"}
	}
	if len(o.Failover) > 0 {
		a.Failover, a.Order = true, strings.Join(o.Failover, ",")
	}
	for _, gd := range o.Guards {
		kind, value, _ := strings.Cut(gd, "=")
		switch kind {
		case "mask":
			a.Maskers = append(a.Maskers, strings.Split(value, ",")...)
		case "reject":
			a.Rejects = strings.TrimPrefix(a.Rejects+"\n"+value, "\n")
		}
	}
	a.Azure.Endpoint, a.Azure.Deployment, a.Azure.APIVersion = o.AzureEndpoint, o.AzureDeployment, o.AzureAPIVersion
	a.Vertex.Project, a.Vertex.Location = o.VertexProject, o.VertexLocation
	a.Bedrock.Region = o.BedrockRegion
	models, _ := keyValues("--model", g.models)
	keys, _ := keyValues("--api-key-env", g.apiKeyEnvs)
	hosts, _ := keyValues("--host", g.hosts)
	for _, p := range templates.ProviderKinds() {
		c, _ := templates.LookupProvider(p)
		pa := &providerAnswers{Model: c.DefaultModel, KeyEnv: c.APIKeyEnv}
		if m, ok := models[p]; ok {
			pa.Model = m
		}
		if k, ok := keys[p]; ok {
			pa.KeyEnv = k
		}
		pa.Host = hosts[p]
		a.PerProvider[p] = pa
	}
	return a
}

// flags is the command line giving the same answers to init --yes or to
// generate.
func (a *answers) flags() []string {
	out := []string{"--target", a.Target, "--namespace", a.Namespace, "--gateway", a.Gateway, "--port", a.Port,
		"--service-type", a.ServiceType, "--provider", strings.Join(a.Providers, ",")}
	for _, p := range a.Providers {
		pa := a.PerProvider[p]
		if pa == nil {
			continue // an unknown kind: the Spec's check names it
		}
		c, _ := templates.LookupProvider(p)
		if pa.Model != "" && pa.Model != c.DefaultModel {
			out = append(out, "--model", p+"="+pa.Model)
		}
		if pa.KeyEnv != "" && pa.KeyEnv != c.APIKeyEnv {
			out = append(out, "--api-key-env", p+"="+pa.KeyEnv)
		}
		if pa.Host != "" {
			out = append(out, "--host", p+"="+pa.Host)
		}
	}
	if a.Failover && a.Order != "" {
		out = append(out, "--failover", a.Order)
	}
	for _, f := range []struct{ flag, value string }{
		{"--rate-limit", a.RateLimit}, {"--token-limit", a.TokenLimit},
		{"--azure-endpoint", a.Azure.Endpoint}, {"--azure-deployment", a.Azure.Deployment}, {"--azure-api-version", a.Azure.APIVersion},
		{"--vertex-project", a.Vertex.Project}, {"--vertex-location", a.Vertex.Location}, {"--bedrock-region", a.Bedrock.Region},
	} {
		if f.value != "" {
			out = append(out, f.flag, f.value)
		}
	}
	if len(a.Maskers) > 0 {
		out = append(out, "--guard", "mask="+strings.Join(a.Maskers, ","))
	}
	for _, r := range rejects(a.Rejects) {
		out = append(out, "--guard", "reject="+r)
	}
	return out
}

func rejects(text string) []string {
	var out []string
	for _, line := range strings.Split(text, "\n") {
		if line = strings.TrimSpace(line); line != "" {
			out = append(out, line)
		}
	}
	return out
}

// apply parses flags() with generate's own flag definitions, so that the
// wizard and the flags cannot drift apart.
func (a *answers) apply(o *generateOptions) error {
	fresh := &generateOptions{}
	c := &cobra.Command{}
	addSpecFlags(c, fresh)
	if err := c.Flags().Parse(a.flags()); err != nil {
		return usageError("%v", err)
	}
	*o = *fresh
	return nil
}

// detectTarget asks the cluster of the kubeconfig, if one answers within a
// few seconds, which target's CRDs it has. Without a kubeconfig naming a
// cluster it asks nothing (client-go would dial localhost:8080).
func detectTarget(kube *genericclioptions.ConfigFlags) (target, how string) {
	def := templates.DefaultTarget().Name
	if cluster.CheckConfig(kube) != nil {
		return def, ""
	}
	config, err := kube.ToRESTConfig()
	if err != nil {
		return def, ""
	}
	config.Timeout = 3 * time.Second
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	crds, err := validate.CRDsFromCluster(ctx, config)
	if err != nil {
		return def, ""
	}
	if t, ok := validate.ClusterTarget(crds); ok {
		return t, fmt.Sprintf("detected from the CRDs installed in %s", config.Host)
	}
	return def, ""
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

// printNextSteps ends init with the commands to go on with and a request
// per route on the listener's real port.
func printNextSteps(w io.Writer, dir string, g *spec.AIGateway, written []string, a *answers) {
	how := ""
	if a.detected != "" && a.Target == g.Spec.Target {
		how = " (" + a.detected + ")"
	}
	fmt.Fprintf(w, "Wrote %d files to %s for target %s%s:\n", len(written), dir, g.Spec.Target, how)
	for _, p := range written {
		fmt.Fprintln(w, "  "+p)
	}
	specFile := filepath.Join(dir, generate.SpecFileName)
	gw := g.Spec.Gateway
	port := gw.Listeners[0].Port
	fmt.Fprintf(w, `
Next steps:
  # check the manifests as the API server will
  kubelb-ai validate --strict --target %[1]s %[2]s
  # compare with KubeLB's management cluster, then apply (the Secrets take the API keys from your environment)
  kubelb-ai diff -f %[2]s
  kubelb-ai apply -f %[2]s --wait
  kubelb-ai status -n %[5]s
  # or run the same routes on this machine, without a cluster
  kubelb-ai serve -f %[2]s
  # keep %[3]s in git; regenerate the manifests from it with
  kubelb-ai generate --from %[3]s --output-dir %[2]s --force
  # the same answers without questions
  kubelb-ai init --yes %[4]s

Try each route once the Gateway has an address (with serve: GATEWAY=127.0.0.1):
  GATEWAY=$(kubectl get gateway -n %[5]s %[6]s -o jsonpath='{.status.addresses[0].value}')
`, g.Spec.Target, dir, specFile, shellJoin(a.flags()), gw.Namespace, gw.Name)
	for _, e := range generate.Examples(g) {
		fmt.Fprintf(w, "  curl -s http://$GATEWAY:%d%s -H 'content-type: application/json' -d '%s'\n", port, e.Path, e.Body)
	}
}

// shellJoin quotes what a POSIX shell would split or expand.
func shellJoin(args []string) string {
	out := make([]string, len(args))
	for i, s := range args {
		if s == "" || strings.ContainsAny(s, " \t\n'\"\\$`*?[]{}()<>|&;!#~") {
			s = "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
		}
		out[i] = s
	}
	return strings.Join(out, " ")
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
