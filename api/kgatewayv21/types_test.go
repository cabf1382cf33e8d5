package kgatewayv21

import (
	"reflect"
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"sigs.k8s.io/yaml"
)

const singleProviderBackend = `
apiVersion: gateway.kgateway.dev/v1alpha1
kind: Backend
metadata:
  name: openai
  namespace: kubelb-ai
  labels:
    app.kubernetes.io/managed-by: kubelb-ai
spec:
  type: AI
  ai:
    llm:
      host: vllm.models.svc.cluster.local
      port: 8000
      path:
        full: /v1/chat/completions
      authHeader:
        prefix: Token
        headerName: X-Api-Key
      openai:
        authToken:
          kind: SecretRef
          secretRef:
            name: openai-key
        model: gpt-4o-mini
`

const bedrockBackend = `
apiVersion: gateway.kgateway.dev/v1alpha1
kind: Backend
metadata:
  name: bedrock
  namespace: kubelb-ai
spec:
  type: AI
  ai:
    llm:
      bedrock:
        auth:
          type: Secret
          secretRef:
            name: aws-creds
        model: anthropic.claude-3-5-sonnet-20240620-v1:0
        region: eu-central-1
        guardrail:
          identifier: gr-1234
          version: "1"
`

const failoverBackend = `
apiVersion: gateway.kgateway.dev/v1alpha1
kind: Backend
metadata:
  name: azure-failover
  namespace: kubelb-ai
spec:
  type: AI
  ai:
    priorityGroups:
    - providers:
      - name: westeurope
        azureopenai:
          authToken:
            kind: SecretRef
            secretRef:
              name: azure-we
          endpoint: ai-we.openai.azure.com
          deploymentName: gpt-4o
          apiVersion: "2024-10-21"
      - name: northeurope
        azureopenai:
          authToken:
            kind: SecretRef
            secretRef:
              name: azure-ne
          endpoint: ai-ne.openai.azure.com
          deploymentName: gpt-4o
          apiVersion: "2024-10-21"
    - providers:
      - name: swedencentral.backup
        host: azure-proxy.internal
        port: 443
        azureopenai:
          authToken:
            kind: Passthrough
          endpoint: ai-se.openai.azure.com
          deploymentName: gpt-4o-mini
          apiVersion: "2024-10-21"
`

const guardedTrafficPolicy = `
apiVersion: gateway.kgateway.dev/v1alpha1
kind: TrafficPolicy
metadata:
  name: openai-guard
  namespace: kubelb-ai
spec:
  targetRefs:
  - group: gateway.networking.k8s.io
    kind: HTTPRoute
    name: openai
  - group: gateway.networking.k8s.io
    kind: Gateway
    name: ai-gateway
    sectionName: http
  ai:
    routeType: CHAT
    defaults:
    - field: temperature
      value: "0.2"
      override: true
    - field: max_tokens
      value: "512"
    promptEnrichment:
      prepend:
      - role: SYSTEM
        content: Answer briefly.
    promptGuard:
      request:
        customResponse:
          message: Blocked by policy
          statusCode: 422
        regex:
          action: MASK
          builtins: [SSN, CREDIT_CARD, PHONE_NUMBER, EMAIL]
          matches:
          - pattern: "(?i)internal[- ]only"
            name: internal-marker
        webhook:
          host:
            host: guard.kubelb-ai.svc
            port: 8080
          forwardHeaderMatches:
          - name: x-tenant
            value: acme
          - type: RegularExpression
            name: x-user
            value: "^u-.*"
        moderation:
          openAIModeration:
            authToken:
              kind: SecretRef
              secretRef:
                name: openai-key
      response:
        regex:
          builtins: [EMAIL]
        webhook:
          host:
            host: guard.kubelb-ai.svc
            port: 8080
  rateLimit:
    local:
      tokenBucket:
        maxTokens: 100
        tokensPerFill: 100
        fillInterval: 1h
`

const globalRateLimitPolicy = `
apiVersion: gateway.kgateway.dev/v1alpha1
kind: TrafficPolicy
metadata:
  name: per-user-limit
  namespace: kubelb-ai
spec:
  targetSelectors:
  - group: gateway.networking.k8s.io
    kind: HTTPRoute
    matchLabels:
      kubelb.k8c.io/ai: "true"
  rateLimit:
    local: {}
    global:
      extensionRef:
        name: ratelimit
        namespace: kubelb
      descriptors:
      - entries:
        - type: Header
          header: X-User-ID
        - type: Generic
          generic:
            key: tier
            value: free
      - entries:
        - type: RemoteAddress
`

