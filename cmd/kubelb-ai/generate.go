package main

import (
	"context"
	"fmt"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/kubelb-ai/kubelb-ai/generate"
	"github.com/kubelb-ai/kubelb-ai/spec"
	"github.com/kubelb-ai/kubelb-ai/templates"
)

// generateOptions are generate's flags; spec.Options holds those that shape the Spec.
type generateOptions struct {
	spec          spec.Options
	kubeLBVersion string
	from          string
	output        string
	outputDir     string
	force         bool
	models        []string
	apiKeyEnvs    []string
	auths         []string
	hosts         []string
	// generate's own: the kinds to write, which flags were given, the terminal.
	kind    string
	changed func(name string) bool
	streams IOStreams
}

func newGenerateCmd(streams IOStreams) *cobra.Command {
	o := &generateOptions{streams: streams}
	cmd := &cobra.Command{
		Use:   "generate [all|" + strings.Join(generate.CategoryNames(), "|") + "]",
		Short: "Write the AI gateway's manifests for the chosen providers and target",
		Long: `generate renders the manifests of an AI gateway for one data plane (target):
the Gateway, its parameters, one backend per route, one HTTPRoute per route,
a Secret per provider key, and rate-limit and AI policies. Name a kind to get
only those objects. Provider P is served at path /P on the gateway's listener,
so an OpenAI-style SDK with base URL http://HOST:PORT/P works.

API keys never appear in the files: each Secret holds a ${VARIABLE} placeholder
(the provider's usual variable, or the one named by --api-key-env) that is
filled from the environment when the manifests are applied, e.g.
envsubst < secret-openai-secret.yaml | kubectl apply -f -.

Without --client-key or --jwt-issuer anyone who reaches the gateway spends the
providers' keys. --client-key NAME=VAR lets a client in with the key held in
VAR (a ${VAR} placeholder too), --jwt-issuer with a token, and --allow rules
say what each may do. --limit-scope global counts the limits in a rate-limit
service the gateway's replicas share, per route or (--limit-key) per client.

The Spec used is written as kubelb-ai.yaml with --output-dir; keep it in git
and regenerate from it with --from.`,
		Example: `  # An OpenAI gateway for the default target (kgateway v2.1, KubeLB 1.3)
  kubelb-ai generate --provider openai

  # Three providers on agentgateway (KubeLB 1.4+), OpenAI failing over to Anthropic
  kubelb-ai generate --kubelb-version 1.4 --provider openai,anthropic,gemini \
    --failover openai,anthropic --rate-limit 100/hour --token-limit 50000/hour \
    --guard mask=CREDIT_CARD,EMAIL --guard 'reject=(?i)password' --output-dir manifests/

  # Clients with API keys (from ALICE_KEY and CI_KEY when applying), each
  # allowed 1000 requests a day counted across the gateway's replicas
  kubelb-ai generate --target agentgateway --client-key alice=ALICE_KEY --client-key ci=CI_KEY \
    --rate-limit 1000/day --limit-scope global --limit-key client

  # Clients with JWTs whose key set an in-cluster Keycloak serves
  kubelb-ai generate --target agentgateway --jwt-issuer https://idp.example.com/realms/ai \
    --jwt-audience ai-gateway --jwt-jwks http://keycloak.idp.svc:8080/realms/ai/protocol/openid-connect/certs

  # Only the HTTPRoutes, as JSON
  kubelb-ai generate route --provider openai,mistral -o json

  # Regenerate from a kept Spec, for another target
  kubelb-ai generate --from kubelb-ai.yaml --target agentgateway --output-dir manifests/ --force`,
		Args:      cobra.MaximumNArgs(1),
		ValidArgs: append([]string{"all"}, generate.CategoryNames()...),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.kind = "all"
			if len(args) == 1 {
				o.kind = args[0]
			}
			o.changed = cmd.Flags().Changed
			return runGenerate(cmd.Context(), o)
		},
	}
	addSpecFlags(cmd, o)
	addMCPFlags(cmd, o)
	addTracingFlags(cmd, o)
	f := cmd.Flags()
	f.StringVar(&o.from, "from", "", "render the Spec in this file instead of building one from flags, e.g. --from manifests/kubelb-ai.yaml")
	f.StringVarP(&o.output, "output", "o", "yaml", "output format: yaml or json, e.g. -o json (a v1 List when there are several objects)")
	f.StringVar(&o.outputDir, "output-dir", "", "write <kind>-<name>.yaml per object plus kubelb-ai.yaml into DIR instead of printing, e.g. --output-dir manifests/")
	f.BoolVar(&o.force, "force", false, "overwrite existing files in --output-dir (without it, nothing is written if any file exists)")
	return cmd
}

