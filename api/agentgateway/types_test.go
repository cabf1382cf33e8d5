package agentgateway_test

import (
	"context"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"

	"k8s.io/apimachinery/pkg/runtime"
	"sigs.k8s.io/yaml"

	agw "github.com/kubelb-ai/kubelb-ai/api/agentgateway"
	"github.com/kubelb-ai/kubelb-ai/internal/testenv"
	"github.com/kubelb-ai/kubelb-ai/validate/crd"
)

// Examples written for these tests. Each must decode strictly into the Go types and
// encode back to the same document, which catches misspelt or missing json tags.
var roundTripCases = []struct {
	name string
	new  func() any
	doc  string
}{
	{
		name: "single provider with secretRef auth",
		new:  func() any { return &agw.AgentgatewayBackend{} },
		doc: `
apiVersion: agentgateway.dev/v1alpha1
kind: AgentgatewayBackend
metadata:
  name: chat
  namespace: tenant-a
  labels:
    app.kubernetes.io/managed-by: kubelb-ai
spec:
  ai:
    provider:
      openai:
        model: gpt-4o-mini
  policies:
    auth:
      secretRef:
        name: chat-openai-key
`,
	},
	{
		name: "failover over two groups with per-provider auth",
		new:  func() any { return &agw.AgentgatewayBackend{} },
		doc: `
apiVersion: agentgateway.dev/v1alpha1
kind: AgentgatewayBackend
metadata:
  name: chat-failover
  namespace: tenant-a
spec:
  ai:
    groups:
    - providers:
      - name: primary-openai
        openai:
          model: gpt-4o
        policies:
          auth:
            secretRef:
              name: openai-key
      - name: primary-azure
        azureopenai:
          endpoint: contoso.openai.azure.com
          deploymentName: gpt-4o
          apiVersion: 2024-10-21
        policies:
          auth:
            key: not-a-real-key
    - providers:
      - name: fallback-claude
        anthropic:
          model: claude-sonnet-4-5
        policies:
          auth:
            secretRef:
              name: anthropic-key
          ai:
            modelAliases:
              gpt-4o: claude-sonnet-4-5
      - name: fallback-bedrock
        bedrock:
          region: eu-central-1
          guardrail:
            identifier: gr-123
            version: "1"
        policies:
          auth:
            aws:
              secretRef:
                name: aws-creds
      - name: local-vllm
        openai: {}
        host: vllm.models.svc.cluster.local
        port: 8000
        pathPrefix: /openai
      - name: vertex
        vertexai:
          projectId: my-project
          region: europe-west4
      - name: gemini
        gemini:
          model: gemini-2.5-flash
        path: /v1beta/models/gemini-2.5-flash:generateContent
`,
	},
	{
		name: "prompt guard, enrichment and defaults",
		new:  func() any { return &agw.AgentgatewayBackend{} },
		doc: `
apiVersion: agentgateway.dev/v1alpha1
kind: AgentgatewayBackend
metadata:
  name: guarded
  namespace: tenant-a
spec:
  ai:
    provider:
      anthropic: {}
  policies:
    auth:
      passthrough: {}
    ai:
      prompt:
        prepend:
        - role: system
          content: Answer briefly.
        append:
        - role: user
          content: Do not reveal personal data.
      promptGuard:
        request:
        - regex:
            action: Reject
            builtins: [Ssn, CreditCard, CaSin]
            matches: ['(?i)internal[- ]only']
          response:
            message: blocked by policy
            statusCode: 451
        - regex:
            builtins: [Email, PhoneNumber]
        response:
        - regex:
            action: Mask
            builtins: [CreditCard]
      defaults:
      - field: temperature
        value: 0.2
      - field: stop
        value: ["\n\n"]
      overrides:
      - field: max_tokens
        value: 1024
      - field: response_format
        value:
          type: json_object
      modelAliases:
        fast: claude-haiku-4-5
`,
	},
	{
		name: "static backend",
		new:  func() any { return &agw.AgentgatewayBackend{} },
		doc: `
apiVersion: agentgateway.dev/v1alpha1
kind: AgentgatewayBackend
metadata:
  name: ollama
spec:
  static:
    host: ollama.models.svc.cluster.local
    port: 11434
`,
	},
	{
		name: "mcp targets by reference, host and selector",
		new:  func() any { return &agw.AgentgatewayBackend{} },
		doc: `
apiVersion: agentgateway.dev/v1alpha1
kind: AgentgatewayBackend
metadata:
  name: tools
  namespace: tenant-a
spec:
  mcp:
    targets:
    - name: fetcher
      static:
        backendRef:
          name: mcp-fetcher
        port: 80
        protocol: SSE
    - name: remote
      static:
        host: mcp.example.com
        port: 443
        path: /mcp
        protocol: StreamableHTTP
    - name: labelled
      selector:
        services:
          matchLabels:
            app.kubernetes.io/component: mcp-server
        namespaces:
          matchExpressions:
          - key: team
            operator: In
            values: [a, b]
`,
	},
	{
		name: "policy with local request and token limits",
		new:  func() any { return &agw.AgentgatewayPolicy{} },
		doc: `
apiVersion: agentgateway.dev/v1alpha1
kind: AgentgatewayPolicy
metadata:
  name: chat-limits
  namespace: tenant-a
spec:
  targetRefs:
  - group: gateway.networking.k8s.io
    kind: HTTPRoute
    name: chat
    sectionName: completions
  traffic:
    rateLimit:
      local:
      - requests: 60
        unit: Minutes
        burst: 10
      - tokens: 100000
        unit: Hours
      - requests: 5
        unit: Seconds
        burst: 0
`,
	},
	{
		name: "policy attaching a prompt guard to a backend",
		new:  func() any { return &agw.AgentgatewayPolicy{} },
		doc: `
apiVersion: agentgateway.dev/v1alpha1
kind: AgentgatewayPolicy
metadata:
  name: chat-guard
  namespace: tenant-a
spec:
  targetRefs:
  - group: agentgateway.dev
    kind: AgentgatewayBackend
    name: chat
  backend:
    ai:
      promptGuard:
        request:
        - regex:
            action: Mask
            builtins: [Ssn]
`,
	},
	{
		name: "parameters",
		new:  func() any { return &agw.AgentgatewayParameters{} },
		doc: `
apiVersion: agentgateway.dev/v1alpha1
kind: AgentgatewayParameters
metadata:
  name: ai-gateway
  namespace: kubelb
spec:
  logging:
    level: info,rmcp=warn
    format: json
  image:
    registry: registry.example.com/mirror
    repository: agentgateway
    tag: v1.1.0
    digest: sha256:0000000000000000000000000000000000000000000000000000000000000000
    pullPolicy: IfNotPresent
  env:
  - name: RUST_BACKTRACE
    value: "1"
  - name: POD_NAME
    valueFrom:
      fieldRef:
        fieldPath: metadata.name
  service:
    metadata:
      labels:
        tier: edge
      annotations:
        service.beta.kubernetes.io/aws-load-balancer-type: nlb
    spec:
      type: LoadBalancer
      externalTrafficPolicy: Local
`,
	},
	{
		name: "backend connection policies and guard services",
		new:  func() any { return &agw.AgentgatewayBackend{} },
		doc: `
apiVersion: agentgateway.dev/v1alpha1
kind: AgentgatewayBackend
metadata:
  name: guarded-remote
  namespace: tenant-a
spec:
  ai:
    provider:
      openai:
        model: gpt-4o
      host: llm.example.com
      port: 443
  policies:
    tls:
      sni: llm.example.com
      alpnProtocols: [h2, http/1.1]
      verifySubjectAltNames: [llm.example.com]
    http:
      version: HTTP2
      requestTimeout: 2m0s
    tcp:
      connectTimeout: 500ms
      keepalive:
        retries: 3
        time: 30s
        interval: 10s
    health:
      unhealthyCondition: response.code >= 500
      eviction:
        duration: 10s
        consecutiveFailures: 3
        healthThreshold: 50
        restoreHealth: 80
    transformation:
      request:
        set:
        - name: x-tenant
          value: '"tenant-a"'
        remove: [x-debug]
      response:
        metadata:
          model: json(response.body).model
    tunnel:
      backendRef:
        name: egress-proxy
        port: 3128
    ai:
      promptCaching:
        cacheSystem: true
        cacheMessages: false
        cacheTools: true
        minTokens: 0
      routes:
        /v1/chat/completions: Completions
        /v1/models: Models
        '*': Passthrough
      transformations:
      - field: user
        expression: request.headers["x-user"]
      promptGuard:
        request:
        - webhook:
            backendRef:
              name: guard-hook
              port: 8080
            forwardHeaderMatches:
            - name: x-tenant
              value: tenant-a
            - name: x-trace
              type: RegularExpression
              value: ".*"
        - openAIModeration:
            model: omni-moderation-latest
            policies:
              auth:
                secretRef:
                  name: openai-key
        - googleModelArmor:
            templateId: default
            projectId: my-project
            location: europe-west4
            policies:
              auth:
                gcp:
                  type: AccessToken
        response:
        - bedrockGuardrails:
            identifier: gr-123
            version: "2"
            region: eu-central-1
            policies:
              auth:
                aws:
                  secretRef:
                    name: aws-creds
          response:
            statusCode: 422
`,
	},
	{
		name: "mcp backend with session routing and target policies",
		new:  func() any { return &agw.AgentgatewayBackend{} },
		doc: `
apiVersion: agentgateway.dev/v1alpha1
kind: AgentgatewayBackend
metadata:
  name: tools-remote
spec:
  mcp:
    sessionRouting: Stateless
    failureMode: FailOpen
    targets:
    - name: remote
      static:
        host: mcp.example.com
        port: 443
        protocol: StreamableHTTP
        policies:
          tls:
            sni: mcp.example.com
          auth:
            secretRef:
              name: mcp-token
  policies:
    mcp:
      authorization:
        action: Deny
        policy:
          matchExpressions:
          - mcp.tool.name == "delete_all"
`,
	},
	{
		name: "traffic policy beyond rate limits",
		new:  func() any { return &agw.AgentgatewayPolicy{} },
		doc: `
apiVersion: agentgateway.dev/v1alpha1
kind: AgentgatewayPolicy
metadata:
  name: chat-traffic
spec:
  targetRefs:
  - group: gateway.networking.k8s.io
    kind: HTTPRoute
    name: chat
  traffic:
    timeouts:
      request: 1m0s
    retry:
      attempts: 2
      backoff: 500ms
      codes: [502, 503]
    hostRewrite:
      mode: Auto
    cors:
      allowOrigins: ["https://app.example.com"]
      allowMethods: [GET, POST]
      allowHeaders: [authorization]
      maxAge: 600
    csrf:
      additionalOrigins: [https://admin.example.com]
    headerModifiers:
      request:
        set:
        - name: x-gateway
          value: kubelb
        remove: [x-internal]
    authorization:
      policy:
        matchExpressions:
        - jwt.sub != ""
    jwtAuthentication:
      providers:
      - issuer: https://issuer.example.com
        audiences: [chat]
        jwks:
          remote:
            jwksPath: /.well-known/jwks.json
            cacheDuration: 10m0s
            backendRef:
              name: issuer
              port: 443
    extAuth:
      backendRef:
        name: authz
        port: 9000
      failureMode: FailClosed
      grpc:
        contextExtensions:
          route: chat
      forwardBody:
        maxSize: 8192
    rateLimit:
      global:
        backendRef:
          name: ratelimit
          port: 8081
        domain: chat
        descriptors:
        - entries:
          - name: user
            expression: jwt.sub
          unit: Tokens
`,
	},
	{
		name: "frontend policy on a Gateway",
		new:  func() any { return &agw.AgentgatewayPolicy{} },
		doc: `
apiVersion: agentgateway.dev/v1alpha1
kind: AgentgatewayPolicy
metadata:
  name: edge
spec:
  targetRefs:
  - group: gateway.networking.k8s.io
    kind: Gateway
    name: ai-gateway
  frontend:
    tcp:
      keepalive:
        time: 1m0s
    tls:
      handshakeTimeout: 10s
      minProtocolVersion: "1.2"
      cipherSuites: [TLS13_AES_128_GCM_SHA256]
    http:
      http1MaxHeaders: 128
      http1IdleTimeout: 5m0s
    accessLog:
      filter: response.code >= 400
      attributes:
        add:
        - name: model
          expression: llm.requestModel
    tracing:
      backendRef:
        name: otel-collector
        port: 4317
      randomSampling: "0.1"
      resources:
      - name: service.name
        expression: '"ai-gateway"'
`,
	},
	{
		name: "parameters with workload settings",
		new:  func() any { return &agw.AgentgatewayParameters{} },
		doc: `
apiVersion: agentgateway.dev/v1alpha1
kind: AgentgatewayParameters
metadata:
  name: ai-gateway-large
spec:
  rawConfig:
    config:
      tracing:
        otlpEndpoint: http://otel:4317
  resources:
    requests:
      cpu: 500m
      memory: 256Mi
    limits:
      memory: 1Gi
  shutdown:
    min: 5
    max: 30
  istio:
    caAddress: istiod.istio-system.svc:15012
    trustDomain: cluster.local
  deployment:
    spec:
      replicas: 3
  podDisruptionBudget:
    spec:
      minAvailable: 1
  serviceAccount:
    metadata:
      annotations:
        eks.amazonaws.com/role-arn: arn:aws:iam::123456789012:role/agw
`,
	},
}

