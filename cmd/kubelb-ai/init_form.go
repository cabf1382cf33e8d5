package main

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/charmbracelet/huh"

	"github.com/kubelb-ai/kubelb-ai/cmd/kubelb-ai/internal/termquery"
	"github.com/kubelb-ai/kubelb-ai/generate"
	"github.com/kubelb-ai/kubelb-ai/spec"
	"github.com/kubelb-ai/kubelb-ai/templates"
)

// The package initialisations are over: Bubble Tea's did not wait for the
// terminal's colours (see termquery), and the user's TERM is back for the
// styles and everything else.
func init() { termquery.Restore() }

// ask runs the wizard's questions over a, skipping those that a flag
// answered. The questions come in rounds because later ones depend on
// earlier answers (the providers chosen, the target's features); on a
// terminal each round is a huh form; with a prompter (accessible mode),
// plain lines.
func ask(a *answers, changed func(string) bool, p *prompter, streams IOStreams) error {
	accessible := p != nil
	run := func(groups ...[]*question) error {
		var shown []*huh.Group
		for _, g := range groups {
			if len(g) == 0 {
				continue
			}
			var fields []huh.Field
			for _, q := range g {
				if accessible {
					if err := p.ask(q); err != nil {
						return err
					}
					continue
				}
				fields = append(fields, q.field())
			}
			if len(fields) > 0 {
				shown = append(shown, huh.NewGroup(fields...))
			}
		}
		if len(shown) == 0 {
			return nil
		}
		return huh.NewForm(shown...).WithInput(streams.In).WithOutput(streams.Out).Run()
	}
	unless := func(flags ...string) bool { return !slices.ContainsFunc(flags, changed) }

	// The gateway.
	var gateway []*question
	if unless("target", "kubelb-version") {
		var opts []option
		for _, t := range templates.Targets() {
			opts = append(opts, option{fmt.Sprintf("%-14s KubeLB %s: %s", t.Name, strings.Join(t.KubeLB, ", "), t.DataPlane), t.Name})
		}
		desc := "the data plane your KubeLB version runs"
		if a.detected != "" {
			desc = a.detected
		}
		gateway = append(gateway, &question{kind: selectQ, title: "Target", desc: desc, options: opts, str: &a.Target})
	}
	if unless("namespace") {
		gateway = append(gateway, &question{title: "Namespace", desc: "KubeLB's AI objects live in the management cluster's kubelb namespace",
			str: &a.Namespace, check: dnsLabel})
	}
	if unless("gateway") {
		gateway = append(gateway, &question{title: "Gateway name", str: &a.Gateway, check: dnsSubdomain})
	}
	if unless("port") {
		gateway = append(gateway, &question{title: "Listener port", desc: "what clients connect to", str: &a.Port, check: port})
	}
	if unless("service-type") {
		var opts []option
		for _, t := range []string{"LoadBalancer", "NodePort", "ClusterIP"} {
			opts = append(opts, option{t, t})
		}
		gateway = append(gateway, &question{kind: selectQ, title: "Service type of the gateway proxy", options: opts, str: &a.ServiceType})
	}
	if err := run(gateway); err != nil {
		return err
	}

	// The providers the target can express.
	target, _ := templates.LookupTarget(a.Target)
	if unless("provider") {
		var opts []option
		for _, p := range templates.Providers() {
			if target.SupportsProvider(p.Kind) {
				opts = append(opts, option{p.Title, p.Kind})
			}
		}
		desc := "x or space selects, enter confirms"
		if accessible {
			desc = ""
		}
		if err := run([]*question{{kind: multiQ, title: "Providers", desc: desc, options: opts, strs: &a.Providers,
			checkAll: func(v []string) error {
				if len(v) == 0 {
					return fmt.Errorf("choose at least one provider")
				}
				return nil
			}}}); err != nil {
			return err
		}
	}

	// Per provider: model, key variable and what it needs besides.
	var perProvider [][]*question
	for _, p := range a.Providers {
		c, _ := templates.LookupProvider(p)
		pa := a.PerProvider[p]
		var qs []*question
		if unless("model") {
			qs = append(qs, &question{title: c.Title + ": model", suggestions: c.Models, str: &pa.Model, check: nonEmpty("a model")})
		}
		if !c.NoKey && unless("api-key-env", "auth") {
			qs = append(qs, &question{title: c.Title + ": environment variable holding the API key",
				desc: "the key itself stays in your environment: the Secret gets ${" + pa.KeyEnv + "}, filled when applying",
				str:  &pa.KeyEnv, check: envName})
		}
		switch p {
		case "mistral", "ollama":
			if unless("host") {
				qs = append(qs, &question{title: c.Title + ": host[:port]", placeholder: hostPort(c), blank: hostPort(c),
					desc: "blank for " + hostPort(c), str: &pa.Host})
			}
		case "azureopenai":
			qs = append(qs,
				&question{title: "Azure OpenAI: resource endpoint", placeholder: "my-resource.openai.azure.com", str: &a.Azure.Endpoint, check: nonEmpty("the endpoint")},
				&question{title: "Azure OpenAI: deployment", str: &a.Azure.Deployment, check: nonEmpty("the deployment")},
				&question{title: "Azure OpenAI: api-version", placeholder: c.APIVersion, blank: c.APIVersion, desc: "blank for " + c.APIVersion, str: &a.Azure.APIVersion})
		case "vertexai":
			qs = append(qs,
				&question{title: "Vertex AI: Google Cloud project", str: &a.Vertex.Project, check: nonEmpty("the project")},
				&question{title: "Vertex AI: location", placeholder: c.Location, blank: c.Location, desc: "blank for " + c.Location, str: &a.Vertex.Location})
		case "bedrock":
			qs = append(qs, &question{title: "Amazon Bedrock: region", placeholder: c.Region, blank: c.Region, desc: "blank for " + c.Region, str: &a.Bedrock.Region})
		}
		perProvider = append(perProvider, qs)
	}
	if err := run(perProvider...); err != nil {
		return err
	}

	// Routing, limits and guards.
	var policies []*question
	if len(a.Providers) > 1 && unless("failover") {
		if a.Order == "" {
			a.Order = strings.Join(a.Providers, ",")
		}
		if err := run([]*question{{kind: confirmQ, title: "Routing",
			desc:   "one route per provider (/openai, /anthropic, ...), or one OpenAI-compatible route that fails over between them",
			affirm: "One route with failover", negate: "A route per provider", yes: &a.Failover}}); err != nil {
			return err
		}
		if a.Failover {
			policies = append(policies, &question{title: "Failover order", desc: "providers, comma-separated, tried in this order",
				str: &a.Order, check: func(s string) error { return checkFailover(a, s) }})
		}
	}
	blankForNone := "; blank for none"
	if accessible {
		blankForNone = "" // Enter keeps the default; the prompt says how to give none
	}
	// A day is a unit of global limits, which are asked after the limits.
	rateCheck, units := optionalRate(spec.ScopeLocal), "N/second, N/minute or N/hour"
	if target.Features.GlobalRateLimit && unless("limit-scope") {
		rateCheck, units = optionalRate(spec.ScopeGlobal), "N/second, N/minute, N/hour or N/day (counted globally)"
	}
	if unless("rate-limit") {
		policies = append(policies, &question{title: "Request rate limit per route", desc: units + blankForNone,
			placeholder: "100/hour", blank: "none", str: &a.RateLimit, check: rateCheck})
	}
	if target.Features.TokenRateLimit && unless("token-limit") {
		policies = append(policies, &question{title: "Token rate limit per route", desc: "LLM tokens, N/UNIT" + blankForNone,
			placeholder: "50000/hour", blank: "none", str: &a.TokenLimit, check: rateCheck})
	}
	if unless("guard") {
		var maskers []option
		for _, b := range spec.Builtins {
			if b != "CA_SIN" || target.Features.CaSin {
				maskers = append(maskers, option{b, b})
			}
		}
		maskDesc, rejectDesc := "x or space selects, enter confirms; none for no masking", "one regular expression per line, e.g. (?i)password; blank for none"
		if accessible {
			maskDesc, rejectDesc = "", "regular expressions, e.g. (?i)password"
		}
		policies = append(policies,
			&question{kind: multiQ, title: "Prompt guard: mask in prompts", desc: maskDesc, options: maskers, strs: &a.Maskers},
			&question{kind: textQ, title: "Prompt guard: reject prompts matching", desc: rejectDesc, blank: "none", str: &a.Rejects, check: regexLines,
				// Re-evaluated as the value changes: each line is checked as it is typed.
				descFunc: func() string {
					if err := regexLines(a.Rejects); err != nil {
						return "✗ " + err.Error()
					}
					return rejectDesc
				}})
	}
	if err := run(policies); err != nil {
		return err
	}

	// Who may call, then how the limits count (per client needs clients).
	if target.Features.APIKeys && unless("client-key", "client-key-hash") {
		if err := run([]*question{{title: "Client API keys",
			desc:        "who may call the gateway: NAME=VARIABLE, comma-separated; each key stays in its variable, filled when applying" + blankForNone,
			placeholder: "alice=ALICE_KEY, ci=CI_KEY", blank: "none, anyone who reaches the gateway", str: &a.ClientKeys,
			check: func(s string) error { return checkClientKeys(a, s) }}}); err != nil {
			return err
		}
	}
	if target.Features.GlobalRateLimit && (a.RateLimit != "" || a.TokenLimit != "") && unless("limit-scope", "limit-key") {
		if err := run([]*question{limitQuestion(a, target, changed)}); err != nil {
			return err
		}
	}

	// MCP tool servers, on targets with an MCP gateway: the servers, then
	// (with some) their credentials and how sessions and failures go.
	if !target.Features.MCP {
		return nil
	}
	if unless("mcp") {
		if err := run([]*question{{title: "MCP tool servers to federate",
			desc:        "clients reach their tools as one MCP server on the gateway: NAME=URL or NAME=SERVICE:PORT[/PATH] (a Service of the gateway's namespace), comma-separated" + blankForNone,
			placeholder: "github=https://api.githubcopilot.com/mcp/, search=search:8080/mcp", blank: "none", str: &a.MCPServers,
			check: func(s string) error { return checkAnswer(a, "--mcp", func(t *answers) { t.MCPServers = s }) }}}); err != nil {
			return err
		}
	}
	if strings.TrimSpace(strings.ReplaceAll(a.MCPServers, ",", "")) == "" {
		return nil
	}
	var mcp []*question
	if unless("mcp-key") {
		mcp = append(mcp, &question{title: "MCP servers' credentials",
			desc:        "NAME=VARIABLE, comma-separated: the gateway sends the server the key in VARIABLE, filled when applying (URL servers only)" + blankForNone,
			placeholder: "github=GITHUB_MCP_TOKEN", blank: "none", str: &a.MCPKeys,
			check: func(s string) error { return checkAnswer(a, "--mcp-key", func(t *answers) { t.MCPKeys = s }) }})
	}
	if unless("mcp-sessions", "mcp-failure") {
		mcp = append(mcp, &question{kind: selectQ, title: "MCP sessions and failures", str: &a.MCPMode,
			desc: "stateful: the gateway keeps each client's session; stateless: any replica serves any request\n" +
				"fail closed: a server that fails fails the call; fail open: the servers that answer still serve",
			options: []option{
				{"stateful, fail closed: agentgateway's defaults", ""},
				{"stateful, fail open", ":" + spec.MCPFailOpen},
				{"stateless, fail closed", spec.MCPStateless + ":"},
				{"stateless, fail open", spec.MCPStateless + ":" + spec.MCPFailOpen},
			}})
	}
	return run(mcp)
}