const aiGatewayParameters = `
apiVersion: gateway.kgateway.dev/v1alpha1
kind: GatewayParameters
metadata:
  name: ai-gateway
  namespace: kubelb-ai
spec:
  kube:
    service:
      type: NodePort
      externalTrafficPolicy: Local
      extraLabels:
        team: ml
      ports:
      - port: 8080
        nodePort: 30080
    aiExtension:
      enabled: true
      image:
        registry: cr.kgateway.dev/kgateway-dev
        repository: kgateway-ai-extension
        tag: v2.1.2
      ports:
      - name: ai-monitoring
        containerPort: 9092
        protocol: TCP
      env:
      - name: LOG_LEVEL
        value: DEBUG
      tracing:
        endpoint: http://otel-collector.observability.svc:4317
        sampler:
          type: traceidratio
          arg: "0.25"
        timeout: 100ms
        protocol: grpc
      stats:
        customLabels:
        - name: subject
          metadataKey: principal:sub
          metadataNamespace: envoy.filters.http.jwt_authn
          keyDelimiter: ":"
`

const selfManagedGatewayParameters = `
apiVersion: gateway.kgateway.dev/v1alpha1
kind: GatewayParameters
metadata:
  name: external
spec:
  selfManaged: {}
`

const awsBackend = `
apiVersion: gateway.kgateway.dev/v1alpha1
kind: Backend
metadata:
  name: lambda
spec:
  type: AWS
  aws:
    accountId: "123456789012"
    region: eu-west-1
    auth:
      type: Secret
      secretRef:
        name: aws-creds
    lambda:
      functionName: summarise
      qualifier: prod
      invocationMode: Async
      payloadTransformMode: None
      endpointURL: http://localstack.dev.svc:4566
`

const mcpBackend = `
apiVersion: gateway.kgateway.dev/v1alpha1
kind: Backend
metadata:
  name: tools
spec:
  type: MCP
  mcp:
    targets:
    - name: tools
      static:
        host: mcp.tools.svc
        port: 8080
        protocol: StreamableHTTP
        path: /mcp
    - name: selected
      selector:
        namespace:
          matchLabels:
            team: ml
        service:
          matchExpressions:
          - key: app
            operator: In
            values: [mcp]
`

const featureTrafficPolicy = `
apiVersion: gateway.kgateway.dev/v1alpha1
kind: TrafficPolicy
metadata:
  name: features
spec:
  targetRefs:
  - group: gateway.networking.k8s.io
    kind: HTTPRoute
    name: openai
  autoHostRewrite: true
  buffer:
    maxRequestSize: 1Mi
  cors:
    allowOrigins: ["https://app.example.com"]
    allowMethods: [GET, POST]
    allowHeaders: [Authorization]
    exposeHeaders: [X-Request-Id]
    allowCredentials: true
    maxAge: 600
  csrf:
    percentageEnabled: 100
    additionalOrigins:
    - suffix: .example.com
      ignoreCase: true
  extAuth:
    extensionRef:
      name: authz
    withRequestBody:
      maxRequestBytes: 8192
    contextExtensions:
      tenant: acme
  extProc:
    disable: {}
  headerModifiers:
    request:
      set:
      - name: X-Gateway
        value: kubelb-ai
      remove: [X-Debug]
  rbac:
    action: Deny
    policy:
      matchExpressions:
      - "request.headers['x-blocked'] == 'true'"
  retry:
    retryOn: [5xx, connect-failure]
    attempts: 3
    perTryTimeout: 10s
    statusCodes: [503]
    backoffBaseInterval: 50ms
  timeouts:
    request: 30s
    streamIdle: 5m
  transformation:
    request:
      add:
      - name: X-Model
        value: "{{ model }}"
      body:
        parseAs: AsJson
        value: "{{ body }}"
`

const httpListenerPolicy = `
apiVersion: gateway.kgateway.dev/v1alpha1
kind: HTTPListenerPolicy
metadata:
  name: listener
spec:
  targetRefs:
  - group: gateway.networking.k8s.io
    kind: Gateway
    name: ai-gateway
  useRemoteAddress: false
  xffNumTrustedHops: 2
  serverHeaderTransformation: PassThrough
  idleTimeout: 1h
  healthCheck:
    path: /healthz
  upgradeConfig:
    enabledUpgrades: [websocket]
  accessLog:
  - fileSink:
      path: /dev/stdout
      jsonFormat:
        status: "%RESPONSE_CODE%"
        model: "%DYNAMIC_METADATA(ai:model)%"
    filter:
      andFilter:
      - notHealthCheckFilter: true
      - responseFlagFilter:
          flags: [UH, NR]
  - openTelemetry:
      grpcService:
        logName: ai
        backendRef:
          name: otel-collector
          port: 4317
      attributes:
        values:
        - key: route
          value:
            stringValue: "%ROUTE_NAME%"
  tracing:
    provider:
      openTelemetry:
        serviceName: ai-gateway
        grpcService:
          backendRef:
            name: otel-collector
            port: 4317
          retryPolicy:
            numRetries: 3
            retryBackOff:
              baseInterval: 1s
        sampler:
          alwaysOnConfig: {}
    randomSampling: 10
    attributes:
    - name: tenant
      requestHeader:
        name: x-tenant
        defaultValue: none
`