func TestRoundTrip(t *testing.T) {
	for _, tc := range roundTripCases {
		t.Run(tc.name, func(t *testing.T) {
			obj := tc.new()
			if err := yaml.UnmarshalStrict([]byte(tc.doc), obj); err != nil {
				t.Fatalf("strict decode: %v", err)
			}
			out, err := yaml.Marshal(obj)
			if err != nil {
				t.Fatalf("encode: %v", err)
			}

			// Compared as generic documents, so a field that was dropped, renamed or
			// added on the way (status: {}, creationTimestamp: null) shows up.
			var want, got map[string]any
			if err := yaml.Unmarshal([]byte(tc.doc), &want); err != nil {
				t.Fatalf("generic decode of input: %v", err)
			}
			if err := yaml.Unmarshal(out, &got); err != nil {
				t.Fatalf("generic decode of output: %v", err)
			}
			if !reflect.DeepEqual(want, got) {
				t.Fatalf("round trip changed the document\n--- input\n%s\n--- output\n%s", tc.doc, out)
			}

			// And the encoded form must decode strictly into an equal object.
			again := tc.new()
			if err := yaml.UnmarshalStrict(out, again); err != nil {
				t.Fatalf("strict decode of output: %v", err)
			}
			if !reflect.DeepEqual(obj, again) {
				t.Fatalf("typed objects differ after round trip:\n%#v\n%#v", obj, again)
			}
		})
	}
}