// addSpecFlags registers the flags that shape a Spec (specFlags, plus
// --target and --kubelb-version), shared by generate and init.
func addSpecFlags(cmd *cobra.Command, o *generateOptions) {
	f := cmd.Flags()
	f.StringVar(&o.spec.Target, "target", "", "data plane to render for: "+strings.Join(templates.TargetNames(), ", ")+", e.g. --target agentgateway (default "+templates.DefaultTarget().Name+")")
	f.StringVar(&o.kubeLBVersion, "kubelb-version", "", "KubeLB version whose data plane to target, e.g. 1.3 (instead of --target)")
	f.StringSliceVar(&o.spec.Providers, "provider", nil, "providers, comma-separated or repeated: "+strings.Join(templates.ProviderKinds(), ", ")+", e.g. --provider openai,anthropic (default openai)")
	f.StringArrayVar(&o.models, "model", nil, "model of a provider, P=MODEL, e.g. --model openai=gpt-4o")
	f.StringVarP(&o.spec.Namespace, "namespace", "n", "", "namespace of every object, e.g. -n ai-gateway (default "+spec.DefaultNamespace+")")
	f.StringVar(&o.spec.Gateway, "gateway", "", "name of the Gateway and its parameters, e.g. --gateway llm (default "+spec.DefaultGatewayName+")")
	f.Int32Var(&o.spec.Port, "port", 0, fmt.Sprintf("listener port of the Gateway, e.g. --port 80 (default %d)", spec.DefaultListenerPort))
	f.StringVar(&o.spec.ServiceType, "service-type", "", "Service type of the gateway proxy: LoadBalancer, NodePort or ClusterIP, e.g. --service-type ClusterIP (default LoadBalancer)")
	f.StringSliceVar(&o.spec.Failover, "failover", nil, "providers behind one route /P1, tried in this order, e.g. --failover openai,anthropic")
	f.StringVar(&o.spec.RateLimit, "rate-limit", "", "requests allowed per route, N/UNIT with UNIT second, minute or hour, e.g. --rate-limit 100/hour")
	f.StringVar(&o.spec.TokenLimit, "token-limit", "", "LLM tokens allowed per route, N/UNIT, e.g. --token-limit 50000/hour (agentgateway only)")
	f.StringArrayVar(&o.spec.Guards, "guard", nil, "prompt guard: mask=BUILTIN[,BUILTIN...] (CREDIT_CARD, SSN, EMAIL, PHONE_NUMBER, CA_SIN) or reject=REGEX, repeatable, e.g. --guard mask=CREDIT_CARD,EMAIL --guard 'reject=(?i)password'")
	f.StringArrayVar(&o.apiKeyEnvs, "api-key-env", nil, "environment variable holding a provider's key, P=VAR, e.g. --api-key-env openai=OPENAI_KEY (default: the provider's usual variable, e.g. OPENAI_API_KEY)")
	f.StringArrayVar(&o.auths, "auth", nil, "where a provider's credential comes from, P=env|passthrough|none, e.g. --auth openai=passthrough")
	f.StringArrayVar(&o.hosts, "host", nil, "send a provider's requests to HOST[:PORT], e.g. --host ollama=ollama.ai.svc:11434")
	f.StringVar(&o.spec.AzureEndpoint, "azure-endpoint", "", "Azure OpenAI resource host, e.g. --azure-endpoint my-resource.openai.azure.com")
	f.StringVar(&o.spec.AzureDeployment, "azure-deployment", "", "Azure OpenAI deployment name, e.g. --azure-deployment gpt-4o-mini")
	f.StringVar(&o.spec.AzureAPIVersion, "azure-api-version", "", "Azure OpenAI api-version, e.g. --azure-api-version 2024-10-21 (the default)")
	f.StringVar(&o.spec.VertexProject, "vertex-project", "", "Google Cloud project ID for Vertex AI, e.g. --vertex-project my-project")
	f.StringVar(&o.spec.VertexLocation, "vertex-location", "", "Vertex AI location, e.g. --vertex-location europe-west4 (default us-central1)")
	f.StringVar(&o.spec.BedrockRegion, "bedrock-region", "", "AWS region for Amazon Bedrock, e.g. --bedrock-region eu-central-1 (default us-east-1)")
	f.StringArrayVar(&o.spec.ClientKeys, "client-key", nil, "a client allowed to call the gateway with the API key held in a variable, NAME=VAR, repeatable, e.g. --client-key alice=ALICE_KEY (agentgateway)")
	f.StringArrayVar(&o.spec.ClientKeyHashes, "client-key-hash", nil, "a client's API key as its digest, NAME=sha256:HEX, repeatable, e.g. --client-key-hash ci=sha256:$(printf %s \"$KEY\" | sha256sum | cut -d' ' -f1)")
	f.StringVar(&o.spec.ClientKeyHeader, "client-key-header", "", "header the client API keys are read from, whole, e.g. --client-key-header x-api-key (default: Authorization: Bearer)")
	f.StringVar(&o.spec.ClientMode, "client-mode", "", "whether a client credential is required: Strict, Optional (checked when sent) or Permissive, e.g. --client-mode Optional (default Strict)")
	f.StringVar(&o.spec.JWTIssuer, "jwt-issuer", "", "accept client JWTs from this issuer (their iss), e.g. --jwt-issuer https://idp.example.com/realms/ai (agentgateway)")
	f.StringArrayVar(&o.spec.JWTAudiences, "jwt-audience", nil, "an audience the JWTs must name, repeatable, e.g. --jwt-audience ai-gateway")
	f.StringVar(&o.spec.JWTJWKS, "jwt-jwks", "", "the issuer's key set: an in-cluster URL or a JSON file, e.g. --jwt-jwks http://keycloak.idp.svc:8080/realms/ai/protocol/openid-connect/certs or --jwt-jwks jwks.json")
	f.StringArrayVar(&o.spec.Allow, "allow", nil, "allow a request when this CEL expression over apiKey.*, jwt.* and request.* holds, repeatable, e.g. --allow 'apiKey.client == \"alice\"'")
	f.StringVar(&o.spec.LimitScope, "limit-scope", "", "how --rate-limit and --token-limit count: local (each replica alone) or global (shared in the rate-limit service, allows N/day), e.g. --limit-scope global (default local)")
	f.StringVar(&o.spec.LimitKey, "limit-key", "", "what a global limit counts apart: route, client or a CEL expression, e.g. --limit-key client (default route)")
	f.StringVar(&o.spec.RateLimitService, "rate-limit-service", "", "rate-limit service of global limits, NAME.NAMESPACE:PORT, e.g. --rate-limit-service ratelimit.infra:8081 (default "+spec.DefaultRateLimitService+", KubeLB's addon)")
	f.StringVar(&o.spec.RateLimitDomain, "rate-limit-domain", "", "the rate-limit service's domain for the limits, e.g. --rate-limit-domain ai-quota (default "+spec.DefaultRateLimitDomain+")")
	f.StringVar(&o.spec.RateLimitFailureMode, "rate-limit-failure-mode", "", "when the rate-limit service cannot be reached: FailClosed refuses, FailOpen lets requests through, e.g. --rate-limit-failure-mode FailOpen (default FailClosed)")
	cmd.MarkFlagsMutuallyExclusive("target", "kubelb-version")
}