const backendConfigPolicy = `
apiVersion: gateway.kgateway.dev/v1alpha1
kind: BackendConfigPolicy
metadata:
  name: upstream
spec:
  targetRefs:
  - group: gateway.kgateway.dev
    kind: Backend
    name: openai
  connectTimeout: 5s
  http2ProtocolOptions:
    initialStreamWindowSize: 64Ki
    maxConcurrentStreams: 100
  tls:
    wellKnownCACertificates: System
    sni: api.openai.com
    parameters:
      minVersion: "1.2"
  loadBalancer:
    ringHash:
      minimumRingSize: 1024
      hashPolicies:
      - header:
          name: x-user
        terminal: true
  healthCheck:
    timeout: 1s
    interval: 10s
    unhealthyThreshold: 3
    healthyThreshold: 1
    http:
      path: /healthz
      method: GET
  outlierDetection:
    consecutive5xx: 3
`

const gatewayExtension = `
apiVersion: gateway.kgateway.dev/v1alpha1
kind: GatewayExtension
metadata:
  name: ratelimit
spec:
  type: RateLimit
  rateLimit:
    domain: kubelb-ai
    failOpen: false
    timeout: 250ms
    xRateLimitHeaders: DraftVersion03
    grpcService:
      backendRef:
        name: ratelimit
        namespace: kubelb
        port: 8081
      requestTimeout: 200ms
`

const directResponse = `
apiVersion: gateway.kgateway.dev/v1alpha1
kind: DirectResponse
metadata:
  name: maintenance
spec:
  status: 503
  body: down for maintenance
`

const fullGatewayParameters = `
apiVersion: gateway.kgateway.dev/v1alpha1
kind: GatewayParameters
metadata:
  name: tuned
spec:
  kube:
    deployment:
      replicas: 2
      strategy:
        type: RollingUpdate
        rollingUpdate:
          maxUnavailable: 0
          maxSurge: 25%
    envoyContainer:
      bootstrap:
        logLevel: info
        componentLogLevels:
          upstream: debug
      resources:
        requests:
          cpu: 100m
          memory: 128Mi
    podTemplate:
      extraLabels:
        team: ml
      nodeSelector:
        kubernetes.io/os: linux
      tolerations:
      - key: dedicated
        operator: Equal
        value: gateways
        effect: NoSchedule
      gracefulShutdown:
        enabled: true
        sleepTimeSeconds: 10
      terminationGracePeriodSeconds: 30
      extraVolumes:
      - name: certs
        projected:
          sources:
          - podCertificate:
              signerName: example.com/signer
              keyType: ED25519
              credentialBundlePath: bundle.pem
    serviceAccount:
      extraAnnotations:
        eks.amazonaws.com/role-arn: arn:aws:iam::123456789012:role/gateway
    stats:
      enabled: true
    floatingUserId: true
`

// TestRoundTrip decodes each example strictly, encodes it again and checks that
// nothing was lost or renamed on the way.
func TestRoundTrip(t *testing.T) {
	cases := []struct {
		name string
		doc  string
		obj  runtime.Object
	}{
		{"single provider backend", singleProviderBackend, &Backend{}},
		{"bedrock backend", bedrockBackend, &Backend{}},
		{"failover backend", failoverBackend, &Backend{}},
		{"traffic policy", guardedTrafficPolicy, &TrafficPolicy{}},
		{"global rate limit policy", globalRateLimitPolicy, &TrafficPolicy{}},
		{"gateway parameters", aiGatewayParameters, &GatewayParameters{}},
		{"self-managed gateway parameters", selfManagedGatewayParameters, &GatewayParameters{}},
		{"tuned gateway parameters", fullGatewayParameters, &GatewayParameters{}},
		{"aws backend", awsBackend, &Backend{}},
		{"mcp backend", mcpBackend, &Backend{}},
		{"traffic policy features", featureTrafficPolicy, &TrafficPolicy{}},
		{"http listener policy", httpListenerPolicy, &HTTPListenerPolicy{}},
		{"backend config policy", backendConfigPolicy, &BackendConfigPolicy{}},
		{"gateway extension", gatewayExtension, &GatewayExtension{}},
		{"direct response", directResponse, &DirectResponse{}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			roundTrip(t, tc.doc, tc.obj)
		})
	}
}