// upstreamReleases are the agentgateway CRD bundles every manifest must satisfy.
var upstreamReleases = []string{"v1.1.0", "v1.3.1", "v1.4.1"}

var upstreamSets sync.Map // release -> *crd.Set

// upstreamSet compiles the upstream CRDs of one release from the shared directory,
// once per test binary. The test is skipped when the shared directory is missing.
func upstreamSet(t *testing.T, release string) *crd.Set {
	t.Helper()
	if s, ok := upstreamSets.Load(release); ok {
		return s.(*crd.Set)
	}
	s := crd.NewSet()
	dir := filepath.Join(testenv.SharedDir(t), "crds", "agentgateway", release)
	if err := s.AddFiles(dir); err != nil {
		t.Fatalf("loading agentgateway %s CRDs: %v", release, err)
	}
	upstreamSets.Store(release, s)
	return s
}

// What the types encode must pass the upstream schemas and CEL rules of every
// supported release, as kube-apiserver would check them on create.
func TestExamplesAcceptedByUpstreamCRDs(t *testing.T) {
	for _, release := range upstreamReleases {
		set := upstreamSet(t, release)
		for _, tc := range roundTripCases {
			t.Run(release+"/"+tc.name, func(t *testing.T) {
				obj := tc.new()
				if err := yaml.UnmarshalStrict([]byte(tc.doc), obj); err != nil {
					t.Fatalf("strict decode: %v", err)
				}
				out, err := yaml.Marshal(obj)
				if err != nil {
					t.Fatalf("encode: %v", err)
				}
				if errs := set.ValidateYAML(context.Background(), out); len(errs) > 0 {
					t.Fatalf("rejected by agentgateway %s:\n%v\n%s", release, errs.ToAggregate(), out)
				}
			})
		}
	}
}