// addMCPFlags registers the MCP gateway's flags (generate's and init's).
func addMCPFlags(cmd *cobra.Command, o *generateOptions) {
	f := cmd.Flags()
	f.StringArrayVar(&o.spec.MCPServers, "mcp", nil, "an MCP server the MCP gateway federates, NAME=URL or NAME=SERVICE.NAMESPACE:PORT[/PATH] (a Service of the gateway's namespace; a path ending in /sse is the SSE transport), repeatable, e.g. --mcp github=https://api.githubcopilot.com/mcp/ (agentgateway)")
	f.StringArrayVar(&o.spec.MCPKeys, "mcp-key", nil, "environment variable holding the credential sent to an MCP server, NAME=VAR, repeatable, e.g. --mcp-key github=GITHUB_MCP_TOKEN")
	f.StringVar(&o.spec.MCPSessions, "mcp-sessions", "", "MCP sessions: stateful (kept by the gateway) or stateless (any replica serves any request), e.g. --mcp-sessions stateless (default stateful)")
	f.StringVar(&o.spec.MCPFailure, "mcp-failure", "", "when an MCP server fails: open serves from the others, closed fails the request, e.g. --mcp-failure open (default closed)")
	f.StringVar(&o.spec.MCPPrefix, "mcp-prefix", "", "prefix tool and prompt names with their server's name: always, conditional (with several servers) or never, e.g. --mcp-prefix always (agentgateway v1.4.1+)")
	f.StringVar(&o.spec.MCPPath, "mcp-path", "", "path the MCP gateway is served on, e.g. --mcp-path /tools (default "+spec.DefaultMCPPath+")")
}