// limitQuestion asks how the limits are counted: by each replica, or in
// the rate-limit service per route or per client. A limit per day is
// global only.
func limitQuestion(a *answers, target templates.Target, changed func(string) bool) *question {
	perDay := func(rate string) bool {
		_, unit, err := spec.ParseLimitRate(rate, spec.ScopeGlobal)
		return err == nil && unit == spec.PerDay
	}
	var opts []option
	if !perDay(a.RateLimit) && !perDay(a.TokenLimit) {
		opts = append(opts, option{"local: each gateway replica counts on its own", spec.ScopeLocal})
	}
	opts = append(opts, option{"global: the replicas share one count per route in the rate-limit service", spec.ScopeGlobal})
	clients := strings.TrimSpace(a.ClientKeys) != "" || changed("client-key-hash") || changed("jwt-issuer")
	if target.Features.LimitKeyExpression && clients {
		opts = append(opts, option{"global, per client: each client's own count in the rate-limit service", spec.ScopeGlobal + ":" + spec.KeyClient})
	}
	if a.Limit == "" || !slices.ContainsFunc(opts, func(o option) bool { return o.value == a.Limit }) {
		a.Limit = opts[0].value
	}
	return &question{kind: selectQ, title: "Rate limits: counted", options: opts, str: &a.Limit,
		desc: "global limits need a rate-limit service (default " + spec.DefaultRateLimitService + ", KubeLB's addon; --rate-limit-service)"}
}