// Shapes that are wrong upstream must not decode, so they cannot slip through a
// renderer or linter that relies on these types.
func TestStrictDecodeRejectsWrongShapes(t *testing.T) {
	cases := []struct {
		name    string
		new     func() any
		doc     string
		unknown string
	}{
		{
			// This is the shape printed in KubeLB's v1.5 MCP docs: backendRef, port and
			// protocol belong under static.
			name:    "mcp backendRef directly under the target",
			new:     func() any { return &agw.AgentgatewayBackend{} },
			unknown: "backendRef",
			doc: `
apiVersion: agentgateway.dev/v1alpha1
kind: AgentgatewayBackend
metadata: {name: mcp-backend, namespace: kubelb}
spec:
  mcp:
    targets:
    - name: mcp-target
      backendRef: {name: mcp-website-fetcher}
      port: 80
      protocol: SSE
`,
		},
		{
			name:    "kgateway-era auth inside the provider",
			new:     func() any { return &agw.AgentgatewayBackend{} },
			unknown: "authToken",
			doc: `
apiVersion: agentgateway.dev/v1alpha1
kind: AgentgatewayBackend
metadata: {name: openai}
spec:
  ai:
    provider:
      openai:
        model: gpt-4o-mini
        authToken:
          kind: SecretRef
          secretRef: {name: openai-secret}
`,
		},
		{
			name:    "rate limit with a misspelt count field",
			new:     func() any { return &agw.AgentgatewayPolicy{} },
			unknown: "request",
			doc: `
apiVersion: agentgateway.dev/v1alpha1
kind: AgentgatewayPolicy
metadata: {name: limits}
spec:
  targetRefs:
  - {group: gateway.networking.k8s.io, kind: HTTPRoute, name: chat}
  traffic:
    rateLimit:
      local:
      - {request: 10, unit: Minutes}
`,
		},
		{
			name:    "service type at the top of the overlay",
			new:     func() any { return &agw.AgentgatewayParameters{} },
			unknown: "type",
			doc: `
apiVersion: agentgateway.dev/v1alpha1
kind: AgentgatewayParameters
metadata: {name: p}
spec:
  service:
    type: LoadBalancer
`,
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := yaml.UnmarshalStrict([]byte(tc.doc), tc.new())
			if err == nil {
				t.Fatal("strict decode accepted a wrong shape")
			}
			if want := `unknown field "` + tc.unknown + `"`; !strings.Contains(err.Error(), want) {
				t.Fatalf("error %q does not mention %s", err, want)
			}
		})
	}
	// The upstream CRDs agree that these shapes are wrong.
	for _, release := range upstreamReleases {
		set := upstreamSet(t, release)
		for _, tc := range cases {
			if errs := set.ValidateYAML(context.Background(), []byte(tc.doc)); len(errs) == 0 {
				t.Errorf("agentgateway %s accepted %q", release, tc.name)
			}
		}
	}
}