func roundTrip(t *testing.T, doc string, obj runtime.Object) {
	t.Helper()
	if err := yaml.UnmarshalStrict([]byte(doc), obj); err != nil {
		t.Fatalf("strict decode: %v", err)
	}
	out, err := yaml.Marshal(obj)
	if err != nil {
		t.Fatalf("encode: %v", err)
	}
	var want, got map[string]any
	if err := yaml.Unmarshal([]byte(doc), &want); err != nil {
		t.Fatalf("decode input as a map: %v", err)
	}
	if err := yaml.Unmarshal(out, &got); err != nil {
		t.Fatalf("decode output as a map: %v", err)
	}
	if !reflect.DeepEqual(want, got) {
		t.Fatalf("round trip changed the document\ninput:\n%s\noutput:\n%s", doc, out)
	}

	// Decoding the output again must give the same Go value, and DeepCopy must too.
	again := reflect.New(reflect.TypeOf(obj).Elem()).Interface().(runtime.Object)
	if err := yaml.UnmarshalStrict(out, again); err != nil {
		t.Fatalf("strict decode of output: %v", err)
	}
	if !reflect.DeepEqual(obj, again) {
		t.Fatalf("second decode differs:\nfirst:  %#v\nsecond: %#v", obj, again)
	}
	if cp := obj.DeepCopyObject(); !reflect.DeepEqual(obj, cp) {
		t.Fatalf("DeepCopyObject differs:\noriginal: %#v\ncopy:     %#v", obj, cp)
	}
}

// TestRejectsOtherShapes feeds documents that are valid for other kgateway releases, or
// not valid at all, and expects strict decoding to fail on the unknown field.
func TestRejectsOtherShapes(t *testing.T) {
	cases := []struct {
		name, doc, field string
		obj              any
	}{
		{
			name: "v2.0 nested provider",
			doc: `
apiVersion: gateway.kgateway.dev/v1alpha1
kind: Backend
metadata: {name: openai}
spec:
  type: AI
  ai:
    llm:
      provider:
        openai:
          authToken: {kind: SecretRef, secretRef: {name: openai-key}}
          model: gpt-4o
`,
			field: "provider",
			obj:   &Backend{},
		},
		{
			name: "v2.0 host override",
			doc: `
spec:
  type: AI
  ai:
    llm:
      hostOverride: {host: vllm.models.svc, port: 8000}
      openai:
        authToken: {kind: SecretRef, secretRef: {name: openai-key}}
`,
			field: "hostOverride",
			obj:   &Backend{},
		},
		{
			name: "v2.0 multipool",
			doc: `
spec:
  type: AI
  ai:
    multipool:
      priorities:
      - pool:
        - provider:
            openai:
              authToken: {kind: SecretRef, secretRef: {name: openai-key}}
`,
			field: "multipool",
			obj:   &Backend{},
		},
		{
			name: "secretRef with a namespace",
			doc: `
spec:
  type: AI
  ai:
    llm:
      openai:
        authToken: {kind: SecretRef, secretRef: {name: openai-key, namespace: other}}
`,
			field: "namespace",
			obj:   &Backend{},
		},
		{
			name: "v2.0 webhook header field",
			doc: `
spec:
  ai:
    promptGuard:
      request:
        webhook:
          host: {host: guard, port: 8080}
          forwardHeaders:
          - {name: x-tenant, value: acme}
`,
			field: "forwardHeaders",
			obj:   &TrafficPolicy{},
		},
		{
			name: "request-count limits, which kgateway does not have",
			doc: `
spec:
  rateLimit:
    local:
      limits:
      - {requests: 100, unit: hour}
`,
			field: "limits",
			obj:   &TrafficPolicy{},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := yaml.UnmarshalStrict([]byte(tc.doc), tc.obj)
			if err == nil {
				t.Fatalf("strict decode accepted a document with %q", tc.field)
			}
			if !strings.Contains(err.Error(), `"`+tc.field+`"`) {
				t.Fatalf("error does not name the field %q: %v", tc.field, err)
			}
		})
	}
}

func TestAddToScheme(t *testing.T) {
	s := runtime.NewScheme()
	if err := AddToScheme(s); err != nil {
		t.Fatal(err)
	}
	for _, kind := range []string{KindBackend, KindTrafficPolicy, KindGatewayParameters, KindBackendConfigPolicy, KindDirectResponse, KindGatewayExtension, KindHTTPListenerPolicy} {
		for _, k := range []string{kind, kind + "List"} {
			gvk := schema.GroupVersionKind{Group: "gateway.kgateway.dev", Version: "v1alpha1", Kind: k}
			if !s.Recognizes(gvk) {
				t.Errorf("scheme does not recognise %s", gvk)
			}
		}
	}
}