// checkClientKeys tries the keys in the Spec and reports the first of
// their problems, as generate would name it.
func checkClientKeys(a *answers, keys string) error {
	return checkAnswer(a, "--client-key", func(t *answers) { t.ClientKeys, t.Limit = keys, "" })
}

// checkAnswer tries an answer (edit sets it on a copy of a) in the Spec,
// parsed and checked as generate does, and reports the first problem that
// generate would name with flag: the message the flag would get.
func checkAnswer(a *answers, flag string, edit func(*answers)) error {
	trial := *a
	edit(&trial)
	o := &generateOptions{}
	if err := trial.apply(o); err != nil {
		return err
	}
	g, err := o.build()
	if err == nil {
		err = o.spec.Locate(spec.Check(g))
	}
	var list spec.ErrorList
	if errors.As(err, &list) {
		for _, e := range list {
			if e.Path == flag {
				return errors.New(e.Message)
			}
		}
	}
	return nil
}

// confirmWrite shows the files init will write and asks to go on.
func confirmWrite(dir string, objs []generate.Object, p *prompter, streams IOStreams) (bool, error) {
	ok := true
	names := fileNames(objs)
	q := &question{kind: confirmQ, title: fmt.Sprintf("Write these %d files to %s?", len(names), dir),
		desc: strings.Join(names, "\n"), affirm: "Write", negate: "Cancel", yes: &ok}
	if p != nil {
		return ok, p.ask(q)
	}
	err := huh.NewForm(huh.NewGroup(q.field())).WithInput(streams.In).WithOutput(streams.Out).Run()
	return ok, err
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
	// The first problem is the answer's; the rest repeats it per pair.
	var list spec.ErrorList
	if errors.As(err, &list) && len(list) > 0 {
		return errors.New(list[0].Message)
	}
	return err
}
