package main

import (
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/kubelb-ai/kubelb-ai/spec"
	"github.com/kubelb-ai/kubelb-ai/templates"
)

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
	ClientKeys  string // NAME=VARIABLE, comma-separated
	Limit       string // the limits' scope, and after a colon a global limit's key
	MCPServers  string // NAME=URL or NAME=SERVICE:PORT[/PATH], comma-separated
	MCPKeys     string // NAME=VARIABLE, comma-separated
	MCPMode     string // sessions, a colon, failure mode; each empty for the data plane's default

	// rest are the flags given that no question asks (JWT, hashes, ...),
	// passed on as they were.
	rest     []string
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
	a.ClientKeys = strings.Join(o.ClientKeys, ", ")
	a.Limit = o.LimitScope
	if o.LimitKey != "" {
		a.Limit += ":" + o.LimitKey
	}
	a.MCPServers, a.MCPKeys = strings.Join(o.MCPServers, ", "), strings.Join(o.MCPKeys, ", ")
	if o.MCPSessions != "" || o.MCPFailure != "" {
		a.MCPMode = o.MCPSessions + ":" + o.MCPFailure
	}
	for _, f := range []struct {
		flag   string
		values []string
	}{
		{"--client-key-hash", o.ClientKeyHashes}, {"--client-key-header", []string{o.ClientKeyHeader}}, {"--client-mode", []string{o.ClientMode}},
		{"--jwt-issuer", []string{o.JWTIssuer}}, {"--jwt-audience", o.JWTAudiences}, {"--jwt-jwks", []string{o.JWTJWKS}},
		{"--allow", o.Allow}, {"--rate-limit-service", []string{o.RateLimitService}}, {"--rate-limit-domain", []string{o.RateLimitDomain}},
		{"--rate-limit-failure-mode", []string{o.RateLimitFailureMode}},
		{"--mcp-prefix", []string{o.MCPPrefix}}, {"--mcp-path", []string{o.MCPPath}},
	} {
		for _, v := range f.values {
			if v != "" {
				a.rest = append(a.rest, f.flag, v)
			}
		}
	}
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
	out = appendList(out, "--client-key", a.ClientKeys)
	// Local is the default: said only with a key, which Check then refuses.
	if scope, key, _ := strings.Cut(a.Limit, ":"); (scope != "" && scope != spec.ScopeLocal) || key != "" {
		out = append(out, "--limit-scope", scope)
		if key != "" {
			out = append(out, "--limit-key", key)
		}
	}
	out = appendList(out, "--mcp", a.MCPServers)
	out = appendList(out, "--mcp-key", a.MCPKeys)
	sessions, failure, _ := strings.Cut(a.MCPMode, ":")
	for _, f := range []struct{ flag, value string }{{"--mcp-sessions", sessions}, {"--mcp-failure", failure}} {
		if f.value != "" {
			out = append(out, f.flag, f.value)
		}
	}
	return append(out, a.rest...)
}

// appendList adds flag once per entry of a comma-separated answer.
func appendList(out []string, flag, list string) []string {
	for _, v := range strings.Split(list, ",") {
		if v = strings.TrimSpace(v); v != "" {
			out = append(out, flag, v)
		}
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
	addMCPFlags(c, fresh)
	if err := c.Flags().Parse(a.flags()); err != nil {
		return usageError("%v", err)
	}
	*o = *fresh
	return nil
}
