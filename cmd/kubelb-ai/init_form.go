package main

import (
	"fmt"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/charmbracelet/huh"
	"k8s.io/apimachinery/pkg/util/validation"

	"github.com/kubelb-ai/kubelb-ai/generate"
	"github.com/kubelb-ai/kubelb-ai/spec"
	"github.com/kubelb-ai/kubelb-ai/templates"
)

// ask runs the wizard's forms over a, skipping questions that a flag
// answered. The forms run one after another because later questions depend
// on earlier answers (the providers chosen, the target's features).
func ask(a *answers, changed func(string) bool, accessible bool, streams IOStreams) error {
	run := func(groups ...*huh.Group) error {
		var shown []*huh.Group
		for _, g := range groups {
			if g != nil {
				shown = append(shown, g)
			}
		}
		if len(shown) == 0 {
			return nil
		}
		return huh.NewForm(shown...).WithAccessible(accessible).WithInput(streams.In).WithOutput(streams.Out).Run()
	}
	unless := func(flags ...string) bool { return !slices.ContainsFunc(flags, changed) }

	// The gateway.
	var gateway []huh.Field
	if unless("target", "kubelb-version") {
		var opts []huh.Option[string]
		for _, t := range templates.Targets() {
			opts = append(opts, huh.NewOption(fmt.Sprintf("%-14s KubeLB %s: %s", t.Name, strings.Join(t.KubeLB, ", "), t.DataPlane), t.Name))
		}
		desc := "the data plane your KubeLB version runs"
		if a.detected != "" {
			desc = a.detected
		}
		gateway = append(gateway, huh.NewSelect[string]().Title("Target").Description(desc).Options(opts...).Value(&a.Target))
	}
	if unless("namespace") {
		gateway = append(gateway, huh.NewInput().Title("Namespace").Description("KubeLB's AI objects live in the management cluster's kubelb namespace").
			Value(&a.Namespace).Validate(dnsLabel))
	}
	if unless("gateway") {
		gateway = append(gateway, huh.NewInput().Title("Gateway name").Value(&a.Gateway).Validate(dnsSubdomain))
	}
	if unless("port") {
		gateway = append(gateway, huh.NewInput().Title("Listener port").Description("what clients connect to").Value(&a.Port).Validate(port))
	}
	if unless("service-type") {
		gateway = append(gateway, huh.NewSelect[string]().Title("Service type of the gateway proxy").
			Options(huh.NewOptions("LoadBalancer", "NodePort", "ClusterIP")...).Value(&a.ServiceType))
	}
	if err := run(group(gateway...)); err != nil {
		return err
	}

	// The providers the target can express.
	target, _ := templates.LookupTarget(a.Target)
	if unless("provider") {
		var opts []huh.Option[string]
		for _, p := range templates.Providers() {
			if target.SupportsProvider(p.Kind) {
				opts = append(opts, huh.NewOption(p.Title, p.Kind).Selected(slices.Contains(a.Providers, p.Kind)))
			}
		}
		if err := run(huh.NewGroup(huh.NewMultiSelect[string]().Title("Providers").Description("x or space selects, enter confirms").
			Options(opts...).Value(&a.Providers).Validate(func(v []string) error {
			if len(v) == 0 {
				return fmt.Errorf("choose at least one provider")
			}
			return nil
		}))); err != nil {
			return err
		}
	}

	// Per provider: model, key variable and what it needs besides.
	var perProvider []*huh.Group
	for _, p := range a.Providers {
		c, _ := templates.LookupProvider(p)
		pa := a.PerProvider[p]
		var fields []huh.Field
		if unless("model") {
			fields = append(fields, huh.NewInput().Title(c.Title+": model").Suggestions(c.Models).Value(&pa.Model).Validate(nonEmpty("a model")))
		}
		if !c.NoKey && unless("api-key-env", "auth") {
			fields = append(fields, huh.NewInput().Title(c.Title+": environment variable holding the API key").
				Description("the key itself stays in your environment: the Secret gets ${"+pa.KeyEnv+"}, filled when applying").
				Value(&pa.KeyEnv).Validate(envName))
		}
		switch p {
		case "mistral", "ollama":
			if unless("host") {
				fields = append(fields, huh.NewInput().Title(c.Title+": host[:port]").Placeholder(hostPort(c)).
					Description("blank for "+hostPort(c)).Value(&pa.Host))
			}
		case "azureopenai":
			fields = append(fields,
				huh.NewInput().Title("Azure OpenAI: resource endpoint").Placeholder("my-resource.openai.azure.com").Value(&a.Azure.Endpoint).Validate(nonEmpty("the endpoint")),
				huh.NewInput().Title("Azure OpenAI: deployment").Value(&a.Azure.Deployment).Validate(nonEmpty("the deployment")),
				huh.NewInput().Title("Azure OpenAI: api-version").Placeholder(c.APIVersion).Description("blank for "+c.APIVersion).Value(&a.Azure.APIVersion))
		case "vertexai":
			fields = append(fields,
				huh.NewInput().Title("Vertex AI: Google Cloud project").Value(&a.Vertex.Project).Validate(nonEmpty("the project")),
				huh.NewInput().Title("Vertex AI: location").Placeholder(c.Location).Description("blank for "+c.Location).Value(&a.Vertex.Location))
		case "bedrock":
			fields = append(fields, huh.NewInput().Title("Amazon Bedrock: region").Placeholder(c.Region).Description("blank for "+c.Region).Value(&a.Bedrock.Region))
		}
		perProvider = append(perProvider, group(fields...))
	}
	if err := run(perProvider...); err != nil {
		return err
	}

	// Routing, limits and guards.
	var policies []huh.Field
	if len(a.Providers) > 1 && unless("failover") {
		if a.Order == "" {
			a.Order = strings.Join(a.Providers, ",")
		}
		if err := run(group(huh.NewConfirm().Title("Routing").
			Description("one route per provider (/openai, /anthropic, ...), or one OpenAI-compatible route that fails over between them").
			Affirmative("One route with failover").Negative("A route per provider").Value(&a.Failover))); err != nil {
			return err
		}
		if a.Failover {
			policies = append(policies, huh.NewInput().Title("Failover order").Description("providers, comma-separated, tried in this order").
				Value(&a.Order).Validate(func(s string) error { return checkFailover(a, s) }))
		}
	}
	if unless("rate-limit") {
		policies = append(policies, huh.NewInput().Title("Request rate limit per route").Description("N/second, N/minute or N/hour; blank for none").
			Placeholder("100/hour").Value(&a.RateLimit).Validate(optionalRate))
	}
	if target.Features.TokenRateLimit && unless("token-limit") {
		policies = append(policies, huh.NewInput().Title("Token rate limit per route").Description("LLM tokens, N/UNIT; blank for none").
			Placeholder("50000/hour").Value(&a.TokenLimit).Validate(optionalRate))
	}
	if unless("guard") {
		var maskers []huh.Option[string]
		for _, b := range spec.Builtins {
			if b != "CA_SIN" || target.Features.CaSin {
				maskers = append(maskers, huh.NewOption(b, b).Selected(slices.Contains(a.Maskers, b)))
			}
		}
		policies = append(policies,
			huh.NewMultiSelect[string]().Title("Prompt guard: mask in prompts").Description("x or space selects, enter confirms; none for no masking").
				Options(maskers...).Value(&a.Maskers),
			huh.NewText().Title("Prompt guard: reject prompts matching").
				// Re-evaluated as the value changes: each line is checked as it is typed.
				DescriptionFunc(func() string {
					if err := regexLines(a.Rejects); err != nil {
						return "✗ " + err.Error()
					}
					return "one regular expression per line, e.g. (?i)password; blank for none"
				}, &a.Rejects).
				Value(&a.Rejects).Validate(regexLines))
	}
	return run(group(policies...))
}