func TestAddToScheme(t *testing.T) {
	scheme := runtime.NewScheme()
	if err := agw.AddToScheme(scheme); err != nil {
		t.Fatal(err)
	}
	for kind, obj := range map[string]runtime.Object{
		agw.KindAgentgatewayBackend:             &agw.AgentgatewayBackend{},
		agw.KindAgentgatewayBackend + "List":    &agw.AgentgatewayBackendList{},
		agw.KindAgentgatewayPolicy:              &agw.AgentgatewayPolicy{},
		agw.KindAgentgatewayPolicy + "List":     &agw.AgentgatewayPolicyList{},
		agw.KindAgentgatewayParameters:          &agw.AgentgatewayParameters{},
		agw.KindAgentgatewayParameters + "List": &agw.AgentgatewayParametersList{},
	} {
		gvks, _, err := scheme.ObjectKinds(obj)
		if err != nil {
			t.Fatalf("%s: %v", kind, err)
		}
		if want := agw.SchemeGroupVersion.WithKind(kind); len(gvks) != 1 || gvks[0] != want {
			t.Errorf("%T registered as %v, want %v", obj, gvks, want)
		}
	}
}

func TestDeepCopyIsIndependent(t *testing.T) {
	orig := &agw.AgentgatewayBackend{}
	if err := yaml.UnmarshalStrict([]byte(roundTripCases[2].doc), orig); err != nil {
		t.Fatal(err)
	}
	cp := orig.DeepCopy()
	if !reflect.DeepEqual(orig, cp) {
		t.Fatal("copy differs from original")
	}
	cp.Spec.Policies.AI.PromptGuard.Request[0].Regex.Builtins[0] = agw.BuiltinEmail
	cp.Spec.Policies.AI.Defaults[0].Value.Raw[0] = '9'
	cp.Spec.Policies.AI.ModelAliases["fast"] = "other"
	if got := orig.Spec.Policies.AI.PromptGuard.Request[0].Regex.Builtins[0]; got != agw.BuiltinSsn {
		t.Errorf("builtins shared with the copy: %s", got)
	}
	if got := string(orig.Spec.Policies.AI.Defaults[0].Value.Raw); got != "0.2" {
		t.Errorf("default value shared with the copy: %s", got)
	}
	if got := orig.Spec.Policies.AI.ModelAliases["fast"]; got != "claude-haiku-4-5" {
		t.Errorf("model aliases shared with the copy: %s", got)
	}
}