// addTracingFlags registers the tracing flags.
func addTracingFlags(cmd *cobra.Command, o *generateOptions) {
	f := cmd.Flags()
	f.StringVar(&o.spec.TracingEndpoint, "tracing-endpoint", "", "OpenTelemetry collector the gateway sends spans to, SERVICE[.NAMESPACE]:PORT or a URL (serve only), e.g. --tracing-endpoint otel-collector.observability:4317 (kgateway v2.1, agentgateway)")
	f.StringVar(&o.spec.TracingSampling, "tracing-sampling", "", "share of new traces sampled, 0 to 1, e.g. --tracing-sampling 0.1 (default 1)")
	f.StringVar(&o.spec.TracingProtocol, "tracing-protocol", "", "OTLP transport to the collector: grpc or http (agentgateway), e.g. --tracing-protocol http (default grpc)")
}

// specFlags are the flags that shape a Spec and so cannot be mixed with --from.
var specFlags = []string{"provider", "model", "namespace", "gateway", "port", "service-type", "failover", "rate-limit",
	"token-limit", "guard", "api-key-env", "auth", "host", "azure-endpoint", "azure-deployment", "azure-api-version",
	"vertex-project", "vertex-location", "bedrock-region", "client-key", "client-key-hash", "client-key-header", "client-mode",
	"jwt-issuer", "jwt-audience", "jwt-jwks", "allow", "limit-scope", "limit-key", "rate-limit-service", "rate-limit-domain",
	"rate-limit-failure-mode", "mcp", "mcp-key", "mcp-sessions", "mcp-failure", "mcp-prefix", "mcp-path",
	"tracing-endpoint", "tracing-sampling", "tracing-protocol"}