// confirmWrite shows the files init will write and asks to go on.
func confirmWrite(dir string, objs []generate.Object, accessible bool, streams IOStreams) (bool, error) {
	ok := true
	names := fileNames(objs)
	err := huh.NewForm(huh.NewGroup(
		huh.NewConfirm().Title(fmt.Sprintf("Write these %d files to %s?", len(names), dir)).
			Description(strings.Join(names, "\n")).Affirmative("Write").Negative("Cancel").Value(&ok),
	)).WithAccessible(accessible).WithInput(streams.In).WithOutput(streams.Out).Run()
	return ok, err
}

func group(fields ...huh.Field) *huh.Group {
	if len(fields) == 0 {
		return nil
	}
	return huh.NewGroup(fields...)
}

func hostPort(c templates.Provider) string {
	if c.Port != 0 && c.Port != 443 {
		return fmt.Sprintf("%s:%d", c.Host, c.Port)
	}
	return c.Host
}

// checkFailover accepts an order of the chosen providers that the target
// can fail over between.
func checkFailover(a *answers, order string) error {
	names := strings.Split(order, ",")
	for i := range names {
		names[i] = strings.TrimSpace(names[i])
		if !slices.Contains(a.Providers, names[i]) {
			return fmt.Errorf("%q is not one of the chosen providers (%s)", names[i], strings.Join(a.Providers, ", "))
		}
	}
	if len(names) < 2 {
		return fmt.Errorf("name at least two providers")
	}
	trial := *a
	trial.Order, trial.Failover = strings.Join(names, ","), true
	o := &generateOptions{}
	if err := trial.apply(o); err != nil {
		return err
	}
	g, err := o.build()
	if err == nil {
		err = spec.Check(g)
	}
	if err != nil {
		// The first line names the problem; the rest repeats it per pair.
		first, _, _ := strings.Cut(err.Error(), "\n")
		if _, msg, ok := strings.Cut(first, ": "); ok {
			first = msg
		}
		return fmt.Errorf("%s", first)
	}
	return nil
}

func dnsLabel(s string) error {
	if errs := validation.IsDNS1123Label(s); len(errs) > 0 {
		return fmt.Errorf("%s", errs[0])
	}
	return nil
}

func dnsSubdomain(s string) error {
	if errs := validation.IsDNS1123Subdomain(s); len(errs) > 0 {
		return fmt.Errorf("%s", errs[0])
	}
	return nil
}

func port(s string) error {
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 || n > 65535 {
		return fmt.Errorf("a port is a number from 1 to 65535")
	}
	return nil
}

func nonEmpty(what string) func(string) error {
	return func(s string) error {
		if strings.TrimSpace(s) == "" {
			return fmt.Errorf("%s is required", what)
		}
		return nil
	}
}

var envNameRE = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

func envName(s string) error {
	if !envNameRE.MatchString(s) {
		return fmt.Errorf("a variable name: letters, digits and _, e.g. OPENAI_API_KEY (not the key itself)")
	}
	if looksLikeKey(s) {
		return fmt.Errorf("this looks like a key, not a variable name: type the name of the variable that holds it")
	}
	return nil
}

// looksLikeKey catches a key pasted where its variable's name belongs.
func looksLikeKey(s string) bool {
	if v, ok := os.LookupEnv(s); ok && v != "" {
		return false // a variable that exists is a name
	}
	return len(s) >= 32 && strings.ToUpper(s) != s
}

func optionalRate(s string) error {
	if strings.TrimSpace(s) == "" {
		return nil
	}
	_, _, err := spec.ParseRate(s)
	return err
}

func regexLines(text string) error {
	for _, r := range rejects(text) {
		if _, err := regexp.Compile(r); err != nil {
			return fmt.Errorf("%q: %v", r, err)
		}
	}
	return nil
}