func runGenerate(_ context.Context, o *generateOptions) error {
	streams := o.streams
	category, err := generate.ParseCategory(o.kind)
	if err != nil {
		return usageError("%v", err)
	}
	if o.output != "yaml" && o.output != "json" {
		return usageError("unknown output format %q: use yaml or json", o.output)
	}
	if err := o.resolveTarget(); err != nil {
		return err
	}
	var g *spec.AIGateway
	var file *spec.File
	if o.from != "" {
		for _, name := range specFlags {
			if o.changed(name) {
				return usageError("--%s cannot be combined with --from: edit %s instead", name, o.from)
			}
		}
		if file, err = spec.Load(o.from); err != nil {
			return inputError(err)
		}
		g = &file.Gateway
		if o.spec.Target != "" {
			g.Spec.Target = o.spec.Target
		}
		spec.Default(g)
	} else if g, err = o.build(); err != nil {
		return err
	}
	if o.kubeLBVersion != "" {
		g.Spec.KubeLB = o.kubeLBVersion // picks release-specific defaults (Rerank)
	}
	if err := spec.Check(g); err != nil {
		if file != nil {
			err = file.Locate(err)
		} else {
			err = o.spec.Locate(err)
		}
		return inputError(fmt.Errorf("the gateway cannot be rendered for target %s:\n%v", g.Spec.Target, err))
	}
	objs, err := generate.Render(g)
	if err != nil {
		return inputError(err)
	}
	objs = generate.Select(objs, category)
	for _, n := range generate.Notes(objs) {
		fmt.Fprintln(streams.ErrOut, "note:", n)
	}
	return writeObjects(streams, o.outputDir, g, objs, o.output, o.force)
}

// writeObjects prints objs in format, or with dir writes them there one
// file each with the Spec beside them, refusing to overwrite unless force.
func writeObjects(streams IOStreams, dir string, g *spec.AIGateway, objs []generate.Object, format string, force bool) error {
	if dir == "" {
		out, err := generate.Encode(objs, format)
		if err != nil {
			return err
		}
		_, err = streams.Out.Write(out)
		return err
	}
	written, err := generate.WriteDir(dir, g, objs, format, force)
	if err != nil {
		if os.IsExist(err) {
			return usageError("%v", err)
		}
		return inputError(err)
	}
	for _, path := range written {
		fmt.Fprintln(streams.Out, "wrote", path)
	}
	return nil
}

// resolveTarget turns --kubelb-version into a target and checks --target.
func (o *generateOptions) resolveTarget() error {
	if o.kubeLBVersion != "" {
		t, err := templates.TargetForKubeLB(o.kubeLBVersion)
		if err != nil {
			return usageError("--kubelb-version: %v", err)
		}
		o.spec.Target = t.Name
	}
	if o.spec.Target != "" {
		if _, err := templates.LookupTarget(o.spec.Target); err != nil {
			return usageError("--target: %v", err)
		}
	}
	return nil
}

// build makes the Spec the flags describe.
func (o *generateOptions) build() (*spec.AIGateway, error) {
	var err error
	if o.spec.Models, err = keyValues("--model", o.models); err != nil {
		return nil, err
	}
	if o.spec.APIKeyEnv, err = keyValues("--api-key-env", o.apiKeyEnvs); err != nil {
		return nil, err
	}
	if o.spec.Auth, err = keyValues("--auth", o.auths); err != nil {
		return nil, err
	}
	if o.spec.Hosts, err = keyValues("--host", o.hosts); err != nil {
		return nil, err
	}
	g, err := o.spec.Build()
	if err != nil {
		return nil, inputError(err)
	}
	return g, nil
}

// keyValues parses repeated P=VALUE flags.
func keyValues(flag string, values []string) (map[string]string, error) {
	if len(values) == 0 {
		return nil, nil
	}
	m := map[string]string{}
	for _, v := range values {
		k, val, ok := strings.Cut(v, "=")
		if !ok || k == "" || val == "" {
			return nil, usageError("%s %q: want PROVIDER=VALUE", flag, v)
		}
		if _, dup := m[k]; dup {
			return nil, usageError("%s: %s given twice", flag, k)
		}
		m[k] = val
	}
	return m, nil
}
